"""Targets of the development programme: set, updated, cleared with optimistic locking (a stale
version is a 409), bad input refused naming the field, and the XLSX import all or nothing."""

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from dossier.report_kit import post_target, roles, save, target_count, upload, workbook
from promcluster.dossier import targets
from promcluster.dossier.models import ProgrammeTarget
from promcluster.errors import Conflict, InvalidField


@pytest.fixture
def world(db, users, login_as):
    return roles(db, users, login_as)


def stored(db, cluster: int) -> dict[tuple[str, int], tuple[float | None, str | None]]:
    with db.sessions() as session:
        return {
            (t.indicator, t.year): (t.target, t.explanation)
            for t in targets.targets_of(session, cluster)
        }


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# The service


def test_set_update_clear_with_versions(db):
    cluster = db.add_cluster()
    with db.session() as session:
        row = targets.set_target(session, None, cluster, "Выручка участников", 2025,
                                 "1 200 000,5", " спрос упал ", version=0)  # fmt: skip
        assert (row.indicator, row.target, row.explanation, row.version) == (
            "revenue", 1_200_000.5, "спрос упал", 1,
        )  # fmt: skip
    with db.session() as session:
        row = targets.set_target(session, None, cluster, "revenue", "2025", 1_500_000, None, 1)
        assert (row.target, row.explanation, row.version) == (1_500_000, None, 2)
    with db.session() as session, pytest.raises(Conflict):
        targets.set_target(session, None, cluster, "revenue", 2025, 1, None, version=1)
    with db.session() as session, pytest.raises(Conflict):  # someone set it meanwhile
        targets.set_target(session, None, cluster, "revenue", 2025, 1, None, version=0)
    with db.session() as session:
        assert targets.set_target(session, None, cluster, "revenue", 2025, "", "", 2) is None
    assert stored(db, cluster) == {}
    assert [a.action for a in db.audit(entity="programme_targets")] == [
        "create", "update", "delete",
    ]  # fmt: skip


def test_shares_are_typed_in_percent(db):
    cluster = db.add_cluster()
    with db.session() as session:
        targets.set_target(session, None, cluster, "cooperation_share", 2026, "25 %", None, 0)
        targets.set_target(session, None, cluster, "import_share", 2026, "12,5", None, 0)
    assert stored(db, cluster) == {
        ("cooperation_share", 2026): (0.25, None),
        ("import_share", 2026): (0.125, None),
    }


@pytest.mark.parametrize(
    ("indicator", "year", "target", "fields"),
    [
        ("выручка2", 2025, "5", {"indicator": "нет такого показателя «выручка2»"}),
        ("members", 1800, "5", {"year": "год 1800 вне диапазона 2000–2050"}),
        ("members", "двадцать", "5", {"year": "«двадцать» не год: укажите год четырьмя цифрами"}),
        ("members", 2025, "много", {"target": "«много» не число"}),
        ("members", 2025, "-3", {"target": "не может быть отрицательным"}),
        ("import_share", 2025, "140", {"target": "доля указывается в процентах: от 0 до 100"}),
        ("sme_share", 2025, "5", {"indicator": "нет такого показателя «sme_share»"}),
    ],
)
def test_bad_values_are_refused_naming_the_field(db, indicator, year, target, fields):
    cluster = db.add_cluster()
    with db.session() as session, pytest.raises(InvalidField) as refused:
        targets.set_target(session, None, cluster, indicator, year, target, None, 0)
    assert refused.value.fields == fields
    assert target_count(db) == 0


def test_every_refused_field_at_once(db):
    cluster = db.add_cluster()
    with db.session() as session, pytest.raises(InvalidField) as refused:
        targets.set_target(session, None, cluster, "выручка2", 1800, "x", "y" * 4001, 0)
    assert set(refused.value.fields) == {"indicator", "year", "explanation"}


# The pages and the API


def test_manager_sets_and_updates_a_target_on_the_page(db, world):
    answer = post_target(world.manager, world.own, indicator="members", year=2024,
                         target="10", explanation="двое вышли")  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/clusters/{world.own}/targets?year=2024#target-members"
    page = world.manager.get(f"/clusters/{world.own}/targets?year=2024").text
    assert 'name="version" value="1"' in page and "двое вышли" in page
    again = post_target(world.manager, world.own, indicator="members", year=2024, target="12",
                        explanation="", version=1)  # fmt: skip
    assert again.status_code == 303
    assert stored(db, world.own) == {("members", 2024): (12, None)}
    stale = post_target(world.manager, world.own, indicator="members", year=2024, target="13",
                        version=1)  # fmt: skip
    assert stale.status_code == 409
    assert "изменена другим пользователем" in stale.text
    assert stored(db, world.own) == {("members", 2024): (12, None)}


def test_a_refused_field_is_shown_beside_its_form(db, world):
    answer = post_target(world.admin, world.own, indicator="revenue", year=2024, target="1,2,3")
    assert answer.status_code == 422
    assert 'data-error-for="target">«1,2,3» не число<' in answer.text
    assert 'value="1,2,3"' in answer.text  # what was typed stays in the field
    assert "Не сохранено: целевое значение: «1,2,3» не число" in answer.text
    crafted = post_target(world.admin, world.own, indicator="выручка2", year=2024, target="1")
    assert crafted.status_code == 422
    assert "Не сохранено: показатель: нет такого показателя «выручка2»" in crafted.text
    assert target_count(db) == 0


