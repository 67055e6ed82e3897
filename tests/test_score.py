from __future__ import annotations

import warnings

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from kamtibmas_geo._errors import BoundaryError, NoUnitWarning, ProvisionalDateWarning, ScoreError
from kamtibmas_geo.config import Settings
from kamtibmas_geo.score._score import (
    ScoreOptions,
    rollup,
    score_hotspots,
    seasonal_uplift,
    smooth,
)

CENTRE = "898cab153afffff"  # res 9, Kayu Agung (OKI)
TARGET = (
    pd.Timestamp("2027-02-01", tz="Asia/Jakarta"),
    pd.Timestamp("2027-03-20", tz="Asia/Jakarta"),
)
OFF = ScoreOptions(decay=False, seasonal=False, smoothing=False, gi=False, emerging=False)
NO_GI = ScoreOptions(gi=False)
NO_TREND = ScoreOptions(emerging=False)


@pytest.fixture(scope="module")
def grid() -> list[str]:
    return sorted(h3.grid_disk(CENTRE, 3))  # 37 cells


def _records(cells: list[str], times: list[str], types: list[str], **extra: list) -> pd.DataFrame:  # type: ignore[type-arg]
    latlng = [h3.cell_to_latlng(c) for c in cells]
    return pd.DataFrame(
        {
            "time": pd.to_datetime(times, format="mixed").tz_localize("Asia/Jakarta"),
            "type": types,
            "lat": [p[0] for p in latlng],
            "lon": [p[1] for p in latlng],
            **extra,
        }
    )


def test_one_row_per_cell_with_contract_columns(grid: list[str], settings: Settings) -> None:
    recs = _records([CENTRE], ["2026-05-01"], ["petasan"])
    out = score_hotspots(recs, target=TARGET, cells=grid, settings=settings)
    assert out["hex_id"].tolist() == grid
    assert out.crs.to_epsg() == 4326
    assert (out.geometry.geom_type == "Polygon").all()
    for col in [
        "hex_id",
        "desa_code",
        "desa_name",
        "kecamatan_code",
        "kecamatan_name",
        "kabupaten_code",
        "n_incidents",
        "n_petasan",
        "n_balap_liar",
        "score_base",
        "score_decay",
        "score_seasonal",
        "score_smoothed",
        "score",
        "score_rank",
        "score_class",
        "gi_z",
        "gi_p",
        "gi_p_fdr",
        "gi_bin",
        "gi_label",
        "trend_class",
        "n_activities",
        "coverage_gap",
    ]:
        assert col in out.columns, col
    assert out["n_incidents"].sum() == 1
    assert out.loc[out.hex_id == CENTRE, "kecamatan_name"].item() == "Kayu Agung"
    assert set(out["score_class"]) <= {1, 2, 3, 4, 5}
    assert (out["score"] >= 0).all()


def test_severity_weights_and_overrides(grid: list[str], settings: Settings) -> None:
    cells = [CENTRE, CENTRE, grid[0]]
    recs = _records(
        cells, ["2026-01-01"] * 3, ["petasan", "pencurian", "pencurian"], severity=[1.0, 2.0, 2.0]
    )
    out = score_hotspots(recs, target=TARGET, cells=grid, settings=settings, options=OFF).set_index(
        "hex_id"
    )
    assert out.loc[CENTRE, "score_base"] == 3.0
    assert out.loc[grid[0], "score_base"] == 2.0
    assert out.loc[CENTRE, "score"] == 3.0  # every part switched off
    assert out.loc[CENTRE, "score_rank"] == 1
    out2 = score_hotspots(
        recs,
        target=TARGET,
        cells=grid,
        settings=settings,
        options=OFF.replace(weights={"petasan": 10.0}),
    ).set_index("hex_id")
    assert out2.loc[CENTRE, "score_base"] == 12.0
    # records do not need a severity column: the taxonomy gives it (pencurian = 2)
    out3 = score_hotspots(
        recs.drop(columns="severity"), target=TARGET, cells=grid, settings=settings, options=OFF
    ).set_index("hex_id")
    assert out3.loc[grid[0], "score_base"] == 2.0


