""" "I need a pause", the grounding break and the room screen through their widgets, on a
real store: a page stores a pause at most once per window (forged clicks store nothing
more); the dashboard's cue says that someone asked, with no number; a break reaches a
participant page and leaves it as it was; the room screen opens with the code alone and
shows the quiz spread under the dashboard's rule and nothing from the check-in; pauses are
in the export, and the evaluation kit counts them per session."""

from __future__ import annotations

import html
import re

import ipywidgets as w
import pytest

from peercare import contract
from peercare.apps import livequiz, pause, ui
from peercare.apps.checkin import checkin_panel
from peercare.apps.dashboard import Dashboard
from peercare.apps.participant import session_panel
from peercare.apps.room import RoomScreen
from peercare.book.quiz import Quiz
from peercare.content.bank import load_all
from peercare.evaluation.sessions import read_exports
from peercare.store import InputRefused

from .test_contract_apps import cells
from .test_flow import find, notice_text, walk

BASE = "http://apps.example.test:8866"


@pytest.fixture(autouse=True)
def no_pollers(monkeypatch):
    """Pages poll the store from threads every few seconds; the tests call the checks."""
    for module in (livequiz, pause):
        monkeypatch.setattr(module, "poll_every", lambda *args: None)


@pytest.fixture
def room(store):
    info, key = store.create_session("Pause <b>and</b> room", threshold=5)
    dash = Dashboard(store, base_url=BASE, refresh=3600)
    dash._open(info.code, key)
    yield info, key, dash
    dash.stop.set()


def participant(store, code: str) -> w.VBox:
    page = ui.joined_app("Today's session", store, session_panel)
    box = find(page, ui.JoinBox)[0]
    box.code.value = code
    box.go.click()
    return page


def pause_button(page) -> w.Button:
    return find(page, w.Button, description="I need a pause")[0]


def cue_text(dash: Dashboard) -> str:
    """The words of the dashboard's pause cue (its style sheet left out)."""
    found = re.findall(r"<p class='pc-pause-cue'[^>]*>(.*?)</p>", dash.pause.cue.value)
    return html.unescape(" ".join(found))


def test_a_page_stores_one_pause_per_window(store, room, tmp_path):
    info, key, dash = room
    page = participant(store, info.code)
    button = pause_button(page)
    for _ in range(4):  # a person tapping again, or forged click messages
        button.click()
    assert store.count(info.code, key, contract.PAUSE) == 1
    assert "ask again in a few minutes" in notice_text(page)
    # the window, with a clock the test moves: one more only once it has passed
    now = [1000.0]
    seat = ui.seat_for(store, info)
    bar = pause.pause_bar(seat, every=180, clock=lambda: now[0])
    bar.ask()
    now[0] += 179
    bar.ask()
    assert store.count(info.code, key, contract.PAUSE) == 2
    now[0] += 2
    bar.ask()
    rows = store.responses(info.code, key, contract.PAUSE)
    assert len(rows) == 3 and {r["item"] for r in rows} == {contract.PAUSE_ASKED}
    assert [r["respondent"] for r in rows].count(seat.respondent) == 2  # only the token
    # in the export, and counted per session by the evaluation kit (a count, no person)
    path = tmp_path / contract.export_name(info.code)
    path.write_text(store.export_csv(info.code, key), encoding="utf-8", newline="")
    assert path.read_text().count(f",{contract.PAUSE},{contract.PAUSE_ASKED},") == 3
    _, notes = read_exports(tmp_path, {})
    assert f"session {info.code}: 3 pause requests" in "\n".join(notes)
    other, other_key = store.create_session("Quiet one", threshold=5)
    quiet = tmp_path / contract.export_name(other.code)
    quiet.write_text(store.export_csv(other.code, other_key), encoding="utf-8", newline="")
    _, notes = read_exports(tmp_path, {})
    assert f"session {other.code}: 0 pause requests" in "\n".join(notes)


def test_the_dashboard_cue_says_someone_asked_never_how_many(store, room):
    info, key, dash = room
    dash.update()
    assert cue_text(dash) == ""
    pause_button(participant(store, info.code)).click()
    dash.update()
    one = cue_text(dash)
    assert "Someone asked for a pause" in one and not re.search(r"\d", one)
    for _ in range(3):
        pause_button(participant(store, info.code)).click()
    dash.update()
    assert cue_text(dash) == one  # four requests read exactly like one
    assert "<audio" not in dash.pause.cue.value  # sound-free
    find(dash, w.Button, description="Noted")[0].click()
    assert cue_text(dash) == ""
    pause_button(participant(store, info.code)).click()
    dash.update()
    assert cue_text(dash) == one
    find(dash, w.Button, description="Start a 2-minute break")[0].click()
    assert "breathing break is running" in cue_text(dash)
    find(dash, w.Button, description="End the break")[0].click()
    assert cue_text(dash) == ""  # the break answered the requests before it


