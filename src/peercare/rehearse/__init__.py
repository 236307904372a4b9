"""``peercare rehearse``: a seeded, made-up cohort through every part of the kit, offline
(sessions on the real apps, certification with nbgrader, the evaluation notebooks and
report), then checks that nothing was lost or exposed. See :mod:`.run`."""

from .run import Options, RehearsalError, rehearse

__all__ = ["Options", "RehearsalError", "rehearse"]
