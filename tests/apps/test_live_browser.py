"""A live session in Debian's Chromium against a real Voila server with preheated kernels:
a facilitator and three participants in separate browser contexts; axe on every app."""

from __future__ import annotations

import re

import pytest

from peercare.serve import live_session_args

from ..browser import chromium, describe, guarded_context, run_axe
from ..conftest import ROOT
from ..voila import voila_server

pytestmark = pytest.mark.browser
APPS = ROOT / "notebooks" / "apps"


@pytest.fixture(scope="module")
def apps_url(tmp_path_factory):
    data = tmp_path_factory.mktemp("live-data")
    extra = live_session_args(APPS, pool=4, idle_timeout=0)
    with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(data)}, extra=extra) as url:
        yield url


@pytest.fixture(scope="module")
def browser(chromium_path):
    with chromium(chromium_path) as b:
        yield b


def _page(browser, url, width=390):
    context = guarded_context(browser, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(url)
    return context, page


def _join(page, code):
    page.get_by_label("Session code").fill(code)
    page.get_by_role("button", name="Join").click()
    page.get_by_text("You joined").wait_for(timeout=30_000)


def test_facilitator_and_three_participants(browser, apps_url):
    fac_ctx, fac = _page(browser, f"{apps_url}/voila/render/dashboard.ipynb", width=1100)
    fac.get_by_label("Session title").fill("Tuesday <b>training</b>")
    fac.get_by_role("spinbutton").fill("3")
    fac.get_by_role("button", name="Create session").click()
    fac.get_by_text("Session code:").wait_for(timeout=30_000)
    code = fac.locator(".pc-code").inner_text().strip()
    said = fac.get_by_text("shown only once").inner_text()
    key = re.search(r"shown only once: (\S+)", said).group(1)
    assert re.fullmatch(r"[A-Z2-9]{4,8}", code)

    people = []
    for n in range(3):
        ctx, page = _page(browser, f"{apps_url}/voila/render/participant.ipynb?code={code}")
        _join(page, code)
        page.get_by_role("radio", name="2 · Heavy").check()
        page.get_by_role("button", name="Send my check-in").click()
        page.get_by_text("Received. Thank you for checking in.").wait_for()
        people.append((ctx, page))
        if n == 1:  # two people so far: under the threshold of 3
            fac.wait_for_timeout(4000)
            table = fac.locator("table.pc-tally").first.inner_text()
            assert "hidden (small group)" in table and not re.search(r"\t[12]\b", table)
    # three: now the count shows (the dashboard refreshes on its own)
    fac.locator("table.pc-tally td", has_text=re.compile(r"^3$")).first.wait_for(timeout=15_000)

    # live quiz: ask, every participant answers, reveal
    fac.get_by_role("tab", name="Live quiz").click()
    fac.get_by_role("button", name="Ask the room").click()
    for _, page in people:
        page.get_by_role("tab", name="Live quiz").click()
        box = page.locator(".pcq fieldset").first
        box.wait_for(timeout=15_000)
        box.locator("input").first.check()
        box.get_by_role("button", name="Send my answer").click()
        page.get_by_text("Your answer is in").wait_for()
    fac.get_by_role("button", name="Reveal the answer").click()
    fac.get_by_text("(right)").wait_for(timeout=15_000)
    people[0][1].get_by_text(re.compile("Correct|Not quite")).first.wait_for(timeout=15_000)

    # one scenario step and feedback from each participant
    for _, page in people:
        page.get_by_role("tab", name="Scenarios").click()
        page.get_by_role("button", name="Start").click()
        page.get_by_role("button", name="Choose").wait_for()
        page.locator(".widget-radio-box:visible label").first.click()
        page.get_by_role("button", name="Choose").click()
        page.get_by_role("tab", name="Feedback").click()
        page.get_by_role("radio", name=re.compile("Strongly agree")).first.check()
        page.get_by_role("button", name="Send my feedback").click()
        page.get_by_text("Received. Thank you: your feedback").wait_for()

    for ctx, _ in [(fac_ctx, fac), *people]:
        assert ctx.outside == [], ctx.outside

    # a participant cannot open the dashboard: the key is needed, and a wrong one is refused
    ctx, page = _page(browser, f"{apps_url}/voila/render/dashboard.ipynb")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_label("Facilitator key").fill("not-the-key")
    page.get_by_role("button", name="Open session").click()
    page.get_by_text(re.compile("key", re.I)).last.wait_for()
    assert "Heavy" not in page.content() and key not in page.content()


@pytest.mark.parametrize("app", sorted(p.name for p in APPS.glob("*.ipynb")))
def test_every_app_has_no_axe_violations(browser, apps_url, app):
    ctx, page = _page(browser, f"{apps_url}/voila/render/{app}")
    page.locator(".jupyter-widgets").first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    violations = run_axe(page)
    assert violations == [], describe(violations)
    assert ctx.outside == []
