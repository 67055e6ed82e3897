"""Tests of kamtibmas_geo.plan._poskamling: Poskamling placement (maximal covering location)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from _plan_cells import make_cells
from geopandas.testing import assert_geodataframe_equal

from kamtibmas_geo._errors import KamtibmasGeoError, PlanError
from kamtibmas_geo.plan._mclp import coverage_matrix, reduce_instance
from kamtibmas_geo.plan._places import to_utm
from kamtibmas_geo.plan._poskamling import PoskamlingOptions, PoskamlingPlan, plan_poskamling

# A real place in Palembang (Ilir Timur) and one about 5 km away.
HUB = h3.latlng_to_cell(-2.975, 104.765, 9)
FAR = h3.latlng_to_cell(-2.930, 104.765, 9)


@pytest.fixture(scope="module")
def tiny() -> pd.DataFrame:
    """Hub cell (5) with its ring (1 each, total 11), and one far cell (8); the rest is 0."""
    hub_ring = set(h3.grid_disk(HUB, 1))
    zeros = set(h3.grid_disk(HUB, 3)) | set(h3.grid_disk(FAR, 2))
    hexes = sorted(zeros)
    score = [5.0 if c == HUB else 1.0 if c in hub_ring else 8.0 if c == FAR else 0.0 for c in hexes]
    return pd.DataFrame(
        {"hex_id": hexes, "score": score, "kecamatan_code": "k1", "kecamatan_name": "K1"}
    )


@pytest.fixture(scope="module")
def palembang(kabupaten: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """All of Palembang at res 9 (about 3,100 cells), seeded clustered scores."""
    return make_cells(kabupaten[kabupaten["code"] == "16.71"], desa, 9, seed=1)


@pytest.fixture(scope="module")
def small(kecamatan: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Two real kecamatan of Palembang at res 9 (about 280 cells): small enough for spopt."""
    kec = kecamatan[kecamatan["code"].isin(["16.71.08", "16.71.14"])]
    return make_cells(kec, desa, 9, seed=3, n_hotspots=8, sigma_m=500)


@pytest.fixture(scope="module")
def exact20(palembang: gpd.GeoDataFrame) -> PoskamlingPlan:
    return PoskamlingPlan.from_scores(palembang, p=20, radius=500).solve("exact")


def test_radius_at_res9_covers_exactly_the_first_ring() -> None:
    ll = np.array([h3.cell_to_latlng(c) for c in [HUB, *sorted(h3.grid_ring(HUB, 1))]])
    ll2 = np.array([h3.cell_to_latlng(c) for c in sorted(h3.grid_ring(HUB, 2))])
    cov = coverage_matrix(to_utm(ll[:, 1], ll[:, 0]), to_utm(ll[:1, 1], ll[:1, 0]), 400)
    assert cov.sum() == 7
    assert coverage_matrix(to_utm(ll2[:, 1], ll2[:, 0]), to_utm(ll[:1, 1], ll[:1, 0]), 400).nnz == 0


@pytest.mark.parametrize("method", ["exact", "greedy", "auto"])
def test_tiny_instance_known_optimum(tiny: pd.DataFrame, method: str) -> None:
    one = PoskamlingPlan.from_scores(tiny, p=1, radius=400).solve(method)  # type: ignore[arg-type]
    assert one.objective == pytest.approx(11.0)
    assert one.posts["hex_id"].tolist() == [HUB]
    assert one.posts["n_cells"].tolist() == [19 - 12]
    two = PoskamlingPlan.from_scores(tiny, p=2, radius=400).solve(method)  # type: ignore[arg-type]
    assert two.objective == pytest.approx(19.0)
    assert two.posts["hex_id"].tolist() == [HUB, FAR]
    assert two.posts["marginal_gain"].tolist() == pytest.approx([11.0, 8.0])
    assert two.coverage_before == 0.0
    assert two.coverage_after == pytest.approx(1.0)
    assert len(two.uncovered) == 0
    three = PoskamlingPlan.from_scores(tiny, p=3, radius=400).solve(method)  # type: ignore[arg-type]
    assert len(three.posts) == 2, "a third post would add nothing, so none is proposed"
    assert three.bound == pytest.approx(19.0)


