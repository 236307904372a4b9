"""What ``peercare serve`` does with Voila's output (Voila's and its kernels' log lines).

All of it goes to a log file (``<data dir>/voila.log``, rewritten at each start, readable
by its owner only, IP addresses masked) for whoever looks into a session afterwards. The
terminal, where a facilitator watches, gets only warnings and errors, without the routine
ones (``NOISE``), and nothing once stopping began: kernels stopped while still starting
print tracebacks then that mean nothing and alarm people.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
import threading
from pathlib import Path
from typing import IO

# Routine events a facilitator would read as trouble: the two warnings Voila prints for
# every kernel, the idle cull of closed pages' kernels, and the page-close shutdown that
# Voila refuses for a missing _xsrf (voila #1458; the cull frees those kernels instead).
NOISE = (
    "running over TCP without encryption",
    "is not trusted",
    "seconds of inactivity",
    "'_xsrf' argument missing",
)
_HEAD = re.compile(r"^\[[\w.-]+\] (?:(DEBUG|INFO|WARNING|ERROR|CRITICAL) \| )?")
_SHOWN = {"WARNING", "ERROR", "CRITICAL"}
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
# A whole run of hex digits, colons and dots, never started mid-run and never given back
# (possessive): linear time on any line, however long.
_IPV6_LIKE = re.compile(r"(?<![\w:.])[0-9a-fA-F:.]++(?!\w)")


def _ipv6(match: re.Match) -> str:
    text = match[0]
    if ":" not in text or len(text) > 45:  # a time of day, a port, a long hex dump
        return text
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return text
    return text if address.is_loopback else "x:x"


def mask_addresses(line: str) -> str:
    """The line with IP addresses replaced (no participant's address is kept in a log).
    Loopback, where the kit itself listens, stays readable."""
    line = _IPV4.sub(lambda m: m[0] if m[0].startswith("127.") else "x.x.x.x", line)
    return _IPV6_LIKE.sub(_ipv6, line)


class VoilaOutput:
    """Reads Voila's merged stdout/stderr on a thread until it closes."""

    def __init__(self, stream: IO[str], log_path: Path, terminal: IO[str] | None = None):
        self.stream = stream
        self.log_path = log_path
        self.terminal = terminal or sys.stderr
        self._quiet = threading.Event()
        self._thread = threading.Thread(target=self._run, name="voila-output", daemon=True)

    def start(self) -> VoilaOutput:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def stopping(self) -> None:
        """From now on the terminal gets nothing; the log file still gets everything."""
        self._quiet.set()

    def join(self, timeout: float = 10) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        show = False
        fd = os.open(self.log_path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # also when an older, readable log is rewritten
        with open(fd, "w", encoding="utf-8") as log:
            for line in self.stream:
                log.write(mask_addresses(line))
                log.flush()
                head = _HEAD.match(line)
                if head:  # a new record; lines without a head continue the last one
                    show = head[1] in _SHOWN and not any(n in line for n in NOISE)
                if show and not self._quiet.is_set():
                    self.terminal.write(line)
                    self.terminal.flush()
