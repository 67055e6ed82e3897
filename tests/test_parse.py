"""Property and unit tests of coordinate, date and time parsing (kamtibmas_geo.records._parse)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtibmas_geo.records._parse import (
    coords_to_float,
    dates_to_utc,
    parse_coord,
    parse_coord_pair,
    parse_datetime,
    parse_time,
    times_to_seconds,
)

TZ = "Asia/Jakarta"
ID_MONTHS = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
]  # fmt: skip
ID_ABBR = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des"]
ID_ABBR2 = ["Jan", "Peb", "Mrt", "Apr", "Mei", "Jun", "Jul", "Ags", "Sept", "Okt", "Nop", "Des"]
EN_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
ID_DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]

# ---------------------------------------------------------------- coordinates
lat_values = st.floats(-89.999, 89.999, allow_nan=False).map(lambda x: round(x, 6))
lon_values = st.floats(-179.999, 179.999, allow_nan=False).map(lambda x: round(x, 6))


@given(lat_values, st.booleans())
def test_decimal_round_trip_dot_and_comma(value: float, comma: bool) -> None:
    text = f"{value:.6f}"
    if comma:
        text = text.replace(".", ",")
    got, err = parse_coord(text)
    assert err is None
    assert got == pytest.approx(value, abs=1e-9)


@given(
    st.integers(0, 179),
    st.integers(0, 59),
    st.integers(0, 599).map(lambda s: s / 10),
    st.sampled_from(["LS", "LU", "BT", "BB", "N", "S", "E", "W"]),
    st.sampled_from(["marks", "tight", "prefix", "spaces", "comma_seconds"]),
)
def test_dms_round_trip_and_hemisphere_sign(
    deg: int, minutes: int, seconds: float, hemi: str, style: str
) -> None:
    if style == "marks":
        text = f"{deg}° {minutes}' {seconds}\" {hemi}"
    elif style == "tight":
        text = f"{deg}°{minutes}'{seconds}\"{hemi}"
    elif style == "prefix":
        text = f"{hemi} {deg}° {minutes}′ {seconds}″"
    elif style == "spaces":
        text = f"{deg} {minutes} {seconds} {hemi}"
    else:
        text = f"{deg}°{minutes}'{str(seconds).replace('.', ',')}\" {hemi}"
    sign = -1 if hemi in {"LS", "BB", "S", "W"} else 1
    got, err = parse_coord(text)
    assert err is None, text
    assert got == pytest.approx(sign * (deg + minutes / 60 + seconds / 3600), abs=2e-6)


@given(lat_values, lon_values, st.sampled_from([", ", ";", "; ", " ", " / "]), st.booleans())
def test_pair_round_trip_with_comma_decimals(lat: float, lon: float, sep: str, comma: bool) -> None:
    a, b = f"{lat:.5f}", f"{lon:.5f}"
    if comma:
        if sep == " ":
            sep = ", "
        a, b = a.replace(".", ","), b.replace(".", ",")
    got_lat, got_lon, err = parse_coord_pair(f"{a}{sep}{b}")
    assert err is None
    assert got_lat == pytest.approx(round(lat, 5), abs=1e-9)
    assert got_lon == pytest.approx(round(lon, 5), abs=1e-9)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2° 59' 34.5\" LS", -2.992917),
        ("104°45'BT", 104.75),
        ("S 2.99", -2.99),
        ("E 104.75", 104.75),
        ("-2,9761", -2.9761),
        ("2.99LS", -2.99),
        ("−2.5", -2.5),
        (" 104.7 ", 104.7),
        (104.7, 104.7),
    ],
)
def test_coordinate_notations(text: object, expected: float) -> None:
    got, err = parse_coord(text)
    assert err is None
    assert got == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    "text", ["abc", "1e5", "104.745.12", "2° 75' LS", '=HYPERLINK("x","y")', "S 2 N 3", "x" * 99]
)
def test_bad_coordinates_are_codes_not_exceptions(text: str) -> None:
    got, err = parse_coord(text)
    assert math.isnan(got)
    assert err == "coord_unparsed"


@pytest.mark.parametrize(
    ("text", "lat", "lon"),
    [
        ("-2,976, 104,745", -2.976, 104.745),
        ("-2,976;104,745", -2.976, 104.745),
        ("-2.976,104.745", -2.976, 104.745),
        ("-2,976,104,745", -2.976, 104.745),
        ("S 2.99 E 104.75", -2.99, 104.75),
        ("2°59'34.5\"LS 104°45'BT", -2.992917, 104.75),
        ("104.7 BT 2.9 LS", -2.9, 104.7),
        ("(-2.97, 104.7)", -2.97, 104.7),
    ],
)
def test_pair_notations(text: str, lat: float, lon: float) -> None:
    got = parse_coord_pair(text)
    assert got[2] is None
    assert got[:2] == pytest.approx((lat, lon), abs=1e-6)


def test_vectorised_coordinates_match_scalar() -> None:
    raw = pd.Series(["-2.97", "-2,97", "2° 58' LS", "", None, "abc", "1e400"], dtype=object)
    values, codes = coords_to_float(raw)
    assert values[:3] == pytest.approx([-2.97, -2.97, -(2 + 58 / 60)], abs=1e-6)
    assert (
        list(codes) == [None, None, None, "coord_missing", "coord_missing"] + ["coord_unparsed"] * 2
    )


# ---------------------------------------------------------------- dates
dates = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))


def _formats(d: dt.date) -> list[object]:
    m = d.month - 1
    wd = ID_DAYS[d.weekday()]
    return [
        d.isoformat(),
        d.strftime("%d/%m/%Y"),
        f"{d.day}/{d.month}/{d.year}",
        d.strftime("%d-%m-%y"),
        d.strftime("%d.%m.%Y"),
        f"{d.day} {ID_MONTHS[m]} {d.year}",
        f"{d.day} {ID_MONTHS[m].upper()} {d.year}",
        f"{d.day} {ID_ABBR[m]} {d.year}",
        f"{d.day}-{ID_ABBR2[m]}-{d.year}",
        f"{wd}, {d.day}/{d.month}/{d.year}",
        f"{wd}, {d.day} {ID_MONTHS[m]} {d.year}",
        f"{EN_MONTHS[m]} {d.day}, {d.year}",
        f"{d.day} {EN_MONTHS[m]} {d.year}",
        d.strftime("%Y%m%d"),
        (d - dt.date(1899, 12, 30)).days,  # Excel serial
        str((d - dt.date(1899, 12, 30)).days),
        dt.datetime(d.year, d.month, d.day),
        d,
    ]


@settings(max_examples=40)
@given(dates)
def test_date_round_trip_every_format(d: dt.date) -> None:
    for value in _formats(d):
        ts, known, err = parse_datetime(value)
        assert err is None, value
        assert ts is not None
        assert ts.date() == d, value
        assert known is False, value


@settings(max_examples=40)
@given(dates, st.integers(0, 23), st.integers(0, 59))
def test_datetime_round_trip_with_time(d: dt.date, hh: int, mm: int) -> None:
    want = dt.datetime(d.year, d.month, d.day, hh, mm)
    for value in [
        want.strftime("%Y-%m-%d %H:%M:%S"),
        want.strftime("%Y-%m-%dT%H:%M"),
        want.strftime("%d/%m/%Y %H.%M"),
        f"{d.day} {ID_MONTHS[d.month - 1]} {d.year} pukul {hh:02d}.{mm:02d} WIB",
        want,
    ]:
        ts, known, err = parse_datetime(value)
        assert err is None, value
        assert ts is not None
        local = ts.tz_localize(None) if ts.tzinfo else ts
        assert local == pd.Timestamp(want), value
        # a datetime cell at exactly midnight is taken as a date without a time
        assert known is (not isinstance(value, dt.datetime) or (hh, mm) != (0, 0)), value


@settings(max_examples=30)
@given(st.lists(dates, min_size=1, max_size=20), st.integers(0, 3))
def test_vectorised_dates_match_scalar(days: list[dt.date], style: int) -> None:
    fmt = ["%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%Y-%m-%d %H:%M:%S"][style]
    raw = pd.Series([d.strftime(fmt) for d in days])
    ns, known, codes = dates_to_utc(raw, TZ)
    assert all(c is None for c in codes)
    got = pd.to_datetime(ns, utc=True).tz_convert(TZ).date
    assert list(got) == days
    assert known.all() if style == 3 else not known.any()


def test_day_first_and_impossible_dates() -> None:
    ts, _, _ = parse_datetime("03/04/2026")
    assert ts == pd.Timestamp("2026-04-03")
    assert parse_datetime("31/02/2026")[2] == "date_impossible"
    assert parse_datetime("29/02/2025")[2] == "date_impossible"
    assert parse_datetime("29/02/2024")[2] is None
    assert parse_datetime("01/01/1999")[2] == "date_out_of_range"
    assert parse_datetime("2101-01-01")[2] == "date_out_of_range"
    assert parse_datetime(12)[2] == "date_out_of_range"  # serial 12 = 1900
    assert parse_datetime("kemarin sore")[2] == "date_unparsed"
    assert parse_datetime("")[2] == "date_missing"
    assert parse_datetime("10/02/2026 25.00")[2] == "time_invalid"
    assert parse_datetime("Agustus 2025")[2] == "date_unparsed"


def test_zones_are_converted_to_wib() -> None:
    raw = pd.Series(
        ["2026-02-10T21:30:00+08:00", "10/02/2026 21.30 WITA", "10/02/2026 22.30 WIT",
         "2026-02-10 13:30:00Z", "10/02/2026 20.30"]
    )  # fmt: skip
    ns, known, codes = dates_to_utc(raw, TZ)
    local = pd.to_datetime(ns, utc=True).tz_convert(TZ)
    assert list(local.strftime("%H:%M")) == ["20:30"] * 5
    assert known.all()
    assert all(c is None for c in codes)


def test_datetime_columns_and_serials() -> None:
    naive = pd.Series(
        pd.to_datetime(["2026-02-10 21:30", "2026-02-11", None, "1990-01-01"], format="mixed")
    )
    ns, known, codes = dates_to_utc(naive, TZ)
    assert list(known) == [True, False, False, False]
    assert list(codes) == [None, None, "date_missing", "date_out_of_range"]
    serial = pd.Series([45698.75, 45699.0])
    ns, known, codes = dates_to_utc(serial, TZ)
    local = pd.to_datetime(ns, utc=True).tz_convert(TZ)
    assert list(local.strftime("%Y-%m-%d %H:%M")) == ["2025-02-10 18:00", "2025-02-11 00:00"]
    assert list(known) == [True, False]


@pytest.mark.parametrize(
    ("value", "secs"),
    [
        ("21.30", 77400),
        ("21:30", 77400),
        ("21.30 WIB", 77400),
        ("pukul 21.30", 77400),
        ("Pkl. 21.30", 77400),
        ("2130", 77400),
        ("21", 75600),
        (0.5, 43200),
        (dt.time(21, 30), 77400),
        ("21:30:15", 77415),
    ],
)
def test_time_notations(value: object, secs: int) -> None:
    assert parse_time(value) == (secs, None)


@pytest.mark.parametrize("value", ["25.00", "21.75", "malam", "=1+1", True, 99])
def test_bad_times(value: object) -> None:
    assert parse_time(value) == (None, "time_invalid")


def test_times_vectorised() -> None:
    secs, codes = times_to_seconds(pd.Series(["21.30", None, "x", "21.30", np.nan]))
    assert secs[0] == secs[3] == 77400
    assert list(codes) == [None, "time_missing", "time_invalid", None, "time_missing"]
