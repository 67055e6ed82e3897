"""Early warnings in the patrol plan: priority stops in the window they name, notes, privacy.

Warnings are built by hand in the contract's shape (issue 21) at real H3 cells of Palembang
kelurahan where the score is zero, so a stop there can only come from the warning.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from _plan_cells import make_cells

from kamtibmas_geo.plan import PatrolOptions
from kamtibmas_geo.plan._patrol import patrol_plan

SECRETS = ("Budi Santoso", "Siti Rahmawati", "081234567890", "0812-9999-0000")
DAY = pd.Timestamp("2027-02-13").date()  # a Saturday in Ramadhan 1448 H
OPTS = PatrolOptions(iterations=100)


def _t(text: str | None) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Asia/Jakarta") if text else pd.NaT


@pytest.fixture(scope="module")
def cells(kabupaten: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return make_cells(kabupaten[kabupaten["code"] == "16.71"], desa, 9, seed=11)


@pytest.fixture(scope="module")
def quiet(cells: gpd.GeoDataFrame) -> pd.DataFrame:
    """Six zero-score cells of one kecamatan over 800 m apart; the third alone in its desa."""
    zero = cells[(cells["score"] == 0) & cells["desa_code"].notna()]
    kec = zero.groupby("kecamatan_code")["desa_code"].nunique().idxmax()
    zero = zero[zero["kecamatan_code"] == kec].sort_values("hex_id")
    picked: list[pd.Series] = []
    for _, row in zero.iterrows():
        here = h3.cell_to_latlng(row["hex_id"])
        if all(h3.great_circle_distance(here, h3.cell_to_latlng(p["hex_id"]), "m") > 800
               for p in picked):  # fmt: skip
            picked.append(row)
        if len(picked) == 6:
            break
    out = pd.DataFrame(picked).reset_index(drop=True)
    alone = out.groupby("desa_code")["hex_id"].transform("size") == 1
    assert len(out) == 6
    assert alone.any()
    k = int(np.flatnonzero(alone.to_numpy())[0])
    order = [i for i in range(6) if i != k]
    return out.iloc[[*order[:2], k, *order[2:]]].reset_index(drop=True)


def make_warnings(quiet: pd.DataFrame, spec: list[tuple]) -> gpd.GeoDataFrame:
    """Warnings of the contract's shape: (cell, type, reported, start, end, role, status)."""
    rows = []
    for n, (k, kind, rep, start, end, role, status) in enumerate(spec):
        cell = quiet.iloc[k]
        lat, lon = h3.cell_to_latlng(cell["hex_id"])
        rows.append(
            {
                "record_id": f"ew{n + 1}",
                "kind": "early_warning",
                "type": kind,
                "time": _t(rep),
                "expected_start": _t(start),
                "expected_end": _t(end) if end else _t(start) + pd.Timedelta(hours=3),
                "reporter_role": role,
                "reporter_name": SECRETS[n % 2],
                "reporter_contact": SECRETS[2 + n % 2],
                "status": status,
                "keterangan": f"lapor {SECRETS[0]} hp {SECRETS[2]}",
                "hex_id": cell["hex_id"],
                "desa_code": cell["desa_code"],
                "kecamatan_code": cell["kecamatan_code"],
                "lat": lat,
                "lon": lon,
            }
        )
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs=4326)


SPEC = [
    (0, "rencana_tawuran", "2027-02-12 10:00", "2027-02-13 21:40", "2027-02-14 00:00", "rt",
     "open"),  # after tarawih on Saturday: the night window
    (1, "penjualan_petasan", "2027-02-12 09:00", None, None, "pokdar", "open"),  # no time
    (2, "rencana_tawuran", "2027-02-12 08:00", None, None, "rw", "open"),  # answered below
    (3, "balap_liar_terjadwal", "2027-02-12 08:00", "2027-02-20 03:00", None, "ormas", "open"),
    (4, "balap_liar_terjadwal", "2027-02-12 11:00", "2027-02-13 20:00", "2027-02-13 21:00",
     "warga", "open"),  # during tarawih
    (5, "provokasi", "2027-02-12 11:00", None, None, "rt", "followed_up"),
]  # fmt: skip


