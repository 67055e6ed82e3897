"""Reading and parsing 1,000,000 CSV record rows with ``read_records``.

The file has decimal coordinates, ISO dates, a ``jam`` column, Indonesian type names
and addresses, with 1 % messy rows (comma decimals, DMS, Indonesian month names, bad
dates, swapped coordinates) that take the slow per-value path.

Peer: the floor of any reader, a bare ``pandas.read_csv`` followed by ``to_numeric`` on
the coordinates and ``to_datetime(format="%Y-%m-%d")`` on the dates (no ledger, no
aliases, no fallback parsing, no duplicate search). Also timed: the messy share at 10 %.

Run: ``python benchmarks/bench_records.py [--n 1000000]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from kamtibmas_geo.records._read import read_records

TYPES = ["balap liar", "petasan", "curanmor", "pencurian", "tawuran", "macet", "laka lantas"]
MESSY_DATES = ["10 Februari 2026", "Selasa, 10/2/2026", "31/02/2026", "10 Agt 2025"]
MESSY_LAT = ["-2,9761", "2° 59' 34.5\" LS", "104.7451", "abc", "0"]


def make_csv(path: Path, n: int, messy: float, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2023-01-01")
    days = rng.integers(0, 4 * 365, n)
    dates = (start + days.astype("timedelta64[D]")).astype(str)
    lat = np.round(rng.uniform(-3.6, -2.8, n), 6).astype(str)
    lon = np.round(rng.uniform(104.6, 105.9, n), 6).astype(str)
    frame = pd.DataFrame(
        {
            "Tanggal": dates,
            "Jam": [
                f"{h:02d}.{m:02d}"
                for h, m in zip(rng.integers(0, 24, n), rng.integers(0, 60, n), strict=True)
            ],
            "Jenis": rng.choice(TYPES, n),
            "Alamat": np.char.add("Jl. Contoh No. ", rng.integers(1, 500, n).astype(str)),
            "Lintang": lat,
            "Bujur": lon,
        }
    )
    bad = rng.random(n) < messy
    k = int(bad.sum())
    frame.loc[bad, "Tanggal"] = rng.choice(MESSY_DATES, k)
    frame.loc[bad, "Lintang"] = rng.choice(MESSY_LAT, k)
    frame.to_csv(path, sep=";", index=False)


def peer(path: Path) -> float:
    t0 = time.perf_counter()
    df = pd.read_csv(path, sep=";", dtype=str)
    pd.to_numeric(df["Lintang"], errors="coerce")
    pd.to_numeric(df["Bujur"], errors="coerce")
    pd.to_datetime(df["Tanggal"], format="%Y-%m-%d", errors="coerce")
    return time.perf_counter() - t0


def ours(path: Path) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    rs = read_records(path)
    return time.perf_counter() - t0, len(rs.records), len(rs.rejected)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"{'case':<28}{'rows':>10}{'read_records s':>16}{'pandas floor s':>16}{'ratio':>8}"
          f"{'records':>10}{'rejected':>10}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for messy in (0.01, 0.10):
            path = Path(tmp) / f"records_{messy}.csv"
            make_csv(path, args.n, messy)
            ours(path)  # warm imports and caches
            floor = peer(path)
            took, n_rec, n_rej = ours(path)
            assert n_rec + n_rej == args.n
            label = f"csv, {messy:.0%} messy rows"
            print(f"{label:<28}{args.n:>10,}{took:>16.2f}{floor:>16.2f}{took / floor:>8.1f}"
                  f"{n_rec:>10,}{n_rej:>10,}")  # fmt: skip


if __name__ == "__main__":
    main()
