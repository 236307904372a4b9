"""A throwaway PostgreSQL server for tests: Debian's server (``apt-get install postgresql``;
.ci/run installs it), on 127.0.0.1 with a cluster in a temporary folder, run as the
``postgres`` user when the tests run as root. When it cannot start, tests FAIL with the
reason (never skipped). The ``postgres`` fixture (tests/conftest.py) starts one per run.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from peercare.serving.serve import free_port


def _bindir() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not found:
        pytest.fail(
            "PostgreSQL is not installed, so the store cannot be tested on it: "
            "apt-get install postgresql (.ci/run does this)",
            pytrace=False,
        )
    return Path(found[-1]).parent


class PostgresServer:
    """A throwaway cluster: ``url(db)`` for a database, ``new_database()`` for a fresh one."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="peercare-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = 0
        self.prefix: list[str] = []
        self._names = itertools.count(1)
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail("no 'postgres' user to run PostgreSQL as", pytrace=False)
            os.chown(self.base, user.pw_uid, user.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [*self.prefix, *args]
        try:
            return subprocess.run(
                command, capture_output=True, text=True, timeout=120, cwd=self.base
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return subprocess.CompletedProcess(command, 127, "", str(exc))

    def start(self) -> None:
        init = self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        if init.returncode:
            self.fail("initdb failed", init)
        for _ in range(3):  # a port picked as free can be taken before the server binds it
            self.port = free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200"
            )
            started = self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                "-o", options, "-w", "-t", "60", "start",
            )  # fmt: skip
            if started.returncode == 0:
                return
        self.fail("PostgreSQL did not start", started)

    def fail(self, what: str, proc: subprocess.CompletedProcess) -> None:
        log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
        self.stop()
        pytest.fail(
            f"{what} (exit {proc.returncode}); the store tests need a real PostgreSQL server.\n"
            f"{proc.stdout[-1500:]}\n{proc.stderr[-1500:]}\n{log}",
            pytrace=False,
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self, template: str | None = None) -> str:
        name = f"t{next(self._names)}"
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                clause = f" TEMPLATE {template}" if template else ""
                conn.execute(text(f"CREATE DATABASE {name}{clause}"))
        finally:
            engine.dispose()
        return self.url(name)


def start_server():
    """Start a server (the ``postgres`` fixture's body); the caller stops it."""
    server = PostgresServer(_bindir())
    server.start()
    return server
