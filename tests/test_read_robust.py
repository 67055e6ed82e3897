"""Lossless reading: one encoding per file, one row per line, merged cells, odd geometries."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import random
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamtibmas_geo.records._csv_lines import count_lines, parse_delimited, split_lines
from kamtibmas_geo.records._encoding import decode_bytes
from kamtibmas_geo.records._ledger import encoding_label
from kamtibmas_geo.records._read import ledger_summary, read_records

DMS_TEXT = (
    "No;Tanggal;Jenis;Alamat;Lintang;Bujur\n"
    "1;10/02/2026;Balapan liar;Jl. Café Lintas Timur;3° 23' LS;104° 50' BT\n"
    "2;11/02/2026;Pencurian ternak;Dusun II Ñ;2°59'34\" LS;104°45' BT\n"
    "3;12/02/2026;petasan;Pasar 16 Ilir;-2,9761;104,7451\n"
)


def _balanced(rs: object, n: int) -> None:
    records, rejected = rs.records, rs.rejected  # type: ignore[attr-defined]
    assert len(records) + len(rejected) == n
    assert records.attrs["rows_in"] == n
    rows = sorted([*records["row"].tolist(), *rejected["row"].tolist()])
    assert rows == list(range(rows[0], rows[0] + n))


# ---------------------------------------------------------------- one encoding per file
@pytest.mark.parametrize(
    ("encoding", "bom", "expect"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
        ("utf-32-le", codecs.BOM_UTF32_LE, "utf-32-le"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_decode_bytes_each_encoding(encoding: str, bom: bytes, expect: str) -> None:
    decoded = decode_bytes(bom + DMS_TEXT.encode(encoding))
    assert decoded.encoding == expect
    assert decoded.bom == bool(bom)
    assert decoded.text == DMS_TEXT
    assert decoded.replaced == 0


def test_decode_bytes_cp1252_is_total_and_lossless() -> None:
    data = bytes(range(256))
    decoded = decode_bytes(data)
    assert decoded.encoding == "cp1252"
    assert len(decoded.text) == 256
    assert decoded.text[0xB0] == "°"
    assert decoded.text[0x80] == "€"
    assert decoded.text[0x81] == "\x81"  # undefined in cp1252: kept as Windows does


def test_decode_bytes_majority_decides_and_never_mixes() -> None:
    # a cp1252 file in which one cell happens to be valid UTF-8 stays cp1252 throughout
    cp = ("3° LS\n" * 50).encode("cp1252") + "CafÃ©\n".encode("cp1252")
    got = decode_bytes(cp)
    assert got.encoding == "cp1252"
    assert got.text.count("°") == 50
    assert "CafÃ©" in got.text
    # a UTF-8 file with one broken byte stays UTF-8, the byte replaced and counted
    u8 = ("3° LS Café\n" * 50).encode("utf-8") + b"Jl. \xff\n"
    got = decode_bytes(u8)
    assert got.encoding == "utf-8"
    assert got.text.count("°") == 50
    assert got.replaced == 1
    assert got.text.endswith("Jl. \ufffd\n")


@pytest.mark.parametrize(
    ("encoding", "bom", "label"),
    [
        ("utf-8", b"", "UTF-8"),
        ("utf-8", codecs.BOM_UTF8, "UTF-8 (BOM)"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16 LE (BOM)"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16 BE (BOM)"),
        ("utf-16-le", b"", "UTF-16 LE"),
        ("cp1252", b"", "Windows-1252 (cp1252)"),
    ],
)
def test_read_records_every_encoding_same_result(
    tmp_path: Path, encoding: str, bom: bytes, label: str
) -> None:
    path = tmp_path / "laporan.csv"
    path.write_bytes(bom + DMS_TEXT.replace("\n", "\r\n").encode(encoding))
    rs = read_records(path)
    _balanced(rs, 3)
    rec = rs.records
    assert rec["row"].tolist() == [2, 3, 4]
    assert rec["No"].tolist() == ["1", "2", "3"]
    assert rec["address"].tolist() == ["Jl. Café Lintas Timur", "Dusun II Ñ", "Pasar 16 Ilir"]
    assert rec["lat"].tolist() == pytest.approx([-(3 + 23 / 60), -2.992778, -2.9761], abs=1e-6)
    assert rec["lon"].tolist() == pytest.approx([104 + 50 / 60, 104.75, 104.7451], abs=1e-6)
    assert rec["read_note"].isna().all()
    read = rec.attrs["read"]
    assert read["encoding_label"] == label
    assert read["bom"] == bool(bom)
    assert read["delimiter"] == ";"
    assert rs.rejected.attrs["read"] == read
    assert encoding_label(rs) == f"Pengodean berkas: {label}"
    assert encoding_label(rs, "en") == f"File encoding: {label}"


def test_cp1252_file_with_one_utf8_looking_cell(tmp_path: Path) -> None:
    lines = ["Tanggal;Jenis;Koordinat"]
    lines += [
        f"{1 + i % 28:02d}/02/2026;mercon;2°59'{i % 60}\" LS, 104°45' BT" for i in range(1001)
    ]
    lines[500] = "10/02/2026;CafÃ© (mercon);2°59'34\" LS, 104°45' BT"
    path = tmp_path / "dms.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    rs = read_records(path)
    _balanced(rs, 1001)
    assert rs.rejected.empty  # before: all 1,001 rejected, every ° decoded as U+FFFD
    assert rs.records.attrs["read"]["encoding"] == "cp1252"
    assert rs.records["lat"].notna().all()
    assert rs.records.loc[rs.records["row"] == 501, "type_raw"].item() == "CafÃ© (mercon)"


def test_utf8_file_with_broken_bytes_notes_the_rows(tmp_path: Path) -> None:
    text = DMS_TEXT.replace("Pasar 16 Ilir", "Pasar <<BAD>> Ilir")
    path = tmp_path / "u8.csv"
    path.write_bytes(text.encode("utf-8").replace(b"<<BAD>>", b"\xff\xfe"))
    rs = read_records(path)
    _balanced(rs, 3)
    rec = rs.records.set_index("row")
    assert rec.loc[2, "address"] == "Jl. Café Lintas Timur"
    assert rec.loc[4, "address"] == "Pasar \ufffd\ufffd Ilir"
    assert rec["read_note"].notna().tolist() == [False, False, True]
    assert "UTF-8" in rec.loc[4, "read_note"]
    assert rs.records.attrs["read"]["bytes_replaced"] == 2


def _unicode_text_rows(n: int) -> list[str]:
    """Rows as Excel's "Unicode Text" writes them: tab separated, CRLF."""
    rnd = random.Random(11)
    # letters whose UTF-16 code units hold the bytes 0x0a or 0x0d (line ends if misread)
    letters = "ĊČഊ\u0d0a\u0a0dé°ñ漢 abc"
    rows = ["no\ttanggal\tjam\tjenis\talamat\tlintang\tbujur"]
    for i in range(1, n + 1):
        addr = "Jl. " + "".join(rnd.choice(letters) for _ in range(10))
        day = dt.date(2026, 1, 1) + dt.timedelta(days=i % 365)
        rows.append(
            f"{i}\t{day:%d/%m/%Y}\t{i % 24:02d}.{i % 60:02d}\tmercon\t{addr}\t"
            f"-2.{i % 9973:04d}\t104.{i % 7919:04d}"
        )
    return rows


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_unicode_text_10k_rows(tmp_path: Path, encoding: str) -> None:
    n = 10_000
    bom = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF16_BE
    path = tmp_path / "laporan.txt"
    path.write_bytes(bom + ("\r\n".join(_unicode_text_rows(n)) + "\r\n").encode(encoding))
    rs = read_records(path)
    _balanced(rs, n)
    rec = rs.records
    assert rs.rejected.empty
    assert rec.attrs["read"]["encoding"] == encoding
    assert rec.attrs["read"]["delimiter"] == "\t"
    assert rec["no"].astype(int).tolist() == (rec["row"] - 1).tolist()
    assert rec["address"].str.contains("\ufffd").sum() == 0
    assert ledger_summary(rs).set_index("code").loc["rows_in", "count"] == n


