"""Small-cell suppression: hide groups smaller than the threshold, and enough others that
the hidden ones cannot be worked out from totals.

Rules (``threshold`` defaults to 5 and is an argument everywhere):

* primary: a group of 1 to ``threshold - 1`` people is hidden; a total under the
  threshold hides its whole table;
* complementary, along any line that adds up to a shown total (the groups of one
  breakdown, a row or a column of a table): never exactly one hidden entry, and the hidden
  groups together hold at least ``threshold`` people; the smallest visible groups are
  hidden until that holds;
* two-way count tables are then checked with linear programming: for every hidden cell
  the lowest and highest values consistent with everything shown must differ; if not,
  one more cell in its row or column is hidden, until no hidden cell can be recovered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from .. import live

DEFAULT_THRESHOLD = 5
HIDDEN = "hidden"
TOTAL = "Total"


def explain(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The plain-language note that goes under every suppressed table."""
    return (
        f"'{HIDDEN}': fewer than {threshold} people, or hidden as well so that a small group "
        "cannot be worked out from the totals."
    )


def protect_line(sizes, threshold: int = DEFAULT_THRESHOLD, hidden=None, prefer=None) -> np.ndarray:
    """Which groups of one breakdown to hide, given their sizes and a shown total: the
    dashboard's rule, :func:`peercare.live.protect_line`, as a boolean array."""
    flags = [None if f is None else np.asarray(f, dtype=bool).tolist() for f in (hidden, prefer)]
    sizes = np.asarray(sizes, dtype=float).tolist()
    return np.array(live.protect_line(sizes, threshold, *flags), dtype=bool)


def _lines(shape: tuple[int, int]):
    """Every row and column of a table with a total row and column last."""
    rows, cols = shape
    for i in range(rows):
        yield True, [(i, j) for j in range(cols)]
    for j in range(cols):
        yield False, [(i, j) for i in range(rows)]


def recoverable(table: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int]]:
    """Hidden cells of a table with totals (last row and column) whose value is fixed by
    what is shown: the smallest and largest values the shown numbers allow are equal."""
    cells = [tuple(c) for c in np.argwhere(hidden)]
    if not cells:
        return []
    index = {c: k for k, c in enumerate(cells)}
    a_eq, b_eq = [], []
    for _, line in _lines(table.shape):
        row, rhs = np.zeros(len(cells)), 0.0
        for pos, cell in enumerate(line):
            sign = -1.0 if pos == len(line) - 1 else 1.0  # parts minus total is zero
            if cell in index:
                row[index[cell]] += sign
            else:
                rhs -= sign * table[cell]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    fixed = []
    for k, cell in enumerate(cells):
        c = np.zeros(len(cells))
        c[k] = 1.0
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if lo.status == 0 and hi.status == 0 and -hi.fun - lo.fun < 0.5:
            fixed.append(cell)
    return fixed


def suppress_counts(counts: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD):
    """A two-way table of counts with totals, and the mask of what to hide.

    Returns ``(table, hidden)``: the table with a ``Total`` row and column added, and a
    boolean frame of the same shape.
    """
    table = counts.astype(int).copy()
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    values = table.to_numpy(dtype=float)
    if values[-1, -1] < threshold:
        return table, pd.DataFrame(True, index=table.index, columns=table.columns)
    hide = (values > 0) & (values < threshold)
    while True:
        before = hide.copy()
        for is_row, line in _lines(values.shape):
            idx = tuple(np.array(line).T)
            parts, part_hide = values[idx][:-1], hide[idx][:-1]
            if not hide[idx][-1]:
                # prefer cells whose other line already hides something: closes a rectangle
                prefer = hide.any(axis=0)[idx[1][:-1]] if is_row else hide.any(axis=1)[idx[0][:-1]]
                part_hide = protect_line(parts, threshold, part_hide, prefer)
            elif not part_hide.any() and (parts > 0).any():
                part_hide[np.argmin(np.where(parts > 0, parts, np.inf))] = True
            hide[idx[0][:-1], idx[1][:-1]] |= part_hide
        if (hide == before).all():
            fixed = recoverable(values, hide)
            if not fixed:
                break
            _hide_partner(values, hide, fixed[0])
    return table, pd.DataFrame(hide, index=table.index, columns=table.columns)


def _hide_partner(values: np.ndarray, hide: np.ndarray, cell: tuple[int, int]) -> None:
    """Hide the smallest visible non-zero cell in the same row or column as ``cell``."""
    i, j = cell
    options = [(i, jj) for jj in range(values.shape[1])] + [
        (ii, j) for ii in range(values.shape[0])
    ]
    options = [c for c in options if not hide[c] and values[c] > 0]
    if not options:
        options = [c for c in zip(*np.where(~hide), strict=True)]
    if not options:
        return
    last = (values.shape[0] - 1, values.shape[1] - 1)
    hide[min(options, key=lambda c: (c[0] == last[0] or c[1] == last[1], values[c]))] = True


def mask(frame: pd.DataFrame, hidden, columns=None) -> pd.DataFrame:
    """The frame as text with hidden cells replaced by ``hidden``.

    ``hidden`` is a boolean frame of the same shape, or a boolean per row (then the
    given ``columns``, or all, are hidden in those rows).
    """
    out = frame.astype(object).copy()
    if isinstance(hidden, pd.DataFrame):
        out = out.mask(hidden.reindex_like(out).fillna(False).astype(bool), HIDDEN)
    else:
        rows = np.asarray(hidden, dtype=bool)
        cols = list(columns) if columns is not None else list(out.columns)
        out.loc[rows, cols] = HIDDEN
    return out
