"""Devices whose agent has gone quiet: an alert for the manager after a grace period (an agent
restarting or a short network blip raises nothing), cleared when the agent is back."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from server.alerts.service import clear_alert, raise_alert
from server.context import AppContext
from server.models import Device

log = logging.getLogger(__name__)


def device_alert_key(device_id: int) -> str:
    return f"device:{device_id}"


def check_devices(session: Session, *, now: dt.datetime, grace_s: float) -> int:
    """Raise or clear the offline alert of every device that runs an agent; returns how many
    devices are offline past the grace period."""
    offline = 0
    for device in session.exec(select(Device).where(col(Device.active).is_(True))):
        # The agent's control socket, or a browser screen's event stream.
        agent = (device.status or {}).get("agent") or (device.status or {}).get("screen")
        if agent is None:
            continue  # never connected: nothing to watch yet
        key = device_alert_key(device.id)  # type: ignore[arg-type]
        seen = device.last_seen_at
        quiet = seen is None or (now - seen).total_seconds() > grace_s
        if agent.get("state") == "offline" and quiet:
            offline += 1
            since = seen.isoformat(timespec="minutes") if seen else "never"
            raise_alert(
                session,
                branch_id=device.branch_id,
                key=key,
                kind="device_offline",
                severity="critical" if device.kind == "kiosk" else "warning",
                message=f"{device.name} ({device.kind}) is offline; last seen {since}",
                data={"last_seen_at": seen.isoformat() if seen else None},
                device_id=device.id,
                now=now,
            )
        elif agent.get("state") == "online":
            clear_alert(session, branch_id=device.branch_id, key=key, now=now, reason="back")
    return offline


def heard_here(ctx: AppContext, *, now: dt.datetime) -> dict[int, dt.datetime]:
    """When this process last heard from each device and has not written it yet: its
    requests since the last round, and ``now`` for a screen whose event stream is open here."""
    heard = dict(ctx.contacts)
    for device_id in list(ctx.screens):
        heard[device_id] = now
    return heard


def last_seen(device: Device, heard: dict[int, dt.datetime]) -> dt.datetime | None:
    """The device's last contact: what was written, or what this process heard since."""
    here = heard.get(device.id) if device.id is not None else None
    if here is None or (device.last_seen_at is not None and device.last_seen_at >= here):
        return device.last_seen_at
    return here


def record_contacts(session: Session, ctx: AppContext, *, now: dt.datetime) -> int:
    """Write when each device was last heard from by this process: its requests since the
    last round, and ``now`` for a screen whose event stream is open here (a display that is
    connected all day is seen now, not when it connected). Quietly: no event. How many."""
    taken = dict(ctx.contacts)
    heard = heard_here(ctx, now=now)
    for device_id, at in taken.items():
        if ctx.contacts.get(device_id) == at:  # not heard again meanwhile
            ctx.contacts.pop(device_id, None)
    for device_id, at in heard.items():
        session.execute(
            update(Device)
            .where(
                col(Device.id) == device_id,
                or_(col(Device.last_seen_at).is_(None), col(Device.last_seen_at) < at),
            )
            .values(last_seen_at=at)
        )
    return len(heard)


async def watch_loop(ctx: AppContext, every_s: float = 15.0) -> None:
    def once() -> None:
        with ctx.db.unit_of_work() as session:
            now = ctx.clock.now()
            record_contacts(session, ctx, now=now)
            check_devices(session, now=now, grace_s=ctx.settings.device_offline_after_s)

    while True:
        await asyncio.sleep(every_s)
        try:
            await ctx.db.run(once, write=True)
        except Exception:  # keep watching; the next round retries
            log.exception("device watch failed")
