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

# room features (apps/feedback.py, apps/moderate.py, apps/cloud.py); none holds an answer
# that has not been approved or that the threshold has not let through
FEEDBACK_FORM = "feedback.form"  # contract.FEEDBACK_SHORT (the default) or FEEDBACK_FULL
MODERATION = "moderation"  # JSON {"approved": [row ids], "hidden": [row ids]}
ROOM_QUESTIONS = "room.questions"  # JSON list of approved question texts, newest first
CLOUD_HIDDEN = "cloud.hidden"  # JSON list of short hashes of the words the facilitator hid
ROOM_CLOUD = "room.cloud"  # JSON [[word, size], ...] the room screen shows; "" = not shown
