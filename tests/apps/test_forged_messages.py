"""Forged widget messages against a real Voila with a real kernel: a disabled button is
disabled only in the browser, so the kernel decides what is stored. Each attack here is
the one the security review ran: the same click message sent again and again."""

from __future__ import annotations

import asyncio
import time

from peercare.apps.checkin import SCALE
from peercare.apps.questions import PLACEHOLDER
from peercare.apps.state import QUIZ_CURRENT
from peercare.codes import ALPHABET
from peercare.rehearse.drivers import until
from peercare.serving.serve import live_session_args
from peercare.serving.widget_client import Participant
from peercare.store import Store

from ..conftest import ROOT
from ..voila import voila_server

APPS = ROOT / "notebooks" / "apps"
FORGED = 200
QUESTION = "coping-breath-out"
QUESTION_BOX = PLACEHOLDER


async def _forge(p: Participant, mid: str, times: int) -> None:
    for _ in range(times):
        await p.send(
            "comm_msg",
            {"comm_id": mid, "data": {"method": "custom", "content": {"event": "click"}}},
            wait=True,
        )


def test_forged_clicks_store_each_answer_once(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    info, key = store.create_session("Forged", threshold=3)
    store.set_state(info.code, key, QUIZ_CURRENT, QUESTION)
    extra = live_session_args(APPS, pool=1, idle_timeout=0)

    async def attack(url):
        p = Participant(url, "participant.ipynb")
        await p.open()
        await p.join(info.code)
        labels = [label for label, _ in SCALE]
        checkin = p.find("RadioButtonsModel", _options_labels=labels)
        await p.set(checkin, index=2)
        await _forge(p, p.find("ButtonModel", description="Send my check-in"), FORGED)

        feedback = p.find("RadioButtonsModel", index=None)  # the last one: a feedback rating
        await p.set(feedback, index=0)
        await _forge(p, p.find("ButtonModel", description="Send my feedback"), FORGED)

        quiz = await until(lambda: p.find("AnyModel", quiz_id=f"live-{QUESTION}"))
        for n in range(FORGED):
            await p.set(quiz, last_answer={"question": QUESTION, "chosen": ["b"], "n": n})

        await p.click("Start")
        radios = p.find("RadioButtonsModel", index=None)
        choose = p.find("ButtonModel", description="Choose")
        await p.set(radios, index=0)
        await _forge(p, choose, FORGED)  # the first moves on; the rest hit the old step
        await _forge(p, p.find("ButtonModel", description="I need a pause"), FORGED)
        await _forge(p, p.find("ButtonModel", description="Slower, please"), FORGED)
        await _forge(p, p.find("ButtonModel", description="Faster, please"), FORGED)
        question = p.find("TextareaModel", placeholder=QUESTION_BOX)
        for n in range(20):  # a new text before each click: the kernel's clock still holds
            await p.set(question, value=f"Question {n}?")
            await p.click("Send my question")
        await p.close()

    with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(tmp_path)}, extra=extra) as url:
        asyncio.run(attack(url))
    rows = store.responses(info.code, key)
    by_app = {app: [r for r in rows if r["app"] == app] for app in ("checkin", "feedback",
              "quiz", "scenario", "pause", "pace", "question")}  # fmt: skip
    assert {app: len(found) for app, found in by_app.items()} == {
        "checkin": 1,
        "feedback": 1,
        "quiz": 1,
        "scenario": 1,
        "pause": 1,  # one request per page in 3 minutes, however many clicks arrive
        "pace": 1,  # one signal per page a minute
        "question": 1,  # one question per page in 20 seconds
    }, rows
    assert by_app["quiz"][0]["answer"] == "b"
    assert len({r["respondent"] for r in rows}) == 1
    store.close()


def test_join_code_guessing_is_slowed_down(tmp_path):
    """Forged Join clicks with wrong codes, as fast as the kernel answers: after three
    the page waits (1 s, 2 s, 4 s, …) and checks nothing in between; then the right code
    still works."""
    store = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    info, _ = store.create_session("Guess", threshold=3)
    extra = live_session_args(APPS, pool=1, idle_timeout=0)

    async def guess(url):
        p = Participant(url, "participant.ipynb")
        await p.open()
        code = p.find("TextModel", description="Session code")
        checked, waited = 0, 0
        start = time.monotonic()
        for n in range(40):
            await p.set(code, value=f"ZZZZ{ALPHABET[n % 20]}{ALPHABET[n // 20]}")
            await p.click("Join")
            said = p.notice()
            checked += "No open session" in said
            waited += "Please wait" in said
        elapsed = time.monotonic() - start
        assert waited >= 40 - checked
        # 3 free tries, then one per wait: 1 + 2 + 4 + ... seconds
        assert 3 <= checked <= 3 + int(elapsed + 1).bit_length(), (checked, elapsed)
        await p.set(code, value=info.code)
        for _ in range(90):  # the wait is at most a minute
            await p.click("Join")
            if "You joined" in p.notice():
                break
            assert "Please wait" in p.notice()
            await asyncio.sleep(1)
        assert "You joined" in p.notice()
        await p.close()

    with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(tmp_path)}, extra=extra) as url:
        asyncio.run(guess(url))
    store.close()
