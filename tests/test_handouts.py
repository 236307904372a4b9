"""Handouts: real PDFs printed by Debian's Chromium from the built book, read with pdftotext."""

import ast
import re
import subprocess

import pytest

from peercare.book.handouts import HandoutError, handouts, make_handouts
from peercare.content import helpnow
from peercare.content.bank import load_module
from peercare.content.fidelity import load_fidelity, pass_rule
from peercare.content.plans import load_plan
from peercare.content.prose import prose

from .conftest import ROOT

HANDOUTS = handouts(ROOT)


def norm(text: str) -> str:
    return " ".join(
        text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').split()
    )


@pytest.fixture(scope="module")
def printed(built_book, chromium_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("handouts")
    pdfs = make_handouts(ROOT, out=out, chromium=chromium_path)
    return {p.stem: p for p in pdfs}


def pdf_text(path, raw: bool = False) -> str:
    """The PDF's words; ``raw``: in the order they were printed, so a table cell's wrapped
    lines stay together."""
    cmd = ["pdftotext", *(["-raw"] if raw else []), str(path), "-"]
    return norm(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def test_the_expected_handouts_are_listed():
    names = [h.name for h in HANDOUTS]
    for chapter in ("welcome", "naming-trauma", "stressors-responses", "coping",
                    "helping-others", "seeking-help"):  # fmt: skip
        assert f"chapter-{chapter}" in names
    for plan in ("workshop-day", "refresher", "virtual-1-naming-trauma"):
        assert f"plan-{plan}" in names
    assert {"group-agreements", "your-rules", "fidelity-checklist"} <= set(names)


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize("handout", HANDOUTS, ids=[h.name for h in HANDOUTS])
def test_each_pdf_has_title_crisis_lines_and_licence(printed, handout):
    pdf = printed[handout.name]
    assert pdf.stat().st_size > 1000 and pdf_pages(pdf) >= 1
    text = pdf_text(pdf)
    assert norm(handout.title) in text
    for marker in helpnow.load().required_markers:  # 988 and 911
        assert marker in text
    assert norm(helpnow.load().heading) in text  # the footer box, not only the prose
    assert "Text: CC BY 4.0" in text
    for nav in ("Skip to main content", "Search Ctrl", "Previous", "Contents"):
        assert nav not in text
    if not handout.name.startswith("chapter-"):  # chapters: see the next test
        assert "Check answer" not in text


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize(
    "handout", [h for h in HANDOUTS if h.name.startswith("chapter-")],
    ids=[h.name for h in HANDOUTS if h.name.startswith("chapter-")],
)  # fmt: skip
def test_chapter_pdf_has_no_quiz_but_has_room_to_reflect(printed, handout):
    text = pdf_text(printed[handout.name])
    source = (ROOT / f"{handout.page}.md").read_text()
    said = norm(prose(source))  # the welcome page tells readers about the buttons
    for button in ("Check answer", "Start over"):
        assert text.count(button) == said.count(button), button
    bank = load_module(handout.name.removeprefix("chapter-"), ROOT)
    if bank.intro:
        assert norm(bank.intro) not in text
    for q in bank.questions:
        assert norm(q.prompt) not in text, q.id
        for option in q.options:
            assert norm(option.feedback) not in text, (q.id, option.id)
    call = re.search(r"Reflection\(\s*(\[.*?\])", source, re.S)
    if call:  # the reflection prompts print, each with a box to write in
        for prompt in ast.literal_eval(call.group(1)):
            assert norm(prompt) in text
    assert "Reflection" in text


@pytest.mark.build
@pytest.mark.browser
def test_plan_pdf_has_agenda_and_every_script(printed):
    plan = load_plan("workshop-day", ROOT)
    text = pdf_text(printed["plan-workshop-day"])
    assert "Agenda" in text and "09:00" in text and "15:00" in text
    for seg in plan.segments:
        assert norm(seg.title) in text and norm(seg.say) in text
        for point in seg.key_points:
            assert norm(point) in text, point
    assert "Never cut this part." in text and "If time is short:" in text


@pytest.mark.build
@pytest.mark.browser
def test_fidelity_pdf_has_every_item_to_mark_and_the_pass_rule(printed):
    checklist = load_fidelity(ROOT)
    text = pdf_text(printed["fidelity-checklist"], raw=True)
    for item in checklist.items:
        assert norm(item.text) in text, item.id
    assert "Observer" in text and "Trainer observed" in text and "Not seen" in text
    assert norm(pass_rule(checklist)) in text


def test_unbuilt_book_and_unknown_names_are_plain_errors(project, chromium_path):
    (project / "book" / "a" / "index.md").parent.mkdir(parents=True)
    (project / "book" / "a" / "index.md").write_text("# A chapter\n")
    (project / "book" / "a" / "questions.yml").write_text("module: a\n")
    with pytest.raises(HandoutError, match="the book is not built .* run peercare build"):
        make_handouts(project, chromium=chromium_path)
    with pytest.raises(HandoutError, match="no handout named chapter-b .*chapter-a"):
        make_handouts(project, chromium=chromium_path, only=["chapter-b"])
    with pytest.raises(HandoutError, match="Chromium is not at"):
        make_handouts(project, chromium=str(project / "no-chromium"))
