"""The live-session contract is the only place the shared names live, its spreadsheet guard
round-trips any text, and a participant's kernel never loads the evaluation kit."""

from __future__ import annotations

import ast
import json
import random
import subprocess
import sys
from pathlib import Path

from peercare import contract
from peercare.contract import spreadsheet_safe, spreadsheet_text

SRC = Path(__file__).resolve().parents[1] / "src" / "peercare"
CONTRACT = SRC / "contract.py"
# modules that write, read or show live-session answers: app names and item ids are
# never literals in their calls or comparisons
LIVE_MODULES = [*sorted((SRC / "apps").glob("*.py")), *sorted((SRC / "store").glob("*.py")),
                SRC / "live.py", SRC / "codes.py", SRC / "evaluation" / "sessions.py"]  # fmt: skip


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and _text(first.value) is not None:
            ids.add(id(first.value))
    return ids


def _text(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def spelled(source: str, live_module: bool = False) -> list[str]:
    """Where ``source`` spells a name the contract owns (line: what)."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    columns = list(contract.EXPORT_COLUMNS)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        text = _text(node)
        if text is not None and id(node) not in skip:
            if text.startswith(tuple(f"{p}/" for p in contract.FEEDBACK_INSTRUMENTS)):
                found.append(f"{line}: an instrument prefix in an item id ({text!r})")
            if "\uff1d" in text or (
                text[:1] == contract.GUARD and text[1:2] and text[1] in "=+-@\t\r"
            ):
                found.append(f"{line}: a spreadsheet guard character ({text!r})")
            if text == ",".join(columns):
                found.append(f"{line}: the export header")
        if isinstance(node, ast.Tuple | ast.List):
            values = [_text(e) for e in node.elts]
            if values == columns:
                found.append(f"{line}: the export column list")
            if sum(v in contract.FORMULA_START for v in values) >= 3:
                found.append(f"{line}: the formula characters")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            joined = node.func.attr == "join" and _text(node.func.value) == contract.CHOICE_SEP
            split = node.func.attr == "split" and [_text(a) for a in node.args[:1]] == ["|"]
            if joined or split:
                found.append(f"{line}: the choice separator")
        if live_module and isinstance(node, ast.Call | ast.Compare):
            parts = [*node.args, *(k.value for k in node.keywords)] if isinstance(
                node, ast.Call) else [node.left, *node.comparators]  # fmt: skip
            for part in parts:
                value = _text(part)
                if value in (*contract.APPS, *contract.CHECKIN_ITEMS, *contract.PAUSE_ITEMS,
                              *contract.PACE_ITEMS, *contract.PACE_OPTIONS,
                              *contract.QUESTION_ITEMS):  # fmt: skip
                    found.append(f"{line}: the app or item name {value!r}")
        if live_module and isinstance(node, ast.Constant) and node.value == contract.ANSWER_MAX:
            found.append(f"{line}: the answer length limit")
    return found


def test_the_checker_finds_what_it_looks_for():
    bad = (
        'store.add(code, "feedback", f"reaction/{item}", "|".join(chosen))\n'
        'COLUMNS = ("respondent_id", "session", "time", "app", "item", "response")\n'
        'GUARD = ("=", "+", "-", "@")\nx = "\'=" \nif app == "checkin": pass\nLIMIT = 2000\n'
        'a.split("|")\n'
    )
    found = "\n".join(spelled(bad, live_module=True))
    for what in ("instrument prefix", "choice separator", "export column list",
                 "formula characters", "guard character", "'checkin'", "'feedback'",
                 "length limit"):  # fmt: skip
        assert what in found, (what, found)
    assert spelled('"""About reaction/useful and "|".join."""\nx = 1\n', True) == []


NOT_THE_CONTRACT = {"evaluation/reaction.py": "the choice separator"}  # a regex's alternation


def test_only_the_contract_spells_the_shared_names():
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        if path == CONTRACT:
            continue
        name = path.relative_to(SRC).as_posix()
        for where in spelled(path.read_text(encoding="utf-8"), path in LIVE_MODULES):
            if not (name in NOT_THE_CONTRACT and where.endswith(NOT_THE_CONTRACT[name])):
                problems.append(f"{name}:{where}")
    assert problems == []


TRICKY = ["", "'", "''", "'=1", "=1+1", " =1", "\n=1", "\t", "\uff1d1", "\u3000x", "-", "@",
          "a'", "\"'\"", "'\n", "\u202e=1", "\ufeff=1"]  # fmt: skip


ALPHABET = [
    *"'=+-@ \t\n\r|,;\"ab",
    "\uff1d",
    "\u3000",
    "\u00a0",
    "\u202e",
    "\ufeff",
    "🙂",
    "\u0301",
]


def tricky_texts(n: int = 3000, seed: int = 20261130):
    """The listed tricky strings, each alone and in front of random text, then random
    text from an alphabet of quotes, formula and space characters, and odd Unicode
    (hypothesis is not installed: a seeded loop does its job)."""
    rng = random.Random(seed)
    yield from TRICKY
    for _ in range(n):
        tail = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8)))
        yield rng.choice(TRICKY) + tail
        yield tail


def test_the_guard_round_trips_any_text():
    for text in tricky_texts():
        safe = spreadsheet_safe(text)
        assert spreadsheet_text(safe) == text, repr(text)
        first = safe[:1]
        assert not (first in contract.FORMULA_START or first.isspace()), repr(text)


def _modules_after(statement: str) -> list[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_a_participant_kernel_loads_no_evaluation_kit():
    loaded = _modules_after("import peercare.apps.participant")
    heavy = [m for m in loaded if m.split(".")[0] in ("pandas", "scipy", "numpy")]
    assert heavy == [] and not [m for m in loaded if m.startswith("peercare.evaluation")]
    assert "peercare.live" not in loaded  # the participant's page never tallies


def test_live_and_store_do_not_import_each_other():
    assert "peercare.store" not in _modules_after("import peercare.live")
    assert "peercare.live" not in _modules_after("import peercare.store")
    assert "sqlalchemy" not in _modules_after("import peercare.live")


def test_the_short_feedback_form_is_made_of_the_reaction_surveys_own_items():
    from peercare.content.instruments import load_instrument

    reaction = load_instrument(contract.FEEDBACK_INSTRUMENTS[0])
    rated = [i.id for i in reaction.items if not i.is_choice]
    assert set(contract.SHORT_FEEDBACK_ITEMS) <= set(rated)
    assert len(contract.SHORT_FEEDBACK_ITEMS) <= 5
    assert contract.SHORT_FEEDBACK_TEXT in {t.id for t in reaction.free_text}
    assert contract.FEEDBACK_SHORT in contract.FEEDBACK_FORMS
    for app in (contract.PACE, contract.QUESTION):  # every new kind of answer has a place
        assert app in contract.APPS and app in contract.SENSITIVE and app in contract.APP_TITLES
    assert contract.PACE in contract.COUNTED and contract.QUESTION in contract.LIVE_ONLY
