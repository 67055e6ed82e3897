"""Metres from degrees: the UTM zone of a set of points, and points projected into it."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["UTM", "to_utm", "utm_crs"]

#: UTM zone 48S, where OKI and Palembang lie (the default when no points are given).
UTM = "EPSG:32748"


def utm_crs(lon: ArrayLike, lat: ArrayLike) -> str:
    """Return the UTM zone (an EPSG code) at the mean of the points.

    OKI and Palembang lie in zone 48S (EPSG:32748); a region of your own gets its own zone
    so that distances in metres stay true (a fixed 48S would stretch them by about 3% at
    119°E).
    """
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return UTM
    zone = int((float(np.mean(x[ok])) + 180) // 6) % 60 + 1
    return f"EPSG:{(32600 if float(np.mean(y[ok])) >= 0 else 32700) + zone}"


def to_utm(lon: ArrayLike, lat: ArrayLike, crs: str = UTM) -> np.ndarray:
    """Project longitude/latitude degrees to metres in ``crs`` (a UTM zone)."""
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = tr.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.column_stack([x, y])
