"""Errors written for the person running the analysis: print the message, no traceback.

In Jupyter and Voila, IPython shows these through ``_render_traceback_``: the problems
alone, with no Python traceback.
"""

from __future__ import annotations

MAX_SHOWN = 40


class ProblemsError(ValueError):
    """A list of problems, one message each; the message shows the first ``MAX_SHOWN``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_SHOWN]
        more = len(problems) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more problems"] if more else [])))

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: please fix these problems", *str(self).splitlines()]


class DataError(ProblemsError):
    """Data that does not fit its definition."""


class DemoDataError(RuntimeError):
    """The demo data could not be written (a folder of real data, a disk problem)."""

    def _render_traceback_(self) -> list[str]:
        return [f"DemoDataError: {self}"]
