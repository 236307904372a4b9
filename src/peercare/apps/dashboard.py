"""Facilitator dashboard: create or reopen a session, share the code, run the live quiz,
watch the room's answers (what :mod:`peercare.live` allows), close, export.

Only someone with the facilitator key sees anything here. The key is shown once, at
creation, in a step of its own that must be dismissed before the join code and QR code
appear (so a projected dashboard never shows it to the room); it is stored only as a hash.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
import threading
import time

import ipywidgets as w
import segno

from .. import contract, live
from ..content.bank import in_book_order, load_all
from ..paths import book_dir
from ..store import InputRefused
from . import ui
from .checkin import SCALE
from .cloud import CloudPanel
from .feedback import REACTION, free_texts, session_form, short_items
from .moderate import ModerationQueue, newest_that_fit
from .pace import pace_html
from .pause import PauseControls
from .planpanel import PlanPanel, PlanPicker, open_panel
from .room import room_link
from .state import FEEDBACK_FORM, QUIZ_CURRENT, QUIZ_REVEALED, ROOM_QUESTIONS, poll_every
from .tallies import tally_table

REFRESH_SECONDS = 3.0
ROOM_SIZE = 8
"""The expected room size the start form suggests (a usual team)."""
PARTICIPANT_APPS = [
    ("Today's session (all activities)", "participant.ipynb"),
    ("Check-in", "checkin.ipynb"),
    ("Live quiz", "live_quiz.ipynb"),
    ("Scenario practice", "scenarios.ipynb"),
    ("Questions to the facilitator", "questions.ipynb"),
    ("Feedback", "feedback.ipynb"),
    ("Wellness plan", "wellness_plan.ipynb"),
]
WRONG = "That code and key do not open a session. Check both and try again."
BACKOFF_FIRST, BACKOFF_MAX = 2.0, 60.0
DOWNLOAD_STYLE = (
    "display:inline-block;min-height:44px;line-height:44px;padding:0 1rem;"
    "border-radius:4px;background:#1a4f8b;color:#ffffff;text-decoration:none;font-weight:600"
)


def join_links(base_url: str, code: str) -> str:
    """Participant links with the code filled in, and a QR code for the room."""
    items, first = [], None
    for label, notebook in PARTICIPANT_APPS:
        url = f"{base_url.rstrip('/')}/voila/render/{notebook}?code={code}"
        first = first or url
        items.append(f"<li><a href='{html.escape(url, quote=True)}'>{html.escape(label)}</a></li>")
    qr = segno.make(first, error="m").svg_inline(scale=5, dark="#000000", light="#ffffff")
    return (
        f"<p>Session code: <strong class='pc-code'>{html.escape(code)}</strong></p>"
        f"<ul>{''.join(items)}</ul>"
        f"<figure role='img' aria-label='QR code that opens this session for participants'>{qr}"
        f"<figcaption>Scan to join this session with the code filled in.</figcaption></figure>"
    )


def preview_html(room: int, threshold: int) -> str:
    """What a room of ``room`` people will see, one line per kind of answer."""
    lines = "".join(
        f"<li><strong>{html.escape(kind)}:</strong> {html.escape(text)}</li>"
        for kind, text in live.preview(room, threshold)
    )
    return f"<p>With {room} people in the room, the dashboard will show:</p><ul>{lines}</ul>"


def chapter_title(module: str, fallback: str) -> str:
    """The chapter's own title (the first ``#`` heading of its page)."""
    try:
        text = (book_dir() / module / "index.md").read_text(encoding="utf-8")
    except OSError:
        return fallback
    found = re.search(r"^# (.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else fallback


def _row(*children: w.Widget) -> w.HBox:
    """A button with its message (or link) beside it, wrapping on a narrow screen."""
    return w.HBox(list(children), layout={"flex_flow": "row wrap", "align_items": "center"})


def _beside() -> ui.Notice:
    note = ui.Notice(layout={"width": "auto", "margin": "0 0 0 0.75rem"})
    note.clear()
    return note


class Dashboard(w.VBox):
    def __init__(
        self,
        store=None,
        base_url: str = "http://127.0.0.1:8866",
        refresh: float = REFRESH_SECONDS,
        plan_root=None,
    ):
        self.store = store or ui.store_from_env()
        self.base_url = base_url
        self.refresh = refresh
        self.code = self.key = None
        self.banks = in_book_order(load_all())
        self.session_box = w.VBox(layout=ui.WIDE)
        self.views = {app: w.HTML(layout=ui.WIDE) for app in contract.TALLIED}
        self.joined = w.HTML(layout=ui.WIDE)
        self.stop = threading.Event()
        self._fails, self._retry_at, self._started = 0, 0.0, False
        self.plan_root, self.plan_panel = plan_root, None  # the session plan (planpanel.py)
        super().__init__([ui.heading("Facilitator dashboard"), self._start_form(),
                          self.session_box, ui.help_box()], layout=ui.WIDE)  # fmt: skip

    # -- creating or reopening ------------------------------------------------------------
    def _start_form(self) -> w.Widget:
        style = {"description_width": "initial"}
        title = w.Text(description="Session title", style=style,
                       layout={"width": "auto", "max_width": "28rem"})  # fmt: skip
        threshold = w.BoundedIntText(
            value=contract.THRESHOLD_DEFAULT, min=contract.THRESHOLD_MIN,
            max=contract.THRESHOLD_MAX, description="Hide groups under", style=style,
        )  # fmt: skip
        room = w.BoundedIntText(value=ROOM_SIZE, min=1, max=500,
                                description="Expected room size", style=style)  # fmt: skip
        preview = w.HTML(preview_html(room.value, threshold.value), layout=ui.WIDE)
        self.feedback_form = w.Dropdown(
            options=[("Short: 5 questions and a comment, under a minute", contract.FEEDBACK_SHORT),
                     ("Full: the evaluation kit's 17 questions and 2 comments",
                      contract.FEEDBACK_FULL)],
            value=contract.FEEDBACK_SHORT, description="Feedback form", style=style,
            layout={"width": "auto", "max_width": "36rem"},
        )  # fmt: skip
        create, self.create_note = ui.button("Create session"), _beside()
        code = w.Text(description="Code", style=style,
                      layout={"width": "auto", "max_width": "14rem"})  # fmt: skip
        key = w.Password(description="Facilitator key", style=style,
                         layout={"width": "auto", "max_width": "20rem"})  # fmt: skip
        reopen, self.reopen_note = ui.button("Open session", primary=False), _beside()
        self.threshold, self.room = threshold, room

        def show_preview(_=None) -> None:
            preview.value = preview_html(room.value, threshold.value)

        room.observe(show_preview, names="value")
        threshold.observe(show_preview, names="value")

        def do_create() -> str | None:
            if self._started:
                return None  # one session per page (a forged click does nothing)
            self._started = True
            try:
                info, secret = self.store.create_session(title.value, threshold.value)
                self.store.set_state(info.code, secret, FEEDBACK_FORM, self.feedback_form.value)
                self.plan_picker.keep(self.store, info.code, secret)
            except BaseException:
                self._started = False
                raise
            self._key_step(info.code, secret)
            return None

        def do_reopen() -> str | None:
            if self._started:
                return None
            wait = self._retry_at - time.monotonic()
            if wait > 0:
                raise InputRefused(f"{WRONG} Please wait {math.ceil(wait)} s before the next try.")
            try:
                info = self.store.session_for_facilitator(code.value, key.value)
            except InputRefused:  # a wrong code and a wrong key get the same answer
                self._fails += 1
                self._retry_at = time.monotonic() + min(
                    BACKOFF_MAX, BACKOFF_FIRST * 2 ** (self._fails - 1)
                )
                raise InputRefused(WRONG) from None
            self._fails, self._started = 0, True
            secret, key.value = key.value, ""
            self._open(info.code, secret)
            return None

        create.on_click(lambda _: ui.guarded(self.create_note, do_create))
        reopen.on_click(lambda _: ui.guarded(self.reopen_note, do_reopen))
        self.plan_picker = PlanPicker(self.plan_root)
        self.start_form = w.VBox([
            ui.heading("Start a new session", 3), title, threshold, room, preview,
            self.feedback_form, self.plan_picker,
            _row(create, self.create_note),
            ui.heading("Or open one you started", 3), code, key, _row(reopen, self.reopen_note),
        ])  # fmt: skip
        return self.start_form

    def _key_step(self, code: str, secret: str) -> None:
        """Show the key, alone, until the facilitator says it is written down."""
        self.start_form.layout.display = "none"
        shown = w.HTML(
            "<p>Your facilitator key:</p>"
            f"<p><strong class='pc-key'>{html.escape(secret)}</strong></p>"
            "<p>Write it down now, where the room cannot see it. It is shown only this once, "
            "and with the session code it opens this dashboard again. The join code and QR "
            "code for the room appear after this step.</p>",
            layout=ui.WIDE,
        )
        done = ui.button("I have written it down")

        def dismiss(_) -> None:
            if self.code is not None:
                return
            shown.value = ""
            self._open(code, secret)

        done.on_click(dismiss)
        self.session_box.children = [ui.heading("Write down your facilitator key", 3), shown, done]

    def _open(self, code: str, key: str) -> None:
        self.code, self.key = code, key
        self.start_form.layout.display = "none"
        close, self.close_note = ui.button("Close session", primary=False), _beside()
        export, self.export_note = ui.button("Export responses (CSV)", primary=False), _beside()
        self.download = w.HTML()
        close.on_click(lambda _: ui.guarded(self.close_note, self._close))
        export.on_click(lambda _: ui.guarded(self.export_note, self._export))
        self.cloud = CloudPanel(self.store, code, key)
        self.comments = ModerationQueue(self.store, code, key, noun="comment",
                                        shown_title="Comments you approved",
                                        threshold=self._threshold())  # fmt: skip
        self.questions = ModerationQueue(self.store, code, key, noun="anonymous question",
                                         shown_title="On the room screen now",
                                         on_approved=self._show_questions,
                                         approved_note="Approved: it is on the room screen.")  # fmt: skip
        panels = {
            contract.QUIZ: self._quiz_panel(),
            contract.CHECKIN: w.VBox([self.views[contract.CHECKIN], self.cloud]),
            contract.FEEDBACK: w.VBox([self.views[contract.FEEDBACK],
                                       ui.heading("Comments", 4), self.comments]),
        }  # fmt: skip
        tabs = w.Tab(children=[panels.get(app, self.views[app]) for app in contract.TALLIED]
                     + [self.questions])  # fmt: skip
        for i, app in enumerate((*contract.TALLIED, contract.QUESTION)):
            tabs.set_title(i, contract.APP_TITLES[app])
        self.tabs = tabs
        self.pace = w.HTML(layout=ui.WIDE)
        self.plan_panel = PlanPanel(self.store, code, key, root=self.plan_root,
                                    on_part=lambda seg: open_panel(tabs, self.chapter, seg))  # fmt: skip
        self.pause = PauseControls(self.store, code, key)
        self.session_box.children = [
            w.HTML(join_links(self.base_url, code), layout=ui.WIDE),
            w.HTML(room_link(self.base_url, code), layout=ui.WIDE),
            self.joined,
            self.pause,
            self.pace,
            ui.paragraph(
                f"Live quiz and scenario choices show once {live.KNOWLEDGE_MIN} people have "
                "answered. Check-in, feedback and pace counts hide any group smaller than "
                f"{self._threshold()} and change only in steps of that size, so no one's answer "
                "can be picked out. Counts refresh on their own."
            ),
            self.plan_panel,
            tabs,
            _row(close, self.close_note),
            _row(export, self.download, self.export_note),
        ]
        self.update()
        threading.Thread(
            target=poll_every, args=(self.refresh, self.update, self.stop.is_set), daemon=True
        ).start()

    def _threshold(self) -> int:
        return self.store.session_for_facilitator(self.code, self.key).threshold

    # -- live quiz control --------------------------------------------------------------
    def _quiz_panel(self) -> w.Widget:
        style = {"description_width": "initial"}
        chapters = [
            (f"{n}. {chapter_title(b.module, b.title)}", b.module)
            for n, b in enumerate(self.banks, 1)
        ]
        self.chapter = w.Dropdown(options=chapters, description="Chapter", style=style,
                                  layout=ui.WIDE)  # fmt: skip
        self.question = w.Dropdown(description="Question", style=style, layout=ui.WIDE)
        self.question_text = w.HTML(layout=ui.WIDE)
        by_module = {b.module: b for b in self.banks}

        def pick_chapter(_=None) -> None:
            bank = by_module[self.chapter.value]
            self.question.options = [(q.prompt, q.id) for q in bank.questions]
            self.question.index = 0  # the chapter's first question, never none

        def show_question(_=None) -> None:
            q = self._question(self.question.value)
            if q is None:
                self.question_text.value = ""
                return
            situation = (
                f"<p><em>{html.escape(q.scenario)}</em></p>" if q.scenario else ""
            )  # fmt: skip
            options = "".join(f"<li>{html.escape(o.text)}</li>" for o in q.options)
            self.question_text.value = (
                f"{situation}<p><strong>{html.escape(q.prompt)}</strong></p><ul>{options}</ul>"
            )

        self.chapter.observe(pick_chapter, names="value")
        self.question.observe(show_question, names="value")
        pick_chapter()
        show_question()
        ask, reveal = ui.button("Ask the room"), ui.button("Reveal the answer", primary=False)
        self.quiz_note = _beside()

        def do_ask() -> str:
            self.store.set_state(self.code, self.key, QUIZ_CURRENT, self.question.value)
            self.store.set_state(self.code, self.key, QUIZ_REVEALED, "")
            self.update()
            return "Asked. Answers appear below."

        def do_reveal() -> str:
            current = self.store.get_state(self.code, QUIZ_CURRENT)
            if not current:
                raise InputRefused("Ask a question first.")
            self.store.set_state(self.code, self.key, QUIZ_REVEALED, current)
            self.update()
            return "Revealed on everyone's screen."

        ask.on_click(lambda _: ui.guarded(self.quiz_note, do_ask))
        reveal.on_click(lambda _: ui.guarded(self.quiz_note, do_reveal))
        return w.VBox([self.chapter, self.question, self.question_text,
                       _row(ask, reveal, self.quiz_note), self.views[contract.QUIZ]])  # fmt: skip

    def _question(self, question_id):
        for bank in self.banks:
            for q in bank.questions:
                if q.id == question_id:
                    return q
        return None

    # -- what the room sees ---------------------------------------------------------------
    def update(self) -> None:
        info = self.store.session_for_facilitator(self.code, self.key)
        rows = self.store.responses(self.code, self.key)
        room = live.Room(rows, info.threshold)

        def of(app: str, *items: str) -> list[dict]:
            return [r for r in rows if r["app"] == app and (not items or r["item"] in items)]

        joined = self.store.joined(self.code, self.key)
        self.joined.value = (
            f"<p class='pc-joined'><strong>{joined}</strong> "
            f"{'phone has' if joined == 1 else 'phones have'} joined.</p>"
        )
        arrival = room.sensitive(contract.CHECKIN, contract.CHECKIN_ARRIVAL,
                                 [v for _, v in SCALE], noun="check-in")  # fmt: skip
        self.views[contract.CHECKIN].value = tally_table(
            arrival, {v: k for k, v in SCALE}, "How people are arriving"
        )
        self.views[contract.QUIZ].value = self._quiz_table(room)
        self.views[contract.SCENARIO].value = self._scenario_tables(room)
        self.views[contract.FEEDBACK].value = self._feedback_tables(room)
        self.pace.value = pace_html(of(contract.PACE), info.threshold)
        self.cloud.update(of(contract.CHECKIN, contract.CHECKIN_WORD), info.threshold)
        texts = [contract.feedback_item(t.id) for t in free_texts(contract.FEEDBACK_FULL)]
        self.comments.update(of(contract.FEEDBACK, *texts))
        self.questions.update(of(contract.QUESTION))
        waiting = self.questions.waiting_count  # on the tab, so a new question is noticed
        title = contract.APP_TITLES[contract.QUESTION]
        self.tabs.set_title(
            len(contract.TALLIED), f"{title} ({waiting} waiting)" if waiting else title
        )
        if self.plan_panel is not None:
            self.plan_panel.tick()
        self.pause.update()

    def _quiz_table(self, room: live.Room) -> str:
        q = self._question(self.store.get_state(self.code, QUIZ_CURRENT))
        if q is None:
            return "<p>No question asked yet.</p>"
        t = room.knowledge(contract.QUIZ, contract.quiz_item(q.id), [o.id for o in q.options],
                           multiple=q.kind.value == "multiple")  # fmt: skip
        revealed = self.store.get_state(self.code, QUIZ_REVEALED) == q.id
        labels = {o.id: o.text + (" (right)" if revealed and o.correct else "") for o in q.options}
        explain = "".join(
            f"<li><strong>{html.escape(o.text)}</strong>{' (right)' if o.correct else ''}: "
            f"{html.escape(o.feedback)}</li>" for o in q.options
        ) if revealed else ""  # fmt: skip
        return tally_table(t, labels, q.prompt) + (f"<ul>{explain}</ul>" if explain else "")

    def _scenario_tables(self, room: live.Room) -> str:
        from ..content.branching import load_all_scenarios

        parts = []
        for sc in load_all_scenarios():
            for step in sc.steps:
                item = contract.scenario_item(sc.id, step.id)
                t = room.knowledge(contract.SCENARIO, item, [c.id for c in step.choices],
                                   noun="choice")  # fmt: skip
                if t.answered:
                    parts.append(tally_table(t, {c.id: c.text for c in step.choices},
                                             f"{sc.title}: {step.text}"))  # fmt: skip
        return "".join(parts) or "<p>No scenario choices yet.</p>"

    def _show_questions(self, texts: list[str]) -> None:
        """Put the approved questions (newest first) on the room screen."""
        value = json.dumps(newest_that_fit(texts), ensure_ascii=False)
        self.store.set_state(self.code, self.key, ROOM_QUESTIONS, value)

    def _feedback_tables(self, room: live.Room) -> str:
        form = session_form(self.store, self.code)
        items = short_items() if form == contract.FEEDBACK_SHORT else REACTION.items
        tables = []
        for item in items:
            t = room.sensitive(contract.FEEDBACK, contract.feedback_item(item.id),
                               [str(v) for v in REACTION.scale_values])  # fmt: skip
            tables.append(tally_table(t, REACTION.scale_labels, item.text))
        return "".join(tables)

    # -- closing and export -------------------------------------------------------------
    def _close(self) -> str:
        self.store.close_session(self.code, self.key)
        self.stop.set()
        return "Session closed. New answers are refused; you can still export."

    def _export(self) -> str:
        data = self.store.export_csv(self.code, self.key)
        rows = self.store.count(self.code, self.key)
        b64 = base64.b64encode(data.encode("utf-8")).decode("ascii")
        name = contract.export_name(self.code)
        self.download.value = (
            f"<a class='pc-download' style='{DOWNLOAD_STYLE}' download='{html.escape(name)}' "
            f"href='data:text/csv;charset=utf-8;base64,{b64}'>Download {html.escape(name)}</a>"
        )
        return f"CSV ready ({rows} answers): use the download button."


def dashboard_app(store=None, base_url: str | None = None) -> Dashboard:
    import os

    return Dashboard(
        store, base_url or os.environ.get("PEERCARE_APPS_URL", "http://127.0.0.1:8866")
    )
