"""User administration (issue 16 item 10): the administrator's /users page and the ``user``
commands; disabling a user or giving a new password ends their sessions."""

import pytest
from factories import PASSWORD, csrf_from
from typer.testing import CliRunner

from promcluster.auth.models import User
from promcluster.cli import app as cli

runner = CliRunner()


def who(client) -> str | None:
    html = client.get("/").text
    if 'class="who"' not in html:
        return None
    start = html.index('<span class="who"')
    return html[html.index(">", start) + 1 : html.index("</span>", start)]


@pytest.fixture
def people(db, users):
    cluster = db.add_cluster()
    enterprise = db.add_enterprise()
    return {
        "admin": users.add("boss", "admin"),
        "cluster_manager": users.add("manager", "cluster_manager", clusters=[cluster]),
        "enterprise_rep": users.add("rep", "enterprise_rep", enterprise=enterprise),
        "cluster": cluster,
        "enterprise": enterprise,
    }


def writes(target: int, cluster: int):
    return [
        (f"/users/{target}/active", {"active": "false"}),
        (f"/users/{target}/role", {"role": "cluster_manager", "clusters": str(cluster)}),
        (f"/users/{target}/password", {"password": "x" * 10, "password_again": "x" * 10}),
        ("/users", {"username": "newbie", "role": "admin", "password": "x" * 10}),
    ]


