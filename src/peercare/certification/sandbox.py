"""Grading kernels that can read only their own submission (bubblewrap).

nbgrader runs each notebook in a Jupyter kernel. :class:`SandboxedExecute` (the course
config's Execute) starts that kernel through :class:`SandboxKernelManager`:

- **Its own folder.** The kernel works in a fresh folder holding the assignment's public
  files (what ``release/`` gave every candidate, e.g. ``checks.py``, never a notebook) and this
  candidate's own submitted notebooks. Extra files a candidate submitted (a ``checks/``
  package, an ``ipykernel_launcher.py``) are not there, so they never run.
- **The sandbox.** With bubblewrap (Debian package ``bubblewrap``), the kernel runs in new
  namespaces as user ``nobody``: the system, Python and its packages are read-only, home and
  ``/tmp`` are empty and private, and the only other folder is its own. So ``exercises/``
  (solutions and hidden tests), ``grading/`` (the gradebook, ``release/``, ``submitted/``,
  other candidates), the exchange and the rest of the machine do not exist for it. It has no
  network (its own empty loopback; the kernel talks to nbgrader over Unix sockets in its
  folder), sees no other process, and dies with the grader.
- **A report.** Inside, an audit hook (:mod:`peercare.certification.sandbox_hook`) notes each
  try to open a path outside, start a program or open a connection; nbgrader's RecordRun
  writes them to the review notes, and ``peercare cert status`` shows them ("blocked by the
  sandbox") and holds the decision for a lead trainer. The report is best effort; the
  sandbox does not depend on it.

Only course boxes marked ``peercare: {answer: code}`` run a candidate's code (choice and short
answers are read as data). A notebook with such boxes is refused, not graded, when bubblewrap
is missing. ``PEERCARE_SANDBOX=off`` turns bubblewrap off (not recommended; for a computer
without it whose assignments have no code answers, the clean folder is still used).

Decision: a kernel manager with a custom launch command, not a kernelspec, so the sandbox
cannot be bypassed by a notebook naming another kernel, and each kernel gets its own folder.
Checked as root in a container and as a normal user: bubblewrap needs user namespaces
(``/proc/sys/user/max_user_namespaces`` above 0).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from functools import cache
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbgrader.converters.base import NbGraderException
from nbgrader.preprocessors import Execute
from traitlets import Unicode

from .preprocessors import is_code_answer

HOME = "/home/candidate"


class SandboxUnavailable(NbGraderException):
    """Candidate code would run, and bubblewrap cannot sandbox it here."""


REPORT = "attempts.log"


@cache
def bwrap() -> str | None:
    """The bubblewrap program, when it is installed and can make a sandbox here."""
    import subprocess

    path = shutil.which("bwrap")
    if path is None:
        return None
    with tempfile.TemporaryDirectory(prefix="pc-probe-") as folder:  # private, as a kernel's
        probe = [path, *_system_binds(), "--bind", folder, folder, "--unshare-all",
                 "--uid", "65534", "--gid", "65534", "--", "/usr/bin/touch", f"{folder}/ok"]  # fmt: skip
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(probe, capture_output=True, timeout=30)
        ok = os.path.exists(os.path.join(folder, "ok"))
    return path if ok else None


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    return args


def _python_binds() -> list[str]:
    """Python, its standard library and the kit's packages, read-only, where they are."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots.add(str(Path(sys.executable).resolve().parent.parent))
    args = []
    for root in sorted(r for r in roots if not r.startswith("/usr/")):
        args += ["--ro-bind", root, root]
    return args


