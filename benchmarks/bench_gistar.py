"""Gi* with 999 permutations over all res-9 cells of OKI + Palembang against esda.G_Local.

Both get the same binary weights (k = 1 ring, the cell itself included) and the same
Poisson incident counts. Printed: cells, seconds of each step, the speed ratio, the
largest z-score difference, the agreement of the pseudo p-values, peak RSS.

Run: ``python benchmarks/bench_gistar.py [--res 9] [--perms 999] [--no-esda]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings

import numpy as np


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--res", type=int, default=9)
    parser.add_argument("--perms", type=int, default=999)
    parser.add_argument("--rate", type=float, default=0.05, help="mean incidents per cell")
    parser.add_argument("--no-esda", action="store_true")
    parser.add_argument(
        "--continuous", action="store_true", help="gamma-distributed values instead of counts"
    )
    args = parser.parse_args()

    from kamtibmas_geo.config import Settings
    from kamtibmas_geo.grid._cells import region_cells
    from kamtibmas_geo.score._gistar import gi_star, neighbour_matrix

    settings = Settings(
        source=os.environ.get("KAMTIBMAS_GEO_SOURCE"),
        cache_dir=os.environ.get("KAMTIBMAS_GEO_CACHE"),
    )
    rows: list[tuple[str, float]] = []
    t = time.perf_counter()
    cells = region_cells(None, args.res, settings=settings)
    rows.append(("region_cells", time.perf_counter() - t))
    n = len(cells)
    rng = np.random.default_rng(0)
    y = rng.gamma(0.5, 2.0, n) if args.continuous else rng.poisson(args.rate, n).astype(float)

    t = time.perf_counter()
    a = neighbour_matrix(cells, 1)
    rows.append(("ours: neighbour matrix", time.perf_counter() - t))
    t = time.perf_counter()
    ours = gi_star(
        y, a, inference="permutation", permutations=args.perms, seed=1, check_draws=False
    )
    t_ours = time.perf_counter() - t
    rows.append((f"ours: Gi* + {args.perms} permutations", t_ours))
    t = time.perf_counter()
    count = gi_star(np.rint(y), a, inference="count")
    rows.append(("ours: Gi* + exact count null", time.perf_counter() - t))
    rss_ours = _rss_mb()

    kind = "gamma values" if args.continuous else f"incidents: {int(y.sum()):,}"
    print(f"cells: {n:,}  (res {args.res}, OKI + Palembang), {kind}")
    z_diff = p_dev = float("nan")
    t_esda = float("nan")
    if not args.no_esda:
        from esda.getisord import G_Local
        from libpysal.weights import W

        t = time.perf_counter()
        indptr, indices = a.indptr, a.indices
        neigh = {
            i: [int(j) for j in indices[indptr[i] : indptr[i + 1]] if j != i] for i in range(n)
        }
        w = W(neigh, silence_warnings=True)
        rows.append(("esda: libpysal W", time.perf_counter() - t))
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = G_Local(y, w, transform="B", star=True, permutations=args.perms, seed=2)
        t_esda = time.perf_counter() - t
        rows.append((f"esda: G_Local(star=True) + {args.perms} permutations", t_esda))
        z_diff = float(np.nanmax(np.abs(ours.z - ref.Zs)))
        sd = np.sqrt(2 * ref.p_sim * (1 - ref.p_sim) / args.perms) + 1e-3
        p_dev = float(np.mean(np.abs(ours.p - ref.p_sim) < 4 * sd))

    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  seconds")
    for name, sec in rows:
        print(f"{name:<{width}}  {sec:8.2f}")
    print(f"speed-up of Gi* + permutations over esda: {t_esda / t_ours:.1f}x")
    print(f"max |z_ours - z_esda|: {z_diff:.2e}")
    print(f"share of cells with p within 4 MC sd of esda: {p_dev:.4f}")
    print(f"hot cells after FDR 5% (count null): {int((count.p_fdr <= 0.05).sum())}")
    print(f"peak RSS after ours: {rss_ours:,.0f} MB; peak RSS overall: {_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
