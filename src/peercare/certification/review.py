"""Notes about one graded submission, kept beside the course in ``review/``.

``review/<assignment>/<candidate>/`` holds ``<notebook>.screen.json`` and
``<notebook>.run.json`` (written by the preprocessors, so plain ``nbgrader autograde`` writes
them too) and ``outcome.json`` (written by ``peercare cert autograde``). Files are replaced
whole (write, then rename), so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def review_folder(review_dir: str | Path, assignment: str, student: str) -> Path:
    return Path(review_dir) / assignment / student


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
    os.replace(tmp, path)


def write_review(review_dir, assignment, student, notebook, kind: str, data: dict) -> None:
    write_json(review_folder(review_dir, assignment, student) / f"{notebook}.{kind}.json", data)


def read_review(review_dir, assignment: str, student: str) -> dict:
    """{'outcome': {...} or None, and lists: 'notes', 'held', 'empty', 'form' (answers not in
    the expected form), 'timeouts', 'blocked' (what the sandbox refused)}"""
    folder = review_folder(review_dir, assignment, student)
    found: dict = {"outcome": None, "notes": [], "held": [], "empty": [], "form": [],
                   "timeouts": [], "blocked": []}  # fmt: skip
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if path.name == "outcome.json":
            found["outcome"] = data
        elif path.name.endswith(".screen.json"):
            for key in ("notes", "held", "empty", "form"):
                found[key].extend(data.get(key, []))
        elif path.name.endswith(".run.json"):
            for key in ("timeouts", "blocked"):
                found[key].extend(data.get(key, []))
    return found


def clear_review(review_dir, assignment: str, student: str) -> None:
    folder = review_folder(review_dir, assignment, student)
    if folder.is_dir():
        for path in folder.glob("*.json"):
            path.unlink()
