"""Item-writing rules: each rule catches a small made-up flaw, and the shipped items pass."""

import json

import pytest

from peercare.content import itemrules
from peercare.content.itemrules import Item, Opt, check, item_problems, set_problems


def one(
    key: str, *wrong: str, kind: str = "single", feedback: str = "Because.", at: int = 0
) -> Item:
    """An item with the key at position ``at`` (0: option A)."""
    opts = [Opt(w, False, feedback) for w in wrong]
    opts.insert(at, Opt(key, True, feedback))
    return Item("bank", "q", kind, "Which one fits?", tuple(opts), "a", 1)


def test_well_written_item_passes():
    assert item_problems(one("Slow breathing", "Fast breathing", "Holding breath")) == []


@pytest.mark.parametrize("text", ["All of the above", "None of these", "both of the above"])
def test_all_or_none_of_the_above_is_refused(text):
    problems = item_problems(one("Slow breathing", "Fast breathing", text))
    assert any("all/none of the above" in p for p in problems)


def test_key_much_longer_than_distractors_is_refused():
    # key 31 characters, distractors 20 on average: 1.55 > 1.5
    ok = item_problems(one("x" * 30, "y" * 20, "z" * 20))
    bad = item_problems(one("x" * 31, "y" * 20, "z" * 20))
    assert not any("times as long" in p for p in ok)
    assert any("times as long" in p for p in bad)


def test_options_of_very_different_length_are_refused():
    problems = item_problems(one("x" * 10, "y" * 31, "z" * 12))
    assert any("option lengths differ" in p for p in problems)


def test_length_rules_skip_several_answer_and_true_false_items():
    assert item_problems(one("x" * 80, "y", kind="multiple")) == []
    assert item_problems(one("True", "False", kind="true_false")) == []


def test_joke_option_is_refused():
    problems = item_problems(one("It helps you calm down", "There is no reason", "It adds air"))
    assert any("reads as a joke" in p for p in problems)


def test_missing_or_shaming_feedback_is_refused():
    assert any("no feedback" in p for p in item_problems(one("aaaa", "bbbb", feedback="")))
    shaming = item_problems(one("aaaa", "bbbb", feedback="Obviously not."))
    assert any("may shame" in p for p in shaming)
    assert item_problems(one("aaaa", "bbbb", feedback=""), has_feedback=False) == []


def test_key_habitually_the_longest_is_refused():
    longest = [one("long key " * 2, "short one", "short two", at=n) for n in range(3)]
    fine = [one("key", "longer one", "longer two", at=n) for n in range(3)]
    assert set_problems(fine + longest[:2], "bank") == []  # 2 of 5 (a third, rounded: 2)
    assert "longest in 3 of 6" in set_problems(fine + longest, "bank")[0]


