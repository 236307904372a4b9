"""The live-session contract: the names every live app writes, the dashboard asks for, the
store exports and the evaluation kit reads back. They are spelled here and nowhere else
(``tests/test_contract.py`` greps ``src/`` for that). Standard library only: every
participant's kernel imports it.

* ``app`` column: :data:`APPS`. Knowledge answers (:data:`KNOWLEDGE`) are shown to the
  facilitator as a spread once a few people answered; sensitive ones (:data:`SENSITIVE`)
  keep the anonymity threshold (see :mod:`peercare.live`).
* ``item`` column, per app: check-in :data:`CHECKIN_ITEMS`; pause :data:`PAUSE_ITEMS`;
  pace :data:`PACE_ITEMS` (answers :data:`PACE_OPTIONS`); question :data:`QUESTION_ITEMS`;
  live quiz :func:`quiz_item`
  (the bank question id); scenarios :func:`scenario_item`; feedback :func:`feedback_item`
  (the item ids of the instruments in :data:`FEEDBACK_INSTRUMENTS`, so the evaluation
  kit reads them as they are; the short form asks :data:`SHORT_FEEDBACK_ITEMS` and
  :data:`SHORT_FEEDBACK_TEXT`).
* ``response`` column: text of at most :data:`ANSWER_MAX` characters; several chosen
  options are joined with :func:`join_choices`.
* The export: :data:`EXPORT_COLUMNS`, one file :func:`export_name` per session, every
  cell through :func:`spreadsheet_safe`; :func:`spreadsheet_text` is its exact inverse.
"""

from __future__ import annotations

from collections.abc import Iterable

# -- apps (the ``app`` column) -------------------------------------------------------------
CHECKIN = "checkin"
QUIZ = "quiz"
SCENARIO = "scenario"
FEEDBACK = "feedback"
PREPOST = "prepost"
PAUSE = "pause"
PACE = "pace"
QUESTION = "question"
APPS = (CHECKIN, QUIZ, SCENARIO, FEEDBACK, PREPOST, PAUSE, PACE, QUESTION)
APP_TITLES = {
    CHECKIN: "Check-in",
    QUIZ: "Live quiz",
    SCENARIO: "Scenarios",
    FEEDBACK: "Feedback",
    PREPOST: "Knowledge test",
    PAUSE: "Pause requests",
    PACE: "Pace signals",
    QUESTION: "Questions",
}
KNOWLEDGE = (QUIZ, SCENARIO)
"""Answers that say what someone knows or would do in a made-up situation: not sensitive."""
SENSITIVE = (CHECKIN, FEEDBACK, PAUSE, PACE, QUESTION)
"""Answers about the person (how they are, what they think of the session, that they
need a pause or another pace, what they want to ask)."""
MEASURE_ONLY = (PREPOST,)
"""Answers that only the evaluation kit reads: never tallied on the dashboard."""
TALLIED = (CHECKIN, QUIZ, SCENARIO, FEEDBACK)
"""The apps with a tab of counts on the dashboard (a pause request is shown as a cue
instead: see :mod:`peercare.apps.pause`)."""

