"""The live-session apps driven through their widgets (clicks and values), on a real store:
what a participant sees, what is stored, what the facilitator's dashboard shows."""

from __future__ import annotations

import ipywidgets as w
import pytest

from peercare.apps import ui
from peercare.apps.checkin import checkin_panel
from peercare.apps.dashboard import Dashboard
from peercare.apps.feedback import feedback_panel
from peercare.apps.livequiz import livequiz_panel
from peercare.apps.scenarios import scenario_panel
from peercare.apps.state import QUIZ_CURRENT, QUIZ_REVEALED
from peercare.book.quiz import Quiz
from peercare.content.branching import load_all_scenarios


@pytest.fixture
def session(store):
    info, key = store.create_session("Tuesday training", threshold=3)
    return info, key


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def find(widget, kind, **attrs):
    return [x for x in walk(widget) if isinstance(x, kind)
            and all(getattr(x, k) == v for k, v in attrs.items())]  # fmt: skip


def notice_text(widget) -> str:
    return " ".join(n.value for n in find(widget, ui.Notice))


def test_join_refuses_a_wrong_code_with_a_message(store, session):
    page = ui.joined_app("Check-in", store, checkin_panel)
    box = find(page, ui.JoinBox)[0]
    box.code.value = "ZZZZ"
    box.go.click()
    assert "No open session" in notice_text(page)
    box.code.value = session[0].code.lower()
    box.go.click()
    assert find(page, w.RadioButtons), "the check-in form appears after joining"


def test_checkin_stores_escaped_text_intact_and_dashboard_hides_small_groups(store, session):
    info, key = session
    dash = Dashboard(store, refresh=3600)
    dash._open(info.code, key)
    tricky = "<script>alert('x')</script>"
    for i in range(4):
        panel = checkin_panel(ui.seat_for(store, info))
        find(panel, w.RadioButtons)[0].value = "2"
        find(panel, w.Text)[0].value = tricky if i == 0 else "ok"
        find(panel, w.Button)[0].click()
        assert "Received" in notice_text(panel)
        if i == 1:  # two people: under the threshold of 3, nothing shown
            dash.update()
            assert "not shown" in dash.views["checkin"].value
            assert "<td>2</td>" not in dash.views["checkin"].value
    dash.update()
    table = dash.views["checkin"].value
    # counts move in steps of the threshold: the first 3 of 4, and the table says so
    assert "2 · Heavy" in table and "<td>3</td>" in table
    assert "4 check-ins. The table counts the first 3" in table
    words = [r["answer"] for r in store.responses(info.code, key, "checkin")]
    assert tricky in words  # stored intact
    assert tricky not in table  # never shown raw
    csv = store.export_csv(info.code, key)
    assert "alert" in csv


def test_empty_and_overlong_answers_are_refused_kindly(store, session):
    info, _ = session
    panel = checkin_panel(ui.seat_for(store, info))
    find(panel, w.Button)[0].click()
    assert "Pick a number first" in notice_text(panel)
    find(panel, w.RadioButtons)[0].value = "3"
    find(panel, w.Text)[0].value = "x" * 100
    find(panel, w.Button)[0].click()
    assert "under 40 letters" in notice_text(panel)
    assert store.count(info.code, session[1]) == 0


def test_live_quiz_ask_answer_reveal(store, session):
    info, key = session
    panels = [livequiz_panel(ui.seat_for(store, info), poll_seconds=3600) for _ in range(3)]
    assert all("Waiting" in find(p, w.HTML)[0].value for p in panels)
    store.set_state(info.code, key, QUIZ_CURRENT, "welcome-purpose")
    for p in panels:
        p.check()  # what each page's poller does every few seconds
    quizzes = [find(p, Quiz)[0] for p in panels]
    assert all(q.reveal is False for q in quizzes)
    for q in quizzes:
        q.last_answer = {"question": "welcome-purpose", "chosen": ["a"], "n": 1}
        q.last_answer = {"question": "welcome-purpose", "chosen": ["b"], "n": 2}  # a retry
    assert [r["answer"] for r in store.responses(info.code, key, "quiz")] == ["a", "a", "a"]
    store.set_state(info.code, key, QUIZ_REVEALED, "welcome-purpose")
    for p in panels:
        p.check()
    assert all(q.reveal is True for q in quizzes)
    dash = Dashboard(store, refresh=3600)
    dash._open(info.code, key)
    assert "<td>3</td>" in dash.views["quiz"].value and "(right)" in dash.views["quiz"].value


def test_scenario_walk_stores_each_choice(store, session):
    info, key = session
    sc = load_all_scenarios()[0]
    panel = scenario_panel(ui.seat_for(store, info))
    find(panel, w.RadioButtons)[0].value = sc.id  # the situation
    find(panel, w.Button, description="Start")[0].click()
    steps = 0
    while True:
        radios = find(panel, w.RadioButtons)[1:]
        if not radios:
            break
        radios[0].value = radios[0].options[0][1]
        find(panel, w.Button, description="Choose")[0].click()
        steps += 1
        assert steps < 10
    assert "What to take away" in " ".join(h.value for h in find(panel, w.HTML))
    rows = store.responses(info.code, key, "scenario")
    assert len(rows) == steps and rows[0]["item"] == f"{sc.id}:{sc.start}"


def test_feedback_goes_in_as_one_person_with_times(store, session):
    info, key = session
    panel = feedback_panel(ui.seat_for(store, info), form="full")
    radios = find(panel, w.RadioButtons)
    for r in radios:
        r.value = r.options[-1][1]
    find(panel, w.Textarea)[0].value = "The breathing practice"
    find(panel, w.Button, description="Send my feedback")[0].click()
    assert "Received" in notice_text(panel)
    rows = store.responses(info.code, key, "feedback")
    assert len({r["respondent"] for r in rows}) == 1
    assert {r["time"] for r in rows} >= {"then", "now"}
    assert any(r["item"] == "useful" for r in rows)
