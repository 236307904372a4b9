"""The facilitator dashboard through its widgets: the key shown once in a step of its own,
one answer for a wrong code or key with a back-off, messages beside their buttons, the
question picker in book order, the room-size preview, the export as a download, and a
session that follows its plan (script, timer, next part, the app's panel, kept on reopen)."""

from __future__ import annotations

import base64
import html
import re

import ipywidgets as w
from sqlalchemy import func, select

from peercare import contract, live
from peercare.apps.dashboard import WRONG, Dashboard
from peercare.apps.state import PLAN_AT, PLAN_ID, QUIZ_CURRENT
from peercare.content.bank import load_all
from peercare.content.plans import PLANS_DIR, load_plan, quiz_questions
from peercare.paths import project_root, toc_pages
from peercare.store.models import sessions

from .test_flow import find, notice_text, walk


def text_of(widget) -> str:
    return " ".join(x.value for x in walk(widget) if isinstance(x, w.HTML))


def create(dash: Dashboard, title: str = "Tuesday", threshold: int = 3, plan: str = "") -> None:
    find(dash, w.Text, description="Session title")[0].value = title
    dash.threshold.value = threshold
    find(dash, w.Dropdown, description="Session plan (optional)")[0].value = plan
    find(dash, w.Button, description="Create session")[0].click()


def test_the_key_is_shown_once_before_the_code(store):
    dash = Dashboard(store, refresh=3600)
    create(dash)
    shown = text_of(dash.session_box)
    key = re.search(r"class='pc-key'>([A-Z0-9-]+)<", shown).group(1)
    assert dash.code is None and "Session code" not in shown and "<svg" not in shown
    find(dash, w.Button, description="Create session")[0].click()  # a forged second click
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(sessions)).scalar() == 1
    assert dash.code is None
    find(dash, w.Button, description="I have written it down")[0].click()
    shown = text_of(dash)
    assert "Session code" in shown and "<svg" in shown and key not in shown
    assert key not in repr([x.get_state() for x in walk(dash)])  # not in any widget's state
    assert store.session_for_facilitator(dash.code, key).title == "Tuesday"
    # a fresh page (a refresh) starts at the form: the key is never shown again
    again = Dashboard(store, refresh=3600)
    assert key not in text_of(again) and again.code is None
    dash.stop.set()


def test_a_wrong_code_and_a_wrong_key_get_one_answer_and_a_back_off(store):
    info, key = store.create_session("Real", threshold=3)
    dash = Dashboard(store, refresh=3600)
    code_box = find(dash, w.Text, description="Code")[0]
    key_box = find(dash, w.Password)[0]
    reopen = find(dash, w.Button, description="Open session")[0]
    code_box.value, key_box.value = "ZZZZZZ", "AAAA-BBBB-CCCC"  # no such session
    reopen.click()
    no_session = dash.reopen_note.value
    assert WRONG in no_session
    dash._retry_at = 0  # (skip the wait: the next answer is compared with the first)
    code_box.value = info.code  # a real code, wrong key
    reopen.click()
    assert dash.reopen_note.value == no_session  # the same words: no hint the code is real
    # forged clicks in a row: the page waits longer after each failure, so even the right
    # key is not even checked until the wait is over
    key_box.value = key
    for _ in range(5):
        reopen.click()
    assert "Please wait" in dash.reopen_note.value and dash.code is None
    assert dash._fails == 2
    dash._retry_at = 0
    reopen.click()
    assert dash.code == info.code and key_box.value == ""  # the key is not kept in the form
    dash.stop.set()


def test_messages_sit_beside_their_buttons(store):
    dash = Dashboard(store, refresh=3600)
    create(dash)
    find(dash, w.Button, description="I have written it down")[0].click()
    rows = [x for x in walk(dash) if isinstance(x, w.HBox)]

    def row_of(label):
        return next(r for r in rows if any(getattr(c, "description", "") == label
                                           for c in r.children))  # fmt: skip

    find(dash, w.Button, description="Export responses (CSV)")[0].click()
    export_row = row_of("Export responses (CSV)")
    assert "CSV ready" in notice_text(export_row)
    assert "Download session-" in text_of(export_row)
    find(dash, w.Button, description="Close session")[0].click()
    assert "Session closed" in notice_text(row_of("Close session"))
    assert "Session closed" not in notice_text(export_row)
    dash.stop.set()


