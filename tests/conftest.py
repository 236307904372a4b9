"""Shared fixtures: the real project root, a throwaway project, the built book."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
collect_ignore = ["notebooks"]  # served by Voila in tests, not run by nbval


class Project(type(Path())):
    """A throwaway kit folder with ``_toc.yml`` and ``book/``."""

    def add_bank(self, module: str, text: str) -> Path:
        folder = self / "book" / module
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "questions.yml"
        path.write_text(textwrap.dedent(text))
        return path


@pytest.fixture
def project(tmp_path: Path) -> Project:
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/a/index\n")
    (tmp_path / "book").mkdir()
    return Project(tmp_path)


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the real book once per test run (jupyter-cache keeps re-runs quick)."""
    from peercare.book import build

    return build(ROOT, quiet=True)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        )
    return path


@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL server for the whole run (see tests/postgres.py)."""
    from .postgres import start_server

    server = start_server()
    try:
        yield server
    finally:
        server.stop()
