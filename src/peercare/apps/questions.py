"""Anonymous questions to the facilitator, participant side (the queue is
:mod:`peercare.apps.moderate`).

A question is a row of :data:`peercare.contract.QUESTION` with the page's token, like any
answer. The kernel keeps the limits: at most :data:`QUESTION_LIMIT` characters, one
question per :data:`ASK_EVERY` seconds and :data:`MAX_QUESTIONS` per page. Nothing reaches
the room screen until the facilitator approves it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import ipywidgets as w

from .. import contract
from ..store import InputRefused
from . import ui

QUESTION_LIMIT = 280
PLACEHOLDER = (
    "Your question. Please leave out names, phone numbers, addresses, and details of crimes "
    "or beefs."
)
HELP_NOW = (
    "No one reads this right away. If you need help now, tell a trainer, or call or text "
    "988. In danger, call 911."
)
ASK_EVERY = 20.0
MAX_QUESTIONS = 10


def question_panel(
    seat: ui.Seat, every: float = ASK_EVERY, clock: Callable[[], float] = time.monotonic
) -> w.VBox:
    box = w.Textarea(
        placeholder=PLACEHOLDER,
        layout={"width": "100%", "max_width": "36rem", "height": "6rem"},
    )
    send = ui.button("Send my question")
    note = ui.notice()
    last = {"at": None, "sent": 0}
    lock = threading.Lock()

    def ask() -> str | None:
        text = box.value.strip()
        if not text:
            raise InputRefused("Write your question first.")
        if len(text) > QUESTION_LIMIT:
            raise InputRefused(
                f"Please keep it under {QUESTION_LIMIT} characters (it has {len(text)})."
            )
        with lock:
            now = clock()
            if last["sent"] >= MAX_QUESTIONS:
                raise InputRefused(
                    "You have sent many questions. Thank you: the facilitator has them all."
                )
            if last["at"] is not None and now - last["at"] < every:
                raise InputRefused("Please wait a few seconds before the next question.")
            seat.add(contract.QUESTION, [(contract.QUESTION_TEXT, text)], once=last["sent"])
            last["at"], last["sent"] = now, last["sent"] + 1
        box.value = ""
        return (
            "Sent, with no name. The facilitator reads it first and may share it with the "
            "room, word for word. In a small group, people may guess who wrote it, so leave "
            "out your own story."
        )

    send.on_click(lambda _: ui.guarded(note, ask))
    panel = w.VBox(
        [
            ui.heading("Ask the facilitator", 3),
            ui.paragraph(
                "Ask anything about today, with no name. The facilitator sees it first and "
                "decides what goes on the room screen."
            ),
            box,
            ui.paragraph(HELP_NOW),
            send,
            note,
        ],
        layout=ui.WIDE,
    )
    panel.ask = ask
    return panel


def questions_app(store=None) -> w.VBox:
    return ui.joined_app("Ask the facilitator", store or ui.store_from_env(), question_panel)
