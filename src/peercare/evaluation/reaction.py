"""Reaction survey: item summaries, scores by group, free-text themes and comments.

Themes are counted with the keyword lists in the instrument file (a comment matches a
theme when one of its keywords starts a word in it, ignoring case), so anyone can see
and change how comments are sorted. Comments are shown only for groups of at least the
threshold; small groups are pooled so no comment can be tied to a small group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .prepost import EVERYONE, LABELS
from .suppression import DEFAULT_THRESHOLD, mask, protect_line
from .tables import GROUPS, Responses

POOLED = "Smaller groups together"


@dataclass
class Summary:
    """A table of statistics; ``hidden`` is a boolean per row, or per cell (a frame)."""

    title: str
    stats: pd.DataFrame
    hidden: pd.Series | pd.DataFrame
    threshold: int = DEFAULT_THRESHOLD
    synthetic: bool = False
    note: str = ""

    @property
    def visible(self) -> pd.DataFrame:
        return self.stats[~self.hidden]

    def display(self, formats: dict[str, str] | None = None) -> pd.DataFrame:
        out = self.stats.copy().astype(object)
        for col, fmt in (formats or {}).items():
            if col in out:
                out[col] = [fmt.format(v) if pd.notna(v) else "n/a" for v in self.stats[col]]
        hidden = self.hidden
        return mask(out, hidden if isinstance(hidden, pd.DataFrame) else hidden.to_numpy())


def item_summary(responses: Responses, threshold: int = DEFAULT_THRESHOLD) -> Summary:
    """Per item, on its own wording: people answering, average, share who agree."""
    inst = responses.instrument
    agree = inst.scale.max - 1
    rows = []
    for item in inst.items:
        v = responses.answers[item.id].astype(float).dropna()
        text = (item.text or item.id) + (" (lower is better)" if item.reverse else "")
        rows.append((text, len(v), v.mean(), (v >= agree).mean() if len(v) else np.nan))
    stats = pd.DataFrame(rows, columns=["Statement", "People", "Average", "Agree"])
    stats = stats.set_index("Statement")
    hidden = pd.Series(stats["People"] < threshold, index=stats.index)
    label = inst.scale.labels.get(agree, str(agree))
    note = f"Average on a {inst.scale.min} to {inst.scale.max} scale; Agree = '{label}' or higher."
    return Summary(
        f"{inst.title}: each statement", stats, hidden, threshold, responses.synthetic, note
    )


def score_by_group(
    responses: Responses, score: str = "total", by=GROUPS, threshold: int = DEFAULT_THRESHOLD
) -> Summary:
    """A score's people, average and spread for everyone and each group."""
    s = responses.scores.dropna(subset=[score])
    rows, hidden = {EVERYONE: s[score]}, [len(s) < threshold]
    for col in by:
        groups = sorted(s.groupby(col)[score], key=lambda kv: str(kv[0]))
        hide = protect_line([len(g) for _, g in groups], threshold)
        for (name, g), h in zip(groups, hide, strict=True):
            rows[(LABELS.get(col, col), str(name))] = g
            hidden.append(bool(h) or hidden[0])
    stats = pd.DataFrame(
        {
            "People": [len(v) for v in rows.values()],
            "Average": [v.mean() for v in rows.values()],
            "SD": [v.std(ddof=1) for v in rows.values()],
        },
        index=pd.MultiIndex.from_tuples(rows, names=["Group", ""]),
    )
    name = "overall score" if score == "total" else f"{score} score"
    return Summary(
        f"{responses.instrument.title}: {name} by group",
        stats,
        pd.Series(hidden, index=stats.index),
        threshold,
        responses.synthetic,
    )


def _matcher(keywords: list[str]) -> re.Pattern:
    return re.compile("|".join(rf"\b{re.escape(k)}" for k in keywords), re.IGNORECASE)


def themes(responses: Responses, threshold: int = DEFAULT_THRESHOLD) -> Summary:
    """How many comments touch each theme, per free-text question."""
    cols, rows = {}, {}
    for q in responses.instrument.free_text:
        text = responses.answers[q.id].dropna().astype(str)
        text = text[text.str.strip() != ""]
        cols[q.id] = len(text)
        for theme, words in q.themes.items():
            rows.setdefault(theme, {})[q.id] = int(text.str.contains(_matcher(words)).sum())
    table = pd.DataFrame(rows).T.reindex(columns=list(cols)).fillna(0).astype(int)
    table.loc["(comments in all)"] = pd.Series(cols)
    hidden = (table > 0) & (table < threshold)
    if sum(cols.values()) < threshold:
        hidden[:] = True
    return Summary(
        "Comments: how many mention each theme",
        table,
        hidden,
        threshold,
        responses.synthetic,
        "A comment can touch several themes or none. The keywords are in the instrument file.",
    )


def comments(
    responses: Responses, by: str | None = None, threshold: int = DEFAULT_THRESHOLD
) -> dict[str, dict[str, list[str]]]:
    """Comments per question, for everyone or per group of ``by``.

    Groups under the threshold (and their complements) are pooled as one group; when
    even the pooled or whole group is too small, nothing is returned for it.
    """
    a = responses.answers
    people = a.drop_duplicates("respondent_id")
    if by is None:
        labels = pd.Series(EVERYONE[1], index=a.index)
    else:
        sizes = people[by].value_counts().sort_index()
        small = set(sizes.index[protect_line(sizes.to_numpy(), threshold)])
        labels = a[by].where(~a[by].isin(small), POOLED)
    out: dict[str, dict[str, list[str]]] = {}
    for group, part in a.groupby(labels):
        if part["respondent_id"].nunique() < threshold:
            continue
        out[str(group)] = {
            q.id: [t for t in part[q.id].dropna().astype(str) if t.strip()]
            for q in responses.instrument.free_text
        }
    return out
