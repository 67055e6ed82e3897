"""A self-tuning forecaster: candidates scored on earlier windows of the user's own history.

For a target window it builds earlier windows of the same kind (the same window in
earlier years, and the windows of the same length just before it), fits every candidate
on the records before each of them, and keeps the candidate with the best mean PAI (PEI
breaks ties) at the area to be patrolled; among equals the simpler one (earlier in
:data:`CANDIDATES`) wins. With too little history (fewer than ``min_windows`` windows
or ``min_events`` incidents in them) it keeps all-time counts and says so.

Only records strictly before the target start are read: the target's own records never
enter the choice (tested by adding records after the start).

With ``warnings=`` the early warnings open at each earlier week's start are tested beside
the chosen candidate (:func:`~kamtibmas_geo.evaluate.warning_backtest`'s rule, on the same
history): the forecast becomes ``f / max(f) + w · warnings`` only with the weight that
test supports, 0 unless the warnings were shown to help, and :meth:`Selection.describe`
says which.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray

from kamtibmas_geo.calendar._hijri import _as_wib
from kamtibmas_geo.evaluate._metrics import Cut, _best_hits, cuts_of, flagged_fraction
from kamtibmas_geo.evaluate._window import Window, as_window

__all__ = ["CANDIDATES", "LEARNED", "Selection", "auto_forecaster", "select_forecast"]

MESSAGES = {
    "chosen": {
        "id": "Model terpilih: {name} (rata-rata PAI {pai}, PEI {pei} pada luas {cut}, "
        "diuji pada {windows} jendela lampau ({view}) dengan {events} kejadian).",
        "en": "Model chosen: {name} (mean PAI {pai}, PEI {pei} at {cut} of the area, "
        "validated on {windows} earlier windows ({view}) holding {events} incidents).",
    },
    "view_year": {
        "id": "jendela yang sama pada tahun-tahun lalu",
        "en": "the same window in earlier years",
    },
    "view_before": {
        "id": "jendela sepanjang ini tepat sebelumnya",
        "en": "windows of the same length just before",
    },
    "this_area": {"id": "wilayah ini", "en": "this area"},
    "fallback": {
        "id": "Riwayat terlalu pendek untuk memilih model ({windows} jendela lampau, {events} "
        "kejadian; perlu >= {min_windows} jendela dan >= {min_events} kejadian): dipakai "
        "hitungan semua riwayat.",
        "en": "Too little history to choose a model ({windows} earlier windows, {events} "
        "incidents; needs >= {min_windows} windows and >= {min_events} incidents): using "
        "all-time counts.",
    },
}

DAY = 86400.0
MONTH_DAYS = 365.25 / 12
#: Month spans of the "last N months" counts.
RECENT_MONTHS = (1, 3, 6, 12, 24)
#: Half-lives (days) of the exponential decay.
HALF_LIVES = (30, 90, 180, 365, 730)
#: A candidate must beat a simpler one by more than this share of its PAI (and more than
#: one standard error) to be chosen over it.
TIE_MARGIN = 0.05
#: KDE bandwidths, in mean H3 edge lengths of the cells' resolution.
KDE_EDGES = (1.0, 2.0, 3.0)


@dataclass(frozen=True, slots=True)
class _Data:
    """The training records on the cells: time (days), cell position, type, point."""

    t: NDArray[np.float64]
    pos: NDArray[np.int64]
    types: NDArray[np.object_]
    points: gpd.GeoSeries
    n_cells: int


def _days(ts: pd.Timestamp) -> float:
    return float(ts.timestamp()) / DAY


def _counts(
    d: _Data, mask: NDArray[np.bool_], weights: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    sel = mask & (d.pos >= 0)
    w = None if weights is None else weights[sel]
    return np.bincount(d.pos[sel], weights=w, minlength=d.n_cells).astype(float)


def _norm(x: NDArray[np.float64]) -> NDArray[np.float64]:
    s = float(x.sum())
    return x / s if s > 0 else x


# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True, slots=True)
class _Ctx:
    """What a candidate sees: the data, the forecast time and the target's past windows."""

    data: _Data
    start: float
    end: float
    past: tuple[tuple[float, float], ...]
    ramadhan: bool
    rings: dict[int, sp.csr_array] = field(default_factory=dict)
    kde: dict[float, sp.csr_array] = field(default_factory=dict)


def _all_time(c: _Ctx) -> NDArray[np.float64]:
    return _counts(c.data, c.data.t < c.start)


def _recent(months: int) -> Callable[[_Ctx], NDArray[np.float64]]:
    def f(c: _Ctx) -> NDArray[np.float64]:
        t = c.data.t
        return _counts(c.data, (t < c.start) & (t >= c.start - months * MONTH_DAYS))

    return f


