"""The H3 grid over OKI and Palembang: points to cells, region cells, cell ↔ unit crosswalk.

H3 ids are the 15-character strings kepler.gl, ArcGIS and QGIS plug-ins read, in a column
named ``hex_id``. Points are indexed with the array functions of *h3ronpy* (the H3 library
behind a vectorised interface), split over threads, as ``uint64`` ids (:func:`cells_u64`);
strings are made only at the edge, once per distinct cell (:func:`cell_strings`). The
results are identical to ``h3.latlng_to_cell`` called point by point
(``benchmarks/bench_grid.py`` checks this).

A point lies in the desa/kelurahan it *intersects*. A point on a border shared by two units
intersects both; it goes to **the unit with the smallest Kemendagri code**, so every point
of a kabupaten lands in exactly one desa, one kecamatan and one kabupaten. Many points of
the pack are placed through a grid of small square tiles (about 110 m) over the desa,
cached beside the pack: a point in a tile lying wholly inside one desa and touching no
other takes that desa by a look-up; only the points of the other tiles (about 4 %) are
tested against the polygons, so the answer is the same as testing every point
(:mod:`kamtibmas_geo.grid._units`).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Literal

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from numpy.typing import ArrayLike

from kamtibmas_geo._errors import RegionError
from kamtibmas_geo._validate import check_choice, check_crs_4326, check_geom_types, check_res
from kamtibmas_geo.boundaries._integrity import load_derived, save_derived
from kamtibmas_geo.boundaries._pack import (
    EQUAL_AREA_CRS,
    PackInfo,
    RegionArg,
    build_pack,
    load_boundaries,
    region_packs,
)
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._units import (
    UNIT_COLUMNS,
    TileIndex,
    build_tile_index,
    desa_positions,
    index_from_table,
    index_table,
    own_desa,
    unit_table,
)

__all__ = [
    "ContainMode",
    "assign_units",
    "cell_categorical",
    "cell_polygons",
    "cell_units",
    "cells_to_gdf",
    "crosswalk",
    "index_points",
    "points_to_cells",
    "region_cells",
    "to_cells",
]

ContainMode = Literal["overlap", "center"]

MESSAGES = {
    "lengths": {
        "id": "lat dan lng harus sama panjang; lat berisi {n_lat} nilai, lng {n_lng}.",
        "en": "lat and lng must have the same length, got {n_lat} and {n_lng}.",
    },
    "unit_code": {
        "id": "unit {unit!r} bukan kode Kemendagri kabupaten (16.02), kecamatan (16.02.02) "
        "atau desa/kelurahan (16.02.02.2001); tulis kodenya lengkap dengan titik.",
        "en": "unit {unit!r} is not a Kemendagri code of a kabupaten (16.02), kecamatan "
        "(16.02.02) or desa/kelurahan (16.02.02.2001).",
    },
    "no_unit": {
        "id": "Tidak ada {level} berkode {code!r} di wilayah {region!r}; periksa kodenya "
        "(lihat load_boundaries('{level}')).",
        "en": "No {level} with code {code!r} in region {region!r}.",
    },
    "bad_cells": {
        "id": "Kode sel H3 tidak sah: {cells!r}. Kode sel H3 terdiri dari 15 karakter, "
        "misalnya '898cab621d7ffff'.",
        "en": "Not valid H3 cell ids: {cells!r}.",
    },
}

#: Below this many points one thread does the indexing (thread start-up is not free).
_THREAD_MIN = 200_000
#: From this many points :func:`assign_units` places them through the pack's pure cells.
_INDEX_MIN = 20_000


# --------------------------------------------------------------------------- points → cells


def _valid_latlng(lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(lat) & np.isfinite(lng) & (np.abs(lat) <= 90) & (np.abs(lng) <= 180)


def _index_u64(lat: np.ndarray, lng: np.ndarray, res: int, threads: int) -> np.ndarray:
    """Return the ``uint64`` cell ids of valid points (no NaN in input), over threads."""
    from h3ronpy.vector import coordinates_to_cells

    out = np.empty(len(lat), dtype=np.uint64)

    def run(sl: slice) -> None:
        out[sl] = np.asarray(coordinates_to_cells(lat[sl], lng[sl], res))

    if threads <= 1 or len(lat) < _THREAD_MIN:
        run(slice(0, len(lat)))
        return out
    bounds = np.linspace(0, len(lat), threads + 1).astype(int)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(run, [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]))
    return out


def _latlng_arrays(lat: ArrayLike, lng: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    lat_a = np.asarray(lat, dtype="float64").ravel()
    lng_a = np.asarray(lng, dtype="float64").ravel()
    if lat_a.shape != lng_a.shape:
        raise RegionError.say(MESSAGES, "lengths", n_lat=lat_a.size, n_lng=lng_a.size)
    return lat_a, lng_a


def cells_u64(
    lat: ArrayLike, lng: ArrayLike, res: int, *, threads: int | None = None
) -> np.ndarray:
    """Return the H3 cell of each point as a ``uint64`` id, 0 where no valid point.

    The form every step works in; strings are made only at the edge
    (:func:`cell_strings`). ``res`` is trusted (checked at the public entry).

    Parameters
    ----------
    lat, lng : array-like of float
        Latitudes and longitudes in degrees (WGS 84).
    res : int
        H3 resolution, 0-15.
    threads : int, optional
        As in :func:`points_to_cells`.

    Returns
    -------
    numpy.ndarray
        ``uint64`` H3 ids (0 is never a valid H3 id).
    """
    lat_a, lng_a = _latlng_arrays(lat, lng)
    n_threads = threads if threads is not None else min(2, os.cpu_count() or 1)
    valid = _valid_latlng(lat_a, lng_a)
    if valid.all():
        return _index_u64(lat_a, lng_a, res, n_threads)
    out = np.zeros(lat_a.size, dtype=np.uint64)
    out[valid] = _index_u64(lat_a[valid], lng_a[valid], res, n_threads)
    return out


def cell_strings(cells: np.ndarray) -> np.ndarray:
    """Return ``uint64`` H3 ids as an object array of 15-character strings (None for 0).

    Each distinct cell is formatted once and shared by its points.

    Parameters
    ----------
    cells : numpy.ndarray
        ``uint64`` H3 ids, 0 for none.

    Returns
    -------
    numpy.ndarray
    """
    codes, text = _distinct_cell_strings(cells)
    return np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)[codes]


def _distinct_cell_strings(cells: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """Return each cell's position among the distinct cells, and their strings (null for 0)."""
    import h3ronpy

    codes, uniq = pd.factorize(np.asarray(cells, dtype=np.uint64))
    ids = pa.array(uniq, type=pa.uint64(), mask=np.asarray(uniq) == 0)  # 0: no cell (null)
    return codes, pa.array(h3ronpy.cells_to_string(ids))


