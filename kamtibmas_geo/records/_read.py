r"""Disturbance and activity records: reading, cleaning, and the ledger of every row.

:func:`read_records` reads a CSV/XLSX/GeoJSON/GPKG/GeoParquet file or a (Geo)DataFrame
typed by Polsek staff, recognises its columns by their Indonesian or English names,
parses coordinates and dates in the notations people use, maps each type to the
taxonomy, flags duplicates, and returns a :class:`RecordSet`: the records and the
rejected rows, each with the row, column, value and a reason a person can act on.
``len(records) + len(rejected)`` is always the number of data rows read. Records this
library wrote (``kamtibmas-geo geocode``'s output) are read back as they were written
(:mod:`kamtibmas_geo.records._own`).

The reading is a chain of steps, each on the whole table: open the input and map its
columns (:func:`_open`), read the dates and times (:func:`_read_times`), read the places
(:func:`_read_places`), then assemble the records (:func:`_assemble`) and the ledger of
rejected rows (:class:`_Ledger`).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "Tanggal": ["10/02/2026", "31/02/2026"],
...     "Jam": ["21.30", "22.00"],
...     "Jenis": ["Balapan liar", "petasan"],
...     "Lintang": ["-2,9761", "-2.98"],
...     "Bujur": ["104,7451", "104.75"],
... })
>>> rs = read_records(frame)
>>> rs.records[["row", "type", "lat", "lon"]].to_string(index=False)
' row       type     lat      lon\n   2 balap_liar -2.9761 104.7451'
>>> rs.rejected[["row", "column", "value", "reason_code"]].to_string(index=False)
' row  column      value     reason_code\n   3 Tanggal 31/02/2026 date_impossible'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import RecordError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo._memory import release_freed_memory
from kamtibmas_geo._validate import check_choice
from kamtibmas_geo.config import Settings
from kamtibmas_geo.records import _own
from kamtibmas_geo.records._cells import (
    VALUE_CHARS,
    category_text,
    cell_text,
    string_array,
    text_cells,
)
from kamtibmas_geo.records._early import EARLY_COLUMNS, OWN_EARLY, add_warning_columns
from kamtibmas_geo.records._headers import (
    ALIASES,
    EARLY_ALIASES,
    FIELD_NAMES,
    known_names,
    map_columns,
)
from kamtibmas_geo.records._headers import MESSAGES as HEADER_MESSAGES
from kamtibmas_geo.records._ledger import (
    MESSAGES as NOTES,
)
from kamtibmas_geo.records._ledger import (
    RecordSet,
    encoding_label,
    find_duplicates,
    ledger_summary,
    sanitize_for_export,
)
from kamtibmas_geo.records._parse import (
    coords_to_float,
    dates_to_utc,
    looks_like_time_of_day,
    parse_coord_pair,
    times_to_seconds,
)
from kamtibmas_geo.records._readers import RawTable, is_empty_row, read_table
from kamtibmas_geo.records._taxonomy import KINDS, Taxonomy, load_taxonomy, normalise_text

__all__ = [
    "ALIASES",
    "MESSAGES",
    "RECORD_COLUMNS",
    "REJECTED_COLUMNS",
    "RecordSet",
    "Taxonomy",
    "encoding_label",
    "find_duplicates",
    "ledger_summary",
    "load_taxonomy",
    "read_records",
    "sanitize_for_export",
]

Kind = Literal["disturbance", "activity", "early_warning"]

#: Errors about the input as a whole (bad rows never raise; they go to the ledger).
MESSAGES = {
    "text_column": {
        "id": "Kolom alamat text_column={name!r} tidak ada di masukan; kolomnya: {columns}. "
        "Tulis nama kolom persis seperti judul kolomnya.",
        "en": "text_column={name!r} is not a column of the input; its columns are {columns}.",
    },
    "no_date": {
        "id": "{source!r} tidak punya kolom tanggal (tanggal/tgl/waktu/date); kolomnya: "
        "{columns}. Ganti nama kolom tanggalnya (nama yang dikenali ada di docs/records.md).",
        "en": "{source!r} has no date (tanggal/tgl/waktu/date) column; its columns are "
        "{columns}. Rename the column (see docs/records.md for the accepted names).",
    },
    "no_location": {
        "id": "{source!r} tidak punya kolom lokasi (lintang+bujur, koordinat, alamat, desa "
        "atau kecamatan); kolomnya: {columns}. Ganti nama kolom lokasinya (nama yang dikenali "
        "ada di docs/records.md).",
        "en": "{source!r} has no location (lintang+bujur, koordinat, alamat, desa or "
        "kecamatan) column; its columns are {columns}. Rename the column (see "
        "docs/records.md for the accepted names).",
    },
}

RECORD_COLUMNS = (
    "record_id", "source", "row", "kind", "type", "type_raw", "severity", "time",
    "time_known", "lat", "lon", "address", "kecamatan", "desa", "polsek", "keterangan",
    "duplicate_of", "coord_note", "type_warning", "time_note", "read_note",
)  # fmt: skip
REJECTED_COLUMNS = ("source", "row", "column", "value", "reason_code", "reason")
_TEXT_FIELDS = ("address", "kecamatan", "desa", "polsek", "keterangan")
_LOCATING = frozenset({"lat", "coords", "address", "kecamatan", "desa"})


def read_records(
    source: str | Path | pd.DataFrame,
    kind: Kind = "disturbance",
    *,
    sheet: str | int | None = None,
    text_column: str | None = None,
    columns: Mapping[str, str] | None = None,
    strict_columns: bool = True,
    taxonomy: str | Path | Mapping[str, Any] | Taxonomy | None = None,
    settings: Settings | None = None,
    lang: str = "id",
    duplicate_minutes: float = 30.0,
    duplicate_metres: float = 100.0,
) -> RecordSet:
    """Read disturbance or activity records and account for every row.

    Parameters
    ----------
    source : str, Path or DataFrame
        CSV/TXT/TSV (any of ``; , tab |`` as delimiter; one encoding for the whole file:
        UTF-8 with or without BOM, UTF-16/32 with BOM, UTF-16 without BOM, or cp1252),
        XLSX (merged cells filled over the rows and columns they cover),
        GeoJSON/GPKG (Point or MultiPoint geometries), GeoParquet/Parquet, or a
        (Geo)DataFrame. Columns are recognised by the aliases in :data:`ALIASES` (case,
        spaces and punctuation ignored). A title above the header row is skipped. Every
        data line of a text file is one row; lines merged by a stray quote are read again
        one by one and noted in ``read_note``. The ``'`` that a CSV written by this
        library puts before text a spreadsheet would run (``'=1+1``) is taken off again.
        Records this library wrote (the output of ``kamtibmas-geo geocode``, in any of
        these formats) are read back as they were written: ``time``, ``lat``/``lon``,
        ``type``, the notes, and ``source``/``row`` of the file first read (see
        :mod:`kamtibmas_geo.records._own`).
    kind : {"disturbance", "activity", "early_warning"}
        Which taxonomy the ``jenis`` column is classified against. Early warnings
        (informasi dini) are read with the column names of
        :data:`~kamtibmas_geo.records._headers.EARLY_ALIASES` (the date is when it was
        reported) and get the columns of
        :data:`~kamtibmas_geo.records._early.EARLY_COLUMNS` (feared type, expected start
        and end, reporter role, the PRIVATE reporter name and contact, follow-up status);
        see :mod:`kamtibmas_geo.records._early`.
    sheet : str or int, optional
        Sheet name or 0-based index of a workbook (first sheet by default), or layer of
        a GeoPackage.
    text_column : str, optional
        Column holding the address text, when it is not one of the aliases.
    columns : mapping, optional
        ``{field: column}`` for columns whose names are not among the aliases, fields
        named as in :data:`~kamtibmas_geo.records._headers.FIELD_NAMES`
        (``{"tanggal": "Hari/Tanggal", "alamat": "TKP / Alamat"}``); the CLI's
        ``--columns``. Which column was used for what is in
        ``records.attrs["read"]["columns"]``.
    strict_columns : bool
        Refuse a ``columns`` or ``text_column`` entry the table lacks (``False`` ignores
        it: the option was meant for another input of the same command).
    taxonomy : str, Path, dict or Taxonomy, optional
        Extra or overriding types (see :func:`load_taxonomy`).
    settings : Settings, optional
        Only ``timezone`` is used (zone of times written without one; Asia/Jakarta).
    lang : {"id", "en"}
        Language of the ``reason`` column and notes.
    duplicate_minutes : float
        Two records of the same type at most this many minutes apart ...
    duplicate_metres : float
        ... and at most this many metres apart (or with the same address text when one
        lacks coordinates) are the same report; the later one gets ``duplicate_of``.

    Returns
    -------
    RecordSet
        ``records`` (GeoDataFrame, EPSG:4326) and ``rejected`` (DataFrame).

    Raises
    ------
    RecordError
        The input as a whole cannot be read: missing file, unsupported format, no
        date column, or no column that locates a record. Bad rows never raise.
    """
    check_choice("kind", kind, KINDS)
    check_choice("lang", lang, ("id", "en"))
    tz = (settings or Settings()).timezone
    tax = load_taxonomy(taxonomy)
    table = _open(source, sheet, text_column, columns, strict=strict_columns, kind=kind)
    ledger = _Ledger.start(table.raw)
    times = _read_times(table, tz, ledger, lang)
    places = _read_places(table, ledger, lang)
    typing = _Typing(tax, kind, lang)
    keep = ledger.kept()
    records = _assemble(table, keep, times, places, typing, (duplicate_minutes, duplicate_metres))
    if kind == "early_warning":
        records = add_warning_columns(
            records, table.frame, table.cols, np.flatnonzero(keep), own=table.own,
            taxonomy=tax, timezone=tz, lang=lang,
        )  # fmt: skip
    out = _finish(table.raw, records, ledger.frame(table.raw, lang))
    release_freed_memory(len(out.records))
    return out


# -- opening the input -----------------------------------------------------------------


@dataclass(frozen=True)
class _Input:
    """The table read, its columns, and which column holds each field.

    Attributes
    ----------
    raw : RawTable
        The cells as read, with row numbers and the rows broken while reading.
    columns : list of str
        Column names, as text.
    cols : dict
        ``{field: column}`` for the fields found (``date``, ``lat``, ``address`` ...).
    own : bool
        Records written by this library (read back as they were written).
    consumed : frozenset of str
        Columns read into the records' own columns; the others are carried along.
    """

    raw: RawTable
    columns: list[str]
    cols: dict[str, str]
    own: bool
    consumed: frozenset[str]

    @property
    def frame(self) -> pd.DataFrame:
        """The cells, one row per data row."""
        return self.raw.frame

    @property
    def n(self) -> int:
        """Number of data rows."""
        return len(self.raw.frame)


def _open(
    source: str | Path | pd.DataFrame,
    sheet: str | int | None,
    text_column: str | None,
    given: Mapping[str, str] | None = None,
    *,
    strict: bool = True,
    kind: str = "disturbance",
) -> _Input:
    """Read the table and find its columns; raise when no date or no place can be read."""
    aliases = EARLY_ALIASES if kind == "early_warning" else ALIASES
    raw = read_table(source, sheet=sheet, known=known_names(aliases))
    columns = [str(c) for c in raw.frame.columns]
    raw.frame.columns = pd.Index(columns)
    own = _own.is_own_table(columns)
    cols = _map_columns(
        raw, columns, text_column, own=own, given=given, strict=strict, aliases=aliases
    )
    consumed = set(cols.values()) | (_own.own_consumed(columns) if own else set())
    if own and kind == "early_warning":  # the warning's columns as this library wrote them
        cols.update({f: c for f, c in OWN_EARLY.items() if c in columns and f not in cols})
        consumed |= set(EARLY_COLUMNS) & set(columns)
    if own:
        raw.meta["own"] = True
    raw.meta["columns"] = dict(cols)
    locating = _LOCATING & set(cols)
    if "date" not in cols or not (locating or raw.lon is not None):
        key = "no_date" if "date" not in cols else "no_location"
        raise RecordError.say(MESSAGES, key, source=raw.source, columns=columns)
    return _Input(raw, columns, cols, own, frozenset(consumed))


def _map_columns(
    raw: RawTable,
    columns: list[str],
    text_column: str | None,
    *,
    own: bool = False,
    given: Mapping[str, str] | None = None,
    strict: bool = True,
    aliases: Mapping[str, tuple[str, ...]] = ALIASES,
) -> dict[str, str]:
    """Map canonical fields to the user's column names (see :func:`map_columns`)."""
    named = parse_given(given)
    if text_column is not None:
        if _find_column(columns, text_column) is not None:
            named["address"] = text_column
        elif strict:
            raise RecordError.say(MESSAGES, "text_column", name=text_column, columns=columns)
    if own:
        found = map_columns(columns, {}, given=named, source=raw.source, strict=strict)
        used = set(found.values())
        for field, col in _own.own_columns(columns).items():
            if field not in found and col not in used:
                found[field] = col
                used.add(col)
        return found
    found = map_columns(columns, aliases, given=named, source=raw.source, strict=strict)
    return _settle_date_time(raw.frame, found, named)


def parse_given(given: Mapping[str, str] | None) -> dict[str, str]:
    """Return ``{field: column}`` of columns a person named, fields by any of their names.

    Parameters
    ----------
    given : mapping or None
        ``{"tanggal": "Hari/Tanggal"}`` or ``{"date": "Hari/Tanggal"}``.

    Returns
    -------
    dict
    """
    out: dict[str, str] = {}
    for name, column in (given or {}).items():
        field = FIELD_NAMES.get(normalise_text(name).replace(" ", ""))
        if field is None:
            known = ", ".join(sorted(FIELD_NAMES))
            raise RecordError.say(HEADER_MESSAGES, "columns_field", name=name, known=known)
        out[field] = column
    return out


def _find_column(columns: list[str], wanted: str) -> str | None:
    want = normalise_text(wanted)
    return next((c for c in columns if c == wanted), None) or next(
        (c for c in columns if normalise_text(c) == want), None
    )


_DATE_WORDS = frozenset({"tanggal", "tgl", "hari", "date", "waktu", "datetime"})


def _settle_date_time(
    frame: pd.DataFrame, found: dict[str, str], named: Mapping[str, str]
) -> dict[str, str]:
    """Never take a time-of-day column for the date; pair a date column with a time column.

    A column named like a date (``Waktu``) that holds times of day (``"22.00 s.d.
    selesai"``) becomes the time column, and the date is taken from another column whose
    name speaks of a date (``Hari/Tanggal``) and that holds dates. Columns the person named
    stay as named.
    """
    date_col = found.get("date")
    if date_col is None or "date" in named or not looks_like_time_of_day(frame[date_col]):
        return found
    used = set(found.values())
    others = [
        c for c in frame.columns
        if c not in used and _DATE_WORDS & set(normalise_text(str(c)).split())
    ]  # fmt: skip
    better = next((c for c in others if not looks_like_time_of_day(frame[c])), None)
    out = {k: v for k, v in found.items() if k != "date"}
    if better is not None:
        out["date"] = better
    if "time" not in out or out["time"] == better:
        out["time"] = date_col
    return out


# -- the ledger of rejected rows -------------------------------------------------------


class _Ledger:
    """Per row: the first reason it is rejected for, with its column, value and details.

    A row is rejected once: a later step never overwrites an earlier reason (the order is
    the shape of the row, then its date, then its place).
    """

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, None, dtype=object)
        self.column = np.full(n, "", dtype=object)
        self.value = np.full(n, "", dtype=object)
        self.info: dict[int, dict[str, Any]] = {}

    @classmethod
    def start(cls, raw: RawTable) -> _Ledger:
        """Open the ledger with the rows that could not be read as rows of the table."""
        ledger = cls(len(raw.frame))
        for pos, issue in raw.broken.items():
            ledger.reason[pos], ledger.column[pos] = issue.code, "*"
            ledger.value[pos] = issue.value[:VALUE_CHARS]
            ledger.info[pos] = dict(issue.info)
        return ledger

    def reject(
        self, mask: np.ndarray, code: str | np.ndarray, column: str, values: Any = None
    ) -> None:
        """Reject the rows of ``mask`` not rejected yet, for ``code`` (one, or per row)."""
        take = mask & pd.isna(self.reason)
        if not take.any():
            return
        self.reason[take] = code[take] if isinstance(code, np.ndarray) else code
        self.column[take] = column
        vals = np.asarray(values, dtype=object) if values is not None else None
        self.value[take] = [cell_text(v) for v in vals[take]] if vals is not None else ""

    def kept(self) -> np.ndarray:
        """Return which rows are not rejected."""
        return np.asarray(pd.isna(self.reason), dtype=bool)

    def frame(self, raw: RawTable, lang: str) -> pd.DataFrame:
        """Return the rejected rows (:data:`REJECTED_COLUMNS`), reasons in ``lang``."""
        ridx = np.flatnonzero(~self.kept())
        codes = self.reason[ridx]
        cols, vals = self.column[ridx], self.value[ridx]
        reasons = [
            tr(NOTES, str(c), lang, column=col, value=val, **self.info.get(int(p), {}))
            for p, c, col, val in zip(ridx, codes, cols, vals, strict=True)
        ]
        return pd.DataFrame(
            {
                "source": pd.array([raw.source] * len(ridx), dtype="string"),
                "row": raw.rows[ridx].astype(np.int64),
                "column": pd.array(cols, dtype="string"),
                "value": pd.array(vals, dtype="string"),
                "reason_code": pd.array(codes, dtype="string"),
                "reason": pd.array(reasons, dtype="string"),
            }
        )


