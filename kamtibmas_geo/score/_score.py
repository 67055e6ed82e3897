"""Hotspot scores of H3 cells ahead of a target period (by default Ramadhan 1448 H).

:func:`score_hotspots` turns geocoded disturbance records (and optionally Binmas
activities) into one row per cell of the region with

* counts per disturbance type (records placed only at desa/kecamatan level are spread
  over the unit's cells by area, not dropped);
* a risk score built in visible steps: severity weights (``score_base``), exponential
  time decay (``score_decay``), a seasonal uplift per type learned from past Ramadhans
  with empirical-Bayes shrinkage (``score_seasonal``), spatial smoothing over H3 rings
  (``score_smoothed``), and the final ``score`` with its rank and class 1-5;
* Getis-Ord Gi* on the incident counts (``gi_z``, ``gi_p``, ``gi_p_fdr``, ``gi_bin``,
  ``gi_label``) with an inference calibrated for sparse counts;
* the emerging-hotspot class of the monthly Gi* series (``trend_class``);
* the Binmas activity coverage gap (``coverage_gap``).

:func:`rollup` sums cells to desa, kecamatan, Polsek or kabupaten. The formulas are in
``docs/methods.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from kamtibmas_geo._errors import NoUnitWarning, ScoreError
from kamtibmas_geo._validate import check_choice, check_columns, check_res
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._units import UNIT_COLUMNS, own_desa
from kamtibmas_geo.score._counts import Placement, apportion, cell_exposure, place_records
from kamtibmas_geo.score._emerging import (
    TREND_CLASSES,
    MannKendall,
    emerging_classes,
    emerging_hotspots,
    mann_kendall,
    trend_labels,
)
from kamtibmas_geo.score._gistar import (
    GiStarResult,
    disk_pairs,
    fdr_bh,
    gi_labels,
    gi_star,
    min_permutations,
    neighbour_matrix,
)
from kamtibmas_geo.score._rollup import RollupLevel, rollup

__all__ = [
    "TREND_CLASSES",
    "GiStarResult",
    "MannKendall",
    "RollupLevel",
    "Season",
    "emerging_classes",
    "emerging_hotspots",
    "fdr_bh",
    "gi_star",
    "mann_kendall",
    "min_permutations",
    "neighbour_matrix",
    "rollup",
    "score_hotspots",
    "seasonal_uplift",
    "smooth",
]

#: A period as (start, end), end exclusive.
Season = tuple[pd.Timestamp, pd.Timestamp]

TZ = "Asia/Jakarta"
#: Length of a time step of the emerging-hotspot series.
_STEP_DAYS = {"month": 365.25 / 12, "week": 7.0}
#: Upper quantile of smoothed activity taken as full coverage.
_COVERAGE_Q = 0.9


# --------------------------------------------------------------------------- helpers


def _as_wib(times: pd.Series) -> pd.Series:
    t = pd.to_datetime(times, errors="coerce")
    if getattr(t.dt, "tz", None) is None:
        return t.dt.tz_localize(TZ)
    return t.dt.tz_convert(TZ)


def _wib(value: Any) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize(TZ) if ts.tzinfo is None else ts.tz_convert(TZ)


def _target_season(target: Any, settings: Settings) -> tuple[Season, list[Season], str]:
    """Return the target period, the same period in past Hijri years, and a label."""
    if isinstance(target, tuple):
        start, end = _wib(target[0]), _wib(target[1])
        return (start, end), [], f"{start.date()}..{end.date()}"
    from kamtibmas_geo.calendar._dates import parse_target, phases, ramadhan_dates

    dates = parse_target(target, method=settings.calendar_method)
    ph = phases(dates)
    season = (ph["start"].min(), ph["end"].max())
    past: list[Season] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for year in range(dates.hijri_year - 1, dates.hijri_year - 31, -1):
            try:
                p = phases(ramadhan_dates(year, method=settings.calendar_method))
            except Exception:  # years outside the calendar end the list
                break
            past.append((p["start"].min(), p["end"].max()))
    return season, past, dates.label


def seasonal_uplift(
    times: pd.Series,
    types: pd.Series,
    weights: NDArray[np.float64],
    seasons: Sequence[Season],
    reference: pd.Timestamp,
    *,
    prior: float,
) -> dict[str, float]:
    """Seasonal uplift of each type: its rate in past target seasons against its average.

    ``uplift_t = (n_in + prior) / (E_in + prior)`` where ``n_in`` is the (weighted)
    number of type-``t`` incidents inside the past seasons, and
    ``E_in = n_t × D_in / D`` what a flat rate would put there (``n_t`` all type-``t``
    incidents of the history, ``D_in`` the days of past seasons inside the history,
    ``D`` the days of the history from its first record to ``reference``). The
    pseudo-count ``prior`` shrinks sparse types towards 1 (empirical Bayes with a
    Gamma(prior, prior) prior on the rate ratio).

    Parameters
    ----------
    times : Series
        Record times (Asia/Jakarta).
    types : Series
        Record types.
    weights : ndarray
        Weight of each record (1, or its share when it was spread).
    seasons : sequence of (Timestamp, Timestamp)
        Past target seasons.
    reference : Timestamp
        Start of the target period; the history ends there.
    prior : float
        Shrinkage pseudo-count (``Settings.seasonal_prior``).

    Returns
    -------
    dict
        ``{type: uplift}``.
    """
    if len(times) == 0:
        return {}
    t0 = times.min()
    days = max((reference - t0).total_seconds() / 86400.0, 1e-9)
    inside = np.zeros(len(times), dtype=bool)
    days_in = 0.0
    for start, end in seasons:
        lo, hi = max(start, t0), min(end, reference)
        if hi <= lo:
            continue
        days_in += (hi - lo).total_seconds() / 86400.0
        inside |= ((times >= lo) & (times < hi)).to_numpy()
    out: dict[str, float] = {}
    for key in sorted(types.unique()):
        sel = (types == key).to_numpy()
        n_t = float(weights[sel].sum())
        n_in = float(weights[sel & inside].sum())
        e_in = n_t * days_in / days
        out[str(key)] = (n_in + prior) / (e_in + prior) if (e_in + prior) > 0 else 1.0
    return out


def smooth(values: NDArray[np.float64], cells: Sequence[str], k: int) -> NDArray[np.float64]:
    """Kernel-smooth cell values over ``k`` H3 rings.

    ``s_i = Σ_j K(d_ij) x_j / Σ_j K(d_ij)`` over the cells ``j`` of the list within ``k``
    rings of ``i`` (``d_ij`` the grid distance), with the triangular kernel
    ``K(d) = (k + 1 - d) / (k + 1)``: 1 for the cell itself, ``1/(k+1)`` at the outer
    ring. Dividing by the sum of the weights present keeps edge cells unbiased.

    Parameters
    ----------
    values : ndarray
        One value per cell.
    cells : sequence of str
        H3 ids in the order of ``values``.
    k : int
        Rings; ``0`` returns the values unchanged.

    Returns
    -------
    ndarray
    """
    x = np.asarray(values, dtype=np.float64)
    if k <= 0:
        return x.copy()
    rows, cols, dist = disk_pairs(cells, k)
    data = (k + 1 - dist) / (k + 1)
    n = len(cells)
    kern = sp.csr_array((data, (rows, cols)), shape=(n, n))
    return np.asarray(kern @ x / (kern @ np.ones(n)), dtype=np.float64)


def _score_classes(score: NDArray[np.float64]) -> NDArray[np.int8]:
    """Return classes 1-5: cuts at the 50/75/90/97.5th percentiles of non-zero scores."""
    cls = np.ones(score.size, dtype=np.int8)
    nz = score[score > 0]
    if nz.size == 0:
        return cls
    cuts = np.quantile(nz, [0.5, 0.75, 0.9, 0.975])
    for c, cut in enumerate(cuts, start=2):
        cls[(score > 0) & (score > cut)] = c
    return cls


def _hexagons(cells: Sequence[str]) -> NDArray[np.object_]:
    """Return the cell polygons (lng, lat), built in one vectorised shapely call."""
    import shapely

    bounds = [h3.cell_to_boundary(c) for c in cells]
    sizes = np.fromiter((len(b) for b in bounds), dtype=np.int64, count=len(bounds))
    coords = np.array([xy for b in bounds for xy in b], dtype=np.float64).reshape(-1, 2)
    rings = shapely.linearrings(coords[:, ::-1], indices=np.repeat(np.arange(len(bounds)), sizes))
    return np.asarray(shapely.polygons(rings), dtype=object)


def _records_frame(records: Any, what: str) -> pd.DataFrame:
    frame = getattr(records, "records", records)
    if not isinstance(frame, pd.DataFrame):
        msg = f"{what} must be a (Geo)DataFrame or a RecordSet, got {type(records).__name__}."
        raise ScoreError(msg)
    check_columns(frame, ["time", "type"], what=what, error=ScoreError)
    return frame


def _severity(frame: pd.DataFrame, weights: Mapping[str, float] | None) -> NDArray[np.float64]:
    types = frame["type"].astype(str)
    if "severity" in frame.columns:
        sev = pd.to_numeric(frame["severity"], errors="coerce")
    else:
        sev = pd.Series(np.nan, index=frame.index)
    if sev.isna().any():
        from kamtibmas_geo.records._taxonomy import load_taxonomy

        tax = load_taxonomy()
        known = set(tax.keys("disturbance"))
        default = types.map(
            lambda t: tax.info("disturbance", t).severity if t in known else 1.0
        ).astype(float)
        sev = sev.fillna(default)
    if weights:
        bad = [k for k, v in weights.items() if not np.isfinite(v) or v < 0]
        if bad:
            msg = f"Severity weights must be numbers >= 0; check {bad!r}."
            raise ScoreError(msg)
        sev = types.map(lambda t: weights.get(t, np.nan)).astype(float).fillna(sev)
    return sev.to_numpy(dtype=np.float64)


def _type_columns(types: pd.Series) -> list[str]:
    from kamtibmas_geo.records._taxonomy import load_taxonomy

    keys = list(load_taxonomy().keys("disturbance"))
    return keys + sorted(set(map(str, types.unique())) - set(keys))


def _cell_sum(p: Placement, per_record: NDArray[np.float64], n_cells: int) -> NDArray[np.float64]:
    out = np.zeros(n_cells)
    np.add.at(out, p.cell, per_record[p.record] * p.weight)
    return out


def _units_of(cells: list[str], own: gpd.GeoDataFrame | None, settings: Settings) -> pd.DataFrame:
    """Return the unit columns of the cells; warn about cells that touch no desa."""
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


# --------------------------------------------------------------------------- main


def _trend_end(times: pd.Series, keep: NDArray[np.bool_], t_start: pd.Timestamp) -> pd.Timestamp:
    """Return the end of the emerging-hotspot series.

    That is the target start, or midnight after the last record used if the data stop
    earlier.
    """
    if not keep.any():
        return t_start
    last = times[keep].max()
    return min(t_start, last.normalize() + pd.Timedelta(days=1))


def score_hotspots(
    records: Any,
    *,
    activities: Any = None,
    target: str | int | tuple[Any, Any] = "ramadhan-1448",
    res: int = 9,
    region: str | None = None,
    settings: Settings | None = None,
    cells: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    decay: bool = True,
    seasonal: bool = True,
    smoothing: bool = True,
    gi: bool = True,
    emerging: bool = True,
    seasons: Sequence[tuple[Any, Any]] | None = None,
    exposure: pd.Series | None = None,
    trend_step: Literal["month", "week"] = "month",
    trend_steps: int = 24,
    lang: str | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Score every H3 cell of a region ahead of a target period.

    Parameters
    ----------
    records : GeoDataFrame, DataFrame or RecordSet
        Geocoded disturbance records (``time``, ``type``, ``lat``, ``lon``; optionally
        ``severity``, ``geocode_status``, ``region_level``, ``region_code``).
    activities : GeoDataFrame, DataFrame or RecordSet, optional
        Geocoded Binmas activities (same columns) for the coverage gap.
    target : str, int or (start, end)
        ``"ramadhan-1448"`` (parsed by :func:`kamtibmas_geo.calendar.parse_target`; the
        target period runs from pra-Ramadhan to the end of arus balik), or an explicit
        ``(start, end)`` pair. Only records before the start are used.
    res : int
        H3 resolution.
    region : str, optional
        ``"oki"``, ``"palembang"`` or ``None`` for both (not with ``boundaries``).
    settings : Settings, optional
        Half-life, seasonal prior, smoothing rings, Gi* options, seed, language.
    cells : sequence of str, optional
        Score these cells instead of all cells of ``region`` (or of ``boundaries``).
    weights : dict, optional
        Severity weight per type, overriding the records' ``severity``.
    decay, seasonal, smoothing, gi, emerging : bool
        Switch each part off (``False``): the part's column then repeats the previous
        one (decay, seasonal, smoothing) or holds neutral values (Gi*, trend).
    seasons : sequence of (start, end), optional
        Past target seasons for the uplift; by default the same phases in the 30
        previous Hijri years (only those inside the history count).
    exposure : Series, optional
        Exposure per ``hex_id`` for the count null of Gi* (cell area by default).
    trend_step : {"month", "week"}
        Time step of the emerging-hotspot series, counted back from the target start,
        or from midnight after the last record used when the data end earlier (a
        forecast made in December for a Ramadhan in February would otherwise end its
        series with empty months and call every current hotspot historical).
    trend_steps : int
        Number of steps (ESRI asks for at least 10).
    lang : {"id", "en"}, optional
        Language of labels (``settings.lang`` by default).
    boundaries : GeoDataFrame, optional
        Your own desa/kelurahan polygons for a region outside OKI and Palembang (any
        CRS; ``code`` and optionally ``name``, ``kecamatan_code``, ``kecamatan_name``,
        ``kabupaten_code``, ``kabupaten_name``, as in
        :func:`~kamtibmas_geo.grid.assign_units`). The cells' unit columns then come
        from these polygons, and without ``cells`` the cells scored are the H3 cells
        overlapping them (as in :func:`~kamtibmas_geo.evaluate.backtest`).

    Returns
    -------
    GeoDataFrame
        One row per cell (sorted by ``hex_id``), hexagon geometry in EPSG:4326, with the
        columns listed in ``docs/methods.md``; ``attrs["score"]`` holds the target,
        reference time, uplifts, counts of records left out, the source of the unit
        columns (``"units"``: ``"pack"`` or ``"boundaries"``) and ``n_cells_no_unit``.
        A cell belongs to the desa holding its centre (a border cell: the desa holding
        most of it; :func:`~kamtibmas_geo.grid.cell_units`).

    Raises
    ------
    ScoreError
        If the input cannot be scored, or ``boundaries`` are not usable desa polygons
        (not a GeoDataFrame, no CRS, no ``code``, missing or repeated codes, other
        geometries than polygons), or are given together with ``region``.

    Warns
    -----
    NoUnitWarning
        If some cells touch no desa (with the boundary pack: cells outside OKI and
        Palembang), so that their ``desa_*``, ``kecamatan_*`` and ``kabupaten_*``
        columns are empty and :func:`rollup` leaves them out.
    """
    settings = settings or Settings()
    lang = lang or settings.lang
    check_res(res)
    check_choice("trend_step", trend_step, ("month", "week"))
    frame = _records_frame(records, "records")
    (t_start, t_end), past, label = _target_season(target, settings)
    if seasons is not None:
        past = [(_wib(a), _wib(b)) for a, b in seasons]
    own = None
    if boundaries is not None:
        if region is not None:
            msg = (
                f"Pass either region= ({region!r}, the boundary pack) or boundaries= (your "
                "own polygons), not both."
            )
            raise ScoreError(msg)
        own = own_desa(boundaries, error=ScoreError)
    if cells is not None:
        cell_list = sorted(set(cells))
    elif own is not None:
        from kamtibmas_geo.grid._cells import _polygon_cells

        cell_list = _polygon_cells(own, res)
    else:
        from kamtibmas_geo.grid._cells import region_cells

        cell_list = sorted(region_cells(region, res, settings=settings))
    if not cell_list:
        if cells is not None:
            msg = "cells= is empty: pass at least one H3 cell, or leave it out."
        else:
            msg = f"No H3 cells at resolution {res} for region {region!r}."
        raise ScoreError(msg)
    m = len(cell_list)

    times = _as_wib(frame["time"])
    keep = (times < t_start).to_numpy() & times.notna().to_numpy()
    place = place_records(frame, cell_list, res, settings=settings)
    types = frame["type"].astype(str)
    type_cols = _type_columns(types)
    sev = _severity(frame, weights)
    used = keep[place.record]
    p_used = Placement(
        place.record[used], place.cell[used], place.weight[used], place.unit[used], 0, 0
    )
    rec_w = np.zeros(len(frame))
    np.add.at(rec_w, p_used.record, p_used.weight)

    out: dict[str, Any] = {"hex_id": cell_list}
    n_type = {}
    for t in type_cols:
        is_t = np.asarray((types == t).to_numpy(), dtype=np.float64)
        n_type[t] = _cell_sum(p_used, is_t, m)
    out["n_incidents"] = _cell_sum(p_used, np.ones(len(frame)), m)
    for t in type_cols:
        out[f"n_{t}"] = n_type[t]

    age = (t_start - times).dt.total_seconds().to_numpy() / 86400.0
    hl = settings.half_life_days
    dec = np.where(keep, 0.5 ** (np.nan_to_num(age) / hl), 0.0) if decay and hl > 0 else 1.0
    hist = keep & (rec_w > 0)
    uplift = (
        seasonal_uplift(
            times[hist], types[hist], rec_w[hist], past, t_start, prior=settings.seasonal_prior
        )
        if seasonal
        else {}
    )
    up = types.map(uplift).astype(float).fillna(1.0).to_numpy(dtype=np.float64)
    base = _cell_sum(p_used, sev, m)
    dec_arr = _cell_sum(p_used, sev * dec, m)
    seas = _cell_sum(p_used, sev * dec * up, m)
    k_s = settings.smoothing_k if smoothing else 0
    smoothed = smooth(seas, cell_list, k_s)
    out.update(
        score_base=base,
        score_decay=dec_arr,
        score_seasonal=seas,
        score_smoothed=smoothed,
        score=np.clip(smoothed, 0.0, None),
    )
    score = out["score"]
    out["score_rank"] = pd.Series(-score).rank(method="min").astype(np.int64).to_numpy()
    out["score_class"] = _score_classes(score)

    # Gi* on whole incident counts (spread records apportioned)
    a = neighbour_matrix(cell_list, settings.gi_k)
    expo = (
        exposure.reindex(cell_list).fillna(0.0).to_numpy(dtype=np.float64)
        if exposure is not None
        else cell_exposure(cell_list)
    )
    if gi:
        counts = apportion(p_used, m, keep, np.zeros(len(frame), dtype=np.int64))[:, 0]
        res_gi = gi_star(
            counts,
            a,
            k=settings.gi_k,
            weights=settings.gi_weights,
            inference=settings.gi_inference,
            permutations=settings.permutations,
            exposure=expo,
            fdr_alpha=settings.fdr_alpha,
            seed=settings.seed,
        )
        out.update(gi_z=res_gi.z, gi_p=res_gi.p, gi_p_fdr=res_gi.p_fdr, gi_bin=res_gi.bin)
    else:
        out.update(gi_z=np.zeros(m), gi_p=np.ones(m), gi_p_fdr=np.ones(m))
        out["gi_bin"] = np.zeros(m, dtype=np.int8)
    out["gi_label"] = gi_labels(out["gi_bin"], lang)

    # emerging hotspots over trend_steps steps before the target
    trend = np.full(m, "no_pattern", dtype=object)
    mk_z = np.zeros(m)
    t_trend = _trend_end(times, keep, t_start)
    if emerging and gi and trend_steps >= 2:
        step_len = _STEP_DAYS[trend_step]
        age_trend = (t_trend - times).dt.total_seconds().to_numpy() / 86400.0
        back = np.floor(np.nan_to_num(age_trend, nan=-1.0) / step_len).astype(np.int64)
        in_window = keep & (back >= 0) & (back < trend_steps)
        step = np.where(in_window, trend_steps - 1 - back, 0)
        if in_window.any():
            series = apportion(p_used, m, in_window, step)
            series = np.pad(series, ((0, 0), (0, trend_steps - series.shape[1])))
            z = np.zeros((m, trend_steps))
            bins = np.zeros((m, trend_steps), dtype=np.int8)
            for s in range(trend_steps):
                r = gi_star(series[:, s], a, exposure=expo, fdr_alpha=settings.fdr_alpha)
                z[:, s], bins[:, s] = r.z, r.bin
            mk = mann_kendall(z)
            trend = emerging_classes(bins, z, mk=mk)
            mk_z = mk.z
    out["trend_class"] = trend
    out["trend_label"] = trend_labels(trend, lang)
    out["trend_z"] = mk_z

    # activity coverage gap
    n_act = np.zeros(m)
    coverage = np.zeros(m)
    if activities is not None:
        acts = _records_frame(activities, "activities")
        a_times = _as_wib(acts["time"])
        a_keep = (a_times < t_start).to_numpy() & a_times.notna().to_numpy()
        a_place = place_records(acts, cell_list, res, settings=settings)
        a_age = (t_start - a_times).dt.total_seconds().to_numpy() / 86400.0
        a_dec = np.where(a_keep, 0.5 ** (np.nan_to_num(a_age) / hl) if decay and hl > 0 else 1.0, 0)
        n_act = _cell_sum(a_place, a_keep.astype(np.float64), m)
        a_s = smooth(_cell_sum(a_place, a_dec, m), cell_list, max(settings.smoothing_k, 1))
        pos = a_s[a_s > 0]
        if pos.size:
            coverage = np.clip(a_s / np.quantile(pos, _COVERAGE_Q), 0.0, 1.0)
    top = float(score.max())
    score_norm = score / top if top > 0 else np.zeros(m)
    out["n_activities"] = n_act
    out["activity_coverage"] = coverage
    out["coverage_gap"] = score_norm * (1.0 - coverage)

    table = pd.DataFrame(out)
    units = _units_of(cell_list, own, settings)
    for i, col in enumerate(UNIT_COLUMNS):
        table.insert(1 + i, col, units[col].to_numpy())
    result = gpd.GeoDataFrame(table, geometry=_hexagons(cell_list), crs=4326)
    result.attrs["score"] = {
        "target": label,
        "target_start": t_start.isoformat(),
        "target_end": t_end.isoformat(),
        "res": res,
        "uplift": {k: float(v) for k, v in uplift.items()},
        "n_records": len(frame),
        "n_used": int(keep.sum()),
        "n_outside": place.n_outside,
        "n_kabupaten_only": place.n_vague,
        "past_seasons": len(past),
        "trend_end": t_trend.isoformat(),
        "gi_inference": settings.gi_inference if gi else "off",
        "units": "pack" if own is None else "boundaries",
        "n_cells_no_unit": int(units["desa_code"].isna().sum()),
    }
    return result
