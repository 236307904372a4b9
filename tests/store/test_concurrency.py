"""Many participants at once: every acknowledged answer is in the store, none twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from peercare import codes
from peercare.store import Store

THREADS, EACH = 8, 25


def _hammer(url, code, worker, shared=None):
    store = shared or Store(url)  # a Store per thread is like a kernel per participant
    token = codes.new_respondent()
    try:
        return [
            (store.add_response(code, "quiz", f"q{n % 5}", f"{worker}:{n}", respondent=token), n)
            for n in range(EACH)
        ]
    finally:
        if shared is None:
            store.close()


def _check(store, info, key, acknowledged):
    rows = store.responses(info.code, key)
    ids = [row_id for row_id, _ in acknowledged]
    assert len(ids) == len(set(ids)) == THREADS * EACH
    assert {r["id"] for r in rows} == set(ids)
    assert sorted(r["answer"] for r in rows) == sorted(
        f"{w}:{n}" for w in range(THREADS) for n in range(EACH)
    )


def test_writers_in_separate_stores_lose_nothing(store, db_url, session):
    info, key = session
    start = threading.Barrier(THREADS)

    def work(worker):
        start.wait()
        return _hammer(db_url, info.code, worker)

    with ThreadPoolExecutor(THREADS) as pool:
        acknowledged = [a for part in pool.map(work, range(THREADS)) for a in part]
    _check(store, info, key, acknowledged)


def test_writers_sharing_one_store_lose_nothing(store, session):
    info, key = session
    with ThreadPoolExecutor(THREADS) as pool:
        parts = pool.map(lambda w: _hammer(None, info.code, w, shared=store), range(THREADS))
        acknowledged = [a for part in parts for a in part]
    _check(store, info, key, acknowledged)


def test_readers_and_writers_at_once(store, session):
    info, key = session
    stop = threading.Event()
    seen = []

    def read():
        while not stop.is_set():
            seen.append(store.count(info.code, key))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda w: _hammer(None, info.code, w, shared=store), range(4)))
    finally:
        stop.set()
        reader.join()
    assert seen == sorted(seen)  # counts only grow
    assert store.count(info.code, key) == 4 * EACH


def test_sessions_created_at_once_get_different_codes(db_url):
    def make(i):
        store = Store(db_url)
        try:
            return store.create_session(f"Room {i}")[0].code
        finally:
            store.close()

    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(make, range(12)))
    assert len(set(codes)) == 12


def test_first_use_from_many_processes_at_once_migrates_once(empty_url):
    start = threading.Barrier(6)

    def first_use(_):
        store = Store(empty_url)
        try:
            start.wait()
            return store.create_session("Same moment")[0].code
        finally:
            store.close()

    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(first_use, range(6)))
    assert len(set(codes)) == 6
