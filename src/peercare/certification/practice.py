"""A practice course and the candidate's side of nbgrader's exchange, for rehearsals and
tests: a throwaway copy of the course, the answer key read from the sources, and fetch,
edit and submit as a candidate's JupyterLab does them (nbgrader's own exchange code)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

COURSE_FILES = ("nbgrader_config.py", "rubric.yml", "certification.yml", "certificate.yml")
COURSE_ID = "helping-the-helpers"
KC = "knowledge-check"


def make_course(where: Path, root: Path) -> Path:
    """A throwaway copy of the kit's course in ``where``: grading/ (config and rules only)
    and exercises/; the copy's grading folder."""
    (where / "grading").mkdir(parents=True)
    for name in COURSE_FILES:
        shutil.copy(root / "grading" / name, where / "grading" / name)
    shutil.copytree(root / "exercises", where / "exercises",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))  # fmt: skip
    return where / "grading"


def answer_key(exercises: Path, assignment: str, notebook: str) -> dict[str, str]:
    """Answer cell id -> the right letter, from the source notebook's solution regions."""
    nb = json.loads((exercises / assignment / f"{notebook}.ipynb").read_text())
    key = {}
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if "### BEGIN SOLUTION" in src and cell["cell_type"] == "code":
            key[cell["id"]] = src.split('answer = "')[1][0]
    return key


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
