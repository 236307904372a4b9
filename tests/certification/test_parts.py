"""The parts on their own: candidate lists, screening, rules, exercises. Fast; no kernels."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest
import textstat
from rapidfuzz import fuzz

from peercare.certification.candidates import read_candidates
from peercare.certification.course import CertError, Course
from peercare.certification.preprocessors import held_reason, strip_hidden
from peercare.certification.rules import load_rubric
from peercare.content.bank import load_all
from peercare.content.prose import unsafe_phrases

from .helpers import ROOT

EXERCISES = ROOT / "exercises"


def cells(assignment: str, notebook: str) -> list[dict]:
    nb = json.loads((EXERCISES / assignment / f"{notebook}.ipynb").read_text())
    return nb["cells"]


def nbg(cell: dict) -> dict:
    return cell["metadata"].get("nbgrader", {})


# --- candidates -------------------------------------------------------------------------


def test_candidates_csv_reads_names_and_email(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,name,email\nana-1,Ana María López,ana@example.org\nbo,Bo,\n")
    people = read_candidates(path)
    assert [p.id for p in people] == ["ana-1", "bo"]
    assert people[0].first_last == ("Ana María", "López")
    assert people[1].first_last == ("Bo", "") and people[1].email is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("name,id\nx,y\n", "line 1 should be the header id,name"),
        ("id,name\nana,Ana\nana,Ana B\n", "line 3: id 'ana' is already on line 2"),
        ("id,name\nAna Smith,Ana\n", "line 2: id 'Ana Smith' should be lowercase"),
        ("id,name\nana,\n", "line 2: the name is empty"),
        ("id,name\nana,Ana,extra\n", "line 2: expected 2 values, found 3"),
        ("id,name\n", "no candidates below the header line"),
    ],
)
def test_candidates_csv_errors_name_the_line(tmp_path, text, message):
    path = tmp_path / "c.csv"
    path.write_text(text)
    with pytest.raises(CertError, match=re.escape(message)):
        read_candidates(path)


def test_cli_reports_a_bad_csv_without_a_traceback(tmp_path):
    bad = tmp_path / "c.csv"
    bad.write_text("id,name\nx,X\nx,Y\n")
    out = subprocess.run(
        [sys.executable, "-m", "peercare.cli", "cert", "--course", str(ROOT / "grading"),
         "add-candidates", str(bad)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 2 and "already on line 2" in out.stderr
    assert "Traceback" not in out.stderr


def test_not_a_course_folder(tmp_path):
    with pytest.raises(CertError, match="not a course folder"):
        Course.find(tmp_path)


# --- screening --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    ['answer = "B"', "# my answer\nanswer = 'c'", "answer = B", 'while True:\n    pass',
     "x = 1 + 2"],
)  # fmt: skip
def test_plain_answers_are_allowed(source):
    assert held_reason(source) is None


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ('answer = open("../../x/a.ipynb").read()', "uses open"),
        ("import os", "imports a module"),
        ("from pathlib import Path", "imports a module"),
        ("!cat ../../other/knowledge-check.ipynb", "shell commands"),
        ("%ls ../..", "shell commands"),
        ("answer = ().__class__.__bases__", "internals"),
        ('answer = eval("1")', "uses eval"),
        ('answer = __import__("os")', "uses __import__"),
    ],
)
def test_code_that_reaches_outside_is_held(source, reason):
    assert reason in held_reason(source)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("EQ_CLASS", "defines"),
        ("FRAMES", "internals (f_builtins)"),
        ("MATCH", "internals (a match pattern)"),
        ("TYPE_EQ", "builds a new type"),
        ("REBIND_STR", "replaces Python's own str"),
        ("STRIP_ASSERTS", "shell commands"),
        ("STRIP_ASSERTS_QUIET", "internals (a match pattern)"),
        ("MAGIC", "shell commands"),
    ],
)
def test_the_screen_warns_about_the_known_bypasses(name, reason):
    """The screen is an early warning (choice answers are never run, code answers run in the
    sandbox); it now knows the ways past it that the security review found."""
    from . import attacks

    assert reason in held_reason(getattr(attacks, name))


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("class S(str):\n    def __eq__(self, o):\n        return True", "defines"),
        ("def __eq__(self, o):\n    return True", "defines __eq__"),
        ("for str in ['A']:\n    pass", "replaces Python's own str"),
        ("def f(print):\n    return print", "replaces Python's own names"),
        ("x = (lambda: 0).__code__", "internals (__code__)"),
        ('x = getattr(1, "__class__")', "uses getattr"),
        ('x = vars()["__builtins__"]', "internals (__builtins__)"),
        ("x = [].__class__.mro()", "internals"),
    ],
)
def test_the_screen_warns_about_more_ways_in(source, reason):
    assert reason in held_reason(source)


def test_strip_hidden_keeps_the_visible_checks():
    src = 'assert x != ""\n### BEGIN HIDDEN TESTS\nassert x == "B"\n### END HIDDEN TESTS\n'
    assert strip_hidden(src) == 'assert x != ""'


# --- rules ------------------------------------------------------------------------------


def test_rubric_and_rule_load():
    course = Course.find(ROOT / "grading")
    rubric, rule = course.rubric(), course.rule()
    assert rubric.level_name(2) == "Meets" and rubric.level_name(0.5) == "Not there yet"
    assert rule.knowledge_check.assignment in rule.required


def test_a_cell_in_two_competencies_is_an_error(tmp_path):
    text = (ROOT / "grading" / "rubric.yml").read_text()
    text = text.replace('cells: ["facilitation:f3-response"]', 'cells: ["scenarios:s1-response"]')
    (tmp_path / "rubric.yml").write_text(text)
    with pytest.raises(CertError, match="is in both"):
        load_rubric(tmp_path / "rubric.yml")


def test_every_rubric_graded_answer_is_in_the_rubric_and_worth_its_points():
    rubric = load_rubric(ROOT / "grading" / "rubric.yml")
    manual = set()
    for assignment, notebook in (("scenarios", "scenarios"), ("facilitation", "facilitation-plan")):
        for cell in cells(assignment, notebook):
            meta = nbg(cell)
            if meta.get("grade") and meta.get("solution"):
                manual.add(f"{assignment}:{meta['grade_id']}")
                assert meta["points"] == rubric.points, meta["grade_id"]
    assert manual == {c for comp in rubric.competencies for c in comp.cells}


def test_graders_and_candidates_see_what_meets_looks_like():
    """Formgrader shows the story above each answer; the story carries the rubric's words."""
    rubric = load_rubric(ROOT / "grading" / "rubric.yml")
    for assignment, notebook in (("scenarios", "scenarios"), ("facilitation", "facilitation-plan")):
        story = {c["id"]: "".join(c["source"]) for c in cells(assignment, notebook)}
        for comp in rubric.competencies:
            for cell in comp.cells:
                if cell.startswith(f"{assignment}:"):
                    sid = cell.split(":")[1].removesuffix("-response")
                    assert comp.meets in story[f"{sid}-story"], cell


