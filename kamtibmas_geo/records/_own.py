"""Records this library wrote, read back as they were written.

``kamtibmas-geo geocode`` writes the records it placed (as do :func:`read_records` and
:func:`~kamtibmas_geo.geocode.geocode` followed by any writer): the columns of
``RECORD_COLUMNS`` with ``time`` the moment of the report (a zone-aware datetime in
GeoParquet, ISO 8601 text with its UTC offset in CSV, XLSX and GeoJSON), ``lat``/``lon``,
``row`` and ``source`` the row of the file first read, then the user's other columns and
the geocoder's. Such a table is recognised by its column names (:func:`is_own_table`) and
read back as it was written, so every command reads what the previous one wrote:

- ``time``, ``time_known``, ``lat``, ``lon`` and the texts as written; ``record_id``,
  ``source`` and ``row`` still name the row of the first file; ``severity``,
  ``duplicate_of`` and the notes as written (a note of this read is added after them);
- ``type`` as written when it is a type of the taxonomy (otherwise ``type_raw`` is
  classified again, with a ``type_warning``);
- a record the geocoder placed only at a desa/kelurahan, kecamatan or kabupaten
  (``geocode_status`` ``matched`` at that ``region_level``) stands at the unit's inside
  point, which is not where it happened: it comes back without a point, as it was first
  read, so the geocoder places it again from its address and scores spread it over the
  unit; its ``region_*`` columns are kept.

Examples
--------
>>> is_own_table(["record_id", "source", "row", "time", "time_known", "lat", "lon"])
True
>>> is_own_table(["tanggal", "time", "lat", "lon"])
False
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo.records._cells import category_text, text_cells

__all__ = [
    "AREA_LEVELS",
    "OWN_SIGNATURE",
    "area_only",
    "is_own_table",
    "keep_written",
    "own_columns",
    "own_consumed",
    "written_other",
    "written_time_known",
    "written_types",
]

#: Columns that mark a table of records written by this library.
OWN_SIGNATURE = ("record_id", "row", "time", "time_known", "lat", "lon")
#: Levels at which the geocoder places a record at a unit's inside point.
AREA_LEVELS = ("desa", "kecamatan", "kabupaten")
#: Columns the reader writes, each read back into itself.
_WRITTEN = (
    "record_id", "source", "row", "kind", "type", "type_raw", "severity", "time",
    "time_known", "lat", "lon", "address", "kecamatan", "desa", "polsek", "keterangan",
    "duplicate_of", "coord_note", "type_warning", "time_note", "read_note",
)  # fmt: skip
_FIELDS = ("address", "kecamatan", "desa", "polsek", "keterangan")
_NOTES = ("coord_note", "type_warning", "time_note", "read_note")
_TRUE = frozenset({"true", "1", "ya", "yes", "benar"})
_FALSE = frozenset({"false", "0", "tidak", "no", "salah"})
#: Geocoder columns that are numbers or flags, restored from the text of CSV/XLSX.
_GEOCODE_FLOATS = ("geocode_score",)
_GEOCODE_FLAGS = ("coord_mismatch",)


def is_own_table(columns: Collection[str]) -> bool:
    """Return whether ``columns`` are those of records written by this library.

    Parameters
    ----------
    columns : collection of str
        The table's column names, as written.

    Returns
    -------
    bool
    """
    return set(OWN_SIGNATURE) <= set(columns)


def own_columns(columns: Sequence[str]) -> dict[str, str]:
    """Map the reader's fields to the columns of an own table.

    Parameters
    ----------
    columns : sequence of str
        The table's column names.

    Returns
    -------
    dict
        ``{field: column}``: ``date`` is ``time``, ``type`` is ``type_raw`` (or ``type``),
        and the coordinates and texts keep their names.
    """
    have = set(columns)
    found = {"date": "time", "lat": "lat", "lon": "lon"}
    raw_type = "type_raw" if "type_raw" in have else "type"
    if raw_type in have:
        found["type"] = raw_type
    found.update({f: f for f in _FIELDS if f in have})
    return found


def own_consumed(columns: Sequence[str]) -> set[str]:
    """Return the columns of an own table read into the records' own columns.

    Parameters
    ----------
    columns : sequence of str
        The table's column names.

    Returns
    -------
    set of str
        Every other column is carried along as it is.
    """
    return set(_WRITTEN) & set(columns)


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        return True if text in _TRUE else False if text in _FALSE else None
    return None


def _flags(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return flags read from a column, and where they could be read."""
    keys, uniq = pd.factorize(values.astype(object).to_numpy(), use_na_sentinel=True)
    parsed = [_flag(u) for u in uniq] + [None]  # -1 (missing) takes the trailing None
    flags = np.array([p is True for p in parsed], dtype=bool)[keys]
    valid = np.array([p is not None for p in parsed], dtype=bool)[keys]
    return flags, valid


