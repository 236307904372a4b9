"""Check-in: "How are you arriving today?" on a five-point scale and an optional word."""

from __future__ import annotations

import ipywidgets as w

from .. import contract
from . import ui

SCALE = [
    ("1 · Running on empty", "1"),
    ("2 · Heavy", "2"),
    ("3 · Okay", "3"),
    ("4 · Good", "4"),
    ("5 · Ready to go", "5"),
]
WORD_LIMIT = 40


def checkin_panel(seat: ui.Seat) -> w.VBox:
    scale = w.RadioButtons(options=SCALE, value=None, description="", layout=ui.WIDE)
    word = w.Text(
        description="One word (optional)",
        placeholder="tired, hopeful, …",
        style={"description_width": "initial"},
        layout={"width": "auto", "max_width": "24rem"},
    )
    send = ui.button("Send my check-in")
    note = ui.notice()

    def submit() -> str | None:
        if scale.value is None:
            return note.say("Pick a number first. Any answer is okay.", "error")
        if len(word.value) > WORD_LIMIT:
            return note.say(f"Please keep the word under {WORD_LIMIT} letters.", "error")
        answers = [(contract.CHECKIN_ARRIVAL, scale.value)]
        if word.value.strip():
            answers.append((contract.CHECKIN_WORD, word.value.strip()))
        seat.add(contract.CHECKIN, answers, once=contract.CHECKIN)
        send.disabled = True
        return "Received. Thank you for checking in."

    send.on_click(lambda _: ui.guarded(note, submit))
    return w.VBox(
        [ui.heading("How are you arriving today?", 3), scale, word, send, note], layout=ui.WIDE
    )


def checkin_app(store=None) -> w.VBox:
    return ui.joined_app("Check-in", store or ui.store_from_env(), checkin_panel)
