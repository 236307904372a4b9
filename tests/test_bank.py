"""Question banks: valid banks load; every kind of broken bank names file, id and fault."""

import pytest

from peercare.content.bank import BankError, load_all, load_module, parse_bank
from peercare.paths import project_root

GOOD = """
module: a
questions:
  - id: a-one
    kind: single
    prompt: Pick one
    objective: 1
    topics: [trauma]
    options:
      - {id: x, text: Right, correct: true, feedback: Because.}
      - {id: y, text: Wrong, feedback: Because not.}
  - id: a-tf
    kind: true_false
    prompt: Sky is blue
    options:
      - {id: "true", text: "True", correct: true, feedback: Yes.}
      - {id: "false", text: "False", feedback: No.}
  - id: a-many
    kind: multiple
    prompt: Pick some
    options:
      - {id: x, text: One, correct: true, feedback: Yes.}
      - {id: y, text: Two, correct: true, feedback: Yes.}
      - {id: z, text: Three, feedback: No.}
  - id: a-scene
    kind: scenario
    scenario: You arrive at a scene.
    prompt: What first?
    options:
      - {id: x, text: Breathe, correct: true, feedback: Yes.}
      - {id: y, text: Run in, feedback: No.}
"""


def test_good_bank_loads_with_module_filled_in(project):
    project.add_bank("a", GOOD)
    bank = load_module("a", project)
    assert [q.id for q in bank.questions] == ["a-one", "a-tf", "a-many", "a-scene"]
    assert all(q.module == "a" for q in bank.questions)
    many = bank.question("a-many")
    assert many.is_correct(["y", "x"]) and not many.is_correct(["x"])
    assert bank.question("a-one").objective == 1


def _error(text: str) -> str:
    with pytest.raises(BankError) as info:
        parse_bank(text, "book/a/questions.yml")
    return str(info.value)


def test_bad_yaml_names_file_and_line():
    msg = _error("module: a\nquestions: [\n  - id: x\n")
    assert "book/a/questions.yml" in msg and "not valid YAML" in msg and "line" in msg


def test_missing_feedback_names_question_and_option():
    msg = _error(
        GOOD.replace("{id: y, text: Wrong, feedback: Because not.}", "{id: y, text: Wrong}")
    )
    assert "question 'a-one'" in msg and "option 'y'" in msg and "feedback" in msg
    assert "is missing" in msg


def test_no_correct_option():
    msg = _error(
        GOOD.replace(
            "{id: x, text: Right, correct: true, feedback: Because.}",
            "{id: x, text: Right, feedback: Because.}",
        )
    )
    assert "question 'a-one'" in msg and "no option is marked correct" in msg


def test_unknown_field_is_refused():
    msg = _error(GOOD.replace("    objective: 1\n", "    objective: 1\n    dificulty: hard\n"))
    assert "question 'a-one'" in msg and "dificulty" in msg and "not a known field" in msg


def test_single_with_two_correct_and_scenario_without_text():
    text = GOOD.replace(
        "{id: y, text: Wrong, feedback: Because not.}",
        "{id: y, text: Wrong, correct: true, feedback: Because not.}",
    )
    assert "exactly one correct option" in _error(text)
    assert "needs a 'scenario' text" in _error(
        GOOD.replace("    scenario: You arrive at a scene.\n", "")
    )


def test_true_false_needs_true_and_false_ids():
    msg = _error(
        GOOD.replace(
            '{id: "false", text: "False", feedback: No.}', "{id: f, text: F, feedback: No.}"
        )
    )
    assert "question 'a-tf'" in msg and "'true' and 'false'" in msg


def test_duplicate_id_across_banks_names_both_files(project):
    project.add_bank("a", GOOD)
    project.add_bank(
        "b",
        GOOD.replace("module: a", "module: b")
        .replace("a-many", "b-many")
        .replace("a-tf", "b-tf")
        .replace("a-scene", "b-scene"),
    )
    with pytest.raises(BankError) as info:
        load_all(project)
    msg = str(info.value)
    assert "question 'a-one': duplicate id" in msg and "book/a/questions.yml" in msg
    assert "book/b/questions.yml" in msg


def test_all_problems_reported_together(project):
    project.add_bank("a", "module: a\nquestions: [\n")
    project.add_bank("b", "module: b\nquestions: []\n")
    with pytest.raises(BankError) as info:
        load_all(project)
    assert len(info.value.problems) == 2


def test_module_must_match_folder(project):
    project.add_bank("a", GOOD.replace("module: a", "module: zz"))
    with pytest.raises(BankError, match="folder is 'a'"):
        load_module("a", project)


def test_every_real_bank_is_valid():
    banks = load_all(project_root())
    assert "welcome" in banks
    for bank in banks.values():
        assert len(bank.questions) >= 5, bank.module
        for q in bank.questions:
            assert all(o.feedback for o in q.options)


def test_unquoted_yes_gets_a_hint_about_quotes():
    msg = _error(GOOD.replace("{id: x, text: Right,", "{id: x, text: yes,"))
    assert "question 'a-one'" in msg and "option 'x'" in msg and "put it in quotes" in msg


def test_intro_count_comes_from_the_questions_shown():
    from peercare.book.quiz import Quiz

    bank = parse_bank(GOOD.replace("module: a\n", "module: a\nintro: '{count} quick questions.'\n"))
    assert bank.intro_for(4) == "Four quick questions."
    assert Quiz(bank).intro == "Four quick questions."
    assert Quiz(bank, question_ids=["a-one", "a-tf"]).intro == "Two quick questions."


@pytest.mark.parametrize("intro", ["Seven quick questions.", "Answer these 7 short questions."])
def test_intro_that_states_a_number_of_questions_is_refused(intro):
    msg = _error(GOOD.replace("module: a\n", f"module: a\nintro: '{intro}'\n"))
    assert "{count}" in msg


def test_intro_may_use_numbers_for_other_things():
    bank = parse_bank(GOOD.replace("module: a\n", "module: a\nintro: 'Take one breath first.'\n"))
    assert bank.intro_for(4) == "Take one breath first."


def test_every_real_bank_intro_matches_its_question_count():
    for bank in load_all(project_root()).values():
        if bank.intro and "{count}" in bank.intro:
            from peercare.content.bank import count_words

            assert bank.intro_for(len(bank.questions)).startswith(count_words(len(bank.questions)))


def test_objective_must_be_positive():
    assert "objective" in _error(GOOD.replace("    objective: 1\n", "    objective: 0\n"))


def test_the_apps_parse_the_banks_once_and_again_when_a_file_changes():
    """What the live quiz's kernels parse before a page claims them equals load_all(), is
    parsed once, and is read again when a bank file changes."""
    import os

    from peercare.content.bank import bank_paths, shipped_banks

    first = shipped_banks()
    assert first == load_all() and first is not shipped_banks()  # a new dict each time
    assert all(shipped_banks()[m] is bank for m, bank in first.items())  # not parsed again
    path = bank_paths()[0]
    times = path.stat()
    try:
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns + 1_000_000))
        again = shipped_banks()
        assert again == first and all(again[m] is not bank for m, bank in first.items())
    finally:
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
