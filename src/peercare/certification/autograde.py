"""Parallel autograde: several submissions at once, in one process, with nbgrader's own code.

``nbgrader autograde`` grades one notebook after another (nbgrader #174), and each extra
``nbgrader`` process pays about 2.7 s just to start. Here every submission gets its own
:class:`nbgrader.converters.Autograde` (the class behind ``nbgrader autograde``), with the
course's config and preprocessors, and a pool of threads runs them side by side: each thread
drives its own kernel, so the kernels (separate processes) use the CPU cores. The gradebook
is touched only under one lock: every preprocessor except Execute, and nbgrader's
per-submission set-up, run one at a time. So SQLite never sees two writers from here, and
PostgreSQL gets the same sequence of writes as with ``nbgrader autograde``.

One submission's failure (a notebook that is not valid JSON, a kernel that will not stop)
is recorded for that candidate and the batch carries on.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path

from .course import Course
from .preprocessors import read_json_notebook
from .review import clear_review, review_folder, write_json

DB_LOCK = threading.RLock()
log = logging.getLogger("peercare.cert.autograde")


class State(StrEnum):
    """What grading did with one submission (written to its ``outcome.json``)."""

    GRADED = "graded"
    SKIPPED = "skipped"  # graded before; not again without --force
    REJECTED = "rejected"  # not a readable notebook
    FAILED = "failed"  # nbgrader could not grade it; the reason says why


@dataclass
class Result:
    assignment: str
    candidate: str
    state: State
    reason: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


@cache
def _schema_validator():
    """nbgrader's cell-metadata schema, checked once (jsonschema.validate re-checks the
    schema itself on every call: about 0.1 s a notebook, a fifth of our own CPU)."""
    import jsonschema
    from nbgrader.nbgraderformat import MetadataValidator

    schema = MetadataValidator().schema
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _fast_metadata_check():
    """nbgrader's CheckCellMetadata with the same checks and errors, schema checked once."""
    import jsonschema
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError
    from nbgrader.preprocessors import CheckCellMetadata

    class Validator(MetadataValidator):
        def validate_cell(self, cell):
            if "nbgrader" not in cell.metadata:
                return
            if cell.metadata["nbgrader"].get("schema_version", 0) != self.schema_version:
                return super().validate_cell(cell)  # raises nbgrader's own error
            error = jsonschema.exceptions.best_match(
                _schema_validator().iter_errors(cell.metadata["nbgrader"])
            )
            if error is not None:
                raise error

    class Fast(CheckCellMetadata):
        def preprocess(self, nb, resources):
            try:
                Validator().validate_nb(nb)
            except ValidationError:
                self.log.error(traceback.format_exc())
                msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
                self.log.error(msg)
                raise ValidationError(msg) from None
            return nb, resources

    Fast.__name__ = Fast.__qualname__ = "CheckCellMetadata"
    return Fast


@cache
def _locked(cls):
    """The same preprocessor (same name, so the same config), run under DB_LOCK."""
    from nbgrader.preprocessors import CheckCellMetadata, Execute

    if issubclass(cls, Execute):
        return cls
    if cls is CheckCellMetadata:
        cls = _fast_metadata_check()

    def preprocess(self, nb, resources):
        with DB_LOCK:
            return cls.preprocess(self, nb, resources)

    return type(cls.__name__, (cls,), {"preprocess": preprocess, "__module__": cls.__module__})


def _converter_class():
    from nbconvert.writers import FilesWriter
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import BaseConverter

    class ParallelAutograde(Autograde):
        """nbgrader's Autograde, safe to run beside others in the same process."""

        processed = False
        failure: BaseException | None = None  # what stopped a notebook, for the reason

        def start(self):
            # BaseConverter.start without its os.chdir(coursedir.root): the course's paths
            # are absolute, and a change of folder would reach every thread of the process.
            self.init_notebooks()
            self.writer = FilesWriter(parent=self, config=self.config)
            self.exporter = self.exporter_class(parent=self, config=self.config)
            for pp in self.preprocessors:
                self.exporter.register_preprocessor(pp)
            self.convert_notebooks()

        def init_destination(self, assignment_id, student_id):
            with DB_LOCK:
                self.processed = super().init_destination(assignment_id, student_id)
            return self.processed

        def init_assignment(self, assignment_id, student_id):
            with DB_LOCK:
                super().init_assignment(assignment_id, student_id)

        def _init_preprocessors(self):
            self.exporter._preprocessors = []
            chosen = (
                self.sanitize_preprocessors if self._sanitizing else self.autograde_preprocessors
            )
            for pp in chosen:
                self.exporter.register_preprocessor(_locked(pp))

        def set_permissions(self, assignment_id, student_id):
            with DB_LOCK:
                super().set_permissions(assignment_id, student_id)

        def convert_single_notebook(self, notebook_filename):
            # Autograde's own version (nbgrader 0.9.6), less utils.setenv, which changes
            # os.environ for the whole process while threads run; the kernel gets
            # NBGRADER_EXECUTION from SandboxKernelManager instead.
            # nbgrader logs the error and raises its own; keep the error itself for the reason.
            try:
                self._sanitizing = True
                self._init_preprocessors()
                BaseConverter.convert_single_notebook(self, notebook_filename)
                notebook_filename = os.path.join(
                    self.writer.build_directory, os.path.basename(notebook_filename)
                )
                self._sanitizing = False
                self._init_preprocessors()
                BaseConverter.convert_single_notebook(self, notebook_filename)
            except BaseException as exc:
                self.failure = exc
                raise
            finally:
                self._sanitizing = True

    return ParallelAutograde


