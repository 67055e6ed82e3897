"""The Sun for Ramadhan planning: Kemenag prayer times and the daily Ramadhan windows.

Two small pure functions:

* :func:`prayer_times` -- imsak, subuh, terbit, dzuhur, ashar, maghrib and isya for a place
  and date with the parameters of Kementerian Agama RI (Kemenag), rounded like the
  published *jadwal shalat*;
* :func:`ramadhan_windows` -- the sahur, ngabuburit, tarawih and takbiran windows of a day,
  from the sky instead of fixed clock hours.

The Moon, and the MABIMS prediction of 1 Ramadhan and 1 Syawal, are in
:mod:`kamtibmas_geo.calendar._hilal`.

The Sun comes from the NOAA solar calculator equations (Meeus, *Astronomical Algorithms*,
2nd ed., ch. 25, low precision: about 0.01 deg in declination, a few seconds of time), in pure
Python, with no dependency. Nothing reads the network or a clock; the same input gives the
same output.

Examples
--------
>>> from datetime import date
>>> pt = prayer_times(date(2026, 3, 16), -2.99, 104.76)  # Palembang
>>> pt.imsak.strftime("%H:%M"), pt.maghrib.strftime("%H:%M"), pt.isya.strftime("%H:%M")
('04:42', '18:16', '19:25')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone
from typing import Any

from kamtibmas_geo._errors import SettingsError

__all__ = [
    "IHTIYAT_MINUTES",
    "IMSAK_MINUTES",
    "ISYA_ALTITUDE",
    "PATROL_WINDOWS",
    "SUBUH_ALTITUDE",
    "SUNSET_ALTITUDE",
    "PrayerTimes",
    "patrol_windows",
    "prayer_times",
    "ramadhan_windows",
]

#: Sun altitude (deg) at the start of subuh (fajar shadiq), Kemenag RI.
SUBUH_ALTITUDE = -20.0
#: Sun altitude (deg) at the start of isya (end of the red twilight), Kemenag RI.
ISYA_ALTITUDE = -18.0
#: True altitude (deg) of the Sun's centre when its upper limb touches a sea-level horizon:
#: 34' of refraction plus 16' of semi-diameter.
SUNSET_ALTITUDE = -50.0 / 60.0
#: Minutes of *ihtiyat* (safety margin) Kemenag adds to each start time (and takes from terbit).
IHTIYAT_MINUTES = 2
#: Imsak is this many minutes before the published subuh.
IMSAK_MINUTES = 10
#: Every patrol window :func:`patrol_windows` knows, in the order of the day.
PATROL_WINDOWS: tuple[str, ...] = (
    "sahur",
    "subuh",
    "siang",
    "ngabuburit",
    "tarawih",
    "malam",
    "takbiran",
)
#: The subuh patrol runs from imsak until this many minutes after sunrise (terbit).
SUBUH_AFTER_TERBIT_MINUTES = 30
_DIP_DEG_PER_SQRT_M = 1.76 / 60.0  # dip of the horizon: 1.76' x sqrt(height in m)
_ZONE_NAMES = {7.0: "WIB", 8.0: "WITA", 9.0: "WIT"}

MESSAGES = {
    "bad_number": {
        "id": "{name} harus berupa angka, bukan {value!r}.",
        "en": "{name} must be a number, got {value!r}.",
    },
    "bad_range": {
        "id": "{name} = {value!r} di luar rentang {lo}..{hi}. Periksa nilainya.",
        "en": "{name} = {value!r} is outside {lo}..{hi}. Check the value.",
    },
    "bad_date": {
        "id": "{name} harus berupa tanggal (datetime.date), bukan {value!r}.",
        "en": "{name} must be a date (datetime.date), got {value!r}.",
    },
    "no_event": {
        "id": "Matahari tidak mencapai ketinggian {altitude:.2f} derajat pada {day} di lintang "
        "{lat}; waktu {what} tidak dapat dihitung di tempat ini.",
        "en": "The Sun does not reach {altitude:.2f} deg on {day} at latitude {lat}; "
        "{what} cannot be computed at this place.",
    },
    "bad_pair": {
        "id": "Berikan start dan idul_fitri bersama-sama (1 Ramadhan sebelum 1 Syawal), "
        "bukan {start!r} dan {idul_fitri!r}.",
        "en": "Give start and idul_fitri together (1 Ramadhan before 1 Syawal), got "
        "{start!r} and {idul_fitri!r}.",
    },
}


# --------------------------------------------------------------------------- checks


def _number(name: str, value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingsError.say(MESSAGES, "bad_number", name=name, value=value)
    out = float(value)
    if not lo <= out <= hi:  # also rejects NaN
        raise SettingsError.say(MESSAGES, "bad_range", name=name, value=value, lo=lo, hi=hi)
    return out


def _day(name: str, value: Any) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise SettingsError.say(MESSAGES, "bad_date", name=name, value=value)
    return value


def _zone(tz_hours: float) -> timezone:
    offset = timedelta(hours=tz_hours)
    name = _ZONE_NAMES.get(tz_hours)
    return timezone(offset, name) if name else timezone(offset)


# --------------------------------------------------------------------------- the Sun


def _julian_day(day: date) -> float:
    """Julian Day of 00:00 UT of a Gregorian ``day``."""
    return day.toordinal() + 1721424.5


def _sun(jd: float) -> tuple[float, float]:
    """Apparent declination (deg) and equation of time (min) of the Sun at Julian Day ``jd``.

    NOAA solar calculator / Meeus ch. 25 (low precision), with the nutation and aberration
    corrections of the apparent longitude and the obliquity.
    """
    t = (jd - 2451545.0) / 36525.0
    l0 = math.radians((280.46646 + t * (36000.76983 + 0.0003032 * t)) % 360.0)
    m = math.radians(357.52911 + t * (35999.05029 - 0.0001537 * t))
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    c = (
        math.sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + math.sin(2 * m) * (0.019993 - 0.000101 * t)
        + math.sin(3 * m) * 0.000289
    )
    omega = math.radians(125.04 - 1934.136 * t)
    apparent = math.radians(math.degrees(l0) + c - 0.00569 - 0.00478 * math.sin(omega))
    seconds = 21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))
    obliquity = math.radians(23.0 + (26.0 + seconds / 60.0) / 60.0 + 0.00256 * math.cos(omega))
    declination = math.degrees(math.asin(math.sin(obliquity) * math.sin(apparent)))
    y = math.tan(obliquity / 2) ** 2
    eot = (
        y * math.sin(2 * l0)
        - 2 * e * math.sin(m)
        + 4 * e * y * math.sin(m) * math.cos(2 * l0)
        - 0.5 * y * y * math.sin(4 * l0)
        - 1.25 * e * e * math.sin(2 * m)
    )
    return declination, 4.0 * math.degrees(eot)


@dataclass(frozen=True)
class _Place:
    day: date
    lat: float
    lon: float
    tz_hours: float

    def jd(self, minutes: float) -> float:
        """Julian Day of ``minutes`` after local midnight of ``day``."""
        return _julian_day(self.day) + (minutes / 60.0 - self.tz_hours) / 24.0

    def transit(self, minutes: float) -> float:
        """Local minutes of the Sun's meridian transit (equation of time taken at ``minutes``)."""
        _, eot = _sun(self.jd(minutes))
        return 720.0 + 60.0 * self.tz_hours - 4.0 * self.lon - eot


