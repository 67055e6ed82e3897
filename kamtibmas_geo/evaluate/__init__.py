"""Backtests of forecasts and the self-tuning forecaster.

Hit rate, PAI and PEI against naive baselines; the forecaster chooses among candidates on
the user's own history.
"""

from __future__ import annotations

from kamtibmas_geo.evaluate._backtest import BASELINES as BASELINES
from kamtibmas_geo.evaluate._backtest import BacktestOptions as BacktestOptions
from kamtibmas_geo.evaluate._backtest import BacktestResult as BacktestResult
from kamtibmas_geo.evaluate._backtest import FewEventsWarning as FewEventsWarning
from kamtibmas_geo.evaluate._backtest import Forecaster as Forecaster
from kamtibmas_geo.evaluate._backtest import backtest as backtest
from kamtibmas_geo.evaluate._backtest import kde_scores as kde_scores
from kamtibmas_geo.evaluate._backtest import rank_metrics as rank_metrics
from kamtibmas_geo.evaluate._backtest import score_forecaster as score_forecaster
from kamtibmas_geo.evaluate._early import FewWarningsWarning as FewWarningsWarning
from kamtibmas_geo.evaluate._early import WarningBacktest as WarningBacktest
from kamtibmas_geo.evaluate._early import warning_backtest as warning_backtest
from kamtibmas_geo.evaluate._forecast import CANDIDATES as CANDIDATES
from kamtibmas_geo.evaluate._forecast import LEARNED as LEARNED
from kamtibmas_geo.evaluate._forecast import Selection as Selection
from kamtibmas_geo.evaluate._forecast import auto_forecaster as auto_forecaster
from kamtibmas_geo.evaluate._forecast import select_forecast as select_forecast
from kamtibmas_geo.evaluate._window import Window as Window

__all__ = [
    "BASELINES",
    "CANDIDATES",
    "LEARNED",
    "BacktestOptions",
    "BacktestResult",
    "FewEventsWarning",
    "FewWarningsWarning",
    "Forecaster",
    "Selection",
    "WarningBacktest",
    "Window",
    "auto_forecaster",
    "backtest",
    "kde_scores",
    "rank_metrics",
    "score_forecaster",
    "select_forecast",
    "warning_backtest",
]
