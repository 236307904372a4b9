"""A live session in Debian's Chromium against a real Voila server with preheated kernels:
a facilitator and three participants in separate browser contexts, the room screen, a pause
and a breathing break; a facilitator following a session plan; axe on every app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from peercare.content.bank import load_module
from peercare.content.plans import load_plan
from peercare.serving.serve import live_session_args

from ..browser import chromium, describe, guarded_context, run_axe, settled
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
    fac.get_by_label("Hide groups under").fill("3")
    fac.get_by_label("Hide groups under").press("Tab")
    fac.get_by_label("Expected room size").fill("2")
    fac.get_by_label("Expected room size").press("Tab")
    fac.get_by_text("no counts show").wait_for()  # the preview for a room of 3
    fac.get_by_role("button", name="Create session").click()
    # the key comes alone, in a step of its own: no join code or QR code yet
    key = fac.locator(".pc-key").inner_text(timeout=30_000).strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", key)
    assert fac.locator(".pc-code").count() == 0 and fac.locator("svg").count() == 0
    fac.get_by_role("button", name="I have written it down").click()
    fac.get_by_text("Session code:").wait_for(timeout=30_000)
    code = fac.locator(".pc-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4,8}", code) and key not in fac.content()
    fac.reload()  # a refresh: a new page at the start form, and never the key
    fac.get_by_label("Facilitator key").wait_for(timeout=60_000)
    assert key not in fac.content()
    fac.get_by_label("Code", exact=True).fill(code)
    fac.get_by_label("Facilitator key").fill(key)
    fac.get_by_role("button", name="Open session").click()
    fac.get_by_text("Session code:").wait_for(timeout=30_000)
    assert key not in fac.content()

    people = []
    for n in range(3):
        ctx, page = _page(browser, f"{apps_url}/voila/render/participant.ipynb?code={code}")
        _join(page, code)
        page.get_by_role("radio", name="2 · Heavy").check()
        page.get_by_role("button", name="Send my check-in").click()
        page.get_by_text("Received. Thank you for checking in.").wait_for()
        people.append((ctx, page))
        if n == 1:  # two people so far: under the threshold of 3
            # the dashboard has counted both (it refreshes on its own), and holds them back
            fac.locator(".pc-note", has_text=re.compile(r"^2 \S+ so far\.")).first.wait_for(
                timeout=15_000
            )
            table = fac.locator("table.pc-tally").first.inner_text()
            assert "not shown" in table and not re.search(r"\t[12]\b", table)
    # three: now the count shows (the dashboard refreshes on its own)
    fac.locator("table.pc-tally td", has_text=re.compile(r"^3$")).first.wait_for(timeout=15_000)
    fac.get_by_text(re.compile(r"^3 phones have joined")).wait_for(timeout=15_000)

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
    fac.locator(".pc-note:visible", has_text=re.compile(r"^3 answers\.")).wait_for(timeout=15_000)
    fac.get_by_role("button", name="Reveal the answer").click()
    fac.get_by_text("Revealed on everyone's screen").wait_for(timeout=15_000)
    fac.get_by_text("(right)").first.wait_for(timeout=15_000)
    people[0][1].get_by_text(re.compile("Correct|Not quite")).first.wait_for(timeout=15_000)

    # the room screen: opened with the code alone; the quiz spread as the dashboard shows it
    room_url = f"{apps_url}/voila/render/room.ipynb?code={code}"
    room_ctx, screen = _page(browser, room_url, width=1280)
    screen.get_by_label("Session code").fill(code)
    screen.get_by_role("button", name="Show the room screen").click()
    screen.locator(".pc-room-code").wait_for(timeout=30_000)
    assert screen.locator(".pc-room-code").inner_text().strip() == code
    assert f"participant.ipynb?code={code}" in screen.locator(".pc-room-address").inner_text()
    assert screen.locator(".pc-room svg").count() == 1  # the QR code
    screen.locator(".pc-note", has_text=re.compile(r"^3 answers\.")).wait_for(timeout=15_000)
    screen.get_by_text("(right)").first.wait_for(timeout=15_000)
    assert "Heavy" not in screen.content() and key not in screen.content()
    violations = run_axe(screen)
    assert violations == [], ("room screen", describe(violations))
    assert (
        fac.get_by_role("link", name="Room screen")
        .get_attribute("href")
        .endswith(f"room.ipynb?code={code}")
    )

    # "I need a pause": the dashboard says that someone asked, with no number; a break
    # shows the breathing guide on every participant page and on the room screen
    people[0][1].get_by_role("button", name="I need a pause").click()
    cue = fac.locator(".pc-pause-cue")
    cue.wait_for(timeout=15_000)
    assert "Someone asked for a pause" in cue.inner_text()
    assert not re.search(r"\d", cue.inner_text())
    fac.get_by_role("button", name="Start a 2-minute break").click()
    for _, page in people:
        page.get_by_role("region", name="Breathing break").wait_for(timeout=15_000)
    screen.get_by_role("region", name="Breathing break").wait_for(timeout=15_000)
    violations = run_axe(people[0][1])
    assert violations == [], ("breathing break", describe(violations))
    fac.get_by_role("button", name="End the break").click()
    for _, page in people:
        page.get_by_role("region", name="Breathing break").wait_for(state="hidden", timeout=15_000)
        page.get_by_role("tab", name="Live quiz", selected=True).wait_for()  # as it was
    assert room_ctx.outside == []
    room_ctx.close()

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

    # every tab of the dashboard shows the room: three choices, three "Strongly agree"
    fac.get_by_role("tab", name="Scenarios").click()
    fac.locator(".pc-tally:visible td", has_text=re.compile(r"^3$")).first.wait_for(timeout=15_000)
    fac.get_by_role("tab", name="Feedback").click()
    agree = fac.locator(".pc-tally:visible tr", has_text="Strongly agree").first
    agree.locator("td", has_text=re.compile(r"^3$")).wait_for(timeout=15_000)
    for tab in ("Check-in", "Live quiz", "Scenarios", "Feedback"):
        fac.get_by_role("tab", name=tab).click()
        settled(fac)
        violations = run_axe(fac)
        assert violations == [], (tab, describe(violations))

    # the export is a real download, with the message beside its button
    fac.get_by_role("button", name="Export responses (CSV)").click()
    fac.get_by_text(re.compile("CSV ready")).wait_for(timeout=15_000)
    with fac.expect_download() as download:
        fac.get_by_role("link", name=f"Download session-{code}.csv").click()
    assert download.value.suggested_filename == f"session-{code}.csv"
    data = Path(download.value.path()).read_text(encoding="utf-8")
    assert data.startswith("respondent_id,session,time,app,item,response")
    assert data.count(",feedback,useful,5") == 3 and data.count(",checkin,arrival,2") == 3
    fac.get_by_role("button", name="Close session").click()
    fac.get_by_text("Session closed").wait_for(timeout=15_000)

    for ctx, _ in [(fac_ctx, fac), *people]:
        assert ctx.outside == [], ctx.outside

    # a participant cannot open the dashboard: the key is needed, and a wrong one is refused
    ctx, page = _page(browser, f"{apps_url}/voila/render/dashboard.ipynb")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_label("Facilitator key").fill("not-the-key")
    page.get_by_role("button", name="Open session").click()
    page.get_by_text("That code and key do not open a session").wait_for()
    assert "Heavy" not in page.content() and key not in page.content()


def test_a_facilitator_follows_a_plan(browser, apps_url):
    plan = load_plan("refresher")
    first, quiz = plan.segments[0], plan.segments[1]
    ctx, fac = _page(browser, f"{apps_url}/voila/render/dashboard.ipynb", width=1100)
    fac.get_by_label("Session title").fill("Refresher")
    fac.get_by_label("Session plan (optional)").select_option(label=plan.title)
    fac.get_by_role("button", name="Create session").click()
    fac.get_by_role("button", name="I have written it down").click(timeout=30_000)
    fac.get_by_text(f"Session plan: {plan.title}").wait_for(timeout=30_000)
    fac.get_by_role("heading", name=f"{first.title} (never cut)").wait_for()
    timer = fac.locator(".pc-timer")
    assert timer.inner_text().strip() == f"{first.minutes}:00"
    assert fac.get_by_role("button", name="Next part").is_disabled()
    fac.get_by_role("button", name="Start the session").click()
    timer.filter(has_text="left in this part").wait_for(timeout=15_000)
    assert re.match(r"^[45]:\d\d left in this part", timer.inner_text())
    violations = run_axe(fac)
    assert violations == [], describe(violations)

    fac.get_by_role("button", name="Next part").click()
    fac.get_by_role("heading", name=quiz.title).wait_for(timeout=15_000)
    fac.get_by_text("Part 2 of 5").wait_for()
    fac.get_by_role("tab", name="Live quiz", selected=True).wait_for(timeout=15_000)
    prompt = load_module(quiz.chapter).questions[0].prompt
    fac.locator(".widget-html", has_text=prompt).first.wait_for(timeout=15_000)
    # the dashboard's own polling redraws the timer: it counts down from the part's minutes
    timer.filter(has_text=re.compile(rf"^{quiz.minutes - 1}:\d\d left")).wait_for(timeout=30_000)
    violations = run_axe(fac)
    assert violations == [], describe(violations)
    assert ctx.outside == []
    ctx.close()


@pytest.mark.parametrize("app", sorted(p.name for p in APPS.glob("*.ipynb")))
def test_every_app_has_no_axe_violations(browser, apps_url, app):
    ctx, page = _page(browser, f"{apps_url}/voila/render/{app}")
    page.locator(".jupyter-widgets").first.wait_for(timeout=60_000)
    settled(page)
    violations = run_axe(page)
    assert violations == [], describe(violations)
    assert ctx.outside == []
