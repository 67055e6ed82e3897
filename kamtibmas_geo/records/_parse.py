r"""Parsing of coordinates, dates and times as Polsek staff type them.

Scalar parsers (:func:`parse_coord`, :func:`parse_coord_pair`, :func:`parse_datetime`,
:func:`parse_time`) handle one value each and never raise on bad input: they return an
error code instead. The vectorised parsers (:func:`coords_to_float`, :func:`dates_to_utc`,
:func:`times_to_seconds`) take a fast path with pandas for the common notations and fall
back to the scalar parsers only for the values the fast path could not read, once per
distinct value.

Examples
--------
>>> parse_coord("2° 59' 34.5\" LS")
(-2.992917, None)
>>> parse_coord("-2,9761")
(-2.9761, None)
>>> parse_coord_pair("-2,976; 104,745")
(-2.976, 104.745, None)
>>> parse_datetime("Selasa, 10/2/2026")[:2]
(Timestamp('2026-02-10 00:00:00'), False)
>>> parse_time("pukul 21.30 WIB")
(77400, None)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "MONTHS",
    "coords_to_float",
    "dates_to_utc",
    "looks_like_time_of_day",
    "parse_coord",
    "parse_coord_pair",
    "parse_datetime",
    "parse_time",
    "times_to_seconds",
]

MIN_YEAR = 2000
MAX_YEAR = 2100

MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2, "febr": 2,
    "maret": 3, "mar": 3, "march": 3, "mrt": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "ags": 8, "agt": 8, "agst": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9, "sep.": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip

_WEEKDAYS = (
    "senin|selasa|rabu|kamis|jumat|jum'at|jum at|sabtu|minggu|ahad|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    "sen|sel|rab|kam|jum|sab|min|mon|tue|wed|thu|fri|sat|sun"
)
_RE_WEEKDAY = re.compile(rf"\b(?:{_WEEKDAYS})\b\.?,?")
_RE_TZ_NAME = re.compile(r"\b(wita|wib|wit|utc|gmt)\b")
_TZ_HOURS = {"wib": 7, "wita": 8, "wit": 9, "utc": 0, "gmt": 0}
_RE_TZ_OFFSET = re.compile(r"(?:(?<=\d)z|([+-])(\d{2}):?(\d{2}))\s*$")
_RE_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_RE_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})(?!\d)")
_RE_D_MON_Y = re.compile(
    r"(?<!\d)(\d{1,2})\s*[-/. ]?\s*([a-z]{3,9})\.?\s*[-/., ]?\s*(\d{4}|\d{2})(?!\d)"
)
_RE_MON_D_Y = re.compile(r"\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")
_RE_YMD8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_RE_TIME = re.compile(r"(?<!\d)(\d{1,2})\s*[:.]\s*(\d{2})(?:\s*[:.]\s*(\d{2})(?:[.,]\d+)?)?(?!\d)")
_RE_TIME_WORDS = re.compile(r"\b(?:pukul|pkl|jam|pk)\b\.?")
_RE_TIME_SPAN = re.compile(
    r"(\d{1,2})\s*[:.]\s*(\d{2})()\s*(?:-|–|s\.?\s*d\.?|sd|sampai|hingga|s/d|wib|selesai|$)"
)
_RE_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")

# ---------------------------------------------------------------- coordinates
_HEMI = {"LS": -1, "S": -1, "LU": 1, "N": 1, "U": 1, "BT": 1, "E": 1, "T": 1, "BB": -1, "W": -1}
_HEMI_AXIS = {
    "LS": "lat", "S": "lat", "LU": "lat", "N": "lat", "U": "lat",
    "BT": "lon", "E": "lon", "T": "lon", "BB": "lon", "W": "lon",
}  # fmt: skip
_RE_HEMI = re.compile(r"(?<![A-Z])(LS|LU|BT|BB|N|S|E|W|U|T)(?![A-Z])")
_RE_COORD_NUM = re.compile(r"\d+(?:[.,]\d+)?")
_RE_COORD_ALLOWED = re.compile(r"^[\s\d.,°º˚'′’`\"″”“+\-DMSNEWLUBT:]*$")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _finite(x: float) -> tuple[float, str | None]:
    if not math.isfinite(x):
        return math.nan, "coord_unparsed"
    return x, None


def parse_coord(value: Any, axis: str | None = None) -> tuple[float, str | None]:
    """Parse one latitude or longitude written in any common notation.

    Decimal degrees with ``.`` or ``,`` as decimal separator, degrees-minutes(-seconds)
    with ``°'"`` marks or spaces, hemispheres ``LS/LU/BT/BB`` (Indonesian) or
    ``N/S/E/W`` before or after the number.

    Parameters
    ----------
    value : object
        The cell value.
    axis : {"lat", "lon"} or None
        Unused for the value; kept for symmetry with the hemisphere check.

    Returns
    -------
    tuple of (float, str or None)
        The value in decimal degrees (rounded to 6 decimals for DMS, about 0.1 m) and
        ``None``, or NaN and an error code (``"coord_missing"``, ``"coord_unparsed"``).

    Examples
    --------
    >>> parse_coord("104°45'BT")
    (104.75, None)
    >>> parse_coord("S 2.99")
    (-2.99, None)
    """
    if _is_missing(value):
        return math.nan, "coord_missing"
    if isinstance(value, bool):
        return math.nan, "coord_unparsed"
    if isinstance(value, int | float | np.integer | np.floating):
        return _finite(float(value))
    text = str(value).strip().upper().replace("\u2212", "-").replace("–", "-")
    text = re.sub(r"\s+", " ", text)
    if len(text) > 60 or not _RE_COORD_ALLOWED.match(text):
        return math.nan, "coord_unparsed"
    sign = 1.0
    hemis = _RE_HEMI.findall(text)
    if len(hemis) > 1:
        return math.nan, "coord_unparsed"
    if hemis:
        hm = _RE_HEMI.search(text)
        if hm and text[: hm.start()].strip() and text[hm.end() :].strip(" '\"°º˚′″”"):
            return math.nan, "coord_unparsed"  # a letter inside the number ("1E5")
        sign = float(_HEMI[hemis[0]])
    nums = _RE_COORD_NUM.findall(text)
    if not nums or len(nums) > 3:
        return math.nan, "coord_unparsed"
    first = text.find(nums[0][0])
    if "-" in text[:first]:
        sign = -1.0
    if text.count("-") > 1:
        return math.nan, "coord_unparsed"
    parts = [float(n.replace(",", ".")) for n in nums]
    if len(parts) == 1:
        return _finite(round(sign * parts[0], 10))
    if any(n.count(",") + n.count(".") > 0 for n in nums[:-1]):
        return math.nan, "coord_unparsed"
    deg, minutes = parts[0], parts[1]
    seconds = parts[2] if len(parts) == 3 else 0.0
    if minutes >= 60 or seconds >= 60:
        return math.nan, "coord_unparsed"
    return _finite(round(sign * (deg + minutes / 60 + seconds / 3600), 6))


def _split_pair(text: str) -> tuple[str, str] | None:
    upper = text.upper()
    hemis = list(_RE_HEMI.finditer(upper))
    if len(hemis) == 2:
        first_digit = re.search(r"\d", upper)
        if first_digit is None:
            return None
        # prefix style "S 2.99 E 104.75", or suffix style "2.99 LS 104.75 BT"
        prefix = hemis[0].start() < first_digit.start()
        cut = hemis[1].start() if prefix else hemis[0].end()
        return upper[:cut].strip(" ,;/"), upper[cut:].strip(" ,;/")
    for sep in (";", "|", "/", "\t"):
        if sep in text:
            parts = text.split(sep)
            return (parts[0], parts[1]) if len(parts) == 2 else None
    if ", " in text:
        parts = text.split(", ")
        return (parts[0], parts[1]) if len(parts) == 2 else None
    commas = text.count(",")
    if commas == 1:
        a, b = text.split(",")
        return a, b
    if commas == 3 and " " not in text.strip():
        p = text.split(",")
        return f"{p[0]},{p[1]}", f"{p[2]},{p[3]}"
    parts = text.split()
    if len(parts) == 2:
        return parts[0], parts[1]
    if commas == 2 and " " in text:
        a, b = text.split(" ", 1)
        return a.rstrip(","), b.lstrip(",")
    return None


def parse_coord_pair(value: Any) -> tuple[float, float, str | None]:
    """Parse a single cell holding both coordinates, ``"lat, lon"``.

    Handles comma decimals (``"-2,976, 104,745"``, ``"-2,976;104,745"``), DMS pairs
    and hemisphere letters; when hemisphere letters name the axes, their order wins
    (``"104.7 BT 2.9 LS"`` is read as lat -2.9, lon 104.7).

    Parameters
    ----------
    value : object
        The cell value.

    Returns
    -------
    tuple of (float, float, str or None)
        Latitude, longitude (as written, before any swap check) and an error code or
        ``None``.
    """
    if _is_missing(value):
        return math.nan, math.nan, "coord_missing"
    text = str(value).strip()
    text = text.strip("()[]{} ")
    if len(text) > 120:
        return math.nan, math.nan, "coord_unparsed"
    parts = _split_pair(text)
    if parts is None:
        return math.nan, math.nan, "coord_unparsed"
    (a, ea), (b, eb) = parse_coord(parts[0]), parse_coord(parts[1])
    if ea or eb:
        return math.nan, math.nan, "coord_unparsed"
    ha = _RE_HEMI.findall(parts[0].upper())
    if ha and _HEMI_AXIS[ha[0]] == "lon":
        a, b = b, a
    return a, b, None


def _map_unique(raw: np.ndarray, func: Any) -> list[Any]:
    """Apply ``func`` once per distinct value of ``raw``; missing values get ``func(None)``."""
    keys, uniques = pd.factorize(raw, use_na_sentinel=True)
    results = [func(u) for u in uniques]
    results.append(func(None))
    return [results[k] for k in keys]  # -1 picks the missing-value result


def _arrow_decimals(values: pd.Series) -> np.ndarray | None:
    """Plain decimals of an Arrow-backed text column, NaN elsewhere; None if not Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if values.dtype == object or not pd.api.types.is_string_dtype(values.dtype):
        return None
    try:
        arr = pa.array(values.array)
        trimmed = pc.utf8_trim_whitespace(arr)
        plain = pc.fill_null(pc.match_substring_regex(trimmed, r"^[+-]?\d+(\.\d+)?$"), False)
        nums = pc.cast(pc.if_else(plain, trimmed, pa.scalar(None, pa.string())), pa.float64())
        return np.asarray(nums.to_numpy(zero_copy_only=False), dtype=float)
    except (ImportError, TypeError, ValueError, pa.ArrowException):
        return None


