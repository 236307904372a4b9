"""Session plans: ``book/facilitators/plans/<id>.yml``, timed segments a trainer follows.

A plan is data, so the book can show it (agenda with clock times, then the scripts), the
tests can check it, and the dashboard can follow it (:func:`current_segment`,
:func:`quiz_questions`). :func:`load_plan` checks that the minutes add up to the plan's
length, that every chapter section named is a heading of that chapter (or its
"Facilitator notes") and that every app is one of the live apps in ``notebooks/apps/``.
A broken plan raises :class:`PlanError`, one line per problem, naming file, segment and
field.

Example::

    title: Refresher (60 minutes)
    format: in person          # in person | virtual
    minutes: 60
    start: "10:00"             # clock time the agenda starts at (a default; the day may differ)
    summary: A short check-up for a team that did the training before.
    segments:
      - title: Welcome and grounding
        minutes: 10
        chapter: welcome            # a folder in book/ (optional for a break)
        section: "What you'll learn"  # a heading in that chapter's index.md
        app: checkin                # checkin | live_quiz | scenarios | feedback |
                                    # wellness_plan | self_check | none
        materials: [name cards]
        do: Share the agenda. Lead the breathing.
        say: Welcome back. ...
        key_points: [three to five short points to say]   # needed in a teaching segment
        ask: [a question for the group]                     # optional
        if_short: What to cut when time runs short.          # optional
        protected: true             # never cut: breaks and the closing
      - title: Group agreements
        minutes: 10
        guide: group-agreements     # a page of book/facilitators/ instead of a chapter

Breaks (segments with neither chapter nor guide) must come often enough: no run of
segments longer than :data:`MAX_RUN` minutes without one (60 in a room, 45 on a call).
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from docutils.nodes import make_id
from pydantic import Field, field_validator

from ..paths import book_dir, project_root
from . import schema
from .bank import BankError, load_module
from .schema import Id, ProblemsError, Strict, Text, read_text

PLANS_DIR = Path("book") / "facilitators" / "plans"
NOT_APPS = {"dashboard", "participant", "room"}  # the pages that hold the apps, not panels in them
NO_APP = "none"
NOTES = "Facilitator notes"  # the collapsed admonition at the end of each chapter
GUIDE = "facilitators"  # the folder of book/ whose pages a segment may name with ``guide:``
TEACHING_MINUTES = 20  # a chapter segment this long or longer must list its key points


class PlanError(ProblemsError):
    """A plan is broken; ``problems`` has one line per fault."""


class NoSuchPlan(PlanError):
    """No plan has this name (a problem of the name asked for, not of a plan file)."""


class Format(StrEnum):
    in_person = "in person"
    virtual = "virtual"


class Segment(Strict):
    title: Text
    minutes: int = Field(ge=1, le=240)
    chapter: Id | None = None
    section: Text | None = None
    guide: Id | None = None
    app: Id = NO_APP
    materials: list[Text] = Field(default_factory=list)
    do: Text
    say: Text
    key_points: list[Text] = Field(default_factory=list)
    ask: list[Text] = Field(default_factory=list)
    if_short: Text | None = None
    protected: bool = False

    @field_validator("key_points")
    @classmethod
    def _three_to_five(cls, value: list[str]) -> list[str]:
        if value and not 3 <= len(value) <= 5:
            raise ValueError(f"list 3 to 5 short points, not {len(value)}")
        return value

    @property
    def is_break(self) -> bool:
        return self.chapter is None and self.guide is None


class Plan(Strict):
    title: Text
    format: Format
    minutes: int = Field(ge=1, le=600)
    start: str = "09:00"
    summary: Text
    before: list[Text] = Field(default_factory=list)
    segments: list[Segment] = Field(min_length=1)
    id: str = Field(default="", exclude=True)
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError('should be a clock time like "09:00" (24-hour, in quotes)')
        return value


MAX_RUN = {Format.in_person: 60, Format.virtual: 45}  # minutes of work between breaks


class Position(NamedTuple):
    """Where a session is in its plan: this segment, the next one, seconds left in this one."""

    current: Segment | None
    next: Segment | None
    remaining_seconds: int


# --- chapters and apps that exist -----------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip().casefold()


@lru_cache(maxsize=64)
def _sections_cached(path: Path, mtime: float) -> tuple[str, ...]:
    from .prose import _directive, _md

    found: list[str] = []
    tokens = _md().parse(path.read_text(encoding="utf-8"))
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            found.append(tokens[i + 1].content.strip())
        elif tok.type in ("fence", "colon_fence") and _directive(tok.info) == "admonition":
            title = re.sub(r"^\{[^}]*\}", "", tok.info.strip()).strip()
            if title:
                found.append(title)
    return tuple(found)


def chapter_sections(chapter: str, root: Path | None = None) -> tuple[str, ...]:
    """The headings of ``book/<chapter>/index.md`` and its admonition titles, in order."""
    path = book_dir(root) / chapter / "index.md"
    return _sections_cached(path, path.stat().st_mtime)


def find_section(name: str, sections: tuple[str, ...]) -> str | None:
    """The heading ``name`` stands for: the same words (case, curly quotes and spaces aside),
    or the part before a colon ("Try it" stands for "Try it: build your coping plan")."""
    want = _norm(name)
    for heading in sections:
        have = _norm(heading)
        if have == want or have.startswith(want + ":"):
            return heading
    return None


def live_apps(root: Path | None = None) -> list[str]:
    """The apps a segment may open: the notebooks in ``notebooks/apps/`` that are panels."""
    folder = (root or project_root()) / "notebooks" / "apps"
    return sorted(p.stem for p in folder.glob("*.ipynb") if p.stem not in NOT_APPS)


# --- loading and checking ---------------------------------------------------------------------


_MESSAGES = {  # the words of schema.describe, with minutes named
    "int_parsing": "should be a whole number of minutes",
    "int_type": "should be a whole number of minutes",
}


def check_plan(plan: Plan, root: Path | None = None) -> list[str]:
    """What is wrong with a well-formed plan: its sums, chapters, sections and apps."""
    root = root or project_root()
    src = plan.source or "<plan>"
    problems = []
    total = sum(s.minutes for s in plan.segments)
    if total != plan.minutes:
        problems.append(
            f"{src}: the segments add up to {total} minutes, but the plan says minutes: "
            f"{plan.minutes}"
        )
    problems += _break_problems(plan)
    apps = live_apps(root)
    for n, seg in enumerate(plan.segments, 1):
        where = f"{src}: segment {n} ({seg.title!r})"
        if seg.app != NO_APP and seg.app not in apps:
            problems.append(
                f"{where}: app: {seg.app!r} is not a live app (use one of: "
                f"{', '.join(apps)}, or {NO_APP})"
            )
        if seg.guide is not None:
            if seg.chapter is not None:
                problems.append(f"{where}: guide: name a chapter or a guide page, not both")
            elif not (book_dir(root) / GUIDE / f"{seg.guide}.md").is_file():
                problems.append(f"{where}: guide: {seg.guide!r} has no book/{GUIDE}/{seg.guide}.md")
        teaching = seg.chapter and not seg.protected and seg.minutes >= TEACHING_MINUTES
        if teaching and not seg.key_points:
            problems.append(
                f"{where}: key_points: a teaching segment of {seg.minutes} minutes needs "
                "3 to 5 points to say"
            )
        if seg.chapter is None:
            if seg.section:
                problems.append(f"{where}: section: a section needs a chapter too")
            continue
        page = book_dir(root) / seg.chapter / "index.md"
        if not page.is_file():
            problems.append(f"{where}: chapter: {seg.chapter!r} has no book/{seg.chapter}/index.md")
            continue
        if seg.section and find_section(seg.section, chapter_sections(seg.chapter, root)) is None:
            problems.append(
                f"{where}: section: {seg.section!r} is not a heading in book/{seg.chapter}/index.md"
            )
    return problems


def _break_problems(plan: Plan) -> list[str]:
    """Each stretch of work longer than the plan's format allows without a break."""
    limit, problems, run, first = MAX_RUN[plan.format], [], 0, 1
    for n, seg in enumerate([*plan.segments, None], 1):
        if seg is None or seg.is_break:
            if run > limit:
                problems.append(
                    f"{plan.source or '<plan>'}: segments {first} to {n - 1} run {run} minutes "
                    f"with no break; {plan.format.value}, take a break at least every "
                    f"{limit} minutes"
                )
            run, first = 0, n + 1
        else:
            run += seg.minutes
    return problems


