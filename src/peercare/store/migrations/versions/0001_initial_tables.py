"""Initial tables: sessions and responses (feedback is responses with app 'feedback').

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

OPEN = sa.text("closed IS NULL")


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed", sa.DateTime(timezone=True), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=200), nullable=False),
        sa.CheckConstraint("threshold >= 2", name="ck_sessions_threshold"),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
    )
    op.create_index("ix_sessions_code", "sessions", ["code"])
    # join codes are unique among open sessions
    op.create_index(
        "uq_sessions_open_code",
        "sessions",
        ["code"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("app", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("time", sa.String(length=16), nullable=True),
        sa.Column("respondent", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.String(length=2000), nullable=False),
        sa.Column("answered", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_responses_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_responses"),
    )
    op.create_index("ix_responses_session_id_app_item", "responses", ["session_id", "app", "item"])


def downgrade() -> None:
    op.drop_index("ix_responses_session_id_app_item", table_name="responses")
    op.drop_table("responses")
    op.drop_index("uq_sessions_open_code", table_name="sessions")
    op.drop_index("ix_sessions_code", table_name="sessions")
    op.drop_table("sessions")
