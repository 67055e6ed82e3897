"""The kabupaten/kota is the study area: per-region results, and their proof on random data.

Issue 13: pooling OKI (17,076 km²) and Palembang (353 km²) under one null made 90% of
Palembang "hot" from uniform random points. Here every relative quantity is computed
inside one kabupaten/kota, a multi-region call is the union of single-region calls, and
the proofs of item 5 run over 20 seeds of uniform random incidents.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from kamtibmas_geo.config import Settings
from kamtibmas_geo.score import ScoreOptions, score_hotspots
from kamtibmas_geo.score._score import count_text
from kamtibmas_geo.score._warnings import SmallSampleWarning

TARGET = (
    pd.Timestamp("2027-02-01", tz="Asia/Jakarta"),
    pd.Timestamp("2027-03-20", tz="Asia/Jakarta"),
)
#: Gi* alone: the proofs are about the hot-spot test, the other parts cost time only.
GI_ONLY = ScoreOptions(decay=False, seasonal=False, smoothing=False, emerging=False)
PLG, OKI = "16.71", "16.02"
#: The third kabupaten/kota of the proofs: Kota Lubuk Linggau (368 km², every official
#: kelurahan has a polygon), built lazily from the province's upstream files.
LLG = "16.73"
#: Incidents per region in the proofs (the issue's 3,000 points over Palembang).
N_UNIFORM = 3000
#: Palembang at the default resolution 9 (3,352 cells). OKI at resolution 8 (22,412 cells
#: instead of 154,107 at 9): the exact binomial null of Gi* is calibrated at any resolution,
#: and 20 seeds at 9 would cost ~3 minutes; the pooled failure of the issue does not depend
#: on it either (it came from one null over two areas of very different size).
RES = {PLG: 9, OKI: 8, LLG: 9}


def _uniform(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points uniform over a polygon (lon, lat), by rejection from its bounds."""
    x0, y0, x1, y1 = poly.bounds
    out: list[np.ndarray] = []
    while sum(len(o) for o in out) < n:
        x, y = rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)
        ok = shapely.contains_xy(poly, x, y)
        out.append(np.c_[x[ok], y[ok]])
    return np.vstack(out)[:n]


def _records(xy: np.ndarray, time: str = "2026-06-01") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time": pd.Timestamp(time, tz="Asia/Jakarta"),
            "type": "petasan",
            "lon": xy[:, 0],
            "lat": xy[:, 1],
        }
    )


