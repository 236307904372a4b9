"""Formgrader (rubric grading) and the candidate's Assignments tab in a real JupyterLab,
driven in Debian's Chromium: nbgrader 0.9.6's lab extension with JupyterLab 4.6."""

from __future__ import annotations

import getpass
import time

import pytest

from ..browser import chromium, guarded_context, lab_ready
from ..lab import lab_server
from .conftest import BROKEN

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(graded, tmp_path_factory):
    course = graded["course"]
    # the candidate's nbgrader cache goes under the server's own JUPYTER_DATA_DIR
    with lab_server(course.root, tmp_path_factory.mktemp("lab")) as url:
        yield url, course


@pytest.fixture(scope="module")
def page(lab, chromium_path):
    url, _ = lab
    with chromium(chromium_path) as browser:
        context = guarded_context(browser, viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(f"{url}/lab?reset&token=t")
        lab_ready(page, 90_000)
        yield page
        # formgrader's submission page asks a CDN for MathJax; nothing else leaves the machine
        assert all("mathjax" in u.lower() for u in context.outside), context.outside


def _manual(course, candidate, cell):
    with course.gradebook() as gb:
        g = gb.find_grade(cell, "scenarios", "scenarios", candidate)
        return g.manual_score, g.needs_manual_grade


def test_formgrader_opens_in_lab_and_saves_a_rubric_grade(lab, page):
    url, course = lab
    assert _manual(course, BROKEN, "s2-response") == (None, True)
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.get_by_text("Formgrader", exact=True).click()
    frame = None
    for _ in range(60):
        frame = next((f for f in page.frames if "/formgrader" in f.url), None)
        if frame:
            break
        page.wait_for_timeout(500)
    assert frame is not None, "no Formgrader panel"
    frame.wait_for_selector("text=knowledge-check", timeout=60_000)
    # grade the broken candidate's written answer, as a lead trainer does
    page.goto(f"{url}/formgrader/gradebook/scenarios/scenarios")
    page.get_by_role("button", name="Show All Names").click()
    page.locator("tr", has_text="Reyes").get_by_role("link").first.click()
    page.wait_for_selector("input.score#s2-response", timeout=60_000)
    assert page.get_by_text("What a lead trainer looks for").first.is_visible()
    box = page.locator("input.score#s2-response")
    box.scroll_into_view_if_needed()
    box.fill("2")
    box.press("Tab")
    deadline = time.monotonic() + 20
    while _manual(course, BROKEN, "s2-response") != (2.0, False):
        assert time.monotonic() < deadline, _manual(course, BROKEN, "s2-response")
        time.sleep(0.5)


def test_candidate_fetches_validates_and_submits_in_lab(lab, page):
    url, course = lab
    page.goto(f"{url}/lab?reset&token=t")
    lab_ready(page, 90_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.get_by_text("Assignment List", exact=True).click()
    released = page.locator("#released_assignments_list .list_item", has_text="knowledge-check")
    released.get_by_role("button", name="Fetch").click(timeout=60_000)
    fetched = page.locator("#fetched_assignments_list .list_item", has_text="knowledge-check")
    fetched.first.wait_for(timeout=60_000)
    page.locator("#fetched_assignments_list a", has_text="knowledge-check").first.click()
    page.get_by_role("button", name="Validate").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=120_000)
    # nbgrader's own Validate (this is not the candidate lab, which says what is still
    # empty): the check boxes never raise, so it runs clean, with no traceback
    said = dialog.inner_text()
    assert "Validation Results" in said and "Traceback" not in said
    dialog.locator("button").last.click()
    fetched.get_by_role("button", name="Submit").first.click()
    page.locator(
        "#submitted_assignments_list .list_item", has_text="knowledge-check"
    ).first.wait_for(timeout=60_000)
    inbound = course.root / "exchange" / "helping-the-helpers" / "inbound"
    assert any(
        p.name.startswith(f"{getpass.getuser()}+knowledge-check+") for p in inbound.iterdir()
    )
