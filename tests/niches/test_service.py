"""The niche ranking of a region over hand-made data: figures, components and weights, one
niche's buyers and candidate producers, refusals, and the outlook kept until the next write."""

import math

import numpy as np
import pytest
from sqlalchemy import select

from niches import (
    CONCRETE,
    CONCRETE_DEMAND,
    CONCRETE_IMPORTED,
    FILM,
    FILM_DEMAND,
    OUTSIDE_CUSTOMER,
    PAINTS,
    PAINTS_DEMAND,
    PAINTS_IMPORTED,
    REGION,
    SAND,
    SAND_DEMAND,
    build_demand,
    build_world,
)
from promcluster.errors import InvalidField, NotFound
from promcluster.niches import outlook as outlook_module
from promcluster.niches.service import WEIGHTS, niche_detail, parse_weights, rank_niches
from promcluster.registry import service as registry
from promcluster.registry.models import Enterprise

DEMAND_ONLY = {"demand": 1.0, "feasibility": 0.0, "attractiveness": 0.0}


def by_group(ranking) -> dict:
    return {n.group: n for n in ranking.niches}


# Figures, components, weights


def test_each_niche_has_its_demand_imports_buyers_and_production(db):
    build_world(db)
    with db.sessions() as session:
        ranking = rank_niches(session, REGION)
    niches = by_group(ranking)
    assert set(niches) == {CONCRETE, PAINTS, FILM, SAND}
    concrete = niches[CONCRETE]
    assert (concrete.demand, concrete.imported) == (CONCRETE_DEMAND, CONCRETE_IMPORTED)
    assert concrete.import_share == pytest.approx(350_000 / 1_450_000)
    assert concrete.buyers == 4  # A, B, C and the outside customer; not D (supplied locally)
    assert (concrete.produced, concrete.producers) == (800_000, 1)
    assert (concrete.activity, concrete.activity_name) == (
        "23.6",
        "Производство изделий из бетона, цемента и гипса",
    )
    assert concrete.name == "Изделия из бетона, используемые в строительстве"
    paints = niches[PAINTS]
    assert (paints.demand, paints.imported, paints.buyers) == (PAINTS_DEMAND, PAINTS_IMPORTED, 1)
    assert paints.import_share == pytest.approx(0.4)
    assert (niches[FILM].demand, niches[FILM].import_share) == (FILM_DEMAND, 0)
    assert niches[SAND].demand == SAND_DEMAND
    assert ranking.synthetic is False and ranking.cluster is None
    assert ranking.weights == WEIGHTS


def test_components_are_scaled_and_the_score_is_their_weighted_mean(db):
    build_world(db)
    with db.sessions() as session:
        ranking = rank_niches(session, REGION)
        doubled = rank_niches(session, REGION, weights={"demand": 2, "feasibility": 2,
                                                        "attractiveness": 1})  # fmt: skip
    assert ranking.outlook is not None
    for n in ranking.niches:
        assert set(n.components) == set(WEIGHTS)
        assert all(0 <= c <= 1 for c in n.components.values()), n.components
        expected = sum(WEIGHTS[k] * n.components[k] for k in WEIGHTS) / sum(WEIGHTS.values())
        assert n.score == pytest.approx(expected)
        assert n.components["demand"] == pytest.approx(
            math.log1p(n.demand) / math.log1p(PAINTS_DEMAND)
        )
    assert by_group(ranking)[PAINTS].components["demand"] == 1.0
    # Tyumen is specialised in quarrying: sand is certainly feasible, the top of the scale.
    sand = by_group(ranking)[SAND]
    assert sand.specialised and sand.rca >= 1
    assert sand.feasibility == 1.0 and sand.components["feasibility"] == 1.0
    # Others are candidates for a new specialisation with a learned probability below one.
    concrete = by_group(ranking)[CONCRETE]
    assert not concrete.specialised and 0 < concrete.feasibility < 1
    assert concrete.density is not None and concrete.pci is not None
    # Weights are relative: 2, 2, 1 is the default 0.4, 0.4, 0.2.
    assert [(n.group, round(n.score, 9)) for n in doubled.niches] == [
        (n.group, round(n.score, 9)) for n in ranking.niches
    ]
    scores = [n.score for n in ranking.niches]
    assert scores == sorted(scores, reverse=True)


