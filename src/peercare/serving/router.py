"""The participants' link when a live session runs on several Voila servers.

``peercare serve --servers N`` starts N Voila servers sharing one session store and this
router in front of them, on the apps port. The router:

* sends each NEW browser to the least-loaded live server (open kernel websockets plus pages
  being made; ties go to the server given the fewest browsers so far) and sets a cookie
  naming that server, ``peercare_server=<n>`` (a number, nothing about the person);
* sends everything after (the page, its kernel websocket, the static files) to the server
  in the cookie, so a page and its kernel stay together;
* when that server is gone (connection refused), sends the browser to another one and
  sets the cookie again: a participant whose server died reloads, joins again and goes on.
  Their answers were committed to the shared store before they were acknowledged.

It passes requests on as they came, Host and Origin included (each Voila's Host
allowlist and Jupyter's websocket origin check see the address the browser used) and
adds nothing: no X-Forwarded-For, no log of addresses or paths.

Run alone (servers on other computers, each with ``PEERCARE_DB_URL`` at one PostgreSQL):
``python -m peercare.serving.router --port 8866 --backend http://10.0.0.5:8866 --backend ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.httpserver import HTTPServer
from tornado.routing import AnyMatches, Matcher, Rule, RuleRouter
from tornado.web import Application, RequestHandler
from tornado.websocket import WebSocketClosedError, WebSocketHandler, websocket_connect

COOKIE = "peercare_server"
STATUS_PATH = "/_router/status"
HEALTH_EVERY = 2.0  # seconds between checks of the servers that are down
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailer", "transfer-encoding", "upgrade", "content-length",
}  # fmt: skip
NO_SERVER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Starting again</title></head>
<body style="font: 18px/1.5 sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem">
<h1>One moment</h1>
<p>The session's server is not answering right now. Please wait a few seconds and reload
this page.</p>
</body></html>
"""


@dataclass
class Backend:
    """One Voila server and what the router knows of it."""

    index: int
    url: str
    alive: bool = True
    sockets: int = 0  # open kernel websockets through the router
    making: int = 0  # page requests in flight
    given: int = 0  # browsers sent here so far

    @property
    def load(self) -> int:
        return self.sockets + self.making

    @property
    def address(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        return parts.hostname or "127.0.0.1", parts.port or 80


class Pool:
    """The servers, which are up, and which one a browser goes to."""

    def __init__(self, urls: list[str]):
        if not urls:
            raise ValueError("the router needs at least one server")
        self.backends = [Backend(i, u.rstrip("/")) for i, u in enumerate(urls, start=1)]

    def sticky(self, cookie: str | None) -> Backend | None:
        """The live server named by the cookie, if any."""
        for b in self.backends:
            if cookie == str(b.index) and b.alive:
                return b
        return None

    def pick(self, avoid: Backend | None = None) -> Backend | None:
        """The least-loaded live server (not ``avoid``); None when none is up."""
        live = [b for b in self.backends if b.alive and b is not avoid]
        return min(live, key=lambda b: (b.load, b.given, b.index), default=None)

    def status(self) -> dict:
        return {
            "servers": [
                {"server": b.index, "alive": b.alive, "sockets": b.sockets,
                 "making": b.making, "given": b.given}
                for b in self.backends
            ]
        }  # fmt: skip

    async def refresh(self) -> None:
        """Look again at every server: which ones answer now."""
        found = await asyncio.gather(*(_reachable(b.address) for b in self.backends))
        for b, alive in zip(self.backends, found, strict=True):
            b.alive = alive

    async def watch(self) -> None:
        """Every few seconds, look again at the servers (a restarted one comes back; a dead
        one is left out before a browser hits it)."""
        while True:
            await self.refresh()
            await asyncio.sleep(HEALTH_EVERY)


async def _reachable(address: tuple[str, int]) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(*address), 2)
    except (TimeoutError, OSError):
        return False
    writer.close()
    return True


def _refused(exc: BaseException) -> bool:
    """A server that is not there (nothing listening, reset): try another one."""
    return isinstance(exc, (ConnectionError, socket.gaierror)) or (
        isinstance(exc, OSError) and not isinstance(exc, TimeoutError)
    )


class _Choose:
    """Which server a request goes to, and the cookie when it changes."""

    pool: Pool

    def choose(self, handler: RequestHandler) -> Backend | None:
        cookie = handler.get_cookie(COOKIE)
        backend = self.pool.sticky(cookie)
        if backend is None:
            backend = self.pool.pick()
            if backend is not None:
                self.stick(handler, backend)
        return backend

    def stick(self, handler: RequestHandler, backend: Backend) -> None:
        backend.given += 1
        handler.set_cookie(COOKIE, str(backend.index), httponly=True, samesite="Lax")


