"""Private page widgets for chapters: the coping-plan builder, the reflection check-in,
the local referral map and the reflection prompts.

Their content comes from a chapter's YAML file (validated here); what the reader types or
picks stays in the browser: no trait holds it, so nothing syncs to a kernel or leaves.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets
from pydantic import BaseModel, Field, model_validator

from ..content import helpnow, schema
from ..content.schema import Id, ProblemsError, Strict, Text
from .quiz import CSS, esm


class ContentFileError(ProblemsError):
    """A widget's YAML file is missing or broken; the message names the file and field."""


class PlanSection(Strict):
    id: Id
    heading: Text
    prompt: Text
    ideas: list[Text] = Field(default_factory=list, max_length=12)


class PlanSpec(Strict):
    title: Text
    intro: Text | None = None
    sections: list[PlanSection] = Field(min_length=1)


class MapPlace(Strict):
    id: Id
    heading: Text
    hint: Text | None = None


class ReferralMapSpec(Strict):
    title: Text
    intro: Text | None = None
    key: Id  # the name the reader's entries are kept under in their browser
    places: list[MapPlace] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _unique_places(self) -> ReferralMapSpec:
        ids = [p.id for p in self.places]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"place ids repeat: {', '.join(dupes)}")
        return self


class ScalePoint(Strict):
    value: int = Field(ge=0, le=10)
    label: Text


class CheckItem(Strict):
    id: Id
    text: Text
    high_at: int | None = None  # an answer at or above this adds ``high_note``
    high_note: Text | None = None

    @model_validator(mode="after")
    def _high_pair(self) -> CheckItem:
        if (self.high_at is None) != (self.high_note is None):
            raise ValueError("high_at and high_note go together: give both or neither")
        return self


class NextStep(Strict):
    highest: int  # shown when the highest answer is at or below this (and above 0)
    text: Text


class PrivateCheckInSpec(Strict):
    """A check-in that reflects answers back item by item; no total, no score bands."""

    title: Text
    label: Text
    timeframe: Text | None = None
    scale: list[ScalePoint] = Field(min_length=2)
    items: list[CheckItem] = Field(min_length=1)
    none_text: Text  # every answer is the lowest point
    next_steps: list[NextStep] = Field(min_length=1)
    urgent_note: Text

    @model_validator(mode="after")
    def _steps_cover_the_scale(self) -> PrivateCheckInSpec:
        top = max(p.value for p in self.scale)
        if max(s.highest for s in self.next_steps) < top:
            raise ValueError(f"next_steps: one must have highest: {top} (the top answer)")
        return self

    def reflect(self, answers: dict[str, int]) -> list[str]:
        """What the reader sees, line by line (the page's private_checkin.js does the same):
        the statements marked at each answer, highest first; the note of any item marked
        high; the next step for the highest answer; the urgent note. Nothing is added up."""
        labels = {p.value: p.label for p in self.scale}
        low = min(labels)
        lines: list[str] = []
        for value in sorted(labels, reverse=True):
            marked = [i.text for i in self.items if answers[i.id] == value]
            if value > low and marked:
                lines += [f'You marked "{labels[value]}" for:', *marked]
        lines += [
            i.high_note
            for i in self.items
            if i.high_at is not None and i.high_note and answers[i.id] >= i.high_at
        ]
        highest = max(answers[i.id] for i in self.items)
        if highest == low:
            lines.append(self.none_text)
        else:
            steps = sorted(self.next_steps, key=lambda s: s.highest)
            lines.append(next(s.text for s in steps if highest <= s.highest))
        return [*lines, self.urgent_note]


def load_spec(path: Path | str, model: type[BaseModel]) -> BaseModel:
    """A chapter widget's YAML file, validated against ``model``."""
    return schema.load(path, model, ContentFileError)


def _help_line() -> str:
    """The crisis-help lines as one line, for the foot of a printed page."""
    return helpnow.load().as_text().replace("\n", " ")


