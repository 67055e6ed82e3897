"""Reading record tables from CSV, XLSX, GeoJSON/GPKG, (Geo)Parquet and DataFrames.

Every reader returns a :class:`RawTable`: the cells as they were written (text for CSV,
the cell values for XLSX), the row number each row has in the user's sheet (header =
row 1), the rows whose shape was broken (a CSV line with too many fields, lines merged by
a stray quote), notes on rows that were read in an unusual way, and how the file was read
(encoding, delimiter, header row, merged cells). Nothing is evaluated: a cell
``=HYPERLINK(...)`` stays that text.

Text files get one encoding for the whole file (:mod:`kamtibmas_geo.records._encoding`); every
data line a person sees becomes one row (:mod:`kamtibmas_geo.records._csv_lines`); cells merged in
Excel are filled over every row and column they cover, as the person sees them.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from kamtibmas_geo._errors import RecordError
from kamtibmas_geo.records._csv_lines import (
    RowIssue,
    header_names,
    parse_delimited,
    row_numbers,
    split_lines,
)
from kamtibmas_geo.records._encoding import decode_bytes

__all__ = [
    "CSV_EXTENSIONS",
    "MESSAGES",
    "RawTable",
    "RowIssue",
    "is_empty_row",
    "read_table",
    "unneutralise",
]

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
OGR_EXTENSIONS = (".geojson", ".json", ".gpkg", ".shp", ".fgb")
PARQUET_EXTENSIONS = (".parquet", ".geoparquet", ".pq")
_DELIMITERS = (";", ",", "\t", "|")
_HEADER_SCAN_ROWS = 10
_RE_MERGE_CELL = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"'
)
_ZIP_CHUNK = 1 << 20
#: A ``'`` that the CSV writer put before text a spreadsheet would run (at the start of the
#: cell, or after a separator inside it): :func:`unneutralise` takes it off again.
_RE_QUOTED_FORMULA = re.compile(r"(?:^|[,;\t\r\n])'[ \"\xa0]*[=+\-@\t\r]")
_PIECE_BREAK = re.compile(r"([,;\t\r\n])")
_SPACES = ' "\xa0'

#: Errors about a whole file (bad rows never raise; they go to the ledger).
MESSAGES = {
    "not_found": {
        "id": "Berkas {path!r} tidak ada; periksa jalur dan nama berkasnya.",
        "en": "File {path!r} not found; check the path and the file name.",
    },
    "empty_file": {
        "id": "Berkas {name!r} kosong; ekspor ulang lembarnya bersama baris judul kolom.",
        "en": "File {name!r} is empty; export the sheet again with its header row.",
    },
    "not_workbook": {
        "id": "Berkas {name!r} tidak dapat dibuka sebagai buku kerja Excel (rusak, atau "
        "isinya bukan .xlsx). Buka di Excel lalu simpan ulang sebagai .xlsx.",
        "en": "File {name!r} cannot be opened as an Excel workbook: {exc}.",
    },
    "sheet_index": {
        "id": "{name!r} punya {n} lembar {names}; sheet={sheet} tidak ada (lembar pertama = 0).",
        "en": "{name!r} has {n} sheet(s) {names}; sheet={sheet} is not one.",
    },
    "no_sheet": {
        "id": "{name!r} tidak punya lembar {sheet!r}; lembarnya: {names}.",
        "en": "{name!r} has no sheet {sheet!r}; its sheets are {names}.",
    },
    "sheet_empty": {
        "id": "Lembar {sheet!r} di {name!r} kosong; letakkan judul kolom di baris 1.",
        "en": "Sheet {sheet!r} of {name!r} is empty; put the header in row 1.",
    },
    "bad_extension": {
        "id": "Berkas {name!r} berekstensi {ext!r}, yang tidak didukung. Simpan sebagai "
        ".csv, .xlsx, .geojson, .gpkg atau .parquet.",
        "en": "File {name!r} has extension {ext!r}, which is not supported. Save it as .csv, "
        ".xlsx, .geojson, .gpkg or .parquet.",
    },
    "bad_extension_xls": {
        "id": "Berkas {name!r} berekstensi {ext!r}, yang tidak didukung. Simpan sebagai "
        ".csv, .xlsx, .geojson, .gpkg atau .parquet. (Buku kerja .xls lama: buka di Excel "
        "lalu 'Save As' .xlsx.)",
        "en": "File {name!r} has extension {ext!r}, which is not supported. Save it as .csv, "
        ".xlsx, .geojson, .gpkg or .parquet. (Old .xls workbooks: open in Excel and 'Save "
        "As' .xlsx.)",
    },
    "unreadable": {
        "id": "Berkas {name!r} tidak dapat dibaca; periksa bahwa isinya berkas {ext} yang "
        "utuh (simpan ulang atau ekspor ulang).",
        "en": "File {name!r} cannot be read: {exc}. Check that it is a valid {ext} file.",
    },
}


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
        ``{position: RowIssue}`` of rows that cannot be read as a row of the table (a CSV
        line with more fields than the header, a line merged by a stray quote that still
        does not split into the header's columns).
    notes : dict
        ``{position: [RowIssue]}``: rows kept but read in an unusual way (read again line by
        line after a stray quote, undecodable bytes replaced, MultiPoint reduced to one point).
    lon, lat : ndarray or None
        Point coordinates from a geometry column, when the input had one.
    geom_code, geom_value : ndarray or None
        Per row: ``None``, ``"geometry_empty"`` (null or empty geometry) or
        ``"geometry_type"`` (not a point; ``geom_value`` holds the type).
    meta : dict
        How the input was read: ``format`` (``csv``, ``xlsx``, ``geo``, ``parquet``,
        ``dataframe``), and for text files ``encoding``, ``encoding_label``, ``bom``,
        ``bytes_replaced``, ``delimiter``; ``header_row``; for workbooks ``sheet`` and
        ``merged_ranges``; ``own`` when :func:`~kamtibmas_geo.records.read_records` finds
        records written by this library.
    """

    frame: pd.DataFrame
    source: str
    rows: np.ndarray
    broken: dict[int, RowIssue] = field(default_factory=dict)
    notes: dict[int, list[RowIssue]] = field(default_factory=dict)
    lon: np.ndarray | None = None
    lat: np.ndarray | None = None
    geom_code: np.ndarray | None = None
    geom_value: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def _sniff_delimiter(
    lines: Sequence[str], known: Iterable[str], delimiters: Sequence[str] = _DELIMITERS
) -> tuple[str, int]:
    """Pick the delimiter and header row: most known column names, then most consistent.

    Returns
    -------
    tuple of (str, int)
        The delimiter and the 0-based index of the header line.
    """
    best, best_score, best_header = delimiters[0] if len(delimiters) == 1 else ",", -1.0, 0
    names = set(known)
    for delim in delimiters:
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
    from kamtibmas_geo.records._taxonomy import normalise_text

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


