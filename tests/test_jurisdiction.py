"""The kabupaten/kota is the study area: per-region results, and their proof on random data.

Issue 13: pooling OKI (17,076 km²) and Palembang (353 km²) under one null made 90% of
Palembang "hot" from uniform random points. Here every relative quantity is computed
inside one kabupaten/kota, a multi-region call is the union of single-region calls, and
the proofs of item 5 run over 20 seeds of uniform random incidents.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from kamtibmas_geo.config import Settings
from kamtibmas_geo.score import ScoreOptions, score_hotspots

TARGET = (
    pd.Timestamp("2027-02-01", tz="Asia/Jakarta"),
    pd.Timestamp("2027-03-20", tz="Asia/Jakarta"),
)
#: Gi* alone: the proofs are about the hot-spot test, the other parts cost time only.
GI_ONLY = ScoreOptions(decay=False, seasonal=False, smoothing=False, emerging=False)
PLG, OKI = "16.71", "16.02"
#: Incidents per region in the proofs (the issue's 3,000 points over Palembang).
N_UNIFORM = 3000
#: Palembang at the default resolution 9 (3,352 cells). OKI at resolution 8 (22,412 cells
#: instead of 154,107 at 9): the exact binomial null of Gi* is calibrated at any resolution,
#: and 20 seeds at 9 would cost ~3 minutes; the pooled failure of the issue does not depend
#: on it either (it came from one null over two areas of very different size).
RES = {PLG: 9, OKI: 8}


def _uniform(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points uniform over a polygon (lon, lat), by rejection from its bounds."""
    x0, y0, x1, y1 = poly.bounds
    out: list[np.ndarray] = []
    while sum(len(o) for o in out) < n:
        x, y = rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)
        ok = shapely.contains_xy(poly, x, y)
        out.append(np.c_[x[ok], y[ok]])
    return np.vstack(out)[:n]


def _records(xy: np.ndarray, time: str = "2026-06-01") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time": pd.Timestamp(time, tz="Asia/Jakarta"),
            "type": "petasan",
            "lon": xy[:, 0],
            "lat": xy[:, 1],
        }
    )


