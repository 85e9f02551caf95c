"""The audit log page (/audit): logged-in users only, each seeing what ``accounts.audit``
allows (the same entries as the API), with Russian labels, filters and pages."""

import re
from datetime import date, timedelta

import pytest
from factories import fresh_inn

from promcluster.auth.models import AuditLog


@pytest.fixture
def logged(db, users, login_as):
    """A cluster with an edited card, a users entry, and a client per role."""
    own, other = db.add_cluster(name="Свой кластер"), db.add_cluster(name="Чужой кластер")
    firm = db.add_enterprise(name="Завод", inn=fresh_inn())
    return {
        "own": own,
        "other": other,
        "admin": login_as(users.add("boss", "admin")),
        "manager": login_as(users.add("mgr", "cluster_manager", clusters=[own])),
        "rep": login_as(users.add("rep", "enterprise_rep", enterprise=firm)),
    }


def rows(html: str, changes: bool = True) -> list[str]:
    """The text of each entry row (without its changes, when ``changes`` is false)."""
    found = re.findall(r'<tr data-audit-entry="\d+">(.*?)</tr>', html, re.S)
    if not changes:
        found = [r[: r.rindex("<td")] for r in found]
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in found]


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    answer = client.get("/audit", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/audit"


@pytest.mark.parametrize("role", ["admin", "manager", "rep"])
def test_every_role_sees_the_registry_entries_in_russian(logged, role):
    page = logged[role].get("/audit")
    assert page.status_code == 200
    shown = rows(page.text, changes=False)
    assert any("создание кластер" in r and f"№ {logged['own']}" in r for r in shown), shown
    assert not [r for r in shown if "clusters" in r or " create " in f" {r} "], shown  # raw names
    assert f'href="/clusters/{logged["own"]}"' in page.text


def test_user_accounts_are_shown_to_administrators_only(logged):
    for role, sees in (("admin", True), ("manager", False), ("rep", False)):
        shown = rows(logged[role].get("/audit", params={"entity": "users"}).text)
        assert bool(shown) is sees, role
        assert all("пользователь" in r for r in shown)
    everything = " ".join(rows(logged["manager"].get("/audit").text))
    assert "пользователь" not in everything


def test_filters_narrow_by_kind_record_actor_and_date(db, logged):
    admin = logged["admin"]
    own = str(logged["own"])
    only_own = rows(admin.get("/audit", params={"entity": "clusters", "entity_id": own}).text)
    assert len(only_own) == 1 and f"№ {own}" in only_own[0]
    assert rows(admin.get("/audit", params={"actor": "nobody-at-all"}).text) == []
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert rows(admin.get("/audit", params={"since": tomorrow}).text) == []
    today = date.today().isoformat()
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert rows(admin.get("/audit", params={"since": yesterday, "until": today}).text)
    assert rows(admin.get("/audit", params={"until": "01.01.2000"}).text) == []


def test_a_bad_filter_is_named_in_russian(logged):
    answer = logged["manager"].get("/audit", params={"since": "вчера", "entity": "secrets"})
    assert answer.status_code == 422
    assert 'data-error-for="since"' in answer.text and "не дата" in answer.text
    assert 'data-error-for="entity"' in answer.text
    assert logged["manager"].get("/audit", params={"actor": "я" * 501}).status_code == 422


def test_the_log_is_paged(db, logged):
    with db.session() as session:
        session.add_all(
            AuditLog(
                actor="loader",
                action="update",
                entity="clusters",
                entity_id="1",
                changes={"name": ["А", "Б"]},
            )
            for _ in range(120)
        )
    first = logged["manager"].get("/audit", params={"actor": "loader"}).text
    assert len(rows(first)) == 50
    assert 'aria-label="Страницы"' in first and "страница 1 из 3" in first
    third = logged["manager"].get("/audit", params={"actor": "loader", "page": 3}).text
    assert len(rows(third)) == 20
    assert "изменение" in rows(third)[0] and "А → Б" in rows(third)[0]
    assert 'href="/audit?actor=loader&amp;page=2"' in third
