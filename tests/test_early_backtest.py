"""Do early warnings predict incidents? The warning backtest on synthetic histories.

Two years of incidents on the real res-8 cells of Kota Palembang (stable hot spots plus a
thin background), and a second year of early warnings from RT/RW and Pokdar:

* ``helpful``: most warnings are followed, around the day they name, by one or two
  incidents of the feared type in the warned cell or next to it;
* ``control``: the same incidents, but the warnings are put at random cells and days.

The backtest must find that the helpful warnings help (weight > 0) and the random ones
do not (weight 0): both directions can fail.
"""

from __future__ import annotations

import warnings as pywarnings
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest

from kamtibmas_geo._errors import SettingsError
from kamtibmas_geo.config import Settings
from kamtibmas_geo.evaluate import FewWarningsWarning, warning_backtest
from kamtibmas_geo.evaluate._early import judge, rolling_choice

TZ = "Asia/Jakarta"
RES = 8
FIRST = pd.Timestamp("2025-01-01", tz=TZ)
DAYS = 730
WARN_FROM = 365  # warnings are kept from the second year on


@pytest.fixture(scope="module")
def plg_cells(settings: Settings) -> gpd.GeoDataFrame:
    """The res-8 cells of Kota Palembang (clipped area, centre)."""
    from kamtibmas_geo.evaluate._areas import jurisdictions, units_of

    (unit,) = jurisdictions(units_of(None, "palembang", settings), RES, settings=settings)
    inside = unit.holds(unit.cells["lat"].to_numpy(), unit.cells["lon"].to_numpy())
    return unit.cells[inside].reset_index(drop=True)


def _points(cells: list[str], times: list[pd.Timestamp], extra: dict[str, Any]) -> gpd.GeoDataFrame:
    latlng = np.array([h3.cell_to_latlng(c) for c in cells]).reshape(-1, 2)
    frame = pd.DataFrame({"time": pd.Series(times, dtype=f"datetime64[ns, {TZ}]"), **extra})
    frame["lat"], frame["lon"] = latlng[:, 0], latlng[:, 1]
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs=4326)


