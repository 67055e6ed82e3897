"""The analyst's whole job at scale: 1,000,000 disturbance records from CSV to hotspot scores.

Records (seeded, synthetic): points drawn inside the desa/kelurahan polygons of OKI +
Palembang with the sample generator's intensity (dense in the towns, clustered around the
villages' settlements), dates and times spread over 2021-01-01 .. 2026-11-30, seven
Indonesian type names, written to a ``;`` CSV with the columns ``Tanggal; Jam; Jenis;
Lintang; Bujur`` (no address column, so ``geocode`` takes the coordinate path only). The
boundary pack and its res-9 cells and crosswalk are built in the cache first, as
``kamtibmas-geo boundaries build`` and any earlier run leave them.

Timed in a fresh process (so its peak RSS is the pipeline's own, not the generator's):

1. ``kg.read_records(csv)``: parsing, the ledger, the duplicate search;
2. ``kg.geocode(records, res=9)``: the H3 cell and desa/kecamatan/kabupaten of every point;
3. ``kg.score_hotspots(placed, target="ramadhan-1448", res=9)`` over every res-9 cell of
   both regions: counts, decay, seasonal uplift, smoothing, Gi* with 999 Monte Carlo draws
   (the default count null) and the 24-month emerging-hotspot series.

Each stage prints its time, the resident memory when it starts and ends, and its own peak
(the kernel's high-water mark, reset before the stage through ``/proc/self/clear_refs``),
and the peak in bytes per record, over the whole process and above the baseline (the
process with the library imported and the pack, cells and tile index warm, before any
record is read; records with coordinates and no text need no gazetteer). ``--json PATH``
writes the same numbers for ``tests/test_memory.py``, which guards the bytes per record
on a test-sized run.

``--sizes 250000,500000,1000000,2000000`` runs the pipeline at each size, each in its own
fresh process, and prints the linear check: seconds and microseconds per record, peak
above the baseline in bytes per record, and the *marginal* bytes and seconds of each
extra record between two sizes (flat when both grow linearly; the fixed part, mostly the
score's 157,459 cells and their 24-month series, is what the baseline-relative bytes per
record lose as the size grows).

Targets: whole pipeline < 60 s, peak RSS < 4 GB (issue 19: <= 1 KB per record at peak,
time linear in the rows). Peers, in another fresh process on the
same CSV: for reading, the floor of any reader (bare ``pandas.read_csv`` + ``to_numeric`` +
``to_datetime``, as in ``bench_records.py``); for geocoding, the textbook approach (a
Python loop over ``h3.latlng_to_cell`` + ``geopandas.sjoin(points, desa,
predicate="within")``), checked against ours cell by cell and desa by desa. Gi* against
``esda.G_Local`` is in ``bench_gistar.py``.

Run: ``python benchmarks/bench_pipeline.py [--n 1000000] [--perms 999] [--no-peer]
[--json PATH] [--sizes N1,N2,...]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _timing import load_line

TYPES = ["balap liar", "petasan", "curanmor", "pencurian", "tawuran", "macet", "laka lantas"]
TARGET_S = 60.0
TARGET_RSS_MB = 4096.0


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(key: str) -> float:
    """Return ``VmRSS`` or ``VmHWM`` (the peak since the last reset) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> bool:
    """Reset this process's high-water mark (Linux); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class _Stages:
    """Time and memory of each stage: RSS at start and end, and the stage's own peak."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.resettable = _reset_peak()

    def run(self, name: str, fn: Any) -> Any:
        start = _status_mb("VmRSS")
        self.resettable = _reset_peak() and self.resettable
        t, cpu = time.perf_counter(), time.process_time()
        out = fn()
        sec, cpu = time.perf_counter() - t, time.process_time() - cpu
        peak = _status_mb("VmHWM") if self.resettable else _rss_mb()
        self.rows.append(
            {
                "stage": name,
                "seconds": sec,
                "cpu_seconds": cpu,
                "start_mb": start,
                "peak_mb": peak,
                "end_mb": _status_mb("VmRSS"),
            }
        )
        return out


