"""Shared fixtures: the real boundary pack from the local verbatim copy in ``../shared/data``.

``KAMTIBMAS_GEO_SOURCE`` names the copy (``.ci/run`` and the README set it); tests never
touch the network. The pack is built once into ``KAMTIBMAS_GEO_CACHE`` (or a per-session
temporary folder) and shared by every test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import settings as hypothesis_settings

from kamtibmas_geo.config import Settings, env_folder

ROOT = Path(__file__).resolve().parents[1]
# CI runs the same property-test examples every time (a red CI must mean a change broke
# something); HYPOTHESIS_PROFILE=explore searches new random examples on a developer's machine.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", max_examples=2000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SHARED_DATA = env_folder("KAMTIBMAS_GEO_SOURCE") or ROOT.parent / "shared" / "data"
# The README runs the tests with a relative KAMTIBMAS_GEO_SOURCE; commands the tests start in
# other folders get the folder resolved once, where the tests were started.
for _name in ("KAMTIBMAS_GEO_SOURCE", "KAMTIBMAS_GEO_CACHE"):
    if (_folder := env_folder(_name)) is not None:
        os.environ[_name] = str(_folder)


@pytest.fixture(scope="session")
def source_dir() -> Path:
    """The local verbatim copy of the upstream boundary files."""
    if not (SHARED_DATA / "wilayah_boundaries").is_dir():
        pytest.fail(f"Upstream copy not found at {SHARED_DATA}; set KAMTIBMAS_GEO_SOURCE.")
    return SHARED_DATA.resolve()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Cache folder of the built pack, shared by the whole session."""
    env = env_folder("KAMTIBMAS_GEO_CACHE")
    return env if env is not None else tmp_path_factory.getbasetemp().parent / "kg-cache"


@pytest.fixture(scope="session")
def settings(source_dir: Path, cache_dir: Path) -> Settings:
    """Settings pointing at the local upstream copy and the session cache."""
    return Settings(source=str(source_dir), cache_dir=str(cache_dir))


@pytest.fixture(scope="session")
def desa(settings: Settings) -> gpd.GeoDataFrame:
    """All 434 desa/kelurahan of OKI and Palembang."""
    from kamtibmas_geo.boundaries._pack import load_boundaries

    return load_boundaries("desa", settings=settings)


@pytest.fixture(scope="session")
def kecamatan(settings: Settings) -> gpd.GeoDataFrame:
    """All 36 kecamatan of OKI and Palembang."""
    from kamtibmas_geo.boundaries._pack import load_boundaries

    return load_boundaries("kecamatan", settings=settings)


@pytest.fixture(scope="session")
def kabupaten(settings: Settings) -> gpd.GeoDataFrame:
    """The two kabupaten/kota."""
    from kamtibmas_geo.boundaries._pack import load_boundaries

    return load_boundaries("kabupaten", settings=settings)


#: A made-up region for the ``boundaries=`` paths: 2 x 2 squares of 0.02° (about 2.2 km) in
#: Sulawesi, far from OKI and Palembang and not taken from any boundary file.
OWN_X0, OWN_Y0, OWN_STEP = 120.0, -5.0, 0.02


@pytest.fixture(scope="session")
def own_desa() -> gpd.GeoDataFrame:
    """Four square desa of a made-up kabupaten 99.01, rows in reverse code order.

    ``99.01.01.2001`` south-west and ``99.01.01.2003`` north-west form kecamatan Barat
    (``99.01.01``); ``99.01.02.2002`` south-east and ``99.01.02.2004`` north-east form
    kecamatan Timur (``99.01.02``). EPSG:4326, so shared borders are exact.
    """
    import shapely

    rows = []
    for j in range(2):
        for i in range(2):
            n = 2 * j + i + 1
            x, y = OWN_X0 + i * OWN_STEP, OWN_Y0 + j * OWN_STEP
            rows.append(
                {
                    "code": f"99.01.0{i + 1}.200{n}",
                    "name": f"Desa {n}",
                    "kecamatan_code": f"99.01.0{i + 1}",
                    "kecamatan_name": ("Barat", "Timur")[i],
                    "kabupaten_code": "99.01",
                    "kabupaten_name": "Kabupaten Contoh",
                    "geometry": shapely.box(x, y, x + OWN_STEP, y + OWN_STEP),
                }
            )
    frame = gpd.GeoDataFrame(rows, crs=4326).iloc[::-1]
    return frame.set_index(pd.Index([10, 11, 12, 13]))


#: The headless browser the map tests drive (Debian's ``chromium`` package).
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright) for one test module; fails if Chromium is missing."""
    from kamtibmas_geo.render._png import CHROMIUM_ARGS

    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: apt-get install chromium")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
