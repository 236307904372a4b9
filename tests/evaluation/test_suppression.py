"""Small-cell suppression on crafted tables: nothing hidden can be worked back out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from peercare.evaluation.suppression import HIDDEN, mask, protect_line, suppress_counts


def bounds_from_shown(shown: pd.DataFrame) -> dict[tuple[int, int], tuple[float, float]]:
    """What an outsider can learn: for each hidden cell of a published table with totals,
    the smallest and largest whole-table-consistent values (by linear programming)."""
    values = shown.to_numpy(dtype=object)
    cells = [(i, j) for i, j in np.ndindex(values.shape) if values[i, j] == HIDDEN]
    var = {c: k for k, c in enumerate(cells)}
    rows, cols = values.shape
    a_eq, b_eq = [], []
    lines = [[(i, j) for j in range(cols)] for i in range(rows)]
    lines += [[(i, j) for i in range(rows)] for j in range(cols)]
    for line in lines:
        coef, rhs = np.zeros(len(cells)), 0.0
        for pos, cell in enumerate(line):
            sign = -1 if pos == len(line) - 1 else 1
            if cell in var:
                coef[var[cell]] += sign
            else:
                rhs -= sign * float(values[cell])
        a_eq.append(coef)
        b_eq.append(rhs)
    out = {}
    for cell, k in var.items():
        c = np.zeros(len(cells))
        c[k] = 1
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        hi = -linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        out[cell] = (lo, hi)
    return out


def publish(counts, threshold=5):
    table, hidden = suppress_counts(pd.DataFrame(counts), threshold)
    return table, mask(table, hidden)


def assert_safe(counts, threshold=5):
    table, shown = publish(counts, threshold)
    raw = table.to_numpy()
    small = (raw > 0) & (raw < threshold)
    assert (shown.to_numpy()[small] == HIDDEN).all(), "a small cell is shown"
    for cell, (lo, hi) in bounds_from_shown(shown).items():
        assert hi - lo >= 1, f"hidden cell {cell} (= {raw[cell]}) is fixed at {lo}"
    return shown


def test_a_single_small_cell_gets_complements_in_its_row_and_column():
    shown = assert_safe([[20, 3, 15], [12, 9, 30], [8, 14, 22]])
    assert shown.iloc[0, 1] == HIDDEN
    assert (shown.iloc[0, :3] == HIDDEN).sum() >= 2  # row
    assert (shown.iloc[:3, 1] == HIDDEN).sum() >= 2  # column
    assert shown.iloc[3, 3] == 133  # the grand total stays


def test_without_complements_the_small_cell_would_be_recoverable():
    table, hidden = suppress_counts(pd.DataFrame([[20, 3, 15], [12, 9, 30], [8, 14, 22]]))
    primary_only = hidden & False
    primary_only.iloc[0, 1] = True
    lo, hi = bounds_from_shown(mask(table, primary_only))[(0, 1)]
    assert lo == hi == 3  # which is why complementary suppression is needed


def test_a_small_column_total_is_hidden_too():
    # site D has 3 people in all: its column total is small as well
    shown = assert_safe([[20, 0, 15, 0], [12, 9, 30, 0], [8, 14, 22, 3]])
    assert shown.iloc[3, 3] == HIDDEN and shown.iloc[2, 3] == HIDDEN


def test_zeros_are_not_small_cells():
    shown = assert_safe([[20, 0], [30, 40]])
    assert (shown.to_numpy() != HIDDEN).all()


def test_a_tiny_grand_total_hides_everything():
    shown = publish([[1, 2], [0, 1]])[1]
    assert (shown.to_numpy() == HIDDEN).all()


def test_several_small_cells_and_a_higher_threshold():
    assert_safe([[2, 40, 1], [35, 4, 50], [3, 60, 70]])
    shown = assert_safe([[6, 40, 12], [35, 9, 50], [11, 60, 70]], threshold=10)
    assert shown.iloc[0, 0] == HIDDEN and shown.iloc[1, 1] == HIDDEN


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_never_leak(seed):
    rng = np.random.default_rng(seed)
    shape = rng.integers(2, 5, size=2)
    counts = rng.choice(
        [0, 1, 2, 3, 4, 6, 9, 15, 30], size=shape, p=[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15, 0.15]
    )
    assert_safe(counts, threshold=int(rng.choice([3, 5, 10])))


def test_protect_line_primary_and_complementary():
    assert list(protect_line([30, 3, 20, 8])) == [False, True, False, True]
    # two small groups together are still under the threshold: one more is hidden
    assert list(protect_line([30, 1, 2, 40])) == [True, True, True, False]
    assert list(protect_line([30, 20])) == [False, False]
    assert list(protect_line([2, 1])) == [True, True]  # the total itself is small
    assert list(protect_line([12, 4, 9], threshold=10)) == [False, True, True]
    assert list(protect_line([0, 0])) == [False, False]


def test_protect_line_prefers_marked_groups():
    assert list(protect_line([3, 10, 12], prefer=[False, False, True])) == [True, False, True]


def test_mask_rows_and_cells():
    frame = pd.DataFrame({"n": [3, 40], "mean": [1.5, 2.5]})
    assert mask(frame, [True, False]).loc[0].tolist() == [HIDDEN, HIDDEN]
    assert mask(frame, [True, False], columns=["mean"]).loc[0].tolist() == [3, HIDDEN]
    cells = pd.DataFrame({"n": [True, False], "mean": [False, False]})
    assert mask(frame, cells).loc[0].tolist() == [HIDDEN, 1.5]
