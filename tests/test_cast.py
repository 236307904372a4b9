"""The one cast (book/cast.yml): stories may only name its people; a broken file says why."""

import pytest

from peercare.content import cast
from peercare.content.check import check_page

from .conftest import ROOT

DISCLAIMER = (
    "*This is a composite story. It mixes the lives of many people, and the names are\nmade up.*"
)
CAST = """people:
  - name: Ray
    role: "violence interrupter"
    facts: ["mentored Malik"]
    chapters: [a]
  - name: Ms. Reed
    role: "an aunt"
    chapters: [a]
"""


def _page(project, story, cast_text=CAST):
    (project / "book" / "a").mkdir(exist_ok=True)
    if cast_text is not None:
        (project / "book" / "cast.yml").write_text(cast_text)
    text = f"# A\n\n## A story\n\n{DISCLAIMER}\n\n{story}\n\n## After\n\nLater, Quentin rests.\n"
    (project / "book" / "a" / "index.md").write_text(text)
    return check_page(project, "book/a/index", html_dir=project / "_build")


def test_unknown_name_in_a_story_fails(project):
    report = _page(project, "Ray sat in the car. He called Jerome after the shift.")
    assert any("'Jerome'" in p and "not in book/cast.yml" in p for p in report.problems)


def test_cast_names_pass_and_text_after_the_story_is_not_checked(project):
    story = 'Ray sat down. He called Ms. Reed on Friday. "Ray, you good?" she asked. Ray\'s eyes filled.'
    report = _page(project, story)
    assert report.problems == [], report.problems  # Quentin is after the next heading


def test_name_only_at_sentence_starts_is_still_caught(project):
    report = _page(project, "Jerome works nights. Jerome has two kids. Later, he rests.")
    assert any("'Jerome'" in p for p in report.problems)
    assert not any("'Later'" in p for p in report.problems)


def test_cast_member_must_list_the_chapter(project):
    other = CAST.replace("chapters: [a]\n  - name: Ms. Reed", "chapters: [b]\n  - name: Ms. Reed")
    report = _page(project, "He saw Ray at the store.", cast_text=other)
    assert any("add 'a' to their chapters" in p for p in report.problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("people: [\n", "not valid YAML"),
        ("people: []\n", "people"),
        ("people:\n  - name: Ray\n    chapters: [a]\n", "role: is missing"),
        (
            "people:\n  - name: Ray\n    role: x\n    chapters: [a]\n    age: 40\n",
            "not a known field",
        ),
        (CAST + "  - name: Ray\n    role: again\n    chapters: [a]\n", "listed twice"),
    ],
)
def test_malformed_cast_file_gives_a_clear_error(project, text, expected):
    report = _page(project, "He saw Ray at the store.", cast_text=text)
    assert report.problems and all("cast.yml" in p for p in report.problems)
    assert any(expected in p for p in report.problems), report.problems
    with pytest.raises(cast.CastError) as err:
        cast.load(project)
    assert "Traceback" not in str(err.value)


def test_missing_cast_file_is_named(project):
    report = _page(project, "He saw Ray at the store.", cast_text=None)
    assert any("cannot read the cast file" in p for p in report.problems)


def test_real_book_cast_covers_every_story():
    people = cast.load(ROOT)
    for page in sorted((ROOT / "book").glob("*/index.md")):
        for story in cast.stories(page.read_text(encoding="utf-8")):
            for word in cast.names(story):
                assert people.who(word), f"{page.parent.name}: {word}"
    assert {"Malik", "Jaylen"} <= {p.name for p in people.people}


def test_a_directive_line_ends_no_sentence():
    from peercare.content.cast import names

    story = (
        "Ray waited.\n\n:::{tip} Take a pause\nThis may bring up your own losses.\n:::\n\n"
        "This is fine. Ray said so.\n"
    )
    assert names(story) == []
