"""The kit's own live-session server for a rehearsal: Voila as ``peercare serve`` starts it
(our app, the live-session and guard settings) on a free loopback port, with the
rehearsal's own data folder and store, and everything it started stopped at the end."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from ..serving.serve import (
    HOST,
    ServeError,
    free_port,
    guard_args,
    live_session_args,
    stop_process,
    voila_command,
    voila_env,
)

CONNECT_TIMEOUT = 300  # a loaded machine may take minutes to render a page that is not kept warm
IDLE_TIMEOUT = 90
"""Seconds before the kernel of a closed page is freed. A page that is not kept warm (the
knowledge test) runs its notebook before the page arrives, and its kernel counts as idle
from then: on a loaded machine a short limit freed kernels before their page connected."""


def children(parent: int) -> list[int]:
    """Every process under ``parent`` (children, grandchildren, ...)."""
    kids: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(proc.name))
    found, todo = [], [parent]
    while todo:
        for kid in kids.get(todo.pop(), []):
            found.append(kid)
            todo.append(kid)
    return found


def _stats(pids: list[int]):
    """The /proc stat fields after the command name, of each process still there."""
    for pid in pids:
        try:
            yield Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue


def rss_mib(pids: list[int]) -> float:
    """Resident memory of these processes together (MiB)."""
    total = sum(int(fields[21]) for fields in _stats(pids))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def _cpu_ticks(pids: list[int]) -> int:
    return sum(int(fields[11]) + int(fields[12]) for fields in _stats(pids))


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class LiveServer:
    """A running Voila: its address, process and log."""

    def __init__(self, proc: subprocess.Popen, url: str, log: Path):
        self.proc, self.url, self.log = proc, url, log
        self.left_by_voila: list[int] = []
        self.left: list[int] = []

    def processes(self) -> list[int]:
        return [self.proc.pid, *children(self.proc.pid)]

    def kernels(self) -> list[int]:
        """The kernel processes Voila runs now."""
        found = []
        for pid in children(self.proc.pid):
            try:
                if b"peercare.serving.kernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                continue
        return found

    def wait_for_pool(self, size: int, timeout: float = 900) -> float:
        """Wait until ``size`` kernels are up and have finished running the page ahead (their
        CPU time stops growing: they wait for a page), as a facilitator starts the server
        before the room arrives; seconds waited."""
        start = time.monotonic()
        last, quiet = -1, 0
        while quiet < 3 and time.monotonic() - start < timeout:
            kernels = self.kernels()
            ticks = _cpu_ticks(kernels) if len(kernels) >= size else -1
            quiet = quiet + 1 if ticks == last and ticks >= 0 else 0
            last = ticks
            time.sleep(1)
        return time.monotonic() - start

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait_ready(proc: subprocess.Popen, port: int, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise ServeError(f"Voila stopped at start (exit code {proc.returncode}):\n{tail}")
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.3)
    raise ServeError(f"Voila did not answer on port {port} within {timeout:.0f} s.")


@contextmanager
def live_server(root: Path, data: Path, store_url: str, pool: int, log: Path):
    """Voila serving ``notebooks/apps`` on a free loopback port; on leaving (also on Ctrl-C
    or an error) Voila is stopped, then any kernel it left is ended by its process id."""
    apps = root / "notebooks" / "apps"
    port = free_port()
    url = f"http://{HOST}:{port}"
    extra = live_session_args(apps, pool, idle_timeout=IDLE_TIMEOUT)
    extra += guard_args(max_kernels=0, connect_timeout=CONNECT_TIMEOUT)
    env = voila_env(root) | {
        "PEERCARE_APPS_URL": url,
        "PEERCARE_DATA_DIR": str(data),
        "PEERCARE_DB_URL": store_url,
    }
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        # its own process group: a Ctrl-C in the terminal reaches the rehearsal, which
        # stops Voila in order (as ``peercare serve`` does)
        proc = subprocess.Popen(voila_command(apps, port, extra), cwd=root, env=env,
                                stdout=out, stderr=subprocess.STDOUT, process_group=0)  # fmt: skip
    server = LiveServer(proc, url, log)
    try:
        _wait_ready(proc, port, log)
        yield server
    finally:
        started = server.processes()
        stop_process(proc, grace=20)
        server.left_by_voila = [p for p in started if _alive(p)]
        for pid in server.left_by_voila:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # only processes this Voila started
        time.sleep(0.5)
        server.left = [p for p in started if _alive(p)]
