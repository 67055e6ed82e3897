"""Palembang menjelang Ramadhan: titik rawan per Polsek dan celah cakupan Binmas.

Pertanyaan analis Polrestabes Palembang sebelum Ramadhan berikutnya (bawaan 1448 H,
Februari-Maret 2027): *sel mana yang paling rawan, Polsek mana yang memikul risiko
terbesar, dan di mana risiko tinggi tetapi kegiatan Binmas sedikit (celah cakupan)?*

Langkah:

1. menulis data contoh sintetis (``kg.write_sample``) ke ``OUT/data`` lalu membacanya
   kembali (``kg.read_records``) dan menempatkannya (``kg.geocode``), dengan ringkasan
   buku besar (baris dibaca = diterima + ditolak);
2. skor titik rawan sel H3 Kota Palembang untuk ``--target`` (``kg.score_hotspots``:
   bobot keparahan, peluruhan waktu, kenaikan musiman Ramadhan, Gi*, kelas tren, celah
   cakupan kegiatan);
3. rekap per Polsek dengan ``kg.rollup(level="polsek", polsek_map=...)``. Pustaka punya
   rekap Polsek; tanpa peta Polsek setiap kecamatan menjadi "Polsek <kecamatan>". Di sini
   peta kecamatan → Polsek diambil dari kolom ``polsek`` laporan itu sendiri (Polsek yang
   paling sering tercatat di setiap kecamatan) dan ditulis ke ``polsek_kecamatan.csv``;
   ganti dengan daftar resmi Polrestabes bila ada;
4. daftar ``--top`` sel teratas, dan celah cakupan: sel berisiko tinggi (kelas 4-5) yang
   cakupan kegiatannya di bawah ``--cakupan-maks``;
5. menulis tabel CSV, sel (GeoJSON) dan peta HTML luring (``kg.render_map``).

Cara menjalankan / How to run::

    export KAMTIBMAS_GEO_SOURCE=/path/to/shared/data   # salinan lokal berkas batas wilayah
    python examples/palembang_pra_ramadhan.py --out hasil_palembang
    python examples/palembang_pra_ramadhan.py --out kecil --scale 0.2 --top 5

*English.* A Polrestabes Palembang analyst before the coming Ramadhan (1448 H by
default) asks which cells are the hottest, which Polsek carries the most risk, and where
the risk is high but Binmas activity is thin (the coverage gap). The script writes the
synthetic sample as files and reads them back, geocodes them, scores the H3 cells of
Palembang, rolls them up per Polsek with ``kg.rollup(level="polsek")`` (the library has a
Polsek roll-up; the kecamatan → Polsek mapping is taken from the records' own ``polsek``
column), lists the top cells and the coverage-gap cells, and writes tables, the cells as
GeoJSON and an offline HTML map to ``--out``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

import kamtibmas_geo as kg

KOLOM_PRIBADI = ["nama_pelapor", "no_hp"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Titik rawan Palembang per Polsek menjelang Ramadhan.")
    p.add_argument("--out", type=Path, default=Path("hasil_palembang"), help="folder keluaran")
    p.add_argument("--seed", type=int, default=7, help="benih data contoh")
    p.add_argument("--scale", type=float, default=1.0, help="ukuran data contoh (1 = penuh)")
    p.add_argument("--target", default="ramadhan-1448", help="periode sasaran")
    p.add_argument("--res", type=int, default=9, help="resolusi H3")
    p.add_argument("--top", type=int, default=10, help="jumlah sel teratas")
    p.add_argument(
        "--cakupan-maks",
        type=float,
        default=0.25,
        help="sel rawan dengan cakupan kegiatan (0-1) di bawah ini masuk celah cakupan",
    )
    return p.parse_args(argv)


def polsek_dari_laporan(records: pd.DataFrame) -> pd.DataFrame:
    """Kecamatan → Polsek: the Polsek written most often on the records of each kecamatan."""
    has = records["polsek"].astype("string").str.strip().fillna("").ne("")
    counts = (
        records[has]
        .groupby(["kecamatan_code", "kecamatan_name", "polsek"], observed=True)
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["kecamatan_code", "n", "polsek"], ascending=[True, False, True])
    )
    return counts.drop_duplicates("kecamatan_code")[["kecamatan_code", "kecamatan_name", "polsek"]]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    settings = kg.Settings(res=args.res, seed=args.seed)

    # 1. the files as the Polsek hand them over, read back and placed
    paths = kg.write_sample(out / "data", seed=args.seed, scale=args.scale, formats=("csv",))
    placed = {}
    print("== Buku besar / ledger")
    for kind, key in (("disturbance", "gangguan_csv"), ("activity", "kegiatan_csv")):
        rs = kg.geocode(kg.read_records(paths[key], kind), res=args.res)
        placed[kind] = rs.records
        led = kg.ledger_summary(rs).set_index("code")["count"]
        print(
            f"  {paths[key].name:<14} dibaca {led['rows_in']:>7,}  ditempatkan "
            f"{led['records']:>7,}  ditolak {led['rejected']:>5,}"
        )
    gangguan = placed["disturbance"]
    plg = gangguan[gangguan["kabupaten_code"] == "16.71"]

    # 2. the scores of every cell of Palembang for the target period
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        cells = kg.score_hotspots(
            gangguan,
            activities=placed["activity"],
            target=args.target,
            res=args.res,
            region="palembang",
            settings=settings,
        )
    info = cells.attrs.get("score", {})
    print(
        f"\n== Skor {info.get('target', args.target)}: {len(cells):,} sel, "
        f"{info.get('n_used', 0):,} laporan dipakai (sebelum {info.get('target_start', '?')[:10]})"
    )
    for w in {str(w.message) for w in caught}:
        print(f"  Catatan: {w}")

    # 3. per Polsek, with the mapping read off the records
    pmap = polsek_dari_laporan(plg)
    pmap.to_csv(out / "polsek_kecamatan.csv", index=False)
    per_polsek = kg.rollup(cells, level="polsek", polsek_map=pmap, settings=settings)
    per_polsek = per_polsek.rename(columns={"code": "polsek"}).drop(columns="name")
    polsek_of = dict(zip(pmap["kecamatan_code"], pmap["polsek"], strict=True))
    default = "Polsek " + cells["kecamatan_name"].astype(str)
    cells["polsek"] = cells["kecamatan_code"].map(polsek_of).fillna(default)

    # 4. top cells and the coverage gap: high risk (class 4-5), few Binmas activities
    top = cells.sort_values(["score", "hex_id"], ascending=[False, True]).head(args.top)
    gap = cells[(cells["score_class"] >= 4) & (cells["activity_coverage"] < args.cakupan_maks)]
    gap = gap.sort_values(["coverage_gap", "hex_id"], ascending=[False, True])
    n_gap = gap.groupby("polsek").size()
    per_polsek["sel_celah"] = per_polsek["polsek"].map(n_gap).fillna(0).astype(int)

    label = {"polsek": "Polsek", "n_cells": "sel", "n_incidents": "laporan", "score": "skor",
             "n_hot": "sel Gi* panas", "n_activities": "kegiatan", "coverage_gap": "celah",
             "sel_celah": "sel celah", "incidents_per_km2": "laporan/km²"}  # fmt: skip
    print(f"\n== Per Polsek ({len(per_polsek)} Polsek, urut skor)")
    print(
        per_polsek[list(label)]
        .rename(columns=label)
        .head(12)
        .to_string(index=False, float_format=lambda v: f"{v:,.1f}")
    )
    show = ["hex_id", "desa_name", "polsek", "score", "score_class", "gi_label", "trend_label",
            "n_incidents", "n_activities", "activity_coverage", "coverage_gap"]  # fmt: skip
    names = {"desa_name": "kelurahan", "score": "skor", "score_class": "kelas", "gi_label": "Gi*",
             "n_incidents": "laporan", "n_activities": "kegiatan",
             "activity_coverage": "cakupan", "coverage_gap": "celah"}  # fmt: skip
    print(f"\n== {args.top} sel paling rawan")
    print(
        top[show]
        .drop(columns=["hex_id", "trend_label"])
        .rename(columns=names)
        .to_string(index=False, float_format=lambda v: f"{v:.2f}")
    )
    print(
        f"\n== Celah cakupan: {len(gap)} sel berisiko tinggi (kelas 4-5) dengan cakupan "
        f"kegiatan < {args.cakupan_maks:g} ({args.top} teratas)"
    )
    print(
        gap[show]
        .drop(columns=["hex_id"])
        .rename(columns={**names, "trend_label": "tren"})
        .head(args.top)
        .to_string(index=False, float_format=lambda v: f"{v:.2f}")
    )

    # 5. outputs
    files = {
        "cells": out / "sel_rawan.geojson",
        "polsek": out / "per_polsek.csv",
        "top": out / "sel_teratas.csv",
        "gap": out / "celah_cakupan.csv",
        "map": out / "peta_palembang.html",
    }
    kg.export_cells(cells, files["cells"], settings=settings)
    per_polsek.to_csv(files["polsek"], index=False)
    pd.DataFrame(top[show]).to_csv(files["top"], index=False)
    pd.DataFrame(gap[show]).to_csv(files["gap"], index=False)
    # the map shows the last twelve months of reports and activities
    since = gangguan["time"].max() - pd.Timedelta(days=365)
    recent = plg[plg["time"] >= since].drop(columns=KOLOM_PRIBADI, errors="ignore")
    acts = placed["activity"]
    acts = acts[(acts["kabupaten_code"] == "16.71") & (acts["time"] >= since)]
    kg.render_map(cells, records=recent, activities=acts, out=files["map"], settings=settings)
    print("\nBerkas ditulis:")
    for path in [out / "polsek_kecamatan.csv", *files.values()]:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
