"""The FNS open-data kinds: the SME register (``fns-sme``), headcount (``fns-headcount``) and
income and expenses (``fns-revenue``) read from the shipped real samples and from hand-made
documents in the same format: what lands where, the report by file + ИдДок + field, the bad
inputs of issue 19, re-runs, firms that left the register, and who may import them."""

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from factories import inn10, inn12
from sqlalchemy import select

from promcluster.demo.loader import open_data_samples
from promcluster.imports import service
from promcluster.imports.readers import UnusableFile
from promcluster.registry.models import Enterprise, EnterpriseFigure, ProductLine

from .kit import cli, counts, finished_run, run, said

(SME_SAMPLE, HEADCOUNT_SAMPLE, REVENUE_SAMPLE) = (p for _, p in open_data_samples())
RENUMBERED = {"7a5293ce-e62d-4cdf-af78-45589ccb0ad0", "474e27fc-5a14-4e74-bea0-c4ed938adc8c"}
API = "/api/v1"


def sme_document(
    inn: str,
    *,
    doc_id: str | None = None,
    state: str = "10.02.2024",
    region: str = "72",
    city: str = "ТЮМЕНЬ",
    okved: str = "23.61",
    version: str = "2014",
    extra: tuple[str, ...] = ("23.63",),
    products: tuple[tuple[str, str], ...] = (),
) -> str:
    """One ``Документ`` of the SME register (an organisation, or an ИП for a 12-digit INN)."""
    if len(inn) == 12:
        who = (
            f'<ИПВклМСП ИННФЛ="{inn}"><ФИОИП Фамилия="ИВАНОВ" Имя="ИВАН" '
            'Отчество="ИВАНОВИЧ"/></ИПВклМСП>'
        )
    else:
        who = (
            f'<ОргВклМСП НаимОрг="ОБЩЕСТВО «ЗАВОД {inn}»" НаимОргСокр="ООО «ЗАВОД»" ИННЮЛ="{inn}"/>'
        )
    extras = "".join(f'<СвОКВЭДДоп КодОКВЭД="{c}" НаимОКВЭД="-" ВерсОКВЭД="2014"/>' for c in extra)
    goods = "".join(f'<СвПрод КодПрод="{c}" НаимПрод="{n}" ПрОтнПрод="0"/>' for c, n in products)
    return (
        f'<Документ ИдДок="{doc_id or "doc-" + inn}" ДатаСост="{state}" ДатаВклМСП="10.08.2016" '
        f'ВидСубМСП="{2 if len(inn) == 12 else 1}" КатСубМСП="2" ПризНовМСП="2">{who}'
        f'<СведМН КодРегион="{region}"><Регион Тип="ОБЛАСТЬ" Наим="ТЮМЕНСКАЯ"/>'
        f'<Город Тип="ГОРОД" Наим="{city}"/></СведМН>'
        f'<СвОКВЭД><СвОКВЭДОсн КодОКВЭД="{okved}" НаимОКВЭД="-" ВерсОКВЭД="{version}"/>{extras}'
        f"</СвОКВЭД>{goods}</Документ>"
    )


def fns_file(
    documents: list[str],
    info: str = "РЕЕСТРМСП",
    version: str = "4.01",
    root: str = "Файл",
    declared: int | None = None,
) -> bytes:
    count = len(documents) if declared is None else declared
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{root} ИдФайл="test" ВерсФорм="{version}" '
        f'ТипИнф="{info}" КолДок="{count}"><ИдОтпр><ФИООтв Фамилия="-" Имя="-"/></ИдОтпр>'
        + "".join(documents)
        + f"</{root}>"
    ).encode()


def headcount_document(inn: str, workers: str = "12", state: str = "31.12.2023") -> str:
    return (
        f'<Документ ИдДок="hc-{inn}" ДатаДок="25.10.2024" ДатаСост="{state}">'
        f'<СведНП НаимОрг="ООО «ЧИСЛЕННОСТЬ {inn}»" ИННЮЛ="{inn}"/>'
        f'<СведССЧР КолРаб="{workers}"/></Документ>'
    )


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def report(db, run_id: int) -> list[dict[str, str]]:
    out = io.StringIO()
    with db.sessions() as session:
        service.write_report(session, run_id, out)
    lines = [line.split(";") for line in out.getvalue().lstrip("\ufeff").splitlines()]
    assert tuple(lines[0]) == service.DOCUMENT_REPORT_HEADER
    keys = ("document", "field", "value", "reason")
    return [dict(zip(keys, [*line[:3], ";".join(line[3:])], strict=True)) for line in lines[1:]]


