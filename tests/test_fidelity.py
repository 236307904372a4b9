"""The fidelity checklist: the shipped file is complete, bad files and bad scorings say
what is wrong, the pass rule holds, and the page shows every item escaped."""

import textwrap

import pytest

from peercare.content.fidelity import (
    FidelityError,
    Part,
    load_fidelity,
    parse_fidelity,
    pass_rule,
    render_html,
    score,
)

from .conftest import ROOT

SMALL = """
title: A small checklist
watch_percent: 75
items:
  - id: asked
    part: ask before
    text: Did you send the agenda?
  - id: choice
    part: watch in the room
    safety: true
    text: Said anyone may pass.
  - id: w1
    part: watch in the room
    text: Watched the room.
  - id: w2
    part: watch in the room
    text: Kept time.
  - id: w3
    part: watch in the room
    text: Collected feedback.
"""


def small():
    return parse_fidelity(textwrap.dedent(SMALL), "fidelity.yml")


def problems(text: str) -> list[str]:
    with pytest.raises(FidelityError) as info:
        parse_fidelity(textwrap.dedent(text), "fidelity.yml")
    return info.value.problems


def test_the_shipped_checklist_has_both_parts_safety_items_and_quality_items():
    checklist = load_fidelity(ROOT)
    ids = [i.id for i in checklist.items]
    assert len(ids) == len(set(ids))
    assert len(checklist.part(Part.before)) >= 4 and len(checklist.part(Part.watch)) >= 12
    safety = {i.id for i in checklist.items if i.safety}
    assert {"choice-said", "crisis-lines", "disclosure-steps", "made-up-examples"} <= safety
    # what a watcher can judge about the facilitation itself, not only the content
    assert {"no-calling-on", "redirected-oversharing", "own-story-short", "time-kept"} <= set(ids)
    assert 50 <= checklist.watch_percent <= 100


def test_pass_rule_counts_only_the_watch_items_that_applied():
    c = small()
    marks = {"asked": "seen", "choice": "seen", "w1": "seen", "w2": "seen", "w3": "n/a"}
    assert score(c, marks) == (True, 3, 3, [])
    # 3 of 4 seen is exactly 75%: a pass
    assert score(c, {**marks, "w3": "not seen"}).passed
    # 2 of 4 is not
    result = score(c, {**marks, "w2": "Not Seen", "w3": "not seen"})
    assert not result.passed and result.reasons == [
        "2 of 4 watch items seen; at least 75% are needed"
    ]


def test_a_missed_safety_item_fails_however_many_others_were_seen():
    c = small()
    marks = {"asked": "seen", "choice": "not seen", "w1": "seen", "w2": "seen", "w3": "seen"}
    result = score(c, marks)
    assert not result.passed
    assert result.reasons == ["safety item 'choice' came up and was not seen"]
    assert score(c, {**marks, "choice": "n/a"}).passed  # it did not come up


def test_nothing_observed_cannot_pass():
    c = small()
    marks = dict.fromkeys(["asked", "choice", "w1", "w2", "w3"], "n/a")
    result = score(c, marks)
    assert not result.passed and "observe a longer part" in result.reasons[0]


def test_bad_scorings_are_plain_messages():
    c = small()
    with pytest.raises(FidelityError) as info:
        score(c, {"asked": "yes", "choice": "seen", "w1": "seen", "w2": "seen", "zz": "seen"})
    found = info.value.problems
    assert "'zz' is not an item of the checklist" in found
    assert "item 'asked': 'yes' is not a mark (use seen, not seen or n/a)" in found
    assert "item 'w3': has no mark (use seen, not seen or n/a)" in found


def test_broken_checklists_name_file_item_and_field():
    found = problems(SMALL.replace("part: ask before", "part: before").replace("id: w2", "id: w1"))
    assert any(p.startswith("fidelity.yml: item 'asked': part: ") for p in found)
    assert any("'ask before' or 'watch in the room'" in p for p in found)
    found = problems(SMALL.replace("id: w2", "id: w1"))
    assert found == ["fidelity.yml: item 'w1': id is used twice"]
    found = problems(SMALL.replace("    text: Kept time.\n", "    txet: Kept time.\n"))
    assert "fidelity.yml: item 'w2': text: is missing" in found
    assert "fidelity.yml: item 'w2': txet: is not a known field (check the spelling)" in found
    (msg,) = problems(SMALL.replace("part: ask before", "part: watch in the room"))
    assert msg == "fidelity.yml: items: no item is in the part 'ask before'"
    assert "not valid YAML" in problems("items: [oops\n")[0]
    assert "watch_percent" in problems(SMALL.replace("75", "0"))[0]


def test_the_page_has_the_header_both_parts_every_item_and_the_rule_escaped():
    c = parse_fidelity(
        textwrap.dedent(SMALL).replace("Kept time.", "'<b>Kept</b> time & more'"), "f.yml"
    )
    page = render_html(c)
    for field in ("Observer", "Trainer observed", "Plan", "Segment", "Date"):
        assert f"<th>{field}</th>" in page
    assert "Ask the trainer (before the session)" in page and "Watch (in the room)" in page
    assert "<th>Yes</th><th>No</th><th>N/A</th><th>Notes</th>" in page
    assert "<th>Seen</th><th>Not seen</th><th>N/A</th><th>Notes</th>" in page
    assert "&lt;b&gt;Kept&lt;/b&gt; time &amp; more" in page and "<b>Kept" not in page
    for item in c.items:
        assert f'id="fid-{item.id}"' in page
    assert page.count("(safety)") == 1
    assert pass_rule(c) in page and "75%" in pass_rule(c)
