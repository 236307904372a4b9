"""release, collect and feedback: real nbgrader commands, one assignment at a time."""

from __future__ import annotations

import re
from pathlib import Path

from .course import Course


def release(course: Course, assignment: str | None = None) -> list[str]:
    """generate_assignment (source -> release, gradebook) then release_assignment (exchange)."""
    done = []
    for name in course.pick(assignment):
        course.nbgrader("generate_assignment", name, "--force")
        course.nbgrader("release_assignment", name, "--force")
        done.append(name)
    return done


def collect(
    course: Course, assignment: str | None = None
) -> dict[str, tuple[list[str], list[str]]]:
    """Collect new submissions from the exchange: {assignment: ([candidate, ...], [refusal,
    ...])}. Refused submissions (see :mod:`peercare.certification.exchange`) are not
    collected; each refusal is a sentence that says why."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    for name in course.pick(assignment):
        proc = course.nbgrader("collect", name, "--update")
        text = proc.stdout + proc.stderr
        who = re.findall(r"(?:Collecting|Updating) submission: (\S+) " + re.escape(name), text)
        refused = re.findall(r"Refused submission: (\S+ " + re.escape(name) + r": .*)", text)
        found[name] = (sorted(set(who)), refused)
    return found


# nbconvert's page template loads MathJax from a CDN: each candidate opening their feedback
# would tell that host. The exercises have no math; the page needs nothing from outside.
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


def feedback(course: Course, assignment: str | None = None) -> dict[str, list[str]]:
    """Generate feedback (hidden tests removed, rubric shown) and release it to candidates."""
    made: dict[str, list[str]] = {}
    for name in course.pick(assignment):
        graded = course.folder("autograded")
        people = sorted(p.parent.name for p in graded.glob(f"*/{name}") if p.is_dir())
        if not people:
            made[name] = []
            continue
        course.nbgrader("generate_feedback", name, "--force")
        for page in graded.parent.joinpath("feedback").glob(f"*/{name}/*.html"):
            keep_local(page)
        course.nbgrader("release_feedback", name)
        made[name] = people
    return made
