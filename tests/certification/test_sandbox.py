"""Candidate code that runs (a code answer) runs in the sandbox: it cannot read the answer
key, the gradebook or another candidate's work, cannot reach the network, and every try is
reported in ``peercare cert status``. Real submissions, real bubblewrap, real nbgrader."""

from __future__ import annotations

import os
import shutil
import socket

import pytest

from .conftest import cert
from .helpers import CODE, Notebook, add_code_assignment, fetch, make_course, submit

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")

# Each would set the right answer (and earn the point) if what it reaches for were there.
ATTEMPTS = {
    "honest": "answer = 60 * 2",
    "readkey": (
        "import re\n"
        "key = open('{exercises}/code-practice/code-practice.ipynb').read()\n"
        "answer = int(re.search(r'answer = (\\d+)', key).group(1))"
    ),
    "gradebook": "data = open('{grading}/gradebook.db', 'rb').read(16)\nanswer = 120",
    "neighbour": (
        "import os\nseen = os.listdir('{grading}/submitted/honest/code-practice')\nanswer = 120"
    ),
    "network": (
        "import socket\n"
        "socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'hello')\n"
        "answer = 120"
    ),
    "shell": (
        "sh = (x for x in [0]).gi_frame.f_builtins['__import__']('os').system\n"
        "assert sh('ls {exercises} > {marker}') == 0\n"
        "answer = 120"
    ),
    "package": "answer = 1  # its own practice_checks/ package would pass it",
}
BLOCKED = {
    "readkey": "tried to open {exercises}/code-practice/code-practice.ipynb",
    "gradebook": "tried to open {grading}/gradebook.db",
    "neighbour": "tried to list {grading}/submitted/honest/code-practice",
    "network": "tried to open a network connection (('127.0.0.1', {port}))",
    "shell": "tried to run a shell command (ls {exercises} > {marker})",
}


@pytest.fixture(scope="module")
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


@pytest.fixture(scope="module")
def sandboxed(tmp_path_factory, listener):
    from peercare.certification import Course

    base = tmp_path_factory.mktemp("sandbox")
    saved = {k: os.environ.get(k) for k in ("PEERCARE_CELL_TIMEOUT", "PEERCARE_COURSE")}
    os.environ["PEERCARE_CELL_TIMEOUT"] = "5"
    os.environ.pop("PEERCARE_COURSE", None)
    root = make_course(base)
    add_code_assignment(base / "exercises")
    course = Course.find(root)
    people = base / "people.csv"
    people.write_text("id,name\n" + "".join(f"{k},Test {k.title()}\n" for k in ATTEMPTS))
    assert cert(root, "add-candidates", str(people)).returncode == 0
    out = cert(root, "release", CODE)
    assert out.returncode == 0, out.stderr
    ctx = {"exercises": course.exercises, "grading": root, "port": listener.getsockname()[1],
           "marker": base / "shell-ran"}  # fmt: skip
    for who, source in ATTEMPTS.items():
        home = base / "homes" / who
        folder = fetch(root / "exchange", home, CODE)
        nb = Notebook(folder / f"{CODE}.ipynb")
        for key, value in ctx.items():
            source = source.replace("{" + key + "}", str(value))
        nb.set("minutes-answer", source)
        nb.save()
        if who == "package":
            (folder / "practice_checks").mkdir()
            (folder / "practice_checks" / "__init__.py").write_text(
                "def has_answer(names):\n    names['answer'] = 120\n    return True\n"
            )
        submit(root / "exchange", home, CODE, who)
    assert cert(root, "collect", CODE).returncode == 0
    out = cert(root, "autograde", CODE, "--jobs", "2", timeout=900)
    assert out.returncode == 0, out.stdout + out.stderr
    status = cert(root, "status")
    assert status.returncode == 0, status.stderr
    yield {"course": course, "ctx": ctx, "autograde": out.stdout, "status": status.stdout}
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _scores(course) -> dict:
    with course.gradebook() as gb:
        return {s.student.id: s.score for s in gb.find_assignment(CODE).submissions}


def test_the_honest_code_answer_earns_its_point_and_nothing_is_reported(sandboxed):
    assert _scores(sandboxed["course"])["honest"] == 1
    assert "honest / code-practice: blocked" not in sandboxed["status"]
    row = next(x for x in sandboxed["status"].splitlines() if x.startswith("honest "))
    assert "graded" in row and "held" not in row


@pytest.mark.parametrize("who", [k for k in ATTEMPTS if k != "honest"])
def test_code_that_reaches_outside_gets_nothing(sandboxed, who):
    assert _scores(sandboxed["course"])[who] == 0
    assert f"{who} / {CODE}: graded" in sandboxed["autograde"]  # the batch carried on


@pytest.mark.parametrize("who", sorted(BLOCKED))
def test_status_reports_each_attempt(sandboxed, who):
    expected = BLOCKED[who]
    for key, value in sandboxed["ctx"].items():
        expected = expected.replace("{" + key + "}", str(value))
    assert f"{who} / {CODE}: blocked by the sandbox: {expected}" in sandboxed["status"]
    row = next(x for x in sandboxed["status"].splitlines() if x.startswith(f"{who} "))
    assert "held for review" in row


def test_nothing_left_the_sandbox(sandboxed, listener):
    assert not sandboxed["ctx"]["marker"].exists()
    with pytest.raises(BlockingIOError):
        listener.accept()  # no connection ever arrived


def test_without_bubblewrap_code_answers_are_refused_not_run(sandboxed, monkeypatch):
    monkeypatch.setenv("PEERCARE_SANDBOX", "off")
    root = sandboxed["course"].root
    out = cert(root, "autograde", CODE, "--candidate", "honest", "--force", timeout=600)
    assert out.returncode == 0, out.stderr
    assert "honest / code-practice: failed: this notebook runs the candidate's code" in out.stdout