def parse_plan(text: str, source: Path | str, root: Path | None = None) -> Plan:
    """Parse and check one plan's YAML text (``source`` names it in messages)."""
    source = Path(source)
    shape = "a plan is a mapping with 'title', 'minutes' and 'segments'"
    plan = schema.parse(text, Plan, source, PlanError, shape=shape, messages=_MESSAGES)
    object.__setattr__(plan, "source", source)
    object.__setattr__(plan, "id", source.stem)
    problems = check_plan(plan, root)
    if problems:
        raise PlanError(problems)
    return plan


def plans_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / PLANS_DIR


def load_plan(name_or_path: str | Path, root: Path | None = None) -> Plan:
    """A plan by id (``workshop-day``) or by path to its YAML file."""
    path = Path(name_or_path)
    if path.suffix != ".yml":
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", str(name_or_path)):
            raise NoSuchPlan([f"{name_or_path!r} is not a plan name"])
        path = plans_dir(root) / f"{name_or_path}.yml"
    if not path.is_file():
        raise NoSuchPlan([f"{path}: no such plan"])
    return parse_plan(read_text(path, "plan", PlanError), path, root)


def load_all(root: Path | None = None) -> dict[str, Plan]:
    """Every plan, by id; all problems reported together."""
    paths = sorted(plans_dir(root).glob("*.yml"))
    loaded = schema.load_each(paths, lambda path: load_plan(path, root), PlanError)
    return {path.stem: plan for path, plan in zip(paths, loaded, strict=True)}


