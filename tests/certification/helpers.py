"""Candidates for the certification tests: fetch, answer and submit with nbgrader's exchange."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COURSE_FILES = ("nbgrader_config.py", "rubric.yml", "certification.yml", "certificate.yml")
COURSE_ID = "helping-the-helpers"

# the knowledge check's answer key lives in the source notebook's solution regions
KC = "knowledge-check"


def make_course(where: Path) -> Path:
    """A throwaway copy of the course: grading/ (config and rules only) and exercises/."""
    (where / "grading").mkdir(parents=True)
    for name in COURSE_FILES:
        shutil.copy(ROOT / "grading" / name, where / "grading" / name)
    shutil.copytree(ROOT / "exercises", where / "exercises",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))  # fmt: skip
    return where / "grading"


def answer_key(exercises: Path, assignment: str, notebook: str) -> dict[str, str]:
    nb = json.loads((exercises / assignment / f"{notebook}.ipynb").read_text())
    key = {}
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if "### BEGIN SOLUTION" in src and cell["cell_type"] == "code":
            key[cell["id"]] = src.split('answer = "')[1][0]
    return key


def nbgrader_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd,
                          capture_output=True, text=True)  # fmt: skip


def _config(exchange: Path, home: Path):
    from traitlets.config import Config

    cfg = Config()
    cfg.CourseDirectory.course_id = COURSE_ID
    cfg.CourseDirectory.root = str(home)
    cfg.Exchange.root = str(exchange)
    cfg.Exchange.assignment_dir = str(home)
    cfg.Exchange.cache = str(home / ".nbgrader_cache")  # not the real ~/.local one
    return cfg


def fetch(exchange: Path, home: Path, assignment: str) -> Path:
    """nbgrader's own fetch (the code behind `nbgrader fetch_assignment`), in this process."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment

    home.mkdir(parents=True, exist_ok=True)
    cfg = _config(exchange, home)
    coursedir = CourseDirectory(config=cfg)
    coursedir.assignment_id = assignment
    ExchangeFetchAssignment(
        coursedir=coursedir, authenticator=Authenticator(config=cfg), config=cfg
    ).start()
    return home / assignment


def submit(exchange: Path, home: Path, assignment: str, candidate: str) -> None:
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeSubmit

    cfg = _config(exchange, home)
    coursedir = CourseDirectory(config=cfg)
    coursedir.assignment_id = assignment
    coursedir.student_id = candidate
    ExchangeSubmit(coursedir=coursedir, authenticator=Authenticator(config=cfg), config=cfg).start()


class Notebook:
    """A fetched notebook, edited as JSON, the way a candidate's JupyterLab saves it."""

    def __init__(self, path: Path):
        self.path = path
        self.nb = json.loads(path.read_text())

    def cell(self, cell_id: str) -> dict:
        return next(c for c in self.nb["cells"] if c["id"] == cell_id)

    def set(self, cell_id: str, source: str) -> None:
        self.cell(cell_id)["source"] = source

    def answer(self, cell_id: str, letter: str) -> None:
        self.set(cell_id, f'# my answer\nanswer = "{letter}"')

    def delete(self, cell_id: str) -> None:
        self.nb["cells"] = [c for c in self.nb["cells"] if c["id"] != cell_id]

    def save(self) -> None:
        self.path.write_text(json.dumps(self.nb, indent=1))


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
