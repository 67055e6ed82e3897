from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest

from kamtibmas_geo.cli import main


@pytest.mark.slow
def test_demo_runs_the_whole_job(settings, tmp_path, capsys, monkeypatch):
    # a machine without Chromium: the demo still ends with its picture, drawn by matplotlib
    monkeypatch.setenv("KAMTIBMAS_GEO_CHROMIUM", str(tmp_path / "no-chromium-here"))
    out = tmp_path / "demo"
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "--source",
                settings.source,
                "--cache-dir",
                settings.cache_dir,
                "demo",
                "--out",
                str(out),
            ]
        )
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for words in ("Buku besar", "Sel paling rawan", "Uji balik", "Usulan Poskamling", "Selesai"):
        assert words in text
    assert "menjelang Ramadhan 1448 H, per Polres" in text  # the period named, not its code
    assert "ramadhan-1448" not in text
    # the summary as staff read it: one "Baris ditolak" row, impossible dates called so,
    # Polres named as staff write them, intervals as numbers
    assert len(re.findall(r"│ Baris ditolak ", text)) == 1
    assert "Tanggal mustahil" in text
    assert "Tanggal tidak ada" not in text
    assert "Polrestabes" in text
    assert "Polres OKI" in text
    assert "│ palembang" not in text
    assert "input_" not in text  # every file written is named for people
    assert "np.float" not in text
    # numbers as Indonesians write them, places as staff name them, no raw codes
    assert re.search(r"\d,\d%", text)  # 26,8%
    assert "19 Ilir" in text
    assert "Sembilan-belas" not in text
    assert "(0.00%)" not in text
    assert "Peta (PNG, digambar tanpa Chromium)" in text
    png = (out / "peta.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 900)
    assert len(png) > 50_000  # cells, boundaries and posts drawn, not an empty frame

    # nothing lost: every input row is placed or rejected with a reason
    rejected = pd.read_csv(out / "ditolak.csv")
    assert rejected["reason"].notna().all()
    for kind, name in (("disturbance", "gangguan.csv"), ("activity", "kegiatan.csv")):
        rows_in = len(pd.read_csv(out / "data" / name, sep=None, engine="python"))
        n_rej = int((rejected["kind"] == kind).sum())
        assert 0 < n_rej < rows_in * 0.01
    n_dist = len(pd.read_csv(out / "data" / "gangguan.csv", sep=None, engine="python"))
    assert re.search(rf"Baris data dibaca\s+│\s+{n_dist:,}".replace(",", "."), text)

    cells = gpd.read_parquet(out / "sel_rawan.parquet")
    assert cells["hex_id"].is_unique
    assert {"score", "gi_bin", "coverage_gap", "trend_class"} <= set(cells.columns)
    # the planted market hotspots rank at the top
    top = cells.nlargest(20, "score")
    assert (
        top["kecamatan_name"]
        .isin(
            ["Bukitkecil", "Ilir Timur Satu", "Seberang Ulu Satu", "Jakabaring", "Ilir Barat Satu"]
        )
        .mean()
        > 0.5
    )

    metrics = pd.read_csv(out / "uji_balik.csv")
    assert len(metrics) > 0

    posts = json.loads((out / "usulan_poskamling.geojson").read_text())
    assert len(posts["features"]) == 40  # 20 per Polres
    patrol = pd.read_csv(out / "patroli.csv")
    assert {"team", "window", "hex_id"} <= set(patrol.columns)
    # as `kamtibmas-geo patrol` plans: the sample's landmarks named at stops, reasons and
    # hours from the placed reports, the team allocation written beside the plan
    assert patrol["landmark"].notna().any()
    assert patrol["reason"].str.contains("laporan").any()
    assert (patrol["hours_source"] == "jam laporan").any()
    teams = pd.read_csv(out / "patroli_tim.csv")
    assert {"polsek", "window", "teams"} <= set(teams.columns)
    assert teams["teams"].sum() > 0
    # the map holds every scored cell and stays a few MB
    assert (out / "peta.html").stat().st_size < 5_000_000
    html = (out / "peta.html").read_text(encoding="utf-8")
    # one offline file: no script, style sheet or image fetched from the network
    # (an attribution link such as Leaflet's is a plain <a href>, not a request)
    assert not re.search(r"""<(script|img)[^>]*\ssrc\s*=\s*["']https?://""", html)
    assert not re.search(r"""<link[^>]*\shref\s*=\s*["']https?://""", html)
    assert (out / "patroli.html").stat().st_size > 0


@pytest.mark.slow
def test_demo_twice_gives_byte_identical_files(settings, tmp_path):
    """Same inputs, same bytes: every file of two demo runs hashes the same (HTML included)."""
    import hashlib

    from kamtibmas_geo.demo import run_demo

    def hashes(out):
        run_demo(out, png=False, settings=settings)
        return {
            str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }

    first, second = hashes(tmp_path / "satu"), hashes(tmp_path / "dua")
    assert first == second
    assert any(name.endswith(".html") for name in first)
    assert any(name.endswith(".csv") for name in first)


def test_static_picture_without_a_browser(settings, tmp_path):
    """The still picture (no Chromium): classes, hot-spot outlines, posts, a legend, 1280x900."""
    import h3
    import numpy as np
    from PIL import Image
    from shapely.geometry import Polygon

    from kamtibmas_geo.render._mapdata import SCORE_COLOURS
    from kamtibmas_geo.render._static import save_static_png

    centre = h3.latlng_to_cell(-2.99, 104.76, 9)  # Palembang
    hexes = sorted(h3.grid_disk(centre, 6))
    rings = [h3.grid_distance(centre, h) for h in hexes]
    cells = gpd.GeoDataFrame(
        {
            "hex_id": hexes,
            "score_class": [5 - min(r, 4) for r in rings],
            "gi_bin": [3 if r <= 1 else 0 for r in rings],
            "kabupaten_code": "16.71",
        },
        geometry=[Polygon([(lo, la) for la, lo in h3.cell_to_boundary(h)]) for h in hexes],
        crs=4326,
    )
    posts = gpd.GeoDataFrame(
        {"nama": ["Pos A"]}, geometry=gpd.points_from_xy([104.77], [-2.98]), crs=4326
    )
    out = save_static_png(
        cells, tmp_path / "peta.png", posts=posts, target="ramadhan-1448", settings=settings
    )
    image = np.asarray(Image.open(out).convert("RGB"))
    assert image.shape == (900, 1280, 3)
    colours = {tuple(int(c) for c in px) for px in image.reshape(-1, 3)[::7]}

    def rgb(hex_colour: str) -> tuple[int, int, int]:
        return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]

    assert rgb(SCORE_COLOURS[5]) in colours  # the hottest class is drawn
    assert rgb(SCORE_COLOURS[2]) in colours
    assert (17, 17, 17) in colours  # the post's black square
    again = save_static_png(
        cells, tmp_path / "lagi.png", posts=posts, target="ramadhan-1448", settings=settings
    )
    assert again.read_bytes() == out.read_bytes()  # same inputs, same bytes


