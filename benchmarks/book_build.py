"""Book build figures: clean build vs rebuild after touching one chapter, and the bytes a
chapter page transfers (gzip, as `peercare serve` and most static hosts send it).

Targets: rebuild at most 0.2x of clean; a chapter page at most 2 MB. Printed, not asserted.
Run: .venv/bin/python benchmarks/book_build.py
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import machine_line  # noqa: E402
from peercare.book import build  # noqa: E402
from peercare.serve import book_server  # noqa: E402
from tests.browser import chromium, count_transfer, guarded_context  # noqa: E402


def timed_build() -> float:
    start = time.perf_counter()
    build(ROOT, quiet=True)
    return time.perf_counter() - start


def page_bytes(url: str) -> tuple[int, int]:
    """(bytes on the wire, request count) for one page load in Chromium."""
    with chromium(shutil.which("chromium") or "/usr/bin/chromium") as browser:
        context = guarded_context(browser)
        page = context.new_page()
        sizes = count_transfer(context, page)
        page.goto(url)
        page.wait_for_selector(".pcq fieldset", timeout=30_000)
        page.wait_for_load_state("networkidle")
        return sum(sizes.values()), len(sizes)


def main() -> None:
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    clean = timed_build()
    chapter = ROOT / "book" / "coping" / "index.md"
    chapter.touch()
    rebuild_touched = timed_build()
    bank = ROOT / "book" / "coping" / "questions.yml"
    bank.touch()
    rebuild_bank = timed_build()
    noop = timed_build()
    server = book_server(ROOT / "_build" / "html", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    nbytes, nreq = page_bytes(f"http://127.0.0.1:{port}/book/coping/index.html")
    server.shutdown()
    print(f"{'clean build':<34}{clean:8.1f} s")
    print(
        f"{'rebuild, one chapter touched':<34}{rebuild_touched:8.1f} s   ratio {rebuild_touched / clean:.2f}x (target <= 0.2x)"
    )
    print(
        f"{'rebuild, one question bank edited':<34}{rebuild_bank:8.1f} s   ratio {rebuild_bank / clean:.2f}x"
    )
    print(f"{'rebuild, nothing changed':<34}{noop:8.1f} s   ratio {noop / clean:.2f}x")
    print(
        f"{'chapter page transfer (gzip)':<34}{nbytes / 1e6:8.2f} MB  in {nreq} requests (target <= 2 MB)"
    )
    print(machine_line())


if __name__ == "__main__":
    main()
