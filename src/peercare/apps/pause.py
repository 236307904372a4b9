""" "I need a pause" and the grounding break.

* Every participant page has an "I need a pause" button (:func:`pause_bar`). The kernel
  stores a request at most once per :data:`PAUSE_EVERY` seconds per page (forged clicks
  store nothing more); a request is a row of :data:`peercare.contract.PAUSE` with the
  page's participant token, like any answer.
* The dashboard shows *that* a pause was asked, never who and never how many
  (:class:`PauseControls`): one request is already the signal, and a count in a small room
  could point at a person. The cue stays until the facilitator notes it or starts a break.
* The facilitator can start a 2-minute grounding break: session state
  :data:`~peercare.apps.state.BREAK_UNTIL`; every page (polling) shows the breathing guide
  (:func:`breathing_guide`) in place of its tabs until the break ends, then the page is
  as it was (:func:`with_breaks`).
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import ipywidgets as w

from .. import contract
from . import ui
from .state import BREAK_UNTIL, PAUSE_SEEN, poll_every

PAUSE_EVERY = 180.0
"""Seconds before the same page can ask for a pause again."""
BREAK_SECONDS = 120
POLL_SECONDS = 2.0
IN_COUNT, OUT_COUNT, ROUNDS = 4, 6, 3

GUIDE_CSS = f"""
<style>
.pc-breathe {{ text-align: center; padding: 1rem 0; }}
.pc-breathe-circle {{ width: 6rem; height: 6rem; margin: 1.5rem auto; border-radius: 50%;
  background: #cfe3f5; border: 3px solid #1a4f8b; transform: scale(0.6);
  animation: pc-breathe {IN_COUNT + OUT_COUNT}s linear {ROUNDS}; }}
