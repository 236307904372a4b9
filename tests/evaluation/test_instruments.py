"""Instruments as data: shipped definitions, validation messages, scoring, bring-your-own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peercare.content.instruments import (
    InstrumentError,
    load_instrument,
    parse_instrument,
    shipped,
)

LICENSED = """
# A made-up stand-in for a licensed measure: ids only, no item wording.
id: wellbeing-x
title: Example licensed measure
scale: {min: 1, max: 5}
items:
  - {id: x1}
  - {id: x2}
  - {id: x3, reverse: true}
  - {id: x4}
  - {id: x5}
  - {id: x6, reverse: true}
subscales:
  energy: [x1, x2, x3]
  strain: [x4, x5, x6]
scoring: {method: sum, min_answered: 0.6, total: false}
bands:
  energy: [{label: low, min: 3}, {label: moderate, min: 8}, {label: high, min: 12}]
  strain: [{label: low, min: 3}, {label: high, min: 10}]
license:
  validated: true
  name: Licensed to Example Org for internal use
  attribution: Example Publisher (made up for this test)
"""


def test_shipped_instruments_are_ours_and_labelled(banks):
    assert set(shipped()) == {"knowledge", "reaction", "retrospective", "self-checkin"}
    for name in shipped():
        inst = load_instrument(name, banks=banks)
        assert inst.license.validated is False, name
        assert "Helping the Helpers" in inst.license.attribution
    note = load_instrument("self-checkin").license.note
    assert "non-validated" in note.lower() and "does not diagnose" in note


def test_bank_selection_picks_questions_by_topic(knowledge):
    assert knowledge.item_ids == ["q-single", "q-multi", "q-tf"]
    multi = knowledge.item("q-multi")
    assert multi.multiple and multi.correct == ["a", "b"]
    assert knowledge.times == ["pre", "post"]


def test_shipped_knowledge_test_is_the_two_forms_not_the_book(banks):
    from peercare.content.bank import load_all
    from peercare.content.prepost_forms import load_forms

    inst = load_instrument("knowledge")
    forms = load_forms()
    assert {f: len(m) for f, m in inst.forms.items()} == {"a": 15, "b": 15}
    assert inst.forms["a"] == [q.id for q in forms["a"].questions]
    assert all(i.is_choice and not i.multiple for i in inst.items)
    book_ids = {q.id for b in load_all().values() for q in b.questions}
    assert not book_ids & set(inst.item_ids)


def test_forms_score_each_row_on_the_form_it_took():
    inst = load_instrument("knowledge")
    a, b = inst.forms["a"], inst.forms["b"]
    key = {i.id: i.correct[0] for i in inst.items}
    wrong = {i.id: next(o for o in i.options if o not in i.correct) for i in inst.items}
    rows = [
        {**{i: key[i] for i in a}, **{i: "" for i in b}},  # form A, all right
        {**{i: "" for i in a}, **{i: key[i] if n < 6 else wrong[i] for n, i in enumerate(b)}},
        {**{i: "" for i in a}, **{i: key[i] if n < 6 else "" for n, i in enumerate(b)}},
        {i: "" for i in a + b},  # nothing answered
    ]
    scores = inst.score(pd.DataFrame(rows))
    assert scores["form"].tolist()[:3] == ["a", "b", "b"] and pd.isna(scores["form"][3])
    np.testing.assert_allclose(scores["total"], [100.0, 40.0, np.nan, np.nan])  # 6 of 15 < 80%
    points = inst.item_scores(pd.DataFrame(rows))
    assert points.loc[0, b].isna().all() and (points.loc[0, a] == 1).all()


def test_retrospective_covers_the_five_topics():
    inst = load_instrument("retrospective")
    assert len(inst.items) == 5 and inst.times == ["then", "now"]


def test_reverse_scoring_mean_and_subscales(reaction):
    answers = pd.DataFrame([dict.fromkeys(reaction.item_ids, 4.0) | {"hard-to-follow": 1.0}])
    scored = reaction.score(answers)
    assert scored.loc[0, "total"] == pytest.approx(4 + 1 / 7 * (5 - 4))  # 1 reversed is 5
    assert scored.loc[0, "climate"] == pytest.approx((4 + 4 + 4 + 5) / 4)
    assert scored.loc[0, "usefulness"] == 4


def test_min_answered_leaves_a_score_missing(reaction):
    answers = pd.DataFrame([dict.fromkeys(reaction.item_ids, np.nan) | {"useful": 5.0}])
    assert np.isnan(reaction.score(answers).loc[0, "total"])


def test_sum_scoring_bands_and_messages():
    inst = load_instrument("self-checkin")
    rows = [dict.fromkeys(inst.item_ids, v) for v in (0.0, 1.0, 3.0)]
    scored = inst.score(pd.DataFrame(rows))
    # eight items, none reversed: the sum of what was marked
    assert list(scored["total"]) == [0.0, 8.0, 24.0]
    assert list(scored["total_band"]) == [
        "Few signs of strain right now",
        "Some signs of strain",
        "Many signs of strain",
    ]
    assert all(b.message for b in inst.bands["total"])


def test_percent_correct_with_multiple_answers(knowledge):
    answers = pd.DataFrame(
        {"q-single": ["a", "b", ""], "q-multi": ["a|b", "a", "a|b"], "q-tf": ["true"] * 3}
    )
    # the third has 2 of 3 answered, under min_answered 0.8
    np.testing.assert_allclose(knowledge.score(answers)["total"], [100.0, 100 / 3, np.nan])


def test_bring_your_own_licensed_instrument(tmp_path):
    path = tmp_path / "outside-the-repo.yml"
    path.write_text(LICENSED)
    inst = load_instrument(path)
    assert inst.license.validated and inst.score_names == ["energy", "strain"]
    assert all(i.text is None for i in inst.items)
    answers = pd.DataFrame(
        [
            {"x1": 5, "x2": 4, "x3": 1, "x4": 2, "x5": 2, "x6": 4},
            {"x1": 1, "x2": np.nan, "x3": 5, "x4": 5, "x5": 5, "x6": 1},
            {"x1": 1, "x2": np.nan, "x3": np.nan, "x4": 5, "x5": 5, "x6": 1},
        ],
        dtype=float,
    )
    scored = inst.score(answers)
    assert list(scored["energy"][:2]) == [14.0, 3.0]  # 5+4+(6-1); (1+1)/2*3 prorated
    assert np.isnan(scored.loc[2, "energy"])  # 1 of 3 answered < 0.6
    assert list(scored["energy_band"][:2]) == ["high", "low"]
    assert list(scored["strain"]) == [6.0, 15.0, 15.0]
    assert list(scored["strain_band"]) == ["low", "high", "high"]
    assert "total" not in scored


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("x3, reverse: true}", "x3, reverse: true, colour: red}"), "is not a known field"),
        (("energy: [x1, x2, x3]", "energy: [x1, x2, x9]"), "unknown items ['x9']"),
        (("{label: high, min: 12}", "{label: high, min: 4}"), "must be above the one before"),
        (("energy: [{label: low, min: 3}", "energy: [{label: low, min: 5}"), "must start at 3"),
        (("scale: {min: 1, max: 5}", "scale: {min: 5, max: 1}"), "must be below max"),
        (("method: sum", "method: percent_correct"), "percent_correct is for choice items"),
        (("  - {id: x5}", "  - {id: x5}\n  - {id: x5}"), "ids repeat: x5"),
        (("validated: true", "validated: maybe"), "license: validated"),
        (("id: wellbeing-x", "id: Wellbeing X"), "id: should be a short id"),
    ],
)
def test_broken_definitions_say_what_and_where(change, message):
    with pytest.raises(InstrumentError) as err:
        parse_instrument(LICENSED.replace(*change), "mine.yml")
    assert message in str(err.value)
    assert str(err.value).startswith("mine.yml")


def test_choice_item_rules():
    text = """
