"""Survey and self-check instruments as data: YAML definitions and their scoring.

An instrument file says what is asked and how answers turn into scores::

    id: reaction
    title: Session reaction survey
    scale: {min: 1, max: 5, labels: {1: Strongly disagree, 5: Strongly agree}}
    items:
      - {id: useful, text: The session was useful for my work.}
      - {id: hard-to-follow, text: Parts were hard to follow., reverse: true}
    subscales: {value: [useful]}
    scoring: {method: mean, min_answered: 0.8}   # mean | sum | percent_correct
    bands: {total: [{label: low, min: 1}, {label: high, min: 3.5}]}
    free_text: [{id: comment, text: Anything else?, themes: {pace: [rushed, slow]}}]
    license: {validated: false, name: CC BY 4.0, attribution: Helping the Helpers}

A knowledge test may take its items from question banks instead: the pre/post forms
(``items_from_forms: [a, b]``, see :mod:`peercare.content.prepost_forms`) or the book's banks
(``items_from_bank: {modules: [...], topics: [...]}``, used for the quiz item analysis).
Such items are multiple choice and answered with option ids (``a``, or ``a|c`` for
several). With forms, each person answers one form at a time: a row is scored on the
items of the form it answered (the form with most answers), and the score's ``form``
column says which.

Bands: each band runs from its ``min`` up to the next band's ``min``.
Missing answers: a score needs at least ``min_answered`` of the items answered; ``sum``
is then prorated (mean of answered items times the number of items). For
``percent_correct`` a blank answer counts as not correct.

Only our own, non-validated instruments ship with the kit. An organization that holds a
licence for a validated measure keeps its file outside the repository and loads it by
path; item ``text`` may be left out so no licensed wording needs to be written down.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import (
    Field,
    model_validator,
)

from ..contract import join_choices
from ..paths import DATA_DIR
from . import schema
from .bank import Bank, Question
from .schema import Id, ProblemsError, Strict, Text, read_text

if TYPE_CHECKING:  # pandas is imported when scoring, not to read definitions (apps)
    import pandas as pd

INSTRUMENTS_DIR = DATA_DIR / "instruments"


_SHAPE = "an instrument is a mapping with 'id', 'items', ..."


class InstrumentError(ProblemsError):
    """An instrument definition is broken; ``problems`` has one message per fault."""


class Scale(Strict):
    min: int
    max: int
    labels: dict[int, Text] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"scale min ({self.min}) must be below max ({self.max})")
        outside = sorted(k for k in self.labels if not self.min <= k <= self.max)
        if outside:
            raise ValueError(f"labels for values outside the scale: {outside}")
        return self


class Item(Strict):
    """A rated item (answered on the scale) or, with ``options``, a choice item."""

    id: Id
    text: Text | None = None
    reverse: bool = False
    options: list[Id] = Field(default_factory=list)
    correct: list[Id] = Field(default_factory=list)
    multiple: bool = False

    @property
    def is_choice(self) -> bool:
        return bool(self.options)

    @model_validator(mode="after")
    def _check(self) -> Item:
        if not self.options:
            if self.correct or self.multiple:
                raise ValueError("'correct' and 'multiple' need 'options'")
            return self
        if self.reverse:
            raise ValueError("a choice item cannot be reverse-scored")
        unknown = sorted(set(self.correct) - set(self.options))
        if unknown:
            raise ValueError(f"correct options not among the options: {unknown}")
        if not self.correct:
            raise ValueError("a choice item needs at least one correct option")
        if not self.multiple and len(self.correct) > 1:
            raise ValueError("several correct options need 'multiple: true'")
        return self


class FreeText(Strict):
    id: Id
    text: Text | None = None
    themes: dict[Id, list[Text]] = Field(default_factory=dict)


class Band(Strict):
    label: Text
    min: float
    message: Text | None = None


class Scoring(Strict):
    method: Literal["mean", "sum", "percent_correct"]
    min_answered: float = Field(default=1.0, gt=0, le=1)
    total: bool = True


class License(Strict):
    validated: bool
    name: Text
    attribution: Text
    note: Text | None = None


class BankSelection(Strict):
    """Which bank questions form the items: chapters, topics (None: all)."""

    modules: list[Id] | None = None
    topics: list[Id] | None = None


class Instrument(Strict):
    id: Id
    title: Text
    version: str = "1"
    description: Text | None = None
    times: list[Id] = Field(default_factory=list, max_length=2)
    scale: Scale | None = None
    items: list[Item] = Field(min_length=1)
    items_from_bank: BankSelection | None = None
    items_from_forms: list[Id] | None = None
    forms: dict[Id, list[Id]] = Field(default_factory=dict)
    subscales: dict[Id, list[Id]] = Field(default_factory=dict)
    scoring: Scoring
    bands: dict[Id, list[Band]] = Field(default_factory=dict)
    free_text: list[FreeText] = Field(default_factory=list)
    license: License
    source: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _check(self) -> Instrument:
        problems = []
        ids = [i.id for i in self.items] + [f.id for f in self.free_text]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            problems.append(f"ids repeat: {', '.join(dupes)}")
        if len(self.times) == 1 or len(set(self.times)) != len(self.times):
            problems.append("times lists two different names (before, after), or none")
        choice = {i.is_choice for i in self.items}
        if len(choice) > 1:
            problems.append("mix of choice items and rated items; make two instruments")
        elif choice == {True} and self.scoring.method != "percent_correct":
            problems.append("choice items are scored with method: percent_correct")
        elif choice == {False}:
            if self.scoring.method == "percent_correct":
                problems.append("percent_correct is for choice items; use mean or sum")
            if self.scale is None:
                problems.append("rated items need a 'scale'")
        item_ids = {i.id for i in self.items}
        for name, members in self.subscales.items():
            missing = [m for m in members if m not in item_ids]
            if missing:
                problems.append(f"subscale {name!r}: unknown items {missing}")
            if not members:
                problems.append(f"subscale {name!r} has no items")
        if self.forms:
            placed = [i for members in self.forms.values() for i in members]
            twice = sorted({i for i in placed if placed.count(i) > 1})
            if twice:
                problems.append(f"items in more than one form: {twice}")
            if sorted(set(placed)) != sorted(item_ids):
                problems.append("every item belongs to exactly one form")
            if self.scoring.method != "percent_correct" or self.subscales:
                problems.append("forms are for percent_correct tests without subscales")
        if "total" in self.subscales:
            problems.append("'total' is reserved for the total score")
        for name, bands in self.bands.items():
            if name not in self.score_names:
                problems.append(f"bands for {name!r}, which is not a score of this instrument")
                continue
            mins = [b.min for b in bands]
            if mins != sorted(mins) or len(set(mins)) != len(mins):
                problems.append(f"bands for {name!r}: each 'min' must be above the one before")
            low = self.score_range(name)[0] if self.scale or choice == {True} else None
            if mins and low is not None and mins[0] > low:
                problems.append(f"bands for {name!r}: the first band must start at {low:g}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # -- what the instrument measures ------------------------------------------------
    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    @property
    def columns(self) -> list[str]:
        """Answer columns a data file may hold: items, then free-text questions."""
        return self.item_ids + [f.id for f in self.free_text]

    @property
    def score_names(self) -> list[str]:
        return (["total"] if self.scoring.total else []) + list(self.subscales)

    def members(self, score: str) -> list[str]:
        return self.item_ids if score == "total" else self.subscales[score]

    def score_range(self, score: str = "total") -> tuple[float, float]:
        if self.scoring.method == "percent_correct":
            return 0.0, 100.0
        lo, hi = float(self.scale.min), float(self.scale.max)
        k = len(self.members(score)) if self.scoring.method == "sum" else 1
        return lo * k, hi * k

    def item(self, item_id: str) -> Item:
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    # -- scoring -------------------------------------------------------------------
    def form_of(self, answers: pd.DataFrame) -> pd.Series:
        """The form each row answered (the one with most answers); None when no forms."""
        import pandas as pd

        if not self.forms:
            return pd.Series(None, index=answers.index, dtype=object)
        given = answers[self.item_ids].notna() & answers[self.item_ids].ne("")
        counts = pd.DataFrame({f: given[m].sum(axis=1) for f, m in self.forms.items()})
        return counts.idxmax(axis=1).where(counts.max(axis=1) > 0)

    def item_scores(self, answers: pd.DataFrame) -> pd.DataFrame:
        """One numeric column per item: reverse-scored ratings, or 1/0 for choice items.
        With forms, items of the form a row did not take are missing (NaN), not wrong."""
        import pandas as pd

        out = {}
        for item in self.items:
            col = answers[item.id]
            if item.is_choice:
                key, col = _normalize(item.correct), col.astype(object).fillna("")
                out[item.id] = col.map({v: float(v == key) for v in col.unique()}).astype(float)
            else:
                vals = pd.to_numeric(col, errors="coerce").astype(float)
                out[item.id] = self.scale.min + self.scale.max - vals if item.reverse else vals
        scored = pd.DataFrame(out, index=answers.index)
        if self.forms:
            form = self.form_of(answers)
            for name, members in self.forms.items():
                scored.loc[form != name, members] = float("nan")
        return scored

    def score(self, answers: pd.DataFrame) -> pd.DataFrame:
        """Scores (total and subscales), the number answered, and band labels."""
        import pandas as pd

        scored = self.item_scores(answers)
        answered = answers[self.item_ids].notna() & answers[self.item_ids].ne("")
        out = pd.DataFrame({"answered": answered.sum(axis=1)}, index=answers.index)
        if self.forms:
            form = self.form_of(answers)
            out["form"] = form
            total = pd.Series(float("nan"), index=answers.index)
            for name, cols in self.forms.items():
                rows = form == name
                enough = answered.loc[rows, cols].sum(axis=1) >= self.scoring.min_answered * len(
                    cols
                )
                value = 100 * scored.loc[rows, cols].fillna(0).mean(axis=1)
                total[rows] = value.where(enough)
            out["total"] = total
            return out
        for name in self.score_names:
            cols = self.members(name)
            enough = answered[cols].sum(axis=1) >= self.scoring.min_answered * len(cols)
            if self.scoring.method == "percent_correct":
                value = 100 * scored[cols].fillna(0).mean(axis=1)
            elif self.scoring.method == "sum":
                value = scored[cols].mean(axis=1) * len(cols)
            else:
                value = scored[cols].mean(axis=1)
            out[name] = value.where(enough)
            if name in self.bands:
                out[f"{name}_band"] = self.band(out[name], name)
        return out

    def band(self, values: pd.Series, score: str = "total") -> pd.Series:
        import numpy as np
        import pandas as pd

        bands = self.bands[score]
        edges = [b.min for b in bands]
        idx = np.searchsorted(edges, values.to_numpy(dtype=float), side="right") - 1
        labels = np.array([b.label for b in bands], dtype=object)
        out = pd.Series(labels[np.clip(idx, 0, None)], index=values.index, dtype=object)
        return out.where(values.notna())


def _normalize(chosen) -> str:
    """Canonical text of a set of chosen option ids: sorted, joined with ``|``."""
    return join_choices(chosen)


def normalize_choice(value: str) -> str:
    """``'c| a'`` -> ``'a|c'``: how chosen options are compared and stored."""
    return _normalize(value)


# -- loading ---------------------------------------------------------------------------
def choice_item(q: Question) -> dict:
    """A bank question as an instrument's choice item."""
    return {
        "id": q.id,
        "text": q.prompt,
        "options": [o.id for o in q.options],
        "correct": sorted(q.correct_ids),
        "multiple": q.kind.value == "multiple",
    }


