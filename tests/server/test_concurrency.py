"""Numbering and call claiming under real parallel load, through a real uvicorn server.

Every request goes over TCP to ``live_server``, so handlers really run side by side in the
server's thread pool (and, on PostgreSQL, in separate database transactions).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter as Tally
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlmodel import select

from server.db import Database
from server.models import Event, Ticket
from tests.support import live_server, make_branch

SERVICES = ("A", "B", "C")
TIMEOUT = httpx.Timeout(30.0)


def _issue_many(
    base: str, branch: str, token: str, services: list[str], barrier: Any | None = None
) -> list[tuple[int, dict[str, Any]]]:
    """Issue one ticket per entry of ``services`` with one client; returns (status, body)."""
    out: list[tuple[int, dict[str, Any]]] = []
    with httpx.Client(
        base_url=base, timeout=TIMEOUT, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        if barrier is not None:
            barrier.wait(timeout=60)
        for svc in services:
            r = http.post(f"/api/v1/branches/{branch}/tickets", json={"service": svc})
            out.append((r.status_code, r.json() if r.status_code == 201 else {"error": r.text}))
    return out


def _process_worker(
    base: str, branch: str, token: str, services: list[str], barrier: Any, results: Any, index: int
) -> None:
    """Runs in a child process: its own interpreter, its own httpx client."""
    try:
        results.put((index, _issue_many(base, branch, token, services, barrier)))
    except BaseException as exc:  # report instead of dying silently
        results.put((index, [(-1, {"error": repr(exc)})]))


def _tickets(db: Database, branch_id: int) -> list[Ticket]:
    with db.read_session() as session:
        return list(session.exec(select(Ticket).where(Ticket.branch_id == branch_id)))


def _assert_numbering_exact(
    db: Database, branch_id: int, responses: list[tuple[int, dict[str, Any]]]
) -> None:
    bad = [r for r in responses if r[0] != 201]
    assert not bad, f"{len(bad)} issue requests failed, e.g. {bad[:3]}"
    bodies = [body for _, body in responses]

    # Responses: numbers unique per service and exactly 1..N.
    by_service: dict[str, list[int]] = defaultdict(list)
    for body in bodies:
        by_service[body["service"]].append(body["number"])
        assert body["code"] == f"{body['service']}{body['number']:03d}"
    for svc, numbers in by_service.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), (
            f"service {svc}: {sorted(numbers)}"
        )

    # Database: the same tickets, nothing more, nothing less, gap-free per service.
    stored = _tickets(db, branch_id)
    assert len(stored) == len(bodies)
    stored_by_id = {t.id: t for t in stored}
    for body in bodies:
        t = stored_by_id.get(body["id"])
        assert t is not None, (
            f"ticket {body['code']} (id {body['id']}) answered 201 but is not stored"
        )
        assert (t.code, t.number, t.service_code) == (body["code"], body["number"], body["service"])
    db_numbers: dict[str, list[int]] = defaultdict(list)
    for t in stored:
        db_numbers[t.prefix].append(t.number)
    for svc, numbers in db_numbers.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"service {svc} in DB"
    assert {svc: len(n) for svc, n in db_numbers.items()} == {
        svc: len(n) for svc, n in by_service.items()
    }


def test_parallel_issue_from_threads_numbers_are_unique_and_gap_free(app, make, db):
    kit = make(make_branch)
    threads, per_thread = 16, 25
    plans = [[SERVICES[(t + i) % len(SERVICES)] for i in range(per_thread)] for t in range(threads)]
    barrier = threading.Barrier(threads)
    with live_server(app) as base, ThreadPoolExecutor(threads) as pool:
        futures = [
            pool.submit(_issue_many, base, kit.code, kit.tokens["kiosk"], plan, barrier)
            for plan in plans
        ]
        responses = [r for f in futures for r in f.result(timeout=90)]
    assert len(responses) == threads * per_thread
    _assert_numbering_exact(db, kit.branch_id, responses)
    # 400 tickets spread evenly over three services.
    assert Tally(body["service"] for _, body in responses) == Tally(s for p in plans for s in p)


def test_parallel_issue_from_processes_numbers_are_unique_and_gap_free(app, make, db):
    kit = make(make_branch)
    procs_n, per_proc = 4, 40
    mp = multiprocessing.get_context("spawn")
    barrier = mp.Barrier(procs_n)
    results = mp.Queue()
    plans = [[SERVICES[(p + i) % 2] for i in range(per_proc)] for p in range(procs_n)]  # A and B
    procs = []
    with live_server(app) as base:
        try:
            for i, plan in enumerate(plans):
                proc = mp.Process(
                    target=_process_worker,
                    daemon=True,
                    args=(base, kit.code, kit.tokens["kiosk"], plan, barrier, results, i),
                )
                proc.start()
                procs.append(proc)
            collected = dict(results.get(timeout=90) for _ in procs)
            for proc in procs:
                proc.join(timeout=30)
                assert proc.exitcode == 0
        finally:
            for proc in procs:
                if proc.is_alive():
                    proc.kill()
                    proc.join(timeout=5)
    assert sorted(collected) == list(range(procs_n))
    responses = [r for i in range(procs_n) for r in collected[i]]
    assert len(responses) == procs_n * per_proc
    _assert_numbering_exact(db, kit.branch_id, responses)


def test_parallel_call_next_claims_each_ticket_exactly_once(app, make, db):
    tellers = 8
    kit = make(
        make_branch, counters={str(i): ["A"] for i in range(1, tellers + 1)}, tellers=tellers
    )
    total = 160
    with live_server(app) as base:
        issued = [
            r
            for chunk in ThreadPoolExecutor(8).map(
                lambda plan: _issue_many(base, kit.code, kit.tokens["kiosk"], plan),
                [["A"] * (total // 8)] * 8,
            )
            for r in chunk
        ]
        assert all(status == 201 for status, _ in issued)
        issued_ids = {body["id"] for _, body in issued}
        assert len(issued_ids) == total

        barrier = threading.Barrier(tellers)

        def teller(i: int) -> tuple[int, list[int], list[int]]:
            counter_id = kit.counters[str(i)]
            statuses: list[int] = []
            called: list[int] = []
            with httpx.Client(
                base_url=base, timeout=TIMEOUT, headers=kit.auth(f"teller{i}")
            ) as http:
                r = http.post(f"/api/v1/counters/{counter_id}/open")
                assert r.status_code == 200, r.text
                barrier.wait(timeout=30)
                for _ in range(total + 50):
                    r = http.post(f"/api/v1/counters/{counter_id}/call-next")
                    statuses.append(r.status_code)
                    if r.status_code == 204:
                        break
                    assert r.status_code == 200, r.text
                    body = r.json()
                    assert body["counter"] == {"id": counter_id, "label": str(i)}
                    assert body["ticket"]["status"] == "called"
                    called.append(body["ticket"]["id"])
            return counter_id, called, statuses

        with ThreadPoolExecutor(tellers) as pool:
            results = list(pool.map(teller, range(1, tellers + 1), timeout=90))

    all_called = [tid for _, called, _ in results for tid in called]
    dupes = [tid for tid, n in Tally(all_called).items() if n > 1]
    assert not dupes, f"tickets claimed by two tellers: {dupes}"
    assert set(all_called) == issued_ids, "every issued ticket is called exactly once"
    for _, called, statuses in results:
        # 200 for each call (a contended row is skipped, never waited on), then one 204 once the
        # queue is empty.
        assert statuses == [200] * len(called) + [204]
    # Parallelism really happened: more than one teller took part.
    assert sum(1 for _, called, _ in results if called) > 1

    stored = {t.id: t for t in _tickets(db, kit.branch_id)}
    counter_of = {tid: cid for cid, called, _ in results for tid in called}
    with db.read_session() as session:
        call_events = list(
            session.exec(
                select(Event).where(Event.branch_id == kit.branch_id, Event.type == "ticket.called")
            )
        )
    assert Tally(e.ticket_id for e in call_events) == Tally({tid: 1 for tid in issued_ids})
    for tid in issued_ids:
        t = stored[tid]
        assert t.counter_id == counter_of[tid]
        # Each call-next finished the ticket before it (the final 204 call finished the last).
        assert t.status == "done", (t.code, t.status)
