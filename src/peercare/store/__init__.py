"""The session store: sessions, anonymous answers, and what the facilitator may read.

See :mod:`peercare.store.api` for the rules and :mod:`peercare.store.db` for where the
data lives (SQLite by default, PostgreSQL with ``PEERCARE_DB_URL``).
"""

from ..paths import DATA_ENV
from .api import (
    APPS,
    CSV_COLUMNS,
    InputRefused,
    NotAuthorized,
    SessionInfo,
    SessionNotFound,
    Store,
    StoreUnavailable,
    check_answer,
    spreadsheet_safe,
)
from .db import DB_ENV, HEAD

__all__ = [
    "APPS",
    "CSV_COLUMNS",
    "DATA_ENV",
    "DB_ENV",
    "HEAD",
    "InputRefused",
    "NotAuthorized",
    "SessionInfo",
    "SessionNotFound",
    "Store",
    "StoreUnavailable",
    "check_answer",
    "spreadsheet_safe",
]
