"""Points → H3 cells and points → desa on 1,000,000 random points over OKI + Palembang.

Every contender runs once per round, in turn, for three rounds; the median is printed
(``benchmarks/_timing.py``), so ratios compare runs made under the same load.

Points → H3 (results must be identical):
- peer: a plain Python loop over ``h3.latlng_to_cell`` (h3-py, the H3 C library per call);
- peer: ``polars_h3.latlng_to_cell`` on a polars frame, as its documentation shows it,
  returning ``UInt64`` (and ``Utf8``, strings);
- ours: :func:`~kamtibmas_geo.grid._cells.cells_u64` (``uint64``, what every step uses) and
  :func:`~kamtibmas_geo.points_to_cells` (an object array of Python strings, the edge);
- limit: copying the 8 MB of ``uint64`` ids (memory bandwidth, no work).

Points → desa (same desa for every point):
- peer: the textbook ``geopandas.sjoin(points, desa, predicate="within")`` (points on the
  left, first match kept);
- ours: ``assign_units`` with its tile index warm (cached beside the pack; the one-off
  build is printed apart), adding six code and name columns;
- ours without the index: every point tested against the polygons (the engine before);
- limit: the tile look-up alone (one array index per point, no polygon test).

Run: ``python benchmarks/bench_grid.py [--n 1000000] [--repeat 3]`` (bench extra for polars-h3).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import interleaved, load_line

from kamtibmas_geo.boundaries._pack import load_boundaries
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._cells import (
    _assign,
    _pack_tile_index,
    _pack_tile_index_cached,
    assign_units,
    cells_u64,
    points_to_cells,
)
from kamtibmas_geo.grid._units import _tile_desa


def random_points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random points inside the union of the two kabupaten."""
    kab = load_boundaries("kabupaten")
    union = shapely.union_all(kab.geometry.values)
    shapely.prepare(union)
    minx, miny, maxx, maxy = union.bounds
    rng = np.random.default_rng(seed)
    lon_parts, lat_parts, have = [], [], 0
    while have < n:
        lon = rng.uniform(minx, maxx, 2 * n)
        lat = rng.uniform(miny, maxy, 2 * n)
        keep = shapely.contains_xy(union, lon, lat)
        lon_parts.append(lon[keep])
        lat_parts.append(lat[keep])
        have += int(keep.sum())
    return np.concatenate(lat_parts)[:n], np.concatenate(lon_parts)[:n]


def _table(title: str, n: int, times: dict[str, float], base: str) -> None:
    print(title)
    print(f"{'method':<58}{'seconds':>9}{'points/s':>14}{'× first':>10}")
    for name, t in times.items():
        print(f"{name:<58}{t:>9.3f}{n / t:>14,.0f}{times[base] / t:>10.2f}")


