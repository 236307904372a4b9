"""The built book in Debian's Chromium: offline quizzes, kept progress, no outside requests, axe."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from peercare.content.bank import load_all
from peercare.paths import toc_pages
from peercare.serving.serve import book_server

from .browser import chromium, describe, guarded_context, run_axe, widgets_ready
from .conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.build]
CHAPTERS = [p for p in toc_pages(ROOT) if (ROOT / p).parent.joinpath("questions.yml").is_file()]


@pytest.fixture(scope="module")
def book_url(built_book):
    server = book_server(built_book, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(chromium_path):
    with chromium(chromium_path) as b:
        yield b


@pytest.fixture
def context(browser):
    ctx = guarded_context(browser, viewport={"width": 360, "height": 740})
    ctx.errors = []
    yield ctx
    ctx.close()


def _open(context, url):
    page = context.new_page()
    page.on("pageerror", lambda exc: context.errors.append(str(exc)))
    page.goto(url)
    widgets_ready(page)
    return page


def _fieldset(page, question_id, bank):
    index = [q.id for q in bank.questions].index(question_id)
    return page.locator(".pcq fieldset").nth(index)


def test_welcome_quiz_checks_explains_and_keeps_progress(context, book_url):
    bank = load_all(ROOT)["welcome"]
    q = bank.question("welcome-purpose")
    wrong = next(o for o in q.options if not o.correct)
    right = next(o for o in q.options if o.correct)
    page = _open(context, f"{book_url}/book/welcome/index.html")
    box = _fieldset(page, q.id, bank)

    box.get_by_label(wrong.text).check()
    box.get_by_role("button", name="Check answer").click()
    feedback = box.locator(".pcq-feedback")
    assert "Not quite" in feedback.inner_text()
    assert wrong.feedback in feedback.inner_text()

    box.get_by_label(right.text).check()
    box.get_by_role("button", name="Check answer").click()
    assert "Correct" in feedback.inner_text() and right.feedback in feedback.inner_text()
    assert f"1 of {len(bank.questions)}" in page.locator(".pcq-summary").inner_text()

    page.reload()
    widgets_ready(page)
    box = _fieldset(page, q.id, bank)
    assert box.get_by_label(right.text).is_checked()
    assert right.feedback in box.locator(".pcq-feedback").inner_text()

    page.get_by_role("button", name="Start over").click()
    page.reload()
    widgets_ready(page)
    assert not _fieldset(page, q.id, bank).get_by_label(right.text).is_checked()
    assert context.outside == [] and context.errors == []


@pytest.mark.parametrize("page_path", CHAPTERS)
def test_every_chapter_quiz_works_offline(context, book_url, page_path):
    module = page_path.split("/")[1]
    bank = load_all(ROOT)[module]
    page = _open(context, f"{book_url}/{page_path}.html")
    assert page.locator(".pcq fieldset").count() == len(bank.questions)
    for q in bank.questions:
        box = _fieldset(page, q.id, bank)
        for option in q.options:
            if option.correct:
                box.get_by_label(option.text, exact=True).check()
        box.get_by_role("button", name="Check answer").click()
        text = box.locator(".pcq-feedback").inner_text()
        assert "Correct" in text, (q.id, text)
    summary = page.locator(".pcq-summary").inner_text()
    assert f"All {len(bank.questions)} right" in summary
    # readable at 360 px: nothing wider than the screen, touch targets of 24 px or more
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    sizes = page.eval_on_selector_all(
        ".pcq input",
        "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])",
    )
    assert sizes and min(min(s) for s in sizes) >= 24
    assert context.outside == [], context.outside
    assert context.errors == [], context.errors


def test_widgets_load_near_the_screen_and_draw_what_the_page_showed(context, book_url, built_book):
    """The quiz's module is fetched only when the quiz comes near the screen, and it draws
    the same quiz (and reflection) the page's HTML showed before: no jump when it takes over."""
    path = "book/stressors-responses/index.html"
    statics = re.findall(
        r'<div class="pc-widget-static">(.*?)</div><script type="application/json"',
        (built_book / path).read_text(),
    )
    assert len(statics) == 2  # the quiz and the reflection
    requested = []
    page = context.new_page()
    page.on("pageerror", lambda exc: context.errors.append(str(exc)))
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{book_url}/{path}")
    page.wait_for_load_state("networkidle")
    assert page.locator(".pc-widget-static .pcq fieldset").count() > 3  # readable already
    assert not [u for u in requested if "/widgets/m/" in u and u.endswith(".js")], requested
    assert not [u for u in requested if "require" in u or "embed-amd" in u]
    widgets_ready(page)
    assert [u for u in requested if "/widgets/m/quiz-" in u]
    for static_html in statics:
        drawn, shown = page.evaluate(
            """(html) => {
                const t = document.createElement("template");
                t.innerHTML = html;
                const first = t.content.firstElementChild;
                return [document.querySelector(".pc-widget-live ." + first.className).outerHTML,
                        first.outerHTML];
            }""",
            static_html,
        )
        assert drawn == shown
    assert context.outside == [] and context.errors == []


