"""Opening hours, closed dates and service cut-offs as an administrator sets them: what is
kept, what is refused (and how it is said) and the audit trail's before → after."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.server.admin.test_admin_api import ADMIN_API, BRANCH, CODE, Api
from tests.support import BranchKit, admin_token, make_branch

LUNCH = {"mon": [["13:30", "17:00"], ["09:00", "12:30"]], "tue": [["09:00", "17:00"]]}
STORED = {
    "mon": [["09:00", "12:30"], ["13:30", "17:00"]],
    "tue": [["09:00", "17:00"]],
    "wed": [],
    "thu": [],
    "fri": [],
    "sat": [],
    "sun": [],
}


@pytest.fixture
def kit(make: Any) -> BranchKit:
    return make(make_branch, code=CODE)


@pytest.fixture
def admin(client: TestClient, make: Any) -> Api:
    return Api(client, {"Authorization": f"Bearer {make(admin_token)}"})


def test_hours_and_closed_dates_are_kept_with_every_day_named(kit: BranchKit, admin: Api) -> None:
    changed = admin(
        "PATCH",
        BRANCH,
        {"opening_hours": LUNCH, "closed_dates": ["2026-05-19", "2026-01-01", "2026-05-19"]},
    )
    assert changed["opening_hours"] == STORED
    assert changed["closed_dates"] == ["2026-01-01", "2026-05-19"]
    assert admin("GET", BRANCH) == changed
    # Other fields leave them alone; null removes the hours, [] the dates.
    assert admin("PATCH", BRANCH, {"message": "Welcome"})["opening_hours"] == STORED
    cleared = admin("PATCH", BRANCH, {"opening_hours": None, "closed_dates": []})
    assert (cleared["opening_hours"], cleared["closed_dates"]) == (None, [])


def test_a_new_branch_takes_hours_from_the_start(admin: Api) -> None:
    created = admin(
        "POST",
        f"{ADMIN_API}/branches",
        {"code": "gdansk", "name": "Gdańsk", "timezone": "Europe/Warsaw", "opening_hours": LUNCH},
        expect=201,
    )
    assert (created["opening_hours"], created["closed_dates"]) == (STORED, [])
    plain = admin("POST", f"{ADMIN_API}/branches", {"code": "plain", "name": "P"}, expect=201)
    assert (plain["opening_hours"], plain["closed_dates"]) == (None, [])


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"opening_hours": {"tue": [["13:00", "12:00"]]}},
            "opening_hours",
            "Tuesday: 13:00–12:00 ends before it starts",
        ),
        (
            {"opening_hours": {"fri": [["09:00", "13:00"], ["12:00", "17:00"]]}},
            "opening_hours",
            "Friday: 09:00–13:00 and 12:00–17:00 overlap",
        ),
        (
            {"opening_hours": {"mon": [["9am", "5pm"]]}},
            "opening_hours",
            "Monday: '9am' is not a time from 00:00 to 24:00 (HH:MM)",
        ),
        (
            {"opening_hours": {"Monday": [["09:00", "17:00"]]}},
            "opening_hours",
            "unknown day 'Monday'",
        ),
        ({"opening_hours": {}}, "opening_hours", "every day is closed"),
        ({"closed_dates": ["2026-02-30"]}, "closed_dates", "2026-02-30 is not a date"),
        ({"closed_dates": ["1/5/2026"]}, "closed_dates", "'1/5/2026' is not a date written"),
    ],
)
def test_bad_hours_are_refused_saying_which_day_and_why(
    kit: BranchKit, admin: Api, body: dict[str, Any], field: str, message: str
) -> None:
    r = admin("PATCH", BRANCH, body, expect=422)
    assert r["detail"].startswith(f"{field}: {message}")
    assert r["errors"][0]["field"] == field
    assert admin("GET", BRANCH)["opening_hours"] is None  # nothing was changed


def test_a_problem_names_its_kind_and_values_for_forms(kit: BranchKit, admin: Api) -> None:
    """Beside the sentence, a stable type and the values it names (never the raw input), so
    the settings page can say it in its user's language."""
    overlap = {"tue": [["09:00", "13:00"], ["12:00", "17:00"]]}
    (problem,) = admin("PATCH", BRANCH, {"opening_hours": overlap}, expect=422)["errors"]
    assert problem["type"] == "hours_overlap"
    assert problem["ctx"] == {
        "day": "tue",
        "start": "09:00",
        "end": "13:00",
        "next_start": "12:00",
        "next_end": "17:00",
    }
    bad_time = {"wed": [["08:00", "09:00"], ["{9am}", "17:00"]]}
    (problem,) = admin("PATCH", BRANCH, {"opening_hours": bad_time}, expect=422)["errors"]
    assert (problem["type"], problem["ctx"]) == ("hours_time", {"day": "wed", "interval": 2})
    assert problem["message"] == (
        "opening_hours: Wednesday: '{9am}' is not a time from 00:00 to 24:00 (HH:MM)"
    )
    (problem,) = admin("PATCH", BRANCH, {"closed_dates": ["2026-01-01", "x"]}, expect=422)["errors"]
    assert (problem["type"], problem["ctx"]) == ("date_format", {"item": 2})


