"""The self-tuning forecaster: no peeking, its family, and its guarantee on synthetic histories."""

from __future__ import annotations

import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from kamtibmas_geo.evaluate import CANDIDATES, Window, auto_forecaster, kde_scores, select_forecast
from kamtibmas_geo.evaluate._metrics import flagged_fraction
from kamtibmas_geo.evaluate._parts import _period_of
from kamtibmas_geo.evaluate._synthetic import SCENARIOS, SyntheticHistory, synthetic_history

TZ = "Asia/Jakarta"
MONTH = Window(pd.Timestamp("2025-06-01", tz=TZ), pd.Timestamp("2025-07-01", tz=TZ))


def _ramadhan() -> Window:
    kw = {"window": ("pra_ramadhan", "balik"), "opts": {}, "method": "kemenag"}
    return _period_of("ramadhan-1446", overrides=None, **kw)


@pytest.fixture(scope="module")
def stable() -> SyntheticHistory:
    return synthetic_history("stable", 1, target=MONTH)


def test_the_family_holds_every_kind_of_candidate() -> None:
    names = [c.name for c in CANDIDATES]
    assert names[0] == "all_time"  # the simplest: it wins every tie
    for expected in (
        "last_1m", "last_3m", "last_6m", "last_12m", "last_24m", "last_year",
        "decay_30d", "decay_365d", "decay_730d", "all_time+ring1", "all_time+ring2",
        "kde_1edge", "kde_3edge", "blend_all_3m", "all_time+seasonal",
    ):  # fmt: skip
        assert expected in names, expected
    assert len(set(names)) == len(names)
    seasonal = {c.name for c in CANDIDATES if c.ramadhan_only}
    assert seasonal
    assert all("seasonal" in n for n in seasonal)


def test_never_reads_a_record_at_or_after_the_window_start(stable: SyntheticHistory) -> None:
    train, _ = stable.split()
    before = select_forecast(train, MONTH, stable.cells, area_share=0.05)
    # the future, planted where nothing happened before: a forecaster that peeks would move
    rng = np.random.default_rng(5)
    quiet = stable.cells.sample(5, random_state=0)
    n = 2000
    pick = rng.integers(0, 5, n)
    future = gpd.GeoDataFrame(
        {
            "time": MONTH.start + pd.to_timedelta(rng.uniform(0, 200 * 86400, n), unit="s"),
            "type": "curanmor",
        },
        geometry=gpd.points_from_xy(quiet["lon"].to_numpy()[pick], quiet["lat"].to_numpy()[pick]),
        crs=4326,
    )
    future.loc[0, "time"] = MONTH.start  # exactly at the start: not history either
    both = pd.concat([train, future], ignore_index=True)
    after = select_forecast(both, MONTH, stable.cells, area_share=0.05)
    pd.testing.assert_series_equal(before.scores, after.scores)
    pd.testing.assert_frame_equal(before.table, after.table)
    assert before.chosen == after.chosen
    assert before.n_events == after.n_events


def test_choice_is_reported_with_its_validation(stable: SyntheticHistory) -> None:
    train, _ = stable.split()
    sel = select_forecast(train, MONTH, stable.cells, area_share=0.05)
    assert not sel.fallback
    assert sel.n_windows >= 3
    assert sel.n_events >= 30
    assert set(sel.windows["kind"]) == {"year", "before"}
    assert (sel.windows["end"] <= MONTH.start).all()  # every validation window is history
    assert len(sel.table) == sum(not c.ramadhan_only for c in CANDIDATES)
    assert {"mean_pai", "mean_pei", "pai_year", "pai_before"} <= set(sel.table.columns)
    text = sel.describe()
    assert text.startswith(f"Model terpilih: {sel.chosen} (rata-rata PAI")
    pai = f"{sel.skill[0]:.2f}"
    assert f"PAI {pai.replace('.', ',')}," in text  # Indonesian decimal comma
    assert f"mean PAI {pai}," in sel.describe("en")
    assert "validated on" in sel.describe("en")
    # deterministic
    again = select_forecast(train, MONTH, stable.cells, area_share=0.05)
    pd.testing.assert_series_equal(sel.scores, again.scores)
    # the forecaster form hands the selection over with the scores
    scores = auto_forecaster(area_share=0.05)(train, MONTH, stable.cells)
    assert scores.attrs["selection"].chosen == sel.chosen


def test_too_little_history_keeps_all_time_counts_and_says_so(stable: SyntheticHistory) -> None:
    train, _ = stable.split()
    short = train[train["time"] >= MONTH.start - pd.Timedelta(days=100)]
    sel = select_forecast(short, MONTH, stable.cells, area_share=0.05)
    assert sel.fallback
    assert sel.chosen == "all_time"
    assert "Riwayat terlalu pendek" in sel.describe()
    assert "Too little history" in sel.describe("en")


