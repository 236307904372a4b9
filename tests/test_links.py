"""No broken links inside the built book: every page, stylesheet, script, image and anchor
target the book links to is there (LinkChecker, internal links only, over real HTTP)."""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.build

LINKCHECKER = Path(sys.executable).with_name("linkchecker")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def book_url(built_book):
    handler = functools.partial(_Quiet, directory=str(built_book))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def test_every_internal_link_of_the_book_resolves(book_url):
    assert LINKCHECKER.exists(), "linkchecker is a dev dependency (make setup installs it)"
    result = subprocess.run(
        [str(LINKCHECKER), "--no-status", "--no-warnings", "-o", "text", "--threads", "4",
         "--check-extern", "--ignore-url", r"^(tel|mailto|sms):",
         "--ignore-url", r"^https?://(?!127\.0\.0\.1)", book_url],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    report = result.stdout
    assert "links in" in report, f"LinkChecker did not run: {result.stderr[-2000:]}"
    assert result.returncode == 0, "broken links in the built book:\n" + report[-6000:]


def test_pages_ask_for_no_thebe_stylesheet_and_carry_an_icon(built_book):
    page = (built_book / "book" / "coping" / "index.html").read_text()
    assert "sphinx-thebe.css" not in page
    assert 'rel="icon"' in page and (built_book / "_static" / "favicon.svg").is_file()
