"""Retention: old tickets lose personal and free text, keep every figure reports need."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlmodel import select

from server.models import AuditEntry, Event, PrintJob, StaffSession, Ticket
from server.retention import PURGED_MARK, run_purge
from tests.support import admin_token, make_branch

ROOT = Path(__file__).resolve().parents[3]
TIMING = (
    "code",
    "service_code",
    "status",
    "priority",
    "lang",
    "business_date",
    "issued_at",
    "first_called_at",
    "serving_at",
    "finished_at",
    "counter_id",
    "teller_id",
    "feedback_score",
    "recall_count",
)


def _visit(client, kit, *, comment: str, reason: str | None = None) -> dict[str, Any]:
    """Issue, call, serve, log a recovery, finish and leave feedback: every text a ticket has."""
    body: dict[str, Any] = {"service": "A", "request_id": f"req-{abs(hash(comment))}"}
    if reason:
        body.update(priority=True, priority_reason=reason)
    t = client.post(f"/api/v1/branches/{kit.code}/tickets", json=body, headers=kit.auth("kiosk"))
    assert t.status_code == 201, t.text
    counter = kit.counters["1"]
    teller = kit.auth("teller1")
    client.post(f"/api/v1/counters/{counter}/open", headers=teller)
    called = client.post(f"/api/v1/counters/{counter}/call-next", headers=teller)
    assert called.json()["ticket"]["id"] == t.json()["id"]
    tid = t.json()["id"]
    r = client.post(
        f"/api/v1/tickets/{tid}/recovery",
        json={"action": "apologized", "note": f"note {comment}"},
        headers=teller,
    )
    assert r.status_code == 201, r.text
    assert client.post(f"/api/v1/tickets/{tid}/finish", headers=teller).status_code == 200
    fb = client.post(
        f"/api/v1/tickets/by-token/{t.json()['token']}/feedback",
        json={"score": 4, "comment": comment},
    )
    assert fb.status_code == 201, fb.text
    return t.json()


def _rows(db, branch_id: int) -> tuple[dict[int, Ticket], list[Event]]:
    with db.read_session() as s:
        tickets = {t.id: t for t in s.exec(select(Ticket).where(Ticket.branch_id == branch_id))}
        events = list(s.exec(select(Event).where(Event.branch_id == branch_id)))
    return tickets, events


def test_purge_blanks_personal_text_of_old_tickets_only(client, make, db, clock) -> None:
    kit = make(make_branch)
    old = _visit(client, kit, comment="rude teller, call me on 555-0101", reason="pregnant")
    with db.unit_of_work() as s:
        s.add(
            PrintJob(
                branch_id=kit.branch_id,
                device_id=1,
                ticket_id=old["id"],
                content={"url": "secret"},
                created_at=clock.now(),
            )
        )
    clock.advance(days=40)
    new = _visit(client, kit, comment="recent comment", reason="elderly")
    before, events_before = _rows(db, kit.branch_id)
    seqs_before = sorted(e.seq for e in events_before)

    dry = run_purge(db, days=30, now=clock.now(), dry_run=True)
    assert dry.tickets == 1
    result = run_purge(db, days=30, now=clock.now())
    assert result.tickets == 1
    assert result.print_jobs == 1
    assert result.events >= 3  # feedback comment, recovery note, priority reason in events

    after, events_after = _rows(db, kit.branch_id)
    gone = after[old["id"]]
    assert gone.feedback_comment is None
    assert gone.priority_reason is None
    assert gone.request_id is None
    assert gone.token.startswith(PURGED_MARK)
    assert gone.token != old["token"]
    # Every figure a report uses is unchanged, for old and new tickets alike.
    for tid, t in after.items():
        assert {k: getattr(t, k) for k in TIMING} == {k: getattr(before[tid], k) for k in TIMING}
    assert gone.priority is True
    assert gone.feedback_score == 4
    kept = after[new["id"]]
    assert (kept.feedback_comment, kept.priority_reason) == ("recent comment", "elderly")
    assert kept.token == new["token"]

    # The log keeps every row and seq; only the old ticket's text is gone.
    assert sorted(e.seq for e in events_after) == seqs_before
    text = repr([e.data for e in events_after if e.ticket_id == old["id"]])
    assert "555-0101" not in text
    assert "note rude" not in text
    assert "pregnant" not in text
    recent = repr([e.data for e in events_after if e.ticket_id == new["id"]])
    assert "recent comment" in recent
    assert "elderly" in recent
    with db.read_session() as s:
        assert s.exec(select(PrintJob)).all() == []

    # The customer's link is dead; the new one still answers.
    assert client.get(f"/api/v1/tickets/by-token/{old['token']}").status_code == 404
    assert client.get(f"/api/v1/tickets/by-token/{new['token']}").status_code == 200
    # Running again finds nothing more.
    assert run_purge(db, days=30, now=clock.now()).tickets == 0


def test_purge_keeps_waiting_tickets_and_drops_expired_sessions(client, make, db, clock) -> None:
    kit = make(make_branch)
    t = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        json={"service": "B", "priority": True, "priority_reason": "disabled"},
        headers=kit.auth("kiosk"),
    ).json()
    with db.read_session() as s:
        sessions = len(s.exec(select(StaffSession)).all())
    clock.advance(days=400)  # every test session (one year) has expired
    result = run_purge(db, days=30, now=clock.now())
    assert result.tickets == 0  # still waiting (day close cancels it first)
    assert result.sessions == sessions
    with db.read_session() as s:
        assert s.get(Ticket, t["id"]).priority_reason == "disabled"


def test_sira_purge_command(settings, make, client, clock) -> None:
    kit = make(make_branch)
    _visit(client, kit, comment="cli comment")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIRA_")}
    env.update(SIRA_DATABASE_URL=settings.sqlalchemy_url, SIRA_DATA_DIR=str(settings.data_dir))
    sira = [str(Path(sys.executable).parent / "sira")]
    no_days = subprocess.run([*sira, "purge"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert no_days.returncode == 2
    assert "SIRA_RETENTION_DAYS" in no_days.stderr
    # The frozen test clock is in the past: with one day kept, that day is already due.
    env["SIRA_RETENTION_DAYS"] = "1"
    dry = subprocess.run(
        [*sira, "purge", "--dry-run"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert dry.returncode == 0, dry.stderr
    assert "1 ticket(s)" in dry.stdout
    done = subprocess.run([*sira, "purge"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "purged 1 ticket(s)" in done.stdout


def test_purge_keeps_the_audit_trail_unless_told(client, make, db, clock) -> None:
    kit = make(make_branch)
    admin = {"Authorization": f"Bearer {make(admin_token)}"}
    r = client.patch(
        f"/api/v1/admin/branches/{kit.code}", json={"message": "old change"}, headers=admin
    )
    assert r.status_code == 200
    with db.read_session() as s:
        before = len(s.exec(select(AuditEntry)).all())
    assert before > 0
    clock.advance(days=400)
    result = run_purge(db, days=30, now=clock.now())
    assert result.audit_entries == 0
    with db.read_session() as s:
        assert len(s.exec(select(AuditEntry)).all()) == before
    # Told: entries older than a year go, newer ones stay.
    admin = {"Authorization": f"Bearer {make(admin_token, now=clock.now())}"}
    r = client.patch(
        f"/api/v1/admin/branches/{kit.code}", json={"message": "new change"}, headers=admin
    )
    assert r.status_code == 200
    told = run_purge(db, days=30, now=clock.now(), audit_days=365)
    assert told.audit_entries >= 1
    with db.read_session() as s:
        left = s.exec(select(AuditEntry)).all()
    assert left
    assert all(e.at >= clock.now() - dt.timedelta(days=365) for e in left)
