"""Render: the maps in a real browser (Debian's Chromium driven by Playwright).

One browser for the module; pages load from ``file://`` in a context with the network cut
and every request routed through a check that only ``file:`` and ``data:`` URLs are asked for.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pytest
from _render_data import make_cells, make_records

from kamtibmas_geo.boundaries._names import display_name
from kamtibmas_geo.render._map import render_map, save_png, save_polsek_pngs

pytestmark = pytest.mark.browser
PAYLOADS = [
    "</script><script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=2">',
    '"><svg onload=alert(3)>',
    '<a href="javascript:window.__pwned=4">klik</a>',
]


@pytest.fixture(scope="module")
def full_cells(kabupaten: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return make_cells(kabupaten, desa)


@pytest.fixture(scope="module")
def cells(kabupaten: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    small = make_cells(kabupaten, desa, oki_hotspots=0).iloc[::8].reset_index(drop=True)
    small.loc[0:3, "desa_name"] = PAYLOADS
    # the payload places top the Prioritas panel of one Polsek
    for col in ("kecamatan_code", "kecamatan_name", "kabupaten_code", "kabupaten_name"):
        small.loc[0:3, col] = small.loc[10, col]
    small.loc[0:3, "score_class"] = 5
    small.loc[0:3, "score"] = 999.0
    return small


@pytest.fixture(scope="module")
def records(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    recs = make_records(cells, 400)
    recs.loc[0:3, "keterangan"] = PAYLOADS
    recs.loc[0:3, "address"] = PAYLOADS
    return recs


@pytest.fixture(scope="module")
def page_file(
    cells: gpd.GeoDataFrame,
    records: gpd.GeoDataFrame,
    kabupaten: gpd.GeoDataFrame,
    kecamatan: gpd.GeoDataFrame,
    desa: gpd.GeoDataFrame,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    out = tmp_path_factory.mktemp("maps") / "peta.html"
    frame = cells.assign(score_class_ramadhan=cells["score_class"].to_numpy()[::-1])
    bounds = {"kabupaten": kabupaten, "kecamatan": kecamatan, "desa": desa}
    render_map(frame, records=records, posts=records.iloc[10:13], boundaries=bounds, out=out)
    return out


class Page:
    """An opened map with its console errors, dialogs and requests recorded."""

    def __init__(self, browser: Any, path: Path, *, size: tuple[int, int] = (1200, 800)) -> None:
        self.ctx = browser.new_context(offline=True, viewport={"width": size[0], "height": size[1]})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

        def _route(route: Any) -> None:
            url = route.request.url
            self.requests.append(url)
            if url.startswith(("file:", "data:")):
                route.continue_()
            else:
                route.abort()

        self.ctx.route("**/*", _route)
        self.page = self.ctx.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def _dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", _dialog)
        start = time.perf_counter()
        self.page.goto(path.as_uri(), wait_until="load")
        self.page.wait_for_function("() => window.__kg && window.__kg.ready", timeout=20000)
        self.load_s = time.perf_counter() - start

    def hover(self, lat: float, lng: float, zoom: int = 15) -> str:
        self.page.evaluate(
            "([lat, lng, z]) => { window.__kg.map.setView([lat, lng], z, {animate: false}); }",
            [lat, lng, zoom],
        )
        self.page.wait_for_timeout(150)
        x, y = self.page.evaluate(
            """([lat, lng]) => { const m = window.__kg.map;
            const p = m.latLngToContainerPoint([lat, lng]);
            const r = m.getContainer().getBoundingClientRect();
            return [p.x + r.left, p.y + r.top]; }""",
            [lat, lng],
        )
        self.page.mouse.move(x - 4, y - 4)
        self.page.mouse.move(x, y)
        self.page.wait_for_timeout(250)  # a closed tooltip fades out for 200 ms
        for _ in range(10):  # up to ~1 s on a busy machine
            tip = self.page.query_selector(".leaflet-tooltip")
            if tip is not None and tip.inner_text():
                return str(tip.inner_text())
            self.page.wait_for_timeout(100)
        return ""

    def has_layer(self, key: str) -> bool:
        return bool(self.page.evaluate("k => window.__kg.map.hasLayer(window.__kg.layers[k])", key))

    def toggle(self, label: str) -> None:
        self.page.locator(".leaflet-control-layers-overlays label", has_text=label).click()
        self.page.wait_for_timeout(100)

    def only_hexes(self) -> None:
        """Hide the layers drawn above the hexagons (boundary lines; incidents start off)."""
        for label in ("Batas desa", "Batas kecamatan", "Batas kabupaten"):
            self.toggle(label)

    def close(self) -> None:
        self.ctx.close()


@pytest.fixture
def opened(browser: Any, page_file: Path) -> Iterator[Page]:
    p = Page(browser, page_file)
    yield p
    p.close()


def test_offline_load_without_errors(opened: Page):
    assert opened.errors == []
    assert [u for u in opened.requests if not u.startswith(("file:", "data:"))] == []
    assert opened.page.evaluate("() => typeof L.markerClusterGroup === 'function'")
    assert opened.page.evaluate("() => typeof L.heatLayer === 'function'")
    assert opened.page.locator(".leaflet-control-layers-overlays label").count() >= 8
    legend = opened.page.locator(".kg-legend").inner_text()
    assert legend.startswith("Legenda\nKelas risiko")
    assert "Gi*" not in legend  # only layers that are on are explained
    assert not opened.has_layer("points")  # no cluster bubbles over the city at start
    title = opened.page.locator(".kg-title").inner_text()
    assert "Kota Palembang" in title
    assert "Data s.d." in title
    attribution = opened.page.locator(".leaflet-control-attribution").inner_text()
    assert "Leaflet" in attribution
    assert "\u00a9 Cahya DSN, MIT" in attribution
    assert opened.page.locator(".leaflet-control-scale").count() == 1
    assert opened.page.locator(".leaflet-control-zoom-fullscreen").count() == 1
    opened.toggle("Peta panas kejadian")  # built on first use
    assert opened.has_layer("heat")
    assert opened.page.locator("canvas.leaflet-heatmap-layer").count() == 1
    assert opened.has_layer("posts")
    assert opened.errors == []


def test_tooltip_of_known_hexagon(opened: Page, cells: gpd.GeoDataFrame):
    row = cells.loc[(cells["n_incidents"] > 0) & cells.index.isin(range(10, 1000))].iloc[0]
    lat, lng = h3.cell_to_latlng(row["hex_id"])
    opened.only_hexes()  # markers sit on the cell centres, boundary lines cross cells
    text = opened.hover(lat, lng)
    assert row["hex_id"] in text
    assert str(row["desa_name"]) in text
    score = f"{row['score']:.2f}".replace(".", ",")
    label = ["Sangat rendah", "Rendah", "Sedang", "Tinggi", "Sangat tinggi"][row["score_class"] - 1]
    assert f"{row['score_class']} {label} \u00b7 Skor {score}" in text
    assert f"Kejadian: {row['n_incidents']}" in text
    assert "Gi*: " + row["gi_label"] in text
    p = row["gi_p_fdr"]
    shown = "< 0,001" if p < 0.001 else "= " + f"{p:.{3 if p < 0.1 else 2}f}".replace(".", ",")
    assert f"p terkoreksi FDR {shown}" in text


def test_layer_switch_hides_layer(opened: Page, cells: gpd.GeoDataFrame):
    row = cells.iloc[20]
    lat, lng = h3.cell_to_latlng(row["hex_id"])
    opened.only_hexes()
    assert row["hex_id"] in opened.hover(lat, lng)
    assert opened.has_layer("score_0")
    opened.toggle("Titik rawan (kelas skor)")
    assert not opened.has_layer("score_0")
    assert row["hex_id"] not in opened.hover(lat, lng)
    opened.toggle("Titik rawan Gi*")
    assert opened.has_layer("gi")
    assert "(z = " in opened.hover(lat, lng)
    # the period switch shows one period at a time
    opened.toggle("Titik rawan (kelas skor)")
    opened.toggle("Periode: Ramadhan")
    assert opened.has_layer("score_1")
    opened.page.wait_for_function(
        "() => !window.__kg.map.hasLayer(window.__kg.layers.score_0)", timeout=5000
    )
    assert opened.errors == []


def test_payloads_do_not_execute(opened: Page, cells: gpd.GeoDataFrame, records: gpd.GeoDataFrame):
    opened.only_hexes()
    for i in range(len(PAYLOADS)):
        lat, lng = h3.cell_to_latlng(cells.loc[i, "hex_id"])
        assert PAYLOADS[i] in opened.hover(lat, lng)
    opened.toggle("Kejadian (klaster)")
    for i in range(len(PAYLOADS)):
        pt = records.geometry.iloc[i]
        opened.hover(pt.y, pt.x, zoom=19)
        x, y = opened.page.evaluate(
            """([lat, lng]) => { const m = window.__kg.map;
            const p = m.latLngToContainerPoint([lat, lng]);
            const r = m.getContainer().getBoundingClientRect();
            return [p.x + r.left, p.y + r.top]; }""",
            [pt.y, pt.x],
        )
        opened.page.mouse.click(x, y)
        opened.page.wait_for_timeout(150)
        popup = opened.page.locator(".leaflet-popup-content").last.inner_text()
        assert PAYLOADS[i] in popup
    panel = opened.page.locator(".kg-prio").inner_text()
    assert sum(p in panel for p in PAYLOADS) == 3  # three places per Polsek, shown as text
    assert opened.page.evaluate("() => window.__pwned") is None
    assert opened.dialogs == []
    assert opened.errors == []


def test_search_box(opened: Page, desa: gpd.GeoDataFrame):
    target = desa.loc[desa["kabupaten_code"] == "16.71"].sort_values("area_km2").iloc[-1]
    zoom0 = opened.page.evaluate("() => window.__kg.map.getZoom()")
    box = opened.page.locator(".kg-search input")
    box.fill(target["name"])
    assert opened.page.locator(".kg-search li").count() >= 1
    box.press("Enter")
    minx, miny, maxx, maxy = target.geometry.bounds
    opened.page.wait_for_function(
        """([a, b, c, d]) => { const m = window.__kg.map.getCenter();
        return m.lng >= a && m.lng <= c && m.lat >= b && m.lat <= d; }""",
        arg=[minx, miny, maxx, maxy],
        timeout=20000,
    )
    lat, lng = opened.page.evaluate(
        "() => { const c = window.__kg.map.getCenter(); return [c.lat, c.lng]; }"
    )
    assert minx <= lng <= maxx
    assert miny <= lat <= maxy
    assert opened.page.evaluate("() => window.__kg.map.getZoom()") > zoom0


def test_save_png(browser: Any, cells: gpd.GeoDataFrame, tmp_path: Path):
    image = pytest.importorskip("PIL.Image")
    m = render_map(cells, boundaries=False)
    out = save_png(m, tmp_path / "peta.png", width=640, height=400, browser=browser)
    with image.open(out) as img:
        assert img.size == (640, 400)
        pixels = np.asarray(img.convert("L"), dtype=float)
    assert pixels.std() > 10
    assert len(np.unique(pixels)) > 20


@pytest.mark.slow
def test_real_size_is_small_and_fast(
    browser: Any,
    kabupaten: gpd.GeoDataFrame,
    kecamatan: gpd.GeoDataFrame,
    desa: gpd.GeoDataFrame,
    tmp_path: Path,
):
    """Every res-9 cell of OKI and Palembang, 20,000 points, boundaries: <= 5 MB, <= 3 s."""
    cells = make_cells(kabupaten, desa, whole=True)
    recs = make_records(cells, 20_000)
    out = tmp_path / "besar.html"
    bounds = {"kabupaten": kabupaten, "kecamatan": kecamatan, "desa": desa}
    render_map(cells, records=recs, boundaries=bounds, out=out)
    assert len(cells) > 150_000
    assert out.stat().st_size <= 5_000_000
    times = []
    for _ in range(2):
        p = Page(browser, out, size=(1366, 768))
        times.append(p.load_s)
        assert p.errors == []
        p.close()
    assert min(times) <= 3.0
    # every cell still answers: the class and the tooltip of a cell deep in OKI
    row = cells.loc[(cells["kabupaten_code"] == "16.02") & (cells["score_class"] == 1)].iloc[500]
    p = Page(browser, out, size=(1366, 768))
    lat, lng = h3.cell_to_latlng(row["hex_id"])
    p.only_hexes()
    text = p.hover(lat, lng, zoom=15)
    p.close()
    assert row["hex_id"] in text
    assert "1 Sangat rendah" in text


def _rects(page: Any) -> list[dict[str, float]]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.leaflet-control'))
        .filter(e => e.offsetParent !== null && getComputedStyle(e).display !== 'none')
        .map(e => { const r = e.getBoundingClientRect();
          return {name: e.className, left: r.left, top: r.top, right: r.right,
                  bottom: r.bottom}; })"""
    )


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)])
def test_controls_do_not_overlap(browser: Any, page_file: Path, tmp_path: Path, size):
    p = Page(browser, page_file, size=size)
    try:
        p.page.screenshot(path=str(tmp_path / f"peta_{size[0]}x{size[1]}.png"))
        rects = _rects(p.page)
        assert len(rects) >= 6  # title, zoom, search, layers, Prioritas, legend, scale, credits
        for r in rects:
            inside = [r["left"] >= 0, r["top"] >= 0, r["right"] <= size[0], r["bottom"] <= size[1]]
            assert all(inside), r
        for i, a in enumerate(rects):
            for b in rects[i + 1 :]:
                apart = (
                    a["right"] <= b["left"]
                    or b["right"] <= a["left"]
                    or a["bottom"] <= b["top"]
                    or b["bottom"] <= a["top"]
                )
                assert apart, (a["name"], b["name"])
        phone = size[0] < 700
        assert p.page.evaluate("() => document.querySelector('.kg-prio details').open") != phone
    finally:
        p.close()


