"""The boundary packs of Sumatera Selatan: pinned upstream, checksums, cache, loading, Polsek."""

from __future__ import annotations

from kamtibmas_geo.boundaries._names import display_name as display_name
from kamtibmas_geo.boundaries._names import kecamatan_display_name as kecamatan_display_name
from kamtibmas_geo.boundaries._pack import AREA_TOLERANCE as AREA_TOLERANCE
from kamtibmas_geo.boundaries._pack import BUILDER_VERSION as BUILDER_VERSION
from kamtibmas_geo.boundaries._pack import EQUAL_AREA_CRS as EQUAL_AREA_CRS
from kamtibmas_geo.boundaries._pack import EXPECTED_COUNTS as EXPECTED_COUNTS
from kamtibmas_geo.boundaries._pack import MISSING_COLUMNS as MISSING_COLUMNS
from kamtibmas_geo.boundaries._pack import OVERLAP_TOLERANCE_M2 as OVERLAP_TOLERANCE_M2
from kamtibmas_geo.boundaries._pack import PACK_FILES as PACK_FILES
from kamtibmas_geo.boundaries._pack import REGIONS as REGIONS
from kamtibmas_geo.boundaries._pack import Level as Level
from kamtibmas_geo.boundaries._pack import MissingVillageWarning as MissingVillageWarning
from kamtibmas_geo.boundaries._pack import PackCheck as PackCheck
from kamtibmas_geo.boundaries._pack import PackInfo as PackInfo
from kamtibmas_geo.boundaries._pack import build_pack as build_pack
from kamtibmas_geo.boundaries._pack import check_pack as check_pack
from kamtibmas_geo.boundaries._pack import load_boundaries as load_boundaries
from kamtibmas_geo.boundaries._pack import missing_villages as missing_villages
from kamtibmas_geo.boundaries._pack import pack_info as pack_info
from kamtibmas_geo.boundaries._pack import region_packs as region_packs
from kamtibmas_geo.boundaries._pack import resolve_region as resolve_region
from kamtibmas_geo.boundaries._polsek import POLSEK_COLUMNS as POLSEK_COLUMNS
from kamtibmas_geo.boundaries._polsek import PolsekMapping as PolsekMapping
from kamtibmas_geo.boundaries._polsek import add_polsek as add_polsek
from kamtibmas_geo.boundaries._polsek import polsek_table as polsek_table
from kamtibmas_geo.boundaries._regions import DEFAULT_CODES as DEFAULT_CODES
from kamtibmas_geo.boundaries._regions import PROVINCE as PROVINCE
from kamtibmas_geo.boundaries._regions import PROVINCE_CODES as PROVINCE_CODES
from kamtibmas_geo.boundaries._regions import RegionArg as RegionArg
from kamtibmas_geo.boundaries._regions import RegionFacts as RegionFacts
from kamtibmas_geo.boundaries._regions import region_name as region_name

__all__ = [
    "AREA_TOLERANCE",
    "BUILDER_VERSION",
    "DEFAULT_CODES",
    "EQUAL_AREA_CRS",
    "EXPECTED_COUNTS",
    "MISSING_COLUMNS",
    "OVERLAP_TOLERANCE_M2",
    "PACK_FILES",
    "POLSEK_COLUMNS",
    "PROVINCE",
    "PROVINCE_CODES",
    "REGIONS",
    "Level",
    "MissingVillageWarning",
    "PackCheck",
    "PackInfo",
    "PolsekMapping",
    "RegionArg",
    "RegionFacts",
    "add_polsek",
    "build_pack",
    "check_pack",
    "display_name",
    "kecamatan_display_name",
    "load_boundaries",
    "missing_villages",
    "pack_info",
    "polsek_table",
    "region_name",
    "region_packs",
    "resolve_region",
]
