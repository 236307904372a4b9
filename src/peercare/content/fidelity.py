"""The fidelity checklist: ``book/facilitators/fidelity.yml``, what an observer checks.

Items have ids, so the same items can be printed on paper, shown on the book page
(:func:`render_html`) and scored for an observed teach-back (:func:`score`). Each item is
in one part: ``ask before`` (asked of the trainer before the session) or ``watch in the
room``. ``safety: true`` items must be seen whenever they come up. The pass rule: at least
``watch_percent`` of the watch items that applied were seen, and every safety item that
applied was seen. A mark is ``seen``, ``not seen`` or ``n/a``.

Example::

    title: Fidelity checklist
    watch_percent: 80
    items:
      - id: choice-said
        part: watch in the room
        safety: true
        text: Said that anyone may step out, pass, or just listen, with no reason.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from pydantic import Field

from ..paths import book_dir
from . import schema
from .schema import Id, ProblemsError, Strict, Text, read_text

FIDELITY_FILE = Path("facilitators") / "fidelity.yml"  # under book/
HEADER = ("Observer", "Trainer observed", "Plan", "Segment", "Date")


class FidelityError(ProblemsError):
    """The checklist, or a scoring of it, is broken; one line per problem."""


class Part(StrEnum):
    before = "ask before"
    watch = "watch in the room"


class Mark(StrEnum):
    seen = "seen"
    not_seen = "not seen"
    na = "n/a"


PART_HEADINGS = {
    Part.before: ("Ask the trainer (before the session)", ("Yes", "No", "N/A")),
    Part.watch: ("Watch (in the room)", ("Seen", "Not seen", "N/A")),
}


class Item(Strict):
    id: Id
    part: Part
    text: Text
    safety: bool = False
    always: bool = False  # it comes up in every session and every observed part: never n/a


class Checklist(Strict):
    title: Text
    watch_percent: int = Field(ge=1, le=100)
    items: list[Item] = Field(min_length=1)

    def part(self, part: Part) -> list[Item]:
        return [i for i in self.items if i.part == part]


class Result(NamedTuple):
    passed: bool
    watch_seen: int  # watch items seen
    watch_applied: int  # watch items not marked n/a
    reasons: list[str]  # why it did not pass (empty when it passed)


def parse_fidelity(text: str, source: Path | str) -> Checklist:
    """Parse and check the checklist's YAML text (``source`` names it in messages)."""
    shape = "the checklist is a mapping with 'title' and 'items'"
    checklist = schema.parse(text, Checklist, source, FidelityError, shape=shape)
    problems, seen = [], set()
    for item in checklist.items:
        if item.id in seen:
            problems.append(f"{source}: item {item.id!r}: id is used twice")
        seen.add(item.id)
    for part in Part:
        if not checklist.part(part):
            problems.append(f"{source}: items: no item is in the part {part.value!r}")
    if problems:
        raise FidelityError(problems)
    return checklist


def load_fidelity(root: Path | None = None) -> Checklist:
    """The shipped checklist, ``book/facilitators/fidelity.yml``."""
    path = book_dir(root) / FIDELITY_FILE
    return parse_fidelity(read_text(path, "fidelity checklist", FidelityError), path)


def score(checklist: Checklist, marks: Mapping[str, str]) -> Result:
    """Apply the pass rule to an observer's marks, one per item id."""
    problems = []
    known = {i.id for i in checklist.items}
    problems += [f"{i!r} is not an item of the checklist" for i in marks if i not in known]
    parsed: dict[str, Mark] = {}
    for item in checklist.items:
        value = marks.get(item.id)
        try:
            parsed[item.id] = Mark(str(value).strip().casefold())
        except ValueError:
            problems.append(
                f"item {item.id!r}: "
                + ("has no mark" if value is None else f"{value!r} is not a mark")
                + " (use seen, not seen or n/a)"
            )
    problems += [
        f"item {i.id!r} applies to every part that is observed: mark it seen or not seen"
        for i in checklist.items
        if i.always and parsed.get(i.id) == Mark.na
    ]
    if problems:
        raise FidelityError(problems)
    watch = [i for i in checklist.part(Part.watch) if parsed[i.id] != Mark.na]
    seen = sum(parsed[i.id] == Mark.seen for i in watch)
    reasons = [
        f"safety item {i.id!r} came up and was not seen"
        for i in checklist.items
        if i.safety and parsed[i.id] == Mark.not_seen
    ]
    if not watch:
        reasons.append("no watch item applied: observe a longer part of the session")
    elif seen * 100 < checklist.watch_percent * len(watch):
        reasons.append(
            f"{seen} of {len(watch)} watch items seen; at least "
            f"{checklist.watch_percent}% are needed"
        )
    return Result(not reasons, seen, len(watch), reasons)


def pass_rule(checklist: Checklist) -> str:
    return (
        f"To pass: at least {checklist.watch_percent}% of the watch items that applied are "
        "seen (N/A items are left out), and every safety item that came up is seen. "
        "Items marked always are never N/A."
    )


def render_html(checklist: Checklist) -> str:
    """The checklist as HTML for its page and handout: a header to fill in, the two parts
    with a box per mark and a notes column, and the pass rule. Every text is escaped."""
    e = html.escape
    out = ['<div class="pcfidelity pc-checklist">', '<table class="pcfid-header"><tbody>']
    out += [f"<tr><th>{e(h)}</th><td>&nbsp;</td></tr>" for h in HEADER]
    out.append("</tbody></table>")
    for part in Part:
        heading, marks = PART_HEADINGS[part]
        out.append(f"<h3>{e(heading)}</h3>")
        cols = "".join(f"<th>{m}</th>" for m in marks)
        out.append(f"<table><thead><tr><th>Item</th>{cols}<th>Notes</th></tr></thead><tbody>")
        for item in checklist.part(part):
            flag = ' <strong class="pcfid-safety">(safety)</strong>' if item.safety else ""
            flag += ' <strong class="pcfid-always">(always)</strong>' if item.always else ""
            boxes = "<td>&#9744;</td>" * len(marks)
            out.append(
                f'<tr id="fid-{e(item.id)}"><td>{e(item.text)}{flag}</td>{boxes}'
                '<td class="pcfid-notes">&nbsp;</td></tr>'
            )
        out.append("</tbody></table>")
    out.append(f'<p class="pcfid-pass"><strong>{e(pass_rule(checklist))}</strong></p>')
    out.append("</div>")
    return "\n".join(out)


def checklist_text(checklist: Checklist) -> str:
    """The words of the checklist, for the reading-grade check."""
    return "\n".join([pass_rule(checklist), *(i.text for i in checklist.items)])
