"""Early warnings (informasi dini) still to act on, and their summary per H3 cell.

A warning from an RT/RW head, a Pokdar Kamtibmas or an ormas ("youths plan a brawl
after tarawih on Saturday") is not an incident: it never enters incident counts, scores,
classes or Gi*. :func:`open_warnings` is the one rule, shared by the scores, the patrol
plan and the map, of which warnings are still to act on at a moment; :func:`warning_columns`
counts them per cell beside the forecast (``warnings_open``, ``warning_types``,
``warning_reason``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo._validate import check_columns

__all__ = [
    "ANSWER_TYPES",
    "WARNING_COLUMNS",
    "coming_at",
    "coming_mask",
    "open_warnings",
    "warning_columns",
    "warning_label",
    "warning_times",
]

TZ = "Asia/Jakarta"
#: Binmas activity types that answer a warning (a visit, a talk, an appeal, a patrol).
ANSWER_TYPES = ("sambang", "sosialisasi", "imbauan", "patroli")
#: The columns :func:`warning_columns` adds to the score cells.
WARNING_COLUMNS = ("warnings_open", "warnings_answered", "warning_types", "warning_reason")
#: Length of an expected moment with no end given (as the reader of early warnings does).
_MOMENT = pd.Timedelta(hours=3)
_EARTH_M = 6_371_008.8

#: Labels of the contract's warning types, used while the taxonomy has no early_warning table.
_LABELS = {
    "rencana_tawuran": ("rencana tawuran", "planned brawl"),
    "penjualan_petasan": ("penjualan petasan", "firecracker sales"),
    "balap_liar_terjadwal": ("balap liar terjadwal", "scheduled street racing"),
    "provokasi": ("provokasi", "provocation"),
    "keramaian_tanpa_izin": ("keramaian tanpa izin", "unlicensed crowd event"),
    "rencana_pencurian": ("rencana pencurian", "planned theft"),
    "potensi_konflik": ("potensi konflik", "potential conflict"),
    "lainnya": ("lainnya", "other"),
}

MESSAGES = {
    "not_table": {
        "id": "{what} harus berupa tabel (DataFrame atau GeoDataFrame) atau RecordSet hasil "
        "read_records(kind='early_warning'), bukan {got}.",
        "en": "{what} must be a (Geo)DataFrame or a RecordSet from "
        "read_records(kind='early_warning'), got {got}.",
    },
    "bad_number": {
        "id": "{name}={value!r} tidak sah: harus angka 0 atau lebih (mis. {name}=7).",
        "en": "{name}={value!r} is not valid: it must be a number of 0 or more (e.g. {name}=7).",
    },
    "bad_as_of": {
        "id": "as_of={value!r} bukan tanggal/waktu yang dapat dibaca; tulis mis. "
        "'2027-02-01' atau '2027-02-01 18:00'.",
        "en": "as_of={value!r} is not a readable date/time; write e.g. '2027-02-01' or "
        "'2027-02-01 18:00'.",
    },
    "reason": {
        "id": "{n} informasi dini: {types}",
        "en": "{n} early warnings: {types}",
    },
    "reason_one": {
        "id": "1 informasi dini: {types}",
        "en": "1 early warning: {types}",
    },
    "reason_answered": {
        "id": "{n} sudah dijawab kegiatan Binmas",
        "en": "{n} answered by Binmas activity",
    },
}


# --------------------------------------------------------------------------- helpers


def _wib(value: Any) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ScoreError.say(MESSAGES, "bad_as_of", value=value) from exc
    if pd.isna(ts):
        raise ScoreError.say(MESSAGES, "bad_as_of", value=value)
    return ts.tz_localize(TZ) if ts.tzinfo is None else ts.tz_convert(TZ)


def _times(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return ``column`` as Asia/Jakarta times (NaT where missing or absent)."""
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype=f"datetime64[ns, {TZ}]")
    t = pd.to_datetime(frame[column], errors="coerce")
    if getattr(t.dt, "tz", None) is None:
        return t.dt.tz_localize(TZ)
    return t.dt.tz_convert(TZ)


def _table(value: Any, what: str) -> gpd.GeoDataFrame:
    """Return a copy of the records of ``value`` (a frame or a RecordSet) as a GeoDataFrame."""
    frame = getattr(value, "records", value)
    if not isinstance(frame, pd.DataFrame):
        raise ScoreError.say(MESSAGES, "not_table", what=what, got=type(value).__name__)
    check_columns(frame, ["time", "type"], what=what, error=ScoreError)
    if isinstance(frame, gpd.GeoDataFrame):
        return frame.copy()
    return gpd.GeoDataFrame(frame.copy())


