"""Voila's output: everything to the log (addresses masked), warnings and errors to the
terminal, nothing to the terminal once stopping began."""

from __future__ import annotations

import io
import os

from peercare.serving.voila_output import VoilaOutput, mask_addresses

LINES = [
    "[Voila] Kernel started: 1234\n",
    "[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All ...\n",
    "[Voila] WARNING | Notebook participant.ipynb is not trusted\n",
    "[Voila] WARNING | 404 GET /voila/render/nope.ipynb (203.0.113.9) 2.1ms\n",
    "[Voila] ERROR | Uncaught exception GET /voila/render/x.ipynb\n",
    "Traceback (most recent call last):\n",
    '  File "x.py", line 1\n',
    "[Voila] Kernel shutdown: 1234\n",
    "[Voila] WARNING | Culling 'idle' kernel 'python3' (5678) with 0 connections due to 300 "
    "seconds of inactivity.\n",
    "[Voila] WARNING | 403 DELETE /api/kernels/5678 (127.0.0.1): '_xsrf' argument missing from "
    "POST\n",
]


def _run(lines_before: list[str], lines_after: list[str], tmp_path):
    read, write = os.pipe()
    terminal = io.StringIO()
    with open(read, encoding="utf-8") as stream, open(write, "w", encoding="utf-8") as pipe:
        output = VoilaOutput(stream, tmp_path / "logs" / "voila.log", terminal).start()
        pipe.writelines(lines_before)
        pipe.flush()
        # wait until the reader has seen everything written so far
        for _ in range(200):
            if output.log_path.exists() and output.log_path.read_text().count("\n") == len(
                lines_before
            ):
                break
            output.join(0.02)
        output.stopping()
        pipe.writelines(lines_after)
        pipe.close()
        output.join()
    return terminal.getvalue(), output.log_path.read_text()


def test_terminal_gets_warnings_and_errors_without_per_kernel_noise(tmp_path):
    shown, log = _run(LINES, [], tmp_path)
    assert shown.splitlines() == [
        "[Voila] WARNING | 404 GET /voila/render/nope.ipynb (203.0.113.9) 2.1ms",
        "[Voila] ERROR | Uncaught exception GET /voila/render/x.ipynb",
        "Traceback (most recent call last):",
        '  File "x.py", line 1',
    ]
    assert len(log.splitlines()) == len(LINES)
    assert "Kernel started: 1234" in log and "not trusted" in log
    assert "Culling 'idle'" in log and "_xsrf" in log  # routine: logged, not shown


def test_the_log_keeps_no_ip_address(tmp_path):
    _, log = _run(LINES, [], tmp_path)
    assert "203.0.113.9" not in log and "(x.x.x.x)" in log
    assert mask_addresses("from 2001:db8::1 and 10.0.0.7 at 127.0.0.1:8866") == (
        "from x:x and x.x.x.x at 127.0.0.1:8866"
    )


def test_nothing_reaches_the_terminal_once_stopping_began(tmp_path):
    after = ["[IPKernelApp] ERROR | Exception in message handler:\n", "Traceback (...)\n"]
    shown, log = _run(LINES[:1], after, tmp_path)
    assert shown == ""
    assert "Exception in message handler" in log


def test_a_long_run_of_hex_and_colons_is_left_as_it_is():
    # e.g. a hex dump in a traceback; the first pattern took quadratic time on this
    line = "ab:" * 100_000 + "z"
    assert mask_addresses(line) == line


def test_the_log_is_readable_by_its_owner_only(tmp_path):
    log = tmp_path / "logs" / "voila.log"
    log.parent.mkdir()
    log.write_text("from an older run\n")
    log.chmod(0o644)  # as an older kit left it
    _run(LINES[:1], [], tmp_path)
    assert log.stat().st_mode & 0o777 == 0o600
    assert "older run" not in log.read_text()
