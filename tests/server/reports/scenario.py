"""A known data set built through the real API with the frozen clock stepping, and the raw
rows read back for independent checks."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select

from server.clock import FrozenClock
from server.db import Database
from server.models import Counter, Event, Ticket, TicketTouch, User
from tests.support import BranchKit

TZ = ZoneInfo("Europe/Istanbul")
# Business days of the data set: two busy days; each is followed by a day holding only the
# ticket issued at 00:05 local time, and 4 March is empty.
DAYS = [dt.date(2026, 3, 2) + dt.timedelta(days=i) for i in range(5)]
BUSY_DAYS = [DAYS[0], DAYS[3]]
EMPTY_DAY = DAYS[2]


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).astimezone(dt.UTC)


@dataclass
class Scenario:
    client: TestClient
    kit: BranchKit
    clock: FrozenClock
    rng: random.Random
    tickets: list[dict[str, Any]] = field(default_factory=list)
    current: dict[str, int | None] = field(default_factory=dict)

    def h(self, who: str = "manager") -> dict[str, str]:
        return self.kit.auth(who)

    def post(self, path: str, who: str, json: Any = None) -> Any:
        return self.client.post(f"/api/v1{path}", json=json, headers=self.h(who))

    def issue(self, service: str, touch_s: int | None = None, priority: bool = False) -> None:
        body: dict[str, Any] = {"service": service, "priority": priority}
        if touch_s is not None:
            body["touch_s"] = touch_s
        r = self.post(f"/branches/{self.kit.code}/tickets", "kiosk", body)
        assert r.status_code == 201, r.text
        self.tickets.append(r.json())


TELLER_OF = {"1": "teller1", "2": "teller2", "3": "teller3", "4": "teller4"}


def build(client: TestClient, kit: BranchKit, clock: FrozenClock, *, seed: int = 7) -> Scenario:
    """Two busy days (with the empty one between) of random but valid counter work."""
    sc = Scenario(client, kit, clock, random.Random(seed))
    rng = sc.rng
    for day in BUSY_DAYS:
        clock.set(local(day, 9, 0))
        for label in ("1", "2", "4"):
            r = sc.post(f"/counters/{kit.counters[label]}/open", TELLER_OF[label])
            assert r.status_code == 200, r.text
        for _ in range(70):
            clock.advance(rng.randint(10, 160))
            action = rng.random()
            label = rng.choice(["1", "2", "4", "1", "2"])
            cid = kit.counters[label]
            who = TELLER_OF[label]
            if action < 0.38:
                svc = rng.choice(["A", "A", "B", "C"])
                sc.issue(
                    svc,
                    touch_s=rng.choice([None, 5, 15, 20, 21, 45, 60, 61, 90]),
                    priority=rng.random() < 0.1,
                )
            elif action < 0.62:
                r = sc.post(f"/counters/{cid}/call-next", who)
                assert r.status_code in (200, 204, 409), r.text
            elif action < 0.74:
                _on_current(sc, cid, who, "serve")
            elif action < 0.80:
                _on_current(sc, cid, who, "no-show")
            elif action < 0.84:
                _on_current(sc, cid, who, "transfer", {"service": rng.choice(["A", "B"])})
            elif action < 0.88:
                sc.post(f"/counters/{cid}/recall", who)
            elif action < 0.91:
                _on_current(
                    sc, cid, who, "recovery", {"action": rng.choice(["apologized", "fast_tracked"])}
                )
            elif action < 0.94:
                r = sc.post(
                    f"/counters/{cid}/pause", who, {"reason": rng.choice(["lunch", "break"])}
                )
                clock.advance(rng.randint(60, 600))
                sc.post(f"/counters/{cid}/resume", who)
            else:
                _on_current(sc, cid, who, "finish")
        clock.advance(300)
        for label in ("1", "2", "4"):
            cid = kit.counters[label]
            _on_current(sc, cid, TELLER_OF[label], "finish")
            sc.post(f"/counters/{cid}/resume", TELLER_OF[label])
            r = sc.post(f"/counters/{cid}/close", TELLER_OF[label])
            assert r.status_code == 200, r.text
        # Late arrivals around local midnight: business days follow Istanbul, not UTC.
        clock.set(local(day, 23, 50))
        sc.issue("A", touch_s=30)
        clock.advance(15 * 60)  # 00:05 the next local day (still the same UTC date)
        sc.issue("B", touch_s=10)
    # Feedback on some finished tickets, falling with the wait.
    for t in sc.tickets:
        if rng.random() < 0.6:
            client.post(
                f"/api/v1/tickets/by-token/{t['token']}/feedback",
                json={"score": rng.randint(1, 5)},
            )
    return sc


def _on_current(sc: Scenario, cid: int, who: str, op: str, body: Any = None) -> None:
    r = sc.client.get(f"/api/v1/counters/{cid}", headers=sc.h(who))
    current = r.json().get("current_ticket")
    if current is None:
        return
    sc.post(f"/tickets/{current['id']}/{op}", who, body)


def raw(db: Database) -> dict[str, Any]:
    """The rows as stored, for computing every figure independently of the reports."""
    with db.read_session() as s:
        tickets = list(s.execute(select(Ticket).order_by(Ticket.id)).scalars())
        touches = {t.ticket_id: t.touch_s for t in s.execute(select(TicketTouch)).scalars()}
        events = list(s.execute(select(Event).order_by(Event.seq)).scalars())
        counters = {c.id: c.label for c in s.execute(select(Counter)).scalars()}
        users = {u.id: u.username for u in s.execute(select(User)).scalars()}
    return {
        "tickets": tickets,
        "touches": touches,
        "events": events,
        "counters": counters,
        "users": users,
    }
