"""A seeded synthetic dataset, so every notebook runs on a fresh machine.

Made-up people in several cohorts and sites (one site is deliberately tiny, so small-cell
suppression shows), answering the shipped instruments: the pre/post knowledge test (its
two parallel forms, half the people A then B, half B then A), the book quizzes, the reaction survey with free text, the
retrospective ratings, and a certification knowledge check. Every file has a
``synthetic`` column set to ``true`` and the folder holds a ``manifest.json`` and a
README that say the data is synthetic.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..content.bank import Bank, Question
from ..content.instruments import InstrumentError, load_instrument
from ..contract import join_choices
from ..paths import project_root
from .errors import DemoDataError

MANIFEST = "manifest.json"
SYNTHETIC = "Synthetic demo data: made up, not real people"
SITES = {"Northside": 0.3, "Riverside": 0.25, "Westgate": 0.25, "Eastbrook": 0.2}
TINY_SITE = "Hillcrest"
COHORTS = ("2025-spring", "2025-fall", "2026-spring")
DIFFICULTY = {"easy": -1.4, "medium": -0.3, "hard": 0.6}
HELPED = (
    "The breathing practice helped me slow down.",
    "Hearing real stories from the work made it click.",
    "The facilitator made it feel safe to talk.",
    "Practicing the check-in script with a co-worker.",
    "Knowing where to get help for myself, like the EAP.",
    "Talking with my team about hard calls.",
    "The grounding exercise. I used it the same night.",
    "Respect in the room. Nobody was judged.",
)
CHANGE = (
    "More time for practice, it felt rushed.",
    "Shorter session, or a break in the middle.",
    "More role play and examples from our city.",
    "Nothing, keep it as it is.",
    "Bring in a counselor to answer questions.",
    "Have the group meet again in a month.",
)
README = """# SYNTHETIC DEMO DATA

