"""What a participant typed that the room should not see before the facilitator looks:
names, phone numbers, e-mail addresses, handles, street addresses and strong words that may hurt someone.

:func:`flags` reads a question or a comment and says, in plain words, what may identify
someone (the facilitator sees the flags beside the text before approving it).
:func:`word_flags` does the same for one check-in word, which the word cloud then never
shows. The lists are ``data/moderation.yml`` (a program adds its own names and words).
These are checks that help a person decide; they cannot catch everything, so nothing
typed reaches the room without the facilitator (questions, comments) or the threshold
(the word cloud).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from .content import schema
from .content.schema import ProblemsError, Strict, Text
from .paths import DATA_DIR

MODERATION_FILE = DATA_DIR / "moderation.yml"


class ModerationFileError(ProblemsError):
    """The moderation lists are broken; one message per fault."""


class Lists(Strict):
    """The three lists of ``moderation.yml``: one word or phrase an entry."""

    names: list[Text] = []
    blocked: list[Text] = []
    crisis: list[Text] = []


def load_lists(path: Path | str = MODERATION_FILE) -> dict[str, frozenset[str]]:
    """A moderation file's lists, validated, lowercase (an empty file: no lists)."""
    path = Path(path)
    text = schema.read_text(path, "moderation lists", ModerationFileError)
    raw = schema.parse_yaml(text, path, ModerationFileError) or {}
    found = schema.validate(raw, Lists, path, ModerationFileError)
    return {k: frozenset(v.lower() for v in getattr(found, k)) for k in Lists.model_fields}


PHONE = re.compile(r"(?:\+?\d[\s().\-/]*){7,}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_.]{2,}")
STREET = (
    r"st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|ct|court|way|pl|place|"
    r"ter|terrace|hwy|highway|pkwy|parkway|cir|circle|sq|square"
)
ADDRESS = re.compile(
    rf"\b\d{{1,6}}\s+(?:[A-Za-z0-9.'-]+\s+){{0,3}}(?:{STREET})\b\.?"
    r"|\b(?:apt|apartment|unit|suite)\.?\s*#?\s*\d+"
    r"|\b(?:corner of|block of)\b",
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# Capitalized words that are not names (a capital in mid-sentence usually is one).
NOT_NAMES = frozenset(
    [
        "i",
        "i'm",
        "i'll",
        "i've",
        "i'd",
        "ok",
        "okay",
        "eap",
        "cpr",
        "ptsd",
        "god",
        "jesus",
        "lord",
        "allah",
        "dios",
        "christ",
        "bible",
        "church",
        "mexican",
        "african",
        "dominican",
        "haitian",
        "puerto",
        "rican",
        "muslim",
        "christian",
        "catholic",
        "mr",
        "mrs",
        "ms",
        "dr",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "english",
        "spanish",
        "american",
        "black",
        "white",
        "latino",
        "latina",
        "latinx",
        "asian",
    ]
)


@cache
def lists() -> dict[str, frozenset[str]]:
    """The names, blocked words and crisis phrases of ``data/moderation.yml``, lowercase."""
    return load_lists()


CRISIS_FLAG = "may be about suicide or someone in danger: see the disclosures page"


def crisis(text: str) -> bool:
    """Whether ``text`` has a word or phrase of the crisis list (whole words)."""
    folded = " " + " ".join(fold(w).strip("'’-") for w in WORD.findall(text)) + " "
    return any(f" {phrase} " in folded for phrase in lists()["crisis"])


def fold(text: str) -> str:
    """Lowercase, accents and look-alike forms folded (NFKC), spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _names(text: str) -> list[str]:
    """Words that may be a name: on the names list, or capitalized in mid-sentence."""
    found = []
    known = lists()["names"]
    sentence_start = True
    for match in re.finditer(r"[.!?\n]+|" + WORD.pattern, text):
        token = match.group()
        if not WORD.fullmatch(token):
            sentence_start = True
            continue
        low = fold(token).strip("'’-")
        capital = token[:1].isupper() and not token.isupper()
        if low in known or (capital and not sentence_start and low not in NOT_NAMES):
            found.append(token)
        sentence_start = False
    return list(dict.fromkeys(found))


def flags(text: str) -> list[str]:
    """What in ``text`` may identify someone or hurt the room, in plain words (empty when
    nothing was found)."""
    out = []
    if PHONE.search(text):
        out.append("a phone number or other long number")
    if EMAIL.search(text):
        out.append("an e-mail address")
    elif HANDLE.search(text):
        out.append("a social media handle")
    if ADDRESS.search(text):
        out.append("an address or a place")
    names = _names(text)
    if names:
        out.append("what may be a name (" + ", ".join(names[:5]) + ")")
    words = {fold(w).strip("'’-") for w in WORD.findall(text)}
    if words & lists()["blocked"]:
        out.append("a strong word that may hurt someone")
    if crisis(text):
        out.append(CRISIS_FLAG)
    return out


def word_flags(word: str) -> list[str]:
    """:func:`flags` for one check-in word or short phrase. Any digit or ``@`` is held back
    (a number or a contact), and so is any word on the names list; a capital letter is
    not a sign of a name here (phones capitalize the first letter)."""
    out = []
    if any(c.isdigit() for c in word) or "@" in word:
        out.append("a number or a contact")
    words = {fold(w).strip("'’-") for w in WORD.findall(word)}
    if words & lists()["names"]:
        out.append("a name")
    if words & lists()["blocked"]:
        out.append("a strong word that may hurt someone")
    if ADDRESS.search(word):
        out.append("an address or a place")
    if crisis(word):
        out.append(CRISIS_FLAG)
    return out


def cloud_word(word: str) -> str:
    """How a check-in word is counted in the word cloud: folded, with the punctuation
    around it taken off (``"Tired!"`` and ``"tired"`` are one word)."""
    return fold(word).strip(" .,;:!?\"'’“”()[]{}-")