def test_existing_posts_are_respected(tiny: pd.DataFrame, tmp_path: Path) -> None:
    lat, lon = h3.cell_to_latlng(HUB)
    posts = tmp_path / "pos.csv"
    posts.write_text(
        f"nama,lintang,bujur,status\nPos Kamling Hub,{lat},{lon},aktif\n"
        f"Pos lama,{h3.cell_to_latlng(FAR)[0]},{h3.cell_to_latlng(FAR)[1]},tidak aktif\n"
        "Pos tanpa koordinat,,,aktif\n",
        encoding="utf-8",
    )
    plan = plan_poskamling(tiny, p=1, radius=400, existing=posts)
    assert plan.existing["nama"].tolist() == ["Pos Kamling Hub"]
    assert plan.existing["covered_score"].tolist() == pytest.approx([11.0])
    assert plan.coverage_before == pytest.approx(11 / 19)
    assert plan.posts["hex_id"].tolist() == [FAR], "no new post where the existing one covers"
    assert plan.objective == pytest.approx(8.0)
    assert plan.coverage_after == pytest.approx(1.0)


def test_existing_posts_on_real_instance(
    palembang: gpd.GeoDataFrame, exact20: PoskamlingPlan
) -> None:
    top = exact20.posts.head(5)[["nama", "lon", "lat"]].rename(
        columns={"lon": "bujur", "lat": "lintang"}
    )
    plan = PoskamlingPlan.from_scores(palembang, p=15, radius=500, existing=top).solve("exact")
    before = exact20.posts["marginal_gain"].head(5).sum() / palembang["score"].sum()
    assert plan.coverage_before == pytest.approx(before)
    # The best 15 given the 5 kept is the rest of the best 20 (same total).
    assert plan.coverage_after == pytest.approx(exact20.coverage_after)
    assert not set(plan.posts["hex_id"]) & set(exact20.posts["hex_id"].head(5))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_equals_spopt_on_real_palembang(small: gpd.GeoDataFrame) -> None:
    pulp = pytest.importorskip("pulp")
    from scipy.spatial.distance import cdist
    from spopt.locate import MCLP

    ll = np.array([h3.cell_to_latlng(c) for c in small["hex_id"]])
    xy = to_utm(ll[:, 1], ll[:, 0])
    ref = MCLP.from_cost_matrix(
        cdist(xy, xy), small["score"].to_numpy(), service_radius=500.0, p_facilities=5
    ).solve(pulp.PULP_CBC_CMD(msg=False))
    ours = PoskamlingPlan.from_scores(small, p=5, radius=500).solve("exact")
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(pulp.value(ref.problem.objective), rel=1e-9)
    assert ours.gap == pytest.approx(0.0, abs=1e-9)


def test_greedy_within_bound(palembang: gpd.GeoDataFrame, exact20: PoskamlingPlan) -> None:
    gr = PoskamlingPlan.from_scores(palembang, p=20, radius=500).solve("greedy")
    assert gr.status == "greedy"
    assert gr.objective <= exact20.objective + 1e-9
    assert gr.objective >= (1 - 1 / np.e) * exact20.objective
    assert gr.bound >= exact20.objective - 1e-6
    assert gr.gap == pytest.approx((gr.bound - gr.objective) / gr.bound)
    assert exact20.status == "optimal"
    assert exact20.bound == pytest.approx(exact20.objective)
    assert exact20.covered_score == pytest.approx(exact20.posts["marginal_gain"].sum())
    assert exact20.posts["rank"].tolist() == list(range(1, len(exact20.posts) + 1))
    assert exact20.posts["marginal_gain"].is_monotonic_decreasing


