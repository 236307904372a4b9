"""release, collect and feedback: real nbgrader commands, one assignment at a time."""

from __future__ import annotations

import re

from .course import Course


def release(course: Course, assignment: str | None = None) -> list[str]:
    """generate_assignment (source -> release, gradebook) then release_assignment (exchange)."""
    done = []
    for name in course.pick(assignment):
        course.nbgrader("generate_assignment", name, "--force")
        course.nbgrader("release_assignment", name, "--force")
        done.append(name)
    return done


def collect(course: Course, assignment: str | None = None) -> dict[str, list[str]]:
    """Collect new submissions from the exchange; {assignment: [candidate, ...]}."""
    found: dict[str, list[str]] = {}
    for name in course.pick(assignment):
        proc = course.nbgrader("collect", name, "--update")
        text = proc.stdout + proc.stderr
        who = re.findall(r"(?:Collecting|Updating) submission: (\S+) " + re.escape(name), text)
        found[name] = sorted(set(who))
    return found


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
        course.nbgrader("release_feedback", name)
        made[name] = people
    return made
