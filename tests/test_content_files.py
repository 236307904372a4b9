"""Every content file is read one way (peercare.content.schema.load): a broken file of any kind
gives the same plain lines, ``file: item: field: what is wrong``, never pydantic's own text,
and the command prints them without a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from peercare import moderation
from peercare.book import widgets
from peercare.certification import certificates, rules
from peercare.content import (
    bank,
    branching,
    cast,
    fidelity,
    helpnow,
    instruments,
    plans,
    prose,
    support,
)
from peercare.content.schema import ProblemsError

from .conftest import ROOT

DATA = ROOT / "src" / "peercare" / "data"
PYDANTIC_WORDS = ("Input should", "validation error", "pydantic", "type=", "For further")

# kind: (shipped file, where it goes under the test folder, list to break, its item in words,
#        loader given the broken file's path)
KINDS = {
    "bank": (ROOT / "book/coping/questions.yml", "book/coping/questions.yml", "questions",
             "question 'coping-breath-out'", bank.load_bank),
    "scenario": (DATA / "scenarios/family-at-night.yml", "family-at-night.yml", "steps",
                 "step 'call'", branching.load_scenario),
    "instrument": (DATA / "instruments/reaction.yml", "reaction.yml", "items",
                   "item 'useful'", instruments.load_instrument),
    "widget spec": (ROOT / "book/seeking-help/private-checkin.yml", "private-checkin.yml", "scale",
                    "scale point 1 ('Not at all')",
                    lambda p: widgets.load_spec(p, widgets.PrivateCheckInSpec)),
    "rubric": (ROOT / "grading/rubric.yml", "rubric.yml", "competencies",
               "competency 'check-in'", rules.load_rubric),
    "certification rule": (ROOT / "grading/certification.yml", "certification.yml",
                           "knowledge_check", "knowledge_check", rules.load_certification),
    "certificate template": (ROOT / "grading/certificate.yml", "certificate.yml", "lines",
                             "line #1", certificates.load_template),
    "fidelity checklist": (ROOT / "book/facilitators/fidelity.yml",
                           "book/facilitators/fidelity.yml", "items", "item 'agenda-ahead'",
                           lambda p: fidelity.load_fidelity(p.parents[2])),
    "moderation lists": (DATA / "moderation.yml", "moderation.yml", "names", "names: item #1",
                         moderation.load_lists),
    "crisis help": (DATA / "help.yml", "help.yml", "lines", "line 1 ('Call or text 988')",
                    helpnow.load_file),
    "session plan": (ROOT / "book/facilitators/plans/refresher.yml", "refresher.yml",
                     "segments", "segment 1 ('Welcome and grounding')", plans.load_plan),
    "cast": (ROOT / "book/cast.yml", "book/cast.yml", "people", "person 1 ('Darius')",
             lambda p: cast.load(p.parents[1])),
    "support list": (DATA / "support.yml", "support.yml", "entries", "entry 'lifeline-988'",
                     support.load),
    "unsafe-language list": (DATA / "language.yml", "language.yml", "phrases", "phrases: item #1",
                             prose.load_language),
}  # fmt: skip


def _broken(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """A copy of the shipped file with one fault in its first item; the line it must give."""
    shipped, rel, key, item, _ = KINDS[kind]
    raw = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    target = raw[key]
    if isinstance(target, list) and isinstance(target[0], dict):
        target[0]["colour"] = "red"
        field, problem = "colour", "is not a known field (check the spelling)"
    elif isinstance(target, list):  # a list of words: a number where a word goes
        target[0] = 12
        field, problem = None, "should be text: put it in quotes"
    else:
        target["colour"] = "red"
        field, problem = "colour", "is not a known field (check the spelling)"
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path, ": ".join(x for x in (str(path), item, field, problem) if x)


@pytest.mark.parametrize("kind", KINDS)
def test_a_shipped_file_loads(kind):
    shipped, *_, loader = KINDS[kind]
    assert loader(shipped) is not None


@pytest.mark.parametrize("kind", KINDS)
def test_a_broken_file_names_file_item_and_field(kind, tmp_path):
    path, line = _broken(tmp_path, kind)
    with pytest.raises(ProblemsError) as caught:
        KINDS[kind][-1](path)
    assert any(p.startswith(line) for p in caught.value.problems), caught.value.problems
    assert not any(w in str(caught.value) for w in PYDANTIC_WORDS), str(caught.value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_that_is_not_a_mapping_says_so(kind, tmp_path):
    path = tmp_path / KINDS[kind][1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        KINDS[kind][-1](path)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(f"{path}: ")
    assert not any(w in str(caught.value) for w in PYDANTIC_WORDS), str(caught.value)


def test_the_command_prints_a_broken_rule_without_a_traceback(tmp_path):
    for name in ("nbgrader_config.py", "rubric.yml"):
        shutil.copy(ROOT / "grading" / name, tmp_path / name)
    path, line = _broken(tmp_path, "certification rule")
    result = subprocess.run(
        [sys.executable, "-m", "peercare.cli", "cert", "--course", str(tmp_path), "decide"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert line in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(w in result.stderr for w in PYDANTIC_WORDS), result.stderr


def test_an_empty_moderation_file_means_no_lists(tmp_path):
    path = tmp_path / "moderation.yml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert moderation.load_lists(path) == {k: frozenset() for k in ("names", "blocked", "crisis")}


def test_a_marks_file_is_read_the_same_way(tmp_path):
    from peercare.certification.observe import read_marks

    path = tmp_path / "marks.yml"
    path.write_text("marks:\n  agenda-ahead: seen\nfeedback: Good pace.\n", encoding="utf-8")
    assert read_marks(path) == ({"agenda-ahead": "seen"}, "Good pace.")
    path.write_text("marks: {agenda-ahead: seen}\ncolour: red\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        read_marks(path)
    assert caught.value.problems == [f"{path}: colour: is not a known field (check the spelling)"]
    path.write_text("marks: seen\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        read_marks(path)
    assert caught.value.problems == [
        f"{path}: marks: should be a list of fields (name: value), one a line"
    ]