def bank_items(banks: dict[str, Bank], selection: BankSelection) -> list[dict]:
    """Choice items from the bank questions that the selection picks, in book order."""
    items = []
    for bank in banks.values():
        if selection.modules is not None and bank.module not in selection.modules:
            continue
        for q in bank.questions:
            if selection.topics is not None and not set(q.topics) & set(selection.topics):
                continue
            items.append(choice_item(q))
    return items


def form_items(names: list[str]) -> tuple[list[dict], dict[str, list[str]]]:
    """Choice items of the pre/post forms, and which items make up each form."""
    from .prepost_forms import form_name, load_form

    items, forms = [], {}
    for name in names:
        form = load_form(name)
        items += [choice_item(q) for q in form.questions]
        forms[form_name(name)] = [q.id for q in form.questions]
    return items, forms


def from_banks(banks: dict[str, Bank], id: str = "quiz") -> Instrument:
    """An instrument of every bank question, for item analysis of the book's quizzes."""
    raw = {
        "id": id,
        "title": "Book self-check questions",
        "items_from_bank": {},
        "scoring": {"method": "percent_correct", "min_answered": 0.5},
        "license": {
            "validated": False,
            "name": "CC BY 4.0",
            "attribution": "Helping the Helpers question banks",
        },
    }
    return _validate(raw, Path(f"<{id}>"), banks)