def coords_to_float(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of coordinates, vectorised where the notation allows.

    Parameters
    ----------
    values : Series
        The raw column (numbers or text).

    Returns
    -------
    tuple of (ndarray, ndarray)
        Float values (NaN where missing or unreadable) and an object array of error
        codes (``None`` where the value parsed).
    """
    n = len(values)
    codes = np.full(n, None, dtype=object)
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        out = values.to_numpy(dtype=float, na_value=np.nan).copy()
        bad = ~np.isfinite(out)
        codes[bad] = "coord_missing"
        codes[np.isinf(out)] = "coord_unparsed"
        out[bad] = np.nan
        return out, codes
    fast = _arrow_decimals(values)  # no Python object per value
    if fast is None:
        obj = values.astype(object)
        fast = pd.to_numeric(obj, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    out = np.array(fast, dtype=float)
    out[np.isinf(out)] = np.nan
    todo = np.flatnonzero(np.isnan(out))
    if len(todo):
        res = _map_unique(values.iloc[todo].astype(object).to_numpy(), parse_coord)
        out[todo] = np.array([r[0] for r in res], dtype=float)
        codes[todo] = np.array([r[1] for r in res], dtype=object)
    return out, codes


# ---------------------------------------------------------------- dates and times
def _excel_serial(x: float) -> tuple[pd.Timestamp | None, bool, str | None]:
    if not math.isfinite(x) or not 1 <= x < 73051:  # 73051 = 2100-01-01
        return None, False, "date_out_of_range"
    ts = _EXCEL_EPOCH + pd.Timedelta(days=x)
    ts = ts.round("s")
    return _check_year(ts, bool(x % 1))


def _check_year(ts: pd.Timestamp, known: bool) -> tuple[pd.Timestamp | None, bool, str | None]:
    if not MIN_YEAR <= ts.year <= MAX_YEAR:
        return None, False, "date_out_of_range"
    return ts, known, None


def _build(y: int, m: int, d: int, rest: str) -> tuple[pd.Timestamp | None, bool, str | None]:
    if y < 100:
        y += 2000  # two-digit years are 20yy: records before 2000 are out of range anyway
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None, False, "date_out_of_range"
    try:
        day = dt.datetime(y, m, d)
    except ValueError:
        return None, False, "date_impossible"
    tz_hours: float | None = None
    name = _RE_TZ_NAME.search(rest)
    if name:
        tz_hours = _TZ_HOURS[name.group(1)]
        rest = rest[: name.start()] + rest[name.end() :]
    off = _RE_TZ_OFFSET.search(rest)
    if off:
        if off.group(1):
            sgn = -1 if off.group(1) == "-" else 1
            tz_hours = sgn * (int(off.group(2)) + int(off.group(3)) / 60)
        else:
            tz_hours = 0.0
        rest = rest[: off.start()]
    rest = _RE_TIME_WORDS.sub(" ", rest)
    tm = _RE_TIME.search(rest)
    known = False
    if tm:
        hh, mm, ss = int(tm.group(1)), int(tm.group(2)), int(tm.group(3) or 0)
        if hh > 24 or mm > 59 or ss > 59 or (hh == 24 and (mm or ss)):
            return None, False, "time_invalid"
        day = day + dt.timedelta(hours=hh, minutes=mm, seconds=ss)
        known = True
        rest = rest[: tm.start()] + rest[tm.end() :]
    if re.search(r"\d", rest):
        return None, False, "date_unparsed"
    ts = pd.Timestamp(day)
    if tz_hours is not None:
        ts = ts.tz_localize(dt.timezone(dt.timedelta(hours=tz_hours)))
    return ts, known, None


def parse_datetime(value: Any) -> tuple[pd.Timestamp | None, bool, str | None]:
    """Parse one date (and optional time) cell.

    Accepted: ISO 8601 with or without time and offset; ``dd/mm/yyyy``, ``dd-mm-yy``,
    ``d.m.yyyy`` (always **day first**, the Indonesian convention: ``03/04/2026`` is
    3 April); Indonesian and English month names and abbreviations (``"10 Agt 2025"``,
    ``"10 Februari 2026"``, ``"February 10, 2026"``); a leading weekday
    (``"Selasa, 10/2/2026"``); ``yyyymmdd``; Excel serial day numbers; datetime objects.
    A time in the same cell (``"10/02/2026 21.30 WIB"``) is read too; ``WIB``, ``WITA``,
    ``WIT`` and ``+08:00`` style offsets are kept.

    Parameters
    ----------
    value : object
        The cell value.

    Returns
    -------
    tuple of (Timestamp or None, bool, str or None)
        The timestamp (naive when no zone was written, meaning local WIB time), whether a
        time of day was given, and an error code (``"date_missing"``, ``"date_unparsed"``,
        ``"date_impossible"``, ``"date_out_of_range"``, ``"time_invalid"``) or ``None``.
    """
    if _is_missing(value):
        return None, False, "date_missing"
    if isinstance(value, bool):
        return None, False, "date_unparsed"
    if isinstance(value, pd.Timestamp | dt.datetime):
        ts = pd.Timestamp(value)
        local = ts.tz_localize(None) if ts.tzinfo else ts
        return _check_year(ts, local != local.normalize())
    if isinstance(value, dt.date):
        return _check_year(pd.Timestamp(value), False)
    if isinstance(value, int | float | np.integer | np.floating):
        return _excel_serial(float(value))
    text = str(value).strip().lower()
    if len(text) > 80:
        return None, False, "date_unparsed"
    if _RE_NUMBER.match(text):
        ymd = _RE_YMD8.match(text)
        if ymd:
            return _build(int(ymd.group(1)), int(ymd.group(2)), int(ymd.group(3)), "")
        return _excel_serial(float(text))
    text = _RE_WEEKDAY.sub(" ", text).replace(",", " ").strip()
    m = _RE_ISO.search(text)
    if m:
        rest = text[: m.start()] + " " + text[m.end() :]
        rest = re.sub(r"^\s*t|(?<=\s)t(?=\d)", " ", rest)
        return _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), rest)
    m = _RE_DMY.search(text)
    if m:
        rest = text[: m.start()] + " " + text[m.end() :]
        return _build(int(m.group(3)), int(m.group(2)), int(m.group(1)), rest)
    m = _RE_D_MON_Y.search(text)
    if m and m.group(2) in MONTHS:
        rest = text[: m.start()] + " " + text[m.end() :]
        return _build(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)), rest)
    m = _RE_MON_D_Y.search(text)
    if m and m.group(1) in MONTHS:
        rest = text[: m.start()] + " " + text[m.end() :]
        return _build(int(m.group(3)), MONTHS[m.group(1)], int(m.group(2)), rest)
    return None, False, "date_unparsed"


def parse_time(value: Any) -> tuple[int | None, str | None]:
    """Parse one time-of-day cell (the ``jam`` column).

    Accepts ``"21.30"``, ``"21:30"``, ``"21.30 WIB"``, ``"pukul 21.30"``, ``"2130"``,
    ``"21"`` (whole hour), Excel time fractions (``0.895833``) and ``datetime.time``.

    Parameters
    ----------
    value : object
        The cell value.

    Returns
    -------
    tuple of (int or None, str or None)
        Seconds after local midnight and ``None``, or ``None`` and an error code
        (``"time_missing"`` or ``"time_invalid"``).
    """
    if _is_missing(value):
        return None, "time_missing"
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second, None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.hour * 3600 + value.minute * 60 + value.second, None
    if isinstance(value, bool):
        return None, "time_invalid"
    if isinstance(value, int | float | np.integer | np.floating):
        x = float(value)
        if 0 <= x < 1:
            return round(x * 86400) % 86400, None
        if x == int(x) and 0 <= x <= 23:
            return int(x) * 3600, None
        return None, "time_invalid"
    text = _RE_TIME_WORDS.sub(" ", str(value).strip().lower())
    text = _RE_TZ_NAME.sub(" ", text).strip()
    m = re.fullmatch(r"(\d{1,2})(?:\s*[:.]\s*(\d{2})(?:\s*[:.]\s*(\d{2}))?)?", text)
    if m is None:
        m = re.fullmatch(r"(\d{2})(\d{2})()", text)
    if m is None:  # a span ("22.00 s.d. selesai", "19.30-21.00"): its start
        m = _RE_TIME_SPAN.match(text)
    if m is None:
        return None, "time_invalid"
    hh, mm, ss = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    if hh > 23 or mm > 59 or ss > 59:
        return None, "time_invalid"
    return hh * 3600 + mm * 60 + ss, None


_FAST_FORMATS: tuple[tuple[str, bool], ...] = (
    ("%Y-%m-%d", False),
    ("%Y-%m-%d %H:%M:%S", True),
    ("%Y-%m-%dT%H:%M:%S", True),
    ("%Y-%m-%d %H:%M", True),
    ("%d/%m/%Y", False),
    ("%d-%m-%Y", False),
    ("%d/%m/%Y %H:%M", True),
)


#: ISO 8601 date and time with a UTC offset, as written by this library (``time`` of CSV,
#: XLSX and GeoJSON outputs): read exactly, fractions of a second included.
_RE_ISO_OFFSET = (
    r"^\s*\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[zZ]|[+-]\d{2}:?\d{2})\s*$"
)
_NAT = np.iinfo(np.int64).min


def dates_to_utc(values: pd.Series, timezone: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column of dates, vectorised for the common formats.

    Parameters
    ----------
    values : Series
        The raw column.
    timezone : str
        Zone of values written without one (``"Asia/Jakarta"``).

    Returns
    -------
    tuple of (ndarray, ndarray, ndarray)
        UTC nanoseconds as int64 (``iNaT`` where not parsed), a bool array ``time_known``
        and an object array of error codes (``None`` where parsed).

    Examples
    --------
    >>> t, known, codes = dates_to_utc(pd.Series(["10/02/2026", "2026-02-10 21:30:00+07:00"]),
    ...                                "Asia/Jakarta")
    >>> pd.to_datetime(t, utc=True).tz_convert("Asia/Jakarta").strftime("%d/%m %H:%M").tolist()
    ['10/02 00:00', '10/02 21:30']
    >>> known.tolist(), codes.tolist()
    ([False, True], [None, None])
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
        return _from_datetimes(values, timezone)
    parsed = _Parsed.empty(len(values))
    todo = np.arange(len(values))
    if not pd.api.types.is_numeric_dtype(values.dtype):
        if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
            strs = values
        else:
            obj = values.astype(object)
            strs = obj.where(obj.map(lambda v: isinstance(v, str)).astype(bool))
        todo = _fast_offsets(strs, todo, parsed)
        todo = _fast_formats(strs, todo, parsed, timezone)
    if len(todo):
        _one_by_one(values.astype(object).iloc[todo].to_numpy(), todo, parsed, timezone)
    bad = (parsed.t_ns == _NAT) & pd.isna(parsed.codes)
    parsed.codes[bad] = "date_unparsed"
    return parsed.t_ns, parsed.known, parsed.codes


class _Parsed(NamedTuple):
    """Dates being parsed: UTC nanoseconds, whether a time of day was given, error codes."""

    t_ns: np.ndarray
    known: np.ndarray
    codes: np.ndarray

    @classmethod
    def empty(cls, n: int) -> _Parsed:
        return cls(
            np.full(n, _NAT, dtype=np.int64),
            np.zeros(n, dtype=bool),
            np.full(n, None, dtype=object),
        )

    def put_local(
        self, pos: np.ndarray, stamps: pd.Series | pd.DatetimeIndex, known: Any, timezone: str
    ) -> None:
        """Store naive local ``stamps`` (times in ``timezone``) at ``pos``."""
        idx = pd.DatetimeIndex(stamps).as_unit("ns")
        loc = idx.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
        self.t_ns[pos] = loc.asi8
        self.known[pos] = known


def _from_datetimes(values: pd.Series, timezone: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dates of a datetime column: naive ones are local times in ``timezone``."""
    parsed = _Parsed.empty(len(values))
    idx = pd.DatetimeIndex(values)
    local = idx.tz_convert(timezone).tz_localize(None) if idx.tz is not None else idx
    missing = np.asarray(idx.isna(), dtype=bool)
    years = np.asarray(local.year)
    ok = ~missing & (years >= MIN_YEAR) & (years <= MAX_YEAR)
    pos = np.flatnonzero(ok)
    if idx.tz is None:
        parsed.put_local(pos, local[pos], (local[pos] != local[pos].normalize()), timezone)
    else:
        utc = idx.tz_convert("UTC").tz_localize(None)
        parsed.t_ns[pos] = utc[pos].as_unit("ns").asi8
        parsed.known[pos] = local[pos] != local[pos].normalize()
    parsed.codes[missing] = "date_missing"
    parsed.codes[~missing & ~ok] = "date_out_of_range"
    return parsed.t_ns, parsed.known, parsed.codes


def _fast_formats(strs: pd.Series, todo: np.ndarray, parsed: _Parsed, timezone: str) -> np.ndarray:
    """Parse the texts in the common formats of :data:`_FAST_FORMATS`; return those left."""
    for fmt, kn in _FAST_FORMATS:
        if not len(todo):
            break
        sub = strs.iloc[todo]
        stamps = pd.to_datetime(sub, format=fmt, errors="coerce")
        good = stamps.notna().to_numpy()
        if not good.any():
            continue
        stamps = stamps[good]
        inrange = ((stamps.dt.year >= MIN_YEAR) & (stamps.dt.year <= MAX_YEAR)).to_numpy()
        pos = todo[good][inrange]
        parsed.put_local(pos, stamps[inrange], kn, timezone)
        todo = np.setdiff1d(todo, pos, assume_unique=True)
    return todo


def _fast_offsets(strs: pd.Series, todo: np.ndarray, parsed: _Parsed) -> np.ndarray:
    """Parse ISO 8601 texts with a UTC offset (:data:`_RE_ISO_OFFSET`); return those left.

    The year is checked as written, as :func:`parse_datetime` does.
    """
    if not len(todo):
        return todo
    sub = strs.iloc[todo].astype("string")
    iso = sub.str.match(_RE_ISO_OFFSET).fillna(False).to_numpy(dtype=bool)
    if not iso.any():
        return todo
    texts = sub[iso].str.strip()
    stamps = pd.to_datetime(texts, format="ISO8601", utc=True, errors="coerce")
    years = pd.to_numeric(texts.str.slice(0, 4), errors="coerce").to_numpy(dtype=float)
    good = (stamps.notna().to_numpy()) & (years >= MIN_YEAR) & (years <= MAX_YEAR)
    pos = todo[iso][good]
    parsed.t_ns[pos] = pd.DatetimeIndex(stamps[good]).as_unit("ns").asi8
    parsed.known[pos] = True
    return np.setdiff1d(todo, pos, assume_unique=True)


def _one_by_one(raw: np.ndarray, todo: np.ndarray, parsed: _Parsed, timezone: str) -> None:
    """Parse the values left with :func:`parse_datetime`, once per distinct value."""

    def one(u: Any) -> tuple[int, bool, str | None]:
        ts, kn, code = parse_datetime(u)
        if ts is None:
            return _NAT, False, code
        aware = (
            ts.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
            if ts.tzinfo is None
            else ts
        )
        if not isinstance(aware, pd.Timestamp):
            return _NAT, False, "date_unparsed"
        return int(aware.as_unit("ns").value), kn, None

    res = _map_unique(raw, one)
    parsed.t_ns[todo] = np.array([r[0] for r in res], dtype=np.int64)
    parsed.known[todo] = np.array([r[1] for r in res], dtype=bool)
    parsed.codes[todo] = np.array([r[2] for r in res], dtype=object)


def times_to_seconds(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse a ``jam`` column once per distinct value.

    Parameters
    ----------
    values : Series
        The raw column.

    Returns
    -------
    tuple of (ndarray, ndarray)
        Seconds after midnight as float (NaN where missing or invalid) and an object
        array of error codes.
    """
    keys, uniques = pd.factorize(values.astype(object).to_numpy(), use_na_sentinel=True)
    res = [parse_time(u) for u in uniques] + [parse_time(None)]  # keys of -1 take the last
    secs = np.array([np.nan if r[0] is None else r[0] for r in res], dtype=float)[keys]
    codes = np.array([r[1] for r in res], dtype=object)[keys]
    return secs, codes


def looks_like_time_of_day(values: pd.Series, sample: int = 200) -> bool:
    """Return whether a column holds times of day rather than dates.

    Looks at the first ``sample`` cells that are not empty: most read as a time
    (``"22.00 s.d. selesai"``, ``"19.30 WIB"``, a ``datetime.time``) and none as a date.

    Parameters
    ----------
    values : Series
        The column as read.
    sample : int
        How many non-empty cells to look at.

    Returns
    -------
    bool

    Examples
    --------
    >>> looks_like_time_of_day(pd.Series(["22.00 s.d. selesai", "19.30 WIB", None]))
    True
    >>> looks_like_time_of_day(pd.Series(["12 Maret 2025", "19.30 WIB"]))
    False
    """
    cells = [v for v in values.head(sample * 4).tolist() if not _is_missing(v)][:sample]
    if not cells:
        return False
    dates = sum(parse_datetime(v)[0] is not None for v in cells if not isinstance(v, dt.time))
    if dates:
        return False
    times = sum(
        isinstance(v, dt.time)
        or (isinstance(v, float) and 0 <= v < 1)
        or (isinstance(v, str) and parse_time(v)[1] is None)
        for v in cells
    )
    return times >= 0.5 * len(cells)