def _blank(value: Any) -> bool:
    return value is None or not str(value).strip()


def _is_group_title(row: Sequence[Any], j: int) -> bool:
    """Whether cell ``j`` of a header row is empty or a title over several columns.

    A title merged over columns repeats its value in them once the merge is filled in
    (:func:`_fill_merged`); a title typed in one cell spans the empty cells to its right.
    """
    if _blank(row[j]):
        return True
    left = row[j - 1] if j > 0 else None
    right = row[j + 1] if j + 1 < len(row) else None
    return row[j] == left or row[j] == right or (j + 1 < len(row) and _blank(right))


def _sub_header(rows: Sequence[Sequence[Any]], at: int, known: Iterable[str]) -> bool:
    """Whether the row below header row ``at`` is the second row of a two-row header.

    It is when every cell of it is empty, repeats the cell above (a title merged over both
    rows) or sits under an empty cell or a group title ("Waktu Kejadian" merged over
    "Hari/Tanggal" and "Jam"), and at least one cell under a group title is a known
    column name. A data row differs from the header in its other cells, so it never is.
    """
    if at + 1 >= len(rows):
        return False
    head, below = list(rows[at]), list(rows[at + 1])
    head += [None] * (len(below) - len(head))
    under: list[Any] = []
    for j, value in enumerate(below):
        if _blank(value) or value == head[j]:
            continue
        if not _is_group_title(head, j):
            return False
        under.append(value)
    return _alias_hits(under, set(known)) >= 1


