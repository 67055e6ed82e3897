"""Emerging hotspots: Gi* per time step, Mann-Kendall trends, ESRI-style pattern classes.

For each cell the Gi* z-scores of successive time steps (months by default) form a
series. Its trend is the Mann-Kendall test (Mann 1945, Kendall 1975) with the tie
correction of the variance; the pattern class follows the definitions of ESRI's
*Emerging Hot Spot Analysis* (see ``docs/methods.md`` for the rules and their order).
Cold-spot classes mirror the hot-spot ones with hot and cold swapped and the trend sign
reversed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.score._gistar import gi_star

__all__ = [
    "TREND_CLASSES",
    "MannKendall",
    "emerging_classes",
    "emerging_hotspots",
    "mann_kendall",
    "trend_labels",
]

#: Pattern keys, hot side first; the cold side mirrors them.
TREND_CLASSES: tuple[str, ...] = (
    "new_hotspot",
    "consecutive_hotspot",
    "intensifying_hotspot",
    "persistent_hotspot",
    "diminishing_hotspot",
    "sporadic_hotspot",
    "oscillating_hotspot",
    "historical_hotspot",
    "new_coldspot",
    "consecutive_coldspot",
    "intensifying_coldspot",
    "persistent_coldspot",
    "diminishing_coldspot",
    "sporadic_coldspot",
    "oscillating_coldspot",
    "historical_coldspot",
    "no_pattern",
)

MESSAGES = {
    "new_hotspot": {"id": "Titik panas baru", "en": "New hot spot"},
    "consecutive_hotspot": {"id": "Titik panas beruntun", "en": "Consecutive hot spot"},
    "intensifying_hotspot": {"id": "Titik panas menguat", "en": "Intensifying hot spot"},
    "persistent_hotspot": {"id": "Titik panas menetap", "en": "Persistent hot spot"},
    "diminishing_hotspot": {"id": "Titik panas melemah", "en": "Diminishing hot spot"},
    "sporadic_hotspot": {"id": "Titik panas sporadis", "en": "Sporadic hot spot"},
    "oscillating_hotspot": {"id": "Titik panas berayun", "en": "Oscillating hot spot"},
    "historical_hotspot": {"id": "Titik panas historis", "en": "Historical hot spot"},
    "new_coldspot": {"id": "Titik dingin baru", "en": "New cold spot"},
    "consecutive_coldspot": {"id": "Titik dingin beruntun", "en": "Consecutive cold spot"},
    "intensifying_coldspot": {"id": "Titik dingin menguat", "en": "Intensifying cold spot"},
    "persistent_coldspot": {"id": "Titik dingin menetap", "en": "Persistent cold spot"},
    "diminishing_coldspot": {"id": "Titik dingin melemah", "en": "Diminishing cold spot"},
    "sporadic_coldspot": {"id": "Titik dingin sporadis", "en": "Sporadic cold spot"},
    "oscillating_coldspot": {"id": "Titik dingin berayun", "en": "Oscillating cold spot"},
    "historical_coldspot": {"id": "Titik dingin historis", "en": "Historical cold spot"},
    "no_pattern": {"id": "Tidak ada pola", "en": "No pattern detected"},
}


@dataclass(frozen=True)
class MannKendall:
    """Mann-Kendall trend test of one or many series.

    Attributes
    ----------
    s : ndarray
        ``S = Σ_{i<j} sign(x_j - x_i)``.
    var_s : ndarray
        ``Var(S) = [n(n-1)(2n+5) - Σ_g t_g(t_g-1)(2t_g+5)] / 18`` over tie groups ``g``.
    z : ndarray
        ``(S - 1)/√Var`` if ``S > 0``, ``(S + 1)/√Var`` if ``S < 0``, else 0.
    p : ndarray
        Two-sided p-value ``2 (1 - Φ(|z|))``.
    """

    s: NDArray[np.float64]
    var_s: NDArray[np.float64]
    z: NDArray[np.float64]
    p: NDArray[np.float64]


def mann_kendall(x: ArrayLike) -> MannKendall:
    """Mann-Kendall trend test with the tie correction, vectorised over rows.

    Parameters
    ----------
    x : array_like
        One series ``(n,)`` or one per row ``(m, n)``, in time order.

    Returns
    -------
    MannKendall
        Arrays of shape ``(m,)`` (length 1 for a single series).

    Examples
    --------
    >>> r = mann_kendall([1, 2, 3, 4, 5])
    >>> float(r.s[0]), round(float(r.var_s[0]), 4), round(float(r.z[0]), 4)
    (10.0, 16.6667, 2.2045)
    """
    arr = np.atleast_2d(np.asarray(x, dtype=np.float64))
    parts = [_mann_kendall_rows(arr[lo : lo + _MK_ROWS]) for lo in range(0, len(arr), _MK_ROWS)]
    if not parts:
        parts = [_mann_kendall_rows(arr)]
    s, var, z, p = (np.concatenate([part[k] for part in parts]) for k in range(4))
    return MannKendall(s=s, var_s=var, z=z, p=p)


#: Rows of the series tested at a time: the temporaries of a block stay a few MB, however
#: many cells (157,000 at res 9 over OKI and Palembang) are tested.
_MK_ROWS = 8192


def _mann_kendall_rows(
    arr: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """S, Var(S), z and p of each row of ``arr`` (one block of :func:`mann_kendall`)."""
    from scipy import special

    m, n = arr.shape
    s = np.zeros(m)
    for i in range(n - 1):
        s += np.sign(arr[:, i + 1 :] - arr[:, i : i + 1]).sum(axis=1)
    srt = np.sort(arr, axis=1)
    new = np.ones((m, n), dtype=bool)
    new[:, 1:] = srt[:, 1:] != srt[:, :-1]
    group = np.cumsum(new, axis=1) - 1
    flat = (np.arange(m)[:, None] * n + group).ravel()
    counts = np.bincount(flat, minlength=m * n).reshape(m, n).astype(np.float64)
    ties = (counts * (counts - 1) * (2 * counts + 5)).sum(axis=1)
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(var), np.where(s < 0, (s + 1) / np.sqrt(var), 0.0))
    z = np.nan_to_num(z)
    p = 2 * special.ndtr(-np.abs(z))  # 2 (1 - Φ(|z|))
    return s, var, z, p


def _side_classes(
    sig: NDArray[np.bool_], other: NDArray[np.bool_], trend: NDArray[np.int8], suffix: str
) -> NDArray[np.object_]:
    """Classes of one side: ``sig`` significant on this side, ``other`` on the other side."""
    m, n = sig.shape
    out = np.full(m, "", dtype=object)
    final = sig[:, -1]
    share = sig.mean(axis=1)
    mostly = share >= 0.9
    prior = sig[:, :-1].any(axis=1)
    other_any = other[:, :-1].any(axis=1)
    # length of the run of significant steps that ends at the last step
    run = np.zeros(m, dtype=np.int64)
    alive = np.ones(m, dtype=bool)
    for t in range(n - 1, -1, -1):
        alive &= sig[:, t]
        run += alive
    before_run = (sig & (np.arange(n)[None, :] < (n - run)[:, None])).any(axis=1)
    rules = [
        (~final & mostly, "historical"),
        (final & mostly & (trend > 0), "intensifying"),
        (final & mostly & (trend < 0), "diminishing"),
        (final & mostly, "persistent"),
        (final & other_any, "oscillating"),
        (final & ~prior, "new"),
        (final & (run >= 2) & ~before_run, "consecutive"),
        (final & prior, "sporadic"),
    ]
    for mask, name in rules:
        take = mask & (out == "")
        out[take] = f"{name}_{suffix}"
    return out


def emerging_classes(
    bins: ArrayLike, z: ArrayLike, *, alpha: float = 0.05, mk: MannKendall | None = None
) -> NDArray[np.object_]:
    """Classify each cell's series of Gi* results into emerging hot/cold spot patterns.

    Parameters
    ----------
    bins : array_like
        ``(m, n)`` Gi* confidence bins (-3..3) per cell and time step, oldest first; a
        step counts as a hot (cold) spot when its bin is >= 1 (<= -1), i.e. significant
        at 90% after the FDR correction, as in ESRI's tool.
    z : array_like
        ``(m, n)`` Gi* z-scores whose Mann-Kendall trend tells intensifying from
        persistent and diminishing.
    alpha : float
        Significance of the Mann-Kendall trend.
    mk : MannKendall, optional
        The Mann-Kendall test of ``z`` if already computed.

    Returns
    -------
    ndarray of str
        One key of :data:`TREND_CLASSES` per cell.
    """
    b = np.atleast_2d(np.asarray(bins))
    zz = np.atleast_2d(np.asarray(z, dtype=np.float64))
    mk = mk if mk is not None else mann_kendall(zz)
    trend = np.where(mk.p < alpha, np.sign(mk.s), 0).astype(np.int8)
    hot = b >= 1
    cold = b <= -1
    out = _side_classes(hot, cold, trend, "hotspot")
    cold_cls = _side_classes(cold, hot, (-trend).astype(np.int8), "coldspot")
    empty = out == ""
    out[empty] = cold_cls[empty]
    out[out == ""] = "no_pattern"
    return out


def trend_labels(keys: ArrayLike, lang: str = "id") -> list[str]:
    """Return the Indonesian (or English) label of each trend class key.

    Parameters
    ----------
    keys : array_like of str
        Keys of :data:`TREND_CLASSES`.
    lang : {"id", "en"}
        Language.

    Returns
    -------
    list of str
    """
    return [tr(MESSAGES, str(k), lang) for k in np.asarray(keys, dtype=object)]


def emerging_hotspots(
    counts: ArrayLike,
    neighbours: sp.csr_array,
    *,
    exposure: ArrayLike | None = None,
    alpha: float = 0.05,
) -> tuple[NDArray[np.object_], MannKendall]:
    """Gi* (exact count inference) per time step, then the pattern class of every cell.

    Parameters
    ----------
    counts : array_like
        ``(m, n)`` incident counts per cell and time step, oldest first.
    neighbours : scipy.sparse.csr_array
        Binary neighbourhood matrix with ones on the diagonal (:func:`neighbour_matrix`).
    exposure : array_like, optional
        Exposure of every cell (equal by default).
    alpha : float
        Significance of the Mann-Kendall trend.

    Returns
    -------
    classes : ndarray of str
        Trend class key per cell.
    trend : MannKendall
        The Mann-Kendall test of each cell's Gi* z-score series.
    """
    c = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    m, n = c.shape
    z = np.zeros((m, n))
    bins = np.zeros((m, n), dtype=np.int8)
    for t in range(n):
        res = gi_star(np.rint(c[:, t]), neighbours, exposure=exposure)
        z[:, t] = res.z
        bins[:, t] = res.bin
    return emerging_classes(bins, z, alpha=alpha), mann_kendall(z)
