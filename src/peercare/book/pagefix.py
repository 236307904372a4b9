"""Lighter built pages for phones on a slow connection, rewritten after Sphinx writes them.

- The theme's FontAwesome script (about 530 KiB gzipped) goes: its stylesheet draws the
  same icons from a subset of its font (:mod:`peercare.book.icons`).
- The theme's and extensions' scripts in ``<head>`` load with ``defer``: they only wire up
  buttons, search and copying, so the text shows without waiting for them. They keep their
  order; ``documentation_options.js`` stays as it is, since inline scripts after it use it.
  The search page is left alone.
- Sphinx's search scripts and index (``searchtools.js``, ``language_data.js``,
  ``searchindex.js``: about 32 KiB gzipped) go from pages other than the search page when
  search-as-you-type is off (the theme's default): the search box then opens the search
  page, which loads them itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

FA_SCRIPT = re.compile(
    r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?'
)
_HEAD_SCRIPT = re.compile(r'<script (?![^>]*\b(?:defer|async|type)\b)([^>]*\bsrc="([^"]+)"[^>]*)>')
KEEP_BLOCKING = ("documentation_options.js",)
SEARCH_OFF = "DOCUMENTATION_OPTIONS.search_as_you_type = false;"
_SEARCH_SCRIPTS = re.compile(
    r'[ \t]*<script (?:defer )?src="[^"]*(?:searchtools|language_data|searchindex)\.js"></script>\n?'
)


def lighten_html(html: str) -> str:
    html = FA_SCRIPT.sub("", html)
    if SEARCH_OFF in html:
        html = _SEARCH_SCRIPTS.sub("", html)
    end = html.find("</head>")
    if end < 0:
        return html

    def defer(match: re.Match) -> str:
        if any(name in match.group(2) for name in KEEP_BLOCKING):
            return match.group(0)
        return f"<script defer {match.group(1)}>"

    return _HEAD_SCRIPT.sub(defer, html[:end]) + html[end:]


def lighten(html_dir: Path, pages: Iterable[Path] | None = None) -> None:
    """Rewrite the built pages in ``html_dir`` (every page, or only ``pages``); a page
    already rewritten stays as it is."""
    for page in html_dir.rglob("*.html") if pages is None else pages:
        if page.relative_to(html_dir).as_posix() == "search.html" or not page.is_file():
            continue
        text = page.read_text(encoding="utf-8")
        new = lighten_html(text)
        if new != text:
            page.write_text(new, encoding="utf-8")
