"""Session plans: the shipped plans are valid and complete; broken plans say what is wrong."""

import shutil
import textwrap

import pytest

from peercare.content.bank import load_module
from peercare.content.check import check_page
from peercare.content.plans import (
    MAX_RUN,
    PLANS_DIR,
    PlanError,
    chapter_sections,
    clock_times,
    current_segment,
    find_section,
    live_apps,
    load_all,
    load_plan,
    parse_plan,
    quiz_questions,
    render_html,
)
from peercare.paths import toc_pages

from .conftest import ROOT
from .test_book_build import small_book  # noqa: F401  (the fixture, shared)

CORE = {"naming-trauma", "stressors-responses", "coping", "helping-others", "seeking-help"}

GOOD = """
title: A small plan
format: virtual
minutes: 30
summary: A plan for tests.
segments:
  - title: Open
    minutes: 10
    chapter: coping
    section: "What you'll learn"
    app: checkin
    do: Share the agenda.
    say: Welcome.
  - title: Break
    minutes: 5
    do: Rest.
    say: Five minutes.
    protected: true
  - title: Try the plan
    minutes: 15
    chapter: coping
    section: Try it
    app: wellness_plan
    materials: [pens]
    do: Open the plan.
    say: It stays with you.
    key_points: [Plans help when stress is high., Pick what fits., It stays on your device.]
    ask: ["What helps you after a hard call?"]
    if_short: Give five quiet minutes.
"""


def parse(text: str):
    return parse_plan(textwrap.dedent(text), "book/facilitators/plans/test.yml", ROOT)


def problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as info:
        parse(text)
    return info.value.problems


# --- the shipped plans ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plans():
    return load_all(ROOT)


def test_shipped_plans_are_valid_and_cover_what_the_issue_asks(plans):
    by_format = {}
    for plan in plans.values():
        assert sum(s.minutes for s in plan.segments) == plan.minutes
        by_format.setdefault(plan.format.value, []).append(plan)
    day = plans["workshop-day"]
    assert day.format.value == "in person" and 330 <= day.minutes <= 390
    assert sum(s.is_break for s in day.segments) >= 3  # two breaks and lunch
    virtual = sorted(p.id for p in by_format["virtual"])
    assert len(virtual) == 4 and all(plans[v].minutes == 90 for v in virtual)
    covered = {s.chapter for v in virtual for s in plans[v].segments}
    assert covered >= CORE
    assert plans["refresher"].minutes == 60
    assert {s.chapter for s in day.segments} >= CORE


def test_every_plan_opens_and_closes_with_the_one_breathing_count(plans):
    for plan in plans.values():
        for seg in (plan.segments[0], plan.segments[-1]):
            said = " ".join(seg.say.lower().split())
            assert "in for four. out for six" in said, (plan.id, seg.title)


def test_every_plan_has_a_page_in_the_book_with_its_title(plans):
    pages = toc_pages(ROOT)
    for plan_id, plan in plans.items():
        page = f"{PLANS_DIR.as_posix()}/{plan_id}"
        assert page in pages, f"{page} is not in _toc.yml"
        text = (ROOT / f"{page}.md").read_text()
        assert text.startswith(f"# {plan.title}\n"), page
        assert f"{{session-plan}} {plan_id}" in text


def test_plan_scripts_are_read_at_grade_8_or_below(plans):
    for plan_id in plans:
        report = check_page(ROOT, f"{PLANS_DIR.as_posix()}/{plan_id}")
        assert report.ok, report.problems
        assert report.words > 100  # the scripts are counted, not just the page's heading


def _runs(plan):
    """Minutes of each stretch of work between breaks."""
    runs, run = [], 0
    for seg in plan.segments:
        if seg.is_break:
            runs.append(run)
            run = 0
        else:
            run += seg.minutes
    return [*runs, run]