# --- exercises --------------------------------------------------------------------------


def kc_questions() -> list[str]:
    out = []
    for cell in cells("knowledge-check", "knowledge-check"):
        if cell["id"].endswith("-question"):
            text = "".join(cell["source"])
            out.append(text.split("\n\n")[1])
    return out


def test_knowledge_check_has_twenty_autograded_items_with_hidden_tests():
    all_cells = cells("knowledge-check", "knowledge-check")
    checks = [c for c in all_cells if nbg(c).get("grade") and not nbg(c).get("solution")]
    assert len(checks) == 20 and all(nbg(c)["points"] == 1 for c in checks)
    assert all("### BEGIN HIDDEN TESTS" in "".join(c["source"]) for c in checks)
    answers = [c for c in all_cells if nbg(c).get("solution")]
    assert len(answers) == 20
    assert all("### BEGIN SOLUTION" in "".join(c["source"]) for c in answers)


def test_hidden_checks_carry_no_message():
    """Feedback shows a failed check's message; only visible checks may have one."""
    for assignment, notebook in (
        ("knowledge-check", "knowledge-check"),
        ("scenarios", "scenarios"),
    ):
        for cell in cells(assignment, notebook):
            src = "".join(cell["source"])
            if "### BEGIN HIDDEN TESTS" in src:
                hidden = src.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
                lines = [x for x in hidden.strip().splitlines() if not x.startswith("# Why:")]
                assert all("," not in line for line in lines), src


