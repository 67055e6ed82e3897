"""Do early warnings predict incidents? A backtest on the user's own history.

For every week (``days``) of the history that has warnings, and each kabupaten/kota on
its own, :func:`warning_backtest` ranks the cells by

* the forecast alone (fitted on the incidents strictly before the week), and
* the forecast plus the warnings open at the week's start (the time rule of
  :func:`~kamtibmas_geo.score.open_warnings`, whatever their later status):
  ``f / max(f) + w · g``, where ``g`` counts the open warnings of the cell (the
  ``warnings_open`` of the scores; ``ring_weight`` adds a share of its ring-1
  neighbours'),

and counts the incidents of the week in the top of its area (a share or km²). The
weight ``w`` is chosen from a small grid on the earlier weeks only (rolling origin: the
weight of week ``k`` is the one with most hits over weeks ``< k``, ties to the smaller
weight, ``w = 0`` for the first ``min_folds`` weeks): no week's outcome chooses its own
weight. The gain (PAI with warnings minus PAI without) gets a seeded bootstrap interval
over weeks; warnings *help* only when that interval lies above 0, the gain is at least 5%
of the forecast's PAI (:data:`MIN_GAIN`), with at least 30 test incidents and 10
warnings; only then is a weight above 0 supported.
"""

from __future__ import annotations

import warnings as pywarnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from kamtibmas_geo._errors import SettingsError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo._validate import check_res
from kamtibmas_geo.config import Settings
from kamtibmas_geo.evaluate._areas import Jurisdiction, jurisdictions, units_of
from kamtibmas_geo.evaluate._metrics import Cut, cuts_of, flagged_fraction, wilson
from kamtibmas_geo.evaluate._parts import _History, _history
from kamtibmas_geo.evaluate._window import as_window
from kamtibmas_geo.score._warnings import LocalWarning

__all__ = [
    "MIN_WARNINGS",
    "WEIGHTS",
    "FewWarningsWarning",
    "WarningBacktest",
    "warning_backtest",
    "warning_signal",
]

#: The weights tried for the warnings (0 is the forecast alone).
WEIGHTS: tuple[float, ...] = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
#: Fewer warnings than this in a jurisdiction: no statement on whether they help.
MIN_WARNINGS = 10
#: Fewer test incidents than this: no statement either (as the backtest's FewEventsWarning).
MIN_TEST_EVENTS = 30
#: A gain smaller than this share of the forecast's PAI is too small to act on, however
#: sure (the margin of the self-tuning forecaster's choice, ``TIE_MARGIN``).
MIN_GAIN = 0.05
#: Weight of a warning in a neighbouring cell (ring 1) against one in the cell. 0: on
#: synthetic histories where a quarter of the incidents that follow a warning fall next to
#: its cell, spreading the warning over the 6 neighbours costs more flagged area than it
#: catches (PAI gain +0.70 with 0, +0.58 with 0.1, +0.54 with 0.25).
RING_WEIGHT = 0.0

