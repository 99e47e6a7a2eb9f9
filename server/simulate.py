"""``sira simulate``: fill a branch's history with realistic generated days, in bulk.

Each day is played by ``server/simulation`` through the real queue rules: arrivals follow a
Poisson process per service whose rate rises at lunch, on Mondays and on paydays (1st and
15th); counters open, pause and close hour by hour as an Erlang C rota staffs them; every
call is chosen by ``ordering.choose_next`` under the branch's own rules and every quote (at
issue, and on the phones of the customers who follow their ticket) by the live estimator;
service times are log-normal per service and teller; some customers do not show up, some are
recalled or transferred; feedback falls with the wait. Rows are written with Core inserts in
batches, as the live system would have written them: tickets numbered per service per
business day (and the numbering table), the quotes customers were told, events in the
branch's log, business dates in the branch's timezone. The events are history, not live:
they take seqs below zero (below any generated before), so a live server's event sockets,
replays and screens never see them (see ``Event``), and the branch's ``last_seq`` does not
move.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from server.db import Database
from server.domain.calendar import format_code, zone
from server.domain.ordering import policy_of
from server.domain.staffing import counters_needed
from server.models import (
    Branch,
    Counter,
    Event,
    Service,
    Ticket,
    TicketQuote,
    TicketSequence,
    TicketTouch,
    User,
)
from server.models.types import row_id, table_of
from server.reports.rollup import refresh
from server.simulation.day import DayResult, run_day, ticket_event
from server.simulation.plan import CALM, DayPlan, History, Rate, Seeds, SimCounter, SimService

BASE_RATE = {0: 24.0, 1: 12.0, 2: 5.0}  # per hour, by the service's position
# Service takes this share of the service's own standard on average (log-normal around it):
# tellers who mostly keep to their standard.
SERVICE_SHARE = 0.7
SERVICE_CV = 0.4  # how much visits vary (log-normal): SimService's default


def mean_service_s(svc: Service) -> float:
    return SERVICE_SHARE * svc.standard_service_s


# What a call costs a counter beyond the service itself: the customer's walk to it and the
# odd recall (``Behaviour``'s averages): Erlang C staffs for the whole handling time.
CALL_OVERHEAD_S = sum(CALM.walk_s) / 2 + CALM.recall * 40


OPEN_H, CLOSE_H = 9, 17
_T, _E = Ticket.__table__, Event.__table__  # type: ignore[attr-defined]


def _rate(hour: float, day: dt.date, base: float, busy: float) -> float:
    f = 1.6 if 12 <= hour < 14 else (0.7 if hour < 10 else 1.0)
    if day.weekday() == 0:
        f *= 1.2
    if day.day in (1, 15):
        f *= 1.5
    return base * f * busy


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
    cover: tuple[int, ...] = ()  # counters that together serve every service of the pool


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
    serves: dict[int, set[int]] = {}
    for c in counters:
        served = [index[code] for code in c.services if code in index]
        if served:
            out[root(served[0])][1].append(row_id(c))
            serves[row_id(c)] = set(served)
    return [_with_cover(tuple(svcs), cids, serves) for svcs, cids in out.values() if cids]


def _with_cover(services: tuple[int, ...], cids: list[int], serves: dict[int, set[int]]) -> _Pool:
    """The pool and the few counters that together serve every one of its services (greedily:
    each next the one serving most of those not yet served): staffed whatever the hour, so
    no service is left without a counter (a loans desk serves loans all day)."""
    cover: list[int] = []
    left = set(services)
    while left:
        best = max(cids, key=lambda c: (len(serves[c] & left), -cids.index(c)))
        if not serves[best] & left:
            break
        cover.append(best)
        left -= serves[best]
    return _Pool(services, tuple(cids), tuple(cover))


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
    aht = sum(
        r * (mean_service_s(services[i]) + CALL_OVERHEAD_S)
        for r, i in zip(rates, indexes, strict=True)
    )
    # Erlang C assumes exponential visits (cv 1); these vary less (SERVICE_CV), and waits
    # scale with (1 + cv^2) / 2 (Allen-Cunneen): the same target is that much easier to meet.
    target = min(services[i].standard_wait_s for i in indexes) * 2 / (1 + SERVICE_CV**2)
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
    """Local opening hour -> the counters open in it: in each pool as many as Erlang C asks
    for (at most all), and always those serving all its services between them."""
    plan = pools(services, counters)
    out: dict[int, set[int]] = {h: set() for h in range(OPEN_H, CLOSE_H)}
    for p in plan:
        before = 0
        for h in range(OPEN_H, CLOSE_H):
            n = needed(services, p.services, hour=h + 0.5, day=day, scales=scales)
            # Counters stay open an hour after a peak: the queue it left is still there.
            staffed = max(1, min(max(n, before), len(p.counters)))
            out[h].update(p.counters[:staffed], p.cover)
            before = n
    return out


def plan_day(
    day: dt.date,
    *,
    branch: Branch,
    services: list[Service],
    counters: list[Counter],
    tellers: dict[int, int | None],
    speeds: dict[int, float],
    scales: Scales,
    history: History,
) -> DayPlan:
    """The demo world's day: arrivals with the lunch, Monday and payday waves, counters
    staffed hour by hour (``staffing``), the branch's own rules."""

    def rate(i: int) -> Rate:
        base = BASE_RATE.get(i, 4.0)
        return lambda hour: _rate(hour, day, base, scales[i])

    return DayPlan(
        day=day,
        tz=zone(branch.timezone),
        open_h=OPEN_H,
        close_h=CLOSE_H,
        services=tuple(
            SimService(s.code, s.standard_wait_s, s.standard_service_s, mean_service_s(s))
            for s in services
        ),
        counters=tuple(
            SimCounter(
                row_id(c),
                c.label,
                tuple(code for code in c.services if any(s.code == code for s in services)),
                tellers.get(row_id(c)),
                speeds.get(row_id(c), 1.0),
            )
            for c in counters
        ),
        policy=policy_of(branch),
        rates={s.code: rate(i) for i, s in enumerate(services)},
        # The hour a day's rate is highest: lunch (the same factor all day otherwise).
        peak_rates={
            s.code: _rate(12.5, day, BASE_RATE.get(i, 4.0), scales[i])
            for i, s in enumerate(services)
        },
        rota={
            h: frozenset(ids)
            for h, ids in staffing(services, counters, day=day, scales=scales).items()
        },
        branch_id=row_id(branch),
        history=history,
    )


