"""Runs first inside a sandboxed grading kernel (standard library only; see
:mod:`peercare.certification.sandbox`). It installs a Python audit hook that writes one line
to the report file for each attempt to reach outside the kernel's own folder: opening or
listing a path outside it, starting a program, opening a network connection, loading C
code. Then it starts ipykernel, as ``python -m ipykernel_launcher`` would.

The sandbox is what keeps the files and the network away; this report only says that
someone tried. Code that gets past the hook still finds nothing to read.
"""

import contextlib
import os
import sys

_REPORT = os.environ.pop("PEERCARE_REPORT", "")
_HERE = os.getcwd()
_ALLOWED = tuple(
    {
        _HERE, os.path.dirname(_REPORT), os.path.expanduser("~"), "/usr", "/etc", "/dev",
        "/proc/self", "/proc/thread-self", "/sys", sys.prefix, sys.base_prefix,
        sys.exec_prefix, sys.base_exec_prefix,
    }
)  # fmt: skip
_CELLS = os.path.join(os.environ.get("TMPDIR", "/tmp"), "ipykernel_")
_WATCHED = {
    "socket.connect": "open a network connection",
    "socket.sendto": "send over the network",
    "socket.bind": "listen on the network",
    "socket.getaddrinfo": "look up a network address",
    "subprocess.Popen": "start a program",
    "os.system": "run a shell command",
    "os.exec": "start a program",
    "os.posix_spawn": "start a program",
    "os.spawn": "start a program",
    "os.fork": "start a process",
    "os.forkpty": "start a process",
    "ctypes.dlopen": "load C code",
    "ctypes.dlsym": "load C code",
}
_out = open(_REPORT, "a", buffering=1, encoding="utf-8") if _REPORT else None  # noqa: SIM115
_seen = set()


def _outside(path, reading=True) -> bool:
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str):
        return False  # a file descriptor: already open
    full = os.path.normpath(os.path.join(_HERE, path))
    for root in _ALLOWED:
        if full == root or full.startswith(root.rstrip("/") + "/"):
            return False
    if full.startswith(_CELLS):
        return False  # the kernel's copies of the cells, read for tracebacks
    if full.startswith("/tmp/"):  # the sandbox's own /tmp: new files are fine, not others'
        return reading and not os.path.lexists(full)
    return True


def _reading(args) -> bool:
    mode = args[1] if len(args) > 1 else None
    if isinstance(mode, str):
        return not any(c in mode for c in "wax+")
    flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
    return not flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)


def _from_a_cell() -> bool:
    """True when code typed in the notebook is on the stack (not the kernel's own work)."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename  # a cell's: /tmp/ipykernel_<pid>/<hash>.py
        if name.startswith(_CELLS) or name.startswith("<ipython-input"):
            return True
        frame = frame.f_back
    return False


def _say(what: str) -> None:
    if _out is None or what in _seen or len(_seen) > 200:
        return
    _seen.add(what)
    with contextlib.suppress(Exception):  # the report is best effort
        _out.write(what.replace("\n", " ")[:300] + "\n")


def _hook(event, args):
    if event not in _WATCHED and event not in ("open", "os.listdir", "os.scandir"):
        return
    if not _from_a_cell():
        return
    if event in ("open", "os.listdir", "os.scandir"):
        if args and _outside(args[0], event != "open" or _reading(args)):
            verb = "open" if event == "open" else "list"
            _say(f"tried to {verb} {os.fsdecode(args[0])}")
    else:
        # the address or the command: the second argument of socket and Popen events
        second = event.startswith("socket.") and event != "socket.getaddrinfo"
        second = second or event == "subprocess.Popen"
        detail = args[1] if second and len(args) > 1 else (args[0] if args else "")
        if isinstance(detail, bytes):
            detail = os.fsdecode(detail)
        _say(f"tried to {_WATCHED[event]} ({str(detail)[:120]})")


if __name__ == "__main__":
    sys.addaudithook(_hook)
    sys.path.insert(0, _HERE)
    import runpy

    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
