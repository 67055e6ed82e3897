"""Time in the synthetic sample data: Ramadhan seasons, daily rates and hours of the day.

Private helpers of :mod:`kamtibmas_geo.sample._sample`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

# 1 Ramadhan and 1 Syawal of 1444-1447 H as set by Kemenag (sidang isbat). A private copy
# so the sample does not depend on kamtibmas_geo.calendar._dates, which holds the full table with
# its sources; tests check that the two agree.
__all__ = [
    "ACT_UPLIFT",
    "FLAGS",
    "RAMADHAN",
    "UPLIFT",
    "WEEKEND",
    "activity_profiles",
    "day_flags",
    "disturbance_profiles",
    "draw_minutes",
    "modes",
    "rates",
]

RAMADHAN: tuple[tuple[date, date], ...] = (
    (date(2023, 3, 23), date(2023, 4, 22)),
    (date(2024, 3, 12), date(2024, 4, 10)),
    (date(2025, 3, 1), date(2025, 3, 31)),
    (date(2026, 2, 19), date(2026, 3, 21)),
)

# Seasonal flags of a day and the uplift of each type on them (missing = 1).
FLAGS = ("pra", "ramadhan", "last10", "takbiran", "lebaran", "mudik", "balik", "tahun_baru")
UPLIFT: dict[str, dict[str, float]] = {
    "pencurian": {"pra": 1.1, "ramadhan": 1.3, "last10": 1.3, "mudik": 1.4, "lebaran": 1.3},
    "curanmor": {"pra": 1.1, "ramadhan": 1.3, "last10": 1.4, "mudik": 1.5, "lebaran": 1.3},
    "penipuan": {"ramadhan": 1.3, "last10": 1.2},
    "kecelakaan": {"ramadhan": 1.2, "mudik": 2.5, "balik": 2.0, "lebaran": 1.5},
    "kemacetan": {"ramadhan": 1.8, "mudik": 3.0, "balik": 2.5, "lebaran": 1.5},
    "petasan": {"pra": 1.5, "ramadhan": 3.5, "last10": 1.5, "takbiran": 8.0, "lebaran": 4.0}
    | {"tahun_baru": 12.0},
    "balap_liar": {"ramadhan": 3.0, "last10": 1.2, "lebaran": 1.5},
    "tawuran": {"ramadhan": 2.2, "lebaran": 1.3},
    "miras": {"pra": 1.2, "ramadhan": 0.5, "lebaran": 1.5, "tahun_baru": 3.0},
    "judi": {"ramadhan": 0.6},
}
WEEKEND = {"balap_liar": 1.4, "tawuran": 1.3, "miras": 1.3, "petasan": 1.2, "kemacetan": 0.8}

# Daily profiles: (centre hour, width in hours, weight) peaks over a small floor.
# Modes: 0 ordinary day, 1 Ramadhan, 2 mudik/balik, 3 malam takbiran.
_Peaks = tuple[tuple[float, float, float], ...]
_HOURS: dict[str, tuple[_Peaks, _Peaks]] = {
    "pencurian": (((2.0, 2, 1), (11, 2, 0.8)), ((18.5, 1, 1), (20, 1.5, 0.8), (3.5, 1, 0.6))),
    "curanmor": (((1.0, 2, 0.8), (12, 3, 1)), ((18.5, 1, 1), (20, 1.5, 1), (3.5, 1, 0.5))),
    "penipuan": (((11.0, 3, 1),), ((11.0, 3, 1), (16, 2, 0.6))),
    "kecelakaan": (((7.0, 1.5, 1), (17.5, 1.5, 1)), ((17.0, 1, 1.2), (3.5, 1, 0.6), (7, 1, 0.5))),
    "kemacetan": (((7.0, 1, 1), (17, 1.2, 1.2)), ((16.5, 1, 1.6), (7.5, 1, 0.5), (20.5, 1, 0.3))),
    "petasan": (((20.0, 2, 1),), ((4.0, 1, 0.8), (17.5, 1, 0.6), (21, 1.5, 1))),
    "balap_liar": (((23.0, 2, 1),), ((4.5, 1, 1.6), (5.5, 0.8, 0.8), (23, 1.5, 0.3))),
    "tawuran": (((22.0, 2, 1),), ((3.5, 1, 1.4), (22, 1.5, 0.4))),
    "miras": (((23.0, 2.5, 1),), ((23.0, 2.5, 1),)),
    "judi": (((21.0, 2.5, 1),), ((22.0, 2, 1),)),
    "konflik_sosial": (((15.0, 4, 1),), ((15.0, 4, 1),)),
    "lainnya": (((13.0, 5, 1),), ((13.0, 5, 1),)),
}
_MUDIK_PEAKS: _Peaks = ((10.0, 3, 1), (15, 3, 1), (20, 2, 0.6))
_TAKBIRAN_PEAKS: _Peaks = ((20.0, 2, 1), (23.5, 1, 0.5))

ACT_UPLIFT: dict[str, dict[str, float]] = {
    "sambang": {"pra": 1.3, "ramadhan": 1.2},
    "sosialisasi": {"pra": 1.8, "ramadhan": 1.3},
    "patroli": {"pra": 1.2, "ramadhan": 1.8, "mudik": 2.0, "takbiran": 3.0},
    "operasi": {"pra": 4.0, "ramadhan": 2.0},
    "poskamling": {"ramadhan": 1.5, "mudik": 1.8},
}
_ACT_HOURS: dict[str, tuple[_Peaks, _Peaks]] = {
    "sambang": (((10.0, 2, 1),), ((10.0, 2, 1),)),
    "sosialisasi": (((9.5, 1.5, 1), (14, 1.5, 0.5)), ((9.5, 1.5, 1), (16.5, 1, 0.6))),
    "patroli": (((21.0, 2, 1), (10, 2, 0.5)), ((3.5, 1, 1), (16.5, 1, 0.7), (22, 1.5, 0.6))),
    "operasi": (((20.5, 1.5, 1), (10, 1.5, 0.6)), ((21.5, 1.5, 1), (3.5, 1, 0.5))),
    "poskamling": (((23.0, 2, 1),), ((2.5, 1.5, 1), (23, 1.5, 0.6))),
}

# --------------------------------------------------------------------------- calendar


def day_flags(days: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Seasonal flags (:data:`FLAGS`) of each day at the official Ramadhan dates."""
    d = days.values.astype("datetime64[D]")
    flags = {f: np.zeros(len(d), dtype=bool) for f in FLAGS}
    for start, syawal in RAMADHAN:
        s, e = np.datetime64(start), np.datetime64(syawal)
        flags["pra"] |= (d >= s - np.timedelta64(28, "D")) & (d < s)
        flags["ramadhan"] |= (d >= s) & (d < e)
        flags["last10"] |= (d >= e - np.timedelta64(10, "D")) & (d < e)
        flags["takbiran"] |= d == e - np.timedelta64(1, "D")
        flags["lebaran"] |= (d >= e) & (d < e + np.timedelta64(2, "D"))
        flags["mudik"] |= (d >= e - np.timedelta64(7, "D")) & (d < e)
        flags["balik"] |= (d >= e + np.timedelta64(2, "D")) & (d < e + np.timedelta64(9, "D"))
    flags["tahun_baru"] = (days.month == 12) & (days.day == 31)
    return flags


