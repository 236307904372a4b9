"""Shared pieces of the YAML schemas (banks, instruments, chapter widgets): field types, a
strict base model, and pydantic errors turned into lines a content author can act on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
             "entries": "entry", "reach": "way", "groups": "group"}  # fmt: skip

_MESSAGES = {
    "missing": "is missing",
    "extra_forbidden": "is not a known field (check the spelling)",
    "string_too_short": "is empty",
    "string_type": "should be text: put it in quotes (YAML reads yes, no, on, off and "
    "numbers as other things)",
    "string_pattern_mismatch": "should be a short id: lower-case letters, digits, - and _ "
    "(like talk-family)",
}


def where(raw: object, loc: tuple) -> str:
    """A pydantic location as words: ``question 'x': option 'b': feedback``."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            ident = node.get("id") if isinstance(node, dict) else None
            label = _SINGULAR.get(parts.pop(), "item") if parts else "item"
            parts.append(f"{label} {ident!r}" if ident else f"{label} #{key + 1}")
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ": ".join(parts)


def describe(exc: ValidationError, raw: object, source: Path | str) -> list[str]:
    """One line per fault: file, where, and what is wrong in plain words."""
    lines = []
    for err in exc.errors():
        msg = _MESSAGES.get(err["type"], err["msg"]).removeprefix("Value error, ")
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
