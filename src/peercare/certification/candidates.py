"""Candidates: read a CSV (id, name, optional email) and put them in the gradebook."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .course import CertError, Course

ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    email: str | None = None

    @property
    def first_last(self) -> tuple[str, str]:
        """nbgrader keeps first and last names; the last word is the last name."""
        first, _, last = self.name.rpartition(" ")
        return (first, last) if first else (self.name, "")


def full_name(student) -> str:
    return " ".join(x for x in (student.first_name, student.last_name) if x).strip()


def read_candidates(path: Path) -> list[Candidate]:
    """All rows, or a CertError listing every bad row by its line number."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CertError(f"{path}: cannot read it: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CertError(f"{path}: save the file as UTF-8 text (CSV UTF-8)") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise CertError(f"{path}: the file is empty; the first line should be: id,name")
    header = [h.strip().lower() for h in rows[0]]
    if header[:2] != ["id", "name"] or not set(header) <= {"id", "name", "email"}:
        raise CertError(
            f"{path}: line 1 should be the header id,name (or id,name,email); found {rows[0]}"
        )
    problems, found, first_line = [], [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(f"{path}: line {line}: expected {len(header)} values, found {len(row)}")
            continue
        values = dict(zip(header, (cell.strip() for cell in row), strict=True))
        cid, name = values["id"], values["name"]
        if not ID_RE.match(cid):
            problems.append(
                f"{path}: line {line}: id {cid!r} should be lowercase letters, digits, '.', '-' "
                "or '_' (up to 40), starting with a letter or digit"
            )
        if not name:
            problems.append(f"{path}: line {line}: the name is empty")
        if cid in first_line:
            problems.append(f"{path}: line {line}: id {cid!r} is already on line {first_line[cid]}")
            continue
        first_line[cid] = line
        found.append(Candidate(cid, name, values.get("email") or None))
    if problems:
        raise CertError("\n".join(problems))
    if not found:
        raise CertError(f"{path}: no candidates below the header line")
    return found


def add_candidates(course: Course, path: Path) -> tuple[list[Candidate], list[Candidate]]:
    """Add (or update the name of) each candidate. Returns (added, updated)."""
    from nbgrader.api import MissingEntry

    people = read_candidates(path)
    added, updated = [], []
    with course.gradebook() as gb:
        for person in people:
            first, last = person.first_last
            try:
                gb.find_student(person.id)
                updated.append(person)
            except MissingEntry:
                added.append(person)
            gb.update_or_create_student(
                person.id, first_name=first, last_name=last, email=person.email
            )
    return added, updated


def candidate_names(course: Course) -> dict[str, str]:
    with course.gradebook() as gb:
        return {s.id: full_name(s) for s in gb.students}
