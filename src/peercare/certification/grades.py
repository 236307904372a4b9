"""Rubric grades through nbgrader's gradebook API (what formgrader does when a lead trainer
types a score). A manual score only counts once ``needs_manual_grade`` is False too."""

from __future__ import annotations

from .course import CertError, Course


def set_rubric_grade(
    course: Course, candidate: str, assignment: str, grade_id: str, score: float,
    comment: str | None = None,
) -> None:  # fmt: skip
    from nbgrader.api import MissingEntry

    rubric = course.rubric()
    if rubric.competency_for(assignment, grade_id) is None:
        raise CertError(f"{assignment}:{grade_id} is not a rubric-graded answer in rubric.yml")
    if not 0 <= score <= rubric.points:
        raise CertError(f"a rubric score is between 0 and {rubric.points}; got {score}")
    with course.gradebook() as gb:
        try:
            sub = gb.find_submission(assignment, candidate)
        except MissingEntry:
            raise CertError(f"{candidate} has no graded submission of {assignment}") from None
        for nb in sub.notebooks:
            for grade in nb.grades:
                if grade.name == grade_id:
                    grade.manual_score = score
                    grade.needs_manual_grade = False
                    if comment is not None:
                        for c in nb.comments:
                            if c.name == grade_id:
                                c.manual_comment = comment
                    gb.db.commit()
                    return
    raise CertError(f"{candidate}'s {assignment} has no answer {grade_id!r}")
