"""Ramadhan and Idul Fitri dates, the seasonal phases around them, and daily patrol windows.

Dates come from, in this order:

1. the user's overrides (``overrides=`` argument, :func:`read_overrides` of a TOML file, or
   the ``--ramadhan-start``/``--idul-fitri`` CLI flags);
2. the official table in ``kamtibmas_geo/data/ramadhan.toml`` for the chosen ``method``
   (``"kemenag"``: Government sidang isbat; ``"muhammadiyah"``: PP Muhammadiyah maklumat);
3. for ``"kemenag"``, a prediction with the MABIMS criteria the government applies (moon
   altitude >= 3 deg and elongation >= 6.4 deg at sunset on the 29th, computed offline with
   :mod:`ephem`, see :func:`~kamtibmas_geo.calendar._hilal.predict_month_start`);
   otherwise, or without :mod:`ephem`, the Umm al-Qura calendar (:mod:`hijridate`). Both
   come with a :class:`~kamtibmas_geo.ProvisionalDateWarning` that the official Indonesian
   date may differ by a day, and ``official=False`` on the result.

Examples
--------
>>> d = ramadhan_dates(1446)
>>> d.start.isoformat(), d.idul_fitri.isoformat(), d.official
('2025-03-01', '2025-03-31', True)
>>> parse_target("ramadhan-2026").hijri_year
1447
>>> list(time_window(pd.Series(pd.to_datetime(["2026-03-01 03:00", "2026-03-01 17:00"]))))
['sahur', 'ngabuburit']
"""

from __future__ import annotations

import re
import tomllib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from kamtibmas_geo._errors import ProvisionalDateWarning, SettingsError
from kamtibmas_geo._validate import check_choice
from kamtibmas_geo.calendar._hijri import (
    TZ,
    _as_wib,
    _check_pair,
    _check_windows,
    _hijri_year_of_ramadhan_in,
    _table,
    _to_date,
    _ummalqura,
)

__all__ = [
    "PHASES",
    "PHASE_LABELS",
    "PHASE_PRIORITY",
    "TIME_WINDOWS",
    "CalendarMethod",
    "RamadhanDates",
    "label_phases",
    "overrides_from_dates",
    "parse_target",
    "phases",
    "ramadhan_dates",
    "ramadhan_for_gregorian",
    "read_overrides",
    "time_window",
]

MESSAGES = {
    "hijri_year": {
        "id": "hijri_year harus bilangan bulat seperti 1448, bukan {value!r}.",
        "en": "hijri_year must be a whole number such as 1448, got {value!r}.",
    },
    "override_pair": {
        "id": "overrides[{year}] harus berupa (1 Ramadhan, 1 Syawal), bukan {pair!r}.",
        "en": "overrides[{year}] must be (1 Ramadhan, 1 Syawal), got {pair!r}.",
    },
    "year": {
        "id": "year harus bilangan bulat seperti 2027, bukan {value!r}.",
        "en": "year must be a whole number such as 2027, got {value!r}.",
    },
    "no_ramadhan": {
        "id": "Tidak ada awal Ramadhan pada tahun Masehi {year}; gunakan tahun 1925 sampai 2076.",
        "en": "No Ramadhan found in Gregorian year {year}; use a year from 1925 to 2076.",
    },
    "target": {
        "id": "Target {target!r} tidak dapat dibaca. Tulis Ramadhan sebagai 'ramadhan-<tahun>' "
        "dengan tahun Hijriah (1343-1500, mis. 'ramadhan-1448') atau tahun Masehi "
        "(1900-2100, mis. 'ramadhan-2027').",
        "en": "Cannot read the target {target!r}. Write the Ramadhan as 'ramadhan-<year>' with a "
        "Hijri year (1343-1500, e.g. 'ramadhan-1448') or a Gregorian year (1900-2100, "
        "e.g. 'ramadhan-2027').",
    },
    "no_file": {
        "id": "Berkas tanggal pengganti {path!r} tidak ada; periksa jalur dan nama berkasnya.",
        "en": "Override file {path!r} does not exist.",
    },
    "bad_toml": {
        "id": "Berkas tanggal pengganti {path!r} bukan TOML yang sah: {exc}.",
        "en": "Override file {path!r} is not valid TOML: {exc}.",
    },
    "toml_key": {
        "id": "{path}: kunci [ramadhan] harus tahun Hijriah seperti 1448, bukan {key!r}.",
        "en": "{path}: [ramadhan] keys must be Hijri years such as 1448, got {key!r}.",
    },
    "toml_value": {
        "id": "{path}: [ramadhan] {key} harus berupa [start, idul_fitri], bukan {value!r}.",
        "en": "{path}: [ramadhan] {key} must be [start, idul_fitri], got {value!r}.",
    },
    "not_near": {
        "id": "{first} tidak berada dalam tiga hari dari awal Ramadhan mana pun; berikan "
        "1 Ramadhan sebagai YYYY-MM-DD (misalnya 2027-02-08).",
        "en": "{first} is not within three days of the start of any Ramadhan; "
        "give 1 Ramadhan as YYYY-MM-DD (for example 2027-02-08).",
    },
    "days": {
        "id": "{name} harus bilangan bulat >= 0, bukan {value!r}.",
        "en": "{name} must be a whole number >= 0, got {value!r}.",
    },
    "balik": {
        "id": "balik_days ({balik_days}) harus >= idul_fitri_days ({idul_fitri_days}): arus "
        "balik berakhir sesudah Idul Fitri.",
        "en": "balik_days ({balik_days}) must be >= idul_fitri_days ({idul_fitri_days}).",
    },
}

