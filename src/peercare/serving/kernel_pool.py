"""The warm pool's kernel manager: joins first, refills after.

Voila refills its pool of pre-run kernels one second after each page takes one, so when 30
phones join at once, 30 new kernels start at the same moment and compete for the CPU (and
for Voila's one event loop) with the 30 pages being handed out. Measured on a busy 2-core
machine: pooled joins p95 22.7 s. ``peercare serve`` gives Voila this class as
``VoilaConfiguration.multi_kernel_manager_class``; Voila's pool class is built on top of it,
and every kernel the pool starts goes through :meth:`start_kernel` here. A refill kernel
starts only when

- no page is being made and none has started, been sent or connected for ``settle``
  seconds (the burst is over; joins arriving one by one hold it for ``most_wait`` at
  most), and
- fewer than ``refill_at_once`` refill kernels are still pre-running their notebook
  (0: one per two cores),

and at nice ``refill_nice``, so a page that arrives meanwhile still goes first. Voila
prepares each pool kernel's page renderer (the page template compiled, the notebook read
and its trust checked) before it starts the kernel; that work waits for the same turn, so
a burst of joins is not slowed by 30 renderers being built a second after it began (it
was a sixth of Voila's time during a burst of 30). A page that
finds every ready kernel taken waits for a refill: that one starts at once, at normal
priority. The first fill at start pre-runs one kernel per core at a time, at normal
priority (Voila alone starts them all at once: on a busy 2-core laptop, 30 kernels
starting together left Voila unable to answer a request for over a minute).

A warm kernel that died or was restarted while it waited (a restarted kernel is blank: its
page's widgets are gone) is not handed to a page: :meth:`usable` says so, and the page gets
a new kernel (:class:`peercare.serving.voila_app.CappedVoilaHandler`).

A refill kernel that a page claims gets its normal priority back where the system allows
it (root, or CAP_SYS_NICE); elsewhere it stays at the lower priority, like every other
refilled participant kernel, which only matters while the CPU is busy.
"""

from __future__ import annotations

import asyncio
import os
import time
from functools import partial

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float, Int


def refill_slots(cores: int | None = None) -> int:
    """Refill kernels pre-running at once: one per two cores, at least one."""
    return max(1, (cores or os.cpu_count() or 1) // 2)


class JoinsFirstKernelManager(AsyncMappingKernelManager):
    settle = Float(3.0, config=True, help="Quiet seconds (no page) before the pool refills.")
    refill_nice = Int(10, config=True, help="Niceness of a refill kernel (0-19).")
    refill_at_once = Int(0, config=True, help="Refill kernels pre-running at once (0: auto).")
    prerun_timeout = Float(60.0, config=True, help="Most seconds a kernel's pre-run counts.")
    most_wait = Float(
        30.0, config=True, help="Most seconds a refill waits for quiet (joins one by one)."
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._prerunning: set[str] = set()
        self._lost: set[str] = set()  # kernels that died or restarted since they started
        self._starting = 0  # pool kernels past their turn, not started yet
        self._turns: dict[asyncio.Task, tuple[bool, bool]] = {}  # task -> (urgent, first fill)
        self.refills = 0  # refill kernels started so far (for tests and the log)
        # Voila's pool class (built on this one) prepares a renderer in _initialize before
        # it calls start_kernel: wait for the turn before that too.
        prepare = getattr(self, "_initialize", None)
        if prepare is not None:
            self._initialize = partial(self._initialize_in_turn, prepare)

    async def _initialize_in_turn(self, prepare, notebook_path, kernel_id=None, **kwargs):
        task = asyncio.current_task()
        if kernel_id is None:  # a new pool kernel (not a restarted one)
            self._turns[task] = await self._take_turn()
        try:
            return await prepare(notebook_path, kernel_id, **kwargs)
        finally:
            if self._turns.pop(task, None) is not None:  # start_kernel never came
                self._starting -= 1

    # -- what the app (peercare.serving.voila_app.PeercareVoila) tells about pages ----------
    def _app(self, name: str, default):
        return getattr(self.parent, name, default)

    async def start_kernel(self, *args, **kwargs):
        env = kwargs.get("env") or {}
        if env.get("VOILA_PREHEAT") != "True":  # a page's own kernel: at once
            kernel_id = await super().start_kernel(*args, **kwargs)
            self._note_losses(kernel_id)
            return kernel_id
        turn = self._turns.pop(asyncio.current_task(), None)
        urgent, first_fill = turn if turn is not None else await self._take_turn()
        try:
            kernel_id = await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1
        if not (urgent or first_fill):
            self.refills += 1
            self._set_priority(kernel_id, self.refill_nice)
        self._prerunning.add(kernel_id)
        self._note_losses(kernel_id)
        asyncio.ensure_future(self._until_waiting(kernel_id))
        return kernel_id

    def _note_losses(self, kernel_id: str) -> None:
        for event in ("restart", "dead"):
            self.add_restart_callback(kernel_id, partial(self._lost.add, kernel_id), event)

    def lost(self, kernel_id: str) -> bool:
        """Whether this kernel died or was restarted (blank) since it started."""
        return kernel_id in self._lost

    async def usable(self, kernel_id: str) -> bool:
        """Whether a pooled kernel a page took is the one that ran its page (alive, never
        restarted); if so, it gets its normal priority back where allowed."""
        if self.lost(kernel_id) or kernel_id not in self:
            return False
        if not await self.get_kernel(kernel_id).is_alive():
            return False
        self._set_priority(kernel_id, 0)
        return True

    async def _take_turn(self) -> tuple[bool, bool]:
        """Wait for a pool kernel's turn and hold its slot (released once it started)."""
        first_fill = not self._app("pages_started", 0)
        urgent = await self._turn(first_fill)
        self._starting += 1
        return urgent, first_fill

    async def _turn(self, first_fill: bool) -> bool:
        """Wait until a pool kernel may start. True when a page is waiting for one."""
        # nobody has come yet: one kernel per core pre-runs at a time
        slots = (os.cpu_count() or 1) if first_fill else self.refill_at_once or refill_slots()
        give_up = time.monotonic() + self.most_wait
        while True:
            if asyncio.current_task() in self._app("wanted", ()):  # a page awaits this one
                return True
            now = time.monotonic()
            quiet = now - self._app("last_page", 0.0) >= self.settle
            idle = self._app("rendering", 0) == 0
            free = len(self._prerunning) + self._starting < slots
            if free and ((quiet and idle) or now > give_up):  # a steady trickle of joins
                return False
            await asyncio.sleep(0.25)

    async def _until_waiting(self, kernel_id: str) -> None:
        """Count the kernel as pre-running until it waits for its page in ready() (it then
        holds a line open to Voila), stops, or ``prerun_timeout`` passes."""
        from voila.request_info_handler import RequestInfoSocketHandler

        deadline = time.monotonic() + self.prerun_timeout
        try:
            while (
                kernel_id not in RequestInfoSocketHandler._waiters
                and kernel_id in self
                and time.monotonic() < deadline
            ):
                await asyncio.sleep(0.25)
        finally:
            self._prerunning.discard(kernel_id)

    def _set_priority(self, kernel_id: str, nice: int) -> None:
        try:
            pid = self.get_kernel(kernel_id).provisioner.process.pid
            if os.getpriority(os.PRIO_PROCESS, pid) != nice:
                os.setpriority(os.PRIO_PROCESS, pid, nice)
        except (AttributeError, KeyError, OSError):  # gone, not local, or not allowed
            pass
