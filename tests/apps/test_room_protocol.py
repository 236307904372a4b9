"""The room features through the protocol client (peercare.serving.widget_client) against a
real Voila: three participant pages each tap "Slower, please", send a question and the
short feedback form with the messages a browser sends; everything is stored once, the
short form is what the pages show, and the dashboard's rules apply to what came in."""

from __future__ import annotations

import asyncio

from peercare import contract
from peercare.apps.pace import pace_html
from peercare.apps.questions import PLACEHOLDER
from peercare.serving.serve import live_session_args
from peercare.serving.widget_client import Participant
from peercare.store import Store

from ..conftest import ROOT
from ..voila import voila_server

APPS = ROOT / "notebooks" / "apps"
QUESTION_BOX = PLACEHOLDER
AGREE = "5 · Strongly agree"


async def _person(p: Participant, code: str, n: int) -> int:
    await p.open()
    await p.join(code)
    await p.click("Slower, please")
    await p.set(p.find("TextareaModel", placeholder=QUESTION_BOX), value=f"Question {n}?")
    await p.click("Send my question")
    ratings = [mid for mid, st in p.models.items()
               if st.get("_model_name") == "RadioButtonsModel"
               and AGREE in st.get("_options_labels", ())]  # fmt: skip
    for mid in ratings:
        await p.set(mid, index=4)
    await p.click("Send my feedback")
    await p.close()
    return len(ratings)


def test_pace_questions_and_short_feedback_through_the_protocol(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    info, key = store.create_session("Protocol", threshold=3)
    extra = live_session_args(APPS, pool=3, idle_timeout=0)

    async def room(url):
        people = [Participant(url, "participant.ipynb") for _ in range(3)]
        return await asyncio.gather(*(_person(p, info.code, n) for n, p in enumerate(people)))

    with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(tmp_path)}, extra=extra) as url:
        ratings = asyncio.run(room(url))
    assert ratings == [len(contract.SHORT_FEEDBACK_ITEMS)] * 3  # the short form, by default
    rows = store.responses(info.code, key)
    by_app = {app: [r for r in rows if r["app"] == app] for app in contract.APPS}
    assert [r["answer"] for r in by_app[contract.PACE]] == [contract.PACE_SLOWER] * 3
    assert sorted(r["answer"] for r in by_app[contract.QUESTION]) == [
        f"Question {n}?" for n in range(3)
    ]
    feedback = by_app[contract.FEEDBACK]
    assert len(feedback) == 3 * 5 and {r["item"] for r in feedback} == set(
        contract.SHORT_FEEDBACK_ITEMS
    )
    assert len({r["respondent"] for r in rows}) == 3  # one token per page, no name
    assert "<strong>Slower: 3</strong>" in pace_html(by_app[contract.PACE], info.threshold)
    store.close()