def test_a_choice_made_before_the_script_arrives_is_kept(context, book_url):
    held = []  # the quiz's module is held back until the reader has ticked an answer
    page = context.new_page()
    page.route("**/widgets/m/quiz-*", lambda route: held.append(route))
    page.goto(f"{book_url}/book/welcome/index.html")
    first = page.locator(".pc-widget-static .pcq input").first
    first.check()
    deadline = time.monotonic() + 60
    while not held:  # the quiz is on screen now, so the loader asks for the module
        assert time.monotonic() < deadline, "the loader never asked for the quiz's module"
        page.wait_for_timeout(50)
    held[0].continue_()
    widgets_ready(page)
    assert page.locator(".pc-widget-live .pcq input").first.is_checked()
    assert page.locator(".pc-widget-static").count() == 0


def test_keyboard_only_answer(context, book_url):
    bank = load_all(ROOT)["welcome"]
    page = _open(context, f"{book_url}/book/welcome/index.html")
    first = page.locator(".pcq input").first
    first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the radio group is one tab stop; next is the button
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Check answer"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    feedback = page.locator(".pcq-feedback").first
    assert feedback.get_attribute("aria-live") == "polite"
    assert bank.questions[0].options[0].feedback in feedback.inner_text()


def test_nested_page_works_from_file_url(context, built_book):
    page = _open(context, (built_book / "book" / "welcome" / "index.html").as_uri())
    assert page.locator(".pcq fieldset").count() >= 5
    assert context.outside == [] and context.errors == []


@pytest.mark.parametrize("page_path", toc_pages(ROOT))
def test_pages_have_no_axe_violations(context, book_url, page_path):
    page = context.new_page()
    page.goto(f"{book_url}/{page_path}.html")
    widgets_ready(page)
    violations = run_axe(page)
    assert violations == [], describe(violations)


def test_coping_plan_download_is_escaped(context, book_url):
    page = _open(context, f"{book_url}/book/coping/index.html")
    plan = page.locator(".pcp")
    plan.locator("input[type=checkbox]").first.check()
    own = plan.locator("textarea").first
    own.fill("Call my cousin <script>alert(1)</script>")
    with page.expect_download() as info:
        plan.get_by_role("button", name="Save a copy as a file").click()
    saved = Path(info.value.path()).read_text(encoding="utf-8")
    first_idea = plan.locator("input[type=checkbox]").first.get_attribute("value")
    assert "Call my cousin &lt;script&gt;" in saved and "<script>alert" not in saved
    assert first_idea.replace('"', "&quot;") in saved and "988" in saved
    assert context.outside == [] and context.errors == []


