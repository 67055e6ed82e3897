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
#: How the places named by ``what=`` read in Indonesian messages (other names as given).
_WHAT_ID = {
    "places": "tempat",
    "existing posts": "pos aktif",
    "candidate places": "tempat calon pos",
}

MESSAGES = {
    "no_file": {
        "id": "Berkas {what_id} {path!r} tidak ada; periksa jalurnya.",
        "en": "The {what} file {path!r} does not exist; check the path.",
    },
    "bad_source": {
        "id": "Data {what_id} harus berupa jalur berkas atau (Geo)DataFrame, bukan {kind}.",
        "en": "The {what} must be a file path or a (Geo)DataFrame, got {kind}.",
    },
    "no_crs": {
        "id": "Data {what_id} tidak punya CRS; tetapkan, misalnya gdf.set_crs('EPSG:4326') "
        "untuk derajat bujur/lintang.",
        "en": "The {what} have no CRS; set it, for example gdf.set_crs('EPSG:4326') for "
        "longitude/latitude degrees.",
    },
    "no_latlon": {
        "id": "Data {what_id} perlu kolom lintang dan bujur (latitude, longitude); kolom yang "
        "ada: {columns}.",
        "en": "The {what} need latitude and longitude columns (lintang and bujur); "
        "found {columns}.",
    },
}


def _pick(columns: pd.Index, names: tuple[str, ...]) -> str | None:
    low = {str(c).strip().lower(): c for c in columns}
    for n in names:
        if n in low:
            return str(low[n])
    return None


def _say(key: str, what: str, **values: object) -> PlanError:
    """Return the error ``key`` about the places called ``what``."""
    return PlanError.say(MESSAGES, key, what=what, what_id=_WHAT_ID.get(what, what), **values)


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
    frame = _read_table(source, what)
    status_col = _pick(frame.columns, ("status", "aktif", "active"))
    if status_col is not None and active_only:
        words = frame[status_col].astype(str).str.strip().str.lower()
        frame = frame[words.isin(_ACTIVE_WORDS)]
    lat, lon = _coordinates(frame, what)
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


def _read_table(source: PointsLike, what: str) -> pd.DataFrame:
    """Return the places as a table: a copy of a frame, or a file read as text."""
    if isinstance(source, pd.DataFrame):
        return source.copy()
    if not isinstance(source, str | Path):
        raise _say("bad_source", what, kind=type(source).__name__)
    path = Path(source)
    if not path.is_file():
        raise _say("no_file", what, path=str(path))
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        # Indonesian Excel exports often use ';': let the sniffer find the delimiter
        return pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
    if suffix in {".xlsx", ".xls"}:
        return pd.read_excel(path, dtype=str).fillna("")
    return gpd.read_file(path)


def _coordinates(frame: pd.DataFrame, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Return latitude and longitude of each row (NaN where missing or unreadable)."""
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        if frame.crs is None:
            raise _say("no_crs", what)
        geo = frame.to_crs(4326)
        pts = geo.geometry.representative_point()
        lon = np.where(geo.geometry.isna(), np.nan, pts.x)
        lat = np.where(geo.geometry.isna(), np.nan, pts.y)
        return lat, lon
    lat_col, lon_col = _pick(frame.columns, _LAT), _pick(frame.columns, _LON)
    if lat_col is None or lon_col is None:
        raise _say("no_latlon", what, columns=", ".join(map(str, frame.columns)))

    def number(col: str) -> np.ndarray:
        text = frame[col].astype(str).str.replace(",", ".", regex=False)
        return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)

    return number(lat_col), number(lon_col)


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
