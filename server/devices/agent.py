"""``WS /api/v1/agent``: the control channel of a device agent (``sira-agent``).

Server → agent: ``hello`` (the device and its configuration), ``print`` (a job), and
``key_result``. Agent → server: ``ack`` (a job printed or failed), ``status`` (heartbeat with
hardware states), ``key`` (a teller keypad press: "next" or "recall" at a counter).

What a device may say follows from its kind and configuration (server/devices/config.py):
only an ``agent`` device sends keys, and only for the counters its configured ``keypads``
stand at (``config.keypads[].counter``); any other key gets a ``key_result`` with an
``error``. A ``status`` report names only hardware the configuration has (``printer``,
``display:<counter>``, ``keypad:<counter>``, ``speaker``); other parts are dropped and
answered with an ``error`` message, so a display cannot raise "printer out of paper".

The device token comes in the ``Authorization: Bearer`` header only (a ``?token=`` is
refused, close 1008: URLs end up in access logs). Messages are JSON text of at most
``MAX_MESSAGE_BYTES`` (binary: close 1003; larger: close 1009); a malformed one is answered
with an ``error`` message. The device is re-read on every message and every job poll, so a
device removed while connected is closed with 4401 at once or within ``POLL_S``.
Events for LED displays and speakers come over the ordinary branch event stream, which the
agent follows separately with ``since=`` resume.

A job stays pending until acknowledged, so it is sent again after a reconnect; the agent keeps
a journal of the jobs it printed and acknowledges a repeat without printing it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session, select

from server.auth import service as auth
from server.auth.principal import Principal, Role
from server.context import AppContext
from server.counters import calling
from server.deps import DeviceWork, bearer_token
from server.devices.config import confined, keypad_counters, status_parts
from server.domain.errors import DomainError, Forbidden, NotFound, Unauthorized
from server.models import Branch, Counter, Device, PrintJob
from server.printing import jobs
from server.printing.config import hardware_policy

log = logging.getLogger(__name__)
router = APIRouter()

POLL_S = 2.0  # jobs queued by another server process are found within this time
# The largest message an agent sends is a status report of a few dozen parts.
MAX_MESSAGE_BYTES = 65_536
DBID_MAX = 2**63 - 1  # a row id fits a signed 64-bit integer on every database


class Revoked(Unauthorized):
    """The device was deactivated (its token revoked) while its socket was open."""


# A hardware part's state: {"state": "paper_out", "detail": "..."}, bounded (it is stored).
PartStatus = Annotated[
    dict[Annotated[str, Field(max_length=32)], Annotated[str, Field(max_length=500)]],
    Field(max_length=8),
]


class Ack(BaseModel):
    type: str = Field(pattern="^ack$")
    job_id: int = Field(ge=1, le=DBID_MAX)
    ok: bool
    error: str | None = Field(default=None, max_length=500)
    status: PartStatus | None = None


class StatusReport(BaseModel):
    type: str = Field(pattern="^status$")
    status: dict[Annotated[str, Field(max_length=64)], PartStatus] = Field(
        default_factory=dict, max_length=64
    )


class KeyPress(BaseModel):
    type: str = Field(pattern="^key$")
    counter: str = Field(min_length=1, max_length=32)
    key: str = Field(pattern="^(next|recall)$")


def _hello(
    ctx: AppContext, token: str | None, roles: frozenset[Role]
) -> tuple[Principal, dict[str, Any]]:
    with ctx.db.unit_of_work() as session:
        if not token:
            raise Unauthorized("pass the device token in an 'Authorization: Bearer' header")
        principal = auth.resolve(session, token=token, now=ctx.clock.now())
        principal.require(*roles)
        device = session.get(Device, principal.device_id)
        branch = session.get(Branch, principal.branch_id)
        assert device is not None
        assert branch is not None
        _seen(session, device, now=ctx.clock.now(), online=True)
        return principal, {
            "type": "hello",
            "heartbeat_s": ctx.settings.agent_heartbeat_s,
            "device": {
                "id": device.id,
                "kind": device.kind,
                "name": device.name,
                "branch": branch.code,
                "config": dict(device.config or {}),
            },
        }


def _seen(session: Session, device: Device, *, now: dt.datetime, online: bool) -> None:
    device.last_seen_at = now
    session.add(device)
    state = {"state": "online" if online else "offline", "detail": ""}
    jobs.merge_status(session, device=device, parts={"agent": state}, now=now)


def _active(session: Session, device_id: int) -> Device:
    """The device, still active: every message re-checks it (a revoked token stops at once)."""
    device = session.get(Device, device_id)
    if device is None or not device.active:
        raise Revoked("this device was removed and its token revoked")
    return device


def _take_jobs(ctx: AppContext, device_id: int, sent: set[int]) -> list[dict[str, Any]]:
    with ctx.db.unit_of_work() as session:
        _active(session, device_id)
        pending = [j for j in jobs.pending_jobs(session, device_id) if j.id not in sent]
        jobs.mark_sent(session, [j.id for j in pending])  # type: ignore[misc]
        return [
            {
                "type": "print",
                "job": {
                    "id": j.id,
                    "ticket_id": j.ticket_id,
                    "reprint": j.reprint,
                    "content": j.content,
                },
            }
            for j in pending
        ]


def _ack(ctx: AppContext, device_id: int, ack: Ack) -> bool:
    with ctx.db.unit_of_work() as session:
        device = _active(session, device_id)
        job = session.get(PrintJob, ack.job_id)
        if job is None or job.device_id != device_id:
            return False  # not this device's job: ignore
        has_printer = "printer" in status_parts(device.config)
        jobs.complete_job(
            session,
            job_id=ack.job_id,
            ok=ack.ok,
            status=ack.status if has_printer else None,
            error=ack.error,
            now=ctx.clock.now(),
        )
        return True


def _status(ctx: AppContext, device_id: int, report: StatusReport) -> list[str]:
    """Store the parts of ``report`` the device has; returns the names of those it has not."""
    with ctx.db.unit_of_work() as session:
        device = _active(session, device_id)
        now = ctx.clock.now()
        _seen(session, device, now=now, online=True)
        has = status_parts(device.config)
        refused = sorted(k for k in report.status if k not in has)
        printer = report.status.get("printer")
        if printer is not None and "printer" in has:
            jobs.update_printer_status(session, device=device, status=printer, now=now)
        others = {k: v for k, v in report.status.items() if k in has and k != "printer"}
        if others:
            jobs.merge_status(session, device=device, parts=others, now=now)
        return refused


def _refused_parts(ctx: AppContext, device_id: int, dropped: dict[str, str]) -> None:
    with ctx.db.unit_of_work() as session:
        device = session.get(Device, device_id)
        if device is not None:
            parts = {k: {"state": "error", "detail": v[:200]} for k, v in dropped.items()}
            jobs.merge_status(session, device=device, parts=parts, now=ctx.clock.now())


def _gone(ctx: AppContext, device_id: int) -> None:
    with ctx.db.unit_of_work() as session:
        device = session.get(Device, device_id)
        if device is not None:
            _seen(session, device, now=ctx.clock.now(), online=False)


def _key(ctx: AppContext, principal: Principal, press: KeyPress) -> dict[str, Any]:
    """A keypad press acts for the teller signed in at that counter; only a counter agent
    presses keys, and only at the counters its keypads stand at."""
    with ctx.db.unit_of_work() as session:
        device = _active(session, device_id=principal.device_id)  # type: ignore[arg-type]
        if principal.role is not Role.AGENT:
            raise Forbidden(
                f"a {principal.role.value} has no keypad: only a counter agent calls tickets"
            )
        if press.counter not in keypad_counters(device.config):
            raise Forbidden(f"this agent has no keypad at counter {press.counter}")
        counter = session.exec(
            select(Counter).where(
                Counter.branch_id == principal.branch_id, Counter.label == press.counter
            )
        ).first()
        if counter is None:
            raise NotFound(f"there is no counter {press.counter} at this branch")
        counter = session.get(Counter, counter.id, with_for_update=True)
        assert counter is not None
        teller = Principal(
            role=Role.TELLER,
            branch_id=principal.branch_id,
            user_id=counter.teller_id,
            device_id=principal.device_id,
            name=principal.name,
        )
        now = ctx.clock.now()
        if press.key == "next":
            called = calling.call_next(session, counter, principal=teller, now=now)
        else:
            called = calling.recall(session, counter, principal=teller, now=now)
        ticket = called.ticket if called else None
        return {"ticket": {"id": ticket.id, "code": ticket.code} if ticket else None}


@router.websocket("/api/v1/agent")
async def agent_socket(ws: WebSocket, work: DeviceWork) -> None:
    """Who may connect is the route's declared rule (``work.roles``)."""
    ctx: AppContext = ws.app.state.ctx
    roles = work.roles
    assert roles is not None
    await ws.accept()
    if "token" in ws.query_params:
        # A token in a URL ends up in access logs and proxies' logs.
        reason = "pass the device token in an 'Authorization: Bearer' header, not the URL"
        await ws.close(code=1008, reason=reason)
        return
    try:
        principal, hello = await ctx.db.run(_hello, ctx, bearer_token(ws), roles, write=True)
    except DomainError as exc:
        await ws.close(code=4400 + exc.status_code % 100, reason=str(exc)[:120])
        return
    device_id: int = principal.device_id  # type: ignore[assignment]
    # Hardware this installation does not allow (a configuration stored before a setting was
    # narrowed) is not sent: the agent would open it. May resolve a printer's host name.
    policy = hardware_policy(ctx.settings)
    config, dropped = await asyncio.to_thread(confined, hello["device"]["config"], policy)
    hello["device"]["config"] = config
    if dropped:
        log.warning("device %s: configuration parts not sent: %s", device_id, dropped)
        await ctx.db.run(_refused_parts, ctx, device_id, dropped, write=True)
    hub = ctx.agents
    wake = hub.attach(device_id)
    sent: set[int] = set()

    async def pump_jobs() -> None:
        try:
            while True:
                for message in await ctx.db.run(_take_jobs, ctx, device_id, sent, write=True):
                    sent.add(message["job"]["id"])
                    await ws.send_text(json.dumps(message))
                wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), POLL_S)
        except Revoked as exc:
            with contextlib.suppress(Exception):
                await ws.close(code=4401, reason=str(exc))

    pump: asyncio.Task[None] | None = None
    try:
        # An agent that went while it was checked is gone here (WebSocketDisconnect).
        await ws.send_text(json.dumps(hello))
        pump = asyncio.create_task(pump_jobs())
        while True:
            frame = await ws.receive()
            if frame["type"] == "websocket.disconnect":
                break
            text = frame.get("text")
            if text is None:
                await ws.close(code=1003, reason="send JSON text messages, not binary frames")
                break
            if len(text) > MAX_MESSAGE_BYTES:
                reason = f"a message is at most {MAX_MESSAGE_BYTES} bytes"
                await ws.close(code=1009, reason=reason)
                break
            try:
                await _handle(ctx, ws, principal, device_id, text, sent)
            except Revoked as exc:
                await ws.close(code=4401, reason=str(exc))
                break
    except (WebSocketDisconnect, RuntimeError):
        pass  # gone, or closed by the job pump (a revoked token)
    finally:
        if pump is not None:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
        hub.detach(device_id, wake)
        with contextlib.suppress(Exception):
            await ctx.db.run(_gone, ctx, device_id, write=True)


