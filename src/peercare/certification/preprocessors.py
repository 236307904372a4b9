"""nbgrader preprocessors that the course config (``grading/nbgrader_config.py``) adds.

- :class:`ScreenSubmission` runs first when a submission is graded, before anything runs.
  It puts back test cells that were deleted or lost their nbgrader metadata, drops duplicated
  test cells (which otherwise stop nbgrader's whole batch), notes edited read-only cells and
  empty answers, and **reads every choice or short answer as data**: each answer box is
  replaced by a canonical ``answer = "B"`` read with :mod:`ast`
  (:func:`peercare.certification.answers.read_answer`); a box in any other form is replaced
  by ``answer = None``, scores 0 and is reported, and is never run. Code boxes the candidate
  added are not run either. Only course boxes marked ``peercare: {answer: code}`` in the
  course's own copy run candidate code, and then only in the sandbox
  (:mod:`peercare.certification.sandbox`). Its static screen (:func:`held_reason`) is an
  early warning for a lead trainer, not a defence. What it finds goes to
  ``review/<assignment>/<candidate>/<notebook>.json``.
- :class:`RecordRun` runs after Execute: it notes cells stopped by the time limit.
- The feedback page is :mod:`peercare.certification.feedback`'s: hidden tests and their
  messages never reach a candidate; the rubric does.

Decision: the answers are read here, in an nbgrader preprocessor in the course config, and
not in ``peercare cert autograde`` alone, so that ``nbgrader autograde``, formgrader's buttons
and ``peercare cert autograde`` all grade the same way and give the same scores.
"""

from __future__ import annotations

import ast
import builtins
import json
from copy import deepcopy
from pathlib import Path

import nbformat
from nbgrader.converters.base import NbGraderException
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from .answers import FORM, canonical_source, read_answer
from .review import write_review

# Names a typed answer never needs; code that uses them is held for review, not run.
HELD_NAMES = frozenset(
    {
        "open", "exec", "eval", "compile", "__import__", "getattr", "setattr", "delattr",
        "globals", "locals", "vars", "get_ipython", "input", "breakpoint", "dir", "help",
        "memoryview", "exit", "quit", "__builtins__", "os", "sys", "subprocess", "pathlib",
        "shutil", "socket", "io", "Path",
    }
)  # fmt: skip
# Frame and code attributes that lead back to Python's builtins (gi_frame.f_builtins ...).
FRAME_NAMES = frozenset(
    {
        "gi_frame", "cr_frame", "ag_frame", "tb_frame", "f_back", "f_builtins", "f_globals",
        "f_locals", "f_code", "gi_code", "cr_code", "co_consts", "mro",
    }
)  # fmt: skip
BUILTIN_NAMES = frozenset(n for n in dir(builtins) if not n.startswith("_"))
TIMEOUT_ERRORS = frozenset({"CellTimeoutError", "KeyboardInterrupt", "TimeoutError"})
HIDDEN_BEGIN, HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


def _nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader") or {}


def _grade_id(cell) -> str | None:
    return _nbg(cell).get("grade_id")


def _is_test(meta: dict) -> bool:
    return bool(meta.get("grade") and meta.get("locked") and not meta.get("solution"))


def is_code_answer(cell) -> bool:
    """A course answer box whose code is meant to run (metadata ``peercare.answer: code``).

    Read from the course's own copy, never from the submission."""
    return (cell.get("metadata", {}).get("peercare") or {}).get("answer") == "code"


def held_reason(source: str) -> str | None:
    """Why a lead trainer should look at a candidate's code, or None when it looks like a
    plain typed answer. An early warning only: it reads the code, and a determined person can
    write code it does not recognise. Choice answers are never run anyway (they are read as
    data), and code answers run in the sandbox; see the module docstring.

    Loops and arithmetic pass (the time limit deals with loops); imports, file and shell
    access, reaching into Python's internals, replacing Python's own names (``str = ...``),
    defining how values compare (``__eq__``) and building new types do not.
    """
    text = source
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        text = TransformerManager().transform_cell(source)
    except Exception:  # pragma: no cover - IPython is always there with nbgrader
        pass
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None  # it fails when run, like any typo; nothing reaches outside
    for node in ast.walk(tree):
        reason = _node_reason(node)
        if reason:
            return reason
    return None


def _internal(name: str) -> bool:
    return name.startswith("__") or name in FRAME_NAMES


