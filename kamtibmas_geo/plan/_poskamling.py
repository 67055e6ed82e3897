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

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import PlanError
from kamtibmas_geo.config import Settings
from kamtibmas_geo.plan._cover import CoverModel, PoskamlingOptions, build_model, check_options
from kamtibmas_geo.plan._patrol import patrol_plan
from kamtibmas_geo.plan._patrol_html import patrol_html
from kamtibmas_geo.plan._places import PointsLike, read_places

__all__ = [
    "CoverModel",
    "PoskamlingOptions",
    "PoskamlingPlan",
    "patrol_html",
    "patrol_plan",
    "plan_poskamling",
    "read_places",
]

Method = Literal["exact", "greedy", "auto"]

MESSAGES = {
    "no_region": {
        "id": "Tidak ada sel kabupaten/kota {region!r} di tabel skor (yang ada: {have}).",
        "en": "The score table has no cell of kabupaten/kota {region!r} (it has {have}).",
    },
    "method": {
        "id": "method harus 'auto', 'exact' atau 'greedy', bukan {method!r}.",
        "en": "method must be 'auto', 'exact' or 'greedy', got {method!r}.",
    },
}

#: Columns of the proposed posts, in order (before the geometry).
_POST_COLUMNS = (
    "rank",
    "nama",
    "hex_id",
    "desa_code",
    "desa_name",
    "kecamatan_code",
    "kecamatan_name",
    "kabupaten_code",
    "covered_score",
    "marginal_gain",
    "n_cells",
    "lon",
    "lat",
)