# ---------------------------------------------------------------- one row per line
def _quote_file(n: int, bad: dict[int, str]) -> str:
    lines = ["no;tanggal;jenis;alamat;lintang;bujur"]
    for i in range(1, n + 1):
        addr = bad.get(i, f"Jl. Nomor {i}")
        lines.append(f"{i};{1 + i % 28}/02/2026;mercon;{addr};-2.{i:04d};104.{i:04d}")
    return "\n".join(lines) + "\n"


def test_stray_quote_rows_read_again_and_named(tmp_path: Path) -> None:
    path = tmp_path / "kutip.csv"
    path.write_text(_quote_file(100, {50: '"Toko Maju'}), encoding="utf-8")
    rs = read_records(path)
    _balanced(rs, 100)  # before: 51 rows, the last 50 merged into one address
    rec = rs.records.set_index("row")
    assert rs.rejected.empty
    assert rec["no"].astype(int).tolist() == list(range(1, 101))
    assert rec.loc[51, "address"] == '"Toko Maju'
    assert rec.loc[52, "address"] == "Jl. Nomor 51"
    noted = rec.index[rec["read_note"].notna()].tolist()
    assert noted == list(range(51, 102))
    assert "baris 51 sampai 101" in rec.loc[51, "read_note"]
    summary = ledger_summary(rs).set_index("code")
    assert summary.loc["read_note", "count"] == 51
    en = read_records(path, lang="en").records.set_index("row")
    assert "merged rows 51 to 101" in en.loc[80, "read_note"]


