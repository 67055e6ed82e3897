from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from kamtibmas_geo import BoundaryError, ChecksumError, RegionError, Settings
from kamtibmas_geo._errors import CacheRepairWarning
from kamtibmas_geo.boundaries._pack import (
    AREA_TOLERANCE,
    BUILDER_VERSION,
    build_pack,
    load_boundaries,
    resolve_region,
)


@pytest.mark.parametrize(
    ("code", "n_kec", "n_desa", "n_kel"),
    [("16.02", 18, 327, 13), ("16.71", 18, 107, 107)],
)
def test_counts(desa, kecamatan, code, n_kec, n_desa, n_kel):
    assert (kecamatan["kabupaten_code"] == code).sum() == n_kec
    mine = desa[desa["kabupaten_code"] == code]
    assert len(mine) == n_desa
    assert (mine["kind"] == "kelurahan").sum() == n_kel


def test_new_palembang_kecamatan_present(kecamatan):
    names = dict(zip(kecamatan["code"], kecamatan["name"], strict=True))
    assert names["16.71.17"] == "Jakabaring"
    assert names["16.71.18"] == "Ilir Timur Tiga"


def test_codes_unique_sorted_and_crs(desa, kecamatan, kabupaten):
    for frame in (desa, kecamatan, kabupaten):
        assert frame.crs.to_epsg() == 4326
        assert frame["code"].is_unique
        assert list(frame["code"]) == sorted(frame["code"])
        assert frame.geometry.is_valid.all()
        assert not frame.geometry.is_empty.any()


def test_levels_nest_exactly(desa, kecamatan, kabupaten):
    kec = kecamatan.set_index("code").geometry
    kab = kabupaten.set_index("code").geometry
    # every desa lies in its kecamatan, every kecamatan in its kabupaten (1 m² slack, EPSG:6933)
    for child, parent_key, parent in (
        (desa, "kecamatan_code", kec),
        (kecamatan, "kabupaten_code", kab),
    ):
        outside = shapely.difference(
            child.geometry.values, parent.loc[child[parent_key]].values, grid_size=1e-7
        )
        area = gpd.GeoSeries(outside, crs=4326).to_crs(6933).area
        assert area.max() < 1.0
    # the desa of a kecamatan add up to its area
    summed = desa.groupby("kecamatan_code")["area_km2"].sum()
    np.testing.assert_allclose(
        summed.loc[kecamatan["code"]].to_numpy(), kecamatan["area_km2"], rtol=1e-6
    )


def test_no_overlap_between_neighbours(desa):
    geoms = desa.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    inter = shapely.intersection(geoms[left[keep]], geoms[right[keep]], grid_size=1e-7)
    # OVERLAP_TOLERANCE_M2: shared borders have no area beyond rounding to the 1e-7° grid
    assert gpd.GeoSeries(inter, crs=4326).to_crs(6933).area.max() <= 1.0


def test_areas_match_official(kabupaten):
    rel = (kabupaten["area_km2"] - kabupaten["official_area_km2"]).abs() / kabupaten[
        "official_area_km2"
    ]
    assert (rel < AREA_TOLERANCE).all()
    assert dict(zip(kabupaten["code"], kabupaten["official_area_km2"], strict=True)) == {
        "16.02": pytest.approx(17075.713),
        "16.71": pytest.approx(352.523),
    }
    assert (kabupaten["population"] > 500_000).all()


def test_inside_points_lie_inside(desa, kecamatan, kabupaten):
    for frame in (desa, kecamatan, kabupaten):
        inside = shapely.contains_xy(
            frame.geometry.values, frame["inside_lon"], frame["inside_lat"]
        )
        assert inside.all()


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("OKI", ["16.02"]),
        ("oki", ["16.02"]),
        ("Ogan Komering Ilir", ["16.02"]),
        ("Kab. Ogan Komering Ilir", ["16.02"]),
        ("16.02", ["16.02"]),
        ("Palembang", ["16.71"]),
        ("Kota Palembang", ["16.71"]),
        ("16.71", ["16.71"]),
        (None, ["16.02", "16.71"]),
        ("all", ["16.02", "16.71"]),
        ("Muara Enim", ["16.03"]),
        (["Kota Palembang", "oki", "16.71"], ["16.02", "16.71"]),
        ("OKI, Palembang", ["16.02", "16.71"]),
    ],
)
def test_region_names(name, codes):
    assert resolve_region(name) == codes


@pytest.mark.parametrize("name", ["16.99", "", "Jakarta", "Lampung", []])
def test_unknown_region_is_refused(name):
    with pytest.raises(RegionError, match="tidak dikenal"):
        resolve_region(name)


def test_load_by_region(settings):
    kec = load_boundaries("kecamatan", region="16.71", settings=settings)
    assert len(kec) == 18
    assert set(kec["kabupaten_code"]) == {"16.71"}
    with pytest.raises(RegionError):
        load_boundaries("provinsi", settings=settings)  # type: ignore[arg-type]


