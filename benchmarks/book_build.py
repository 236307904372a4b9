"""Book build figures: clean build vs rebuilds after one chapter or its question bank is
touched (new file time, same bytes) or edited (a comment line added, taken out again at the
end), and the bytes a chapter page transfers (gzip, as `peercare serve` and most static
hosts send it). A rebuild judges the bank by its content, so a touched bank is no change;
Sphinx judges a page by its file time, so a touched chapter is read again.

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
from peercare.book.build import build  # noqa: E402
from peercare.serving.serve import book_server  # noqa: E402
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
    chapter = ROOT / "book" / "coping" / "index.md"
    bank = ROOT / "book" / "coping" / "questions.yml"
    texts = {f: f.read_bytes() for f in (chapter, bank)}
    try:
        clean = timed_build()
        chapter.touch()
        rebuilds = {"one chapter touched": timed_build()}
        chapter.write_bytes(texts[chapter] + b"\n% benchmark: an edit that shows nothing\n")
        rebuilds["one chapter edited"] = timed_build()
        bank.touch()
        rebuilds["its question bank touched"] = timed_build()
        bank.write_bytes(texts[bank] + b"\n# benchmark: an edit that changes no question\n")
        rebuilds["its question bank edited"] = timed_build()
        rebuilds["nothing changed"] = timed_build()
    finally:
        for f, data in texts.items():
            f.write_bytes(data)
    server = book_server(ROOT / "_build" / "html", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    nbytes, nreq = page_bytes(f"http://127.0.0.1:{port}/book/coping/index.html")
    server.shutdown()
    print(f"{'clean build':<34}{clean:8.1f} s")
    for what, seconds in rebuilds.items():
        target = " (target <= 0.2x)" if what == "one chapter edited" else ""
        print(f"{'rebuild, ' + what:<34}{seconds:8.1f} s   ratio {seconds / clean:.2f}x{target}")
    print(
        f"{'chapter page transfer (gzip)':<34}{nbytes / 1e6:8.2f} MB  in {nreq} requests (target <= 2 MB)"
    )
    print(machine_line())


if __name__ == "__main__":
    main()
