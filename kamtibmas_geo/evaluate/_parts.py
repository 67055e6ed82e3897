"""Parts of :mod:`kamtibmas_geo.evaluate._backtest`: metrics, the KDE baseline, cells, periods.

:func:`rank_metrics` (from ``_metrics``) and :func:`kde_scores` are public through
:mod:`kamtibmas_geo.evaluate`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from kamtibmas_geo._errors import ScoreError, SettingsError
from kamtibmas_geo._validate import check_crs_4326
from kamtibmas_geo.calendar._dates import RamadhanDates, parse_target, phases
from kamtibmas_geo.calendar._hijri import TZ, _hijri_year_of_ramadhan_in, _ummalqura
from kamtibmas_geo.evaluate._areas import Jurisdiction, _cells_frame
from kamtibmas_geo.evaluate._metrics import rank_metrics
from kamtibmas_geo.evaluate._window import Window
from kamtibmas_geo.grid._metres import utm_crs

__all__ = ["kde_scores", "rank_metrics"]

MESSAGES = {
    "bandwidth": {
        "id": "bandwidth_m harus lebih dari 0 meter, bukan {value!r}.",
        "en": "bandwidth_m must be > 0 metres, got {value!r}.",
    },
    "share": {
        "id": "area_shares harus di dalam (0, 1], bukan {share!r}; 5% ditulis 0.05.",
        "en": "area_shares must lie in (0, 1], got {share!r}; 5% is 0.05.",
    },
    "window": {
        "id": "Fase window {name!r} bukan salah satu dari {phases}.",
        "en": "window phase {name!r} is not one of {phases}.",
    },
    "bound": {
        "id": "Batas periode harus tanggal atau waktu, bukan {value!r}.",
        "en": "A period bound must be a date or time, got {value!r}.",
    },
    "ends_before": {
        "id": "Periode {item!r} berakhir sebelum dimulai; tulis (awal, akhir).",
        "en": "Period {item!r} ends before it starts.",
    },
    "polygons": {
        "id": "boundaries harus berisi poligon; gabungannya berupa {kind}.",
        "en": "boundaries must hold polygons; their union is a {kind}.",
    },
    "no_cell": {
        "id": "Tidak ada sel H3 res {res} yang bersinggungan dengan boundaries; gunakan "
        "resolusi yang lebih halus (res lebih besar).",
        "en": "No H3 cell at res {res} overlaps the boundaries; use a finer resolution.",
    },
    "time": {
        "id": "records perlu kolom 'time'; kolomnya: {columns}.",
        "en": "records need a 'time' column; they have {columns}.",
    },
    "points": {
        "id": "records perlu geometri Point (GeoDataFrame) atau kolom 'lat' dan 'lon'.",
        "en": "records need Point geometries (a GeoDataFrame) or 'lat' and 'lon' columns.",
    },
}


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


# --------------------------------------------------------------------------- baselines


def kde_scores(
    points: gpd.GeoSeries | gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    *,
    bandwidth_m: float = 500.0,
    cutoff: float = 4.0,
    crs: Any = None,
) -> pd.Series:
    """Gaussian kernel density of points evaluated at cell centres.

    ``score(c) = sum_i exp(-d(c, p_i)^2 / (2 h^2))`` over the points within
    ``cutoff * h`` of the centre (a cKDTree neighbour search; beyond 4 h a point adds less
    than 0.04% of its peak). The normalising constant is left out: only the ranking matters.

    Parameters
    ----------
    points : GeoSeries or GeoDataFrame
        Points, in any CRS.
    cells : GeoDataFrame
        ``hex_id`` and hexagons (EPSG:4326).
    bandwidth_m : float
        Bandwidth ``h`` in metres.
    cutoff : float
        Neighbour search radius in bandwidths.
    crs : optional
        Projected CRS in metres; by default the UTM zone of the cells' centre
        (EPSG:32748, UTM 48S, for OKI and Palembang).

    Returns
    -------
    Series
        Density per cell, indexed by ``hex_id``.
    """
    from scipy.spatial import cKDTree

    if not bandwidth_m > 0:
        raise SettingsError.say(MESSAGES, "bandwidth", value=bandwidth_m)
    c_lat, c_lon = _centres(cells)
    crs = crs or _utm_crs(c_lat, c_lon)
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    geoms = geoms[~(geoms.is_empty | geoms.isna())]
    out = np.zeros(len(cells))
    if len(geoms):
        pts = geoms.to_crs(crs)
        xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
        centres = gpd.GeoSeries.from_xy(c_lon, c_lat, crs=4326).to_crs(crs)
        cxy = np.column_stack([centres.x.to_numpy(), centres.y.to_numpy()])
        pair = cKDTree(cxy).sparse_distance_matrix(
            cKDTree(xy), cutoff * bandwidth_m, output_type="coo_matrix"
        )
        weights = np.exp(-(pair.data**2) / (2 * bandwidth_m**2))
        np.add.at(out, pair.row, weights)
    return pd.Series(out, index=pd.Index(cells["hex_id"].astype(str), name="hex_id"))


# --------------------------------------------------------------------------- periods


def _window(d: RamadhanDates, window: tuple[str, str], opts: Mapping[str, Any]) -> tuple[Any, Any]:
    table = phases(d, **opts).set_index("phase")
    for name in window:
        if name not in table.index:
            raise SettingsError.say(MESSAGES, "window", name=name, phases=", ".join(table.index))
    return table.loc[window[0], "start"], table.loc[window[1], "end"]


def _to_ts(value: Any, tz: str = TZ) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise SettingsError.say(MESSAGES, "bound", value=value) from None
    if ts is pd.NaT:
        raise SettingsError.say(MESSAGES, "bound", value=value)
    return ts.tz_localize(tz) if ts.tzinfo is None else ts.tz_convert(tz)


def _as_pair(item: Any) -> tuple[Any, Any] | None:
    """Return ``item`` as ``(start, end)`` when it is a pair or ``"start..end"`` text."""
    if isinstance(item, tuple | list) and len(item) == 2:
        return item[0], item[1]
    if isinstance(item, str) and ".." in item:
        a, _, b = item.partition("..")
        return a.strip(), b.strip()
    return None


def _period_of(
    item: Any,
    *,
    window: tuple[str, str],
    opts: Mapping[str, Any],
    method: Any,
    overrides: Mapping[int, tuple[Any, Any]] | None,
    tz: str = TZ,
) -> Window:
    pair = _as_pair(item)
    if pair is not None:
        start, end = _to_ts(pair[0], tz), _to_ts(pair[1], tz)
        if end <= start:
            raise SettingsError.say(MESSAGES, "ends_before", item=item)
        return Window(start, end)
    d = parse_target(item, method=method, overrides=overrides)
    start, end = _window(d, window, opts)
    return Window(
        _to_ts(start, tz),
        _to_ts(end, tz),
        label=d.label,
        ramadhan=True,
        past=_past_ramadhans(d.hijri_year, window, opts, method, overrides),
    )


def _past_ramadhans(
    hijri_year: int,
    window: tuple[str, str],
    opts: Mapping[str, Any],
    method: Any,
    overrides: Mapping[int, tuple[Any, Any]] | None,
    years: int = 30,
) -> list[tuple[Any, Any]]:
    """Return the same phase window of the (up to 30) Ramadhans before ``hijri_year``."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for h in range(hijri_year - 1, hijri_year - years - 1, -1):
            try:
                d = parse_target(h, method=method, overrides=overrides)
            except SettingsError:
                break
            out.append(_window(d, window, opts))
    return out


