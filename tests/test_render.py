"""Render: HTML assertions (layers, legend, escaping, offline, public mode), exports, CLI."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from _render_data import make_cells, make_records

from kamtibmas_geo._errors import ScoreError, SettingsError
from kamtibmas_geo.boundaries._names import display_name
from kamtibmas_geo.config import Settings
from kamtibmas_geo.render import _mapdata as md
from kamtibmas_geo.render._codec import pack_column, pack_ids, unpack_column, unpack_ids
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


def _col(hexset: dict, name: str) -> list:
    """A packed cell column (numbers, or texts through their dictionary)."""
    packed = hexset["p"][name]
    if isinstance(packed, list):
        codes = unpack_column(hexset["c"][name])
        return [None if c is None else packed[int(c)] for c in codes]
    return unpack_column(packed)


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
    hs = data["hexsets"][0]
    assert unpack_ids(hs["ids"]) == sorted(cells["hex_id"])
    assert {"desa", "kecamatan", "kabupaten"} <= set(data["bounds"])
    for key in ("points", "activities", "posts", "proposed", "search", "priority", "title"):
        assert key in data
    assert data["points"]["n"] == len(records)
    titles = [s["title"] for s in data["legend"]]
    assert "Kelas risiko (dihitung per kabupaten/kota)" in titles
    assert "5 Sangat tinggi" in page
    assert "Titik panas 99%" in page
    assert data["text"]["layer_score"] == "Titik rawan (kelas skor)"
    # one known cell: its values are packed for the tooltip, in hex_id order
    ordered = cells.sort_values("hex_id").reset_index(drop=True)
    i = 7
    assert _col(hs, "desa_name")[i] == ordered.loc[i, "desa_name"]
    assert _col(hs, "score")[i] == pytest.approx(ordered.loc[i, "score"], abs=1e-3)
    assert _col(hs, "score_class")[i] == ordered.loc[i, "score_class"]
    j = hs["types"].index("petasan")
    assert unpack_column(hs["counts"][j])[i] == ordered.loc[i, "n_petasan"]
    # no geometry of cells is sent: the page draws them from the ids
    assert "ring" not in hs
    assert "fillColor" not in json.dumps(data["hexsets"])
    # both attributions, the boundary data's licence with it
    assert any("\u00a9 Cahya DSN, MIT" in a for a in data["attribution"])


def test_columns_round_trip_and_stay_small():
    values = pd.Series([0, 0, 0, 0, 3, None, -2.5, 0, 0, 0] * 50)
    packed = pack_column(values, 1)
    assert "r" in packed  # runs are shorter than one varint a value here
    back = unpack_column(packed)
    assert back[:7] == [0.0, 0.0, 0.0, 0.0, 3.0, None, -2.5]
    ids = sorted(h3.grid_disk(h3.latlng_to_cell(-2.976, 104.755, 9), 30))
    packed_ids = pack_ids(ids)
    assert unpack_ids(packed_ids) == ids
    assert len(packed_ids["b"]) / len(ids) < 2.5  # bytes per id, against 18 as JSON text


def test_bytes_per_cell(cells):
    data = _data(page_html(render_map(cells, boundaries=False)))
    size = len(json.dumps(data["hexsets"]))
    # ids + class + 20 tooltip columns + per-type counts
    assert size / len(cells) < 40


def test_colours_read_in_order_and_posts_stand_apart():
    def lab(colour: str) -> tuple[float, float, float]:
        rgb = [int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
        y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
        z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883
        f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in (x, y, z)]
        return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])

    lightness = [lab(md.SCORE_COLOURS[c])[0] for c in range(1, 6)]
    assert all(a - b >= 10 for a, b in itertools.pairwise(lightness))
    types = [
        *md.load_types("disturbance", "id").values(),
        *md.load_types("activity", "id").values(),
    ]
    for post in md.POST_COLOURS.values():
        for t in types:
            assert math.dist(lab(post), lab(t["colour"])) > 25, (post, t)
    abbr = [t["abbr"] for t in md.load_types("disturbance", "id").values()]
    assert len(set(abbr)) == len(abbr)


def test_names_as_staff_write_them(cells, bounds):
    data = _data(page_html(render_map(cells, boundaries=bounds)))
    search = data["search"]
    j = search["name"].index("Sembilan-belas Ilir")
    assert search["alt"][j] == "19 Ilir"
    k = search["name"].index("Dua-puluh Ilir Empat")
    assert search["alt"][k] == "20 Ilir D IV"
    desa = data["bounds"]["desa"]
    assert desa["disp"][desa["name"].index("Sembilan-belas Ilir")] == "19 Ilir"
    hs = data["hexsets"][0]
    pairs = dict(zip(hs["p"]["desa_name"], hs["disp"]["desa_name"], strict=True))
    assert all(pairs[n] == display_name(n) for n in pairs)


def test_priority_panel_per_polsek(cells):
    frame = cells.assign(small_sample=cells["kabupaten_code"] == "16.02")
    data = _data(page_html(render_map(frame, boundaries=False)))
    groups = data["priority"]
    assert groups
    kab = [g["kab"] for g in groups]
    assert kab == sorted(kab)  # grouped by jurisdiction
    for g in groups:
        assert g["polsek"].startswith("Polsek ")
        assert len(g["top"]) <= 3
        for entry in g["top"]:
            assert entry["cls"] >= 3
            assert not re.search(r"\d[.,]\d", entry["why"])  # whole numbers
        desa = [e["desa"] for e in g["top"]]
        assert len(desa) == len(set(desa))
    title = data["title"]
    assert "Kota Palembang" in title["title"]
    assert any("Kabupaten Ogan Komering Ilir" in w and "30" in w for w in title["warn"])


def test_title_period_and_data_date(cells, records, tmp_path):
    scored = cells.copy()
    scored.attrs["score"] = {
        "target": "Ramadhan 1448 H",
        "target_start": "2027-02-08T00:00:00+07:00",
        "target_end": "2027-03-10T00:00:00+07:00",
    }
    title = _data(page_html(render_map(scored, records=records, boundaries=False)))["title"]
    newest = records["time"].max()
    assert title["sub"][0] == "Periode sasaran: Ramadhan 1448 H (8 Feb 2027 s.d. 10 Mar 2027)"
    month = ["Jan", "Feb", "Mar", "Apr"][newest.month - 1]
    assert title["sub"][1] == f"Data s.d. {newest.day} {month} 2026"
    # the period survives the GeoParquet that `hotspots --out` writes and `map` reads
    scored.attrs["score"]["placed"] = np.arange(3)  # what only the run needs is left out
    back = gpd.read_parquet(export_cells(scored, tmp_path / "sel.parquet"))
    assert set(back.attrs["score"]) == {"target", "target_start", "target_end"}
    again = _data(page_html(render_map(back, boundaries=False)))["title"]
    assert again["sub"][0] == title["sub"][0]


def test_english(cells):
    page = page_html(render_map(cells, boundaries=False, lang="en"))
    assert "Risk class (computed per kabupaten/kota)" in page
    assert "5 Very high" in page
    assert "Kelas risiko" not in page


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
    assert set(PAYLOADS) <= set(data["hexsets"][0]["p"]["desa_name"])
    assert set(PAYLOADS) <= set(_col(data["hexsets"][0], "desa_name"))
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
    assert unpack_ids(data["hexsets"][0]["ids"]) == sorted(kept)
    counts = [v for col in data["hexsets"][0]["counts"] for v in unpack_column(col)]
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
    ordered = frame.sort_values("hex_id")
    assert _col(data["hexsets"][1], "score_class") == ordered["score_class_ramadhan"].tolist()
    assert data["hexsets"][1]["ids"] == {"same": 0}
    assert data["hexsets"][1]["base"] == 0
    assert "desa_name" not in data["hexsets"][1]["p"]
    as_dict = _data(
        page_html(
            render_map({"pra_ramadhan": cells, "ramadhan": cells}, boundaries=False, lang="en")
        )
    )
    assert [h["label"] for h in as_dict["hexsets"]] == ["Period: Pre-Ramadhan", "Period: Ramadhan"]


def test_writes_file(cells, tmp_path):
    out = tmp_path / "peta.html"
    render_map(cells, out=out, boundaries=False)
    data = _data(out.read_text(encoding="utf-8"))
    assert unpack_ids(data["hexsets"][0]["ids"]) == sorted(cells["hex_id"])
    assert data["hexsets"][0]["ids"]["res"] == 9


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


def test_export_names_as_staff_write_them(tmp_path):
    frame = pd.DataFrame(
        {
            "hex_id": ["898cab6214bffff"],
            "desa_name": ["Sembilan-belas Ilir"],
            "kecamatan_name": ["Ilir Timur Satu"],
        }
    )
    back = pd.read_csv(export_cells(frame, tmp_path / "sel.csv"))
    assert back.columns[:5].tolist() == [
        "hex_id",
        "desa_name",
        "desa_label",
        "kecamatan_name",
        "kecamatan_label",
    ]
    assert back.loc[0, "desa_label"] == "19 Ilir"
    assert back.loc[0, "kecamatan_label"] == "Ilir Timur I"


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
    table = records.assign(lat=records.geometry.y, lon=records.geometry.x)
    table = table.drop(columns="geometry").rename(columns={"time": "waktu"})
    table["waktu"] = table["waktu"].dt.strftime("%Y-%m-%d %H:%M")
    table.to_csv(rec_path, index=False)
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
    assert data["points"]["n"] == len(records)
    assert "desa" in data["bounds"]
    assert _run(main, [*args[:5], str(tmp_path / "missing.txt"), "--out", str(out)]) == 2
