"""Give memory freed by a finished stage back to the operating system.

A stage over a million records allocates and frees several times the memory it keeps:
the C allocator (glibc ``malloc``) and Arrow's pool keep the freed pages for reuse, so the
resident size of the process stays at the stage's high-water mark and the next stage
starts from it. :func:`release_freed_memory` asks both to return what is free (glibc's
``malloc_trim``, as Dask's workers do for "unmanaged memory"; Arrow's
``release_unused``). Nothing that is in use moves; where the call does not exist (macOS,
Windows, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache
from typing import Any

__all__ = ["release_freed_memory"]

#: Below this many rows a stage leaves the allocator alone (nothing worth returning).
MIN_ROWS = 100_000


@lru_cache(maxsize=1)
def _libc() -> Any:
    """Return glibc if this process runs on it (it has ``malloc_trim``), else ``None``."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_freed_memory(rows: int = MIN_ROWS) -> None:
    """Return freed heap pages to the operating system after a stage over ``rows`` rows.

    Parameters
    ----------
    rows : int, default :data:`MIN_ROWS`
        Rows the stage handled; below :data:`MIN_ROWS` nothing is done.
    """
    if rows < MIN_ROWS:
        return
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