def test_a_service_cut_off_is_set_shown_and_removed(kit: BranchKit, admin: Api) -> None:
    assert admin("GET", f"{BRANCH}/services/C")["cutoff_min"] is None
    assert admin("PATCH", f"{BRANCH}/services/C", {"cutoff_min": 30})["cutoff_min"] == 30
    # Another change leaves it; null removes it (issued until closing again).
    assert admin("PATCH", f"{BRANCH}/services/C", {"sort_order": 2})["cutoff_min"] == 30
    assert admin("PATCH", f"{BRANCH}/services/C", {"cutoff_min": None})["cutoff_min"] is None
    created = admin(
        "POST",
        f"{BRANCH}/services",
        {"code": "D", "names": {"en": "Deposits"}, "cutoff_min": 45},
        expect=201,
    )
    assert created["cutoff_min"] == 45
    for bad in (-1, 721, "30", 1.5):
        admin("PATCH", f"{BRANCH}/services/C", {"cutoff_min": bad}, expect=422)


def test_a_manager_sets_their_branch_hours(kit: BranchKit, client: TestClient) -> None:
    manager = Api(client, kit.auth("manager"))
    assert manager("PATCH", BRANCH, {"opening_hours": LUNCH})["opening_hours"] == STORED
    manager("PATCH", f"{BRANCH}/services/A", {"cutoff_min": 15})
    Api(client, kit.auth("teller1"))("PATCH", BRANCH, {"closed_dates": []}, expect=403)


def test_changes_are_audited_before_and_after(kit: BranchKit, admin: Api) -> None:
    admin("PATCH", BRANCH, {"opening_hours": LUNCH})
    admin("PATCH", BRANCH, {"opening_hours": {"mon": [["10:00", "16:00"]]}})
    admin("PATCH", BRANCH, {"closed_dates": ["2026-05-01"]})
    admin("PATCH", f"{BRANCH}/services/C", {"cutoff_min": 30})
    entries = admin("GET", f"/api/v1/audit?kind=config&branch={CODE}&limit=4")["items"]
    cutoff, dates, second, first = entries
    assert first["changes"] == {"opening_hours": {"before": None, "after": STORED}}
    assert second["changes"]["opening_hours"]["before"] == STORED
    assert second["changes"]["opening_hours"]["after"]["mon"] == [["10:00", "16:00"]]
    assert dates["changes"] == {"closed_dates": {"before": [], "after": ["2026-05-01"]}}
    assert (cutoff["target"], cutoff["changes"]) == (
        "service C",
        {"cutoff_min": {"before": None, "after": 30}},
    )
    # Saving the same hours again is no change (and no entry, no new version).
    version = admin("GET", BRANCH)["version"]
    admin("PATCH", BRANCH, {"closed_dates": ["2026-05-01"]})
    assert admin("GET", BRANCH)["version"] == version