MESSAGES = {
    "helps": {
        "id": "Informasi dini membantu di {unit}: dengan sel berinformasi dini terbuka, "
        "{area} teratas menangkap {ht:.0f}% kejadian {days} hari berikutnya, dengan ramalan "
        "saja {h0:.0f}% (PAI {p0:.2f} → {pt:.2f}, selisih {gain:+.2f}, 95% {lo:+.2f} "
        "s.d. {hi:+.2f}; {folds} periode {days} hari, {n} kejadian, {nw} informasi dini). "
        "Bobot yang didukung: {w:g}.",
        "en": "Early warnings help in {unit}: with the cells holding open warnings, the top "
        "{area} catches {ht:.0f}% of the incidents of the next {days} days, against "
        "{h0:.0f}% with the forecast alone (PAI {p0:.2f} → {pt:.2f}, gain {gain:+.2f}, "
        "95% {lo:+.2f} to {hi:+.2f}; {folds} periods of {days} days, {n} incidents, {nw} "
        "warnings). Supported weight: {w:g}.",
    },
    "no_help": {
        "id": "Informasi dini tidak terbukti membantu di {unit}: {area} teratas menangkap "
        "{h0:.0f}% kejadian dengan ramalan saja, {ht:.0f}% dengan informasi dini (PAI "
        "{p0:.2f} → {pt:.2f}, selisih {gain:+.2f}, 95% {lo:+.2f} s.d. {hi:+.2f}; {folds} "
        "periode {days} hari, {n} kejadian, {nw} informasi dini). Bobot 0: ramalan tidak "
        "diubah; informasi dini tetap ditampilkan di samping skor.",
        "en": "Early warnings are not shown to help in {unit}: the top {area} catches "
        "{h0:.0f}% of incidents with the forecast alone, {ht:.0f}% with the warnings (PAI "
        "{p0:.2f} → {pt:.2f}, gain {gain:+.2f}, 95% {lo:+.2f} to {hi:+.2f}; {folds} periods "
        "of {days} days, {n} incidents, {nw} warnings). Weight 0: the forecast is "
        "unchanged; the warnings are still shown beside the score.",
    },
    "small": {
        "id": "Informasi dini hanya sedikit sekali membantu di {unit}: {area} teratas "
        "menangkap {h0:.1f}% kejadian dengan ramalan saja, {ht:.1f}% dengan informasi dini "
        "(PAI {p0:.2f} → {pt:.2f}, selisih {gain:+.2f}, 95% {lo:+.2f} s.d. {hi:+.2f}; "
        "kurang dari {margin:.0f}% PAI; {folds} periode {days} hari, {n} kejadian, {nw} "
        "informasi dini). Bobot 0: ramalan tidak diubah; informasi dini tetap ditampilkan di "
        "samping skor.",
        "en": "Early warnings help only very little in {unit}: the top {area} catches "
        "{h0:.1f}% of incidents with the forecast alone, {ht:.1f}% with the warnings (PAI "
        "{p0:.2f} → {pt:.2f}, gain {gain:+.2f}, 95% {lo:+.2f} to {hi:+.2f}; less than "
        "{margin:.0f}% of PAI; {folds} periods of {days} days, {n} incidents, {nw} "
        "warnings). Weight 0: the forecast is unchanged; the warnings are still shown "
        "beside the score.",
    },
    "too_few": {
        "id": "Informasi dini belum dapat diuji di {unit}: hanya {nw} informasi dini dan {n} "
        "kejadian uji dalam {folds} periode (perlu >= {min_w} dan >= {min_n}). Bobot 0; "
        "informasi dini tetap ditampilkan di samping skor.",
        "en": "Early warnings cannot be tested yet in {unit}: only {nw} warnings and {n} "
        "test incidents in {folds} periods (needs >= {min_w} and >= {min_n}). Weight 0; "
        "the warnings are still shown beside the score.",
    },
    "few": {
        "id": "{unit}: hanya {nw} informasi dini dan {n} kejadian uji (perlu >= {min_w} dan "
        ">= {min_n}); apakah informasi dini membantu belum dapat dinilai.",
        "en": "{unit}: only {nw} early warnings and {n} test incidents (needs >= {min_w} and "
        ">= {min_n}); whether warnings help cannot be judged yet.",
    },
    "weights": {
        "id": "weights= harus berisi angka >= 0 termasuk 0 (ramalan saja), mis. (0, 0.5, 1); "
        "bukan {got!r}.",
        "en": "weights= must hold numbers >= 0 including 0 (the forecast alone), e.g. "
        "(0, 0.5, 1); got {got!r}.",
    },
    "days": {
        "id": "days={got!r} tidak sah: panjang periode uji dalam hari, 1 atau lebih.",
        "en": "days={got!r} is not valid: the test period in days, 1 or more.",
    },
}


class FewWarningsWarning(LocalWarning):
    """Too few warnings or test incidents in a jurisdiction to say whether warnings help.

    Issued by :func:`warning_backtest` (and :func:`~kamtibmas_geo.evaluate.select_forecast`
    with ``warnings=``) below 10 warnings or 30 test incidents; the weight is then 0.
    """


# --------------------------------------------------------------------------- the folds


def warning_signal(counts: NDArray[np.float64], kernel: sp.csr_array) -> NDArray[np.float64]:
    """Return the warning signal of every cell: its open warnings (plus its neighbours').

    Parameters
    ----------
    counts : ndarray
        Open warnings per cell.
    kernel : csr_array
        :func:`ring_kernel` of the cells (the identity when ``ring_weight`` is 0).

    Returns
    -------
    ndarray
    """
    return np.asarray(kernel @ np.asarray(counts, dtype=float), dtype=float)


