"""Issuing: numbers, positions, quotes, languages and retried requests."""

import pytest
from sqlmodel import func, select

from server.models import Ticket
from tests.support import make_branch


@pytest.fixture
def kit(make):
    return make(make_branch)


def issue(client, kit, **body):
    body.setdefault("service", "A")
    r = client.post(f"/api/v1/branches/{kit.code}/tickets", json=body, headers=kit.auth("kiosk"))
    assert r.status_code == 201, r.text
    return r.json()


def test_numbers_run_per_service(client, kit):
    codes = [issue(client, kit, service=s)["code"] for s in ("A", "B", "A", "C", "A")]
    assert codes == ["A001", "B001", "A002", "C001", "A003"]


def test_response_carries_the_contract_fields(client, kit):
    t = issue(client, kit, lang="tr")
    assert set(t) >= {
        "id",
        "code",
        "service",
        "number",
        "position",
        "estimated_wait_s",
        "issued_at",
        "token",
        "status_url",
        "print_status",
    }
    assert t["status_url"] == f"http://sira.test/t/{t['token']}"
    assert t["print_status"] == "none"
    assert t["lang"] == "tr"


def test_language_defaults_to_the_branch_default(client, kit):
    assert issue(client, kit)["lang"] == "en"


def test_position_and_quote_grow_with_the_queue(client, kit):
    first, second, third = (issue(client, kit) for _ in range(3))
    assert [first["position"], second["position"], third["position"]] == [1, 2, 3]
    # No counter open and no history: quoted as one counter at the 300 s standard.
    assert [first["estimated_wait_s"], second["estimated_wait_s"], third["estimated_wait_s"]] == [
        0,
        300,
        600,
    ]


def test_open_counters_shorten_the_quote(client, kit):
    for label in ("1", "2"):
        client.post(
            f"/api/v1/counters/{kit.counters[label]}/open", headers=kit.auth(f"teller{label}")
        )
    quotes = [issue(client, kit)["estimated_wait_s"] for _ in range(5)]
    # Two counters serve A: people ahead clear two at a time.
    assert quotes == [0, 300, 300, 600, 600]


def test_priority_customer_is_placed_after_earlier_priority_only(client, kit):
    issue(client, kit)
    issue(client, kit)
    p1 = issue(client, kit, priority=True, priority_reason="elderly")
    p2 = issue(client, kit, priority=True, priority_reason="pregnant")
    assert (p1["position"], p2["position"]) == (1, 2)


def test_a_retried_request_gets_the_same_ticket(client, kit, db):
    once = issue(client, kit, request_id="kiosk1-0001")
    again = issue(client, kit, request_id="kiosk1-0001")
    other = issue(client, kit, request_id="kiosk1-0002")
    assert again["id"] == once["id"]
    assert again["code"] == once["code"] == "A001"
    assert other["code"] == "A002"
    with db.read_session() as s:
        assert s.exec(select(func.count()).select_from(Ticket)).one() == 2


def test_services_list_shows_waiting_and_quote(client, kit):
    issue(client, kit, service="B")
    issue(client, kit, service="B")
    rows = client.get(
        f"/api/v1/branches/{kit.code}/services?lang=tr", headers=kit.auth("kiosk")
    ).json()
    b = next(r for r in rows if r["code"] == "B")
    assert b == b | {"name": "Hesaplar", "waiting": 2, "estimated_wait_s": 600, "open": True}
    a = next(r for r in rows if r["code"] == "A")
    assert (a["name"], a["waiting"], a["estimated_wait_s"]) == ("Nakit", 0, 0)


def test_service_names_fall_back_to_the_default_language(client, kit):
    rows = client.get(
        f"/api/v1/branches/{kit.code}/services?lang=pl", headers=kit.auth("kiosk")
    ).json()
    assert [r["name"] for r in rows] == ["Cash", "Accounts", "Loans"]
