"""Private helpers of :mod:`kamtibmas_geo.calendar`: the dates table, Umm al-Qura, WIB times."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo._errors import SettingsError

TZ = "Asia/Jakarta"

MESSAGES = {
    "bad_date": {
        "id": "{what} harus tanggal yang ditulis YYYY-MM-DD, bukan {value!r}.",
        "en": "{what} must be a date written YYYY-MM-DD, got {value!r}.",
    },
    "bad_pair": {
        "id": "{what} untuk {year} H: 1 Ramadhan {start} dan 1 Syawal {idul_fitri} berjarak "
        "{days} hari, padahal Ramadhan berlangsung 29 atau 30 hari. Periksa kedua tanggal.",
        "en": "{what} for {year} H: 1 Ramadhan {start} and 1 Syawal {idul_fitri} are "
        "{days} days apart, but a Ramadhan has 29 or 30 days. Check both dates.",
    },
    "outside_ummalqura": {
        "id": "Tahun Hijriah {year} di luar kalender Umm al-Qura (1343-1500 H); berikan "
        "tanggalnya dengan overrides={{tahun: (1 Ramadhan, 1 Syawal)}}.",
        "en": "Hijri year {year} is outside the Umm al-Qura calendar (1343-1500 H); "
        "give the dates with overrides={{year: (start, idul_fitri)}}.",
    },
    "window_hours": {
        "id": "Jendela waktu {name!r} = ({lo}, {hi}) harus berjam 0-24 dengan awal yang "
        "berbeda dari akhirnya.",
        "en": "Time window {name!r} = ({lo}, {hi}) must have hours in 0-24, start != end.",
    },
    "window_cover": {
        "id": "Jendela waktu harus menutup sehari tepat satu kali; pukul {clock} berada di "
        "{count} jendela. Sesuaikan jam (awal, akhir) jendelanya.",
        "en": "Time windows must cover the day exactly once; {clock} lies in {count} windows. "
        "Adjust their (start, end) hours.",
    },
}

#: What a date check names, in both languages (its placeholders are filled from the values).
WHAT = {
    "override_start": {
        "id": "Tanggal 1 Ramadhan pengganti untuk {year} H",
        "en": "The 1 Ramadhan override of {year} H",
    },
    "override_end": {
        "id": "Tanggal 1 Syawal pengganti untuk {year} H",
        "en": "The 1 Syawal override of {year} H",
    },
    "override": {"id": "Tanggal pengganti", "en": "Override"},
    "file_start": {"id": "{path}: start untuk {year} H", "en": "{path}: start of {year} H"},
    "file_end": {"id": "{path}: idul_fitri untuk {year} H", "en": "{path}: idul_fitri of {year} H"},
    "file": {"id": "{path}", "en": "{path}"},
    "flag_start": {"id": "--ramadhan-start", "en": "--ramadhan-start"},
    "flag_end": {"id": "--idul-fitri", "en": "--idul-fitri"},
    "given": {"id": "Tanggal yang diberikan", "en": "Given dates"},
}


def _error(key: str, what: str, /, **values: Any) -> SettingsError:
    """Return a :class:`SettingsError` of message ``key`` naming ``what`` (a key of WHAT)."""
    messages = {
        key: {
            lang: text.replace("{what}", WHAT[what][lang]) for lang, text in MESSAGES[key].items()
        }
    }
    return SettingsError.say(messages, key, **values)


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[int, dict[str, Any]]]:
    text = resources.files("kamtibmas_geo").joinpath("data/ramadhan.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return {m: {int(y): v for y, v in data.get(m, {}).items()} for m in ("kemenag", "muhammadiyah")}


def _to_date(value: Any, what: str, **names: Any) -> date:
    # ``what`` is a key of WHAT, ``names`` the values of its placeholders
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise _error("bad_date", what, value=value, **names) from None


def _check_pair(hijri_year: int, start: date, idul_fitri: date, what: str, **names: Any) -> None:
    days = (idul_fitri - start).days
    if days not in (29, 30):
        values = {"start": start, "idul_fitri": idul_fitri, "days": days, **names}
        raise _error("bad_pair", what, year=hijri_year, **values)


def _ummalqura(hijri_year: int) -> tuple[date, date]:
    from hijridate import Hijri

    try:
        start = Hijri(hijri_year, 9, 1).to_gregorian()
        end = Hijri(hijri_year, 10, 1).to_gregorian()
    except (ValueError, OverflowError):
        raise SettingsError.say(MESSAGES, "outside_ummalqura", year=hijri_year) from None
    return date(start.year, start.month, start.day), date(end.year, end.month, end.day)


def _hijri_year_of_ramadhan_in(year: int) -> list[int]:
    # Hijri years whose Umm al-Qura 1 Ramadhan falls in Gregorian ``year`` (one, rarely two).
    approx = round((year - 622) * 33 / 32)
    found = []
    for h in range(approx - 2, approx + 3):
        try:
            start, _ = _ummalqura(h)
        except SettingsError:
            continue
        if abs(start.year - year) <= 1:
            found.append((h, start))
    return [h for h, s in found if s.year == year]


def _as_wib(times: pd.Series | pd.DatetimeIndex | Iterable[Any]) -> pd.Series:
    s = pd.Series(times) if not isinstance(times, pd.Series) else times
    if not isinstance(s.dtype, pd.DatetimeTZDtype):
        s = pd.to_datetime(s, errors="coerce")
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            return s.dt.tz_convert(TZ)
        return s.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT")
    return s.dt.tz_convert(TZ)


def _check_windows(windows: Mapping[str, tuple[float, float]]) -> None:
    minutes = np.zeros(24 * 60, dtype=int)
    for name, (lo, hi) in windows.items():
        if not (0 <= lo < 24 and 0 <= hi <= 24) or lo == hi:
            raise SettingsError.say(MESSAGES, "window_hours", name=name, lo=lo, hi=hi)
        a, b = round(lo * 60), round(hi * 60)
        if a < b:
            minutes[a:b] += 1
        else:
            minutes[a:] += 1
            minutes[:b] += 1
    if (minutes != 1).any():
        first = int(np.flatnonzero(minutes != 1)[0])
        clock = f"{first // 60:02d}:{first % 60:02d}"
        raise SettingsError.say(MESSAGES, "window_cover", clock=clock, count=int(minutes[first]))
