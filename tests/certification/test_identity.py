"""Identities hold: collect refuses submissions from ids not on the candidate list and, with
PEERCARE_CHECK_OWNER=1, submissions owned by another computer account. Real exchange."""

from __future__ import annotations

import os
import pwd

import pytest

from .conftest import cert
from .helpers import KC, Notebook, answer_key, fetch, make_course, submit

ME = pwd.getpwuid(os.getuid()).pw_name  # the account that makes every submission here


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from peercare.certification import Course

    base = tmp_path_factory.mktemp("identity")
    root = make_course(base)
    course = Course.find(root)
    people = base / "people.csv"
    people.write_text(f"id,name\n{ME},Test Owner\nbob,Test Bob\n")
    assert cert(root, "add-candidates", str(people)).returncode == 0
    assert cert(root, "release", KC).returncode == 0
    key = answer_key(course.exercises, KC, KC)
    for who in (ME, "bob", "mallory"):
        home = base / "homes" / who
        nb = Notebook(fetch(root / "exchange", home, KC) / f"{KC}.ipynb")
        for cell_id, letter in key.items():
            nb.answer(cell_id, letter)
        nb.save()
        submit(root / "exchange", home, KC, who)
    return course


def test_an_id_not_on_the_list_is_refused_and_never_graded(course):
    out = cert(course.root, "collect", KC)
    assert out.returncode == 0, out.stderr
    assert "REFUSED, not collected: mallory knowledge-check: 'mallory' is not on the" in out.stdout
    assert not (course.folder("submitted") / "mallory").exists()
    assert f"collected 2 new submission(s) bob {ME}" in out.stdout
    status = cert(course.root, "status").stdout
    assert "mallory / knowledge-check: 'mallory' is not on the candidate list" in status
    row = next(x for x in status.splitlines() if x.startswith("mallory"))
    assert "(not on the candidate list)" in row and "refused at collect" in row


def test_with_check_owner_a_submission_sent_by_another_account_is_refused(course, monkeypatch):
    monkeypatch.setenv("PEERCARE_CHECK_OWNER", "1")
    # the same three submissions, collected again with the owner check on
    for who in (ME, "bob"):
        submit(course.root / "exchange", course.root.parent / "homes" / who, KC, who)
    out = cert(course.root, "collect", KC)
    assert out.returncode == 0, out.stderr
    assert (
        f"REFUSED, not collected: bob knowledge-check: it claims to be from 'bob' but was sent "
        f"by the account '{ME}'" in out.stdout
    )
    assert f"collected 1 new submission(s) {ME}" in out.stdout
    status = cert(course.root, "status").stdout
    assert "bob / knowledge-check: another submission was refused at collect" in status


def test_only_listed_candidates_are_graded(course):
    out = cert(course.root, "autograde", KC, "--jobs", "2", timeout=900)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{ME} / knowledge-check: graded" in out.stdout and "mallory" not in out.stdout
    with course.gradebook() as gb:
        assert sorted(s.id for s in gb.students) == sorted([ME, "bob"])
