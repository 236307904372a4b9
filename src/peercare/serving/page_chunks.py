"""The script parts every app page needs, sent as one file instead of about 86.

Voila's page script (``voila.js``) fetches its parts ("chunks") one file at a time as it
runs: about 86 of them (72 of its own, 14 of the widget extensions), over the 6 connections a browser opens to one server, one after
another as each part asks for the next. On loopback that chain took about a second of the
2.7 s until the join box was usable. ``chunks.js`` holds the parts the participant page
loads (listed in ``share/voila/page-chunks.txt``), and our template runs it just before
``voila.js``. Each part registers itself with webpack's list of loaded chunks, which
``voila.js`` reads when it starts, so it never asks the server for them; a part it needs
that is not in the file (another page, another Voila version) it fetches as before.

It is compressed once, in the background as Voila starts, not for every phone, and a
repeat visit costs one "not modified" answer (Tornado's ETag check, on our digest).
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from pathlib import Path

from jupyter_core.paths import jupyter_path
from tornado.web import RequestHandler

LIST = Path(__file__).resolve().parents[1] / "share" / "voila" / "page-chunks.txt"
URL = "voila/peercare/chunks.js"


def _find(relative: str) -> Path | None:
    """A listed part in the first Jupyter data folder that has it (as Voila finds it)."""
    for root in jupyter_path():
        if (Path(root) / relative).is_file():
            return Path(root) / relative
    return None


def listed() -> list[str]:
    """The parts in ``page-chunks.txt``, as paths under a Jupyter data folder."""
    lines = LIST.read_text(encoding="utf-8").splitlines()
    return [x.strip() for x in lines if x.strip() and not x.startswith("#")]


@cache
def bundle() -> tuple[bytes, bytes, str]:
    """The listed parts that exist here, one after another: (plain, gzipped, ETag)."""
    parts = [found for found in map(_find, listed()) if found]
    plain = b"".join(p.read_bytes().rstrip(b"\n") + b"\n" for p in parts)
    return plain, gzip.compress(plain, 6, mtime=0), hashlib.sha256(plain).hexdigest()[:20]


class ChunksHandler(RequestHandler):
    """``chunks.js``: compressed when the browser accepts it, revalidated by ETag."""

    def compute_etag(self) -> str:  # the digest, not a hash of 1.2 MB at every request
        return f'"{bundle()[2]}"'

    def get(self) -> None:
        plain, packed, _ = bundle()
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")  # reuse after a "not modified" answer
        self.set_header("Vary", "Accept-Encoding")
        if "gzip" in self.request.headers.get("Accept-Encoding", ""):
            self.set_header("Content-Encoding", "gzip")  # Tornado then leaves it as it is
            self.finish(packed)
        else:
            self.finish(plain)
