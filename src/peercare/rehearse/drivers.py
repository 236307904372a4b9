"""What made-up people do on the real pages, through :mod:`peercare.serving.widget_client` (the
widgets' own messages, no browser): the facilitator's dashboard and the participant's
page (check-in, live quiz, scenarios, feedback, "I need a pause", leaving and rejoining)
and the pre/post knowledge test. Every answer sent goes in the :class:`.ledger.Ledger`."""

from __future__ import annotations

import asyncio
import base64
import re
import time

from .. import contract
from ..serving.widget_client import Participant
from .ledger import Ledger
from .model import COMMENTS, WORDS, Person

WAIT = 120.0  # seconds a page may take to show what the facilitator set (it polls every 2 s)


async def until(find, timeout: float = WAIT):
    """What ``find()`` returns once it stops raising LookupError."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return find()
        except LookupError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.3)


def child_ids(page: Participant, mid: str) -> list[str]:
    return [c.removeprefix("IPY_MODEL_") for c in page.models[mid].get("children", [])]


def parent_of(page: Participant, mid: str) -> str:
    for pid, state in page.models.items():
        if f"IPY_MODEL_{mid}" in state.get("children", []):
            return pid
    raise LookupError(f"no box holds {mid}")


def html_values(page: Participant, marker: str) -> list[str]:
    return [
        st.get("value", "")
        for st in page.models.values()
        if st.get("_model_name") == "HTMLModel" and marker in st.get("value", "")
    ]


def said(page: Participant, button: str) -> str:
    """The text of the notice that answers a button: the first notice after it in its box,
    or after its box in the box above."""
    return notice_after(page, page.find("ButtonModel", description=button))


def notice_after(page: Participant, mid: str) -> str:
    """The text of the first notice after widget ``mid`` in its box, or after its box in
    the boxes above (up to four levels)."""
    for _ in range(4):
        box = parent_of(page, mid)
        kids = child_ids(page, box)
        for kid in kids[kids.index(mid) + 1 :]:
            value = page.models.get(kid, {}).get("value", "")
            if "pc-notice" in str(value):
                return re.sub("<[^>]+>", "", value).strip()
        mid = box
    return ""


# -- the facilitator ------------------------------------------------------------------------
class Facilitator:
    """The dashboard, driven as a facilitator would: create a session with a plan, follow
    the plan, ask and reveal quiz questions, note pauses, close and export."""

    def __init__(self, url: str):
        self.page = Participant(url, "dashboard.ipynb")
        self.code = self.key = ""

    async def create(self, title: str, threshold: int, plan_title: str) -> tuple[str, str]:
        p = self.page
        await p.open()
        await p.set(p.find("TextModel", description="Session title"), value=title)
        await p.set(p.find("BoundedIntTextModel", description="Hide groups under"),
                    value=threshold)  # fmt: skip
        plans = p.find("DropdownModel", description="Session plan (optional)")
        await p.set(plans, index=p.models[plans]["_options_labels"].index(plan_title))
        await p.click("Create session")
        shown = await until(lambda: _one(html_values(p, "pc-key")))
        self.key = re.search(r"class='pc-key'>([^<]+)<", shown).group(1)
        await p.click("I have written it down")
        linked = await until(lambda: _one(html_values(p, "pc-code")))
        self.code = re.search(r"class='pc-code'>([^<]+)<", linked).group(1)
        return self.code, self.key

    async def start(self) -> None:
        await self.page.click("Start the session")

    async def next_part(self) -> None:
        await self.page.click("Next part")

    async def ask(self, index: int) -> None:
        """Pick the question at ``index`` in the list the plan filled, and ask the room."""
        p = self.page
        await p.set(p.find("DropdownModel", description="Question"), index=index)
        await p.click("Ask the room")

    async def reveal(self) -> None:
        await self.page.click("Reveal the answer")

    def tables(self) -> list[str]:
        """Every tally table on the dashboard now (HTML)."""
        return re.findall(
            r"<table class='pc-tally'>.*?</table>(?:<p class='pc-note'>.*?</p>)?",
            "".join(html_values(self.page, "pc-tally")),
            flags=re.S,
        )

    def pause_cue(self) -> str:
        return "".join(
            re.findall(r"<p class='pc-pause-cue'[^>]*>(.*?)</p>",
                       "".join(html_values(self.page, "pc-pause-cue")))
        )  # fmt: skip

    async def noted(self) -> None:
        await self.page.click("Noted")

    async def close_and_export(self) -> str:
        p = self.page
        await p.click("Close session")
        await p.click("Export responses (CSV)")
        link = await until(lambda: _one(html_values(p, "pc-download")))
        data = re.search(r"base64,([A-Za-z0-9+/=]+)'", link).group(1)
        return base64.b64decode(data).decode("utf-8")

    async def leave(self) -> None:
        await self.page.close()


def drawn_step(page: Participant, since: int, step) -> str | None:
    """The choices of ``step``, unanswered, among the widgets the page drew after it had
    ``since`` widgets (never the choices of an earlier showing of the same step)."""
    labels = [c.text for c in step.choices]
    for mid in list(page.models)[since:]:
        st = page.models[mid]
        if (st.get("_model_name") == "RadioButtonsModel" and st.get("_options_labels") == labels
                and st.get("index") is None):  # fmt: skip
            return mid
    return None


def drawn_end(page: Participant, since: int) -> bool:
    """Whether the page drew a scenario's ending after it had ``since`` widgets."""
    return any("What to take away" in str(page.models[mid].get("value", ""))
               for mid in list(page.models)[since:])  # fmt: skip