def test_stray_quote_line_that_cannot_split_is_rejected_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "kutip.csv"
    path.write_text(_quote_file(100, {20: '"Toko; Maju'}), encoding="utf-8")
    rs = read_records(path)
    _balanced(rs, 100)
    rej = rs.rejected
    assert rej["row"].tolist() == [21]
    assert rej["reason_code"].tolist() == ["quote_unbalanced"]
    assert rej["value"].item().startswith('20;21/02/2026;mercon;"Toko; Maju')
    assert "baris 21 sampai 101" in rej["reason"].item()
    assert ledger_summary(rs).set_index("code").loc["quote_unbalanced", "count"] == 1


def test_two_stray_quotes_and_quote_at_end(tmp_path: Path) -> None:
    bad = {10: '"Warung Bu Sri', 30: 'Gang "Buntu"', 99: '"Ujung'}
    path = tmp_path / "kutip.csv"
    path.write_text(_quote_file(99, bad), encoding="utf-8")
    rs = read_records(path)
    _balanced(rs, 99)
    rec = rs.records.set_index("row")
    assert rec["no"].astype(int).tolist() == list(range(1, 100))
    assert rec.loc[100, "address"] == '"Ujung'
    assert rec.loc[100, "lat"] == pytest.approx(-2.0099)
    assert "menelan sisa barisnya" in rec.loc[100, "read_note"]
    assert rec.loc[31, "address"] == 'Gang "Buntu"'
    noted = rec.index[rec["read_note"].notna()].tolist()
    assert noted[0] == 11
    assert noted[-1] == 100