def test_legend_follows_layers(opened: Page):
    legend = opened.page.locator(".kg-legend")
    assert "Poskamling yang ada" in legend.inner_text()
    opened.toggle("Kejadian (klaster)")
    text = legend.inner_text()
    assert "Kejadian: huruf = jenis" in text
    assert "Lingkaran berangka" in text  # the cluster bubbles are explained
    assert "Pencurian" in text
    opened.toggle("Poskamling yang ada")
    opened.toggle("Titik rawan Gi*")
    text = legend.inner_text()
    assert "Poskamling yang ada" not in text
    assert "Titik panas 99%" in text
    assert opened.errors == []


def test_priority_panel_zooms_to_a_place(opened: Page):
    first = opened.page.locator(".kg-prio li").first
    name = first.locator("b").inner_text()
    first.click()
    opened.page.wait_for_timeout(200)
    assert opened.page.evaluate("() => window.__kg.map.getZoom()") == 16
    tip = opened.page.locator(".leaflet-tooltip").inner_text()
    assert tip.startswith(name)
    assert "kelas" not in first.inner_text()  # the class is the coloured number
    assert opened.errors == []


def test_search_finds_numerals_and_words(opened: Page):
    box = opened.page.locator(".kg-search input")
    for query in ("19 Ilir", "Sembilan-belas"):
        box.fill(query)
        hits = opened.page.locator(".kg-search li").all_inner_texts()
        assert any(h.startswith("19 Ilir (Sembilan-belas Ilir)") for h in hits), hits


