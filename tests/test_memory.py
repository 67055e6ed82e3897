"""Regression guard on memory per record of read_records → geocode → score_hotspots.

``benchmarks/bench_pipeline.py`` runs the pipeline in a fresh process and reports each
stage's own peak RSS (the kernel's high-water mark, reset before the stage). Here it runs
twice, on a small and a larger seeded CSV, and the *marginal* peak (extra bytes per extra
record) is checked: the fixed memory of the library, the pack and the cells cancels out,
so the bound is on what every record costs, whatever the machine. Seconds are not
checked (the machine is shared); bytes are.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_pipeline.py"
SMALL, LARGE = 10_000, 80_000
#: Marginal peak bytes per record allowed: issue 19's 1 KB. Measured 358 (read_records 496,
#: geocode 151 above their start) with categorical unit, type and source columns and freed
#: memory returned after each stage; 530 before that, and 1,460-1,650 before the geocoder
#: shared the input's columns and points (the geocode stage alone 1,650), which this bound
#: fails. (The bound leaves room: RSS varies by 10-20 MB between runs, 150-300 B a record here.)
MAX_BYTES_PER_RECORD = 1_000

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc to read peak RSS"
)


def _run(n: int, tmp: Path, source_dir: Path, cache_dir: Path) -> dict:
    out = tmp / f"pipeline-{n}.json"
    env = dict(os.environ, KAMTIBMAS_GEO_SOURCE=str(source_dir), KAMTIBMAS_GEO_CACHE=str(cache_dir))
    args = ["--n", str(n), "--res", "8", "--perms", "19", "--no-peer", "--json", str(out)]
    subprocess.run(
        [sys.executable, str(BENCH), *args], env=env, check=True, capture_output=True, timeout=600
    )
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory, source_dir, cache_dir) -> tuple[dict, dict]:
    tmp = tmp_path_factory.mktemp("memory")
    return _run(SMALL, tmp, source_dir, cache_dir), _run(LARGE, tmp, source_dir, cache_dir)


def _marginal(small: dict, large: dict, key: str = "rss") -> float:
    return (large[key] - small[key]) * 2**20 / (large["n"] - small["n"])


def test_marginal_bytes_per_record_at_peak(runs):
    small, large = runs
    assert large["records"] == LARGE  # every record read and placed: the run is whole
    assert large["placed"] >= 0.999 * LARGE  # (a point rounded to 6 decimals may fall out)
    per_record = _marginal(small, large)
    assert 0 < per_record <= MAX_BYTES_PER_RECORD, f"{per_record:,.0f} B per record"


def test_each_stage_reports_its_own_peak(runs):
    small, large = runs
    for run in runs:
        assert [r["stage"].split()[0] for r in run["rows"]] == [
            "read_records",
            "geocode",
            "score_hotspots",
        ]
        for row in run["rows"]:
            assert row["peak_mb"] >= max(row["start_mb"], row["end_mb"]) - 1
    # what each stage adds above what it was given grows by less than the bound per record
    for a, b in zip(small["rows"], large["rows"], strict=True):
        added = (b["peak_mb"] - b["start_mb"]) - (a["peak_mb"] - a["start_mb"])
        per_record = added * 2**20 / (LARGE - SMALL)
        assert per_record <= MAX_BYTES_PER_RECORD, f"{a['stage']}: {per_record:,.0f} B"


def _points_over_the_pack(desa: gpd.GeoDataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded points over the pack's bounds (inside and outside), some on desa vertices."""
    rng = np.random.default_rng(19)
    x0, y0, x1, y1 = desa.total_bounds
    lon, lat = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
    corners = shapely.get_coordinates(shapely.get_exterior_ring(desa.geometry.explode().values))
    pick = rng.choice(len(corners), 500, replace=False)
    lon[:500], lat[:500] = corners[pick, 0], corners[pick, 1]  # on shared borders
    return lon, lat


def test_geocode_places_points_as_the_polygons_do(settings, desa):
    """The tile index (no point objects) gives the desa every polygon test gives."""
    from kamtibmas_geo.geocode._geocode import geocode

    lon, lat = _points_over_the_pack(desa, 25_000)  # >= 20,000: the tile index is used
    frame = pd.DataFrame({"lat": lat, "lon": lon, "row": np.arange(2, len(lat) + 2)})
    placed = geocode(frame, res=9, settings=settings)
    tree = shapely.STRtree(desa.geometry.values)
    pt_pos, desa_pos = tree.query(shapely.points(lon, lat), predicate="intersects")
    first = np.full(len(lon), len(desa), dtype=np.int64)
    np.minimum.at(first, pt_pos, desa_pos)  # the smallest code on a shared border
    inside = first < len(desa)
    want = desa["code"].to_numpy(dtype=object)[first[inside]]
    got = placed.records.set_index("row")["desa_code"]
    assert got.loc[np.flatnonzero(inside) + 2].tolist() == want.tolist()
    assert sorted(placed.rejected["row"]) == (np.flatnonzero(~inside) + 2).tolist()
    assert 1_000 < (~inside).sum() < 20_000  # both kinds of point were tried


def test_geocode_shares_the_input_points_and_columns(settings, desa):
    """One geometry array and no copy of the input's text, also with a few rows left out."""
    from kamtibmas_geo.geocode._geocode import geocode

    inner = desa.geometry.representative_point()
    lon, lat = inner.x.to_numpy().copy(), inner.y.to_numpy().copy()
    lon[[5, 50, 300]], lat[[5, 50, 300]] = 101.0, -1.0  # three points outside: rejected
    pts = gpd.GeoDataFrame(
        {"lat": lat, "lon": lon, "kind": pd.array(["disturbance"] * len(lat), dtype="string")},
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )
    out = geocode(pts, res=9, settings=settings).records
    kept = np.setdiff1d(np.arange(len(pts)), [5, 50, 300])
    given = np.asarray(pts.geometry.array, dtype=object)[kept]
    held = np.asarray(out.geometry.array, dtype=object)
    assert len(held) == len(given) == len(desa) - 3
    assert all(a is b for a, b in zip(held, given, strict=True))
    text_buffers = {c.buffers()[2].address for c in out["kind"].array._pa_array.chunks}
    assert text_buffers == {c.buffers()[2].address for c in pts["kind"].array._pa_array.chunks}
    assert out["desa_code"].tolist() == desa["code"].to_numpy(dtype=object)[kept].tolist()
