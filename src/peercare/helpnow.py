"""The crisis-help text, from ``data/help.yml``, rendered for the book footer and the apps.

The footer shows the short ``lines`` (988, 911) and, in a closed ``<details>`` box, the
``more`` options with their limits, so the box stays short on a phone.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

import yaml

from .paths import DATA_DIR


@dataclass(frozen=True)
class HelpLine:
    label: str
    detail: str
    href: str = ""

    def as_html(self, links: bool = True) -> str:
        label = html.escape(self.label)
        if self.href and links:
            label = f'<a href="{html.escape(self.href, quote=True)}">{label}</a>'
        return f"<li><strong>{label}</strong>: {html.escape(self.detail)}</li>"


@dataclass(frozen=True)
class HelpNow:
    heading: str
    lines: tuple[HelpLine, ...]
    note: str
    required_markers: tuple[str, ...]
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


@lru_cache(maxsize=1)
def load() -> HelpNow:
    raw = yaml.safe_load((DATA_DIR / "help.yml").read_text(encoding="utf-8"))
    return HelpNow(
        heading=raw["heading"],
        lines=tuple(HelpLine(**x) for x in raw["lines"]),
        note=raw["note"],
        required_markers=tuple(raw["required_markers"]),
        more_heading=raw.get("more_heading", ""),
        more=tuple(HelpLine(**x) for x in raw.get("more", [])),
    )
