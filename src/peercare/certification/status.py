"""Where each candidate stands on each assignment: from the submitted folders, the gradebook
and the review notes. ``peercare cert status`` prints it as a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .autograde import State
from .candidates import full_name
from .course import Course
from .exchange import read_refused
from .preprocessors import read_json_notebook
from .review import read_review


class Outcome(StrEnum):
    """Where one submission stands (the status table shows the value)."""

    NOT_SUBMITTED = "not submitted"
    REFUSED = "refused at collect"
    WAITING = "waiting for autograde"
    REJECTED = "rejected"
    FAILED = "failed"
    HELD = "held for review"
    GRADED = "graded"


BLOCKED = frozenset({Outcome.REJECTED, Outcome.FAILED, Outcome.HELD})
"""A lead trainer must act on these before a decision."""


@dataclass
class Row:
    candidate: str
    name: str
    assignment: str
    submitted: bool = False
    graded: bool = False
    score: float | None = None
    max_score: float | None = None
    missing_rubric: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # answers left empty
    outcome: Outcome = Outcome.NOT_SUBMITTED
    details: list[str] = field(default_factory=list)  # reasons, one per line

    @property
    def blocked(self) -> bool:
        """Rejected, failed or held: a lead trainer must act before a decision."""
        return self.outcome in BLOCKED


def _timestamp(folder) -> str | None:
    try:
        return (folder / "timestamp.txt").read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _diagnose(course: Course, row: Row) -> None:
    folder = course.folder("submitted") / row.candidate / row.assignment
    for path in sorted(folder.glob("*.ipynb")):
        _, why = read_json_notebook(path)
        if why:
            row.outcome = Outcome.REJECTED
            row.details.append(f"{path.name}: {why}; ask the candidate to submit again")
            return
    if not any(folder.glob("*.ipynb")):
        row.outcome = Outcome.REJECTED
        row.details.append("the submission has no notebook; ask the candidate to submit again")
        return
    row.outcome = Outcome.WAITING


def _fill_from_review(course: Course, row: Row) -> None:
    review = read_review(course.review_dir, row.assignment, row.candidate)
    outcome = review["outcome"] or {}
    stamp = _timestamp(course.folder("submitted") / row.candidate / row.assignment)
    if outcome and outcome.get("submitted_at") != stamp:
        row.outcome = Outcome.WAITING
        row.details.append("a newer submission came in after the last grading")
        return
    state = outcome.get("state")
    if state in (State.REJECTED, State.FAILED):
        row.outcome = Outcome(state)
        row.details.append(outcome.get("reason", ""))
        return
    autograded = course.folder("autograded") / row.candidate / row.assignment
    if not autograded.is_dir():
        _diagnose(course, row)
        return
    row.graded = True
    row.outcome = Outcome.GRADED
    if review["held"] or review["blocked"]:
        row.outcome = Outcome.HELD
        row.details += [f"held: {x}" for x in review["held"]]
        row.details += [f"blocked by the sandbox: {x}" for x in review["blocked"]]
    row.details += [f"scored 0: {x}" for x in review["form"]]
    if review["timeouts"]:
        row.details += [f"timed out (scored 0): {x}" for x in review["timeouts"]]
    row.details += [f"checked: {x}" for x in review["notes"]]
    row.empty = list(review["empty"])
    if review["empty"]:
        row.details.append("no answer: " + ", ".join(review["empty"]))


def collect_status(course: Course, candidate: str | None = None) -> list[Row]:
    from nbgrader.api import MissingEntry

    assignments = course.assignments()
    rows: list[Row] = []
    with course.gradebook() as gb:
        people = {s.id: full_name(s) for s in gb.students}
        submitted = course.folder("submitted")
        if submitted.is_dir():
            for folder in submitted.iterdir():
                people.setdefault(folder.name, "(not on the candidate list)")
        for cid in sorted(people):
            if candidate and cid != candidate:
                continue
            for name in assignments:
                row = Row(cid, people[cid], name)
                rows.append(row)
                if not (submitted / cid / name).is_dir():
                    continue
                row.submitted = True
                _fill_from_review(course, row)
                if not row.graded:
                    continue
                try:
                    sub = gb.find_submission(name, cid)
                except MissingEntry:
                    continue
                row.score, row.max_score = sub.score, sub.max_score
                for nb in sub.notebooks:
                    for grade in nb.grades:
                        if grade.needs_manual_grade:
                            row.missing_rubric.append(grade.name)
    _add_refusals(course, rows, candidate)
    return rows


def _add_refusals(course: Course, rows: list[Row], candidate: str | None) -> None:
    """Submissions that collect refused (see :mod:`peercare.certification.exchange`)."""
    by_key = {(r.candidate, r.assignment): r for r in rows}
    for item in read_refused(course.review_dir):
        cid, name = item.get("candidate", "?"), item.get("assignment", "?")
        if candidate and cid != candidate:
            continue
        row = by_key.get((cid, name))
        if row is None:
            row = by_key[(cid, name)] = Row(cid, "(not on the candidate list)", name)
            rows.append(row)
        if row.submitted:
            row.details.append(f"another submission was refused at collect: {item['reason']}")
        else:
            row.outcome = Outcome.REFUSED
            row.details.append(item.get("reason", ""))


def _score(row: Row) -> str:
    if row.score is None or not row.max_score:
        return "-"
    return f"{row.score:g}/{row.max_score:g}"


def format_table(rows: list[Row]) -> str:
    head = ("candidate", "name", "assignment", "submitted", "graded", "score", "rubric missing",
            "outcome")  # fmt: skip
    body = [
        (r.candidate, r.name, r.assignment, "yes" if r.submitted else "no",
         "yes" if r.graded else "no", _score(r),
         str(len(r.missing_rubric)) if r.missing_rubric else "-", r.outcome)
        for r in rows
    ]  # fmt: skip
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=True)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip()
             for line in (head, *body)]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [
        f"{r.candidate} / {r.assignment}: {d}"
        for r in rows
        for d in (
            [f"rubric grades missing: {', '.join(r.missing_rubric)}"] if r.missing_rubric else []
        )
        + r.details
        if d
    ]
    if notes:
        lines += ["", "Notes:"] + [f"  {n}" for n in notes]
    return "\n".join(lines)
