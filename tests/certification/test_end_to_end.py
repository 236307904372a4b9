"""From adding candidates to verifying certificates, with real nbgrader and a real gradebook."""

from __future__ import annotations

import re
import subprocess

import pytest

from .conftest import BAD, BROKEN, GOOD, NAMES, PARTIAL, cert, snapshot
from .helpers import KC
from .observing import write_marks

# the duplicated test cell also repeats a cell id; nbformat says so when it reads it
pytestmark = pytest.mark.filterwarnings("ignore::nbformat.warnings.DuplicateCellId")


def test_parallel_and_sequential_autograde_give_the_same_gradebook(graded):
    assert graded["parallel"] == graded["sequential"]
    states = {(r.assignment, r.candidate): r.state for r in graded["results"]}
    assert states[(KC, BROKEN)] == "rejected"
    assert all(s == "graded" for k, s in states.items() if k != (KC, BROKEN))
    assert len(states) == 3 + len(BAD) + 3 + 2  # knowledge check, scenarios, facilitation


def test_grading_in_process_leaves_the_folder_and_environment_alone(graded):
    # another thread relied on its working folder and environment the whole time
    assert graded["seen"] == {(graded["elsewhere"], None)}


def test_same_scores_as_nbgrader_autograde(graded):
    ours = {k: v for k, v in graded["parallel"].items() if k[0] == KC and k[1] != BROKEN}
    theirs = {k: v for k, v in graded["nbgrader"].items() if k in ours}
    assert ours and ours == theirs
    # plain nbgrader reports the unreadable notebook but the batch still ran to the end
    assert "broken" in graded["nbgrader_run"].stdout + graded["nbgrader_run"].stderr


def test_scores_of_good_partial_and_bad_submissions(graded):
    scores = {k[1]: v for k, v in graded["parallel"].items() if k[0] == KC and k[2] == "total"}
    assert scores[GOOD] == 20
    assert scores[PARTIAL] == 12
    assert scores["empty"] == 0
    # repaired: the restored, de-duplicated or un-stripped test cells graded as usual
    for who in ("deleted", "stripped", "duplicated"):
        assert scores[who] == 20, who
    assert scores["edited"] == 19  # the edited check was restored, so the wrong answer counts
    assert scores["looping"] == 19  # the looping answer was not in the form: never run
    assert scores["snooping"] == 19  # the answer that read files was not run
    assert BROKEN not in scores


def test_the_cli_reports_each_submission_and_carries_on(graded):
    out = graded["cli"]
    assert "broken / knowledge-check: rejected" in out
    assert "Grading with 2 at a time; each cell may run 5 s." in out
    assert out.count(": graded") == 3 + len(BAD) + 3 + 2 - 1


@pytest.fixture(scope="module")
def status(graded):
    out = cert(graded["course"].root, "status")
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (BROKEN, "broken / knowledge-check: knowledge-check.ipynb: the file is not a readable notebook"),
        ("deleted", "deleted / knowledge-check: checked: the test cell 'q03-check' was deleted"),
        ("stripped", "stripped / knowledge-check: checked: the cell 'q04-check' had lost its grading label"),
        ("duplicated", "duplicated / knowledge-check: checked: a copy of the read-only cell 'q05-check' was removed"),
        ("edited", "edited / knowledge-check: checked: the read-only cell 'q02-check' was edited"),
        ("looping", "looping / knowledge-check: scored 0: 'q06-answer' is not in the expected form"),
        ("empty", "empty / knowledge-check: no answer: q01-answer"),
        ("snooping", "snooping / knowledge-check: held: 'q07-answer' uses open; it was not run"),
        (PARTIAL, "partial / knowledge-check: no answer: q19-answer, q20-answer"),
    ],
)  # fmt: skip
def test_status_gives_each_bad_submission_a_clear_outcome(status, who, expected):
    assert expected in status


def test_a_held_answer_is_not_reported_as_empty(status):
    assert "snooping / knowledge-check: no answer" not in status