def make_csv(path: Path, n: int, res: int, seed: int = 0) -> None:
    """Write ``n`` seeded disturbance records inside the desa polygons; warm the caches."""
    import kamtibmas_geo as kg
    from kamtibmas_geo.sample._space import DesaIndex, load_places

    kg.build_pack()
    kg.region_cells(None, res)
    kg.crosswalk(res)
    desa = kg.load_boundaries("desa")
    _, centres, _ = load_places()
    index = DesaIndex(desa, centres)
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(desa), size=n, p=index.intensity)
    x, y = index.draw_in_desa(rows, rng, settle=0.6)
    start = np.datetime64("2021-01-01T00:00")
    span = int((np.datetime64("2026-12-01T00:00") - start) / np.timedelta64(1, "m"))
    when = start + rng.integers(0, span, n).astype("timedelta64[m]")
    stamp = pd.Series(np.datetime_as_string(when, unit="m"))
    frame = pd.DataFrame(
        {
            "Tanggal": stamp.str[:10],
            "Jam": stamp.str[11:16],
            "Jenis": rng.choice(TYPES, n),
            "Lintang": np.round(y, 6),
            "Bujur": np.round(x, 6),
        }
    )
    frame.to_csv(path, sep=";", index=False)


def run_ours(csv: str, res: int, perms: int, out: str) -> dict[str, Any]:
    """The pipeline, stage by stage, in this (fresh) process."""
    import kamtibmas_geo as kg

    settings = kg.Settings(permutations=perms)
    _warm(kg, res, settings)
    baseline = _status_mb("VmRSS")
    stages = _Stages()
    t_all = time.perf_counter()
    rs = stages.run("read_records (CSV)", lambda: kg.read_records(csv, settings=settings))
    read = {
        "records": len(rs.records),
        "read_rejected": len(rs.rejected),
        "duplicates": int(rs.records["duplicate_of"].notna().sum()),
    }
    held = [rs]  # the input is released after geocoding, as in a script or the CLI
    del rs
    placed = stages.run(
        "geocode (H3 cell + desa)", lambda: kg.geocode(held.pop(), res=res, settings=settings)
    )

    def score() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 1448 H not yet in the Kemenag table
            return kg.score_hotspots(
                placed.records, target="ramadhan-1448", res=res, settings=settings
            )

    cells = stages.run(f"score_hotspots (Gi* {perms} draws)", score)
    total = time.perf_counter() - t_all
    recs = placed.records
    pd.DataFrame(
        {
            "row": recs["row"].to_numpy(dtype=np.int64),
            "hex_id": recs["hex_id"].astype(str).to_numpy(),
            "desa_code": recs["desa_code"].astype(str).to_numpy(),
        }
    ).to_parquet(out, index=False)
    return {
        "rows": stages.rows,
        "baseline_mb": baseline,
        "peak_resettable": stages.resettable,
        "total": total,
        "rss": max(r["peak_mb"] for r in stages.rows),
        **read,
        "placed": len(recs),
        "geo_rejected": len(placed.rejected) - read["read_rejected"],
        "cells": len(cells),
        "scored_incidents": float(cells["n_incidents"].sum()),
        "hot": int((cells["gi_bin"] > 0).sum()),
        "cold": int((cells["gi_bin"] < 0).sum()),
    }


def _warm(kg: Any, res: int, settings: Any) -> None:
    """Load what every run finds in the cache: the pack, its cells, the tile index."""
    from kamtibmas_geo.grid._cells import _pack_tile_index

    kg.load_boundaries("desa", settings=settings)
    kg.region_cells(None, res, settings=settings)
    _pack_tile_index(settings)


