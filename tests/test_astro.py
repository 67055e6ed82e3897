"""Tests of _astro (Kemenag prayer times, Ramadhan windows) and _hilal (MABIMS month starts)."""

from __future__ import annotations

import doctest
import math
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from types import ModuleType

import ephem
import pytest

from kamtibmas_geo._errors import KamtibmasGeoError, SettingsError
from kamtibmas_geo.calendar import _astro, _hilal
from kamtibmas_geo.calendar._astro import patrol_windows, prayer_times, ramadhan_windows
from kamtibmas_geo.calendar._hijri import _table, _ummalqura
from kamtibmas_geo.calendar._hilal import HilalPosition, hilal_at_sunset, predict_month_start

PALEMBANG = (-2.99, 104.76)
KAYUAGUNG = (-3.39, 104.83)  # ibu kota Kabupaten Ogan Komering Ilir (OKI)

# --------------------------------------------------------------------------- prayer times

_SRC = {
    "lira": "https://liramedia.co.id/jelaskan-jadwal-imsak-dan-buka-puasa-ramadhan-1447-h-di-"
    "palembang-hari-ini-senin-23-februari-2026 (from bimasislam.kemenag.go.id)",
    "medan": "https://bansos.medanaktual.com/?p=110664 (from bimasislam.kemenag.go.id)",
    "kontan": "https://regional.kontan.co.id/news/penting-cek-waktu-azan-magrib-palembang-sabtu-73-"
    "siapkan-buka-puasa-anda-1 (Kemenag RI)",
    "suara15": "https://sumsel.suara.com/read/2026/03/15/153110/buka-puasa-palembang-15-maret-2026-"
    "jam-berapa-catat-waktu-magrib-hari-ini",
    "rcti": "https://cariberita.uk/read/6669685/jadwal-salat-dan-imsakiyah-kota-palembang-hari-ini-"
    "senin-26-ramadan-1447-h (rctiplus; 'jadwal salat resmi Kemenag RI')",
    "kbt": "https://www.kumpulanberitaterkini.com/read/12111/jadwal-imsakiyah-dan-buka-puasa-"
    "palembang-dan-sekitarnya-11-maret-2025 (Kementerian Agama RI)",
    "suara24": "https://sumsel.suara.com/amp/read/2024/03/14/231332/jadwal-imsak-15-maret-2024-"
    "wilayah-banyuasin-ogan-ilir-dan-ogan-komering-ilir",
    "palpres14": "https://palpres.bacakoran.co/read/9508/jadwal-imsak-dan-buka-puasa-di-palembang-"
    "ogan-ilir-dan-banyuasin-hari-ini-14-maret-2024/15",
    "palpres26": "https://palpres.bacakoran.co/amp/10347/jadwal-imsak-dan-buka-puasa-di-palembang-"
    "jakarta-dan-bekasi-hari-ini-selasa-26-maret-2024/48 (Bimas Islam Kemenag)",
}

