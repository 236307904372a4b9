"""Live quiz, participant side: answer the question the facilitator is asking right now.

The facilitator (dashboard) sets the session's current question; this page checks for it
every few seconds. One answer per question per page is stored (the kernel keeps count, not
the browser); when the facilitator reveals, every page shows the right answer and why,
also the pages that did not answer. A page's ``on_new_question`` hooks run when a new
question arrives (the participant page uses them to flag the tab).
"""

from __future__ import annotations

import threading

import ipywidgets as w

from .. import contract
from ..book.quiz import Quiz
from ..content.bank import shipped_banks
from . import ui
from .state import QUIZ_CURRENT, QUIZ_REVEALED, poll_every

POLL_SECONDS = 2.0


def livequiz_panel(seat: ui.Seat, poll_seconds: float = POLL_SECONDS) -> w.VBox:
    banks = shipped_banks()
    questions = {q.id: (bank, q) for bank in banks.values() for q in bank.questions}
    holder = w.VBox(layout=ui.WIDE)
    note = ui.notice()
    state = {"current": None, "quiz": None}
    hooks: list = []

    def show(question_id: str | None, revealed: bool) -> None:
        if question_id != state["current"] or not holder.children:
            state["current"] = question_id
            old, state["quiz"] = state["quiz"], None
            if question_id not in questions:
                holder.children = [ui.paragraph("Waiting for the facilitator's question…")]
            else:
                bank, q = questions[question_id]
                quiz = Quiz(bank, [q.id], persist=False, reveal=revealed, live=True,
                            title="Question for the room", intro="")  # fmt: skip
                quiz.quiz_id = f"live-{q.id}"
                quiz.on_answer(lambda answer: ui.guarded(note, lambda: record(answer)))
                state["quiz"] = quiz
                holder.children = [quiz]
                note.clear()
                for hook in hooks:
                    hook(q.id)
            if old is not None:
                old.close()  # its messages reach nothing any more
        elif state["quiz"] is not None:
            state["quiz"].reveal = revealed

    def record(answer) -> str | None:
        if answer.question_id != state["current"]:
            return None  # a message for a question no longer asked
        item = contract.quiz_item(answer.question_id)
        seat.add(contract.QUIZ, [(item, contract.join_choices(answer.chosen))], once=item)
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
    panel.on_new_question = hooks.append
    panel.asking = lambda: state["quiz"] is not None  # a question is open right now
    return panel


def livequiz_app(store=None) -> w.VBox:
    shipped_banks()  # parsed now, in the pre-run, not when a participant joins
    return ui.joined_app("Live quiz", store or ui.store_from_env(), livequiz_panel)