# --- following a plan -------------------------------------------------------------------------


def current_segment(plan: Plan, elapsed_minutes: float) -> Position:
    """The segment at ``elapsed_minutes`` since the start, the one after it, and the seconds
    left in it. Before the start: the first segment, whole. After the end: (None, None, 0)."""
    elapsed = max(0.0, float(elapsed_minutes)) * 60
    end = 0.0
    segments = plan.segments
    for i, seg in enumerate(segments):
        end += seg.minutes * 60
        if elapsed < end:
            nxt = segments[i + 1] if i + 1 < len(segments) else None
            return Position(seg, nxt, int(round(end - elapsed)))
    return Position(None, None, 0)


def quiz_questions(plan: Plan, segment: Segment | int, root: Path | None = None) -> list[str]:
    """The question ids of the segment's chapter bank (empty for a break or a chapter with
    no bank), so a live quiz can have them ready."""
    seg = plan.segments[segment] if isinstance(segment, int) else segment
    if seg.chapter is None:
        return []
    try:
        return [q.id for q in load_module(seg.chapter, root).questions]
    except BankError:
        return []


def clock_times(plan: Plan, start: str | None = None) -> list[tuple[str, str]]:
    """(from, to) clock times of each segment, from ``start`` (default: the plan's)."""
    t = datetime.strptime(start or plan.start, "%H:%M")
    times = []
    for seg in plan.segments:
        end = t + timedelta(minutes=seg.minutes)
        times.append((t.strftime("%H:%M"), end.strftime("%H:%M")))
        t = end
    return times


# --- the book page ----------------------------------------------------------------------------


def _section_link(seg: Segment, root: Path | None, page_depth: int) -> str:
    up = "../" * page_depth
    if seg.guide is not None:
        href = f"{up}{GUIDE}/{seg.guide}.html"
        title = _page_title(book_dir(root) / GUIDE / f"{seg.guide}.md") or seg.guide
        return f'<a href="{html.escape(href, quote=True)}">{html.escape(title)}</a>'
    if seg.chapter is None:
        return ""
    heading = (
        find_section(seg.section, chapter_sections(seg.chapter, root)) if seg.section else None
    )
    anchor = "" if heading is None or heading == NOTES else "#" + make_id(heading)
    label = heading or seg.chapter
    href = f"{up}{seg.chapter}/index.html{anchor}"
    return (
        f'<a href="{html.escape(href, quote=True)}">{html.escape(label)}</a> '
        f'<span class="pcplan-chapter">({html.escape(seg.chapter)})</span>'
    )


def _page_title(path: Path) -> str | None:
    m = re.search(r"^# (.+)$", path.read_text(encoding="utf-8"), re.M) if path.is_file() else None
    return m.group(1).strip() if m else None


