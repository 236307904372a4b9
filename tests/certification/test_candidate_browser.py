"""A trainer candidate who never used Jupyter, played end to end in Chromium through
`peercare cert lab --candidate c01`: fetch from the Assignments tab, answer the knowledge
check by clicking (three answers typed in odd forms, three left empty), run cells twice and
out of order, Validate, Submit with blanks (asked first, then sent), then the lead trainer
collects, autogrades and releases feedback, and the candidate fetches it and opens it with one
click on "(view feedback)": their answer, right or not, and why, with no code and no traceback.

Screenshots of each step go to ``$PEERCARE_SHOTS`` when it is set (for a usability look)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from .helpers import COURSE_ID, KC, answer_key, make_course
from .test_candidate_lab import TOKEN, _cert, started

pytestmark = pytest.mark.browser
WRONG_CLICKS = {3, 4}  # questions answered by clicking a wrong letter
TYPED = {15: "answer = {}", 16: "{}", 17: '"{}"'}  # typed, right letter, odd forms
EMPTY = {18, 19, 20}
ERRORS = re.compile(r"Traceback|Error|Exception|assert ", re.IGNORECASE)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from peercare.certification import Course

    root = make_course(tmp_path_factory.mktemp("browser-course"))
    csv = root.parent / "cohort.csv"
    csv.write_text("id,name\nc01,Test Candidate\n")
    for step in (("add-candidates", str(csv)), ("release", KC)):
        done = subprocess.run(_cert(root, *step), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    return Course.find(root)


def _letters(course) -> dict[int, str]:
    key = answer_key(course.root.parent / "exercises", KC, KC)
    return {int(cell_id[1:3]): letter for cell_id, letter in key.items()}


def _wrong(letter: str) -> str:
    return "B" if letter != "B" else "C"


def _shot(page, name: str) -> None:
    if folder := os.environ.get("PEERCARE_SHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _dialog_text(page) -> str:
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=120_000)
    return dialog.inner_text()


def _close_dialog(page) -> None:
    page.locator(".jp-Dialog .jp-mod-accept").first.click()
    page.locator(".jp-Dialog").wait_for(state="detached")


def _chosen(page, number: int) -> str:
    buttons = page.locator(".peercare-choice").nth(number - 1).get_by_role("radio")
    return "".join(
        buttons.nth(i).inner_text()
        for i in range(buttons.count())
        if buttons.nth(i).get_attribute("aria-checked") == "true"
    )


def _wait_chosen(page, number: int, letter: str) -> None:
    page.wait_for_function(
        "([i, l]) => document.querySelectorAll('.peercare-choice')[i]"
        "?.querySelector('[aria-checked=true]')?.textContent === l",
        arg=[number - 1, letter],
        timeout=60_000,
    )


def _own_violations(violations: list[dict]) -> list[dict]:
    """axe violations on what this kit draws (the buttons, the plain-words dialogs)."""
    ours = ("peercare-choice", "validation-message", "submission-message")
    return [v for v in violations if any(o in str(v["nodes"]) for o in ours)]


def _open_fetched_notebook(page) -> None:
    """Open the fetched notebook from the Assignments tab. The list redraws when the fetch
    ends, which can fold a list the candidate (or this test) had just opened, so unfold it
    again until the notebook's link shows, as a person would."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    toggle = page.locator("a.assignment-notebooks-link", has_text=KC)
    notebook = page.locator("#fetched_assignments_list .nested_list_item a", has_text=KC)
    for _ in range(12):
        toggle.wait_for(timeout=120_000)
        if not notebook.is_visible():
            toggle.click()
        try:
            notebook.wait_for(state="visible", timeout=10_000)
        except PlaywrightTimeout:  # the list redrew folded; unfold it again
            continue
        notebook.click()
        return
    raise AssertionError("the fetched notebook never showed in the Assignments tab")


