"""Fair timing helpers shared by the benchmarks: peers and ours interleaved, median of N.

On a shared machine the load changes from one second to the next. Timing ours for three
runs and then the peer for three runs would give one of them a quieter minute; here every
round runs each contender once, in turn, and the median over the rounds is kept, so the
ratio of two medians compares runs made under the same load.
"""

from __future__ import annotations

import gc
import os
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any


def interleaved(
    contenders: dict[str, Callable[[], Any]], repeat: int = 3
) -> tuple[dict[str, float], dict[str, Any]]:
    """Run every contender once per round, ``repeat`` rounds; return medians and last results.

    Parameters
    ----------
    contenders : dict
        Name → function of no arguments.
    repeat : int
        Rounds.

    Returns
    -------
    (dict, dict)
        Name → median seconds; name → the result of its last run.
    """
    times: dict[str, list[float]] = {name: [] for name in contenders}
    results: dict[str, Any] = {}
    for _ in range(repeat):
        for name, fn in contenders.items():
            gc.collect()
            t0 = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}, results


def load_line() -> str:
    """Return the machine's load averages and cores, to print beside the numbers."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def peak_rss_mb() -> float:
    """Return the peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
