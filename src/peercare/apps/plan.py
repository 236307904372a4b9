"""Wellness plan builder: the reader's own coping and help plan, printed or saved as a file.
Nothing is sent to the server (the plan widget has no trait for what is typed), and in a
live session nothing is kept in the browser either: the device may be shared."""

from __future__ import annotations

import ipywidgets as w

from ..book.widgets import CopingPlan
from ..paths import DATA_DIR
from . import ui


def plan_panel(seat: ui.Seat | None = None) -> CopingPlan:
    return CopingPlan.from_file(DATA_DIR / "wellness_plan.yml", keep_on_device=False)


def plan_app() -> w.VBox:
    return w.VBox([ui.heading("Wellness plan"), plan_panel(), ui.help_box()], layout=ui.WIDE)
