"""The participant's page for a whole session: join once, then every activity in tabs.

One page (one kernel) per participant instead of one per activity: a room of 30 needs 30
kernels, not 150. The single-activity apps stay for facilitators who want just one.
"""

from __future__ import annotations

import ipywidgets as w

from ..content.bank import shipped_banks
from ..content.branching import shipped_scenarios
from . import pace, pause, ui
from .checkin import checkin_panel
from .feedback import feedback_panel
from .livequiz import livequiz_panel
from .plan import plan_panel
from .questions import question_panel
from .scenarios import scenario_panel

PANELS = [
    ("Check-in", checkin_panel),
    ("Live quiz", livequiz_panel),
    ("Scenarios", scenario_panel),
    ("Ask", question_panel),
    ("Feedback", feedback_panel),
    ("My plan", plan_panel),
]


QUIZ_TAB = 1
NEW_MARK = " (new)"


def session_panel(seat: ui.Seat) -> w.VBox:
    """The tabs; above them the "I need a pause" button (:mod:`.pause`), the pace buttons
    (:mod:`.pace`) and a notice that
    says when a new live-quiz question arrived while the participant is on another tab
    (that tab's title gets a mark too). A grounding break shows in place of it all."""
    panels = [make(seat) for _, make in PANELS]
    tabs = w.Tab(children=panels, layout={"width": "100%"})
    for i, (title, _) in enumerate(PANELS):
        tabs.set_title(i, title)
    cue = ui.notice()
    quiz_title = PANELS[QUIZ_TAB][0]

    def new_question(_question_id: str) -> None:
        if tabs.selected_index != QUIZ_TAB:
            tabs.set_title(QUIZ_TAB, quiz_title + NEW_MARK)
            cue.say(f"A new question is waiting in the “{quiz_title}” tab.", "info")

    def seen(change) -> None:
        if change["new"] == QUIZ_TAB:
            tabs.set_title(QUIZ_TAB, quiz_title)
            cue.clear()

    panels[QUIZ_TAB].on_new_question(new_question)
    tabs.observe(seen, names="selected_index")
    if panels[QUIZ_TAB].asking():  # joined while a question is being asked
        new_question("")
    page = w.VBox([pause.pause_bar(seat), pace.pace_bar(seat), cue, tabs], layout=ui.WIDE)
    return pause.with_breaks(seat, page)


def participant_app(store=None) -> w.VBox:
    shipped_banks(), shipped_scenarios()  # parsed in the pre-run, not at each join
    return ui.joined_app(
        "Today's session", store or ui.store_from_env(), session_panel,
        "Join with the code your facilitator shared. No name is kept.",
    )  # fmt: skip
