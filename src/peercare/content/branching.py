"""Branching scenarios for the live "scenario practice" app: one YAML file per scenario in
``data/scenarios/<id>.yml``, typed, validated, and walked one choice at a time.

A scenario is a small map of decision steps. Each step says what is happening and offers
choices; each choice gives feedback (why it fits, or why another fits better, never
shaming) and leads on to another step or to ``end``::

    id: scene-after-shooting          # the same as the file name
    title: Arriving at a scene after a shooting
    summary: A composite, fictional story: ...      # one sentence
    content_note: What is coming. You may skip it, pause, or come back later.
    start: arrive                     # optional; the first step when left out
    steps:
      - id: arrive
        text: What is happening, in 2 to 4 short sentences.
        prompt: What do you do?       # optional; this is the default
        choices:                      # 2 to 5 choices
          - id: breathe
            text: A short choice.
            feedback: Why it fits, or why another choice fits better.
            next: crowd               # another step id, or `end`
          - ...
    endings:                          # optional: closing text shown when the scenario
      after: What happened next.      # ends from this step (a step with a choice to `end`)
    debrief: What to take away, pointing to self-care and help.
    discuss:                          # optional questions for the facilitator
      - What helped you stay steady?

Checks (all reported together, one line each, naming the file, the step and the choice):
unknown fields and missing or empty texts; duplicate step ids and duplicate choice ids in
a step; a step called ``end`` (the word is kept for "the scenario ends"); an unknown
``start``; a ``next`` that names no step; a step with fewer than 2 (or more than 5)
choices; a step that cannot be reached from the start; a step from which no path reaches
``end`` (choices that only loop); ``endings`` for a step that is not there or never ends.
Loops that can still reach ``end`` are allowed; :meth:`Scenario.paths` lists the paths
that visit each step at most once.

The app walks a scenario with :meth:`Scenario.choose`, passing what a participant
clicked; an id that is not in the scenario raises :class:`InvalidChoice` with a plain
message, never a bare ``KeyError``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, NamedTuple

from pydantic import Field, StringConstraints, model_validator

from ..paths import DATA_DIR
from . import schema
from .schema import (
    Id,
    ProblemsError,
    Strict,
    Text,
    files_as_now,
    read_text,
)

SCENARIOS_DIR = DATA_DIR / "scenarios"
END = "end"
MIN_CHOICES = 2
MAX_CHOICES = 5  # more than this does not fit on a phone screen
DEFAULT_PROMPT = "What do you do?"

ChoiceText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

Move = tuple[str, str]  # (step id, choice id)


class ScenarioError(ProblemsError):
    """A scenario (or set of scenarios) is broken; ``problems`` has one message per fault."""


class InvalidChoice(ScenarioError):
    """A step or choice id that is not in the scenario (for example a tampered click)."""


class Outcome(NamedTuple):
    """What a choice leads to: its feedback, and the next step id (``None``: the end)."""

    feedback: str
    next: str | None


class Choice(Strict):
    id: Id
    text: ChoiceText
    feedback: Text
    next: Id


class Step(Strict):
    id: Id
    text: Text
    prompt: Text = DEFAULT_PROMPT
    choices: list[Choice]

    @property
    def choice_ids(self) -> list[str]:
        return [c.id for c in self.choices]

    @property
    def ends(self) -> bool:
        """True when at least one choice of this step ends the scenario."""
        return any(c.next == END for c in self.choices)


class Scenario(Strict):
    id: Id
    title: Text
    summary: Text
    content_note: Text
    start: Id | None = None  # filled with the first step's id when omitted
    steps: list[Step] = Field(min_length=1)
    endings: dict[Id, Text] = Field(default_factory=dict)
    debrief: Text
    discuss: list[Text] = Field(default_factory=list)
    source: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _fill_start(self) -> Scenario:
        if self.start is None:
            object.__setattr__(self, "start", self.steps[0].id)
        return self

    @property
    def step_ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def step(self, step_id: str) -> Step:
        """The step with this id; :class:`InvalidChoice` when there is none."""
        for s in self.steps:
            if s.id == step_id:
                return s
        raise InvalidChoice(
            [
                f"scenario {self.id!r}: there is no step {_show(step_id)}; "
                f"its steps are: {', '.join(self.step_ids)}"
            ]
        )

    def choose(self, step_id: str, choice_id: str) -> Outcome:
        """The feedback for a choice and where it leads (``next`` is ``None`` at the end).

        Raises :class:`InvalidChoice` naming the scenario, step and choice when the step
        or the choice is not in this scenario.
        """
        step = self.step(step_id)
        for c in step.choices:
            if c.id == choice_id:
                return Outcome(c.feedback, None if c.next == END else c.next)
        raise InvalidChoice(
            [
                f"scenario {self.id!r}: step {step.id!r} has no choice {_show(choice_id)}; "
                f"its choices are: {', '.join(step.choice_ids)}"
            ]
        )

    def closing(self, step_id: str) -> str | None:
        """The closing text shown when the scenario ends from this step, if there is one."""
        return self.endings.get(step_id)

    def paths(self) -> list[tuple[Move, ...]]:
        """Every path from the start to ``end`` as (step, choice) moves, in file order.

        A path visits each step at most once, so loops do not make the list endless.
        """
        found: list[tuple[Move, ...]] = []

        def walk(step_id: str, trail: tuple[Move, ...], seen: frozenset[str]) -> None:
            for c in self.step(step_id).choices:
                moves = (*trail, (step_id, c.id))
                if c.next == END:
                    found.append(moves)
                elif c.next not in seen:
                    walk(c.next, moves, seen | {c.next})

        walk(self.start, (), frozenset({self.start}))
        return found

    def texts(self) -> list[str]:
        """Everything a participant or facilitator reads, in reading order (no titles)."""
        out = [self.summary, self.content_note]
        for s in self.steps:
            out += [s.text, s.prompt]
            for c in s.choices:
                out += [c.text, c.feedback]
            if s.id in self.endings:
                out.append(self.endings[s.id])
        return [*out, self.debrief, *self.discuss]


def _show(value: object) -> str:
    """A participant-supplied value, shortened and quoted, safe to put in a message."""
    if not isinstance(value, str):
        return f"(a {type(value).__name__}, not an id)"
    return repr(value if len(value) <= 40 else value[:40] + "...")


# --- structure errors as lines an author can act on -------------------------------------

# --- the shape of the map: ids, targets, reachability, endings --------------------------


def _repeats(ids: list[str]) -> list[str]:
    return sorted({i for i in ids if ids.count(i) > 1})


def graph_problems(scn: Scenario, source: Path | str) -> list[str]:
    """Faults in how the steps connect, one line each naming file, step and choice."""
    problems: list[str] = []
    known = set(scn.step_ids)
    ids = list(dict.fromkeys(scn.step_ids))  # file order, each once
    problems += [f"{source}: step {d!r}: duplicate step id" for d in _repeats(scn.step_ids)]
    if END in known:
        problems.append(f"{source}: step {END!r}: 'end' is kept for ending the scenario; rename")
    if scn.start not in known:
        problems.append(f"{source}: start {scn.start!r} is not a step; steps are: {', '.join(ids)}")
    bad_targets = False
    for s in scn.steps:
        here = f"{source}: step {s.id!r}"
        n = len(s.choices)
        if n < MIN_CHOICES:
            problems.append(
                f"{here}: has {n} choice{'' if n == 1 else 's'}; a step needs at least "
                f"{MIN_CHOICES} (a real decision)"
            )
        elif n > MAX_CHOICES:
            problems.append(f"{here}: has {n} choices; at most {MAX_CHOICES} fit on a phone")
        problems += [f"{here}: choice {d!r}: duplicate choice id" for d in _repeats(s.choice_ids)]
        for c in s.choices:
            if c.next != END and c.next not in known:
                bad_targets = True
                problems.append(
                    f"{here}: choice {c.id!r}: next {c.next!r} is not a step; "
                    f"use one of: {', '.join(ids)} (or 'end')"
                )
    first = {}
    for s in scn.steps:
        first.setdefault(s.id, s)
    for key in scn.endings:
        if key not in known:
            problems.append(f"{source}: endings: {key!r} is not a step")
        elif not first[key].ends:
            problems.append(
                f"{source}: endings: {key!r}: no choice of this step leads to 'end', "
                "so this closing would never show"
            )
    if scn.start not in known:
        return problems

    edges = {sid: [c.next for c in s.choices if c.next in known] for sid, s in first.items()}
    reachable = _reach(scn.start, edges)
    for sid in first:
        if sid not in reachable:
            problems.append(
                f"{source}: step {sid!r}: cannot be reached from the start step {scn.start!r} "
                "(no path of choices leads here)"
            )
    if bad_targets:
        return problems  # loop checks would only repeat the unknown-target problems

    finishing = {sid for sid, s in first.items() if s.ends}
    changed = True
    while changed:
        changed = False
        for sid, targets in edges.items():
            if sid not in finishing and any(t in finishing for t in targets):
                finishing.add(sid)
                changed = True
    for sid in first:
        if sid in reachable and sid not in finishing:
            loop = ", ".join(repr(t) for t in first if t in _reach(sid, edges))
            leads = ", ".join(f"choice {c.id!r} -> {c.next!r}" for c in first[sid].choices)
            problems.append(
                f"{source}: step {sid!r}: no path from here reaches 'end' ({leads}); "
                f"its choices only loop among steps {loop}"
            )
    return problems


def _reach(start: str, edges: dict[str, list[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for t in edges.get(todo.pop(), []):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


# --- loading ---------------------------------------------------------------------------


def parse_scenario(text: str, source: Path | str = "<scenario>") -> Scenario:
    """Parse and validate one scenario's YAML text (structure, then how steps connect)."""
    source = Path(source)
    shape = "a scenario is a mapping with 'id', 'title', 'steps', 'debrief', ..."
    scn = schema.parse(text, Scenario, source, ScenarioError, shape=shape)
    problems = graph_problems(scn, source)
    if problems:
        raise ScenarioError(problems)
    object.__setattr__(scn, "source", source)
    return scn


