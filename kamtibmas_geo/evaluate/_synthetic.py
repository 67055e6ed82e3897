"""Seeded synthetic incident histories with known structure, to test forecasters.

Each history lives on a disk of H3 cells and holds a uniform background plus planted
places of one kind:

* ``stable``: hotspots at a constant rate through the whole history;
* ``emerging``: a few stable hotspots, and new ones that switch on some months before the
  target;
* ``seasonal``: a few stable hotspots, and places that are active only in the same window
  of each year (the target window's own past: earlier Ramadhans for a Ramadhan target);
* ``noise``: the background only (no forecast can beat chance here).

Used by the replicate test of the self-tuning forecaster and by its benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from kamtibmas_geo.evaluate._window import Window

Scenario = Literal["stable", "emerging", "seasonal", "noise"]
SCENARIOS: tuple[Scenario, ...] = ("stable", "emerging", "seasonal", "noise")


@dataclass(frozen=True)
class SyntheticHistory:
    """A synthetic history and its target.

    Attributes
    ----------
    records : GeoDataFrame
        ``time`` (Asia/Jakarta), ``type``, Point geometry, every incident (the target's
        included).
    cells : GeoDataFrame
        ``hex_id``, ``lat``, ``lon``, ``area_km2`` of the disk.
    target : Window
        The window to forecast.
    intensity : Series
        Expected incidents of each cell (``hex_id``) in the target window: the truth a
        forecast is scored against without the luck of where the test incidents fell.
    """

    records: gpd.GeoDataFrame
    cells: gpd.GeoDataFrame
    target: Window
    intensity: pd.Series

    def split(self) -> tuple[gpd.GeoDataFrame, pd.Series]:
        """Return the training records (before the target) and the target's counts per cell."""
        t = self.records["time"]
        train = self.records[t < self.target.start]
        test = self.records[(t >= self.target.start) & (t < self.target.end)]
        ids = pd.Series(test["hex_id"].to_numpy())
        observed = ids.value_counts().reindex(self.cells["hex_id"], fill_value=0).astype(float)
        return train.drop(columns="hex_id"), observed


def synthetic_history(
    scenario: Scenario,
    seed: int,
    *,
    target: Window,
    rings: int = 10,
    res: int = 8,
    first: str = "2021-06-01",
    background: float = 2.0,
    hot_rate: float = 1.2,
) -> SyntheticHistory:
    """Return a seeded history of one scenario up to the end of ``target``.

    Parameters
    ----------
    scenario : {"stable", "emerging", "seasonal", "noise"}
        The planted structure.
    seed : int
        Seed of everything random (places, counts, times).
    target : Window
        The window to forecast; its ``past`` are the seasonal windows.
    rings : int
        Radius of the disk of cells (10 rings: 331 cells).
    res : int
        H3 resolution.
    first : str
        First day of the history.
    background : float
        Background incidents per day over the whole disk.
    hot_rate : float
        Incidents per day of each planted place when active... divided over its days.

    Returns
    -------
    SyntheticHistory
    """
    from kamtibmas_geo.evaluate._parts import _cells_frame

    rng = np.random.default_rng(seed)
    centre = h3.latlng_to_cell(-2.99, 104.76, res)  # Palembang
    cells = _cells_frame(h3.grid_disk(centre, rings))
    n = len(cells)
    days = pd.date_range(
        first, target.end.tz_localize(None).normalize(), freq="D", tz=target.start.tz
    )
    rate = np.full((len(days), n), background / n)
    _plant(scenario, rate, days, target, rng, hot_rate / 10)
    counts = rng.poisson(rate)
    day_i, cell_i = np.nonzero(counts)
    reps = counts[day_i, cell_i]
    day_i, cell_i = np.repeat(day_i, reps), np.repeat(cell_i, reps)
    seconds = rng.uniform(0, 86400, len(day_i))
    times = days[day_i] + pd.to_timedelta(seconds, unit="s")
    lat = cells["lat"].to_numpy()[cell_i] + rng.normal(0, 0.0008, len(day_i))
    lon = cells["lon"].to_numpy()[cell_i] + rng.normal(0, 0.0008, len(day_i))
    ids = np.array([h3.latlng_to_cell(a, b, res) for a, b in zip(lat, lon, strict=True)])
    records = gpd.GeoDataFrame(
        {"time": times, "type": rng.choice(["curanmor", "pencurian"], len(day_i)), "hex_id": ids},
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )
    keep = np.isin(ids, cells["hex_id"].to_numpy())
    in_target = np.asarray((days >= target.start) & (days < target.end))
    intensity = pd.Series(rate[in_target].sum(axis=0), index=cells["hex_id"].to_numpy())
    return SyntheticHistory(records[keep].reset_index(drop=True), cells, target, intensity)


def _plant(
    scenario: Scenario,
    rate: np.ndarray,
    days: pd.DatetimeIndex,
    target: Window,
    rng: np.random.Generator,
    hot: float,
) -> None:
    """Add the planted places of ``scenario`` to the daily rates (in place).

    Forty places, about twice the cells of a 5% cut, so that which ones a forecast ranks
    first matters: their rates vary (gamma distributed) around ``hot`` per day.
    """
    if scenario == "noise":
        return
    n = rate.shape[1]
    places = rng.choice(n, 40, replace=False)
    level = hot * rng.gamma(2.0, 0.5, 40)
    if scenario == "stable":
        rate[:, places] += level
        return
    old, new = places[:20], places[20:]
    if scenario == "emerging":
        # the old places fade out a year before the target, new ones switch on 8 months before
        off = np.asarray(days >= target.start - pd.DateOffset(months=12))
        on = np.asarray(days >= target.start - pd.DateOffset(months=8))
        rate[np.ix_(~off, old)] += level[:20]
        rate[np.ix_(on, new)] += 2 * level[20:]
        return
    # seasonal: weak places all year, strong ones only in the same window of each year
    rate[:, old] += 0.5 * level[:20]
    active = np.zeros(len(days), dtype=bool)
    for lo, hi in [(target.start, target.end), *target.past]:
        active |= np.asarray((days >= lo) & (days < hi))
    rate[np.ix_(active, new)] += 6 * level[20:]