#: Published Kemenag jadwal shalat (bimasislam.kemenag.go.id, as quoted by the pages in _SRC;
#: the Kemenag site itself is not reachable offline). "OKI" is the Kemenag entry of Kabupaten
#: Ogan Komering Ilir, whose capital is Kayuagung.
#:
#: Left out, because they contradict themselves or their neighbours by more than any sky
#: could: suara.com 28 Mar 2025 Palembang (ashar 15:27 is 8 min after the shadow time, the
#: other times 3-4 min off), suara.com 6/20/22 Mar 2025 Palembang maghrib (18:22, 18:15, 18:17:
#: sunset moves the other way), suara.com 17 Mar 2024 Palembang (maghrib 18:18 after 18:17 on
#: 14 Mar), suara.com 8 Apr 2023 Palembang (all times 3-6 min off: another city's table).
PUBLISHED: list[tuple[str, date, dict[str, str], str]] = [
    ("Palembang", date(2026, 2, 23), {"imsak": "04:43", "subuh": "04:53", "maghrib": "18:23"},
     "lira"),
    (
        "Palembang",
        date(2026, 3, 4),
        {"imsak": "04:43", "subuh": "04:53", "dzuhur": "12:16", "ashar": "15:22",
         "maghrib": "18:20", "isya": "19:29"},
        "medan",
    ),
    (
        "Palembang",
        date(2026, 3, 7),
        {"imsak": "04:43", "subuh": "04:53", "dzuhur": "12:15", "ashar": "15:19",
         "maghrib": "18:20", "isya": "19:28"},
        "kontan",
    ),
    (
        "Palembang",
        date(2026, 3, 15),
        {"imsak": "04:42", "subuh": "04:52", "dzuhur": "12:12", "ashar": "15:14",
         "maghrib": "18:16", "isya": "19:24"},
        "suara15",
    ),
    (
        "Palembang",
        date(2026, 3, 16),
        {"imsak": "04:42", "subuh": "04:52", "terbit": "06:03", "dzuhur": "12:13",
         "ashar": "15:14", "maghrib": "18:16", "isya": "19:25"},
        "rcti",
    ),
    ("Palembang", date(2025, 3, 11), {"maghrib": "18:18", "isya": "19:26"}, "kbt"),
    ("Kayuagung", date(2025, 3, 11), {"maghrib": "18:18", "isya": "19:26"}, "kbt"),
    (
        "Kayuagung",
        date(2024, 3, 15),
        {"imsak": "04:42", "subuh": "04:52", "terbit": "06:03", "dzuhur": "12:13",
         "ashar": "15:14", "maghrib": "18:17", "isya": "19:25"},
        "suara24",
    ),
    ("Palembang", date(2024, 3, 14), {"imsak": "04:42", "subuh": "04:52", "maghrib": "18:17"},
     "palpres14"),
    ("Palembang", date(2024, 3, 26), {"imsak": "04:39", "subuh": "04:49"}, "palpres26"),
]  # fmt: skip

_PLACES = {"Palembang": PALEMBANG, "Kayuagung": KAYUAGUNG}


