"""Item-writing rules for every choice item we ship, checked by ``peercare check-content``.

The rules follow Haladyna's item-writing guidelines, each made measurable:

* ``above``: no "all of the above" / "none of the above" (or "both/neither of these").
* ``key length``: in a one-answer item (single, scenario) the correct option is at most
  ``KEY_LENGTH_RATIO`` (1.5) times the mean length of the wrong options, in characters.
* ``spread``: in a one-answer item the longest option is at most ``SPREAD_RATIO`` (3)
  times the shortest.
* ``key longest``: across one set of items (a bank, a form, a notebook) the correct option
  is the single longest option in at most ``LONGEST_SHARE`` (a third, rounded) of the
  one-answer items, so "pick the longest" is not a winning strategy.
* ``key position``: across one set with at least ``POSITION_MIN_ITEMS`` (4) one-answer
  items of three or more options, no option position (A, B, C...) holds the key in more
  than ``POSITION_SHARE`` (60%) of them, so "always pick A" is not a strategy either.
* ``true/false``: across everything we ship, at least ``TRUE_FALSE_SHARE`` (a third) of
  the true/false items are keyed each way (all-"False" items teach "the answer is False").
* ``joke``: no wrong option carries a tell of a throw-away answer (``JOKE_TELLS``).
* ``feedback``: every option has feedback, and no feedback uses a shaming word
  (``SHAMING``). Notebook items have no per-option feedback (a lead trainer gives it), so
  this rule is for banks and forms.
* ``objective``: every item names ``objective: n``, a bullet of its chapter's
  "What you'll learn" list (three bullets), and every bullet is tested by some item.
* ``duplicate``: no two items test the same fact. Proxy: the Jaccard overlap of the
  content words of (prompt + scenario + correct option) of two items, across the whole
  book, the exercises and the pre/post forms, is below ``DUPLICATE_OVERLAP`` (0.4; the closest pair we ship is 0.29,
  a light rewording of one item scores about 0.9).
* ``language``: the pages' unsafe-language list (``data/language.yml``) applies to items.
* ``forms``: the two pre/post forms are parallel (same objectives, kinds, difficulty).
* ``grade``: the text of a set of items (prompts, options, feedback) reads at US grade 8
  or below, like the pages.

Notebook items (the knowledge check and the scenario choices) are read from the
notebooks: a ``*-question`` markdown cell with ``- **A.** ...`` options and the key in
the hidden test of the matching ``*-check`` cell. Their objectives are in
``data/exercise_objectives.yml``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import textstat
from pydantic import RootModel

from ..paths import DATA_DIR, book_dir
from . import schema
from .bank import BankError, load_bank

KEY_LENGTH_RATIO = 1.5
SPREAD_RATIO = 3.0
LONGEST_SHARE = 1 / 3
POSITION_SHARE = 0.6
POSITION_MIN_ITEMS = 4
TRUE_FALSE_SHARE = 1 / 3
DUPLICATE_OVERLAP = 0.4
GRADE_LIMIT = 8.0
OBJECTIVES_PER_CHAPTER = 3
ONE_ANSWER = ("single", "scenario")

ABOVE = re.compile(r"\b(all|none|both|neither) of (the )?(above|these|them)\b", re.I)
JOKE_TELLS = (
    "there is no reason", "no reason at all", "who cares", "it does not matter",
    "doesn't matter", "nothing at all", "just kidding", "whatever", "no difference",
    "a bus that comes late", "magic",
)  # fmt: skip
SHAMING = ("wrong!", "obviously", "of course", "silly", "stupid", "you should know", "lazy")
STOP = set(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "did",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "may",
        "me",
        "might",
        "more",
        "most",
        "my",
        "no",
        "not",
        "now",
        "of",
        "on",
        "one",
        "or",
        "our",
        "out",
        "over",
        "she",
        "so",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "they",
        "this",
        "to",
        "too",
        "up",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "it's",
        "i'm",
        "don't",
        "doesn't",
    ]
)
PREPOST_IN_REPO = Path("src/peercare/data/prepost")
EXERCISE_OBJECTIVES = DATA_DIR / "exercise_objectives.yml"
NOTEBOOKS = (
    "exercises/knowledge-check/knowledge-check.ipynb",
    "exercises/scenarios/scenarios.ipynb",
)


@dataclass(frozen=True)
class Opt:
    text: str
    correct: bool
    feedback: str | None = None


@dataclass(frozen=True)
class Item:
    """One choice item from any source, in the shape the rules need."""

    source: str
    id: str
    kind: str
    prompt: str
    options: tuple[Opt, ...]
    chapter: str | None = None
    objective: int | None = None

    @property
    def key(self) -> str:
        return " ".join(o.text for o in self.options if o.correct)

    @property
    def where(self) -> str:
        return f"{self.source}: item {self.id!r}"


@dataclass
class ItemSet:
    """Items read from one file (a bank, a form or a notebook)."""

    source: str
    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    has_feedback: bool = True


# -- reading -----------------------------------------------------------------------------
def from_bank_file(path: Path, label: str) -> ItemSet:
    out = ItemSet(label)
    try:
        bank = load_bank(path)
    except BankError as exc:
        out.problems.extend(exc.problems)
        return out
    for q in bank.questions:
        prompt = f"{q.scenario} {q.prompt}" if q.scenario else q.prompt
        opts = tuple(Opt(o.text, o.correct, o.feedback) for o in q.options)
        out.items.append(Item(label, q.id, q.kind.value, prompt, opts, q.module, q.objective))
    return out


_OPTION = re.compile(r"^\s*[-*]\s+\*\*([A-H])\.\*\*\s+(.*\S)\s*$")
_KEY = re.compile(r"assert\s+given\s*==\s*[\"']([A-H])[\"']")


def _grade_id(cell: dict) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id", "")


def from_notebook(path: Path, label: str, objectives: dict | None = None) -> ItemSet:
    """Choice items of an exercise notebook, with their keys from the hidden tests."""
    out = ItemSet(label, has_feedback=False)
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError) as exc:
        out.problems.append(f"{label}: cannot read the notebook: {exc}")
        return out
    by_id = {_grade_id(c): c for c in cells}
    objectives = objectives or {}
    for gid, cell in by_id.items():
        if not gid.endswith("-question") or cell.get("cell_type") != "markdown":
            continue
        name = gid.removesuffix("-question")
        lines = "".join(cell["source"]).splitlines()
        opts = [m.groups() for m in map(_OPTION.match, lines) if m]
        prompt = " ".join(
            ln.strip()
            for ln in lines
            if ln.strip() and not ln.startswith("#") and not _OPTION.match(ln)
        )
        check = "".join(by_id.get(f"{name}-check", {}).get("source", []))
        keys = _KEY.findall(check)
        if len(keys) != 1:
            out.problems.append(f"{label}: item {name!r}: no single key in the {name}-check cell")
            continue
        if keys[0] not in {letter for letter, _ in opts}:
            out.problems.append(f"{label}: item {name!r}: the key {keys[0]} is not an option")
            continue
        chapter, objective = (objectives.get(name) or "").partition(" ")[::2]
        out.items.append(
            Item(
                label,
                name,
                "single",
                prompt,
                tuple(Opt(text, letter == keys[0]) for letter, text in opts),
                chapter or None,
                int(objective) if objective.isdigit() else None,
            )
        )
    return out


def chapter_objectives(markdown: str) -> list[str]:
    """The bullets under the chapter's ``## What you'll learn`` heading."""
    bullets, inside = [], False
    for line in markdown.splitlines():
        if line.startswith("#"):
            if inside:
                break
            inside = bool(re.match(r"##\s+What you.ll learn\s*$", line.strip(), re.I))
        elif inside and re.match(r"^\s*[-*]\s+", line):
            bullets.append(re.sub(r"^\s*[-*]\s+", "", line).strip())
        elif inside and bullets and line.strip() and not line.startswith(" "):
            break
    return bullets


# -- rules on one item -------------------------------------------------------------------
def item_problems(item: Item, has_feedback: bool = True) -> list[str]:
    problems = []
    for o in item.options:
        if ABOVE.search(o.text):
            problems.append(f"{item.where}: option {o.text!r} is an 'all/none of the above'")
    wrong = [o for o in item.options if not o.correct]
    for o in wrong:
        tell = next((t for t in JOKE_TELLS if t in o.text.lower()), None)
        if tell:
            problems.append(f"{item.where}: option {o.text!r} reads as a joke ({tell!r})")
    if item.kind in ONE_ANSWER and wrong:
        key = len(item.key)
        mean = sum(len(o.text) for o in wrong) / len(wrong)
        if key > KEY_LENGTH_RATIO * mean:
            problems.append(
                f"{item.where}: the correct option is {key / mean:.1f} times as long as the "
                f"wrong ones (at most {KEY_LENGTH_RATIO:g})"
            )
        lengths = [len(o.text) for o in item.options]
        if max(lengths) > SPREAD_RATIO * min(lengths):
            problems.append(
                f"{item.where}: option lengths differ too much ({min(lengths)} to "
                f"{max(lengths)} characters; at most {SPREAD_RATIO:g} times)"
            )
    if has_feedback:
        for o in item.options:
            if not (o.feedback or "").strip():
                problems.append(f"{item.where}: option {o.text!r} has no feedback")
            elif any(s in o.feedback.lower() for s in SHAMING):
                problems.append(f"{item.where}: the feedback on {o.text!r} may shame the reader")
    return problems


def language_problems(items: list[Item]) -> list[str]:
    """The book's unsafe-language list applies to items too (prompts, options, feedback)."""
    from .prose import unsafe_phrases

    problems = []
    for item in items:
        texts = [item.prompt] + [t for o in item.options for t in (o.text, o.feedback or "")]
        for phrase in unsafe_phrases("\n".join(texts)):
            problems.append(f"{item.where}: unsafe language: {phrase}")
    return problems


