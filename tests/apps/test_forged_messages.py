"""Forged widget messages against a real Voila with a real kernel: a disabled button is
disabled only in the browser, so the kernel decides what is stored. Each attack here is
the one the security review ran: the same click message sent again and again."""

from __future__ import annotations

import asyncio
import time

from benchmarks.widget_client import Participant
from peercare.apps.checkin import SCALE
from peercare.apps.state import QUIZ_CURRENT
from peercare.serve import live_session_args
from peercare.store import Store

from ..conftest import ROOT
from ..voila import voila_server

APPS = ROOT / "notebooks" / "apps"
FORGED = 200
QUESTION = "coping-breath-out"


async def _until(find, timeout: float = 60):
    """What ``find()`` returns once it stops raising LookupError (the page polls)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return find()
        except LookupError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


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

        quiz = await _until(lambda: p.find("AnyModel", quiz_id=f"live-{QUESTION}"))
        for n in range(FORGED):
            await p.set(quiz, last_answer={"question": QUESTION, "chosen": ["b"], "n": n})

        await p.click("Start")
        radios = p.find("RadioButtonsModel", index=None)
        choose = p.find("ButtonModel", description="Choose")
        await p.set(radios, index=0)
        await _forge(p, choose, FORGED)  # the first moves on; the rest hit the old step
        await p.close()

    with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(tmp_path)}, extra=extra) as url:
        asyncio.run(attack(url))
    rows = store.responses(info.code, key)
    by_app = {app: [r for r in rows if r["app"] == app] for app in ("checkin", "feedback",
                                                                    "quiz", "scenario")}  # fmt: skip
    assert {app: len(found) for app, found in by_app.items()} == {
        "checkin": 1,
        "feedback": 1,
        "quiz": 1,
        "scenario": 1,
    }, rows
    assert by_app["quiz"][0]["answer"] == "b"
    assert len({r["respondent"] for r in rows}) == 1
    store.close()
