"""The facilitator dashboard through its widgets: the key shown once in a step of its own,
one answer for a wrong code or key with a back-off, messages beside their buttons, the
question picker in book order, the room-size preview, the export as a download."""

from __future__ import annotations

import base64
import html
import re

import ipywidgets as w
from sqlalchemy import func, select

from peercare import contract, live
from peercare.apps.dashboard import WRONG, Dashboard
from peercare.apps.state import QUIZ_CURRENT
from peercare.bank import load_all
from peercare.paths import project_root, toc_pages
from peercare.store.models import sessions

from .test_flow import find, notice_text, walk


def text_of(widget) -> str:
    return " ".join(x.value for x in walk(widget) if isinstance(x, w.HTML))


def create(dash: Dashboard, title: str = "Tuesday", threshold: int = 3) -> None:
    find(dash, w.Text, description="Session title")[0].value = title
    dash.threshold.value = threshold
    find(dash, w.Button, description="Create session")[0].click()


def test_the_key_is_shown_once_before_the_code(store):
    dash = Dashboard(store, refresh=3600)
    create(dash)
    shown = text_of(dash.session_box)
    key = re.search(r"class='pc-key'>([A-Z0-9-]+)<", shown).group(1)
    assert dash.code is None and "Session code" not in shown and "<svg" not in shown
    find(dash, w.Button, description="Create session")[0].click()  # a forged second click
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(sessions)).scalar() == 1
    assert dash.code is None
    find(dash, w.Button, description="I have written it down")[0].click()
    shown = text_of(dash)
    assert "Session code" in shown and "<svg" in shown and key not in shown
    assert key not in repr([x.get_state() for x in walk(dash)])  # not in any widget's state
    assert store.session_for_facilitator(dash.code, key).title == "Tuesday"
    # a fresh page (a refresh) starts at the form: the key is never shown again
    again = Dashboard(store, refresh=3600)
    assert key not in text_of(again) and again.code is None
    dash.stop.set()


def test_a_wrong_code_and_a_wrong_key_get_one_answer_and_a_back_off(store):
    info, key = store.create_session("Real", threshold=3)
    dash = Dashboard(store, refresh=3600)
    code_box = find(dash, w.Text, description="Code")[0]
    key_box = find(dash, w.Password)[0]
    reopen = find(dash, w.Button, description="Open session")[0]
    code_box.value, key_box.value = "ZZZZZZ", "AAAA-BBBB-CCCC"  # no such session
    reopen.click()
    no_session = dash.reopen_note.value
    assert WRONG in no_session
    dash._retry_at = 0  # (skip the wait: the next answer is compared with the first)
    code_box.value = info.code  # a real code, wrong key
    reopen.click()
    assert dash.reopen_note.value == no_session  # the same words: no hint the code is real
    # forged clicks in a row: the page waits longer after each failure, so even the right
    # key is not even checked until the wait is over
    key_box.value = key
    for _ in range(5):
        reopen.click()
    assert "Please wait" in dash.reopen_note.value and dash.code is None
    assert dash._fails == 2
    dash._retry_at = 0
    reopen.click()
    assert dash.code == info.code and key_box.value == ""  # the key is not kept in the form
    dash.stop.set()


def test_messages_sit_beside_their_buttons(store):
    dash = Dashboard(store, refresh=3600)
    create(dash)
    find(dash, w.Button, description="I have written it down")[0].click()
    rows = [x for x in walk(dash) if isinstance(x, w.HBox)]

    def row_of(label):
        return next(r for r in rows if any(getattr(c, "description", "") == label
                                           for c in r.children))  # fmt: skip

    find(dash, w.Button, description="Export responses (CSV)")[0].click()
    export_row = row_of("Export responses (CSV)")
    assert "CSV ready" in notice_text(export_row)
    assert "Download session-" in text_of(export_row)
    find(dash, w.Button, description="Close session")[0].click()
    assert "Session closed" in notice_text(row_of("Close session"))
    assert "Session closed" not in notice_text(export_row)
    dash.stop.set()


def test_the_export_is_a_download_of_the_csv(store):
    info, key = store.create_session("Export", threshold=3)
    store.add_response(info.code, contract.CHECKIN, contract.CHECKIN_WORD, "=cmd")
    dash = Dashboard(store, refresh=3600)
    dash._open(info.code, key)
    find(dash, w.Button, description="Export responses (CSV)")[0].click()
    link = dash.download.value
    assert f"download='{contract.export_name(info.code)}'" in link
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)'", link).group(1)).decode()
    assert data == store.export_csv(info.code, key) and "'=cmd" in data
    assert "CSV ready (1 answers)" in dash.export_note.value
    dash.stop.set()


def test_the_question_picker_follows_the_book(store):
    dash = Dashboard(store, refresh=3600)
    create(dash)
    find(dash, w.Button, description="I have written it down")[0].click()
    modules = [p.split("/")[1] for p in toc_pages(project_root()) if p.endswith("/index")]
    banks = load_all()
    assert [m for _, m in dash.chapter.options] == [m for m in modules if m in banks]
    assert dash.chapter.options[0][0].startswith("1. Welcome")
    for module, bank in banks.items():
        dash.chapter.value = module
        assert [q for _, q in dash.question.options] == [q.id for q in bank.questions]
        assert [t for t, _ in dash.question.options] == [q.prompt for q in bank.questions]
    scenario = next(q for b in banks.values() for q in b.questions if q.scenario)
    dash.chapter.value = scenario.module
    dash.question.value = scenario.id
    shown = dash.question_text.value
    assert html.escape(scenario.scenario) in shown and html.escape(scenario.prompt) in shown
    dash.stop.set()


def test_the_start_form_says_what_a_room_will_see():
    dash = Dashboard(refresh=3600)
    assert (dash.threshold.min, dash.threshold.max) == (
        contract.THRESHOLD_MIN,
        contract.THRESHOLD_MAX,
    )
    dash.room.value, dash.threshold.value = 4, 5
    form = text_of(dash.start_form)
    assert "With 4 people" in form and "no counts show" in form
    dash.room.value = 12
    form = text_of(dash.start_form)
    assert "at least 5 of the 12" in form and f"{live.KNOWLEDGE_MIN} people" in form


def test_a_question_is_always_picked(store):
    dash = Dashboard(store, refresh=3600)
    create(dash)
    find(dash, w.Button, description="I have written it down")[0].click()
    first = dash.banks[0].questions[0]
    assert dash.question.value == first.id  # as the page opens: "Ask the room" just works
    find(dash, w.Button, description="Ask the room")[0].click()
    assert "Asked" in dash.quiz_note.value
    assert store.get_state(dash.code, QUIZ_CURRENT) == first.id
    dash.chapter.value = dash.banks[1].module
    assert dash.question.value == dash.banks[1].questions[0].id
    dash.stop.set()
