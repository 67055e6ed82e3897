"""kamtibmas_geo: hotspot analysis and patrol planning for Binmas analysts in OKI and Palembang.

The public surface is the handful of functions an analyst calls; each pipeline stage
lives in its own module (see ``docs/``).
"""

from __future__ import annotations

from kamtibmas_geo._errors import (
    BoundaryError,
    ChecksumError,
    KamtibmasGeoError,
    RegionError,
    SettingsError,
)
from kamtibmas_geo.boundaries import build_pack as build_pack
from kamtibmas_geo.boundaries import load_boundaries as load_boundaries
from kamtibmas_geo.config import Settings as Settings

__version__ = "0.1.0"

__all__ = [
    "BoundaryError",
    "ChecksumError",
    "KamtibmasGeoError",
    "RegionError",
    "Settings",
    "SettingsError",
    "__version__",
    "build_pack",
    "load_boundaries",
]
