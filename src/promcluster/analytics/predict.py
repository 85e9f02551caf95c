"""Feasibility of new specialisations: a classifier learned from one transition of the panel.

Features of a (location, product) pair use only one year's values (formulas in docs/PREDICT.md);
the label is whether a pair not specialised at the start (RCA < 1) is specialised (RCA ≥ 1) at the
end. A gradient-boosted tree model (scikit-learn ``HistGradientBoostingClassifier``) learns the
label from the start year's features; its probability is the feasibility score.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from promcluster.analytics.complexity import Complexity, ComplexityError, of_year
from promcluster.analytics.panel import Panel

if TYPE_CHECKING:  # imported on use: scikit-learn and scipy.stats take seconds to import, and
    # the web application's start-up needs neither (docs/BENCHMARKS.md, "Start-up (issue 22)")
    from sklearn.ensemble import HistGradientBoostingClassifier

FEATURES = (
    "rca",
    "value",
    "expected",
    "gap_z",
    "near_rank",
    "density",
    "rca_density",
    "max_proximity",
    "related_rca",
    "peer_rca",
    "peer_mcp",
    "ubiquity",
    "diversity",
    "pci",
    "eci",
    "cog",
    "product_share",
    "location_share",
)
PARAMS: dict[str, Any] = {  # chosen by cross-validation on 2011→2016 only (docs/PREDICT.md)
    "learning_rate": 0.025,
    "max_iter": 300,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 100,
    "l2_regularization": 1.0,
}
SEED = 0
PEERS = 20  # most similar locations averaged in ``peer_rca`` and ``peer_mcp``
RCA_CAP = 2.0  # RCA above this counts as this much in the weighted neighbour averages


@dataclass(frozen=True)
class Features:
    """One row per (location, product) pair present in ``year``; ``location`` and ``product``
    index the panel's axes, ``values`` has a column per name in ``names``."""

    year: int | None
    location: np.ndarray
    product: np.ndarray
    values: np.ndarray
    names: tuple[str, ...]
    rca: np.ndarray
    density: np.ndarray


@dataclass(frozen=True)
class FeasibilityModel:
    """A fitted classifier and the transition it learned from."""

    classifier: "HistGradientBoostingClassifier"
    year_from: int | None
    year_to: int | None
    names: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scores:
    """Every candidate pair (RCA < 1) of ``year``: names, learned score, density and RCA."""

    year: int | None
    locations: list[str]
    products: list[str]
    score: np.ndarray
    density: np.ndarray
    rca: np.ndarray


def _cosine(rows: np.ndarray) -> np.ndarray:
    """Cosine similarity of every pair of rows (0 for an all-zero row)."""
    norm = np.linalg.norm(rows, axis=1, keepdims=True)
    unit = np.divide(rows, norm, out=np.zeros_like(rows), where=norm > 0)
    return unit @ unit.T


def _peers(rca: np.ndarray, peers: int = PEERS) -> np.ndarray:
    """For each location, the ``peers`` other locations whose log(1 + RCA) profiles are most
    alike by cosine similarity (ties in panel order)."""
    similarity = _cosine(np.log1p(rca))
    np.fill_diagonal(similarity, -np.inf)
    return np.argsort(-similarity, axis=1, kind="stable")[:, : min(peers, rca.shape[0] - 1)]