class PoskamlingPlan:
    """Where to put ``p`` new Poskamling posts: a maximal covering location problem.

    Build it with :meth:`from_scores`, run :meth:`solve` (which returns the plan itself),
    then read the results from the attributes below.

    Parameters
    ----------
    model : CoverModel
        The covering model (made by :meth:`from_scores`).

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
    model : CoverModel
        The covering model solved (cells, weights, coverage, sites, side constraints).
    p : int
        Number of new posts asked for.
    radius : float
        Coverage radius in metres.
    build_seconds : float
        Wall time of the model build.
    plans : dict
        For a plan of several kabupaten/kota (:meth:`combine`): each one's own plan by
        kabupaten code; empty for a plan of one.
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
    plans: dict[str, PoskamlingPlan]

    def __init__(self, model: CoverModel) -> None:
        self.model = model
        self.existing = model.existing
        self.p = model.p
        self.radius = model.radius
        self.build_seconds = model.build_seconds
        self.status = "unsolved"
        self.plans = {}

    @classmethod
    def from_scores(
        cls,
        cells: pd.DataFrame,
        *,
        p: int = 20,
        radius: float | None = None,
        existing: PointsLike | None = None,
        candidates: PointsLike | None = None,
        options: PoskamlingOptions | None = None,
        settings: Settings | None = None,
    ) -> PoskamlingPlan:
        """Build the covering model from cell scores.

        Parameters
        ----------
        cells : GeoDataFrame
            Cell scores (from :func:`~kamtibmas_geo.score.score_hotspots`) with ``hex_id``,
            the weight column (``score``) and, ideally, ``desa_code``/``desa_name``/
            ``kecamatan_code``/``kecamatan_name``. Each cell centre is a demand point.
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
        options : PoskamlingOptions, optional
            The weight column, minimum spacing, budget per kecamatan and gap weight
            (see :class:`PoskamlingOptions`; its defaults without it).
        settings : Settings, optional
            Default radius.

        Returns
        -------
        PoskamlingPlan
        """
        t0 = time.perf_counter()
        options = options or PoskamlingOptions()
        radius = check_options(p, radius, options, settings)
        model = build_model(
            cells, p=p, radius=radius, existing=existing, candidates=candidates, options=options
        )
        return cls(replace(model, build_seconds=time.perf_counter() - t0))

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
        from kamtibmas_geo.plan._mclp import reduce_instance
        from kamtibmas_geo.plan._milp import solve_mclp

        if method not in ("auto", "exact", "greedy"):
            raise PlanError.say(MESSAGES, "method", method=method)
        model = self.model
        w_eff = np.where(model.covered_before, 0.0, model.weights)
        inst = reduce_instance(
            model.cover,
            w_eff,
            model.p,
            allowed=model.allowed,
            pairs=model.pairs,
            groups=model.groups,
            budgets=model.budgets,
            priority=model.priority,
        )
        res = solve_mclp(inst, method=method, time_limit=time_limit, mip_gap=mip_gap)
        self.model_size = res.info
        self.status, self.method, self.solve_seconds = res.status, res.method, res.seconds
        self.objective, self.bound, self.gap = res.objective, res.bound, res.gap
        self._finish(np.asarray(res.chosen, dtype=np.int64), w_eff)
        return self

    def _finish(self, chosen: np.ndarray, w_eff: np.ndarray) -> None:
        cov = self.model.cover.tocsc()
        order, gains, covered = _rank_posts(cov, chosen, w_eff)
        self.posts = _posts_frame(self.model.sites, cov, order, gains, w_eff)
        weights, before_mask = self.model.weights, self.model.covered_before
        total = float(weights.sum())
        self.covered_score = float(sum(gains))
        self.objective = self.covered_score
        self.bound = max(self.bound, self.objective)
        self.gap = 0.0 if self.bound <= 0 else (self.bound - self.objective) / self.bound
        before = float(weights[before_mask].sum())
        self.coverage_before = before / total
        self.coverage_after = (before + self.covered_score) / total
        still = (weights > 0) & ~before_mask & ~covered
        unc = self.model.cells.loc[still].copy()
        unc["weight"] = weights[still]
        unc = unc.sort_values(["weight", "hex_id"], ascending=[False, True], kind="stable")
        if not isinstance(unc, gpd.GeoDataFrame):
            unc = gpd.GeoDataFrame(unc)
        self.uncovered = unc.reset_index(drop=True)

    @classmethod
    def combine(cls, plans: dict[str, PoskamlingPlan]) -> PoskamlingPlan:
        """Return one plan made of solved plans of several kabupaten/kota.

        Each Polres plans its own jurisdiction: the posts are the union of each plan's
        posts (``rank`` restarts at 1 in each ``kabupaten_code``); objective, bound and
        covered score are sums, coverage shares are over the total weight of all.

        Parameters
        ----------
        plans : dict
            Kabupaten code → solved plan.

        Returns
        -------
        PoskamlingPlan
            With ``plans`` holding each jurisdiction's own plan (its ``model`` is the
            first jurisdiction's; read each model from ``plans``).
        """
        parts = list(plans.values())
        out = cls(parts[0].model)
        out.plans = dict(plans)
        out.posts = _stack([q.posts for q in parts], plans)
        out.uncovered = _stack([q.uncovered for q in parts], plans)
        out.existing = _stack([_covering(q.existing) for q in parts], plans)
        for name in ("covered_score", "objective", "bound", "solve_seconds", "build_seconds"):
            setattr(out, name, float(sum(getattr(q, name) for q in parts)))
        out.gap = 0.0 if out.bound <= 0 else (out.bound - out.objective) / out.bound
        total = [float(q.model.weights.sum()) for q in parts]
        whole = sum(total) or 1.0
        pairs = list(zip(parts, total, strict=True))
        out.coverage_before = sum(q.coverage_before * t for q, t in pairs) / whole
        out.coverage_after = sum(q.coverage_after * t for q, t in pairs) / whole
        bad = [q.status for q in parts if q.status != "optimal"]
        out.status = bad[0] if bad else "optimal"
        out.method = "+".join(sorted({q.method for q in parts}))
        out.model_size = {code: q.model_size for code, q in plans.items()}
        return out

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


def _covering(existing: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the existing posts that cover at least one cell of their plan."""
    if "n_cells" not in existing.columns:
        return existing
    return existing[existing["n_cells"].to_numpy() > 0]


def _stack(frames: list[pd.DataFrame], plans: dict[str, Any]) -> gpd.GeoDataFrame:
    """Concatenate per-kabupaten tables, each tagged with its ``kabupaten_code``."""
    tagged = [f.assign(kabupaten_code=code) for f, code in zip(frames, plans, strict=True)]
    out = pd.concat(tagged, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=4326)