def test_key_habitually_in_the_same_place_is_refused():
    spread = [one("key", "wrong one", "wrong two", at=n % 3) for n in range(5)]
    assert set_problems(spread, "bank") == []
    three_of_five = [one("key", "wrong one", "wrong two", at=min(n, 2) // 2) for n in range(5)]
    assert set_problems(three_of_five, "bank") == []  # B in 3 of 5: 60% is allowed
    four_of_five = [one("key", "wrong one", "wrong two", at=n // 4) for n in range(5)]
    assert "option A in 4 of 5" in set_problems(four_of_five, "bank")[0]
    # too few items (or two-option items) to call it a habit
    assert set_problems([one("key", "wrong one", "wrong two")] * 3, "bank") == []
    assert set_problems([one("key", "wrong")] * 5, "bank") == []


def test_true_false_items_all_keyed_one_way_are_refused():
    false_keyed = [one("False", "True", kind="true_false") for _ in range(4)]
    true_keyed = [one("True", "False", kind="true_false") for _ in range(2)]
    assert "0 of 4 are keyed 'true'" in itemrules.true_false_problems(false_keyed)[0]
    assert itemrules.true_false_problems(false_keyed + true_keyed) == []
    assert "1 of 5" in itemrules.true_false_problems(false_keyed + true_keyed[:1])[0]


def test_near_duplicate_items_are_refused():
    a = Item(
        "b1",
        "a",
        "single",
        "Which part of slow breathing matters most?",
        (Opt("The long breath out", True),),
    )
    b = Item(
        "b2",
        "b",
        "single",
        "Which part of slow breathing matters the most?",
        (Opt("A long breath out", True),),
    )
    c = Item("b3", "c", "single", "Who can keep what you say private?", (Opt("A counselor", True),))
    problems = itemrules.duplicate_problems([a, b, c])
    assert len(problems) == 1 and "'a'" in problems[0] and "'b'" in problems[0]


def test_objectives_are_read_from_what_youll_learn():
    page = "# T\n\n## What you'll learn\n\n- One.\n- Two,\n  still two.\n- Three.\n\n## Next\n\n- not one\n"
    assert itemrules.chapter_objectives(page) == ["One.", "Two,", "Three."]


CHAPTER = "# A\n\n## What you'll learn\n\n- First.\n- Second.\n- Third.\n\nText.\n"
BANK = """
module: a
questions:
  - id: a-one
    kind: single
    prompt: Which breath calms you?
    objective: {first}
    options:
      - {{id: x, text: A long breath out, correct: true, feedback: Yes.}}
      - {{id: y, text: A deep breath in, feedback: Not quite.}}
      - {{id: z, text: Quick short breaths, feedback: Not quite.}}
  - id: a-two
    kind: true_false
    prompt: Rest is part of the job.
    objective: 2
    options:
      - {{id: "true", text: "True", correct: true, feedback: Right.}}
      - {{id: "false", text: "False", feedback: Not so.}}
  - id: a-three
    kind: true_false
    prompt: A supervisor keeps everything you say secret.
    objective: 3
    options:
      - {{id: "true", text: "True", feedback: Not so.}}
      - {{id: "false", text: "False", correct: true, feedback: Right.}}
"""


def _project(project, first="1"):
    project.add_bank("a", BANK.format(first=first))
    (project / "book" / "a" / "index.md").write_text(CHAPTER)
    return check(project)


def test_made_up_project_with_objectives_passes(project):
    results = _project(project)
    assert all(not r.problems for r in results.values()), results


def test_missing_or_unknown_objective_is_reported(project):
    problems = _project(project, first="4")["book/a/questions.yml"].problems
    assert any("objective 4, but a lists 3" in p for p in problems)
    assert any("objective 1 is not tested" in p for p in problems)
    missing = BANK.format(first="1").replace("    objective: 1\n", "")
    project.add_bank("a", missing)
    problems = check(project)["book/a/questions.yml"].problems
    assert any("no 'objective'" in p for p in problems)


def test_chapter_needs_three_objectives(project):
    _project(project)
    (project / "book" / "a" / "index.md").write_text(CHAPTER.replace("- Third.\n", ""))
    results = check(project)
    assert any("has 2 bullets" in p for p in results["book/a/index.md"].problems)


def _cell(gid, kind, text):
    return {
        "cell_type": kind,
        "id": gid,
        "metadata": {"nbgrader": {"grade_id": gid}},
        "source": text,
    }


def test_notebook_items_are_read_and_checked(tmp_path):
    nb = {
        "cells": [
            _cell(
                "q01-question",
                "markdown",
                "### Question 1\n\nPick one.\n\n- **A.** Red\n- **B.** All of the above\n",
            ),
            _cell("q01-answer", "code", 'answer = "A"'),
            _cell(
                "q01-check",
                "code",
                '### BEGIN HIDDEN TESTS\nassert given == "A"\n### END HIDDEN TESTS\n',
            ),
            _cell(
                "q02-question",
                "markdown",
                "### Question 2\n\nPick.\n\n- **A.** Red\n- **B.** Blue\n",
            ),
            _cell("q02-check", "code", 'assert given == "C"'),
        ]
    }
    path = tmp_path / "kc.ipynb"
    path.write_text(json.dumps(nb))
    got = itemrules.from_notebook(path, "kc.ipynb", {"q01": "a 2"})
    assert [i.id for i in got.items] == ["q01"]
    q1 = got.items[0]
    assert q1.prompt == "Pick one." and q1.key == "Red" and (q1.chapter, q1.objective) == ("a", 2)
    assert any("key C is not an option" in p for p in got.problems)
    assert any("all/none" in p for p in item_problems(q1, has_feedback=False))


def test_shipped_items_pass_every_rule():
    from peercare.paths import project_root

    failing = {name: r.problems for name, r in check(project_root()).items() if r.problems}
    assert not failing


def test_knowledge_check_items_are_all_read():
    from peercare.paths import project_root

    sets = {s.source: s for s in itemrules.item_sets(project_root())}
    kc = sets["exercises/knowledge-check/knowledge-check.ipynb"]
    assert len(kc.items) == 20 and not kc.problems
    assert all(len(i.options) == 4 and i.objective for i in kc.items)


def test_unsafe_language_in_an_item_is_refused():
    item = one("He died by suicide", "He committed suicide", "He was lost")
    problems = itemrules.language_problems([item])
    assert len(problems) == 1 and "committed suicide" in problems[0]


def test_safety_keys_follow_the_lifeline_steps_and_name_de_escalation():
    """Regression guard for issue #9: asking about a plan and means is right, never a
    distractor; calming someone on purpose is de-escalation, not fawn."""
    from peercare.paths import project_root

    items = [i for s in itemrules.item_sets(project_root()) for i in s.items]
    by_id = {i.id: i for i in items}
    assert "plan" in by_id["q15"].key and "means" in by_id["q15"].key
    assert by_id["q05"].key == "De-escalation"
    assert "gun" in by_id["helping-others-means-safety"].key
    assert "locked and unloaded" in by_id["q16"].key
    assert by_id["stressors-responses-survivor-guilt"].key == "Survivor's guilt"
    assert by_id["stressors-responses-vigilance"].key.startswith("Sensible")
    for item in items:
        for o in item.options:
            if not o.correct:
                text = o.text.lower()
                assert "plan" not in text or "ask" not in text, (item.id, o.text)
                assert "supervisor" not in text or "not confidential" not in text, item.id
