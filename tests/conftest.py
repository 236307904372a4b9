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
    from peercare.book.build import build

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


# The fast tier (`make test-fast`): no browser, no book build, no PostgreSQL, no Caddy, no Voila,
# JupyterLab or nbgrader course. A test is in the slow tier when it asks for one of these
# fixtures (directly or through another fixture), runs on PostgreSQL, or sits in a module
# that starts those servers itself.
SLOW_FIXTURES = {"built_book", "chromium_path", "postgres", "course", "apps_url", "caddy"}
SLOW_MODULES = {
    "test_cli.py", "test_lab_quiz.py", "test_voila_quiz.py", "test_protocol_load.py",
    "test_durability.py", "test_kernels.py", "test_app_kernel.py", "test_notebooks.py",
    "test_deaf_loop.py", "test_formgrader_lab.py", "test_end_to_end.py",
    "test_voila_guards.py", "test_forged_messages.py", "test_attacks.py",
    "test_candidate_lab.py", "test_identity.py", "test_sandbox.py", "test_postgres.py",
    "test_room_protocol.py", "test_rehearse.py", "test_jupyterhub.py", "test_pool_failures.py",
    "test_scenario_walk.py", "test_page_chunks.py",
}  # fmt: skip


def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if (
            item.get_closest_marker("browser")
            or item.get_closest_marker("build")
            or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
            or "postgresql" in map(str, params.values())
            or item.path.name in SLOW_MODULES
            or item.path.suffix == ".ipynb"
        ):
            item.add_marker(pytest.mark.slow)
