"""Backtests of hotspot forecasts: hit rate, PAI and PEI against naive baselines.

For each past period (by default each Ramadhan in the data, from pra-Ramadhan to the end of
arus balik, that has at least a year of history before it) the forecaster is fitted on the
incidents strictly before the period starts, its cell scores are ranked, and the top 1%, 5%
and 10% of the study area are compared with the incidents that happened during the period.

Metrics (area measured in cells: H3 cells at one resolution differ in area by less than 3%
across OKI and Palembang (0.111-0.114 km² at res 9), so counting cells measures area;
``area_km2`` of the flagged cells is reported beside it):

* hit rate ``= n / N``: share of the period's ``N`` incidents (inside the study area) that
  fall in the ``k`` top-ranked cells;
* PAI (Predictive Accuracy Index, Chainey, Tompson & Uhlig 2008) ``= (n / N) / (a / A)`` with
  ``a = k`` cells flagged out of ``A`` cells in the study area;
* PEI (Prediction Efficiency Index, Hunt 2016; see also Drawve 2016) ``= PAI / PAI_max``,
  where ``PAI_max = (n_max / N) / (a / A)`` is the PAI of a perfect forecast with the same
  area: ``n_max`` is the sum of the ``k`` largest observed cell counts. With equal areas
  ``PEI = n / n_max``, between 0 and 1.

``k = max(1, round(share * A))``. Cells are ranked by score, highest first; ties are broken
by ``hex_id`` (ascending), so results are deterministic.

Baselines: ``last_year`` (counts per cell in the same window of the previous Ramadhan, or the
same dates a year earlier for custom periods), ``all_time`` (every training incident per cell)
and ``kde`` (Gaussian kernel density of training points at cell centres, computed in metres
in the UTM zone of the study area, EPSG:32748 for OKI and Palembang).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import NoUnitWarning, ScoreError, SettingsError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo._validate import check_res
from kamtibmas_geo.config import Language, Settings
from kamtibmas_geo.evaluate._parts import (
    _centres,
    _counts,
    _default_periods,
    _past_seasons,
    _period_of,
    _precise,
    _prepare,
    _study_cells,
    _utm_crs,
)

__all__ = [
    "BASELINES",
    "BacktestResult",
    "Forecaster",
    "backtest",
    "kde_scores",
    "rank_metrics",
    "score_forecaster",
]

#: A forecaster: ``(train_records, (start, end), cells) -> scores indexed by hex_id``.
Forecaster = Callable[
    [gpd.GeoDataFrame, tuple[pd.Timestamp, pd.Timestamp], gpd.GeoDataFrame], pd.Series
]

#: Names of the naive baselines.
BASELINES: tuple[str, ...] = ("last_year", "all_time", "kde")

MESSAGES = {
    "model": {"id": "Model", "en": "Model"},
    "share": {"id": "Luas", "en": "Area"},
    "hit_rate": {"id": "Tingkat tangkap", "en": "Hit rate"},
    "pai": {"id": "PAI", "en": "PAI"},
    "pei": {"id": "PEI", "en": "PEI"},
    "periods": {"id": "Periode", "en": "Periods"},
    "method": {"id": "metode", "en": "method"},
    "last_year": {"id": "Ramadhan tahun lalu", "en": "last year's Ramadhan"},
    "all_time": {"id": "semua riwayat", "en": "all-time counts"},
    "kde": {"id": "kepadatan kernel (KDE)", "en": "kernel density (KDE)"},
    "title": {
        "id": "Uji balik (backtest) {n} periode, {cells} sel H3 res {res}",
        "en": "Backtest over {n} period(s), {cells} H3 cells at res {res}",
    },
    "none": {
        "id": "Tidak ada periode yang bisa diuji (perlu >= 1 tahun riwayat sebelum periode).",
        "en": "No period could be tested (needs >= 1 year of history before the period).",
    },
}


# --------------------------------------------------------------------------- metrics


def _top_order(scores: np.ndarray, hex_ids: np.ndarray) -> np.ndarray:
    # Highest score first; ties by hex_id ascending. NaN scores count as 0.
    s = np.nan_to_num(np.asarray(scores, dtype=float), nan=0.0)
    return np.lexsort((hex_ids, -s))


def rank_metrics(
    scores: pd.Series,
    observed: pd.Series,
    *,
    area_shares: Sequence[float] = (0.01, 0.05, 0.10),
) -> pd.DataFrame:
    """Hit rate, PAI and PEI of one forecast at several shares of the area.

    Parameters
    ----------
    scores : Series
        Forecast score per cell, indexed by ``hex_id``; defines the study area (``A`` cells).
    observed : Series
        Incident count per cell in the test period, indexed by ``hex_id``; cells missing
        here count 0, cells outside ``scores`` are ignored.
    area_shares : sequence of float
        Shares of the area to flag, each in (0, 1].

    Returns
    -------
    DataFrame
        One row per share: ``area_share``, ``n_cells`` (k), ``n_cells_total`` (A),
        ``n_test`` (N), ``n_hits`` (n), ``n_hits_max``, ``hit_rate``, ``pai``, ``pai_max``,
        ``pei`` (NaN where N = 0).

    Examples
    --------
    >>> s = pd.Series([3.0, 2.0, 1.0, 0.0], index=["a", "b", "c", "d"])
    >>> o = pd.Series({"b": 2, "d": 2})
    >>> rank_metrics(s, o, area_shares=[0.25, 0.5])[["n_hits", "pai", "pei"]].values.tolist()
    [[0.0, 0.0, 0.0], [2.0, 1.0, 0.5]]
    """
    for share in area_shares:
        if not 0 < float(share) <= 1:
            msg = f"area_shares must lie in (0, 1], got {share!r}; 5% is 0.05."
            raise SettingsError(msg)
    hex_ids = scores.index.astype(str).to_numpy()
    counts = observed.reindex(scores.index).fillna(0).to_numpy(dtype=float)
    order = _top_order(scores.to_numpy(dtype=float), hex_ids)
    cum = np.concatenate([[0.0], np.cumsum(counts[order])])
    cum_max = np.concatenate([[0.0], np.cumsum(np.sort(counts)[::-1])])
    total_cells = len(hex_ids)
    n_test = float(counts.sum())
    rows = []
    for share in area_shares:
        k = min(total_cells, max(1, round(float(share) * total_cells)))
        n, n_max = float(cum[k]), float(cum_max[k])
        area = k / total_cells
        hit = n / n_test if n_test > 0 else np.nan
        hit_max = n_max / n_test if n_test > 0 else np.nan
        pai, pai_max = hit / area, hit_max / area
        pei = n / n_max if n_max > 0 else np.nan
        rows.append((float(share), k, total_cells, n_test, n, n_max, hit, pai, pai_max, pei))
    return pd.DataFrame(
        rows,
        columns=[
            "area_share",
            "n_cells",
            "n_cells_total",
            "n_test",
            "n_hits",
            "n_hits_max",
            "hit_rate",
            "pai",
            "pai_max",
            "pei",
        ],
    )


# --------------------------------------------------------------------------- baselines


def kde_scores(
    points: gpd.GeoSeries | gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    *,
    bandwidth_m: float = 500.0,
    cutoff: float = 4.0,
    crs: Any = None,
) -> pd.Series:
    """Gaussian kernel density of points evaluated at cell centres.

    ``score(c) = sum_i exp(-d(c, p_i)^2 / (2 h^2))`` over the points within
    ``cutoff * h`` of the centre (a cKDTree neighbour search; beyond 4 h a point adds less
    than 0.04% of its peak). The normalising constant is left out: only the ranking matters.

    Parameters
    ----------
    points : GeoSeries or GeoDataFrame
        Points, in any CRS.
    cells : GeoDataFrame
        ``hex_id`` and hexagons (EPSG:4326).
    bandwidth_m : float
        Bandwidth ``h`` in metres.
    cutoff : float
        Neighbour search radius in bandwidths.
    crs : optional
        Projected CRS in metres; by default the UTM zone of the cells' centre
        (EPSG:32748, UTM 48S, for OKI and Palembang).

    Returns
    -------
    Series
        Density per cell, indexed by ``hex_id``.
    """
    from scipy.spatial import cKDTree

    if not bandwidth_m > 0:
        msg = f"bandwidth_m must be > 0 metres, got {bandwidth_m!r}."
        raise SettingsError(msg)
    c_lat, c_lon = _centres(cells)
    crs = crs or _utm_crs(c_lat, c_lon)
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    geoms = geoms[~(geoms.is_empty | geoms.isna())]
    out = np.zeros(len(cells))
    if len(geoms):
        pts = geoms.to_crs(crs)
        xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
        centres = gpd.GeoSeries.from_xy(c_lon, c_lat, crs=4326).to_crs(crs)
        cxy = np.column_stack([centres.x.to_numpy(), centres.y.to_numpy()])
        pair = cKDTree(cxy).sparse_distance_matrix(
            cKDTree(xy), cutoff * bandwidth_m, output_type="coo_matrix"
        )
        weights = np.exp(-(pair.data**2) / (2 * bandwidth_m**2))
        np.add.at(out, pair.row, weights)
    return pd.Series(out, index=pd.Index(cells["hex_id"].astype(str), name="hex_id"))


def score_forecaster(
    *,
    settings: Settings | None = None,
    window: tuple[str, str] = ("pra_ramadhan", "balik"),
    phase_options: Mapping[str, Any] | None = None,
    overrides: Mapping[int, tuple[Any, Any]] | None = None,
    **options: Any,
) -> Forecaster:
    """Wrap :func:`kamtibmas_geo.score.score_hotspots` as a backtest forecaster.

    Each period is scored as an explicit ``(start, end)`` target on the backtest's cells.
    The seasonal uplift learns from the same ``window`` of the (up to 30) previous
    Ramadhans when a Ramadhan starts inside the period, otherwise from the same dates in
    the 10 previous years. Gi* and the emerging-hotspot trend do not change ``score`` and
    are switched off unless ``gi=True`` / ``emerging=True`` is passed.

    Parameters
    ----------
    settings : Settings, optional
        Passed to ``score_hotspots`` (half-life, smoothing, calendar method...).
    window : (str, str)
        First and last phase of a Ramadhan period, as in :func:`backtest`.
    phase_options : mapping, optional
        Keyword arguments of :func:`~kamtibmas_geo.calendar.phases`.
    overrides : mapping, optional
        Ramadhan date overrides.
    **options
        Other keyword arguments of ``score_hotspots`` (``res``, ``activities``,
        ``weights``...).

    Returns
    -------
    callable
        ``(train_records, (start, end), cells) -> Series`` of scores indexed by ``hex_id``.
    """
    settings = settings or Settings()
    opts = dict(phase_options or {})
    options = {"gi": False, "emerging": False, **options}

    def forecast(
        train: gpd.GeoDataFrame,
        period: tuple[pd.Timestamp, pd.Timestamp],
        cells: gpd.GeoDataFrame,
    ) -> pd.Series:
        try:
            from kamtibmas_geo.score._score import score_hotspots
        except ImportError as exc:  # pragma: no cover - score.py ships with the package
            msg = (
                "The default forecaster needs kamtibmas_geo.score._score.score_hotspots, which "
                f"cannot be imported ({exc}); pass forecaster= a callable instead."
            )
            raise ScoreError(msg) from None
        seasons = _past_seasons(period, window, opts, settings.calendar_method, overrides)
        with warnings.catch_warnings():
            # only the score is used: cells of own boundaries need no desa from the pack
            warnings.simplefilter("ignore", NoUnitWarning)
            scored = score_hotspots(
                train,
                target=(period[0], period[1]),
                cells=list(cells["hex_id"].astype(str)),
                seasons=seasons,
                settings=settings,
                **options,
            )
        return scored.set_index("hex_id")["score"].astype(float)

    return forecast


@dataclass(frozen=True)
class BacktestResult:
    """What :func:`backtest` returns.

    Attributes
    ----------
    table : DataFrame
        One row per period x model x area share: ``period``, ``start``, ``end``, ``model``
        (``"method"`` or a baseline name), ``n_train``, then the columns of
        :func:`rank_metrics` and ``area_km2`` of the flagged cells.
    periods : DataFrame
        One row per period: ``period``, ``start``, ``end``, ``n_train``, ``n_test`` and
        ``n_test_area_only`` (reports of the period placed only at a desa/kecamatan by
        their address: the forecaster learns from them, but they are not outcomes).
    scores : dict
        Period label -> DataFrame indexed by ``hex_id`` with each model's score and the
        observed count ``n_test``.
    res : int
        H3 resolution.
    n_cells : int
        Cells in the study area.
    """

    table: pd.DataFrame
    periods: pd.DataFrame
    scores: dict[str, pd.DataFrame] = field(repr=False)
    res: int = 9
    n_cells: int = 0

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of :attr:`table`."""
        return self.table.copy()

    def summary(self, lang: Language = "id") -> pd.DataFrame:
        """Mean hit rate, PAI and PEI over the periods, per model and area share.

        Parameters
        ----------
        lang : {"id", "en"}
            Language of the model names and column headers.

        Returns
        -------
        DataFrame
        """
        cols = [tr(MESSAGES, k, lang) for k in ("model", "share", "hit_rate", "pai", "pei")]
        if self.table.empty:
            return pd.DataFrame(columns=cols)
        g = self.table.groupby(["model", "area_share"], sort=False)[["hit_rate", "pai", "pei"]]
        out = g.mean().reset_index()
        out["model"] = [tr(MESSAGES, m, lang) if m in MESSAGES else m for m in out["model"]]
        out["area_share"] = [f"{s:.0%}" for s in out["area_share"]]
        out.columns = pd.Index(cols)
        return out

    def format(self, lang: Language = "id") -> str:
        """Return the summary as text.

        Parameters
        ----------
        lang : {"id", "en"}
            Language.

        Returns
        -------
        str
        """
        title = tr(MESSAGES, "title", lang, n=len(self.periods), cells=self.n_cells, res=self.res)
        if self.table.empty:
            return f"{title}\n{tr(MESSAGES, 'none', lang)}"
        body = self.summary(lang).to_string(index=False, float_format=lambda v: f"{v:.3f}")
        labels = ", ".join(self.periods["period"].astype(str))
        return f"{title}\n{tr(MESSAGES, 'periods', lang)}: {labels}\n{body}"

    def __str__(self) -> str:
        return self.format("id")