def key_is_longest(item: Item) -> bool:
    key = len(item.key)
    return all(len(o.text) < key for o in item.options if not o.correct)


def key_position(item: Item) -> int:
    return next(n for n, o in enumerate(item.options) if o.correct)


def set_problems(items: list[Item], source: str) -> list[str]:
    """Rules on a whole set: the key is not habitually the longest option, nor habitually
    in the same place."""
    problems = []
    one = [i for i in items if i.kind in ONE_ANSWER]
    longest = [i.id for i in one if key_is_longest(i)]
    allowed = max(1, round(len(one) * LONGEST_SHARE))
    if len(longest) > allowed:
        problems.append(
            f"{source}: the correct option is the longest in {len(longest)} of {len(one)} "
            f"one-answer items (at most {allowed}): {', '.join(longest)}"
        )
    placed = [i for i in one if len(i.options) >= 3]
    if len(placed) >= POSITION_MIN_ITEMS:
        counts = Counter(key_position(i) for i in placed)
        place, most = counts.most_common(1)[0]
        if most > len(placed) * POSITION_SHARE:
            problems.append(
                f"{source}: the correct option is option {'ABCDEFGH'[place]} in {most} of "
                f"{len(placed)} one-answer items (at most {POSITION_SHARE:.0%}); move some "
                f"keys to other places"
            )
    return problems