async def _handle(
    ctx: AppContext, ws: WebSocket, principal: Principal, device_id: int, text: str, sent: set[int]
) -> None:
    kind = None
    try:
        message = json.loads(text)
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "ack":
            ack = Ack.model_validate(message)
            if await ctx.db.run(_ack, ctx, device_id, ack, write=True):
                ctx.agents.acked(ack.job_id, ack.ok)
        elif kind == "status":
            report = StatusReport.model_validate(message)
            refused = await ctx.db.run(_status, ctx, device_id, report, write=True)
            if refused:
                detail = f"status ignored for hardware this device has not: {', '.join(refused)}"
                await ws.send_text(json.dumps({"type": "error", "detail": detail[:300]}))
        elif kind == "key":
            press = KeyPress.model_validate(message)
            try:
                result = await ctx.db.run(_key, ctx, principal, press, write=True)
                reply = {"type": "key_result", "counter": press.counter, "key": press.key, **result}
            except Revoked:
                raise
            except DomainError as exc:
                reply = {
                    "type": "key_result",
                    "counter": press.counter,
                    "key": press.key,
                    "error": str(exc),
                }
            await ws.send_text(json.dumps(reply))
        else:
            shown = repr(kind)[:40]
            await ws.send_text(json.dumps({"type": "error", "detail": f"unknown message {shown}"}))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "message"
        detail = f"bad {kind} message: {where}: {first['msg']}"[:300]
        await ws.send_text(json.dumps({"type": "error", "detail": detail}))
    except RecursionError:
        detail = "bad message: nested too deeply"
        await ws.send_text(json.dumps({"type": "error", "detail": detail}))
    except ValueError as exc:
        detail = str(exc).splitlines()[0][:200]
        await ws.send_text(json.dumps({"type": "error", "detail": f"bad message: {detail}"}))