def test_every_plan_has_a_break_often_enough(plans):
    for plan in plans.values():
        limit = 60 if plan.format.value == "in person" else 45
        assert MAX_RUN[plan.format] == limit
        assert max(_runs(plan)) <= limit, (plan.id, _runs(plan))


def test_closings_and_breaks_are_protected_and_teaching_has_points(plans):
    for plan in plans.values():
        closing = plan.segments[-1]
        assert closing.protected and closing.minutes == 10, plan.id
        for seg in plan.segments:
            if seg.is_break:
                assert seg.protected, (plan.id, seg.title)
            elif not seg.protected:
                assert seg.if_short, (plan.id, seg.title)  # says what to cut
            if seg.chapter and seg.minutes >= 20:
                assert 3 <= len(seg.key_points) <= 5, (plan.id, seg.title)
                assert seg.chapter != "welcome"


def test_agreement_segments_point_to_the_guide_page_with_the_local_blanks(plans):
    for plan_id in ("workshop-day", "virtual-1-naming-trauma"):
        (seg,) = [s for s in plans[plan_id].segments if s.guide]
        assert seg.guide == "group-agreements" and seg.protected and not seg.is_break
        assert "I must report ______" in seg.say and "supervisor here today is ______" in seg.say
        assert quiz_questions(plans[plan_id], seg, ROOT) == []


def test_opening_segments_give_the_crisis_lines(plans):
    for plan in plans.values():
        first = plan.segments[0]
        assert "crisis lines" in f"{first.do} {first.say}", plan.id


# --- broken plans -----------------------------------------------------------------------------


def test_a_good_plan_parses():
    plan = parse(GOOD)
    assert [s.minutes for s in plan.segments] == [10, 5, 15]
    assert plan.segments[1].is_break and plan.segments[1].app == "none"


def test_minutes_that_do_not_add_up_are_refused():
    (msg,) = problems(GOOD.replace("minutes: 30", "minutes: 45"))
    assert "test.yml" in msg and "add up to 30 minutes" in msg and "minutes: 45" in msg


def test_an_unknown_app_is_named_with_its_segment():
    (msg,) = problems(GOOD.replace("app: checkin", "app: leaderboard"))
    assert "segment 1 ('Open')" in msg and "'leaderboard'" in msg
    assert "checkin" in msg and "live_quiz" in msg  # says what would be valid


def test_the_dashboard_itself_is_not_an_app_a_segment_opens():
    (msg,) = problems(GOOD.replace("app: checkin", "app: dashboard"))
    assert "'dashboard' is not a live app" in msg


def test_an_unknown_section_is_named_with_its_chapter():
    (msg,) = problems(GOOD.replace("section: Try it", "section: Juggling practice"))
    assert "segment 3 ('Try the plan')" in msg
    assert "'Juggling practice' is not a heading in book/coping/index.md" in msg


def test_an_unknown_chapter_is_refused():
    (msg,) = problems(GOOD.replace("chapter: coping\n    section: Try it", "chapter: knitting"))
    assert "segment 3" in msg and "'knitting' has no book/knitting/index.md" in msg


def test_schema_errors_name_file_segment_and_field():
    bad = GOOD.replace("    say: Five minutes.\n", "    sya: Five minutes.\n")
    bad = bad.replace("minutes: 10", "minutes: ten")
    found = problems(bad)
    assert any("segment 1 ('Open'): minutes: should be a whole number" in p for p in found)
    assert any("segment 2 ('Break'): say: is missing" in p for p in found)
    assert any("segment 2 ('Break'): sya: is not a known field" in p for p in found)
    assert all(p.startswith("book/facilitators/plans/test.yml: ") for p in found)


def test_a_long_run_without_a_break_is_refused_with_its_segments():
    no_break = GOOD.replace(
        "  - title: Break\n    minutes: 5\n    do: Rest.\n",
        "  - title: Break\n    minutes: 5\n    chapter: coping\n    do: Rest.\n",
    )
    long = no_break.replace("minutes: 15\n", "minutes: 35\n").replace("minutes: 30", "minutes: 50")
    (msg,) = problems(long)
    assert "segments 1 to 3 run 50 minutes with no break" in msg
    assert "every 45 minutes" in msg
    # in a room the limit is an hour, so the same plan passes
    assert parse(long.replace("format: virtual", "format: in person")).minutes == 50


