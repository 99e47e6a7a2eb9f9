"""One simulated business day, played event by event through the real queue rules.

Customers arrive (a Poisson process per service, its rate by the hour); a free counter calls
what ``ordering.choose_next`` picks from the heads of its queues (``forecast.WaitingQueues``,
what ``counters/calling.py`` passes it); each quote at issue and on the phone comes from
``tickets.forecasting.estimate`` over a state made by ``live_state.build_state``, the same
function the live server makes its state with. Calls, recalls, no-shows, transfers and counters
opening, pausing and closing are recorded as the live system records them: the ticket rows, the
branch's events and the quotes customers were told (``ticket_quote``).

What the estimator is given is what a live branch would know: not the rota (when an open
counter will close; a paused one is expected back after the branch's typical pause, as live)
nor the visit lengths still to come.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from heapq import heappop, heappush
from typing import Any

from server.domain.calendar import format_code
from server.domain.estimates import formula_quote
from server.domain.forecast import CounterNow, Forecast, InService, NewTicket, Shape, WaitingQueues
from server.domain.lifecycle import CounterState
from server.domain.ordering import Candidate, choose_next, next_streak
from server.domain.pauses import Pause, expected_back
from server.security import new_customer_token
from server.simulation.plan import DayPlan, History, Seeds
from server.tickets import forecasting, quotes
from server.tickets.live_state import ARRIVAL_WINDOW, LiveState, Unquotable, build_state
from server.tickets.stats import RECENT_SAMPLES

LANGS = ("tr", "tr", "tr", "en", "el", "pl")
_WINDOW_S = ARRIVAL_WINDOW.total_seconds()
_CLOSED, _OPEN = CounterState.CLOSED, CounterState.OPEN
BREAK = "break"  # a rota's gap: the reason a teller gives
# Phones stop asking this long after closing time (and anyone still waiting then has left).
_LAST_POLL_S = 3 * 3600.0


@dataclass(slots=True)
class _Desk:
    id: int
    label: str
    services: tuple[str, ...]
    speed: float
    teller_id: int | None
    state: CounterState = CounterState.CLOSED
    streak: int = 0
    busy: bool = False
    current: dict[str, Any] | None = None  # the ticket at the counter
    outcome: str = ""  # how the current visit ends: done, no_show, transferred
    since: float = 0.0  # when it took its state
    pending: CounterState | None = None  # the state to take once the visit ends


@dataclass(slots=True)
class Issue:
    """What the estimator was asked at an issue, for a benchmark to ask other predictors."""

    t: float
    state: LiveState
    service_code: str
    priority: bool
    ticket: dict[str, Any]
    day: DaySim


Observer = Callable[[Issue], dict[str, float]]


@dataclass
class DayResult:
    """What a day wrote; ``history`` is what the next day's estimator starts from."""

    tickets: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)  # ``ticket_quote`` rows (+ "_t")
    # How long each call kept its counter, by service, in order (stats.recent_service_times).
    samples: dict[str, list[float]] = field(default_factory=dict)
    pauses: list[Pause] = field(default_factory=list)  # the day's, as they ended
    hourly: dict[str, dict[int, list[float]]] = field(default_factory=dict)  # by call hour
    history: History = field(default_factory=History)