def test_weights_change_the_order(db):
    build_world(db)
    with db.sessions() as session:
        default = [n.group for n in rank_niches(session, REGION).niches]
        demand_only = rank_niches(session, REGION, weights=DEMAND_ONLY)
        feasible_only = rank_niches(
            session, REGION, weights={"demand": 0, "feasibility": 5, "attractiveness": 0}
        )
    # Demand only: the paints bought for 9 million first, the sand for 100,000 last.
    assert [n.group for n in demand_only.niches] == [PAINTS, CONCRETE, FILM, SAND]
    assert all(n.score == n.components["demand"] for n in demand_only.niches)
    assert default != [n.group for n in demand_only.niches]
    assert default[0] == SAND  # certain feasibility and attractiveness beat a small demand
    feasibility = [n.components["feasibility"] for n in feasible_only.niches]
    assert feasibility == sorted(feasibility, reverse=True)
    assert feasible_only.niches[0].group == SAND


def test_parse_weights_replaces_the_given_ones_and_refuses_bad_values():
    assert parse_weights({}) == WEIGHTS
    assert parse_weights({"demand": None, "feasibility": 3}) == {
        "demand": 0.4,
        "feasibility": 3.0,
        "attractiveness": 0.2,
    }
    assert parse_weights({"demand": 10, "feasibility": 0, "attractiveness": 0})["demand"] == 10
    refusals = [
        ({"demand": -0.1}, "demand", "вес должен быть от 0 до 10"),
        ({"feasibility": 10.5}, "feasibility", "вес должен быть от 0 до 10"),
        ({"speed": 1}, "speed", "неизвестный компонент оценки"),
        (DEMAND_ONLY | {"demand": 0}, "weights", "хотя бы один вес должен быть больше нуля"),
    ]
    for raw, field, message in refusals:
        with pytest.raises(InvalidField) as refused:
            parse_weights(raw)
        assert (refused.value.field, refused.value.message) == (field, message), raw


# Refusals


def test_an_unknown_region_cluster_or_level_is_refused(db):
    with db.sessions() as session:
        with pytest.raises(NotFound, match="регион с кодом 99 не найден"):
            rank_niches(session, "99")
        with pytest.raises(NotFound, match="кластер №123456 не найден"):
            rank_niches(session, REGION, cluster_id=123456)
        with pytest.raises(InvalidField) as refused:
            rank_niches(session, REGION, level=4)
        assert refused.value.field == "level"


def test_a_group_without_demand_in_the_region_is_not_found(db):
    build_demand(db)
    with db.sessions() as session:
        with pytest.raises(NotFound, match=r"в регионе 72 нет спроса на группу ОКПД2 25\.11"):
            niche_detail(session, REGION, "25.11")
        with pytest.raises(NotFound):
            niche_detail(session, "66", CONCRETE)  # Sverdlovsk buys no concrete


# One niche


def test_a_niche_lists_its_buyers_with_what_they_buy_outside(db):
    w = build_world(db)
    with db.sessions() as session:
        detail = niche_detail(session, REGION, CONCRETE)
        ranking = rank_niches(session, REGION)
    assert detail.rank == [n.group for n in ranking.niches].index(CONCRETE) + 1
    assert detail.niche.demand == CONCRETE_DEMAND
    rows = [
        (b.enterprise_id, b.name, b.outside, b.imported, b.total, b.sources, b.supplier_regions)
        for b in detail.buyers
    ]
    consumption = ["закупки вне региона (строки потребления)"]
    assert rows == [
        (w["A"], "Покупатель А", 600_000, 100_000, 1_000_000, consumption,
         ["Свердловская область"]),
        (w["B"], "Покупатель Б", 500_000, 250_000, 500_000, consumption, []),
        (w["C"], "Покупатель В", 200_000, 0, 200_000, ["поставки из других регионов"],
         ["Свердловская область"]),
        (None, OUTSIDE_CUSTOMER, 150_000, 0, 150_000, ["открытая потребность"], []),
    ]  # fmt: skip
    assert sum(b.outside for b in detail.buyers) == detail.niche.demand
    assert not any(b.synthetic for b in detail.buyers)