def ring_kernel(index: Sequence[str], ring_weight: float = RING_WEIGHT) -> sp.csr_array:
    """Return the ring-1 kernel of the cells: 1 on the cell, ``ring_weight`` next to it.

    Parameters
    ----------
    index : sequence of str
        H3 cells.
    ring_weight : float
        Weight of the 6 neighbours.

    Returns
    -------
    csr_array
    """
    from kamtibmas_geo.score._gistar import disk_pairs

    n = len(index)
    rows, cols, dist = disk_pairs(list(index), 1)
    data = np.where(dist == 0, 1.0, float(ring_weight))
    return sp.csr_array((data, (rows, cols)), shape=(n, n))


def blend(f: NDArray[np.float64], g: NDArray[np.float64], w: float) -> NDArray[np.float64]:
    """Return ``f / max(f) + w · g``: the forecast on a 0-1 scale plus the warnings.

    Parameters
    ----------
    f : ndarray
        Forecast per cell.
    g : ndarray
        Warning signal per cell (:func:`warning_signal`).
    w : float
        Weight of one warning against the top forecast cell.

    Returns
    -------
    ndarray
    """
    top = float(np.nanmax(f)) if len(f) else 0.0
    base = f / top if top > 0 else np.zeros(len(f))
    return np.asarray(base + w * g, dtype=float)


def fold_hits(
    f: NDArray[np.float64],
    g: NDArray[np.float64],
    observed: NDArray[np.float64],
    areas: NDArray[np.float64],
    area: float,
    weights: Sequence[float],
) -> NDArray[np.float64]:
    """Return the hits of each weight in one period (incidents in the flagged area).

    Parameters
    ----------
    f, g, observed, areas : ndarray
        Forecast, warning signal, incidents of the period and area of every cell.
    area : float
        Flagged area.
    weights : sequence of float
        Weights to try.

    Returns
    -------
    ndarray
        One value per weight.
    """
    if not np.any(g):  # no warning open: every weight ranks as the forecast alone
        alone = float(flagged_fraction(blend(f, g, 0.0), areas, area) @ observed)
        return np.full(len(weights), alone)
    return np.array(
        [float(flagged_fraction(blend(f, g, w), areas, area) @ observed) for w in weights]
    )


def rolling_choice(hits: NDArray[np.float64], min_folds: int) -> NDArray[np.intp]:
    """Return the weight chosen for each period from the earlier periods only.

    Period ``k`` takes the weight with most hits over periods ``< k`` (ties to the
    smaller weight, the first column); the first ``min_folds`` periods take column 0.

    Parameters
    ----------
    hits : ndarray
        Hits per period (rows) and weight (columns, ascending, 0 first).
    min_folds : int
        Periods needed before a weight is chosen.

    Returns
    -------
    ndarray of int
        Column chosen per period.

    Examples
    --------
    >>> h = np.array([[1, 2], [1, 3], [5, 0], [1, 1]], dtype=float)
    >>> rolling_choice(h, 1).tolist()
    [0, 1, 1, 0]
    """
    before = np.cumsum(hits, axis=0) - hits
    chosen = np.argmax(np.round(before, 9), axis=1)  # argmax: first (smallest) of ties
    chosen[: max(min_folds, 1)] = 0
    return np.asarray(chosen, dtype=np.intp)


@dataclass(frozen=True)
class Verdict:
    """Whether warnings helped in one jurisdiction, over the periods tested fairly.

    Attributes
    ----------
    helps : bool
        The bootstrap interval of the PAI gain lies above 0 and the gain is at least
        :data:`MIN_GAIN` of the forecast's PAI, with enough data.
    small : bool
        The interval lies above 0 but the gain is below :data:`MIN_GAIN`: too small to
        act on (weight 0).
    enough : bool
        At least :data:`MIN_WARNINGS` warnings and :data:`MIN_TEST_EVENTS` incidents.
    weight : float
        The weight supported: the best over all periods when ``helps``, else 0.
    n_folds, n_test, n_warnings : int
        Periods tested fairly, their incidents, and the warnings open in them.
    hits_forecast, hits_tuned : float
        Incidents caught by the forecast alone, and with the weight chosen each period.
    pai_forecast, pai_tuned, gain, gain_lo, gain_hi : float
        PAI without and with warnings, their difference and its 95% interval.
    share : float
        Flagged share of the area.
    """

    helps: bool
    small: bool
    enough: bool
    weight: float
    n_folds: int
    n_test: int
    n_warnings: int
    hits_forecast: float
    hits_tuned: float
    pai_forecast: float
    pai_tuned: float
    gain: float
    gain_lo: float
    gain_hi: float
    share: float