def test_api_sets_and_refuses_a_stale_version(db, world):
    path = f"/api/v1/clusters/{world.own}/targets"
    body = {"indicator": "employees", "year": 2025, "target": "1 200", "version": 0}
    first = world.manager.put(path, json=body)
    assert first.status_code == 200
    assert (first.json()["target"], first.json()["version"]) == (1200, 1)
    assert world.manager.put(path, json={**body, "target": 1300, "version": 1}).status_code == 200
    stale = world.manager.put(path, json={**body, "target": 1400, "version": 1})
    assert stale.status_code == 409
    assert world.manager.get(path).json()[0]["target"] == 1300
    bad = world.manager.put(path, json={"indicator": "выручка2", "year": 1800, "target": "x"})
    assert bad.status_code == 422
    assert {e["loc"][-1]: e["msg"] for e in bad.json()["detail"]} == {
        "indicator": "нет такого показателя «выручка2»",
        "year": "год 1800 вне диапазона 2000–2050",
    }


# The XLSX import


def test_import_sets_every_row_by_key_or_name(db, world):
    with db.session() as session:
        targets.set_target(session, None, world.own, "members", 2025, 3, "старое", 0)
    content = workbook(
        [
            ["members", 2025, 7, "новое"],
            ["Выручка участников", "2026", "1 200 000,5", None],
            ["доля импорта в закупках участников", 2026.0, "30 %", "замещение"],
            ["Занятые на предприятиях участников", 2024, None, "данных ФНС нет"],
        ]
    )
    answer = upload(world.manager, world.own, content)
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("imported=4")
    assert stored(db, world.own) == {
        ("members", 2025): (7, "новое"),
        ("revenue", 2026): (1_200_000.5, None),
        ("import_share", 2026): (0.3, "замещение"),
        ("employees", 2024): (None, "данных ФНС нет"),
    }
    page = world.manager.get(answer.headers["location"]).text
    assert "Из файла загружено целевых значений: 4." in page


def test_import_with_bad_rows_names_each_and_writes_nothing(db, world):
    before = db.audit_count()
    content = workbook(
        [
            ["members", 2025, 7, None],
            ["revenue", 2025, "много", None],
            ["выручка2", 2025, 5, None],
            ["employees", 1800, 5, None],
            ["members", 2025, 8, None],
            ["potential", 2025, None, None],
        ]
    )
    answer = upload(world.manager, world.own, content)
    assert answer.status_code == 422
    errors = re.findall(r"<li>([^<]+)</li>", answer.text.split("data-import-errors")[1])
    assert errors == [
        "строка 3, поле «целевое значение»: «много» не число",
        "строка 4, поле «показатель»: нет такого показателя «выручка2»",
        "строка 5, поле «год»: год 1800 вне диапазона 2000–2050",
        "строка 6: повторяет строку 2: показатель «Участники», 2025 год",
        "строка 7, поле «целевое значение»: укажите целевое значение или пояснение",
    ]
    assert target_count(db) == 0
    assert db.audit_count() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "файл пуст"),
        (b"%PDF-1.4 not a table", "это не таблица, а документ PDF"),
        (workbook([["members", 2025, 1]], ["Что", "Когда", "Сколько"]), "строка заголовков"),
        (workbook([]), "нет строк с целевыми значениями"),
    ],
)
def test_unusable_files_are_refused(db, world, content, message):
    answer = upload(world.admin, world.own, content)
    assert answer.status_code == 422
    assert message in text_of(answer.text)
    assert target_count(db) == 0


def test_template_lists_the_targets_and_imports_back(db, world, tmp_path):
    with db.session() as session:
        targets.set_target(session, None, world.own, "cooperation_share", 2025, "20", "план", 0)
        targets.set_target(session, None, world.own, "members", 2025, 30, None, 0)
    answer = world.manager.get(f"/clusters/{world.own}/targets/template.xlsx")
    assert answer.status_code == 200
    assert (
        answer.headers["content-disposition"] == f'attachment; filename="targets-{world.own}.xlsx"'
    )
    book = load_workbook(save(tmp_path / "t.xlsx", answer.content), read_only=True)
    rows = list(book["Цели"].iter_rows(values_only=True))
    assert rows[0] == ("Показатель", "Год", "Целевое значение (доли — в процентах)", "Пояснение")
    share = targets.indicator_label("cooperation_share")
    assert rows[1:] == [("Участники", 2025, 30, None), (share, 2025, 20, "план")]
    names = [r[0] for r in book["Показатели"].iter_rows(values_only=True)][1:]
    assert names == [targets.indicator_label(k) for k in targets.REPORT_INDICATORS]
    book.close()
    with db.session() as session:
        session.query(ProgrammeTarget).delete()
    assert upload(world.manager, world.own, answer.content).status_code == 303
    assert stored(db, world.own) == {
        ("cooperation_share", 2025): (0.2, "план"),
        ("members", 2025): (30, None),
    }


def test_a_file_over_the_body_limit_is_refused_with_413(db, world, settings):
    content = b"x" * (settings.max_body_bytes + 1)
    answer = upload(world.manager, world.own, content, name="big.xlsx")
    assert answer.status_code == 413
    assert "тело запроса слишком велико" in text_of(answer.text)
    assert target_count(db) == 0


def test_a_zip_bomb_inside_the_workbook_is_refused(db, world):
    buffer = io.BytesIO(workbook([["members", 2024, 5, None]]))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", bytes(20 * 1024 * 1024))
    content = buffer.getvalue()
    assert len(content) < 100_000
    answer = upload(world.manager, world.own, content)
    assert answer.status_code == 422
    assert "сжата в" in text_of(answer.text)
    assert target_count(db) == 0
