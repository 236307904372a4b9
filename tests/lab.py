"""Start a real JupyterLab on a free loopback port for a test, with its own settings, and
stop it after."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from peercare.serving.serve import stop_process

from .voila import free_port

TOKEN = "t"


@contextmanager
def lab_server(root: Path, state: Path, env: dict | None = None):
    """JupyterLab serving ``root``; config, data and settings under ``state``. Yields its URL."""
    port = free_port()
    full_env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_DATA_DIR": str(state / "data"),
        "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
        **(env or {}),
    }
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--allow-root",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=root, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                requests.get(f"{url}/api/status?token={TOKEN}", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                assert proc.poll() is None and time.monotonic() < deadline, "Lab did not start"
                time.sleep(0.5)
        yield url
    finally:
        stop_process(proc)