def test_min_spacing_and_budget(
    small: gpd.GeoDataFrame, palembang: gpd.GeoDataFrame, exact20: PoskamlingPlan
) -> None:
    free = PoskamlingPlan.from_scores(small, p=6, radius=500).solve("exact")
    for method in ("exact", "greedy"):
        spaced = PoskamlingOptions(min_spacing=1200.0)
        sp = PoskamlingPlan.from_scores(small, p=6, radius=500, options=spaced)
        sp.solve(method)  # type: ignore[arg-type]
        xy = to_utm(sp.posts["lon"].to_numpy(), sp.posts["lat"].to_numpy())
        d = np.linalg.norm(xy[:, None] - xy[None], axis=2) + np.eye(len(xy)) * 1e9
        assert d.min() >= 1200.0
        assert sp.objective <= free.objective + 1e-9
        two = PoskamlingOptions(budget_per_kecamatan=2)
        bud = PoskamlingPlan.from_scores(palembang, p=20, radius=500, options=two)
        bud.solve(method)  # type: ignore[arg-type]
        assert bud.posts["kecamatan_code"].value_counts().max() <= 2
    assert exact20.posts["kecamatan_code"].value_counts().max() > 2, "budget must bind"
    one = PoskamlingPlan.from_scores(
        palembang, p=20, radius=500, options=PoskamlingOptions(budget_per_kecamatan={"16.71.01": 0})
    ).solve("exact")
    assert "16.71.01" not in set(one.posts["kecamatan_code"])


def test_deterministic_and_input_untouched(palembang: gpd.GeoDataFrame) -> None:
    before = palembang.copy()
    a = PoskamlingPlan.from_scores(palembang, p=10, radius=500).solve("exact")
    shuffled = palembang.sample(frac=1.0, random_state=5)
    b = PoskamlingPlan.from_scores(shuffled, p=10, radius=500).solve("exact")
    assert_geodataframe_equal(a.posts, b.posts)
    assert a.uncovered["hex_id"].tolist() == b.uncovered["hex_id"].tolist()
    g1 = PoskamlingPlan.from_scores(palembang, p=10, radius=500).solve("greedy")
    g2 = PoskamlingPlan.from_scores(shuffled, p=10, radius=500).solve("greedy")
    assert_geodataframe_equal(g1.posts, g2.posts)
    assert_geodataframe_equal(palembang, before)


