"""Feedback a candidate can read: one plain page per graded notebook.

For each question the page shows the question, the candidate's answer, whether it was right,
and why (the ``# Why:`` line kept with the answer key in the hidden checks of
``exercises/``, so it never reaches the candidates' copy); for each written answer, the
score, the rubric (what a full answer does, their level; shown once, so its paragraph in the
story is left out) and the lead trainer's comment. A choice answered wrong or left empty
also names the option we were looking for, by its text. Under the score: the pass mark of
this part, from the certification rule. At the foot: how to get help now, from the one
crisis-lines config (``peercare.content.helpnow``). Nothing else: no code, no checks, no
tracebacks, no scripts, nothing loaded from another host.

Decision: the explanation shows under every question, right or wrong, because a person learns
most from the why of a miss. So a retake with the same questions is not a fresh check; each
``# Why:`` explains the idea rather than naming a letter, and a lead trainer who wants a
blind retake should change the questions or their order.

:class:`PlainFeedback` is the last step of nbgrader's ``GenerateFeedback`` in the course
config, so ``peercare cert feedback``, ``nbgrader generate_feedback`` and Formgrader's button
all make the same page; :data:`TEMPLATES` holds the template that prints it as it is.
"""

from __future__ import annotations

import html
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from ..content import helpnow
from .answers import read_answer
from .preprocessors import TIMEOUT_ERRORS, split_hidden

TEMPLATES = Path(__file__).parent / "feedback_templates"
TEMPLATE_NAME = "peercare-feedback"
WHY = "# Why:"
STUB = "Type your answer here."
KEY = re.compile(r'assert given == "([A-Z])"')
OPTION = re.compile(r"^- \*\*([A-Z])\.\*\* (.+)$", re.M)
INTRO = (
    "This page shows each question again, your answer, and why. Some questions are about "
    "grief, drinking and suicide. You can stop and come back later. Questions about your "
    "feedback? Ask your lead trainer."
)
NOT_THERE_YET = (
    "If you are not there yet, that is common. You will go over it with your lead trainer "
    "and try again{}."
)

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  font-size: 1.1rem; line-height: 1.6; color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.7rem; margin: 0 0 .5rem; }
.score { font-size: 1.3rem; font-weight: 600; }
section { border: 1px solid #c9c9c9; border-left: .5rem solid #6b6b6b; border-radius: .4rem;
  padding: .25rem 1rem 1rem; margin: 1.25rem 0; }
