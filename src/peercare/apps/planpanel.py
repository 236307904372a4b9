"""The session plan on the facilitator dashboard (``book/facilitators/plans/*.yml``).

:class:`PlanPicker` sits on the start form ("Session plan (optional)"); the plan picked is
kept with the session (:data:`~peercare.apps.state.PLAN_ID`). :class:`PlanPanel` then walks
the facilitator through it: the part now (what to do and say, key points, questions, what
to cut if time is short, a "never cut" mark), a timer, the next part, and the buttons
"Start the session", "Back" and "Next part". Where the session is in its plan is session
state too (:data:`~peercare.apps.state.PLAN_AT`), so a reopened dashboard goes on where it
was. The timer is a guide: only the facilitator moves on. It is redrawn by the dashboard's
own polling (:meth:`PlanPanel.tick`), not every second. Every text from a plan is escaped.
"""

from __future__ import annotations

import html
import logging
import math
import time
from collections.abc import Callable
from pathlib import Path

import ipywidgets as w

from .. import contract
from ..content.plans import NO_APP, Plan, PlanError, Segment, load_plan, plans_dir
from ..paths import ProjectNotFound
from ..store import InputRefused
from . import ui
from .state import PLAN_AT, PLAN_ID

log = logging.getLogger(__name__)
NO_PLAN = ""
PANELS = {
    "checkin": contract.CHECKIN,
    "live_quiz": contract.QUIZ,
    "scenarios": contract.SCENARIO,
    "feedback": contract.FEEDBACK,
}
"""The dashboard tab that goes with a plan's app (the other apps run on phones only)."""
TIMER_STYLE = "font-size:1.6rem;font-weight:700;margin:0.25rem 0"
ON_PHONES = "on people's phones; no panel here"


# -- picking a plan -----------------------------------------------------------------------
def available_plans(root: Path | None = None) -> tuple[dict[str, Plan], list[str]]:
    """The plans that load, by id, and one line per problem of those that do not."""
    try:
        folder = plans_dir(root)
    except ProjectNotFound as exc:
        return {}, [str(exc)]
    plans, problems = {}, []
    for path in sorted(folder.glob("*.yml")):
        try:
            plans[path.stem] = load_plan(path, root)
        except PlanError as exc:
            problems += [p.replace(f"{folder}/", "") for p in exc.problems]
        except Exception:  # a plan must never stop a session from starting
            log.exception("loading %s failed", path)
            problems.append(f"{path.name}: the plan could not be read")
    return plans, problems


def problems_html(problems: list[str], lead: str) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
    return (
        f"<div class='pc-plan-problems'><p>{html.escape(lead)} The plan's keeper can run "
        f"<code>peercare check-content</code> to see the same list.</p><ul>{items}</ul></div>"
    )


class PlanPicker(w.VBox):
    """The start form's "Session plan (optional)" list, by title; broken plans are left out
    and said plainly."""

    def __init__(self, root: Path | None = None):
        self.plans, problems = available_plans(root)
        options = [("No plan", NO_PLAN), *((p.title, pid) for pid, p in self.plans.items())]
        self.choice = w.Dropdown(
            options=options, value=NO_PLAN, description="Session plan (optional)",
            style={"description_width": "initial"}, layout={"width": "auto", "max_width": "28rem"},
        )  # fmt: skip
        lead = (
            "Some session plans could not be loaded, so they are not in the list. You can "
            "still start a session with another plan or with none."
        )
        self.problems = w.HTML(problems_html(problems, lead), layout=ui.WIDE)
        super().__init__([self.choice, self.problems])

    def keep(self, store, code: str, key: str) -> None:
        """Store the plan picked (if any) with the new session."""
        if self.choice.value != NO_PLAN:
            store.set_state(code, key, PLAN_ID, self.choice.value)


# -- following a plan ---------------------------------------------------------------------
def open_panel(tabs: w.Tab, chapter: w.Dropdown, seg: Segment) -> None:
    """Show the dashboard tab for the part's app; for the live quiz, with the part's chapter
    picked, so its questions fill the question list (its first question ready to ask)."""
    app = PANELS.get(seg.app)
    if app is None:
        return
    tabs.selected_index = contract.TALLIED.index(app)
    if app == contract.QUIZ and seg.chapter in {m for _, m in chapter.options}:
        chapter.value = seg.chapter


