"""Sessions: join codes, facilitator keys, closing, and who may read what."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from peercare import codes, live
from peercare.store import NotAuthorized, SessionNotFound, Store
from peercare.store.models import now, sessions


def test_a_new_session_has_a_readable_code_and_a_key_shown_once(store):
    info, key = store.create_session("Tuesday team", threshold=5)
    assert len(info.code) == 6 and set(info.code) <= set(codes.ALPHABET)
    assert not set(info.code) & set("0O1IL")
    assert len(key) == 14 and key.count("-") == 2
    assert info.is_open and info.created.tzinfo is not None
    with store.engine.connect() as conn:
        stored = conn.execute(select(sessions.c.key_hash)).scalar_one()
    assert stored.startswith("scrypt$") and codes.normalize_code(key) not in stored
    assert key not in stored


def test_the_key_opens_the_facilitator_view_and_nothing_else_does(store, session):
    info, key = session
    assert store.session_for_facilitator(info.code, key) == info
    assert store.session_for_facilitator(info.code.lower(), key.lower().replace("-", " ")) == info
    fresh = Store(store.url)  # another process: no remembered keys, scrypt check
    try:
        assert fresh.session_for_facilitator(info.code, key) == info
        for wrong in ("", "   ", None, key[:-1] + ("A" if key[-1] != "A" else "B"), "x" * 5000):
            with pytest.raises(NotAuthorized):
                fresh.session_for_facilitator(info.code, wrong)
            with pytest.raises(NotAuthorized):
                fresh.responses(info.code, wrong)
            with pytest.raises(NotAuthorized):
                fresh.export_csv(info.code, wrong)
            with pytest.raises(NotAuthorized):
                fresh.close_session(info.code, wrong)
            with pytest.raises(NotAuthorized):
                live.Room.of(fresh, info.code, wrong)
            with pytest.raises(NotAuthorized):
                fresh.joined(info.code, wrong)
    finally:
        fresh.close()
    assert store.open_session(info.code).is_open  # a wrong key closed nothing


def test_another_sessions_key_does_not_open_this_one(store):
    a, key_a = store.create_session("A")
    b, key_b = store.create_session("B")
    store.add_response(b.code, "checkin", "mood", "secret")
    with pytest.raises(NotAuthorized, match="does not match"):
        store.responses(b.code, key_a)
    assert [r["answer"] for r in store.responses(b.code, key_b)] == ["secret"]
    assert store.responses(a.code, key_a) == []


def test_an_unknown_code_is_not_found_for_the_facilitator(store, session):
    with pytest.raises(SessionNotFound):
        store.responses("ZZZZZZ", session[1])


def test_participants_get_the_session_but_no_answers(store, session):
    info, _ = session
    store.add_response(info.code, "checkin", "word", "private")
    joined = store.open_session(info.code)
    assert "private" not in repr(joined) and not hasattr(joined, "key_hash")


def test_joins_are_counted_with_nothing_about_who(store, session):
    info, key = session
    assert store.joined(info.code, key) == 0
    for _ in range(3):
        assert store.join_session(info.code.lower()) == store.open_session(info.code)
    with pytest.raises(SessionNotFound):
        store.join_session("ZZZZZZ")
    assert store.joined(info.code, key) == 3
    store.close_session(info.code, key)
    with pytest.raises(SessionNotFound):
        store.join_session(info.code)  # a closed session takes no one in
    assert store.joined(info.code, key) == 3


def test_closing_keeps_the_answers_for_the_facilitator(store, session):
    info, key = session
    store.add_response(info.code, "quiz", "q1", "a")
    store.close_session(info.code, key)
    store.close_session(info.code, key)  # closing twice is fine
    closed = store.session_for_facilitator(info.code, key)
    assert closed.closed is not None and not closed.is_open
    assert store.count(info.code, key) == 1
    assert "q1" in store.export_csv(info.code, key)


def test_new_code_never_returns_a_taken_one():
    taken = {codes.new_code() for _ in range(50)}
    for _ in range(500):
        assert codes.new_code(taken) not in taken
    assert codes.new_code(lambda c: c[0] != "A").startswith("A")
    with pytest.raises(RuntimeError, match="no free session code"):
        codes.new_code(lambda c: True, tries=5)


def test_codes_are_unique_among_open_sessions(store, monkeypatch):
    first, key = store.create_session("First")
    # the database refuses a second open session with the same code...
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(
            insert(sessions).values(
                code=first.code, title="x", created=now(), threshold=5, key_hash="scrypt$x"
            )
        )
    # ...the store never asks for one: new_code is told which codes are open
    seen = []
    real = codes.new_code

    def recording(taken=(), *args, **kwargs):
        seen.append(set(taken))
        return real(taken, *args, **kwargs)

    monkeypatch.setattr(codes, "new_code", recording)
    second, _ = store.create_session("Second")
    assert first.code in seen[-1] and second.code != first.code
    # once closed, its code may be used again; each key still opens its own session
    store.close_session(first.code, key)
    monkeypatch.setattr(codes, "new_code", lambda taken=(), *a, **k: first.code)
    again, key_again = store.create_session("Again")
    assert again.code == first.code
    store.add_response(first.code, "checkin", "mood", "new")
    assert store.session_for_facilitator(first.code, key_again).title == "Again"
    assert store.session_for_facilitator(first.code, key).title == "First"
    assert store.responses(first.code, key) == []
    assert [r["answer"] for r in store.responses(first.code, key_again)] == ["new"]


def test_many_open_sessions_all_get_different_codes(store):
    codes = [store.create_session(f"S{i}")[0].code for i in range(40)]
    assert len(set(codes)) == 40


def test_key_hashes_are_salted():
    key = codes.new_key()
    one, two = codes.hash_key(key), codes.hash_key(key)
    assert one != two
    assert codes.check_key(key, one) and codes.check_key(key.lower(), two)
    assert not codes.check_key(codes.new_key(), one)
    assert not codes.check_key(key, "not a hash") and not codes.check_key(key, "md5$1$2$3$4$5")
