"""Gi* with 999 permutations over all res-9 cells of OKI + Palembang against esda.G_Local.

Both get the same binary weights (k = 1 ring, the cell itself included), first on Poisson
incident counts (what the pipeline scores), then on continuous gamma values (a score, not a
count), where our draw sharing for integer counts does not apply.

esda is run as its documentation recommends for speed: numba installed (the ``bench``
extra) and **warmed** (compiled once on a small problem before timing),
``keep_simulations=False`` (so the 999 × n simulated values are not stored),
``n_jobs=2`` (both cores), ``transform="B"``, ``star=True``. Ours and esda run in turn,
three rounds, median kept (``_timing.interleaved``). Printed: seconds, the ratio, the
largest z difference, the share of cells whose pseudo p-values agree within 4 Monte
Carlo standard deviations, and a limit row (one sparse product A·y per draw, 1,000 of them:
what any permutation Gi* must do without sharing draws).

Run: ``python benchmarks/bench_gistar.py [--res 9] [--perms 999] [--repeat 3] [--no-esda]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import interleaved, load_line, peak_rss_mb


def _esda(y: np.ndarray, w: object, perms: int, jobs: int) -> object:
    from esda.getisord import G_Local

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return G_Local(
            y,
            w,
            transform="B",
            star=True,
            permutations=perms,
            seed=2,
            keep_simulations=False,
            n_jobs=jobs,
        )


def _warm_esda(w_small: object, perms: int, jobs: int) -> float:
    """Compile esda's numba kernels on a small problem; return the seconds it took."""
    t0 = time.perf_counter()
    _esda(np.random.default_rng(0).poisson(1.0, w_small.n).astype(float), w_small, perms, jobs)
    return time.perf_counter() - t0


def _weights(a: object, n: int) -> object:
    from libpysal.weights import W

    indptr, indices = a.indptr, a.indices
    neigh = {i: [int(j) for j in indices[indptr[i] : indptr[i + 1]] if j != i] for i in range(n)}
    return W(neigh, silence_warnings=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--res", type=int, default=9)
    parser.add_argument("--perms", type=int, default=999)
    parser.add_argument("--rate", type=float, default=0.05, help="mean incidents per cell")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="esda n_jobs")
    parser.add_argument("--no-esda", action="store_true")
    args = parser.parse_args()

    from kamtibmas_geo.config import Settings
    from kamtibmas_geo.grid._cells import region_cells
    from kamtibmas_geo.score._gistar import gi_star, neighbour_matrix

    settings = Settings(
        source=os.environ.get("KAMTIBMAS_GEO_SOURCE"),
        cache_dir=os.environ.get("KAMTIBMAS_GEO_CACHE"),
    )
    cells = region_cells(None, args.res, settings=settings)
    n, perms = len(cells), args.perms
    rng = np.random.default_rng(0)
    data = {
        "counts": rng.poisson(args.rate, n).astype(float),
        "continuous": rng.gamma(0.5, 2.0, n),
    }
    t = time.perf_counter()
    a = neighbour_matrix(cells, 1)
    t_matrix = time.perf_counter() - t
    print(load_line())
    print(f"cells: {n:,} (res {args.res}, OKI + Palembang); {perms} permutations")
    print(f"ours: neighbour matrix {t_matrix:.2f} s (not in the Gi* times below)")
    w = None
    if not args.no_esda:
        t = time.perf_counter()
        w = _weights(a, n)
        print(f"esda: libpysal W {time.perf_counter() - t:.2f} s (not in the Gi* times below)")
        import numba

        small = neighbour_matrix(cells[:2000], 1)
        warm = _warm_esda(_weights(small, 2000), perms, args.jobs)
        print(f"esda warmed: numba {numba.__version__} compiled in {warm:.1f} s (one-off)")

    for kind, y in data.items():
        contenders = {
            "ours: gi_star, permutation": lambda y=y: gi_star(
                y, a, inference="permutation", permutations=perms, seed=1, check_draws=False
            ),
            f"limit: {perms + 1} sparse products A·y": lambda y=y: [
                a @ y for _ in range(perms + 1)
            ],
        }
        if w is not None:
            contenders[f"esda: G_Local, n_jobs={args.jobs}, warm"] = lambda y=y: _esda(
                y, w, perms, args.jobs
            )
        times, out = interleaved(contenders, args.repeat)
        print(f"\n{kind}: {int(y.sum()):,} incidents" if kind == "counts" else f"\n{kind}: gamma")
        for name, sec in times.items():
            print(f"  {name:<44}{sec:>9.3f} s")
        if w is not None:
            ours, ref = (
                out["ours: gi_star, permutation"],
                out[f"esda: G_Local, n_jobs={args.jobs}, warm"],
            )
            t_ours, t_esda = (
                times["ours: gi_star, permutation"],
                times[f"esda: G_Local, n_jobs={args.jobs}, warm"],
            )
            sd = np.sqrt(2 * ref.p_sim * (1 - ref.p_sim) / perms) + 1e-3
            print(f"  ratio esda / ours: {t_esda / t_ours:.1f}x")
            print(f"  max |z_ours - z_esda|: {float(np.nanmax(np.abs(ours.z - ref.Zs))):.2e}")
            share = float(np.mean(np.abs(ours.p - ref.p_sim) < 4 * sd))
            print(f"  share of cells with p within 4 MC sd of esda: {share:.4f}")
    print(f"\npeak RSS overall: {peak_rss_mb():,.0f} MB")
    print(load_line())


if __name__ == "__main__":
    main()
