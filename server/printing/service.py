"""The printers the server drives itself (network, or attached to the server PC).

One ``EscposPrinter`` per device, built from the device's configuration and rebuilt when it
changes; every print and status read runs on a small thread pool and is bounded by the
printer's own timeout, so a silent printer never holds up an issuing request for longer.
Kiosks whose printer hangs off the kiosk PC are served by their device agent instead
(server/devices/agent.py); ``print_via`` in the device configuration says which.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from drivers.base import DeviceState, DeviceStatus, DriverError, TicketPrinter, content_from_json
from server.config import Settings
from server.db import Database
from server.models import Device
from server.models.types import row_id
from server.printing import jobs
from server.printing.config import PrinterSetup, printer_setup

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintResult:
    ok: bool
    status: dict[str, str]
    error: str | None = None

    @property
    def print_status(self) -> str:
        return "printed" if self.ok else "failed"


class ServerPrinters:
    def __init__(self, *, db: Database, settings: Settings, now: Any) -> None:
        self.db = db
        self.settings = settings
        self._now = now
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sira-printer")
        self._lock = threading.Lock()
        self._printers: dict[int, tuple[str, TicketPrinter]] = {}

    # -- one owner per device -------------------------------------------------------------
    def _printer(self, device_id: int, setup: PrinterSetup) -> TicketPrinter:
        fingerprint = json.dumps(setup.raw, sort_keys=True)
        with self._lock:
            held = self._printers.get(device_id)
            if held is not None and held[0] == fingerprint:
                return held[1]
            if held is not None:
                held[1].close()
            printer = setup.build(self.settings)
            self._printers[device_id] = (fingerprint, printer)
            return printer

    def _print_blocking(
        self, device_id: int, setup: PrinterSetup, content: dict[str, Any]
    ) -> PrintResult:
        try:
            status = self._printer(device_id, setup).print_ticket(content_from_json(content))
            return PrintResult(True, status.as_dict())
        except DriverError as exc:
            status = exc.status or DeviceStatus(DeviceState.ERROR, str(exc))
            return PrintResult(False, status.as_dict(), str(exc))
        except Exception as exc:  # a driver bug must not lose the ticket: report it as failed
            log.exception("printer %s failed unexpectedly", device_id)
            return PrintResult(False, DeviceStatus(DeviceState.ERROR).as_dict(), str(exc))

    def _status_blocking(self, device_id: int, setup: PrinterSetup) -> dict[str, str]:
        try:
            return self._printer(device_id, setup).status().as_dict()
        except DriverError as exc:
            return (exc.status or DeviceStatus(DeviceState.OFFLINE, str(exc))).as_dict()

    # -- async API ------------------------------------------------------------------------
    async def print_job(
        self, *, job_id: int, device_id: int, setup: PrinterSetup, content: dict[str, Any]
    ) -> PrintResult:
        """Print now and record the result; never waits much longer than the printer's timeout."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool, self._print_blocking, device_id, setup, content)
        try:
            result = await asyncio.wait_for(future, timeout=setup.timeout_s * 3 + 1)
        except TimeoutError:
            result = PrintResult(
                False,
                DeviceStatus(DeviceState.OFFLINE, "no answer").as_dict(),
                "the printer did not answer in time",
            )
        await self.db.run(self._record, job_id, result, write=True)
        return result

    async def print_test(
        self, *, device_id: int, setup: PrinterSetup, content: dict[str, Any]
    ) -> PrintResult:
        """Print a test ticket now (no print job: it belongs to no ticket); the printer's
        answer is stored as its state, raising or clearing its alert like a status read."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool, self._print_blocking, device_id, setup, content)
        try:
            result = await asyncio.wait_for(future, timeout=setup.timeout_s * 3 + 1)
        except TimeoutError:
            result = PrintResult(
                False,
                DeviceStatus(DeviceState.OFFLINE, "no answer").as_dict(),
                "the printer did not answer in time",
            )
        await self.db.run(self._store_status, device_id, result.status, write=True)
        return result

    def _record(self, job_id: int, result: PrintResult) -> None:
        with self.db.unit_of_work() as session:
            jobs.complete_job(
                session,
                job_id=job_id,
                ok=result.ok,
                status=result.status,
                error=result.error,
                now=self._now(),
            )

    async def poll_once(self) -> int:
        """Read the status of every server-driven printer; store it, raise or clear alerts."""
        devices = await self.db.run(self._server_printer_devices, write=False)
        loop = asyncio.get_running_loop()
        for device_id, setup in devices:
            try:
                status = await asyncio.wait_for(
                    loop.run_in_executor(self._pool, self._status_blocking, device_id, setup),
                    timeout=setup.timeout_s * 3 + 1,
                )
            except TimeoutError:
                status = DeviceStatus(DeviceState.OFFLINE, "no answer").as_dict()
            await self.db.run(self._store_status, device_id, status, write=True)
        return len(devices)

    def _server_printer_devices(self) -> list[tuple[int, PrinterSetup]]:
        with Session(self.db.engine) as session:
            rows = session.exec(select(Device).where(Device.active == True)).all()  # noqa: E712
            found = []
            for device in rows:
                setup = printer_setup(device.config)
                if setup is not None and setup.via == "server":
                    found.append((row_id(device), setup))
            return found

    def _store_status(self, device_id: int, status: dict[str, str]) -> None:
        with self.db.unit_of_work() as session:
            device = session.get(Device, device_id)
            if device is not None:
                jobs.update_printer_status(session, device=device, status=status, now=self._now())

    async def poll_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.printer_poll_s)
            try:
                await self.poll_once()
            except Exception:  # keep polling; the next round retries
                log.exception("printer status poll failed")

    def close(self) -> None:
        with self._lock:
            for _, printer in self._printers.values():
                try:
                    printer.close()
                except Exception:  # closing a dead printer must not stop shutdown
                    log.debug("closing a printer failed", exc_info=True)
            self._printers.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