def test_loaded_frames_are_copies(settings):
    a = load_boundaries("desa", settings=settings)
    a.loc[0, "name"] = "changed"
    b = load_boundaries("desa", settings=settings)
    assert b.loc[0, "name"] != "changed"


def _copy_sources(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    for path in dst.rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)
    return dst


def test_tampered_source_is_refused(source_dir, tmp_path):
    copy = _copy_sources(source_dir, tmp_path / "src")
    target = copy / "wilayah_boundaries/db/kel/16/wilayah_boundaries_kel_16.71.sql"
    target.write_bytes(target.read_bytes().replace(b"Ilir", b"Ulu", 1))
    settings = Settings(source=str(copy), cache_dir=str(tmp_path / "cache"))
    with pytest.raises(ChecksumError, match="Checksum tidak cocok"):
        build_pack(settings=settings)
    with pytest.raises(ChecksumError, match="Checksum mismatch"):
        build_pack(settings=settings.replace(lang="en"))


def test_missing_source_is_refused(tmp_path):
    settings = Settings(source=str(tmp_path), cache_dir=str(tmp_path / "cache"))
    with pytest.raises(BoundaryError, match=r"Berkas sumber .* tidak ada"):
        build_pack(settings=settings)
    with pytest.raises(BoundaryError, match=r"Source file .* is missing"):
        build_pack(settings=settings.replace(lang="en"))


def test_cache_is_reused_and_rebuilt(source_dir, tmp_path):
    settings = Settings(source=str(source_dir), cache_dir=str(tmp_path / "cache"))
    first = build_pack(settings=settings)
    assert first.meta["builder_version"] == BUILDER_VERSION
    assert first.meta["counts"] == {"desa": 434, "kecamatan": 36, "kabupaten": 2}
    assert {s["sha256"] for s in first.meta["sources"]} >= {
        "84323a3a9a45bcea42294c606c2b3fff8289941d39ba14bf5aaae1cdbd45abac"
    }
    again = build_pack(settings=settings)
    assert again.meta["built_at"] == first.meta["built_at"]  # reused
    assert again.checksums == first.checksums
    # an edited meta.json (another builder version, say) no longer matches its SHA-256
    meta_path = first.path / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["builder_version"] = "0-old"
    meta_path.write_text(json.dumps(meta))
    with pytest.warns(CacheRepairWarning, match="meta.json"):
        rebuilt = build_pack(settings=settings)
    assert rebuilt.meta["builder_version"] == BUILDER_VERSION
    assert rebuilt.meta["built_at"] != first.meta["built_at"]
    assert rebuilt.digest == first.digest  # the same geometry, byte for byte
    # a missing pack file is rebuilt as well
    (first.path / "desa.parquet").unlink()
    with pytest.warns(CacheRepairWarning, match="desa.parquet"):
        assert build_pack(settings=settings).meta["counts"]["desa"] == 434
    assert len(load_boundaries("desa", settings=settings)) == 434


def test_errors_are_indonesian_with_english_on_request(settings):
    with pytest.raises(RegionError) as err:
        resolve_region("Jakarta")
    assert str(err.value).startswith("Wilayah 'Jakarta' tidak dikenal")
    assert err.value.text("en").startswith("Unknown region 'Jakarta'")
    with pytest.raises(RegionError) as err:
        load_boundaries("provinsi", settings=settings)  # type: ignore[arg-type]
    assert "bukan 'provinsi'" in str(err.value)
    assert "got 'provinsi'" in err.value.text("en")


def test_a_pack_that_misses_a_desa_fails_validation(desa, kecamatan, kabupaten):
    from kamtibmas_geo.boundaries._build import _validate

    names = {
        str(c): str(n)
        for frame in (desa, kecamatan, kabupaten)
        for c, n in zip(frame["code"], frame["name"], strict=True)
    }
    short = desa[desa["code"] != "16.71.01.1001"].reset_index(drop=True)
    frames = {"desa": short, "kecamatan": kecamatan, "kabupaten": kabupaten}
    with pytest.raises(BoundaryError) as err:
        _validate(frames, names)
    lines = str(err.value).splitlines()
    assert lines[0].startswith("Paket batas wilayah gagal divalidasi")
    assert lines[1:] == [
        "- 16.71: seharusnya 18 kecamatan dan 107 desa/kelurahan, terbangun 18 dan 106",
        "- 16.71: kode desa berbeda dari daftar resmi: ['16.71.01.1001']",
    ]
    assert err.value.text("en").splitlines() == [
        "The boundary pack failed validation:",
        "- 16.71: expected 18 kecamatan and 107 desa/kelurahan, built 18 and 106",
        "- 16.71: village codes differ from the official list: ['16.71.01.1001']",
    ]


def test_the_default_pack_is_keyed_on_its_own_sources_only(settings):
    # adding the province to the manifest must not move (or rebuild) the default pack
    info = build_pack(settings=settings)
    assert info.regions == ("16.02", "16.71")
    assert info.path.name.startswith("pack-")
    keys = {s["key"] for s in info.meta["sources"]}
    assert keys == {"kab", "kec", "kel_oki", "kel_palembang", "names", "area", "population"}
