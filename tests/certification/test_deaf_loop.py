"""A submission whose loop ignores the interrupt (SIGINT) cannot hang the grading: it is
reported as needing a lead trainer, and the other submissions of the batch are graded."""

from __future__ import annotations

import pytest

from .conftest import cert
from .helpers import KC, Notebook, answer_key, fetch, make_course, submit

# Catching the interrupt inside the loop: no import, so the check for code that reaches
# outside the notebook lets it run (an `import signal` version is held, never run).
DEAF = (
    "while True:\n"
    "    try:\n"
    "        while True:\n"
    "            pass\n"
    "    except KeyboardInterrupt:\n"
    "        pass\n"
    'answer = "A"'
)


@pytest.fixture
def short_cells(monkeypatch):
    monkeypatch.setenv("PEERCARE_CELL_TIMEOUT", "5")  # as the main course; cells are tiny
    monkeypatch.delenv("PEERCARE_COURSE", raising=False)


def test_a_loop_that_ignores_interrupts_is_stopped_and_reported(tmp_path, short_cells):
    from peercare.certification import Course

    root = make_course(tmp_path)
    course = Course.find(root)
    (tmp_path / "people.csv").write_text("id,name\ndeaf,Test Deaf\nfine,Test Fine\n")
    assert cert(root, "add-candidates", str(tmp_path / "people.csv")).returncode == 0
    out = cert(root, "release", KC)
    assert out.returncode == 0, out.stderr
    key = answer_key(course.exercises, KC, KC)
    for who in ("deaf", "fine"):
        home = tmp_path / "homes" / who
        nb = Notebook(fetch(root / "exchange", home, KC) / f"{KC}.ipynb")
        for cell_id, letter in key.items():
            nb.answer(cell_id, letter)
        if who == "deaf":
            nb.set("q06-answer", DEAF)
        nb.save()
        submit(root / "exchange", home, KC, who)
    assert cert(root, "collect", KC).returncode == 0

    out = cert(root, "autograde", KC, "--jobs", "2", timeout=600)  # a hang fails the test
    assert out.returncode == 0, out.stdout + out.stderr
    assert "fine / knowledge-check: graded" in out.stdout
    assert "deaf / knowledge-check: failed" in out.stdout
    assert "kept running after the time limit, even when interrupted" in out.stdout
    status = cert(root, "status", "--candidate", "deaf")
    assert status.returncode == 0 and "even when interrupted" in status.stdout
