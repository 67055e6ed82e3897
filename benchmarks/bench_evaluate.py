"""The self-tuning forecaster's validation and test tables, and the KDE baseline against scipy.

1. KDE baseline: :func:`kamtibmas_geo.evaluate._backtest.kde_scores` (cKDTree neighbour sum with a
   4-bandwidth cut-off) against the exact dense sum over all points (``scipy`` ``cdist``
   + numpy, same Gaussian kernel and bandwidth in metres) at the same cell centres, in the
   same run; the top 5% cells must agree (the cut-off drops < 0.04% of a point's peak).
2. Synthetic replicates (:mod:`kamtibmas_geo.evaluate._synthetic`: stable, emerging, seasonal,
   noise; a month and a Ramadhan target; ``--reps`` seeds): mean out-of-sample PAI, against
   the known intensity, of the chosen forecast and of each naive baseline at 1% and 5%.
3. The sample (``make_sample(seed=7)``, read and geocoded through the public API as a user
   would): a backtest per kabupaten/kota (``--region``) of two Ramadhans and a June, at 0.5%,
   1% and 5%: the test table, each choice, and one choice's validation table.

Run: ``python benchmarks/bench_evaluate.py [--n 50000] [--cells 20000] [--reps 5]
[--region palembang]`` (``--region all`` adds OKI, about a minute per period).
"""

from __future__ import annotations

import argparse
import time
import warnings

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from kamtibmas_geo.boundaries._pack import load_boundaries
from kamtibmas_geo.evaluate._backtest import kde_scores
from kamtibmas_geo.grid._cells import cells_to_gdf, region_cells

TZ = "Asia/Jakarta"


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


def _per_cell(records: pd.DataFrame, ids: pd.Series) -> np.ndarray:
    return records["hex_id"].value_counts().reindex(ids, fill_value=0).to_numpy(float)


def bench_replicates(reps: int) -> None:
    from kamtibmas_geo.evaluate._forecast import select_forecast
    from kamtibmas_geo.evaluate._metrics import flagged_fraction
    from kamtibmas_geo.evaluate._parts import _period_of
    from kamtibmas_geo.evaluate._synthetic import SCENARIOS, synthetic_history
    from kamtibmas_geo.evaluate._window import Window

    month = Window(pd.Timestamp("2025-06-01", tz=TZ), pd.Timestamp("2025-07-01", tz=TZ))
    kw = {"window": ("pra_ramadhan", "balik"), "opts": {}, "method": "kemenag"}
    ramadhan = _period_of("ramadhan-1446", overrides=None, **kw)
    rows = []
    t = time.perf_counter()
    for share in (0.01, 0.05):
        for scenario in SCENARIOS:
            for target in (month, ramadhan):
                for seed in range(reps):
                    h = synthetic_history(scenario, seed, target=target)
                    train, _ = h.split()
                    sel = select_forecast(train, target, h.cells, area_share=share)
                    truth, areas = h.intensity.to_numpy(), h.cells["area_km2"].to_numpy()

                    def pai(
                        s: np.ndarray,
                        t: np.ndarray = truth,
                        w: np.ndarray = areas,
                        f: float = share,
                    ) -> float:
                        return float(flagged_fraction(s, w, f * w.sum()) @ t / t.sum() / f)

                    rec = h.records
                    before = rec[rec["time"] < target.start]
                    lo, hi = target.past[0]
                    last = rec[(rec["time"] >= lo) & (rec["time"] < hi)]
                    ids = h.cells["hex_id"]
                    rows.append({
                        "share": f"{share:.0%}", "scenario": scenario,
                        "target": "Ramadhan" if target.ramadhan else "month",
                        "chosen": sel.chosen, "selected": pai(sel.scores.to_numpy()),
                        "all_time": pai(_per_cell(before, ids)),
                        "last_year": pai(_per_cell(last, ids)),
                        "kde": pai(kde_scores(train.geometry, h.cells).to_numpy()),
                    })  # fmt: skip
    elapsed = time.perf_counter() - t
    df = pd.DataFrame(rows)
    keys = ["share", "scenario", "target"]
    names = ["all_time", "last_year", "kde"]
    best = df.groupby(keys)[names].transform("mean").idxmax(axis=1)
    df["ok"] = df["selected"] >= [df.loc[i, b] * (1 - 1e-3) for i, b in best.items()]
    table = df.groupby(keys).agg(
        selected=("selected", "mean"), all_time=("all_time", "mean"),
        last_year=("last_year", "mean"), kde=("kde", "mean"), at_least_best=("ok", "mean"),
        chosen=("chosen", lambda c: ", ".join(sorted(set(c)))),
    )  # fmt: skip
    n = len(df) // 2
    print(f"\nSynthetic replicates: {n} per share ({reps} seeds x 4 structures x 2 targets), "
          f"331 res-8 cells, PAI against the known intensity; {elapsed:.1f} s")  # fmt: skip
    print(table.to_string(float_format=lambda v: f"{v:.2f}"))
    for share, g in df.groupby("share"):
        print(f"{share}: selected >= best single naive baseline in {g['ok'].mean():.0%} "
              f"of {len(g)} replicates")  # fmt: skip


def bench_sample(region: str) -> None:
    from kamtibmas_geo.config import Settings
    from kamtibmas_geo.evaluate import BacktestOptions, backtest
    from kamtibmas_geo.geocode._geocode import geocode
    from kamtibmas_geo.records._read import read_records
    from kamtibmas_geo.sample._sample import make_sample

    settings = Settings()
    t = time.perf_counter()
    data = make_sample(seed=7, settings=settings)
    placed = geocode(read_records(data.disturbances, "disturbance", settings=settings),
                     res=9, settings=settings).records  # fmt: skip
    print(f"\nSample: {len(placed):,} disturbances placed in {time.perf_counter() - t:.1f} s")
    regions = ["palembang", "oki"] if region == "all" else [region]
    for name in regions:
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = backtest(
                placed, res=9, region=name,
                periods=["ramadhan-1446", "ramadhan-1447", "2026-06-01..2026-07-01"],
                options=BacktestOptions(area_shares=(0.005, 0.01, 0.05)),
            )  # fmt: skip
        elapsed = time.perf_counter() - t
        print(f"\nBacktest {name}, res 9, {result.n_cells:,} cells, 3 periods: {elapsed:.1f} s")
        print("Test table (out of sample):")
        print(result.format("en"))
        key = next(iter(result.selections))
        sel = result.selections[key]
        cols = ["candidate", "pai_year", "pai_before", "mean_pai", "mean_pei"]
        top = sel.table.sort_values(f"pai_{sel.view or 'year'}", ascending=False).head(8)
        base = sel.table[sel.table["candidate"].isin(["all_time", "last_year", "kde_2edge"])]
        print(f"\nValidation table, {key[0]} (choice: {sel.chosen}, view: {sel.view}):")
        print(pd.concat([top, base]).drop_duplicates("candidate")[cols].to_string(
            index=False, float_format=lambda v: f"{v:.2f}"))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--cells", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--region", default="palembang")
    args = parser.parse_args()
    bench_kde(args.n, args.cells)
    bench_replicates(args.reps)
    bench_sample(args.region)


if __name__ == "__main__":
    main()
