"""One reader for every input: places (posts, landmarks, candidates) and Polres headers.

Posts, landmarks and candidate sites are read by :func:`kamtibmas_geo.records.read_places`,
with the machinery of the records (title rows, separators, encodings, one "Koordinat"
column, DMS, decimal commas) and Indonesian status words; records recognise the headers
Polres use, never take a time of day for the date, and take columns named by the person.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kamtibmas_geo import RecordError
from kamtibmas_geo.records import parse_columns, read_places, read_records
from kamtibmas_geo.records._headers import describe_columns

#: Twelve posts as a Polsek keeps them: a title, ";" separated, cp1252, one "Koordinat"
#: column (decimal commas, DMS with LS/BT), a "Kondisi" column and a "Keterangan".
POSTS_CSV = """DAFTAR POSKAMLING POLSEK KAYUAGUNG - KONDISI FEBRUARI 2026
No;Nama Pos;Koordinat;Kondisi;Keterangan
1;Pos Kamling Perigi;-3,3861, 104,8412;Baik;
2;Pos Kamling Sukadana;-3,3900, 104,8300;Aktif;dekat masjid, tidak jauh dari pasar
3;Pos Kamling Kedaton;3°23'11" LS 104°50'30" BT;Rusak;atap roboh
4;Pos Kamling Jua-Jua;-3,4000, 104,8200;Tidak Aktif;
5;Pos Kamling Tanjung Rancing;-3,4100, 104,8100;baik;
6;Pos Kamling Mangun Jaya;-3,4200, 104,8000;AKTIF;
7;Pos Kamling Paku;-3,4300, 104,7900;Baik;rusak sejak banjir
8;Pos Kamling Celikah;-3,4400, 104,7800;aktif;
9;Pos Kamling Sidakersa;-3,4500, 104,7700;non aktif;
10;Pos Kamling Kutaraya;-3,4600, 104,7600;Baik;
11;Pos Kamling Cinta Raja;-3,4700, 104,7500;Baik;
12;Pos Kamling Muara Baru;-3,4800, 104,7400;Baik;Pos baru 2025
"""


@pytest.fixture
def posts_file(tmp_path: Path) -> Path:
    path = tmp_path / "poskamling.csv"
    path.write_bytes(POSTS_CSV.encode("cp1252"))
    return path


def test_twelve_posts_four_out_of_use_count_eight_active(posts_file: Path) -> None:
    posts = read_places(posts_file, "posts")
    assert len(posts) == 12
    assert int(posts["aktif"].sum()) == 8
    out_of_use = set(posts.loc[~posts["aktif"], "nama"])
    assert out_of_use == {
        "Pos Kamling Kedaton", "Pos Kamling Jua-Jua", "Pos Kamling Paku",
        "Pos Kamling Sidakersa",
    }  # fmt: skip
    kedaton = posts.set_index("nama").loc["Pos Kamling Kedaton"]
    assert kedaton["lat"] == pytest.approx(-3.386389, abs=1e-6)
    assert kedaton["lon"] == pytest.approx(104.841667, abs=1e-6)
    assert posts["row"].tolist() == list(range(3, 15))  # the title is row 1, the header row 2
    assert posts.crs.to_epsg() == 4326
    assert posts.attrs["columns"]["coords"] == "Koordinat"
    assert posts.attrs["read"]["delimiter"] == ";"


def test_the_planner_keeps_only_the_active_posts(posts_file: Path) -> None:
    from kamtibmas_geo.plan._places import read_places as plan_places

    assert len(plan_places(posts_file, what="existing posts")) == 8
    assert len(plan_places(posts_file, what="candidate places", active_only=False)) == 12


def test_rows_without_a_place_are_reported_with_their_row(tmp_path: Path) -> None:
    path = tmp_path / "pos.csv"
    path.write_text(
        "nama,lintang,bujur,status\nPos A,-2.97,104.75,aktif\nPos B,,104.76,aktif\n"
        "Pos C,abc,104.7,aktif\nPos D,0,0,aktif\n\n",
        encoding="utf-8",
    )
    posts = read_places(path, "posts")
    assert posts["nama"].tolist() == ["Pos A"]
    rejected = posts.attrs["rejected"]
    assert rejected["row"].tolist() == [3, 4, 5]
    assert rejected["reason_code"].tolist() == ["coord_incomplete", "coord_unparsed", "coord_zero"]
    assert "isi keduanya" in rejected["reason"].iloc[0]
    assert posts.attrs["skipped"] == 3


def test_places_name_their_columns_by_hand_and_refuse_a_file_without_a_place(
    tmp_path: Path,
) -> None:
    path = tmp_path / "calon.csv"
    path.write_text("Lokasi Usulan\tY\tX\nBalai Desa\t-3.1\t104.9\n", encoding="utf-8")
    sites = read_places(path, "candidates", columns={"nama": "Lokasi Usulan"})
    assert sites["nama"].tolist() == ["Balai Desa"]
    assert (sites["lat"].iloc[0], sites["lon"].iloc[0]) == (-3.1, 104.9)
    bad = tmp_path / "tanpa.csv"
    bad.write_text("nama,desa\nPos A,Perigi\n", encoding="utf-8")
    with pytest.raises(RecordError, match="tidak punya kolom lokasi"):
        read_places(bad, "posts")


def test_polres_headers_and_a_time_of_day_column() -> None:
    frame = pd.DataFrame(
        {
            "No": [1, 2],
            "Hari/Tanggal": ["Sabtu, 12 Maret 2025", "13/03/2025"],
            "Waktu": ["22.00 s.d. selesai", "19.30 WIB"],
            "Kegiatan": ["Patroli", "Sambang"],
            "TKP / Alamat": ["Pasar Kayuagung", "Desa Perigi"],
            "LS": ["3°23'11\" LS", "-3,38"],
            "BT": ["104°50'E", "104,84"],
        }
    )
    rs = read_records(frame, "activity")
    assert rs.rejected.empty  # before: every row rejected, "Waktu" taken as the date
    cols = rs.records.attrs["read"]["columns"]
    assert cols["date"] == "Hari/Tanggal"
    assert cols["time"] == "Waktu"
    assert cols["address"] == "TKP / Alamat"
    assert (cols["lat"], cols["lon"]) == ("LS", "BT")
    times = rs.records["time"].dt.strftime("%Y-%m-%d %H:%M").tolist()
    assert times == ["2025-03-12 22:00", "2025-03-13 19:30"]  # date and time combined


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("TKP / Alamat", "address"),
        ("TKP (Alamat)", "address"),
        ("Tempat Kejadian Perkara (TKP)", "address"),
        ("Hari/Tgl/Jam", "date"),
        ("Tgl. Lapor", "date"),
        ("LS", "lat"),
        ("BT", "lon"),
        ("Koordinat (LS, BT)", "coords"),
    ],
)
def test_headers_polres_use_are_recognised(header: str, field: str) -> None:
    frame = pd.DataFrame({header: ["x"], "Tanggal Kejadian": ["12/03/2025"], "Desa": ["Perigi"]})
    if field == "date":
        frame = frame.drop(columns="Tanggal Kejadian")
        frame[header] = ["12/03/2025"]
    rs = read_records(frame)
    assert rs.records.attrs["read"]["columns"][field] == header


def test_a_lone_time_of_day_column_is_never_the_date() -> None:
    frame = pd.DataFrame({"Waktu": ["22.00 s.d. selesai"], "Alamat": ["Pasar Kayuagung"]})
    with pytest.raises(RecordError, match="tidak punya kolom tanggal"):
        read_records(frame)


def test_columns_named_by_hand() -> None:
    frame = pd.DataFrame(
        {"Tgl Giat": ["12/03/2025"], "Lokasi Kejadian Lengkap": ["Pasar Kayuagung"]}
    )
    given = parse_columns('tanggal="Tgl Giat",alamat="Lokasi Kejadian Lengkap"')
    assert given == {"date": "Tgl Giat", "address": "Lokasi Kejadian Lengkap"}
    rs = read_records(frame, columns=given)
    assert rs.records["address"].tolist() == ["Pasar Kayuagung"]
    line = describe_columns(rs.records.attrs["read"]["columns"], "id")
    assert "alamat ← 'Lokasi Kejadian Lengkap'" in line
    assert "address ← " in describe_columns(rs.records.attrs["read"]["columns"], "en")
    with pytest.raises(RecordError, match="tidak ada di"):
        read_records(frame, columns={"tanggal": "Hari/Tanggal"})
    with pytest.raises(RecordError, match="tidak dikenal"):
        parse_columns("tangal=Tgl Giat")
    with pytest.raises(RecordError, match="bidang=kolom"):
        parse_columns("Tgl Giat")
