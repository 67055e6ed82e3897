"""Freed memory is given back to the operating system after a large stage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kamtibmas_geo._memory import MIN_ROWS, _libc, release_freed_memory


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _fragmented_heap(n: int) -> tuple[list[np.ndarray], list[bytearray]]:
    blocks, pins = [], []
    for _ in range(n):
        blocks.append(np.ones(8192))
        pins.append(bytearray(2048))
    return blocks, pins


@pytest.mark.skipif(_libc() is None, reason="needs glibc (malloc_trim)")
def test_freed_heap_pages_go_back_after_a_large_stage() -> None:
    # 256 MB in 64 KB arrays (below glibc's mmap threshold: on the heap), each followed
    # by a small buffer that stays: freeing the arrays leaves holes glibc keeps for reuse,
    # and the process stays at its high-water mark until it is asked to return them
    blocks, pins = _fragmented_heap(4096)
    del blocks
    held = _rss_mb()
    release_freed_memory(MIN_ROWS)
    assert _rss_mb() < held - 150, (held, _rss_mb())
    assert len(pins) == 4096


def test_small_stages_leave_the_allocator_alone() -> None:
    blocks, pins = _fragmented_heap(1024)
    del blocks
    held = _rss_mb()
    release_freed_memory(MIN_ROWS - 1)  # a small stage: nothing is asked of the allocator
    assert _rss_mb() > held - 32
    assert len(pins) == 1024