def test_candidate_places_file(palembang: gpd.GeoDataFrame, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    hot = palembang.nlargest(30, "score")
    ll = np.array([h3.cell_to_latlng(c) for c in hot["hex_id"]])
    jitter = rng.normal(0, 0.0005, ll.shape)
    names = [f"Masjid {i}" for i in range(len(ll))]
    frame = pd.DataFrame(
        {"nama": names, "lintang": ll[:, 0] + jitter[:, 0], "bujur": ll[:, 1] + jitter[:, 1]}
    )
    path = tmp_path / "kandidat.csv"
    frame.to_csv(path, index=False)
    half = PoskamlingOptions(gap_weight=0.5)
    plan = plan_poskamling(palembang, p=4, radius=500, candidates=path, options=half)
    assert len(plan.posts) == 4
    assert set(plan.posts["nama"]) <= set(names)
    assert plan.posts["desa_name"].notna().all()
    assert plan.posts["kecamatan_code"].str.startswith("16.71").all()
    weights = palembang["score"] + 0.5 * palembang["coverage_gap"]
    assert plan.coverage_after * weights.sum() == pytest.approx(plan.objective)


def test_auto_with_time_limit_reports_gap(palembang: gpd.GeoDataFrame) -> None:
    plan = PoskamlingPlan.from_scores(palembang, p=20, radius=700).solve("auto", time_limit=60)
    assert plan.status in {"optimal", "time_limit"}
    assert 0.0 <= plan.gap < 0.01
    assert plan.bound >= plan.objective
    summary = plan.summary()
    assert summary["n_posts"] == len(plan.posts)
    json.dumps(summary)
    assert "gap" in repr(plan)


def test_reduction_keeps_the_optimum(small: gpd.GeoDataFrame) -> None:
    ll = np.array([h3.cell_to_latlng(c) for c in small["hex_id"]])
    xy = to_utm(ll[:, 1], ll[:, 0])
    cov = coverage_matrix(xy, xy, 700)
    inst = reduce_instance(cov, small["score"].to_numpy(), 4)
    assert inst.size["sites"] < len(small)
    assert inst.size["demand_rows"] <= int((small["score"] > 0).sum())
    full = PoskamlingPlan.from_scores(small, p=4, radius=700).solve("exact")
    tiny_gap = PoskamlingOptions(min_spacing=1e-3)
    spaced = PoskamlingPlan.from_scores(small, p=4, radius=700, options=tiny_gap).solve("exact")
    assert full.objective == pytest.approx(spaced.objective)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p": -1}, "p .*>= 0"),
        ({"p": 10_000}, "hanya ada .* tempat calon"),
        ({"radius": 0}, "radius"),
        ({"radius": -5.0}, "radius"),
        ({"options": PoskamlingOptions(weight="nope")}, "tidak punya kolom"),
        (
            {"options": PoskamlingOptions(gap_weight=1.0, weight="kecamatan_code")},
            "tidak punya kolom|positif",
        ),
        ({"options": PoskamlingOptions(min_spacing=-1.0)}, "min_spacing"),
        ({"options": PoskamlingOptions(budget_per_kecamatan=-1)}, "budget"),
    ],
)
def test_bad_options_raise_plan_error(tiny: pd.DataFrame, kwargs: dict, match: str) -> None:
    with pytest.raises(PlanError, match=match):
        PoskamlingPlan.from_scores(tiny, **kwargs)


def test_bad_inputs_raise_plan_error(tiny: pd.DataFrame) -> None:
    zero = tiny.assign(score=0.0)
    with pytest.raises(PlanError, match="positif"):
        PoskamlingPlan.from_scores(zero)
    with pytest.raises(PlanError, match="kosong"):
        PoskamlingPlan.from_scores(tiny.iloc[:0])
    nocrs = gpd.GeoDataFrame(
        tiny, geometry=gpd.points_from_xy([0.0] * len(tiny), [0.0] * len(tiny))
    )
    with pytest.raises(PlanError, match="CRS"):
        PoskamlingPlan.from_scores(nocrs)
    with pytest.raises(PlanError, match="lebih dari sekali"):
        PoskamlingPlan.from_scores(pd.concat([tiny, tiny.head(1)]))
    with pytest.raises(PlanError, match="H3"):
        PoskamlingPlan.from_scores(tiny.assign(hex_id=[f"sel-{i}" for i in range(len(tiny))]))
    with pytest.raises(PlanError, match="method"):
        PoskamlingPlan.from_scores(tiny, p=1).solve("fast")  # type: ignore[arg-type]
    with pytest.raises(PlanError, match="tidak ada"):
        PoskamlingPlan.from_scores(tiny, existing="/tidak/ada.csv")
    with pytest.raises(PlanError, match="lintang"):
        PoskamlingPlan.from_scores(tiny, existing=pd.DataFrame({"nama": ["x"]}))
    with pytest.raises(KamtibmasGeoError):
        PoskamlingPlan.from_scores([1, 2, 3])  # type: ignore[arg-type]
    empty = PoskamlingPlan.from_scores(tiny, p=0, radius=400).solve()
    assert empty.status == "empty"
    assert len(empty.posts) == 0
    assert empty.objective == 0.0


