"""OKPD2 suggestions people can trust (issue 23): the issue's four names, the parent groups
shown with each suggestion (classifier, API, pages), and accuracy on the held-out part of
``benchmarks/data/okpd2_industrial.csv`` kept above the floor measured when it was tuned.

The classifier of the package's OKPD2 file is built once per test run (about ten seconds;
``test_classification.package_classifier``)."""

import csv
import sys
from pathlib import Path

import pytest
from factories import csrf_from

from matching.test_classification import (
    database_classifier,  # noqa: F401  (a fixture)
    package_classifier,
)
from promcluster.reference.service import data_path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_okpd2_suggestions as bench

API = "/api/v1"
with_classifier = pytest.mark.usefixtures("database_classifier")

# The issue's names: the right code (one of), and the wrong code it named (or its prefix).
PIPE, PAVING, BLOCKS, MEMBRANE = (
    "Труба ПНД 110 мм SDR17",
    "Плитка тротуарная вибропрессованная",
    "Керамзитобетонные блоки",
    "Геомембрана HDPE 1,5 мм",
)
ISSUE = {
    PIPE: (("22.21.21.122",), ("22.21.30", "32.20.13.161")),  # films; brass «Трубы»
    PAVING: (("23.61.11.120",), ("20.30.21",)),  # pigments
    BLOCKS: (("23.61.11.130", "23.61.11.190"), ("23.32.11.120",)),  # ceramic floor blocks
    MEMBRANE: (("22.21.30.110", "22.21.42.110"), ("10.51.21",)),  # dry milk 1,5 %
}
# Held-out accuracy measured on 2026-12-04 (docs/BENCHMARKS.md, «OKPD2 suggestions for
# everyday industrial names»), minus a margin of five points; before issue 23 the suggester
# scored 65.3 % at code top-5 and 46.3 % at code top-1 on the same rows.
FLOOR = {("code", 5): 0.726 - 0.05, ("code", 1): 0.579 - 0.05, ("group", 5): 0.895 - 0.05}


def codes(suggestions) -> list[str]:
    return [s.code for s in suggestions]


