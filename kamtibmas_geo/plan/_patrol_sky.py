"""When a patrol runs: the Ramadhan around the plan, each window's date and hours, reports.

Private helpers of :mod:`kamtibmas_geo.plan._patrol`. The hours come from the sky at the
place (:func:`kamtibmas_geo.calendar._astro.patrol_windows`), the dates from
:func:`kamtibmas_geo.calendar._dates.parse_target`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo._errors import PlanError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.calendar._astro import patrol_windows
from kamtibmas_geo.plan._patrol_risk import Reports

__all__ = ["DEFAULT_TARGET", "Sky", "read_reports"]

#: The Ramadhan planned when the target names none.
DEFAULT_TARGET = "ramadhan-1448"

MESSAGES = {
    "err_day": {
        "id": "Waktu {window} tidak berlaku pada {day} (Ramadhan {start} s.d. {end}); pilih "
        "tanggal lain atau waktu lain.",
        "en": "Window {window} does not apply on {day} (Ramadhan {start} to {end}); choose "
        "another date or window.",
    },
    "warn_target": {
        "id": "Target {target!r} bukan Ramadhan yang dikenali; jam patroli dihitung untuk "
        "{fallback}.",
        "en": "Target {target!r} is not a Ramadhan; patrol hours are computed for {fallback}.",
    },
}


@dataclass(frozen=True)
class Sky:
    """Which date each window is planned for, and the Ramadhan around it."""

    start: date
    idul_fitri: date
    day: date | None

    @classmethod
    def of(cls, target: str | None, day: date | None, overrides: Mapping[int, Any] | None) -> Sky:
        from kamtibmas_geo.calendar._dates import parse_target

        text = target if target is not None else DEFAULT_TARGET
        try:
            dates = parse_target(text, overrides=overrides)
        except (ValueError, TypeError):
            dates = parse_target(DEFAULT_TARGET, overrides=overrides)
            fallback = f"Ramadhan {dates.hijri_year} H"
            warnings.warn(
                tr(MESSAGES, "warn_target", "id", target=target, fallback=fallback),
                UserWarning,
                stacklevel=3,
            )
        return cls(dates.start, dates.idul_fitri, day)

    def day_of(self, window: str) -> date:
        """Return the date a window is planned for (``day``, else the first night it applies)."""
        if self.day is not None:
            return self.day
        one = timedelta(days=1)
        return {"tarawih": self.start - one, "takbiran": self.idul_fitri - one}.get(
            window, self.start
        )

    def window(self, w: str, lat: float, lon: float) -> tuple[datetime, datetime]:
        """Return the bounds of window ``w`` at a place on its day."""
        d = self.day_of(w)
        got = patrol_windows(d, lat, lon, start=self.start, idul_fitri=self.idul_fitri)
        if w not in got:
            raise PlanError.say(
                MESSAGES, "err_day", window=w, day=d, start=self.start, end=self.idul_fitri
            )
        return got[w]


def read_reports(
    records: pd.DataFrame | None,
    hex_ids: set[str],
    centre: tuple[float, float],
    sky: Sky,
    wins: list[str],
    months: int,
) -> Reports | None:
    """Return the records placed precisely in the plan's cells, with their hour and window."""
    if records is None:
        return None
    rec = pd.DataFrame(records)
    keep = rec["hex_id"].astype(str).isin(hex_ids)
    if "kind" in rec:  # activities (sambang, patroli...) are not incidents
        keep &= rec["kind"].astype(str).ne("activity")
    if "geocode_status" in rec and "region_level" in rec:
        precise = rec["geocode_status"].astype(str).eq("coordinates") | rec["region_level"].astype(
            str
        ).eq("landmark")
        keep &= precise
    rec = rec[keep]
    times = pd.to_datetime(rec["time"], errors="coerce")
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert("Asia/Jakarta").dt.tz_localize(None)
    known = rec["time_known"].astype(bool) if "time_known" in rec else times.notna()
    hour = (times.dt.hour + times.dt.minute / 60.0).where(known & times.notna())
    plan_start = pd.Timestamp(sky.start) - pd.Timedelta(days=1)
    recent = (times < plan_start) & (times >= plan_start - pd.DateOffset(months=months))
    lat, lon = centre
    frame = pd.DataFrame(
        {
            "hex_id": rec["hex_id"].astype(str).to_numpy(),
            "type": rec["type"].astype(str).to_numpy(),
            "hour": hour.to_numpy(dtype=float),
            "window": _window_of(hour.to_numpy(dtype=float), sky, wins, lat, lon),
            "recent": recent.fillna(False).to_numpy(dtype=bool),
        }
    )
    return Reports(frame, months)


def _window_of(hours: np.ndarray, sky: Sky, wins: list[str], lat: float, lon: float) -> Any:
    """Return the planned window holding each reported hour of the day (None outside them all)."""
    out = np.full(len(hours), None, dtype=object)
    for w in reversed([w for w in wins if w != "takbiran"]):
        a, b = sky.window(w, lat, lon)
        lo, hi = a.hour + a.minute / 60.0, b.hour + b.minute / 60.0
        inside = (hours >= lo) & (hours < hi) if lo < hi else (hours >= lo) | (hours < hi)
        out[inside] = w
    return out
