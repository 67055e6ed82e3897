"""The one writer of tables: CSV, XLSX, (Geo)Parquet, GeoJSON and GeoPackage.

Every table the library or the command line writes goes through :func:`write_table`, which
picks the format from the suffix and writes atomically (a temporary file beside the target,
renamed when complete; an output that is one of the run's inputs is refused, see
:mod:`kamtibmas_geo._atomic`).

User text never runs in a spreadsheet:

- **CSV.** Text that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return, also
  after leading spaces or double quotes, gets a leading ``'`` (the OWASP advice against
  CSV injection), unless the whole cell is a plain number such as ``-12.5`` or ``-3,12``.
  The same rule holds for every piece of a cell after a ``,``, ``;``, tab, CR or LF inside
  it, because a spreadsheet that splits on another separator than the file's (Excel with
  Indonesian settings splits on ``;``), or a tool that ignores quotes, would start a new
  cell there: ``Jl. Merdeka;=1+1`` is written as ``"Jl. Merdeka;'=1+1"``. Every field
  holding ``,``, ``;``, a quote, tab, CR or LF is quoted (RFC 4180); the standard
  :mod:`csv` module cannot be told to quote ``;`` in a comma file, so the few lines that
  quote are here. Rows end with LF and the file is UTF-8, the same bytes on every system.
- **XLSX.** Text is stored as text (never a formula, nor an error value such as ``#N/A``)
  and kept as it was, without the ``'``; text that would start a formula also gets Excel's
  *quote prefix*, so editing the cell keeps it text. Integers of 16 digits or more (an NIK)
  are stored as text, because Excel keeps only 15 significant digits. Characters XLSX
  cannot hold (control characters other than tab, CR and LF) become U+FFFD, and a CR reads
  back as LF (XML line ends). The file is byte-identical for the same table.

Public outputs keep only the columns of an allow-list (:func:`public_columns`).

Examples
--------
>>> neutralise("=1+1"), neutralise("-12.5"), neutralise("Jl. Merdeka;=1+1")
("'=1+1", '-12.5', "Jl. Merdeka;'=1+1")
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from kamtibmas_geo._atomic import atomic_write
from kamtibmas_geo._errors import OutputError
from kamtibmas_geo._i18n import tr

__all__ = [
    "FORMATS",
    "MESSAGES",
    "PUBLIC_CELL_COLUMNS",
    "TRIGGERS",
    "neutralise",
    "neutralise_frame",
    "public_columns",
    "write_table",
]

#: Suffix -> format written by :func:`write_table`.
FORMATS = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
}

#: Characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Columns of score cells that public outputs may carry (besides the patterns of
#: :func:`public_columns`): the cell, its place in the official units, and aggregate
#: scores and labels. Anything else (free text, names of people, numbers such as an NIK)
#: is left out, whatever its column is called.
PUBLIC_CELL_COLUMNS = (
    "hex_id",
    "geometry",
    "lat",
    "lng",
    "kabupaten_code",
    "kabupaten_name",
    "kecamatan_code",
    "kecamatan_name",
    "desa_code",
    "desa_name",
    "region_code",
    "region_name",
    "n_incidents",
    "n_activities",
    "score",
    "score_base",
    "score_decay",
    "score_seasonal",
    "score_smoothed",
    "score_rank",
    "score_class",
    "gi_z",
    "gi_p",
    "gi_p_fdr",
    "gi_bin",
    "gi_label",
    "trend_class",
    "trend_label",
    "trend_z",
    "activity_coverage",
    "coverage_gap",
)
#: Numeric columns public outputs may carry by pattern: counts per type or period
#: (``n_tawuran``, ``n_incidents_sahur``) and scores per period (``score_ramadhan``).
_PUBLIC_NUMERIC = re.compile(r"(n|score|score_class)_[a-z0-9_]+")

MESSAGES = {
    "bad_suffix": {
        "id": "Format berkas hasil {suffix!r} tidak dikenal untuk {path!r}; gunakan {allowed}.",
        "en": "Unknown output format {suffix!r} for {path!r}; use {allowed}.",
    },
    "needs_geometry": {
        "id": "Berkas {path!r} ({suffix}) memerlukan tabel dengan kolom geometri; tulis ke "
        ".csv, .xlsx atau .parquet.",
        "en": "The file {path!r} ({suffix}) needs a table with a geometry column; write to "
        ".csv, .xlsx or .parquet instead.",
    },
    "xlsx_rows": {
        "id": "Tabel {rows:,} baris tidak muat di XLSX (paling banyak {limit:,} baris data); "
        "tulis ke .csv atau .parquet.",
        "en": "A table of {rows:,} rows does not fit in XLSX (at most {limit:,} data rows); "
        "write to .csv or .parquet.",
    },
    "xlsx_cols": {
        "id": "Tabel {cols:,} kolom tidak muat di XLSX (paling banyak {limit:,}); tulis ke .csv.",
        "en": "A table of {cols:,} columns does not fit in XLSX (at most {limit:,}); "
        "write to .csv.",
    },
    "xlsx_long": {
        "id": "Isian kolom {column!r} baris {row:,} memiliki {n:,} karakter, lebih dari "
        "{limit:,} yang dapat dimuat sel XLSX; tulis ke .csv agar tidak terpotong.",
        "en": "The value of column {column!r} in row {row:,} has {n:,} characters, more "
        "than the {limit:,} an XLSX cell holds; write to .csv so nothing is cut.",
    },
}

_SPACES = ' "\xa0'
_BREAK = re.compile(r"([,;\t\r\n])")
_RISKY = re.compile(r'^[ "\xa0]*[=+\-@\t\r]|[,;\t\r\n]')
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_XLSX_ROWS = 1_048_575  # plus the header row
_XLSX_COLS = 16_384
_XLSX_TEXT = 32_767
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # zip entries and document dates of every XLSX


def _triggers(piece: str) -> bool:
    """Whether a cell (or a piece of one) would start a formula."""
    return piece.lstrip(_SPACES).startswith(TRIGGERS) and not _PLAIN_NUMBER.fullmatch(
        piece.strip(_SPACES)
    )


def neutralise(text: str) -> str:
    r"""Return ``text`` made safe for a CSV cell (see the module notes).

    A ``'`` goes before the cell when it starts a formula, and after every ``,``, ``;``,
    tab, CR or LF inside it that a formula would follow. Plain numbers are untouched.

    Parameters
    ----------
    text : str
        A cell's text.

    Returns
    -------
    str

    Examples
    --------
    >>> neutralise("@SUM(A1)"), neutralise("  =1"), neutralise("a\r=1+1")
    ("'@SUM(A1)", "'  =1", "a\r'=1+1")
    >>> neutralise("Jl. Sudirman No. 5, RT 02"), neutralise("-3,12")
    ('Jl. Sudirman No. 5, RT 02', '-3,12')
    """
    if not _RISKY.search(text):
        return text
    parts = _BREAK.split(text)
    for i in range(2, len(parts), 2):
        if _triggers(parts[i]):
            parts[i] = "'" + parts[i]
    out = "".join(parts)
    return "'" + out if _triggers(text) else out


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells pass through :func:`neutralise`.

    Numbers, dates and geometries are untouched; the input is not changed.

    Parameters
    ----------
    frame : DataFrame
        Any table.

    Returns
    -------
    DataFrame
    """
    out = frame.copy()
    geom = getattr(frame, "_geometry_column_name", None)
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):  # a text categorical: its values
            s = s.astype(s.cat.categories.dtype)
        if col == geom or not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
            continue
        out[col] = s.map(
            lambda v: neutralise(v) if isinstance(v, str) else v, na_action="ignore"
        ).astype(s.dtype)
    return out


