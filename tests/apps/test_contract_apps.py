"""The live-session contract, app by app: answers go in through each app's real widgets,
the facilitator's dashboard tab shows what the README promises just under, at and over
the threshold, the export holds every answer, and the evaluation kit reads it back exactly.
"""

from __future__ import annotations

import html
import re

import ipywidgets as w
import pytest

from peercare import contract
from peercare.apps import ui
from peercare.apps.checkin import SCALE, checkin_panel
from peercare.apps.dashboard import Dashboard
from peercare.apps.feedback import REACTION, feedback_panel
from peercare.apps.livequiz import livequiz_panel
from peercare.apps.scenarios import scenario_panel
from peercare.apps.state import FEEDBACK_FORM
from peercare.book.quiz import Quiz
from peercare.content.bank import load_all
from peercare.content.branching import load_all_scenarios
from peercare.content.instruments import from_banks, load_instrument
from peercare.evaluation.sessions import read_export, read_exports

from .test_flow import find, notice_text

THRESHOLD = 4  # sensitive answers; knowledge answers show from live.KNOWLEDGE_MIN (3)
TRICKY = ["=SUM(A1)", "'quoted", "-5 points", "@here", "\uff1d1+1", "line one\nline two",
          "<b>bold</b> & 'both'", "a,b;\"c\"", "🙂 fine", "''two"]  # fmt: skip


@pytest.fixture
def room(store):
    info, key = store.create_session("Contract", threshold=THRESHOLD)
    dash = Dashboard(store, refresh=3600)
    dash._open(info.code, key)
    yield info, key, dash
    dash.stop.set()


def cells(view: str) -> dict[str, str]:
    """Answer label -> what the table shows, from a dashboard tab's HTML."""
    pairs = re.findall(r"<th scope='row'>(.*?)</th><td>(.*?)</td>", view)
    return {html.unescape(k): v for k, v in pairs}


def check_export(store, info, key, tmp_path, app: str):
    """The export has every stored answer of ``app``, and the evaluation kit's reader
    gives back each cell exactly as stored."""
    path = tmp_path / contract.export_name(info.code)
    path.write_text(store.export_csv(info.code, key), encoding="utf-8", newline="")
    frame, _ = read_export(path)
    got = frame[frame["app"] == app][["respondent_id", "time", "item", "response"]]
    want = [[r["respondent"], r["time"] or "", r["item"], r["answer"]]
            for r in store.responses(info.code, key, app)]  # fmt: skip
    assert got.to_numpy().tolist() == want and want
    return path


def test_checkin(store, room, tmp_path):
    info, key, dash = room
    labels = dict((v, k) for k, v in SCALE)
    heavy, good, ready = labels["2"], labels["4"], labels["5"]
    choices = ["2", "2", "2", "2", "5", "4", "4", "4", "4", "2"]
    seen = {}
    for n, choice in enumerate(choices, 1):
        page = ui.joined_app("Check-in", store, checkin_panel)
        box = find(page, ui.JoinBox)[0]
        box.code.value = info.code
        box.go.click()
        find(page, w.RadioButtons)[0].value = choice
        find(page, w.Text, description="One word (optional)")[0].value = TRICKY[n - 1][:40]
        find(page, w.Button, description="Send my check-in")[0].click()
        assert "Received" in notice_text(page)
        dash.update()
        seen[n] = (cells(dash.views[contract.CHECKIN].value), dash.views[contract.CHECKIN].value)
    # threshold - 1: nothing but how many answered
    shown, view = seen[THRESHOLD - 1]
    assert set(shown.values()) == {"not shown"} and "3 check-ins so far" in view
    # the threshold: four "Heavy"; no zeros are shown (a 0 could go stale)
    shown, view = seen[THRESHOLD]
    assert shown[heavy] == "4" and shown[ready] == "not shown" and shown["Counted"] == "4"
    # threshold + 1 and + 3: the table still counts the first 4 and says so; "Ready to go"
    # (chosen by one person) never shows as 0
    for n in (THRESHOLD + 1, THRESHOLD + 3):
        shown, view = seen[n]
        assert shown[heavy] == "4" and shown[ready] == "not shown"
        assert f"{n} check-ins. The table counts the first 4" in html.unescape(view)
    # threshold + 4: 4 x Heavy, 1 x Ready, 3 x Good: small groups and a complement hidden
    shown, view = seen[2 * THRESHOLD]
    assert shown[heavy] == "4" and shown[ready] == shown[good] == "not shown"
    assert shown["Counted"] == "8"
    shown, _ = seen[len(choices)]  # 10: still the first 8
    assert shown[heavy] == "4" and shown["Counted"] == "8"
    for _ in range(3):
        box.go.click()  # forged clicks on the last page's (hidden) Join button
    dash.update()
    assert f"<strong>{len(choices)}</strong> phones have joined" in dash.joined.value
    path = check_export(store, info, key, tmp_path, contract.CHECKIN)
    frame, _ = read_export(path)
    arrival = frame[frame["item"] == contract.CHECKIN_ARRIVAL]["response"].tolist()
    assert arrival == choices
    assert {t[:40] for t in TRICKY} <= set(frame["response"])  # the words, exactly


