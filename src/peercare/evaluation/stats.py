"""Statistics: paired change (t-test, Wilcoxon, d_z with CI), Cronbach's alpha, item-rest r.

Each result is checked against SciPy's own functions in ``tests/evaluation``.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize, stats

NAN = float("nan")


@dataclass(frozen=True)
class PairedChange:
    """Before/after on the same people: means, change with CI, tests and d_z with CI."""

    n: int
    mean_before: float
    mean_after: float
    change: float
    change_low: float
    change_high: float
    t: float
    p_t: float
    w: float
    p_wilcoxon: float
    dz: float
    dz_low: float
    dz_high: float

    def as_dict(self) -> dict:
        return asdict(self)


def dz_interval(dz: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact CI of d_z by inverting the noncentral t distribution of t = d_z * sqrt(n)."""
    if n < 2 or not np.isfinite(dz):
        return NAN, NAN
    df, t = n - 1, dz * np.sqrt(n)
    alpha = 1 - confidence
    spread = 10 * np.sqrt(1 + t * t / (2 * df)) + 5

    def gap(nc: float, target: float) -> float:
        p = stats.nct.cdf(t, df, nc)  # falls from 1 to 0 as nc grows; NaN far in a tail
        return (0.0 if nc > t else 1.0) - target if np.isnan(p) else p - target

    def ncp(target: float) -> float:
        return optimize.brentq(gap, t - spread, t + spread, args=(target,), xtol=1e-10)

    return ncp(1 - alpha / 2) / np.sqrt(n), ncp(alpha / 2) / np.sqrt(n)


def paired_change(before, after, confidence: float = 0.95) -> PairedChange:
    """Compare paired scores; pairs with a missing value on either side are left out."""
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    keep = np.isfinite(before) & np.isfinite(after)
    before, after = before[keep], after[keep]
    n = len(before)
    if n < 2:
        m = (NAN if n == 0 else before.mean(), NAN if n == 0 else after.mean())
        return PairedChange(n, *m, *(NAN,) * 10)
    diff = after - before
    mean, sd = diff.mean(), diff.std(ddof=1)
    se = sd / np.sqrt(n)
    q = stats.t.ppf(0.5 + confidence / 2, n - 1)
    if sd > 0:
        t = mean / se
        p_t = 2 * stats.t.sf(abs(t), n - 1)
        dz = mean / sd
        dz_low, dz_high = dz_interval(dz, n, confidence)
    else:
        t = p_t = dz = dz_low = dz_high = NAN
    if np.any(diff != 0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = stats.wilcoxon(after, before)
        w, p_w = float(res.statistic), float(res.pvalue)
    else:
        w, p_w = NAN, NAN
    return PairedChange(
        n,
        float(before.mean()),
        float(after.mean()),
        float(mean),
        float(mean - q * se),
        float(mean + q * se),
        float(t),
        float(p_t),
        w,
        p_w,
        float(dz),
        float(dz_low),
        float(dz_high),
    )


def cronbach_alpha(items, confidence: float = 0.95) -> tuple[float, float, float]:
    """Alpha of a respondents-by-items matrix (complete rows) with Feldt's CI."""
    x = np.asarray(items, dtype=float)
    x = x[np.isfinite(x).all(axis=1)]
    n, k = x.shape
    if k < 2 or n < 3:
        return NAN, NAN, NAN
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return NAN, NAN, NAN
    alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var)
    d1, d2 = n - 1, (n - 1) * (k - 1)
    g = 1 - confidence
    low = 1 - (1 - alpha) * stats.f.ppf(1 - g / 2, d1, d2)
    high = 1 - (1 - alpha) * stats.f.ppf(g / 2, d1, d2)
    return float(alpha), float(low), float(high)


def rest_score(points, max_score=None):
    """A function ``rest(j) -> (rows, rest)``: who answered item ``j`` (and another item)
    and the share of the available points they earned on the other items they answered."""
    x = np.asarray(points, dtype=float)
    top = np.ones(x.shape[1]) if max_score is None else np.asarray(max_score, dtype=float)
    answered = np.isfinite(x)
    got = np.where(answered, x, 0.0)
    avail = answered * top
    got_sum, avail_sum = got.sum(axis=1), avail.sum(axis=1)

    def rest(j: int) -> tuple[np.ndarray, np.ndarray]:
        denom = avail_sum - avail[:, j]
        rows = answered[:, j] & (denom > 0)
        return rows, (got_sum[rows] - got[rows, j]) / denom[rows]

    return rest


def item_rest(points, max_score=None) -> np.ndarray:
    """Per item, its correlation with the rest score (point-biserial for 0/1 items).

    With complete data this is the corrected item-total correlation; missing answers
    (NaN) are left out item by item.
    """
    x = np.asarray(points, dtype=float)
    rest = rest_score(x, max_score)
    r = np.full(x.shape[1], NAN)
    for j in range(x.shape[1]):
        rows, other = rest(j)
        if rows.sum() >= 3:
            r[j] = corr(x[rows, j], other)
    return r


def alpha_if_dropped(items) -> np.ndarray:
    """Cronbach's alpha with each item left out (complete respondents-by-items matrix)."""
    x = np.asarray(items, dtype=float)
    n, k = x.shape
    if n < 3 or k < 3:
        return np.full(k, NAN)
    xc = x - x.mean(axis=0)
    total = xc.sum(axis=1)
    var_i = (xc**2).sum(axis=0) / (n - 1)
    cov_it = (xc * total[:, None]).sum(axis=0) / (n - 1)
    var_rest = (total**2).sum() / (n - 1) - 2 * cov_it + var_i
    with np.errstate(invalid="ignore", divide="ignore"):
        return (k - 1) / (k - 2) * (1 - (var_i.sum() - var_i) / var_rest)


def corr(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson's r; NaN when either side does not vary."""
    a, b = a - a.mean(), b - b.mean()
    denom = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denom) if denom > 0 else NAN