def _last_year(c: _Ctx) -> NDArray[np.float64]:
    if not c.past:
        return np.zeros(c.data.n_cells)
    lo, hi = c.past[0]
    t = c.data.t
    return _counts(c.data, (t >= lo) & (t < min(hi, c.start)))


def _decay(half_life: float) -> Callable[[_Ctx], NDArray[np.float64]]:
    def f(c: _Ctx) -> NDArray[np.float64]:
        t = c.data.t
        before = t < c.start
        w = np.exp(-np.log(2) * np.clip(c.start - t, 0, None) / half_life)
        return _counts(c.data, before, w)

    return f


def _blend(short_months: int) -> Callable[[_Ctx], NDArray[np.float64]]:
    short = _recent(short_months)

    def f(c: _Ctx) -> NDArray[np.float64]:
        return 0.5 * _norm(_all_time(c)) + 0.5 * _norm(short(c))

    return f


def _kde(edges: float) -> Callable[[_Ctx], NDArray[np.float64]]:
    def f(c: _Ctx) -> NDArray[np.float64]:
        return np.asarray(c.kde[edges] @ _all_time(c), dtype=float)

    return f


def _seasonal(base: Callable[[_Ctx], NDArray[np.float64]]) -> Callable[[_Ctx], NDArray[np.float64]]:
    """Return the base per type, each type scaled by its uplift in the past target windows."""

    def f(c: _Ctx) -> NDArray[np.float64]:
        d = c.data
        before = d.t < c.start
        if not before.any():
            return base(c)
        t0 = float(d.t[before].min())
        span = max(c.start - t0, 1e-9)
        inside = np.zeros(len(d.t), dtype=bool)
        days_in = 0.0
        for lo, hi in c.past:
            lo, hi = max(lo, t0), min(hi, c.start)
            if hi > lo:
                days_in += hi - lo
                inside |= (d.t >= lo) & (d.t < hi)
        out = np.zeros(d.n_cells)
        for kind in sorted(set(d.types[before].tolist())):
            sel = d.types == kind
            n_t = float((sel & before).sum())
            n_in = float((sel & before & inside).sum())
            uplift = (n_in + 5.0) / (n_t * days_in / span + 5.0)
            sub = _Data(d.t, np.where(sel, d.pos, -1), d.types, d.points, d.n_cells)
            out += uplift * base(_Ctx(sub, c.start, c.end, c.past, c.ramadhan, c.rings, c.kde))
        return out

    return f


# --------------------------------------------------------------------------- learned

#: History the learned candidate needs before the target: two years and 500 incidents.
LEARNED_MIN_DAYS = 730.0
LEARNED_MIN_EVENTS = 500
#: Earlier windows of the target's length the learned model is trained on.
LEARNED_ANCHORS = 8
#: Cells without any record nor outcome kept per training window (a seeded sample).
LEARNED_ZERO_ROWS = 500


def _features(c: _Ctx, at: float, length: float) -> NDArray[np.float64]:
    """Multi-scale lag features of every cell at time ``at`` (only records before it).

    Counts over the last 1, 3, 12 months and all time; their means over 1 and 2 rings;
    counts in the same window a year earlier; days since the cell's last record; the
    share of the cell's last-12-month records of each of the 3 commonest types; the
    seasonal position (day of year of ``at``, as sine and cosine).
    """
    d = c.data
    t, before = d.t, d.t < at
    cols = []
    for months in (1, 3, 12):
        cols.append(_counts(d, before & (t >= at - months * MONTH_DAYS)))
    cols.append(_counts(d, before))
    for k in (1, 2):
        if k in c.rings:
            cols += [c.rings[k] @ cols[1], c.rings[k] @ cols[2]]
    cols.append(_counts(d, (t >= at - 365.25) & (t < at - 365.25 + length)))
    last = np.full(d.n_cells, -np.inf)
    sel = before & (d.pos >= 0)
    np.maximum.at(last, d.pos[sel], t[sel])
    cols.append(np.minimum(at - last, 3650.0))
    recent = before & (t >= at - 365.25)
    kinds = pd.Series(d.types[before]).value_counts().index[:3]
    for kind in kinds:
        cols.append(_counts(d, recent & (d.types == kind)) / np.maximum(cols[2], 1.0))
    for _ in range(3 - len(kinds)):
        cols.append(np.zeros(d.n_cells))
    angle = 2 * np.pi * ((at / 365.25) % 1.0)
    cols += [np.full(d.n_cells, np.sin(angle)), np.full(d.n_cells, np.cos(angle))]
    return np.column_stack(cols)


