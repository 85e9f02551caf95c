"""The main pages of the demo read as Russian, for an anonymous visitor and an administrator: no
decimal point, no ungrouped thousands, no «-0,0», no month as «2026-12», no raw identifier and
one spacing of «%» (issue 23). The checker itself is tested first, on what it must catch."""

import pytest
from russian_text import problems
from sqlalchemy import select

from promcluster.chains.models import Chain
from promcluster.demo.loader import load_official_statistics
from promcluster.demo.synthetic import load_synthetic_demo
from promcluster.matching.models import Need
from promcluster.registry.models import Enterprise

TYUMEN = "72"


@pytest.mark.parametrize(
    ("html", "name"),
    [
        ("<p>доля 94.7</p>", "decimal point"),
        ('<td class="num">94.7</td>', "decimal point"),  # a code alone passes, not in a number
        ("<td>16722</td>", "ungrouped number"),
        ("<td>-0,00</td>", "minus zero"),
        ("<td>−0,0</td>", "minus zero"),
        ("<td>2026-12</td>", "ISO month"),
        ("<td>2026-12-03</td>", "ISO month"),
        ("<td>роли: specialised_org</td>", "identifier"),
        ("<td>federal</td>", "raw vocabulary"),
        ("<td>region:72</td>", "raw vocabulary"),
        ("<td>count</td>", "raw vocabulary"),
        ("<td>12%</td>", "percent glued"),
        ("<td>12 %</td>", "percent plain space"),
        ('<span title="вес 0.4">вес</span>', "decimal point"),
    ],
)
def test_the_checker_finds(html, name):
    assert name in {found[0] for found in problems(html)}


@pytest.mark.parametrize(
    "html",
    [
        "<p>на 03.12.2026, 94,7 и 16\u202f722, −0,5, 12,5\u00a0%</p>",
        "<p>ИНН 7202000000, ОГРН 1027200000000, ОКВЭД2 23.61, ОКПД2 23.61.11.110</p>",
        '<td>23.61</td><td><span class="code">25.11</span></td><text>28.29 +1</text>',
        "<p>Синтетическое предприятие №12345 (демо), 625000, Тюмень</p>",
        "<script>var x = 94.7, y = 'specialised_org';</script><p>ok</p>",
        '<a href="/clusters?status=federal_registry">в реестре</a>',
    ],
)
def test_the_checker_lets_pass(html):
    assert problems(html) == []


@pytest.fixture
def whole_demo(demo):
    """The demo as ``promcluster load demo`` loads it, but the FNS samples: seeds, the shipped
    ЕМИСС figures and the synthetic supplement (enterprises, products, supplies, needs)."""
    with demo.session() as session:
        load_official_statistics(session)
        load_synthetic_demo(session)
    return demo


def _pages(demo) -> list[str]:
    """The main pages of the demo (brief of issue 23) with the records they show."""
    with demo.session() as session:
        chain, cluster = session.execute(select(Chain.id, Chain.cluster_id).limit(1)).one()
        enterprise = session.scalar(
            select(Enterprise.id).where(Enterprise.region_code == TYUMEN).limit(1)
        )
        need = session.scalar(select(Need.id).limit(1))
    return [
        "/",
        "/clusters",
        f"/clusters/{cluster}",
        f"/clusters/{cluster}/indicators/summary",
        f"/clusters/{cluster}/graph/summary",
        f"/clusters/{cluster}/compliance",
        f"/clusters/{cluster}/prospects",
        f"/chains/{chain}",
        f"/niches/{TYUMEN}",
        f"/discover/{TYUMEN}",
        f"/discover/{TYUMEN}/candidates/1",
        "/ratings",
        "/map",
        "/statistics",
        "/regions",
        f"/regions/{TYUMEN}",
        f"/regions/{TYUMEN}/statistics",
        f"/regions/{TYUMEN}/indicators/summary",
        "/enterprises",
        f"/enterprises/{enterprise}",
        "/needs",
        f"/needs/{need}",
        "/offers",
        "/compliance/rules",
    ]


def test_main_pages_read_as_russian(whole_demo, client, admin_client):
    """Every main page, as anonymous and as admin (plus the admin's own pages), with the allowed
    codes of russian_text.CODES (ИНН, ОГРН, ОКВЭД2/ОКПД2 codes, record numbers, postcodes)."""
    pages = _pages(whole_demo)
    niche = client.get(f"/niches/{TYUMEN}").text.split(f'href="/niches/{TYUMEN}/', 1)[1]
    pages.append(f"/niches/{TYUMEN}/" + niche.split('"', 1)[0].split("?", 1)[0])
    found = []
    admin_pages = ["/jobs", "/users"]
    for who, http, extra in (("anonymous", client, []), ("admin", admin_client, admin_pages)):
        for page in [*pages, *extra]:
            response = http.get(page)
            assert response.status_code == 200, (who, page, response.status_code)
            found.extend((who, page, *p) for p in problems(response.text))
    assert not found, "\n".join(" | ".join(f) for f in found[:40])