def test_coping_plan_is_kept_on_the_device_until_deleted(context, book_url):
    """The chapter promises the plan stays on the device: typed, reloaded, still there;
    'Delete my plan' clears it for good; and no request carries it off the page."""
    sent = []
    page = _open(context, f"{book_url}/book/coping/index.html")
    page.on("request", lambda r: sent.append((r.method, r.url, r.post_data or "")))
    plan = page.locator(".pcp")
    assert "Saved only on this device, in this browser" in plan.inner_text()
    third = plan.locator("input[type=checkbox]").nth(2)
    third.check()
    plan.locator("textarea").nth(1).fill("Text Ms. Alvarez at 9")  # as typed, no button

    page.reload()
    widgets_ready(page)
    plan = page.locator(".pcp")
    assert plan.locator("input[type=checkbox]").nth(2).is_checked()
    assert not plan.locator("input[type=checkbox]").first.is_checked()
    assert plan.locator("textarea").nth(1).input_value() == "Text Ms. Alvarez at 9"

    plan.get_by_role("button", name="Delete my plan").click()  # a mis-tap: Undo brings it back
    assert plan.locator("textarea").nth(1).input_value() == ""
    plan.get_by_role("button", name="Undo").click()
    assert "back" in plan.locator(".pcr-status").inner_text()
    assert plan.locator("input[type=checkbox]").nth(2).is_checked()
    assert plan.locator("textarea").nth(1).input_value() == "Text Ms. Alvarez at 9"
    assert "Alvarez" in page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert plan.get_by_role("button", name="Undo").count() == 0

    plan.get_by_role("button", name="Delete my plan").click()
    assert "deleted" in plan.locator(".pcr-status").inner_text()
    assert plan.locator("textarea").nth(1).input_value() == ""
    assert "Alvarez" not in page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    page.reload()
    widgets_ready(page)
    plan = page.locator(".pcp")
    assert plan.locator("textarea").nth(1).input_value() == ""
    assert not plan.locator("input[type=checkbox]").nth(2).is_checked()

    assert not [s for s in sent if "Alvarez" in s[1] + s[2] or s[0] != "GET"], sent
    assert context.outside == [] and context.errors == []


def test_live_session_plan_is_not_kept_in_the_browser(context, book_url):
    """The live app's plan (apps/plan.py) runs on devices that may be shared: the same
    widget code, rendered with the app's settings, keeps nothing in localStorage and
    says so; 'Clear my plan' empties the page."""
    from peercare.apps.plan import plan_panel
    from peercare.book.quiz import esm

    widget = plan_panel()
    assert widget.keep_on_device is False
    state = {k: getattr(widget, k) for k in ("title", "intro", "sections", "help_text")}
    state["keep_on_device"] = widget.keep_on_device
    page = _open(context, f"{book_url}/book/coping/index.html")
    stored = "JSON.stringify(Object.assign({}, localStorage))"
    page.evaluate(
        """async ([code, state]) => {
            const url = URL.createObjectURL(new Blob([code], {type: "text/javascript"}));
            const mod = await import(url);
            const root = document.createElement("div");
            root.id = "live-plan";
            document.body.prepend(root);
            mod.default.render({model: {get: (k) => state[k]}, el: root});
        }""",
        [esm("plan.js"), state],
    )
    plan = page.locator("#live-plan .pcp")
    assert "Not saved anywhere" in plan.inner_text() and "Saved only" not in plan.inner_text()
    plan.locator("input[type=checkbox]").first.check()
    plan.locator("textarea").first.fill("Text Ms. Alvarez at 9")
    assert "Alvarez" not in page.evaluate(stored) and state["title"] not in page.evaluate(stored)
    plan.get_by_role("button", name="Clear my plan").click()
    assert plan.locator("textarea").first.input_value() == ""
    assert "cleared" in plan.locator(".pcr-status").inner_text()
    plan.get_by_role("button", name="Undo").click()  # nothing else keeps it: Undo does
    assert plan.locator("textarea").first.input_value() == "Text Ms. Alvarez at 9"
    assert plan.locator("input[type=checkbox]").first.is_checked()
    assert "Alvarez" not in page.evaluate(stored)
    plan.get_by_role("button", name="Clear my plan").click()
    plan.locator("textarea").first.fill("New words")  # a change: Undo goes away
    assert plan.get_by_role("button", name="Undo").count() == 0
    assert context.outside == [] and context.errors == []