def cell_categorical(cells: np.ndarray) -> pd.Categorical:
    """Return ``uint64`` H3 ids as a categorical of their strings (missing for 0).

    Each distinct cell is formatted once; the rows hold an integer each. The categories
    are sorted.

    Parameters
    ----------
    cells : numpy.ndarray
        ``uint64`` H3 ids, 0 for none.

    Returns
    -------
    pandas.Categorical
    """
    codes, text = _distinct_cell_strings(cells)
    names = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
    valid = np.flatnonzero([n is not None for n in names])
    order = valid[np.argsort(names[valid].astype(str), kind="stable")]
    rank = np.full(len(names) + 1, -1, dtype=np.int64)  # the last: a code of -1 stays -1
    rank[order] = np.arange(len(order))
    categories = pd.Index(names[order].astype(str), dtype="str")
    return pd.Categorical.from_codes(rank[codes], categories=categories)


def _cell_series(lat: ArrayLike, lng: ArrayLike, res: int, threads: int | None) -> pd.Series:
    """Return the cells of points as a string Series (NA where no valid point), trusting res."""
    return pd.Series(cell_strings(cells_u64(lat, lng, res, threads=threads)), dtype="str")


def points_to_cells(
    lat: ArrayLike, lng: ArrayLike, res: int, *, threads: int | None = None
) -> np.ndarray:
    """Return the H3 cell of each point, vectorised.

    Parameters
    ----------
    lat, lng : array-like of float
        Latitudes and longitudes in degrees (WGS 84).
    res : int
        H3 resolution, 0-15.
    threads : int, optional
        Threads to split the work over; by default up to two (the machine's cores).

    Returns
    -------
    numpy.ndarray
        Object array of H3 ids (15-character strings), ``None`` where a coordinate is
        missing or out of range.

    Examples
    --------
    >>> points_to_cells([-2.9911], [104.7567], 9).tolist()
    ['898cab621d7ffff']
    >>> points_to_cells([float("nan")], [104.0], 9).tolist()
    [None]
    """
    return index_points(lat, lng, check_res(res), threads=threads)


