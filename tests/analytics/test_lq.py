"""Location quotients, shares, counts and growth against hand computations on tiny registers;
OKVED2 codes cut to a level; refused inputs name the problem."""

import numpy as np
import pytest

from promcluster.analytics.complexity import rca
from promcluster.analytics.lq import (
    SpecialisationError,
    cell_quotients,
    cut,
    growth,
    location_quotients,
)
from promcluster.errors import DomainError

# Region A: x, x, y; region B: x, y, y, y (3 + 4 firms; x: 3, y: 4; 7 in all).
REGION = np.array(["A", "A", "A", "B", "B", "B", "B"])
ACTIVITY = np.array(["x", "x", "y", "x", "y", "y", "y"])


def test_counts_match_the_hand_computation():
    spec = location_quotients(REGION, ACTIVITY)
    assert spec.regions == ["A", "B"] and spec.activities == ["x", "y"]
    assert spec.measure == "count" and spec.reference is None and spec.missing == 0
    np.testing.assert_array_equal(spec.firms, [[2, 1], [1, 3]])
    np.testing.assert_array_equal(spec.value, [[2, 1], [1, 3]])
    # LQ_Ax = (2/3) / (3/7), LQ_Ay = (1/3) / (4/7), LQ_Bx = (1/4) / (3/7), LQ_By = (3/4) / (4/7)
    np.testing.assert_allclose(spec.lq, [[14 / 9, 7 / 12], [7 / 12, 21 / 16]])
    np.testing.assert_allclose(spec.share, [[2 / 3, 1 / 4], [1 / 3, 3 / 4]])


def test_weights_with_missing_values_count_zero_and_are_reported():
    weight = np.array([10, 30, 20, np.nan, 5, 5, 10])
    spec = location_quotients(REGION, ACTIVITY, weight, measure="employees")
    assert spec.missing == 1 and spec.measure == "employees"
    np.testing.assert_array_equal(spec.value, [[40, 20], [0, 20]])
    np.testing.assert_array_equal(spec.firms, [[2, 1], [1, 3]])  # the firm still counts
    # x: 40 of 80 in all; A: 40 of 60 in x, 20 of 60 in y; B: 0 of 20 in x, 20 of 20 in y.
    np.testing.assert_allclose(spec.lq, [[(40 / 60) / 0.5, (20 / 60) / 0.5], [0.0, 1 / 0.5]])
    np.testing.assert_allclose(spec.share, [[1.0, 0.5], [0.0, 0.5]])


def test_a_reference_subset_is_the_base_of_the_quotient_but_not_of_the_share():
    region = np.r_[REGION, ["C", "C"]]
    activity = np.r_[ACTIVITY, ["x", "x"]]
    spec = location_quotients(region, activity, reference=["B", "C"])
    assert spec.reference == ["B", "C"]
    # Base B + C: x 3 of 6, y 3 of 6. A: x 2/3 → (2/3)/(1/2); C: x 2/2 → 1/(1/2).
    np.testing.assert_allclose(spec.lq[0], [(2 / 3) / 0.5, (1 / 3) / 0.5])
    np.testing.assert_allclose(spec.lq[2], [2.0, 0.0])
    # Shares stay against all regions: x has 5 firms, C holds 2 of them.
    np.testing.assert_allclose(spec.share[2], [2 / 5, 0.0])


def test_zero_totals_give_nan_not_zero_or_infinity():
    region = np.array(["A", "A", "B", "B"])
    activity = np.array(["x", "y", "x", "y"])
    weight = np.array([5.0, 0.0, 0.0, 0.0])  # region B and activity y have nothing
    spec = location_quotients(region, activity, weight)
    assert spec.lq[0, 0] == pytest.approx(1.0)
    assert np.isnan(spec.lq[1]).all()  # region total 0
    assert np.isnan(spec.lq[:, 1]).all()  # activity total 0
    assert np.isnan(spec.share[:, 1]).all() and spec.share[1, 0] == 0
    assert spec.region_lq("A") == {"x": pytest.approx(1.0)}


def test_quotients_equal_the_complexity_engines_rca():
    rng = np.random.default_rng(5)
    region = rng.choice(np.array([f"{i:02d}" for i in range(1, 12)]), 5000)
    activity = rng.choice(np.array([f"{j:02d}.{k}" for j in (10, 20) for k in range(8)]), 5000)
    weight = rng.lognormal(2, 1, 5000)
    spec = location_quotients(region, activity, weight)
    np.testing.assert_allclose(spec.lq, rca(spec.value), rtol=1e-12)
    np.testing.assert_allclose(spec.share.sum(axis=0), 1.0)


def test_object_arrays_and_lists_give_the_same_result():
    a = location_quotients(REGION, ACTIVITY)
    b = location_quotients(REGION.tolist(), np.array(ACTIVITY.tolist(), dtype=object))
    np.testing.assert_array_equal(a.lq, b.lq)
    assert a.regions == b.regions and a.activities == b.activities


