"""No template ever sees data: template syntax in user text is shown, never run.

Every user text that can reach a page (record notes, addresses and types, desa/kecamatan
names of own boundaries, landmark names, Poskamling names and status, period labels,
titles, the patrol target) carries the payloads below, through the API
(:func:`kamtibmas_geo.render_map`, :func:`kamtibmas_geo.plan.patrol_html`) and through the
CLI (``geocode`` → ``hotspots`` → ``map --records --posts`` and ``patrol --html``). Each
test asserts: no exception, the literal text reaches the browser (decoded from the map's
data block, or the text of the patrol page), no evaluated form (``49``, ``XXX``, a deleted
``{{ dan }}``) appears, the file the last payload would create does not exist, and the page
holds no ``{{``, ``{%`` or ``{#`` that a template engine could read. Pages are also
byte-identical between identical runs.
"""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import geopandas as gpd
import h3
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from kamtibmas_geo import render_map
from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo._htmlsafe import escape_html, script_json
from kamtibmas_geo.config import Settings
from kamtibmas_geo.plan._poskamling import patrol_html, patrol_plan
from kamtibmas_geo.render._assets import _CSS, _JS, asset_text
from kamtibmas_geo.render._map import MapOptions, page_html

#: Payloads that a template engine would evaluate, and what evaluation would show.
PAYLOADS = ["{{ 7*7 }}", "{% for i in range(3) %}X{% endfor %}", "{#", "{{ dan }}"]
EVALUATED = ["49", "XXX"]
WORDS = ["Anggrek", "Melati", "Kenanga", "Mawar", "Cempaka"]
TEMPLATE_OPENERS = ("{{", "{%", "{#")


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    """The file the command-running payload would create."""
    return tmp_path / "X_dibuat_oleh_templat"


def _payloads(marker: Path) -> list[str]:
    run = "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"
    return [*PAYLOADS, run]


