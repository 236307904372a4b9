"""The observed teach-back and the recertification period, with real nbgrader and a real
gradebook: a copy of the session's graded course, so these observations and certificates
stay out of the other tests' way."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date

import pytest

from peercare.certification.rules import add_months

from .conftest import GOOD, NAMES, cert
from .observing import write_marks

SEGMENT = "Refresher (60 minutes), part 3: Practice: a check-in"
PAST = date(2024, 3, 1)  # an observation, and a certificate two weeks later
ISSUED, EXPIRES = date(2024, 3, 15), date(2026, 3, 15)


@pytest.fixture(scope="module")
def own(graded, tmp_path_factory):
    """The graded course copied, the good candidate's rubric grades set, nothing observed."""
    from peercare.certification import Course
    from peercare.certification.grades import set_rubric_grade

    base = graded["course"].root.parent
    copy = tmp_path_factory.mktemp("teachback") / "course"
    shutil.copytree(base, copy, symlinks=True)
    for folder in ("observations", "certificates"):
        shutil.rmtree(copy / "grading" / folder, ignore_errors=True)
    course = Course.find(copy / "grading")
    for cell in ("s1-response", "s2-response", "s3-response"):
        set_rubric_grade(course, GOOD, "scenarios", cell, 3)
    for cell in ("f1-response", "f2-response", "f3-response"):
        set_rubric_grade(course, GOOD, "facilitation", cell, 2)
    return course


def observe(course, *args: str) -> subprocess.CompletedProcess:
    return cert(course.root, "observe", *args)


def decided(course) -> str:
    out = cert(course.root, "decide", "--candidate", GOOD)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_without_an_observation_the_decision_is_not_yet(own):
    text = decided(own)
    assert f"{GOOD} ({NAMES[GOOD]}): NOT YET" in text
    assert "not yet: no observed teach-back yet" in text
    assert "ok: knowledge check 20/20" in text  # everything else is there


def _bad(tmp_path, name, **marks):
    return str(write_marks(tmp_path / f"{name}.yml", **marks))


