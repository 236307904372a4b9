"""The rubric (``grading/rubric.yml``) and the certification rule
(``grading/certification.yml``): typed, validated, with messages that name the file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .course import CertError

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Competency(_Strict):
    id: Id
    title: Text
    meets: Text
    cells: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]+:[a-z0-9_-]+$")]] = Field(
        min_length=1
    )

    def covers(self, assignment: str | None, grade_id: str) -> bool:
        return f"{assignment}:{grade_id}" in self.cells


class Rubric(_Strict):
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


class KnowledgeRule(_Strict):
    assignment: Id
    at_least_percent: float = Field(gt=0, le=100)


class ObservationRule(_Strict):
    required: bool = True
    at_least_minutes: int = Field(default=15, ge=1, le=240)
    counts_for_months: int = Field(default=12, ge=1, le=120)


class Certification(_Strict):
    title: Text
    knowledge_check: KnowledgeRule
    rubric_meets_every_competency: bool = True
    required: list[Id] = Field(min_length=1)
    hold_when_flagged: bool = True
    observation: ObservationRule = ObservationRule()
    valid_for_months: int = Field(default=24, ge=1, le=120)
    readiness: list[Text] = Field(default_factory=list)


def _load(path: Path, model):
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CertError(f"{path}: cannot read it: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise CertError(f"{path}: not valid YAML: {exc}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: {'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise CertError("\n".join(lines)) from None


def load_rubric(path: Path) -> Rubric:
    rubric = _load(path, Rubric)
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
    return _load(path, Certification)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    import calendar

    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
