"""Self-check practice: any chapter's quiz, for a group session. Nothing is stored."""

from __future__ import annotations

import ipywidgets as w
from IPython.display import display

from ..book.quiz import Quiz
from ..content.bank import BankError, load_all


def self_check_app(root=None) -> w.VBox:
    """A chapter picker and that chapter's quiz (progress is not kept between visits)."""
    try:
        banks = load_all(root)
    except BankError as exc:
        box = w.VBox(
            [
                w.HTML("<p><strong>The question banks have a problem:</strong></p>"),
                w.Textarea(value=str(exc), disabled=True, layout={"width": "100%"}),
            ]
        )
        display(box)
        return box
    picker = w.Dropdown(
        options=[(b.title.removeprefix("Self-check: "), m) for m, b in banks.items()],
        description="Chapter",
        layout={"width": "100%", "max_width": "30rem"},
    )
    holder = w.Box()

    def show(change=None):
        holder.children = [Quiz(banks[picker.value], persist=False)]

    picker.observe(show, names="value")
    show()
    box = w.VBox([picker, holder])
    display(box)
    return box
