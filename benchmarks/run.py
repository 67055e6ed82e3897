"""Run every benchmark of kamtibmas_geo, one after the other, and print their tables.

Run: ``python benchmarks/run.py [name ...]`` (names such as ``grid``, ``geocode``; all by
default). Each ``bench_<name>.py`` beside this file is also runnable on its own. Set
``KAMTIBMAS_GEO_SOURCE`` to a local copy of the upstream boundary files to work offline.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    failed = []
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"\n=== {name} ({script.name}) ===", flush=True)
        t0 = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)])
        print(f"--- {name}: {time.perf_counter() - t0:.1f} s, exit code {code}", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
