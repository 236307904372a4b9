"""The session store's API: what the live apps and the facilitator dashboard call.

Participants can join a session (:meth:`Store.open_session`) and add answers
(:meth:`Store.add_response`); nothing a participant can call reads anyone's answers.
Everything that reads answers needs the facilitator key.

Refused input raises :class:`InputRefused` (or a subclass) with a message written to be
shown to the participant as it is; a database that cannot be reached raises
:class:`StoreUnavailable`. Both show without a traceback in Jupyter and Voila.

Answer rules (:meth:`Store.add_response`): text of 1 to 2,000 characters that is not only
spaces; no control characters except newline and tab (PostgreSQL cannot store NUL, and
the others are never typed on purpose); everything else (HTML, script, SQL-like text,
right-to-left marks, emoji) is stored exactly as given, through bound parameters. The app
checks that a choice is one of its options; the store checks lengths and ids.

``respondent``: the apps make one random token per participant page (kernel) with
:func:`peercare.codes.new_respondent` and pass it with every answer. It links one person's
answers (for the evaluation's then/now pairs, and so a changed answer counts once in the
dashboard) without saying who they are: it is never shown to the participant, never
stored in the browser, and a new visit gets a new token. Without one, the store makes a
fresh token per answer. The export's ``respondent_id`` column is this token.
"""

from __future__ import annotations

import csv
import hmac
import io
import os
import re
import secrets
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .. import codes, contract
from ..content.schema import ProblemsError
from ..contract import ANSWER_MAX, APPS, EXPORT_COLUMNS, KNOWLEDGE, spreadsheet_safe
from . import db
from .models import (
    ITEM_MAX,
    RESPONDENT_MAX,
    STATE_NAME_MAX,
    TIME_MAX,
    TITLE_MAX,
    joins,
    now,
    responses,
    session_state,
    sessions,
)

ITEM_ID = re.compile(rf"^[a-z0-9][a-z0-9_.:/-]{{0,{ITEM_MAX - 1}}}$")
STATE_NAME = re.compile(rf"^[a-z0-9][a-z0-9_.:/-]{{0,{STATE_NAME_MAX - 1}}}$")
TIME_ID = re.compile(rf"^[a-z0-9][a-z0-9_-]{{0,{TIME_MAX - 1}}}$")
RESPONDENT_ID = re.compile(rf"^[A-Za-z0-9_-]{{6,{RESPONDENT_MAX}}}$")


@cache
def _dummy_hash() -> str:
    """A key hash to check a key against when there is no session, so that a wrong code
    takes as long as a wrong key (the time would tell a real code from a made-up one)."""
    return codes.hash_key("not-a-key")


class InputRefused(ProblemsError):
    """Input the store will not take; the message is shown to the participant as it is."""

    def __init__(self, message: str | list[str]):
        super().__init__([message] if isinstance(message, str) else list(message))


class SessionNotFound(InputRefused):
    """No open session has that code (wrong, or closed)."""


class NotAuthorized(InputRefused):
    """The facilitator key does not match the session."""


class StoreUnavailable(ProblemsError):
    """The database could not be reached or failed; nothing was saved."""

    def __init__(self, message: str | list[str]):
        super().__init__([message] if isinstance(message, str) else list(message))


@dataclass(frozen=True)
class SessionInfo:
    code: str
    title: str
    created: datetime
    closed: datetime | None
    threshold: int

    @property
    def is_open(self) -> bool:
        return self.closed is None


def _info(row) -> SessionInfo:
    return SessionInfo(row.code, row.title, row.created, row.closed, row.threshold)


def _not_found(code: object) -> SessionNotFound:
    shown = codes.normalize_code(code)
    if shown and len(shown) <= 12 and all(c in codes.ALPHABET for c in shown):
        return SessionNotFound(
            f"No open session with code {shown}. Check the code with your facilitator; "
            "the session may have ended."
        )
    return SessionNotFound(
        "No open session with that code. Check the code with your facilitator; "
        "the session may have ended."
    )


def _control_character(text: str) -> str | None:
    """A description of the first character we refuse in ``text``, or ``None``."""
    for position, char in enumerate(text, 1):
        if char in "\n\t":
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            name = "NUL" if char == "\0" else f"U+{ord(char):04X}"
            return f"a hidden control character ({name}) at character {position}"
        if category == "Cs":
            return f"a broken character (U+{ord(char):04X}) at character {position}"
    return None


