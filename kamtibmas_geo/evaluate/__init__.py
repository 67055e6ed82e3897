"""Backtests of forecasts: hit rate, PAI and PEI against naive baselines."""

from __future__ import annotations

from kamtibmas_geo.evaluate._backtest import BASELINES as BASELINES
from kamtibmas_geo.evaluate._backtest import BacktestOptions as BacktestOptions
from kamtibmas_geo.evaluate._backtest import BacktestResult as BacktestResult
from kamtibmas_geo.evaluate._backtest import Forecaster as Forecaster
from kamtibmas_geo.evaluate._backtest import backtest as backtest
from kamtibmas_geo.evaluate._backtest import kde_scores as kde_scores
from kamtibmas_geo.evaluate._backtest import rank_metrics as rank_metrics
from kamtibmas_geo.evaluate._backtest import score_forecaster as score_forecaster

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
