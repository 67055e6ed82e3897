"""Records the library wrote are read back as they were written; the CLI's outputs feed its next
command (``geocode`` → ``hotspots`` → ``backtest``), in GeoParquet, CSV and XLSX."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from kamtibmas_geo._errors import RecordError
from kamtibmas_geo._tables import neutralise, write_table
from kamtibmas_geo.config import Settings
from kamtibmas_geo.records._parse import dates_to_utc, parse_datetime
from kamtibmas_geo.records._read import RECORD_COLUMNS, read_records
from kamtibmas_geo.records._readers import unneutralise
from kamtibmas_geo.records._taxonomy import load_taxonomy

#: Text a spreadsheet would run, as the writer's tests use it (tests/test_tables.py).
HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "  =1",
    "Jl. Merdeka;=1+1",
    "a\n@x",
    'x,"=1',
    "ok;  +62 812",
    "Jl. A, -",
    "  \t=1",
    "a;-b;+c,@d\n=e",
]

FIRST = pd.DataFrame(
    {
        "Tanggal": ["10/02/2026", "11/02/2026", "11/02/2026", "11/02/2026", "13/02/2026",
                    "14/02/2026", "15/02/2026"],
        "Jam": ["21.30", "", "03.15", "03.20", "17.45:10", "", "25.00"],
        "Jenis": ["balapan liar", "hewan lepas", "mercon", "Mercon", "=macet", "tawuran", ""],
        "Alamat": ["Jl. Sudirman", "Pasar 16 Ilir", "Jl. Merdeka;=1+1", "Jl. Merdeka",
                   "@Kel. 20 Ilir D IV", "Kel. Sukarami", "Jl. A"],
        "Lintang": ["-2.9761", "104.76", "-2.9900", "-2.99001", "", "0", "-2.97"],
        "Bujur": ["104.7451", "-2.99", "104.7600", "104.76", "", "0", "104.7"],
        "No HP": ["+62 812 1", "0812", "-", "", "=x", "x", "y"],
    }
)  # fmt: skip


def _written(records: gpd.GeoDataFrame, path: Path) -> Path:
    """Write records as ``kamtibmas-geo geocode`` does (no geometry column in CSV/XLSX)."""
    frame = records
    if path.suffix in {".csv", ".xlsx"}:
        frame = pd.DataFrame(records).drop(columns="geometry")
    return write_table(frame, path)


# -- the CSV writer's quotes ------------------------------------------------------------


@pytest.mark.parametrize("text", [*HOSTILE, "-12.5", "-3,12", "plain", "", "'", "Toko 'Maju'"])
def test_unneutralise_undoes_the_csv_writer(text: str) -> None:
    assert unneutralise(neutralise(text)) == text


def test_unneutralise_leaves_other_quotes() -> None:
    assert unneutralise("Toko 'Maju'") == "Toko 'Maju'"
    assert unneutralise("''=1") == "''=1"
    assert unneutralise("a;'b") == "a;'b"
    assert unneutralise("'-2.97") == "-2.97"  # a quote typed before formula-like text
    assert unneutralise("'Jl. A") == "'Jl. A"


def test_csv_written_by_the_library_reads_back_its_text(tmp_path: Path) -> None:
    n = len(HOSTILE)
    frame = pd.DataFrame({"tanggal": ["2026-02-10"] * n, "alamat": HOSTILE, "lain": HOSTILE})
    frame["=kolom"] = HOSTILE
    path = write_table(frame, tmp_path / "h.csv")
    assert "'=1+1" in path.read_text(encoding="utf-8")
    rec = read_records(path).records
    assert rec["lain"].tolist() == HOSTILE
    assert rec["=kolom"].tolist() == HOSTILE
    assert rec["address"].tolist() == [t.strip() for t in HOSTILE]


# -- own records -------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".xlsx", ".geojson"])
def test_own_records_read_back_as_written(tmp_path: Path, suffix: str) -> None:
    first = read_records(FIRST.assign(x=1), text_column="Alamat")
    rec = first.records
    assert rec["coord_note"].notna().any()
    assert rec["type_warning"].notna().any()
    assert rec["time_note"].notna().any()
    assert rec["duplicate_of"].notna().any()
    assert (~rec["time_known"]).any()
    assert rec["lat"].isna().any()
    path = _written(rec, tmp_path / f"titik{suffix}")
    again = read_records(path)
    got = again.records
    assert got.attrs["read"]["own"] is True
    assert got.attrs["rows_in"] == len(got) + len(again.rejected) == len(rec)
    pd.testing.assert_frame_equal(
        pd.DataFrame(got[list(RECORD_COLUMNS)]), pd.DataFrame(rec[list(RECORD_COLUMNS)])
    )
    phones = got["No HP"].tolist()
    if suffix == ".xlsx":  # a workbook holds no empty text: the cell is empty
        phones = ["" if pd.isna(p) else p for p in phones]
    assert phones == rec["No HP"].tolist()
    assert got["x"].astype(int).tolist() == [1] * len(rec)
    assert got.geometry.isna().tolist() == rec.geometry.isna().tolist()
    # read once more: nothing changes, nothing is noted twice
    twice = read_records(_written(got, tmp_path / f"lagi{suffix}")).records
    pd.testing.assert_frame_equal(
        pd.DataFrame(twice[list(RECORD_COLUMNS)]), pd.DataFrame(rec[list(RECORD_COLUMNS)])
    )


def test_own_records_from_a_dataframe_are_the_same() -> None:
    rec = read_records(FIRST, text_column="Alamat").records
    again = read_records(rec)
    pd.testing.assert_frame_equal(
        pd.DataFrame(again.records[list(RECORD_COLUMNS)]), pd.DataFrame(rec[list(RECORD_COLUMNS)])
    )


def _geocoded(tmp_path: Path) -> gpd.GeoDataFrame:
    """Records as the geocoder leaves them: placed by point, at a desa, at a landmark."""
    rec = read_records(FIRST.iloc[:4], text_column="Alamat").records.copy()
    rec["geocode_status"] = ["coordinates", "matched", "matched", "matched"]
    rec["region_level"] = ["desa", "desa", "kecamatan", "landmark"]
    rec["region_code"] = ["16.71.05.1008", "16.71.05.1008", "16.71.05", "L1"]
    rec["geocode_score"] = [100.0, 95.5, 90.0, 100.0]
    rec["coord_mismatch"] = [True, False, False, False]
    points = {1: (104.7, -2.95), 2: (104.71, -2.96), 3: (104.72, -2.97)}
    for i, (x, y) in points.items():
        rec.loc[i, ["lon", "lat"]] = [x, y]
    return rec.set_geometry(gpd.points_from_xy(rec["lon"], rec["lat"], crs=4326))


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".xlsx"])
def test_records_placed_at_a_unit_come_back_without_its_point(tmp_path: Path, suffix: str) -> None:
    placed = _geocoded(tmp_path)
    got = read_records(_written(placed, tmp_path / f"g{suffix}")).records
    assert got["lat"].isna().tolist() == [False, True, True, False]
    assert got.geometry.isna().tolist() == [False, True, True, False]
    assert got["lat"].iloc[0] == placed["lat"].iloc[0]
    assert got["lon"].iloc[3] == 104.72  # a landmark is a point
    assert got["region_code"].tolist() == placed["region_code"].tolist()
    assert got["geocode_score"].tolist() == [100.0, 95.5, 90.0, 100.0]
    assert got["coord_mismatch"].tolist() == [True, False, False, False]


def test_bad_rows_of_an_own_table_are_rejected_with_its_rows(tmp_path: Path) -> None:
    rec = read_records(FIRST, text_column="Alamat").records
    path = _written(rec, tmp_path / "titik.csv")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[1, "time"] = "2026-02-31 10:00:00+07:00"
    frame.loc[2, ["lat", "lon", "address", "kecamatan", "desa"]] = ""
    frame.loc[3, "time_known"] = "mungkin"
    edited = write_table(frame, tmp_path / "diedit.csv")
    rs = read_records(edited)
    assert rs.records.attrs["rows_in"] == len(rs.records) + len(rs.rejected) == len(frame)
    assert rs.rejected["row"].tolist() == [3, 4]  # rows of diedit.csv
    assert rs.rejected["source"].tolist() == ["diedit.csv"] * 2
    assert rs.rejected["reason_code"].tolist() == ["date_impossible", "no_location"]
    assert rs.rejected["column"].iloc[0] == "time"
    kept = rs.records
    assert kept["row"].tolist() == [rec["row"].iloc[i] for i in (0, 3, 4, 5, 6)]
    assert kept["source"].unique().tolist() == ["dataframe"]
    assert bool(kept["time_known"].iloc[1]) is True  # unreadable flag: the time has a time of day


def test_written_type_unknown_to_the_taxonomy_is_classified_again(tmp_path: Path) -> None:
    custom = {"disturbance": {"hewan_lepas": {"severity": 0.2, "synonyms": ["hewan lepas"]}}}
    rec = read_records(FIRST, text_column="Alamat", taxonomy=custom).records
    assert rec["type"].iloc[1] == "hewan_lepas"
    assert rec["type_warning"].iloc[1] is pd.NA
    path = _written(rec, tmp_path / "titik.parquet")
    got = read_records(path).records
    assert got["type"].iloc[1] == "lainnya"
    assert "hewan lepas" in got["type_warning"].iloc[1]
    assert got["severity"].iloc[1] == load_taxonomy().info("disturbance", "lainnya").severity
    kept = read_records(path, taxonomy=custom).records
    assert kept["type"].iloc[1] == "hewan_lepas"
    assert kept["severity"].iloc[1] == 0.2


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-10 21:30:00+07:00",
        "2026-02-10T21:30:00+07:00",
        "2026-02-10 21:30+08:00",
        "2026-02-10T14:30:00Z",
        "2026-02-10 21:30:00+0700",
        " 2026-02-10 21:30:00-03:00 ",
        "2026-02-10 00:00:00+07:00",
        "2026-02-10 24:00:00+07:00",
        "1999-12-31 23:00:00+07:00",
        "2101-01-01 00:00:00+07:00",
        "2026-02-31 10:00:00+07:00",
        "2026-02-10 25:00:00+07:00",
    ],
)
def test_dates_with_an_offset_read_fast_as_one_by_one(text: str) -> None:
    t_ns, known, codes = dates_to_utc(pd.Series([text, "x"]), "Asia/Jakarta")
    ts, kn, code = parse_datetime(text)
    assert codes[0] == code
    assert bool(known[0]) is kn
    if ts is not None:
        assert t_ns[0] == ts.tz_convert("UTC").as_unit("ns").value


def test_dates_with_an_offset_keep_fractions_of_a_second() -> None:
    t_ns, _, _ = dates_to_utc(pd.Series(["2026-02-10 21:30:00.123456789+07:00"]), "Asia/Jakarta")
    assert t_ns[0] % 10**9 == 123456789


# -- messages ----------------------------------------------------------------------------


def test_errors_are_indonesian_and_english_on_request(tmp_path: Path) -> None:
    with pytest.raises(RecordError) as caught:
        read_records(pd.DataFrame({"alamat": ["Jl. A"]}))
    assert "tidak punya kolom tanggal" in str(caught.value)
    assert "has no date" in caught.value.text("en")
    with pytest.raises(RecordError) as caught:
        read_records(tmp_path / "tidak_ada.csv")
    assert "tidak ada" in str(caught.value)
    assert "not found" in caught.value.text("en")
    with pytest.raises(RecordError) as caught:
        load_taxonomy({"disturbance": {"petasan": {"severity": -1}}})
    assert "harus 0 atau lebih" in str(caught.value)
    assert "must be 0 or more" in caught.value.text("en")
    bad = tmp_path / "t.toml"
    bad.write_text("[disturbance.petasan]\nseverity = tinggi\n", encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        load_taxonomy(bad)
    assert "baris 2" in str(caught.value)
    assert "not valid TOML" in caught.value.text("en")
    bad.write_text("[disturbance.petasan]\nseverity = [\n", encoding="utf-8")
    with pytest.raises(RecordError, match="belum ditutup"):
        load_taxonomy(bad)


# -- the command line ---------------------------------------------------------------------


def _cli(settings: Settings, *args: str) -> int:
    from kamtibmas_geo.cli import main

    base = ["--source", str(settings.source), "--cache-dir", str(settings.cache_dir)]
    try:
        main([*base, *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.slow
def test_geocode_output_feeds_hotspots_and_backtest(settings: Settings, tmp_path: Path) -> None:
    """The documented chain, on the sample: every format geocode writes is read by the next
    commands, which give exactly what they give on the raw file."""
    d = tmp_path / "D"
    assert _cli(settings, "sample", "--out", str(d), "--scale", "0.05") == 0
    raw, acts = d / "gangguan.csv", d / "kegiatan.csv"
    cells: dict[str, gpd.GeoDataFrame] = {}
    metrics: dict[str, bytes] = {}
    for suffix in ("raw", ".parquet", ".csv", ".xlsx"):
        src, act = raw, acts
        if suffix != "raw":
            src, act = tmp_path / f"titik{suffix}", tmp_path / f"kegiatan{suffix}"
            assert _cli(settings, "geocode", str(raw), "--out", str(src)) == 0
            geo_act = ["geocode", str(acts), "--kind", "activity", "--out", str(act)]
            assert _cli(settings, *geo_act) == 0
            placed = read_records(src)
            assert placed.records.attrs["read"]["own"] is True
            assert len(placed.rejected) == 0
            assert placed.records["source"].unique().tolist() == ["gangguan.csv"]
        out = tmp_path / f"sel_{suffix.strip('.')}.parquet"
        hot = ["hotspots", str(src), "--activities", str(act), "--res", "7", "--out", str(out)]
        assert _cli(settings, *hot) == 0, suffix
        cells[suffix] = gpd.read_parquet(out).sort_values("hex_id").reset_index(drop=True)
        uji = tmp_path / f"uji_{suffix.strip('.')}.csv"
        back = ["backtest", str(src), "--period", "ramadhan-1446", "--res", "7", "--out", str(uji)]
        assert _cli(settings, *back) == 0, suffix
        metrics[suffix] = uji.read_bytes()
    assert cells["raw"]["n_incidents"].sum() > 0
    assert cells["raw"]["n_activities"].sum() > 0
    for suffix in (".parquet", ".csv", ".xlsx"):
        assert_geodataframe_equal(cells[suffix], cells["raw"])
        assert metrics[suffix] == metrics["raw"]
    assert np.isfinite(pd.read_csv(tmp_path / "uji_raw.csv").select_dtypes("number")).all().all()
