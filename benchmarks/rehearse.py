"""The full rehearsal, timed: 4 sessions x 30 participants on the real apps, 5
certification candidates, the evaluation notebooks and report (``peercare rehearse``
with its defaults), in a fresh folder. Prints its checks and the time per stage, beside a
CPU reference figure (a fixed pure-Python loop of 20 million additions) and the load
average, because the machine may be shared. Target: under 10 minutes on 2 cores, 0
answers lost. Printed, not asserted (the rehearsal's own checks decide the exit code).

Run: .venv/bin/python benchmarks/rehearse.py [sessions participants candidates]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import cpu_reference  # noqa: E402
from peercare.rehearse import Options, rehearse  # noqa: E402

TARGET_S = 600


def main(sessions: int = 4, participants: int = 30, candidates: int = 5) -> int:
    before = os.getloadavg()
    ref = cpu_reference()
    out = Path(tempfile.mkdtemp(prefix="peercare-rehearsal-")) / "run"
    start = time.perf_counter()
    code = rehearse(Options(sessions, participants, candidates, out=out))
    took = time.perf_counter() - start
    after = os.getloadavg()
    print(f"\ncores: {os.cpu_count()}; CPU reference (20M additions): {ref:.2f} s")
    print(f"load average before: {before[0]:.1f} {before[1]:.1f} {before[2]:.1f}; "
          f"after: {after[0]:.1f} {after[1]:.1f} {after[2]:.1f}")  # fmt: skip
    if code == 130:
        print(f"stopped by Ctrl-C after {took:.0f} s")
        return code
    verdict = "within" if took < TARGET_S else "OVER"
    print(f"whole rehearsal: {took:.0f} s ({verdict} the {TARGET_S // 60}-minute target)")
    return code


if __name__ == "__main__":
    sys.exit(main(*(int(x) for x in sys.argv[1:4])))
