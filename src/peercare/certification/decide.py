"""Apply ``grading/certification.yml`` to the gradebook and say why, for each candidate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from .course import Course
from .observe import Observation, latest
from .rules import add_months
from .status import collect_status


class Standing(StrEnum):
    """The decision for one candidate (printed in capitals)."""

    CERTIFIED = "certified"
    NOT_YET = "not yet"  # something failed, or no passing observed teach-back
    WAITING = "waiting"  # work still to submit or to grade


CERTIFIED, NOT_YET, WAITING = Standing.CERTIFIED, Standing.NOT_YET, Standing.WAITING


@dataclass
class Decision:
    candidate: str
    name: str
    verdict: Standing
    reasons: list[str] = field(default_factory=list)
    observation: Observation | None = None  # the passing one that counts, if any


def _grade_scores(gb, assignment: str, candidate: str) -> dict[str, float | None]:
    from nbgrader.api import MissingEntry

    try:
        sub = gb.find_submission(assignment, candidate)
    except MissingEntry:
        return {}
    return {g.name: g.score for nb in sub.notebooks for g in nb.grades}


def _observation(course: Course, rule, cid: str, today: date):
    """(the passing observation or None, a reason it is missing or failed or None)."""
    obs = latest(course, cid, today)
    months = rule.observation.counts_for_months
    if obs is None:
        return None, (
            "no observed teach-back yet: a lead trainer watches one segment of a session plan "
            "(peercare cert observe)"
        )
    if add_months(obs.day, months) < today:
        return None, (
            f"the observed teach-back of {obs.observed_on} is more than {months} months old; "
            "observe a new one"
        )
    if not obs.passed:
        return None, f"observed teach-back: {obs.summary()}"
    return obs, None


def decide(
    course: Course, candidate: str | None = None, today: date | None = None
) -> list[Decision]:
    """``today`` is the day the decision is for (default: today)."""
    today = today or date.today()
    rule, rubric = course.rule(), course.rubric()
    rows = collect_status(course, candidate)
    by_person: dict[str, dict] = {}
    for row in rows:
        by_person.setdefault(row.candidate, {})[row.assignment] = row
    decisions = []
    with course.gradebook() as gb:
        for cid, mine in sorted(by_person.items()):
            name = next(iter(mine.values())).name
            waiting, failing, passing = [], [], []
            for assignment in rule.required:
                row = mine.get(assignment)
                if row is None or not row.submitted:
                    waiting.append(f"{assignment}: not submitted yet")
                elif row.blocked and (rule.hold_when_flagged or not row.graded):
                    detail = "; ".join(row.details) or row.outcome
                    waiting.append(f"{assignment}: {row.outcome} ({detail})")
                elif not row.graded:
                    waiting.append(f"{assignment}: {row.outcome}")
                elif row.missing_rubric:
                    waiting.append(
                        f"{assignment}: rubric grades missing for {', '.join(row.missing_rubric)}"
                    )
            kc = mine.get(rule.knowledge_check.assignment)
            if kc is not None and kc.graded and kc.max_score:
                percent = 100 * (kc.score or 0) / kc.max_score
                text = (
                    f"knowledge check {kc.score:g}/{kc.max_score:g} ({percent:.0f}%); "
                    f"needs {rule.knowledge_check.at_least_percent:g}%"
                )
                (passing if percent >= rule.knowledge_check.at_least_percent else failing).append(
                    text
                )
            if rule.rubric_meets_every_competency:
                scores: dict[str, dict] = {}
                for comp in rubric.competencies:
                    levels = []
                    for cell in comp.cells:
                        assignment, gid = cell.split(":")
                        row = mine.get(assignment)
                        if row is None or not row.graded:
                            levels = None
                            break
                        if assignment not in scores:
                            scores[assignment] = _grade_scores(gb, assignment, cid)
                        score = scores[assignment].get(gid)
                        if gid in row.missing_rubric or score is None:
                            levels = None
                            break
                        levels.append((gid, score, gid in row.empty))
                    if levels is None:
                        continue  # already listed as waiting
                    low = [(gid, s, e) for gid, s, e in levels if s < rubric.meets_at]
                    if low:
                        failing += [
                            f"{comp.title}: '{gid}' has no answer"
                            if empty
                            else f"{comp.title}: '{gid}' is at '{rubric.level_name(s)}' "
                            f"({s:g} of {rubric.points}; meets is {rubric.meets_at})"
                            for gid, s, empty in low
                        ]
                    else:
                        passing.append(f"{comp.title}: meets")
            observed, unobserved = None, None
            if rule.observation.required:
                observed, unobserved = _observation(course, rule, cid, today)
                if observed:
                    passing.append(f"observed teach-back: {observed.summary()}")
            # without a passing observation the answer is "not yet", but work still waiting
            # to be graded comes first (the lead trainer has something to do there)
            if failing:
                verdict = NOT_YET
            elif waiting:
                verdict = WAITING
            elif unobserved:
                verdict = NOT_YET
            else:
                verdict = CERTIFIED
            failing += [unobserved] if unobserved else []
            reasons = [f"not yet: {x}" for x in failing] + [f"waiting: {x}" for x in waiting]
            reasons += [f"ok: {x}" for x in passing]
            decisions.append(Decision(cid, name, verdict, reasons, observed))
    return decisions


def format_decisions(decisions: list[Decision]) -> str:
    lines = []
    for d in decisions:
        lines.append(f"{d.candidate} ({d.name}): {d.verdict.upper()}")
        lines += [f"  - {r}" for r in d.reasons]
    counts = {v: sum(d.verdict == v for d in decisions) for v in Standing}
    lines.append(
        f"\n{counts[CERTIFIED]} certified, {counts[NOT_YET]} not yet, {counts[WAITING]} waiting."
    )
    return "\n".join(lines)
