"""Chapter widget files (plan.yml, selfcheck.yml, referrals.yml): valid ones load, broken
ones say where."""

import pytest

from peercare.widgets import (
    ContentFileError,
    CopingPlan,
    PlanSpec,
    ReferralMap,
    ReferralMapSpec,
    SelfCheck,
    SelfCheckSpec,
    load_spec,
)

from .conftest import ROOT


def test_shipped_widget_files_load_and_hold_no_reader_data():
    plan = CopingPlan.from_file(ROOT / "book" / "coping" / "plan.yml")
    check = SelfCheck.from_file(ROOT / "book" / "seeking-help" / "selfcheck.yml")
    assert plan.sections and check.items and "988" in check.urgent_note
    # what a reader types or picks has no trait, so it can never sync to a kernel
    for widget in (plan, check):
        assert not {"answers", "value", "text", "plan"} & set(widget.keys)


def test_self_check_bands_cover_every_total():
    spec = load_spec(ROOT / "book" / "seeking-help" / "selfcheck.yml", SelfCheckSpec)
    top = max(p.value for p in spec.scale) * len(spec.items)
    assert max(b.max for b in spec.bands) >= top
    assert [spec.band_for(t).max for t in (0, top)] == [min(b.max for b in spec.bands), top]


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