def judge(
    hits: NDArray[np.float64],
    n_test: NDArray[np.float64],
    n_warned: NDArray[np.float64],
    weights: Sequence[float],
    share: float,
    *,
    min_folds: int,
    n_boot: int,
    seed: int,
) -> tuple[Verdict, NDArray[np.intp]]:
    """Judge the warnings from the hits per period and weight.

    Parameters
    ----------
    hits : ndarray
        Hits per period and weight (:func:`fold_hits`).
    n_test, n_warned : ndarray
        Incidents of each period, and warnings open at its start.
    weights : sequence of float
        The weights (ascending, 0 first).
    share : float
        Flagged share of the area (``a / A``).
    min_folds : int
        Periods before a weight is chosen (:func:`rolling_choice`).
    n_boot, seed : int
        Bootstrap resamples of the periods, and their seed.

    Returns
    -------
    Verdict
        The judgement.
    ndarray of int
        The weight column chosen per period.
    """
    chosen = rolling_choice(hits, min_folds)
    fair = np.arange(len(hits)) >= min_folds
    h0 = hits[fair, 0]
    ht = hits[np.flatnonzero(fair), chosen[fair]] if fair.any() else np.zeros(0)
    n = n_test[fair]
    total = float(n.sum())
    pai0 = float(h0.sum()) / total / share if total else np.nan
    pait = float(ht.sum()) / total / share if total else np.nan
    lo, hi = _gain_interval(h0, ht, n, share, n_boot, seed)
    n_warn = int(n_warned[fair].sum())
    enough = total >= MIN_TEST_EVENTS and n_warn >= MIN_WARNINGS
    sure = bool(enough and np.isfinite(lo) and lo > 0)
    big = bool(np.isfinite(pai0) and pait - pai0 >= MIN_GAIN * pai0)
    helps, small = sure and big, sure and not big
    best = int(np.argmax(np.round(hits[fair].sum(axis=0), 9))) if fair.any() else 0
    verdict = Verdict(
        helps, small, bool(enough), float(weights[best]) if helps else 0.0, int(fair.sum()),
        round(total), n_warn, float(h0.sum()), float(ht.sum()), pai0, pait,
        pait - pai0, lo, hi, share,
    )  # fmt: skip
    return verdict, chosen


def _gain_interval(
    h0: NDArray[np.float64],
    ht: NDArray[np.float64],
    n: NDArray[np.float64],
    share: float,
    n_boot: int,
    seed: int,
) -> tuple[float, float]:
    """95% bootstrap interval of the PAI gain, resampling whole periods (seeded)."""
    if len(n) < 2 or n.sum() <= 0 or n_boot <= 0:
        return np.nan, np.nan
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(n), size=(n_boot, len(n)))
    tot = n[idx].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        gains = (ht[idx].sum(axis=1) - h0[idx].sum(axis=1)) / tot / share
    gains = gains[np.isfinite(gains)]
    if not len(gains):
        return np.nan, np.nan
    return float(np.quantile(gains, 0.025)), float(np.quantile(gains, 0.975))


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class WarningBacktest:
    """What :func:`warning_backtest` measured.

    Attributes
    ----------
    table : DataFrame
        Per kabupaten/kota (``kabupaten_code``, ``jurisdiction``) and ``strategy``:
        ``"forecast"`` (alone), ``"forecast+warnings"`` (the weight chosen on earlier
        periods, the fair test), ``"w=<w>"`` for each fixed weight (chosen in
        hindsight: for reading, not a test), and ``"warning_cells"``: the cells with an
        open warning on their own (their incidents, and ``pai`` = those incidents over
        the ones their area would get by chance, whatever the flagged area); with
        ``weight``, ``fair``, ``n_periods``, ``n_test``, ``n_hits``, ``hit_rate`` (Wilson
        ``hit_rate_lo``/``hit_rate_hi``), ``pai``, ``pai_lo``/``pai_hi`` (from the
        hit-rate interval).
    periods : DataFrame
        Per jurisdiction and period: ``start``, ``end``, ``n_test``, ``n_warnings_open``,
        ``weight`` (chosen before the period), ``hits_forecast``, ``hits_tuned``,
        ``fair`` (after the first ``min_folds`` periods).
    verdicts : dict
        :class:`Verdict` per kabupaten/kota code.
    names : dict
        Name per code.
    cut : str
        The flagged area (``"5%"``, ``"2 km²"``).
    days : int
        Length of a period.
    """

    table: pd.DataFrame
    periods: pd.DataFrame = field(repr=False)
    verdicts: dict[str, Verdict] = field(repr=False)
    names: dict[str, str] = field(repr=False)
    cut: str = ""
    days: int = 7

    def weight(self, code: str | None = None) -> float:
        """Return the weight the backtest supports (0 unless warnings were shown to help).

        Parameters
        ----------
        code : str, optional
            A kabupaten/kota code; by default the only one tested.

        Returns
        -------
        float
        """
        if code is None:
            if len(self.verdicts) != 1:
                return 0.0
            code = next(iter(self.verdicts))
        verdict = self.verdicts.get(code)
        return verdict.weight if verdict is not None else 0.0

    def helps(self, code: str | None = None) -> bool:
        """Return whether warnings were shown to help (in ``code``, or in the only one)."""
        if code is None:
            return len(self.verdicts) == 1 and next(iter(self.verdicts.values())).helps
        verdict = self.verdicts.get(code)
        return bool(verdict is not None and verdict.helps)

    def describe(self, lang: str = "id") -> str:
        """One sentence per kabupaten/kota: do warnings help, by how much, which weight."""
        return "\n".join(
            verdict_text(v, self.names.get(c, c), self.cut, self.days, lang)
            for c, v in self.verdicts.items()
        )


