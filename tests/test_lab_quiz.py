"""The same quiz widget in a real JupyterLab: it renders, checks, and Python gets the answer."""

from __future__ import annotations

import shutil

import pytest

from peercare.content.bank import load_module

from .browser import chromium, guarded_context
from .conftest import ROOT
from .lab import lab_server
from .test_voila_quiz import _read_lines

pytestmark = pytest.mark.browser


@pytest.fixture
def lab(tmp_path):
    shutil.copy(ROOT / "tests" / "notebooks" / "quiz_sync.ipynb", tmp_path / "quiz_sync.ipynb")
    sink = tmp_path / "answers.jsonl"
    env = {"PEERCARE_TEST_SINK": str(sink), "PEERCARE_ROOT": str(ROOT)}
    with lab_server(tmp_path, tmp_path / "state", env) as url:
        yield url, sink


def test_quiz_runs_in_jupyterlab(lab, chromium_path):
    url, sink = lab
    q = load_module("welcome", ROOT).question("welcome-purpose")
    right = next(o for o in q.options if o.correct)
    with chromium(chromium_path) as browser:
        context = guarded_context(browser, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{url}/lab/tree/quiz_sync.ipynb?token=t")
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000
        )
        # Lab may take a moment to connect the kernel; a run sent before that is dropped.
        for _attempt in range(3):
            page.locator(".jp-Cell .jp-InputPrompt").first.click()
            page.keyboard.press("Control+Enter")
            try:
                page.wait_for_selector(".pcq fieldset", timeout=20_000)
                break
            except Exception:
                page.screenshot(path=str(lab[1].parent / "lab.png"))
        else:
            raise AssertionError("the quiz never rendered in JupyterLab")
        box = page.locator(".pcq fieldset").first
        box.get_by_label(right.text).check()
        box.get_by_role("button", name="Check answer").click()
        assert right.feedback in box.locator(".pcq-feedback").inner_text()
        got = _read_lines(sink, 1)
    assert got == [
        {"quiz_id": "welcome", "question_id": q.id, "chosen": [right.id], "correct": True}
    ]
