"""The report: sections of suppressed tables, charts and plain words, as HTML.

Each section shows in a notebook (and in Voila) by itself; :func:`build_report` puts them
together and :meth:`Report.to_html` writes one standalone page. Every table and chart
made from demo data carries the synthetic label, and every count or statistic of a
group smaller than the threshold is hidden (see :mod:`.suppression`).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import items as item_analysis
from . import prepost, reaction
from .dataset import FILES, Dataset, load_part, open_data
from .demo import SYNTHETIC
from .plots import Chart, agree_chart, change_chart, items_chart
from .suppression import DEFAULT_THRESHOLD, HIDDEN, explain, mask, suppress_counts
from .tables import DataError, Responses, Scores

PAGE_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1a1a1a; }
"""
CSS = """
.pc-synthetic { background: #fff3cd; border: 2px solid #b00020; padding: .6rem 1rem;
                font-weight: bold; color: #7a0015; }
table.pc-table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .9rem; }
table.pc-table th, table.pc-table td { border: 1px solid #ccc; padding: .25rem .5rem; }
table.pc-table td { text-align: right; }
table.pc-text-last td:last-child { text-align: left; }
table.pc-table caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
.pc-note { color: #444; font-size: .85rem; }
figure.pc-figure { margin: 1rem 0 2rem; }
figcaption { font-size: .9rem; color: #333; }
"""


def _esc(text: object) -> str:
    return html.escape(str(text))


def _p(text: str) -> str:
    return f"<p>{_esc(text)}</p>"


def banner(synthetic: bool) -> str:
    """The synthetic-data label (empty for real data)."""
    return f'<p class="pc-synthetic" role="note">{_esc(SYNTHETIC)}.</p>' if synthetic else ""


def table_html(
    frame: pd.DataFrame, caption: str, synthetic: bool, note: str = "", text_last: bool = False
) -> str:
    """An HTML table (cells escaped) with its caption and note; ``text_last`` left-aligns
    a last column of words."""
    if synthetic:
        caption = f"{caption} ({SYNTHETIC.split(':')[0].lower()})"
    body = re.sub(
        r"<table[^>]*>",
        f'<table class="pc-table{" pc-text-last" * text_last}"><caption>{_esc(caption)}</caption>',
        frame.rename_axis(index=[None] * frame.index.nlevels, columns=None).to_html(na_rep=""),
        count=1,
    )
    return body + (f'<p class="pc-note">{_esc(note)}</p>' if note else "")


def people(n: int, threshold: int) -> str:
    """A count of people in words, or 'fewer than N' when small."""
    if 0 < n < threshold:
        return f"fewer than {threshold} people"
    return f"{n} {'person' if n == 1 else 'people'}"


@dataclass
class Section:
    """One part of the report: a heading and HTML pieces."""

    title: str
    parts: list[str] = field(default_factory=list)

    def add(self, piece: str | Chart | None) -> None:
        if piece is None:
            return
        self.parts.append(piece.html() if isinstance(piece, Chart) else piece)

    def html(self) -> str:
        return f"<section><h2>{_esc(self.title)}</h2>{''.join(self.parts)}</section>"

    def _repr_html_(self) -> str:
        return f"<style>{CSS}</style>{self.html()}"


def _missing(section: Section, what: str) -> Section:
    section.add(_p(f"No {what} data was found, so this part is empty."))
    return section


def _change_section(section: Section, table: prepost.ChangeTable) -> None:
    section.add(table_html(table.display(), table.title, table.synthetic, explain(table.threshold)))
    chart = change_chart(table)
    section.add(chart if chart else _p("Too few people to show a chart."))


