"""Voila's script parts come in one file (peercare.serving.page_chunks): the participant page
asks for none of them one by one, still works, and the file is sent compressed, once."""

from __future__ import annotations

import gzip
import re

import requests

from peercare.serving import page_chunks
from peercare.serving.serve import live_session_args
from peercare.store import Store

from ..browser import chromium, guarded_context
from ..conftest import ROOT
from ..voila import voila_server

APPS = ROOT / "notebooks" / "apps"
PAGE = "voila/render/participant.ipynb"
# a script part: Voila's "<n>.voila.js", an extension's "<n>.<hash>.js" (remoteEntry excluded)
PART = re.compile(r"/(\d+\.voila\.js|\d+\.[0-9a-f]+\.js)(\?|$)")


def test_the_participant_page_fetches_no_script_part_one_by_one(tmp_path):
    info, _ = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}").create_session("One file", 3)
    extra = live_session_args(APPS, pool=1, idle_timeout=0)
    with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(tmp_path)}, extra=extra) as url:
        with chromium("/usr/bin/chromium") as browser:
            page = guarded_context(browser).new_page()
            asked: list[str] = []
            page.on("request", lambda r: asked.append(r.url))
            page.goto(f"{url}/{PAGE}")
            page.get_by_label("Session code").fill(info.code)  # the widgets work
            page.get_by_role("button", name="Join").click()
            page.get_by_text("You joined").first.wait_for(timeout=60_000)
        one_by_one = [u for u in asked if PART.search(u)]
        # A part not in page-chunks.txt: add its path there (a Voila or widgets update)
        assert one_by_one == [], one_by_one
        assert sum(u.endswith(page_chunks.URL) for u in asked) == 1

        answer = requests.get(f"{url}/{page_chunks.URL}", headers={"Accept-Encoding": "gzip"})
        assert answer.headers["Content-Encoding"] == "gzip"
        assert answer.headers["Content-Type"].startswith("text/javascript")
        assert b"webpackChunk" in answer.content  # requests unpacked it
        again = requests.get(
            f"{url}/{page_chunks.URL}", headers={"If-None-Match": answer.headers["ETag"]}
        )
        assert again.status_code == 304 and again.content == b""


def test_the_file_holds_each_listed_part_that_exists_and_skips_the_others(tmp_path, monkeypatch):
    listing = tmp_path / "page-chunks.txt"
    real = page_chunks.listed()[0]
    listing.write_text(f"# a comment\n{real}\nvoila/templates/base/static/99999.voila.js\n")
    monkeypatch.setattr(page_chunks, "LIST", listing)
    page_chunks.bundle.cache_clear()
    try:
        plain, packed, etag = page_chunks.bundle()
        assert plain == page_chunks._find(real).read_bytes().rstrip(b"\n") + b"\n"
        assert gzip.decompress(packed) == plain and len(etag) == 20
    finally:
        page_chunks.bundle.cache_clear()


def test_every_listed_part_is_installed_here():
    missing = [x for x in page_chunks.listed() if page_chunks._find(x) is None]
    assert missing == []
