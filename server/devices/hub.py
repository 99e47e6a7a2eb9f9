"""Per-process bookkeeping of connected agents: wake a device's socket, wait for an ack."""

from __future__ import annotations

import asyncio
from collections import defaultdict


class AgentHub:
    def __init__(self) -> None:
        self._wake: dict[int, set[asyncio.Event]] = defaultdict(set)
        self._acks: dict[int, asyncio.Future[bool]] = {}

    def connected(self, device_id: int) -> bool:
        return bool(self._wake.get(device_id))

    def attach(self, device_id: int) -> asyncio.Event:
        wake = asyncio.Event()
        self._wake[device_id].add(wake)
        return wake

    def detach(self, device_id: int, wake: asyncio.Event) -> None:
        waiters = self._wake.get(device_id)
        if waiters is not None:
            waiters.discard(wake)
            if not waiters:
                del self._wake[device_id]

    def notify(self, device_id: int) -> None:
        """New work for ``device_id``: its sockets in this process look for pending jobs now.
        (Sockets in other processes find it on their next poll.)"""
        for wake in self._wake.get(device_id, ()):
            wake.set()

    def expect(self, job_id: int) -> None:
        """Start listening for ``job_id``'s ack (before the job is sent, so none is missed)."""
        if job_id not in self._acks:
            self._acks[job_id] = asyncio.get_running_loop().create_future()

    async def wait_ack(self, job_id: int, timeout_s: float) -> bool | None:
        """The printed/failed outcome of ``job_id`` if it arrives here in time, else None."""
        future = self._acks.get(job_id)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._acks[job_id] = future
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout_s)
        except TimeoutError:
            return None
        finally:
            self._acks.pop(job_id, None)

    def acked(self, job_id: int, ok: bool) -> None:
        future = self._acks.get(job_id)
        if future is not None and not future.done():
            future.set_result(ok)