def _learned(c: _Ctx) -> NDArray[np.float64]:
    """Forecast with a Poisson gradient-boosting model of the next window's count per cell.

    Trained on the windows of the target's length just before it (``LEARNED_ANCHORS``),
    features from :func:`_features`; deterministic (``random_state=0``, seeded sampling of
    the empty cells, which are weighted back up).
    """
    from sklearn.ensemble import HistGradientBoostingRegressor

    length = c.end - c.start
    rng = np.random.default_rng(0)
    xs, ys, ws = [], [], []
    for k in range(1, LEARNED_ANCHORS + 1):
        at = c.start - k * length
        x = _features(c, at, length)
        y = _counts(c.data, (c.data.t >= at) & (c.data.t < at + length))
        busy = np.flatnonzero((x[:, 3] > 0) | (y > 0))
        empty = np.flatnonzero((x[:, 3] == 0) & (y == 0))
        keep = rng.choice(empty, min(len(empty), LEARNED_ZERO_ROWS), replace=False)
        weight = len(empty) / max(len(keep), 1)
        xs.append(x[np.concatenate([busy, keep])])
        ys.append(y[np.concatenate([busy, keep])])
        ws.append(np.concatenate([np.ones(len(busy)), np.full(len(keep), weight)]))
    y_all = np.concatenate(ys)
    if not y_all.sum():
        return _all_time(c)
    model = HistGradientBoostingRegressor(
        loss="poisson", max_iter=40, learning_rate=0.1, max_leaf_nodes=15, random_state=0
    )
    model.fit(np.vstack(xs), y_all, sample_weight=np.concatenate(ws))
    return np.asarray(model.predict(_features(c, c.start, length)), dtype=float)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One forecast of the family: a name, how it scores cells, and its smoothing rings.

    Attributes
    ----------
    name : str
        Short name (``all_time``, ``last_3m``, ``decay_365d+ring1``...).
    score : callable
        ``_Ctx -> scores per cell`` before smoothing.
    rings : int
        Spatial smoothing over 0, 1 or 2 H3 rings (triangular kernel, as
        :func:`kamtibmas_geo.score.smooth`).
    ramadhan_only : bool
        Only in the family for Ramadhan targets (the seasonal uplift).
    min_days, min_events : float, int
        Only in the family with this much history before the target (the learned model).
    """

    name: str
    score: Callable[[_Ctx], NDArray[np.float64]] = field(repr=False)
    rings: int = 0
    ramadhan_only: bool = False
    min_days: float = 0.0
    min_events: int = 0


def _family() -> tuple[Candidate, ...]:
    bases: list[tuple[str, Callable[[_Ctx], NDArray[np.float64]]]] = [("all_time", _all_time)]
    bases += [(f"last_{m}m", _recent(m)) for m in sorted(RECENT_MONTHS, reverse=True)]
    bases += [("last_year", _last_year)]
    bases += [(f"decay_{h}d", _decay(h)) for h in sorted(HALF_LIVES, reverse=True)]
    bases += [("blend_all_12m", _blend(12)), ("blend_all_3m", _blend(3))]
    out = [Candidate(n, f, rings) for rings in (0, 1, 2) for n, f in bases]
    out = [
        Candidate(c.name + (f"+ring{c.rings}" if c.rings else ""), c.score, c.rings) for c in out
    ]
    out += [Candidate(f"kde_{e:g}edge", _kde(e)) for e in KDE_EDGES]
    for name, fn in (("all_time", _all_time), ("decay_365d", _decay(365))):
        for rings in (0, 1):
            label = f"{name}+seasonal" + (f"+ring{rings}" if rings else "")
            out.append(Candidate(label, _seasonal(fn), rings, ramadhan_only=True))
    return tuple(out)


#: The family, simplest first (all-time counts first: it wins every tie).
CANDIDATES: tuple[Candidate, ...] = _family()

#: The learned candidate (``select_forecast(..., learned=True)``): last in the family, so
#: it is chosen only when it beats every simpler candidate beyond noise.
LEARNED = Candidate(
    "learned_poisson", _learned, min_days=LEARNED_MIN_DAYS, min_events=LEARNED_MIN_EVENTS
)


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class Selection:
    """What :func:`select_forecast` chose, and the validation it rests on.

    Attributes
    ----------
    chosen : str
        Name of the candidate chosen.
    scores : Series
        Its forecast for the target, indexed by ``hex_id``.
    table : DataFrame
        One row per candidate: ``candidate``, ``rank`` (simplicity, 0 simplest),
        ``mean_pai``, ``mean_pei``, ``n_windows``, then the PAI of each window.
    windows : DataFrame
        The validation windows: ``start``, ``end``, ``kind`` (``"year"`` or ``"before"``),
        ``n_test``.
    cut : str
        The area the choice was made at (``"0.5%"``, ``"2 km²"``).
    n_windows, n_events : int
        Windows used and the incidents in them.
    fallback : bool
        True when there was too little history and all-time counts were kept.
    """

    chosen: str
    scores: pd.Series = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    windows: pd.DataFrame = field(repr=False)
    cut: str
    n_windows: int
    n_events: int
    fallback: bool
    min_windows: int = 3
    min_events: int = 30
    view: str = ""
    warning_weight: float = 0.0
    warning_verdict: Any = field(default=None, repr=False)
    warning_days: int = 7

    @property
    def skill(self) -> tuple[float, float]:
        """Mean validation PAI and PEI of the choice, in the view it was chosen in."""
        mine = self.table[self.table["candidate"] == self.chosen]
        pai, pei = (
            (f"pai_{self.view}", f"pei_{self.view}") if self.view else ("mean_pai", "mean_pei")
        )
        return float(mine[pai].iloc[0]), float(mine[pei].iloc[0])

    def describe(self, lang: str = "id") -> str:
        """One sentence: the choice and its validation skill, or why there was none.

        With ``warnings=``, a second sentence: whether early warnings helped on this
        history and the weight they were given (0 unless they helped).
        """
        text = self._describe_choice(lang)
        if self.warning_verdict is None:
            return text
        from kamtibmas_geo._i18n import tr
        from kamtibmas_geo.evaluate._early import verdict_text

        unit = tr(MESSAGES, "this_area", lang)
        days = self.warning_days
        return text + " " + verdict_text(self.warning_verdict, unit, self.cut, days, lang)

    def _describe_choice(self, lang: str) -> str:
        from kamtibmas_geo._i18n import tr

        if self.fallback:
            return tr(
                MESSAGES,
                "fallback",
                lang,
                windows=self.n_windows,
                events=self.n_events,
                min_windows=self.min_windows,
                min_events=self.min_events,
            )
        pai, pei = self.skill
        windows = self.windows[self.windows["kind"] == self.view] if self.view else self.windows
        return tr(
            MESSAGES,
            "chosen",
            lang,
            name=self.chosen,
            pai=_decimal(pai, lang),
            pei=_decimal(pei, lang),
            cut=self.cut.replace(".", ",") if lang == "id" else self.cut,
            windows=int((windows["n_test"] > 0).sum()),
            events=int(windows["n_test"].sum()),
            view=tr(MESSAGES, f"view_{self.view or 'year'}", lang),
        )


def _decimal(value: float, lang: str) -> str:
    """Return ``value`` with two decimals as people write it (``33,10`` / ``33.10``)."""
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "id" else text


def _data(train: gpd.GeoDataFrame, index: pd.Index) -> _Data:
    from kamtibmas_geo.evaluate._parts import _precise
    from kamtibmas_geo.grid._cells import points_to_cells

    res = h3.get_resolution(str(index[0]))
    pts = train.geometry if train.crs is None else train.geometry.to_crs(4326)
    geom = pts.values
    missing = shapely.is_missing(geom) | shapely.is_empty(geom)
    safe = np.where(missing, None, geom)
    lat = np.where(missing, np.nan, shapely.get_y(safe)).astype(float)
    lon = np.where(missing, np.nan, shapely.get_x(safe)).astype(float)
    times = _as_wib(train["time"].reset_index(drop=True))
    ok = (~missing) & times.notna().to_numpy() & _precise(train)
    ids = pd.Series(points_to_cells(np.where(ok, lat, 0.0), np.where(ok, lon, 0.0), res))
    pos = pd.Index(index).get_indexer(ids.astype(str).to_numpy()).astype(np.int64)
    pos[~ok] = -1
    secs = (times - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=float)
    t = np.where(np.isnan(secs), np.inf, secs / DAY)
    types = (
        train["type"].astype(str).to_numpy(dtype=object)
        if "type" in train.columns
        else np.full(len(train), "-", dtype=object)
    )
    return _Data(t, pos, types, gpd.GeoSeries(pts.values, crs=4326), len(index))


def _ring_kernels(index: pd.Index) -> dict[int, sp.csr_array]:
    from kamtibmas_geo.score._gistar import disk_pairs

    out = {}
    n = len(index)
    for k in (1, 2):
        rows, cols, dist = disk_pairs(list(index), k)
        data = (k + 1 - dist) / (k + 1)
        kern = sp.csr_array((data, (rows, cols)), shape=(n, n))
        norm = kern @ np.ones(n)
        out[k] = sp.csr_array(sp.diags(1 / norm) @ kern)
    return out


def _kde_kernels(cells: gpd.GeoDataFrame, data: _Data) -> dict[float, sp.csr_array]:
    """Gaussian kernels between cell centres, one per bandwidth of :data:`KDE_EDGES`.

    ``K_h[i, j] = exp(-d_ij^2 / 2h^2)`` for centres within ``3h`` (in metres, in the UTM
    zone of the cells): the KDE of the training incidents, each counted at its cell's
    centre, is ``K_h @ counts``. Only the columns of cells that hold a record are built.
    """
    from scipy.spatial import cKDTree

    from kamtibmas_geo.grid._metres import utm_crs

    res = h3.get_resolution(str(cells["hex_id"].iloc[0]))
    edge = h3.average_hexagon_edge_length(res, "m")
    lat, lon = cells["lat"].to_numpy(dtype=float), cells["lon"].to_numpy(dtype=float)
    xy = gpd.GeoSeries.from_xy(lon, lat, crs=4326).to_crs(utm_crs(lon, lat))
    pts = np.column_stack([xy.x.to_numpy(), xy.y.to_numpy()])
    used = np.unique(data.pos[data.pos >= 0])
    n = len(cells)
    widest = 3 * max(KDE_EDGES) * edge
    pair = cKDTree(pts).sparse_distance_matrix(cKDTree(pts[used]), widest, output_type="coo_matrix")
    # a distance of 0 (a cell with itself) is not stored by scipy: add it
    rows = np.concatenate([pair.row, used])
    cols = np.concatenate([used[pair.col], used])
    dist = np.concatenate([pair.data, np.zeros(len(used))])
    out = {}
    for e in KDE_EDGES:
        h = e * edge
        near = dist <= 3 * h
        w = np.exp(-(dist[near] ** 2) / (2 * h * h))
        out[e] = sp.csr_array((w, (rows[near], cols[near])), shape=(n, n))
    return out


def _windows(
    target: Window, first: float, *, years: int, before: int, min_days: float
) -> pd.DataFrame:
    """Earlier windows of the target's kind with ``min_days`` of history before each."""
    start, end = _days(target.start), _days(target.end)
    length = end - start
    rows = [(_days(a), _days(b), "year") for a, b in target.past[:years] if _days(b) <= start]
    rows += [(start - j * length, start - (j - 1) * length, "before") for j in range(1, before + 1)]
    rows = [r for r in rows if r[0] - min_days >= first]
    return pd.DataFrame(rows, columns=["start", "end", "kind"])


