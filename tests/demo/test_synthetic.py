"""The synthetic demo supplement: labelled as synthetic, deterministic, loaded once, with a
regions × activities structure and the Tyumen and Leningrad chains' purchases, supplies and needs.

The supplement is loaded once per backend for this module (15,000 enterprises); the tests only
read it, except the second load, which must add nothing."""

import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from factories import Database
from sqlalchemy import func, select

from promcluster.demo.loader import demo_data, load_demo
from promcluster.demo.structure import RESOURCE_BOUND, read_structure
from promcluster.demo.synthetic import (
    ABSENT,
    CHAIN_INPUTS,
    FIRMS,
    FOCUS_REGIONS,
    MIN_CLASS_FIRMS,
    MIN_PER_REGION,
    NEEDS,
    SHARE_LIMIT,
    Limits,
    generate,
    load_synthetic_demo,
    read_reference,
)
from promcluster.discovery.service import discover
from promcluster.geo import haversine_km
from promcluster.matching.models import Need
from promcluster.niches.service import rank_niches
from promcluster.reference.models import City, Okpd, Okved, Region
from promcluster.registry.models import Enterprise, EnterpriseFigure, ProductLine, Supply

NAME = re.compile(r"Синтетическое предприятие №\d+ \(демо\)")


@pytest.fixture(scope="module")
def synthetic(database_url: str, engine, admin) -> Database:
    """The seeds and the synthetic supplement, loaded once for the module's read-only tests."""
    db = Database(database_url, engine, keep_users=(admin.id,))
    db.clean()
    with db.session() as session:
        load_demo(session)
        db.report = load_synthetic_demo(session)
    yield db
    db.clean()


@pytest.fixture(scope="module")
def firms(synthetic: Database) -> list:
    """The synthetic enterprises as plain rows (with their city's region), read once."""
    e = Enterprise.__table__
    query = (
        select(
            e,
            City.region_code.label("city_region"),
            City.lat.label("city_lat"),
            City.lon.label("city_lon"),
            City.population.label("city_population"),
        )
        .join(City, City.id == e.c.city_id, isouter=True)
        .where(e.c.is_synthetic)
        .order_by(e.c.id)
    )
    with synthetic.engine.connect() as connection:
        return connection.execute(query).all()


def lines(session, region: str, direction: str) -> list[ProductLine]:
    query = (
        select(ProductLine)
        .join(ProductLine.enterprise)
        .where(Enterprise.region_code == region, ProductLine.direction == direction)
    )
    return list(session.scalars(query))


def test_report_counts_what_was_written(synthetic):
    added, counts = synthetic.report.added, synthetic.counts()
    seeds = len(demo_data()["organisations"])
    assert added["enterprises"] == counts["enterprises"] - seeds
    assert FIRMS - 50 < added["enterprises"] < FIRMS + sum(FOCUS_REGIONS.values())
    assert {k: added[k] for k in ("product_lines", "supplies", "needs")} == {
        k: counts[k] for k in ("product_lines", "supplies", "needs")
    }
    assert added["supplies"] >= 200
    assert {row.entity for row in synthetic.audit(action="create")} >= set(added)


def test_every_synthetic_record_is_labelled_and_has_no_inn_or_ogrn(synthetic, firms):
    assert all(NAME.fullmatch(e.name) for e in firms)
    assert all(e.description.startswith("Синтетические демонстрационные данные:") for e in firms)
    assert all(e.inn is None and e.ogrn is None for e in firms)
    assert all(e.city_region == e.region_code for e in firms)
    with synthetic.sessions() as session:
        real = session.scalars(select(Enterprise.name).where(Enterprise.is_synthetic.is_(False)))
        assert sorted(real) == sorted(o["name"] for o in demo_data()["organisations"])
        owners = [
            select(Enterprise.is_synthetic).join(
                ProductLine, ProductLine.enterprise_id == Enterprise.id
            ),
            select(Enterprise.is_synthetic).join(Supply, Supply.supplier_id == Enterprise.id),
            select(Enterprise.is_synthetic).join(Supply, Supply.buyer_id == Enterprise.id),
            select(Enterprise.is_synthetic).join(Need, Need.customer_id == Enterprise.id),
        ]
        assert all(all(session.scalars(q)) for q in owners)
        notes = session.scalars(select(Need.description))
        assert all(n.startswith("Синтетические демонстрационные данные:") for n in notes)


