"""Branching scenarios: the shipped ones load, end, read at grade 8 and speak safely; every
broken shape gives a message that names the file, the step and the choice."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import textstat

from peercare.content import branching
from peercare.content.branching import (
    END,
    InvalidChoice,
    ScenarioError,
    load_all_scenarios,
    load_scenario,
    parse_scenario,
)
from peercare.content.check import GRADE_LIMIT
from peercare.content.prose import prose, unsafe_phrases

SOURCE = "scenarios/demo.yml"

GOOD = """
id: demo
title: Demo
summary: A composite, fictional test scenario.
content_note: Nothing heavy here.
start: one
steps:
  - id: one
    text: You arrive.
    choices:
      - {id: a, text: Breathe first, feedback: Good start., next: two}
      - {id: b, text: Rush in, feedback: A pause helps more., next: three}
  - id: two
    text: A family waves.
    choices:
      - {id: a, text: Go to them, feedback: Kind., next: three}
      - {id: b, text: Wait, feedback: They need you now., next: three}
  - id: three
    text: A co-worker looks shaken.
    choices:
      - {id: a, text: Check in, feedback: Yes., next: end}
      - {id: b, text: Leave it, feedback: Check in instead., next: end}
endings:
  three: The night ends.
debrief: Take care of yourself.
"""


def _error(text: str, source: str = SOURCE) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(textwrap.dedent(text), source)
    msg = str(info.value)
    assert source in msg
    return msg


# --- the schema and the walk ------------------------------------------------------------


def test_good_scenario_walks_choice_by_choice():
    scn = parse_scenario(GOOD, SOURCE)
    assert scn.start == "one" and scn.step_ids == ["one", "two", "three"]
    assert scn.step("two").prompt == "What do you do?"
    assert scn.choose("one", "a") == ("Good start.", "two")
    feedback, nxt = scn.choose("three", "b")
    assert feedback == "Check in instead." and nxt is None
    assert scn.closing("three") == "The night ends." and scn.closing("one") is None
    assert scn.paths() == [
        (("one", "a"), ("two", "a"), ("three", "a")),
        (("one", "a"), ("two", "a"), ("three", "b")),
        (("one", "a"), ("two", "b"), ("three", "a")),
        (("one", "a"), ("two", "b"), ("three", "b")),
        (("one", "b"), ("three", "a")),
        (("one", "b"), ("three", "b")),
    ]


def test_start_defaults_to_the_first_step():
    scn = parse_scenario(GOOD.replace("start: one\n", ""), SOURCE)
    assert scn.start == "one"


def test_a_loop_that_can_still_end_is_allowed_and_paths_stay_finite():
    scn = parse_scenario(
        GOOD.replace(
            "{id: b, text: Wait, feedback: They need you now., next: three}",
            "{id: b, text: Go back, feedback: Try again., next: one}",
        ),
        SOURCE,
    )
    assert all(path[-1] in {("three", "a"), ("three", "b")} for path in scn.paths())
    assert len(scn.paths()) == 4


@pytest.mark.parametrize(
    ("step", "choice", "expected"),
    [
        ("one", "z", "step 'one' has no choice 'z'; its choices are: a, b"),
        ("nope", "a", "there is no step 'nope'; its steps are: one, two, three"),
        ("one", "<script>alert(1)</script>" * 1000, "has no choice '<script>alert(1)</script>"),
        ("one", None, "has no choice (a NoneType, not an id)"),
        ("one", "", "has no choice ''"),
    ],
)
def test_an_invalid_choice_gets_a_clear_short_error(step, choice, expected):
    scn = parse_scenario(GOOD, SOURCE)
    with pytest.raises(InvalidChoice) as info:
        scn.choose(step, choice)
    msg = str(info.value)
    assert msg.startswith("scenario 'demo': ") and expected in msg
    assert len(msg) < 300


# --- each broken shape names file, step and choice --------------------------------------


def test_unknown_next_target():
    msg = _error(GOOD.replace("feedback: Kind., next: three", "feedback: Kind., next: thre"))
    assert "step 'two': choice 'a': next 'thre' is not a step" in msg
    assert "one, two, three (or 'end')" in msg


def test_unreachable_step():
    msg = _error(
        GOOD.replace("feedback: Good start., next: two", "feedback: Good start., next: three")
    )
    assert "step 'two': cannot be reached from the start step 'one'" in msg


def test_loop_that_never_reaches_an_end():
    text = GOOD.replace("next: three}", "next: two}").replace(
        "{id: a, text: Go to them, feedback: Kind., next: two}",
        "{id: a, text: Go to them, feedback: Kind., next: one}",
    )
    msg = _error(text)
    assert "step 'one': no path from here reaches 'end'" in msg
    assert "step 'two': no path from here reaches 'end' (choice 'a' -> 'one', choice 'b'" in msg
    assert "loop among steps 'one', 'two'" in msg
    assert "step 'three': cannot be reached" in msg


def test_step_with_fewer_than_two_choices():
    msg = _error(
        GOOD.replace(
            "      - {id: b, text: Leave it, feedback: Check in instead., next: end}\n", ""
        )
    )
    assert "step 'three': has 1 choice; a step needs at least 2" in msg


def test_step_with_no_choices_or_a_missing_list():
    two = GOOD[GOOD.index("  - id: two") : GOOD.index("  - id: three")]
    msg = _error(GOOD.replace(two, "  - id: two\n    text: A family waves.\n    choices: []\n"))
    assert "step 'two': has 0 choices; a step needs at least 2" in msg
    msg = _error(GOOD.replace(two, "  - id: two\n    text: A family waves.\n"))
    assert "step 'two': choices: is missing" in msg


def test_step_with_too_many_choices():
    many = "".join(
        f"      - {{id: c{i}, text: More, feedback: Fine., next: end}}\n" for i in range(4)
    )
    msg = _error(
        GOOD.replace(
            "    text: A co-worker looks shaken.\n    choices:\n",
            "    text: A co-worker looks shaken.\n    choices:\n" + many,
        )
    )
    assert "step 'three': has 6 choices; at most 5" in msg


def test_missing_feedback_names_step_and_choice():
    msg = _error(
        GOOD.replace(
            "{id: b, text: Wait, feedback: They need you now., next: three}",
            "{id: b, text: Wait, next: three}",
        )
    )
    assert "step 'two': choice 'b': feedback: is missing" in msg


def test_empty_feedback_names_step_and_choice():
    msg = _error(GOOD.replace("feedback: Yes., next: end", 'feedback: "  ", next: end'))
    assert "step 'three': choice 'a': feedback: is empty" in msg


def test_duplicate_step_ids():
    msg = _error(GOOD.replace("  - id: two\n", "  - id: one\n"))
    assert "step 'one': duplicate step id" in msg
    assert "use one of: one, three (or 'end')" in msg


def test_duplicate_choice_ids():
    msg = _error(GOOD.replace("{id: b, text: Leave it", "{id: a, text: Leave it"))
    assert "step 'three': choice 'a': duplicate choice id" in msg


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("debrief:", "debreif: x\ndebrief:", "demo.yml: debreif: is not a known field"),
        (
            "    text: A family waves.\n",
            "    text: A family waves.\n    note: x\n",
            "step 'two': note: is not a known field",
        ),
        (
            "feedback: Kind., next: three}",
            "feedback: Kind., nxt: three}",
            "step 'two': choice 'a': nxt: is not a known field",
        ),
    ],
)
def test_unknown_fields(old, new, expected):
    msg = _error(GOOD.replace(old, new, 1))
    assert expected in msg and "check the spelling" in msg


def test_unknown_start_and_reserved_end_id():
    msg = _error(GOOD.replace("start: one", "start: zero"))
    assert "start 'zero' is not a step; steps are: one, two, three" in msg
    msg = _error(
        GOOD.replace("  - id: three\n", "  - id: end\n").replace("next: three", "next: end")
    )
    assert "step 'end': 'end' is kept for ending the scenario" in msg


def test_endings_must_name_a_step_that_ends():
    msg = _error(GOOD.replace("  three: The night ends.", "  two: x\n  four: y"))
    assert "endings: 'two': no choice of this step leads to 'end'" in msg
    assert "endings: 'four' is not a step" in msg


def test_bad_ids_and_texts():
    msg = _error(GOOD.replace("{id: b, text: Rush in", "{id: B 2, text: Rush in"))
    assert "step 'one': choice 'B 2': id: should be a short id" in msg
    msg = _error(GOOD.replace("text: Rush in,", "text: yes,"))
    assert "step 'one': choice 'b': text: should be text: put it in quotes" in msg


def test_many_problems_are_reported_together():
    text = GOOD.replace("feedback: Kind., next: three", "next: three").replace(
        "start: one", "start: one\ncolour: red"
    )
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, SOURCE)
    assert len(info.value.problems) == 2


def test_bad_yaml_and_wrong_top_level():
    msg = _error("id: demo\nsteps: [\n")
    assert "not valid YAML" in msg and "line" in msg
    assert "a scenario is a mapping" in _error("- just\n- a list\n")


# --- loading from files -----------------------------------------------------------------


def test_file_name_must_match_id(tmp_path: Path):
    path = tmp_path / "other.yml"
    path.write_text(GOOD)
    with pytest.raises(ScenarioError, match=r"other\.yml: id 'demo' does not match the file"):
        load_scenario(path)


def test_load_all_reports_every_broken_file(tmp_path: Path):
    (tmp_path / "demo.yml").write_text(GOOD)
    (tmp_path / "bad.yml").write_text(
        GOOD.replace("id: demo", "id: bad").replace("next: two", "next: twoo")
    )
    (tmp_path / "worse.yml").write_text("id: worse\n")
    with pytest.raises(ScenarioError) as info:
        load_all_scenarios(tmp_path)
    msg = str(info.value)
    assert "bad.yml: step 'one': choice 'a': next 'twoo' is not a step" in msg
    assert "worse.yml: title: is missing" in msg and "demo.yml" not in msg
    (tmp_path / "bad.yml").unlink()
    (tmp_path / "worse.yml").unlink()
    assert [s.id for s in load_all_scenarios(tmp_path)] == ["demo"]


@pytest.mark.parametrize("name", ["no-such-scenario", "../help", ""])
def test_unknown_shipped_id(name):
    with pytest.raises(ScenarioError, match="no shipped scenario"):
        load_scenario(name)


def test_unreadable_file(tmp_path: Path):
    with pytest.raises(ScenarioError, match="cannot read the scenario"):
        load_scenario(tmp_path / "missing.yml")


# --- the shipped scenarios --------------------------------------------------------------

SHIPPED = {s.id: s for s in load_all_scenarios()}
REQUIRED = {"scene-after-shooting", "coworker-in-crisis", "family-at-night"}
SHAMING = re.compile(
    r"\b(wrong|mistakes?|stupid|fail(ed|ure)?|should have|bad (choice|idea|move))\b", re.I
)
SUICIDE = re.compile(r"suicid|better off without me|not want(ing)? to (live|be here)", re.I)


def test_at_least_three_scenarios_ship():
    assert set(SHIPPED) >= REQUIRED and len(SHIPPED) >= 3
    assert set(branching.shipped()) == set(SHIPPED)
    for sid in SHIPPED:
        assert load_scenario(sid).id == sid


def test_shipped_files_are_package_data():
    """``data/**/*.yml`` in pyproject's package-data covers ``data/scenarios/*.yml``."""
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert '"data/**/*.yml"' in text