def test_real_line_breaks_in_cells_stay_one_row(tmp_path: Path) -> None:
    text = (
        "tanggal;alamat;keterangan;lintang;bujur\r\n"
        '10/02/2026;"Jl. A\r\nRT 2";"kata ""pelapor"";\nlanjut";-2.9;104.7\r\n'
        "11/02/2026;Jl. B;-;-2.8;104.6\r\n"
    )
    path = tmp_path / "multi.csv"
    path.write_bytes(text.encode("utf-8"))
    rs = read_records(path)
    _balanced(rs, 2)
    rec = rs.records
    assert rec["row"].tolist() == [2, 3]  # the row numbers Excel shows
    assert rec["address"].iloc[0] == "Jl. A\r\nRT 2"
    assert rec["keterangan"].iloc[0] == 'kata "pelapor";\nlanjut'
    assert rec["read_note"].isna().all()


def test_parse_delimited_counts_lines_like_a_person() -> None:
    text = "a;b\r\n1;2\r3;4\n\x0c5;6\u2028x\n"
    assert count_lines(text) == 4
    assert len(split_lines(text)) == 4
    frame, broken, notes = parse_delimited(text, ";", 0)
    assert frame["a"].tolist() == ["1", "3", "\x0c5"]
    assert frame["b"].tolist() == ["2", "4", "6\u2028x"]
    assert not broken
    assert not notes
    frame, broken, notes = parse_delimited('a;b;c\n1;"x\n2;y;z;w\n', ";", 0)
    assert frame.to_numpy().tolist() == [["1", '"x', ""], ["", "", ""]]
    assert list(notes) == [0]
    assert sorted(broken) == [1]
    assert broken[1] == ("quote_unbalanced", "2;y;z;w", (("first", 2), ("last", 3)))


