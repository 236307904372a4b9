"""Reading a MyST page as a reader reads it: its prose blocks, the phrases the book never
uses, and the row ``peercare check-content`` reports for each page or question set.

Prose is what a reader reads: paragraphs, list items, and the text inside admonitions
and dropdowns. Code cells, front matter, directive options, headings and YAML are left
out. :mod:`peercare.content.check`, :mod:`peercare.content.itemrules` and
:mod:`peercare.content.plans` read pages through this module (none of them imports
another for it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ..paths import DATA_DIR
from . import schema
from .schema import Strict, Text

PROSE_DIRECTIVES = {
    "admonition", "note", "tip", "important", "warning", "caution", "attention", "hint",
    "seealso", "dropdown", "epigraph", "topic", "sidebar", "glossary",
}  # fmt: skip
_ALLOW = re.compile(r"<!--\s*check-content:\s*allow\s+\"([^\"]+)\"\s*-->")
_ROLE = re.compile(r"\{[a-zA-Z0-9_:-]+\}(?=\S)")


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark").use(front_matter_plugin).use(colon_fence_plugin).enable("table")


def _directive(info: str) -> str | None:
    m = re.match(r"\{([a-zA-Z0-9_-]+)\}", info.strip())
    return m.group(1).lower() if m else None


def _strip_options(body: str) -> str:
    lines = body.splitlines()
    while lines and re.match(r"^:[a-zA-Z0-9_-]+:", lines[0]):
        lines.pop(0)
    return "\n".join(lines)


def _inline_text(children) -> str:
    """The words of an inline run: a line break is a space, and a bare web address
    (``<https://...>``) is not read."""
    parts, in_autolink = [], False
    for c in children:
        if c.type == "link_open" and c.markup == "autolink":
            in_autolink = True
        elif c.type == "link_close" and in_autolink:
            in_autolink = False
        elif c.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif c.type in ("text", "code_inline") and not in_autolink:
            parts.append(c.content)
    return "".join(parts)


def prose_blocks(markdown: str) -> list[str]:
    """The readable blocks of a MyST page, each ending in sentence punctuation."""
    blocks: list[str] = []
    tokens = _md().parse(markdown)
    in_heading = False
    for tok in tokens:
        if tok.type == "heading_open":
            in_heading = True
        elif tok.type == "heading_close":
            in_heading = False
        elif tok.type == "inline" and not in_heading:
            text = _ROLE.sub("", _inline_text(tok.children or []))  # {term}`x` reads "x"
            text = re.sub(r"\s+", " ", text).strip()
            if text:
                blocks.append(text if text[-1] in ".!?:\"'”’)" else text + ".")
        elif tok.type in ("fence", "colon_fence"):
            name = _directive(tok.info)
            if name in PROSE_DIRECTIVES:
                blocks.extend(prose_blocks(_strip_options(tok.content)))
    return blocks


def prose(markdown: str) -> str:
    return "\n".join(prose_blocks(markdown))


class LanguageRule(Strict):
    """A phrase the book never uses: a whole-word pattern, why, and what to say instead."""

    pattern: Text
    why: Text
    instead: Text

    @property
    def regex(self) -> re.Pattern:
        return re.compile(rf"\b{self.pattern}\b", re.IGNORECASE)


class LanguageList(Strict):
    phrases: list[LanguageRule]


@lru_cache(maxsize=1)
def language_rules() -> tuple[LanguageRule, ...]:
    return tuple(load_language(DATA_DIR / "language.yml"))


def load_language(path: Path) -> list[LanguageRule]:
    """The phrases of a language list file (``data/language.yml``), read with the one loader."""
    return schema.load(path, LanguageList).phrases


def unsafe_phrases(text: str) -> list[str]:
    """Each unsafe phrase found, with why and what to say instead (allowances respected)."""
    allowed = {a.lower() for a in _ALLOW.findall(text)}
    searchable = _ALLOW.sub(" ", text)
    found = []
    for rule in language_rules():
        for m in rule.regex.finditer(searchable):
            if m.group(0).lower() not in allowed:
                found.append(f"{m.group(0)!r} ({rule.why}; say {rule.instead})")
    return found


@dataclass
class PageReport:
    page: str
    words: int
    grade: float
    is_chapter: bool
    quiz_questions: int | None = None
    footer: bool | None = None  # None: page not built yet
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems
