"""``peercare serve``: the built book and the Voila apps, on 127.0.0.1 only."""

from __future__ import annotations

import gzip
import http.server
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from functools import lru_cache, partial
from pathlib import Path

from ..codes import CODE_LENGTH_ENV, PUBLIC_CODE_LENGTH
from ..paths import build_html_dir, data_dir, project_root
from ..store.db import DB_ENV
from .voila_output import VoilaOutput

HOST = "127.0.0.1"
VOILA_LOG = "voila.log"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals that stop ``serve`` besides Ctrl-C (SIGINT, Python's KeyboardInterrupt; restored
when it was ignored, as a shell script's ``cmd &`` leaves it)."""
_COMPRESSIBLE = {".html", ".js", ".css", ".json", ".svg", ".txt", ".map", ".ttf", ".eot"}


class ServeError(RuntimeError):
    """Cannot serve; the message says what to do."""


@lru_cache(maxsize=256)
def _gzipped(path: str, mtime: float) -> bytes:
    with open(path, "rb") as fh:
        return gzip.compress(fh.read(), compresslevel=6, mtime=0)


class BookHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with gzip for text types (the widget bundle shrinks about 4x)."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if (
            path.is_file()
            and path.suffix in _COMPRESSIBLE
            and "gzip" in self.headers.get("Accept-Encoding", "")
        ):
            body = _gzipped(str(path), path.stat().st_mtime)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            from io import BytesIO

            return BytesIO(body)
        return super().send_head()

    def log_message(self, format, *args) -> None:  # no IPs or paths in logs
        pass


class BookServer(http.server.ThreadingHTTPServer):
    """A reader closing the page mid-transfer is normal: no traceback on the terminal."""

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # broken pipe, reset by peer
            return
        super().handle_error(request, client_address)


def book_server(html_dir: Path, port: int) -> http.server.ThreadingHTTPServer:
    if not (html_dir / "index.html").is_file():
        raise ServeError(
            f"The book is not built yet ({html_dir} has no index.html). "
            "Run `peercare build` first (or `make start`)."
        )
    handler = partial(BookHandler, directory=str(html_dir))
    try:
        return BookServer((HOST, port), handler)
    except OSError as exc:
        raise ServeError(
            f"Port {port} on {HOST} is busy ({exc.strerror}). Try --book-port."
        ) from None


