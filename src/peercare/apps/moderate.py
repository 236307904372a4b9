"""The facilitator's moderation queue for what participants write: anonymous questions and
feedback comments.

Nothing written reaches the room screen (questions) or the dashboard's list of comments
until the facilitator approves it. Each waiting text shows with its flags
(:func:`peercare.moderation.flags`: names, numbers, addresses, strong words) so they can be seen
before approving; **Hide** takes it out of the queue for good. Decisions are session
state (:data:`~peercare.apps.state.MODERATION`: row ids only, never text), so a reopened
dashboard keeps them. With a ``threshold`` (feedback comments), the queue shows nothing
until that many people have written, and then only the texts of the first ``k *
threshold`` writers (the rule of :func:`peercare.live.sensitive`), so a comment cannot be
matched to the person who just pressed Send.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable

import ipywidgets as w

from .. import contract
from ..moderation import flags
from . import ui
from .state import MODERATION

APPROVED, HIDDEN = "approved", "hidden"
QUEUE_CSS = """
<style>
.pc-mod-text { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 1.05rem;
  margin: 0.25rem 0; }
.pc-mod-flag { background: #fff4d6; border-left: 6px solid #8a5a00; color: #1f1f1f;
  padding: 0.25rem 0.5rem; margin: 0.25rem 0; }
.pc-mod-card { border: 1px solid #8c8c8c; border-radius: 6px; padding: 0.5rem 0.75rem;
  margin: 0.5rem 0; }
.pc-mod-shown li { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.25rem 0; }
</style>
"""


def decisions(store, code: str) -> dict[str, set[int]]:
    """The facilitator's decisions so far: row ids approved and hidden."""
    try:
        data = json.loads(store.get_state(code, MODERATION) or "{}")
    except ValueError:
        data = {}
    return {k: {int(i) for i in data.get(k, ())} for k in (APPROVED, HIDDEN)}


def decide(store, code: str, key: str, row_id: int, verdict: str) -> None:
    """Approve or hide one row (its id); the other verdict is taken back."""
    mod = decisions(store, code)
    other = HIDDEN if verdict == APPROVED else APPROVED
    mod[verdict].add(int(row_id))
    mod[other].discard(int(row_id))
    value = json.dumps({k: sorted(v) for k, v in mod.items()}, separators=(",", ":"))
    store.set_state(code, key, MODERATION, value)


def first_writers(rows: list[dict], threshold: int) -> tuple[list[dict], int]:
    """The rows of the first ``k * threshold`` people who wrote (in the order they first
    wrote), and how many people wrote in all."""
    order: dict[str, int] = {}
    for r in rows:
        order.setdefault(r["respondent"], len(order))
    n = len(order)
    covered = n - n % threshold
    return [r for r in rows if order[r["respondent"]] < covered], n