def run_peer(csv: str, res: int, ours: str) -> dict[str, Any]:
    """The naive peers of the read and geocode stages, in this (fresh) process."""
    import geopandas as gpd
    import h3

    import kamtibmas_geo as kg

    desa = kg.load_boundaries("desa")[["code", "geometry"]]
    t = time.perf_counter()
    df = pd.read_csv(csv, sep=";", dtype=str)
    lat = pd.to_numeric(df["Lintang"], errors="coerce").to_numpy()
    lon = pd.to_numeric(df["Bujur"], errors="coerce").to_numpy()
    pd.to_datetime(df["Tanggal"] + " " + df["Jam"], format="%Y-%m-%d %H:%M", errors="coerce")
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    hexes = [h3.latlng_to_cell(a, b, res) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)]
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    joined = gpd.sjoin(pts, desa, how="left", predicate="within")
    code = joined[~joined.index.duplicated(keep="first")]["code"].to_numpy()
    t_geo = time.perf_counter() - t
    mine = pd.read_parquet(ours)
    pos = mine["row"].to_numpy() - 2
    same_cell = float(np.mean(np.asarray(hexes, dtype=object)[pos] == mine["hex_id"].to_numpy()))
    same_desa = float(np.mean(code[pos] == mine["desa_code"].to_numpy()))
    return {
        "read": t_read,
        "geocode": t_geo,
        "rss": _rss_mb(),
        "same_cell": same_cell,
        "same_desa": same_desa,
    }


def _in_fresh_process(fn: Any, *args: Any) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        return pool.submit(fn, *args).result()


