"""The ledger of :mod:`kamtibmas_geo.records._read`: reasons, duplicates, summary, safe export."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from kamtibmas_geo._i18n import tr

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "MESSAGES",
    "REASON_CODES",
    "RecordSet",
    "encoding_label",
    "find_duplicates",
    "ledger_summary",
    "sanitize_for_export",
]


class RecordSet(NamedTuple):
    """Records read from one input, and the ledger of the rows that were not.

    Attributes
    ----------
    records : GeoDataFrame
        One row per accepted record, EPSG:4326, columns :data:`RECORD_COLUMNS`, the
        user's other columns unchanged, and ``geometry`` (Point, or None where the
        record has no usable coordinates and must be placed by its address).
        ``read_note`` says when a row was read in an unusual way (read again after a
        stray quote, undecodable bytes replaced, one point taken from a MultiPoint).
        ``attrs["rows_in"]`` is the number of data rows read and ``attrs["read"]`` how
        the input was read (``format``; for text files ``encoding``,
        ``encoding_label``, ``bom``, ``bytes_replaced``, ``delimiter``; ``header_row``;
        for workbooks ``sheet`` and ``merged_ranges``; ``own`` when the input was records
        written by this library, read back as written); ``rejected`` carries the same.
    rejected : DataFrame
        One row per rejected input row: ``source``, ``row`` (as the user sees it in
        the sheet: header = 1, first data row = 2; for a DataFrame the position + 2),
        ``column``, ``value`` (text, at most 200 characters), ``reason_code`` (stable
        English key) and ``reason`` (Indonesian, or English with ``lang="en"``).
    """

    records: gpd.GeoDataFrame
    rejected: pd.DataFrame


MESSAGES = {
    # reasons of rejected rows (reason_code -> text); {column} and {value} are filled in
    "empty_row": {
        "id": "Baris kosong, tidak ada isian sama sekali. Hapus baris ini atau isi datanya.",
        "en": "Empty row with no value at all. Delete the row or fill it in.",
    },
    "wrong_field_count": {
        "id": "Baris ini punya lebih banyak kolom daripada judul kolom (sering karena koma "
        "desimal di berkas berpemisah koma). Beri tanda kutip pada nilai itu atau simpan "
        "ulang berkas dengan pemisah ';'.",
        "en": "This row has more fields than the header (often a decimal comma in a "
        "comma-separated file). Quote that value or save the file with ';' as separator.",
    },
    "quote_unbalanced": {
        "id": "Tanda kutip '\"' tanpa pasangan di baris {first} membuat baris {first} sampai "
        "{last} terbaca menyatu; baris ini tetap tidak bisa dipisah sesuai judul kolom. Hapus "
        "atau pasangkan tanda kutip itu, lalu baca ulang berkasnya.",
        "en": "An unpaired quote '\"' in row {first} merged rows {first} to {last} into one; "
        "this row still does not split into the header's columns. Remove or pair that quote "
        "and read the file again.",
    },
    "geometry_empty": {
        "id": "Geometri baris ini kosong (null atau empty) dan tidak ada alamat, desa atau "
        "kecamatan, jadi tidak bisa dipetakan. Gambar ulang titiknya atau isi alamatnya.",
        "en": "The geometry of this row is missing (null or empty) and there is no address, "
        "desa or kecamatan, so it cannot be mapped. Draw the point again or fill in the "
        "address.",
    },
    "geometry_type": {
        "id": "Geometri baris ini berupa {value}, bukan titik (Point atau MultiPoint), dan "
        "tidak ada alamat. Simpan lokasi kejadian sebagai titik atau isi alamatnya.",
        "en": "The geometry of this row is a {value}, not a point (Point or MultiPoint), and "
        "there is no address. Save the place as a point or fill in the address.",
    },
    "date_missing": {
        "id": "Tanggal di kolom '{column}' kosong. Isi tanggal kejadian, misalnya 10/02/2026.",
        "en": "The date in column '{column}' is empty. Fill in the date, e.g. 10/02/2026.",
    },
    "date_unparsed": {
        "id": "Tanggal '{value}' di kolom '{column}' tidak terbaca. Tulis seperti 10/02/2026, "
        "2026-02-10 atau 10 Februari 2026.",
        "en": "The date '{value}' in column '{column}' cannot be read. Write it like "
        "10/02/2026, 2026-02-10 or 10 Februari 2026.",
    },
    "date_impossible": {
        "id": "Tanggal '{value}' di kolom '{column}' tidak ada di kalender (misalnya 31 "
        "Februari). Periksa hari dan bulannya (urutan hari/bulan/tahun).",
        "en": "The date '{value}' in column '{column}' does not exist (such as 31 February). "
        "Check the day and month (order day/month/year).",
    },
    "date_out_of_range": {
        "id": "Tahun pada '{value}' di kolom '{column}' di luar 2000-2100. Periksa tahunnya "
        "(tulis 4 angka).",
        "en": "The year of '{value}' in column '{column}' is outside 2000-2100. Check the "
        "year (write 4 digits).",
    },
    "time_invalid": {
        "id": "Jam pada '{value}' di kolom '{column}' tidak mungkin (misalnya 25.00). Tulis "
        "jam 00.00-23.59.",
        "en": "The time in '{value}' in column '{column}' is impossible (such as 25.00). "
        "Write a time 00.00-23.59.",
    },
    "coord_unparsed": {
        "id": "Koordinat '{value}' di kolom '{column}' tidak terbaca, dan baris ini tidak punya "
        "alamat, desa atau kecamatan. Tulis koordinat desimal seperti -2.9761 dan 104.7451, "
        "atau isi alamatnya.",
        "en": "The coordinates '{value}' in column '{column}' cannot be read and the row has "
        "no address, desa or kecamatan. Write decimal degrees such as -2.9761 and 104.7451, "
        "or fill in the address.",
    },
    "coord_incomplete": {
        "id": "Hanya satu dari lintang/bujur yang terisi ('{value}', kolom '{column}'), dan "
        "tidak ada alamat. Isi keduanya atau isi alamatnya.",
        "en": "Only one of latitude/longitude is filled in ('{value}', column '{column}') and "
        "there is no address. Fill in both, or the address.",
    },
    "coord_zero": {
        "id": "Koordinat '{value}' (kolom '{column}') adalah titik 0,0, bukan lokasi kejadian "
        "(GPS belum terkunci?), dan tidak ada alamat. Ambil ulang koordinatnya atau isi "
        "alamatnya.",
        "en": "The coordinates '{value}' (column '{column}') are the point 0,0, not a real "
        "place (GPS not fixed?), and there is no address. Take them again or add the address.",
    },
    "coord_out_of_range": {
        "id": "Koordinat '{value}' (kolom '{column}') di luar jangkauan (lintang -90..90, "
        "bujur -180..180), dan tidak ada alamat. Periksa angka dan tanda desimalnya.",
        "en": "The coordinates '{value}' (column '{column}') are out of range (latitude "
        "-90..90, longitude -180..180) and there is no address. Check the digits and the "
        "decimal mark.",
    },
    "no_location": {
        "id": "Baris ini tidak punya koordinat maupun alamat, desa atau kecamatan, jadi tidak "
        "bisa dipetakan. Isi salah satunya.",
        "en": "The row has neither coordinates nor an address, desa or kecamatan, so it cannot "
        "be mapped. Fill in one of them.",
    },
    # notes on kept records
    "note_coord_swapped": {
        "id": "lintang dan bujur tertukar; sudah dibalik otomatis",
        "en": "latitude and longitude were swapped; swapped back",
    },
    "note_coord_coord_unparsed": {
        "id": "koordinat '{value}' tidak terbaca; lokasi dicari dari alamat",
        "en": "coordinates '{value}' cannot be read; placed by the address",
    },
    "note_coord_coord_incomplete": {
        "id": "hanya satu dari lintang/bujur terisi ('{value}'); lokasi dicari dari alamat",
        "en": "only one of latitude/longitude given ('{value}'); placed by the address",
    },
    "note_coord_coord_zero": {
        "id": "koordinat 0,0 diabaikan; lokasi dicari dari alamat",
        "en": "coordinates 0,0 ignored; placed by the address",
    },
    "note_coord_coord_out_of_range": {
        "id": "koordinat '{value}' di luar jangkauan; lokasi dicari dari alamat",
        "en": "coordinates '{value}' out of range; placed by the address",
    },
    "note_coord_geometry_empty": {
        "id": "geometri kosong; lokasi dicari dari alamat",
        "en": "empty geometry; placed by the address",
    },
    "note_coord_geometry_type": {
        "id": "geometri {value} bukan titik; lokasi dicari dari alamat",
        "en": "the {value} geometry is not a point; placed by the address",
    },
    "note_read_quote_reread": {
        "id": "tanda kutip '\"' tanpa pasangan di baris {first} membuat baris {first} sampai "
        "{last} terbaca menyatu; baris ini sudah dibaca ulang sendiri, periksa tanda kutip "
        "di baris {first}",
        "en": "an unpaired quote '\"' in row {first} merged rows {first} to {last}; this row "
        "was read again on its own, check the quote in row {first}",
    },
    "note_read_quote_line": {
        "id": "tanda kutip '\"' tanpa pasangan di baris ini menelan sisa barisnya; baris ini "
        "dibaca ulang tanpa tanda kutip, periksa tanda kutipnya",
        "en": "an unpaired quote '\"' in this row swallowed the rest of the row; it was read "
        "again without quotes, check the quote",
    },
    "note_read_bytes_replaced": {
        "id": "ada byte di baris ini yang tidak sah dalam pengodean berkas ({encoding}), "
        "diganti '\ufffd'; simpan ulang berkas sebagai CSV UTF-8",
        "en": "bytes in this row are not valid in the file's encoding ({encoding}) and were "
        "replaced by '\ufffd'; save the file again as CSV UTF-8",
    },
    "note_read_multipoint": {
        "id": "geometri MultiPoint berisi {n} titik; dipakai satu titiknya ({lat}, {lon}), "
        "yang paling dekat ke pusat",
        "en": "MultiPoint geometry with {n} points; one of them is used ({lat}, {lon}), the "
        "one nearest the centre",
    },
    "note_time_invalid": {
        "id": "jam '{value}' tidak terbaca; hanya tanggal yang dipakai",
        "en": "time '{value}' cannot be read; only the date is used",
    },
    "note_type_unknown": {
        "id": "jenis '{value}' tidak dikenal; dimasukkan ke 'lainnya'",
        "en": "type '{value}' is not known; counted as 'lainnya' (other)",
    },
    "note_type_empty": {
        "id": "jenis kosong; dimasukkan ke 'lainnya'",
        "en": "type is empty; counted as 'lainnya' (other)",
    },
    # summary labels
    "sum_rows_in": {"id": "Baris data dibaca", "en": "Data rows read"},
    "sum_records": {"id": "Catatan diterima", "en": "Records accepted"},
    "sum_with_coordinates": {"id": "  dengan koordinat", "en": "  with coordinates"},
    "sum_without_coordinates": {
        "id": "  tanpa koordinat (dicari dari alamat)",
        "en": "  without coordinates (to place by address)",
    },
    "sum_rejected": {"id": "Baris ditolak", "en": "Rows rejected"},
    "sum_duplicate": {"id": "Kemungkinan laporan ganda", "en": "Likely duplicate reports"},
    "sum_type_unknown": {"id": "Jenis tidak dikenal (lainnya)", "en": "Unknown type (other)"},
    "sum_coord_swapped": {"id": "Lintang/bujur tertukar, dibalik", "en": "Lat/lon swapped back"},
    "sum_coord_ignored": {
        "id": "Koordinat salah diabaikan (ada alamat)",
        "en": "Bad coordinates ignored (address kept)",
    },
    "sum_time_invalid": {"id": "Jam tidak terbaca", "en": "Unreadable time"},
    "sum_read_note": {
        "id": "Dibaca dengan catatan (tanda kutip, byte rusak, MultiPoint)",
        "en": "Read with a note (quote, broken bytes, MultiPoint)",
    },
    "sum_encoding": {"id": "Pengodean berkas", "en": "File encoding"},
    "lbl_quote_unbalanced": {"id": "Tanda kutip tanpa pasangan", "en": "Unpaired quote"},
    "lbl_geometry_empty": {"id": "Geometri kosong", "en": "Empty geometry"},
    "lbl_geometry_type": {"id": "Geometri bukan titik", "en": "Geometry not a point"},
    "lbl_empty_row": {"id": "Baris kosong", "en": "Empty row"},
    "lbl_wrong_field_count": {"id": "Jumlah kolom salah", "en": "Wrong number of fields"},
    "lbl_date_missing": {"id": "Tanggal kosong", "en": "Date missing"},
    "lbl_date_unparsed": {"id": "Tanggal tidak terbaca", "en": "Date unreadable"},
    "lbl_date_impossible": {"id": "Tanggal mustahil", "en": "Date impossible"},
    "lbl_date_out_of_range": {"id": "Tahun di luar 2000-2100", "en": "Year outside 2000-2100"},
    "lbl_time_invalid": {"id": "Jam tidak mungkin", "en": "Time impossible"},
    "lbl_coord_unparsed": {"id": "Koordinat tidak terbaca", "en": "Coordinates unreadable"},
    "lbl_coord_incomplete": {"id": "Koordinat tidak lengkap", "en": "Coordinates incomplete"},
    "lbl_coord_zero": {"id": "Koordinat 0,0", "en": "Coordinates 0,0"},
    "lbl_coord_out_of_range": {
        "id": "Koordinat di luar jangkauan",
        "en": "Coordinates out of range",
    },
    "lbl_no_location": {"id": "Tanpa lokasi", "en": "No location"},
    # reasons the geocoder gives (kamtibmas_geo.geocode), for the same summary
    "lbl_ambiguous": {
        "id": "Alamat cocok dengan beberapa wilayah",
        "en": "Address fits several units",
    },
    "lbl_no_place": {"id": "Alamat tidak dikenali", "en": "Address not recognised"},
    "lbl_outside": {"id": "Alamat di luar wilayah", "en": "Address outside the region"},
    "lbl_kabupaten_only": {
        "id": "Hanya kabupaten/kota dikenali",
        "en": "Only the kabupaten/kota recognised",
    },
    "lbl_out_of_area": {"id": "Koordinat di luar wilayah", "en": "Coordinates outside the region"},
    "lbl_invalid": {
        "id": "Tanpa koordinat sah dan tanpa alamat",
        "en": "No valid coordinates, no address",
    },
    "lbl_bad_correction": {"id": "Koreksi analis tidak sah", "en": "Invalid analyst correction"},
}

#: Stable keys of the ``reason_code`` column of rejected rows.
REASON_CODES = (
    "empty_row", "wrong_field_count", "quote_unbalanced", "date_missing", "date_unparsed",
    "date_impossible", "date_out_of_range", "time_invalid", "coord_unparsed", "coord_incomplete",
    "coord_zero", "coord_out_of_range", "geometry_empty", "geometry_type", "no_location",
)  # fmt: skip


def find_duplicates(
    types: np.ndarray,
    t_ns: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    place: np.ndarray,
    *,
    minutes: float = 30.0,
    metres: float = 100.0,
) -> np.ndarray:
    """Find reports entered more than once.

    Two records are copies when they have the same type, their times are at most
    ``minutes`` apart, and their points are at most ``metres`` apart (equirectangular
    distance), or, when one of them has no coordinates, their normalised address
    texts are equal and not empty. Copies are grouped transitively and every copy
    points to the first record of its group in input order.

    Records are sorted by type and time once (O(n log n)); each pass compares every
    record with its k-th successor, only while some pair is still within the time
    tolerance, so the work is O(n log n + n * w) for w records of a type per window.

    Parameters
    ----------
    types : ndarray
        Type keys.
    t_ns : ndarray
        Times as int64 nanoseconds.
    lat, lon : ndarray
        Coordinates, NaN where missing.
    place : ndarray
        Normalised address text ("" where none).
    minutes, metres : float
        Tolerances.

    Returns
    -------
    ndarray
        int64 position of the first copy for every duplicate, -1 for the others.

    Examples
    --------
    >>> t = np.array([0, 60, 7200], dtype=np.int64) * 10**9
    >>> find_duplicates(np.array(["a", "a", "a"]), t, np.array([-2.97, -2.97, -2.97]),
    ...                 np.array([104.7, 104.7, 104.7]), np.array(["", "", ""])).tolist()
    [-1, 0, -1]
    """
    n = len(t_ns)
    if n < 2:
        return np.full(n, -1, dtype=np.int64)
    a, b = _close_pairs(types, t_ns, lat, lon, place, minutes=minutes, metres=metres)
    if not len(a):
        return np.full(n, -1, dtype=np.int64)
    return _first_of_groups(a, b, n)


def _close_pairs(
    types: np.ndarray,
    t_ns: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    place: np.ndarray,
    *,
    minutes: float,
    metres: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the pairs of positions ``(a, b)`` that are copies of each other."""
    n = len(t_ns)
    tcode = pd.factorize(types)[0]
    pcode = pd.factorize(place)[0]
    pcode[np.asarray(place, dtype=object) == ""] = -1
    order = np.lexsort((t_ns, tcode))
    st, tt = tcode[order], t_ns[order]
    la, lo, pk = lat[order], lon[order], pcode[order]
    tol = np.int64(minutes * 60e9)
    active = np.arange(n - 1)
    pair_a: list[np.ndarray] = []
    pair_b: list[np.ndarray] = []
    k = 1
    while active.size:
        j = active + k
        inside = j < n
        active, j = active[inside], j[inside]
        near = (st[active] == st[j]) & (tt[j] - tt[active] <= tol)
        active, j = active[near], j[near]
        if not active.size:
            break
        both = ~np.isnan(la[active]) & ~np.isnan(la[j])
        dy = (la[j] - la[active]) * 110_574.0
        dx = (lo[j] - lo[active]) * 111_320.0 * np.cos(np.radians((la[j] + la[active]) / 2))
        close = np.where(
            both, np.hypot(dx, dy) <= metres, (pk[active] >= 0) & (pk[active] == pk[j])
        )
        pair_a.append(order[active[close]])
        pair_b.append(order[j[close]])
        k += 1
    a = np.concatenate(pair_a) if pair_a else np.empty(0, dtype=np.int64)
    b = np.concatenate(pair_b) if pair_b else np.empty(0, dtype=np.int64)
    return a, b


