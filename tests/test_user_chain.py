"""A Polsek clerk's workbook through the documented command chain, as a user runs it.

The workbook is made here, from code (no binary fixture), the way recaps arrive from a
Polsek: two title rows, a two-row merged header ("Waktu Kejadian" over "Hari/Tanggal" and
"Jam"), "Sabtu, 14-03-2026" dates, "21.30 WIB" times, misspelt kelurahan and kecamatan,
a "Koordinat" column with "-2.98, 104.75" in some rows, blank rows between pages, a
formula pasted in a note, a total row and the Kapolsek's signature block at the bottom.
The chain is the one of the README and ``docs/guide.md``: ``geocode`` → ``hotspots`` →
``map`` → ``poskamling`` → ``patrol``.
"""

from __future__ import annotations

import contextlib
import io
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest

from kamtibmas_geo.cli import main

HARI = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
#: Addresses as typed (several names misspelt) and the coordinate cell ("" = none).
PLACES = [
    ("Jl. Sudirman depan Pasar 16 Ilir, Kel. 16 Ilir, Kec. Bukit Kecil", ""),
    ("Pasar 16 Ilir Kel 16 Ilir Kec Bukitkecil", ""),
    ("Jl. Merdeka Kel. Talang Semut Kec. Bukit Kecil", ""),
    ("Jl. Mesjid Lama Kel. 17 Ilir Kec. IT I", ""),
    ("Jl. Kol. Atmo Kel. 17 Ilir Kec Ilir Timur I", ""),
    ("Bawah Jembatan Ampera, Kel. 15 Ulu, Kec. SU I", ""),
    ("Jl. KH Wahid Hasyim Kel. 5 Ulu Kec. Seberang Ulu 1", ""),
    ("Kel. Silaberanty Kec. Jakabarng", ""),
    ("Jl. Gub. H. Bastari Kel. Silaberanti Kec. Jakabaring", ""),
    ("Kel. Sukarame Kec. Sukarami", ""),
    ("Jl. Demang Lebar Daun Kel. Lorok Pakjo Kec. IB I", ""),
    ("Kel. Bukit Lama Kec. Ilir Barat Satu", ""),
    ("Kel. Talang Betutu, Kec. Sukarami", ""),
    ("Kel. Kemas Rindo Kec. Kertapatii", ""),
    ("Jl. Ahmad Yani Kel. 9/10 Ulu Kec. SU I", ""),
    ("Depan Masjid Agung", "-2.9894, 104.7608"),
    ("Simpang Charitas", "-2.9800, 104.7500"),
    ("Jembatan Ampera", "-2,9916 ; 104,7634"),
    ("Pasar Kuto", "-2.976, 104.773"),
]
TYPES = ["Curanmor", "Balap Liar", "Petasan", "Tawuran", "Pencurian", "Miras", "Trek-trekan"]
NOTES = ["Pelaku kabur", "Dibubarkan anggota", "Sudah ditangani", "", "Laporan warga"]
N_REPORTS = 90
#: The address the Polsek misspells (kecamatan "Bukit Kecl"): the kelurahan is plain.
MISSPELT = "Lorong Sayangan Kel. 16 Ilir Kec. Bukit Kecl"