def _rank_posts(
    cov: Any, chosen: np.ndarray, w_eff: np.ndarray
) -> tuple[list[int], list[float], np.ndarray]:
    """Order the chosen sites by marginal gain; return order, gains and cells covered."""
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
    return order, gains, covered


def _posts_frame(
    sites: gpd.GeoDataFrame, cov: Any, order: list[int], gains: list[float], w_eff: np.ndarray
) -> gpd.GeoDataFrame:
    """Return the proposed posts, ranked, with what each covers."""
    posts = sites.iloc[order].copy()
    posts.insert(0, "rank", np.arange(1, len(order) + 1))
    posts["covered_score"] = [
        float(w_eff[cov.indices[cov.indptr[j] : cov.indptr[j + 1]]].sum()) for j in order
    ]
    posts["marginal_gain"] = gains
    posts["n_cells"] = [int(cov.indptr[j + 1] - cov.indptr[j]) for j in order]
    return gpd.GeoDataFrame(
        posts[[*_POST_COLUMNS, "geometry"]].reset_index(drop=True), geometry="geometry", crs=4326
    )


def plan_poskamling(
    cells: pd.DataFrame,
    *,
    p: int = 20,
    radius: float | None = None,
    existing: PointsLike | None = None,
    candidates: PointsLike | None = None,
    method: Method = "auto",
    time_limit: float | None = 120.0,
    options: PoskamlingOptions | None = None,
    settings: Settings | None = None,
    region: str | Sequence[str] | None = "auto",
) -> PoskamlingPlan:
    """Build and solve a :class:`PoskamlingPlan` in one call, one per kabupaten/kota.

    Each Polres plans its own jurisdiction: cells of several kabupaten/kota
    (``kabupaten_code``) are planned separately, ``p`` new posts each, and the plans
    combined (:meth:`PoskamlingPlan.combine`; ``plan.plans`` holds each one). Candidate
    places are used by the kabupaten/kota holding them.

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
    options : PoskamlingOptions, optional
        Further options (``weight``, ``min_spacing``, ``budget_per_kecamatan``,
        ``gap_weight``); see :class:`PoskamlingOptions`.
    settings : Settings, optional
        Settings.
    region : str or list of str, optional
        Plan only these kabupaten/kota (codes or names); ``"auto"`` (default) plans every
        kabupaten/kota of the cells.

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
    parts = _jurisdiction_cells(cells, region)
    plans = {}
    for code, part in parts.items():
        plan = PoskamlingPlan.from_scores(
            part,
            p=p,
            radius=radius,
            existing=existing,
            candidates=_candidates_in(candidates, code, len(parts), settings),
            options=options,
            settings=settings,
        )
        plans[code] = plan.solve(method, time_limit=time_limit)
    if len(plans) == 1:
        return next(iter(plans.values()))
    return PoskamlingPlan.combine(plans)


def _jurisdiction_cells(cells: pd.DataFrame, region: Any) -> dict[str, pd.DataFrame]:
    """Split the cells by ``kabupaten_code`` (kept to ``region`` when one is named)."""
    from kamtibmas_geo.score._regions import is_auto

    if "kabupaten_code" not in cells.columns:
        return {"": cells}
    key = cells["kabupaten_code"].astype("string").fillna("")
    if not is_auto(region):
        from kamtibmas_geo.boundaries._pack import resolve_region

        keep = resolve_region(region)
        if not key.isin(keep).any():
            raise PlanError.say(MESSAGES, "no_region", region=region, have=sorted(set(key)))
        key = key.where(key.isin(keep), None)
    return {
        str(code): cells[(key == code).fillna(False).to_numpy()]
        for code in sorted(set(key.dropna()))
    }


def _candidates_in(
    candidates: PointsLike | None, code: str, n_regions: int, settings: Settings | None
) -> PointsLike | None:
    """Keep the candidate places inside kabupaten ``code`` (all of them for one region)."""
    if candidates is None or n_regions == 1 or not code:
        return candidates
    from kamtibmas_geo.score._regions import record_kabupaten

    places = read_places(candidates, what="candidate places", active_only=False)
    where = record_kabupaten(places[["lat", "lon"]], settings or Settings())
    return places[where == code]