section.right { border-left-color: #1b7a3a; }
section.not-right { border-left-color: #b35c00; }
.result { font-weight: 700; }
.why, .wanted, .rubric, .comment { background: #f4f4f4; border-radius: .3rem; padding: .5rem .75rem; }
.yours { white-space: pre-wrap; background: #f8f8ff; border: 1px dashed #9a9ab0;
  border-radius: .3rem; padding: .5rem .75rem; }
.help { border-top: 1px solid #c9c9c9; margin-top: 2rem; padding-top: 1rem; }
"""


@dataclass
class Item:
    """One question as the page shows it."""

    prompt: str  # the question's own markdown
    kind: str  # "choice" or "written"
    given: str = ""  # the candidate's answer ("" when empty)
    score: float | None = None
    points: float | None = None
    why: str = ""
    wanted: str = ""  # the text of the option we were looking for (choices)
    timed_out: bool = False
    comment: str = ""
    rubric: list[str] = field(default_factory=list)  # markdown lines

    @property
    def right(self) -> bool:
        return self.score is not None and bool(self.points) and self.score >= self.points


def _nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def explanation(source: str) -> str:
    """The ``# Why:`` lines inside a check's hidden region, as one text."""
    hidden = (line.strip() for line in split_hidden(source)[1])
    return " ".join(line[len(WHY) :].strip() for line in hidden if line.startswith(WHY))


def wanted_option(prompt: str, check_source: str) -> str:
    """The text of the option the hidden check expects (``""`` when it cannot be told)."""
    key = KEY.search("\n".join(split_hidden(check_source)[1]))
    options = dict(OPTION.findall(prompt))
    return options.get(key.group(1), "").strip() if key else ""


def _without(prompt: str, text: str) -> str:
    """The prompt without the paragraph that holds ``text`` (the rubric shows it once)."""
    flat = " ".join(text.split())
    kept = [p for p in prompt.split("\n\n") if flat not in " ".join(p.split())]
    return "\n\n".join(kept)


def _number(value) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _points(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def read_items(nb, rubric=None, assignment: str | None = None) -> list[Item]:
    """The questions of a graded notebook (scores from nbgrader's ``GetGrades``), in order."""
    found: list[Item] = []
    prompt, choice = "", None
    for cell in nb.cells:
        meta = _nbg(cell)
        if cell.cell_type == "markdown" and not meta.get("solution"):
            prompt, choice = cell.source, None
            continue
        if meta.get("solution") and cell.cell_type == "code":
            answer = read_answer(cell.source.replace("answer = None", ""))
            choice = Item(prompt, "choice", given=answer.value if answer.ok else "")
            choice.comment = str(meta.get("comment") or "").strip()
            continue
        if meta.get("solution"):  # a written answer, graded by hand
            text = cell.source.strip()
            item = Item(prompt, "written", given="" if text.startswith(STUB) else text)
            item.score, item.points = _number(meta.get("score")), _number(meta.get("points"))
            item.comment = str(meta.get("comment") or "").strip()
            grade_id = meta.get("grade_id")
            comp = rubric.competency_for(assignment, grade_id) if rubric and grade_id else None
            if comp is not None:
                item.rubric = _rubric_lines(rubric, comp, item.score)
                item.prompt = _without(item.prompt, comp.meets)
            found.append(item)
            continue
        if cell.cell_type == "code" and meta.get("grade") and choice is not None:
            choice.score, choice.points = _number(meta.get("score")), _number(meta.get("points"))
            choice.why = explanation(cell.source)
            choice.wanted = wanted_option(choice.prompt, cell.source)
            choice.timed_out = any(
                o.get("ename") in TIMEOUT_ERRORS for o in cell.get("outputs", [])
            )
            found.append(choice)
            choice = None
    return found


def _rubric_lines(rubric, comp, score) -> list[str]:
    level = rubric.level_name(score)
    return [
        f"**Rubric: {comp.title}.** What a full answer does: {comp.meets}",
        f"Your level: **{level}**" if level else "Not graded yet.",
    ]


def _md(text: str) -> str:
    """Course text (ours) as HTML; raw HTML in it is escaped, links are kept as text."""
    return MarkdownIt("commonmark", {"html": False}).disable(["link", "image"]).render(text)


def _result(item: Item) -> tuple[str, str]:
    """(css class, the sentence about the answer)."""
    yours = f"Your answer: {html.escape(item.given)}. " if item.given else ""
    if item.timed_out:
        return "not-right", (
            "The computer stopped checking this answer because it took too long, so it scored "
            "zero for now. Your lead trainer can look at it with you."
        )
    if item.kind == "written":
        if item.score is None:
            return "", "Your lead trainer has not marked this answer yet."
        got = f"Score: {_points(item.score)} of {_points(item.points)}."
        return ("right" if item.right else "not-right"), got
    if item.score is None or not item.points:
        return "", f"{yours}Not graded yet."
    if item.right:
        return "right", f"{yours}Correct."
    if not item.given:
        return "not-right", "No answer was given, so this question scored 0."
    return "not-right", f"{yours}Not the best answer this time."


def _section(item: Item) -> str:
    css, said = _result(item)
    parts = [f'<section class="{css}">', _md(item.prompt)]
    if item.kind == "written":
        shown = html.escape(item.given) if item.given else "(You left this one empty.)"
        parts += ["<p><strong>Your answer:</strong></p>", f'<div class="yours">{shown}</div>']
    parts.append(f'<p class="result">{said}</p>')
    if item.wanted and item.kind == "choice" and item.score is not None and not item.right:
        wanted = html.escape(item.wanted)
        parts.append(f'<p class="wanted">The answer we were looking for: {wanted}</p>')
    if item.why:
        parts.append(f'<p class="why"><strong>Why:</strong> {html.escape(item.why)}</p>')
    if item.rubric:
        rubric = "\n".join(line + "  " for line in item.rubric)  # one line each
        parts.append(f'<div class="rubric">{_md(rubric)}</div>')
    if item.comment:
        comment = html.escape(item.comment)
        parts.append(f'<p class="comment"><strong>From your lead trainer:</strong> {comment}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _help_block() -> str:
    """How to get help now, from the one crisis-lines config; no links, not even ``tel:``."""
    return helpnow.load().as_html(links=False)


def pass_mark(rule, rubric, assignment, max_score) -> str:
    """What passing this part takes, from the certification rule and the rubric."""
    if rule is not None and assignment == rule.knowledge_check.assignment and max_score:
        need = math.ceil(round(rule.knowledge_check.at_least_percent * max_score / 100, 6))
        again = NOT_THERE_YET.format(" with new questions")
        return f"You need {need} of {_points(max_score)} to pass this part. {again}"
    if rubric is not None and any(a == assignment for a, _, _ in rubric.cells()):
        level = rubric.levels.get(rubric.meets_at, "Meets")
        return (
            f"To pass this part, each written answer needs {rubric.meets_at} of "
            f"{rubric.points} (\u201c{level}\u201d) or more. {NOT_THERE_YET.format('')}"
        )
    return ""


def feedback_page(
    nb, title: str, score=None, max_score=None, rubric=None, assignment=None, rule=None
) -> str:
    """The whole page, one HTML document with its style inside and no scripts. ``rule`` is
    the certification rule (grading/certification.yml), for the pass mark."""
    items = read_items(nb, rubric, assignment)
    head = f"<h1>Your feedback: {html.escape(title)}</h1>"
    total = ""
    if _number(score) is not None and _number(max_score):
        total = (
            f'<p class="score">Your score: {_points(_number(score))} of '
            f"{_points(_number(max_score))}.</p>"
        )
    mark = pass_mark(rule, rubric, assignment, _number(max_score))
    if mark:
        total += f'\n<p class="pass-mark">{html.escape(mark)}</p>'
    intro = f'<p class="intro">{INTRO}</p>'
    body = "\n".join(_section(item) for item in items)
    help_part = f'<div class="help">{_help_block()}</div>'
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Your feedback: {html.escape(title)}</title>\n<style>{STYLE}</style>\n"
        f"</head>\n<body>\n<main>\n{head}\n{total}\n{intro}\n{body}\n{help_part}\n"
        "</main>\n</body>\n</html>\n"
    )


def title_of(assignment: str | None, notebook: str | None) -> str:
    """``knowledge-check`` as ``Knowledge check``."""
    name = (notebook or assignment or "your work").replace("-", " ").replace("_", " ")
    return name[:1].upper() + name[1:]


class PlainFeedback(NbGraderPreprocessor):
    """Feedback: the graded notebook becomes :func:`feedback_page`, in one raw cell that the
    ``peercare-feedback`` template prints as it is."""

    rubric_file = Unicode("", help="grading/rubric.yml").tag(config=True)
    certification_file = Unicode("", help="grading/certification.yml").tag(config=True)

    def preprocess(self, nb, resources):
        rubric = None
        if self.rubric_file and os.path.exists(self.rubric_file):
            from .rules import load_rubric

            rubric = load_rubric(Path(self.rubric_file))
        rule = None
        if self.certification_file and os.path.exists(self.certification_file):
            from .rules import load_certification

            rule = load_certification(Path(self.certification_file))
        info = resources.get("nbgrader", {})
        assignment = info.get("assignment")
        page = feedback_page(
            nb,
            title_of(assignment, info.get("notebook")),
            info.get("score"),
            info.get("max_score"),
            rubric,
            assignment,
            rule,
        )
        nb.cells = [nbformat.v4.new_raw_cell(page, metadata={"format": "text/html"})]
        return nb, resources