CalendarMethod = Literal["kemenag", "muhammadiyah", "ummalqura"]
_METHODS: tuple[str, ...] = ("kemenag", "muhammadiyah", "ummalqura")

#: Phase names in chronological order of their start.
PHASES: tuple[str, ...] = (
    "pra_ramadhan",
    "ramadhan",
    "sepuluh_malam_terakhir",
    "mudik",
    "malam_takbiran",
    "idul_fitri",
    "balik",
)

#: Indonesian and English labels of the phases (and of ``"lainnya"``, outside every phase).
PHASE_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "pra_ramadhan": MappingProxyType({"id": "Pra-Ramadhan", "en": "Before Ramadhan"}),
        "ramadhan": MappingProxyType({"id": "Ramadhan", "en": "Ramadhan"}),
        "sepuluh_malam_terakhir": MappingProxyType(
            {"id": "Sepuluh malam terakhir", "en": "Last ten nights"}
        ),
        "mudik": MappingProxyType({"id": "Arus mudik", "en": "Homeward travel (mudik)"}),
        "malam_takbiran": MappingProxyType({"id": "Malam takbiran", "en": "Eve of Idul Fitri"}),
        "idul_fitri": MappingProxyType({"id": "Idul Fitri", "en": "Idul Fitri (Eid al-Fitr)"}),
        "balik": MappingProxyType({"id": "Arus balik", "en": "Return travel (balik)"}),
        "lainnya": MappingProxyType({"id": "Lainnya", "en": "Other"}),
    }
)

#: How :func:`label_phases` resolves overlapping phases: the first phase in this tuple that
#: holds a time wins (the most specific, i.e. shortest, phase first).
PHASE_PRIORITY: tuple[str, ...] = (
    "malam_takbiran",
    "idul_fitri",
    "mudik",
    "balik",
    "sepuluh_malam_terakhir",
    "ramadhan",
    "pra_ramadhan",
)

#: Daily time windows in WIB, name -> (start hour, end hour), end exclusive; a window whose
#: end is smaller than its start runs across midnight. Approximate for OKI and Palembang
#: (imsak ~04:30, maghrib ~18:10, isya ~19:20, tarawih until ~21:00).
TIME_WINDOWS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "sahur": (2.5, 4.5),
        "subuh": (4.5, 6.0),
        "siang": (6.0, 15.5),
        "ngabuburit": (15.5, 18.25),
        "tarawih": (18.25, 21.0),
        "malam": (21.0, 2.5),
    }
)


@dataclass(frozen=True, slots=True)
class RamadhanDates:
    """Dates of one Ramadhan.

    Attributes
    ----------
    hijri_year : int
        Hijri year (1448 for the Ramadhan of February-March 2027).
    start : datetime.date
        1 Ramadhan, the first day of fasting.
    idul_fitri : datetime.date
        1 Syawal, Idul Fitri; the last day of fasting is the day before.
    source : str
        Where the dates come from.
    official : bool
        True for dates from the official table or given by the user; False for a
        prediction (MABIMS or Umm al-Qura), which may differ from the official date by a day.
    method : str
        ``"kemenag"``, ``"muhammadiyah"``, ``"ummalqura"``, ``"override"`` or ``"mabims"``
        (the Kemenag date predicted with the MABIMS criteria).
    """

    hijri_year: int
    start: date
    idul_fitri: date
    source: str
    official: bool
    method: str = "kemenag"

    @property
    def n_days(self) -> int:
        """Number of fasting days (29 or 30)."""
        return (self.idul_fitri - self.start).days

    @property
    def label(self) -> str:
        """A short label such as ``"Ramadhan 1448 H"``."""
        return f"Ramadhan {self.hijri_year} H"


