"""Wellness plan builder: the reader's own coping and help plan, printed or saved on their
device. Nothing is sent to the server (the plan widget has no trait for what is typed)."""

from __future__ import annotations

import ipywidgets as w

from ..paths import DATA_DIR
from ..widgets import CopingPlan
from . import ui


def plan_panel(seat: ui.Seat | None = None) -> CopingPlan:
    return CopingPlan.from_file(DATA_DIR / "wellness_plan.yml")


def plan_app() -> w.VBox:
    return w.VBox([ui.heading("Wellness plan"), plan_panel(), ui.help_box()], layout=ui.WIDE)
