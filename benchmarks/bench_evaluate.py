"""Backtest over all res-9 cells of OKI + Palembang, and the KDE baseline against scipy.

1. KDE baseline: :func:`kamtibmas_geo.evaluate._backtest.kde_scores` (cKDTree neighbour sum with a
   4-bandwidth cut-off) against the exact dense sum over all points (``scipy`` ``cdist``
   + numpy, same Gaussian kernel and bandwidth in metres) at the same cell centres, in the
   same run; the top 5% cells must agree (the cut-off drops < 0.04% of a point's peak).
2. A whole backtest (every past Ramadhan, method = ``score_hotspots``, the three baselines)
   on seeded synthetic incidents over OKI + Palembang at res 9.

Run: ``python benchmarks/bench_evaluate.py [--n 50000] [--cells 20000]``.
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from kamtibmas_geo.boundaries._pack import load_boundaries
from kamtibmas_geo.evaluate._backtest import backtest, kde_scores
from kamtibmas_geo.grid._cells import cells_to_gdf, region_cells


def random_points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random points inside OKI + Palembang, a third of them in 20 hotspots."""
    kab = load_boundaries("kabupaten")
    union = shapely.union_all(kab.geometry.values)
    shapely.prepare(union)
    minx, miny, maxx, maxy = union.bounds
    rng = np.random.default_rng(seed)
    lon = rng.uniform(minx, maxx, 4 * n)
    lat = rng.uniform(miny, maxy, 4 * n)
    keep = shapely.contains_xy(union, lon, lat)
    lon, lat = lon[keep][: n - n // 3], lat[keep][: n - n // 3]
    centres = rng.integers(0, len(lon), 20)
    pick = rng.integers(0, 20, n // 3)
    hot_lon = lon[centres][pick] + rng.normal(0, 0.003, n // 3)
    hot_lat = lat[centres][pick] + rng.normal(0, 0.003, n // 3)
    return np.concatenate([lat, hot_lat]), np.concatenate([lon, hot_lon])


def bench_kde(n_points: int, n_cells: int, bandwidth: float = 500.0) -> None:
    from scipy.spatial.distance import cdist

    lat, lon = random_points(n_points, seed=1)
    cells = cells_to_gdf(region_cells("palembang", 9)[:n_cells])
    pts = gpd.GeoSeries.from_xy(lon, lat, crs=4326)
    t = time.perf_counter()
    ours = kde_scores(pts, cells, bandwidth_m=bandwidth).to_numpy()
    t_ours = time.perf_counter() - t

    xy = pts.to_crs(32748)
    c = np.array([h3.cell_to_latlng(x) for x in cells["hex_id"]])
    cxy = gpd.GeoSeries.from_xy(c[:, 1], c[:, 0], crs=4326).to_crs(32748)
    data = np.column_stack([xy.x.to_numpy(), xy.y.to_numpy()])
    grid = np.column_stack([cxy.x.to_numpy(), cxy.y.to_numpy()])
    t = time.perf_counter()
    peer = np.zeros(len(grid))
    for i in range(0, len(grid), 256):  # exact dense sum, chunked to bound memory
        d2 = cdist(grid[i : i + 256], data, "sqeuclidean")
        peer[i : i + 256] = np.exp(-d2 / (2 * bandwidth**2)).sum(axis=1)
    t_peer = time.perf_counter() - t
    peer_scaled = peer
    err = np.max(np.abs(ours - peer_scaled))
    top = len(ours) // 20
    same_top = len(
        set(np.argsort(-ours, kind="stable")[:top]) & set(np.argsort(-peer, kind="stable")[:top])
    )
    print(f"KDE: {len(pts):,} points at {len(cells):,} cell centres, h = {bandwidth:.0f} m")
    print(f"{'implementation':<38}{'seconds':>10}")
    print(f"{'kamtibmas_geo kde_scores (cKDTree)':<38}{t_ours:>10.3f}")
    print(f"{'dense exact sum (scipy cdist + numpy)':<38}{t_peer:>10.3f}")
    print(f"ratio (dense / ours): {t_peer / t_ours:.1f}x; max |difference| {err:.2e} ")
    print(f"top-5% cells in common: {same_top} of {top}")


def bench_backtest(n: int) -> None:
    lat, lon = random_points(n, seed=2)
    rng = np.random.default_rng(3)
    t0 = pd.Timestamp("2022-01-01")
    seconds = rng.uniform(0, (pd.Timestamp("2026-04-30") - t0).total_seconds(), n)
    records = pd.DataFrame(
        {
            "lat": lat,
            "lon": lon,
            "time": t0 + pd.to_timedelta(seconds, unit="s"),
            "type": rng.choice(["curanmor", "pencurian", "petasan", "balap_liar"], n),
            "severity": 1.0,
        }
    )
    t = time.perf_counter()
    result = backtest(records, res=9)
    elapsed = time.perf_counter() - t
    print(
        f"\nBacktest: {n:,} incidents, {result.n_cells:,} res-9 cells, "
        f"{len(result.periods)} Ramadhans, 4 models: {elapsed:.1f} s"
    )
    print(result.format("en"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--cells", type=int, default=20_000)
    args = parser.parse_args()
    bench_kde(args.n, args.cells)
    bench_backtest(args.n)


if __name__ == "__main__":
    main()
