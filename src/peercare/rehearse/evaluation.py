"""Stage "evaluation": the session exports and the certification scores in one data
folder, the five research notebooks executed on it, and the report page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..evaluation.dataset import DATA_ENV, open_data
from ..evaluation.prepost import EVERYONE, knowledge_change
from ..evaluation.report import build_report
from ..paths import project_root
from .progress import Progress

NOTEBOOK_TIMEOUT = 600


@dataclass
class EvaluationRun:
    folder: Path
    report: Path
    notebooks: list[Path]
    read: dict[str, int] = field(default_factory=dict)  # answers read, per app
    change: tuple[float, float, float] | None = None  # pre/post change, its 95% CI
    failed_notebooks: list[str] = field(default_factory=list)


def answers_read(data) -> dict[str, int]:
    """Answers the evaluation kit read, per app of the export: every answer cell of the
    instruments it analyses, and the answers it only counts (its notes say how many)."""
    from ..contract import EVALUATION_PARTS, PAUSE
    from .checks import LIVE_ONLY

    read: dict[str, int] = {}
    for part, responses in data.parts.items():
        if part in EVALUATION_PARTS:
            cells = responses.answers[responses.instrument.columns].notna().to_numpy().sum()
            app = EVALUATION_PARTS[part]
            read[app] = read.get(app, 0) + int(cells)
    for note in data.notes:
        if found := re.search(r": (\d+) pause requests$", note):
            read[PAUSE] = read.get(PAUSE, 0) + int(found.group(1))
        if found := re.match(r"(\d+) check-in, scenario and question answer", note):
            read[LIVE_ONLY] = int(found.group(1))
    return read


def run_notebooks(folder: Path, out: Path, root: Path) -> tuple[list[Path], list[str]]:
    """Execute the research notebooks on ``folder`` (as an evaluator would, with
    ``PEERCARE_EVAL_DATA`` set); the executed copies go to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    notebooks = sorted((root / "notebooks" / "research").glob("*.ipynb"))
    env = {**os.environ, DATA_ENV: str(folder)}
    proc = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
         f"--ExecutePreprocessor.timeout={NOTEBOOK_TIMEOUT}", "--output-dir", str(out),
         *map(str, notebooks)],
        env=env, cwd=root, capture_output=True, text=True,
    )  # fmt: skip
    (out / "nbconvert.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    done = [out / nb.name for nb in notebooks]
    failed = [nb.name for nb, path in zip(notebooks, done, strict=True) if not path.is_file()]
    if proc.returncode and not failed:
        failed = ["nbconvert exited with an error (see nbconvert.log)"]
    return done, failed


def run_evaluation(exports: list[Path], scores: Path | None, out: Path, threshold: int,
                   root: Path | None = None) -> EvaluationRun:  # fmt: skip
    root = root or project_root()
    progress = Progress("evaluation", 3)
    folder = out / "data"
    folder.mkdir(parents=True, exist_ok=True)
    for path in exports:
        shutil.copy(path, folder / path.name)
    if scores is not None and scores.is_file():
        shutil.copy(scores, folder / "certification.csv")
    data = open_data(folder)
    run = EvaluationRun(folder, out / "report.html", [])
    run.read = answers_read(data)
    if data.knowledge is not None:
        table = knowledge_change(data.knowledge, threshold)
        row = table.stats.loc[EVERYONE]
        run.change = (float(row["change"]), float(row["change_low"]), float(row["change_high"]))
    progress.step(f"read {len(exports)} session export(s): {sum(run.read.values())} answers")
    build_report(data, threshold=threshold).write(run.report)
    progress.step(f"report page: {run.report}")
    run.notebooks, run.failed_notebooks = run_notebooks(folder, out / "notebooks", root)
    progress.step(f"{len(run.notebooks) - len(run.failed_notebooks)} of "
                  f"{len(run.notebooks)} research notebooks executed")  # fmt: skip
    return run
