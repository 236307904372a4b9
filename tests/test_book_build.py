"""The book build: jupyter-cache skips unchanged chapters, an edited bank re-runs its chapter
and a plan page follows the chapter headings it shows (both judged by content, not file
times), execution errors fail the build, and the widget scripts come from the book itself
(a small loader, no ipywidgets manager, no FontAwesome script)."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import textwrap
from html import escape

import pytest
from jupyter_cache import get_cache

from peercare.book.build import BuildError, build
from peercare.content.bank import load_module

from .conftest import ROOT

pytestmark = pytest.mark.build


def _plan(chapter: str, section: str) -> str:
    """A small session plan with one segment on ``section`` of ``chapter``, then a break."""
    return textwrap.dedent(f"""\
        title: A short session
        format: virtual
        minutes: 10
        summary: A short session for the build tests.
        segments:
          - title: One part of the chapter
            minutes: 5
            chapter: {chapter}
            section: "{section}"
            do: Read it together.
            say: Let us read this part.
          - title: A stretch
            minutes: 5
            do: Stand and stretch.
            say: Take a stretch.
        """)


@pytest.fixture
def small_book(tmp_path):
    """A copy of the kit with two chapters and a plan page on each, sharing
    web/node_modules with the checkout."""
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    for chapter in ("welcome", "coping"):
        shutil.copytree(ROOT / "book" / chapter, tmp_path / "book" / chapter)
    plans = tmp_path / "book" / "plans"
    plans.mkdir()
    for chapter, section in (("welcome", "What you'll learn"), ("coping", "Try it")):
        (plans / f"{chapter}-plan.yml").write_text(_plan(chapter, section))
        (plans / f"{chapter}-plan.md").write_text(
            f"# A plan on {chapter}\n\n```{{session-plan}} {chapter}-plan\n```\n"
        )
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/welcome/index\nchapters:\n  - file: book/coping/index\n"
        "  - file: book/plans/welcome-plan\n  - file: book/plans/coping-plan\n"
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
    plans = small_book / "_build" / "html" / "book" / "plans"
    welcome_plan = (plans / "welcome-plan.html").stat().st_mtime_ns

    bank = small_book / "book" / "welcome" / "questions.yml"
    prompt = load_module("welcome", small_book).questions[0].prompt
    assert prompt in bank.read_text()
    was = bank.stat()
    bank.write_text(bank.read_text().replace(prompt, f"{prompt} Think again.", 1))
    os.utime(bank, ns=(was.st_atime_ns, was.st_mtime_ns))  # the content must tell, not the time
    chapter = small_book / "book" / "coping" / "index.md"
    old = "## Try it: build your coping plan"
    assert old in chapter.read_text()
    chapter.write_text(chapter.read_text().replace(old, "## Try it: write your coping plan"))
    build(small_book, quiet=True)
    second = _records(small_book)
    assert second["coping/index.md"] == first["coping/index.md"], "unchanged chapter re-ran"
    assert second["welcome/index.md"] > first["welcome/index.md"], "edited bank did not re-run"
    page = (small_book / "_build" / "html" / "book" / "welcome" / "index.html").read_text()
    assert escape(f"{prompt} Think again.") in page
    # the plan on coping links the renamed heading; the plan on welcome, unchanged, is not
    # written again (its chapter was touched to re-read its bank)
    coping_plan = (plans / "coping-plan.html").read_text()
    assert 'index.html#try-it-write-your-coping-plan">Try it: write your coping plan</a>' in (
        coping_plan
    )
    assert (plans / "welcome-plan.html").stat().st_mtime_ns == welcome_plan
    # the pages written again, and the theme's files copied again, are made light again
    static = small_book / "_build" / "html" / "_static" / "webpack-macros.html"
    for text in (page, coping_plan, static.read_text()):
        assert "fontawesome.js" not in text


def test_execution_error_fails_the_build(small_book):
    page = small_book / "book" / "coping" / "index.md"
    page.write_text(
        page.read_text().replace('chapter_quiz("coping")', 'chapter_quiz("no-such-chapter")')
    )
    with pytest.raises(BuildError, match="build failed"):
        build(small_book, quiet=True)


def _scripts(html: str) -> list[str]:
    return re.findall(r'<script[^>]*src="([^"]+)"', html)


def test_chapter_pages_run_widgets_with_the_small_loader(built_book):
    html = (built_book / "book" / "coping" / "index.html").read_text()
    scripts = _scripts(html)
    assert any(s.startswith("../../_static/widgets/widget-loader.js") for s in scripts)
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))]
    for gone in ("require.js", "embed-amd.js", "widget-state+json", "widget-view+json",
                 "fontawesome.js", "THEBE_JS_URL", "unpkg.com"):  # fmt: skip
        assert gone not in html, gone
    modules = re.findall(r'<div class="pc-widget" data-module="([^"]+)">', html)
    assert len(modules) == 3  # coping plan, quiz, reflection
    for name in modules:
        code = (built_book / "_static" / "widgets" / "m" / f"{name}.js").read_text()
        assert code.startswith(f'peercareDefine("{name}", function () {{')
        assert "export default" not in code


def test_quiz_reads_in_the_html_but_its_feedback_is_not_shown(built_book):
    """The questions and options are in the page before any script runs; which option is
    right and the feedback are only in the widget's data (a JSON script, never shown)."""
    bank = load_module("stressors-responses", ROOT)
    html = (built_book / "book" / "stressors-responses" / "index.html").read_text()
    shown = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    assert '<div class="pc-widget-static"><section class="pcq"' in shown
    for q in bank.questions:
        assert escape(q.prompt) in shown, q.id
        for option in q.options:
            assert escape(option.text) in shown, (q.id, option.id)
            assert escape(option.feedback) not in shown, (q.id, option.id)


def _gzip_size(path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def test_a_chapter_weighs_little_on_a_phone(built_book):
    """What a phone fetches for a chapter before the reader scrolls (gzip, as the book
    server sends it): the page, its scripts and styles, the icon font. Lighthouse measures
    the real thing (benchmarks/lighthouse.py); this catches a heavy script coming back."""
    page = built_book / "book" / "stressors-responses" / "index.html"
    html = page.read_text()
    links = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', html)
    links += re.findall(r'<link href="([^"]+)" rel="stylesheet"', html)
    files = {(page.parent / u.split("?")[0]).resolve() for u in _scripts(html) + links}
    files |= {built_book / "_static" / "widgets" / "icons.woff"}
    total = _gzip_size(page) + sum(_gzip_size(f) for f in files)
    assert total < 250 * 1024, sorted((_gzip_size(f), f.name) for f in files)[-5:]


def test_pages_use_only_icons_in_the_subset_font(built_book):
    from fontTools.ttLib import TTFont

    from peercare.book.icons import CSS, ICON_FONT, ICONS, _codepoints

    used = set()
    for page in built_book.rglob("*.html"):
        for classes in re.findall(r'class="([^"]*\bfa-solid\b[^"]*)"', page.read_text()):
            used |= {c[3:] for c in classes.split() if c.startswith("fa-")}
    assert used - {"solid", "lg"} <= set(ICONS), used - set(ICONS)
    font = TTFont(built_book / "_static" / "widgets" / ICON_FONT)
    glyphs = set(font.getBestCmap())
    assert _codepoints(CSS.read_text(encoding="utf-8")) - glyphs <= {0xF09B, 0xF296}  # brands
    assert len(glyphs) < 40
