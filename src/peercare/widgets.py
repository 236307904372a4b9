"""Private page widgets for chapters: the coping-plan builder and the reflection check-in.

Their content comes from a chapter's YAML file (validated here); what the reader types or
picks stays in the page: no trait holds it, so nothing syncs to a kernel or leaves.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets
from pydantic import BaseModel, Field, ValidationError

from . import helpnow
from .quiz import CSS, esm
from .schema import Id, ProblemsError, Strict, Text, describe, parse_yaml, read_text


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


class ScalePoint(Strict):
    value: int = Field(ge=0, le=10)
    label: Text


class CheckItem(Strict):
    id: Id
    text: Text


class Band(Strict):
    max: int
    text: Text


class SelfCheckSpec(Strict):
    title: Text
    label: Text
    timeframe: Text | None = None
    scale: list[ScalePoint] = Field(min_length=2)
    items: list[CheckItem] = Field(min_length=1)
    bands: list[Band] = Field(min_length=1)
    urgent_note: Text

    def band_for(self, total: int) -> Band:
        for band in sorted(self.bands, key=lambda b: b.max):
            if total <= band.max:
                return band
        return max(self.bands, key=lambda b: b.max)


def load_spec(path: Path | str, model: type[BaseModel]) -> BaseModel:
    """A chapter widget's YAML file, validated against ``model``."""
    path = Path(path)
    raw = parse_yaml(read_text(path, "file", ContentFileError), path, ContentFileError)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ContentFileError(describe(exc, raw, path)) from None


class CopingPlan(anywidget.AnyWidget):
    """The coping-plan builder; print or download happens in the browser."""

    _esm = esm("plan.js")
    _css = CSS
    title = traitlets.Unicode().tag(sync=True)
    intro = traitlets.Unicode("").tag(sync=True)
    sections = traitlets.List(trait=traitlets.Dict()).tag(sync=True)
    help_text = traitlets.Unicode("").tag(sync=True)

    @classmethod
    def from_file(cls, path: Path | str) -> CopingPlan:
        spec = load_spec(path, PlanSpec)
        return cls(
            title=spec.title,
            intro=spec.intro or "",
            sections=[s.model_dump() for s in spec.sections],
            help_text=helpnow.load().as_text().replace("\n", " "),
        )


class SelfCheck(anywidget.AnyWidget):
    """A private reflection check-in (our own items, not a validated instrument)."""

    _esm = esm("selfcheck.js")
    _css = CSS
    title = traitlets.Unicode().tag(sync=True)
    label = traitlets.Unicode().tag(sync=True)
    timeframe = traitlets.Unicode("").tag(sync=True)
    scale = traitlets.List(trait=traitlets.Dict()).tag(sync=True)
    items = traitlets.List(trait=traitlets.Dict()).tag(sync=True)
    bands = traitlets.List(trait=traitlets.Dict()).tag(sync=True)
    urgent_note = traitlets.Unicode().tag(sync=True)

    @classmethod
    def from_file(cls, path: Path | str) -> SelfCheck:
        spec: SelfCheckSpec = load_spec(path, SelfCheckSpec)  # type: ignore[assignment]
        return cls(
            title=spec.title,
            label=spec.label,
            timeframe=spec.timeframe or "",
            scale=[p.model_dump() for p in spec.scale],
            items=[i.model_dump() for i in spec.items],
            bands=[b.model_dump() for b in sorted(spec.bands, key=lambda b: b.max)],
            urgent_note=spec.urgent_note,
        )
