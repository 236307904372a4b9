"""The candidate's feedback page, built from a graded notebook. Fast; no kernels."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
import textstat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from peercare.certification.feedback import explanation, feedback_page, read_items
from peercare.certification.rules import load_certification, load_rubric
from peercare.content.prose import unsafe_phrases

from .helpers import ROOT

CHECK = 'given = choose({n}, answer)\n### BEGIN HIDDEN TESTS\nassert given == "{key}"\n# Why: {why}\n### END HIDDEN TESTS'  # noqa: E501


def _meta(**nbgrader) -> dict:
    return {"nbgrader": {"schema_version": 3, **nbgrader}}


def _choice(n: int, given: str | None, key: str, score: float, why: str) -> list:
    typed = "answer = None" if given is None else f"answer = {given!r}"
    return [
        new_markdown_cell(f"### Question {n}\n\nPick one.\n\n- **A.** Yes\n- **B.** No",
                          metadata=_meta(locked=True)),
        new_code_cell(typed, metadata=_meta(solution=True, grade_id=f"q{n:02d}-answer")),
        new_code_cell(CHECK.format(n=n, key=key, why=why), outputs=[], metadata=_meta(
            grade=True, locked=True, grade_id=f"q{n:02d}-check", score=score, points=1)),
    ]  # fmt: skip


def _graded() -> nbformat.NotebookNode:
    cells = [new_markdown_cell("# A check\n\nHow to answer: press the buttons.")]
    cells += _choice(1, "A", "A", 1, "Yes is right because it fits.")
    cells += _choice(2, "A", "B", 0, "No fits, since the event was over.")
    cells += _choice(3, None, "A", 0, "Yes, as the book says.")
    cells += [
        new_markdown_cell("## A check-in after a funeral\n\nWhat do you say?\n\n"
                          f"**What a lead trainer looks for**: {MEETS}",
                          metadata=_meta(locked=True)),
        new_markdown_cell("I would ask <script>alert(1)</script> how he is & listen.",
                          metadata=_meta(solution=True, grade=True, grade_id="s1-response",
                                         score=2, points=3, comment="Clear and kind.")),
        new_markdown_cell("## You are done\n\n---\n**Need help now?** Call or text **988**.",
                          metadata=_meta(locked=True)),
    ]  # fmt: skip
    return new_notebook(cells=cells)


MEETS = " ".join(load_rubric(ROOT / "grading" / "rubric.yml").competencies[0].meets.split())


def _text(page: str) -> str:
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_the_page_says_per_question_the_answer_whether_right_and_why():
    rubric = load_rubric(ROOT / "grading" / "rubric.yml")
    page = feedback_page(_graded(), "Scenarios", 5, 6, rubric, "scenarios")
    text = _text(page)
    assert "Your score: 5 of 6." in text
    assert "Your answer: A. Correct. Why: Yes is right because it fits." in text
    assert (
        "Your answer: A. Not the best answer this time. The answer we were looking for: No "
        "Why: No fits, since the event" in text
    )
    assert (
        "No answer was given, so this question scored 0. The answer we were looking for: Yes "
        "Why: Yes, as the book" in text
    )
    assert text.count("The answer we were looking for") == 2  # not under the right one
    assert "Score: 2 of 3." in text and "From your lead trainer: Clear and kind." in text
    assert "Rubric: Checks in with care. What a full answer does:" in text
    assert text.count(MEETS) == 1  # the story's copy of the rubric is left out
    assert "A check-in after a funeral What do you say?" in text
    assert "Some questions are about grief, drinking and suicide." in text
    assert "Question 1" in text and "Pick one." in text


def test_the_help_lines_come_from_the_one_crisis_config_even_without_a_footer():
    nb = _graded()
    nb.cells = nb.cells[:-1]  # no "Need help now?" cell in the notebook
    text = _text(feedback_page(nb, "Scenarios", 5, 6))
    assert "Need help now?" in text and "Call or text 988" in text and "Call 911" in text
    assert "1-800-662-4357" in text and "A supervisor is not confidential." in text


def test_the_pass_mark_comes_from_the_certification_rule_and_the_rubric():
    rule = load_certification(ROOT / "grading" / "certification.yml")
    rubric = load_rubric(ROOT / "grading" / "rubric.yml")
    kc = _text(feedback_page(_graded(), "Knowledge check", 15, 20, rubric, "knowledge-check", rule))
    assert "Your score: 15 of 20. You need 16 of 20 to pass this part." in kc
    assert "If you are not there yet, that is common." in kc
    assert "try again with new questions." in kc
    kc75 = rule.knowledge_check.model_copy(update={"at_least_percent": 75})
    rule = rule.model_copy(update={"knowledge_check": kc75})
    kc = _text(feedback_page(_graded(), "Knowledge check", 15, 20, rubric, "knowledge-check", rule))
    assert "You need 15 of 20 to pass this part." in kc
    sc = _text(feedback_page(_graded(), "Scenarios", 5, 6, rubric, "scenarios", rule))
    assert "each written answer needs 2 of 3 (\u201cMeets\u201d) or more." in sc
    assert "with your lead trainer and try again." in sc
    assert "to pass this part" not in _text(feedback_page(_graded(), "Other", 1, 2, rubric, "x"))


def test_the_page_shows_no_code_no_checks_no_scripts_and_nothing_from_outside():
    page = feedback_page(_graded(), "Scenarios", 5, 6)
    for hidden in ("assert", "HIDDEN", "choose(", "answer =", "How to answer", "Traceback"):
        assert hidden not in page, hidden
    assert "<script" not in page.lower()  # the candidate's own text is escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt; how he is &amp; listen." in page
    assert not re.search(r"(?:src|href)=|https?://|@import|url\(", page)


def test_explanations_come_only_from_the_hidden_checks():
    source = (
        "# Why: seen by candidates\n### BEGIN HIDDEN TESTS\n# Why: the reason\n### END HIDDEN TESTS"
    )
    assert explanation(source) == "the reason"
    items = read_items(_graded())
    assert [i.right for i in items] == [True, False, False, False]
    assert [i.kind for i in items] == ["choice", "choice", "choice", "written"]


@pytest.mark.parametrize("assignment", ["knowledge-check", "scenarios"])
def test_every_choice_in_the_exercises_has_a_plain_kind_explanation(assignment):
    raw = json.loads((ROOT / "exercises" / assignment / f"{assignment}.ipynb").read_text())
    nb = nbformat.reads(json.dumps(raw), as_version=4)
    choices = [i for i in read_items(nb) if i.kind == "choice"]
    assert len(choices) == {"knowledge-check": 20, "scenarios": 4}[assignment]
    whys = [i.why for i in choices]
    assert all(whys) and len(set(whys)) == len(whys)
    prose = " ".join(whys)
    assert textstat.flesch_kincaid_grade(prose) <= 8, textstat.flesch_kincaid_grade(prose)
    assert not unsafe_phrases(prose)
