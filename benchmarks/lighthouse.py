"""The book on a phone: Lighthouse 12.2.3 (mobile profile: simulated slow 4G, 4x slower CPU)
with Debian's Chromium against the book server (gzip on), for the home page, a chapter and
the glossary. Prints performance, first contentful paint, time to interactive, bytes and
accessibility beside the figures measured before the change (``lighthouse_before.json``),
with a CPU reference figure so absolute times can be compared across machines.

Targets (issue 16), chapter page: performance >= 0.90, FCP <= 2.5 s, <= 400 KiB, a11y 1.00.
Measured on the shared 2-core machine, 2026-11-30 (CPU reference 2.60 s before, 2.29 s after):

    page      performance  FCP s       TTI s        TBT s         KiB           a11y
    home      0.25 -> 0.93  9.0 -> 2.1  21.0 -> 2.4  11.29 -> 0.15  1,795 -> 158  1.00 -> 1.00
    chapter   0.26 -> 0.92  9.5 -> 2.1  20.6 -> 2.4  10.12 -> 0.15  1,801 -> 164  1.00 -> 1.00
    glossary  0.40 -> 0.96  3.5 -> 2.0   7.5 -> 2.2   1.42 -> 0.03    865 -> 155  1.00 -> 1.00

Performance moves with the machine's load (the chapter scored 0.84 in a run with a CPU
reference of 3.44 s); bytes and FCP hold steady.

Setup once: ``npm ci --prefix benchmarks`` (Lighthouse is not part of ``make setup``).
Run: ``python benchmarks/lighthouse.py [HTML_DIR] [--save-before]``; HTML_DIR defaults to
``_build/html`` (build the book first). ``--save-before`` records this run as the baseline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks.machine import cpu_reference  # noqa: E402
from peercare.serving.serve import book_server  # noqa: E402

HERE = Path(__file__).resolve().parent
BEFORE = HERE / "lighthouse_before.json"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "home": "book/welcome/index.html",
    "chapter": "book/stressors-responses/index.html",
    "glossary": "book/glossary.html",
}
FLAGS = "--headless --no-sandbox --disable-background-networking --disable-component-update --no-first-run"
FIGURES = [  # (key, label, format)
    ("performance", "perf", "{:.2f}"),
    ("fcp", "FCP s", "{:.1f}"),
    ("tti", "TTI s", "{:.1f}"),
    ("tbt", "TBT s", "{:.2f}"),
    ("kib", "KiB", "{:,.0f}"),
    ("requests", "reqs", "{:d}"),
    ("accessibility", "a11y", "{:.2f}"),
]


def lighthouse(url: str) -> dict:
    """One Lighthouse run (default mobile settings: slow 4G, 4x CPU slowdown, simulated)."""
    with tempfile.TemporaryDirectory(prefix="peercare-lh-") as tmp:
        out = Path(tmp) / "report.json"
        env = dict(os.environ, CHROME_PATH=shutil.which("chromium") or "/usr/bin/chromium")
        cmd = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
               "--only-categories=performance,accessibility", f"--chrome-flags={FLAGS}"]  # fmt: skip
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        if not out.is_file():
            raise SystemExit(f"Lighthouse failed on {url}:\n{result.stderr[-2000:]}")
        report = json.loads(out.read_text())
    audits, cats = report["audits"], report["categories"]
    requests = audits["network-requests"]["details"]["items"]
    return {
        "performance": cats["performance"]["score"],
        "accessibility": cats["accessibility"]["score"],
        "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
        "tti": audits["interactive"]["numericValue"] / 1000,
        "tbt": audits["total-blocking-time"]["numericValue"] / 1000,
        "kib": audits["total-byte-weight"]["numericValue"] / 1024,
        "requests": len(requests),
    }


def measure(html_dir: Path) -> dict:
    server = book_server(html_dir, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        pages = {name: lighthouse(f"{base}/{path}") for name, path in PAGES.items()}
    finally:
        server.shutdown()
        server.server_close()
    return {"cpu_reference_s": round(cpu_reference(), 2), "pages": pages}


def table(now: dict, before: dict | None) -> str:
    head = f"{'page':<10}" + "".join(f"{label:>18}" for _, label, _ in FIGURES)
    lines = [head + "   (before -> after)" if before else head]
    for name in PAGES:
        cells = []
        for key, _, fmt in FIGURES:
            value = fmt.format(now["pages"][name][key])
            if before:
                value = fmt.format(before["pages"][name][key]) + " -> " + value
            cells.append(f"{value:>18}")
        lines.append(f"{name:<10}" + "".join(cells))
    cpu = f"CPU reference (20M additions in Python): {now['cpu_reference_s']:.2f} s now"
    if before:
        cpu += f", {before['cpu_reference_s']:.2f} s when 'before' was measured"
    return "\n".join([*lines, cpu])


def main(argv: list[str]) -> None:
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run `npm ci --prefix benchmarks` first.")
    args = [a for a in argv if not a.startswith("--")]
    html_dir = Path(args[0]) if args else ROOT / "_build" / "html"
    now = measure(html_dir)
    if "--save-before" in argv:
        BEFORE.write_text(json.dumps(now, indent=1) + "\n")
        print(table(now, None))
        return
    before = json.loads(BEFORE.read_text()) if BEFORE.is_file() else None
    print(table(now, before))


if __name__ == "__main__":
    main(sys.argv[1:])