def test_live_quiz(store, room, tmp_path):
    info, key, dash = room
    q = load_all()["helping-others"].question("helping-others-warning-signs")  # multiple
    dash.chapter.value = "helping-others"
    dash.question.value = q.id
    assert "Choose all that apply" in dash.question_text.value
    find(dash, w.Button, description="Ask the room")[0].click()
    assert "Asked" in dash.quiz_note.value
    chosen = [["a", "b", "c"], ["a"], ["c", "b"], ["d"], ["a", "c"]]
    seen = {}
    for n, picks in enumerate(chosen, 1):
        panel = livequiz_panel(ui.seat_for(store, info), poll_seconds=3600)
        panel.check()  # what the page's poller does every few seconds
        quiz = find(panel, Quiz)[0]
        quiz.last_answer = {"question": q.id, "chosen": picks, "n": 1}
        quiz.last_answer = {"question": q.id, "chosen": ["d"], "n": 2}  # a retry: not counted
        dash.update()
        seen[n] = cells(dash.views[contract.QUIZ].value), dash.views[contract.QUIZ].value
    text = {o.id: o.text for o in q.options}
    shown, view = seen[2]
    assert set(shown.values()) == {"not shown"} and "2 answers so far" in view
    shown, _ = seen[3]  # from 3 people: every option, zeros included
    assert [shown[text[o]] for o in "abcd"] == ["2", "2", "2", "0"]
    shown, view = seen[5]
    assert [shown[text[o]] for o in "abcd"] == ["3", "2", "3", "1"] and shown["Counted"] == "5"
    assert "more than one" in view and "(right)" not in view
    find(dash, w.Button, description="Reveal the answer")[0].click()
    assert "(right)" in dash.views[contract.QUIZ].value
    path = check_export(store, info, key, tmp_path, contract.QUIZ)
    banks = load_all()
    parts, _ = read_exports(path.parent, {"quiz": from_banks(banks)})
    answers = parts["quiz"].answers[q.id].tolist()
    assert answers == [contract.join_choices(p) for p in chosen]


def test_scenarios(store, room, tmp_path):
    info, key, dash = room
    sc = load_all_scenarios()[0]
    step = sc.step(sc.start)
    picks = [step.choices[i % 2].id for i in range(5)]
    seen = {}
    for n, pick in enumerate(picks, 1):
        panel = scenario_panel(ui.seat_for(store, info))
        find(panel, w.RadioButtons)[0].value = sc.id  # the situation
        find(panel, w.Button, description="Start")[0].click()
        find(panel, w.RadioButtons)[1].value = pick
        find(panel, w.Button, description="Choose")[0].click()
        assert "Received" in notice_text(panel)
        dash.update()
        seen[n] = cells(dash.views[contract.SCENARIO].value), dash.views[contract.SCENARIO].value
    first, second = (c.text for c in step.choices[:2])
    shown, view = seen[2]
    assert shown[first] == "not shown" and "2 choices so far" in view
    assert "No scenario choices yet" not in view
    assert cells(seen[3][1])[first] == "2" and cells(seen[3][1])[second] == "1"
    shown, _ = seen[5]
    assert shown[first] == "3" and shown[second] == "2" and shown["Counted"] == "5"
    if len(step.choices) > 2:
        assert shown[step.choices[2].text] == "0"  # knowledge: a true 0 is shown
    frame, _ = read_export(check_export(store, info, key, tmp_path, contract.SCENARIO))
    assert set(frame["item"]) == {contract.scenario_item(sc.id, step.id)}


def test_feedback(store, room, tmp_path):
    info, key, dash = room
    store.set_state(info.code, key, FEEDBACK_FORM, contract.FEEDBACK_FULL)  # the full form
    useful = ["5", "5", "5", "5", "2", "4"]
    seen = {}
    for n, rating in enumerate(useful, 1):
        panel = feedback_panel(ui.seat_for(store, info))
        radios = find(panel, w.RadioButtons)
        radios[0].value = rating  # "useful" comes first
        for r in radios[1:]:
            r.value = r.options[2][1]
        boxes = find(panel, w.Textarea)
        boxes[0].value = TRICKY[n]
        find(panel, w.Button, description="Send my feedback")[0].click()
        assert "Received" in notice_text(panel)
        dash.update()
        seen[n] = dash.views[contract.FEEDBACK].value
    item = REACTION.items[0]
    assert item.id == "useful"
    labels = REACTION.scale_labels

    def useful_table(view: str) -> dict[str, str]:
        start = view.index(html.escape(item.text))
        return cells(view[start : view.index("</table>", start)])

    assert set(useful_table(seen[3]).values()) == {"not shown"}
    assert "3 answers so far" in seen[3]
    assert useful_table(seen[4])[labels["5"]] == "4"  # the bug of issue #10: now counted
    assert useful_table(seen[4])[labels["1"]] == "not shown"  # no zeros
    assert useful_table(seen[6])[labels["5"]] == "4"  # still the first 4, and it says so
    assert "6 answers. The table counts the first 4" in html.unescape(seen[6])
    path = check_export(store, info, key, tmp_path, contract.FEEDBACK)
    instruments = {i: load_instrument(i) for i in contract.FEEDBACK_INSTRUMENTS}
    parts, _ = read_exports(path.parent, instruments)
    reaction = parts["reaction"].answers
    assert reaction["helped"].tolist() == TRICKY[1 : len(useful) + 1]  # exactly as written
    assert reaction["useful"].tolist() == [float(r) for r in useful]
    pairs, unpaired = parts["retrospective"].paired()
    assert len(pairs) == len(useful) and unpaired == 0
