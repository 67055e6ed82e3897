"""Tests of the patrol plans: teams by risk, routes that fit the window, stops people know."""

from __future__ import annotations

import html
import itertools
import math
import re
import warnings
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import gpxpy
import h3
import numpy as np
import pandas as pd
import pytest
from _plan_cells import make_cells
from pyproj import Geod
from shapely.geometry import LineString

from kamtibmas_geo._errors import PlanError
from kamtibmas_geo.boundaries._names import display_name
from kamtibmas_geo.calendar._astro import prayer_times
from kamtibmas_geo.calendar._dates import parse_target
from kamtibmas_geo.plan import PatrolOptions, allocate_teams, patrol_files, patrol_html
from kamtibmas_geo.plan._patrol import OFF_PEAK, patrol_plan, window_affinity
from kamtibmas_geo.plan._patrol_route import nearest_neighbour_order, route_length

GEOD = Geod(ellps="WGS84")
WINDOWS = ("sahur", "subuh", "ngabuburit", "tarawih", "malam")


@pytest.fixture(scope="module")
def palembang(kabupaten: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return make_cells(kabupaten[kabupaten["code"] == "16.71"], desa, 9, seed=11)


@pytest.fixture(scope="module")
def plan(palembang: gpd.GeoDataFrame, kecamatan: gpd.GeoDataFrame) -> pd.DataFrame:
    with pytest.warns(UserWarning, match="1448"):  # 1448 H is a MABIMS prediction
        return patrol_plan(palembang, teams=6, boundaries=kecamatan)


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def _risk_by_hand(cells: pd.DataFrame, window: str) -> pd.Series:
    """The documented risk formula, written out independently of the module."""
    import tomllib
    from importlib import resources

    tax = tomllib.loads(
        resources.files("kamtibmas_geo").joinpath("data/taxonomy.toml").read_text("utf-8")
    )["disturbance"]
    types = [c[2:] for c in cells.columns if c.startswith("n_") and c[2:] in tax]
    aff = window_affinity(types, [window])[window]
    contrib = pd.DataFrame({t: cells[f"n_{t}"] * float(tax[t]["severity"]) for t in types})
    num, den = (contrib * aff).sum(axis=1), contrib.sum(axis=1)
    profile = (num / den.where(den > 0)).fillna(num.sum() / den.sum())
    return pd.Series((cells["score"] * profile).to_numpy(), index=cells["hex_id"].to_numpy())


# --------------------------------------------------------------------------- 1. teams


def test_largest_remainder_by_hand() -> None:
    # quotas 3.0, 1.5, 0.5 -> floors 3, 1, 0; one left: remainders .5 and .5, larger risk wins
    assert allocate_teams({"A": 6.0, "B": 3.0, "C": 1.0, "D": 0.0}, 5) == {
        "A": 3,
        "B": 1,
        "C": 1,
        "D": 0,
    }
    # quotas 9.09, 0.45, 0.45: Hamilton gives A all 10; each material Polsek then gets one
    assert allocate_teams({"A": 20.0, "B": 1.0, "C": 1.0}, 10) == {"A": 8, "B": 1, "C": 1}
    # fewer teams than Polsek with risk: the riskiest get one each
    assert allocate_teams({"A": 1.0, "B": 3.0, "C": 2.0}, 2) == {"A": 0, "B": 1, "C": 1}
    assert allocate_teams({"A": 0.0}, 3) == {"A": 0}


def test_teams_follow_risk(plan: pd.DataFrame) -> None:
    alloc = pd.DataFrame(plan.attrs["allocation"])
    assert set(alloc["window"]) == set(WINDOWS)
    for _, g in alloc.groupby("window"):
        assert g["teams"].sum() == 6
        assert (g.loc[g["risk_share"] == 0, "teams"] == 0).all()
        assert g.loc[g["risk_share"] == 0, "note"].str.contains("tidak ada risiko material").all()
        quota = g["risk_share"] * 6
        assert (g["teams"] - quota).abs().max() < 1 + 1e-9  # largest remainder
        ranked = g.sort_values("risk_share", ascending=False)
        assert ranked["teams"].is_monotonic_decreasing  # more risk, never fewer teams
        assert (g.loc[g["teams"] > 0, "teams_routed"] == g.loc[g["teams"] > 0, "teams"]).all()
    teams = plan.groupby(["window", "polsek"])["team"].nunique().rename("routed")
    merged = alloc.set_index(["window", "polsek"]).join(teams, how="inner")
    assert (merged["routed"] == merged["teams"]).all()


def test_each_polres_is_planned_on_its_own(tmp_path: Path) -> None:
    ids = [h3.latlng_to_cell(-2.975, 104.745, 9), h3.latlng_to_cell(-2.990, 104.760, 9)]
    ids += [h3.latlng_to_cell(-3.400, 104.830, 9), h3.latlng_to_cell(-3.410, 104.840, 9)]
    cells = pd.DataFrame(
        {"hex_id": ids, "score": [9.0, 8.0, 0.2, 0.1], "n_petasan": [9, 8, 1, 1],
         "kecamatan_code": ["16.71.05", "16.71.06", "16.02.04", "16.02.04"],
         "kecamatan_name": ["Ilir Timur Satu", "Ilir Timur Dua", "Kayu Agung", "Kayu Agung"]}
    )  # fmt: skip
    out = patrol_plan(cells, teams=2, windows=["malam"], target="ramadhan-1447")
    alloc = pd.DataFrame(out.attrs["allocation"])
    assert alloc.groupby("kabupaten_code")["teams"].sum().to_dict() == {"16.02": 2, "16.71": 2}
    assert set(out["hex_id"]) == set(ids)  # OKI's small risk is material within OKI
    page = patrol_html(pd.concat([out, out.iloc[:0]]), tmp_path / "p.html", allocation=alloc)
    assert "Pembagian tim per Polsek" in page.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- 2. routes


def test_no_team_has_more_stops_than_fit_its_window(plan: pd.DataFrame) -> None:
    opts = PatrolOptions()
    speed = opts.speed_kmh / 3.6
    for _, team in plan.groupby(["window", "team"]):
        team = team.sort_values("stop")
        first = team.iloc[0]
        path = [(first["start_lat"], first["start_lon"])]
        path += [*list(zip(team["lat"], team["lon"], strict=True)), path[0]]
        metres = sum(_metres(*a, *b) * opts.detour_factor for a, b in itertools.pairwise(path))
        seconds = metres / speed + len(team) * opts.dwell_minutes * 60
        h0, m0 = map(int, first["window_start"].split(":"))
        h1, m1 = map(int, first["window_end"].split(":"))
        budget = ((h1 * 60 + m1) - (h0 * 60 + m0)) % 1440 * 60
        assert seconds <= budget + 60, (first["polsek"], first["window"], first["team"])
        assert team["team_minutes"].iloc[0] <= budget / 60 + 1
        assert team["arrive"].tolist() == sorted(team["arrive"]) or first["window"] == "malam"


def test_stops_are_material_and_visited_once(plan: pd.DataFrame, palembang: pd.DataFrame) -> None:
    for window, g in plan.groupby("window"):
        risk = _risk_by_hand(palembang, str(window))
        assert g["hex_id"].is_unique
        # risk is written for people: 2 decimals
        assert np.allclose(g["risk"], risk.loc[g["hex_id"]].to_numpy(), rtol=0, atol=0.005)
        assert (g["risk"] == g["risk"].round(2)).all()
        assert (g["risk"] >= 0.05 * risk.max() - 0.005).all()


def test_route_order_beats_nearest_neighbour(plan: pd.DataFrame) -> None:
    ours, nn, better = 0.0, 0.0, 0
    for _, team in plan.groupby(["window", "team"]):
        team = team.sort_values("stop")
        pts = [(team["start_lat"].iloc[0], team["start_lon"].iloc[0])]
        pts += list(zip(team["lat"], team["lon"], strict=True))
        metres = np.array([[_metres(*a, *b) for b in pts] for a in pts])
        order = list(range(len(team)))
        mine = route_length(metres, order)
        theirs = route_length(metres, nearest_neighbour_order(metres, order))
        assert mine <= theirs * 1.02 + 1.0  # never meaningfully worse than the greedy tour
        ours, nn, better = ours + mine, nn + theirs, better + (mine < theirs - 1.0)
    assert ours < nn
    assert better >= 1


def test_starts_at_the_polsek_office_and_landmarks(palembang: pd.DataFrame) -> None:
    kec = palembang[palembang["kecamatan_name"] == "Gandus"]
    top = kec.nlargest(1, "score").iloc[0]
    lat, lon = h3.cell_to_latlng(top["hex_id"])
    offices = pd.DataFrame({"nama": ["Polsek Gandus"], "lintang": [-3.0], "bujur": [104.70]})
    marks = pd.DataFrame({"nama": ["Masjid Al-Ikhlas"], "lintang": [lat + 0.001], "bujur": [lon]})
    out = patrol_plan(
        kec, teams=2, windows=["tarawih"], stations=offices, landmarks=marks, target="ramadhan-1447"
    )
    assert (out["start_name"] == "Polsek Gandus").all()
    assert (out[["start_lat", "start_lon"]].to_numpy() == [-3.0, 104.70]).all()
    hit = out[out["hex_id"] == top["hex_id"]]
    assert hit["landmark"].item() == "Masjid Al-Ikhlas"
    assert 100 <= hit["landmark_m"].item() <= 130  # 0.001 deg of latitude is about 111 m
    assert str(out["landmark_m"].dtype) == "Int64"  # whole metres, empty when none
    csv = out[["landmark_m", "risk"]].to_csv(index=False)
    assert f"\n{hit['landmark_m'].item()}," in csv
    assert not re.search(r"\d\.0,|\.\d{3,}", csv)
    assert out["landmark"].isna().sum() >= 1  # far stops show no landmark


def test_roads_are_used_when_given() -> None:
    a = h3.latlng_to_cell(-2.975, 104.740, 9)
    b = h3.latlng_to_cell(-2.975, 104.760, 9)
    (la, lo), (lb, lob) = h3.cell_to_latlng(a), h3.cell_to_latlng(b)
    cells = pd.DataFrame(
        {"hex_id": [a, b], "score": [2.0, 1.0], "kecamatan_code": "16.71.05",
         "kecamatan_name": "Ilir Timur Satu", "n_petasan": [2, 1]}
    )  # fmt: skip
    office = pd.DataFrame({"nama": ["Polsek Ilir Timur Satu"], "lintang": [la], "bujur": [lo]})
    detour = LineString([(lo, la), (lo, la - 0.02), (lob, lb - 0.02), (lob, lb)])
    roads = gpd.GeoDataFrame(geometry=[detour], crs=4326)
    kw = {"windows": ["tarawih"], "stations": office, "target": "ramadhan-1447"}
    straight = patrol_plan(cells, teams=1, **kw)
    by_road = patrol_plan(cells, teams=1, roads=roads, **kw)
    direct = _metres(la, lo, lb, lob)
    around = direct + 2 * _metres(la, lo, la - 0.02, lo)
    b_leg = lambda p: p.loc[p["hex_id"] == b, "leg_km"].item()  # noqa: E731
    assert b_leg(straight) == pytest.approx(direct * 1.4 / 1000, abs=0.02)
    assert b_leg(by_road) == pytest.approx(around / 1000, rel=0.01, abs=0.02)


def test_polsek_mapping_and_tiny_risk(palembang: pd.DataFrame) -> None:
    two = palembang[palembang["kecamatan_name"].isin(["Gandus", "Kertapati"])].copy()
    codes = sorted(two["kecamatan_code"].unique())
    # a cell matched only to the kecamatan: a sliver of risk, never worth a visit
    far = two[two["score"] == 0].iloc[0]["hex_id"]
    two.loc[two["hex_id"] == far, ["score", "n_tawuran"]] = [0.0004, 1]
    mapping = dict.fromkeys(codes, "Polsek Gandus-Kertapati")
    out = patrol_plan(two, teams=3, windows=["sahur"], polsek=mapping, target="ramadhan-1447")
    assert set(out["polsek"]) == {"Polsek Gandus-Kertapati"}
    assert set(out["kecamatan"]) == {"Gandus", "Kertapati"}
    assert far not in set(out["hex_id"])
    alloc = pd.DataFrame(out.attrs["allocation"])
    assert alloc["teams"].tolist() == [3]


# --------------------------------------------------------------------------- 3. stops


def test_stops_read_as_people_write_them(plan: pd.DataFrame, palembang: pd.DataFrame) -> None:
    names = palembang.set_index("hex_id")["desa_name"]
    assert (plan["desa"] == [display_name(names[h]) for h in plan["hex_id"]]).all()
    assert not plan["desa"].str.contains("Sembilan|Belas|Puluh", case=False).any()
    polsek = set(pd.DataFrame(plan.attrs["allocation"])["polsek"])
    assert {"Polsek Ilir Timur I", "Polsek Seberang Ulu II"} <= polsek  # polsek_table default
    reason = re.compile(r"^(\d+ laporan [^,]+, ){1,3}seluruh riwayat data \(dibulatkan\)$")
    spill = "risiko dari sel sekitar (tidak ada laporan di sel ini)"
    assert all(reason.match(r) or r == spill for r in plan["reason"])
    assert not plan["reason"].str.contains(r"\d\.\d").any()
    row = plan.iloc[0]
    assert f"mlat={row['lat']}&mlon={row['lon']}" in row["map_url"]
    typical = plan["hours_source"] == "jam khas jenis"
    assert typical.mean() > 0.5
    assert plan.loc[typical, "hours"].str.startswith("jam khas jenis: ").all()
    assert (plan.loc[~typical, "hours"] == "tidak ada data jam").all()  # cells without a type
    assert not plan["hours"].str.contains(": -", regex=False).any()


def test_reasons_and_hours_come_from_the_records() -> None:
    a = h3.latlng_to_cell(-2.975, 104.745, 9)
    b = h3.latlng_to_cell(-2.990, 104.760, 9)
    cells = pd.DataFrame(
        {"hex_id": [a, b], "score": [1.0, 1.0], "kecamatan_code": "16.71.05",
         "kecamatan_name": "Ilir Timur Satu", "desa_name": ["Sembilan Belas Ilir", "Dua Ilir"],
         "n_kemacetan": [4, 4]}
    )  # fmt: skip
    start = parse_target("ramadhan-1447").start
    times = [f"{start - timedelta(days=d)} 02:15" for d in (5, 40, 70)]  # within 12 months
    times.append(f"{start - timedelta(days=500)} 02:40")  # older: hours yes, reason no
    records = pd.DataFrame(
        {"hex_id": [a] * 4 + [b], "type": "kemacetan", "time": [*times, f"{start} 17:30"],
         "time_known": True, "geocode_status": "coordinates", "region_level": "desa",
         "kind": "disturbance"}
    )  # fmt: skip
    sambang = records.iloc[:2].assign(kind="activity", type="sambang")  # not incidents
    kecamatan_only = records.iloc[:2].assign(geocode_status="matched", region_level="kecamatan")
    records = pd.concat([records, sambang, kecamatan_only], ignore_index=True)
    out = patrol_plan(
        cells, teams=1, windows=["sahur", "ngabuburit"], records=records, target="ramadhan-1447"
    )
    top = out.sort_values("risk", ascending=False).groupby("window")["hex_id"].first()
    assert top["sahur"] == a  # kemacetan peaks at ngabuburit, but here it was reported at 02:xx
    assert top["ngabuburit"] == b
    row = out[(out["window"] == "sahur") & (out["hex_id"] == a)].iloc[0]
    assert row["reason"] == "3 laporan kemacetan, 12 bulan terakhir"
    assert row["hours"] == "pukul 02.00–03.00, 100% kejadian (4 dari 4 laporan berjam)"
    assert row["hours_source"] == "jam laporan"
    assert row["desa"] == "19 Ilir"
    assert row["kecamatan"] == "Ilir Timur I"  # as on the Polsek signboard
    en = patrol_plan(cells, teams=1, windows=["sahur"], records=records, lang="en",
                     target="ramadhan-1447")  # fmt: skip
    assert en["reason"].iloc[0] == "3 reports of traffic jam, last 12 months"
    assert en["window_label"].iloc[0] == "Sahur (pre-dawn meal)"


def test_busiest_span_crosses_midnight() -> None:
    from kamtibmas_geo.plan._patrol_risk import hours_text

    text, source = hours_text(np.array([23.5, 0.2, 0.9, 23.1, 15.0, np.nan]), [], {}, "id")
    assert text == "pukul 23.00–01.00, 80% kejadian (4 dari 5 laporan berjam)"
    assert source == "jam laporan"
    text, _ = hours_text(np.array([23.5, 0.2, 0.9, 23.1, 15.0]), [], {}, "en")
    assert text == "23:00–01:00, 80% of incidents (4 of 5 reports with a time)"
    text, source = hours_text(np.array([np.nan]), ["petasan"], {"malam": "Malam"}, "en")
    assert text.startswith("typical hours of the type: Malam")
    assert source == "typical hours of the type"


def test_busy_cell_gets_its_busiest_span_not_the_whole_day() -> None:
    from kamtibmas_geo.plan._patrol_risk import busiest_span, hours_text

    # a busy cell: a report in every hour of the day, and 11 more from 20.00 to 22.59
    busy = np.array([*range(24), 20, 20, 20, 21, 21, 21, 21, 22, 22, 22, 22], dtype=float)
    text, _ = hours_text(busy, [], {}, "id")
    assert text == "pukul 20.00–23.00, 40% kejadian (14 dari 35 laporan berjam)"
    assert "00.00–23.59" not in text
    # evenly spread over the day: no span holds a clear share
    even = np.repeat(np.arange(24.0), 3)
    assert busiest_span(even) is None
    assert hours_text(even, [], {}, "id")[0] == "tersebar sepanjang hari (72 laporan berjam)"
    assert hours_text(even, [], {}, "en")[0] == "spread over the whole day (72 reports with a time)"
    # two reports 12 hours apart: no span holds more than one
    assert busiest_span(np.array([3.0, 15.0])) is None
    # a 3-hour span is taken only when it adds a clear share over the 2-hour one
    assert busiest_span(np.array([20.0, 21, 21, 22, 9])) == (20, 3, 4)
    assert busiest_span(np.array([20.0, 21, 21, 21, 9, 9, 12, 14, 16, 18])) == (20, 2, 4)
    # unknown type and no times: say so, never "jam khas jenis: -"
    text, source = hours_text(np.array([np.nan]), [], {}, "id")
    assert (text, source) == ("tidak ada data jam", "tidak ada")
    assert hours_text(np.zeros(0), ["tidak_dikenal"], {}, "en") == ("no time data", "none")


def test_affinity_follows_taxonomy_peaks() -> None:
    aff = window_affinity(["balap_liar", "petasan", "kemacetan"], ["subuh", "ngabuburit", "malam"])
    assert aff.loc["balap_liar", "subuh"] == 1.0
    assert aff.loc["balap_liar", "ngabuburit"] == OFF_PEAK
    assert aff.loc["petasan", "malam"] == 1.0
    assert aff.loc["kemacetan", "ngabuburit"] == 1.0


# --------------------------------------------------------------------------- 4. windows


def test_windows_come_from_the_sky(plan: pd.DataFrame) -> None:
    dates = parse_target("ramadhan-1448")
    for window, g in plan.groupby("window"):
        row = g.iloc[0]
        day = date.fromisoformat(row["date"])
        pt = prayer_times(day, row["start_lat"], row["start_lon"])
        hhmm = {k: v.strftime("%H:%M") for k, v in pt.as_dict().items()}
        if window == "sahur":
            assert day == dates.start
            assert row["window_end"] == hhmm["imsak"]
        elif window == "subuh":
            assert row["window_start"] == hhmm["imsak"]
        elif window == "ngabuburit":
            assert row["window_end"] == hhmm["maghrib"]
        elif window == "tarawih":
            assert day == dates.start - timedelta(days=1)  # the first tarawih: eve of 1 Ramadhan
            assert row["window_start"] == hhmm["isya"]
    sahur = plan[plan["window"] == "sahur"]
    assert (sahur["window_end"] > "04:30").all()  # not the old fixed clock hour


def test_takbiran_and_a_chosen_day() -> None:
    a = h3.latlng_to_cell(-2.975, 104.745, 9)
    cells = pd.DataFrame({"hex_id": [a], "score": [1.0], "kecamatan_code": "16.71.05",
                          "kecamatan_name": "Ilir Timur Satu", "n_petasan": [3]})  # fmt: skip
    out = patrol_plan(cells, teams=1, windows=["takbiran"], target="ramadhan-1447")
    assert out["date"].item() == "2026-03-20"  # eve of 1 Syawal 1447 H (21 March 2026)
    assert out["window_end"].item() == "23:59"
    announced = {1448: ("2027-02-07", "2027-03-09")}  # as if the sidang isbat said so
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no provisional-date warning once announced
        first = patrol_plan(cells, teams=1, windows=["sahur"], overrides=announced)
    assert first["date"].item() == "2027-02-07"
    with pytest.raises(PlanError, match="tidak berlaku"):
        patrol_plan(cells, teams=1, windows=["sahur"], day=date(2026, 3, 25), target="1447")


# --------------------------------------------------------------------------- 5. outputs


def test_html_pages_are_printable_and_escaped(
    plan: pd.DataFrame, kecamatan: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    evil = plan.copy()
    evil.attrs = plan.attrs
    evil.loc[0, "desa"] = '<script>alert("x")</script> & Co'
    evil.loc[1, "reason"] = "<b>petasan</b>"
    path = patrol_html(evil, tmp_path / "patroli.html", boundaries=kecamatan)
    text = path.read_text(encoding="utf-8")
    assert "<script>" not in text
    assert html.escape('<script>alert("x")</script> & Co') in text
    assert "&lt;b&gt;petasan&lt;/b&gt;" in text
    pages = plan.groupby(["polsek", "window"]).ngroups
    assert text.count('<section class="page">') == pages + 1  # + the page of teams
    assert text.count("<svg") == pages
    assert "size:A4" in text
    assert "src=" not in text  # nothing fetched: the maps are inline
    assert "Pembagian tim per Polsek" in text
    assert "tidak ada risiko material, tidak ada tim" in text
    assert len(text) < 400_000
    en = patrol_html(plan, tmp_path / "en.html", lang="en").read_text(encoding="utf-8")
    assert "Teams per Polsek" in en
    assert "Rencana" not in en
    assert "Periode sasaran: Ramadhan 1448 H" in text
    assert "ramadhan-1448" not in text
    assert "Target period: Ramadan 1448 AH" in en
    marked = int((plan["high_risk"] & ~plan["warning"]).sum())
    assert text.count("PRIORITAS ·") == marked
    assert en.count("PRIORITY ·") == marked


def test_only_the_top_tier_is_priority(plan: pd.DataFrame) -> None:
    from kamtibmas_geo.plan._patrol_html import period_label

    for _, g in plan.groupby(["kabupaten_code", "window"]):
        n_high = int(g["high_risk"].sum())
        assert 1 <= n_high <= math.ceil(0.2 * len(g)) + 1, (n_high, len(g))
        # the marked stops are the riskiest of the Polres's stops in the window
        assert g.loc[g["high_risk"], "risk"].min() >= g.loc[~g["high_risk"], "risk"].max()
    assert plan["high_risk"].mean() < 0.3
    assert period_label("ramadhan-2027", "id") == "Ramadhan 2027 M"
    assert period_label("Ramadhan 1447 H", "en") == "Ramadan 1447 AH"
    assert period_label("lebaran", "id") == "lebaran"


def test_gpx_and_kml_per_team(plan: pd.DataFrame, tmp_path: Path) -> None:
    sub = plan[plan["window"] == "sahur"]
    files = patrol_files(sub, tmp_path / "rute")
    teams = sub.groupby("team")
    assert len(files) == 2 * teams.ngroups
    for t, team in teams:
        gpx_file = next(f for f in files if f.name.endswith(f"_sahur_tim{int(t):02d}.gpx"))
        gpx = gpxpy.parse(gpx_file.read_text(encoding="utf-8"))
        points = gpx.routes[0].points
        assert len(points) == len(team) + 2  # out from the Polsek and back
        lat = [p.latitude for p in points[1:-1]]
        assert lat == pytest.approx(team.sort_values("stop")["lat"].tolist())
        assert len(gpx.waypoints) == len(team)
        kml = ET.parse(gpx_file.with_suffix(".kml")).getroot()
        ns = {"k": "http://www.opengis.net/kml/2.2"}
        marks = kml.findall(".//k:Placemark", ns)
        assert len(marks) == len(team) + 2  # the line, the start, the stops
        coords = kml.find(".//k:LineString/k:coordinates", ns)
        assert coords is not None
        assert len(coords.text.split()) == len(team) + 2


def test_same_inputs_same_bytes(palembang: pd.DataFrame, tmp_path: Path) -> None:
    kw = {"teams": 4, "windows": ["sahur", "tarawih"], "target": "ramadhan-1447"}
    blobs = []
    for n, cells in enumerate([palembang, palembang.sample(frac=1.0, random_state=3)]):
        out = patrol_plan(cells, **kw)
        folder = tmp_path / str(n)
        folder.mkdir()
        files = [patrol_html(out, folder / "p.html"), *patrol_files(out, folder / "rute")]
        out.to_csv(folder / "p.csv", index=False)
        files.append(folder / "p.csv")
        blobs.append({f.relative_to(folder).as_posix(): f.read_bytes() for f in files})
    assert blobs[0] == blobs[1]
    assert len(blobs[0]) > 3


_SCRIPT = """
import sys, h3, pandas as pd
from kamtibmas_geo.plan import patrol_plan
ids = [h3.latlng_to_cell(-2.96 - 0.004 * k, 104.74 + 0.003 * (k % 5), 9) for k in range(12)]
cells = pd.DataFrame({"hex_id": ids, "score": [12.0 - k for k in range(12)],
                      "kecamatan_code": "16.71.05", "kecamatan_name": "Ilir Timur Satu",
                      "n_petasan": [k % 4 + 1 for k in range(12)]})
plan = patrol_plan(cells, teams=2, windows=["sahur", "tarawih"], target="ramadhan-1447")
sys.stdout.write(plan.to_csv(index=False))
"""


def test_same_bytes_in_separate_processes() -> None:
    import subprocess
    import sys

    procs = [
        subprocess.Popen([sys.executable, "-c", _SCRIPT], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # side by side: two fresh interpreters, two PyVRP searches
    runs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert runs[0] == runs[1]
    assert runs[0].count("\n") > 5


def test_bad_inputs_in_indonesian_with_english(palembang: pd.DataFrame) -> None:
    with pytest.raises(PlanError, match="teams"):
        patrol_plan(palembang, teams=0)
    with pytest.raises(PlanError, match="positif"):
        patrol_plan(palembang.assign(score=0.0), target="1447")
    with pytest.raises(PlanError, match="hex_id"):
        patrol_plan(palembang.drop(columns="score"))
    with pytest.raises(PlanError, match="dwell_minutes"):
        PatrolOptions(dwell_minutes=-1)
    with pytest.raises(PlanError) as info:
        patrol_plan(palembang, windows=["pagi"])
    assert str(info.value).startswith("Waktu patroli tidak dikenal: ['pagi']; pilih dari sahur")
    assert info.value.text("en").startswith("Unknown time window(s) ['pagi']; choose from sahur")


def test_cli_patrol_writes_every_output(palembang: pd.DataFrame, tmp_path: Path) -> None:
    from kamtibmas_geo.cli import main

    cells = tmp_path / "sel.parquet"
    kec = palembang[palembang["kecamatan_name"].isin(["Gandus", "Kertapati", "Plaju"])]
    kec.to_parquet(cells)
    out = tmp_path / "patroli.xlsx"
    args = ["patrol", str(cells), "--teams", "3", "--windows", "sahur,tarawih", "--out", str(out),
            "--html", str(tmp_path / "p.html"), "--routes", str(tmp_path / "rute"),
            "--target", "ramadhan-1447"]  # fmt: skip
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code in (0, None)
    table = pd.read_excel(out)
    assert {"team", "stop", "arrive", "desa", "map_url", "reason", "hours"} <= set(table.columns)
    assert (tmp_path / "patroli_tim.xlsx").is_file()
    assert (tmp_path / "p.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert len(list((tmp_path / "rute").glob("*.gpx"))) == table.groupby(["window", "team"]).ngroups
    assert math.isfinite(float(table["team_km"].max()))
