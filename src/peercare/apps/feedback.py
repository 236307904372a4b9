"""End-of-session feedback. Two forms, chosen per session by the facilitator (session
state :data:`~peercare.apps.state.FEEDBACK_FORM`):

* **short** (the default): five of the reaction survey's ratings
  (:data:`peercare.contract.SHORT_FEEDBACK_ITEMS`) and one optional text; under a minute;
* **full**: the reaction ratings, then-and-now confidence on the five topics, and two texts.

Questions come from the kit's own instruments (peercare.content.instruments), so what is stored
lines up with the evaluation kit whichever form was used. Every question may be skipped.

Stored with the instruments' own item ids (the retrospective ratings with time ``then``
or ``now``), so an export loads straight into the evaluation kit; the page's random token
groups one person's answers without saying who they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w

from .. import contract
from ..content.instruments import Instrument, load_instrument
from . import ui
from .questions import HELP_NOW
from .state import FEEDBACK_FORM

TEXT_LIMIT = contract.ANSWER_MAX


@dataclass(frozen=True)
class RatingSet:
    """An instrument's rated items with its scale, as the app and dashboard need them."""

    instrument: Instrument

    @property
    def items(self):
        return [i for i in self.instrument.items if not i.is_choice]

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.instrument.scale.min, self.instrument.scale.max + 1))

    @property
    def scale_labels(self) -> dict[str, str]:
        labels = self.instrument.scale.labels
        return {str(v): f"{v} · {labels[v]}" if v in labels else str(v) for v in self.scale_values}


REACTION, RETROSPECTIVE = (RatingSet(load_instrument(i)) for i in contract.FEEDBACK_INSTRUMENTS)


def _rating(text: str, ratings: RatingSet) -> w.RadioButtons:
    options = [(label, value) for value, label in ratings.scale_labels.items()]
    return w.RadioButtons(options=options, value=None, description="", layout=ui.WIDE)


def session_form(store, code: str) -> str:
    """The feedback form the session asks for (short unless the facilitator chose full)."""
    form = store.get_state(code, FEEDBACK_FORM)
    return form if form in contract.FEEDBACK_FORMS else contract.FEEDBACK_SHORT


def short_items():
    """The short form's rated items, in the reaction survey's order."""
    return [i for i in REACTION.items if i.id in contract.SHORT_FEEDBACK_ITEMS]


def free_texts(form: str):
    """The free-text items a form asks (the short form: one)."""
    texts = REACTION.instrument.free_text
    if form == contract.FEEDBACK_SHORT:
        return [t for t in texts if t.id == contract.SHORT_FEEDBACK_TEXT]
    return list(texts)


def feedback_panel(seat: ui.Seat, form: str | None = None) -> w.VBox:
    """The feedback form of the session (``form`` overrides it: ``short`` or ``full``)."""
    form = form or session_form(seat.store, seat.code)
    short = form == contract.FEEDBACK_SHORT
    fields: list[tuple[str, str | None, w.Widget]] = []
    parts: list[w.Widget] = [ui.heading("About today", 3)]
    if short:
        parts.append(ui.paragraph("Five quick questions and one box to write in. Skip any."))
    for item in short_items() if short else REACTION.items:
        radios = _rating(item.text, REACTION)
        parts += [ui.paragraph(item.text), radios]
        fields.append((contract.feedback_item(item.id), None, radios))
    if not short:
        parts.append(
            ui.heading("How sure were you before the training, and how sure are you now?", 3)
        )
        for item in RETROSPECTIVE.items:
            parts.append(ui.paragraph(item.text))
            for time in RETROSPECTIVE.instrument.times:
                radios = _rating(item.text, RETROSPECTIVE)
                label = "Before the training:" if time == "then" else "Now:"
                parts += [ui.paragraph(label), radios]
                fields.append((contract.feedback_item(item.id), time, radios))
    for free in free_texts(form):
        box = w.Textarea(
            placeholder="Optional. Please leave out names, phone numbers and addresses.",
            layout={**ui.WIDE, "height": "6rem"},
        )
        parts += [ui.paragraph(f"{free.text} (optional)"), box, ui.paragraph(HELP_NOW)]
        fields.append((contract.feedback_item(free.id), None, box))
    send = ui.button("Send my feedback")
    note = ui.notice()

    def submit() -> str | None:
        answers = [
            (item, str(f.value).strip(), time)
            for item, time, f in fields
            if f.value is not None and str(f.value).strip()
        ]
        if not answers:
            return note.say(
                "Answer at least one question, or close this page. Both are okay.", "error"
            )
        too_long = [item for item, value, _ in answers if len(value) > TEXT_LIMIT]
        if too_long:
            return note.say(f"Please keep each comment under {TEXT_LIMIT} characters.", "error")
        seat.add(contract.FEEDBACK, answers, once=contract.FEEDBACK)
        send.disabled = True
        wrote = any(isinstance(f, w.Textarea) and str(f.value).strip() for _, _, f in fields)
        said = " Your trainer reads what you wrote later. It is never put on the room screen."
        said = said if wrote else ""
        return "Received. Thank you: your feedback shapes the next session." + said

    send.on_click(lambda _: ui.guarded(note, submit))
    return w.VBox([*parts, send, note], layout=ui.WIDE)


def feedback_app(store=None) -> w.VBox:
    return ui.joined_app("Feedback", store or ui.store_from_env(), feedback_panel,
                         "Anonymous: no names are kept.")  # fmt: skip