def verdict_text(verdict: Verdict, unit: str, cut: str, days: int, lang: str = "id") -> str:
    """Return the sentence of a :class:`Verdict`.

    Parameters
    ----------
    verdict : Verdict
        The judgement.
    unit : str
        The jurisdiction's name.
    cut : str
        The flagged area.
    days : int
        Period length.
    lang : {"id", "en"}
        Language.

    Returns
    -------
    str
    """
    v = verdict
    if not v.enough:
        return tr(
            MESSAGES, "too_few", lang, unit=unit, nw=v.n_warnings, n=v.n_test, folds=v.n_folds,
            min_w=MIN_WARNINGS, min_n=MIN_TEST_EVENTS,
        )  # fmt: skip
    n = max(v.n_test, 1)
    key = "helps" if v.helps else ("small" if v.small else "no_help")
    return tr(
        MESSAGES, key, lang, unit=unit, area=cut, margin=100 * MIN_GAIN,
        h0=100 * v.hits_forecast / n, ht=100 * v.hits_tuned / n, p0=v.pai_forecast,
        pt=v.pai_tuned, gain=v.gain, lo=_nan0(v.gain_lo), hi=_nan0(v.gain_hi),
        folds=v.n_folds, days=days, n=v.n_test, nw=v.n_warnings, w=v.weight,
    )  # fmt: skip


def _nan0(x: float) -> float:
    return 0.0 if not np.isfinite(x) else x


# --------------------------------------------------------------------------- the backtest

#: A forecaster as in :func:`~kamtibmas_geo.evaluate.backtest`.
Forecaster = Callable[[gpd.GeoDataFrame, Any, gpd.GeoDataFrame], pd.Series]