def teller_speeds(counters: list[Counter], seed: int) -> dict[int, float]:
    """How fast each counter's teller works against the service's mean (log-normal, sd 15 %):
    some tellers are quicker than others, day after day."""
    rng = random.Random(f"{seed}:tellers")
    return {row_id(c): rng.lognormvariate(-0.011, 0.15) for c in counters}


def _feedback(rng: random.Random, result: DayResult) -> None:
    """Some customers rate their visit, pleased within the wait standard and displeased past
    it; some missed waits are recovered by the teller."""
    for tk in result.tickets:
        if tk["status"] != "done" or rng.random() > 0.3:
            continue
        wait = (tk["first_called_at"] - tk["issued_at"]).total_seconds()
        score = round(5 - 1.5 * wait / tk["_standard"] + rng.gauss(0, 0.6))
        tk["feedback_score"] = max(1, min(5, score))
        at = tk["finished_at"] + dt.timedelta(minutes=rng.randint(1, 30))
        result.events.append(
            ticket_event("ticket.feedback", at, tk, data={"score": tk["feedback_score"]})
        )
        if wait > tk["_standard"] and rng.random() < 0.5:
            action = rng.choice(["apologized", "explained_delay"])
            result.events.append(
                ticket_event("ticket.recovery", tk["finished_at"], tk, data={"action": action})
            )


