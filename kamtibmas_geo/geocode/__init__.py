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

__all__ = [
    "GEOCODE_STATUSES",
    "Gazetteer",
    "Match",
    "Matcher",
    "Place",
    "RecordSet",
    "build_gazetteer",
    "geocode",
    "read_landmarks",
]
