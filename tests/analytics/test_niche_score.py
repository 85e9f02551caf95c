"""The niche score against hand computations: percentiles with ties and unknown values, the
demand scale, a single niche, and the weighted mean whatever the weights sum to."""

import math

import numpy as np
import pytest

from promcluster.analytics.niche_score import (
    NicheFigures,
    niche_components,
    percentile_of,
    weighted_score,
)

EMPTY = np.array([])


def test_percentiles_count_ties_and_ignore_unknown_values():
    percentile = percentile_of(np.array([0.1, 0.3, 0.3, np.nan, 0.7]))  # 4 known values
    assert percentile(0.3) == 3 / 4  # 0.1, 0.3, 0.3 are not above it
    assert percentile(0.2) == 1 / 4
    assert percentile(0.05) == 0.0
    assert percentile(0.7) == 1.0
    assert percentile(None) == 0.0
    assert percentile_of(np.array([np.nan]))(0.5) == 0.0
    assert percentile_of(EMPTY)(0.5) == 0.0


def test_components_match_the_hand_computation():
    pci = np.array([-1.0, 0.0, 1.0, 2.0])
    cog = np.array([0.2, 0.4, np.nan, 0.8])
    feasibility = np.array([0.1, 0.5, 0.5, 1.0])
    niches = [
        NicheFigures(demand=99.0, feasibility=0.5, pci=1.0, cog=0.4),
        NicheFigures(demand=9.0, feasibility=1.0, pci=None, cog=0.8),
    ]
    first, second = niche_components(niches, pci, cog, feasibility)
    assert first == pytest.approx(
        {"demand": 1.0, "feasibility": 3 / 4, "attractiveness": (3 / 4 + 2 / 3) / 2}
    )
    assert second == pytest.approx(
        {"demand": math.log(10) / math.log(100), "feasibility": 1.0, "attractiveness": 1 / 2}
    )


def test_a_single_niche_has_full_demand_and_no_niche_none():
    [only] = niche_components([NicheFigures(demand=5.0)], EMPTY, EMPTY, EMPTY)
    assert only == {"demand": 1.0, "feasibility": 0.0, "attractiveness": 0.0}
    assert niche_components([], EMPTY, EMPTY, EMPTY) == []


def test_no_demand_at_all_scales_to_zero():
    [only] = niche_components([NicheFigures(demand=0.0)], EMPTY, EMPTY, EMPTY)
    assert only["demand"] == 0.0


def test_the_score_is_the_weighted_mean_whatever_the_weights_sum_to():
    parts = {"demand": 1.0, "feasibility": 0.5, "attractiveness": 0.25}
    default = {"demand": 0.4, "feasibility": 0.4, "attractiveness": 0.2}
    assert weighted_score(parts, default) == pytest.approx(0.4 + 0.2 + 0.05)
    scaled = {k: 10 * v for k, v in default.items()}
    assert weighted_score(parts, scaled) == pytest.approx(0.65)
    only_feasibility = {"demand": 0.0, "feasibility": 3.0, "attractiveness": 0.0}
    assert weighted_score(parts, only_feasibility) == 0.5