def _minutes(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _differences() -> list[tuple[str, date, str, int]]:
    out = []
    for place, day, published, _ in PUBLISHED:
        got = prayer_times(day, *_PLACES[place]).as_dict()
        for name, text in published.items():
            hh, mm = map(int, text.split(":"))
            out.append((place, day, name, _minutes(got[name]) - (hh * 60 + mm)))
    return out


@pytest.mark.parametrize(
    ("place", "day", "published", "source"),
    PUBLISHED,
    ids=[f"{p}-{d}" for p, d, _, _ in PUBLISHED],
)
def test_prayer_times_within_two_minutes_of_published_kemenag(
    place: str, day: date, published: dict[str, str], source: str
) -> None:
    got = prayer_times(day, *_PLACES[place]).as_dict()
    for name, text in published.items():
        hh, mm = map(int, text.split(":"))
        diff = _minutes(got[name]) - (hh * 60 + mm)
        assert abs(diff) <= 2, f"{place} {day} {name}: {got[name]:%H:%M} vs {text} ({_SRC[source]})"


def test_prayer_times_accuracy_over_all_published_values() -> None:
    diffs = [d for *_, d in _differences()]
    assert len(diffs) == 44
    assert max(abs(d) for d in diffs) <= 1  # measured: never more than one minute off
    assert sum(d == 0 for d in diffs) >= 30  # measured: 30 of 44 to the minute
    assert sum(diffs) < 0  # measured: the misses are mostly a minute early (maghrib, dzuhur)


def test_palembang_ramadhan_1447_ranges_match_the_issue_sanity_check() -> None:
    """Issue 18 says Palembang maghrib is 18:14-18:23 in Feb-Mar and imsak 04:38-04:40.

    The maghrib range holds. The published Kemenag imsak for Ramadhan 1447 H is 04:42-04:43
    (see PUBLISHED), so the issue's 04:38-04:40 is a few minutes early; we follow Kemenag.
    Either way sahur must end after the old fixed 04:30 and ngabuburit after 18:15.
    """
    imsak, maghrib = [], []
    day = date(2026, 2, 18)
    while day <= date(2026, 3, 21):
        pt = prayer_times(day, *PALEMBANG)
        imsak.append(pt.imsak.strftime("%H:%M"))
        maghrib.append(pt.maghrib.strftime("%H:%M"))
        day += timedelta(days=1)
    assert (min(maghrib), max(maghrib)) == ("18:14", "18:23")
    assert (min(imsak), max(imsak)) == ("04:41", "04:43")


def _ephem_event(day: date, lat: float, lon: float, tz: float, horizon: str, kind: str) -> datetime:
    obs = ephem.Observer()
    obs.lat, obs.lon = math.radians(lat), math.radians(lon)
    obs.pressure, obs.horizon = 0.0, horizon
    obs.date = ephem.Date(datetime(day.year, day.month, day.day) - timedelta(hours=tz))
    sun = ephem.Sun()
    event = {
        "rising": obs.next_rising,
        "setting": obs.next_setting,
        "transit": obs.next_transit,
    }[kind]
    when = event(sun) if kind == "transit" else event(sun, use_center=True)
    return ephem.Date(when).datetime().replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("lat", "lon", "tz", "day"),
    [
        (*PALEMBANG, 7.0, date(2026, 2, 19)),
        (*KAYUAGUNG, 7.0, date(2025, 3, 20)),
        (3.59, 98.67, 7.0, date(2027, 2, 10)),  # Medan
        (-2.53, 140.72, 9.0, date(2024, 6, 21)),  # Jayapura, WIT, solstice
        (-6.2, 106.8, 7.0, date(2023, 12, 22)),  # Jakarta, solstice
    ],
)
def test_exact_times_agree_with_pyephem(lat: float, lon: float, tz: float, day: date) -> None:
    """The pure-Python NOAA Sun agrees with PyEphem's (an independent theory) to seconds."""
    pt = prayer_times(day, lat, lon, tz_hours=tz, exact=True)
    pairs = {
        "subuh": ("-20", "rising"),
        "terbit": ("-0:50", "rising"),
        "dzuhur": ("0", "transit"),
        "maghrib": ("-0:50", "setting"),
        "isya": ("-18", "setting"),
    }
    for name, (horizon, kind) in pairs.items():
        ours = getattr(pt, name)
        theirs = _ephem_event(day, lat, lon, tz, horizon, kind)
        assert abs((ours - theirs).total_seconds()) <= 20, (name, ours, theirs)
    # ashar: PyEphem's Sun at our ashar is at the altitude of shadow = 1 + noon shadow
    obs = ephem.Observer()
    obs.lat, obs.lon, obs.pressure = math.radians(lat), math.radians(lon), 0.0
    sun = ephem.Sun()
    obs.date = ephem.Date(pt.dzuhur.astimezone(UTC).replace(tzinfo=None))
    sun.compute(obs)
    noon_zenith = math.pi / 2 - float(sun.alt)
    target = math.degrees(math.atan(1 / (1 + math.tan(noon_zenith))))
    obs.date = ephem.Date(pt.ashar.astimezone(UTC).replace(tzinfo=None))
    sun.compute(obs)
    assert math.degrees(float(sun.alt)) == pytest.approx(target, abs=0.02)


