"""The check-in's one-word answers as a word cloud that protects people.

A word shows only once at least the threshold of people gave it (:func:`peercare.live.word_cloud`:
counted in steps of the threshold, the rest as "other"). Words the moderation list holds
back (:func:`peercare.moderation.word_flags`: names, numbers, addresses, strong words) are never
shown; the facilitator can hide any other word (kept as a short hash in session state
:data:`~peercare.apps.state.CLOUD_HIDDEN`, never the word). The cloud reaches the room
screen only when the facilitator puts it there (:data:`~peercare.apps.state.ROOM_CLOUD`
then holds the shown words and their sizes, nothing else). It is plain HTML: sized words
in a list.
"""

from __future__ import annotations

import hashlib
import html
import json
import math

import ipywidgets as w

from .. import contract, live
from ..moderation import cloud_word, crisis, word_flags
from . import ui
from .state import CLOUD_HIDDEN, ROOM_CLOUD

SIZES = (1.0, 1.5, 2.1, 2.8)  # rem, by how many people gave the word (relative to the most)
CLOUD_CSS = """
<style>
.pc-cloud { list-style: none; padding: 0; margin: 0.5rem 0; display: flex; flex-wrap: wrap;
  gap: 0.25rem 1rem; align-items: baseline; }
.pc-cloud li { color: #1a4f8b; font-weight: 600; overflow-wrap: anywhere; line-height: 1.2; }
.pc-cloud li.pc-cloud-other { color: #4a4a4a; font-weight: 400; font-style: italic; }
</style>
"""


def word_hash(word: str) -> str:
    return hashlib.sha256(word.encode("utf-8")).hexdigest()[:16]


def first_words(rows: list[dict]) -> list[str]:
    """Each person's first check-in word, folded (``Tired!`` and ``tired`` are one)."""
    per: dict[str, str] = {}
    for r in rows:
        per.setdefault(r["respondent"], cloud_word(r["answer"]))
    return [w for w in per.values() if w]


def levels(shown: dict[str, int]) -> list[tuple[str, int]]:
    """Each shown word with its size (1 to len(SIZES)), alphabetical."""
    most = max(shown.values(), default=1)
    top = len(SIZES)
    return [(word, max(1, math.ceil(top * n / most))) for word, n in sorted(shown.items())]


def cloud_html(words: list[tuple[str, int]], other: str = "") -> str:
    """Sized words as a list (escaped); ``other``, when given, as a last plain item."""
    items = "".join(
        f"<li style='font-size:{SIZES[min(max(int(level), 1), len(SIZES)) - 1]}rem'>"
        f"{html.escape(str(word))}</li>"
        for word, level in words
    )
    if other:
        items += f"<li class='pc-cloud-other'>{html.escape(other)}</li>"
    return f"{CLOUD_CSS}<ul class='pc-cloud' aria-label='Check-in words'>{items}</ul>"


def room_cloud(store, code: str) -> list[tuple[str, int]] | None:
    """What the facilitator put on the room screen (None when the cloud is not shown)."""
    raw = store.get_state(code, ROOM_CLOUD) or ""
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(data, list):
        return None
    return [(str(w), int(n)) for w, n in data if isinstance(n, int)]


class CloudPanel(w.VBox):
    """The dashboard's word cloud, with Hide, Show again and the room-screen switch."""

    def __init__(self, store, code: str, key: str):
        self.store, self.code, self.key = store, code, key
        self.view = w.HTML(layout=ui.WIDE)
        self.pick = w.Dropdown(description="Word", style={"description_width": "initial"},
                               layout={"width": "auto", "max_width": "20rem"})  # fmt: skip
        hide = ui.button("Hide this word", primary=False)
        unhide = ui.button("Show hidden words again", primary=False)
        self.room = ui.button("Show on the room screen", primary=False)
        self.note = ui.Notice(layout={"width": "auto", "margin": "0 0 0 0.75rem"})
        self.note.clear()
        hide.on_click(lambda _: ui.guarded(self.note, self.hide))
        unhide.on_click(lambda _: ui.guarded(self.note, self.unhide))
        self.room.on_click(lambda _: ui.guarded(self.note, self.toggle_room))
        self._rows: list[dict] = []
        self._threshold = contract.THRESHOLD_DEFAULT
        self.shown: dict[str, int] = {}
        row = w.HBox([self.pick, hide, unhide, self.room, self.note],
                     layout={"flex_flow": "row wrap", "align_items": "center"})  # fmt: skip
        super().__init__([ui.heading("Check-in words", 4), self.view, row], layout=ui.WIDE)

    def _hidden(self) -> set[str]:
        try:
            return set(json.loads(self.store.get_state(self.code, CLOUD_HIDDEN) or "[]"))
        except ValueError:
            return set()

    def _on_room(self) -> bool:
        return bool(self.store.get_state(self.code, ROOM_CLOUD))

    def update(self, rows: list[dict] | None = None, threshold: int | None = None) -> None:
        if rows is not None:
            self._rows, self._threshold = rows, threshold or self._threshold
        hidden = self._hidden()
        cloud = live.word_cloud(
            first_words(self._rows), self._threshold,
            lambda word: bool(word_flags(word)) or word_hash(word) in hidden,
        )  # fmt: skip
        self.shown = cloud.shown
        other = f"other: {cloud.other}" if cloud.other and (cloud.shown or hidden) else ""
        body = cloud_html(levels(cloud.shown), other) if cloud.shown else ""
        extra = " Names, numbers, addresses and strong words that may hurt someone are never shown."
        if any(crisis(word) for word in first_words(self._rows)):
            extra += (
                " A check-in word may be about harm. Remind everyone of 988, and that you"
                " are here after."
            )
        if hidden:
            extra += f" You hid {len(hidden)} {'word' if len(hidden) == 1 else 'words'}."
        self.view.value = f"{body}<p class='pc-note'>{html.escape(cloud.note + extra)}</p>"
        options = sorted(cloud.shown)
        if list(self.pick.options) != options:
            self.pick.options = options
            self.pick.value = options[0] if options else None
        on = self._on_room()
        self.room.description = "Take off the room screen" if on else "Show on the room screen"
        if on:
            self._publish()

    def _publish(self) -> None:
        value = json.dumps(levels(self.shown), ensure_ascii=False, separators=(",", ":"))
        value = value if len(value) <= contract.ANSWER_MAX else "[]"
        if self.store.get_state(self.code, ROOM_CLOUD) != value:
            self.store.set_state(self.code, self.key, ROOM_CLOUD, value)

    def hide(self) -> str:
        word = self.pick.value
        if word not in self.shown:
            return "Pick a shown word first."
        hidden = sorted(self._hidden() | {word_hash(word)})
        self.store.set_state(self.code, self.key, CLOUD_HIDDEN, json.dumps(hidden))
        self.update()
        return "Hidden, here and on the room screen."

    def unhide(self) -> str:
        self.store.set_state(self.code, self.key, CLOUD_HIDDEN, "[]")
        self.update()
        return "Hidden words show again where enough people gave them."

    def toggle_room(self) -> str:
        if self._on_room():
            self.store.set_state(self.code, self.key, ROOM_CLOUD, "")
            self.update()
            return "The room screen no longer shows the words."
        self.store.set_state(self.code, self.key, ROOM_CLOUD, "[]")  # on, then fill it
        self.update()
        return "The room screen shows the words now."
