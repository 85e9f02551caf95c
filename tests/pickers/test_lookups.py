"""Picker look-ups and the reading of typed picker fields: enterprises by name, INN and OGRN,
regions by name or code, OKVED2/OKPD2 codes by prefix or name; unknown and ambiguous texts
refused with a message naming the field; who may call the JSON look-up."""

import pytest
from factories import fresh_inn, ogrn
from starlette.datastructures import FormData

from promcluster.errors import InvalidField
from promcluster.pickers.service import Picker, find, read_form, resolve

API = "/api/v1/pickers"


@pytest.fixture
def firms(db):
    """Three enterprises: two sharing the word «Сибирь», one with an OGRN."""
    made = {
        "brick": db.add_enterprise(
            name="Тюменский кирпичный завод", inn=fresh_inn(), ogrn=ogrn("102720000001")
        ),
        "sib1": db.add_enterprise(name="Сибирь Металл", inn=fresh_inn()),
        "sib2": db.add_enterprise(name="Сибирь Полимер", inn=fresh_inn()),
    }
    with db.session() as session:
        from promcluster.registry.models import Enterprise

        return {k: session.get(Enterprise, v) for k, v in made.items()}


def values(choices) -> list[str]:
    return [c.value for c in choices]


def test_enterprises_are_found_by_part_of_the_name_inn_and_ogrn(db, firms):
    brick = firms["brick"]
    with db.session() as session:
        assert values(find(session, "enterprise", "кирпич")) == [str(brick.id)]
        assert values(find(session, "enterprise", "кирпичн")) == [str(brick.id)]  # a beginning
        assert values(find(session, "enterprise", brick.inn)) == [str(brick.id)]
        assert values(find(session, "enterprise", brick.inn[:9])) == [str(brick.id)]
        assert values(find(session, "enterprise", brick.ogrn)) == [str(brick.id)]
        assert set(values(find(session, "enterprise", "сибирь"))) == {
            str(firms["sib1"].id),
            str(firms["sib2"].id),
        }
        assert find(session, "enterprise", "123") == []  # too few digits to look up
        found = find(session, "enterprise", brick.inn)[0]
        assert found.label == "Тюменский кирпичный завод"
        assert f"ИНН {brick.inn}" in found.detail


def test_regions_codes_and_clusters_are_found_by_name_or_code(db):
    tyumen = db.add_cluster(name="Строительный кластер Тюменской области")
    db.add_cluster(name="Химический кластер")
    with db.session() as session:
        assert values(find(session, "cluster", "тюменской строит")) == [str(tyumen)]
        assert len(find(session, "cluster", "кластер")) == 2
        assert resolve(session, "cluster", "Строительный", "c", "C").value == str(tyumen)
        assert values(find(session, "region", "тюмен")) == ["72"]
        assert values(find(session, "region", "72"))[0] == "72"
        assert "23" in values(find(session, "region", "краснодар"))
        assert all(v.startswith("25.11") for v in values(find(session, "okved", "25.11")))
        assert values(find(session, "okved", "25.11"))[0] == "25.11"
        assert values(find(session, "okved", "2511")) == []  # a prefix is written with its dots
        assert any(v.startswith("23.51") for v in values(find(session, "okpd2", "цемент")))
        assert all(v.startswith("23.") for v in values(find(session, "okpd2", "23.5")))
        assert len(find(session, "okpd2", "2", limit=500)) == 20  # at most MAX_LIMIT


def test_a_typed_value_resolves_or_is_refused_naming_the_field(db, firms):
    brick = firms["brick"]
    with db.session() as session:
        assert resolve(session, "enterprise", brick.inn, "x", "X").value == str(brick.id)
        assert resolve(session, "enterprise", brick.ogrn, "x", "X").value == str(brick.id)
        assert resolve(session, "enterprise", "кирпичный", "x", "X").value == str(brick.id)
        assert resolve(session, "region", "Тюменская область", "x", "X").value == "72"
        assert resolve(session, "region", "72", "x", "X").value == "72"
        assert resolve(session, "okved", "25.11", "x", "X").value == "25.11"
        with pytest.raises(InvalidField) as many:
            resolve(session, "enterprise", "Сибирь", "specialised_org_id", "Специализированная")
        assert many.value.field == "specialised_org_id"
        assert "несколько предприятий" in many.value.message
        assert "«Специализированная»" in many.value.message
        with pytest.raises(InvalidField) as none:
            resolve(session, "enterprise", "Несуществующее ООО", "initiator_id", "Инициатор")
        assert none.value.field == "initiator_id"
        assert "не найдено ни одного предприятия" in none.value.message
        with pytest.raises(InvalidField) as bad_region:
            resolve(session, "region", "Атлантида", "region_codes", "Регионы")
        assert "не найдено ни одного региона" in bad_region.value.message