def synthetic(cells: gpd.GeoDataFrame, seed: int = 7) -> dict[str, gpd.GeoDataFrame]:
    """Incidents, helpful warnings and random (control) warnings on the given cells."""
    rng = np.random.default_rng(seed)
    ids = cells["hex_id"].astype(str).tolist()
    n = len(ids)
    hot = rng.choice(n, 15, replace=False)
    rate = np.full(n, 1.5 / n)
    rate[hot] += 0.04  # 15 hot spots of one incident in 25 days; 1.5 a day spread thinly
    counts = rng.poisson(rate, size=(DAYS, n))
    day, cell = np.nonzero(counts)
    reps = counts[day, cell]
    day, cell = np.repeat(day, reps), np.repeat(cell, reps)
    times = [FIRST + pd.Timedelta(days=int(d), hours=float(h))
             for d, h in zip(day, rng.uniform(0, 24, len(day)), strict=True)]  # fmt: skip
    inc_cells = [ids[c] for c in cell]
    inc_types = list(rng.choice(["pencurian", "curanmor", "narkoba"], len(day)))
    # warnings of the second year, one every second day, in the quieter cells
    quiet = np.setdiff1d(np.arange(n), hot)
    n_warn = rng.poisson(0.5 * (DAYS - WARN_FROM))
    w_day = np.sort(rng.integers(WARN_FROM, DAYS - 7, n_warn))
    w_cell = rng.choice(quiet, n_warn)
    w_rep = [FIRST + pd.Timedelta(days=int(d), hours=float(h))
             for d, h in zip(w_day, rng.uniform(8, 20, n_warn), strict=True)]  # fmt: skip
    lead = rng.uniform(1, 5, n_warn)
    dated = rng.random(n_warn) < 0.7
    w_exp = [r + pd.Timedelta(days=float(x)) if d else pd.NaT
             for r, x, d in zip(w_rep, lead, dated, strict=True)]  # fmt: skip
    kinds = rng.choice(["rencana_tawuran", "balap_liar_terjadwal", "penjualan_petasan"], n_warn)
    feared = {"rencana_tawuran": "tawuran", "balap_liar_terjadwal": "balap_liar",
              "penjualan_petasan": "petasan"}  # fmt: skip
    # 70% of them are followed by 1-2 incidents of the feared type, in or next to the cell
    for i in np.flatnonzero(rng.random(n_warn) < 0.7):
        when = w_exp[i] if dated[i] else w_rep[i] + pd.Timedelta(days=float(rng.uniform(1, 4)))
        for _ in range(1 + rng.poisson(0.5)):
            place = ids[w_cell[i]]
            if rng.random() < 0.25:
                ring = [c for c in h3.grid_ring(place, 1) if c in set(ids)]
                place = ring[rng.integers(len(ring))] if ring else place
            inc_cells.append(place)
            times.append(when + pd.Timedelta(hours=float(rng.normal(0, 4))))
            inc_types.append(feared[str(kinds[i])])
    incidents = _points(inc_cells, times, {"type": inc_types})
    contract = {
        "type": list(kinds), "feared_type": [feared[str(k)] for k in kinds],
        "expected_start": pd.Series(w_exp, dtype=f"datetime64[ns, {TZ}]"),
        "reporter_role": rng.choice(["rt", "rw", "pokdar"], n_warn),
        "status": rng.choice(["open", "followed_up", "unfounded"], n_warn),
    }  # fmt: skip
    helpful = _points([ids[c] for c in w_cell], w_rep, contract)
    # control: the same warnings at random cells and days of the second year
    r_day = rng.integers(WARN_FROM, DAYS - 7, n_warn)
    r_rep = [FIRST + pd.Timedelta(days=int(d), hours=12) for d in r_day]
    r_exp = [r + pd.Timedelta(days=float(x)) if d else pd.NaT
             for r, x, d in zip(r_rep, lead, dated, strict=True)]  # fmt: skip
    control = _points(
        [ids[c] for c in rng.choice(n, n_warn)],
        r_rep,
        {**contract, "expected_start": pd.Series(r_exp, dtype=f"datetime64[ns, {TZ}]")},
    )
    return {"incidents": incidents, "helpful": helpful, "control": control}


