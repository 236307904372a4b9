"""``peercare check-content``: reading grade, crisis footer, quiz and safe language per page.

Prose is what a reader reads: paragraphs, list items, and the text inside admonitions
and dropdowns. Code cells, front matter, directive options, headings and YAML are left
out of the reading grade. Grades come from textstat 0.7.3 (pyphen syllables, offline).
"""

from __future__ import annotations

import re
from pathlib import Path

import textstat

from ..paths import build_html_dir, project_root, toc_pages
from . import cast, helpnow, itemrules
from .bank import BANK_FILENAME, BankError, load_module
from .fidelity import FidelityError, checklist_text, load_fidelity
from .plans import PlanError, load_plan, script_text
from .prose import PageReport, prose, unsafe_phrases

GRADE_LIMIT = 8.0
MIN_QUIZ_QUESTIONS = 5
_QUIZ_CALL = re.compile(r"chapter_quiz\(\s*[\"']([a-z0-9_-]+)[\"']")
_PLAN_CALL = re.compile(r"^[`:]{3,}\{session-plan\}\s+([a-z0-9_-]+)", re.M)
_FIDELITY_CALL = re.compile(r"^[`:]{3,}\{fidelity-checklist\}", re.M)


def _source(root: Path, page: str) -> Path:
    for suffix in (".md", ".ipynb"):
        path = root / f"{page}{suffix}"
        if path.is_file():
            return path
    raise FileNotFoundError(f"{page} is in _toc.yml but has no .md file")


def footer_in(html_file: Path) -> bool:
    text = html_file.read_text(encoding="utf-8", errors="replace")
    m = re.search(r'<aside class="peercare-helpnow".*?</aside>', text, re.S)
    return bool(m) and all(marker in m.group(0) for marker in helpnow.load().required_markers)


def check_page(root: Path, page: str, html_dir: Path | None = None) -> PageReport:
    source = _source(root, page)
    text = source.read_text(encoding="utf-8")
    body, plan_problems = prose(text), []
    for name in _PLAN_CALL.findall(text):  # a session plan's scripts are read on its page
        try:
            body += "\n" + script_text(load_plan(source.parent / f"{name}.yml", root))
        except PlanError as exc:
            plan_problems.extend(exc.problems)
    if _FIDELITY_CALL.search(text):  # so is the fidelity checklist on its page
        try:
            body += "\n" + checklist_text(load_fidelity(root))
        except FidelityError as exc:
            plan_problems.extend(exc.problems)
    grade = float(textstat.flesch_kincaid_grade(body)) if body else 0.0
    report = PageReport(
        page=page,
        words=int(textstat.lexicon_count(body)),
        grade=grade,
        is_chapter=(source.parent / BANK_FILENAME).is_file(),
    )
    report.problems.extend(plan_problems)
    if grade > GRADE_LIMIT:
        report.problems.append(f"reading grade {grade:.1f} is above {GRADE_LIMIT:g}")
    for phrase in unsafe_phrases(text):
        report.problems.append(f"unsafe language: {phrase}")
    report.problems.extend(cast.problems_in_page(root, page, text))
    if report.is_chapter:
        module = source.parent.name
        calls = _QUIZ_CALL.findall(text)
        try:
            report.quiz_questions = len(load_module(module, root).questions)
        except BankError as exc:
            report.problems.extend(exc.problems)
            report.quiz_questions = 0
        if module not in calls:
            report.problems.append(f'no quiz: the page never calls chapter_quiz("{module}")')
        elif report.quiz_questions < MIN_QUIZ_QUESTIONS:
            report.problems.append(
                f"quiz has {report.quiz_questions} questions; at least {MIN_QUIZ_QUESTIONS}"
            )
    html_dir = html_dir or build_html_dir(root)
    html_file = html_dir / f"{page}.html"
    if html_file.is_file():
        report.footer = footer_in(html_file)
        if not report.footer:
            report.problems.append("the crisis-help footer is missing from the built page")
    return report


def check_all(root: Path | None = None, html_dir: Path | None = None) -> list[PageReport]:
    root = root or project_root()
    return [check_page(root, page, html_dir) for page in toc_pages(root)] + itemrules.reports(root)


def format_table(reports: list[PageReport]) -> str:
    def mark(value):
        return {True: "yes", False: "NO", None: "-"}.get(value, str(value))

    rows = [("page", "words", "grade", "quiz", "footer", "result")]
    for r in reports:
        quiz = str(r.quiz_questions) if r.is_chapter else "-"
        rows.append(
            (r.page, str(r.words), f"{r.grade:.1f}", quiz, mark(r.footer), "ok" if r.ok else "FAIL")
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    for r in reports:
        lines.extend(f"  {r.page}: {p}" for p in r.problems)
    if any(r.footer is None for r in reports):
        lines.append("(footer '-': page not built yet; run `peercare build` to check it)")
    return "\n".join(lines)
