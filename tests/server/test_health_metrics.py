"""Health probes, Prometheus text and the manager's live metrics."""

import pytest
from fastapi.testclient import TestClient

from server.config import Settings
from server.main import create_app
from tests.support import make_branch

SCRAPER = "a-long-scraper-token-0123456789"


@pytest.fixture
def scrape(settings, clock, db):
    """GET /metrics of an app whose metrics setting is ``access`` (and the scraper token)."""

    def get(access, headers=None):
        configured = settings.model_copy(
            update={"metrics_access": access, "metrics_token": SCRAPER}
        )
        with TestClient(create_app(configured, clock=clock, db=db)) as c:
            return c.get("/metrics", headers=headers or {})

    return get


def test_liveness_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {
        "ready": True,
        "database": True,
        "bus": True,
        "public_url": "http://sira.test",
        "warnings": [],
    }


def test_readiness_says_when_qr_codes_point_at_the_server_itself(settings, clock, db):
    local = settings.model_copy(update={"public_url": "http://localhost:8000"})
    with TestClient(create_app(local, clock=clock, db=db)) as c:
        body = c.get("/readyz").json()
    assert body["ready"] is True  # a warning, not a reason to take the server out
    assert body["public_url"] == "http://localhost:8000"
    assert "SIRA_PUBLIC_URL" in body["warnings"][0]


@pytest.mark.parametrize(
    ("public_url", "listen", "warned"),
    [
        ("http://localhost:8000", "0.0.0.0", True),
        ("http://127.0.0.1:8000", "10.0.0.5", True),
        ("http://[::1]:8000", "0.0.0.0", True),
        ("http://localhost:8000", "127.0.0.1", False),  # a developer's own machine
        ("https://sira.bank.example", "0.0.0.0", False),
        ("http://10.0.0.5:8000", "0.0.0.0", False),
    ],
)
def test_serving_the_branch_network_with_a_local_public_url_warns_loudly(
    public_url, listen, warned, tmp_path, monkeypatch
):
    from typer.testing import CliRunner

    import server.cli as cli

    monkeypatch.setenv("SIRA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SIRA_PUBLIC_URL", public_url)
    started: list[str] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: started.append(kw["host"]))
    result = CliRunner().invoke(cli.app, ["serve", "--host", listen])
    assert result.exit_code == 0, result.output
    assert started == [listen]
    assert ("WARNING: SIRA_PUBLIC_URL is" in result.output) is warned


def test_prometheus_text_counts_waiting_tickets(client, make, scrape):
    kit = make(make_branch)
    for svc in ("A", "A", "B"):
        client.post(
            f"/api/v1/branches/{kit.code}/tickets", json={"service": svc}, headers=kit.auth("kiosk")
        )
    text = scrape("public").text
    assert 'sira_waiting_tickets{branch="demo",service="A"} 2' in text
    assert 'sira_waiting_tickets{branch="demo",service="B"} 1' in text
    assert 'sira_event_seq{branch="demo"} 3' in text


def test_live_metrics_follow_the_day(client, make, clock):
    kit = make(make_branch)
    url = f"/api/v1/branches/{kit.code}"
    for svc in ("A", "A", "B"):
        client.post(f"{url}/tickets", json={"service": svc}, headers=kit.auth("kiosk"))
    c1 = kit.counters["1"]
    client.post(f"/api/v1/counters/{c1}/open", headers=kit.auth("teller1"))
    clock.advance(seconds=120)
    client.post(
        f"/api/v1/counters/{c1}/call-next", headers=kit.auth("teller1")
    )  # A001 waited 120 s
    clock.advance(seconds=60)
    # Within the 600 s standard; finishing A001 while calling A002 (waited 180 s).
    client.post(f"/api/v1/counters/{c1}/call-next", headers=kit.auth("teller1"))
    clock.advance(seconds=700)
    client.post(
        f"/api/v1/counters/{c1}/call-next", headers=kit.auth("teller1")
    )  # B001 waited 880 s

    m = client.get(f"{url}/metrics/live", headers=kit.auth("manager")).json()
    assert m["waiting"] == {}
    assert m["waiting_total"] == 0
    assert m["counters_open"] == 1
    assert m["served_today"] == 2
    assert m["called_today"] == 3
    # The reports' grading: A002's service (700 s, finished by the next call) missed the
    # 300 s service standard and B001's wait the 600 s one; only A001 is within standard.
    assert m["within_standard_pct"] == round(100 * 1 / 3, 1)
    day = client.get(f"{url}/reports", params={"by": "day"}, headers=kit.auth("manager")).json()
    assert m["within_standard_pct"] == day[0]["within_standard_pct"]


def test_live_metrics_longest_wait(client, make, clock):
    kit = make(make_branch)
    client.post(
        f"/api/v1/branches/{kit.code}/tickets", json={"service": "C"}, headers=kit.auth("kiosk")
    )
    clock.advance(seconds=300)
    m = client.get(f"/api/v1/branches/{kit.code}/metrics/live", headers=kit.auth("manager")).json()
    assert m["longest_wait_s"] == 300
    assert m["waiting"] == {"C": 1}


def test_a_running_server_keeps_its_startup_objects_out_of_full_collections(settings, clock, db):
    """Outside tests the app freezes what exists at startup (the collector's full passes then
    skip it) and unfreezes at shutdown; under SIRA_ENV=test it leaves the collector alone."""
    import gc

    from fastapi.testclient import TestClient

    from server.main import create_app

    assert gc.get_freeze_count() == 0
    with TestClient(create_app(settings, clock=clock, db=db)):
        assert gc.get_freeze_count() == 0  # env=test
    served = settings.model_copy(update={"gc_freeze": True})
    with TestClient(create_app(served, clock=clock, db=db)) as c:
        assert gc.get_freeze_count() > 0
        assert c.get("/healthz").json() == {"status": "ok"}
    assert gc.get_freeze_count() == 0


def test_prometheus_is_off_unless_configured(client, make):
    make(make_branch)
    r = client.get("/metrics")
    assert r.status_code == 404
    assert "demo" not in r.text


def test_prometheus_with_a_token_answers_only_the_scraper(make, scrape):
    make(make_branch)
    assert scrape("token").status_code == 401
    assert scrape("token", {"Authorization": "Bearer wrong"}).status_code == 401
    ok = scrape("token", {"Authorization": f"Bearer {SCRAPER}"})
    assert ok.status_code == 200
    assert 'sira_event_seq{branch="demo"}' in ok.text


def test_a_metrics_token_setting_needs_a_long_token():
    with pytest.raises(ValueError, match="SIRA_METRICS_TOKEN"):
        Settings(metrics_access="token")
    with pytest.raises(ValueError, match="SIRA_METRICS_TOKEN"):
        Settings(metrics_access="token", metrics_token="short")
