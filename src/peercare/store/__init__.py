"""The session store: sessions, anonymous answers, and what the facilitator may read.

See :mod:`peercare.store.api` for the rules and :mod:`peercare.store.db` for where the
data lives (SQLite by default, PostgreSQL with ``PEERCARE_DB_URL``).
"""

from ..contract import APPS, EXPORT_COLUMNS, spreadsheet_safe
from ..paths import DATA_ENV
from .api import (
    InputRefused,
    NotAuthorized,
    SessionInfo,
    SessionNotFound,
    Store,
    StoreUnavailable,
    check_answer,
)
from .db import DB_ENV, HEAD

__all__ = [
    "APPS",
    "EXPORT_COLUMNS",
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