def _node_reason(node) -> str | None:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return "imports a module"
    if isinstance(node, ast.Name) and node.id in HELD_NAMES:
        return "shell commands" if node.id == "get_ipython" else f"uses {node.id}"
    stored = isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del)
    if stored and node.id in BUILTIN_NAMES:
        return f"replaces Python's own {node.id}"
    if isinstance(node, ast.Attribute) and _internal(node.attr):
        return f"reaches into Python internals ({node.attr})"
    if isinstance(node, ast.Name) and _internal(node.id):
        return f"reaches into Python internals ({node.id})"
    if isinstance(node, ast.Constant) and type(node.value) is str and _internal(node.value):
        return f"reaches into Python internals ({node.value})"
    if isinstance(node, ast.MatchClass) and any(_internal(a) for a in node.kwd_attrs):
        return "reaches into Python internals (a match pattern)"
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        if node.name.startswith("__") or node.name in BUILTIN_NAMES:
            return f"defines {node.name}"
        if isinstance(node, ast.ClassDef) and node.bases:
            return "defines its own kind of value (a class)"
    if (
        isinstance(node, ast.arg | ast.alias)
        and (node.arg if isinstance(node, ast.arg) else node.asname) in BUILTIN_NAMES
    ):
        return "replaces Python's own names"  # fmt: skip
    if (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id == "type" and len(node.args) == 3
    ):  # fmt: skip
        return "builds a new type"
    return None


class ScreenSubmission(NbGraderPreprocessor):
    """Repair what nbgrader would mis-grade, hold unsafe code, and record it all."""

    release_directory = Unicode("", help="The course's release/ folder").tag(config=True)
    review_directory = Unicode("", help="Where screening notes are written").tag(config=True)

    def _released(self, assignment: str, notebook: str):
        path = Path(self.release_directory) / assignment / f"{notebook}.ipynb"
        if not self.release_directory or not path.is_file():
            return None
        return nbformat.read(path, as_version=4)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        assignment, student = info.get("assignment"), info.get("student")
        notebook = info.get("notebook")
        released = self._released(assignment, notebook)
        if released is None:
            raise NbGraderException(
                f"the course copy release/{assignment}/{notebook}.ipynb is missing; "
                "run `peercare cert release` first"
            )
        notes: list[str] = []
        held: list[str] = []
        form: list[str] = []
        self._dedupe(nb, notes)
        self._restore_metadata(nb, released, notes)
        self._restore_deleted(nb, released, notes)
        self._note_edits(nb, released, notes)
        empty = self._empty_answers(nb, released)
        self._read_answers(nb, released, notes, held, form)
        if self.review_directory and assignment and student:
            write_review(
                self.review_directory, assignment, student, notebook, "screen",
                {"notes": notes, "held": held, "empty": empty, "form": form},
            )  # fmt: skip
        for line in notes + held + form:
            self.log.warning("%s/%s: %s", student, notebook, line)
        return nb, resources

    def _dedupe(self, nb, notes):
        seen: set[str] = set()
        kept = []
        for cell in nb.cells:
            gid = _grade_id(cell)
            if gid is None or gid not in seen:
                if gid is not None:
                    seen.add(gid)
                kept.append(cell)
                continue
            meta = _nbg(cell)
            if meta.get("locked"):
                notes.append(f"a copy of the read-only cell '{gid}' was removed")
            else:
                del cell.metadata["nbgrader"]
                kept.append(cell)
                notes.append(
                    f"a copy of the answer cell '{gid}' was kept as plain text, not graded"
                )
        nb.cells = kept

    def _restore_metadata(self, nb, released, notes):
        present = {_grade_id(c) for c in nb.cells} - {None}
        by_id = {c.get("id"): c for c in released.cells if _grade_id(c)}
        for cell in nb.cells:
            if _grade_id(cell) or cell.get("id") not in by_id:
                continue
            source_cell = by_id[cell.get("id")]
            gid = _grade_id(source_cell)
            if gid in present or source_cell.cell_type != cell.cell_type:
                continue
            cell.metadata["nbgrader"] = deepcopy(_nbg(source_cell))
            present.add(gid)
            notes.append(f"the cell '{gid}' had lost its grading label; it was put back")

    def _restore_deleted(self, nb, released, notes):
        present = {_grade_id(c) for c in nb.cells} - {None}
        for index, source_cell in enumerate(released.cells):
            gid = _grade_id(source_cell)
            if gid is None or gid in present:
                continue
            meta = _nbg(source_cell)
            if not (meta.get("grade") or meta.get("solution")):
                continue  # instructions only: nothing to grade
            where = 0
            for earlier in reversed(released.cells[:index]):
                pos = self._position(nb, earlier)
                if pos is not None:
                    where = pos + 1
                    break
            nb.cells.insert(where, deepcopy(source_cell))
            present.add(gid)
            kind = "test" if _is_test(meta) else "answer"
            notes.append(f"the {kind} cell '{gid}' was deleted; the course copy was put back")

    @staticmethod
    def _position(nb, source_cell):
        gid, cid = _grade_id(source_cell), source_cell.get("id")
        for pos, cell in enumerate(nb.cells):
            if (gid and _grade_id(cell) == gid) or (cid and cell.get("id") == cid):
                return pos
        return None

    def _note_edits(self, nb, released, notes):
        sources = {_grade_id(c): c.source for c in released.cells if _nbg(c).get("locked")}
        for cell in nb.cells:
            gid = _grade_id(cell)
            if gid in sources and _nbg(cell).get("locked") and cell.source != sources[gid]:
                notes.append(f"the read-only cell '{gid}' was edited; the course copy is used")

    def _read_answers(self, nb, released, notes, held, form):
        """Answers become data; nothing the candidate typed runs, except code answers."""
        course = {_grade_id(c): c for c in released.cells if _grade_id(c)}
        for pos, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            gid = _grade_id(cell)
            name = gid or cell.get("id") or f"cell {pos + 1}"
            mine = course.get(gid)
            if mine is not None and mine.cell_type != "code":
                continue  # OverwriteCells turns it back into the course's markdown cell
            meta = _nbg(mine) if mine is not None else {}
            if meta.get("locked"):
                continue  # OverwriteCells puts back the course's own source
            reason = held_reason(cell.source)
            if mine is not None and meta.get("solution") and is_code_answer(mine):
                if reason:
                    held.append(f"'{name}' {reason} (an early warning; it ran in the sandbox)")
                continue
            if reason:
                held.append(f"'{name}' {reason}; it was not run")
            if mine is None:
                if cell.source.strip():
                    notes.append(f"a code box the candidate added ('{name}') was not run")
                cell.source = "# A box added by the candidate: not run (only answers are graded)."
                if gid is not None:
                    del cell.metadata["nbgrader"]
            elif not meta.get("solution"):
                cell.source = mine.source  # a course box that is not an answer
            else:
                answer = read_answer(cell.source)
                if not answer.ok:
                    form.append(f"'{name}' is not in the expected form ({FORM}): "
                                f"{answer.problem}; it was not run and scored 0")  # fmt: skip
                cell.source = canonical_source(answer)

    @staticmethod
    def _empty_answers(nb, released) -> list[str]:
        stubs = {}
        if released is not None:
            stubs = {_grade_id(c): c.source.strip() for c in released.cells if _grade_id(c)}
        empty = []
        for cell in nb.cells:
            meta = _nbg(cell)
            gid = meta.get("grade_id")
            if not meta.get("solution") or gid is None:
                continue
            text = cell.source.strip()
            if cell.cell_type == "code":
                answer = read_answer(text)
                blank = text == stubs.get(gid) or (answer.ok and not answer.value.strip())
            else:
                blank = not text or text == stubs.get(gid)
            if blank:
                empty.append(gid)
        return empty


