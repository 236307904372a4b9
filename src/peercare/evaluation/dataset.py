"""A data folder as one dataset: the CSV files of :mod:`.tables` plus any live-session
exports (:mod:`.sessions`) found beside them, checked together; every problem is raised at
once (:class:`~peercare.evaluation.errors.DataError`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..content.instruments import load_instrument
from .errors import DataError
from .sessions import combine, export_files, read_exports
from .tables import Responses, Scores, load_responses, load_scores

# -- a folder of exports -----------------------------------------------------------------
FILES = {
    "knowledge": "knowledge.csv",
    "reaction": "reaction.csv",
    "retrospective": "retrospective.csv",
    "quiz": "quiz.csv",
    "certification": "certification.csv",
}
DATA_ENV = "PEERCARE_EVAL_DATA"


@dataclass
class Dataset:
    """Everything found in one data folder; a missing file is ``None``."""

    folder: Path
    knowledge: Responses | None = None
    reaction: Responses | None = None
    retrospective: Responses | None = None
    quiz: Responses | None = None
    certification: Scores | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def parts(self) -> dict[str, Responses | Scores]:
        return {k: getattr(self, k) for k in FILES if getattr(self, k) is not None}

    @property
    def synthetic(self) -> bool:
        return any(p.synthetic for p in self.parts.values())


def default_folder(banks=None) -> Path:
    """``$PEERCARE_EVAL_DATA`` if set; else the demo folder ``data/demo/``, written first
    when it is missing or was made from older question banks."""
    from .demo import ensure_demo

    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser() if env else ensure_demo(banks=banks)


def open_data(folder: str | Path | None = None, banks=None) -> Dataset:
    """Load and check every known file in a folder (default: :func:`default_folder`);
    all problems are raised together."""
    from ..content.bank import load_all

    banks = load_all() if banks is None else banks
    folder = default_folder(banks) if folder is None else folder
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError([f"{folder}: no such folder"])
    data, problems = Dataset(folder), []
    missing = [part for part, filename in FILES.items() if not (folder / filename).is_file()]
    for part in (p for p in FILES if p not in missing):
        try:
            setattr(data, part, load_part(folder, part, banks))
        except DataError as exc:
            problems += exc.problems
    problems += _add_session_exports(data, banks)
    if problems:
        raise DataError(problems)
    for part in missing:
        if getattr(data, part) is None:  # not in a session export either
            data.notes.append(f"{FILES[part]} is not in {folder}; that part is skipped.")
    return data


def _add_session_exports(data: Dataset, banks) -> list[str]:
    """Add the folder's live-session exports (:mod:`.sessions`) to the parts they hold."""
    from ..content.instruments import from_banks
    from ..contract import EVALUATION_PARTS

    if not export_files(data.folder):
        return []
    instruments = {
        p: from_banks(banks) if p == "quiz" else load_instrument(p, banks=banks)
        for p in EVALUATION_PARTS
    }
    try:
        found, notes = read_exports(data.folder, instruments)
        for part, responses in found.items():
            before = getattr(data, part)
            setattr(data, part, responses if before is None else combine([before, responses]))
            data.notes.append(f"{part}: {responses.n_respondents} respondent(s) from sessions.")
    except DataError as exc:
        return exc.problems
    data.notes += notes
    return []


def load_part(folder: str | Path, part: str, banks=None) -> Responses | Scores:
    """One file of a data folder (``knowledge``, ``quiz``, ...), checked."""
    from ..content.bank import load_all
    from ..content.instruments import from_banks

    path = Path(folder) / FILES[part]
    if part == "certification":
        return load_scores(path)
    if part in ("quiz", "knowledge") and banks is None:
        banks = load_all()
    inst = from_banks(banks) if part == "quiz" else load_instrument(part, banks=banks)
    return load_responses(path, inst)