def test_decay_half_life(grid: list[str], settings: Settings) -> None:
    # exactly one and two half-lives (365 days) before the target start; one after it
    recs = _records(
        [CENTRE, CENTRE, CENTRE],
        ["2026-02-01", "2025-02-01", "2027-02-05"],
        ["petasan"] * 3,
        severity=[1.0, 1.0, 1.0],
    )
    opts = OFF.replace(decay=True)
    out = score_hotspots(recs, target=TARGET, cells=grid, settings=settings, options=opts)
    row = out.set_index("hex_id").loc[CENTRE]
    assert row["n_incidents"] == 2  # the record after the target start is not history
    assert row["score_base"] == 2.0
    assert row["score_decay"] == pytest.approx(0.5 + 0.25)
    s2 = settings.replace(half_life_days=730.0)
    out2 = score_hotspots(recs, target=TARGET, cells=grid, settings=s2, options=opts)
    assert out2.set_index("hex_id").loc[CENTRE, "score_decay"] == pytest.approx(2**-0.5 + 0.5)


def test_seasonal_uplift_formula() -> None:
    # history: 2024-01-01 .. 2025-01-01 (366 days); one season of 30.5 days inside
    ref = pd.Timestamp("2025-01-01", tz="Asia/Jakarta")
    season = (
        pd.Timestamp("2024-03-01", tz="Asia/Jakarta"),
        pd.Timestamp("2024-03-31 12:00", tz="Asia/Jakarta"),
    )
    times = pd.Series(
        pd.to_datetime(["2024-01-01"] + ["2024-03-10"] * 9 + ["2024-06-01"] * 2).tz_localize(
            "Asia/Jakarta"
        )
    )
    types = pd.Series(["a"] * 10 + ["b"] * 2)
    up = seasonal_uplift(times, types, np.ones(12), [season], ref, prior=2.0)
    # type a: n = 10, n_in = 9, E_in = 10 * 30.5 / 366
    e_in = 10 * 30.5 / 366
    assert up["a"] == pytest.approx((9 + 2) / (e_in + 2))
    # type b: never in season, shrunk towards 1 rather than to 0
    assert up["b"] == pytest.approx(2 / (2 * 30.5 / 366 + 2))
    assert 0.8 < up["b"] < 1


def test_seasonal_column_applies_uplift(grid: list[str], settings: Settings) -> None:
    recs = _records(
        [CENTRE] * 4,
        ["2025-03-10", "2025-03-12", "2025-08-01", "2024-12-01"],
        ["petasan"] * 4,
        severity=[1.0] * 4,
    )
    seasons = [
        (
            pd.Timestamp("2025-03-01", tz="Asia/Jakarta"),
            pd.Timestamp("2025-04-01", tz="Asia/Jakarta"),
        )
    ]
    opts = OFF.replace(seasonal=True, seasons=seasons)
    out = score_hotspots(recs, target=TARGET, cells=grid, settings=settings, options=opts)
    uplift = out.attrs["score"]["uplift"]["petasan"]
    assert uplift > 1
    row = out.set_index("hex_id").loc[CENTRE]
    assert row["score_seasonal"] == pytest.approx(4 * uplift)


def test_smoothing_kernel(grid: list[str]) -> None:
    x = np.zeros(len(grid))
    x[grid.index(CENTRE)] = 1.0
    s = smooth(x, grid, 1)
    # centre: weight 1 over 1 + 6 * 0.5
    assert s[grid.index(CENTRE)] == pytest.approx(1 / 4)
    ring = sorted(h3.grid_ring(CENTRE, 1))
    assert s[grid.index(ring[0])] == pytest.approx(0.5 / 4)
    assert s[grid.index(sorted(h3.grid_ring(CENTRE, 2))[0])] == 0
    np.testing.assert_array_equal(smooth(x, grid, 0), x)


def test_spread_records_over_unit_cells(settings: Settings) -> None:
    from kamtibmas_geo.grid._cells import crosswalk, region_cells

    cells = region_cells("oki", 7, settings=settings)
    cw = crosswalk(7, level="kecamatan", settings=settings)
    code = "16.02.05"  # Kayu Agung
    recs = pd.DataFrame(
        {
            "time": pd.to_datetime(["2026-01-01"] * 3).tz_localize("Asia/Jakarta"),
            "type": ["petasan"] * 3,
            "lat": [np.nan] * 3,
            "lon": [np.nan] * 3,
            "geocode_status": ["matched", "matched", "matched"],
            "region_level": ["kecamatan", "kecamatan", "kabupaten"],
            "region_code": [code, code, "16.02"],
        }
    )
    out = score_hotspots(recs, target=TARGET, res=7, cells=cells, settings=settings, options=OFF)
    assert out["n_incidents"].sum() == pytest.approx(2.0)
    unit = cw[cw["code"] == code].set_index("hex_id")["share_of_unit"]
    got = out.set_index("hex_id")["n_incidents"]
    np.testing.assert_allclose(got.reindex(unit.index), 2 * unit / unit.sum())
    assert out.attrs["score"]["n_kabupaten_only"] == 1


