"""Chapter widget files (plan.yml, private-checkin.yml, referrals.yml): valid ones load, broken
ones say where."""

import pytest

from peercare.book.widgets import (
    ContentFileError,
    CopingPlan,
    PlanSpec,
    PrivateCheckIn,
    PrivateCheckInSpec,
    ReferralMap,
    ReferralMapSpec,
    load_spec,
)

from .conftest import ROOT


def test_shipped_widget_files_load_and_hold_no_reader_data():
    plan = CopingPlan.from_file(ROOT / "book" / "coping" / "plan.yml")
    check = PrivateCheckIn.from_file(ROOT / "book" / "seeking-help" / "private-checkin.yml")
    assert plan.sections and check.items and "988" in check.urgent_note
    # what a reader types or picks has no trait, so it can never sync to a kernel
    for widget in (plan, check):
        assert not {"answers", "value", "text", "plan"} & set(widget.keys)


SPEC = ROOT / "book" / "seeking-help" / "private-checkin.yml"


def _answers(spec, value=0, **marked):
    return {i.id: marked.get(i.id, value) for i in spec.items}


def test_self_check_reflects_each_statement_back_with_no_total():
    spec = load_spec(SPEC, PrivateCheckInSpec)
    text = {i.id: i.text for i in spec.items}
    lines = spec.reflect(_answers(spec, sleep=3, edge=3, numb=1))
    # two "A lot" answers (a total of 7) are named, not summed into "only a few"
    assert lines[:5] == ['You marked "A lot" for:', text["sleep"], text["edge"],
                         'You marked "A little" for:', text["numb"]]  # fmt: skip
    assert "Even one statement marked high" in lines[5] and "988" in lines[-1]
    assert not any("only a few" in line or "Not at all" in line for line in lines)


def test_self_check_at_zero_says_so_and_still_points_to_help():
    spec = load_spec(SPEC, PrivateCheckInSpec)
    lines = spec.reflect(_answers(spec))
    assert lines == [spec.none_text, spec.urgent_note]
    assert '"Not at all" for every statement' in spec.none_text


@pytest.mark.parametrize(("value", "noted"), [(1, False), (2, True), (3, True)])
def test_self_check_adds_the_drinking_note_when_that_item_is_high(value, noted):
    spec = load_spec(SPEC, PrivateCheckInSpec)
    note = next(i.high_note for i in spec.items if i.id == "leaning")
    assert "don't stop all at once" in note and "1-800-662-4357" in note
    assert (note in spec.reflect(_answers(spec, leaning=value))) is noted
    assert note not in spec.reflect(_answers(spec, sleep=3))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  - {highest: 3,", "  - {highest: 2,", "one must have highest: 3"),
        ("    high_at: 2\n", "", "high_at and high_note go together"),
    ],
)
def test_broken_self_check_file_says_what_is_wrong(tmp_path, old, new, expected):
    text = SPEC.read_text()
    assert old in text
    path = tmp_path / "private-checkin.yml"
    path.write_text(text.replace(old, new))
    with pytest.raises(ContentFileError, match=expected):
        load_spec(path, PrivateCheckInSpec)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("title: x\nsections: [\n", "not valid YAML"),
        (
            "title: x\nsections:\n  - {id: a, heading: h, prompt: p, idea: [x]}\n",
            "section 'a': idea: is not a known field",
        ),
        ("title: x\nsections:\n  - {id: a, heading: h}\n", "section 'a': prompt: is missing"),
    ],
)
def test_broken_plan_file_names_file_and_field(tmp_path, text, expected):
    path = tmp_path / "plan.yml"
    path.write_text(text)
    with pytest.raises(ContentFileError) as info:
        load_spec(path, PlanSpec)
    assert str(path) in str(info.value) and expected in str(info.value)


def test_referral_map_loads_with_its_places_and_holds_no_reader_data():
    spec = load_spec(ROOT / "book" / "community-members" / "referrals.yml", ReferralMapSpec)
    widget = ReferralMap.from_file(ROOT / "book" / "community-members" / "referrals.yml")
    assert [p["id"] for p in widget.places] == [p.id for p in spec.places]
    assert {"victim-services", "hospital-program", "counseling", "housing", "legal-aid"} <= {
        p.id for p in spec.places
    }
    assert widget.store_key == f"peercare-map:{spec.key}" and "988" in widget.help_text
    # the reader's entries live only in their browser: no trait can carry them to a kernel
    assert not {"entries", "value", "text", "places_filled"} & set(widget.keys)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "title: x\nkey: k\nplaces:\n  - {id: a, heading: A}\n  - {id: a, heading: B}\n",
            "place ids repeat: a",
        ),
        ("title: x\nplaces:\n  - {id: a, heading: A}\n", "key: is missing"),
        ("title: x\nkey: k\nplaces: []\n", "places"),
    ],
)
def test_broken_referral_map_file_names_file_and_field(tmp_path, text, expected):
    path = tmp_path / "referrals.yml"
    path.write_text(text)
    with pytest.raises(ContentFileError) as info:
        load_spec(path, ReferralMapSpec)
    assert str(path) in str(info.value) and expected in str(info.value)