# ---------------------------------------------------------------- Excel merged cells
def _set_dimension(path: Path, ref: str) -> None:
    """Rewrite the sheet's <dimension> record, as some exporting tools get it wrong."""
    with zipfile.ZipFile(path) as zin:
        items = {name: zin.read(name) for name in zin.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    items[sheet] = re.sub(
        rb'<dimension ref="[^"]+"', f'<dimension ref="{ref}"'.encode(), items[sheet]
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items.items():
            zout.writestr(name, data)


def test_merged_excel_cells_fill_down_and_across(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["LAPORAN GANGGUAN KAMTIBMAS", None, None, None, None])
    ws.append(["Tanggal", "Jenis", "Alamat", "Lintang", "Bujur"])
    ws.append([dt.datetime(2026, 2, 10), "mercon", "Jl. A", -2.97, 104.74])
    ws.append([None, "tawuran", "Jl. B", -2.98, 104.75])
    ws.append([dt.datetime(2026, 2, 11), "petasan", "Pasar 16 Ilir", None, None])
    ws.append([None, "balap liar", None, -2.99, 104.76])
    ws.merge_cells("A1:E1")  # the title across the sheet
    ws.merge_cells("A3:A4")  # one date for two reports
    ws.merge_cells("A5:A6")
    ws.merge_cells("C5:C6")  # one address for two reports
    path = tmp_path / "gabung.xlsx"
    book.save(path)
    rs = read_records(path)
    _balanced(rs, 4)
    assert rs.rejected.empty  # before: rows 4 and 6 rejected as "Tanggal kosong"
    rec = rs.records
    assert rec["row"].tolist() == [3, 4, 5, 6]
    assert rec["time"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-02-10", "2026-02-10", "2026-02-11", "2026-02-11",
    ]  # fmt: skip
    assert rec["address"].tolist()[2:] == ["Pasar 16 Ilir", "Pasar 16 Ilir"]
    assert rec.attrs["read"] == {
        "format": "xlsx",
        "sheet": "Sheet",
        "header_row": 2,
        "merged_ranges": 4,
        "rows_in": 4,
        "columns": {
            "lat": "Lintang", "lon": "Bujur", "date": "Tanggal", "address": "Alamat",
            "type": "Jenis",
        },
    }  # fmt: skip
    assert encoding_label(rs) is None


def test_excel_wrong_dimension_record_loses_no_row(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Tanggal", "Jenis", "Alamat"])
    for i in range(40):
        ws.append([f"{1 + i % 28}/02/2026", "mercon", f"Jl. {i}"])
    path = tmp_path / "dim.xlsx"
    book.save(path)
    _set_dimension(path, "A1:C2")
    rs = read_records(path)
    _balanced(rs, 40)
    assert rs.records["address"].iloc[-1] == "Jl. 39"


def test_merged_ranges_from_xml_scan_match_openpyxl(tmp_path: Path) -> None:
    import openpyxl

    from kamtibmas_geo.records._readers import _merged_ranges

    book = openpyxl.Workbook()
    ws = book.active
    for i in range(8):
        ws.append([f"a{i}", f"b{i}", f"c{i}", f"d{i}"])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B5:D6")
    path = tmp_path / "m.xlsx"
    book.save(path)
    fast = openpyxl.load_workbook(path, read_only=True)
    full = openpyxl.load_workbook(path)
    try:
        assert not hasattr(full.active, "_worksheet_path")  # takes the full-load branch
        got_fast = _merged_ranges(path, fast.active)
        got_full = _merged_ranges(path, full.active)
    finally:
        fast.close()
        full.close()
    assert got_fast == got_full == [(1, 2, 1, 3), (2, 5, 4, 6)]


# ---------------------------------------------------------------- GeoJSON geometries
def _feature(geometry: object, alamat: str | None = None) -> dict[str, object]:
    props = {"tanggal": "2026-02-10", "jenis": "tawuran", "alamat": alamat}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_geojson_multipoint_null_empty_and_polygon(tmp_path: Path) -> None:
    square = [[[104.7, -2.9], [104.8, -2.9], [104.8, -3.0], [104.7, -3.0], [104.7, -2.9]]]
    features = [
        _feature({"type": "Point", "coordinates": [104.74, -2.97]}),
        _feature(
            {
                "type": "MultiPoint",
                "coordinates": [[104.70, -2.90], [104.72, -2.95], [104.80, -3.00]],
            }
        ),
        _feature({"type": "MultiPoint", "coordinates": [[104.71, -2.91]]}),
        _feature(None),
        _feature({"type": "MultiPoint", "coordinates": []}),
        _feature({"type": "Polygon", "coordinates": square}),
        _feature(None, alamat="Jl. Sudirman"),
        _feature({"type": "Polygon", "coordinates": square}, alamat="Pasar 16 Ilir"),
    ]
    path = tmp_path / "kejadian.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    rs = read_records(path)
    _balanced(rs, 8)
    rec = rs.records.set_index("row")
    assert rec.loc[3, "lat"] == pytest.approx(-2.95)  # one of its own points, nearest the centre
    assert rec.loc[3, "lon"] == pytest.approx(104.72)
    assert "MultiPoint berisi 3 titik" in rec.loc[3, "read_note"]
    assert rec.loc[4, "lat"] == pytest.approx(-2.91)
    assert rec.loc[4, "read_note"] is pd.NA  # a one-point MultiPoint is just that point
    assert rec.loc[8, "address"] == "Jl. Sudirman"
    assert np.isnan(rec.loc[8, "lat"])
    assert rec.loc[8, "coord_note"] == "geometri kosong; lokasi dicari dari alamat"
    assert "Polygon" in rec.loc[9, "coord_note"]
    rej = rs.rejected.set_index("row")
    assert rej["reason_code"].to_dict() == {
        5: "geometry_empty",
        6: "geometry_empty",
        7: "geometry_type",
    }
    assert (rej["column"] == "geometry").all()
    assert rej.loc[7, "value"] == "Polygon"
    assert "bukan titik" in rej.loc[7, "reason"]
    summary = ledger_summary(rs, lang="en").set_index("code")
    assert summary.loc["geometry_empty", "description"] == "Empty geometry"
    assert summary.loc["read_note", "count"] == 1
    assert rs.records.attrs["read"]["format"] == "geo"