# -- sections ------------------------------------------------------------------------------
def data_check(folder: str | Path | None = None, banks=None) -> Section:
    """What is in the data folder, file by file, and every problem found."""
    from ..content.bank import load_all
    from .dataset import default_folder

    banks = load_all() if banks is None else banks
    folder = default_folder(banks) if folder is None else folder
    section, rows, problems, synthetic = Section("Data check"), [], [], False
    for part, filename in FILES.items():
        if not (Path(folder) / filename).is_file():
            rows.append((filename, "not there (skipped)", "", "", ""))
            continue
        try:
            loaded = load_part(folder, part, banks)
        except DataError as exc:
            rows.append((filename, f"{len(exc.problems)} problem(s)", "", "", ""))
            problems += exc.problems
            continue
        synthetic |= loaded.synthetic
        rows.append((filename, "ok", *_file_facts(loaded)))
    frame = pd.DataFrame(
        rows, columns=["File", "Status", "People", "Missing answers", "Too few answers to score"]
    ).set_index("File")
    section.add(banner(synthetic))
    section.add(_p(f"Folder: {folder}"))
    section.add(table_html(frame, "Files found", synthetic))
    if problems:
        items = "".join(f"<li>{_esc(p)}</li>" for p in problems)
        section.add(f"<p>Problems to fix (row numbers as in a spreadsheet):</p><ul>{items}</ul>")
    else:
        section.add(_p("No problems found: every column, value and respondent id checks out."))
    return section


def _file_facts(loaded: Responses | Scores) -> tuple[str, str, str]:
    if isinstance(loaded, Scores):
        missing = loaded.points.isna().to_numpy().mean()
        return str(loaded.n_respondents), f"{missing:.1%}", ""
    inst = loaded.instrument
    a = loaded.answers[inst.item_ids]
    missing = (a.isna() | a.eq("")).to_numpy().mean()
    unscored = int(loaded.scores[inst.score_names[0]].isna().sum()) if inst.score_names else 0
    return str(loaded.n_respondents), f"{missing:.1%}", f"{unscored} row(s)"


def header(data: Dataset, threshold: int = DEFAULT_THRESHOLD) -> Section:
    section = Section("About this report")
    section.add(banner(data.synthetic))
    section.add(
        _p(
            f"Made on {dt.date.today():%d %B %Y} from the files in '{data.folder.name}'. "
            f"Any group of fewer than {threshold} people is hidden, and so is any other "
            "number that would let someone work out a hidden one."
        )
    )
    for note in data.notes:
        section.add(_p(note))
    return section


def participation(data: Dataset, threshold: int = DEFAULT_THRESHOLD) -> Section:
    """People who took part, by cohort and site (anyone in any survey)."""
    section = Section("Who took part")
    frames = [
        p.answers[["respondent_id", "cohort", "site"]]
        for p in (data.knowledge, data.reaction, data.retrospective, data.quiz)
        if p is not None
    ]
    if not frames:
        return _missing(section, "survey")
    who = pd.concat(frames).drop_duplicates("respondent_id")
    counts = pd.crosstab(who["cohort"], who["site"])
    table, hidden = suppress_counts(counts, threshold)
    shown = mask(table, hidden)
    shown.index.name, shown.columns.name = "Cohort", "Site"
    section.add(table_html(shown, "People by cohort and site", data.synthetic, explain(threshold)))
    return section


def knowledge(data: Dataset, threshold: int = DEFAULT_THRESHOLD) -> Section:
    section = Section("Knowledge: before and after")
    if data.knowledge is None:
        return _missing(section, "knowledge test")
    table = prepost.knowledge_change(data.knowledge, threshold)
    section.add(
        _p(
            "Two parallel forms of the test were used: one before the training and the "
            "other after it, so the second score is not a repeat of the first questions. "
            "Neither form is made of the book's practice questions. Only people who took "
            f"both are compared ({people(table.unpaired, threshold)} took only one)."
        )
    )
    _change_section(section, table)
    stats, hidden = prepost.form_scores(data.knowledge, threshold)
    shown = pd.DataFrame(
        {
            "People": stats["people"].map("{:.0f}".format),
            "Average (% correct)": stats["mean"].map(lambda x: f"{x:.1f}"),
        },
        index=stats.index.set_names(["Time", "Form"]),
    )
    section.add(
        table_html(
            mask(shown, hidden.to_numpy()),
            "Average score by form",
            data.synthetic,
            "If one form is much harder than the other, the forms need work before the "
            "change can be trusted.",
        )
    )
    return section


