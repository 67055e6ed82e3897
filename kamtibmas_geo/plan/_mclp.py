"""The maximal covering location problem (MCLP): coverage, model reduction, HiGHS, greedy.

This private module holds the numerical core behind :class:`kamtibmas_geo.plan.PoskamlingPlan`
(the HiGHS model and solver are in :mod:`kamtibmas_geo.plan._milp`).
It works on plain arrays: demand weights ``w`` (one per demand cell), a sparse 0/1 coverage
matrix ``A`` (demand × candidate site, ``A[i, j] = 1`` when site ``j`` lies within the radius of
demand ``i``), the number of posts ``p`` and optional side constraints (minimum spacing pairs,
a budget per group of sites). See ``docs/planning.md`` for the formulation (Church & ReVelle,
1974) and the greedy guarantee (Nemhauser, Wolsey & Fisher, 1978).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = [
    "MclpInstance",
    "MclpResult",
    "coverage_matrix",
    "greedy",
    "instance_value",
    "reduce_instance",
    "spacing_pairs",
]


def coverage_matrix(demand_xy: np.ndarray, site_xy: np.ndarray, radius: float) -> sp.csr_matrix:
    """Return the 0/1 coverage matrix of demand points by sites within ``radius``.

    Parameters
    ----------
    demand_xy : ndarray, shape (n, 2)
        Demand coordinates in metres (a projected CRS).
    site_xy : ndarray, shape (m, 2)
        Site coordinates in metres, same CRS.
    radius : float
        Coverage radius in metres (a point at exactly ``radius`` is covered).

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape (n, m), ``int8`` ones where the site covers the demand point.
    """
    from scipy.spatial import cKDTree

    n, m = len(demand_xy), len(site_xy)
    if n == 0 or m == 0:
        return sp.csr_matrix((n, m), dtype=np.int8)
    dtree = cKDTree(np.asarray(demand_xy, dtype=float))
    stree = cKDTree(np.asarray(site_xy, dtype=float))
    # A hair of slack so that points exactly at the radius count, despite rounding.
    dist = dtree.sparse_distance_matrix(stree, radius * (1 + 1e-9) + 1e-6, output_type="coo_matrix")
    rows, cols = dist.row, dist.col
    data = np.ones(len(rows), dtype=np.int8)
    mat = sp.csr_matrix((data, (rows, cols)), shape=(n, m), dtype=np.int8)
    mat.sum_duplicates()
    mat.data[:] = 1
    mat.sort_indices()
    return mat


def spacing_pairs(site_xy: np.ndarray, min_spacing: float) -> np.ndarray:
    """Return the pairs ``(j, k)``, ``j < k``, of sites closer than ``min_spacing`` metres.

    Parameters
    ----------
    site_xy : ndarray, shape (m, 2)
        Site coordinates in metres.
    min_spacing : float
        Minimum distance allowed between two posts.

    Returns
    -------
    ndarray, shape (k, 2)
        Sorted pairs of site indices.
    """
    from scipy.spatial import cKDTree

    if len(site_xy) < 2 or min_spacing <= 0:
        return np.zeros((0, 2), dtype=np.int64)
    tree = cKDTree(np.asarray(site_xy, dtype=float))
    pairs = tree.query_pairs(min_spacing * (1 - 1e-9), output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.sort(pairs.astype(np.int64), axis=1)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    return pairs[order]


@dataclass(frozen=True)
class MclpInstance:
    """A reduced MCLP instance.

    Attributes
    ----------
    weights : ndarray
        Weights of the remaining (merged) demand rows, all > 0.
    cover : scipy.sparse.csc_matrix
        Coverage of the remaining rows (rows × reduced sites), every row covered by >= 2 sites.
    site_value : ndarray
        Weight a reduced site earns on its own: demand rows that only it covers, folded into
        the objective as ``site_value[j] * x_j``.
    sites : ndarray
        Original index of each reduced site.
    p : int
        Maximum number of new posts.
    pairs : ndarray, shape (k, 2)
        Spacing conflicts in reduced site indices.
    groups : ndarray or None
        Budget group of each reduced site (``-1`` = no budget).
    budgets : ndarray or None
        Maximum number of posts per group.
    n_demand_in : int
        Demand rows before reduction.
    n_sites_in : int
        Sites before reduction.
    priority : ndarray or None
        Tie-break of each reduced site (higher first).
    """

    weights: np.ndarray
    cover: sp.csc_matrix
    site_value: np.ndarray
    sites: np.ndarray
    p: int
    pairs: np.ndarray
    groups: np.ndarray | None
    budgets: np.ndarray | None
    n_demand_in: int
    n_sites_in: int
    priority: np.ndarray | None = None

    @property
    def size(self) -> dict[str, int]:
        """Sizes of the model before and after reduction."""
        return {
            "demand_in": self.n_demand_in,
            "sites_in": self.n_sites_in,
            "demand_rows": int(self.cover.shape[0]),
            "sites": len(self.sites),
            "nonzeros": int(self.cover.nnz),
        }


def reduce_instance(
    cover: sp.csr_matrix,
    weights: np.ndarray,
    p: int,
    *,
    allowed: np.ndarray | None = None,
    pairs: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    budgets: np.ndarray | None = None,
    priority: np.ndarray | None = None,
) -> MclpInstance:
    """Reduce an MCLP instance without changing its optimal value.

    The reductions, each exact:

    1. drop demand with weight <= 0 (demand already covered by existing posts must be given
       weight 0 by the caller) and demand no allowed site covers;
    2. drop sites that cover no remaining demand (they can only add 0);
    3. when there are no side constraints (spacing, budgets), drop a site whose coverage set is
       a subset of another's (ties: keep the lower index), since swapping it for the dominating
       site never loses weight;
    4. merge demand rows with identical coverage sets (weights add up);
    5. fold rows covered by exactly one site into that site's own value.

    Parameters
    ----------
    cover : scipy.sparse.csr_matrix
        Demand × site 0/1 coverage.
    weights : ndarray
        Demand weights.
    p : int
        Maximum number of new posts.
    allowed : ndarray of bool, optional
        Sites that may be chosen (others are removed first).
    pairs : ndarray, shape (k, 2), optional
        Spacing conflicts in original site indices.
    groups : ndarray of int, optional
        Budget group of each site (``-1`` = none).
    budgets : ndarray of int, optional
        Maximum number of posts per group.
    priority : ndarray, optional
        Tie-break among sites with identical coverage: the higher priority is kept (then the
        lower index). :class:`~kamtibmas_geo.plan.PoskamlingPlan` passes the weight of the
        site's own cell, so that a post stands in the hotspot rather than next to it.

    Returns
    -------
    MclpInstance
    """
    n, m = cover.shape
    w = np.asarray(weights, dtype=float)
    sites = np.arange(m) if allowed is None else np.flatnonzero(allowed)
    a = cover.tocsc()[:, sites].tocsr()
    # 1. demand with no weight or no allowed site.
    keep_rows = (w > 0) & (np.diff(a.indptr) > 0)
    a, w = a[keep_rows], w[keep_rows]
    # 2. sites covering nothing; 3. dominated sites (only without side constraints).
    csc = a.tocsc()
    useful = np.diff(csc.indptr) > 0
    side = (pairs is not None and len(pairs) > 0) or budgets is not None
    if not side and useful.any():
        prio = np.zeros(m) if priority is None else np.asarray(priority, dtype=float)
        useful = _undominated(csc, useful, prio[sites])
    sites = sites[useful]
    a = csc[:, useful].tocsr()
    a.sort_indices()
    a, w = _merge_identical_rows(a, w)
    a, w, site_value = _fold_single_rows(a, w)
    prio_out = np.zeros(len(sites)) if priority is None else np.asarray(priority)[sites]
    return MclpInstance(
        weights=w,
        cover=a.tocsc().astype(np.float64),
        site_value=site_value,
        sites=sites,
        p=int(p),
        pairs=_reduced_pairs(pairs, sites, m),
        groups=None if groups is None else np.asarray(groups)[sites],
        budgets=None if budgets is None else np.asarray(budgets),
        n_demand_in=n,
        n_sites_in=m,
        priority=prio_out.astype(float),
    )


def _undominated(csc: sp.csc_matrix, useful: np.ndarray, prio: np.ndarray) -> np.ndarray:
    """Drop sites whose coverage set is inside another's: |N(j) ∩ N(k)| == |N(j)|.

    ``prio`` is the priority of each column of ``csc``; between equal sets the higher
    priority is kept, then the lower index.
    """
    useful = useful.copy()
    sub = csc[:, useful]
    idx = np.flatnonzero(useful)
    deg = np.diff(sub.indptr)
    inter = (sub.T @ sub).tocoo()
    mask = (inter.row != inter.col) & (inter.data == deg[inter.row])
    r, c = inter.row[mask], inter.col[mask]
    # j=r is covered by k=c; drop r unless the sets are equal and r < c.
    equal = deg[r] == deg[c]
    pr, pc = prio[idx[r]], prio[idx[c]]
    worse = (pr < pc) | ((pr == pc) & (r > c))
    drop_r = r[~equal | worse]
    dominated = np.zeros(len(idx), dtype=bool)
    dominated[drop_r] = True
    useful[idx[dominated]] = False
    return useful


def _merge_identical_rows(a: sp.csr_matrix, w: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """Merge demand rows with identical coverage sets (4.); their weights add up."""
    if not a.shape[0]:
        return a, w
    keys: dict[bytes, int] = {}
    row_id = np.empty(a.shape[0], dtype=np.int64)
    for i in range(a.shape[0]):
        key = a.indices[a.indptr[i] : a.indptr[i + 1]].tobytes()
        row_id[i] = keys.setdefault(key, len(keys))
    first = np.full(len(keys), -1, dtype=np.int64)
    first[row_id[::-1]] = np.arange(a.shape[0])[::-1]
    return a[first], np.bincount(row_id, weights=w, minlength=len(keys))


def _fold_single_rows(
    a: sp.csr_matrix, w: np.ndarray
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Fold rows covered by a single site into that site's own value (5.)."""
    single = np.diff(a.indptr) == 1
    site_value = np.zeros(a.shape[1])
    if single.any():
        np.add.at(site_value, a.indices[a.indptr[:-1][single]], w[single])
    return a[~single], w[~single], site_value