def _weighted(rca: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Σ_p' w_pp' min(RCA_cp', cap) / Σ_p' w_pp' (0 where a product has no weight)."""
    total = weight.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num((np.minimum(rca, RCA_CAP) @ weight.T) / total[None, :])


def _related(rca: np.ndarray) -> np.ndarray:
    """Positive cosine similarity of products' centred log(1 + RCA) columns, 0 on the diagonal."""
    logged = np.log1p(rca)
    similarity = np.clip(_cosine((logged - logged.mean(axis=0)).T), 0.0, None)
    np.fill_diagonal(similarity, 0.0)
    return similarity


def _matrices(result: Complexity, values: np.ndarray) -> dict[str, np.ndarray]:
    """Every feature as a locations × products matrix of one year (formulas in docs/PREDICT.md)."""
    rca, mcp, phi = np.nan_to_num(result.rca), result.mcp, result.proximity
    shape = rca.shape
    expected = values.sum(axis=1, keepdims=True) * values.sum(axis=0, keepdims=True) / values.sum()
    nearest = _peers(rca)
    below = np.where(mcp > 0, -np.inf, rca)
    return {
        "rca": rca,
        "value": values,
        "expected": expected,
        "gap_z": (values - expected) / np.sqrt(expected),
        "near_rank": _rankdata(-below, axis=1),
        "density": result.density,
        "rca_density": _weighted(rca, phi),
        "max_proximity": np.array([phi[:, row > 0].max(axis=1, initial=0.0) for row in mcp]),
        "related_rca": _weighted(rca, _related(rca)),
        "peer_rca": rca[nearest].mean(axis=1),
        "peer_mcp": mcp[nearest].mean(axis=1),
        "ubiquity": np.broadcast_to(result.ubiquity[None, :], shape),
        "diversity": np.broadcast_to(result.diversity[:, None], shape),
        "pci": np.broadcast_to(result.pci[None, :], shape),
        "eci": np.broadcast_to(result.eci[:, None], shape),
        "cog": result.cog,
        "product_share": np.broadcast_to(values.sum(axis=0)[None, :] / values.sum(), shape),
        "location_share": np.broadcast_to(values.sum(axis=1)[:, None] / values.sum(), shape),
    }


def features(panel: Panel, year: int | None, names: tuple[str, ...] = FEATURES) -> Features:
    """Features of every pair whose location and product have a positive total in ``year``,
    computed from that year's values alone."""
    result = of_year(panel, year, orientation="ubiquity")
    location, product = _positions(panel.locations), _positions(panel.products)
    rows = np.array([location[n] for n in result.locations])
    cols = np.array([product[n] for n in result.products])
    values = panel.matrix(year)[np.ix_(rows, cols)]
    matrices = _matrices(result, values)
    unknown = set(names) - set(matrices)
    if unknown:
        raise ComplexityError(f"неизвестные признаки: {', '.join(sorted(unknown))}")
    i, j = np.meshgrid(np.arange(rows.size), np.arange(cols.size), indexing="ij")
    i, j = i.ravel(), j.ravel()
    table = np.column_stack([matrices[n][i, j] for n in names])
    return Features(
        year, rows[i], cols[j], table, tuple(names), matrices["rca"][i, j], result.density[i, j]
    )


def _positions(names: list[str]) -> dict[str, int]:
    return {name: i for i, name in enumerate(names)}


def rca_grid(panel: Panel, found: Features) -> np.ndarray:
    """The RCA of ``found`` on the panel's locations × products axes (NaN for absent pairs)."""
    grid = np.full(panel.values.shape[1:], np.nan)
    grid[found.location, found.product] = found.rca
    return grid


def transition(
    panel: Panel, year_from: int | None, year_to: int | None, names: tuple[str, ...] = FEATURES
) -> tuple[Features, np.ndarray]:
    """Features at ``year_from`` of the candidates (RCA < 1 then, pair present in both years) and
    their labels: 1 where RCA ≥ 1 at ``year_to``."""
    start = features(panel, year_from, names)
    later = rca_grid(panel, features(panel, year_to, ("rca",)))[start.location, start.product]
    keep = (start.rca < 1) & ~np.isnan(later)
    return _subset(start, keep), (later[keep] >= 1).astype(int)


def _subset(found: Features, keep: np.ndarray) -> Features:
    return Features(
        found.year,
        found.location[keep],
        found.product[keep],
        found.values[keep],
        found.names,
        found.rca[keep],
        found.density[keep],
    )


def _rankdata(values: np.ndarray, axis: int) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(values, axis=axis)


def fit(values: np.ndarray, label: np.ndarray, **params: Any) -> "HistGradientBoostingClassifier":
    """The classifier with ``PARAMS`` overridden by ``params``, fitted with a fixed seed."""
    if label.min(initial=1) == label.max(initial=0):
        raise ComplexityError(
            "модель не обучить: у всех кандидатов перехода один исход, а нужны и ставшие "
            "специализацией (RCA ≥ 1), и не ставшие"
        )
    settings = PARAMS | params
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(early_stopping=False, random_state=SEED, **settings)
    return model.fit(values, label)


def train(
    panel: Panel,
    year_from: int | None,
    year_to: int | None,
    names: tuple[str, ...] = FEATURES,
    **params: Any,
) -> FeasibilityModel:
    """A model of P(RCA ≥ 1 at ``year_to`` | RCA < 1 at ``year_from``) from ``year_from``'s
    features."""
    for year in (year_from, year_to):
        if year not in panel.years:
            raise ComplexityError(f"в таблице нет года {year}; есть: {_listed(panel.years)}")
    found, label = transition(panel, year_from, year_to, names)
    return FeasibilityModel(fit(found.values, label, **params), year_from, year_to, names, params)


def score(model: FeasibilityModel, panel: Panel, year: int | None) -> Scores:
    """The model's score of every candidate pair (RCA < 1) of ``year``, with density and RCA."""
    found = features(panel, year, model.names)
    found = _subset(found, found.rca < 1)
    return Scores(
        year,
        [panel.locations[i] for i in found.location],
        [panel.products[j] for j in found.product],
        model.classifier.predict_proba(found.values)[:, 1],
        found.density,
        found.rca,
    )


def predict(panel: Panel, year: int | None, **params: Any) -> Scores:
    """Scores at ``year`` from a model trained on the transition from the latest earlier year of
    the panel to ``year`` (the CLI's ``promcluster predict``)."""
    if year not in panel.years:
        raise ComplexityError(f"в таблице нет года {year}; есть: {_listed(panel.years)}")
    if year is None:
        raise ComplexityError(
            "для прогноза нужен столбец year: модель учится на переходе между годами"
        )
    earlier = [y for y in panel.years if y is not None and y < year]
    if not earlier:
        raise ComplexityError(
            f"для прогноза нужен хотя бы один год раньше {year}: модель учится на переходе "
            f"между годами (в таблице: {_listed(panel.years)})"
        )
    return score(train(panel, max(earlier), year, **params), panel, year)


def _listed(years: list[int | None]) -> str:
    return ", ".join(str(y) for y in years) or "нет лет"
