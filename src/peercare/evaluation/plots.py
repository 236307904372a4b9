"""Charts a program manager can read: a title, labelled axes, a plain-language caption and
alt text. Drawn with matplotlib's Agg canvas (no screen, no pyplot state), embedded as PNG.

Only rows that may be shown are drawn; hidden groups are named in the caption as hidden.
"""

from __future__ import annotations

import base64
import html
import textwrap
from dataclasses import dataclass
from io import BytesIO

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from .demo import SYNTHETIC
from .items import LOW_DISCRIMINATION, TOO_EASY, TOO_HARD, ItemAnalysis
from .prepost import ChangeTable
from .reaction import Summary

BEFORE, AFTER, FLAG, BAR = "#7f7f7f", "#0072B2", "#D55E00", "#009E73"  # Okabe-Ito


@dataclass
class Chart:
    """A rendered chart with the words that go with it."""

    title: str
    alt: str
    caption: str
    png: bytes
    xlabel: str = ""
    ylabel: str = ""

    def html(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (
            f'<figure class="pc-figure"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(self.alt)}" style="max-width:100%">'
            f"<figcaption>{html.escape(self.caption)}</figcaption></figure>"
        )

    _repr_html_ = html


def _figure(rows: int) -> tuple[Figure, object]:
    fig = Figure(figsize=(8, 1.6 + 0.45 * rows), dpi=100)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _chart(fig: Figure, title: str, alt: str, caption: str, synthetic: bool) -> Chart:
    """Label a finished figure, render it to PNG, and wrap it with its words."""
    ax = fig.axes[0]
    if synthetic:
        fig.text(
            0.99,
            0.01,
            SYNTHETIC.upper(),
            ha="right",
            va="bottom",
            fontsize=8,
            color="#b00020",
            weight="bold",
        )
    buf = BytesIO()
    # Labels are people's words (a site called "$5 $hop"): never matplotlib math text,
    # which would misdraw them or fail. Tick labels are also made while drawing.
    with rc_context({"text.parse_math": False}):
        for text in fig.findobj(Text):
            text.set_parse_math(False)
        fig.tight_layout(rect=(0, 0.04 if synthetic else 0, 1, 1))
        fig.savefig(buf, format="png")
    return Chart(title, alt, caption, buf.getvalue(), ax.get_xlabel(), ax.get_ylabel())


def _words(caption: str, synthetic: bool, hidden: int, threshold: int) -> str:
    parts = [f"{SYNTHETIC}." if synthetic else "", caption]
    if hidden:
        parts.append(
            f"{hidden} group{'s are' if hidden > 1 else ' is'} not shown: fewer than "
            f"{threshold} people, or hidden so a small group cannot be worked out."
        )
    return " ".join(p for p in parts if p)


def _label(index) -> str:
    return index[1] if index[0] == "All" else f"{index[0]}: {index[1]}"


def change_chart(table: ChangeTable) -> Chart | None:
    """Dot chart of the average before and after, per visible group."""
    rows = table.visible
    if rows.empty:
        return None
    labels = [_label(i) for i in rows.index]
    y = np.arange(len(rows))[::-1]
    fig, ax = _figure(len(rows))
    ax.hlines(y, rows["mean_before"], rows["mean_after"], color="#bbbbbb", lw=2)
    ax.scatter(
        rows["mean_before"],
        y,
        s=60,
        facecolor="white",
        edgecolor=BEFORE,
        lw=2,
        label=table.before.capitalize(),
        zorder=3,
    )
    ax.scatter(rows["mean_after"], y, s=60, color=AFTER, label=table.after.capitalize(), zorder=3)
    ax.set_yticks(y, labels)
    ax.set_xlabel(f"Average ({table.unit})")
    ax.set_ylabel("Group")
    ax.set_title(table.title)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    caption = (
        f"Each row is a group. The open dot is the average {table.before}, the filled dot "
        f"the average {table.after}. "
    )
    first = rows.iloc[0]
    if rows.index[0][0] == "All":
        caption += (
            f"On average, people went from {first['mean_before']:.1f} to "
            f"{first['mean_after']:.1f} ({table.unit}), a change of {first['change']:+.1f} "
            f"(95% CI {first['change_low']:+.1f} to {first['change_high']:+.1f})."
        )
    else:
        most, least = rows["change"].idxmax(), rows["change"].idxmin()
        caption += (
            f"The largest average change was on {most[1].lower()} "
            f"({rows.loc[most, 'change']:+.1f}), the smallest on {least[1].lower()} "
            f"({rows.loc[least, 'change']:+.1f}), in {table.unit}."
        )
    alt = f"Dot chart: {table.title}. " + "; ".join(
        f"{lab}: {r['mean_before']:.1f} {table.before}, {r['mean_after']:.1f} {table.after}"
        for lab, (_, r) in zip(labels, rows.iterrows(), strict=True)
    )
    words = _words(caption, table.synthetic, int(table.hidden.sum()), table.threshold)
    return _chart(fig, table.title, alt + ".", words, table.synthetic)


def agree_chart(summary: Summary) -> Chart | None:
    """Bars: the share who agree with each statement."""
    rows = summary.visible
    if rows.empty:
        return None
    labels = [textwrap.fill(str(s), 45) for s in rows.index]
    y = np.arange(len(rows))[::-1]
    fig, ax = _figure(len(rows) * 1.4)
    ax.barh(y, 100 * rows["Agree"], color=BAR)
    for yy, v in zip(y, rows["Agree"], strict=True):
        ax.text(100 * v + 1, yy, f"{v:.0%}", va="center", fontsize=9)
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_xlim(0, 110)
    ax.set_xlabel("People who agree (%)")
    ax.set_ylabel("Statement")
    ax.set_title(summary.title)
    best = rows["Agree"].idxmax()
    caption = (
        f"Each bar is one statement from the survey. The most agreed-with statement was "
        f"'{best}' ({rows.loc[best, 'Agree']:.0%} agree). {summary.note}"
    )
    alt = f"Bar chart: {summary.title}. " + "; ".join(
        f"{s}: {v:.0%} agree" for s, v in rows["Agree"].items()
    )
    words = _words(caption, summary.synthetic, int(summary.hidden.sum()), summary.threshold)
    return _chart(fig, summary.title, alt + ".", words, summary.synthetic)


def items_chart(analysis: ItemAnalysis) -> Chart | None:
    """Scatter of difficulty against discrimination, with the review zones shaded."""
    if analysis.hidden:
        return None
    items = analysis.items.dropna(subset=["difficulty"])
    fig, ax = _figure(8)
    ax.axvspan(TOO_EASY * 100, 100, color=FLAG, alpha=0.08)
    ax.axvspan(0, TOO_HARD * 100, color=FLAG, alpha=0.08)
    ax.axhspan(-1, LOW_DISCRIMINATION, color=FLAG, alpha=0.08)
    flagged = items.index.isin(analysis.review.index)
    ax.scatter(
        100 * items["difficulty"][~flagged],
        items["discrimination"][~flagged],
        color=AFTER,
        label="Works as hoped",
    )
    ax.scatter(
        100 * items["difficulty"][flagged],
        items["discrimination"][flagged],
        color=FLAG,
        marker="D",
        label="Worth a review",
    )
    for name, row in items[flagged].iterrows():
        ax.annotate(
            name,
            (100 * row["difficulty"], row["discrimination"]),
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
        )
    ax.set_xlim(0, 100)
    low = np.nanmin(items["discrimination"].to_numpy(), initial=0)
    ax.set_ylim(min(-0.2, low - 0.05), 1)
    ax.set_xlabel("People who get it right (%)")
    ax.set_ylabel("Discrimination (item-rest correlation)")
    ax.set_title(f"{analysis.title}: how each question works")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.grid(alpha=0.3)
    n_flag = int(flagged.sum())
    caption = (
        f"Each dot is one question ({len(items)} in all, {analysis.n} people). Questions in the "
        "shaded areas are very easy, very hard, or do not separate people who know the material "
        f"from those who do not. {n_flag} question{'s are' if n_flag != 1 else ' is'} worth a "
        "review; the list below says why."
    )
    alt = (
        f"Scatter chart: {analysis.title}. {len(items)} questions; {n_flag} flagged for review"
        + (": " + ", ".join(items.index[flagged]) if n_flag else "")
        + "."
    )
    words = _words(caption, analysis.synthetic, 0, analysis.threshold)
    return _chart(fig, analysis.title, alt, words, analysis.synthetic)
