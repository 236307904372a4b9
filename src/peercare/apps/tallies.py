"""A tally as an HTML table, for the facilitator's dashboard and the room screen."""

from __future__ import annotations

import html

from .. import live

NOT_SHOWN = "not shown"


def tally_table(tally: live.Tally, labels: dict[str, str] | None = None, caption: str = "") -> str:
    """An HTML table of one tally, with the tally's note (what it shows and holds back)."""
    labels = labels or {}
    rows = []
    for answer, count in tally.counts.items():
        shown = NOT_SHOWN if count is None else str(count)
        rows.append(
            f"<tr><th scope='row'>{html.escape(labels.get(answer, answer))}</th>"
            f"<td>{shown}</td></tr>"
        )
    total = NOT_SHOWN if tally.total is None else str(tally.total)
    note = f"<p class='pc-note'>{html.escape(tally.note)}</p>" if tally.note else ""
    return (
        f"<table class='pc-tally'><caption>{html.escape(caption or tally.item)}</caption>"
        f"<thead><tr><th scope='col'>Answer</th><th scope='col'>People</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody><tfoot><tr><th scope='row'>Counted</th>"
        f"<td>{total}</td></tr></tfoot></table>{note}"
    )