def test_candidate_producers_come_by_closeness_each_with_its_reason(db):
    w = build_world(db)
    with db.sessions() as session:
        detail = niche_detail(session, REGION, CONCRETE)
    related = {code: (name, phi) for code, name, phi in detail.related}
    assert "08.1" in related and "23.6" not in related
    assert "47.1" not in related  # retail is close in the data, but no industry (B–E only)
    assert all(phi > 0 for _, phi in related.values())
    phis = [phi for _, _, phi in detail.related]
    assert phis == sorted(phis, reverse=True)

    def close(code: str) -> str:
        name, phi = related[code]
        proximity = f"{phi:.2f}".replace(".", ",")
        return f"родственная деятельность {code} «{name}» (близость {proximity})"

    # The smallest firm of the same activity first, the largest (same division only) last.
    assert [(c.enterprise_id, c.reason) for c in detail.candidates] == [
        (w["local"], "та же деятельность (ОКВЭД2 23.6)"),
        (w["builder"], "выпускает родственную продукцию (ОКПД2 23.6)"),
        (w["quarry"], close("08.1")),
        (w["bricks"], "та же отрасль (раздел ОКВЭД2 23)"),
    ]
    assert [c.employees for c in detail.candidates] == [5, 150, 400, 500]


# The outlook kept until the next write


def test_the_outlook_is_kept_until_an_enterprise_is_written(db, monkeypatch):
    build_world(db)
    computed = []
    real = outlook_module.compute_outlook

    def counting(session, level=outlook_module.DEFAULT_LEVEL):
        computed.append(level)
        return real(session, level)

    monkeypatch.setattr(outlook_module, "compute_outlook", counting)

    def concrete_employees(found) -> float:
        return found.employees[found.region_index[REGION], found.activity_index["23.6"]]

    with db.sessions() as session:
        first = outlook_module.outlook(session)
        already = len(computed)
        assert outlook_module.outlook(session) is first  # nothing written: not recomputed
        assert len(computed) == already
        before = concrete_employees(first)
    with db.session() as session:
        registry.create_enterprise(
            session,
            None,
            {"name": "Новый бетонный завод", "region_code": REGION, "okved_main": "23.61",
             "employees": 60},
        )  # fmt: skip
    with db.sessions() as session:
        added = outlook_module.outlook(session)
        assert added is not first and len(computed) == already + 1
        assert concrete_employees(added) == before + 60
        assert outlook_module.outlook(session) is added and len(computed) == already + 1
        concrete = by_group(rank_niches(session, REGION))[CONCRETE]
    assert concrete.rca == pytest.approx(
        float(added.rca[added.region_index[REGION], added.activity_index["23.6"]])
    )
    # An edit leaves an audit record: the headcount change is seen too.
    with db.session() as session:
        new = session.scalar(select(Enterprise).where(Enterprise.name == "Новый бетонный завод"))
        registry.update_enterprise(session, None, new.id, {"employees": 10, "version": 1})
    with db.sessions() as session:
        edited = outlook_module.outlook(session)
    assert edited is not added and len(computed) == already + 2
    assert concrete_employees(edited) == before + 10
    assert not np.array_equal(edited.rca, added.rca)


def test_a_region_with_synthetic_enterprises_is_flagged(db):
    build_demand(db)
    with db.sessions() as session:
        assert rank_niches(session, REGION).synthetic is False
    db.add_enterprise(name="Синтетическое предприятие (демо)", is_synthetic=True)
    with db.sessions() as session:
        assert rank_niches(session, REGION).synthetic is True
        assert rank_niches(session, "66").synthetic is False
