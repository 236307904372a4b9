"""Scenario practice: walk through a branching situation from the field. Each choice gets
feedback and leads on; the facilitator's dashboard shows how the room chose (small groups
hidden). Stored item names: :func:`peercare.contract.scenario_item`, answer = the choice id.

A page stores one choice each time it shows a step (the kernel counts, so a forged second
click on "Choose" stores nothing). A choice that leads back to its own step ("Choose
again") shows the step anew, and the choice made there is stored too, as is every choice
of a new walk through the same scenario; the dashboard counts each person's latest."""

from __future__ import annotations

import html

import ipywidgets as w

from .. import contract
from ..content.branching import shipped_scenarios
from . import ui


def scenario_panel(seat: ui.Seat) -> w.VBox:
    scenarios = {sc.id: sc for sc in shipped_scenarios()}
    # Radio buttons, not a menu: a phone's menu cuts a long title off.
    picker = w.RadioButtons(
        options=[(sc.title, sc.id) for sc in scenarios.values()], layout=ui.WIDE
    )
    start = ui.button("Start")
    stage = w.VBox(layout=ui.WIDE)
    note = ui.notice()
    chooser = w.VBox([ui.heading("Pick a situation", 3), picker, start], layout=ui.WIDE)
    state = {}

    def show_step(sc, step_id: str, feedback: str = "") -> None:
        step = sc.step(step_id)
        said = f"<p class='pc-feedback'>{html.escape(feedback)}</p>" if feedback else ""
        options = w.RadioButtons(options=[(c.text, c.id) for c in step.choices], value=None,
                                 layout=ui.WIDE)  # fmt: skip
        go = ui.button("Choose")
        # each showing of a step counts once: not once per step id, since a choice may
        # lead back to the step it was made on, and that new showing needs its own answer
        state["shown"] = once = state.get("shown", 0) + 1

        def choose() -> str | None:
            if options.value is None:
                return note.say("Pick one of the choices first.", "error")
            said_back, next_id = sc.choose(step.id, options.value)
            seat.add(
                contract.SCENARIO,
                [(contract.scenario_item(sc.id, step.id), options.value)],
                once=once,
            )
            if next_id is None:
                closing = sc.closing(step.id) or ""
                stage.children = [w.HTML(
                    f"<p class='pc-feedback'>{html.escape(said_back)}</p>"
                    f"<p>{html.escape(closing)}</p>"
                    f"<h3>What to take away</h3><p>{html.escape(sc.debrief)}</p>"
                ), ui.help_box(), restart]  # fmt: skip
            else:
                show_step(sc, next_id, said_back)
            return "Received."

        go.on_click(lambda _: ui.guarded(note, choose))
        header = state["header"] if step_id == sc.start else state["title"]
        stage.children = [header,
                          w.HTML(f"{said}<p>{html.escape(step.text)}</p>"
                                 f"<p><strong>{html.escape(step.prompt)}</strong></p>",
                                 layout=ui.WIDE),
                          options, go]  # fmt: skip

    def begin() -> None:
        sc = scenarios[picker.value]
        chooser.layout.display = "none"  # on a phone the situation starts at the top
        note.clear()
        intro = f"<p><em>{html.escape(sc.content_note)}</em></p>" if sc.content_note else ""
        state["title"] = w.HTML(f"<h3>{html.escape(sc.title)}</h3>")
        state["header"] = w.HTML(f"<h3>{html.escape(sc.title)}</h3>{intro}")  # the first step
        show_step(sc, sc.start)

    restart = ui.button("Try another situation", primary=False)

    def again() -> None:
        stage.children = []
        chooser.layout.display = None

    restart.on_click(lambda _: again())
    start.on_click(lambda _: ui.guarded(note, begin))
    return w.VBox([chooser, stage, note], layout=ui.WIDE)


def scenario_app(store=None) -> w.VBox:
    shipped_scenarios()  # parsed now, in the pre-run, not when a participant joins
    return ui.joined_app("Scenario practice", store or ui.store_from_env(), scenario_panel)