def _port_free(port: int) -> bool:
    """Whether a server could listen on ``port`` now. SO_REUSEADDR as Tornado and
    http.server use it, so a port left in TIME-WAIT by the last run counts as free."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port(ranges: str = "/proc/sys/net/ipv4/ip_local_port_range") -> int:
    """A loopback port a server can listen on now, chosen below the range the system gives
    outgoing connections (32768-60999 on Linux). A port from ``bind(0)`` comes from that range,
    and until the server binds it any program's outgoing connection may be given it."""
    try:
        first = int(Path(ranges).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        first = 32768
    low = max(1024, min(20000, first - 2000))
    for port in random.sample(range(low, first), min(200, first - low)):
        if _port_free(port):
            return port
    with socket.socket() as s:  # everything below the range is taken: any free port
        s.bind((HOST, 0))
        return s.getsockname()[1]


VOILA_SHARE = Path(__file__).resolve().parents[1] / "share"


# JupyterLab extensions installed for JupyterLab (grading, previews) that Voila would load
# into every app page: requests and JavaScript each participant's phone would fetch and run
# for nothing, and nbgrader's throws errors there. (An allowlist of the two the apps need
# breaks the widgets: Voila then leaves out the plugin that provides the widget registry.)
NOT_IN_PAGES = (
    "@jupyter/nbgrader",
    "@jupyter-notebook/lab-extension",
    "@voila-dashboards/jupyterlab-preview",
    "jupyterlab_pygments",
)


KERNEL_TRANSPORT = "ipc"
"""How Voila talks to its kernels: Unix sockets in Voila's own temporary folder, not TCP
ports on loopback. Jupyter picks a kernel's TCP ports by asking the system for free ones,
closes them, and the kernel binds them a second later; in between, any program's outgoing
connection may be given the same port (they come from the same range). The kernel then dies
with "Address already in use", and Jupyter's restarts reuse the same ports, so it stays dead
(seen on CI: a participant's page that never started). A socket file cannot be taken."""


def voila_command(
    target: Path, port: int, extra: list[str] | None = None, *, stock: bool = False
) -> list[str]:
    """Voila on loopback with our template (see :func:`voila_env` for where it is found).
    ``stock=True``: plain Voila with every extension and no gzip, for comparisons."""
    module, pages = ("voila", []) if stock else ("peercare.serving.voila_app", list(NOT_IN_PAGES))
    return [
        sys.executable, "-m", module, str(target),
        "--no-browser", f"--Voila.ip={HOST}", f"--port={port}", "--Voila.port_retries=0",
        "--template=peercare", f"--KernelManager.transport={KERNEL_TRANSPORT}",
        *(f"--VoilaConfiguration.extension_denylist={name}" for name in pages),
        *(extra or []),
    ]  # fmt: skip


PARTICIPANT_PAGE = "participant.ipynb"
REFILL_MANAGER = "peercare.serving.kernel_pool.JoinsFirstKernelManager"
FACILITATOR_PAGE = "dashboard.ipynb"


def live_session_args(
    apps_dir: Path, pool: int, idle_timeout: int, preheat: str = PARTICIPANT_PAGE
) -> list[str]:
    """Voila settings for a live session.

    - Preheated kernels (``pool`` of them) for the ``preheat`` page only (the participant
      page); the other apps start a kernel when opened. The pool refills only once a
      burst of joins is over, a few kernels at a time, at lower CPU priority
      (:mod:`peercare.serving.kernel_pool`).
    - Kernels of closed pages are culled after ``idle_timeout`` seconds. Voila's own
      shutdown on page close is refused for a missing _xsrf (voila #1458) and we keep the
      XSRF check on. A pooled kernel waits in ``peercare.apps.ui.ready()`` until a page
      claims it and runs again then, so its idle clock starts at hand-off and it cannot be
      culled before the page connects; an open page holds a connection and is never culled.
    """
    args = [
        "--preheat_kernel=True",
        f"--pool_size={max(pool, 0)}",
        f"--VoilaConfiguration.multi_kernel_manager_class={REFILL_MANAGER}",
    ]
    for nb in sorted(apps_dir.glob("*.ipynb")):
        if nb.name != preheat:
            args.append(f"--VoilaKernelManager.preheat_denylist={nb.name}")
    if idle_timeout > 0:
        args += [
            f"--MappingKernelManager.cull_idle_timeout={idle_timeout}",
            f"--MappingKernelManager.cull_interval={max(1, min(60, idle_timeout // 2))}",
            "--MappingKernelManager.cull_connected=False",
            "--MappingKernelManager.cull_busy=False",
        ]
    return args


def guard_args(
    max_kernels: int, connect_timeout: float = 60, public_url: str | None = None
) -> list[str]:
    """Settings of :mod:`peercare.serving.voila_app`: the kernel cap (0: none), how long a page has
    to connect to its kernel, and the public address whose host is served besides
    127.0.0.1 and localhost."""
    args = [
        f"--PeercareVoila.max_kernels={max(max_kernels, 0)}",
        f"--PeercareVoila.connect_timeout={max(connect_timeout, 0)}",
    ]
    if public_url:
        args.append(f"--PeercareVoila.public_url={public_url}")
    return args


def voila_env(root: Path, base: dict | None = None) -> dict:
    """The environment for Voila: our template on JUPYTER_PATH, the kit's root known."""
    env = dict(os.environ if base is None else base)
    paths = [str(VOILA_SHARE), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    env["PEERCARE_ROOT"] = str(root)
    return env


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServeError(f"Voila stopped at start (exit code {proc.returncode}).")
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.2)
    raise ServeError(f"Voila did not answer on port {port} within {timeout:.0f} s.")


def stop_process(proc: subprocess.Popen, grace: float = 10) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def router_command(port: int, backends: list[str]) -> list[str]:
    """The router (:mod:`peercare.serving.router`) on loopback, in front of ``backends``."""
    return [sys.executable, "-m", "peercare.serving.router", "--port", str(port),
            *(arg for url in backends for arg in ("--backend", url))]  # fmt: skip


def serve(
    book_port: int = 8000,
    apps_port: int = 8866,
    root: Path | None = None,
    pool: int | None = None,
    idle_timeout: int = 300,
    public_url: str | None = None,
    max_kernels: int | None = None,
    connect_timeout: float = 60,
    servers: int = 1,
    store: str | None = None,
) -> int:
    """Serve until Ctrl-C (SIGINT) or SIGTERM; then stop every server and return 0.

    ``pool``: warm participant kernels (None: sized from the cores and free memory, see
    :func:`peercare.serving.voila_app.default_pool`);
    ``max_kernels``: most open pages' kernels at once, the ``pool`` on top (None: as many
    as fit in the memory free now);
    ``connect_timeout``: seconds a page has to connect to its kernel;
    ``servers``: Voila servers for the live apps (ports after ``apps_port``), with the
    router (:mod:`peercare.serving.router`) on ``apps_port``; ``pool`` and ``max_kernels`` are
    shared out between them. ``store``: the session store's URL for them all."""
    from .voila_app import KERNEL_MB, default_pool, memory_kernels

    root = root or project_root()
    servers = max(1, servers)
    pool_sized = pool is None
    pool = default_pool() if pool_sized else pool
    sized = max_kernels is None
    max_kernels = max(4, memory_kernels() - max(pool, 0)) if sized else max_kernels
    each_pool = -(-max(pool, 0) // servers)  # rounded up
    each_cap = -(-max_kernels // servers) if max_kernels else 0
    ports = [apps_port] if servers == 1 else [apps_port + i for i in range(1, servers + 1)]
    server = book_server(build_html_dir(root), book_port)
    for port in [apps_port, *ports]:
        if not _port_free(port):
            server.server_close()
            which = (
                "--apps-port" if servers == 1 else f"--apps-port (it and the {servers} after it)"
            )
            raise ServeError(f"Port {port} on {HOST} is busy. Try {which}.")
    apps_dir = root / "notebooks" / "apps"
    apps_url = (public_url or f"http://{HOST}:{apps_port}").rstrip("/")
    env = voila_env(root) | {"PEERCARE_APPS_URL": apps_url}
    if store:
        env[DB_ENV] = store
    if public_url:  # on the internet: longer join codes, much harder to guess
        env[CODE_LENGTH_ENV] = str(PUBLIC_CODE_LENGTH)
    extra = live_session_args(apps_dir, each_pool, idle_timeout)
    extra += guard_args(each_cap, connect_timeout, public_url)
    # Their own process group: Ctrl-C in the terminal reaches only us, and we stop Voila in
    # order (else Voila and every kernel get the SIGINT too, each reacting on its own).
    procs: list[tuple[str, subprocess.Popen, VoilaOutput]] = []
    for n, port in enumerate(ports, start=1):
        proc = subprocess.Popen(
            voila_command(apps_dir, port, extra), cwd=root, env=env, process_group=0,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
        )  # fmt: skip
        log = VOILA_LOG if servers == 1 else f"voila-{n}.log"
        procs.append((f"Voila {n}" if servers > 1 else "Voila", proc,
                      VoilaOutput(proc.stdout, data_dir() / log).start()))  # fmt: skip
    if servers > 1:
        backends = [f"http://{HOST}:{port}" for port in ports]
        router = subprocess.Popen(router_command(apps_port, backends), cwd=root, env=env,
                                  process_group=0, stdout=subprocess.DEVNULL)  # fmt: skip
        procs.append(("The router", router, None))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stop = threading.Event()
    # SIGHUP: the terminal closed. Voila, in its own group, would not hear of it.
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in STOP_SIGNALS}
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    logs = ", ".join(str(out.log_path) for _, _, out in procs if out)
    try:
        for (_, proc, _), port in zip(procs, ports, strict=False):
            _wait_for_port(port, proc)
        if servers > 1:
            _wait_for_port(apps_port, procs[-1][1])
        print(f"Book:       http://{HOST}:{book_port}/", flush=True)
        print(f"Live apps:  http://{HOST}:{apps_port}/", flush=True)
        if servers > 1:
            where = ", ".join(str(p) for p in ports)
            print(f"Servers:    {servers} Voila servers (ports {where}) behind a router on "
                  f"{apps_port}; each new participant goes to the least busy", flush=True)  # fmt: skip
        if (apps_dir / FACILITATOR_PAGE).exists():
            print(f"Facilitator: {apps_url}/voila/render/{FACILITATOR_PAGE}", flush=True)
        if (apps_dir / PARTICIPANT_PAGE).exists():
            print(f"Participants: {apps_url}/voila/render/{PARTICIPANT_PAGE}", flush=True)
        for app in sorted(apps_dir.glob("*.ipynb")):
            print(f"  {app.stem:<20} {apps_url}/voila/render/{app.name}", flush=True)
        how = f"fits in free memory at about {KERNEL_MB} MB each" if sized else "--max-kernels"
        limit = f"at most {max_kernels} pages at once ({how})" if max_kernels else "no limit"
        print(f"Kernels:    one per open page, {limit}; {pool} more kept ready", flush=True)
        if pool_sized:
            free = memory_kernels() * KERNEL_MB / 1024
            print(f"Warm pool:  {pool} participant pages ready at once, sized from "
                  f"{os.cpu_count()} cores and {free:.0f} GB free memory (--pool N to change); "
                  "it refills after a burst of joins, at lower priority", flush=True)  # fmt: skip
        print(f"Voila's log: {logs}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        gone: set[str] = set()
        while not stop.wait(0.5):
            for name, proc, _ in procs:
                if proc.poll() is None or name in gone:
                    continue
                if servers == 1 or name == "The router":
                    raise ServeError(f"{name} stopped (exit code {proc.returncode}).")
                gone.add(name)
                print(f"{name} stopped (exit code {proc.returncode}). Its participants go to "
                      "the others when they reload; their answers are kept.", flush=True)  # fmt: skip
                if len(gone) == servers:
                    raise ServeError("Every Voila server stopped.")
    except ServeError as exc:
        raise ServeError(f"{exc} What it said last is in {logs}") from None
    except KeyboardInterrupt:
        pass
    finally:
        for _, _, out in procs:
            if out:
                out.stopping()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for _, proc, _ in reversed(procs):
            stop_process(proc)
        for _, _, out in procs:
            if out:
                out.join()
        server.shutdown()
        server.server_close()
    print("Stopped.", flush=True)
    return 0