def rates(
    days: pd.DatetimeIndex,
    flags: dict[str, np.ndarray],
    types: Sequence[str],
    share: np.ndarray,
    uplift: Mapping[str, Mapping[str, float]],
    weekend: Mapping[str, float],
) -> np.ndarray:
    years = (days - days[0]).days.to_numpy() / 365.25
    trend = 1.0 + 0.04 * years
    is_weekend = days.day_of_week.to_numpy() >= 5
    lam = np.empty((len(days), len(types)))
    for j, t in enumerate(types):
        f = trend * share[j] / share.sum()
        for flag, factor in uplift.get(t, {}).items():
            f = f * np.where(flags[flag], factor, 1.0)
        lam[:, j] = f * np.where(is_weekend, weekend.get(t, 1.0), 1.0)
    return lam


def profile(peaks: _Peaks) -> np.ndarray:
    """Cumulative share of a day by hour: Gaussian peaks over a small floor."""
    h = np.arange(24) + 0.5
    w = np.full(24, 0.04)
    for centre, width, weight in peaks:
        dist = np.minimum(np.abs(h - centre), 24 - np.abs(h - centre))
        w += weight * np.exp(-0.5 * (dist / width) ** 2)
    return np.cumsum(w) / w.sum()


def draw_minutes(
    cum: np.ndarray, type_idx: np.ndarray, mode: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Minutes after midnight, drawn from the cumulative hour profiles ``cum[type, mode]``."""
    u = rng.random(len(type_idx))
    hour = (u[:, None] > cum[type_idx, mode]).sum(axis=1)
    return np.minimum(hour, 23) * 60 + rng.integers(0, 60, len(type_idx))


def disturbance_profiles(types: Sequence[str]) -> np.ndarray:
    """Cumulative hour profiles ``(type, mode, 24)``; modes: day, Ramadhan, mudik, takbiran."""
    cum = np.empty((len(types), 4, 24))
    for j, t in enumerate(types):
        normal, ramadhan = _HOURS[t]
        cum[j, 0] = profile(normal)
        cum[j, 1] = profile(ramadhan)
        cum[j, 2] = profile(_MUDIK_PEAKS if t in ("kemacetan", "kecelakaan") else ramadhan)
        cum[j, 3] = profile(_TAKBIRAN_PEAKS if t == "petasan" else ramadhan)
    return cum


def activity_profiles(types: Sequence[str]) -> np.ndarray:
    """Cumulative hour profiles ``(type, mode, 24)``; modes: ordinary day, Ramadhan."""
    cum = np.empty((len(types), 2, 24))
    for j, t in enumerate(types):
        cum[j, 0] = profile(_ACT_HOURS[t][0])
        cum[j, 1] = profile(_ACT_HOURS[t][1])
    return cum


def modes(flags: dict[str, np.ndarray], ev: pd.DataFrame) -> np.ndarray:
    """Profile mode of each event: 0 day, 1 Ramadhan, 2 mudik/balik, 3 malam takbiran."""
    d = ev["day"].to_numpy()
    mode = np.where(flags["ramadhan"][d], 1, 0)
    mode = np.where(flags["mudik"][d] | flags["balik"][d], 2, mode)
    return np.where(flags["takbiran"][d], 3, mode)
