"""Anonymous calls of expensive endpoints limited per client address (an app built with a limit
of 3 a minute): the fourth call gets 429 with ``Retry-After`` and a Russian message, as JSON under
/api and as the error page elsewhere; logged-in users of every role are not limited; cheap
endpoints are not counted."""

from collections.abc import Iterator

import pytest
from factories import csrf_from
from fastapi.testclient import TestClient

from promcluster.app import create_app

API = "/api/v1"
LIMIT = 3
ROLES = ("admin", "cluster_manager", "enterprise_rep")
# One address of each limited kind: classification, search, exports, niches, discovery.
LIMITED = [
    f"{API}/okpd2/suggest?name=кирпич",
    f"{API}/search?q=кирпич",
    f"{API}/search/suggest?q=кирпич",
    f"{API}/export/clusters.csv",
    f"{API}/niches?region=72",
    f"{API}/discover/72",
    "/search?q=кирпич",
    "/search/results?q=кирпич",
    "/okpd2/suggest?product_name=кирпич",
    "/niches/72",
    "/discover/72",
]


@pytest.fixture
def limited_app(settings, db) -> Iterator:
    app = create_app(settings.model_copy(update={"anonymous_expensive_per_minute": LIMIT}))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def limited(limited_app) -> Iterator[TestClient]:
    with TestClient(limited_app) as http:
        yield http


@pytest.mark.parametrize("path", LIMITED)
def test_anonymous_calls_over_the_limit_get_429(limited, path):
    for _ in range(LIMIT):
        assert limited.get(path).status_code == 200, path
    refused = limited.get(path)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    message = "слишком много запросов без входа в систему: не больше 3 в минуту"
    if path.startswith("/api"):
        assert refused.json()["detail"].startswith(message)
    else:
        assert refused.headers["content-type"].startswith("text/html")
        assert "Слишком много запросов" in refused.text
        assert message in refused.text


def test_the_limit_is_shared_by_the_expensive_endpoints(limited):
    for path in LIMITED[:LIMIT]:
        assert limited.get(path).status_code == 200
    assert limited.get(LIMITED[LIMIT]).status_code == 429


def test_classification_by_post_is_limited(limited):
    body = {"names": ["кирпич керамический"]}
    for _ in range(LIMIT):
        assert limited.post(f"{API}/okpd2/suggest", json=body).status_code == 200
    assert limited.post(f"{API}/okpd2/suggest", json=body).status_code == 429
    form = {"names": "кирпич", "csrf_token": csrf_from(limited.get("/classify").text)}
    assert limited.post("/classify", data=form).status_code == 429


def test_cheap_endpoints_are_not_counted(limited):
    for _ in range(LIMIT + 2):
        assert limited.get(f"{API}/clusters").status_code == 200
        assert limited.get("/").status_code == 200
    assert limited.get(f"{API}/search?q=кирпич").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_logged_in_users_are_not_limited(limited, db, users, role):
    scope = {
        "cluster_manager": {"clusters": [db.add_cluster()]},
        "enterprise_rep": {"enterprise": db.add_enterprise()},
    }
    account = users.add(f"user-{role}", role, **scope.get(role, {}))
    auth = (account.username, account.password)
    for _ in range(LIMIT + 2):
        assert limited.get(f"{API}/search?q=кирпич", auth=auth).status_code == 200
    assert limited.get(f"{API}/search?q=кирпич").status_code == 200  # anonymous: its own count


def test_the_limit_is_off_at_zero(client):
    for _ in range(LIMIT + 2):
        assert client.get(f"{API}/search?q=кирпич").status_code == 200
