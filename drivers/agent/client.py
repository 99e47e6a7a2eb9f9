"""The agent's connections to the server: a control socket (print jobs, acks, heartbeats,
keypad presses) and the branch event stream (LED displays and speaker), both reconnecting by
themselves with backoff. Blocking hardware calls run in threads, one device at a time."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from drivers.agent.hardware import Hardware, build_hardware
from drivers.agent.journal import Journal
from drivers.base import DeviceState, DeviceStatus, DriverError, content_from_json

log = logging.getLogger("sira.agent")

HardwareFactory = Callable[[dict[str, Any], Path], Hardware]
# Events after which a counter's LED display shows nothing.
CLEARS_COUNTER = {"ticket.finished", "ticket.no_show", "ticket.transferred", "ticket.cancelled"}


def ws_url(server: str, path: str, **query: str) -> str:
    parts = urlsplit(server.rstrip("/"))
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme, parts.scheme)
    qs = "&".join(f"{k}={quote(v)}" for k, v in query.items())
    return urlunsplit((scheme, parts.netloc, parts.path + path, qs, ""))


class Agent:
    def __init__(
        self,
        *,
        server: str,
        token: str,
        data_dir: Path,
        hardware_factory: HardwareFactory | None = None,
        max_backoff_s: float = 30.0,
    ) -> None:
        self.server = server
        self.token = token
        self.data_dir = data_dir
        self.journal = Journal(data_dir / "printed-jobs.txt")
        self.hardware_factory = hardware_factory or (
            lambda config, d: build_hardware(config, data_dir=d)
        )
        self.max_backoff_s = max_backoff_s
        self.hw: Hardware | None = None
        self.config: dict[str, Any] = {}
        self.branch: str | None = None
        self.connected = asyncio.Event()
        self.stopped = asyncio.Event()
        self.connections = 0  # control connections made (tests and logs read it)
        self._lock = asyncio.Lock()  # one print at a time, in arrival order
        self._last_seq: int | None = None
        self._keys: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._ws: ClientConnection | None = None
        self._events: asyncio.Task[None] | None = None
        self._keypad_tasks: list[asyncio.Task[None]] = []

    # -- lifecycle ------------------------------------------------------------------------
    async def run(self) -> None:
        """Stay connected until ``stop()``; every failure leads to a reconnect."""
        backoff = 0.5
        try:
            while not self.stopped.is_set():
                try:
                    await self._control_session()
                    backoff = 0.5
                except InvalidStatus as exc:
                    log.error("server refused the agent: %s", exc)
                except (OSError, ConnectionClosed, TimeoutError) as exc:
                    log.warning("connection lost: %s", exc)
                finally:
                    self.connected.clear()
                    self._ws = None
                if self.stopped.is_set():
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopped.wait(), backoff * (1 + random.random()))
                backoff = min(backoff * 2, self.max_backoff_s)
        finally:
            for task in self._keypad_tasks:
                task.cancel()
            await asyncio.gather(*self._keypad_tasks, return_exceptions=True)
            if self._events is not None:
                self._events.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._events
            if self.hw is not None:
                await asyncio.to_thread(self.hw.close)

    def stop(self) -> None:
        self.stopped.set()
        if self._ws is not None:
            asyncio.ensure_future(self._ws.close())

    async def drop_connection(self) -> None:
        """Close the control socket as a network failure would (the agent reconnects)."""
        if self._ws is not None:
            await self._ws.close(code=1011)

    # -- control socket -------------------------------------------------------------------
    async def _control_session(self) -> None:
        url = ws_url(self.server, "/api/v1/agent")
        headers = {"Authorization": f"Bearer {self.token}"}
        async with connect(url, additional_headers=headers, open_timeout=10) as ws:
            hello = json.loads(await ws.recv())
            if hello.get("type") != "hello":
                raise ConnectionClosed(None, None)
            await self._configure(hello["device"])
            self._ws = ws
            self.connections += 1
            self.connected.set()
            beat = asyncio.create_task(self._heartbeat(ws, float(hello.get("heartbeat_s", 10))))
            keys = asyncio.create_task(self._send_keys(ws))
            try:
                async for text in ws:
                    message = json.loads(text)
                    if message.get("type") == "print":
                        await self._print(ws, message["job"])
                    elif message.get("type") == "error":
                        log.warning("server: %s", message.get("detail"))
            finally:
                beat.cancel()
                keys.cancel()

    async def _configure(self, device: dict[str, Any]) -> None:
        self.branch = device["branch"]
        if self._events is None:
            self._events = asyncio.create_task(self._follow_events())
        config = device.get("config") or {}
        if self.hw is None or config != self.config:
            if self.hw is not None:
                await asyncio.to_thread(self.hw.close)
            self.config = config
            self.hw = await asyncio.to_thread(self.hardware_factory, config, self.data_dir)
            for task in self._keypad_tasks:
                task.cancel()
            self._keypad_tasks = [
                asyncio.create_task(self._read_keypad(counter, keypad))
                for counter, keypad in self.hw.keypads.items()
            ]

    async def _print(self, ws: ClientConnection, job: dict[str, Any]) -> None:
        job_id = int(job["id"])
        async with self._lock:
            if job_id in self.journal:
                # Printed before the connection dropped; the server never got the ack.
                ack = {"type": "ack", "job_id": job_id, "ok": True, "status": None}
            else:
                ack = await asyncio.to_thread(self._print_blocking, job_id, job["content"])
        await ws.send(json.dumps(ack))

    def _print_blocking(self, job_id: int, content: dict[str, Any]) -> dict[str, Any]:
        printer = self.hw.printer if self.hw else None
        if printer is None:
            problem = (self.hw.problems.get("printer") if self.hw else None) or "no printer"
            status = DeviceStatus(DeviceState.OFFLINE, problem).as_dict()
            return {
                "type": "ack",
                "job_id": job_id,
                "ok": False,
                "error": problem,
                "status": status,
            }
        try:
            printed = printer.print_ticket(content_from_json(content))
        except DriverError as exc:
            st = exc.status or DeviceStatus(DeviceState.ERROR, str(exc))
            return {
                "type": "ack",
                "job_id": job_id,
                "ok": False,
                "error": str(exc)[:500],
                "status": st.as_dict(),
            }
        self.journal.add(job_id)
        return {"type": "ack", "job_id": job_id, "ok": True, "status": printed.as_dict()}

    async def _heartbeat(self, ws: ClientConnection, every_s: float) -> None:
        while True:
            await ws.send(json.dumps({"type": "status", "status": await self.status()}))
            await asyncio.sleep(every_s)

    async def status(self) -> dict[str, dict[str, str]]:
        report: dict[str, dict[str, str]] = {}
        if self.hw is None:
            return report
        async with self._lock:
            printer = await asyncio.to_thread(self.hw.printer_status)
        if printer is not None:
            report["printer"] = printer
        for name, problem in self.hw.problems.items():
            report[name] = {"state": "error", "detail": problem}
        for counter in self.hw.displays:
            report.setdefault(f"display:{counter}", {"state": "online", "detail": ""})
        return report

    # -- keypads --------------------------------------------------------------------------
    async def _read_keypad(self, counter: str, keypad: Any) -> None:
        while not self.stopped.is_set():
            try:
                key = await asyncio.to_thread(keypad.read_key, 1.0)
            except DriverError as exc:
                log.warning("keypad at counter %s: %s", counter, exc)
                await asyncio.sleep(2)
                continue
            if key in ("next", "recall"):
                await self._keys.put((counter, key))

    async def _send_keys(self, ws: ClientConnection) -> None:
        while True:
            counter, key = await self._keys.get()
            await ws.send(json.dumps({"type": "key", "counter": counter, "key": key}))

    # -- branch events: LED displays and speaker ------------------------------------------
    async def _follow_events(self) -> None:
        backoff = 0.5
        while not self.stopped.is_set():
            query = {} if self._last_seq is None else {"since": str(self._last_seq)}
            url = ws_url(
                self.server, f"/api/v1/branches/{quote(self.branch or '')}/events", **query
            )
            # The token in a header, never in the URL (access logs keep URLs).
            headers = {"Authorization": f"Bearer {self.token}"}
            try:
                async with connect(url, additional_headers=headers, open_timeout=10) as ws:
                    backoff = 0.5
                    async for text in ws:
                        await self._on_event(json.loads(text))
            except (OSError, ConnectionClosed, InvalidStatus, TimeoutError) as exc:
                log.info("event stream lost: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopped.wait(), backoff)
            backoff = min(backoff * 2, self.max_backoff_s)

    async def _on_event(self, message: dict[str, Any]) -> None:
        self._last_seq = message.get("seq", self._last_seq)
        if self.hw is None:
            return
        kind = message.get("type")
        data = message.get("data") or {}
        if kind == "snapshot":
            for counter in data.get("counters", []):
                current = counter.get("current_ticket") or {}
                await self._show(str(counter.get("label")), current.get("code") or "")
        elif kind in ("ticket.called", "ticket.recalled"):
            called_at = str(data["counter"]["label"])
            await self._show(called_at, data["ticket"]["code"], again=kind == "ticket.recalled")
            if self.hw.speaker is not None:
                lang = data.get("announcement", {}).get("lang", "en")
                await asyncio.to_thread(
                    self.hw.speaker.announce,
                    code=data["ticket"]["code"],
                    counter=called_at,
                    lang=lang,
                )
        elif kind in CLEARS_COUNTER:
            # The ticket left the counter it was at (ticket.counter), if any.
            label = (data.get("counter") or (data.get("ticket") or {}).get("counter") or {}).get(
                "label"
            )
            if label is not None:
                await self._show(str(label), "")

    async def _show(self, counter: str, text: str, *, again: bool = False) -> None:
        display = self.hw.displays.get(counter) if self.hw else None
        if display is None:
            return
        try:
            await asyncio.to_thread(display.show, text)
            if again and hasattr(display, "flash"):
                await asyncio.to_thread(display.flash)  # a recall blinks the same number again
        except DriverError as exc:
            log.warning("LED display at counter %s: %s", counter, exc)
