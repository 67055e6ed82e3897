"""Early warnings (informasi dini): the reader, the sample, and informant protection.

The reader's vocabulary (roles, follow-up words, expected times) is checked word by word;
the sample is read back through the one reader and compared with its truth; and every
output a warning can reach — maps (public and not), cell exports, patrol sheets, routes —
is scanned for a reporter's planted name and phone number, which only the geocode output
(a private file) may hold.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamtibmas_geo._errors import RecordError
from kamtibmas_geo._tables import write_table
from kamtibmas_geo.config import Settings
from kamtibmas_geo.records import (
    EARLY_COLUMNS,
    PRIVATE_COLUMNS,
    RECORD_COLUMNS,
    WARNING_ROLES,
    WARNING_STATUSES,
    load_taxonomy,
    read_records,
)
from kamtibmas_geo.records._early import WINDOW_HOURS, read_expected, read_role, read_status

NAME, PHONE = "Zulkarnain Rahasiawan", "0899-7316-4425"


# -- vocabulary ------------------------------------------------------------------------


def test_every_warning_type_fears_a_disturbance_type() -> None:
    tax = load_taxonomy()
    early = tax.keys("early_warning")
    assert {"rencana_tawuran", "penjualan_petasan", "balap_liar_terjadwal", "provokasi"} <= set(
        early
    )
    assert {"keramaian_tanpa_izin", "rencana_pencurian", "potensi_konflik", "lainnya"} <= set(early)
    for key in early:
        assert tax.info("early_warning", key).feared in tax.keys("disturbance")
    assert tax.info("early_warning", "rencana_tawuran").feared == "tawuran"
    assert tax.info("early_warning", "penjualan_petasan").feared == "petasan"
    assert tax.info("disturbance", "tawuran").feared == ""


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Rencana tawuran", "rencana_tawuran"),
        ("janjian tawuran antar remaja setelah tarawih", "rencana_tawuran"),
        ("Perang sarung", "rencana_tawuran"),  # an incident word: the warning that fears it
        ("Jual mercon", "penjualan_petasan"),
        ("penjualan petasan ukuran besar", "penjualan_petasan"),
        ("Balap liar dijadwalkan", "balap_liar_terjadwal"),
        ("balap liar terjadwal", "balap_liar_terjadwal"),
        ("Ujaran kebencian", "provokasi"),
        ("Keramaian tanpa izin", "keramaian_tanpa_izin"),
        ("Konvoi sahur on the road", "sahur_on_the_road"),
        ("Orang mencurigakan", "rencana_pencurian"),
        ("hewan lepas", "lainnya"),
    ],
)
def test_warning_types_from_potensi_phrasing(text: str, key: str) -> None:
    assert load_taxonomy().classify(text, "early_warning")[0] == key


def test_feared_must_be_a_disturbance_type() -> None:
    with pytest.raises(RecordError, match="feared"):
        load_taxonomy({"early_warning": {"x": {"feared": "banjir"}}})
    tax = load_taxonomy({"early_warning": {"pungli": {"feared": "penipuan", "synonyms": ["x1"]}}})
    assert tax.classify("x1", "early_warning") == ("pungli", True)


def test_windows_are_the_calendar_windows() -> None:
    from kamtibmas_geo.calendar import TIME_WINDOWS

    for name, hours in TIME_WINDOWS.items():
        assert WINDOW_HOURS[name] == hours


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Ketua RT 05", "rt"),
        ("RT.03/RW.02", "rt"),
        ("rt05", "rt"),
        ("Pak RW", "rw"),
        ("Ketua RW 04 Kel. 9 Ilir", "rw"),
        ("Kadus", "rw"),
        ("POKDAR Kamtibmas", "pokdar"),
        ("FKPM Kel. 8 Ulu", "pokdar"),
        ("Karang Taruna", "ormas"),
        ("ormas pemuda", "ormas"),
        ("Tokoh agama", "warga"),
        ("warga setempat", "warga"),
        ("Bhabinkamtibmas", "bhabinkamtibmas"),
        ("Bhabin Kel. Talang Aman", "bhabinkamtibmas"),
        ("Babinsa", "lainnya"),
        ("entah siapa", None),
    ],
)
def test_roles(text: str, code: str | None) -> None:
    assert read_role(text) == code
    assert code is None or code in WARNING_ROLES


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (None, "open"),
        ("", "open"),
        ("belum", "open"),
        ("Belum ditindaklanjuti", "open"),
        ("BLM", "open"),
        ("sudah", "followed_up"),
        ("Sudah ditindaklanjuti (sambang)", "followed_up"),
        ("Selesai", "followed_up"),
        ("TL: dialog dengan remaja", "followed_up"),
        ("Nihil", "unfounded"),
        ("tidak terbukti", "unfounded"),
        ("Hoaks", "unfounded"),
        ("sudah dicek, hasil nihil", "unfounded"),
        ("ditunda", None),
    ],
)
def test_statuses(text: str | None, code: str | None) -> None:
    assert read_status(text) == code
    assert code is None or code in WARNING_STATUSES


THU = pd.Timestamp("2026-02-12 10:00")  # a Thursday


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Sabtu", "2026-02-14 00:00", "2026-02-15 00:00"),
        ("Kamis", "2026-02-12 00:00", "2026-02-13 00:00"),  # the day of the report
        ("malam Minggu", "2026-02-14 18:15", "2026-02-15 02:30"),
        ("Sabtu malam", "2026-02-14 18:15", "2026-02-15 02:30"),
        ("malam Minggu setelah tarawih", "2026-02-14 21:00", "2026-02-15 02:30"),
        ("Jum'at setelah tarawih", "2026-02-13 21:00", "2026-02-14 02:30"),
        ("Minggu sahur", "2026-02-15 02:30", "2026-02-15 04:30"),
        ("sahur", "2026-02-13 02:30", "2026-02-13 04:30"),  # the next sahur
        ("setelah tarawih", "2026-02-12 21:00", "2026-02-13 02:30"),
        ("Minggu dini hari", "2026-02-15 00:00", "2026-02-15 04:30"),
        ("besok malam", "2026-02-13 18:15", "2026-02-14 02:30"),
        ("lusa", "2026-02-14 00:00", "2026-02-15 00:00"),
        ("Sabtu pukul 22.00", "2026-02-14 22:00", "2026-02-15 01:00"),
        ("pukul 23.30", "2026-02-12 23:30", "2026-02-13 02:30"),
        ("14/02/2026 21.00", "2026-02-14 21:00", "2026-02-15 00:00"),
        ("14/02/2026", "2026-02-14 00:00", "2026-02-15 00:00"),
        ("14.02.2026", "2026-02-14 00:00", "2026-02-15 00:00"),
        ("Sabtu 22:15 WIB", "2026-02-14 22:15", "2026-02-15 01:15"),
        ("Sabtu, 21/02/2026 setelah tarawih", "2026-02-21 21:00", "2026-02-22 02:30"),
        ("minggu depan", "2026-02-13 00:00", "2026-02-20 00:00"),
    ],
)
def test_expected_times(text: str, start: str, end: str) -> None:
    assert read_expected(text, THU) == (pd.Timestamp(start), pd.Timestamp(end))


def test_expected_time_from_a_datetime_cell_and_unreadable_words() -> None:
    moment = pd.Timestamp("2026-02-14 21:00")
    assert read_expected(moment, THU) == (moment, moment + pd.Timedelta(hours=3))
    assert read_expected("kapan-kapan", THU) is None
    assert read_expected(None, THU) is None


# -- the reader ------------------------------------------------------------------------


def _warnings_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "No": [1, 2, 3, 4, 5],
            "Waktu Lapor": ["12/02/2026 10.00", "12/02/2026", "13/02/2026", "31/02/2026", "x"],
            "Jenis Potensi": ["Janjian tawuran", "jual mercon", "balap liar", "provokasi", ""],
            "Lintang": ["-2,9761", "", "-2.98", "-2.97", ""],
            "Bujur": ["104,7451", "", "104.75", "104.74", ""],
            "Lokasi": ["", "Pasar 16 Ilir", "", "", ""],
            "Waktu Kejadian yang Diperkirakan": ["malam Minggu", "Sabtu", "kapan-kapan", "", ""],
            "Jabatan Pelapor": ["Ketua RT 05", "Pokdar", "tukang parkir", "warga", ""],
            "Nama Pelapor": [NAME, "", "B", "C", ""],
            "No HP": [PHONE, "", "", "", ""],
            "Keterangan Tindak Lanjut": ["belum", "Sudah (sambang)", "", "hoaks", "ditunda"],
            "Keterangan": ["info grup WA", "", "", "", ""],
        }
    )


def test_reader_reads_warnings_and_accounts_for_every_row() -> None:
    rs = read_records(_warnings_frame(), "early_warning")
    rec, rej = rs.records, rs.rejected
    assert len(rec) + len(rej) == 5
    assert rej["reason_code"].tolist() == ["date_impossible", "date_unparsed"]
    assert list(rec.columns[: len(RECORD_COLUMNS)]) == list(RECORD_COLUMNS)
    n = len(RECORD_COLUMNS)
    assert list(rec.columns[n : n + len(EARLY_COLUMNS)]) == list(EARLY_COLUMNS)
    assert list(rec.columns[n + len(EARLY_COLUMNS) :]) == ["No", "geometry"]
    assert rec["kind"].unique().tolist() == ["early_warning"]
    assert rec["type"].tolist() == ["rencana_tawuran", "penjualan_petasan", "balap_liar_terjadwal"]
    assert rec["feared_type"].tolist() == ["tawuran", "petasan", "balap_liar"]
    assert rec["reporter_role"].tolist() == ["rt", "pokdar", "lainnya"]
    assert rec["status"].tolist() == ["open", "followed_up", "open"]
    assert rec["reporter_name"].tolist()[0] == NAME
    assert rec["reporter_contact"].tolist()[0] == PHONE
    assert str(rec["expected_start"].dt.tz) == "Asia/Jakarta"
    assert rec["expected_start"].iloc[0] == pd.Timestamp("2026-02-14 18:15", tz="Asia/Jakarta")
    assert rec["expected_end"].iloc[1] == pd.Timestamp("2026-02-15 00:00", tz="Asia/Jakarta")
    assert pd.isna(rec["expected_start"].iloc[2])
    note = rec["early_note"].iloc[2]
    assert "tukang parkir" in note
    assert "kapan-kapan" in note
    assert pd.isna(rec["early_note"].iloc[0])
    # the private columns are the reader's own, never carried along under their headers
    assert "Nama Pelapor" not in rec.columns
    assert "No HP" not in rec.columns
    cols = rec.attrs["read"]["columns"]
    assert cols["expected"] == "Waktu Kejadian yang Diperkirakan"
    assert cols["status"] == "Keterangan Tindak Lanjut"


def test_reader_english_notes_and_columns_named_by_hand() -> None:
    frame = pd.DataFrame(
        {
            "Hari/Tgl": ["12/02/2026"],
            "Potensi": ["rencana tawuran"],
            "Desa": ["19 Ilir"],
            "Waktu": ["besok malam"],
            "Info dari": ["tukang parkir"],
        }
    )
    rs = read_records(
        frame,
        "early_warning",
        columns={"perkiraan": "Waktu", "pelapor": "Info dari", "tanggal": "Hari/Tgl"},
        lang="en",
    )
    rec = rs.records
    assert rec["expected_start"].iloc[0] == pd.Timestamp("2026-02-13 18:15", tz="Asia/Jakarta")
    assert rec["reporter_role"].iloc[0] == "lainnya"
    assert "not recognised" in rec["early_note"].iloc[0]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".geojson"])
def test_written_warnings_read_back_as_written(tmp_path: Path, suffix: str) -> None:
    rs = read_records(_warnings_frame(), "early_warning")
    path = tmp_path / f"w{suffix}"
    frame = rs.records
    if suffix in {".csv", ".xlsx"}:
        frame = pd.DataFrame(frame).drop(columns="geometry")
    write_table(frame, path)
    back = read_records(path, "early_warning").records
    cols = list(EARLY_COLUMNS)
    pd.testing.assert_frame_equal(
        back[cols].astype(str).reset_index(drop=True),
        rs.records[cols].astype(str).reset_index(drop=True),
    )
    assert str(back["expected_start"].dt.tz) == "Asia/Jakarta"
    assert not {"feared_type_input", "status_input"} & set(back.columns)


def test_other_kinds_unchanged_by_warning_headers() -> None:
    frame = pd.DataFrame(
        {"Tanggal": ["10/02/2026"], "Jenis": ["tawuran"], "Desa": ["19 Ilir"], "Status": ["x"]}
    )
    rec = read_records(frame).records
    assert rec["type"].tolist() == ["tawuran"]
    assert "reporter_role" not in rec.columns
    assert rec["Status"].tolist() == ["x"]  # carried along as the user's own column


# -- the sample ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(settings: Settings):  # type: ignore[no-untyped-def]
    from kamtibmas_geo.sample import make_sample

    return make_sample(seed=7, settings=settings)


def test_sample_warnings_read_as_their_truth(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kamtibmas_geo.sample import write_tables

    paths = write_tables(sample, tmp_path, formats=["csv"])
    again = write_tables(sample, tmp_path / "again", formats=["csv"])
    data = paths["informasi_dini_csv"].read_bytes()
    assert data == again["informasi_dini_csv"].read_bytes()
    truth = sample.warning_truth
    rs = read_records(paths["informasi_dini_csv"], "early_warning")
    assert len(rs.records) + len(rs.rejected) == len(truth)
    bad = truth.loc[truth["invalid"] != "", "no"].to_numpy()
    assert sorted(rs.rejected["row"] - 1) == sorted(bad)
    rec = rs.records.assign(no=rs.records["row"] - 1).set_index("no")
    t = truth.set_index("no").loc[rec.index]
    assert (rec["type"] == t["type"]).all()
    assert (rec["feared_type"] == t["feared"]).all()
    assert (rec["reporter_role"] == t["role"]).all()
    assert (rec["status"] == t["status"]).all()
    assert rec["reporter_name"].notna().mean() > 0.7
    said = t["expected_said"].to_numpy()
    start, end = rec["expected_start"].to_numpy(), rec["expected_end"].to_numpy()
    target = t["target"].to_numpy()
    assert rec["expected_start"].notna().to_numpy()[said].all()
    assert rec["expected_start"].isna().to_numpy()[~said].all()
    assert ((start <= target) & (target < end))[said].all()
    assert rec["early_note"].isna().all()


def test_sample_warnings_from_every_role_in_both_polres(sample) -> None:  # type: ignore[no-untyped-def]
    truth = sample.warning_truth
    n = len(truth)
    assert 1700 < n < 2200
    assert set(truth["role"]) == {"rt", "rw", "pokdar", "ormas", "warga", "bhabinkamtibmas"}
    assert set(truth["kabupaten_code"]) == {"16.02", "16.71"}
    assert truth.groupby("kabupaten_code").size().min() > 60
    planted = truth["planted_from"] > 0
    assert abs(planted.mean() - 0.4) < 0.02
    assert truth.loc[planted, "followed"].all()
    assert truth.loc[~planted, "followed"].mean() < 0.1
    assert sample.counts["warnings"] == n
    assert sample.counts["warnings_followed"] == int(truth["followed"].sum())
    # a planted warning comes before its incident, of the type it fears, a few hundred m away
    inc = sample.truth.set_index("no").loc[truth.loc[planted, "planted_from"]]
    p = truth[planted]
    assert (p["feared"].to_numpy() == inc["type"].to_numpy()).all()
    lead = (inc["time"].to_numpy() - p["time"].to_numpy()) / np.timedelta64(1, "D")
    assert (lead > 0).all()
    assert (lead < 6).all()
    metres = np.hypot(
        (p["lon"].to_numpy() - inc["lon"].to_numpy()) * 111_000,
        (p["lat"].to_numpy() - inc["lat"].to_numpy()) * 111_000,
    )
    assert (metres < 450).all()
    sotr = truth[truth["type"] == "sahur_on_the_road"]
    assert len(sotr) > 0


# -- informant protection --------------------------------------------------------------


def _planted_warnings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Tgl Lapor": ["19/02/2026 10.00", "20/02/2026 08.00", "19/02/2026"],
            "Jenis Potensi": ["Janjian tawuran", "Jual mercon", "Balap liar dijadwalkan"],
            "Lokasi": ["Jl. Merdeka", "Pasar 16 Ilir", "Jl. Veteran"],
            "Kelurahan/Desa": ["19 Ilir", "16 Ilir", "20 Ilir D I"],
            "Kecamatan": ["Bukit Kecil", "Ilir Timur I", "Ilir Timur I"],
            "Perkiraan Waktu": ["Sabtu setelah tarawih", "besok malam", "Minggu sahur"],
            "Sumber Informasi": ["Ketua RT 05", f"Pokdar ({NAME})", "warga"],
            "Nama Pelapor": [NAME, NAME, NAME],
            "No. HP": [PHONE, PHONE, PHONE],
            "Tindak Lanjut": ["belum", "", "belum"],
            "Keterangan": [f"info dari {NAME} {PHONE}"] * 3,
        }
    )


def _holds_reporter(path: Path) -> bool:
    data = path.read_bytes()
    return any(s.encode() in data for s in (NAME, PHONE, "Zulkarnain", "7316-4425"))


def test_reporter_only_in_the_private_geocode_output(settings: Settings, tmp_path: Path) -> None:
    from kamtibmas_geo.cli import main
    from kamtibmas_geo.geocode import build_gazetteer, geocode
    from kamtibmas_geo.plan import patrol_files, patrol_html, patrol_plan
    from kamtibmas_geo.render import render_map
    from kamtibmas_geo.render._export import export_cells
    from kamtibmas_geo.render._map import MapOptions
    from kamtibmas_geo.sample import make_sample, write_tables
    from kamtibmas_geo.score import score_hotspots

    # the private output: the geocode command's file keeps the reporter (and says so)
    src = write_table(_planted_warnings(), tmp_path / "informasi_dini.csv", sep=";")
    out = tmp_path / "private" / "informasi_dini_geo.csv"
    out.parent.mkdir()
    base = ["--source", str(settings.source), "--cache-dir", str(settings.cache_dir)]
    with pytest.raises(SystemExit) as ok:
        main([*base, "geocode", str(src), "--kind", "early_warning", "--out", str(out)])
    assert ok.value.code in (0, None)
    assert _holds_reporter(out)
    assert not _holds_reporter(out.with_name("informasi_dini_geo_ditolak.csv"))
    placed = read_records(out, "early_warning", settings=settings).records
    assert len(placed) == 3
    assert placed["reporter_name"].tolist() == [NAME] * 3
    assert set(PRIVATE_COLUMNS) <= set(placed.columns)

    # every other output a warning reaches
    gaz = build_gazetteer(settings=settings)
    s = make_sample(seed=5, start="2025-10-01", end="2026-02-19", scale=0.2, settings=settings)
    data = write_tables(s, tmp_path / "data", formats=["csv"])
    dist = geocode(read_records(data["gangguan_csv"], settings=settings), gazetteer=gaz)
    # read back, a warning placed at its desa comes without a point: placed again
    placed = geocode(placed, gazetteer=gaz).records
    public = tmp_path / "public"
    public.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cells = score_hotspots(
            dist.records,
            target=("2026-02-20", "2026-03-20"),
            region="16.71",
            settings=settings,
            warnings=placed,
            warnings_as_of="2026-02-20 12:00",
        )
        plan = patrol_plan(
            cells,
            warnings=placed,
            target="ramadhan-1447",
            day=pd.Timestamp("2026-02-21").date(),
            windows=["tarawih", "malam", "sahur"],
            teams=2,
            settings=settings,
        )
    assert int(cells["warnings_open"].sum()) == 3  # the warnings did reach the cells ...
    assert plan["warning"].any()  # ... and the patrol plan
    options = MapOptions(public=True)
    render_map(cells, warnings=placed, out=public / "peta_publik.html", options=options)
    render_map(cells, warnings=placed, records=dist.records, out=public / "peta.html")
    assert "Informasi dini" in (public / "peta.html").read_text(encoding="utf-8")
    for ext in ("csv", "xlsx", "geojson", "parquet"):
        export_cells(cells, public / f"sel_publik.{ext}", public=True, settings=settings)
        export_cells(cells, public / f"sel.{ext}", settings=settings)
    write_table(plan, public / "patroli.csv")
    patrol_html(plan, public / "patroli.html")
    patrol_files(plan, public / "rute")
    written = [p for p in sorted(public.rglob("*")) if p.is_file()]
    assert len(written) > 12
    leaking = [p.name for p in written if _holds_reporter(p)]
    assert not leaking


def test_private_columns_on_the_deny_side_of_every_public_path() -> None:
    from kamtibmas_geo._tables import public_columns
    from kamtibmas_geo.render._mapdata import drop_personal

    rec = read_records(_warnings_frame(), "early_warning").records
    frame = pd.DataFrame(rec).assign(hex_id="x", n_incidents=1, n_reporter_contact=3)
    kept = set(drop_personal(frame).columns)
    assert not set(PRIVATE_COLUMNS) & kept
    assert "reporter_role" not in kept  # a public point never says who reported it
    assert "type" in kept
    assert not set(PRIVATE_COLUMNS) & set(public_columns(frame))
    shown = set(public_columns(frame))
    assert shown == {"hex_id", "lat", "geometry", "n_incidents", "n_reporter_contact"}