def _items(label: str, items: list[str], cls: str) -> str:
    if not items:
        return ""
    lis = "".join(f"<li>{html.escape(i)}</li>" for i in items)
    return f'<div class="{cls}"><p><strong>{label}</strong></p><ul>{lis}</ul></div>'


def _duration(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if not hours:
        return f"{mins} minutes"
    return f"{hours} h {mins:02d} min" if mins else f"{hours} hours" if hours > 1 else "1 hour"


def _keep(seg: Segment) -> str:
    return ' <span class="pcplan-keep">(never cut)</span>' if seg.protected else ""


def render_html(plan: Plan, root: Path | None = None, page_depth: int = 2) -> str:
    """The plan as HTML for its book page: what it is, what to do before, the agenda with
    clock times, then each segment's script. Every text from the plan is escaped.
    ``page_depth``: how many folders below the book root the page sits (chapter links)."""
    e = html.escape
    out = ['<div class="pcplan">']
    out.append(
        f'<p class="pcplan-meta"><strong>{e(plan.format.value.capitalize())}</strong>, '
        f"{e(_duration(plan.minutes))}. {e(plan.summary)}</p>"
    )
    if plan.before:
        out.append('<h2 id="before-the-day">Before the day</h2><ul>')
        out.extend(f"<li>{e(item)}</li>" for item in plan.before)
        out.append("</ul>")
    out.append(f'<h2 id="agenda">Agenda</h2><p>Times assume a start at {e(plan.start)}.</p>')
    out.append('<table class="pcplan-agenda"><thead><tr><th>Time</th><th>Minutes</th>')
    out.append("<th>Segment</th><th>Book section</th><th>Live app</th></tr></thead><tbody>")
    for n, (seg, (t0, t1)) in enumerate(zip(plan.segments, clock_times(plan), strict=True), 1):
        app = "" if seg.app == NO_APP else seg.app.replace("_", " ")
        out.append(
            f"<tr><td>{t0}&ndash;{t1}</td><td>{seg.minutes}</td>"
            f'<td><a href="#segment-{n}">{e(seg.title)}</a>{_keep(seg)}</td>'
            f"<td>{_section_link(seg, root, page_depth)}</td><td>{e(app)}</td></tr>"
        )
    out.append("</tbody></table>")
    out.append('<h2 id="scripts">Scripts</h2>')
    for n, (seg, (t0, t1)) in enumerate(zip(plan.segments, clock_times(plan), strict=True), 1):
        out.append(f'<section class="pcplan-segment" id="segment-{n}">')
        out.append(f"<h3>{t0}&ndash;{t1} &middot; {e(seg.title)} ({seg.minutes} min)</h3>")
        out.append(f"<p><strong>Do:</strong> {e(seg.do)}</p>")
        out.append(f'<blockquote class="pcplan-say"><p><strong>Say:</strong> {e(seg.say)}</p>')
        out.append("</blockquote>")
        out.append(_items("Key points to say:", seg.key_points, "pcplan-points"))
        out.append(_items("Ask the group:", seg.ask, "pcplan-ask"))
        if seg.protected:
            out.append('<p class="pcplan-short"><strong>Never cut this part.</strong></p>')
        elif seg.if_short:
            out.append(
                f'<p class="pcplan-short"><strong>If time is short:</strong> {e(seg.if_short)}</p>'
            )
        facts = []
        if seg.chapter or seg.guide:
            facts.append(f"<li><strong>Book:</strong> {_section_link(seg, root, page_depth)}</li>")
        if seg.app != NO_APP:
            facts.append(f"<li><strong>Live app:</strong> {e(seg.app.replace('_', ' '))}</li>")
        if seg.materials:
            facts.append(f"<li><strong>Materials:</strong> {e(', '.join(seg.materials))}</li>")
        if facts:
            out.append(f'<ul class="pcplan-facts">{"".join(facts)}</ul>')
        out.append("</section>")
    out.append("</div>")
    return "\n".join(out)


def script_text(plan: Plan) -> str:
    """All the words a trainer reads in a plan, for the reading-grade check."""
    parts = [plan.summary, *plan.before]
    for seg in plan.segments:
        parts += [seg.do, seg.say, *seg.key_points, *seg.ask, seg.if_short or ""]
    return "\n".join(parts)
