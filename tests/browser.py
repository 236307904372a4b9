"""Debian's Chromium through Playwright, with every request to another host blocked and kept."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
LOCAL = {"127.0.0.1", "localhost", "[::1]", "::1"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@contextmanager
def chromium(executable: str, extra_args: list[str] | None = None):
    with sync_playwright() as pw:
        args = ARGS + (extra_args or [])
        browser = pw.chromium.launch(executable_path=executable, args=args, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def guarded_context(browser, local: set[str] = LOCAL, **kwargs):
    """A context whose requests to any host not in ``local`` are aborted and listed in
    ``.outside``."""
    context = browser.new_context(**kwargs)
    context.outside = []  # type: ignore[attr-defined]

    def route(r):
        parts = urlsplit(r.request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in local:
            context.outside.append(r.request.url)  # type: ignore[attr-defined]
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    return context


def lab_ready(page, timeout: int = 180_000) -> None:
    """Wait until JupyterLab has restored its layout: its main area shows a tab (the Launcher
    after ``?reset``). The menu bar comes earlier; a tab opened before the restore ends is
    closed by it, as a person would see if they clicked that fast."""
    page.locator("#jp-main-dock-panel .lm-TabBar-tab").first.wait_for(timeout=timeout)


def widgets_ready(page) -> None:
    """Bring each page widget near the screen (the book's loader runs them only then) and
    wait until every one has run; a page without widgets returns at once."""
    page.wait_for_load_state()
    boxes = page.locator(".pc-widget")
    for i in range(boxes.count()):
        boxes.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "[...document.querySelectorAll('.pc-widget')].every(b => b.hasAttribute('data-ready'))",
        timeout=30_000,
    )


def settled(page, quiet_ms: int = 300, most_ms: int = 15_000) -> bool:
    """Wait until the page has stopped changing: no change to its elements for ``quiet_ms``
    (the widgets drawn and laid out), ``most_ms`` at most. A condition, not a pause: a busy
    machine waits longer, a quick one less. False if the page never went still."""
    return page.evaluate(
        """([quiet, most]) => new Promise(resolve => {
            const done = (still) => { observer.disconnect(); resolve(still); };
            let timer = setTimeout(() => done(true), quiet);
            const observer = new MutationObserver(() => {
                clearTimeout(timer);
                timer = setTimeout(() => done(true), quiet);
            });
            observer.observe(document.body,
                {subtree: true, childList: true, attributes: true, characterData: true});
            setTimeout(() => done(false), most);
        })""",
        [quiet_ms, most_ms],
    )


def run_axe(page, min_passes: int = 10) -> list[dict]:
    """axe-core (from web/node_modules) on the page: violations at WCAG 2.2 AA tags. More
    than ``min_passes`` rules must pass; a plain page (no forms, no ARIA) has fewer that
    apply, so pass a smaller number for one."""
    page.add_script_tag(path=str(ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    assert len(result["passes"]) > min_passes, "axe ran almost no rules: is the page empty?"
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, indent=1)


def count_transfer(context, page, network: dict | None = None) -> dict[str, int]:
    """Start counting the bytes on the wire of ``page``'s requests (Chrome DevTools
    protocol); the returned dict fills in as requests finish: request id -> bytes.
    ``network``: conditions to emulate (``latency`` ms, ``downloadThroughput`` and
    ``uploadThroughput`` bytes/s), as DevTools' network throttling does."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if network:
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **network})
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    return sizes
