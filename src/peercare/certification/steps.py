"""release, collect and feedback: real nbgrader commands, one assignment at a time."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from .course import Course

Say = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def release(course: Course, assignment: str | None = None, say: Say = _quiet) -> list[str]:
    """generate_assignment (source -> release, gradebook) then release_assignment (exchange).
    ``say`` hears each step before it starts."""
    done = []
    for name in course.pick(assignment):
        say(f"{name}: making the candidates' copy (answers and hidden checks taken out)...")
        course.nbgrader("generate_assignment", name, "--force")
        say(f"{name}: putting it in the exchange...")
        course.nbgrader("release_assignment", name, "--force")
        done.append(name)
    return done


def collect(
    course: Course, assignment: str | None = None, say: Say = _quiet
) -> dict[str, tuple[list[str], list[str]]]:
    """Collect new submissions from the exchange: {assignment: ([candidate, ...], [refusal,
    ...])}. Refused submissions (see :mod:`peercare.certification.exchange`) are not
    collected; each refusal is a sentence that says why."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    for name in course.pick(assignment):
        say(f"{name}: looking for new submissions...")
        proc = course.nbgrader("collect", name, "--update")
        text = proc.stdout + proc.stderr
        who = re.findall(r"(?:Collecting|Updating) submission: (\S+) " + re.escape(name), text)
        refused = re.findall(r"Refused submission: (\S+ " + re.escape(name) + r": .*)", text)
        found[name] = (sorted(set(who)), refused)
    return found


# The course's feedback page (peercare.certification.feedback) loads nothing from outside.
# A course config that goes back to nbconvert's page template would load MathJax from a CDN,
# telling that host each time a candidate opens their feedback: this guard removes it.
_OUTSIDE = re.compile(
    r"""<script[^>]*\ssrc=["']https?://[^"']*["'][^>]*>\s*</script>"""
    r"""|<link[^>]*\shref=["']https?://[^"']*["'][^>]*>""",
    re.IGNORECASE,
)


def keep_local(page: Path) -> None:
    """Remove the scripts and stylesheets a feedback page would fetch from other hosts."""
    html = page.read_text(encoding="utf-8")
    cleaned = _OUTSIDE.sub("", html)
    if cleaned != html:
        page.write_text(cleaned, encoding="utf-8")


def feedback(
    course: Course, assignment: str | None = None, say: Say = _quiet
) -> dict[str, list[str]]:
    """Generate feedback (hidden tests removed, rubric shown) and release it to candidates."""
    made: dict[str, list[str]] = {}
    for name in course.pick(assignment):
        graded = course.folder("autograded")
        people = sorted(p.parent.name for p in graded.glob(f"*/{name}") if p.is_dir())
        if not people:
            made[name] = []
            continue
        say(f"{name}: making feedback pages for {len(people)} candidate(s)...")
        course.nbgrader("generate_feedback", name, "--force")
        for page in graded.parent.joinpath("feedback").glob(f"*/{name}/*.html"):
            keep_local(page)
        say(f"{name}: sending the feedback...")
        course.nbgrader("release_feedback", name)
        made[name] = people
    return made
