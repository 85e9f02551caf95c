"""The ГИСП registry of industrial products made in Russia (Decree No. 719), kind
``gisp-products``: the export's own layout in, enterprises and their registry entries as product
lines out; re-runs change nothing; bad files and rows are refused as the other kinds are.

``tests/data/gisp/pp719_constructed.csv`` is a CONSTRUCTED example in the real column layout
(tests/data/PROVENANCE.md): its firms, INNs and OGRNs are made up (valid check digits, tax office
code 00, which no real firm has)."""

import csv
import io
import multiprocessing
from datetime import date
from pathlib import Path

import pytest
from factories import inn10
from sqlalchemy import select

from promcluster.auth.audit import Actor
from promcluster.auth.models import User
from promcluster.db import make_engine, make_sessionmaker
from promcluster.imports import exports, service, writers
from promcluster.imports.columns import KINDS
from promcluster.matching import classification
from promcluster.registry.models import Enterprise, ProductLine

from .kit import ACTOR, cli, counts, last_run, report, run, said, write_xlsx

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "gisp" / "pp719_constructed.csv"
ROWS, ENTRIES, FIRMS = 31, 30, 8  # the renewal of entry 900001 is the 31st row
HEADER = SAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")  # the 27 columns
REPEAT = KINDS["gisp-products"].key  # the column a repeated entry is reported under
FIRM = ('ООО "ТЕСТ-ГИСП"', "7200099990")  # name, INN body of nine digits (made up)


