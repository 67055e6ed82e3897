"""The partitioned path on Dask against one process: wall time, memory per worker, identity.

A seeded synthetic data set over all 17 kabupaten/kota of Sumatera Selatan
(:func:`kamtibmas_geo.scale.province_records`: ``--n`` records, 5 % written only as an
address) is written as a hive-partitioned GeoParquet data set, then:

1. **one process** (a fresh child process, so its peak RSS is its own): ``geocode`` of the
   whole table (``region="sumsel"``) and ``score_hotspots`` over every kabupaten/kota;
2. **Dask, 1 worker** and **Dask, 2 workers** (a ``LocalCluster`` of worker processes, one
   thread each): each partition read, geocoded, routed with its halo and scored on a
   worker (:func:`kamtibmas_geo.scale.run_dataset`).

Printed: wall time and peak RSS of each worker for 1 and 2 workers (and of the one
process), the per-partition cost table of the 2-worker run (records, halo, seconds to read +
geocode, to score), and the line ``identical: yes|no; peak RSS per worker: <GB> GB``
(the cells, every numeric column to 1e-9, and the classes and labels of both Dask runs
against the one process). The machine is shared: the times are wall-clock under whatever
load there is (``uptime`` is printed first).

Run::

    .venv/bin/python benchmarks/bench_scale.py --n 500000 --res 9
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

KEY = ["kabupaten_code", "hex_id"]
_LABELS = ("score_class", "gi_bin", "gi_label", "trend_class", "n_incidents_text")


def _one_process(raw_path: str, out_path: str, res: int) -> None:
    """Run in a child process: geocode + score the whole province, write cells and facts."""
    warnings.simplefilter("ignore")
    from kamtibmas_geo.geocode import geocode
    from kamtibmas_geo.scale._partition import peak_rss
    from kamtibmas_geo.score import score_hotspots

    raw = pd.read_parquet(raw_path)
    t0 = time.perf_counter()
    placed = geocode(raw, res=res, region="sumsel").records
    t1 = time.perf_counter()
    cells = score_hotspots(placed, res=res)
    t2 = time.perf_counter()
    cells.to_parquet(out_path)
    peak = peak_rss()  # VmHWM: this process's own peak, not its parent's
    facts = {"geocode_s": t1 - t0, "score_s": t2 - t1, "peak_rss": peak, "n_cells": len(cells)}
    Path(out_path + ".json").write_text(json.dumps(facts))


def _identical(one: pd.DataFrame, dist: pd.DataFrame | None) -> bool:
    if dist is None or len(one) != len(dist):
        return False
    a = one.sort_values(KEY).reset_index(drop=True)
    b = dist.sort_values(KEY).reset_index(drop=True)
    if not a[KEY].equals(b[KEY]):
        return False
    for col in a.columns:
        if col in KEY or col == "geometry" or col not in b.columns:
            continue
        if a[col].dtype.kind in "fiu":
            x, y = a[col].to_numpy(np.float64), b[col].to_numpy(np.float64)
            if not np.allclose(x, y, rtol=0, atol=1e-9, equal_nan=True):
                print(f"  differs: {col} (max {np.nanmax(np.abs(x - y)):.3g})")
                return False
        elif col in _LABELS and not (a[col].astype(str) == b[col].astype(str)).all():
            print(f"  differs: {col}")
            return False
    return True


def _gb(value: float) -> str:
    return f"{value / 1e9:.2f}"


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500_000, help="records (default 500,000)")
    parser.add_argument("--res", type=int, default=9, help="H3 resolution (default 9)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", default="1,2", help="worker counts to run (default 1,2)")
    parser.add_argument("--no-one-process", action="store_true", help="skip the one process")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from kamtibmas_geo.scale import province_records, run_dataset, write_dataset

    print("uptime:", os.popen("uptime").read().strip())
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    t0 = time.perf_counter()
    raw = province_records(args.n, seed=args.seed)
    raw.to_parquet(work / "raw.parquet")
    write_dataset(raw, work / "ds")
    del raw
    print(f"records: {args.n:,}; data set written in {time.perf_counter() - t0:.1f} s")

    one = None
    if not args.no_one_process:
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--_one",
                str(work / "raw.parquet"),
                str(work / "one.parquet"),
                str(args.res),
            ],
            check=True,
        )
        wall = time.perf_counter() - t0
        facts = json.loads((work / "one.parquet.json").read_text())
        one = pd.read_parquet(work / "one.parquet")
        print(
            f"one process: {wall:.1f} s wall (geocode {facts['geocode_s']:.1f} s, score "
            f"{facts['score_s']:.1f} s), peak RSS {_gb(facts['peak_rss'])} GB, "
            f"{facts['n_cells']:,} cells"
        )

    same = True
    peaks: list[int] = []
    for n_workers in [int(w) for w in args.workers.split(",")]:
        result = run_dataset(work / "ds", res=args.res, workers=n_workers)
        rss = result.workers["peak_rss_bytes"].tolist()
        peaks += rss
        print(
            f"dask, {n_workers} worker(s): {result.wall_seconds:.1f} s wall; peak RSS per "
            f"worker: {', '.join(_gb(r) for r in rss)} GB"
        )
        if one is not None:
            ok = _identical(one, result.cells)
            same &= ok
            print(f"  same answers as one process: {'yes' if ok else 'no'}")
        last = result
    table = last.partitions.drop(columns="warnings", errors="ignore")
    table["s_per_1k_records"] = (
        1000
        * (table["seconds_prepare"] + table["seconds_score"])
        / table["n_records"].clip(lower=1)
    )
    print("per partition (last run):")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(
        f"per partition, median: {table['seconds_prepare'].median():.2f} s read+geocode, "
        f"{table['seconds_score'].median():.2f} s score, "
        f"{table['s_per_1k_records'].median():.3f} s per 1,000 records"
    )
    verdict = "yes" if (same and one is not None) else ("not checked" if one is None else "no")
    print(f"identical: {verdict}; peak RSS per worker: {_gb(max(peaks))} GB")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--_one":
        _one_process(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
