"""One certification course for the session, taken from release to certificates.

Real nbgrader commands and a real SQLite gradebook in a temporary copy of grading/ and
exercises/. Each cell may run 5 s (PEERCARE_CELL_TIMEOUT), so the infinite loop is quick.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .attacks import ATTACKS
from .helpers import KC, Notebook, answer_key, fetch, make_course, nbgrader_cli, submit

GOOD, PARTIAL, BROKEN = "good", "partial", "broken"
BAD = {
    "deleted": "deletes a test cell",
    "stripped": "strips a test cell's nbgrader metadata",
    "duplicated": "duplicates a test cell",
    "edited": "edits a read-only cell and a test cell",
    "looping": "has an infinite loop",
    "empty": "submits with no answers",
    "snooping": "reads another candidate's files",
    **{a.name: a.what for a in ATTACKS},
}
NAMES = {GOOD: "Aaliyah Núñez", PARTIAL: "Sam Lee", BROKEN: "Jordan Reyes"}
WRITTEN = (
    "I would ask to talk in private after the shift, say what I noticed, ask how they are "
    "really doing, listen, and offer to walk with them to the supervisor. I will check back."
)


def cert(root: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """``peercare cert ...``; ``timeout`` turns a hang into a failure (not a speed check)."""
    return subprocess.run(
        [sys.executable, "-m", "peercare.cli", "cert", "--course", str(root), *args],
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def snapshot(course, assignments=None) -> dict:
    """Every grade in the gradebook: (submission, cell) -> (auto, manual, needs manual)."""
    out = {}
    with course.gradebook() as gb:
        for a in gb.assignments:
            if assignments and a.name not in assignments:
                continue
            for sub in a.submissions:
                out[(a.name, sub.student.id, "total")] = sub.score
                for nb in sub.notebooks:
                    for g in nb.grades:
                        out[(a.name, sub.student.id, g.name)] = (
                            g.auto_score, g.manual_score, g.needs_manual_grade,
                        )  # fmt: skip
    return out


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    from peercare.certification import Course

    base = tmp_path_factory.mktemp("certification")
    root = make_course(base)
    saved = {k: os.environ.get(k) for k in ("PEERCARE_CELL_TIMEOUT", "PEERCARE_COURSE")}
    os.environ["PEERCARE_CELL_TIMEOUT"] = "5"
    os.environ.pop("PEERCARE_COURSE", None)
    yield Course.find(root)
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _knowledge(nb: Notebook, key: dict, right: int) -> None:
    """Answer the first `right` questions correctly, the rest wrongly."""
    for n, (cell_id, letter) in enumerate(sorted(key.items())):
        wrong = "A" if letter != "A" else "B"
        nb.answer(cell_id, letter if n < right else wrong)


@pytest.fixture(scope="session")
def released(course):
    csv = course.root.parent / "candidates.csv"
    people = {**NAMES, **{k: f"Test {k.title()}" for k in BAD}}
    csv.write_text("id,name\n" + "".join(f"{k},{v}\n" for k, v in people.items()))
    added = cert(course.root, "add-candidates", str(csv))
    assert added.returncode == 0, added.stderr
    out = cert(course.root, "release")
    assert out.returncode == 0, out.stderr
    return course


@pytest.fixture(scope="session")
def submitted(released):
    course = released
    exchange = course.root / "exchange"
    homes = course.root.parent / "homes"
    ex = course.exercises
    kc_key = answer_key(ex, KC, KC)
    sc_key = answer_key(ex, "scenarios", "scenarios")

    # the good candidate uses the real nbgrader commands, as in a terminal
    home = homes / GOOD
    home.mkdir(parents=True)
    opts = ["--course", "helping-the-helpers", f"--Exchange.root={exchange}",
            f"--Exchange.cache={home / '.nbgrader_cache'}"]  # fmt: skip
    got = nbgrader_cli("fetch_assignment", KC, *opts, cwd=home)
    assert got.returncode == 0, got.stderr
    nb = Notebook(home / KC / f"{KC}.ipynb")
    _knowledge(nb, kc_key, 20)
    nb.save()
    sent = nbgrader_cli("submit", KC, *opts, f"--student={GOOD}", cwd=home)
    assert sent.returncode == 0, sent.stderr
    for assignment, notebook in (("scenarios", "scenarios"), ("facilitation", "facilitation-plan")):
        nb = Notebook(fetch(exchange, home, assignment) / f"{notebook}.ipynb")
        for cell in nb.nb["cells"]:
            if cell["id"].endswith("-response"):
                cell["source"] = WRITTEN
        for cell_id, letter in sc_key.items() if assignment == "scenarios" else ():
            nb.answer(cell_id, letter)
        nb.save()
        submit(exchange, home, assignment, GOOD)

    # partial: 12 of 20, two left empty; some written answers empty
    home = homes / PARTIAL
    nb = Notebook(fetch(exchange, home, KC) / f"{KC}.ipynb")
    _knowledge(nb, kc_key, 12)
    nb.set("q19-answer", 'answer = ""  # type your answer between the quotes')
    nb.set("q20-answer", 'answer = ""  # type your answer between the quotes')
    nb.save()
    submit(exchange, home, KC, PARTIAL)
    nb = Notebook(fetch(exchange, home, "scenarios") / "scenarios.ipynb")
    nb.set("s1-response", WRITTEN)
    nb.set("s3-response", "I would tell her it is okay.")
    nb.answer("c01-answer", sc_key["c01-answer"])
    nb.save()
    submit(exchange, home, "scenarios", PARTIAL)
    nb = Notebook(fetch(exchange, home, "facilitation") / "facilitation-plan.ipynb")
    nb.set("f1-response", "Chapter: coping. 5 min welcome, 10 min breathing, 30 min plan.")
    nb.save()
    submit(exchange, home, "facilitation", PARTIAL)

    # broken: the knowledge check is not valid JSON; scenarios fine; no facilitation
    home = homes / BROKEN
    path = fetch(exchange, home, KC) / f"{KC}.ipynb"
    path.write_text(path.read_text()[:-200])
    submit(exchange, home, KC, BROKEN)
    nb = Notebook(fetch(exchange, home, "scenarios") / "scenarios.ipynb")
    nb.set("s2-response", WRITTEN)
    nb.save()
    submit(exchange, home, "scenarios", BROKEN)

    # the bad submissions of the knowledge check; all others answer every question right
    attacks = {a.name: a for a in ATTACKS}
    for who in BAD:
        home = homes / who
        nb = Notebook(fetch(exchange, home, KC) / f"{KC}.ipynb")
        if who != "empty":
            _knowledge(nb, kc_key, 20)
        if who in attacks:
            ctx = {"exercises": ex, "marker": homes / f"{who}-ran"}
            attacks[who].edit(nb, kc_key, ctx)
        elif who == "deleted":
            nb.delete("q03-check")
        elif who == "stripped":
            del nb.cell("q04-check")["metadata"]["nbgrader"]
        elif who == "duplicated":
            at = nb.nb["cells"].index(nb.cell("q05-check"))
            nb.nb["cells"].insert(at + 1, dict(nb.cell("q05-check")))
        elif who == "edited":
            nb.set("q01-question", "### Question 1\n\nThe answer is whatever I typed.")
            nb.set("q02-check", "pass  # I changed the check")
            nb.answer("q02-answer", "A" if kc_key["q02-answer"] != "A" else "B")
        elif who == "looping":
            nb.set("q06-answer", 'while True:\n    pass\nanswer = "A"')
        elif who == "snooping":
            nb.set(
                "q07-answer",
                'answer = open("../../good/knowledge-check/knowledge-check.ipynb").read()[:1]',
            )
        nb.save()
        submit(exchange, home, KC, who)

    out = cert(course.root, "collect")
    assert out.returncode == 0, out.stderr
    return course


@pytest.fixture(scope="session")
def graded(submitted, tmp_path_factory):
    """Autograde three ways: parallel (CLI), in this process (API) and plain nbgrader."""
    from peercare.certification.autograde import grade_all

    course = submitted
    out = cert(course.root, "autograde", "--jobs", "2")
    assert out.returncode == 0, out.stdout + out.stderr
    parallel = snapshot(course)
    # The API run happens inside this (longer-lived) process, from another folder, while a
    # second thread relies on that folder and on the environment: grading changes neither.
    seen, stop = set(), threading.Event()

    def watch():
        while not stop.is_set():
            seen.add((os.getcwd(), os.environ.get("NBGRADER_EXECUTION")))
            stop.wait(0.005)

    before, elsewhere = os.getcwd(), tmp_path_factory.mktemp("elsewhere")
    os.chdir(elsewhere)
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        results = grade_all(course, jobs=1, force=True)
    finally:
        stop.set()
        watcher.join()
        os.chdir(before)
    sequential = snapshot(course)
    plain = nbgrader_cli("autograde", KC, "--force", cwd=course.root)
    nbgrader_kc = snapshot(course, {KC})
    return {
        "course": course, "cli": out.stdout, "parallel": parallel, "sequential": sequential,
        "results": results, "nbgrader": nbgrader_kc, "nbgrader_run": plain,
        "seen": seen, "elsewhere": str(elsewhere),
    }  # fmt: skip
