"""check-content: prose extraction, grade limit, unsafe language, quiz and footer checks."""

import socket
import subprocess
import sys

import pytest

from peercare.content import helpnow
from peercare.content.check import check_all, check_page
from peercare.content.prose import prose, unsafe_phrases

from .test_bank import GOOD

EASY = "We sit. We talk. We rest. The day was long. You did well. Go home now.\n\n" * 20
HARD = (
    "Notwithstanding considerable organizational heterogeneity, comprehensive "
    "institutional accountability necessitates interdisciplinary collaboration, "
    "particularly regarding psychophysiological manifestations of cumulative "
    "occupational traumatization experienced by community-based intervention "
    "practitioners.\n\n"
) * 10

CHAPTER = """---
kernelspec: {{name: python3, display_name: Python 3, language: python}}
---
# Title with Extraordinarily Multisyllabic Terminology

{body}

```{{code-cell}} ipython3
# code is not prose: interdisciplinary_psychophysiological_heterogeneity = 1
from peercare.book.quiz import chapter_quiz
chapter_quiz("a")
```
"""


GOOD_EXTRA = """
  - id: a-five
    kind: single
    prompt: Fifth
    options:
      - {id: x, text: 'Yes', correct: true, feedback: Yes.}
      - {id: y, text: 'No', feedback: No.}
"""


def _page(project, body, bank=GOOD + GOOD_EXTRA):
    project.add_bank("a", bank)
    (project / "book" / "a" / "index.md").write_text(CHAPTER.format(body=body))
    return check_page(project, "book/a/index", html_dir=project / "_build" / "html")


def test_prose_leaves_out_code_front_matter_headings_and_options():
    text = CHAPTER.format(body=":::{note}\n:class: tip\nInside the note.\n:::\n\n- a list item")
    got = prose(text)
    assert "Inside the note." in got and "a list item." in got
    for left_out in ("chapter_quiz", "kernelspec", "Extraordinarily", ":class:"):
        assert left_out not in got


def test_easy_chapter_passes(project):
    report = _page(project, EASY)
    assert report.ok, report.problems
    assert report.grade <= 8 and report.quiz_questions == 5 and report.words > 200


def test_hard_prose_fails_on_grade(project):
    report = _page(project, HARD)
    assert not report.ok
    assert any("reading grade" in p for p in report.problems)


def test_short_quiz_and_missing_quiz_call_fail(project):
    report = _page(project, EASY, bank=GOOD)
    assert any("quiz has 4 questions" in p for p in report.problems)
    (project / "book" / "a" / "index.md").write_text(EASY)
    report = check_page(project, "book/a/index")
    assert any("no quiz" in p for p in report.problems)


@pytest.mark.parametrize(
    "phrase",
    ["he committed suicide", "a failed attempt", "the Offenders", "an ex-con", "addicts", "felon"],
)
def test_unsafe_language_is_caught(phrase):
    assert unsafe_phrases(f"Some text: {phrase} here.")


@pytest.mark.parametrize("phrase", ["died by suicide", "addiction", "attempted", "conviction"])
def test_safe_language_passes(phrase):
    assert unsafe_phrases(f"Some text: {phrase} here.") == []


def test_allowance_comment_permits_one_phrase_only():
    text = '<!-- check-content: allow "committed suicide" -->\nSay X, not "committed suicide". An addict.'
    found = unsafe_phrases(text)
    assert len(found) == 1 and "addict" in found[0]


def test_footer_checked_in_built_page(project):
    html = project / "_build" / "html" / "book" / "a"
    html.mkdir(parents=True)
    (html / "index.html").write_text("<html><body>no footer</body></html>")
    report = _page(project, EASY)
    assert report.footer is False and any("footer" in p for p in report.problems)
    (html / "index.html").write_text(f"<html><body>{helpnow.load().as_html()}</body></html>")
    assert _page(project, EASY).footer is True


def test_grade_is_computed_offline(project, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert _page(project, HARD).grade > 12


def test_real_book_passes_content_check():
    reports = check_all()
    assert reports, "no pages found in _toc.yml"
    failing = {r.page: r.problems for r in reports if not r.ok}
    assert not failing


def test_cli_exits_non_zero_and_prints_table_on_failure(project):
    _page(project, HARD)
    result = subprocess.run(
        [sys.executable, "-m", "peercare.cli", "check-content"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert (
        "book/a/index" in result.stdout
        and "FAIL" in result.stdout
        and "reading grade" in result.stdout
    )


def test_prose_reads_line_breaks_roles_and_skips_bare_addresses():
    text = "A {term}`peer worker` helps\nothers. See <https://example.org/very-long-address>."
    assert prose(text) == "A peer worker helps others. See ."