def test_the_export_is_a_download_of_the_csv(store):
    info, key = store.create_session("Export", threshold=3)
    store.add_response(info.code, contract.CHECKIN, contract.CHECKIN_WORD, "=cmd")
    dash = Dashboard(store, refresh=3600)
    dash._open(info.code, key)
    find(dash, w.Button, description="Export responses (CSV)")[0].click()
    link = dash.download.value
    assert f"download='{contract.export_name(info.code)}'" in link
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)'", link).group(1)).decode()
    assert data == store.export_csv(info.code, key) and "'=cmd" in data
    assert "CSV ready (1 answers)" in dash.export_note.value
    dash.stop.set()


def test_the_question_picker_follows_the_book(store):
    dash = Dashboard(store, refresh=3600)
    create(dash)
    find(dash, w.Button, description="I have written it down")[0].click()
    modules = [p.split("/")[1] for p in toc_pages(project_root()) if p.endswith("/index")]
    banks = load_all()
    assert [m for _, m in dash.chapter.options] == [m for m in modules if m in banks]
    assert dash.chapter.options[0][0].startswith("1. Welcome")
    for module, bank in banks.items():
        dash.chapter.value = module
        assert [q for _, q in dash.question.options] == [q.id for q in bank.questions]
        assert [t for t, _ in dash.question.options] == [q.prompt for q in bank.questions]
    scenario = next(q for b in banks.values() for q in b.questions if q.scenario)
    dash.chapter.value = scenario.module
    dash.question.value = scenario.id
    shown = dash.question_text.value
    assert html.escape(scenario.scenario) in shown and html.escape(scenario.prompt) in shown
    dash.stop.set()


def test_the_start_form_says_what_a_room_will_see():
    dash = Dashboard(refresh=3600)
    assert (dash.threshold.min, dash.threshold.max) == (
        contract.THRESHOLD_MIN,
        contract.THRESHOLD_MAX,
    )
    dash.room.value, dash.threshold.value = 4, 5
    form = text_of(dash.start_form)
    assert "With 4 people" in form and "no counts show" in form
    dash.room.value = 12
    form = text_of(dash.start_form)
    assert "at least 5 of the 12" in form and f"{live.KNOWLEDGE_MIN} people" in form


def test_a_question_is_always_picked(store):
    dash = Dashboard(store, refresh=3600)
    create(dash)
    find(dash, w.Button, description="I have written it down")[0].click()
    first = dash.banks[0].questions[0]
    assert dash.question.value == first.id  # as the page opens: "Ask the room" just works
    find(dash, w.Button, description="Ask the room")[0].click()
    assert "Asked" in dash.quiz_note.value
    assert store.get_state(dash.code, QUIZ_CURRENT) == first.id
    dash.chapter.value = dash.banks[1].module
    assert dash.question.value == dash.banks[1].questions[0].id
    dash.stop.set()