def _default_periods(
    times: pd.Series,
    *,
    window: tuple[str, str],
    opts: Mapping[str, Any],
    method: Any,
    overrides: Mapping[int, tuple[Any, Any]] | None,
    min_history_days: int,
    tz: str = TZ,
) -> list[Window]:
    tmin, tmax = times.min(), times.max()
    out = []
    for year in range(tmin.year, tmax.year + 1):
        for h in _hijri_year_of_ramadhan_in(year):
            uq_start, _ = _ummalqura(h)
            if pd.Timestamp(uq_start, tz=TZ) - pd.Timedelta(days=min_history_days) < tmin:
                continue  # not enough history (checked on Umm al-Qura: no warning)
            p = _period_of(h, window=window, opts=opts, method=method, overrides=overrides, tz=tz)
            if p.start - pd.Timedelta(days=min_history_days) >= tmin and (
                p.end - pd.Timedelta(days=1) <= tmax
            ):
                out.append(p)
    return out


# --------------------------------------------------------------------------- backtest


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


@dataclass(frozen=True)
class _History:
    """The records of a backtest, placed on the cells of its jurisdictions.

    ``gdf``, ``times`` and ``hex_ids`` hold the records with a time and a place (one row
    each); ``inside`` tells those in a cell of the study area, ``precise`` those located
    precisely (not only at a desa/kecamatan), ``unit_of[code]`` those whose point lies in
    that jurisdiction; ``cells`` and ``index`` describe the study area (every cell
    overlapping a jurisdiction), ``units`` the jurisdictions.
    """

    gdf: gpd.GeoDataFrame
    times: pd.Series
    hex_ids: pd.Series
    cells: gpd.GeoDataFrame
    index: pd.Index
    inside: NDArray[np.bool_]
    precise: NDArray[np.bool_]
    units: list[Jurisdiction]
    unit_of: dict[str, NDArray[np.bool_]]


