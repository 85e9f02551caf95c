"""Login, logout, CSRF protection of cookie sessions, and how passwords are stored."""

import pytest
from factories import PASSWORD, SESSION_COOKIE, csrf_from, login
from sqlalchemy import select

from promcluster.accounts.service import create_user
from promcluster.auth.models import User
from promcluster.auth.service import authenticate
from promcluster.errors import InvalidField

API = "/api/v1"


def logged_in_as(client) -> str | None:
    """The name shown in the page header, or None when the page offers to log in."""
    html = client.get("/").text
    if 'href="/login?next=' in html:
        return None
    start = html.index('<span class="who"')
    return html[html.index(">", start) + 1 : html.index("</span>", start)]


# Login


def test_login_with_the_form_opens_a_session(client, users):
    account = users.add("olga", "admin")
    assert logged_in_as(client) is None
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "olga", "password": PASSWORD, "csrf_token": token, "next": "/map"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/map"
    assert client.cookies.get(SESSION_COOKIE)
    assert logged_in_as(client) == account.username


@pytest.mark.parametrize(
    ("username", "password"), [("olga", "wrong password"), ("nobody", PASSWORD)]
)
def test_login_with_wrong_credentials_is_a_401_page(client, users, username, password):
    users.add("olga", "admin")
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert "text/html" in response.headers["content-type"]
    assert "Неверное имя пользователя или пароль" in response.text
    assert f'value="{username}"' in response.text  # the form keeps the name typed
    assert logged_in_as(client) is None


def test_login_with_an_empty_password_is_refused(client, users):
    users.add("olga", "admin")
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "olga", "password": "", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "password" in response.text
    assert logged_in_as(client) is None


