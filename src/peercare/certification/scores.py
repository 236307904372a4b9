"""Item scores out of the gradebook, in the layout the evaluation kit's item analysis reads
(``certification.csv``: ``respondent_id,item,score,max_score``; see
:mod:`peercare.evaluation.tables`). Candidate ids only: no names leave the gradebook. Every
text cell gets the live-session export's spreadsheet guard
(:func:`peercare.contract.spreadsheet_safe`)."""

from __future__ import annotations

import csv
import io

from ..contract import spreadsheet_safe
from .course import CertError, Course

COLUMNS = ("respondent_id", "item", "score", "max_score")


def item_scores(course: Course, assignment: str) -> tuple[list[tuple], int]:
    """(rows, answers left out because nobody has graded them yet) for every graded
    submission of ``assignment``, in candidate then item order."""
    course.pick(assignment)  # a clear error for an unknown assignment
    from nbgrader.api import MissingEntry

    rows, ungraded = [], 0
    with course.gradebook() as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except MissingEntry:
            raise CertError(f"{assignment} has not been released or graded yet") from None
        for sub in sorted(submissions, key=lambda s: s.student_id):
            for nb in sub.notebooks:
                for grade in sorted(nb.grades, key=lambda g: g.name):
                    if grade.needs_manual_grade or grade.score is None:
                        ungraded += 1
                        continue
                    rows.append((sub.student_id, grade.name, grade.score, grade.max_score))
    return rows, ungraded


def scores_csv(rows: list[tuple]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(
        (spreadsheet_safe(c), spreadsheet_safe(i), f"{s:g}", f"{m:g}") for c, i, s, m in rows
    )
    return out.getvalue()