def _first_of_groups(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Group the pairs transitively; return each copy's first record, -1 for the first."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    first = np.full(labels.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n, dtype=np.int64))
    root = first[labels]
    return np.where(root == np.arange(n), -1, root)


def ledger_summary(recordset: RecordSet, lang: str = "id") -> pd.DataFrame:
    """Count rows read, accepted, rejected by reason, and notes, for a summary table.

    Parameters
    ----------
    recordset : RecordSet
        The result of :func:`~kamtibmas_geo.records.read_records` (or of geocode).
    lang : {"id", "en"}
        Language of the ``description`` column.

    Returns
    -------
    DataFrame
        Columns ``group`` (``input``, ``accepted``, ``rejected``, ``note``), ``code``,
        ``description`` and ``count``. ``input`` = ``accepted`` + ``rejected``.
    """
    rec, rej = recordset.records, recordset.rejected
    rows: list[tuple[str, str, str, int]] = []

    def add(group: str, code: str, key: str, count: int) -> None:
        rows.append((group, code, tr(MESSAGES, key, lang), int(count)))

    add("input", "rows_in", "sum_rows_in", len(rec) + len(rej))
    add("accepted", "records", "sum_records", len(rec))
    has_xy = rec["lat"].notna() if "lat" in rec else pd.Series(False, index=rec.index)
    add("accepted", "with_coordinates", "sum_with_coordinates", int(has_xy.sum()))
    add("accepted", "without_coordinates", "sum_without_coordinates", int((~has_xy).sum()))
    add("rejected", "rejected", "sum_rejected", len(rej))
    if len(rej):
        counts = rej["reason_code"].value_counts(sort=True)
        for code, count in counts.items():
            key = f"lbl_{code}" if f"lbl_{code}" in MESSAGES else "sum_rejected"
            add("rejected", str(code), key, int(count))

    def present(col: str) -> pd.Series:
        return rec[col].notna() if col in rec else pd.Series(False, index=rec.index)

    add("note", "duplicate", "sum_duplicate", int(present("duplicate_of").sum()))
    add("note", "type_unknown", "sum_type_unknown", int(present("type_warning").sum()))
    add("note", "coord_swapped", "sum_coord_swapped", int((present("coord_note") & has_xy).sum()))
    add("note", "coord_ignored", "sum_coord_ignored", int((present("coord_note") & ~has_xy).sum()))
    add("note", "time_invalid", "sum_time_invalid", int(present("time_note").sum()))
    add("note", "read_note", "sum_read_note", int(present("read_note").sum()))
    out = pd.DataFrame(rows, columns=["group", "code", "description", "count"])
    out.attrs["read"] = dict(rec.attrs.get("read") or rej.attrs.get("read") or {})
    return out


def encoding_label(recordset: RecordSet, lang: str = "id") -> str | None:
    """How the text file behind ``recordset`` was decoded, for a summary line.

    Parameters
    ----------
    recordset : RecordSet
        The result of :func:`~kamtibmas_geo.records.read_records`.
    lang : {"id", "en"}
        Language of the line.

    Returns
    -------
    str or None
        For instance ``"Pengodean berkas: UTF-16 LE (BOM)"``; None when the input was not
        a text file (a workbook, a GeoPackage, a DataFrame).

    Examples
    --------
    >>> import pandas as pd
    >>> from kamtibmas_geo.records._read import read_records
    >>> rs = read_records(pd.DataFrame({"tgl": ["1/2/2026"], "alamat": ["Jl. A"]}))
    >>> encoding_label(rs) is None
    True
    """
    read = recordset.records.attrs.get("read") or recordset.rejected.attrs.get("read") or {}
    label = read.get("encoding_label")
    if not label:
        return None
    return f"{tr(MESSAGES, 'sum_encoding', lang)}: {label}"


def sanitize_for_export(df: pd.DataFrame) -> pd.DataFrame:
    r"""Return a copy whose text cells cannot run as spreadsheet formulas.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return (CSV/formula
    injection, OWASP) gets a leading ``'`` so Excel and LibreOffice show it as text;
    plain numbers written as text (``"-2.97"``) are left alone. The same holds after a
    ``,``, ``;``, tab or line break inside the text. Numbers, dates and geometries are
    untouched; the input is not changed. Files written by the library already go through
    this rule (:func:`kamtibmas_geo._tables.write_table`).

    Parameters
    ----------
    df : DataFrame
        Records or rejected rows about to be written to CSV/XLSX.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": ['=HYPERLINK("http://x","y")', "-2.9", "@SUM(A1)", "ok"]})
    >>> sanitize_for_export(df)["a"].tolist()
    ['\'=HYPERLINK("http://x","y")', '-2.9', "'@SUM(A1)", 'ok']
    """
    from kamtibmas_geo._tables import neutralise_frame

    return neutralise_frame(df)
