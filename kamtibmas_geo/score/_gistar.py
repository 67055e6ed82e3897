"""Getis-Ord Gi* over H3 neighbourhoods, with inference suited to sparse incident counts.

The statistic and its analytic z-score follow Getis & Ord (1992) and Ord & Getis (1995) in
the form computed by :class:`esda.G_Local` with ``star=True`` (same weights give the same
z-scores to machine precision). Three kinds of pseudo p-values are offered:

``"count"`` (default, exact)
    The null redistributes the observed total of incidents over the cells multinomially in
    proportion to exposure (cell area unless given). With the total fixed, Gi* of cell *i*
    is its neighbourhood sum over the total, and that sum is exactly
    ``Binomial(N, Π_i)`` with ``Π_i`` the exposure share of the neighbourhood: the
    p-values are the exact tails of that law, i.e. the limit of infinitely many Monte
    Carlo draws, with no p-value floor.
``"count"`` with ``count_method="monte_carlo"``
    The same null drawn ``permutations`` times (sparse neighbour matrix times a
    cells × draws matrix, in chunks), one-sided p-values with the +1 correction.
``"permutation"``
    The conditional permutation test of esda (focal value fixed, the others permuted).
    esda reports the folded one-sided pseudo p-value ``(min(larger, D - larger) + 1) /
    (D + 1)``; the p-value corrected here is the two-sided ``min(1, 2 min(p_hot,
    p_cold))``, as for the count null, so that the FDR family does not count each cell
    on its more extreme side only. Permutation inference treats the cell values as
    exchangeable; on sparse incident counts (mostly zeros) esda's folded p-value counts
    ties as extreme and flags thousands of empty cells as cold spots on pure noise (tested),
    and a :class:`~kamtibmas_geo.score.SparseInferenceWarning` says to prefer the count
    null there.

Monte Carlo p-values cannot go below ``1 / (D + 1)``; with thousands of cells the
Benjamini-Hochberg correction then can pass nothing, so too few draws are refused
(:func:`min_permutations`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import h3
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.score._warnings import SparseInferenceWarning

__all__ = [
    "GiStarResult",
    "disk_pairs",
    "fdr_bh",
    "gi_bins",
    "gi_labels",
    "gi_star",
    "min_permutations",
    "neighbour_matrix",
]

Inference = Literal["count", "permutation"]
CountMethod = Literal["exact", "monte_carlo"]
WeightsKind = Literal["binary", "row"]

#: Draws per chunk of the Monte Carlo count null (cells × chunk matrix).
_CHUNK = 256
#: Above this many distinct (value, neighbourhood size) pairs, permutations go cell by cell.
_MAX_GROUPS = 2000
#: Cells per batch when permuting cell by cell.
_BATCH = 64

MESSAGES = {
    "bin_3": {"id": "Titik panas 99%", "en": "Hot spot, 99% confidence"},
    "bin_2": {"id": "Titik panas 95%", "en": "Hot spot, 95% confidence"},
    "bin_1": {"id": "Titik panas 90%", "en": "Hot spot, 90% confidence"},
    "bin_0": {"id": "Tidak signifikan", "en": "Not significant"},
    "bin_-1": {"id": "Titik dingin 90%", "en": "Cold spot, 90% confidence"},
    "bin_-2": {"id": "Titik dingin 95%", "en": "Cold spot, 95% confidence"},
    "bin_-3": {"id": "Titik dingin 99%", "en": "Cold spot, 99% confidence"},
    "duplicate": {
        "id": "Daftar sel memuat id H3 yang sama lebih dari sekali; berikan setiap sel satu "
        "kali saja.",
        "en": "The cell list holds duplicate H3 ids; pass each cell once.",
    },
    "shape": {
        "id": "Lingkungan tetangga berisi {cells} sel, tetapi y berisi {n} nilai; samakan "
        "jumlah dan urutannya (satu nilai per sel).",
        "en": "The neighbourhood has {cells} cells but y has {n} values; align them.",
    },
    "not_finite": {
        "id": "Gi* memerlukan nilai terhingga >= 0 untuk setiap sel; ada NaN, tak hingga, atau "
        "nilai negatif.",
        "en": "Gi* needs finite values >= 0 for every cell; found NaN, inf or negatives.",
    },
    "inference": {
        "id": "inference harus 'count' atau 'permutation', bukan {inference!r}.",
        "en": "inference must be 'count' or 'permutation', got {inference!r}.",
    },
    "too_few": {
        "id": "{permutations} {kind_id} terlalu sedikit untuk {n} sel pada FDR {alpha}: "
        "p-value terkecil yang mungkin {floor}, sehingga tidak satu pun titik panas "
        "selebar satu lingkungan tetangga bisa lolos koreksi. Pakai minimal {need} "
        "(permutations=...), kurangi jumlah sel, atau pakai inferensi hitungan eksak "
        "(inference='count', count_method='exact').",
        "en": "{permutations} {kind_en} are too few for {n} cells at FDR {alpha}: the "
        "smallest p-value would be {floor}, so no hotspot of one neighbourhood could "
        "pass the correction. Use at least {need} (permutations=...), fewer cells, or the "
        "exact count inference (inference='count', count_method='exact').",
    },
    "not_whole": {
        "id": "Inferensi hitungan (inference='count') memerlukan jumlah kejadian bulat per "
        "sel; ada nilai pecahan. Bulatkan jumlahnya, atau pakai inference='permutation'.",
        "en": "The count inference needs whole incident counts per cell; got fractional "
        "values. Round the counts, or use inference='permutation'.",
    },
    "exposure": {
        "id": "exposure harus berisi satu nilai >= 0 untuk setiap sel, dengan jumlah positif.",
        "en": "exposure must hold one value >= 0 per cell with a positive sum.",
    },
    "sparse": {
        "id": "Inferensi permutasi Gi* dipakai pada hitungan jarang ({zero:.0%} sel tanpa "
        "kejadian): banyak nilai kembar, dan permutasi mengabaikan luas sel. p-value "
        "satu sisi yang dilipat (seperti esda) akan menandai ribuan sel kosong sebagai "
        "titik dingin; di sini dipakai p-value dua sisi, tetapi untuk jumlah kejadian "
        "pakai gi_inference='count' (bawaan, eksak).",
        "en": "Gi* permutation inference used on sparse counts ({zero:.0%} of cells without "
        "incidents): many ties, and permutations ignore cell areas. A folded one-sided "
        "p-value (as esda's) would flag thousands of empty cells as cold spots; two-sided "
        "p-values are used here, but for incident counts use gi_inference='count' (the "
        "default, exact).",
    },
}

#: Share of zero cells above which the permutation inference warns.
_SPARSE_ZEROS = 0.5


@dataclass(frozen=True)
class GiStarResult:
    """Gi* statistics of every cell.

    Attributes
    ----------
    g : ndarray
        Gi* statistic (weighted neighbourhood sum over the total).
    z : ndarray
        Analytic z-score (as esda ``G_Local(star=True).Zs``).
    p_hot, p_cold : ndarray
        One-sided p-values for a hot (high) and a cold (low) spot.
    p : ndarray
        The two-sided p-value that is corrected: ``min(1, 2 min(p_hot, p_cold))`` (for
        ``"permutation"`` twice esda's folded pseudo p-value, up to ties).
    p_fdr : ndarray
        Benjamini-Hochberg adjusted p-values (q-values) of ``p``.
    bin : ndarray
        Confidence bins -3..3 from ``p_fdr`` (99, 95, 90%) with the side of the spot.
    inference : str
        Which inference made ``p``.
    draws : int
        Monte Carlo draws (0 for the exact count null).
    """

    g: NDArray[np.float64]
    z: NDArray[np.float64]
    p_hot: NDArray[np.float64]
    p_cold: NDArray[np.float64]
    p: NDArray[np.float64]
    p_fdr: NDArray[np.float64]
    bin: NDArray[np.int8]
    inference: str
    draws: int


def neighbour_matrix(cells: Sequence[str], k: int = 1) -> sp.csr_array:
    """Return the binary H3 neighbourhood matrix of ``cells``, the cell itself included.

    Row *i* has a 1 for every cell of ``cells`` within ``k`` grid steps of cell *i*
    (``h3.grid_disk``); cells outside the list are ignored, so cells at the edge of the
    region have smaller neighbourhoods.

    Parameters
    ----------
    cells : sequence of str
        H3 ids, all of one resolution, without duplicates.
    k : int
        Number of rings.

    Returns
    -------
    scipy.sparse.csr_array
        ``len(cells) × len(cells)`` matrix of 0/1 (float64).

    Examples
    --------
    >>> import h3
    >>> disk = sorted(h3.grid_disk("8965a2a8b4bffff", 1))
    >>> neighbour_matrix(disk, 1).sum(axis=1).tolist()[:3]
    [4.0, 4.0, 4.0]
    """
    rows, cols, _ = disk_pairs(cells, k)
    n = len(cells)
    data = np.ones(len(rows), dtype=np.float64)
    return sp.csr_array((data, (rows, cols)), shape=(n, n))


def disk_pairs(
    cells: Sequence[str], k: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Return every (cell, neighbour, grid distance) within ``k`` rings, among ``cells``.

    Vectorised with h3ronpy's ``grid_disk_distances``; neighbours outside ``cells`` are
    dropped.

    Parameters
    ----------
    cells : sequence of str
        H3 ids, one resolution, without duplicates.
    k : int
        Number of rings (0: each cell with itself).

    Returns
    -------
    rows, cols, dist : ndarray
        Positions in ``cells`` of each cell and neighbour, and their grid distance.
    """
    import pyarrow as pa
    from h3ronpy import grid_disk_distances

    ints = np.fromiter((h3.str_to_int(c) for c in cells), dtype=np.uint64, count=len(cells))
    order = np.argsort(ints, kind="stable")
    srt = ints[order]
    if len(srt) > 1 and (srt[1:] == srt[:-1]).any():
        raise ScoreError.say(MESSAGES, "duplicate")
    if len(ints) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    batch = pa.record_batch(grid_disk_distances(ints, max(k, 0), flatten=False))
    nb_list = batch.column(0)
    offsets = np.asarray(nb_list.offsets.to_numpy(zero_copy_only=False), dtype=np.int64)
    nbs = np.asarray(nb_list.values.to_numpy(zero_copy_only=False), dtype=np.uint64)
    dist = np.asarray(batch.column(1).values.to_numpy(zero_copy_only=False), dtype=np.int64)
    rows = np.repeat(np.arange(len(ints), dtype=np.int64), np.diff(offsets))
    pos = np.searchsorted(srt, nbs)
    pos = np.minimum(pos, len(srt) - 1)
    found = srt[pos] == nbs
    return rows[found], order[pos[found]].astype(np.int64), dist[found]


def fdr_bh(p: ArrayLike) -> NDArray[np.float64]:
    """Return Benjamini-Hochberg adjusted p-values (q-values).

    ``q_(i) = min_{j >= i} min(1, m p_(j) / j)`` over the sorted p-values; a cell is
    significant at FDR level ``alpha`` when its q-value is ``<= alpha``.

    Parameters
    ----------
    p : array_like
        p-values.

    Returns
    -------
    ndarray
        q-values in the order of ``p``.

    Examples
    --------
    >>> fdr_bh([0.01, 0.04, 0.03, 0.5]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    pv = np.asarray(p, dtype=np.float64)
    m = pv.size
    if m == 0:
        return pv.copy()
    order = np.argsort(pv, kind="stable")
    ranked = pv[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(ranked, 1.0)
    return q


def gi_bins(side: ArrayLike, p_fdr: ArrayLike) -> NDArray[np.int8]:
    """Return the conventional confidence bins -3..3.

    ``±3`` when ``p_fdr < 0.01``, ``±2`` when ``< 0.05``, ``±1`` when ``< 0.10``, else 0;
    the sign is the sign of ``side`` (positive: hot spot).

    Parameters
    ----------
    side : array_like
        Positive for a hot side, negative for a cold side (a z-score, for example).
    p_fdr : array_like
        Corrected p-values.

    Returns
    -------
    ndarray of int8
    """
    q = np.asarray(p_fdr, dtype=np.float64)
    level = np.select([q < 0.01, q < 0.05, q < 0.10], [3, 2, 1], 0)
    return (np.sign(np.asarray(side, dtype=np.float64)) * level).astype(np.int8)


def gi_labels(bins: ArrayLike, lang: str = "id") -> list[str]:
    """Return the label of each bin ("Titik panas 99%" ... "Tidak signifikan").

    Parameters
    ----------
    bins : array_like of int
        Bins -3..3.
    lang : {"id", "en"}
        Language.

    Returns
    -------
    list of str
    """
    return [tr(MESSAGES, f"bin_{int(b)}", lang) for b in np.asarray(bins)]


def min_permutations(n_cells: int, alpha: float, *, k: int = 1, two_sided: bool = False) -> int:
    """Return the fewest Monte Carlo draws with which a hotspot can pass the FDR correction.

    A hotspot is at least one neighbourhood of ``n_k = 3k² + 3k + 1`` cells. If all of
    them reach the smallest possible p-value ``c / (D + 1)`` (``c = 2`` for a two-sided
    p-value), Benjamini-Hochberg passes them only when ``c / (D + 1) <= alpha n_k / m``,
    so ``D >= c m / (alpha n_k) - 1``.

    Parameters
    ----------
    n_cells : int
        Number of cells tested (``m``).
    alpha : float
        FDR level.
    k : int
        Rings of the Gi* neighbourhood.
    two_sided : bool
        Whether the corrected p-value is doubled.

    Returns
    -------
    int

    Examples
    --------
    >>> min_permutations(23000, 0.05, k=1)
    65714
    """
    n_k = 3 * k * k + 3 * k + 1
    c = 2 if two_sided else 1
    return max(math.ceil(c * n_cells / (alpha * min(n_k, n_cells)) - 1), 1)


def _z_scores(
    y: NDArray[np.float64], a: sp.csr_array, weights: WeightsKind
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gi* statistic and z-score exactly as esda.G_Local(star=True)."""
    n = y.size
    card = np.asarray(a.sum(axis=1)).ravel()
    local = a @ y
    total = y.sum()
    if weights == "row":
        local = local / card
        w_i = np.ones(n)
    else:
        w_i = card
    mean = total / n
    var = (y**2).sum() / n - mean**2
    with np.errstate(divide="ignore", invalid="ignore"):
        g = local / total
        e = w_i / n
        v = w_i * (n - w_i) / (n - 1) / n**2 * var / mean**2
        z = (g - e) / np.sqrt(v)
    if total == 0 or var <= 0 or n < 2:
        z = np.zeros(n)
        g = np.zeros(n) if total == 0 else g
    return np.asarray(g, dtype=np.float64), np.asarray(z, dtype=np.float64)


def _exact_count_p(
    y: NDArray[np.float64], a: sp.csr_array, share: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    from scipy import special  # binomial tails without the cost of importing scipy.stats

    total = int(np.rint(y.sum()))
    local = np.rint(a @ y)
    prob = np.clip(a @ share, 0.0, 1.0)
    p_hot = special.bdtrc(local - 1, total, prob)  # P(X >= local)
    p_cold = special.bdtr(local, total, prob)  # P(X <= local)
    return np.minimum(p_hot, 1.0), np.minimum(p_cold, 1.0)


def _mc_count_p(
    y: NDArray[np.float64],
    a: sp.csr_array,
    share: NDArray[np.float64],
    draws: int,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    total = int(np.rint(y.sum()))
    local = a @ y
    ge = np.zeros(y.size)
    le = np.zeros(y.size)
    done = 0
    while done < draws:
        size = min(_CHUNK, draws - done)
        sim = rng.multinomial(total, share, size=size).T.astype(np.float64)
        sums = a @ sim
        ge += (sums >= local[:, None] - 1e-9).sum(axis=1)
        le += (sums <= local[:, None] + 1e-9).sum(axis=1)
        done += size
    return (ge + 1) / (draws + 1), (le + 1) / (draws + 1)


def _draw_without_replacement(
    pool: int, width: int, draws: int, rng: np.random.Generator
) -> NDArray[np.int64]:
    """Row-wise samples of ``width`` distinct indices out of ``range(pool)``."""
    if width == 0:
        return np.zeros((draws, 0), dtype=np.int64)
    if pool * draws <= 5_000_000:
        return np.argsort(rng.random((draws, pool)), axis=1)[:, :width]
    idx = rng.integers(0, pool, size=(draws, width))
    while True:
        srt = np.sort(idx, axis=1)
        bad = (srt[:, 1:] == srt[:, :-1]).any(axis=1)
        if not bad.any():
            return idx
        idx[bad] = rng.integers(0, pool, size=(int(bad.sum()), width))


def _permutation_p(
    y: NDArray[np.float64],
    a: sp.csr_array,
    draws: int,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Conditional permutation as esda: focal value fixed, ``card - 1`` others drawn.

    The null of cell *i* depends only on its own value and its neighbourhood size, so the
    draws are shared by the cells with the same (value, size), as esda shares one matrix
    of permuted ids among all cells.
    """
    n = y.size
    card = np.rint(np.asarray(a.sum(axis=1)).ravel()).astype(np.int64)
    local = a @ y
    width = int(card.max()) - 1
    base = _draw_without_replacement(n - 1, width, draws, rng)
    larger = np.zeros(n)
    smaller = np.zeros(n)
    keys = np.stack([y, card.astype(np.float64)], axis=1)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    if len(uniq) > _MAX_GROUPS:
        # continuous values: esda's scheme, one shared matrix of ids shifted past cell i
        cols = np.arange(width)
        for lo in range(0, n, _BATCH):
            cells_b = np.arange(lo, min(lo + _BATCH, n))
            ids = base[None, :, :] + (base[None, :, :] >= cells_b[:, None, None])
            vals = y[ids] * (cols[None, None, :] < (card[cells_b] - 1)[:, None, None])
            sums = vals.sum(axis=2) + y[cells_b][:, None]
            obs = local[cells_b][:, None]
            larger[cells_b] = (sums >= obs - 1e-9).sum(axis=1)
            smaller[cells_b] = (sums <= obs + 1e-9).sum(axis=1)
        folded = np.where(draws - larger < larger, draws - larger, larger)
        return (folded + 1) / (draws + 1), (larger + 1) / (draws + 1), (smaller + 1) / (draws + 1)
    order = np.argsort(y, kind="stable")
    y_sorted = y[order]
    for gi, (value, c) in enumerate(uniq):
        members = np.flatnonzero(inverse == gi)
        drop = int(np.searchsorted(y_sorted, value))
        others = np.delete(y_sorted, drop)
        sums = others[base[:, : int(c) - 1]].sum(axis=1) + value
        sums.sort()
        obs = local[members]
        larger[members] = draws - np.searchsorted(sums, obs - 1e-9, side="left")
        smaller[members] = np.searchsorted(sums, obs + 1e-9, side="right")
    folded = np.where(draws - larger < larger, draws - larger, larger)
    p = (folded + 1) / (draws + 1)
    return p, (larger + 1) / (draws + 1), (smaller + 1) / (draws + 1)


def _neighbourhood(
    cells: Sequence[str] | sp.csr_array | sp.spmatrix, k: int
) -> tuple[sp.csr_array, list[str] | None]:
    """Return the neighbourhood matrix, and the H3 ids when ``cells`` are ids."""
    if isinstance(cells, sp.sparray | sp.spmatrix):
        return sp.csr_array(cells, dtype=np.float64), None
    ids = list(cells)
    return neighbour_matrix(ids, k), ids


def _check_values(y: NDArray[np.float64], a: sp.csr_array, inference: str) -> None:
    """Refuse values that do not fit the neighbourhood or are not counts >= 0."""
    n = y.size
    if a.shape != (n, n):
        raise ScoreError.say(MESSAGES, "shape", cells=a.shape[0], n=n)
    if not np.isfinite(y).all() or (y < 0).any():
        raise ScoreError.say(MESSAGES, "not_finite")
    if inference not in ("count", "permutation"):
        raise ScoreError.say(MESSAGES, "inference", inference=inference)


def _check_draws(n: int, permutations: int, fdr_alpha: float, k: int, inference: str) -> None:
    """Refuse too few Monte Carlo draws for any hotspot to pass the FDR correction."""
    need = min_permutations(n, fdr_alpha, k=k, two_sided=True)
    if permutations < need:
        perm = inference == "permutation"
        raise ScoreError.say(
            MESSAGES,
            "too_few",
            permutations=permutations,
            kind_en="permutations" if perm else "Monte Carlo draws",
            kind_id="permutasi" if perm else "undian Monte Carlo",
            n=n,
            alpha=fdr_alpha,
            floor=f"{1 / (permutations + 1):.2g}",
            need=need,
        )


def _exposure_share(
    exposure: ArrayLike | None, ids: list[str] | None, n: int
) -> NDArray[np.float64]:
    """Return each cell's share of the exposure (area by default for H3 ids, else equal)."""
    if exposure is None:
        if ids is not None:
            expo = np.array([h3.cell_area(c, unit="km^2") for c in ids])
        else:
            expo = np.ones(n)
    else:
        expo = np.asarray(exposure, dtype=np.float64).ravel()
        if expo.shape != (n,) or (expo < 0).any() or expo.sum() <= 0:
            raise ScoreError.say(MESSAGES, "exposure")
    return np.asarray(expo / expo.sum(), dtype=np.float64)


#: p, p_hot, p_cold, side of the spot, draws made.
_PValues = tuple[
    NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], int
]


def _count_inference(
    y: NDArray[np.float64],
    a: sp.csr_array,
    share: NDArray[np.float64],
    count_method: CountMethod,
    permutations: int,
    rng: np.random.Generator,
) -> _PValues:
    """Return the two-sided p-values of the count null (exact or Monte Carlo), side, draws."""
    n = y.size
    if y.sum() == 0:
        p_hot = np.ones(n)
        p_cold = np.ones(n)
    elif count_method == "monte_carlo":
        p_hot, p_cold = _mc_count_p(y, a, share, permutations, rng)
    else:
        p_hot, p_cold = _exact_count_p(y, a, share)
    p = np.minimum(1.0, 2 * np.minimum(p_hot, p_cold))
    side = np.where(p_hot <= p_cold, 1.0, -1.0)
    side[p >= 1.0] = 0.0
    return p, p_hot, p_cold, side, permutations if count_method == "monte_carlo" else 0


def _permutation_inference(
    y: NDArray[np.float64],
    a: sp.csr_array,
    permutations: int,
    rng: np.random.Generator,
) -> _PValues:
    """Return two-sided conditional permutation p-values (esda's draws); side of the spot.

    Warns (:class:`SparseInferenceWarning`) when most cells hold no incident.
    """
    if y.sum() == 0:
        p_hot = p_cold = np.ones(y.size)
    else:
        _, p_hot, p_cold = _permutation_p(y, a, permutations, rng)
        zero = float((y == 0).mean())
        if zero > _SPARSE_ZEROS:
            warnings.warn(SparseInferenceWarning.say(MESSAGES, "sparse", zero=zero), stacklevel=4)
    p = np.minimum(1.0, 2 * np.minimum(p_hot, p_cold))
    side = np.where(p_hot <= p_cold, 1.0, -1.0)
    side[p >= 1.0] = 0.0
    return p, p_hot, p_cold, side, permutations


def gi_star(
    y: ArrayLike,
    cells: Sequence[str] | sp.csr_array | sp.spmatrix,
    *,
    k: int = 1,
    weights: WeightsKind = "binary",
    inference: Inference = "count",
    count_method: CountMethod = "exact",
    permutations: int = 999,
    exposure: ArrayLike | None = None,
    fdr_alpha: float = 0.05,
    seed: int = 0,
    check_draws: bool = True,
) -> GiStarResult:
    """Getis-Ord Gi* of every cell with p-values, FDR correction and confidence bins.

    Parameters
    ----------
    y : array_like
        Value of every cell (incident counts for the count inference).
    cells : sequence of str or sparse matrix
        The H3 ids in the order of ``y`` (their ``k``-ring neighbourhoods are built), or a
        ready binary neighbourhood matrix with ones on the diagonal.
    k : int
        Rings of the neighbourhood when ``cells`` are H3 ids.
    weights : {"binary", "row"}
        Binary weights, or row-standardised ones (each neighbourhood's weights sum to 1,
        the focal cell weighted like its neighbours, esda's convention). The p-values are
        the same for both; the analytic z-scores follow esda and differ for ``"row"``.
    inference : {"count", "permutation"}
        Count null (default) or esda's conditional permutation.
    count_method : {"exact", "monte_carlo"}
        For the count null: exact binomial tails (default) or ``permutations`` draws.
    permutations : int
        Monte Carlo draws; refused when too few for ``fdr_alpha`` over these many cells.
    exposure : array_like, optional
        Exposure of every cell (area by default when ``cells`` are H3 ids, else equal).
    fdr_alpha : float
        FDR level used to check that enough draws are asked.
    seed : int
        Seed of the random draws.
    check_draws : bool
        Refuse too few Monte Carlo draws for ``fdr_alpha`` (see :func:`min_permutations`);
        ``False`` computes the p-values anyway (benchmarks, or uncorrected use).

    Returns
    -------
    GiStarResult

    Raises
    ------
    ScoreError
        If ``y`` does not fit the neighbourhood or holds NaN, infinite or negative values,
        ``inference`` is unknown, the Monte Carlo draws are too few, the count inference
        gets fractional counts, or ``exposure`` is unusable.
    """
    yv = np.asarray(y, dtype=np.float64).ravel()
    a, ids = _neighbourhood(cells, k)
    _check_values(yv, a, inference)
    g, z = _z_scores(yv, a, weights)
    rng = np.random.default_rng(seed)
    monte_carlo = inference == "permutation" or count_method == "monte_carlo"
    if monte_carlo and check_draws:
        _check_draws(yv.size, permutations, fdr_alpha, k, inference)
    if inference == "count":
        if not np.allclose(yv, np.rint(yv)):
            raise ScoreError.say(MESSAGES, "not_whole")
        share = _exposure_share(exposure, ids, yv.size)
        p, p_hot, p_cold, side, draws = _count_inference(
            yv, a, share, count_method, permutations, rng
        )
    else:
        p, p_hot, p_cold, side, draws = _permutation_inference(yv, a, permutations, rng)
    q = fdr_bh(p)
    return GiStarResult(
        g=g,
        z=z,
        p_hot=p_hot,
        p_cold=p_cold,
        p=p,
        p_fdr=q,
        bin=gi_bins(side, q),
        inference=inference if not monte_carlo or inference != "count" else "count_mc",
        draws=draws,
    )
