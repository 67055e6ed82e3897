"""Compact columns for the map's data block: varints in base64, decoded by the page script.

A map of every res-9 cell of OKI and Palembang has about 157,000 cells; written as GeoJSON
features each cell costs over 200 bytes. Here a cell costs what its values need:

* **ids** (:func:`pack_ids`): the H3 cells of one resolution, sorted, as 64-bit integers
  without their constant tail of unused digits (all ``7``), delta-encoded: neighbouring
  cells differ by small numbers, so most ids take one byte. The page rebuilds each id and
  draws its hexagon with h3-js; no ring is sent.
* **columns** (:func:`pack_column`): values rounded to a fixed number of decimals and
  stored as integers ``c`` (``0`` missing, else the zig-zag code of the value plus one),
  either one varint per cell (``"d"``) or as runs of equal codes (``"r"``: length, code),
  whichever is shorter. Mostly-zero counts and labels that repeat over neighbouring cells
  collapse into a few runs.
* **labels** (:func:`pack_labels`): the distinct strings once, each cell a code in a column.

Varints are LEB128 (7 bits a byte, the high bit set on all but the last byte) and the byte
string is base64 (letters, digits, ``+``, ``/``, ``=``): no character that could close a
script block or look like template syntax.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import h3
import numpy as np
import pandas as pd

__all__ = ["pack_column", "pack_ids", "pack_labels", "unpack_column", "unpack_ids", "varints"]


def varints(values: np.ndarray) -> bytes:
    """Return non-negative integers as LEB128 varints.

    Parameters
    ----------
    values : ndarray of int
        Values ``0 <= v < 2**63``.

    Returns
    -------
    bytes

    Examples
    --------
    >>> varints(np.array([1, 300])).hex()
    '01ac02'
    """
    u = np.asarray(values, dtype=np.uint64).ravel()
    if u.size == 0:
        return b""
    size = np.ones(u.size, dtype=np.int64)
    for k in range(1, 10):
        size += u >= np.uint64(1 << (7 * k))
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    out = np.zeros(int(size.sum()), dtype=np.uint8)
    for k in range(int(size.max())):
        rows = size > k
        byte = (u[rows] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (size[rows] > k + 1).astype(np.uint64) << np.uint64(7)
        out[start[rows] + k] = (byte | more).astype(np.uint8)
    return out.tobytes()


def _read_varints(data: bytes) -> list[int]:
    out, value, shift = [], 0, 0
    for b in data:
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            out.append(value)
            value, shift = 0, 0
    return out


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def pack_ids(ids: Sequence[str]) -> dict[str, Any]:
    """Pack sorted H3 cells of one resolution as delta varints.

    Parameters
    ----------
    ids : sequence of str
        Valid H3 cells, one resolution, sorted (as :func:`sorted` sorts their hex text).

    Returns
    -------
    dict
        ``{"res": r, "n": count, "b": base64}``: the deltas of ``int(id) >> 3 (15 - r)``.

    Examples
    --------
    >>> cells = sorted(h3.grid_disk(h3.latlng_to_cell(-2.976, 104.755, 9), 1))
    >>> unpack_ids(pack_ids(cells)) == cells
    True
    """
    res = h3.get_resolution(ids[0]) if len(ids) else 9
    shift = 3 * (15 - res)
    values = np.array([int(c, 16) >> shift for c in ids], dtype=np.uint64)
    deltas = np.diff(values, prepend=np.uint64(0))
    return {"res": int(res), "n": len(ids), "b": _b64(varints(deltas))}


def unpack_ids(packed: dict[str, Any]) -> list[str]:
    """Rebuild the H3 cells of :func:`pack_ids` (as the page does).

    Parameters
    ----------
    packed : dict
        Output of :func:`pack_ids`.

    Returns
    -------
    list of str
    """
    shift = 3 * (15 - int(packed["res"]))
    tail = (1 << shift) - 1
    total, out = 0, []
    for d in _read_varints(base64.b64decode(packed["b"])):
        total += d
        out.append(format((total << shift) | tail, "x"))
    return out


def _codes(values: pd.Series, digits: int) -> np.ndarray:
    num = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    ok = np.isfinite(num)
    q = np.zeros(num.size, dtype=np.int64)
    q[ok] = np.rint(num[ok] * 10**digits).astype(np.int64)
    zigzag = np.where(q >= 0, 2 * q, -2 * q - 1).astype(np.uint64)
    return np.where(ok, zigzag + np.uint64(1), np.uint64(0))


def _runs(codes: np.ndarray) -> np.ndarray:
    if codes.size == 0:
        return codes
    change = np.flatnonzero(np.diff(codes)) + 1
    starts = np.concatenate([[0], change])
    lengths = np.diff(np.concatenate([starts, [codes.size]]))
    return np.column_stack([lengths.astype(np.uint64), codes[starts]]).ravel()


def pack_column(values: pd.Series | Sequence[Any], digits: int = 0) -> dict[str, Any]:
    """Pack numbers rounded to ``digits`` decimals, per cell or as runs, the shorter.

    Parameters
    ----------
    values : Series or sequence
        Numbers; missing or non-numeric values stay missing.
    digits : int
        Decimals kept.

    Returns
    -------
    dict
        ``{"k": digits, "d": base64}`` or ``{"k": digits, "r": base64}``.

    Examples
    --------
    >>> unpack_column(pack_column([0, 0, 0, 1.25, None], 2))
    [0.0, 0.0, 0.0, 1.25, None]
    """
    codes = _codes(pd.Series(values), digits)
    dense = varints(codes)
    runs = varints(_runs(codes))
    if len(runs) < len(dense):
        return {"k": int(digits), "r": _b64(runs)}
    return {"k": int(digits), "d": _b64(dense)}


def unpack_column(packed: dict[str, Any]) -> list[float | None]:
    """Read a column of :func:`pack_column` (as the page does).

    Parameters
    ----------
    packed : dict
        Output of :func:`pack_column`.

    Returns
    -------
    list of float or None
    """
    if "r" in packed:
        flat = _read_varints(base64.b64decode(packed["r"]))
        codes = [c for n, c in zip(flat[::2], flat[1::2], strict=True) for _ in range(n)]
    else:
        codes = _read_varints(base64.b64decode(packed["d"]))
    scale = 10 ** int(packed["k"])
    out: list[float | None] = []
    for c in codes:
        if c == 0:
            out.append(None)
        else:
            z = c - 1
            q = z // 2 if z % 2 == 0 else -(z + 1) // 2
            out.append(q / scale)
    return out


def pack_labels(values: pd.Series) -> tuple[list[str], dict[str, Any]]:
    """Return the distinct strings (sorted) and each value's index as a packed column.

    Parameters
    ----------
    values : Series
        Labels; missing values stay missing.

    Returns
    -------
    list of str, dict
        The dictionary and the column of indexes (:func:`pack_column`).
    """
    text = values.astype(object).where(values.notna(), None)
    labels = sorted({str(v) for v in text if v is not None})
    index = {v: i for i, v in enumerate(labels)}
    codes = [None if v is None else index[str(v)] for v in text]
    return labels, pack_column(pd.Series(codes, dtype=float), 0)