def _run_cli(args: list[str]) -> int:
    from kamtibmas_geo.cli import main

    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_poskamling_and_patrol(
    small: gpd.GeoDataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cells = tmp_path / "sel.parquet"
    small.to_parquet(cells)
    lat, lon = h3.cell_to_latlng(small.nlargest(1, "score")["hex_id"].item())
    posts = tmp_path / "pos.csv"
    posts.write_text(f"nama,lintang,bujur\nPos Lama,{lat},{lon}\n", encoding="utf-8")
    out = tmp_path / "usulan.geojson"
    code = _run_cli(
        ["poskamling", str(cells), "--existing", str(posts), "--new", "3", "--out", str(out)]
    )
    text = capsys.readouterr().out
    assert code == 0, text
    assert "pos baru diusulkan" in text
    assert "terbukti optimal" in text
    assert "status optimal" not in text
    got = gpd.read_file(out)
    assert len(got) == 3
    assert {"rank", "desa_name", "marginal_gain"} <= set(got.columns)
    direct = plan_poskamling(small, p=3, radius=500, existing=posts)
    assert sorted(got["hex_id"]) == sorted(direct.posts["hex_id"])
    csv_out = tmp_path / "patroli.csv"
    page = tmp_path / "patroli.html"
    code = _run_cli(
        ["patrol", str(cells), "--teams", "2", "--out", str(csv_out), "--html", str(page)]
    )
    text = capsys.readouterr().out
    assert code == 0, text
    assert "Rencana patroli" in text
    plan = pd.read_csv(csv_out)
    assert set(plan["team"]) == {1, 2}
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert _run_cli(["poskamling", str(cells), "--new", "-1", "--out", str(out)]) == 2
    assert "p (jumlah pos baru" in capsys.readouterr().err
    assert _run_cli(["patrol", str(cells), "--out", str(tmp_path / "x.txt")]) == 2


def test_existing_posts_semicolon_csv(tmp_path):
    from kamtibmas_geo.plan._places import read_places

    path = tmp_path / "pos.csv"
    path.write_text(
        "no;nama;lintang;bujur;status\n1;Pos A;-2,99;104,75;aktif\n2;Pos B;-2.98;104.76;aktif\n"
        "3;Pos C;-2.97;104.77;tidak aktif\n",
        encoding="utf-8",
    )
    places = read_places(path, what="existing posts")
    assert len(places) == 2


def test_solver_banner_stays_off_stdout(tmp_path: Path) -> None:
    # the real solver in a fresh process, where highspy prints its banner on first use
    script = tmp_path / "plan.py"
    script.write_text(
        "import h3, pandas as pd\n"
        "from kamtibmas_geo.plan._poskamling import PoskamlingPlan\n"
        f"hub = {HUB!r}\n"
        "cells = sorted(h3.grid_disk(hub, 2))\n"
        "df = pd.DataFrame({'hex_id': cells, 'score': [5.0 if c == hub else 1.0 for c in cells]})\n"
        "plan = PoskamlingPlan.from_scores(df, p=1, radius=400).solve('exact')\n"
        "print('posts', len(plan.posts))\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout == "posts 1\n"
    assert "HiGHS" not in out.stderr


def test_inactive_posts_can_be_candidates_for_reactivation(tiny: pd.DataFrame) -> None:
    lat, lng = h3.cell_to_latlng(HUB)
    flat, flng = h3.cell_to_latlng(FAR)
    posts = pd.DataFrame(
        {
            "nama": ["Pos Kamling RW 03", "Pos Kamling RW 07"],
            "lintang": [lat, flat],
            "bujur": [lng, flng],
            "status": ["tidak aktif", "aktif"],
        }
    )
    # the active post already covers FAR; reactivating the inactive one covers the hub
    plan = plan_poskamling(tiny, p=1, radius=400, existing=posts, candidates=posts)
    assert plan.posts["nama"].tolist() == ["Pos Kamling RW 03"]
    assert plan.coverage_after == pytest.approx(1.0)


def test_distances_are_true_metres_outside_zone_48() -> None:
    # Labuan Bajo (119.9°E) lies in UTM zone 50S; a fixed zone 48S would stretch by ~2%
    from pyproj import Geod

    hub = h3.latlng_to_cell(-8.49, 119.89, 9)
    cells = sorted(h3.grid_disk(hub, 5))
    df = pd.DataFrame({"hex_id": cells, "score": [50.0 if c == hub else 1.0 for c in cells]})
    lat0, lng0 = h3.cell_to_latlng(hub)
    ll = np.array([h3.cell_to_latlng(c) for c in cells])
    dist = Geod(ellps="WGS84").inv(
        np.full(len(ll), lng0), np.full(len(ll), lat0), ll[:, 1], ll[:, 0]
    )[2]
    checked = 0
    for radius in range(300, 1800, 25):
        if np.min(np.abs(dist - radius)) < 0.005 * radius:
            continue  # too close to call at any projection's precision
        plan = PoskamlingPlan.from_scores(df, p=1, radius=radius, candidates=None).solve("exact")
        assert plan.posts["hex_id"].tolist() == [hub]
        assert plan.posts["n_cells"].item() == int((dist <= radius).sum()), radius
        checked += 1
    assert checked > 20


def test_errors_are_indonesian_with_english_on_request(tiny: pd.DataFrame) -> None:
    with pytest.raises(PlanError) as info:
        PoskamlingPlan.from_scores(tiny, p=-1)
    assert str(info.value) == "p (jumlah pos baru) harus bilangan bulat >= 0, bukan -1."
    assert info.value.text("en") == (
        "p (the number of new posts) must be a whole number >= 0, got -1."
    )
    with pytest.raises(PlanError) as info:
        PoskamlingPlan.from_scores(tiny, existing="/tidak/ada.csv")
    assert str(info.value).startswith("Berkas pos aktif '/tidak/ada.csv' tidak ada")
    assert info.value.text("en").startswith("The existing posts file '/tidak/ada.csv' does not")
    bad = tiny.assign(hex_id=[f"sel-{i}" for i in range(len(tiny))])
    with pytest.raises(PlanError) as info:
        PoskamlingPlan.from_scores(bad)
    assert "'sel-0'" in str(info.value)  # names the bad value
    assert "not an H3 cell id" in info.value.text("en")


def test_posts_table_names_places_and_summary_in_words(small: gpd.GeoDataFrame) -> None:
    from io import StringIO

    from rich.console import Console

    from kamtibmas_geo.boundaries import display_name, kecamatan_display_name
    from kamtibmas_geo.cli._plan import _plan_summary, _posts_table

    plan = plan_poskamling(small, p=3, radius=500)
    top = plan.posts.iloc[0]

    def show(lg: str) -> str:
        console = Console(file=StringIO(), width=250, color_system=None)
        console.print(_posts_table(plan.posts, lg))  # type: ignore[arg-type]
        console.print(_plan_summary(plan.summary(), lg), soft_wrap=True)  # type: ignore[arg-type]
        return console.file.getvalue()  # type: ignore[attr-defined]

    text_id, text_en = show("id"), show("en")
    site = f"{display_name(top['desa_name'])}, {kecamatan_display_name(top['kecamatan_name'])}"
    assert site in text_id
    assert site in text_en
    assert f"{top['lat']:.5f}, {top['lon']:.5f}" in text_id
    assert top["hex_id"] in text_id  # the cell id stays, in the last column
    first_row = next(line for line in text_id.splitlines() if site in line)
    assert first_row.index(site) < first_row.index(top["hex_id"])
    s = plan.summary()
    assert f"{100 * s['coverage_after']:.1f}%".replace(".", ",") in text_id
    assert f"{100 * s['coverage_after']:.1f}%" in text_en
    assert "eksak" in text_id
    assert "terbukti optimal" in text_id
    assert "paling banyak mungkin" in text_id
    assert "Nilai" not in text_id
    assert "exactly" in text_en
    assert "proven optimal" in text_en
    assert "eksak" not in text_en
    assert show("id") == text_id  # same plan, same words
