"""Indicators computed on hand-made records, checked against the hand computation in
``tests/indicators/__init__.py``: memberships on a date, employees, SME share, investment by
status, cooperation and import shares, region sums, ratings, time series."""

from datetime import date
from itertools import product

import pytest

from indicators import AS_OF, build_world, supply
from promcluster.chains.graph import is_participant, participant_condition
from promcluster.errors import InvalidField, NotFound
from promcluster.indicators import ratings, scope, service
from promcluster.indicators.series import time_series
from promcluster.registry.models import Enterprise, Membership


def test_memberships_on_a_date(db):
    world = build_world(db)
    with db.session() as session:
        before = service.cluster_indicators(session, world.cluster, AS_OF)
        later = service.cluster_indicators(session, world.cluster, date(2024, 10, 1))
        after_leaving = service.cluster_indicators(session, world.cluster, date(2025, 1, 1))
    assert (before["members"].value, before["applicants"].value, before["potential"].value) == (
        4,
        1,
        1,
    )
    assert before["members"].as_of == AS_OF
    assert later["members"].value == 5  # e4 joined on 01.09.2024
    assert after_leaving["members"].value == 4  # e5 left on 31.12.2024
    assert before.roles == {"participant": 4}


def test_employees_revenue_and_sme_share_over_participants(db):
    world = build_world(db)
    with db.session() as session:
        ind = service.cluster_indicators(session, world.cluster, AS_OF)
    employees = ind["employees"]
    assert (employees.value, employees.known, employees.total) == (160, 3, 4)
    assert employees.basis_text == "известно у 3 из 4 участников"
    assert (ind["revenue"].value, ind["revenue"].known) == (1_000_000, 1)
    sme = ind["sme_share"]
    assert sme.value == pytest.approx(2 / 3)
    assert (sme.known, sme.total) == (3, 4)


def test_employees_known_for_two_of_three(db):
    cluster = db.add_cluster()
    for employees in (120, None, 30):
        db.add_membership(cluster, db.add_enterprise(employees=employees))
    with db.session() as session:
        employees = service.cluster_indicators(session, cluster)["employees"]
    assert (employees.value, employees.known, employees.total) == (150, 2, 3)
    assert employees.basis_text == "известно у 2 из 3 участников"


def test_no_known_figure_is_no_data_not_zero(db):
    cluster = db.add_cluster()
    db.add_membership(cluster, db.add_enterprise())
    with db.session() as session:
        ind = service.cluster_indicators(session, cluster)
    assert ind["employees"].value is None and ind["sme_share"].value is None
    assert ind["project_amount"].value is None and ind["projects"].value == 0


def test_investment_by_status_with_unknown_amounts(db):
    world = build_world(db)
    with db.session() as session:
        ind = service.cluster_indicators(session, world.cluster, AS_OF)
    got = {
        k: (ind[k].value, ind[k].known, ind[k].total)
        for k in ("investment_planned", "investment_in_progress", "investment_done")
    }
    assert got == {
        "investment_planned": (100, 1, 2),
        "investment_in_progress": (300, 1, 1),
        "investment_done": (500, 1, 2),
    }
    assert (ind["project_amount"].value, ind["project_amount"].known) == (950, 4)
    assert ind["projects"].value == 6
    assert ind.project_statuses == {
        "idea": 1, "planned": 1, "in_progress": 1, "done": 2, "cancelled": 1,
    }  # fmt: skip


def test_cooperation_share_and_import_dependence(db):
    world = build_world(db)
    with db.session() as session:
        ind = service.cluster_indicators(session, world.cluster, AS_OF)
    coop = ind["cooperation_share"]
    assert coop.value == pytest.approx(300 / 1300)
    assert (coop.year, coop.parts) == (2023, {"inside": 300, "purchases": 1300})
    imported, outside = ind["import_share"], ind["outside_share"]
    assert imported.value == pytest.approx(200 / 5000)
    assert outside.value == pytest.approx(3500 / 5000)
    assert (imported.known, imported.total, imported.year) == (2, 3, 2023)


def test_region_sums_count_an_enterprise_in_two_clusters_once(db):
    world = build_world(db)
    other = db.add_cluster(name="Кластер Б")
    db.add_membership(other, world.ids["e1"])
    db.add_membership(other, db.add_enterprise(employees=40))
    db.add_project(other, status="planned", amount=1000)
    elsewhere = db.add_cluster(region_codes=["45"])
    db.add_membership(elsewhere, db.add_enterprise(region_code="45", employees=5))
    with db.session() as session:
        region = service.region_indicators(session, "72", AS_OF)
    assert region["members"].value == 5
    assert (region["employees"].value, region["employees"].known) == (200, 4)
    assert region["clusters"].value == 2
    assert region.cluster_statuses == {"none": 2}
    assert region["investment_planned"].value == 1100
    assert region["projects"].value == 7


def test_sql_participant_condition_agrees_with_is_participant(db):
    as_of = date(2024, 6, 30)
    dates = (None, date(2024, 1, 1), as_of, date(2024, 12, 31))
    cases = list(product(("member", "left", "applicant", "potential"), dates, dates))
    cluster = db.add_cluster()
    with db.session() as session:
        for i, (status, since, until) in enumerate(cases):
            e = Enterprise(name=f"Случай {i}", region_code="72")
            session.add(e)
            session.flush()
            session.add(
                Membership(
                    cluster_id=cluster, enterprise_id=e.id, status=status, since=since,
                    until=until, note=str(i),
                )
            )  # fmt: skip
    with db.session() as session:
        rows = session.execute(
            scope.memberships("cluster", [cluster], Membership.note, participant_condition(as_of))
        ).all()
    by_sql = {int(note): bool(flag) for _, note, flag in rows}
    expected = {i: is_participant(s, a, b, as_of) for i, (s, a, b) in enumerate(cases)}
    assert by_sql == expected
    assert sum(expected.values()) > 0