def test_a_form_read_resolves_every_picker_and_reports_every_refused_one(db, firms):
    pickers = [
        Picker("region_codes", "region", "Регионы", multiple=True),
        Picker("specialised_org_id", "enterprise", "Специализированная организация"),
        Picker("initiator_id", "enterprise", "Инициатор"),
    ]
    form = FormData(
        [
            ("name", "К"),
            ("region_codes", "23"),  # a ticked region
            ("region_codes__text", "Тюменская область, Атлантида"),
            ("specialised_org_id", ""),
            ("specialised_org_id__text", firms["brick"].inn),
            ("initiator_id", ""),
            ("initiator_id__text", "Сибирь"),
        ]
    )
    with db.session() as session:
        picked = read_form(session, form, pickers)
    assert set(picked.errors) == {"region_codes", "initiator_id"}
    assert picked.form.getlist("region_codes") == ["23", "72"]
    assert picked.form["specialised_org_id"] == str(firms["brick"].id)
    assert picked.texts["region_codes"] == "Атлантида"  # kept in the field to correct
    assert picked.texts["initiator_id"] == "Сибирь"
    assert [c.label for c in picked.choices["region_codes"]] == [
        "Краснодарский край",
        "Тюменская область",
    ]


def test_a_chosen_item_wins_until_its_text_is_changed(db, firms):
    picker = [Picker("initiator_id", "enterprise", "Инициатор")]
    brick, sib = firms["brick"], firms["sib1"]
    with db.session() as session:
        untouched = FormData([("initiator_id", str(brick.id)), ("initiator_id__text", brick.name)])
        assert read_form(session, untouched, picker).form["initiator_id"] == str(brick.id)
        retyped = FormData([("initiator_id", str(brick.id)), ("initiator_id__text", sib.inn)])
        assert read_form(session, retyped, picker).form["initiator_id"] == str(sib.id)
        emptied = FormData([("initiator_id", str(brick.id)), ("initiator_id__text", "")])
        assert read_form(session, emptied, picker).form["initiator_id"] == ""
        by_id = FormData([("initiator_id", str(sib.id))])  # no text field: the id as posted
        assert read_form(session, by_id, picker).form["initiator_id"] == str(sib.id)


@pytest.mark.parametrize("role", ["admin", "cluster_manager", "enterprise_rep"])
def test_logged_in_users_may_look_up(db, firms, users, login_as, role):
    cluster = db.add_cluster()
    account = users.add(
        f"u_{role}",
        role,
        clusters=[cluster] if role == "cluster_manager" else [],
        enterprise=firms["brick"].id if role == "enterprise_rep" else None,
    )
    http = login_as(account)
    answer = http.get(f"{API}/enterprise", params={"q": "кирпич"})
    assert answer.status_code == 200
    assert answer.json()["items"] == [
        {
            "value": str(firms["brick"].id),
            "label": "Тюменский кирпичный завод",
            "detail": f"ИНН {firms['brick'].inn}, ОГРН {firms['brick'].ogrn}",
        }
    ]
    assert http.get(f"{API}/region", params={"q": "тюм"}).json()["items"][0]["value"] == "72"


def test_anonymous_visitors_may_not_look_up(client, firms):
    answer = client.get(f"{API}/enterprise", params={"q": "кирпич"})
    assert answer.status_code == 401
    assert "кирпич" not in answer.text.lower()


def test_look_ups_are_bounded(admin_client, db):
    assert admin_client.get(f"{API}/enterprise", params={"q": "я" * 101}).status_code == 422
    assert admin_client.get(f"{API}/region", params={"q": "т", "limit": 21}).status_code == 422
    assert admin_client.get(f"{API}/cities", params={"q": "т"}).status_code == 422
    assert admin_client.get(f"{API}/region", params={"q": ""}).json() == {"items": []}