@pytest.mark.parametrize("sid", sorted(SHIPPED))
def test_every_path_ends_within_three_to_five_decisions(sid):
    scn = SHIPPED[sid]
    paths = scn.paths()
    assert paths
    for path in paths:
        step, choice = path[-1]
        assert scn.choose(step, choice).next is None
        assert 3 <= len(path) <= 5, path
    assert {step for path in paths for step, _ in path} == set(scn.step_ids)


@pytest.mark.parametrize("sid", sorted(SHIPPED))
def test_branches_split_and_rejoin(sid):
    scn = SHIPPED[sid]
    into: dict[str, set[str]] = {}
    for s in scn.steps:
        for c in s.choices:
            into.setdefault(c.next, set()).add(s.id)
    assert any(len({c.next for c in s.choices}) > 1 for s in scn.steps), "no branch"
    assert any(len(sources) > 1 for t, sources in into.items() if t != END), "no rejoin"


@pytest.mark.parametrize("sid", sorted(SHIPPED))
def test_reading_grade_at_or_below_eight(sid):
    """Measured the way ``check_page`` measures a chapter: prose blocks, then textstat."""
    body = prose("\n\n".join(SHIPPED[sid].texts()))
    grade = float(textstat.flesch_kincaid_grade(body))
    assert grade <= GRADE_LIMIT, f"{sid}: reading grade {grade:.1f}"


