"""Which kabupaten/kota need each record: its own, and the neighbours within one H3 ring.

The one-process path scores each kabupaten/kota on its own cells: every H3 cell that
overlaps it (a border cell is a cell of both kabupaten it touches). Smoothing and Gi*
look only at the kabupaten's own cells, never beyond, so what a kabupaten takes from
outside its partition is exactly this: the records of neighbouring partitions that lie
in its border cells (points), and the desa/kecamatan records whose unit has cells in it
(spread records). :func:`route` sends a record to every kabupaten/kota that lies within
one H3 ring of the record's cell: a superset of those that use it (a kabupaten that
receives a record lying in none of its cells does not place it, exactly as the
one-process path, which offers every record to every kabupaten).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from kamtibmas_geo.config import Settings

__all__ = ["Province", "halo_margin", "province", "route"]

_SPREAD = ("desa", "kecamatan")
#: Degrees of latitude per km (a degree of longitude near the equator is as long).
_DEG_PER_KM = 1.0 / 110.0
#: Ring distance bound: any point of a cell's 1-ring lies within 3.73 edge lengths of a
#: point of the cell; 5 average edges leave room for cells larger than the average.
_RING_EDGES = 5.0


def halo_margin(res: int) -> float:
    """Return the halo width in degrees: a bound on one H3 ring around a cell at ``res``.

    Parameters
    ----------
    res : int
        H3 resolution.

    Returns
    -------
    float

    Examples
    --------
    >>> round(halo_margin(9), 4)
    0.0079
    """
    return _RING_EDGES * float(h3.average_hexagon_edge_length(res, unit="km")) * _DEG_PER_KM


@dataclass(frozen=True)
class Province:
    """The kabupaten/kota polygons the records are routed among.

    Attributes
    ----------
    codes : list of str
        Kabupaten/kota codes, sorted.
    polygons : ndarray of shapely geometries
        Their polygons (EPSG:4326), in the order of ``codes``.
    inner : ndarray of shapely geometries
        The part of each polygon farther than the halo margin from its border and from
        every other polygon: a record there is used by this kabupaten/kota only.
    neighbours : dict
        Code -> the codes within the halo margin of it (itself included).
    """

    codes: list[str]
    polygons: NDArray[np.object_]
    inner: NDArray[np.object_]
    neighbours: dict[str, list[str]]


def province(res: int, settings: Settings, region: str = "sumsel") -> Province:
    """Return the kabupaten/kota polygons of ``region`` with their inner parts and neighbours.

    Kept in memory per process (region, resolution, settings).

    Parameters
    ----------
    res : int
        H3 resolution (sets the halo margin).
    settings : Settings
        Where the boundary pack is.
    region : str
        The region of the data set (``"sumsel"``).

    Returns
    -------
    Province
    """
    return _province_cached(res, settings, region)


@lru_cache(maxsize=4)
def _province_cached(res: int, settings: Settings, region: str) -> Province:
    import warnings

    from kamtibmas_geo.boundaries._pack import load_boundaries

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kab = load_boundaries("kabupaten", region, settings=settings).sort_values("code")
    codes = kab["code"].astype(str).tolist()
    polygons = kab.geometry.to_numpy()
    margin = halo_margin(res)
    grown = shapely.buffer(polygons, margin)
    tree = shapely.STRtree(polygons)
    near = {i: tree.query(grown[i], predicate="intersects").tolist() for i in range(len(codes))}
    neighbours = {code: sorted(codes[j] for j in near[i]) for i, code in enumerate(codes)}
    inner = np.array([_clear(i, near[i], polygons, grown, margin) for i in range(len(codes))])
    for geom in inner:
        shapely.prepare(geom)
    return Province(codes, polygons, inner, neighbours)


def _clear(
    i: int,
    near: list[int],
    polygons: NDArray[np.object_],
    grown: NDArray[np.object_],
    margin: float,
) -> shapely.Geometry:
    """Return the part of polygon ``i`` farther than ``margin`` from every other polygon.

    Its own border is kept at a distance (shrunk by ``margin``), and so is every other
    kabupaten/kota near it, also one whose polygon overlaps it (upstream polygons of
    neighbours can overlap a little).
    """
    inner = shapely.buffer(polygons[i], -margin)
    others = [grown[j] for j in near if j != i]
    if others:
        inner = shapely.difference(inner, shapely.union_all(others))
    return inner


def route(
    frame: pd.DataFrame, home: str | None, prov: Province, res: int
) -> dict[str, NDArray[np.int64]]:
    """Return, for every kabupaten/kota that may use them, the positions of the records.

    Parameters
    ----------
    frame : DataFrame
        Geocoded records of one partition (``lat``/``lon``; ``geocode_status``,
        ``region_level``, ``region_code``).
    home : str or None
        The partition's kabupaten/kota (``None`` for records in none).
    prov : Province
        The polygons, from :func:`province`.
    res : int
        H3 resolution.

    Returns
    -------
    dict
        Code -> sorted record positions. Every record goes at least to ``home``.
    """
    n = len(frame)
    spread = _spread(frame)
    lat, lon = _latlon(frame)
    point = ~spread & np.isfinite(lat) & np.isfinite(lon)
    rows = [np.arange(n, dtype=np.int64)] if home is not None else []
    codes = [np.full(n, home, dtype=object)] if home is not None else []
    for r, c in (
        _route_points(np.flatnonzero(point), lat, lon, home, prov, res),
        _route_spread(frame, np.flatnonzero(spread), prov),
    ):
        rows.append(r)
        codes.append(c)
    if not rows:
        return {}
    pairs = pd.DataFrame({"row": np.concatenate(rows), "code": np.concatenate(codes)})
    pairs = pairs.drop_duplicates().sort_values(["code", "row"], kind="stable")
    return {
        str(code): grp["row"].to_numpy(dtype=np.int64)
        for code, grp in pairs.groupby("code", sort=True)
    }


def _spread(frame: pd.DataFrame) -> NDArray[np.bool_]:
    """Return the records the score spreads over a desa/kecamatan (matched at that level)."""
    if not {"geocode_status", "region_level"} <= set(frame.columns):
        return np.zeros(len(frame), dtype=bool)
    status = frame["geocode_status"].astype("string").fillna("").to_numpy()
    level = frame["region_level"].astype("string").fillna("").to_numpy()
    return np.asarray((status == "matched") & np.isin(level, _SPREAD), dtype=bool)


def _latlon(frame: pd.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if {"lat", "lon"} <= set(frame.columns):
        lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=np.float64)
        lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=np.float64)
        return lat, lon
    geom = gpd.GeoSeries(frame.geometry)
    pts = geom.where(geom.geom_type == "Point")
    return pts.y.to_numpy(dtype=np.float64), pts.x.to_numpy(dtype=np.float64)


_Pairs = tuple[NDArray[np.int64], NDArray[np.object_]]


def _route_points(
    rows: NDArray[np.int64],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    home: str | None,
    prov: Province,
    res: int,
) -> _Pairs:
    """Pair each point not deep inside ``home`` with every kabupaten within one ring of it."""
    empty: _Pairs = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object))
    if not len(rows):
        return empty
    pts = shapely.points(lon[rows], lat[rows])
    near = np.ones(len(rows), dtype=bool)
    if home in prov.codes:
        near = ~shapely.contains_properly(prov.inner[prov.codes.index(home)], pts)
    if not near.any():
        return empty
    tree = shapely.STRtree(prov.polygons)
    discs = shapely.buffer(pts[near], halo_margin(res), quad_segs=4)
    hit_pt, hit_poly = tree.query(discs, predicate="intersects")
    codes = np.asarray(prov.codes, dtype=object)
    return rows[near][hit_pt].astype(np.int64), codes[hit_poly]


def _route_spread(frame: pd.DataFrame, rows: NDArray[np.int64], prov: Province) -> _Pairs:
    """Pair a desa/kecamatan record with its kabupaten and that kabupaten's neighbours."""
    out_rows: list[int] = []
    out_codes: list[str] = []
    if len(rows):
        codes = frame["region_code"].astype("string").fillna("").to_numpy()
        for r in rows.tolist():
            for code in prov.neighbours.get(str(codes[r])[:5], []):
                out_rows.append(r)
                out_codes.append(code)
    return np.asarray(out_rows, dtype=np.int64), np.asarray(out_codes, dtype=object)
