"""One live session spread over Voila servers behind the router (peercare.serving.router), on a real
PostgreSQL store: figures printed side by side, never asserted.

60 simulated participants (the protocol client, peercare.serving.widget_client: page GET
through the router, kernel websocket, widget state, the join code, then scenario choices
through the real widgets' messages) join one session at once, first with one Voila server
behind the router, then with two. For each: join p50/p95 (page + kernel + typing the
code), choice acknowledged p50/p95, memory per server (Voila plus its kernels, resident),
memory per participant kernel, joins that failed, and answers stored vs acknowledged.

The machine may be shared: beside the figures it prints a CPU reference (seconds for a
fixed pure-Python loop of 20 million additions; about 1 s on an idle modern core) and the
load average before each run. Compare figures only with the reference beside them.

Run: .venv/bin/python benchmarks/scale_out.py [--people 60] [--answers 10] [--servers 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.live_session import pct, rss_mib, wait_pool_ready  # noqa: E402
from benchmarks.machine import cpu_reference  # noqa: E402
from peercare.serving.router import STATUS_PATH  # noqa: E402
from peercare.serving.serve import (  # noqa: E402
    guard_args,
    live_session_args,
    router_command,
    stop_process,
    voila_command,
    voila_env,
)
from peercare.serving.widget_client import Participant, scenario_answers  # noqa: E402
from peercare.store import Store  # noqa: E402
from peercare.store.db import DB_ENV  # noqa: E402
from tests.postgres import start_server  # noqa: E402
from tests.voila import free_port  # noqa: E402

APPS = ROOT / "notebooks" / "apps"
SCENARIOS = "scenarios.ipynb"


def process_mib(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def one(front: str, code: str, answers: int) -> tuple[float, list[float]]:
    p = Participant(front, SCENARIOS)
    start = time.perf_counter()
    await p.open()
    await p.join(code)
    joined = time.perf_counter() - start
    acks = await scenario_answers(p, answers)
    await p.close()
    return joined, acks


async def room(front: str, code: str, people: int, answers: int):
    done = await asyncio.gather(*(one(front, code, answers) for _ in range(people)),
                                return_exceptions=True)  # fmt: skip
    ok = [d for d in done if not isinstance(d, BaseException)]
    errors = [f"{type(d).__name__}: {d}"[:160] for d in done if isinstance(d, BaseException)]
    return [j for j, _ in ok], [a for _, acks in ok for a in acks], errors


@contextmanager
def voila(db: str, extra: list[str]):
    """A Voila server as ``peercare serve`` runs it, its log in a file; (url, pid). Filling a
    big pool keeps it busy: wait only for its port, then for the pool (wait_pool_ready)."""
    port = free_port()
    env = voila_env(ROOT, {**os.environ, DB_ENV: db})
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(voila_command(APPS, port, extra), env=env, stdout=log,
                                stderr=subprocess.STDOUT)  # fmt: skip
        try:
            deadline = time.monotonic() + 600
            while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"Voila did not start: {log.read().decode()[-2000:]}")
                time.sleep(0.5)
            yield f"http://127.0.0.1:{port}", proc.pid
        finally:
            stop_process(proc, grace=60)


def run(db: str, servers: int, people: int, answers: int) -> dict:
    store = Store(db)
    info, key = store.create_session(f"Scale-out, {servers} server(s)", 5)
    each = -(-people // servers)  # the pool: a warm kernel for every participant
    extra = live_session_args(APPS, each, 0, SCENARIOS) + guard_args(0)
    figures = {"cpu": cpu_reference(), "load": os.getloadavg()}
    with ExitStack() as stack:
        urls, pids = [], []
        for _ in range(servers):
            url, pid = stack.enter_context(voila(db, extra))
            urls.append(url)
            pids.append(pid)
        fill = time.perf_counter()
        for pid in pids:
            wait_pool_ready(pid, each)
        figures["fill"] = time.perf_counter() - fill
        port = free_port()
        router = subprocess.Popen(router_command(port, urls), stdout=subprocess.DEVNULL)
        stack.callback(stop_process, router)
        front = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(front + STATUS_PATH, timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        figures["load_at_start"] = os.getloadavg()
        start = time.perf_counter()
        joins, acks, errors = asyncio.run(room(front, info.code, people, answers))
        figures["wall"] = time.perf_counter() - start
        figures["server_mib"] = [process_mib(pid) + sum(rss_mib(pid)) for pid in pids]
        figures["kernel_mib"] = [m for pid in pids for m in rss_mib(pid)]
        figures["kernels"] = [len(rss_mib(pid)) for pid in pids]
        figures["given"] = [s["given"] for s in requests.get(front + STATUS_PATH).json()["servers"]]
    figures.update(joins=joins, acks=acks, errors=errors)
    figures["stored"] = store.count(info.code, key, "scenario")
    store.close()
    return figures


def _pct(values: list[float], p: float, digits: int = 2) -> str:
    return f"{pct(values, p):.{digits}f} s" if values else "-"


def report(results: dict[int, dict], people: int, answers: int) -> None:
    print(f"\n{people} participants join one session at once, {answers} choices each, "
          "through the router; PostgreSQL store")  # fmt: skip
    print("The machine may be shared: read every figure beside the CPU")
    print("reference and load average printed with it (2 cores here).\n")
    cols = list(results)
    rows = [
        ("CPU reference: 20M additions", lambda f: f"{f['cpu']:.2f} s"),
        ("load average (1, 5, 15 min)", lambda f: " ".join(f"{x:.1f}" for x in f["load"])),
        ("load when the room joined", lambda f: " ".join(f"{x:.1f}" for x in f["load_at_start"])),
        ("warm pool filled in", lambda f: f"{f['fill']:.0f} s"),
        ("participants per server", lambda f: "/".join(map(str, f["given"]))),
        ("join p50 (page+kernel+code)", lambda f: _pct(f["joins"], 50)),
        ("join p95", lambda f: _pct(f["joins"], 95)),
        ("choice acknowledged p50", lambda f: _pct(f["acks"], 50, 3)),
        ("choice acknowledged p95", lambda f: _pct(f["acks"], 95, 3)),
        ("whole room done in", lambda f: f"{f['wall']:.0f} s"),
        ("memory per server (Voila+kernels)",
         lambda f: " / ".join(f"{m / 1024:.2f} GiB" for m in f["server_mib"])),
        ("kernels per server at the end",
         lambda f: "/".join(map(str, f["kernels"])) + " (pool refilled)"),
        ("memory per participant kernel",
         lambda f: f"median {statistics.median(f['kernel_mib'] or [0]):.0f} MiB"),
        ("joins failed", lambda f: f"{len(f['errors'])} of {people}"),
        ("answers stored / acknowledged",
         lambda f: f"{f['stored']} / {len(f['acks'])} ({max(0, len(f['acks']) - f['stored'])} lost)"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows) + 2
    print(" " * width + "".join(f"{f'{n} server' + ('s' if n > 1 else ''):>22}" for n in cols))
    for label, cell in rows:
        print(f"{label:<{width}}" + "".join(f"{cell(results[n]):>22}" for n in cols))
    if len(cols) == 2 and all(results[n]["joins"] and results[n]["acks"] for n in cols):
        a, b = (results[n] for n in cols)
        print(f"\nratio {cols[1]} servers / {cols[0]}: join p95 "
              f"{pct(b['joins'], 95) / pct(a['joins'], 95):.2f}x, choice p95 "
              f"{pct(b['acks'], 95) / pct(a['acks'], 95):.2f}x")  # fmt: skip
    for n, f in results.items():
        kinds = {}
        for e in f["errors"]:
            kinds[e] = kinds.get(e, 0) + 1
        for e, count in sorted(kinds.items(), key=lambda x: -x[1])[:4]:
            print(f"  ({n} server(s)) {count} joins failed with: {e}")
    print("Stored counts answers whose acknowledgement timed out too (sent, kept, not acked).")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=60)
    p.add_argument("--answers", type=int, default=10)
    p.add_argument("--servers", type=int, nargs="+", default=[1, 2])
    args = p.parse_args()
    pg = start_server()
    try:
        results = {}
        for n in args.servers:
            results[n] = run(pg.new_database(), n, args.people, args.answers)
            report({n: results[n]}, args.people, args.answers)  # each as soon as it is done
        if len(results) > 1:
            report(results, args.people, args.answers)
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
