"""Tests of kamtibmas_geo.records._read: readers, aliases, the ledger, duplicates, taxonomy."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import random
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from kamtibmas_geo._errors import KamtibmasGeoError, RecordError
from kamtibmas_geo.records._ledger import REASON_CODES, find_duplicates
from kamtibmas_geo.records._read import (
    RECORD_COLUMNS,
    REJECTED_COLUMNS,
    ledger_summary,
    load_taxonomy,
    read_records,
    sanitize_for_export,
)

BASE = {
    "tanggal": ["10/02/2026", "11/02/2026", "12/02/2026"],
    "jam": ["21.30", "03.15", "17.45"],
    "jenis": ["balapan liar", "mercon", "macet"],
    "alamat": ["Jl. Sudirman", "Pasar 16 Ilir", "Jl. Merdeka"],
    "lintang": ["-2.9761", "-2.9900", "-3.0012"],
    "bujur": ["104.7451", "104.7600", "104.7700"],
}


def _frame(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {k: list(v) for k, v in BASE.items()}
    data.update(overrides)
    return pd.DataFrame(data)


def _balanced(rs: object, n: int) -> None:
    records, rejected = rs.records, rs.rejected  # type: ignore[attr-defined]
    assert len(records) + len(rejected) == n
    rows = sorted([*records["row"].tolist(), *rejected["row"].tolist()])
    assert rows == sorted(set(rows))
    assert list(rejected.columns) == list(REJECTED_COLUMNS)


# ---------------------------------------------------------------- model and aliases
def test_columns_types_and_times() -> None:
    rs = read_records(_frame())
    rec = rs.records
    assert list(rec.columns[: len(RECORD_COLUMNS)]) == list(RECORD_COLUMNS)
    assert rec.columns[-1] == "geometry"
    assert rec.crs.to_epsg() == 4326
    assert list(rec["type"]) == ["balap_liar", "petasan", "kemacetan"]
    assert list(rec["row"]) == [2, 3, 4]
    assert list(rec["record_id"]) == ["dataframe:2", "dataframe:3", "dataframe:4"]
    assert str(rec["time"].dtype) == "datetime64[ns, Asia/Jakarta]"
    assert rec["time"].iloc[0] == pd.Timestamp("2026-02-10 21:30", tz="Asia/Jakarta")
    assert rec["time_known"].all()
    assert rec["severity"].tolist() == [1.5, 1.0, 0.5]
    assert rec.geometry.iloc[0].equals(Point(104.7451, -2.9761))
    assert rs.rejected.empty


@pytest.mark.parametrize(
    ("names", "extra"),
    [
        (["Lintang", "Bujur", "Tanggal", "Jam", "Jenis", "Alamat"], {}),
        (["LAT", "LON", "TGL", "Pukul", "Kategori", "TKP"], {}),
        (["latitude", "longitude", "date", "time", "type", "lokasi"], {}),
        (["y", "x", "Waktu", "JAM ", "Jenis Kejadian", "Tempat Kejadian"], {}),
        (["Lintang (LS)", "Bujur (BT)", "Hari/Tanggal", "jam", "jenis", "alamat tkp"], {}),
        (["lat", "lng", "tanggal", "jam", "JENIS", "Alamat"], {"Kec.": "Ilir Timur I"}),
    ],
)
def test_column_aliases(names: list[str], extra: dict[str, str]) -> None:
    order = ["lintang", "bujur", "tanggal", "jam", "jenis", "alamat"]
    frame = pd.DataFrame({n: BASE[k] for n, k in zip(names, order, strict=True)})
    for k, v in extra.items():
        frame[k] = v
    rs = read_records(frame)
    assert len(rs.records) == 3
    assert rs.records["lat"].tolist() == pytest.approx([-2.9761, -2.99, -3.0012])
    assert rs.records["address"].iloc[1] == "Pasar 16 Ilir"
    assert rs.records["time"].dt.hour.tolist() == [21, 3, 17]
    if extra:
        assert rs.records["kecamatan"].iloc[0] == "Ilir Timur I"


def test_other_columns_kept_and_input_untouched() -> None:
    frame = _frame(**{"Pelapor": ["a", "b", "c"], "row": [9, 9, 9]})
    before = frame.copy()
    rs = read_records(frame, lang="en")
    pd.testing.assert_frame_equal(frame, before)
    assert rs.records["Pelapor"].tolist() == ["a", "b", "c"]
    assert rs.records["row_input"].tolist() == [9, 9, 9]
    assert rs.records["row"].tolist() == [2, 3, 4]


def test_single_koordinat_column() -> None:
    frame = _frame(lintang=[None] * 3, bujur=[None] * 3)
    frame = frame.drop(columns=["lintang", "bujur"])
    frame["Koordinat"] = ["-2,976, 104,745", "-2,976;104,745", "S 2.99 E 104.75"]
    rec = read_records(frame).records
    assert rec["lat"].tolist() == pytest.approx([-2.976, -2.976, -2.99])
    assert rec["lon"].tolist() == pytest.approx([104.745, 104.745, 104.75])


def test_swapped_coordinates_fixed_with_note() -> None:
    rec = read_records(
        _frame(lintang=["104.7451", "-2.99", "-3.0"], bujur=["-2.9761", "104.76", "104.77"])
    ).records
    assert rec["lat"].iloc[0] == pytest.approx(-2.9761)
    assert rec["lon"].iloc[0] == pytest.approx(104.7451)
    assert "tertukar" in rec["coord_note"].iloc[0]
    assert rec["coord_note"].iloc[1:].isna().all()


def test_bad_coordinates_kept_when_address_rejected_otherwise() -> None:
    frame = _frame(
        lintang=["0", "abc", "-95.5"],
        bujur=["0", "104.7", "200"],
        alamat=["Jl. Sudirman", None, ""],
    )
    rs = read_records(frame)
    assert len(rs.records) == 1
    assert np.isnan(rs.records["lat"].iloc[0])
    assert rs.records.geometry.iloc[0] is None
    assert "0,0" in rs.records["coord_note"].iloc[0]
    rej = rs.rejected.set_index("row")
    assert rej.loc[3, "reason_code"] == "coord_unparsed"
    assert rej.loc[3, "column"] == "lintang/bujur"
    assert rej.loc[3, "value"] == "abc; 104.7"
    assert rej.loc[4, "reason_code"] == "coord_out_of_range"


def test_no_location_rejected() -> None:
    frame = _frame(lintang=["", "", "-3"], bujur=["", "", "104.8"], alamat=["", "Jl. X", None])
    rs = read_records(frame)
    assert rs.rejected["reason_code"].tolist() == ["no_location"]
    assert rs.rejected["row"].tolist() == [2]
    assert rs.records["lat"].isna().tolist() == [True, False]


def test_dates_indonesian_months_and_excel_serials() -> None:
    frame = _frame(
        tanggal=["10 Februari 2026", "Selasa, 10/2/2026", 46063],
        jam=[None, "pukul 21.30", None],
    )
    rec = read_records(frame).records
    assert rec["time"].dt.date.astype(str).tolist() == ["2026-02-10"] * 3
    assert rec["time_known"].tolist() == [False, True, False]
    frame = _frame(tanggal=["10 Agt 2025", "1 Ags 2025", "31/02/2026"], jam=["25.99", None, None])
    rs = read_records(frame, lang="en")
    assert rs.records["time"].dt.month.tolist() == [8, 8]
    assert "cannot be read" in rs.records["time_note"].iloc[0]
    assert rs.rejected["reason_code"].tolist() == ["date_impossible"]
    assert "does not exist" in rs.rejected["reason"].iloc[0]


def test_unknown_and_empty_types_go_to_lainnya() -> None:
    rec = read_records(_frame(jenis=["hewan lepas", None, "Ops Pekat"])).records
    assert rec["type"].tolist() == ["lainnya", "lainnya", "lainnya"]
    assert "hewan lepas" in rec["type_warning"].iloc[0]
    assert "kosong" in rec["type_warning"].iloc[1]
    act = read_records(_frame(jenis=["Sambang", "Poskamling aktif", "Ops Pekat"]), "activity")
    assert act.records["type"].tolist() == ["sambang", "poskamling", "operasi"]
    assert act.records["type_warning"].isna().all()


def test_taxonomy_override_dict_and_toml(tmp_path: Path) -> None:
    spec = {"label_id": "Hewan lepas", "severity": 0.2, "synonyms": ["sapi lepas", "hewan lepas"]}
    custom = {"disturbance": {"hewan_lepas": spec}}
    rec = read_records(_frame(jenis=["Sapi lepas", "mercon", "x"]), taxonomy=custom).records
    assert rec["type"].tolist() == ["hewan_lepas", "petasan", "lainnya"]
    assert rec["severity"].iloc[0] == 0.2
    path = tmp_path / "tax.toml"
    path.write_text('[disturbance.petasan]\nseverity = 4.0\nsynonyms = ["dor dor"]\n')
    tax = load_taxonomy(path)
    assert tax.info("disturbance", "petasan").severity == 4.0
    assert tax.classify("dor dor", "disturbance") == ("petasan", True)
    assert tax.classify("mercon", "disturbance") == ("petasan", True)
    assert tax.info("disturbance", "petasan").colour.startswith("#")
    path.write_text('[disturbance.petasan]\npeak_windows = ["pagi"]\n')
    with pytest.raises(RecordError, match="peak_windows"):
        load_taxonomy(path)
    with pytest.raises(RecordError, match="lainnya"):
        load_taxonomy({"activity": {"x": {}}}, replace=True)


def test_builtin_taxonomy_is_complete() -> None:
    tax = load_taxonomy()
    assert tax.keys("disturbance") == [
        "petasan", "balap_liar", "pencurian", "curanmor", "penipuan", "konflik_sosial",
        "tawuran", "miras", "judi", "kecelakaan", "kemacetan", "lainnya",
    ]  # fmt: skip
    assert tax.keys("activity") == [
        "sambang", "sosialisasi", "patroli", "imbauan", "pengamanan", "poskamling", "operasi",
        "lainnya",
    ]  # fmt: skip
    cases = {
        "kembang api": "petasan", "trek-trekan": "balap_liar", "pencurian sepeda motor": "curanmor",
        "ranmor": "curanmor", "maling": "pencurian", "curas": "pencurian", "curat": "pencurian",
        "penipuan online": "penipuan", "tawuran pelajar": "tawuran", "bentrok": "konflik_sosial",
        "laka lantas": "kecelakaan", "lakalantas": "kecelakaan", "minuman keras": "miras",
        "judi online": "judi", "sabung ayam": "judi", "macet": "kemacetan",
        "KECELAKAN LALU LINTAS": "kecelakaan",
    }  # fmt: skip
    for raw, key in cases.items():
        assert tax.classify(raw, "disturbance") == (key, True), raw
    assert tax.info("disturbance", "balap_liar").peak_windows[:2] == ("sahur", "subuh")


# ---------------------------------------------------------------- duplicates
def test_duplicates_flagged_not_removed() -> None:
    frame = pd.DataFrame(
        {
            "tanggal": ["10/02/2026"] * 5 + ["11/02/2026"],
            "jam": ["21.30", "21.50", "21.40", "21.45", "23.30", "21.30"],
            "jenis": ["balap liar", "balapan liar", "petasan"] + ["balap liar"] * 3,
            "lintang": ["-2.9761", "-2.9765", "-2.9761", "-2.9900", "-2.9761", "-2.9761"],
            "bujur": ["104.7451", "104.7452", "104.7451", "104.7451", "104.7451", "104.7451"],
        }
    )  # fmt: skip
    rs = read_records(frame)
    assert rs.records["duplicate_of"].fillna("").tolist() == [
        "", "dataframe:2", "", "", "", "",
    ]  # fmt: skip
    summary = ledger_summary(rs)
    assert summary.set_index("code").loc["duplicate", "count"] == 1
    by_address = pd.DataFrame(
        {"tanggal": ["10/02/2026"] * 3, "jam": ["21.30", "21.35", "21.40"],
         "jenis": ["mercon"] * 3, "alamat": ["Jl. Sudirman No. 5", "jl sudirman no 5", "Jl. Lain"]}
    )  # fmt: skip
    dup = read_records(by_address).records["duplicate_of"].fillna("").tolist()
    assert dup == ["", "dataframe:2", ""]


def test_find_duplicates_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    n = 400
    types = rng.choice(["a", "b"], n).astype(object)
    t = (rng.integers(0, 6 * 60, n) * 60e9).astype(np.int64)
    lat = -2.97 + rng.normal(0, 0.001, n)
    lon = 104.74 + rng.normal(0, 0.001, n)
    place = np.array([""] * n, dtype=object)
    got = find_duplicates(types, t, lat, lon, place, minutes=30, metres=100)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            dy = (lat[j] - lat[i]) * 110_574.0
            dx = (lon[j] - lon[i]) * 111_320.0 * np.cos(np.radians((lat[i] + lat[j]) / 2))
            if types[i] == types[j] and abs(t[i] - t[j]) <= 30 * 60e9 and np.hypot(dx, dy) <= 100:
                ri, rj = root(i), root(j)
                parent[max(ri, rj)] = min(ri, rj)
    want = np.array([root(i) for i in range(n)])
    want = np.where(want == np.arange(n), -1, want)
    assert (got == want).all()
    assert (got >= 0).sum() > 10


# ---------------------------------------------------------------- files
def test_csv_delimiters_encodings_title_rows(tmp_path: Path) -> None:
    text = (
        "LAPORAN GANGGUAN KAMTIBMAS POLSEK KAYUAGUNG\n\n"
        "No;Tanggal;Jam;Jenis Kejadian;Alamat;Desa/Kelurahan;Kec.;Lintang;Bujur\n"
        "1;10/02/2026;21.30 WIB;Balapan liar;Jl. Lintas Timur;Kutaraya;Kayuagung;-3,39;104,83\n"
        "2;10 Pebruari 2026;;Pencurian ternak;Dusun II;Celikah;Kayuagung;3° 23' LS;104° 50' BT\n"
    )
    for enc, name in [("utf-8", "a.csv"), ("utf-8-sig", "b.csv"), ("cp1252", "c.csv")]:
        path = tmp_path / name
        path.write_bytes(text.replace("Jl.", "Jl. Café").encode(enc))
        rs = read_records(path)
        assert rs.records["row"].tolist() == [4, 5], enc
        assert rs.records["lat"].tolist() == pytest.approx([-3.39, -(3 + 23 / 60)])
        assert rs.records["address"].iloc[0] == "Jl. Café Lintas Timur"
        assert rs.records["type"].tolist() == ["balap_liar", "pencurian"]
        assert rs.records["source"].iloc[0] == name
    comma = tmp_path / "comma.csv"
    comma.write_text(
        "tanggal,jenis,lat,lon\n2026-02-10,petasan,-2.9,104.7\n2026-02-10,petasan,-2,9,104.7\n"
    )
    rs = read_records(comma)
    _balanced(rs, 2)
    assert rs.rejected["reason_code"].tolist() == ["wrong_field_count"]
    assert rs.rejected["row"].tolist() == [3]
    assert "-2;9" in rs.rejected["value"].iloc[0] or "-2,9" in rs.rejected["value"].iloc[0]


def test_xlsx_with_cells_formulas_and_sheets(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    first.title = "Ringkasan"
    first.append(["tidak ada data di sini"])
    ws = book.create_sheet("Data")
    ws.append(["Tanggal", "Jam", "Jenis", "Alamat", "Lintang", "Bujur"])
    ws.append([dt.datetime(2026, 2, 10, 21, 30), None, "mercon", "Jl. A", -2.97, 104.74])
    ws.append([46063, dt.time(3, 15), "trek-trekan", "Jl. B", "-2,98", "104,75"])
    ws.append([dt.date(2026, 2, 11), "22.00", '=HYPERLINK("http://x","y")', "=1+1", None, None])
    ws.append(["31/02/2026", None, "petasan", "Jl. C", -2.9, 104.7])
    path = tmp_path / "lap.xlsx"
    book.save(path)
    rs = read_records(path, sheet="Data")
    _balanced(rs, 4)
    rec = rs.records
    assert rec["time"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2026-02-10 21:30", "2026-02-10 03:15", "2026-02-11 22:00",
    ]  # fmt: skip
    assert rec["type"].tolist() == ["petasan", "balap_liar", "lainnya"]
    assert rec["type_raw"].iloc[2] == '=HYPERLINK("http://x","y")'
    assert rec["address"].iloc[2] == "=1+1"
    assert rs.rejected["row"].tolist() == [5]
    assert read_records(path, sheet=1).records.shape == rec.shape
    with pytest.raises(RecordError, match="lembar 'Gangguan'"):
        read_records(path, sheet="Gangguan")
    safe = sanitize_for_export(rec)
    assert safe["type_raw"].iloc[2].startswith("'=")
    assert safe["address"].iloc[2] == "'=1+1"
    assert rec["address"].iloc[2] == "=1+1"


def test_geo_formats(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"tanggal": ["2026-02-10", "2026-02-11"], "jenis": ["tawuran", "judi online"]},
        geometry=[Point(104.74, -2.97), None],
        crs="EPSG:4326",
    )
    for name in ["a.geojson", "a.gpkg", "a.parquet"]:
        path = tmp_path / name
        if name.endswith(".parquet"):
            gdf.to_parquet(path)
        else:
            gdf.to_file(path)
        rs = read_records(path)
        _balanced(rs, 2)
        assert rs.records["lat"].tolist() == pytest.approx([-2.97])
        assert rs.rejected["reason_code"].tolist() == ["geometry_empty"]
        assert rs.rejected["column"].tolist() == ["geometry"]
    rs = read_records(gdf.to_crs(32748))
    assert rs.records["lon"].iloc[0] == pytest.approx(104.74)


def test_whole_file_errors(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="tidak ada"):
        read_records(tmp_path / "nope.csv")
    bad = tmp_path / "a.xls"
    bad.write_bytes(b"x")
    with pytest.raises(RecordError, match=r"\.xlsx"):
        read_records(bad)
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(RecordError, match="kosong"):
        read_records(empty)
    with pytest.raises(RecordError, match="tanggal"):
        read_records(pd.DataFrame({"a": [1], "b": [2]}))
    with pytest.raises(RecordError, match="lokasi"):
        read_records(pd.DataFrame({"tanggal": ["2026-01-01"], "jenis": ["x"]}))
    with pytest.raises(RecordError, match="text_column"):
        read_records(_frame(), text_column="lokasi_kejadian")
    with pytest.raises(KamtibmasGeoError):
        read_records(_frame(), kind="incident")  # type: ignore[arg-type]


def test_text_column_and_summary_english() -> None:
    frame = _frame(lintang=[""] * 3, bujur=[""] * 3).rename(columns={"alamat": "Lok. Kejadian X"})
    rs = read_records(frame, text_column="lok kejadian x")
    assert rs.records["address"].tolist() == BASE["alamat"]
    summary = ledger_summary(rs, lang="en").set_index("code")
    assert summary.loc["rows_in", "count"] == 3
    assert summary.loc["without_coordinates", "count"] == 3
    assert summary.loc["records", "description"] == "Records accepted"


# ---------------------------------------------------------------- the fuzzed file
GOOD = {
    "Tanggal": ["10/02/2026", "2026-02-10", "10 Februari 2026", "Selasa, 10/2/2026", "45698"],
    "Jam": ["21.30", "21:30 WIB", "pukul 03.15", ""],
    "Jenis": ["balap liar", "mercon", "curanmor", "judi online", "laka lantas", "sambang"],
    "Alamat": ["Jl. Sudirman", "Pasar 16 Ilir", "Dusun III", ""],
    "Desa": ["Sukarami", "Kutaraya", ""],
    "Lintang": ["-2.9761", "-2,9761", "2° 59' 34\" LS", "104.7451"],
    "Bujur": ["104.7451", "104,7451", "104°45'BT", "-2.9761"],
}
NASTY = [
    "",
    " ",
    None,
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "-",
    "abc\x00def",
    "x" * 5000,
    "9" * 400,
    "1e309",
    "-inf",
    "NaN",
    "null",
    "#N/A",
    "0",
    "00/00/0000",
    "31/02/2026",
    "1899-12-31",
    "25.99",
    "¿¡ñ€漢字🙂",
    "\u202e\u200b",
    "'; DROP TABLE x;--",
    "1,2,3,4",
    "-2,976, 104,745",
    "\t",
    "line\nbreak",
    '"quoted"',
    10**30,
    -1.5e308,
    3.7,
    "<<BAD>>",
]


def _fuzz_rows(
    n: int, seed: int, columns: tuple[str, ...] = tuple(GOOD)
) -> tuple[list[str], list[list[object]]]:
    rnd = random.Random(seed)
    header = list(columns)
    rows = []
    for _ in range(n):
        row: list[object] = []
        for col in header:
            r = rnd.random()
            row.append(rnd.choice(GOOD[col]) if r < 0.6 else rnd.choice(NASTY))
        rows.append(row)
    rows[-1] = [GOOD[c][0] for c in header]  # a trailing empty row would not be a data row
    return header, rows


def _check_fuzz(rs: object, n: int) -> None:
    _balanced(rs, n)
    rej = rs.rejected  # type: ignore[attr-defined]
    rec = rs.records  # type: ignore[attr-defined]
    assert rej["row"].between(2, n + 1).all()
    assert rej["column"].notna().all()
    assert (rej["column"].str.len() > 0).all()
    assert rej["value"].notna().all()
    assert (rej["value"].str.len() <= 200).all()
    assert set(rej["reason_code"]) <= set(REASON_CODES)
    assert rej["reason"].notna().all()
    needs_value = ~rej["reason_code"].isin(
        ["date_missing", "no_location", "empty_row", "geometry_empty"]
    )
    assert (rej.loc[needs_value, "value"].str.len() > 0).all()
    assert len(rec) > n * 0.2
    assert len(rej) > n * 0.2
    assert rec["lat"].dropna().between(-90, 90).all()
    assert rec["time"].notna().all()
    assert rec["type"].isin(load_taxonomy().keys("disturbance")).all()


def test_fuzzed_csv_ledger_balances(tmp_path: Path) -> None:
    n = 10_000
    header, rows = _fuzz_rows(n, seed=3)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    data = buf.getvalue().encode("utf-8").replace(b"<<BAD>>", b"\xff\xfe\xc3(")
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    rs = read_records(path)
    _check_fuzz(rs, n)
    assert (rs.records["type_raw"] == '=HYPERLINK("http://x","y")').any()


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("cp1252", b""),
    ],
)
def test_fuzzed_csv_every_encoding_balances(tmp_path: Path, encoding: str, bom: bytes) -> None:
    n = 10_000
    header, rows = _fuzz_rows(n, seed=6)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "fuzz.csv"
    path.write_bytes(bom + buf.getvalue().encode(encoding, errors="replace"))
    rs = read_records(path)
    _check_fuzz(rs, n)
    assert rs.records.attrs["read"]["encoding"] == encoding
    assert rs.records.attrs["read"]["bytes_replaced"] == 0
    dms = np.isclose(rs.records["lat"], -(2 + 59 / 60 + 34 / 3600), atol=1e-6)
    assert dms.sum() > n * 0.03  # "2° 59' 34\" LS" read: the degree sign survived


def test_fuzzed_csv_with_stray_quotes_balances(tmp_path: Path) -> None:
    n = 10_000
    header, rows = _fuzz_rows(n, seed=7)
    rnd = random.Random(8)
    lines = [";".join(header)]
    stray: set[int] = set()
    for i, row in enumerate(rows):
        cells = []
        for v in row:
            text = "" if v is None else str(v).replace("\n", " ")  # no real line breaks here
            buf = io.StringIO()
            csv.writer(buf, delimiter=";", lineterminator="").writerow([text])
            cells.append(buf.getvalue())
        if rnd.random() < 0.01:
            plain = [j for j, c in enumerate(cells) if not c.startswith('"')]
            if plain:
                j = rnd.choice(plain)
                cells[j] = '"' + cells[j]
                stray.add(i + 2)
        lines.append(";".join(cells))
    path = tmp_path / "fuzz_kutip.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    rs = read_records(path)
    _check_fuzz(rs, n)  # every line is one row: nothing merged, nothing lost
    rec, rej = rs.records, rs.rejected
    assert len(stray) > 50
    noted = set(rec.loc[rec["read_note"].notna(), "row"])
    assert stray <= noted | set(rej["row"])
    assert len(noted) > len(stray)  # the rows swallowed after each stray quote are named too


def test_fuzzed_xlsx_ledger_balances(tmp_path: Path) -> None:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    n = 10_000
    # openpyxl spends ~0.1 ms per cell each way: five columns keep this test near 5 s
    header, rows = _fuzz_rows(n, seed=4, columns=("Tanggal", "Jenis", "Alamat", "Lintang", "Bujur"))
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Gangguan"
    ws.append(header)
    cellrnd = random.Random(5)
    for row in rows:
        out: list[object] = []
        for v in row:
            if isinstance(v, str):
                v = ILLEGAL_CHARACTERS_RE.sub("", v)
            if cellrnd.random() < 0.05:
                v = dt.datetime(2026, 2, 10, cellrnd.randrange(24), 30)
            out.append(v)
        ws.append(out)
    path = tmp_path / "fuzz.xlsx"
    book.save(path)
    rs = read_records(path, sheet="Gangguan")
    _check_fuzz(rs, n)


def test_xlsx_two_row_header_group_title_typed_in_one_cell(tmp_path: Path) -> None:
    """A group title typed in one cell over blanks (no merge) is read like a merged one."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["LAPORAN GANGGUAN"])
    ws.append(["Waktu", None, "Jenis", "Alamat", "Lintang", "Bujur"])
    ws.append(["Tanggal", "Pukul", None, None, None, None])
    ws.append(["10/02/2026", "21.30", "mercon", "Jl. A", -2.97, 104.74])
    ws.append(["11/02/2026", "03.15", "trek-trekan", "Jl. B", -2.98, 104.75])
    path = tmp_path / "dua_baris.xlsx"
    book.save(path)
    rs = read_records(path)
    _balanced(rs, 2)
    assert rs.records["row"].tolist() == [4, 5]
    assert rs.records.attrs["read"]["header_row"] == 3
    assert rs.records["time"].dt.strftime("%d %H:%M").tolist() == ["10 21:30", "11 03:15"]