def test_users_page_is_for_administrators_only(client, login_as, db, people):
    page = login_as(people["admin"]).get("/users")
    assert page.status_code == 200
    assert all(f'data-username="{n}"' in page.text for n in ("boss", "manager", "rep"))
    for role in ("cluster_manager", "enterprise_rep"):
        browser = login_as(people[role])
        assert browser.get("/users").status_code == 403
        assert 'href="/users"' not in browser.get("/").text
    assert 'href="/users"' in login_as(people["admin"]).get("/").text
    anonymous = client.get("/users", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/users"


@pytest.mark.parametrize("role", ["cluster_manager", "enterprise_rep", "anonymous"])
def test_user_writes_are_refused_to_others(client, login_as, db, people, role):
    target = people["enterprise_rep"].id
    browser = client if role == "anonymous" else login_as(people[role])
    token = csrf_from(client.get("/login").text) if role == "anonymous" else None
    before = db.counts()
    for path, data in writes(target, people["cluster"]):
        sent = {**data, "csrf_token": token or browser.headers["X-CSRF-Token"]}
        response = browser.post(path, data=sent, follow_redirects=False)
        assert response.status_code == (303 if role == "anonymous" else 403), path
        if role == "anonymous":
            assert response.headers["location"].startswith("/login")
    assert db.counts() == before


def test_user_forms_need_the_csrf_token(login_as, db, people):
    browser = login_as(people["admin"])
    before = db.counts()
    for path, data in writes(people["enterprise_rep"].id, people["cluster"]):
        assert browser.post(path, data=data, follow_redirects=False).status_code == 403
    assert db.counts() == before


def test_administrator_disables_a_user_and_their_sessions_end(login_as, db, people):
    admin = login_as(people["admin"])
    rep = login_as(people["enterprise_rep"])
    assert who(rep) == "rep"
    token = csrf_from(admin.get("/users").text)
    done = admin.post(
        f"/users/{people['enterprise_rep'].id}/active",
        data={"csrf_token": token, "active": "false"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert who(rep) is None
    assert not db.get(User, people["enterprise_rep"].id).is_active
    [entry] = db.audit(entity="users", action="update")
    assert entry.actor == "boss" and entry.changes["is_active"] == [True, False]
    enabled = admin.post(
        f"/users/{people['enterprise_rep'].id}/active",
        data={"csrf_token": token, "active": "true"},
        follow_redirects=False,
    )
    assert enabled.status_code == 303
    assert db.get(User, people["enterprise_rep"].id).is_active


def test_administrator_resets_a_password(client, login_as, db, people):
    admin = login_as(people["admin"])
    manager = login_as(people["cluster_manager"])
    token = csrf_from(admin.get("/users").text)
    path = f"/users/{people['cluster_manager'].id}/password"
    mismatch = admin.post(
        path, data={"csrf_token": token, "password": "a" * 10, "password_again": "b" * 10}
    )
    assert mismatch.status_code == 422 and "пароли не совпадают" in mismatch.text
    short = admin.post(path, data={"csrf_token": token, "password": "a", "password_again": "a"})
    assert short.status_code == 422 and "пароль короче 8 символов" in short.text
    assert who(manager) == "manager"
    done = admin.post(
        path,
        data={"csrf_token": token, "password": "новый пароль", "password_again": "новый пароль"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert who(manager) is None
    assert client.get("/api/v1/audit", auth=("manager", PASSWORD)).status_code == 401
    assert client.get("/api/v1/audit", auth=("manager", "новый пароль")).status_code == 200


def test_administrator_changes_a_role_and_scope(login_as, db, people):
    admin = login_as(people["admin"])
    token = csrf_from(admin.get("/users").text)
    path = f"/users/{people['enterprise_rep'].id}/role"
    bad = admin.post(path, data={"csrf_token": token, "role": "cluster_manager"})
    assert bad.status_code == 422
    assert "менеджеру кластера нужен хотя бы один кластер" in bad.text
    done = admin.post(
        path,
        data={"csrf_token": token, "role": "cluster_manager", "clusters": str(people["cluster"])},
        follow_redirects=False,
    )
    assert done.status_code == 303
    changed = db.get(User, people["enterprise_rep"].id)
    assert changed.role == "cluster_manager" and changed.enterprise_id is None
    assert changed.cluster_ids == {people["cluster"]}


def test_administrator_creates_a_user(client, login_as, db, people):
    admin = login_as(people["admin"])
    token = csrf_from(admin.get("/users").text)
    created = admin.post(
        "/users",
        data={
            "csrf_token": token,
            "username": "olga",
            "full_name": "Ольга",
            "role": "enterprise_rep",
            "enterprise": str(people["enterprise"]),
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    assert client.get("/api/v1/audit", auth=("olga", PASSWORD)).status_code == 200
    taken = admin.post(
        "/users",
        data={"csrf_token": token, "username": "olga", "role": "admin", "password": PASSWORD},
    )
    assert taken.status_code == 422 and "уже есть" in taken.text


def test_administrator_cannot_lock_themselves_out(login_as, db, people):
    admin = login_as(people["admin"])
    token = csrf_from(admin.get("/users").text)
    me = people["admin"].id
    off = admin.post(f"/users/{me}/active", data={"csrf_token": token, "active": "false"})
    assert off.status_code == 422 and "собственную учётную запись" in off.text
    demote = admin.post(
        f"/users/{me}/role",
        data={"csrf_token": token, "role": "cluster_manager", "clusters": str(people["cluster"])},
    )
    assert demote.status_code == 422
    assert db.get(User, me).is_active and db.get(User, me).role == "admin"


def test_unknown_user_is_404(login_as, people):
    admin = login_as(people["admin"])
    token = csrf_from(admin.get("/users").text)
    response = admin.post("/users/999999/active", data={"csrf_token": token, "active": "false"})
    assert response.status_code == 404


# The command line


def run(*args: str, password: str | None = None):
    env = {"PROMCLUSTER_NEW_PASSWORD": password} if password is not None else {}
    return runner.invoke(cli, list(args), env=env)


def test_user_commands(login_as, db, people):
    url = ["--database", db.url]
    rep = login_as(people["enterprise_rep"])
    listed = run("user", "list", *url)
    assert listed.exit_code == 0, listed.output
    assert "boss" in listed.output and "manager" in listed.output and "rep" in listed.output

    disabled = run("user", "disable", "rep", *url)
    assert disabled.exit_code == 0, disabled.output
    assert who(rep) is None and not db.get(User, people["enterprise_rep"].id).is_active
    assert run("user", "enable", "rep", *url).exit_code == 0
    assert db.get(User, people["enterprise_rep"].id).is_active

    rep = login_as(people["enterprise_rep"])
    changed = run("user", "set-password", "rep", *url, password="другой пароль")
    assert changed.exit_code == 0, changed.output
    assert who(rep) is None
    assert db.audit(entity="users", action="update")[-1].actor == "cli:user-set-password"

    role = run(
        "user",
        "set-role",
        "rep",
        "--role",
        "cluster_manager",
        "--cluster",
        str(people["cluster"]),
        *url,
    )
    assert role.exit_code == 0, role.output
    assert db.get(User, people["enterprise_rep"].id).role == "cluster_manager"
    back = run(
        "user",
        "set-role",
        "rep",
        "--role",
        "enterprise_rep",
        "--enterprise",
        str(people["enterprise"]),
        *url,
    )
    assert back.exit_code == 0, back.output


def test_user_commands_refuse_bad_input(db, people):
    url = ["--database", db.url]
    before = db.counts()
    unknown = run("user", "disable", "nobody", *url)
    assert unknown.exit_code == 2 and "нет пользователя «nobody»" in unknown.output
    short = run("user", "set-password", "rep", *url, password="short")
    assert short.exit_code == 2 and "пароль короче" in short.output
    bad_role = run("user", "set-role", "rep", "--role", "cluster_manager", *url)
    assert bad_role.exit_code == 2 and "кластер" in bad_role.output
    assert db.counts() == before
    assert run("user", "disable", "boss", *url).exit_code == 0  # "admin" is still there
    last_admin = run("user", "disable", "admin", *url)
    assert last_admin.exit_code == 2 and "последнего администратора" in last_admin.output