def inside(code: str, prefixes) -> bool:
    return any(code == p or code.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize(
    "name",
    [
        PIPE,
        PAVING,
        pytest.param(
            BLOCKS,
            marks=pytest.mark.xfail(
                strict=True,
                reason="23.61.11.130 «Кирпич … (включая камни) из … бетона» ranks below four "
                "concrete «Блоки …» codes (docs/MATCHING.md, «Known misses»)",
            ),
        ),
        MEMBRANE,
    ],
)
def test_an_issue_name_gets_its_right_code_among_the_first_five(name):
    right, _ = ISSUE[name]
    [found] = package_classifier().suggest([name])
    assert any(inside(c, right) for c in codes(found)), codes(found)


@pytest.mark.parametrize("name", list(ISSUE))
def test_an_issue_name_never_gets_the_wrong_code_it_named_first(name):
    wrong = ISSUE[name][1]
    [found] = package_classifier().suggest([name])
    assert not inside(found[0].code, wrong), codes(found)


def test_a_pipe_of_polyethylene_is_first_among_plastic_pipes_not_brass_instruments():
    [found] = package_classifier().suggest([PIPE])
    assert found[0].code.startswith("22.21.2"), codes(found)
    brass = [s for s in found if s.code == "32.20.13.161"]
    assert all(s.score < found[0].score for s in brass)


def test_numbers_and_units_do_not_decide_the_code():
    """«1,5 мм» must not pull a name towards «1,5 % жирности» nor «110» towards any «110»."""
    with_numbers, without = package_classifier().suggest([MEMBRANE, "Геомембрана HDPE"])
    assert codes(with_numbers) == codes(without)


def test_each_suggestion_carries_its_parent_groups_from_the_class_down():
    classifier = package_classifier()
    [found] = classifier.suggest(["Трубы"], top=20)
    brass = next(s for s in found if s.code == "32.20.13.161")
    names = [p.name for p in brass.parents]
    assert brass.parents[0].code == "32"
    assert "Инструменты музыкальные" in names
    assert [p.code for p in brass.parents] == sorted(p.code for p in brass.parents)
    assert brass.parents[-1].code == classifier.entries["32.20.13.161"].parent_code
    assert brass.breadcrumb.startswith("32 ")
    assert brass.breadcrumb.endswith("› 32.20.13.161 Трубы")


# The evaluation set and its held-out accuracy


@pytest.fixture(scope="module")
def rows() -> list[bench.Labelled]:
    return bench.evaluation_set()


def test_the_evaluation_set_is_large_varied_and_its_codes_exist(rows):
    with data_path("okpd2.csv").open(encoding="utf-8") as f:
        okpd2 = {r["code"] for r in csv.DictReader(f)}
    assert len(rows) >= 100
    assert {r.category for r in rows} >= {"pipes", "blocks", "paving", "membranes", "metal"}
    assert {r.split for r in rows} == {"dev", "test"}
    assert sum(r.split == "test" for r in rows) >= 90
    assert all(code in okpd2 for r in rows for code in r.codes), "a code not in okpd2.csv"
    assert len({r.name for r in rows}) == len(rows)
    named = {r.name: r for r in rows}
    for name, (right, _) in ISSUE.items():
        assert set(named[name].codes) == set(right)
        assert named[name].split == "dev"  # looked at while tuning: not held out


def test_the_evaluation_file_states_its_source():
    header = bench.EVAL.read_text(encoding="utf-8").split("\nname,", 1)[0]
    assert "written by the promcluster developers" in header
    assert "OK 034-2014" in header and "okpd2.csv" in header


@pytest.mark.parametrize(("level", "top"), list(FLOOR))
def test_held_out_accuracy_stays_above_its_floor(rows, level, top):
    classifier = package_classifier()
    held_out = [r for r in rows if r.split == "test"]
    found = classifier.suggest([r.name for r in held_out])
    share = bench.accuracy(classifier, held_out, found)[(level, top)]
    assert share >= FLOOR[(level, top)], f"{level} top-{top}: {share:.1%}"


def test_a_suggestion_is_right_at_code_level_only_at_or_below_the_labelled_code():
    classifier = package_classifier()
    row = bench.Labelled("x", ("22.21.21.120",), "pipes", "test")
    assert bench.right(classifier, "22.21.21.122", row, "code")  # below it
    assert not bench.right(classifier, "22.21.21", row, "code")  # above it
    assert bench.right(classifier, "22.21.29.110", row, "group")
    assert not bench.right(classifier, "24.20.13.130", row, "class")


# Parents over HTTP: the API answer and the pages


@with_classifier
def test_the_api_answer_gives_each_suggestion_its_parents(client, db):
    response = client.get(f"{API}/okpd2/suggest", params={"name": "Трубы", "top": 20})
    assert response.status_code == 200, response.text
    found = response.json()
    assert all({"code", "name", "score", "parents", "breadcrumb"} <= set(s) for s in found)
    brass = next(s for s in found if s["code"] == "32.20.13.161")
    assert {"code": "32.2", "name": "Инструменты музыкальные"} in brass["parents"]
    assert brass["breadcrumb"].endswith("› 32.20.13.161 Трубы")
    batch = client.post(f"{API}/okpd2/suggest", json={"names": [PIPE], "top": 3}).json()
    assert batch[0][0]["parents"][0]["code"] == batch[0][0]["code"][:2]


@with_classifier
def test_the_suggestion_buttons_show_the_parent_groups(client, db):
    page = client.get("/okpd2/suggest", params={"product_name": "Трубы"})
    assert page.status_code == 200
    assert "okpd2-path" in page.text
    assert "Изделия резиновые и пластмассовые" in page.text or "Металлы основные" in page.text
    assert 'title="' in page.text and " › " in page.text


@with_classifier
def test_the_classify_page_shows_where_each_code_sits(client, db):
    token = csrf_from(client.get("/classify").text)
    page = client.post("/classify", data={"names": PIPE, "csrf_token": token})
    assert page.status_code == 200
    table = page.text[page.text.index("<table") : page.text.index("</table>")]
    assert "22.21.21.122" in table
    assert "Изделия резиновые и пластмассовые" in table
    assert table.count('class="okpd2-path') == 5
