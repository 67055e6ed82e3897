from __future__ import annotations

import h3
import numpy as np
import pytest
from scipy import stats

from kamtibmas_geo.score._emerging import (
    TREND_CLASSES,
    emerging_classes,
    emerging_hotspots,
    mann_kendall,
    trend_labels,
)
from kamtibmas_geo.score._gistar import neighbour_matrix


def test_mann_kendall_textbook_no_ties() -> None:
    # Strictly increasing series of 5: S = 10, Var = 5*4*15/18, Z = 9/sqrt(Var)
    r = mann_kendall([1, 2, 3, 4, 5])
    assert r.s[0] == 10
    assert r.var_s[0] == pytest.approx(50 / 3)
    assert r.z[0] == pytest.approx(9 / np.sqrt(50 / 3))
    assert r.p[0] == pytest.approx(0.0275, abs=1e-4)


def test_mann_kendall_textbook_with_ties() -> None:
    # Gilbert (1987, §16.4) formulas worked by hand for x = 5, 3, 4, 4, 6, 7:
    # S = -1 + 4 + 2 + 2 + 1 = 8; one tie group of t = 2 -> Var = (6*5*17 - 2*1*9)/18
    x = [5, 3, 4, 4, 6, 7]
    r = mann_kendall(x)
    assert r.s[0] == 8
    assert r.var_s[0] == pytest.approx(492 / 18)
    z = 7 / np.sqrt(492 / 18)
    assert r.z[0] == pytest.approx(z)
    assert r.z[0] == pytest.approx(1.33891, abs=1e-5)
    assert r.p[0] == pytest.approx(2 * stats.norm.sf(z))
    # decreasing and flat series, several rows at once
    r2 = mann_kendall([[6, 5, 4, 3, 2, 1], [2, 2, 2, 2, 2, 2], x])
    assert r2.s.tolist() == [-15, 0, 8]
    assert r2.z[1] == 0
    # the S statistic agrees with Kendall's tau-b numerator from scipy
    tau = stats.kendalltau(np.arange(6), x)
    assert tau.statistic == pytest.approx(8 / np.sqrt(15 * 14))


def test_mann_kendall_in_blocks_equals_row_by_row() -> None:
    # more rows than one block (the cells of a kabupaten): each row's test is its own
    rng = np.random.default_rng(3)
    x = rng.poisson(1.0, size=(20_000, 12)).astype(float)
    r = mann_kendall(x)
    for i in (0, 8191, 8192, 16_383, 19_999):
        one = mann_kendall(x[i])
        assert (r.s[i], r.var_s[i], r.z[i], r.p[i]) == (one.s[0], one.var_s[0], one.z[0], one.p[0])
    assert r.z.shape == (20_000,)


H, C, N = 3, -3, 0  # hot bin, cold bin, not significant


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        ([N, N, N, N, N, N, N, N, N, H], "new_hotspot"),
        ([N, N, N, N, N, N, N, H, H, H], "consecutive_hotspot"),
        ([H] * 10, "persistent_hotspot"),
        ([N] + [H] * 9 + [H] * 10, "persistent_hotspot"),
        ([H, N, N, H, N, H, N, N, N, H], "sporadic_hotspot"),
        ([C, N, N, N, N, N, N, N, N, H], "oscillating_hotspot"),
        ([H] * 10 + [N], "historical_hotspot"),
        ([N] * 10, "no_pattern"),
        ([N, N, N, N, N, N, N, N, N, C], "new_coldspot"),
        ([H, N, N, N, N, N, N, N, N, C], "oscillating_coldspot"),
    ],
)
def test_pattern_rules(series: list[int], expected: str) -> None:
    z = np.zeros((1, len(series)))
    out = emerging_classes([series], z)
    assert out[0] == expected


def test_intensifying_and_diminishing_need_a_trend() -> None:
    bins = np.full((3, 12), 3)
    z = np.vstack([np.arange(12.0) + 3, 15 - np.arange(12.0), np.full(12, 4.0)])
    out = emerging_classes(bins, z)
    assert out.tolist() == ["intensifying_hotspot", "diminishing_hotspot", "persistent_hotspot"]


def test_labels_cover_every_class() -> None:
    labels = trend_labels(TREND_CLASSES)
    assert len(set(labels)) == len(TREND_CLASSES)
    assert trend_labels(["new_hotspot"]) == ["Titik panas baru"]
    assert trend_labels(["new_hotspot"], "en") == ["New hot spot"]


def test_emerging_hotspots_find_a_new_hotspot() -> None:
    cells = sorted(h3.grid_disk("8865a2a8b5fffff", 6))
    a = neighbour_matrix(cells, 1)
    rng = np.random.default_rng(1)
    counts = rng.poisson(0.3, (len(cells), 12)).astype(float)
    centre = cells.index("8865a2a8b5fffff")
    disk = [cells.index(c) for c in h3.grid_disk("8865a2a8b5fffff", 1)]
    counts[disk, -1] += 4
    classes, trend = emerging_hotspots(counts, a)
    assert classes[centre] == "new_hotspot"
    assert trend.z.shape == (len(cells),)
    assert (classes == "no_pattern").mean() > 0.8
