"""Progress on the terminal: one line per step, with the stage, the step count and the
seconds since the stage began (tqdm is not one of the kit's dependencies)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, stage: str, total: int, out=None):
        self.stage, self.total, self.done = stage, total, 0
        self.out = out or sys.stdout
        self.start = time.perf_counter()
        self.say(f"starting ({total} steps)")

    def say(self, text: str) -> None:
        took = time.perf_counter() - self.start
        print(f"[{self.stage:<13}] {self.done:>2}/{self.total:<2} {took:6.1f} s  {text}",
              file=self.out, flush=True)  # fmt: skip

    def step(self, text: str) -> None:
        self.done += 1
        self.say(text)
