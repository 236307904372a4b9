"""The seeded cohort: who the made-up participants are and how they answer, so a
rehearsal's results are known before it runs.

Each participant has an ability (normal, mean 0, sd 1). The chance of a right answer is
``sigmoid(ability + BASE + GAIN * progress)``, where progress runs from 0 (before the
first session) to 1 (after the last): later sessions answer better. The pre/post test is
taken at progress 0 and 1, so the expected change in % correct is known from the
abilities alone (:meth:`Cohort.expected_change`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

BASE = -0.4  # before the training: about 40 % right for an average participant
GAIN = 1.6  # after it: about 77 %
WORDS = ("tired", "hopeful", "steady", "okay", "ready", "calm", "busy", "grateful")
COMMENTS = (
    "The breathing helped.",
    "More time for the scenarios, please.",
    "=SUM(A1:A9) is how my brain felt today",  # a formula-like answer: the guard is tested
    "- good pace\n- clear examples",
    "'quoted' on purpose",
)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@dataclass(eq=False)
class Person:
    """One made-up participant (``p01`` ...): their ability and their own random stream."""

    label: str
    ability: float
    rng: random.Random = field(repr=False)

    def p_right(self, progress: float) -> float:
        return sigmoid(self.ability + BASE + GAIN * progress)

    def pick(self, options: list[str], right: set[str], progress: float) -> str:
        """An option id: a right one with the model's chance, else a wrong one."""
        wrong = [o for o in options if o not in right]
        if not wrong or self.rng.random() < self.p_right(progress):
            return self.rng.choice(sorted(right))
        return self.rng.choice(wrong)

    def private_code(self) -> str:
        """The made-up code this person types in the pre/post test (the same both times)."""
        return f"river {self.label} {self.ability:.3f}"


@dataclass
class Cohort:
    people: list[Person]
    sessions: int
    seed: int

    @classmethod
    def make(cls, participants: int, sessions: int, seed: int) -> Cohort:
        rng = random.Random(seed)
        people = [
            Person(f"p{i + 1:02d}", rng.gauss(0, 1), random.Random(rng.getrandbits(64)))
            for i in range(participants)
        ]
        return cls(people, sessions, seed)

    def progress(self, session: int) -> float:
        """Progress during session ``session`` (0-based): after the first, before the last
        part of the training; the live quiz in session k uses it."""
        return (session + 1) / (self.sessions + 1)

    def expected_change(self) -> float:
        """Expected change in % correct between the pre and post test, for these people."""
        diffs = [p.p_right(1.0) - p.p_right(0.0) for p in self.people]
        return 100 * sum(diffs) / len(diffs)

    def choose(self, n: int, session: int, salt: str) -> list[Person]:
        """``n`` people, picked by the seed (the same in every run)."""
        rng = random.Random(f"{self.seed}-{session}-{salt}")
        return rng.sample(self.people, min(n, len(self.people)))
