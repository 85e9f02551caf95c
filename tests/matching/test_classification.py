"""OKPD2 suggestions for free-text product names: the right class among the first five, the
user's corrections and the database's coded names first, the bounds of the request, the speed.

The classifier built from the package's OKPD2 file (what the reference loader puts in every
database) is built once per process: it takes about ten seconds. Database tests start from a
copy of it in place of a fresh build, so that each test sees an untaught classifier."""

import copy
import csv
import time
from functools import cache

import pytest
from sqlalchemy import select

from promcluster.errors import InvalidField
from promcluster.matching import classification
from promcluster.matching import postings as matching
from promcluster.matching.classifier import Classifier, Entry
from promcluster.matching.models import Correction
from promcluster.reference.models import Okpd
from promcluster.reference.service import data_path
from promcluster.registry.models import ProductLine

# Real names and the XX.XX class that must be among the first five suggestions.
NAMED_CLASSES = [
    ("Щебень гранитный", "08.12"),
    ("Кирпич керамический облицовочный", "23.32"),
    ("Масло моторное", "19.20"),
    ("Хлеб пшеничный", "10.71"),
    ("Ноутбук", "26.20"),
    ("Цемент портландский", "23.51"),
    ("Молоко питьевое пастеризованное", "10.51"),
    ("Пиломатериалы хвойные", "16.10"),
    ("Мука пшеничная", "10.61"),
    ("Плитка керамическая", "23.31"),
]
MOTOR_OIL = "Масло моторное"
UNIVERSAL_OIL = "19.20.29.110"  # Масла моторные (универсальные, …), not the first suggestion


@cache
def package_classifier() -> Classifier:
    """The classifier of the package's OKPD2 file (built once per test run)."""
    with data_path("okpd2.csv").open(encoding="utf-8", newline="") as f:
        entries = [
            Entry(r["code"], r["name"], r["parent_code"] or None, int(r["level"]))
            for r in csv.DictReader(f)
        ]
    return Classifier(entries)


@pytest.fixture
def classifier() -> Classifier:
    """An untaught copy, for tests that teach it."""
    return copy.deepcopy(package_classifier())


@pytest.fixture
def database_classifier(db, monkeypatch):
    """``classification`` as a process sees it on its first request to ``db``, with the
    package classifier's copy standing for the build from the database's OKPD2 rows."""
    classification.forget()

    def build(entries) -> Classifier:
        assert sum(1 for _ in entries) == len(package_classifier().entries)
        return copy.deepcopy(package_classifier())

    monkeypatch.setattr(classification, "Classifier", build)
    yield db
    classification.forget()


def codes(suggestions) -> list[str]:
    return [s.code for s in suggestions]


def suggest(db, names, top: int = 5):
    with db.sessions() as session:
        return classification.suggest(session, names, top)


# The classifier alone


@pytest.mark.parametrize(("name", "expected"), NAMED_CLASSES)
def test_a_real_name_lands_in_its_class_within_the_first_five(name, expected):
    [found] = package_classifier().suggest([name])
    assert any(code.startswith(expected + ".") or code == expected for code in codes(found)), [
        (s.code, s.name) for s in found
    ]


def test_case_forms_get_the_same_suggestions():
    singular, genitive, plural = package_classifier().suggest(
        ["Кирпич керамический облицовочный", "кирпича керамического облицовочного", "КИРПИЧИ"]
    )
    assert codes(singular) == codes(genitive)
    assert codes(plural) == codes(package_classifier().suggest(["кирпич"])[0])


def test_suggestions_are_distinct_classifier_codes_best_first():
    [found] = package_classifier().suggest(["Кирпич керамический облицовочный"], top=10)
    entries = package_classifier().entries
    assert len(found) == 10
    assert len(set(codes(found))) == 10
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    for s in found:
        assert s.name == entries[s.code].name
        assert entries[s.code].level >= 3  # no sections, divisions or groups


def test_the_list_offers_alternatives():
    """At most two codes of one XX.XX class, and never a code with its own ancestor."""
    for found in package_classifier().suggest(["Кирпич керамический", "Хлеб", "Щебень"], top=10):
        classes = [c[:5] for c in codes(found)]
        assert max(classes.count(c) for c in classes) <= 2
        for a in codes(found):
            assert not any(b != a and b.startswith(a + ".") for b in codes(found))


