"""Cell counts, scores, Gi* hot spots, emerging hot spots and rollups."""

from __future__ import annotations

from kamtibmas_geo.score._early import open_warnings as open_warnings
from kamtibmas_geo.score._score import TREND_CLASSES as TREND_CLASSES
from kamtibmas_geo.score._score import GiStarResult as GiStarResult
from kamtibmas_geo.score._score import MannKendall as MannKendall
from kamtibmas_geo.score._score import RollupLevel as RollupLevel
from kamtibmas_geo.score._score import ScoreOptions as ScoreOptions
from kamtibmas_geo.score._score import Season as Season
from kamtibmas_geo.score._score import emerging_classes as emerging_classes
from kamtibmas_geo.score._score import emerging_hotspots as emerging_hotspots
from kamtibmas_geo.score._score import fdr_bh as fdr_bh
from kamtibmas_geo.score._score import gi_star as gi_star
from kamtibmas_geo.score._score import mann_kendall as mann_kendall
from kamtibmas_geo.score._score import min_permutations as min_permutations
from kamtibmas_geo.score._score import neighbour_matrix as neighbour_matrix
from kamtibmas_geo.score._score import rollup as rollup
from kamtibmas_geo.score._score import score_hotspots as score_hotspots
from kamtibmas_geo.score._score import seasonal_uplift as seasonal_uplift
from kamtibmas_geo.score._score import smooth as smooth
from kamtibmas_geo.score._warnings import SmallSampleWarning as SmallSampleWarning
from kamtibmas_geo.score._warnings import SparseInferenceWarning as SparseInferenceWarning

__all__ = [
    "TREND_CLASSES",
    "GiStarResult",
    "MannKendall",
    "RollupLevel",
    "ScoreOptions",
    "Season",
    "SmallSampleWarning",
    "SparseInferenceWarning",
    "emerging_classes",
    "emerging_hotspots",
    "fdr_bh",
    "gi_star",
    "mann_kendall",
    "min_permutations",
    "neighbour_matrix",
    "open_warnings",
    "rollup",
    "score_hotspots",
    "seasonal_uplift",
    "smooth",
]