@keyframes pc-breathe {{
  0% {{ transform: scale(0.6); }}
  {100 * IN_COUNT // (IN_COUNT + OUT_COUNT)}% {{ transform: scale(1.2); }}
  100% {{ transform: scale(0.6); }}
}}
@media (prefers-reduced-motion: reduce) {{ .pc-breathe-circle {{ animation: none; }} }}
.pc-breathe ol {{ text-align: left; display: inline-block; font-size: 1.15rem; }}
.pc-pause-cue {{ background: #fff4d6; border-left: 6px solid #8a5a00; color: #1f1f1f;
  padding: 0.75rem 1rem; font-size: 1.1rem; }}
</style>
"""


def breathing_guide() -> str:
    """The book's one breathing count (in for 4, out for 6, three rounds), in plain words,
    with a circle that grows and shrinks (still when the reader asks for less motion)."""
    return (
        f"{GUIDE_CSS}<div class='pc-breathe' role='region' aria-label='Breathing break'>"
        "<h3>A short break</h3>"
        "<p>Sit back. Let your feet rest on the floor.</p>"
        "<div class='pc-breathe-circle' aria-hidden='true'></div>"
        "<ol>"
        f"<li>Breathe in slowly while you count to {IN_COUNT}. The circle grows.</li>"
        f"<li>Breathe out slowly while you count to {OUT_COUNT}. The circle gets small.</li>"
        f"<li>Do this {ROUNDS} times. Then breathe at your own pace.</li>"
        "</ol>"
        "<p>The break lasts about 2 minutes. This page comes back by itself.</p></div>"
    )


def break_running(store, code: str, clock: Callable[[], float] = time.time) -> bool:
    """Whether the facilitator's grounding break is on now."""
    until = store.get_state(code, BREAK_UNTIL) or ""
    try:
        return clock() < float(until)
    except ValueError:
        return False


# -- participant side ----------------------------------------------------------------------
def pause_bar(
    seat: ui.Seat, every: float = PAUSE_EVERY, clock: Callable[[], float] = time.monotonic
) -> w.VBox:
    """The "I need a pause" button and its message. The kernel keeps the time of the last
    request, so a page stores at most one per ``every`` seconds, whatever the browser sends."""
    button = ui.button("I need a pause", primary=False)
    note = ui.notice()
    last = {"at": None, "sent": 0}
    lock = threading.Lock()

    def ask() -> str:
        with lock:
            now = clock()
            if last["at"] is not None and now - last["at"] < every:
                return "Your request is with the facilitator. You can ask again in a few minutes."
            seat.add(
                contract.PAUSE, [(contract.PAUSE_ASKED, contract.PAUSE_ASKED)], once=last["sent"]
            )
            last["at"], last["sent"] = now, last["sent"] + 1
        return "Sent. The facilitator sees that someone asked, never who."

    button.on_click(lambda _: ui.guarded(note, ask))
    bar = w.VBox([button, note], layout=ui.WIDE)
    bar.ask = ask  # what a click runs; tests call it directly too
    return bar


def with_breaks(seat: ui.Seat, page: w.Widget, poll_seconds: float = POLL_SECONDS) -> w.VBox:
    """``page``, with the breathing guide in its place while a break runs. The page's
    widgets are only hidden, never rebuilt, so it comes back exactly as it was."""
    guide = w.HTML(layout=ui.WIDE)
    guide.layout.display = "none"

    def check() -> None:
        on = break_running(seat.store, seat.code)
        if on and guide.layout.display == "none":
            guide.value = breathing_guide()
            guide.layout.display, page.layout.display = None, "none"
        elif not on and guide.layout.display != "none":
            guide.layout.display, page.layout.display = "none", None
            guide.value = ""

    check()
    threading.Thread(target=poll_every, args=(poll_seconds, check), daemon=True).start()
    box = w.VBox([guide, page], layout=ui.WIDE)
    box.check_break = check  # what the poller calls; tests call it to skip the wait
    box.guide = guide
    return box


# -- facilitator side ----------------------------------------------------------------------
def _stamp(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


def pause_asked(store, code: str, key: str) -> bool:
    """Whether someone asked for a pause since the facilitator last noted one."""
    seen = _stamp(store.get_state(code, PAUSE_SEEN))
    rows = store.responses(code, key, contract.PAUSE)
    return any(_epoch(r["answered"]) > seen for r in rows)


def _epoch(when: datetime) -> float:
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


class PauseControls(w.VBox):
    """The dashboard's pause cue (no number, no who) and the break buttons."""

    def __init__(self, store, code: str, key: str, clock: Callable[[], float] = time.time):
        self.store, self.code, self.key, self.clock = store, code, key, clock
        self.cue = w.HTML(layout=ui.WIDE)
        start = ui.button(f"Start a {BREAK_SECONDS // 60}-minute break", primary=False)
        end = ui.button("End the break", primary=False)
        noted = ui.button("Noted", primary=False)
        self.note = ui.Notice(layout={"width": "auto", "margin": "0 0 0 0.75rem"})
        self.note.clear()
        start.on_click(lambda _: ui.guarded(self.note, self.start_break))
        end.on_click(lambda _: ui.guarded(self.note, self.end_break))
        noted.on_click(lambda _: ui.guarded(self.note, self.noted))
        row = w.HBox(
            [start, end, noted, self.note],
            layout={"flex_flow": "row wrap", "align_items": "center"},
        )
        super().__init__([self.cue, row], layout=ui.WIDE)

    def _set(self, name: str, value: str) -> None:
        self.store.set_state(self.code, self.key, name, value)

    def start_break(self) -> str:
        now = self.clock()
        self._set(BREAK_UNTIL, f"{now + BREAK_SECONDS:.0f}")
        self._set(PAUSE_SEEN, f"{now:.3f}")
        self.update()
        return "Break started: every page shows the breathing guide for 2 minutes."

    def end_break(self) -> str:
        self._set(BREAK_UNTIL, "")
        self.update()
        return "Break ended: pages are back as they were."

    def noted(self) -> str:
        self._set(PAUSE_SEEN, f"{self.clock():.3f}")
        self.update()
        return "Noted."

    def update(self) -> None:
        lines = []
        if break_running(self.store, self.code, self.clock):
            lines.append("A breathing break is running on every page.")
        elif pause_asked(self.store, self.code, self.key):
            lines.append(
                "Someone asked for a pause. You could start a short break, or tell the room "
                "that one is coming."
            )
        self.cue.value = GUIDE_CSS + "".join(
            f"<p class='pc-pause-cue' role='status'>{html.escape(text)}</p>" for text in lines
        )