@pytest.mark.parametrize("top", [1, 3, 20])
def test_top_bounds_the_list(top):
    [found] = package_classifier().suggest(["Кирпич"], top=top)
    assert len(found) == top


@pytest.mark.parametrize("name", ["", "   ", "и в на", None])
def test_a_name_without_words_gets_no_suggestions(name):
    first, empty, last = package_classifier().suggest(["Хлеб", name, "Щебень"])
    assert empty == []
    assert first and last  # the neighbours are unaffected


def test_learnt_name_comes_first_in_every_case_form(classifier):
    assert codes(classifier.suggest([MOTOR_OIL])[0])[0] != UNIVERSAL_OIL
    assert classifier.learn([(MOTOR_OIL, UNIVERSAL_OIL)]) == 1
    for name in (MOTOR_OIL, "масла моторного", "МАСЛО МОТОРНОЕ"):
        assert codes(classifier.suggest([name])[0])[0] == UNIVERSAL_OIL, name
    # the classifier's own entries still follow
    assert len(classifier.suggest([MOTOR_OIL])[0]) == 5


def test_a_later_example_for_the_same_name_wins(classifier):
    classifier.learn([("Изделие ЖБИ-7", "23.61.12.111"), ("изделия ЖБИ-7", "23.61.11.140")])
    assert codes(classifier.suggest(["Изделие ЖБИ-7"])[0])[0] == "23.61.11.140"
    classifier.learn([("Изделие ЖБИ-7", "23.63.10")])
    assert codes(classifier.suggest(["Изделие ЖБИ-7"])[0])[0] == "23.63.10"


def test_examples_with_unknown_codes_or_no_name_are_not_learnt(classifier):
    rows = classifier.matrix.shape[0]
    assert classifier.learn([("Щебень", "99.99.99"), ("", "08.12.12.140"), ("  ", "08.12")]) == 0
    assert classifier.learn([("Щебень", "08.12.12.140")] * 3) == 1
    assert classifier.learn([("щебня", "08.12.12.140")]) == 0  # already known
    assert classifier.matrix.shape[0] == rows + 1


def test_throughput():
    """A sanity floor for a loaded CI machine; the bar itself is measured by a benchmark."""
    names = [name for name, _ in NAMED_CLASSES] * 100
    names = [f"{name} {i % 7}" for i, name in enumerate(names)]  # not all from the cache
    classifier = package_classifier()
    classifier.suggest(names[:10])
    started = time.perf_counter()
    found = classifier.suggest(names)
    elapsed = time.perf_counter() - started
    assert len(found) == len(names) and all(found)
    assert len(names) / elapsed >= 300, f"{len(names) / elapsed:.0f} names/s"


# Through the database


def test_the_database_classifier_is_built_from_its_okpd2_table(db):
    """The real build (no copy): the OKPD2 rows of the database, the names of NAMED_CLASSES."""
    classification.forget()
    try:
        with db.sessions() as session:
            built = classification.classifier_for(session)
            okpd = session.scalars(select(Okpd.code)).all()
            assert classification.classifier_for(session) is built  # once per database
        assert set(built.entries) == set(okpd)
        names = [name for name, _ in NAMED_CLASSES[:5]]
        found = suggest(db, names)
        for (name, expected), suggestions in zip(NAMED_CLASSES, found, strict=False):
            assert any(c.startswith(expected + ".") for c in codes(suggestions)), name
    finally:
        classification.forget()


def test_a_correction_comes_first_for_that_name_in_any_case_form(database_classifier):
    db = database_classifier
    before = suggest(db, [MOTOR_OIL])[0]
    assert codes(before)[0] != UNIVERSAL_OIL
    with db.session() as session:
        correction = classification.correct(
            session, None, f"  {MOTOR_OIL} ", UNIVERSAL_OIL, suggested=before[0].code
        )
        correction_id = correction.id
    stored = db.get(Correction, correction_id)
    assert (stored.name, stored.okpd2_code, stored.suggested_code) == (
        MOTOR_OIL,
        UNIVERSAL_OIL,
        before[0].code,
    )
    for found in suggest(db, [MOTOR_OIL, "масла моторного", "Масла Моторные"]):
        assert codes(found)[0] == UNIVERSAL_OIL


