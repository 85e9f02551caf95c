"""The complexity engine equals the reference package ``ecomplexity`` 0.5.3 within 1e-6 on real
and random inputs, on both eigenvector paths (fewer products than locations, and the reverse)."""

import csv
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ecomplexity import ecomplexity

from promcluster.analytics.complexity import complexity, rca

PANEL = Path(__file__).resolve().parents[1] / "data" / "au_sa3_anzsic3_employment_2016_subset.csv"
COLUMNS = {"time": "year", "loc": "location", "prod": "product", "val": "value"}
PER_CELL = ("rca", "mcp", "density", "cog")
PER_LOCATION = ("eci", "diversity", "coi")
PER_PRODUCT = ("pci", "ubiquity")


def _long(values: np.ndarray) -> pd.DataFrame:
    rows = [
        (2016, f"L{i:03d}", f"P{j:03d}", values[i, j])
        for i in range(values.shape[0])
        for j in range(values.shape[1])
    ]
    return pd.DataFrame(rows, columns=["year", "location", "product", "value"])


def _matrix(table: pd.DataFrame):
    wide = table.pivot_table(
        index="location", columns="product", values="value", aggfunc="first", fill_value=0
    )
    wide = wide.loc[wide.sum(axis=1) != 0, wide.sum(axis=0) != 0]
    return wide.values.astype(float), list(wide.index), list(wide.columns)


def _compare(table: pd.DataFrame) -> dict[str, float]:
    """Largest absolute difference of every output against the reference."""
    ours = complexity(*_matrix(table))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ecomplexity(table, COLUMNS, verbose=False, check_logsupermodularity=False)
    ref = ref[ref.location.isin(ours.locations) & ref["product"].isin(ours.products)]
    i = ref.location.map({name: n for n, name in enumerate(ours.locations)}).to_numpy()
    j = ref["product"].map({name: n for n, name in enumerate(ours.products)}).to_numpy()
    found = {name: getattr(ours, name)[i, j] for name in PER_CELL}
    found |= {name: getattr(ours, name)[i] for name in PER_LOCATION}
    found |= {name: getattr(ours, name)[j] for name in PER_PRODUCT}
    return {name: float(np.nanmax(np.abs(found[name] - ref[name].to_numpy()))) for name in found}


def _random(locations: int, products: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(2, 2, (locations, products)) * (rng.random((locations, products)) < 0.5)
    values[:, values.sum(axis=0) == 0] += 1
    values[values.sum(axis=1) == 0, :] += 1
    return values


def test_real_panel_equals_the_reference():
    table = pd.read_csv(PANEL)
    differences = _compare(table)
    assert max(differences.values()) < 1e-6, differences
    assert set(differences) == {*PER_CELL, *PER_LOCATION, *PER_PRODUCT}


@pytest.mark.parametrize(("locations", "products"), [(40, 120), (120, 40), (25, 25)])
def test_random_matrices_equal_the_reference(locations, products):
    differences = _compare(_long(_random(locations, products, seed=locations + products)))
    assert max(differences.values()) < 1e-6, differences


def test_eci_orientation_follows_diversity_and_scores_are_standardised():
    values, locations, products = _matrix(pd.read_csv(PANEL))
    result = complexity(values, locations, products)
    assert np.corrcoef(result.diversity, result.eci)[0, 1] > 0
    assert abs(result.eci.mean()) < 1e-9 and abs(result.eci.std() - 1) < 1e-9
    assert abs(result.coi.mean()) < 1e-9 and abs(result.coi.std() - 1) < 1e-9
    # Each location's ECI is the mean PCI of its specialisations (the reference's normalisation).
    mean_pci = (result.mcp @ result.pci) / result.diversity
    assert np.allclose(mean_pci, result.eci)


def test_rca_is_the_location_quotient():
    values = np.array([[10.0, 30.0], [30.0, 30.0]])
    # Location 0 has 25% of its value in product 0; product 0 is 40/100 of the whole.
    assert rca(values)[0, 0] == pytest.approx(0.25 / 0.4)
    assert rca(values)[1, 1] == pytest.approx(0.5 / 0.6)


def test_panel_copy_has_the_documented_shape():
    with PANEL.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 25_252
    assert len({r["location"] for r in rows}) == 118
    assert len({r["product"] for r in rows}) == 214