def _no_error_text(page, where: str) -> None:
    outputs = page.locator(".jp-OutputArea-output")
    text = "\n".join(outputs.nth(i).inner_text() for i in range(outputs.count()))
    assert not ERRORS.search(text), f"{where}: {text[:500]}"
    assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0


def test_a_candidate_answers_by_clicking_and_reads_their_feedback(course, chromium_path):
    from ..browser import chromium, guarded_context, lab_ready, run_axe

    letters = _letters(course)
    home = course.root / "candidate-work" / "c01" / COURSE_ID / KC
    inbound = course.root / "exchange" / COURSE_ID / "inbound"
    with started(course, "--candidate", "c01") as (url, _), chromium(chromium_path) as browser:
        context = guarded_context(browser, viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(f"{url}/lab?reset&token={TOKEN}")
        lab_ready(page, 120_000)
        _shot(page, "01-start")

        # the Assignments tab: fetch, then open the notebook from the list
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        page.get_by_text("Assignment List", exact=True).click()
        page.locator("#released_assignments_list .list_item", has_text=KC).wait_for(timeout=120_000)
        _shot(page, "02-assignments")
        page.locator("#released_assignments_list").get_by_role("button", name="Fetch").click()
        _open_fetched_notebook(page)

        # press ▶▶ (restart and run all), as the notebook's first box says
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=180_000)
        page.locator(".jp-Notebook .jp-Cell").nth(3).wait_for()
        _shot(page, "03-notebook")
        page.locator("[data-command='notebook:restart-run-all']").first.click()
        _dialog_text(page)
        _close_dialog(page)  # "Restart"
        page.wait_for_function(
            "document.querySelectorAll('.peercare-choice').length === 20", timeout=180_000
        )
        _shot(page, "04-buttons")

        # answer by clicking (changing one's mind once), three typed in odd forms
        for n in range(1, 18):
            group = page.locator(".peercare-choice").nth(n - 1)
            group.scroll_into_view_if_needed()
            if n in TYPED:
                box = page.locator(".jp-CodeCell", has_text=f"# Question {n}: click")
                box.locator(".cm-content").click()
                page.keyboard.press("Control+A")
                page.keyboard.type(TYPED[n].format(letters[n].lower() if n == 16 else letters[n]))
                page.keyboard.press("Escape")
                continue
            if n == 1:
                group.get_by_role("radio", name=f"Choice {_wrong(letters[n])}").click()
            letter = _wrong(letters[n]) if n in WRONG_CLICKS else letters[n]
            group.get_by_role("radio", name=f"Choice {letter}").click()
            _wait_chosen(page, n, letter)
        _shot(page, "05-answered")
        # the buttons follow what was typed in the box
        assert _chosen(page, 16) == letters[16] and _chosen(page, 15) == letters[15]

        # run cells twice and out of order: a later answer box, then earlier checks, twice
        for text in ("# Question 10: click", "buttons for question 2 (", "buttons for question 20 (",
                     "buttons for question 2 (", "# Question 19: click"):  # fmt: skip
            cell = page.locator(".jp-CodeCell", has_text=text)
            cell.scroll_into_view_if_needed()
            cell.locator(".jp-Cell-inputWrapper").click()
            page.keyboard.press("Escape")
            page.keyboard.press("Control+Enter")
        page.wait_for_function(
            "document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')"
            ".length > 0 && ![...document.querySelectorAll('.jp-InputArea-prompt')]"
            ".some(p => p.textContent.includes('*'))",
            timeout=120_000,
        )
        _wait_chosen(page, 2, letters[2])  # the new buttons show the box's answer
        assert _chosen(page, 20) == ""
        _no_error_text(page, "after running cells twice and out of order")
        _shot(page, "06-reran")

        # Validate, in plain words
        page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True).click()
        said = _dialog_text(page)
        _shot(page, "07-validate")
        assert "Still empty: 18 to 20." in said
        assert "failed" not in said.lower() and not ERRORS.search(said)
        violations = run_axe(page)
        assert _own_violations(violations) == [], violations
        notebook_violations = violations
        _close_dialog(page)

        # Submit with blanks: asked first, nothing sent; pressed again, sent, said in words
        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        submit = page.locator("#fetched_assignments_list").get_by_role("button", name="Submit")
        submit.click()
        said = _dialog_text(page)
        _shot(page, "08-submit-asks")
        assert "still empty: 18 to 20" in said and "press Submit again" in said
        assert "not submitted" not in said.lower() and not ERRORS.search(said)
        assert said.startswith("About sending your work") and "Invalid" not in said
        assert not inbound.exists() or not list(inbound.iterdir())
        _close_dialog(page)
        submit.click()
        sent = page.locator("#submitted_assignments_list", has_text="Sent on")
        sent.wait_for(timeout=120_000)
        assert re.search(r"Sent on \w+day \d{1,2} \w+ at \d{1,2}:\d\d [ap]m", sent.inner_text())
        _shot(page, "09-sent")
        assignments_violations = run_axe(page)

        # the lead trainer grades and releases feedback
        for step in ("collect", "autograde", "feedback"):
            done = subprocess.run(_cert(course.root, step), capture_output=True, text=True)
            assert done.returncode == 0, (step, done.stdout, done.stderr)
        status = subprocess.run(_cert(course.root, "status"), capture_output=True, text=True)
        right = sum(
            1
            for n in range(1, 21)
            if n not in EMPTY and n not in WRONG_CLICKS
        )  # fmt: skip
        assert right == 15
        assert re.search(rf"c01\b.*{KC}.*\b15(\.0)? ?/ ?20", status.stdout), status.stdout
        assert "root" not in status.stdout.split()
        decided = subprocess.run(_cert(course.root, "decide"), capture_output=True, text=True)
        assert "c01" in decided.stdout and "root" not in decided.stdout, decided.stdout

        # the candidate fetches the feedback and opens it: one click on "(view feedback)"
        page.reload()
        lab_ready(page, 120_000)
        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        page.get_by_role("button", name="Fetch Feedback").click(timeout=120_000)
        page.get_by_text("(view feedback)").wait_for(timeout=120_000)
        _shot(page, "10-view-feedback-link")
        page.get_by_role("link", name="(view feedback)").click()  # a link the Tab key reaches
        frame = page.frame_locator("iframe[src*='peercare/feedback']")
        frame.get_by_text("Your score: 15 of 20.").wait_for(timeout=60_000)
        text = frame.locator("body").inner_text()
        _shot(page, "11-feedback")
        assert f"Your answer: {letters[1]}. Correct." in text
        for n in WRONG_CLICKS:
            assert f"Your answer: {_wrong(letters[n])}. Not the best answer this time." in text
        assert text.count("No answer was given, so this question scored 0.") == len(EMPTY)
        assert text.count("Why:") == 20 and "Question 20" in text
        assert not ERRORS.search(text) and "HIDDEN" not in text and "choose(" not in text
        assert page.get_by_text("Trust HTML").count() == 0
        assert page.get_by_title("Trust HTML").count() == 0
        # clicked again from the Assignments tab: the same tab comes forward, not a second one
        tab = page.locator(".lm-TabBar-tab", has_text=f"Feedback: {KC}")
        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        page.get_by_text("(view feedback)").click()
        page.locator(".lm-TabBar-tab.lm-mod-current", has_text=f"Feedback: {KC}").wait_for()
        assert tab.count() == 1
        # the page itself passes axe (checked on its own: its policy refuses axe's script)
        own = context.new_page()
        own.set_content(next(home.glob("feedback/*/*.html")).read_text(encoding="utf-8"))
        assert run_axe(own, min_passes=5) == []  # contrast, title, language, lists...
        assert context.outside == []
    print("JupyterLab's own axe violations (notebook):", [v["id"] for v in notebook_violations])
    print(
        "JupyterLab's own axe violations (Assignments):", [v["id"] for v in assignments_violations]
    )
    assert home.is_dir()
