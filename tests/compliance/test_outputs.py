"""The report as the CLI's JSON (exit codes), as a workbook read back with openpyxl, as the
cluster page's fragment and the full printable page with checklist forms; the demo clusters."""

import io
import json
from datetime import date

import pytest
from factories import csrf_from
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from compliance.kit import TRADE, Builder
from promcluster.cli import app as cli
from promcluster.compliance.service import check
from promcluster.registry.models import Cluster

runner = CliRunner()
LENINGRAD = "Кластер химической промышленности Ленинградской области"
KALININGRAD = "Янтарный промышленный кластер Калининградской области"


def run(db, *args: str):
    return runner.invoke(cli, ["compliance", *args, "--database", db.url])


def test_the_command_writes_the_api_report_as_json(client, build: Builder, db, tmp_path):
    cluster = build.cluster(name="Кластер для CLI")
    build.members(cluster, 10)
    out = tmp_path / "report.json"
    result = run(db, "Кластер для CLI", "--as-of", "2024-06-01", "-o", str(out))
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["cluster"] == {"id": cluster, "name": "Кластер для CLI"}
    assert (document["as_of"], document["rule_set"], document["verdict"]) == (
        "2024-06-01",
        "federal",
        "incomplete",  # C2 passes; no supplies (C1, C3) and no specialised org (S1) recorded
    )
    c2 = next(c for c in document["criteria"] if c["id"] == "C2")
    assert (c2["title"], c2["status"], c2["value"], c2["threshold"]) == (
        "Минимальный состав",
        "pass",
        10,
        10,
    )
    api = client.get(f"/api/v1/clusters/{cluster}/compliance", params={"as_of": "2024-06-01"})
    assert api.json() == document
    by_id = run(db, str(cluster), "--as-of", "2021-01-01")  # JSON on stdout
    assert by_id.exit_code == 0
    early = json.loads(by_id.stdout)
    assert [n["id"] for n in early["not_in_force"]] == ["C4", "V1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Нет такого кластера"], "нет кластера"),
        (["{id}", "--as-of", "01.06.2024"], "ГГГГ-ММ-ДД"),
        (["{id}", "-o", "{out_csv}"], ".json"),
        (["{id}", "--rules", "region:99"], "нет правил"),
    ],
)
def test_the_command_refuses_bad_arguments_with_exit_2(build, db, tmp_path, args, message):
    cluster = build.cluster()
    out_csv = tmp_path / "report.csv"
    args = [a.format(id=cluster, out_csv=out_csv) for a in args]
    result = run(db, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not out_csv.exists()


def test_the_workbook_has_a_title_block_criteria_offenders_and_checklist(client, build, db):
    cluster = build.cluster(name="Кластер для Excel")
    build.members(cluster, 9)
    trader = build.member(cluster, okved=TRADE)
    build.tick(cluster, "C5", "application", "Заявление № 3")
    response = client.get(f"/clusters/{cluster}/compliance.xlsx", params={"as_of": "2024-06-01"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Соответствие", "Нарушения", "Чек-лист"]
    sheet = book["Соответствие"]
    assert "Кластер для Excel" in sheet["A1"].value
    assert sheet["B2"].value.date() == date(2024, 6, 1)
    assert sheet["B4"].value == "не соответствует требованиям"
    rows = {r[0]: r for r in sheet.iter_rows(min_row=8, values_only=True) if r[0]}
    assert list(rows) == ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "S1", "V1"]
    assert rows["C2"][3:6] == ("не выполнено", 9, "≥ 10")
    assert rows["C5"][3] == "ждёт отметок по документам"
    assert sheet.column_dimensions["H"].width >= 60
    offenders = list(book["Нарушения"].iter_rows(min_row=2, values_only=True))
    assert ("C2", "предприятие") in [(r[0], r[1]) for r in offenders]
    assert any(r[0] == "C2" and "раздел G" in r[3] for r in offenders)
    assert trader  # the trading member is the C2 offender above
    checklist = list(book["Чек-лист"].iter_rows(min_row=2, values_only=True))
    assert ("C5", "Заявление о подтверждении соответствия", "да", "Заявление № 3") in [
        r[:4] for r in checklist
    ]


def test_the_cluster_page_fragment_and_the_full_report(client, build, db):
    cluster = build.cluster()
    build.members(cluster, 3)
    fragment = client.get(f"/clusters/{cluster}/compliance/summary")
    assert fragment.status_code == 200
    assert 'data-verdict="fail"' in fragment.text
    assert fragment.text.count('data-rule="') == 9
    assert f'href="/clusters/{cluster}/compliance"' in fragment.text
    page = client.get(f"/clusters/{cluster}/compliance", params={"as_of": "2021-01-01"})
    assert page.status_code == 200
    assert "не действует на дату" in page.text  # C4 and V1 before the 2021 amendment
    assert "@media print" not in page.text and "/static/app.css" in page.text
    assert "Печать" in page.text and "mark-form" not in page.text  # no forms for the public
    assert (
        client.get(f"/clusters/{cluster}/compliance", params={"as_of": "вчера"}).status_code == 422
    )


def test_a_manager_ticks_an_item_through_the_page_form(login_as, users, build, db):
    cluster = build.cluster()
    http = login_as(users.add("manager", "cluster_manager", [cluster]))
    page = http.get(f"/clusters/{cluster}/compliance")
    assert "mark-form" in page.text
    form = {
        "csrf_token": csrf_from(page.text),
        "rule": "C6",
        "item": "programme",
        "done": "1",
        "as_of": "2024-06-01",
        "rule_set": "federal",
    }
    refused = http.post(f"/clusters/{cluster}/compliance/marks", data={**form, "reference": ""})
    assert refused.status_code == 200 and "укажите документ" in refused.text
    assert db.count("compliance_marks") == 0
    done = http.post(
        f"/clusters/{cluster}/compliance/marks",
        data={**form, "reference": "Программа развития, протокол № 2"},
    )
    assert done.status_code == 200
    assert "Программа развития, протокол № 2" in done.text
    assert db.count("compliance_marks") == 1
    no_csrf = http.post(f"/clusters/{cluster}/compliance/marks", data={**form, "csrf_token": "x"})
    assert no_csrf.status_code == 403


def test_the_rules_page_lets_an_admin_change_a_parameter(admin_client, client, db):
    public = client.get("/compliance/rules")
    assert public.status_code == 200 and "rule-form" not in public.text
    page = admin_client.get("/compliance/rules")
    token = csrf_from(page.text)
    rules = admin_client.get("/api/v1/compliance/rules").json()
    c2 = next(r for r in rules if r["code"] == "C2")
    form = {
        "csrf_token": token,
        "version": str(c2["version"]),
        "param.min_participants": "0",
        "param.industrial_sections": "B, C, D, E",
        "param.exclude_roles": "specialised_org",
        "enabled": "1",
    }
    refused = admin_client.post(f"/compliance/rules/{c2['id']}", data=form)
    assert "params.min_participants" in refused.text
    form["param.min_participants"] = "12"
    admin_client.post(f"/compliance/rules/{c2['id']}", data=form)
    after = next(
        r for r in admin_client.get("/api/v1/compliance/rules").json() if r["code"] == "C2"
    )
    assert after["params"] == {
        "min_participants": 12,
        "industrial_sections": ["B", "C", "D", "E"],
        "exclude_roles": ["specialised_org"],
    }


def test_every_demo_cluster_gets_a_report(demo):
    with demo.session() as session:
        clusters = session.scalars(select(Cluster)).all()
        reports = {c.name: check(session, c.id, date(2024, 6, 1)) for c in clusters}
    assert len(reports) == 9
    assert all(
        len(r.criteria) == 9 and r.verdict in ("fail", "incomplete") for r in reports.values()
    )
    leningrad = {c.id: c for c in reports[LENINGRAD].criteria}
    assert leningrad["C2"].status == "fail"
    assert leningrad["C2"].value == 0 and "не более 6" in leningrad["C2"].explanation
    kaliningrad = {c.id: c for c in reports[KALININGRAD].criteria}
    assert kaliningrad["V1"].status == "unknown"
    assert kaliningrad["C2"].status == "unknown"  # more than 30 declared, one recorded


def test_the_demo_amber_cluster_with_a_decision_date(demo):
    with demo.session() as session:
        amber = session.scalar(select(Cluster).where(Cluster.name == KALININGRAD))
        amber.registry_date = date(2019, 3, 27)
    with demo.session() as session:
        valid = {c.id: c for c in check(session, amber.id, date(2024, 3, 27)).criteria}
        expired = {c.id: c for c in check(session, amber.id, date(2024, 3, 28)).criteria}
    assert (valid["V1"].status, expired["V1"].status) == ("pass", "fail")
