"""A request's writes are committed before its response is sent: a browser following the
303 of a login or a form, or a script reading back what it wrote, never sees the state from
before the write (FastAPI closes request-scoped dependencies only after the response)."""

from collections.abc import Callable

from factories import ADMIN, PASSWORD, csrf_from
from fastapi.testclient import TestClient
from sqlalchemy import text

API = "/api/v1"


def rows(db, table: str) -> Callable[[], int]:
    """Rows of ``table`` as a connection of its own sees them."""

    def count() -> int:
        with db.engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()

    return count


def spying(app, path: str, look: Callable[[], int], seen: list[int]):
    """``app`` noting what another connection sees when the response to a POST to ``path``
    starts."""

    async def wrapped(scope, receive, send):
        async def spy(message):
            posted = (scope["method"], scope["path"]) == ("POST", path)
            if posted and message["type"] == "http.response.start":
                seen.append(look())
            await send(message)

        await app(scope, receive, spy if scope["type"] == "http" else send)

    return wrapped


def test_a_login_is_committed_before_its_redirect_is_sent(app, db):
    seen: list[int] = []
    sessions = rows(db, "user_sessions")
    with TestClient(spying(app, "/login", sessions, seen)) as http:
        before = sessions()
        token = csrf_from(http.get("/login").text)
        form = {"username": ADMIN, "password": PASSWORD, "csrf_token": token}
        response = http.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert seen == [before + 1]


def test_an_api_write_is_committed_before_its_response_is_sent(app, db, admin):
    seen: list[int] = []
    with TestClient(spying(app, f"{API}/clusters", rows(db, "clusters"), seen)) as http:
        http.cookies.set("promcluster_session", admin.cookie)
        cluster = {"name": "Кластер", "region_codes": ["72"]}
        response = http.post(f"{API}/clusters", json=cluster, headers={"X-CSRF-Token": admin.csrf})
    assert response.status_code == 201, response.text
    assert seen == [1]
