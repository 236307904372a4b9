"""Start a real Voila server on a free loopback port for a test, and stop it after."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from peercare.serve import HOST, stop_process, voila_command, voila_env

from .conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def voila_server(target: Path, env: dict | None = None, extra: list[str] | None = None):
    port = free_port()
    proc = subprocess.Popen(
        voila_command(target, port, extra),
        env=voila_env(ROOT, {**os.environ, **(env or {})}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://{HOST}:{port}"
    voila_server.last_pid = proc.pid
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"voila exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                requests.get(url, timeout=1)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield url
    finally:
        stop_process(proc)