def index_points(
    lat: ArrayLike, lng: ArrayLike, res: int, *, threads: int | None = None
) -> np.ndarray:
    """Return the H3 cell of each point, trusting ``res`` (checked by the public entry).

    The same as :func:`points_to_cells` without checking ``res`` again: for the steps of
    other stages that checked it once at their own public entry.

    Parameters
    ----------
    lat, lng : array-like of float
        Latitudes and longitudes in degrees (WGS 84).
    res : int
        H3 resolution, 0-15, already checked.
    threads : int, optional
        As in :func:`points_to_cells`.

    Returns
    -------
    numpy.ndarray
        Object array of H3 ids, ``None`` where a coordinate is missing or out of range.
    """
    return cell_strings(cells_u64(lat, lng, res, threads=threads))


def to_cells(
    points: gpd.GeoDataFrame, res: int, *, column: str = "hex_id", threads: int | None = None
) -> gpd.GeoDataFrame:
    """Return a copy of a point GeoDataFrame with the H3 cell of each point.

    Parameters
    ----------
    points : GeoDataFrame
        Points in any CRS (reprojected to EPSG:4326 for indexing); empty or missing
        geometries get a missing cell.
    res : int
        H3 resolution, 0-15.
    column : str
        Name of the new column; ``hex_id`` by default.
    threads : int, optional
        As in :func:`points_to_cells`.

    Returns
    -------
    GeoDataFrame
        A copy of ``points`` with ``column`` added (string dtype, missing where no point).
    """
    check_geom_types(points, ("Point",), what="points")
    pts = check_crs_4326(points, what="points")
    check_res(res)
    geom = pts.geometry.values
    missing = shapely.is_missing(geom) | shapely.is_empty(geom)
    x = np.where(missing, np.nan, shapely.get_x(np.where(missing, None, geom)))
    y = np.where(missing, np.nan, shapely.get_y(np.where(missing, None, geom)))
    cells = _cell_series(y.astype("float64"), x.astype("float64"), res, threads)
    out = points.copy()
    out[column] = cells.to_numpy()
    out[column] = out[column].astype("str")
    return out


# --------------------------------------------------------------------------- regions → cells


def _region_geometry(
    region: RegionArg, unit: str | None, settings: Settings | None
) -> shapely.Geometry:
    if unit is None:
        kab = load_boundaries("kabupaten", region, settings=settings)
        return shapely.union_all(kab.geometry.values)
    code = str(unit).strip()
    level = {8: "kecamatan", 13: "desa", 5: "kabupaten"}.get(len(code))
    if level is None:
        raise RegionError.say(MESSAGES, "unit_code", unit=unit)
    region = _unit_region(region, code)
    frame = load_boundaries(level, region, settings=settings)  # type: ignore[arg-type]
    hit = frame[frame["code"] == code]
    if hit.empty:
        where = region or "OKI + Palembang"
        raise RegionError.say(MESSAGES, "no_unit", level=level, code=code, region=where)
    return hit.geometry.iloc[0]