# -- following a session plan ---------------------------------------------------------------
class Clock:
    """The panel's clock, moved by hand (no waiting, no timed asserts)."""

    def __init__(self, t: float = 1_800_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def planned(store, plan: str = "refresher", root=None):
    dash = Dashboard(store, refresh=3600, plan_root=root)
    create(dash, plan=plan)
    find(dash, w.Button, description="I have written it down")[0].click()
    return dash


def press(dash, label: str) -> None:
    find(dash.plan_panel, w.Button, description=label)[0].click()


def selected_tab(dash) -> str:
    return contract.APPS[dash.tabs.selected_index]


def test_the_start_form_lists_the_plans_by_title():
    dash = Dashboard(refresh=3600)
    picker = find(dash.start_form, w.Dropdown, description="Session plan (optional)")[0]
    titles = [t for t, _ in picker.options]
    assert titles[0] == "No plan" and picker.value == ""
    assert load_plan("refresher").title in titles and load_plan("workshop-day").title in titles
    assert dash.plan_picker.problems.value == ""


def test_a_session_walks_through_its_plan(store):
    plan = load_plan("refresher")
    dash = planned(store)
    panel, clock = dash.plan_panel, Clock()
    panel.clock = clock
    assert store.get_state(dash.code, PLAN_ID) == "refresher"
    first = plan.segments[0]
    shown = text_of(panel)
    assert f"Session plan: {html.escape(plan.title)}" in shown
    assert "Part 1 of 5" in shown and html.escape(first.title) in shown
    assert html.escape(first.do) in shown and html.escape(first.say) in shown
    assert "(never cut)" in shown and "Never cut this part." in shown
    assert f">{first.minutes}:00<" in shown and "press Start the session" in shown
    assert f"Next:</strong> {html.escape(plan.segments[1].title)}" in shown
    assert selected_tab(dash) == contract.CHECKIN
    # before the start, moving on is refused (the buttons are off; a forged click says why)
    assert panel.forward.disabled and panel.back.disabled
    press(dash, "Next part")
    assert "Press Start the session first" in panel.note.value
    assert store.get_state(dash.code, PLAN_AT) is None

    press(dash, "Start the session")
    assert "Started" in panel.note.value and panel.start.layout.display == "none"
    assert "5:00 <span" in panel.timer.value and "left in this part" in panel.timer.value
    clock.t += 125
    dash.update()  # what the dashboard's polling does every few seconds
    assert "2:55 <span" in panel.timer.value and "Session time: 2 of 60" in panel.timer.value
    clock.t += 400  # the timer is a guide: over time, the part stays until the trainer moves
    dash.update()
    assert "3:45 <span" in panel.timer.value and "over the time" in panel.timer.value
    assert "Part 1 of 5" in panel.script.value

    press(dash, "Next part")  # a live-quiz part: the quiz tab, its chapter's questions ready
    quiz = plan.segments[1]
    shown = text_of(panel)
    assert "Part 2 of 5" in shown and html.escape(quiz.title) in shown
    assert all(html.escape(p) in shown for p in quiz.key_points)
    assert f"If time is short:</strong> {html.escape(quiz.if_short)}" in shown
    assert "(never cut)" not in shown and f"{quiz.minutes}:00 <span" in panel.timer.value
    assert selected_tab(dash) == contract.QUIZ and dash.chapter.value == quiz.chapter
    ids = quiz_questions(plan, 1)
    assert ids and [q for _, q in dash.question.options] == ids and dash.question.value == ids[0]
    assert store.get_state(dash.code, PLAN_AT).split()[0] == "1"

    press(dash, "Next part")
    assert selected_tab(dash) == contract.SCENARIO
    assert all(html.escape(a) in text_of(panel) for a in plan.segments[2].ask)
    press(dash, "Back")
    assert selected_tab(dash) == contract.QUIZ and "Part 2 of 5" in panel.script.value
    press(dash, "Next part")
    press(dash, "Next part")  # a part with no app on the dashboard: the tab stays
    assert selected_tab(dash) == contract.SCENARIO and "Part 4 of 5" in panel.script.value
    assert "Next:</strong> Closing and feedback" in panel.next_up.value
    press(dash, "Next part")
    assert selected_tab(dash) == contract.FEEDBACK
    assert "Next:</strong> the end of the session" in panel.next_up.value
    press(dash, "Next part")
    assert "All parts are done" in panel.script.value and panel.forward.disabled
    press(dash, "Next part")
    assert "That was the last part" in panel.note.value
    dash.stop.set()


def test_a_reopened_dashboard_goes_on_where_it_was(store):
    dash = planned(store)
    clock = Clock()
    dash.plan_panel.clock = clock
    press(dash, "Start the session")
    clock.t += 60
    press(dash, "Next part")
    code, key = dash.code, dash.key
    dash.stop.set()
    clock.t += 90
    again = Dashboard(store, refresh=3600)
    find(again, w.Text, description="Code")[0].value = code
    find(again, w.Password)[0].value = key
    find(again, w.Button, description="Open session")[0].click()
    panel = again.plan_panel
    panel.clock = clock
    again.update()
    assert "Part 2 of 5" in panel.script.value and "13:30 <span" in panel.timer.value
    assert "Session time: 2 of 60" in panel.timer.value
    assert selected_tab(again) == contract.QUIZ and again.chapter.value == "coping"
    assert panel.start.layout.display == "none" and not panel.back.disabled
    again.stop.set()


def test_no_plan_leaves_the_dashboard_as_it_was(store):
    dash = planned(store, plan="")
    assert store.get_state(dash.code, PLAN_ID) is None
    assert dash.plan_panel.children == () and "Session plan" not in text_of(dash.session_box)
    assert not find(dash, w.Button, description="Next part")
    dash.update()
    dash.stop.set()


def plan_root(tmp_path, plans: dict[str, str]):
    """A project whose book has the real chapters and apps, and these plans."""
    root = project_root()
    (tmp_path / "_toc.yml").write_text((root / "_toc.yml").read_text())
    (tmp_path / "book").mkdir()
    for chapter in (root / "book").iterdir():
        if chapter.is_dir() and chapter.name != "facilitators":
            (tmp_path / "book" / chapter.name).symlink_to(chapter)
    (tmp_path / "notebooks").symlink_to(root / "notebooks")
    folder = tmp_path / PLANS_DIR
    folder.mkdir(parents=True)
    for name, text in plans.items():
        (folder / f"{name}.yml").write_text(text, encoding="utf-8")
    return tmp_path


MARKUP_PLAN = """
title: "Night <b>shift</b> plan"
format: in person
minutes: 15
summary: A plan with markup in it.
segments:
  - title: "Open <img src=x onerror=alert(1)>"
    minutes: 10
    chapter: coping
    app: live_quiz
    do: "Say <script>alert(1)</script> out loud."
    say: "Welcome & <i>hello</i>."
    ask: ["What is <u>this</u>?"]
  - title: Close
    minutes: 5
    chapter: coping
    do: Thank people.
    say: Thank you.
"""


def test_plan_text_is_escaped_and_broken_plans_are_said_plainly(store, tmp_path):
    root = plan_root(tmp_path, {"markup": MARKUP_PLAN, "broken": "title: [no end\n",
                                "short": MARKUP_PLAN.replace("minutes: 15", "minutes: 20")})  # fmt: skip
    dash = Dashboard(store, refresh=3600, plan_root=root)
    picker = dash.plan_picker
    assert [t for t, _ in picker.choice.options] == ["No plan", "Night <b>shift</b> plan"]
    problems = picker.problems.value
    assert "could not be loaded" in problems and "broken.yml" in problems
    assert "short.yml" in problems and "add up to 15 minutes" in problems
    assert "Traceback" not in problems and str(root) not in problems
    create(dash, plan="markup")
    find(dash, w.Button, description="I have written it down")[0].click()
    shown = text_of(dash.plan_panel)
    for raw in ("<b>shift", "<img", "<script>", "<i>hello", "<u>this"):
        assert raw not in shown, raw
    assert "Open &lt;img src=x onerror=alert(1)&gt;" in shown and "&lt;script&gt;" in shown
    assert "Night &lt;b&gt;shift&lt;/b&gt; plan" in shown
    assert selected_tab(dash) == contract.QUIZ and dash.chapter.value == "coping"
    dash.stop.set()
    # the plan's file goes bad after the session began: the dashboard says so and works on
    (root / PLANS_DIR / "markup.yml").write_text("title: [\n", encoding="utf-8")
    again = Dashboard(store, refresh=3600, plan_root=root)
    again._open(dash.code, dash.key)
    shown = text_of(again.plan_panel)
    assert "plan could not be loaded" in shown and "markup.yml" in shown
    assert not find(again, w.Button, description="Next part")
    again.update()
    assert "Session code" in text_of(again)
    again.stop.set()
