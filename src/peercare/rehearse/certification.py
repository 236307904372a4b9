"""Stage "certification": a throwaway copy of the course, candidates who submit as
candidates would (one perfect, one that fails, one with a deleted test cell, one with an
infinite loop, one late), then collect, autograde, ``nbgrader autograde`` on the same
submissions for comparison, rubric grades through the gradebook, feedback, decide,
certificates and verify, all with the kit's own certification steps."""

from __future__ import annotations

import contextlib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..certification import Course
from ..certification.autograde import State, grade_all
from ..certification.candidates import add_candidates
from ..certification.certificates import issue, verify
from ..certification.decide import CERTIFIED, NOT_YET, WAITING, decide
from ..certification.grades import set_rubric_grade
from ..certification.observe import record
from ..certification.practice import KC, Notebook, answer_key, fetch, make_course, submit
from ..certification.scores import item_scores, scores_csv
from ..certification.steps import collect, feedback, release
from ..content.fidelity import load_fidelity
from ..paths import project_root
from .progress import Progress

WRITTEN = (
    "I would ask to talk in private after the shift, say what I noticed, ask how they are "
    "really doing, listen, and offer to walk with them to the supervisor. I will check back."
)
PROFILES = {
    "perfect": ("answers everything well", [CERTIFIED]),
    "fails": ("gets 12 of 20 on the knowledge check", [NOT_YET]),
    "deleted": ("deletes a test cell (the kit puts it back)", [CERTIFIED]),
    "looping": ("writes an infinite loop in an answer box (never run: scored 0)", [CERTIFIED]),
    "late": ("submits after the first grading round", [WAITING, CERTIFIED]),
}
"""Profile -> what the candidate does, and the expected decision after each grading round
(one entry: the same after both)."""
CELL_TIMEOUT = "30"  # the kit's default; on a loaded machine a short limit fails good cells
AUTOGRADED = (KC, "scenarios")  # assignments with auto-graded cells


@dataclass
class Candidate:
    id: str
    profile: str

    @property
    def name(self) -> str:
        return f"Rehearsal Candidate {self.id.removeprefix('c')}"


@dataclass
class CertificationRun:
    course: Path
    candidates: list[Candidate]
    decisions: list[dict[str, str]] = field(default_factory=list)  # one per grading round
    ours: dict = field(default_factory=dict)  # auto-graded scores, peercare cert autograde
    nbgrader: dict = field(default_factory=dict)  # the same, `nbgrader autograde`
    certificates: dict[str, str] = field(default_factory=dict)  # candidate -> code
    verified: dict[str, bool] = field(default_factory=dict)
    scores: Path | None = None
    feedback_pages: int = 0

    def expected(self, round_: int) -> dict[str, str]:
        out = {}
        for c in self.candidates:
            verdicts = PROFILES[c.profile][1]
            out[c.id] = verdicts[min(round_, len(verdicts) - 1)]
        return out


def cohort(n: int) -> list[Candidate]:
    profiles = list(PROFILES)
    return [Candidate(f"c{i + 1:02d}", profiles[i % len(profiles)]) for i in range(n)]