# -- dates and times -------------------------------------------------------------------


class _Times(NamedTuple):
    """When each row happened: UTC nanoseconds, whether the time of day is known, a note.

    ``zone`` is the time zone the records' times are shown in.
    """

    t_ns: np.ndarray
    known: np.ndarray
    note: np.ndarray
    zone: str


def _read_times(table: _Input, tz: str, ledger: _Ledger, lang: str) -> _Times:
    """Read the date column (and the time column); reject the rows without a date."""
    date_col = table.cols["date"]
    date_raw = table.frame[date_col]
    t_ns, known, codes = dates_to_utc(date_raw, tz)
    bad_date = ~pd.isna(codes)
    if bad_date.any():
        empty = np.zeros(table.n, dtype=bool)
        empty[bad_date] = is_empty_row(table.frame.iloc[np.flatnonzero(bad_date)])
        ledger.reject(empty, "empty_row", "*")
        ledger.reject(bad_date, codes, date_col, date_raw.to_numpy())
    times = _Times(t_ns, known, np.full(table.n, None, dtype=object), tz)
    if "time" in table.cols:
        _add_time_of_day(table.frame[table.cols["time"]], bad_date, times, lang)
    if table.own and "time_known" in table.columns:
        known = _own.written_time_known(table.frame["time_known"], times.known)
        return times._replace(known=known)
    return times