def retrospective(data: Dataset, threshold: int = DEFAULT_THRESHOLD) -> Section:
    section = Section("Confidence on the five topics: then and now")
    if data.retrospective is None:
        return _missing(section, "retrospective rating")
    section.add(
        _p(
            "At the end, people rated how sure they felt before the training (then) and "
            "now. These are self-ratings, kept apart from the knowledge test."
        )
    )
    _change_section(section, prepost.item_change(data.retrospective, threshold))
    _change_section(section, prepost.score_change(data.retrospective, threshold=threshold))
    return section


def reaction_section(
    data: Dataset, threshold: int = DEFAULT_THRESHOLD, max_comments: int = 10
) -> Section:
    section = Section("How the sessions felt")
    if data.reaction is None:
        return _missing(section, "reaction survey")
    r = data.reaction
    items = reaction.item_summary(r, threshold)
    fmt = {"Average": "{:.2f}", "Agree": "{:.0%}", "SD": "{:.2f}"}
    section.add(table_html(items.display(fmt), items.title, r.synthetic, items.note))
    section.add(agree_chart(items))
    groups = reaction.score_by_group(r, threshold=threshold)
    section.add(table_html(groups.display(fmt), groups.title, r.synthetic, explain(threshold)))
    themes = reaction.themes(r, threshold)
    questions = {q.id: q.text or q.id for q in r.instrument.free_text}
    shown = themes.display().rename(columns=questions)
    section.add(
        table_html(shown, themes.title, r.synthetic, themes.note + " " + explain(threshold))
    )
    said = reaction.comments(r, threshold=threshold)
    for group in said.values():
        for qid, texts in group.items():
            if not texts:
                continue
            distinct = sorted(set(texts))
            picks = distinct[:: max(1, len(distinct) // max_comments)][:max_comments]
            items_html = "".join(f"<li>{_esc(t)}</li>" for t in picks)
            section.add(
                f"<h3>{_esc(questions[qid])}</h3><p class='pc-note'>{len(picks)} of "
                f"{len(texts)} comments, repeats shown once"
                f"{' (synthetic)' if r.synthetic else ''}.</p><ul>{items_html}</ul>"
            )
    if not said:
        section.add(_p(f"Comments are not shown: fewer than {threshold} people answered."))
    return section


def review_table(analysis: item_analysis.ItemAnalysis) -> pd.DataFrame:
    """The review list with each item's numbers, for people."""
    rows = analysis.items.loc[analysis.review.index]
    return pd.DataFrame(
        {
            "Right (%)": (100 * rows["difficulty"]).map("{:.0f}".format),
            "Discrimination": rows["discrimination"].map("{:.2f}".format),
            "Why review it": analysis.review["why"],
        }
    )


def items_table(analysis: item_analysis.ItemAnalysis) -> pd.DataFrame:
    """Every item's numbers, for people."""
    i = analysis.items
    return pd.DataFrame(
        {
            "People": i["n"].map("{:.0f}".format),
            "Right (%)": (100 * i["difficulty"]).map("{:.0f}".format),
            "Discrimination": i["discrimination"].map("{:.2f}".format),
            "Alpha without it": i["alpha_if_dropped"].map("{:.2f}".format),
            "Review": ["yes" if x in analysis.review.index else "" for x in i.index],
        }
    )


def _analysis_section(section: Section, a: item_analysis.ItemAnalysis, full: bool) -> None:
    section.add(f"<h3>{_esc(a.title)}</h3>")
    if a.hidden:
        section.add(_p(f"Not shown: fewer than {a.threshold} people answered."))
        return
    alpha, lo, hi = a.alpha
    alpha_text = (
        f"Cronbach's alpha {alpha:.2f} (95% CI {lo:.2f} to {hi:.2f}), from the "
        f"{a.n_complete} people who answered every question."
        if np.isfinite(alpha)
        else "Cronbach's alpha needs at least two questions and three complete answer sets."
    )
    few = f" With fewer than {item_analysis.FEW_PEOPLE} people, these numbers are rough."
    section.add(_p(f"{a.n} people. {alpha_text}" + (few if a.n < item_analysis.FEW_PEOPLE else "")))
    section.add(items_chart(a))
    if full:
        section.add(table_html(items_table(a), "Every question", a.synthetic))
    if len(a.review):
        section.add(table_html(review_table(a), "Questions to review", a.synthetic, text_last=True))
    else:
        section.add(_p("No question needs a review by these rules."))


def item_section(data: Dataset, threshold: int = DEFAULT_THRESHOLD, full: bool = False) -> Section:
    """Item analysis of the knowledge test's forms, the book quizzes and the certification
    knowledge check."""
    section = Section("How the questions work")
    section.add(
        _p(
            "Right (%) is the share who get a question right. Discrimination is how much "
            "more often people who do well on the other questions get this one right "
            "(from -1 to 1; below 0.15 is weak). This is how the curriculum gets refined."
        )
    )
    if data.knowledge is not None:
        for form in data.knowledge.instrument.forms:
            analysis = item_analysis.analyse_responses(
                data.knowledge, threshold=threshold, form=form
            )
            _analysis_section(section, analysis, full)
    if data.quiz is not None:
        _analysis_section(
            section, item_analysis.analyse_responses(data.quiz, threshold=threshold), full
        )
    if data.certification is not None:
        _analysis_section(
            section, item_analysis.analyse_scores(data.certification, threshold), full
        )
    if data.knowledge is None and data.quiz is None and data.certification is None:
        return _missing(section, "knowledge test, quiz or certification")
    return section


def methods(threshold: int = DEFAULT_THRESHOLD) -> Section:
    section = Section("How the numbers were made")
    section.add(
        "<ul>"
        + "".join(
            f"<li>{_esc(t)}</li>"
            for t in (
                "Change: the average of each person's after minus before, with a 95% "
                "confidence interval (CI). A paired t-test and a Wilcoxon signed-rank test "
                "ask whether the change could be chance; p below 0.05 means unlikely.",
                "Effect size d_z: the average change divided by how much the changes vary. "
                "About 0.2 is small, 0.5 medium, 0.8 large.",
                "Confidence ratings (then and now) are people's own view of themselves; they "
                "are reported apart from the knowledge test.",
                f"Small groups: any group of fewer than {threshold} people is '{HIDDEN}', and "
                "so is the next smallest group where needed, so the hidden one cannot be "
                "worked out from the totals.",
                "Comments are shown only for groups large enough, and themes are counted with "
                "the keyword lists in the survey's instrument file.",
            )
        )
        + "</ul>"
    )
    return section


@dataclass
class Report:
    """All sections, in order."""

    sections: list[Section]
    synthetic: bool

    def to_html(self, title: str = "Helping the Helpers: evaluation report") -> str:
        body = "".join(s.html() for s in self.sections)
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}'
            f"</title><style>{PAGE_CSS}{CSS}</style></head><body><h1>{_esc(title)}</h1>"
            f"{banner(self.synthetic)}{body}{banner(self.synthetic)}</body></html>"
        )

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.to_html(), encoding="utf-8")
        return path

    def show(self) -> None:
        """Display the report in a notebook or in Voila."""
        from IPython.display import HTML, display

        body = "".join(s.html() for s in self.sections)
        display(HTML(f"<style>{CSS}</style>{body}{banner(self.synthetic)}"))


def build_report(data: Dataset | None = None, threshold: int = DEFAULT_THRESHOLD) -> Report:
    """Every section, from a dataset (default: :func:`open_data`)."""
    data = open_data() if data is None else data
    sections = [
        header(data, threshold),
        participation(data, threshold),
        knowledge(data, threshold),
        retrospective(data, threshold),
        reaction_section(data, threshold),
        item_section(data, threshold),
        methods(threshold),
    ]
    return Report(sections, data.synthetic)
