"""A large-print ticket on a kiosk PC's printer driven by sira-agent: the job waits in the
database while the agent is down and, when an agent starts, prints in large type (the option
travels in the stored job, not in anything the agent or the server keeps in memory)."""

from __future__ import annotations

from sqlmodel import Session, select

from drivers.fakes import TestNetworkPrinter
from server.db import Database
from server.models import PrintJob
from tests.drivers.agent.conftest import Site, wait_until
from tests.drivers.agent.test_agent_printing import jobs_done, printer_config
from tests.drivers.escpos.test_large_print import SIZE_2X2, size_command


def issue(site: Site, **body: object) -> dict[str, object]:
    r = site.http.post(
        f"/api/v1/branches/{site.kit.code}/tickets",
        json={"service": "A", "lang": "tr", **body},
        headers=site.kit.auth("kiosk"),
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_a_queued_large_print_job_prints_large_when_an_agent_starts(
    site: Site, start_agent, db: Database
) -> None:
    with TestNetworkPrinter() as printer:
        site.configure("kiosk", printer_config(printer))
        large = issue(site, large_print=True)  # no agent yet: queued
        plain = issue(site)
        assert large["print_status"] == plain["print_status"] == "queued"
        with Session(db.engine) as session:
            stored = {j.ticket_id: j.content["large_print"] for j in session.exec(select(PrintJob))}
        assert stored == {large["id"]: True, plain["id"]: False}

        agent = start_agent()
        agent.wait_connections(1)
        first, second = printer.wait_for_receipts(2, timeout=15)
        wait_until(lambda: jobs_done(db), what="both jobs to be acknowledged")
        assert SIZE_2X2 in first.raw
        assert size_command(8) + b"\x1bE\x01" + str(large["code"]).encode() in first.raw
        assert first.qr_payloads == [large["status_url"]]
        assert SIZE_2X2 not in second.raw
        assert second.line(str(plain["code"])).width == 4
