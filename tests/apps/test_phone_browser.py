"""The participant page on a 360 px phone screen, in Debian's Chromium against a real Voila:
every tab fits (no label cut off, no choice on top of another, 44 px touch targets), the
live quiz speaks of the room, a new question is flagged on another tab, and the revealed
answer reaches everyone, also a participant who did not answer; the "I need a pause"
button fits on every tab and the breathing break shows when the facilitator starts one;
the pace buttons, a question to the facilitator and the short feedback form on a phone;
the facilitator's moderation (questions, comments, the word cloud, pace) on the dashboard
and what the room screen then shows. axe finds nothing.

Screenshots of every tab go to $PEERCARE_SCREENSHOTS when it is set (to look at them)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from peercare import contract
from peercare.apps.pause import BREAK_SECONDS
from peercare.apps.state import BREAK_UNTIL, QUIZ_CURRENT, QUIZ_REVEALED
from peercare.content.bank import load_all
from peercare.serving.serve import live_session_args
from peercare.store import Store

from ..browser import chromium, describe, guarded_context, run_axe, settled
from ..conftest import ROOT
from ..voila import voila_server

pytestmark = pytest.mark.browser
APPS = ROOT / "notebooks" / "apps"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
QUESTION = "coping-breath-out"
TABS = ["Check-in", "Live quiz", "Scenarios", "Ask", "Feedback", "My plan"]
ASKED = "How do I <b>check in</b> with a co-worker who went quiet?"

# Every visible tab label, button and choice: its text fits its box, it is at least 44 px
# high, no two choices overlap, and nothing sticks out of the screen or of a box that
# clips it. Returns the problems as text.
LAYOUT_CHECK = """
() => {
  const problems = [];
  const shown = (e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden";
  };
  const name = (e) => `${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 40)}"`;
  const all = (selector) => [...document.querySelectorAll(selector)].filter(shown);
  const labels = all(".lm-TabBar-tabLabel, button, .widget-radio-box label, .pcq-option, "
                     + ".pcp-idea, label");
  for (const e of labels) {
    if (e.scrollWidth > e.clientWidth + 1) problems.push(`${name(e)} is cut off`);
  }
  const targets = all(".lm-TabBar-tab, button, .widget-radio-box label, .pcq-option, "
                      + ".widget-text input, .widget-dropdown select");
  for (const e of targets) {
    const h = e.getBoundingClientRect().height;
    if (h < 44) problems.push(`${name(e)} is ${Math.round(h)} px high (under 44)`);
  }
  for (const group of all(".widget-radio-box, .pcq-options")) {
    const boxes = [...group.children].filter(shown).map((c) => [c, c.getBoundingClientRect()]);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, ra] = boxes[i], [b, rb] = boxes[j];
        const overlap = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top) > 0.5
          && Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left) > 0.5;
        if (overlap) problems.push(`${name(a)} overlaps ${name(b)}`);
      }
    }
  }
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) problems.push("the page scrolls sideways");
  for (const e of all(".jupyter-widgets *")) {
    const r = e.getBoundingClientRect();
    if (r.right > width + 0.5) { problems.push(`${name(e)} sticks out of the screen`); continue; }
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") {
        if (r.right > a.getBoundingClientRect().right + 0.5) {
          problems.push(`${name(e)} is clipped on the right`);
        }
        break;
      }
    }
  }
  return [...new Set(problems)];
}
"""


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    data = tmp_path_factory.mktemp("phone-data")
    store = Store(f"sqlite:///{data / 'sessions.sqlite'}")
    info, key = store.create_session("Phone", threshold=3)
    extra = live_session_args(APPS, pool=2, idle_timeout=0)
    with voila_server(APPS, env={"PEERCARE_DATA_DIR": str(data)}, extra=extra) as url:
        yield url, store, info.code, key
    store.close()


@pytest.fixture(scope="module")
def browser(chromium_path):
    with chromium(chromium_path) as b:
        yield b


def _phone(browser, url: str, code: str, look: bool = False):
    context = guarded_context(browser, **PHONE)
    page = context.new_page()
    page.goto(f"{url}/voila/render/participant.ipynb?code={code}")
    page.get_by_role("button", name="Join").wait_for(timeout=60_000)
    if look:  # the join screen
        assert _look(page, "join") == []
    page.get_by_role("button", name="Join").click()
    page.get_by_text("You joined").first.wait_for(timeout=60_000)
    return context, page


def _look(page, name: str) -> list[str]:
    """The layout problems on the page now, after a screenshot when asked for one."""
    settled(page)  # the widgets drawn and laid out
    folder = os.environ.get("PEERCARE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"phone-{name}.png"), full_page=True)
    return page.evaluate(LAYOUT_CHECK)


def _tab(page, title: str):
    return page.get_by_role("tab", name=re.compile(f"^{re.escape(title)}"))


def test_every_tab_fits_a_phone(browser, room):
    url, _, code, _ = room
    context, page = _phone(browser, url, code, look=True)
    problems = {}
    for title in TABS:
        _tab(page, title).click()
        problems[title] = _look(page, title)
        violations = run_axe(page)
        assert violations == [], (title, describe(violations))
    _tab(page, "Scenarios").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Choose").wait_for()
    problems["a scenario step"] = _look(page, "scenario-step")
    page.locator(".widget-radio-box:visible label").first.click()
    page.get_by_role("button", name="Choose").click()
    page.get_by_text("Received.").wait_for()
    problems["the next step"] = _look(page, "scenario-next")
    assert {k: v for k, v in problems.items() if v} == {}
    assert context.outside == []
    context.close()


def test_live_quiz_reaches_everyone_on_a_phone(browser, room):
    url, store, code, key = room
    answering, page = _phone(browser, url, code)
    question = next(q for b in load_all().values() for q in b.questions if q.id == QUESTION)
    right = next(o for o in question.options if o.correct)

    store.set_state(code, key, QUIZ_CURRENT, QUESTION)
    store.set_state(code, key, QUIZ_REVEALED, "")
    watching, other = _phone(browser, url, code)  # joins while the question is open
    # both are on the check-in tab: the question is flagged there
    for p in (page, other):
        p.get_by_text("A new question is waiting").wait_for(timeout=15_000)
        assert _tab(p, "Live quiz (new)").count() == 1
    assert _look(other, "new-question-cue") == []

    _tab(page, "Live quiz").click()
    page.get_by_text("A new question is waiting").wait_for(state="detached")
    page.get_by_role("tab", name="Live quiz", exact=True).wait_for()  # the mark is gone
    box = page.locator(".pcq")
    text = box.inner_text()
    assert "goes to the room without your name" in text
    assert "Question 1 of" not in text and "stay" not in text.lower()  # no self-check intro
    box.get_by_role("radio", name=right.text).check()
    box.get_by_role("button", name="Send my answer").click()
    page.get_by_text("Your answer is in").wait_for()
    assert box.get_by_role("button", name="Send my answer").is_disabled()  # once

    store.set_state(code, key, QUIZ_REVEALED, QUESTION)
    page.get_by_text("✓ Correct.").wait_for(timeout=15_000)
    # the one who never answered sees the answer too, once they look
    _tab(other, "Live quiz").click()
    shown = other.locator(".pcq-feedback")
    shown.get_by_text("The right answer:").wait_for(timeout=15_000)
    assert right.text in shown.inner_text() and right.feedback in shown.inner_text()
    assert other.locator(".pcq input").first.is_disabled()
    assert _look(other, "live-quiz-revealed") == []
    if os.environ.get("PEERCARE_SCREENSHOTS"):  # the whole question, as the phone scrolls it
        folder = Path(os.environ["PEERCARE_SCREENSHOTS"])
        other.locator(".pcq").screenshot(path=str(folder / "phone-revealed-unanswered.png"))
        page.locator(".pcq").screenshot(path=str(folder / "phone-revealed-answered.png"))
    assert _look(page, "live-quiz-answered") == []
    assert [r["answer"] for r in store.responses(code, key, "quiz")] == [right.id]
    for context in (answering, watching):
        assert context.outside == []
        context.close()


@pytest.mark.parametrize("app", ["self_check.ipynb", "wellness_plan.ipynb"])
def test_the_apps_without_a_session_fit_a_phone(browser, room, app):
    url = room[0]
    context = guarded_context(browser, **PHONE)
    page = context.new_page()
    page.goto(f"{url}/voila/render/{app}")
    page.locator(".pcq, .pcp").first.wait_for(timeout=60_000)
    assert _look(page, app.split(".")[0]) == []
    context.close()


def test_pause_button_and_breathing_break_on_a_phone(browser, room):
    url, store, code, key = room
    context, page = _phone(browser, url, code)
    ask = page.get_by_role("button", name="I need a pause")
    for title in TABS:  # on every tab, and it fits (the layout check measures it too)
        _tab(page, title).click()
        assert ask.is_visible() and ask.bounding_box()["height"] >= 44
    _tab(page, "Scenarios").click()
    ask.click()
    page.get_by_text("The facilitator sees that someone asked").wait_for(timeout=15_000)
    ask.click()  # again at once: nothing more is stored
    page.get_by_text("ask again in a few minutes").wait_for(timeout=15_000)
    assert len(store.responses(code, key, contract.PAUSE)) == 1
    # the facilitator starts a break: the page shows the breathing guide in place of its tabs
    store.set_state(code, key, BREAK_UNTIL, f"{time.time() + BREAK_SECONDS:.0f}")
    guide = page.get_by_role("region", name="Breathing break")
    guide.wait_for(timeout=15_000)
    assert "count to 4" in guide.inner_text() and "count to 6" in guide.inner_text()
    assert page.get_by_role("tab").count() == 0 or not _tab(page, "Scenarios").is_visible()
    assert _look(page, "breathing-break") == []
    violations = run_axe(page)
    assert violations == [], describe(violations)
    store.set_state(code, key, BREAK_UNTIL, "")  # ended: the page is back as it was
    guide.wait_for(state="hidden", timeout=15_000)
    assert page.get_by_role("tab", name="Scenarios", selected=True).is_visible()
    assert context.outside == []
    context.close()


def test_pace_a_question_and_short_feedback_on_a_phone(browser, room):
    url, store, code, key = room
    context, page = _phone(browser, url, code)
    slower = page.get_by_role("button", name="Slower, please")
    faster = page.get_by_role("button", name="Faster, please")
    assert slower.bounding_box()["height"] >= 44 and faster.bounding_box()["height"] >= 44
    slower.click()
    page.get_by_text("once enough people say the same").wait_for(timeout=15_000)
    faster.click()  # at once again: the kernel keeps the minute
    page.get_by_text("send another in a minute").wait_for(timeout=15_000)
    assert [r["answer"] for r in store.responses(code, key, contract.PACE)] == ["slower"]

    _tab(page, "Ask").click()
    page.get_by_role("textbox").last.fill(ASKED)
    page.get_by_role("button", name="Send my question").click()
    page.get_by_text("Sent, with no name").wait_for(timeout=15_000)
    assert _look(page, "ask-sent") == []
    assert [r["answer"] for r in store.responses(code, key, contract.QUESTION)] == [ASKED]

    _tab(page, "Feedback").click()
    groups = page.locator(".widget-radio-box:visible")
    assert groups.count() == len(contract.SHORT_FEEDBACK_ITEMS)  # the short form
    for n in range(groups.count()):
        groups.nth(n).get_by_text("Agree", exact=False).first.click()
    page.locator("textarea:visible").fill("The quiet room helped. Ask Keisha, 312-555-0199.")
    page.get_by_role("button", name="Send my feedback").click()
    page.get_by_text("Your trainer reads what you wrote later").wait_for(timeout=15_000)
    assert _look(page, "feedback-short-sent") == []
    violations = run_axe(page)
    assert violations == [], describe(violations)
    assert context.outside == []
    context.close()


def test_the_facilitator_moderates_and_the_room_screen_shows_only_what_was_approved(browser, room):
    url, store, code, key = room
    info = store.open_session(code)
    for n in range(3):  # two more pace signals, three words, two more comments
        person = f"seeded-{n:03d}"
        if n < 2:
            store.add_responses(code, contract.PACE, [(contract.PACE_SIGNAL, "slower")],
                                respondent=person)  # fmt: skip
            store.add_responses(code, contract.FEEDBACK,
                                [(contract.SHORT_FEEDBACK_TEXT, f"The stories, part {n}")],
                                respondent=person)  # fmt: skip
        store.add_responses(code, contract.CHECKIN, [(contract.CHECKIN_WORD, "Hopeful")],
                            respondent=person)  # fmt: skip
    store.add_responses(code, contract.QUESTION,
                        [(contract.QUESTION_TEXT, "Can Tasha call me at 555-201-7788?")])  # fmt: skip
    assert info.threshold == 3
    desk = guarded_context(browser, viewport={"width": 1100, "height": 900})
    fac = desk.new_page()
    fac.goto(f"{url}/voila/render/dashboard.ipynb")
    fac.get_by_label("Code", exact=True).fill(code, timeout=60_000)
    fac.get_by_label("Facilitator key").fill(key)
    fac.get_by_role("button", name="Open session").click()
    fac.get_by_text("Session code:").wait_for(timeout=30_000)
    fac.get_by_text("Slower: 3").wait_for(timeout=15_000)  # three people: from the threshold
    shots = os.environ.get("PEERCARE_SCREENSHOTS")

    fac.get_by_role("tab", name="Questions").click()
    mine = fac.locator(".pc-mod-item", has_text="with a co-worker who went quiet")
    flagged = fac.locator(".pc-mod-item", has_text="Tasha")
    assert "<b>check in</b>" in mine.inner_text()  # shown as typed, never as markup
    assert "phone number" in flagged.inner_text() and "Tasha" in flagged.inner_text()
    if shots:
        fac.screenshot(path=str(Path(shots) / "dashboard-questions.png"), full_page=True)
    assert run_axe(fac) == []
    room_ctx = guarded_context(browser, viewport={"width": 1280, "height": 900})
    screen = room_ctx.new_page()
    screen.goto(f"{url}/voila/render/room.ipynb?code={code}")
    screen.get_by_label("Session code").fill(code, timeout=60_000)
    screen.get_by_role("button", name="Show the room screen").click()
    screen.get_by_text("No questions on the screen yet").wait_for(timeout=30_000)
    mine.get_by_role("button", name="Approve").click()
    fac.get_by_text("Approved: it is on the room screen.").wait_for(timeout=15_000)
    flagged.get_by_role("button", name="Hide").click()
    fac.get_by_text("Hidden: it will not be shown.").wait_for(timeout=15_000)
    screen.locator(".pc-room-questions").get_by_text(ASKED).wait_for(timeout=15_000)
    assert "Tasha" not in screen.content()

    fac.get_by_role("tab", name="Check-in").click()
    fac.locator(".pc-cloud:visible").get_by_text("hopeful").wait_for(timeout=15_000)
    fac.get_by_role("button", name="Show on the room screen").click()
    fac.get_by_text("The room screen shows the words now").wait_for(timeout=15_000)
    screen.locator(".pc-cloud").get_by_text("hopeful").wait_for(timeout=15_000)
    if shots:
        fac.screenshot(path=str(Path(shots) / "dashboard-checkin.png"), full_page=True)
    assert run_axe(fac) == []

    fac.get_by_role("tab", name="Feedback").click()
    comment = fac.locator(".pc-mod-item", has_text="quiet room")
    assert "phone number" in comment.inner_text() and "Keisha" in comment.inner_text()
    fac.locator(".pc-mod-item", has_text="part 0").get_by_role("button", name="Approve").click()
    fac.locator(".pc-mod-shown").get_by_text("The stories, part 0").wait_for(timeout=15_000)
    if shots:
        fac.screenshot(path=str(Path(shots) / "dashboard-feedback.png"), full_page=True)
        screen.screenshot(path=str(Path(shots) / "room-screen.png"), full_page=True)
    assert run_axe(fac) == [] and run_axe(screen) == []
    assert "stories" not in screen.content() and "Slower" not in screen.content()
    for context in (desk, room_ctx):
        assert context.outside == []
        context.close()
