"""The snapshot every screen starts from."""

from server.branches.snapshot import QUEUE_LIMIT
from tests.support import make_branch


def test_snapshot_lists_the_head_of_a_long_queue_and_counts_all(client, make):
    kit = make(make_branch)
    for i in range(QUEUE_LIMIT + 10):
        service = "A" if i % 2 else "B"
        r = client.post(
            f"/api/v1/branches/{kit.code}/tickets",
            json={"service": service},
            headers=kit.auth("kiosk"),
        )
        assert r.status_code == 201
    body = client.get(f"/api/v1/branches/{kit.code}/snapshot", headers=kit.auth("display")).json()
    data = body["data"]
    assert len(data["queue"]) == QUEUE_LIMIT
    assert [t["code"] for t in data["queue"][:3]] == ["B001", "A001", "B002"]
    waiting = {s["code"]: s["waiting"] for s in data["services"]}
    assert waiting == {"A": 30, "B": 30, "C": 0}
    assert body["seq"] == QUEUE_LIMIT + 10
