"""A candidate's notebook checked in plain words, before they submit it:
"Still empty: 7 to 20. Check the form of: 2, 4." Answers are read as data
(:func:`peercare.certification.answers.read_answer`); nothing in the notebook is run."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .answers import FORM, read_answer
from .course import CertError

# what nbgrader leaves in a written answer's box (grading/nbgrader_config.py's text_stub)
TEXT_STUB = "Type your answer here."
_QUESTION = re.compile(r"Question (\d+)")
_HEADING = re.compile(r"^#+\s*(.+)$", re.MULTILINE)


def _label(cell: dict, before: dict | None) -> str:
    for source in (_source(cell), _source(before) if before else ""):
        if m := _QUESTION.search(source):
            return m.group(1)
    if before and (m := _HEADING.search(_source(before))):
        return f"“{m.group(1).strip()}”"
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "?")


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def spans(labels: list[str]) -> str:
    """``["7", "8", "9", "12"]`` as ``7 to 9, 12``; other labels as they are."""
    out: list[str] = []
    run: list[int] = []

    def flush():
        if run:
            out.append(f"{run[0]} to {run[-1]}" if len(run) > 2 else ", ".join(map(str, run)))
            run.clear()

    for label in labels:
        if label.isdigit() and (not run or int(label) == run[-1] + 1):
            run.append(int(label))
        elif label.isdigit():
            flush()
            run.append(int(label))
        else:
            flush()
            out.append(label)
    flush()
    return ", ".join(out)


def check_cells(cells: list[dict]) -> tuple[list[str], list[str]]:
    """The labels of answer boxes still empty, and of boxes not in the expected form."""
    empty, form = [], []
    before = None
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            label = _label(cell, before)
            text = _source(cell).strip()
            if cell.get("cell_type") == "code":
                answer = read_answer(text)
                if not answer.ok:
                    form.append(label)
                elif not answer.value.strip():
                    empty.append(label)
            elif not text or text.startswith(TEXT_STUB):
                empty.append(label)
        if cell.get("cell_type") == "markdown":
            before = cell
    return empty, form


def check_message(cells: list[dict]) -> str:
    empty, form = check_cells(cells)
    parts = []
    if empty:
        parts.append(f"Still empty: {spans(empty)}.")
    if form:
        parts.append(f"Check the form of: {spans(form)}. Each box needs one answer, like {FORM}.")
    return " ".join(parts) or "Every question has an answer. You can submit."


def check_notebook(path: Path) -> str:
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        cells = nb["cells"]
        if not isinstance(cells, list):
            raise TypeError
    except FileNotFoundError:
        raise CertError(f"No notebook at {path}") from None
    except (ValueError, KeyError, TypeError):
        raise CertError(f"{path} is not a notebook this course can read") from None
    return check_message([c for c in cells if isinstance(c, dict)])