def test_declared_figures_stay_beside_records(db):
    from promcluster.registry.models import DeclaredFigure, Source

    cluster = db.add_cluster()
    chain = db.add_chain(cluster, name="Цепочка 1")
    with db.session() as session:
        source = Source(key="doc", title="Статья", publisher="Издание")
        session.add(source)
        session.flush()
        for indicator, value, chain_id in (("members", 21, None), ("projects", 4, chain),
                                           ("fund_capital", 7, None)):  # fmt: skip
            session.add(
                DeclaredFigure(
                    cluster_id=cluster, chain_id=chain_id, indicator=indicator, value=value,
                    unit="count", source_id=source.id, quote="цитата",
                )
            )  # fmt: skip
    with db.session() as session:
        ind = service.cluster_indicators(session, cluster)
    (members,) = ind["members"].declared
    assert (members.value, members.source_key, members.scope, members.quote) == (
        21, "doc", None, "цитата",
    )  # fmt: skip
    assert [(d.value, d.scope) for d in ind["projects"].declared] == [(4, "Цепочка 1")]
    assert [d.indicator for d in ind.other_declared] == ["fund_capital"]
    assert ind["members"].value == 0


def test_rating_orders_ties_and_missing_values(db):
    names = {"Бета": 50, "Альфа": 50, "Гамма": 80, "Дельта": None, "Ёж": 10}
    for name, employees in names.items():
        cluster = db.add_cluster(name=name)
        db.add_membership(cluster, db.add_enterprise(employees=employees))
    with db.session() as session:
        rating = ratings.rating(session, "employees", "cluster")
    got = [(r.rank, r.name, r.value) for r in rating.rows]
    assert got == [
        (1, "Гамма", 80), (2, "Альфа", 50), (2, "Бета", 50), (4, "Ёж", 10), (None, "Дельта", None),
    ]  # fmt: skip


def test_region_rating_and_map_classes(db):
    for region, members in (("72", 3), ("45", 1), ("66", 3)):
        cluster = db.add_cluster(region_codes=[region])
        for _ in range(members):
            db.add_membership(cluster, db.add_enterprise(region_code=region))
    with db.session() as session:
        rating = ratings.rating(session, "members", "region")
    assert [(r.rank, r.key, r.value) for r in rating.rows] == [
        (1, "66", 3), (1, "72", 3), (3, "45", 1),
    ]  # fmt: skip
    colours, legend = ratings.region_colours(rating)
    assert colours == {
        "66": ratings.PALETTE[-1],
        "72": ratings.PALETTE[-1],
        "45": ratings.PALETTE[0],
    }
    assert [(c.low, c.high) for c in legend] == [(None, 1), (1, 3)]


def test_class_breaks_and_colours():
    assert ratings.class_breaks([1, 2, 2, 3]) == [1, 2, 3]
    values = list(range(1, 11))
    breaks = ratings.class_breaks(values)
    assert breaks == [2, 4, 6, 8, 10]
    assert [ratings.colour(v, breaks) for v in (1, 2, 3, 10)] == [
        ratings.PALETTE[0], ratings.PALETTE[0], ratings.PALETTE[1], ratings.PALETTE[4],
    ]  # fmt: skip
    assert ratings.colour(None, breaks) == ratings.NO_DATA_COLOUR


def test_unknown_indicator_level_and_records_are_refused(db):
    with db.session() as session:
        with pytest.raises(InvalidField) as bad:
            ratings.rating(session, "happiness", "cluster")
        assert bad.value.field == "indicator"
        with pytest.raises(InvalidField) as bad:
            ratings.rating(session, "members", "country")
        assert bad.value.field == "level"
        with pytest.raises(InvalidField):
            ratings.rating(session, "clusters", "cluster")  # a region-only indicator
        with pytest.raises(NotFound):
            service.cluster_indicators(session, 999_999)
        with pytest.raises(NotFound):
            service.region_indicators(session, "00")


def test_time_series_only_for_years_with_data(db):
    world = build_world(db)
    e = world.ids
    db.add_project(world.cluster, status="planned", amount=70, start_year=2022)
    db.add_project(world.cluster, status="planned", amount=None, start_year=2024)
    db.add_project(world.cluster, status="done", amount=30, start_year=2022)
    with db.session() as session:
        supply(session, e["e1"], e["e2"], 400, year=2021)
    with db.session() as session:
        series = time_series(session, "cluster", world.cluster, [], date(2024, 12, 31))
    members = {p.year: p.value for p in series.series["members"].points}
    # e1 from 2020, e5 and e6 from 2019; e6 left 01.01.2023, e3 joined 2024, e4 on 01.09.2024,
    # e5 left on 31.12.2024 (not a participant at that year-end); e2 has no date (every year).
    assert members == {2019: 3, 2020: 4, 2021: 4, 2022: 4, 2023: 3, 2024: 4}
    assert series.series["members"].undated == 1
    projects = series.series["project_amount"].points
    assert [(p.year, p.value, p.known, p.total) for p in projects] == [
        (2022, 100, 2, 2), (2024, None, 0, 1),
    ]  # fmt: skip
    coop = {p.year: p.value for p in series.series["cooperation_share"].points}
    assert set(coop) == {2021, 2023}
    assert coop[2023] == pytest.approx(300 / 1300)
    assert coop[2021] == pytest.approx(1.0)  # e2 bought only from e1 in 2021


def test_no_series_without_dated_records(db):
    cluster = db.add_cluster()
    db.add_membership(cluster, db.add_enterprise())
    with db.session() as session:
        series = time_series(session, "cluster", cluster, [])
    assert series.series == {} and series.years == []