def firms(db) -> dict[str, Enterprise]:
    with db.sessions() as session:
        found = {e.inn: e for e in session.scalars(select(Enterprise))}
        for e in found.values():
            _ = e.okved_extra
        return found


def run_file(db, folder: Path, kind: str, content: bytes, name: str = "file.xml", **options):
    """Import ``content`` written to a file ``name`` in ``folder``."""
    path = folder / name
    path.write_bytes(content)
    return run(db, kind, path, **options)


# The shipped real samples


def test_the_real_register_sample_lands_with_its_fields(db):
    result = run(db, "fns-sme", SME_SAMPLE)

    assert (result.rows_read, result.created, result.rejected) == (380, 380, 0)
    assert report(db, result.id) == []
    assert "выбывшие из реестра не отмечались" in result.message
    stored = firms(db)
    assert len(stored) == 380
    # 71.12.46 «Землеустройство» (2019) is 71.12.9 in the shipped edition: found by its name.
    renumbered = [e for e in stored.values() if "71.12.9" in [e.okved_main, *e.okved_extra]]
    assert len(renumbered) == len(RENUMBERED)
    ural = stored["8901037297"]
    assert (ural.name, ural.full_name) == (
        'ООО "УРАЛ ПОЛЯРНЫЙ"',
        'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "УРАЛ ПОЛЯРНЫЙ"',
    )
    assert (ural.region_code, ural.okved_main, ural.sme_category) == ("89", "41.20", "micro")
    assert (ural.sme_included_on, ural.sme_state_date) == (date(2018, 12, 10), date(2019, 2, 10))
    assert (ural.data_source, ural.sme_left_on, ural.is_synthetic) == ("fns-sme", None, False)
    assert len(ural.okved_extra) == 21 and "37.00" in ural.okved_extra
    assert ural.city.name == "Салехард" and not ural.place_approximate
    villages = [e for e in stored.values() if e.place_approximate]
    assert villages and all(e.city_id is None and e.address for e in villages)


def test_importing_the_register_twice_changes_nothing(db):
    run(db, "fns-sme", SME_SAMPLE)
    before, audit = {e.inn: e.version for e in firms(db).values()}, db.audit_count()

    again = run(db, "fns-sme", SME_SAMPLE)

    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 380, 0)
    assert {e.inn: e.version for e in firms(db).values()} == before
    assert db.audit_count() == audit


def test_headcount_and_revenue_samples_become_figures_of_2023(db):
    plain = run(db, "fns-headcount", HEADCOUNT_SAMPLE)
    assert (plain.rows_read, plain.created, plain.rejected) == (900, 0, 900)
    assert "нет предприятия с ИНН" in report(db, plain.id)[0]["reason"]  # listed, not dropped

    created = run(db, "fns-headcount", HEADCOUNT_SAMPLE, options={"create_missing": True})
    revenue = run(db, "fns-revenue", REVENUE_SAMPLE, options={"create_missing": True})

    # 10 INNs name regions the reference lacks (90, 93–95): reported; 97… is Moscow.
    assert (created.created, created.rejected) == (890, 10)
    # Regions the reference lacks again, and one negative amount (refused, not stored).
    assert (revenue.created, revenue.rejected) == (857, 43)
    assert sum("отрицательное" in line["reason"] for line in report(db, revenue.id)) == 1
    with db.sessions() as session:
        stored = {(f.enterprise.inn, f.year): f for f in session.scalars(select(EnterpriseFigure))}
        first = stored[("7751243916", 2023)]
        assert (first.employees, first.employees_source) == (5, "fns-headcount")
        assert first.employees_as_of == date(2023, 12, 31)
        meridian = stored[("9724163542", 2023)]
        assert (meridian.revenue, meridian.expenses) == (712_000, 705_000)
        assert meridian.revenue_source == "fns-revenue"
        assert meridian.enterprise.region_code == "77" and meridian.enterprise.is_minimal
    lines = report(db, created.id)
    assert all(line["field"] == "СведНП/@ИННЮЛ" for line in lines)
    assert {line["value"][:2] for line in lines} <= {"90", "93", "94", "95"}