class RecordRun(NbGraderPreprocessor):
    """After Execute: note the cells that the time limit stopped, and what the sandbox
    blocked (:class:`peercare.certification.sandbox.SandboxedExecute` leaves it in
    ``resources``)."""

    review_directory = Unicode("", help="Where run notes are written").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        timeouts = []
        for pos, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and out.get("ename") in TIMEOUT_ERRORS:
                    timeouts.append(_grade_id(cell) or cell.get("id") or f"cell {pos + 1}")
                    break
        if self.review_directory and info.get("assignment") and info.get("student"):
            write_review(
                self.review_directory, info["assignment"], info["student"], info["notebook"],
                "run", {"timeouts": timeouts, "timeout_seconds": _timeout(self),
                        "blocked": resources.get("peercare", {}).get("blocked", [])},
            )  # fmt: skip
        return nb, resources


def _timeout(pp) -> int | None:
    try:
        return int(pp.config.Execute.timeout)
    except (AttributeError, TypeError, ValueError):
        return None


def split_hidden(source: str) -> tuple[list[str], list[str]]:
    """The source's lines outside and inside its hidden-test regions (markers dropped)."""
    shown, hidden, hiding = [], [], False
    for line in source.split("\n"):
        if HIDDEN_BEGIN in line:
            hiding = True
        elif HIDDEN_END in line:
            hiding = False
        else:
            (hidden if hiding else shown).append(line)
    return shown, hidden


def strip_hidden(source: str) -> str:
    """The source without its hidden-test regions (and their marker lines)."""
    return "\n".join(split_hidden(source)[0]).rstrip()


def read_json_notebook(path: Path) -> tuple[object | None, str | None]:
    """(notebook, None) or (None, a plain reason why it cannot be graded)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, "the file is not text, so it is not a notebook"
    except json.JSONDecodeError as exc:
        return None, f"the file is not a readable notebook (broken at line {exc.lineno})"
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:  # nbformat raises several kinds
        return None, f"the file is not a notebook nbgrader can read ({type(exc).__name__})"
    return nb, None