def test_sums_per_cell_give_what_the_firms_give():
    rng = np.random.default_rng(7)
    region = rng.choice(["01", "02", "03", "04"], size=500)
    activity = rng.choice(["a", "b", "c", "d", "e"], size=500)
    weight = rng.integers(1, 200, size=500).astype(float)
    weight[::17] = np.nan
    firms = location_quotients(
        region, activity, weight, reference=["02", "03"], measure="employees"
    )
    pairs = sorted(set(zip(region, activity, strict=True)))
    inside = [(region == r) & (activity == a) for r, a in pairs]
    cells = cell_quotients(
        np.array([r for r, _ in pairs]), np.array([a for _, a in pairs]),
        np.array([np.nansum(weight[m]) for m in inside]), np.array([m.sum() for m in inside]),
        reference=["02", "03"], measure="employees", missing=int(np.isnan(weight).sum()),
    )  # fmt: skip
    np.testing.assert_array_equal(cells.firms, firms.firms)
    np.testing.assert_allclose(cells.value, firms.value)
    np.testing.assert_allclose(cells.lq, firms.lq)
    np.testing.assert_allclose(cells.share, firms.share)
    assert (cells.missing, cells.regions, cells.activities) == (
        firms.missing, firms.regions, firms.activities,
    )  # fmt: skip


def test_cells_of_different_lengths_or_negative_counts_are_refused():
    with pytest.raises(SpecialisationError, match="по длине"):
        cell_quotients(np.array(["A"]), np.array(["x", "y"]), np.array([1.0]), np.array([1]))
    with pytest.raises(SpecialisationError, match="отрицательным"):
        cell_quotients(np.array(["A"]), np.array(["x"]), np.array([1.0]), np.array([-1]))


def test_cut_at_each_level_keeps_shorter_codes_as_they_are():
    codes = np.array(["23.61.1", "23.61", "23.6", "23", "01.11.12"])
    assert cut(codes, 2).tolist() == ["23", "23", "23", "23", "01"]
    assert cut(codes, 3).tolist() == ["23.6", "23.6", "23.6", "23", "01.1"]
    assert cut(codes, 4).tolist() == ["23.61", "23.61", "23.6", "23", "01.11"]
    assert cut(codes, 6).tolist() == ["23.61.1", "23.61", "23.6", "23", "01.11.12"]
    with pytest.raises(SpecialisationError, match="уровень ОКВЭД2 7"):
        cut(codes, 7)


def test_growth_aligns_regions_and_activities_by_code():
    before = location_quotients(np.array(["A", "A", "B"]), np.array(["x", "y", "x"]))
    after = location_quotients(
        np.array(["A", "A", "A", "B", "C"]), np.array(["x", "x", "y", "z", "x"])
    )
    change = growth(before, after)
    assert change.regions == ["A", "B", "C"] and change.activities == ["x", "y", "z"]
    np.testing.assert_array_equal(change.value_before, [[1, 1, 0], [1, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(change.change, [[1, 0, 0], [-1, 0, 1], [1, 0, 0]])
    np.testing.assert_allclose(change.relative[0], [1.0, 0.0, np.nan])
    assert change.relative[1, 0] == -1.0 and np.isnan(change.relative[2]).all()
    # LQ of A in x: before (1/2)/(2/3) = 0.75, after (2/3)/(3/5) = 10/9.
    assert change.lq_change[0, 0] == pytest.approx(10 / 9 - 0.75)
    assert np.isnan(change.lq_change[2, 0])  # C did not exist before
    assert np.isnan(change.lq_before[0, 2])  # z had no firms before: undefined, not 0


def test_growth_refuses_different_measures():
    counts = location_quotients(REGION, ACTIVITY)
    staff = location_quotients(REGION, ACTIVITY, np.ones(7), measure="employees")
    with pytest.raises(SpecialisationError, match="разных мер"):
        growth(counts, staff)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((REGION, ACTIVITY[:-1]), "должно совпадать"),
        ((np.array([]), np.array([])), "нет ни одного предприятия"),
        ((REGION, ACTIVITY, np.ones(6)), "число весов"),
        ((REGION, ACTIVITY, np.r_[np.ones(6), -1.0]), "отрицательным"),
        ((REGION, ACTIVITY, np.r_[np.ones(6), np.inf]), "бесконечным"),
        ((np.r_[REGION[:-1], [""]], ACTIVITY), "регион: пустой код у 1"),
        ((REGION, np.array(["x"] * 6 + [None], dtype=object)), "вид деятельности: пустой код"),
    ],
)
def test_bad_input_is_refused_with_the_problem_named(arguments, message):
    with pytest.raises(SpecialisationError, match=message):
        location_quotients(*arguments)


def test_unknown_or_empty_reference_regions_are_refused():
    with pytest.raises(DomainError, match="регионы сравнения без предприятий в данных: Z"):
        location_quotients(REGION, ACTIVITY, reference=["A", "Z"])
    with pytest.raises(SpecialisationError, match="пуст"):
        location_quotients(REGION, ACTIVITY, reference=[])
    with pytest.raises(SpecialisationError, match="регион Z"):
        location_quotients(REGION, ACTIVITY).region_lq("Z")
