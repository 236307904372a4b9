"""The nbgrader course folder (``grading/``) and how ``peercare cert`` talks to nbgrader.

Commands that nbgrader does well run as real ``nbgrader`` commands in the course folder;
the gradebook is read and written through nbgrader's own API (:mod:`nbgrader.api`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..paths import project_root
from .errors import CertError

__all__ = ["CertError", "Course"]


CONFIG_NAME = "nbgrader_config.py"


def ensure_tools_on_path() -> None:
    """nbgrader runs ``alembic`` (installed beside this Python) when it makes a gradebook;
    put this Python's bin folder on PATH so that works from any shell."""
    bin_dir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bin_dir not in parts:
        os.environ["PATH"] = os.pathsep.join([bin_dir, *[p for p in parts if p]])


@dataclass(frozen=True)
class Course:
    root: Path

    @classmethod
    def find(cls, folder: str | Path | None = None) -> Course:
        """``folder``, else ``PEERCARE_COURSE``, else ``grading/`` in the kit's folder."""
        if folder is None:
            folder = os.environ.get("PEERCARE_COURSE") or project_root() / "grading"
        ensure_tools_on_path()
        root = Path(folder).expanduser().resolve()
        if not (root / CONFIG_NAME).is_file():
            raise CertError(
                f"{root} is not a course folder (no {CONFIG_NAME}). Run the command in the "
                "kit's folder, or give --course with the folder that holds nbgrader_config.py."
            )
        return cls(root)

    @cached_property
    def config(self):
        from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

        try:
            return PyFileConfigLoader(CONFIG_NAME, path=str(self.root)).load_config()
        except ConfigFileNotFound:  # pragma: no cover - checked in find()
            raise CertError(f"{self.root / CONFIG_NAME} is missing") from None
        except Exception as exc:
            raise CertError(f"{self.root / CONFIG_NAME} has an error: {exc}") from None

    @cached_property
    def coursedir(self):
        from nbgrader.coursedir import CourseDirectory

        return CourseDirectory(config=self.config)

    @property
    def course_id(self) -> str:
        return self.coursedir.course_id

    @property
    def db_url(self) -> str:
        return self.coursedir.db_url

    def folder(self, step: str) -> Path:
        """release, submitted, autograded, feedback or source, as a path."""
        name = getattr(self.coursedir, f"{step}_directory")
        return (self.root / name).resolve()

    @property
    def exercises(self) -> Path:
        return self.folder("source")

    @property
    def review_dir(self) -> Path:
        return self.root / "review"

    @property
    def certificates_dir(self) -> Path:
        return self.root / "certificates"

    @property
    def timeout(self) -> int:
        return int(self.config.Execute.get("timeout", 30))

    def assignments(self) -> list[str]:
        """Assignment folders in the exercises, in order."""
        if not self.exercises.is_dir():
            raise CertError(f"No exercises folder at {self.exercises}")
        return sorted(p.name for p in self.exercises.iterdir() if any(p.glob("*.ipynb")))

    def pick(self, assignment: str | None) -> list[str]:
        known = self.assignments()
        if assignment is None:
            return known
        if assignment not in known:
            raise CertError(f"No assignment {assignment!r}; the course has: {', '.join(known)}")
        return [assignment]

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url, self.course_id)

    def nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a real ``nbgrader`` command in the course folder."""
        cmd = [sys.executable, "-m", "nbgrader", *args]
        proc = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True)
        self.log_output(
            f"nbgrader {' '.join(args)} (exit {proc.returncode})", proc.stdout + proc.stderr
        )
        if check and proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-12:])
            raise CertError(f"`nbgrader {' '.join(args)}` failed:\n{tail}")
        return proc

    @property
    def log_file(self) -> Path:
        """Where nbgrader's own output goes (database and kernel warnings): not the screen."""
        return self.root / "nbgrader.log"

    def log_output(self, title: str, text: str) -> None:
        import datetime

        try:
            with self.log_file.open("a", encoding="utf-8") as log:
                log.write(f"== {datetime.datetime.now():%Y-%m-%d %H:%M:%S} {title}\n{text}\n")
        except OSError:
            pass  # a read-only course folder: the log is a convenience

    def rubric(self):
        from .rules import load_rubric

        return load_rubric(self.root / "rubric.yml")

    def rule(self):
        from .rules import load_certification

        return load_certification(self.root / "certification.yml")
