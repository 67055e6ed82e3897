"""The maximal covering location problem (MCLP): coverage, model reduction, HiGHS, greedy.

This private module holds the numerical core behind :class:`kamtibmas_geo.plan.PoskamlingPlan`.
It works on plain arrays: demand weights ``w`` (one per demand cell), a sparse 0/1 coverage
matrix ``A`` (demand × candidate site, ``A[i, j] = 1`` when site ``j`` lies within the radius of
demand ``i``), the number of posts ``p`` and optional side constraints (minimum spacing pairs,
a budget per group of sites). See ``docs/planning.md`` for the formulation (Church & ReVelle,
1974) and the greedy guarantee (Nemhauser, Wolsey & Fisher, 1978).
"""

from __future__ import annotations

import contextlib
import heapq
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from kamtibmas_geo._errors import DependencyError

__all__ = [
    "MclpInstance",
    "MclpResult",
    "coverage_matrix",
    "greedy",
    "reduce_instance",
    "solve_mclp",
    "spacing_pairs",
]

#: Above this many non-zeros in the reduced model, ``method="auto"`` uses greedy + LP bound.
AUTO_MAX_NNZ = 3_000_000


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
    keep_rows = (w > 0) & (np.diff(a.indptr) > 0)
    a = a[keep_rows]
    w = w[keep_rows]
    side = (pairs is not None and len(pairs) > 0) or budgets is not None
    # 2. sites covering nothing.
    csc = a.tocsc()
    useful = np.diff(csc.indptr) > 0
    if not side and useful.any():
        # 3. dominated sites: |N(j) ∩ N(k)| == |N(j)|.
        sub = csc[:, useful]
        idx = np.flatnonzero(useful)
        deg = np.diff(sub.indptr)
        inter = (sub.T @ sub).tocoo()
        mask = (inter.row != inter.col) & (inter.data == deg[inter.row])
        r, c = inter.row[mask], inter.col[mask]
        # j=r is covered by k=c; drop r unless the sets are equal and r < c.
        equal = deg[r] == deg[c]
        prio = np.zeros(m) if priority is None else np.asarray(priority, dtype=float)
        pr, pc = prio[sites[idx[r]]], prio[sites[idx[c]]]
        worse = (pr < pc) | ((pr == pc) & (r > c))
        drop_r = r[~equal | worse]
        dominated = np.zeros(len(idx), dtype=bool)
        dominated[drop_r] = True
        useful[idx[dominated]] = False
    sites = sites[useful]
    a = csc[:, useful].tocsr()
    a.sort_indices()
    # 4. merge identical rows.
    if a.shape[0]:
        keys: dict[bytes, int] = {}
        row_id = np.empty(a.shape[0], dtype=np.int64)
        for i in range(a.shape[0]):
            key = a.indices[a.indptr[i] : a.indptr[i + 1]].tobytes()
            row_id[i] = keys.setdefault(key, len(keys))
        first = np.full(len(keys), -1, dtype=np.int64)
        first[row_id[::-1]] = np.arange(a.shape[0])[::-1]
        merged_w = np.bincount(row_id, weights=w, minlength=len(keys))
        a = a[first]
        w = merged_w
    # 5. rows covered by a single site.
    deg_rows = np.diff(a.indptr)
    single = deg_rows == 1
    site_value = np.zeros(a.shape[1])
    if single.any():
        np.add.at(site_value, a.indices[a.indptr[:-1][single]], w[single])
    a = a[~single]
    w = w[~single]
    new_pairs = np.zeros((0, 2), dtype=np.int64)
    if pairs is not None and len(pairs):
        pos = np.full(m, -1, dtype=np.int64)
        pos[sites] = np.arange(len(sites))
        pr = pos[np.asarray(pairs)]
        new_pairs = pr[(pr >= 0).all(axis=1)]
    new_groups = None if groups is None else np.asarray(groups)[sites]
    prio_out = np.zeros(len(sites)) if priority is None else np.asarray(priority)[sites]
    return MclpInstance(
        weights=w,
        cover=a.tocsc().astype(np.float64),
        site_value=site_value,
        sites=sites,
        p=int(p),
        pairs=new_pairs,
        groups=new_groups,
        budgets=None if budgets is None else np.asarray(budgets),
        n_demand_in=n,
        n_sites_in=m,
        priority=prio_out.astype(float),
    )


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