def _add_time_of_day(jam: pd.Series, bad_date: np.ndarray, times: _Times, lang: str) -> None:
    """Put the time of a separate ``jam`` column on each date, in place; note bad times."""
    secs, t_codes = times_to_seconds(jam)
    ok = ~np.isnan(secs) & ~bad_date
    if ok.any():
        tz = times.zone
        local = pd.DatetimeIndex(pd.to_datetime(times.t_ns[ok], utc=True)).tz_convert(tz)
        day = local.tz_localize(None).normalize() + pd.to_timedelta(secs[ok], unit="s")
        stamps = day.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        times.t_ns[ok] = stamps.as_unit("ns").asi8
        times.known[ok] = True
    bad_time = (t_codes == "time_invalid") & ~bad_date
    if bad_time.any():
        values = jam.to_numpy()
        times.note[bad_time] = [
            tr(NOTES, "note_time_invalid", lang, value=cell_text(v)) for v in values[bad_time]
        ]


# -- places ----------------------------------------------------------------------------


@dataclass
class _Coords:
    """Coordinates per row while they are read, and why a row has none.

    Attributes
    ----------
    lat, lon : ndarray
        Degrees, NaN where none.
    code : ndarray
        ``None`` where the point is usable, else a reason code (``coord_missing`` ...).
    column : str
        The column(s) the coordinates came from, for the ledger.
    value : ndarray
        The cells as written, for the ledger and the notes.
    """

    lat: np.ndarray
    lon: np.ndarray
    code: np.ndarray
    column: str
    value: np.ndarray


