"""Typed answers read as data: what a candidate put in an answer box, without running it.

A choice or short-answer box holds ``answer = "B"`` (plus comments). :func:`read_answer`
reads that with Python's :mod:`ast`; nothing in the box is ever executed. It forgives what a
person who does not program types: ``answer = B``, ``B``, ``"B"``, ``b``, and a lost quote
(``answer = "B``), as long as what is left is one bare word or letter. Anything else (two
statements, a call, a class, an f-string, a magic) is "not in the expected form".

Grading then runs a canonical ``answer = "B"`` in place of the box (see
:class:`peercare.certification.preprocessors.ScreenSubmission`), so the check cells only ever
see a plain ``str``. A clicked choice (a widget) can be stored the same way: as the box's
source ``answer = "B"``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

FORM = 'answer = "B"'
# a lost or doubled quote around one letter: answer = "B   or   "B'   or   answer = B"
_LOOSE = re.compile(r"""(?:answer\s*=\s*)?["']{0,3}\s*([A-Za-z])\s*["']{0,3}\s*;?\s*(?:#.*)?""")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


@dataclass(frozen=True)
class Answer:
    value: str | None  # the text answered ("" when empty); None when not in the form
    problem: str = ""  # why not, in plain words

    @property
    def ok(self) -> bool:
        return self.value is not None


def _code_lines(source: str) -> list[str]:
    return [x for x in source.splitlines() if x.strip() and not x.strip().startswith("#")]


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and type(node.value) is str:
        return node.value
    if isinstance(node, ast.Name) and _IDENT.fullmatch(node.id) and node.id not in _KEYWORDS:
        return node.id  # a bare word: answer = B
    return None


_KEYWORDS = frozenset({"True", "False", "None"})


def read_answer(source: str) -> Answer:
    """The answer in one box's source, read without running it."""
    lines = _code_lines(source)
    if not lines:
        return Answer("")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        if len(lines) == 1 and (m := _LOOSE.fullmatch(lines[0].strip())):
            return Answer(m.group(1))
        return Answer(None, "it is not one answer between quotes")
    body = tree.body
    if len(body) != 1:
        return Answer(None, f"it has {len(body)} lines of code; an answer box needs one")
    stmt = body[0]
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
        if len(targets) == 1 and isinstance(targets[0], ast.Name) and targets[0].id == "answer":
            value = _literal(stmt.value)
            if value is not None:
                return Answer(value)
        return Answer(None, "it sets something other than one answer between quotes")
    if isinstance(stmt, ast.Expr):
        value = _literal(stmt.value)
        if value is not None:
            return Answer(value)
    return Answer(None, "it is code, not one answer between quotes")


def canonical_source(answer: Answer) -> str:
    """What grading runs in place of the box."""
    if answer.ok:
        return f"answer = {answer.value!r}  # read from the answer box as text"
    return (
        f"# Not graded: this box was not in the expected form ({FORM}): {answer.problem}.\n"
        "# It was not run, and this question scores 0. The submitted box is kept for review.\n"
        "answer = None"
    )