def _run(args: list[str]) -> int:
    from kamtibmas_geo.cli import main

    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _data(page: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="kg-data-[^"]+">(.*?)</script>', page, re.S
    )
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def _strings(value: Any) -> list[str]:
    """Every string inside decoded JSON, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _without_vendored(page: str) -> str:
    """The page without the inlined third-party scripts and styles (not ours to check)."""
    for package, _version, path in [*_JS.values(), *_CSS.values()]:
        page = page.replace(asset_text(package, path.rsplit("/", 1)[-1]), "")
    return page


def _assert_inert(page: str, marker: Path) -> None:
    assert not marker.exists(), "a payload ran a shell command"
    ours = _without_vendored(page)
    for opener in TEMPLATE_OPENERS:
        assert opener not in ours, f"template syntax {opener!r} in the page"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _page_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)


# -- inputs -------------------------------------------------------------------------------
def _own_region(own_desa: gpd.GeoDataFrame, texts: list[str]) -> gpd.GeoDataFrame:
    """The four made-up desa with names, kecamatan and kabupaten names carrying payloads."""
    frame = own_desa.sort_values("code").reset_index(drop=True)
    frame["name"] = [f"Desa {WORDS[i]} {texts[i % len(texts)]}" for i in range(len(frame))]
    kec = {"99.01.01": f"Kec {texts[0]}", "99.01.02": f"Kec {texts[-1]}"}
    frame["kecamatan_name"] = frame["kecamatan_code"].map(kec)
    frame["kabupaten_name"] = f"Kab {texts[1]}"
    return frame


def _own_cells(region: gpd.GeoDataFrame, texts: list[str], res: int = 9) -> gpd.GeoDataFrame:
    """Score cells of the made-up region, with per-type counts and labels from ``texts``."""
    rows = []
    for desa in region.itertuples():
        cells = sorted(h3.geo_to_cells(desa.geometry, res))
        for j, cell in enumerate(cells):
            rows.append(
                {
                    "hex_id": cell,
                    "desa_code": desa.code,
                    "desa_name": desa.name,
                    "kecamatan_code": desa.kecamatan_code,
                    "kecamatan_name": desa.kecamatan_name,
                    "n_petasan": (j * 7) % 5,
                    f"n_{texts[0]}": (j * 3) % 4,
                    "n_incidents": (j * 7) % 5 + (j * 3) % 4,
                    "score": round(((j * 7) % 5 + (j * 3) % 4) / 7, 3),
                    "score_class": 1 + j % 5,
                    "gi_label": texts[j % len(texts)],
                    "trend_label": f"Tren {texts[(j + 1) % len(texts)]}",
                }
            )
    frame = pd.DataFrame(rows)
    geoms = [
        shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)])
        for c in frame["hex_id"]
    ]
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=4326)


def _points(region: gpd.GeoDataFrame, n: int) -> tuple[list[float], list[float]]:
    centres = region.geometry.representative_point()
    lat = [round(centres.iloc[i % len(centres)].y + 0.001 * (i // 4), 6) for i in range(n)]
    lon = [round(centres.iloc[i % len(centres)].x + 0.0007 * (i % 3), 6) for i in range(n)]
    return lat, lon


def _records(region: gpd.GeoDataFrame, texts: list[str]) -> pd.DataFrame:
    n = 4 * len(texts)
    lat, lon = _points(region, n)
    return pd.DataFrame(
        {
            "type": [texts[i % len(texts)] if i < len(texts) else "petasan" for i in range(n)],
            "time": pd.date_range("2026-01-05 21:00", periods=n, freq="37h"),
            "address": [f"Jl. {texts[i % len(texts)]} No. {i}" for i in range(n)],
            "keterangan": [f"Catatan {i}: {texts[i % len(texts)]}" for i in range(n)],
            "lat": lat,
            "lon": lon,
        }
    )


def _posts(region: gpd.GeoDataFrame, texts: list[str], column: str) -> pd.DataFrame:
    lat, lon = _points(region, len(texts))
    return pd.DataFrame(
        {
            column: [f"Pos {t}" for t in texts],
            "status": [f"aktif {t}" for t in texts],
            "lat": lat,
            "lon": lon,
        }
    )


# -- the map through the API ----------------------------------------------------------------
def test_map_api_shows_every_text_literally(own_desa, marker) -> None:  # type: ignore[no-untyped-def]
    texts = _payloads(marker)
    region = _own_region(own_desa, texts)
    cells = _own_cells(region, texts)
    cells[f"score_class_{texts[2]}"] = cells["score_class"]
    records = _records(region, texts)
    activities = records.drop(columns="keterangan")
    posts = _posts(region, texts, "name")
    proposed = _posts(region, texts, "nama_pos")
    bounds = {
        "desa": region,
        "kecamatan": region.dissolve("kecamatan_code", as_index=False),
        "kabupaten": region.dissolve("kabupaten_code", as_index=False),
    }
    m = render_map(
        cells,
        records=records,
        activities=activities,
        posts=posts,
        proposed=proposed,
        boundaries=bounds,
    )
    page = page_html(m)
    _assert_inert(page, marker)
    data = _data(page)
    hexes = data["hexsets"][0]["p"]
    assert set(hexes["desa_name"]) == set(region["name"])
    assert set(hexes["kecamatan_name"]) == set(region["kecamatan_name"])
    assert set(hexes["gi_label"]) == set(texts)
    assert set(hexes["trend_label"]) == {f"Tren {t}" for t in texts}
    assert texts[0] in data["hexsets"][0]["types"]
    assert data["hexsets"][1]["label"] == f"Periode: {texts[2]}"
    assert data["bounds"]["desa"]["name"] == region["name"].tolist()
    assert set(data["bounds"]["desa"]["kec"]) == set(region["kecamatan_name"])
    assert set(data["bounds"]["kabupaten"]["kab"]) == {f"Kab {texts[1]}"}
    assert sorted(data["search"]["name"]) == sorted(region["name"])
    assert data["points"]["addr"] == records["address"].tolist()
    assert data["points"]["note"] == records["keterangan"].tolist()
    assert data["activities"]["addr"] == records["address"].tolist()
    assert data["posts"]["name"] == posts["name"].tolist()
    assert data["posts"]["status"] == posts["status"].tolist()
    assert data["proposed"]["name"] == proposed["nama_pos"].tolist()
    strings = _strings(data)
    for text in texts:
        assert any(text in s for s in strings)
    for evaluated in EVALUATED:
        # where a payload stands ("Jl. <text> No. i", "Pos <text>"), never its result; not
        # "49" anywhere: the temporary folder of the marker may be pytest-49, a row No. 49
        evaluated_forms = (f"Jl. {evaluated} No.", f"Pos {evaluated}")
        assert not any(s.startswith(evaluated_forms) for s in strings)
    assert "Jl.  No. 3" not in strings  # {{ dan }} was not deleted
    assert not marker.exists()


def test_map_api_period_mapping_and_public_mode(own_desa, marker) -> None:  # type: ignore[no-untyped-def]
    texts = _payloads(marker)
    region = _own_region(own_desa, texts)
    cells = _own_cells(region, texts)
    periods = {text: cells for text in texts}
    posts = _posts(region, texts, "label")
    for public in (False, True):
        page = page_html(
            render_map(
                periods,
                posts=posts,
                boundaries={"desa": region},
                options=MapOptions(public=public),
            )
        )
        _assert_inert(page, marker)
        data = _data(page)
        assert [s["label"] for s in data["hexsets"]] == [f"Periode: {t}" for t in texts]
        assert data["posts"]["name"] == posts["label"].tolist()
        assert data["bounds"]["desa"]["name"] == region["name"].tolist()


def test_map_written_with_out_and_save(own_desa, marker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    texts = _payloads(marker)
    region = _own_region(own_desa, texts)
    cells = _own_cells(region, texts)
    out = tmp_path / "peta.html"
    m = render_map(cells, records=_records(region, texts), boundaries={"desa": region}, out=out)
    saved = tmp_path / "folium.html"
    m.save(str(saved))
    for page in (out.read_text(encoding="utf-8"), saved.read_text(encoding="utf-8")):
        _assert_inert(page, marker)
        assert set(_data(page)["hexsets"][0]["p"]["desa_name"]) == set(region["name"])


def test_tiles_text_is_data_not_template(cells_small, marker) -> None:  # type: ignore[no-untyped-def]
    for text in _payloads(marker):
        with pytest.raises(ScoreError, match="Peta dasar"):
            render_map(cells_small, boundaries=False, options=MapOptions(tiles=text))
    url = "https://tiles.example.org/{z}/{x}/{y}.png?q={{ 7*7 }}"
    m = render_map(cells_small, boundaries=False, options=MapOptions(tiles=url))
    page = page_html(m, offline=False)
    _assert_inert(page, marker)
    tiles = _data(page)["tiles"]
    assert tiles["url"] == url
    assert tiles["options"]["attribution"] == "tiles.example.org"
    osm_map = render_map(cells_small, boundaries=False, options=MapOptions(tiles="OpenStreetMap"))
    osm = _data(page_html(osm_map))
    assert osm["tiles"]["url"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def test_map_title_priority_and_names_are_data(own_desa, marker) -> None:  # type: ignore[no-untyped-def]
    """Title, Prioritas panel, warnings, search names and picture names take text as data."""
    from kamtibmas_geo.render._png import _slug

    texts = _payloads(marker)
    region = _own_region(own_desa, texts)
    cells = _own_cells(region, texts)
    cells["kabupaten_name"] = f"Kab {texts[1]}"
    cells["polsek"] = [f"Polsek {texts[i % len(texts)]}" for i in range(len(cells))]
    cells["small_sample"] = True
    bounds = {"desa": region, "kecamatan": region.dissolve("kecamatan_code", as_index=False)}
    options = MapOptions(title=f"Judul {texts[4]}", target=texts[0], data_date=texts[2])
    page = page_html(render_map(cells, boundaries=bounds, options=options))
    _assert_inert(page, marker)
    data = _data(page)
    assert data["title"]["title"] == f"Judul {texts[4]}"
    assert data["title"]["sub"] == [f"Periode sasaran: {texts[0]}", f"Data s.d. {texts[2]}"]
    assert any(f"Kab {texts[1]}" in w for w in data["title"]["warn"])
    polsek = {g["polsek"] for g in data["priority"]}
    assert polsek
    assert polsek <= {f"Polsek {t}" for t in texts}
    assert {g["kab"] for g in data["priority"]} == {f"Kab {texts[1]}"}
    places = {e["desa"] for g in data["priority"] for e in g["top"]}
    assert places
    assert places <= set(region["name"])
    assert sorted(data["search"]["name"]) == sorted(region["name"])
    for text in texts:
        assert re.fullmatch(r"[a-z0-9-]+", _slug(f"Polsek {text}"))
    strings = _strings(data)
    for evaluated in EVALUATED:
        assert not any(s.startswith(("Judul " + evaluated, "Polsek " + evaluated)) for s in strings)
    assert not marker.exists()


@pytest.fixture
def cells_small() -> pd.DataFrame:
    ids = sorted(h3.grid_disk(h3.latlng_to_cell(-2.976, 104.755, 9), 1))
    return pd.DataFrame({"hex_id": ids, "score": range(7), "score_class": [1, 2, 3, 4, 5, 5, 1]})


# -- the patrol page through the API --------------------------------------------------------
def _patrol_cells(own_desa: gpd.GeoDataFrame, texts: list[str]) -> gpd.GeoDataFrame:
    region = _own_region(own_desa, texts)
    cells = _own_cells(region, texts).drop(columns="n_petasan")
    return cells.assign(**{f"n_{texts[1]}": cells.index % 3})


def test_patrol_page_api_shows_every_text_literally(own_desa, marker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    texts = _payloads(marker)
    cells = _patrol_cells(own_desa, texts)
    plan = patrol_plan(cells, teams=2, target=texts[3])
    path = patrol_html(plan, tmp_path / "patroli.html", title=f"Judul {texts[4]}")
    page = path.read_text(encoding="utf-8")
    _assert_inert(page, marker)
    text = _page_text(page)
    assert f"Judul {texts[4]}" in text
    assert f"Periode sasaran: {texts[3]}" in text
    for name in set(cells["desa_name"]) & set(plan["desa"]):
        assert name in text
    for name in set(plan["kecamatan"]):
        assert name in text
    assert any(texts[0] in r or texts[1] in r for r in plan["reason"])
    for reason in set(plan["reason"]):
        assert reason in text
    for evaluated in EVALUATED:
        assert f"Judul {evaluated}" not in text
    assert "Periode sasaran: \n" not in text


# -- determinism ----------------------------------------------------------------------------
def test_same_inputs_give_byte_identical_pages(own_desa, marker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    texts = _payloads(marker)
    region = _own_region(own_desa, texts)
    cells = _own_cells(region, texts)
    records = _records(region, texts)
    pages = []
    for n in range(2):
        out = tmp_path / f"peta{n}.html"
        m = render_map(
            cells,
            records=records,
            posts=_posts(region, texts, "name"),
            boundaries={"desa": region},
            options=MapOptions(tiles="OpenStreetMap"),
            out=out,
        )
        pages.append(out.read_bytes())
        pages.append(page_html(m, offline=False).encode("utf-8"))
        assert page_html(m, offline=False) == page_html(m, offline=False)  # render twice
    assert pages[0] == pages[2]
    assert pages[1] == pages[3]
    page = pages[1].decode("utf-8")
    map_name = re.search(r'<div class="folium-map" id="(map_\w+)"', page)
    assert map_name is not None
    assert f"var map = {map_name.group(1)};" in page  # references between elements hold
    assert not re.search(r"[0-9a-f]{32}", page)  # no random uuid-style id left
    plan = patrol_plan(_patrol_cells(own_desa, texts), teams=2)
    one = patrol_html(plan, tmp_path / "p1.html").read_bytes()
    two = patrol_html(plan.copy(), tmp_path / "p2.html").read_bytes()
    assert one == two


# -- through the command line ---------------------------------------------------------------
def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_cli_documented_chain(settings: Settings, tmp_path, marker) -> None:  # type: ignore[no-untyped-def]
    texts = _payloads(marker)
    base = ["--source", settings.source or "", "--cache-dir", settings.cache_dir or ""]
    landmarks = _write_csv(
        tmp_path / "landmark.csv",
        ["nama", "lintang", "bujur", "jenis", "alias"],
        [
            [f"Gedung {WORDS[i]} {t}", -2.98 + i * 0.002, 104.75 + i * 0.002, "masjid", ""]
            for i, t in enumerate(texts)
        ],
    )
    rows = []
    for rep in range(8):
        for i, t in enumerate(texts):
            jenis = t if rep == 0 else "petasan"
            lat, lon = -2.97 + 0.003 * i, 104.74 + 0.003 * rep
            rows.append([f"2025-0{1 + rep}-1{i}", "21:00", jenis, f"Jl. {t}", f"Cat {t}", lat, lon])
            place = f"depan Gedung {WORDS[i]} {t}"
            rows.append([f"2025-0{1 + rep}-2{i}", "22:00", "balap liar", place, t, "", ""])
    header = ["tanggal", "jam", "jenis", "alamat", "keterangan", "lintang", "bujur"]
    records = _write_csv(tmp_path / "gangguan.csv", header, rows)
    posts = _write_csv(
        tmp_path / "pos.csv",
        ["nama_pos", "status", "lintang", "bujur"],
        [[f"Pos {t}", f"aktif {t}", -2.97 + 0.004 * i, 104.745] for i, t in enumerate(texts)],
    )
    placed, cells = tmp_path / "titik.parquet", tmp_path / "sel.parquet"
    geo = ["geocode", str(records), "--out", str(placed), "--landmarks", str(landmarks)]
    assert _run([*base, *geo]) == 0
    hot = ["hotspots", str(records), "--out", str(cells), "--region", "palembang"]
    assert _run([*base, *hot]) == 0
    pages = []
    for n in range(2):
        out = tmp_path / f"peta{n}.html"
        args = ["map", str(cells), "--records", str(placed), "--posts", str(posts)]
        assert _run([*base, *args, "--out", str(out)]) == 0
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]
    page = pages[0].decode("utf-8")
    _assert_inert(page, marker)
    data = _data(page)
    addresses = set(data["points"]["addr"])
    notes = set(data["points"]["note"])
    for t in texts:
        assert f"Jl. {t}" in addresses
        assert f"Cat {t}" in notes
    assert addresses <= {row[3] for row in rows}  # every address exactly as written
    assert any(a.startswith("depan Gedung") for a in addresses)  # placed by a landmark
    assert data["posts"]["name"] == [f"Pos {t}" for t in texts]
    assert data["posts"]["status"] == [f"aktif {t}" for t in texts]
    for evaluated in EVALUATED:
        assert f"Jl. {evaluated}" not in addresses
    assert "Jl. " not in addresses

    html_out = tmp_path / "patroli.html"
    patrol = ["patrol", str(cells), "--out", str(tmp_path / "patroli.csv"), "--html"]
    assert _run([*base, *patrol, str(html_out), "--target", texts[1]]) == 0
    page = html_out.read_text(encoding="utf-8")
    _assert_inert(page, marker)
    assert f"Periode sasaran: {texts[1]}" in _page_text(page)


def test_cli_own_boundaries_and_periods(  # type: ignore[no-untyped-def]
    settings: Settings, own_desa, tmp_path, marker
) -> None:
    texts = _payloads(marker)
    base = ["--source", settings.source or "", "--cache-dir", settings.cache_dir or ""]
    region = _own_region(own_desa, texts)
    gpkg = tmp_path / "wilayah.gpkg"
    region.to_file(gpkg, layer="desa")
    lat, lon = _points(region, 40)
    rows = [
        [f"2026-0{1 + i % 9}-1{i % 9}", "21:00", "petasan", f"Jl. {texts[i % 5]}", lat[i], lon[i]]
        for i in range(40)
    ]
    header = ["tanggal", "jam", "jenis", "address", "lintang", "bujur"]
    records = _write_csv(tmp_path / "gangguan.csv", header, rows)
    posts = _write_csv(
        tmp_path / "pos.csv",
        ["nama_pos", "lintang", "bujur"],
        [[f"Pos {t}", lat[i], lon[i]] for i, t in enumerate(texts)],
    )
    cells = tmp_path / "sel.parquet"
    hot = ["hotspots", str(records), "--boundaries", str(gpkg), "--out", str(cells)]
    assert _run([*base, *hot, "--res", "8"]) == 0
    # a cells file with a period column named by the analyst
    periods = tmp_path / "sel_periode.parquet"
    frame = gpd.read_parquet(cells)
    frame.assign(**{f"score_class_{texts[4]}": frame["score_class"]}).to_parquet(periods)
    out = tmp_path / "peta.html"
    args = ["map", str(periods), "--records", str(records), "--posts", str(posts)]
    assert _run([*base, *args, "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    _assert_inert(page, marker)
    data = _data(page)
    assert set(data["hexsets"][0]["p"]["desa_name"]) - {None} <= set(region["name"])
    assert set(data["search"]["name"]) <= set(region["name"])
    assert len(data["search"]["name"]) > 0
    assert f"Periode: {texts[4]}" in [s["label"] for s in data["hexsets"]]
    assert set(data["points"]["addr"]) == {f"Jl. {t}" for t in texts}
    assert data["posts"]["name"] == [f"Pos {t}" for t in texts]

    html_out = tmp_path / "patroli.html"
    patrol = ["patrol", str(cells), "--out", str(tmp_path / "patroli.csv"), "--html"]
    assert _run([*base, *patrol, str(html_out), "--teams", "1"]) == 0
    page = html_out.read_text(encoding="utf-8")
    _assert_inert(page, marker)
    text = _page_text(page)
    plan = pd.read_csv(tmp_path / "patroli.csv", dtype=str)
    for name in set(plan["desa"].dropna()) | set(plan["kecamatan"].dropna()):
        assert name in text
    assert any(t in text for t in texts)


# -- the two escaping doors -----------------------------------------------------------------
@given(st.text())
def test_script_json_round_trips_and_hides_template_syntax(text: str) -> None:
    out = script_json({"t": text, "l": [text]})
    assert json.loads(out) == {"t": text, "l": [text]}
    for bad in ("<", ">", "&", "\u2028", "\u2029", *TEMPLATE_OPENERS):
        assert bad not in out


@given(st.text())
def test_escape_html_round_trips_and_hides_template_syntax(text: str) -> None:
    import html

    out = escape_html(text)
    assert html.unescape(out) == text
    for bad in ("<", ">", '"', "'", "{", "}", "%"):
        assert bad not in out