class _Places(NamedTuple):
    """Where each row happened: its point (NaN where none), a note, and its address texts."""

    lat: np.ndarray
    lon: np.ndarray
    note: np.ndarray
    texts: dict[str, pd.Series]


def _read_places(table: _Input, ledger: _Ledger, lang: str) -> _Places:
    """Read the coordinates and the address texts; reject the rows that cannot be placed."""
    xy = _coords_from_columns(table)
    geom_bad = _coords_from_geometry(table.raw, xy, own=table.own)
    if table.own:  # a unit's inside point is not the record's own point
        area = _own.area_only(table.frame)
        xy.lat[area], xy.lon[area], xy.code[area] = np.nan, np.nan, "coord_missing"
    note = _check_coords(xy, lang)
    texts = {f: text_cells(table.frame[table.cols[f]]) for f in _TEXT_FIELDS if f in table.cols}
    has_text = np.zeros(table.n, dtype=bool)
    for f in ("address", "desa", "kecamatan"):
        if f in texts:
            has_text |= texts[f].notna().to_numpy()
    _reject_places(table, xy, geom_bad, has_text, note, ledger, lang)
    unusable = ~pd.isna(xy.code)
    xy.lat[unusable] = np.nan
    xy.lon[unusable] = np.nan
    return _Places(xy.lat, xy.lon, note, texts)