def test_private_check_in_reflects_back_without_storing(context, book_url):
    from peercare.book.widgets import PrivateCheckInSpec, load_spec

    spec = load_spec(ROOT / "book" / "seeking-help" / "private-checkin.yml", PrivateCheckInSpec)
    page = _open(context, f"{book_url}/book/seeking-help/index.html")
    check = page.locator(".pcs")
    stored = "JSON.stringify(Object.assign({}, localStorage))"
    before = page.evaluate(stored)
    show = check.get_by_role("button", name="Show my reflection")
    show.click()
    assert f"{len(spec.items)} statements are not answered" in check.inner_text()
    status = check.locator("[role=status]")

    def answer(values):
        for i, item in enumerate(spec.items):
            label = next(p.label for p in spec.scale if p.value == values[item.id])
            check.locator("fieldset").nth(i).get_by_label(label, exact=True).check()
        show.click()
        return [line.strip() for line in status.inner_text().splitlines() if line.strip()]

    # item by item, as the Python side says: two "A lot" answers are named, and the
    # drinking item marked high adds its own line
    values = {i.id: 0 for i in spec.items} | {"sleep": 3, "leaning": 3}
    lines = answer(values)
    assert lines == ["What you told us", *spec.reflect(values)]
    assert any("don't stop all at once" in line for line in lines) and "988" in lines[-1]
    # all "Not at all": its own text, not "a few"
    values = {i.id: 0 for i in spec.items}
    assert answer(values) == ["What you told us", spec.none_text, spec.urgent_note]
    assert page.evaluate(stored) == before
    assert context.outside == [] and context.errors == []


def test_reflection_text_is_not_kept(context, book_url):
    page = _open(context, f"{book_url}/book/welcome/index.html")
    box = page.locator(".pcr textarea").first
    box.fill("something private")
    page.reload()
    widgets_ready(page)
    assert page.locator(".pcr textarea").first.input_value() == ""
    assert "something private" not in page.evaluate(
        "JSON.stringify(Object.assign({}, localStorage))"
    )


def test_reader_goes_from_welcome_to_chapter_five_with_next_links(context, book_url):
    titles = ["Peer support foundations",
              "Naming and recognizing trauma", "Stressors and trauma responses",
              "Stress and coping strategies", "Recognizing the need for help in others",
              "Knowing when to seek help for yourself"]  # fmt: skip
    page = context.new_page()
    page.goto(f"{book_url}/")  # index.html redirects to the welcome page
    page.wait_for_selector("article h1")
    assert "Welcome" in page.locator("article h1").inner_text()
    for title in titles:
        page.locator("a.right-next").click()
        page.wait_for_load_state()
        assert title in page.locator("article h1").inner_text()
    sidebar = page.locator("nav.bd-docs-nav").text_content()
    assert all(t in sidebar for t in titles)
    page.locator("a.left-prev").click()
    assert titles[-2] in page.locator("article h1").inner_text()


def _map_values(page):
    return page.locator(".pcm input").evaluate_all("els => els.map(e => e.value)")