def run_sizes(sizes: list[int], res: int, perms: int, json_path: str | None) -> None:
    """Run the pipeline at each size (fresh process each) and print the linear check."""
    runs = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            csv = str(Path(tmp) / "gangguan.csv")
            make_csv(Path(csv), n, res)
            runs.append({"n": n, **_in_fresh_process(run_ours, csv, res, perms, f"{tmp}/o.pq")})
    print(f"linear check: H3 res {res}, Gi* {perms} draws, each size in a fresh process")
    print(
        f"{'records':>10}{'read s':>8}{'geo s':>7}{'score s':>8}{'total s':>8}{'CPU s':>7}"
        f"{'CPU us/rec':>11}{'peak MB':>9}{'B/rec':>7}{'marg. B/rec':>12}"
        f"{'marg. CPU us/rec':>17}{'stage peak':>16}"
    )
    prev = None
    for run in runs:
        n, base = run["n"], run["baseline_mb"]
        sec = [r["seconds"] for r in run["rows"]]
        cpu = sum(r["cpu_seconds"] for r in run["rows"])
        above = run["rss"] - base
        top = max(run["rows"], key=lambda r: r["peak_mb"])["stage"].split()[0]
        marg_b = marg_t = "-"
        if prev is not None:
            dn = n - prev["n"]
            marg_b = f"{(above - (prev['rss'] - prev['baseline_mb'])) * 2**20 / dn:,.0f}"
            prev_cpu = sum(r["cpu_seconds"] for r in prev["rows"])
            marg_t = f"{(cpu - prev_cpu) * 1e6 / dn:,.1f}"
        print(
            f"{n:>10,}{sec[0]:>8.1f}{sec[1]:>7.1f}{sec[2]:>8.1f}{run['total']:>8.1f}{cpu:>7.1f}"
            f"{cpu * 1e6 / n:>11.1f}{above:>9,.0f}{above * 2**20 / n:>7,.0f}"
            f"{marg_b:>12}{marg_t:>17}{top:>16}"
        )
        prev = run
    first, last = runs[0], runs[-1]
    cpu_first, cpu_last = (sum(r["cpu_seconds"] for r in x["rows"]) for x in (first, last))
    print(
        f"{last['n'] / first['n']:.1f}x the rows: {last['total'] / first['total']:.2f}x the "
        f"seconds (wall, shared machine), {cpu_last / cpu_first:.2f}x the CPU seconds, "
        f"{(last['rss'] - last['baseline_mb']) / (first['rss'] - first['baseline_mb']):.2f}x "
        "the peak above the baseline"
    )
    print(load_line())
    if json_path:
        Path(json_path).write_text(json.dumps(runs, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="disturbance records")
    parser.add_argument("--res", type=int, default=9)
    parser.add_argument("--perms", type=int, default=999, help="Monte Carlo draws of Gi*")
    parser.add_argument("--no-peer", action="store_true", help="skip the naive peers")
    parser.add_argument("--json", help="also write the numbers to this JSON file")
    parser.add_argument("--sizes", help="comma-separated record counts: the linear check")
    args = parser.parse_args()
    if args.sizes:
        sizes = [int(v) for v in args.sizes.split(",")]
        run_sizes(sizes, args.res, args.perms, args.json)
        return
    n = args.n

    with tempfile.TemporaryDirectory() as tmp:
        csv = str(Path(tmp) / "gangguan.csv")
        out = str(Path(tmp) / "ours.parquet")
        t = time.perf_counter()
        make_csv(Path(csv), n, args.res)
        t_make = time.perf_counter() - t
        size_mb = Path(csv).stat().st_size / 1e6
        ours = _in_fresh_process(run_ours, csv, args.res, args.perms, out)
        peer = None if args.no_peer else _in_fresh_process(run_peer, csv, args.res, out)

    print(
        f"pipeline: {n:,} disturbance records over OKI + Palembang, H3 res {args.res}, "
        f"Gi* {args.perms} draws"
    )
    print(f"CSV written in {t_make:.1f} s ({size_mb:,.0f} MB; not part of the pipeline)")
    base = ours["baseline_mb"]
    print(f"baseline (library imported, caches warm, no records): {base:,.0f} MB RSS")
    print(
        f"{'stage':<34}{'seconds':>9}{'records/s':>12}{'start MB':>10}{'peak MB':>9}"
        f"{'end MB':>8}{'B/rec':>7}{'peer s':>9}{'peer/ours':>11}"
    )
    peer_t = {0: peer["read"], 1: peer["geocode"]} if peer else {}
    for i, row in enumerate(ours["rows"]):
        p, sec = peer_t.get(i), row["seconds"]
        tail = f"{p:>9.2f}{p / sec:>11.2f}" if p is not None else f"{'-':>9}{'-':>11}"
        per = (row["peak_mb"] - base) * 2**20 / n
        print(
            f"{row['stage']:<34}{sec:>9.2f}{n / sec:>12,.0f}{row['start_mb']:>10,.0f}"
            f"{row['peak_mb']:>9,.0f}{row['end_mb']:>8,.0f}{per:>7,.0f}{tail}"
        )
    total, rss = ours["total"], ours["rss"]
    print(f"{'whole pipeline':<34}{total:>9.2f}{n / total:>12,.0f}{'':>10}{rss:>9,.0f}")
    print(
        f"peak: {rss * 2**20 / n:,.0f} bytes per record over the whole process, "
        f"{(rss - base) * 2**20 / n:,.0f} above the baseline"
        + ("" if ours["peak_resettable"] else " (per-stage peaks not resettable here)")
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"n": n, **ours}, indent=1))
    print(
        f"records: {ours['records']:,} read ({ours['read_rejected']:,} rejected, "
        f"{ours['duplicates']:,} flagged as duplicates), {ours['placed']:,} placed "
        f"({ours['geo_rejected']:,} rejected by geocode)"
    )
    print(
        f"cells: {ours['cells']:,} scored, {ours['scored_incidents']:,.0f} incidents before the "
        f"target, Gi* hot {ours['hot']:,} / cold {ours['cold']:,}"
    )
    if peer:
        print(
            "peers: read = pandas.read_csv + to_numeric + to_datetime; geocode = loop over "
            "h3.latlng_to_cell + geopandas.sjoin(within)"
        )
        print(
            f"agreement with the peer: H3 cell {peer['same_cell']:.4%}, "
            f"desa {peer['same_desa']:.4%}; peer peak RSS {peer['rss']:,.0f} MB"
        )
    print(load_line())
    ok_t, ok_m = total < TARGET_S, rss < TARGET_RSS_MB
    print(
        f"targets: whole pipeline < {TARGET_S:.0f} s: {'met' if ok_t else 'MISSED'}; "
        f"peak RSS < {TARGET_RSS_MB:,.0f} MB: {'met' if ok_m else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