def warning_backtest(
    records: pd.DataFrame,
    warnings: pd.DataFrame,
    *,
    res: int = 9,
    region: str | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    days: int = 7,
    area_share: float | None = 0.05,
    area_km2: float | None = None,
    weights: Sequence[float] = WEIGHTS,
    forecaster: Forecaster | None = None,
    half_life_days: float = 90.0,
    ring_weight: float = RING_WEIGHT,
    min_folds: int = 4,
    min_history_days: float = 90.0,
    n_boot: int = 400,
    seed: int = 0,
    settings: Settings | None = None,
) -> WarningBacktest:
    """Test whether early warnings predict the incidents of the following days.

    Parameters
    ----------
    records : GeoDataFrame or DataFrame
        Incidents (``time``; Point geometry or ``lat``/``lon``), as for
        :func:`~kamtibmas_geo.evaluate.backtest`. Not changed.
    warnings : GeoDataFrame or DataFrame
        Early warnings (``time`` reported; optionally ``expected_start``/``expected_end``;
        a point or ``lat``/``lon``). Every warning counts whatever its ``status``: a
        status is known only afterwards. Not changed.
    res : int
        H3 resolution.
    region : str, optional
        Only this kabupaten/kota (``"palembang"``, ``"16.02"``...).
    boundaries : GeoDataFrame, optional
        Own polygons of the study area, as for :func:`~kamtibmas_geo.evaluate.backtest`.
    days : int
        Length of a test period; the warnings open at its start are those expected in
        these days (or reported in the last ones when they name no time).
    area_share, area_km2 : float, optional
        The flagged area: a share of each jurisdiction's area or km² (km² wins).
    weights : sequence of float
        Weights tried for the warnings (must hold 0, the forecast alone).
    forecaster : callable, optional
        ``(train_records, window, cells) -> Series`` indexed by ``hex_id``, as for
        :func:`~kamtibmas_geo.evaluate.backtest`. By default exponentially decayed counts
        (``half_life_days``) smoothed over one H3 ring: quick enough for every week; pass
        :func:`~kamtibmas_geo.evaluate.auto_forecaster` ``()`` to test against the
        self-tuning forecaster.
    half_life_days : float
        Half-life of the default forecaster.
    ring_weight : float
        Share of a warning given to the 6 cells around its cell (0: the cell only).
    min_folds : int
        Periods used only to choose the weight before the first fair test.
    min_history_days : float
        Incident history needed before the first period.
    n_boot, seed : int
        Bootstrap resamples of the periods, and their seed.
    settings : Settings, optional
        Boundary pack location, timezone.

    Returns
    -------
    WarningBacktest
        ``table``, ``periods``, ``verdicts``; :meth:`WarningBacktest.describe` says in
        one sentence per kabupaten/kota whether warnings help ("Informasi dini membantu
        ..." / "... tidak terbukti membantu ...") and :meth:`WarningBacktest.weight`
        gives the weight supported (0 unless they help).

    Raises
    ------
    SettingsError
        If ``weights`` lack 0 or hold a negative number, or ``days`` < 1.

    Warns
    -----
    FewWarningsWarning
        For a jurisdiction with fewer than 10 warnings or 30 test incidents.
    """
    check_res(res)
    settings = settings or Settings()
    grid = _weights(weights)
    if int(days) < 1:
        raise SettingsError.say(MESSAGES, "days", got=days)
    cut = cuts_of([], [area_km2])[0] if area_km2 else cuts_of([area_share or 0.05])[0]
    units = jurisdictions(units_of(boundaries, region, settings), res, settings=settings)
    history = _history(records, res, units, settings.timezone)
    warns = _placed_warnings(warnings, res)
    starts = _period_starts(history, warns, int(days), min_history_days)
    job = _Test(
        history, warns, starts, int(days), grid, cut, forecaster, half_life_days, ring_weight
    )
    tables, periods, verdicts, names = [], [], {}, {}
    for unit in units:
        hits, n_test, n_warned, own = job.unit_hits(unit)
        verdict, chosen = judge(
            hits, n_test, n_warned, grid, cut.area(unit.area_km2) / unit.area_km2,
            min_folds=min_folds, n_boot=n_boot, seed=seed,
        )  # fmt: skip
        if not verdict.enough:
            pywarnings.warn(
                FewWarningsWarning.say(
                    MESSAGES, "few", unit=unit.name, nw=verdict.n_warnings,
                    n=verdict.n_test, min_w=MIN_WARNINGS, min_n=MIN_TEST_EVENTS,
                ),
                stacklevel=2,
            )  # fmt: skip
        verdicts[unit.code], names[unit.code] = verdict, unit.name
        table = _unit_table(unit, hits, chosen, n_test, grid, min_folds, verdict.share)
        tables.append(pd.concat([table, _own_row(unit, own, n_test, min_folds)], ignore_index=True))
        periods.append(_unit_periods(unit, job, hits, chosen, n_test, n_warned, grid, min_folds))
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    frame = pd.concat(periods, ignore_index=True) if periods else pd.DataFrame()
    return WarningBacktest(table, frame, verdicts, names, cut.label, int(days))


def _weights(weights: Sequence[float]) -> list[float]:
    try:
        grid = sorted({float(w) for w in weights})
    except (TypeError, ValueError) as exc:
        raise SettingsError.say(MESSAGES, "weights", got=weights) from exc
    if not grid or grid[0] != 0.0 or not all(np.isfinite(grid)):
        raise SettingsError.say(MESSAGES, "weights", got=weights)
    return grid


