"""Private helpers of :mod:`kamtibmas_geo.evaluate._backtest`: study cells, records, periods."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from kamtibmas_geo._errors import ScoreError, SettingsError
from kamtibmas_geo._validate import check_crs_4326
from kamtibmas_geo.calendar._dates import RamadhanDates, parse_target, phases
from kamtibmas_geo.calendar._hijri import TZ, _as_wib, _hijri_year_of_ramadhan_in, _ummalqura
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._metres import utm_crs


def _cells_frame(ids: Iterable[str]) -> gpd.GeoDataFrame:
    # hex_id, centre (lat, lon), area_km2 and hexagon, vectorised with h3ronpy.
    import h3ronpy
    import pyarrow as pa
    from h3ronpy.vector import cells_to_coordinates, cells_to_wkb_polygons

    hex_ids = sorted({str(c) for c in ids})
    arr = h3ronpy.cells_parse(pa.array(hex_ids, type=pa.string()))
    coords = cells_to_coordinates(arr)
    polys = shapely.from_wkb(np.asarray(cells_to_wkb_polygons(arr)))
    return gpd.GeoDataFrame(
        {
            "hex_id": pd.array(hex_ids, dtype="str"),
            "lat": np.asarray(coords.column("lat")),
            "lon": np.asarray(coords.column("lng")),
            "area_km2": np.asarray(h3ronpy.cells_area_km2(arr)),
        },
        geometry=gpd.GeoSeries(polys, crs=4326),
    )


def _centres(cells: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    if {"lat", "lon"} <= set(cells.columns):
        return cells["lat"].to_numpy(dtype=float), cells["lon"].to_numpy(dtype=float)
    frame = _cells_frame(cells["hex_id"])
    frame = frame.set_index("hex_id").reindex(cells["hex_id"].astype(str))
    return frame["lat"].to_numpy(dtype=float), frame["lon"].to_numpy(dtype=float)


def _utm_crs(lat: np.ndarray, lon: np.ndarray) -> str:
    return utm_crs(lon, lat)


def _counts(hex_ids: pd.Series, cells: pd.Index) -> pd.Series:
    return hex_ids.value_counts().reindex(cells, fill_value=0).astype(float)


# --------------------------------------------------------------------------- forecasters


def _past_seasons(
    period: tuple[pd.Timestamp, pd.Timestamp],
    window: tuple[str, str],
    opts: Mapping[str, Any],
    method: Any,
    overrides: Mapping[int, tuple[Any, Any]] | None,
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    start, end = period
    hijri = None
    for year in range(start.year, end.year + 1):
        for h in _hijri_year_of_ramadhan_in(year):
            first, _ = _ummalqura(h)
            if start.date() - pd.Timedelta(days=3) <= first < end.date():
                hijri = h
                break
        if hijri is not None:
            break
    if hijri is None:
        return [
            (start - pd.DateOffset(years=k), end - pd.DateOffset(years=k)) for k in range(1, 11)
        ]
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for h in range(hijri - 1, hijri - 31, -1):
            try:
                d = parse_target(h, method=method, overrides=overrides)
            except SettingsError:
                break
            out.append(_window(d, window, opts))
    return out


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True, slots=True)
class _Period:
    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    previous: tuple[pd.Timestamp, pd.Timestamp]


def _window(d: RamadhanDates, window: tuple[str, str], opts: Mapping[str, Any]) -> tuple[Any, Any]:
    table = phases(d, **opts).set_index("phase")
    for name in window:
        if name not in table.index:
            msg = f"window phase {name!r} is not one of {', '.join(table.index)}."
            raise SettingsError(msg)
    return table.loc[window[0], "start"], table.loc[window[1], "end"]


def _to_ts(value: Any) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        msg = f"A period bound must be a date or time, got {value!r}."
        raise SettingsError(msg) from None
    return ts.tz_localize(TZ) if ts.tzinfo is None else ts.tz_convert(TZ)


def _period_of(
    item: Any,
    *,
    window: tuple[str, str],
    opts: Mapping[str, Any],
    method: Any,
    overrides: Mapping[int, tuple[Any, Any]] | None,
) -> _Period:
    if isinstance(item, tuple | list) and len(item) == 2:
        start, end = _to_ts(item[0]), _to_ts(item[1])
        if end <= start:
            msg = f"Period {item!r} ends before it starts."
            raise SettingsError(msg)
        prev = (start - pd.DateOffset(years=1), end - pd.DateOffset(years=1))
        return _Period(f"{start.date()}..{end.date()}", start, end, prev)
    d = parse_target(item, method=method, overrides=overrides)
    start, end = _window(d, window, opts)
    before = parse_target(d.hijri_year - 1, method=method, overrides=overrides)
    return _Period(d.label, start, end, _window(before, window, opts))


def _default_periods(
    times: pd.Series,
    *,
    window: tuple[str, str],
    opts: Mapping[str, Any],
    method: Any,
    overrides: Mapping[int, tuple[Any, Any]] | None,
    min_history_days: int,
) -> list[_Period]:
    tmin, tmax = times.min(), times.max()
    out = []
    for year in range(tmin.year, tmax.year + 1):
        for h in _hijri_year_of_ramadhan_in(year):
            uq_start, _ = _ummalqura(h)
            if pd.Timestamp(uq_start, tz=TZ) - pd.Timedelta(days=min_history_days) < tmin:
                continue  # not enough history (checked on Umm al-Qura: no warning)
            p = _period_of(h, window=window, opts=opts, method=method, overrides=overrides)
            if p.start - pd.Timedelta(days=min_history_days) >= tmin and (
                p.end - pd.Timedelta(days=1) <= tmax
            ):
                out.append(p)
    return out


# --------------------------------------------------------------------------- backtest


def _study_cells(
    boundaries: gpd.GeoDataFrame | None, res: int, settings: Settings
) -> gpd.GeoDataFrame:
    from kamtibmas_geo.grid._cells import region_cells

    if boundaries is None:
        return _cells_frame(region_cells(None, res, settings=settings))
    bounds = check_crs_4326(boundaries, what="boundaries", error=ScoreError)
    geom = shapely.union_all(bounds.geometry.values)
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        msg = f"boundaries must hold polygons; their union is a {geom.geom_type}."
        raise ScoreError(msg)
    shape = h3.geo_to_h3shape(geom.__geo_interface__)
    cells = h3.h3shape_to_cells_experimental(shape, res, contain="overlap")
    if not cells:
        msg = f"No H3 cell at res {res} overlaps the boundaries; use a finer resolution."
        raise ScoreError(msg)
    return _cells_frame(cells)


def _precise(records: pd.DataFrame) -> NDArray[np.bool_]:
    """Return which records have a precise location (their point, or a landmark).

    Records the geocoder placed only at a desa/kelurahan, kecamatan or kabupaten
    (``geocode_status == "matched"`` with such a ``region_level``) stand at the unit's
    inside point, which is not where the incident happened.
    """
    if not {"geocode_status", "region_level"} <= set(records.columns):
        return np.ones(len(records), dtype=bool)
    status = records["geocode_status"].astype("string").fillna("").to_numpy()
    level = records["region_level"].astype("string").fillna("").to_numpy()
    area_only = (status == "matched") & np.isin(level, ["desa", "kecamatan", "kabupaten"])
    return np.asarray(~area_only, dtype=bool)


def _prepare(records: pd.DataFrame, res: int) -> tuple[gpd.GeoDataFrame, pd.Series, pd.Series]:
    from kamtibmas_geo.grid._cells import points_to_cells

    if "time" not in records.columns:
        msg = f"records need a 'time' column; they have {', '.join(map(str, records.columns))}."
        raise ScoreError(msg)
    if isinstance(records, gpd.GeoDataFrame) and records.geometry.name in records.columns:
        pts = check_crs_4326(records, what="records", error=ScoreError)
        geom = pts.geometry.values
        missing = shapely.is_missing(geom) | shapely.is_empty(geom)
        safe = np.where(missing, None, geom)
        lat = np.where(missing, np.nan, shapely.get_y(safe)).astype(float)
        lon = np.where(missing, np.nan, shapely.get_x(safe)).astype(float)
        gdf = records
    elif {"lat", "lon"} <= set(records.columns):
        lat = pd.to_numeric(records["lat"], errors="coerce").to_numpy(dtype=float)
        lon = pd.to_numeric(records["lon"], errors="coerce").to_numpy(dtype=float)
        gdf = gpd.GeoDataFrame(records, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    else:
        msg = "records need Point geometries (a GeoDataFrame) or 'lat' and 'lon' columns."
        raise ScoreError(msg)
    times = _as_wib(records["time"].reset_index(drop=True))
    hex_ids = pd.Series(points_to_cells(lat, lon, res), dtype=object)
    keep = (times.notna() & hex_ids.notna()).to_numpy()
    gdf = gdf.iloc[np.flatnonzero(keep)].copy()
    return gdf, times[keep].reset_index(drop=True), hex_ids[keep].reset_index(drop=True)
