"""The young Moon for Ramadhan planning: MABIMS prediction of the 1st of a Hijri month.

:func:`predict_month_start` predicts 1 Ramadhan, 1 Syawal (any Hijri month) with the MABIMS
*imkanur rukyat* criteria the Government of Indonesia applies at the sidang isbat;
:func:`hilal_at_sunset` gives the numbers behind it (altitude, elongation, age of the Moon).
The Moon comes from :mod:`ephem` (PyEphem), imported only inside the functions; sunset is the
exact maghrib of :func:`kamtibmas_geo.calendar._astro.prayer_times`. No network, no clock.

Examples
--------
>>> predict_month_start(1447, 9).isoformat()  # istikmal: the Moon had set before the Sun
'2026-02-19'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import ModuleType
from typing import Any, Literal

from kamtibmas_geo._errors import DependencyError, SettingsError
from kamtibmas_geo.calendar._astro import _day, _number, prayer_times

__all__ = [
    "LHOKNGA",
    "Criteria",
    "HilalPosition",
    "hilal_at_sunset",
    "predict_month_start",
]

#: Default markaz of :func:`predict_month_start`: the Tgk. Chiek Kuta Karang observatory at
#: Lhoknga, Aceh Besar (lat, lon). Kemenag accepts the criteria when they are met anywhere in
#: Indonesia; the west coast of Aceh has the latest sunset, hence the oldest and highest Moon,
#: and is where Kemenag's hisab reports the largest altitude and elongation.
LHOKNGA: tuple[float, float] = (5.4656, 95.2425)

#: ``"mabims2021"``: altitude >= 3 deg and elongation >= 6.4 deg (the new MABIMS criteria,
#: applied by Kemenag from 1443 H); ``"mabims1996"``: altitude >= 2 deg and (elongation >= 3 deg
#: or age >= 8 h) (the old criteria, up to 1442 H); ``"auto"``: the one in force that year.
Criteria = Literal["auto", "mabims2021", "mabims1996"]
_CRITERIA: tuple[str, ...] = ("auto", "mabims2021", "mabims1996")
_NEW_CRITERIA_FROM = 1443  # first Hijri year Kemenag applied the 2021 MABIMS criteria

MESSAGES = {
    "bad_month": {
        "id": "Bulan Hijriah harus bilangan bulat 1..12 dan tahun 1300..1700, bukan "
        "{year!r}/{month!r}.",
        "en": "The Hijri month must be a whole number 1..12 and the year 1300..1700, got "
        "{year!r}/{month!r}.",
    },
    "bad_criteria": {
        "id": "Kriteria {value!r} tidak dikenal; pilih salah satu dari {choices}.",
        "en": "Unknown criteria {value!r}; choose one of {choices}.",
    },
    "no_ephem": {
        "id": "Posisi Bulan memerlukan paket 'ephem'. Pasang dengan: pip install ephem",
        "en": "Moon positions need the 'ephem' package. Install it with: pip install ephem",
    },
    "bad_previous": {
        "id": "previous_start {start} bukan 1 hari bulan sebelum {year}/{month} H: ijtimak "
        "terjadi {conj:%Y-%m-%d %H:%M} UTC, jauh dari tanggal 29 ({day29}).",
        "en": "previous_start {start} is not the first day of the month before {year}/{month} "
        "H: the conjunction is at {conj:%Y-%m-%d %H:%M} UTC, far from the 29th ({day29}).",
    },
}


# --------------------------------------------------------------------------- the Moon


def _ephem() -> ModuleType:
    try:
        import ephem
    except ImportError:  # pragma: no cover - ephem is a dependency of the calendar stage
        raise DependencyError.say(MESSAGES, "no_ephem") from None
    return ephem


def _refraction(altitude: float) -> float:
    """Refraction (deg) for a true altitude, Sæmundsson (Meeus eq. 16.4), 1010 hPa, 10 °C.

    Zero more than 1 deg below the horizon, where the formula no longer holds.
    """
    if altitude < -1.0:
        return 0.0
    return 1.02 / math.tan(math.radians(altitude + 10.3 / (altitude + 5.11))) / 60.0


@dataclass(frozen=True)
class HilalPosition:
    """The young Moon (hilal) at sunset, as Kemenag's hisab reports it.

    Attributes
    ----------
    sunset : datetime
        Local sunset (timezone-aware), the same instant as an exact maghrib.
    conjunction : datetime
        The nearest geocentric conjunction (ijtimak), UTC.
    altitude : float
        Topocentric apparent altitude of the Moon's centre, deg (parallax and standard
        refraction applied): Kemenag's *tinggi hilal*.
    elongation : float
        Geocentric angular distance between the centres of the Moon and the Sun, deg.
    age_hours : float
        Hours from the conjunction to sunset (negative: the conjunction is after sunset).
    """

    sunset: datetime
    conjunction: datetime
    altitude: float
    elongation: float
    age_hours: float

    def meets(self, criteria: Literal["mabims2021", "mabims1996"] = "mabims2021") -> bool:
        """Whether the hilal meets the imkanur rukyat criteria (conjunction before sunset).

        Parameters
        ----------
        criteria : {"mabims2021", "mabims1996"}
            ``"mabims2021"``: altitude >= 3 and elongation >= 6.4 deg. ``"mabims1996"``:
            altitude >= 2 deg and (elongation >= 3 deg or age >= 8 h).

        Returns
        -------
        bool
        """
        if criteria not in ("mabims2021", "mabims1996"):
            raise SettingsError.say(MESSAGES, "bad_criteria", value=criteria, choices=_CRITERIA[1:])
        if self.age_hours <= 0:
            return False
        if criteria == "mabims2021":
            return self.altitude >= 3.0 and self.elongation >= 6.4
        return self.altitude >= 2.0 and (self.elongation >= 3.0 or self.age_hours >= 8.0)


def hilal_at_sunset(
    day: date,
    *,
    lat: float = LHOKNGA[0],
    lon: float = LHOKNGA[1],
    tz_hours: float = 7.0,
    elevation_m: float = 0.0,
) -> HilalPosition:
    """Compute the Moon's altitude, elongation and age at sunset of a local date.

    Sunset is the exact maghrib of :func:`prayer_times` (upper limb on the horizon). The
    Moon's positions are PyEphem's (accurate to arcseconds); elongation is geocentric and
    altitude topocentric with refraction, as in Kemenag's hisab for the sidang isbat.

    Parameters
    ----------
    day : datetime.date
        Local date of the evening.
    lat, lon : float
        Place, degrees; by default :data:`LHOKNGA` (Aceh).
    tz_hours : float
        Offset of local time from UTC.
    elevation_m : float
        Height of the observer, metres (lowers the horizon, delays sunset).

    Returns
    -------
    HilalPosition

    Examples
    --------
    >>> from datetime import date
    >>> h = hilal_at_sunset(date(2025, 2, 28))
    >>> round(h.altitude, 1), round(h.elongation, 2), h.meets()
    (4.7, 6.41, True)
    """
    ephem = _ephem()
    pt = prayer_times(day, lat, lon, tz_hours=tz_hours, elevation_m=elevation_m, exact=True)
    when = ephem.Date(pt.maghrib.astimezone(UTC).replace(tzinfo=None))
    elongation, true_altitude = _moon_at(ephem, when, lat, lon, elevation_m)
    conj = _nearest_new_moon(ephem, when)
    return HilalPosition(
        sunset=pt.maghrib,
        conjunction=_ephem_utc(ephem, conj),
        altitude=true_altitude + _refraction(true_altitude),
        elongation=elongation,
        age_hours=(float(when) - conj) * 24.0,
    )


def _moon_at(
    ephem: ModuleType, when: Any, lat: float, lon: float, elevation_m: float
) -> tuple[float, float]:
    """Return the geocentric elongation and topocentric true altitude of the Moon, deg."""
    moon, sun = ephem.Moon(), ephem.Sun()
    moon.compute(when)
    sun.compute(when)
    elongation = math.degrees(float(ephem.separation((moon.ra, moon.dec), (sun.ra, sun.dec))))
    observer = ephem.Observer()
    observer.lat, observer.lon = math.radians(lat), math.radians(lon)
    observer.elevation = elevation_m
    observer.pressure = 0.0  # airless: refraction added below with a documented formula
    observer.date = when
    moon.compute(observer)
    return elongation, math.degrees(float(moon.alt))


def _nearest_new_moon(ephem: ModuleType, when: Any) -> float:
    """Return the conjunction nearest to ``when`` (an ephem date, as a float)."""
    before = float(ephem.previous_new_moon(when))
    after = float(ephem.next_new_moon(when))
    return before if when - before <= after - when else after


def _ephem_utc(ephem: ModuleType, value: float) -> datetime:
    moment: datetime = ephem.Date(value).datetime()
    return moment.replace(microsecond=0, tzinfo=UTC)


def _tabular_first_day(hijri_year: int, hijri_month: int) -> date:
    """1st of a Hijri month in the arithmetical (tabular, civil epoch) calendar: +-2 days."""
    jd = (
        math.ceil(29.5 * (hijri_month - 1))
        + (hijri_year - 1) * 354
        + (3 + 11 * hijri_year) // 30
        + 1948439.5
    )
    return date.fromordinal(int(jd - 1721424.5))


def _conjunction(hijri_year: int, hijri_month: int) -> datetime:
    """Return the geocentric conjunction (UTC) that begins a Hijri month."""
    ephem = _ephem()
    guess = _tabular_first_day(hijri_year, hijri_month) - timedelta(days=1)
    when = ephem.Date(datetime(guess.year, guess.month, guess.day, 12))
    return _ephem_utc(ephem, _nearest_new_moon(ephem, when))


def _previous(hijri_year: int, hijri_month: int) -> tuple[int, int]:
    return (hijri_year, hijri_month - 1) if hijri_month > 1 else (hijri_year - 1, 12)


def _resolve(criteria: str, hijri_year: int) -> Literal["mabims2021", "mabims1996"]:
    if criteria not in _CRITERIA:
        raise SettingsError.say(MESSAGES, "bad_criteria", value=criteria, choices=_CRITERIA)
    if criteria == "mabims1996" or (criteria == "auto" and hijri_year < _NEW_CRITERIA_FROM):
        return "mabims1996"
    return "mabims2021"


def _first_visible(
    hijri_year: int, hijri_month: int, where: dict[str, float], criteria: str
) -> date:
    """1st of a month by hisab alone: the day after the first evening the hilal is imkan.

    Evenings from the local date of the conjunction on; by the third the Moon is over two
    days old, and a month never waits longer (istikmal).
    """
    chosen = _resolve(criteria, hijri_year)
    conj = _conjunction(hijri_year, hijri_month)
    first = (conj + timedelta(hours=where["tz_hours"])).date()
    for k in range(2):
        evening = first + timedelta(days=k)
        if hilal_at_sunset(evening, **where).meets(chosen):
            return evening + timedelta(days=1)
    return first + timedelta(days=3)


def predict_month_start(
    hijri_year: int,
    hijri_month: int,
    *,
    lat: float = LHOKNGA[0],
    lon: float = LHOKNGA[1],
    tz_hours: float = 7.0,
    elevation_m: float = 0.0,
    criteria: Criteria = "auto",
    previous_start: date | None = None,
) -> date:
    """Predict the 1st of a Hijri month as Kemenag's sidang isbat would set it.

    On the evening of the 29th of the previous month, at sunset at the markaz, if the hilal
    meets the imkanur rukyat criteria (:meth:`HilalPosition.meets`) the month starts the
    next day; otherwise the previous month is completed to 30 days (*istikmal*) and the
    month starts the day after. The 29th is counted from ``previous_start`` when given (for
    1 Syawal, the official 1 Ramadhan), else from the previous month's start by hisab alone
    (the day after the first evening after its conjunction on which the hilal is imkan).

    Parameters
    ----------
    hijri_year, hijri_month : int
        For example ``(1448, 9)`` for 1 Ramadhan 1448 H and ``(1448, 10)`` for 1 Syawal.
    lat, lon : float
        The markaz, degrees. By default :data:`LHOKNGA`, Aceh: Kemenag accepts the criteria
        when they are met anywhere in Indonesia, and they are met first in western Aceh.
    tz_hours : float
        Offset of the markaz's local time from UTC (7 = WIB).
    elevation_m : float
        Height of the observer at the markaz, metres.
    criteria : {"auto", "mabims2021", "mabims1996"}
        ``"auto"`` uses the criteria Kemenag applied that year: ``"mabims1996"`` (2 deg,
        3 deg or 8 h) up to 1442 H, ``"mabims2021"`` (3 deg, 6.4 deg) from 1443 H.
    previous_start : datetime.date, optional
        The known 1st of the previous month.

    Returns
    -------
    datetime.date
        The predicted 1st of the month (a prediction, not the decision of the sidang isbat,
        which may also accept a sighting).

    Raises
    ------
    SettingsError
        For a bad month, criteria or coordinates, or a ``previous_start`` more than two days
        from where the 29th falls.
    DependencyError
        When :mod:`ephem` is not installed.

    Examples
    --------
    >>> predict_month_start(1446, 9).isoformat(), predict_month_start(1446, 10).isoformat()
    ('2025-03-01', '2025-03-31')
    """
    _check_month(hijri_year, hijri_month)
    chosen = _resolve(criteria, hijri_year)
    where = {
        "lat": _number("lat", lat, -90.0, 90.0),
        "lon": _number("lon", lon, -180.0, 180.0),
        "tz_hours": _number("tz_hours", tz_hours, -12.0, 14.0),
        "elevation_m": _number("elevation_m", elevation_m, 0.0, 9000.0),
    }
    if previous_start is None:
        py, pm = _previous(hijri_year, hijri_month)
        previous_start = _first_visible(py, pm, where, criteria)
    previous_start = _day("previous_start", previous_start)
    day29 = _day29(hijri_year, hijri_month, previous_start, where["tz_hours"])
    seen = hilal_at_sunset(day29, **where).meets(chosen)
    return day29 + timedelta(days=1 if seen else 2)


def _check_month(hijri_year: Any, hijri_month: Any) -> None:
    """Check a Hijri year (1300-1700) and month (1-12)."""
    if not (
        isinstance(hijri_year, int)
        and isinstance(hijri_month, int)
        and not isinstance(hijri_year, bool)
        and not isinstance(hijri_month, bool)
        and 1300 <= hijri_year <= 1700
        and 1 <= hijri_month <= 12
    ):
        raise SettingsError.say(MESSAGES, "bad_month", year=hijri_year, month=hijri_month)


def _day29(hijri_year: int, hijri_month: int, previous_start: date, tz_hours: float) -> date:
    """Return the 29th of the previous month, checked against the month's conjunction."""
    day29 = previous_start + timedelta(days=28)
    conj = _conjunction(hijri_year, hijri_month)
    if abs((conj + timedelta(hours=tz_hours)).date() - day29) > timedelta(days=2):
        raise SettingsError.say(
            MESSAGES,
            "bad_previous",
            start=previous_start,
            year=hijri_year,
            month=hijri_month,
            conj=conj,
            day29=day29,
        )
    return day29
