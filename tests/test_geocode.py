"""Tests of the offline geocoder on the real boundary pack and our address test set."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kamtibmas_geo._errors import GeocodeError
from kamtibmas_geo.config import Settings
from kamtibmas_geo.geocode._geocode import (
    Gazetteer,
    Matcher,
    build_gazetteer,
    geocode,
    read_landmarks,
)
from kamtibmas_geo.records._aliases import compact, normalize, phonetic, tokens
from kamtibmas_geo.records._read import RecordSet
from kamtibmas_geo.score._score import score_hotspots

DATA = Path(__file__).parent / "data"
ADDRESSES = DATA / "addresses.csv"
LANDMARKS = DATA / "landmarks.csv"


@pytest.fixture(scope="module")
def gaz(settings: Settings) -> Gazetteer:
    return build_gazetteer(landmarks=LANDMARKS, settings=settings)


@pytest.fixture(scope="module")
def matcher(gaz: Gazetteer) -> Matcher:
    return Matcher(gaz)


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for col in ("lat", "lon"):
        if col not in df:
            df[col] = np.nan
    if "address" not in df:
        df["address"] = ""
    return df


# -- alias rules ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Dua-puluh Ilir Empat", "20 Ilir D IV"),
        ("20 Ilir D IV", "20 Ilir D. 4"),
        ("20 Ilir D. 4", "20 Ilir D.IV"),
        ("Pedamaran VI", "Pedamaran 6"),
        ("Tiga Empat Ulu", "3-4 Ulu"),
        ("Sembilan Sepuluh Ulu", "9/10 Ulu"),
        ("9/10 Ulu", "9-10 Ulu"),
        ("Talangbetutu", "Talang Betutu"),
        ("Lorokpakjo", "Lorok Pakjo"),
        ("Kayu Agung", "Kayuagung"),
        ("Sei Selayur", "Sungai Selayur"),
        ("Tj. Lubuk", "Tanjung Lubuk"),
        ("Pl. Betung", "Pulau Betung"),
        ("IT I", "Ilir Timur Satu"),
        ("SU II", "Seberang Ulu Dua"),
        ("IB I", "Ilir Barat 1"),
        ("AAL", "Alang-alang Lebar"),
        ("SP Padang", "Sirah Pulau Padang"),
        ("Dua-belas Ulu", "12 Ulu"),
        ("Kuala Dua Belas", "Kuala 12"),
        ("Tujuh-belas Ilir", "7 belas Ilir"),
        ("Dua-puluh-enam Ilir", "duapuluh 6 ilir"),
    ],
)
def test_alias_rules_give_one_key(a: str, b: str) -> None:
    assert compact(a) == compact(b)


def test_normalize_drops_filler_but_keeps_place_words() -> None:
    got = normalize("Jl. Merdeka RT 05 RW 03 No. 12 Kel. 20 Ilir D IV Kec. IT I")
    assert got == "merdeka kel 20 ilir 4 kec ilir timur 1"
    assert normalize("Simpang Tiga") == "simpang 3"
    assert normalize("rumah di 20 ilir di sana") == "rumah 20 ilir sana"


_WORDS = st.sampled_from(
    [
        "kel",
        "kec",
        "desa",
        "Ds.",
        "20",
        "ilir",
        "D",
        "IV",
        "iv",
        "3-4",
        "ulu",
        "sukarami",
        "dua",
        "puluh",
        "belas",
        "tujuh",
        "05",
        ",",
        "sei",
        "it",
        "i",
        "su",
        "ii",
        "banyuasin",
        "kab.",
        "x",
        "pedamaran",
        "vi",
        "9/10",
        "Talang",
        "betutu",
    ]
)


@hsettings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=10).map(" ".join))
def test_normal_form_is_a_fixed_point(text: str) -> None:
    once = tokens(text)
    assert tokens(" ".join(once)) == once


@hsettings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80))
def test_matcher_never_crashes(gaz: Gazetteer, text: str) -> None:
    got = Matcher(gaz).match(text)
    assert got.status in {"matched", "ambiguous", "unmatched"}
    assert (got.place is not None) == (got.status == "matched")
    assert 0 <= got.score <= 100


def test_phonetic_variants() -> None:
    assert phonetic("Sukarame") == phonetic("Sukarami")
    assert phonetic("Kalidonni") == phonetic("Kalidoni")
    assert phonetic("Plaju Ulo") == phonetic("Plaju Ulu")
    assert phonetic("Sukarami") != phonetic("Sukaraja")


def test_gazetteer_covers_every_unit(gaz: Gazetteer, desa: gpd.GeoDataFrame) -> None:
    codes = {p.code for p in gaz.places if p.level == "desa"}
    assert codes == set(desa["code"])
    assert {p.code for p in gaz.places if p.level == "kecamatan"} == set(gaz.kec_cover)
    assert sum(p.level == "kabupaten" for p in gaz.places) == 2
    assert sum(p.level == "landmark" for p in gaz.places) == 4
    # every desa name, written as in the pack, finds its own unit
    m = Matcher(gaz)
    for row in desa.itertuples():
        got = m.match(f"Kel. {row.name} Kec. {row.kecamatan_name}")
        assert got.place is not None, row.name
        assert got.place.code == row.code, (row.name, got)


# -- accuracy on the address set -----------------------------------------------------
def test_address_set_accuracy(gaz: Gazetteer, settings: Settings) -> None:
    df = pd.read_csv(ADDRESSES, dtype=str, keep_default_na=False)
    expected_in = df["expected_code"] != ""
    assert expected_in.sum() >= 150
    assert (~expected_in).sum() >= 20
    recs = _frame(df.drop(columns=["expected_code", "note"]).to_dict("records"))
    rs = geocode(recs, settings=settings, gazetteer=gaz)
    got = pd.Series(rs.records["region_code"].to_numpy(), index=rs.records.index)
    got = got.reindex(df.index)
    placed_ok = (got[expected_in] == df.loc[expected_in, "expected_code"]).mean()
    assert placed_ok >= 0.97
    assert got[~expected_in].isna().all(), df.loc[~expected_in & got.notna(), "address"]
    assert len(rs.records) + len(rs.rejected) == len(df)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Ds. Sukaraja Kec. Pedamaran", "16.02.03.2011"),
        ("Desa Sukaraja, SP Padang", "16.02.08.2016"),
        ("Sukaraja Pangkalan Lampam", "16.02.19.2006"),
        ("Kel. Perigi Kec. Kayu Agung", "16.02.05.1009"),
        ("Perigi, Pangkalan Lampam", "16.02.19.2017"),
        ("Bukit Batu Air Sugihan", "16.02.14.2018"),
        ("Bukit Batu Kec. Pangkalan Lampam", "16.02.19.2018"),
        ("Mangun Jaya Kayuagung", "16.02.05.1005"),
        ("Mangun Jaya SP Padang", "16.02.08.2005"),
        ("Lebung Gajah Tulung Selapan", "16.02.11.2011"),
        ("Lebung Gajah Sematang Borang", "16.71.16.1003"),
        ("Sukarami, Tanjung Lubuk", "16.02.02.2006"),
        ("Kel. Sukarami Kec. Sukarami", "16.71.07.1005"),
        ("Sukamaju Sako", "16.71.08.1001"),
        ("Sukamaju Lempuing Jaya", "16.02.22.2008"),
        ("Ds. Tanjung Lubuk Kec. Kayu Agung", "16.02.05.2013"),
        # old kecamatan names of units moved later
        ("8 Ulu, Kec. Seberang Ulu I", "16.71.17.1001"),
        ("Kel. 10 Ilir Kec. IT II", "16.71.18.1003"),
    ],
)
def test_namesakes_resolved_by_context(matcher: Matcher, text: str, code: str) -> None:
    got = matcher.match(text)
    assert got.status == "matched"
    assert got.place is not None
    assert got.place.code == code


@pytest.mark.parametrize("text", ["Sukaraja", "Lebung Gajah", "Ds. Penyandingan", "Bukit Batu"])
def test_namesakes_without_context_are_ambiguous(matcher: Matcher, text: str) -> None:
    got = matcher.match(text)
    assert got.status == "ambiguous"
    assert got.place is None


def test_context_columns_disambiguate(settings: Settings, gaz: Gazetteer) -> None:
    recs = _frame(
        [
            {"address": "Jl. Poros", "desa": "Sukaraja", "kecamatan": "Pedamaran"},
            {"address": "Jl. Poros", "desa": "Sukaraja", "kecamatan": ""},
        ]
    )
    rs = geocode(recs, settings=settings, gazetteer=gaz)
    assert rs.records["region_code"].tolist() == ["16.02.03.2011"]
    assert rs.rejected["geocode_status"].tolist() == ["ambiguous"]
    assert rs.rejected["row"].tolist() == [3]
    assert (
        "Sukaraja" in rs.rejected["reason"].iloc[0] or "sukaraja" in rs.rejected["reason"].iloc[0]
    )


def test_levels_and_scores(matcher: Matcher) -> None:
    desa = matcher.match("Kel. 20 Ilir D IV Kec. IT I")
    kec = matcher.match("Kec. Pedamaran")
    typo = matcher.match("Kel. Talang Betuto")
    assert desa.place is not None
    assert desa.place.level == "desa"
    assert desa.score == 100
    assert kec.place is not None
    assert kec.place.level == "kecamatan"
    assert kec.score < 100
    assert typo.place is not None
    assert typo.place.code == "16.71.07.1002"
    assert typo.score < desa.score


def test_outside_never_placed(matcher: Matcher) -> None:
    for text in [
        "Desa Tanjung Batu Kec. Tanjung Batu Kab. Ogan Ilir",
        "Talang Jambe, Sukarami, Banyuasin",
        "Indralaya",
        "Kab. Mesuji Lampung",
        "Prabumulih",
        "Baturaja OKU",
    ]:
        got = matcher.match(text)
        assert got.status == "unmatched", (text, got)
        assert got.reason_code == "outside"


# -- coordinates ---------------------------------------------------------------------
def test_coordinates_checked_against_boundaries(
    settings: Settings, gaz: Gazetteer, desa: gpd.GeoDataFrame
) -> None:
    d20 = desa.set_index("code").loc["16.71.05.1008"]
    ped = desa.set_index("code").loc["16.02.03.2002"]
    recs = _frame(
        [
            # inside, agrees with its written desa
            {"lat": d20.inside_lat, "lon": d20.inside_lon, "address": "Kel. 20 Ilir D IV"},
            # inside, but the text names a desa in OKI
            {"lat": d20.inside_lat, "lon": d20.inside_lon, "address": "Ds. Pedamaran VI"},
            # in the Bangka Strait
            {"lat": -2.30, "lon": 105.90, "address": "Kel. 20 Ilir D IV"},
            # Jakarta
            {"lat": -6.2, "lon": 106.8, "address": ""},
            # no coordinates, no text
            {"lat": np.nan, "lon": np.nan, "address": "  "},
            # (0, 0) is not a coordinate: placed by its text
            {"lat": 0.0, "lon": 0.0, "address": "Ds. Pedamaran VI"},
        ]
    )
    rs = geocode(recs, settings=settings, gazetteer=gaz, res=8)
    rec = rs.records
    assert rec.index.tolist() == [0, 1, 5]
    assert rec["geocode_status"].tolist() == ["coordinates", "coordinates", "matched"]
    assert rec["coord_mismatch"].tolist() == [False, True, False]
    assert rec["region_code"].tolist() == ["16.71.05.1008", "16.71.05.1008", "16.02.03.2002"]
    assert rec.loc[5, "lat"] == pytest.approx(ped.inside_lat)
    assert rec.loc[5, "lon"] == pytest.approx(ped.inside_lon)
    assert rec.crs.to_epsg() == 4326
    for r in rec.itertuples():
        assert r.hex_id == h3.latlng_to_cell(r.lat, r.lon, 8)
        assert r.geometry.x == pytest.approx(r.lon)
        assert r.geometry.y == pytest.approx(r.lat)
    rej = rs.rejected.sort_values("row")
    assert rej["geocode_status"].tolist() == ["out_of_area", "out_of_area", "invalid"]
    assert rej["row"].tolist() == [4, 5, 6]
    assert set(rej.columns) >= {"source", "row", "column", "value", "reason_code", "reason"}


def test_reasons_in_english(settings: Settings, gaz: Gazetteer) -> None:
    recs = _frame([{"address": "Kab. Banyuasin"}, {"lat": -6.2, "lon": 106.8}])
    rs = geocode(recs, settings=settings, gazetteer=gaz, lang="en")
    assert rs.rejected["reason"].str.contains("outside OKI and Palembang").all()


# -- landmarks -----------------------------------------------------------------------
def test_landmarks_matched_by_name_and_alias(matcher: Matcher) -> None:
    for text in ["depan Masjid Agung", "Masjid Agung SMB II", "SMAN 1 Pedamaran"]:
        got = matcher.match(text)
        assert got.place is not None, text
        assert got.place.level == "landmark", text


@pytest.mark.filterwarnings("ignore::kamtibmas_geo.ProvisionalDateWarning")
def test_landmark_point_is_used(settings: Settings) -> None:
    lm = pd.DataFrame(
        {"name": ["Pos Kamling Mawar"], "lat": ["-2,9605"], "lon": ["104.7361"], "jenis": ["pos"]}
    )
    rs = geocode(_frame([{"address": "dekat pos kamling mawar"}]), landmarks=lm, settings=settings)
    rec = rs.records.iloc[0]
    assert (rec["lat"], rec["lon"]) == (-2.9605, 104.7361)
    assert rec["region_level"] == "landmark"
    assert rec["region_name"] == "Pos Kamling Mawar"
    assert rec["desa_code"] == rec["region_code"]
    # scores count the report in the landmark's own cell, not spread over its desa
    recs = rs.records.assign(time=pd.Timestamp("2026-06-01", tz="Asia/Jakarta"), type="petasan")
    cell = h3.latlng_to_cell(-2.9605, 104.7361, 9)
    out = score_hotspots(
        recs, target="ramadhan-1448", cells=sorted(h3.grid_disk(cell, 3)), settings=settings
    )
    assert out.set_index("hex_id").loc[cell, "n_incidents"] == 1.0
    assert out["n_incidents"].sum() == 1.0


@pytest.mark.parametrize(
    ("csv", "words"),
    [
        ("nama,lintang\nPasar,-2.9\n", ["bujur"]),
        ("nama,lintang,bujur\n,-2.9,104.7\n", ["baris 2"]),
        ("nama,lintang,bujur\nPasar,-2.9,104.7\nMasjid,abc,104.7\n", ["baris 3", "abc"]),
        ("nama,lintang,bujur\nPasar,-2.9,104.7\nMasjid,95,104.7\n", ["baris 3"]),
        ("nama,lintang,bujur\nMonas,-6.175,106.827\n", ["baris 2", "Monas", "luar"]),
        ("nama,lintang,bujur\n", ["tidak berisi"]),
    ],
)
def test_bad_landmarks_rows(tmp_path: Path, settings: Settings, csv: str, words: list[str]) -> None:
    path = tmp_path / "lm.csv"
    path.write_text(csv, encoding="utf-8")
    with pytest.raises(GeocodeError) as err:
        read_landmarks(path, settings=settings)
    for word in words:
        assert word in str(err.value)


def test_missing_landmarks_file(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "tidak_ada.csv"
    with pytest.raises(GeocodeError, match="tidak ada; periksa nama berkas"):
        read_landmarks(path, settings=settings)
    with pytest.raises(GeocodeError, match="does not exist"):
        read_landmarks(path, settings=settings, lang="en")


def test_good_landmarks_file(settings: Settings) -> None:
    lm = read_landmarks(LANDMARKS, settings=settings)
    assert len(lm) == 4
    assert lm["desa_code"].notna().all()
    assert lm.loc[0, "aliases"] == ("Masjid Agung SMB II", "Masjid Agung")


# -- ledger, input, determinism ------------------------------------------------------
def test_ledger_balances_and_carries_rejected(settings: Settings, gaz: Gazetteer) -> None:
    recs = gpd.GeoDataFrame(
        _frame(
            [
                {"address": "Kel. 3-4 Ulu", "source": "a.csv", "row": 2},
                {"address": "asdf", "source": "a.csv", "row": 3},
                {"address": "Sukaraja", "source": "a.csv", "row": 5},
                {"lat": -2.97, "lon": 104.75, "source": "a.csv", "row": 6},
            ]
        ),
        geometry=[None, None, None, None],
        crs=4326,
    )
    prior = pd.DataFrame(
        {
            "source": ["a.csv"],
            "row": [4],
            "column": ["tanggal"],
            "value": ["xx"],
            "reason_code": ["date_unparsed"],
            "reason": ["Tanggal tidak terbaca"],
        }
    )
    before = recs.copy()
    rs = geocode(RecordSet(recs, prior), settings=settings, gazetteer=gaz)
    assert isinstance(rs, RecordSet)
    assert len(rs.records) + len(rs.rejected) == len(recs) + len(prior)
    assert sorted(rs.rejected["row"].tolist()) == [3, 4, 5]
    assert set(rs.rejected["geocode_status"]) == {"unmatched", "invalid", "ambiguous"}
    pd.testing.assert_frame_equal(pd.DataFrame(recs), pd.DataFrame(before))


def test_deterministic(settings: Settings, gaz: Gazetteer) -> None:
    df = pd.read_csv(ADDRESSES, dtype=str, keep_default_na=False).drop(
        columns=["expected_code", "note"]
    )
    a = geocode(_frame(df.to_dict("records")), settings=settings, gazetteer=gaz)
    b = geocode(_frame(df.to_dict("records")), settings=settings, gazetteer=gaz)
    pd.testing.assert_frame_equal(pd.DataFrame(a.records), pd.DataFrame(b.records))
    pd.testing.assert_frame_equal(a.rejected, b.rejected)


def test_rejects_non_tables(settings: Settings, gaz: Gazetteer) -> None:
    with pytest.raises(GeocodeError, match="read_records"):
        geocode(["Kel. 3-4 Ulu"], settings=settings, gazetteer=gaz)  # type: ignore[arg-type]


def test_errors_are_indonesian_with_english_on_request(gaz: Gazetteer) -> None:
    with pytest.raises(GeocodeError) as err:
        geocode(["Kel. 3-4 Ulu"], gazetteer=gaz)  # type: ignore[arg-type]
    assert str(err.value).startswith("geocode() menerima GeoDataFrame, DataFrame atau RecordSet")
    assert "bukan list" in str(err.value)
    assert err.value.text("en") == (
        "geocode() expects a GeoDataFrame, a DataFrame or a RecordSet, got list; read files "
        "with read_records() first."
    )


def test_matcher_speed_smoke(matcher: Matcher) -> None:
    import time

    df = pd.read_csv(ADDRESSES, dtype=str, keep_default_na=False)
    texts = [f"{a} RT {i % 17}" for i, a in enumerate(df["address"].tolist() * 20)]
    start = time.perf_counter()
    for t in texts:
        matcher.match(t)
    rate = len(texts) / (time.perf_counter() - start)
    assert rate > 2_000  # the benchmark measures the real figure; this only catches blow-ups


# -- CLI -----------------------------------------------------------------------------
def test_cli_geocode(tmp_path: Path, settings: Settings) -> None:
    from kamtibmas_geo.cli import main

    src = tmp_path / "laporan.csv"
    src.write_text(
        "tanggal;jam;jenis;lokasi;kecamatan;lintang;bujur\n"
        "10/02/2026;21:00;petasan;Jl. Merdeka Kel. 20 Ilir D IV;IT I;;\n"
        '11/02/2026;22:00;balap liar;=HYPERLINK("x");;;\n'
        "12/02/2026;23:00;curanmor;;;-2.9605;104.736\n"
        "12/02/2026;23:00;curanmor;;;-2.3;105.9\n",
        encoding="utf-8",
    )
    out = tmp_path / "hasil" / "placed.csv"
    args = ["--source", str(settings.source), "--cache-dir", str(settings.cache_dir)]
    args += ["geocode", str(src), "--kind", "disturbance", "--out", str(out)]
    args += ["--text-column", "lokasi", "--landmarks", str(LANDMARKS)]
    with pytest.raises(SystemExit) as ex:
        main(args)
    assert ex.value.code in (0, None)
    placed = pd.read_csv(out, dtype=str)
    rejected = pd.read_csv(out.with_name("placed_ditolak.csv"), dtype=str)
    assert len(placed) == 2
    assert len(rejected) == 2
    assert sorted(rejected["geocode_status"]) == ["out_of_area", "unmatched"]
    assert rejected["value"].str.startswith("=").sum() == 0

    for ext in (".geojson", ".parquet"):
        target = tmp_path / f"placed{ext}"
        with pytest.raises(SystemExit) as ex:
            main([*args[:4], "geocode", str(src), "--out", str(target), "--text-column", "lokasi"])
        assert ex.value.code in (0, None)
        got = gpd.read_parquet(target) if ext == ".parquet" else gpd.read_file(target)
        assert len(got) == 2
        assert "hex_id" in got.columns


def test_cli_bad_invocation(tmp_path: Path, settings: Settings) -> None:
    from kamtibmas_geo.cli import main

    src = tmp_path / "x.csv"
    src.write_text("tanggal;alamat\n10/02/2026;Kel. 3-4 Ulu\n", encoding="utf-8")
    with pytest.raises(SystemExit) as ex:
        main(["geocode", str(src), "--out", str(tmp_path / "o.txt")])
    assert ex.value.code == 2
