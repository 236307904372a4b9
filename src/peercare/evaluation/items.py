"""Item analysis: how each question works, and which ones to review.

For every item: how many answered, difficulty (the share of points earned; for a right /
wrong question, the share who got it right), discrimination (the correlation with the
rest of the test, point-biserial for right/wrong items), and Cronbach's alpha without it.
For choice questions, how often each option is chosen and by whom (distractor analysis).

The review rules are plain and fixed here, so an evaluator can see why an item is listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..contract import split_choices
from .stats import alpha_if_dropped, corr, cronbach_alpha, item_rest, rest_score
from .suppression import DEFAULT_THRESHOLD
from .tables import Responses, Scores

TOO_EASY = 0.90  # almost everyone gets it right: it tells us little
TOO_HARD = 0.30  # few get it right: check the wording and the key
LOW_DISCRIMINATION = 0.15  # people who do well overall are not more likely to get it right
DISTRACTOR_R = 0.05  # a wrong option that draws people who do well overall
ALPHA_GAIN = 0.01  # the test hangs together better without the item
FEW_PEOPLE = 30  # below this, item statistics are rough


@dataclass
class ItemAnalysis:
    """Per-item statistics, option rates, alpha, and the review list."""

    title: str
    items: pd.DataFrame
    options: pd.DataFrame | None
    alpha: tuple[float, float, float]
    n: int
    n_complete: int
    threshold: int = DEFAULT_THRESHOLD
    synthetic: bool = False
    review: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def hidden(self) -> bool:
        """Too few people: nothing of this analysis may be shown."""
        return self.n < self.threshold


def _review(items: pd.DataFrame, options: pd.DataFrame | None, alpha: float) -> pd.DataFrame:
    reasons: dict[str, list[str]] = {i: [] for i in items.index}
    for item, row in items.iterrows():
        p, r = row["difficulty"], row["discrimination"]
        if p > TOO_EASY:
            reasons[item].append(f"almost everyone gets it right ({p:.0%}), so it tells us little")
        if p < TOO_HARD:
            reasons[item].append(f"few get it right ({p:.0%}); check the wording and the key")
        if np.isfinite(r) and r < LOW_DISCRIMINATION:
            reasons[item].append(
                f"people who do well overall are not more likely to get it right (r = {r:.2f})"
            )
        if np.isfinite(alpha) and row["alpha_if_dropped"] > alpha + ALPHA_GAIN:
            reasons[item].append("the test hangs together better without it")
    if options is not None:
        wrong = options[~options["correct"]]
        right = options[options["correct"]].groupby("item")["rate"].max()
        for (item, option), row in wrong.set_index(["item", "option"]).iterrows():
            if row["r"] > DISTRACTOR_R and row["rate"] >= 0.05:
                reasons[item].append(
                    f"wrong option {option!r} draws people who do well overall (r = {row['r']:+.2f})"
                )
            if row["rate"] > right.get(item, 1.0):
                reasons[item].append(
                    f"more people choose wrong option {option!r} than the right answer"
                )
    rows = [(i, "; ".join(r)) for i, r in reasons.items() if r]
    return pd.DataFrame(rows, columns=["item", "why"]).set_index("item")


def analyse(
    points: pd.DataFrame,
    max_score: pd.Series | None = None,
    choices: pd.DataFrame | None = None,
    key: dict[str, tuple[list[str], list[str]]] | None = None,
    *,
    title: str = "Item analysis",
    threshold: int = DEFAULT_THRESHOLD,
    synthetic: bool = False,
) -> ItemAnalysis:
    """Analyse a respondents-by-items frame of points (NaN = not answered).

    ``choices`` (the chosen option ids, ``a|c`` for several) and ``key`` (per item: its
    options and the correct ones) add the distractor analysis.
    """
    top = max_score.reindex(points.columns).to_numpy(float) if max_score is not None else None
    x = points.to_numpy(dtype=float)
    answered = np.isfinite(x)
    tops = np.ones(x.shape[1]) if top is None else top
    complete = x[answered.all(axis=1)]
    items = pd.DataFrame(
        {
            "n": answered.sum(axis=0),
            "max_score": tops,
            "difficulty": np.nanmean(x, axis=0) / tops,
            "discrimination": item_rest(x, top),
            "alpha_if_dropped": alpha_if_dropped(complete),
        },
        index=pd.Index(points.columns, name="item"),
    )
    alpha = cronbach_alpha(complete)
    options = None
    if choices is not None and key is not None:
        rest = rest_score(x, top)
        rows = []
        for j, item in enumerate(points.columns):
            has, other = rest(j)
            picked = choices[item].to_numpy(dtype=object)[has]
            opts, right = key[item]
            for option in opts:
                chose = np.array([option in split_choices(c) for c in picked], dtype=float)
                rows.append(
                    (
                        item,
                        option,
                        option in right,
                        chose.mean() if len(chose) else np.nan,
                        corr(chose, other) if len(chose) >= 3 else np.nan,
                    )
                )
        options = pd.DataFrame(rows, columns=["item", "option", "correct", "rate", "r"])
    return ItemAnalysis(
        title=title,
        items=items,
        options=options,
        alpha=alpha,
        n=int(answered.any(axis=1).sum()),
        n_complete=len(complete),
        threshold=threshold,
        synthetic=synthetic,
        review=_review(items, options, alpha[0]),
    )


def analyse_responses(
    responses: Responses,
    time: str | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    form: str | None = None,
) -> ItemAnalysis:
    """Item analysis of choice questions (the book quizzes, the knowledge test). For a test
    with parallel forms, give ``form``: its items, among the people who took it."""
    inst = responses.instrument
    answers = responses.answers
    if time is not None:
        answers = answers[answers["time"] == time]
    item_ids = inst.item_ids
    if form is not None:
        answers = answers[inst.form_of(answers) == form]
        item_ids = inst.forms[form]
    given = answers[item_ids].notna() & answers[item_ids].ne("")
    ids = [i for i in item_ids if given[i].any()]  # a live quiz asks only a few
    given = given[ids]
    points = inst.item_scores(answers)[ids].where(given)
    key = {i.id: (i.options, i.correct) for i in inst.items if i.id in ids}
    title = inst.title + (f", form {form.upper()}" if form else "") + (f" ({time})" if time else "")
    return analyse(
        points.reset_index(drop=True),
        choices=answers[ids].reset_index(drop=True),
        key=key,
        title=title,
        threshold=threshold,
        synthetic=responses.synthetic,
    )


def analyse_scores(scores: Scores, threshold: int = DEFAULT_THRESHOLD) -> ItemAnalysis:
    """Item analysis of gradebook scores (the certification knowledge check)."""
    return analyse(
        scores.points,
        scores.max_score,
        title="Certification knowledge check",
        threshold=threshold,
        synthetic=scores.synthetic,
    )
