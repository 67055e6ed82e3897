"""Poskamling placement (maximal covering location) and patrol plans from hotspot scores.

Two tools turn the cell scores of :mod:`kamtibmas_geo.score._score` into action:

* :class:`PoskamlingPlan` proposes ``p`` new (or reactivated) Poskamling posts that cover
  the most risk within a walking radius, keeping the existing active posts. It solves the
  maximal covering location problem (Church & ReVelle, 1974) exactly with HiGHS, or with the
  lazy greedy heuristic and its (1 − 1/e) guarantee (Nemhauser, Wolsey & Fisher, 1978) for
  very large cases, and reports the objective, a proven bound and the gap.
* :func:`patrol_plan` ranks, for each Polsek (kecamatan) and time window (sahur, subuh,
  ngabuburit, tarawih, malam), the cells to visit and allocates the patrol teams to them;
  :func:`patrol_html` prints it as one table per Polsek.

Distances are metres in the UTM zone of the cells (48S, EPSG:32748, for OKI and
Palembang), never degrees. See ``docs/planning.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import PlanError
from kamtibmas_geo.config import Settings
from kamtibmas_geo.plan._patrol import patrol_html, patrol_plan
from kamtibmas_geo.plan._places import PointsLike, locate_sites, read_places, to_utm, utm_crs

__all__ = ["PoskamlingPlan", "patrol_html", "patrol_plan", "plan_poskamling", "read_places"]

Method = Literal["exact", "greedy", "auto"]


def _check_cells(cells: pd.DataFrame, weight: str, gap_weight: float) -> pd.DataFrame:
    if not isinstance(cells, pd.DataFrame):
        msg = f"cells must be the GeoDataFrame of cell scores, got {type(cells).__name__}."
        raise PlanError(msg)
    if isinstance(cells, gpd.GeoDataFrame) and cells.crs is None and len(cells):
        msg = (
            "The cells GeoDataFrame has no CRS; set it (cells.set_crs('EPSG:4326')) or pass "
            "the frame made by score_hotspots."
        )
        raise PlanError(msg)
    missing = [c for c in ("hex_id", weight) if c not in cells.columns]
    if gap_weight and "coverage_gap" not in cells.columns:
        missing.append("coverage_gap")
    if missing:
        msg = (
            f"The cells lack column(s) {', '.join(map(repr, missing))}; pass the output of "
            "score_hotspots or choose another weight= column."
        )
        raise PlanError(msg)
    if len(cells) == 0:
        msg = "The cells table is empty; there is nothing to cover."
        raise PlanError(msg)
    if cells["hex_id"].duplicated().any():
        dup = cells.loc[cells["hex_id"].duplicated(), "hex_id"].iloc[0]
        msg = f"Cell {dup!r} appears more than once in cells; keep one row per hex_id."
        raise PlanError(msg)
    return cells


class PoskamlingPlan:
    """Where to put ``p`` new Poskamling posts: a maximal covering location problem.

    Build it with :meth:`from_scores`, run :meth:`solve` (which returns the plan itself),
    then read the results from the attributes below.

    Attributes
    ----------
    posts : GeoDataFrame
        Proposed posts, one row each (EPSG:4326 points): ``rank`` (1 = largest marginal gain),
        ``nama``, ``hex_id`` (the cell the post stands in), ``desa_code``, ``desa_name``,
        ``kecamatan_code``, ``kecamatan_name``, ``covered_score`` (weight of the not yet
        covered demand within the radius), ``marginal_gain`` (what it adds after the posts
        ranked before it), ``n_cells`` covered, ``lon``, ``lat``.
    existing : GeoDataFrame
        The existing active posts used, with their ``covered_score`` and ``n_cells``.
    covered_score : float
        Weight newly covered by the proposed posts (equals ``objective``).
    coverage_before, coverage_after : float
        Share (0-1) of the total weight covered by the existing posts, and by the existing
        plus the proposed posts.
    objective, bound, gap : float
        Value of the solution, a proven upper bound on the best possible value, and the
        relative gap ``(bound - objective) / bound``.
    uncovered : GeoDataFrame
        Cells with positive weight still uncovered, heaviest first.
    status : str
        ``"optimal"``, ``"time_limit"`` (best found when the time ran out), ``"greedy"``
        or ``"empty"`` (nothing left to cover).
    method : str
        ``"exact"`` or ``"greedy"``: what produced the posts.
    solve_seconds : float
        Wall time of the solver (the model build is in ``build_seconds``).
    model_size : dict
        Sizes of the model before and after reduction.
    """

    posts: gpd.GeoDataFrame
    uncovered: gpd.GeoDataFrame
    covered_score: float
    coverage_before: float
    coverage_after: float
    objective: float
    bound: float
    gap: float
    status: str
    method: str
    solve_seconds: float
    model_size: dict[str, Any]

    def __init__(
        self,
        cells: pd.DataFrame,
        weights: np.ndarray,
        cover: Any,
        sites: gpd.GeoDataFrame,
        existing: gpd.GeoDataFrame,
        covered_before: np.ndarray,
        allowed: np.ndarray,
        pairs: np.ndarray,
        groups: np.ndarray | None,
        budgets: np.ndarray | None,
        priority: np.ndarray,
        p: int,
        radius: float,
        build_seconds: float,
    ) -> None:
        self.cells = cells
        self.weights = weights
        self.cover = cover
        self.sites = sites
        self.existing = existing
        self.covered_before = covered_before
        self.allowed = allowed
        self.pairs = pairs
        self.groups = groups
        self.budgets = budgets
        self.priority = priority
        self.p = p
        self.radius = radius
        self.build_seconds = build_seconds
        self.status = "unsolved"

    @classmethod
    def from_scores(
        cls,
        cells: pd.DataFrame,
        *,
        weight: str = "score",
        p: int = 20,
        radius: float | None = None,
        existing: PointsLike | None = None,
        candidates: PointsLike | None = None,
        min_spacing: float | None = None,
        budget_per_kecamatan: int | Mapping[str, int] | None = None,
        gap_weight: float = 0.0,
        settings: Settings | None = None,
    ) -> PoskamlingPlan:
        """Build the covering model from cell scores.

        Parameters
        ----------
        cells : GeoDataFrame
            Cell scores (from :func:`~kamtibmas_geo.score.score_hotspots`) with ``hex_id``,
            the ``weight`` column and, ideally, ``desa_code``/``desa_name``/
            ``kecamatan_code``/``kecamatan_name``. Each cell centre is a demand point.
        weight : str
            Column with the risk to cover (``score`` by default). Cells with weight <= 0 (or
            missing) do not count.
        p : int
            Number of new posts (at most; posts that would add nothing are not proposed).
        radius : float, optional
            Coverage radius in metres, as the crow flies (default ``Settings.radius_m``,
            500 m).
        existing : path or (Geo)DataFrame, optional
            Existing active posts (CSV with ``nama``, ``lintang``, ``bujur``, or points).
            They are kept; the demand they cover counts as covered before planning.
        candidates : path or (Geo)DataFrame, optional
            Candidate places (balai desa, masjid, pos RW...) in the same form; by default
            every cell centre is a candidate.
        min_spacing : float, optional
            Minimum distance in metres between two posts (new ones, and new to existing).
        budget_per_kecamatan : int or mapping, optional
            Maximum number of new posts per kecamatan (one number for all, or
            ``{kecamatan_code: n}``; kecamatan not in the mapping have no limit).
        gap_weight : float
            Adds ``gap_weight × coverage_gap`` to each cell's weight, so that cells with
            few Binmas activities for their risk count more.
        settings : Settings, optional
            Default radius.

        Returns
        -------
        PoskamlingPlan
        """
        import time

        import h3

        from kamtibmas_geo.plan._mclp import coverage_matrix, spacing_pairs

        t0 = time.perf_counter()
        settings = settings or Settings()
        radius = float(settings.radius_m if radius is None else radius)
        if not np.isfinite(radius) or radius <= 0:
            msg = f"radius must be a positive number of metres, got {radius!r}."
            raise PlanError(msg)
        if isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 0:
            msg = f"p (the number of new posts) must be a whole number >= 0, got {p!r}."
            raise PlanError(msg)
        if min_spacing is not None and (not np.isfinite(min_spacing) or min_spacing < 0):
            msg = f"min_spacing must be a number of metres >= 0, got {min_spacing!r}."
            raise PlanError(msg)
        cells = _check_cells(cells, weight, gap_weight)
        cells = cells.sort_values("hex_id", kind="stable").reset_index(drop=True)
        w = pd.to_numeric(cells[weight], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        if gap_weight:
            gap = pd.to_numeric(cells["coverage_gap"], errors="coerce").fillna(0.0)
            w = w + float(gap_weight) * gap.to_numpy(dtype=float)
        w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
        if not (w > 0).any():
            msg = (
                f"No cell has a positive {weight!r}; there is no risk to cover. Check the "
                "scores or choose another weight= column."
            )
            raise PlanError(msg)
        try:
            latlng = np.array([h3.cell_to_latlng(str(c)) for c in cells["hex_id"]])
        except (ValueError, TypeError) as exc:
            msg = f"cells['hex_id'] holds a value that is not an H3 cell id: {exc}."
            raise PlanError(msg) from None
        res = h3.get_resolution(str(cells["hex_id"].iloc[0]))
        crs = utm_crs(latlng[:, 1], latlng[:, 0])
        dxy = to_utm(latlng[:, 1], latlng[:, 0], crs)
        info_cols = ["desa_code", "desa_name", "kecamatan_code", "kecamatan_name"]
        labels = pd.DataFrame(
            {c: cells[c] if c in cells.columns else pd.NA for c in info_cols}, index=cells.index
        )
        if candidates is None:
            sites = gpd.GeoDataFrame(
                {
                    "nama": cells["hex_id"].astype(str).to_numpy(),
                    "hex_id": cells["hex_id"].astype(str).to_numpy(),
                    "lon": latlng[:, 1],
                    "lat": latlng[:, 0],
                },
                geometry=gpd.points_from_xy(latlng[:, 1], latlng[:, 0]),
                crs=4326,
            )
            sites = pd.concat([sites, labels.reset_index(drop=True)], axis=1)
            sxy = dxy
        else:
            sites = read_places(candidates, what="candidate places", active_only=False)
            sxy = to_utm(sites["lon"].to_numpy(), sites["lat"].to_numpy(), crs)
            sites = sites.join(locate_sites(sites, sxy, cells, dxy, labels, res, radius))
        sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=4326)
        if p > len(sites):
            msg = (
                f"p = {p} new posts but there are only {len(sites)} candidate sites; lower p "
                "or give more candidates."
            )
            raise PlanError(msg)
        cover = coverage_matrix(dxy, sxy, radius)
        if existing is not None:
            ex = read_places(existing, what="existing posts")
            exy = to_utm(ex["lon"].to_numpy(), ex["lat"].to_numpy(), crs)
            ecov = coverage_matrix(dxy, exy, radius)
            before = np.asarray(ecov.sum(axis=1)).ravel() > 0
            ex["n_cells"] = np.asarray(ecov.sum(axis=0)).ravel().astype(int)
            ex["covered_score"] = np.asarray(ecov.T @ w).ravel()
        else:
            ex = gpd.GeoDataFrame(
                {"nama": [], "lon": [], "lat": []}, geometry=gpd.GeoSeries([], crs=4326)
            )
            exy = np.zeros((0, 2))
            before = np.zeros(len(cells), dtype=bool)
        allowed = np.ones(len(sites), dtype=bool)
        pairs = np.zeros((0, 2), dtype=np.int64)
        if min_spacing:
            pairs = spacing_pairs(sxy, float(min_spacing))
            if len(exy):
                near = coverage_matrix(sxy, exy, float(min_spacing) * (1 - 1e-9))
                allowed &= np.asarray(near.sum(axis=1)).ravel() == 0
        groups, budgets = _budgets(sites, budget_per_kecamatan)
        # Tie-break between equally good sites: the one standing in the heavier cell.
        wmap = pd.Series(w, index=cells["hex_id"].astype(str).to_numpy())
        priority = wmap.reindex(sites["hex_id"].astype(str)).fillna(0.0).to_numpy(dtype=float)
        return cls(
            cells=cells,
            weights=w,
            cover=cover,
            sites=sites,
            existing=ex,
            covered_before=before,
            allowed=allowed,
            pairs=pairs,
            groups=groups,
            budgets=budgets,
            priority=priority,
            p=int(p),
            radius=radius,
            build_seconds=time.perf_counter() - t0,
        )

    def solve(
        self, method: Method = "auto", *, time_limit: float | None = 120.0, mip_gap: float = 0.0
    ) -> PoskamlingPlan:
        """Choose the posts.

        Parameters
        ----------
        method : {"auto", "exact", "greedy"}
            ``"exact"``: HiGHS MILP on the reduced model, proven optimal unless the time
            limit stops it (then ``status == "time_limit"`` and ``gap`` says how far from
            the bound the best solution found may be). ``"greedy"``: lazy greedy, with the
            LP relaxation as bound. ``"auto"``: exact, or greedy for very large models.
        time_limit : float or None
            Seconds for the solver.
        mip_gap : float
            Relative gap at which the exact solver may stop (0 proves optimality).

        Returns
        -------
        PoskamlingPlan
            ``self``, with the result attributes set.
        """
        from kamtibmas_geo.plan._mclp import reduce_instance, solve_mclp

        if method not in ("auto", "exact", "greedy"):
            msg = f"method must be 'auto', 'exact' or 'greedy', got {method!r}."
            raise PlanError(msg)
        w_eff = np.where(self.covered_before, 0.0, self.weights)
        inst = reduce_instance(
            self.cover,
            w_eff,
            self.p,
            allowed=self.allowed,
            pairs=self.pairs,
            groups=self.groups,
            budgets=self.budgets,
            priority=self.priority,
        )
        res = solve_mclp(inst, method=method, time_limit=time_limit, mip_gap=mip_gap)
        self.model_size = res.info
        self.status, self.method, self.solve_seconds = res.status, res.method, res.seconds
        self.objective, self.bound, self.gap = res.objective, res.bound, res.gap
        self._finish(np.asarray(res.chosen, dtype=np.int64), w_eff)
        return self

    def _finish(self, chosen: np.ndarray, w_eff: np.ndarray) -> None:
        cov = self.cover.tocsc()
        covered = np.zeros(len(w_eff), dtype=bool)
        order: list[int] = []
        gains: list[float] = []
        left = sorted(int(j) for j in chosen)

        def rows(j: int) -> np.ndarray:
            return np.asarray(cov.indices[cov.indptr[j] : cov.indptr[j + 1]])

        while left:
            g = [float(w_eff[rows(j)][~covered[rows(j)]].sum()) for j in left]
            k = int(np.argmax(g))
            if g[k] <= 0:
                break
            j = left.pop(k)
            order.append(j)
            gains.append(g[k])
            covered[rows(j)] = True
        posts = self.sites.iloc[order].copy()
        posts.insert(0, "rank", np.arange(1, len(order) + 1))
        posts["covered_score"] = [
            float(w_eff[cov.indices[cov.indptr[j] : cov.indptr[j + 1]]].sum()) for j in order
        ]
        posts["marginal_gain"] = gains
        posts["n_cells"] = [int(cov.indptr[j + 1] - cov.indptr[j]) for j in order]
        cols = ["rank", "nama", "hex_id", "desa_code", "desa_name", "kecamatan_code"]
        cols += ["kecamatan_name", "covered_score", "marginal_gain", "n_cells", "lon", "lat"]
        self.posts = gpd.GeoDataFrame(
            posts[[*cols, "geometry"]].reset_index(drop=True), geometry="geometry", crs=4326
        )
        total = float(self.weights.sum())
        self.covered_score = float(sum(gains))
        self.objective = self.covered_score
        self.bound = max(self.bound, self.objective)
        self.gap = 0.0 if self.bound <= 0 else (self.bound - self.objective) / self.bound
        before = float(self.weights[self.covered_before].sum())
        self.coverage_before = before / total
        self.coverage_after = (before + self.covered_score) / total
        still = (self.weights > 0) & ~self.covered_before & ~covered
        unc = self.cells.loc[still].copy()
        unc["weight"] = self.weights[still]
        unc = unc.sort_values(["weight", "hex_id"], ascending=[False, True], kind="stable")
        if not isinstance(unc, gpd.GeoDataFrame):
            unc = gpd.GeoDataFrame(unc)
        self.uncovered = unc.reset_index(drop=True)

    def summary(self) -> dict[str, Any]:
        """Return the key numbers of the solved plan as a flat dict."""
        return {
            "status": self.status,
            "method": self.method,
            "p": self.p,
            "n_posts": len(self.posts),
            "n_existing": len(self.existing),
            "radius_m": self.radius,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "coverage_before": self.coverage_before,
            "coverage_after": self.coverage_after,
            "n_uncovered": len(self.uncovered),
            "build_seconds": self.build_seconds,
            "solve_seconds": self.solve_seconds,
        }

    def __repr__(self) -> str:
        if self.status == "unsolved":
            return f"PoskamlingPlan(p={self.p}, radius={self.radius:g} m, unsolved)"
        return (
            f"PoskamlingPlan(p={self.p}, radius={self.radius:g} m, status={self.status!r}, "
            f"objective={self.objective:.4g}, bound={self.bound:.4g}, gap={self.gap:.2%})"
        )


def _budgets(
    sites: pd.DataFrame, budget: int | Mapping[str, int] | None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    if budget is None:
        return None, None
    codes = sites["kecamatan_code"].astype("string").fillna("")
    uniq = sorted(c for c in codes.unique() if c)
    if isinstance(budget, Mapping):
        limits = {str(k): v for k, v in budget.items()}
    else:
        limits = dict.fromkeys(uniq, budget)
    for k, v in limits.items():
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 0:
            msg = f"The budget of kecamatan {k!r} must be a whole number >= 0, got {v!r}."
            raise PlanError(msg)
    gid = {c: i for i, c in enumerate(uniq)}
    groups = np.array([gid.get(c, -1) if c in limits else -1 for c in codes], dtype=np.int64)
    budgets = np.array([float(limits.get(c, np.inf)) for c in uniq])
    return groups, budgets


def plan_poskamling(
    cells: pd.DataFrame,
    *,
    p: int = 20,
    radius: float | None = None,
    existing: PointsLike | None = None,
    candidates: PointsLike | None = None,
    method: Method = "auto",
    time_limit: float | None = 120.0,
    settings: Settings | None = None,
    **options: Any,
) -> PoskamlingPlan:
    """Build and solve a :class:`PoskamlingPlan` in one call.

    Parameters
    ----------
    cells : GeoDataFrame
        Cell scores with ``hex_id`` and ``score``.
    p : int
        Number of new posts.
    radius : float, optional
        Coverage radius in metres (default ``Settings.radius_m``).
    existing, candidates : path or (Geo)DataFrame, optional
        Existing active posts and candidate places; see :meth:`PoskamlingPlan.from_scores`.
    method : {"auto", "exact", "greedy"}
        Solver.
    time_limit : float or None
        Seconds for the solver.
    settings : Settings, optional
        Settings.
    **options
        Further options of :meth:`PoskamlingPlan.from_scores` (``weight``, ``min_spacing``,
        ``budget_per_kecamatan``, ``gap_weight``).

    Returns
    -------
    PoskamlingPlan
        The solved plan.

    Examples
    --------
    >>> import h3, pandas as pd
    >>> cells = pd.DataFrame({"hex_id": sorted(h3.grid_disk("89c0d1b0a2bffff", 2))})
    >>> cells["score"] = [5.0 if c == "89c0d1b0a2bffff" else 0.0 for c in cells["hex_id"]]
    >>> plan = plan_poskamling(cells, p=1, radius=400)
    >>> plan.status, plan.objective, plan.coverage_after
    ('optimal', 5.0, 1.0)
    """
    plan = PoskamlingPlan.from_scores(
        cells,
        p=p,
        radius=radius,
        existing=existing,
        candidates=candidates,
        settings=settings,
        **options,
    )
    return plan.solve(method, time_limit=time_limit)
