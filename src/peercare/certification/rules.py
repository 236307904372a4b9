"""The rubric (``grading/rubric.yml``) and the certification rule
(``grading/certification.yml``): typed, validated, with messages that name the file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints

from ..content import schema
from ..content.schema import Id, Strict, Text
from .errors import CertError


class Competency(Strict):
    id: Id
    title: Text
    meets: Text
    cells: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]+:[a-z0-9_-]+$")]] = Field(
        min_length=1
    )

    def covers(self, assignment: str | None, grade_id: str) -> bool:
        return f"{assignment}:{grade_id}" in self.cells


class Rubric(Strict):
    points: int = Field(ge=1, description="points of every rubric-graded answer")
    meets_at: int = Field(ge=1)
    levels: dict[int, Text]
    competencies: list[Competency] = Field(min_length=1)

    def competency_for(self, assignment: str | None, grade_id: str) -> Competency | None:
        for comp in self.competencies:
            if comp.covers(assignment, grade_id):
                return comp
        return None

    def level_name(self, score) -> str | None:
        if score is None:
            return None
        best = max((lvl for lvl in self.levels if lvl <= float(score)), default=None)
        return self.levels.get(best) if best is not None else None

    def cells(self) -> list[tuple[str, str, Competency]]:
        return [
            (c.split(":")[0], c.split(":")[1], comp)
            for comp in self.competencies
            for c in comp.cells
        ]


class KnowledgeRule(Strict):
    assignment: Id
    at_least_percent: float = Field(gt=0, le=100)


class ObservationRule(Strict):
    required: bool = True
    at_least_minutes: int = Field(default=15, ge=1, le=240)
    counts_for_months: int = Field(default=12, ge=1, le=120)


class Certification(Strict):
    title: Text
    knowledge_check: KnowledgeRule
    rubric_meets_every_competency: bool = True
    required: list[Id] = Field(min_length=1)
    hold_when_flagged: bool = True
    observation: ObservationRule = ObservationRule()
    valid_for_months: int = Field(default=24, ge=1, le=120)
    readiness: list[Text] = Field(default_factory=list)


def load_rubric(path: Path) -> Rubric:
    rubric = schema.load(path, Rubric, CertError, what="rubric")
    if rubric.meets_at > rubric.points:
        raise CertError(f"{path}: meets_at ({rubric.meets_at}) is above points ({rubric.points})")
    seen: dict[str, str] = {}
    for assignment, gid, comp in rubric.cells():
        key = f"{assignment}:{gid}"
        if key in seen:
            raise CertError(f"{path}: cell {key} is in both {seen[key]!r} and {comp.id!r}")
        seen[key] = comp.id
    return rubric


def load_certification(path: Path) -> Certification:
    return schema.load(path, Certification, CertError, what="certification rule")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    import calendar

    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
