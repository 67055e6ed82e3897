"""Parts of :mod:`kamtibmas_geo.evaluate._backtest`: metrics, the KDE baseline, cells, periods.

:func:`rank_metrics` and :func:`kde_scores` are public through :mod:`kamtibmas_geo.evaluate`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
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


# --------------------------------------------------------------------------- metrics


def _top_order(scores: np.ndarray, hex_ids: np.ndarray) -> np.ndarray:
    # Highest score first; ties by hex_id ascending. NaN scores count as 0.
    s = np.nan_to_num(np.asarray(scores, dtype=float), nan=0.0)
    return np.lexsort((hex_ids, -s))


def rank_metrics(
    scores: pd.Series,
    observed: pd.Series,
    *,
    area_shares: Sequence[float] = (0.01, 0.05, 0.10),
) -> pd.DataFrame:
    """Hit rate, PAI and PEI of one forecast at several shares of the area.

    Parameters
    ----------
    scores : Series
        Forecast score per cell, indexed by ``hex_id``; defines the study area (``A`` cells).
    observed : Series
        Incident count per cell in the test period, indexed by ``hex_id``; cells missing
        here count 0, cells outside ``scores`` are ignored.
    area_shares : sequence of float
        Shares of the area to flag, each in (0, 1].

    Returns
    -------
    DataFrame
        One row per share: ``area_share``, ``n_cells`` (k), ``n_cells_total`` (A),
        ``n_test`` (N), ``n_hits`` (n), ``n_hits_max``, ``hit_rate``, ``pai``, ``pai_max``,
        ``pei`` (NaN where N = 0).

    Examples
    --------
    >>> s = pd.Series([3.0, 2.0, 1.0, 0.0], index=["a", "b", "c", "d"])
    >>> o = pd.Series({"b": 2, "d": 2})
    >>> rank_metrics(s, o, area_shares=[0.25, 0.5])[["n_hits", "pai", "pei"]].values.tolist()
    [[0.0, 0.0, 0.0], [2.0, 1.0, 0.5]]
    """
    for share in area_shares:
        if not 0 < float(share) <= 1:
            raise SettingsError.say(MESSAGES, "share", share=share)
    hex_ids = scores.index.astype(str).to_numpy()
    counts = observed.reindex(scores.index).fillna(0).to_numpy(dtype=float)
    order = _top_order(scores.to_numpy(dtype=float), hex_ids)
    cum = np.concatenate([[0.0], np.cumsum(counts[order])])
    cum_max = np.concatenate([[0.0], np.cumsum(np.sort(counts)[::-1])])
    total_cells = len(hex_ids)
    n_test = float(counts.sum())
    rows = []
    for share in area_shares:
        k = min(total_cells, max(1, round(float(share) * total_cells)))
        n, n_max = float(cum[k]), float(cum_max[k])
        area = k / total_cells
        hit = n / n_test if n_test > 0 else np.nan
        hit_max = n_max / n_test if n_test > 0 else np.nan
        pai, pai_max = hit / area, hit_max / area
        pei = n / n_max if n_max > 0 else np.nan
        rows.append((float(share), k, total_cells, n_test, n, n_max, hit, pai, pai_max, pei))
    return pd.DataFrame(
        rows,
        columns=[
            "area_share",
            "n_cells",
            "n_cells_total",
            "n_test",
            "n_hits",
            "n_hits_max",
            "hit_rate",
            "pai",
            "pai_max",
            "pei",
        ],
    )


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
            raise SettingsError.say(MESSAGES, "window", name=name, phases=", ".join(table.index))
    return table.loc[window[0], "start"], table.loc[window[1], "end"]


def _to_ts(value: Any) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise SettingsError.say(MESSAGES, "bound", value=value) from None
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
            raise SettingsError.say(MESSAGES, "ends_before", item=item)
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
        raise ScoreError.say(MESSAGES, "polygons", kind=geom.geom_type)
    shape = h3.geo_to_h3shape(geom.__geo_interface__)
    cells = h3.h3shape_to_cells_experimental(shape, res, contain="overlap")
    if not cells:
        raise ScoreError.say(MESSAGES, "no_cell", res=res)
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


@dataclass(frozen=True)
class _History:
    """The records of a backtest, placed on the cells of its study area.

    ``gdf``, ``times`` and ``hex_ids`` hold the records with a time and a place (one row
    each); ``inside`` tells those in the study area, ``precise`` those located precisely
    (not only at a desa/kecamatan); ``cells``, ``index`` and ``areas`` describe the area.
    """

    gdf: gpd.GeoDataFrame
    times: pd.Series
    hex_ids: pd.Series
    cells: gpd.GeoDataFrame
    index: pd.Index
    inside: NDArray[np.bool_]
    precise: NDArray[np.bool_]
    areas: NDArray[np.float64]


def _history(
    records: pd.DataFrame, res: int, boundaries: gpd.GeoDataFrame | None, settings: Settings
) -> _History:
    """Place the records on the cells of the study area (the boundaries, or the pack)."""
    gdf, times, hex_ids = _prepare(records, res)
    cells = _study_cells(boundaries, res, settings)
    index = pd.Index(cells["hex_id"].astype(str), name="hex_id")
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
        areas=cells["area_km2"].to_numpy(dtype=float),
    )


def _prepare(records: pd.DataFrame, res: int) -> tuple[gpd.GeoDataFrame, pd.Series, pd.Series]:
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
    times = _as_wib(records["time"].reset_index(drop=True))
    hex_ids = pd.Series(points_to_cells(lat, lon, res), dtype=object)
    keep = (times.notna() & hex_ids.notna()).to_numpy()
    gdf = gdf.iloc[np.flatnonzero(keep)].copy()
    return gdf, times[keep].reset_index(drop=True), hex_ids[keep].reset_index(drop=True)
