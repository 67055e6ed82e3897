"""Point places for Poskamling plans: reading posts and candidate sites, projecting to metres.

Private helpers of :mod:`kamtibmas_geo.plan._poskamling`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import PlanError, RecordError
from kamtibmas_geo.grid._metres import UTM, to_utm, utm_crs

__all__ = ["UTM", "PointsLike", "locate_sites", "read_places", "to_utm", "utm_crs"]

PointsLike: TypeAlias = "str | Path | pd.DataFrame | gpd.GeoDataFrame"

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
}


def _say(key: str, what: str, **values: object) -> PlanError:
    """Return the error ``key`` about the places called ``what``."""
    return PlanError.say(MESSAGES, key, what=what, what_id=_WHAT_ID.get(what, what), **values)


def _as_plan_error(exc: RecordError) -> PlanError:
    """Return ``exc`` (both its languages) as a :class:`PlanError`."""
    if exc._messages is None:
        return PlanError(str(exc))
    return PlanError.say(exc._messages, exc._key, **exc._values)


def read_places(
    source: PointsLike, *, what: str = "places", active_only: bool = True
) -> gpd.GeoDataFrame:
    """Read point places (posts, candidate sites) from a file or a table.

    Parameters
    ----------
    source : str, Path, DataFrame or GeoDataFrame
        A file or table of places, read by :func:`kamtibmas_geo.records.read_places` (the
        reader of records: title rows, any separator and encoding, ``nama``, ``lintang``/
        ``bujur``, ``LS``/``BT`` or one ``Koordinat`` column, DMS, decimal commas), or a
        GeoDataFrame of points with a CRS. A status column (``Status``, ``Kondisi``,
        ``Aktif``) or a ``Keterangan`` saying ``tidak aktif``, ``rusak``, ``tutup``...
        marks a post inactive.
    what : str
        How to call the places in messages.
    active_only : bool
        Keep only the active rows (existing posts: an inactive post covers nothing).
        ``False`` keeps them all, as for candidate sites, where the posts to reactivate
        are exactly the inactive ones.

    Returns
    -------
    GeoDataFrame
        EPSG:4326 points with ``nama``, ``lon``, ``lat``, ``aktif`` and the file's other
        columns; rows without valid coordinates are left out (their number is in
        ``.attrs["skipped"]``, the rows and reasons in ``.attrs["rejected"]``).
    """
    from kamtibmas_geo.records._places import read_places as read_place_list

    if not isinstance(source, pd.DataFrame | str | Path):
        raise _say("bad_source", what, kind=type(source).__name__)
    if isinstance(source, str | Path) and not Path(source).is_file():
        raise _say("no_file", what, path=str(source))
    if (
        isinstance(source, gpd.GeoDataFrame)
        and source.geometry.name in source.columns
        and source.crs is None
    ):
        raise _say("no_crs", what)
    try:
        places = read_place_list(source, "candidates" if what == "candidate places" else "posts")
    except RecordError as exc:  # the reader's words, raised as the planner's error
        raise _as_plan_error(exc) from None
    keep = places["aktif"].to_numpy(dtype=bool) if active_only else np.ones(len(places), bool)
    out = places[keep].reset_index(drop=True)
    out.attrs = {**places.attrs, "skipped": int(places.attrs.get("skipped", 0))}
    return out


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