@dataclass(frozen=True)
class _Warnings:
    """The warnings on the cells: their times (read once) and cell."""

    times: tuple[pd.Series, pd.Series, pd.Series]
    hex_ids: NDArray[np.object_]


def _placed_warnings(warnings: Any, res: int) -> _Warnings:
    from kamtibmas_geo.score._early import _cells_of, _table, warning_times

    frame = _table(warnings, "warnings")
    frame = frame.drop(columns=["hex_id"], errors="ignore")  # placed here at ``res``
    return _Warnings(warning_times(frame), _cells_of(frame, res))


def _period_starts(
    history: _History, warns: _Warnings, days: int, min_history_days: float
) -> list[pd.Timestamp]:
    """Return the period starts: from the first warning (with history before) to the data end."""
    times = history.times[history.inside & history.precise]
    reported = warns.times[0].dropna()
    if not len(times) or not len(reported):
        return []
    first = max(
        reported.min().normalize() + pd.Timedelta(days=1),
        (times.min() + pd.Timedelta(days=min_history_days)).normalize(),
    )
    step = pd.Timedelta(days=days)
    last = times.max()
    out = []
    t = first
    while t + step <= last + pd.Timedelta(days=1):
        out.append(t)
        t = t + step
    return out


@dataclass(frozen=True)
class _Test:
    """One warning backtest: the data, the periods and the forecast."""

    history: _History
    warns: _Warnings
    starts: list[pd.Timestamp]
    days: int
    weights: list[float]
    cut: Cut
    forecaster: Forecaster | None
    half_life: float
    ring_weight: float

    def unit_hits(
        self, unit: Jurisdiction
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Hits per period and weight, incidents and open warnings per period.

        The fourth array holds, per period, the incidents in the cells with an open warning
        and the incidents their area would get by chance (``n_test × area share``).
        """
        from kamtibmas_geo.score._early import coming_at

        h = self.history
        index = unit.index
        areas = unit.areas.to_numpy(dtype=float)
        area = self.cut.area(float(areas.sum()))
        mine = h.inside & h.precise & h.unit_of[unit.code]
        pos = index.get_indexer(pd.Index(h.hex_ids.astype(str)))
        t = h.times
        kernel = ring_kernel(list(index), self.ring_weight)
        smooth = _smoother(index)
        w_pos = index.get_indexer(pd.Index(self.warns.hex_ids))
        ahead = pd.Timedelta(days=self.days)
        hits = np.zeros((len(self.starts), len(self.weights)))
        n_test = np.zeros(len(self.starts))
        n_warned = np.zeros(len(self.starts))
        own = np.zeros((len(self.starts), 2))
        total = float(areas.sum())
        for k, t0 in enumerate(self.starts):
            t1 = t0 + ahead
            test = mine & ((t >= t0) & (t < t1)).to_numpy()
            observed = np.bincount(pos[test], minlength=len(index)).astype(float)
            open_now = coming_at(self.warns.times, t0, ahead) & (w_pos >= 0)
            counts = np.bincount(w_pos[open_now], minlength=len(index)).astype(float)
            f = self._forecast(unit, t0, t1, mine, pos, smooth)
            g = warning_signal(counts, kernel)
            hits[k] = fold_hits(f, g, observed, areas, area, self.weights)
            n_test[k], n_warned[k] = observed.sum(), open_now.sum()
            warned = g > 0
            own[k] = observed[warned].sum(), observed.sum() * areas[warned].sum() / total
        return hits, n_test, n_warned, own

    def _forecast(
        self,
        unit: Jurisdiction,
        t0: pd.Timestamp,
        t1: pd.Timestamp,
        mine: NDArray[np.bool_],
        pos: NDArray[np.intp],
        smooth: sp.csr_array,
    ) -> NDArray[np.float64]:
        """Return the forecast of one period from the incidents strictly before it."""
        h = self.history
        before = (h.times < t0).to_numpy()
        if self.forecaster is not None:
            train = h.gdf.iloc[np.flatnonzero(before)].copy()
            raw = pd.Series(self.forecaster(train, as_window((t0, t1)), unit.cells), dtype=float)
            raw.index = raw.index.astype(str)
            return np.asarray(raw.reindex(unit.index).fillna(0.0), dtype=np.float64)
        sel = before & mine
        age = (t0 - h.times[sel]).dt.total_seconds().to_numpy() / 86400.0
        w = 0.5 ** (age / self.half_life)
        counts = np.bincount(pos[sel], weights=w, minlength=len(unit.index))
        return np.asarray(smooth @ counts, dtype=float)


def _smoother(index: pd.Index) -> sp.csr_array:
    """Return the row-normalised triangular kernel over one ring (as the forecaster's)."""
    from kamtibmas_geo.score._gistar import disk_pairs

    n = len(index)
    rows, cols, dist = disk_pairs(list(index), 1)
    kern = sp.csr_array(((2 - dist) / 2, (rows, cols)), shape=(n, n))
    return sp.csr_array(sp.diags(1 / (kern @ np.ones(n))) @ kern)


def _unit_table(
    unit: Jurisdiction,
    hits: NDArray[np.float64],
    chosen: NDArray[np.intp],
    n_test: NDArray[np.float64],
    weights: Sequence[float],
    min_folds: int,
    share: float,
) -> pd.DataFrame:
    """Rows of one jurisdiction: forecast alone, with warnings (fair), each fixed weight."""
    fair = np.arange(len(hits)) >= min_folds
    rows = [("forecast", 0.0, True, hits[fair, 0])]
    tuned = hits[np.flatnonzero(fair), chosen[fair]] if fair.any() else np.zeros(0)
    rows.append(("forecast+warnings", np.nan, True, tuned))
    rows += [(f"w={w:g}", float(w), False, hits[fair, j]) for j, w in enumerate(weights) if w]
    n = float(n_test[fair].sum())
    out = []
    for name, w, is_fair, h in rows:
        caught = float(h.sum())
        lo, hi = wilson(caught, n)
        rate = caught / n if n else np.nan
        out.append({
            "kabupaten_code": unit.code, "jurisdiction": unit.name, "strategy": name,
            "weight": w, "fair": is_fair, "n_periods": int(fair.sum()), "n_test": int(n),
            "n_hits": caught, "hit_rate": rate, "hit_rate_lo": lo, "hit_rate_hi": hi,
            "pai": rate / share, "pai_lo": lo / share, "pai_hi": hi / share,
        })  # fmt: skip
    return pd.DataFrame(out)


def _own_row(
    unit: Jurisdiction, own: NDArray[np.float64], n_test: NDArray[np.float64], min_folds: int
) -> pd.DataFrame:
    """Return the row of the cells with an open warning: their incidents against chance."""
    fair = np.arange(len(own)) >= min_folds
    caught, expected = float(own[fair, 0].sum()), float(own[fair, 1].sum())
    n = float(n_test[fair].sum())
    lo, hi = wilson(caught, n)
    ratio = n / expected if expected > 0 else np.nan
    return pd.DataFrame([{
        "kabupaten_code": unit.code, "jurisdiction": unit.name, "strategy": "warning_cells",
        "weight": np.nan, "fair": True, "n_periods": int(fair.sum()), "n_test": int(n),
        "n_hits": caught, "hit_rate": caught / n if n else np.nan, "hit_rate_lo": lo,
        "hit_rate_hi": hi, "pai": caught / expected if expected > 0 else np.nan,
        "pai_lo": lo * ratio, "pai_hi": hi * ratio,
    }])  # fmt: skip


def _unit_periods(
    unit: Jurisdiction,
    job: _Test,
    hits: NDArray[np.float64],
    chosen: NDArray[np.intp],
    n_test: NDArray[np.float64],
    n_warned: NDArray[np.float64],
    weights: Sequence[float],
    min_folds: int,
) -> pd.DataFrame:
    step = pd.Timedelta(days=job.days)
    k = np.arange(len(job.starts))
    return pd.DataFrame(
        {
            "kabupaten_code": unit.code,
            "start": pd.Series(job.starts, dtype=object),
            "end": pd.Series([t + step for t in job.starts], dtype=object),
            "n_test": n_test.astype(np.int64),
            "n_warnings_open": n_warned.astype(np.int64),
            "weight": np.asarray(weights, dtype=float)[chosen] if len(k) else np.zeros(0),
            "hits_forecast": hits[:, 0] if len(k) else np.zeros(0),
            "hits_tuned": hits[k, chosen] if len(k) else np.zeros(0),
            "fair": k >= min_folds,
        }
    )
