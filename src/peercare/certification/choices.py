"""Answer buttons for the certification notebooks: a candidate clicks A, B, C or D.

Decision: a click writes ``answer = "B"`` into the question's own answer box (the nbgrader
answer cell above the buttons) and saves the notebook. So the clicked choice and a typed one
are the same thing, the box's text, and grading reads it as data
(:mod:`peercare.certification.answers`); nothing the candidate did runs. Notebook metadata or
saved widget state were the other places to keep it; both are lost or stale when a kernel
restarts, and neither is what the candidate sees in the box. The answer box is an unlocked
answer cell, so nbgrader's checksums (kept for locked and test cells) never change; the
buttons sit in the locked check cell's output, which grading clears.

The buttons are drawn in the browser (``static/choice.js``) and work on JupyterLab's own
notebook model, which ``peercare cert lab`` exposes (``LabApp.expose_app_in_browser``).
"""

from __future__ import annotations

import anywidget
import traitlets

from ..paths import STATIC_DIR


class ChoiceButtons(anywidget.AnyWidget):
    """A, B, C, D buttons for one question (the answer lives in the answer box, not here)."""

    _esm = (STATIC_DIR / "choice.js").read_text(encoding="utf-8")

    number = traitlets.Int(1).tag(sync=True)
    letters = traitlets.List(traitlets.Unicode(), ["A", "B", "C", "D"]).tag(sync=True)