def test_published_rounding_is_ihtiyat_then_whole_minutes() -> None:
    day = date(2026, 3, 16)
    exact = prayer_times(day, *PALEMBANG, exact=True)
    pub = prayer_times(day, *PALEMBANG)
    for name in ("subuh", "dzuhur", "ashar", "maghrib", "isya"):
        moment = getattr(exact, name) + timedelta(minutes=2)
        up = moment.replace(second=0) + timedelta(minutes=1 if moment.second else 0)
        assert getattr(pub, name) == up, name
    assert pub.terbit == (exact.terbit - timedelta(minutes=2)).replace(second=0)
    assert pub.imsak == pub.subuh - timedelta(minutes=10)
    assert exact.imsak == exact.subuh - timedelta(minutes=10)
    assert all(
        t.second == 0 and t.utcoffset() == timedelta(hours=7) for t in pub.as_dict().values()
    )
    assert list(pub.as_dict()) == ["imsak", "subuh", "terbit", "dzuhur", "ashar", "maghrib", "isya"]
    assert pub.subuh.tzname() == "WIB"
    assert prayer_times(day, -8.65, 115.22, tz_hours=8).subuh.tzname() == "WITA"


def test_elevation_moves_only_sunrise_and_sunset() -> None:
    day = date(2026, 3, 1)
    low = prayer_times(day, -4.03, 103.25, exact=True)  # Pagar Alam area
    high = prayer_times(day, -4.03, 103.25, elevation_m=900.0, exact=True)
    # dip 1.76' x 30 = 0.88 deg: about 3.5 min near the equator
    assert 180 < (high.maghrib - low.maghrib).total_seconds() < 260
    assert 180 < (low.terbit - high.terbit).total_seconds() < 260
    for name in ("subuh", "dzuhur", "ashar", "isya"):
        assert getattr(high, name) == getattr(low, name)


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"day": date(2026, 3, 1), "lat": 91.0, "lon": 104.0}, "lat"),
        ({"day": date(2026, 3, 1), "lat": True, "lon": 104.0}, "angka"),
        ({"day": date(2026, 3, 1), "lat": math.nan, "lon": 104.0}, "lat"),
        ({"day": datetime(2026, 3, 1, 4), "lat": -3.0, "lon": 104.0}, "tanggal"),
        ({"day": "2026-03-01", "lat": -3.0, "lon": 104.0}, "tanggal"),
        ({"day": date(2026, 3, 1), "lat": -3.0, "lon": 104.0, "elevation_m": -5.0}, "elevation_m"),
        ({"day": date(2026, 6, 21), "lat": 80.0, "lon": 20.0}, "tidak mencapai"),
    ],
)
def test_prayer_times_rejects_bad_input_in_indonesian(kwargs: dict[str, object], text: str) -> None:
    with pytest.raises(SettingsError, match=text) as info:
        prayer_times(**kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, KamtibmasGeoError)
    assert isinstance(info.value, ValueError)


def test_astro_errors_give_english_on_request() -> None:
    with pytest.raises(SettingsError) as info:
        prayer_times(date(2026, 3, 1), 91.0, 104.0)
    assert str(info.value) == "lat = 91.0 di luar rentang -90.0..90.0. Periksa nilainya."
    assert info.value.text("en") == "lat = 91.0 is outside -90.0..90.0. Check the value."
    with pytest.raises(SettingsError) as info:
        predict_month_start(1448, 13)
    assert str(info.value).startswith("Bulan Hijriah harus bilangan bulat 1..12")
    assert info.value.text("en").startswith("The Hijri month must be a whole number 1..12")


# --------------------------------------------------------------------------- month starts

#: Official Kemenag (sidang isbat) 1 Ramadhan and 1 Syawal, 1441-1447 H. The same values and
#: their sources (the sidang isbat of 29 Syakban / 29 Ramadhan each year; KMA No. 385/2023 for
#: 1 Syawal 1444 H) are in kamtibmas_geo/data/ramadhan.toml; the test checks the two agree.
OFFICIAL: dict[int, tuple[date, date]] = {
    1441: (date(2020, 4, 24), date(2020, 5, 24)),
    1442: (date(2021, 4, 13), date(2021, 5, 13)),
    1443: (date(2022, 4, 3), date(2022, 5, 2)),
    1444: (date(2023, 3, 23), date(2023, 4, 22)),
    1445: (date(2024, 3, 12), date(2024, 4, 10)),
    1446: (date(2025, 3, 1), date(2025, 3, 31)),
    1447: (date(2026, 2, 19), date(2026, 3, 21)),
}


