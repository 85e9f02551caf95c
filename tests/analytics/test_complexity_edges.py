"""Inputs the reference package leaves undefined or silently NaN: every one gives a defined result
with the affected locations and products named, or a clear error."""

import warnings

import numpy as np
import pandas as pd
import pytest
from ecomplexity import ecomplexity

from promcluster.analytics.complexity import (
    NO_SPECIALISATION,
    NO_VALUE,
    UNCONNECTED,
    ComplexityError,
    complexity,
    of_year,
)
from promcluster.analytics.panel import PanelError, build_panel

COLUMNS = {"time": "year", "loc": "location", "prod": "product", "val": "value"}
MEASURES = ("rca", "mcp", "density", "eci", "pci", "coi", "cog")


def _values(locations: int = 12, products: int = 15, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.lognormal(1, 1.5, (locations, products)) * (rng.random((locations, products)) < 0.6)


def _panel(values: np.ndarray, year: int = 2020):
    loc, prod = np.nonzero(np.ones_like(values))
    return build_panel(
        [f"L{i:02d}" for i in loc],
        [f"P{j:02d}" for j in prod],
        values[loc, prod],
        [year] * loc.size,
    )


def _reference(values: np.ndarray) -> pd.DataFrame:
    loc, prod = np.nonzero(np.ones_like(values))
    table = pd.DataFrame(
        {
            "year": 2020,
            "location": [f"L{i:02d}" for i in loc],
            "product": [f"P{j:02d}" for j in prod],
            "value": values[loc, prod],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity(table, COLUMNS, verbose=False, check_logsupermodularity=False)


def test_a_product_made_nowhere_is_dropped_by_name_and_the_rest_equals_the_reference():
    values = _values()
    values[:, 4] = 0
    result = of_year(_panel(values), 2020)
    assert result.dropped == {"P04": NO_VALUE}
    assert "P04" not in result.products
    ref = _reference(values).dropna(subset=["eci"])
    ref = ref[ref["product"] != "P04"]
    i = ref.location.map(result.locations.index).to_numpy()
    j = ref["product"].map(result.products.index).to_numpy()
    assert np.allclose(result.eci[i], ref.eci, atol=1e-6)
    assert np.allclose(result.pci[j], ref.pci, atol=1e-6)
    assert np.allclose(result.cog[i, j], ref.cog, atol=1e-6)


def test_a_product_made_everywhere_in_the_same_proportion_is_finite():
    values = _values()
    values[:, 0] = 0
    values[:, 0] = values.sum(axis=1)  # half of every location: RCA 1 everywhere
    result = of_year(_panel(values), 2020, threshold=1 - 1e-9)
    assert np.allclose(result.rca[:, 0], 1)
    assert result.ubiquity[0] == len(result.locations)
    for name in MEASURES:
        assert np.isfinite(getattr(result, name)).all(), name


def test_a_location_with_no_specialisation_is_named_while_the_reference_gives_nan_everywhere():
    values = _values()
    others = np.delete(values, 5, axis=0)
    values[5] = others.sum(axis=0) / others.sum() * 100  # the average mix: RCA 1 everywhere
    result = of_year(_panel(values), 2020, threshold=1.2)
    assert result.outside == {"L05": NO_SPECIALISATION}
    assert np.isnan(result.eci[5]) and np.isnan(result.coi[5])
    others = np.arange(len(result.locations)) != 5
    assert np.isfinite(result.eci[others]).all() and np.isfinite(result.coi[others]).all()
    assert abs(result.eci[others].mean()) < 1e-9 and abs(result.eci[others].std() - 1) < 1e-9
    assert np.isfinite(result.density).all()


def test_a_disconnected_block_is_named_and_the_main_part_keeps_its_scores():
    main, other = _values(10, 12, seed=1), _values(3, 3, seed=2) + 1
    values = np.zeros((13, 15))
    values[:10, :12], values[10:, 12:] = main, other
    result = of_year(_panel(values), 2020)
    assert result.outside == {n: UNCONNECTED for n in ("L10", "L11", "L12", "P12", "P13", "P14")}
    assert np.isnan(result.eci[10:]).all() and np.isnan(result.pci[12:]).all()
    assert np.isnan(result.cog[10:]).all() and np.isnan(result.cog[:, 12:]).all()
    assert np.isfinite(result.eci[:10]).all() and np.isfinite(result.cog[:10, :12]).all()
    assert np.isfinite(result.rca).all() and np.isfinite(result.density).all()


def test_equal_diversity_everywhere_still_orients_eci():
    # Every location specialises in exactly two products: corr(diversity, ECI) is undefined.
    mcp = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1], [1, 0, 1, 0.0]])
    values = mcp * 10 + 0.01
    result = complexity(values, list("abcde"), list("wxyz"))
    assert (result.diversity == 2).all()
    assert np.isfinite(result.eci).all() and np.isfinite(result.pci).all()


