"""sira-agent against a running server: a kiosk PC's printer driven by the agent. Across a
forced disconnect, an agent restart and a lost acknowledgement, every ticket is printed
exactly once (the test printer on a real TCP socket counts the cut receipts)."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, select

from drivers.fakes import TestNetworkPrinter
from server.clock import FrozenClock
from server.db import Database
from server.devices.watch import check_devices
from server.models import Event, PrintJob
from tests.drivers.agent.conftest import Site, wait_until


def printer_config(printer: TestNetworkPrinter) -> dict:
    return {
        "printer": {
            "transport": "network",
            "host": printer.host,
            "port": printer.port,
            "timeout_s": 1.0,
        },
        "print_via": "agent",
    }


def codes_printed(printer: TestNetworkPrinter, codes: list[str]) -> Counter[str]:
    return Counter(c for r in printer.receipts for c in codes if c in r.text)


def jobs_done(db: Database) -> bool:
    with Session(db.engine) as session:
        return all(j.status == "printed" for j in session.exec(select(PrintJob)))


def test_no_print_is_lost_or_doubled_across_disconnects(
    site: Site, start_agent, db: Database, tmp_path: Path
) -> None:
    with TestNetworkPrinter() as printer:
        site.configure("kiosk", printer_config(printer))
        agent = start_agent()
        agent.wait_connections(1)

        first = [site.issue() for _ in range(3)]
        # The kiosk got the agent's confirmation within the wait.
        assert [t["print_status"] for t in first] == ["printed"] * 3

        # The network drops: tickets issued meanwhile wait for the agent and print once.
        agent.call(agent.agent.drop_connection)
        during = [site.issue("B") for _ in range(3)]
        agent.wait_connections(2)
        printer.wait_for_receipts(6, timeout=15)

        # The agent stops (PC off); tickets queue; a new agent process with the same journal
        # prints them once.
        agent.stop()
        offline = [site.issue("C") for _ in range(2)]
        assert {t["print_status"] for t in offline} == {"queued"}
        again = start_agent()
        again.wait_connections(1)
        printer.wait_for_receipts(8, timeout=15)

        # An acknowledgement lost on the way: the server still thinks job 1 is out.
        with db.unit_of_work() as session:
            session.execute(update(PrintJob).where(PrintJob.id == 1).values(status="sent"))
        again.call(again.agent.drop_connection)
        again.wait_connections(2)
        wait_until(lambda: jobs_done(db), what="the resent job to be acknowledged")

        with Session(db.engine) as session:
            acks = session.exec(select(Event).where(Event.type == "ticket.printed")).all()
        # Job 1 was sent again and confirmed again, from the journal, without a second print.
        assert sorted(e.data["job_id"] for e in acks) == [1, 1, 2, 3, 4, 5, 6, 7, 8]
        codes = [t["code"] for t in first + during + offline]
        assert codes_printed(printer, codes) == Counter(codes)  # each exactly once
        assert len(printer.receipts) == 8


def test_a_failed_print_is_reported_and_the_alert_follows_the_heartbeat(
    site: Site, start_agent
) -> None:
    with TestNetworkPrinter() as printer:
        device_id = site.configure("kiosk", printer_config(printer))
        agent = start_agent()
        agent.wait_connections(1)
        printer.set_state(paper="out")
        issued = site.issue()
        assert issued["print_status"] == "failed"
        assert issued["print_error"] == "paper_out"
        alert = wait_until(site.alerts, what="a printer alert")[0]
        assert alert["device_id"] == device_id
        assert "out of paper" in alert["message"]

        printer.set_state(paper="ok")  # paper loaded: the next heartbeat clears the alert
        wait_until(lambda: site.alerts() == [], what="the alert to clear")
        device = site.http.get(f"/api/v1/admin/devices/{device_id}", headers=site.admin).json()
        assert device["status"]["printer"]["state"] == "online"
        assert device["status"]["agent"]["state"] == "online"
        assert device["last_seen_at"] is not None


def test_the_device_shows_offline_when_its_agent_goes(
    site: Site, start_agent, db: Database, clock: FrozenClock
) -> None:
    agent = start_agent("agent")
    agent.wait_connections(1)
    device_id = site.device("agent")["id"]

    def agent_state() -> str:
        d = site.http.get(f"/api/v1/admin/devices/{device_id}", headers=site.admin).json()
        return d["status"].get("agent", {}).get("state", "")

    assert wait_until(lambda: agent_state() == "online", what="online")
    agent.stop()
    assert wait_until(lambda: agent_state() == "offline", what="offline")

    # Within the grace period nothing is raised; after it, the manager is alerted.
    with db.unit_of_work() as session:
        assert check_devices(session, now=clock.now() + dt.timedelta(seconds=5), grace_s=60) == 0
    assert site.alerts() == []
    with db.unit_of_work() as session:
        assert check_devices(session, now=clock.now() + dt.timedelta(seconds=61), grace_s=60) == 1
    [alert] = site.alerts()
    assert (alert["kind"], alert["device_id"]) == ("device_offline", device_id)
    assert "is offline" in alert["message"]

    start_agent("agent").wait_connections(1)  # back: the next check clears the alert
    with db.unit_of_work() as session:
        check_devices(session, now=clock.now(), grace_s=60)
    assert site.alerts() == []


def test_a_revoked_token_is_refused(site: Site, start_agent) -> None:
    device_id = site.device("kiosk")["id"]
    r = site.http.delete(f"/api/v1/admin/devices/{device_id}", headers=site.admin)
    assert r.status_code == 204
    agent = start_agent()
    time.sleep(1.5)  # several connection attempts with the short test backoff
    assert agent.agent.connections == 0
    assert not agent.agent.connected.is_set()