def clock_text(seconds: float) -> str:
    """``754`` -> ``"12:34"`` (minutes and seconds, rounded up)."""
    s = math.ceil(abs(seconds))
    return f"{s // 60}:{s % 60:02d}"


def _items(label: str, items: list[str]) -> str:
    if not items:
        return ""
    lis = "".join(f"<li>{html.escape(i)}</li>" for i in items)
    return f"<p><strong>{html.escape(label)}</strong></p><ul>{lis}</ul>"


def part_html(plan: Plan, index: int) -> str:
    """The script of part ``index``: what to do and say, points, questions, what to cut."""
    e = html.escape
    n = len(plan.segments)
    if index >= n:
        return (
            "<h4 class='pc-part'>All parts are done</h4><p>That was the last part of the plan. "
            "Close the session and export the answers when the room is done.</p>"
        )
    seg = plan.segments[index]
    keep = " <strong class='pc-keep'>(never cut)</strong>" if seg.protected else ""
    out = [
        f"<p class='pc-plan-where'>Part {index + 1} of {n} &middot; {seg.minutes} minutes</p>",
        f"<h4 class='pc-part'>{e(seg.title)}{keep}</h4>",
        f"<p><strong>Do:</strong> {e(seg.do)}</p>",
        f"<p class='pc-say'><strong>Say:</strong> {e(seg.say)}</p>",
        _items("Key points to say:", seg.key_points),
        _items("Ask the group:", seg.ask),
    ]
    if seg.protected:
        out.append("<p class='pc-short'><strong>Never cut this part.</strong></p>")
    if seg.if_short:
        out.append(f"<p class='pc-short'><strong>If time is short:</strong> {e(seg.if_short)}</p>")
    facts = []
    if seg.chapter:
        where = f"{e(seg.chapter)}, section &ldquo;{e(seg.section)}&rdquo;" if seg.section else ""
        facts.append(f"<li><strong>Book:</strong> {where or e(seg.chapter)}</li>")
    elif seg.guide:
        facts.append(f"<li><strong>Guide page:</strong> {e(seg.guide)}</li>")
    if seg.app != NO_APP:
        shown = "opened below" if seg.app in PANELS else ON_PHONES
        facts.append(
            f"<li><strong>Live app:</strong> {e(seg.app.replace('_', ' '))} ({shown})</li>"
        )
    if seg.materials:
        facts.append(f"<li><strong>Materials:</strong> {e(', '.join(seg.materials))}</li>")
    if facts:
        out.append(f"<ul class='pc-plan-facts'>{''.join(facts)}</ul>")
    return "".join(out)


def next_html(plan: Plan, index: int) -> str:
    if index + 1 < len(plan.segments):
        seg = plan.segments[index + 1]
        return (
            f"<p class='pc-next'><strong>Next:</strong> {html.escape(seg.title)} "
            f"({seg.minutes} minutes)</p>"
        )
    if index + 1 == len(plan.segments):
        return "<p class='pc-next'><strong>Next:</strong> the end of the session.</p>"
    return ""


def timer_html(plan: Plan, index: int, part_began: float | None, began: float | None,
               now: float) -> str:  # fmt: skip
    """The time left in the part (or over it), and how far the session is."""
    if part_began is None or began is None:
        minutes = plan.segments[0].minutes
        return (
            f"<p class='pc-timer' role='timer' style='{TIMER_STYLE}'>{minutes}:00</p>"
            f"<p>for the first part. The clock starts when you press Start the session.</p>"
        )
    whole = f"Session time: {int((now - began) // 60)} of {plan.minutes} minutes."
    if index >= len(plan.segments):
        return f"<p class='pc-session-time'>{whole}</p>"
    left = plan.segments[index].minutes * 60 - (now - part_began)
    if left >= 0:
        clock, words = clock_text(left), "left in this part"
    else:
        clock, words = clock_text(left), "over the time for this part"
    return (
        f"<p class='pc-timer' role='timer' style='{TIMER_STYLE}'>{clock} "
        f"<span style='font-size:1rem;font-weight:400'>{words}</span></p>"
        f"<p class='pc-session-time'>{whole} The timer is a guide: move on when the room "
        "is ready.</p>"
    )


