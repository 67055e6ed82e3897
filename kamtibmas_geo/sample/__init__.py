"""Seeded synthetic data for the demo, the examples and the tests."""

from __future__ import annotations

from kamtibmas_geo.sample._sample import ACTIVITY_TYPES as ACTIVITY_TYPES
from kamtibmas_geo.sample._sample import DISTURBANCE_TYPES as DISTURBANCE_TYPES
from kamtibmas_geo.sample._sample import SAMPLE_END as SAMPLE_END
from kamtibmas_geo.sample._sample import SAMPLE_START as SAMPLE_START
from kamtibmas_geo.sample._sample import SampleData as SampleData
from kamtibmas_geo.sample._sample import make_sample as make_sample
from kamtibmas_geo.sample._sample import write_sample as write_sample
from kamtibmas_geo.sample._sample import write_tables as write_tables

__all__ = [
    "ACTIVITY_TYPES",
    "DISTURBANCE_TYPES",
    "SAMPLE_END",
    "SAMPLE_START",
    "SampleData",
    "make_sample",
    "write_sample",
    "write_tables",
]
