"""Candidates for the certification tests: fetch, answer and submit with nbgrader's exchange
(:mod:`peercare.certification.practice`), and a test-only assignment with a code answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from peercare.certification import practice
from peercare.certification.practice import (  # noqa: F401 (the tests import them from here)
    COURSE_ID,
    KC,
    Notebook,
    answer_key,
    fetch,
    submit,
)

ROOT = Path(__file__).resolve().parents[2]


def make_course(where: Path) -> Path:
    """A throwaway copy of the course: grading/ (config and rules only) and exercises/."""
    return practice.make_course(where, ROOT)


def nbgrader_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd,
                          capture_output=True, text=True)  # fmt: skip


CODE = "code-practice"  # a test-only assignment whose answer box is code that runs


def add_code_assignment(exercises: Path) -> None:
    """An assignment with one code answer (``peercare: {answer: code}``), its hidden check,
    and a public helper file, as a course that grades code would have."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    def meta(gid, **kw):
        base = {"grade": False, "grade_id": gid, "locked": False, "schema_version": 3,
                "solution": False, "task": False}  # fmt: skip
        return {"nbgrader": {**base, **kw}}

    answer = new_code_cell(
        "# Set answer to the number of minutes in two hours.\n"
        "### BEGIN SOLUTION\nanswer = 120\n### END SOLUTION",
        metadata={**meta("minutes-answer", solution=True), "peercare": {"answer": "code"}},
        id="minutes-answer",
    )
    check = new_code_cell(
        "from practice_checks import has_answer\n"
        "assert has_answer(globals()), 'No answer yet.'\n"
        "### BEGIN HIDDEN TESTS\nassert answer == 120\n### END HIDDEN TESTS",
        metadata=meta("minutes-check", grade=True, locked=True, points=1),
        id="minutes-check",
    )
    intro = new_markdown_cell("# Practice", metadata=meta("intro", locked=True), id="intro")
    nb = new_notebook(cells=[intro, answer, check])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    folder = exercises / CODE
    folder.mkdir()
    nbformat.write(nb, folder / f"{CODE}.ipynb")
    (folder / "practice_checks.py").write_text(
        "def has_answer(names):\n    return 'answer' in names\n"
    )
