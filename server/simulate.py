"""``sira simulate``: fill a branch's history with realistic generated days, in bulk.

Arrivals follow a Poisson process per service whose rate rises at lunch, on Mondays and on
paydays (1st and 15th); counters call in arrival order; service times are log-normal;
some customers do not show up, some are recalled or transferred; feedback falls with the
wait. Rows are written with Core inserts in batches, as the live system would have written
them: tickets numbered per service per business day (and the numbering table), events in
the branch's log, business dates in the branch's timezone. The events are history, not live:
they take seqs below zero (below any generated before), so a live server's event sockets,
replays and screens never see them (see ``Event``), and the branch's ``last_seq`` does not
move.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from server.db import Database
from server.domain.calendar import format_code, zone
from server.domain.staffing import counters_needed
from server.models import Branch, Counter, Event, Service, Ticket, TicketSequence, TicketTouch, User
from server.models.types import row_id, table_of
from server.reports.rollup import refresh

BASE_RATE = {0: 24.0, 1: 12.0, 2: 5.0}  # per hour, by the service's position
# Service takes this share of the service's own standard on average (log-normal around it):
# tellers who mostly keep to their standard.
SERVICE_SHARE = 0.7


def mean_service_s(svc: Service) -> float:
    return SERVICE_SHARE * svc.standard_service_s


OPEN_H, CLOSE_H = 9, 17
_T, _E = Ticket.__table__, Event.__table__  # type: ignore[attr-defined]


@dataclass(order=True)
class _Ready:
    at: dt.datetime
    n: int
    t: dict[str, Any] = field(compare=False)


def _rate(hour: float, day: dt.date, base: float, busy: float) -> float:
    f = 1.6 if 12 <= hour < 14 else (0.7 if hour < 10 else 1.0)
    if day.weekday() == 0:
        f *= 1.2
    if day.day in (1, 15):
        f *= 1.5
    return base * f * busy


def _ev(kind: str, at: dt.datetime, t: dict[str, Any] | None, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if t is not None:
        data["ticket"] = {"code": t["code"], "service": t["service_code"]}
    data.update(kw.pop("data", {}))
    return {"type": kind, "at": at, "data": data, "_t": t, **kw}


# A sensible manager's staffing: enough counters each hour for this share of customers to be
# called within the wait standard (Erlang C), as the staffing advice recommends; the branch's
# arrivals (when not given) leave it that much at its typical peak, with some headroom.
TARGET_LEVEL = 0.8
PEAK_LEVEL = 0.9
# The hour a typical week is busiest: lunch on a Monday (paydays come on top: a stress day).
PEAK = (12.5, dt.date(2026, 3, 9))


@dataclass(frozen=True)
class _Pool:
    """Services that share counters, and those counters (staffed together)."""

    services: tuple[int, ...]  # indexes into the branch's service list
    counters: tuple[int, ...]  # counter ids, in the order they open


def pools(services: list[Service], counters: list[Counter]) -> list[_Pool]:
    """Group services that share a counter (connected by the counters' service lists)."""
    index = {svc.code: i for i, svc in enumerate(services)}
    group = list(range(len(services)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for c in counters:
        served = [index[code] for code in c.services if code in index]
        for other in served[1:]:
            group[root(other)] = root(served[0])
    out: dict[int, tuple[list[int], list[int]]] = {}
    for i in range(len(services)):
        out.setdefault(root(i), ([], []))[0].append(i)
    for c in counters:
        served = [index[code] for code in c.services if code in index]
        if served:
            out[root(served[0])][1].append(row_id(c))
    return [_Pool(tuple(svcs), tuple(cids)) for svcs, cids in out.values() if cids]


Scales = dict[int, float]  # service index -> arrival rate multiplier


def needed(
    services: list[Service],
    indexes: tuple[int, ...],
    *,
    hour: float,
    day: dt.date,
    scales: Scales,
    level: float = TARGET_LEVEL,
) -> int:
    """Counters the services at ``indexes`` need together in ``hour`` (Erlang C over their
    pooled arrivals and service times)."""
    rates = [_rate(hour, day, BASE_RATE.get(i, 4.0), scales[i]) for i in indexes]
    rate = sum(rates)
    if rate <= 0:
        return 0
    aht = sum(r * mean_service_s(services[i]) for r, i in zip(rates, indexes, strict=True))
    target = min(services[i].standard_wait_s for i in indexes)
    return counters_needed(rate, aht_s=aht / rate, target_s=target, target_level=level).counters


def _largest(fits: Callable[[float], bool], hi: float) -> float:
    """The largest scale up to ``hi`` that ``fits`` (bisection)."""
    if fits(hi):
        return hi
    lo = 0.02
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return lo


def fitting_scales(services: list[Service], counters: list[Counter]) -> Scales:
    """The arrival scales at which the branch's counters meet the standard at a typical peak:
    the demo shows a branch that copes, with a lunch peak it only just covers. One scale for
    all, then lower for a service few counters serve (a single loans desk)."""
    plan = pools(services, counters)
    hour, day = PEAK

    def pooled(scale: float) -> bool:
        scales = dict.fromkeys(range(len(services)), scale)
        return all(
            needed(services, p.services, hour=hour, day=day, scales=scales, level=PEAK_LEVEL)
            <= len(p.counters)
            for p in plan
        )

    common = _largest(pooled, 1.0)
    scales = dict.fromkeys(range(len(services)), common)
    for i, svc in enumerate(services):
        serving = sum(1 for c in counters if svc.code in c.services)

        def alone(scale: float, i: int = i, serving: int = serving) -> bool:
            mine = {**scales, i: scale}
            n = needed(services, (i,), hour=hour, day=day, scales=mine, level=PEAK_LEVEL)
            return n <= serving

        scales[i] = _largest(alone, common)
    return scales


def staffing(
    services: list[Service], counters: list[Counter], *, day: dt.date, scales: Scales
) -> dict[int, set[int]]:
    """Local opening hour -> the counters open in it (at least one per pool, at most all)."""
    plan = pools(services, counters)
    out: dict[int, set[int]] = {h: set() for h in range(OPEN_H, CLOSE_H)}
    for p in plan:
        before = 0
        for h in range(OPEN_H, CLOSE_H):
            n = needed(services, p.services, hour=h + 0.5, day=day, scales=scales)
            # Counters stay open an hour after a peak: the queue it left is still there.
            staffed = max(1, min(max(n, before), len(p.counters)))
            out[h].update(p.counters[:staffed])
            before = n
    return out


def simulate_day(
    rng: random.Random,
    day: dt.date,
    *,
    tz: str,
    services: list[Service],
    counters: list[Counter],
    tellers: dict[int, int | None],
    scales: Scales,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Tickets (as row dicts) and events of one business day."""
    z = zone(tz)
    opening = dt.datetime.combine(day, dt.time(OPEN_H), tzinfo=z).astimezone(dt.UTC)
    events: list[dict[str, Any]] = []
    tickets: list[dict[str, Any]] = []
    heap: list[_Ready] = []
    number: dict[str, int] = {}
    for i, svc in enumerate(services):
        base = BASE_RATE.get(i, 4.0)
        t = 0.0
        while True:
            peak = _rate(12.5, day, base, scales[i])
            t += rng.expovariate(peak / 3600)
            if t > (CLOSE_H - OPEN_H) * 3600:
                break
            if rng.random() > _rate(OPEN_H + t / 3600, day, base, scales[i]) / peak:
                continue  # thinning: the rate of this hour
            number[svc.code] = number.get(svc.code, 0) + 1
            at = opening + dt.timedelta(seconds=round(t, 3))
            tk: dict[str, Any] = {
                "business_date": day,
                "prefix": svc.code,
                "number": number[svc.code],
                "code": format_code(svc.code, number[svc.code]),
                "service_code": svc.code,
                "original_service_code": svc.code,
                "lang": rng.choice(["tr", "tr", "tr", "en"]),
                "priority": rng.random() < 0.05,
                "status": "waiting",
                "token": f"sim{rng.getrandbits(120):030x}",
                "issued_at": at,
                "queued_at": at,
                "quoted_wait_s": 0,
                "first_called_at": None,
                "called_at": None,
                "recalled_at": None,
                "serving_at": None,
                "finished_at": None,
                "counter_id": None,
                "teller_id": None,
                "recall_count": 0,
                "transfer_count": 0,
                "feedback_score": None,
                "call_rule": "fifo",
                "print_status": "none",
                "_mean": mean_service_s(svc),
                "_standard": svc.standard_wait_s,
                # Most customers pick their service in well under the 60 s kiosk standard.
                "_touch": min(90, round(rng.lognormvariate(math.log(22), 0.5))),
            }
            tickets.append(tk)
            events.append(_ev("ticket.issued", at, tk))
            heapq.heappush(heap, _Ready(at, len(tickets), tk))
    free = {row_id(c): opening for c in counters}
    rota = staffing(services, counters, day=day, scales=scales)
    events.extend(_rota_events(counters, rota, day=day, z=z, tellers=tellers))
    seq = len(tickets)
    while heap:
        r = heapq.heappop(heap)
        tk = r.t
        able = [c for c in counters if tk["service_code"] in c.services] or counters
        # The counters staffed in the hour the customer is ready (a counter also finishes the
        # queue it has when its hour ends).
        staffed = rota.get(r.at.astimezone(z).hour, set())
        able = [c for c in able if row_id(c) in staffed] or able
        c = min(able, key=lambda x: free[row_id(x)])
        cid = row_id(c)
        call = max(r.at, free[cid])
        tk.update(status="called", counter_id=cid, teller_id=tellers.get(cid), called_at=call)
        tk["first_called_at"] = tk["first_called_at"] or call
        events.append(_ev("ticket.called", call, tk, counter_id=c.id))
        now = call
        if rng.random() < 0.08:
            now += dt.timedelta(seconds=rng.randint(20, 60))
            tk["recall_count"] += 1
            tk["recalled_at"] = now
            events.append(_ev("ticket.recalled", now, tk, counter_id=c.id))
        if rng.random() < 0.04:
            now += dt.timedelta(seconds=rng.randint(30, 90))
            tk.update(status="no_show", finished_at=now)
            events.append(_ev("ticket.no_show", now, tk, counter_id=c.id))
        else:
            now += dt.timedelta(seconds=rng.randint(8, 70))
            tk.update(status="serving", serving_at=now)
            events.append(_ev("ticket.serving", now, tk, counter_id=c.id))
            sigma = 0.4
            mu = math.log(tk["_mean"]) - sigma**2 / 2
            now += dt.timedelta(seconds=round(rng.lognormvariate(mu, sigma), 1))
            others = [s.code for s in services if s.code != tk["service_code"]]
            if others and tk["transfer_count"] == 0 and rng.random() < 0.03:
                target = rng.choice(others)
                tk.update(
                    status="transferred",
                    service_code=target,
                    queued_at=now,
                    counter_id=None,
                    serving_at=None,
                    called_at=None,
                    recalled_at=None,
                )
                tk["transfer_count"] += 1
                events.append(
                    _ev("ticket.transferred", now, tk, counter_id=c.id, data={"to_service": target})
                )
                seq += 1
                heapq.heappush(heap, _Ready(now, seq, tk))
            else:
                tk.update(status="done", finished_at=now)
                events.append(_ev("ticket.finished", now, tk, counter_id=c.id))
        free[cid] = now
    _quotes_and_feedback(rng, tickets, events, counters)
    return tickets, events


def _rota_events(
    counters: list[Counter],
    rota: dict[int, set[int]],
    *,
    day: dt.date,
    z: Any,
    tellers: dict[int, int | None],
) -> list[dict[str, Any]]:
    """A counter opens when its first staffed hour starts and closes when its staffed hours
    end; a gap between them is a break (paused)."""
    out = []
    for c in counters:
        cid = row_id(c)
        state = "closed"
        for h in range(OPEN_H, CLOSE_H + 1):
            on = cid in rota.get(h, set())
            at = dt.datetime.combine(day, dt.time(h), tzinfo=z).astimezone(dt.UTC)
            later = any(cid in rota.get(k, set()) for k in range(h + 1, CLOSE_H))
            if on and state != "open":
                out.append(_counter_ev(c, at, "open", tellers.get(cid)))
                state = "open"
            elif not on and state == "open":
                off = "paused" if later else "closed"
                out.append(
                    _counter_ev(
                        c,
                        at,
                        off,
                        tellers.get(cid) if off == "paused" else None,
                        reason="break" if off == "paused" else None,
                    )
                )
                state = off
    return out


def _counter_ev(
    c: Counter, at: dt.datetime, state: str, teller: int | None, reason: str | None = None
) -> dict[str, Any]:
    data = {
        "counter": {
            "id": c.id,
            "label": c.label,
            "state": state,
            "services": list(c.services),
            "pause_reason": reason,
            "teller_id": teller,
            "current_ticket": None,
        }
    }
    return {"type": "counter.changed", "at": at, "data": data, "_t": None, "counter_id": c.id}


def _quotes_and_feedback(
    rng: random.Random,
    tickets: list[dict[str, Any]],
    events: list[dict[str, Any]],
    counters: list[Counter],
) -> None:
    by_service: dict[str, list[dict[str, Any]]] = {}
    for tk in tickets:
        by_service.setdefault(tk["original_service_code"], []).append(tk)
    for code, group in by_service.items():
        n_counters = max(1, sum(1 for c in counters if code in c.services))
        for i, tk in enumerate(group):
            ahead = sum(
                1
                for o in group[max(0, i - 200) : i]
                if o["first_called_at"] is None or o["first_called_at"] > tk["issued_at"]
            )
            tk["quoted_wait_s"] = int(math.ceil(ahead / n_counters) * tk["_mean"]) if ahead else 0
    for tk in tickets:
        if tk["status"] != "done" or rng.random() > 0.3:
            continue
        wait = (tk["first_called_at"] - tk["issued_at"]).total_seconds()
        # Pleased within the wait standard, displeased past it.
        score = round(5 - 1.5 * wait / tk["_standard"] + rng.gauss(0, 0.6))
        tk["feedback_score"] = max(1, min(5, score))
        at = tk["finished_at"] + dt.timedelta(minutes=rng.randint(1, 30))
        events.append(_ev("ticket.feedback", at, tk, data={"score": tk["feedback_score"]}))
        if wait > tk["_standard"] and rng.random() < 0.5:
            events.append(
                _ev(
                    "ticket.recovery",
                    tk["finished_at"],
                    tk,
                    data={"action": rng.choice(["apologized", "explained_delay"])},
                )
            )


def simulate(
    db: Database,
    *,
    branch_code: str,
    days: int,
    seed: int = 1,
    busy: float | None = None,
    end: dt.date | None = None,
) -> dict[str, int]:
    """Write ``days`` weekdays of history ending the day before ``end`` (default: today).

    ``busy`` scales every service's arrivals; None: the scales at which the branch's
    counters, staffed hour by hour with Erlang C, just cover a typical lunch peak
    (``fitting_scales``)."""
    rng = random.Random(seed)
    with db.unit_of_work() as s:
        branch = s.execute(select(Branch).where(col(Branch.code) == branch_code)).scalars().first()
        if branch is None:
            raise ValueError(f"there is no branch '{branch_code}'")
        services = list(
            s.execute(
                select(Service)
                .where(col(Service.branch_id) == branch.id)
                .order_by(col(Service.sort_order), col(Service.code))
            ).scalars()
        )
        counters = list(
            s.execute(
                select(Counter).where(col(Counter.branch_id) == branch.id).order_by(col(Counter.id))
            ).scalars()
        )
        staff = list(
            s.execute(
                select(col(User.id))
                .where(col(User.branch_id) == branch.id, col(User.role) == "teller")
                .order_by(col(User.id))
            ).scalars()
        )
        s.expunge_all()
    tellers = {row_id(c): (staff[i] if i < len(staff) else None) for i, c in enumerate(counters)}
    scales = (
        fitting_scales(services, counters)
        if busy is None
        else dict.fromkeys(range(len(services)), busy)
    )
    end = end or dt.datetime.now(zone(branch.timezone)).date()
    day = end - dt.timedelta(days=days)
    totals = {"days": 0, "tickets": 0, "events": 0}
    written: set[dt.date] = set()
    while day < end:
        if day.weekday() < 5:
            tickets, events = simulate_day(
                rng,
                day,
                tz=branch.timezone,
                services=services,
                counters=counters,
                tellers=tellers,
                scales=scales,
            )
            _write(db, row_id(branch), tickets, events)
            written.add(day)
            totals["days"] += 1
            totals["tickets"] += len(tickets)
            totals["events"] += len(events)
        day += dt.timedelta(days=1)
    if db.engine.dialect.name == "postgresql":
        # Planner statistics for the bulk-loaded rows: with none, PostgreSQL guesses one
        # ticket per branch and joins the summary's queries in a quadratic order.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE ticket, event, ticket_touch"))
    # Summarise the generated (closed) days for the reports, as the day close would.
    with db.unit_of_work() as s:
        fresh = s.get(Branch, branch.id)
        assert fresh is not None
        refresh(s, fresh, now=dt.datetime.now(dt.UTC), rebuild=frozenset(written))
    return totals


def _write(
    db: Database, branch_id: int, tickets: list[dict[str, Any]], events: list[dict[str, Any]]
) -> None:
    if not tickets:
        return
    with db.engine.begin() as conn:
        dialect = conn.dialect.name
        day = tickets[0]["business_date"]
        seqs = {
            r.service_code: r.last_number
            for r in conn.execute(
                select(TicketSequence).where(
                    col(TicketSequence.branch_id) == branch_id,
                    col(TicketSequence.business_date) == day,
                )
            )
        }
        rows = []
        last: dict[str, int] = {}
        for tk in tickets:
            n = tk["number"] + seqs.get(tk["prefix"], 0)
            last[tk["prefix"]] = max(last.get(tk["prefix"], 0), n)
            rows.append(
                {k: v for k, v in tk.items() if not k.startswith("_")}
                | {"branch_id": branch_id, "number": n, "code": format_code(tk["prefix"], n)}
            )
        ids = (
            conn.execute(insert(_T).returning(_T.c.id, sort_by_parameter_order=True), rows)
            .scalars()
            .all()
        )
        for tk, tid in zip(tickets, ids, strict=True):
            tk["id"] = tid
        conn.execute(
            insert(table_of(TicketTouch)),
            [{"ticket_id": tk["id"], "touch_s": tk["_touch"]} for tk in tickets],
        )
        ins = pg_insert if dialect == "postgresql" else sqlite_insert
        seq_table = table_of(TicketSequence)
        stmt = ins(seq_table)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["branch_id", "service_code", "business_date"],
                set_={"last_number": stmt.excluded.last_number},
            ),
            [
                {"branch_id": branch_id, "service_code": p, "business_date": day, "last_number": n}
                for p, n in last.items()
            ],
        )
        events.sort(key=lambda e: e["at"])
        # Below every seq the branch has: live seqs start at 1, earlier history is lower.
        lowest = conn.execute(
            select(func.min(_E.c.seq)).where(_E.c.branch_id == branch_id)
        ).scalar()
        first = min(lowest or 0, 0) - len(events)
        out = []
        for i, e in enumerate(events):
            t = e["_t"]
            data = e["data"]
            if t is not None:
                data["ticket"]["id"] = t["id"]
            out.append(
                {
                    "branch_id": branch_id,
                    "seq": first + i,
                    "type": e["type"],
                    "at": e["at"],
                    "ticket_id": t["id"] if t is not None else None,
                    "counter_id": e.get("counter_id"),
                    "user_id": None,
                    "device_id": None,
                    "data": data,
                }
            )
        for k in range(0, len(out), 5000):
            conn.execute(insert(_E), out[k : k + 5000])