def sandbox_args(folder: str, work: str) -> list[str]:
    """bubblewrap's options: only ``folder`` (which holds ``work``) can be written or read."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": HOME, "LANG": "C.UTF-8", "NBGRADER_EXECUTION": "autograde",
        "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
        "PEERCARE_REPORT": os.path.join(folder, REPORT),
        "JPY_PARENT_PID": "1",  # its parent is the sandbox's pid 1: no parent poller
    }  # fmt: skip
    args = [
        *_system_binds(), "--ro-bind", "/etc", "/etc", *_python_binds(),
        "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--dir", HOME,
        "--bind", folder, folder, "--chdir", work,
        "--unshare-all", "--uid", "65534", "--gid", "65534", "--die-with-parent",
        "--clearenv",
    ]  # fmt: skip
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args


def public_files(release: Path, work: Path) -> None:
    """Copy the assignment's released files, except notebooks, into the kernel's folder."""
    if not release.is_dir():
        return
    for path in release.rglob("*"):
        rel = path.relative_to(release)
        if path.is_file() and path.suffix != ".ipynb" and ".ipynb_checkpoints" not in rel.parts:
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, work / rel)


class SandboxKernelManager(AsyncKernelManager):
    """A kernel in its own folder, inside bubblewrap when ``use_bwrap``."""

    release_dir = Unicode("", help="release/<assignment>").tag(config=True)
    submitted_dir = Unicode("", help="submitted/<candidate>/<assignment>").tag(config=True)

    use_bwrap = True
    folder: str | None = None

    async def _async_pre_start_kernel(self, **kw):
        # private to the grader's account; inside, the sandbox's user is that account
        self.folder = tempfile.mkdtemp(prefix="pc-kernel-")
        work = Path(self.folder) / "work"
        work.mkdir()
        public_files(Path(self.release_dir), work)
        for nb in Path(self.submitted_dir).glob("*.ipynb") if self.submitted_dir else ():
            shutil.copy(nb, work / nb.name)
        (Path(self.folder) / REPORT).touch()
        self.transport = "ipc"
        self.ip = os.path.join(self.folder, "zmq")
        self.connection_file = os.path.join(self.folder, "kernel.json")
        kw["cwd"] = str(work)
        # bubblewrap sets the whole environment itself (sandbox_args); without it the kernel
        # gets this process's environment plus NBGRADER_EXECUTION, which nbgrader would
        # otherwise set in os.environ for the whole process.
        kw.pop("env", None)
        if not self.use_bwrap:
            kw["env"] = {**os.environ, "NBGRADER_EXECUTION": "autograde"}
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        hook = (Path(__file__).parent / "sandbox_hook.py").read_text(encoding="utf-8")
        if cmd[1:3] == ["-m", "ipykernel_launcher"]:
            cmd = [cmd[0], "-c", hook, *cmd[3:]]
        if self.use_bwrap:
            work = os.path.join(self.folder, "work")
            # An interrupt (SIGINT, sent to the whole process group) must reach only the
            # kernel, which handles it; bubblewrap itself would die of it. An ignored signal
            # stays ignored across exec, so bubblewrap lives; the kernel sets its own handler.
            cmd = ["/bin/sh", "-c", 'trap "" INT; exec "$0" "$@"', bwrap(),
                   *sandbox_args(self.folder, work), "--", *cmd]  # fmt: skip
        return cmd

    def attempts(self) -> list[str]:
        """What the code in this kernel tried to reach outside (from the audit hook)."""
        if not self.folder:
            return []
        try:
            text = (Path(self.folder) / REPORT).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        return [x for x in dict.fromkeys(text.splitlines()) if x.strip()][:50]

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self.folder and not restart:
            self.blocked = self.attempts()
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    cleanup_resources = _async_cleanup_resources


class SandboxedExecute(Execute):
    """nbgrader's Execute (same settings: ``c.Execute.timeout`` applies), with the kernel in
    :class:`SandboxKernelManager`. The attempts it reports go to ``resources``, for
    RecordRun to write down."""

    release_directory = Unicode("", help="The course's release/ folder").tag(config=True)
    submitted_directory = Unicode("", help="The course's submitted/ folder").tag(config=True)
    sandbox = Unicode("bwrap", help="'bwrap', or 'off' to run without it").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxKernelManager
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources, km=None):
        info = resources.get("nbgrader", {})
        assignment, student = info.get("assignment", ""), info.get("student", "")
        self._release = Path(self.release_directory) / assignment
        self._submitted = Path(self.submitted_directory) / student / assignment
        self._use_bwrap = self.sandbox != "off" and bwrap() is not None
        if not self._use_bwrap and self._runs_code(info.get("notebook", "")):
            raise SandboxUnavailable(
                "this notebook runs the candidate's code, and the sandbox (bubblewrap) is not "
                "available here: install it (Debian: apt-get install bubblewrap), then grade again"
            )
        self._km = None
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            blocked = getattr(self._km, "blocked", None) or (
                self._km.attempts() if self._km else []
            )
            resources.setdefault("peercare", {})["blocked"] = list(blocked)

    def _runs_code(self, notebook: str) -> bool:
        path = self._release / f"{notebook}.ipynb"
        if not path.is_file():
            return True  # fail closed: unknown course copy
        return any(is_code_answer(c) for c in nbformat.read(path, as_version=4).cells)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        km.release_dir = str(self._release)
        km.submitted_dir = str(self._submitted)
        km.use_bwrap = self._use_bwrap
        self._km = km
        return km
