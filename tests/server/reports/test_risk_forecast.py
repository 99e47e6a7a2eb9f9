"""The standard-risk check reads the forecast: the customer at a busy counter delays the
next one even with nobody ahead (the old formula said 0 s left for the first in line)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.domain.estimates import estimate_wait_s
from tests.server.reports.scenario import local
from tests.server.reports.test_live import _alerts, _check
from tests.support import make_branch


def test_a_long_visit_at_the_only_counter_puts_the_next_customer_at_risk(
    client: Any, make: Any, clock: Any, db: Any
) -> None:
    kit = make(make_branch, code="demo", counters={"1": ["A"]})
    clock.set(local(dt.date(2026, 3, 2), 9, 0))
    teller = kit.auth("teller1")
    counter = kit.counters["1"]
    assert client.post(f"/api/v1/counters/{counter}/open", headers=teller).status_code == 200

    def issue() -> dict[str, Any]:
        r = client.post(
            f"/api/v1/branches/{kit.code}/tickets", json={"service": "A"}, headers=kit.auth("kiosk")
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    first = issue()
    r = client.post(f"/api/v1/counters/{counter}/call-next", headers=teller)
    assert r.status_code == 200, r.text
    issue()
    # Nine and a half minutes on: the first customer is still at the counter (their visit is
    # already twice the 300 s standard), the second has waited 570 s of a 600 s standard.
    clock.advance(570)
    # What the old formula said: nobody ahead, so 0 s left and no risk.
    assert estimate_wait_s(ahead=0, open_counters=1, avg_service_s=300) == 0
    assert _check(db, clock) == ["risk:A"]
    [alert] = _alerts(client, kit)
    assert alert["data"]["at_risk"] == 1
    assert alert["data"]["worst_predicted_wait_s"] > 600
    # The visit ends, the counter calls the second customer: nobody is waiting any more.
    done = client.post(f"/api/v1/tickets/{first['id']}/finish", headers=teller)
    assert done.status_code == 200, done.text
    assert client.post(f"/api/v1/counters/{counter}/call-next", headers=teller).status_code == 200
    clock.advance(5)
    assert _check(db, clock) == []
