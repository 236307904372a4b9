"""Join codes for a session on the internet are longer (``peercare serve --public-url``
sets $PEERCARE_CODE_LENGTH): 8 characters instead of 6, read the same way."""

from __future__ import annotations

import pytest

from peercare import codes
from peercare.store import InputRefused


def test_long_codes_join_and_take_answers(store, monkeypatch):
    monkeypatch.setenv(codes.CODE_LENGTH_ENV, str(codes.PUBLIC_CODE_LENGTH))
    info, key = store.create_session("On the internet")
    assert len(info.code) == codes.PUBLIC_CODE_LENGTH and codes.is_code(info.code)
    typed = f"{info.code[:4].lower()}-{info.code[4:]}"
    assert store.open_session(typed).title == "On the internet"
    store.add_response(typed, "checkin", "arrival", "4")
    assert store.count(info.code, key) == 1
    short, _ = store.create_session("In the room", code_length=codes.CODE_LENGTH)
    assert len(short.code) == codes.CODE_LENGTH and store.open_session(short.code)
    with pytest.raises(InputRefused, match="6 or 8 characters"):
        store.create_session("Odd", code_length=7)


def test_default_codes_stay_six_long(store, monkeypatch):
    monkeypatch.delenv(codes.CODE_LENGTH_ENV, raising=False)
    info, _ = store.create_session("Default")
    assert len(info.code) == codes.CODE_LENGTH