def newest_that_fit(texts: list[str], limit: int = contract.ANSWER_MAX) -> list[str]:
    """As many of ``texts`` (newest first) as fit in one session state value."""
    kept: list[str] = []
    for text in texts:
        if len(json.dumps([*kept, text], ensure_ascii=False)) > limit:
            break
        kept.append(text)
    return kept


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ModerationQueue(w.VBox):
    """Waiting texts with their flags and Approve / Hide buttons; the approved ones below.

    ``update(rows)`` takes the app's rows (``Store.responses``: id, respondent, answer);
    ``on_approved(texts)`` is called with the approved texts, newest first, after each
    decision."""

    def __init__(
        self,
        store,
        code: str,
        key: str,
        *,
        noun: str,
        shown_title: str,
        threshold: int | None = None,
        on_approved: Callable[[list[str]], None] | None = None,
        approved_note: str = "Approved: it is in the list below.",
    ):
        self.approved_note = approved_note
        self.store, self.code, self.key = store, code, key
        self.noun, self.threshold, self.on_approved = noun, threshold, on_approved
        self.shown_title = shown_title
        self.status = w.HTML(layout=ui.WIDE)
        self.waiting = w.VBox(layout=ui.WIDE)
        self.shown = w.HTML(layout=ui.WIDE)
        self.take_pick = w.Dropdown(description="Approved by mistake?",
                                    style={"description_width": "initial"},
                                    layout={"width": "auto", "max_width": "30rem"})  # fmt: skip
        take_off = ui.button("Take it off", primary=False)
        take_off.on_click(lambda _: ui.guarded(self.note, self.take_off))
        self.take_row = w.HBox([self.take_pick, take_off],
                               layout={"flex_flow": "row wrap", "align_items": "center"})  # fmt: skip
        self.take_row.layout.display = "none"
        self.note = ui.notice()
        self._rows: list[dict] = []
        self._drawn = None
        self.waiting_count = 0
        super().__init__(
            [w.HTML(QUEUE_CSS), self.status, self.note, self.waiting, self.shown, self.take_row],
            layout=ui.WIDE,
        )

    def update(self, rows: list[dict]) -> None:
        self._rows = list(rows)
        visible, writers = self._rows, len({r["respondent"] for r in self._rows})
        if self.threshold is not None:
            visible, writers = first_writers(self._rows, self.threshold)
        mod = decisions(self.store, self.code)
        waiting = [r for r in visible if r["id"] not in mod[APPROVED] | mod[HIDDEN]]
        approved = [r for r in visible if r["id"] in mod[APPROVED]]
        self.waiting_count = len(waiting)
        self.status.value = f"<p>{html.escape(self._status(writers, len(visible), waiting))}</p>"
        drawn = ([r["id"] for r in waiting], [r["id"] for r in approved])
        if drawn == self._drawn:
            return
        self._drawn = drawn
        self.waiting.children = [self._card(r) for r in waiting]
        items = "".join(
            f"<li>{html.escape(r['answer'])}</li>" for r in reversed(approved)
        )  # newest first
        self.shown.value = (
            f"<h4>{html.escape(self.shown_title)}</h4><ul class='pc-mod-shown'>{items}</ul>"
            if approved
            else ""
        )
        self.take_pick.options = [(_short(r["answer"]), r["id"]) for r in reversed(approved)]
        self.take_pick.value = approved[-1]["id"] if approved else None
        self.take_row.layout.display = None if approved else "none"

    def take_off(self) -> str:
        """Hide an approved text again (it leaves the list, and the room screen)."""
        if self.take_pick.value is None:
            return "Nothing is approved."
        self.decide(self.take_pick.value, HIDDEN)
        return "Taken off: it is no longer shown."

    def _status(self, writers: int, visible: int, waiting: list[dict]) -> str:
        plural = f"{self.noun}s"
        if not self._rows:
            return f"No {plural} yet."
        if self.threshold is not None and not visible:
            return (
                f"{len(self._rows)} {plural if len(self._rows) != 1 else self.noun} so far. "
                f"They show here once {self.threshold} people have written one, so no one's "
                "words can be picked out."
            )
        held = writers - len({r["respondent"] for r in self._visible()})
        parts = [f"{len(waiting)} waiting for you." if waiting else "Nothing waiting."]
        if held:
            parts.append(
                f"{held} more {'person has' if held == 1 else 'people have'} written; their "
                f"{plural} show once {writers - held + (self.threshold or 0)} people have "
                "written, so no one's words can be picked out."
            )
        parts.append("Only what you approve is shown. Check the flags before you approve.")
        return " ".join(parts)

    def _visible(self) -> list[dict]:
        if self.threshold is None:
            return self._rows
        return first_writers(self._rows, self.threshold)[0]

    def _card(self, row: dict) -> w.Widget:
        found = flags(row["answer"])
        warn = (
            "<p class='pc-mod-flag'>⚠ Check before approving: it may hold "
            f"{html.escape('; '.join(found))}.</p>"
            if found
            else ""
        )
        text = w.HTML(
            f"<div class='pc-mod-card'><p class='pc-mod-text'>{html.escape(row['answer'])}</p>"
            f"{warn}</div>",
            layout=ui.WIDE,
        )
        approve, hide = ui.button("Approve"), ui.button("Hide", primary=False)
        approve.layout.margin = "0 0.75rem 0 0"
        approve.on_click(lambda _: ui.guarded(self.note, lambda: self.decide(row["id"], APPROVED)))
        hide.on_click(lambda _: ui.guarded(self.note, lambda: self.decide(row["id"], HIDDEN)))
        box = w.VBox([text, w.HBox([approve, hide], layout={"flex_flow": "row wrap"})])
        box.add_class("pc-mod-item")
        return box

    def decide(self, row_id: int, verdict: str) -> str:
        known = {r["id"] for r in self._visible()}
        if row_id not in known:  # a forged message about a row the queue does not show
            return "That one is no longer in the queue."
        decide(self.store, self.code, self.key, row_id, verdict)
        self._drawn = None
        self.update(self._rows)
        if self.on_approved is not None:
            approved = decisions(self.store, self.code)[APPROVED]
            texts = [r["answer"] for r in reversed(self._visible()) if r["id"] in approved]
            self.on_approved(texts)
        return self.approved_note if verdict == APPROVED else "Hidden: it will not be shown."
