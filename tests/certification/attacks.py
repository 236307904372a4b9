"""Knowledge-check submissions that try to earn marks without knowing the answers.

Each one is made as a candidate would: the fetched notebook edited and submitted through
nbgrader's exchange. ``expected`` is what its literal answers earn. Several write a marker
file if their code ever runs; the tests check that none exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# A str whose == is always True (the 20/20): the check cells compared with ==.
EQ_CLASS = """class S(str):
    def __eq__(self, other):
        return True
    def __hash__(self):
        return 0
    def strip(self, *args):
        return self
    def upper(self):
        return self
answer = S("Z")"""

# Python's frames reach the real __import__; the version listed exercises/.
FRAMES = """leak = (x for x in [0]).gi_frame.f_builtins['__import__']('os')
leak.system('ls {exercises} > {marker}')
answer = "A\""""

# `match` class patterns read attributes without a single `.__x` for the screen to see.
MATCH = """match ():
    case object(__class__=object(__base__=object(__subclasses__=subclasses))):
        pass
for c in subclasses():
    match c:
        case object(__name__="_wrap_close", __init__=object(__globals__={"system": system})):
            system("ls {exercises} > {marker}")
answer = "A\""""

# type(...) builds a str subclass with a custom __eq__, no `class` or `def` needed
TYPE_EQ = (
    'answer = type("S", (str,), {"__eq__": lambda s, o: True, "__hash__": lambda s: 0, '
    '"strip": lambda s: s, "upper": lambda s: s})("Z")'
)

# rebinding str: the old checks called str(answer), which now made an always-equal object
REBIND_STR = """str = type("Any", (), {"__init__": lambda s, x="": None, "strip": lambda s: s,
    "upper": lambda s: s, "__eq__": lambda s, o: True, "__ne__": lambda s, o: True,
    "__hash__": lambda s: 0})
answer = "Z\""""

# a box of its own that deletes every assert from the cells that run after it
STRIP_ASSERTS = (
    "get_ipython().input_transformers_cleanup.append(\n"
    '    lambda lines: [x for x in lines if not x.lstrip().startswith("assert")])'
)
# the same without get_ipython for the screen to see, in a box dressed as a read-only cell
STRIP_ASSERTS_QUIET = (
    "match ():\n"
    "    case object(__class__=object(__base__=object(__subclasses__=subclasses))):\n"
    "        pass\n"
    "for c in subclasses():\n"
    "    match c:\n"
    '        case object(__name__="InteractiveShell", _instance=shell) if shell:\n'
    "            shell.input_transformers_cleanup.append(\n"
    '                lambda lines: [x for x in lines if not x.lstrip().startswith("assert")])'
)

MAGIC = '!ls {exercises} > {marker}\nanswer = "A"'

LOOSE_FORMS = ("answer = {l}", "{u}", '"{u}"', "{l}", 'answer = "{u}', "answer = '{l}'")


def _extra_cell(source: str, locked: bool = False) -> dict:
    cell = {"cell_type": "code", "execution_count": None, "id": "added-box", "metadata": {},
            "outputs": [], "source": source}  # fmt: skip
    if locked:
        cell["metadata"]["nbgrader"] = {
            "grade": False, "grade_id": "setup", "locked": True, "schema_version": 3,
            "solution": False, "task": False,
        }  # fmt: skip
    return cell


@dataclass(frozen=True)
class Attack:
    name: str
    what: str
    edit: Callable  # (Notebook, key, ctx) -> None; ctx has exercises and marker paths
    expected: Callable  # key -> points its literal answers earn
    status: str  # a line `peercare cert status` shows for it


def _all(nb, key, source):
    for cell_id in key:
        nb.set(cell_id, source)


def _right(nb, key):
    for cell_id, letter in key.items():
        nb.answer(cell_id, letter)


def _first_box(source):
    def edit(nb, key, ctx):
        _right(nb, key)
        text = source.replace("{exercises}", str(ctx["exercises"]))
        nb.set("q01-answer", text.replace("{marker}", str(ctx["marker"])))

    return edit


def _eq_class(nb, key, ctx):
    _all(nb, key, 'answer = S("Z")')
    nb.set("q01-answer", EQ_CLASS)


def _rebind(nb, key, ctx):
    _all(nb, key, 'answer = "Z"')
    nb.set("q01-answer", REBIND_STR)


def _added(source, locked=False):
    def edit(nb, key, ctx):
        _all(nb, key, 'answer = "A"')
        nb.nb["cells"].insert(1, _extra_cell(source, locked))

    return edit


def _code_opt_in(nb, key, ctx):
    _eq_class(nb, key, ctx)
    for cell_id in key:
        nb.cell(cell_id)["metadata"]["peercare"] = {"answer": "code"}


def _loose(nb, key, ctx):
    for n, (cell_id, letter) in enumerate(sorted(key.items())):
        form = LOOSE_FORMS[n % len(LOOSE_FORMS)]
        nb.set(cell_id, form.format(u=letter, l=letter.lower()))


def _a_count(key):
    return sum(v == "A" for v in key.values())


def _all_but_first(key):
    return len(key) - 1


ATTACKS = [
    Attack("eqclass", "a str subclass whose == is always True", _eq_class, lambda k: 0,
           "scored 0: 'q01-answer' is not in the expected form"),
    Attack("frames", "gi_frame.f_builtins['__import__'] runs a shell", _first_box(FRAMES),
           _all_but_first, "scored 0: 'q01-answer' is not in the expected form"),
    Attack("matcher", "match class patterns reach os.system", _first_box(MATCH),
           _all_but_first, "scored 0: 'q01-answer' is not in the expected form"),
    Attack("typeeq", "type(...) with a custom __eq__", _first_box(TYPE_EQ), _all_but_first,
           "scored 0: 'q01-answer' is not in the expected form"),
    Attack("rebind", "rebinds str", _rebind, lambda k: 0,
           "scored 0: 'q01-answer' is not in the expected form"),
    Attack("added", "adds a box that deletes every assert", _added(STRIP_ASSERTS), _a_count,
           "checked: a code box the candidate added ('added-box') was not run"),
    Attack("disguised", "adds a box dressed as a read-only cell", _added(STRIP_ASSERTS_QUIET, True),
           _a_count, "checked: a code box the candidate added ('setup') was not run"),
    Attack("optin", "marks its own boxes as code answers", _code_opt_in, lambda k: 0,
           "scored 0: 'q02-answer' is not in the expected form"),
    Attack("magic", "a shell command in an answer box", _first_box(MAGIC), _all_but_first,
           "scored 0: 'q01-answer' is not in the expected form"),
    Attack("loose", "honest: the right letters typed loosely", _loose, len, "graded"),
]  # fmt: skip
