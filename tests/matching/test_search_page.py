"""The search page (``/search`` and its live part ``/search/results``): a line of kinds with
counts, a section per kind (five lines and «Все: …» when several kinds are shown, twenty a page
for one kind), identical records as one line with the others behind «ещё таких же», why each
line matched, the query's words marked and everything escaped; the same page for anonymous
visitors and every role."""

import re

import pytest

from promcluster.matching.vocabulary import known_words
from promcluster.registry.models import ProductLine

CEMENT = "23.51.12"
ROLES = ("admin", "cluster_manager", "enterprise_rep")


@pytest.fixture(autouse=True)
def fresh_vocabulary():
    known_words.forget()
    yield
    known_words.forget()


@pytest.fixture
def world(db) -> dict[str, int]:
    building = db.add_cluster(name="Строительный кластер <b>газоблоков</b>")
    for n in range(7):
        db.add_project(building, name=f"Производство газоблоков, очередь {n + 1}")
    firms = [db.add_enterprise(name=f"Газоблок-комбинат №{n}") for n in range(3)]
    with db.session() as session:
        for firm in firms:
            session.add(ProductLine(enterprise_id=firm, okpd2_code=CEMENT, direction="consumes",
                                    name="Газоблок стеновой"))  # fmt: skip
    return {"building": building, "firm": firms[0]}


def sections(html: str) -> dict[str, int]:
    """Kind → lines shown in its section."""
    parts = re.split(r'<section class="search-section" data-kind="', html)[1:]
    return {
        p.split('"', 1)[0]: p.split("</section>", 1)[0].count('class="search-hit"') for p in parts
    }


def test_the_page_groups_by_kind_with_counts(client, world):
    page = client.get("/search", params={"q": "газоблок"})
    assert page.status_code == 200
    assert sections(page.text) == {"cluster": 1, "project": 5, "enterprise": 3, "product": 1}
    nav = page.text.split('class="search-kinds"', 1)[1].split("</nav>", 1)[0]
    assert (
        'href="/search?q=%D0%B3%D0%B0%D0%B7%D0%BE%D0%B1%D0%BB%D0%BE%D0%BA&amp;kind=project' in nav
    )
    assert 'Инвестиционные проекты <span class="count">7</span>' in nav
    assert "Все: инвестиционные проекты (7)" in page.text


def test_one_kind_pages_twenty_at_a_time(client, world):
    page = client.get("/search", params={"q": "газоблок", "kind": "project"})
    assert sections(page.text) == {"project": 7}
    assert "Следующие" not in page.text
    past = client.get("/search", params={"q": "газоблок", "kind": "project", "offset": 5})
    assert sections(past.text) == {"project": 2}
    far = client.get("/search", params={"q": "газоблок", "kind": "project", "offset": 10**6})
    assert far.status_code == 200  # clamped to the last page of the grouped candidates


def test_identical_lines_collapse_and_say_why_with_marks_escaped(client, world):
    page = client.get("/search", params={"q": "газоблок", "kind": "product"}).text
    assert page.count('class="search-hit"') == 1
    assert 'data-count="3"' in page
    assert "ещё таких же: 2" in page
    assert "совпало: название" in page
    assert "<mark>Газоблок</mark> стеновой" in page
    cluster = client.get("/search", params={"q": "газоблок", "kind": "cluster"}).text
    assert "&lt;b&gt;<mark>газоблоков</mark>&lt;/b&gt;" in cluster
    assert "<b>газоблоков</b>" not in cluster


def test_the_live_part_is_the_same_fragment(client, world):
    fragment = client.get("/search/results", params={"q": "газобл"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert sections(fragment.text) == {"cluster": 1, "project": 5, "enterprise": 3, "product": 1}


def test_an_unknown_kind_is_refused_in_russian(client, world):
    page = client.get("/search", params={"q": "газоблок", "kind": "planet"})
    assert page.status_code == 422
    assert "неизвестный вид «planet»" in page.text


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_what_anonymous_visitors_see(client, login_as, users, world, role):
    scope = {"clusters": [world["building"]]} if role == "cluster_manager" else {}
    if role == "enterprise_rep":
        scope = {"enterprise": world["firm"]}
    http = login_as(users.add(f"page-{role}", role, **scope))
    anonymous = client.get("/search", params={"q": "газоблок"})
    logged_in = http.get("/search", params={"q": "газоблок"})
    assert anonymous.status_code == logged_in.status_code == 200
    assert sections(logged_in.text) == sections(anonymous.text)
