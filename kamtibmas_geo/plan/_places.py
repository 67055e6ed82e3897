"""Point places for Poskamling plans: reading posts and candidate sites, projecting to metres.

Private helpers of :mod:`kamtibmas_geo.plan._poskamling`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import PlanError
from kamtibmas_geo.grid._metres import UTM, to_utm, utm_crs

__all__ = ["UTM", "PointsLike", "locate_sites", "read_places", "to_utm", "utm_crs"]

PointsLike: TypeAlias = "str | Path | pd.DataFrame | gpd.GeoDataFrame"

_LAT = ("lintang", "lat", "latitude", "y")
_LON = ("bujur", "lon", "lng", "long", "longitude", "x")
_NAME = ("nama", "name", "nama_pos", "nama_tempat", "id")
_ACTIVE_WORDS = {"aktif", "active", "ya", "yes", "y", "1", "true", "benar"}


def _pick(columns: pd.Index, names: tuple[str, ...]) -> str | None:
    low = {str(c).strip().lower(): c for c in columns}
    for n in names:
        if n in low:
            return str(low[n])
    return None


def read_places(
    source: PointsLike, *, what: str = "places", active_only: bool = True
) -> gpd.GeoDataFrame:
    """Read point places (posts, candidate sites) from a file or a table.

    Parameters
    ----------
    source : str, Path, DataFrame or GeoDataFrame
        A CSV/XLSX file or table with ``nama``, ``lintang`` (latitude) and ``bujur``
        (longitude) columns (``name``/``lat``/``lon`` also work), or a GeoJSON/GeoPackage
        file or GeoDataFrame of points with a CRS. A ``status`` or ``aktif`` column, when
        present, tells active rows (``aktif``, ``ya``, ``1``, ``true``...) from the others.
    what : str
        How to call the places in messages.
    active_only : bool
        Keep only the active rows (existing posts: an inactive post covers nothing).
        ``False`` keeps them all, as for candidate sites, where the posts to reactivate
        are exactly the inactive ones.

    Returns
    -------
    GeoDataFrame
        EPSG:4326 points with ``nama``, ``lon``, ``lat``; rows without valid coordinates are
        left out (their number is in ``.attrs["skipped"]``).
    """
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            msg = f"The {what} file {str(path)!r} does not exist; check the path."
            raise PlanError(msg)
        suffix = path.suffix.lower()
        if suffix in {".csv", ".txt"}:
            # Indonesian Excel exports often use ';': let the sniffer find the delimiter
            frame: pd.DataFrame = pd.read_csv(
                path, dtype=str, keep_default_na=False, sep=None, engine="python"
            )
        elif suffix in {".xlsx", ".xls"}:
            frame = pd.read_excel(path, dtype=str).fillna("")
        else:
            frame = gpd.read_file(path)
    elif isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        msg = f"The {what} must be a file path or a (Geo)DataFrame, got {type(source).__name__}."
        raise PlanError(msg)
    status_col = _pick(frame.columns, ("status", "aktif", "active"))
    if status_col is not None and active_only:
        words = frame[status_col].astype(str).str.strip().str.lower()
        frame = frame[words.isin(_ACTIVE_WORDS)]
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        if frame.crs is None:
            msg = (
                f"The {what} have no CRS; set it, for example gdf.set_crs('EPSG:4326') for "
                "longitude/latitude degrees."
            )
            raise PlanError(msg)
        geo = frame.to_crs(4326)
        pts = geo.geometry.representative_point()
        lon = np.where(geo.geometry.isna(), np.nan, pts.x)
        lat = np.where(geo.geometry.isna(), np.nan, pts.y)
    else:
        lat_col, lon_col = _pick(frame.columns, _LAT), _pick(frame.columns, _LON)
        if lat_col is None or lon_col is None:
            msg = (
                f"The {what} need latitude and longitude columns (lintang and bujur); "
                f"found {', '.join(map(str, frame.columns))}."
            )
            raise PlanError(msg)
        lat = pd.to_numeric(
            frame[lat_col].astype(str).str.replace(",", ".", regex=False), errors="coerce"
        ).to_numpy(dtype=float)
        lon = pd.to_numeric(
            frame[lon_col].astype(str).str.replace(",", ".", regex=False), errors="coerce"
        ).to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    name_col = _pick(frame.columns, _NAME)
    names = (
        frame[name_col].astype(str).to_numpy()
        if name_col is not None
        else np.array([f"{what} {i + 1}" for i in range(len(frame))], dtype=object)
    )
    out = gpd.GeoDataFrame(
        {"nama": names[ok], "lon": lon[ok], "lat": lat[ok]},
        geometry=gpd.points_from_xy(lon[ok], lat[ok]),
        crs=4326,
    )
    out.attrs["skipped"] = int((~ok).sum())
    return out.reset_index(drop=True)


def locate_sites(
    sites: gpd.GeoDataFrame,
    sxy: np.ndarray,
    cells: pd.DataFrame,
    dxy: np.ndarray,
    labels: pd.DataFrame,
    res: int,
    radius: float,
) -> pd.DataFrame:
    """Cell, desa and kecamatan of each candidate place: its H3 cell, else the nearest cell."""
    import h3
    from scipy.spatial import cKDTree

    hexes = [
        h3.latlng_to_cell(la, lo, res) for la, lo in zip(sites["lat"], sites["lon"], strict=True)
    ]
    pos = pd.Series(np.arange(len(cells)), index=cells["hex_id"].astype(str))
    idx = pos.reindex(hexes).to_numpy(dtype=float, copy=True)
    miss = np.isnan(idx)
    if miss.any():
        dist, near = cKDTree(dxy).query(sxy[miss])
        edge = h3.average_hexagon_edge_length(res, unit="m")
        idx[miss] = np.where(dist <= radius + edge, near, np.nan)
    out = pd.DataFrame(index=sites.index, columns=["hex_id", *labels.columns], dtype=object)
    ok = ~np.isnan(idx)
    src = idx[ok].astype(int)
    out.loc[ok, "hex_id"] = cells["hex_id"].to_numpy()[src]
    for c in labels.columns:
        out.loc[ok, c] = labels[c].to_numpy()[src]
    return out