def test_pictures_without_controls_per_polsek(browser: Any, page_file: Path, tmp_path: Path):
    image = pytest.importorskip("PIL.Image")
    out = save_png(page_file, tmp_path / "peta.png", width=900, height=600, browser=browser)
    with image.open(out) as img:
        assert img.size == (900, 600)
    p = Page(browser, page_file)
    try:
        p.page.evaluate("() => window.__kg.print(true)")
        hidden = p.page.evaluate(
            """() => ['.leaflet-control-zoom', '.leaflet-control-layers', '.kg-search', '.kg-prio']
            .map(s => document.querySelector(s).offsetParent === null)"""
        )
        assert hidden == [True, True, True, True]
        assert p.page.locator(".kg-title").is_visible()
        assert p.page.locator(".kg-legend").is_visible()
        names = p.page.evaluate("() => window.__kg.priority.map(g => g.polsek)")
    finally:
        p.close()
    pics = save_polsek_pngs(page_file, tmp_path / "polsek", polsek=names[:2], browser=browser)
    assert [q.name[:3] for q in pics] == ["01_", "02_"]
    for q in pics:
        with image.open(q) as img:
            assert np.asarray(img.convert("L")).std() > 10


@pytest.mark.slow
def test_save_png_launches_chromium(page_file: Path, tmp_path: Path):
    image = pytest.importorskip("PIL.Image")
    out = tmp_path / "own.png"
    code = (
        "import sys; from kamtibmas_geo.render._map import save_png; "
        "save_png(sys.argv[1], sys.argv[2], width=500, height=300)"
    )
    subprocess.run([sys.executable, "-c", code, str(page_file), str(out)], check=True)
    with image.open(out) as img:
        assert img.size == (500, 300)