def _evaluate(
    candidate: Candidate,
    ctx: _Ctx,
    observed: NDArray[np.float64],
    areas: NDArray[np.float64],
    cut: Cut,
    best: float,
) -> tuple[float, float]:
    """PAI and PEI of a candidate on one window (``best``: the most hits possible)."""
    s = candidate.score(ctx)
    if candidate.rings:
        s = ctx.rings[candidate.rings] @ s
    total = float(areas.sum())
    a = cut.area(total)
    n = float(flagged_fraction(s, areas, a) @ observed)
    n_test = float(observed.sum())
    pai = (n / n_test) / (a / total) if n_test > 0 else np.nan
    pei = n / best if best > 0 else np.nan
    return pai, pei


def select_forecast(
    train: gpd.GeoDataFrame,
    target: Any,
    cells: gpd.GeoDataFrame,
    *,
    area_share: float | None = 0.005,
    area_km2: float | None = None,
    candidates: Sequence[Candidate] | None = None,
    years: int = 5,
    before: int = 6,
    min_windows: int = 3,
    min_events: int = 30,
    min_history_days: float = 90.0,
    rule: Literal["one_se", "best"] = "one_se",
    learned: bool = False,
    warnings: gpd.GeoDataFrame | None = None,
    warning_days: int = 7,
) -> Selection:
    """Choose the candidate that forecast best on earlier windows, and forecast the target.

    Parameters
    ----------
    train : GeoDataFrame
        Incidents with ``time`` (and ``type``) and Point geometries; only those strictly
        before the target start are read.
    target : Window or (start, end)
        The window to forecast (see :class:`~kamtibmas_geo.evaluate.Window`).
    cells : GeoDataFrame
        ``hex_id`` of one jurisdiction's cells, with ``area_km2`` clipped to it (else
        each cell counts 1) and ``lat``/``lon`` centres.
    area_share, area_km2 : float, optional
        The area to be patrolled, as a share of the cells' area or in km² (km² wins).
    candidates : sequence of Candidate, optional
        The family (:data:`CANDIDATES` by default).
    years, before : int
        At most this many same windows of earlier years, and preceding windows of the
        same length.
    min_windows, min_events : int
        Below either, all-time counts are kept.
    min_history_days : float
        History needed before a validation window.
    rule : {"one_se", "best"}
        ``"one_se"``: the simplest candidate within one standard error of the best mean
        PAI (paired over the windows) wins; ``"best"``: the best mean PAI, PEI then
        simplicity breaking exact ties.
    learned : bool
        Add :data:`LEARNED`, a Poisson gradient-boosting model on multi-scale lag features
        (scikit-learn), when the history has two years and 500 incidents. Off by default:
        it is fitted once per validation window, about 1 s each on a few hundred cells.
    warnings : GeoDataFrame, optional
        Early warnings (``time`` reported, ``expected_start``, a point). Those reported
        before the target start are tested beside the chosen candidate on the weeks
        (``warning_days``) of the history since the first warning; the forecast adds them
        with the weight that test supports (0 unless they were shown to help), and
        :meth:`Selection.describe` says so.
    warning_days : int
        Length of the weeks of that test, and how far ahead a warning counts.

    Returns
    -------
    Selection
    """
    window = as_window(target)
    index = pd.Index(cells["hex_id"].astype(str), name="hex_id")
    areas = (
        cells["area_km2"].to_numpy(dtype=float)
        if "area_km2" in cells.columns
        else np.ones(len(cells))
    )
    cut = cuts_of([], [area_km2])[0] if area_km2 else cuts_of([area_share or 0.005])[0]
    pool = list(candidates or CANDIDATES) + ([LEARNED] if learned else [])
    family = _eligible(pool, window, train)
    start = _days(window.start)
    data = _data(train, index)
    data = _Data(
        np.where(data.t < start, data.t, np.inf), data.pos, data.types, data.points, data.n_cells
    )
    rings = _ring_kernels(index) if any(c.rings for c in family) else {}
    kde = _kde_kernels(cells, data) if any(c.name.startswith("kde") for c in family) else {}
    first = float(data.t[data.pos >= 0].min()) if (data.pos >= 0).any() else np.inf
    wins = _windows(window, first, years=years, before=before, min_days=min_history_days)
    past = tuple((_days(a), _days(b)) for a, b in window.past)
    pai = np.full((len(family), len(wins)), np.nan)
    pei = np.full((len(family), len(wins)), np.nan)
    n_tests = []
    bounds = zip(
        wins["start"].to_numpy(dtype=float), wins["end"].to_numpy(dtype=float), strict=True
    )
    for j, (lo, hi) in enumerate(bounds):
        observed = _counts(data, (data.t >= lo) & (data.t < hi))
        n_tests.append(int(observed.sum()))
        if not observed.sum():
            continue
        w_past = tuple(p for p in past if p[1] <= lo) or tuple(
            (lo - 365.25 * k, hi - 365.25 * k) for k in range(1, 11)
        )
        ctx = _Ctx(data, float(lo), float(hi), w_past, window.ramadhan, rings, kde)
        nz = observed > 0
        best = float(_best_hits(observed[nz], areas[nz], cut.area(float(areas.sum())))[0])
        for i, c in enumerate(family):
            pai[i, j], pei[i, j] = _evaluate(c, ctx, observed, areas, cut, best)
    wins["n_test"] = n_tests
    used = (wins["n_test"] > 0).to_numpy()
    n_windows = int(used.sum())
    n_events = int(wins["n_test"].sum())
    kinds = np.asarray(wins["kind"].to_numpy()[used], dtype=object)
    labels = [f"pai_{k}_{i}" for i, k in enumerate(wins["kind"])]
    labels = [lab for lab, u in zip(labels, used, strict=True) if u]
    pai, pei = pai[:, used], pei[:, used]
    table = _table(family, pai, pei, kinds, labels)
    fallback = n_windows < min_windows or n_events < min_events
    chosen, view = (
        (family[0], "") if fallback or table.empty else _best(family, table, pai, kinds, rule)
    )
    ctx = _Ctx(data, start, _days(window.end), past, window.ramadhan, rings, kde)
    s = _scored(chosen, ctx)
    weight, verdict = 0.0, None
    if warnings is not None:
        weight, verdict, s = _weigh_warnings(
            warnings, scores=s, chosen_scores=lambda c: _scored(chosen, c), ctx=ctx,
            window=window, index=index, areas=areas, cut=cut, days=warning_days,
        )  # fmt: skip
    wins["start"] = pd.to_datetime(wins["start"] * DAY, unit="s", utc=True).dt.tz_convert(
        window.start.tz or "UTC"
    )
    wins["end"] = pd.to_datetime(wins["end"] * DAY, unit="s", utc=True).dt.tz_convert(
        window.start.tz or "UTC"
    )
    return Selection(
        chosen.name,
        pd.Series(s, index=index, name="score"),
        table,
        wins,
        cut.label,
        n_windows,
        n_events,
        fallback,
        min_windows,
        min_events,
        view,
        weight,
        verdict,
        int(warning_days),
    )


