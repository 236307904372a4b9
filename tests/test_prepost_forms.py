"""The pre/post forms: parallel by design, apart from the practice items, printable."""

import re
import textwrap

import pytest

from peercare.cli import main
from peercare.content import itemrules
from peercare.content.bank import BankError, Difficulty, load_all, parse_bank
from peercare.content.prepost_forms import (
    FORMS_DIR,
    load_form,
    load_forms,
    matched_problems,
    printable_html,
    shared_text,
)
from peercare.paths import book_dir, project_root

CORE = ("naming-trauma", "stressors-responses", "coping", "helping-others", "seeking-help")


@pytest.fixture(scope="module")
def forms():
    return load_forms()


def test_forms_are_matched_by_design(forms):
    assert matched_problems(forms) == []
    a, b = forms["a"].questions, forms["b"].questions
    assert len(a) == len(b) == 15
    for field in ("kind", "difficulty"):
        assert sorted(str(getattr(q, field)) for q in a) == sorted(
            str(getattr(q, field)) for q in b
        )
    objectives = {(q.module, q.objective) for q in a}
    assert objectives == {(q.module, q.objective) for q in b}
    assert objectives == {(c, n) for c in CORE for n in (1, 2, 3)}  # one item per objective


def test_every_form_item_names_a_real_chapter_objective(forms):
    counts = itemrules.objective_counts(project_root())
    for form in forms.values():
        for q in form.questions:
            assert 1 <= q.objective <= counts[q.module], q.id


def test_forms_share_no_text_with_the_book_or_the_knowledge_check(forms):
    banks = load_all()
    others = [
        (b.module, [t for q in b.questions for t in itemrules_texts(q)]) for b in banks.values()
    ]
    kc = {s.source: s for s in itemrules.item_sets(project_root())}
    for source in ("exercises/knowledge-check/knowledge-check.ipynb",):
        others.append(
            (
                source,
                [t for i in kc[source].items for t in [i.prompt, *(o.text for o in i.options)]],
            )
        )
    assert shared_text(forms, others) == []
    practice = [i for s in kc.values() if not s.source.startswith("prepost/") for i in s.items]
    for form in kc.values():
        if form.source.startswith("prepost/"):
            for item in form.items:
                worst = max(itemrules.overlap(item, p) for p in practice)
                assert worst < itemrules.DUPLICATE_OVERLAP, item.id


def itemrules_texts(q):
    return [q.prompt, *([q.scenario] if q.scenario else []), *(o.text for o in q.options)]


def test_forms_are_kept_out_of_the_book(forms):
    assert book_dir(project_root()) not in FORMS_DIR.parents
    book_ids = {q.id for b in load_all().values() for q in b.questions}
    assert not book_ids & {q.id for f in forms.values() for q in f.questions}


def _form(**changes):
    base = load_form("a")
    qs = [q.model_copy(update=changes) if i == 0 else q for i, q in enumerate(base.questions)]
    return base.model_copy(update={"questions": qs})


def test_mismatched_forms_are_reported(forms):
    harder = {"a": _form(difficulty=Difficulty.hard), "b": forms["b"]}
    assert any("kind, difficulty must match" in p for p in matched_problems(harder))
    moved = {"a": _form(objective=2), "b": forms["b"]}
    problems = matched_problems(moved)
    assert any("more than one item" in p for p in problems)
    assert any("only in form B" in p for p in problems)


def test_shared_text_is_found(forms):
    q = forms["a"].questions[3]
    found = shared_text(forms, [("some bank", [q.scenario.upper(), q.prompt])])
    assert len(found) == 1 and "some bank" in found[0]  # the short stem may repeat


def test_a_wrong_form_name_is_a_clear_error():
    with pytest.raises(BankError, match="the forms are A, B"):
        load_form("C")


def test_printable_form_has_no_answers_and_escapes_text(forms):
    page = printable_html(forms["a"])
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "http" not in page
    assert page.count('<span class="box">') == sum(len(q.options) for q in forms["a"].questions)
    assert 'class="key"' not in page and "answer:" not in page
    assert "Your code (not your name)" in page
    q = forms["a"].questions[0]
    assert q.prompt in page
    key = printable_html(forms["a"], key=True)
    assert key.count('class="key"') == 15 and "for staff only" in key
    tricky = parse_bank(
        textwrap.dedent(
            """
            module: prepost-a
            title: T <b>
            questions:
              - id: x
                kind: single
                prompt: "<script>alert(1)</script>"
                options:
                  - {id: a, text: "A & B", correct: true, feedback: ok}
                  - {id: b, text: "C", feedback: ok}
            """
        )
    )
    page = printable_html(tricky)
    assert "<script>" not in page and "&lt;script&gt;" in page and "A &amp; B" in page


def test_cli_prints_a_form_and_its_key(tmp_path, capsys):
    out = tmp_path / "a.html"
    assert main(["prepost", "print", "--form", "A", "-o", str(out)]) == 0
    assert "15 items" in capsys.readouterr().out
    assert 'class="key"' not in out.read_text()
    assert main(["prepost", "print", "--form", "b", "--key", "-o", str(out)]) == 0
    assert len(re.findall(r'<li class="key">', out.read_text())) == 15
    assert main(["prepost", "print", "--form", "z"]) == 2
    assert "the forms are A, B" in capsys.readouterr().err
