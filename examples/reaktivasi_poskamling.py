"""Reaktivasi Poskamling di satu kecamatan: pos mana yang dihidupkan lagi, di mana pos baru?

Pertanyaan Kapolsek dan Bhabinkamtibmas: *dengan pos ronda yang ada (sebagian tidak aktif),
pos mana yang paling berguna bila diaktifkan kembali, dan di mana sebaiknya pos baru
dibangun, agar risiko gangguan yang tercakup dalam radius jalan kaki sebesar mungkin?*

Langkah, untuk satu kecamatan (``--kecamatan``, nama atau kode; bawaan Kayuagung):

1. menulis data contoh sintetis (``kg.write_sample``) ke ``OUT/data`` lalu membacanya
   kembali: laporan dan kegiatan dengan ``kg.read_records`` + ``kg.geocode``, daftar
   Poskamling (``poskamling.csv``: nama, lintang, bujur, status aktif/tidak aktif);
2. skor titik rawan sel H3 kecamatan itu (``kg.region_cells(unit=...)`` +
   ``kg.score_hotspots``) untuk ``--target``;
3. memilih dengan perencana Poskamling (``kg.plan_poskamling``, model *maximal covering*,
   diselesaikan tepat dengan HiGHS) **dalam dua tahap**: dulu ``--aktifkan`` pos tidak
   aktif yang paling menambah cakupan (kandidat = pos tidak aktif, pos aktif tetap
   dihitung), lalu ``--baru`` pos baru di pusat sel (pos aktif + yang diaktifkan kembali
   tetap dihitung, jarak antarpos minimal ``--jarak-min`` m);
4. mencetak rencana dan cakupan risiko setiap skenario, lalu menulis CSV, GeoJSON, dan peta
   HTML luring (``kg.render_map``) ke ``OUT``.

Catatan: ``existing=`` hanya menghitung pos berstatus aktif bila ada kolom ``status``;
``candidates=`` membaca semua baris, sehingga pos tidak aktif dapat menjadi kandidat.

Cara menjalankan / How to run::

    export KAMTIBMAS_GEO_SOURCE=/path/to/shared/data   # salinan lokal berkas batas wilayah
    python examples/reaktivasi_poskamling.py --out hasil_poskamling
    python examples/reaktivasi_poskamling.py --kecamatan "Ilir Timur Dua" --aktifkan 2 --baru 4

*English.* For one kecamatan, which inactive Poskamling should be reactivated first, and
where should new posts go, to cover the most risk within walking distance? The script
writes the synthetic sample as files and reads them back, scores the kecamatan's H3 cells,
and runs the library's maximal-covering planner twice: first with the inactive posts as
the only candidates (active posts kept as existing), then for new posts at cell centres
(active and reactivated posts kept, with a minimum spacing). It prints the plan and the
risk covered by each scenario, and writes CSV, GeoJSON and an offline HTML map to ``--out``.
Note that ``existing=`` counts only active posts when a ``status`` column is present, while
``candidates=`` reads every row, so the inactive posts can be the candidates.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd

import kamtibmas_geo as kg


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Rencana reaktivasi dan pos baru Poskamling.")
    p.add_argument("--out", type=Path, default=Path("hasil_poskamling"), help="folder keluaran")
    p.add_argument("--seed", type=int, default=7, help="benih data contoh")
    p.add_argument("--scale", type=float, default=1.0, help="ukuran data contoh (1 = penuh)")
    p.add_argument("--kecamatan", default="Kayuagung", help="nama atau kode kecamatan")
    p.add_argument("--target", default="ramadhan-1448", help="periode sasaran")
    p.add_argument("--aktifkan", type=int, default=3, help="pos tidak aktif yang diaktifkan")
    p.add_argument("--baru", type=int, default=3, help="pos baru")
    p.add_argument("--radius", type=float, default=500.0, help="radius cakupan pos (m)")
    p.add_argument("--jarak-min", type=float, default=500.0, help="jarak minimal antarpos (m)")
    return p.parse_args(argv)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def cari_kecamatan(nama: str) -> pd.Series:
    """The kecamatan row whose code or name (spaces and hyphens ignored) is ``nama``."""
    kec = kg.load_boundaries("kecamatan")
    hit = kec[(kec["code"] == nama.strip()) | (kec["name"].map(_key) == _key(nama))]
    if hit.empty:
        msg = f"Kecamatan {nama!r} tidak ditemukan; contoh: {', '.join(kec['name'][:5])}."
        raise SystemExit(msg)
    return hit.iloc[0]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    kec = cari_kecamatan(args.kecamatan)
    code, name = str(kec["code"]), str(kec["name"])

    # 1. the files, read back
    paths = kg.write_sample(out / "data", seed=args.seed, scale=args.scale, formats=("csv",))
    gangguan = kg.geocode(kg.read_records(paths["gangguan_csv"], "disturbance")).records
    kegiatan = kg.geocode(kg.read_records(paths["kegiatan_csv"], "activity")).records
    pos = pd.read_csv(paths["poskamling_csv"], sep=None, engine="python", dtype=str)
    pos_gdf = gpd.GeoDataFrame(
        pos,
        geometry=gpd.points_from_xy(
            pd.to_numeric(pos["bujur"].str.replace(",", "."), errors="coerce"),
            pd.to_numeric(pos["lintang"].str.replace(",", "."), errors="coerce"),
        ),
        crs=4326,
    )
    # which posts stand in this kecamatan: by their point, not by the text column
    pos_gdf = kg.assign_units(pos_gdf)
    mine = pos_gdf[pos_gdf["kecamatan_code"] == code].copy()
    # names repeat ("Pos Ronda Kutaraja"): the row number of the file keeps them apart
    mine["nama"] = mine["nama"] + " (no. " + mine["no"].astype(str) + ")"
    active = mine["status"].str.strip().str.lower().eq("aktif")
    aktif, tidak = mine[active], mine[~active]
    print(f"== Kecamatan {name} ({code}): {len(aktif)} Poskamling aktif, {len(tidak)} tidak aktif")

    # 2. scores of the kecamatan's cells
    cell_ids = kg.region_cells(unit=code, res=9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # provisional Ramadhan date of 1448 H
        cells = kg.score_hotspots(gangguan, activities=kegiatan, target=args.target, cells=cell_ids)
    total = float(cells["score"].clip(lower=0).sum())
    print(f"   {len(cells):,} sel H3 (res 9), skor risiko total {total:,.1f}")
    if total <= 0:
        print("   Tidak ada risiko tercatat di kecamatan ini; tidak ada yang perlu dicakup.")
        return 1

    # 3a. which inactive posts to reactivate (candidates: the inactive posts themselves)
    radius = args.radius
    cand = tidak[["nama", "lintang", "bujur", "status"]]  # candidates keep inactive rows
    k = min(args.aktifkan, len(cand))
    opts = {"radius": radius, "existing": aktif if len(aktif) else None}
    if k > 0:
        plan_r = kg.plan_poskamling(cells, p=k, candidates=cand, **opts)
        chosen = plan_r.posts
    else:
        plan_r = kg.plan_poskamling(cells, p=0, **opts)
        chosen = plan_r.posts.iloc[0:0]
    before, after_r = plan_r.coverage_before, plan_r.coverage_after
    print(f"\n== Tahap 1: aktifkan kembali {len(chosen)} dari {len(tidak)} pos tidak aktif")
    if len(chosen):
        t1 = pd.DataFrame(
            {
                "urutan": chosen["rank"],
                "pos": chosen["nama"],
                "desa/kelurahan": chosen["desa_name"],
                "tambahan cakupan": (chosen["marginal_gain"] / total).map(lambda v: f"{v:.1%}"),
            }
        )
        print(t1.to_string(index=False))
    if len(chosen) < k:
        print(f"   ({k - len(chosen)} pos lain tidak menambah cakupan: tidak diusulkan)")

    # 3b. new posts, keeping the active and the reactivated ones
    reactivated = tidak[tidak["nama"].isin(chosen["nama"])]
    kept = pd.concat([aktif, reactivated])[["nama", "lintang", "bujur"]]
    plan_n = kg.plan_poskamling(
        cells,
        p=args.baru,
        radius=radius,
        existing=kept if len(kept) else None,
        options=kg.PoskamlingOptions(min_spacing=args.jarak_min),
    )
    baru = plan_n.posts
    print(f"\n== Tahap 2: {len(baru)} pos baru (status solver: {plan_n.status})")
    if len(baru):
        t2 = pd.DataFrame(
            {
                "urutan": baru["rank"],
                "desa/kelurahan": baru["desa_name"],
                "lintang": baru["lat"].round(5),
                "bujur": baru["lon"].round(5),
                "tambahan cakupan": (baru["marginal_gain"] / total).map(lambda v: f"{v:.1%}"),
            }
        )
        print(t2.to_string(index=False))

    # reference: every inactive post reactivated, no new post
    semua = pd.concat([aktif, tidak])[["nama", "lintang", "bujur"]]
    ref = kg.plan_poskamling(cells, p=0, radius=radius, existing=semua if len(semua) else None)
    skenario = pd.DataFrame(
        [
            ("tanpa pos", 0, 0.0),
            ("pos aktif sekarang", len(aktif), before),
            (f"+ aktifkan kembali {len(chosen)} pos", len(kept), after_r),
            (f"+ {len(baru)} pos baru", len(kept) + len(baru), plan_n.coverage_after),
            ("pembanding: semua pos lama aktif", len(semua), ref.coverage_before),
        ],
        columns=["skenario", "jumlah_pos", "cakupan_risiko"],
    )
    print(f"\n== Cakupan risiko dalam {radius:g} m (bagian dari skor total kecamatan)")
    print(
        skenario.to_string(
            index=False, formatters={"cakupan_risiko": lambda v: f"{v:.1%}".rjust(8)}
        )
    )

    # 4. outputs: one table of every post with its place in the plan
    rencana = pd.concat(
        [
            aktif.assign(rencana="tetap aktif"),
            reactivated.assign(rencana="aktifkan kembali"),
            tidak[~tidak["nama"].isin(chosen["nama"])].assign(rencana="tetap tidak aktif"),
            pd.DataFrame(
                {
                    "nama": [f"Usulan pos baru {r}" for r in baru["rank"]],
                    "lintang": baru["lat"].round(6),
                    "bujur": baru["lon"].round(6),
                    "status": "usulan",
                    "desa_name": baru["desa_name"],
                    "rencana": "pos baru",
                    "geometry": baru.geometry,
                }
            ),
        ],
        ignore_index=True,
    )
    rencana = gpd.GeoDataFrame(rencana, geometry="geometry", crs=4326)
    rencana["radius_m"] = radius
    cols = ["nama", "rencana", "status", "desa_name", "lintang", "bujur", "radius_m", "geometry"]
    rencana = rencana[cols]
    files = {
        "csv": out / "rencana_poskamling.csv",
        "geojson": out / "rencana_poskamling.geojson",
        "skenario": out / "skenario.csv",
        "uncovered": out / "sel_belum_tercakup.csv",
        "map": out / "peta_poskamling.html",
    }
    kg.sanitize_for_export(pd.DataFrame(rencana.drop(columns="geometry"))).to_csv(
        files["csv"], index=False
    )
    rencana.to_file(files["geojson"], driver="GeoJSON")
    skenario.to_csv(files["skenario"], index=False)
    unc = pd.DataFrame(plan_n.uncovered.drop(columns="geometry", errors="ignore"))
    unc[["hex_id", "desa_name", "score", "weight"]].head(50).to_csv(files["uncovered"], index=False)
    # the map: posts that will be active (with their circles) and the proposed new ones
    shown = rencana[rencana["rencana"].isin(["tetap aktif", "aktifkan kembali"])]
    shown = shown.assign(status=shown["rencana"].replace({"tetap aktif": "aktif"}))
    kg.render_map(
        cells,
        posts=shown,
        proposed=rencana[rencana["rencana"] == "pos baru"],
        out=files["map"],
    )
    print("\nBerkas ditulis:")
    for path in files.values():
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