def test_boundary_label_on_hover(
    opened: Page, desa: gpd.GeoDataFrame, kecamatan: gpd.GeoDataFrame, kabupaten: gpd.GeoDataFrame
):
    opened.toggle("Titik rawan (kelas skor)")
    geom = desa.loc[desa["kabupaten_code"] == "16.71"].geometry.iloc[5]
    ring = (geom.geoms[0] if hasattr(geom, "geoms") else geom).exterior
    lng, lat = ring.coords[0]
    opened.hover(lat, lng, zoom=16)
    x, y = opened.page.evaluate(
        """([lat, lng]) => { const m = window.__kg.map;
        const p = m.latLngToContainerPoint([lat, lng]);
        const r = m.getContainer().getBoundingClientRect();
        return [p.x + r.left, p.y + r.top]; }""",
        [lat, lng],
    )
    text = ""
    for dx, dy in [(0, 0), (1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, -1), (2, 0), (0, 2)]:
        opened.page.mouse.move(x + dx, y + dy)
        tip = opened.page.query_selector(".leaflet-tooltip")
        if tip is not None and tip.inner_text():
            text = tip.inner_text()
            break
    names = {*desa["name"], *kecamatan["name"], *kabupaten["name"]}
    names |= {display_name(n) for n in desa["name"]}
    assert text
    assert text.splitlines()[0].split(" (")[0] in names


