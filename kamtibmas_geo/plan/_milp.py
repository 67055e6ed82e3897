"""The reduced MCLP as a HiGHS MILP: model, solver runs, LP bound, exact or greedy solve.

Private helpers of :class:`kamtibmas_geo.plan.PoskamlingPlan`; the instance and its
reduction are in :mod:`kamtibmas_geo.plan._mclp`. HiGHS runs single-threaded with a fixed
seed, so the same instance gives the same posts.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from kamtibmas_geo._errors import DependencyError
from kamtibmas_geo.plan._mclp import MclpInstance, MclpResult, greedy, instance_value

__all__ = ["AUTO_MAX_NNZ", "lp_bound", "solve_mclp"]

MESSAGES = {
    "highspy": {
        "id": "Rencana Poskamling eksak memerlukan paket highspy: pip install highspy.",
        "en": "Exact Poskamling plans need highspy: pip install highspy.",
    },
}

#: Above this many non-zeros in the reduced model, ``method="auto"`` uses greedy + LP bound.
AUTO_MAX_NNZ = 3_000_000


def _highs() -> Any:
    try:
        import highspy
    except ImportError as exc:  # pragma: no cover - highspy is a hard dependency
        raise DependencyError.say(MESSAGES, "highspy") from exc
    return highspy


def _build_lp(inst: MclpInstance, *, integer: bool) -> Any:
    """Build the (reduced) MCLP as a HiGHS ``HighsLp`` from CSC arrays."""
    highspy = _highs()
    m, nr = len(inst.sites), inst.cover.shape[0]
    mat, upper = _constraints(inst)
    lp = highspy.HighsLp()
    lp.num_col_ = m + nr
    lp.num_row_ = mat.shape[0]
    lp.col_cost_ = np.concatenate([inst.site_value, inst.weights]).astype(float)
    lp.col_lower_ = np.zeros(m + nr)
    lp.col_upper_ = np.ones(m + nr)
    lp.row_lower_ = np.full(mat.shape[0], -highspy.kHighsInf)
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


def _constraints(inst: MclpInstance) -> tuple[sp.csc_matrix, np.ndarray]:
    """Return the constraint matrix (CSC) and the rows' upper bounds.

    Columns: x_0..x_{m-1} (sites), then y_0..y_{nr-1} (demand rows). Rows: coverage
    ``y_i - sum_{j in N_i} x_j <= 0`` (nr rows), then ``sum x <= p``, then spacing
    ``x_j + x_k <= 1``, then budgets.
    """
    m, nr = len(inst.sites), inst.cover.shape[0]
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
    upper = np.concatenate([np.zeros(nr), [float(inst.p)], np.ones(npairs), lower_b])
    return mat, upper


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
    _highs()
    t0 = time.perf_counter()
    info: dict[str, Any] = dict(inst.size)
    m = len(inst.sites)
    if m == 0 or inst.p == 0:
        return MclpResult(np.zeros(0, dtype=np.int64), 0.0, 0.0, "empty", method, 0.0, info)
    g_sel = np.asarray(greedy(inst), dtype=np.int64)
    g_val = instance_value(inst, g_sel)
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
    return _solve_exact(
        inst, g_sel, g_val, t0=t0, time_limit=time_limit, mip_gap=mip_gap, info=info
    )


def _solve_exact(
    inst: MclpInstance,
    g_sel: np.ndarray,
    g_val: float,
    *,
    t0: float,
    time_limit: float | None,
    mip_gap: float,
    info: dict[str, Any],
) -> MclpResult:
    """Solve the MILP with HiGHS from the greedy start; keep greedy if HiGHS does worse."""
    highspy = _highs()
    m = len(inst.sites)
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
    val = instance_value(inst, sel)
    bound = float(hinfo.mip_dual_bound)
    if not np.isfinite(bound):
        bound = lp_bound(inst)
    if g_val > val + 1e-9:
        sel, val = g_sel, g_val
    bound = max(bound, val)
    state = "optimal" if status == highspy.HighsModelStatus.kOptimal else "time_limit"
    return MclpResult(inst.sites[np.sort(sel)], val, bound, state, "exact", secs, info)
