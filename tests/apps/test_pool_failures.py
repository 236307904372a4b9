"""A warm kernel that fails before its page has it: the participant still gets a whole page
with a working kernel, never a page cut off after its first part (Voila's own pool path sends
the page's start, then fails; the browser shows a spinner forever)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import threading
import time
from pathlib import Path

import requests

from peercare.serving import kernel as app_kernel
from peercare.serving.serve import live_session_args
from peercare.serving.widget_client import Participant, scenario_answers
from peercare.store import Store

from ..conftest import ROOT
from ..voila import kernel_pids, voila_server, wait_quiet
from .test_kernels import wait_for

APPS = ROOT / "notebooks" / "apps"
KERNEL_ARG = f"\0{app_kernel.__name__}\0".encode()  # python -m <it>: an app kernel


def _kernels_of(data_dir: Path) -> list[int]:
    """Live app kernels whose environment points at ``data_dir`` (this test's own)."""
    mark = f"PEERCARE_DATA_DIR={data_dir}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if KERNEL_ARG in (proc / "cmdline").read_bytes() and mark in (
                proc / "environ"
            ).read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except (OSError, ValueError):
            continue
    return found


class FirstKernelKiller(threading.Thread):
    """Kills the first app kernel of a data folder as soon as its process exists, before it
    could answer Voila (a kernel that dies while starting)."""

    def __init__(self, data_dir: Path):
        super().__init__(daemon=True)
        self.data_dir, self.killed, self.done = data_dir, None, threading.Event()

    def run(self) -> None:
        deadline = time.monotonic() + 120
        while not self.done.is_set() and time.monotonic() < deadline:
            for pid in _kernels_of(self.data_dir):
                os.kill(pid, signal.SIGKILL)
                self.killed = pid
                return
            time.sleep(0.005)


async def one_person(url: str, code: str) -> int:
    """A participant opens the scenario page, joins and makes two choices; acknowledged."""
    person = Participant(url, "scenarios.ipynb")
    await person.open()
    await person.join(code)
    acks = await scenario_answers(person, 2)
    await person.close()
    return len(acks)


def test_a_warm_kernel_that_dies_while_starting_is_replaced(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    info, key = store.create_session("Pool", threshold=3)
    extra = live_session_args(APPS, pool=1, idle_timeout=0, preheat="scenarios.ipynb")
    killer = FirstKernelKiller(tmp_path)
    killer.start()
    try:
        with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(tmp_path)}, extra=extra) as url:
            sent = asyncio.run(one_person(url, info.code))
    finally:
        killer.done.set()
    assert killer.killed is not None, "the first warm kernel was never seen starting"
    assert sent == 2 and len(store.responses(info.code, key, "scenario")) == 2
    store.close()


def test_a_warm_kernel_that_died_while_waiting_is_not_handed_out(tmp_path):
    """Killed while it waits for its page, the warm kernel is restarted blank by Jupyter: a
    page on it would show widgets whose kernel side is gone."""
    store = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    info, key = store.create_session("Pool", threshold=3)
    extra = live_session_args(APPS, pool=1, idle_timeout=0, preheat="scenarios.ipynb")
    with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(tmp_path)}, extra=extra) as url:
        assert wait_quiet(url.pid), "the warm kernel never finished its pre-run"
        (warm,) = kernel_pids(url.pid)
        os.kill(warm, signal.SIGKILL)
        assert wait_for(lambda: kernel_pids(url.pid) not in ([], [warm]), 60), "no restart"
        sent = asyncio.run(one_person(url, info.code))
    assert sent == 2 and len(store.responses(info.code, key, "scenario")) == 2
    store.close()


def test_a_page_whose_own_kernel_dies_while_starting_ends_with_a_message(tmp_path):
    """A page that starts its own kernel (no warm one) is sent as it is made; when that kernel
    dies, Voila would keep the page loading forever. It ends with a plain message instead,
    and a reload gets a working page."""
    extra = live_session_args(APPS, pool=0, idle_timeout=0)
    killer = FirstKernelKiller(tmp_path)
    killer.start()
    try:
        with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(tmp_path)}, extra=extra) as url:
            first = requests.get(f"{url}/voila/render/feedback.ipynb", timeout=120)
            again = requests.get(f"{url}/voila/render/feedback.ipynb", timeout=120)
    finally:
        killer.done.set()
    assert killer.killed is not None, "the page's kernel was never seen starting"
    assert first.status_code == 200 and "This page did not start" in first.text
    assert "reload" in first.text.lower() and not re.search(r'kernelId": "[0-9a-f]', first.text)
    assert again.status_code == 200 and re.search(r'kernelId": "[0-9a-f-]+"', again.text)


def _connection_file(pid: int) -> Path:
    args = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    return Path(args[args.index("-f") + 1])


def test_kernels_talk_to_voila_over_socket_files_that_no_other_program_can_take(tmp_path):
    """CI's failure: a kernel's TCP port was given to another program's connection between
    Jupyter picking it and the kernel binding it ("Address already in use"), and each restart
    reused it. Kernels now use Unix socket files in Voila's own folder: no port to take."""
    extra = live_session_args(APPS, pool=1, idle_timeout=0, preheat="scenarios.ipynb")
    with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(tmp_path)}, extra=extra) as url:
        assert wait_for(lambda: kernel_pids(url.pid), 120)
        assert requests.get(f"{url}/voila/render/dashboard.ipynb", timeout=300).ok
        pids = kernel_pids(url.pid)
        assert len(pids) == 2  # the warm scenario kernel and the dashboard's own
        for pid in pids:
            info = json.loads(_connection_file(pid).read_text())
            assert info["transport"] == "ipc", info
            for channel in ("shell", "iopub", "stdin", "control", "hb"):
                assert Path(f"{info['ip']}-{info[channel + '_port']}").is_socket(), channel