def test_login_does_not_redirect_to_another_site(client, users):
    users.add("olga", "admin")
    for target in ("//evil.example/", "https://evil.example/", "javascript:alert(1)"):
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login",
            data={"username": "olga", "password": PASSWORD, "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/"


def test_logout_needs_the_csrf_token(client, users):
    account = users.add("olga", "admin")
    token = login(client, account)
    refused = client.post("/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert logged_in_as(client) == "olga"
    done = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert logged_in_as(client) is None


def test_inactive_user_cannot_log_in(client, db, users):
    account = users.add("olga", "admin")
    with db.session() as session:
        session.get(User, account.id).is_active = False
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "olga", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 401


def test_edit_page_sends_visitors_to_the_login_form(client, db):
    cluster = db.add_cluster()
    response = client.get(f"/clusters/{cluster}/edit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/clusters/{cluster}/edit"


# CSRF


def test_cookie_session_api_write_needs_the_csrf_header(client, db, users):
    account = users.add("olga", "admin")
    token = login(client, account)
    body = {"name": "Кластер", "region_codes": ["72"]}
    before = db.counts()
    missing = client.post(f"{API}/clusters", json=body)
    assert missing.status_code == 403
    wrong = client.post(f"{API}/clusters", json=body, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    assert db.counts() == before
    ok = client.post(f"{API}/clusters", json=body, headers={"X-CSRF-Token": token})
    assert ok.status_code == 201, ok.text
    path = f"{API}/clusters/{ok.json()['id']}"
    assert client.patch(path, json={"name": "X", "version": 1}).status_code == 403
    assert client.delete(path).status_code == 403
    assert client.get(path).json() == ok.json()


def test_csrf_token_of_another_session_is_refused(app, client, db, users):
    from fastapi.testclient import TestClient

    account = users.add("olga", "admin")
    login(client, account)
    with TestClient(app) as stranger:
        foreign_token = csrf_from(stranger.get("/login").text)
    before = db.counts()
    response = client.post(
        f"{API}/clusters",
        json={"name": "Кластер", "region_codes": ["72"]},
        headers={"X-CSRF-Token": foreign_token},
    )
    assert response.status_code == 403
    assert db.counts() == before


def test_http_basic_api_writes_need_no_csrf_token(client, users):
    account = users.add("olga", "admin")
    response = client.post(
        f"{API}/clusters", json={"name": "Кластер", "region_codes": ["72"]}, auth=account.auth
    )
    assert response.status_code == 201


def test_login_form_post_without_csrf_token_is_refused(client, users):
    users.add("olga", "admin")
    client.get("/login")
    response = client.post(
        "/login", data={"username": "olga", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert logged_in_as(client) is None


def test_edit_form_posts_without_csrf_token_are_refused(client, db, users):
    cluster = db.add_cluster(name="Старое имя")
    enterprise = db.add_enterprise(name="Старое предприятие")
    membership = db.add_membership(cluster, enterprise, status="applicant")
    newcomer = db.add_enterprise()
    login(client, users.add("olga", "admin"))
    before = db.counts()
    for path, data in (
        (f"/clusters/{cluster}/edit", {"name": "Новое имя", "version": "1"}),
        (f"/enterprises/{enterprise}/edit", {"name": "Новое", "version": "1"}),
        (f"/clusters/{cluster}/members", {"enterprise_id": str(newcomer), "status": "member"}),
        (f"/memberships/{membership}/status", {"status": "member", "version": "1"}),
    ):
        for sent in (data, {**data, "csrf_token": "forged"}):
            response = client.post(path, data=sent, follow_redirects=False)
            assert response.status_code == 403, path
            assert "text/html" in response.headers["content-type"]
    assert db.counts() == before
    assert client.get(f"{API}/clusters/{cluster}").json()["name"] == "Старое имя"


def test_edit_form_with_csrf_token_saves(client, db, users):
    cluster = db.add_cluster(name="Старое имя", region_codes=["72"])
    token = login(client, users.add("olga", "admin"))
    form = client.get(f"/clusters/{cluster}/edit").text
    assert csrf_from(form) == token
    response = client.post(
        f"/clusters/{cluster}/edit",
        data={
            "csrf_token": token,
            "version": "1",
            "name": "Новое имя",
            "status": "regional",
            "region_codes": "72, 86",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    read = client.get(f"{API}/clusters/{cluster}").json()
    assert read["name"] == "Новое имя"
    assert read["status"] == "regional"
    assert read["region_codes"] == ["72", "86"]
    assert db.audit(entity="clusters", action="update")[-1].actor == "olga"


def test_edit_form_refuses_an_invalid_inn_and_keeps_the_card(client, db, users):
    enterprise = db.add_enterprise(name="Завод")
    token = login(client, users.add("olga", "admin"))
    before = db.counts()
    response = client.post(
        f"/enterprises/{enterprise}/edit",
        data={"csrf_token": token, "version": "1", "name": "Завод", "inn": "1234567890"},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "неверная контрольная цифра ИНН" in response.text
    assert client.get(f"{API}/enterprises/{enterprise}").json()["inn"] is None
    assert db.counts() == before


def test_edit_form_with_stale_version_changes_nothing(client, db, users):
    cluster = db.add_cluster(name="Исходное")
    token = login(client, users.add("olga", "admin"))
    first = client.post(
        f"/clusters/{cluster}/edit",
        data={"csrf_token": token, "version": "1", "name": "Первая правка", "region_codes": "72"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    before = db.counts()
    second = client.post(
        f"/clusters/{cluster}/edit",
        data={"csrf_token": token, "version": "1", "name": "Вторая правка", "region_codes": "72"},
        follow_redirects=False,
    )
    assert second.status_code == 409
    assert client.get(f"{API}/clusters/{cluster}").json()["name"] == "Первая правка"
    assert db.counts() == before


# Passwords


def test_passwords_are_stored_as_argon2_hashes(db, users):
    users.add("olga", "admin", password="Тайный пароль 1")
    with db.sessions() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "olga"))
    assert stored.startswith("$argon2")
    assert "Тайный пароль 1" not in stored
    [entry] = db.audit(entity="users", action="create")
    assert entry.changes["password_hash"] == "***"
    assert "Тайный пароль 1" not in str(entry.changes)
    assert "$argon2" not in str(entry.changes)


def test_same_password_gives_different_hashes(db, users):
    users.add("olga", "admin")
    users.add("pavel", "admin")
    with db.sessions() as session:
        hashes = set(session.scalars(select(User.password_hash).where(User.username != "admin")))
    assert len(hashes) == 2


def test_authenticate(db, users):
    users.add("olga", "admin")
    with db.session() as session:
        assert authenticate(session, "olga", PASSWORD).username == "olga"
        assert authenticate(session, " olga ", PASSWORD).username == "olga"
        assert authenticate(session, "olga", PASSWORD + "x") is None
        assert authenticate(session, "nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"username": "  ", "role": "admin"}, "username"),
        ({"username": "u", "role": "admin", "password": "short"}, "password"),
        ({"username": "u", "role": "superuser"}, "role"),
        ({"username": "u", "role": "cluster_manager"}, "clusters"),
        ({"username": "u", "role": "cluster_manager", "cluster_ids": [999999]}, "clusters"),
        ({"username": "u", "role": "enterprise_rep"}, "enterprise"),
        ({"username": "u", "role": "enterprise_rep", "enterprise_id": 999999}, "enterprise"),
        ({"username": "admin", "role": "admin"}, "username"),
    ],
)
def test_create_user_refuses_bad_input(db, kwargs, field):
    before = db.counts()
    kwargs = {"password": PASSWORD, **kwargs}
    with pytest.raises(InvalidField) as exc, db.session() as session:
        create_user(session, **kwargs)
    assert exc.value.field == field
    assert db.counts() == before


def test_new_enterprise_form_creates_a_card_and_refuses_bad_rows(client, db, users):
    cluster = db.add_cluster()
    token = login(client, users.add("manager", "cluster_manager", clusters=[cluster]))
    assert client.get("/enterprises/new").status_code == 200
    before = db.counts()
    missing_region = client.post(
        "/enterprises/new",
        data={"csrf_token": token, "name": "Завод", "region_code": "", "okved_main": "23.61"},
        follow_redirects=False,
    )
    assert missing_region.status_code == 422
    assert 'data-error-for="region_code"' in missing_region.text
    unknown_code = client.post(
        "/enterprises/new",
        data={"csrf_token": token, "name": "Завод", "region_code": "72", "okved_main": "99.99"},
        follow_redirects=False,
    )
    assert unknown_code.status_code == 422
    assert 'data-error-for="okved_main"' in unknown_code.text
    assert db.counts() == before
    created = client.post(
        "/enterprises/new",
        data={"csrf_token": token, "name": "Завод", "region_code": "72", "okved_main": "23.61"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    card = client.get(created.headers["location"])
    assert "Завод" in card.text and "Тюменская область" in card.text


def test_new_enterprise_form_is_refused_to_a_representative(client, db, users):
    token = login(client, users.add("rep", "enterprise_rep", enterprise=db.add_enterprise()))
    assert client.get("/enterprises/new").status_code == 403
    refused = client.post(
        "/enterprises/new",
        data={"csrf_token": token, "name": "Завод", "region_code": "72"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
