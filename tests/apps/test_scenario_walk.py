"""A scenario walked on the real page (real Voila, a real kernel, the widgets' own
messages): a choice that leads back to the same step ("Choose again") shows the step
anew, and the choice made there is stored and moves on too. The kernel once refused it
as "Already sent" (one answer per step and walk), so the page stayed on the step and the
answer was lost (the rehearsal's lost ``coworker-in-crisis:connect`` answers)."""

from __future__ import annotations

import asyncio

from peercare.content.branching import shipped_scenarios
from peercare.serving.serve import live_session_args
from peercare.serving.widget_client import Participant
from peercare.store import Store

from ..conftest import ROOT
from ..voila import voila_server

APPS = ROOT / "notebooks" / "apps"


def looping_walk():
    """A shipped scenario and a walk through it that takes a choice leading back to the
    step it was made on, then leaves that step along a path to an ending."""
    for sc in shipped_scenarios():
        for path in sc.paths():
            for n, (step_id, leave) in enumerate(path):
                for c in sc.step(step_id).choices:
                    if c.next == step_id:
                        return sc, [*path[:n], (step_id, c.id), (step_id, leave), *path[n + 1 :]]
    raise AssertionError("no shipped scenario has a choice that leads back to its step")


def test_a_step_shown_again_stores_its_new_choice(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    info, key = store.create_session("Loops", threshold=3)
    sc, walk = looping_walk()
    extra = live_session_args(APPS, pool=1, idle_timeout=0, preheat="scenarios.ipynb")

    async def play(url):
        p = Participant(url, "scenarios.ipynb")
        await p.open()
        await p.join(info.code)
        titles = [s.title for s in shipped_scenarios()]
        await p.set(p.find("RadioButtonsModel", _options_labels=titles),
                    index=titles.index(sc.title))  # fmt: skip
        await p.click("Start")
        said, buttons = [], []
        for step_id, choice in walk:
            step = sc.step(step_id)
            labels = [c.text for c in step.choices]
            radios = p.find("RadioButtonsModel", _options_labels=labels, index=None)
            await p.set(radios, index=step.choice_ids.index(choice))
            buttons.append(p.find("ButtonModel", description="Choose"))
            await p.click("Choose")
            said.append(p.notice())
        ended = any("What to take away" in str(s.get("value", "")) for s in p.models.values())
        stored = len(store.responses(info.code, key, "scenario"))
        # a forged click on the looping step's first button: that showing was answered
        loop_at = next(n for n, (s, c) in enumerate(walk) if sc.choose(s, c).next == s)
        await p.send("comm_msg", {"comm_id": buttons[loop_at], "data": {
            "method": "custom", "content": {"event": "click"}}}, wait=True)  # fmt: skip
        await p.close()
        return said, ended, stored

    with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(tmp_path)}, extra=extra) as url:
        said, ended, stored = asyncio.run(play(url))
    rows = store.responses(info.code, key, "scenario")
    store.close()
    assert all("Received." in s for s in said), said
    assert ended  # the page reached the scenario's ending
    expected = [(f"{sc.id}:{step_id}", choice) for step_id, choice in walk]
    assert [(r["item"], r["answer"]) for r in rows] == expected
    assert stored == len(rows)  # the forged click stored nothing
