"""The organizational self-assessment file and widget: loads, holds no reader data, and a
broken file names the file and field."""

import pytest

from peercare.book.orgcheck import OrgCheck, OrgCheckSpec
from peercare.book.widgets import ContentFileError, load_spec

from .conftest import ROOT

SPEC = ROOT / "book" / "organizations" / "selfassessment.yml"


def test_shipped_self_assessment_loads_and_holds_no_reader_data():
    check = OrgCheck.from_file(SPEC)
    assert check.groups and check.plan and "988" in check.help_text
    assert "not saved" in check.privacy and "not sent" in check.privacy
    # what a reader ticks or types has no trait, so it can never sync to a kernel
    assert not {"answers", "value", "ticked", "checked", "text"} & set(check.keys)


def test_self_assessment_covers_what_the_chapter_says_a_program_owes():
    spec = load_spec(SPEC, OrgCheckSpec)
    text = " ".join(i.text for g in spec.groups for i in g.items).lower()
    for idea in ("supervisor", "limit", "paid wellness time", "dies", "critical incident",
                 "psychological first aid", "retell", "outside the eap", "scores"):  # fmt: skip
        assert idea in text, idea


@pytest.mark.parametrize(
    "text, expected",
    [
        ("title: x\nprivacy: p\ngroups: []\nplan: [{id: a, prompt: b}]\n", "groups"),
        (
            "title: x\nprivacy: p\nplan: [{id: a, prompt: b}]\n"
            "groups:\n  - {id: g, heading: h, items: [{id: i, txt: t}]}\n",
            "group 'g': item 'i': txt: is not a known field",
        ),
        (
            "title: x\ngroups:\n  - {id: g, heading: h, items: [{id: i, text: t}]}\n"
            "plan: [{id: a, prompt: b}]\n",
            "privacy: is missing",
        ),
    ],
)
def test_broken_self_assessment_names_file_and_field(tmp_path, text, expected):
    path = tmp_path / "selfassessment.yml"
    path.write_text(text)
    with pytest.raises(ContentFileError) as info:
        load_spec(path, OrgCheckSpec)
    assert str(path) in str(info.value) and expected in str(info.value)
