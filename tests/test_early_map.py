"""The map's "Informasi dini" layer: states, roles only, public desa aggregates, in Chromium.

Warnings are built by hand in the contract's shape (``docs``: issue 21) on real Palembang
kelurahan; reporter names and phone numbers are planted and must never reach a page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import h3
import pandas as pd
import pytest
from _render_data import make_cells

from kamtibmas_geo.render._early import warning_view
from kamtibmas_geo.render._map import MapOptions, render_map

SECRETS = ("Budi Santoso", "Siti Rahmawati", "081234567890", "0812-9999-0000", "rt07@contoh.id")
XSS = '<img src=x onerror="window.__pwned=1">'
AS_OF = "2027-02-10 12:00"
CELL_REASON = "2 informasi dini: rencana tawuran"


def _t(text: str | None) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Asia/Jakarta") if text else pd.NaT


def make_warnings(desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Warnings of the contract's shape in five Palembang kelurahan (A, B, C, D, E)."""
    pal = desa[desa["kabupaten_code"] == "16.71"].sort_values("code").iloc[:5]
    spec = [  # kelurahan, type, reported, expected start, end, role, status
        (0, "rencana_tawuran", "2027-02-09 10:00", "2027-02-13 20:00", "2027-02-13 23:00", "rt",
         "open"),
        (1, "penjualan_petasan", "2027-02-09 09:00", None, None, "pokdar", "open"),
        (1, "provokasi", "2027-02-08 09:00", None, None, "warga", "unfounded"),
        (2, "balap_liar_terjadwal", "2027-02-09 08:00", "2027-02-14 03:00", None, "rw", "open"),
        (2, "balap_liar_terjadwal", "2027-02-09 09:00", None, None, "ormas", "followed_up"),
        (2, "rencana_tawuran", "2027-02-10 07:00", None, None, "rt", "open"),
        (3, "penjualan_petasan", "2027-02-09 11:00", None, None, "rt", "open"),
        (3, "penjualan_petasan", "2027-02-09 12:00", None, None, "rt", "open"),
        (4, "rencana_tawuran", "2026-12-01 12:00", None, None, "rt", "open"),  # too old
    ]  # fmt: skip
    rows = []
    for n, (d, kind, rep, start, end, role, status) in enumerate(spec):
        place = pal.iloc[d]
        rows.append(
            {
                "record_id": f"ew{n + 1}",
                "kind": "early_warning",
                "type": kind,
                "feared_type": kind.split("_")[-1] if "tawuran" in kind else "petasan",
                "time": _t(rep),
                "expected_start": _t(start),
                "expected_end": _t(end) if end else (_t(start) + pd.Timedelta(hours=3)),
                "reporter_role": role,
                "reporter_name": SECRETS[n % 2],
                "reporter_contact": SECRETS[2 + n % 3],
                "status": status,
                "keterangan": f"dilaporkan {SECRETS[0]} {SECRETS[2]}",
                "address": XSS,
                "desa_code": place["code"],
                "desa_name": XSS if n == 0 else place["name"],
                "kecamatan_code": place["kecamatan_code"],
                "kabupaten_code": place["kabupaten_code"],
                "lat": float(place["inside_lat"]) + 0.0002 * n,
                "lon": float(place["inside_lon"]),
            }
        )
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs=4326)


