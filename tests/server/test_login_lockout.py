"""Password guessing: five wrong passwords in a row lock an account for five minutes."""

import pytest

from server.auth.service import LOCKOUT_S, MAX_FAILED_LOGINS
from tests.support import PASSWORD, make_branch

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def teller(make):
    make(make_branch)
    return "demo-teller1"


def login(client, username, password):
    return client.post(LOGIN, json={"username": username, "password": password})


def test_wrong_passwords_lock_the_account_then_it_opens_again(client, teller, clock):
    for _ in range(MAX_FAILED_LOGINS):
        assert login(client, teller, "guess").status_code == 401
    locked = login(client, teller, PASSWORD)
    assert locked.status_code == 429
    assert "locked for 5 more minute" in locked.json()["detail"]
    clock.advance(seconds=LOCKOUT_S - 1)
    assert login(client, teller, PASSWORD).status_code == 429
    clock.advance(seconds=2)
    assert login(client, teller, PASSWORD).status_code == 200


def test_a_good_login_resets_the_count(client, teller):
    for _ in range(MAX_FAILED_LOGINS - 1):
        assert login(client, teller, "guess").status_code == 401
    assert login(client, teller, PASSWORD).status_code == 200
    for _ in range(MAX_FAILED_LOGINS - 1):
        assert login(client, teller, "guess").status_code == 401
    assert login(client, teller, PASSWORD).status_code == 200


def test_a_lock_on_one_account_leaves_others_alone(client, teller):
    for _ in range(MAX_FAILED_LOGINS):
        login(client, teller, "guess")
    assert login(client, "demo-teller2", PASSWORD).status_code == 200
    assert login(client, teller, PASSWORD).status_code == 429