def bench_cells(lat: np.ndarray, lng: np.ndarray, res: int, repeat: int) -> bool:
    contenders = {
        "peer: Python loop over h3.latlng_to_cell (str)": lambda: [
            h3.latlng_to_cell(a, b, res) for a, b in zip(lat.tolist(), lng.tolist(), strict=True)
        ],
    }
    try:
        import polars as pl
        import polars_h3 as plh3

        frame = pl.DataFrame({"lat": lat, "lng": lng})
        contenders["peer: polars_h3.latlng_to_cell (UInt64)"] = lambda: frame.select(
            plh3.latlng_to_cell("lat", "lng", res)
        ).to_series()
        contenders["peer: polars_h3.latlng_to_cell (Utf8)"] = lambda: frame.select(
            plh3.latlng_to_cell("lat", "lng", res, return_dtype=pl.Utf8)
        ).to_series()
    except ImportError:
        print("polars-h3 not installed (pip install -e '.[bench]'): its rows are left out")
    contenders |= {
        "ours: cells_u64, 1 thread (uint64)": lambda: cells_u64(lat, lng, res, threads=1),
        "ours: cells_u64, 2 threads (uint64)": lambda: cells_u64(lat, lng, res, threads=2),
        "ours: points_to_cells, 1 thread (str objects)": lambda: points_to_cells(
            lat, lng, res, threads=1
        ),
        "ours: points_to_cells, 2 threads (str objects)": lambda: points_to_cells(lat, lng, res),
    }
    u64 = cells_u64(lat, lng, res)
    contenders["limit: copy the uint64 ids (8 B a point)"] = lambda: u64.copy()
    times, out = interleaved(contenders, repeat)
    loop = out["peer: Python loop over h3.latlng_to_cell (str)"]
    same = out["ours: points_to_cells, 2 threads (str objects)"].tolist() == loop
    same &= out["ours: points_to_cells, 1 thread (str objects)"].tolist() == loop
    same &= [h3.int_to_str(int(c)) for c in out["ours: cells_u64, 1 thread (uint64)"]] == loop
    if "peer: polars_h3.latlng_to_cell (UInt64)" in out:
        polars_ids = out["peer: polars_h3.latlng_to_cell (UInt64)"].to_numpy()
        same &= bool((polars_ids == out["ours: cells_u64, 2 threads (uint64)"]).all())
    _table(f"points → H3 cells, {len(lat):,} points, res {res}", len(lat), times, next(iter(times)))
    pairs = [
        ("polars_h3.latlng_to_cell (UInt64)", "cells_u64, 1 thread (uint64)"),
        ("polars_h3.latlng_to_cell (UInt64)", "cells_u64, 2 threads (uint64)"),
        ("polars_h3.latlng_to_cell (Utf8)", "points_to_cells, 1 thread (str objects)"),
        ("polars_h3.latlng_to_cell (Utf8)", "points_to_cells, 2 threads (str objects)"),
    ]
    for peer, ours in pairs:
        if f"peer: {peer}" in times:
            ratio = times[f"peer: {peer}"] / times[f"ours: {ours}"]
            print(f"ratio {peer} / ours {ours}: {ratio:.2f}")
    print(f"identical results (loop, polars-h3, ours): {same}")
    return same


def bench_desa(lat: np.ndarray, lng: np.ndarray, repeat: int) -> bool:
    settings = Settings()
    _pack_tile_index_cached.cache_clear()
    t0 = time.perf_counter()
    tiles = _pack_tile_index(settings)  # read from the cache beside the pack (or built)
    t_load = time.perf_counter() - t0
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lng, lat), crs=4326)
    desa = load_boundaries("desa")
    codes = desa[["code", "geometry"]]

    def textbook() -> np.ndarray:
        joined = gpd.sjoin(pts, codes, how="left", predicate="within")
        return joined[~joined.index.duplicated(keep="first")]["code"].to_numpy()

    contenders = {
        "peer: geopandas.sjoin(points, desa, 'within')": textbook,
        "ours: assign_units (tile index warm)": lambda: assign_units(pts, settings=settings),
        "ours without the index (every point vs polygons)": lambda: _assign(pts, desa),
        "limit: the tile look-up alone (no polygon test)": lambda: _tile_desa(lng, lat, tiles),
    }
    times, out = interleaved(contenders, repeat)
    ours = out["ours: assign_units (tile index warm)"]["desa_code"].to_numpy()
    slow = out["ours without the index (every point vs polygons)"]["desa_code"].to_numpy()
    peer = out["peer: geopandas.sjoin(points, desa, 'within')"]
    same_peer = float(np.mean(peer == ours))
    identical = bool((ours == slow).all())
    pure = float(np.mean(out["limit: the tile look-up alone (no polygon test)"] >= 0))
    _table(f"points → desa, {len(lat):,} points", len(lat), times, next(iter(times)))
    peer_t = times["peer: geopandas.sjoin(points, desa, 'within')"]
    print(
        f"ratio sjoin / assign_units: {peer_t / times['ours: assign_units (tile index warm)']:.2f}"
    )
    print(f"same desa as sjoin: {same_peer:.4%}; same as every point tested: {identical}")
    print(f"points in pure tiles (look-up only): {pure:.1%}")
    t0 = time.perf_counter()
    from kamtibmas_geo.grid._units import build_tile_index

    build_tile_index(desa.geometry.to_numpy())
    print(
        f"tile index: read from the cache {t_load:.2f} s; built once per pack "
        f"{time.perf_counter() - t0:.2f} s ({int((tiles.desa >= 0).sum()):,} pure tiles)"
    )
    return identical


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--res", type=int, default=9)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    lat, lng = random_points(args.n)
    print(load_line())
    ok = bench_cells(lat, lng, args.res, args.repeat)
    print()
    ok &= bench_desa(lat, lng, args.repeat)
    print(load_line())
    if not ok:
        raise SystemExit("results differ")


if __name__ == "__main__":
    main()