def clerk_workbook(path: Path, *, n: int = N_REPORTS, seed: int = 3) -> Path:
    """Write the recap as a Polsek clerk keeps it in Excel; return its path."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook()
    ws = wb.active
    ws.title = "Rekap Gangguan"
    ws.append(["REKAPITULASI GANGGUAN KAMTIBMAS POLSEK BUKIT KECIL"])
    ws.merge_cells("A1:G1")
    ws.append(["PERIODE JANUARI 2025 S.D. MARET 2026"])
    ws.merge_cells("A2:G2")
    ws.append([])
    ws.append(["No", "Waktu Kejadian", None, "Jenis Gangguan", "TKP / Alamat", "Koordinat", "Ket."])
    ws.append([None, "Hari/Tanggal", "Jam", None, None, None, None])
    for col in "ADEFG":
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("B4:C4")
    row = 5
    for i in range(1, n + 1):
        day = date(2025, 1, 3) + timedelta(days=rng.randrange(450))
        if rng.random() < 0.5:  # Ramadhan 1446 and 1447
            day = rng.choice([date(2025, 3, 1), date(2026, 2, 18)]) + timedelta(rng.randrange(29))
        address, coordinates = PLACES[(i - 1) % len(PLACES)]  # every address, in turn
        if i % 15 == 1:
            address, coordinates = MISSPELT, ""
        hour, minute = rng.choice([21, 22, 23, 0, 1, 3, 16, 17]), rng.choice([0, 15, 30, 45])
        ws.append([
            i, f"{HARI[day.weekday()]}, {day:%d-%m-%Y}", f"{hour:02d}.{minute:02d} WIB",
            rng.choice(TYPES), address, coordinates or None, rng.choice(NOTES) or None,
        ])  # fmt: skip
        row += 1
        if i % 25 == 0:  # a blank row between the pages of the recap
            ws.append([])
            row += 1
    ws.cell(row=8, column=7, value='=HYPERLINK("http://example.invalid/lp","lihat LP")')
    ws.append(["JUMLAH", None, None, f"{n} kejadian"])
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=3)
    ws.append([])
    ws.append([None, None, None, None, "Palembang, 31 Maret 2026"])
    ws.append([None, None, None, None, "KAPOLSEK BUKIT KECIL"])
    wb.save(path)
    return path


def _run(args: list[str]) -> tuple[int, str]:
    """Run one command in this process, as the installed entry point does."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            main(args)
        except SystemExit as exc:
            return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()  # pragma: no cover - main always ends with SystemExit