def _reduced_pairs(pairs: np.ndarray | None, sites: np.ndarray, m: int) -> np.ndarray:
    """Spacing conflicts in reduced site indices (pairs with a removed site drop out)."""
    if pairs is None or not len(pairs):
        return np.zeros((0, 2), dtype=np.int64)
    pos = np.full(m, -1, dtype=np.int64)
    pos[sites] = np.arange(len(sites))
    pr = pos[np.asarray(pairs)]
    return pr[(pr >= 0).all(axis=1)]


@dataclass
class MclpResult:
    """Solution of a reduced instance, in original site indices.

    Attributes
    ----------
    chosen : ndarray
        Original indices of the chosen sites, in the order chosen (greedy) or by index (exact).
    objective : float
        Weight covered by the chosen sites.
    bound : float
        Proven upper bound on the optimal objective.
    status : str
        ``"optimal"``, ``"time_limit"``, ``"greedy"`` or ``"empty"``.
    method : str
        ``"exact"`` or ``"greedy"``.
    seconds : float
        Solver wall time.
    info : dict
        Model sizes and solver details.
    """

    chosen: np.ndarray
    objective: float
    bound: float
    status: str
    method: str
    seconds: float
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Relative gap ``(bound - objective) / bound`` (0 when the bound is 0)."""
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)


def instance_value(inst: MclpInstance, chosen: np.ndarray) -> float:
    """Objective of a set of reduced site indices."""
    x = np.zeros(len(inst.sites))
    x[chosen] = 1
    covered = (inst.cover @ x) > 0.5
    return float(inst.site_value @ x + inst.weights[covered].sum())


def greedy(inst: MclpInstance) -> list[int]:
    """Lazy greedy (priority queue) on a reduced instance; returns reduced site indices.

    A site's marginal gain can only shrink as posts are added (coverage is submodular), so a
    stale gain in the queue is an upper bound: the popped site is taken as soon as its
    recomputed gain is current (Minoux's accelerated greedy). Ties go to the higher
    priority, then the lower index.
    Spacing conflicts and budgets are honoured by skipping sites they forbid.

    Parameters
    ----------
    inst : MclpInstance
        The reduced instance.

    Returns
    -------
    list of int
        Reduced site indices in the order chosen (at most ``p``, only positive gains).
    """
    m = len(inst.sites)
    cover = inst.cover
    covered = np.zeros(cover.shape[0], dtype=bool)
    forbidden = np.zeros(m, dtype=bool)
    conflicts: dict[int, list[int]] = {}
    for j, k in inst.pairs:
        conflicts.setdefault(int(j), []).append(int(k))
        conflicts.setdefault(int(k), []).append(int(j))
    used = None if inst.budgets is None else np.zeros(len(inst.budgets), dtype=np.int64)
    col_sum = np.asarray(cover.T @ inst.weights).ravel() + inst.site_value
    prio = np.zeros(m) if inst.priority is None else -np.asarray(inst.priority, dtype=float)
    heap = [(-float(g), float(prio[j]), j, 0) for j, g in enumerate(col_sum) if g > 0]
    heapq.heapify(heap)
    chosen: list[int] = []
    rnd = 0
    while heap and len(chosen) < inst.p:
        _neg, _prio, j, stamp = heapq.heappop(heap)
        if forbidden[j]:
            continue
        if stamp != rnd:
            rows = cover.indices[cover.indptr[j] : cover.indptr[j + 1]]
            gain = inst.site_value[j] + float(inst.weights[rows[~covered[rows]]].sum())
            if gain > 0:
                heapq.heappush(heap, (-gain, float(prio[j]), j, rnd))
            continue
        chosen.append(j)
        rnd += 1
        forbidden[j] = True
        covered[cover.indices[cover.indptr[j] : cover.indptr[j + 1]]] = True
        for k in conflicts.get(j, ()):
            forbidden[k] = True
        if used is not None and inst.groups is not None and inst.budgets is not None:
            g = inst.groups[j]
            if g >= 0:
                used[g] += 1
                if used[g] >= inst.budgets[g]:
                    forbidden[inst.groups == g] = True
    return chosen