def backtest(
    records: pd.DataFrame,
    *,
    periods: Iterable[Any] | None = None,
    res: int = 9,
    boundaries: gpd.GeoDataFrame | None = None,
    forecaster: Forecaster | None = None,
    baselines: Sequence[str] = BASELINES,
    area_shares: Sequence[float] = (0.01, 0.05, 0.10),
    bandwidth_m: float = 500.0,
    window: tuple[str, str] = ("pra_ramadhan", "balik"),
    phase_options: Mapping[str, Any] | None = None,
    overrides: Mapping[int, tuple[Any, Any]] | None = None,
    min_history_days: int = 365,
    settings: Settings | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> BacktestResult:
    """Backtest a hotspot forecast on past periods against naive baselines.

    Parameters
    ----------
    records : GeoDataFrame or DataFrame
        Incidents with a ``time`` column and Point geometries (any CRS) or ``lat``/``lon``
        columns. Rows without time or place are left out. The input is not changed.
    periods : iterable, optional
        Targets (``"ramadhan-1446"``, ``1446``, :class:`~kamtibmas_geo.calendar.RamadhanDates`;
        each becomes its ``window`` of phases) or ``(start, end)`` pairs (end exclusive,
        naive times are WIB). By default every Ramadhan whose window lies inside the data
        with ``min_history_days`` of history before it.
    res : int
        H3 resolution of the cells.
    boundaries : GeoDataFrame, optional
        Polygons of the study area in any CRS; cells are those overlapping them. By default
        all of OKI and Palembang from the boundary pack.
    forecaster : callable, optional
        ``(train_records, (start, end), cells) -> Series`` of scores indexed by ``hex_id``
        (missing cells score 0). By default :func:`score_forecaster`
        (:func:`kamtibmas_geo.score.score_hotspots`).
    baselines : sequence of str
        Any of ``"last_year"``, ``"all_time"``, ``"kde"``.
    area_shares : sequence of float
        Shares of the area flagged (1%, 5%, 10% by default).
    bandwidth_m : float
        KDE bandwidth in metres.
    window : (str, str)
        First and last phase of a Ramadhan period (see :func:`kamtibmas_geo.calendar.phases`).
    phase_options : mapping, optional
        Keyword arguments of :func:`~kamtibmas_geo.calendar.phases` (``weeks_before``...).
    overrides : mapping, optional
        Ramadhan date overrides, as in :func:`~kamtibmas_geo.calendar.ramadhan_dates`.
    min_history_days : int
        History needed before a default period.
    settings : Settings, optional
        Calendar method, boundary pack location.
    progress : callable, optional
        Called as ``progress(done, total, label)`` after each period.

    Returns
    -------
    BacktestResult
    """
    check_res(res)
    settings = settings or Settings()
    unknown = sorted(set(baselines) - set(BASELINES))
    if unknown:
        msg = f"Unknown baseline(s) {unknown!r}; choose from {', '.join(BASELINES)}."
        raise SettingsError(msg)
    opts = dict(phase_options or {})
    method = settings.calendar_method
    gdf, times, hex_ids = _prepare(records, res)
    cells = _study_cells(boundaries, res, settings)
    index = pd.Index(cells["hex_id"].astype(str), name="hex_id")
    inside = hex_ids.isin(index).to_numpy()
    # a report placed only at its desa/kecamatan sits at the unit's inside point: the
    # forecaster spreads it, but as an outcome (or a naive baseline's count) its cell would
    # be an artefact, so outcomes and baselines use precisely located reports only
    precise = _precise(gdf)
    forecast = forecaster or score_forecaster(
        settings=settings, window=window, phase_options=opts, overrides=overrides, res=res
    )
    if periods is None:
        todo = (
            _default_periods(
                times[inside] if inside.any() else times,
                window=window,
                opts=opts,
                method=method,
                overrides=overrides,
                min_history_days=min_history_days,
            )
            if len(times)
            else []
        )
    else:
        todo = [
            _period_of(p, window=window, opts=opts, method=method, overrides=overrides)
            for p in periods
        ]
    areas = cells["area_km2"].to_numpy(dtype=float)
    rows, period_rows, all_scores = [], [], {}
    for i, p in enumerate(todo):
        train_mask = (times < p.start).to_numpy()
        in_test = ((times >= p.start) & (times < p.end)).to_numpy() & inside
        test_mask = in_test & precise
        observed = _counts(hex_ids[test_mask], index)
        models: dict[str, pd.Series] = {}
        scores = forecast(gdf.iloc[np.flatnonzero(train_mask)].copy(), (p.start, p.end), cells)
        models["method"] = pd.Series(scores, dtype=float).reindex(index).fillna(0.0)
        train_in = train_mask & inside & precise
        if "last_year" in baselines:
            lo, hi = p.previous
            prev = train_in & ((times >= lo) & (times < hi)).to_numpy()
            models["last_year"] = _counts(hex_ids[prev], index)
        if "all_time" in baselines:
            models["all_time"] = _counts(hex_ids[train_in], index)
        if "kde" in baselines:
            pts = gdf.geometry.iloc[np.flatnonzero(train_mask & precise)]
            models["kde"] = kde_scores(pts, cells, bandwidth_m=bandwidth_m)
        for name, s in models.items():
            m = rank_metrics(s, observed, area_shares=area_shares)
            order = _top_order(s.to_numpy(), index.to_numpy())
            cum_area = np.cumsum(areas[order])
            m["area_km2"] = cum_area[m["n_cells"].to_numpy() - 1]
            m.insert(0, "model", name)
            m.insert(0, "n_train", int(train_mask.sum()))
            m.insert(0, "end", p.end)
            m.insert(0, "start", p.start)
            m.insert(0, "period", p.label)
            rows.append(m)
        frame = pd.DataFrame(models)
        frame["n_test"] = observed
        all_scores[p.label] = frame
        period_rows.append(
            (
                p.label,
                p.start,
                p.end,
                int(train_mask.sum()),
                int(observed.sum()),
                int((in_test & ~precise).sum()),
            )
        )
        if progress is not None:
            progress(i + 1, len(todo), p.label)
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    periods_frame = pd.DataFrame(
        period_rows,
        columns=["period", "start", "end", "n_train", "n_test", "n_test_area_only"],
    )
    return BacktestResult(table, periods_frame, all_scores, res=res, n_cells=len(index))
