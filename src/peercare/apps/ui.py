"""Pieces every live-session app shares: joining with a code, messages, the help box.

Everything a person typed is shown through :func:`html.escape` (or a widget's plain-text
value), never as markup. A refused input becomes a message in the app, never a traceback.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import ipywidgets as w

from ..content import helpnow
from ..content.schema import ProblemsError

log = logging.getLogger(__name__)
WIDE = {"width": "100%", "max_width": "36rem"}


def store_from_env():
    """The session store the apps write to ($PEERCARE_DB_URL, else the kit's SQLite file)."""
    from ..store import Store

    return Store()


class Notice(w.HTML):
    """A status line announced to screen readers; text is escaped, kind sets words + style."""

    PREFIX = {"ok": "✓ ", "error": "⚠ ", "info": ""}

    def say(self, text: str, kind: str = "info") -> None:
        self.value = (
            f'<p role="status" aria-live="polite" class="pc-notice pc-{kind}">'
            f"{self.PREFIX.get(kind, '')}{html.escape(text)}</p>"
        )

    def clear(self) -> None:
        self.value = '<p role="status" aria-live="polite" class="pc-notice"></p>'


def notice() -> Notice:
    n = Notice(layout=WIDE)
    n.clear()
    return n


def heading(text: str, level: int = 2) -> w.HTML:
    return w.HTML(f"<h{level}>{html.escape(text)}</h{level}>")


def paragraph(text: str) -> w.HTML:
    return w.HTML(f"<p>{html.escape(text)}</p>", layout=WIDE)


def help_box() -> w.HTML:
    return w.HTML(helpnow.load().as_html(), layout=WIDE)


def button(label: str, primary: bool = True) -> w.Button:
    return w.Button(
        description=label,
        button_style="primary" if primary else "",
        layout={"min_height": "44px", "width": "auto", "min_width": "8rem"},
    )


def guarded(note: Notice, action: Callable[[], str | None]) -> None:
    """Run ``action``; show its success text, or the refusal, or a calm generic error."""
    try:
        done = action()
    except AlreadySent:
        note.say("Already sent. Thank you.", "ok")
    except ProblemsError as exc:
        note.say(str(exc), "error")
    except Exception:  # never show a traceback to a participant
        log.exception("app action failed")
        note.say("Something went wrong on our side. Nothing you did. Please try again.", "error")
    else:
        if done:
            note.say(done, "ok")


def query_code() -> str:
    """The ``code`` in the page's address (``?code=ABCD``), when Voila passes one."""
    query = os.environ.get("QUERY_STRING", "")
    return (parse_qs(query).get("code") or [""])[0][:16]


FREE_TRIES = 3
MAX_WAIT = 60


def join_wait(failures: int) -> int:
    """Seconds a page waits after ``failures`` wrong codes in a row: none for the first
    :data:`FREE_TRIES` (people mistype), then 1, 2, 4, … up to :data:`MAX_WAIT`. One page
    can then try about a code a minute instead of 145 a second."""
    return 0 if failures < FREE_TRIES else min(MAX_WAIT, 2 ** (failures - FREE_TRIES))


class JoinBox(w.VBox):
    """Enter a session code; on success calls ``on_join(session_info)``. Wrong codes in a
    row make the page wait before it checks another (see :func:`join_wait`): the kernel
    keeps the count, so forged messages cannot skip it."""

    def __init__(
        self, store, on_join: Callable, label: str = "Join", opener: Callable | None = None,
        **kwargs,
    ):  # fmt: skip
        self.store, self.on_join = store, on_join
        # the room screen opens the session to look at it, which counts no join
        self.opener = opener or store.join_session
        self.done = "You joined “{}”. No name is kept." if opener is None else "Showing “{}”."
        self.failures, self.next_try, self.joined = 0, 0.0, False
        self.code = w.Text(
            description="Session code",
            placeholder="e.g. K7QP2M",
            value=query_code(),
            layout={"width": "auto", "max_width": "20rem"},
            style={"description_width": "initial"},
        )
        self.go = button(label)
        self.note = notice()
        self.go.on_click(lambda _: guarded(self.note, self._join))
        super().__init__(
            [paragraph("Type the code your facilitator shared."), self.code, self.go, self.note],
            **kwargs,
        )
        _on_ready.append(self._prefill)

    def _prefill(self) -> None:
        if not self.code.value:
            self.code.value = query_code()

    def _join(self) -> str | None:
        from ..store import InputRefused, SessionNotFound

        if self.joined:  # one seat per page: a new one would be a new token, a fresh count
            return None  # (the button is gone; a forged click does nothing)
        wait = self.next_try - time.monotonic()
        if wait > 0:
            raise InputRefused(
                f"Too many codes that did not work. Please wait {math.ceil(wait)} seconds, "
                "check the code with your facilitator, and try again."
            )
        try:
            info = self.opener(self.code.value)
        except SessionNotFound as exc:
            self.failures += 1
            pause = join_wait(self.failures)
            self.next_try = time.monotonic() + pause
            if pause:
                raise SessionNotFound(
                    [*exc.problems, f"You can try again in {pause} seconds."]
                ) from None
            raise
        self.failures, self.joined = 0, True
        self.on_join(info)
        return self.done.format(info.title)


ROWS_PER_MINUTE = 120
"""The most answers one page may store in a minute. A person sends a few (feedback is the
largest: about 15 rows at once); the cap bounds a page that forges messages."""


class AlreadySent(Exception):
    """This page already sent that answer; nothing was stored again."""


@dataclass(frozen=True)
class Seat:
    """One participant page in one session: where answers go, and the random token that
    groups this page's answers (so then/now ratings pair up) without saying who it is.

    The kernel, not the browser, decides what is sent: a disabled button is disabled only
    in the browser, and a forged click message reaches the kernel all the same. So each
    ``once`` key is stored at most once per page, and a page stores at most
    :data:`ROWS_PER_MINUTE` rows in any minute."""

    store: object
    session: object  # peercare.store.SessionInfo
    respondent: str
    sent: set = field(default_factory=set, compare=False, repr=False)
    _recent: deque = field(default_factory=deque, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @property
    def code(self) -> str:
        return self.session.code

    def add(self, app: str, answers: list[tuple], *, once: Hashable, **kwargs) -> None:
        """Store answers in one transaction (all or none), tagged with this page's token.

        ``once``: what may be sent only once from this page (``"feedback"``, a question id,
        a scenario step shown); :class:`AlreadySent` when it was. Over the rate cap:
        :class:`InputRefused` with a message for the participant."""
        from ..store import InputRefused

        with self._lock:  # one at a time: two clicks cannot both pass the checks
            if (app, once) in self.sent:
                raise AlreadySent(once)
            clock = time.monotonic()
            while self._recent and clock - self._recent[0] >= 60:
                self._recent.popleft()
            if len(self._recent) + len(answers) > ROWS_PER_MINUTE:
                raise InputRefused(
                    "That is a lot of answers in one minute. Please wait a minute and send "
                    "it again."
                )
            self.store.add_responses(self.code, app, answers, respondent=self.respondent, **kwargs)
            self.sent.add((app, once))
            self._recent.extend([clock] * len(answers))


def seat_for(store, session) -> Seat:
    from ..codes import new_respondent

    return Seat(store, session, new_respondent())


def joined_app(title: str, store, make_panel: Callable, intro: str = "") -> w.VBox:
    """An app page: a join box first; once the code is accepted, the panel in its place."""
    body = w.VBox(layout=WIDE)
    top = [heading(title)] + ([paragraph(intro)] if intro else [])

    def on_join(info) -> None:
        joined = notice()
        joined.say(f"You joined “{info.title}”. No name is kept.", "ok")
        body.children = [joined, make_panel(seat_for(store, info))]

    body.children = [JoinBox(store, on_join)]
    return w.VBox([*top, body, help_box()], layout=WIDE)


_on_ready: list[Callable[[], None]] = []
_SERVER_GONE = object()


def _query_url() -> str:
    """Where a pooled kernel waits for its page (as voila.utils.wait_for_request builds it)."""
    env = os.environ
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    host = f"{env.get('VOILA_APP_IP', '127.0.0.1')}:{env.get('VOILA_APP_PORT', '8866')}"
    kernel = env.get("VOILA_KERNEL_ID")
    return f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{host}{base}voila/query/{kernel}"


async def _request_info(url: str):
    """The claiming page's request (JSON text); None when Voila could not be reached (the
    page then simply has no ``?code=``); _SERVER_GONE when Voila is gone.

    A dropped line is not a stopped Voila: a pooled kernel waits for minutes, and a busy
    Voila (30 kernels starting at once) may not answer for a while. The line has no
    keepalive pings of ours (a Voila too busy to answer one within 20 s made the kernel
    take the closed line for a stopped server and exit, and the page that then claimed
    it never loaded); when the line drops, the kernel connects again, and only a Voila
    that refuses the new connection has stopped."""
    import websockets  # comes with Voila, the only place this runs

    dropped = False
    while True:
        try:
            async with websockets.connect(url, open_timeout=30, ping_interval=None) as socket:
                return await socket.recv()
        except websockets.ConnectionClosed:
            dropped = True
        except (TimeoutError, OSError) as error:
            if dropped:
                return _SERVER_GONE
            log.warning("Could not reach Voila at %s: %s", url, error)
            return None
        await asyncio.sleep(0.5)


def ready() -> None:
    """Last cell of every app: with preheated kernels, wait here until a page claims this
    kernel. The kernel then runs again at hand-off, which (a) restarts its idle clock so
    culling cannot remove it before the page connects, and (b) makes the page's address
    (``?code=``) available through ``QUERY_STRING``. Without preheating it returns at once.

    This is ``voila.utils.wait_for_request`` done here, for two reasons: importing
    ``voila.utils`` loads Voila's whole server (about 45 MiB in every participant's kernel),
    and Voila's helper lets the cell end when Voila stops, so each pooled kernel printed a
    traceback when its reply met an already closed socket.
    """
    if os.getenv("VOILA_PREHEAT", "False") == "False":  # nbval, JupyterLab, plain Voila
        return
    from concurrent.futures import ThreadPoolExecutor

    # Its own thread: the kernel's thread already runs an event loop.
    with ThreadPoolExecutor(1) as pool:
        info = pool.submit(asyncio.run, _request_info(_query_url())).result()
    if info is _SERVER_GONE:
        os._exit(0)  # Voila is stopping; nothing of this unused kernel is worth keeping
    for key, value in (json.loads(info) if info else {}).items():
        os.environ[key] = value
    for hook in _on_ready:
        hook()
