"""The store's SQLite file holds everyone's answers: readable by its owner only."""

from __future__ import annotations

import os

from peercare.store import Store


def test_the_sqlite_file_and_its_journals_are_private(tmp_path):
    old = os.umask(0o022)  # a usual umask: files would be readable by everyone
    try:
        store = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
        info, _ = store.create_session("Private")
        store.add_response(info.code, "checkin", "arrival", "3")
        made = sorted(p.name for p in tmp_path.iterdir())
        assert "sessions.sqlite" in made and "sessions.sqlite-wal" in made
        for name in made:
            assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name
        store.close()
        # a file an older kit left readable is made private on first use
        (tmp_path / "sessions.sqlite").chmod(0o644)
        again = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
        assert again.open_session(info.code).title == "Private"
        assert (tmp_path / "sessions.sqlite").stat().st_mode & 0o777 == 0o600
        again.close()
    finally:
        os.umask(old)
