"""Tests of the patrol plans in kamtibmas_geo.plan._poskamling (patrol_plan, patrol_html)."""

from __future__ import annotations

import html
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from _plan_cells import TYPES, make_cells

from kamtibmas_geo._errors import PlanError
from kamtibmas_geo.plan._patrol import OFF_PEAK, window_affinity
from kamtibmas_geo.plan._poskamling import patrol_html, patrol_plan


@pytest.fixture(scope="module")
def palembang(kabupaten: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return make_cells(kabupaten[kabupaten["code"] == "16.71"], desa, 9, seed=11)


@pytest.fixture(scope="module")
def plan(palembang: gpd.GeoDataFrame) -> pd.DataFrame:
    return patrol_plan(palembang, teams=6)


def _risk_by_hand(cells: pd.DataFrame, window: str) -> pd.Series:
    """The documented formula, written out independently of the module."""
    types = list(TYPES)
    aff = window_affinity(types, [window])[window]
    sev = {"petasan": 1.0, "balap_liar": 1.5, "pencurian": 2.0, "curanmor": 2.5, "tawuran": 2.5}
    import tomllib
    from importlib import resources

    tax = tomllib.loads(
        resources.files("kamtibmas_geo").joinpath("data/taxonomy.toml").read_text("utf-8")
    )["disturbance"]
    sev = {t: float(tax.get(t, {}).get("severity", 1.0)) for t in types}
    contrib = pd.DataFrame({t: cells[f"n_{t}"] * sev[t] for t in types})
    num = (contrib * aff).sum(axis=1)
    den = contrib.sum(axis=1)
    regional = num.sum() / den.sum()
    profile = (num / den.where(den > 0)).fillna(regional)
    return pd.Series(
        (cells["score"] * profile).to_numpy(), index=cells["hex_id"].to_numpy(), name=window
    )


def test_affinity_follows_taxonomy_peaks() -> None:
    aff = window_affinity(["balap_liar", "petasan", "kemacetan"], ["subuh", "ngabuburit", "malam"])
    assert aff.loc["balap_liar", "subuh"] == 1.0
    assert aff.loc["balap_liar", "ngabuburit"] == OFF_PEAK
    assert aff.loc["petasan", "malam"] == 1.0
    assert aff.loc["kemacetan", "ngabuburit"] == 1.0


def test_every_high_risk_cell_is_visited(plan: pd.DataFrame, palembang: gpd.GeoDataFrame) -> None:
    assert set(plan["window"]) == {"sahur", "subuh", "ngabuburit", "tarawih", "malam"}
    for window in ("sahur", "ngabuburit", "malam"):
        risk = _risk_by_hand(palembang, window)
        pos = risk[risk > 0]
        high = set(pos[pos >= np.quantile(pos, 0.99)].index)
        visited = set(plan.loc[plan["window"] == window, "hex_id"])
        assert high <= visited
        flagged = set(plan.loc[(plan["window"] == window) & plan["high_risk"], "hex_id"])
        assert flagged == high
        sub = plan[plan["window"] == window].set_index("hex_id")["risk"]
        assert np.allclose(sub.to_numpy(), risk.loc[sub.index].to_numpy())


def test_teams_allocation_is_balanced_and_spread(plan: pd.DataFrame) -> None:
    for (_kec, _win), g in plan.groupby(["kecamatan_code", "window"]):
        assert g["hex_id"].is_unique, "each cell once per Polsek and window"
        assert g["rank"].tolist() == list(range(1, len(g) + 1))
        loads = g["team"].value_counts()
        assert set(loads.index) <= set(range(1, 7))
        assert len(loads) == min(6, len(g)), "all teams used when there are enough cells"
        assert loads.max() - loads.min() <= 1
        assert g.loc[g["rank"] == 1, "team"].item() == 1
        for _, t in g.groupby("team"):
            assert t.sort_values("rank")["stop"].tolist() == list(range(1, len(t) + 1))
        assert g["risk"].is_monotonic_decreasing
        n_high = int(g["high_risk"].sum())
        assert len(g) == max(12, n_high) or (len(g) < 12 and n_high <= len(g))


def test_window_weighting_by_type() -> None:
    a = h3.latlng_to_cell(-2.975, 104.765, 9)
    b = h3.latlng_to_cell(-2.990, 104.740, 9)
    cells = pd.DataFrame(
        {
            "hex_id": [a, b],
            "score": [1.0, 1.0],
            "kecamatan_code": "16.71.05",
            "kecamatan_name": "Ilir Timur Satu",
            "desa_code": ["d1", "d2"],
            "desa_name": ["Desa A", "Desa B"],
            "n_balap_liar": [4, 0],
            "n_kemacetan": [0, 4],
        }
    )
    out = patrol_plan(cells, teams=1, windows=["subuh", "ngabuburit"])
    top = out[out["rank"] == 1].set_index("window")["hex_id"]
    assert top["subuh"] == a
    assert top["ngabuburit"] == b
    reason = out.loc[(out["window"] == "subuh") & (out["hex_id"] == a), "reason"].item()
    assert "Balap liar" in reason
    en = patrol_plan(cells, teams=1, windows=["subuh"], lang="en")
    assert en["reason"].iloc[0].startswith("prone to")


def test_more_high_risk_cells_than_slots_are_all_listed(palembang: gpd.GeoDataFrame) -> None:
    out = patrol_plan(palembang, teams=1, top_n=1, windows=["malam"], high_risk_quantile=0.5)
    high = out[out["high_risk"]]
    assert len(high) > out["kecamatan_code"].nunique(), "some Polsek lists grew past top_n"
    assert (out["team"] == 1).all()


def test_region_wide_and_siang(palembang: gpd.GeoDataFrame) -> None:
    out = patrol_plan(
        palembang, teams=3, windows=["siang"], per_kecamatan=False, top_n=9, high_risk_quantile=1
    )
    assert out["kecamatan"].unique().tolist() == ["Semua wilayah"]
    assert len(out) == 9
    assert out["team"].value_counts().tolist() == [3, 3, 3]


def test_deterministic(palembang: gpd.GeoDataFrame, plan: pd.DataFrame) -> None:
    again = patrol_plan(palembang.sample(frac=1.0, random_state=3), teams=6)
    pd.testing.assert_frame_equal(plan, again)


def test_bad_inputs(palembang: gpd.GeoDataFrame) -> None:
    with pytest.raises(PlanError, match="teams"):
        patrol_plan(palembang, teams=0)
    with pytest.raises(PlanError, match="pagi"):
        patrol_plan(palembang, windows=["pagi"])
    with pytest.raises(PlanError, match="positif"):
        patrol_plan(palembang.assign(score=0.0))
    with pytest.raises(PlanError, match="hex_id"):
        patrol_plan(palembang.drop(columns="score"))
    with pytest.raises(PlanError, match="top_n"):
        patrol_plan(palembang, top_n=0)


def test_html_is_escaped_and_printable(plan: pd.DataFrame, tmp_path: Path) -> None:
    evil = plan.copy()
    evil.loc[0, "desa"] = '<script>alert("x")</script> & Co'
    evil.loc[1, "reason"] = "<b>petasan</b>"
    path = patrol_html(evil, tmp_path / "patroli.html")
    text = path.read_text(encoding="utf-8")
    assert "<script>" not in text
    assert html.escape('<script>alert("x")</script> & Co') in text
    assert "&lt;b&gt;petasan&lt;/b&gt;" in text
    assert "@media print" in text
    assert text.count('<section class="polsek">') == plan["kecamatan_code"].nunique()
    assert "Rencana Patroli" in text
    assert "Sahur" in text
    with pytest.raises(PlanError, match="tidak punya kolom"):
        patrol_html(plan.drop(columns="team"), tmp_path / "x.html")


def test_errors_are_indonesian_with_english_on_request(palembang: gpd.GeoDataFrame) -> None:
    with pytest.raises(PlanError) as info:
        patrol_plan(palembang, windows=["pagi"])
    assert str(info.value).startswith("Waktu patroli tidak dikenal: ['pagi']; pilih dari sahur")
    assert info.value.text("en").startswith("Unknown time window(s) ['pagi']; choose from sahur")
