"""Autograde figure: 30 synthetic submissions of the knowledge check, graded by
``nbgrader autograde`` and by ``peercare cert autograde`` in one run, on the same course.

Both are timed as a lead trainer runs them (one command each, start-up included), each with
--force so both grade all 30. The scores in the gradebook after each run must be identical.
Target: peercare at least 1.7x faster on 2 cores. Printed, not asserted.
Run: .venv/bin/python benchmarks/autograde.py [submissions] [jobs]
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import machine_line  # noqa: E402
from peercare.certification import Course  # noqa: E402
from peercare.certification.autograde import default_jobs  # noqa: E402

KC = "knowledge-check"
TARGET = 1.7


def make_course(where: Path) -> Course:
    (where / "grading").mkdir()
    for name in ("nbgrader_config.py", "rubric.yml", "certification.yml", "certificate.yml"):
        shutil.copy(ROOT / "grading" / name, where / "grading" / name)
    shutil.copytree(ROOT / "exercises", where / "exercises")
    course = Course.find(where / "grading")
    course.nbgrader("generate_assignment", KC, "--force")
    return course


def synthetic_submissions(course: Course, n: int) -> None:
    """SYNTHETIC candidates: the released notebook with random answers, as collected."""
    release = json.loads((course.folder("release") / KC / f"{KC}.ipynb").read_text())
    rng = random.Random(174)
    with course.gradebook() as gb:  # on the candidate list, as after add-candidates
        for i in range(n):
            gb.update_or_create_student(f"synthetic-{i:02d}", first_name="Synthetic")
    for i in range(n):
        nb = json.loads(json.dumps(release))
        for cell in nb["cells"]:
            if cell["id"].endswith("-answer"):
                cell["source"] = f'answer = "{rng.choice("ABCD")}"'
        folder = course.folder("submitted") / f"synthetic-{i:02d}" / KC
        folder.mkdir(parents=True)
        (folder / f"{KC}.ipynb").write_text(json.dumps(nb))
        (folder / "timestamp.txt").write_text("2025-01-01 12:00:00.000000 UTC")


def scores(course: Course) -> dict[str, float]:
    with course.gradebook() as gb:
        return {s.student.id: s.score for s in gb.find_assignment(KC).submissions}


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:4])} failed:\n{proc.stderr[-2000:]}")
    return took


def main(n: int = 30, jobs: int | None = None) -> None:
    jobs = jobs or default_jobs()
    with tempfile.TemporaryDirectory() as tmp:
        course = make_course(Path(tmp))
        synthetic_submissions(course, n)
        nbgrader_s = timed([sys.executable, "-m", "nbgrader", "autograde", KC, "--force"],
                           course.root)  # fmt: skip
        first = scores(course)
        peercare_s = timed(
            [sys.executable, "-m", "peercare.cli", "cert", "--course", str(course.root),
             "autograde", KC, "--force", "--jobs", str(jobs)],
            course.root,
        )  # fmt: skip
        second = scores(course)
    same = first == second and len(first) == n
    print(f"submissions: {n} SYNTHETIC knowledge checks; cores: {os.cpu_count()}; jobs: {jobs}")
    print(f"nbgrader autograde:       {nbgrader_s:6.1f} s ({nbgrader_s / n:.2f} s each)")
    print(f"peercare cert autograde:  {peercare_s:6.1f} s ({peercare_s / n:.2f} s each)")
    print(f"identical scores: {'yes' if same else 'NO'} ({len(first)} submissions)")
    print(f"ratio: {nbgrader_s / peercare_s:.2f}x faster (target >= {TARGET}x)")
    print(machine_line())
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main(*(int(x) for x in sys.argv[1:3]))