def _two_row_header(top: Sequence[Any], below: Sequence[Any]) -> list[Any]:
    """One header from a two-row one: the lower name where there is one, else the title."""
    width = max(len(top), len(below))
    top, below = [*top, *[None] * (width - len(top))], [*below, *[None] * (width - len(below))]
    return [t if _blank(b) else b for t, b in zip(top, below, strict=True)]


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
    """Drop the empty rows at the end (formatting left below the data), never a broken one."""
    tail = min(len(table.frame), 1000)
    empty = np.zeros(len(table.frame), dtype=bool)
    empty[len(empty) - tail :] = is_empty_row(table.frame.iloc[len(empty) - tail :])
    if table.geom_code is not None:
        empty &= table.geom_code == "geometry_empty"
    keep = len(empty)
    while keep and empty[keep - 1] and (keep - 1) not in table.broken:
        keep -= 1
    if keep == len(empty):
        return table
    table.frame = table.frame.iloc[:keep].reset_index(drop=True)
    table.rows = table.rows[:keep]
    table.notes = {k: v for k, v in table.notes.items() if k < keep}
    for arr in ("lon", "lat", "geom_code", "geom_value"):
        val = getattr(table, arr)
        if val is not None:
            setattr(table, arr, val[:keep])
    return table


def _replaced_byte_notes(frame: pd.DataFrame, label: str) -> dict[int, list[RowIssue]]:
    """Rows holding U+FFFD, the mark of a byte that could not be decoded."""
    hit = np.zeros(len(frame), dtype=bool)
    for col in frame.columns:
        found = frame[col].astype("string").str.contains("\ufffd", regex=False)
        hit |= found.fillna(False).to_numpy(dtype=bool)
    issue = RowIssue("bytes_replaced", "", (("encoding", label),))
    return {int(i): [issue] for i in np.flatnonzero(hit)}


def _read_csv(path: Path, known: Iterable[str]) -> RawTable:
    decoded = decode_bytes(path.read_bytes())
    text = decoded.text.replace("\x00", "")
    if not text.strip():
        raise RecordError.say(MESSAGES, "empty_file", name=path.name)
    head_lines = [line.rstrip("\r\n") for line in split_lines(text[:65536])]
    head_lines = head_lines[: _HEADER_SCAN_ROWS + 5]
    tsv = path.suffix.lower() == ".tsv"
    delim, skip = _sniff_delimiter(head_lines, known, ("\t",) if tsv else _DELIMITERS)
    frame, broken, notes = parse_delimited(text, delim, skip)
    frame = _unneutralise_frame(frame)
    if decoded.replaced:
        for pos, extra in _replaced_byte_notes(frame, decoded.label).items():
            notes.setdefault(pos, []).extend(extra)
    meta = {
        "format": "csv",
        "encoding": decoded.encoding,
        "encoding_label": decoded.label,
        "bom": decoded.bom,
        "bytes_replaced": decoded.replaced,
        "delimiter": delim,
        "header_row": skip + 1,
    }
    return RawTable(
        frame=frame,
        source=path.name,
        rows=row_numbers(len(frame), skip),
        broken=broken,
        notes=notes,
        meta=meta,
    )


def _merged_ranges(path: Path, ws: Any) -> list[tuple[int, int, int, int]]:
    """``(min_col, min_row, max_col, max_row)`` of every merged cell range of a sheet.

    Read-only worksheets do not expose ``merged_cells``, and loading the whole workbook
    to get them costs several times the read, so the ``<mergeCell ref=...>`` elements are
    found in the sheet's XML as it is streamed from the archive.
    """
    from openpyxl.utils.cell import range_boundaries

    member = getattr(ws, "_worksheet_path", None)
    refs: set[bytes] = set()
    if isinstance(member, str):
        with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as fh:
            tail = b""
            while chunk := fh.read(_ZIP_CHUNK):
                buf = tail + chunk
                refs.update(m.group(1) for m in _RE_MERGE_CELL.finditer(buf))
                tail = buf[-512:]
    else:  # an openpyxl without the private path: ask a full (slower) load
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=False)
        try:
            return sorted(
                (r.min_col, r.min_row, r.max_col, r.max_row)
                for r in book[ws.title].merged_cells.ranges
            )
        finally:
            book.close()
    out = []
    for ref in sorted(refs):
        c0, r0, c1, r1 = range_boundaries(ref.decode("ascii"))
        if c0 is not None and r0 is not None and c1 is not None and r1 is not None:
            out.append((int(c0), int(r0), int(c1), int(r1)))
    return out


def _fill_merged(cells: list[list[Any]], ranges: Sequence[tuple[int, int, int, int]]) -> None:
    """Give every cell of a merged range the value of its top-left cell, in place.

    A date merged over two rows then dates both reports, as the person sees it in Excel.
    """
    widest = max((len(r) for r in cells), default=0)
    for c0, r0, c1, r1 in ranges:
        if r0 > len(cells) or c0 > widest:
            continue
        top = cells[r0 - 1]
        value = top[c0 - 1] if c0 - 1 < len(top) else None
        if value is None:
            continue
        c1 = min(c1, widest)
        for r in range(r0 - 1, min(r1, len(cells))):
            row = cells[r]
            if len(row) < c1:
                row.extend([None] * (c1 - len(row)))
            row[c0 - 1 : c1] = [value] * (c1 - c0 + 1)


