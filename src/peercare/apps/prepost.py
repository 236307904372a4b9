"""The pre/post knowledge test, taken in a live session (the first and the last).

A participant makes up a private code (not a name), says whether this is the first or the
last session, and answers one form of the test (:mod:`peercare.content.prepost_forms`). No answer
is shown or explained: it is a measure, not practice.

Pairing without names: the same private code gives the same respondent token (a one-way
hash of the code), so a person's "pre" answers in the first session's export and "post"
answers in the last one's line up in the evaluation kit. The code also counterbalances the
forms: half the codes take form A first and B last, half the other way round.

Shared names (store app name, time points, token format) are the live-session contract's
(:mod:`peercare.contract`).
"""

from __future__ import annotations

import hashlib
import re

import ipywidgets as w

from ..content.prepost_forms import FORM_NAMES, load_forms
from ..contract import PREPOST as APP
from ..contract import PREPOST_TIMES as TIMES
from ..contract import PREPOST_TOKEN_PREFIX as TOKEN_PREFIX
from ..contract import PREPOST_TOKEN_SALT as TOKEN_SALT
from . import ui

CODE_MIN = 4
CODE_MAX = 40
TIME_LABELS = {
    "pre": "This is the first session (before the training)",
    "post": "This is the last session (after the training)",
}


class CodeRefused(ValueError):
    """The private code cannot be used; the message says why, for the participant."""


def normalize_code(code: str) -> str:
    """Case and spacing do not matter: ``' Blue  River 7 '`` -> ``'blue river 7'``."""
    return " ".join(str(code).lower().split())


def check_code(code: str) -> str:
    norm = normalize_code(code)
    if len(norm) < CODE_MIN:
        raise CodeRefused(f"Make your code at least {CODE_MIN} letters or numbers long.")
    if len(norm) > CODE_MAX:
        raise CodeRefused(f"Keep your code under {CODE_MAX} characters.")
    if re.search(r"@|\d{7,}", norm):
        raise CodeRefused("Please do not use an email address or a phone number as your code.")
    return norm


def token_for(code: str) -> str:
    """The respondent token for a private code: the same code, the same token."""
    digest = hashlib.sha256((TOKEN_SALT + check_code(code)).encode("utf-8")).hexdigest()
    return TOKEN_PREFIX + digest[:20]


def form_for(token: str, time: str) -> str:
    """Counterbalancing: the token picks A-then-B or B-then-A."""
    if time not in TIMES:
        raise ValueError(f"time is one of {TIMES}")
    first = FORM_NAMES[int(token.removeprefix(TOKEN_PREFIX), 16) % len(FORM_NAMES)]
    return first if time == TIMES[0] else next(f for f in FORM_NAMES if f != first)


def prepost_panel(seat: ui.Seat) -> w.VBox:
    forms = load_forms()
    code = w.Password(placeholder="Your private code", layout=ui.WIDE)
    time = w.RadioButtons(
        options=[(label, t) for t, label in TIME_LABELS.items()], value=None, layout=ui.WIDE
    )
    start = ui.button("Start")
    note = ui.notice()
    holder = w.VBox(layout=ui.WIDE)
    intro = [
        ui.paragraph(
            "Make up a private code that you will remember at the last session, like a word "
            "and a number. Do not use your name, birthday or phone number. The same code "
            "lets us compare your first and last answers without knowing who you are."
        ),
        code,
        ui.paragraph("Which session is this?"),
        time,
        start,
    ]
    state: dict = {}

    def begin() -> str | None:
        if time.value is None:
            return note.say("Please choose the first or the last session.", "error")
        try:
            token = token_for(code.value)
        except CodeRefused as exc:
            return note.say(str(exc), "error")
        form = forms[form_for(token, time.value)]
        radios = []
        parts: list[w.Widget] = [ui.paragraph(form.intro_for(len(form.questions)))]
        for n, q in enumerate(form.questions, 1):
            if q.scenario:
                parts.append(ui.paragraph(q.scenario))
            parts.append(ui.paragraph(f"{n}. {q.prompt}"))
            choice = w.RadioButtons(
                options=[(o.text, o.id) for o in q.options], value=None, layout=ui.WIDE
            )
            radios.append((q.id, choice))
            parts.append(choice)
        send = ui.button("Send my answers")
        send.on_click(lambda _: ui.guarded(note, submit))
        state.update(token=token, time=time.value, radios=radios, send=send)
        code.disabled = time.disabled = start.disabled = True
        holder.children = [*parts, send]
        return f"Form {form_for(token, time.value).upper()}. Skip any question you like."

    def submit() -> str | None:
        answers = [(item, choice.value) for item, choice in state["radios"] if choice.value]
        if not answers:
            return note.say("Answer at least one question, or close this page.", "error")
        seat.store.add_responses(
            seat.code, APP, answers, respondent=state["token"], time=state["time"]
        )
        state["send"].disabled = True
        for _, choice in state["radios"]:
            choice.disabled = True
        return "Received. Thank you. You will not see a score: this helps us improve the training."

    start.on_click(lambda _: ui.guarded(note, begin))
    return w.VBox([*intro, holder, note], layout=ui.WIDE)


def prepost_app(store=None) -> w.VBox:
    return ui.joined_app("Knowledge test", store or ui.store_from_env(), prepost_panel,
                         "Not a grade: it helps us improve the training.")  # fmt: skip
