"""The book build: jupyter-cache skips unchanged chapters, an edited bank re-runs its chapter,
execution errors fail the build, and the widget scripts come from the book itself."""

from __future__ import annotations

import re
import shutil

import pytest
from jupyter_cache import get_cache

from peercare.book import BuildError, build

from .conftest import ROOT

pytestmark = pytest.mark.build


@pytest.fixture
def small_book(tmp_path):
    """A copy of the kit with two chapters, sharing web/node_modules with the checkout."""
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    for chapter in ("welcome", "coping"):
        shutil.copytree(ROOT / "book" / chapter, tmp_path / "book" / chapter)
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/welcome/index\nchapters:\n  - file: book/coping/index\n"
        "  - file: book/glossary\n  - file: book/references\n"
    )
    for page in ("glossary.md", "references.md"):
        shutil.copy(ROOT / "book" / page, tmp_path / "book" / page)
    (tmp_path / "web").mkdir()
    for f in (ROOT / "web").iterdir():
        if f.is_file():
            shutil.copy2(f, tmp_path / "web" / f.name)
    # shared with the checkout; same lock file, so the build does not run npm there
    (tmp_path / "web" / "node_modules").symlink_to(ROOT / "web" / "node_modules")
    return tmp_path


def _records(root):
    cache = get_cache(root / "_build" / ".jupyter_cache")
    return {r.uri.split("/book/")[1]: r.created for r in cache.list_cache_records()}


def test_cache_skips_unchanged_and_reruns_an_edited_bank(small_book):
    build(small_book, quiet=True)
    first = _records(small_book)
    assert set(first) == {"welcome/index.md", "coping/index.md"}

    bank = small_book / "book" / "welcome" / "questions.yml"
    bank.write_text(
        bank.read_text().replace(
            'prompt: "What is this book?"', 'prompt: "What is this book, really?"'
        )
    )
    build(small_book, quiet=True)
    second = _records(small_book)
    assert second["coping/index.md"] == first["coping/index.md"], "unchanged chapter re-ran"
    assert second["welcome/index.md"] > first["welcome/index.md"], "edited bank did not re-run"
    page = (small_book / "_build" / "html" / "book" / "welcome" / "index.html").read_text()
    assert "What is this book, really?" in page


def test_execution_error_fails_the_build(small_book):
    page = small_book / "book" / "coping" / "index.md"
    page.write_text(
        page.read_text().replace('chapter_quiz("coping")', 'chapter_quiz("no-such-chapter")')
    )
    with pytest.raises(BuildError, match="build failed"):
        build(small_book, quiet=True)


def test_built_pages_load_widget_scripts_locally(built_book):
    html = (built_book / "book" / "coping" / "index.html").read_text()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert any(s.startswith("../../_static/widgets/embed-amd.js") for s in scripts)
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))]
    assert "THEBE_JS_URL" not in html and "unpkg.com" not in html
    static = built_book / "_static" / "widgets"
    assert (static / "anywidget.js").read_bytes() == (
        ROOT / "web" / "node_modules" / "anywidget" / "dist" / "index.js"
    ).read_bytes()
