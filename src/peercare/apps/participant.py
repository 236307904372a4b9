"""The participant's page for a whole session: join once, then every activity in tabs.

One page (one kernel) per participant instead of one per activity: a room of 30 needs 30
kernels, not 150. The single-activity apps stay for facilitators who want just one.
"""

from __future__ import annotations

import ipywidgets as w

from . import ui
from .checkin import checkin_panel
from .feedback import feedback_panel
from .livequiz import livequiz_panel
from .plan import plan_panel
from .scenarios import scenario_panel

PANELS = [
    ("Check-in", checkin_panel),
    ("Live quiz", livequiz_panel),
    ("Scenarios", scenario_panel),
    ("Feedback", feedback_panel),
    ("My plan", plan_panel),
]


def session_panel(seat: ui.Seat) -> w.Tab:
    tabs = w.Tab(children=[make(seat) for _, make in PANELS])
    for i, (title, _) in enumerate(PANELS):
        tabs.set_title(i, title)
    return tabs


def participant_app(store=None) -> w.VBox:
    return ui.joined_app(
        "Today's session", store or ui.store_from_env(), session_panel,
        "Join with the code your facilitator shared. No name is kept.",
    )  # fmt: skip
