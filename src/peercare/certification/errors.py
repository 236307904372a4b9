"""The certification steps' one error type, apart from the modules that raise it (so the
course and the rules do not import each other for it)."""

from __future__ import annotations

from ..content.schema import ProblemsError


class CertError(ProblemsError):
    """A problem a lead trainer can fix; the message says how (one message, or a list)."""

    def __init__(self, problems: str | list[str]):
        super().__init__([problems] if isinstance(problems, str) else list(problems))