@pytest.fixture(scope="module")
def warnings_frame(quiet: pd.DataFrame) -> gpd.GeoDataFrame:
    return make_warnings(quiet, SPEC)


@pytest.fixture(scope="module")
def activities(quiet: pd.DataFrame) -> gpd.GeoDataFrame:
    """A sambang in the kelurahan of warning 3, the afternoon after it was reported."""
    lat, lon = h3.cell_to_latlng(quiet.iloc[2]["hex_id"])
    frame = pd.DataFrame(
        {
            "record_id": ["act1"],
            "kind": ["activity"],
            "type": ["sambang"],
            "time": [_t("2027-02-12 16:00")],
            "desa_code": [quiet.iloc[2]["desa_code"]],
            "lat": [lat],
            "lon": [lon],
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs=4326)


@pytest.fixture(scope="module")
def plan(
    cells: gpd.GeoDataFrame, warnings_frame: gpd.GeoDataFrame, activities: gpd.GeoDataFrame
) -> pd.DataFrame:
    with pytest.warns(UserWarning, match="1448"):
        return patrol_plan(
            cells,
            teams=3,
            windows=["tarawih", "malam"],
            day=DAY,
            warnings=warnings_frame,
            activities=activities,
            options=OPTS,
        )


def test_open_warnings_become_stops_in_the_window_they_name(
    plan: pd.DataFrame, quiet: pd.DataFrame
) -> None:
    hexes = quiet["hex_id"].tolist()
    warned = plan[plan["warning"]]
    got = sorted(zip(warned["window"], warned["hex_id"], strict=True))
    want = sorted(
        [("malam", hexes[0]), ("tarawih", hexes[1]), ("malam", hexes[1]), ("tarawih", hexes[4])]
    )
    assert got == want
    assert (warned["risk"] == 0).all()  # these cells have no risk: the warning made the stop
    night = warned[warned["hex_id"] == hexes[0]].iloc[0]
    assert night["reason"] == "informasi dini: rencana tawuran (RT)"
    assert night["warning_ids"] == "ew1"
    assert "penjualan petasan (Pokdar Kamtibmas)" in warned["reason"].str.cat()
    assert "balap liar terjadwal (Warga)" in warned["reason"].str.cat()
    assert not plan["warning_ids"].fillna("").str.contains("ew3|ew4|ew6").any()


def test_fate_of_every_warning(plan: pd.DataFrame) -> None:
    fate = pd.DataFrame(plan.attrs["warnings"])
    codes = fate.groupby("record_id")["code"].agg(lambda s: sorted(set(s))).to_dict()
    assert codes == {
        "ew1": ["stop"],
        "ew2": ["stop"],
        "ew3": ["answered"],
        "ew4": ["not_due"],
        "ew5": ["stop"],
    }
    said = fate.loc[fate["record_id"] == "ew3", "status"].item()
    assert said == "sudah ditindaklanjuti oleh kegiatan act1"
    assert set(fate.columns) >= {"record_id", "type", "role", "code", "status"}
    assert not any(secret in repr(plan.attrs) for secret in SECRETS)


def test_without_warnings_nothing_changes(cells: gpd.GeoDataFrame, plan: pd.DataFrame) -> None:
    with pytest.warns(UserWarning, match="1448"):
        bare = patrol_plan(cells, teams=3, windows=["tarawih", "malam"], day=DAY, options=OPTS)
    assert not bare["warning"].any()
    assert bare.attrs["warnings"] == []
    assert (bare["risk"] > 0).all()


def test_warnings_beyond_the_cap_and_the_hours_are_named_in_the_notes(
    cells: gpd.GeoDataFrame, quiet: pd.DataFrame, tmp_path: Path
) -> None:
    from kamtibmas_geo.plan import patrol_html

    during = ("2027-02-13 19:40", "2027-02-13 21:30")
    spec = [(k, "rencana_tawuran", "2027-02-12 10:00", *during, "rt", "open") for k in range(5)]
    opts = PatrolOptions(iterations=50, max_candidates=4, dwell_minutes=45)
    with pytest.warns(UserWarning, match="1448"):
        out = patrol_plan(
            cells,
            teams=1,
            windows=["tarawih"],
            day=DAY,
            warnings=make_warnings(quiet, spec),
            options=opts,
        )
    fate = pd.DataFrame(out.attrs["warnings"])
    stops = fate[fate["code"] == "stop"]
    left = fate[fate["code"] == "left"]
    assert len(stops) + len(left) == 5
    assert len(stops) == out["warning"].sum() >= 1
    assert len(stops) <= 2  # 45 minutes a stop in a two-hour window
    assert (left["status"] == "lebih dari 4 titik yang ditawarkan per Polsek").sum() == 1
    assert (left["status"] == "tidak muat dalam waktu dan tim yang ada").sum() == len(left) - 1
    alloc = pd.DataFrame(out.attrs["allocation"])
    note = alloc.loc[alloc["teams"] > 0, "note"].str.cat(sep=" | ")
    assert f"{len(left) - 1} informasi dini tidak menjadi titik" in note
    assert "1 informasi dini tidak menjadi titik: rencana tawuran (RT) (lebih dari 4" in note
    page = patrol_html(out, tmp_path / "patroli.html").read_text(encoding="utf-8")
    assert "<h2>Informasi dini yang tidak menjadi titik</h2>" in page
    assert page.count('<tr class="warn">') == len(stops)
    assert "INFORMASI DINI · informasi dini: rencana tawuran (RT)" in page


def test_private_names_never_reach_the_files(
    cells: gpd.GeoDataFrame,
    warnings_frame: gpd.GeoDataFrame,
    activities: gpd.GeoDataFrame,
    tmp_path: Path,
) -> None:
    from kamtibmas_geo.cli import main

    cells_path = tmp_path / "sel.parquet"
    cells.to_parquet(cells_path)
    warnings_frame.to_parquet(tmp_path / "informasi.parquet")
    activities.to_parquet(tmp_path / "kegiatan.parquet")
    out = tmp_path / "patroli.csv"
    args = [
        "patrol", str(cells_path), "--out", str(out), "--teams", "3",
        "--windows", "tarawih,malam", "--day", "2027-02-13",
        "--warnings", str(tmp_path / "informasi.parquet"),
        "--activities", str(tmp_path / "kegiatan.parquet"),
        "--html", str(tmp_path / "patroli.html"), "--routes", str(tmp_path / "rute"),
    ]  # fmt: skip
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 0
    table = pd.read_csv(out)
    assert "informasi dini: rencana tawuran (RT)" in set(table["reason"])
    written = [out, tmp_path / "patroli_tim.csv", tmp_path / "patroli.html"]
    written += sorted((tmp_path / "rute").iterdir())
    assert any(p.suffix == ".gpx" for p in written)
    assert any(p.suffix == ".kml" for p in written)
    for path in written:
        text = path.read_text(encoding="utf-8")
        for secret in SECRETS:
            assert secret not in text, (path.name, secret)
    page = (tmp_path / "patroli.html").read_text(encoding="utf-8")
    assert "informasi dini: penjualan petasan (Pokdar Kamtibmas)" in page
    gpx = " ".join(p.read_text(encoding="utf-8") for p in written if p.suffix == ".gpx")
    assert "informasi dini" in gpx


def test_english_reason_and_same_plan_twice(
    cells: gpd.GeoDataFrame, warnings_frame: gpd.GeoDataFrame, activities: gpd.GeoDataFrame
) -> None:
    kw = {"teams": 3, "windows": ["tarawih"], "day": DAY, "options": OPTS, "lang": "en"}
    plans = []
    for _ in range(2):
        with pytest.warns(UserWarning, match="1448"):
            plans.append(patrol_plan(cells, warnings=warnings_frame, activities=activities, **kw))
    out, again = plans
    pd.testing.assert_frame_equal(out, again)
    assert out.attrs == again.attrs
    reasons = out.loc[out["warning"], "reason"].tolist()
    assert "early warning: firecracker sales (Pokdar Kamtibmas)" in reasons
    assert "early warning: scheduled street race (Resident)" in reasons