def test_gi_and_determinism(settings: Settings) -> None:
    cells = sorted(h3.grid_disk(CENTRE, 8))
    rng = np.random.default_rng(2)
    pick = list(rng.choice(cells, 60)) + [CENTRE] * 8 + sorted(h3.grid_ring(CENTRE, 1)) * 2
    times = ["2026-06-01"] * len(pick)
    recs = _records(pick, times, ["balap_liar"] * len(pick))
    a = score_hotspots(recs, target=TARGET, cells=cells, settings=settings, options=NO_TREND)
    b = score_hotspots(recs, target=TARGET, cells=cells, settings=settings, options=NO_TREND)
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    row = a.set_index("hex_id").loc[CENTRE]
    assert row["gi_bin"] == 3
    assert row["gi_label"] == "Titik panas 99%"
    assert a["score_rank"].min() == 1
    assert a.loc[a.score_rank == 1, "hex_id"].item() == CENTRE
    en = score_hotspots(
        recs,
        target=TARGET,
        cells=cells,
        settings=settings,
        options=NO_TREND,
        lang="en",
    )
    assert en.set_index("hex_id").loc[CENTRE, "gi_label"] == "Hot spot, 99% confidence"


def test_emerging_new_hotspot_in_score(settings: Settings) -> None:
    cells = sorted(h3.grid_disk(CENTRE, 6))
    rng = np.random.default_rng(3)
    old = list(rng.choice(cells, 80))
    old_t = list(pd.Timestamp("2025-02-01") + pd.to_timedelta(rng.uniform(0, 700, 80), unit="D"))
    new = [CENTRE] * 6 + sorted(h3.grid_ring(CENTRE, 1))
    new_t = [pd.Timestamp("2027-01-15")] * len(new)
    recs = _records(old + new, [str(t) for t in old_t + new_t], ["petasan"] * (80 + len(new)))
    out = score_hotspots(recs, target=TARGET, cells=cells, settings=settings)
    assert out.set_index("hex_id").loc[CENTRE, "trend_class"] == "new_hotspot"
    assert out.set_index("hex_id").loc[CENTRE, "trend_label"] == "Titik panas baru"


@pytest.mark.filterwarnings("ignore::kamtibmas_geo.ProvisionalDateWarning")
def test_emerging_series_ends_with_the_data(settings: Settings) -> None:
    # data handed over in late November for a Ramadhan in February: the series must end
    # with the latest data, not with empty months that would make every hotspot historical
    cells = sorted(h3.grid_disk(CENTRE, 6))
    rng = np.random.default_rng(5)
    old = list(rng.choice(cells, 150))
    old_t = list(pd.Timestamp("2024-12-01") + pd.to_timedelta(rng.uniform(0, 720, 150), unit="D"))
    months = pd.date_range("2026-06-10", "2026-11-10", freq="MS") + pd.Timedelta(days=9)
    hot = [c for _ in months for c in [CENTRE] * 4 + sorted(h3.grid_ring(CENTRE, 1))]
    hot_t = [t for t in months for _ in range(10)]
    recs = _records(old + hot, [str(t) for t in old_t + hot_t], ["petasan"] * (len(old) + len(hot)))
    recs = recs.loc[recs["time"] < pd.Timestamp("2026-11-23", tz="Asia/Jakarta")]
    out = score_hotspots(recs, target="ramadhan-1448", cells=cells, settings=settings)
    assert out.attrs["score"]["trend_end"] < out.attrs["score"]["target_start"]
    assert out.set_index("hex_id").loc[CENTRE, "trend_class"] == "consecutive_hotspot"


