"""JupyterLab for one trainer candidate (``peercare cert lab --candidate ID``) or for the lead
trainer (``--lead``).

A candidate's server runs in ``<course>/candidate-work/<id>/`` (git-ignored), so their file
browser shows only their own work, never the rubric, the gradebook or ``release/``. Its
settings live in ``<course>/candidate-work/.lab/<id>/`` (outside what the candidate sees):
an ``nbgrader_config.py`` that points fetch and submit at the course's exchange under the
candidate's id (``CourseDirectory.student_id``), whatever the computer account is called,
and a ``labconfig/page_config.json`` that turns off Formgrader, Create Assignment, the course
list and the news prompt. Its server loads nbgrader's Assignments and Validate handlers but not
Formgrader's or the list of formgraders, so those pages are not there at all; and a small
hand-written plugin (``static/labextension``) that opens the feedback page when "(view
feedback)" is clicked (see :mod:`.labserver`).

The lead trainer's server runs in the course folder with nbgrader as installed (Formgrader
included), and no news prompt.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..paths import STATIC_DIR
from ..serving.serve import free_port
from .candidates import candidate_names
from .course import CertError, Course

WORK = "candidate-work"
# clicked answers are kept in the answer box; saved widget state only redraws the buttons
WIDGETS_SETTINGS = "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings"
NEWS = "@jupyterlab/apputils-extension:announcements"
LEAD_TOOLS = tuple(
    f"@jupyter/nbgrader:{name}" for name in ("formgrader", "create-assignment", "course-list")
)


@dataclass(frozen=True)
class Lab:
    """How to start one JupyterLab: the folder it serves, its command and environment."""

    root: Path
    state: Path  # settings and the log, outside what the server shows
    argv: list[str]
    env: dict[str, str]
    url: str  # the address to open, with the token

    @property
    def log(self) -> Path:
        return self.state / "lab.log"


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))


def _plan(
    root: Path, state: Path, disabled: tuple[str, ...], server: dict, port, token, lab=None
) -> Lab:
    config = state / "config"
    _write_json(
        config / "labconfig" / "page_config.json",
        {"disabledExtensions": {name: True for name in disabled}},
    )
    _write_json(config / "jupyter_server_config.json", {"ServerApp": server, "LabApp": lab or {}})
    port = port or free_port()
    token = token or secrets.token_urlsafe(16)
    argv = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
    }
    return Lab(root, state, argv, env, f"http://127.0.0.1:{port}/lab?token={token}")


def candidate_config(course: Course, candidate: str, home: Path, cache: Path) -> str:
    """The nbgrader settings of one candidate's server, as an ``nbgrader_config.py``."""
    exchange = course.config.Exchange.get("root") or str(course.root / "exchange")
    values = {
        "CourseDirectory.course_id": course.course_id,
        "CourseDirectory.student_id": candidate,
        "Exchange.root": str(Path(exchange).resolve()),
        "Exchange.path_includes_course": True,
        "Exchange.assignment_dir": str(home),
        "Exchange.cache": str(cache),
    }
    lines = [f"c.{name} = {value!r}" for name, value in values.items()]
    head = '"""Made by `peercare cert lab` for one candidate; remade at every start."""\n'
    return head + "c = get_config()  # noqa: F821\n" + "\n".join(lines) + "\n"


def candidate_lab(course: Course, candidate: str, port=None, token=None) -> Lab:
    """The plan for one candidate's server; refuses an id not on the candidate list."""
    known = candidate_names(course)
    if candidate not in known:
        listed = ", ".join(sorted(known)) or "nobody yet (peercare cert add-candidates)"
        raise CertError(
            f"{candidate!r} is not on the candidate list. Check the id with your lead trainer. "
            f"On the list: {listed}"
        )
    work = course.root / WORK
    home, state = work / candidate, work / ".lab" / candidate
    home.mkdir(parents=True, exist_ok=True)
    nbgrader_off = ("formgrader", "course_list", "assignment_list", "validate_assignment")
    extensions = {f"nbgrader.server_extensions.{name}": False for name in nbgrader_off}
    lab = _plan(
        home, state, (*LEAD_TOOLS, NEWS),
        {"jpserver_extensions": {**extensions, "peercare.certification.labserver": True}},
        port, token, {"expose_app_in_browser": True, "custom_css": True,
                     "extra_labextensions_path": [str(STATIC_DIR / "labextension")]},
    )  # fmt: skip
    custom = state / "config" / "custom" / "custom.css"
    custom.parent.mkdir(parents=True, exist_ok=True)
    custom.write_text((STATIC_DIR / "candidate-lab.css").read_text(encoding="utf-8"))
    _write_json(state / "settings" / WIDGETS_SETTINGS, {"saveState": True})
    config = state / "config" / "nbgrader_config.py"
    config.write_text(candidate_config(course, candidate, home, state / "nbgrader_cache"))
    return lab


def lead_lab(course: Course, port=None, token=None) -> Lab:
    """The plan for the lead trainer's server: the course folder, Formgrader included."""
    state = course.root / WORK / ".lab" / ".lead"
    return _plan(course.root, state, (NEWS,), {}, port, token)


def run(lab: Lab, open_browser: bool = True) -> int:
    """Start the server, print the address once it answers, and stop it on Ctrl-C."""
    import requests

    from ..serving.serve import stop_process

    lab.state.mkdir(parents=True, exist_ok=True)
    with lab.log.open("a") as log:
        proc = subprocess.Popen(lab.argv, cwd=lab.root, env=lab.env, stdout=log, stderr=log)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        status = lab.url.replace("/lab?", "/api/status?")
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(status, timeout=2).raise_for_status()
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise CertError(f"JupyterLab did not start; see {lab.log}") from None
                time.sleep(0.5)
        print(f"JupyterLab is ready. Open this address in your web browser:\n\n  {lab.url}\n")
        print(f"Your work is saved in {lab.root}. Press Ctrl-C here to stop.", flush=True)
        if open_browser:
            import webbrowser

            webbrowser.open(lab.url)
        proc.wait()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop_process(proc)