@pytest.fixture(scope="module")
def chain(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the documented chain once on the clerk's workbook; keep every exit code and text."""
    folder = tmp_path_factory.mktemp("clerk")
    book = clerk_workbook(folder / "rekap_maret.xlsx")
    posts = folder / "pos.csv"
    posts.write_text(
        "No;Nama Pos;Koordinat;Kondisi\n"
        "1;Pos Kamling RT 05 16 Ilir;-2.9890, 104.7620;Aktif\n"
        "2;Poskamling Talang Semut;-2.9850, 104.7480;rusak\n"
        "3;Pos Ronda 9/10 Ulu;-3.0010, 104.7700;aktif\n",
        encoding="utf-8",
    )
    f = {k: str(folder / v) for k, v in (("geo", "geo.parquet"), ("cells", "sel.parquet"),
         ("map", "peta.html"), ("posts", "usulan.geojson"), ("patrol", "patroli.csv"))}  # fmt: skip
    common = ["--source", str(settings.source), "--cache-dir", str(settings.cache_dir)]
    steps = {
        "geocode": ["geocode", str(book), "--kind", "disturbance", "--out", f["geo"]],
        "hotspots": ["hotspots", f["geo"], "--target", "ramadhan-1448", "--out", f["cells"]],
        "map": ["map", f["cells"], "--records", f["geo"], "--posts", str(posts), "--out", f["map"]],
        "poskamling": ["poskamling", f["cells"], "--existing", str(posts), "--new", "5",
                       "--time-limit", "20", "--out", f["posts"]],
        "patrol": ["patrol", f["cells"], "--teams", "3", "--records", f["geo"], "--out",
                   f["patrol"], "--html", str(folder / "patroli.html")],
    }  # fmt: skip
    ran = {name: _run([*common, *args]) for name, args in steps.items()}
    return {"folder": folder, "files": f, "ran": ran}


def test_every_step_ends_well(chain: dict[str, Any]) -> None:
    for name, (code, text) in chain["ran"].items():
        assert code == 0, (name, text)
        assert "Traceback" not in text, name
        assert "Kesalahan internal" not in text, name


def test_geocode_reads_the_recap_as_the_clerk_wrote_it(chain: dict[str, Any]) -> None:
    _, text = chain["ran"]["geocode"]
    # the columns used are printed, with the clerk's own header names
    assert "Kolom dipakai (rekap_maret.xlsx)" in text
    for used in ("'TKP / Alamat'", "'Jenis Gangguan'", "'Koordinat'"):
        assert used in text
    geo = gpd.read_parquet(chain["files"]["geo"])
    rejected = pd.read_csv(Path(chain["files"]["geo"]).with_name("geo_ditolak.csv"))
    # nothing lost: every report is placed or rejected with a reason on its own row
    reports = geo["row"].tolist() + rejected["row"].tolist()
    assert len(set(reports)) == len(reports)
    assert rejected["reason"].notna().all()
    assert set(rejected.loc[rejected["reason_code"] == "empty_row", "row"]) >= {31, 57, 83}
    assert len(geo) >= N_REPORTS - N_REPORTS // 15 - 1  # all but the misspelt kecamatan
    # "Sabtu, 14-03-2026" dates, the misspelt kelurahan found, coordinates in one column
    assert geo["time"].min() >= pd.Timestamp("2025-01-01", tz="Asia/Jakarta")
    assert geo["time"].max() <= pd.Timestamp("2026-04-01", tz="Asia/Jakarta")
    silaberanti = geo[geo["address"].str.contains("Silaberanty", na=False)]
    assert len(silaberanti) > 0
    assert (silaberanti["desa_name"] == "Silaberanti").all()
    assert (geo["geocode_status"] == "coordinates").sum() > 0
    # the pasted formula is kept as text, never evaluated
    note = geo.loc[geo["row"] == 8, "keterangan"].iloc[0]
    assert str(note).startswith("=HYPERLINK(")


def test_times_under_a_two_row_header_are_read(chain: dict[str, Any]) -> None:
    _, text = chain["ran"]["geocode"]
    assert "tanggal ← 'Hari/Tanggal'" in text
    assert "jam ← 'Jam'" in text
    geo = gpd.read_parquet(chain["files"]["geo"])
    assert geo["time_known"].all()
    assert (geo["time"].dt.hour.isin([21, 22, 23, 0, 1, 3, 16, 17])).all()  # "21.30 WIB"
    rejected = pd.read_csv(Path(chain["files"]["geo"]).with_name("geo_ditolak.csv"))
    assert 5 not in set(rejected["row"])  # the second header row is no report
    reports = set(geo["row"]) | set(rejected["row"])
    assert min(reports) == 6  # the first report keeps its row number in the sheet


def test_a_misspelt_kecamatan_does_not_refuse_a_named_kelurahan(chain: dict[str, Any]) -> None:
    geo = gpd.read_parquet(chain["files"]["geo"])
    assert (geo["address"] == MISSPELT).sum() == (N_REPORTS - 1) // 15 + 1  # i % 15 == 1


def test_the_products_are_written(chain: dict[str, Any]) -> None:
    files = chain["files"]
    cells = gpd.read_parquet(files["cells"])
    assert set(cells["kabupaten_code"]) == {"16.71"}  # the study area: Kota Palembang
    assert (cells["gi_bin"] > 0).any()
    html = Path(files["map"]).read_text(encoding="utf-8")
    assert "Kota Palembang" in html
    assert "Periode sasaran: Ramadhan 1448 H" in html  # the period came through sel.parquet
    proposed = gpd.read_file(files["posts"])
    assert len(proposed) == 5
    patrol = pd.read_csv(files["patrol"])
    assert len(patrol) > 0
    assert patrol["polsek"].str.startswith("Polsek ").all()
    _, text = chain["ran"]["poskamling"]
    assert "Kolom dipakai (pos.csv)" in text
    # the output of geocode is read back as written, not described by its own column names
    _, text = chain["ran"]["hotspots"]
    assert "Kolom dipakai (geo.parquet): tabel hasil kamtibmas-geo" in text
    assert "← 'type_raw'" not in text


def test_a_column_under_a_two_row_header_can_be_named(chain: dict[str, Any], settings: Any) -> None:
    """``--columns`` names a column under a group title by its own (lower) header name."""
    folder = chain["folder"]
    out = folder / "geo_jam.parquet"
    code, text = _run(
        ["--source", str(settings.source), "--cache-dir", str(settings.cache_dir), "geocode",
         str(folder / "rekap_maret.xlsx"), "--columns", 'waktu="Jam"', "--out",
         str(out)]
    )  # fmt: skip
    assert code == 0, text
    assert "jam ← 'Jam'" in text
    geo = gpd.read_parquet(out)
    assert geo["time_known"].all()
    assert (geo["time"].dt.hour.isin([21, 22, 23, 0, 1, 3, 16, 17])).all()  # "21.30 WIB"