def check_answer(answer: object) -> str:
    """The answer if the store takes it; else :class:`InputRefused` saying why."""
    if not isinstance(answer, str):
        raise InputRefused("The answer must be text. Nothing was saved.")
    if not answer.strip():
        raise InputRefused("The answer is empty. Please write or choose something first.")
    if len(answer) > ANSWER_MAX:
        raise InputRefused(
            f"The answer is too long: {len(answer):,} characters. The limit is "
            f"{ANSWER_MAX:,} characters. Please shorten it and send it again."
        )
    bad = _control_character(answer)
    if bad:
        raise InputRefused(
            f"The answer has {bad}, which cannot be saved. Please remove it (retyping the "
            "text usually does) and send it again."
        )
    return answer


def _check_id(value: object, pattern: re.Pattern, what: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise InputRefused(
            f"This answer could not be saved: the {what} is not valid. Please tell the facilitator."
        )
    return value


def check_title(title: object) -> str:
    if not isinstance(title, str) or not title.strip():
        raise InputRefused("Give the session a title.")
    title = title.strip()
    if len(title) > TITLE_MAX:
        raise InputRefused(f"The title is too long: the limit is {TITLE_MAX} characters.")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in title):
        raise InputRefused("The title has a line break or a hidden control character.")
    return title


def check_threshold(threshold: object) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise InputRefused("The anonymity threshold must be a whole number.")
    low, high = contract.THRESHOLD_MIN, contract.THRESHOLD_MAX
    if not low <= threshold <= high:
        raise InputRefused(
            f"The anonymity threshold must be from {low} to {high} (default "
            f"{contract.THRESHOLD_DEFAULT}): counts of fewer people than this are hidden."
        )
    return threshold


def _code_length(length: int | None) -> int:
    if length is None:
        length = os.environ.get(codes.CODE_LENGTH_ENV) or codes.CODE_LENGTH
    lengths = (codes.CODE_LENGTH, codes.PUBLIC_CODE_LENGTH)
    if str(length) not in map(str, lengths):
        raise InputRefused(f"A session code has {' or '.join(map(str, lengths))} characters.")
    return int(length)


