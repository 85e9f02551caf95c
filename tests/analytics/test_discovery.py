"""Candidate clusters on constructed points: dense related groups are found apart, unrelated
activities at the same place stay apart, noise gives nothing, firms at one city point make one
candidate with a real outline, and the score follows its parts; refused inputs name the problem.
"""

import numpy as np
import pytest
from sklearn.cluster import DBSCAN

from promcluster.analytics import discovery
from promcluster.analytics.discovery import (
    EARTH_KM,
    WEIGHTS,
    DiscoveryError,
    candidate_clusters,
    dbscan,
    neighbourhoods,
)

TYUMEN, TOBOLSK = (57.153, 65.534), (58.198, 68.254)  # about 200 km apart
CODES = ["23.61", "23.62", "10.51", "10.52"]
# 23.61 ~ 23.62 and 10.51 ~ 10.52 are related; the two pairs are not.
PROXIMITY = np.array(
    [[1, 0.6, 0.1, 0.1], [0.6, 1, 0.1, 0.1], [0.1, 0.1, 1, 0.5], [0.1, 0.1, 0.5, 1]]
)


def _blob(centre: tuple[float, float], n: int, km: float, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    lat = centre[0] + rng.normal(0, km / 111.2, n)
    lon = centre[1] + rng.normal(0, km / (111.2 * np.cos(np.radians(centre[0]))), n)
    return lat, lon


def _run(lat, lon, activity, employees=None, **options):
    employees = np.full(len(lat), 10.0) if employees is None else employees
    options = {"proximity": PROXIMITY, "proximity_codes": CODES, **options}
    return candidate_clusters(
        np.asarray(lat), np.asarray(lon), np.asarray(activity), np.asarray(employees), **options
    )


def test_two_dense_related_groups_far_apart_are_two_candidates():
    lat1, lon1 = _blob(TYUMEN, 30, 2, 1)
    lat2, lon2 = _blob(TOBOLSK, 30, 2, 2)
    activity = ["23.61"] * 15 + ["23.62"] * 15 + ["10.51"] * 15 + ["10.52"] * 15
    found = _run(np.r_[lat1, lat2], np.r_[lon1, lon2], activity)
    assert len(found) == 2
    by_seed = {frozenset(c.activities): c for c in found}
    building = by_seed[frozenset({"23.61", "23.62"})]
    food = by_seed[frozenset({"10.51", "10.52"})]
    assert building.firms.tolist() == list(range(30))
    assert food.firms.tolist() == list(range(30, 60))
    assert building.activities == {"23.61": 15, "23.62": 15}
    assert building.employees == 300
    assert building.centre == pytest.approx(TYUMEN, abs=0.02)
    assert food.centre == pytest.approx(TOBOLSK, abs=0.02)
    assert building.radius_km < 10
    ring = building.outline
    assert ring[0] == ring[-1] and len(ring) >= 4
    assert all(abs(la - TYUMEN[0]) < 0.1 and abs(lo - TYUMEN[1]) < 0.2 for la, lo in ring)


def test_an_unrelated_activity_at_the_same_place_is_not_merged_in():
    lat, lon = _blob(TYUMEN, 45, 2, 3)
    activity = ["23.61"] * 15 + ["23.62"] * 15 + ["10.51"] * 15
    found = _run(lat, lon, activity)
    sets = sorted(sorted(c.activities) for c in found)
    assert sets == [["10.51"], ["23.61", "23.62"]]
    # With a threshold below their proximity (0.1), they are one candidate.
    merged = _run(lat, lon, activity, min_proximity=0.05)
    assert sorted(merged[0].activities) == ["10.51", "23.61", "23.62"]
    assert len(merged[0].firms) == 45


def test_candidates_grow_only_from_the_seeds_allowed_and_keep_related_activities():
    lat, lon = _blob(TYUMEN, 45, 2, 3)
    activity = ["23.61"] * 15 + ["23.62"] * 15 + ["10.51"] * 15
    found = _run(lat, lon, activity, seeds={"23.62"})
    assert len(found) == 1
    assert found[0].seed_activity == "23.62"
    assert sorted(found[0].activities) == ["23.61", "23.62"]
    assert _run(lat, lon, activity, seeds=set()) == []


def test_an_activity_absent_from_the_proximity_matrix_relates_only_to_itself():
    lat, lon = _blob(TYUMEN, 30, 2, 4)
    found = _run(lat, lon, ["23.61"] * 15 + ["99.99"] * 15, min_proximity=0.0)
    assert sorted(sorted(c.activities) for c in found) == [["23.61"], ["99.99"]]


def test_groups_found_from_two_seeds_are_one_candidate():
    lat, lon = _blob(TYUMEN, 30, 2, 5)
    found = _run(lat, lon, ["23.61"] * 15 + ["23.62"] * 15)
    assert len(found) == 1  # both 23.61 and 23.62 are seeds of the same group


def test_scattered_firms_give_no_candidate():
    rng = np.random.default_rng(6)
    lat = 55 + rng.uniform(0, 8, 120)  # ~900 km × 500 km: about one firm per 4,000 km²
    lon = 60 + rng.uniform(0, 8, 120)
    assert _run(lat, lon, rng.choice(CODES, 120)) == []


def test_firms_at_one_city_point_make_one_candidate_with_a_real_outline():
    n = 40
    found = _run(np.full(n, TYUMEN[0]), np.full(n, TYUMEN[1]), ["23.61"] * n)
    assert len(found) == 1
    candidate = found[0]
    assert candidate.firms.size == n and candidate.radius_km < 1e-6
    assert candidate.centre == pytest.approx(TYUMEN)
    ring = np.array(candidate.outline)
    assert np.array_equal(ring[0], ring[-1]) and len(np.unique(ring[:-1], axis=0)) >= 8
    lat_span, lon_span = np.ptp(ring[:, 0]), np.ptp(ring[:, 1])
    assert lat_span > 0.01 and lon_span > 0.01  # a circle of about 1 km, not a point
    assert candidate.reasons["density"] == pytest.approx(n / np.pi)  # within the 1 km minimum


def test_firms_on_one_line_get_a_circle_not_a_failed_hull():
    lat = np.repeat(TYUMEN[0] + np.array([0.0, 0.01, 0.02]), 10)
    found = _run(lat, np.full(30, TYUMEN[1]), ["23.61"] * 30)
    assert len(found) == 1 and len(found[0].outline) == 17  # 16 vertices, closed


def test_score_parts_are_present_and_the_order_follows_them():
    lat1, lon1 = _blob(TYUMEN, 30, 2, 7)
    lat2, lon2 = _blob(TOBOLSK, 30, 2, 8)
    activity = ["23.61"] * 30 + ["10.51"] * 30
    staff = np.r_[np.full(30, 100.0), np.full(30, 10.0)]  # same shape, ten times the staff
    found = _run(np.r_[lat1, lat2], np.r_[lon1, lon2], activity, staff)
    assert [c.seed_activity for c in found] == ["23.61", "10.51"]
    for c in found:
        assert set(WEIGHTS) <= set(c.reasons) and 0 < c.score <= 1
    assert found[0].reasons["size"] == 3000 and found[1].reasons["size"] == 300
    assert found[0].reasons["relatedness"] == 1.0  # one activity
    # A higher LQ of the smaller group's activity puts it first.
    lifted = _run(
        np.r_[lat1, lat2], np.r_[lon1, lon2], activity, staff, lq={"23.61": 0.5, "10.51": 6.0}
    )
    assert [c.seed_activity for c in lifted] == ["10.51", "23.61"]
    assert lifted[0].reasons["lq"] == 6.0 and lifted[1].reasons["lq"] == 0.5
    assert lifted[0].score > lifted[1].score


def test_relatedness_is_the_firm_weighted_proximity_between_different_activities():
    lat, lon = _blob(TYUMEN, 40, 2, 9)
    found = _run(lat, lon, ["10.51"] * 30 + ["10.52"] * 10)
    assert found[0].reasons["relatedness"] == pytest.approx(0.5)
    assert found[0].activities == {"10.51": 30, "10.52": 10}


def test_headcounts_missing_count_zero_and_no_headcounts_size_by_firms():
    lat, lon = _blob(TYUMEN, 20, 2, 10)
    staff = np.r_[np.full(10, 7.0), np.full(10, np.nan)]
    assert _run(lat, lon, ["23.61"] * 20, staff)[0].employees == 70
    unknown = _run(lat, lon, ["23.61"] * 20, np.full(20, np.nan))[0]
    assert unknown.employees == 0 and unknown.reasons["size"] == 20


def test_results_are_deterministic_and_limited_to_top():
    rng = np.random.default_rng(11)
    centres = [(56 + i * 0.5, 60 + i * 0.7) for i in range(6)]
    parts = [_blob(c, 20, 2, 20 + i) for i, c in enumerate(centres)]
    lat, lon = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    activity = rng.choice(CODES, lat.size)
    first, again = _run(lat, lon, activity), _run(lat, lon, activity)
    assert [c.firms.tolist() for c in first] == [c.firms.tolist() for c in again]
    assert [c.score for c in first] == [c.score for c in again]
    assert [c.score for c in first] == sorted((c.score for c in first), reverse=True)
    assert len(_run(lat, lon, activity, top=2)) == 2 < len(first)


def test_wider_cells_for_a_region_of_many_points_find_the_same_groups(monkeypatch):
    lat1, lon1 = _blob(TYUMEN, 300, 4, 30)
    lat2, lon2 = _blob(TOBOLSK, 300, 4, 31)
    lat, lon, activity = np.r_[lat1, lat2], np.r_[lon1, lon2], ["23.61"] * 300 + ["10.51"] * 300
    fine = _run(lat, lon, activity)
    monkeypatch.setattr(discovery, "MAX_CELLS", 20)
    coarse = _run(lat, lon, activity)
    assert [c.firms.tolist() for c in coarse] == [c.firms.tolist() for c in fine]
    assert len(coarse) == 2


def test_a_group_across_the_180th_meridian_is_one_candidate():
    lat = np.full(20, 66.0)
    lon = np.r_[np.full(10, 179.95), np.full(10, -179.95)]  # 4.5 km apart
    found = _run(lat, lon, ["23.61"] * 20)
    assert len(found) == 1 and found[0].firms.size == 20
    assert abs(found[0].centre[1]) == pytest.approx(180, abs=0.01)
    assert found[0].radius_km < 3


def test_no_firms_no_candidates():
    assert _run([], [], [], []) == []


def test_dbscan_on_neighbourhoods_equals_scikit_learn():
    rng = np.random.default_rng(12)
    parts = [_blob(TYUMEN, 60, 4, 13), _blob(TOBOLSK, 40, 3, 14), _blob(TYUMEN, 30, 60, 15)]
    points = np.vstack([np.column_stack(p) for p in parts])
    weight = rng.integers(1, 4, len(points)).astype(float)
    eps_km, min_weight = 5.0, 12
    ours = dbscan(neighbourhoods(points, eps_km), weight, min_weight)
    model = DBSCAN(
        eps=eps_km / EARTH_KM, min_samples=min_weight, metric="haversine", algorithm="ball_tree"
    ).fit(np.radians(points), sample_weight=weight)
    theirs, core = model.labels_, np.zeros(len(points), dtype=bool)
    core[model.core_sample_indices_] = True
    assert ((ours < 0) == (theirs < 0)).all() and theirs.max() >= 1
    # Same partition of core points (a border point may join either group it touches).
    pairs = {(int(a), int(b)) for a, b in zip(ours[core], theirs[core], strict=True)}
    assert len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lat": [57.0] * 3}, "должно совпадать"),
        ({"lat": [57.0, 95.0, 57.0, 57.0]}, "координаты вне допустимых значений .* №2"),
        ({"lon": [65.0, np.nan, 65.0, 65.0]}, "координаты вне допустимых"),
        ({"employees": [1.0, -2.0, 1.0, 1.0]}, "численность работников"),
        ({"activity": ["23.61", "", "23.61", "23.61"]}, "вид деятельности: пустой код у 1"),
        ({"proximity": np.ones((3, 3))}, "матрица близости"),
        ({"proximity": np.full((4, 4), np.nan)}, "пропуски"),
        ({"eps_km": 0.0}, "eps_km: должен быть больше 0"),
        ({"min_firms": 1}, "min_firms"),
        ({"min_proximity": 1.5}, "min_proximity"),
        ({"top": 0}, "top"),
        ({"cell_km": 50.0}, "cell_km"),
    ],
)
def test_bad_input_is_refused_with_the_problem_named(change, message):
    arguments = {
        "lat": [57.0] * 4,
        "lon": [65.0] * 4,
        "activity": ["23.61"] * 4,
        "employees": [1.0] * 4,
        "proximity": PROXIMITY,
        "proximity_codes": CODES,
    } | change
    with pytest.raises(DiscoveryError, match=message):
        candidate_clusters(
            np.asarray(arguments.pop("lat")),
            np.asarray(arguments.pop("lon")),
            np.asarray(arguments.pop("activity")),
            np.asarray(arguments.pop("employees")),
            **arguments,
        )
