from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from kamtibmas_geo._errors import SettingsError
from kamtibmas_geo.config import Settings
from kamtibmas_geo.sample._sample import (
    SAMPLE_END,
    SAMPLE_START,
    SampleData,
    make_sample,
    write_sample,
    write_tables,
)
from kamtibmas_geo.sample._space import load_places
from kamtibmas_geo.sample._text import dms, kecamatan_forms, people_desa_name
from kamtibmas_geo.sample._time import RAMADHAN

DIST_COLUMNS = [
    "no",
    "tanggal",
    "jam",
    "jenis",
    "alamat",
    "desa",
    "kecamatan",
    "polsek",
    "lintang",
    "bujur",
    "keterangan",
    "nama_pelapor",
    "no_hp",
]
ACT_COLUMNS = [
    "no",
    "tanggal",
    "jam",
    "kegiatan",
    "lokasi",
    "desa",
    "kecamatan",
    "polsek",
    "lintang",
    "bujur",
    "peserta",
    "keterangan",
]
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ]
    )
}


@pytest.fixture(scope="module")
def sample(settings: Settings) -> SampleData:
    return make_sample(seed=7, settings=settings)


def _metres(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    return np.hypot((lon - lon0) * np.cos(np.radians(lat0)), lat - lat0) * 111_320.0


def _ramadhan_mask(times: pd.Series) -> np.ndarray:
    day = times.dt.tz_localize(None).dt.normalize()
    mask = np.zeros(len(times), dtype=bool)
    for start, syawal in RAMADHAN:
        mask |= ((day >= pd.Timestamp(start)) & (day < pd.Timestamp(syawal))).to_numpy()
    return mask


def _parse_tanggal(text: str) -> pd.Timestamp | None:
    try:
        return _parse(text)
    except (ValueError, KeyError):
        return None


def _parse(text: str) -> pd.Timestamp | None:
    if m := re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", text):
        return pd.Timestamp(int(m[3]), int(m[2]), int(m[1]))
    if m := re.fullmatch(r"(\d{1,2}) (\w+) (\d{4})", text):
        return pd.Timestamp(int(m[3]), MONTHS[m[2]], int(m[1]))
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return pd.Timestamp(int(m[1]), int(m[2]), int(m[3]))
    return None


def test_columns_and_sizes(sample: SampleData) -> None:
    assert list(sample.disturbances.columns) == DIST_COLUMNS
    assert list(sample.activities.columns) == ACT_COLUMNS
    assert list(sample.posts.columns) == [
        "no",
        "nama",
        "lintang",
        "bujur",
        "status",
        "desa",
        "kecamatan",
    ]
    c = sample.counts
    assert 22_000 <= c["disturbances"] <= 27_000
    assert 5_000 <= c["activities"] <= 7_000
    assert c["disturbances"] == len(sample.disturbances) == len(sample.truth)
    assert c["activities"] == len(sample.activities) == len(sample.activity_truth)
    assert sample.disturbances["no"].tolist() == list(range(1, len(sample.disturbances) + 1))
    assert (sample.truth["no"] == sample.disturbances["no"]).all()
    assert c["near_repeats"] > 1000
    assert 0 < c["duplicates"] < 200


def test_date_range(sample: SampleData) -> None:
    for truth in (sample.truth, sample.activity_truth):
        days = truth["time"].dt.tz_localize(None).dt.normalize()
        assert days.min() == pd.Timestamp(SAMPLE_START)
        assert days.max() <= pd.Timestamp(SAMPLE_END)
        assert days.max() >= pd.Timestamp(SAMPLE_END) - pd.Timedelta(days=2)
    assert str(sample.truth["time"].dt.tz) == "Asia/Jakarta"


def test_same_seed_same_bytes_other_seed_differs(settings: Settings, tmp_path: Path) -> None:
    kw = {"start": "2025-01-01", "end": "2025-06-30", "scale": 0.3, "settings": settings}
    a = write_tables(make_sample(seed=3, **kw), tmp_path / "a", formats=["csv"])
    b = write_tables(make_sample(seed=3, **kw), tmp_path / "b", formats=["csv"])
    c = write_tables(make_sample(seed=4, **kw), tmp_path / "c", formats=["csv"])
    assert sorted(a) == ["gangguan_csv", "informasi_dini_csv", "kegiatan_csv", "poskamling_csv"]
    for key in a:
        assert a[key].read_bytes() == b[key].read_bytes()
        assert a[key].read_bytes() != c[key].read_bytes()


def test_ramadhan_uplift(sample: SampleData) -> None:
    t = sample.truth
    ram = _ramadhan_mask(t["time"])
    n_days = (pd.Timestamp(SAMPLE_END) - pd.Timestamp(SAMPLE_START)).days + 1
    n_ram = sum((e - s).days for s, e in RAMADHAN)
    for typ, factor in (("petasan", 2.0), ("balap_liar", 2.0), ("kemacetan", 1.5)):
        is_t = (t["type"] == typ).to_numpy()
        rate_ram = (is_t & ram).sum() / n_ram
        rate_rest = (is_t & ~ram).sum() / (n_days - n_ram)
        assert rate_ram > factor * rate_rest, typ
    # balap liar after sahur/subuh in Ramadhan, late evening otherwise
    bl = (t["type"] == "balap_liar").to_numpy()
    hours = t["time"].dt.hour.to_numpy()
    assert np.isin(hours[bl & ram], [3, 4, 5, 6]).mean() > 0.6
    assert np.isin(hours[bl & ~ram], [21, 22, 23, 0, 1]).mean() > 0.5
    # petasan peaks on the takbiran night (eve of 1 Syawal)
    day = t["time"].dt.tz_localize(None).dt.normalize()
    pet = t["type"] == "petasan"
    for _, syawal in RAMADHAN:
        eve = (pet & (day == pd.Timestamp(syawal) - pd.Timedelta(days=1))).sum()
        assert eve > 3 * (pet.to_numpy() & ram).sum() / n_ram


def test_market_hotspots_dense(sample: SampleData, kabupaten: gpd.GeoDataFrame) -> None:
    t = sample.truth
    lon, lat = t["lon"].to_numpy(), t["lat"].to_numpy()
    plg_area = float(kabupaten.loc[kabupaten["code"] == "16.71", "area_km2"].iloc[0])
    mean_density = (t["kabupaten_code"] == "16.71").sum() / plg_area
    disc_km2 = np.pi * 0.3**2
    for x0, y0 in ((104.7628, -2.9897), (104.8410, -3.3890)):  # Pasar 16 Ilir, Pasar Kayuagung
        density = (_metres(lon, lat, x0, y0) < 300).sum() / disc_km2
        assert density > 10 * mean_density


def test_emerging_hotspot_rises(sample: SampleData) -> None:
    t = sample.truth
    at = t["place"] == "jakabaring_jsc"
    last_year = t["time"] >= t["time"].max() - pd.Timedelta(days=365)
    assert (at & last_year).sum() > 5 * (at & ~last_year).sum() / 2.9


def test_persistent_hotspots_keep_their_intensity(sample: SampleData) -> None:
    # the emerging places add events in the last year; they must not take them from the
    # persistent ones (same calendar window, Ramadhan included, two years apart; +4 %/year)
    places, _, _ = load_places()
    persistent = [p.key for p in places if p.trend == "persistent"]
    t = sample.truth[sample.truth["place"].isin(persistent)]
    a = ((t["time"] >= "2024-01-01") & (t["time"] < "2024-11-23")).sum()
    b = ((t["time"] >= "2026-01-01") & (t["time"] < "2026-11-23")).sum()
    assert a > 1000
    assert 0.9 < b / a < 1.2


def test_coverage_gap(sample: SampleData) -> None:
    places, _, _ = load_places()
    covered = {p.key for p in places if p.covered}
    a = sample.activity_truth
    assert set(a.loc[a["place"] != "", "place"]) <= covered
    assert (a["type"] == "operasi").sum() > 100
    lon, lat = a["lon"].to_numpy(), a["lat"].to_numpy()
    near_16 = (_metres(lon, lat, 104.7628, -2.9897) < 400).sum()
    near_jsc = (_metres(lon, lat, 104.7940, -3.0190) < 400).sum()
    assert near_16 > 10 * max(near_jsc, 1)


def test_points_inside_their_desa(sample: SampleData, desa: gpd.GeoDataFrame) -> None:
    geom = desa.set_index("code").geometry
    names = desa.set_index("code")["name"]
    for truth in (sample.truth, sample.activity_truth):
        polys = geom.loc[truth["desa_code"]].to_numpy()
        assert shapely.contains_xy(polys, truth["lon"].to_numpy(), truth["lat"].to_numpy()).all()
    # rows with clean coordinates name the desa the point lies in
    rows = sample.disturbances
    clean = rows["lintang"].map(lambda v: isinstance(v, float) and v != 0.0)
    ok = rows["desa"].to_numpy() == names.loc[sample.truth["desa_code"]].to_numpy()
    assert ok[clean.to_numpy()].mean() > 0.8
    # posts lie in the desa they name
    posts = sample.posts
    hit = desa.sjoin(
        gpd.GeoDataFrame(
            posts, geometry=gpd.points_from_xy(posts["bujur"], posts["lintang"]), crs=4326
        ),
        predicate="contains",
    )
    assert len(hit) == len(posts)
    assert (hit["name"] == hit["desa"]).all()
    assert set(posts["status"]) == {"aktif", "tidak aktif"}


def test_coordinates_match_truth(sample: SampleData) -> None:
    rows, t = sample.disturbances, sample.truth
    valid = (t["invalid"] == "").to_numpy()
    lat = rows["lintang"].to_numpy()
    is_float = np.array([isinstance(v, float) for v in lat]) & valid
    assert np.allclose(lat[is_float].astype(float), t["lat"].to_numpy()[is_float], atol=1e-6)
    text = pd.Series([v if isinstance(v, str) else "" for v in lat])
    comma = text.str.fullmatch(r"-\d+,\d{6}")
    dms_ = text.str.fullmatch(r"\d+°\d{2}'\d{2}\.\d\" LS")
    assert comma.mean() > 0.05
    assert dms_.mean() > 0.05
    assert rows["bujur"].astype(str).str.endswith(" BT").mean() > 0.05


def test_messy_share_and_spellings(sample: SampleData) -> None:
    rows, t = sample.disturbances, sample.truth
    messy = t["messy"].to_numpy()
    assert 0.12 < messy.mean() < 0.25
    assert (rows.loc[messy, "lintang"] == "").all()
    text = (rows["alamat"] + " | " + rows["desa"] + " | " + rows["kecamatan"])[messy]
    for needle in ("Kel. ", "Ds. ", "Kec. IT I", "SU II", " Ilir D "):
        assert text.str.contains(needle, regex=False).any(), needle
    for needle in ("3-4 Ulu", "9/10 Ulu", "20 Ilir D IV"):
        assert (rows["desa"] == needle).any(), needle
    old = text[(t["kecamatan_code"] == "16.71.17").to_numpy()[messy]]
    assert old.str.contains(r"Seberang Ulu I\b|SU I\b").any()
    only_text = messy & (rows["desa"] == "").to_numpy()
    assert only_text.sum() > 500
    # dates: three notations, each parsing back to the true day
    valid = (t["invalid"] != "bad_date").to_numpy()
    parsed = rows.loc[valid, "tanggal"].map(_parse_tanggal)
    assert parsed.notna().all()
    true_day = t.loc[valid, "time"].dt.tz_localize(None).dt.normalize()
    assert (pd.DatetimeIndex(parsed.to_numpy()) == pd.DatetimeIndex(true_day)).all()
    styles = rows["tanggal"].str.extract(r"^(\d{2}/)|^(\d{4}-)|^(\d{1,2} [A-Z])").notna().mean()
    assert (styles > 0.1).all()
    assert rows["no_hp"].str.fullmatch(r"(0812-0000-\d{4})?").all()


def test_invalid_rows(sample: SampleData) -> None:
    inv = sample.invalid
    assert sample.n_invalid == len(inv)
    assert sample.n_invalid == (
        sample.counts["invalid_disturbances"] + sample.counts["invalid_activities"]
    )
    assert set(inv["reason"]) == {"no_place", "bad_date", "zero_coords"}
    rows = sample.disturbances.set_index("no")
    g = inv[inv["table"] == "gangguan"]
    for reason, nos in g.groupby("reason")["no"]:
        sub = rows.loc[nos]
        if reason == "bad_date":
            assert sub["tanggal"].map(_parse_tanggal).map(lambda v: v is None).all()
        else:
            assert (sub[["alamat", "desa", "kecamatan", "polsek"]] == "").all().all()
            expected = 0.0 if reason == "zero_coords" else ""
            assert (sub["lintang"] == expected).all()
            assert (sub["bujur"] == expected).all()


def test_bad_arguments(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="jatuh sebelum start"):
        make_sample(start="2025-02-01", end="2025-01-01", settings=settings)
    with pytest.raises(SettingsError, match="scale"):
        make_sample(scale=0, settings=settings)
    with pytest.raises(SettingsError, match="bukan tanggal"):
        make_sample(start="kemarin", settings=settings)
    with pytest.raises(SettingsError, match="pdf"):
        write_sample(tmp_path, formats=["pdf"], settings=settings)  # type: ignore[list-item]


def test_errors_are_indonesian_with_english_on_request(settings: Settings) -> None:
    with pytest.raises(SettingsError) as info:
        make_sample(start="2025-02-01", end="2025-01-01", settings=settings)
    assert (
        str(info.value)
        == "end='2025-01-01' jatuh sebelum start='2025-02-01'; tukar kedua tanggal itu."
    )
    assert info.value.text("en") == "end='2025-01-01' lies before start='2025-02-01'; swap them."


def test_people_spellings() -> None:
    assert people_desa_name("Dua-puluh Ilir Empat") == "20 Ilir D IV"
    assert people_desa_name("Dua-puluh-enam Ilir Satu") == "26 Ilir D I"
    assert people_desa_name("Enam-belas Ilir") == "16 Ilir"
    assert people_desa_name("Tiga Empat Ulu") == "3-4 Ulu"
    assert people_desa_name("Sembilan Sepuluh Ulu") == "9/10 Ulu"
    assert people_desa_name("Sebelas Ulu") == "11 Ulu"
    assert people_desa_name("Lorokpakjo") == "Lorok Pakjo"
    assert people_desa_name("Sukadana") == "Sukadana"
    assert kecamatan_forms("Ilir Timur Tiga")[:2] == ("Ilir Timur II", "IT II")
    assert dms(104.7628, lat=False) == "104°45'46.1\" BT"


def test_ramadhan_dates_agree_with_calendar() -> None:
    calendar = pytest.importorskip("kamtibmas_geo.calendar._dates")
    for hijri, (start, syawal) in zip(range(1444, 1448), RAMADHAN, strict=True):
        d = calendar.ramadhan_dates(hijri)
        assert (d.start, d.idul_fitri) == (start, syawal)


def test_cli_writes_files(settings: Settings, tmp_path: Path) -> None:
    from kamtibmas_geo.cli import main

    base = ["--source", str(settings.source), "--cache-dir", str(settings.cache_dir)]
    out = tmp_path / "out"
    args = ["sample", "--out", str(out), "--scale", "0.03", "--start", "2026-01-01"]
    with pytest.raises(SystemExit) as ok:
        main([*base, *args, "--end", "2026-06-30", "--seed", "7"])
    assert ok.value.code in (0, None)
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "gangguan.csv",
        "gangguan.xlsx",
        "informasi_dini.csv",
        "informasi_dini.xlsx",
        "kegiatan.csv",
        "kegiatan.xlsx",
        "poskamling.csv",
    ]
    csv = pd.read_csv(out / "gangguan.csv", sep=";", dtype=str, keep_default_na=False)
    xlsx = pd.read_excel(out / "gangguan.xlsx", dtype=str, keep_default_na=False)
    assert list(csv.columns) == DIST_COLUMNS
    assert len(csv) == len(xlsx) > 50
    assert (csv["jenis"] == xlsx["jenis"]).all()
    with pytest.raises(SystemExit) as exc:
        main([*base, "sample", "--out", str(out), "--format", "pdf"])
    assert exc.value.code == 2