def _coords_from_columns(table: _Input) -> _Coords:
    """Parse the lintang/bujur columns, or the one koordinat column."""
    n, cols, frame = table.n, table.cols, table.frame
    xy = _Coords(
        np.full(n, np.nan), np.full(n, np.nan), np.full(n, "coord_missing", dtype=object), "",
        np.full(n, "", dtype=object),
    )  # fmt: skip
    if "lat" in cols and "lon" in cols:
        xy.lat, la_code = coords_to_float(frame[cols["lat"]])
        xy.lon, lo_code = coords_to_float(frame[cols["lon"]])
        la_miss, lo_miss = la_code == "coord_missing", lo_code == "coord_missing"
        xy.code = np.full(n, "coord_unparsed", dtype=object)
        xy.code[pd.isna(la_code) & pd.isna(lo_code)] = None
        xy.code[la_miss & lo_miss] = "coord_missing"
        xy.code[la_miss ^ lo_miss] = "coord_incomplete"
        xy.column = f"{cols['lat']}/{cols['lon']}"
    elif "coords" in cols:
        raw_pairs = frame[cols["coords"]].astype(object).to_numpy()
        keys, uniq = pd.factorize(raw_pairs, use_na_sentinel=True)
        parsed = [parse_coord_pair(u) for u in uniq] + [parse_coord_pair(None)]
        xy.lat = np.array([parsed[k][0] for k in keys], dtype=float)
        xy.lon = np.array([parsed[k][1] for k in keys], dtype=float)
        xy.code = np.array([parsed[k][2] for k in keys], dtype=object)
        xy.column, xy.value = cols["coords"], raw_pairs
    return xy


