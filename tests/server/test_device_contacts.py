"""When a device was last heard from, as the manager's device list shows it.

A kiosk that issued twenty tickets showed "never seen" (only sockets touched the time), and a
display connected all morning showed "last seen 7 minutes ago" (the time its socket opened).
"""

from __future__ import annotations

from typing import Any

from server.clock import FrozenClock
from server.devices.watch import record_contacts
from tests.support import admin_token, make_branch


def last_seen(client: Any, admin: str, kind: str) -> str | None:
    r = client.get("/api/v1/admin/devices", headers={"Authorization": f"Bearer {admin}"})
    assert r.status_code == 200, r.text
    (device,) = [d for d in r.json() if d["kind"] == kind]
    return device["last_seen_at"]


def flush(app: Any) -> int:
    ctx = app.state.ctx
    with ctx.db.unit_of_work() as session:
        return record_contacts(session, ctx, now=ctx.clock.now())


def test_a_kiosk_issuing_over_http_is_seen(client, make, app, clock: FrozenClock) -> None:
    kit = make(make_branch)
    admin = make(admin_token)
    assert last_seen(client, admin, "kiosk") is None
    clock.advance(30)
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets", json={"service": "A"}, headers=kit.auth("kiosk")
    )
    assert r.status_code == 201
    issued_at = clock.now()
    clock.advance(5)
    # At once, before the watch writes it down (it did show "never connected" for ~15 s).
    assert last_seen(client, admin, "kiosk") == issued_at.isoformat()
    assert flush(app) == 1
    assert last_seen(client, admin, "kiosk") == issued_at.isoformat()
    assert flush(app) == 0  # nothing new heard: nothing written


def test_a_connected_display_is_seen_now_not_when_it_connected(
    client, make, app, clock: FrozenClock
) -> None:
    kit = make(make_branch)
    admin = make(admin_token)
    with client.websocket_connect(f"/api/v1/branches/{kit.code}/events") as ws:
        ws.send_json({"type": "auth", "token": kit.tokens["display"]})
        assert ws.receive_json()["type"] == "snapshot"
        connected = last_seen(client, admin, "display")
        assert connected is not None
        clock.advance(7 * 60)
        assert last_seen(client, admin, "display") == clock.now().isoformat()
        flush(app)
        assert last_seen(client, admin, "display") == clock.now().isoformat()
