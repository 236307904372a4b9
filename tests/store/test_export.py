"""The CSV export: every answer, safe to open in a spreadsheet, readable by the evaluation kit."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from peercare import cli, codes
from peercare.contract import spreadsheet_text
from peercare.evaluation.tables import load_responses
from peercare.store import EXPORT_COLUMNS, Store, spreadsheet_safe

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=tab", '=HYPERLINK("http://x")',
             " =1+1", "\n=1+1", "\uff1dSUM(A1)", "\u3000=1", "'already quoted"]  # fmt: skip
HARMLESS = ["fine", "a = b", "50%", "<b>bold</b>", "line one\nline two", "🙂", "a'b"]


@pytest.mark.parametrize("cell", DANGEROUS)
def test_formula_cells_get_a_quote(cell):
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", HARMLESS)
def test_other_cells_are_untouched(cell):
    assert spreadsheet_safe(cell) == cell


@pytest.mark.parametrize("cell", DANGEROUS + HARMLESS + ["", "'", "''x", "' =1"])
def test_the_guard_has_an_exact_inverse(cell):
    assert spreadsheet_text(spreadsheet_safe(cell)) == cell


def _read(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_export_escapes_every_cell_and_keeps_the_rest(store, session):
    info, key = session
    who = codes.new_respondent()
    for n, text in enumerate(DANGEROUS + HARMLESS):
        store.add_response(info.code, "feedback", f"item-{n}", text, respondent=who)
    rows = _read(store.export_csv(info.code, key))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    got = [r["response"] for r in rows]
    assert got == ["'" + t for t in DANGEROUS] + HARMLESS
    for row in rows:
        assert not any(v and (v[0] in "=+-@\uff1d" or v[0].isspace()) for v in row.values())
    assert {r["respondent_id"] for r in rows} == {who}
    assert {r["session"] for r in rows} == {info.code}


def test_export_of_one_app(store, session):
    info, key = session
    store.add_response(info.code, "quiz", "q1", "a")
    store.add_response(info.code, "checkin", "arriving", "3")
    rows = _read(store.export_csv(info.code, key, app="quiz"))
    assert [(r["app"], r["item"]) for r in rows] == [("quiz", "q1")]


def test_feedback_export_loads_in_the_evaluation_kit(store, session):
    info, key = session
    ratings = {"useful": "5", "will-use": "4", "recommend": "5", "safe": "4"}
    ratings |= {"own-way": "5", "pace": "3", "hard-to-follow": "2"}
    people = [codes.new_respondent() for _ in range(3)]
    for who in people:
        for item, value in ratings.items():
            store.add_response(info.code, "feedback", item, value, respondent=who)
        store.add_response(info.code, "feedback", "helped", "=the breathing", respondent=who)
        store.add_response(info.code, "feedback", "coping", "2", respondent=who, time="then")
        store.add_response(info.code, "feedback", "coping", "4", respondent=who, time="now")
    frame = pd.read_csv(io.StringIO(store.export_csv(info.code, key)), dtype=str).fillna("")
    reaction_items = [*ratings, "helped", "change"]
    part = frame[frame["item"].isin(reaction_items)].drop(columns=["app", "time"])
    reaction = load_responses(part, "reaction")
    assert reaction.n_respondents == 3
    retro = frame[frame["item"] == "coping"].drop(columns="app")
    pairs = retro.pivot(index="respondent_id", columns="time", values="response")
    assert (pairs["then"] == "2").all() and (pairs["now"] == "4").all() and len(pairs) == 3


def test_the_session_command(tmp_path, db_url, monkeypatch, capsys):
    monkeypatch.setenv("PEERCARE_DB_URL", db_url)
    assert cli.main(["session", "create", "--title", "Night shift", "--threshold", "4"]) == 0
    out = capsys.readouterr().out
    code = out.split("Join code:")[1].split()[0]
    key = out.split("Facilitator key:")[1].split()[0]
    store = Store(db_url)
    try:
        assert store.session_for_facilitator(code, key).threshold == 4
        store.add_response(code, "checkin", "word", "=cmd")
    finally:
        store.close()
    target = tmp_path / "out.csv"
    assert cli.main(["session", "export", code, "--key", key, "-o", str(target)]) == 0
    assert "'=cmd" in target.read_text(encoding="utf-8")
    assert cli.main(["session", "export", code, "--key", key]) == 0
    assert "'=cmd" in capsys.readouterr().out
    assert cli.main(["session", "close", code, "--key", "WRONG-KEY"]) == 2
    assert "does not match" in capsys.readouterr().err
    assert cli.main(["session", "close", code, "--key", key]) == 0
    assert "Closed" in capsys.readouterr().out
    assert cli.main(["session", "create", "--title", ""]) == 2
    assert "title" in capsys.readouterr().err
