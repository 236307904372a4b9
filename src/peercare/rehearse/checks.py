"""The rehearsal's checks: each one a name, whether it held, and what was found."""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .. import contract
from ..contract import spreadsheet_text
from .ledger import Ledger, Sent

ANSWERS = "answers sent = stored = exported = read"
TALLIES = "no dashboard tally under the threshold"
REPORT = "no report cell under the threshold"
AUTOGRADE = "our autograde = nbgrader autograde"
DECISIONS = "each candidate's expected decision"
CHANGE = "pre/post change matches the model"
STOPPED = "every server and kernel stopped"
LIVE_ONLY = "+".join(contract.LIVE_ONLY)  # the evaluation kit counts these together


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


# -- answers --------------------------------------------------------------------------------
def stored_rows(store, runs) -> list[Sent]:
    return [
        Sent(run.code, r["app"], r["item"], r["answer"], r["time"] or "")
        for run in runs
        for r in store.responses(run.code, run.key)
    ]


def exported_rows(paths: list[Path]) -> list[Sent]:
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(io.StringIO(fh.read()))
            for r in reader:
                r = {k: spreadsheet_text(v) for k, v in r.items()}
                rows.append(Sent(r["session"], r["app"], r["item"], r["response"], r["time"]))
    return rows


def _by_app(rows: list[Sent]) -> Counter:
    counts = Counter(r.app for r in rows)
    counts[LIVE_ONLY] = sum(counts.pop(app, 0) for app in contract.LIVE_ONLY)
    return counts


def answers_check(ledger: Ledger, stored: list[Sent], exported: list[Sent],
                  read: dict[str, int] | None) -> tuple[Check, list[tuple]]:  # fmt: skip
    """Every answer sent is stored once, exported once (word for word) and read by the
    evaluation kit; the per-app table rows for the printout."""
    sent = ledger.rows()
    problems = []
    for what, rows in (("stored", Counter(stored)), ("exported", Counter(exported))):
        lost, extra = sent - rows, rows - sent
        if lost:
            problems.append(f"{sum(lost.values())} sent but not {what} (e.g. {next(iter(lost))})")
        if extra:
            problems.append(f"{sum(extra.values())} {what} but never sent "
                            f"(e.g. {next(iter(extra))})")  # fmt: skip
    counts = [_by_app(ledger.sent), _by_app(stored), _by_app(exported)]
    table = []
    for app in sorted(set().union(*counts)):
        got = read.get(app) if read is not None else None
        table.append((app, *(c.get(app, 0) for c in counts), "-" if got is None else got))
        if read is not None and got != counts[0].get(app, 0):
            problems.append(f"{app}: {counts[0].get(app, 0)} sent, {got} read by the evaluation")
    total = sum(counts[0].values())
    detail = "; ".join(problems) if problems else f"{total} answers, none lost, none extra"
    return Check(ANSWERS, not problems, detail), table


# -- thresholds -----------------------------------------------------------------------------
def _text(cell: str) -> str:
    return html.unescape(re.sub("<[^>]+>", "", cell)).strip()


def tally_problems(table: str, threshold: int, sensitive_captions: set[str]) -> list[str]:
    """What a dashboard tally table shows that it must not."""
    caption = _text(re.search(r"<caption>(.*?)</caption>", table, re.S).group(1))
    cells = [_text(c) for c in re.findall(r"<td>(.*?)</td>", table, re.S)]
    numbers = [int(c) for c in cells if c.isdigit()]
    if caption in sensitive_captions:
        low = [n for n in numbers if n < threshold]
        return [f"“{caption}” shows {low} (threshold {threshold})"] if low else []
    from ..live import KNOWLEDGE_MIN

    total = numbers[-1] if cells and cells[-1].isdigit() else None
    if len(numbers) > 1 and total is not None and total < KNOWLEDGE_MIN:
        return [f"“{caption}” shows a spread of {total} answers (under {KNOWLEDGE_MIN})"]
    return []


