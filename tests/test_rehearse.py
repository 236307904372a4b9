"""``peercare rehearse``, small: one session of 6 made-up participants on the real Voila
apps, the evaluation notebooks and report, on SQLite with 2 certification candidates through
nbgrader, and on PostgreSQL (sessions only) with one exported answer dropped, which is caught
and named."""

from __future__ import annotations

import csv
import json

from peercare.cli import main
from peercare.rehearse import Options, rehearse
from peercare.rehearse import checks as C

SESSION_CHECKS = {C.STOPPED, C.ANSWERS, C.TALLIES, C.REPORT, C.CHANGE}


def _drop_last_answer(exports):
    path = next(exports.glob("session-*.csv"))
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows[:-1])


def _checks(out) -> dict[str, bool]:
    summary = json.loads((out / "summary.json").read_text())
    return {c["name"]: c["ok"] for c in summary["checks"]}


def test_small_rehearsal_holds_every_check(tmp_path):
    """SQLite, with 2 certification candidates: every check holds."""
    said = []
    out = tmp_path / "rehearsal"
    code = rehearse(Options(1, 6, 2, None, out, seed=7), out=said.append)
    text = "\n".join(said)
    assert code == 0, text
    expected = SESSION_CHECKS | {C.AUTOGRADE, C.DECISIONS}
    assert _checks(out) == dict.fromkeys(expected, True), text
    assert f"All {len(expected)} checks held" in text
    summary = json.loads((out / "summary.json").read_text())
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
    assert (out / "certificates" / "c01.pdf").is_file()  # the perfect candidate
    assert not (out / "certificates" / "c02.pdf").exists()  # the one who fails
    assert "c01 perfect: certified" in text and "c02 fails: not yet" in text


def test_on_postgresql_a_dropped_answer_is_the_one_thing_caught(postgres, tmp_path):
    """PostgreSQL, sessions only (certification never touches the session store), with the
    export's last answer dropped: every answer was stored, and the one check that fails
    names the one answer missing from the export; every other check holds."""
    said = []
    out = tmp_path / "rehearsal"
    options = Options(1, 6, 0, postgres.new_database(), out, seed=7)
    code = rehearse(options, tamper=_drop_last_answer, out=said.append)
    text = "\n".join(said)
    assert code == 1, text
    assert _checks(out) == {**dict.fromkeys(SESSION_CHECKS, True), C.ANSWERS: False}, text
    assert f"FAILED: {C.ANSWERS}" in text
    assert "1 sent but not exported" in text and "not stored" not in text


def test_bad_options_are_refused_plainly(tmp_path, capsys):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("")
    code = main(["rehearse", "--participants", "2", "--out", str(tmp_path / "used")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "--participants must be 3 or more" in err and "is not empty" in err
