"""A submission whose loop ignores the interrupt (SIGINT) cannot hang the grading: it is
reported as needing a lead trainer, and the other submissions of the batch are graded."""

from __future__ import annotations

import pytest

from .conftest import cert
from .helpers import CODE, Notebook, add_code_assignment, fetch, make_course, submit

# A code answer (choice answers are read as data and never run) that catches the interrupt
# inside its loop; it runs in the sandbox.
DEAF = (
    "while True:\n"
    "    try:\n"
    "        while True:\n"
    "            pass\n"
    "    except KeyboardInterrupt:\n"
    "        pass\n"
    "answer = 120"
)


@pytest.fixture
def short_cells(monkeypatch):
    monkeypatch.setenv("PEERCARE_CELL_TIMEOUT", "5")  # as the main course; cells are tiny
    monkeypatch.delenv("PEERCARE_COURSE", raising=False)


def test_a_loop_that_ignores_interrupts_is_stopped_and_reported(tmp_path, short_cells):
    from peercare.certification.sandbox import bwrap

    if bwrap() is None:
        pytest.skip("code answers need bubblewrap")
    root = make_course(tmp_path)
    add_code_assignment(tmp_path / "exercises")

    (tmp_path / "people.csv").write_text("id,name\ndeaf,Test Deaf\nfine,Test Fine\n")
    assert cert(root, "add-candidates", str(tmp_path / "people.csv")).returncode == 0
    out = cert(root, "release", CODE)
    assert out.returncode == 0, out.stderr
    for who in ("deaf", "fine"):
        home = tmp_path / "homes" / who
        nb = Notebook(fetch(root / "exchange", home, CODE) / f"{CODE}.ipynb")
        nb.set("minutes-answer", DEAF if who == "deaf" else "answer = 120")
        nb.save()
        submit(root / "exchange", home, CODE, who)
    assert cert(root, "collect", CODE).returncode == 0

    out = cert(root, "autograde", CODE, "--jobs", "2", timeout=600)  # a hang fails the test
    assert out.returncode == 0, out.stdout + out.stderr
    assert "fine / code-practice: graded" in out.stdout
    assert "deaf / code-practice: failed" in out.stdout
    assert "kept running after the time limit, even when interrupted" in out.stdout
    status = cert(root, "status", "--candidate", "deaf")
    assert status.returncode == 0 and "even when interrupted" in status.stdout