def sample_rows() -> list[list[str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def row(number: str, name: str, okpd2: str = "28.13.14.110", **cells: str) -> list[str]:
    """A registry row of the made-up firm ``FIRM`` in the export's 27 columns."""
    values = dict.fromkeys(HEADER, "-")
    values |= {
        "Nameoforg": FIRM[0],
        "INN": inn10(FIRM[1][:9]),
        "Orgaddr": "625000, Тюменская обл., г. Тюмень, ул. Тестовая, д. 1",
        "Docdate": "2024-04-10",
        "Docvalidtill": "2027-04-09",
        "Registernumber": number,
        "Productname": name,
        "OKPD2": okpd2,
        "TNVED": "8413 70 300 0",
    }
    return [(values | cells)[h] for h in HEADER]


def write(path: Path, rows, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def lines(db) -> dict[str, ProductLine]:
    with db.sessions() as session:
        found = session.scalars(select(ProductLine).where(ProductLine.registry_number.is_not(None)))
        return {p.registry_number: p for p in found}


def state(db) -> tuple[set, set]:
    """What an import leaves: the enterprises and the registry lines, without ids."""
    with db.sessions() as session:
        firms = {
            (e.inn, e.ogrn, e.name, e.region_code, e.city_id, e.address)
            for e in session.scalars(select(Enterprise))
        }
        entries = {
            (p.enterprise.inn, p.registry_number, p.name, p.okpd2_code, p.direction, p.tnved_code,
             p.registry_date, p.registry_valid_until, p.registry_end_date)
            for p in session.scalars(select(ProductLine))
        }  # fmt: skip
    return firms, entries


# The constructed sample in the published layout


def test_the_sample_imports_its_firms_and_entries_and_a_rerun_changes_nothing(db, tmp_path):
    result = cli(db, "gisp-products", str(SAMPLE), "--errors", str(tmp_path / "r.csv"))

    assert result.exit_code == 0, result.output
    assert f"прочитано строк {ROWS}, добавлено {ENTRIES}" in said(result)
    assert "без изменений 1" in said(result)  # the older document of entry 900001
    assert "Regnumber" in said(result) and "Score" in said(result)  # listed as not read
    assert db.count("enterprises") == FIRMS and len(lines(db)) == ENTRIES
    first = lines(db)["900001"]
    assert (first.registry_date, first.registry_valid_until) == (
        date(2022, 1, 10),
        date(2025, 1, 9),
    )
    assert (first.tnved_code, first.okpd2_code, first.direction) == (
        "8413703000", "28.13.14.110", "produces"
    )  # fmt: skip
    assert lines(db)["900009"].registry_end_date == date(2024, 11, 30)
    assert lines(db)["900028"].okpd2_code == "26.20.15"  # «26.20.15.000» as the registry writes
    with db.sessions() as session:
        by_inn = {e.inn: e for e in session.scalars(select(Enterprise))}
        tyumen = by_inn["7200000018"]
        assert (tyumen.region_code, tyumen.city.name, tyumen.ogrn) == (
            "72", "Тюмень", "1027200000013"
        )  # fmt: skip
        assert by_inn["6600000035"].region_code == "66"  # from the address
        no_address = by_inn["7200000040"]  # «-»: the region of the INN's first two digits
        assert (no_address.region_code, no_address.city_id, no_address.address) == (
            "72", None, None
        )  # fmt: skip
    before, audit = state(db), db.audit_count()

    again = cli(db, "gisp-products", str(SAMPLE))

    assert again.exit_code == 0
    assert f"прочитано строк {ROWS}, добавлено 0, обновлено 0, без изменений {ROWS}" in said(again)
    assert state(db) == before and db.audit_count() == audit


def test_the_same_rows_in_xlsx_with_date_cells_change_nothing(db, tmp_path):
    run(db, "gisp-products", SAMPLE)
    before = state(db)
    header, *rows = sample_rows()
    dated = [[date.fromisoformat(c) if i in (7, 8) else c for i, c in enumerate(r)] for r in rows]

    result = run(db, "gisp-products", write_xlsx(tmp_path / "реестр.xlsx", [header, *dated]))

    assert (result.rows_read, result.unchanged, result.rejected) == (ROWS, ROWS, 0)
    assert state(db) == before


def test_an_interrupted_import_run_again_ends_as_one_run_does(db, tmp_path, monkeypatch):
    run(db, "gisp-products", SAMPLE)
    expected = state(db)
    db.clean()  # the same database emptied: now the interrupted way
    original, batches = writers.GispProducts.write, []

    def interrupted(self, session, batch):
        batches.append(len(batch))
        outcome = original(self, session, batch)
        if len(batches) == 2:
            raise KeyboardInterrupt  # Ctrl-C with the second batch written, not committed
        return outcome

    monkeypatch.setattr(writers.GispProducts, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(db, "gisp-products", SAMPLE, batch_size=10)
    assert last_run(db).status == "interrupted" and len(lines(db)) == 10
    monkeypatch.undo()

    again = run(db, "gisp-products", SAMPLE, batch_size=10)

    assert (again.status, again.created, again.unchanged) == ("done", ENTRIES - 10, 11)
    assert state(db) == expected


def test_a_renewal_keeps_the_newest_document_whatever_the_order(db, tmp_path):
    old = row(
        "77", "Кран мостовой", "28.22.14.159", Docdate="2021-10-04", Docvalidtill="2024-10-03"
    )
    new = row(
        "77", "Кран мостовой", "28.22.14.159", Docdate="2024-10-04", Docvalidtill="2027-10-03"
    )
    newest = (date(2024, 10, 4), date(2027, 10, 3))
    for order in ([old, new], [new, old]):
        db.clean()
        result = run(db, "gisp-products", write(tmp_path / "r.csv", [HEADER, *order]))
        assert (result.created, result.unchanged, result.rejected) == (1, 1, 0)
        line = lines(db)["77"]
        assert (line.registry_date, line.registry_valid_until) == newest
    # In separate runs too: the older file after the newer changes nothing, and the reverse
    # updates the entry.
    result = run(db, "gisp-products", write(tmp_path / "old.csv", [HEADER, old]))
    assert (result.updated, result.unchanged) == (0, 1)
    db.clean()
    run(db, "gisp-products", write(tmp_path / "old.csv", [HEADER, old]))
    result = run(db, "gisp-products", write(tmp_path / "new.csv", [HEADER, new]))
    assert result.updated == 1
    assert (lines(db)["77"].registry_date, lines(db)["77"].registry_valid_until) == newest


def test_registry_lines_and_the_firms_own_line_of_the_same_code_live_side_by_side(db, tmp_path):
    run(
        db,
        "gisp-products",
        write(tmp_path / "r.csv", [HEADER, row("1", "Насос А"), row("2", "Насос Б")]),
    )
    own = write(
        tmp_path / "own.csv",
        [["ИНН", "ОКПД2", "Направление", "Наименование продукции"],
         [inn10(FIRM[1][:9]), "28.13.14.110", "производит", "Насосы (своя строка)"]],
        delimiter=";",
    )  # fmt: skip

    assert run(db, "products", own).created == 1
    assert run(db, "products", own).unchanged == 1  # the own line, not a registry entry
    assert {p.name for p in lines(db).values()} == {"Насос А", "Насос Б"}
    assert db.count("product_lines") == 3


def test_the_export_imports_back_unchanged_and_stays_out_of_the_products_export(db, tmp_path):
    run(db, "gisp-products", SAMPLE)
    before = state(db)
    with db.session() as session:
        assert exports.export(session, "gisp-products", tmp_path / "g.csv") == ENTRIES
        assert exports.export(session, "products", tmp_path / "p.csv") == 0

    result = run(db, "gisp-products", tmp_path / "g.csv")

    assert (result.rows_read, result.unchanged, result.rejected) == (ENTRIES, ENTRIES, 0)
    assert state(db) == before


# Bad input


def test_a_file_without_required_columns_is_refused_whole_with_exit_2(db, tmp_path):
    keep = [i for i, h in enumerate(HEADER) if h not in ("Registernumber", "OKPD2")]
    rows = [[r[i] for i in keep] for r in (HEADER, row("1", "Насос"))]
    before = counts(db)

    result = cli(db, "gisp-products", str(write(tmp_path / "без столбцов.csv", rows)))

    assert result.exit_code == 2, result.output
    assert "нет обязательных столбцов: «Registernumber», «OKPD2»" in said(result)
    assert counts(db) == before
    assert last_run(db).status == "failed"


def test_bad_rows_are_reported_by_row_and_column_and_the_good_ones_land(db, tmp_path):
    good = inn10(FIRM[1][:9])
    wrong_inn = good[:-1] + str((int(good[-1]) + 1) % 10)
    rows = [
        HEADER,
        row("1", "Насос хороший"),
        row("2", "Насос с неверным ИНН", INN=wrong_inn),
        row("3", "Насос с неверным ОГРН", OGRN="1027200000014"),
        row("4", "Изделие с несуществующим кодом", okpd2="99.99.99.999"),
        row("5", "Насос с несуществующей датой", Docdate="31.02.2024"),
        row("6", "Насос со сроком словами", Docvalidtill="бессрочно"),
        row("7", "-"),
        row("1", "Насос хороший"),  # the same entry again
        row("8", "Насос второй хороший"),
    ]
    errors = tmp_path / "отчёт.csv"

    result = cli(db, "gisp-products", str(write(tmp_path / "r.csv", rows)), "--errors", str(errors))

    assert result.exit_code == 1, result.output
    assert set(lines(db)) == {"1", "8"}
    found = {(r["row"], r["column"]): r for r in report(db, last_run(db).id)}
    assert set(found) == {
        ("3", "INN"), ("4", "OGRN"), ("5", "OKPD2"), ("6", "Docdate"), ("7", "Docvalidtill"),
        ("8", "Productname"), ("9", REPEAT),
    }  # fmt: skip
    assert (
        "контрольн" in found[("3", "INN")]["reason"] and found[("3", "INN")]["value"] == wrong_inn
    )
    assert "контрольн" in found[("4", "OGRN")]["reason"]
    assert found[("5", "OKPD2")]["value"] == "99.99.99.999"
    assert "такой даты нет" in found[("6", "Docdate")]["reason"]
    assert "не дата" in found[("7", "Docvalidtill")]["reason"]
    assert "«-»" in found[("8", "Productname")]["reason"]
    assert "строке 2" in found[("9", REPEAT)]["reason"]
    assert errors.read_text(encoding="utf-8-sig").count("\n") == 8  # header + 7 lines


def test_cp1251_with_semicolons_reads_as_the_published_utf8(db, tmp_path):
    header, *rows = sample_rows()
    path = write(tmp_path / "реестр-1251.csv", [header, *rows], encoding="cp1251", delimiter=";")

    result = run(db, "gisp-products", path)

    assert (result.rows_read, result.created, result.rejected) == (ROWS, ENTRIES, 0)
    assert lines(db)["900001"].name == "Насос центробежный консольный К 80-50-200"
    assert db.count("enterprises") == FIRMS


def test_an_ogrn_other_than_the_stored_enterprises_refuses_the_row(db, tmp_path):
    db.add_enterprise(inn=inn10(FIRM[1][:9]), ogrn="1027200000013", name="ООО «Есть»")
    path = write(tmp_path / "r.csv", [HEADER, row("1", "Насос", OGRN="1027200000024")])

    result = run(db, "gisp-products", path)

    [line] = report(db, result.id)
    assert (line["column"], line["value"]) == ("OGRN", "1027200000024")
    assert "1027200000013" in line["reason"] and lines(db) == {}


# Who may write which entries


def _user(db, users, name: str, role: str, **scope) -> User:
    login = users.add(name, role, **scope)
    with db.sessions() as session:
        return session.get(User, login.id)


def test_a_cluster_manager_adds_entries_to_members_new_and_unaffiliated_firms_only(
    db, users, tmp_path
):
    own_cluster, other_cluster = db.add_cluster(), db.add_cluster()
    inns = {k: inn10(f"72000{n:04d}") for n, k in enumerate(("member", "foreign", "free", "new"))}
    for key in ("member", "foreign", "free"):
        firm = db.add_enterprise(inn=inns[key], name=f"ООО «{key}»")
        if key != "free":
            cluster = own_cluster if key == "member" else other_cluster
            db.add_membership(cluster, firm, status="member")
    manager = _user(db, users, "manager", "cluster_manager", clusters=[own_cluster])
    rows = [HEADER, *(row(k, f"Насос {k}", INN=inn) for k, inn in inns.items())]

    result = service.run_import(
        db.sessions, "gisp-products", write(tmp_path / "r.csv", rows),
        actor=Actor(manager.username, manager.id), user=manager,
    )  # fmt: skip

    assert set(lines(db)) == {"member", "free", "new"}
    [line] = report(db, result.id)
    assert (line["row"], line["column"]) == ("3", "INN") and "нет прав" in line["reason"]


# The enterprise card


def test_the_card_shows_the_entry_its_state_and_the_source(db, admin_client, client):
    run(db, "gisp-products", SAMPLE)
    with db.sessions() as session:
        ids = dict(session.execute(select(Enterprise.inn, Enterprise.id)).all())

    page = admin_client.get(f"/enterprises/{ids['7200000018']}").text
    assert "в реестре промышленной продукции" in page
    assert "запись № 900001 от 10.01.2022" in page
    assert "ТН ВЭД 8413703000" in page and "источник: ГИСП" in page
    assert "постановление Правительства РФ от 17.07.2015 № 719" in page
    excluded = admin_client.get(f"/enterprises/{ids['7200000025']}").text  # entry 900009
    assert "исключена из реестра промышленной продукции 30.11.2024" in excluded
    expired = admin_client.get(f"/enterprises/{ids['7400000054']}").text  # entry 900020
    assert "срок действия заключения истёк 31.01.2024" in expired
    assert "запись № 900001" not in client.get(f"/enterprises/{ids['7200000018']}").text


# The OKPD2 classifier learns the entries, in every process


def _import_in_another_process(url: str) -> None:
    engine = make_engine(url)
    try:
        service.run_import(make_sessionmaker(engine), "gisp-products", SAMPLE, actor=ACTOR)
    finally:
        engine.dispose()


def test_a_process_that_did_not_import_learns_the_entries_on_its_next_suggestion(db):
    name, code = "Насос шестерённый для перекачки масла НМШ 5-25", "28.13.14.190"
    classification.forget()
    try:
        with db.sessions() as session:
            before = classification.suggest(session, [name], 1)[0][0].code
        child = multiprocessing.get_context("fork").Process(
            target=_import_in_another_process, args=(db.url,)
        )
        child.start()
        child.join(120)
        assert child.exitcode == 0 and len(lines(db)) == ENTRIES
        with db.sessions() as session:
            after = classification.suggest(session, [name], 1)[0][0].code
        assert (before, after) == (before, code) and before != code
    finally:
        classification.forget()