def test_status_table(status):
    lines = [x for x in status.splitlines() if x.startswith(("good ", "broken ", "snooping "))]
    good_kc = next(x for x in lines if x.startswith("good") and KC in x)
    assert "20/20" in good_kc and "graded" in good_kc
    assert any("broken" in x and KC in x and "rejected" in x for x in lines)
    assert any("snooping" in x and "held for review" in x for x in lines)
    assert any(
        x.startswith("broken") and "facilitation" in x and "not submitted" in x for x in lines
    )
    good_sc = next(x for x in lines if x.startswith("good") and "scenarios" in x)
    assert "3" in good_sc.split()  # three rubric grades missing before grading


@pytest.fixture(scope="module")
def rubric_graded(graded, status):
    from peercare.certification.grades import set_rubric_grade

    course = graded["course"]
    for cell in ("s1-response", "s2-response", "s3-response"):
        set_rubric_grade(course, GOOD, "scenarios", cell, 3, comment="Clear and kind.")
    for cell, score in (("f1-response", 2), ("f2-response", 3), ("f3-response", 2)):
        set_rubric_grade(course, GOOD, "facilitation", cell, score)
    set_rubric_grade(course, PARTIAL, "scenarios", "s1-response", 2)
    set_rubric_grade(course, PARTIAL, "scenarios", "s3-response", 1)
    return course


def test_manual_grades_count_once_set_through_the_gradebook(rubric_graded):
    grades = snapshot(rubric_graded, {"scenarios", "facilitation"})
    assert grades[("scenarios", GOOD, "s1-response")] == (None, 3.0, False)
    assert grades[("facilitation", GOOD, "f1-response")] == (None, 2.0, False)
    assert grades[("scenarios", GOOD, "total")] == 9 + 4


@pytest.fixture(scope="module")
def observed(rubric_graded, tmp_path_factory):
    """A lead trainer watched the good candidate run part 3 of the refresher."""
    marks = write_marks(tmp_path_factory.mktemp("observed") / "marks.yml")
    out = cert(rubric_graded.root, "observe", "--candidate", GOOD, "--plan", "refresher",
               "--segment", "3", "--marks", str(marks))  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "passed, 17 of 17 watch items seen" in out.stdout
    return rubric_graded


def test_decide_explains_each_candidate(observed):
    rubric_graded = observed
    out = cert(rubric_graded.root, "decide")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert f"good ({NAMES[GOOD]}): CERTIFIED" in text
    assert "partial (Sam Lee): NOT YET" in text
    assert "not yet: knowledge check 12/20 (60%); needs 80%" in text
    assert (
        "not yet: Responds without shame and connects to support: 's3-response' is at 'Getting there'"
        in text
    )
    assert "broken (Jordan Reyes): NOT YET" in text  # two written answers left empty
    assert "not yet: Checks in with care: 's1-response' has no answer" in text
    assert "waiting: knowledge-check: rejected" in text
    assert "waiting: facilitation: not submitted yet" in text
    assert "snooping (Test Snooping): WAITING" in text and "held for review" in text
    assert "ok: observed teach-back: Refresher (60 minutes), part 3: Practice: a check-in" in text
    assert "not yet: no observed teach-back yet" in text  # the others were not observed


@pytest.fixture(scope="module")
def feedback(rubric_graded):
    out = cert(rubric_graded.root, "feedback")
    assert out.returncode == 0, out.stderr
    return rubric_graded.folder("feedback")


def test_feedback_never_shows_hidden_tests(feedback, graded):
    html = (feedback / GOOD / KC / f"{KC}.html").read_text()
    assert "Correct." in html
    assert "HIDDEN TESTS" not in html and "assert given ==" not in html
    partial = (feedback / PARTIAL / KC / f"{KC}.html").read_text()
    assert "Not the best answer this time." in partial and "assert given ==" not in partial
    assert "The answer we were looking for: " in partial
    assert "You need 16 of 20 to pass this part." in partial  # grading/certification.yml
    # the candidate's own answer, and right or not; an empty one says so; no check code
    assert re.search(r"Your answer: [A-D]\. Correct\.", html)
    assert "No answer was given, so this question scored 0." in partial
    assert "from checks import choose" not in html