def test_the_ubiquity_orientation_makes_rare_products_complex():
    values = _values(30, 40, seed=9)
    result = complexity(
        values, [f"L{i}" for i in range(30)], [f"P{j}" for j in range(40)], orientation="ubiquity"
    )
    assert np.corrcoef(result.ubiquity, result.pci)[0, 1] < 0
    flipped = complexity(values, result.locations, result.products)
    assert np.allclose(np.abs(flipped.eci), np.abs(result.eci))


@pytest.mark.parametrize("shape", [(1, 5), (5, 1)])
def test_too_small_tables_are_refused(shape):
    with pytest.raises(ComplexityError, match="два региона и два продукта"):
        complexity(
            np.ones(shape) + 1,
            [f"L{i}" for i in range(shape[0])],
            [f"P{j}" for j in range(shape[1])],
        )


def test_an_empty_table_is_refused():
    with pytest.raises(PanelError, match="пуста"):
        build_panel([], [], [], [])


@pytest.mark.parametrize(
    ("value", "message"),
    [(float("nan"), "не задано"), (-3.0, "отрицательное"), (float("inf"), "бесконечное")],
)
def test_nan_negative_and_infinite_values_name_their_row(value, message):
    with pytest.raises(PanelError, match=f"строка 3, value: .*{message}") as caught:
        build_panel(["a", "a", "b"], ["x", "y", "x"], [1.0, value, 2.0], [2020] * 3)
    assert [p.row for p in caught.value.problems] == [3]


def test_duplicates_are_an_error_unless_summed_or_first_kept():
    args = (["a", "a", "b", "a"], ["x", "y", "x", "x"], [1.0, 2.0, 3.0, 5.0], [2020] * 4)
    with pytest.raises(PanelError, match=r"строка 5, .*повторяет строку 2"):
        build_panel(*args)
    assert build_panel(*args, duplicates="sum").matrix(2020)[0, 0] == 6.0
    assert build_panel(*args, duplicates="first").matrix(2020)[0, 0] == 1.0
    # The same cell in another year is not a repeat.
    panel = build_panel(["a", "a"], ["x", "x"], [1.0, 2.0], [2020, 2021])
    assert panel.years == [2020, 2021] and panel.matrix(2021)[0, 0] == 2.0


def test_a_table_without_years_is_one_period_and_an_absent_year_is_named():
    panel = build_panel(["a", "b"], ["x", "y"], [1.0, 2.0])
    assert panel.years == [None]
    with pytest.raises(PanelError, match="нет года 2019"):
        panel.matrix(2019)


def test_locations_absent_in_a_year_are_not_reported_as_dropped():
    values = _values(6, 8)
    loc, prod = np.nonzero(np.ones_like(values))
    names = [f"L{i}" for i in loc]
    products = [f"P{j}" for j in prod]
    panel = build_panel(
        names * 2 + ["Z", "Z"],
        products * 2 + ["P0", "P1"],
        np.concatenate([values[loc, prod], values[loc, prod] + 1, [0, 0]]),
        [2020] * loc.size + [2021] * loc.size + [2021, 2021],
    )
    first, second = of_year(panel, 2020), of_year(panel, 2021)
    assert first.dropped == {} and "Z" not in first.locations
    assert second.dropped == {"Z": NO_VALUE} and "Z" not in second.locations
