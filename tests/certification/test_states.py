"""Certification states are values (enums), and errors are told apart by their type, never
by words in their message. Fast: no kernels, no nbgrader run."""

from __future__ import annotations

import json

import pytest
from nbclient.exceptions import CellTimeoutError
from nbgrader.converters.base import NbGraderException

from peercare.certification.autograde import State, _why_failed
from peercare.certification.course import CertError
from peercare.certification.decide import Decision, Standing, format_decisions
from peercare.certification.observe import find_plan
from peercare.certification.sandbox import SandboxUnavailable
from peercare.certification.status import Outcome, Row
from peercare.content.plans import NoSuchPlan, PlanError, load_plan


@pytest.mark.parametrize("outcome", list(Outcome))
def test_blocked_is_a_set_of_outcomes(outcome):
    row = Row("c", "C", "a", outcome=outcome)
    assert row.blocked == (outcome in {Outcome.REJECTED, Outcome.FAILED, Outcome.HELD})


def test_states_read_back_from_an_outcome_file():
    written = json.loads(json.dumps({"state": State.FAILED}))
    assert written["state"] == "failed" and Outcome(State(written["state"])) is Outcome.FAILED


def test_the_decisions_count_each_standing():
    text = format_decisions(
        [Decision("a", "A", Standing.CERTIFIED), Decision("b", "B", Standing.NOT_YET)]
    )
    assert "a (A): CERTIFIED" in text and "b (B): NOT YET" in text
    assert text.endswith("1 certified, 1 not yet, 0 waiting.")


def test_a_failure_is_told_by_its_type_not_its_words():
    raised = NbGraderException("Please see the error log")
    kept_running = _why_failed(CellTimeoutError("a cell timed out"), raised)
    assert "kept running after the time limit" in kept_running
    # the words of one error in another's message do not fool it
    fake = ValueError("SandboxUnavailable: unresponsive CellTimeoutError")
    assert (
        _why_failed(fake, raised) == "ValueError: SandboxUnavailable: unresponsive CellTimeoutError"
    )
    no_sandbox = SandboxUnavailable("install bubblewrap\nsecond line")
    assert _why_failed(no_sandbox, raised) == "install bubblewrap"
    assert _why_failed(None, NbGraderException("database error\nmore")) == "database error"


def test_a_missing_plan_and_a_broken_plan_are_different_errors(tmp_path):
    with pytest.raises(NoSuchPlan):
        load_plan("no-such-plan-here")
    with pytest.raises(CertError, match="No plan 'no-such-plan-here'; the plans are: "):
        find_plan("no-such-plan-here")
    broken = tmp_path / "broken.yml"
    broken.write_text("title: x\n")
    with pytest.raises(PlanError) as caught:
        load_plan(broken)
    assert not isinstance(caught.value, NoSuchPlan)
    with pytest.raises(CertError) as caught:
        find_plan(str(broken))
    assert str(broken) in str(caught.value) and "No plan" not in str(caught.value)