def _unit_region(region: RegionArg, code: str) -> RegionArg:
    """Without a region, a unit code of Sumatera Selatan names its own kabupaten/kota."""
    from kamtibmas_geo.boundaries._regions import PROVINCE

    return code[:5] if region is None and code[:5] in PROVINCE else region


def _geom_cells(geom: shapely.Geometry, res: int, contain: ContainMode) -> list[str]:
    shape = h3.geo_to_h3shape(geom.__geo_interface__)
    if contain == "center":
        cells = h3.h3shape_to_cells(shape, res)
    else:
        cells = h3.h3shape_to_cells_experimental(shape, res, contain="overlap")
    return sorted(set(cells))  # the parts of a multipolygon may share a cell


@lru_cache(maxsize=64)
def _region_cells_cached(
    pack: str,
    pack_digest: str,
    codes: tuple[str, ...],
    unit: str | None,
    res: int,
    contain: ContainMode,
    settings: Settings,
) -> tuple[str, ...]:
    """Return the cells of the kabupaten ``codes`` of one pack, or of one unit of them."""
    if unit is not None:
        return tuple(_geom_cells(_region_geometry(list(codes), unit, settings), res, contain))
    # Whole regions are large at fine resolutions: keep them beside the pack (SHA-256 checked).
    key = "-".join(codes).replace(".", "")
    path = Path(pack) / f"cells-{key}-r{res}-{contain}.parquet"
    table = load_derived(path, pack_digest)
    if table is not None:
        return tuple(sorted(set(table["hex_id"].astype(str))))
    cells = _geom_cells(_region_geometry(list(codes), unit, settings), res, contain)
    save_derived(path, pd.DataFrame({"hex_id": cells}), pack_digest)
    return tuple(cells)


def _polygon_cells(polygons: gpd.GeoDataFrame, res: int) -> list[str]:
    """Return the sorted H3 cells overlapping the union of polygons in EPSG:4326."""
    return _geom_cells(shapely.union_all(polygons.geometry.to_numpy()), res, "overlap")


def region_cells(
    region: RegionArg = None,
    res: int = 9,
    *,
    unit: str | None = None,
    contain: ContainMode = "overlap",
    settings: Settings | None = None,
) -> list[str]:
    """Return the H3 cells of a kabupaten/kota, kecamatan or desa/kelurahan.

    Parameters
    ----------
    region : str, list of str or None
        Kabupaten/kota of Sumatera Selatan by code or name (``"16.71"``, ``"OKI"``,
        ``"Muara Enim"``), several, or ``"sumsel"``; ``None`` for OKI and Palembang. The
        cells of several regions are the union of each one's.
    res : int
        H3 resolution, 0-15.
    unit : str, optional
        A kecamatan or desa/kelurahan code (``"16.71.01"``, ``"16.03.11.2001"``) to restrict
        the cells to that unit (of any kabupaten/kota when ``region`` is ``None``).
    contain : {"overlap", "center"}
        ``"overlap"`` (default) keeps every cell that touches the area, so the cells
        cover it completely; ``"center"`` keeps the cells whose centre lies inside.
    settings : Settings, optional
        Where the boundary pack is.

    Returns
    -------
    list of str
        Sorted H3 ids.
    """
    check_res(res)
    check_choice("contain", contain, ("overlap", "center"))
    settings = settings or Settings()
    if unit is not None:
        region = _unit_region(region, str(unit).strip())
    cells: set[str] = set()
    for pack, codes in region_packs(region, settings=settings):
        cells.update(_pack_region_cells(pack, codes, unit, res, contain, settings))
    return sorted(cells)