def _one(values: list[str]) -> str:
    if not values:
        raise LookupError("not shown yet")
    return values[-1]


# -- a participant's page -----------------------------------------------------------------
class Phone:
    """One participant's page (``participant.ipynb``) in one session."""

    def __init__(self, url: str, person: Person, code: str, ledger: Ledger):
        self.url, self.person, self.code, self.ledger = url, person, code, ledger
        self.page: Participant | None = None

    async def join(self) -> None:
        self.page = Participant(self.url, "participant.ipynb")
        await self.page.open()
        await self.page.join(self.code)
        await until(lambda: self.page.find("ButtonModel", description="Send my check-in"))
        self.ledger.pages[self.code] = self.ledger.pages.get(self.code, 0) + 1

    async def leave_and_rejoin(self) -> None:
        """Close the page (a phone that lost the call) and join again on a new one."""
        await self.page.close()
        await self.join()

    async def check_in(self, session: int) -> None:
        from ..apps.checkin import SCALE

        p, rng = self.page, self.person.rng
        scale = p.find("RadioButtonsModel", _options_labels=[label for label, _ in SCALE])
        level = min(4, max(0, round(rng.gauss(1.5 + 0.5 * session, 1))))
        await p.set(scale, index=level)
        answers = [(contract.CHECKIN_ARRIVAL, SCALE[level][1])]
        if rng.random() < 0.5:
            word = rng.choice(WORDS)
            await p.set(p.find("TextModel", description="One word (optional)"), value=word)
            answers.append((contract.CHECKIN_WORD, word))
        await self._send("Send my check-in", "Received.")
        self.ledger.add(self.code, contract.CHECKIN, answers)

    async def answer_quiz(self, question, progress: float) -> None:
        p = self.page
        quiz = await until(lambda: p.find("AnyModel", quiz_id=f"live-{question.id}"))
        options = [o.id for o in question.options]
        right = set(question.correct_ids)
        if question.kind.value == "multiple":  # the right set, or it and one wrong option
            wrong = [o for o in options if o not in right]
            extra = self.person.rng.choice(wrong) if wrong else None
            good = extra is None or self.person.rng.random() < self.person.p_right(progress)
            chosen = sorted(right if good else right | {extra})
        else:
            chosen = [self.person.pick(options, right, progress)]
        await p.set(quiz, last_answer={"question": question.id, "chosen": chosen, "n": 1})
        self.ledger.add(self.code, contract.QUIZ,
                        [(contract.quiz_item(question.id), contract.join_choices(chosen))])  # fmt: skip

    async def play_scenario(self, scenario, progress: float) -> None:
        """Walk one scenario from its start to an ending. A choice counts as sent once the
        page took it: in answer to that click it said "Received." and drew what comes next
        (the next step's choices, or the ending). ``click`` returns when the kernel has
        handled the click, so by then the page has drawn all it will."""
        from ..content.branching import load_all_scenarios

        p, who = self.page, self.person.label
        titles = [sc.title for sc in load_all_scenarios()]
        picker = p.find("RadioButtonsModel", _options_labels=titles)
        await p.set(picker, index=titles.index(scenario.title))
        before = len(p.models)
        await p.click("Start")
        step_id, steps = scenario.start, 0
        radios = drawn_step(p, before, scenario.step(step_id))
        if radios is None:
            raise RuntimeError(f"{who}: 'Start' did not show scenario {scenario.id!r}")
        while step_id is not None and steps < 20:
            step = scenario.step(step_id)
            ids = [c.id for c in step.choices]
            # the first choice listed is often not the best: any choice is a walk
            choice = self.person.pick(ids, {ids[0]}, progress)
            await p.set(radios, index=ids.index(choice))
            before = len(p.models)
            await p.click("Choose")
            step_id = scenario.choose(step.id, choice).next
            radios = drawn_step(p, before, scenario.step(step_id)) if step_id else None
            moved = drawn_end(p, before) if step_id is None else radios is not None
            answer = notice_after(p, picker)
            if "Received." not in answer or not moved:
                raise RuntimeError(f"{who}: {scenario.id}:{step.id} choice {choice!r} was not "
                                   f"taken; the page said: {answer[-200:]}")  # fmt: skip
            self.ledger.add(self.code, contract.SCENARIO,
                            [(contract.scenario_item(scenario.id, step.id), choice)])  # fmt: skip
            steps += 1

    async def feedback(self, session: int) -> None:
        """Rate every feedback question of the session's form (the page's radios, in the
        order the app lists its fields: the short form's items, or every reaction item then
        each retrospective item then and now) and write one comment."""
        from ..apps.feedback import REACTION, RETROSPECTIVE, free_texts, short_items

        p, rng = self.page, self.person.rng
        send = p.find("ButtonModel", description="Send my feedback")
        box = parent_of(p, send)
        radios = [c for c in child_ids(p, box) if p.models[c].get("_model_name")
                  == "RadioButtonsModel"]  # fmt: skip
        form = (
            contract.FEEDBACK_SHORT if len(radios) == len(short_items()) else contract.FEEDBACK_FULL
        )
        if form == contract.FEEDBACK_SHORT:
            fields = [(i.id, "") for i in short_items()]
        else:
            fields = [(i.id, "") for i in REACTION.items]
            fields += [
                (i.id, t) for i in RETROSPECTIVE.items for t in RETROSPECTIVE.instrument.times
            ]
        if len(radios) != len(fields):
            raise LookupError(f"the feedback page has {len(radios)} ratings, not {len(fields)}")
        answers = []
        for mid, (item, when) in zip(radios, fields, strict=True):
            values = (RETROSPECTIVE if when else REACTION).scale_values
            centre = len(values) / 2 + (0.5 if when == "now" else 0) + 0.3 * session
            index = min(len(values) - 1, max(0, round(rng.gauss(centre, 0.8))))
            await p.set(mid, index=index)
            answers.append((contract.feedback_item(item), str(values[index]), when))
        boxes = [c for c in child_ids(p, box) if p.models[c].get("_model_name") == "TextareaModel"]
        free = free_texts(form)  # one box each, in this order
        which = rng.randrange(len(free))
        comment = rng.choice(COMMENTS)
        await p.set(boxes[which], value=comment)
        answers.append((contract.feedback_item(free[which].id), comment.strip(), ""))
        await self._send("Send my feedback", "Received.")
        self.ledger.add(self.code, contract.FEEDBACK, answers)

    async def ask_pause(self) -> None:
        await self._send("I need a pause", "Sent.")
        self.ledger.add(self.code, contract.PAUSE, [(contract.PAUSE_ASKED, contract.PAUSE_ASKED)])

    async def _send(self, button: str, ok: str) -> None:
        await self.page.click(button)
        answer = said(self.page, button)
        if ok not in answer:
            raise RuntimeError(f"{self.person.label}: '{button}' said: {answer[-200:]}")

    async def close(self) -> None:
        if self.page is not None:
            await self.page.close()


