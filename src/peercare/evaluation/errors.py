"""Errors written for the person running the analysis: print the message, no traceback.

In Jupyter and Voila, IPython shows these through ``_render_traceback_``: the problems
alone, with no Python traceback.
"""

from __future__ import annotations

from ..content.schema import ProblemsError

__all__ = ["ProblemsError", "DataError", "DemoDataError"]


class DataError(ProblemsError):
    """Data that does not fit its definition."""


class DemoDataError(RuntimeError):
    """The demo data could not be written (a folder of real data, a disk problem)."""

    def _render_traceback_(self) -> list[str]:
        return [f"DemoDataError: {self}"]