def _scored(candidate: Candidate, ctx: _Ctx) -> NDArray[np.float64]:
    """Return a candidate's forecast in ``ctx``, smoothed over its rings."""
    s = candidate.score(ctx)
    return np.asarray(ctx.rings[candidate.rings] @ s if candidate.rings else s, dtype=float)


#: The two views of the history: the target's window in earlier years, and the windows
#: of the same length just before it.
VIEWS: tuple[str, ...] = ("year", "before")


def _eligible(
    candidates: Sequence[Candidate], window: Window, train: gpd.GeoDataFrame
) -> list[Candidate]:
    """Return the candidates that apply to ``window`` with the history before it."""
    times = _as_wib(train["time"].reset_index(drop=True))
    times = times[times < window.start]
    days = (window.start - times.min()).total_seconds() / DAY if len(times) else 0.0
    return [
        c
        for c in candidates
        if (window.ramadhan or not c.ramadhan_only)
        and days >= c.min_days
        and len(times) >= c.min_events
    ]


def _table(
    family: Sequence[Candidate], pai: NDArray[np.float64], pei: NDArray[np.float64],
    kinds: NDArray[np.object_], labels: Sequence[str],
) -> pd.DataFrame:  # fmt: skip
    """One row per candidate: mean PAI and PEI per view and overall, then each window's PAI."""
    rows = []
    for rank, c in enumerate(family):
        row: dict[str, Any] = {"candidate": c.name, "rank": rank}
        row["mean_pai"] = float(np.nanmean(pai[rank])) if pai.shape[1] else np.nan
        row["mean_pei"] = float(np.nanmean(pei[rank])) if pai.shape[1] else np.nan
        for view in VIEWS:
            sel = kinds == view
            row[f"pai_{view}"] = float(np.nanmean(pai[rank, sel])) if sel.any() else np.nan
            row[f"pei_{view}"] = float(np.nanmean(pei[rank, sel])) if sel.any() else np.nan
        row["n_windows"] = pai.shape[1]
        row.update({lab: float(v) for lab, v in zip(labels, pai[rank], strict=True)})
        rows.append(row)
    return pd.DataFrame(rows)


