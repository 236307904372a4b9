"""The tables of the session store. Change them only together with a migration
(``src/peercare/store/migrations/``; a test fails when models and migrations drift).

There is deliberately no column for a name, e-mail, IP address, user agent or browser id,
anywhere. A participant is at most a random token made for one visit (``respondent``).
Feedback answers are rows of ``responses`` with ``app = 'feedback'``: one table keeps the
"committed before acknowledged" path and the export the same for every app.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

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
ANSWER_MAX = 2000
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


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class SessionRow(Base):
    """One live session. ``code`` is unique among open sessions (``closed`` is NULL)."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    closed: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    threshold: Mapped[int] = mapped_column(Integer)
    key_hash: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        Index(
            "uq_sessions_open_code",
            "code",
            unique=True,
            sqlite_where=text("closed IS NULL"),
            postgresql_where=text("closed IS NULL"),
        ),
        CheckConstraint("threshold >= 2", name="threshold"),
    )


class ResponseRow(Base):
    """One answer: which session, app and item, the text, when; nothing about who."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    app: Mapped[str] = mapped_column(String(APP_MAX))
    item: Mapped[str] = mapped_column(String(ITEM_MAX))
    time: Mapped[str | None] = mapped_column(String(TIME_MAX), nullable=True)
    respondent: Mapped[str] = mapped_column(String(RESPONDENT_MAX))
    answer: Mapped[str] = mapped_column(String(ANSWER_MAX))
    answered: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index(None, "session_id", "app", "item"),)


class StateRow(Base):
    """Shared state of a live session that the facilitator sets and participants' pages read
    (for example which quiz question is being asked). Never answers: anyone with the join
    code can read it."""

    __tablename__ = "session_state"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(STATE_NAME_MAX), primary_key=True)
    value: Mapped[str] = mapped_column(String(ANSWER_MAX))
    updated: Mapped[datetime] = mapped_column(UTCDateTime())


sessions = SessionRow.__table__
responses = ResponseRow.__table__
session_state = StateRow.__table__