def true_false_problems(items: list[Item]) -> list[str]:
    """Across everything: true/false items are not all keyed the same way."""
    keys = Counter(i.key.strip().lower() for i in items if i.kind == "true_false")
    total = sum(keys.values())
    problems = []
    for side in ("true", "false"):
        if total >= 3 and keys[side] < total * TRUE_FALSE_SHARE:
            problems.append(
                f"true/false items: {keys[side]} of {total} are keyed {side!r} (at least a "
                f"third should be); rewrite some as statements that are {side}"
            )
    return problems


def objective_problems(items: list[Item], objectives: dict[str, int]) -> list[str]:
    """Each item names an objective that exists; each objective of a chapter is tested."""
    problems, used = [], set()
    for item in items:
        if item.objective is None:
            problems.append(f"{item.where}: no 'objective' (which 'What you'll learn' bullet?)")
        elif item.chapter not in objectives:
            problems.append(f"{item.where}: chapter {item.chapter!r} has no objectives")
        elif item.objective > objectives[item.chapter]:
            problems.append(
                f"{item.where}: objective {item.objective}, but {item.chapter} lists "
                f"{objectives[item.chapter]}"
            )
        else:
            used.add((item.chapter, item.objective))
    return problems


def _words(text: str) -> set[str]:
    words = re.findall(r"[a-z][a-z']+", text.lower())
    return {w.rstrip("s") if len(w) > 4 else w for w in words if w not in STOP and len(w) > 2}


def signature(item: Item) -> set[str]:
    return _words(f"{item.prompt} {item.key}")


