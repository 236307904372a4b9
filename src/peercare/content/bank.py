"""Question banks: one ``questions.yml`` beside each chapter in ``book/<chapter>/``.

A bank is typed and validated. A broken bank raises :class:`BankError`, whose message
names the file, the question id and what is wrong, one line per problem.

Example bank::

    module: welcome
    title: Check what you learned
    questions:
      - id: welcome-purpose
        kind: single            # single | multiple | true_false | scenario
        prompt: What is this book for?
        topics: [orientation]
        difficulty: easy        # easy | medium | hard
        objective: 1            # which "What you'll learn" bullet of the chapter it tests
        options:
          - id: a
            text: Training for peer workers
            correct: true
            feedback: Yes. ...
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import (
    Field,
    model_validator,
)

from ..paths import BANK_FILENAME, bank_paths, book_dir, project_root, toc_pages
from . import schema
from .schema import (
    Id,
    ProblemsError,
    Strict,
    Text,
    files_as_now,
    read_text,
)


class Kind(StrEnum):
    single = "single"
    multiple = "multiple"
    true_false = "true_false"
    scenario = "scenario"


class Difficulty(StrEnum):
    easy = "easy"
    medium = "medium"
    hard = "hard"


class Option(Strict):
    id: Id
    text: Text
    correct: bool = False
    feedback: Text


class Question(Strict):
    id: Id
    kind: Kind
    prompt: Text
    scenario: Text | None = None
    options: list[Option] = Field(min_length=2, max_length=8)
    topics: list[Id] = Field(default_factory=list)
    difficulty: Difficulty = Difficulty.medium
    objective: int | None = Field(default=None, ge=1)  # 1-based "What you'll learn" bullet
    module: Id | None = None  # filled from the bank when omitted

    @model_validator(mode="after")
    def _check_shape(self) -> Question:
        ids = [o.id for o in self.options]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"option ids repeat: {', '.join(dupes)}")
        n_correct = sum(o.correct for o in self.options)
        if n_correct == 0:
            raise ValueError("no option is marked correct: true")
        if self.kind in (Kind.single, Kind.scenario, Kind.true_false) and n_correct > 1:
            raise ValueError(
                f"a {self.kind.value} question has exactly one correct option, found {n_correct}"
            )
        if self.kind is Kind.true_false and sorted(ids) != ["false", "true"]:
            raise ValueError("a true_false question has two options with ids 'true' and 'false'")
        if self.kind is Kind.scenario and not self.scenario:
            raise ValueError("a scenario question needs a 'scenario' text (the situation)")
        if self.kind is not Kind.scenario and self.scenario:
            raise ValueError("'scenario' text is only for kind: scenario")
        return self

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.correct)

    def option(self, option_id: str) -> Option:
        for o in self.options:
            if o.id == option_id:
                return o
        raise KeyError(option_id)

    def is_correct(self, chosen: Iterable[str]) -> bool:
        """True when the chosen option ids are exactly the correct ones."""
        return frozenset(chosen) == self.correct_ids


_NUMBER = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"\s+(\w+\s+){0,2}questions?\b",
    re.I,
)
_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]


def count_words(n: int) -> str:
    """``7`` -> ``'Seven'``; numbers above twelve stay digits."""
    return _WORDS[n].capitalize() if 0 <= n < len(_WORDS) else str(n)


class Bank(Strict):
    """A chapter's questions. ``intro`` says how many with ``{count}``, never a number."""

    module: Id
    title: Text = "Check what you learned"
    intro: Text | None = None
    questions: list[Question] = Field(min_length=1)
    source: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _fill_module(self) -> Bank:
        if self.intro and _NUMBER.search(self.intro.replace("{count}", "")):
            raise ValueError(
                "intro: write {count} instead of a number of questions "
                "(it is filled in from the questions shown)"
            )
        for q in self.questions:
            if q.module is None:
                object.__setattr__(q, "module", self.module)
        return self

    def intro_for(self, n: int) -> str:
        """The intro with ``{count}`` replaced by ``n`` in words."""
        return (self.intro or "").replace("{count}", count_words(n))

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


class BankError(ProblemsError):
    """A bank (or set of banks) is broken. ``problems`` lists one message per fault."""


def parse_bank(text: str, source: Path | str = "<bank>") -> Bank:
    """Parse and validate one bank's YAML text."""
    source = Path(source)
    shape = "a bank is a mapping with 'module' and 'questions'"
    bank = schema.parse(text, Bank, source, BankError, shape=shape)
    object.__setattr__(bank, "source", source)
    return bank


def load_bank(path: Path | str) -> Bank:
    path = Path(path)
    text = read_text(path, "bank", BankError)
    return parse_bank(text, path)


def check_unique(banks: Iterable[Bank]) -> None:
    """Raise when a question id or module name is used twice across banks."""
    seen: dict[str, Path | None] = {}
    modules: dict[str, Path | None] = {}
    problems = []
    for bank in banks:
        if bank.module in modules:
            problems.append(
                f"{bank.source}: module {bank.module!r} is also used by {modules[bank.module]}"
            )
        modules[bank.module] = bank.source
        for q in bank.questions:
            if q.id in seen:
                problems.append(
                    f"{bank.source}: question {q.id!r}: duplicate id (also in {seen[q.id]})"
                )
            else:
                seen[q.id] = bank.source
    if problems:
        raise BankError(problems)


def load_all(root: Path | None = None) -> dict[str, Bank]:
    """Every bank under ``book/``, keyed by module; all problems reported together."""
    banks = schema.load_each(bank_paths(root), load_bank, BankError)
    check_unique(banks)
    return {b.module: b for b in banks}


@lru_cache(maxsize=2)
def _banks_as_read(files: tuple) -> dict[str, Bank]:
    return load_all()


def shipped_banks() -> dict[str, Bank]:
    """:func:`load_all` for the book's banks, parsed once per process while their files
    stay unchanged (a new dict each call; the banks are frozen models). The live quiz's
    kernels parse them before a page claims them (their pre-run), not when a participant
    joins: parsing and checking every bank is about half a second of CPU, so 15 s for a
    room of 30 joining at once on 2 cores."""
    return dict(_banks_as_read(files_as_now(bank_paths())))


def load_module(module: str, root: Path | None = None) -> Bank:
    """The bank of one chapter folder, ``book/<module>/questions.yml``."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", module):
        raise BankError([f"{module!r} is not a chapter folder name"])
    path = book_dir(root) / module / BANK_FILENAME
    if not path.is_file():
        raise BankError([f"{path}: no question bank for chapter {module!r}"])
    bank = load_bank(path)
    if bank.module != module:
        raise BankError([f"{path}: module is {bank.module!r} but the folder is {module!r}"])
    return bank


def in_book_order(banks: dict[str, Bank], root: Path | None = None) -> list[Bank]:
    """The banks in the order their chapters come in ``_toc.yml`` (any others last)."""
    root = root or project_root()
    pages = toc_pages(root)
    place: dict[str, int] = {}
    for i, page in enumerate(pages):  # a chapter's first page sets its place
        place.setdefault(Path(page).parent.name, i)
    return sorted(banks.values(), key=lambda b: (place.get(b.module, len(pages)), b.module))