def _validate(raw: dict, source: Path, banks: dict[str, Bank] | None) -> Instrument:
    if "items_from_forms" in raw:
        from .bank import BankError

        if "items" in raw or "items_from_bank" in raw:
            raise InstrumentError([f"{source}: give 'items_from_forms' alone, not with items"])
        names = raw["items_from_forms"]
        if not isinstance(names, list) or not names:
            raise InstrumentError([f"{source}: items_from_forms lists form names, like [a, b]"])
        try:
            items, forms = form_items([str(n) for n in names])
        except BankError as exc:
            raise InstrumentError(
                [f"{source}: items_from_forms: {p}" for p in exc.problems]
            ) from None
        raw = {**raw, "items": items, "forms": forms}
    elif "items_from_bank" in raw:
        if "items" in raw:
            raise InstrumentError([f"{source}: give 'items' or 'items_from_bank', not both"])
        selection = schema.validate(
            raw["items_from_bank"] or {},
            BankSelection,
            f"{source}: items_from_bank",
            InstrumentError,
            shape="give the chapters and kinds to take, like {modules: [a, b]}",
        )
        if banks is None:
            from .bank import load_all

            banks = load_all()
        raw = {**raw, "items": bank_items(banks, selection)}
        if not raw["items"]:
            raise InstrumentError([f"{source}: no bank question matches items_from_bank"])
    inst = schema.validate(raw, Instrument, source, InstrumentError, shape=_SHAPE)
    object.__setattr__(inst, "source", source)
    return inst


def parse_instrument(
    text: str, source: Path | str = "<instrument>", banks: dict[str, Bank] | None = None
) -> Instrument:
    """Parse and validate one instrument's YAML text."""
    source = Path(source)
    raw = schema.parse_yaml(text, source, InstrumentError)
    if not isinstance(raw, dict):
        raise InstrumentError([f"{source}: {_SHAPE}"])
    return _validate(raw, source, banks)


def shipped() -> list[str]:
    """Names of the instruments that ship with the kit."""
    return sorted(p.stem for p in INSTRUMENTS_DIR.glob("*.yml"))


def load_instrument(name_or_path: str | Path, banks: dict[str, Bank] | None = None) -> Instrument:
    """A shipped instrument by name (``reaction``) or any instrument file by path."""
    path = Path(name_or_path)
    if path.suffix not in (".yml", ".yaml"):
        if str(name_or_path) not in shipped():
            raise InstrumentError(
                [f"no shipped instrument {str(name_or_path)!r}; shipped: {', '.join(shipped())}"]
            )
        path = INSTRUMENTS_DIR / f"{name_or_path}.yml"
    text = read_text(path, "instrument", InstrumentError)
    return parse_instrument(text, path, banks)