def _cluster(centre: tuple[float, float], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points uniform in a disc of 300 m around ``centre`` (lon, lat)."""
    r = 300.0 * np.sqrt(rng.uniform(0, 1, n))
    a = rng.uniform(0, 2 * np.pi, n)
    lat0 = np.radians(centre[1])
    dlat = r * np.sin(a) / 111_320.0
    dlon = r * np.cos(a) / (111_320.0 * np.cos(lat0))
    return np.c_[centre[0] + dlon, centre[1] + dlat]


@pytest.fixture(scope="module")
def polys(kabupaten: gpd.GeoDataFrame) -> dict[str, shapely.Geometry]:
    return dict(zip(kabupaten["code"], kabupaten.geometry, strict=False))


def _score(recs: pd.DataFrame, settings: Settings, **kw: object) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return score_hotspots(recs, target=TARGET, settings=settings, options=GI_ONLY, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- item 1


def test_multi_region_call_is_the_union_of_single_region_calls(
    polys: dict[str, shapely.Geometry], settings: Settings
) -> None:
    rng = np.random.default_rng(1)
    xy = np.vstack([_uniform(polys[PLG], 400, rng), _uniform(polys[OKI], 200, rng)])
    times = pd.Timestamp("2025-03-01", tz="Asia/Jakarta") + pd.to_timedelta(
        rng.uniform(0, 700, len(xy)), unit="D"
    )
    recs = _records(xy).assign(time=times)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both = score_hotspots(
            recs, target=TARGET, res=8, region=["OKI", "16.71"], settings=settings
        )
        auto = score_hotspots(recs, target=TARGET, res=8, settings=settings)
        parts = [
            score_hotspots(recs, target=TARGET, res=8, region=r, settings=settings)
            for r in ("Ogan Komering Ilir", "palembang")
        ]
    union = pd.concat(parts, ignore_index=True).sort_values("hex_id", ignore_index=True)
    union = gpd.GeoDataFrame(union, geometry="geometry", crs=4326)
    assert_geodataframe_equal(both, union)
    assert_geodataframe_equal(auto, union)
    assert set(both["kabupaten_code"]) == {OKI, PLG}
    assert not both["hex_id"].duplicated().any()  # a border cell is in one kabupaten only
    # every relative quantity is made inside its kabupaten: each has its own rank 1, and
    # its own classes 1..5
    for _, part in both.groupby("kabupaten_code"):
        assert part["score_rank"].min() == 1
        assert set(part["score_class"]) == {1, 2, 3, 4, 5}
    regions = both.attrs["score"]["regions"]
    assert regions[PLG]["label"] == "Kota Palembang (16.71), 527 sel"
    assert regions[OKI]["n_cells"] == int((both["kabupaten_code"] == OKI).sum())


def test_auto_is_where_the_records_fall(
    polys: dict[str, shapely.Geometry], settings: Settings
) -> None:
    recs = _records(_uniform(polys[PLG], 50, np.random.default_rng(2)))
    out = _score(recs, settings, res=9)
    assert set(out["kabupaten_code"]) == {PLG}
    assert out.attrs["score"]["regions"][PLG]["label"] == "Kota Palembang (16.71), 3.352 sel"
    # geocoded records carry their desa code: that decides too, without a point
    coded = recs.assign(region_code="16.71.01.1001")
    assert set(_score(coded, settings, res=9)["kabupaten_code"]) == {PLG}


# --------------------------------------------------------------------------- item 5


#: The proofs count a seed as "flagging" when any cell is significant at 99% (|gi_bin| = 3),
#: the level at which the issue measured the pooled failure (~3,000 hot cells in 10 of 10
#: seeds). At the 90% bin the Benjamini-Hochberg correction at q = 0.10 allows a false
#: flag in about 1 seed in 10 under pure noise (measured: 1, 2 and 2 seeds of 20 for
#: Palembang, OKI and both); that bound is asserted too.
LEVEL_99, LEVEL_90 = 3, 1


def _metres(centre: np.ndarray, cells: pd.Series) -> np.ndarray:
    """Distance in metres from ``centre`` (lon, lat) to the centre of each cell."""
    here = (float(centre[1]), float(centre[0]))
    return np.array([h3.great_circle_distance(here, h3.cell_to_latlng(c), unit="m") for c in cells])


def _flags(out: gpd.GeoDataFrame, level: int) -> bool:
    return bool((out["gi_bin"].abs() >= level).any())


@pytest.mark.parametrize("code", [PLG, OKI])
def test_uniform_incidents_flag_nothing_in_one_kabupaten(
    code: str, polys: dict[str, shapely.Geometry], settings: Settings
) -> None:
    at_99 = at_90 = 0
    for seed in range(20):
        recs = _records(_uniform(polys[code], N_UNIFORM, np.random.default_rng(seed)))
        out = _score(recs, settings, res=RES[code], region=code)
        assert set(out["kabupaten_code"]) == {code}
        at_99 += _flags(out, LEVEL_99)
        at_90 += _flags(out, LEVEL_90)
    assert at_99 <= 1
    assert at_90 <= 3  # expected ~2 of 20 at FDR 10%


def test_uniform_incidents_in_both_flag_nothing_with_auto(
    polys: dict[str, shapely.Geometry], settings: Settings
) -> None:
    # one resolution for both (8): the pooled failure of the issue was ~3,000 hot cells
    at_99 = at_90 = 0
    for seed in range(20):
        rng = np.random.default_rng(100 + seed)
        xy = np.vstack([_uniform(polys[PLG], N_UNIFORM, rng), _uniform(polys[OKI], N_UNIFORM, rng)])
        out = _score(_records(xy), settings, res=8)
        assert set(out["kabupaten_code"]) == {OKI, PLG}
        at_99 += _flags(out, LEVEL_99)
        at_90 += _flags(out, LEVEL_90)
    assert at_99 <= 1
    assert at_90 <= 3


@pytest.mark.parametrize("code", [PLG, OKI])
def test_planted_cluster_of_20_within_300_m_is_found(
    code: str, polys: dict[str, shapely.Geometry], settings: Settings
) -> None:
    found = 0
    for seed in range(10):
        rng = np.random.default_rng(200 + seed)
        centre = _uniform(polys[code].buffer(-0.01), 1, rng)[0]  # 1 km inside the border
        xy = np.vstack([_uniform(polys[code], N_UNIFORM, rng), _cluster(tuple(centre), 20, rng)])
        out = _score(_records(xy), settings, res=RES[code], region=code)
        # hot at 95% at least, within 600 m of the centre
        found += bool((_metres(centre, out.loc[out["gi_bin"] >= 2, "hex_id"]) <= 600).any())
        # the strong cells are the cluster's: nothing at 99% away from it
        far99 = _metres(centre, out.loc[out["gi_bin"] == 3, "hex_id"])
        assert (far99 <= 1500).all()
    assert found >= 9
