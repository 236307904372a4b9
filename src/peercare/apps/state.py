"""Names of the shared session state the facilitator sets and participants' pages read,
and the small polling loop the pages use to notice changes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

QUIZ_CURRENT = "quiz.current"  # the question id being asked now
QUIZ_REVEALED = "quiz.revealed"  # equals quiz.current once the answer is shown
BREAK_UNTIL = "break.until"  # a grounding break runs until this time (Unix seconds); "" = none
PAUSE_SEEN = "pause.seen"  # the facilitator saw the pause requests up to this time (Unix s)


def poll_every(
    seconds: float, check: Callable[[], None], stop: Callable[[], bool] = lambda: False
) -> None:
    """Call ``check`` every ``seconds`` until ``stop()`` is true; errors are logged, not fatal."""
    while not stop():
        time.sleep(seconds)
        try:
            check()
        except Exception:
            log.exception("polling failed; trying again")


# the session plan the dashboard follows (apps/planpanel.py)
PLAN_ID = "plan.id"  # the session plan picked at creation (a plan's file name)
PLAN_AT = "plan.at"  # where the session is in it: "<part index> <part began> <session began>"
