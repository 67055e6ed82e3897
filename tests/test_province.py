"""All of Sumatera Selatan: the 17 kabupaten/kota reproduce the official table.

The table below is the one in ``../shared/data/README.md`` (official counts of wilayah.sql,
areas of wilayah_luas.sql, village polygons of the pinned wilayah_boundaries commit). The
15 packs outside the default one are built once for this module (about 20 s of CPU on a
cold cache, 40 s on a busy machine; a few seconds when ``KAMTIBMAS_GEO_CACHE`` holds them).
"""

from __future__ import annotations

import pickle
import shutil
import warnings

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from kamtibmas_geo import BoundaryError, MissingVillageWarning, Settings
from kamtibmas_geo._errors import CacheRepairWarning
from kamtibmas_geo.boundaries import (
    AREA_TOLERANCE,
    DEFAULT_CODES,
    PROVINCE,
    REGIONS,
    build_pack,
    check_pack,
    load_boundaries,
    missing_villages,
    polsek_table,
    resolve_region,
)
from kamtibmas_geo.boundaries._sources import obtain
from kamtibmas_geo.boundaries._store import source_keys
from kamtibmas_geo.cli import main
from kamtibmas_geo.grid import cell_units, crosswalk, region_cells

TABLE = """
| 16.01 | Kabupaten Ogan Komering Ulu | 13 | 157 | 157 | 3774.497 |
| 16.02 | Kabupaten Ogan Komering Ilir | 18 | 327 | 327 | 17075.713 |
| 16.03 | Kabupaten Muara Enim | 22 | 256 | 254 | 6763.912 |
| 16.04 | Kabupaten Lahat | 24 | 378 | 378 | 4333.065 |
| 16.05 | Kabupaten Musi Rawas | 14 | 199 | 199 | 6122.588 |
| 16.06 | Kabupaten Musi Banyuasin | 15 | 242 | 240 | 14550.788 |
| 16.07 | Kabupaten Banyuasin | 21 | 313 | 305 | 12258.593 |
| 16.08 | Kabupaten Ogan Komering Ulu Timur | 20 | 312 | 312 | 3412.716 |
| 16.09 | Kabupaten Ogan Komering Ulu Selatan | 19 | 259 | 259 | 4369.252 |
| 16.10 | Kabupaten Ogan Ilir | 16 | 241 | 241 | 2302.858 |
| 16.11 | Kabupaten Empat Lawang | 10 | 156 | 156 | 2234.097 |
| 16.12 | Kabupaten Penukal Abab Lematang Ilir | 5 | 71 | 71 | 1842.563 |
| 16.13 | Kabupaten Musi Rawas Utara | 7 | 89 | 89 | 5937.803 |
| 16.71 | Kota Palembang | 18 | 107 | 107 | 352.523 |
| 16.72 | Kota Pagar Alam | 5 | 35 | 35 | 625.913 |
| 16.73 | Kota Lubuk Linggau | 8 | 72 | 72 | 367.726 |
| 16.74 | Kota Prabumulih | 6 | 45 | 37 | 447.311 |
"""
# The warning is tested on its own below; elsewhere it would only repeat itself.
pytestmark = pytest.mark.filterwarnings("ignore::kamtibmas_geo.MissingVillageWarning")

ROWS = [
    [cell.strip() for cell in line.strip().strip("|").split("|")]
    for line in TABLE.strip().splitlines()
]


