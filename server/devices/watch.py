"""Devices whose agent has gone quiet: an alert for the manager after a grace period (an agent
restarting or a short network blip raises nothing), cleared when the agent is back."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

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


async def watch_loop(ctx: AppContext, every_s: float = 15.0) -> None:
    def once() -> None:
        with ctx.db.unit_of_work() as session:
            check_devices(session, now=ctx.clock.now(), grace_s=ctx.settings.device_offline_after_s)

    while True:
        await asyncio.sleep(every_s)
        try:
            await ctx.db.run(once, write=True)
        except Exception:  # keep watching; the next round retries
            log.exception("device watch failed")
