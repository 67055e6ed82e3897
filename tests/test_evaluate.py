from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from kamtibmas_geo._errors import ScoreError, SettingsError
from kamtibmas_geo.evaluate._backtest import (
    BacktestOptions,
    BacktestResult,
    backtest,
    kde_scores,
    rank_metrics,
    score_forecaster,
)
from kamtibmas_geo.evaluate._parts import _period_of
from kamtibmas_geo.grid._cells import cells_to_gdf

# A 15 km square around Yogyakarta: far from OKI and Palembang, in UTM zone 49S.
SQUARE = shapely.box(110.30, -7.85, 110.45, -7.70)
HOT = (-7.780, 110.370)  # lat, lon of the planted hotspot
RES = 8


def _boundary(crs: int = 4326) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": ["kotak"]}, geometry=[SQUARE], crs=4326).to_crs(crs)


def _synthetic(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t0, t1 = pd.Timestamp("2022-01-01"), pd.Timestamp("2026-04-30")
    span = (t1 - t0).total_seconds()
    n_bg, n_hot = 3000, 500
    lon = rng.uniform(110.30, 110.45, n_bg)
    lat = rng.uniform(-7.85, -7.70, n_bg)
    hot_lat = HOT[0] + rng.normal(0, 0.002, n_hot)  # ~220 m spread
    hot_lon = HOT[1] + rng.normal(0, 0.002, n_hot)
    seconds = rng.uniform(0, span, n_bg + n_hot)
    return pd.DataFrame(
        {
            "lat": np.concatenate([lat, hot_lat]),
            "lon": np.concatenate([lon, hot_lon]),
            "time": t0 + pd.to_timedelta(seconds, unit="s"),
            "type": "pencurian",
        }
    )


def count_forecaster(
    train: gpd.GeoDataFrame, period: tuple[pd.Timestamp, pd.Timestamp], cells: gpd.GeoDataFrame
) -> pd.Series:
    """Training incidents per cell: the simplest possible forecaster."""
    pts = train.to_crs(4326)
    ids = [h3.latlng_to_cell(p.y, p.x, RES) for p in pts.geometry]
    return pd.Series(ids, dtype=object).value_counts().astype(float)


def test_rank_metrics_by_hand() -> None:
    cells = [f"c{i}" for i in range(10)]
    scores = pd.Series([9, 8, 7, 6, 5, 4, 3, 2, 1, 0], index=cells, dtype=float)
    observed = pd.Series({"c1": 3, "c2": 1, "c5": 4, "c9": 2, "outside": 99})
    m = rank_metrics(scores, observed, area_shares=[0.1, 0.2, 0.3, 1.0]).set_index("area_share")
    assert m["n_test"].tolist() == [10] * 4  # the cell outside the area is ignored
    assert m["n_cells"].tolist() == [1, 2, 3, 10]
    # top 1 cell (c0): no incident; the best single cell (c5) holds 4
    assert m.loc[0.1, "n_hits"] == 0
    assert m.loc[0.1, "pai"] == 0
    assert m.loc[0.1, "pai_max"] == pytest.approx((4 / 10) / (1 / 10))
    assert m.loc[0.1, "pei"] == 0
    # top 2 (c0, c1): 3 of 10 incidents on 2 of 10 cells
    assert m.loc[0.2, "hit_rate"] == pytest.approx(0.3)
    assert m.loc[0.2, "pai"] == pytest.approx(0.3 / 0.2)
    assert m.loc[0.2, "pai_max"] == pytest.approx(0.7 / 0.2)  # c5 + c1 = 7
    assert m.loc[0.2, "pei"] == pytest.approx(3 / 7)
    # top 3 (c0, c1, c2): 4 hits; perfect = c5 + c1 + c9 = 9
    assert m.loc[0.3, "pai"] == pytest.approx(0.4 / 0.3)
    assert m.loc[0.3, "pei"] == pytest.approx(4 / 9)
    # the whole area: hit rate 1, PAI 1, PEI 1
    assert m.loc[1.0, ["hit_rate", "pai", "pei"]].tolist() == pytest.approx([1, 1, 1])


def test_rank_metrics_ties_are_fair_not_by_name() -> None:
    # four tied cells, one flagged: each holds the incident with the same chance, so
    # the expected hits are 1/4 whichever cell is named first
    scores = pd.Series(1.0, index=["c3", "c1", "c2", "c0"])
    m1 = rank_metrics(scores, pd.Series({"c0": 1}), area_shares=[0.25])
    m2 = rank_metrics(scores, pd.Series({"c3": 1}), area_shares=[0.25])
    assert m1["n_hits"].iloc[0] == m2["n_hits"].iloc[0] == pytest.approx(0.25)
    assert m1["pai"].iloc[0] == pytest.approx(1.0)  # a tie is as good as chance
    renamed = scores.rename(lambda c: "z" + c)
    m3 = rank_metrics(renamed, pd.Series({"zc0": 1}), area_shares=[0.25])
    assert m3["pai"].iloc[0] == m1["pai"].iloc[0]
    empty = rank_metrics(scores, pd.Series(dtype=float), area_shares=[0.5])
    assert np.isnan(empty["pai"].iloc[0])
    with pytest.raises(SettingsError, match="area_shares"):
        rank_metrics(scores, pd.Series(dtype=float), area_shares=[5])


def test_rank_metrics_area_in_km2() -> None:
    # a big cell and two small ones: flagging 1 km2 of 4 takes the best-scored small cell
    scores = pd.Series([3.0, 2.0, 1.0], index=["s1", "s2", "big"])
    areas = pd.Series({"s1": 1.0, "s2": 1.0, "big": 2.0})
    observed = pd.Series({"s1": 2, "big": 6})
    m = rank_metrics(scores, observed, area_shares=[0.25], area_km2=[3.0], areas=areas)
    one, three = m.iloc[0], m.iloc[1]
    assert one["target"] == "25%"
    assert one["area_km2"] == pytest.approx(1.0)
    assert one["pai"] == pytest.approx((2 / 8) / 0.25)
    # the perfect forecast flags by density: big holds 3 per km2, s1 2 per km2
    assert one["n_hits_max"] == pytest.approx(3.0)
    assert three["target"] == "3 km²"
    assert three["area_share"] == pytest.approx(0.75)
    assert three["n_hits"] == pytest.approx(2 + 0 + 0.5 * 6)  # half of big's area fits
    lo, hi = one["hit_rate_lo"], one["hit_rate_hi"]
    assert lo < one["hit_rate"] < hi  # Wilson
    with pytest.raises(SettingsError, match="area_km2"):
        rank_metrics(scores, observed, area_km2=[0], areas=areas)


def test_rank_metrics_bootstrap_is_seeded() -> None:
    rng = np.random.default_rng(0)
    cells = [f"c{i}" for i in range(200)]
    scores = pd.Series(rng.random(200), index=cells)
    observed = pd.Series(rng.poisson(scores.to_numpy() * 2), index=cells)
    a = rank_metrics(scores, observed, area_shares=[0.05], n_boot=200, seed=1)
    b = rank_metrics(scores, observed, area_shares=[0.05], n_boot=200, seed=1)
    pd.testing.assert_frame_equal(a, b)
    row = a.iloc[0]
    assert row["pai_lo"] < row["pai"] < row["pai_hi"]
    assert 0 <= row["pei_lo"] <= row["pei_hi"] <= 1


def test_kde_scores_gaussian() -> None:
    cells = cells_to_gdf(h3.grid_disk(h3.latlng_to_cell(*HOT, 9), 3))
    centre = h3.latlng_to_cell(*HOT, 9)
    lat, lon = h3.cell_to_latlng(centre)
    pts = gpd.GeoSeries.from_xy([lon], [lat], crs=4326)
    dens = kde_scores(pts, cells, bandwidth_m=300.0)
    assert dens.idxmax() == centre
    assert dens[centre] == pytest.approx(1.0)
    # a ring-1 neighbour: exp(-d^2 / 2h^2) with d measured in UTM 49S
    nb = sorted(h3.grid_ring(centre, 1))[0]
    xy = gpd.GeoSeries.from_xy(
        [lon, h3.cell_to_latlng(nb)[1]], [lat, h3.cell_to_latlng(nb)[0]], crs=4326
    ).to_crs(32749)
    d = xy.iloc[0].distance(xy.iloc[1])
    assert dens[nb] == pytest.approx(np.exp(-(d**2) / (2 * 300.0**2)), rel=1e-9)
    # beyond the 4-bandwidth cut-off: exactly 0
    assert (dens[dens.index.isin(h3.grid_ring(centre, 3))] < 0.5).all()
    with pytest.raises(SettingsError, match="bandwidth"):
        kde_scores(pts, cells, bandwidth_m=0)


def test_backtest_finds_planted_hotspot_anywhere() -> None:
    records = _synthetic()
    result = backtest(
        records,
        res=RES,
        boundaries=_boundary(32749),  # any CRS: reprojected to EPSG:4326
        forecaster=count_forecaster,
    )
    assert isinstance(result, BacktestResult)
    # default periods: each Ramadhan with a year of history and data to its end
    assert result.periods["period"].tolist() == [
        "Ramadhan 1444 H",
        "Ramadhan 1445 H",
        "Ramadhan 1446 H",
        "Ramadhan 1447 H",
    ]
    assert result.periods["start"].iloc[0] == pd.Timestamp("2023-02-23", tz="Asia/Jakarta")
    table = result.to_frame()
    assert set(table["model"]) == {"method", "last_year", "all_time", "kde"}
    assert sorted(table["area_share"].unique()) == [0.01, 0.05, 0.10]
    five = table[(table["model"] == "method") & (table["area_share"] == 0.05)]
    assert (five["pai"] > 3).all(), five[["period", "pai"]]  # random: PAI ~ 1
    one = table[(table["model"] == "method") & (table["area_share"] == 0.01)]
    assert (one["pai"] > 10).all(), one[["period", "pai"]]
    assert ((five["pei"] > 0) & (five["pei"] <= 1)).all()
    # the top cell of every period is the hotspot or touches it
    hot_cells = h3.grid_disk(h3.latlng_to_cell(*HOT, RES), 1)
    for frame in result.scores.values():
        top = frame.sort_values("method", ascending=False).index[0]
        assert top in hot_cells
    # study area = the cells overlapping the square, nothing from OKI/Palembang
    cells = result.scores["Ramadhan 1447 H"].index
    assert result.n_cells == len(cells) > 300
    lat, lon = zip(*(h3.cell_to_latlng(c) for c in cells[:50]), strict=True)
    assert 109.5 < np.mean(lon) < 111
    assert -8.5 < np.mean(lat) < -7
    # no training leak: n_train counts only incidents strictly before each period
    times = records["time"].dt.tz_localize("Asia/Jakarta")
    for row in result.periods.itertuples():
        assert row.n_train == int((times < row.start).sum())
    text = result.format("en")
    assert "PAI" in text
    assert "kernel density" in text
    assert "Tingkat tangkap" in str(result)


def test_backtest_baselines_by_hand() -> None:
    records = _synthetic(seed=3)
    result = backtest(
        records,
        res=RES,
        boundaries=_boundary(),
        forecaster=count_forecaster,
        periods=["ramadhan-1446", ("2025-06-01", "2025-07-01")],
        options=BacktestOptions(baselines=("last_year", "all_time"), area_shares=(0.05,)),
    )
    assert result.periods["period"].tolist() == ["Ramadhan 1446 H", "2025-06-01..2025-07-01"]
    frame = result.scores["Ramadhan 1446 H"]
    times = records["time"].dt.tz_localize("Asia/Jakarta")
    # last year = the pra-Ramadhan..balik window of 1445 H: 2024-02-13 to 2024-04-18
    prev = (times >= "2024-02-13") & (times < "2024-04-18")
    assert frame["last_year"].sum() == prev.sum()
    start = pd.Timestamp("2025-02-01", tz="Asia/Jakarta")
    assert frame["all_time"].sum() == (times < start).sum()
    # the count forecaster and all-time counts are the same forecast
    assert (frame["method"] == frame["all_time"]).all()
    june = result.scores["2025-06-01..2025-07-01"]
    test = (times >= "2025-06-01") & (times < "2025-07-01")
    assert june["n_test"].sum() == test.sum()
    prev = (times >= "2024-06-01") & (times < "2024-07-01")
    assert june["last_year"].sum() == prev.sum()


def test_backtest_geodataframe_input_untouched_and_deterministic() -> None:
    df = _synthetic(seed=5).iloc[::3]
    gdf = gpd.GeoDataFrame(
        df.drop(columns=["lat", "lon"]), geometry=gpd.points_from_xy(df.lon, df.lat), crs=4326
    ).to_crs(32749)
    before = gdf.copy()
    five = BacktestOptions(area_shares=(0.05,))
    kw = {"res": RES, "boundaries": _boundary(), "periods": [1447], "options": five}
    a = backtest(gdf, forecaster=count_forecaster, **kw)  # type: ignore[arg-type]
    b = backtest(gdf, forecaster=count_forecaster, **kw)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(gdf, before)
    seen: list[tuple[int, int, str]] = []
    backtest(
        gdf,
        forecaster=count_forecaster,
        progress=lambda i, n, label: seen.append((i, n, label)),
        **kw,  # type: ignore[arg-type]
    )
    assert seen == [(1, 1, "Ramadhan 1447 H")]


def test_backtest_errors() -> None:
    records = _synthetic().drop(columns=["time"])
    with pytest.raises(ScoreError, match="'time'"):
        backtest(records, boundaries=_boundary(), forecaster=count_forecaster)
    with pytest.raises(SettingsError, match=r"Pembanding tidak dikenal.*naive"):
        backtest(
            _synthetic(), boundaries=_boundary(), options=BacktestOptions(baselines=("naive",))
        )
    line = gpd.GeoDataFrame(geometry=[shapely.LineString([(110, -7), (111, -8)])], crs=4326)
    with pytest.raises(ScoreError, match="poligon"):
        backtest(_synthetic(), boundaries=line, forecaster=count_forecaster)
    with pytest.raises(SettingsError, match="berakhir sebelum"):
        backtest(
            _synthetic(),
            boundaries=_boundary(),
            forecaster=count_forecaster,
            periods=[("2025-07-01", "2025-06-01")],
        )


def test_backtest_with_score_hotspots_on_a_real_kecamatan(kecamatan: gpd.GeoDataFrame) -> None:
    # the default forecaster is kamtibmas_geo.score._score.score_hotspots, on a real Palembang unit
    unit = kecamatan[kecamatan["kabupaten_code"] == "16.71"].iloc[[0]]
    poly = unit.geometry.iloc[0]
    rng = np.random.default_rng(11)
    xmin, ymin, xmax, ymax = poly.bounds
    lon = rng.uniform(xmin, xmax, 6000)
    lat = rng.uniform(ymin, ymax, 6000)
    inside = shapely.contains_xy(poly, lon, lat)
    lon, lat = lon[inside][:1500], lat[inside][:1500]
    hot = poly.representative_point()
    n_hot = 300
    lon = np.concatenate([lon, hot.x + rng.normal(0, 0.0008, n_hot)])
    lat = np.concatenate([lat, hot.y + rng.normal(0, 0.0008, n_hot)])
    t0 = pd.Timestamp("2023-01-01")
    seconds = rng.uniform(0, (pd.Timestamp("2026-04-30") - t0).total_seconds(), len(lon))
    records = pd.DataFrame(
        {
            "lat": lat,
            "lon": lon,
            "time": t0 + pd.to_timedelta(seconds, unit="s"),
            "type": "curanmor",
            "severity": 1.0,
        }
    )
    result = backtest(records, res=9, boundaries=unit, options=BacktestOptions(area_shares=(0.05,)))
    assert result.periods["period"].tolist() == [
        "Ramadhan 1445 H",
        "Ramadhan 1446 H",
        "Ramadhan 1447 H",
    ]
    method = result.table[result.table["model"] == "method"]
    assert (method["pai"] > 2).all(), method[["period", "pai"]]
    hot_cells = h3.grid_disk(h3.latlng_to_cell(hot.y, hot.x, 9), 2)
    for frame in result.scores.values():
        assert frame["method"].idxmax() in hot_cells


def _run(args: list[str]) -> int:
    from kamtibmas_geo.cli import main

    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_backtest_any_area(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    df = _synthetic().rename(columns={"type": "jenis"})
    df["tanggal"] = df.pop("time").dt.strftime("%Y-%m-%d %H:%M")
    df.to_csv(tmp_path / "kejadian.csv", index=False)
    _boundary(32749).to_file(tmp_path / "kotak.geojson")
    out = tmp_path / "metrics.csv"
    args = [
        "backtest",
        str(tmp_path / "kejadian.csv"),
        "--boundaries",
        str(tmp_path / "kotak.geojson"),
        "--res",
        "8",
        "--period",
        "ramadhan-1446",
        "--out",
        str(out),
    ]
    assert _run(["--lang", "en", *args]) == 0
    text = capsys.readouterr().out
    assert "Model chosen:" in text
    assert "Ramadhan 1446 H" in text
    table = pd.read_csv(out)
    assert set(table["model"]) == {"method", "last_year", "all_time", "kde"}
    assert len(table) == 12
    assert _run(args) == 0
    text = capsys.readouterr().out
    assert "Model terpilih:" in text
    assert "jendela lampau" in text
    assert _run([*args, "--ramadhan-start", "2025-03-01"]) == 2
    assert "--idul-fitri" in capsys.readouterr().err


def test_backtest_without_enough_history() -> None:
    records = _synthetic()
    short = records[records["time"] >= "2025-09-01"]  # less than a year before 1447 H
    result = backtest(short, res=RES, boundaries=_boundary(), forecaster=count_forecaster)
    assert result.periods.empty
    assert result.table.empty
    assert result.summary("en").empty
    assert "No period could be tested" in result.format("en")


def test_area_only_reports_are_not_outcomes() -> None:
    # reports placed only at their desa stand at its inside point: the forecaster may
    # learn from them, but they are neither outcomes nor baseline counts
    records = _synthetic(seed=3)
    records["geocode_status"] = "coordinates"
    records["region_level"] = "desa"
    vague = np.arange(len(records)) % 4 == 0
    records.loc[vague, "geocode_status"] = "matched"
    kw = {
        "res": RES,
        "boundaries": _boundary(),
        "forecaster": count_forecaster,
        "periods": [("2025-06-01", "2025-07-01")],
        "options": BacktestOptions(baselines=("all_time",), area_shares=(0.05,)),
    }
    result = backtest(records, **kw)
    precise = backtest(records[~vague], **kw)
    assert result.periods["n_test"].tolist() == precise.periods["n_test"].tolist()
    times = records["time"].dt.tz_localize("Asia/Jakarta")
    june = (times >= "2025-06-01") & (times < "2025-07-01")
    assert result.periods["n_test_area_only"].item() == int((june & vague).sum()) > 0
    frame = result.scores["2025-06-01..2025-07-01"]
    pd.testing.assert_series_equal(
        frame["all_time"], precise.scores["2025-06-01..2025-07-01"]["all_time"]
    )
    # the forecaster saw every training report, the vague ones included
    assert result.periods["n_train"].item() > precise.periods["n_train"].item()


def test_errors_are_indonesian_with_english_on_request() -> None:
    with pytest.raises(SettingsError) as info:
        backtest(
            _synthetic(),
            boundaries=_boundary(),
            forecaster=count_forecaster,
            periods=[("2025-07-01", "2025-06-01")],
        )
    assert str(info.value).startswith("Periode ('2025-07-01', '2025-06-01') berakhir sebelum")
    assert info.value.text("en") == "Period ('2025-07-01', '2025-06-01') ends before it starts."
    with pytest.raises(SettingsError) as info:
        rank_metrics(pd.Series([1.0], index=["a"]), pd.Series(dtype=float), area_shares=[5])
    assert str(info.value) == "area_shares harus di dalam (0, 1], bukan 5; 5% ditulis 0.05."
    assert info.value.text("en") == "area_shares must lie in (0, 1], got 5; 5% is 0.05."


# --------------------------------------------------------------------------- issue 16, item 4


def _halves() -> gpd.GeoDataFrame:
    """The square cut in two jurisdictions along a meridian that crosses cells."""
    west = shapely.box(110.30, -7.85, 110.3731, -7.70)
    east = shapely.box(110.3731, -7.85, 110.45, -7.70)
    return gpd.GeoDataFrame(
        {"kabupaten_code": ["90.01", "90.02"], "kabupaten_name": ["Barat", "Timur"]},
        geometry=[west, east],
        crs=4326,
    )


def test_any_period_as_text_in_the_settings_timezone() -> None:
    from kamtibmas_geo.config import Settings

    records = _synthetic(seed=3)
    kw = {"res": RES, "boundaries": _boundary(), "forecaster": count_forecaster}
    opts = BacktestOptions(baselines=("last_year",), area_shares=(0.05,), n_boot=0)
    wita = Settings(timezone="Asia/Makassar")
    r = backtest(records, periods=["2025-02-01..2025-03-01"], options=opts, settings=wita, **kw)
    row = r.periods.iloc[0]
    assert row["start"] == pd.Timestamp("2025-02-01", tz="Asia/Makassar")
    assert not row["ramadhan"]
    # naive record times are read in the same timezone
    times = records["time"]
    assert row["n_train"] == int((times < "2025-02-01").sum())
    # not a Ramadhan: last_year is the same dates, and says so
    assert "tanggal sama tahun lalu" in r.summary()["Model"].tolist()
    assert "same dates last year" in r.summary("en")["Model"].tolist()


def test_a_march_june_window_is_not_given_ramadhan_seasons() -> None:
    kw = {"window": ("pra_ramadhan", "balik"), "opts": {}, "method": "kemenag"}
    w = _period_of(("2025-03-01", "2025-06-01"), overrides=None, **kw)
    assert not w.ramadhan  # Ramadhan 1446 H starts inside it, but it is not a Ramadhan target
    assert w.past[0] == (
        pd.Timestamp("2024-03-01", tz="Asia/Jakarta"),
        pd.Timestamp("2024-06-01", tz="Asia/Jakarta"),
    )
    r = _period_of("ramadhan-1446", overrides=None, **kw)
    assert r.ramadhan
    assert r.past[0][0] == pd.Timestamp("2024-02-13", tz="Asia/Jakarta")


def test_score_forecaster_inherits_res_and_takes_seasons() -> None:
    records = _synthetic(seed=3)
    opts = BacktestOptions(baselines=("all_time",), area_shares=(0.05,), n_boot=0)
    kw = {"boundaries": _boundary(), "periods": [("2025-06-01", "2025-07-01")], "options": opts}
    r = backtest(records, res=9, forecaster=score_forecaster(smoothing=False), **kw)
    frame = r.scores["2025-06-01..2025-07-01"]
    assert (frame["method"] > 0).sum() > 100  # res-9 cells scored, not 0 of them
    method = r.table[r.table["model"] == "method"]
    assert method["pai"].iloc[0] > 1
    seasons = [("2024-06-01", "2024-07-01")]
    r2 = backtest(records, res=9, forecaster=score_forecaster(seasons=seasons), **kw)
    assert (r2.scores["2025-06-01..2025-07-01"]["method"] > 0).any()
    with pytest.raises(SettingsError, match="res=10"):
        backtest(records, res=9, forecaster=score_forecaster(res=10), **kw)

    def wrong_res(train, window, cells):  # type: ignore[no-untyped-def]
        return count_forecaster(train, window, cells)  # res-8 cells

    with pytest.raises(ScoreError, match="res 9"):
        backtest(records, res=9, forecaster=wrong_res, **kw)


def test_area_in_km2_clipped_to_each_jurisdiction() -> None:
    records = _synthetic(seed=3)
    opts = BacktestOptions(baselines=("all_time",), area_shares=(0.05,), area_km2=(2.0,))
    r = backtest(
        records, res=RES, boundaries=_halves(), forecaster=count_forecaster,
        periods=[("2025-06-01", "2025-08-01")], options=opts,
    )  # fmt: skip
    t = r.table
    assert set(t["jurisdiction"]) == {"Barat", "Timur"}
    assert set(t["target"]) == {"5%", "2 km²"}
    km2 = t[t["target"] == "2 km²"]
    assert np.allclose(km2["area_km2"], 2.0)
    # each jurisdiction's cells are clipped to it: the areas add up to its polygon's
    from kamtibmas_geo.config import Settings
    from kamtibmas_geo.evaluate._areas import jurisdictions, units_of

    units = jurisdictions(units_of(_halves(), None, Settings()), RES)
    for u, poly in zip(units, _halves().to_crs(32749).geometry, strict=True):
        assert u.area_km2 == pytest.approx(poly.area / 1e6, rel=2e-3)
        whole = h3_cells_area(u.index)
        assert whole > u.area_km2 * 1.02  # counting overlapping cells overstates the area
    # a cell on the dividing line belongs to both, each with its part
    shared = units[0].index.intersection(units[1].index)
    hexes = cells_to_gdf(list(shared)).set_index("hex_id").geometry
    shared = pd.Index([c for c in shared if SQUARE.contains(hexes[c])])  # not cut by the square
    assert len(shared) > 5
    both = units[0].areas[shared] + units[1].areas[shared]
    assert np.allclose(both, h3_cells_area(shared, each=True), rtol=6e-3)  # h3: a sphere
    # every incident counts in the jurisdiction its point lies in, once
    n = r.table.drop_duplicates(["kabupaten_code"])["n_test"].sum()
    times = records["time"]
    inside = (times >= "2025-06-01") & (times < "2025-08-01")
    assert n == int(inside.sum())
    # --region keeps one of them
    one = backtest(
        records, res=RES, boundaries=_halves(), region="Timur", forecaster=count_forecaster,
        periods=[("2025-06-01", "2025-08-01")], options=opts,
    )  # fmt: skip
    assert set(one.table["kabupaten_code"]) == {"90.02"}
    with pytest.raises(SettingsError, match="Selatan"):
        backtest(records, res=RES, boundaries=_halves(), region="Selatan",
                 forecaster=count_forecaster)  # fmt: skip


def h3_cells_area(cells: pd.Index, *, each: bool = False) -> float | np.ndarray:
    areas = np.array([h3.cell_area(c, "km^2") for c in cells])
    return areas if each else float(areas.sum())


def test_uncertainty_and_few_events() -> None:
    from kamtibmas_geo.evaluate import FewEventsWarning

    records = _synthetic(seed=3)
    kw = {"res": RES, "boundaries": _boundary(), "forecaster": count_forecaster}
    opts = BacktestOptions(baselines=("all_time",), area_shares=(0.05,), n_boot=200)
    with pytest.warns(FewEventsWarning) as caught:
        r = backtest(records, periods=[("2025-06-01", "2025-06-08")], options=opts, **kw)
    w = caught[0].message
    assert isinstance(w, FewEventsWarning)
    assert w.n < 30
    assert "hanya" in str(w)
    assert "only" in w.text("en")
    row = r.table.iloc[0]
    assert row["hit_rate_lo"] <= row["hit_rate"] <= row["hit_rate_hi"]
    assert row["pai_lo"] <= row["pai"] <= row["pai_hi"]
    again = backtest(records, periods=[("2025-06-01", "2025-06-08")], options=opts, **kw)
    pd.testing.assert_frame_equal(r.table, again.table)  # the bootstrap is seeded
    s = r.summary("en")
    assert {"Hit 95%", "PAI 95%"} <= set(s.columns)


def test_ties_at_the_cut_do_not_depend_on_names() -> None:
    # all-time counts tie on many cells; renaming cannot move the naive baselines any more
    records = _synthetic(seed=3).iloc[::10]
    kw = {"res": RES, "boundaries": _boundary(), "forecaster": count_forecaster}
    opts = BacktestOptions(baselines=("all_time",), area_shares=(0.05,), n_boot=0)
    r = backtest(records, periods=[("2025-06-01", "2025-08-01")], options=opts, **kw)
    frame = r.scores["2025-06-01..2025-08-01"]
    scores, observed = frame["all_time"], frame["n_test"]
    assert scores.duplicated().sum() > 10
    m = rank_metrics(scores, observed, area_shares=[0.05])
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(scores))
    shuffled = scores.iloc[perm]
    shuffled.index = [f"x{i:05d}" for i in range(len(scores))]
    obs = pd.Series(observed.iloc[perm].to_numpy(), index=shuffled.index)
    m2 = rank_metrics(shuffled, obs, area_shares=[0.05])
    assert m2["hit_rate"].iloc[0] == pytest.approx(m["hit_rate"].iloc[0], abs=1e-12)


def test_cli_backtest_period_area_and_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    df = _synthetic().rename(columns={"type": "jenis"})
    df["tanggal"] = df.pop("time").dt.strftime("%Y-%m-%d %H:%M")
    df.to_csv(tmp_path / "kejadian.csv", index=False)
    _halves().to_file(tmp_path / "dua.geojson")
    out = tmp_path / "m.csv"
    args = [
        "backtest", str(tmp_path / "kejadian.csv"), "--boundaries", str(tmp_path / "dua.geojson"),
        "--res", "8", "--period", "2025-06-01..2025-08-01", "--area-share", "0.5%",
        "--area-km2", "2", "--region", "90.01", "--out", str(out),
    ]  # fmt: skip
    assert _run(args) == 0
    text = capsys.readouterr().out
    assert "Model terpilih" in text
    assert "Barat" in text
    table = pd.read_csv(out)
    assert set(table["target"]) == {"0.5%", "2 km²"}
    assert set(table["kabupaten_code"].astype(str)) == {"90.01"}
    assert _run([*args[:-2], "--area-share", "lima"]) != 0
    assert "--area-share" in capsys.readouterr().err