# --------------------------------------------------------------------------- dates


def ramadhan_dates(
    hijri_year: int,
    *,
    method: CalendarMethod = "kemenag",
    overrides: Mapping[int, tuple[Any, Any]] | None = None,
) -> RamadhanDates:
    """Return 1 Ramadhan and 1 Syawal of a Hijri year.

    Parameters
    ----------
    hijri_year : int
        The Hijri year, such as 1448.
    method : {"kemenag", "muhammadiyah", "ummalqura"}
        Whose dates to use. Years missing from the official table are predicted: with the
        MABIMS criteria for ``"kemenag"`` (Umm al-Qura without :mod:`ephem`), with Umm
        al-Qura for ``"muhammadiyah"``.
    overrides : mapping, optional
        ``{hijri_year: (1 Ramadhan, 1 Syawal)}`` with dates or ``"YYYY-MM-DD"`` strings;
        they win over every other source.

    Returns
    -------
    RamadhanDates

    Warns
    -----
    ProvisionalDateWarning
        When a ``kemenag``/``muhammadiyah`` year is not in the table and a predicted date
        is used instead.

    Examples
    --------
    >>> ramadhan_dates(1447, method="muhammadiyah").start.isoformat()
    '2026-02-18'
    >>> ramadhan_dates(1448, overrides={1448: ("2027-02-08", "2027-03-10")}).official
    True
    """
    if isinstance(hijri_year, bool) or not isinstance(hijri_year, int | np.integer):
        raise SettingsError.say(MESSAGES, "hijri_year", value=hijri_year)
    hijri_year = int(hijri_year)
    check_choice("method", method, _METHODS)
    if overrides and hijri_year in overrides:
        return _from_override(hijri_year, overrides[hijri_year])
    if method != "ummalqura":
        row = _table()[method].get(hijri_year)
        if row is not None:
            src = f"{row['source']} [confidence: {row.get('confidence', 'unknown')}]"
            return RamadhanDates(hijri_year, row["ramadhan"], row["idul_fitri"], src, True, method)
    if method == "kemenag":
        predicted = _mabims(hijri_year)
        if predicted is not None:
            start, end = predicted
            _warn_provisional(hijri_year, method, start, end, source="mabims")
            return RamadhanDates(hijri_year, start, end, MABIMS_SOURCE, False, "mabims")
    start, end = _ummalqura(hijri_year)
    if method != "ummalqura":
        _warn_provisional(hijri_year, method, start, end)
    return RamadhanDates(hijri_year, start, end, "Umm al-Qura (hijridate)", False, "ummalqura")


#: Source of a Kemenag date predicted by the MABIMS criteria.
MABIMS_SOURCE = (
    "MABIMS imkanur rukyat prediction (moon altitude >= 3 deg, elongation >= 6.4 deg at "
    "sunset on the 29th, ephem; markaz Lhoknga, Aceh)"
)


def _mabims(hijri_year: int) -> tuple[date, date] | None:
    """Predict 1 Ramadhan and 1 Syawal as Kemenag's sidang isbat would set them.

    1 Syawal is counted from the predicted 1 Ramadhan. ``None`` without :mod:`ephem` or
    for a year outside the ephemeris (the caller then uses Umm al-Qura).
    """
    from kamtibmas_geo._errors import DependencyError
    from kamtibmas_geo.calendar._hilal import predict_month_start

    try:
        start = predict_month_start(hijri_year, 9)
        end = predict_month_start(hijri_year, 10, previous_start=start)
    except (DependencyError, SettingsError, ValueError, OverflowError):
        return None
    return start, end


def _from_override(hijri_year: int, pair: Any) -> RamadhanDates:
    """Return the user's dates of ``hijri_year`` once checked."""
    if not isinstance(pair, tuple | list) or len(pair) != 2:
        raise SettingsError.say(MESSAGES, "override_pair", year=hijri_year, pair=pair)
    start = _to_date(pair[0], "override_start", year=hijri_year)
    end = _to_date(pair[1], "override_end", year=hijri_year)
    _check_pair(hijri_year, start, end, "override")
    return RamadhanDates(hijri_year, start, end, "user override", True, "override")