class ProxyHandler(_Choose, RequestHandler):
    """Every plain HTTP request: passed to the browser's server, the answer passed back."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

    def initialize(self, pool: Pool) -> None:
        self.pool = pool

    def compute_etag(self):  # the server's own ETag passes through untouched
        return None

    async def _any(self) -> None:
        if self.request.path == STATUS_PATH:
            self.set_header("Content-Type", "application/json")
            self.set_header("Cache-Control", "no-store")
            self.finish(json.dumps(self.pool.status()))
            return
        backend = self.choose(self)
        if backend is None:  # none seemed up at the last look: look now
            await self.pool.refresh()
            backend = self.choose(self)
        while backend is not None:
            backend.making += 1
            try:
                response = await self._fetch(backend)
            except HTTPClientError as exc:  # a 4xx/5xx of the server itself
                response = exc.response
                if response is None:  # a timeout
                    self._plain(504, "The server took too long. Reload the page.\n")
                    return
            except Exception as exc:
                if not _refused(exc):
                    raise
                backend.alive = False
                backend = self.pool.pick(avoid=backend)
                if backend is not None:
                    self.stick(self, backend)
                continue
            finally:
                backend.making -= 1
            self._answer(response)
            return
        self._plain(503, NO_SERVER, "text/html; charset=utf-8")

    get = head = post = put = patch = delete = options = _any

    async def _fetch(self, backend: Backend):
        headers = {k: v for k, v in self.request.headers.get_all()
                   if k.lower() not in HOP_BY_HOP}  # fmt: skip
        body = self.request.body if self.request.method in ("POST", "PUT", "PATCH") else None
        request = HTTPRequest(
            backend.url + self.request.uri, method=self.request.method, headers=headers,
            body=body, follow_redirects=False, decompress_response=False,
            connect_timeout=10, request_timeout=300, allow_nonstandard_methods=True,
        )  # fmt: skip
        return await AsyncHTTPClient().fetch(request, raise_error=True)

    def _answer(self, response) -> None:
        self.set_status(response.code, response.reason)
        self.clear_header("Content-Type")
        for name, value in response.headers.get_all():
            if name.lower() in HOP_BY_HOP or name.lower() in ("date", "server"):
                continue
            self.add_header(name, value)
        if response.body and self.request.method != "HEAD":
            self.write(response.body)
        self.finish()

    def _plain(self, status: int, text: str, kind: str = "text/plain; charset=utf-8") -> None:
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.set_header("Cache-Control", "no-store")
        self.finish(text)


class SocketProxy(_Choose, WebSocketHandler):
    """A kernel websocket: joined to the same path on the browser's server."""

    def initialize(self, pool: Pool) -> None:
        self.pool = pool
        self.upstream = None
        self.backend: Backend | None = None

    def check_origin(self, origin: str) -> bool:
        return True  # the Voila server checks Origin against Host; both are passed on

    async def get(self, *args, **kwargs):
        backend = self.pool.sticky(self.get_cookie(COOKIE))
        if backend is None:  # its server is gone, and its kernel with it: reload the page
            self.set_status(502)
            self.finish("The page's server is gone. Reload the page.\n")
            return
        url = backend.url.replace("http", "ws", 1) + self.request.uri
        keep = ("cookie", "origin", "host", "user-agent", "authorization")
        headers = {k: v for k, v in self.request.headers.get_all() if k.lower() in keep}
        offered = self.request.headers.get("Sec-WebSocket-Protocol", "")
        protocols = [p.strip() for p in offered.split(",") if p.strip()] or None
        try:
            self.upstream = await websocket_connect(
                HTTPRequest(url, headers=headers, connect_timeout=10, request_timeout=300),
                subprotocols=protocols, max_message_size=64 * 2**20,
            )  # fmt: skip
        except HTTPClientError as exc:  # the server's own refusal (403, 404), or a timeout
            self.set_status(exc.code if exc.code < 599 else 504)
            self.finish()
            return
        except Exception as exc:
            if _refused(exc):
                backend.alive = False
            self.set_status(502)
            self.finish("The page's server is gone. Reload the page.\n")
            return
        self.backend = backend
        await super().get(*args, **kwargs)

    def select_subprotocol(self, subprotocols):
        return self.upstream.selected_subprotocol if self.upstream else None

    def open(self, *args, **kwargs) -> None:
        self.backend.sockets += 1
        self._counted = True
        asyncio.ensure_future(self._pump())

    async def _pump(self) -> None:
        while True:
            message = await self.upstream.read_message()
            if message is None:
                self.close()
                return
            try:
                await self.write_message(message, binary=isinstance(message, bytes))
            except WebSocketClosedError:
                return

    async def on_message(self, message) -> None:
        try:
            await self.upstream.write_message(message, binary=isinstance(message, bytes))
        except WebSocketClosedError:
            self.close()

    def on_close(self) -> None:
        if getattr(self, "_counted", False):
            self._counted = False
            self.backend.sockets -= 1
        if self.upstream is not None:
            self.upstream.close()


class _Upgrade(Matcher):
    def match(self, request):
        return {} if request.headers.get("Upgrade", "").lower() == "websocket" else None


def application(pool: Pool) -> RuleRouter:
    settings = {"compress_response": False, "websocket_max_message_size": 64 * 2**20}
    sockets = Application([(r".*", SocketProxy, {"pool": pool})], **settings)
    plain = Application([(r".*", ProxyHandler, {"pool": pool})], **settings)
    return RuleRouter([Rule(_Upgrade(), sockets), Rule(AnyMatches(), plain)])


async def run(port: int, backends: list[str], host: str = "127.0.0.1") -> None:
    AsyncHTTPClient.configure(None, max_clients=1000)
    logging.getLogger("tornado.access").disabled = True  # it would log addresses and paths
    pool = Pool(backends)
    server = HTTPServer(application(pool), xheaders=False)
    server.listen(port, host)
    watcher = asyncio.ensure_future(pool.watch())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    print(f"Router on http://{host}:{port}/ for {len(pool.backends)} servers", flush=True)
    await stop.wait()
    watcher.cancel()
    server.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m peercare.serving.router", description=__doc__)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--backend", action="append", required=True, help="a Voila server's URL")
    args = p.parse_args(argv)
    asyncio.run(run(args.port, args.backend, args.host))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