def _noon(place: _Place) -> float:
    minutes = 720.0
    for _ in range(3):
        minutes = place.transit(minutes)
    return minutes


def _when_altitude(place: _Place, altitude: float, *, morning: bool, what: str) -> float:
    """Local minutes after midnight when the Sun's centre has true ``altitude`` (deg)."""
    phi = math.radians(place.lat)
    sin_h = math.sin(math.radians(altitude))
    minutes = _noon(place) + (-360.0 if morning else 360.0)
    for _ in range(5):
        declination, _ = _sun(place.jd(minutes))
        delta = math.radians(declination)
        cos_ha = (sin_h - math.sin(phi) * math.sin(delta)) / (math.cos(phi) * math.cos(delta))
        if not -1.0 <= cos_ha <= 1.0:
            raise SettingsError.say(
                MESSAGES, "no_event", altitude=altitude, day=place.day, lat=place.lat, what=what
            )
        hour_angle = math.degrees(math.acos(cos_ha))
        new = place.transit(minutes) + (-4.0 if morning else 4.0) * hour_angle
        if abs(new - minutes) < 1e-4:
            return new
        minutes = new
    return minutes


def _ashar_altitude(place: _Place, noon: float) -> float:
    """Altitude at which a shadow equals the object plus its noon shadow (Syafi'i, factor 1)."""
    declination, _ = _sun(place.jd(noon))
    zenith_at_noon = math.radians(abs(place.lat - declination))
    return math.degrees(math.atan(1.0 / (1.0 + math.tan(zenith_at_noon))))


