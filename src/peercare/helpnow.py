"""The crisis-help text, from ``data/help.yml``, rendered for the book footer and the apps."""

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


@dataclass(frozen=True)
class HelpNow:
    heading: str
    lines: tuple[HelpLine, ...]
    note: str
    required_markers: tuple[str, ...]

    def as_html(self) -> str:
        """A small, self-contained HTML block (no outside links, no scripts)."""
        items = []
        for line in self.lines:
            label = html.escape(line.label)
            if line.href:
                label = f'<a href="{html.escape(line.href, quote=True)}">{label}</a>'
            items.append(f"<li><strong>{label}</strong>: {html.escape(line.detail)}</li>")
        return (
            '<aside class="peercare-helpnow" aria-label="Get help now">'
            f"<p><strong>{html.escape(self.heading)}</strong></p>"
            f"<ul>{''.join(items)}</ul>"
            f"<p>{html.escape(self.note)}</p></aside>"
        )

    def as_text(self) -> str:
        lines = [self.heading] + [f"- {x.label}: {x.detail}" for x in self.lines] + [self.note]
        return "\n".join(lines)


@lru_cache(maxsize=1)
def load() -> HelpNow:
    raw = yaml.safe_load((DATA_DIR / "help.yml").read_text(encoding="utf-8"))
    return HelpNow(
        heading=raw["heading"],
        lines=tuple(HelpLine(**x) for x in raw["lines"]),
        note=raw["note"],
        required_markers=tuple(raw["required_markers"]),
    )
