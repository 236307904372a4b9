"""Before/after change, overall and by cohort and site, with small groups suppressed.

Used for the knowledge test (pre/post, % correct) and, kept apart, for the retrospective
self-ratings (then/now, 1 to 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .stats import paired_change
from .suppression import DEFAULT_THRESHOLD, mask, protect_line
from .tables import GROUPS, Responses

EVERYONE = ("All", "Everyone")
LABELS = {"cohort": "Cohort", "site": "Site", "topic": "Topic"}


@dataclass
class ChangeTable:
    """Paired change per group; ``hidden`` marks rows that must not be shown."""

    title: str
    stats: pd.DataFrame
    hidden: pd.Series
    unit: str
    before: str
    after: str
    unpaired: int = 0
    threshold: int = DEFAULT_THRESHOLD
    synthetic: bool = False

    @property
    def visible(self) -> pd.DataFrame:
        return self.stats[~self.hidden]

    def display(self) -> pd.DataFrame:
        """The table as text for people, hidden rows masked."""
        s = self.stats
        out = pd.DataFrame(index=s.index)
        out["People"] = s["n"].map("{:.0f}".format)
        out[self.before.capitalize()] = s["mean_before"].map(_num)
        out[self.after.capitalize()] = s["mean_after"].map(_num)
        out["Change (95% CI)"] = [
            f"{_num(c, True)} ({_num(lo, True)} to {_num(hi, True)})"
            for c, lo, hi in s[["change", "change_low", "change_high"]].itertuples(index=False)
        ]
        out["Effect size d_z (95% CI)"] = [
            f"{_num(d, True, 2)} ({_num(lo, True, 2)} to {_num(hi, True, 2)})"
            for d, lo, hi in s[["dz", "dz_low", "dz_high"]].itertuples(index=False)
        ]
        out["p (t-test)"] = s["p_t"].map(_p)
        out["p (Wilcoxon)"] = s["p_wilcoxon"].map(_p)
        out.index.names = ["Group", ""]
        return mask(out, self.hidden.to_numpy())


def _num(x: float, sign: bool = False, digits: int = 1) -> str:
    if not np.isfinite(x):
        return "n/a"
    return f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"


def _p(p: float) -> str:
    if not np.isfinite(p):
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def change_by_group(
    pairs: pd.DataFrame,
    by=GROUPS,
    threshold: int = DEFAULT_THRESHOLD,
    confidence: float = 0.95,
) -> tuple[pd.DataFrame, pd.Series]:
    """Stats for everyone and for each group of each breakdown in ``by``.

    ``pairs`` has ``before`` and ``after`` columns and the breakdown columns.
    """
    rows, hidden = {EVERYONE: paired_change(pairs["before"], pairs["after"], confidence)}, [False]
    total_small = len(pairs) < threshold
    for col in by:
        groups = sorted(pairs.groupby(col), key=lambda kv: str(kv[0]))
        sizes = [len(g) for _, g in groups]
        hide = protect_line(sizes, threshold)
        for (name, g), h in zip(groups, hide, strict=True):
            rows[(LABELS.get(col, col), str(name))] = paired_change(
                g["before"], g["after"], confidence
            )
            hidden.append(bool(h) or total_small)
    hidden[0] = total_small
    stats = pd.DataFrame(
        [r.as_dict() for r in rows.values()], index=pd.MultiIndex.from_tuples(rows)
    )
    return stats, pd.Series(hidden, index=stats.index)


def knowledge_change(responses: Responses, threshold: int = DEFAULT_THRESHOLD) -> ChangeTable:
    """Knowledge test, % correct, before and after: everyone, by cohort, by site."""
    pairs, unpaired = responses.paired()
    stats, hidden = change_by_group(pairs, threshold=threshold)
    return ChangeTable(
        "Knowledge test: score before and after the training",
        stats,
        hidden,
        "% correct",
        "before",
        "after",
        unpaired,
        threshold,
        responses.synthetic,
    )


def form_scores(
    responses: Responses, threshold: int = DEFAULT_THRESHOLD
) -> tuple[pd.DataFrame, pd.Series]:
    """Average % correct per time and form (parallel forms): people and mean, and which rows
    must be hidden (fewer than ``threshold`` people)."""
    inst = responses.instrument
    scores = responses.scores.dropna(subset=["total"])
    if "form" not in scores:
        scores = scores.assign(form="-")
    stats = (
        scores.groupby(["time", "form"])["total"]
        .agg(people="count", mean="mean")
        .reindex(pd.MultiIndex.from_product([inst.times, sorted(inst.forms) or ["-"]]))
        .fillna({"people": 0})
    )
    stats.index.names = ["time", "form"]
    return stats, stats["people"] < threshold


def score_change(
    responses: Responses, score: str = "total", threshold: int = DEFAULT_THRESHOLD
) -> ChangeTable:
    """Any two-time instrument's score (e.g. the retrospective ratings' mean) by group."""
    inst = responses.instrument
    pairs, unpaired = responses.paired(score)
    stats, hidden = change_by_group(pairs, threshold=threshold)
    lo, hi = inst.score_range(score)
    return ChangeTable(
        f"{inst.title}: average rating",
        stats,
        hidden,
        f"average rating, {lo:g} to {hi:g}",
        *inst.times,
        unpaired,
        threshold,
        responses.synthetic,
    )


def item_change(responses: Responses, threshold: int = DEFAULT_THRESHOLD) -> ChangeTable:
    """Each item's change on the same people (the five topics, then and now)."""
    inst = responses.instrument
    before, after = inst.times
    a = responses.answers.set_index(["respondent_id", "time"])[inst.item_ids]
    rows, hidden = {}, []
    for item in inst.item_ids:
        wide = a[item].unstack("time").reindex(columns=[before, after]).dropna()
        label = item.replace("-", " ").capitalize()
        rows[(LABELS["topic"], label)] = paired_change(wide[before], wide[after])
        hidden.append(len(wide) < threshold)
    stats = pd.DataFrame(
        [r.as_dict() for r in rows.values()], index=pd.MultiIndex.from_tuples(rows)
    )
    lo, hi = inst.scale.min, inst.scale.max
    n_people = responses.answers["respondent_id"].nunique()
    unpaired = n_people - int(stats["n"].min())
    return ChangeTable(
        f"{inst.title}: each topic",
        stats,
        pd.Series(hidden, index=stats.index),
        f"rating, {lo} to {hi}",
        before,
        after,
        unpaired,
        threshold,
        responses.synthetic,
    )
