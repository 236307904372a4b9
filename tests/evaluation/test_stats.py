"""The statistics agree with SciPy's own reference computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from peercare.evaluation.stats import (
    alpha_if_dropped,
    cronbach_alpha,
    dz_interval,
    item_rest,
    paired_change,
)


@pytest.fixture(params=[8, 30, 400])
def pairs(request):
    rng = np.random.default_rng(request.param)
    before = rng.normal(50, 12, request.param).round()
    return before, before + rng.normal(6, 9, request.param).round()


def test_paired_change_matches_scipy(pairs):
    before, after = pairs
    got = paired_change(before, after)
    ref_t = stats.ttest_rel(after, before)
    ref_w = stats.wilcoxon(after, before)
    diff = after - before
    ci = stats.t.interval(0.95, len(diff) - 1, loc=diff.mean(), scale=stats.sem(diff))
    assert got.n == len(diff)
    assert got.change == pytest.approx(diff.mean())
    assert got.t == pytest.approx(ref_t.statistic) and got.p_t == pytest.approx(ref_t.pvalue)
    assert got.w == pytest.approx(ref_w.statistic)
    assert got.p_wilcoxon == pytest.approx(ref_w.pvalue)
    assert (got.change_low, got.change_high) == pytest.approx(ci)
    assert got.dz == pytest.approx(diff.mean() / diff.std(ddof=1))


def test_dz_interval_inverts_the_noncentral_t(pairs):
    before, after = pairs
    got = paired_change(before, after)
    n, t = got.n, got.dz * np.sqrt(got.n)
    # the bounds are the noncentrality values at which the observed t is at 97.5% / 2.5%
    assert stats.nct.cdf(t, n - 1, got.dz_low * np.sqrt(n)) == pytest.approx(0.975, abs=1e-6)
    assert stats.nct.cdf(t, n - 1, got.dz_high * np.sqrt(n)) == pytest.approx(0.025, abs=1e-6)


def test_dz_interval_symmetry_and_large_samples():
    low, high = dz_interval(0.625, 16)
    assert dz_interval(-0.625, 16) == pytest.approx((-high, -low))
    assert low < 0.625 < high
    low, high = dz_interval(3.0, 10_000)  # far in the tails: still finite and tight
    se = np.sqrt(1 / 10_000 + 9 / (2 * 10_000))
    assert (low, high) == pytest.approx((3 - 1.96 * se, 3 + 1.96 * se), abs=2e-3)


def test_paired_change_edge_cases():
    assert paired_change([1.0], [2.0]).n == 1 and np.isnan(paired_change([1.0], [2.0]).t)
    same = paired_change([1, 2, 3], [2, 3, 4])  # every change is +1: no spread
    assert same.change == 1 and np.isnan(same.dz) and np.isnan(same.t)
    none = paired_change([1, 2, 3], [1, 2, 3])
    assert none.change == 0 and np.isnan(none.p_wilcoxon)
    gaps = paired_change([1, np.nan, 3, 4], [2, 5, np.nan, 6])
    assert gaps.n == 2


def _binary_items(n=300, k=8, seed=0):
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=n)
    return (rng.random((n, k)) < 1 / (1 + np.exp(-(ability[:, None] - rng.normal(size=k))))).astype(
        float
    )


def _alpha_reference(x):
    k = x.shape[1]
    cov = np.cov(x, rowvar=False)  # alpha from the covariance matrix
    return k / (k - 1) * (1 - np.trace(cov) / cov.sum())


def test_cronbach_alpha_matches_references():
    x = _binary_items()
    alpha, low, high = cronbach_alpha(x)
    assert alpha == pytest.approx(_alpha_reference(x))
    p = x.mean(axis=0)  # KR-20 for right/wrong items
    kr20 = x.shape[1] / (x.shape[1] - 1) * (1 - (p * (1 - p)).sum() / x.sum(1).var(ddof=0))
    assert alpha == pytest.approx(kr20 * 1, rel=1e-2)
    n, k = x.shape  # Feldt's interval through SciPy's F distribution
    f = stats.f(n - 1, (n - 1) * (k - 1))
    assert low == pytest.approx(1 - (1 - alpha) * f.ppf(0.975))
    assert high == pytest.approx(1 - (1 - alpha) * f.ppf(0.025))
    assert low < alpha < high


def test_cronbach_alpha_known_textbook_value():
    # three items, five people: item variances 2.5 each, total variance 20.5,
    # alpha = 3/2 * (1 - 7.5/20.5) = 39/41
    x = np.array([[1, 1, 2], [2, 2, 1], [3, 3, 3], [4, 4, 5], [5, 5, 4]], dtype=float)
    assert cronbach_alpha(x)[0] == pytest.approx(39 / 41)
    assert np.isnan(cronbach_alpha(x[:, :1])[0])  # one item: no alpha


def test_point_biserial_matches_scipy():
    x = _binary_items()
    got = item_rest(x)
    for j in range(x.shape[1]):
        rest = x.sum(axis=1) - x[:, j]
        assert got[j] == pytest.approx(stats.pointbiserialr(x[:, j], rest).statistic)


def test_point_biserial_with_missing_answers_uses_who_answered():
    x = _binary_items(seed=3)
    x[::7, 2] = np.nan
    got = item_rest(x)
    rows = np.isfinite(x[:, 2])
    rest = np.delete(x[rows], 2, axis=1).sum(axis=1)
    assert got[2] == pytest.approx(stats.pointbiserialr(x[rows, 2], rest).statistic)


def test_partial_credit_rest_score_uses_points():
    rng = np.random.default_rng(5)
    x = np.column_stack([rng.integers(0, 2, 80), rng.integers(0, 3, 80), rng.integers(0, 2, 80)])
    got = item_rest(x, max_score=[1, 2, 1])
    for j in range(3):
        rest = x.sum(axis=1) - x[:, j]
        assert got[j] == pytest.approx(stats.pearsonr(x[:, j], rest).statistic)


def test_alpha_if_dropped_recomputes_alpha():
    x = _binary_items(seed=9)
    got = alpha_if_dropped(x)
    for j in range(x.shape[1]):
        assert got[j] == pytest.approx(_alpha_reference(np.delete(x, j, axis=1)))