def _check_number(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ScoreError.say(MESSAGES, "bad_number", name=name, value=value) from exc
    if not np.isfinite(number) or number < 0:
        raise ScoreError.say(MESSAGES, "bad_number", name=name, value=value)
    return number


def _statuses(frame: pd.DataFrame) -> pd.Series:
    """Return the follow-up status codes; a missing status is ``"open"``."""
    if "status" not in frame.columns:
        return pd.Series("open", index=frame.index)
    status = frame["status"].astype("string").str.strip().str.lower()
    return status.fillna("open").replace("", "open")


def _coords(frame: pd.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the latitude and longitude of every record (its point, else lat/lon; NaN)."""
    n = len(frame)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        geom = frame.geometry if frame.crs is None else frame.geometry.to_crs(4326)
        values = geom.values
        ok = ~(shapely.is_missing(values) | shapely.is_empty(values))
        ok &= shapely.get_type_id(values) == 0
        if ok.any():
            lon[ok] = shapely.get_x(values[ok])
            lat[ok] = shapely.get_y(values[ok])
    for col, out in (("lat", lat), ("lon", lon)):
        if col in frame.columns:
            given = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
            gap = np.isnan(out)
            out[gap] = given[gap]
    return lat, lon


def _metres(
    lat: float, lon: float, lats: NDArray[np.float64], lons: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Great-circle distance in metres from one point to many (NaN where unknown)."""
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * _EARTH_M * np.arcsin(np.sqrt(np.clip(h, 0, 1))), dtype=float)


def _codes(frame: pd.DataFrame, column: str) -> NDArray[np.object_]:
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return np.asarray(frame[column].astype("string").fillna("").to_numpy(dtype=object))


def _naive(times: pd.Series) -> NDArray[np.datetime64]:
    """Return Asia/Jakarta times as naive UTC ``datetime64[ns]`` (for sorting and searching)."""
    return np.asarray(times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]"))


def _ids(frame: pd.DataFrame) -> NDArray[np.object_]:
    if "record_id" in frame.columns:
        return np.asarray(frame["record_id"].astype("string").fillna("").to_numpy(dtype=object))
    return np.asarray([str(i) for i in frame.index], dtype=object)


# --------------------------------------------------------------------------- open warnings


def open_warnings(
    warnings: Any,
    *,
    as_of: Any,
    days: int = 7,
    activities: Any = None,
    answer_days: int = 3,
    answer_metres: float = 500.0,
) -> gpd.GeoDataFrame:
    """Return the early warnings still to act on at ``as_of``, and whether one was answered.

    A warning is kept when all hold:

    * its ``status`` is ``"open"`` (belum ditindaklanjuti; a missing status is open):
      ``"followed_up"`` and ``"unfounded"`` warnings are done;
    * it was reported (``time``) on or before ``as_of``;
    * what it fears is expected in the coming ``days``: ``expected_start`` within
      ``[as_of, as_of + days]``, or the expected window still running at ``as_of``
      (``expected_start < as_of <= expected_end``; ``expected_end`` defaults to
      ``expected_start + 3 h``); a warning that names no time (``expected_start`` NaT)
      counts when it was reported within the last ``days``.

    A kept warning is *answered* by the first Binmas activity of type sambang,
    sosialisasi, imbauan or patroli in the same desa (``desa_code``) or within
    ``answer_metres`` of it, done from its report time up to ``answer_days`` after it
    (and not after ``as_of``: what had not happened yet cannot answer it).

    Parameters
    ----------
    warnings : GeoDataFrame, DataFrame or RecordSet
        Records of kind ``early_warning`` (``time``, ``type``; optionally ``status``,
        ``expected_start``, ``expected_end``, a Point geometry or ``lat``/``lon``,
        ``desa_code``). Not changed.
    as_of : Timestamp or str
        The moment of the question (a naive time is Asia/Jakarta).
    days : int
        How many days ahead (and, for warnings with no expected time, back) to look.
    activities : GeoDataFrame, DataFrame or RecordSet, optional
        Binmas activities (``time``, ``type``, a point or ``lat``/``lon``, optionally
        ``desa_code`` and ``record_id``). Without them no warning is answered.
    answer_days : int
        Days after the report within which an activity answers a warning.
    answer_metres : float
        Distance within which an activity answers a warning outside its desa.

    Returns
    -------
    GeoDataFrame
        The kept warnings (all their columns, index reset, in input order) plus
        ``answered_by`` (``record_id`` of the answering activity, else ``<NA>``) and
        ``answered`` (bool).

    Raises
    ------
    ScoreError
        If ``warnings`` or ``activities`` is not a table with ``time`` and ``type``, if
        ``as_of`` is not a date, or a number is negative.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({
    ...     "record_id": ["w1", "w2", "w3"], "type": ["rencana_tawuran"] * 3,
    ...     "time": pd.to_datetime(["2027-02-01", "2027-02-01", "2027-01-01"]),
    ...     "expected_start": pd.to_datetime(["2027-02-03", "2027-03-01", None]),
    ...     "status": ["open", "open", "open"]})
    >>> open_warnings(w, as_of="2027-02-02")["record_id"].tolist()
    ['w1']
    """
    frame = _table(warnings, "warnings")
    at = _wib(as_of)
    ahead = pd.Timedelta(days=_check_number("days", days))
    keep = (_statuses(frame) == "open").to_numpy() & coming_mask(frame, at, ahead)
    out = frame.loc[keep].reset_index(drop=True)
    acts = None if activities is None else _table(activities, "activities")
    answer = _answers(
        out,
        acts,
        at,
        pd.Timedelta(days=_check_number("answer_days", answer_days)),
        _check_number("answer_metres", answer_metres),
    )
    out["answered_by"] = answer
    out["answered"] = answer.notna().to_numpy(dtype=bool)
    return out


def warning_times(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Return the report time, expected start and expected end of every warning (WIB).

    ``expected_end`` defaults to ``expected_start + 3 h``; all are NaT where unknown.

    Parameters
    ----------
    frame : DataFrame
        Early warnings.

    Returns
    -------
    (Series, Series, Series)
    """
    start = _times(frame, "expected_start")
    return _times(frame, "time"), start, _times(frame, "expected_end").fillna(start + _MOMENT)


def coming_mask(frame: pd.DataFrame, at: pd.Timestamp, ahead: pd.Timedelta) -> NDArray[np.bool_]:
    """Return which warnings are known at ``at`` and expected in the coming ``ahead``.

    The time rule of :func:`open_warnings`, whatever the status: reported on or before
    ``at``, and expected within ``[at, at + ahead]`` (or still running at ``at``), or
    with no expected time and reported within the last ``ahead``.

    Parameters
    ----------
    frame : DataFrame
        Early warnings (``time``; optionally ``expected_start``, ``expected_end``).
    at : Timestamp
        The moment (tz-aware).
    ahead : Timedelta
        How far ahead.

    Returns
    -------
    ndarray of bool
    """
    return coming_at(warning_times(frame), at, ahead)


def coming_at(
    times: tuple[pd.Series, pd.Series, pd.Series], at: pd.Timestamp, ahead: pd.Timedelta
) -> NDArray[np.bool_]:
    """Return :func:`coming_mask` from the times of :func:`warning_times` (read once).

    Parameters
    ----------
    times : (Series, Series, Series)
        Report time, expected start and expected end.
    at : Timestamp
        The moment (tz-aware).
    ahead : Timedelta
        How far ahead.

    Returns
    -------
    ndarray of bool
    """
    reported, start, end = times
    coming = start.notna() & (start <= at + ahead) & ((start >= at) | (end >= at))
    undated = start.isna() & (reported >= at - ahead)
    return np.asarray(((reported <= at) & (coming | undated)).to_numpy(), dtype=bool)


def _answers(
    warns: gpd.GeoDataFrame,
    acts: gpd.GeoDataFrame | None,
    at: pd.Timestamp,
    within: pd.Timedelta,
    metres: float,
) -> pd.Series:
    """Return the ``record_id`` of the first activity answering each warning, else NA."""
    result = pd.Series(pd.NA, index=warns.index, dtype="string")
    if acts is None or warns.empty or acts.empty:
        return result
    times = _times(acts, "time")
    ok = acts["type"].astype(str).isin(ANSWER_TYPES).to_numpy() & (times <= at).to_numpy()
    if not ok.any():
        return result
    acts = acts.loc[ok]
    a_t = _naive(times[ok])
    order = np.lexsort((_ids(acts), a_t))
    a_t, a_ids, a_desa = a_t[order], _ids(acts)[order], _codes(acts, "desa_code")[order]
    a_lat, a_lon = (c[order] for c in _coords(acts))
    w_t = _naive(_times(warns, "time"))
    step = within.to_timedelta64()
    w_desa = _codes(warns, "desa_code")
    w_lat, w_lon = _coords(warns)
    for i in range(len(warns)):
        lo = int(np.searchsorted(a_t, w_t[i], side="left"))
        hi = int(np.searchsorted(a_t, w_t[i] + step, side="right"))
        if hi <= lo:
            continue
        same = (a_desa[lo:hi] == w_desa[i]) & (w_desa[i] != "")
        near = _metres(w_lat[i], w_lon[i], a_lat[lo:hi], a_lon[lo:hi]) <= metres
        hit = np.flatnonzero(same | near)
        if hit.size:
            result.iloc[i] = a_ids[lo + hit[0]]
    return result


# --------------------------------------------------------------------------- per cell


def warning_label(key: str, lang: str = "id") -> str:
    """Return the label of an early-warning type, lower case ("rencana tawuran").

    Parameters
    ----------
    key : str
        Early-warning taxonomy key.
    lang : {"id", "en"}
        Language.

    Returns
    -------
    str

    Examples
    --------
    >>> warning_label("rencana_tawuran"), warning_label("rencana_tawuran", "en")
    ('rencana tawuran', 'planned brawl')
    """
    from kamtibmas_geo.records._taxonomy import load_taxonomy

    tax = load_taxonomy()
    if key in tax.types.get("early_warning", {}):
        text = tax.info("early_warning", key).label(lang)
    elif key in _LABELS:
        text = _LABELS[key][1 if lang == "en" else 0]
    else:
        text = key.replace("_", " ")
    return text[:1].lower() + text[1:]


def _cells_of(opened: pd.DataFrame, res: int) -> NDArray[np.object_]:
    """Return the H3 cell of each warning at ``res`` ("" when it has no place)."""
    from kamtibmas_geo.grid._cells import points_to_cells

    lat, lon = _coords(opened)
    ok = ~(np.isnan(lat) | np.isnan(lon))
    out = np.full(len(opened), "", dtype=object)
    if ok.any():
        out[ok] = points_to_cells(lat[ok], lon[ok], res)
    if "hex_id" in opened.columns:
        import h3

        given = _codes(opened, "hex_id")
        same = np.array(
            [bool(h) and h3.is_valid_cell(h) and h3.get_resolution(h) == res for h in given],
            dtype=bool,
        )
        out[same] = given[same]
    return out


def warning_columns(
    opened: pd.DataFrame, cells: Sequence[str], res: int, lang: str = "id"
) -> dict[str, Any]:
    """Summarise the warnings of :func:`open_warnings` on the cells, beside the forecast.

    Parameters
    ----------
    opened : DataFrame
        The result of :func:`open_warnings` (``type``, ``answered``, a point).
    cells : sequence of str
        H3 cells, in the order of the score table.
    res : int
        Their resolution.
    lang : {"id", "en"}
        Language of ``warning_types`` and ``warning_reason``.

    Returns
    -------
    dict
        ``warnings_open`` (int: warnings not yet answered), ``warnings_answered``
        (int), ``warning_types`` (their type labels, commonest first, ``""`` when none)
        and ``warning_reason`` ("2 informasi dini: rencana tawuran"), one per cell.
    """
    index = pd.Index(list(cells))
    m = len(index)
    pos = index.get_indexer(pd.Index(_cells_of(opened, res))) if len(opened) else np.zeros(0, int)
    answered = (
        opened["answered"].to_numpy(dtype=bool)
        if "answered" in opened.columns
        else np.zeros(len(opened), dtype=bool)
    )
    inside = pos >= 0
    n_open = np.bincount(pos[inside & ~answered], minlength=m).astype(np.int64)
    n_done = np.bincount(pos[inside & answered], minlength=m).astype(np.int64)
    types = np.full(m, "", dtype=object)
    reason = np.full(m, "", dtype=object)
    kinds = opened["type"].astype(str).to_numpy() if len(opened) else np.zeros(0, dtype=object)
    for cell in np.unique(pos[inside]):
        mine = (pos == cell) & ~answered
        types[cell] = _types_text(kinds[mine], lang)
        reason[cell] = _reason(int(n_open[cell]), int(n_done[cell]), types[cell], lang)
    return {
        "warnings_open": n_open,
        "warnings_answered": n_done,
        "warning_types": types,
        "warning_reason": reason,
    }


def _types_text(kinds: NDArray[Any], lang: str) -> str:
    """Return the type labels, commonest first, then by label."""
    if not len(kinds):
        return ""
    counts = pd.Series(kinds).value_counts()
    labels = sorted(
        ((warning_label(str(k), lang), int(n)) for k, n in counts.items()),
        key=lambda x: (-x[1], x[0]),
    )
    return ", ".join(f"{label} ({n})" if n > 1 else label for label, n in labels)


def _reason(n_open: int, n_done: int, types: str, lang: str) -> str:
    parts = []
    if n_open:
        if n_open == 1:
            parts.append(tr(MESSAGES, "reason_one", lang, types=types))
        else:
            parts.append(tr(MESSAGES, "reason", lang, n=n_open, types=types))
    if n_done:
        parts.append(tr(MESSAGES, "reason_answered", lang, n=n_done))
    return "; ".join(parts)
