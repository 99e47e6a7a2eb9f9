"""A browser screen (call display, kiosk page) is on the manager's device list while its event
stream is open, and marked offline when the last one closes."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from tests.support import admin_token, make_branch


def test_a_display_is_online_while_its_stream_is_open(client: TestClient, make) -> None:
    kit = make(make_branch)
    admin = {"Authorization": f"Bearer {make(admin_token)}"}

    def display() -> dict:
        devices = client.get("/api/v1/admin/devices", headers=admin).json()
        return next(d for d in devices if d["branch"] == kit.code and d["kind"] == "display")

    assert display()["last_seen_at"] is None
    url = f"/api/v1/branches/{kit.code}/events?token={kit.tokens['display']}"
    with client.websocket_connect(url) as first:
        assert first.receive_json()["type"] == "snapshot"
        assert display()["status"]["screen"]["state"] == "online"
        assert display()["last_seen_at"] is not None
        with client.websocket_connect(url) as second:  # the same TV reloading its page
            assert second.receive_json()["type"] == "snapshot"
        assert display()["status"]["screen"]["state"] == "online"  # one stream still open
    # The server notices the close asynchronously.
    for _ in range(100):
        if display()["status"]["screen"]["state"] == "offline":
            break
        time.sleep(0.05)
    assert display()["status"]["screen"]["state"] == "offline"


def test_staff_streams_do_not_touch_devices(client: TestClient, make) -> None:
    kit = make(make_branch)
    admin = {"Authorization": f"Bearer {make(admin_token)}"}
    with client.websocket_connect(
        f"/api/v1/branches/{kit.code}/events?token={kit.tokens['teller1']}"
    ) as ws:
        assert ws.receive_json()["type"] == "snapshot"
    devices = client.get("/api/v1/admin/devices", headers=admin).json()
    assert all("screen" not in d["status"] for d in devices)