def test_ledger_catches_exactly_the_invalid_rows(settings: Settings, tmp_path: Path) -> None:
    records = pytest.importorskip("kamtibmas_geo.records._read")
    geocode = pytest.importorskip("kamtibmas_geo.geocode._geocode")
    s = make_sample(seed=11, start="2025-01-01", end="2025-12-31", scale=0.5, settings=settings)
    paths = write_tables(s, tmp_path, formats=["csv"])
    for key, kind, truth, table in (
        ("gangguan_csv", "disturbance", s.truth, "gangguan"),
        ("kegiatan_csv", "activity", s.activity_truth, "kegiatan"),
    ):
        rs = records.read_records(paths[key], kind, settings=settings)
        geo = geocode.geocode(rs, settings=settings)
        n_rows = len(truth)
        assert len(geo.records) + len(geo.rejected) == n_rows
        rejected_no = set((geo.rejected["row"] - 1).tolist())  # header is row 1
        invalid_no = set(s.invalid.loc[s.invalid["table"] == table, "no"].tolist())
        assert invalid_no <= rejected_no
        # a valid row may still be honestly ambiguous (e.g. desa Tanjung Lubuk in Kec.
        # Kayuagung vs Kec. Tanjung Lubuk), but only rarely
        assert len(rejected_no - invalid_no) <= 0.005 * n_rows
        # every placed row lands in its true desa (address-only rows included)
        placed = truth.set_index("no").loc[geo.records["row"].to_numpy() - 1]
        assert (placed["desa_code"].to_numpy() == geo.records["desa_code"].to_numpy()).mean() > 0.99
