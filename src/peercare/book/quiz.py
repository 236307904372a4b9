"""The self-assessment widget (one anywidget), and what every widget module is made
of (:func:`esm`, :data:`CSS`).

The quiz's JavaScript (``static/quiz.js``) renders, checks and explains answers in the
browser, so it works in JupyterLab, Voila and the static book with no kernel. When a
kernel is there, each checked answer syncs back: ``answers`` holds the latest choice per
question and :meth:`Quiz.on_answer` callbacks receive an :class:`Answer` whose
correctness is decided here, from the bank, not trusted from the browser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anywidget
import traitlets

from ..content.bank import Bank, Question, load_module
from ..paths import STATIC_DIR

log = logging.getLogger(__name__)
CSS = STATIC_DIR / "widgets.css"


def esm(name: str) -> str:
    """A widget's JavaScript module: ``static/common.js`` followed by ``static/<name>``."""
    return "\n".join((STATIC_DIR / f).read_text(encoding="utf-8") for f in ("common.js", name))


@dataclass(frozen=True)
class Answer:
    """One checked answer, validated against the bank."""

    quiz_id: str
    question_id: str
    chosen: tuple[str, ...]
    correct: bool


def _question_json(q: Question) -> dict:
    return q.model_dump(mode="json", include={"id", "kind", "prompt", "scenario", "options"})


class Quiz(anywidget.AnyWidget):
    """A quiz over some questions of a bank."""

    _esm = esm("quiz.js")
    _css = CSS

    quiz_id = traitlets.Unicode("quiz").tag(sync=True)
    title = traitlets.Unicode("Check what you learned").tag(sync=True)
    intro = traitlets.Unicode("").tag(sync=True)
    questions = traitlets.List(trait=traitlets.Dict()).tag(sync=True)
    persist = traitlets.Bool(True).tag(sync=True)
    reveal = traitlets.Bool(True).tag(sync=True)  # False: "answer is in" until revealed
    live = traitlets.Bool(False).tag(sync=True)  # a live session's question to the room
    answers = traitlets.Dict().tag(sync=True)
    last_answer = traitlets.Dict().tag(sync=True)

    def __init__(self, bank: Bank, question_ids: list[str] | None = None, **kwargs):
        chosen = (
            bank.questions if question_ids is None else [bank.question(i) for i in question_ids]
        )
        self._by_id = {q.id: q for q in chosen}
        self._callbacks: list[Callable[[Answer], None]] = []
        kwargs.setdefault("quiz_id", bank.module)
        kwargs.setdefault("title", bank.title)
        kwargs.setdefault("intro", bank.intro_for(len(chosen)))
        super().__init__(questions=[_question_json(q) for q in chosen], **kwargs)
        self.observe(self._on_last_answer, names="last_answer")

    def on_answer(self, callback: Callable[[Answer], None]) -> None:
        """Call ``callback(answer)`` for every answer a reader checks (needs a kernel)."""
        self._callbacks.append(callback)

    def _on_last_answer(self, change) -> None:
        answer = self.validate(change["new"])
        if answer is None:
            return
        for cb in self._callbacks:
            try:
                cb(answer)
            except Exception:  # one broken callback must not break the reader's quiz
                log.exception("on_answer callback failed for %s", answer.question_id)

    def validate(self, raw: object) -> Answer | None:
        """Turn the browser's message into an :class:`Answer`, or None if it is not valid."""
        if not isinstance(raw, dict):
            return None
        q = self._by_id.get(raw.get("question"))
        chosen = raw.get("chosen")
        if q is None or not isinstance(chosen, list) or not chosen:
            return None
        valid = {o.id for o in q.options}
        if not all(isinstance(c, str) and c in valid for c in chosen):
            return None
        if q.kind.value != "multiple" and len(chosen) != 1:
            return None
        return Answer(self.quiz_id, q.id, tuple(sorted(set(chosen))), q.is_correct(chosen))


def chapter_quiz(module: str, root: Path | None = None, **kwargs) -> Quiz:
    """The self-assessment for ``book/<module>/questions.yml``."""
    return Quiz(load_module(module, root), **kwargs)
