"""``peercare rehearse``, small: one session of 6 made-up participants on the real Voila
apps, the evaluation notebooks and report, on SQLite and on PostgreSQL, with 2
certification candidates through nbgrader on SQLite (certification never touches the session
store, so the PostgreSQL run skips it); and a dropped answer is caught and named."""

from __future__ import annotations

import csv
import json

import pytest

from peercare.cli import main
from peercare.rehearse import Options, rehearse
from peercare.rehearse import checks as C


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request):
    if request.param == "sqlite":
        return None  # the default: an SQLite file in the rehearsal's folder
    return request.getfixturevalue("postgres").new_database()


SESSION_CHECKS = {C.STOPPED, C.ANSWERS, C.TALLIES, C.REPORT, C.CHANGE}


def test_small_rehearsal_holds_every_check(store_url, tmp_path):
    said = []
    out = tmp_path / "rehearsal"
    candidates = 2 if store_url is None else 0
    code = rehearse(Options(1, 6, candidates, store_url, out, seed=7), out=said.append)
    text = "\n".join(said)
    assert code == 0, text
    summary = json.loads((out / "summary.json").read_text())
    checks = {c["name"]: c["ok"] for c in summary["checks"]}
    expected = SESSION_CHECKS | ({C.AUTOGRADE, C.DECISIONS} if candidates else set())
    assert checks == dict.fromkeys(expected, True), text
    assert f"All {len(expected)} checks held" in text
    answers = {row[0]: row[1:] for row in summary["answers"]}
    # 6 people: the pre and post test (15 items each), 2 quiz questions, the short feedback
    # form (5 ratings and its one comment box)
    assert answers["prepost"] == [180, 180, 180, 180]
    assert answers["quiz"] == [12, 12, 12, 12]
    assert answers["feedback"] == [36, 36, 36, 36]
    assert all(len(set(v)) == 1 for v in answers.values()), answers
    # everything it made is in the one folder
    assert len(list((out / "exports").glob("session-*.csv"))) == 1
    assert (out / "report.html").is_file() and (out / "results.txt").is_file()
    assert len(list((out / "evaluation" / "notebooks").glob("*.ipynb"))) == 5
    if candidates:
        assert (out / "certificates" / "c01.pdf").is_file()  # the perfect candidate
        assert not (out / "certificates" / "c02.pdf").exists()  # the one who fails
        assert "c01 perfect: certified" in text and "c02 fails: not yet" in text


def _drop_last_answer(exports):
    path = next(exports.glob("session-*.csv"))
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows[:-1])


def test_a_dropped_answer_fails_and_names_the_check(tmp_path):
    said = []
    code = rehearse(Options(1, 3, 0, None, tmp_path / "r", seed=3, threshold=3),
                    tamper=_drop_last_answer, out=said.append)  # fmt: skip
    text = "\n".join(said)
    assert code == 1
    assert f"FAILED: {C.ANSWERS}" in text
    assert "1 sent but not exported" in text


def test_bad_options_are_refused_plainly(tmp_path, capsys):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("")
    code = main(["rehearse", "--participants", "2", "--out", str(tmp_path / "used")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "--participants must be 3 or more" in err and "is not empty" in err
