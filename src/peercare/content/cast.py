"""The book's one cast (``book/cast.yml``) and the check that stories use only its people.

How a story is found: it is the text after the composite-story line (a line that
starts with ``*This is a composite story``) up to the next Markdown heading.

How a name is found: a capitalized word (``Malik``, also ``Malik's``) that does not
start a sentence, a quote or a paragraph, and is not in ``ORDINARY``, a short list of
capitalized words that are not people (days, months, faith and family words, lines
for help). Words in capitals only (EAP, ICU) are not names. ``Ms.``/``Mr.``/``Dr.``
do not end a sentence, so the surname after them is checked.

A word at a sentence start is a name too when it starts two or more sentences of the
story and is not on the Dale-Chall list of easy English words (textstat's copy, offline):
``Darius`` in "Darius almost skipped it." is caught, "Later, ..." is not. A name used
once, only at a sentence start, can still slip through.

Each name found must be a word of some cast member's ``name``, and that member must
list the chapter (its folder name) under ``chapters``. Whether facts conflict across
chapters is for the author to keep right in the ``facts`` lists.
"""

from __future__ import annotations

import re
from pathlib import Path

import textstat
from pydantic import Field, field_validator

from . import schema
from .schema import Id, ProblemsError, Strict, Text

CAST_FILE = Path("book") / "cast.yml"
STORY_LINE = re.compile(r"^\*This is a composite story", re.M)
HEADING = re.compile(r"^#{1,6}\s", re.M)
DIRECTIVE_LINE = re.compile(r"^[ \t]*(?::{3,}|`{3,}|:[a-z-]+:).*$", re.M)
TOKEN = re.compile(r"\n\s*\n|[\"“‘](?=\w)|[.!?]|[A-Za-z][A-Za-z'’]*")
TITLES = {"Ms", "Mr", "Mrs", "Dr", "St"}
ORDINARY = {
    "I", "I'm", "I've", "I'll", "I'd", "OK", "Okay",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
    "God", "Lord", "Jesus", "Allah", "Bible", "Quran", "Christmas", "Easter", "Ramadan",
    "Mom", "Dad", "Grandma", "Grandpa", "Auntie", "Pastor", "Imam",
    "Ms", "Mr", "Mrs", "Dr", "English", "Spanish", "Black", "Native", "Latino",
    "Lifeline", "Helpline", "Suicide", "Crisis",
}  # fmt: skip


class CastError(ProblemsError):
    """``book/cast.yml`` is missing or malformed."""


class Person(Strict):
    name: Text
    role: Text
    facts: list[Text] = Field(default_factory=list)
    chapters: list[Id] = Field(min_length=1)


class Cast(Strict):
    people: list[Person] = Field(min_length=1)

    @field_validator("people")
    @classmethod
    def _unique(cls, people: list[Person]) -> list[Person]:
        seen: set[str] = set()
        for p in people:
            if p.name in seen:
                raise ValueError(f"{p.name!r} is listed twice; one person, one entry")
            seen.add(p.name)
        return people

    def who(self, word: str) -> Person | None:
        """The cast member whose name has this word (``Reed`` finds ``Ms. Reed``)."""
        for p in self.people:
            if word in re.findall(r"[A-Za-z]+", p.name):
                return p
        return None


def load(root: Path) -> Cast:
    return schema.load(root / CAST_FILE, Cast, CastError, what="cast file")


def stories(markdown: str) -> list[str]:
    """The text of each composite story on a page (disclaimer line left out)."""
    found = []
    for m in STORY_LINE.finditer(markdown):
        rest = markdown[m.start() :]
        body = rest.split("\n\n", 1)[1] if "\n\n" in rest else ""
        end = HEADING.search(body)
        found.append(body[: end.start()] if end else body)
    return found


def names(story: str) -> list[str]:
    """The people a story names, by the rules in this module's docstring."""
    # A directive's fence and option lines (":::{tip} Take a pause", ":class: dropdown")
    # end no sentence: read them as paragraph breaks, so the next word starts one.
    text = DIRECTIVE_LINE.sub("\n", story)
    text = re.sub(r"[*_`]", "", text)
    found: list[str] = []
    at_start: dict[str, int] = {}
    start, previous = True, ""
    for tok in TOKEN.findall(text):
        if tok.strip() == "" or tok in '"“‘':
            start = True
        elif tok in ".!?":
            start = previous not in TITLES
        else:
            word = re.sub(r"['’]s$", "", tok)
            if re.fullmatch(r"[A-Z][a-z]+", word) and word not in ORDINARY:
                if not start and word not in found:
                    found.append(word)
                elif start:
                    at_start[word] = at_start.get(word, 0) + 1
            start, previous = False, word
    for word, count in at_start.items():
        if word not in found and count >= 2 and textstat.is_difficult_word(word.lower(), 0):
            found.append(word)
    return found


def problems_in_page(root: Path, page: str, markdown: str) -> list[str]:
    """What is wrong with the people in this page's stories (none if it has no story)."""
    page_stories = stories(markdown)
    if not page_stories:
        return []
    try:
        cast = load(root)
    except CastError as exc:
        return exc.problems
    chapter = Path(page).parent.name
    problems = []
    for story in page_stories:
        for word in names(story):
            person = cast.who(word)
            if person is None:
                problems.append(f"story names {word!r}, who is not in {CAST_FILE}")
            elif chapter not in person.chapters:
                problems.append(
                    f"story names {person.name!r}; add {chapter!r} to their chapters "
                    f"in {CAST_FILE} and check their facts agree"
                )
    return problems
