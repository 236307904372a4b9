"""The crisis-help text, from ``data/help.yml``, rendered for the book footer and the apps.

The footer shows the short ``lines`` (988, 911) and, in a closed ``<details>`` box, the
``more`` options with their limits, so the box stays short on a phone.
"""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

from pydantic import Field

from ..paths import DATA_DIR
from . import schema
from .schema import ProblemsError, Strict, Text

HELP_FILE = DATA_DIR / "help.yml"


class HelpFileError(ProblemsError):
    """The crisis-help file is broken; one message per fault."""


class HelpLine(Strict):
    label: Text
    detail: Text
    href: str = ""

    def as_html(self, links: bool = True) -> str:
        label = html.escape(self.label)
        if self.href and links:
            label = f'<a href="{html.escape(self.href, quote=True)}">{label}</a>'
        return f"<li><strong>{label}</strong>: {html.escape(self.detail)}</li>"


class HelpNow(Strict):
    heading: Text
    lines: tuple[HelpLine, ...] = Field(min_length=1)
    note: Text
    required_markers: tuple[Text, ...] = Field(min_length=1)
    more_heading: str = ""
    more: tuple[HelpLine, ...] = ()

    def as_html(self, links: bool = True) -> str:
        """A small, self-contained HTML block (no outside links, no scripts); ``links=False``
        leaves out even the ``tel:`` links, for pages that must carry no link at all."""
        more = ""
        if self.more:
            more = (
                f'<details class="peercare-helpnow-more"><summary>'
                f"{html.escape(self.more_heading)}</summary>"
                f"<ul>{''.join(x.as_html(links) for x in self.more)}</ul></details>"
            )
        return (
            '<aside class="peercare-helpnow" aria-label="Get help now">'
            f"<p><strong>{html.escape(self.heading)}</strong></p>"
            f"<ul>{''.join(x.as_html(links) for x in self.lines)}</ul>"
            f"{more}<p>{html.escape(self.note)}</p></aside>"
        )

    def as_text(self) -> str:
        lines = [self.heading] + [f"- {x.label}: {x.detail}" for x in self.lines]
        if self.more:
            lines += [self.more_heading] + [f"- {x.label}: {x.detail}" for x in self.more]
        return "\n".join(lines + [self.note])


def load_file(path: Path | str) -> HelpNow:
    """A crisis-help file, validated (an organization edits its own copy of ``help.yml``)."""
    return schema.load(path, HelpNow, HelpFileError, what="crisis-help file")


@lru_cache(maxsize=1)
def load() -> HelpNow:
    """The kit's crisis-help text, ``data/help.yml``."""
    return load_file(HELP_FILE)
