"""Helpers for this notebook's boxes. They never stop your work with an error.

- ``choose(number, answer)`` shows the A, B, C, D buttons under a question. A click writes
  your letter into the answer box above them. When grading, it gives the letter in one plain
  form (``"B"``); the answer box itself is read as text, never run.
- ``report_missing_answers("<this notebook>.ipynb")`` says in plain words what is still empty.
"""

import json
import os
from pathlib import Path

STUB = "Type your answer here."


def _grading() -> bool:
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def choose(number, answer=None):
    """The buttons for one question (not when grading); the answer as one capital letter."""
    given = answer.strip().upper() if type(answer) is str else ""
    if not _grading():
        try:
            from IPython.display import display

            from peercare.certification.choices import ChoiceButtons
        except ImportError:
            print(f"Question {number}: type A, B, C or D between the quotes in the box above.")
        else:
            display(ChoiceButtons(number=number))
    return given


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
            heading = next(
                (
                    line.lstrip("#").strip()
                    for before in reversed(cells[:i])
                    if before.get("cell_type") == "markdown"
                    for line in "".join(before.get("source", "")).splitlines()
                    if line.startswith("#")
                ),
                f"box {i + 1}",
            )
            missing.append(heading)
    return missing


def report_missing_answers(notebook: str) -> None:
    """Prints what is still empty (the saved notebook); never raises."""
    if _grading():
        print("Grading: a lead trainer reads the written answers.")
        return
    if not Path(notebook).exists():
        print(f"Save the notebook as {notebook} first, then run this box again.")
        return
    try:
        from peercare.certification.check import check_notebook
    except ImportError:
        missing = missing_answers(notebook)
        message = (
            "Still empty: " + "; ".join(missing) + "." if missing else "Every answer has text."
        )
    else:
        message = check_notebook(Path(notebook))
    print(message + " (This reads the saved notebook: save first with Ctrl+S.)")
