"""The rehearsal's results as plain-text tables, for the terminal and ``results.txt``."""

from __future__ import annotations


def table(headers: list[str], rows: list[tuple]) -> str:
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells[1:]]
    return "\n".join(out)


def results(checks, answers: list[tuple], stages: dict[str, float], peak_mib: float) -> str:
    parts = [
        "Checks",
        table(
            ["", "check", "what was found"],
            [("ok " if c.ok else "FAIL", c.name, c.detail) for c in checks],
        ),  # fmt: skip
    ]
    if answers:
        parts += ["", "Answers per app",
                  table(["app", "sent", "stored", "exported", "read"], answers)]  # fmt: skip
    parts += ["", "Time per stage",
              table(["stage", "seconds"], [(k, f"{v:.1f}") for k, v in stages.items()]
                    + [("total", f"{sum(stages.values()):.1f}")])]  # fmt: skip
    parts.append(f"\nPeak memory (the rehearsal, Voila, kernels, grading): {peak_mib:.0f} MiB")
    return "\n".join(parts)