def test_referral_map_is_kept_on_this_device_until_deleted(context, book_url):
    # the print frame's window.print records what it would print (headless has no dialog)
    context.add_init_script(
        "window.print = () => { window.top.__printed = document.body.innerText; };"
    )
    page = _open(context, f"{book_url}/book/community-members/index.html")
    card = page.locator(".pcm")
    victim = card.locator("fieldset", has_text="Victim services")
    victim.get_by_label("Name or place").fill("Eastside Victim Help <b>desk</b>")
    victim.get_by_label("How to reach them").fill("555-0100, Mon to Fri")
    card.locator("fieldset", has_text="Legal aid").get_by_label("Name or place").fill("Legal Aid")

    page.reload()
    widgets_ready(page)
    victim = page.locator(".pcm fieldset", has_text="Victim services")
    assert victim.get_by_label("Name or place").input_value() == "Eastside Victim Help <b>desk</b>"
    assert victim.get_by_label("How to reach them").input_value() == "555-0100, Mon to Fri"

    page.locator(".pcm").get_by_role("button", name="Print my map").click()
    page.wait_for_function("window.__printed !== undefined")
    printed = page.evaluate("window.__printed")
    # escaped: the reader's markup is shown as text, not run as HTML
    assert "Eastside Victim Help <b>desk</b>" in printed and "555-0100" in printed
    assert "Legal Aid" in printed and "Hospital violence intervention program" in printed
    assert "988" in printed

    stored = "JSON.stringify(Object.assign({}, localStorage))"
    assert "Eastside" in page.evaluate(stored)
    page.locator(".pcm").get_by_role("button", name="Delete my map from this device").click()
    assert "deleted" in page.locator(".pcm [role=status]").inner_text()
    assert set(_map_values(page)) == {""}
    assert "Eastside" not in page.evaluate(stored) and "Legal Aid" not in page.evaluate(stored)
    page.reload()
    widgets_ready(page)
    assert set(_map_values(page)) == {""}


def test_org_self_assessment_prints_saves_escaped_and_keeps_nothing(context, book_url):
    from peercare.book.orgcheck import OrgCheckSpec
    from peercare.book.widgets import load_spec

    spec = load_spec(ROOT / "book" / "organizations" / "selfassessment.yml", OrgCheckSpec)
    items = [i for g in spec.groups for i in g.items]
    page = _open(context, f"{book_url}/book/organizations/index.html")
    stored = "JSON.stringify(Object.assign({}, localStorage))"
    before = page.evaluate(stored)
    check = page.locator(".pco")
    status = check.locator("[role=status]")
    assert f"In place: 0 of {len(items)}" in status.inner_text()

    ticked, left = items[0], items[1]
    check.get_by_label(ticked.text, exact=True).check()
    assert f"In place: 1 of {len(items)}" in status.inner_text()
    plan = check.get_by_label(spec.plan[0].prompt, exact=True)
    plan.fill("Supervision every two weeks <script>alert(1)</script>")

    # print view: a document of its own, with the plan, what is in place and what is not
    check.get_by_role("button", name="Print our plan").click()
    frame = page.frame_locator("iframe.pc-print-frame")
    printed = frame.locator("body").inner_text()
    assert "Supervision every two weeks <script>alert(1)</script>" in printed  # shown as text
    assert frame.locator("script").count() == 0
    in_place = frame.locator("h2:has-text('In place') + ul").inner_text()
    to_do = frame.locator("h2:has-text('To work on') + ul").inner_text()
    assert ticked.text in in_place and ticked.text not in to_do
    assert left.text in to_do and "988" in printed
    assert page.locator(".pcq, .pcr").first.is_visible()  # the page itself is untouched

    with page.expect_download() as info:
        check.get_by_role("button", name="Save our plan to this device").click()
    saved = Path(info.value.path()).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in saved and "<script>" not in saved

    # nothing kept: not in localStorage, and gone after a reload
    assert page.evaluate(stored) == before
    assert "two weeks" not in page.evaluate(stored)
    page.reload()
    widgets_ready(page)
    check = page.locator(".pco")
    assert not check.get_by_label(ticked.text, exact=True).is_checked()
    assert check.get_by_label(spec.plan[0].prompt, exact=True).input_value() == ""
    assert context.outside == [] and context.errors == []
