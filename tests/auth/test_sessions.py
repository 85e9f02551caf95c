"""Server-side sessions: the signed cookie carries only a random token; the ``user_sessions``
row it names decides who is logged in, so a forged cookie, logout, expiry, a new password and
a disabled account all end the session on the server."""

import json
from base64 import b64decode, b64encode
from datetime import timedelta

from factories import ADMIN, SESSION_COOKIE, TEST_SECRET_KEY, login
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy import select, update

from promcluster.accounts import service
from promcluster.auth.models import UserSession
from promcluster.auth.sessions import token_id
from promcluster.db import utcnow

API = "/api/v1"
CLUSTER = {"name": "Кластер", "region_codes": ["72"]}


def signed_cookie(data: dict) -> str:
    """A session cookie as the app's SessionMiddleware signs it, with the app's own key."""
    payload = b64encode(json.dumps(data).encode())
    return TimestampSigner(TEST_SECRET_KEY).sign(payload).decode()


def cookie_data(client) -> dict:
    signed = client.cookies.get(SESSION_COOKIE)
    return json.loads(b64decode(TimestampSigner(TEST_SECRET_KEY).unsign(signed)))


def who(client) -> str | None:
    """The user name in the page header, or None for a visitor."""
    html = client.get("/").text
    if 'class="who"' not in html:
        return None
    start = html.index('<span class="who"')
    return html[html.index(">", start) + 1 : html.index("</span>", start)]


def sessions_of(db, user_id: int) -> list[UserSession]:
    with db.sessions() as session:
        return list(session.scalars(select(UserSession).where(UserSession.user_id == user_id)))


def test_forged_signed_cookie_with_a_user_id_is_anonymous(app, client, db, admin):
    """Issue 16 item 1: with the key known, {"user_id": 1} once made anyone the administrator."""
    client.cookies.set(SESSION_COOKIE, signed_cookie({"user_id": admin.id, "csrf": "x"}))
    assert who(client) is None
    before = db.counts()
    refused = client.post(f"{API}/clusters", json=CLUSTER, headers={"X-CSRF-Token": "x"})
    assert refused.status_code == 401
    assert db.counts() == before
    # error pages, rendered with a session of their own, do not show the admin either
    missing = client.get("/clusters/999999")
    assert missing.status_code == 404
    assert 'class="who"' not in missing.text and ADMIN not in missing.text


def test_forged_cookie_with_an_unknown_or_odd_token_is_anonymous(client, db):
    for token in ("not-a-token", 12345, None, ["x"]):
        client.cookies.set(SESSION_COOKIE, signed_cookie({"token": token}))
        assert who(client) is None
        assert client.get("/users", follow_redirects=False).status_code == 303


def test_login_stores_only_the_hash_of_the_cookie_token(client, db, users):
    account = users.add("olga", "admin")
    login(client, account)
    data = cookie_data(client)
    assert set(data) == {"token", "csrf"}  # no user id in the cookie
    [row] = sessions_of(db, account.id)
    assert row.id == token_id(data["token"]) != data["token"]
    assert row.revoked_at is None
    assert row.expires_at - row.created_at == timedelta(hours=12)
    assert row.client == "testclient"


def test_logout_revokes_the_session_on_the_server(app, client, db, users):
    account = users.add("olga", "admin")
    token = login(client, account)
    stolen = client.cookies.get(SESSION_COOKIE)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 200
    [row] = sessions_of(db, account.id)
    assert row.revoked_at is not None
    with TestClient(app) as replay:  # the cookie copied before logout no longer works
        replay.cookies.set(SESSION_COOKIE, stolen)
        assert who(replay) is None
        assert (
            replay.post(
                f"{API}/clusters", json=CLUSTER, headers={"X-CSRF-Token": token}
            ).status_code
            == 401
        )


def test_login_rotates_the_token(app, client, db, users):
    first = users.add("olga", "admin")
    second = users.add("pavel", "admin")
    login(client, first)
    before = client.cookies.get(SESSION_COOKIE)
    old_token, old_csrf = cookie_data(client)["token"], cookie_data(client)["csrf"]
    login(client, second)
    assert cookie_data(client)["token"] != old_token
    assert cookie_data(client)["csrf"] != old_csrf
    assert who(client) == "pavel"
    with TestClient(app) as replay:
        replay.cookies.set(SESSION_COOKIE, before)
        assert who(replay) is None  # the browser's previous session ended at the new login


def test_a_new_password_ends_every_session_of_the_user(login_as, db, users):
    account = users.add("olga", "cluster_manager", clusters=[db.add_cluster()])
    browsers = [login_as(account), login_as(account)]
    assert [who(b) for b in browsers] == ["olga", "olga"]
    with db.session() as session:
        service.set_password(session, None, account.id, "новый пароль 123")
    assert [who(b) for b in browsers] == [None, None]
    assert all(row.revoked_at is not None for row in sessions_of(db, account.id))


def test_disabling_ends_every_session_and_enabling_does_not_revive_them(login_as, db, users):
    account = users.add("olga", "admin")
    browser = login_as(account)
    with db.session() as session:
        service.set_active(session, None, account.id, False)
    assert who(browser) is None
    with db.session() as session:
        service.set_active(session, None, account.id, True)
    assert who(browser) is None
    assert who(login_as(account)) == "olga"


def test_idle_session_ends(login_as, db, users):
    account = users.add("olga", "admin")
    browser = login_as(account)
    with db.session() as session:
        session.execute(
            update(UserSession)
            .values(last_seen_at=utcnow() - timedelta(minutes=121))
            .where(UserSession.user_id == account.id)
        )
    assert who(browser) is None


def test_session_ends_at_its_absolute_lifetime_even_when_used(login_as, db, users):
    account = users.add("olga", "admin")
    browser = login_as(account)
    with db.session() as session:
        session.execute(
            update(UserSession)
            .values(
                created_at=utcnow() - timedelta(hours=13),
                expires_at=utcnow() - timedelta(seconds=1),
            )
            .where(UserSession.user_id == account.id)
        )
    assert who(browser) is None


def test_last_seen_is_written_at_most_once_a_minute(login_as, db, users):
    account = users.add("olga", "admin")
    browser = login_as(account)
    [row] = sessions_of(db, account.id)
    who(browser)
    assert sessions_of(db, account.id)[0].last_seen_at == row.last_seen_at
    earlier = utcnow() - timedelta(minutes=5)
    with db.session() as session:
        session.execute(update(UserSession).values(last_seen_at=earlier))
    assert who(browser) == "olga"
    assert sessions_of(db, account.id)[0].last_seen_at > earlier + timedelta(minutes=4)