def _warn_provisional(
    hijri_year: int, method: str, start: date, end: date, *, source: str = "ummalqura"
) -> None:
    """Warn that the official ``method`` table has no date for ``hijri_year`` yet."""
    known = sorted(_table()[method])
    if source == "mabims":
        uq_start, uq_end = _ummalqura(hijri_year)
        how = (
            "predicting them with the MABIMS criteria Kemenag applies (moon altitude >= 3 "
            "deg, elongation >= 6.4 deg at sunset on the 29th; the Umm al-Qura calendar "
            f"says {uq_start} and {uq_end})"
        )
    else:
        how = "using the Umm al-Qura calendar"
    warnings.warn(
        ProvisionalDateWarning(
            f"No official {method} dates for Ramadhan {hijri_year} H (table holds "
            f"{known[0]}-{known[-1]} H); {how}: 1 Ramadhan "
            f"{start}, 1 Syawal {end}. The official Indonesian date may differ by a day; "
            f"pass overrides={{{hijri_year}: (start, idul_fitri)}} or "
            "--ramadhan-start/--idul-fitri once it is announced.",
            hijri_year,
            start,
            end,
            source,
        ),
        stacklevel=3,
    )


def ramadhan_for_gregorian(
    year: int,
    *,
    method: CalendarMethod = "kemenag",
    overrides: Mapping[int, tuple[Any, Any]] | None = None,
) -> RamadhanDates:
    """Return the Ramadhan that starts in a Gregorian year.

    In the rare years holding two starts (2030: January and December) the first is
    returned.

    Parameters
    ----------
    year : int
        Gregorian year, such as 2027.
    method : {"kemenag", "muhammadiyah", "ummalqura"}
        Whose dates to use.
    overrides : mapping, optional
        As in :func:`ramadhan_dates`.

    Returns
    -------
    RamadhanDates

    Examples
    --------
    >>> ramadhan_for_gregorian(2024).start.isoformat()
    '2024-03-12'
    """
    if isinstance(year, bool) or not isinstance(year, int | np.integer):
        raise SettingsError.say(MESSAGES, "year", value=year)
    years = _hijri_year_of_ramadhan_in(int(year))
    if not years:
        raise SettingsError.say(MESSAGES, "no_ramadhan", year=year)
    return ramadhan_dates(years[0], method=method, overrides=overrides)


_TARGET = re.compile(r"^(?:ramad[h]?an)?[\s_\-]*(\d{4})\s*(?:h|ah|m)?$")


def parse_target(
    target: str | int | RamadhanDates,
    *,
    method: CalendarMethod = "kemenag",
    overrides: Mapping[int, tuple[Any, Any]] | None = None,
) -> RamadhanDates:
    """Turn a target such as ``"ramadhan-1448"`` or ``"ramadhan-2027"`` into its dates.

    A four-digit number from 1343 to 1500 is a Hijri year, from 1900 to 2100 a Gregorian
    year (the Ramadhan starting in it).

    Parameters
    ----------
    target : str, int or RamadhanDates
        ``"ramadhan-1448"``, ``"Ramadhan 1448 H"``, ``"1448"``, ``"ramadhan-2027"``,
        ``2027``...; a :class:`RamadhanDates` is returned unchanged.
    method : {"kemenag", "muhammadiyah", "ummalqura"}
        Whose dates to use.
    overrides : mapping, optional
        As in :func:`ramadhan_dates`.

    Returns
    -------
    RamadhanDates

    Examples
    --------
    >>> parse_target("Ramadhan 1445 H").start.isoformat()
    '2024-03-12'
    """
    if isinstance(target, RamadhanDates):
        return target
    text = str(target).strip().lower()
    m = _TARGET.match(text)
    number = int(m.group(1)) if m else -1
    if 1343 <= number <= 1500:
        return ramadhan_dates(number, method=method, overrides=overrides)
    if 1900 <= number <= 2100:
        return ramadhan_for_gregorian(number, method=method, overrides=overrides)
    raise SettingsError.say(MESSAGES, "target", target=target)


