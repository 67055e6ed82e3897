"""Sample data generation, and points-in-desa sampling against a per-point loop.

1. ``make_sample(seed=7)`` at ``scale=1`` (about 25,000 disturbances, 6,000 activities,
   160 Poskamling) and writing its CSV files, timed end to end.
2. Drawing points uniformly inside given desa polygons, the step that dominates the spatial
   part: ours (:meth:`kamtibmas_geo.sample._space.DesaIndex.draw_in_desa`, candidates drawn
   per desa in the bounding box and rejected with ``shapely.contains_xy``, vectorised) against
   the textbook loop (one candidate at a time, ``polygon.contains(Point(x, y))`` until it
   hits), on the same desa list. Both must put every point inside its desa.

Run: ``python benchmarks/bench_sample.py [--n 20000] [--peer 2000]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
import shapely
from shapely.geometry import Point

from kamtibmas_geo.boundaries._pack import load_boundaries
from kamtibmas_geo.sample._sample import make_sample, write_tables
from kamtibmas_geo.sample._space import DesaIndex, load_places


def naive_draw(geoms: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = np.empty((len(rows), 2))
    for k, i in enumerate(rows.tolist()):
        geom = geoms[i]
        minx, miny, maxx, maxy = geom.bounds
        while True:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if geom.contains(Point(x, y)):
                out[k] = x, y
                break
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="points for the sampler race")
    parser.add_argument("--peer", type=int, default=2_000, help="points for the naive loop")
    args = parser.parse_args()

    t0 = time.perf_counter()
    data = make_sample(seed=7)
    t_make = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_tables(data, tmp, formats=["csv"])
        t_csv = time.perf_counter() - t0

    desa = load_boundaries("desa")
    _, centres, _ = load_places()
    index = DesaIndex(desa, centres)
    rng = np.random.default_rng(0)
    rows = rng.choice(len(desa), size=args.n, p=index.intensity)
    t0 = time.perf_counter()
    x, y = index.draw_in_desa(rows, np.random.default_rng(1), settle=0.0)
    t_ours = time.perf_counter() - t0
    ok_ours = bool(shapely.contains_xy(index.geoms[rows], x, y).all())
    peer_rows = rows[: args.peer]
    plain = np.asarray(desa.geometry.values, dtype=object)  # unprepared, as a user would have
    t0 = time.perf_counter()
    pts = naive_draw(plain, peer_rows, np.random.default_rng(1))
    t_peer = time.perf_counter() - t0
    ok_peer = bool(shapely.contains_xy(index.geoms[peer_rows], pts[:, 0], pts[:, 1]).all())
    rate_ours = args.n / t_ours
    rate_peer = args.peer / t_peer

    c = data.counts
    print("sample data (seed=7, scale=1)")
    print(
        f"  rows: {c['disturbances']:,} disturbances, {c['activities']:,} activities, "
        f"{c['posts']} posts"
    )
    print(f"  make_sample: {t_make:6.2f} s   write CSV: {t_csv:5.2f} s")
    print()
    print(
        f"{'points in desa polygons':<34}{'points':>9}{'seconds':>10}{'points/s':>12}{'inside':>8}"
    )
    print(
        f"{'ours (bbox + contains_xy, per desa)':<34}{args.n:>9,}{t_ours:>10.3f}"
        f"{rate_ours:>12,.0f}{ok_ours!s:>8}"
    )
    print(
        f"{'peer (per-point contains loop)':<34}{args.peer:>9,}{t_peer:>10.3f}"
        f"{rate_peer:>12,.0f}{ok_peer!s:>8}"
    )
    print(f"ratio (ours / peer, points per second): {rate_ours / rate_peer:,.1f}x")


if __name__ == "__main__":
    main()