def _pack_region_cells(
    pack: PackInfo,
    region: RegionArg,
    unit: str | None,
    res: int,
    contain: ContainMode,
    settings: Settings,
) -> tuple[str, ...]:
    """Return the cells of a region or unit of ``pack`` (options checked by the caller).

    ``region`` is a region of ``pack`` (``None``: all of the pack's regions).
    """
    from kamtibmas_geo.boundaries._pack import resolve_region

    codes = pack.regions if region is None else tuple(resolve_region(region))
    return _region_cells_cached(str(pack.path), pack.digest, codes, unit, res, contain, settings)


def cell_polygons(cells: Sequence[str]) -> np.ndarray:
    """Return the hexagon of each H3 cell, in the order given, as shapely polygons.

    Built in Rust (h3ronpy writes WKB, shapely reads it in one call): no Python tuple per
    vertex, so 157,000 hexagons cost their polygons and not five times that in lists.

    Parameters
    ----------
    cells : sequence of str
        H3 ids.

    Returns
    -------
    ndarray of shapely.Polygon
        (lng, lat) rings, EPSG:4326.

    Raises
    ------
    RegionError
        If an id is not a valid H3 cell.
    """
    import h3ronpy
    from h3ronpy.vector import cells_to_wkb_polygons

    ids = [str(c) for c in cells]
    if not ids:
        return np.array([], dtype=object)
    parsed = h3ronpy.cells_parse(pa.array(ids, type=pa.string()), set_failing_to_invalid=True)
    # invalid ids come back as nulls
    valid = pa.array(parsed).is_valid().to_numpy(zero_copy_only=False)
    if not valid.all():
        bad = [c for c, ok in zip(ids, valid, strict=True) if not ok]
        raise RegionError.say(MESSAGES, "bad_cells", cells=bad[:5])
    wkb = np.asarray(pa.array(cells_to_wkb_polygons(parsed)).to_numpy(zero_copy_only=False))
    return np.asarray(shapely.from_wkb(wkb), dtype=object)


def cells_to_gdf(cells: Iterable[str]) -> gpd.GeoDataFrame:
    """Return the hexagons of H3 cells as a GeoDataFrame.

    Parameters
    ----------
    cells : iterable of str
        H3 ids; duplicates are dropped.

    Returns
    -------
    GeoDataFrame
        ``hex_id`` and the cell polygon (EPSG:4326), sorted by ``hex_id``.

    Examples
    --------
    >>> cells_to_gdf(["898cab621d7ffff"]).geometry.iloc[0].geom_type
    'Polygon'
    """
    ids = sorted({str(c) for c in cells})
    return gpd.GeoDataFrame(
        {"hex_id": pd.array(ids, dtype="str")},
        geometry=gpd.GeoSeries(cell_polygons(ids), crs=4326),
    )


# --------------------------------------------------------------------------- points → units


def _unit_polygons(
    boundaries: gpd.GeoDataFrame | None, settings: Settings | None, region: RegionArg = None
) -> gpd.GeoDataFrame:
    """Return desa polygons sorted by code: the user's own (checked) or the pack's."""
    if boundaries is None:
        return load_boundaries("desa", region, settings=settings)  # sorted by code
    return own_desa(boundaries, error=RegionError)


