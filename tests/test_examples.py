"""Every script in ``examples/`` runs end to end on a small seeded sample and writes sane outputs.

Each script is run as an analyst would run it (``python examples/x.py --out DIR ...``) in a
subprocess, with the boundary pack of the test session.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest

from kamtibmas_geo.config import Settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run_example(name: str, settings: Settings, cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "KAMTIBMAS_GEO_SOURCE": str(settings.source),
        "KAMTIBMAS_GEO_CACHE": str(settings.cache_dir),
    }
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def assert_offline_map(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    assert "kg-data" in html
    assert not re.search(r"""<(script|img)[^>]*\ssrc\s*=\s*["']https?://""", html)
    assert not re.search(r"""<link[^>]*\shref\s*=\s*["']https?://""", html)


def test_every_example_has_a_test_and_a_bilingual_docstring() -> None:
    scripts = sorted(p.name for p in EXAMPLES.glob("*.py"))
    tested = set(re.findall(r'"(\w+\.py)"', Path(__file__).read_text(encoding="utf-8")))
    assert scripts, "no example scripts"
    assert set(scripts) <= tested
    for name in scripts:
        text = (EXAMPLES / name).read_text(encoding="utf-8")
        doc = text.split('"""')[1]
        assert "Cara menjalankan / How to run" in doc, name
        assert "*English.*" in doc, name
        assert "--out" in doc, name


