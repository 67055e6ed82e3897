"""The user's own desa/kelurahan polygons, checked and shaped like the boundary pack.

:func:`~kamtibmas_geo.grid.assign_units`, :func:`~kamtibmas_geo.grid.cell_units`,
:func:`~kamtibmas_geo.score.score_hotspots` and :func:`~kamtibmas_geo.score.rollup` take
``boundaries=``: desa-level polygons of a region outside the pack (another Polres). They
are checked and normalised here once, so every stage reads them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kamtibmas_geo._errors import KamtibmasGeoError
from kamtibmas_geo._validate import check_columns, check_crs_4326, check_geom_types
from kamtibmas_geo.boundaries._pack import EQUAL_AREA_CRS

__all__ = [
    "TILE_DEG",
    "UNIT_COLUMNS",
    "TileIndex",
    "build_tile_index",
    "desa_positions",
    "index_from_table",
    "index_table",
    "own_desa",
    "own_level",
    "unit_table",
]

#: Side in degrees (about 110 m) of the tiles of the index that places many points at once.
TILE_DEG = 0.001
#: At most this many tiles (the side grows for a larger region): 4 bytes each.
_MAX_TILES = 4_000_000
#: Tiles are grown by this many degrees (about 11 cm) before the test, so that a point on a
#: tile's edge, however the division rounds, still lies in the tested square.
_MARGIN_DEG = 1e-6

#: Unit column of a point or cell → column of a desa-level frame it is read from.
UNIT_COLUMNS = {
    "desa_code": "code",
    "desa_name": "name",
    "kecamatan_code": "kecamatan_code",
    "kecamatan_name": "kecamatan_name",
    "kabupaten_code": "kabupaten_code",
    "kabupaten_name": "kabupaten_name",
}
_OPTIONAL = ("name", "kecamatan_code", "kecamatan_name", "kabupaten_code", "kabupaten_name")

MESSAGES = {
    "not_gdf": {
        "id": "boundaries harus GeoDataFrame berisi poligon desa/kelurahan, bukan {type}; baca "
        "berkasnya dengan geopandas.read_file(path).",
        "en": "boundaries must be a GeoDataFrame of desa/kelurahan polygons, got {type}; read "
        "a file with geopandas.read_file(path).",
    },
    "empty": {
        "id": "boundaries tidak berisi poligon; berikan paling sedikit satu desa/kelurahan.",
        "en": "boundaries hold no polygons; pass at least one desa/kelurahan.",
    },
    "no_polygon": {
        "id": "Setiap desa perlu poligon; baris {row!r} dari boundaries tidak punya. Hapus "
        "atau perbaiki baris itu.",
        "en": "Every desa needs a polygon; row {row!r} of boundaries has none. Drop or fix it.",
    },
    "no_code": {
        "id": "Setiap desa perlu kode; baris {row!r} dari boundaries tidak punya. Isi kolom "
        "code baris itu.",
        "en": "Every desa needs a code; row {row!r} of boundaries has none.",
    },
    "dup_code": {
        "id": "Kode desa harus unik; {code!r} muncul lebih dari sekali. Gabungkan dulu bagian-"
        "bagian satu desa: boundaries.dissolve('code', as_index=False).",
        "en": "Desa codes must be unique; {code!r} appears more than once. Join the parts of "
        "a desa first: boundaries.dissolve('code', as_index=False).",
    },
}


def _text(values: pd.Series) -> pd.Series:
    """Return values as stripped text, missing (and blank) values as NA."""
    out = values.astype("str").str.strip()
    return out.mask(out == "")


def own_desa(boundaries: gpd.GeoDataFrame, *, error: type[KamtibmasGeoError]) -> gpd.GeoDataFrame:
    """Check the user's desa-level polygons and return them in the pack's desa schema.

    Parameters
    ----------
    boundaries : GeoDataFrame
        Desa/kelurahan polygons in any CRS with a ``code`` column and optionally
        ``name``, ``kecamatan_code``, ``kecamatan_name``, ``kabupaten_code``,
        ``kabupaten_name``.
    error : type
        Exception class to raise (the calling stage's).

    Returns
    -------
    GeoDataFrame
        EPSG:4326, sorted by ``code`` (compared as text) with a fresh index, holding
        ``code`` and the optional columns above (text; NA where not given) and the
        geometry.
    """
    if not isinstance(boundaries, gpd.GeoDataFrame):
        raise error.say(MESSAGES, "not_gdf", type=type(boundaries).__name__)
    what = "boundaries (your desa/kelurahan polygons)"
    check_columns(boundaries, ["code"], what=what, error=error)
    if boundaries.empty:
        raise error.say(MESSAGES, "empty")
    missing = boundaries.geometry.isna() | boundaries.geometry.is_empty
    if missing.any():
        raise error.say(MESSAGES, "no_polygon", row=boundaries.index[missing.to_numpy()][0])
    check_geom_types(boundaries, ("Polygon", "MultiPolygon"), what=what, error=error)
    frame = check_crs_4326(boundaries, what=what, error=error)
    codes = _text(frame["code"])
    if codes.isna().any():
        raise error.say(MESSAGES, "no_code", row=frame.index[codes.isna().to_numpy()][0])
    dup = codes[codes.duplicated()]
    if len(dup):
        raise error.say(MESSAGES, "dup_code", code=dup.iloc[0])
    data = {"code": codes}
    for col in _OPTIONAL:
        data[col] = _text(frame[col]) if col in frame.columns else pd.Series(pd.NA, frame.index)
    out = gpd.GeoDataFrame(
        {k: pd.array(v.to_numpy(), dtype="str") for k, v in data.items()},
        geometry=gpd.GeoSeries(frame.geometry.to_numpy(), crs=4326),
    )
    return out.sort_values("code", kind="stable", ignore_index=True)


def own_level(
    desa: gpd.GeoDataFrame, level: Literal["desa", "kecamatan", "kabupaten"]
) -> gpd.GeoDataFrame:
    """Return the units of one level from desa polygons checked by :func:`own_desa`.

    Kecamatan and kabupaten are the union of their desa (grouped on
    ``kecamatan_code`` / ``kabupaten_code``; desa without that code are left out).

    Parameters
    ----------
    desa : GeoDataFrame
        Output of :func:`own_desa`.
    level : {"desa", "kecamatan", "kabupaten"}
        Unit level.

    Returns
    -------
    GeoDataFrame
        ``code``, ``name`` (the first name given in the group), ``area_km2`` (in
        :data:`~kamtibmas_geo.boundaries.EQUAL_AREA_CRS`) and the geometry, sorted by
        ``code``.
    """
    if level == "desa":
        out = desa[["code", "name", "geometry"]].copy()
    else:
        key = f"{level}_code"
        rows = desa[desa[key].notna()]
        groups = rows.groupby(key, sort=True)
        names = groups[f"{level}_name"].first()
        geoms = [shapely.union_all(g.geometry.to_numpy()) for _, g in groups]
        out = gpd.GeoDataFrame(
            {
                "code": pd.array(names.index, dtype="str"),
                "name": pd.array(names.to_numpy(), dtype="str"),
            },
            geometry=gpd.GeoSeries(geoms, crs=4326),
        )
    out["area_km2"] = out.geometry.to_crs(EQUAL_AREA_CRS).area.to_numpy() / 1e6
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- tile → desa index


@dataclass(frozen=True)
class TileIndex:
    """A regular grid of square tiles over the desa, each tile's desa when it is pure.

    A tile is *pure* when the square grown by a small margin lies in the interior of one
    desa and touches no other: every point in it is in that desa and no other.

    Attributes
    ----------
    x0, y0 : float
        South-west corner of the grid (degrees).
    size : float
        Side of a tile (degrees).
    nx, ny : int
        Tiles across and up.
    desa : numpy.ndarray
        ``int32`` row of the desa frame for each tile (``iy * nx + ix``), -1 when the
        tile is not pure (its points are tested against the polygons).
    """

    x0: float
    y0: float
    size: float
    nx: int
    ny: int
    desa: np.ndarray


def _grid(geoms: np.ndarray) -> tuple[float, float, float, int, int]:
    """Return the grid (x0, y0, size, nx, ny) over polygons: fine, at most _MAX_TILES."""
    x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(geoms))
    size = max(TILE_DEG, float(np.sqrt((x1 - x0) * (y1 - y0) / _MAX_TILES)))
    return x0, y0, size, int((x1 - x0) // size) + 1, int((y1 - y0) // size) + 1


def _centre_tiles(geoms: np.ndarray, grid: tuple[float, float, float, int, int]) -> np.ndarray:
    """Return (tile, row) pairs of tiles whose centre lies in each polygon, by row."""
    x0, y0, size, nx, _ = grid
    bounds = shapely.bounds(geoms)
    parts = []
    for row, geom in enumerate(geoms):
        ix = np.arange(int((bounds[row, 0] - x0) // size), int((bounds[row, 2] - x0) // size) + 1)
        iy = np.arange(int((bounds[row, 1] - y0) // size), int((bounds[row, 3] - y0) // size) + 1)
        gx, gy = (a.ravel() for a in np.meshgrid(ix, iy))
        hit = shapely.contains_xy(geom, x0 + (gx + 0.5) * size, y0 + (gy + 0.5) * size)
        keys = gy[hit].astype(np.int64) * nx + gx[hit]
        parts.append(np.column_stack([keys, np.full(len(keys), row, dtype=np.int64)]))
    return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)


def _boxes(keys: np.ndarray, grid: tuple[float, float, float, int, int]) -> np.ndarray:
    """Return the tiles as squares grown by the margin."""
    x0, y0, size, nx, _ = grid
    gx, gy = keys % nx, keys // nx
    return shapely.box(
        x0 + gx * size - _MARGIN_DEG,
        y0 + gy * size - _MARGIN_DEG,
        x0 + (gx + 1) * size + _MARGIN_DEG,
        y0 + (gy + 1) * size + _MARGIN_DEG,
    )


def _overlapping(geoms: np.ndarray) -> np.ndarray:
    """Return pairs (a, b) of polygons whose interiors overlap, both ways round."""
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    a, b = a[a != b], b[a != b]
    keep = shapely.relate_pattern(geoms[a], geoms[b], "T********")
    return np.column_stack([a[keep], b[keep]])


def _touched_by_others(
    rows: np.ndarray, boxes: np.ndarray, geoms: np.ndarray, pairs: np.ndarray
) -> np.ndarray:
    """Return which boxes of a polygon (``rows`` sorted) touch another that overlaps it."""
    touched = np.zeros(len(rows), dtype=bool)
    for a, b in pairs:
        lo, hi = np.searchsorted(rows, [a, a + 1])
        touched[lo:hi] |= shapely.intersects(geoms[b], boxes[lo:hi])
    return touched


def build_tile_index(geoms: np.ndarray) -> TileIndex:
    """Find the pure tiles of desa polygons (in the order of the desa frame, by code).

    Parameters
    ----------
    geoms : numpy.ndarray
        Desa polygons in EPSG:4326.

    Returns
    -------
    TileIndex
    """
    grid = _grid(geoms)
    shapely.prepare(geoms)
    pairs = _centre_tiles(geoms, grid)
    keys, rows = pairs[:, 0], pairs[:, 1]
    boxes = _boxes(keys, grid)
    pure = shapely.contains_properly(geoms[rows], boxes)
    pure &= ~_touched_by_others(rows, boxes, geoms, _overlapping(geoms))
    desa = np.full(grid[3] * grid[4], -1, dtype=np.int32)
    desa[keys[pure]] = rows[pure]
    return TileIndex(*grid, desa=desa)


def index_table(index: TileIndex, codes: np.ndarray) -> pd.DataFrame:
    """Return the pure tiles as a table (``tile``, desa ``code``) to cache on disk."""
    tiles = np.flatnonzero(index.desa >= 0)
    names = pd.Categorical.from_codes(index.desa[tiles], categories=pd.Index(codes, dtype=object))
    return pd.DataFrame({"tile": tiles.astype(np.int64), "code": names})


def index_from_table(table: pd.DataFrame, geoms: np.ndarray, codes: np.ndarray) -> TileIndex | None:
    """Return the index of a cached table for the desa (``codes`` sorted), ``None`` if stale."""
    grid = _grid(geoms)
    names = pd.Categorical(table["code"])
    where = pd.Index(np.asarray(codes, dtype=object)).get_indexer(names.categories.astype(object))
    tiles = table["tile"].to_numpy(dtype=np.int64)
    if (where < 0).any() or (len(tiles) and tiles.max() >= grid[3] * grid[4]):
        return None
    desa = np.full(grid[3] * grid[4], -1, dtype=np.int32)
    desa[tiles] = where[names.codes]
    return TileIndex(*grid, desa=desa)


def _tile_desa(lon: np.ndarray, lat: np.ndarray, index: TileIndex) -> np.ndarray:
    """Return the desa of each point's tile when the tile is pure, else -1 (NaN: -1)."""
    with np.errstate(invalid="ignore", over="ignore"):
        gx = np.floor((lon - index.x0) / index.size)
        gy = np.floor((lat - index.y0) / index.size)
        ok = (gx >= 0) & (gx < index.nx) & (gy >= 0) & (gy < index.ny)
        keys = np.where(ok, gy * index.nx + gx, 0).astype(np.int64)
    return np.where(ok, index.desa[keys], -1)


def _smallest_hit(points: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """Return, for each point, the first polygon it intersects (-1 for none)."""
    best = np.full(len(points), len(geoms), dtype=np.int64)
    if len(points):
        # the tree holds the points and each polygon queries it once (prepared once)
        tree = shapely.STRtree(points)
        unit_pos, point_pos = tree.query(geoms, predicate="intersects")
        np.minimum.at(best, point_pos, unit_pos)
    return np.where(best < len(geoms), best, -1)


def desa_positions(
    lon: np.ndarray,
    lat: np.ndarray,
    geoms: np.ndarray,
    *,
    index: TileIndex | None = None,
    points: np.ndarray | None = None,
) -> np.ndarray:
    """Return the row of the desa each point lies in (the smallest row on a shared border).

    With an ``index``, a point in a pure tile takes that tile's desa by a look-up; only
    the points of the other tiles are tested against the polygons, so the answer is the
    same as testing every point.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Coordinates in degrees; NaN for a missing point.
    geoms : numpy.ndarray
        Desa polygons in the order of the desa frame.
    index : TileIndex, optional
        Pure tiles of ``geoms`` (:func:`build_tile_index`).
    points : numpy.ndarray, optional
        The points as shapely geometries, if already made (saves making them again).

    Returns
    -------
    numpy.ndarray
        ``int64`` rows of ``geoms``, -1 for a point in no desa.
    """
    ok = np.isfinite(lon) & np.isfinite(lat)
    out = np.full(len(lon), -1, dtype=np.int64)
    if index is not None:
        out[:] = _tile_desa(lon, lat, index)
    rows = np.flatnonzero(ok & (out < 0))
    pts = shapely.points(lon[rows], lat[rows]) if points is None else points[rows]
    out[rows] = _smallest_hit(pts, geoms)
    return out


def unit_table(desa: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the unit columns of desa rows (:data:`UNIT_COLUMNS`) as object columns.

    Each desa's codes and names are Python strings made once; rows taken from this table
    (``table.iloc[rows]``) point at them instead of holding a new string each.

    Parameters
    ----------
    desa : GeoDataFrame
        Desa rows in the order of :func:`desa_positions`.

    Returns
    -------
    DataFrame
        One row per desa, columns ``desa_code`` ... ``kabupaten_name``.
    """
    return pd.DataFrame(
        {col: desa[src].astype(object).to_numpy(dtype=object) for col, src in UNIT_COLUMNS.items()}
    )
