"""Backtests of hotspot forecasts: hit rate, PAI and PEI against naive baselines.

For each past period (by default each Ramadhan in the data, from pra-Ramadhan to the end of
arus balik, that has at least a year of history before it; or any ``(start, end)``) and
each kabupaten/kota of the study area, the forecaster is fitted on the incidents strictly
before the period starts, its cell scores are ranked within the jurisdiction, and the top
of its area (a share, or km²) is compared with the incidents that happened there during
the period.

Area is counted in km² of the cells clipped to the jurisdiction (a hexagon on the edge
counts only its part inside). The metrics and their uncertainty are in
:mod:`kamtibmas_geo.evaluate._metrics`: hit rate ``n / N`` with a Wilson interval, PAI
``(n / N) / (a / A)`` (Chainey, Tompson & Uhlig 2008) and PEI ``n / n_max`` (Hunt 2016)
with seeded bootstrap intervals; ties at the cut count by their expected value.

Baselines: ``last_year`` (counts per cell in the same window of the previous Ramadhan, or
the same dates a year earlier for other periods), ``all_time`` (every training incident per
cell) and ``kde`` (Gaussian kernel density of training points at cell centres, in metres in
the UTM zone of the study area).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import NoUnitWarning, ScoreError, SettingsError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo._validate import check_res
from kamtibmas_geo.config import Language, Settings
from kamtibmas_geo.evaluate._areas import Jurisdiction, jurisdictions, units_of
from kamtibmas_geo.evaluate._forecast import Selection, auto_forecaster
from kamtibmas_geo.evaluate._metrics import Cut, cuts_of, rank_metrics_boot, wilson
from kamtibmas_geo.evaluate._parts import (
    _counts,
    _default_periods,
    _History,
    _history,
    _period_of,
    kde_scores,
    rank_metrics,
)
from kamtibmas_geo.evaluate._window import Window, as_window

__all__ = [
    "BASELINES",
    "BacktestOptions",
    "BacktestResult",
    "FewEventsWarning",
    "Forecaster",
    "backtest",
    "kde_scores",
    "rank_metrics",
    "score_forecaster",
]

#: A forecaster: ``(train_records, window, cells) -> scores indexed by hex_id``; ``window``
#: is a :class:`~kamtibmas_geo.evaluate.Window`, a ``(start, end)`` pair.
Forecaster = Callable[[gpd.GeoDataFrame, Any, gpd.GeoDataFrame], pd.Series]

#: Names of the naive baselines.
BASELINES: tuple[str, ...] = ("last_year", "all_time", "kde")

#: Fewer test incidents than this in a period and jurisdiction: the metrics are noise.
MIN_TEST_EVENTS = 30

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
    "jurisdiction": {"id": "Wilayah", "en": "Jurisdiction"},
    "share": {"id": "Luas", "en": "Area"},
    "hit_rate": {"id": "Tingkat tangkap", "en": "Hit rate"},
    "hit_ci": {"id": "Tangkap 95%", "en": "Hit 95%"},
    "pai": {"id": "PAI", "en": "PAI"},
    "pai_ci": {"id": "PAI 95%", "en": "PAI 95%"},
    "pei": {"id": "PEI", "en": "PEI"},
    "n_test": {"id": "Kejadian uji", "en": "Test incidents"},
    "periods": {"id": "Periode", "en": "Periods"},
    "method": {"id": "metode", "en": "method"},
    "method_auto": {"id": "model terpilih (otomatis)", "en": "chosen model (self-tuning)"},
    "last_year": {"id": "Ramadhan tahun lalu", "en": "last year's Ramadhan"},
    "last_year_dates": {
        "id": "tanggal sama tahun lalu",
        "en": "same dates last year",
    },
    "last_year_mixed": {"id": "jendela sama tahun lalu", "en": "same window last year"},
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
    "few": {
        "id": "{label}, {unit}: hanya {n} kejadian uji (< {min}); PAI dan PEI periode ini "
        "sangat tidak pasti (lihat selang 95%).",
        "en": "{label}, {unit}: only {n} test incidents (< {min}); this period's PAI and PEI "
        "are very uncertain (see the 95% intervals).",
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
    "err_cells": {
        "id": "Peramal memberi skor untuk {n} sel, tetapi tidak satu pun adalah sel H3 res "
        "{res} wilayah uji (mis. {example}); periksa resolusi (res) peramal.",
        "en": "The forecaster scored {n} cells, but none of them is one of the study area's "
        "res-{res} H3 cells (e.g. {example}); check the forecaster's resolution (res).",
    },
    "err_res": {
        "id": "score_forecaster(res={given}) tidak cocok dengan sel uji res {res}; hapus res= "
        "(resolusi diambil dari sel uji).",
        "en": "score_forecaster(res={given}) does not match the test cells at res {res}; "
        "leave res= out (it is taken from the cells).",
    },
}


class FewEventsWarning(UserWarning):
    """A backtest period had fewer than 30 test incidents in a jurisdiction.

    Attributes
    ----------
    label : str
        The period.
    unit : str
        The jurisdiction.
    n : int
        Its test incidents.
    """

    def __init__(self, label: str, unit: str, n: int) -> None:
        self.label, self.unit, self.n = label, unit, n
        super().__init__(self.text("id"))

    def text(self, lang: Language = "id") -> str:
        """Return the warning in ``lang``."""
        return tr(MESSAGES, "few", lang, label=self.label, unit=self.unit, n=self.n,
                  min=MIN_TEST_EVENTS)  # fmt: skip

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.label, self.unit, self.n))


@dataclass(frozen=True)
class BacktestOptions:
    """How :func:`backtest` compares and cuts periods, besides the records and the area.

    Every field has the default used without it.

    Attributes
    ----------
    baselines : sequence of str
        Any of ``"last_year"``, ``"all_time"``, ``"kde"`` (all three by default).
    area_shares : sequence of float
        Shares of each jurisdiction's area flagged (1%, 5%, 10% by default).
    area_km2 : sequence of float
        Areas flagged in km² (capped at the jurisdiction), besides the shares.
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
    n_boot : int
        Bootstrap resamples of the test incidents for the PAI/PEI intervals (0: none).
    seed : int
        Seed of the bootstrap.

    Examples
    --------
    >>> BacktestOptions(area_shares=(0.05,)).baselines
    ('last_year', 'all_time', 'kde')
    """

    baselines: Sequence[str] = BASELINES
    area_shares: Sequence[float] = (0.01, 0.05, 0.10)
    area_km2: Sequence[float] = ()
    bandwidth_m: float = 500.0
    window: tuple[str, str] = ("pra_ramadhan", "balik")
    phase_options: Mapping[str, Any] | None = None
    overrides: Mapping[int, tuple[Any, Any]] | None = None
    min_history_days: int = 365
    n_boot: int = 400
    seed: int = 0

    @property
    def cuts(self) -> list[Cut]:
        """The flagged areas, checked."""
        return cuts_of(self.area_shares, self.area_km2)


def score_forecaster(
    *,
    settings: Settings | None = None,
    seasons: Sequence[tuple[Any, Any]] | None = None,
    **options: Any,
) -> Forecaster:
    """Wrap :func:`kamtibmas_geo.score.score_hotspots` as a backtest forecaster.

    Each period is scored as an explicit ``(start, end)`` target on the backtest's cells,
    at their resolution. The seasonal uplift learns from the window's own past: the same
    phases of the previous Ramadhans for a Ramadhan period, the same dates of the 10
    previous years for any other (a March-June window is never given Ramadhan seasons),
    unless ``seasons=`` is given. Gi* and the emerging-hotspot trend do not change
    ``score`` and are switched off unless ``gi=True`` / ``emerging=True`` is passed.

    Parameters
    ----------
    settings : Settings, optional
        Passed to ``score_hotspots`` (half-life, smoothing, calendar method...).
    seasons : sequence of (start, end), optional
        Past seasons of the uplift, instead of the window's own past.
    **options
        Other keyword arguments of ``score_hotspots`` or fields of
        :class:`~kamtibmas_geo.score.ScoreOptions` (``smoothing=False``...).

    Returns
    -------
    callable
        ``(train_records, window, cells) -> Series`` of scores indexed by ``hex_id``.
    """
    from dataclasses import fields

    from kamtibmas_geo.score._options import ScoreOptions

    settings = settings or Settings()
    options = {"gi": False, "emerging": False, **options}
    given_res = options.pop("res", None)
    named = {f.name for f in fields(ScoreOptions)}
    score_options = ScoreOptions(**{k: v for k, v in options.items() if k in named})
    options = {k: v for k, v in options.items() if k not in named}

    def forecast(train: gpd.GeoDataFrame, period: Any, cells: gpd.GeoDataFrame) -> pd.Series:
        try:
            from kamtibmas_geo.score._score import score_hotspots
        except ImportError as exc:  # pragma: no cover - score.py ships with the package
            raise ScoreError.say(MESSAGES, "err_score", exc=exc) from None
        window = as_window(period)
        ids = list(cells["hex_id"].astype(str))
        res = h3.get_resolution(ids[0])
        if given_res is not None and int(given_res) != res:
            raise SettingsError.say(MESSAGES, "err_res", given=given_res, res=res)
        past = list(seasons) if seasons is not None else list(window.past)
        with warnings.catch_warnings():
            # only the score is used: cells of own boundaries need no desa from the pack
            warnings.simplefilter("ignore", NoUnitWarning)
            scored = score_hotspots(
                train,
                target=(window.start, window.end),
                cells=ids,
                res=res,
                settings=settings,
                options=score_options.replace(seasons=past),
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
        One row per period x jurisdiction x model x flagged area: ``period``, ``start``,
        ``end``, ``kabupaten_code``, ``jurisdiction``, ``model`` (``"method"`` or a
        baseline name), ``n_train``, then the columns of :func:`rank_metrics` (``target``,
        ``area_share``, ``area_km2``, hit rate, PAI and PEI with 95% intervals...).
    periods : DataFrame
        One row per period: ``period``, ``start``, ``end``, ``ramadhan``, ``n_train``,
        ``n_test`` and ``n_test_area_only`` (reports of the period placed only at a
        desa/kecamatan by their address: the forecaster learns from them, but they are
        not outcomes).
    scores : dict
        Period label -> DataFrame indexed by ``hex_id`` (and ``kabupaten_code``) with
        each model's score and the observed count ``n_test``.
    choices : DataFrame
        For the self-tuning forecaster, one row per period x jurisdiction: the model
        chosen, its mean validation PAI and PEI, the windows and incidents it rests on,
        and ``fallback`` (too little history: all-time counts).
    selections : dict
        ``(period, kabupaten_code)`` -> :class:`~kamtibmas_geo.evaluate.Selection` with
        every candidate's validation table.
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
    choices: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    selections: dict[tuple[str, str], Selection] = field(default_factory=dict, repr=False)
    boot: dict[tuple[str, str, str, str], np.ndarray] = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of :attr:`table`."""
        return self.table.copy()

    def summary(self, lang: Language = "id") -> pd.DataFrame:
        """Hit rate, PAI and PEI over the periods, per jurisdiction, model and area.

        The hit rate is pooled (all hits over all test incidents) with its Wilson 95%
        interval; PAI and PEI are means over the periods, the PAI with a bootstrap 95%
        interval of the mean.

        Parameters
        ----------
        lang : {"id", "en"}
            Language of the model names and column headers.

        Returns
        -------
        DataFrame
        """
        keys = ("jurisdiction", "model", "share", "n_test", "hit_rate", "hit_ci", "pai",
                "pai_ci", "pei")  # fmt: skip
        cols = [tr(MESSAGES, k, lang) for k in keys]
        if self.table.empty:
            return pd.DataFrame(columns=cols)
        rows = []
        groups = self.table.groupby(["kabupaten_code", "model", "target"], sort=False)
        for (code, model, target), g in groups:
            hits, n = float(g["n_hits"].sum()), float(g["n_test"].sum())
            lo, hi = wilson(hits, n)
            boots = [
                self.boot.get((str(p), str(code), str(model), str(target))) for p in g["period"]
            ]
            stack = [b for b in boots if b is not None and len(b)]
            pai_lo, pai_hi = (
                np.nanpercentile(np.mean(stack, axis=0), [2.5, 97.5])
                if len(stack) == len(g)
                else (np.nan, np.nan)
            )
            rows.append((
                g["jurisdiction"].iloc[0], self._model_label(str(model), lang), target,
                round(n), hits / n if n else np.nan, (lo, hi),
                g["pai"].mean(), (pai_lo, pai_hi), g["pei"].mean(),
            ))  # fmt: skip
        return pd.DataFrame(rows, columns=cols)

    def _model_label(self, model: str, lang: Language) -> str:
        if model == "last_year":
            kinds = set(self.periods["ramadhan"]) if "ramadhan" in self.periods else {True}
            key = {frozenset({True}): "last_year", frozenset({False}): "last_year_dates"}.get(
                frozenset(kinds), "last_year_mixed"
            )
            return tr(MESSAGES, key, lang)
        if model == "method" and self.selections:
            return tr(MESSAGES, "method_auto", lang)
        return tr(MESSAGES, model, lang) if model in MESSAGES else model

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
        cells = f"{self.n_cells:,}"
        cells = cells.replace(",", ".") if lang == "id" else cells  # 157.459 / 157,459
        title = tr(MESSAGES, "title", lang, n=len(self.periods), cells=cells, res=self.res)
        if self.table.empty:
            return f"{title}\n{tr(MESSAGES, 'none', lang)}"
        summary = self.summary(lang)
        for col in (summary.columns[5], summary.columns[7]):
            summary[col] = [f"{a:.3f}-{b:.3f}" for a, b in summary[col]]
        body = summary.to_string(index=False, float_format=lambda v: f"{v:.3f}")
        labels = ", ".join(self.periods["period"].astype(str))
        lines = [title, f"{tr(MESSAGES, 'periods', lang)}: {labels}", body]
        names = dict(zip(self.table["kabupaten_code"], self.table["jurisdiction"], strict=False))
        lines += [
            f"{label}, {names.get(code, code)}: {s.describe(lang)}"
            for (label, code), s in self.selections.items()
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format("id")


def backtest(
    records: pd.DataFrame,
    *,
    periods: Iterable[Any] | None = None,
    res: int = 9,
    boundaries: gpd.GeoDataFrame | None = None,
    region: str | None = None,
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
        each becomes its ``window`` of phases), ``(start, end)`` pairs or
        ``"2026-02-01..2026-03-01"`` (end exclusive, naive times in the Settings
        timezone). By default every Ramadhan whose window lies inside the data with
        ``min_history_days`` of history before it.
    res : int
        H3 resolution of the cells.
    boundaries : GeoDataFrame, optional
        Polygons of the study area in any CRS; with a ``kabupaten_code`` column each
        code is a jurisdiction. By default the kabupaten/kota of the boundary pack.
    region : str, optional
        Only this kabupaten/kota (a pack region such as ``"palembang"`` or ``"16.02"``,
        or a ``kabupaten_code``/name of ``boundaries``). Without it, a kabupaten/kota
        holding no record at all in ``records`` is left out (Palembang-only data is not
        tested in OKI, where every metric would be undefined).
    forecaster : callable, optional
        ``(train_records, window, cells) -> Series`` of scores indexed by ``hex_id``
        (missing cells score 0), called once per period and jurisdiction with that
        jurisdiction's cells (``hex_id``, ``area_km2`` clipped, ``lat``, ``lon``). By
        default the self-tuning :func:`~kamtibmas_geo.evaluate.auto_forecaster`, choosing
        at the first flagged area of ``options``.
    options : BacktestOptions, optional
        Baselines, flagged areas, KDE bandwidth, phase window, phase options, Ramadhan
        date overrides, history needed, bootstrap (see :class:`BacktestOptions`).
    settings : Settings, optional
        Calendar method, timezone, boundary pack location.
    progress : callable, optional
        Called as ``progress(done, total, label)`` after each period.

    Returns
    -------
    BacktestResult

    Warns
    -----
    FewEventsWarning
        For a period and jurisdiction with fewer than 30 test incidents.
    """
    check_res(res)
    settings = settings or Settings()
    opts = options or BacktestOptions()
    unknown = sorted(set(opts.baselines) - set(BASELINES))
    if unknown:
        raise SettingsError.say(
            MESSAGES, "err_baselines", unknown=unknown, choices=", ".join(BASELINES)
        )
    cuts = opts.cuts
    units = jurisdictions(units_of(boundaries, region, settings), res, settings=settings)
    history = _history(records, res, units, settings.timezone)
    if region is None:
        history = _with_records(history)
    forecast = forecaster or _default_forecaster(cuts[0])
    todo = _periods_to_test(periods, history, opts, settings)
    run = _Run(history, forecast, opts, cuts)
    for i, p in enumerate(todo):
        run.test(p)
        if progress is not None:
            progress(i + 1, len(todo), p.label)
    return run.result(res)


def _with_records(history: _History) -> _History:
    """Drop the jurisdictions holding no record of the data (all kept if none holds one)."""
    kept = [u for u in history.units if history.unit_of[u.code].any()]
    if not kept or len(kept) == len(history.units):
        return history
    cells = pd.concat([u.cells for u in kept], ignore_index=True)
    cells = cells.drop_duplicates("hex_id").sort_values("hex_id").reset_index(drop=True)
    index = pd.Index(cells["hex_id"].astype(str), name="hex_id")
    return replace(
        history,
        cells=cells,
        index=index,
        inside=history.hex_ids.isin(index).to_numpy(),
        units=kept,
        unit_of={u.code: history.unit_of[u.code] for u in kept},
    )


def _default_forecaster(cut: Cut) -> Forecaster:
    if cut.km2 is not None:
        return auto_forecaster(area_share=None, area_km2=cut.km2)
    return auto_forecaster(area_share=cut.share)


@dataclass
class _Run:
    """The state of one backtest: what has been tested so far."""

    history: _History
    forecast: Forecaster
    opts: BacktestOptions
    cuts: list[Cut]
    tables: list[pd.DataFrame] = field(default_factory=list)
    period_rows: list[tuple[Any, ...]] = field(default_factory=list)
    scores: dict[str, pd.DataFrame] = field(default_factory=dict)
    choices: list[dict[str, Any]] = field(default_factory=list)
    selections: dict[tuple[str, str], Selection] = field(default_factory=dict)
    boot: dict[tuple[str, str, str, str], np.ndarray] = field(default_factory=dict)

    def test(self, p: Window) -> None:
        """Fit on the records before ``p``, score every model per jurisdiction, compare."""
        h = self.history
        train_mask = (h.times < p.start).to_numpy()
        in_test = ((h.times >= p.start) & (h.times < p.end)).to_numpy()
        train = h.gdf.iloc[np.flatnonzero(train_mask)].copy()
        frames, n_test = [], 0
        for unit in h.units:
            frame, n = self._test_unit(p, unit, train, train_mask, in_test)
            frames.append(frame)
            n_test += n
        self.scores[p.label] = pd.concat(frames)
        n_vague = int((in_test & h.inside & ~h.precise).sum())
        self.period_rows.append(
            (p.label, p.start, p.end, p.ramadhan, int(train_mask.sum()), n_test, n_vague)
        )

    def _test_unit(
        self,
        p: Window,
        unit: Jurisdiction,
        train: gpd.GeoDataFrame,
        train_mask: np.ndarray,
        in_test: np.ndarray,
    ) -> tuple[pd.DataFrame, int]:
        h = self.history
        in_unit = h.unit_of[unit.code]
        observed = _counts(h.hex_ids[in_test & in_unit & h.precise], unit.index)
        cells = unit.cells
        models = self._models(p, unit, cells, train, train_mask)
        n_test = int(observed.sum())
        if n_test < MIN_TEST_EVENTS:
            warnings.warn(FewEventsWarning(p.label, unit.name, n_test), stacklevel=4)
        for name, s in models.items():
            m, boots = rank_metrics_boot(
                s, observed, self.cuts, areas=unit.areas, n_boot=self.opts.n_boot,
                seed=self.opts.seed,
            )  # fmt: skip
            for cut, b in zip(self.cuts, boots, strict=True):
                self.boot[(p.label, unit.code, name, cut.label)] = b
            head: dict[str, Any] = {"period": p.label, "start": p.start, "end": p.end,
                    "kabupaten_code": unit.code, "jurisdiction": unit.name, "model": name,
                    "n_train": int(train_mask.sum())}  # fmt: skip
            for i, (k, v) in enumerate(head.items()):
                m.insert(i, k, v)
            self.tables.append(m)
        frame = pd.DataFrame(models)
        frame["n_test"] = observed
        frame.insert(0, "kabupaten_code", unit.code)
        return frame, n_test

    def _models(
        self,
        p: Window,
        unit: Jurisdiction,
        cells: gpd.GeoDataFrame,
        train: gpd.GeoDataFrame,
        train_mask: np.ndarray,
    ) -> dict[str, pd.Series]:
        """Return the score per cell of the method and of each baseline, in ``unit``."""
        h, opts = self.history, self.opts
        raw = self.forecast(train, p, cells)
        selection = getattr(raw, "attrs", {}).get("selection")
        if isinstance(selection, Selection):
            self._note_choice(p, unit, selection)
        scores = pd.Series(raw, dtype=float)
        scores.index = scores.index.astype(str)
        _check_scored(scores, unit.index)
        models = {"method": scores.reindex(unit.index).fillna(0.0)}
        train_in = train_mask & h.inside & h.precise
        if "last_year" in opts.baselines:
            lo, hi = p.past[0]
            prev = train_in & ((h.times >= lo) & (h.times < hi)).to_numpy()
            models["last_year"] = _counts(h.hex_ids[prev], unit.index)
        if "all_time" in opts.baselines:
            models["all_time"] = _counts(h.hex_ids[train_in], unit.index)
        if "kde" in opts.baselines:
            pts = h.gdf.geometry.iloc[np.flatnonzero(train_mask & h.precise)]
            models["kde"] = kde_scores(pts, cells, bandwidth_m=opts.bandwidth_m)
        return models

    def _note_choice(self, p: Window, unit: Jurisdiction, s: Selection) -> None:
        self.selections[(p.label, unit.code)] = s
        pai, pei = s.skill if not s.table.empty else (np.nan, np.nan)
        self.choices.append({
            "period": p.label, "kabupaten_code": unit.code, "jurisdiction": unit.name,
            "chosen": s.chosen, "cut": s.cut, "view": s.view, "mean_pai": pai, "mean_pei": pei,
            "n_windows": s.n_windows, "n_events": s.n_events, "fallback": s.fallback,
        })  # fmt: skip

    def result(self, res: int) -> BacktestResult:
        """Return what was tested."""
        table = pd.concat(self.tables, ignore_index=True) if self.tables else pd.DataFrame()
        periods = pd.DataFrame(
            self.period_rows,
            columns=["period", "start", "end", "ramadhan", "n_train", "n_test",
                     "n_test_area_only"],
        )  # fmt: skip
        return BacktestResult(
            table, periods, self.scores, res=res, n_cells=len(self.history.index),
            choices=pd.DataFrame(self.choices), selections=self.selections, boot=self.boot,
        )  # fmt: skip


def _check_scored(scores: pd.Series, index: pd.Index) -> None:
    """Refuse a forecast that scored cells, none of them the study area's (wrong res)."""
    if not len(scores) or not len(index):
        return
    head = scores.index[:100]
    if (index.get_indexer(head) >= 0).any() or index.isin(scores.index).any():
        return
    example = str(scores.index[0])
    try:
        res = h3.get_resolution(str(index[0]))
    except (ValueError, TypeError):  # pragma: no cover - index holds H3 ids
        res = "?"
    raise ScoreError.say(MESSAGES, "err_cells", n=len(scores), res=res, example=example)


def _check_periods_in_data(chosen: list[Window], history: _History) -> None:
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
    periods: Iterable[Any] | None, history: _History, opts: BacktestOptions, settings: Settings
) -> list[Window]:
    """Return the periods given, or by default every Ramadhan with enough history."""
    phase_opts = dict(opts.phase_options or {})
    kw: dict[str, Any] = {
        "window": opts.window,
        "opts": phase_opts,
        "method": settings.calendar_method,
        "overrides": opts.overrides,
        "tz": settings.timezone,
    }
    if periods is not None:
        chosen = [_period_of(p, **kw) for p in periods]
        _check_periods_in_data(chosen, history)
        return chosen
    times = history.times
    if not len(times):
        return []
    return _default_periods(
        times[history.inside] if history.inside.any() else times,
        min_history_days=opts.min_history_days,
        **kw,
    )