@pytest.fixture(scope="module")
def data(plg_cells: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    return synthetic(plg_cells)


@pytest.fixture(scope="module")
def runs(data: dict[str, gpd.GeoDataFrame], settings: Settings) -> dict[str, Any]:
    kw = {"res": RES, "region": "palembang", "settings": settings, "n_boot": 300}
    return {
        "helpful": warning_backtest(data["incidents"], data["helpful"], **kw),
        "control": warning_backtest(data["incidents"], data["control"], **kw),
    }


def test_helpful_warnings_are_found_to_help(runs: dict[str, Any]) -> None:
    bt = runs["helpful"]
    v = bt.verdicts["16.71"]
    assert v.enough
    assert v.n_folds >= 40
    assert v.n_warnings >= 50
    assert v.helps
    assert bt.weight() > 0
    assert v.gain_lo > 0
    assert v.hits_tuned > v.hits_forecast
    table = bt.table.set_index("strategy")
    assert table.loc["forecast+warnings", "pai"] > table.loc["forecast", "pai"]
    assert table.loc["forecast", "fair"]
    assert not table.loc["w=1", "fair"]  # fixed weights are hindsight, for reading only
    # the warned cells on their own catch far more than their area would by chance
    assert table.loc["warning_cells", "pai"] > 5
    text = bt.describe()
    assert text.startswith("Informasi dini membantu di Kota Palembang")
    assert f"Bobot yang didukung: {bt.weight():g}." in text
    assert bt.describe("en").startswith("Early warnings help in Kota Palembang")


def test_random_warnings_do_not_help_and_get_weight_zero(runs: dict[str, Any]) -> None:
    bt = runs["control"]
    v = bt.verdicts["16.71"]
    assert v.enough
    assert not v.helps
    assert bt.weight() == 0.0
    assert v.gain_lo <= 0
    # random warnings: their cells catch about what their area would by chance
    own = bt.table.set_index("strategy").loc["warning_cells"]
    assert own["pai_lo"] < 1.5
    assert bt.describe().startswith("Informasi dini tidak terbukti membantu di Kota Palembang")
    assert "Bobot 0" in bt.describe()
    assert "not shown to help" in bt.describe("en")


def test_weight_of_a_period_is_chosen_on_earlier_periods_only(
    runs: dict[str, Any], data: dict[str, gpd.GeoDataFrame], settings: Settings
) -> None:
    full = runs["helpful"].periods
    cut = full["start"].iloc[21]
    inc = data["incidents"]
    # the incidents from the 22nd period on are removed: the weights chosen for the first
    # 21 periods cannot change (no period's outcome chooses its own weight)
    short = warning_backtest(
        inc[inc["time"] < cut], data["helpful"], res=RES, region="palembang",
        settings=settings, n_boot=0,
    )  # fmt: skip
    assert len(short.periods) == 21
    np.testing.assert_array_equal(short.periods["start"], full["start"].iloc[:21])
    np.testing.assert_array_equal(short.periods["weight"], full["weight"].iloc[:21])
    np.testing.assert_allclose(short.periods["hits_tuned"], full["hits_tuned"].iloc[:21])
    assert full["weight"].nunique() > 1  # the choice does move as the weeks come in
    assert (full["weight"].to_numpy()[:4] == 0).all()  # min_folds periods before a choice


def test_rolling_choice_and_judge_on_small_tables() -> None:
    hits = np.array([[1.0, 1.0], [2.0, 5.0], [0.0, 0.0], [3.0, 1.0], [1.0, 4.0]])
    assert rolling_choice(hits, 1).tolist() == [0, 0, 1, 1, 1]
    assert rolling_choice(hits, 3).tolist() == [0, 0, 0, 1, 1]
    verdict, _ = judge(
        hits, np.full(5, 10.0), np.full(5, 2.0), [0.0, 1.0], 0.05, min_folds=1, n_boot=50, seed=0
    )
    assert not verdict.enough  # 40 test incidents but only 8 warnings
    assert verdict.weight == 0.0
    # a sure but tiny gain (under 5% of PAI) is not acted on
    steady = np.column_stack([np.full(40, 30.0), np.full(40, 30.5)])
    tiny, _ = judge(
        steady, np.full(40, 100.0), np.full(40, 2.0), [0.0, 1.0], 0.05, min_folds=4, n_boot=50,
        seed=0,
    )  # fmt: skip
    assert tiny.enough
    assert tiny.gain_lo > 0
    assert tiny.small
    assert not tiny.helps
    assert tiny.weight == 0.0
    from kamtibmas_geo.evaluate._early import verdict_text

    assert verdict_text(tiny, "Kota Palembang", "5%", 7).startswith(
        "Informasi dini hanya sedikit sekali membantu di Kota Palembang"
    )
    big = np.column_stack([np.full(40, 30.0), np.full(40, 33.0)])
    clear, _ = judge(
        big, np.full(40, 100.0), np.full(40, 2.0), [0.0, 1.0], 0.05, min_folds=4, n_boot=50,
        seed=0,
    )  # fmt: skip
    assert clear.helps
    assert clear.weight == 1.0


def test_small_samples_warn_and_bad_options_are_refused(
    data: dict[str, gpd.GeoDataFrame], settings: Settings
) -> None:
    few = data["helpful"].iloc[:6]
    with pytest.warns(FewWarningsWarning) as caught:
        bt = warning_backtest(
            data["incidents"], few, res=RES, region="palembang", settings=settings, n_boot=0
        )
    assert "informasi dini" in str(caught[0].message)
    assert "early warnings" in caught[0].message.text("en")  # type: ignore[union-attr]
    assert bt.weight() == 0.0
    assert bt.describe().startswith("Informasi dini belum dapat diuji")
    with pywarnings.catch_warnings(), pytest.raises(SettingsError, match="weights"):
        warning_backtest(data["incidents"], few, res=RES, region="palembang",
                         settings=settings, weights=(0.5, 1.0))  # fmt: skip
    with pytest.raises(SettingsError, match="days"):
        warning_backtest(data["incidents"], few, res=RES, region="palembang",
                         settings=settings, days=0)  # fmt: skip


# --------------------------------------------------------------------------- the forecaster


def test_select_forecast_uses_warnings_only_when_they_help(
    data: dict[str, gpd.GeoDataFrame], plg_cells: gpd.GeoDataFrame
) -> None:
    from kamtibmas_geo.evaluate import select_forecast

    target = (FIRST + pd.Timedelta(days=DAYS - 14), FIRST + pd.Timedelta(days=DAYS - 7))
    inc = data["incidents"]
    kw = {"area_share": 0.05, "candidates": None, "before": 4, "years": 1}
    plain = select_forecast(inc, target, plg_cells, **kw)
    helped = select_forecast(inc, target, plg_cells, warnings=data["helpful"], **kw)
    control = select_forecast(inc, target, plg_cells, warnings=data["control"], **kw)
    assert helped.chosen == plain.chosen  # the warnings never change the incident model
    assert helped.warning_weight > 0
    assert helped.warning_verdict.helps
    assert "Informasi dini membantu di wilayah ini" in helped.describe()
    assert "Early warnings help in this area" in helped.describe("en")
    # the cells of warnings open at the target start are raised, the others keep their order
    moved = helped.scores - plain.scores / plain.scores.max()
    assert (moved > 1e-12).sum() >= 1
    assert control.warning_weight == 0.0
    pd.testing.assert_series_equal(control.scores, plain.scores)
    assert "Bobot 0" in control.describe()
    assert plain.warning_verdict is None
    assert "Informasi dini" not in plain.describe()
    # the backtest's forecaster passes warnings= through, and tells its choice
    from kamtibmas_geo.evaluate import auto_forecaster

    forecast = auto_forecaster(warnings=data["helpful"], **kw)
    scores = forecast(inc, target, plg_cells)
    assert scores.attrs["selection"].warning_weight == helped.warning_weight
    pd.testing.assert_series_equal(scores, helped.scores, check_names=False)


# --------------------------------------------------------------------------- the command


def _polsek_files(data: dict[str, gpd.GeoDataFrame], folder: Any) -> tuple[Any, Any]:
    """The synthetic incidents and helpful warnings as a Polsek writes them (CSV)."""
    inc = data["incidents"]
    rows = ["tanggal,jam,jenis,lintang,bujur"]
    rows += [
        f"{t:%Y-%m-%d},{t:%H:%M},{k},{la:.6f},{lo:.6f}"
        for t, k, la, lo in zip(inc["time"], inc["type"], inc["lat"], inc["lon"], strict=True)
    ]
    src = folder / "gangguan.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    w = data["helpful"]
    head = "No;Tgl Lapor;Jam;Jenis Potensi;Lintang;Bujur;Perkiraan Waktu;Sumber Informasi"
    lines = [head]
    for i, r in enumerate(w.itertuples(index=False)):
        said = "" if pd.isna(r.expected_start) else f"{r.expected_start:%d/%m/%Y pukul %H.%M}"
        kind = str(r.type).replace("_", " ")
        lines.append(f"{i + 1};{r.time:%d/%m/%Y};{r.time:%H.%M};{kind};{r.lat:.6f};"
                     f"{r.lon:.6f};{said};Ketua RT")  # fmt: skip
    warn = folder / "informasi_dini.csv"
    warn.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return src, warn


def test_cli_backtest_warnings(
    tmp_path: Any, data: dict[str, gpd.GeoDataFrame], settings: Settings, capsys: Any
) -> None:
    from kamtibmas_geo.cli import main

    src, warn = _polsek_files(data, tmp_path)
    common = ["--source", settings.source or "", "--cache-dir", settings.cache_dir or ""]
    args = [*common, "backtest", str(src), "--res", str(RES), "--region", "palembang",
            "--period", "2026-06-01..2026-07-01", "--warnings", str(warn)]  # fmt: skip
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code in (0, None)
    printed = " ".join(capsys.readouterr().out.split())
    assert f"{len(data['helpful'])} informasi dini dipakai, 0 baris ditolak" in printed
    assert "Apakah informasi dini membantu? (5% teratas, periode 7 hari)" in printed
    assert "Informasi dini membantu di Kota Palembang" in printed
    assert "Bobot yang didukung:" in printed
    assert "PAI sel berinformasi dini saja = kejadian di sel itu" in printed
