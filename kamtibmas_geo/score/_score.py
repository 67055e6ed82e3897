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
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from kamtibmas_geo._errors import ScoreError, SettingsError
from kamtibmas_geo._validate import check_columns, check_res
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._units import UNIT_COLUMNS, own_desa
from kamtibmas_geo.score._counts import Placement, place_records, point_counts
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
from kamtibmas_geo.score._options import ScoreOptions
from kamtibmas_geo.score._regions import (
    MIN_INCIDENTS,
    Jurisdiction,
    check_region,
    is_auto,
    jurisdictions,
    region_label,
)
from kamtibmas_geo.score._rollup import RollupLevel, rollup
from kamtibmas_geo.score._warnings import SmallSampleWarning

__all__ = [
    "TREND_CLASSES",
    "GiStarResult",
    "MannKendall",
    "RollupLevel",
    "ScoreOptions",
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

MESSAGES = {
    "target_far": {
        "id": "Target {target} dimulai {start}, {years} tahun setelah kejadian terakhir "
        "({newest}); skor titik rawan hanya bermakna untuk periode yang dekat (paling lama 3 "
        "tahun). Periksa --target, mis. ramadhan-1448.",
        "en": "The target {target} starts on {start}, {years} years after the newest incident "
        "({newest}); hotspot scores only make sense for a near period (at most 3 years). "
        "Check --target, e.g. ramadhan-1448.",
    },
    "not_table": {
        "id": "{what} harus berupa tabel (DataFrame atau GeoDataFrame) atau RecordSet hasil "
        "read_records()/geocode(), bukan {got}.",
        "en": "{what} must be a (Geo)DataFrame or a RecordSet, got {got}.",
    },
    "region_and_boundaries": {
        "id": "Pakai salah satu saja: region= ({region!r}, paket batas wilayah OKI dan "
        "Palembang) atau boundaries= (poligon desa Anda sendiri), jangan keduanya.",
        "en": "Pass either region= ({region!r}, the boundary pack) or boundaries= (your "
        "own polygons), not both.",
    },
    "no_cells_given": {
        "id": "cells= kosong: berikan minimal satu sel H3, atau hapus argumen cells=.",
        "en": "cells= is empty: pass at least one H3 cell, or leave it out.",
    },
    "no_cells": {
        "id": "Tidak ada sel H3 pada resolusi {res} untuk wilayah {region!r}.",
        "en": "No H3 cells at resolution {res} for region {region!r}.",
    },
    "small_sample": {
        "id": "{region}: hanya {n} kejadian (kurang dari {need}); titik panas dan kelas risiko "
        "dari sedikit kejadian tidak dapat diandalkan. Pakai riwayat yang lebih panjang atau "
        "baca hasilnya sebagai petunjuk saja.",
        "en": "{region}: only {n} incidents (fewer than {need}); hot spots and risk classes "
        "from so few incidents are unreliable. Use a longer history, or read the result as "
        "a hint only.",
    },
    "exposure_missing": {
        "id": "Paparan (exposure) per desa tidak punya nilai untuk {n} desa wilayah ini, "
        "misalnya {codes}; berikan nilai (penduduk atau rumah tangga) untuk setiap desa.",
        "en": "The per-desa exposure has no value for {n} desa of this region, e.g. {codes}; "
        "give a value (population or households) for every desa.",
    },
    "options": {
        "id": "options= harus berupa ScoreOptions, misalnya options=ScoreOptions(gi=False); "
        "bukan {got}.",
        "en": "options= must be a ScoreOptions, for example options=ScoreOptions(gi=False); "
        "got {got}.",
    },
}


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
        raise ScoreError.say(MESSAGES, "not_table", what=what, got=type(records).__name__)
    check_columns(frame, ["time", "type"], what=what, error=ScoreError)
    return frame


def _severity(frame: pd.DataFrame, weights: Mapping[str, float] | None) -> NDArray[np.float64]:
    """Severity of every record: ``weights``, else its ``severity``, else the taxonomy's."""
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
    if weights:  # checked by ScoreOptions
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


# --------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class _History:
    """The records of a run placed on the cells, and which of them are history.

    Attributes
    ----------
    frame : DataFrame
        The records.
    times : Series
        Their times in Asia/Jakarta.
    types : Series
        Their types, as text.
    keep : ndarray of bool
        Records with a time before the target start: the history used.
    place : Placement
        Every record on the cells.
    used : Placement
        The pieces of the records kept.
    weight : ndarray
        Each record's total weight on the cells (0 when not kept or off the cells).
    """

    frame: pd.DataFrame
    times: pd.Series
    types: pd.Series
    keep: NDArray[np.bool_]
    place: Placement
    used: Placement
    weight: NDArray[np.float64]


#: A target this long after the newest record is refused: scores forecast the near future.
MAX_LEAD = pd.Timedelta(days=3 * 365)


def _check_target_near(frame: pd.DataFrame, t_start: pd.Timestamp, label: str) -> None:
    """Refuse a target that starts years after the newest record (``ramadhan-1500``)."""
    newest = _as_wib(frame["time"]).max()
    if pd.notna(newest) and t_start - newest > MAX_LEAD:
        raise ScoreError.say(
            MESSAGES,
            "target_far",
            target=label,
            start=t_start.date().isoformat(),
            newest=newest.date().isoformat(),
            years=int((t_start - newest).days // 365),
        )


def _kept_times(frame: pd.DataFrame, t_start: pd.Timestamp) -> tuple[pd.Series, NDArray[np.bool_]]:
    """Return the record times (Asia/Jakarta) and which of them come before ``t_start``."""
    times = _as_wib(frame["time"])
    return times, (times < t_start).to_numpy() & times.notna().to_numpy()


def _own_boundaries(
    boundaries: Any, region: Any, cells: Sequence[str] | None
) -> gpd.GeoDataFrame | None:
    """Return the user's desa polygons, checked, or ``None`` to use the boundary pack.

    A ``region`` that will be used must be known: it fails here, before any work.
    """
    if boundaries is None:
        if cells is None:
            check_region(region)
        elif cells is not None and not list(cells):
            raise ScoreError.say(MESSAGES, "no_cells_given")
        return None
    if not is_auto(region):
        raise ScoreError.say(MESSAGES, "region_and_boundaries", region=region)
    return own_desa(boundaries, error=ScoreError)


def _history(
    frame: pd.DataFrame, cells: list[str], res: int, t_start: pd.Timestamp, settings: Settings
) -> _History:
    """Place the records on the cells and keep those before the target start."""
    times, keep = _kept_times(frame, t_start)
    place = place_records(frame, cells, res, settings=settings)
    use = keep[place.record]
    used = Placement(place.record[use], place.cell[use], place.weight[use], place.unit[use], 0, 0)
    weight = np.zeros(len(frame))
    np.add.at(weight, used.record, used.weight)
    return _History(frame, times, frame["type"].astype(str), keep, place, used, weight)


def _count_columns(hist: _History, m: int) -> dict[str, NDArray[np.float64]]:
    """``n_incidents`` and ``n_<type>`` of every cell (spread records by their share)."""
    out = {"n_incidents": _cell_sum(hist.used, np.ones(len(hist.frame)), m)}
    for t in _type_columns(hist.types):
        is_t = np.asarray((hist.types == t).to_numpy(), dtype=np.float64)
        out[f"n_{t}"] = _cell_sum(hist.used, is_t, m)
    return out


def _decay(
    times: pd.Series,
    keep: NDArray[np.bool_],
    t_start: pd.Timestamp,
    half_life: float,
    on: bool,
) -> NDArray[np.float64]:
    """Return each record's age weight ``0.5 ** (age / half_life)`` (1 when off; 0 if not kept)."""
    if not (on and half_life > 0):
        return np.where(keep, 1.0, 0.0)
    age = (t_start - times).dt.total_seconds().to_numpy() / 86400.0
    return np.where(keep, 0.5 ** (np.nan_to_num(age) / half_life), 0.0)


def _risk_columns(
    hist: _History,
    cells: list[str],
    t_start: pd.Timestamp,
    past: Sequence[Season],
    settings: Settings,
    options: ScoreOptions,
) -> tuple[dict[str, Any], dict[str, float]]:
    """Return the score in its visible steps (base, decay, seasonal, smoothed), rank, class.

    Also returns the seasonal uplift of each type.
    """
    m = len(cells)
    sev = _severity(hist.frame, options.weights)
    dec = _decay(hist.times, hist.keep, t_start, settings.half_life_days, options.decay)
    uplift: dict[str, float] = {}
    if options.seasonal:
        h = hist.keep & (hist.weight > 0)
        prior = settings.seasonal_prior
        uplift = seasonal_uplift(
            hist.times[h], hist.types[h], hist.weight[h], past, t_start, prior=prior
        )
    up = hist.types.map(uplift).astype(float).fillna(1.0).to_numpy(dtype=np.float64)
    seasonal = _cell_sum(hist.used, sev * dec * up, m)
    smoothed = smooth(seasonal, cells, settings.smoothing_k if options.smoothing else 0)
    score = np.clip(smoothed, 0.0, None)
    columns = {
        "score_base": _cell_sum(hist.used, sev, m),
        "score_decay": _cell_sum(hist.used, sev * dec, m),
        "score_seasonal": seasonal,
        "score_smoothed": smoothed,
        "score": score,
        "score_rank": pd.Series(-score).rank(method="min").astype(np.int64).to_numpy(),
        "score_class": _score_classes(score),
    }
    return columns, uplift


def _neighbourhood(
    area: Jurisdiction, settings: Settings, exposure: pd.Series | None
) -> tuple[sp.csr_array, NDArray[np.float64]]:
    """Return the Gi* neighbourhood matrix and the exposure of every cell.

    The exposure is by default each cell's area inside the kabupaten/kota.
    """
    a = neighbour_matrix(area.cells, settings.gi_k)
    if exposure is None:
        return a, area.area_km2
    return a, _cell_exposure_of(exposure, area)


def _cell_exposure_of(exposure: pd.Series, area: Jurisdiction) -> NDArray[np.float64]:
    """Exposure per cell: given per ``hex_id``, or per desa code and shared by its cells.

    A desa's exposure (its population or households) is shared among its cells in
    proportion to their area inside the kabupaten/kota, so a desa of 3,000 people over
    30 whole cells gives each 100.
    """
    index = exposure.index.astype(str)
    values = pd.Series(exposure.to_numpy(dtype=np.float64), index=index)
    if index.isin(area.cells).any() or area.units.empty:
        return values.reindex(area.cells).fillna(0.0).to_numpy(dtype=np.float64)
    desa = area.units["desa_code"].astype("string").fillna("").to_numpy()
    missing = sorted(set(desa) - set(index) - {""})
    if missing:
        raise ScoreError.say(
            MESSAGES, "exposure_missing", n=len(missing), codes=", ".join(missing[:5])
        )
    weight = pd.Series(area.area_km2)
    desa_area = weight.groupby(desa).transform("sum").to_numpy(dtype=np.float64)
    share = np.divide(area.area_km2, desa_area, out=np.zeros(len(desa)), where=desa_area > 0)
    return np.asarray(values.reindex(desa).fillna(0.0).to_numpy() * share, dtype=np.float64)


def _gi_columns(
    hist: _History,
    a: sp.csr_array,
    expo: NDArray[np.float64],
    settings: Settings,
    on: bool,
    lang: str,
) -> dict[str, Any]:
    """Gi* on the whole counts of records located as points, or neutral values."""
    m = a.shape[0]
    if not on:
        out: dict[str, Any] = {"gi_z": np.zeros(m), "gi_p": np.ones(m), "gi_p_fdr": np.ones(m)}
        out["gi_bin"] = np.zeros(m, dtype=np.int8)
    else:
        counts = point_counts(hist.used, m, hist.keep, np.zeros(len(hist.frame), dtype=np.int64))
        res_gi = gi_star(
            counts[:, 0],
            a,
            k=settings.gi_k,
            weights=settings.gi_weights,
            inference=settings.gi_inference,
            permutations=settings.permutations,
            exposure=expo,
            fdr_alpha=settings.fdr_alpha,
            seed=settings.seed,
        )
        out = {"gi_z": res_gi.z, "gi_p": res_gi.p, "gi_p_fdr": res_gi.p_fdr, "gi_bin": res_gi.bin}
    out["gi_label"] = gi_labels(out["gi_bin"], lang)
    return out


def _trend_end(times: pd.Series, keep: NDArray[np.bool_], t_start: pd.Timestamp) -> pd.Timestamp:
    """Return the end of the emerging-hotspot series.

    That is the target start, or midnight after the last record used if the data stop
    earlier.
    """
    if not keep.any():
        return t_start
    last = times[keep].max()
    return min(t_start, last.normalize() + pd.Timedelta(days=1))


def _trend_series(
    hist: _History, m: int, t_end: pd.Timestamp, step: str, steps: int
) -> NDArray[np.float64] | None:
    """Point counts per cell and step, oldest first, from the step of the first record.

    Steps before the jurisdiction's first record (of any kind) are not part of the
    series: months before the data began are unknown, not quiet. ``None`` if no record
    is in the window.
    """
    age = (t_end - hist.times).dt.total_seconds().to_numpy() / 86400.0
    back = np.floor(np.nan_to_num(age, nan=-1.0) / _STEP_DAYS[step]).astype(np.int64)
    in_window = hist.keep & (back >= 0) & (back < steps)
    placed = np.zeros(len(hist.frame), dtype=bool)
    placed[hist.used.record] = True
    if not (in_window & placed).any():
        return None
    step_of = np.where(in_window, steps - 1 - back, 0)
    older = (placed & hist.keep & (back >= steps)).any()  # the data began before the window
    first = 0 if older else int(step_of[in_window & placed].min())
    series = point_counts(hist.used, m, in_window, step_of)
    series = np.pad(series, ((0, 0), (0, steps - series.shape[1])))
    return series[:, first:]


def _trend_columns(
    hist: _History,
    a: sp.csr_array,
    expo: NDArray[np.float64],
    t_end: pd.Timestamp,
    settings: Settings,
    options: ScoreOptions,
    lang: str,
) -> dict[str, Any]:
    """Return the emerging-hotspot class of each cell's Gi* series before ``t_end``."""
    m = a.shape[0]
    trend = np.full(m, "no_pattern", dtype=object)
    mk_z = np.zeros(m)
    if options.emerging and options.gi and options.trend_steps >= 2:
        series = _trend_series(hist, m, t_end, options.trend_step, options.trend_steps)
        if series is not None and series.shape[1] >= 2:
            z = np.zeros(series.shape)
            bins = np.zeros(series.shape, dtype=np.int8)
            for s in range(series.shape[1]):
                r = gi_star(series[:, s], a, exposure=expo, fdr_alpha=settings.fdr_alpha)
                z[:, s], bins[:, s] = r.z, r.bin
            mk = mann_kendall(z)
            trend, mk_z = emerging_classes(bins, z, mk=mk), mk.z
    return {"trend_class": trend, "trend_label": trend_labels(trend, lang), "trend_z": mk_z}


def _coverage_columns(
    acts: pd.DataFrame | None,
    cells: list[str],
    res: int,
    t_start: pd.Timestamp,
    score: NDArray[np.float64],
    settings: Settings,
    decay: bool,
) -> dict[str, NDArray[np.float64]]:
    """Binmas activities per cell, their smoothed coverage and the coverage gap."""
    m = len(cells)
    n_act = np.zeros(m)
    coverage = np.zeros(m)
    if acts is not None:
        times, keep = _kept_times(acts, t_start)
        place = place_records(acts, cells, res, settings=settings)
        dec = _decay(times, keep, t_start, settings.half_life_days, decay)
        n_act = _cell_sum(place, keep.astype(np.float64), m)
        smoothed = smooth(_cell_sum(place, dec, m), cells, max(settings.smoothing_k, 1))
        pos = smoothed[smoothed > 0]
        if pos.size:
            coverage = np.clip(smoothed / np.quantile(pos, _COVERAGE_Q), 0.0, 1.0)
    top = float(score.max())
    score_norm = score / top if top > 0 else np.zeros(m)
    return {
        "n_activities": n_act,
        "activity_coverage": coverage,
        "coverage_gap": score_norm * (1.0 - coverage),
    }


def _cell_table(out: dict[str, Any], units: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the cells as a GeoDataFrame: unit columns after ``hex_id``, hexagons (EPSG:4326)."""
    table = pd.DataFrame(out)
    for i, col in enumerate(UNIT_COLUMNS):
        table.insert(1 + i, col, units[col].to_numpy())
    return gpd.GeoDataFrame(table, geometry=_hexagons(out["hex_id"]), crs=4326)


# --------------------------------------------------------------------------- main


def score_hotspots(
    records: Any,
    *,
    activities: Any = None,
    target: str | int | tuple[Any, Any] = "ramadhan-1448",
    res: int = 9,
    region: str | Sequence[str] | None = "auto",
    settings: Settings | None = None,
    cells: Sequence[str] | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    lang: str | None = None,
    options: ScoreOptions | None = None,
) -> gpd.GeoDataFrame:
    """Score every H3 cell of one or more kabupaten/kota ahead of a target period.

    The kabupaten/kota (the jurisdiction of one Polres) is the study area: every
    relative quantity (score ranks and classes, the Gi* null and its FDR family, the
    emerging hot-spot series and classes, the coverage gap) is computed inside each one,
    and a call over several returns the union of the calls over each (``docs/methods.md``,
    "The study area").

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
    region : str or list of str, optional
        A kabupaten/kota code or name (``"16.71"``, ``"Palembang"``, ``"OKI"``), a list
        of them, or ``"auto"`` (default; ``None`` means the same): the kabupaten/kota of
        the boundary pack where the records fall. Not with ``boundaries``; with
        ``cells`` the cells are split by the kabupaten of their desa instead.
    settings : Settings, optional
        Half-life, seasonal prior, smoothing rings, Gi* options, seed, language.
    cells : sequence of str, optional
        Score these cells instead of all cells of ``region`` (or of ``boundaries``).
    boundaries : GeoDataFrame, optional
        Your own desa/kelurahan polygons for a region outside OKI and Palembang (any
        CRS; ``code`` and optionally ``name``, ``kecamatan_code``, ``kecamatan_name``,
        ``kabupaten_code``, ``kabupaten_name``, as in
        :func:`~kamtibmas_geo.grid.assign_units`). The cells' unit columns then come
        from these polygons, and without ``cells`` the cells scored are the H3 cells
        overlapping them (as in :func:`~kamtibmas_geo.evaluate.backtest`).
    lang : {"id", "en"}, optional
        Language of labels (``settings.lang`` by default).
    options : ScoreOptions, optional
        Severity ``weights``; switches of the parts of the score (``decay``,
        ``seasonal``, ``smoothing``, ``gi``, ``emerging``); the past ``seasons`` of the
        uplift; the ``exposure`` of Gi*; the ``trend_step`` and ``trend_steps`` of the
        emerging-hotspot series (:class:`~kamtibmas_geo.score.ScoreOptions`, its
        defaults when not given).

    Returns
    -------
    GeoDataFrame
        One row per cell (sorted by ``hex_id``), hexagon geometry in EPSG:4326, with the
        columns listed in ``docs/methods.md`` (``kabupaten_code`` tells the jurisdiction
        of each cell; ``small_sample`` is true in a jurisdiction with fewer than 30
        incidents; ``n_incidents_text`` is the count as shown to people, ``"≈ 3"`` when
        it holds spread records); ``attrs["score"]`` holds the target, reference time,
        ``regions`` (per kabupaten/kota code: ``label`` such as ``"Kota Palembang
        (16.71), 3.352 sel"``, ``n_cells``, ``n_incidents``, ``n_points``,
        ``n_gi_left_out``, ``small_sample``, ``uplift``, ``trend_end``), counts of
        records left out, the source of the unit columns (``"units"``: ``"pack"`` or
        ``"boundaries"``) and ``n_cells_no_unit``.
        A cell belongs to the desa holding its centre (a border cell: the desa holding
        most of it; :func:`~kamtibmas_geo.grid.cell_units`).

    Raises
    ------
    ScoreError
        If the input cannot be scored, or ``boundaries`` are not usable desa polygons
        (not a GeoDataFrame, no CRS, no ``code``, missing or repeated codes, other
        geometries than polygons), or are given together with ``region``.
    SettingsError
        If ``res`` is not an H3 resolution or ``options`` is not a ``ScoreOptions``.

    Warns
    -----
    SmallSampleWarning
        For each kabupaten/kota with fewer than 30 incidents.
    SparseInferenceWarning
        With ``gi_inference="permutation"`` on sparse counts (prefer the count null).
    NoUnitWarning
        If some cells touch no desa (with the boundary pack: cells outside OKI and
        Palembang), so that their ``desa_*``, ``kecamatan_*`` and ``kabupaten_*``
        columns are empty and :func:`rollup` leaves them out.

    Examples
    --------
    Switch parts of the score off to see what each adds::

        off = ScoreOptions(seasonal=False, gi=False, emerging=False)
        cells = score_hotspots(records, target="ramadhan-1448", options=off)
    """
    settings = settings or Settings()
    options = ScoreOptions() if options is None else options
    if not isinstance(options, ScoreOptions):
        raise SettingsError.say(MESSAGES, "options", got=type(options).__name__)
    lang = lang or settings.lang
    check_res(res)
    frame = _records_frame(records, "records")
    acts = None if activities is None else _records_frame(activities, "activities")
    own = _own_boundaries(boundaries, region, cells)
    (t_start, t_end), past, label = _target_season(target, settings)
    _check_target_near(frame, t_start, label)
    if options.seasons is not None:
        past = [(_wib(a), _wib(b)) for a, b in options.seasons]
    areas = jurisdictions(frame, region, res=res, cells=cells, own=own, settings=settings)
    if not areas or not any(area.cells for area in areas):
        raise ScoreError.say(MESSAGES, "no_cells", res=res, region=region)
    job = _Job(frame, acts, res, t_start, past, settings, options, lang)
    parts = [_score_area(job, area) for area in areas if area.cells]
    result = pd.concat([part for part, _ in parts], ignore_index=True)
    result = result.sort_values("hex_id", kind="stable").reset_index(drop=True)
    result = gpd.GeoDataFrame(result, geometry="geometry", crs=4326)
    metas = {area.code: meta for area, (_, meta) in zip(areas, parts, strict=True)}
    result.attrs["score"] = _run_meta(job, metas, own, (t_start, t_end), label, result)
    _warn_small(metas, settings)
    return result


@dataclass(frozen=True)
class _Job:
    """What every jurisdiction of one run shares: records, target, options."""

    frame: pd.DataFrame
    acts: pd.DataFrame | None
    res: int
    t_start: pd.Timestamp
    past: Sequence[Season]
    settings: Settings
    options: ScoreOptions
    lang: str


def _score_area(job: _Job, area: Jurisdiction) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Score the cells of one kabupaten/kota on their own: every relative quantity inside it."""
    cell_list, settings, options = area.cells, job.settings, job.options
    hist = _history(job.frame, cell_list, job.res, job.t_start, settings)
    out: dict[str, Any] = {"hex_id": cell_list, **_count_columns(hist, len(cell_list))}
    out["n_incidents_text"] = count_texts(out["n_incidents"])
    risk, uplift = _risk_columns(hist, cell_list, job.t_start, job.past, settings, options)
    out.update(risk)
    a, expo = _neighbourhood(area, settings, options.exposure)
    out.update(_gi_columns(hist, a, expo, settings, options.gi, job.lang))
    t_trend = _trend_end(hist.times, hist.keep, job.t_start)
    out.update(_trend_columns(hist, a, expo, t_trend, settings, options, job.lang))
    cover = _coverage_columns(
        job.acts, cell_list, job.res, job.t_start, risk["score"], settings, options.decay
    )
    out.update(cover)
    n_used = float(hist.weight.sum())
    small = n_used < MIN_INCIDENTS
    out["small_sample"] = np.full(len(cell_list), small)
    table = _cell_table(out, area.units)
    spread = hist.used.unit != ""
    meta = {
        "code": area.code,
        "name": area.name,
        "label": region_label(area.code, area.name, len(cell_list)),
        "n_cells": len(cell_list),
        "n_incidents": n_used,
        "n_points": len(np.unique(hist.used.record[~spread])),
        "n_gi_left_out": len(np.unique(hist.used.record[spread])),
        "small_sample": bool(small),
        "uplift": {k: float(v) for k, v in uplift.items()},
        "trend_end": t_trend.isoformat(),
        "placed": np.unique(hist.place.record),
        "n_kabupaten_only": hist.place.n_vague,
    }
    return table, meta


def _run_meta(
    job: _Job,
    metas: dict[str, dict[str, Any]],
    own: gpd.GeoDataFrame | None,
    target: Season,
    label: str,
    result: gpd.GeoDataFrame,
) -> dict[str, Any]:
    """Return the run's ``attrs["score"]``: target, totals, one entry per kabupaten/kota."""
    placed = np.zeros(len(job.frame), dtype=bool)
    for meta in metas.values():
        placed[meta.pop("placed")] = True
    _, keep = _kept_times(job.frame, job.t_start)
    first = next(iter(metas.values()))
    vague = _vague_mask(job.frame)
    return {
        "target": label,
        "target_start": target[0].isoformat(),
        "target_end": target[1].isoformat(),
        "res": job.res,
        "regions": metas,
        "uplift": first["uplift"] if len(metas) == 1 else {},
        "n_records": len(job.frame),
        "n_used": int((keep & placed).sum()),
        "n_outside": int((~placed & ~vague).sum()),
        "n_kabupaten_only": int(vague.sum()),
        "n_gi_left_out": sum(m["n_gi_left_out"] for m in metas.values()),
        "past_seasons": len(job.past),
        "trend_end": max(m["trend_end"] for m in metas.values()),
        "gi_inference": job.settings.gi_inference if job.options.gi else "off",
        "units": "pack" if own is None else "boundaries",
        "n_cells_no_unit": int(result["desa_code"].isna().sum()),
    }


def _vague_mask(frame: pd.DataFrame) -> NDArray[np.bool_]:
    """Return which records are placed only at kabupaten level (left out of every cell)."""
    from kamtibmas_geo.score._counts import _spread_and_vague

    return _spread_and_vague(frame)[1]


def _warn_small(metas: dict[str, dict[str, Any]], settings: Settings) -> None:
    """Warn once for each kabupaten/kota with fewer than 30 incidents."""
    for meta in metas.values():
        if meta["small_sample"]:
            warnings.warn(
                SmallSampleWarning.say(
                    MESSAGES,
                    "small_sample",
                    region=region_label(meta["code"], meta["name"]),
                    n=count_text(meta["n_incidents"]),
                    need=MIN_INCIDENTS,
                ),
                stacklevel=3,
            )


def count_text(value: float) -> str:
    """Return a count as people read it: ``"3"`` when whole, ``"≈ 3"`` when an estimate.

    Parameters
    ----------
    value : float
        A count, possibly an expected (fractional) one.

    Returns
    -------
    str

    Examples
    --------
    >>> count_text(3.0), count_text(2.6), count_text(1234.0)
    ('3', '≈ 3', '1.234')
    """
    whole = f"{round(value):,}".replace(",", ".")
    return whole if abs(value - round(value)) < 1e-9 else f"≈ {whole}"


def count_texts(values: NDArray[np.float64]) -> NDArray[np.object_]:
    """Return :func:`count_text` of every value.

    Parameters
    ----------
    values : ndarray
        Counts.

    Returns
    -------
    ndarray of str
    """
    return np.array([count_text(float(v)) for v in values], dtype=object)