def read_overrides(path: str | Path) -> dict[int, tuple[date, date]]:
    """Read user date overrides from a TOML file.

    The file holds a ``[ramadhan]`` table (top level or under ``[kamtibmas_geo]``) with one
    entry per Hijri year, either ``1448 = ["2027-02-08", "2027-03-10"]`` or a sub-table
    ``[ramadhan.1448]`` with ``start`` and ``idul_fitri``.

    Parameters
    ----------
    path : str or Path
        The TOML file.

    Returns
    -------
    dict
        ``{hijri_year: (1 Ramadhan, 1 Syawal)}``, ready for ``overrides=``.
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError.say(MESSAGES, "no_file", path=str(p)) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError.say(MESSAGES, "bad_toml", path=str(p), exc=exc) from None
    table = data.get("kamtibmas_geo", data).get("ramadhan", {})
    out: dict[int, tuple[date, date]] = {}
    for key, value in table.items():
        if not str(key).isdigit():
            raise SettingsError.say(MESSAGES, "toml_key", path=str(p), key=key)
        year = int(key)
        if isinstance(value, Mapping):
            pair = (value.get("start"), value.get("idul_fitri"))
        elif isinstance(value, list) and len(value) == 2:
            pair = (value[0], value[1])
        else:
            raise SettingsError.say(MESSAGES, "toml_value", path=str(p), key=key, value=value)
        start = _to_date(pair[0], "file_start", path=str(p), year=year)
        end = _to_date(pair[1], "file_end", path=str(p), year=year)
        _check_pair(year, start, end, "file", path=str(p))
        out[year] = (start, end)
    return out


def overrides_from_dates(start: Any, idul_fitri: Any) -> dict[int, tuple[date, date]]:
    """Turn one user-given pair of dates into an ``overrides`` mapping.

    This is what the ``--ramadhan-start`` and ``--idul-fitri`` CLI flags do: the Hijri year
    is the one whose Umm al-Qura Ramadhan starts within three days of ``start``.

    Parameters
    ----------
    start : date or str
        1 Ramadhan (``"YYYY-MM-DD"``).
    idul_fitri : date or str
        1 Syawal.

    Returns
    -------
    dict
        ``{hijri_year: (start, idul_fitri)}``.

    Examples
    --------
    >>> overrides_from_dates("2027-02-08", "2027-03-10")
    {1448: (datetime.date(2027, 2, 8), datetime.date(2027, 3, 10))}
    """
    first = _to_date(start, "flag_start")
    last = _to_date(idul_fitri, "flag_end")
    for h in _hijri_year_of_ramadhan_in(first.year) + _hijri_year_of_ramadhan_in(first.year + 1):
        uq_start, _ = _ummalqura(h)
        if abs((uq_start - first).days) <= 3:
            _check_pair(h, first, last, "given")
            return {h: (first, last)}
    raise SettingsError.say(MESSAGES, "not_near", first=first)


# --------------------------------------------------------------------------- phases


def phases(
    dates: RamadhanDates,
    *,
    weeks_before: int = 4,
    mudik_days: int = 7,
    balik_days: int = 7,
    idul_fitri_days: int = 2,
    maghrib_hour: float = 18.0,
    takbiran_end_hour: float = 6.0,
) -> pd.DataFrame:
    """Return the seasonal phases around one Ramadhan.

    With H = 1 Syawal (Lebaran), the defaults give:

    ============================  =====================================================
    pra_ramadhan                  ``weeks_before`` weeks before 1 Ramadhan
    ramadhan                      1 Ramadhan 00:00 to 1 Syawal 00:00
    sepuluh_malam_terakhir        maghrib of 20 Ramadhan (night 21) to maghrib of H-1
    mudik                         H-``mudik_days`` 00:00 to H 00:00 (H-7..H-1)
    malam_takbiran                H-1 maghrib (18:00) to H 06:00
    idul_fitri                    H 00:00 for ``idul_fitri_days`` days (1-2 Syawal)
    balik                         after Idul Fitri to the end of H+``balik_days`` (H+2..H+7)
    ============================  =====================================================

    Phases overlap (mudik lies inside Ramadhan); :func:`label_phases` resolves that with
    :data:`PHASE_PRIORITY`.

    Parameters
    ----------
    dates : RamadhanDates
        The Ramadhan.
    weeks_before : int
        Length of pra-Ramadhan in weeks.
    mudik_days : int
        Days of homeward travel before Lebaran.
    balik_days : int
        Last day of return travel, counted from Lebaran (H+``balik_days``).
    idul_fitri_days : int
        Days of Idul Fitri (1 and 2 Syawal by default).
    maghrib_hour : float
        Hour (WIB) at which the evening, and so the Islamic day, begins.
    takbiran_end_hour : float
        Hour on 1 Syawal at which malam takbiran ends.

    Returns
    -------
    DataFrame
        Columns ``phase``, ``start``, ``end`` (Asia/Jakarta timestamps, end exclusive),
        ``label_id``, ``label_en``, ``hijri_year``, in :data:`PHASES` order.
    """
    _check_phase_days(weeks_before, mudik_days, balik_days, idul_fitri_days)
    rows = _phase_rows(
        dates,
        weeks_before,
        mudik_days,
        balik_days,
        idul_fitri_days,
        maghrib_hour,
        takbiran_end_hour,
    )
    frame = pd.DataFrame(rows, columns=["phase", "start", "end"])
    frame["label_id"] = [PHASE_LABELS[p]["id"] for p in frame["phase"]]
    frame["label_en"] = [PHASE_LABELS[p]["en"] for p in frame["phase"]]
    frame["hijri_year"] = dates.hijri_year
    return frame


def _check_phase_days(
    weeks_before: int, mudik_days: int, balik_days: int, idul_fitri_days: int
) -> None:
    """Check the lengths of the phases (whole days or weeks, balik after Idul Fitri)."""
    for name, value in (
        ("weeks_before", weeks_before),
        ("mudik_days", mudik_days),
        ("balik_days", balik_days),
        ("idul_fitri_days", idul_fitri_days),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SettingsError.say(MESSAGES, "days", name=name, value=value)
    if balik_days < idul_fitri_days:
        raise SettingsError.say(
            MESSAGES, "balik", balik_days=balik_days, idul_fitri_days=idul_fitri_days
        )


def _phase_rows(
    dates: RamadhanDates,
    weeks_before: int,
    mudik_days: int,
    balik_days: int,
    idul_fitri_days: int,
    maghrib_hour: float,
    takbiran_end_hour: float,
) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """Return ``(phase, start, end)`` of each phase, in :data:`PHASES` order."""

    def ts(d: date, hours: float = 0.0) -> pd.Timestamp:
        return pd.Timestamp(d).tz_localize(TZ) + pd.Timedelta(hours=hours)

    start, lebaran = dates.start, dates.idul_fitri
    day = timedelta(days=1)
    return [
        ("pra_ramadhan", ts(start - timedelta(weeks=weeks_before)), ts(start)),
        ("ramadhan", ts(start), ts(lebaran)),
        (
            "sepuluh_malam_terakhir",
            ts(start + 19 * day, maghrib_hour),
            ts(lebaran - day, maghrib_hour),
        ),
        ("mudik", ts(lebaran - mudik_days * day), ts(lebaran)),
        ("malam_takbiran", ts(lebaran - day, maghrib_hour), ts(lebaran, takbiran_end_hour)),
        ("idul_fitri", ts(lebaran), ts(lebaran + idul_fitri_days * day)),
        ("balik", ts(lebaran + idul_fitri_days * day), ts(lebaran + (balik_days + 1) * day)),
    ]


def _ramadhans_touching(
    wib: pd.Series,
    weeks_before: int,
    days_after: int,
    *,
    method: CalendarMethod,
    overrides: Mapping[int, tuple[Any, Any]] | None,
) -> list[RamadhanDates]:
    # The Ramadhans whose phases can hold one of ``wib`` (checked on Umm al-Qura dates, so
    # that a year outside the data does not warn).
    valid = wib.dropna()
    if valid.empty:
        return []
    tmin, tmax = valid.min().date(), valid.max().date()
    out = []
    for year in range(tmin.year, tmax.year + 2):
        for h in _hijri_year_of_ramadhan_in(year):
            start, end = _ummalqura(h)
            if start - timedelta(weeks=weeks_before) > tmax:
                continue
            if end + timedelta(days=days_after) < tmin:
                continue
            out.append(ramadhan_dates(h, method=method, overrides=overrides))
    return out


def label_phases(
    times: pd.Series,
    *,
    dates: RamadhanDates | Iterable[RamadhanDates] | None = None,
    method: CalendarMethod = "kemenag",
    overrides: Mapping[int, tuple[Any, Any]] | None = None,
    weeks_before: int = 4,
    mudik_days: int = 7,
    balik_days: int = 7,
    idul_fitri_days: int = 2,
) -> pd.Series:
    """Name the Ramadhan phase of each time (``"lainnya"`` outside all phases).

    Where phases overlap, the first in :data:`PHASE_PRIORITY` wins: malam_takbiran,
    idul_fitri, mudik, balik, sepuluh_malam_terakhir, ramadhan, pra_ramadhan (the most
    specific first). So 20:00 on the eve of Lebaran is ``malam_takbiran``, H-3 is
    ``mudik`` although it is also Ramadhan and one of the last ten nights.

    Parameters
    ----------
    times : Series
        Timestamps; naive ones are taken as WIB (Asia/Jakarta). NaT gives NA.
    dates : RamadhanDates or iterable of them, optional
        The Ramadhans to use; by default those starting in the years of ``times`` and the
        year after (for pra-Ramadhan in late December).
    method, overrides
        As in :func:`ramadhan_dates` (used when ``dates`` is None).
    weeks_before, mudik_days, balik_days, idul_fitri_days : int
        As in :func:`phases`.

    Returns
    -------
    Series
        Phase names, same index as ``times``.
    """
    wib = _as_wib(times)
    if dates is None:
        dates_list = _ramadhans_touching(
            wib, weeks_before + 1, balik_days + 2, method=method, overrides=overrides
        )
    elif isinstance(dates, RamadhanDates):
        dates_list = [dates]
    else:
        dates_list = list(dates)
    out = np.full(len(wib), "lainnya", dtype=object)
    values = wib.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    lengths = (weeks_before, mudik_days, balik_days, idul_fitri_days)
    for d in dates_list:
        _paint_phases(out, values, d, lengths)
    result = pd.Series(out, index=wib.index, name="phase", dtype=object)
    result[wib.isna().to_numpy()] = pd.NA
    return result


def _paint_phases(
    out: np.ndarray, values: np.ndarray, dates: RamadhanDates, lengths: tuple[int, int, int, int]
) -> None:
    """Write the phases of one Ramadhan into ``out``, the most specific phase last (it wins)."""
    weeks_before, mudik_days, balik_days, idul_fitri_days = lengths
    table = phases(
        dates,
        weeks_before=weeks_before,
        mudik_days=mudik_days,
        balik_days=balik_days,
        idul_fitri_days=idul_fitri_days,
    )
    rank = {p: i for i, p in enumerate(PHASE_PRIORITY)}
    table = table.sort_values("phase", key=lambda s: s.map(rank), ascending=False)
    starts = table["start"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    ends = table["end"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    for phase, lo, hi in zip(table["phase"], starts, ends, strict=True):
        out[(values >= lo) & (values < hi)] = phase


# --------------------------------------------------------------------------- time windows


def time_window(
    times: pd.Series | pd.DatetimeIndex | Iterable[Any],
    *,
    windows: Mapping[str, tuple[float, float]] | None = None,
    known: pd.Series | None = None,
) -> pd.Series:
    """Name the daily patrol window (WIB) of each time, vectorised.

    Parameters
    ----------
    times : Series
        Timestamps; naive ones are taken as WIB, aware ones converted to WIB.
    windows : mapping, optional
        ``{name: (start_hour, end_hour)}`` covering the day exactly once (a window may
        run across midnight, like ``"malam": (21.0, 2.5)``); :data:`TIME_WINDOWS` by default.
    known : Series of bool, optional
        False where only the date is known (``time_known`` of the records): those get NA
        instead of the window of midnight.

    Returns
    -------
    Series
        Window names (NA for NaT or unknown times), same index as ``times``.
    """
    windows = TIME_WINDOWS if windows is None else windows
    _check_windows(windows)
    wib = _as_wib(times)
    hours = (wib.dt.hour + wib.dt.minute / 60 + wib.dt.second / 3600).to_numpy(
        dtype=float, na_value=np.nan
    )
    out = np.full(len(wib), None, dtype=object)
    for name, (lo, hi) in windows.items():
        mask = (hours >= lo) & (hours < hi) if lo < hi else (hours >= lo) | (hours < hi)
        out[mask] = name
    result = pd.Series(out, index=wib.index, name="time_window", dtype=object)
    bad = np.isnan(hours)
    if known is not None:
        bad |= ~np.asarray(known, dtype=bool)
    result[bad] = pd.NA
    return result