@pytest.mark.parametrize("sid", sorted(SHIPPED))
def test_language_is_safe_and_kind(sid):
    scn = SHIPPED[sid]
    assert unsafe_phrases("\n".join([scn.title, *scn.texts()])) == []
    for s in scn.steps:
        assert len(s.text.split()) <= 50, f"{s.id}: step text is long for a phone"
        for c in s.choices:
            assert len(c.text.split()) <= 25, f"{s.id}/{c.id}: choice is long"
            assert len(c.feedback.split()) <= 60, f"{s.id}/{c.id}: feedback is long"
            assert not SHAMING.search(c.feedback), f"{s.id}/{c.id}: {c.feedback}"


@pytest.mark.parametrize("sid", sorted(SHIPPED))
def test_composite_fictional_with_content_note_and_debrief(sid):
    scn = SHIPPED[sid]
    assert "composite" in scn.summary.lower() and "fictional" in scn.summary.lower()
    assert re.search(r"skip|pause|come back", scn.content_note)
    assert re.search(r"supervisor|employee assistance|peer|someone you trust", scn.debrief)


@pytest.mark.parametrize("sid", sorted(SHIPPED))
def test_suicide_is_always_paired_with_988(sid):
    """Safe messaging: a step that raises suicide carries 988 in that step, and so do the
    scenario's content note and debrief."""
    scn = SHIPPED[sid]
    mentioned = False
    for s in scn.steps:
        words = " ".join([s.text, *(f"{c.text} {c.feedback}" for c in s.choices)])
        words += " " + (scn.closing(s.id) or "")
        if SUICIDE.search(words):
            mentioned = True
            assert "988" in words, f"{sid}: step {s.id!r} raises suicide without 988"
    if mentioned or any(SUICIDE.search(t) for t in scn.texts()):
        assert "988" in scn.content_note and "988" in scn.debrief


