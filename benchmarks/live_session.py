"""Live-session figures, printed side by side (never asserted):

1. one participant in Chromium, time until the join box is usable: cold Voila vs our
   preheated configuration, with the page's bytes and request count;
2. 30 participants at once through a protocol-level client (peercare.serving.widget_client:
   page GET, kernel websocket, widget state, then 100 scenario choices each through the real
   widgets' messages), Voila as `peercare serve` runs it: p50/p95 join without a pool, with
   a pool of 30, and with a pool of 30 on one core (`taskset -c 0`: a slow laptop), every
   failed join with its reason, where a pooled join's time goes, p95 time until a choice
   is acknowledged, resident memory per participant kernel, and stored vs sent; with a CPU
   reference figure (20 million additions in a Python loop) and the load average;
3. 100 join-and-leave cycles with the idle timeout on: peak live kernels, and kernels left
   once the closed pages are freed (target: back to the pool size);
4. 30 participants at once on the whole-session page with the room features' messages: each
   joins, taps "Slower, please", sends a question and the short feedback form; p50/p95 join,
   p95 acknowledgement, and stored vs sent.

Run: .venv/bin/python benchmarks/live_session.py [1] [2] [3] [4]   (the parts; default all)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import machine_line  # noqa: E402
from peercare.apps.questions import PLACEHOLDER  # noqa: E402
from peercare.serving.serve import guard_args, live_session_args  # noqa: E402
from peercare.serving.voila_app import memory_kernels  # noqa: E402
from peercare.serving.widget_client import Participant, scenario_answers  # noqa: E402
from peercare.store import Store  # noqa: E402
from tests.apps.test_kernels import kernels_of, wait_for  # noqa: E402
from tests.browser import chromium, count_transfer, guarded_context  # noqa: E402
from tests.voila import kernel_pids, voila_server, wait_quiet  # noqa: E402

APPS = ROOT / "notebooks" / "apps"
PAGE = "voila/render/participant.ipynb"
SCENARIOS = "scenarios.ipynb"
CHROMIUM = "/usr/bin/chromium"
LOGS = Path(tempfile.gettempdir()) / "peercare-bench-logs"


# A phone on a room's shared Wi-Fi (DevTools-style throttling): 10 Mbit/s down, 40 ms.
ROOM_WIFI = {"latency": 40, "downloadThroughput": 10e6 / 8, "uploadThroughput": 5e6 / 8}


def browser_load(url: str, network: dict | None = None) -> tuple[float, int, int]:
    """Seconds until the join box is usable, bytes on the wire, requests."""
    with chromium(CHROMIUM) as browser:
        context = guarded_context(browser)
        page = context.new_page()
        sizes = count_transfer(context, page, network)
        start = time.perf_counter()
        page.goto(url)
        page.get_by_label("Session code").wait_for(timeout=60_000)
        elapsed = time.perf_counter() - start
        return elapsed, sum(sizes.values()), len(sizes)


def wait_pool_ready(pid: int, size: int, timeout: float = 600) -> float:
    """Wait until ``size`` kernels exist and have finished pre-running the notebook;
    seconds it took."""
    start = time.perf_counter()
    wait_for(lambda: kernels_of(pid) >= size, timeout)
    wait_quiet(pid, timeout)
    return time.perf_counter() - start


def rss_mib(pid: int) -> list[float]:
    """Resident memory of each kernel process under ``pid``."""
    out = []
    for kernel in kernel_pids(pid):
        try:
            stat = Path(f"/proc/{kernel}/stat").read_text()
        except OSError:
            continue
        out.append(int(stat.rsplit(")", 1)[1].split()[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20)
    return out


def reason(error: BaseException) -> str:
    """One line naming what went wrong: the exception's type and message, with the HTTP
    status when there was one."""
    code = getattr(error, "code", None)
    status = f"HTTP {code} " if isinstance(code, int) else ""
    return f"{status}{type(error).__name__}: {error}".strip().rstrip(":")[:300]


class Room:
    """What happened to one burst of participants: join times, acknowledgement times and
    every failure with the step it happened at."""

    def __init__(self) -> None:
        self.joins: list[float] = []
        self.acks: list[float] = []
        self.phases: list[dict] = []
        self.failures: list[str] = []

    def failed(self, step: str, error: BaseException) -> None:
        self.failures.append(f"{step}: {reason(error)}")

    def failure_lines(self) -> list[str]:
        return [f"{n} x {why}" for why, n in Counter(self.failures).most_common()]


async def room(url: str, code: str, people: int, answers: int) -> Room:
    """``people`` participants join at once, then each sends ``answers`` choices."""
    result = Room()
    ps = [Participant(url, SCENARIOS) for _ in range(people)]
    opened = await asyncio.gather(*(p.open() for p in ps), return_exceptions=True)
    ok = []
    for p, t in zip(ps, opened, strict=True):
        if isinstance(t, BaseException):
            result.failed("page or kernel", t)
        else:
            ok.append((p, t))
    joined = await asyncio.gather(*(p.join(code) for p, _ in ok), return_exceptions=True)
    for (p, t), j in zip(list(ok), joined, strict=True):
        if isinstance(j, BaseException):
            result.failed("join", j)
            ok.remove((p, t))
    ps = [p for p, _ in ok]
    result.joins = [t for _, t in ok]
    result.phases = [p.phases for p in ps]
    if answers:
        acks = await asyncio.gather(*(scenario_answers(p, answers) for p in ps))
        result.acks = [t for each in acks for t in each]
    await asyncio.gather(*(p.close() for p in ps), return_exceptions=True)
    return result


def pct(values: list[float], p: float) -> float | None:
    """The p-th percentile; None when there are no values (everything failed)."""
    if not values:
        return None
    return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) > 1 else values[0]


def seconds(value: float | None, digits: int = 2) -> str:
    return "   --" if value is None else f"{value:5.{digits}f}"


def main(parts: list[str]) -> None:
    data = tempfile.mkdtemp(prefix="peercare-bench-")
    env = {"PEERCARE_DATA_DIR": data}
    if "1" in parts:
        one_participant(env)
    if "2" in parts:
        room_of_30(env, data)
    if "3" in parts:
        join_and_leave(env)
    if "4" in parts:
        room_features(env, data)


def one_participant(env: dict) -> None:
    print("1. one participant in Chromium (join box usable), median of 3 loads each")
    print(f"   {machine_line()}")
    print("   cold = Voila as it comes (stock kernel, every extension, no gzip), no pool")
    for label, network in (("loopback", None), ("room Wi-Fi 10 Mbit/s, 40 ms", ROOM_WIFI)):
        with voila_server(APPS, env=env, stock=True) as url:
            browser_load(f"{url}/{PAGE}")  # warm the OS file cache, not a kernel
            cold = statistics.median(browser_load(f"{url}/{PAGE}", network) for _ in range(3))
        with voila_server(APPS, env=env, extra=live_session_args(APPS, 2, 0)) as url:
            loads = []
            for _ in range(3):
                wait_pool_ready(url.pid, 2)  # the pool refilled after a load
                loads.append(browser_load(f"{url}/{PAGE}", network))
            warm = statistics.median(loads)
        print(f"   {label}")
        print(
            f"     cold Voila        {cold[0]:6.2f} s   {cold[1] / 1e6:5.2f} MB  {cold[2]} requests"
        )
        print(
            f"     ours (pool, gzip) {warm[0]:6.2f} s   {warm[1] / 1e6:5.2f} MB  {warm[2]} requests"
        )
        print(f"     ratio             {warm[0] / cold[0]:6.2f}x (target <= 0.6x)")


def join_line(label: str, result: Room, people: int, target: str = "") -> None:
    lost = len(result.failures)
    if not result.joins:
        print(f"   {label:<19} all {people} joins failed")
    else:
        print(f"   {label:<19} p50 {seconds(pct(result.joins, 50))} s"
              f"  p95 {seconds(pct(result.joins, 95))} s"
              f"  ({lost} of {people} never loaded{target})")  # fmt: skip
    for line in result.failure_lines():
        print(f"     failed: {line}")


ONE_CORE = ("taskset", "-c", "0")


def serve_args(pool: int, preheat: str = SCENARIOS) -> list[str]:
    """Voila as `peercare serve` runs it: the pool, its refill manager and the guards with
    the cap serve would pick here."""
    cap = max(4, memory_kernels() - pool)
    return live_session_args(APPS, pool, 0, preheat) + guard_args(cap, 60)


def burst(env: dict, info, pool: int, answers: int, label: str, wrap=()) -> dict:
    """One burst of 30 joins (then ``answers`` choices each) against a fresh Voila."""
    name = label.replace(" ", "-")
    with voila_server(APPS, env=env, extra=serve_args(pool), log_to=LOGS / f"{name}.log",
                      wrap=wrap) as url:  # fmt: skip
        pid = url.pid
        fill = wait_pool_ready(pid, pool) if pool else 0.0
        result = asyncio.run(room(url, info.code, 30, answers))
        mem = rss_mib(pid)
    return {"room": result, "fill": fill, "mem": mem, "machine": machine_line()}


def room_of_30(env: dict, data: str) -> None:
    print("2. 30 participants at once (protocol-level client), Voila as `peercare serve` runs it")
    print(f"   {machine_line()}")
    store = Store(f"sqlite:///{data}/sessions.sqlite")
    info, key = store.create_session("Benchmark", 5)
    cold = burst(env, info, 0, 0, "no pool")
    before = store.count(info.code, key, "scenario")
    normal = burst(env, info, 30, 100, "pool")
    stored = store.count(info.code, key, "scenario") - before
    slow = burst(env, info, 30, 10, "pool one core", ONE_CORE)
    join_line("join, no pool", cold["room"], 30)
    join_line("join, pool of 30", normal["room"], 30, "; target p95 <= 1.0 s")
    join_line("same, one core", slow["room"], 30, "; target p95 <= 2.0 s")
    print(f"     (one core: Voila and its kernels under `{' '.join(ONE_CORE)}`; {slow['machine']})")
    for label, run in (("pool of 30", normal), ("one core", slow)):
        phases = run["room"].phases
        if phases:
            parts = "  ".join(f"{k} {statistics.median(p[k] for p in phases):.2f} s"
                              for k in ("page", "websocket", "states"))  # fmt: skip
            print(f"   a pooled join, {label} (median, cumulative): {parts}")
        print(f"   filling the pool of 30 took {run['fill']:.0f} s ({label}; before the session)")
    acks = normal["room"].acks
    print(f"   choice acknowledged p50 {seconds(pct(acks, 50), 3)} s"
          f"  p95 {seconds(pct(acks, 95), 3)} s (one core: p95"
          f" {seconds(pct(slow['room'].acks, 95), 3)} s)")  # fmt: skip
    print(f"   stored {stored} of {len(acks)} sent ({len(acks) - stored} lost; target 0)")
    mem = normal["mem"]
    if mem:
        print(f"   memory per participant kernel: median {statistics.median(mem):.0f} MiB,"
              f" max {max(mem):.0f} MiB (target <= 80 MB)")  # fmt: skip
    print(f"   pooled join p95: {seconds(pct(normal['room'].joins, 95))} s here,"
          f" {seconds(pct(slow['room'].joins, 95))} s on one core")  # fmt: skip
    print(f"   {machine_line()}")
    print(f"   Voila's logs: {LOGS}")


def join_and_leave(env: dict) -> None:
    print("3. 100 join-and-leave cycles (pool 4, idle timeout 15 s)")
    with voila_server(APPS, env=env, extra=live_session_args(APPS, 4, 15)) as url:
        pid = url.pid
        wait_for(lambda: kernels_of(pid) >= 4, 60)
        peak, failed = 0, 0
        for _ in range(100):
            try:
                requests.get(f"{url}/{PAGE}", timeout=120).raise_for_status()
            except requests.RequestException:
                failed += 1
            peak = max(peak, kernels_of(pid))
        settled = wait_for(lambda: kernels_of(pid) <= 4, 180)
        print(f"   {failed} of 100 page loads failed or timed out (120 s)")
        print(f"   peak live kernels {peak}; after the pages closed: {kernels_of(pid)} "
              f"(pool size 4; {'back to the pool' if settled else 'NOT back to the pool'})")  # fmt: skip


async def features(p: Participant, n: int) -> list[float]:
    """One pace signal, one question and the short feedback form from one page; the
    seconds each took to be acknowledged."""
    times = [await p.click("Slower, please")]
    box = p.find("TextareaModel", placeholder=QUESTION_BOX)
    await p.set(box, value=f"Question {n}: how do I check in with a co-worker?")
    times.append(await p.click("Send my question"))
    for radios in [
        m
        for m, st in p.models.items()
        if st.get("_model_name") == "RadioButtonsModel"
        and "5 · Strongly agree" in st.get("_options_labels", ())
    ]:
        await p.set(radios, index=4)
    times.append(await p.click("Send my feedback"))
    return times


async def feature_room(url: str, code: str, people: int) -> tuple[list, list, int]:
    ps = [Participant(url, "participant.ipynb") for _ in range(people)]
    opened = await asyncio.gather(*(p.open() for p in ps), return_exceptions=True)
    ok = [(p, t) for p, t in zip(ps, opened, strict=True) if isinstance(t, float)]
    joined = await asyncio.gather(*(p.join(code) for p, _ in ok), return_exceptions=True)
    ok = [(p, t) for (p, t), j in zip(ok, joined, strict=True) if not isinstance(j, Exception)]
    acks = await asyncio.gather(*(features(p, n) for n, (p, _) in enumerate(ok)))
    await asyncio.gather(*(p.close() for p, _ in ok))
    return [t for _, t in ok], [t for each in acks for t in each], people - len(ok)


QUESTION_BOX = PLACEHOLDER  # the Ask tab's own text (a copy here went stale once)


def room_features(env: dict, data: str) -> None:
    print("4. 30 participants on the whole-session page: pace, a question, short feedback")
    store = Store(f"sqlite:///{data}/sessions.sqlite")
    info, key = store.create_session("Room features", 5)
    extra = live_session_args(APPS, 30, 0)
    with voila_server(APPS, env=env, extra=extra) as url:
        wait_pool_ready(url.pid, 30)
        joins, acks, failed = asyncio.run(feature_room(url, info.code, 30))
    pace = store.count(info.code, key, "pace")
    asked = store.count(info.code, key, "question")
    people = len({r["respondent"] for r in store.responses(info.code, key, "feedback")})
    print(f"   join, pool of 30    p50 {pct(joins, 50):5.2f} s  p95 {pct(joins, 95):5.2f} s"
          f"  ({failed} of 30 never loaded; target p95 <= 1.0 s)")  # fmt: skip
    print(f"   acknowledged        p50 {pct(acks, 50):5.3f} s  p95 {pct(acks, 95):5.3f} s")
    sent = len(joins)
    print(f"   stored: {pace} pace signals, {asked} questions, {people} feedback forms of "
          f"{sent} each sent ({3 * sent - pace - asked - people} lost; target 0)")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:] or ["1", "2", "3", "4"])
