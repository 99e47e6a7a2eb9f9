"""Raise and clear alerts. Idempotent by (branch, key): raising an open alert again only
updates its message; clearing one that is not open does nothing. Each change is an event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from server.alerts.schemas import AlertPublic
from server.models import Alert
from server.realtime.events import EventType, record


def alert_dict(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "key": alert.key,
        "kind": alert.kind,
        "severity": alert.severity,
        "message": alert.message,
        "data": dict(alert.data or {}),
        "raised_at": alert.raised_at.isoformat(),
        "cleared_at": alert.cleared_at.isoformat() if alert.cleared_at else None,
        "ticket_id": alert.ticket_id,
        "device_id": alert.device_id,
        "counter_id": alert.counter_id,
    }


def alert_public(alert: Alert) -> AlertPublic:
    return AlertPublic.model_validate(alert_dict(alert))


def open_alert(session: Session, *, branch_id: int, key: str) -> Alert | None:
    return session.exec(
        select(Alert).where(
            Alert.branch_id == branch_id, Alert.key == key, col(Alert.cleared_at).is_(None)
        )
    ).first()


def open_alerts(session: Session, *, branch_id: int) -> list[Alert]:
    return list(
        session.exec(
            select(Alert)
            .where(Alert.branch_id == branch_id, col(Alert.cleared_at).is_(None))
            .order_by(col(Alert.raised_at), col(Alert.id))
        )
    )


def raise_alert(
    session: Session,
    *,
    branch_id: int,
    key: str,
    kind: str,
    message: str,
    now: dt.datetime,
    severity: str = "warning",
    data: dict[str, Any] | None = None,
    ticket_id: int | None = None,
    device_id: int | None = None,
    counter_id: int | None = None,
) -> Alert:
    """Open the alert ``key`` unless it is open already (then refresh its message/data)."""
    existing = open_alert(session, branch_id=branch_id, key=key)
    if existing is not None:
        reworded = existing.message != message
        if reworded or (data is not None and existing.data != data):
            existing.message = message
            if data is not None:
                existing.data = data
            session.add(existing)
        if reworded:
            # Dashboards showing the alert follow: it cites counts and a standard that change
            # (figures alone change every round and are read with the alert list).
            record(
                session,
                branch_id=branch_id,
                type=EventType.ALERT_UPDATED,
                at=now,
                data={"alert": alert_dict(existing)},
                ticket_id=existing.ticket_id,
                counter_id=existing.counter_id,
                device_id=existing.device_id,
            )
        return existing
    alert = Alert(
        branch_id=branch_id,
        key=key,
        kind=kind,
        severity=severity,
        message=message,
        data=data or {},
        raised_at=now,
        ticket_id=ticket_id,
        device_id=device_id,
        counter_id=counter_id,
    )
    session.add(alert)
    session.flush()
    record(
        session,
        branch_id=branch_id,
        type=EventType.ALERT_RAISED,
        at=now,
        data={"alert": alert_dict(alert)},
        ticket_id=ticket_id,
        counter_id=counter_id,
        device_id=device_id,
    )
    return alert


def clear_alert(
    session: Session, *, branch_id: int, key: str, now: dt.datetime, reason: str = ""
) -> Alert | None:
    """Close the open alert ``key``; returns it, or None when none was open."""
    alert = open_alert(session, branch_id=branch_id, key=key)
    if alert is None:
        return None
    alert.cleared_at = now
    session.add(alert)
    session.flush()
    record(
        session,
        branch_id=branch_id,
        type=EventType.ALERT_CLEARED,
        at=now,
        data={"alert": alert_dict(alert), "reason": reason},
        ticket_id=alert.ticket_id,
        counter_id=alert.counter_id,
        device_id=alert.device_id,
    )
    return alert


def list_alerts(
    session: Session, *, branch_id: int, include_cleared: bool, limit: int = 200
) -> list[Alert]:
    query = select(Alert).where(Alert.branch_id == branch_id)
    if not include_cleared:
        query = query.where(col(Alert.cleared_at).is_(None))
    return list(session.exec(query.order_by(col(Alert.id).desc()).limit(limit)))
