"""The research notebooks: stripped and thin, and the report renders as a page.

nbval runs every notebook (pyproject testpaths include notebooks/ with --nbval-lax).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from peercare.content.bank import load_all
from peercare.evaluation.dataset import DATA_ENV
from peercare.evaluation.demo import write_demo

from .test_report import assert_no_leak, crafted_folder

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks" / "research"
NAMES = [
    "01_data_check",
    "02_knowledge_prepost",
    "03_reaction_retrospective",
    "04_item_analysis",
    "05_report",
]


def _env(data: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != DATA_ENV}
    if data is not None:
        env[DATA_ENV] = str(data)
    return env


def render_report(data: Path, out: Path) -> str:
    cmd = [
        sys.executable,
        "-m",
        "nbconvert",
        "--to",
        "html",
        "--no-input",
        "--execute",
        "--ExecutePreprocessor.timeout=300",
        "--output-dir",
        str(out),
        str(NOTEBOOKS / "05_report.ipynb"),
    ]
    done = subprocess.run(cmd, env=_env(data), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return (out / "05_report.html").read_text(encoding="utf-8")


def test_notebooks_are_there_and_stripped():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == NAMES
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, name
                assert len(cell.source.splitlines()) <= 6, f"{name}: keep notebooks thin"


@pytest.fixture(scope="module")
def real_banks():
    return load_all()


def test_report_page_on_demo_data(tmp_path, real_banks):
    data = write_demo(tmp_path / "demo", n=150, banks=real_banks)
    soup = BeautifulSoup(render_report(data, tmp_path / "out"), "html.parser")
    text = soup.get_text()
    assert soup.find(class_="pc-synthetic") and "Synthetic demo data" in text
    assert "build_report" not in text  # --no-input: no code on the page
    images = soup.find_all("img")
    assert len(images) >= 5 and all(img.get("alt", "").strip() for img in images)


def test_report_page_leaks_nothing_on_crafted_data(tmp_path, real_banks):
    data = crafted_folder(tmp_path / "real", real_banks, synthetic=False)
    html = render_report(data, tmp_path / "out")
    assert_no_leak(html)
    assert "synthetic" not in BeautifulSoup(html, "html.parser").body.get_text().lower()