@contextlib.contextmanager
def course_env(grading: Path):
    """The course's settings for this process and the nbgrader commands it runs."""
    settings = {
        "PEERCARE_EXCHANGE": str(grading / "exchange"),
        "PEERCARE_GRADEBOOK_URL": f"sqlite:///{grading / 'gradebook.db'}",
        "PEERCARE_CELL_TIMEOUT": CELL_TIMEOUT,
        "PEERCARE_COURSE": str(grading),
    }
    saved = {k: os.environ.get(k) for k in [*settings, "PEERCARE_COURSE_ID"]}
    os.environ.update(settings)
    os.environ.pop("PEERCARE_COURSE_ID", None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _knowledge(nb: Notebook, key: dict[str, str], right: int) -> None:
    for n, (cell_id, letter) in enumerate(sorted(key.items())):
        nb.answer(cell_id, letter if n < right else ("A" if letter != "A" else "B"))


def hand_in(course: Course, cand: Candidate, homes: Path) -> None:
    """Fetch every assignment, answer as the profile says, submit (nbgrader's exchange)."""
    exchange = Path(os.environ["PEERCARE_EXCHANGE"])
    home = homes / cand.id
    kc_key = answer_key(course.exercises, KC, KC)
    sc_key = answer_key(course.exercises, "scenarios", "scenarios")
    nb = Notebook(fetch(exchange, home, KC) / f"{KC}.ipynb")
    _knowledge(nb, kc_key, 12 if cand.profile == "fails" else 20)
    if cand.profile == "deleted":
        nb.delete("q03-check")
    if cand.profile == "looping":
        nb.set("q06-answer", 'while True:\n    pass\nanswer = "A"')
    nb.save()
    submit(exchange, home, KC, cand.id)
    for assignment, notebook in (("scenarios", "scenarios"), ("facilitation", "facilitation-plan")):
        nb = Notebook(fetch(exchange, home, assignment) / f"{notebook}.ipynb")
        for cell in nb.nb["cells"]:
            if cell["id"].endswith("-response"):
                cell["source"] = WRITTEN
        for cell_id, letter in sc_key.items() if assignment == "scenarios" else ():
            nb.answer(cell_id, letter)
        nb.save()
        submit(exchange, home, assignment, cand.id)


def auto_scores(course: Course) -> dict:
    """Every auto-graded score in the gradebook: (assignment, candidate, cell) -> score."""
    out = {}
    with course.gradebook() as gb:
        for a in gb.assignments:
            if a.name not in AUTOGRADED:
                continue
            for sub in a.submissions:
                for nb in sub.notebooks:
                    for g in nb.grades:
                        if g.auto_score is not None:
                            out[(a.name, sub.student.id, g.name)] = g.auto_score
    return out


def autograde(course: Course, who: list[Candidate], force: bool) -> None:
    results = []
    for cand in who:
        results += grade_all(course, candidate=cand.id, jobs=2, force=force)
    broken = [f"{r.candidate}/{r.assignment}: {r.state} {r.reason}" for r in results
              if r.state != State.GRADED]  # fmt: skip
    if broken:
        raise RuntimeError("autograde did not grade: " + "; ".join(broken))


def rubric_grades(course: Course, who: list[Candidate]) -> None:
    """Every rubric-graded answer scored through the gradebook (as in Formgrader): 3 for
    the perfect candidate, 2 ("meets") for the others."""
    rubric = course.rubric()
    for cand in who:
        for comp in rubric.competencies:
            for cell in comp.cells:
                assignment, gid = cell.split(":")
                score = rubric.points if cand.profile == "perfect" else rubric.meets_at
                set_rubric_grade(course, cand.id, assignment, gid, score, comment="Rehearsal.")


def observe_teach_backs(course: Course, who: list[Candidate]) -> None:
    """A passing observed teach-back for each candidate (part 3 of the refresher, every
    checklist item seen): the certification rule needs one, and the rehearsal's expected
    decisions turn on the notebooks, not on the observation."""
    marks = {item.id: "seen" for item in load_fidelity().items}
    for cand in who:
        record(course, cand.id, "refresher", "3", marks, "Rehearsal: clear and calm.")


def run_certification(n: int, out: Path, root: Path | None = None) -> CertificationRun:
    root = root or project_root()
    progress = Progress("certification", 8)
    grading = make_course(out / "course", root)
    people = cohort(n)
    run = CertificationRun(grading, people)
    homes = out / "candidates"
    with course_env(grading), warnings.catch_warnings():
        # nbgrader's gradebook warns about its own SQLAlchemy sessions on every grade; the
        # grades are right (the comparison with `nbgrader autograde` checks them)
        warnings.filterwarnings("ignore", module="nbgrader")
        warnings.filterwarnings("ignore", message=".*not in session.*")
        course = Course.find(grading)
        listing = out / "candidates.csv"
        listing.write_text("id,name\n" + "".join(f"{c.id},{c.name}\n" for c in people))
        add_candidates(course, listing)
        release(course)
        progress.step(f"{n} candidates added; assignments released")
        on_time = [c for c in people if c.profile != "late"]
        late = [c for c in people if c.profile == "late"]
        for cand in on_time:
            hand_in(course, cand, homes)
        progress.step(f"{len(on_time)} submitted on time: "
                      + ", ".join(f"{c.id} {c.profile}" for c in on_time))  # fmt: skip
        collect(course)
        for assignment in AUTOGRADED:
            course.nbgrader("autograde", assignment, "--force")
        run.nbgrader = auto_scores(course)
        progress.step("collected; `nbgrader autograde` on the submissions (for comparison)")
        autograde(course, on_time, force=True)
        run.ours = auto_scores(course)
        rubric_grades(course, on_time)
        observe_teach_backs(course, people)
        progress.step(
            "peercare autograde on the same submissions; rubric grades and observed "
            "teach-backs filled in"
        )
        run.decisions.append({d.candidate: d.verdict for d in decide(course)})
        progress.step("first decision: " + _verdicts(run.decisions[-1]))
        for cand in late:
            hand_in(course, cand, homes)
        if late:
            collect(course)
            autograde(course, late, force=False)
            rubric_grades(course, late)
        run.decisions.append({d.candidate: d.verdict for d in decide(course)})
        progress.step(f"{len(late)} late submission(s) graded; decision: "
                      + _verdicts(run.decisions[-1]))  # fmt: skip
        made = feedback(course)
        run.feedback_pages = sum(len(v) for v in made.values())
        issued = issue(course)
        run.certificates = {i.candidate: i.code for i in issued}
        run.verified = {c: verify(course, code) is not None for c, code in run.certificates.items()}
        progress.step(f"feedback for {run.feedback_pages} submissions; "
                      f"{len(issued)} certificate(s), verified")  # fmt: skip
        rows, _ = item_scores(course, KC)
        run.scores = out / "certification.csv"
        run.scores.write_text(scores_csv(rows), encoding="utf-8")
        progress.step(f"knowledge-check item scores for the evaluation kit: {run.scores.name}")
    return run


def _verdicts(decisions: dict[str, str]) -> str:
    return ", ".join(f"{c} {v}" for c, v in sorted(decisions.items()))