def test_official_dates_are_the_package_table() -> None:
    table = _table()["kemenag"]
    for year, (start, lebaran) in OFFICIAL.items():
        assert (table[year]["ramadhan"], table[year]["idul_fitri"]) == (start, lebaran)


@pytest.mark.parametrize("year", sorted(OFFICIAL))
def test_mabims_prediction_equals_sidang_isbat(year: int) -> None:
    start, lebaran = OFFICIAL[year]
    assert predict_month_start(year, 9) == start
    assert predict_month_start(year, 10) == lebaran
    # counting the 29th from the official 1 Ramadhan, as the sidang isbat does
    assert predict_month_start(year, 10, previous_start=start) == lebaran


def test_the_criteria_in_force_matter() -> None:
    """Each year needs the criteria Kemenag applied then ("auto").

    On 29 Syakban 1441 and 1442 H the hilal was about 3.4 deg high but only 5.6-5.9 deg from
    the Sun: enough for the old 2-3-8 criteria, not for 3-6.4 (a day later). The other way
    round, the old criteria would have started 1 Ramadhan 1443, 1 Syawal 1444 and 1 Syawal
    1447 H a day earlier than Kemenag did under the new ones.
    """
    assert predict_month_start(1441, 9, criteria="mabims2021") == date(2020, 4, 25)
    assert predict_month_start(1442, 9, criteria="mabims2021") == date(2021, 4, 14)
    early = []
    for year in range(1443, 1448):
        for month, official in zip((9, 10), OFFICIAL[year], strict=True):
            old = predict_month_start(year, month, criteria="mabims1996")
            if old != official:
                assert official - old == timedelta(days=1)
                early.append((year, month))
    assert early == [(1443, 9), (1444, 10), (1447, 10)]


def test_ummalqura_fallback_is_a_day_early_in_six_of_fourteen_dates() -> None:
    """Issue 16: the Umm al-Qura fallback is often a day early; here are the counts.

    Of the 14 official dates of 1441-1447 H, Umm al-Qura (hijridate) gives 6 a day early and
    none late: 1 Ramadhan 1443, 1445, 1447 and 1 Syawal 1444, 1446, 1447 (5 of the 7 years).
    The MABIMS prediction gets all 14 (test above).
    """
    early, late, years = 0, 0, set()
    for year, official in OFFICIAL.items():
        for uq, off in zip(_ummalqura(year), official, strict=True):
            early += (off - uq).days == 1
            late += (uq - off).days >= 1
            if uq != off:
                years.add(year)
    assert (early, late) == (6, 0)
    assert years == {1443, 1444, 1445, 1446, 1447}


def test_hilal_matches_kemenag_hisab_at_sabang_for_syawal_1445() -> None:
    """Kemenag's seminar on 9 Apr 2024 (Cecep Nurwendaya, Tim Hisab Rukyat Kemenag).

    At Sabang: altitude 7°37'50" (7.63 deg), elongation 10°12'56" (10.22 deg). Source:
    https://ramadhan.republika.co.id/berita/sboblc423/tim-hisab-rukyat-tinggi-hilal-jauh-di-atas-
    kriteria-mabims-1-syawal-jatuh-pada-10-april
    """
    h = hilal_at_sunset(date(2024, 4, 9), lat=5.8926, lon=95.3238)
    assert h.altitude == pytest.approx(7 + 37 / 60 + 50 / 3600, abs=0.05)
    assert h.elongation == pytest.approx(10 + 12 / 60 + 56 / 3600, abs=0.02)
    assert h.meets("mabims2021")
    assert h.conjunction == datetime(2024, 4, 8, 18, 20, 48, tzinfo=UTC)
    assert 17 < h.age_hours < 18