class PlanPanel(w.VBox):
    """The plan a session follows, on its dashboard; empty when the session has none.

    ``on_part`` is called with each part the facilitator moves to (and the part now, as the
    panel opens), to open the dashboard panel for its app. ``clock`` gives the time in
    seconds (tests pass their own)."""

    def __init__(
        self,
        store,
        code: str,
        key: str,
        on_part: Callable[[Segment], None] = lambda seg: None,
        root: Path | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.store, self.code, self.key = store, code, key
        self.on_part, self.clock = on_part, clock
        self.plan: Plan | None = None
        self.shown: tuple | None = None
        super().__init__(layout=ui.WIDE)
        plan_id = store.get_state(code, PLAN_ID)
        if not plan_id:
            return
        try:
            self.plan = load_plan(plan_id, root)
        except PlanError as exc:
            lead = "This session's plan could not be loaded. The session itself works as usual."
            self.children = [ui.heading("Session plan", 3),
                             w.HTML(problems_html(exc.problems, lead), layout=ui.WIDE)]  # fmt: skip
            return
        self.timer = w.HTML(layout=ui.WIDE)
        self.script = w.HTML(layout=ui.WIDE)
        self.next_up = w.HTML(layout=ui.WIDE)
        self.start = ui.button("Start the session")
        self.back = ui.button("Back", primary=False)
        self.forward = ui.button("Next part")
        self.note = ui.Notice(layout={"width": "auto", "margin": "0 0 0 0.75rem"})
        self.note.clear()
        self.start.on_click(lambda _: ui.guarded(self.note, self._start))
        self.back.on_click(lambda _: ui.guarded(self.note, lambda: self._step(-1)))
        self.forward.on_click(lambda _: ui.guarded(self.note, lambda: self._step(1)))
        buttons = w.HBox([self.start, self.back, self.forward, self.note],
                         layout={"flex_flow": "row wrap", "align_items": "center"})  # fmt: skip
        self.children = [ui.heading(f"Session plan: {self.plan.title}", 3), self.timer,
                         self.script, self.next_up, buttons]  # fmt: skip
        self.tick()
        self._follow(self.position()[0])

    # -- where the session is ---------------------------------------------------------------
    def position(self) -> tuple[int, float | None, float | None]:
        """(part index, when the part began, when the session began); not started: (0,
        None, None). An index equal to the number of parts means the plan is done."""
        raw = self.store.get_state(self.code, PLAN_AT)
        try:
            index, part, began = raw.split()
            return min(max(int(index), 0), len(self.plan.segments)), float(part), float(began)
        except (AttributeError, ValueError):
            return 0, None, None

    def _set(self, index: int, part: float, began: float) -> None:
        self.store.set_state(self.code, self.key, PLAN_AT, f"{index} {int(part)} {int(began)}")
        self.tick()
        self._follow(index)

    def _follow(self, index: int) -> None:
        if index < len(self.plan.segments):
            self.on_part(self.plan.segments[index])

    def _start(self) -> str | None:
        if self.position()[2] is not None:
            return None  # started already (a forged or second click does nothing)
        now = self.clock()
        self._set(0, now, now)
        return "Started. The timer counts down; you move on with Next part."

    def _step(self, by: int) -> str | None:
        index, _, began = self.position()
        if began is None:
            raise InputRefused("Press Start the session first.")
        to = index + by
        if to < 0:
            raise InputRefused("This is the first part.")
        if to > len(self.plan.segments):
            raise InputRefused("That was the last part.")
        self._set(to, self.clock(), began)
        return None

    # -- drawing -------------------------------------------------------------------------
    def tick(self) -> None:
        """Redraw the timer (and the part, if another window moved the session on)."""
        if self.plan is None:
            return
        index, part, began = self.position()
        if (index, part) != self.shown:
            self.shown = (index, part)
            n = len(self.plan.segments)
            self.script.value = part_html(self.plan, index)
            self.next_up.value = next_html(self.plan, index) if index < n else ""
            self.start.layout.display = "none" if began is not None else None
            self.back.disabled = began is None or index == 0
            self.forward.disabled = began is None or index >= n
            self.note.clear()
        self.timer.value = timer_html(self.plan, index, part, began, self.clock())
