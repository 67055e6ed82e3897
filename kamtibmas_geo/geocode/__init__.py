"""Offline geocoding: the gazetteer, the matcher, placing records on the map."""

from __future__ import annotations

from kamtibmas_geo.geocode._geocode import GEOCODE_STATUSES as GEOCODE_STATUSES
from kamtibmas_geo.geocode._geocode import Gazetteer as Gazetteer
from kamtibmas_geo.geocode._geocode import Match as Match
from kamtibmas_geo.geocode._geocode import Matcher as Matcher
from kamtibmas_geo.geocode._geocode import Place as Place
from kamtibmas_geo.geocode._geocode import RecordSet as RecordSet
from kamtibmas_geo.geocode._geocode import build_gazetteer as build_gazetteer
from kamtibmas_geo.geocode._geocode import geocode as geocode
from kamtibmas_geo.geocode._geocode import read_landmarks as read_landmarks
from kamtibmas_geo.geocode._review import REVIEW_COLUMNS as REVIEW_COLUMNS
from kamtibmas_geo.geocode._review import read_corrections as read_corrections
from kamtibmas_geo.geocode._review import review_table as review_table

__all__ = [
    "GEOCODE_STATUSES",
    "REVIEW_COLUMNS",
    "Gazetteer",
    "Match",
    "Matcher",
    "Place",
    "RecordSet",
    "build_gazetteer",
    "geocode",
    "read_corrections",
    "read_landmarks",
    "review_table",
]