# -- items (the ``item`` column) ---------------------------------------------------------
CHECKIN_ARRIVAL = "arrival"  # "How are you arriving today?", 1 to 5
CHECKIN_WORD = "word"  # one optional word
CHECKIN_ITEMS = (CHECKIN_ARRIVAL, CHECKIN_WORD)
PAUSE_ASKED = "asked"  # "I need a pause": the row's time is the request, the answer is PAUSE_ASKED
PAUSE_ITEMS = (PAUSE_ASKED,)
PACE_SIGNAL = "signal"  # "slower" or "faster": the answer is one of PACE_OPTIONS
PACE_SLOWER, PACE_FASTER = "slower", "faster"
PACE_OPTIONS = (PACE_SLOWER, PACE_FASTER)
PACE_ITEMS = (PACE_SIGNAL,)
QUESTION_TEXT = "text"  # an anonymous question to the facilitator (free text, moderated)
QUESTION_ITEMS = (QUESTION_TEXT,)
FEEDBACK_SHORT, FEEDBACK_FULL = "short", "full"
FEEDBACK_FORMS = (FEEDBACK_SHORT, FEEDBACK_FULL)
"""The end-of-session feedback a session asks for: the short form (the default in live
sessions, under a minute) or the instruments' full form."""
SHORT_FEEDBACK_ITEMS = ("useful", "will-use", "recommend", "safe", "own-way")
"""The short form's rated items: five of the reaction survey's own (our items), so the
evaluation kit reads short and full forms as one reaction measure."""
SHORT_FEEDBACK_TEXT = "change"
"""The short form's one optional text: the reaction survey's free-text item."""
FEEDBACK_INSTRUMENTS = ("reaction", "retrospective")
EVALUATION_PARTS = {
    "reaction": FEEDBACK,
    "retrospective": FEEDBACK,
    "quiz": QUIZ,
    "knowledge": PREPOST,
}
"""Which app's rows the evaluation kit reads as which instrument."""
LIVE_ONLY = (CHECKIN, SCENARIO, QUESTION)
"""Apps whose rows serve the room during a session and are not evaluation data."""
REPEATABLE = (PAUSE, PACE, QUESTION, SCENARIO)
"""Apps whose rows a page may send more than once: pause requests, pace signals and
questions after a wait; a scenario step each time the page shows it (a choice may lead
back to its own step, and a scenario may be walked again). Never read as a repeated
answer."""
COUNTED = (PAUSE, PACE)
"""Apps whose rows the evaluation kit counts per session (a measure of the session, never
read per person)."""
_STEP_SEP = ":"


# The pre/post knowledge test (apps/prepost.py): ``time`` is one of PREPOST_TIMES; items
# are the form items' own ids (``pa-coping-2``); the respondent is a one-way token of the
# participant's private code, so a person's first and last sessions pair up without a name.
PREPOST_TIMES = ("pre", "post")
PREPOST_TOKEN_PREFIX = "pp-"
PREPOST_TOKEN_SALT = "peercare-prepost-v1:"


def quiz_item(question_id: str) -> str:
    """The item id of a live-quiz answer: the bank's question id."""
    return question_id


def scenario_item(scenario_id: str, step_id: str) -> str:
    """The item id of a choice at one step of a scenario."""
    return f"{scenario_id}{_STEP_SEP}{step_id}"


def feedback_item(instrument_item_id: str) -> str:
    """The item id of a feedback answer: the instrument's own item id."""
    return instrument_item_id


# -- responses -------------------------------------------------------------------------
ANSWER_MAX = 2000
CHOICE_SEP = "|"


def join_choices(chosen: Iterable[str] | str) -> str:
    """Several chosen option ids as one answer: ``['c', ' a']`` -> ``'a|c'`` (sorted)."""
    if isinstance(chosen, str):
        chosen = chosen.split(CHOICE_SEP)
    return CHOICE_SEP.join(sorted(c.strip() for c in chosen if c.strip()))


def split_choices(answer: str) -> list[str]:
    """The option ids in an answer made by :func:`join_choices`."""
    return [c for c in str(answer).split(CHOICE_SEP) if c]


# -- anonymity threshold ------------------------------------------------------------------
THRESHOLD_MIN, THRESHOLD_DEFAULT, THRESHOLD_MAX = 3, 5, 50

# -- export ------------------------------------------------------------------------------
EXPORT_COLUMNS = ("respondent_id", "session", "time", "app", "item", "response")
EXPORT_GLOB = "session-*.csv"


def export_name(code: str) -> str:
    return EXPORT_GLOB.replace("*", code)


GUARD = "'"
FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""First characters that make a spreadsheet run a cell as a formula (with their full-width
forms, which some spreadsheets read as the same); any leading white space (space, tab,
CR, newline) is guarded too, since spreadsheets skip it before looking."""


def spreadsheet_safe(cell: str) -> str:
    """``cell`` as it goes in a CSV file: with :data:`GUARD` in front when a spreadsheet
    could run it as a formula, or when it already starts with the guard (so that
    :func:`spreadsheet_text` gives back exactly what was stored). A spreadsheet shows the
    cell without its first ``'``, so what people see is what was written."""
    first = cell[:1]
    if first and (first in FORMULA_START or first == GUARD or first.isspace()):
        return GUARD + cell
    return cell


def spreadsheet_text(cell: str) -> str:
    """The exact inverse of :func:`spreadsheet_safe`, for any text."""
    return cell[1:] if cell.startswith(GUARD) else cell
