"""What the built pages show: content notes under their own title, the folded help options."""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.build
NOTED = [
    p.parent.name for p in (ROOT / "book").glob("*/index.md") if "Content note" in p.read_text()
]


@pytest.mark.parametrize("chapter", sorted(NOTED))
def test_content_note_is_a_box_with_its_own_title(built_book, chapter):
    html = (built_book / "book" / chapter / "index.html").read_text(encoding="utf-8")
    box = re.search(
        r'<div class="[^"]*content-note[^"]*">\s*<p class="admonition-title">(.*?)</p>', html
    )
    assert box, "no content-note box"
    assert box.group(1) == "Content note"
    assert "<p>Content note This chapter" not in html and "Content note\nThis chapter" not in html


def test_help_box_folds_more_options_on_every_page(built_book):
    for page in ("book/welcome/index.html", "book/references.html"):
        html = (built_book / page).read_text(encoding="utf-8")
        aside = re.search(r'<aside class="peercare-helpnow".*?</aside>', html, re.S).group(0)
        assert "<summary>More ways to get help</summary>" in aside
        assert "A supervisor is not confidential" in aside and "1-800-662-4357" in aside
