"""Where to find support: ``data/support.yml``, validated, rendered as escaped HTML.

The book page ``book/support/index.md`` shows it group by group; the apps' help links
call :func:`support_html`. A broken file raises :class:`SupportFileError`, whose lines
name the file, the entry and the field.
"""

from __future__ import annotations

import datetime as dt
import html
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator

from ..paths import SUPPORT_FILE
from . import schema
from .schema import Id, ProblemsError, Strict, Text, read_text

_HREF_SCHEMES = ("https://", "http://", "tel:", "sms:")


class SupportFileError(ProblemsError):
    """The support list is missing or broken; each line names file, entry and field."""


class Group(StrEnum):
    national = "national"
    peer = "peer"
    local = "local"


GROUP_HEADINGS = {
    Group.national: "National lines",
    Group.peer: "Peer groups and organizations",
    Group.local: "Help near you",
}


class Way(Strict):
    """One way to reach a place: words to show, and a link ("" when there is none)."""

    label: Text
    href: str

    @field_validator("href")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(_HREF_SCHEMES):
            raise ValueError("should start with https://, http://, tel: or sms: (or be empty)")
        return value


class Entry(Strict):
    id: Id
    name: Text
    group: Group
    offers: Text
    cost: Text
    reach: list[Way] = Field(min_length=1)
    checked: dt.date

    @field_validator("checked")
    @classmethod
    def _not_in_future(cls, value: dt.date) -> dt.date:
        if value > dt.date.today():
            raise ValueError("is a date in the future; use the day the entry was checked")
        return value


class SupportList(Strict):
    entries: list[Entry] = Field(min_length=1)

    def group(self, group: Group | str) -> list[Entry]:
        return [e for e in self.entries if e.group == Group(group)]


def parse(text: str, source: Path | str = "<support>") -> SupportList:
    shape = "the file is a mapping with a list of 'entries'"
    support = schema.parse(text, SupportList, source, SupportFileError, shape=shape)
    ids = [e.id for e in support.entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SupportFileError([f"{source}: entry {i!r}: the id is used twice" for i in dupes])
    return support


def load(path: Path | str | None = None) -> SupportList:
    """The support list (default: the kit's ``data/support.yml``)."""
    path = Path(path) if path else SUPPORT_FILE
    return parse(read_text(path, "support list", SupportFileError), path)


@lru_cache(maxsize=1)
def _shipped() -> SupportList:
    return load()


def _way_html(way: Way) -> str:
    label = html.escape(way.label)
    if not way.href:
        return label
    return f'<a href="{html.escape(way.href, quote=True)}">{label}</a>'


def entry_html(entry: Entry, level: int = 3) -> str:
    """One entry as a small card; every text is escaped."""
    ways = "".join(f"<li>{_way_html(w)}</li>" for w in entry.reach)
    when = entry.checked.isoformat()
    return (
        f'<section class="peercare-support-entry" id="support-{entry.id}">'
        f"<h{level}>{html.escape(entry.name)}</h{level}>"
        f"<p><strong>What it offers:</strong> {html.escape(entry.offers)}</p>"
        f"<p><strong>Cost:</strong> {html.escape(entry.cost)}</p>"
        f"<p><strong>How to reach it:</strong></p><ul>{ways}</ul>"
        f'<p class="peercare-support-checked">Last checked: <time datetime="{when}">'
        f"{entry.checked:%B} {entry.checked.day}, {entry.checked.year}</time></p>"
        "</section>"
    )


def support_html(
    groups: list[str] | None = None,
    *,
    headings: bool = True,
    level: int = 3,
    support: SupportList | None = None,
) -> str:
    """The support list as one self-contained HTML block (no scripts, no outside files).

    ``groups`` picks and orders groups (default: all); ``headings`` adds a heading per
    group one level above the entries. Apps call this for their help links.
    """
    support = support or _shipped()
    chosen = [Group(g) for g in groups] if groups else list(Group)
    parts = []
    for group in chosen:
        entries = support.group(group)
        if not entries:
            continue
        if headings:
            h = max(level - 1, 2)
            parts.append(f"<h{h}>{html.escape(GROUP_HEADINGS[group])}</h{h}>")
        parts.extend(entry_html(e, level) for e in entries)
    return f'<div class="peercare-support">{"".join(parts)}</div>'


class SupportBlock:
    """What a book code cell shows: the HTML of some groups (Jupyter renders ``_repr_html_``)."""

    def __init__(self, *groups: str, level: int = 3):
        self.html = support_html(list(groups) or None, headings=False, level=level)

    def _repr_html_(self) -> str:
        return self.html
