"""Parallel autograde on a PostgreSQL gradebook gives the scores ``nbgrader autograde`` gives.

The PostgreSQL server is the test run's shared throwaway one (tests/postgres.py).
"""

from __future__ import annotations

import json
import random

import pytest

from .helpers import KC, make_course, nbgrader_cli


@pytest.fixture
def postgres_url(postgres) -> str:
    return postgres.new_database()


def test_parallel_autograde_on_postgresql_matches_nbgrader(postgres_url, tmp_path, monkeypatch):
    from peercare.certification import Course
    from peercare.certification.autograde import grade_all

    monkeypatch.setenv("PEERCARE_GRADEBOOK_URL", postgres_url)
    monkeypatch.setenv("PEERCARE_CELL_TIMEOUT", "5")
    course = Course.find(make_course(tmp_path))
    assert course.db_url == postgres_url
    course.nbgrader("generate_assignment", KC, "--force")
    release = json.loads((course.folder("release") / KC / f"{KC}.ipynb").read_text())
    rng = random.Random(5)
    with course.gradebook() as gb:  # on the candidate list: autograde never adds people
        for i in range(6):
            gb.update_or_create_student(f"synthetic-{i}")
    for i in range(6):
        nb = json.loads(json.dumps(release))
        for cell in nb["cells"]:
            if cell["id"].endswith("-answer"):
                cell["source"] = f'answer = "{rng.choice("ABCD")}"'
        folder = course.folder("submitted") / f"synthetic-{i}" / KC
        folder.mkdir(parents=True)
        (folder / f"{KC}.ipynb").write_text(json.dumps(nb))
        (folder / "timestamp.txt").write_text("2025-01-01 12:00:00.000000 UTC")

    def scores():
        with course.gradebook() as gb:
            return {
                (s.student.id, g.name): (g.auto_score, g.needs_manual_grade)
                for s in gb.find_assignment(KC).submissions
                for nb in s.notebooks
                for g in nb.grades
            }

    plain = nbgrader_cli("autograde", KC, cwd=course.root)
    assert plain.returncode == 0, plain.stderr[-2000:]
    theirs = scores()
    results = grade_all(course, KC, jobs=3, force=True)
    assert [r.state for r in results] == ["graded"] * 6
    assert scores() == theirs and len(theirs) == 6 * 20