def test_ops_pekat_kayuagung(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "ops"
    text = run_example(
        "ops_pekat_kayuagung.py",
        settings,
        tmp_path,
        "--out",
        str(out),
        "--scale",
        "0.3",
        "--seed",
        "7",
        "--jenis",
        "petasan",
        "miras",
        "--radius-km",
        "1.5",
    )
    assert "Pasar Kayuagung" in text
    assert "bukan bukti sebab-akibat" in text

    near = pd.read_csv(out / "laporan_sekitar_pasar.csv")
    assert len(near) > 0  # reports around the market
    assert set(near["type"]) <= {"petasan", "miras"}
    assert near["jarak_m"].between(0, 1500).all()
    assert set(near["lokasi_dari"]) <= {"koordinat", "landmark"}
    assert not {"nama_pelapor", "no_hp"} & set(near.columns)
    # the planted market: most reports lie within 500 m, in the market's kelurahan
    assert (near["jarak_m"] <= 500).mean() > 0.5
    per_desa = pd.read_csv(out / "per_desa.csv")
    assert per_desa["desa/kelurahan"].iloc[0] in {"Kutaraja", "Perigi"}
    assert per_desa["jumlah"].sum() == len(near)

    visits = pd.read_csv(out / "kunjungan_ops_pekat.csv")
    assert len(visits) > 0
    assert visits["type_raw"].str.contains("pekat", case=False).all()

    weeks = pd.read_csv(out / "per_minggu.csv")
    assert list(weeks["minggu"]) == [-4, -3, -2, -1, 1, 2, 3, 4]
    assert set(weeks["masa"]) == {"sebelum", "sesudah"}
    assert (weeks[["pasar", "pembanding"]] >= 0).all().all()

    ratios = pd.read_csv(out / "perbandingan.csv")
    assert list(ratios["wilayah"][:2]) == ["pasar", "pembanding"]
    market = ratios.iloc[0]
    assert market["sebelum"] == weeks.loc[weeks["masa"] == "sebelum", "pasar"].sum()
    assert market["sesudah"] == weeks.loc[weeks["masa"] == "sesudah", "pasar"].sum()
    ok = ratios.dropna(subset=["rasio"])
    assert (ok["ci_bawah"] <= ok["rasio"]).all()
    assert (ok["rasio"] <= ok["ci_atas"]).all()
    assert_offline_map(out / "peta_pasar_kayuagung.html")


@pytest.mark.slow  # ~6 s; ~20 s in a fresh cache (builds the res-9 crosswalk)
def test_palembang_pra_ramadhan(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "plg"
    text = run_example(
        "palembang_pra_ramadhan.py",
        settings,
        tmp_path,
        "--out",
        str(out),
        "--scale",
        "0.2",
        "--top",
        "5",
    )
    for words in ("Buku besar", "Per Polsek", "sel paling rawan", "Celah cakupan"):
        assert words in text

    cells = gpd.read_file(out / "sel_rawan.geojson")
    assert cells["hex_id"].is_unique
    assert (cells["kabupaten_code"] == "16.71").all()

    mapping = pd.read_csv(out / "polsek_kecamatan.csv", dtype=str)
    assert len(mapping) == 18  # every kecamatan of Palembang
    assert mapping["polsek"].str.startswith("Polsek ").all()

    polsek = pd.read_csv(out / "per_polsek.csv")
    need = {"polsek", "n_cells", "n_incidents", "score", "n_hot", "coverage_gap", "sel_celah"}
    assert need <= set(polsek.columns)
    assert polsek["n_cells"].sum() == len(cells)
    assert set(polsek["polsek"]) == set(mapping["polsek"])
    assert polsek["score"].is_monotonic_decreasing
    assert polsek["score"].sum() == pytest.approx(cells["score"].sum())

    top = pd.read_csv(out / "sel_teratas.csv")
    assert len(top) == 5
    assert top["score"].is_monotonic_decreasing
    assert top["score"].iloc[0] == pytest.approx(cells["score"].max())

    gap = pd.read_csv(out / "celah_cakupan.csv")
    assert len(gap) > 0
    assert (gap["score_class"] >= 4).all()
    assert (gap["activity_coverage"] < 0.25).all()
    assert polsek["sel_celah"].sum() == len(gap)
    assert_offline_map(out / "peta_palembang.html")


def test_reaktivasi_poskamling(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "pos"
    text = run_example(
        "reaktivasi_poskamling.py",
        settings,
        tmp_path,
        "--out",
        str(out),
        "--scale",
        "0.3",
        "--kecamatan",
        "kayu agung",
        "--aktifkan",
        "2",
        "--baru",
        "3",
    )
    assert "Kecamatan Kayu Agung (16.02.05)" in text

    scen = pd.read_csv(out / "skenario.csv").set_index("skenario")["cakupan_risiko"]
    none, now, react, new, ref = scen.to_numpy()
    assert none == 0
    assert 0 < now <= react <= new <= 1
    assert new > now  # the plan covers more risk than the posts of today
    assert react <= ref + 1e-9  # reactivating some posts never beats reactivating all

    plan = pd.read_csv(out / "rencana_poskamling.csv")
    assert set(plan["rencana"]) <= {
        "tetap aktif",
        "aktifkan kembali",
        "tetap tidak aktif",
        "pos baru",
    }
    reactivated = plan[plan["rencana"] == "aktifkan kembali"]
    assert 0 < len(reactivated) <= 2
    assert (reactivated["status"] == "tidak aktif").all()
    assert (plan.loc[plan["rencana"] == "tetap aktif", "status"] == "aktif").all()
    assert (plan["rencana"] == "pos baru").sum() == 3
    geo = json.loads((out / "rencana_poskamling.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == len(plan)
    assert len(pd.read_csv(out / "sel_belum_tercakup.csv")) > 0
    assert_offline_map(out / "peta_poskamling.html")


def test_wilayah_sendiri(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "own"
    text = run_example(
        "wilayah_sendiri.py",
        settings,
        tmp_path,
        "--out",
        str(out),
        "--scale",
        "0.3",
        "--seed",
        "1",
        "--pos",
        "2",
    )
    assert "out_of_area" in text  # the library geocoder knows OKI and Palembang only

    desa = gpd.read_file(out / "data" / "batas_wilayah.gpkg", layer="desa")
    assert len(desa) == 20
    assert desa["code"].str.startswith("99.01.").all()
    assert desa.geometry.is_valid.all()

    # the cells' unit columns come from the own boundaries (kg.score_hotspots(boundaries=))
    cells = gpd.read_file(out / "sel_rawan.geojson")
    assert cells["desa_code"].notna().all()
    assert cells["desa_code"].isin(desa["code"]).all()
    own = desa.set_index("code")
    for col in ("desa_name", "kecamatan_code", "kecamatan_name", "kabupaten_code"):
        src = "name" if col == "desa_name" else col
        assert (cells[col] == own.loc[cells["desa_code"], src].to_numpy()).all(), col
    assert set(cells["kecamatan_name"]) == {"Contoh Barat", "Contoh Timur"}
    assert (cells["kabupaten_name"] == "Kota Contoh").all()
    # a cell belongs to the desa holding its centre (border cells: their largest desa)
    latlng = [h3.cell_to_latlng(c) for c in cells["hex_id"]]
    centres = gpd.GeoDataFrame(
        {"cell_desa": cells["desa_code"]},
        geometry=gpd.points_from_xy([p[1] for p in latlng], [p[0] for p in latlng]),
        crs=4326,
    )
    hit = gpd.sjoin(centres, desa[["code", "geometry"]], predicate="within")
    assert len(hit) > 0.8 * len(cells)
    assert (hit["code"] == hit["cell_desa"]).all()
    assert cells["score"].max() > 0

    # roll-ups to the own desa and kecamatan (kg.rollup(boundaries=)): nothing dropped
    per_desa = pd.read_csv(out / "per_desa.csv", dtype={"kode": str})
    assert per_desa["kode"].isin(desa["code"]).all()
    assert per_desa["sel"].sum() == len(cells)
    records = pd.read_csv(out / "data" / "gangguan.csv")
    placed = records["lintang"].notna().sum()
    assert per_desa["laporan"].sum() == pytest.approx(placed)
    area = own.loc[per_desa["kode"], "area_km2"].to_numpy()  # written in UTM 48S
    np.testing.assert_allclose(per_desa["area_km2"], area, rtol=2e-3)
    per_kec = pd.read_csv(out / "per_kecamatan.csv", dtype={"kode": str})
    assert set(per_kec["kode"]) == {"99.01.01", "99.01.02"}
    assert per_kec["sel"].sum() == len(cells)
    assert per_kec["laporan"].sum() == pytest.approx(placed)
    kec = gpd.read_file(out / "data" / "batas_wilayah.gpkg", layer="kecamatan").set_index("code")
    kec_area = kec.loc[per_kec["kode"], "area_km2"].to_numpy()
    np.testing.assert_allclose(per_kec["area_km2"], kec_area, rtol=2e-3)

    bt = pd.read_csv(out / "uji_balik.csv")
    assert {"period", "model", "hit_rate", "pai"} <= set(bt.columns)
    assert bt["hit_rate"].between(0, 1).all()

    posts = gpd.read_file(out / "usulan_poskamling.geojson")
    assert len(posts) == 2
    assert posts["desa_code"].isin(desa["code"]).all()
    patrol = pd.read_csv(out / "patroli.csv")
    assert set(patrol["kecamatan"]) <= {"Contoh Barat", "Contoh Timur"}

    support = pd.read_csv(out / "dukungan_batas_sendiri.csv").set_index("tahap")
    assert support.loc["kg.geocode", "batas_sendiri"] == "tidak"
    for stage in ("kg.assign_units", "kg.score_hotspots", "kg.rollup", "kg.backtest"):
        assert support.loc[stage, "batas_sendiri"].startswith("ya"), stage
    assert_offline_map(out / "peta_wilayah_sendiri.html")


def test_early_warning_polsek(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "dini"
    text = run_example(
        "early_warning_polsek.py", settings, tmp_path, "--out", str(out), "--scale", "0.3"
    )
    assert "informasi_dini.csv" in text
    assert "Informasi dini terbuka di Kota Palembang per 18/02/2026" in text
    opened = pd.read_csv(out / "informasi_dini_terbuka.csv")
    assert len(opened) >= 1
    assert set(opened["pelapor"]) <= {"RT", "RW", "Pokdar Kamtibmas", "Ormas", "Warga",
                                      "Bhabinkamtibmas", "Lainnya"}  # fmt: skip
    patrol = pd.read_csv(out / "patroli.csv")
    stops = patrol[patrol["warning"]]
    assert len(stops) >= 1
    assert stops["reason"].str.startswith("informasi dini: ").all()
    assert_offline_map(out / "peta_informasi_dini.html")
    # the reporters' names and phone numbers stay in the sample file, never in an output
    sample = pd.read_csv(out / "data" / "informasi_dini.csv", sep=";", dtype=str)
    secrets = {s for s in sample["Nama Pelapor"].dropna()} | set(sample["No. HP"].dropna())
    assert len(secrets) > 100
    for path in out.glob("*.*"):
        body = path.read_text(encoding="utf-8")
        assert not [s for s in secrets if s in body], path.name
