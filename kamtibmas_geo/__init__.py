"""kamtibmas_geo: hotspot analysis and patrol planning for Binmas analysts in OKI and Palembang.

The public surface is the handful of functions an analyst calls; each pipeline stage
lives in its own module (see ``docs/``)::

    import kamtibmas_geo as kg

    records, rejected = kg.read_records("gangguan.csv", kind="disturbance")
    placed = kg.geocode(records, res=9)
    cells = kg.score_hotspots(placed.records, target="ramadhan-1448")
    kg.render_map(cells, records=placed.records, out="peta.html")
"""

from __future__ import annotations

from kamtibmas_geo._errors import (
    BoundaryError,
    ChecksumError,
    DependencyError,
    GeocodeError,
    KamtibmasGeoError,
    NoUnitWarning,
    OutputError,
    PlanError,
    ProvisionalDateWarning,
    RecordError,
    RegionError,
    ScoreError,
    SettingsError,
)
from kamtibmas_geo.boundaries._pack import MissingVillageWarning as MissingVillageWarning
from kamtibmas_geo.boundaries._pack import build_pack as build_pack
from kamtibmas_geo.boundaries._pack import load_boundaries as load_boundaries
from kamtibmas_geo.boundaries._pack import missing_villages as missing_villages
from kamtibmas_geo.boundaries._polsek import add_polsek as add_polsek
from kamtibmas_geo.boundaries._polsek import polsek_table as polsek_table
from kamtibmas_geo.calendar._dates import RamadhanDates as RamadhanDates
from kamtibmas_geo.calendar._dates import label_phases as label_phases
from kamtibmas_geo.calendar._dates import parse_target as parse_target
from kamtibmas_geo.calendar._dates import phases as phases
from kamtibmas_geo.calendar._dates import ramadhan_dates as ramadhan_dates
from kamtibmas_geo.calendar._dates import time_window as time_window
from kamtibmas_geo.config import Settings as Settings
from kamtibmas_geo.demo import DemoResult as DemoResult
from kamtibmas_geo.demo import run_demo as run_demo
from kamtibmas_geo.evaluate._backtest import BacktestOptions as BacktestOptions
from kamtibmas_geo.evaluate._backtest import BacktestResult as BacktestResult
from kamtibmas_geo.evaluate._backtest import backtest as backtest
from kamtibmas_geo.geocode._geocode import build_gazetteer as build_gazetteer
from kamtibmas_geo.geocode._geocode import geocode as geocode
from kamtibmas_geo.geocode._geocode import read_landmarks as read_landmarks
from kamtibmas_geo.grid._cells import assign_units as assign_units
from kamtibmas_geo.grid._cells import cells_to_gdf as cells_to_gdf
from kamtibmas_geo.grid._cells import crosswalk as crosswalk
from kamtibmas_geo.grid._cells import points_to_cells as points_to_cells
from kamtibmas_geo.grid._cells import region_cells as region_cells
from kamtibmas_geo.grid._cells import to_cells as to_cells
from kamtibmas_geo.plan._patrol import PatrolOptions as PatrolOptions
from kamtibmas_geo.plan._patrol_export import patrol_files as patrol_files
from kamtibmas_geo.plan._poskamling import PoskamlingOptions as PoskamlingOptions
from kamtibmas_geo.plan._poskamling import PoskamlingPlan as PoskamlingPlan
from kamtibmas_geo.plan._poskamling import patrol_html as patrol_html
from kamtibmas_geo.plan._poskamling import patrol_plan as patrol_plan
from kamtibmas_geo.plan._poskamling import plan_poskamling as plan_poskamling
from kamtibmas_geo.records._read import RecordSet as RecordSet
from kamtibmas_geo.records._read import ledger_summary as ledger_summary
from kamtibmas_geo.records._read import load_taxonomy as load_taxonomy
from kamtibmas_geo.records._read import read_records as read_records
from kamtibmas_geo.records._read import sanitize_for_export as sanitize_for_export
from kamtibmas_geo.render._export import export_cells as export_cells
from kamtibmas_geo.render._map import MapOptions as MapOptions
from kamtibmas_geo.render._map import render_map as render_map
from kamtibmas_geo.render._map import save_png as save_png
from kamtibmas_geo.sample._sample import SampleData as SampleData
from kamtibmas_geo.sample._sample import make_sample as make_sample
from kamtibmas_geo.sample._sample import write_sample as write_sample
from kamtibmas_geo.scale._dataset import write_dataset as write_dataset
from kamtibmas_geo.scale._run import run_dataset as run_dataset
from kamtibmas_geo.score._early import open_warnings as open_warnings
from kamtibmas_geo.score._score import ScoreOptions as ScoreOptions
from kamtibmas_geo.score._score import gi_star as gi_star
from kamtibmas_geo.score._score import rollup as rollup
from kamtibmas_geo.score._score import score_hotspots as score_hotspots
from kamtibmas_geo.score._warnings import SmallSampleWarning as SmallSampleWarning
from kamtibmas_geo.score._warnings import SparseInferenceWarning as SparseInferenceWarning

__version__ = "0.1.0"

__all__ = [
    "BacktestOptions",
    "BacktestResult",
    "BoundaryError",
    "ChecksumError",
    "DemoResult",
    "DependencyError",
    "GeocodeError",
    "KamtibmasGeoError",
    "MapOptions",
    "MissingVillageWarning",
    "NoUnitWarning",
    "OutputError",
    "PatrolOptions",
    "PlanError",
    "PoskamlingOptions",
    "PoskamlingPlan",
    "ProvisionalDateWarning",
    "RamadhanDates",
    "RecordError",
    "RecordSet",
    "RegionError",
    "SampleData",
    "ScoreError",
    "ScoreOptions",
    "Settings",
    "SettingsError",
    "SmallSampleWarning",
    "SparseInferenceWarning",
    "__version__",
    "add_polsek",
    "assign_units",
    "backtest",
    "build_gazetteer",
    "build_pack",
    "cells_to_gdf",
    "crosswalk",
    "export_cells",
    "geocode",
    "gi_star",
    "label_phases",
    "ledger_summary",
    "load_boundaries",
    "load_taxonomy",
    "make_sample",
    "missing_villages",
    "open_warnings",
    "parse_target",
    "patrol_files",
    "patrol_html",
    "patrol_plan",
    "phases",
    "plan_poskamling",
    "points_to_cells",
    "polsek_table",
    "ramadhan_dates",
    "read_landmarks",
    "read_records",
    "region_cells",
    "render_map",
    "rollup",
    "run_dataset",
    "run_demo",
    "sanitize_for_export",
    "save_png",
    "score_hotspots",
    "time_window",
    "to_cells",
    "write_dataset",
    "write_sample",
]