def test_coverage_gap(grid: list[str], settings: Settings) -> None:
    far = sorted(h3.grid_ring(CENTRE, 3))[0]
    recs = _records([CENTRE] * 3 + [far] * 3, ["2026-06-01"] * 6, ["pencurian"] * 6)
    acts = _records([CENTRE] * 5, ["2026-07-01"] * 5, ["sambang"] * 5)
    out = score_hotspots(
        recs,
        activities=acts,
        target=TARGET,
        cells=grid,
        settings=settings,
        options=NO_GI,
    ).set_index("hex_id")
    assert out.loc[CENTRE, "n_activities"] == 5
    assert out.loc[CENTRE, "score"] == pytest.approx(out.loc[far, "score"], rel=0.5)
    assert out.loc[CENTRE, "coverage_gap"] < out.loc[far, "coverage_gap"]
    assert out["coverage_gap"].between(0, 1).all()
    no_act = score_hotspots(recs, target=TARGET, cells=grid, settings=settings, options=NO_GI)
    assert no_act["coverage_gap"].max() == pytest.approx(1.0)


def test_rollups(settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kamtibmas_geo.grid._cells import region_cells

    cells = region_cells("oki", 7, settings=settings)
    rng = np.random.default_rng(4)
    pick = list(rng.choice(cells, 300))
    recs = _records(pick, ["2026-06-01"] * 300, ["petasan"] * 300)
    out = score_hotspots(
        recs,
        target=TARGET,
        res=7,
        cells=cells,
        settings=settings,
        options=NO_TREND,
    )
    kec = rollup(out, level="kecamatan", settings=settings)
    inside = out["kecamatan_code"].notna()
    assert kec["n_incidents"].sum() == pytest.approx(out.loc[inside, "n_incidents"].sum())
    assert kec.attrs["rollup"] == {
        "level": "kecamatan",
        "units": "pack",
        "n_cells_no_unit": int((~inside).sum()),
    }
    assert (kec["incidents_per_km2"] >= 0).all()
    assert kec["score"].is_monotonic_decreasing
    desa = rollup(out, level="desa", settings=settings)
    assert desa["n_cells"].sum() == out["desa_code"].notna().sum()
    # Polsek: two kecamatan under one Polsek, the rest default to their own
    mapping = tmp_path / "polsek.csv"
    mapping.write_text(
        "kecamatan_code,polsek\n16.02.05,Polsek Kota Kayu Agung\n16.02.17,Polsek Kota Kayu Agung\n"
    )
    pol = rollup(out, level="polsek", polsek_map=mapping, settings=settings)
    joined = pol.set_index("code").loc["Polsek Kota Kayu Agung"]
    both = kec.set_index("code").loc[["16.02.05", "16.02.17"]]
    assert joined["n_incidents"] == pytest.approx(both["n_incidents"].sum())
    assert joined["area_km2"] == pytest.approx(both["area_km2"].sum())
    assert len(pol) == len(kec) - 1
    kab = rollup(out, level="kabupaten", settings=settings)
    assert kab["population"].iloc[0] > 0
    assert "incidents_per_10k" in kab.columns
    # ranks compare the units of one kabupaten only (here all in OKI)
    assert kec["kabupaten_code"].eq("16.02").all()
    assert kec["rank"].tolist() == kec["score"].rank(method="min", ascending=False).tolist()
    # the Polsek mapping is read by boundaries.polsek_table (its errors are BoundaryError)
    with pytest.raises(BoundaryError, match="polsek"):
        rollup(out, level="polsek", polsek_map=pd.DataFrame({"x": [1]}), settings=settings)


def test_bad_input(grid: list[str], settings: Settings) -> None:
    with pytest.raises(ScoreError, match="time"):
        score_hotspots(
            pd.DataFrame({"type": ["petasan"]}), target=TARGET, cells=grid, settings=settings
        )
    with pytest.raises(ScoreError, match="RecordSet"):
        score_hotspots([1, 2], target=TARGET, cells=grid, settings=settings)
    recs = _records([CENTRE], ["2026-01-01"], ["petasan"])
    with pytest.raises(ScoreError, match="terlalu sedikit"):
        score_hotspots(
            recs,
            target=TARGET,
            cells=sorted(h3.grid_disk(CENTRE, 12)),
            settings=settings.replace(gi_inference="permutation", permutations=99),
        )


def test_input_not_mutated(grid: list[str], settings: Settings) -> None:
    recs = _records([CENTRE], ["2026-01-01"], ["petasan"])
    before = recs.copy()
    score_hotspots(recs, target=TARGET, cells=grid, settings=settings)
    pd.testing.assert_frame_equal(recs, before)


def test_ramadhan_target_string(grid: list[str], settings: Settings) -> None:
    recs = _records([CENTRE] * 2, ["2025-03-05", "2025-07-01"], ["petasan"] * 2)
    with pytest.warns(ProvisionalDateWarning, match="Umm al-Qura") as caught:
        out = score_hotspots(recs, target="ramadhan-1448", cells=grid, settings=settings)
    assert caught[0].message.hijri_year == 1448  # type: ignore[union-attr]
    meta = out.attrs["score"]
    assert meta["target"] == "Ramadhan 1448 H"
    assert meta["target_start"].startswith("2027-01")  # four weeks of pra-Ramadhan
    assert meta["uplift"]["petasan"] > 1  # one of two records fell in Ramadhan 1446


@pytest.mark.filterwarnings("ignore:No official")
def test_cli_hotspots(tmp_path, settings: Settings, capsys) -> None:  # type: ignore[no-untyped-def]
    from kamtibmas_geo.cli import main

    cells = sorted(h3.grid_disk(CENTRE, 2))
    latlng = [h3.cell_to_latlng(c) for c in cells]
    rows = ["tanggal,jam,jenis,lintang,bujur,alamat"]
    for i, (lat, lng) in enumerate(latlng * 2):
        rows.append(f"2026-0{1 + i % 9}-1{i % 9},21:00,petasan,{lat:.6f},{lng:.6f},Jl. Test {i}")
    src = tmp_path / "gangguan.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "cells.parquet"
    common = ["--source", settings.source or "", "--cache-dir", settings.cache_dir or ""]
    with pytest.raises(SystemExit) as exc:
        main([*common, "hotspots", str(src), "--res", "7", "--region", "oki", "--out", str(out)])
    assert exc.value.code in (0, None)
    captured = capsys.readouterr()
    assert "Sel teratas" in captured.out
    # the provisional Ramadhan date is told to staff in Indonesian, without a traceback
    assert "Peringatan: Tanggal resmi Kemenag untuk Ramadhan 1448 H" in captured.err
    assert "UserWarning" not in captured.err
    import geopandas as gpd

    got = gpd.read_parquet(out)
    assert got["n_incidents"].sum() == pytest.approx(2 * len(cells))
    with pytest.raises(SystemExit) as exc:
        main([*common, "hotspots", str(src), "--out", str(tmp_path / "cells.txt")])
    assert exc.value.code == 2


def test_geodataframe_points_without_latlon(grid: list[str], settings: Settings) -> None:
    import geopandas as gpd

    recs = _records([CENTRE, CENTRE], ["2026-01-01", "2026-02-01"], ["petasan", "judi"])
    gdf = gpd.GeoDataFrame(
        recs.drop(columns=["lat", "lon"]),
        geometry=gpd.points_from_xy(recs["lon"], recs["lat"]),
        crs=4326,
    ).to_crs(32748)
    out = score_hotspots(gdf, target=TARGET, cells=grid, settings=settings, options=NO_GI)
    assert out.set_index("hex_id").loc[CENTRE, "n_incidents"] == 2
    assert out.set_index("hex_id").loc[CENTRE, "n_judi"] == 1
    with pytest.raises(ScoreError, match="Bobot keparahan"):
        score_hotspots(
            recs,
            target=TARGET,
            cells=grid,
            settings=settings,
            options=ScoreOptions(weights={"judi": -1}),
        )


# --------------------------------------------------------------------------- own boundaries

UNIT_COLS = [
    "desa_code",
    "desa_name",
    "kecamatan_code",
    "kecamatan_name",
    "kabupaten_code",
    "kabupaten_name",
]


def _own_cells(own_desa: gpd.GeoDataFrame, res: int = 8) -> list[str]:
    union = shapely.union_all(own_desa.geometry.values)
    shape = h3.geo_to_h3shape(union.__geo_interface__)
    return sorted(h3.h3shape_to_cells_experimental(shape, res, contain="overlap"))


def _own_records() -> pd.DataFrame:
    # two reports in desa 4 (NE, kecamatan Timur), one in desa 1 (SW, kecamatan Barat)
    cells = [h3.latlng_to_cell(lat, lng, 8) for lat, lng in [(-4.97, 120.03)] * 2]
    cells.append(h3.latlng_to_cell(-4.99, 120.01, 8))
    return _records(cells, ["2026-05-01", "2026-06-01", "2026-07-01"], ["petasan"] * 3)


def test_score_own_boundaries_cells_and_units(own_desa: gpd.GeoDataFrame, settings: Settings):
    from kamtibmas_geo.grid._cells import cell_units

    recs = _own_records()
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoUnitWarning)
        out = score_hotspots(
            recs, target=TARGET, res=8, boundaries=own_desa.to_crs(32751), settings=settings
        )
    # without cells=: the cells overlapping the boundaries, as backtest(boundaries=)
    assert out["hex_id"].tolist() == _own_cells(own_desa)
    assert out[UNIT_COLS].notna().all().all()
    want = cell_units(out["hex_id"], boundaries=own_desa).set_index("hex_id")
    for col in UNIT_COLS:
        assert (out[col].to_numpy() == want.loc[out["hex_id"], col].to_numpy()).all(), col
    row = out.set_index("hex_id").loc[h3.latlng_to_cell(-4.97, 120.03, 8)]
    assert row["desa_code"] == "99.01.02.2004"
    assert row["kecamatan_name"] == "Timur"
    assert out["n_incidents"].sum() == 3
    meta = out.attrs["score"]
    assert meta["units"] == "boundaries"
    assert meta["n_cells_no_unit"] == 0
    # explicit cells: scored as given, their units from the boundaries
    some = _own_cells(own_desa)[:5]
    sub = score_hotspots(recs, target=TARGET, res=8, cells=some, boundaries=own_desa, options=OFF)
    assert sub["hex_id"].tolist() == some
    assert sub["desa_code"].notna().all()


