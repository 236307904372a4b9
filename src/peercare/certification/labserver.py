"""The candidate's JupyterLab server side of nbgrader's Assignments tab and Validate button,
in plain words (a Jupyter server extension that ``peercare cert lab --candidate`` loads in
place of nbgrader's ``assignment_list`` and ``validate_assignment``).

Decision: nbgrader's lab extension (its buttons and dialogs) is kept as it is, and only what
its server answers changes, because changing the tab itself means building a JupyterLab
extension. So:

- **Validate** reads the notebook as data (:func:`peercare.certification.check.check_notebook`)
  and answers "Still empty: 7 to 20." instead of running it and showing tracebacks;
- **Submit** asks first: when questions are still empty it does not send, and says which and
  that pressing Submit again within ten minutes sends it anyway;
- the submitted list says when in words ("Sent on Monday 30 November at 3:05 pm"), and a
  step that fails says so in a sentence; the traceback goes to the server's log.

- **(view feedback)** opens the candidate's feedback page in one click: nbgrader's link moves
  the file panel to the feedback folder, and the candidate lab's small plugin
  (``static/labextension/peercare-candidate-lab``) then opens ``peercare/feedback?path=...``,
  which :class:`FeedbackHandler` serves as it is (a page made by
  :mod:`peercare.certification.feedback`), with scripts and other hosts refused.

The tab shows these in its own dialogs, whose fixed headings ("The following cell failed:",
"Assignment not submitted:") the lab's ``custom.css`` hides (:mod:`.lab`); the plugin renames
the "Invalid Submission" title "About sending your work".
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from jupyter_server.utils import url_path_join
from nbgrader.server_extensions.assignment_list import handlers as nbg
from tornado import web

from .check import check_cells, check_notebook, spans
from .course import CertError

CONFIRM_SECONDS = 600
FAILED = {
    "fetch": "Fetching did not work. Try again; if it fails again, tell your lead trainer.",
    "submit": "Sending did not work, so nothing was sent. Try again; if it fails again, "
    "tell your lead trainer.",
    "fetch_feedback": "Fetching your feedback did not work. Try again later. If it still "
    "does not work, tell your lead trainer.",
    "list": "The list of assignments could not be read. Tell your lead trainer.",
}


def sent_words(timestamp: str) -> str:
    """nbgrader's ``2026-11-30 15:05:12.123456 UTC`` as ``Sent on Monday 30 November at
    3:05 pm`` (the computer's own time zone)."""
    from nbgrader.utils import parse_utc

    try:
        when = parse_utc(timestamp).astimezone()
    except Exception:
        return timestamp
    hour = when.strftime("%I").lstrip("0")
    return f"Sent on {when:%A} {when.day} {when:%B} at {hour}:{when:%M} {when:%p}".replace(
        "AM", "am"
    ).replace("PM", "pm")


def plain_list(result: dict, action: str = "list") -> dict:
    """nbgrader's list answer with times in words and no traceback."""
    if not result.get("success"):
        return {"success": False, "value": FAILED[action]}
    for item in result.get("value", []):
        for sub in item.get("submissions", []) or []:
            if sub.get("timestamp"):
                sub["timestamp"] = sent_words(sub["timestamp"])
    return result


def empty_questions(folder: Path) -> str:
    """What is still empty in the notebooks of one fetched assignment, in words ("" if none)."""
    said = []
    notebooks = sorted(folder.glob("*.ipynb"))
    for path in notebooks:
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            continue
        empty, form = check_cells([c for c in cells if isinstance(c, dict)])
        labels = empty + [x for x in form if x not in empty]
        if labels:
            where = f" in {path.stem}" if len(notebooks) > 1 else ""
            said.append(f"{spans(labels)}{where}")
    return "; ".join(said)


class Handler(nbg.BaseAssignmentHandler):
    @property
    def root(self) -> Path:
        return Path(self.settings["server_root_dir"]).resolve()

    def _data(self) -> dict:
        try:
            return {
                "assignment_id": self.get_argument("assignment_id"),
                "course_id": self.get_argument("course_id"),
            }
        except web.MissingArgumentError:
            return self.get_json_body() or {}


class ListHandler(Handler):
    @web.authenticated
    def get(self):
        result = self.manager.list_assignments(course_id=self.get_argument("course_id"))
        self.finish(json.dumps(plain_list(result)))


class ActionHandler(Handler):
    confirmations: dict[tuple[str, str], float] = {}

    @web.authenticated
    def post(self, action):
        data = self._data()
        course, assignment = str(data.get("course_id", "")), str(data.get("assignment_id", ""))
        if not course or not assignment or "/" in assignment or ".." in assignment:
            raise web.HTTPError(400, "Which assignment?")
        manager = self.manager
        if action == "submit":
            asked = self._asks_first(course, assignment)
            if asked:
                self.finish(json.dumps({"success": False, "value": asked}))
                return
            result = manager.submit_assignment(course, assignment)
        elif action == "fetch":
            result = manager.fetch_assignment(course, assignment)
        else:
            result = manager.fetch_feedback(course, assignment)
        if not result.get("success"):
            self.finish(json.dumps({"success": False, "value": FAILED[action]}))
            return
        self.finish(json.dumps(plain_list(manager.list_assignments(course_id=course))))

    def _asks_first(self, course: str, assignment: str) -> str:
        """The question to ask before sending work with empty questions, or "" to send."""
        empty = empty_questions(self.root / course / assignment)
        key = (course, assignment)
        asked_at = self.confirmations.pop(key, None)
        if not empty or (asked_at and time.monotonic() - asked_at < CONFIRM_SECONDS):
            return ""
        self.confirmations[key] = time.monotonic()
        return (
            f"Not sent yet. These questions are still empty: {empty}.\n\n"
            "To answer them first, press Ok and go back to the notebook.\n"
            "To send your work as it is, press Submit again within "
            f"{CONFIRM_SECONDS // 60} minutes."
        )


class ValidateHandler(Handler):
    @web.authenticated
    def post(self):
        try:
            path = self.get_argument("path")
        except web.MissingArgumentError:
            path = (self.get_json_body() or {}).get("path", "")
        target = (self.root / str(path)).resolve()
        if not target.is_relative_to(self.root):
            raise web.HTTPError(403, "Only your own notebooks")
        try:
            message = check_notebook(target)
        except CertError as exc:
            message = str(exc)
        # shown by the tab's dialog as the one "cell" of a result; its headings are hidden
        result = {"failed": [{"source": message, "error": ""}]}
        self.finish(json.dumps({"success": True, "value": result}))


NO_FEEDBACK = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>No feedback yet'
    "</title></head><body><main><h1>No feedback here yet</h1><p>In the Assignments tab, "
    "press <strong>Fetch Feedback</strong> first, then <strong>(view feedback)</strong>."
    "</p></main></body></html>"
)