def simulate(
    db: Database,
    *,
    branch_code: str,
    days: int,
    seed: int = 1,
    busy: float | None = None,
    end: dt.date | None = None,
    quoting: bool = True,
) -> dict[str, int]:
    """Write ``days`` weekdays of history ending the day before ``end`` (default: today).

    ``busy`` scales every service's arrivals; None: the scales at which the branch's
    counters, staffed hour by hour with Erlang C, just cover a typical lunch peak
    (``fitting_scales``). ``quoting=False`` skips the quotes (each is a forecast: a few ms):
    for bulk history whose quotes nobody reads, such as the report benchmark's years."""
    with db.unit_of_work() as s:
        branch = s.execute(select(Branch).where(col(Branch.code) == branch_code)).scalars().first()
        if branch is None:
            raise ValueError(f"there is no branch '{branch_code}'")
        services = list(
            s.execute(
                select(Service)
                .where(col(Service.branch_id) == branch.id, col(Service.active).is_(True))
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
    _check_servable(branch_code, services, counters)
    tellers = {row_id(c): (staff[i] if i < len(staff) else None) for i, c in enumerate(counters)}
    scales = (
        fitting_scales(services, counters)
        if busy is None
        else dict.fromkeys(range(len(services)), busy)
    )
    speeds = teller_speeds(counters, seed)
    seeds = Seeds(seed)
    end = end or dt.datetime.now(zone(branch.timezone)).date()
    day = end - dt.timedelta(days=days)
    totals = {"days": 0, "tickets": 0, "events": 0, "quotes": 0}
    written: set[dt.date] = set()
    history = History()
    while day < end:
        if day.weekday() < 5:
            plan = plan_day(
                day,
                branch=branch,
                services=services,
                counters=counters,
                tellers=tellers,
                speeds=speeds,
                scales=scales,
                history=history,
            )
            result = run_day(plan, seeds, quoting=quoting)
            _feedback(seeds.rng("feedback", day), result)
            history = result.history
            _write(db, row_id(branch), result)
            written.add(day)
            totals["days"] += 1
            totals["tickets"] += len(result.tickets)
            totals["events"] += len(result.events)
            totals["quotes"] += len(result.quotes)
        day += dt.timedelta(days=1)
    if db.engine.dialect.name == "postgresql":
        # Planner statistics for the bulk-loaded rows: with none, PostgreSQL guesses one
        # ticket per branch and joins the summary's queries in a quadratic order.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE ticket, event, ticket_touch, ticket_quote"))
    # Summarise the generated (closed) days for the reports, as the day close would.
    with db.unit_of_work() as s:
        fresh = s.get(Branch, branch.id)
        assert fresh is not None
        refresh(s, fresh, now=dt.datetime.now(dt.UTC), rebuild=frozenset(written))
    return totals


def _check_servable(code: str, services: list[Service], counters: list[Counter]) -> None:
    """A branch whose customers nobody could call makes no history: refused with why."""
    if not services:
        raise ValueError(f"branch '{code}' has no active service: nobody would take a ticket")
    served = {s for c in counters for s in c.services}
    unserved = [s.code for s in services if s.code not in served]
    if unserved:
        raise ValueError(
            f"no counter at branch '{code}' serves {', '.join(unserved)}: its customers would "
            "wait all day; add the service to a counter (or retire it) first"
        )


def _write(db: Database, branch_id: int, result: DayResult) -> None:
    tickets, events = result.tickets, result.events
    if not tickets:
        return
    # The write unit of the live server (on SQLite an immediate transaction, one writer at a
    # time): a kiosk issuing meanwhile waits its turn instead of failing either write.
    with db.unit_of_work() as session:
        conn = session.connection()
        dialect = conn.dialect.name
        day = tickets[0]["business_date"]
        # Reserve each service's numbers first, as a kiosk does (the sequence row, then the
        # tickets): one upsert per service adds the day's count and returns the new last
        # number. Taking the locks in the kiosk's order means a kiosk issuing meanwhile waits
        # rather than deadlocks (PostgreSQL), and neither can take the other's numbers.
        count: dict[str, int] = {}
        for tk in tickets:
            count[tk["prefix"]] = max(count.get(tk["prefix"], 0), tk["number"])
        ins = pg_insert if dialect == "postgresql" else sqlite_insert
        seq_table = table_of(TicketSequence)
        offset: dict[str, int] = {}
        for prefix in sorted(count):
            stmt = ins(seq_table).values(
                branch_id=branch_id,
                service_code=prefix,
                business_date=day,
                last_number=count[prefix],
            )
            reserve = stmt.on_conflict_do_update(
                index_elements=["branch_id", "service_code", "business_date"],
                set_={"last_number": seq_table.c.last_number + stmt.excluded.last_number},
            ).returning(seq_table.c.last_number)
            offset[prefix] = conn.execute(reserve).scalar_one() - count[prefix]
        rows = []
        for tk in tickets:
            n = tk["number"] + offset[tk["prefix"]]
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
        told = [
            {k: v for k, v in q.items() if not k.startswith("_")} | {"ticket_id": q["_t"]["id"]}
            for q in result.quotes
        ]
        for k in range(0, len(told), 5000):
            conn.execute(insert(table_of(TicketQuote)), told[k : k + 5000])
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