def test_a_real_firms_card_names_the_register_and_each_figures_source(db, client):
    run(db, "fns-sme", SME_SAMPLE)
    run(db, "fns-headcount", HEADCOUNT_SAMPLE, options={"create_missing": True})
    stored = firms(db)

    card = client.get(f"/enterprises/{stored['8901037297'].id}")
    register = card.text.split('id="register"')[1].split("</section>")[0]
    assert "Единый реестр субъектов МСП (набор 7707329152-rsmp), сведения на 10.02.2019" in register
    assert "микропредприятие, включено 10.12.2018" in register
    assert "Синтетическая запись" not in card.text

    minimal = client.get(f"/enterprises/{stored['7751243916'].id}").text
    assert "карточка создана по файлу показателей" in minimal
    (row,) = [r for r in minimal.split("<tr") if 'data-year="2023"' in r]
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in row.split("<td")[1:]]
    assert cells[:2] == ["2023", "5"]
    assert "среднесписочная численность работников" in row and "на 31.12.2023" in row


def test_headcount_of_a_known_firm_updates_its_year_only(db, tmp_path):
    inn = inn10("720500011")
    firm = db.add_enterprise(inn=inn, name="ООО «Известное»", region_code="72", employees=3)
    result = run_file(
        db, tmp_path, "fns-headcount", fns_file([headcount_document(inn)], "ОТКРДАННЫЕ3")
    )
    assert (result.created, result.rejected) == (1, 0)
    with db.sessions() as session:
        figure = session.scalar(select(EnterpriseFigure))
        assert (figure.enterprise_id, figure.year, figure.employees) == (firm, 2023, 12)
        assert session.get(Enterprise, firm).employees == 3  # the card's current value stays


# Hand-made documents


def test_an_individual_entrepreneur_and_products_land(db, tmp_path):
    person = inn12("7205000111")
    org = inn10("720500022")
    content = fns_file(
        [
            sme_document(person),
            sme_document(org, products=(("23.61.11", "Блоки из бетона"), ("23.61.12", "Плиты"))),
        ]
    )
    result = run_file(db, tmp_path, "fns-sme", content)
    assert (result.created, result.rejected) == (2, 0)
    stored = firms(db)
    assert stored[person].name == "ИП ИВАНОВ ИВАН ИВАНОВИЧ"
    assert stored[org].okved_extra == ["23.63"] and stored[org].city.name == "Тюмень"
    with db.sessions() as session:
        lines = {(p.okpd2_code, p.name, p.direction) for p in session.scalars(select(ProductLine))}
    assert lines == {
        ("23.61.11", "Блоки из бетона", "produces"),
        ("23.61.12", "Плиты", "produces"),
    }


def test_register_products_beside_a_registry_entry_of_the_same_code(db, tmp_path):
    """A product of the register is the firm's own line: a ГИСП registry entry with the same
    code (its own line, by registry number) is neither overwritten nor duplicated."""
    org = inn10("720500122")
    firm = db.add_enterprise(inn=org, name="ООО «Завод»", region_code="72")
    with db.sessions() as session, session.begin():
        session.add(
            ProductLine(
                enterprise_id=firm,
                okpd2_code="23.61.11",
                direction="produces",
                name="Блоки стеновые (запись реестра)",
                registry_number="10170/1/2024",
            )
        )
    content = fns_file([sme_document(org, products=(("23.61.11", "Блоки из бетона"),))])

    for _ in range(2):  # the second time: nothing changes
        assert run_file(db, tmp_path, "fns-sme", content).rejected == 0

    with db.sessions() as session:
        lines = {(p.registry_number, p.name) for p in session.scalars(select(ProductLine))}
    assert lines == {("10170/1/2024", "Блоки стеновые (запись реестра)"), (None, "Блоки из бетона")}


@pytest.mark.parametrize(
    ("document", "field", "value", "reason"),
    [
        (
            sme_document(inn10("720500033")[:-1] + "0", doc_id="bad-inn"),
            "ОргВклМСП/@ИННЮЛ, ИПВклМСП/@ИННФЛ",
            None,
            "контрольн",
        ),
        (
            sme_document(inn10("720500044"), doc_id="bad-okved", okved="99.99"),
            "СвОКВЭДОсн/@КодОКВЭД",
            "99.99",
            "нет кода ОКВЭД2",
        ),
        (
            sme_document(inn10("720500055"), doc_id="old-okved", okved="26.1", version="2001"),
            "СвОКВЭДОсн/@КодОКВЭД",
            "26.1",
            "только ОКВЭД2",
        ),
        (
            sme_document(inn10("720500066"), doc_id="bad-region", region="98"),
            "СведМН/@КодРегион",
            "98",
            "нет субъекта РФ с кодом",
        ),
    ],
    ids=["inn-check-digit", "unknown-okved2", "okved-version-2001", "unknown-region"],
)
def test_a_bad_document_is_refused_by_file_id_and_field_and_the_others_land(
    db, tmp_path, document, field, value, reason
):
    good = inn10("720500077")
    if document.startswith('<Документ ИдДок="bad-inn"'):
        value = document.split('ИННЮЛ="')[1].split('"')[0]
        if value == inn10(value[:9]):  # the altered digit happened to be right
            pytest.skip("check digit already 0")
    result = run_file(
        db, tmp_path, "fns-sme", fns_file([sme_document(good), document]), "реестр.xml"
    )

    assert (result.created, result.rejected) == (1, 1)
    (line,) = report(db, result.id)
    doc_id = document.split('ИдДок="')[1].split('"')[0]
    assert line["document"] == f"реестр.xml · {doc_id}"
    assert line["field"] == field
    assert value is None or line["value"] == value
    assert reason in line["reason"]
    assert set(firms(db)) == {good}