def _excel_header(cells: Sequence[Any]) -> list[str]:
    header = ["" if c is None else str(c) for c in cells]
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    named = [h if h.strip() else f"kolom_{i + 1}" for i, h in enumerate(header[:width])]
    return header_names(named)


def _read_excel(path: Path, sheet: str | int | None, known: Iterable[str]) -> RawTable:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:
        raise RecordError.say(MESSAGES, "not_workbook", name=path.name, exc=exc) from exc
    try:
        names = book.sheetnames
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise RecordError.say(
                    MESSAGES, "sheet_index", name=path.name, n=len(names), names=names, sheet=sheet
                )
            name = names[sheet]
        elif sheet in names:
            name = str(sheet)
        else:
            raise RecordError.say(MESSAGES, "no_sheet", name=path.name, sheet=sheet, names=names)
        ws = book[name]
        ws.reset_dimensions()  # a wrong <dimension> record would silently cut rows off
        cells = [list(r) for r in ws.iter_rows(values_only=True)]
        merged = _merged_ranges(path, ws)
    finally:
        book.close()
    if not any(any(c is not None for c in r) for r in cells):
        raise RecordError.say(MESSAGES, "sheet_empty", sheet=name, name=path.name)
    _fill_merged(cells, merged)
    skip = _header_index(cells, known)
    names = cells[skip]
    if _sub_header(cells, skip, known):  # a merged group title over the column names
        skip += 1
        names = _two_row_header(cells[skip - 1], cells[skip])
    header = _excel_header(names)
    width = len(header)
    body = [(r + [None] * width)[:width] for r in cells[skip + 1 :]]
    frame = pd.DataFrame(body, columns=pd.Index(header), dtype=object)
    meta = {"format": "xlsx", "sheet": name, "header_row": skip + 1, "merged_ranges": len(merged)}
    return RawTable(frame=frame, source=path.name, rows=row_numbers(len(frame), skip), meta=meta)


class _Points(NamedTuple):
    lon: np.ndarray
    lat: np.ndarray
    code: np.ndarray
    value: np.ndarray
    notes: dict[int, list[RowIssue]]


def _points(geoms: Any) -> _Points:
    """Coordinates of point geometries; MultiPoints give their representative point.

    The representative point of a MultiPoint is one of its own points (the one nearest
    its centre, as GEOS chooses it); a MultiPoint of two or more points gets a note. Null
    and empty geometries get ``geometry_empty``, other kinds ``geometry_type``.
    """
    import shapely

    arr = np.asarray(geoms, dtype=object)
    n = len(arr)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    code = np.full(n, None, dtype=object)
    value = np.full(n, "", dtype=object)
    notes: dict[int, list[RowIssue]] = {}
    type_id = shapely.get_type_id(arr)  # -1 for None
    empty = (type_id < 0) | shapely.is_empty(arr)
    point = (type_id == shapely.GeometryType.POINT) & ~empty
    multi = (type_id == shapely.GeometryType.MULTIPOINT) & ~empty
    if point.any():
        lon[point] = shapely.get_x(arr[point])
        lat[point] = shapely.get_y(arr[point])
    if multi.any():
        rep = shapely.point_on_surface(arr[multi])
        lon[multi] = shapely.get_x(rep)
        lat[multi] = shapely.get_y(rep)
        parts = shapely.get_num_geometries(arr[multi])
        for pos, k, x, y in zip(np.flatnonzero(multi), parts, lon[multi], lat[multi], strict=True):
            if k > 1:
                info = (("n", int(k)), ("lat", f"{y:.6f}"), ("lon", f"{x:.6f}"))
                notes[int(pos)] = [RowIssue("multipoint", "", info)]
    nan_xy = (point | multi) & ~(np.isfinite(lon) & np.isfinite(lat))
    code[empty | nan_xy] = "geometry_empty"
    lon[nan_xy] = lat[nan_xy] = np.nan
    other = ~empty & ~point & ~multi
    code[other] = "geometry_type"
    value[other] = [g.geom_type for g in arr[other]]
    return _Points(lon, lat, code, value, notes)


