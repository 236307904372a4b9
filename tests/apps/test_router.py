"""A live session on two Voila servers behind the router (peercare.serving.router), sharing one
real PostgreSQL store: new participants are spread over the servers and stay on theirs
(page, kernel websocket, static files), the dashboard on either server counts everyone,
and when one server is killed (SIGKILL) its participants reload, land on the other and
no acknowledged answer is lost."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager

import pytest
import requests

from peercare.serving.router import COOKIE, STATUS_PATH, Pool
from peercare.serving.serve import guard_args, live_session_args, router_command, stop_process
from peercare.serving.widget_client import Participant, scenario_answers
from peercare.store import Store

from ..browser import chromium, guarded_context
from ..conftest import ROOT
from ..voila import _children, free_port, kernel_pids, voila_server
from .test_kernels import wait_for

APPS = ROOT / "notebooks" / "apps"
SCENARIOS = "scenarios.ipynb"


# --- choosing a server (no servers needed) -----------------------------------------------


def test_new_browsers_go_to_the_least_loaded_live_server_and_stay():
    pool = Pool(["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"])
    one, two, three = pool.backends
    one.sockets, two.sockets, three.sockets = 4, 1, 1
    two.given = 3
    assert pool.pick() is three  # least loaded; of equals, the one given fewer browsers
    three.making = 1
    assert pool.pick() is two
    assert pool.sticky("1") is one and pool.sticky("9") is None and pool.sticky(None) is None
    two.alive = False
    assert pool.sticky("2") is None and pool.pick() is three
    assert pool.pick(avoid=three) is one
    one.alive = three.alive = False
    assert pool.pick() is None
    with pytest.raises(ValueError):
        Pool([])


# --- for real: two Voila servers, one PostgreSQL ----------------------------------------


@contextmanager
def router(backends: list[str]):
    port = free_port()
    proc = subprocess.Popen(router_command(port, backends), stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url + STATUS_PATH, timeout=2).raise_for_status()
                break
            except requests.RequestException:
                assert proc.poll() is None and time.monotonic() < deadline, "router did not start"
                time.sleep(0.2)
        yield url
    finally:
        stop_process(proc)


def status(url: str) -> list[dict]:
    return requests.get(url + STATUS_PATH, timeout=10).json()["servers"]


@pytest.fixture
def two_servers(postgres):
    db = postgres.new_database()
    store = Store(db)  # creates the tables before the servers' kernels use them
    extra = live_session_args(APPS, pool=2, idle_timeout=0, preheat=SCENARIOS)
    extra += guard_args(max_kernels=0)
    env = {"PEERCARE_DB_URL": db}
    with ExitStack() as stack:
        urls, pids = [], []
        for _ in range(2):
            urls.append(stack.enter_context(voila_server(APPS, env=env, extra=extra)))
            pids.append(urls[-1].pid)
        front = stack.enter_context(router(urls))
        yield store, front, urls, pids
    store.close()


async def _walk(people: list[Participant], code: str, answers: int) -> int:
    await asyncio.gather(*(p.open() for p in people))
    await asyncio.gather(*(p.join(code) for p in people))
    acks = await asyncio.gather(*(scenario_answers(p, answers) for p in people))
    return sum(len(a) for a in acks)


def _dashboard_counts(page, url: str, code: str, key: str, joined: int) -> None:
    page.goto(f"{url}/voila/render/dashboard.ipynb")
    page.get_by_label("Code", exact=True).fill(code, timeout=120_000)
    page.get_by_label("Facilitator key").fill(key)
    page.get_by_role("button", name="Open session").click()
    page.get_by_text(re.compile(rf"^{joined} phones have joined")).wait_for(timeout=60_000)


@pytest.mark.browser
def test_a_session_over_two_servers_survives_losing_one(two_servers, chromium_path):
    store, front, (url1, url2), (pid1, pid2) = two_servers
    info, key = store.create_session("Two servers", threshold=3)
    code = info.code

    async def first_half():
        people = [Participant(front, SCENARIOS) for _ in range(4)]
        sent = await _walk(people, code, 6)
        return people, sent

    loop = asyncio.new_event_loop()
    people, sent = loop.run_until_complete(first_half())
    # spread evenly; each page's websocket reached its own server's kernel (else no answers)
    assert [s["given"] for s in status(front)] == [2, 2]
    assert [s["sockets"] for s in status(front)] == [2, 2]
    assert store.count(code, key, "scenario") == sent == 24

    with chromium(chromium_path) as browser:
        ctx = guarded_context(browser)
        page = ctx.new_page()
        sockets, statics = [], []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.on("request", lambda r: statics.append(r.url) if "/static/" in r.url else None)
        page.goto(f"{front}/voila/render/participant.ipynb?code={code}")
        page.get_by_label("Session code").fill(code, timeout=120_000)
        page.get_by_role("button", name="Join").click()
        page.get_by_text("You joined").wait_for(timeout=60_000)
        page.get_by_role("radio", name="2 · Heavy").check()
        page.get_by_role("button", name="Send my check-in").click()
        page.get_by_text("Received. Thank you for checking in.").wait_for(timeout=60_000)
        assert any(u.startswith(f"ws://127.0.0.1:{front.rsplit(':', 1)[1]}/api/kernels/")
                   for u in sockets), sockets  # fmt: skip
        assert statics and all(u.startswith(front) for u in statics)
        cookie = {c["name"]: c["value"] for c in ctx.cookies()}[COOKIE]
        assert cookie in ("1", "2") and ctx.outside == []
        # the facilitator's dashboard, on either server, counts the phones of both
        fac = ctx.new_page()
        for url in (url1, url2):
            _dashboard_counts(fac, url, code, key, joined=5)
        ctx.close()

    # server 1 dies: Voila and its kernels, as when its computer goes down
    doomed = [pid1, *kernel_pids(pid1)]
    for pid in doomed:
        os.kill(pid, signal.SIGKILL)
    cut_off = loop.run_until_complete(_cut_off(people, 2))
    assert len(cut_off) == 2  # the two participants on server 1 lost their page

    # a reload with the old cookie lands on server 2 and gets its cookie
    again = requests.get(f"{front}/voila/render/{SCENARIOS}", cookies={COOKIE: "1"}, timeout=300)
    assert again.status_code == 200 and again.cookies.get(COOKIE) == "2"

    async def second_half():
        back = [Participant(front, SCENARIOS) for _ in cut_off]
        more = await _walk(back, code, 6)
        stayed = [p for p in people if p not in cut_off]
        more += sum(len(a) for a in await asyncio.gather(*(scenario_answers(p, 3) for p in stayed)))
        await asyncio.gather(*(p.close() for p in back + stayed))
        return more

    sent += loop.run_until_complete(second_half())
    loop.close()
    assert [s["alive"] for s in status(front)] == [False, True]
    rows = store.responses(code, key, "scenario")
    assert len(rows) == sent == 24 + 12 + 6  # every acknowledged answer, none twice
    assert len({r["respondent"] for r in rows}) == 6  # 4 pages, 2 of them again after reload
    exported = list(csv.DictReader(io.StringIO(store.export_csv(code, key))))
    assert sum(r["app"] == "scenario" for r in exported) == sent
    assert sum(r["app"] == "checkin" for r in exported) >= 1  # the browser's, on either server


async def _cut_off(people: list[Participant], expected: int, wait: float = 60) -> list:
    """The participants whose kernel websocket closed (their server is gone), once
    ``expected`` of them have (or after ``wait`` seconds)."""
    deadline = time.monotonic() + wait
    while sum(p.reader.done() for p in people) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    return [p for p in people if p.reader.done()]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-x", "-q"]))


# --- the command: peercare serve --servers 2 --store URL --------------------------------


def _kit(tmp_path):
    """The kit with a stand-in built book (the live apps do not need the real one)."""
    root = tmp_path / "kit"
    root.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in ("_build", "data", ".git"):
            (root / entry.name).symlink_to(entry)
    (root / "_build" / "html").mkdir(parents=True)
    (root / "_build" / "html" / "index.html").write_text("<!doctype html><title>book</title>")
    return root


def test_serve_with_two_servers_keeps_going_when_one_dies(postgres, tmp_path):
    db = postgres.new_database()
    Store(db).close()
    book, apps = free_port(), free_port()
    env = {**os.environ, "PEERCARE_ROOT": str(_kit(tmp_path)),
           "PEERCARE_DATA_DIR": str(tmp_path / "data")}  # fmt: skip
    env.pop("PEERCARE_DB_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "peercare.cli", "serve", "--book-port", str(book),
         "--apps-port", str(apps), "--pool", "2", "--servers", "2", "--store", db],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        lines = []
        while not any("Press Ctrl-C" in x for x in lines):
            line = proc.stdout.readline()
            assert line, "".join(lines) + proc.stderr.read()
            lines.append(line)
        out = "".join(lines)
        assert f"2 Voila servers (ports {apps + 1}, {apps + 2}) behind a router on {apps}" in out
        assert f"Participants: http://127.0.0.1:{apps}/voila/render/participant.ipynb" in out
        assert "voila-1.log" in out and "voila-2.log" in out
        front = f"http://127.0.0.1:{apps}"
        assert requests.get(f"{front}/voila/static/voila.js", timeout=30).status_code == 200
        # both servers answer once their warm pools have started (the router checks them)
        assert wait_for(lambda: [s["alive"] for s in status(front)] == [True, True], 120), status(
            front
        )
        # a Host the servers do not answer to is refused through the router too
        wrong = requests.get(f"{front}/voila/static/voila.js", headers={"Host": "evil.example"})
        assert wrong.status_code == 403
        voilas = sorted(_children(proc.pid, b"peercare.serving.voila_app"))
        assert len(voilas) == 2
        os.kill(voilas[0], signal.SIGKILL)
        line = proc.stdout.readline()
        assert "Voila 1 stopped (exit code -9)" in line and "answers are kept" in line, line
        assert proc.poll() is None  # the session goes on, on the other server
        page = requests.get(f"{front}/voila/static/voila.js", cookies={COOKIE: "1"}, timeout=30)
        assert page.status_code == 200 and page.cookies.get(COOKIE) == "2"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Stopped." in out, err[-2000:]
    assert "Traceback" not in err, err[-2000:]
