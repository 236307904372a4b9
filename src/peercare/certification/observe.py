"""The observed teach-back: a lead trainer watches a candidate run one segment of a session
plan (live or recorded) and marks the fidelity checklist (``book/facilitators/fidelity.yml``,
scored by :mod:`peercare.content.fidelity`), with written feedback.

Observations are kept beside the course in ``observations/<candidate>.json``, every one of
them, oldest first (files are replaced whole, as in ``review/``). ``decide`` reads the newest
one dated on or before its day; ``status`` shows it; the certificate names its segment.

The marks file (``peercare cert observe --form`` writes a blank one)::

    marks:
      agenda-ahead: seen      # yes / no also work for the "ask before" items
      captions: n/a
    feedback: |
      What went well, and what to work on.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from ..content import schema
from ..content.fidelity import FidelityError, Part, load_fidelity, score
from ..content.plans import NoSuchPlan, Plan, PlanError, Segment, load_all, load_plan
from ..content.schema import Strict
from .candidates import candidate_names
from .course import CertError, Course
from .review import write_json
from .rules import add_months

FEEDBACK_MAX = 5000  # characters of written feedback
# what a lead trainer may type for the "ask before" items, and what it means
YES_NO = {"yes": "seen", "no": "not seen", True: "seen", False: "not seen"}


@dataclass(frozen=True)
class Observation:
    candidate: str
    plan: str  # the plan's id, e.g. refresher
    plan_title: str
    segment: int  # 1-based
    segment_title: str
    minutes: int
    observed_on: str  # ISO date
    recorded: bool  # watched on a recording, not live
    marks: dict[str, str]
    feedback: str
    passed: bool
    watch_seen: int
    watch_applied: int
    reasons: list[str] = field(default_factory=list)
    observer: str | None = None

    @property
    def day(self) -> date:
        return date.fromisoformat(self.observed_on)

    @property
    def where(self) -> str:
        """The observed segment, as the certificate names it."""
        return f"{self.plan_title}, part {self.segment}: {self.segment_title}"

    def summary(self) -> str:
        how = "a recording" if self.recorded else "live"
        result = "passed" if self.passed else "did not pass"
        seen = f"{self.watch_seen} of {self.watch_applied} watch items seen"
        text = f"{self.where} ({self.plan}), observed {how} on {self.observed_on}: {result}, {seen}"
        return text + ("" if self.passed else f" ({'; '.join(self.reasons)})")


def _file(course: Course, candidate: str) -> Path:
    return course.root / "observations" / f"{candidate}.json"


def observations(course: Course, candidate: str) -> list[Observation]:
    """Every observation of ``candidate``, oldest first."""
    path = _file(course, candidate)
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = [Observation(**item) for item in data["observations"]]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CertError(f"{path} is damaged ({exc}); restore it from a backup") from None
    return sorted(found, key=lambda o: o.observed_on)  # stable: same day keeps its order


def latest(course: Course, candidate: str, today: date | None = None) -> Observation | None:
    """The newest observation dated on or before ``today``."""
    today = today or date.today()
    found = [o for o in observations(course, candidate) if o.day <= today]
    return found[-1] if found else None


def _segment_list(plan: Plan) -> str:
    return "; ".join(
        f"{n} {s.title!r} ({s.minutes} min{', a break' if s.is_break else ''})"
        for n, s in enumerate(plan.segments, 1)
    )


def find_plan(name: str) -> Plan:
    try:
        return load_plan(name)
    except NoSuchPlan:
        try:
            known = ", ".join(load_all())
        except PlanError:
            known = "(the plans have problems: run peercare build)"
        raise CertError(f"No plan {name!r}; the plans are: {known}") from None
    except PlanError as exc:
        raise CertError(exc.problems) from None


def find_segment(plan: Plan, which: str, at_least: int) -> tuple[int, Segment]:
    """A segment by its number (from 1) or its title; a break or a short one is refused."""
    text = str(which).strip()
    found = None
    if text.isdigit() and 1 <= int(text) <= len(plan.segments):
        found = int(text)
    for n, seg in enumerate(plan.segments, 1):
        if seg.title.casefold() == text.casefold():
            found = n
    if found is None:
        raise CertError(
            f"{plan.id} has no segment {which!r}. Give its number or title: {_segment_list(plan)}"
        )
    seg = plan.segments[found - 1]
    if seg.is_break:
        raise CertError(f"{plan.id} segment {found} ({seg.title!r}) is a break: observe teaching")
    if seg.minutes < at_least:
        raise CertError(
            f"{plan.id} segment {found} ({seg.title!r}) is {seg.minutes} minutes; an observed "
            f"teach-back needs a segment of at least {at_least} minutes (certification.yml)"
        )
    return found, seg


class MarksFile(Strict):
    """A filled-in marks file (``--form`` writes a blank one); marks are checked by
    :func:`peercare.content.fidelity.score`."""

    marks: dict
    feedback: object = None


def read_marks(path: str | Path) -> tuple[dict, str | None]:
    """(marks by item id, feedback or None) from a marks file."""
    found = schema.load(
        path,
        MarksFile,
        CertError,
        what="marks file",
        shape="needs 'marks:', one line per checklist item (see --form)",
    )
    return dict(found.marks), None if found.feedback is None else str(found.feedback)


def _normal(value):
    if isinstance(value, str):
        return YES_NO.get(value.strip().casefold(), value)
    return YES_NO.get(value, value) if isinstance(value, bool) else value


def record(
    course: Course,
    candidate: str,
    plan_name: str,
    segment: str,
    marks: dict,
    feedback: str | None,
    observed_on: date | None = None,
    recorded: bool = False,
    observer: str | None = None,
    today: date | None = None,
) -> Observation:
    """Score the marks with the fidelity checklist and keep the observation."""
    today = today or date.today()
    observed_on = observed_on or today
    names = candidate_names(course)
    if candidate not in names:
        raise CertError(
            f"{candidate!r} is not on the candidate list; add them with "
            "peercare cert add-candidates"
        )
    if observed_on > today:
        raise CertError(f"the observation date {observed_on} is after today ({today})")
    rule = course.rule().observation
    plan = find_plan(plan_name)
    number, seg = find_segment(plan, segment, rule.at_least_minutes)
    feedback = (feedback or "").strip()
    if not feedback:
        raise CertError("written feedback is needed: --feedback TEXT, or 'feedback:' in the file")
    if len(feedback) > FEEDBACK_MAX:
        raise CertError(f"the feedback is {len(feedback)} characters; keep it to {FEEDBACK_MAX}")
    checklist = load_fidelity()
    marks = {str(k): _normal(v) for k, v in marks.items()}
    try:
        result = score(checklist, marks)
    except FidelityError as exc:
        raise CertError("the marks are not complete:\n" + "\n".join(exc.problems)) from None
    obs = Observation(
        candidate=candidate, plan=plan.id, plan_title=plan.title, segment=number,
        segment_title=seg.title, minutes=seg.minutes, observed_on=observed_on.isoformat(),
        recorded=recorded, marks={i.id: str(marks[i.id]).strip().casefold()
                                  for i in checklist.items},
        feedback=feedback, passed=result.passed, watch_seen=result.watch_seen,
        watch_applied=result.watch_applied, reasons=result.reasons,
        observer=(observer or "").strip() or None,
    )  # fmt: skip
    kept = [asdict(o) for o in observations(course, candidate)] + [asdict(obs)]
    write_json(_file(course, candidate), {"candidate": candidate, "observations": kept})
    return obs


def blank_form() -> str:
    """A marks file to fill in: every checklist item, by part, with its words as a comment."""
    checklist = load_fidelity()
    lines = [
        "# Observed teach-back: mark every item: seen, not seen or n/a",
        "# (n/a when it did not come up). For the 'ask before' items, yes or no also work.",
        f"# {checklist.title}. Safety items must be seen whenever they come up.",
        "marks:",
    ]
    for part in Part:
        lines.append(f"  # {part.value}")
        for item in checklist.part(part):
            flag = " (safety)" if item.safety else ""
            lines.append(f"  {item.id}:   # {item.text}{flag}")
    lines += [
        "# Written feedback for the candidate: what went well, then what to work on.",
        "feedback: |",
        "  ",
    ]
    return "\n".join(lines) + "\n"


def format_observations(course: Course, candidate: str | None = None) -> str:
    """One line per candidate: the observation that counts today, or none yet."""
    months = course.rule().observation.counts_for_months
    lines = ["Observed teach-back:"]
    for cid in sorted(candidate_names(course)):
        if candidate and cid != candidate:
            continue
        obs = latest(course, cid)
        if obs is None:
            lines.append(f"  {cid}: none yet (peercare cert observe)")
            continue
        old = add_months(obs.day, months) < date.today()
        extra = f" (more than {months} months ago: observe a new one)" if old else ""
        lines.append(f"  {cid}: {obs.summary()}{extra}")
    return "\n".join(lines)