def test_score_own_cells_without_boundaries_warn(own_desa: gpd.GeoDataFrame, settings: Settings):
    cells = _own_cells(own_desa)
    with pytest.warns(NoUnitWarning, match=r"None of the \d+ cells lies in OKI.*boundaries="):
        out = score_hotspots(_own_records(), target=TARGET, res=8, cells=cells, settings=settings)
    assert out[UNIT_COLS].isna().all().all()
    assert out.attrs["score"]["units"] == "pack"
    assert out.attrs["score"]["n_cells_no_unit"] == len(cells)
    # cells partly outside the boundaries given: those cells are named
    far = sorted(h3.grid_disk(h3.latlng_to_cell(-4.5, 120.5, 8), 1))
    with pytest.warns(NoUnitWarning, match=r"7 of \d+ cells touch none of the boundaries"):
        part = score_hotspots(
            _own_records(),
            target=TARGET,
            res=8,
            cells=cells + far,
            boundaries=own_desa,
            options=OFF,
        )
    assert part.attrs["score"]["n_cells_no_unit"] == 7
    assert part.loc[part["hex_id"].isin(far), "desa_code"].isna().all()


def test_score_own_boundaries_are_checked(own_desa: gpd.GeoDataFrame, settings: Settings):
    recs = _own_records()
    with pytest.raises(ScoreError, match="jangan keduanya"):
        score_hotspots(recs, target=TARGET, res=8, region="oki", boundaries=own_desa)
    with pytest.raises(ScoreError, match="'code'"):
        score_hotspots(recs, target=TARGET, res=8, boundaries=own_desa.drop(columns="code"))
    with pytest.raises(ScoreError, match="CRS"):
        score_hotspots(
            recs, target=TARGET, res=8, boundaries=own_desa.set_crs(None, allow_override=True)
        )
    points = own_desa.set_geometry(own_desa.geometry.representative_point())
    with pytest.raises(ScoreError, match="Polygon"):
        score_hotspots(recs, target=TARGET, res=8, boundaries=points)
    # four tiny parts in one res-0 cell: one cell, not four copies of it
    tiny = own_desa.set_geometry(own_desa.geometry.scale(1e-3, 1e-3))
    out = score_hotspots(recs, target=TARGET, res=0, boundaries=tiny, options=OFF)
    assert out["hex_id"].tolist() == [h3.latlng_to_cell(-4.98, 120.02, 0)]


