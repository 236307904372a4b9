"""Facilitator dashboard: create or reopen a session, share the code, run the live quiz,
watch the room's aggregates (small groups hidden), close, export.

Only someone with the facilitator key sees anything here; the key is shown once, at
creation, and stored only as a hash.
"""

from __future__ import annotations

import base64
import html
import threading

import ipywidgets as w
import segno

from .. import live
from ..bank import load_all
from . import ui
from .checkin import SCALE
from .state import QUIZ_CURRENT, QUIZ_REVEALED, poll_every

REFRESH_SECONDS = 3.0
PARTICIPANT_APPS = [
    ("Today's session (all activities)", "participant.ipynb"),
    ("Check-in", "checkin.ipynb"),
    ("Live quiz", "live_quiz.ipynb"),
    ("Scenario practice", "scenarios.ipynb"),
    ("Feedback", "feedback.ipynb"),
    ("Wellness plan", "wellness_plan.ipynb"),
]


def tally_table(tally, labels: dict[str, str] | None = None, caption: str = "") -> str:
    """An HTML table of one tally; hidden counts say so in words."""
    labels = labels or {}
    rows = []
    for answer, count in tally.counts.items():
        shown = "hidden (small group)" if count is None else str(count)
        rows.append(
            f"<tr><th scope='row'>{html.escape(labels.get(answer, answer))}</th>"
            f"<td>{shown}</td></tr>"
        )
    total = "hidden (small group)" if tally.total is None else str(tally.total)
    note = f"<p class='pc-note'>{html.escape(tally.note)}</p>" if tally.note else ""
    return (
        f"<table class='pc-tally'><caption>{html.escape(caption or tally.item)}</caption>"
        f"<thead><tr><th scope='col'>Answer</th><th scope='col'>People</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody><tfoot><tr><th scope='row'>All answers</th>"
        f"<td>{total}</td></tr></tfoot></table>{note}"
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


class Dashboard(w.VBox):
    def __init__(
        self, store=None, base_url: str = "http://127.0.0.1:8866", refresh: float = REFRESH_SECONDS
    ):
        self.store = store or ui.store_from_env()
        self.base_url = base_url
        self.refresh = refresh
        self.code = self.key = None
        self.banks = load_all()
        self.note = ui.notice()
        self.session_box = w.VBox(layout=ui.WIDE)
        self.views = {
            name: w.HTML(layout=ui.WIDE) for name in ("checkin", "quiz", "scenario", "feedback")
        }
        self.stop = threading.Event()
        self._shown: dict[tuple, tuple[int, str]] = {}
        super().__init__([ui.heading("Facilitator dashboard"), self._start_form(), self.note,
                          self.session_box, ui.help_box()], layout=ui.WIDE)  # fmt: skip

    # -- creating or reopening ------------------------------------------------------------
    def _start_form(self) -> w.Widget:
        title = w.Text(description="Session title", style={"description_width": "initial"},
                       layout={"width": "auto", "max_width": "28rem"})  # fmt: skip
        threshold = w.BoundedIntText(value=5, min=3, max=50, description="Hide groups under",
                                     style={"description_width": "initial"})  # fmt: skip
        create = ui.button("Create session")
        code = w.Text(description="Code", style={"description_width": "initial"},
                      layout={"width": "auto", "max_width": "14rem"})  # fmt: skip
        key = w.Password(description="Facilitator key", style={"description_width": "initial"},
                         layout={"width": "auto", "max_width": "20rem"})  # fmt: skip
        reopen = ui.button("Open session", primary=False)

        def do_create() -> str:
            info, secret = self.store.create_session(title.value, threshold.value)
            self._open(info.code, secret)
            return (
                f"Session created. Write down the facilitator key now; it is shown only "
                f"once: {secret}"
            )

        def do_reopen() -> str:
            info = self.store.session_for_facilitator(code.value, key.value)
            self._open(info.code, key.value)
            return f"Opened “{info.title}”."

        create.on_click(lambda _: ui.guarded(self.note, do_create))
        reopen.on_click(lambda _: ui.guarded(self.note, do_reopen))
        self.start_form = w.VBox([
            ui.heading("Start a new session", 3), title, threshold, create,
            ui.heading("Or open one you started", 3), code, key, reopen,
        ])  # fmt: skip
        return self.start_form

    def _open(self, code: str, key: str) -> None:
        self.code, self.key = code, key
        self.start_form.layout.display = "none"
        close = ui.button("Close session", primary=False)
        export = ui.button("Export responses (CSV)", primary=False)
        self.download = w.HTML()
        close.on_click(lambda _: ui.guarded(self.note, self._close))
        export.on_click(lambda _: ui.guarded(self.note, self._export))
        tabs = w.Tab(children=[self.views["checkin"], self._quiz_panel(), self.views["scenario"],
                               self.views["feedback"]])  # fmt: skip
        for i, name in enumerate(["Check-in", "Live quiz", "Scenarios", "Feedback"]):
            tabs.set_title(i, name)
        self.session_box.children = [
            w.HTML(join_links(self.base_url, code), layout=ui.WIDE),
            ui.paragraph("Counts refresh on their own, in steps of at least the group size, and "
                         "any group smaller than that stays hidden, so no one's answer can be "
                         "picked out."),
            tabs,
            w.HBox([close, export]), self.download,
        ]  # fmt: skip
        self.update()
        threading.Thread(
            target=poll_every, args=(self.refresh, self.update, self.stop.is_set), daemon=True
        ).start()

    # -- live quiz control --------------------------------------------------------------
    def _quiz_panel(self) -> w.Widget:
        options = [
            (f"{b.title}: {q.prompt[:70]}", q.id) for b in self.banks.values() for q in b.questions
        ]
        self.question = w.Dropdown(options=options, description="Question",
                                   style={"description_width": "initial"}, layout=ui.WIDE)  # fmt: skip
        ask, reveal = ui.button("Ask the room"), ui.button("Reveal the answer", primary=False)

        def do_ask() -> str:
            self.store.set_state(self.code, self.key, QUIZ_CURRENT, self.question.value)
            self.store.set_state(self.code, self.key, QUIZ_REVEALED, "")
            return "Asked. Answers appear below once enough people have answered."

        def do_reveal() -> str:
            self.store.set_state(self.code, self.key, QUIZ_REVEALED, self.question.value)
            return "Revealed on everyone's screen."

        ask.on_click(lambda _: ui.guarded(self.note, do_ask))
        reveal.on_click(lambda _: ui.guarded(self.note, do_reveal))
        return w.VBox([self.question, w.HBox([ask, reveal]), self.views["quiz"]])

    def _question(self, question_id):
        for bank in self.banks.values():
            for q in bank.questions:
                if q.id == question_id:
                    return q
        return None

    # -- aggregates ---------------------------------------------------------------------
    def _publish(self, key: tuple, tally, labels: dict | None, caption: str) -> str:
        """The table to show for ``key``: it changes only when at least ``threshold`` new
        answers came in since it was last shown, so comparing two refreshes can never
        reveal one person's answer."""
        total = tally.total or 0
        shown = self._shown.get(key)
        if shown is None or total - shown[0] >= tally.threshold:
            self._shown[key] = (total, tally_table(tally, labels, caption))
        return self._shown[key][1]

    def update(self) -> None:
        code, key = self.code, self.key
        arrival = live.tally(self.store, code, key, "checkin", "arrival", [v for _, v in SCALE])
        self.views["checkin"].value = self._publish(("checkin", "arrival"), arrival,
                                                    {v: k for k, v in SCALE},
                                                    "How people are arriving")  # fmt: skip
        current = self.store.get_state(code, QUIZ_CURRENT)
        q = self._question(current)
        if q is None:
            self.views["quiz"].value = "<p>No question asked yet.</p>"
        else:
            t = live.tally(self.store, code, key, "quiz", q.id, None)
            labels = {o.id: o.text for o in q.options}
            revealed = self.store.get_state(code, QUIZ_REVEALED) == q.id
            explain = "".join(
                f"<li><strong>{html.escape(o.text)}</strong>{' (right)' if o.correct else ''}: "
                f"{html.escape(o.feedback)}</li>" for o in q.options
            ) if revealed else ""  # fmt: skip
            self.views["quiz"].value = self._publish(("quiz", q.id), t, labels, q.prompt) + (
                f"<ul>{explain}</ul>" if explain else ""
            )
        self.views["scenario"].value = self._scenario_tables()
        self.views["feedback"].value = self._feedback_tables()

    def _scenario_tables(self) -> str:
        from ..scenarios import load_all_scenarios

        parts = []
        for sc in load_all_scenarios():
            for step in sc.steps:
                t = live.tally(self.store, self.code, self.key, "scenario", f"{sc.id}:{step.id}",
                               [c.id for c in step.choices])  # fmt: skip
                if t.total is None and not any(t.counts.values()):
                    continue
                parts.append(self._publish(("scenario", sc.id, step.id), t,
                                           {c.id: c.text for c in step.choices},
                                           f"{sc.title}: {step.text[:80]}"))  # fmt: skip
        return "".join(parts) or "<p>No scenario choices yet (or too few to show).</p>"

    def _feedback_tables(self) -> str:
        from .feedback import REACTION

        parts = [
            tally_table(
                live.tally(
                    self.store,
                    self.code,
                    self.key,
                    "feedback",
                    f"reaction/{item.id}",
                    [str(v) for v in REACTION.scale_values],
                ),
                REACTION.scale_labels,
                item.text,
            )  # fmt: skip
            for item in REACTION.items
        ]
        return "".join(parts)

    # -- closing and export -------------------------------------------------------------
    def _close(self) -> str:
        self.store.close_session(self.code, self.key)
        self.stop.set()
        return "Session closed. New answers are refused; you can still export."

    def _export(self) -> str:
        data = self.store.export_csv(self.code, self.key)
        b64 = base64.b64encode(data.encode("utf-8")).decode("ascii")
        self.download.value = (
            f"<a download='session-{html.escape(self.code)}.csv' "
            f"href='data:text/csv;charset=utf-8;base64,{b64}'>Download the CSV file</a>"
        )
        return "Your CSV file is ready: use the download link."


def dashboard_app(store=None, base_url: str | None = None) -> Dashboard:
    import os

    return Dashboard(
        store, base_url or os.environ.get("PEERCARE_APPS_URL", "http://127.0.0.1:8866")
    )
