"""Stage "sessions": the virtual sessions of a session plan series, each run by a
facilitator on the real dashboard with the cohort on the real participant pages."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from .. import contract
from ..content.bank import load_all
from ..content.branching import load_all_scenarios
from ..content.plans import NO_APP, Plan, load_plan, quiz_questions
from .drivers import Facilitator, Phone, prepost
from .ledger import Ledger
from .model import Cohort
from .progress import Progress

SERIES = ("virtual-1-naming-trauma", "virtual-2-stressors", "virtual-3-coping",
          "virtual-4-helping-and-help")  # fmt: skip
"""The four-session video-call plan, in order (session k follows plan k, round again
after the fourth)."""
QUESTIONS_PER_QUIZ = 2  # the plans say "ask two questions from the chapter"
OPEN_AT_ONCE = 8  # pages opened at the same time (people arrive over a minute or two)
REFRESH = 3.5  # the dashboard redraws its counts every 3 s


@dataclass
class SessionRun:
    number: int
    plan: str
    code: str
    key: str
    export: Path
    tables: list[str] = field(default_factory=list)  # dashboard tallies seen, HTML
    pause_cues: list[str] = field(default_factory=list)


def plan_for(number: int, root: Path | None = None) -> Plan:
    return load_plan(SERIES[number % len(SERIES)], root)


async def together(*jobs) -> None:
    """Run the jobs at once and let every one finish; then raise the first failure (a
    failure does not cancel the others halfway through a page's messages)."""
    for result in await asyncio.gather(*jobs, return_exceptions=True):
        if isinstance(result, BaseException):
            raise result


async def _limited(limit: asyncio.Semaphore, job):
    async with limit:
        return await job


async def run_session(
    url: str, number: int, cohort: Cohort, ledger: Ledger, threshold: int, out: Path,
    progress: Progress,
) -> SessionRun:  # fmt: skip
    plan = plan_for(number)
    questions = {q.id: q for bank in load_all().values() for q in bank.questions}
    scenarios = load_all_scenarios()
    last = number == cohort.sessions - 1
    fac = Facilitator(url)
    code, key = await fac.create(f"Rehearsal session {number + 1}", threshold, plan.title)
    run = SessionRun(number + 1, plan.id or SERIES[number % len(SERIES)], code, key,
                     out / contract.export_name(code))  # fmt: skip
    say = lambda text: progress.say(f"session {number + 1} ({code}): {text}")  # noqa: E731
    say(f"created with the plan “{plan.title}”")
    limit = asyncio.Semaphore(OPEN_AT_ONCE)
    if number == 0:
        await together(*(_limited(limit, prepost(url, p, code, "pre", ledger))
                               for p in cohort.people))  # fmt: skip
        say(f"{len(cohort.people)} took the knowledge test (pre)")
    phones = [Phone(url, person, code, ledger) for person in cohort.people]
    try:
        await together(*(_limited(limit, ph.join()) for ph in phones))  # people trickle in
        say(f"{len(phones)} joined")
        await fac.start()
        n_small = max(1, len(phones) // 10)
        leavers = set(cohort.choose(n_small, number, "leave"))
        pausers = set(cohort.choose(n_small, number, "pause"))
        progress_now = cohort.progress(number)
        for index, seg in enumerate(plan.segments):
            if index:
                await fac.next_part()
            if seg.app == "checkin":
                await together(*(ph.check_in(number) for ph in phones))
                await together(*(ph.leave_and_rejoin() for ph in phones
                                       if ph.person in leavers))  # fmt: skip
                say(f"check-in sent; {len(leavers)} left and joined again")
                await asyncio.sleep(REFRESH)
                run.tables += fac.tables()
            elif seg.app == "live_quiz":
                ids = quiz_questions(plan, seg)[:QUESTIONS_PER_QUIZ]
                for n, qid in enumerate(ids):
                    await fac.ask(n)
                    await together(*(ph.answer_quiz(questions[qid], progress_now)
                                           for ph in phones))  # fmt: skip
                    await fac.reveal()
                    run.tables += fac.tables()
                say(f"live quiz: {len(ids)} questions asked and answered")
            elif seg.app == "scenarios":
                await together(*(ph.play_scenario(ph.person.rng.choice(scenarios),
                                                        progress_now) for ph in phones))  # fmt: skip
                await asyncio.sleep(REFRESH)
                run.tables += fac.tables()
                say("scenarios played")
            elif seg.app == "feedback":
                await together(*(ph.feedback(number) for ph in phones))
                await asyncio.sleep(REFRESH)
                run.tables += fac.tables()
                say("feedback sent")
            elif seg.app == NO_APP and not seg.is_break and not run.pause_cues and index:
                # the first teaching part after the opening: a few ask for a pause
                await together(*(ph.ask_pause() for ph in phones if ph.person in pausers))
                await asyncio.sleep(REFRESH)
                run.pause_cues.append(fac.pause_cue())
                await fac.noted()
                say(f"{len(pausers)} asked for a pause; the facilitator noted it")
        if last:
            await together(*(_limited(limit, prepost(url, p, code, "post", ledger))
                                   for p in cohort.people))  # fmt: skip
            say(f"{len(cohort.people)} took the knowledge test (post)")
        await asyncio.sleep(REFRESH)
        run.tables += fac.tables()
        run.export.write_text(await fac.close_and_export(), encoding="utf-8", newline="")
    finally:
        await asyncio.gather(*(ph.close() for ph in phones), return_exceptions=True)
        await fac.leave()
    progress.step(f"session {number + 1} ({code}) closed and exported to {run.export.name}")
    return run


def run_sessions(url: str, cohort: Cohort, ledger: Ledger, threshold: int, out: Path,
                 runs: list[SessionRun]) -> None:  # fmt: skip
    """Every session in order; each one done is added to ``runs`` (so the sessions before
    a failure are still checked)."""
    out.mkdir(parents=True, exist_ok=True)
    progress = Progress("sessions", cohort.sessions)

    async def all_sessions():
        for n in range(cohort.sessions):
            runs.append(await run_session(url, n, cohort, ledger, threshold, out, progress))

    asyncio.run(all_sessions())