def test_the_coworker_scenario_walks_all_five_steps():
    """Ask, keep safe (a plan, a gun, someone who can legally keep it), connect, follow up."""
    scn = SHIPPED["coworker-in-crisis"]
    everything = " ".join(scn.texts())
    assert "Are you thinking about suicide?" in everything
    assert "Have you thought about how?" in everything and "gun" in everything
    assert "legally" in everything and re.search(r"\bstay", everything, re.I)
    assert "988" in everything and "next morning" in scn.closing("connect")
    assert "funeral" not in everything.lower()


def test_the_coworker_scenario_ends_only_where_its_ending_fits():
    """Choices that do not fit the last step lead back to it; only connecting ends it."""
    scn = SHIPPED["coworker-in-crisis"]
    ends = [(s.id, c.id) for s in scn.steps for c in s.choices if c.next == END]
    assert ends == [("connect", "stay-and-connect")]
    for cid in ("keep-secret", "number-and-go"):
        feedback, nxt = scn.choose("connect", cid)
        assert nxt == "connect" and "Choose again" in feedback


def test_the_apps_parse_the_shipped_scenarios_once():
    """The scenario app's kernels parse the shipped scenarios before a page claims them:
    the same scenarios as load_all_scenarios(), parsed once per process."""
    from peercare.content.branching import load_all_scenarios, shipped_scenarios

    first = shipped_scenarios()
    assert list(first) == load_all_scenarios()
    assert all(a is b for a, b in zip(first, shipped_scenarios(), strict=True))
