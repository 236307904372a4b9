"""The organizational self-assessment: statements a program ticks, and a short action plan.

Its content comes from a chapter's YAML file (``book/organizations/selfassessment.yml``).
What the reader ticks or types stays in the page: no trait holds it, nothing is stored in
the browser, and nothing is sent. Printing and saving happen in the browser.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets
from pydantic import Field

from ..content import helpnow
from ..content.schema import Id, Strict, Text
from .quiz import CSS, esm
from .widgets import CheckItem, load_spec


class CheckGroup(Strict):
    id: Id
    heading: Text
    items: list[CheckItem] = Field(min_length=1, max_length=12)


class PlanPrompt(Strict):
    id: Id
    prompt: Text


class OrgCheckSpec(Strict):
    title: Text
    intro: Text | None = None
    privacy: Text
    groups: list[CheckGroup] = Field(min_length=1)
    plan_heading: Text = "Our action plan"
    plan: list[PlanPrompt] = Field(min_length=1, max_length=6)


class OrgCheck(anywidget.AnyWidget):
    """The self-assessment checklist with its action plan (print or save in the browser)."""

    _esm = esm("orgcheck.js")
    _css = CSS
    title = traitlets.Unicode().tag(sync=True)
    intro = traitlets.Unicode("").tag(sync=True)
    privacy = traitlets.Unicode().tag(sync=True)
    groups = traitlets.List(trait=traitlets.Dict()).tag(sync=True)
    plan_heading = traitlets.Unicode().tag(sync=True)
    plan = traitlets.List(trait=traitlets.Dict()).tag(sync=True)
    help_text = traitlets.Unicode("").tag(sync=True)

    @classmethod
    def from_file(cls, path: Path | str) -> OrgCheck:
        spec: OrgCheckSpec = load_spec(path, OrgCheckSpec)  # type: ignore[assignment]
        return cls(
            title=spec.title,
            intro=spec.intro or "",
            privacy=spec.privacy,
            groups=[g.model_dump() for g in spec.groups],
            plan_heading=spec.plan_heading,
            plan=[p.model_dump() for p in spec.plan],
            help_text=helpnow.load().as_text().replace("\n", " "),
        )