def test_ramadhan_1446_was_a_knife_edge() -> None:
    """28 Feb 2025: elongation 6.4 deg in Aceh (Kemenag), 1 Ramadhan 1446 H on 1 March.

    The margin is under 0.01 deg: such a year is a prediction to flag, not to trust.
    """
    h = hilal_at_sunset(date(2025, 2, 28))
    assert 6.40 <= h.elongation < 6.41
    assert h.altitude > 3
    jakarta = hilal_at_sunset(date(2025, 2, 28), lat=-6.2, lon=106.8)
    assert not jakarta.meets()  # met only in the far west of Indonesia


def test_meets_thresholds() -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)

    def pos(alt: float, elong: float, age: float) -> HilalPosition:
        return HilalPosition(moment, moment, alt, elong, age)

    assert pos(3.0, 6.4, 10).meets("mabims2021")
    assert not pos(2.99, 7.0, 10).meets("mabims2021")
    assert not pos(4.0, 6.39, 10).meets("mabims2021")
    assert not pos(5.0, 9.0, -0.5).meets("mabims2021")  # conjunction after sunset
    assert pos(2.0, 2.0, 8.0).meets("mabims1996")  # age instead of elongation
    assert pos(2.0, 3.0, 5.0).meets("mabims1996")
    assert not pos(2.0, 2.9, 7.9).meets("mabims1996")
    assert not pos(1.9, 9.0, 20).meets("mabims1996")
    with pytest.raises(SettingsError, match="Kriteria"):
        pos(3, 7, 10).meets("odeh")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"hijri_year": 1448, "hijri_month": 13}, "Bulan Hijriah"),
        ({"hijri_year": 1448.0, "hijri_month": 9}, "Bulan Hijriah"),
        ({"hijri_year": 1448, "hijri_month": 9, "criteria": "wujudul_hilal"}, "Kriteria"),
        ({"hijri_year": 1448, "hijri_month": 10, "previous_start": date(2027, 1, 1)}, "ijtimak"),
        ({"hijri_year": 1448, "hijri_month": 9, "lat": 100.0}, "lat"),
    ],
)
def test_predict_month_start_rejects_bad_input(kwargs: dict[str, object], text: str) -> None:
    with pytest.raises(SettingsError, match=text):
        predict_month_start(**kwargs)  # type: ignore[arg-type]


def test_a_future_year_is_predicted() -> None:
    # 1448 H is not in the official table; the prediction is what the lead wires in.
    start = predict_month_start(1448, 9)
    lebaran = predict_month_start(1448, 10, previous_start=start)
    assert date(2027, 2, 6) <= start <= date(2027, 2, 10)
    assert (lebaran - start).days in (29, 30)


# --------------------------------------------------------------------------- windows


def test_ramadhan_windows_follow_the_sky_and_the_calendar() -> None:
    start, lebaran = OFFICIAL[1447]
    eve = start - timedelta(days=1)
    assert list(ramadhan_windows(eve, *PALEMBANG, start=start, idul_fitri=lebaran)) == ["tarawih"]
    first = ramadhan_windows(start, *PALEMBANG, start=start, idul_fitri=lebaran)
    assert list(first) == ["sahur", "ngabuburit", "tarawih"]
    pt = prayer_times(start, *PALEMBANG)
    assert first["sahur"] == (pt.imsak - timedelta(minutes=90), pt.imsak)
    assert first["ngabuburit"] == (pt.maghrib - timedelta(hours=2), pt.maghrib)
    assert first["tarawih"] == (pt.isya, pt.isya + timedelta(hours=2))
    last = lebaran - timedelta(days=1)
    w = ramadhan_windows(last, *PALEMBANG, start=start, idul_fitri=lebaran)
    assert list(w) == ["sahur", "ngabuburit", "takbiran"]
    assert w["takbiran"][0] == prayer_times(last, *PALEMBANG).maghrib
    assert w["takbiran"][1].strftime("%Y-%m-%d %H:%M") == f"{last} 23:59"
    assert ramadhan_windows(lebaran, *PALEMBANG, start=start, idul_fitri=lebaran) == {}
    assert list(ramadhan_windows(last, *PALEMBANG)) == ["sahur", "ngabuburit", "tarawih"]
    # the old fixed windows ended early: sahur at 04:30 and ngabuburit at 18:15
    assert first["sahur"][1].strftime("%H:%M") > "04:30"
    assert first["ngabuburit"][1].strftime("%H:%M") > "18:15"


