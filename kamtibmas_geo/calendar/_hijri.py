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


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[int, dict[str, Any]]]:
    text = resources.files("kamtibmas_geo").joinpath("data/ramadhan.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return {m: {int(y): v for y, v in data.get(m, {}).items()} for m in ("kemenag", "muhammadiyah")}


def _to_date(value: Any, what: str) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        msg = f"{what} must be a date written YYYY-MM-DD, got {value!r}."
        raise SettingsError(msg) from None


def _check_pair(hijri_year: int, start: date, idul_fitri: date, what: str) -> None:
    days = (idul_fitri - start).days
    if days not in (29, 30):
        msg = (
            f"{what} for {hijri_year} H: 1 Ramadhan {start} and 1 Syawal {idul_fitri} are "
            f"{days} days apart, but a Ramadhan has 29 or 30 days. Check both dates."
        )
        raise SettingsError(msg)


def _ummalqura(hijri_year: int) -> tuple[date, date]:
    from hijridate import Hijri

    try:
        start = Hijri(hijri_year, 9, 1).to_gregorian()
        end = Hijri(hijri_year, 10, 1).to_gregorian()
    except (ValueError, OverflowError):
        msg = (
            f"Hijri year {hijri_year} is outside the Umm al-Qura calendar (1343-1500 H); "
            "give the dates with overrides={year: (start, idul_fitri)}."
        )
        raise SettingsError(msg) from None
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
            msg = f"Time window {name!r} = ({lo}, {hi}) must have hours in 0-24, start != end."
            raise SettingsError(msg)
        a, b = round(lo * 60), round(hi * 60)
        if a < b:
            minutes[a:b] += 1
        else:
            minutes[a:] += 1
            minutes[:b] += 1
    if (minutes != 1).any():
        first = int(np.flatnonzero(minutes != 1)[0])
        msg = (
            f"Time windows must cover the day exactly once; {first // 60:02d}:{first % 60:02d} "
            f"lies in {int(minutes[first])} windows. Adjust their (start, end) hours."
        )
        raise SettingsError(msg)
