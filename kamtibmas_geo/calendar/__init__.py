"""Ramadhan and Idul Fitri dates, phases, prayer times and patrol windows."""

from __future__ import annotations

from kamtibmas_geo.calendar._dates import PHASE_LABELS as PHASE_LABELS
from kamtibmas_geo.calendar._dates import PHASE_PRIORITY as PHASE_PRIORITY
from kamtibmas_geo.calendar._dates import PHASES as PHASES
from kamtibmas_geo.calendar._dates import TIME_WINDOWS as TIME_WINDOWS
from kamtibmas_geo.calendar._dates import CalendarMethod as CalendarMethod
from kamtibmas_geo.calendar._dates import RamadhanDates as RamadhanDates
from kamtibmas_geo.calendar._dates import label_phases as label_phases
from kamtibmas_geo.calendar._dates import overrides_from_dates as overrides_from_dates
from kamtibmas_geo.calendar._dates import parse_target as parse_target
from kamtibmas_geo.calendar._dates import phases as phases
from kamtibmas_geo.calendar._dates import ramadhan_dates as ramadhan_dates
from kamtibmas_geo.calendar._dates import ramadhan_for_gregorian as ramadhan_for_gregorian
from kamtibmas_geo.calendar._dates import read_overrides as read_overrides
from kamtibmas_geo.calendar._dates import time_window as time_window

__all__ = [
    "PHASES",
    "PHASE_LABELS",
    "PHASE_PRIORITY",
    "TIME_WINDOWS",
    "CalendarMethod",
    "RamadhanDates",
    "label_phases",
    "overrides_from_dates",
    "parse_target",
    "phases",
    "ramadhan_dates",
    "ramadhan_for_gregorian",
    "read_overrides",
    "time_window",
]