class FeedbackHandler(Handler):
    """One fetched feedback page, by its folder (or file) under the candidate's folder."""

    @property
    def content_security_policy(self) -> str:
        return (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
        )

    @web.authenticated
    def get(self):
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("X-Content-Type-Options", "nosniff")
        page = self._page(self.get_argument("path", ""))
        if page is None:
            self.set_status(404)
            self.finish(NO_FEEDBACK)
            return
        self.finish(page.read_bytes())

    def _page(self, path: str) -> Path | None:
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root) or "feedback" not in target.parts:
            return None
        if target.is_file():
            return target if target.suffix == ".html" else None
        pages = sorted(target.glob("*.html")) if target.is_dir() else []
        return pages[0] if pages else None


def _jupyter_server_extension_points():
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp):
    web_app = serverapp.web_app
    manager = nbg.AssignmentList(parent=serverapp)
    manager.root_dir = serverapp.root_dir
    web_app.settings["assignment_list_manager"] = manager
    routes = [
        ("/assignments", ListHandler),
        ("/assignments/validate", ValidateHandler),
        (r"/assignments/(?P<action>fetch|submit|fetch_feedback)", ActionHandler),
        ("/courses", nbg.CourseListHandler),
        ("/peercare/feedback", FeedbackHandler),
        ("/nbgrader_version", nbg.NbGraderVersionHandler),
    ]
    base = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [(url_path_join(base, p), h) for p, h in routes])
    serverapp.log.info("peercare: plain-words Assignments and Validate for a candidate")
