"""Reading record tables from CSV, XLSX, GeoJSON/GPKG, (Geo)Parquet and DataFrames.

Every reader returns a :class:`RawTable`: the cells as they were written (text for CSV,
the cell objects for XLSX), the row number each row has in the user's sheet (header =
row 1), and the rows whose shape was broken (a CSV line with too many fields). Nothing is
evaluated: a cell ``=HYPERLINK(...)`` stays that text.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo._errors import RecordError

__all__ = ["CSV_EXTENSIONS", "RawTable", "is_empty_row", "read_table"]

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
OGR_EXTENSIONS = (".geojson", ".json", ".gpkg", ".shp", ".fgb")
PARQUET_EXTENSIONS = (".parquet", ".geoparquet", ".pq")
_DELIMITERS = (";", ",", "\t", "|")
_RE_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_HEADER_SCAN_ROWS = 10


@dataclass
class RawTable:
    """Cells of one input table before parsing.

    Parameters
    ----------
    frame : DataFrame
        One row per data row, columns as named in the header.
    source : str
        File name (or ``"dataframe"``) used in record ids and the ledger.
    rows : ndarray
        Row number of each row as the user sees it (header row = 1).
    broken : dict
        ``{position: raw line}`` of rows whose field count did not match the header.
    lon, lat : ndarray or None
        Point coordinates from a geometry column, when the input had one.
    """

    frame: pd.DataFrame
    source: str
    rows: np.ndarray
    broken: dict[int, str] = field(default_factory=dict)
    lon: np.ndarray | None = None
    lat: np.ndarray | None = None


def _decode(data: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM), else cp1252, else latin-1.

    A file that is UTF-8 apart from a few broken bytes stays UTF-8 (broken bytes become
    U+FFFD) rather than being misread as cp1252 throughout.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if _RE_UTF8_MULTIBYTE.search(data):
        return data.decode("utf-8-sig", errors="replace")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _sniff_delimiter(lines: Sequence[str], known: Iterable[str]) -> tuple[str, int]:
    """Pick the delimiter and header row: most known column names, then most consistent.

    Returns
    -------
    tuple of (str, int)
        The delimiter and the 0-based index of the header line.
    """
    best, best_score, best_header = ",", -1.0, 0
    names = set(known)
    for delim in _DELIMITERS:
        rows = list(csv.reader(lines, delimiter=delim))
        header = _header_index(rows, names)
        rows = [r for r in rows[header:] if r]
        counts = [len(r) for r in rows]
        if not counts or counts[0] < 2:
            continue
        hits = _alias_hits(rows[0], names)
        same = sum(c == counts[0] for c in counts) / len(counts)
        score = hits * 1e6 + same * 1000 + counts[0]
        if score > best_score:
            best, best_score, best_header = delim, score, header
    return best, best_header


def _alias_hits(row: Sequence[Any], names: set[str]) -> int:
    from kamtibmas_geo._taxonomy import normalise_text

    return sum(normalise_text(str(c)) in names for c in row if c is not None)


def _header_index(rows: Sequence[Sequence[Any]], known: Iterable[str]) -> int:
    """Index of the header row among the first rows: the first naming 2+ known columns.

    Report sheets often start with a title ("LAPORAN GANGGUAN KAMTIBMAS ...") above the
    header; when no row names two known columns, the first row is the header.
    """
    names = set(known)
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        if _alias_hits(row, names) >= 2:
            return i
    return 0


def is_empty_row(frame: pd.DataFrame) -> np.ndarray:
    """Return a bool array: which rows have no cell with any visible content."""
    empty = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_datetime64_any_dtype(s):
            empty &= s.isna().to_numpy()
        else:
            text = s.astype("string").str.strip()
            empty &= text.isna().to_numpy() | text.eq("").fillna(True).to_numpy(dtype=bool)
    return empty


def _drop_trailing_empty(table: RawTable) -> RawTable:
    tail = min(len(table.frame), 1000)
    empty = np.zeros(len(table.frame), dtype=bool)
    empty[len(empty) - tail :] = is_empty_row(table.frame.iloc[len(empty) - tail :])
    keep = len(empty)
    while keep and empty[keep - 1] and (keep - 1) not in table.broken:
        keep -= 1
    if keep == len(empty):
        return table
    table.frame = table.frame.iloc[:keep].reset_index(drop=True)
    table.rows = table.rows[:keep]
    for arr in ("lon", "lat"):
        val = getattr(table, arr)
        if val is not None:
            setattr(table, arr, val[:keep])
    return table


def _read_csv(path: Path, known: Iterable[str]) -> RawTable:
    data = path.read_bytes()
    if not data.strip():
        msg = f"File {path.name!r} is empty; export the sheet again with its header row."
        raise RecordError(msg)
    text = _decode(data).replace("\x00", "")
    head_lines = text[:65536].splitlines()[: _HEADER_SCAN_ROWS + 5]
    delim, skip = _sniff_delimiter(head_lines, known)
    if path.suffix.lower() == ".tsv":
        delim = "\t"
    broken: dict[int, str] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delim,
                dtype=str,
                na_filter=False,
                skip_blank_lines=False,
                index_col=False,
                skiprows=skip,
                engine="c",
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
        records = list(csv.reader(io.StringIO(text), delimiter=delim))[skip:]
        header = [str(h) for h in records[0]]
        width = len(header)
        body = []
        for pos, rec in enumerate(records[1:]):
            if len(rec) > width:
                broken[pos] = delim.join(rec)
            body.append((rec + [""] * width)[:width])
        frame = pd.DataFrame(body, columns=pd.Index(header), dtype=str)
    rows = np.arange(len(frame), dtype=np.int64) + 2 + skip
    return RawTable(frame=frame, source=path.name, rows=rows, broken=broken)


def _read_excel(path: Path, sheet: str | int | None, known: Iterable[str]) -> RawTable:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:
        msg = f"File {path.name!r} cannot be opened as an Excel workbook: {exc}."
        raise RecordError(msg) from exc
    try:
        names = book.sheetnames
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                msg = f"{path.name!r} has {len(names)} sheet(s) {names}; sheet={sheet} is not one."
                raise RecordError(msg)
            name = names[sheet]
        elif sheet in names:
            name = str(sheet)
        else:
            msg = f"{path.name!r} has no sheet {sheet!r}; its sheets are {names}."
            raise RecordError(msg)
        cells = [list(r) for r in book[name].iter_rows(values_only=True)]
    finally:
        book.close()
    if not cells:
        msg = f"Sheet {name!r} of {path.name!r} is empty; put the header in row 1."
        raise RecordError(msg)
    skip = _header_index(cells, known)
    header = ["" if c is None else str(c) for c in cells[skip]]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = [h or f"kolom_{i + 1}" for i, h in enumerate(header[:width])]
    body = [(r + [None] * width)[:width] for r in cells[skip + 1 :]]
    frame = pd.DataFrame(body, columns=pd.Index(header), dtype=object)
    rows = np.arange(len(frame), dtype=np.int64) + 2 + skip
    return RawTable(frame=frame, source=f"{path.name}", rows=rows)


def _points(geoms: Any) -> tuple[np.ndarray, np.ndarray]:
    import shapely

    arr = np.asarray(geoms, dtype=object)
    is_point = np.array(
        [g is not None and not g.is_empty and g.geom_type == "Point" for g in arr], dtype=bool
    )
    lon = np.full(len(arr), np.nan)
    lat = np.full(len(arr), np.nan)
    if is_point.any():
        pts = arr[is_point]
        lon[is_point] = shapely.get_x(pts)
        lat[is_point] = shapely.get_y(pts)
    return lon, lat


def _from_frame(frame: pd.DataFrame, source: str) -> RawTable:
    import geopandas as gpd

    lon = lat = None
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        gdf = frame
        if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
            gdf = gdf.to_crs(4326)
        lon, lat = _points(gdf.geometry.to_numpy())
        frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    frame = pd.DataFrame(frame).reset_index(drop=True)
    frame.columns = pd.Index([str(c) for c in frame.columns])
    rows = np.arange(len(frame), dtype=np.int64) + 2
    return RawTable(frame=frame, source=source, rows=rows, lon=lon, lat=lat)


def read_table(
    source: str | Path | pd.DataFrame,
    *,
    sheet: str | int | None = None,
    known: Iterable[str] = (),
) -> RawTable:
    """Read a table of records from a file or a DataFrame, without parsing cells.

    Parameters
    ----------
    source : str, Path or DataFrame
        A file (CSV/TXT/TSV, XLSX, GeoJSON/GPKG/Shapefile/FlatGeobuf, (Geo)Parquet) or a
        (Geo)DataFrame.
    sheet : str or int, optional
        Sheet name or 0-based index of a workbook, or layer of a GeoPackage.
    known : iterable of str
        Normalised column aliases, used to find a header row below a title.

    Returns
    -------
    RawTable

    Raises
    ------
    RecordError
        The file is missing, empty, of an unsupported kind, or cannot be read.
    """
    known = list(known)
    if isinstance(source, pd.DataFrame):
        name = str(source.attrs.get("source", "dataframe"))
        return _from_frame(source, name)
    path = Path(source)
    if not path.is_file():
        msg = f"Records file {str(path)!r} not found; check the path and the file name."
        raise RecordError(msg)
    ext = path.suffix.lower()
    try:
        if ext in CSV_EXTENSIONS:
            table = _read_csv(path, known)
        elif ext in EXCEL_EXTENSIONS:
            table = _read_excel(path, sheet, known)
        elif ext in OGR_EXTENSIONS:
            import pyogrio

            gdf = pyogrio.read_dataframe(path, layer=sheet)
            table = _from_frame(gdf, path.name)
        elif ext in PARQUET_EXTENSIONS:
            import geopandas as gpd

            try:
                frame: pd.DataFrame = gpd.read_parquet(path)
            except (ValueError, KeyError):
                frame = pd.read_parquet(path)
            table = _from_frame(frame, path.name)
        else:
            msg = (
                f"File {path.name!r} has extension {ext!r}, which is not supported. "
                "Save it as .csv, .xlsx, .geojson, .gpkg or .parquet."
                + (
                    " (Old .xls workbooks: open in Excel and 'Save As' .xlsx.)"
                    if ext == ".xls"
                    else ""
                )
            )
            raise RecordError(msg)
    except RecordError:
        raise
    except Exception as exc:
        msg = f"File {path.name!r} cannot be read: {exc}. Check that it is a valid {ext} file."
        raise RecordError(msg) from exc
    return _drop_trailing_empty(table)
