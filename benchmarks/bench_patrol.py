"""Benchmark of patrol routing: PyVRP routes against a nearest-neighbour tour, and solve time.

Run: ``python benchmarks/bench_patrol.py`` (needs KAMTIBMAS_GEO_SOURCE / KAMTIBMAS_GEO_CACHE);
``benchmarks/run.py patrol`` runs it with the others.

For Palembang (H3 res 9) and OKI (res 8), seeded synthetic scores shaped like real ones (a
few clustered hotspots), 6 teams per window, the five default windows, default options:

* **length**: for every team, its route (start → stops → start) in PyVRP's order against the
  same stops in nearest-neighbour order from the start and in rank order (the old "list of
  cells"); same distances (straight line × detour factor);
* **time**: the whole plan and the PyVRP solves alone (count and total), at 100, 300
  (default) and 1,000 iterations, with the risk the routes collect.
"""

from __future__ import annotations

import os
import time
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from kamtibmas_geo.boundaries._pack import load_boundaries
from kamtibmas_geo.config import Settings
from kamtibmas_geo.plan import _patrol
from kamtibmas_geo.plan._patrol import PatrolOptions, patrol_plan
from kamtibmas_geo.plan._patrol_route import nearest_neighbour_order, route_length


def synthetic_cells(code: str, res: int, *, seed: int, n_hotspots: int, sigma_m: float) -> Any:
    """Cells of a kabupaten/kota with clustered seeded scores and type counts."""
    settings = Settings(
        source=os.environ.get("KAMTIBMAS_GEO_SOURCE"),
        cache_dir=os.environ.get("KAMTIBMAS_GEO_CACHE"),
    )
    kab = load_boundaries("kabupaten", settings=settings)
    desa = load_boundaries("desa", settings=settings)
    hexes = sorted(h3.geo_to_cells(kab[kab["code"] == code].geometry.iloc[0], res))
    ll = np.array([h3.cell_to_latlng(c) for c in hexes])
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(ll[:, 1], ll[:, 0]), crs=4326)
    cols = ["code", "name", "kecamatan_code", "kecamatan_name", "geometry"]
    joined = gpd.sjoin(pts, desa[cols], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    rng = np.random.default_rng(seed)
    xy = pts.to_crs(32748).get_coordinates().to_numpy()
    centres = xy[rng.choice(len(xy), size=n_hotspots, replace=False)]
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    raw = (rng.gamma(2.0, 2.0, n_hotspots)[None, :] * np.exp(-d2 / (2 * sigma_m**2))).sum(axis=1)
    score = np.where(raw > 0.2, np.round(raw, 3), 0.0)
    frame = pd.DataFrame(
        {
            "hex_id": hexes,
            "score": score,
            "desa_code": joined["code"].to_numpy(),
            "desa_name": joined["name"].to_numpy(),
            "kecamatan_code": joined["kecamatan_code"].to_numpy(),
            "kecamatan_name": joined["kecamatan_name"].to_numpy(),
        }
    )
    for t in ("petasan", "balap_liar", "pencurian", "curanmor", "tawuran", "kemacetan"):
        frame[f"n_{t}"] = rng.poisson(score * rng.uniform(0.05, 0.5))
    return frame


def lengths(plan: pd.DataFrame, detour: float) -> pd.DataFrame:
    """Per team: route length in PyVRP's order, nearest-neighbour order and rank order (km)."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    rows = []
    for key, team in plan.groupby(["window", "polsek", "team"]):
        team = team.sort_values("stop")
        lat = np.r_[team["start_lat"].iloc[0], team["lat"].to_numpy()]
        lon = np.r_[team["start_lon"].iloc[0], team["lon"].to_numpy()]
        n = len(lat)
        a, b = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        d = geod.inv(lon[a.ravel()], lat[a.ravel()], lon[b.ravel()], lat[b.ravel()])[2]
        metres = np.asarray(d).reshape(n, n) * detour
        order = list(range(n - 1))
        by_rank = sorted(order, key=lambda k: int(team["rank"].iloc[k]))
        rows.append(
            {
                "team": key,
                "stops": n - 1,
                "pyvrp_km": route_length(metres, order) / 1000,
                "nn_km": route_length(metres, nearest_neighbour_order(metres, order)) / 1000,
                "rank_km": route_length(metres, by_rank) / 1000,
            }
        )
    return pd.DataFrame(rows)


def timed_plan(cells: pd.DataFrame, iterations: int) -> tuple[pd.DataFrame, float, float, int]:
    """The plan, its wall time, the time inside PyVRP solves and their count."""
    inner = _patrol.solve_routes
    spent = [0.0, 0]

    def clocked(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        out = inner(*args, **kwargs)
        spent[0] += time.perf_counter() - t
        spent[1] += 1
        return out

    _patrol.solve_routes = clocked  # type: ignore[assignment]
    try:
        t0 = time.perf_counter()
        plan = patrol_plan(cells, teams=6, options=PatrolOptions(iterations=iterations))
        wall = time.perf_counter() - t0
    finally:
        _patrol.solve_routes = inner
    return plan, wall, float(spent[0]), int(spent[1])


def main() -> None:
    import warnings

    warnings.simplefilter("ignore")
    cases = {
        "Palembang 16.71, res 9": ("16.71", 9, 25, 700.0),
        "OKI 16.02, res 8": ("16.02", 8, 60, 2500.0),
    }
    for label, (code, res, hot, sigma) in cases.items():
        cells = synthetic_cells(code, res, seed=1, n_hotspots=hot, sigma_m=sigma)
        print(f"{label}: {len(cells):,} cells, {(cells['score'] > 0).mean():.0%} positive")
        rows = []
        for it in (100, 300, 1000):
            plan, wall, solve, n = timed_plan(cells, it)
            ln = lengths(plan, PatrolOptions().detour_factor)
            rows.append(
                {
                    "iterations": it,
                    "plan_s": wall,
                    "solves": n,
                    "solve_s": solve,
                    "stops": len(plan),
                    "risk": plan["risk"].sum(),
                    "pyvrp_km": ln["pyvrp_km"].sum(),
                    "nn_km": ln["nn_km"].sum(),
                    "rank_km": ln["rank_km"].sum(),
                    "teams_shorter_than_nn": f"{(ln['pyvrp_km'] < ln['nn_km'] - 1e-3).sum()}"
                    f"/{len(ln)}",
                    "teams_longer_than_nn": int((ln["pyvrp_km"] > ln["nn_km"] + 1e-3).sum()),
                }
            )
        table = pd.DataFrame(rows)
        print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
        best = table.iloc[1]
        print(
            f"    default (300 it.): PyVRP {best['pyvrp_km']:.1f} km vs nearest neighbour "
            f"{best['nn_km']:.1f} km ({best['pyvrp_km'] / best['nn_km'] - 1:+.1%}) and rank order "
            f"{best['rank_km']:.1f} km ({best['pyvrp_km'] / best['rank_km'] - 1:+.1%})\n"
        )


if __name__ == "__main__":
    main()
