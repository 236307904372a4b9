"""What every benchmark prints beside its absolute times, so figures from a slow laptop, a
fast server and a busy shared machine can be compared."""

from __future__ import annotations

import os
import time


def cpu_reference() -> float:
    """Seconds for a fixed pure-Python loop (20 million additions), as in issue 16."""
    start = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i
    return time.perf_counter() - start


def machine_line() -> str:
    """One line: CPU reference, cores and the load average when it was measured."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"CPU reference (20M additions in Python): {cpu_reference():.2f} s; "
        f"{os.cpu_count()} cores; load average {load}"
    )
