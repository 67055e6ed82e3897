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
    _counts,
    _default_periods,
    _History,
    _history,
    _past_seasons,
    _Period,
    _period_of,
    _top_order,
    kde_scores,
    rank_metrics,
)

__all__ = [
    "BASELINES",
    "BacktestOptions",
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
    "period_after_data": {
        "id": "Periode uji {label} dimulai {start}, setelah kejadian terakhir dalam data "
        "({newest}); tidak ada kejadian untuk menguji ramalan. Pilih periode di dalam data, "
        "mis. ramadhan-1447.",
        "en": "The test period {label} starts on {start}, after the newest incident in the data "
        "({newest}); there is nothing to test the forecast on. Choose a period inside the "
        "data, e.g. ramadhan-1447.",
    },
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
    "err_score": {
        "id": "Peramal bawaan memerlukan kamtibmas_geo.score._score.score_hotspots, yang tidak "
        "dapat diimpor ({exc}); berikan fungsi sendiri sebagai forecaster=.",
        "en": "The default forecaster needs kamtibmas_geo.score._score.score_hotspots, which "
        "cannot be imported ({exc}); pass forecaster= a callable instead.",
    },
    "err_baselines": {
        "id": "Pembanding tidak dikenal: {unknown!r}; pilih dari {choices}.",
        "en": "Unknown baseline(s) {unknown!r}; choose from {choices}.",
    },
}


