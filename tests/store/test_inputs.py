"""Participant input: stored exactly as typed, or refused with a message; never a traceback."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from peercare.content.schema import ProblemsError
from peercare.store import InputRefused, SessionNotFound, Store

INTACT = {
    "html": "<b>bold</b> <img src=x onerror=alert(1)>",
    "script": "<script>alert('hi')</script>",
    "sql": "Robert'); DROP TABLE responses; --",
    "sql-2": "' OR '1'='1' -- ; DELETE FROM sessions;",
    "placeholders": "%s %(answer)s {0} :answer ? $1",
    "quotes": 'He said "it\'s fine" \\ back\\slash',
    "rtl": "\u202eevil.exe \u200f\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "emoji": "\U0001f64f\U0001f3fd \U0001f468\u200d\U0001f469\u200d\U0001f467 \u2764\ufe0f",
    "newlines-tabs": "first line\nsecond\tline\n",
    "leading-spaces": "   spaced out   ",
    "combining": "e\u0301 n\u0303 \u2028 \ufeff zero\u200bwidth",
    "formula": '=HYPERLINK("http://x","click")',
    "limit": "x" * 2000,
    "limit-emoji": "\U0001f600" * 2000,  # 2,000 characters (8,000 bytes)
}


@pytest.mark.parametrize("text", list(INTACT.values()), ids=list(INTACT))
def test_text_is_stored_exactly(store, session, text):
    info, key = session
    row_id = store.add_response(info.code, "checkin", "word", text)
    [row] = store.responses(info.code, key)
    assert row["id"] == row_id and row["answer"] == text
    assert {"sessions", "responses"} <= set(inspect(store.engine).get_table_names())


REFUSED = {
    "too-long": ("x" * 2001, "2,000 characters"),
    "one-megabyte": ("a" * 1_000_000, "2,000 characters"),
    "nul": ("before\0after", "NUL"),
    "bell": ("ding\x07", "control character"),
    "escape": ("\x1b[31mred", "control character"),
    "carriage-return": ("one\rtwo", "control character"),
    "delete": ("del\x7f", "control character"),
    "c1-control": ("next\x85line", "control character"),
    "lone-surrogate": ("half \ud83d", "broken character"),
    "empty": ("", "empty"),
    "only-spaces": ("  \n\t ", "empty"),
    "not-text": (None, "must be text"),
    "number": (5, "must be text"),
}


@pytest.mark.parametrize(("text", "says"), list(REFUSED.values()), ids=list(REFUSED))
def test_bad_answers_are_refused_with_a_message(store, session, text, says):
    info, key = session
    with pytest.raises(InputRefused) as caught:
        store.add_response(info.code, "feedback", "helped", text)
    assert says in str(caught.value)
    assert len(str(caught.value)) < 300  # a message, not a dump of the input
    assert isinstance(caught.value, ProblemsError)
    assert caught.value._render_traceback_()[1:] == [str(caught.value)]  # no traceback in Voila
    assert store.responses(info.code, key) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("app", "survey"),
        ("app", None),
        ("item", "Has Spaces"),
        ("item", "x" * 65),
        ("item", "<script>"),
        ("item", ""),
        ("respondent", "short"),
        ("respondent", "p" * 65),
        ("respondent", "p1234567; DROP"),
        ("time", "Then"),
    ],
)
def test_bad_ids_are_refused(store, session, field, value):
    info, key = session
    args = {"app": "quiz", "item": "q-1", "respondent": "p12345678", "time": None}
    args[field] = value
    with pytest.raises(InputRefused, match="could not be saved"):
        store.add_response(
            info.code,
            args["app"],
            args["item"],
            "a",
            respondent=args["respondent"],
            time=args["time"],
        )
    assert store.responses(info.code, key) == []


@pytest.mark.parametrize("code", ["ZZZZZZ", "", "   ", "<b>x</b>", "a" * 5000, None, "0O1IL2"])
def test_a_wrong_code_is_refused(store, session, code):
    with pytest.raises(SessionNotFound, match="No open session with"):
        store.add_response(code, "checkin", "mood", "3")
    with pytest.raises(SessionNotFound, match="No open session with"):
        store.open_session(code)


def test_the_message_never_echoes_markup(store):
    with pytest.raises(SessionNotFound) as caught:
        store.open_session("<script>alert(1)</script>")
    assert "<" not in str(caught.value) and "script" not in str(caught.value)


def test_a_closed_session_takes_no_answers(store, session):
    info, key = session
    store.add_response(info.code, "checkin", "mood", "3")
    store.close_session(info.code, key)
    with pytest.raises(SessionNotFound, match=f"No open session with code {info.code}"):
        store.add_response(info.code, "checkin", "mood", "4")
    with pytest.raises(SessionNotFound):
        store.open_session(info.code)
    assert [r["answer"] for r in store.responses(info.code, key)] == ["3"]  # kept


def test_codes_are_read_without_case_spaces_or_dashes(store, session):
    info, _ = session
    typed = f" {info.code[:3].lower()} - {info.code[3:].lower()} "
    assert store.open_session(typed) == info
    assert store.add_response(typed, "checkin", "mood", "4") > 0


def test_answers_and_time_points_round_trip(store, session):
    info, key = session
    store.add_response(info.code, "feedback", "coping", "2", respondent="pabcdef12", time="then")
    store.add_response(info.code, "feedback", "coping", "4", respondent="pabcdef12", time="now")
    rows = store.responses(info.code, key, app="feedback")
    assert [(r["time"], r["answer"], r["respondent"]) for r in rows] == [
        ("then", "2", "pabcdef12"),
        ("now", "4", "pabcdef12"),
    ]
    assert all(r["answered"].tzinfo is not None for r in rows)


def test_session_titles_and_thresholds_are_checked(store):
    for title, says in [("", "title"), ("a\nb", "line break"), ("x" * 201, "200")]:
        with pytest.raises(InputRefused, match=says):
            store.create_session(title)
    for threshold in (1, 2, 0, -5, 51, 101, 2.5, "5", True):
        with pytest.raises(InputRefused, match="threshold"):
            store.create_session("Ok", threshold=threshold)
    info, _ = store.create_session("  <i>Evening</i> group 🌙  ", threshold=3)
    assert info.title == "<i>Evening</i> group 🌙" and info.threshold == 3


def test_no_column_can_hold_who_answered(store):
    columns = {
        table: {c["name"] for c in inspect(store.engine).get_columns(table)}
        for table in inspect(store.engine).get_table_names()
    }
    assert columns == {
        "alembic_version": {"version_num"},
        "sessions": {"id", "code", "title", "created", "closed", "threshold", "key_hash"},
        "responses": {"id", "session_id", "app", "item", "time", "respondent", "answer"}
        | {"answered"},
        "session_state": {"session_id", "name", "value", "updated"},
        "joins": {"id", "session_id", "joined"},
    }


def test_several_answers_are_stored_together_or_not_at_all(store, session):
    info, key = session
    answers = [("reaction/useful", "5"), ("text/helped", "<i>the breathing</i>")]
    answers += [("retrospective/then/coping", "2"), ("night-call:step-2", "b")]
    ids = store.add_responses(info.code, "feedback", answers)
    rows = store.responses(info.code, key)
    assert [r["id"] for r in rows] == ids and [(r["item"], r["answer"]) for r in rows] == answers
    assert len({r["respondent"] for r in rows}) == 1  # one submission, one token
    both = store.add_responses(
        info.code, "feedback", [("coping", "2", "then"), ("coping", "4", "now")],
        respondent="pabcdef12",
    )  # fmt: skip
    assert [r["time"] for r in store.responses(info.code, key) if r["id"] in both] == [
        "then",
        "now",
    ]
    assert store.add_responses(info.code, "checkin", {"arrival": "3", "word": "ok"})
    before = store.count(info.code, key)
    for bad in ([("a", "fine"), ("b", "x" * 2001)], [], [("a",)], ["ab"], [("a", "ok", "Then")]):
        with pytest.raises(InputRefused):
            store.add_responses(info.code, "feedback", bad)
    assert store.count(info.code, key) == before


def test_shared_state_is_set_by_the_facilitator_and_read_by_anyone(store, session):
    from peercare.store import NotAuthorized

    info, key = session
    assert store.get_state(info.code, "quiz.current") is None
    store.set_state(info.code, key, "quiz.current", "q-1")
    store.set_state(info.code, key, "quiz.current", "q-2")
    store.set_state(info.code, key, "quiz.revealed", "")
    assert store.get_state(info.code.lower(), "quiz.current") == "q-2"
    assert store.get_state(info.code, "quiz.revealed") == ""
    with pytest.raises(NotAuthorized):
        store.set_state(info.code, "WRON-GKEY-XXXX", "quiz.current", "q-3")
    for name, value in [("Bad Name", "x"), ("ok", "\0"), ("ok", "x" * 2001), ("ok", None)]:
        with pytest.raises(InputRefused):
            store.set_state(info.code, key, name, value)
    with pytest.raises(SessionNotFound):
        store.get_state("ZZZZZZ", "quiz.current")
    store.close_session(info.code, key)
    assert store.get_state(info.code, "quiz.current") == "q-2"  # the dashboard after closing


def test_an_unreachable_database_says_so_without_the_password(tmp_path):
    from peercare.store import StoreUnavailable

    store = Store("postgresql://someone:s3cret@127.0.0.1:1/nothing")
    with pytest.raises(StoreUnavailable, match="could not be reached") as caught:
        store.open_session("ABCDEF")
    assert "s3cret" not in str(caught.value) and "s3cret" not in repr(store)