Everything in this folder was made up by `peercare demo-data` (seed {seed}).
No real person answered anything here. Use it to try the research notebooks.
Every file has a `synthetic` column set to `true`; every table, plot and report made
from it is labelled synthetic.
"""


def demo_folder(root: Path | None = None) -> Path:
    """Where demo data goes by default: ``data/demo/`` in the project (git-ignored)."""
    return (root or project_root()) / "data" / "demo"


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _wrong_answers(q: Question) -> list[str]:
    """The answers a person who gets ``q`` wrong might give."""
    correct = sorted(q.correct_ids)
    wrong = [o.id for o in q.options if not o.correct]
    if q.kind.value != "multiple":
        return wrong
    variants = [sorted(set(correct) - {c}) for c in correct if len(correct) > 1]
    variants += [sorted(set(correct) | {w}) for w in wrong]
    return [join_choices(v) for v in variants]


def _answer(rng, q: Question, ability: np.ndarray, slope: float, blank: float) -> np.ndarray:
    """Simulated answers (option ids) to one question for people of given ability."""
    b = DIFFICULTY[q.difficulty.value] + rng.normal(0, 0.3)
    right = rng.random(len(ability)) < _sigmoid(slope * ability - b)
    wrong = _wrong_answers(q)
    weights = rng.dirichlet(np.full(len(wrong), 0.8))
    out = np.where(right, join_choices(q.correct_ids), rng.choice(wrong, len(ability), p=weights))
    return np.where(rng.random(len(ability)) < blank, "", out)


def _people(rng, n: int) -> pd.DataFrame:
    sites = rng.choice(list(SITES), n, p=list(SITES.values()))
    cohorts = rng.choice(COHORTS, n)
    if n >= 20:
        sites[-3:], cohorts[-3:] = TINY_SITE, COHORTS[-1]
    return pd.DataFrame(
        {
            "respondent_id": [f"p{i:05d}" for i in range(1, n + 1)],
            "cohort": cohorts,
            "site": sites,
            "ability": rng.normal(0, 1, n),
            "gain": rng.normal(1.0, 0.5, n) + 0.3 * (cohorts == COHORTS[-1]),
        }
    )


def _knowledge(rng, people: pd.DataFrame, forms: dict[str, list[Question]]) -> pd.DataFrame:
    """Pre/post answers: each person takes one form before and the other after."""
    keep = rng.random(len(people)) < 0.9  # about one in ten miss the post test
    first = rng.random(len(people)) < 0.5  # counterbalanced: A then B, or B then A
    (a, qa), (b, qb) = forms.items()
    columns = [q.id for q in qa + qb]
    frames = []
    for time, shift, who in (("pre", 0.0, np.ones(len(people), bool)), ("post", 1.0, keep)):
        for questions, takes in ((qa, first == (time == "pre")), (qb, first != (time == "pre"))):
            rows = who & takes
            part = people.loc[rows, ["respondent_id", "cohort", "site"]].assign(time=time)
            ability = (people["ability"] + shift * people["gain"])[rows].to_numpy()
            answers = {q.id: _answer(rng, q, ability, 1.3, 0.01) for q in questions}
            frames.append(pd.concat([part.reset_index(drop=True), pd.DataFrame(answers)], axis=1))
    out = pd.concat(frames, ignore_index=True).reindex(
        columns=["respondent_id", "cohort", "site", "time", *columns]
    )
    out = out.fillna("").sort_values(["time", "respondent_id"], ascending=[False, True])
    return out.reset_index(drop=True)


def _quiz(rng, people: pd.DataFrame, questions: list[Question]) -> pd.DataFrame:
    who = people[rng.random(len(people)) < 0.7]
    ability = (who["ability"] + 0.5 * who["gain"]).to_numpy() - 0.3
    cols = {q.id: _answer(rng, q, ability, 1.2, 0.02) for q in questions}
    wide = pd.concat(
        [who[["respondent_id", "cohort", "site"]].reset_index(drop=True), pd.DataFrame(cols)],
        axis=1,
    )
    long = wide.melt(["respondent_id", "cohort", "site"], var_name="item", value_name="response")
    return long[long["response"] != ""].reset_index(drop=True)


def _likert(rng, centre: np.ndarray, noise: float, lo: int, hi: int) -> np.ndarray:
    return np.clip(np.rint(centre + rng.normal(0, noise, len(centre))), lo, hi).astype(int)


def _reaction(rng, people: pd.DataFrame) -> pd.DataFrame:
    inst = load_instrument("reaction")
    who = people[rng.random(len(people)) < 0.85].reset_index(drop=True)
    mood = rng.normal(0, 1, len(who)) + who["site"].map({"Westgate": -0.4}).fillna(0).to_numpy()
    out = who[["respondent_id", "cohort", "site"]].copy()
    for item in inst.items:
        value = _likert(rng, 4.0 + 0.6 * mood, 0.7, inst.scale.min, inst.scale.max)
        out[item.id] = inst.scale.min + inst.scale.max - value if item.reverse else value
    for col, pool, share in (("helped", HELPED, 0.45), ("change", CHANGE, 0.3)):
        text = rng.choice(pool, len(who))
        out[col] = np.where(rng.random(len(who)) < share, text, "")
    return out


def _retrospective(rng, people: pd.DataFrame) -> pd.DataFrame:
    inst = load_instrument("retrospective")
    who = people[rng.random(len(people)) < 0.85].reset_index(drop=True)
    base = 2.4 + 0.6 * who["ability"].to_numpy()
    gain = rng.normal(0.9, 0.6, len(who))
    frames = []
    for item in inst.items:
        then = _likert(rng, base, 0.8, 1, 5)
        now = np.clip(then + _likert(rng, gain, 0.8, -1, 3), 1, 5)
        for time, value in (("then", then), ("now", now)):
            frames.append(
                who[["respondent_id", "cohort", "site"]].assign(
                    time=time, item=item.id, response=value
                )
            )
    return pd.concat(frames, ignore_index=True)


def _certification(rng, n: int, items: int = 12) -> pd.DataFrame:
    people = _people(rng, n)
    ability = people["ability"].to_numpy()
    frames = []
    for k in range(1, items + 1):
        top = 2 if k in (6, 12) else 1  # two short answers graded on a rubric
        slope = -0.4 if k == 9 else 1.4  # item 9 has a flawed key: the review list shows it
        p = _sigmoid(slope * ability + 0.8 - 0.15 * k)
        score = rng.binomial(top, p)
        frames.append(
            people[["respondent_id", "cohort", "site"]].assign(
                item=f"cert-k{k:02d}", score=score, max_score=top
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["respondent_id"] = out["respondent_id"].str.replace("p", "c", regex=False)
    return out


def _questions(banks: dict[str, Bank]) -> list[Question]:
    return [q for b in banks.values() for q in b.questions]


def _forms() -> dict[str, list[Question]]:
    from ..content.prepost_forms import load_forms

    return {name: form.questions for name, form in load_forms().items()}


def generate(
    n: int = 240,
    seed: int = 2024,
    banks: dict[str, Bank] | None = None,
    candidates: int | None = None,
) -> dict[str, pd.DataFrame]:
    """The synthetic tables, keyed by file stem; each has ``synthetic = true``."""
    if n < 2:
        raise DemoDataError("the demo needs at least 2 respondents")
    if banks is None:
        from ..content.bank import load_all

        banks = load_all()
    rng = np.random.default_rng(seed)
    people = _people(rng, n)
    tables = {
        "knowledge": _knowledge(rng, people, _forms()),
        "quiz": _quiz(rng, people, _questions(banks)),
        "reaction": _reaction(rng, people),
        "retrospective": _retrospective(rng, people),
        "certification": _certification(rng, candidates or max(20, n // 6)),
    }
    return {k: v.assign(synthetic="true") for k, v in tables.items() if v is not None}


def _bank_ids(banks: dict[str, Bank]) -> list[str]:
    """What the demo was made from: bank questions, and form items marked ``form:``."""
    forms = [f"form:{q.id}" for qs in _forms().values() for q in qs]
    return sorted([q.id for q in _questions(banks)] + forms)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_demo(
    folder: str | Path | None = None,
    n: int = 240,
    seed: int = 2024,
    banks: dict[str, Bank] | None = None,
) -> Path:
    """Write the demo CSVs, README and manifest; refuse a folder that holds other files."""
    folder = Path(folder) if folder is not None else demo_folder()
    if folder.exists() and not folder.is_dir():
        raise DemoDataError(f"{folder} is a file; give a folder for the demo data")
    if folder.is_dir() and any(folder.iterdir()) and not is_demo(folder):
        raise DemoDataError(
            f"{folder} holds files that are not demo data; choose an empty folder with --out"
        )
    if banks is None:
        from ..content.bank import load_all

        banks = load_all()
    try:
        tables = generate(n, seed, banks)
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in tables.items():
            _write(folder / f"{name}.csv", table.to_csv(index=False))
        _write(folder / "README.md", README.format(seed=seed))
        manifest = {
            "synthetic": True,
            "made_by": "peercare demo-data",
            "seed": seed,
            "respondents": n,
            "files": sorted(f"{k}.csv" for k in tables),
            "bank_questions": _bank_ids(banks),
        }
        _write(folder / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    except OSError as exc:
        raise DemoDataError(f"cannot write the demo data to {folder}: {exc.strerror}") from None
    except InstrumentError as exc:
        raise DemoDataError(f"a shipped instrument is broken:\n{exc}") from None
    return folder


def _manifest(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("synthetic") is True else None


def is_demo(folder: str | Path) -> bool:
    """True when the folder was written by :func:`write_demo`."""
    return _manifest(Path(folder)) is not None


def ensure_demo(folder: str | Path | None = None, banks: dict[str, Bank] | None = None) -> Path:
    """Write the demo data when it is missing or was made from other question banks."""
    folder = Path(folder) if folder is not None else demo_folder()
    if banks is None:
        from ..content.bank import load_all

        banks = load_all()
    manifest = _manifest(folder)
    if manifest is None or manifest.get("bank_questions") != _bank_ids(banks):
        write_demo(folder, banks=banks)
    return folder
