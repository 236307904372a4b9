"""The room screen: a page to project, or share on a video call, opened with the join
code only (no facilitator key).

It shows what the whole room may see anyway: a large join code, the QR code and the join
address as text, the live-quiz question being asked and its spread once
:data:`peercare.live.KNOWLEDGE_MIN` people answered (the right answer marked once the
facilitator reveals it), the questions the facilitator approved, the check-in words once
the facilitator puts them there (only words the threshold and moderation let through), and
the breathing guide while a break runs. It reads no raw sensitive answer: no check-in,
feedback, pace, question or pause row (the store gives a keyless reader only knowledge
answers, :meth:`peercare.store.Store.knowledge_answers`; approved questions and the shown
words are session state the facilitator wrote), and it counts no join.
"""

from __future__ import annotations

import html
import json
import os
import threading

import ipywidgets as w
import segno

from .. import contract, live
from ..content.bank import load_all
from . import ui
from .cloud import cloud_html, room_cloud
from .pause import break_running, breathing_guide
from .state import QUIZ_CURRENT, QUIZ_REVEALED, ROOM_QUESTIONS, poll_every
from .tallies import tally_table

POLL_SECONDS = 3.0
NOTEBOOK = "room.ipynb"
JOIN_NOTEBOOK = "participant.ipynb"
ROOM_CSS = """
<style>
.pc-room-code { font-size: 3.5rem; font-weight: 700; letter-spacing: 0.15em; margin: 0; }
.pc-room-address { font-size: 1.2rem; overflow-wrap: anywhere; user-select: all; }
.pc-room h2, .pc-room h3 { margin-top: 0.75rem; }
.pc-room-questions li { font-size: 1.4rem; margin: 0.5rem 0; white-space: pre-wrap;
  overflow-wrap: anywhere; }
</style>
"""


def join_url(base_url: str, code: str, notebook: str = JOIN_NOTEBOOK) -> str:
    return f"{base_url.rstrip('/')}/voila/render/{notebook}?code={code}"


def room_link(base_url: str, code: str) -> str:
    """The dashboard's link to the room screen of this session."""
    url = html.escape(join_url(base_url, code, NOTEBOOK), quote=True)
    return (
        f"<p><a href='{url}' target='_blank' rel='noopener'>Room screen</a>: open it on the "
        "projector or share it on a video call. It shows the join code, the live-quiz "
        "question and its spread, and breaks; never your key or anything private.</p>"
    )


def share_html(base_url: str, code: str) -> str:
    """The large code, the QR code and the join address as text to copy."""
    url = join_url(base_url, code)
    qr = segno.make(url, error="m").svg_inline(scale=6, dark="#000000", light="#ffffff")
    return (
        f"{ROOM_CSS}<p>Join with this code:</p>"
        f"<p class='pc-room-code'>{html.escape(code)}</p>"
        f"<figure role='img' aria-label='QR code that opens this session'>{qr}"
        "<figcaption>Scan to join with the code filled in.</figcaption></figure>"
        f"<p>Or open this address:</p><p class='pc-room-address'><code>{html.escape(url)}</code>"
        "</p>"
    )


def question_html(store, code: str, questions: dict) -> str:
    """The live-quiz question being asked and its spread, as the dashboard's rule allows."""

    found = questions.get(store.get_state(code, QUIZ_CURRENT) or "")
    if found is None:
        return "<p>No question is being asked right now.</p>"
    q = found
    answers = store.knowledge_answers(code, contract.QUIZ, contract.quiz_item(q.id))
    t = live.knowledge(contract.quiz_item(q.id), answers, [o.id for o in q.options],
                       multiple=q.kind.value == "multiple")  # fmt: skip
    revealed = store.get_state(code, QUIZ_REVEALED) == q.id
    labels = {o.id: o.text + (" (right)" if revealed and o.correct else "") for o in q.options}
    situation = f"<p><em>{html.escape(q.scenario)}</em></p>" if q.scenario else ""
    return f"{situation}{tally_table(t, labels, q.prompt)}"


def questions_html(store, code: str) -> str:
    """The questions the facilitator approved for the room, newest first (escaped)."""
    try:
        texts = json.loads(store.get_state(code, ROOM_QUESTIONS) or "[]")
    except ValueError:
        texts = []
    if not texts:
        return "<p>No questions on the screen yet.</p>"
    items = "".join(f"<li>{html.escape(str(t))}</li>" for t in texts)
    return f"<ul class='pc-room-questions'>{items}</ul>"


def words_html(store, code: str) -> str:
    """The check-in words the facilitator put on the room screen ("" when not shown)."""
    words = room_cloud(store, code)
    if words is None:
        return ""
    if not words:
        return "<h3>Check-in words</h3><p>No word has enough people yet.</p>"
    return f"<h3>Check-in words</h3>{cloud_html(words)}"


class RoomScreen(w.VBox):
    def __init__(self, store=None, base_url: str = "http://127.0.0.1:8866",
                 poll_seconds: float = POLL_SECONDS):  # fmt: skip
        self.store = store or ui.store_from_env()
        self.base_url, self.poll_seconds = base_url, poll_seconds
        self.code = None
        self.questions = {q.id: q for b in load_all().values() for q in b.questions}
        self.share = w.HTML(layout=ui.WIDE)
        self.quiz = w.HTML(layout=ui.WIDE)
        self.guide = w.HTML(layout=ui.WIDE)
        self.asked = w.HTML(layout=ui.WIDE)
        self.words = w.HTML(layout=ui.WIDE)
        self.stop = threading.Event()
        opener = ui.JoinBox(self.store, self._open, label="Show the room screen",
                            opener=self.store.open_session)  # fmt: skip
        self.body = w.VBox([opener], layout={"width": "100%"})
        super().__init__(
            [ui.heading("Room screen"), self.body, ui.help_box()],
            layout={"width": "100%", "max_width": "80rem"},
        )
        self.add_class("pc-room")

    def _open(self, info) -> None:
        self.code = info.code
        self.share.value = share_html(self.base_url, info.code)
        # two columns on a projector (join details beside the room's content), one on a phone
        self.share.layout = w.Layout(flex="0 1 22rem", min_width="16rem", margin="0 2rem 0 0")
        content = w.VBox(
            [ui.heading("Live quiz", 3), self.quiz,
             ui.heading("Your questions", 3), self.asked, self.words],
            layout={"flex": "1 1 24rem", "min_width": "16rem"},
        )  # fmt: skip
        self.body.children = [
            ui.heading(info.title, 3), self.guide,
            w.HBox([self.share, content], layout={"flex_flow": "row wrap", "width": "100%"}),
        ]  # fmt: skip
        self.update()
        threading.Thread(
            target=poll_every, args=(self.poll_seconds, self.update, self.stop.is_set),
            daemon=True,
        ).start()  # fmt: skip

    def update(self) -> None:
        from ..store import SessionNotFound

        try:
            self.store.open_session(self.code)
            on_break = break_running(self.store, self.code)
            self.quiz.value = question_html(self.store, self.code, self.questions)
            self.asked.value = questions_html(self.store, self.code)
            self.words.value = words_html(self.store, self.code)
        except SessionNotFound:  # closed: the screen keeps what it showed, and stops
            self.stop.set()
            self.guide.value = "<p>This session has ended. Thank you.</p>"
            return
        self.guide.value = breathing_guide() if on_break else ""


def room_app(store=None, base_url: str | None = None) -> RoomScreen:
    return RoomScreen(
        store, base_url or os.environ.get("PEERCARE_APPS_URL", "http://127.0.0.1:8866")
    )
