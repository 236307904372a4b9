"""Shared pieces of the YAML schemas (banks, scenarios, instruments, chapter widgets, plans,
the certification rules, the crisis-help and moderation lists): field types, a strict base
model, and the one way every content file is read (:func:`load` / :func:`parse` /
:func:`validate`), with pydantic errors turned into lines a content author can act on:
``file: item 'x': field: what is wrong``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


MAX_SHOWN = 40


class ProblemsError(ValueError):
    """A list of problems, one message each; the message shows the first ``MAX_SHOWN``.

    In Jupyter and Voila, IPython shows these through ``_render_traceback_``: the problems
    alone, with no Python traceback.
    """

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_SHOWN]
        more = len(problems) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more problems"] if more else [])))

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: please fix these problems", *str(self).splitlines()]


class Strict(BaseModel):
    """Unknown fields are refused (a typo is an error, not a silently ignored key)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_SINGULAR = {"questions": "question", "options": "option", "items": "item",
             "sections": "section", "bands": "band", "scale": "scale point",
             "steps": "step", "choices": "choice", "discuss": "discussion question",
             "entries": "entry", "segments": "segment",
             "lines": "line", "more": "line", "competencies": "competency",
             "people": "person", "reach": "way", "groups": "group"}  # fmt: skip

_MESSAGES = {
    "missing": "is missing",
    "extra_forbidden": "is not a known field (check the spelling)",
    "string_too_short": "is empty",
    "string_type": "should be text: put it in quotes (YAML reads yes, no, on, off and "
    "numbers as other things)",
    "string_pattern_mismatch": "should be a short id: lower-case letters, digits, - and _ "
    "(like talk-family)",
    "int_parsing": "should be a whole number",
    "int_type": "should be a whole number",
    "bool_parsing": "should be true or false",
    "bool_type": "should be true or false",
    "list_type": "should be a list, one item a line starting with '- '",
    "dict_type": "should be a list of fields (name: value), one a line",
    "model_type": "should be a list of fields (name: value), one a line",
    "float_parsing": "should be a number",
    "float_type": "should be a number",
    "date_parsing": "should be a date like 2026-11-30",
    "date_type": "should be a date like 2026-11-30",
    "date_from_datetime_parsing": "should be a date like 2026-11-30",
}
_LIMITS = {
    "too_short": "needs at least {min_length} (has {actual_length})",
    "too_long": "has more than {max_length} (has {actual_length})",
    "string_too_long": "is too long (at most {max_length} characters)",
}


def _message(err: dict, messages: dict[str, str]) -> str:
    """One pydantic error in plain words (never pydantic's own "Input should be")."""
    kind = err["type"]
    if kind in messages:
        return messages[kind]
    if kind in ("enum", "literal_error"):
        return f"should be {err['ctx']['expected']}"
    if kind in _LIMITS:
        return _LIMITS[kind].format(**err.get("ctx", {}))
    msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return msg.replace("Input should be", "should be")


def _title(node: dict) -> object:
    return node.get("title") or node.get("label") or node.get("name")


def where(raw: object, loc: tuple) -> str:
    """A pydantic location as words: ``question 'x': option 'b': feedback``."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            ident = node.get("id") if isinstance(node, dict) else None
            title = _title(node) if isinstance(node, dict) else None
            last = parts.pop() if parts else None
            label = _SINGULAR.get(last, f"{last}: item") if last else "item"
            if ident:
                parts.append(f"{label} {ident!r}")
            elif title:
                parts.append(f"{label} {key + 1} ({title!r})")
            else:
                parts.append(f"{label} #{key + 1}")
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ": ".join(parts)


def describe(
    exc: ValidationError,
    raw: object,
    source: Path | str,
    messages: dict[str, str] | None = None,
) -> list[str]:
    """One line per fault: file, where, and what is wrong in plain words (``messages``
    words some error types for this kind of file)."""
    words = {**_MESSAGES, **(messages or {})}
    lines = []
    for err in exc.errors():
        msg = _message(err, words)
        place = where(raw, err["loc"])
        lines.append(f"{source}: {place}: {msg}" if place else f"{source}: {msg}")
    return lines


def files_as_now(paths) -> tuple[tuple[str, int], ...]:
    """Each file's path and modification time: a cache key that changes when a file does."""
    return tuple((str(p), p.stat().st_mtime_ns) for p in paths)


def read_text(path: Path, what: str, error: type[Exception]) -> str:
    """A source file's text, or ``error([...])`` saying plainly why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error([f"{path}: cannot read the {what}: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise error([f"{path}: the file is not UTF-8 text"]) from None


def parse_yaml(text: str, source: Path | str, error: type[Exception]) -> object:
    """YAML text as data, or ``error([...])`` naming the file, line and column."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be read"
        raise error([f"{source}{place}: not valid YAML: {problem}"]) from None


Model = TypeVar("Model", bound=BaseModel)


def validate(
    raw: object,
    model: type[Model],
    source: Path | str,
    error: type[ProblemsError] = ProblemsError,
    *,
    shape: str = "the file is a list of fields (name: value), one a line",
    messages: dict[str, str] | None = None,
) -> Model:
    """Data read from ``source`` as ``model``, or ``error([...])``: one line per fault naming
    the file, the item and the field (``shape`` says what the file should look like when it
    is not a mapping at all)."""
    if not isinstance(raw, dict):
        raise error([f"{source}: {shape}"])
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise error(describe(exc, raw, source, messages)) from None


def parse(
    text: str,
    model: type[Model],
    source: Path | str,
    error: type[ProblemsError] = ProblemsError,
    **how,
) -> Model:
    """YAML text as ``model`` (see :func:`validate`)."""
    return validate(parse_yaml(text, source, error), model, source, error, **how)


def load(
    path: Path | str,
    model: type[Model],
    error: type[ProblemsError] = ProblemsError,
    *,
    what: str = "file",
    **how,
) -> Model:
    """A content file as ``model``: the one way the kit reads its YAML files."""
    path = Path(path)
    return parse(read_text(path, what, error), model, path, error, **how)


def load_each(paths, load_one: Callable[[Path], Model], error: type[ProblemsError]) -> list[Model]:
    """``load_one`` of every path, in order; the problems of all files reported together in
    one ``error``, so a writer fixes them in one pass."""
    found, problems = [], []
    for path in paths:
        try:
            found.append(load_one(path))
        except error as exc:
            problems.extend(exc.problems)
    if problems:
        raise error(problems)
    return found
