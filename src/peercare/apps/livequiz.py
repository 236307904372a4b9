"""Live quiz, participant side: answer the question the facilitator is asking right now.

The facilitator (dashboard) sets the session's current question; this page checks for it
every few seconds. The first answer per question per page counts; the verdict and the
explanation appear when the facilitator reveals them.
"""

from __future__ import annotations

import threading

import ipywidgets as w

from .. import contract
from ..bank import load_all
from ..quiz import Quiz
from . import ui
from .state import QUIZ_CURRENT, QUIZ_REVEALED, poll_every

POLL_SECONDS = 2.0


def livequiz_panel(seat: ui.Seat, poll_seconds: float = POLL_SECONDS) -> w.VBox:
    banks = load_all()
    questions = {q.id: (bank, q) for bank in banks.values() for q in bank.questions}
    holder = w.VBox(layout=ui.WIDE)
    note = ui.notice()
    state = {"current": None, "answered": set(), "quiz": None}

    def show(question_id: str | None, revealed: bool) -> None:
        if question_id != state["current"] or not holder.children:
            state["current"] = question_id
            if question_id not in questions:
                holder.children = [ui.paragraph("Waiting for the facilitator's question…")]
                state["quiz"] = None
                return
            bank, q = questions[question_id]
            quiz = Quiz(bank, [q.id], persist=False, reveal=revealed, title="Live question")
            quiz.quiz_id = f"live-{q.id}"
            quiz.on_answer(lambda answer: ui.guarded(note, lambda: record(answer)))
            state["quiz"] = quiz
            holder.children = [quiz]
        elif state["quiz"] is not None:
            state["quiz"].reveal = revealed

    def record(answer) -> str | None:
        if answer.question_id in state["answered"]:
            return None  # later tries are for learning; the room counts the first answer
        item = contract.quiz_item(answer.question_id)
        seat.add(contract.QUIZ, [(item, contract.join_choices(answer.chosen))])
        state["answered"].add(answer.question_id)
        return "Received."

    def check() -> None:
        current = seat.store.get_state(seat.code, QUIZ_CURRENT)
        revealed = current is not None and seat.store.get_state(seat.code, QUIZ_REVEALED) == current
        show(current, revealed)

    show(None, False)
    ui.guarded(note, check)
    threading.Thread(target=poll_every, args=(poll_seconds, check), daemon=True).start()
    panel = w.VBox([holder, note], layout=ui.WIDE)
    panel.check = check  # what the poller calls; tests call it to skip the wait
    return panel


def livequiz_app(store=None) -> w.VBox:
    return ui.joined_app("Live quiz", store or ui.store_from_env(), livequiz_panel)
