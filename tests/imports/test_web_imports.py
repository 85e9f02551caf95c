"""Imports and exports over HTTP: the REST upload runs in the background and is followed by its
run; logins, roles and CSRF guard it; downloads honour the list filters and the login rule."""

import time

from factories import inn10

API = "/api/v1"


def _csv(*rows: str) -> bytes:
    return "\n".join(["ИНН;Наименование;Регион", *rows]).encode("cp1251")


def _wait(client, run_id: int, auth=None) -> dict:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        run = client.get(f"{API}/imports/{run_id}", auth=auth).json()
        if run["status"] != "running":
            return run
        time.sleep(0.05)
    raise AssertionError(f"import {run_id} did not finish")


def test_upload_runs_in_background_and_reports(admin_client, db):
    good = inn10("720400011")
    body = _csv(f"{good};ООО «Сетевое»;72", "1234567890;Плохой ИНН;72")
    answer = admin_client.post(
        f"{API}/imports",
        data={"kind": "enterprises"},
        files={"file": ("список.csv", body, "text/csv")},
    )
    assert answer.status_code == 202
    run = _wait(admin_client, answer.json()["id"])
    assert (run["status"], run["created"], run["rejected"]) == ("done", 1, 1)
    assert run["columns"] == {"inn": "ИНН", "name": "Наименование", "region_code": "Регион"}
    report = admin_client.get(f"{API}/imports/{run['id']}/errors.csv")
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("3;ИНН;1234567890;")
    assert db.count("enterprises") == 1


def test_the_run_page_shows_the_first_hundred_lines_of_the_error_report(admin_client, db):
    valid = [inn10(f"72060{n:04d}") for n in range(1, 100)]
    bad = [f"{v[:-1]}{(int(v[-1]) + 1) % 10};Плохой ИНН №{n};72" for n, v in enumerate(valid, 1)]
    bad += [f"<b>ИНН {n}</b>;ООО «Завод {n}»;72" for n in range(1, 11)]
    answer = admin_client.post(
        f"{API}/imports",
        data={"kind": "enterprises"},
        files={"file": ("список.csv", _csv(*bad), "text/csv")},
    )
    run = _wait(admin_client, answer.json()["id"])
    assert (run["status"], run["created"], run["rejected"]) == ("done", 0, 109)
    page = admin_client.get(f"/imports/{run['id']}").text
    table = page.split('id="rejected-lines"')[1].split("</table>")[0]
    assert "Первые 100 строк отчёта об ошибках" in table
    rows = table.count("<tr><td>")
    assert rows == 100
    first = f"{valid[0][:-1]}{(int(valid[0][-1]) + 1) % 10}"
    assert f"<tr><td>2</td><td>ИНН</td><td>{first}</td>" in table
    assert "ИНН 1&lt;" in table and "ИНН 2&lt;" not in table  # row 101 is the 100th line
    assert "<b>" not in table and "&lt;b&gt;" in table  # values are text, never markup


def test_unusable_upload_fails_the_run_and_writes_nothing(admin_client, db):
    answer = admin_client.post(
        f"{API}/imports",
        data={"kind": "enterprises"},
        files={"file": ("фото.csv", b"\xff\xd8\xff\xe0" + bytes(500), "text/csv")},
    )
    run = _wait(admin_client, answer.json()["id"])
    assert run["status"] == "failed"
    assert "изображение JPEG" in run["message"]
    assert db.count("enterprises") == 0


def test_upload_needs_login_csrf_and_a_known_kind(client, admin_client, admin, db):
    files = {"file": ("a.csv", _csv(), "text/csv")}
    assert (
        client.post(f"{API}/imports", data={"kind": "enterprises"}, files=files).status_code == 401
    )
    assert (
        client.post(
            f"{API}/imports",
            data={"kind": "enterprises"},
            files=files,
            cookies={"promcluster_session": admin.cookie},
        ).status_code
        == 403
    )
    unknown = admin_client.post(f"{API}/imports", data={"kind": "firms"}, files=files)
    assert unknown.status_code == 422
    assert "нет вида загрузки" in unknown.text


