"""The covering model of a Poskamling plan: demand cells, candidate sites, existing posts.

Private helpers of :mod:`kamtibmas_geo.plan._poskamling`: :func:`check_options` and
:func:`build_model` turn cell scores and places into the :class:`CoverModel` that
:class:`~kamtibmas_geo.plan.PoskamlingPlan` solves. Distances are metres in the UTM zone of
the cells, never degrees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import PlanError
from kamtibmas_geo.config import Settings
from kamtibmas_geo.plan._places import PointsLike, locate_sites, read_places, to_utm, utm_crs

__all__ = ["CoverModel", "PoskamlingOptions", "build_model", "check_options"]

MESSAGES = {
    "cells_type": {
        "id": "cells harus GeoDataFrame skor sel (hasil score_hotspots), bukan {kind}.",
        "en": "cells must be the GeoDataFrame of cell scores, got {kind}.",
    },
    "no_crs": {
        "id": "GeoDataFrame sel tidak punya CRS; tetapkan (cells.set_crs('EPSG:4326')) atau "
        "berikan tabel hasil score_hotspots.",
        "en": "The cells GeoDataFrame has no CRS; set it (cells.set_crs('EPSG:4326')) or pass "
        "the frame made by score_hotspots.",
    },
    "columns": {
        "id": "Tabel sel tidak punya kolom {missing}; berikan hasil score_hotspots atau pilih "
        "kolom lain untuk weight=.",
        "en": "The cells lack column(s) {missing}; pass the output of score_hotspots or choose "
        "another weight= column.",
    },
    "empty": {
        "id": "Tabel sel kosong; tidak ada yang perlu dicakup.",
        "en": "The cells table is empty; there is nothing to cover.",
    },
    "duplicate": {
        "id": "Sel {cell!r} muncul lebih dari sekali di tabel sel; sisakan satu baris per hex_id.",
        "en": "Cell {cell!r} appears more than once in cells; keep one row per hex_id.",
    },
    "radius": {
        "id": "radius harus bilangan positif dalam meter, bukan {radius!r}.",
        "en": "radius must be a positive number of metres, got {radius!r}.",
    },
    "p": {
        "id": "p (jumlah pos baru) harus bilangan bulat >= 0, bukan {p!r}.",
        "en": "p (the number of new posts) must be a whole number >= 0, got {p!r}.",
    },
    "min_spacing": {
        "id": "min_spacing harus jarak dalam meter >= 0, bukan {value!r}.",
        "en": "min_spacing must be a number of metres >= 0, got {value!r}.",
    },
    "no_weight": {
        "id": "Tidak ada sel dengan {weight!r} positif; tidak ada risiko yang perlu dicakup. "
        "Periksa skornya atau pilih kolom lain untuk weight=.",
        "en": "No cell has a positive {weight!r}; there is no risk to cover. Check the "
        "scores or choose another weight= column.",
    },
    "bad_hex": {
        "id": "cells['hex_id'] berisi {value!r}, yang bukan ID sel H3; berikan tabel hasil "
        "score_hotspots.",
        "en": "cells['hex_id'] holds {value!r}, which is not an H3 cell id ({exc}); pass the "
        "table score_hotspots returned.",
    },
    "too_many": {
        "id": "p = {p} pos baru, padahal hanya ada {n} tempat calon; turunkan p atau tambah "
        "tempat calon.",
        "en": "p = {p} new posts but there are only {n} candidate sites; lower p or give more "
        "candidates.",
    },
    "budget": {
        "id": "Batas pos baru (budget_per_kecamatan) untuk kecamatan {code!r} harus bilangan bulat "
        ">= 0, bukan {value!r}.",
        "en": "The budget of kecamatan {code!r} must be a whole number >= 0, got {value!r}.",
    },
}

_INFO_COLUMNS = ("desa_code", "desa_name", "kecamatan_code", "kecamatan_name", "kabupaten_code")


@dataclass(frozen=True, slots=True)
class PoskamlingOptions:
    """Options of the covering model besides the number of posts, the radius and the places.

    Passed as ``options=`` to :meth:`PoskamlingPlan.from_scores` and
    :func:`plan_poskamling`; every field has the default used without it.

    Attributes
    ----------
    weight : str
        Column with the risk to cover (``score`` by default). Cells with weight <= 0 (or
        missing) do not count.
    min_spacing : float, optional
        Minimum distance in metres between two posts (new ones, and new to existing).
    budget_per_kecamatan : int or mapping, optional
        Maximum number of new posts per kecamatan (one number for all, or
        ``{kecamatan_code: n}``; kecamatan not in the mapping have no limit).
    gap_weight : float
        Adds ``gap_weight × coverage_gap`` to each cell's weight, so that cells with few
        Binmas activities for their risk count more.

    Examples
    --------
    >>> PoskamlingOptions(min_spacing=500.0).weight
    'score'
    """

    weight: str = "score"
    min_spacing: float | None = None
    budget_per_kecamatan: int | Mapping[str, int] | None = None
    gap_weight: float = 0.0


@dataclass(frozen=True, slots=True)
class CoverModel:
    """The covering model built by :meth:`PoskamlingPlan.from_scores`, ready to solve.

    Attributes
    ----------
    cells : DataFrame
        The cell scores, sorted by ``hex_id``: the demand points.
    weights : ndarray
        Weight of each demand cell (0 where it does not count).
    cover : scipy.sparse.csr_matrix
        Demand × candidate site 0/1 coverage within the radius.
    sites : GeoDataFrame
        Candidate sites (EPSG:4326) with ``nama``, ``hex_id``, ``lon``, ``lat`` and the
        desa/kecamatan columns.
    existing : GeoDataFrame
        Existing active posts with their ``covered_score`` and ``n_cells``.
    covered_before : ndarray of bool
        Demand cells the existing posts already cover.
    allowed : ndarray of bool
        Sites that may be chosen (far enough from the existing posts).
    pairs : ndarray, shape (k, 2)
        Pairs of sites closer than the minimum spacing.
    groups, budgets : ndarray or None
        Budget group of each site (``-1`` = none) and the budget of each group.
    priority : ndarray
        Tie-break of each site: the weight of the cell it stands in.
    p : int
        Number of new posts.
    radius : float
        Coverage radius in metres.
    build_seconds : float
        Wall time of the build.
    """

    cells: pd.DataFrame
    weights: np.ndarray
    cover: Any
    sites: gpd.GeoDataFrame
    existing: gpd.GeoDataFrame
    covered_before: np.ndarray
    allowed: np.ndarray
    pairs: np.ndarray
    groups: np.ndarray | None
    budgets: np.ndarray | None
    priority: np.ndarray
    p: int
    radius: float
    build_seconds: float


def _check_cells(cells: pd.DataFrame, weight: str, gap_weight: float) -> pd.DataFrame:
    if not isinstance(cells, pd.DataFrame):
        raise PlanError.say(MESSAGES, "cells_type", kind=type(cells).__name__)
    if isinstance(cells, gpd.GeoDataFrame) and cells.crs is None and len(cells):
        raise PlanError.say(MESSAGES, "no_crs")
    missing = [c for c in ("hex_id", weight) if c not in cells.columns]
    if gap_weight and "coverage_gap" not in cells.columns:
        missing.append("coverage_gap")
    if missing:
        raise PlanError.say(MESSAGES, "columns", missing=", ".join(map(repr, missing)))
    if len(cells) == 0:
        raise PlanError.say(MESSAGES, "empty")
    if cells["hex_id"].duplicated().any():
        dup = cells.loc[cells["hex_id"].duplicated(), "hex_id"].iloc[0]
        raise PlanError.say(MESSAGES, "duplicate", cell=dup)
    return cells


def check_options(
    p: int, radius: float | None, options: PoskamlingOptions, settings: Settings | None
) -> float:
    """Check ``p``, the radius and the minimum spacing; return the radius in metres."""
    settings = settings or Settings()
    radius = float(settings.radius_m if radius is None else radius)
    if not np.isfinite(radius) or radius <= 0:
        raise PlanError.say(MESSAGES, "radius", radius=radius)
    if isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 0:
        raise PlanError.say(MESSAGES, "p", p=p)
    spacing = options.min_spacing
    if spacing is not None and (not np.isfinite(spacing) or spacing < 0):
        raise PlanError.say(MESSAGES, "min_spacing", value=spacing)
    return radius


def _demand_weights(cells: pd.DataFrame, options: PoskamlingOptions) -> np.ndarray:
    """Return each cell's weight: the weight column + ``gap_weight × coverage_gap``, or 0."""
    w = pd.to_numeric(cells[options.weight], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    if options.gap_weight:
        gap = pd.to_numeric(cells["coverage_gap"], errors="coerce").fillna(0.0)
        w = w + float(options.gap_weight) * gap.to_numpy(dtype=float)
    w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
    if not (w > 0).any():
        raise PlanError.say(MESSAGES, "no_weight", weight=options.weight)
    return w


def _cell_centres(hex_ids: pd.Series) -> np.ndarray:
    """Return the (lat, lng) of each cell centre; refuse a value that is no H3 cell id."""
    import h3

    out = []
    for cell in hex_ids:
        try:
            out.append(h3.cell_to_latlng(str(cell)))
        except (ValueError, TypeError) as exc:
            raise PlanError.say(MESSAGES, "bad_hex", value=str(cell), exc=exc) from None
    return np.array(out)


def _candidate_sites(
    cells: pd.DataFrame,
    candidates: PointsLike | None,
    latlng: np.ndarray,
    dxy: np.ndarray,
    crs: str,
    radius: float,
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Return the candidate sites (every cell centre, or the places given) in metres too."""
    import h3

    labels = pd.DataFrame(
        {c: cells[c] if c in cells.columns else pd.NA for c in _INFO_COLUMNS}, index=cells.index
    )
    if candidates is None:
        hexes = cells["hex_id"].astype(str).to_numpy()
        sites = gpd.GeoDataFrame(
            {"nama": hexes, "hex_id": hexes, "lon": latlng[:, 1], "lat": latlng[:, 0]},
            geometry=gpd.points_from_xy(latlng[:, 1], latlng[:, 0]),
            crs=4326,
        )
        sites = pd.concat([sites, labels.reset_index(drop=True)], axis=1)
        sxy = dxy
    else:
        res = h3.get_resolution(str(cells["hex_id"].iloc[0]))
        sites = read_places(candidates, what="candidate places", active_only=False)
        sxy = to_utm(sites["lon"].to_numpy(), sites["lat"].to_numpy(), crs)
        sites = sites.join(locate_sites(sites, sxy, cells, dxy, labels, res, radius))
    return gpd.GeoDataFrame(sites, geometry="geometry", crs=4326), sxy


def _existing_cover(
    existing: PointsLike | None,
    n_cells: int,
    dxy: np.ndarray,
    w: np.ndarray,
    crs: str,
    radius: float,
) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    """Return the existing active posts, their metres, and the cells they cover."""
    from kamtibmas_geo.plan._mclp import coverage_matrix

    if existing is None:
        ex = gpd.GeoDataFrame(
            {"nama": [], "lon": [], "lat": []}, geometry=gpd.GeoSeries([], crs=4326)
        )
        return ex, np.zeros((0, 2)), np.zeros(n_cells, dtype=bool)
    ex = read_places(existing, what="existing posts")
    exy = to_utm(ex["lon"].to_numpy(), ex["lat"].to_numpy(), crs)
    ecov = coverage_matrix(dxy, exy, radius)
    before = np.asarray(ecov.sum(axis=1)).ravel() > 0
    ex["n_cells"] = np.asarray(ecov.sum(axis=0)).ravel().astype(int)
    ex["covered_score"] = np.asarray(ecov.T @ w).ravel()
    return ex, exy, before


def _spacing(
    sxy: np.ndarray, exy: np.ndarray, min_spacing: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the sites allowed (far from existing posts) and the pairs of sites too close."""
    from kamtibmas_geo.plan._mclp import coverage_matrix, spacing_pairs

    allowed = np.ones(len(sxy), dtype=bool)
    pairs = np.zeros((0, 2), dtype=np.int64)
    if min_spacing:
        pairs = spacing_pairs(sxy, float(min_spacing))
        if len(exy):
            near = coverage_matrix(sxy, exy, float(min_spacing) * (1 - 1e-9))
            allowed &= np.asarray(near.sum(axis=1)).ravel() == 0
    return allowed, pairs


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
            raise PlanError.say(MESSAGES, "budget", code=k, value=v)
    gid = {c: i for i, c in enumerate(uniq)}
    groups = np.array([gid.get(c, -1) if c in limits else -1 for c in codes], dtype=np.int64)
    budgets = np.array([float(limits.get(c, np.inf)) for c in uniq])
    return groups, budgets


def _site_priority(cells: pd.DataFrame, w: np.ndarray, sites: pd.DataFrame) -> np.ndarray:
    """Return the tie-break of each site: the weight of the cell it stands in."""
    wmap = pd.Series(w, index=cells["hex_id"].astype(str).to_numpy())
    return wmap.reindex(sites["hex_id"].astype(str)).fillna(0.0).to_numpy(dtype=float)


def build_model(
    cells: pd.DataFrame,
    *,
    p: int,
    radius: float,
    existing: PointsLike | None,
    candidates: PointsLike | None,
    options: PoskamlingOptions,
) -> CoverModel:
    """Build the covering model of checked options (the build time is filled in later)."""
    from kamtibmas_geo.plan._mclp import coverage_matrix

    cells = _check_cells(cells, options.weight, options.gap_weight)
    cells = cells.sort_values("hex_id", kind="stable").reset_index(drop=True)
    w = _demand_weights(cells, options)
    latlng = _cell_centres(cells["hex_id"])
    crs = utm_crs(latlng[:, 1], latlng[:, 0])
    dxy = to_utm(latlng[:, 1], latlng[:, 0], crs)
    sites, sxy = _candidate_sites(cells, candidates, latlng, dxy, crs, radius)
    if p > len(sites):
        raise PlanError.say(MESSAGES, "too_many", p=p, n=len(sites))
    cover = coverage_matrix(dxy, sxy, radius)
    ex, exy, before = _existing_cover(existing, len(cells), dxy, w, crs, radius)
    allowed, pairs = _spacing(sxy, exy, options.min_spacing)
    groups, budgets = _budgets(sites, options.budget_per_kecamatan)
    return CoverModel(
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
        priority=_site_priority(cells, w, sites),
        p=int(p),
        radius=radius,
        build_seconds=0.0,
    )
