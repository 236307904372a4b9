"""Tests of the session store, live codes and counts, on SQLite and PostgreSQL."""
