"""Shared fixtures: the real boundary pack from the local verbatim copy in ``../shared/data``.

``KAMTIBMAS_GEO_SOURCE`` names the copy (``.ci/run`` and the README set it); tests never
touch the network. The pack is built once into ``KAMTIBMAS_GEO_CACHE`` (or a per-session
temporary folder) and shared by every test.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import settings as hypothesis_settings

from kamtibmas_geo.config import Settings

ROOT = Path(__file__).resolve().parents[1]
# CI runs the same property-test examples every time (a red CI must mean a change broke
# something); HYPOTHESIS_PROFILE=explore searches new random examples on a developer's machine.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", max_examples=2000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SHARED_DATA = Path(os.environ.get("KAMTIBMAS_GEO_SOURCE", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def source_dir() -> Path:
    """The local verbatim copy of the upstream boundary files."""
    if not (SHARED_DATA / "wilayah_boundaries").is_dir():
        pytest.fail(f"Upstream copy not found at {SHARED_DATA}; set KAMTIBMAS_GEO_SOURCE.")
    return SHARED_DATA.resolve()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Cache folder of the built pack, shared by the whole session."""
    env = os.environ.get("KAMTIBMAS_GEO_CACHE")
    return Path(env) if env else tmp_path_factory.getbasetemp().parent / "kg-cache"


@pytest.fixture(scope="session")
def settings(source_dir: Path, cache_dir: Path) -> Settings:
    """Settings pointing at the local upstream copy and the session cache."""
    return Settings(source=str(source_dir), cache_dir=str(cache_dir))


@pytest.fixture(scope="session")
def desa(settings: Settings) -> gpd.GeoDataFrame:
    """All 434 desa/kelurahan of OKI and Palembang."""
    from kamtibmas_geo.boundaries import load_boundaries

    return load_boundaries("desa", settings=settings)


@pytest.fixture(scope="session")
def kecamatan(settings: Settings) -> gpd.GeoDataFrame:
    """All 36 kecamatan of OKI and Palembang."""
    from kamtibmas_geo.boundaries import load_boundaries

    return load_boundaries("kecamatan", settings=settings)


@pytest.fixture(scope="session")
def kabupaten(settings: Settings) -> gpd.GeoDataFrame:
    """The two kabupaten/kota."""
    from kamtibmas_geo.boundaries import load_boundaries

    return load_boundaries("kabupaten", settings=settings)
