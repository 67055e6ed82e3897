"""The one table writer: formula-safe CSV, typed XLSX, atomic writes, public allow-list.

Every CSV is checked the way a careless spreadsheet or script would read it: the raw text is
split on ``,``, on ``;`` and at every CR and LF, and no piece (spaces and double quotes
stripped) may start with a formula trigger unless it is a plain number. Every XLSX is
reloaded with openpyxl: no cell may be a formula.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point, box

from kamtibmas_geo._errors import KamtibmasGeoError, OutputError
from kamtibmas_geo._tables import neutralise, public_columns, write_table
from kamtibmas_geo.config import Settings
from kamtibmas_geo.render._export import export_cells

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "  =1",
    "Jl. Merdeka;=1+1",
    "a\r=1+1",
    "a\n@x",
    'x,"=1',
    "ok;  +62 812",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
NIK = "3201234567890123"


def live_pieces(path: Path) -> list[str]:
    """Pieces of the raw file that a spreadsheet could run as a formula."""
    raw = path.read_bytes().decode("utf-8")
    bad = []
    for piece in re.split(r"[,;\r\n]", raw):
        text = piece.strip(' "')
        if text.startswith(TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
            bad.append(piece)
    return bad


def formulas(path: Path) -> list[str]:
    """Cells of every sheet that openpyxl reads as formulas."""
    book = openpyxl.load_workbook(path)
    return [
        f"{ws.title}!{c.coordinate}"
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


def check_output(path: Path) -> None:
    """Assert the file can run nothing in a spreadsheet."""
    if path.suffix == ".csv":
        assert live_pieces(path) == []
    else:
        assert formulas(path) == []


def hostile_frame() -> pd.DataFrame:
    n = len(HOSTILE)
    return pd.DataFrame(
        {
            "teks": HOSTILE,
            "x;=1+1": np.arange(n) - 3.5,
            "angka_teks": ["-12.5"] * n,
            "nik": [int(NIK)] * n,
        }
    )


# -- the neutraliser ---------------------------------------------------------------------


def test_checker_catches_what_pandas_writes(tmp_path: Path) -> None:
    path = tmp_path / "pandas.csv"
    hostile_frame().to_csv(path, index=False)
    assert len(live_pieces(path)) >= len(HOSTILE)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("  =1", "'  =1"),
        ("\t=1", "'\t'=1"),
        ("-12.5", "-12.5"),
        ("+62", "+62"),
        ("-3,12", "-3,12"),
        ("-1+1", "'-1+1"),
        ("Jl. Merdeka;=1+1", "Jl. Merdeka;'=1+1"),
        ("a\r=1+1", "a\r'=1+1"),
        ("a\n@x", "a\n'@x"),
        ('x,"=1', "x,'\"=1"),
        ("Jl. Sudirman No. 5, RT 02", "Jl. Sudirman No. 5, RT 02"),
        ("RT 02 - RW 03", "RT 02 - RW 03"),
        ("", ""),
    ],
)
def test_neutralise(text: str, safe: str) -> None:
    assert neutralise(text) == safe


# -- CSV ------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [",", ";"])
def test_csv_hostile_values(tmp_path: Path, sep: str) -> None:
    frame = hostile_frame()
    path = write_table(frame, tmp_path / "a.csv", sep=sep)
    assert live_pieces(path) == []
    raw = path.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw, newline=""), delimiter=sep))
    assert len(rows) == len(frame) + 1  # no value split a row
    assert all(len(r) == 4 for r in rows)
    assert rows[0] == ["teks", "x;'=1+1", "angka_teks", "nik"]
    got = [r[0] for r in rows[1:]]
    assert [g.replace("'", "") for g in got] == [h.replace("'", "") for h in HOSTILE]
    assert all(r[2] == "-12.5" and r[3] == NIK for r in rows[1:])
    assert rows[1][1] == "-3.5"
    assert f"{sep}-12.5{sep}" in raw  # a plain number stays unquoted and unprefixed


def test_csv_quotes_every_separator(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["x,y", "x;y", 'x"y', "x\ny", "x\ry", "plain"]})
    raw = write_table(frame, tmp_path / "a.csv").read_bytes().decode("utf-8")
    assert raw == 'a\n"x,y"\n"x;y"\n"x""y"\n"x\ny"\n"x\ry"\nplain\n'


def test_csv_reads_back_with_pandas(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "time": pd.to_datetime(["2026-03-01 20:00", None]).tz_localize("Asia/Jakarta"),
            "n": [1, 2],
            "v": [0.1, np.nan],
            "ok": [True, False],
            "s": ["Kel. 3-4 Ulu", None],
        }
    )
    path = write_table(frame, tmp_path / "a.csv")
    assert path.read_text(encoding="utf-8").splitlines() == [
        "time,n,v,ok,s",
        "2026-03-01 20:00:00+07:00,1,0.1,True,Kel. 3-4 Ulu",
        ",2,,False,",
    ]
    back = pd.read_csv(path)
    assert back["n"].tolist() == [1, 2]
    assert back["s"].iloc[0] == "Kel. 3-4 Ulu"


# -- XLSX -----------------------------------------------------------------------------


def test_xlsx_cells_are_text_never_formulas(tmp_path: Path) -> None:
    frame = hostile_frame()
    frame["waktu"] = pd.Timestamp("2026-03-01 20:00", tz="Asia/Jakarta")
    path = write_table(frame, tmp_path / "a.xlsx")
    assert formulas(path) == []
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("teks", "x;=1+1", "angka_teks", "nik", "waktu")
    # XLSX keeps the text as it was (a CR becomes LF: XML normalises line ends)
    assert [r[0] for r in rows[1:]] == [h.replace("\r", "\n") for h in HOSTILE]
    assert rows[1][1] == -3.5
    assert rows[1][3] == NIK  # 16 digits stay exact, as text
    assert rows[1][4] == "2026-03-01 20:00:00+07:00"
    cells = list(ws.iter_rows(min_row=2, max_col=1))
    assert [c[0].data_type for c in cells] == ["s"] * len(HOSTILE)
    assert cells[0][0].quotePrefix  # editing the cell in Excel keeps it text


def test_xlsx_error_codes_and_control_characters_stay_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["#N/A", "#REF!", "bel\x07", "="]})
    path = write_table(frame, tmp_path / "a.xlsx")
    cells = [c[0] for c in openpyxl.load_workbook(path).active.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s"] * 4
    assert [c.value for c in cells] == ["#N/A", "#REF!", "bel\ufffd", "="]


def test_xlsx_same_bytes(tmp_path: Path) -> None:
    a = write_table(hostile_frame(), tmp_path / "a.xlsx")
    b = write_table(hostile_frame(), tmp_path / "b.xlsx")
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_xlsx_too_long_keeps_old_file(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"old")
    with pytest.raises(OutputError, match="32,767"):
        write_table(pd.DataFrame({"a": ["x" * 40_000]}), path)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


# -- other formats, atomicity, inputs -------------------------------------------------------


def test_geo_formats_round_trip(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"nama": ["=1+1", "Pos B"], "n": [1, 2]},
        geometry=[Point(104.75, -2.97), Point(104.76, -2.98)],
        crs=4326,
    )
    for name in ("a.parquet", "a.geojson", "a.gpkg"):
        path = write_table(frame, tmp_path / name)
        back = gpd.read_parquet(path) if name.endswith("parquet") else gpd.read_file(path)
        assert back["nama"].tolist() == ["=1+1", "Pos B"]  # data files keep text as it is
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.geojson", "a.gpkg", "a.parquet"]


def test_refuses_bad_outputs(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(OutputError, match="tidak dikenal"):
        write_table(frame, tmp_path / "a.txt")
    with pytest.raises(OutputError, match="geometri"):
        write_table(frame, tmp_path / "a.geojson")
    with pytest.raises(OutputError, match="geometry column"):
        write_table(frame, tmp_path / "a.gpkg", lang="en")


def test_never_overwrites_an_input(tmp_path: Path) -> None:
    src = tmp_path / "laporan.csv"
    src.write_bytes(b"tanggal,alamat\n")
    for spelling in (src, tmp_path / "." / "laporan.csv", str(src)):
        with pytest.raises(OutputError, match="masukan"):
            write_table(pd.DataFrame({"a": [1]}), spelling, inputs=[src])
    link = tmp_path / "tautan.csv"
    link.symlink_to(src)
    with pytest.raises(KamtibmasGeoError):
        write_table(pd.DataFrame({"a": [1]}), link, inputs=[src])
    assert src.read_bytes() == b"tanggal,alamat\n"


# -- public outputs ---------------------------------------------------------------------


@pytest.fixture
def cells_with_personal() -> gpd.GeoDataFrame:
    ids = sorted(h3.grid_disk(h3.latlng_to_cell(-2.976, 104.755, 9), 1))
    n = len(ids)
    return gpd.GeoDataFrame(
        {
            "hex_id": ids,
            "desa_name": ["=Sukaraja;=1+1"] * n,
            "n_incidents": [12.0] * (n - 1) + [1.0],
            "n_tawuran": [2.0] + [10.0] * (n - 1),
            "score": np.linspace(0, 1, n),
            "score_class": [1, 2, 3, 4, 5, 5, 1][:n],
            "gi_label": ["Titik panas 99%"] * n,
            "info": [NIK] * n,
            "info_angka": [int(NIK)] * n,
            "n_catatan": ["Budi " + NIK] * n,
            "score_note": ["NIK " + NIK] * n,
            "nama_petugas": ["Andi"] * n,
        },
        geometry=[box(0, 0, 1, 1)] * n,
        crs=4326,
    )


def test_public_columns_allow_list(cells_with_personal: gpd.GeoDataFrame) -> None:
    assert public_columns(cells_with_personal) == [
        "hex_id", "desa_name", "n_incidents", "n_tawuran", "score", "score_class", "gi_label",
        "geometry",
    ]  # fmt: skip


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".geojson", ".parquet", ".gpkg"])
def test_public_export_drops_personal_columns(
    cells_with_personal: gpd.GeoDataFrame, tmp_path: Path, suffix: str
) -> None:
    k = 5
    path = export_cells(
        cells_with_personal,
        tmp_path / f"publik{suffix}",
        public=True,
        settings=Settings(public_min_count=k),
    )
    if suffix == ".csv":
        back = pd.read_csv(path)
    elif suffix == ".xlsx":
        back = pd.read_excel(path)
    elif suffix == ".parquet":
        back = gpd.read_parquet(path)
    else:
        back = gpd.read_file(path)
    assert not {"info", "info_angka", "n_catatan", "score_note", "nama_petugas"} & set(back)
    assert {"hex_id", "score", "n_tawuran", "desa_name"} <= set(back.columns)
    assert NIK.encode() not in path.read_bytes()
    assert len(back) == len(cells_with_personal) - 1  # the cell under k is gone
    tawuran = back.sort_values("hex_id")["n_tawuran"]
    assert tawuran.isna().sum() == 1  # a count under k is blanked
    if suffix in {".csv", ".xlsx"}:
        check_output(path)


def test_private_export_keeps_columns_and_is_safe(
    cells_with_personal: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    for suffix in (".csv", ".xlsx"):
        path = export_cells(cells_with_personal, tmp_path / f"sel{suffix}")
        back = pd.read_csv(path) if suffix == ".csv" else pd.read_excel(path)
        assert "info" in back.columns
        assert {"lat", "lng", "geometry"} <= set(back.columns)
        check_output(path)


# -- every table the command line writes ------------------------------------------------


def _cli(settings: Settings, *args: str) -> int:
    from kamtibmas_geo.cli import main

    base = ["--source", str(settings.source), "--cache-dir", str(settings.cache_dir)]
    try:
        main([*base, *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _write_records(path: Path, n_years: int = 2) -> None:
    """Incidents in Palembang with hostile types, places and notes (``;``-separated)."""
    rng = np.random.default_rng(0)
    rows = [["tanggal", "jam", "jenis", "lokasi", "keterangan", "lintang", "bujur"]]
    for i in range(60 * n_years):
        text = HOSTILE[i % len(HOSTILE)]
        day = pd.Timestamp("2025-01-01") + pd.Timedelta(days=int(rng.integers(0, 365 * n_years)))
        lat, lon = -2.976 + rng.normal(0, 0.004), 104.755 + rng.normal(0, 0.004)
        coords = [f"{lat:.6f}", f"{lon:.6f}"] if i % 5 else ["", ""]  # some placed by address
        kind = "tawuran" if i % 3 else text
        rows.append([day.strftime("%d/%m/%Y"), "21:00", kind, text, text, *coords])
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)


def test_cli_geocode_outputs_are_safe(settings: Settings, tmp_path: Path) -> None:
    src = tmp_path / "laporan.csv"
    _write_records(src, n_years=1)
    before = src.read_bytes()
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"hasil{suffix}"
        assert _cli(settings, "geocode", str(src), "--out", str(out)) == 0
        rejected = out.with_name(f"hasil_ditolak{suffix}")
        for path in (out, rejected):
            check_output(path)
        table = pd.read_csv(rejected) if suffix == ".csv" else pd.read_excel(rejected)
        assert len(table) > 0
    placed = pd.read_csv(tmp_path / "hasil.csv", dtype=str)
    assert placed.isin(["'=cmd|' /C calc'!A0"]).any().any()  # the user text is there, inert
    assert _cli(settings, "geocode", str(src), "--out", str(src)) == 2
    derived = tmp_path / "x_ditolak.csv"  # the rejected rows would overwrite this input
    derived.write_bytes(before)
    assert _cli(settings, "geocode", str(derived), "--out", str(tmp_path / "x.csv")) == 2
    assert not (tmp_path / "x.csv").exists()
    assert src.read_bytes() == before == derived.read_bytes()


def test_cli_hotspots_plans_and_backtest_outputs_are_safe(
    settings: Settings, tmp_path: Path, kecamatan: gpd.GeoDataFrame, desa: gpd.GeoDataFrame
) -> None:
    from _plan_cells import make_cells

    src = tmp_path / "laporan.csv"
    _write_records(src)
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"sel{suffix}"
        args = ["hotspots", str(src), "--region", "palembang", "--out", str(out)]
        assert _cli(settings, *args) == 0
        check_output(out)
    back = pd.read_csv(tmp_path / "sel.csv")
    assert {"hex_id", "score", "lat", "lng", "geometry"} <= set(back.columns)

    kec = kecamatan[kecamatan["code"].isin(["16.71.08", "16.71.14"])]
    cells = make_cells(kec, desa, 9, seed=3, n_hotspots=8, sigma_m=500)
    cells["desa_name"] = [HOSTILE[i % len(HOSTILE)] for i in range(len(cells))]
    cells["kecamatan_name"] = cells["kecamatan_code"].map(
        {"16.71.08": "=1+1;@A", "16.71.14": "-2+3\r=4"}
    )
    scores = tmp_path / "skor.parquet"
    cells.to_parquet(scores)
    top = cells.nlargest(3, "score")["hex_id"].map(h3.cell_to_latlng).tolist()
    cand = tmp_path / "calon.csv"
    with open(cand, "w", encoding="utf-8", newline="") as handle:
        rows = [["nama", "lintang", "bujur"]]
        rows += [[HOSTILE[i], lat, lon] for i, (lat, lon) in enumerate(top)]
        csv.writer(handle).writerows(rows)
    for suffix in (".csv", ".xlsx"):
        posts = tmp_path / f"usulan{suffix}"
        args = ["poskamling", str(scores), "--candidates", str(cand), "--new", "2"]
        assert _cli(settings, *args, "--out", str(posts)) == 0
        check_output(posts)
        patrol = tmp_path / f"patroli{suffix}"
        assert _cli(settings, "patrol", str(scores), "--teams", "2", "--out", str(patrol)) == 0
        check_output(patrol)
    plan = pd.read_csv(tmp_path / "patroli.csv", dtype=str)
    # "=1+1;@A" is written as text; "-2+3" is shown as a name (" 2+3", dash to space),
    # which no spreadsheet runs: no value may start a formula, every line after a CR too
    kec = plan["kecamatan"]
    assert kec.str.startswith("'=1+1").any()
    lines = kec.str.split(r"[\r\n]", regex=True).explode().str.lstrip()
    assert not lines.str.match(r"[=+\-@]").any()
    assert _cli(settings, "patrol", str(scores), "--out", str(scores)) == 2
    assert pd.read_parquet(scores).shape == cells.shape

    square = tmp_path / "wilayah.geojson"
    area = gpd.GeoDataFrame({"name": ["=kotak"]}, geometry=[box(104.7, -3.03, 104.81, -2.92)])
    area.set_crs(4326).to_file(square)
    for suffix in (".csv", ".xlsx"):
        metrics = tmp_path / f"uji{suffix}"
        args = ["backtest", str(src), "--period", "ramadhan-1446", "--res", "8"]
        args += ["--boundaries", str(square)]
        assert _cli(settings, *args, "--out", str(metrics)) == 0
        check_output(metrics)
    assert _cli(settings, "backtest", str(src), "--out", str(tmp_path / "uji.txt")) == 2