def _coords_from_geometry(raw: RawTable, xy: _Coords, *, own: bool) -> np.ndarray:
    """Fill the rows without coordinates from the point geometries; return the bad ones.

    In an own table a record without a point was written with an empty geometry: that is
    no error.
    """
    geom_bad = np.zeros(len(raw.frame), dtype=bool)
    if raw.lon is None or raw.lat is None:
        return geom_bad
    fill = xy.code == "coord_missing"
    xy.lon, xy.lat = np.where(fill, raw.lon, xy.lon), np.where(fill, raw.lat, xy.lat)
    xy.code = xy.code.copy()
    xy.code[fill & ~np.isnan(xy.lat)] = None
    if raw.geom_code is not None and raw.geom_value is not None:
        geom_bad = fill & ~pd.isna(raw.geom_code)
        if own:
            geom_bad &= raw.geom_code != "geometry_empty"
        xy.code[geom_bad] = raw.geom_code[geom_bad]
        xy.value = np.asarray(xy.value, dtype=object).copy()
        xy.value[geom_bad] = raw.geom_value[geom_bad]
    xy.column = xy.column or "geometry"
    return geom_bad


def _check_coords(xy: _Coords, lang: str) -> np.ndarray:
    """Swap lat/lon written the wrong way round (noted); mark 0,0 and out-of-range points."""
    note = np.full(len(xy.lat), None, dtype=object)
    parsed_ok = pd.isna(xy.code)
    swap = parsed_ok & (np.abs(xy.lat) > 90) & (np.abs(xy.lon) <= 90)
    xy.lat, xy.lon = np.where(swap, xy.lon, xy.lat), np.where(swap, xy.lat, xy.lon)
    note[swap] = tr(NOTES, "note_coord_swapped", lang)
    xy.code[parsed_ok & (xy.lat == 0) & (xy.lon == 0)] = "coord_zero"
    out_of_range = (np.abs(xy.lat) > 90) | (np.abs(xy.lon) > 180)
    xy.code[pd.isna(xy.code) & out_of_range] = "coord_out_of_range"
    return note


def _reject_places(
    table: _Input,
    xy: _Coords,
    geom_bad: np.ndarray,
    has_text: np.ndarray,
    note: np.ndarray,
    ledger: _Ledger,
    lang: str,
) -> None:
    """Reject rows with bad or no coordinates and no address; note the bad ones kept."""
    cols, frame = table.cols, table.frame
    c_bad = ~pd.isna(xy.code) & (xy.code != "coord_missing")
    if "coords" not in cols and not ("lat" in cols and "lon" in cols) and table.raw.lon is None:
        xy.column = "lintang/bujur"
    if "lat" in cols and "lon" in cols:
        bad_xy = np.flatnonzero(c_bad)  # the values are only needed for the ledger and notes
        la_t = [cell_text(v) for v in frame[cols["lat"]].to_numpy(dtype=object)[bad_xy]]
        lo_t = [cell_text(v) for v in frame[cols["lon"]].to_numpy(dtype=object)[bad_xy]]
        xy.value[bad_xy] = [f"{a}; {b}" if a else b for a, b in zip(la_t, lo_t, strict=True)]
    ledger.reject(geom_bad & ~has_text, xy.code, "geometry", xy.value)
    ledger.reject(c_bad & ~has_text, xy.code, xy.column, xy.value)
    no_place = (xy.code == "coord_missing") & ~has_text
    ledger.reject(no_place, "no_location", xy.column or "alamat")
    kept_bad = c_bad & has_text
    if kept_bad.any():
        codes, values = xy.code[kept_bad], np.asarray(xy.value, dtype=object)[kept_bad]
        note[kept_bad] = [
            tr(NOTES, "note_coord_" + str(code), lang, value=cell_text(v))
            for code, v in zip(codes, values, strict=True)
        ]


