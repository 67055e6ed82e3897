r"""Disturbance and activity records: reading, cleaning, and the ledger of every row.

:func:`read_records` reads a CSV/XLSX/GeoJSON/GPKG/GeoParquet file or a (Geo)DataFrame
typed by Polsek staff, recognises its columns by their Indonesian or English names,
parses coordinates and dates in the notations people use, maps each type to the
taxonomy, flags duplicates, and returns a :class:`RecordSet`: the records and the
rejected rows, each with the row, column, value and a reason a person can act on.
``len(records) + len(rejected)`` is always the number of data rows read.

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
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import RecordError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo._validate import check_choice
from kamtibmas_geo.config import Settings
from kamtibmas_geo.records._ledger import (
    MESSAGES,
    RecordSet,
    encoding_label,
    find_duplicates,
    ledger_summary,
    sanitize_for_export,
)
from kamtibmas_geo.records._parse import (
    coords_to_float,
    dates_to_utc,
    parse_coord_pair,
    times_to_seconds,
)
from kamtibmas_geo.records._readers import is_empty_row, read_table
from kamtibmas_geo.records._taxonomy import Taxonomy, load_taxonomy, normalise_text

__all__ = [
    "ALIASES",
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

Kind = Literal["disturbance", "activity"]

#: Column aliases, compared after lower-casing and turning punctuation into spaces.
ALIASES: dict[str, tuple[str, ...]] = {
    "lat": ("lintang", "lat", "latitude", "y", "lintang selatan", "garis lintang", "koordinat y",
            "koord y", "lat dd"),
    "lon": ("bujur", "lon", "lng", "long", "longitude", "x", "bujur timur", "garis bujur",
            "koordinat x", "koord x", "lon dd"),
    "coords": ("koordinat", "lokasi koordinat", "titik koordinat", "koordinat tkp",
               "koordinat lokasi", "coordinates", "coordinate", "latlon", "lat lon", "lat long",
               "latlong", "lat lng", "titik lokasi", "gps", "titik gps", "lintang bujur"),
    "date": ("tanggal", "tgl", "waktu", "date", "tanggal kejadian", "tgl kejadian",
             "waktu kejadian", "hari tanggal", "hari tgl", "datetime", "tanggal kegiatan",
             "tgl kegiatan", "hari tanggal kejadian", "tanggal waktu"),
    "time": ("jam", "time", "pukul", "jam kejadian", "pukul kejadian", "jam kegiatan", "pkl",
             "jam wib", "waktu jam"),
    "address": ("alamat", "lokasi", "tkp", "tempat kejadian", "alamat kejadian",
                "lokasi kejadian", "tempat", "address", "location", "alamat tkp",
                "lokasi kegiatan", "tempat kegiatan", "tempat kejadian perkara", "lokasi tkp"),
    "type": ("jenis", "kategori", "type", "jenis kejadian", "jenis gangguan", "jenis kegiatan",
             "kategori kejadian", "kejadian", "kegiatan", "jenis giat", "giat", "category",
             "jenis kasus", "kasus", "jenis gangguan kamtibmas"),
    "kecamatan": ("kecamatan", "kec", "district", "nama kecamatan"),
    "desa": ("desa", "kelurahan", "kel", "desa kelurahan", "desa kel", "kelurahan desa",
             "village", "ds", "nama desa", "kel desa"),
    "polsek": ("polsek", "polsek jajaran", "satuan", "polsek polres", "kesatuan"),
    "keterangan": ("keterangan", "ket", "uraian", "uraian singkat", "deskripsi", "catatan",
                   "description", "notes", "kronologi", "uraian kejadian", "keterangan kejadian"),
}  # fmt: skip
_PREFIX_WORDS = {
    "lintang": "lat", "latitude": "lat", "bujur": "lon", "longitude": "lon",
    "koordinat": "coords", "tanggal": "date", "tgl": "date", "jam": "time", "pukul": "time",
    "alamat": "address", "jenis": "type", "kecamatan": "kecamatan", "desa": "desa",
    "kelurahan": "desa", "polsek": "polsek", "keterangan": "keterangan", "uraian": "keterangan",
}  # fmt: skip

RECORD_COLUMNS = (
    "record_id", "source", "row", "kind", "type", "type_raw", "severity", "time",
    "time_known", "lat", "lon", "address", "kecamatan", "desa", "polsek", "keterangan",
    "duplicate_of", "coord_note", "type_warning", "time_note", "read_note",
)  # fmt: skip
REJECTED_COLUMNS = ("source", "row", "column", "value", "reason_code", "reason")
_TEXT_FIELDS = ("address", "kecamatan", "desa", "polsek", "keterangan")
_VALUE_CHARS = 200


def _known_aliases() -> set[str]:
    return {a for names in ALIASES.values() for a in names}


def _map_columns(columns: list[str], text_column: str | None) -> dict[str, str]:
    """Map canonical fields to the user's column names (first alias in order wins)."""
    norm = {c: normalise_text(c) for c in columns}
    found: dict[str, str] = {}
    used: set[str] = set()
    if text_column is not None:
        want = normalise_text(text_column)
        match = [c for c in columns if c == text_column] or [c for c in columns if norm[c] == want]
        if not match:
            msg = (
                f"text_column={text_column!r} is not a column of the input; "
                f"its columns are {columns}."
            )
            raise RecordError(msg)
        found["address"] = match[0]
        used.add(match[0])
    for field, aliases in ALIASES.items():
        if field in found:
            continue
        for alias in aliases:
            hit = next((c for c in columns if c not in used and norm[c] == alias), None)
            if hit is not None:
                found[field] = hit
                used.add(hit)
                break
    for c in columns:
        words = norm[c].split()
        if c in used or not words:
            continue
        prefixed = _PREFIX_WORDS.get(words[0])
        if prefixed is not None and prefixed not in found:
            found[prefixed] = c
            used.add(c)
    return found