@pytest.mark.parametrize(
    ("args", "marks", "message"),
    [
        (["--candidate", "nobody"], {}, "'nobody' is not on the candidate list"),
        (["--plan", "no-such-plan"], {}, "No plan 'no-such-plan'; the plans are: refresher"),
        (["--segment", "9"], {}, "refresher has no segment '9'. Give its number or title: 1 "),
        (["--segment", "0"], {}, "refresher has no segment '0'"),
        (["--segment", "Lunch"], {}, "refresher has no segment 'Lunch'"),
        (["--plan", "workshop-day", "--segment", "4"], {}, "segment 4 ('Stretch') is a break"),
        (["--segment", "1"], {}, "is 5 minutes; an observed teach-back needs a segment of at least 15"),
        ([], {"captions": None}, "item 'captions': has no mark"),
        ([], {"crisis_lines": "maybe"}, "item 'crisis-lines': 'maybe' is not a mark (use seen, not seen or n/a)"),
        ([], {"crisis_lines": 3}, "item 'crisis-lines': 3 is not a mark"),
        ([], {"extra_item": "seen"}, "'extra-item' is not an item of the checklist"),
        ([], {"feedback": None}, "written feedback is needed"),
        ([], {"feedback": "  "}, "written feedback is needed"),
        (["--date", "2999-01-01"], {}, "the observation date 2999-01-01 is after today"),
        (["--date", "30/11/2026"], {}, "'30/11/2026' is not a date like 2026-11-30"),
        (["--marks", "/no/such/file.yml"], {}, "/no/such/file.yml: cannot read the marks file"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_clear_message_and_records_nothing(own, tmp_path, args, marks, message):
    opts = {"--candidate": GOOD, "--plan": "refresher", "--segment": "3",
            "--marks": _bad(tmp_path, "marks", **marks)}  # fmt: skip
    for flag, value in zip(args[::2], args[1::2], strict=True):
        opts[flag] = value
    out = observe(own, *[x for pair in opts.items() for x in pair])
    assert out.returncode == 2, out.stdout
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert not (own.root / "observations").exists()


def test_observe_names_what_is_missing(own, tmp_path):
    out = observe(own, "--candidate", GOOD)
    assert out.returncode == 2 and "give --plan, --segment, --marks" in out.stderr
    blank = tmp_path / "blank.yml"
    out = observe(own, "--form", "-o", str(blank))
    assert out.returncode == 0, out.stderr
    out = observe(own, "--candidate", GOOD, "--plan", "refresher", "--segment", "3",
                  "--marks", str(blank), "--feedback", "Good.")  # fmt: skip
    assert out.returncode == 2 and "item 'agenda-ahead': has no mark" in out.stderr
    assert "item 'feedback': has no mark" in out.stderr  # every missing item is listed


@pytest.fixture(scope="module")
def failed(own, tmp_path_factory):
    """Observed: everything seen but the crisis lines (a safety item)."""
    marks = write_marks(tmp_path_factory.mktemp("failed") / "m.yml", crisis_lines="not seen")
    out = observe(own, "--candidate", GOOD, "--plan", "refresher", "--segment", "3",
                  "--marks", str(marks), "--observer", "Lead T.")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "did not pass" in out.stdout
    return own


def test_a_failing_observation_is_not_yet(failed):
    text = decided(failed)
    assert f"{GOOD} ({NAMES[GOOD]}): NOT YET" in text
    assert "safety item 'crisis-lines' came up and was not seen" in text
    assert SEGMENT in text


@pytest.fixture(scope="module")
def passed(failed, tmp_path_factory):
    """Observed again on a recording, the segment named by its title; n/a where it did not
    come up; yes/no answers for the ask-before items."""
    marks = write_marks(tmp_path_factory.mktemp("passed") / "m.yml", captions="n/a",
                        left_upset="n/a", news_checked="no", time_kept="not seen")  # fmt: skip
    out = observe(failed, "--candidate", GOOD, "--plan", "refresher", "--segment",
                  "practice: a CHECK-IN", "--marks", str(marks), "--recorded",
                  "--feedback", "Warm, <b>clear</b>; keep an eye on the clock.")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert (
        "observed a recording" in out.stdout and "passed, 14 of 15 watch items seen" in out.stdout
    )
    return failed


def test_a_passing_observation_certifies(passed):
    text = decided(passed)
    assert f"{GOOD} ({NAMES[GOOD]}): CERTIFIED" in text
    assert f"ok: observed teach-back: {SEGMENT}" in text


def test_observations_are_kept_across_runs(passed):
    from peercare.certification import Course
    from peercare.certification.observe import latest, observations

    data = json.loads((passed.root / "observations" / f"{GOOD}.json").read_text())
    assert [o["passed"] for o in data["observations"]] == [False, True]
    fresh = Course.find(passed.root)  # a new run reads the same
    kept = observations(fresh, GOOD)
    assert [o.passed for o in kept] == [False, True]
    assert kept[0].observer == "Lead T." and kept[0].marks["crisis-lines"] == "not seen"
    assert kept[1].marks["news-checked"] == "not seen" and kept[1].recorded
    assert kept[1].feedback == "Warm, <b>clear</b>; keep an eye on the clock."
    assert latest(fresh, GOOD) == kept[1]
    status = cert(passed.root, "status", "--candidate", GOOD)
    assert status.returncode == 0, status.stderr
    assert "Observed teach-back:" in status.stdout
    assert f"{GOOD}: {SEGMENT} (refresher), observed a recording on" in status.stdout


def test_an_observation_counts_for_twelve_months(passed):
    from peercare.certification.decide import NOT_YET, decide

    later = add_months(date.today(), 13)
    (d,) = decide(passed, GOOD, today=later)
    assert d.verdict == NOT_YET
    assert any("is more than 12 months old; observe a new one" in r for r in d.reasons)


@pytest.fixture(scope="module")
def past(passed):
    """An observation in 2024 and a certificate issued two weeks later (the clock given)."""
    from peercare.certification.certificates import issue
    from peercare.certification.observe import record

    marks = {i: "seen" for i in json.loads(
        (passed.root / "observations" / f"{GOOD}.json").read_text())["observations"][0]["marks"]}  # fmt: skip
    record(passed, GOOD, "refresher", "3", marks, "Fine.", observed_on=PAST)
    (made,) = issue(passed, today=ISSUED)
    assert made.new and made.candidate == GOOD
    return passed, made


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


def test_the_certificate_shows_its_dates_segment_and_licence(past):
    course, made = past
    text = _pdf_text(made.path)
    assert f"Issued {ISSUED} by the lead trainers" in text
    assert f"Valid until {EXPIRES}" in text
    assert f"Observed teach-back: {SEGMENT}" in text
    assert "Text: CC BY 4.0" in text and made.code in text


def test_verify_valid_until_then_expired_on(past):
    from peercare.certification.certificates import verify

    course, made = past
    ok = verify(course, made.code, today=date(2025, 6, 1))
    assert ok.valid and f"VALID until {EXPIRES}" in ok.message and SEGMENT in ok.message
    last = verify(course, made.code, today=date(2026, 3, 14))
    assert last.valid
    gone = verify(course, made.code, today=EXPIRES)
    assert not gone.valid and f"EXPIRED on {EXPIRES}" in gone.message
    out = cert(course.root, "verify", made.code)  # today's clock: long after March 2026
    assert out.returncode == 1 and f"EXPIRED on {EXPIRES}" in out.stdout
    assert NAMES[GOOD] in out.stdout and "To renew" in out.stdout


def test_verify_detects_a_changed_file_and_a_made_up_code(past, tmp_path):
    from peercare.certification.certificates import verify

    course, made = past
    assert verify(course, made.code, today=date(2025, 6, 1), pdf=made.path).valid
    changed = tmp_path / "changed.pdf"
    # the code in the file's description, edited (the page's text is in font codes)
    data = made.path.read_bytes().replace(f"code {made.code}".encode(), b"code HH-2345-6789")
    assert data != made.path.read_bytes()
    changed.write_bytes(data)
    out = cert(course.root, "verify", made.code, "--pdf", str(changed))
    assert out.returncode == 1 and "NOT VALID" in out.stdout and "was changed" in out.stdout
    made_up = cert(course.root, "verify", "HH-2345-6789")
    assert made_up.returncode == 1 and "matches no certificate" in made_up.stdout
    missing = cert(course.root, "verify", made.code, "--pdf", str(tmp_path / "nope.pdf"))
    assert missing.returncode == 2 and "cannot read it" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_an_expired_certificate_is_renewed_after_a_new_observation(past):
    from peercare.certification.certificates import issue, verify

    course, old = past
    (new,) = issue(course)  # today: the observation recorded today counts
    assert new.new and new.code != old.code
    today = date.today()
    check = verify(course, new.code)
    assert check.valid and f"VALID until {add_months(today, 24)}" in check.message
    assert "replaced by a newer certificate" in verify(course, old.code).message
    (again,) = issue(course)
    assert not again.new and again.code == new.code


def test_the_guide_says_what_the_rule_says():
    """The facilitator guide's readiness criteria carry the rule's numbers."""
    from peercare.certification.rules import load_certification
    from peercare.content.fidelity import load_fidelity

    from .helpers import ROOT

    rule = load_certification(ROOT / "grading" / "certification.yml")
    page = (ROOT / "book" / "facilitators" / "certification.md").read_text(encoding="utf-8")
    assert rule.observation.required and rule.readiness
    assert f"at least {rule.knowledge_check.at_least_percent:g}% on the knowledge check" in page
    assert f"{rule.observation.at_least_minutes} minutes or longer, and not a break" in page
    assert f"at least {load_fidelity().watch_percent}% of the watch items" in page
    assert f"counts for {rule.observation.counts_for_months} months" in page
    assert f"({rule.valid_for_months} months) from the day it is issued" in page
    shown = [line for line in page.splitlines() if line[:1].isdigit() and ". **" in line]
    assert len(shown) == len(rule.readiness)
    assert "book/facilitators/certification" in (ROOT / "_toc.yml").read_text()


def test_the_blank_form_has_every_item_and_months_add_up():
    import yaml

    from peercare.certification.observe import blank_form
    from peercare.content.fidelity import load_fidelity

    form = yaml.safe_load(blank_form())
    assert list(form["marks"]) == [i.id for i in load_fidelity().items]
    assert set(form["marks"].values()) == {None}
    assert add_months(date(2024, 2, 29), 24) == date(2026, 2, 28)
    assert add_months(date(2024, 11, 30), 14) == date(2026, 1, 30)
