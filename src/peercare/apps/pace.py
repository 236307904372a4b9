"""Pace: participants say "slower" or "faster"; the facilitator sees it only once enough
people say the same.

* Every participant page has two buttons under "I need a pause" (:func:`pace_bar`). A page
  stores at most one signal per :data:`PACE_EVERY` seconds (the kernel keeps the time, so
  extra or forged clicks store nothing); a signal is a row of
  :data:`peercare.contract.PACE` with the page's token, like any answer.
* The dashboard (:func:`pace_html`) counts each person's latest signal of the last
  :data:`WINDOW` seconds under the sensitive rule of :func:`peercare.live.sensitive`: a
  count shows only when at least the threshold of people gave it, in steps of the
  threshold, and it says what it holds back.
* The evaluation kit counts the signals per session (``contract.COUNTED``).
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import ipywidgets as w

from .. import contract
from . import ui

PACE_EVERY = 60.0
"""Seconds before the same page can send another pace signal."""
WINDOW = 300
"""The dashboard counts the signals of the last five minutes."""
LABELS = {contract.PACE_SLOWER: "Slower, please", contract.PACE_FASTER: "Faster, please"}


def pace_bar(
    seat: ui.Seat, every: float = PACE_EVERY, clock: Callable[[], float] = time.monotonic
) -> w.VBox:
    """The "Slower, please" and "Faster, please" buttons and their message."""
    note = ui.notice()
    last = {"at": None, "sent": 0}
    lock = threading.Lock()

    def signal(answer: str) -> str:
        with lock:
            now = clock()
            if last["at"] is not None and now - last["at"] < every:
                return "Got it. You can send another in a minute."
            seat.add(contract.PACE, [(contract.PACE_SIGNAL, answer)], once=last["sent"])
            last["at"], last["sent"] = now, last["sent"] + 1
        return "Sent. The facilitator sees it once enough people say the same."

    buttons = []
    for answer, label in LABELS.items():
        b = ui.button(label, primary=False)
        b.layout.margin = "0.25rem 0.5rem 0.25rem 0"
        b.on_click(lambda _, a=answer: ui.guarded(note, lambda: signal(a)))
        buttons.append(b)
    row = w.HBox(
        [w.HTML("<span class='pc-pace-label'>Pace:</span>"), *buttons],
        layout={"flex_flow": "row wrap", "align_items": "center"},
    )
    bar = w.VBox([row, note], layout=ui.WIDE)
    bar.signal = signal  # what a click runs; tests call it directly too
    return bar


def pace_tally(rows: list[dict], threshold: int, now: datetime | None = None):
    """The room's pace (a :class:`peercare.live.Tally`): each person's latest signal of the
    last :data:`WINDOW` seconds. (``live`` is imported here: a participant page never
    tallies.)"""
    from .. import live

    since = (now or datetime.now(UTC)) - timedelta(seconds=WINDOW)
    answers = live.recent_latest(rows, since)
    return live.sensitive(contract.PACE_SIGNAL, answers, threshold,
                          list(contract.PACE_OPTIONS), noun="pace signal")  # fmt: skip


def pace_html(rows: list[dict], threshold: int, now: datetime | None = None) -> str:
    """One line for the dashboard: what the room asked for, as the sensitive rule allows."""
    t = pace_tally(rows, threshold, now)
    shown = [(LABELS[a].split(",")[0], c) for a, c in t.counts.items() if c]
    said = "; ".join(f"<strong>{html.escape(label)}: {c}</strong>" for label, c in shown)
    head = f"Pace in the last {WINDOW // 60} minutes: " + (said or "nothing to show")
    return (
        f"<div class='pc-pace' role='status'><p>{head}.</p>"
        f"<p class='pc-note'>{html.escape(t.note)}</p></div>"
    )