# -- the records -----------------------------------------------------------------------


class _Typing(NamedTuple):
    """How types are read: the taxonomy, the kind of records, the language of warnings."""

    taxonomy: Taxonomy
    kind: str
    lang: str


def _assemble(
    table: _Input,
    keep: np.ndarray,
    times: _Times,
    places: _Places,
    typing: _Typing,
    tolerances: tuple[float, float],
) -> gpd.GeoDataFrame:
    """Build the records (:data:`RECORD_COLUMNS`, the other columns, points) of kept rows."""
    idx = np.flatnonzero(keep)
    none = string_array(np.full(len(idx), None, dtype=object))  # shared by the empty columns
    out = _identity(table.raw, idx, typing.kind)
    t_ok, kept_type = _add_types(out, table, idx, typing)
    out["time"] = pd.to_datetime(times.t_ns[idx], utc=True).tz_convert(times.zone).as_unit("ns")
    out["time_known"] = times.known[idx]
    out["lat"] = places.lat[idx]
    out["lon"] = places.lon[idx]
    for f in _TEXT_FIELDS:
        out[f] = places.texts[f].array.take(idx) if f in places.texts else none
    if table.own and "duplicate_of" in table.columns:  # as written (see _own.keep_written)
        out["duplicate_of"] = none
    else:
        out["duplicate_of"] = _duplicates(out, times.t_ns[idx], tolerances)
    out["coord_note"] = _or_none(places.note[idx], none)
    out["type_warning"] = none if t_ok.all() else _type_warnings(out["type_raw"], t_ok, typing.lang)
    out["time_note"] = _or_none(times.note[idx], none)
    out["read_note"] = _or_none(_read_notes(table.raw, typing.lang)[idx], none)
    if table.own:
        _own.keep_written(out, table.frame, idx, kept_type)
    _carry_other_columns(out, table, idx)
    geom = gpd.points_from_xy(out["lon"], out["lat"], crs="EPSG:4326")
    geom[np.isnan(out["lat"].to_numpy())] = None
    return gpd.GeoDataFrame(out, geometry=geom, crs="EPSG:4326", copy=False)  # own columns


def _or_none(values: np.ndarray, none: Any) -> Any:
    """Return notes (str or None) as a ``string`` array; ``none`` (shared) when all are None."""
    return none if pd.isna(values).all() else string_array(values)