def _cluster(centre: tuple[float, float], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points uniform in a disc of 300 m around ``centre`` (lon, lat)."""
    r = 300.0 * np.sqrt(rng.uniform(0, 1, n))
    a = rng.uniform(0, 2 * np.pi, n)
    lat0 = np.radians(centre[1])
    dlat = r * np.sin(a) / 111_320.0
    dlon = r * np.cos(a) / (111_320.0 * np.cos(lat0))
    return np.c_[centre[0] + dlon, centre[1] + dlat]


@pytest.fixture(scope="module")
def polys(kabupaten: gpd.GeoDataFrame, settings: Settings) -> dict[str, shapely.Geometry]:
    from kamtibmas_geo.boundaries import load_boundaries

    third = load_boundaries("kabupaten", LLG, settings=settings)
    both = pd.concat([kabupaten, third], ignore_index=True)
    return dict(zip(both["code"], both.geometry, strict=False))


def _score(
    recs: pd.DataFrame, settings: Settings, *, options: ScoreOptions = GI_ONLY, **kw: object
) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return score_hotspots(recs, target=TARGET, settings=settings, options=options, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- item 1


def test_multi_region_call_is_the_union_of_single_region_calls(
    polys: dict[str, shapely.Geometry], settings: Settings
) -> None:
    rng = np.random.default_rng(1)
    xy = np.vstack([_uniform(polys[PLG], 400, rng), _uniform(polys[OKI], 200, rng)])
    times = pd.Timestamp("2025-03-01", tz="Asia/Jakarta") + pd.to_timedelta(
        rng.uniform(0, 700, len(xy)), unit="D"
    )
    recs = _records(xy).assign(time=times)
    # resolution 7 (~5 km² cells) keeps three full runs (every part of the score) cheap
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both = score_hotspots(
            recs, target=TARGET, res=7, region=["OKI", "16.71"], settings=settings
        )
        auto = score_hotspots(recs, target=TARGET, res=7, settings=settings)
        parts = [
            score_hotspots(recs, target=TARGET, res=7, region=r, settings=settings)
            for r in ("Ogan Komering Ilir", "palembang")
        ]
    union = pd.concat(parts, ignore_index=True).sort_values("hex_id", ignore_index=True)
    union = gpd.GeoDataFrame(union, geometry="geometry", crs=4326)
    assert_geodataframe_equal(both, union)
    assert_geodataframe_equal(auto, union)
    assert set(both["kabupaten_code"]) == {OKI, PLG}
    assert not both["hex_id"].duplicated().any()  # a border cell is in one kabupaten only
    # every relative quantity is made inside its kabupaten: each has its own rank 1, and
    # its own classes 1..5
    for _, part in both.groupby("kabupaten_code"):
        assert part["score_rank"].min() == 1
        assert set(part["score_class"]) == {1, 2, 3, 4, 5}
    regions = both.attrs["score"]["regions"]
    n_plg = int((both["kabupaten_code"] == PLG).sum())
    assert regions[PLG]["label"] == f"Kota Palembang (16.71), {n_plg} sel"
    # rollup ranks compare units of one kabupaten/kota: each Polres has its own rank 1
    from kamtibmas_geo.score import rollup

    for level in ("kecamatan", "polsek"):
        table = rollup(both, level=level, settings=settings)  # type: ignore[arg-type]
        assert set(table["kabupaten_code"]) == {OKI, PLG}
        assert (table.groupby("kabupaten_code")["rank"].min() == 1).all()
        assert table["kabupaten_code"].is_monotonic_increasing
    pol = rollup(both, level="polsek", settings=settings)
    assert "Polsek Ilir Barat I" in set(pol["code"])  # names as staff write them
    assert regions[OKI]["n_cells"] == int((both["kabupaten_code"] == OKI).sum())


def test_auto_is_where_the_records_fall(
    polys: dict[str, shapely.Geometry], settings: Settings
) -> None:
    recs = _records(_uniform(polys[PLG], 50, np.random.default_rng(2)))
    out = _score(recs, settings, res=9)
    assert set(out["kabupaten_code"]) == {PLG}
    assert out.attrs["score"]["regions"][PLG]["label"] == "Kota Palembang (16.71), 3.352 sel"
    # geocoded records carry their desa code: that decides too, without a point
    coded = recs.assign(region_code="16.71.01.1001")
    assert set(_score(coded, settings, res=9)["kabupaten_code"]) == {PLG}
    # a kabupaten/kota beyond the default two is found as well
    llg = _records(_uniform(polys[LLG], 40, np.random.default_rng(2)))
    mixed = _score(pd.concat([recs, llg], ignore_index=True), settings, res=8)
    assert set(mixed["kabupaten_code"]) == {PLG, LLG}


# --------------------------------------------------------------------------- item 5


#: The proofs count a seed as "flagging" when any cell is significant at 99% (|gi_bin| = 3),
#: the level at which the issue measured the pooled failure (~3,000 hot cells in 10 of 10
#: seeds). At the 90% bin the Benjamini-Hochberg correction at q = 0.10 allows a false
#: flag in about 1 seed in 10 under pure noise (measured: 1, 2 and 2 seeds of 20 for
#: Palembang, OKI and both); that bound is asserted too.
LEVEL_99, LEVEL_90 = 3, 1


def _metres(centre: np.ndarray, cells: pd.Series) -> np.ndarray:
    """Distance in metres from ``centre`` (lon, lat) to the centre of each cell."""
    here = (float(centre[1]), float(centre[0]))
    return np.array([h3.great_circle_distance(here, h3.cell_to_latlng(c), unit="m") for c in cells])


def _flags(out: gpd.GeoDataFrame, level: int) -> bool:
    return bool((out["gi_bin"].abs() >= level).any())


@pytest.mark.parametrize("code", [PLG, OKI, LLG])
def test_uniform_incidents_flag_nothing_in_one_kabupaten(
    code: str, polys: dict[str, shapely.Geometry], settings: Settings
) -> None:
    at_99 = at_90 = 0
    for seed in range(20):
        recs = _records(_uniform(polys[code], N_UNIFORM, np.random.default_rng(seed)))
        out = _score(recs, settings, res=RES[code], region=code)
        assert set(out["kabupaten_code"]) == {code}
        at_99 += _flags(out, LEVEL_99)
        at_90 += _flags(out, LEVEL_90)
    assert at_99 <= 1
    assert at_90 <= 3  # expected ~2 of 20 at FDR 10%


def test_uniform_incidents_in_both_flag_nothing_with_auto(
    polys: dict[str, shapely.Geometry], settings: Settings
) -> None:
    # one resolution for both (8): the pooled failure of the issue was ~3,000 hot cells
    at_99 = at_90 = 0
    for seed in range(20):
        rng = np.random.default_rng(100 + seed)
        xy = np.vstack([_uniform(polys[PLG], N_UNIFORM, rng), _uniform(polys[OKI], N_UNIFORM, rng)])
        out = _score(_records(xy), settings, res=8)
        assert set(out["kabupaten_code"]) == {OKI, PLG}
        at_99 += _flags(out, LEVEL_99)
        at_90 += _flags(out, LEVEL_90)
    assert at_99 <= 1
    assert at_90 <= 3


@pytest.mark.parametrize("code", [PLG, OKI, LLG])
def test_planted_cluster_of_20_within_300_m_is_found(
    code: str, polys: dict[str, shapely.Geometry], settings: Settings
) -> None:
    found = 0
    for seed in range(10):
        rng = np.random.default_rng(200 + seed)
        centre = _uniform(polys[code].buffer(-0.01), 1, rng)[0]  # 1 km inside the border
        xy = np.vstack([_uniform(polys[code], N_UNIFORM, rng), _cluster(tuple(centre), 20, rng)])
        out = _score(_records(xy), settings, res=RES[code], region=code)
        # hot at 95% at least, within 600 m of the centre
        found += bool((_metres(centre, out.loc[out["gi_bin"] >= 2, "hex_id"]) <= 600).any())
        # the strong cells are the cluster's: nothing at 99% away from it
        far99 = _metres(centre, out.loc[out["gi_bin"] == 3, "hex_id"])
        assert (far99 <= 1500).all()
    assert found >= 9


# --------------------------------------------------------------------------- item 4

CENTRE = "898cab153afffff"  # res 9, Kayu Agung (OKI)


def _cell_records(cells: list[str], times: list[pd.Timestamp]) -> pd.DataFrame:
    latlng = [h3.cell_to_latlng(c) for c in cells]
    return pd.DataFrame(
        {
            "time": pd.DatetimeIndex(times).tz_localize("Asia/Jakarta"),
            "type": "petasan",
            "lat": [p[0] for p in latlng],
            "lon": [p[1] for p in latlng],
        }
    )


def test_emerging_series_start_at_the_first_record(settings: Settings) -> None:
    # one year of history, a cluster hot in every month: that is a persistent hot spot,
    # not a "consecutive" one made by twelve empty months before the data began
    cells = sorted(h3.grid_disk(CENTRE, 6))
    rng = np.random.default_rng(7)
    months = pd.date_range("2026-01-10", periods=12, freq="MS") + pd.Timedelta(days=9)
    old = list(rng.choice(cells, 120))
    old_t = list(months[0] + pd.to_timedelta(rng.uniform(0, 360, 120), unit="D"))
    hot = [c for _ in months for c in [CENTRE] * 4 + sorted(h3.grid_ring(CENTRE, 1))]
    hot_t = [t for t in months for _ in range(10)]
    recs = _cell_records(old + hot, old_t + hot_t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = score_hotspots(recs, target=TARGET, cells=cells, settings=settings)
    row = out.set_index("hex_id").loc[CENTRE]
    assert row["trend_class"] == "persistent_hotspot"
    assert abs(row["trend_z"]) < 2  # no trend made of missing months
    # and no falling trend everywhere else (pure noise: ~2% of cells below -2)
    assert (out["trend_z"] < -2).mean() <= 0.05


def test_desa_only_records_stay_out_of_gi(settings: Settings, desa: gpd.GeoDataFrame) -> None:
    # 40 records known only by their kelurahan used to become whole counts in a fixed
    # block of its largest cells, and hot cells there; now they count in the score as
    # expected fractions ("≈") and Gi* counts points only
    rng = np.random.default_rng(11)
    plg = desa[desa["kabupaten_code"] == PLG]
    kel = plg.iloc[len(plg) // 2]
    points = _records(_uniform(shapely.union_all(plg.geometry.to_numpy()), 300, rng))
    named = pd.DataFrame(
        {
            "time": pd.Timestamp("2026-06-01", tz="Asia/Jakarta"),
            "type": "petasan",
            "lat": np.nan,
            "lon": np.nan,
            "geocode_status": "matched",
            "region_level": "desa",
            "region_code": kel["code"],
        },
        index=range(40),
    )
    base = _score(points, settings, res=9, region=PLG)
    both = _score(pd.concat([points, named], ignore_index=True), settings, res=9, region=PLG)
    for col in ("gi_z", "gi_p", "gi_p_fdr", "gi_bin"):
        np.testing.assert_array_equal(both[col], base[col])
    meta = both.attrs["score"]["regions"][PLG]
    assert meta["n_gi_left_out"] == 40
    assert meta["n_points"] == 300
    assert both["n_incidents"].sum() == pytest.approx(340)
    added = both["n_incidents"] - base["n_incidents"]
    assert added.sum() == pytest.approx(40)
    in_kel = added.to_numpy() > 1e-9  # the kelurahan's cells, by their share of its area
    assert (both.loc[in_kel, "desa_code"] == kel["code"]).mean() > 0.5
    assert both.loc[in_kel, "n_incidents_text"].str.startswith("≈ ").any()


def test_counts_shown_to_people() -> None:
    assert [count_text(v) for v in (0.0, 3.0, 2.6, 0.2, 3352.0)] == [
        "0",
        "3",
        "≈ 3",
        "≈ 0",
        "3.352",
    ]


def test_small_sample_is_said(polys: dict[str, shapely.Geometry], settings: Settings) -> None:
    recs = _records(_uniform(polys[PLG], 12, np.random.default_rng(3)))
    with pytest.warns(
        SmallSampleWarning, match=r"Kota Palembang \(16\.71\): hanya 12 kejadian"
    ) as told:
        out = score_hotspots(recs, target=TARGET, res=8, settings=settings, options=GI_ONLY)
    assert "only 12 incidents (fewer than 30)" in told[0].message.text("en")  # type: ignore[union-attr]
    assert out["small_sample"].all()
    assert out.attrs["score"]["regions"][PLG]["small_sample"] is True
    enough = _score(_records(_uniform(polys[PLG], 40, np.random.default_rng(3))), settings, res=8)
    assert not enough["small_sample"].any()


def test_exposure_per_desa_changes_what_is_hot(settings: Settings, desa: gpd.GeoDataFrame) -> None:
    # incidents follow people: a dense kelurahan with 10x the people per km² has 10x the
    # incidents per km². Against area it is "hot"; against its population it is not.
    plg = desa[desa["kabupaten_code"] == PLG].reset_index(drop=True)
    dense = plg.iloc[10]
    density = np.where(plg["code"] == dense["code"], 10.0, 1.0)  # people per km², relative
    population = pd.Series(density * plg["area_km2"].to_numpy() * 1000, index=plg["code"])
    rng = np.random.default_rng(5)
    per_desa = rng.multinomial(2000, (population / population.sum()).to_numpy())
    xy = np.vstack(
        [_uniform(g, int(k), rng) for g, k in zip(plg.geometry, per_desa, strict=True) if k]
    )
    recs = _records(xy)
    by_area = _score(recs, settings, res=9, region=PLG)
    by_people = _score(
        recs, settings, res=9, region=PLG, options=GI_ONLY.replace(exposure=population)
    )
    in_dense = (by_area["desa_code"] == dense["code"]).fillna(False).to_numpy(dtype=bool)
    assert (by_area.loc[in_dense, "gi_bin"] == 3).any()
    assert not (by_people["gi_bin"] > 0).any()
    with pytest.raises(Exception, match="tidak punya nilai"):
        _score(recs, settings, res=9, region=PLG, options=GI_ONLY.replace(exposure=population[:5]))


# --------------------------------------------------------------------------- CLI


@pytest.mark.filterwarnings("ignore")
def test_cli_names_the_study_area_and_small_samples(
    tmp_path, settings: Settings, capsys, polys: dict[str, shapely.Geometry]
) -> None:  # type: ignore[no-untyped-def]
    lang = "id"  # English is the same code path with the other catalogue entry
    from kamtibmas_geo.cli import main

    xy = _uniform(polys[PLG], 12, np.random.default_rng(4))
    rows = ["tanggal,jam,jenis,lintang,bujur"]
    rows += [f"2026-05-1{i % 9},21:00,petasan,{y:.6f},{x:.6f}" for i, (x, y) in enumerate(xy)]
    src = tmp_path / "gangguan.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "cells.parquet"
    common = ["--source", settings.source or "", "--cache-dir", settings.cache_dir or ""]
    args = [*common, "--lang", lang, "hotspots", str(src), "--region", "palembang"]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--out", str(out)])
    assert exc.value.code in (0, None), capsys.readouterr()
    text = " ".join(capsys.readouterr().out.split())
    head = "Wilayah analisis" if lang == "id" else "Study area"
    assert f"{head}: Kota Palembang (16.71), 3.352 sel" in text
    said = {"id": "hanya 12 kejadian", "en": "only 12 incidents"}[lang]
    assert said in text
    assert gpd.read_parquet(out)["small_sample"].all()


def test_poskamling_plans_each_kabupaten_on_its_own(
    polys: dict[str, shapely.Geometry], settings: Settings
) -> None:
    from kamtibmas_geo.plan import plan_poskamling

    rng = np.random.default_rng(9)
    xy = np.vstack([_uniform(polys[PLG], 300, rng), _uniform(polys[OKI], 300, rng)])
    scored = _score(_records(xy), settings, res=8)
    cells = scored[scored["score"] > 0]
    both = plan_poskamling(cells, p=3, radius=800, settings=settings)
    assert set(both.plans) == {OKI, PLG}
    assert len(both.posts) == 6  # three for each Polres
    for code in (OKI, PLG):
        alone = plan_poskamling(cells, p=3, radius=800, settings=settings, region=code)
        mine = both.posts[both.posts["kabupaten_code"] == code].reset_index(drop=True)
        assert mine["hex_id"].tolist() == alone.posts["hex_id"].tolist()
        assert mine["rank"].tolist() == [1, 2, 3]
        assert set(alone.posts["kabupaten_code"]) == {code}
    assert both.objective == pytest.approx(sum(q.objective for q in both.plans.values()))