@pytest.mark.parametrize(
    ("name", "stored"),
    [("Землеустройство", "71.12.9"), ("Производство изделий из бетона", None), ("-", None)],
    ids=["renumbered-by-its-name", "name-of-another-code", "no-name"],
)
def test_a_code_the_edition_lacks_is_read_only_by_its_stated_name(db, tmp_path, name, stored):
    """71.12.46 left OKVED2; its name, «Землеустройство», is 71.12.9's today. A name of
    another code (or none) does not make a code up: the document is refused."""
    inn = inn10("720500111")
    document = sme_document(inn, okved="71.12.46").replace(
        'КодОКВЭД="71.12.46" НаимОКВЭД="-"', f'КодОКВЭД="71.12.46" НаимОКВЭД="{name}"'
    )
    result = run_file(db, tmp_path, "fns-sme", fns_file([document]))

    if stored:
        assert (result.created, result.rejected) == (1, 0)
        assert firms(db)[inn].okved_main == stored
    else:
        assert (result.created, result.rejected) == (0, 1)
        (line,) = report(db, result.id)
        assert (line["value"], line["reason"]) == ("71.12.46", "нет кода ОКВЭД2 «71.12.46»")


def test_a_zip_with_a_non_xml_member_imports_the_xml_and_names_the_other(db, tmp_path):
    inns = [inn10("720500088"), inn10("720500099")]
    path = write_zip(
        tmp_path / "rsmp.zip",
        {
            "data-1.xml": fns_file([sme_document(inns[0])]),
            "readme.pdf": b"%PDF-1.4 not a register",
            "data-2.xml": fns_file([sme_document(inns[1])]),
        },
    )
    result = run(db, "fns-sme", path)
    assert (result.created, result.rejected) == (2, 1)
    (line,) = report(db, result.id)
    assert (line["document"], line["reason"]) == ("readme.pdf", "это не файл XML")
    assert set(firms(db)) == set(inns)


def test_a_truncated_file_in_a_zip_writes_none_of_its_documents(db, tmp_path):
    good, cut = inn10("720500101"), [inn10("720500112"), inn10("720500123")]
    broken = fns_file([sme_document(i) for i in cut])
    path = write_zip(
        tmp_path / "rsmp.zip",
        {"a.xml": fns_file([sme_document(good)]), "b.xml": broken[: len(broken) - 40]},
    )
    result = run(db, "fns-sme", path)
    assert (result.created, result.rejected) == (1, 1)
    (line,) = report(db, result.id)
    assert line["document"] == "b.xml" and "обрезан" in line["reason"]
    assert set(firms(db)) == {good}  # the first document of b.xml was complete, yet not written


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (fns_file([sme_document(inn10("720500134"))])[:-30], "обрезан"),
        (fns_file([sme_document(inn10("720500145"))], root="Реестр"), "корневой элемент"),
        (fns_file([sme_document(inn10("720500156"))], version="3.00"), "версия формата «3.00»"),
        (fns_file([headcount_document(inn10("720500167"))], "ОТКРДАННЫЕ3"), "ТипИнф"),
        (fns_file([sme_document(inn10("720500178"))], declared=5), "КолДок=5"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "не файл XML"),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Файл>&a;</Файл>'.encode(),
            "DTD",
        ),
    ],
    ids=["truncated", "wrong-root", "wrong-version", "other-data-set", "count", "image", "dtd"],
)
def test_an_unusable_single_file_writes_nothing(db, tmp_path, content, message):
    before = counts(db)
    with pytest.raises(UnusableFile, match=message):
        run_file(db, tmp_path, "fns-sme", content)
    assert counts(db) == before


