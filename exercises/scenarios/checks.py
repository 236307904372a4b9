"""Check your work: lists the written answers in this notebook that are still empty.

The notebook runs ``report_missing_answers("<this notebook>.ipynb")`` in its last box; the
Validate button runs it too. It only reads this notebook's own file.
"""

import json
import os
from pathlib import Path

STUB = "Type your answer here."


class StillEmpty(Exception):
    """Some answers are still empty. The message says which ones."""


def _heading(cells: list, index: int) -> str:
    for cell in reversed(cells[:index]):
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", "")).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return f"box {index + 1}"


def missing_answers(notebook: str) -> list[str]:
    """The headings of written answers that are empty or still show the prompt."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    missing = []
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("solution") or cell.get("cell_type") != "markdown":
            continue
        text = "".join(cell.get("source", "")).strip()
        if not text or text.startswith(STUB):
            missing.append(_heading(cells, i))
    return missing


def report_missing_answers(notebook: str) -> None:
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        print("Grading: a lead trainer reads the written answers.")
        return
    if not Path(notebook).exists():
        print(f"Save the notebook as {notebook} first, then run this box again.")
        return
    missing = missing_answers(notebook)
    if missing:
        raise StillEmpty(
            f"{len(missing)} written answer(s) still empty: "
            + "; ".join(missing)
            + ". Write in each box, save, then check again."
        )
    print("All written answers have text. Save, then submit when you are ready.")