def _identity(raw: RawTable, idx: np.ndarray, kind: str) -> pd.DataFrame:
    """Start the records: ``record_id`` (``file:row``), ``source``, ``row``, ``kind``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows, src = raw.rows, raw.source
    out = pd.DataFrame(index=pd.RangeIndex(len(idx)))
    row_str = pc.cast(pa.array(rows[idx]), pa.string())
    out["record_id"] = pd.array(
        pc.binary_join_element_wise(pa.scalar(f"{src}:"), row_str, ""), dtype="string"
    )
    one = np.zeros(len(idx), dtype=np.int8)  # one value on every row: a categorical
    out["source"] = pd.Categorical.from_codes(one, categories=pd.Index([src], dtype="string"))
    out["row"] = rows[idx].astype(np.int64)
    out["kind"] = pd.Categorical.from_codes(one, categories=pd.Index([kind], dtype="string"))
    return out


def _add_types(
    out: pd.DataFrame, table: _Input, idx: np.ndarray, typing: _Typing
) -> tuple[np.ndarray, np.ndarray]:
    """Add ``type``, ``type_raw`` and ``severity``.

    Returns
    -------
    tuple of (ndarray, ndarray)
        Which rows have a recognised type, and which kept the type an own table wrote.
    """
    tax, kind = typing.taxonomy, typing.kind
    type_raw = (
        text_cells(table.frame[table.cols["type"]]).iloc[idx].reset_index(drop=True)
        if "type" in table.cols
        else pd.Series(pd.NA, index=range(len(idx)), dtype="string")
    )
    keys, uniq = pd.factorize(type_raw.to_numpy(dtype=object), use_na_sentinel=True)
    classified = [tax.classify(u, kind) for u in uniq] + [("lainnya", False)]
    t_ok = np.array([c[1] for c in classified], dtype=bool)[keys]
    types = pd.array([c[0] for c in classified], dtype="string").take(keys)
    kept_type = np.zeros(len(idx), dtype=bool)
    if table.own and "type" in table.columns:
        written = _own.written_types(table.frame["type"].iloc[idx], tax.keys(kind))
        kept_type = np.array([w is not None for w in written], dtype=bool)
        types = pd.array(
            np.where(kept_type, written, np.asarray(types, dtype=object)), dtype="string"
        )
        t_ok = t_ok | kept_type
    out["type"] = category_text(types)
    out["type_raw"] = category_text(type_raw.array)
    t_keys, t_uniq = pd.factorize(np.asarray(types, dtype=object))
    out["severity"] = np.array([tax.info(kind, k).severity for k in t_uniq], dtype=float)[t_keys]
    return t_ok, kept_type


def _type_warnings(type_raw: pd.Series, t_ok: np.ndarray, lang: str) -> Any:
    """Warn of each type that fell back to ``lainnya`` (unknown or empty)."""
    warn = np.full(len(type_raw), None, dtype=object)
    unknown = ~t_ok
    if unknown.any():
        tr_raw = type_raw.to_numpy(dtype=object)
        warn[unknown] = [
            tr(NOTES, "note_type_empty", lang)
            if v is None or v is pd.NA
            else tr(NOTES, "note_type_unknown", lang, value=cell_text(v))
            for v in tr_raw[unknown]
        ]
    return string_array(warn)


def _duplicates(out: pd.DataFrame, t_ns: np.ndarray, tolerances: tuple[float, float]) -> Any:
    """Return ``duplicate_of``: the id of the first report of each copy, else NA."""
    n = len(out)
    place = np.full(n, "", dtype=object)
    if out["lat"].isna().any():  # the address text only matters for records lacking a point
        addr_key = (
            out["address"].fillna("") + "|" + out["desa"].fillna("") + "|"
            + out["kecamatan"].fillna("")
        )  # fmt: skip
        a_keys, a_uniq = pd.factorize(addr_key.to_numpy(dtype=object))
        place = np.array([normalise_text(u).replace(" ", "") for u in a_uniq], dtype=object)[a_keys]
    minutes, metres = tolerances
    dup = find_duplicates(
        pd.factorize(out["type"])[0],  # the same groups as the type texts, no string per row
        t_ns,
        out["lat"].to_numpy(),
        out["lon"].to_numpy(),
        place,
        minutes=minutes,
        metres=metres,
    )
    dup_ids = np.full(n, None, dtype=object)
    dup_ids[dup >= 0] = out["record_id"].iloc[dup[dup >= 0]].to_numpy(dtype=object)
    return string_array(dup_ids)


def _read_notes(raw: RawTable, lang: str) -> np.ndarray:
    """Return per row the notes of reading it in an unusual way (None where none)."""
    read_note = np.full(len(raw.frame), None, dtype=object)
    for pos, issues in raw.notes.items():
        read_note[pos] = "; ".join(
            tr(NOTES, f"note_read_{i.code}", lang, **dict(i.info)) for i in issues
        )
    return read_note


def _carry_other_columns(out: pd.DataFrame, table: _Input, idx: np.ndarray) -> None:
    """Add the user's other columns unchanged (``name_input`` when the name is taken)."""
    text_file = table.raw.meta.get("format") in {"csv", "xlsx"}
    for c in table.columns:
        if c in table.consumed:
            continue
        name = c if c not in out.columns and c != "geometry" else f"{c}_input"
        values = table.frame[c].iloc[idx]
        out[name] = _own.written_other(values, c, text_file) if table.own else values.to_numpy()


def _finish(raw: RawTable, records: gpd.GeoDataFrame, rejected: pd.DataFrame) -> RecordSet:
    """Note on both tables how many rows were read, and how."""
    n = len(raw.frame)
    read = {**raw.meta, "rows_in": n}
    for frame_out in (records, rejected):
        frame_out.attrs["rows_in"] = n
        frame_out.attrs["read"] = dict(read)
    return RecordSet(records, rejected)
