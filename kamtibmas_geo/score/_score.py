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
* the Binmas activity coverage gap (``coverage_gap``);
* beside the forecast, never inside it: the open early warnings (informasi dini) of the
  coming days per cell (``warnings_open``, ``warning_types``, ``warning_reason``).

:func:`rollup` sums cells to desa, kecamatan, Polsek or kabupaten. The formulas are in
``docs/methods.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kamtibmas_geo._errors import ScoreError, SettingsError
from kamtibmas_geo._memory import release_freed_memory
from kamtibmas_geo._validate import check_columns, check_res
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._units import own_desa
from kamtibmas_geo.score._counts import distinct_positions
from kamtibmas_geo.score._early import open_warnings, warning_columns
from kamtibmas_geo.score._emerging import (
    TREND_CLASSES,
    MannKendall,
    emerging_classes,
    emerging_hotspots,
    mann_kendall,
)
from kamtibmas_geo.score._gistar import (
    GiStarResult,
    fdr_bh,
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
from kamtibmas_geo.score._steps import (
    TZ,
    Season,
    _as_wib,
    _cell_table,
    _count_columns,
    _coverage_columns,
    _gi_columns,
    _history,
    _kept_times,
    _neighbourhood,
    _risk_columns,
    _trend_columns,
    _trend_end,
    seasonal_uplift,
    smooth,
)
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
    "options": {
        "id": "options= harus berupa ScoreOptions, misalnya options=ScoreOptions(gi=False); "
        "bukan {got}.",
        "en": "options= must be a ScoreOptions, for example options=ScoreOptions(gi=False); "
        "got {got}.",
    },
}


# --------------------------------------------------------------------------- helpers


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


def _records_frame(records: Any, what: str) -> pd.DataFrame:
    frame = getattr(records, "records", records)
    if not isinstance(frame, pd.DataFrame):
        raise ScoreError.say(MESSAGES, "not_table", what=what, got=type(records).__name__)
    check_columns(frame, ["time", "type"], what=what, error=ScoreError)
    return frame


# --------------------------------------------------------------------------- steps


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
    warnings: Any = None,
    warnings_as_of: Any = None,
    warnings_days: int = 7,
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
    warnings : GeoDataFrame, DataFrame or RecordSet, optional
        Geocoded early warnings (records of kind ``early_warning``). The warnings still
        to act on (:func:`~kamtibmas_geo.score.open_warnings`, answered by the
        ``activities``) are counted per cell *beside* the forecast: they never enter the
        incident counts, scores, classes or Gi*.
    warnings_as_of : Timestamp or str, optional
        The moment the warnings are read at (the target start by default).
    warnings_days : int
        The coming days whose expected warnings count (7 by default).

    Returns
    -------
    GeoDataFrame
        One row per cell (sorted by ``hex_id``), hexagon geometry in EPSG:4326, with the
        columns listed in ``docs/methods.md`` (``kabupaten_code`` tells the jurisdiction
        of each cell; ``small_sample`` is true in a jurisdiction with fewer than 30
        incidents; ``n_incidents_text`` is the count as shown to people, ``"≈ 3"`` when
        it holds spread records; with ``warnings``: ``warnings_open``,
        ``warnings_answered``, ``warning_types``, ``warning_reason``);
        ``attrs["score"]`` holds the target, reference time,
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
    opened = _opened(warnings, acts, warnings_as_of, t_start, warnings_days)
    job = _Job(frame, acts, res, t_start, past, settings, options, lang, opened)
    parts = []
    for area in areas:
        if area.cells:
            parts.append(_score_area(job, area))
            release_freed_memory(len(frame))  # the next area starts from live data
    result = pd.concat([part for part, _ in parts], ignore_index=True)
    result = result.sort_values("hex_id", kind="stable").reset_index(drop=True)
    result = gpd.GeoDataFrame(result, geometry="geometry", crs=4326, copy=False)  # own columns
    metas = {area.code: meta for area, (_, meta) in zip(areas, parts, strict=True)}
    result.attrs["score"] = _run_meta(job, metas, own, (t_start, t_end), label, result)
    if opened is not None:
        result.attrs["score"]["warnings"] = _warnings_meta(opened, result)
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
    warns: gpd.GeoDataFrame | None = None


def _opened(
    warns: Any, acts: pd.DataFrame | None, as_of: Any, t_start: pd.Timestamp, days: int
) -> gpd.GeoDataFrame | None:
    """Return the warnings still to act on at ``as_of`` (the target start), or ``None``."""
    if warns is None:
        return None
    at = t_start if as_of is None else as_of
    opened = open_warnings(warns, as_of=at, days=days, activities=acts)
    opened.attrs["as_of"], opened.attrs["days"] = _wib(at).isoformat(), int(days)
    return opened


def _warnings_meta(opened: gpd.GeoDataFrame, result: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return ``attrs["score"]["warnings"]``: when, how far ahead, how many on the cells."""
    n_open = int(result["warnings_open"].sum())
    n_answered = int(result["warnings_answered"].sum())
    return {
        "as_of": opened.attrs["as_of"],
        "days": opened.attrs["days"],
        "n_open": n_open,
        "n_answered": n_answered,
        "n_outside": len(opened) - n_open - n_answered,
    }


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
    if job.warns is not None:  # beside the forecast: no score column reads them
        out.update(warning_columns(job.warns, cell_list, job.res, job.lang))
    table = _cell_table(out, area.units)
    meta = {
        "code": area.code,
        "name": area.name,
        "label": region_label(area.code, area.name, len(cell_list)),
        "n_cells": len(cell_list),
        "n_incidents": n_used,
        "n_points": len(distinct_positions(hist.used.record)),
        "n_gi_left_out": len(distinct_positions(hist.used.spread_record)),
        "small_sample": bool(small),
        "uplift": {k: float(v) for k, v in uplift.items()},
        "trend_end": t_trend.isoformat(),
        "placed": hist.place.placed_records,
        "n_kabupaten_only": hist.place.n_vague,
    }
    if job.warns is not None:
        meta["n_warnings_open"] = int(out["warnings_open"].sum())
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
