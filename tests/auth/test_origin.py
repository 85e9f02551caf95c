"""Cross-origin writes are refused whatever the authentication (issue 16, Low): HTTP Basic
skipped the CSRF check, so a page of another site could write with a browser's stored
credentials. And the Basic challenge goes only to clients that sent Basic credentials."""

import pytest
from factories import csrf_from, login

from promcluster.web.origin import same_origin

API = "/api/v1"
CLUSTER = {"name": "Кластер", "region_codes": ["72"]}
FOREIGN = [{"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"}]


@pytest.mark.parametrize("headers", FOREIGN)
def test_http_basic_write_from_another_origin_is_refused(client, db, users, headers):
    account = users.add("olga", "admin")
    before = db.counts()
    response = client.post(f"{API}/clusters", json=CLUSTER, auth=account.auth, headers=headers)
    assert response.status_code == 403
    assert "с другого сайта" in response.json()["detail"]
    assert db.counts() == before


@pytest.mark.parametrize("headers", FOREIGN)
def test_cookie_and_anonymous_writes_from_another_origin_are_refused(client, db, users, headers):
    before = db.counts()
    login_page_token = csrf_from(client.get("/login").text)
    form = client.post(
        "/login",
        data={"username": "x", "password": "y" * 9, "csrf_token": login_page_token},
        headers=headers,
    )
    assert form.status_code == 403 and "text/html" in form.headers["content-type"]
    assert db.count("login_failures") == 0  # refused before the password was looked at
    token = login(client, users.add("olga", "admin"))
    before = db.counts()
    api = client.post(f"{API}/clusters", json=CLUSTER, headers={"X-CSRF-Token": token, **headers})
    assert api.status_code == 403
    assert client.delete(f"{API}/clusters/1", headers=headers).status_code == 403
    assert db.counts() == before


def test_same_origin_and_headerless_writes_pass(client, users):
    account = users.add("olga", "admin")
    for headers in (
        {},
        {"Origin": "http://testserver"},
        {"Referer": "http://testserver/clusters"},
        {"Origin": "http://TESTSERVER:80"},
    ):
        response = client.post(f"{API}/clusters", json=CLUSTER, auth=account.auth, headers=headers)
        assert response.status_code == 201, headers


def test_reads_from_another_origin_are_not_refused(client):
    assert (
        client.get(f"{API}/clusters", headers={"Origin": "https://evil.example"}).status_code == 200
    )


def test_same_origin_rules():
    assert same_origin("https://a.example", "a.example:443", "https")
    assert same_origin("http://a.example:8000", "a.example:8000", "http")
    assert not same_origin("http://a.example:8001", "a.example:8000", "http")
    assert not same_origin("https://a.example.evil", "a.example", "https")
    assert not same_origin("null", "a.example", "http")
    assert not same_origin("http://a.example", "", "http")


def test_no_basic_challenge_to_browsers(client, db):
    cluster = db.add_cluster()
    page = client.get(f"/clusters/{cluster}/edit", follow_redirects=False)
    assert page.status_code == 303 and "www-authenticate" not in page.headers
    api = client.post(f"{API}/clusters", json=CLUSTER)
    assert api.status_code == 401 and "www-authenticate" not in api.headers
    assert api.headers["content-type"].startswith("application/json")
    wrong = client.post(f"{API}/clusters", json=CLUSTER, auth=("nobody", "wrong password"))
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Basic"