def overlap(a: Item, b: Item) -> float:
    sa, sb = signature(a), signature(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def duplicate_problems(items: list[Item]) -> list[str]:
    """Pairs of items whose prompt and key share most of their content words."""
    problems = []
    for a, b in combinations(items, 2):
        score = overlap(a, b)
        if score >= DUPLICATE_OVERLAP:
            problems.append(
                f"{a.where} and {b.where} look like the same question "
                f"({score:.0%} of their words overlap; keep it under {DUPLICATE_OVERLAP:.0%})"
            )
    return problems


def reading_grade(items: Iterable[Item]) -> float:
    parts = []
    for i in items:
        parts.append(i.prompt)
        for o in i.options:
            parts.append(o.text if o.text[-1:] in '.?!"' else o.text + ".")
            if o.feedback:
                parts.append(o.feedback)
    text = "\n".join(parts)
    return float(textstat.flesch_kincaid_grade(text)) if text.strip() else 0.0


# -- the whole project -------------------------------------------------------------------
class ExerciseObjectives(RootModel[dict[str, dict[str, str]]]):
    """Per exercise notebook, per item (q01 …): "<chapter> <n>", the objective it tests."""


def exercise_objectives() -> dict[str, dict[str, str]]:
    """``data/exercise_objectives.yml`` read with the one loader (empty when absent)."""
    if not EXERCISE_OBJECTIVES.is_file():
        return {}
    return schema.load(EXERCISE_OBJECTIVES, ExerciseObjectives).root


def item_sets(root: Path) -> list[ItemSet]:
    """Every bank, pre/post form and exercise notebook of the project at ``root``."""
    sets = [
        from_bank_file(p, str(p.relative_to(root)))
        for p in sorted(book_dir(root).glob("*/questions.yml"))
    ]
    forms = root / PREPOST_IN_REPO
    sets += [from_bank_file(p, f"prepost/{p.name}") for p in sorted(forms.glob("form-*.yml"))]
    mapping = exercise_objectives()
    for rel in NOTEBOOKS:
        path = root / rel
        if path.is_file():
            sets.append(from_notebook(path, rel, mapping.get(Path(rel).stem)))
    for s in sets:  # bank items belong to their folder's chapter unless they say otherwise
        if s.source.startswith("book/"):
            chapter = Path(s.source).parent.name
            s.items = [i if i.chapter else _with(i, chapter=chapter) for i in s.items]
    return sets


def _with(item: Item, **changes) -> Item:
    from dataclasses import replace

    return replace(item, **changes)


def objective_counts(root: Path) -> dict[str, int]:
    counts = {}
    for page in sorted(book_dir(root).glob("*/index.md")):
        counts[page.parent.name] = len(chapter_objectives(page.read_text(encoding="utf-8")))
    return counts


@dataclass
class Result:
    """What the rules found in one set of items."""

    grade: float
    words: int
    problems: list[str]


def _result(items: list[Item], problems: list[str]) -> Result:
    text = " ".join(f"{i.prompt} " + " ".join(o.text for o in i.options) for i in items)
    return Result(reading_grade(items), int(textstat.lexicon_count(text)), problems)


def check(root: Path) -> dict[str, Result]:
    """Problems per item set (and ``all items`` for duplicates), with each set's grade."""
    sets = item_sets(root)
    counts = objective_counts(root)
    out: dict[str, Result] = {}
    for chapter, n in counts.items():
        bank = root / "book" / chapter / "questions.yml"
        if bank.is_file() and n != OBJECTIVES_PER_CHAPTER:
            out.setdefault(f"book/{chapter}/index.md", Result(0.0, 0, [])).problems.append(
                f"book/{chapter}/index.md: 'What you'll learn' has {n} bullets "
                f"({OBJECTIVES_PER_CHAPTER} expected)"
            )
    for s in sets:
        problems = list(s.problems)
        for item in s.items:
            problems += item_problems(item, s.has_feedback)
        problems += set_problems(s.items, s.source)
        problems += language_problems(s.items)
        if not s.source.endswith("scenarios.ipynb"):  # scenario choices test facilitation
            problems += objective_problems(s.items, counts)
        if s.source.startswith("book/"):
            chapter = Path(s.source).parent.name
            tested = {i.objective for i in s.items}
            problems += [
                f"{s.source}: objective {n} is not tested by any item"
                for n in range(1, counts.get(chapter, 0) + 1)
                if n not in tested
            ]
        result = _result(s.items, problems)
        if result.grade > GRADE_LIMIT:
            problems.append(
                f"{s.source}: reading grade {result.grade:.1f} is above {GRADE_LIMIT:g}"
            )
        out[s.source] = result
    forms = [s for s in sets if s.source.startswith("prepost/")]
    if forms:
        out["prepost forms"] = _result([], _form_problems(root))
    everything = [i for s in sets for i in s.items]
    out["all items"] = _result(
        everything, duplicate_problems(everything) + true_false_problems(everything)
    )
    return out


def _form_problems(root: Path) -> list[str]:
    """The pre/post forms are parallel (see :mod:`peercare.content.prepost_forms`)."""
    from .prepost_forms import load_forms, matched_problems

    try:
        return matched_problems(load_forms(root / PREPOST_IN_REPO))
    except BankError as exc:
        return exc.problems


def reports(root: Path) -> list:
    """The checks as :class:`peercare.content.prose.PageReport` rows for the check-content table."""
    from .prose import PageReport

    rows = []
    for name, r in check(root).items():
        # footer "n/a": an item set is not a page, so no crisis footer is expected
        rows.append(PageReport(name, r.words, r.grade, False, footer="n/a", problems=r.problems))
    return rows
