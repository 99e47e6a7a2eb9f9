from tests.support import make_branch


def test_issue_and_call(client, make):
    kit = make(make_branch)
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        json={"service": "A", "lang": "tr"},
        headers=kit.auth("kiosk"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["code"] == "A001"
    c = kit.counters["1"]
    assert client.post(f"/api/v1/counters/{c}/open", headers=kit.auth("teller1")).status_code == 200
    r = client.post(f"/api/v1/counters/{c}/call-next", headers=kit.auth("teller1"))
    assert r.status_code == 200, r.text
    assert r.json()["ticket"]["code"] == "A001"
    assert r.json()["announcement"]["text"] == "A001, 1 numaralı gişe"
