"""The peercare command: serve starts and stops cleanly; missing pieces give clear errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .conftest import ROOT
from .voila import free_port, voila_children

PEERCARE = [sys.executable, "-m", "peercare.cli"]


def test_serve_without_a_built_book_says_what_to_do(project):
    result = subprocess.run([*PEERCARE, "serve"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 2
    assert "not built yet" in result.stderr and "peercare build" in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_the_kit_gives_a_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PEERCARE_ROOT"}
    result = subprocess.run(
        [*PEERCARE, "check-content"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    # the checkout this package is installed from is the fallback root
    assert result.returncode in (0, 1) and "book/welcome/index" in result.stdout


def test_user_errors_are_named_not_imported():
    """The command imports only what it runs, so its user errors are names: each must name
    an exception (a renamed class would otherwise print a traceback)."""
    import importlib

    from peercare import cli

    for name in cli.USER_ERRORS:
        module, _, cls = name.rpartition(".")
        assert issubclass(getattr(importlib.import_module(module), cls), Exception), name
    started = subprocess.run(
        [sys.executable, "-c", "import sys, peercare.cli; print(sorted(sys.modules))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "sqlalchemy" not in started.stdout and "pydantic" not in started.stdout


def test_build_with_a_broken_bank_names_the_problem(project):
    project.add_bank("a", "module: a\nquestions:\n  - id: A B\n")
    result = subprocess.run([*PEERCARE, "build"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 2
    assert "book/a/questions.yml" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.build
def test_serve_prints_urls_serves_both_and_stops_on_ctrl_c(built_book):
    book_port, apps_port = free_port(), free_port()
    proc = subprocess.Popen(
        [*PEERCARE, "serve", "--book-port", str(book_port), "--apps-port", str(apps_port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # a terminal's process group: Ctrl-C goes to all of it
    )  # fmt: skip
    try:
        lines = []
        deadline = time.monotonic() + 90
        while not any("Press Ctrl-C" in x for x in lines):
            assert time.monotonic() < deadline, lines
            line = proc.stdout.readline()
            assert line, proc.stderr.read()[-2000:]
            lines.append(line)
        assert f"http://127.0.0.1:{book_port}/" in "".join(lines)
        assert f"http://127.0.0.1:{apps_port}/" in "".join(lines)
        page = requests.get(f"http://127.0.0.1:{book_port}/book/welcome/index.html", timeout=10)
        assert page.status_code == 200 and "Need help now?" in page.text
        gz = requests.get(
            f"http://127.0.0.1:{book_port}/_static/widgets/widget-loader.js",
            headers={"Accept-Encoding": "gzip"}, timeout=10, stream=True,
        )  # fmt: skip
        assert gz.headers["Content-Encoding"] == "gzip"
        app_url = f"http://127.0.0.1:{apps_port}/voila/render/self_check.ipynb"
        assert app_url in "".join(lines)
        app = requests.get(app_url, timeout=60)
        assert app.status_code == 200 and "Self-check practice" in app.text
        # the apps' 5 MB of JavaScript go out compressed (a room shares one Wi-Fi)
        js = requests.get(
            f"http://127.0.0.1:{apps_port}/voila/static/voila.js",
            headers={"Accept-Encoding": "gzip"}, timeout=10, stream=True,
        )  # fmt: skip
        assert js.status_code == 200 and js.headers["Content-Encoding"] == "gzip"
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-2000:]
    # Kernels stopped mid-start print tracebacks; they belong in the log, not the terminal.
    assert "Stopped." in out and "Traceback" not in err and "TCP without encryption" not in err
    log = Path(os.environ["PEERCARE_DATA_DIR"]) / "voila.log"
    assert f"Voila's log: {log}" in "".join(lines)
    assert "Kernel started" in log.read_text() and "Kernel started" not in err
    for port in (book_port, apps_port):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/", timeout=2)


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_serve(
    book_port: int, apps_port: int, sigint_ignored: bool = False
) -> tuple[subprocess.Popen, str]:
    """``sigint_ignored``: started as a shell script's ``cmd &`` starts it (SIGINT ignored)."""
    proc = subprocess.Popen(
        [*PEERCARE, "serve", "--book-port", str(book_port), "--apps-port", str(apps_port),
         "--pool", "1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=_ignore_ctrl_c if sigint_ignored else None,
    )  # fmt: skip
    lines = []
    while not any("Press Ctrl-C" in x for x in lines):
        line = proc.stdout.readline()
        if not line:
            proc.wait(30)
            return proc, "".join(lines) + proc.stderr.read()
        lines.append(line)
    return proc, "".join(lines)


@pytest.mark.build
def test_closing_the_terminal_stops_voila_and_the_ports_can_be_reused_at_once(built_book):
    book_port, apps_port = free_port(), free_port()
    proc, out = _start_serve(book_port, apps_port)
    assert "Press Ctrl-C" in out, out[-2000:]
    app = requests.get(f"http://127.0.0.1:{apps_port}/voila/render/self_check.ipynb", timeout=60)
    assert app.status_code == 200
    os.killpg(proc.pid, signal.SIGHUP)  # the terminal window closed
    assert proc.wait(30) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{apps_port}/", timeout=2)
    # The closed connections leave the ports in TIME-WAIT; a restart must not call them busy.
    again, out = _start_serve(book_port, apps_port)
    try:
        assert "Press Ctrl-C" in out and "busy" not in out, out[-2000:]
    finally:
        os.killpg(again.pid, signal.SIGINT)
        again.communicate(timeout=30)


@pytest.mark.build
def test_ctrl_c_stops_serve_even_when_started_in_the_background(built_book):
    """A script's ``peercare serve &`` starts it with SIGINT ignored; Python then has no
    Ctrl-C handler, and the test suite run that way left serve running for good."""
    proc, out = _start_serve(free_port(), free_port(), sigint_ignored=True)
    assert "Press Ctrl-C" in out, out[-2000:]
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Stopped." in out, err[-2000:]


@pytest.mark.build
def test_voila_dying_is_reported_with_where_its_log_is(built_book):
    proc, out = _start_serve(free_port(), free_port())
    assert "Press Ctrl-C" in out, out[-2000:]
    voila = voila_children(proc.pid)
    assert len(voila) == 1
    os.kill(voila[0], signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    log = Path(os.environ["PEERCARE_DATA_DIR"]) / "voila.log"
    assert "Voila stopped (exit code -9)" in err and str(log) in err
    assert "Traceback" not in err


def test_serve_says_its_kernel_cap_and_guards_the_host(project):
    """A kit folder with a built book (one page) and the real apps: serve prints the cap,
    serves the public host and 127.0.0.1, refuses any other Host, and stops on Ctrl-C."""
    (project / "_build" / "html").mkdir(parents=True)
    (project / "_build" / "html" / "index.html").write_text("<p>book</p>")
    (project / "notebooks").mkdir()
    (project / "notebooks" / "apps").symlink_to(ROOT / "notebooks" / "apps")
    book_port, apps_port = free_port(), free_port()
    proc = subprocess.Popen(
        [*PEERCARE, "serve", "--book-port", str(book_port), "--apps-port", str(apps_port),
         "--pool", "0", "--max-kernels", "3", "--public-url", "https://session.example.org"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        lines = []
        while not any("Press Ctrl-C" in x for x in lines):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()[-2000:]
            lines.append(line)
        out = "".join(lines)
        assert "Kernels:    one per open page, at most 3 pages at once (--max-kernels)" in out
        js = f"http://127.0.0.1:{apps_port}/voila/static/voila.js"
        assert requests.get(js, timeout=30).status_code == 200
        public = requests.get(js, headers={"Host": "session.example.org"}, timeout=30)
        assert public.status_code == 200
        forged = requests.get(js, headers={"Host": "rebind.example"}, timeout=30)
        assert forged.status_code == 403 and "own address" in forged.text
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Stopped." in out, err[-2000:]