id: quiz
title: Q
items: [{id: a1, options: [a, b], correct: [a, b]}]
scoring: {method: percent_correct}
license: {validated: false, name: x, attribution: y}
"""
    with pytest.raises(InstrumentError, match="need 'multiple: true'"):
        parse_instrument(text)
    with pytest.raises(InstrumentError, match="not among the options"):
        parse_instrument(text.replace("correct: [a, b]", "correct: [z]"))


def test_unreadable_and_unknown_instruments(tmp_path):
    with pytest.raises(InstrumentError, match="no shipped instrument 'proqol'"):
        load_instrument("proqol")
    with pytest.raises(InstrumentError, match="cannot read"):
        load_instrument(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("id: [unclosed\n")
    with pytest.raises(InstrumentError, match=r"line \d+, column \d+\): not valid YAML"):
        load_instrument(bad)
    with pytest.raises(InstrumentError, match="is a mapping"):
        parse_instrument("- just a list")


def test_bank_selection_with_no_match(banks):
    text = """
id: none
title: Nothing
items_from_bank: {topics: [no-such-topic]}
scoring: {method: percent_correct}
license: {validated: false, name: x, attribution: y}
"""
    with pytest.raises(InstrumentError, match="no bank question matches"):
        parse_instrument(text, banks=banks)


def test_self_checkin_instrument_matches_the_chapter_widget():
    """One check-in: the evaluation instrument and what readers see in the book agree."""
    from peercare.book.widgets import PrivateCheckInSpec, load_spec
    from peercare.content.instruments import load_instrument

    root = Path(__file__).resolve().parents[2]
    book = load_spec(root / "book" / "seeking-help" / "private-checkin.yml", PrivateCheckInSpec)
    inst = load_instrument("self-checkin")
    assert [(i.id, i.text) for i in inst.items] == [(i.id, i.text) for i in book.items]
    assert {int(k): v for k, v in inst.scale.labels.items()} == {
        p.value: p.label for p in book.scale
    }
    assert not any(getattr(i, "reverse", False) for i in inst.items)