def _view(table: pd.DataFrame, kinds: NDArray[np.object_]) -> str:
    """Return the view whose best candidate validates best (the more predictable one)."""
    best = {v: table[f"pai_{v}"].max() for v in VIEWS if table[f"pai_{v}"].notna().any()}
    # a view of fewer than 3 windows is too noisy to be chosen over a fuller one
    full = {v: p for v, p in best.items() if (kinds == v).sum() >= 3} or best
    return max(full, key=lambda v: (full[v], v == "year"))


def _best(
    family: Sequence[Candidate], table: pd.DataFrame, pai: NDArray[np.float64],
    kinds: NDArray[np.object_], rule: str,
) -> tuple[Candidate, str]:  # fmt: skip
    """Return the candidate chosen from the validation table, and the view it was chosen in.

    In the chosen view (:func:`_view`): first the best mean PAI, then mean PEI, then the
    simplest. With ``rule="one_se"`` the simplest candidate whose mean PAI is within one
    standard error of the best's (paired over the view's windows) wins: a difference the
    windows cannot tell from noise is a tie.
    """
    view = _view(table, kinds)
    key = table.assign(
        p=-table[f"pai_{view}"].fillna(-np.inf).round(9),
        e=-table[f"pei_{view}"].fillna(-np.inf).round(9),
    ).sort_values(["p", "e", "rank"], kind="stable")
    best = int(key["rank"].iloc[0])
    if rule != "one_se":
        return family[best], view
    cols = pai[:, kinds == view]
    for rank in range(best):
        d = np.nan_to_num(cols[best] - cols[rank])
        se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else 0.0
        margin = TIE_MARGIN * float(np.nanmean(cols[rank]))
        if float(d.mean()) <= max(se, margin):
            return family[rank], view
    return family[best], view