async def prepost(url: str, person: Person, code: str, when: str, ledger: Ledger) -> None:
    """The pre/post knowledge test on its own page (``prepost.ipynb``), the same private
    code both times; the form comes from that code, as the app decides."""
    from ..apps.prepost import TIME_LABELS, form_for, token_for
    from ..content.prepost_forms import load_forms

    p = Participant(url, "prepost.ipynb")
    await p.open()
    try:
        await p.join(code)
        secret = person.private_code()
        box = await until(lambda: p.find("PasswordModel"))
        await p.set(box, value=secret)
        labels = list(TIME_LABELS.values())
        await p.set(p.find("RadioButtonsModel", _options_labels=labels),
                    index=list(TIME_LABELS).index(when))  # fmt: skip
        await p.click("Start")
        form = load_forms()[form_for(token_for(secret), when)]
        send = await until(lambda: p.find("ButtonModel", description="Send my answers"))
        radios = [c for c in child_ids(p, parent_of(p, send))
                  if p.models[c].get("_model_name") == "RadioButtonsModel"]  # fmt: skip
        if len(radios) != len(form.questions):
            raise LookupError(f"form has {len(form.questions)} questions, page {len(radios)}")
        progress = 0.0 if when == contract.PREPOST_TIMES[0] else 1.0
        answers = []
        for mid, q in zip(radios, form.questions, strict=True):
            ids = [o.id for o in q.options]
            choice = person.pick(ids, set(q.correct_ids), progress)
            await p.set(mid, index=ids.index(choice))
            answers.append((q.id, choice))
        await p.click("Send my answers")
        answer = said(p, "Send my answers")
        if "Received." not in answer:
            raise RuntimeError(f"{person.label}: the knowledge test said: {answer[-200:]}")
        ledger.add(code, contract.PREPOST, answers, time=when)
    finally:
        await p.close()