def public_columns(frame: pd.DataFrame) -> list[str]:
    """Return the columns of ``frame`` that a public output may show (an allow-list).

    Kept: :data:`PUBLIC_CELL_COLUMNS`, and numeric columns named ``n_<type>``,
    ``score_<period>`` or ``score_class_<period>`` (lower-case letters, digits and ``_``).
    Every other column is left out, whatever it holds.

    Parameters
    ----------
    frame : DataFrame
        Score cells.

    Returns
    -------
    list of str
        Column names in the order of ``frame``.

    Examples
    --------
    >>> df = pd.DataFrame({"hex_id": ["x"], "info": ["3201234567890123"], "n_tawuran": [3]})
    >>> public_columns(df)
    ['hex_id', 'n_tawuran']
    """
    return [
        col
        for col in frame.columns
        if isinstance(col, str)
        and (
            col in PUBLIC_CELL_COLUMNS
            or (_PUBLIC_NUMERIC.fullmatch(col) is not None and _is_number(frame[col]))
        )
    ]


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def write_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    sep: str = ",",
    sheet: str = "Sheet1",
    layer: str | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    lang: str = "id",
) -> Path:
    """Write ``frame`` to ``path`` in the format of its suffix, atomically and safely.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        The table; its index is not written.
    path : path-like
        ``.csv``, ``.xlsx``, ``.parquet``/``.geoparquet`` (GeoParquet for a GeoDataFrame),
        ``.geojson``/``.json`` (WGS 84) or ``.gpkg``. In CSV and XLSX a geometry column is
        written as WKT.
    sep : str, default ","
        Field separator of a CSV file.
    sheet : str, default "Sheet1"
        Sheet name of an XLSX file.
    layer : str, optional
        Layer name of a GeoPackage (default: the file's stem).
    inputs : iterable of path-like, optional
        Files the run reads: ``path`` may be none of them.
    lang : {"id", "en"}
        Language of error messages.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    OutputError
        For an unknown suffix, a table that does not fit the format, an output that is an
        input or a folder, or a folder that cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> df = pd.DataFrame({"alamat": ["Jl. Merdeka;=1+1", "=cmd|' /C calc'!A0"], "x": [-1.5, 2]})
    >>> print(write_table(df, folder / "a.csv").read_text(encoding="utf-8"), end="")
    alamat,x
    "Jl. Merdeka;'=1+1",-1.5
    '=cmd|' /C calc'!A0,2.0
    """
    out = Path(path)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        allowed = ", ".join(sorted(FORMATS))
        msg = tr(MESSAGES, "bad_suffix", lang, suffix=out.suffix, path=str(out), allowed=allowed)
        raise OutputError(msg)
    if fmt in {"geojson", "gpkg"} and not _has_geometry(frame):
        raise OutputError(tr(MESSAGES, "needs_geometry", lang, path=str(out), suffix=out.suffix))
    if fmt == "xlsx":
        _check_xlsx_size(frame, lang)
    with atomic_write(out, inputs=inputs, lang=lang) as tmp:
        if fmt == "csv":
            _write_csv(frame, tmp, sep)
        elif fmt == "xlsx":
            tmp.write_bytes(_xlsx_bytes(frame, sheet, lang))
        elif fmt == "parquet":
            _plain_or_geo(frame).to_parquet(tmp, index=False)
        else:
            _write_vector(frame, tmp, fmt, layer or out.stem)
    return out