@pytest.fixture(scope="module")
def own_scores(own_desa: gpd.GeoDataFrame, settings: Settings) -> gpd.GeoDataFrame:
    return score_hotspots(
        _own_records(), target=TARGET, res=8, boundaries=own_desa, settings=settings, options=OFF
    )


def test_rollup_own_boundaries(own_desa: gpd.GeoDataFrame, own_scores: gpd.GeoDataFrame):
    from kamtibmas_geo.boundaries._pack import EQUAL_AREA_CRS

    desa_area = own_desa.set_index("code").to_crs(EQUAL_AREA_CRS).area / 1e6
    desa = rollup(own_scores, level="desa", boundaries=own_desa.to_crs(32751))
    assert sorted(desa["code"]) == sorted(own_desa["code"])
    assert desa["n_cells"].sum() == len(own_scores)
    assert desa["n_incidents"].sum() == 3
    assert desa.set_index("code").loc["99.01.02.2004", "n_incidents"] == 2
    assert desa.set_index("code").loc["99.01.02.2004", "name"] == "Desa 4"
    got = desa.set_index("code")["area_km2"]
    np.testing.assert_allclose(got.loc[desa_area.index], desa_area, rtol=1e-6)
    assert got.between(4.5, 5.5).all()  # 0.02° squares near 5° S
    assert desa.attrs["rollup"] == {"level": "desa", "units": "boundaries", "n_cells_no_unit": 0}

    kec = rollup(own_scores, level="kecamatan", boundaries=own_desa).set_index("code")
    assert list(kec.index) == ["99.01.02", "99.01.01"]  # by score: Timur has two reports
    assert kec.loc["99.01.02", "name"] == "Timur"
    assert kec.loc["99.01.02", "n_incidents"] == 2
    assert kec["n_cells"].sum() == len(own_scores)
    east = desa_area.loc[["99.01.02.2002", "99.01.02.2004"]].sum()
    assert kec.loc["99.01.02", "area_km2"] == pytest.approx(east, rel=1e-6)

    kab = rollup(own_scores, level="kabupaten", boundaries=own_desa)
    assert kab["code"].tolist() == ["99.01"]
    assert kab["area_km2"].item() == pytest.approx(desa_area.sum(), rel=1e-6)
    assert kab["population"].isna().all()  # own boundaries carry no population

    pol = rollup(
        own_scores,
        level="polsek",
        boundaries=own_desa,
        polsek_map=pd.DataFrame({"kecamatan": ["Barat", "Timur"], "polsek": ["Polsek Kota"] * 2}),
    )
    assert pol["code"].tolist() == ["Polsek Kota"]
    assert pol["area_km2"].item() == pytest.approx(desa_area.sum(), rel=1e-6)


