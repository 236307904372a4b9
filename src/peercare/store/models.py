"""The tables of the session store. Change them only together with a migration
(``src/peercare/store/migrations/``; a test fails when models and migrations drift).

There is deliberately no column for a name, e-mail, IP address, user agent or browser id,
anywhere. A participant is at most a random token made for one visit (``respondent``).
Feedback answers are rows of ``responses`` with ``app = 'feedback'``: one table keeps the
"committed before acknowledged" path and the export the same for every app.

Plain SQLAlchemy Core tables, no ORM: every participant's kernel imports this, and
``sqlalchemy.orm`` alone would add about 6 MiB to each.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    text,
)
from sqlalchemy.types import TypeDecorator

from ..contract import ANSWER_MAX

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TITLE_MAX = 200
APP_MAX = 16
ITEM_MAX = 64
TIME_MAX = 16
RESPONDENT_MAX = 64
STATE_NAME_MAX = 64


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back time-zone aware (SQLite keeps none)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must be time-zone aware")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def now() -> datetime:
    return datetime.now(UTC)


metadata = MetaData(naming_convention=NAMING)

# One live session. ``code`` is unique among open sessions (``closed`` is NULL).
sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), nullable=False, index=True),
    Column("title", String(TITLE_MAX), nullable=False),
    Column("created", UTCDateTime(), nullable=False),
    Column("closed", UTCDateTime(), nullable=True),
    Column("threshold", Integer, nullable=False),
    Column("key_hash", String(200), nullable=False),
    Index(
        "uq_sessions_open_code",
        "code",
        unique=True,
        sqlite_where=text("closed IS NULL"),
        postgresql_where=text("closed IS NULL"),
    ),
    CheckConstraint("threshold >= 2", name="threshold"),
)

# One answer: which session, app and item, the text, when; nothing about who.
responses = Table(
    "responses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("app", String(APP_MAX), nullable=False),
    Column("item", String(ITEM_MAX), nullable=False),
    Column("time", String(TIME_MAX), nullable=True),
    Column("respondent", String(RESPONDENT_MAX), nullable=False),
    Column("answer", String(ANSWER_MAX), nullable=False),
    Column("answered", UTCDateTime(), nullable=False),
    Index(None, "session_id", "app", "item"),
)

# Shared state of a live session that the facilitator sets and participants' pages read
# (for example which quiz question is being asked). Never answers: anyone with the join
# code can read it.
session_state = Table(
    "session_state",
    metadata,
    Column(
        "session_id",
        Integer,
        ForeignKey("sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("name", String(STATE_NAME_MAX), primary_key=True),
    Column("value", String(ANSWER_MAX), nullable=False),
    Column("updated", UTCDateTime(), nullable=False),
)

# One participant page joining a session: when, and nothing else (not even the page's
# token), so the dashboard can say how many phones are in.
joins = Table(
    "joins",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("joined", UTCDateTime(), nullable=False),
    Index(None, "session_id"),
)