def written_time_known(values: pd.Series, computed: np.ndarray) -> np.ndarray:
    """Return ``time_known`` as written, ``computed`` where the cell cannot be read.

    Parameters
    ----------
    values : Series
        The ``time_known`` column (bools, or text ``True``/``False`` from CSV).
    computed : ndarray
        Whether the ``time`` cell holds a time of day, per row.

    Returns
    -------
    ndarray of bool
    """
    flags, valid = _flags(values)
    return np.where(valid, flags, computed)


def area_only(frame: pd.DataFrame) -> np.ndarray:
    """Return which rows the geocoder placed only at a unit (not at their own point).

    Parameters
    ----------
    frame : DataFrame
        An own table.

    Returns
    -------
    ndarray of bool
        ``geocode_status`` is ``matched`` and ``region_level`` one of :data:`AREA_LEVELS`.
    """
    if not {"geocode_status", "region_level"} <= set(frame.columns):
        return np.zeros(len(frame), dtype=bool)

    def words(col: str) -> np.ndarray:
        text = frame[col].astype("string").str.strip().str.lower().fillna("")
        return np.asarray(text.to_numpy(dtype=object))

    return np.asarray(
        (words("geocode_status") == "matched") & np.isin(words("region_level"), AREA_LEVELS)
    )


def written_types(values: pd.Series, keys: Collection[str]) -> np.ndarray:
    """Return the written type where it is a type of the taxonomy, None elsewhere.

    Parameters
    ----------
    values : Series
        The ``type`` column of the kept rows.
    keys : collection of str
        The taxonomy's type keys for the kind read.

    Returns
    -------
    ndarray of object
    """
    text = text_cells(values).to_numpy(dtype=object)
    known = set(keys)
    return np.array([t if isinstance(t, str) and t in known else None for t in text], dtype=object)


def _join(first: pd.Series, then: pd.Series) -> pd.Series:
    """``first; then`` where both are given, else whichever is."""
    both = first.notna() & then.notna()
    out = first.fillna(then)
    return out.mask(both, first + "; " + then)


def keep_written(
    out: pd.DataFrame, frame: pd.DataFrame, idx: np.ndarray, kept_type: np.ndarray
) -> None:
    """Put back, in place, what an own table says of each record.

    Parameters
    ----------
    out : DataFrame
        The records being assembled (one row per kept row).
    frame : DataFrame
        The own table as read.
    idx : ndarray
        Positions in ``frame`` of the kept rows.
    kept_type : ndarray of bool
        Rows whose written ``type`` was kept (their ``severity`` and ``type_warning`` are
        the file's).
    """
    have = set(frame.columns)
    for col in ("record_id", "source"):
        if col in have:
            written = text_cells(frame[col].iloc[idx]).reset_index(drop=True).fillna(out[col])
            out[col] = category_text(written.array) if col == "source" else written
    if "row" in have:
        num = pd.to_numeric(frame["row"].iloc[idx], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(num) & (num >= 1) & (num == np.floor(num))
        out["row"] = np.where(ok, num, out["row"].to_numpy()).astype(np.int64)
    if "severity" in have:
        sev = pd.to_numeric(frame["severity"].iloc[idx], errors="coerce").to_numpy(dtype=float)
        ok = kept_type & np.isfinite(sev) & (sev >= 0)
        out["severity"] = np.where(ok, sev, out["severity"].to_numpy())
    if "duplicate_of" in have:
        out["duplicate_of"] = text_cells(frame["duplicate_of"].iloc[idx]).reset_index(drop=True)
    for col in _NOTES:
        if col in have:
            written = text_cells(frame[col].iloc[idx]).reset_index(drop=True)
            if col == "type_warning":
                written = written.where(kept_type)
            out[col] = _join(written, out[col])


def written_other(values: pd.Series, name: str, text_file: bool) -> np.ndarray:
    """Return a carried column of an own table, the geocoder's numbers and flags restored.

    Parameters
    ----------
    values : Series
        The column's kept cells.
    name : str
        Its name.
    text_file : bool
        The table was read from CSV or XLSX (where ``geocode_score`` and
        ``coord_mismatch`` may be text).

    Returns
    -------
    ndarray
    """
    if text_file and name in _GEOCODE_FLOATS:
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    if text_file and name in _GEOCODE_FLAGS:
        flags, valid = _flags(values)
        if valid.all():
            return flags
    return values.to_numpy()
