"""The train-the-trainer certification course, for nbgrader 0.9.6.

Run nbgrader (and ``peercare cert``) from this folder. Settings a lead trainer may change
without editing this file, through environment variables:

- ``PEERCARE_COURSE_ID``: the course id candidates see (default ``helping-the-helpers``).
- ``PEERCARE_EXCHANGE``: the exchange folder where released and submitted work meet
  (default: ``exchange/`` here; on a shared server, a folder every candidate can write to).
- ``PEERCARE_GRADEBOOK_URL``: the gradebook database (default: the SQLite file
  ``gradebook.db`` here; e.g. ``postgresql://user@host/gradebook`` for PostgreSQL).
- ``PEERCARE_CELL_TIMEOUT``: seconds one cell may run when grading (default 30).
- ``PEERCARE_CHECK_OWNER``: ``1`` when each candidate has their own computer account on a
  shared server; then ``collect`` refuses a submission owned by another account.

The sources live in ``../exercises`` (one folder per assignment). Everything nbgrader
writes here (release/, submitted/, autograded/, feedback/, exchange/, gradebook.db) is
git-ignored: candidates' work never goes into git.
"""

import os
from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from peercare.certification.exchange import CheckedCollect
from peercare.certification.feedback import TEMPLATE_NAME, TEMPLATES, PlainFeedback
from peercare.certification.preprocessors import RecordRun, ScreenSubmission
from peercare.certification.sandbox import SandboxedExecute

c = get_config()  # noqa: F821 (nbgrader provides it)
HERE = Path(__file__).resolve().parent

c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = os.environ.get("PEERCARE_COURSE_ID", "helping-the-helpers")
c.CourseDirectory.source_directory = os.path.relpath(HERE.parent / "exercises", HERE)
c.CourseDirectory.db_url = os.environ.get(
    "PEERCARE_GRADEBOOK_URL", f"sqlite:///{HERE / 'gradebook.db'}"
)
c.Exchange.root = os.environ.get("PEERCARE_EXCHANGE", str(HERE / "exchange"))
c.Exchange.path_includes_course = True

# Collect refuses submissions from ids not on the candidate list and, with check_owner,
# owned by another account (peercare.certification.exchange); autograde never adds people.
# Candidates and the lead trainer are usually the same computer account on a laptop;
# the owner check only means something when each candidate has their own account.
c.ExchangeFactory.collect = CheckedCollect
c.ExchangeCollect.check_owner = os.environ.get("PEERCARE_CHECK_OWNER", "0") == "1"
c.Autograde.create_student = False

# Grading runs each cell with a time limit (Execute.timeout wins over
# ExecutePreprocessor.timeout); a cell that runs too long is stopped and scores zero.
c.Execute.timeout = int(os.environ.get("PEERCARE_CELL_TIMEOUT", "30"))
c.Execute.interrupt_on_timeout = True

# What candidates see where an answer goes, in plain words.
c.ClearSolutions.code_stub = {"python": 'answer = ""  # type your answer between the quotes'}
c.ClearSolutions.text_stub = "Type your answer here. (Double-click this box to start typing.)"

# Autograde: screen each submission first (restore deleted or stripped test cells, drop
# duplicates, read choice answers as data so no candidate code runs), then nbgrader's steps.
c.ScreenSubmission.release_directory = str(HERE / "release")
c.ScreenSubmission.review_directory = str(HERE / "review")
c.RecordRun.review_directory = str(HERE / "review")
c.Autograde.sanitize_preprocessors = [
    ScreenSubmission,
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    OverwriteCells,
    CheckCellMetadata,
]
# Each notebook runs in a kernel that can read only its own submission: no exercises/,
# no gradebook, no other candidates, no network (bubblewrap; see
# peercare.certification.sandbox). PEERCARE_SANDBOX=off runs without bubblewrap, and then a
# notebook with code answers is refused, not graded.
c.SandboxedExecute.release_directory = str(HERE / "release")
c.SandboxedExecute.submitted_directory = str(HERE / "submitted")
c.SandboxedExecute.sandbox = os.environ.get("PEERCARE_SANDBOX", "bwrap")
c.Autograde.autograde_preprocessors = [
    SandboxedExecute,
    RecordRun,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]

# Feedback is one plain page per notebook (peercare.certification.feedback): per question
# the candidate's answer, right or not, and why; per written answer the score, the rubric and
# the lead trainer's comment. Never code, hidden tests or their messages (a candidate who
# retakes the knowledge check must not find the checks there), never a script or anything
# from another host.
c.PlainFeedback.rubric_file = str(HERE / "rubric.yml")
c.PlainFeedback.certification_file = str(HERE / "certification.yml")
c.GenerateFeedback.preprocessors = [GetGrades, PlainFeedback]
# Only feedback's page uses this template (Formgrader's grading pages keep their own).
c.GenerateFeedback.HTMLExporter.template_name = TEMPLATE_NAME
c.GenerateFeedback.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
