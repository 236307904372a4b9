"""Voila as ``peercare serve`` runs it: stock Voila, with compressed responses and three
guards for a session that strangers can reach.

* gzip: an app page is about 5.4 MB of JavaScript and CSS. In a room every participant's
  phone fetches it over the facilitator's Wi-Fi at once; gzip makes it about a quarter of
  that. Voila applies its ``tornado_settings`` only after Tornado built its application,
  too late for ``compress_response``, so it is set where the application is made.
* Host header: only requests addressed to this computer (``127.0.0.1``, ``localhost``,
  ``::1``, any port) or to the host of ``public_url`` are served; any other ``Host`` gets
  403. A web page elsewhere cannot reach the apps through a DNS name pointed at
  127.0.0.1 (DNS rebinding).
* Kernels: every app page starts (or takes) a kernel of about 70 MB. ``max_kernels``
  caps how many pages' kernels run at once (the warm pool's ready kernels come on top); a
  page load over the cap gets a short "too busy" page (503) instead of a kernel. The
  facilitator's dashboard may still open (two kernels are kept spare for it). A kernel handed to a page whose browser never
  connects to it within ``connect_timeout`` seconds of receiving it (a plain page load,
  a script) is stopped then, instead of at the idle cull minutes later; its clock starts
  when the page is sent, never while the page is being made.
* Joins first: the app notes when pages start, are sent and connect, and which pool
  kernel a page is waiting for; :mod:`peercare.serving.kernel_pool` refills the warm pool from
  that (after a burst, at lower priority). Python's cycle collector waits too: from a
  page's start until ``gc_settle`` quiet seconds (``gc_most_wait`` at most) it is off,
  then it runs. Measured in a burst of 30 pooled joins: one full collection held Voila's
  one thread for 0.21 s of the burst's 2 s (the 30 claimed pages' renderers are garbage
  in cycles, a few MB, freed once the burst is over).
"""

from __future__ import annotations

import gc
import os
import tempfile
import threading
import time
from contextvars import ContextVar
from urllib.parse import urlsplit

from jupyter_server.utils import url_path_join
from tornado.ioloop import PeriodicCallback
from tornado.routing import Matcher, Rule
from tornado.web import RequestHandler
from traitlets import Float, Int, Unicode, default
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from . import page_chunks

_page: ContextVar[CappedVoilaHandler] = ContextVar("peercare_page")
FACILITATOR_PAGES = ("dashboard.ipynb", "room.ipynb")
FACILITATOR_SPARE = 2
"""Kernels kept for the facilitator's dashboard and room screen over the cap: a full room
must not lock the facilitator out (and a script loading them gains only these two)."""
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
KERNEL_MB = 100
"""What one app kernel is taken to need when the cap is sized from memory (measured: about
70 MB resident; the rest is headroom for the page's widgets and the store)."""

TOO_BUSY = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Too busy right now</title></head>
<body style="font: 18px/1.5 sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem">
<h1>Too busy right now</h1>
<p>This session already has as many pages open as this computer can hold.</p>
<p>Please wait a minute and reload this page. If it keeps saying this, tell the
facilitator.</p>
</body></html>
"""
KERNEL_ID = '"kernelId": "'
"""How the page's settings name its kernel (Voila's template writes them once the kernel
has answered): the part of a warm page that shows the kernel is alive."""
HEARTBEAT = "window.voila_heartbeat()"
"""What Voila sends while a page waits for its kernel (every ``http_keep_alive_timeout``)."""
NOT_STARTED = """</div></div>
<div role="alert" style="position: fixed; inset: 0; z-index: 10000; overflow: auto;
 background: #fff; color: #1a1a1a; font: 18px/1.5 sans-serif; padding: 1rem">
<div style="max-width: 36rem; margin: 0 auto">
<h1 style="font-size: 1.6rem">This page did not start</h1>
<p>Something went wrong on the facilitator's computer while this page was starting.
Please reload the page. If it happens again, tell the facilitator.</p>
</div></div></body></html>
"""
"""Ends a page whose kernel died: it covers Voila's spinner, which would turn forever."""
WRONG_HOST = (
    "403: this server answers only to its own address. Open the link the facilitator shared.\n"
)


