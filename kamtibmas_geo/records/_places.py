r"""Point places: Poskamling posts, landmarks and candidate sites, read like records.

:func:`read_places` reads a list of places with the same machinery as
:func:`~kamtibmas_geo.records.read_records`: any of ``; , tab |`` as separator, the file's
own encoding, a title above the header row, merged cells, a single "Koordinat" column,
degrees-minutes-seconds with LS/BT, decimal commas, swapped coordinates (fixed, with a
note). A status column ("Status", "Kondisi", "Aktif") or a "Keterangan" that says
``tidak aktif``, ``rusak``, ``mati``, ``tutup``... marks a post inactive; every other post
is active.

Examples
--------
>>> import pandas as pd
>>> posts = pd.DataFrame({
...     "Nama Pos": ["Pos A", "Pos B", "Pos C"],
...     "Koordinat": ["-2,97; 104,75", "3°23'11\" LS 104°50'30\" BT", ""],
...     "Kondisi": ["Baik", "Rusak berat", "Aktif"],
... })
>>> gdf = read_places(posts, "posts")
>>> print(gdf[["nama", "lat", "lon", "aktif"]].round(4).to_string(index=False))
 nama     lat      lon  aktif
Pos A -2.9700 104.7500   True
Pos B -3.3864 104.8417  False
>>> print(gdf.attrs["rejected"][["row", "reason_code"]].to_string(index=False))
 row   reason_code
   4 coord_missing
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import RecordError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo._validate import check_choice
from kamtibmas_geo.records._cells import cell_text, text_cells
from kamtibmas_geo.records._headers import PLACE_ALIASES, known_names, map_columns
from kamtibmas_geo.records._ledger import MESSAGES as NOTES
from kamtibmas_geo.records._parse import coords_to_float, parse_coord_pair
from kamtibmas_geo.records._readers import RawTable, is_empty_row, read_table
from kamtibmas_geo.records._taxonomy import normalise_text

__all__ = ["MESSAGES", "PLACE_COLUMNS", "PlaceKind", "is_active", "read_places"]

PlaceKind = Literal["posts", "landmarks", "candidates"]

#: The columns every place list gets, before the user's other columns.
PLACE_COLUMNS = ("nama", "lat", "lon", "aktif", "status", "jenis", "alias", "source", "row")

MESSAGES = {
    "no_location": {
        "id": "{source!r} tidak punya kolom lokasi (lintang+bujur, LS/BT, atau satu kolom "
        "koordinat); kolomnya: {columns}. Ganti nama kolomnya atau pakai --columns "
        'lintang="...",bujur="...".',
        "en": "{source!r} has no location column (lintang+bujur, LS/BT, or one koordinat "
        'column); its columns are {columns}. Rename the column or use --columns lat="...",'
        'lon="...".',
    },
    "kind_posts": {"id": "Poskamling", "en": "Poskamling posts"},
    "kind_landmarks": {"id": "landmark", "en": "landmarks"},
    "kind_candidates": {"id": "tempat calon pos", "en": "candidate sites"},
    "default_name": {"id": "{kind} baris {row}", "en": "{kind} row {row}"},
    "place_coord_missing": {
        "id": "Baris ini tidak punya koordinat; isi lintang dan bujur (atau kolom koordinat).",
        "en": "The row has no coordinates; fill in latitude and longitude (or the coordinate "
        "column).",
    },
    "place_coord_unparsed": {
        "id": "Koordinat '{value}' (kolom '{column}') tidak terbaca; tulis misalnya -2.9761 "
        "dan 104.7451, atau 2°58'34\" LS 104°44'42\" BT.",
        "en": "The coordinates '{value}' (column '{column}') cannot be read; write e.g. "
        "-2.9761 and 104.7451, or 2°58'34\" S 104°44'42\" E.",
    },
    "place_coord_incomplete": {
        "id": "Hanya satu dari lintang/bujur yang terisi ('{value}', kolom '{column}'); isi "
        "keduanya.",
        "en": "Only one of latitude/longitude is filled in ('{value}', column '{column}'); "
        "fill in both.",
    },
    "place_coord_zero": {
        "id": "Koordinat '{value}' (kolom '{column}') adalah titik 0,0; ambil ulang koordinatnya.",
        "en": "The coordinates '{value}' (column '{column}') are the point 0,0; take them again.",
    },
    "place_coord_out_of_range": {
        "id": "Koordinat '{value}' (kolom '{column}') di luar jangkauan (lintang -90..90, "
        "bujur -180..180); periksa angka dan tanda desimalnya.",
        "en": "The coordinates '{value}' (column '{column}') are out of range (latitude "
        "-90..90, longitude -180..180); check the digits and the decimal mark.",
    },
    "place_geometry_empty": {
        "id": "Geometri baris ini kosong; beri titiknya.",
        "en": "The row's geometry is empty; give it a point.",
    },
    "place_geometry_type": {
        "id": "Geometri baris ini bukan titik ({value}); simpan tempatnya sebagai titik.",
        "en": "The row's geometry is not a point ({value}); save the place as a point.",
    },
}

#: Words that mark a post not in use, in a status column ("Status", "Kondisi", "Aktif").
_INACTIVE_STATUS = re.compile(
    r"\b(?:tidak|tdk|tak|non|nonaktif|inaktif|inactive|rusak|mati|tutup|ditutup|bubar|"
    r"roboh|vakum|hilang|kosong|no|false|n|0|off|belum)\b"
)
#: Phrases that mark a post not in use inside free text ("Keterangan").
_INACTIVE_NOTE = re.compile(
    r"\b(?:tidak aktif|tdk aktif|tak aktif|non aktif|nonaktif|rusak|tidak berfungsi|"
    r"tidak dipakai|tidak digunakan|ditutup|tutup|bubar|roboh|vakum|mati)\b"
)


def is_active(status: object, note: object = None) -> bool:
    """Return whether a place is in use, from its status cell and its note.

    Parameters
    ----------
    status : object
        The status cell ("aktif", "tidak aktif", "Rusak", "Baik", "ya", 0/1, True...).
    note : object, optional
        The "Keterangan" cell (free text: only clear phrases such as "rusak" or "tidak
        aktif" count).

    Returns
    -------
    bool
        ``False`` when the status or the note says the place is not in use; ``True``
        otherwise (an empty cell included).

    Examples
    --------
    >>> [is_active(s) for s in ("Aktif", "Tidak Aktif", "RUSAK", "baik", "", 0, True)]
    [True, False, False, True, True, False, True]
    >>> is_active("aktif", "pos rusak sejak banjir"), is_active("", "dekat masjid")
    (False, True)
    """
    if isinstance(status, bool | np.bool_):
        active = bool(status)
    else:
        active = not _INACTIVE_STATUS.search(normalise_text(cell_text(status)))
    if note is not None and _INACTIVE_NOTE.search(normalise_text(cell_text(note))):
        return False
    return active


def read_places(
    source: str | Path | pd.DataFrame,
    kind: PlaceKind = "posts",
    *,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    strict_columns: bool = False,
    lang: str = "id",
) -> gpd.GeoDataFrame:
    """Read a list of point places: Poskamling posts, landmarks or candidate sites.

    Parameters
    ----------
    source : str, Path or DataFrame
        CSV/TXT/TSV, XLSX, GeoJSON/GPKG (points), (Geo)Parquet, or a (Geo)DataFrame (a
        GeoDataFrame in any CRS; its points are used). Columns are recognised by
        :data:`~kamtibmas_geo.records._headers.PLACE_ALIASES`: a name ("Nama Pos"),
        latitude and longitude ("Lintang"/"Bujur", "LS"/"BT") or one "Koordinat" column,
        a status ("Status", "Kondisi", "Aktif"), "Keterangan", a kind ("Jenis") and
        other names ("Alias", several separated by ``;`` or ``|``).
    kind : {"posts", "landmarks", "candidates"}
        What the places are (names rows without a name, and the messages).
    sheet : str or int, optional
        Sheet of a workbook or layer of a GeoPackage.
    columns : mapping, optional
        ``{field: column}`` named by the person (``--columns nama="Nama Pos"``).
    strict_columns : bool
        Refuse a named column the file lacks (else it is ignored: the option may be meant
        for another input of the same command).
    lang : {"id", "en"}
        Language of the notes and reasons.

    Returns
    -------
    GeoDataFrame
        EPSG:4326 points of the rows with a usable location: :data:`PLACE_COLUMNS`
        (``aktif`` the active flag, ``row`` the row in the user's sheet, header = 1;
        ``nama`` is made up for a post or site without one, left empty for a landmark), a
        ``coord_note`` where coordinates were swapped, then the user's other columns.
        ``attrs``: ``"rejected"`` (rows without a usable location, with ``row``, ``nama``,
        ``column``, ``value``, ``reason_code``, ``reason``), ``"skipped"`` (their number),
        ``"columns"`` (``{field: column}`` used) and ``"read"`` (how the file was read).

    Raises
    ------
    RecordError
        The file is missing or unreadable, or no column locates a place.
    """
    check_choice("kind", kind, ("posts", "landmarks", "candidates"))
    check_choice("lang", lang, ("id", "en"))
    from kamtibmas_geo.records._read import parse_given

    raw = read_table(source, sheet=sheet, known=known_names(PLACE_ALIASES))
    names = [str(c) for c in raw.frame.columns]
    raw.frame.columns = pd.Index(names)
    given = parse_given(columns)
    cols = map_columns(names, PLACE_ALIASES, given=given, source=raw.source, strict=strict_columns)
    if not ({"lat", "lon"} <= set(cols) or "coords" in cols or raw.lat is not None):
        raise RecordError.say(MESSAGES, "no_location", source=raw.source, columns=names)
    lat, lon, code, column, value = _coordinates(raw, cols)
    note = _swap(lat, lon, code, lang)
    empty = is_empty_row(raw.frame)
    ok = pd.isna(code) & ~empty
    out = _assemble(raw, cols, kind, lang, ok, lat, lon, note)
    bad = ~ok & ~empty
    out.attrs["rejected"] = _rejected(
        raw, bad, (code, column, value), _texts(raw.frame, cols, "name"), lang
    )
    out.attrs["skipped"] = int((~ok & ~empty).sum())
    out.attrs["columns"] = dict(cols)
    out.attrs["read"] = {**raw.meta, "columns": dict(cols), "rows_in": int((~empty).sum())}
    return out


def _coordinates(
    raw: RawTable, cols: Mapping[str, str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str, np.ndarray]:
    """Latitude, longitude, reason code (None where usable), column name and cells."""
    frame, n = raw.frame, len(raw.frame)
    lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    code = np.full(n, "coord_missing", dtype=object)
    value = np.full(n, "", dtype=object)
    column = ""
    if "lat" in cols and "lon" in cols:
        lat, la_code = coords_to_float(frame[cols["lat"]])
        lon, lo_code = coords_to_float(frame[cols["lon"]])
        la_miss, lo_miss = la_code == "coord_missing", lo_code == "coord_missing"
        code = np.full(n, "coord_unparsed", dtype=object)
        code[pd.isna(la_code) & pd.isna(lo_code)] = None
        code[la_miss & lo_miss] = "coord_missing"
        code[la_miss ^ lo_miss] = "coord_incomplete"
        column = f"{cols['lat']}/{cols['lon']}"
        value = np.array(
            [
                f"{cell_text(a)}; {cell_text(b)}"
                for a, b in zip(frame[cols["lat"]], frame[cols["lon"]], strict=True)
            ],
            dtype=object,
        )
    elif "coords" in cols:
        cells = frame[cols["coords"]].astype(object).to_numpy()
        parsed = [parse_coord_pair(v) for v in cells]
        lat = np.array([p[0] for p in parsed], dtype=float)
        lon = np.array([p[1] for p in parsed], dtype=float)
        code = np.array([p[2] for p in parsed], dtype=object)
        column, value = cols["coords"], np.array([cell_text(v) for v in cells], dtype=object)
    if raw.lat is not None and raw.lon is not None:
        fill = code == "coord_missing"
        lat, lon = np.where(fill, raw.lat, lat), np.where(fill, raw.lon, lon)
        code = code.copy()
        code[fill] = raw.geom_code[fill] if raw.geom_code is not None else None
        if raw.geom_value is not None:
            value = value.copy()
            value[fill] = raw.geom_value[fill]
        column = column or "geometry"
    return lat, lon, code, column, value


def _swap(lat: np.ndarray, lon: np.ndarray, code: np.ndarray, lang: str) -> np.ndarray:
    """Swap coordinates written the wrong way round (noted); refuse 0,0 and out of range."""
    note = np.full(len(lat), None, dtype=object)
    usable = pd.isna(code)
    swap = usable & (np.abs(lat) > 90) & (np.abs(lon) <= 90)
    lat[swap], lon[swap] = lon[swap], lat[swap].copy()
    note[swap] = tr(NOTES, "note_coord_swapped", lang)
    code[usable & (lat == 0) & (lon == 0)] = "coord_zero"
    code[pd.isna(code) & ((np.abs(lat) > 90) | (np.abs(lon) > 180))] = "coord_out_of_range"
    return note


def _texts(frame: pd.DataFrame, cols: Mapping[str, str], field: str) -> pd.Series:
    if field not in cols:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return text_cells(frame[cols[field]])


def _assemble(
    raw: RawTable,
    cols: Mapping[str, str],
    kind: str,
    lang: str,
    ok: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    note: np.ndarray,
) -> gpd.GeoDataFrame:
    """Return the places with a usable point: names, flags, kinds, aliases, then other columns."""
    frame = raw.frame
    idx = np.flatnonzero(ok)
    rows = raw.rows[idx].astype(np.int64)
    label = tr(MESSAGES, f"kind_{kind}", lang)
    name = _texts(frame, cols, "name").iloc[idx].to_numpy(dtype=object)
    name = np.array(
        [
            n
            if isinstance(n, str) or kind == "landmarks"  # a landmark is found by its name
            else tr(MESSAGES, "default_name", lang, kind=label, row=r)
            for n, r in zip(name, rows, strict=True)
        ],
        dtype=object,
    )
    status = frame[cols["status"]].iloc[idx] if "status" in cols else None
    notes = frame[cols["keterangan"]].iloc[idx] if "keterangan" in cols else None
    active = np.array(
        [
            is_active(
                None if status is None else status.iloc[i],
                None if notes is None else notes.iloc[i],
            )
            for i in range(len(idx))
        ],
        dtype=bool,
    )
    out = pd.DataFrame(
        {
            "nama": pd.array(name, dtype="string"),
            "lat": lat[idx],
            "lon": lon[idx],
            "aktif": active,
            "status": _texts(frame, cols, "status").iloc[idx].array,
            "jenis": _texts(frame, cols, "kind").iloc[idx].array,
            "alias": _texts(frame, cols, "alias").iloc[idx].array,
            "source": pd.array([raw.source] * len(idx), dtype="string"),
            "row": rows,
            "coord_note": pd.array(note[idx], dtype="string"),
        }
    )
    consumed = {cols[f] for f in ("name", "lat", "lon", "coords", "status", "kind", "alias")
                if f in cols}  # fmt: skip
    for c in frame.columns:
        if c not in consumed:
            target = c if c not in out.columns else f"{c}_input"
            out[target] = frame[c].iloc[idx].to_numpy()
    geom = gpd.points_from_xy(out["lon"], out["lat"], crs="EPSG:4326")
    return gpd.GeoDataFrame(out, geometry=geom, crs="EPSG:4326")


def _rejected(
    raw: RawTable,
    bad: np.ndarray,
    where: tuple[np.ndarray, str, np.ndarray],
    names: pd.Series,
    lang: str,
) -> pd.DataFrame:
    """Return the rows without a usable location, each with a reason a person can act on."""
    code, column, value = where
    idx = np.flatnonzero(bad)
    codes = [str(c) if isinstance(c, str) else "coord_missing" for c in code[idx]]
    col = column or "lintang/bujur"
    reasons = [
        tr(MESSAGES, f"place_{c}", lang, column=col, value=cell_text(v))
        for c, v in zip(codes, value[idx], strict=True)
    ]
    return pd.DataFrame(
        {
            "source": pd.array([raw.source] * len(idx), dtype="string"),
            "row": raw.rows[idx].astype(np.int64),
            "nama": names.iloc[idx].array,
            "column": pd.array([col] * len(idx), dtype="string"),
            "value": pd.array([cell_text(v) for v in value[idx]], dtype="string"),
            "reason_code": pd.array(codes, dtype="string"),
            "reason": pd.array(reasons, dtype="string"),
        }
    )
