"""The attacks of the certification-integrity issue, as real submissions through collect and
autograde: none scores above what its literal answers earn, none runs its code, and each one
shows a clear outcome in ``peercare cert status``."""

from __future__ import annotations

import pytest

from .attacks import ATTACKS
from .conftest import cert
from .helpers import KC, answer_key

pytestmark = pytest.mark.filterwarnings("ignore::nbformat.warnings.DuplicateCellId")


@pytest.fixture(scope="module")
def status(graded):
    out = cert(graded["course"].root, "status")
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_an_attack_earns_only_its_literal_answers(graded, attack):
    course = graded["course"]
    key = answer_key(course.exercises, KC, KC)
    total = graded["parallel"][(KC, attack.name, "total")]
    assert total == attack.expected(key)
    assert graded["nbgrader"][(KC, attack.name, "total")] == total  # plain nbgrader agrees


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_no_attack_code_ran(graded, attack):
    homes = graded["course"].root.parent / "homes"
    assert not (homes / f"{attack.name}-ran").exists()


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_status_says_what_happened(status, attack):
    if attack.status == "graded":
        row = next(x for x in status.splitlines() if x.startswith(f"{attack.name} ") and KC in x)
        assert "20/20" in row and "graded" in row
    else:
        assert f"{attack.name} / {KC}: {attack.status}" in status