def test_cli_exit_codes_and_the_report(db, tmp_path):
    good = tmp_path / "good.xml"
    good.write_bytes(fns_file([sme_document(inn10("720500189"))]))
    mixed = tmp_path / "mixed.xml"
    mixed.write_bytes(fns_file([sme_document(inn10("720500190"), okved="99.99")]))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(fns_file([sme_document(inn10("720500201"))], version="5.00"))
    errors = tmp_path / "errors.csv"

    assert cli(db, "fns-sme", str(good)).exit_code == 0
    refused = cli(db, "fns-sme", str(mixed), "--errors", str(errors))
    assert refused.exit_code == 1
    assert "mixed.xml · doc-" in errors.read_text(encoding="utf-8-sig")
    unusable = cli(db, "fns-sme", str(bad))
    assert unusable.exit_code == 2 and "ничего не записано" in said(unusable)
    figures = tmp_path / "hc.xml"
    figures.write_bytes(fns_file([headcount_document(inn10("720500212"))], "ОТКРДАННЫЕ3"))
    assert cli(db, "fns-headcount", str(figures)).exit_code == 1
    assert cli(db, "fns-headcount", str(figures), "--create-missing").exit_code == 0


def test_a_firm_missing_from_a_newer_state_has_left_the_register(db, tmp_path):
    stays, leaves = inn10("720500223"), inn10("720500234")
    first = write_zip(
        tmp_path / "2023.zip",
        {"x.xml": fns_file([sme_document(i, state="10.01.2024") for i in (stays, leaves)])},
    )
    second = write_zip(
        tmp_path / "2024.zip", {"x.xml": fns_file([sme_document(stays, state="10.02.2024")])}
    )
    run(db, "fns-sme", first)
    result = run(db, "fns-sme", second)
    assert "отмечено выбывшими из реестра: 1" in result.message
    stored = firms(db)
    assert stored[leaves].sme_left_on == date(2024, 2, 10)  # kept, marked
    assert (stored[stays].sme_left_on, stored[stays].sme_state_date) == (None, date(2024, 2, 10))

    back = run(db, "fns-sme", first)  # an older state changes nothing
    assert (back.updated, back.unchanged) == (0, 2)
    assert firms(db)[leaves].sme_left_on == date(2024, 2, 10)


def test_an_interrupted_import_run_again_gives_the_same_result(db, tmp_path):
    inns = [inn10(f"7206{n:05d}") for n in range(1, 31)]
    path = write_zip(
        tmp_path / "rsmp.zip",
        {
            f"f{i}.xml": fns_file([sme_document(n) for n in inns[i * 10 : i * 10 + 10]])
            for i in range(3)
        },
    )

    def stop(run_) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(db, "fns-sme", path, batch_size=7, on_batch=stop)
    assert 0 < len(firms(db)) < 30
    again = run(db, "fns-sme", path, batch_size=7)
    assert again.status == "done" and again.created + again.unchanged == 30
    assert set(firms(db)) == set(inns)
    snapshot = {e.inn: (e.name, e.okved_main, e.okved_extra, e.version) for e in firms(db).values()}
    third = run(db, "fns-sme", path)
    assert (third.created, third.updated, third.unchanged) == (0, 0, 30)
    assert {
        e.inn: (e.name, e.okved_main, e.okved_extra, e.version) for e in firms(db).values()
    } == snapshot


# Who may import official data


def _upload(client, **kwargs):
    files = {"file": ("hc.xml", fns_file([headcount_document(inn10("720500245"))], "ОТКРДАННЫЕ3"))}
    data = {"kind": "fns-headcount", "create_missing": "true"}
    return client.post(f"{API}/imports", data=data, files=files, **kwargs)


def test_only_an_administrator_imports_fns_kinds(client, admin_client, users, db):
    answer = _upload(admin_client)
    assert answer.status_code == 202
    finished = finished_run(admin_client, answer.json()["id"])
    assert (finished["status"], finished["created"], finished["rejected"]) == ("done", 1, 0)
    page = admin_client.get(f"/imports/{finished['id']}").text
    assert "прочитано документов: 1" in page
    assert "Реестр МСП ФНС (XML)" in admin_client.get("/imports").text

    own = db.add_enterprise(name="ООО «Своё»", region_code="72")
    cluster = db.add_cluster(name="Кластер")
    manager = users.add("fns-manager", role="cluster_manager", clusters=[cluster])
    rep = users.add("fns-rep", role="enterprise_rep", enterprise=own)
    assert _upload(client, auth=manager.auth).status_code == 403
    assert _upload(client, auth=rep.auth).status_code == 403
    assert _upload(client).status_code == 401
