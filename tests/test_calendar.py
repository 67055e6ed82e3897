from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kamtibmas_geo._errors import ProvisionalDateWarning, SettingsError
from kamtibmas_geo.calendar._dates import (
    PHASE_PRIORITY,
    PHASES,
    TIME_WINDOWS,
    RamadhanDates,
    label_phases,
    parse_target,
    phases,
    ramadhan_dates,
    ramadhan_for_gregorian,
    read_overrides,
    time_window,
)

KEMENAG = {
    1444: ("2023-03-23", "2023-04-22"),
    1445: ("2024-03-12", "2024-04-10"),
    1446: ("2025-03-01", "2025-03-31"),
    1447: ("2026-02-19", "2026-03-21"),
}
MUHAMMADIYAH = {
    1444: ("2023-03-23", "2023-04-21"),
    1445: ("2024-03-11", "2024-04-10"),
    1446: ("2025-03-01", "2025-03-31"),
    1447: ("2026-02-18", "2026-03-20"),
}


def _d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(("year", "pair"), sorted(KEMENAG.items()))
def test_official_kemenag_dates(year: int, pair: tuple[str, str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = ramadhan_dates(year)
    assert (d.start, d.idul_fitri) == (_d(pair[0]), _d(pair[1]))
    assert d.official
    assert d.method == "kemenag"
    assert "Kemenag" in d.source
    assert d.n_days in (29, 30)


@pytest.mark.parametrize(("year", "pair"), sorted(MUHAMMADIYAH.items()))
def test_muhammadiyah_dates(year: int, pair: tuple[str, str]) -> None:
    d = ramadhan_dates(year, method="muhammadiyah")
    assert (d.start, d.idul_fitri) == (_d(pair[0]), _d(pair[1]))
    assert "Muhammadiyah" in d.source
    assert d.official


def test_ummalqura_method_has_no_warning_and_is_not_official() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = ramadhan_dates(1446, method="ummalqura")
    assert d.start == _d("2025-03-01")
    assert not d.official


def test_fallback_1448_warns_and_is_plausible() -> None:
    with pytest.warns(UserWarning, match="may differ by a day"):
        d = ramadhan_dates(1448)
    assert not d.official
    assert d.method == "mabims"  # Kemenag's criteria, not Umm al-Qura
    assert (d.start, d.idul_fitri) == (_d("2027-02-08"), _d("2027-03-10"))
    assert "MABIMS" in d.source
    assert d.n_days in (29, 30)
    # Muhammadiyah has no MABIMS: it keeps the Umm al-Qura fallback
    with pytest.warns(ProvisionalDateWarning, match="Umm al-Qura"):
        assert ramadhan_dates(1448, method="muhammadiyah").method == "ummalqura"


def test_mabims_fallback_reproduces_the_official_kemenag_dates() -> None:
    """Issue 16: 1441-1447 H, the years of the official table, predicted without it.

    The MABIMS prediction (the fallback for years not in the table) gives all 14 official
    dates; the Umm al-Qura calendar, the fallback before, is a day early in 6 of them.
    """
    from kamtibmas_geo.calendar._dates import _mabims
    from kamtibmas_geo.calendar._hijri import _table, _ummalqura

    table = _table()["kemenag"]
    official = {y: (table[y]["ramadhan"], table[y]["idul_fitri"]) for y in range(1441, 1448)}
    predicted = {y: _mabims(y) for y in official}
    assert predicted == official
    uq = {y: _ummalqura(y) for y in official}
    early = [(y, i) for y in official for i in (0, 1) if (official[y][i] - uq[y][i]).days == 1]
    assert len(early) == 6
    # with the table gone for a year, ramadhan_dates predicts it the same way
    with pytest.warns(ProvisionalDateWarning, match="MABIMS"):
        d = ramadhan_dates(1449)
    assert (d.start, d.idul_fitri) == _mabims(1449)


def test_overrides_win_and_are_checked() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = ramadhan_dates(1448, overrides={1448: ("2027-02-08", "2027-03-10")})
    assert (d.start, d.idul_fitri) == (_d("2027-02-08"), _d("2027-03-10"))
    assert d.official
    assert d.method == "override"
    # an override also beats the official table
    d = ramadhan_dates(1447, overrides={1447: (date(2026, 2, 18), date(2026, 3, 20))})
    assert d.start == _d("2026-02-18")
    with pytest.raises(SettingsError, match="29 atau 30 hari"):
        ramadhan_dates(1448, overrides={1448: ("2027-02-08", "2027-04-10")})
    with pytest.raises(SettingsError, match="YYYY-MM-DD"):
        ramadhan_dates(1448, overrides={1448: ("8 Feb 2027", "2027-03-10")})


def test_read_overrides(tmp_path: Path) -> None:
    f = tmp_path / "tanggal.toml"
    f.write_text(
        '[ramadhan]\n1448 = ["2027-02-08", "2027-03-10"]\n\n'
        "[ramadhan.1449]\nstart = 2028-01-28\nidul_fitri = 2028-02-27\n",
        encoding="utf-8",
    )
    ov = read_overrides(f)
    assert ov == {
        1448: (_d("2027-02-08"), _d("2027-03-10")),
        1449: (_d("2028-01-28"), _d("2028-02-27")),
    }
    assert ramadhan_dates(1449, overrides=ov).idul_fitri == _d("2028-02-27")
    bad = tmp_path / "bad.toml"
    bad.write_text('[ramadhan]\nx = ["2027-02-08", "2027-03-10"]\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="tahun Hijriah"):
        read_overrides(bad)
    with pytest.raises(SettingsError, match="tidak ada"):
        read_overrides(tmp_path / "missing.toml")


def test_ramadhan_for_gregorian_and_parse_target() -> None:
    assert ramadhan_for_gregorian(2024).hijri_year == 1445
    assert ramadhan_for_gregorian(2026).start == _d("2026-02-19")
    for text in ("ramadhan-1447", "Ramadhan 1447 H", "1447", "ramadhan-2026", "RAMADAN_2026"):
        assert parse_target(text).hijri_year == 1447, text
    assert parse_target(1447).hijri_year == 1447
    d = RamadhanDates(1500, date(2077, 1, 1), date(2077, 1, 31), "x", True)
    assert parse_target(d) is d
    with pytest.warns(UserWarning, match="Umm al-Qura"):
        assert parse_target("ramadhan-2027").hijri_year == 1448
    ov = {1448: ("2027-02-08", "2027-03-10")}
    assert parse_target("ramadhan-1448", overrides=ov).idul_fitri == _d("2027-03-10")


def test_errors_are_indonesian_with_english_on_request(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as info:
        ramadhan_dates(1448, overrides={1448: ("8 Feb 2027", "2027-03-10")})
    assert str(info.value) == (
        "Tanggal 1 Ramadhan pengganti untuk 1448 H harus tanggal yang ditulis YYYY-MM-DD, "
        "bukan '8 Feb 2027'."
    )
    assert info.value.text("en") == (
        "The 1 Ramadhan override of 1448 H must be a date written YYYY-MM-DD, got '8 Feb 2027'."
    )
    f = tmp_path / "tanggal.toml"
    f.write_text('[ramadhan]\n1448 = ["2027-02-08", "2027-04-10"]\n', encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        read_overrides(f)
    assert str(info.value).startswith(f"{f} untuk 1448 H: 1 Ramadhan 2027-02-08 dan 1 Syawal")
    assert "berjarak 61 hari" in str(info.value)
    assert info.value.text("en").startswith(f"{f} for 1448 H: 1 Ramadhan 2027-02-08 and")
    with pytest.raises(SettingsError) as info:
        parse_target("lebaran")
    assert str(info.value).startswith("Target 'lebaran' tidak dapat dibaca.")
    assert info.value.text("en").startswith("Cannot read the target 'lebaran'.")


@pytest.mark.parametrize("bad", ["lebaran-2027", "ramadhan-27", "ramadhan-1700", "", "2027-02"])
def test_parse_target_rejects_bad_strings(bad: str) -> None:
    with pytest.raises(SettingsError, match="ramadhan-1448"):
        parse_target(bad)


def test_bad_method_and_year() -> None:
    with pytest.raises(SettingsError, match="method"):
        ramadhan_dates(1447, method="nu")  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match="bilangan bulat"):
        ramadhan_dates("1447")  # type: ignore[arg-type]


def _wib(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Asia/Jakarta")


def test_phase_boundaries_1447() -> None:
    table = phases(ramadhan_dates(1447)).set_index("phase")
    assert tuple(table.index) == PHASES
    expected = {
        "pra_ramadhan": ("2026-01-22 00:00", "2026-02-19 00:00"),
        "ramadhan": ("2026-02-19 00:00", "2026-03-21 00:00"),
        "sepuluh_malam_terakhir": ("2026-03-10 18:00", "2026-03-20 18:00"),
        "mudik": ("2026-03-14 00:00", "2026-03-21 00:00"),
        "malam_takbiran": ("2026-03-20 18:00", "2026-03-21 06:00"),
        "idul_fitri": ("2026-03-21 00:00", "2026-03-23 00:00"),
        "balik": ("2026-03-23 00:00", "2026-03-29 00:00"),
    }
    for phase, (lo, hi) in expected.items():
        assert table.loc[phase, "start"] == _wib(lo), phase
        assert table.loc[phase, "end"] == _wib(hi), phase
    assert table.loc["mudik", "label_id"] == "Arus mudik"
    assert table.loc["balik", "label_en"].startswith("Return")


def test_phases_configurable() -> None:
    d = ramadhan_dates(1447)
    table = phases(d, weeks_before=2, mudik_days=10, balik_days=10, idul_fitri_days=3)
    table = table.set_index("phase")
    assert table.loc["pra_ramadhan", "start"] == _wib("2026-02-05")
    assert table.loc["mudik", "start"] == _wib("2026-03-11")
    assert table.loc["idul_fitri", "end"] == _wib("2026-03-24")
    assert table.loc["balik", "end"] == _wib("2026-04-01")
    with pytest.raises(SettingsError, match="mudik_days"):
        phases(d, mudik_days=-1)


def test_label_phases_on_edges() -> None:
    times = pd.Series(
        pd.to_datetime(
            format="ISO8601",
            arg=[
                "2026-01-21 23:59:59",  # before pra-Ramadhan
                "2026-01-22 00:00",  # pra-Ramadhan starts
                "2026-02-18 23:59",  # last minute of pra-Ramadhan
                "2026-02-19 00:00",  # 1 Ramadhan
                "2026-03-10 17:59",  # 20 Ramadhan, before maghrib
                "2026-03-10 18:00",  # night 21: last ten nights
                "2026-03-13 23:59",  # still last ten nights, before mudik
                "2026-03-14 00:00",  # H-7: mudik wins over the last ten nights
                "2026-03-20 17:59",  # H-1 before maghrib: mudik
                "2026-03-20 18:00",  # malam takbiran
                "2026-03-21 05:59",  # still malam takbiran (wins over Idul Fitri)
                "2026-03-21 06:00",  # Idul Fitri
                "2026-03-22 23:59",  # 2 Syawal
                "2026-03-23 00:00",  # H+2: balik
                "2026-03-28 23:59",  # H+7: balik
                "2026-03-29 00:00",  # over
                None,
            ],
        )
    )
    got = list(label_phases(times))
    assert got[:16] == [
        "lainnya",
        "pra_ramadhan",
        "pra_ramadhan",
        "ramadhan",
        "ramadhan",
        "sepuluh_malam_terakhir",
        "sepuluh_malam_terakhir",
        "mudik",
        "mudik",
        "malam_takbiran",
        "malam_takbiran",
        "idul_fitri",
        "idul_fitri",
        "balik",
        "balik",
        "lainnya",
    ]
    assert pd.isna(got[16])
    assert PHASE_PRIORITY[0] == "malam_takbiran"


def test_label_phases_timezone_and_explicit_dates() -> None:
    # 11:00 UTC = 18:00 WIB on the eve of 1 Syawal 1447
    utc = pd.Series([pd.Timestamp("2026-03-20 11:00", tz="UTC")], index=[7])
    out = label_phases(utc)
    assert out.index.tolist() == [7]
    assert out.iloc[0] == "malam_takbiran"
    muh = ramadhan_dates(1447, method="muhammadiyah")
    # with Muhammadiyah dates the eve of Lebaran is one day earlier
    out = label_phases(pd.Series(pd.to_datetime(["2026-03-19 20:00"])), dates=muh)
    assert out.iloc[0] == "malam_takbiran"


def test_time_windows_across_midnight() -> None:
    times = pd.Series(
        pd.to_datetime(
            format="ISO8601",
            arg=[
                "2026-03-01 00:00",
                "2026-03-01 02:29",
                "2026-03-01 02:30",
                "2026-03-01 04:29",
                "2026-03-01 04:30",
                "2026-03-01 06:00",
                "2026-03-01 15:30",
                "2026-03-01 18:14",
                "2026-03-01 18:15",
                "2026-03-01 20:59",
                "2026-03-01 21:00",
                "2026-03-01 23:59:59",
            ],
        )
    )
    assert list(time_window(times)) == [
        "malam",
        "malam",
        "sahur",
        "sahur",
        "subuh",
        "siang",
        "ngabuburit",
        "ngabuburit",
        "tarawih",
        "tarawih",
        "malam",
        "malam",
    ]
    assert set(TIME_WINDOWS) == {"sahur", "subuh", "siang", "ngabuburit", "tarawih", "malam"}


def test_time_window_tz_known_and_custom() -> None:
    t = pd.Series([pd.Timestamp("2026-03-01 20:00", tz="UTC"), pd.NaT])
    out = time_window(t)  # 03:00 WIB the next day
    assert out.iloc[0] == "sahur"
    assert pd.isna(out.iloc[1])
    naive = pd.Series(pd.to_datetime(["2026-03-01 00:00", "2026-03-01 22:00"]))
    out = time_window(naive, known=pd.Series([False, True]))
    assert pd.isna(out.iloc[0])
    assert out.iloc[1] == "malam"
    custom = {"siang": (6.0, 18.0), "malam": (18.0, 6.0)}
    assert list(time_window(naive, windows=custom)) == ["malam", "malam"]
    with pytest.raises(SettingsError, match="tepat satu kali"):
        time_window(naive, windows={"siang": (6.0, 18.0), "malam": (17.0, 6.0)})


def test_overrides_from_dates() -> None:
    from kamtibmas_geo.calendar._dates import overrides_from_dates

    assert overrides_from_dates("2027-02-08", "2027-03-10") == {
        1448: (_d("2027-02-08"), _d("2027-03-10"))
    }
    # one day after the table's date still finds 1446 H
    assert list(overrides_from_dates("2025-03-02", "2025-03-31")) == [1446]
    with pytest.raises(SettingsError, match="tiga hari"):
        overrides_from_dates("2025-06-01", "2025-06-30")
    with pytest.raises(SettingsError, match="29 atau 30 hari"):
        overrides_from_dates("2027-02-08", "2027-03-20")


def test_provisional_warning_names_the_prediction_used() -> None:
    """The staff line says MABIMS or Umm al-Qura, whichever was used, never "A, atau B"."""
    import pickle

    from kamtibmas_geo.cli import _warning_text

    with pytest.warns(ProvisionalDateWarning) as kemenag:
        ramadhan_dates(1448)
    with pytest.warns(ProvisionalDateWarning) as muh:
        ramadhan_dates(1448, method="muhammadiyah")
    mabims, ummalqura = kemenag[0].message, muh[0].message
    assert isinstance(mabims, ProvisionalDateWarning)
    assert isinstance(ummalqura, ProvisionalDateWarning)
    assert (mabims.source, ummalqura.source) == ("mabims", "ummalqura")
    assert pickle.loads(pickle.dumps(mabims)).source == "mabims"
    for lang in ("id", "en"):
        said = _warning_text(mabims, lang)
        assert "MABIMS" in said
        assert "Umm al-Qura" not in said
        said = _warning_text(ummalqura, lang)
        assert "Umm al-Qura" in said
        assert "MABIMS" not in said
    assert "kriteria MABIMS" in _warning_text(mabims, "id")
    assert "the Umm al-Qura calendar" in _warning_text(ummalqura, "en")