# -- shared ----------------------------------------------------------------------------


def _has_geometry(frame: pd.DataFrame) -> bool:
    name = getattr(frame, "_geometry_column_name", None)
    return name is not None and name in frame.columns


def _plain_or_geo(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a plain table for a GeoDataFrame without its geometry column."""
    return frame if _has_geometry(frame) else pd.DataFrame(frame)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _columns(frame: pd.DataFrame) -> list[tuple[str, list[Any]]]:
    """Each column's name and values as Python objects (geometries as WKT, gaps as None)."""
    cols = []
    for i, col in enumerate(frame.columns):
        s = frame.iloc[:, i]
        # every GeoSeries as WKT, not only the active geometry
        geo = str(s.dtype) == "geometry"
        values = s.to_wkt().tolist() if geo else s.astype(object).tolist()
        cols.append((str(col), [None if _missing(v) else v for v in values]))
    return cols


# -- CSV -------------------------------------------------------------------------------


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else neutralise(str(value))
    if isinstance(value, dt.datetime):
        return neutralise(value.isoformat(sep=" "))
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def _write_csv(frame: pd.DataFrame, path: Path, sep: str) -> None:
    special = re.compile("[" + re.escape(',;"\t\r\n' + sep) + "]")

    def field(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if special.search(text) else text

    cols = _columns(frame)
    lines = [sep.join(field(neutralise(name)) for name, _ in cols)]
    texts = [[field(_csv_text(v)) for v in values] for _, values in cols]
    lines.extend(sep.join(row) for row in zip(*texts, strict=True))
    with open(path, "w", encoding="utf-8", errors="replace", newline="") as handle:
        for line in lines:
            handle.write(line)
            handle.write("\n")


# -- XLSX ------------------------------------------------------------------------------


def _check_xlsx_size(frame: pd.DataFrame, lang: str) -> None:
    if len(frame) > _XLSX_ROWS:
        raise OutputError(tr(MESSAGES, "xlsx_rows", lang, rows=len(frame), limit=_XLSX_ROWS))
    if len(frame.columns) > _XLSX_COLS:
        cols = len(frame.columns)
        raise OutputError(tr(MESSAGES, "xlsx_cols", lang, cols=cols, limit=_XLSX_COLS))


def _xlsx_value(value: Any) -> tuple[Any, bool]:
    """Return the value to store in an XLSX cell and whether it is text."""
    if value is None or isinstance(value, bool):
        return value, False
    if isinstance(value, int):
        return (value, False) if abs(value) < 10**15 else (str(value), True)
    if isinstance(value, float):
        return (value, False) if math.isfinite(value) else (str(value), True)
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            return value.isoformat(sep=" "), True
        return value.to_pydatetime(), False
    if isinstance(value, dt.datetime):
        return (value.isoformat(sep=" "), True) if value.tzinfo else (value, False)
    if isinstance(value, dt.date):
        return value, False
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")  # one line end, any openpyxl
    return _XLSX_ILLEGAL.sub("\ufffd", text), True


def _xlsx_bytes(frame: pd.DataFrame, sheet: str, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    cols = [(name, [_xlsx_value(v) for v in values]) for name, values in _columns(frame)]
    for name, values in cols:
        for i, (value, is_text) in enumerate(values):
            if is_text and len(value) > _XLSX_TEXT:
                msg = tr(
                    MESSAGES, "xlsx_long", lang, column=name, row=i + 1, n=len(value),
                    limit=_XLSX_TEXT,
                )  # fmt: skip
                raise OutputError(msg)
    book = Workbook(write_only=True)
    book.properties.created = dt.datetime(*_FIXED_TIME)
    ws = book.create_sheet(sheet)
    ws.freeze_panes = "A2"

    def cell(value: Any, is_text: bool) -> Any:
        # openpyxl reads text starting with "=" as a formula and "#N/A" as an error: such
        # text gets a typed cell (and Excel's quote prefix); the rest goes in as it is
        if not (is_text and (value.startswith("#") or _triggers(value))):
            return value
        c = WriteOnlyCell(ws, value=value)
        c.data_type = "s"
        c.quotePrefix = True
        return c

    ws.append([cell(_xlsx_value(name)[0], True) for name, _ in cols])
    for row in zip(*(values for _, values in cols), strict=True):
        ws.append([cell(value, is_text) for value, is_text in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def _reproducible_zip(data: bytes) -> bytes:
    """Fix the dates inside an XLSX (zip entries, document properties) for equal bytes."""
    stamp = dt.datetime(*_FIXED_TIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rf"\g<1>{stamp}\g<3>",
                    content.decode("utf-8"),
                )
                content = text.encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, content)
    return out.getvalue()


# -- vector formats --------------------------------------------------------------------


def _write_vector(frame: pd.DataFrame, path: Path, fmt: str, layer: str) -> None:
    gdf: Any = frame.copy()  # a GeoDataFrame (checked by write_table)
    for col in gdf.columns:
        s = gdf[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(s):
            gdf[col] = s.map(lambda t: t.isoformat() if pd.notna(t) else None)
    if fmt == "geojson":
        if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
            gdf = gdf.to_crs(4326)
        # the layer name is written into the file: the target's, never the temporary file's
        gdf.to_file(path, driver="GeoJSON", layer=layer, engine="pyogrio")
    else:
        gdf.to_file(path, driver="GPKG", layer=layer, engine="pyogrio")
