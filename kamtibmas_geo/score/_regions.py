"""The jurisdiction (kabupaten/kota) as the unit of analysis: which ones, and their cells.

Every relative statement of the score stage (quantiles and classes, the Gi* null and its
FDR family, emerging hot-spot classes, the coverage gap) is made inside one
kabupaten/kota, the area one Polres plans. :func:`jurisdictions` turns the ``region=``
of :func:`~kamtibmas_geo.score.score_hotspots` into those areas:

* a kabupaten/kota code or name (``"16.71"``, ``"Palembang"``, ``"OKI"``) or a list of
  them: those regions of the boundary pack;
* ``"auto"`` (the default; ``None`` means the same): the kabupaten/kota where the
  records fall (their ``region_code`` from the geocoder, else the point in the pack's
  kabupaten polygons);
* with ``cells=`` or ``boundaries=``: the kabupaten of each cell's unit columns (cells in
  no unit form one area of their own, code ``""``).

A cell belongs to exactly one jurisdiction, the one holding its desa (the desa holding
its centre, or most of it at a border): a border cell that touches two kabupaten is
scored once, in the kabupaten of its desa.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kamtibmas_geo._errors import NoUnitWarning, ScoreError
from kamtibmas_geo.config import Settings

__all__ = [
    "AUTO",
    "MIN_INCIDENTS",
    "Jurisdiction",
    "check_region",
    "is_auto",
    "jurisdictions",
    "record_kabupaten",
    "region_label",
    "units_of",
]

#: The default ``region=``: the kabupaten/kota where the records fall.
AUTO = "auto"
#: Fewer incidents than this in a jurisdiction: hot-spot statistics are unreliable (ArcGIS).
MIN_INCIDENTS = 30

_CODE = re.compile(r"^\d{2}\.\d{2}")

MESSAGES = {
    "auto_empty": {
        "id": "region='auto': tidak satu pun catatan jatuh di kabupaten/kota paket batas "
        "wilayah, jadi wilayah analisis tidak bisa ditentukan. Sebutkan wilayahnya "
        "(region='palembang', '16.02', ...), atau berikan poligon desa Anda sendiri "
        "(boundaries=).",
        "en": "region='auto': no record falls in a kabupaten/kota of the boundary pack, so "
        "the study area cannot be chosen. Name it (region='palembang', '16.02', ...), or "
        "pass your own desa polygons (boundaries=).",
    },
    "region_type": {
        "id": "region= harus berupa kode atau nama kabupaten/kota, daftar kode/nama, atau "
        "'auto'; bukan {got}.",
        "en": "region= must be a kabupaten/kota code or name, a list of them, or 'auto'; "
        "got {got}.",
    },
}


@dataclass(frozen=True)
class Jurisdiction:
    """One kabupaten/kota scored on its own.

    Attributes
    ----------
    code : str
        Kemendagri kabupaten/kota code (``"16.71"``), ``""`` for cells in no unit.
    name : str
        Its name (``"Kota Palembang"``), ``""`` when unknown.
    cells : list of str
        Its H3 cells, sorted.
    units : DataFrame
        The unit columns of those cells (``hex_id``, ``desa_*``, ``kecamatan_*``,
        ``kabupaten_*``), in the order of ``cells``.
    area_km2 : ndarray
        The area of each cell inside the kabupaten/kota, km²: the whole cell inside, the
        part inside at its border (the default exposure of the Gi* null; a border cell
        half in the sea or in the next kabupaten can only receive half the incidents).
    """

    code: str
    name: str
    cells: list[str]
    units: pd.DataFrame
    area_km2: NDArray[np.float64]


def region_label(code: str, name: str, n_cells: int | None = None) -> str:
    """Return ``"Kota Palembang (16.71)"``, with ``", 3.352 sel"`` when a count is given.

    Parameters
    ----------
    code, name : str
        The kabupaten/kota.
    n_cells : int, optional
        Number of cells, written with the Indonesian thousands dot.

    Returns
    -------
    str

    Examples
    --------
    >>> region_label("16.71", "Kota Palembang", 3352)
    'Kota Palembang (16.71), 3.352 sel'
    """
    head = f"{name} ({code})" if name and code else (name or code or "-")
    if n_cells is None:
        return head
    count = f"{n_cells:,}".replace(",", ".")
    return f"{head}, {count} sel"


def record_kabupaten(frame: pd.DataFrame, settings: Settings) -> NDArray[np.object_]:
    """Return the kabupaten/kota code of every record, or ``None`` where it is unknown.

    The geocoder's ``region_code`` (any level) gives it; a record without one but with a
    point (``lat``/``lon``) gets the kabupaten of the pack holding the point.

    Parameters
    ----------
    frame : DataFrame
        Records.
    settings : Settings
        Where the boundary pack is.

    Returns
    -------
    ndarray of object
    """
    out = np.full(len(frame), None, dtype=object)
    if "region_code" in frame.columns:
        # read each distinct code once: a million records hold a few thousand codes
        pos, distinct = pd.factorize(frame["region_code"], use_na_sentinel=True)
        kab = [_kabupaten_of(code) for code in distinct]
        out = np.asarray([*kab, None], dtype=object)[pos]  # position -1 (no code): None
    todo = np.flatnonzero(pd.isna(out))
    if len(todo) and {"lat", "lon"} <= set(frame.columns):
        out[todo] = _point_kabupaten(frame.iloc[todo], settings)
    return out


def _kabupaten_of(code: object) -> str | None:
    """Return the kabupaten part (``"16.71"``) of a unit code, ``None`` if not a code."""
    text = str(code).strip()
    return text[:5] if _CODE.match(text) else None


#: Bounds of Sumatera Selatan (lon, lat) with a margin: points outside are in no region.
_PROVINCE_BOUNDS = (101.9, -5.0, 106.3, -1.5)


def _point_kabupaten(frame: pd.DataFrame, settings: Settings) -> NDArray[np.object_]:
    """Kabupaten code of the pack holding each record's point (``None`` outside).

    The default regions (OKI, Palembang) are tried first; only points in the province but
    outside them load the other kabupaten/kota (built lazily on first use).
    """
    lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=np.float64)
    lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=np.float64)
    out = np.full(len(frame), None, dtype=object)
    x0, y0, x1, y1 = _PROVINCE_BOUNDS
    todo = np.isfinite(lat) & np.isfinite(lon) & (lon >= x0) & (lon <= x1)
    todo &= (lat >= y0) & (lat <= y1)
    for regions in ("all", "sumsel"):
        if not todo.any():
            break
        rows = np.flatnonzero(todo)
        out[rows] = _within(lon[rows], lat[rows], regions, settings)
        todo[rows] = pd.isna(out[rows])
    return out


def _within(
    lon: NDArray[np.float64], lat: NDArray[np.float64], regions: str, settings: Settings
) -> NDArray[np.object_]:
    """Kabupaten code of ``regions`` holding each point, ``None`` outside."""
    from kamtibmas_geo.boundaries._pack import load_boundaries

    kab = load_boundaries("kabupaten", regions, settings=settings)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    hit = gpd.sjoin(pts, kab[["code", "geometry"]], how="left", predicate="within")
    hit = hit[~hit.index.duplicated(keep="first")].sort_index()
    codes = hit["code"].astype(object).to_numpy()
    return np.array([c if isinstance(c, str) else None for c in codes], dtype=object)


def _asked_codes(region: Any) -> list[str] | None:
    """Return the kabupaten codes named by ``region``, or ``None`` for ``"auto"``."""
    from kamtibmas_geo.boundaries._pack import resolve_region

    if region is None or (isinstance(region, str) and region.strip().lower() == AUTO):
        return None
    if isinstance(region, str):
        return sorted(set(resolve_region(region)))
    if isinstance(region, Sequence) and region and all(isinstance(r, str) for r in region):
        return sorted({c for r in region for c in resolve_region(r)})
    raise ScoreError.say(MESSAGES, "region_type", got=repr(region))


def check_region(region: Any) -> None:
    """Refuse an unknown or malformed ``region=`` before any work.

    Parameters
    ----------
    region : str, list of str or None
        As in :func:`jurisdictions`.
    """
    _asked_codes(region)


def is_auto(region: Any) -> bool:
    """Return whether ``region`` asks for the kabupaten/kota where the records fall.

    Parameters
    ----------
    region : str, list of str or None
        As in :func:`jurisdictions`.

    Returns
    -------
    bool
    """
    return region is None or (isinstance(region, str) and region.strip().lower() == AUTO)


def jurisdictions(
    frame: pd.DataFrame,
    region: Any,
    *,
    res: int,
    cells: Sequence[str] | None,
    own: gpd.GeoDataFrame | None,
    settings: Settings,
) -> list[Jurisdiction]:
    """Return the kabupaten/kota to score, each with its cells and their unit columns.

    Parameters
    ----------
    frame : DataFrame
        The records (for ``region="auto"``).
    region : str, list of str or None
        Codes or names, or ``"auto"``/``None``.
    res : int
        H3 resolution.
    cells : sequence of str, optional
        Cells given by the caller (split by their kabupaten).
    own : GeoDataFrame, optional
        The user's desa polygons (checked).
    settings : Settings
        Where the boundary pack is.

    Returns
    -------
    list of Jurisdiction
        Sorted by code.

    Raises
    ------
    ScoreError
        With ``"auto"``, if no record falls in a kabupaten/kota of the pack.
    """
    if cells is not None or own is not None:
        return _split_cells(cells, own, res, settings)
    codes = _asked_codes(region)
    if codes is None:
        found = record_kabupaten(frame, settings)
        codes = sorted({str(c) for c in pd.unique(found) if c is not None} & set(_pack_codes()))
        if not codes:
            raise ScoreError.say(MESSAGES, "auto_empty")
    return [_pack_area(code, res, settings) for code in codes]


def _pack_codes() -> list[str]:
    from kamtibmas_geo.boundaries._pack import resolve_region

    return resolve_region("sumsel")


def _pack_area(code: str, res: int, settings: Settings) -> Jurisdiction:
    """Return one kabupaten of the pack with the cells of its desa (centre or most area).

    Kept in memory per pack (its digest), kabupaten and resolution, and in a derived
    table beside the pack (checked by its SHA-256 like the crosswalk): a backtest or a
    series of runs over one jurisdiction finds its cells, units and areas once.
    """
    from kamtibmas_geo.boundaries._pack import region_packs

    pack = region_packs(code, settings=settings)[0][0]
    return _pack_area_cached(str(pack.path), pack.digest, code, res, settings)


@lru_cache(maxsize=8)
def _pack_area_cached(
    folder: str, digest: str, code: str, res: int, settings: Settings
) -> Jurisdiction:
    from kamtibmas_geo.boundaries._integrity import load_derived, save_derived

    path = Path(folder) / f"jurisdiction-{code}-r{res}.parquet"
    table = load_derived(path, digest)
    if table is None:
        built = _build_area_table(code, res, settings)
        save_derived(path, built, digest)
        # read back, so a first run and a cached one hold the same dtypes; the table as
        # built when the cache folder cannot be written
        table = load_derived(path, digest)
        table = built if table is None else table
    area = table.pop(_AREA).to_numpy(dtype=np.float64)
    name = str(table["kabupaten_name"].iloc[0]) if len(table) else ""
    cells = table["hex_id"].astype(str).tolist()
    return Jurisdiction(code, name, cells, table, area)


#: The column of the derived jurisdiction table holding each cell's area inside it.
_AREA = "area_in_km2"


def _build_area_table(code: str, res: int, settings: Settings) -> pd.DataFrame:
    """Return the cells of one kabupaten with their unit columns and area inside it."""
    from kamtibmas_geo.boundaries._pack import load_boundaries
    from kamtibmas_geo.grid._cells import cell_units, region_cells

    cand = sorted(region_cells(code, res, settings=settings))
    units = cell_units(cand, settings=settings, region=code)
    mine = (units["kabupaten_code"].astype("string") == code).fillna(False).to_numpy()
    units = units.loc[mine].reset_index(drop=True)
    cells = units["hex_id"].astype(str).tolist()
    kab = load_boundaries("kabupaten", code, settings=settings)
    return units.assign(**{_AREA: inside_area(cells, kab.geometry.to_numpy())})


def inside_area(cells: Sequence[str], polygons: Any) -> NDArray[np.float64]:
    """Return the area of each cell inside the union of ``polygons`` (EPSG:4326), in km².

    A cell wholly inside counts its H3 area; a border cell its H3 area times the share
    of its hexagon inside (measured in degrees, which is exact enough for the ratio of a
    0.1 km² hexagon).

    Parameters
    ----------
    cells : sequence of str
        H3 ids.
    polygons : array of shapely geometries
        The area, in EPSG:4326.

    Returns
    -------
    ndarray
    """
    import h3
    import shapely

    from kamtibmas_geo.grid._cells import cells_to_gdf

    full = np.array([h3.cell_area(c, unit="km^2") for c in cells], dtype=np.float64)
    if not len(cells):
        return full
    area = shapely.union_all(np.asarray(polygons))
    shapely.prepare(area)
    hexes = cells_to_gdf(cells).geometry.to_numpy()
    border = ~shapely.contains_properly(area, hexes)
    if border.any():
        part = shapely.area(shapely.intersection(hexes[border], area))
        full[border] *= np.clip(part / shapely.area(hexes[border]), 0.0, 1.0)
    return full


def _split_cells(
    cells: Sequence[str] | None, own: gpd.GeoDataFrame | None, res: int, settings: Settings
) -> list[Jurisdiction]:
    """Group given cells (or those of own boundaries) by the kabupaten of their units."""
    from kamtibmas_geo.grid._cells import _polygon_cells

    cell_list = sorted(set(cells)) if cells is not None else _polygon_cells(own, res)
    if not cell_list:
        return []
    units = units_of(cell_list, own, settings).reset_index(drop=True)
    key = units["kabupaten_code"].astype("string").fillna("").to_numpy()
    out = []
    for code in sorted(set(key)):
        part = units.loc[key == code].reset_index(drop=True)
        names = part["kabupaten_name"].dropna()
        name = str(names.iloc[0]) if len(names) else ""
        ids = part["hex_id"].astype(str).tolist()
        area = inside_area(ids, _area_polygons(str(code), own, settings))
        out.append(Jurisdiction(str(code), name, ids, part, area))
    return out


def _area_polygons(code: str, own: gpd.GeoDataFrame | None, settings: Settings) -> Any:
    """Return the polygons of kabupaten ``code``: own desa of it, or the pack's kabupaten.

    Cells in no unit (``code == ""``) keep their whole area (the world polygon).
    """
    import shapely

    if not code:
        return np.array([shapely.box(-180, -90, 180, 90)])
    if own is not None:
        if "kabupaten_code" in own.columns:
            own = own[own["kabupaten_code"].astype("string") == code]
        return own.to_crs(4326).geometry.to_numpy()
    from kamtibmas_geo.boundaries._pack import load_boundaries

    return load_boundaries("kabupaten", code, settings=settings).geometry.to_numpy()


def units_of(cells: list[str], own: gpd.GeoDataFrame | None, settings: Settings) -> pd.DataFrame:
    """Return the unit columns of the cells; warn about cells that touch no desa.

    Parameters
    ----------
    cells : list of str
        H3 ids.
    own : GeoDataFrame, optional
        The user's desa polygons, or ``None`` for the boundary pack.
    settings : Settings
        Where the boundary pack is.

    Returns
    -------
    DataFrame
        ``hex_id`` and the ``desa_*``, ``kecamatan_*``, ``kabupaten_*`` columns.
    """
    from kamtibmas_geo.grid._cells import cell_units

    units = cell_units(cells, settings=settings, boundaries=own)
    n_none = int(units["desa_code"].isna().sum())
    if n_none:
        cols = "desa_*, kecamatan_* and kabupaten_*"
        if own is not None:
            msg = (
                f"{n_none} of {len(cells)} cells touch none of the boundaries' desa: their "
                f"{cols} columns are empty and rollup() leaves them out."
            )
        elif n_none == len(cells):
            msg = (
                f"None of the {len(cells)} cells lies in OKI or Palembang (the boundary "
                f"pack), so their {cols} columns are empty and rollup() cannot use them. "
                "For another region pass your own desa polygons: "
                "score_hotspots(..., boundaries=desa)."
            )
        else:
            msg = (
                f"{n_none} of {len(cells)} cells lie outside OKI and Palembang (the boundary "
                f"pack): their {cols} columns are empty and rollup() leaves them out. For "
                "another region pass your own desa polygons as boundaries=."
            )
        warnings.warn(msg, NoUnitWarning, stacklevel=3)
    return units