def shipped() -> list[str]:
    """Ids of the scenarios that ship with the kit."""
    return sorted(p.stem for p in SCENARIOS_DIR.glob("*.yml"))


def load_scenario(path_or_id: str | Path) -> Scenario:
    """A shipped scenario by id (``scene-after-shooting``) or any scenario file by path.

    The ``id`` inside a file must match its file name.
    """
    if isinstance(path_or_id, Path) or Path(str(path_or_id)).suffix in (".yml", ".yaml"):
        path = Path(path_or_id)
    else:
        if path_or_id not in shipped():
            raise ScenarioError(
                [f"no shipped scenario {_show(path_or_id)}; shipped: {', '.join(shipped())}"]
            )
        path = SCENARIOS_DIR / f"{path_or_id}.yml"
    scn = parse_scenario(read_text(path, "scenario", ScenarioError), path)
    if scn.id != path.stem:
        raise ScenarioError(
            [
                f"{path}: id {scn.id!r} does not match the file name {path.name!r}; "
                "make them the same"
            ]
        )
    return scn


def load_all_scenarios(folder: Path | None = None) -> list[Scenario]:
    """Every scenario in ``folder`` (default: the shipped ones), in file-name order.

    All problems in all files are reported together. Ids are unique, since each must
    match its file name.
    """
    paths = sorted(Path(folder or SCENARIOS_DIR).glob("*.yml"))
    return schema.load_each(paths, load_scenario, ScenarioError)


@lru_cache(maxsize=2)
def _shipped_as_read(files: tuple) -> tuple[Scenario, ...]:
    return tuple(load_all_scenarios())


def shipped_scenarios() -> tuple[Scenario, ...]:
    """The shipped scenarios, parsed once per process while their files stay unchanged.
    An app kernel parses them before a page claims it (its pre-run), not when a
    participant joins: parsing and checking them is about 0.1 s of CPU, 3 s for a room
    of 30 joining at once. The scenarios are frozen models, safe to share."""
    return _shipped_as_read(files_as_now(sorted(SCENARIOS_DIR.glob("*.yml"))))
