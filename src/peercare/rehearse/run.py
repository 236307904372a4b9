"""The rehearsal from start to end: stages in order, each timed, then the checks; the
servers and kernels it started are stopped whatever happens (also on Ctrl-C)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..content.schema import ProblemsError
from ..contract import THRESHOLD_MAX, THRESHOLD_MIN
from ..paths import project_root
from . import checks as C
from .ledger import Ledger
from .model import Cohort
from .servers import children, live_server, rss_mib
from .table import results


class RehearsalError(ProblemsError):
    """The rehearsal cannot start; the message says why."""


@dataclass
class Options:
    sessions: int = 4
    participants: int = 30
    candidates: int = 5
    store: str | None = None  # a database URL; default: an SQLite file in the output folder
    out: Path | None = None
    seed: int = 2026
    threshold: int = 5

    def check(self) -> None:
        problems = []
        if self.sessions < 1:
            problems.append("--sessions must be 1 or more")
        if self.participants < THRESHOLD_MIN:
            problems.append(f"--participants must be {THRESHOLD_MIN} or more")
        if self.candidates < 0:
            problems.append("--candidates must be 0 or more (0 skips certification)")
        if not THRESHOLD_MIN <= self.threshold <= THRESHOLD_MAX:
            problems.append(f"--threshold must be {THRESHOLD_MIN} to {THRESHOLD_MAX}")
        if self.out is not None and self.out.exists() and any(self.out.iterdir()):
            problems.append(f"{self.out} is not empty; give a new folder with --out")
        if problems:
            raise RehearsalError(problems)


class PeakMemory:
    """Samples the resident memory of this process and everything under it."""

    def __init__(self, every: float = 0.5):
        self.every, self.peak = every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, rss_mib([me, *children(me)]))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def default_out() -> Path:
    return Path("rehearsals") / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def _write_ledger(ledger: Ledger, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["session", "app", "item", "answer", "time"])
        writer.writerows([s.session, s.app, s.item, s.answer, s.time] for s in ledger.sent)


def rehearse(opts: Options, tamper: Callable[[Path], None] | None = None, out=print) -> int:
    """Run the rehearsal; 0 when every check held, else 1 (the failed checks are named).

    ``tamper`` (tests only) is called with the exports folder before the evaluation
    reads it, to show that a broken path is caught."""
    from ..store import Store
    from .certification import run_certification
    from .evaluation import run_evaluation
    from .sessions import run_sessions

    opts.check()
    root = project_root()
    folder = (opts.out or default_out()).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    store_url = opts.store or f"sqlite:///{folder / 'data' / 'sessions.sqlite'}"
    (folder / "data").mkdir(exist_ok=True)
    out(f"Rehearsal: {opts.sessions} session(s) x {opts.participants} participants, "
        f"{opts.candidates} candidate(s), seed {opts.seed}; everything goes to {folder}")  # fmt: skip
    cohort = Cohort.make(opts.participants, opts.sessions, opts.seed)
    ledger, stages, found, answers = Ledger(), {}, [], []
    runs, cert, evaluation, server = [], None, None, None
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[name] = stages.get(name, 0.0) + now - clock
        clock = now

    with PeakMemory() as memory:
        try:
            try:
                pool = opts.participants + max(1, opts.participants // 10)
                with live_server(root, folder / "data", store_url, pool,
                                 folder / "logs" / "voila.log") as server:  # fmt: skip
                    waited = server.wait_for_pool(pool)
                    out(f"[servers      ] apps at {server.url}; {pool} participant pages "
                        f"ready after {waited:.0f} s")  # fmt: skip
                    lap("servers")
                    run_sessions(server.url, cohort, ledger, opts.threshold,
                                 folder / "exports", runs)  # fmt: skip
                    lap("sessions")
            except Exception as exc:
                found.append(C.Check("sessions ran", False, _why(exc, server)))
                lap("sessions" if "servers" in stages else "servers")
            lap("servers")  # stopping them
            if server is not None:
                found.append(C.stopped_check(server))
            _write_ledger(ledger, folder / "sent.csv")
            if opts.candidates:
                try:
                    cert = run_certification(opts.candidates, folder / "certification", root)
                    found += [C.autograde_check(cert.ours, cert.nbgrader), C.decisions_check(cert)]
                    certificates = cert.course / "certificates"
                    if certificates.is_dir():
                        shutil.copytree(certificates, folder / "certificates")
                except Exception as exc:
                    found.append(C.Check("certification ran", False, _why(exc)))
                lap("certification")
            exports = [r.export for r in runs if r.export.is_file()]
            if runs:
                if tamper is not None:
                    tamper(folder / "exports")
                try:
                    scores = cert.scores if cert else None
                    evaluation = run_evaluation(exports, scores, folder / "evaluation",
                                                opts.threshold, root)  # fmt: skip
                    shutil.copy(evaluation.report, folder / "report.html")
                except Exception as exc:
                    found.append(C.Check("evaluation ran", False, _why(exc)))
                lap("evaluation")
                store = Store(store_url)
                try:
                    stored = C.stored_rows(store, runs)
                finally:
                    store.close()
                check, answers = C.answers_check(ledger, stored, C.exported_rows(exports),
                                                 evaluation.read if evaluation else None)  # fmt: skip
                found += [check, C.tallies_check(runs, opts.threshold)]
                if evaluation is not None:
                    found.append(C.report_check(evaluation.report, opts.threshold))
                    found.append(C.change_check(cohort.expected_change(), evaluation.change))
                    if evaluation.failed_notebooks:
                        found.append(C.Check("research notebooks ran", False,
                                             ", ".join(evaluation.failed_notebooks)))  # fmt: skip
                lap("checks")
        except KeyboardInterrupt:
            out("Stopped by Ctrl-C; the servers and kernels it started are stopped.")
            for c in found:
                out(f"{'ok  ' if c.ok else 'FAIL'}  {c.name}: {c.detail}")
            return 130
    text = results(found, answers, stages, memory.peak)
    (folder / "results.txt").write_text(text + "\n", encoding="utf-8")
    summary = {
        "options": {**asdict(opts), "out": str(folder), "store": _safe(store_url)},
        "checks": [asdict(c) for c in found],
        "answers": answers, "stages_seconds": stages, "peak_memory_mib": memory.peak,
        "expected_change": cohort.expected_change(),
        "sessions": [{"number": r.number, "plan": r.plan, "code": r.code,
                      "export": str(r.export)} for r in runs],
    }  # fmt: skip
    (folder / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
    out("")
    out(text)
    failed = [c.name for c in found if not c.ok]
    if failed:
        out(f"\nFAILED: {'; '.join(failed)}. Everything is in {folder}")
        return 1
    out(f"\nAll {len(found)} checks held. Everything is in {folder}")
    return 0


def _safe(url: str) -> str:
    from ..store.db import resolve_url, safe_url

    return safe_url(resolve_url(url))


def _why(exc: BaseException, server=None) -> str:
    """The error in one line, with where it happened (the innermost frame)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno} ({frames[-1].name})" \
        if frames else ""  # fmt: skip
    text = f"{type(exc).__name__}: {exc}"[:500] + where
    if server is not None and getattr(server, "log", None):
        text += f" (Voila's log: {server.log})"
    return text