def _value(inst: MclpInstance, chosen: np.ndarray) -> float:
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


def _highs() -> Any:
    try:
        import highspy
    except ImportError as exc:  # pragma: no cover - highspy is a hard dependency
        msg = "Exact Poskamling plans need highspy: pip install highspy."
        raise DependencyError(msg) from exc
    return highspy


def _build_lp(inst: MclpInstance, *, integer: bool) -> Any:
    """Build the (reduced) MCLP as a HiGHS ``HighsLp`` from CSC arrays."""
    highspy = _highs()
    m, nr = len(inst.sites), inst.cover.shape[0]
    # Columns: x_0..x_{m-1} (sites), then y_0..y_{nr-1} (demand rows).
    # Rows: coverage  y_i - sum_{j in N_i} x_j <= 0  (nr rows), then sum x <= p,
    # then spacing x_j + x_k <= 1, then budgets.
    cov = inst.cover.tocsc()  # nr × m
    npairs = len(inst.pairs)
    r_card = nr
    r_pair0 = nr + 1
    r_bud0 = r_pair0 + npairs
    if inst.budgets is not None and inst.groups is not None:
        bud_groups = np.flatnonzero(np.isfinite(inst.budgets.astype(float)))
    else:
        bud_groups = np.zeros(0, dtype=np.int64)
    nrows = r_bud0 + len(bud_groups)
    # Entries of the x-columns, as (row, col, value) triplets.
    xr = [cov.indices.astype(np.int64), np.full(m, r_card, dtype=np.int64)]
    xc = [np.repeat(np.arange(m), np.diff(cov.indptr)), np.arange(m)]
    xv = [-np.ones(cov.nnz), np.ones(m)]
    if npairs:
        prow = r_pair0 + np.arange(npairs)
        xr += [prow, prow]
        xc += [inst.pairs[:, 0], inst.pairs[:, 1]]
        xv += [np.ones(npairs), np.ones(npairs)]
    lower_b = []
    if len(bud_groups) and inst.groups is not None and inst.budgets is not None:
        gpos = np.full(len(inst.budgets), -1, dtype=np.int64)
        gpos[bud_groups] = np.arange(len(bud_groups))
        in_g = (inst.groups >= 0) & (gpos[np.maximum(inst.groups, 0)] >= 0)
        sj = np.flatnonzero(in_g)
        xr.append(r_bud0 + gpos[inst.groups[sj]])
        xc.append(sj)
        xv.append(np.ones(len(sj)))
        lower_b = list(inst.budgets[bud_groups].astype(float))
    yr, yc, yv = np.arange(nr), m + np.arange(nr), np.ones(nr)
    rows = np.concatenate([*xr, yr])
    cols = np.concatenate([*xc, yc])
    vals = np.concatenate([*xv, yv])
    mat = sp.csc_matrix((vals, (rows, cols)), shape=(nrows, m + nr))
    mat.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_ = m + nr
    lp.num_row_ = nrows
    lp.col_cost_ = np.concatenate([inst.site_value, inst.weights]).astype(float)
    lp.col_lower_ = np.zeros(m + nr)
    lp.col_upper_ = np.ones(m + nr)
    upper = np.concatenate([np.zeros(nr), [float(inst.p)], np.ones(npairs), lower_b])
    lp.row_lower_ = np.full(nrows, -highspy.kHighsInf)
    lp.row_upper_ = upper.astype(float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
    lp.a_matrix_.index_ = mat.indices.astype(np.int32)
    lp.a_matrix_.value_ = mat.data.astype(float)
    lp.sense_ = highspy.ObjSense.kMaximize
    if integer:
        # y may stay continuous: for integral x its optimum is min(1, sum x) = 0 or 1.
        lp.integrality_ = [highspy.HighsVarType.kInteger] * m + [
            highspy.HighsVarType.kContinuous
        ] * nr
    return lp


_BANNER_LOCK = threading.Lock()


def _new_highs(highspy: Any) -> Any:
    """Return a new ``Highs`` instance, keeping the solver's banner off the user's screen.

    highspy prints its banner to the C-level stdout on the first construction in a
    process, before any option can be set (ERGO-Code/HiGHS#1702, #2749); a CLI run for
    staff should show only our own Indonesian messages, so construction runs with file
    descriptor 1 pointed at the null device.
    """
    with _BANNER_LOCK:
        sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:  # pragma: no cover - no usable stdout
            return highspy.Highs()
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
                try:
                    return highspy.Highs()
                finally:
                    with contextlib.suppress(OSError):
                        os.dup2(saved, 1)
        finally:
            os.close(saved)


def _run(lp: Any, *, time_limit: float | None, mip_gap: float, start: np.ndarray | None) -> Any:
    highspy = _highs()
    h = _new_highs(highspy)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(start)
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    return h


def lp_bound(inst: MclpInstance, *, time_limit: float | None = None) -> float:
    """Upper bound on the optimum: the value of the LP relaxation (HiGHS).

    Parameters
    ----------
    inst : MclpInstance
        The reduced instance.
    time_limit : float, optional
        Seconds.

    Returns
    -------
    float
        The LP optimum, or ``inf`` if the LP did not finish.
    """
    highspy = _highs()
    if len(inst.sites) == 0:
        return 0.0
    h = _run(_build_lp(inst, integer=False), time_limit=time_limit, mip_gap=0.0, start=None)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return float("inf")
    return float(h.getInfo().objective_function_value)


def solve_mclp(
    inst: MclpInstance,
    *,
    method: str = "auto",
    time_limit: float | None = 120.0,
    mip_gap: float = 0.0,
) -> MclpResult:
    """Solve a reduced instance exactly (HiGHS MILP) or greedily (with an LP bound).

    Parameters
    ----------
    inst : MclpInstance
        The reduced instance.
    method : {"exact", "greedy", "auto"}
        ``"auto"`` solves exactly unless the model is very large, and keeps the greedy
        solution when the time limit stops HiGHS with a worse incumbent.
    time_limit : float or None
        Seconds for HiGHS.
    mip_gap : float
        Relative gap at which HiGHS may stop (0 = prove optimality).

    Returns
    -------
    MclpResult
    """
    highspy = _highs()
    t0 = time.perf_counter()
    info: dict[str, Any] = dict(inst.size)
    m = len(inst.sites)
    if m == 0 or inst.p == 0:
        return MclpResult(np.zeros(0, dtype=np.int64), 0.0, 0.0, "empty", method, 0.0, info)
    g_sel = np.asarray(greedy(inst), dtype=np.int64)
    g_val = _value(inst, g_sel)
    info["greedy_objective"] = g_val
    if method == "auto":
        method = "greedy" if inst.cover.nnz + m > AUTO_MAX_NNZ else "exact"
    if method == "greedy":
        bound = lp_bound(inst, time_limit=time_limit)
        # The greedy guarantee also bounds the optimum: OPT <= greedy / (1 - 1/e).
        if inst.budgets is None and len(inst.pairs) == 0:
            bound = min(bound, g_val / (1 - 1 / np.e))
        bound = max(bound, g_val)
        secs = time.perf_counter() - t0
        return MclpResult(inst.sites[g_sel], g_val, bound, "greedy", "greedy", secs, info)
    lp = _build_lp(inst, integer=True)
    start = np.zeros(m + inst.cover.shape[0])
    start[g_sel] = 1
    if inst.cover.shape[0] and len(g_sel):
        start[m:] = np.minimum(1.0, np.asarray(inst.cover[:, g_sel].sum(axis=1)).ravel())
    h = _run(lp, time_limit=time_limit, mip_gap=mip_gap, start=start)
    status = h.getModelStatus()
    hinfo = h.getInfo()
    info["mip_nodes"] = int(hinfo.mip_node_count)
    secs = time.perf_counter() - t0
    if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kTimeLimit):
        info["highs_status"] = h.modelStatusToString(status)
        bound = max(g_val, lp_bound(inst))
        return MclpResult(inst.sites[g_sel], g_val, bound, "greedy", "greedy", secs, info)
    x = np.asarray(h.getSolution().col_value[:m])
    sel = np.flatnonzero(x > 0.5)
    val = _value(inst, sel)
    bound = float(hinfo.mip_dual_bound)
    if not np.isfinite(bound):
        bound = lp_bound(inst)
    if g_val > val + 1e-9:
        sel, val = g_sel, g_val
    bound = max(bound, val)
    state = "optimal" if status == highspy.HighsModelStatus.kOptimal else "time_limit"
    return MclpResult(inst.sites[np.sort(sel)], val, bound, state, "exact", secs, info)
