"""The steps of scoring one kabupaten/kota: counts, risk score, Gi*, trend, coverage gap.

:func:`~kamtibmas_geo.score.score_hotspots` chooses the jurisdictions and calls these
steps on the cells of each one; every quantity they compute is relative to that
kabupaten/kota only (``docs/methods.md``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._cells import cell_polygons
from kamtibmas_geo.grid._units import UNIT_COLUMNS
from kamtibmas_geo.score._counts import Placement, place_records, point_counts
from kamtibmas_geo.score._emerging import emerging_classes, mann_kendall, trend_labels
from kamtibmas_geo.score._gistar import disk_pairs, gi_labels, gi_star, neighbour_matrix
from kamtibmas_geo.score._options import ScoreOptions
from kamtibmas_geo.score._regions import Jurisdiction

__all__ = ["Season", "seasonal_uplift", "smooth"]

#: A period as (start, end), end exclusive.
Season = tuple[pd.Timestamp, pd.Timestamp]

TZ = "Asia/Jakarta"
#: Length of a time step of the emerging-hotspot series.
_STEP_DAYS = {"month": 365.25 / 12, "week": 7.0}
#: Upper quantile of smoothed activity taken as full coverage.
_COVERAGE_Q = 0.9

MESSAGES = {
    "exposure_missing": {
        "id": "Paparan (exposure) per desa tidak punya nilai untuk {n} desa wilayah ini, "
        "misalnya {codes}; berikan nilai (penduduk atau rumah tangga) untuk setiap desa.",
        "en": "The per-desa exposure has no value for {n} desa of this region, e.g. {codes}; "
        "give a value (population or households) for every desa.",
    },
}


def _as_wib(times: pd.Series) -> pd.Series:
    t = pd.to_datetime(times, errors="coerce")
    if getattr(t.dt, "tz", None) is None:
        return t.dt.tz_localize(TZ)
    return t.dt.tz_convert(TZ)


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


def _severity(frame: pd.DataFrame, weights: Mapping[str, float] | None) -> NDArray[np.float64]:
    """Severity of every record: ``weights``, else its ``severity``, else the taxonomy's.

    Each distinct type is looked up once (a million records hold a handful of types).
    """
    codes, uniques = pd.factorize(frame["type"].astype(str), use_na_sentinel=False)
    kinds = [str(k) for k in uniques]
    if "severity" in frame.columns:
        sev = pd.to_numeric(frame["severity"], errors="coerce").to_numpy(dtype=np.float64)
    else:
        sev = np.full(len(frame), np.nan)
    missing = np.isnan(sev)
    if missing.any():
        from kamtibmas_geo.records._taxonomy import load_taxonomy

        tax = load_taxonomy()
        known = set(tax.keys("disturbance"))
        default = np.array(
            [tax.info("disturbance", t).severity if t in known else 1.0 for t in kinds] or [1.0]
        )
        sev = np.where(missing, default[codes], sev)
    if weights:  # checked by ScoreOptions
        given = np.array([weights.get(t, np.nan) for t in kinds] or [np.nan], dtype=np.float64)
        sev = np.where(np.isnan(given[codes]), sev, given[codes])
    return np.asarray(sev, dtype=np.float64)


def _type_columns(types: pd.Series) -> list[str]:
    from kamtibmas_geo.records._taxonomy import load_taxonomy

    keys = list(load_taxonomy().keys("disturbance"))
    return keys + sorted(set(map(str, types.unique())) - set(keys))


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


def _kept_times(frame: pd.DataFrame, t_start: pd.Timestamp) -> tuple[pd.Series, NDArray[np.bool_]]:
    """Return the record times (Asia/Jakarta) and which of them come before ``t_start``."""
    times = _as_wib(frame["time"])
    return times, (times < t_start).to_numpy() & times.notna().to_numpy()


def _history(
    frame: pd.DataFrame, cells: list[str], res: int, t_start: pd.Timestamp, settings: Settings
) -> _History:
    """Place the records on the cells and keep those before the target start."""
    times, keep = _kept_times(frame, t_start)
    place = place_records(frame, cells, res, settings=settings)
    used = place.subset(keep)
    weight = np.zeros(len(frame))
    weight[used.placed_records] = 1.0  # a spread record's shares sum to 1 over its unit
    types = frame["type"]  # as a categorical: one small integer a record, no string
    if not isinstance(types.dtype, pd.CategoricalDtype):
        types = types.astype(str)
    types = types.astype("category")
    return _History(frame, times, types, keep, place, used, weight)


def _count_columns(hist: _History, m: int) -> dict[str, NDArray[np.float64]]:
    """``n_incidents`` and ``n_<type>`` of every cell (spread records by their share)."""
    out = {"n_incidents": hist.used.cell_sum(np.ones(len(hist.frame)), m)}
    for t in _type_columns(hist.types):
        is_t = np.asarray((hist.types == t).to_numpy(), dtype=np.float64)
        out[f"n_{t}"] = hist.used.cell_sum(is_t, m)
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
    codes, kinds = pd.factorize(hist.types, use_na_sentinel=False)  # each type once
    per_kind = np.array([uplift.get(k, np.nan) for k in kinds] or [1.0], dtype=np.float64)
    up = np.nan_to_num(per_kind, nan=1.0)[codes]
    seasonal = hist.used.cell_sum(sev * dec * up, m)
    smoothed = smooth(seasonal, cells, settings.smoothing_k if options.smoothing else 0)
    score = np.clip(smoothed, 0.0, None)
    columns = {
        "score_base": hist.used.cell_sum(sev, m),
        "score_decay": hist.used.cell_sum(sev * dec, m),
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
    placed[hist.used.placed_records] = True
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
        n_act = place.cell_sum(keep.astype(np.float64), m)
        smoothed = smooth(place.cell_sum(dec, m), cells, max(settings.smoothing_k, 1))
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
        table.insert(1 + i, col, units[col].array)
    return gpd.GeoDataFrame(table, geometry=cell_polygons(out["hex_id"]), crs=4326, copy=False)
