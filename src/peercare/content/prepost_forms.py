"""The pre/post knowledge test: two parallel forms, kept apart from the book's practice items.

``data/prepost/form-a.yml`` and ``form-b.yml`` use the bank schema (:mod:`peercare.content.bank`).
Each item names the chapter it tests (``module``) and the objective (``objective``): the
1-based bullet of that chapter's "What you'll learn" list. The forms are *parallel by
design*: item ``pa-<chapter>-<n>`` in form A and ``pb-<chapter>-<n>`` in form B test the
same objective with the same kind of item and the same difficulty label, so a person can
take one form before the training and the other after it (half the group A then B, half
B then A) and the two scores compare. :func:`matched_problems` checks that design.

The forms are printable (:func:`printable_html`, ``peercare prepost print``) and scored by
the evaluation kit through the ``knowledge`` instrument (``items_from_forms``).
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path

from ..contract import join_choices
from ..paths import DATA_DIR
from .bank import Bank, BankError, Question, load_bank

FORMS_DIR = DATA_DIR / "prepost"
FORM_NAMES = ("a", "b")
SHORT = 5


def form_name(name: str) -> str:
    """``'A'`` or ``'a'`` -> ``'a'``; anything else is refused with the names that exist."""
    key = str(name).strip().lower()
    if key not in FORM_NAMES:
        raise BankError(
            [f"no pre/post form {name!r}; the forms are {', '.join(FORM_NAMES).upper()}"]
        )
    return key


def form_path(name: str, folder: Path | None = None) -> Path:
    return (folder or FORMS_DIR) / f"form-{form_name(name)}.yml"


def load_form(name: str, folder: Path | None = None) -> Bank:
    bank = load_bank(form_path(name, folder))
    expected = f"prepost-{form_name(name)}"
    if bank.module != expected:
        raise BankError([f"{bank.source}: module is {bank.module!r}; a form says {expected!r}"])
    return bank


def load_forms(folder: Path | None = None) -> dict[str, Bank]:
    return {n: load_form(n, folder) for n in FORM_NAMES}


def slot(q: Question) -> tuple[str, int]:
    """What an item measures: (chapter, objective)."""
    return (q.module or "", q.objective or 0)


def matched_problems(forms: dict[str, Bank]) -> list[str]:
    """How the forms fail to be parallel: objectives, kinds and difficulty labels per slot."""
    problems = []
    shapes = {}
    for name, form in forms.items():
        slots = Counter(slot(q) for q in form.questions)
        twice = sorted(s for s, n in slots.items() if n > 1)
        if twice:
            problems.append(f"form {name.upper()}: more than one item for {twice}")
        missing = [q.id for q in form.questions if q.module == form.module or not q.objective]
        if missing:
            problems.append(
                f"form {name.upper()}: items without a chapter and objective: {missing}"
            )
        shapes[name] = {slot(q): (q.kind.value, q.difficulty.value) for q in form.questions}
    names = list(shapes)
    for other in names[1:]:
        a, b = shapes[names[0]], shapes[other]
        for s in sorted(set(a) ^ set(b)):
            where = names[0] if s in a else other
            problems.append(f"objective {s[0]} {s[1]} is only in form {where.upper()}")
        for s in sorted(set(a) & set(b)):
            if a[s] != b[s]:
                problems.append(
                    f"objective {s[0]} {s[1]}: form {names[0].upper()} has {a[s]}, "
                    f"form {other.upper()} has {b[s]} (kind, difficulty must match)"
                )
    return problems


def _texts(q: Question) -> list[str]:
    return [q.prompt, *([q.scenario] if q.scenario else []), *(o.text for o in q.options)]


def shared_text(forms: dict[str, Bank], others: list[tuple[str, list[str]]]) -> list[str]:
    """Form texts (prompt, scenario, option) found word for word in other items. Texts of
    ``SHORT`` words or fewer are stems and terms ("What fits best?", "Moral injury") that
    may repeat; the overlap rule in :mod:`peercare.content.itemrules` covers near-copies."""
    norm = {" ".join(t.lower().split()): where for where, texts in others for t in texts}
    found = []
    for name, form in forms.items():
        for q in form.questions:
            for t in _texts(q):
                hit = norm.get(" ".join(t.lower().split()))
                if hit and len(t.split()) > SHORT:
                    found.append(f"form {name.upper()} item {q.id!r}: {t!r} is also in {hit}")
    return found


# -- printing ------------------------------------------------------------------------------
CSS = """
body { font: 12pt/1.45 Georgia, 'Times New Roman', serif; max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; color: #111; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
.who { display: flex; gap: 2rem; margin: 1rem 0 1.5rem; }
.who span { flex: 1; border-bottom: 1px solid #333; padding-bottom: .2rem; }
ol.items > li { break-inside: avoid; margin: 0 0 1.1rem; }
.scenario { font-style: italic; margin: 0 0 .3rem; }
ul.opts { list-style: none; padding-left: .5rem; margin: .3rem 0; }
ul.opts li { margin: .15rem 0; }
.box { display: inline-block; width: .9rem; height: .9rem; border: 1.5px solid #222;
       border-radius: 50%; vertical-align: -.15rem; margin-right: .4rem; }
.key .box { background: #222; }
.meta { color: #555; font-size: .85rem; }
.note { border: 1px solid #999; padding: .6rem .8rem; margin: 1rem 0; }
table { border-collapse: collapse; margin-top: 1rem; }
td, th { border: 1px solid #999; padding: .2rem .5rem; text-align: left; font-size: .9rem; }
@media print { body { margin: 0; max-width: none; } .noprint { display: none; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def printable_html(form: Bank, key: bool = False) -> str:
    """A self-contained printable page of one form; ``key`` marks the answers for staff."""
    letter = form.module.removeprefix("prepost-").upper()
    title = f"{form.title}" + (" (answer key, for staff only)" if key else "")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    if key:
        out.append(
            '<p class="note">Answer key. Do not hand this page to participants. In a data '
            f"file, each column is an item id and each answer is an option letter (a, b, c). "
            f"Form {letter} has {len(form.questions)} items.</p>"
        )
    else:
        out.append(
            '<div class="who"><span>Your code (not your name):</span><span>Date:</span>'
            "<span>Before / after the training:</span></div>"
        )
        if form.intro:
            out.append(f"<p>{_e(form.intro_for(len(form.questions)))}</p>")
        out.append("<p>Fill in one circle for each question.</p>")
    out.append('<ol class="items">')
    for q in form.questions:
        out.append("<li>")
        if q.scenario:
            out.append(f'<p class="scenario">{_e(q.scenario)}</p>')
        out.append(f'<p><strong>{_e(q.prompt)}</strong></p><ul class="opts">')
        for o in q.options:
            mark = ' class="key"' if key and o.correct else ""
            out.append(f'<li{mark}><span class="box"></span>{_e(o.id)}) {_e(o.text)}</li>')
        out.append("</ul>")
        if key:
            out.append(
                f'<p class="meta">Item {_e(q.id)} · {_e(q.module)}, objective {q.objective} · '
                f"{_e(q.kind.value)}, {_e(q.difficulty.value)} · answer: "
                f"{_e(join_choices(q.correct_ids))}</p>"
            )
        out.append("</li>")
    out.append("</ol>")
    if key:
        rows = "".join(
            f"<tr><td>{i}</td><td>{_e(q.id)}</td><td>{_e(join_choices(q.correct_ids))}</td></tr>"
            for i, q in enumerate(form.questions, 1)
        )
        out.append(f"<table><tr><th>#</th><th>item id</th><th>answer</th></tr>{rows}</table>")
    out.append(
        '<p class="meta">Helping the Helpers, pre/post knowledge test, form '
        f"{_e(letter)}. Our own questions, not a validated test.</p></body></html>"
    )
    return "\n".join(out) + "\n"