def test_teaching_needs_three_to_five_key_points_and_fields_are_checked():
    (msg,) = problems(
        GOOD.replace("minutes: 15\n", "minutes: 20\n")
        .replace("minutes: 30", "minutes: 35")
        .replace(
            "    key_points: [Plans help when stress is high., Pick what fits., It stays on your device.]\n",
            "",
        )
    )
    assert "segment 3 ('Try the plan'): key_points: a teaching segment of 20 minutes" in msg
    found = problems(
        GOOD.replace("Pick what fits., ", "").replace("protected: true", "protected: maybe")
    )
    assert any(
        "segment 3 ('Try the plan'): key_points: list 3 to 5 short points, not 2" in p
        for p in found
    )
    assert any("segment 2 ('Break'): protected: should be true or false" in p for p in found)
    (msg,) = problems(GOOD.replace('ask: ["What helps you after a hard call?"]', "ask: 7"))
    assert "segment 3 ('Try the plan'): ask: should be a list" in msg


def test_a_guide_page_must_exist_and_not_come_with_a_chapter():
    guide = GOOD.replace("    do: Rest.\n", "    guide: group-agreements\n    do: Rest.\n")
    plan = parse(guide.replace("format: virtual", "format: in person"))
    assert not plan.segments[1].is_break
    (msg,) = problems(guide.replace("group-agreements", "no-such-page"))
    assert (
        "segment 2 ('Break'): guide: 'no-such-page' has no book/facilitators/no-such-page.md" in msg
    )
    both = GOOD.replace(
        "chapter: coping\n    section: Try it", "chapter: coping\n    guide: fidelity"
    )
    (msg,) = problems(both)
    assert "segment 3 ('Try the plan'): guide: name a chapter or a guide page, not both" in msg


def test_bad_yaml_and_bad_start_time_are_plain_messages():
    assert "not valid YAML" in problems("title: [unclosed\n")[0]
    (msg,) = problems(GOOD.replace("summary:", 'start: "9am"\nsummary:'))
    assert "start: should be a clock time" in msg


def test_all_problems_of_all_plans_are_listed_together(tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "one.yml").write_text(GOOD.replace("minutes: 30", "minutes: 31"))
    (folder / "two.yml").write_text(GOOD.replace("app: checkin", "app: nope"))
    found = []
    for name in ("one", "two"):
        with pytest.raises(PlanError) as info:
            load_plan(folder / f"{name}.yml", ROOT)
        found += info.value.problems
    assert len(found) == 2 and "one.yml" in found[0] and "two.yml" in found[1]
    with pytest.raises(PlanError, match="no such plan"):
        load_plan("no-such-plan", ROOT)
    with pytest.raises(PlanError, match="not a plan name"):
        load_plan("../etc", ROOT)


def test_sections_match_headings_and_the_notes_and_short_forms():
    sections = chapter_sections("coping", ROOT)
    assert "Facilitator notes" in sections
    assert find_section("What you\u2019ll learn", sections) == "What you'll learn"
    assert find_section("try it", sections).startswith("Try it:")
    assert find_section("Try", sections) is None  # a word is not a heading
    assert "checkin" in live_apps(ROOT) and "participant" not in live_apps(ROOT)


# --- following a plan -------------------------------------------------------------------------


def test_current_segment_walks_the_plan():
    plan = parse(GOOD)
    open_, brk, try_ = plan.segments
    assert current_segment(plan, -3) == (open_, brk, 600)
    assert current_segment(plan, 0) == (open_, brk, 600)
    assert current_segment(plan, 9.5) == (open_, brk, 30)
    assert current_segment(plan, 10) == (brk, try_, 300)
    assert current_segment(plan, 29) == (try_, None, 60)
    assert current_segment(plan, 30) == (None, None, 0)
    assert current_segment(plan, 300).current is None


