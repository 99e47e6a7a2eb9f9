"""``GET /branches/overview``: each caller sees the branches they may see, side by side, and a
branch out of reach is answered as one that does not exist."""

from typing import Any

from tests.support import admin_token, make_branch

OVERVIEW = "/api/v1/branches/overview"


def _names(r: Any) -> list[str]:
    assert r.status_code == 200, r.text
    return [b["name"] for b in r.json()["branches"]]


def test_each_caller_sees_the_branches_in_reach(client, make, db):
    one = make(make_branch, code="one")
    make(make_branch, code="two")
    with db.unit_of_work() as session:
        admin = {"Authorization": f"Bearer {admin_token(session)}"}
    assert _names(client.get(OVERVIEW, headers=admin)) == ["Branch one", "Branch two"]
    assert _names(client.get(OVERVIEW, headers=one.auth("manager"))) == ["Branch one"]
    only = client.get(OVERVIEW, params={"branches": "two"}, headers=admin)
    assert _names(only) == ["Branch two"]


def test_a_branch_out_of_reach_is_answered_as_missing(client, make):
    one = make(make_branch, code="one")
    make(make_branch, code="two")
    hidden = client.get(OVERVIEW, params={"branches": "one,two"}, headers=one.auth("manager"))
    missing = client.get(OVERVIEW, params={"branches": "one,nine"}, headers=one.auth("manager"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == "there is no branch 'two'"
    assert missing.json()["detail"] == "there is no branch 'nine'"