def make_activities(warnings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A sambang in kelurahan B the day after its petasan warning (it answers it)."""
    w = warnings.iloc[1]
    frame = pd.DataFrame(
        {
            "record_id": ["act1"],
            "kind": ["activity"],
            "type": ["sambang"],
            "time": [_t("2027-02-10 08:00")],
            "desa_code": [w["desa_code"]],
            "lat": [w["lat"] + 0.001],
            "lon": [w["lon"]],
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs=4326)


def _data(page: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="kg-data-[^"]+">(.*?)</script>', page, re.S
    )
    assert match is not None
    return dict(json.loads(match.group(1)))


@pytest.fixture(scope="module")
def warnings_frame(desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return make_warnings(desa)


@pytest.fixture(scope="module")
def activities(warnings_frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return make_activities(warnings_frame)


@pytest.fixture(scope="module")
def cells(kabupaten: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    pal = desa[desa["kabupaten_code"] == "16.71"]
    out = make_cells(kabupaten, pal, oki_hotspots=0).iloc[::10].reset_index(drop=True)
    out["warnings_open"] = 0  # the columns score_hotspots(warnings=...) adds
    out["warning_reason"] = ""
    out.loc[5, ["warnings_open", "warning_reason"]] = [2, CELL_REASON]
    return out


@pytest.fixture(scope="module")
def bounds(desa: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    return {"desa": desa[desa["kabupaten_code"] == "16.71"]}


@pytest.fixture(scope="module")
def private_page(
    cells: gpd.GeoDataFrame,
    warnings_frame: gpd.GeoDataFrame,
    activities: gpd.GeoDataFrame,
    bounds: dict[str, gpd.GeoDataFrame],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    out = tmp_path_factory.mktemp("ew") / "peta.html"
    render_map(
        cells,
        warnings=warnings_frame,
        activities=activities,
        boundaries=bounds,
        out=out,
        options=MapOptions(as_of=AS_OF),
    )
    return out


def test_view_states_follow_status_and_answering_activity(
    warnings_frame: gpd.GeoDataFrame, activities: gpd.GeoDataFrame
) -> None:
    view = warning_view(warnings_frame, activities=activities, as_of=AS_OF)
    states = dict(zip(view["record_id"], view["state"], strict=True))
    assert states == {
        "ew1": "open",
        "ew2": "answered",
        "ew3": "unfounded",
        "ew4": "open",
        "ew5": "followed_up",
        "ew6": "open",
        "ew7": "open",
        "ew8": "open",
    }
    assert view.loc[view["record_id"] == "ew2", "answered_by"].item() == "act1"
    without = warning_view(warnings_frame, as_of=AS_OF)
    assert (without["state"] != "answered").all()


def test_private_page_packs_roles_never_names(private_page: Path) -> None:
    page = private_page.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in page
    data = _data(page)
    assert CELL_REASON in data["hexsets"][0]["p"]["warning_reason"]
    ew = data["warnings"]
    assert ew["n"] == 8
    assert sorted(set(ew["role"])) == ["Ormas", "Pokdar Kamtibmas", "RT", "RW", "Warga"]
    assert "Sab 13 Feb 2027 20:00\u201323:00" in ew["exp"]
    assert "ditindaklanjuti oleh kegiatan Rab 10 Feb 2027" in ew["state"]
    assert ew["closed"] == [0, 1, 1, 0, 1, 0, 0, 0]
    assert ew["link"][1] is not None  # the sambang that answered warning 2
    assert [i for i, v in enumerate(ew["link"]) if v] == [1, 2]  # also the unfounded one


def test_english_labels(
    cells: gpd.GeoDataFrame, warnings_frame: gpd.GeoDataFrame, activities: gpd.GeoDataFrame
) -> None:
    m = render_map(
        cells,
        warnings=warnings_frame,
        activities=activities,
        boundaries=False,
        lang="en",
        options=MapOptions(as_of=AS_OF),
    )
    data = _data(m.get_root().render())
    assert data["text"]["layer_ew"] == "Early warnings"
    assert "answered by an activity on Wed 10 Feb 2027" in data["warnings"]["state"]
    assert "not said" in data["warnings"]["exp"]
    assert "Resident" in data["warnings"]["role"]


def test_public_map_only_desa_with_k_reports(
    cells: gpd.GeoDataFrame,
    warnings_frame: gpd.GeoDataFrame,
    bounds: dict[str, gpd.GeoDataFrame],
    desa: gpd.GeoDataFrame,
) -> None:
    def public(k: int) -> dict[str, Any]:
        opts = MapOptions(public=True, as_of=AS_OF, min_reports=k)
        m = render_map(cells, warnings=warnings_frame, boundaries=bounds, options=opts)
        page = m.get_root().render()
        for secret in SECRETS:
            assert secret not in page
        assert "informasi dini: rencana" not in page  # no warning per cell
        return _data(page)

    data = public(3)
    ew = data["warnings"]
    assert ew["agg"] is True
    assert ew["n"] == [3]  # kelurahan C; A (1), B (1 + 1 unfounded), D (2) are hidden
    assert set(ew) == {"agg", "n", "lat", "lon", "desa", "types"}  # no time, status, role
    c = desa[desa["code"] == warnings_frame["desa_code"].iloc[3]].geometry.iloc[0]
    assert c.contains(gpd.points_from_xy([ew["lon"][0]], [ew["lat"][0]])[0])
    assert "sedikitnya 3 laporan" in json.dumps(data["legend"], ensure_ascii=False)
    assert public(2)["warnings"]["n"] == [3, 2]
    assert "warnings" not in public(4)


def test_cli_map_warnings(
    cells: gpd.GeoDataFrame,
    warnings_frame: gpd.GeoDataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from kamtibmas_geo.cli import main

    cells_path, ew_path = tmp_path / "sel.parquet", tmp_path / "informasi.parquet"
    cells.to_parquet(cells_path)
    warnings_frame.to_parquet(ew_path)
    base = [
        "map", str(cells_path), "--warnings", str(ew_path), "--no-boundaries",
        "--as-of", AS_OF,
    ]  # fmt: skip
    with pytest.raises(SystemExit) as done:
        main([*base, "--out", str(tmp_path / "a.html")])
    assert done.value.code == 0
    ew = _data((tmp_path / "a.html").read_text(encoding="utf-8"))["warnings"]
    assert ew["n"] == 8
    said = " ".join(capsys.readouterr().out.split())
    assert "Informasi dini di peta: 6 belum ditindaklanjuti, 0 ditindaklanjuti oleh" in said
    with pytest.raises(SystemExit) as done:
        main([*base, "--public", "--min-reports", "2", "--out", str(tmp_path / "p.html")])
    assert done.value.code == 0
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert _data(page)["warnings"]["n"] == [3, 2]
    said = " ".join(capsys.readouterr().out.split())
    assert "sedikitnya 2 laporan (2 desa/kelurahan)" in said
    bad = [*base[:-1], "kemarin", "--out", str(tmp_path / "x.html")]
    with pytest.raises(SystemExit) as done:
        main(bad)
    assert done.value.code == 2
    assert "as_of='kemarin' bukan tanggal/waktu" in capsys.readouterr().err
    for secret in SECRETS:
        assert secret not in page


def test_cli_reads_a_warnings_sheet_as_people_write_it(
    cells: gpd.GeoDataFrame, desa: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    from kamtibmas_geo.cli import main

    pal = desa[desa["kabupaten_code"] == "16.71"].sort_values("code").iloc[:2]
    head = "Tgl Lapor;Jam;Jenis Potensi;Kelurahan/Desa;Kecamatan;Lintang;Bujur;Perkiraan Waktu;"
    head += "Sumber Informasi;Nama Pelapor;No. HP;Tindak Lanjut;Keterangan"
    lines = [head]
    for n in range(5):
        place = pal.iloc[n % 2]
        lat, lon = (f"{place[c]:.6f}".replace(".", ",") for c in ("inside_lat", "inside_lon"))
        lines.append(
            f"09/02/2027;1{n}.00;Rencana tawuran;{place['name']};{place['kecamatan_name']};"
            f'"{lat}";"{lon}";malam Minggu;RT.0{n}/RW.02;{SECRETS[n % 2]};{SECRETS[2]};'
            f"Belum;dilaporkan {SECRETS[1]} {SECRETS[3]}"
        )
    sheet = tmp_path / "informasi_dini.csv"
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cells_path = tmp_path / "sel.parquet"
    cells.to_parquet(cells_path)
    out = tmp_path / "peta.html"
    args = ["map", str(cells_path), "--warnings", str(sheet), "--as-of", "2027-02-10"]
    with pytest.raises(SystemExit) as done:  # one run: the geocoder builds its gazetteer
        main([*args, "--no-boundaries", "--out", str(out)])
    assert done.value.code == 0
    page = out.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in page
    ew = _data(page)["warnings"]
    assert ew["n"] == 5
    assert set(ew["role"]) == {"RT"}
    assert all(e.startswith("Sab 13 Feb 2027") for e in ew["exp"])  # malam Minggu


# --------------------------------------------------------------------------- in Chromium


@pytest.mark.browser
def test_public_aggregates_in_chromium(
    browser: Any,
    cells: gpd.GeoDataFrame,
    warnings_frame: gpd.GeoDataFrame,
    bounds: dict[str, gpd.GeoDataFrame],
    tmp_path: Path,
) -> None:
    out = tmp_path / "publik.html"
    opts = MapOptions(public=True, as_of=AS_OF, min_reports=2)
    render_map(cells, warnings=warnings_frame, boundaries=bounds, out=out, options=opts)
    ctx = browser.new_context(offline=True, viewport={"width": 1000, "height": 700})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(out.as_uri(), wait_until="load")
    page.wait_for_function("() => window.__kg && window.__kg.ready", timeout=20000)
    try:
        assert page.locator(".kg-ewa").count() == 2
        assert page.locator(".kg-ew").count() == 0
        assert sorted(page.locator(".kg-ewa span").all_inner_texts()) == ["2", "3"]
        popup = page.evaluate("() => window.__kg.warningHtml(0)")
        assert "3 laporan informasi dini" in popup
        assert "Balap liar terjadwal" in popup
        assert "sedikitnya 2 laporan" in page.locator(".kg-legend").inner_text()
        assert errors == []
    finally:
        ctx.close()


@pytest.mark.browser
def test_layer_popup_and_legend_in_chromium(
    browser: Any, private_page: Path, cells: gpd.GeoDataFrame
) -> None:
    ctx = browser.new_context(offline=True, viewport={"width": 1200, "height": 800})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(private_page.as_uri(), wait_until="load")
    page.wait_for_function("() => window.__kg && window.__kg.ready", timeout=20000)
    try:
        on = page.evaluate("() => window.__kg.map.hasLayer(window.__kg.layers.warnings)")
        assert on
        assert page.locator(".kg-ew").count() == 8
        assert page.locator(".kg-ew-closed").count() == 3
        assert page.locator('path[stroke-dasharray="4 4"]').count() == 2  # linked to activity
        legend = page.locator(".kg-legend").inner_text()
        assert "Informasi dini (pelapor: peran saja)" in legend
        assert "Rencana tawuran" in legend
        labels = page.locator(".leaflet-control-layers-overlays").inner_text()
        assert "Informasi dini" in labels
        texts = []
        for i in (0, 1):
            page.evaluate(
                """i => { const m = window.__kg.layers.warnings.getLayers()
                  .find(l => l.options.kg === i);
                  window.__kg.map.setView(m.getLatLng(), 17, {animate: false}); }""",
                i,
            )
            page.wait_for_timeout(100)
            box = page.evaluate(
                """i => { const m = window.__kg.layers.warnings.getLayers()
                  .find(l => l.options.kg === i);
                  const r = m._icon.getBoundingClientRect();
                  return [r.left + r.width / 2, r.top + r.height / 2]; }""",
                i,
            )
            page.mouse.click(box[0], box[1])
            page.wait_for_selector(".leaflet-popup-content", timeout=3000)
            texts.append(page.locator(".leaflet-popup-content").inner_text())
            page.evaluate("() => window.__kg.map.closePopup()")
            page.wait_for_selector(".leaflet-popup-content", state="detached", timeout=3000)
        assert "Informasi dini: Rencana tawuran" in texts[0]
        assert "Perkiraan waktu: Sab 13 Feb 2027 20:00\u201323:00" in texts[0]
        assert "Status: belum ditindaklanjuti" in texts[0]
        assert "Pelapor: RT" in texts[0]
        assert XSS in texts[0]  # the planted desa name shows as text, never as markup
        assert "Status: ditindaklanjuti oleh kegiatan Rab 10 Feb 2027" in texts[1]
        assert "Perkiraan waktu: tidak disebut" in texts[1]
        assert "Pelapor: Pokdar Kamtibmas" in texts[1]
        assert page.evaluate("() => window.__pwned") is None
        page.evaluate(
            """([lat, lng]) => { window.__kg.map.setView([lat, lng], 15, {animate: false});
              window.__kg.showTip(lat, lng); }""",
            list(h3.cell_to_latlng(cells.loc[5, "hex_id"])),
        )
        page.wait_for_selector(".leaflet-tooltip", timeout=3000)
        assert f"\u26a0 {CELL_REASON}" in page.locator(".leaflet-tooltip").inner_text()
        html = page.content()
        for secret in SECRETS:
            assert secret not in html
        assert errors == []
    finally:
        ctx.close()
