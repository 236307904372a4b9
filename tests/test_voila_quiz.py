"""The same quiz widget served by a real Voila server: answers reach Python, validated."""

from __future__ import annotations

import json
import time

import pytest

from peercare.book.quiz import Answer, chapter_quiz
from peercare.content.bank import load_module

from .browser import chromium, guarded_context, run_axe
from .conftest import ROOT
from .voila import voila_server

pytestmark = pytest.mark.browser


def _read_lines(path, n, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            lines = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
            if len(lines) >= n:
                return lines
        time.sleep(0.2)
    raise AssertionError(f"Python received {path.read_text() if path.exists() else 'nothing'}")


def test_answers_in_voila_reach_python(tmp_path, chromium_path):
    sink = tmp_path / "answers.jsonl"
    bank = load_module("welcome", ROOT)
    q = bank.question("welcome-purpose")
    wrong = next(o for o in q.options if not o.correct)
    right = next(o for o in q.options if o.correct)
    notebook = ROOT / "tests" / "notebooks" / "quiz_sync.ipynb"
    with (
        voila_server(
            notebook, env={"PEERCARE_TEST_SINK": str(sink), "PEERCARE_ROOT": str(ROOT)}
        ) as url,
        chromium(chromium_path) as browser,
    ):
        context = guarded_context(browser)
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        loaded = []
        page.on("request", lambda r: loaded.append(r.url))
        page.goto(url)
        page.wait_for_selector(".pcq fieldset", timeout=60_000)
        box = page.locator(".pcq fieldset").first
        box.get_by_label(wrong.text).check()
        box.get_by_role("button", name="Check answer").click()
        box.get_by_label(right.text).check()
        box.get_by_role("button", name="Check answer").click()
        got = _read_lines(sink, 2)
        assert context.outside == []
        assert run_axe(page) == []
        # JupyterLab-only extensions stay out of app pages (nbgrader's threw errors there)
        assert errors == []
        assert not [u for u in loaded if "nbgrader" in u or "lab-extension" in u]
    assert got[0] == {
        "quiz_id": "welcome",
        "question_id": q.id,
        "chosen": [wrong.id],
        "correct": False,
    }
    assert got[1] == {
        "quiz_id": "welcome",
        "question_id": q.id,
        "chosen": [right.id],
        "correct": True,
    }


def test_python_decides_correctness_and_refuses_forged_answers():
    quiz = chapter_quiz("welcome", ROOT)
    seen: list[Answer] = []
    quiz.on_answer(seen.append)
    quiz.on_answer(lambda a: 1 / 0)  # a broken callback must not stop the others
    quiz.last_answer = {"question": "welcome-purpose", "chosen": ["a"], "n": 1, "correct": False}
    quiz.last_answer = {"question": "welcome-purpose", "chosen": ["zz"], "n": 2}
    quiz.last_answer = {"question": "no-such-question", "chosen": ["a"], "n": 3}
    quiz.last_answer = {"question": "welcome-purpose", "chosen": ["a", "b"], "n": 4}
    quiz.last_answer = {"question": "welcome-help-now", "chosen": ["a", "b", "c"], "n": 5}
    quiz.last_answer = {"question": "welcome-purpose", "chosen": "<script>", "n": 6}
    assert [(a.question_id, a.correct) for a in seen] == [
        ("welcome-purpose", True),
        ("welcome-help-now", True),
    ]


def test_quiz_state_carries_no_reader_data_until_answered():
    quiz = chapter_quiz("welcome", ROOT)
    state = quiz.get_state()
    assert state["answers"] == {} and state["last_answer"] == {}
    assert state["quiz_id"] == "welcome" and len(state["questions"]) == len(
        load_module("welcome", ROOT).questions
    )