def memory_kernels(meminfo: str = "/proc/meminfo", per_kernel_mb: int = KERNEL_MB) -> int:
    """How many app kernels fit in this computer's available memory now (at least 4)."""
    try:
        with open(meminfo, encoding="ascii") as fh:
            fields = dict(line.split(":", 1) for line in fh if ":" in line)
        available_kb = int(fields["MemAvailable"].split()[0])
    except (OSError, KeyError, ValueError):
        return 40
    return max(4, available_kb // 1024 // per_kernel_mb)


def default_pool(cores: int | None = None, kernels: int | None = None) -> int:
    """Warm participant kernels to keep ready: 10 per core up to a room of 30 (filling the
    pool takes about the same time per core), and at most a third of the kernels that fit
    in free memory (the rest are for pages over the pool and the other apps); at least 2."""
    cores = cores or os.cpu_count() or 1
    kernels = memory_kernels() if kernels is None else kernels
    return max(2, min(30, 10 * cores, kernels // 3))


def request_host(request) -> str:
    """The host name a request was addressed to, lower case, without the port."""
    host = request.host.lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class WarmKernelLost(RuntimeError):
    """A pooled kernel died or restarted (blank) while it waited for its page."""

    def __init__(self, kernel_id: str):
        super().__init__(f"warm kernel {kernel_id} died or restarted while it waited")


class _WrongHost(Matcher):
    def __init__(self, allowed: frozenset[str]):
        self.allowed = allowed

    def match(self, request):
        return {} if request_host(request) not in self.allowed else None


class WrongHostHandler(RequestHandler):
    def prepare(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(WRONG_HOST)


class CappedVoilaHandler(TornadoVoilaHandler):
    """Voila's page handler, refusing a page that would take the kernels over the cap, and
    replacing a warm kernel that failed before its page had it."""

    pooled = False  # the page took a warm kernel from the pool
    fresh = False  # the page must start its own kernel (its warm one failed)

    async def get(self, path=None):
        app: PeercareVoila = self.settings["peercare_voila"]
        spare = FACILITATOR_SPARE if (path or "").endswith(FACILITATOR_PAGES) else 0
        if app.is_full(spare):
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            app.log.warning("Too busy: a page was refused (the cap is %s kernels)", app.max_kernels)
            self.finish(TOO_BUSY)
            return
        app.rendering += 1
        app.pages_started += 1
        app.hold_gc()
        app.last_page = time.monotonic()
        self.kernel_ids: list[str] = []
        token = _page.set(self)
        try:
            await super().get(path)
        finally:
            _page.reset(token)
            app.rendering -= 1
            app.delivered(self.kernel_ids)

    async def get_generator(self, path=None):
        """The page in parts, as Voila makes it, safe from a kernel that dies while the page
        is being made (Voila would send a page that never finishes loading):

        * a page on a warm kernel is held back until its kernel id is in it. If the warm
          kernel failed before that, the page is made again on a new kernel, and the
          participant never knows.
        * a page that starts its own kernel shows its start (Voila's spinner) at once. If
          that kernel died or restarted, Voila waits forever, sending a heartbeat every few
          seconds: at the first one the page ends with a plain "reload" message."""
        app: PeercareVoila = self.settings["peercare_voila"]
        held: str | None = ""  # the warm page so far, until its kernel id is in it
        try:
            async for html in super().get_generator(path=path):
                if held is None:
                    if HEARTBEAT in html and app.kernels_lost(self.kernel_ids):
                        app.log.warning("A page's kernel died while the page was being made")
                        await self._stop_kernels()
                        yield NOT_STARTED
                        return
                    yield html
                    continue
                held += html
                if not self.pooled or KERNEL_ID in held:  # the id may span two parts
                    yield held
                    held = None
            if held:  # a page with no kernel (a redirect, an error page)
                yield held
            return
        except Exception as error:
            if held is None or not self.pooled:
                raise
            failure = error
        app.log.warning("A warm kernel failed before its page had it (%s); the page gets a "
                        "new kernel", failure)  # fmt: skip
        await self._stop_kernels()
        self.pooled, self.fresh = False, True
        async for html in super().get_generator(path=path):
            yield html

    async def _stop_kernels(self) -> None:
        """Stop the kernels this page was given so far (they failed it)."""
        app: PeercareVoila = self.settings["peercare_voila"]
        for kernel_id in self.kernel_ids:
            await app.stop_kernel(kernel_id)
        self.kernel_ids.clear()


class PeercareVoila(Voila):
    public_url = Unicode("", config=True, help="The address participants use, if not local.")
    max_kernels = Int(
        0, config=True, help="Most pages' kernels at once, the warm pool not counted (0: no cap)."
    )
    connect_timeout = Float(
        60.0, config=True, help="Seconds a page has to connect to its kernel (0: no limit)."
    )
    gc_settle = Float(3.0, config=True, help="Quiet seconds before the cycle collector runs.")
    gc_most_wait = Float(30.0, config=True, help="Most seconds the cycle collector waits.")

    @default("connection_dir_root")
    def _short_connection_dir(self) -> str:
        """Where kernels' socket files go: the temporary folder if its path is short, since
        a Unix socket's path has at most 107 bytes (``kernel-<id>-ipc-N`` takes 50)."""
        tmp = tempfile.gettempdir()
        return tmp if len(tmp) <= 40 or not os.path.isdir("/tmp") else "/tmp"

    rendering = 0  # pages being made now (their kernels may not be counted yet)
    gc_held_since: float | None = None  # when pages stopped the cycle collector
    pages_started = 0
    last_page = 0.0  # when a page last started, was sent or connected (time.monotonic)

    def init_settings(self) -> dict:
        self.wanted: set = set()  # pool tasks a page waits for (their kernel starts at once)
        self._handed: dict[str, float | None] = {}  # kernel id -> page sent at (None: being made)
        settings = {**super().init_settings(), "compress_response": True}
        settings["peercare_voila"] = self
        self._watch_kernels(self.kernel_manager)
        return settings

    def init_handlers(self) -> list:
        chunks = (url_path_join(self.base_url, page_chunks.URL), page_chunks.ChunksHandler)
        threading.Thread(target=page_chunks.bundle, daemon=True).start()  # ready for page 1
        return [chunks] + [
            (pattern, CappedVoilaHandler, *rest) if handler is TornadoVoilaHandler else
            (pattern, handler, *rest)
            for pattern, handler, *rest in super().init_handlers()
        ]  # fmt: skip

    def listen(self):
        hosts = set(LOCAL_HOSTS)
        public = urlsplit(self.public_url).hostname if self.public_url else None
        if public:
            hosts.add(public.lower())
        router = self.app.default_router
        router.rules.insert(0, router.process_rule(Rule(_WrongHost(frozenset(hosts)),
                                                        WrongHostHandler)))  # fmt: skip
        if self.connect_timeout > 0:
            every = max(1.0, min(10.0, self.connect_timeout / 4))
            PeriodicCallback(self._stop_unconnected, every * 1000).start()
        PeriodicCallback(self.release_gc, 500).start()
        return super().listen()

    # -- the cycle collector waits for a burst of pages ----------------------------------
    def hold_gc(self) -> None:
        if self.gc_held_since is None and gc.isenabled():
            gc.disable()
            self.gc_held_since = time.monotonic()

    def release_gc(self, now: float | None = None) -> bool:
        """Turn the cycle collector back on (and run it) once no page has started, been
        sent or connected for ``gc_settle`` seconds and none is being made, or after
        ``gc_most_wait``; True when it did."""
        if self.gc_held_since is None:
            return False
        now = time.monotonic() if now is None else now
        quiet = now - self.last_page >= self.gc_settle and self.rendering == 0
        if not (quiet or now - self.gc_held_since >= self.gc_most_wait):
            return False
        self.gc_held_since = None
        gc.enable()
        gc.collect()
        return True

    # -- kernels ---------------------------------------------------------------------------
    def is_full(self, spare: int = 0) -> bool:
        """Whether a new page would take the pages' kernels over the cap (plus ``spare``)."""
        if self.max_kernels <= 0:
            return False
        manager = self.kernel_manager
        ready = sum(  # the pool's started kernels; one still starting counts as a page's
            1
            for pool in getattr(manager, "_pools", {}).values()
            for task in pool
            if task.done() and not task.cancelled() and task.exception() is None
        )
        pages = len(manager.list_kernel_ids()) - ready
        return pages + self.rendering >= self.max_kernels + spare

    def _watch_kernels(self, manager) -> None:
        """Note when a kernel is handed to a page (a pooled one taken, or one started for a
        page) and when a page connects to it. Wraps the manager's own methods."""
        start, connect = manager.start_kernel, manager.notify_connect

        async def start_kernel(*args, **kwargs):
            kernel_id = await start(*args, **kwargs)
            if (kwargs.get("env") or {}).get("VOILA_PREHEAT") != "True":  # not for the pool
                self._hand(kernel_id)
            return kernel_id

        def notify_connect(kernel_id):
            self._handed.pop(kernel_id, None)
            self.last_page = time.monotonic()
            return connect(kernel_id)

        manager.start_kernel, manager.notify_connect = start_kernel, notify_connect
        take = getattr(manager, "get_rendered_notebook", None)
        if take is not None:  # preheated kernels
            pool_size = manager.get_pool_size

            def get_pool_size(notebook_name):
                page = _page.get(None)
                return 0 if page is not None and page.fresh else pool_size(notebook_name)

            async def get_rendered_notebook(notebook_name, *args, **kwargs):
                page = _page.get(None)
                if page is not None:
                    page.pooled = True
                pool = getattr(manager, "_pools", {}).get(notebook_name) or []
                first = pool[0] if pool and not pool[0].done() else None  # not started yet
                if first is not None:
                    self.wanted.add(first)
                try:
                    task, cache, kernel_id = await take(notebook_name, *args, **kwargs)
                finally:
                    self.wanted.discard(first)
                self._hand(kernel_id)
                if hasattr(manager, "usable") and not await manager.usable(kernel_id):
                    raise WarmKernelLost(kernel_id)  # the page gets a new kernel
                return task, cache, kernel_id

            manager.get_rendered_notebook = get_rendered_notebook
            manager.get_pool_size = get_pool_size

    def _hand(self, kernel_id: str) -> None:
        """A kernel goes to a page. While that page is being made (running the notebook
        may take longer than ``connect_timeout`` on a busy computer) its clock does not
        run: it starts when the page is sent (:meth:`delivered`)."""
        page = _page.get(None)
        if page is not None:
            page.kernel_ids.append(kernel_id)
            self._handed[kernel_id] = None
        else:
            self._handed[kernel_id] = time.monotonic()

    def delivered(self, kernel_ids: list[str]) -> None:
        """The page is sent (or its request ended): its connect time starts now."""
        self.last_page = time.monotonic()
        for kernel_id in kernel_ids:
            if kernel_id in self._handed:
                self._handed[kernel_id] = time.monotonic()

    def kernels_lost(self, kernel_ids: list[str]) -> bool:
        """Whether one of these kernels died or restarted since it started."""
        lost = getattr(self.kernel_manager, "lost", None)
        return lost is not None and any(lost(kernel_id) for kernel_id in kernel_ids)

    async def stop_kernel(self, kernel_id: str) -> None:
        """Stop a kernel no page will use (gone already is fine)."""
        self._handed.pop(kernel_id, None)
        try:
            await self.kernel_manager.shutdown_kernel(kernel_id)
        except Exception:  # already gone
            self.log.debug("kernel %s was already stopped", kernel_id, exc_info=True)

    async def _stop_unconnected(self) -> None:
        alive = set(self.kernel_manager.list_kernel_ids())
        now = time.monotonic()
        for kernel_id, since in list(self._handed.items()):
            if kernel_id not in alive:
                self._handed.pop(kernel_id, None)
            elif since is None:  # its page is still being made
                continue
            elif now - since > self.connect_timeout:
                self.log.info("Stopping a kernel whose page never connected: %s", kernel_id)
                await self.stop_kernel(kernel_id)


main = PeercareVoila.launch_instance

if __name__ == "__main__":
    main()