def _history(records: pd.DataFrame, res: int, units: list[Jurisdiction], tz: str = TZ) -> _History:
    """Place the records on the cells of the jurisdictions and in the jurisdictions."""
    gdf, times, hex_ids = _prepare(records, res, tz)
    cells = pd.concat([u.cells for u in units], ignore_index=True)
    cells = cells.drop_duplicates("hex_id").sort_values("hex_id").reset_index(drop=True)
    index = pd.Index(cells["hex_id"].astype(str), name="hex_id")
    lat = gdf.geometry.y.to_numpy(dtype=float)
    lon = gdf.geometry.x.to_numpy(dtype=float)
    return _History(
        gdf=gdf,
        times=times,
        hex_ids=hex_ids,
        cells=cells,
        index=index,
        inside=hex_ids.isin(index).to_numpy(),
        # a report placed only at its desa/kecamatan sits at the unit's inside point: the
        # forecaster spreads it, but as an outcome (or a naive baseline's count) its cell
        # would be an artefact, so outcomes and baselines use precisely located reports only
        precise=_precise(gdf),
        units=units,
        unit_of={u.code: u.holds(lat, lon) for u in units},
    )


def _in_tz(times: pd.Series, tz: str) -> pd.Series:
    """Return the times in ``tz``; naive times are read as ``tz`` (the Settings timezone)."""
    s = (
        times
        if isinstance(times.dtype, pd.DatetimeTZDtype)
        else pd.to_datetime(times, errors="coerce")
    )
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert(tz)
    return s.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")


def _prepare(
    records: pd.DataFrame, res: int, tz: str = TZ
) -> tuple[gpd.GeoDataFrame, pd.Series, pd.Series]:
    from kamtibmas_geo.grid._cells import points_to_cells

    if "time" not in records.columns:
        columns = ", ".join(map(str, records.columns))
        raise ScoreError.say(MESSAGES, "time", columns=columns)
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
        raise ScoreError.say(MESSAGES, "points")
    times = _in_tz(records["time"].reset_index(drop=True), tz)
    hex_ids = pd.Series(points_to_cells(lat, lon, res), dtype=object)
    keep = (times.notna() & hex_ids.notna()).to_numpy()
    gdf = gdf.iloc[np.flatnonzero(keep)].to_crs(4326)
    return gdf, times[keep].reset_index(drop=True), hex_ids[keep].reset_index(drop=True)
