"""Start a real Voila server on a free loopback port for a test, and stop it after."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from peercare.serving.serve import (
    HOST,
    VOILA_SHARE,
    free_port,
    stop_process,
    voila_command,
    voila_env,
)

from .conftest import ROOT


def _children(parent: int, *markers: bytes) -> list[int]:
    """Processes whose parent is ``parent`` and whose command line has one of ``markers``."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            cmd = (proc / "cmdline").read_bytes()
        except (OSError, NotADirectoryError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and any(m in cmd for m in markers):
            pids.append(int(proc.name))
    return pids


def kernel_pids(parent: int) -> list[int]:
    """The kernel processes (ipykernel, or our peercare.serving.kernel) started by ``parent``."""
    return _children(parent, b"ipykernel", b"peercare.serving.kernel")


def kernel_cpu_ticks(parent: int) -> int:
    """User + system CPU ticks of the kernels under ``parent`` so far."""
    total = 0
    for kernel in kernel_pids(parent):
        try:
            fields = Path(f"/proc/{kernel}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


def wait_quiet(parent: int, timeout: float = 600, quiet_for: int = 3) -> bool:
    """Wait until the kernels under ``parent`` use no CPU for ``quiet_for`` seconds in a
    row (pooled kernels have finished pre-running their notebook and wait in ready())."""
    deadline, last, quiet = time.monotonic() + timeout, -1, 0
    while quiet < quiet_for and time.monotonic() < deadline:
        now = kernel_cpu_ticks(parent)
        quiet = quiet + 1 if now == last else 0
        last = now
        time.sleep(1)
    return quiet >= quiet_for


def voila_children(pid: int) -> list[int]:
    """Child processes of ``pid`` that run Voila."""
    return _children(pid, b"voila")


class Server(str):
    """A running test server: its address (a str, so tests write ``f"{url}/voila/..."``)
    and the process id of the server itself (``.pid``), for tests that signal or watch it."""

    pid: int

    def __new__(cls, url: str, pid: int) -> Server:
        server = super().__new__(cls, url)
        server.pid = pid
        return server


@contextmanager
def voila_server(
    target: Path,
    env: dict | None = None,
    extra: list[str] | None = None,
    stock: bool = False,
    log_to: Path | None = None,
    wrap: tuple[str, ...] = (),
):
    """Voila as ``peercare serve`` runs it; ``stock=True``: as it comes (the stock kernel,
    every installed extension), with only our template, which has no CDN links.
    ``log_to``: a file that keeps Voila's log afterwards (else it is thrown away);
    ``wrap``: a command to run Voila under, e.g. ``("taskset", "-c", "0")`` (one core for
    Voila and every kernel it starts). Yields a :class:`Server`."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    command = [*wrap, *voila_command(target, port, extra, stock=stock)]
    env = voila_env(ROOT, {**os.environ, **(env or {})})
    # Output to a file, never an unread pipe: a full pipe would block Voila mid-request.
    if log_to is not None:
        log_to.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(log_to, "w+b") if log_to is not None else tempfile.TemporaryFile() as log,  # noqa: SIM115
        tempfile.TemporaryDirectory() as share,
    ):
        if stock:  # the stock kernel: a JUPYTER_PATH with our template only
            (Path(share) / "voila").symlink_to(VOILA_SHARE / "voila")
            env["JUPYTER_PATH"] = share
        proc = subprocess.Popen(
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"voila exited: {log.read().decode()[-2000:]}")
                try:
                    # a static file: "/" may render a notebook (a kernel, seconds)
                    requests.get(f"{url}/voila/static/voila.js", timeout=1)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            try:
                yield Server(url, proc.pid)
            except BaseException:  # the test failed: show why Voila thinks it did
                log.flush()
                log.seek(0)
                print(
                    "--- the end of Voila's log ---\n" + log.read().decode(errors="replace")[-6000:]
                )
                raise
        finally:
            stop_process(proc)