def test_rollup_own_boundaries_assigns_cells_afresh(
    own_desa: gpd.GeoDataFrame, own_scores: gpd.GeoDataFrame
):
    # cells whose unit columns are empty (scored without boundaries) roll up the same
    blank = own_scores.assign(**{c: pd.NA for c in UNIT_COLS})
    a = rollup(own_scores, level="kecamatan", boundaries=own_desa)
    b = rollup(blank, level="kecamatan", boundaries=own_desa)
    pd.testing.assert_frame_equal(a, b)


def test_rollup_refuses_to_drop_every_cell(
    own_desa: gpd.GeoDataFrame, own_scores: gpd.GeoDataFrame, settings: Settings
):
    blank = own_scores.assign(**{c: pd.NA for c in UNIT_COLS})
    for level in ("desa", "kecamatan", "polsek", "kabupaten"):
        with pytest.raises(ScoreError, match=r"luar OKI dan Palembang.*boundaries="):
            rollup(blank, level=level, settings=settings)  # type: ignore[arg-type]
    no_kec = own_desa.drop(columns=["kecamatan_code", "kecamatan_name"])
    with pytest.raises(ScoreError, match="tidak punya kolom kecamatan_code"):
        rollup(own_scores, level="kecamatan", boundaries=no_kec)
    assert rollup(own_scores, level="desa", boundaries=no_kec)["n_cells"].sum() == len(own_scores)
    elsewhere = own_desa.set_geometry(own_desa.geometry.translate(xoff=5.0))
    with pytest.raises(ScoreError, match=r"tidak satu pun dari \d+ sel menyentuh"):
        rollup(own_scores, level="desa", boundaries=elsewhere)
    with pytest.raises(ScoreError, match="'code'"):
        rollup(own_scores, level="desa", boundaries=own_desa.drop(columns="code"))


def test_backtest_forecaster_is_quiet_on_own_cells(
    own_desa: gpd.GeoDataFrame, settings: Settings
) -> None:
    # the backtest uses the score only: no NoUnitWarning for every period of another region
    from kamtibmas_geo.evaluate._backtest import score_forecaster

    cells = pd.DataFrame({"hex_id": _own_cells(own_desa)})
    forecast = score_forecaster(settings=settings, res=8)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoUnitWarning)
        got = forecast(_own_records(), TARGET, cells)
    assert got.sum() > 0


