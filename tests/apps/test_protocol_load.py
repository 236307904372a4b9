"""Several participants at once through the protocol-level client (the benchmark's), against
a real Voila with preheated kernels: every acknowledged choice is stored, none twice."""

from __future__ import annotations

import asyncio

from peercare.serving.serve import live_session_args
from peercare.serving.widget_client import Participant, scenario_answers
from peercare.store import Store

from ..conftest import ROOT
from ..voila import voila_server

APPS = ROOT / "notebooks" / "apps"


def test_concurrent_participants_lose_nothing(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    info, key = store.create_session("Load", threshold=3)
    extra = live_session_args(APPS, pool=3, idle_timeout=0, preheat="scenarios.ipynb")

    async def room(url):
        people = [Participant(url, "scenarios.ipynb") for _ in range(4)]
        await asyncio.gather(*(p.open() for p in people))
        await asyncio.gather(*(p.join(info.code) for p in people))
        acks = await asyncio.gather(*(scenario_answers(p, 12) for p in people))
        await asyncio.gather(*(p.close() for p in people))
        return sum(len(a) for a in acks)

    with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(tmp_path)}, extra=extra) as url:
        sent = asyncio.run(room(url))
    rows = store.responses(info.code, key, "scenario")
    assert sent == 48 and len(rows) == sent
    assert len({r["respondent"] for r in rows}) == 4  # one token per page, no names
    store.close()