def tallies_check(runs, threshold: int) -> Check:
    from ..apps.feedback import REACTION

    sensitive = {"How people are arriving", *(i.text for i in REACTION.items)}
    problems, seen = [], 0
    for run in runs:
        for table in run.tables:
            seen += 1
            problems += [f"session {run.code}: {p}" for p in tally_problems(table, threshold,
                                                                           sensitive)]  # fmt: skip
        for cue in run.pause_cues:
            if re.search(r"\d", cue) or "Someone asked for a pause" not in cue:
                problems.append(f"session {run.code}: pause cue {cue!r}")
    detail = "; ".join(sorted(set(problems))[:5]) or f"{seen} tables and the pause cues looked at"
    return Check(TALLIES, not problems, detail)


COUNT_HEADS = ("People",)


def report_problems(page: str, threshold: int) -> list[str]:
    """Cells of the report page that show a group of 1 to threshold-1 people: a "People"
    column, or any cell of a table of counts (every value a whole number or hidden)."""
    from bs4 import BeautifulSoup

    problems = []
    for table in BeautifulSoup(page, "html.parser").find_all("table"):
        head = table.find("thead")
        columns = [th.get_text(strip=True) for th in head.find_all("tr")[-1].find_all("th")] \
            if head else []  # fmt: skip
        rows = []
        for tr in (table.find("tbody") or table).find_all("tr"):
            label = " / ".join(th.get_text(strip=True) for th in tr.find_all("th"))
            rows.append((label, [td.get_text(strip=True) for td in tr.find_all("td")]))
        counts = all(v.isdigit() or v == "hidden" for _, values in rows for v in values)
        for label, values in rows:
            names = columns[len(columns) - len(values) :] if len(columns) >= len(values) else []
            for n, value in enumerate(values):
                name = names[n] if names else ""
                if (
                    (counts or name in COUNT_HEADS)
                    and value.isdigit()
                    and 0 < int(value) < threshold
                ):
                    problems.append(f"{label} / {name or 'count'}: {value}")
    return problems


def report_check(report: Path, threshold: int) -> Check:
    problems = report_problems(report.read_text(encoding="utf-8"), threshold)
    detail = "; ".join(problems[:5]) or f"every table of {report.name} read"
    return Check(REPORT, not problems, detail)


# -- certification and evaluation ------------------------------------------------------------
def autograde_check(ours: dict, theirs: dict) -> Check:
    differ = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    detail = f"{len(ours)} auto-graded scores, all equal" if ours and not differ else \
        f"{len(differ)} differ, e.g. {differ[:3]}" if differ else "no scores"  # fmt: skip
    return Check(AUTOGRADE, bool(ours) and not differ, detail)


def decisions_check(run) -> Check:
    wrong = []
    for n, got in enumerate(run.decisions):
        for cid, want in run.expected(n).items():
            if got.get(cid) != want:
                wrong.append(f"round {n + 1}: {cid} is {got.get(cid)}, expected {want}")
    certified = {c for c, v in run.decisions[-1].items() if v == "certified"} if run.decisions \
        else set()  # fmt: skip
    if set(run.certificates) != certified or not all(run.verified.values()):
        wrong.append(f"certificates {sorted(run.certificates)} for {sorted(certified)}")
    detail = "; ".join(wrong) or ", ".join(
        f"{c.id} {c.profile}: {' then '.join(d[c.id] for d in run.decisions)}"
        for c in run.candidates
    )
    return Check(DECISIONS, not wrong, detail)


def change_check(expected: float, change: tuple[float, float, float] | None) -> Check:
    if change is None:
        return Check(CHANGE, False, "the report has no pre/post change")
    got, low, high = change
    ok = low <= expected <= high
    return Check(CHANGE, ok, f"model {expected:+.1f} points; report {got:+.1f} "
                 f"(95% CI {low:+.1f} to {high:+.1f})")  # fmt: skip


def stopped_check(server) -> Check:
    ok = not server.left
    detail = (f"{len(server.left)} process(es) still running" if not ok else
              f"Voila and its kernels stopped ({len(server.left_by_voila)} ended by id after)")  # fmt: skip
    return Check(STOPPED, ok, detail)