def auto_forecaster(
    *, area_share: float | None = 0.005, area_km2: float | None = None, **options: Any
) -> Callable[[gpd.GeoDataFrame, Any, gpd.GeoDataFrame], pd.Series]:
    """Return :func:`select_forecast` as a backtest forecaster.

    The forecast's ``attrs["selection"]`` holds the :class:`Selection` (the choice, every
    candidate's validation table, the windows and events it rests on).

    Parameters
    ----------
    area_share, area_km2 : float, optional
        The area to be patrolled (as in :func:`select_forecast`).
    **options
        Other keyword arguments of :func:`select_forecast`.

    Returns
    -------
    callable
        ``(train_records, window, cells) -> Series`` of scores indexed by ``hex_id``.
    """

    def forecast(train: gpd.GeoDataFrame, window: Any, cells: gpd.GeoDataFrame) -> pd.Series:
        sel = select_forecast(
            train, window, cells, area_share=area_share, area_km2=area_km2, **options
        )
        out = sel.scores.copy()
        out.attrs["selection"] = sel
        return out

    return forecast


# --------------------------------------------------------------------------- early warnings


def _weigh_warnings(
    warnings: Any,
    *,
    scores: NDArray[np.float64],
    chosen_scores: Callable[[Any], NDArray[np.float64]],
    ctx: Any,
    window: Any,
    index: pd.Index,
    areas: NDArray[np.float64],
    cut: Cut,
    days: int = 7,
    min_folds: int = 4,
    min_history_days: float = 90.0,
    n_boot: int = 400,
    seed: int = 0,
) -> tuple[float, Any, NDArray[np.float64]]:
    """Test the warnings beside a chosen forecast on its history, and add them if they help.

    Used by :func:`select_forecast` with ``warnings=``: the weeks of ``days`` from the
    first warning to the target start are the folds of
    :func:`~kamtibmas_geo.evaluate._early.judge`, the forecast of each week is the chosen
    candidate fitted on the incidents before it.

    Parameters
    ----------
    warnings : GeoDataFrame
        Early warnings.
    scores : ndarray
        The chosen candidate's forecast for the target.
    chosen_scores : callable
        ``ctx -> forecast`` of the chosen candidate at another forecast time.
    ctx : _Ctx
        The target's context (data masked at the target start).
    window : Window
        The target.
    index : Index
        The cells.
    areas : ndarray
        Their areas.
    cut : Cut
        The flagged area.
    days : int
        Week length and how far ahead a warning counts.
    min_folds, min_history_days, n_boot, seed
        As in :func:`~kamtibmas_geo.evaluate.warning_backtest`.

    Returns
    -------
    weight : float
        The weight supported (0 unless the warnings helped).
    verdict : Verdict
        The test (:class:`~kamtibmas_geo.evaluate._early.Verdict`).
    scores : ndarray
        The forecast for the target, with the warnings open at its start when the weight
        is above 0 (else ``scores`` unchanged).
    """
    from kamtibmas_geo.evaluate._early import (
        WEIGHTS,
        _placed_warnings,
        blend,
        fold_hits,
        judge,
    )
    from kamtibmas_geo.score._early import _wib, coming_at

    res = h3.get_resolution(str(index[0])) if len(index) else 9
    warns = _placed_warnings(warnings, res)
    pos = index.get_indexer(pd.Index(warns.hex_ids))
    ahead = pd.Timedelta(days=int(days))
    at = _wib(window.start)
    starts = _weeks(warns, pos, ctx, at, ahead, min_history_days)
    area = cut.area(float(areas.sum()))
    hits = np.zeros((len(starts), len(WEIGHTS)))
    n_test, n_warned = np.zeros(len(starts)), np.zeros(len(starts))
    data = ctx.data
    for k, t0 in enumerate(starts):
        lo = float(t0.timestamp()) / DAY
        hi = lo + int(days)
        past = tuple(p for p in ctx.past if p[1] <= lo) or tuple(
            (lo - 365.25 * j, hi - 365.25 * j) for j in range(1, 11)
        )
        f = chosen_scores(_Ctx(data, lo, hi, past, ctx.ramadhan, ctx.rings, ctx.kde))
        observed = _counts(data, (data.t >= lo) & (data.t < hi))
        open_now = coming_at(warns.times, t0, ahead) & (pos >= 0)
        g = np.bincount(pos[open_now], minlength=len(index)).astype(float)
        hits[k] = fold_hits(f, g, observed, areas, area, WEIGHTS)
        n_test[k], n_warned[k] = observed.sum(), open_now.sum()
    share = area / float(areas.sum()) if areas.sum() else 1.0
    verdict, _ = judge(
        hits, n_test, n_warned, WEIGHTS, share, min_folds=min_folds, n_boot=n_boot, seed=seed
    )
    if verdict.weight <= 0:
        return 0.0, verdict, scores
    open_now = coming_at(warns.times, at, ahead) & (pos >= 0)
    g = np.bincount(pos[open_now], minlength=len(index)).astype(float)
    return verdict.weight, verdict, blend(scores, g, verdict.weight)


def _weeks(
    warns: Any,
    pos: NDArray[np.intp],
    ctx: Any,
    at: pd.Timestamp,
    ahead: pd.Timedelta,
    min_history_days: float,
) -> list[pd.Timestamp]:
    """Week starts from the first warning on the cells (with history before) to ``at``."""
    reported = warns.times[0][(pos >= 0) & (warns.times[0] < at).to_numpy()].dropna()
    t = ctx.data.t[(ctx.data.pos >= 0) & np.isfinite(ctx.data.t)]
    if not len(reported) or not len(t):
        return []
    first_record = pd.Timestamp(float(t.min()) * DAY, unit="s", tz="UTC").tz_convert(at.tz)
    t0 = max(
        reported.min().normalize() + pd.Timedelta(days=1),
        (first_record + pd.Timedelta(days=min_history_days)).normalize(),
    )
    out = []
    while t0 + ahead <= at:
        out.append(t0)
        t0 = t0 + ahead
    return out
