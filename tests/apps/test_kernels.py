"""Voila with our live-session settings frees the kernels of closed pages and never culls a
pooled kernel out from under a page that has just claimed it (voila #1458 workaround)."""

from __future__ import annotations

import time

import pytest

from peercare.serving.serve import live_session_args

from ..browser import chromium, guarded_context
from ..conftest import ROOT
from ..voila import kernel_pids, voila_server

pytestmark = pytest.mark.browser
APPS = ROOT / "notebooks" / "apps"


def kernels_of(pid: int) -> int:
    return len(kernel_pids(pid))


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return predicate()


def test_closed_pages_are_freed_and_pooled_kernels_survive(tmp_path, chromium_path):
    pool, idle = 2, 8  # generous: a loaded CI machine may be slow to connect a page
    extra = live_session_args(APPS, pool=pool, idle_timeout=idle)
    env = {"PEERCARE_DATA_DIR": str(tmp_path)}
    with voila_server(APPS, env=env, extra=extra) as url:
        pid = url.pid
        assert wait_for(lambda: kernels_of(pid) == pool, 60), kernels_of(pid)
        time.sleep(idle * 2.5)  # pooled kernels sit idle well past the cull timeout...
        assert kernels_of(pid) == pool  # ...and are kept
        with chromium(chromium_path) as browser:
            context = guarded_context(browser)
            page = context.new_page()
            page.goto(f"{url}/voila/render/participant.ipynb")
            page.get_by_label("Session code").fill("ZZZZ")
            page.get_by_role("button", name="Join").click()
            # the page's kernel answers: it was not culled at hand-off
            page.get_by_text("No open session").wait_for(timeout=30_000)
            time.sleep(idle * 2.5)  # an open page is never culled, however idle
            page.get_by_role("button", name="Join").click()
            page.get_by_text("No open session").wait_for(timeout=10_000)
            assert kernels_of(pid) == pool + 1  # the pool refilled behind the claimed one
            context.close()
        # page closed: its kernel is freed; live kernels return to the pool size
        assert wait_for(lambda: kernels_of(pid) == pool, idle * 6), kernels_of(pid)