def _expected_pai(scores: np.ndarray, truth: np.ndarray, areas: np.ndarray, share: float) -> float:
    """PAI against the known intensity: the test's expected hits, not one draw of them."""
    a = share * areas.sum()
    return float(flagged_fraction(scores, areas, a) @ truth / truth.sum() / share)


def _baselines(h: SyntheticHistory, train: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    rec, cells = h.records, h.cells["hex_id"]
    before = rec[rec["time"] < h.target.start]
    lo, hi = h.target.past[0]
    last = rec[(rec["time"] >= lo) & (rec["time"] < hi)]
    return {
        "all_time": before["hex_id"].value_counts().reindex(cells, fill_value=0).to_numpy(float),
        "last_year": last["hex_id"].value_counts().reindex(cells, fill_value=0).to_numpy(float),
        "kde": kde_scores(train.geometry, h.cells, bandwidth_m=500.0).to_numpy(),
    }


def test_selected_forecast_at_least_the_best_naive_baseline_in_90pct_of_replicates() -> None:
    """Issue 16 item 3, on seeded synthetic histories with known structure.

    4 structures (stable, emerging, seasonal, noise) x 2 targets (a month, a Ramadhan) x 3
    seeds = 24 replicates of 331 cells and ~4 years. Out-of-sample PAI at 5% of the area
    is measured against the known intensity of the target window (the expected hits),
    so that the luck of one month's draw does not decide; PAI within 0.1% counts as equal
    (cells differ in area by up to 0.7%, so equal forecasts can cut a hair apart). The
    best single naive baseline of a structure is the one with the highest mean PAI over
    its replicates.
    """
    t0 = time.perf_counter()
    last_month = next(c for c in CANDIDATES if c.name == "last_1m")
    rows = []
    for scenario in SCENARIOS:
        for target in (MONTH, _ramadhan()):
            for seed in range(3):
                h = synthetic_history(scenario, seed, target=target)
                train, _ = h.split()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    sel = select_forecast(train, target, h.cells, area_share=0.05)
                truth, areas = h.intensity.to_numpy(), h.cells["area_km2"].to_numpy()
                row = {"scenario": scenario, "ramadhan": target.ramadhan, "chosen": sel.chosen}
                row["selected"] = _expected_pai(sel.scores.to_numpy(), truth, areas, 0.05)
                # a fixed choice, for contrast: last month's counts, whatever the history
                fixed = select_forecast(train, target, h.cells, candidates=[last_month])
                row["fixed"] = _expected_pai(fixed.scores.to_numpy(), truth, areas, 0.05)
                for name, s in _baselines(h, train).items():
                    row[name] = _expected_pai(s, truth, areas, 0.05)
                rows.append(row)
    df = pd.DataFrame(rows)
    names = ["all_time", "last_year", "kde"]
    best = df.groupby(["scenario", "ramadhan"])[names].transform("mean").idxmax(axis=1)
    df["best_single"] = [df.loc[i, b] for i, b in best.items()]
    ok = df["selected"] >= df["best_single"] * (1 - 1e-3)
    elapsed = time.perf_counter() - t0
    assert ok.mean() >= 0.9, df
    # the bar is not trivial: a fixed forecast (last month's counts) does not clear it
    assert (df["fixed"] >= df["best_single"] * (1 - 1e-3)).mean() < 0.9
    # and the choice is worth it where the structure changes: emerging and seasonal
    means = df.groupby("scenario")[["selected", "all_time"]].mean()
    assert means.loc["emerging", "selected"] > 1.5 * means.loc["emerging", "all_time"]
    assert means.loc["seasonal", "selected"] > 1.1 * means.loc["seasonal", "all_time"]
    assert elapsed < 60


def test_learned_candidate_joins_with_enough_history(stable: SyntheticHistory) -> None:
    from kamtibmas_geo.evaluate import LEARNED

    train, _ = stable.split()
    few = [c for c in CANDIDATES if c.name in ("all_time", "last_6m")]
    kw = {"area_share": 0.05, "learned": True, "candidates": few}
    sel = select_forecast(train, MONTH, stable.cells, **kw)  # type: ignore[arg-type]
    row = sel.table.set_index("candidate").loc[LEARNED.name]
    assert row["mean_pai"] > 1  # it learned the stable places
    again = select_forecast(train, MONTH, stable.cells, **kw)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(sel.table, again.table)  # random_state: deterministic
    short = train[train["time"] >= MONTH.start - pd.Timedelta(days=400)]
    brief = select_forecast(short, MONTH, stable.cells, **kw)  # type: ignore[arg-type]
    assert LEARNED.name not in set(brief.table["candidate"])  # under two years: left out