def submissions(course: Course, assignments: list[str], only: str | None = None):
    """(assignment, candidate) pairs that have a submitted folder, in a stable order."""
    pairs = []
    submitted = course.folder("submitted")
    if not submitted.is_dir():
        return pairs
    for person in sorted(p for p in submitted.iterdir() if p.is_dir()):
        if only and person.name != only:
            continue
        for name in assignments:
            if (person / name).is_dir():
                pairs.append((name, person.name))
    return sorted(pairs)


def _timestamp(folder: Path) -> str | None:
    path = folder / "timestamp.txt"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _why_failed(error: BaseException | None, raised: BaseException) -> str:
    """The reason a submission failed, from the error that stopped it (by its type)."""
    from nbclient.exceptions import CellTimeoutError
    from nbgrader.preprocessors.execute import UnresponsiveKernelError

    from .sandbox import SandboxUnavailable

    # An answer that catches or ignores the interrupt keeps running after the time limit:
    # nbclient then gives up on the whole notebook.
    if isinstance(error, CellTimeoutError | UnresponsiveKernelError):
        return (
            "an answer kept running after the time limit, even when interrupted; "
            "a lead trainer needs to look at it"
        )
    if isinstance(error, SandboxUnavailable):
        return str(error).splitlines()[0]
    if error is None:  # nbgrader's own stop (its database, its metadata version)
        first = str(raised).strip().splitlines()
        return (first[0] if first else "nbgrader could not grade it")[:200]
    first = str(error).strip().splitlines()
    return f"{type(error).__name__}: {first[0] if first else 'nbgrader could not grade it'}"[:200]


def grade_one(course: Course, assignment: str, candidate: str, force: bool = False) -> Result:
    """Grade one submission with nbgrader's Autograde; never raises for the candidate's work."""
    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory

    start = time.monotonic()
    folder = course.folder("submitted") / candidate / assignment
    outcome_path = review_folder(course.review_dir, assignment, candidate) / "outcome.json"
    stamp = _timestamp(folder)

    def finish(state: State, reason: str = "", notes=()) -> Result:
        result = Result(assignment, candidate, state, reason, time.monotonic() - start, list(notes))
        if state != State.SKIPPED:
            write_json(
                outcome_path,
                {"state": state, "reason": reason, "submitted_at": stamp,
                 "graded_at": datetime.now(UTC).isoformat(timespec="seconds")},
            )  # fmt: skip
        return result

    for path in sorted(folder.glob("*.ipynb")):
        _, why = read_json_notebook(path)
        if why:
            clear_review(course.review_dir, assignment, candidate)
            return finish(State.REJECTED, f"{path.name}: {why}; ask the candidate to submit again")

    coursedir = CourseDirectory(config=course.config)
    coursedir.assignment_id = assignment
    coursedir.student_id = candidate
    converter = _converter_class()(coursedir=coursedir, config=course.config)
    converter.force = force
    converter.log = logging.getLogger(f"peercare.cert.nbgrader.{assignment}.{candidate}")
    converter.log.propagate = False  # nbgrader's tracebacks are not for the terminal
    converter.log.setLevel(logging.WARNING)
    converter.log.handlers = [logging.NullHandler()]

    try:
        # clear old notes only once nbgrader has decided to (re)grade this submission
        original = converter.init_assignment

        def init_assignment(a, s):
            clear_review(course.review_dir, a, s)
            original(a, s)

        converter.init_assignment = init_assignment
        converter.start()
    except NbGraderException as exc:
        return finish(State.FAILED, _why_failed(converter.failure, exc))
    except Exception as exc:  # anything else is about this submission only
        return finish(State.FAILED, f"{type(exc).__name__}: {exc}"[:200])
    if not converter.processed:
        return finish(State.SKIPPED, "already graded (use --force to grade again)")
    return finish(State.GRADED)


def default_jobs() -> int:
    """Two submissions per core: while one kernel starts, another runs (measured best on
    2 cores with 4 at once); at most 8, so memory stays modest."""
    return max(2, min(8, 2 * (os.cpu_count() or 1)))


def grade_all(
    course: Course,
    assignment: str | None = None,
    candidate: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress=None,
) -> list[Result]:
    """Grade every submitted (assignment, candidate), ``jobs`` at a time. Leaves the process
    alone: no change of working folder or environment (it may run inside a longer-lived
    process, such as a hub service or a notebook)."""
    pairs = submissions(course, course.pick(assignment), candidate)
    jobs = jobs or default_jobs()
    results: list[Result] = []
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="autograde")
    with pool:
        futures = [pool.submit(grade_one, course, a, c, force) for a, c in pairs]
        for future in futures:
            result = future.result()
            results.append(result)
            if progress:
                progress(result)
    return results