def _text(series: pd.Series) -> pd.Series:
    """Cells as stripped text, NA where empty."""
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        text = series.astype("string").str.strip()
    else:
        out = series.astype(object).where(series.notna(), None)
        out = out.map(lambda v: v if v is None or isinstance(v, str) else str(v))
        text = out.astype("string").str.strip()
    return text.mask(text.eq("").fillna(False))


def _str_array(values: np.ndarray) -> Any:
    """Object array (str or None) as a ``string`` array, converting each distinct value once."""
    keys, uniq = pd.factorize(values, use_na_sentinel=True)
    base = pd.array([*uniq, None], dtype="string")
    return base.take(keys)  # -1 (missing) takes the trailing None


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value)[:_VALUE_CHARS]


def read_records(
    source: str | Path | pd.DataFrame,
    kind: Kind = "disturbance",
    *,
    sheet: str | int | None = None,
    text_column: str | None = None,
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
        one by one and noted in ``read_note``.
    kind : {"disturbance", "activity"}
        Which taxonomy the ``jenis`` column is classified against.
    sheet : str or int, optional
        Sheet name or 0-based index of a workbook (first sheet by default), or layer of
        a GeoPackage.
    text_column : str, optional
        Column holding the address text, when it is not one of the aliases.
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
    check_choice("kind", kind, ("disturbance", "activity"))
    check_choice("lang", lang, ("id", "en"))
    settings = settings or Settings()
    tz = settings.timezone
    tax = load_taxonomy(taxonomy)
    raw = read_table(source, sheet=sheet, known=_known_aliases())
    frame, n = raw.frame, len(raw.frame)
    columns = [str(c) for c in frame.columns]
    frame.columns = pd.Index(columns)
    cols = _map_columns(columns, text_column)
    has_geom = raw.lon is not None
    locating = {"lat", "coords", "address", "kecamatan", "desa"} & set(cols)
    if "date" not in cols or not (locating or has_geom):
        need = (
            "date (tanggal/tgl/waktu/date)"
            if "date" not in cols
            else ("location (lintang+bujur, koordinat, alamat, desa or kecamatan)")
        )
        msg = (
            f"{raw.source!r} has no {need} column; its columns are {columns}. "
            "Rename the column (see docs/records.md for the accepted names)."
        )
        raise RecordError(msg)

    reason = np.full(n, None, dtype=object)
    r_col = np.full(n, "", dtype=object)
    r_val = np.full(n, "", dtype=object)
    r_info: dict[int, dict[str, Any]] = {}

    def reject(mask: np.ndarray, code: str | np.ndarray, col: str, values: Any) -> None:
        take = mask & pd.isna(reason)
        if not take.any():
            return
        reason[take] = code[take] if isinstance(code, np.ndarray) else code
        r_col[take] = col
        vals = np.asarray(values, dtype=object) if values is not None else None
        r_val[take] = [_cell_text(v) for v in vals[take]] if vals is not None else ""

    for pos, issue in raw.broken.items():
        reason[pos], r_col[pos], r_val[pos] = issue.code, "*", issue.value[:_VALUE_CHARS]
        r_info[pos] = dict(issue.info)

    # dates and times
    date_raw = frame[cols["date"]]
    t_ns, time_known, d_codes = dates_to_utc(date_raw, tz)
    bad_date = ~pd.isna(d_codes)
    if bad_date.any():
        empty = np.zeros(n, dtype=bool)
        empty[bad_date] = is_empty_row(frame.iloc[np.flatnonzero(bad_date)])
        reject(empty, "empty_row", "*", None)
        reject(bad_date, d_codes, cols["date"], date_raw.to_numpy())
    time_note = np.full(n, None, dtype=object)
    if "time" in cols:
        secs, t_codes = times_to_seconds(frame[cols["time"]])
        ok = ~np.isnan(secs) & ~bad_date
        if ok.any():
            local = pd.DatetimeIndex(pd.to_datetime(t_ns[ok], utc=True)).tz_convert(tz)
            day = local.tz_localize(None).normalize() + pd.to_timedelta(secs[ok], unit="s")
            t_ns[ok] = day.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").as_unit("ns").asi8
            time_known[ok] = True
        bad_time = (t_codes == "time_invalid") & ~bad_date
        if bad_time.any():
            jam = frame[cols["time"]].to_numpy()
            time_note[bad_time] = [
                tr(MESSAGES, "note_time_invalid", lang, value=_cell_text(v)) for v in jam[bad_time]
            ]

    # coordinates
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    c_code = np.full(n, "coord_missing", dtype=object)
    c_col = ""
    c_val: np.ndarray = np.full(n, "", dtype=object)
    if "lat" in cols and "lon" in cols:
        lat, la_code = coords_to_float(frame[cols["lat"]])
        lon, lo_code = coords_to_float(frame[cols["lon"]])
        la_miss, lo_miss = la_code == "coord_missing", lo_code == "coord_missing"
        c_code = np.full(n, "coord_unparsed", dtype=object)
        c_code[pd.isna(la_code) & pd.isna(lo_code)] = None
        c_code[la_miss & lo_miss] = "coord_missing"
        c_code[la_miss ^ lo_miss] = "coord_incomplete"
        c_col = f"{cols['lat']}/{cols['lon']}"
    elif "coords" in cols:
        raw_pairs = frame[cols["coords"]].astype(object).to_numpy()
        keys, uniq = pd.factorize(raw_pairs, use_na_sentinel=True)
        parsed = [parse_coord_pair(u) for u in uniq] + [parse_coord_pair(None)]
        lat = np.array([parsed[k][0] for k in keys], dtype=float)
        lon = np.array([parsed[k][1] for k in keys], dtype=float)
        c_code = np.array([parsed[k][2] for k in keys], dtype=object)
        c_col, c_val = cols["coords"], raw_pairs
    geom_bad = np.zeros(n, dtype=bool)
    if has_geom and raw.lon is not None and raw.lat is not None:
        fill = c_code == "coord_missing"
        lon, lat = np.where(fill, raw.lon, lon), np.where(fill, raw.lat, lat)
        c_code = c_code.copy()
        c_code[fill & ~np.isnan(lat)] = None
        if raw.geom_code is not None and raw.geom_value is not None:
            geom_bad = fill & ~pd.isna(raw.geom_code)
            c_code[geom_bad] = raw.geom_code[geom_bad]
            c_val = np.asarray(c_val, dtype=object).copy()
            c_val[geom_bad] = raw.geom_value[geom_bad]
        c_col = c_col or "geometry"
    coord_note = np.full(n, None, dtype=object)
    parsed_ok = pd.isna(c_code)
    swap = parsed_ok & (np.abs(lat) > 90) & (np.abs(lon) <= 90)
    lat, lon = np.where(swap, lon, lat), np.where(swap, lat, lon)
    coord_note[swap] = tr(MESSAGES, "note_coord_swapped", lang)
    c_code[parsed_ok & (lat == 0) & (lon == 0)] = "coord_zero"
    c_code[pd.isna(c_code) & ((np.abs(lat) > 90) | (np.abs(lon) > 180))] = "coord_out_of_range"
    texts = {f: _text(frame[cols[f]]) for f in _TEXT_FIELDS if f in cols}
    has_text = np.zeros(n, dtype=bool)
    for f in ("address", "desa", "kecamatan"):
        if f in texts:
            has_text |= texts[f].notna().to_numpy()
    c_bad = ~pd.isna(c_code) & (c_code != "coord_missing")
    if "coords" not in cols and not ("lat" in cols and "lon" in cols) and not has_geom:
        c_col = "lintang/bujur"
    if "lat" in cols and "lon" in cols:
        bad_xy = np.flatnonzero(c_bad)  # the values are only needed for the ledger and notes
        la_t = [_cell_text(v) for v in frame[cols["lat"]].to_numpy(dtype=object)[bad_xy]]
        lo_t = [_cell_text(v) for v in frame[cols["lon"]].to_numpy(dtype=object)[bad_xy]]
        c_val[bad_xy] = [f"{a}; {b}" if a else b for a, b in zip(la_t, lo_t, strict=True)]
    reject(geom_bad & ~has_text, c_code, "geometry", c_val)
    reject(c_bad & ~has_text, c_code, c_col, c_val)
    reject((c_code == "coord_missing") & ~has_text, "no_location", c_col or "alamat", None)
    kept_bad = c_bad & has_text
    if kept_bad.any():
        coord_note[kept_bad] = [
            tr(MESSAGES, "note_coord_" + str(code), lang, value=_cell_text(v))
            for code, v in zip(
                c_code[kept_bad], np.asarray(c_val, dtype=object)[kept_bad], strict=True
            )
        ]
    lat[~pd.isna(c_code)] = np.nan
    lon[~pd.isna(c_code)] = np.nan

    # assemble
    keep = pd.isna(reason)
    idx = np.flatnonzero(keep)
    rows = raw.rows
    src = raw.source
    out = pd.DataFrame(index=pd.RangeIndex(len(idx)))
    import pyarrow as pa
    import pyarrow.compute as pc

    row_str = pc.cast(pa.array(rows[idx]), pa.string())
    out["record_id"] = pd.array(
        pc.binary_join_element_wise(pa.scalar(f"{src}:"), row_str, ""), dtype="string"
    )
    out["source"] = pd.Series(src, index=out.index, dtype="string")
    out["row"] = rows[idx].astype(np.int64)
    out["kind"] = pd.Series(kind, index=out.index, dtype="string")
    type_raw = (
        _text(frame[cols["type"]]).iloc[idx].reset_index(drop=True)
        if "type" in cols
        else pd.Series(pd.NA, index=range(len(idx)), dtype="string")
    )
    keys, uniq = pd.factorize(type_raw.to_numpy(dtype=object), use_na_sentinel=True)
    classified = [tax.classify(u, kind) for u in uniq] + [("lainnya", False)]
    t_ok = np.array([c[1] for c in classified], dtype=bool)[keys]
    out["type"] = pd.array([c[0] for c in classified], dtype="string").take(keys)
    out["type_raw"] = type_raw.array
    sev = np.array([tax.info(kind, c[0]).severity for c in classified], dtype=float)
    out["severity"] = sev[keys]
    out["time"] = pd.to_datetime(t_ns[idx], utc=True).tz_convert(tz).as_unit("ns")
    out["time_known"] = time_known[idx]
    out["lat"] = lat[idx]
    out["lon"] = lon[idx]
    for f in _TEXT_FIELDS:
        out[f] = (
            texts[f].array.take(idx)
            if f in texts
            else _str_array(np.full(len(idx), None, dtype=object))
        )
    place = np.full(len(idx), "", dtype=object)
    if out["lat"].isna().any():  # the address text only matters for records lacking a point
        addr_key = (
            out["address"].fillna("") + "|" + out["desa"].fillna("") + "|"
            + out["kecamatan"].fillna("")
        )  # fmt: skip
        a_keys, a_uniq = pd.factorize(addr_key.to_numpy(dtype=object))
        place = np.array([normalise_text(u).replace(" ", "") for u in a_uniq], dtype=object)[a_keys]
    dup = find_duplicates(
        out["type"].to_numpy(dtype=object),
        t_ns[idx],
        out["lat"].to_numpy(),
        out["lon"].to_numpy(),
        place,
        minutes=duplicate_minutes,
        metres=duplicate_metres,
    )
    ids = out["record_id"].to_numpy(dtype=object)
    dup_ids = np.full(len(idx), None, dtype=object)
    dup_ids[dup >= 0] = ids[dup[dup >= 0]]
    out["duplicate_of"] = _str_array(dup_ids)
    out["coord_note"] = _str_array(coord_note[idx])
    warn = np.full(len(idx), None, dtype=object)
    unknown = ~t_ok
    if unknown.any():
        tr_raw = out["type_raw"].to_numpy(dtype=object)
        warn[unknown] = [
            tr(MESSAGES, "note_type_empty", lang)
            if v is None or v is pd.NA
            else tr(MESSAGES, "note_type_unknown", lang, value=_cell_text(v))
            for v in tr_raw[unknown]
        ]
    out["type_warning"] = _str_array(warn)
    out["time_note"] = _str_array(time_note[idx])
    read_note = np.full(n, None, dtype=object)
    for pos, issues in raw.notes.items():
        read_note[pos] = "; ".join(
            tr(MESSAGES, f"note_read_{i.code}", lang, **dict(i.info)) for i in issues
        )
    out["read_note"] = _str_array(read_note[idx])
    mapped = set(cols.values())
    for c in columns:
        if c in mapped:
            continue
        name = c if c not in out.columns and c != "geometry" else f"{c}_input"
        out[name] = frame[c].iloc[idx].to_numpy()
    geom = gpd.points_from_xy(out["lon"], out["lat"], crs="EPSG:4326")
    geom[np.isnan(out["lat"].to_numpy())] = None
    records = gpd.GeoDataFrame(out, geometry=geom, crs="EPSG:4326")

    ridx = np.flatnonzero(~keep)
    codes = reason[ridx]
    rejected = pd.DataFrame(
        {
            "source": pd.array([src] * len(ridx), dtype="string"),
            "row": rows[ridx].astype(np.int64),
            "column": pd.array(r_col[ridx], dtype="string"),
            "value": pd.array(r_val[ridx], dtype="string"),
            "reason_code": pd.array(codes, dtype="string"),
            "reason": pd.array(
                [
                    tr(MESSAGES, str(c), lang, column=col, value=val, **r_info.get(int(p), {}))
                    for p, c, col, val in zip(ridx, codes, r_col[ridx], r_val[ridx], strict=True)
                ],
                dtype="string",
            ),
        }
    )
    read = {**raw.meta, "rows_in": n}
    for frame_out in (records, rejected):
        frame_out.attrs["rows_in"] = n
        frame_out.attrs["read"] = dict(read)
    return RecordSet(records, rejected)