def test_ramadhan_windows_needs_both_dates_in_order() -> None:
    with pytest.raises(SettingsError, match="bersama"):
        ramadhan_windows(date(2026, 3, 1), *PALEMBANG, start=date(2026, 2, 19))
    with pytest.raises(SettingsError, match="bersama"):
        ramadhan_windows(
            date(2026, 3, 1), *PALEMBANG, start=date(2026, 3, 21), idul_fitri=date(2026, 2, 19)
        )


def test_patrol_windows_fill_the_day_around_the_prayers() -> None:
    start, lebaran = OFFICIAL[1447]
    day = date(2026, 3, 4)
    w = patrol_windows(day, *PALEMBANG, start=start, idul_fitri=lebaran)
    assert list(w) == ["sahur", "subuh", "siang", "ngabuburit", "tarawih", "malam"]
    pt, after = prayer_times(day, *PALEMBANG), prayer_times(day + timedelta(days=1), *PALEMBANG)
    assert w["sahur"][1] == w["subuh"][0] == pt.imsak
    assert w["subuh"][1] == w["siang"][0] == pt.terbit + timedelta(minutes=30)
    assert w["siang"][1] == w["ngabuburit"][0]
    assert w["ngabuburit"][1] == pt.maghrib
    assert w["tarawih"][0] == pt.isya
    assert w["malam"] == (pt.isya + timedelta(hours=2), after.imsak - timedelta(minutes=90))
    # published Kemenag schedule for 4 Mar 2026 (PUBLISHED, "medan"): imsak 04:43, maghrib
    # 18:20, isya 19:29 -- the windows end and start there, to the minute
    assert w["sahur"][1].strftime("%H:%M") == "04:43"
    assert w["ngabuburit"][1].strftime("%H:%M") == "18:20"
    assert w["tarawih"][0].strftime("%H:%M") == "19:29"
    eve = patrol_windows(start - timedelta(days=1), *PALEMBANG, start=start, idul_fitri=lebaran)
    assert list(eve) == ["subuh", "siang", "tarawih", "malam"]  # the first tarawih, no fast yet
    last = patrol_windows(lebaran - timedelta(days=1), *PALEMBANG, start=start, idul_fitri=lebaran)
    assert "takbiran" in last
    assert "tarawih" not in last
    assert list(patrol_windows(lebaran, *PALEMBANG, start=start, idul_fitri=lebaran)) == [
        "subuh",
        "siang",
        "malam",
    ]


def test_patrol_windows_at_kayuagung_follow_the_published_schedule() -> None:
    """Kemenag for OKI (Kayuagung), 15 Mar 2024 (PUBLISHED, "suara24"): imsak 04:42, maghrib
    18:17, isya 19:25; the windows end and start within 2 minutes of them."""
    w = patrol_windows(date(2024, 3, 15), *KAYUAGUNG)
    for got, published in (
        (w["sahur"][1], "04:42"),
        (w["ngabuburit"][1], "18:17"),
        (w["tarawih"][0], "19:25"),
    ):
        hh, mm = map(int, published.split(":"))
        assert abs(_minutes(got) - (hh * 60 + mm)) <= 2


# --------------------------------------------------------------------------- the module


@pytest.mark.parametrize("module", [_astro, _hilal])
def test_docstring_examples_run(module: ModuleType) -> None:
    failed, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted >= 3
    assert failed == 0


def test_import_does_not_load_ephem() -> None:
    code = "import sys, kamtibmas_geo.calendar._hilal; print('ephem' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
