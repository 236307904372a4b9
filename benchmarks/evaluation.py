"""Evaluation figure: the full analysis on 10,000 synthetic respondents.

Writes the demo CSVs to a temporary folder, then times what an evaluator's run does:
load and check every file, every analysis, and the whole report with its charts, as HTML.
Target: at most 10 s on one machine. Printed, not asserted.
Run: .venv/bin/python benchmarks/evaluation.py [respondents]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import machine_line  # noqa: E402
from peercare.content.bank import load_all  # noqa: E402
from peercare.evaluation.dataset import open_data  # noqa: E402
from peercare.evaluation.demo import write_demo  # noqa: E402
from peercare.evaluation.report import build_report  # noqa: E402

TARGET_S = 10.0


def main(n: int = 10_000) -> None:
    banks = load_all()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_demo(Path(tmp) / "demo", n=n, banks=banks)
        rows = sum(len(p.read_text().splitlines()) - 1 for p in folder.glob("*.csv"))
        start = time.perf_counter()
        data = open_data(folder, banks=banks)
        loaded = time.perf_counter()
        html = build_report(data).to_html()
        done = time.perf_counter()
    print(f"respondents: {n:,} ({rows:,} CSV rows in {len(data.parts)} files)")
    print(f"load and check: {loaded - start:.2f} s")
    print(f"analysis and report ({len(html) / 1e6:.1f} MB HTML): {done - loaded:.2f} s")
    print(
        f"full analysis: {done - start:.2f} s (target <= {TARGET_S:.0f} s, "
        f"ratio {(done - start) / TARGET_S:.2f})"
    )
    print(machine_line())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
