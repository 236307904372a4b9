"""SIGKILL the Voila server in the middle of submissions, start it again: every answer a
participant was told was "Received" is in the store."""

from __future__ import annotations

import os
import signal

import pytest

from peercare.store import Store

from ..browser import chromium, guarded_context
from ..conftest import ROOT
from ..voila import voila_server

pytestmark = pytest.mark.browser
APPS = ROOT / "notebooks" / "apps"


def test_acknowledged_answers_survive_sigkill(tmp_path, chromium_path):
    env = {"PEERCARE_DATA_DIR": str(tmp_path)}
    store = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    info, key = store.create_session("Durability", threshold=3)
    pages = []
    with chromium(chromium_path) as browser:
        with voila_server(APPS, env=env) as url:
            for _ in range(4):
                context = guarded_context(browser)
                page = context.new_page()
                page.goto(f"{url}/voila/render/checkin.ipynb")
                page.get_by_label("Session code").fill(info.code)
                page.get_by_role("button", name="Join").click()
                page.get_by_role("radio", name="3 · Okay").check()
                pages.append(page)
            for page in pages:  # send all, then kill as soon as the first is acknowledged
                page.get_by_role("button", name="Send my check-in").click()
            pages[0].get_by_text("Received").wait_for(timeout=30_000)
            os.kill(url.pid, signal.SIGKILL)
            acknowledged = sum(p.get_by_text("Received").count() for p in pages)
        with voila_server(APPS, env=env) as url:  # started again on the same store
            assert acknowledged >= 1
            stored = store.count(info.code, key, "checkin")
            assert stored >= acknowledged, (stored, acknowledged)
    store.close()
