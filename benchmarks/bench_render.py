"""Benchmark of kamtibmas_geo.render._map against ``GeoDataFrame.explore()`` on the same cells.

Run: ``python benchmarks/bench_render.py`` (needs the boundary pack source, see
``KAMTIBMAS_GEO_SOURCE``, and Chromium at /usr/bin/chromium).

Cells: every res-9 cell overlapping Kota Palembang plus rings around 60 OKI desa (~5,600
cells, synthetic values). Measured: HTML size and load time in headless Chromium (network
cut; time from navigation to the map being drawn, best of 3) for

* ``explore``: ``cells.explore(column="score", legend=False)`` written by folium, CDN links
  (size as written; for loading, Leaflet is inlined like ours and the other CDN files are
  dropped, which only helps it);
* ``render cells``: ``render_map(cells, boundaries=False)``, offline and self-contained;
* ``render full``: ``render_map`` with boundaries and 20,000 incident points (the
  real-size case of issue 5: at most 5 MB, loaded within 3 s).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from _render_data import make_cells, make_records  # noqa: E402

from kamtibmas_geo.boundaries._pack import load_boundaries  # noqa: E402
from kamtibmas_geo.render._assets import inline_assets  # noqa: E402
from kamtibmas_geo.render._map import CHROMIUM_ARGS, render_map  # noqa: E402

WAIT_OURS = "() => window.__kg && window.__kg.ready"
WAIT_PLAIN = "() => document.readyState === 'complete'"


def _load_time(browser, path: Path, wait: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        ctx = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        t0 = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function(wait, timeout=60000)
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        best = min(best, time.perf_counter() - t0)
        if errors:
            print(f"  page errors in {path.name}: {errors[:2]}")
        ctx.close()
    return best


def main() -> int:
    from playwright.sync_api import sync_playwright

    kab = load_boundaries("kabupaten")
    desa = load_boundaries("desa")
    kec = load_boundaries("kecamatan")
    cells = make_cells(kab, desa)
    recs = make_records(cells, 20_000)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t0 = time.perf_counter()
        m = cells.explore(column="score", legend=False)
        explore_html = d / "explore.html"
        m.save(str(explore_html))
        t_explore = time.perf_counter() - t0
        explore_offline = d / "explore_offline.html"
        explore_offline.write_text(inline_assets(explore_html.read_text("utf-8")), "utf-8")

        t0 = time.perf_counter()
        ours = d / "render_cells.html"
        render_map(cells, boundaries=False, out=ours)
        t_ours = time.perf_counter() - t0

        t0 = time.perf_counter()
        full = d / "render_full.html"
        bounds = {"kabupaten": kab, "kecamatan": kec, "desa": desa}
        render_map(cells, records=recs, boundaries=bounds, out=full)
        t_full = time.perf_counter() - t0

        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
            )
            l_explore = _load_time(browser, explore_offline, WAIT_PLAIN)
            l_ours = _load_time(browser, ours, WAIT_OURS)
            l_full = _load_time(browser, full, WAIT_OURS)
            browser.close()

        s_explore = explore_html.stat().st_size / 1e6
        s_explore_off = explore_offline.stat().st_size / 1e6
        s_ours = ours.stat().st_size / 1e6
        s_full = full.stat().st_size / 1e6
    print(f"{len(cells)} cells, {len(recs)} points (res 9, Palembang + OKI hotspots)")
    print(f"{'map':<34}{'build s':>9}{'size MB':>9}{'load s':>9}")
    print(f"{'explore() (CDN links)':<34}{t_explore:>9.2f}{s_explore:>9.2f}{'':>9}")
    print(f"{'explore() + inlined Leaflet':<34}{'':>9}{s_explore_off:>9.2f}{l_explore:>9.2f}")
    print(f"{'render_map cells, offline':<34}{t_ours:>9.2f}{s_ours:>9.2f}{l_ours:>9.2f}")
    print(f"{'render_map + bounds + 20k points':<34}{t_full:>9.2f}{s_full:>9.2f}{l_full:>9.2f}")
    print("ratios render_map cells / explore():")
    print(f"  size {s_ours / s_explore:.2f} (vs explore as written, which still needs the CDN)")
    print(f"  size {s_ours / s_explore_off:.2f} (vs explore with Leaflet inlined)")
    print(f"  load {l_ours / l_explore:.2f}")
    print(f"  build {t_ours / t_explore:.2f}")
    ok = s_full <= 5.0 and l_full <= 3.0
    print(f"issue 5 target (<= 5 MB, <= 3 s) for the full map: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
