"""A participant page's seat: what the kernel stores, whatever messages the browser sends."""

from __future__ import annotations

import pytest

from peercare.apps import ui
from peercare.store import InputRefused

# `store`: tests/apps/conftest.py (SQLite and PostgreSQL)


def test_once_means_once_and_a_page_is_capped_per_minute(store):
    info, key = store.create_session("Cap", threshold=3)
    seat = ui.seat_for(store, info)
    seat.add("feedback", [("useful", "4")], once="feedback")
    with pytest.raises(ui.AlreadySent):
        seat.add("feedback", [("useful", "5")], once="feedback")
    # distinct steps (as forged "Start" clicks would make): stored until the cap
    refused = 0
    for n in range(ui.ROWS_PER_MINUTE + 20):
        try:
            seat.add("scenario", [("walk:step", "a")], once=n)
        except InputRefused as exc:
            assert "wait a minute" in str(exc)
            refused += 1
    assert store.count(info.code, key) == ui.ROWS_PER_MINUTE
    assert refused == 21
    # another page (another person) is not held back by this one
    ui.seat_for(store, info).add("feedback", [("useful", "3")], once="feedback")
    assert store.count(info.code, key, "feedback") == 2


def test_a_refused_answer_can_be_sent_again(store):
    """Once counts what was stored: an answer the store refused may be sent again."""
    info, key = store.create_session("Retry", threshold=3)
    seat = ui.seat_for(store, info)
    with pytest.raises(InputRefused):
        seat.add("checkin", [("arrival", "\0")], once="checkin")
    seat.add("checkin", [("arrival", "3")], once="checkin")
    assert store.count(info.code, key, "checkin") == 1