def assign_units(
    points: gpd.GeoDataFrame,
    *,
    settings: Settings | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    region: RegionArg = None,
) -> gpd.GeoDataFrame:
    """Return a copy of ``points`` with the desa, kecamatan and kabupaten each lies in.

    Parameters
    ----------
    points : GeoDataFrame
        Points in any CRS; missing geometries get missing units.
    settings : Settings, optional
        Where the boundary pack is.
    boundaries : GeoDataFrame, optional
        Your own desa/kelurahan polygons (another region than OKI and Palembang), in any
        CRS, with a ``code`` column and optionally ``name``, ``kecamatan_code``,
        ``kecamatan_name``, ``kabupaten_code``, ``kabupaten_name`` (columns not given
        come back missing). Codes must be unique and are compared as text. By default
        the desa of the boundary pack.
    region : str, list of str or None
        The pack's kabupaten/kota to look in (as in :func:`region_cells`; ``"sumsel"``
        for the whole province); ``None`` for OKI and Palembang.

    Returns
    -------
    GeoDataFrame
        A copy of ``points`` (same index and order) with ``desa_code``, ``desa_name``,
        ``kecamatan_code``, ``kecamatan_name``, ``kabupaten_code``, ``kabupaten_name``;
        missing for points outside every desa (outside OKI and Palembang by default).
        A point on a shared border goes to the unit with the smallest code.

    Raises
    ------
    RegionError
        If ``boundaries`` is not a GeoDataFrame, has no CRS, lacks ``code``, has
        missing or repeated codes, or holds other geometries than polygons.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> own = gpd.GeoDataFrame(
    ...     {"code": ["99.01.01.2001", "99.01.01.2002"], "name": ["Barat", "Timur"]},
    ...     geometry=[shapely.box(10, 0, 11, 1), shapely.box(11, 0, 12, 1)],
    ...     crs=4326,
    ... )
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([10.5, 11.0], [0.5, 0.5]), crs=4326)
    >>> assign_units(pts, boundaries=own)["desa_name"].tolist()  # the border point: smallest
    ['Barat', 'Barat']
    """
    check_geom_types(points, ("Point",), what="points")
    desa = _unit_polygons(boundaries, settings, region)
    index = None
    if boundaries is None and region is None and len(points) >= _INDEX_MIN:
        index = _pack_tile_index(settings or Settings())
    return _assign(points, desa, index=index)


def _pack_tile_index(settings: Settings) -> TileIndex:
    """Return the pure tiles of the pack's desa (built once, cached beside the pack)."""
    pack = build_pack(settings=settings)
    return _pack_tile_index_cached(str(pack.path), pack.digest, settings)


@lru_cache(maxsize=2)
def _pack_tile_index_cached(pack: str, digest: str, settings: Settings) -> TileIndex:
    desa = load_boundaries("desa", settings=settings)
    geoms, codes = desa.geometry.to_numpy(), desa["code"].to_numpy(dtype=object)
    path = Path(pack) / "desa-tiles.parquet"
    table = load_derived(path, digest)
    index = None if table is None else index_from_table(table, geoms, codes)
    if index is None:
        index = build_tile_index(geoms)
        save_derived(path, index_table(index, codes), digest)
    return index