def _sunset_altitude(elevation_m: float) -> float:
    return SUNSET_ALTITUDE - _DIP_DEG_PER_SQRT_M * math.sqrt(elevation_m)


# --------------------------------------------------------------------------- prayer times


@dataclass(frozen=True)
class PrayerTimes:
    """Start times of the day's prayers at one place, as timezone-aware datetimes.

    Attributes
    ----------
    imsak : datetime
        Ten minutes before subuh: the end of sahur in the Kemenag imsakiyah.
    subuh : datetime
        Sun at -20 deg before sunrise.
    terbit : datetime
        Sunrise (end of subuh); Kemenag takes the ihtiyat *off* this one.
    dzuhur : datetime
        The Sun's meridian transit.
    ashar : datetime
        A shadow as long as its object plus the noon shadow (Syafi'i).
    maghrib : datetime
        Sunset: the Sun's upper limb on the horizon (and the end of the fast).
    isya : datetime
        Sun at -18 deg after sunset.
    """

    imsak: datetime
    subuh: datetime
    terbit: datetime
    dzuhur: datetime
    ashar: datetime
    maghrib: datetime
    isya: datetime

    def as_dict(self) -> dict[str, datetime]:
        """Return ``{name: time}`` in the order of the day."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def prayer_times(
    day: date,
    lat: float,
    lon: float,
    *,
    tz_hours: float = 7.0,
    elevation_m: float = 0.0,
    exact: bool = False,
) -> PrayerTimes:
    """Compute the prayer times of a day with the parameters of Kemenag RI.

    ========  ==========================================================  ==============
    time      Sun                                                         published as
    ========  ==========================================================  ==============
    imsak     --                                                          subuh - 10 min
    subuh     centre at -20 deg, morning                                  +2 min, ceil
    terbit    upper limb on the horizon (-0.8333 deg - dip), morning      -2 min, floor
    dzuhur    meridian transit                                            +2 min, ceil
    ashar     shadow = object + noon shadow (Syafi'i, factor 1)           +2 min, ceil
    maghrib   upper limb on the horizon (-0.8333 deg - dip), evening      +2 min, ceil
    isya      centre at -18 deg, evening                                  +2 min, ceil
    ========  ==========================================================  ==============

    The +2 minutes are Kemenag's *ihtiyat* (safety margin), so that no one prays or breaks
    the fast before the time has come; the seconds are then rounded up to the next minute
    (down for terbit), which is how the published jadwal reads. The dip of the horizon,
    1.76' x sqrt(``elevation_m``), only moves terbit and maghrib.

    Parameters
    ----------
    day : datetime.date
        The local civil date.
    lat, lon : float
        Latitude and longitude in degrees (WGS84; south and west negative).
    tz_hours : float
        Offset of local time from UTC: 7 (WIB, default), 8 (WITA) or 9 (WIT).
    elevation_m : float
        Height of the observer above the surrounding horizon, metres (0 = sea level).
    exact : bool
        If True, return the astronomical instants to the second: no ihtiyat, no rounding,
        imsak exactly 10 minutes before the exact subuh.

    Returns
    -------
    PrayerTimes
        Timezone-aware datetimes on ``day`` (fixed offset ``tz_hours``).

    Raises
    ------
    SettingsError
        For a bad date, coordinates outside their range, or a place where the Sun does not
        reach one of the altitudes that day (far polar latitudes).

    Examples
    --------
    >>> from datetime import date
    >>> pt = prayer_times(date(2026, 3, 15), -2.99, 104.76)  # Palembang
    >>> pt.subuh.strftime("%H:%M %Z"), pt.dzuhur.strftime("%H:%M")
    ('04:52 WIB', '12:12')
    """
    day = _day("day", day)
    place = _Place(
        day,
        _number("lat", lat, -90.0, 90.0),
        _number("lon", lon, -180.0, 180.0),
        _number("tz_hours", tz_hours, -12.0, 14.0),
    )
    horizon = _sunset_altitude(_number("elevation_m", elevation_m, 0.0, 9000.0))
    minutes = _published(_sun_events(place, horizon), exact=exact)
    midnight = datetime(day.year, day.month, day.day, tzinfo=_zone(place.tz_hours))
    return PrayerTimes(**{k: midnight + timedelta(minutes=v) for k, v in minutes.items()})


def _sun_events(place: _Place, horizon: float) -> dict[str, float]:
    """Local minutes after midnight at which the Sun starts each prayer time (exact)."""
    noon = _noon(place)
    return {
        "subuh": _when_altitude(place, SUBUH_ALTITUDE, morning=True, what="subuh"),
        "terbit": _when_altitude(place, horizon, morning=True, what="terbit"),
        "dzuhur": noon,
        "ashar": _when_altitude(place, _ashar_altitude(place, noon), morning=False, what="ashar"),
        "maghrib": _when_altitude(place, horizon, morning=False, what="maghrib"),
        "isya": _when_altitude(place, ISYA_ALTITUDE, morning=False, what="isya"),
    }


def _published(raw: dict[str, float], *, exact: bool) -> dict[str, float]:
    """Round the exact minutes as the Kemenag jadwal does (or to the second), add imsak."""
    if exact:
        minutes = {k: round(v * 60.0) / 60.0 for k, v in raw.items()}
    else:
        # round() first so that float noise such as 283.0000000001 does not add a minute
        minutes = {k: float(math.ceil(round(v + IHTIYAT_MINUTES, 6))) for k, v in raw.items()}
        minutes["terbit"] = float(math.floor(round(raw["terbit"] - IHTIYAT_MINUTES, 6)))
    minutes["imsak"] = minutes["subuh"] - IMSAK_MINUTES
    return minutes


# --------------------------------------------------------------------------- Ramadhan windows


def ramadhan_windows(
    day: date,
    lat: float,
    lon: float,
    *,
    tz_hours: float = 7.0,
    elevation_m: float = 0.0,
    start: date | None = None,
    idul_fitri: date | None = None,
) -> dict[str, tuple[datetime, datetime]]:
    """Return the Ramadhan patrol windows of a day, each ``(start, end)`` with end exclusive.

    ===========  =================================  ===============================  ===========
    window       from                               until                            days
    ===========  =================================  ===============================  ===========
    sahur        imsak - 90 min (about 03:10 WIB)   imsak                            fasting
    ngabuburit   maghrib - 2 h                      maghrib                          fasting
    tarawih      isya                               isya + 2 h                       eve of a
                                                                                     fasting day
    takbiran     maghrib                            23:59 the same evening           eve of
                                                                                     1 Syawal
    ===========  =================================  ===============================  ===========

    Times are the published Kemenag times of :func:`prayer_times`. Sahur starts a fixed
    90 minutes before imsak rather than at a clock hour, so the window follows the place
    (imsak is 04:35-04:43 in Palembang in Feb-Mar but 05:10 in Medan). Tarawih is prayed
    after isya on the *evening before* each fasting day, so the first tarawih is the evening
    before 1 Ramadhan and there is none on the eve of 1 Syawal, which is takbiran instead.

    Parameters
    ----------
    day : datetime.date
        The local civil date.
    lat, lon : float
        Latitude and longitude in degrees.
    tz_hours : float
        Offset of local time from UTC (7 = WIB).
    elevation_m : float
        Height above the horizon, metres (see :func:`prayer_times`).
    start, idul_fitri : datetime.date, optional
        1 Ramadhan and 1 Syawal. Given together, only the windows that apply on ``day``
        are returned (fasting days ``start <= day < idul_fitri``; tarawih from the eve of
        ``start`` to the eve of the last fasting day; takbiran on ``idul_fitri - 1``), and
        ``{}`` outside them. Without them, sahur, ngabuburit and tarawih are returned.

    Returns
    -------
    dict of str to (datetime, datetime)
        Timezone-aware bounds, in the order of the day.

    Examples
    --------
    >>> from datetime import date
    >>> w = ramadhan_windows(date(2026, 3, 20), -2.99, 104.76, start=date(2026, 2, 19),
    ...                      idul_fitri=date(2026, 3, 21))
    >>> {k: (a.strftime("%H:%M"), b.strftime("%H:%M")) for k, (a, b) in w.items()}
    {'sahur': ('03:11', '04:41'), 'ngabuburit': ('16:14', '18:14'), 'takbiran': ('18:14', '23:59')}
    """
    day = _day("day", day)
    _check_fast(start, idul_fitri)
    pt = prayer_times(day, lat, lon, tz_hours=tz_hours, elevation_m=elevation_m)
    return _windows_of(pt, day, start, idul_fitri)


def _windows_of(
    pt: PrayerTimes, day: date, start: date | None, idul_fitri: date | None
) -> dict[str, tuple[datetime, datetime]]:
    """Return the windows of ``day`` from its prayer times (those that apply, given dates)."""
    every = {
        "sahur": (pt.imsak - timedelta(minutes=90), pt.imsak),
        "ngabuburit": (pt.maghrib - timedelta(hours=2), pt.maghrib),
        "tarawih": (pt.isya, pt.isya + timedelta(hours=2)),
        "takbiran": (pt.maghrib, pt.maghrib.replace(hour=23, minute=59, second=0)),
    }
    if start is None or idul_fitri is None:
        return {k: every[k] for k in ("sahur", "ngabuburit", "tarawih")}
    one = timedelta(days=1)
    keep = {
        "sahur": start <= day < idul_fitri,
        "ngabuburit": start <= day < idul_fitri,
        "tarawih": start - one <= day < idul_fitri - one,
        "takbiran": day == idul_fitri - one,
    }
    return {k: v for k, v in every.items() if keep[k]}


def _check_fast(start: date | None, idul_fitri: date | None) -> None:
    """Check that 1 Ramadhan and 1 Syawal are both given, in order, or both left out."""
    if (start is None) != (idul_fitri is None) or (
        start is not None
        and idul_fitri is not None
        and not _day("start", start) < _day("idul_fitri", idul_fitri)
    ):
        raise SettingsError.say(MESSAGES, "bad_pair", start=start, idul_fitri=idul_fitri)


def patrol_windows(
    day: date,
    lat: float,
    lon: float,
    *,
    tz_hours: float = 7.0,
    elevation_m: float = 0.0,
    start: date | None = None,
    idul_fitri: date | None = None,
) -> dict[str, tuple[datetime, datetime]]:
    """Return every patrol window of a day from the sky, each ``(start, end)``, end exclusive.

    The Ramadhan windows are those of :func:`ramadhan_windows`; the others fill the day
    around them:

    ===========  ======================================  ======================================
    window       from                                    until
    ===========  ======================================  ======================================
    sahur        imsak - 90 min                          imsak
    subuh        imsak                                   terbit + 30 min
    siang        terbit + 30 min                         maghrib - 2 h
    ngabuburit   maghrib - 2 h                           maghrib
    tarawih      isya                                    isya + 2 h
    malam        isya + 2 h                              the next day's imsak - 90 min
    takbiran     maghrib                                 23:59 the same evening
    ===========  ======================================  ======================================

    Between maghrib and isya (breaking the fast, then isya prayer) no window runs.

    Parameters
    ----------
    day : datetime.date
        The local civil date (the evening of ``day`` for tarawih, malam and takbiran).
    lat, lon : float
        Latitude and longitude in degrees.
    tz_hours : float
        Offset of local time from UTC (7 = WIB).
    elevation_m : float
        Height above the horizon, metres (see :func:`prayer_times`).
    start, idul_fitri : datetime.date, optional
        1 Ramadhan and 1 Syawal. Given together, sahur, ngabuburit, tarawih and takbiran
        are returned only on the days they apply (as in :func:`ramadhan_windows`); subuh,
        siang and malam apply on every day.

    Returns
    -------
    dict of str to (datetime, datetime)
        Timezone-aware bounds in the order of :data:`PATROL_WINDOWS`.

    Examples
    --------
    >>> from datetime import date
    >>> w = patrol_windows(date(2026, 2, 18), -2.99, 104.76, start=date(2026, 2, 19),
    ...                    idul_fitri=date(2026, 3, 21))
    >>> {k: (a.strftime("%H:%M"), b.strftime("%d %H:%M")) for k, (a, b) in w.items()}
    {'subuh': ('04:43', '18 06:37'), 'siang': ('06:37', '18 16:23'),
     'tarawih': ('19:34', '18 21:34'), 'malam': ('21:34', '19 03:13')}
    """
    day = _day("day", day)
    _check_fast(start, idul_fitri)
    pt = prayer_times(day, lat, lon, tz_hours=tz_hours, elevation_m=elevation_m)
    after = prayer_times(
        day + timedelta(days=1), lat, lon, tz_hours=tz_hours, elevation_m=elevation_m
    )
    fast = _windows_of(pt, day, start, idul_fitri)
    if start is None or idul_fitri is None:
        fast["takbiran"] = (pt.maghrib, pt.maghrib.replace(hour=23, minute=59, second=0))
    dawn_end = pt.terbit + timedelta(minutes=SUBUH_AFTER_TERBIT_MINUTES)
    every = {
        "subuh": (pt.imsak, dawn_end),
        "siang": (dawn_end, pt.maghrib - timedelta(hours=2)),
        "malam": (pt.isya + timedelta(hours=2), after.imsak - timedelta(minutes=90)),
        **fast,
    }
    return {k: every[k] for k in PATROL_WINDOWS if k in every}