def test_a_second_correction_of_the_same_name_wins(database_classifier):
    db = database_classifier
    with db.session() as session:
        classification.correct(session, None, "Смесь сухая М150", "23.64.10.110")
    assert codes(suggest(db, ["Смесь сухая М150"])[0])[0] == "23.64.10.110"
    with db.session() as session:
        classification.correct(session, None, "смеси сухой М150", "23.63.10")
    assert codes(suggest(db, ["Смесь сухая М150"])[0])[0] == "23.63.10"


def test_a_correction_with_an_unknown_code_is_refused_and_nothing_is_written(
    database_classifier,
):
    db = database_classifier
    with db.session() as session, pytest.raises(InvalidField) as refused:
        classification.correct(session, None, MOTOR_OIL, "99.99.99.999")
    assert refused.value.field == "okpd2_code"
    assert "99.99.99.999" in refused.value.message
    assert db.count("classification_corrections") == 0
    assert codes(suggest(db, [MOTOR_OIL])[0])[0] != "99.99.99.999"


def test_a_correction_without_a_name_is_refused(database_classifier):
    db = database_classifier
    with db.session() as session, pytest.raises(InvalidField) as refused:
        classification.correct(session, None, "   ", UNIVERSAL_OIL)
    assert refused.value.field == "name"
    assert db.count("classification_corrections") == 0


def test_names_coded_in_the_database_are_learnt_even_after_the_first_request(
    database_classifier,
):
    db = database_classifier
    plant = db.add_enterprise(name="ООО «Нефтехим»")
    with db.session() as session:
        session.add(
            ProductLine(
                enterprise_id=plant,
                okpd2_code=UNIVERSAL_OIL,
                direction="produces",
                name=MOTOR_OIL,
            )
        )
    assert codes(suggest(db, [MOTOR_OIL])[0])[0] == UNIVERSAL_OIL  # learnt at the first build

    name = "Пакет полиэтиленовый фасовочный"
    code = "22.22.11.190"
    assert codes(suggest(db, [name])[0])[0] != code
    with db.session() as session:
        matching.create_offer(
            session, None, {"supplier_id": plant, "product_name": name, "okpd2_code": code}
        )
    for found in suggest(db, [name, "пакетов полиэтиленовых фасовочных"]):
        assert codes(found)[0] == code


def test_a_need_coded_by_its_customer_teaches_the_classifier(database_classifier):
    db = database_classifier
    customer = db.add_enterprise(name="Домостроительный комбинат")
    suggest(db, ["Хлеб"])  # built before the need is posted
    name = "Перемычки брусковые ПБ-1"
    with db.session() as session:
        matching.create_need(
            session,
            None,
            {"customer_id": customer, "product_name": name, "okpd2_code": "23.61.12.111"},
        )
    assert codes(suggest(db, [name])[0])[0] == "23.61.12.111"


@pytest.mark.parametrize("top", [0, -1, 21])
def test_top_out_of_range_is_refused(database_classifier, top):
    with pytest.raises(InvalidField) as refused:
        suggest(database_classifier, ["Хлеб"], top)
    assert refused.value.field == "top"


@pytest.mark.parametrize("top", [1, 20])
def test_top_at_the_bounds_is_accepted(database_classifier, top):
    [found] = suggest(database_classifier, ["Кирпич"], top)
    assert len(found) == top


def test_a_line_deleted_and_entered_again_with_another_code_teaches_the_new_code(
    database_classifier,
):
    """A user codes a line wrongly, deletes it and enters it again: the new code is learnt
    (the new line may get the deleted one's id: SQLite reuses the largest rowid)."""
    db = database_classifier
    plant = db.add_enterprise(name="ООО «Сухие смеси»")
    name = "Смесь сухая М150"

    def enter(code: str) -> int:
        with db.session() as session:
            line = ProductLine(
                enterprise_id=plant, okpd2_code=code, direction="produces", name=name
            )
            session.add(line)
            session.flush()
            return line.id

    wrong = enter("10.71.11.111")
    assert codes(suggest(db, [name])[0])[0] == "10.71.11.111"
    with db.session() as session:
        session.delete(session.get(ProductLine, wrong))
    enter("23.64.10.110")
    assert codes(suggest(db, [name])[0])[0] == "23.64.10.110"