def test_quiz_questions_are_the_segment_chapters_bank():
    plan = parse(GOOD)
    ids = [q.id for q in load_module("coping", ROOT).questions]
    assert quiz_questions(plan, 0, ROOT) == ids
    assert quiz_questions(plan, plan.segments[2], ROOT) == ids
    assert quiz_questions(plan, 1, ROOT) == []  # a break has no chapter


def test_clock_times_follow_the_start():
    plan = parse(GOOD)
    assert clock_times(plan) == [("09:00", "09:10"), ("09:10", "09:15"), ("09:15", "09:30")]
    assert clock_times(plan, "23:50")[-1] == ("00:05", "00:20")


def test_the_page_escapes_everything_from_the_plan():
    evil = GOOD.replace("say: Welcome.", "say: '<script>alert(1)</script> & \"hi\"'")
    evil = evil.replace("title: Open", "title: '<b>Open</b>'")
    page = render_html(parse(evil), ROOT)
    assert "<script>" not in page and "<b>Open" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;hi&quot;" in page
    assert "&lt;b&gt;Open&lt;/b&gt;" in page
    assert 'href="../../coping/index.html#what-you-ll-learn"' in page
    assert "09:15&ndash;09:30" in page


def test_the_page_shows_key_points_questions_what_to_cut_and_what_never_to_cut():
    evil = GOOD.replace("Pick what fits.", "'<i>Pick</i> & fit'").replace(
        "Give five quiet minutes.", "'<u>Give</u> five'"
    )
    page = render_html(parse(evil), ROOT)
    assert "Key points to say:" in page and "<li>&lt;i&gt;Pick&lt;/i&gt; &amp; fit</li>" in page
    assert "Ask the group:" in page and "<li>What helps you after a hard call?</li>" in page
    assert "If time is short:</strong> &lt;u&gt;Give&lt;/u&gt; five" in page
    assert page.count("Never cut this part.") == 1  # the break
    assert page.count("(never cut)") == 1  # and in the agenda
    guide = GOOD.replace("    do: Rest.\n", "    guide: group-agreements\n    do: Rest.\n")
    page = render_html(parse(guide.replace("format: virtual", "format: in person")), ROOT)
    assert '<a href="../../facilitators/group-agreements.html">Group agreements</a>' in page


# --- the plan page in a real build ------------------------------------------------------------


@pytest.mark.build
def test_plan_page_is_built_from_its_yaml_and_a_broken_plan_fails_the_build(small_book):  # noqa: F811
    from peercare.book.build import BuildError, build

    shutil.copytree(ROOT / "notebooks" / "apps", small_book / "notebooks" / "apps")
    folder = small_book / PLANS_DIR
    folder.mkdir(parents=True)
    (folder / "short.yml").write_text(textwrap.dedent(GOOD))
    (folder / "short.md").write_text("# A small plan\n\n```{session-plan} short\n```\n")
    toc = small_book / "_toc.yml"
    toc.write_text(toc.read_text() + f"  - file: {PLANS_DIR.as_posix()}/short\n")

    html = build(small_book, quiet=True) / PLANS_DIR / "short.html"
    page = html.read_text()
    assert "09:15&ndash;09:30" in page and "It stays with you." in page

    # an edited plan re-renders its page, though the page's own source did not change
    (folder / "short.yml").write_text(textwrap.dedent(GOOD).replace("Welcome.", "Hello, all."))
    build(small_book, quiet=True)
    assert "Hello, all." in html.read_text()

    (folder / "short.yml").write_text(textwrap.dedent(GOOD).replace("app: checkin", "app: nope"))
    with pytest.raises(BuildError, match=r"segment 1 \('Open'\): app: 'nope' is not a live app"):
        build(small_book, quiet=True)
