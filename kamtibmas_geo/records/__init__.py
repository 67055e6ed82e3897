"""One reader for every input: encodings, headers, coordinates, dates; the ledger."""

from __future__ import annotations

from kamtibmas_geo.records._early import EARLY_COLUMNS as EARLY_COLUMNS
from kamtibmas_geo.records._early import PRIVATE_COLUMNS as PRIVATE_COLUMNS
from kamtibmas_geo.records._early import WARNING_ROLES as WARNING_ROLES
from kamtibmas_geo.records._early import WARNING_STATUSES as WARNING_STATUSES
from kamtibmas_geo.records._headers import EARLY_ALIASES as EARLY_ALIASES
from kamtibmas_geo.records._headers import PLACE_ALIASES as PLACE_ALIASES
from kamtibmas_geo.records._headers import describe_columns as describe_columns
from kamtibmas_geo.records._headers import parse_columns as parse_columns
from kamtibmas_geo.records._places import read_places as read_places
from kamtibmas_geo.records._read import ALIASES as ALIASES
from kamtibmas_geo.records._read import RECORD_COLUMNS as RECORD_COLUMNS
from kamtibmas_geo.records._read import REJECTED_COLUMNS as REJECTED_COLUMNS
from kamtibmas_geo.records._read import RecordSet as RecordSet
from kamtibmas_geo.records._read import Taxonomy as Taxonomy
from kamtibmas_geo.records._read import encoding_label as encoding_label
from kamtibmas_geo.records._read import find_duplicates as find_duplicates
from kamtibmas_geo.records._read import ledger_summary as ledger_summary
from kamtibmas_geo.records._read import load_taxonomy as load_taxonomy
from kamtibmas_geo.records._read import read_records as read_records
from kamtibmas_geo.records._read import sanitize_for_export as sanitize_for_export

__all__ = [
    "ALIASES",
    "EARLY_ALIASES",
    "EARLY_COLUMNS",
    "PLACE_ALIASES",
    "PRIVATE_COLUMNS",
    "RECORD_COLUMNS",
    "REJECTED_COLUMNS",
    "WARNING_ROLES",
    "WARNING_STATUSES",
    "RecordSet",
    "Taxonomy",
    "describe_columns",
    "encoding_label",
    "find_duplicates",
    "ledger_summary",
    "load_taxonomy",
    "parse_columns",
    "read_places",
    "read_records",
    "sanitize_for_export",
]