@dataclass(frozen=True)
class BacktestOptions:
    """How :func:`backtest` compares and cuts periods, besides the records and the area.

    Every field has the default used without it.

    Attributes
    ----------
    baselines : sequence of str
        Any of ``"last_year"``, ``"all_time"``, ``"kde"`` (all three by default).
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

    Examples
    --------
    >>> BacktestOptions(area_shares=(0.05,)).baselines
    ('last_year', 'all_time', 'kde')
    """

    baselines: Sequence[str] = BASELINES
    area_shares: Sequence[float] = (0.01, 0.05, 0.10)
    bandwidth_m: float = 500.0
    window: tuple[str, str] = ("pra_ramadhan", "balik")
    phase_options: Mapping[str, Any] | None = None
    overrides: Mapping[int, tuple[Any, Any]] | None = None
    min_history_days: int = 365


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
    from dataclasses import fields

    from kamtibmas_geo.score._options import ScoreOptions

    settings = settings or Settings()
    opts = dict(phase_options or {})
    options = {"gi": False, "emerging": False, **options}
    named = {f.name for f in fields(ScoreOptions)}
    score_options = ScoreOptions(**{k: v for k, v in options.items() if k in named})
    options = {k: v for k, v in options.items() if k not in named}

    def forecast(
        train: gpd.GeoDataFrame,
        period: tuple[pd.Timestamp, pd.Timestamp],
        cells: gpd.GeoDataFrame,
    ) -> pd.Series:
        try:
            from kamtibmas_geo.score._score import score_hotspots
        except ImportError as exc:  # pragma: no cover - score.py ships with the package
            raise ScoreError.say(MESSAGES, "err_score", exc=exc) from None
        seasons = _past_seasons(period, window, opts, settings.calendar_method, overrides)
        with warnings.catch_warnings():
            # only the score is used: cells of own boundaries need no desa from the pack
            warnings.simplefilter("ignore", NoUnitWarning)
            scored = score_hotspots(
                train,
                target=(period[0], period[1]),
                cells=list(cells["hex_id"].astype(str)),
                settings=settings,
                options=score_options.replace(seasons=seasons),
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
    options: BacktestOptions | None = None,
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
    options : BacktestOptions, optional
        Baselines, area shares, KDE bandwidth, phase window, phase options, Ramadhan date
        overrides and history needed (see :class:`BacktestOptions`; its defaults without it).
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
    opts = options or BacktestOptions()
    unknown = sorted(set(opts.baselines) - set(BASELINES))
    if unknown:
        raise SettingsError.say(
            MESSAGES, "err_baselines", unknown=unknown, choices=", ".join(BASELINES)
        )
    history = _history(records, res, boundaries, settings)
    forecast = forecaster or score_forecaster(
        settings=settings,
        window=opts.window,
        phase_options=dict(opts.phase_options or {}),
        overrides=opts.overrides,
        res=res,
    )
    todo = _periods_to_test(periods, history, opts, settings.calendar_method)
    tables: list[pd.DataFrame] = []
    period_rows, all_scores = [], {}
    for i, p in enumerate(todo):
        metrics, row, frame = _test_period(p, history, forecast, opts)
        tables.extend(metrics)
        period_rows.append(row)
        all_scores[p.label] = frame
        if progress is not None:
            progress(i + 1, len(todo), p.label)
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    periods_frame = pd.DataFrame(
        period_rows,
        columns=["period", "start", "end", "n_train", "n_test", "n_test_area_only"],
    )
    return BacktestResult(table, periods_frame, all_scores, res=res, n_cells=len(history.index))


def _check_periods_in_data(chosen: list[_Period], history: _History) -> None:
    """Refuse a test period that starts after the newest record: nothing to test it on."""
    times = history.times.dropna()
    if not len(times):
        return
    newest = times.max()
    for p in chosen:
        if p.start > newest:
            raise SettingsError.say(
                MESSAGES,
                "period_after_data",
                label=p.label,
                start=p.start.date().isoformat(),
                newest=newest.date().isoformat(),
            )


def _periods_to_test(
    periods: Iterable[Any] | None, history: _History, opts: BacktestOptions, method: Any
) -> list[_Period]:
    """Return the periods given, or by default every Ramadhan with enough history."""
    phase_opts = dict(opts.phase_options or {})
    if periods is not None:
        chosen = [
            _period_of(
                p, window=opts.window, opts=phase_opts, method=method, overrides=opts.overrides
            )
            for p in periods
        ]
        _check_periods_in_data(chosen, history)
        return chosen
    times = history.times
    if not len(times):
        return []
    return _default_periods(
        times[history.inside] if history.inside.any() else times,
        window=opts.window,
        opts=phase_opts,
        method=method,
        overrides=opts.overrides,
        min_history_days=opts.min_history_days,
    )


def _test_period(
    p: _Period, history: _History, forecast: Forecaster, opts: BacktestOptions
) -> tuple[list[pd.DataFrame], tuple[Any, ...], pd.DataFrame]:
    """Fit on the records before ``p``, score every model, compare with what happened."""
    times = history.times
    train_mask = (times < p.start).to_numpy()
    in_test = ((times >= p.start) & (times < p.end)).to_numpy() & history.inside
    observed = _counts(history.hex_ids[in_test & history.precise], history.index)
    models = _models(p, history, forecast, train_mask, opts)
    n_train = int(train_mask.sum())
    metrics = []
    for name, s in models.items():
        m = rank_metrics(s, observed, area_shares=opts.area_shares)
        order = _top_order(s.to_numpy(), history.index.to_numpy())
        cum_area = np.cumsum(history.areas[order])
        m["area_km2"] = cum_area[m["n_cells"].to_numpy() - 1]
        m.insert(0, "model", name)
        m.insert(0, "n_train", n_train)
        m.insert(0, "end", p.end)
        m.insert(0, "start", p.start)
        m.insert(0, "period", p.label)
        metrics.append(m)
    frame = pd.DataFrame(models)
    frame["n_test"] = observed
    n_vague = int((in_test & ~history.precise).sum())
    row = (p.label, p.start, p.end, n_train, int(observed.sum()), n_vague)
    return metrics, row, frame


def _models(
    p: _Period,
    history: _History,
    forecast: Forecaster,
    train_mask: np.ndarray,
    opts: BacktestOptions,
) -> dict[str, pd.Series]:
    """Return the score per cell of the method and of each baseline, for period ``p``."""
    h = history
    train = h.gdf.iloc[np.flatnonzero(train_mask)].copy()
    scores = forecast(train, (p.start, p.end), h.cells)
    models = {"method": pd.Series(scores, dtype=float).reindex(h.index).fillna(0.0)}
    train_in = train_mask & h.inside & h.precise
    if "last_year" in opts.baselines:
        lo, hi = p.previous
        prev = train_in & ((h.times >= lo) & (h.times < hi)).to_numpy()
        models["last_year"] = _counts(h.hex_ids[prev], h.index)
    if "all_time" in opts.baselines:
        models["all_time"] = _counts(h.hex_ids[train_in], h.index)
    if "kde" in opts.baselines:
        pts = h.gdf.geometry.iloc[np.flatnonzero(train_mask & h.precise)]
        models["kde"] = kde_scores(pts, h.cells, bandwidth_m=opts.bandwidth_m)
    return models
