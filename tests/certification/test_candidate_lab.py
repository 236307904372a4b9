"""`peercare cert lab --candidate ID`: a real JupyterLab, started as a candidate would start
it, in a temporary copy of the course; nbgrader's Assignments REST API used as the
Assignments tab uses it. And `peercare cert check`'s plain message."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from peercare.certification.check import check_message, spans
from peercare.serving.serve import stop_process

from ..voila import free_port
from .helpers import COURSE_ID, KC, make_course

TOKEN = "t"


def _cert(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "peercare.cli", "cert", "--course", str(root), *args]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from peercare.certification import Course

    root = make_course(tmp_path_factory.mktemp("lab-course"))
    csv = root.parent / "cohort.csv"
    csv.write_text("id,name\nc01,Test Candidate\n")
    said = ""
    for step in (("add-candidates", str(csv)), ("release", KC)):
        done = subprocess.run(_cert(root, *step), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""  # the gradebook's and nbgrader's noise goes to the log
        said += done.stdout
    # each step said before it starts; nbgrader's own output is in the course's log
    assert "adding the candidates in" in said
    assert f"{KC}: making the candidates' copy" in said and f"{KC}: putting it in" in said
    assert "release_assignment" in (root / "nbgrader.log").read_text()
    return Course.find(root)


@contextmanager
def started(course, *who: str):
    """`peercare cert lab ...` as a subprocess; yields (base URL, the lines it printed)."""
    port = free_port()
    env = {**os.environ, "JUPYTER_DATA_DIR": str(course.root.parent / "jupyter-data")}
    args = _cert(course.root, "lab", *who, "--no-browser", "--port", str(port), "--token", TOKEN)
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
    try:
        printed = []
        while not any("Ctrl-C" in line for line in printed):
            line = proc.stdout.readline()
            assert line, f"the lab command stopped: {printed}"
            printed.append(line)
        yield f"http://127.0.0.1:{port}", "".join(printed)
    finally:
        stop_process(proc)
        proc.stdout.close()


@pytest.fixture(scope="module")
def candidate_lab(course):
    with started(course, "--candidate", "c01") as lab:
        yield lab


def _api(url: str, route: str, method: str = "get", **params) -> requests.Response:
    headers = {"Authorization": f"token {TOKEN}"}
    return getattr(requests, method)(f"{url}{route}", params=params, headers=headers, timeout=120)


def test_prints_the_address_and_serves_the_candidates_own_folder(course, candidate_lab):
    url, printed = candidate_lab
    assert f"{url}/lab?token={TOKEN}" in printed
    contents = _api(url, "/api/contents").json()
    names = {item["name"] for item in contents["content"]}
    # the course's folders (rubric, release, gradebook, exchange) are not in the candidate's view
    assert not names & {"rubric.yml", "release", "gradebook.db", "exchange", "nbgrader_config.py"}
    home = course.root / "candidate-work" / "c01"
    assert home.is_dir()
    page = _api(url, "/lab").text
    config = json.loads(page.split('id="jupyter-config-data" type="application/json">')[1]
                        .split("</script>")[0])  # fmt: skip
    disabled = set(config["disabledExtensions"])
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
            "@jupyterlab/apputils-extension:announcements"} <= disabled  # fmt: skip
    assert "@jupyter/nbgrader:assignment-list" not in disabled


def test_formgrader_is_not_served_to_the_candidate(candidate_lab):
    url, _ = candidate_lab
    assert _api(url, "/formgrader").status_code == 404
    assert _api(url, "/formgrader/api/assignments").status_code == 404
    assert _api(url, "/formgraders").status_code == 404


def test_fetch_and_submit_as_the_candidate_id(course, candidate_lab):
    url, _ = candidate_lab
    listed = _api(url, "/assignments", course_id=COURSE_ID).json()
    assert listed["success"], listed
    assert [(a["assignment_id"], a["status"]) for a in listed["value"]] == [(KC, "released")]

    fetched = _api(url, "/assignments/fetch", "post", course_id=COURSE_ID, assignment_id=KC)
    assert fetched.json()["success"], fetched.text
    notebook = course.root / "candidate-work" / "c01" / COURSE_ID / KC / f"{KC}.ipynb"
    assert notebook.is_file()
    # the candidate's copy carries neither the answer key nor the feedback's explanations
    assert "# Why:" not in notebook.read_text() and "assert given" not in notebook.read_text()
    listed = _api(url, "/assignments", course_id=COURSE_ID).json()["value"]
    assert [a["status"] for a in listed] == ["fetched"]
    assert listed[0]["notebooks"][0]["path"] == f"{COURSE_ID}/{KC}/{KC}.ipynb"

    where = f"{COURSE_ID}/{KC}/{KC}.ipynb"
    checked = _api(url, "/assignments/validate", "post", path=where).json()
    assert checked == {"success": True, "value": {"failed": [
        {"source": "Still empty: 1 to 20.", "error": ""}]}}  # fmt: skip
    assert _api(url, "/assignments/validate", "post", path="../../../rubric.yml").status_code == 403

    # with questions empty, Submit asks first and sends nothing; pressed again, it sends
    asked = _api(url, "/assignments/submit", "post", course_id=COURSE_ID, assignment_id=KC)
    assert asked.json() == {"success": False, "value": (
        "Not sent yet. These questions are still empty: 1 to 20.\n\n"
        "To answer them first, press Ok and go back to the notebook.\n"
        "To send your work as it is, press Submit again within 10 minutes.")}  # fmt: skip
    inbound = course.root / "exchange" / COURSE_ID / "inbound"
    assert not inbound.exists() or not any(inbound.iterdir())
    sent = _api(url, "/assignments/submit", "post", course_id=COURSE_ID, assignment_id=KC)
    assert sent.json()["success"], sent.text
    (mine,) = [a for a in sent.json()["value"] if a["status"] == "submitted"]
    when = mine["submissions"][0]["timestamp"]
    assert re.fullmatch(r"Sent on [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ at \d{1,2}:\d\d [ap]m", when)
    owners = {p.name.split("+")[0] for p in inbound.iterdir()}
    assert owners == {"c01"}  # never the computer account's name
    collected = subprocess.run(_cert(course.root, "collect"), capture_output=True, text=True)
    assert collected.returncode == 0, collected.stderr
    assert (course.root / "submitted" / "c01" / KC / f"{KC}.ipynb").is_file()


def test_feedback_pages_come_only_from_the_candidates_feedback_folders(course, candidate_lab):
    url, _ = candidate_lab
    config = _api(url, "/lab").text.split('id="jupyter-config-data" type="application/json">')[1]
    assert '"name": "peercare-candidate-lab"' in config  # the plugin behind "(view feedback)"
    folder = course.root / "candidate-work" / "c01" / COURSE_ID / KC / "feedback" / "2026 UTC"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{KC}.html").write_text("<p>Your answer: B. Correct.</p>")
    where = f"{COURSE_ID}/{KC}/feedback/2026 UTC"
    shown = _api(url, "/peercare/feedback", path=where)
    assert shown.status_code == 200 and shown.text == "<p>Your answer: B. Correct.</p>"
    policy = shown.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    assert _api(url, "/peercare/feedback", path=f"{where}/{KC}.html").text == shown.text
    for path in (f"{COURSE_ID}/{KC}/{KC}.ipynb", "../../../rubric.yml", "../../feedback"):
        refused = _api(url, "/peercare/feedback", path=path)
        assert refused.status_code == 404 and "Fetch Feedback" in refused.text, path
    stranger = requests.get(f"{url}/peercare/feedback", params={"path": where},
                            allow_redirects=False, timeout=60)  # fmt: skip
    assert stranger.status_code in (302, 403) and "Correct" not in stranger.text


def test_candidate_work_is_ignored_by_git():
    root = Path(__file__).resolve().parents[2]
    for path in ("grading/candidate-work/c01/x.ipynb", f"grading/{COURSE_ID}/{KC}/x.ipynb"):
        done = subprocess.run(["git", "check-ignore", "-q", path], cwd=root)
        assert done.returncode == 0, path


def test_an_id_not_on_the_list_is_refused(course):
    done = subprocess.run(_cert(course.root, "lab", "--candidate", "root", "--no-browser"),
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2
    assert "'root' is not on the candidate list" in done.stderr
    assert "c01" in done.stderr and "Traceback" not in done.stderr
    assert not (course.root / "candidate-work" / "root").exists()


def test_lead_view_serves_formgrader_in_the_course_folder(course):
    with started(course, "--lead") as (url, printed):
        assert f"{url}/lab?token={TOKEN}" in printed
        names = {item["name"] for item in _api(url, "/api/contents").json()["content"]}
        assert "rubric.yml" in names
        assert _api(url, "/formgrader/api/assignments").status_code == 200


def _box(source: str, cell_type: str = "code") -> dict:
    return {"cell_type": cell_type, "source": source,
            "metadata": {"nbgrader": {"solution": True}}}  # fmt: skip


def _question(n: int) -> dict:
    return {"cell_type": "markdown", "source": f"### Question {n}\n\nWhat?", "metadata": {}}


def test_check_names_empty_questions_and_wrong_forms_in_plain_words():
    stub = 'answer = ""  # type your answer between the quotes'
    odd = {1: "answer = D", 2: "print('B')\nanswer = 'B'", 3: '"c"', 4: "answer = 3 +", 5: "d"}
    cells = []
    for n in range(1, 21):
        cells += [_question(n), _box(odd.get(n, 'answer = "A"' if n < 7 else stub))]
    assert check_message(cells) == (
        'Still empty: 7 to 20. Check the form of: 2, 4. Each box needs one answer, like answer = "B".'
    )
    written = [{"cell_type": "markdown", "source": "## A hard talk", "metadata": {}},
               _box("Type your answer here. (Double-click this box.)", "markdown")]  # fmt: skip
    assert check_message(written) == "Still empty: “A hard talk”."
    assert check_message(cells[:12]) == "Check the form of: 2, 4. Each box needs one answer, " \
        'like answer = "B".'  # fmt: skip
    assert check_message(cells[:2]) == "Every question has an answer. You can submit."
    assert spans(["1", "2", "4", "5", "6", "9"]) == "1, 2, 4 to 6, 9"


def test_check_command_reads_a_notebook_and_refuses_a_bad_file(course, tmp_path):
    nb = tmp_path / "mine.ipynb"
    nb.write_text(json.dumps({"cells": [_question(1), _box("answer = (")], "nbformat": 4}))
    done = subprocess.run(_cert(course.root, "check", str(nb)), capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("Check the form of: 1."), done
    nb.write_text("not json")
    done = subprocess.run(_cert(course.root, "check", str(nb)), capture_output=True, text=True)
    assert done.returncode == 2 and "not a notebook" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.browser
def test_assignments_tab_lists_the_course_in_chromium(candidate_lab, chromium_path):
    from ..browser import chromium, guarded_context, lab_ready

    url, _ = candidate_lab
    with chromium(chromium_path) as browser:
        page = guarded_context(browser, viewport={"width": 1400, "height": 900}).new_page()
        page.goto(f"{url}/lab?reset&token={TOKEN}")
        lab_ready(page, 90_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        menu = page.locator(".lm-Menu-content").first.inner_text()
        assert "Assignment List" in menu
        assert "Formgrader" not in menu and "Course List" not in menu
        page.get_by_text("Assignment List", exact=True).click()
        listed = page.locator(".list_item", has_text=KC)
        listed.first.wait_for(timeout=60_000)
        text = page.locator("body").inner_text()
        assert "Error fetching courses" not in text and "does not exist" not in text
        assert "Traceback" not in text
        # no news prompt ("Would you like to get notified about official Jupyter news?")
        assert "Jupyter news" not in text


def test_times_in_words(monkeypatch):
    import time

    from peercare.certification.labserver import sent_words

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    assert sent_words("2026-11-30 15:05:12.123456 UTC") == "Sent on Monday 30 November at 3:05 pm"
    assert sent_words("2026-12-01 09:30:00 UTC") == "Sent on Tuesday 1 December at 9:30 am"
    assert sent_words("not a time") == "not a time"
    monkeypatch.undo()
    time.tzset()
