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
    # No counter open and no history: quoted as if one counter opened now, each visit
    # modelled on the 300 s standard (log-normal): the median of one visit, then of two.
    quotes = [first["estimated_wait_s"], second["estimated_wait_s"], third["estimated_wait_s"]]
    assert quotes[0] == 0
    assert 150 < quotes[1] < 330
    assert 1.6 * quotes[1] < quotes[2] < 660


def open_counters(client, kit, *labels):
    for label in labels:
        r = client.post(
            f"/api/v1/counters/{kit.counters[label]}/open", headers=kit.auth(f"teller{label}")
        )
        assert r.status_code == 200, r.text


def test_open_counters_shorten_the_quote(client, kit):
    open_counters(client, kit, "1", "2")
    quotes = [issue(client, kit)["estimated_wait_s"] for _ in range(5)]
    # Two free counters serve A: the first two are called at once (the old formula quoted
    # 300 s for the second); the third waits for the first of two visits to end.
    assert quotes[:2] == [0, 0]
    assert 0 < quotes[2] < quotes[3] < quotes[4]
    assert quotes[2] < 250  # sooner than one whole visit


def test_priority_customer_strictly_first_goes_after_earlier_priority_only(client, make):
    kit = make(make_branch, code="strict", policy={"priority_mode": "strict"})
    issue(client, kit)
    issue(client, kit)
    p1 = issue(client, kit, priority=True, priority_reason="elderly")
    p2 = issue(client, kit, priority=True, priority_reason="pregnant")
    assert (p1["position"], p2["position"]) == (1, 2)


def test_priority_customer_under_a_ratio_waits_for_its_turn(client, kit):
    # One priority call after every two normal ones (the branch's default): a counter
    # opening now calls two normal customers first (the old count said "1st").
    issue(client, kit)
    issue(client, kit)
    p1 = issue(client, kit, priority=True, priority_reason="elderly")
    p2 = issue(client, kit, priority=True, priority_reason="pregnant")
    assert (p1["position"], p2["position"]) == (3, 4)


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
    assert b == b | {"name": "Hesaplar", "waiting": 2, "open": True}
    # Two ahead, no counter open: as if one opened now, two visits of about 300 s.
    assert 400 < b["estimated_wait_s"] < 660
    a = next(r for r in rows if r["code"] == "A")
    assert (a["name"], a["waiting"], a["estimated_wait_s"]) == ("Nakit", 0, 0)


def test_service_names_fall_back_to_the_default_language(client, kit):
    rows = client.get(
        f"/api/v1/branches/{kit.code}/services?lang=pl", headers=kit.auth("kiosk")
    ).json()
    assert [r["name"] for r in rows] == ["Cash", "Accounts", "Loans"]


@pytest.mark.parametrize("value", ["yes please", 3, 1, "true", None, [True]])
def test_large_print_must_be_true_or_false(client, kit, db, value):
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        json={"service": "A", "large_print": value},
        headers=kit.auth("kiosk"),
    )
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str)
    assert "large_print" in detail
    assert "boolean" in detail  # "large_print: Input should be a valid boolean"
    with db.read_session() as s:
        assert s.exec(select(func.count()).select_from(Ticket)).one() == 0


def test_large_print_is_optional_and_issues_the_same_ticket(client, kit):
    assert issue(client, kit)["code"] == "A001"
    assert issue(client, kit, large_print=False)["code"] == "A002"
    large = issue(client, kit, large_print=True)
    assert large["code"] == "A003"
    assert large["print_status"] == "none"  # a kiosk without a printer: nothing to print