def test_xlsx_first_data_row_is_not_a_second_header(tmp_path: Path) -> None:
    """A report whose words are column names ("jam", "lokasi") stays a report."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Tanggal", "Jam", "Jenis", "Alamat", None])
    ws.append(["10/02/2026", "21.30", "kegiatan", "lokasi", "jam"])
    ws.append(["11/02/2026", "03.15", "mercon", "Jl. B", None])
    path = tmp_path / "satu_baris.xlsx"
    book.save(path)
    rs = read_records(path)
    _balanced(rs, 2)
    assert rs.records.attrs["read"]["header_row"] == 1
    assert rs.records["row"].tolist() == [2, 3]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_ledger_labels_the_geocoders_reasons(lang: str) -> None:
    """Every reason the geocoder gives has its own label, not the generic 'rows rejected'."""
    from kamtibmas_geo.geocode._geocode import MESSAGES as GEOCODE

    codes = ["ambiguous", "no_place", "outside", "kabupaten_only", "out_of_area", "invalid",
             "bad_correction"]  # fmt: skip
    assert set(codes) <= set(GEOCODE)  # the geocoder's own reason codes
    rs = read_records(_frame())
    rejected = pd.DataFrame({c: [None] * len(codes) for c in REJECTED_COLUMNS})
    rejected["reason_code"] = codes
    summary = ledger_summary(rs._replace(rejected=rejected), lang=lang).set_index("code")
    generic = summary.loc["rejected", "description"]
    labels = summary.loc[codes, "description"]
    assert (labels != generic).all(), labels[labels == generic]
    assert labels.is_unique
    assert summary.loc["outside", "description"] == (
        "Alamat di luar wilayah" if lang == "id" else "Address outside the region"
    )


@pytest.mark.parametrize(
    ("typed", "id_name", "en_name"),
    [("tanggal", "tanggal", "date"), ("waktu", "jam", "time"), ("tkp", "alamat", "address")],
)
def test_columns_error_names_the_field_as_people_write_it(
    typed: str, id_name: str, en_name: str
) -> None:
    """``--columns waktu=...`` on a missing column: the field as typed in ``--columns``."""
    from kamtibmas_geo.records import parse_columns

    given = parse_columns(f'{typed}="Kolom Hilang"')
    with pytest.raises(RecordError) as caught:
        read_records(_frame(), columns=given)
    assert str(caught.value).startswith(f"--columns {id_name}='Kolom Hilang': kolom itu")
    assert caught.value.text("en").startswith(f"--columns {en_name}='Kolom Hilang': ")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("id", ["tidak cocok: Alamat di luar wilayah", "tidak sah: Baris kosong"]),
        ("en", ["unmatched: Address outside the region", "invalid: Empty row"]),
    ],
)
def test_geocode_summary_names_reasons_in_words(lang: str, words: list[str]) -> None:
    """The printed summary of ``geocode`` gives each rejection reason in the command's language."""
    from types import SimpleNamespace

    from rich.console import Console

    from kamtibmas_geo.cli._geocode import _summary

    records = pd.DataFrame(
        {"geocode_status": ["matched"], "coord_mismatch": [False], "region_level": ["desa"]}
    )
    rejected = pd.DataFrame(
        {
            "reason_code": ["outside", "empty_row", "kabupaten_only", "date_missing"],
            "geocode_status": ["unmatched", None, "unmatched", "invalid"],
        }
    )
    console = Console(width=120, record=True)
    console.print(_summary(SimpleNamespace(records=records, rejected=rejected), 5, lang))  # type: ignore[arg-type]
    text = console.export_text()
    for line in words:
        assert line in text
    for code in rejected["reason_code"]:
        assert f": {code} " not in text  # no code where staff read words