def desa_rows(
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    settings: Settings | None = None,
    region: RegionArg = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Return the desa row of each point in the pack, and the units of every row.

    The same placement as :func:`assign_units` (the smallest code on a shared border)
    from coordinate arrays: no shapely point is made for the points of pure tiles and no
    string for any point, so a caller holding coordinates saves both.

    Parameters
    ----------
    lon, lat : array-like of float
        Coordinates in degrees; NaN for a missing point.
    settings : Settings, optional
        Where the boundary pack is.
    region : str, list of str or None
        The pack's kabupaten/kota to look in, as in :func:`assign_units` (the tile index
        is used for the default OKI + Palembang only).

    Returns
    -------
    (numpy.ndarray, DataFrame)
        ``int64`` desa rows (-1 outside every desa) and the units of the pack's desa
        (:func:`~kamtibmas_geo.grid._units.unit_table`): ``table.iloc[rows[rows >= 0]]``
        holds the units of the placed points.
    """
    settings = settings or Settings()
    desa = load_boundaries("desa", region, settings=settings)
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    use_index = region is None and len(lon_a) >= _INDEX_MIN
    index = _pack_tile_index(settings) if use_index else None
    rows = desa_positions(lon_a, lat_a, desa.geometry.to_numpy(), index=index)
    return rows, unit_table(desa)


def _assign(
    points: gpd.GeoDataFrame, desa: gpd.GeoDataFrame, *, index: TileIndex | None = None
) -> gpd.GeoDataFrame:
    """Add the unit columns of the desa (sorted by code) each point intersects.

    With an ``index`` of pure tiles (wholly inside one desa, touching no other) a point
    in such a tile takes its desa by a look-up; the others are tested against the
    polygons, the smallest code winning on a shared border.
    """
    pts = check_crs_4326(points, what="points")
    geom = pts.geometry.values
    missing = shapely.is_missing(geom) | shapely.is_empty(geom)
    lon = np.where(missing, np.nan, shapely.get_x(np.where(missing, None, geom))).astype(float)
    lat = np.where(missing, np.nan, shapely.get_y(np.where(missing, None, geom))).astype(float)
    take = desa_positions(lon, lat, desa.geometry.to_numpy(), index=index, points=np.asarray(geom))
    out = points.copy()
    for col, from_col in UNIT_COLUMNS.items():
        values = desa[from_col].astype("str").array.take(take, allow_fill=True)
        out[col] = pd.Series(values, index=out.index, dtype="str")
    return out


def cell_units(
    cells: Iterable[str],
    *,
    settings: Settings | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    region: RegionArg = None,
) -> pd.DataFrame:
    """Return, for each cell, the desa/kecamatan/kabupaten holding its centre.

    Parameters
    ----------
    cells : iterable of str
        H3 ids.
    settings : Settings, optional
        Where the boundary pack is.
    boundaries : GeoDataFrame, optional
        Your own desa/kelurahan polygons, as in :func:`assign_units`; by default the
        boundary pack's.
    region : str, list of str or None
        The pack's kabupaten/kota, as in :func:`assign_units`.

    Returns
    -------
    DataFrame
        ``hex_id`` and the unit columns of :func:`assign_units`, in the order of
        ``cells``. A border cell whose centre lies outside every desa goes to the desa
        holding the largest part of it; cells that touch no desa (outside OKI and
        Palembang by default) get missing units.
    """
    desa = _unit_polygons(boundaries, settings, region)
    ids = [str(c) for c in cells]
    centres = [h3.cell_to_latlng(c) for c in ids]
    pts = gpd.GeoDataFrame(
        {"hex_id": pd.array(ids, dtype="str")},
        geometry=gpd.points_from_xy([c[1] for c in centres], [c[0] for c in centres]),
        crs=4326,
    )
    out = pd.DataFrame(_assign(pts, desa).drop(columns="geometry"))
    missing = np.flatnonzero(out["desa_code"].isna().to_numpy())
    if len(missing):
        _fill_border_cells(out, missing, desa)
    return out


def _fill_border_cells(out: pd.DataFrame, rows: np.ndarray, desa: gpd.GeoDataFrame) -> None:
    """Give cells whose centre lies outside to the desa holding most of the cell."""
    hexes = cells_to_gdf(out["hex_id"].iloc[rows]).set_index("hex_id")
    desa = desa.reset_index(drop=True)
    pairs = gpd.sjoin(hexes.reset_index(), desa, how="inner", predicate="intersects")
    if pairs.empty:
        return
    pieces = shapely.intersection(
        hexes.geometry.loc[pairs["hex_id"]].to_numpy(),
        desa.geometry.to_numpy()[pairs["index_right"].to_numpy()],
    )
    pairs = pairs.assign(_area=shapely.area(pieces))
    best = pairs.sort_values(["hex_id", "_area"], ascending=[True, False]).drop_duplicates("hex_id")
    best = best[best["_area"] > 0].set_index("hex_id")
    where = out.index[rows]
    ids = out.loc[where, "hex_id"]
    found = ids.isin(best.index).to_numpy()
    for col, src in UNIT_COLUMNS.items():
        out.loc[where[found], col] = best.loc[ids[found], src].to_numpy()


# --------------------------------------------------------------------------- crosswalk


def _build_crosswalk(pack: PackInfo, res: int, level: str, settings: Settings) -> pd.DataFrame:
    units = load_boundaries(level, list(pack.regions), settings=settings)  # type: ignore[arg-type]
    cells = cells_to_gdf(_pack_region_cells(pack, None, None, res, "overlap", settings))
    pairs = gpd.sjoin(
        cells, units[["code", "name", "geometry"]], how="inner", predicate="intersects"
    )
    cell_geom = cells.geometry.values[pairs.index.to_numpy()]
    unit_geom = units.geometry.values[pairs["index_right"].to_numpy()]
    inside = shapely.within(cell_geom, unit_geom)
    pieces = np.array(cell_geom, dtype=object)
    border = ~inside
    pieces[border] = shapely.intersection(cell_geom[border], unit_geom[border])
    area = gpd.GeoSeries(pieces, crs=4326).to_crs(EQUAL_AREA_CRS).area.to_numpy() / 1e6
    out = pd.DataFrame(
        {
            "hex_id": pairs["hex_id"].to_numpy(),
            "code": pairs["code"].to_numpy(),
            "name": pairs["name"].to_numpy(),
            "area_km2": area,
        }
    )
    out = out[out["area_km2"] > 0].reset_index(drop=True)
    out["share_of_cell"] = out["area_km2"] / out.groupby("hex_id")["area_km2"].transform("sum")
    out["share_of_unit"] = out["area_km2"] / out.groupby("code")["area_km2"].transform("sum")
    out = out.sort_values(["hex_id", "code"], kind="stable").reset_index(drop=True)
    for col in ("hex_id", "code", "name"):
        out[col] = out[col].astype("str")
    return out[["hex_id", "code", "name", "share_of_cell", "share_of_unit", "area_km2"]]


def _crosswalk_path(pack_dir: Path, res: int, level: str) -> Path:
    return pack_dir / f"crosswalk-{level}-r{res}.parquet"


def crosswalk(
    res: int,
    region: RegionArg = None,
    *,
    level: Literal["desa", "kecamatan"] = "desa",
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return the area crosswalk between H3 cells and desa/kelurahan or kecamatan.

    Each row is the piece of one cell inside one unit. Cell scores roll up to units by
    summing ``value × share_of_cell``; a count known only for a unit spreads over its
    cells by ``share_of_unit``. The crosswalk is computed once per resolution and level
    and cached beside the boundary pack.

    Parameters
    ----------
    res : int
        H3 resolution, 0-15.
    region : str, list of str or None
        Kabupaten/kota as in :func:`region_cells`; ``None`` for OKI and Palembang.
    level : {"desa", "kecamatan"}
        Unit level.
    settings : Settings, optional
        Where the boundary pack is.

    Returns
    -------
    DataFrame
        ``hex_id``, ``code``, ``name``, ``share_of_cell`` (sums to 1 over each cell's
        pieces inside the regions asked), ``share_of_unit`` (sums to 1 over each unit),
        ``area_km2`` (area of the piece, equal-area CRS).
    """
    check_res(res)
    check_choice("level", level, ("desa", "kecamatan"))
    settings = settings or Settings()
    packs = region_packs(region, settings=settings)
    tables = []
    for pack, codes in packs:
        table = _pack_crosswalk(pack, res, level, settings)
        tables.append(table if codes == pack.regions else table[table["code"].str[:5].isin(codes)])
    if region is None and len(tables) == 1:
        return tables[0]
    table = pd.concat(tables).sort_values(["hex_id", "code"], kind="stable")
    table = table.reset_index(drop=True)
    table["share_of_cell"] = table["area_km2"] / table.groupby("hex_id")["area_km2"].transform(
        "sum"
    )
    return table


def _pack_crosswalk(pack: PackInfo, res: int, level: str, settings: Settings) -> pd.DataFrame:
    """Return the crosswalk of all the units of one pack (cached beside it)."""
    path = _crosswalk_path(pack.path, res, level)
    table = load_derived(path, pack.digest)  # None when missing or failing its SHA-256 check
    if table is None:
        table = _build_crosswalk(pack, res, level, settings)
        save_derived(path, table, pack.digest)
    return table
