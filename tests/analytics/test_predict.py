"""The feasibility model on the Australian SA3 × industry panel: trained on 2011→2016, it beats
density and last period's RCA on the held-out 2016→2021 transition on every metric, uses no
future data, and its helpers behave as documented on hand-computed examples."""

import csv
import gzip
import itertools

import numpy as np
import pytest

from promcluster.analytics.backtest import BacktestRow, backtest, evaluate, precision_at_k
from promcluster.analytics.complexity import ComplexityError, of_year
from promcluster.analytics.panel import Panel, build_panel
from promcluster.analytics.predict import features, predict, score, train
from promcluster.niches.transfer import REFERENCE_PANEL

METRICS = ("roc_auc", "average_precision", "precision_at_10")


def _rows(years: set[int] | None = None) -> list[dict[str, str]]:
    with gzip.open(REFERENCE_PANEL, "rt", encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if years is None or int(r["year"]) in years]


def _panel(rows: list[dict[str, str]], alter_2021: bool = False) -> Panel:
    """The panel of ``rows``; with ``alter_2021`` every 2021 value is multiplied by 1 to 7."""
    values = [
        float(r["value"]) * (1 + j % 7 if alter_2021 and r["year"] == "2021" else 1)
        for j, r in enumerate(rows)
    ]
    return build_panel(
        [r["location"] for r in rows],
        [r["product"] for r in rows],
        values,
        [int(r["year"]) for r in rows],
    )


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _rows()


@pytest.fixture(scope="module")
def panel(rows: list[dict[str, str]]) -> Panel:
    return _panel(rows)


@pytest.fixture(scope="module")
def held_out(panel: Panel) -> dict[tuple[float, str], BacktestRow]:
    return {(r.cut, r.scorer): r for r in backtest(panel, (2011, 2016), (2016, 2021))}


@pytest.mark.parametrize(
    ("cut", "baseline", "metric"), list(itertools.product((1.0, 0.5), ("density", "rca"), METRICS))
)
def test_model_beats_baseline_on_held_out_transition(held_out, cut, baseline, metric) -> None:
    model, other = held_out[cut, "model"], held_out[cut, baseline]
    assert (model.candidates, model.positives) == (other.candidates, other.positives)
    assert getattr(model, metric) > getattr(other, metric)


def test_held_out_candidates_are_pairs_of_both_years_below_the_cut(held_out, panel) -> None:
    start, end = of_year(panel, 2016), of_year(panel, 2021)
    later = {
        (loc, prod): end.rca[i, j]
        for i, loc in enumerate(end.locations)
        for j, prod in enumerate(end.products)
    }
    for cut in (1.0, 0.5):
        pairs = [
            later[loc, prod]
            for i, loc in enumerate(start.locations)
            for j, prod in enumerate(start.products)
            if start.rca[i, j] < cut and (loc, prod) in later
        ]
        assert held_out[cut, "model"].candidates == len(pairs)
        assert held_out[cut, "model"].positives == sum(r >= 1 for r in pairs)
        assert held_out[cut, "model"].locations > 300


def test_scores_at_2016_ignore_2021(rows, panel) -> None:
    altered = _panel(rows, alter_2021=True)
    assert not np.array_equal(altered.matrix(2021), panel.matrix(2021))
    ours, theirs = predict(panel, 2016), predict(altered, 2016)
    assert ours.locations == theirs.locations and ours.products == theirs.products
    np.testing.assert_array_equal(ours.score, theirs.score)
    np.testing.assert_array_equal(features(panel, 2016).values, features(altered, 2016).values)


def test_scores_cover_exactly_the_unspecialised_pairs_and_repeat(panel) -> None:
    found = predict(panel, 2021)
    year = of_year(panel, 2021)
    expected = {
        (loc, prod)
        for i, loc in enumerate(year.locations)
        for j, prod in enumerate(year.products)
        if year.rca[i, j] < 1
    }
    assert set(zip(found.locations, found.products, strict=True)) == expected
    assert len(found.score) == len(expected)
    assert np.all((found.score >= 0) & (found.score <= 1)) and np.all(found.rca < 1)
    np.testing.assert_array_equal(found.score, predict(panel, 2021).score)


def test_score_with_a_trained_model_matches_predict(panel) -> None:
    model = train(panel, 2011, 2016)
    np.testing.assert_array_equal(score(model, panel, 2016).score, predict(panel, 2016).score)


def test_predict_needs_an_earlier_year() -> None:
    single = _panel(_rows({2016}))
    with pytest.raises(ComplexityError, match="хотя бы один год раньше 2016"):
        predict(single, 2016)


def test_predict_rejects_a_year_not_in_the_table(panel) -> None:
    with pytest.raises(ComplexityError, match="нет года 2026"):
        predict(panel, 2026)
    with pytest.raises(ComplexityError, match="нет года 2006"):
        train(panel, 2006, 2011)


def test_precision_at_k_by_hand() -> None:
    score = np.array([0.9, 0.8, 0.1, 0.7, 0.6, 0.5, 0.4, 0.3])
    label = np.array([1, 0, 1, 0, 0, 1, 1, 0])
    group = np.array([0, 0, 0, 1, 1, 1, 1, 2])
    # group 0 top 2: {0.9 → 1, 0.8 → 0} = 1/2; group 1 top 2: {0.7 → 0, 0.6 → 0} = 0;
    # group 2 has fewer than 2 candidates and is left out.
    assert precision_at_k(score, label, group, k=2) == (0.25, 2)
    # ties keep the order given: group 0 top 1 is the first of the two 0.5s
    assert precision_at_k(np.array([0.5, 0.5]), np.array([0, 1]), np.array([0, 0]), k=1) == (0, 1)
    assert np.isnan(precision_at_k(score, label, group, k=10)[0])


def test_evaluate_by_hand() -> None:
    score = np.array([0.1, 0.4, 0.35, 0.8])
    label = np.array([0, 0, 1, 1])
    row = evaluate("s", 1.0, score, label, np.zeros(4, dtype=int))
    # pairs (positive, negative) ranked right: (0.35 > 0.1), (0.8 > 0.1), (0.8 > 0.4) = 3 of 4
    assert row.roc_auc == pytest.approx(0.75)
    # positives at ranks 1 (precision 1) and 3 (precision 2/3): AP = (1 + 2/3) / 2
    assert row.average_precision == pytest.approx(5 / 6)
    assert (row.candidates, row.positives, row.locations) == (4, 2, 0)
    with pytest.raises(ComplexityError, match="одного класса"):
        evaluate("s", 1.0, score, np.zeros(4, dtype=int), np.zeros(4, dtype=int))
