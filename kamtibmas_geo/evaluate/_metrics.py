"""Hit rate, PAI and PEI of a ranked forecast at a flagged area, with their uncertainty.

Area is measured in km² of the cells clipped to the jurisdiction (or in cells when no
areas are given). The cut at the flagged area ``a`` is fair: cells of equal score form
one group, and the group that straddles the cut counts with the share of its area that
fits (the expected hits of a random choice among the tied cells), so the flagged area is
exactly ``a`` for every forecast and no result depends on how cells are named.

:func:`rank_metrics` is public through :mod:`kamtibmas_geo.evaluate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kamtibmas_geo._errors import SettingsError

MESSAGES = {
    "share": {
        "id": "area_shares harus di dalam (0, 1], bukan {share!r}; 5% ditulis 0.05.",
        "en": "area_shares must lie in (0, 1], got {share!r}; 5% is 0.05.",
    },
    "km2": {
        "id": "area_km2 harus lebih dari 0 km², bukan {value!r}.",
        "en": "area_km2 must be > 0 km², got {value!r}.",
    },
}

#: z of a two-sided 95% interval.
Z95 = 1.959963984540054

COLUMNS = [
    "target",
    "area_share",
    "area_km2",
    "n_cells",
    "n_cells_total",
    "n_test",
    "n_hits",
    "n_hits_max",
    "hit_rate",
    "hit_rate_lo",
    "hit_rate_hi",
    "pai",
    "pai_lo",
    "pai_hi",
    "pai_max",
    "pei",
    "pei_lo",
    "pei_hi",
]


@dataclass(frozen=True, slots=True)
class Cut:
    """One flagged area: a share of the area or an absolute area in km².

    Attributes
    ----------
    share : float or None
        Share of the area, in (0, 1].
    km2 : float or None
        Area in km² (capped at the whole area).
    """

    share: float | None = None
    km2: float | None = None

    @property
    def label(self) -> str:
        """``"0.5%"`` or ``"2 km²"``."""
        if self.km2 is not None:
            return f"{self.km2:g} km²"
        return f"{100 * float(self.share or 0):.3g}%"

    def area(self, total: float) -> float:
        """Return the flagged area out of ``total``."""
        if self.km2 is not None:
            return min(float(self.km2), total)
        return float(self.share or 0) * total


def cuts_of(area_shares: Sequence[float] = (), area_km2: Sequence[float] = ()) -> list[Cut]:
    """Return the checked cuts of some area shares and absolute areas.

    Parameters
    ----------
    area_shares : sequence of float
        Shares in (0, 1].
    area_km2 : sequence of float
        Areas in km², > 0.

    Returns
    -------
    list of Cut
    """
    for share in area_shares:
        if not 0 < float(share) <= 1:
            raise SettingsError.say(MESSAGES, "share", share=share)
    for value in area_km2:
        if not float(value) > 0:
            raise SettingsError.say(MESSAGES, "km2", value=value)
    return [Cut(share=float(s)) for s in area_shares] + [Cut(km2=float(v)) for v in area_km2]


def flagged_fraction(
    scores: NDArray[np.float64], areas: NDArray[np.float64], area: float
) -> NDArray[np.float64]:
    """Return the flagged share of each cell when ``area`` is flagged, highest score first.

    Cells of equal score form one group; the group at the cut is flagged by the share
    of its area that fits, so every flagged set has exactly ``area``.

    Parameters
    ----------
    scores : ndarray
        Score per cell (NaN counts as 0).
    areas : ndarray
        Area per cell (> 0).
    area : float
        Area to flag.

    Returns
    -------
    ndarray
        Between 0 and 1 per cell.

    Examples
    --------
    >>> flagged_fraction(np.array([2.0, 1.0, 1.0]), np.ones(3), 2.0).tolist()
    [1.0, 0.5, 0.5]
    """
    s = np.nan_to_num(np.asarray(scores, dtype=float), nan=0.0)
    order = _order(s)
    ss = s[order]
    new = np.concatenate([[True], ss[1:] != ss[:-1]]) if len(ss) else np.zeros(0, bool)
    gid = np.cumsum(new) - 1
    group_area = np.bincount(gid, weights=areas[order])
    before = np.cumsum(group_area) - group_area
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.clip((area - before) / group_area, 0.0, 1.0)
    frac = np.nan_to_num(frac)
    out = np.empty(len(s))
    out[order] = frac[gid]
    return out


def _order(s: NDArray[np.float64]) -> NDArray[np.intp]:
    """Return the cells highest score first.

    With no negative score only the positive ones are sorted: the zeros, often most
    cells, follow as one tied group.
    """
    if (s < 0).any():
        return np.argsort(-s, kind="stable")
    pos = np.flatnonzero(s > 0)
    top = pos[np.argsort(-s[pos], kind="stable")]
    return np.concatenate([top, np.flatnonzero(s == 0)])


def _best_hits(
    counts: NDArray[np.float64], areas: NDArray[np.float64], area: float
) -> NDArray[np.float64]:
    """Most hits any forecast could get with ``area`` (rows of ``counts``: resamples).

    The perfect forecast flags cells by density (count per km²), greedily: the optimum of
    the fractional cut.
    """
    c = np.atleast_2d(counts)
    if c.shape[1] == 0:
        return np.zeros(c.shape[0])
    dens = c / areas
    order = np.argsort(-dens, axis=1, kind="stable")
    cs = np.take_along_axis(c, order, axis=1)
    ws = areas[order]
    before = np.cumsum(ws, axis=1) - ws
    frac = np.clip((area - before) / ws, 0.0, 1.0)
    return np.asarray((frac * cs).sum(axis=1), dtype=float)


def wilson(hits: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``hits / n``.

    Parameters
    ----------
    hits, n : float
        Successes (may be an expected, fractional value) and trials.
    z : float
        Normal quantile (95% by default).

    Returns
    -------
    (float, float)
        Lower and upper bound; NaN when ``n == 0``.

    Examples
    --------
    >>> [round(v, 3) for v in wilson(8, 10)]
    [0.49, 0.943]
    """
    if n <= 0:
        return float("nan"), float("nan")
    p = hits / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def rank_metrics(
    scores: pd.Series,
    observed: pd.Series,
    *,
    area_shares: Sequence[float] = (0.01, 0.05, 0.10),
    area_km2: Sequence[float] = (),
    areas: pd.Series | None = None,
    n_boot: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """Hit rate, PAI and PEI of one forecast at several flagged areas.

    Parameters
    ----------
    scores : Series
        Forecast score per cell, indexed by ``hex_id``; defines the study area.
    observed : Series
        Incident count per cell in the test period, indexed by ``hex_id``; cells missing
        here count 0, cells outside ``scores`` are ignored.
    area_shares : sequence of float
        Shares of the area to flag, each in (0, 1].
    area_km2 : sequence of float
        Areas to flag in km² (with ``areas`` in km²).
    areas : Series, optional
        Area of each cell (km² clipped to the jurisdiction); by default 1 per cell, so
        area is counted in cells.
    n_boot : int
        Bootstrap resamples of the test incidents for the PAI and PEI intervals (0: none).
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        One row per cut: ``target``, ``area_share``, ``area_km2`` (flagged), ``n_cells``
        (cells flagged, the one at the cut included), ``n_cells_total``, ``n_test`` (N),
        ``n_hits`` (n, expected over ties at the cut), ``n_hits_max``, ``hit_rate`` with
        its Wilson 95% interval, ``pai`` and ``pei`` with bootstrap 95% intervals (NaN
        without bootstrap), ``pai_max`` (NaN where N = 0).

    Examples
    --------
    >>> s = pd.Series([3.0, 2.0, 1.0, 0.0], index=["a", "b", "c", "d"])
    >>> o = pd.Series({"b": 2, "d": 2})
    >>> rank_metrics(s, o, area_shares=[0.25, 0.5])[["n_hits", "pai", "pei"]].values.tolist()
    [[0.0, 0.0, 0.0], [2.0, 1.0, 0.5]]
    """
    table, _ = rank_metrics_boot(
        scores, observed, cuts_of(area_shares, area_km2), areas=areas, n_boot=n_boot, seed=seed
    )
    return table


def rank_metrics_boot(
    scores: pd.Series,
    observed: pd.Series,
    cuts: Sequence[Cut],
    *,
    areas: pd.Series | None = None,
    n_boot: int = 0,
    seed: int = 0,
) -> tuple[pd.DataFrame, list[NDArray[np.float64]]]:
    """:func:`rank_metrics` on checked cuts, also returning each cut's bootstrap PAIs."""
    counts = observed.reindex(scores.index).fillna(0).to_numpy(dtype=float)
    w = (
        np.ones(len(scores))
        if areas is None
        else areas.reindex(scores.index).fillna(0).to_numpy(dtype=float)
    )
    keep = w > 0
    s = scores.to_numpy(dtype=float)[keep]
    counts, w = counts[keep], w[keep]
    total, n_test = float(w.sum()), float(counts.sum())
    nz = counts > 0
    draws = _resample(counts[nz], n_boot, seed)
    rows, boots = [], []
    for cut in cuts:
        a = cut.area(total)
        frac = flagged_fraction(s, w, a)
        n = float(frac @ counts)
        n_max = float(_best_hits(counts[nz], w[nz], a)[0])
        rows.append(_row(cut, a, total, frac, n_test, n, n_max, len(s)))
        boot = _boot(draws, frac[nz], w[nz], a, total)
        boots.append(boot[0])
        if len(boot[0]):
            rows[-1][12:14] = np.nanpercentile(boot[0], [2.5, 97.5]).tolist()
            rows[-1][16:18] = np.nanpercentile(boot[1], [2.5, 97.5]).tolist()
    return pd.DataFrame(rows, columns=COLUMNS), boots


def _row(
    cut: Cut,
    a: float,
    total: float,
    frac: NDArray[np.float64],
    n_test: float,
    n: float,
    n_max: float,
    n_total: int,
) -> list[object]:
    share = a / total if total > 0 else np.nan
    hit = n / n_test if n_test > 0 else np.nan
    pai = hit / share if n_test > 0 else np.nan
    pai_max = (n_max / n_test) / share if n_test > 0 else np.nan
    pei = n / n_max if n_max > 0 else np.nan
    lo, hi = wilson(n, n_test)
    return [
        cut.label,
        float(share),
        float(a),
        int(np.ceil(frac.sum() - 1e-9)),
        n_total,
        n_test,
        n,
        n_max,
        hit,
        lo,
        hi,
        pai,
        np.nan,
        np.nan,
        pai_max,
        pei,
        np.nan,
        np.nan,
    ]


def _resample(counts: NDArray[np.float64], n_boot: int, seed: int) -> NDArray[np.float64]:
    """Resample the test incidents with replacement: ``n_boot`` rows of cell counts."""
    n = round(float(counts.sum()))
    if n_boot <= 0 or n == 0:
        return np.zeros((0, len(counts)))
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, counts / counts.sum(), size=n_boot).astype(float)


def _boot(
    draws: NDArray[np.float64],
    frac: NDArray[np.float64],
    w: NDArray[np.float64],
    a: float,
    total: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the PAI and PEI of each resample of the cells with incidents.

    No other cell can gain an incident by resampling.
    """
    if not len(draws):
        return np.zeros(0), np.zeros(0)
    n = draws.sum(axis=1)
    hits = draws @ frac
    best = _best_hits(draws, w, a)
    pai = (hits / n) / (a / total)
    with np.errstate(divide="ignore", invalid="ignore"):
        pei = np.where(best > 0, hits / best, np.nan)
    return pai, pei