class CopingPlan(anywidget.AnyWidget):
    """The coping-plan builder; print or download happens in the browser."""

    _esm = esm("plan.js")
    _css = CSS
    title = traitlets.Unicode().tag(sync=True)
    intro = traitlets.Unicode("").tag(sync=True)
    sections = traitlets.List(trait=traitlets.Dict()).tag(sync=True)
    help_text = traitlets.Unicode("").tag(sync=True)
    # True in the book (one reader, their own device). False in live sessions, where the
    # device may be shared: the plan lives only in the open page and is gone when it closes.
    keep_on_device = traitlets.Bool(True).tag(sync=True)

    @classmethod
    def from_file(cls, path: Path | str, *, keep_on_device: bool = True) -> CopingPlan:
        spec = load_spec(path, PlanSpec)
        return cls(
            keep_on_device=keep_on_device,
            title=spec.title,
            intro=spec.intro or "",
            sections=[s.model_dump() for s in spec.sections],
            help_text=_help_line(),
        )


class ReferralMap(anywidget.AnyWidget):
    """A local referral map the reader fills in. Entries stay in their browser
    (localStorage under ``store_key``) until they press Delete; no trait holds them."""

    _esm = esm("referrals.js")
    _css = CSS
    title = traitlets.Unicode().tag(sync=True)
    intro = traitlets.Unicode("").tag(sync=True)
    places = traitlets.List(trait=traitlets.Dict()).tag(sync=True)
    store_key = traitlets.Unicode().tag(sync=True)
    help_text = traitlets.Unicode("").tag(sync=True)

    @classmethod
    def from_file(cls, path: Path | str) -> ReferralMap:
        spec: ReferralMapSpec = load_spec(path, ReferralMapSpec)  # type: ignore[assignment]
        return cls(
            title=spec.title,
            intro=spec.intro or "",
            places=[p.model_dump() for p in spec.places],
            store_key=f"peercare-map:{spec.key}",
            help_text=_help_line(),
        )


class PrivateCheckIn(anywidget.AnyWidget):
    """A private reflection check-in (our own items, not a validated instrument)."""

    _esm = esm("private_checkin.js")
    _css = CSS
    title = traitlets.Unicode().tag(sync=True)
    label = traitlets.Unicode().tag(sync=True)
    timeframe = traitlets.Unicode("").tag(sync=True)
    scale = traitlets.List(trait=traitlets.Dict()).tag(sync=True)
    items = traitlets.List(trait=traitlets.Dict()).tag(sync=True)
    none_text = traitlets.Unicode().tag(sync=True)
    next_steps = traitlets.List(trait=traitlets.Dict()).tag(sync=True)
    urgent_note = traitlets.Unicode().tag(sync=True)

    @classmethod
    def from_file(cls, path: Path | str) -> PrivateCheckIn:
        spec: PrivateCheckInSpec = load_spec(path, PrivateCheckInSpec)  # type: ignore[assignment]
        return cls(
            title=spec.title,
            label=spec.label,
            timeframe=spec.timeframe or "",
            scale=[p.model_dump() for p in spec.scale],
            items=[i.model_dump() for i in spec.items],
            none_text=spec.none_text,
            next_steps=[s.model_dump() for s in sorted(spec.next_steps, key=lambda s: s.highest)],
            urgent_note=spec.urgent_note,
        )


class Reflection(anywidget.AnyWidget):
    """Private reflection prompts. The typed text never leaves the page: no trait holds it."""

    _esm = esm("reflection.js")
    _css = CSS

    title = traitlets.Unicode("Reflection").tag(sync=True)
    prompts = traitlets.List(trait=traitlets.Unicode()).tag(sync=True)

    def __init__(self, prompts: list[str], title: str = "Reflection, just for you", **kwargs):
        super().__init__(prompts=list(prompts), title=title, **kwargs)