def test_feedback_shows_the_rubric_and_comments(feedback):
    html = (feedback / GOOD / "scenarios" / "scenarios.html").read_text()
    assert "Rubric: Checks in with care" in html and "What a full answer does" in html
    assert html.count("Picks a private, calm moment (not at a scene).") == 1  # shown once
    assert "each written answer needs 2 of 3" in html
    assert "Strong" in html and "Clear and kind." in html


def test_feedback_is_released_to_the_exchange(feedback):
    outbound = feedback.parent / "exchange" / "helping-the-helpers" / "feedback"
    assert any(outbound.iterdir())


def test_feedback_pages_fetch_nothing_from_other_hosts(feedback):
    import re

    pages = list(feedback.glob("*/*/*.html"))
    released = feedback.parent / "exchange" / "helping-the-helpers" / "feedback"
    pages += list(released.glob("**/*.html"))
    assert len(pages) >= 6
    for page in pages:
        html = page.read_text()
        outside = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
        assert outside == [], (page, outside)
        assert "<title>" in html and len(html) > 5000  # still the whole feedback page


@pytest.fixture(scope="module")
def certificates(observed, feedback):
    rubric_graded = observed
    out = cert(rubric_graded.root, "certificates")
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_certificate_pdf_has_the_name_and_code(certificates, rubric_graded):
    from peercare.certification.certificates import load_registry

    registry = load_registry(rubric_graded)
    assert [v["candidate"] for v in registry.values()] == [GOOD]
    code = next(iter(registry))
    pdf = rubric_graded.certificates_dir / f"{GOOD}.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert NAMES[GOOD] in text and code in text
    assert "Observed teach-back: Refresher (60 minutes), part 3: Practice: a check-in" in text
    entry = registry[code]
    assert f"Issued {entry['issued']}" in text and f"Valid until {entry['expires']}" in text
    assert "Text: CC BY 4.0" in text
    assert "1 new certificate(s)" in certificates
    again = cert(rubric_graded.root, "certificates")
    assert "0 new certificate(s)" in again.stdout and code in again.stdout


def test_verify(certificates, rubric_graded):
    from peercare.certification.certificates import load_registry

    code = next(iter(load_registry(rubric_graded)))
    ok = cert(rubric_graded.root, "verify", code.lower().replace("-", " "))
    assert ok.returncode == 0 and "VALID until" in ok.stdout and NAMES[GOOD] in ok.stdout
    bad = cert(rubric_graded.root, "verify", "HH-AAAA-BBBB")
    assert bad.returncode == 1 and "NOT VALID" in bad.stdout


def test_item_scores_go_to_the_evaluation_kit_without_names(graded, tmp_path):
    from peercare.evaluation.items import analyse_scores
    from peercare.evaluation.tables import load_scores

    path = tmp_path / "certification.csv"
    out = cert(graded["course"].root, "scores", "-o", str(path))
    assert out.returncode == 0, out.stderr
    text = path.read_text()
    assert not [n for n in NAMES.values() if n in text]
    scores = load_scores(path)
    totals = scores.points.sum(axis=1)
    expected = {k[1]: v for k, v in graded["parallel"].items() if k[0] == KC and k[2] == "total"}
    assert totals.to_dict() == pytest.approx(expected)
    assert BROKEN not in totals.index  # rejected, never graded
    assert analyse_scores(scores, threshold=5).items["n"].max() == len(expected)


def test_scores_of_an_unknown_assignment_is_a_clear_error(graded):
    out = cert(graded["course"].root, "scores", "no-such-thing")
    assert out.returncode == 2 and "No assignment 'no-such-thing'" in out.stderr
    assert "Traceback" not in out.stderr