def test_cli_hotspots_own_boundaries(tmp_path, settings: Settings, own_desa, capsys) -> None:  # type: ignore[no-untyped-def]
    from kamtibmas_geo.cli import main

    gpkg = tmp_path / "wilayah.gpkg"
    own_desa.to_file(gpkg, layer="desa")
    centres = own_desa.geometry.representative_point()
    rows = ["tanggal,jam,jenis,lintang,bujur"]
    for i in range(40):
        p = centres.iloc[i % 4]
        rows.append(f"2026-0{1 + i % 9}-1{i % 9},21:00,petasan,{p.y:.6f},{p.x:.6f}")
    rows.append("2026-03-01,21:00,petasan,,")  # no coordinates: rejected, not lost
    src = tmp_path / "gangguan.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "sel.parquet"
    common = ["--source", settings.source or "", "--cache-dir", settings.cache_dir or ""]
    args = [*common, "hotspots", str(src), "--boundaries", str(gpkg), "--out", str(out)]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--res", "8"])
    assert exc.value.code in (0, None)
    captured = capsys.readouterr()
    assert "40 catatan terpetakan, 1 baris ditolak" in captured.out
    assert "Peringatan" in captured.err  # the provisional 1448 H date, told to staff
    import geopandas as gpd

    got = gpd.read_parquet(out)
    assert got["n_incidents"].sum() == pytest.approx(40)
    assert got["desa_code"].str.startswith("99.01").all()
    with pytest.raises(SystemExit) as exc:
        main(
            [
                *common,
                "hotspots",
                str(src),
                "--boundaries",
                str(tmp_path / "x.gpkg"),
                "--out",
                str(out),
            ]
        )
    assert exc.value.code == 2
    assert "tidak ada" in capsys.readouterr().err


# --------------------------------------------------------------------------- options, messages


def test_score_options_are_checked_and_frozen() -> None:
    import dataclasses

    from kamtibmas_geo._errors import SettingsError

    weights = {"petasan": 2.0}
    opts = ScoreOptions(weights=weights)
    weights["petasan"] = -1.0  # the caller's dict changing later does not reach the options
    assert opts.weights == {"petasan": 2.0}
    assert OFF.replace(decay=True).decay
    assert not OFF.decay
    with pytest.raises(SettingsError, match="trend_step"):
        ScoreOptions(trend_step="day")  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match="'decays'"):
        OFF.replace(decays=False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        OFF.gi = True  # type: ignore[misc]
    with pytest.raises(SettingsError, match="ScoreOptions"):
        score_hotspots(pd.DataFrame(), options={"gi": False})  # type: ignore[arg-type]


def test_errors_in_indonesian_english_on_request(grid: list[str], settings: Settings) -> None:
    from kamtibmas_geo.score._gistar import gi_star

    recs = _records([CENTRE], ["2026-01-01"], ["petasan"])
    cases = [
        (
            lambda: score_hotspots(recs, target=TARGET, cells=[], settings=settings),
            "cells= kosong: berikan minimal satu sel H3",
            "cells= is empty: pass at least one H3 cell, or leave it out.",
        ),
        (
            lambda: ScoreOptions(weights={"judi": -1.0}),
            "Bobot keparahan (weights=) harus angka >= 0",
            "Severity weights must be numbers >= 0; check ['judi'].",
        ),
        (
            lambda: score_hotspots(
                recs.drop(columns=["lat", "lon"]), target=TARGET, cells=grid, settings=settings
            ),
            "tidak punya kolom 'lat'/'lon'",
            "The records lack 'lat'/'lon' columns",
        ),
        (
            lambda: gi_star([0.5, 1.0], grid[:2]),
            "memerlukan jumlah kejadian bulat",
            "needs whole incident counts",
        ),
        (
            lambda: rollup(pd.DataFrame({"hex_id": grid[:1]}), level="desa"),
            "tidak punya kolom",
            "lacks column(s) 'desa_code', 'score'",
        ),
    ]
    for call, indonesian, english in cases:
        with pytest.raises(ScoreError) as caught:
            call()
        assert indonesian in str(caught.value)
        assert english in caught.value.text("en")
        assert indonesian not in caught.value.text("en")
