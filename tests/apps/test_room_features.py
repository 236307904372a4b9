"""The room features of issue 15 through their widgets, on a real store: the short feedback
form (the default) and its moderated comments, pace signals, anonymous questions with a
moderation queue, and the check-in word cloud. What a participant sends, what the kernel
refuses, what the dashboard shows under and over the threshold, what reaches the room
screen (only what the facilitator approved or put there), and the export."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta

import ipywidgets as w
import pytest

from peercare import contract, live
from peercare.apps import livequiz, pause, ui
from peercare.apps.cloud import CloudPanel
from peercare.apps.dashboard import Dashboard
from peercare.apps.feedback import REACTION, feedback_panel
from peercare.apps.moderate import ModerationQueue
from peercare.apps.pace import pace_bar, pace_html
from peercare.apps.participant import session_panel
from peercare.apps.questions import MAX_QUESTIONS, QUESTION_LIMIT, question_panel
from peercare.apps.room import RoomScreen
from peercare.apps.state import FEEDBACK_FORM, ROOM_CLOUD
from peercare.evaluation.sessions import read_export
from peercare.moderation import flags, lists, word_flags

from .test_contract_apps import cells
from .test_flow import find, notice_text, walk

BASE = "http://apps.example.test:8866"
T = 3  # the session's threshold


@pytest.fixture(autouse=True)
def no_pollers(monkeypatch):
    for module in (livequiz, pause):
        monkeypatch.setattr(module, "poll_every", lambda *args: None)


@pytest.fixture
def room(store):
    info, key = store.create_session("Room <i>features</i>", threshold=T)
    dash = Dashboard(store, base_url=BASE, refresh=3600)
    dash._open(info.code, key)
    yield info, key, dash
    dash.stop.set()


def seat(store, info):
    return ui.seat_for(store, info)


def screen_for(store, code) -> RoomScreen:
    screen = RoomScreen(store, base_url=BASE, poll_seconds=3600)
    opener = find(screen, ui.JoinBox)[0]
    opener.code.value = code
    opener.go.click()
    return screen


def shown_text(widget) -> str:
    return " ".join(x.value for x in walk(widget) if isinstance(x, w.HTML))


# -- feedback in under a minute ---------------------------------------------------------
def test_the_short_form_is_the_default_and_the_full_form_an_option(store, room):
    info, key, dash = room
    panel = feedback_panel(seat(store, info))
    assert len(find(panel, w.RadioButtons)) == len(contract.SHORT_FEEDBACK_ITEMS) == 5
    assert len(find(panel, w.Textarea)) == 1
    other, other_key = store.create_session("Full one", threshold=T)
    store.set_state(other.code, other_key, FEEDBACK_FORM, contract.FEEDBACK_FULL)
    full = feedback_panel(seat(store, other))
    assert len(find(full, w.RadioButtons)) == 7 + 2 * 5 and len(find(full, w.Textarea)) == 2
    # the start form's option is stored with the session
    start = Dashboard(store, base_url=BASE, refresh=3600)
    start.feedback_form.value = contract.FEEDBACK_FULL
    find(start, w.Text, description="Session title")[0].value = "Evaluation day"
    find(start, w.Button, description="Create session")[0].click()
    find(start, w.Button, description="I have written it down")[0].click()
    assert store.get_state(start.code, FEEDBACK_FORM) == contract.FEEDBACK_FULL
    joined = store.open_session(start.code)
    assert len(find(feedback_panel(seat(store, joined)), w.Textarea)) == 2
    start.stop.set()


def _send_feedback(store, info, rating: str, text: str = "") -> w.VBox:
    panel = feedback_panel(seat(store, info))
    for r in find(panel, w.RadioButtons):
        r.value = rating
    find(panel, w.Textarea)[0].value = text
    find(panel, w.Button, description="Send my feedback")[0].click()
    return panel


def test_short_feedback_on_the_dashboard_with_moderated_comments(store, room, tmp_path):
    info, key, dash = room
    comments = [
        "The <b>breathing</b> part & the stories",
        "Call Marcus at 312-555-0199 about it",
        "More time for questions",
        "I liked the quiet room",
    ]
    panel = _send_feedback(store, info, "5", comments[0])
    assert "It is never put on the room screen" in notice_text(panel)
    _send_feedback(store, info, "5", comments[1])
    dash.update()
    view = dash.views[contract.FEEDBACK].value
    short = [i for i in REACTION.items if i.id in contract.SHORT_FEEDBACK_ITEMS]
    assert view.count("<table") == 5 and all(html.escape(i.text) in view for i in short)
    # two people wrote: under the threshold, not one word of it shows
    queue = dash.comments
    assert "2 comments so far" in queue.status.value
    assert not queue.waiting.children and "breathing" not in shown_text(queue)
    _send_feedback(store, info, "5", comments[2])
    _send_feedback(store, info, "4", comments[3])
    dash.update()
    assert cells(dash.views[contract.FEEDBACK].value)["5 · Strongly agree"] == "3"
    cards = find(queue.waiting, w.HTML)
    assert len(cards) == T  # the first 3 writers; the 4th waits for 6
    text = " ".join(c.value for c in cards)
    assert "The &lt;b&gt;breathing&lt;/b&gt; part &amp; the stories" in text  # escaped
    assert "I liked the quiet room" not in text
    assert "1 more person has written; their comments show once 6 people" in queue.status.value
    flagged = next(c.value for c in cards if "Marcus" in c.value)
    assert "phone number" in flagged and "may be a name (Marcus)" in flagged
    assert "Comments you approved" not in queue.shown.value  # nothing approved yet
    approve = find(queue.waiting, w.Button, description="Approve")
    approve[0].click()  # the first comment
    assert "breathing" in queue.shown.value and len(queue.waiting.children) == T - 1
    find(queue.waiting, w.Button, description="Hide")[0].click()  # Marcus's
    assert len(queue.waiting.children) == 1 and "Marcus" not in queue.shown.value
    assert "Marcus" not in store.get_state(info.code, "moderation")  # ids, never text
    assert queue.decide(999_999, "approved") == "That one is no longer in the queue."
    # a reopened dashboard keeps the decisions
    again = Dashboard(store, base_url=BASE, refresh=3600)
    again._open(info.code, key)
    assert "breathing" in again.comments.shown.value and len(again.comments.waiting.children) == 1
    again.stop.set()
    # the export holds the comments as written; the reaction items of the short form only
    path = tmp_path / contract.export_name(info.code)
    path.write_text(store.export_csv(info.code, key), encoding="utf-8", newline="")
    frame, _ = read_export(path)
    feedback = frame[frame["app"] == contract.FEEDBACK]
    assert sorted(
        feedback.loc[feedback["item"] == contract.SHORT_FEEDBACK_TEXT, "response"]
    ) == sorted(comments)
    assert set(feedback["item"]) == {*contract.SHORT_FEEDBACK_ITEMS, contract.SHORT_FEEDBACK_TEXT}


# -- pace -----------------------------------------------------------------------------------
def test_pace_signals_show_only_from_the_threshold(store, room, tmp_path):
    info, key, dash = room
    now = [100.0]
    first = pace_bar(seat(store, info), clock=lambda: now[0])
    assert "Sent." in first.signal(contract.PACE_SLOWER)
    for _ in range(3):  # taps again, or forged clicks: one per minute
        assert "another in a minute" in first.signal(contract.PACE_FASTER)
    assert store.count(info.code, key, contract.PACE) == 1
    now[0] += 61
    first.signal(contract.PACE_SLOWER)  # the same person again: their latest counts once
    dash.update()
    assert "Slower: " not in dash.pace.value and "1 pace signal so far" in dash.pace.value
    for _ in range(T - 1):
        page = session_panel(seat(store, info))  # the participant page's own buttons
        find(page, w.Button, description="Slower, please")[0].click()
        assert "once enough people say the same" in notice_text(page)
    dash.update()
    assert "<strong>Slower: 3</strong>" in dash.pace.value and "Faster" not in dash.pace.value
    rows = store.responses(info.code, key, contract.PACE)
    assert len(rows) == T + 1 and {r["answer"] for r in rows} == {contract.PACE_SLOWER}
    later = datetime.now(UTC) + timedelta(minutes=6)  # old signals leave the window
    assert "nothing to show" in pace_html(rows, T, later) and "No pace signals" in pace_html(
        rows, T, later
    )
    # the room screen shows no pace and no count of it
    assert "Slower" not in shown_text(screen_for(store, info.code))


# -- anonymous questions --------------------------------------------------------------------
def test_questions_wait_for_approval_and_names_and_numbers_are_flagged(store, room):
    info, key, dash = room
    now = [0.0]
    panel = question_panel(seat(store, info), clock=lambda: now[0])
    box = find(panel, w.Textarea)[0]
    send = find(panel, w.Button, description="Send my question")[0]
    send.click()
    assert "Write your question first" in notice_text(panel)
    box.value = "x" * (QUESTION_LIMIT + 1)
    send.click()
    assert f"under {QUESTION_LIMIT} characters" in notice_text(panel)
    box.value = "What do we do when <script>alert(1)</script> a co-worker shuts down?"
    send.click()
    assert "no name" in notice_text(panel) and box.value == ""
    box.value = "Can Tasha call me at 555 123 4567?"
    send.click()
    assert "wait a few seconds" in notice_text(panel)  # the kernel's clock, not the browser
    now[0] += 30
    send.click()
    assert store.count(info.code, key, contract.QUESTION) == 2
    for _ in range(MAX_QUESTIONS):
        now[0] += 30
        box.value = "again?"
        send.click()
    assert store.count(info.code, key, contract.QUESTION) == MAX_QUESTIONS
    assert "many questions" in notice_text(panel)

    screen = screen_for(store, info.code)
    dash.update()
    queue = dash.questions
    cards = [c.value for c in find(queue.waiting, w.HTML)]
    assert len(cards) == MAX_QUESTIONS  # no threshold: a question is for now
    assert dash.tabs.get_title(len(contract.TALLIED)) == f"Questions ({MAX_QUESTIONS} waiting)"
    assert "&lt;script&gt;" in cards[0] and "<script>" not in cards[0]
    assert "phone number" in cards[1] and "may be a name (Tasha)" in cards[1]
    assert "pc-mod-flag" not in cards[0]
    screen.update()
    assert "No questions on the screen yet" in screen.asked.value  # nothing before approval
    assert "shuts down" not in shown_text(screen)
    find(queue.waiting, w.Button, description="Approve")[0].click()
    screen.update()
    assert "a co-worker shuts down?" in screen.asked.value
    assert "&lt;script&gt;" in screen.asked.value and "<script>" not in screen.asked.value
    find(queue.waiting, w.Button, description="Hide")[0].click()  # Tasha's
    screen.update()
    assert "Tasha" not in shown_text(screen) and "Tasha" not in queue.shown.value
    assert "a co-worker shuts down?" in queue.shown.value  # "On the room screen now"
    find(queue, w.Button, description="Take it off")[0].click()  # approved by mistake
    screen.update()
    assert "shuts down" not in shown_text(screen) and "shuts down" not in queue.shown.value
    assert "No questions on the screen yet" in screen.asked.value
    screen.stop.set()


# -- the word cloud -------------------------------------------------------------------------
def _check_in(store, info, word: str) -> None:
    from peercare.apps.checkin import checkin_panel

    panel = checkin_panel(seat(store, info))
    find(panel, w.RadioButtons)[0].value = "3"
    find(panel, w.Text, description="One word (optional)")[0].value = word
    find(panel, w.Button, description="Send my check-in")[0].click()
    assert "Received" in notice_text(panel)


def test_the_word_cloud_protects_people(store, room):
    info, key, dash = room
    for word in ["Tired", "tired!", "Hopeful"]:
        _check_in(store, info, word)
    dash.update()
    cloud = dash.cloud
    assert cloud.shown == {} and "3 check-in words." in html.unescape(cloud.view.value)
    assert "other" in cloud.view.value  # hopeful: one person, counted as other
    words = ["TIRED", "<b>x</b>", "<b>x</b>", "<b>x</b>", "Jaylen", "jaylen", "Jaylen.", "calm"]
    for word in [*words, "calm", "calm"]:
        _check_in(store, info, word)
    dash.update()  # 13 words: the first 12 are counted (steps of 3)
    assert cloud.shown == {"<b>x</b>": 3, "tired": 3}
    assert "jaylen" not in cloud.view.value.lower()  # a name: never shown, even by 3 people
    assert "&lt;b&gt;x&lt;/b&gt;" in cloud.view.value and "<b>x</b>" not in cloud.view.value
    assert "other: 6" in cloud.view.value and "counts the first 12" in cloud.view.value
    # not on the room screen until the facilitator puts it there
    screen = screen_for(store, info.code)
    assert "Check-in words" not in shown_text(screen) and "tired" not in shown_text(screen)
    find(cloud, w.Button, description="Show on the room screen")[0].click()
    screen.update()
    assert "tired" in screen.words.value and "Take off the room screen" in [
        b.description for b in find(cloud, w.Button)
    ]
    published = json.loads(store.get_state(info.code, ROOM_CLOUD))
    assert {w_ for w_, _ in published} == {"<b>x</b>", "tired"}  # sizes, no counts, no others
    cloud.pick.value = "tired"
    find(cloud, w.Button, description="Hide this word")[0].click()
    screen.update()
    assert "tired" not in screen.words.value and "tired" not in cloud.view.value
    assert "tired" not in (store.get_state(info.code, "cloud.hidden") or "")  # a hash only
    find(cloud, w.Button, description="Show hidden words again")[0].click()
    assert "tired" in cloud.view.value
    find(cloud, w.Button, description="Take off the room screen")[0].click()
    screen.update()
    assert screen.words.value == ""
    screen.stop.set()


def test_moderation_flags_words_about_suicide_for_the_facilitator():
    from peercare.moderation import CRISIS_FLAG

    assert CRISIS_FLAG in flags("Some days I want to end it all.")
    assert CRISIS_FLAG in word_flags("suicidal")
    assert CRISIS_FLAG not in flags("We should end the meeting on time.")  # whole phrases
    assert not word_flags("grace") and not word_flags("Jesus")  # faith words are not names


def test_moderation_finds_names_numbers_addresses_and_slurs():
    assert flags("What if a co-worker shuts down after a call?") == []
    assert flags("Is EAP free on Tuesday?") == []
    assert "a phone number or other long number" in flags("text me 312.555.0199")
    assert "an e-mail address" in flags("write to ray.k@example.org")
    assert "a social media handle" in flags("dm @ray_k")
    assert "an address or a place" in flags("it was at 1200 W Madison St")
    assert any("Marisol" in f for f in flags("Ask Marisol what happened"))
    assert any("(dre)" in f for f in flags("dre said it first"))  # on the names list
    slur = sorted(lists()["blocked"])[0]  # the list is data/moderation.yml
    assert "a strong word that may hurt someone" in flags(
        f"he called him a {slur.upper()}."
    ) and word_flags(slur)
    assert word_flags("Tired") == [] and word_flags("hope") == []
    assert word_flags("jaylen") and word_flags("5551234") and word_flags("me@x.org")
    live_cloud = live.word_cloud(["a"] * 2, 3)
    assert live_cloud.shown == {} and "2 check-in words so far" in live_cloud.note


def test_a_participant_page_has_pace_buttons_and_an_ask_tab(store, room):
    info, _, _ = room
    page = session_panel(seat(store, info))
    tabs = find(page, w.Tab)[0]
    titles = [tabs.get_title(i) for i in range(len(tabs.children))]
    assert "Ask" in titles and titles[1] == "Live quiz"
    assert find(page, w.Button, description="Slower, please")
    assert find(page, w.Button, description="Faster, please")
    assert find(page, ModerationQueue) == [] and find(page, CloudPanel) == []


def test_what_participants_read_is_plain_language(store, room):
    """The new participant-facing words (pace, the Ask tab, the short feedback form and
    their messages) at reading grade 8 or below, as check-content measures the book, and
    with none of the phrases the book never uses."""
    import textstat

    from peercare.content.check import GRADE_LIMIT
    from peercare.content.prose import unsafe_phrases

    info, _, _ = room
    now = [0.0]
    parts = [
        pace_bar(seat(store, info), clock=lambda: now[0]),
        question_panel(seat(store, info)),
        feedback_panel(seat(store, info)),
    ]
    bar = parts[0]
    said = [bar.signal(contract.PACE_SLOWER), bar.signal(contract.PACE_FASTER)]
    box = find(parts[1], w.Textarea)[0]
    box.value = "Why?"
    said.append(parts[1].ask())
    texts = [x.value for p in parts for x in walk(p) if isinstance(x, w.HTML)]
    texts += [x.description for p in parts for x in walk(p) if isinstance(x, w.Button)]
    texts += [x.placeholder for p in parts for x in walk(p) if isinstance(x, w.Textarea)]
    words = html.unescape(re.sub(r"<[^>]+>", " ", " ".join(texts + said)))
    words = re.sub(r"\s+", " ", words)
    assert float(textstat.flesch_kincaid_grade(words)) <= GRADE_LIMIT, words
    assert unsafe_phrases(words) == []