def test_a_break_reaches_a_participant_page_and_leaves_it_as_it_was(store, room):
    info, key, dash = room
    page = participant(store, info.code)
    box = next(x for x in walk(page) if hasattr(x, "check_break"))
    tabs = find(page, w.Tab)[0]
    tabs.selected_index = 2
    box.check_break()
    assert box.guide.layout.display == "none" and box.guide.value == ""
    find(dash, w.Button, description="Start a 2-minute break")[0].click()
    box.check_break()  # what the page's poller does every 2 seconds
    guide = box.guide.value
    assert box.guide.layout.display is None
    assert all(x.layout.display == "none" for x in box.children if x is not box.guide)
    assert "count to 4" in guide and "count to 6" in guide and "3 times" in guide
    assert "prefers-reduced-motion" in guide
    find(dash, w.Button, description="End the break")[0].click()
    box.check_break()
    assert box.guide.layout.display == "none"
    assert all(x.layout.display is None for x in box.children if x is not box.guide)
    assert tabs.selected_index == 2 and pause_button(page)  # as it was


def test_the_room_screen_shows_the_code_and_the_spread_and_nothing_private(store, room):
    info, key, dash = room
    secret_word = "Zanzibarine"
    for _ in range(6):  # six check-ins: over the threshold, yet nothing for the room
        page = ui.joined_app("Check-in", store, checkin_panel)
        box = find(page, ui.JoinBox)[0]
        box.code.value = info.code
        box.go.click()
        find(page, w.RadioButtons)[0].value = "1"
        find(page, w.Text, description="One word (optional)")[0].value = secret_word
        find(page, w.Button, description="Send my check-in")[0].click()
    pause_button(participant(store, info.code)).click()
    dash.update()
    joined = dash.joined.value

    screen = RoomScreen(store, base_url=BASE, poll_seconds=3600)
    opener = find(screen, ui.JoinBox)[0]
    opener.code.value = "WRONG1"
    opener.go.click()
    assert "No open session" in notice_text(screen) and screen.code is None
    opener.code.value = info.code.lower()  # the code alone opens it; no key asked
    opener.go.click()
    shown = " ".join(x.value for x in walk(screen) if isinstance(x, w.HTML))
    assert f"class='pc-room-code'>{info.code}<" in shown and "<svg" in shown
    assert html.escape(f"{BASE}/voila/render/participant.ipynb?code={info.code}") in shown
    assert "Pause &lt;b&gt;and&lt;/b&gt; room" in shown  # the title, escaped
    assert "No question is being asked" in screen.quiz.value
    dash.update()
    assert dash.joined.value == joined  # looking is not joining

    q = load_all()["helping-others"].question("helping-others-warning-signs")
    dash.chapter.value = "helping-others"
    dash.question.value = q.id
    find(dash, w.Button, description="Ask the room")[0].click()
    text = {o.id: o.text for o in q.options}
    for n, picks in enumerate([["a"], ["a", "b"], ["d"]], 1):
        panel = livequiz.livequiz_panel(ui.seat_for(store, info), poll_seconds=3600)
        panel.check()
        find(panel, Quiz)[0].last_answer = {"question": q.id, "chosen": picks, "n": 1}
        screen.update()
        dash.update()
        if n == 2:  # under 3: how many answered, no spread
            assert set(cells(screen.quiz.value).values()) == {"not shown"}
            assert "2 answers so far" in screen.quiz.value
    room_cells = cells(screen.quiz.value)
    assert [room_cells[text[o]] for o in "abcd"] == ["2", "1", "0", "1"]
    assert room_cells == cells(dash.views[contract.QUIZ].value)  # the dashboard's rule
    assert "(right)" not in screen.quiz.value
    find(dash, w.Button, description="Reveal the answer")[0].click()
    screen.update()
    assert "(right)" in screen.quiz.value

    find(dash, w.Button, description="Start a 2-minute break")[0].click()
    screen.update()
    assert "count to 4" in screen.guide.value

    state = repr([x.get_state() for x in walk(screen)])
    assert secret_word not in state and "Running on empty" not in state
    assert key not in state and "asked for a pause" not in state
    with pytest.raises(InputRefused):  # the keyless reader gives knowledge answers only
        store.knowledge_answers(info.code, contract.CHECKIN, contract.CHECKIN_WORD)
    screen.stop.set()


def test_the_room_screen_stops_when_the_session_closes(store, room):
    info, key, dash = room
    screen = RoomScreen(store, base_url=BASE, poll_seconds=3600)
    opener = find(screen, ui.JoinBox)[0]
    opener.code.value = info.code
    opener.go.click()
    assert not screen.stop.is_set()
    store.close_session(info.code, key)
    screen.update()
    assert screen.stop.is_set() and "session has ended" in screen.guide.value
