"""A participant without a browser: opens a Voila app page, connects to its kernel over the
Jupyter websocket protocol and drives the page's real widgets with the messages a browser's
widget manager sends (state updates and button clicks). Used by live_session.py to put 30
participants on one laptop, where 30 browsers would not fit on 2 cores."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from http.cookies import SimpleCookie

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect


def _decode(raw: str | bytes) -> dict:
    """A kernel message from the websocket: JSON text, or the binary form (offsets, then the
    JSON message and its buffers) used when a message carries buffers."""
    if isinstance(raw, str):
        return json.loads(raw)
    count = int.from_bytes(raw[:4], "little")
    offsets = [int.from_bytes(raw[4 * (i + 1) : 4 * (i + 2)], "little") for i in range(count)]
    end = offsets[1] if count > 1 else len(raw)
    return json.loads(raw[offsets[0] : end].decode())


DEBUG = False


class PageWithoutKernel(RuntimeError):
    """The app page came back without a kernel id (an error or "too busy" page)."""

    def __init__(self, status: int, body: str):
        super().__init__(
            f"HTTP {status}, page without a kernel id ({len(body)} characters): "
            f"{body[:200]!r} ... {body[-300:]!r}"
        )


class Participant:
    def __init__(self, base_url: str, notebook: str):
        self.base, self.notebook = base_url.rstrip("/"), notebook
        self.session = uuid.uuid4().hex
        self.models: dict[str, dict] = {}  # model id -> state, in the order they appeared
        self.waiting: dict[str, asyncio.Future] = {}

    async def open(self) -> float:
        """GET the page, connect to its kernel, fetch the widget states; seconds taken."""
        start = time.perf_counter()
        page = await AsyncHTTPClient(max_clients=100).fetch(
            f"{self.base}/voila/render/{self.notebook}", request_timeout=300, connect_timeout=300
        )
        found = re.search(r'kernelId": "([0-9a-f-]+)"', page.body.decode(errors="replace"))
        if found is None:
            raise PageWithoutKernel(page.code, page.body.decode(errors="replace"))
        self.phases = {"page": time.perf_counter() - start}
        kernel = found.group(1)
        cookies = SimpleCookie()
        for header in page.headers.get_list("Set-Cookie"):
            cookies.load(header)
        cookie = "; ".join(f"{k}={v.value}" for k, v in cookies.items())
        ws_url = self.base.replace("http", "ws", 1)
        self.ws = await websocket_connect(HTTPRequest(
            f"{ws_url}/api/kernels/{kernel}/channels?session_id={self.session}",
            headers={"Cookie": cookie}))  # fmt: skip
        self.phases["websocket"] = time.perf_counter() - start
        self.reader = asyncio.ensure_future(self._read())
        control = uuid.uuid4().hex
        await self.send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control",
                                      "data": {}}, metadata={"version": "1.0.0"})  # fmt: skip
        await self.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}},
                        wait=True)  # fmt: skip
        self.phases["states"] = time.perf_counter() - start
        return time.perf_counter() - start

    async def close(self) -> None:
        self.reader.cancel()
        self.ws.close()

    async def send(
        self, msg_type: str, content: dict, wait: bool = False, metadata: dict | None = None
    ) -> None:
        msg_id = uuid.uuid4().hex
        msg = {
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "", "version": "5.3",
                       "session": self.session, "date": ""},
            "parent_header": {}, "metadata": metadata or {"version": "2.1.0"},
            "content": content, "buffers": [],
            "channel": "shell",
        }  # fmt: skip
        done = asyncio.get_running_loop().create_future() if wait else None
        if done:
            self.waiting[msg_id] = done
        await self.ws.write_message(json.dumps(msg))
        if done:
            await asyncio.wait_for(done, 120)

    async def _read(self) -> None:
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                return
            msg = _decode(raw)
            if DEBUG:
                print(msg["header"]["msg_type"], str(msg["content"])[:1500])
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "comm_open":
                self.models[content["comm_id"]] = dict(content["data"].get("state", {}))
            elif kind == "comm_msg":
                data = content["data"]
                if data.get("method") == "update_states":
                    for mid, st in data["states"].items():
                        self.models.setdefault(mid, {}).update(st["state"])
                elif data.get("method") in ("update", "echo_update"):
                    self.models.setdefault(content["comm_id"], {}).update(data.get("state", {}))
            elif kind == "status" and content["execution_state"] == "idle":
                parent = msg["parent_header"].get("msg_id")
                future = self.waiting.pop(parent, None)
                if future and not future.done():
                    future.set_result(None)

    def notice(self) -> str:
        """The newest notice on the page that says anything (an app's "Received.", the join
        box's message), as its HTML; empty while none has spoken."""
        for state in reversed(list(self.models.values())):
            value = state.get("value", "")
            if state.get("_model_name") == "HTMLModel" and "pc-notice pc-" in value:
                return value
        return ""

    def find(self, model: str, **state) -> str:
        """The newest widget of this model whose state has these values."""
        for mid in reversed(list(self.models)):
            st = self.models[mid]
            if st.get("_model_name") == model and all(st.get(k) == v for k, v in state.items()):
                return mid
        raise LookupError(f"no {model} with {state}")

    async def set(self, mid: str, **state) -> None:
        await self.send("comm_msg", {"comm_id": mid, "data": {"method": "update", "state": state,
                                                             "buffer_paths": []}}, wait=True)  # fmt: skip
        self.models[mid].update(state)

    async def click(self, description: str) -> float:
        """Click a button; seconds until the kernel has finished handling it (the answer,
        if any, is committed by then)."""
        mid = self.find("ButtonModel", description=description)
        start = time.perf_counter()
        await self.send("comm_msg", {"comm_id": mid, "data": {"method": "custom",
                                                             "content": {"event": "click"}}},
                        wait=True)  # fmt: skip
        return time.perf_counter() - start

    async def join(self, code: str) -> None:
        await self.set(self.find("TextModel", description="Session code"), value=code)
        await self.click("Join")


async def scenario_answers(p: Participant, count: int) -> list[float]:
    """Walk scenarios, choosing the first option each time, until ``count`` choices were
    sent; the seconds each choice took to be acknowledged."""
    times: list[float] = []
    await p.click("Start")
    while len(times) < count:
        try:
            radios = p.find("RadioButtonsModel", index=None)
        except LookupError:  # an ending: start another walk
            await p.click("Try another situation")
            await p.click("Start")
            continue
        await p.set(radios, index=0)
        times.append(await p.click("Choose"))
    return times