class DaySim:
    """Plays one ``DayPlan``; ``run()`` returns what it wrote."""

    def __init__(
        self,
        plan: DayPlan,
        seeds: Seeds,
        *,
        quoting: bool = True,
        observer: Observer | None = None,
    ) -> None:
        self.plan, self.quoting, self.observer = plan, quoting, observer
        self.arrivals_rng = seeds.rng("arrivals", plan.day)
        self.service_rng = seeds.rng("service", plan.day)
        self.people_rng = seeds.rng("people", plan.day)
        self.start = plan.start()
        self.standard = {s.code: s for s in plan.services}
        self.desks = [_Desk(c.id, c.label, c.services, c.speed, c.teller_id) for c in plan.counters]
        self.queues = WaitingQueues(self.start)
        self.waiting: dict[int, Candidate] = {}
        self.samples: dict[str, deque[float]] = {
            s.code: deque(plan.history.recent.get(s.code, ()), maxlen=RECENT_SAMPLES)
            for s in plan.services
        }
        self.recent_issued: deque[tuple[float, str, bool]] = deque()
        self.recent_moves: deque[tuple[float, str, float]] = deque()
        # Per service, the last ticket called: (issued at, called at), seconds.
        self.last_called: dict[str, tuple[float, float]] = {}
        self.heap: list[tuple[float, int, str, Any]] = []
        self.n = 0
        self.number: dict[str, int] = defaultdict(int)
        self.out = DayResult(samples={s.code: [] for s in plan.services})
        self.closed_for_the_day = False
        self.pauses: list[Pause] = list(plan.history.pauses)
        self.hourly: dict[str, dict[int, list[float]]] = {
            code: {h: list(v) for h, v in hours.items()}
            for code, hours in plan.history.hourly.items()
        }

    def _log(self, kind: str, at: dt.datetime, tk: dict[str, Any], **kw: Any) -> None:
        self.out.events.append(ticket_event(kind, at, tk, **kw))

    # --- the clock ---------------------------------------------------------------------------

    def at(self, t: float) -> dt.datetime:
        return (self.start + dt.timedelta(seconds=t)).astimezone(dt.UTC)

    def push(self, t: float, kind: str, what: Any = None) -> None:
        self.n += 1
        heappush(self.heap, (t, self.n, kind, what))

    def run(self) -> DayResult:
        plan = self.plan
        for h in range(plan.open_h, plan.close_h + 1):
            self.push((h - plan.open_h) * 3600.0, "rota", h)
        for svc in plan.services:
            for t, prio in self._arrivals(svc.code):
                self.push(t, "arrive", (svc.code, prio))
        t = 0.0
        while self.heap:
            t, _, kind, what = heappop(self.heap)
            if kind == "arrive":
                self._arrive(t, *what)
            elif kind == "free":
                self._visit_ends(t, what)
            elif kind == "rota":
                self._rota(t, what)
            elif kind == "poll":
                self._poll(t, what)
        for c in list(self.waiting.values()):  # nobody could serve them: they left
            tk = self.out.tickets[c.id - 1]
            tk.update(status="cancelled", finished_at=self.at(t))
            self._log("ticket.cancelled", self.at(t), tk)
        out = self.out
        out.history = plan.history.then(out.samples, out.pauses, out.hourly)
        return out

    def _arrivals(self, code: str) -> list[tuple[float, bool]]:
        """Poisson arrivals at the service's rate hour by hour (thinning), with who is a
        priority customer: both from the arrivals stream only."""
        rng, plan = self.arrivals_rng, self.plan
        peak = plan.peak_rates[code]
        out: list[tuple[float, bool]] = []
        if peak <= 0:
            return out
        t = 0.0
        while True:
            t += rng.expovariate(peak / 3600)
            if t >= plan.length_s():
                return out
            accept = rng.random() < plan.rates[code](plan.open_h + t / 3600) / peak
            prio = rng.random() < plan.behaviour.priority
            if accept:
                out.append((t, prio))

    # --- customers ---------------------------------------------------------------------------

    def _arrive(self, t: float, code: str, priority: bool) -> None:
        self.number[code] += 1
        number = self.number[code]
        at = self.at(t)
        people = self.people_rng
        tk: dict[str, Any] = {
            "_id": len(self.out.tickets) + 1,
            "_t": t,
            "business_date": self.plan.day,
            "prefix": code,
            "number": number,
            "code": format_code(code, number),
            "service_code": code,
            "original_service_code": code,
            "lang": people.choice(LANGS),
            "priority": priority,
            "status": "waiting",
            # Random, as live (not from the seed: a token is the customer's key to the
            # phone page, and the same seed run again must not draw the same ones).
            "token": new_customer_token(),
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
            "call_rule": None,
            "print_status": "none",
            "_standard": self.standard[code].standard_wait_s,
            # Most customers pick their service in well under the 60 s kiosk standard.
            "_touch": min(90, round(people.lognormvariate(math.log(22), 0.5))),
            "_follows": people.random() < self.plan.behaviour.followers,
        }
        self.out.tickets.append(tk)
        data: dict[str, Any] = {}
        if self.quoting:
            state = self._state(t)
            f = self._quote(state, NewTicket(code, priority=priority), code, priority)
            row = self._told(tk, t, f, quotes.ISSUE)
            tk["quoted_wait_s"] = row["wait_s"]
            data = {
                "position": row["position"],
                "estimated_wait_s": row["wait_s"],
                "estimated_wait_range_s": forecasting.wait_range_s(f),
            }
            if self.observer is not None and state is not None:
                row["_others"] = self.observer(Issue(t, state, code, priority, tk, self))
        self._log("ticket.issued", at, tk, data=data)
        self.recent_issued.append((t, code, priority))
        c = Candidate(tk["_id"], code, at, at, priority=priority)
        self.waiting[c.id] = c
        self.queues.add(c)
        if self.quoting and tk["_follows"]:
            self.push(t + self._next_look(tk), "poll", tk)
        self._wake(t)

    def _poll(self, t: float, tk: dict[str, Any]) -> None:
        """The customer looks at their phone: re-quoted, stored when the promise moved."""
        if tk["_id"] not in self.waiting or t > self.plan.length_s() + _LAST_POLL_S:
            return
        state = self._state(t)
        f = self._quote(state, tk["_id"], tk["service_code"], tk["priority"])
        if quotes.moved(tk["_told"], forecasting.wait_s(f)):
            self._told(tk, t, f, quotes.REQUOTE)
        self.push(t + self._next_look(tk), "poll", tk)

    def _next_look(self, tk: dict[str, Any]) -> float:
        """A customer told of a long wait looks at the phone less often (every quarter of it
        at most), so the hours-long queues of an overloaded day stay cheap to play."""
        return max(float(self.plan.behaviour.poll_every_s), float(tk["_told"]) / 4)

    def _told(self, tk: dict[str, Any], t: float, f: Forecast, kind: str) -> dict[str, Any]:
        row = quotes.quote_row(
            0,  # the ticket's id once written
            kind=kind,
            at=self.at(t),
            wait_s=forecasting.wait_s(f),
            wait_range=forecasting.wait_range_s(f),
            position=forecasting.position(f),
            forecast=f,
        )
        row["_t"] = tk
        tk["_told"] = row["wait_s"]  # what the customer was last told
        self.out.quotes.append(row)
        return row

    # --- the estimator, over what a live branch would know -----------------------------------

    def _state(self, t: float) -> LiveState | None:
        """What the live server would read now (None: it would not ask the engine)."""
        now = self.at(t)
        while self.recent_issued and self.recent_issued[0][0] < t - _WINDOW_S:
            self.recent_issued.popleft()
        while self.recent_moves and self.recent_moves[0][0] < t - _WINDOW_S:
            self.recent_moves.popleft()
        issued: dict[tuple[str, bool], int] = defaultdict(int)
        for _, code, prio in self.recent_issued:
            issued[(code, prio)] += 1
        into: dict[str, int] = defaultdict(int)
        for _, code, _age in self.recent_moves:
            into[code] += 1
        try:
            return self._build(now, issued, into)
        except Unquotable:
            return None

    def _build(
        self, now: dt.datetime, issued: dict[tuple[str, bool], int], into: dict[str, int]
    ) -> LiveState:
        t = (now - self.start).total_seconds()
        return build_state(
            branch_id=self.plan.branch_id,
            now=now,
            policy=self.plan.policy,
            waiting=list(self.waiting.values()),
            reserved={},
            counters=[
                self._counter_now(d, t) for d in self.desks if d.state != CounterState.CLOSED
            ],
            samples={code: list(s) for code, s in self.samples.items()},
            hourly=self.hourly,
            standards={s.code: float(s.standard_service_s) for s in self.plan.services},
            issued=issued,
            moves=[age for _, _, age in self.recent_moves],
            moved_into=into,
            tz=self.start.tzinfo,  # type: ignore[arg-type]
        )

    def _counter_now(self, d: _Desk, t: float) -> CounterNow:
        current = None
        if d.current is not None:
            current = InService(d.current["service_code"], d.current["called_at"])
        back = None
        if d.state is CounterState.PAUSED:
            back = expected_back(self.pauses, reason=BREAK, since=self.at(d.since), now=self.at(t))
        return CounterNow(d.id, d.services, d.state, d.streak, current, returns_at=back)

    def _quote(
        self, state: LiveState | None, target: int | NewTicket, code: str, prio: bool
    ) -> Forecast:
        """What the live server would quote (``forecasting._quote``'s rules): the engine, or
        the old formula when it cannot say (or is not asked: a queue past ``MAX_WAITING``)."""
        f = None
        if state is not None:
            seed = forecasting.seed_of(state.branch_id, code, prio, state.now)
            try:
                f = forecasting.estimate(state, target, seed=seed, effort=forecasting.SIMULATED)
            except Exception:  # as live: any failure quotes the old way
                f = None
        if f is not None and f.wait_s is not None and f.position is not None:
            return f
        return self.formula(code, prio, target)

    def formula(self, code: str, prio: bool, target: int | NewTicket) -> Forecast:
        """The first release's quote over the same state (the fallback, and a benchmark's
        "today's formula")."""
        if isinstance(target, NewTicket):
            ahead = sum(
                1
                for c in self.waiting.values()
                if c.service_code == code and (c.priority or not prio)
            )
        else:
            me = self.waiting[target]
            ahead = sum(
                1
                for c in self.waiting.values()
                if c.service_code == code
                and c.id != me.id
                and (
                    c.priority > me.priority
                    or (c.priority == me.priority and c.issued_at < me.issued_at)
                )
            )
        open_n = sum(1 for d in self.desks if d.state == CounterState.OPEN and code in d.services)
        quoted = float(
            formula_quote(
                ahead=ahead,
                open_counters=open_n,
                recent=list(self.samples[code]),
                standard_s=self.standard[code].standard_service_s,
            )
        )
        return Forecast(
            quoted,
            quoted,
            None,
            None,
            position=ahead,
            served_now=open_n > 0,
            runs=0,
            rough=True,
            fallback=True,
        )

    # --- counters ----------------------------------------------------------------------------

    def _wake(self, t: float) -> None:
        """Idle open counters call (one call per new ticket is enough: each idle counter had
        nothing it could call before)."""
        for d in self.desks:
            if d.state == CounterState.OPEN and not d.busy and self._call(d, t):
                return

    def _call(self, d: _Desk, t: float) -> bool:
        heads = self.queues.heads_for(d.services, d.id)
        choice = choose_next(
            heads,
            services=d.services,
            policy=self.plan.policy,
            now=self.at(t),
            normal_streak=d.streak,
        )
        if choice is None:
            if self.closed_for_the_day:
                self._set_state(d, t, CounterState.CLOSED)
            return False
        c = self.waiting.pop(choice.ticket_id)
        self.queues.gone.add(c.id)
        # Its entry was a head: drop it now, so a transfer can queue the same ticket again
        # (only an untransferred ticket is transferred, and it sits in one heap).
        self.queues.heads_for(d.services, d.id)
        d.streak = next_streak(d.streak, called_priority=choice.priority)
        tk = self.out.tickets[c.id - 1]
        self._visit(d, tk, t, choice.rule.value)
        return True

    def _visit(self, d: _Desk, tk: dict[str, Any], t: float, rule: str) -> None:
        """The call and the visit that follows, drawn now; its end frees the counter."""
        people, b = self.people_rng, self.plan.behaviour
        call = self.at(t)
        tk.update(status="called", counter_id=d.id, teller_id=d.teller_id, called_at=call)
        tk["call_rule"] = rule
        tk["first_called_at"] = tk["first_called_at"] or call
        self.last_called[tk["service_code"]] = (tk["_t"], t)
        self._log("ticket.called", call, tk, counter_id=d.id)
        d.busy, d.current = True, tk
        now = t
        if people.random() < b.recall:
            now += people.randint(20, 60)
            tk["recall_count"] += 1
            tk["recalled_at"] = self.at(now)
            self._log("ticket.recalled", self.at(now), tk, counter_id=d.id)
        if people.random() < b.no_show:
            now += people.randint(30, 90)
            d.outcome = "no_show"
        else:
            now += people.randint(*b.walk_s) if b.walk_s[1] else 0
            tk["serving_at"] = self.at(now)
            self._log("ticket.serving", self.at(now), tk, counter_id=d.id)
            now += self._duration(tk["service_code"], d.speed)
            moved = (
                tk["transfer_count"] == 0 and people.random() < b.transfer and self._elsewhere(tk)
            )
            d.outcome = "transferred" if moved else "done"
        self.push(now, "free", d)

    def _elsewhere(self, tk: dict[str, Any]) -> list[str]:
        """The services a teller could send this customer on to: those an open counter
        serves (at the end of the day, only those still open)."""
        here = tk["service_code"]
        return sorted(
            {code for d in self.desks if d.state is _OPEN for code in d.services} - {here}
        )

    def _duration(self, code: str, speed: float) -> float:
        svc, rng = self.standard[code], self.service_rng
        mean = svc.mean_service_s * speed
        if self.plan.shape is Shape.EXPONENTIAL:
            return rng.expovariate(1.0 / mean)
        sigma = math.sqrt(math.log1p(svc.cv * svc.cv))
        return round(rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma), 1)

    def _visit_ends(self, t: float, d: _Desk) -> None:
        tk, at = d.current, self.at(t)
        assert tk is not None
        # How long the call kept the counter (what the live system measures: stats).
        kept = (at - tk["called_at"]).total_seconds()
        if d.outcome == "no_show":
            tk.update(status="no_show", finished_at=at)
            self._sample(tk["service_code"], kept, tk["called_at"])
            self._log("ticket.no_show", at, tk, counter_id=d.id)
        elif d.outcome == "transferred":
            others = self._elsewhere(tk)
            if not others:  # nobody serves another service any more: finished here
                d.outcome = "done"
                return self._visit_ends(t, d)
            target = self.people_rng.choice(others)
            tk.update(
                status="transferred",
                service_code=target,
                queued_at=at,
                counter_id=None,
                serving_at=None,
                called_at=None,
                recalled_at=None,
            )
            tk["transfer_count"] += 1
            self._log("ticket.transferred", at, tk, counter_id=d.id, data={"to_service": target})
            c = Candidate(tk["_id"], target, tk["issued_at"], at, tk["priority"], transferred=True)
            self.waiting[c.id] = c
            self.queues.gone.discard(c.id)
            self.queues.add(c)
            self.recent_moves.append((t, target, t - tk["_t"]))
        else:
            tk.update(status="done", finished_at=at)
            self._log("ticket.finished", at, tk, counter_id=d.id)
            self._sample(tk["service_code"], kept, tk["called_at"])
        ended = d.outcome
        d.busy, d.current = False, None
        if d.pending is not None:
            self._set_state(d, t, d.pending)
            d.pending = None
        if d.state == CounterState.OPEN:
            self._call(d, t)
        if ended == "transferred":
            self._wake(t)

    def _sample(self, code: str, kept_s: float, called: dt.datetime) -> None:
        self.samples[code].append(kept_s)
        self.out.samples[code].append(kept_s)
        hour = called.astimezone(self.plan.tz).hour
        self.hourly.setdefault(code, {}).setdefault(hour, []).append(kept_s)
        self.out.hourly.setdefault(code, {}).setdefault(hour, []).append(kept_s)

    def _rota(self, t: float, hour: int) -> None:
        """The counters staffed this hour open; one staffed again later pauses (a break),
        the others close. At closing time nobody new comes: the open counters finish the
        queue, then close."""
        plan = self.plan
        if hour >= plan.close_h:
            self.closed_for_the_day = True
            for d in self.desks:
                if d.state == CounterState.OPEN and not d.busy:
                    self._call(d, t)
                elif d.state == CounterState.PAUSED:
                    self._set_state(d, t, CounterState.CLOSED)
            return
        on = plan.rota.get(hour, frozenset())
        for d in self.desks:
            later = any(d.id in plan.rota.get(h, ()) for h in range(hour + 1, plan.close_h))
            want = (
                CounterState.OPEN
                if d.id in on
                else CounterState.PAUSED
                if later and d.state != CounterState.CLOSED
                else CounterState.CLOSED
            )
            if want == d.state:
                d.pending = None
            elif d.busy:
                d.pending = want
            else:
                self._set_state(d, t, want)
                if want == CounterState.OPEN:
                    self._call(d, t)

    def _set_state(self, d: _Desk, t: float, state: CounterState) -> None:
        if state == d.state:
            return
        if d.state is CounterState.PAUSED:
            ended = Pause(BREAK, t - d.since, returned=state is CounterState.OPEN)
            self.pauses.append(ended)
            self.out.pauses.append(ended)
        d.state, d.since = state, t
        paused = state == CounterState.PAUSED
        teller = d.teller_id if state != CounterState.CLOSED else None
        self.out.events.append(
            {
                "type": "counter.changed",
                "at": self.at(t),
                "data": {
                    "counter": {
                        "id": d.id,
                        "label": d.label,
                        "state": state.value,
                        "services": list(d.services),
                        "pause_reason": BREAK if paused else None,
                        "teller_id": teller,
                        "current_ticket": None,
                    }
                },
                "_t": None,
                "counter_id": d.id,
            }
        )


def ticket_event(kind: str, at: dt.datetime, t: dict[str, Any] | None, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if t is not None:
        data["ticket"] = {"code": t["code"], "service": t["service_code"]}
    data.update(kw.pop("data", {}))
    return {"type": kind, "at": at, "data": data, "_t": t, **kw}


def run_day(
    plan: DayPlan,
    seeds: Seeds,
    *,
    quoting: bool = True,
    observer: Observer | None = None,
) -> DayResult:
    """Play one business day (see ``DaySim``)."""
    return DaySim(plan, seeds, quoting=quoting, observer=observer).run()