class Store:
    """The session store (see the module docstring and :mod:`peercare.store.db`).

    Creating a Store does not touch the database; the first call creates or migrates it.
    One Store may be shared by threads.
    """

    def __init__(self, url: str | URL | None = None):
        self.url = db.resolve_url(url)
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._pepper = secrets.token_bytes(16)
        self._verified: set[tuple[int, bytes]] = set()

    def __repr__(self) -> str:
        return f"Store({db.safe_url(self.url)!r})"

    # -- plumbing ------------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        """The engine, after creating or migrating the database on first use."""
        if self._engine is None:
            with self._lock, self._errors():
                if self._engine is None:
                    engine = db.make_engine(self.url)
                    try:
                        db.ensure_schema(engine)
                    except BaseException:
                        engine.dispose()
                        raise
                    self._engine = engine
        return self._engine

    def close(self) -> None:
        """Close the store's connections (a later call opens new ones)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            reason = type(getattr(exc, "orig", None) or exc).__name__
            raise StoreUnavailable(
                f"The session store could not be reached or failed ({reason}). If you were "
                "sending an answer, it was not saved: please try again in a moment."
            ) from exc

    @contextmanager
    def _read(self):
        with self._errors(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self):
        with self._errors(), db.writer(self.engine).begin() as conn:
            yield conn

    # -- facilitator -----------------------------------------------------------------------
    def create_session(
        self,
        title: str,
        threshold: int = contract.THRESHOLD_DEFAULT,
        code_length: int | None = None,
    ) -> tuple[SessionInfo, str]:
        """A new open session; returns its info and the facilitator key (shown once).

        ``code_length``: 6, or 8 for a session on the internet; by default
        ``$PEERCARE_CODE_LENGTH`` (``peercare serve --public-url`` sets 8), else 6."""
        title, threshold = check_title(title), check_threshold(threshold)
        code_length = _code_length(code_length)
        key = codes.new_key()
        key_hash = codes.hash_key(key)  # slow on purpose: before taking the write lock
        for _ in range(20):
            try:
                with self._write() as conn:
                    open_codes = set(
                        conn.execute(select(sessions.c.code).where(sessions.c.closed.is_(None)))
                        .scalars()
                        .all()
                    )
                    code = codes.new_code(open_codes, length=code_length)
                    created = now()
                    result = conn.execute(
                        insert(sessions).values(
                            code=code,
                            title=title,
                            created=created,
                            closed=None,
                            threshold=threshold,
                            key_hash=key_hash,
                        )
                    )
                    session_id = result.inserted_primary_key[0]
            except StoreUnavailable as exc:
                if isinstance(exc.__cause__, IntegrityError):
                    continue  # another process took the code at the same moment
                raise
            self._verified.add((session_id, self._tag(key)))
            return SessionInfo(code, title, created, None, threshold), key
        raise StoreUnavailable("Could not find a free session code; please try again.")

    def _tag(self, key: str) -> bytes:
        return hmac.digest(self._pepper, codes.normalize_code(key).encode(), "sha256")

    def _facilitator_row(self, conn, code: str, key: str):
        """The session with this code whose key matches (open first, then newest)."""
        norm = codes.normalize_code(code)
        rows = conn.execute(
            select(sessions)
            .where(sessions.c.code == norm)
            .order_by(sessions.c.closed.is_(None).desc(), sessions.c.id.desc())
        ).all()
        if not rows:
            codes.check_key(str(key), _dummy_hash())  # as slow as a wrong key: no timing hint
            shown = norm if codes.is_code(norm) else "like that"
            raise SessionNotFound(f"No session with code {shown}.")
        if not isinstance(key, str) or not key.strip():
            raise NotAuthorized("Enter the facilitator key for this session.")
        tag = self._tag(key)
        for row in rows:
            if (row.id, tag) in self._verified or codes.check_key(key, row.key_hash):
                self._verified.add((row.id, tag))
                return row
        raise NotAuthorized(
            f"That facilitator key does not match session {norm}. Check it and try again."
        )

    def session_for_facilitator(self, code: str, key: str) -> SessionInfo:
        """The session (open or closed) if ``key`` is its facilitator key."""
        with self._read() as conn:
            return _info(self._facilitator_row(conn, code, key))

    def close_session(self, code: str, key: str) -> None:
        """Close the session: no more joins or answers; its answers stay for the facilitator."""
        with self._read() as conn:
            row = self._facilitator_row(conn, code, key)  # the slow key check: no lock held
        with self._write() as conn:
            conn.execute(
                update(sessions)
                .where(and_(sessions.c.id == row.id, sessions.c.closed.is_(None)))
                .values(closed=now())
            )

    # -- participant -----------------------------------------------------------------------
    @staticmethod
    def _open_row(conn, code: str):
        """The open session's row for a code as typed (case, spaces and dashes do not matter)."""
        norm = codes.normalize_code(code)
        if not codes.is_code(norm):
            raise _not_found(code)
        row = conn.execute(
            select(sessions).where(and_(sessions.c.code == norm, sessions.c.closed.is_(None)))
        ).first()
        if row is None:
            raise _not_found(norm)
        return row

    def open_session(self, code: str) -> SessionInfo:
        """Join: the open session with this code (case, spaces and dashes do not matter)."""
        with self._read() as conn:
            return _info(self._open_row(conn, code))

    def join_session(self, code: str) -> SessionInfo:
        """:meth:`open_session`, and count one more page in (a time, nothing about who)."""
        with self._write() as conn:
            row = self._open_row(conn, code)
            conn.execute(insert(joins).values(session_id=row.id, joined=now()))
        return _info(row)

    def add_response(
        self,
        code: str,
        app: str,
        item: str,
        answer: str,
        *,
        respondent: str | None = None,
        time: str | None = None,
    ) -> int:
        """Store one answer and return its row id once it is COMMITTED.

        ``respondent``: the participant's token (:func:`peercare.codes.new_respondent`);
        ``time``: the time point for the evaluation (``then``/``now``, ``pre``/``post``).
        """
        return self.add_responses(code, app, [(item, answer)], respondent=respondent, time=time)[0]

    def add_responses(
        self,
        code: str,
        app: str,
        answers: Iterable[tuple[str, str]] | Iterable[tuple[str, str, str]] | Mapping[str, str],
        *,
        respondent: str | None = None,
        time: str | None = None,
    ) -> list[int]:
        """Store several answers of one person at once: all or none, COMMITTED on return.

        ``answers``: ``(item, answer)`` pairs, ``(item, answer, time)`` triples, or a mapping
        of item to answer. Every answer is checked first; one refused answer refuses the
        lot (nothing is stored). Without ``respondent`` the answers share one new token.
        """
        if app not in APPS:
            raise InputRefused(
                "This answer could not be saved: the app is not known. Please tell the facilitator."
            )
        if isinstance(answers, Mapping):
            answers = list(answers.items())
        rows = []
        for entry in answers:
            if not isinstance(entry, tuple | list) or len(entry) not in (2, 3):
                raise InputRefused("This answer could not be saved. Please tell the facilitator.")
            item, answer, when = (*entry, time) if len(entry) == 2 else entry
            rows.append(
                {
                    "app": app,
                    "item": _check_id(item, ITEM_ID, "question id"),
                    "answer": check_answer(answer),
                    "time": None if when is None else _check_id(when, TIME_ID, "time point"),
                }
            )
        if not rows:
            raise InputRefused("There is nothing to send yet. Please answer something first.")
        if respondent is None:
            respondent = codes.new_respondent()
        respondent = _check_id(respondent, RESPONDENT_ID, "participant token")
        norm = codes.normalize_code(code)
        if not codes.is_code(norm):
            raise _not_found(code)
        ids = []
        with self._write() as conn:
            session_id = conn.execute(
                select(sessions.c.id).where(
                    and_(sessions.c.code == norm, sessions.c.closed.is_(None))
                )
            ).scalar()
            if session_id is None:
                raise _not_found(norm)
            stamp = now()
            for row in rows:
                result = conn.execute(
                    insert(responses).values(
                        session_id=session_id, respondent=respondent, answered=stamp, **row
                    )
                )
                ids.append(int(result.inserted_primary_key[0]))
        return ids  # the transaction has been committed here

    # -- shared session state ------------------------------------------------------------
    def set_state(self, code: str, key: str, name: str, value: str) -> None:
        """Set a piece of shared session state (facilitator only), e.g. the quiz question
        being asked. Participants can read it with :meth:`get_state`: never put answers in it.
        """
        name = _check_id(name, STATE_NAME, "state name")
        if not isinstance(value, str) or len(value) > ANSWER_MAX or _control_character(value):
            raise InputRefused(
                f"The value must be text of at most {ANSWER_MAX:,} characters with no "
                "control characters."
            )
        with self._read() as conn:
            row = self._facilitator_row(conn, code, key)
        for attempt in range(2):
            try:
                with self._write() as conn:
                    where = and_(session_state.c.session_id == row.id, session_state.c.name == name)
                    changed = conn.execute(
                        update(session_state).where(where).values(value=value, updated=now())
                    ).rowcount
                    if not changed:
                        conn.execute(
                            insert(session_state).values(
                                session_id=row.id, name=name, value=value, updated=now()
                            )
                        )
                return
            except StoreUnavailable as exc:
                if attempt or not isinstance(exc.__cause__, IntegrityError):
                    raise  # (an IntegrityError: another window inserted it first; update)

    def get_state(self, code: str, name: str) -> str | None:
        """A piece of shared session state, or ``None`` when never set. Anyone with the code
        may read it (the open session with the code, else the newest closed one)."""
        norm = codes.normalize_code(code)
        if not codes.is_code(norm) or not isinstance(name, str):
            raise _not_found(code)
        with self._read() as conn:
            session_id = conn.execute(
                select(sessions.c.id)
                .where(sessions.c.code == norm)
                .order_by(sessions.c.closed.is_(None).desc(), sessions.c.id.desc())
                .limit(1)
            ).scalar()
            if session_id is None:
                raise _not_found(norm)
            return conn.execute(
                select(session_state.c.value).where(
                    and_(session_state.c.session_id == session_id, session_state.c.name == name)
                )
            ).scalar()

    def knowledge_answers(self, code: str, app: str, item: str) -> list[str]:
        """The latest answer of each participant to one knowledge item (live quiz, scenario
        choice) of the OPEN session with this code: what the room screen tallies with
        :func:`peercare.live.knowledge`. No key needed, so nothing else: other apps are
        refused, and no token, time or row id comes back."""
        if app not in KNOWLEDGE:
            raise InputRefused("Only live-quiz and scenario answers are shown to the room.")
        norm = codes.normalize_code(code)
        if not codes.is_code(norm):
            raise _not_found(code)
        with self._read() as conn:
            session_id = conn.execute(
                select(sessions.c.id).where(
                    and_(sessions.c.code == norm, sessions.c.closed.is_(None))
                )
            ).scalar()
            if session_id is None:
                raise _not_found(norm)
            rows = conn.execute(
                select(responses.c.respondent, responses.c.answer)
                .where(
                    and_(
                        responses.c.session_id == session_id,
                        responses.c.app == app,
                        responses.c.item == item,
                    )
                )
                .order_by(responses.c.id)
            ).all()
        latest: dict[str, str] = {}
        for r in rows:  # oldest first: later answers replace earlier ones
            latest.pop(r.respondent, None)
            latest[r.respondent] = r.answer
        return list(latest.values())

    # -- reading (facilitator only) --------------------------------------------------------
    def _rows(self, code: str, key: str, app: str | None = None, item: str | None = None):
        if app is not None and app not in APPS:
            raise InputRefused(f"Unknown app {app!r}; the apps are {', '.join(APPS)}.")
        with self._read() as conn:
            session = self._facilitator_row(conn, code, key)
            query = select(responses).where(responses.c.session_id == session.id)
            if app is not None:
                query = query.where(responses.c.app == app)
            if item is not None:
                query = query.where(responses.c.item == item)
            return session, conn.execute(query.order_by(responses.c.id)).all()

    def responses(self, code: str, key: str, app: str | None = None) -> list[dict]:
        """Every answer of the session (one app's, with ``app``), oldest first.

        Keys: ``id``, ``app``, ``item``, ``time``, ``respondent``, ``answer``, ``answered``.
        """
        _, rows = self._rows(code, key, app)
        return [
            {
                "id": r.id,
                "app": r.app,
                "item": r.item,
                "time": r.time,
                "respondent": r.respondent,
                "answer": r.answer,
                "answered": r.answered,
            }
            for r in rows
        ]

    def item_answers(self, code: str, key: str, app: str, item: str) -> list[str]:
        """The latest answer of each participant to one item."""
        _, rows = self._rows(code, key, app, item)
        latest: dict[str, str] = {}
        for r in rows:  # oldest first: later answers replace earlier ones
            latest.pop(r.respondent, None)
            latest[r.respondent] = r.answer
        return list(latest.values())

    def joined(self, code: str, key: str) -> int:
        """How many participant pages have joined the session."""
        with self._read() as conn:
            session = self._facilitator_row(conn, code, key)
            query = select(func.count()).where(joins.c.session_id == session.id)
            return int(conn.execute(query).scalar_one())

    def count(self, code: str, key: str, app: str | None = None) -> int:
        """How many answers the session has (of one app, with ``app``)."""
        with self._read() as conn:
            session = self._facilitator_row(conn, code, key)
            query = select(func.count()).where(responses.c.session_id == session.id)
            if app is not None:
                query = query.where(responses.c.app == app)
            return int(conn.execute(query).scalar_one())

    def export_csv(self, code: str, key: str, app: str | None = None) -> str:
        """The session's answers as CSV text, safe to open in a spreadsheet.

        Columns: :data:`peercare.contract.EXPORT_COLUMNS`: the long layout of
        :mod:`peercare.evaluation.tables` plus ``app``. To load one instrument, keep its items'
        rows and drop ``app``. Every cell goes through
        :func:`peercare.contract.spreadsheet_safe` (cells a spreadsheet would run as a
        formula get a leading ``'``; :func:`peercare.contract.spreadsheet_text` undoes it).
        """
        session, rows = self._rows(code, key, app)
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        for r in rows:
            cells = (r.respondent, session.code, r.time or "", r.app, r.item, r.answer)
            writer.writerow([spreadsheet_safe(c) for c in cells])
        return out.getvalue()