@pytest.fixture(scope="module")
def province(settings: Settings) -> dict[str, gpd.GeoDataFrame]:
    """Every level of all 17 kabupaten/kota (each pack built once)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingVillageWarning)
        return {
            level: load_boundaries(level, "sumsel", settings=settings)  # type: ignore[arg-type]
            for level in ("kabupaten", "kecamatan", "desa")
        }


@pytest.mark.parametrize(("code", "name", "n_kec", "n_official", "n_polygons", "area"), ROWS)
def test_the_official_table(province, settings, code, name, n_kec, n_official, n_polygons, area):
    kab = province["kabupaten"].set_index("code").loc[code]
    assert kab["name"] == name == PROVINCE[code].name
    assert (province["kecamatan"]["kabupaten_code"] == code).sum() == int(n_kec)
    assert kab["n_kecamatan"] == int(n_kec)
    assert (province["desa"]["kabupaten_code"] == code).sum() == int(n_polygons)
    assert len(missing_villages(code, settings=settings)) == int(n_official) - int(n_polygons)
    assert kab["official_area_km2"] == pytest.approx(float(area))
    assert abs(kab["area_km2"] - float(area)) / float(area) < AREA_TOLERANCE
    assert kab["population"] > 100_000


def test_the_province_frames_are_one_consistent_hierarchy(province):
    kab, kec, desa = province["kabupaten"], province["kecamatan"], province["desa"]
    assert len(kab) == 17
    assert len(desa) == sum(int(r[4]) for r in ROWS) == 3_239
    for frame in (kab, kec, desa):
        assert frame.crs.to_epsg() == 4326
        assert frame["code"].is_unique
        assert list(frame["code"]) == sorted(frame["code"])
        assert frame.geometry.is_valid.all()
        inside = shapely.contains_xy(
            frame.geometry.values, frame["inside_lon"], frame["inside_lat"]
        )
        assert inside.all()
    assert set(desa["kecamatan_code"]) == set(kec["code"])
    summed = desa.groupby("kabupaten_code")["area_km2"].sum()
    pd.testing.assert_series_equal(
        summed, kab.set_index("code")["area_km2"], rtol=1e-6, check_names=False
    )


def test_villages_without_polygon_are_listed_never_invented(province, settings):
    missing = missing_villages("sumsel", settings=settings)
    assert missing.groupby("kabupaten_code").size().to_dict() == {
        "16.03": 2,
        "16.06": 2,
        "16.07": 8,
        "16.74": 8,
    }
    assert not set(missing["code"]) & set(province["desa"]["code"])
    assert set(missing["kecamatan_code"]) <= set(province["kecamatan"]["code"])
    prabumulih = missing[missing["kabupaten_code"] == "16.74"]
    assert "Gunung Ibul Timur" in set(prabumulih["name"])
    assert set(prabumulih["kind"]) == {"kelurahan"}
    assert missing_villages(settings=settings).empty  # OKI and Palembang have them all


def test_a_region_with_missing_villages_warns_in_both_languages(province, settings):
    with pytest.warns(MissingVillageWarning) as got:
        load_boundaries("desa", "Prabumulih", settings=settings)
    warning = got[0].message
    assert isinstance(warning, MissingVillageWarning)
    assert str(warning).startswith(
        "Kota Prabumulih (16.74): 8 dari 45 desa/kelurahan resmi tidak punya"
    )
    assert "tingkat kecamatan" in str(warning)
    assert warning.text("en").startswith("Kota Prabumulih (16.74): 8 of 45 official")
    assert (warning.kabupaten_code, len(warning.codes)) == ("16.74", 8)
    again = pickle.loads(pickle.dumps(warning))
    assert (str(again), again.text("en"), again.codes) == (
        str(warning),
        warning.text("en"),
        warning.codes,
    )
    with pytest.warns(MissingVillageWarning, match=r"8 of 45 official desa/kelurahan have no"):
        load_boundaries("kecamatan", "16.74", settings=settings.replace(lang="en"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingVillageWarning)
        load_boundaries("desa", ["OKU", "Lahat"], settings=settings)  # complete: silent


@pytest.mark.parametrize("code", sorted(PROVINCE))
def test_every_region_by_code_name_and_short_name(code):
    facts = PROVINCE[code]
    bare = facts.name.split(" ", 1)[1]
    for spelling in (code, code.replace(".", ""), facts.name, bare, bare.upper(), facts.key):
        assert resolve_region(spelling) == [code], spelling
    for alias in facts.aliases:
        assert resolve_region(alias) == [code], alias
    assert REGIONS[facts.key] == (code, facts.name)


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("OKU Timur", "16.08"),
        ("oku selatan", "16.09"),
        ("Muba", "16.06"),
        ("PALI", "16.12"),
        ("Muratara", "16.13"),
        ("Lubuklinggau", "16.73"),
        ("Pagaralam", "16.72"),
        ("Kab. Muara Enim", "16.03"),
        ("Kab. PALI", "16.12"),
        ("Kabupaten OKU Timur", "16.08"),
        ("kota lubuk-linggau", "16.73"),
    ],
)
def test_short_names_staff_use(spelling, code):
    assert resolve_region(spelling) == [code]


def test_several_regions_come_from_several_packs(province, settings):
    kab = load_boundaries("kabupaten", "Lahat, OKI, Palembang", settings=settings)
    assert list(kab["code"]) == ["16.02", "16.04", "16.71"]
    assert resolve_region("sumsel") == sorted(PROVINCE)


def test_cells_units_and_crosswalk_of_a_province_region(province, settings):
    cells = region_cells("Prabumulih", 7, settings=settings)
    assert 100 < len(cells) < 200
    units = cell_units(cells, settings=settings, region="Prabumulih")
    assert set(units["kabupaten_code"].dropna()) == {"16.74"}
    assert units["kabupaten_code"].notna().all()
    assert not cell_units(cells, settings=settings)["desa_code"].notna().any()  # default: OKI+PLG
    derived = {c.name: c.state for c in check_pack(region="16.74", settings=settings).derived}
    assert derived["cells-1674-r7-overlap.parquet"] == "ok"  # beside its own pack, proven
    kec_cells = region_cells(res=7, unit="16.74.01", settings=settings)
    assert set(kec_cells) <= set(cells)
    walk = crosswalk(7, "Pagar Alam", level="kecamatan", settings=settings)
    assert set(walk["code"].str[:5]) == {"16.72"}
    assert walk.groupby("code")["share_of_unit"].sum().round(9).eq(1).all()
    assert walk.groupby("hex_id")["share_of_cell"].sum().round(9).eq(1).all()


def test_records_known_by_name_only_spread_in_any_kabupaten(province, settings):
    from kamtibmas_geo.score._counts import place_records

    desa = province["desa"]
    kec = province["kecamatan"]
    codes = [desa.loc[desa["code"].str.startswith("16.74"), "code"].iloc[0]]
    codes.append(kec.loc[kec["code"].str.startswith("16.72"), "code"].iloc[0])
    frame = pd.DataFrame(
        {
            "lat": [float("nan")] * 2,
            "lon": [float("nan")] * 2,
            "geocode_status": ["matched", "matched"],
            "region_level": ["desa", "kecamatan"],
            "region_code": codes,
        }
    )
    cells = sorted(region_cells(["Prabumulih", "Pagar Alam"], 7, settings=settings))
    placed = place_records(frame, cells, 7, settings=settings)
    assert placed.n_outside == 0  # each spread over its own unit's cells, none left out
    assert placed.spread_record.tolist() == [0, 1]
    assert set(placed.unit_names) == {f"desa:{codes[0]}", f"kecamatan:{codes[1]}"}
    per_cell = placed.cell_sum(pd.Series([1.0, 1.0]).to_numpy(), len(cells))
    assert round(float(per_cell.sum()), 9) == 2.0  # each record's shares sum to 1


def test_polsek_of_a_province_region(province, settings):
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingVillageWarning)  # kecamatan are all there
        table = polsek_table("Muara Enim", settings=settings)
    assert len(table) == 22
    assert set(table["kabupaten_code"]) == {"16.03"}
    everywhere = polsek_table(province["kecamatan"])
    assert len(everywhere) == sum(int(r[2]) for r in ROWS) == 241
    assert everywhere["polsek"].is_unique  # default names never clash across the province


def test_a_region_pack_proves_itself_and_is_rebuilt_byte_for_byte(province, settings, tmp_path):
    mine = Settings(source=settings.source, cache_dir=str(tmp_path / "cache"))
    first = build_pack(region="16.74", settings=mine)
    assert first.path.name.startswith("kab-1674-")
    assert first.regions == ("16.74",)
    assert [m["code"] for m in first.meta["missing_villages"]][:2] == [
        "16.74.01.1014",
        "16.74.02.1011",
    ]
    assert {s["key"] for s in first.meta["sources"]} == {"names", "area", "population", "kel_1674"}
    target = first.path / "desa.parquet"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    state = {c.name: c.state for c in check_pack(region="Prabumulih", settings=mine).files}
    assert state["desa.parquet"] == "damaged"
    with pytest.warns(CacheRepairWarning, match="desa.parquet"):
        again = build_pack(region="Prabumulih", settings=mine)
    assert again.digest == first.digest
    assert check_pack(region="16.74", settings=mine).ok


def test_cli_info_lists_the_villages_without_polygon(province, settings, capsys):
    base = ["--source", str(settings.source), "--cache-dir", str(settings.cache_dir)]
    with pytest.raises(SystemExit) as exc:
        main([*base, "boundaries", "info", "--region", "Prabumulih"])
    assert exc.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "37/45" in out
    assert "tanpa poligon" in out
    assert "Gunung Ibul Timur" in out
    assert "kel/16/wilayah_boundaries_kel_16.74.sql" in out
    with pytest.raises(SystemExit) as exc:
        main([*base, "--lang", "en", "boundaries", "info", "--region", "16.74"])
    assert "without polygon" in capsys.readouterr().out


def test_the_default_pack_needs_none_of_the_province_files(source_dir, tmp_path):
    copy = tmp_path / "src"
    keep = ("kel_16.02.sql", "kel_16.71.sql")
    shutil.copytree(
        source_dir,
        copy,
        ignore=lambda _, names: [n for n in names if "_kel_16." in n and not n.endswith(keep)],
    )
    for path in copy.rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)
    paths = obtain(copy, tmp_path / "cache", "id", source_keys(DEFAULT_CODES))
    assert "kel_oki" in paths
    assert not any(key.startswith("kel_16") for key in paths)
    with pytest.raises(BoundaryError, match=r"wilayah_boundaries_kel_16\.03\.sql"):
        obtain(copy, tmp_path / "cache", "id", source_keys(("16.03",)))