def test_printed_summary_reads_as_staff_write(settings):
    """The demo's tables: Polres column, numbers per language, reasons and statuses in words."""
    from pathlib import Path

    from rich.console import Console

    from kamtibmas_geo._i18n import tr
    from kamtibmas_geo.cli import _demo as cli_demo
    from kamtibmas_geo.demo import DemoResult
    from kamtibmas_geo.records._ledger import MESSAGES as LEDGER

    def ledger(lang):
        """The ledger as ledger_summary labels it: the geocoder's reason has its own label."""
        return pd.DataFrame(
            [
                ("input", "rows_in", "Baris data dibaca", 24426, "disturbance"),
                ("rejected", "rejected", tr(LEDGER, "sum_rejected", lang), 2, "disturbance"),
                ("rejected", "no_location", "Tanpa lokasi", 1, "disturbance"),
                ("rejected", "ambiguous", tr(LEDGER, "lbl_ambiguous", lang), 1, "disturbance"),
                ("input", "rows_in", "Baris data dibaca", 5841, "activity"),
            ],
            columns=["group", "code", "description", "count", "kind"],
        )

    top = pd.DataFrame(
        {
            "polres": ["Polres OKI", "Polrestabes Palembang", "Polrestabes Palembang"],
            "kecamatan_label": ["Kayu Agung", "Bukit Kecil", "Ilir Timur I"],
            "desa_label": ["Perigi", "19 Ilir", "16 Ilir"],
            "n_incidents_text": ["≈ 174", "≈ 433", "≈ 468"],
            "score": [60.744, 1208.667, 198.79],
            "gi_label": ["Titik panas 99%"] * 3,
            "trend_label": ["Titik panas menetap"] * 3,
        }
    )
    plans = pd.DataFrame(
        {
            "polres": ["Polrestabes Palembang", "Polres OKI"],
            "n_posts": [20, 20],
            "coverage_before": [0.268, 0.196],
            "coverage_after": [0.452, 0.344],
            "status": ["optimal", "time_limit"],
            "gap": [0.0, 0.0123],
        }
    )

    def text(lang):
        result = DemoResult(
            Path("."), {}, {}, ledger(lang), top, pd.DataFrame(), plans, target="ramadhan-1448"
        )
        console = Console(width=160, record=True)
        for table in (
            cli_demo._ledger_table(result, lang),
            cli_demo._top_table(result, lang),
            cli_demo._plans_table(result, lang),
        ):
            console.print(table)
        return console.export_text()

    id_text, en_text = text("id"), text("en")
    assert "24.426" in id_text
    assert "24,426" in en_text
    assert "1.208,7" in id_text  # score: one decimal, grouped
    assert "1,208.7" in en_text
    assert "26,8%" in id_text
    assert "26.8%" in en_text
    assert len(re.findall(r"│ Baris ditolak ", id_text)) == 1  # the geocoder's reason in words
    assert "Alamat cocok dengan beberapa wilayah" in id_text
    assert "Address fits several units" in en_text
    assert "batas waktu (celah 1,2%)" in id_text
    assert "time limit (gap 1.2%)" in en_text
    assert "time_limit" not in id_text + en_text
    assert "menjelang Ramadhan 1448 H" in id_text
    assert "│ Polres OKI " in id_text
    assert id_text.count("Polrestabes Palembang") == 2  # once in the top cells, once in plans