def _from_frame(frame: pd.DataFrame, source: str, fmt: str = "dataframe") -> RawTable:
    import geopandas as gpd

    pts: _Points | None = None
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        gdf = frame
        if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
            gdf = gdf.to_crs(4326)
        pts = _points(gdf.geometry.to_numpy())
        frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    frame = pd.DataFrame(frame).reset_index(drop=True)
    frame.columns = pd.Index([str(c) for c in frame.columns])
    table = RawTable(
        frame=frame, source=source, rows=row_numbers(len(frame), 0), meta={"format": fmt}
    )
    if pts is not None:
        table.lon, table.lat, table.notes = pts.lon, pts.lat, pts.notes
        table.geom_code, table.geom_value = pts.code, pts.value
    return table


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
        raise RecordError.say(MESSAGES, "not_found", path=str(path))
    ext = path.suffix.lower()
    try:
        table = _read_file(path, ext, sheet, known)
    except RecordError:
        raise
    except Exception as exc:
        raise RecordError.say(MESSAGES, "unreadable", name=path.name, exc=exc, ext=ext) from exc
    return _drop_trailing_empty(table)


def _read_file(path: Path, ext: str, sheet: str | int | None, known: list[str]) -> RawTable:
    """Read ``path`` with the reader of its extension ``ext``."""
    if ext in CSV_EXTENSIONS:
        return _read_csv(path, known)
    if ext in EXCEL_EXTENSIONS:
        return _read_excel(path, sheet, known)
    if ext in OGR_EXTENSIONS:
        import pyogrio

        return _from_frame(pyogrio.read_dataframe(path, layer=sheet), path.name, "geo")
    if ext in PARQUET_EXTENSIONS:
        import geopandas as gpd

        try:
            frame: pd.DataFrame = gpd.read_parquet(path)
        except (ValueError, KeyError):
            frame = pd.read_parquet(path)
        return _from_frame(frame, path.name, "parquet")
    key = "bad_extension_xls" if ext == ".xls" else "bad_extension"
    raise RecordError.say(MESSAGES, key, name=path.name, ext=ext)


def unneutralise(text: str) -> str:
    r"""Take off the ``'`` that the CSV writer put before text a spreadsheet would run.

    The writer (:func:`kamtibmas_geo._tables.neutralise`) puts a ``'`` before a cell that
    starts with ``= + - @``, tab or CR (also after spaces or ``"``), and after every
    ``,`` ``;`` tab or line break inside it that such text follows. Those quotes are taken
    off when the text is exactly what the writer makes of the text without them; else only
    a ``'`` at the start, right before such text, is taken off.

    Parameters
    ----------
    text : str
        A cell of a CSV file.

    Returns
    -------
    str

    Examples
    --------
    >>> unneutralise("'=1+1"), unneutralise("Jl. Merdeka;'=1+1"), unneutralise("'  =1")
    ('=1+1', 'Jl. Merdeka;=1+1', '  =1')
    >>> unneutralise("'-2.97"), unneutralise("Toko 'Maju'"), unneutralise("-3,12")
    ('-2.97', "Toko 'Maju'", '-3,12')
    """
    from kamtibmas_geo._tables import TRIGGERS, neutralise

    def quoted(piece: str) -> bool:
        return piece.startswith("'") and piece[1:].lstrip(_SPACES).startswith(TRIGGERS)

    if "'" not in text:
        return text
    lead = quoted(text)
    parts = _PIECE_BREAK.split(text[1:] if lead else text)
    for i in range(2, len(parts), 2):
        if quoted(parts[i]):
            parts[i] = parts[i][1:]
    candidate = "".join(parts)
    if candidate != text and neutralise(candidate) == text:
        return candidate
    return text[1:] if lead else text


def _unneutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Apply :func:`unneutralise` to the header and to every cell that may need it."""
    header = header_names([unneutralise(str(c)) for c in frame.columns])
    frame.columns = pd.Index(header)
    for pos in range(frame.shape[1]):
        col = frame.iloc[:, pos]
        hit = col.astype("string").str.contains(_RE_QUOTED_FORMULA).fillna(False)
        mask = hit.to_numpy(dtype=bool)
        if not mask.any():
            continue
        values = col.to_numpy(dtype=object).copy()
        keys, uniq = pd.factorize(values[mask])
        values[mask] = np.array([unneutralise(str(u)) for u in uniq], dtype=object)[keys]
        frame.iloc[:, pos] = pd.Series(values, index=frame.index, dtype=col.dtype)
    return frame
