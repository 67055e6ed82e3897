"""Render: HTML assertions (layers, legend, escaping, offline, public mode), exports, CLI."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from _render_data import make_cells, make_records

from kamtibmas_geo._errors import ScoreError, SettingsError
from kamtibmas_geo.config import Settings
from kamtibmas_geo.render._map import MapOptions, export_cells, page_html, render_map

VENDOR = Path(__file__).resolve().parents[1] / "kamtibmas_geo" / "data" / "vendor"
PAYLOADS = [
    "</script><script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=2">',
    '"><svg onload=alert(3)>',
    "javascript:alert(4)",
    "<!-- x",
]


@pytest.fixture(scope="module")
def cells(kabupaten: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    full = make_cells(kabupaten, desa, oki_hotspots=3)
    return full.iloc[::12].reset_index(drop=True)


@pytest.fixture(scope="module")
def records(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    recs = make_records(cells, 300)
    recs.loc[0:4, "keterangan"] = PAYLOADS
    recs.loc[5:9, "address"] = PAYLOADS
    return recs


@pytest.fixture(scope="module")
def bounds(
    kabupaten: gpd.GeoDataFrame, kecamatan: gpd.GeoDataFrame, desa: gpd.GeoDataFrame
) -> dict[str, gpd.GeoDataFrame]:
    return {"kabupaten": kabupaten, "kecamatan": kecamatan, "desa": desa}


def _data(page: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="kg-data-[^"]+">(.*?)</script>', page, re.S
    )
    assert match is not None
    return json.loads(match.group(1))


def _run(main: Callable[[list[str]], None], args: list[str]) -> int:
    """Exit code of the CLI, whether ``main`` returns or raises ``SystemExit``."""
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs += [v or "" for k, v in attrs if k in ("src", "href", "data", "srcset")]


def test_layers_legend_and_tooltip_data(cells, records, bounds):
    m = render_map(
        cells,
        records=records,
        activities=records.iloc[:20],
        posts=records.iloc[:3],
        proposed=records.iloc[3:5],
        boundaries=bounds,
    )
    page = page_html(m)
    data = _data(page)
    assert sorted(data["hexsets"][0]["ids"]) == sorted(cells["hex_id"])
    assert {"desa", "kecamatan", "kabupaten"} <= set(data["bounds"])
    for key in ("points", "activities", "posts", "proposed", "search"):
        assert key in data
    assert len(data["points"]["lat"]) == len(records)
    assert "Kelas skor titik rawan" in page
    assert "5 Sangat tinggi" in page
    assert "Titik panas 99%" in page
    assert data["text"]["layer_score"] == "Titik rawan (kelas skor)"
    # one known cell: its values are packed for the JS tooltip
    i = 7
    hs = data["hexsets"][0]
    assert hs["p"]["desa_name"][i] == cells.loc[i, "desa_name"]
    assert hs["p"]["score"][i] == pytest.approx(cells.loc[i, "score"], abs=1e-3)
    assert hs["p"]["score_class"][i] == cells.loc[i, "score_class"]
    j = hs["types"].index("petasan")
    assert hs["counts"][j][i] == cells.loc[i, "n_petasan"]
    # the style is a JS function on the class property, not per-feature Python styles
    assert "style: function (f)" in page
    assert "fillColor" not in json.dumps(data["hexsets"])


def test_english(cells):
    page = page_html(render_map(cells, boundaries=False, lang="en"))
    assert "Hotspot score class" in page
    assert "5 Very high" in page
    assert "Kelas skor titik rawan" not in page


def test_offline_page_has_no_external_reference(cells, records, bounds):
    page = page_html(render_map(cells, records=records, boundaries=bounds), offline=True)
    parser = _Refs()
    parser.feed(page)
    external = [r for r in parser.refs if re.match(r"\s*(https?:)?//", r)]
    assert external == []
    assert "<link" not in page
    assert "url(images/" not in page
    assert "data:image/png;base64," in page
    assert "markerClusterGroup" in page
    assert "heatLayer" in page
    assert "FullScreen" in page


def test_online_page_links_pinned_versions(cells):
    options = MapOptions(tiles="OpenStreetMap")
    page = page_html(render_map(cells, boundaries=False, options=options), offline=False)
    assert 'src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"' in page
    assert "leaflet.markercluster@1.1.0" in page
    assert "tile.openstreetmap.org" in page


def test_vendored_assets_match_readme():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"\| (\S+) \| [\d.]+ \| \S+ \| `([^`]+)` \| `([0-9a-f]{64})` \|", readme)
    assert len(rows) >= 10
    for package, name, sha in rows:
        assert hashlib.sha256((VENDOR / package / name).read_bytes()).hexdigest() == sha
    for package in {r[0] for r in rows}:
        assert any("LICEN" in p.name.upper() for p in (VENDOR / package).iterdir())


def test_payloads_are_escaped(cells, records):
    bad = cells.copy()
    bad.loc[0:4, "desa_name"] = PAYLOADS
    page = page_html(render_map(bad, records=records, boundaries=False))
    for payload in ("<script>window.__pwned", "<img src=x", "<svg onload", "<!-- x"):
        assert payload not in page
    assert page.count("</script>") == page.count("<script")
    data = _data(page)  # the JSON round-trips to the original strings
    assert data["hexsets"][0]["p"]["desa_name"][:5] == PAYLOADS
    assert data["points"]["note"][:5] == PAYLOADS


def test_public_mode(cells, records):
    settings = Settings(public_min_count=5)
    page = page_html(
        render_map(
            cells,
            records=records,
            activities=records,
            boundaries=False,
            options=MapOptions(public=True),
            settings=settings,
        )
    )
    data = _data(page)
    for personal in ("Budi Santoso", "1671010101010001", "081234567890", "warga melapor"):
        assert personal not in page
    assert "points" not in data
    assert "activities" not in data
    kept = cells.loc[cells["n_incidents"] >= 5, "hex_id"]
    assert sorted(data["hexsets"][0]["ids"]) == sorted(kept)
    counts = [v for col in data["hexsets"][0]["counts"] for v in col]
    assert all(v == 0 or v == -1 or v >= 5 for v in counts)
    assert -1 in counts
    assert "heat_cells" in data
    assert "kurang dari 5 kejadian" in page


def test_period_layers(cells):
    frame = cells.assign(
        score_class_ramadhan=cells["score_class"].iloc[::-1].to_numpy(),
        score_class_idul_fitri=1,
    )
    data = _data(page_html(render_map(frame, boundaries=False)))
    labels = [h["label"] for h in data["hexsets"]]
    assert labels == ["Titik rawan (kelas skor)", "Periode: Ramadhan", "Periode: Idul Fitri"]
    assert data["hexsets"][1]["p"]["score_class"] == frame["score_class_ramadhan"].tolist()
    as_dict = _data(
        page_html(
            render_map({"pra_ramadhan": cells, "ramadhan": cells}, boundaries=False, lang="en")
        )
    )
    assert [h["label"] for h in as_dict["hexsets"]] == ["Period: Pre-Ramadhan", "Period: Ramadhan"]


def test_writes_file_and_rounds(cells, tmp_path):
    out = tmp_path / "peta.html"
    render_map(cells, out=out, boundaries=False)
    data = _data(out.read_text(encoding="utf-8"))
    ring = data["hexsets"][0]["ring"][0]
    assert all(isinstance(v, int) for v in ring)
    assert len(ring) == 12


def test_bad_input():
    with pytest.raises(ScoreError, match="hex_id"):
        render_map(pd.DataFrame({"x": [1]}))
    with pytest.raises(ScoreError):
        render_map([1, 2])  # type: ignore[arg-type]
    with pytest.raises(SettingsError):
        render_map(pd.DataFrame({"hex_id": ["89658d6bd53ffff"]}), lang="fr")  # type: ignore[arg-type]


def test_errors_are_indonesian_with_english_on_request(cells, tmp_path):
    with pytest.raises(ScoreError) as info:
        render_map(pd.DataFrame({"x": [1]}))
    assert str(info.value).startswith("cells memerlukan kolom 'hex_id'")
    assert (
        info.value.text("en") == "cells needs a 'hex_id' column or hexagon geometries; found ['x']."
    )
    with pytest.raises(ScoreError) as info:
        export_cells(cells, tmp_path / "cells.xyz")
    assert "akhiran '.xyz' tidak dikenal" in str(info.value)
    assert "unknown suffix '.xyz'" in info.value.text("en")


@pytest.mark.parametrize("suffix", [".parquet", ".gpkg", ".csv"])
def test_export_cells(cells, tmp_path, suffix):
    out = export_cells(cells.assign(nama_petugas="Andi"), tmp_path / f"cells{suffix}", public=True)
    readers = {".csv": pd.read_csv, ".parquet": gpd.read_parquet, ".gpkg": gpd.read_file}
    back = readers[suffix](out)
    kept = sorted(cells.loc[cells["n_incidents"] >= 5, "hex_id"])
    assert sorted(back["hex_id"]) == kept
    assert "nama_petugas" not in back.columns
    assert "score" in back.columns
    if suffix == ".csv":
        assert {"lat", "lng", "geometry"} <= set(back.columns)
    else:
        assert back.crs.to_epsg() == 4326


def test_export_bad_suffix(cells, tmp_path):
    with pytest.raises(ScoreError, match=r"akhiran '\.xyz' tidak dikenal"):
        export_cells(cells, tmp_path / "cells.xyz")


def test_import_is_light():
    code = "import sys, kamtibmas_geo.render._map; print('folium' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cli_map(cells, records, settings, tmp_path):
    from kamtibmas_geo.cli import main

    cells_path = tmp_path / "cells.parquet"
    cells.to_parquet(cells_path)
    rec_path = tmp_path / "rec.csv"
    records.assign(lat=records.geometry.y, lon=records.geometry.x).drop(columns="geometry").to_csv(
        rec_path, index=False
    )
    out = tmp_path / "peta.html"
    args = [
        "--source",
        str(settings.source),
        "--cache-dir",
        str(settings.cache_dir),
        "map",
        str(cells_path),
        "--records",
        str(rec_path),
        "--out",
        str(out),
    ]
    assert _run(main, args) == 0
    data = _data(out.read_text(encoding="utf-8"))
    assert len(data["points"]["lat"]) == len(records)
    assert "desa" in data["bounds"]
    assert _run(main, [*args[:5], str(tmp_path / "missing.txt"), "--out", str(out)]) == 2
