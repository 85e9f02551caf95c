"""Who may call each documents route, for every role and anonymous visitors: reads of public
and non-public documents (lists, pages, API, every download), and every write (API and pages).
Representatives read a cluster's non-public documents when their enterprise is a member or an
applicant of it, not when it is a potential or former member."""

import pytest
from factories import fresh_inn

from documents import samples
from documents.kit import META, page_post, upload

ROLES = ("admin", "manager", "stranger", "member_rep", "applicant_rep", "potential_rep", "anon")
# Who reads the cluster's non-public documents.
INSIDERS = {"admin", "manager", "member_rep", "applicant_rep"}
# Who writes them.
WRITERS = {"admin", "manager"}


@pytest.fixture
def world(db, users, login_as, client, admin_client):
    own, other = db.add_cluster(name="Свой кластер"), db.add_cluster(name="Чужой кластер")
    enterprises = {}
    for status in ("member", "applicant", "potential"):
        enterprises[status] = db.add_enterprise(name=f"Завод {status}", inn=fresh_inn())
        db.add_membership(own, enterprises[status], status=status)
    public = upload(admin_client, own, {"public": "true", "title": "Открытое соглашение"})
    hidden = upload(admin_client, own, {"title": "Закрытый договор"}, samples.png(), "скан.png")
    assert public.status_code == hidden.status_code == 201
    clients = {
        "admin": login_as(users.add("boss", "admin")),
        "manager": login_as(users.add("mgr", "cluster_manager", clusters=[own])),
        "stranger": login_as(users.add("other-mgr", "cluster_manager", clusters=[other])),
        "anon": client,
    }
    for status in enterprises:
        account = users.add(f"rep-{status}", "enterprise_rep", enterprise=enterprises[status])
        clients[f"{status}_rep"] = login_as(account)
    return {
        "own": own,
        "public": public.json()["id"],
        "hidden": hidden.json()["id"],
        "clients": clients,
    }


def read_status(role: str, readable: bool, page: bool) -> int:
    if readable:
        return 200
    if role == "anon":
        return 303 if page else 401  # pages send anonymous visitors to log in
    return 403


READS = [
    ("/api/v1/documents/{id}", False),
    ("/api/v1/documents/{id}/file", False),
    ("/api/v1/documents/{id}/files/1", False),
    ("/documents/{id}", True),
    ("/documents/{id}/download", True),
    ("/documents/{id}/files/1", True),
]


def test_reads_for_every_role(world):
    for role in ROLES:
        http = world["clients"][role]
        insider = role in INSIDERS
        listed = http.get(f"/api/v1/clusters/{world['own']}/documents")
        assert listed.status_code == 200
        titles = {d["title"] for d in listed.json()}
        expected = {"Открытое соглашение", "Закрытый договор"} if insider else {
            "Открытое соглашение"
        }  # fmt: skip
        assert titles == expected, role
        page = http.get(f"/clusters/{world['own']}/documents")
        assert page.status_code == 200
        assert ("Закрытый договор" in page.text) is insider, role
        assert "Открытое соглашение" in page.text
        assert ('enctype="multipart/form-data"' in page.text) is (role in WRITERS), role
        for path, is_page in READS:
            public = http.get(path.format(id=world["public"]), follow_redirects=False)
            assert public.status_code == 200, (role, path)
            hidden = http.get(path.format(id=world["hidden"]), follow_redirects=False)
            assert hidden.status_code == read_status(role, insider, is_page), (role, path)
            if hidden.status_code == 303:
                assert hidden.headers["location"].startswith("/login?next=")


def test_api_writes_for_every_role(world, db):
    for role in ROLES:
        http = world["clients"][role]
        writer = role in WRITERS
        created = upload(http, world["own"], {"title": f"Документ {role}"})
        assert created.status_code == (201 if writer else 401 if role == "anon" else 403), role
        hidden = f"/api/v1/documents/{world['hidden']}"
        patched = http.patch(hidden, json={"note": role})
        assert patched.status_code == (200 if writer else 401 if role == "anon" else 403), role
        replaced = http.post(f"{hidden}/files", files={"file": ("v.pdf", samples.pdf(role))})
        assert replaced.status_code == (201 if writer else 401 if role == "anon" else 403), role
    assert db.count("documents") == 2 + len(WRITERS)
    assert db.count("document_files") == 2 + 2 * len(WRITERS)
    path = f"/api/v1/documents/{world['public']}"
    for role in set(ROLES) - {"admin"}:  # only administrators delete
        answer = world["clients"][role].delete(path)
        assert answer.status_code == (401 if role == "anon" else 403), role
    assert world["clients"]["admin"].delete(path).status_code == 204
    assert db.count("documents") == 1 + len(WRITERS)


def test_page_writes_for_every_role(world, db):
    for role in ROLES:
        http = world["clients"][role]
        writer = role in WRITERS
        refused = 403 if role != "anon" else (303, 403)
        posts = [
            (f"/clusters/{world['own']}/documents", {**META, "title": f"Через форму {role}"},
             {"file": ("форма.pdf", samples.pdf(role), "application/pdf")}),
            (f"/documents/{world['hidden']}/edit", {**META, "title": "Закрытый договор"}, None),
            (f"/documents/{world['hidden']}/files", {},
             {"file": ("новый.pdf", samples.pdf("new " + role), "application/pdf")}),
        ]  # fmt: skip
        for path, data, files in posts:
            answer = page_post(http, path, data, files)
            if writer:
                assert answer.status_code == 303, (role, path, answer.text[-300:])
            elif role == "anon":
                assert answer.status_code in refused, (role, path)
            else:
                assert answer.status_code == refused, (role, path)
        deleted = page_post(http, f"/documents/{world['public']}/delete")
        if role == "admin":
            assert deleted.status_code == 303
            world["public"] = world["hidden"]  # the next roles try the one left
        elif role == "anon":
            assert deleted.status_code in (303, 403)
        else:
            assert deleted.status_code == 403, role
    assert db.count("documents") == 1 + len(WRITERS)


def test_audit_entries_of_documents_are_for_administrators(world):
    """A non-public document's title must not reach outsiders through the audit log."""
    params = {"entity": "documents", "per_page": 500}
    everything = world["clients"]["admin"].get("/api/v1/audit", params=params).json()
    assert everything["total"] >= 2
    assert "Закрытый договор" in str(everything["items"])
    for role in ("manager", "stranger", "member_rep"):
        seen = world["clients"][role].get("/api/v1/audit", params=params).json()
        assert seen["total"] == 0, role
