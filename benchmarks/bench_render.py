"""Benchmark of kamtibmas_geo.render against ``GeoDataFrame.explore()`` on the same cells.

Run: ``python benchmarks/bench_render.py [--quick]`` (needs the boundary pack source, see
``KAMTIBMAS_GEO_SOURCE``, and Chromium at /usr/bin/chromium).

Cells: every res-9 cell of Kabupaten OKI and Kota Palembang (~158,000 cells, synthetic but
plausible values: zero in most of the countryside, as real records are), 20,000 incident
points and the kabupaten/kecamatan/desa boundaries. ``--quick`` uses Palembang plus rings
around 60 OKI desa (~5,600 cells) instead. Measured, in one run:

* bytes per cell of the map's cell data: the ids with the class alone, and with every
  tooltip column, against the limit of the ids and values themselves (8 bytes of a 64-bit
  H3 id and 1 byte of class; 15 + 1 as text) and against ``explore()``;
* the size of each HTML file, and the time to build it;
* the time until the page is idle in headless Chromium (network cut; navigation to the map
  drawn: for ours the ``ready`` flag, set once the visible hexagon tiles are drawn; for
  ``explore()`` the load event plus two frames), best of 3.
"""

from __future__ import annotations

import json
import re
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
DATA_RE = re.compile(r'<script type="application/json" id="kg-data-[^"]+">(.*?)</script>', re.S)


def _load_time(
    browser, path: Path, wait: str, repeat: int = 3, limit_s: float = 300
) -> float | None:
    """Best time to idle of ``repeat`` loads, or None when a load exceeds ``limit_s``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    best = float("inf")
    for _ in range(repeat):
        ctx = browser.new_context(offline=True, viewport={"width": 1366, "height": 768})
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        t0 = time.perf_counter()
        try:
            page.goto(path.as_uri(), wait_until="load", timeout=limit_s * 1000)
            page.wait_for_function(wait, timeout=limit_s * 1000)
            page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
            )
        except PlaywrightTimeout:
            ctx.close()
            return None
        best = min(best, time.perf_counter() - t0)
        if errors:
            print(f"  page errors in {path.name}: {errors[:2]}")
        ctx.close()
    return best


def _cell_bytes(page: str) -> tuple[int, int]:
    """Bytes of the cells' ids + class, and of every cell column, in the map's data block."""
    match = DATA_RE.search(page)
    assert match is not None
    hexset = json.loads(match.group(1))["hexsets"][0]
    ids_class = len(json.dumps(hexset["ids"])) + len(json.dumps(hexset["p"]["score_class"]))
    return ids_class, len(json.dumps(hexset))


def main() -> int:
    from playwright.sync_api import sync_playwright

    quick = "--quick" in sys.argv
    kab = load_boundaries("kabupaten")
    desa = load_boundaries("desa")
    kec = load_boundaries("kecamatan")
    cells = make_cells(kab, desa, whole=not quick)
    recs = make_records(cells, 20_000)
    n = len(cells)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t0 = time.perf_counter()
        explore_html = d / "explore.html"
        cells.explore(column="score", legend=False).save(str(explore_html))
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
        ids_class, all_columns = _cell_bytes(ours.read_text("utf-8"))

        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
            )
            l_explore = _load_time(
                browser, explore_offline, WAIT_PLAIN, repeat=1 if n > 50_000 else 3, limit_s=120
            )
            l_ours = _load_time(browser, ours, WAIT_OURS)
            l_full = _load_time(browser, full, WAIT_OURS)
            browser.close()

        s_explore = explore_html.stat().st_size
        s_explore_off = explore_offline.stat().st_size / 1e6
        s_ours = ours.stat().st_size / 1e6
        s_full = full.stat().st_size / 1e6
    where = "Palembang + OKI hotspots" if quick else "all of OKI and Palembang"
    print(f"{n} cells, {len(recs)} points (res 9, {where})")
    print("bytes per cell (cell data of the page):")
    print(f"  limit: id + class as binary  {9:>8.1f}   as text {17:>6.1f}")
    print(f"  render_map ids + class        {ids_class / n:>8.1f}")
    print(f"  render_map all tooltip columns{all_columns / n:>8.1f}")
    print(f"  explore() (GeoJSON features)  {s_explore / n:>8.1f}")
    print(f"{'map':<34}{'build s':>9}{'size MB':>9}{'idle s':>9}")
    print(f"{'explore() (CDN links)':<34}{t_explore:>9.2f}{s_explore / 1e6:>9.2f}{'':>9}")
    idle = "> 120" if l_explore is None else f"{l_explore:.2f}"
    print(f"{'explore() + inlined Leaflet':<34}{'':>9}{s_explore_off:>9.2f}{idle:>9}")
    print(f"{'render_map cells, offline':<34}{t_ours:>9.2f}{s_ours:>9.2f}{l_ours or 0:>9.2f}")
    print(
        f"{'render_map + bounds + 20k points':<34}{t_full:>9.2f}{s_full:>9.2f}{l_full or 0:>9.2f}"
    )
    print("ratios render_map cells / explore():")
    size_ratio = s_ours / (s_explore / 1e6)
    idle_ratio = "n/a" if l_explore is None or l_ours is None else f"{l_ours / l_explore:.2f}"
    print(f"  size {size_ratio:.3f}, idle {idle_ratio}, build {t_ours / t_explore:.2f}")
    ok = s_full <= 5.0 and l_full is not None and l_full <= 3.0
    print(f"target (<= 5 MB, idle <= 3 s) for the full map: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