def test_other_users_runs_are_hidden(client, admin_client, users, db):
    answer = admin_client.post(
        f"{API}/imports",
        data={"kind": "enterprises"},
        files={"file": ("a.csv", _csv(f"{inn10('720400022')};ООО «Чужое»;72"), "text/csv")},
    )
    run_id = answer.json()["id"]
    _wait(admin_client, run_id)
    own = db.add_enterprise(name="ООО «Своё»", region_code="72")
    rep = users.add("rep", role="enterprise_rep", enterprise=own)
    assert client.get(f"{API}/imports/{run_id}", auth=rep.auth).status_code == 404
    assert client.get(f"{API}/imports/{run_id}/errors.csv", auth=rep.auth).status_code == 404
    assert client.get(f"{API}/imports/{run_id}").status_code == 401


def test_enterprise_representative_cannot_create_enterprises_by_import(client, users, db):
    own = db.add_enterprise(name="ООО «Своё»", region_code="72")
    rep = users.add("rep-import", role="enterprise_rep", enterprise=own)
    answer = client.post(
        f"{API}/imports",
        data={"kind": "enterprises"},
        files={"file": ("a.csv", _csv(f"{inn10('720400033')};ООО «Новое»;72"), "text/csv")},
        auth=rep.auth,
    )
    assert answer.status_code == 202
    run = _wait(client, answer.json()["id"], auth=rep.auth)
    assert (run["created"], run["rejected"]) == (0, 1)
    report = client.get(f"{API}/imports/{run['id']}/errors.csv", auth=rep.auth).text
    assert "нет прав" in report
    assert db.count("enterprises") == 1


def test_downloads_follow_filters_and_login_rule(client, admin_client, db):
    db.add_enterprise(inn=inn10("720400044"), name="ООО «Тюменское»", region_code="72")
    db.add_enterprise(inn=inn10("470400055"), name="ООО «Ленинградское»", region_code="47")
    tyumen = client.get(f"{API}/export/enterprises.csv", params={"region": "72"})
    assert tyumen.status_code == 200
    assert tyumen.headers["content-type"].startswith("text/csv")
    text = tyumen.content.decode("utf-8-sig")
    assert "ООО «Тюменское»" in text and "Ленинградское" not in text
    assert client.get(f"{API}/export/needs.csv").status_code == 403
    assert admin_client.get(f"{API}/export/needs.xlsx").status_code == 200
    assert client.get(f"{API}/export/firms.csv").status_code == 422
    assert client.get(f"{API}/export/enterprises.pdf").status_code == 422
    template = client.get(f"{API}/templates/members.xlsx")
    assert template.status_code == 200
    assert template.content[:2] == b"PK"


def test_enterprise_card_shows_imported_products_to_logged_in_users(client, admin_client, db):
    inn = inn10("720400066")
    firm = db.add_enterprise(inn=inn, name="ООО «Газоблок»", region_code="72")
    body = "\n".join(
        [
            "ИНН;ОКПД2;Направление;Наименование продукции;Стоимость в год, руб.;Доля импорта",
            f"{inn};23.61.11;производит;Блоки газобетонные D500;48 000 000;",
            f"{inn};22.21.30;потребляет;Плёнка упаковочная;6 500 000;35%",
        ]
    ).encode("utf-8")
    answer = admin_client.post(
        f"{API}/imports",
        data={"kind": "products"},
        files={"file": ("продукция.csv", body, "text/csv")},
    )
    assert _wait(admin_client, answer.json()["id"])["created"] == 2
    card = admin_client.get(f"/enterprises/{firm}").text
    assert "Блоки газобетонные D500" in card and "Плёнка упаковочная" in card
    assert "35\u00a0%" in card
    public = client.get(f"/enterprises/{firm}").text
    assert "Блоки газобетонные D500" not in public
    assert "видны после входа" in public


def test_cluster_page_offers_its_member_list(client, db):
    cluster = db.add_cluster(name="Кластер со списком", region_codes=["72"])
    other = db.add_cluster(name="Другой кластер", region_codes=["72"])
    member = db.add_enterprise(name="ООО «Участник списка»", region_code="72")
    outsider = db.add_enterprise(name="ООО «Чужой участник»", region_code="72")
    db.add_membership(cluster, member)
    db.add_membership(other, outsider)
    page = client.get(f"/clusters/{cluster}").text
    link = f"/api/v1/export/members.csv?cluster_id={cluster}"
    assert link in page
    text = client.get(link).content.decode("utf-8-sig")
    assert "ООО «Участник списка»" in text and "Чужой участник" not in text