def test_knowledge_check_does_not_reuse_the_books_quiz_items():
    book = [q.prompt for bank in load_all(ROOT).values() for q in bank.questions]
    for mine in kc_questions():
        closest = max(book, key=lambda b: fuzz.ratio(mine, b))
        assert fuzz.ratio(mine, closest) < 70, (mine, closest)


@pytest.mark.parametrize(
    ("assignment", "notebook"),
    [("knowledge-check", "knowledge-check"), ("scenarios", "scenarios"),
     ("facilitation", "facilitation-plan")],
)  # fmt: skip
def test_instructions_are_plain_and_safe(assignment, notebook):
    text = "\n".join(
        "".join(c["source"])
        for c in cells(assignment, notebook)
        if c["cell_type"] == "markdown" and nbg(c).get("locked")
    )
    prose = re.sub(r"```.*?```|`[^`]*`|[#*|]", " ", text, flags=re.S)
    assert textstat.flesch_kincaid_grade(prose) <= 8
    assert not unsafe_phrases(text)
    assert "988" in text  # help now, on every exercise


def test_check_your_work_lists_empty_written_answers(tmp_path, monkeypatch, capsys):
    import importlib.util

    assert (EXERCISES / "scenarios" / "checks.py").read_text() == (
        EXERCISES / "facilitation" / "checks.py"
    ).read_text()
    spec = importlib.util.spec_from_file_location("checks", EXERCISES / "scenarios" / "checks.py")
    checks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checks)
    nb = {"cells": cells("scenarios", "scenarios")}
    for cell in nb["cells"]:
        if nbg(cell).get("solution") and cell["cell_type"] == "markdown":
            cell["source"] = "Type your answer here. (Double-click this box to start typing.)"
    nb["cells"][2]["source"] = "I would ask in private how they are doing."
    (tmp_path / "s.ipynb").write_text(json.dumps(nb))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert checks.missing_answers("s.ipynb") == ["Holding the room", "A secret about drinking"]
    checks.report_missing_answers("s.ipynb")  # says it in words; never raises (nothing red)
    assert capsys.readouterr().out.startswith(
        "Still empty: “Holding the room”, “A secret about drinking”."
    )
    # the choice questions' helper: the letter in one form when grading, never an error
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert [checks.choose(1, x) for x in (" b", "D", None, 3, "")] == ["B", "D", "", "", ""]
    assert capsys.readouterr().out == ""
    monkeypatch.delenv("NBGRADER_EXECUTION")
    assert checks.choose(2, "c") == "C"  # and shows the buttons
    assert "ChoiceButtons" in capsys.readouterr().out


def test_assignment_check_helpers_stay_identical():
    """nbgrader releases each assignment folder on its own, so each carries a copy of the
    written-answer checks; the copies must not drift apart."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "exercises"
    copies = {p.read_text() for p in root.glob("*/checks.py")}
    assert len(list(root.glob("*/checks.py"))) >= 2 and len(copies) == 1


@pytest.mark.parametrize(
    "cell", ["=cmd|' /C calc'!A0", "+1", "-1+1", "@SUM(A1)", "\t=1", " =1", "\n=1", "＝1", "　＋1"]
)
def test_item_scores_csv_is_safe_to_open_in_a_spreadsheet(cell):
    from peercare.certification.scores import scores_csv

    text = scores_csv([(cell, cell, 1.0, 1.0)])
    row = list(csv.reader(io.StringIO(text, newline="")))[1]
    assert row[0] == row[1] == "'" + cell
    assert row[2:] == ["1", "1"]


def test_item_scores_keep_ordinary_cells_as_they_are():
    from peercare.certification.scores import scores_csv

    assert scores_csv([("good", "q01-check", 0.5, 1.0)]).splitlines()[1] == "good,q01-check,0.5,1"
