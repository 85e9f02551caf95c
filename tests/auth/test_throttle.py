"""Login throttling per account and per client address (issue 16 item 9): after five refused
passwords in fifteen minutes attempts are refused with 429 and Retry-After, without checking
the password, for a delay doubling up to the maximum; locks and refusals are audited."""

from datetime import timedelta

import pytest
from factories import PASSWORD, csrf_from
from fastapi.testclient import TestClient
from sqlalchemy import select

from promcluster.auth.models import LoginFailure
from promcluster.auth.throttle import delay

API = "/api/v1"
CLUSTER = {"name": "Кластер", "region_codes": ["72"]}


def attempt(client, username: str, password: str):
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


@pytest.fixture
def from_address(app, db):
    """``from_address("10.0.0.2")``: an HTTP client seen by the server at that address."""
    clients: list[TestClient] = []

    def make(address: str) -> TestClient:
        http = TestClient(app, client=(address, 40000))
        clients.append(http)
        return http

    yield make
    for http in clients:
        http.close()


def age_failures(db, **delta: int) -> None:
    """Move every recorded failure into the past by ``delta`` (instead of sleeping)."""
    with db.session() as session:
        for failure in session.scalars(select(LoginFailure)):
            failure.at -= timedelta(**delta)


def test_thirty_wrong_passwords_then_the_right_one_is_refused(db, users, from_address):
    users.add("olga", "admin")
    users.add("pavel", "admin")
    attacker = from_address("203.0.113.7")
    statuses = [attempt(attacker, "olga", f"guess {i}").status_code for i in range(30)]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    right = attempt(attacker, "olga", PASSWORD)
    assert right.status_code == 429
    assert 0 < int(right.headers["retry-after"]) <= 30
    assert "Слишком много неудачных попыток входа" in right.text
    assert db.count("login_failures") == 5  # refused attempts were not even checked
    # the account is locked from any address, the attacker's address for any account ...
    assert attempt(from_address("198.51.100.1"), "olga", PASSWORD).status_code == 429
    assert attempt(attacker, "pavel", PASSWORD).status_code == 429
    # ... and another account from another address is not affected
    assert attempt(from_address("198.51.100.2"), "pavel", PASSWORD).status_code == 303
    locks = db.audit(entity="login", action="lock")
    refusals = db.audit(entity="login", action="refuse")
    assert locks and locks[0].changes["username"] == "olga"
    assert locks[0].changes["client"] == "203.0.113.7"
    assert len(refusals) == 25 + 1 + 2
    # once the window has passed, the right password works again
    age_failures(db, minutes=16)
    assert attempt(attacker, "olga", PASSWORD).status_code == 303


def test_http_basic_is_throttled_too(client, db, users):
    account = users.add("olga", "admin")
    for _ in range(5):
        wrong = client.post(f"{API}/clusters", json=CLUSTER, auth=("olga", "wrong password"))
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"] == "Basic"  # asked with Basic: challenged
    before = db.count("clusters")
    refused = client.post(f"{API}/clusters", json=CLUSTER, auth=account.auth)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/json")
    assert "повторите через" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) > 0
    assert db.count("clusters") == before
    age_failures(db, minutes=16)
    assert client.post(f"{API}/clusters", json=CLUSTER, auth=account.auth).status_code == 201


def test_many_accounts_from_one_address_lock_the_address(db, users, from_address):
    users.add("olga", "admin")
    sprayer = from_address("203.0.113.9")
    for name in ("a1", "a2", "a3", "a4", "a5"):
        assert attempt(sprayer, name, PASSWORD).status_code == 401
    assert attempt(sprayer, "olga", PASSWORD).status_code == 429
    assert attempt(from_address("198.51.100.3"), "olga", PASSWORD).status_code == 303


def test_the_delay_doubles_after_each_further_failure(db, users, from_address):
    users.add("olga", "admin")
    browser = from_address("203.0.113.10")
    retry = []
    for _ in range(4):
        while attempt(browser, "olga", "wrong").status_code == 401:
            pass
        response = attempt(browser, "olga", "wrong")
        retry.append(int(response.headers["retry-after"]))
        age_failures(db, seconds=retry[-1] + 1)  # the lock runs out, the failures stay
    assert retry == [30, 60, 120, 240]


def test_delay_is_capped(settings):
    assert [delay(n, settings) for n in (0, 4, 5, 6, 7)] == [0, 0, 30, 60, 120]
    assert delay(50, settings) == settings.login_max_delay_seconds == 900
    assert delay(10**6, settings) == 900


def test_a_successful_login_clears_the_account_failures(db, users, from_address):
    users.add("olga", "admin")
    browser = from_address("203.0.113.11")
    for _ in range(4):
        assert attempt(browser, "olga", "wrong").status_code == 401
    assert attempt(browser, "olga", PASSWORD).status_code == 303
    other = from_address("198.51.100.4")
    for _ in range(4):  # the account's count starts again from zero
        assert attempt(other, "olga", "wrong").status_code == 401
    assert attempt(other, "olga", PASSWORD).status_code == 303