def test_cli_pictures(
    cells: gpd.GeoDataFrame, records: gpd.GeoDataFrame, settings: Any, tmp_path: Path
):
    image = pytest.importorskip("PIL.Image")
    two = sorted(cells["kecamatan_code"].dropna().unique())[:2]
    small = cells.loc[cells["kecamatan_code"].isin(two)]
    cells_path = tmp_path / "sel.parquet"
    small.to_parquet(cells_path)
    out, png, folder = tmp_path / "peta.html", tmp_path / "peta.png", tmp_path / "polsek"
    args = [sys.executable, "-m", "kamtibmas_geo", "--source", str(settings.source)]
    args += ["--cache-dir", str(settings.cache_dir), "map", str(cells_path), "--out", str(out)]
    args += ["--png", str(png), "--per-polsek", str(folder), "--target", "Ramadhan 1448 H"]
    # its own process: Playwright's sync API runs once per thread (the module's browser)
    subprocess.run([*args, "--no-boundaries"], check=True, capture_output=True)
    assert "Ramadhan 1448 H" in out.read_text(encoding="utf-8")
    pics = sorted(folder.glob("*.png"))
    assert [p.name[:3] for p in pics] == ["01_", "02_"]
    assert all(p.name.endswith(".png") and "polsek-" in p.name for p in pics)
    with image.open(png) as img:
        assert img.size == (1280, 900)