def test_firms_are_scattered_around_their_city(firms):
    """Synthetic points: none on the city's own point, most within 3 s.d. of the city's spread,
    and a big city's firms spread wider than a small town's."""
    distance = {e.id: haversine_km((e.lat, e.lon), (e.city_lat, e.city_lon)) for e in firms}
    spread = {e.id: 1.5 + 5 * ((e.city_population or 0) / 1e6) ** 0.5 for e in firms}
    assert all(distance[i] > 0 for i in distance)
    within = sum(distance[i] <= 3 * 1.42 * spread[i] for i in distance)
    assert within >= 0.99 * len(firms)
    big = [distance[e.id] for e in firms if (e.city_population or 0) > 1_000_000]
    small = [distance[e.id] for e in firms if (e.city_population or 0) < 50_000]
    assert sorted(big)[len(big) // 2] > 2 * sorted(small)[len(small) // 2]


def test_two_years_of_figures_with_the_current_ones_last(synthetic, firms):
    with synthetic.sessions() as session:
        rows = session.execute(
            select(EnterpriseFigure.enterprise_id, EnterpriseFigure.year,
                   EnterpriseFigure.employees, EnterpriseFigure.revenue)
        ).all()  # fmt: skip
    assert synthetic.report.added["enterprise_figures"] == len(rows) == 2 * len(firms)
    latest = {i: (n, r) for i, year, n, r in rows if year == 2024}
    assert latest == {e.id: (e.employees, e.revenue) for e in firms}
    earlier = {i: n for i, year, n, _ in rows if year == 2023}
    change = sorted(latest[i][0] / earlier[i] - 1 for i in earlier if latest[i][0] >= 50)
    assert -0.1 < change[len(change) // 2] < 0.15  # a median change of a few per cent
    assert change[0] < -0.05 and change[-1] > 0.2  # firms differ


def test_all_85_regions_by_rosstat_organisations(synthetic, firms):
    """Firms per region follow Rosstat's organisations (Crimea and Sevastopol, absent from the
    export, by urban population); the cluster regions are oversampled."""
    per_region = Counter(e.region_code for e in firms)
    with synthetic.sessions() as session:
        structure = read_structure(session)
        population = dict(
            session.execute(
                select(City.region_code, func.sum(City.population)).group_by(City.region_code)
            ).all()
        )
        regions = set(session.scalars(select(Region.code)))
    assert len(regions) == 85 and set(per_region) == regions
    assert set(regions) - set(structure.counts) == {"91", "92"}
    assert min(per_region.values()) >= MIN_PER_REGION
    real = {r: structure.total(r) for r in structure.counts}
    largest = max(real, key=real.get)
    assert largest == "77" and max(per_region, key=per_region.get) == largest
    assert per_region[largest] > 20 * min(per_region.values())
    per_person = sum(real.values()) / sum(population[r] for r in real)
    size = {r: real.get(r) or population[r] * per_person for r in regions}  # 91, 92: by people
    spare, total = FIRMS - MIN_PER_REGION * 85, sum(size.values())
    for region, n in per_region.items():
        expected = MIN_PER_REGION + round(spare * size[region] / total)
        assert n == max(expected, FOCUS_REGIONS.get(region, 0)), region


def test_codes_are_real_and_detailed_and_sizes_consistent(synthetic, firms):
    with synthetic.sessions() as session:
        okved_levels = dict(session.execute(select(Okved.code, Okved.level)).all())
        okpd_levels = dict(session.execute(select(Okpd.code, Okpd.level)).all())
        made = session.execute(
            select(Enterprise.okved_main, ProductLine.okpd2_code)
            .join(ProductLine.enterprise)
            .where(ProductLine.direction == "produces")
        ).all()
    assert {okved_levels[e.okved_main] for e in firms} == {3, 4}  # XX.XX and XX.XX.X
    assert made and all(okpd_levels[code] in (3, 5) for _, code in made)
    # OKPD2 23.61.11 ↔ OKVED2 23.61; a class without an OKPD2 class (19.31) makes its group's
    # (19.30)
    assert all(
        code[:5] == okved[:5] or (okved[:5] not in okpd_levels and code[:5] == okved[:4] + "0")
        for okved, code in made
    )
    limits = {"micro": (1, 14), "small": (15, 99), "medium": (100, 249), "large": (250, 20_000)}
    for e in firms:
        low, high = limits[e.sme_category]
        assert low <= e.employees <= high
        assert 1.5e6 * e.employees <= e.revenue <= 4e6 * e.employees
    sizes = sorted(e.employees for e in firms)
    assert sizes[len(sizes) // 2] < 15 < 250 < sizes[-1]  # most firms are small, a few large


def test_regions_differ_in_structure(firms):
    total, by_region = Counter(e.okved_main[:2] for e in firms), defaultdict(Counter)
    for e in firms:
        by_region[e.region_code][e.okved_main[:2]] += 1

    def lq(region: str, division: str) -> float:
        share = by_region[region][division] / sum(by_region[region].values())
        return share / (total[division] / len(firms))

    assert lq("72", "23") > 1.5 and lq("72", "22") > 1
    assert lq("47", "20") > 1.5 and lq("47", "22") > 1
    assert sum(by_region[r]["47"] > 0 for r in by_region) >= 80  # retail is (almost) everywhere
    tops = {
        max(c, key=lambda d: lq(r, d) if d not in ("46", "47") else 0) for r, c in by_region.items()
    }
    assert len(tops) >= 15  # the most specialised division differs between regions


def test_weak_chain_activities_leave_niches(synthetic):
    with synthetic.sessions() as session:
        for region, classes in ABSENT.items():
            codes = session.scalars(
                select(Enterprise.okved_main).where(Enterprise.region_code == region)
            )
            assert not [c for c in codes if c and c[:5] in classes]
            bought = [x for x in lines(session, region, "consumes") if x.okpd2_code[:5] in classes]
            assert bought and all(x.outside_share >= 0.8 for x in bought)


def test_cluster_regions_buy_their_chain_inputs_outside_and_abroad(synthetic):
    with synthetic.sessions() as session:
        for region, inputs in CHAIN_INPUTS.items():
            bought = lines(session, region, "consumes")
            made_here = {x.okpd2_code for x in lines(session, region, "produces")}
            assert {x.okpd2_code for x in bought} == {i[0] for i in inputs}
            assert all(0 <= x.import_share <= x.outside_share <= 1 for x in bought)
            assert all(x.import_share <= 0.6 and x.value > 0 and x.year == 2024 for x in bought)
            assert any(x.import_share > 0.3 for x in bought)
            assert all(x.outside_share >= 0.8 for x in bought if x.okpd2_code not in made_here)
            keys = [(x.enterprise_id, x.okpd2_code) for x in bought]
            assert len(keys) == len(set(keys))


def test_supplies_from_inside_and_outside_the_region_match_the_lines(synthetic):
    with synthetic.sessions() as session:
        supplies = list(session.scalars(select(Supply)))
        produced = set(
            session.execute(
                select(ProductLine.enterprise_id, ProductLine.okpd2_code).where(
                    ProductLine.direction == "produces"
                )
            )
        )
        consumed = {
            (x.enterprise_id, x.okpd2_code): x
            for x in session.scalars(select(ProductLine).where(ProductLine.direction == "consumes"))
        }
        for region in CHAIN_INPUTS:
            into = [s for s in supplies if s.buyer.region_code == region]
            assert any(s.supplier.region_code == region for s in into)
            assert sum(s.supplier.region_code != region for s in into) > 50
        paid = Counter()
        for s in supplies:
            assert (s.supplier_id, s.okpd2_code) in produced
            assert (s.buyer_id, s.okpd2_code) in consumed and s.year == 2024
            paid[s.buyer_id, s.okpd2_code] += s.value
    for key, value in paid.items():
        assert value <= consumed[key].value * (1 - consumed[key].import_share) + 6  # rounding


def test_open_needs_in_tyumen_and_leningrad(synthetic):
    with synthetic.sessions() as session:
        needs = list(session.scalars(select(Need)))
        for region in ("72", "47"):
            posted = [n for n in needs if n.region_code == region]
            assert len(posted) == len(NEEDS[region]) >= 10
            for n in posted:
                assert n.status == "open" and not n.overdue  # deadlines follow the day of loading
                assert date.today() + timedelta(30) <= n.deadline < date.today() + timedelta(300)
                assert n.customer.is_synthetic and n.customer.region_code == region
                assert n.product is not None and n.value > 0 and n.volume > 0 and n.unit
        assert "Геомембрана HDPE 1,5 мм" in {n.product_name for n in needs}


def test_the_same_seed_gives_the_same_records(synthetic, firms):
    with synthetic.sessions() as session:
        ref = read_reference(session)
        made = session.execute(
            select(
                Enterprise.name, ProductLine.okpd2_code, ProductLine.direction, ProductLine.value
            ).join(ProductLine.enterprise)
        ).all()
        needs = session.execute(
            select(Enterprise.name, Need.product_name, Need.deadline).join(Need.customer)
        ).all()
    first, again, other = generate(ref, 2024), generate(ref, 2024), generate(ref, 7)
    assert first == again and first.firms != other.firms
    name = "Синтетическое предприятие №{} (демо)".format
    assert sorted((e.name, e.region_code, e.city_id, e.okved_main, e.employees) for e in firms) == (
        sorted((name(f.number), f.region, f.city_id, f.okved, f.employees) for f in first.firms)
    )
    assert sorted(made) == sorted(
        (name(x.firm.number), x.code, x.direction, x.value) for x in first.lines
    )
    assert sorted(needs) == sorted(
        (name(f.number), spec[0], spec[-1]) for f, _, spec in first.needs
    )
    assert synthetic.report.added["supplies"] == len(first.supplies)


def test_loading_again_adds_nothing(synthetic):
    counts = synthetic.counts()
    with synthetic.session() as session:
        assert load_synthetic_demo(session).added == {}
        assert load_synthetic_demo(session, seed=1).added == {}
    assert synthetic.counts() == counts


def test_the_cluster_regions_hold_enough_firms_for_candidate_producers(firms):
    by_region = {}
    for e in firms:
        by_region[e.region_code] = by_region.get(e.region_code, 0) + 1
    assert all(by_region[code] >= count for code, count in FOCUS_REGIONS.items())


def test_no_activity_where_the_real_data_has_none(synthetic, firms):
    """No firm in a section or broken-out division Rosstat counts at zero for its region, and
    uranium ore only in the three regions that mine it."""
    with synthetic.sessions() as session:
        structure = read_structure(session)
    assert all(structure.present(e.region_code, e.okved_main) for e in firms)
    zero_fish = {r for r, c in structure.counts.items() if c.get("10.2") == 0}
    assert zero_fish and not [e for e in firms if e.region_code in zero_fish and
                              e.okved_main.startswith("10.2")]  # fmt: skip
    uranium = {e.region_code for e in firms if e.okved_main.startswith("07.21")}
    assert uranium <= set(RESOURCE_BOUND["07.21"])
    sections = {e.okved_main[:2] for e in firms}
    assert not sections & {"84", "97", "98", "99"}  # O, T, U are not drawn
    assert not structure.present("72", "07.21") and structure.present("75", "07.21")


def test_shares_of_the_country_stay_within_the_real_bounds(synthetic, firms):
    """In every class: at least MIN_CLASS_FIRMS firms in the country, and no region holding more
    of its firms or headcount than its limit (from its real share of the section), one firm's
    share of tolerance; never more than SHARE_LIMIT where a class has 10 firms or more."""
    with synthetic.sessions() as session:
        limits = Limits(read_reference(session), Counter(e.region_code for e in firms))
    count, staff = defaultdict(Counter), defaultdict(Counter)
    for e in firms:
        count[e.okved_main[:5]][e.region_code] += 1
        staff[e.okved_main[:5]][e.region_code] += e.employees
    assert min(sum(c.values()) for c in count.values()) >= MIN_CLASS_FIRMS
    worst = 0.0
    for code, regions in count.items():
        n, people = sum(regions.values()), sum(staff[code].values())
        for region, held in regions.items():
            limit = max(limits(region, code), 1 / n) + 1 / n
            assert held / n <= limit, (code, region, held, n)
            assert staff[code][region] / people <= limit, (code, region)
            worst = max(worst, held / n, staff[code][region] / people)
    assert worst <= SHARE_LIMIT + 1 / MIN_CLASS_FIRMS
    # Tyumen oblast (1.1 % of Russia's manufacturing organisations, oversampled about 5 times)
    assert 0.1 < limits("72", "20.16") < 0.25


def test_tyumen_named_industries_and_tobolsk(synthetic, firms):
    """The seeds' and Tyumen's named industries are there: polymers (in Tobolsk), construction
    materials, oil and gas services and refining."""
    with synthetic.sessions() as session:
        tobolsk = session.scalar(select(City.id).where(City.name == "Тобольск"))
    tyumen = [e for e in firms if e.region_code == "72"]
    classes = Counter(e.okved_main[:5] for e in tyumen)
    assert classes["20.16"] >= 5 and all(c > 0 for c in (classes["09.10"], classes["19.20"]))
    assert sum(n for c, n in classes.items() if c.startswith("23.")) >= 10
    polymers = [e for e in tyumen if e.okved_main.startswith("20.1")]
    assert polymers and all(e.city_id == tobolsk for e in polymers)


def test_every_manufacturer_of_the_cluster_regions_makes_something(synthetic, firms):
    """Output wherever there is headcount in the regions with niches: each firm of mining or
    manufacturing in Tyumen and Leningrad oblasts has a produces line."""
    with synthetic.sessions() as session:
        makers = set(
            session.scalars(
                select(ProductLine.enterprise_id).where(ProductLine.direction == "produces")
            )
        )
    producing = [e for e in firms if "05" <= e.okved_main[:2] <= "33"]
    for region in CHAIN_INPUTS:
        here = [e for e in producing if e.region_code == region]
        assert len(here) >= 100 and all(e.id in makers for e in here)


def test_tyumen_plastics_niche_has_regional_output(synthetic):
    with synthetic.sessions() as session:
        niches = {n.group: n for n in rank_niches(session, "72").niches}
    plastics = niches["20.16"]
    assert plastics.produced > 0 and plastics.producers >= 1
    assert niches["22.21"].produced == 0  # a chain gap stays a gap (ABSENT)


def test_discovery_for_tyumen_offers_no_uranium(synthetic):
    with synthetic.sessions() as session:
        found = discover(session, "72")
    assert found.candidates
    for c in found.candidates:
        assert not c.seed.startswith("07.21")
        assert not [a for a in c.activities if a[0].startswith("07.21")]
