"""Ops Pekat di Pasar Kayuagung: di mana laporan petasan, dan apa yang berubah sesudahnya?

Pertanyaan analis Polres OKI: *di mana saja laporan petasan (dan gangguan "pekat" lain)
di sekitar Pasar Kayuagung, dan apakah jumlahnya berubah sesudah kunjungan Ops Pekat
menjelang Ramadhan?*

Skrip ini bekerja seperti analis dengan berkasnya sendiri:

1. menulis data contoh sintetis (``kg.write_sample``) ke ``OUT/data`` dan membacanya
   kembali dengan ``kg.read_records``, seperti berkas yang diserahkan Polsek;
2. mencatat titik pasar sebagai *landmark* (``landmark.csv``), lalu menempatkan alamat
   "Pasar Kayuagung, Kayuagung, OKI" dan semua laporan dengan ``kg.geocode`` (alamat yang
   menyebut pasar jatuh di titik pasar, bukan di titik tengah kelurahan);
3. memilih laporan berjenis ``--jenis`` dalam ``--radius-km`` dari pasar, per
   desa/kelurahan dan per jarak;
4. mencari kegiatan Ops Pekat (jenis ``operasi`` yang tertulis "Pekat") di pasar pada
   masa pra-Ramadhan tahun ``--ramadhan`` (tanggal dari ``kg.phases``), lalu
   membandingkan ``--minggu`` minggu sebelum kunjungan pertama dengan ``--minggu`` minggu
   sesudah kunjungan terakhir, per minggu, dengan rasio laju dan selang kepercayaan 95 %
   eksak (Poisson bersyarat / binomial), serta wilayah pembanding (OKI di luar radius);
5. menulis tabel CSV dan peta HTML luring (``kg.render_map``) ke ``OUT``.

**Perbandingan sebelum/sesudah bukan bukti sebab-akibat**: petasan selalu naik saat
Ramadhan, dan operasi justru digelar di tempat dan waktu yang diperkirakan rawan. Rasio
terhadap wilayah pembanding mengurangi pengaruh musim, tetapi tetap bukan uji acak.

Cara menjalankan / How to run::

    export KAMTIBMAS_GEO_SOURCE=/path/to/shared/data   # salinan lokal berkas batas wilayah
    python examples/ops_pekat_kayuagung.py --out hasil_ops_pekat
    python examples/ops_pekat_kayuagung.py --out kecil --scale 0.3 --jenis petasan miras judi

*English.* The question of a Polres OKI analyst: where are the firecracker (petasan) and
other "pekat" reports around Pasar Kayuagung, and did their number change after the
Ops Pekat visits to the market before Ramadhan? The script writes the synthetic sample
as files and reads them back, registers the market as a landmark, geocodes everything,
selects the reports within ``--radius-km`` of the market, finds the Ops Pekat visits of
the pre-Ramadhan phase, and compares ``--minggu`` weeks before the first visit with as many
weeks after the last one: weekly counts, a rate ratio with an exact 95 % interval, and the
same ratio in a comparison area (the rest of OKI) with their ratio. A before/after
comparison is not causal: petasan rise every Ramadhan and operations go where trouble is
expected. Outputs (CSV tables, an offline HTML map) go to ``--out``.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.stats import binomtest
from scipy.stats.contingency import odds_ratio

import kamtibmas_geo as kg

#: Where the market stands (read off a public map, about 100 m): the analyst's landmark.
PASAR = {"nama": "Pasar Kayuagung", "lintang": -3.3890, "bujur": 104.8410}
ALAMAT_PASAR = "Pasar Kayuagung, Kayuagung, OKI"
UTM = "EPSG:32748"  # metres, UTM zone 48S (South Sumatra)
KOLOM_PRIBADI = ["nama_pelapor", "no_hp"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Laporan petasan di sekitar Pasar Kayuagung sebelum/sesudah Ops Pekat.",
    )
    p.add_argument("--out", type=Path, default=Path("hasil_ops_pekat"), help="folder keluaran")
    p.add_argument("--seed", type=int, default=7, help="benih data contoh")
    p.add_argument("--scale", type=float, default=1.0, help="ukuran data contoh (1 = penuh)")
    p.add_argument(
        "--jenis",
        nargs="+",
        default=["petasan"],
        help="jenis gangguan (kunci taksonomi), mis. petasan miras judi",
    )
    p.add_argument("--radius-km", type=float, default=1.5, help="radius sekitar pasar (km)")
    p.add_argument("--ramadhan", type=int, default=1447, help="tahun Hijriah operasi")
    p.add_argument("--minggu", type=int, default=4, help="minggu sebelum dan sesudah")
    return p.parse_args(argv)


def jarak_m(points: gpd.GeoDataFrame, lon: float, lat: float) -> np.ndarray:
    """Distance in metres from each point to (lon, lat), in UTM 48S."""
    centre = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).to_crs(UTM).iloc[0]
    return np.asarray(points.geometry.to_crs(UTM).distance(centre), dtype=float)


def rasio_laju(sesudah: int, sebelum: int) -> tuple[float, float, float]:
    """Rate ratio after/before over equal times, with an exact 95 % interval.

    Given the total n = a + b, a is binomial(n, RR / (1 + RR)): the Clopper-Pearson
    interval of that proportion gives the interval of RR.
    """
    n = sesudah + sebelum
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    ci = binomtest(sesudah, n).proportion_ci(confidence_level=0.95, method="exact")

    def odds(q: float) -> float:
        return float("inf") if q >= 1 else q / (1 - q)

    rr = float("inf") if sebelum == 0 else sesudah / sebelum
    return rr, odds(ci.low), odds(ci.high)


def sel_peta(titik: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """H3 cells (res 10) with their report count and a 1-5 class for the map."""
    if titik.empty:
        return kg.cells_to_gdf([]).assign(n_incidents=0, score=0.0, score_class=1)
    counts = titik["hex_map"].value_counts()
    cells = kg.cells_to_gdf(counts.index)
    cells["n_incidents"] = counts.reindex(cells["hex_id"]).to_numpy()
    cells["score"] = cells["n_incidents"].astype(float)
    top = max(int(cells["n_incidents"].max()), 1)
    cells["score_class"] = np.clip(np.ceil(5 * cells["n_incidents"] / top), 1, 5).astype(int)
    return cells


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out
    data_dir = out / "data"
    out.mkdir(parents=True, exist_ok=True)
    # the types as the analyst writes them ("mercon", "Perjudian"), mapped to taxonomy keys
    taxonomy = kg.load_taxonomy()
    jenis = list(dict.fromkeys(taxonomy.classify(j)[0] for j in args.jenis))
    if "lainnya" in jenis and not any(j.strip().lower() == "lainnya" for j in args.jenis):
        known = ", ".join(taxonomy.keys("disturbance"))
        print(f"Jenis {args.jenis} tidak semuanya dikenali; pakai salah satu dari: {known}.")
        return 2
    radius = args.radius_km * 1000.0

    # 1. the files as a Polres hands them over, and the analyst's landmark
    paths = kg.write_sample(data_dir, seed=args.seed, scale=args.scale, formats=("csv",))
    landmark_csv = data_dir / "landmark.csv"
    pd.DataFrame([{**PASAR, "jenis": "pasar", "alias": "Pasar Kayu Agung"}]).to_csv(
        landmark_csv, index=False
    )
    gaz = kg.build_gazetteer(landmarks=landmark_csv)

    # 2. where is the market? the address, geocoded with and without the landmark
    alamat = pd.DataFrame({"address": [ALAMAT_PASAR]})
    tanpa = kg.geocode(alamat).records
    pasar = kg.geocode(alamat, gazetteer=gaz).records
    if pasar.empty:
        print(f"Alamat {ALAMAT_PASAR!r} tidak dapat ditempatkan; periksa landmark.csv.")
        return 1
    lon0, lat0 = float(pasar["lon"].iloc[0]), float(pasar["lat"].iloc[0])
    print(f"== Pasar Kayuagung: {lat0:.5f}, {lon0:.5f} (kel. {pasar['desa_name'].iloc[0]})")
    if not tanpa.empty:
        d0 = jarak_m(tanpa, lon0, lat0)[0]
        print(
            f"   tanpa landmark alamat itu jatuh di titik tengah {tanpa['region_name'].iloc[0]} "
            f"({tanpa['region_level'].iloc[0].replace('desa', 'desa/kelurahan')}), "
            f"{d0:,.0f} m dari pasar"
        )

    gangguan = kg.geocode(kg.read_records(paths["gangguan_csv"], "disturbance"), gazetteer=gaz)
    kegiatan = kg.geocode(kg.read_records(paths["kegiatan_csv"], "activity"), gazetteer=gaz)
    print(
        f"   laporan gangguan ditempatkan: {len(gangguan.records):,} "
        f"(ditolak {len(gangguan.rejected):,}); kegiatan: {len(kegiatan.records):,}"
    )

    # 3. reports of the chosen types near the market
    rec = gangguan.records
    rec = rec[rec["type"].isin(jenis)].copy()
    rec["jarak_m"] = jarak_m(rec, lon0, lat0)
    # a precise place: own coordinates, or an address naming the market (the landmark);
    # address-only rows placed at a desa's inside point are too vague for a 1-2 km circle
    at_market = rec["jarak_m"] < 1.0
    rec["lokasi_dari"] = np.where(
        rec["geocode_status"].eq("coordinates"),
        "koordinat",
        np.where(at_market, "landmark", "titik desa"),
    )
    near_all = rec[rec["jarak_m"] <= radius]
    vague = int((near_all["lokasi_dari"] == "titik desa").sum())
    near = near_all[near_all["lokasi_dari"] != "titik desa"].copy()
    oki = rec[(rec["kabupaten_code"] == "16.02") & (rec["lokasi_dari"] != "titik desa")]
    far = oki[oki["jarak_m"] > radius]
    print(
        f"\n== Laporan {', '.join(jenis)} dalam {args.radius_km:g} km dari pasar "
        f"(seluruh periode): {len(near):,}"
    )
    if vague:
        print(f"   ({vague} laporan lain hanya berupa alamat desa: tidak dihitung)")
    edges = [e for e in (0.0, 250.0, 500.0, 1000.0) if e < radius] + [radius]
    pita = pd.cut(
        near["jarak_m"],
        bins=edges,
        include_lowest=True,
        labels=[f"{a:.0f}-{b:.0f} m" for a, b in itertools.pairwise(edges)],
    )
    per_jarak = near.groupby(pita, observed=False).size().rename("laporan")
    print(per_jarak.to_string())
    per_desa = (
        near.groupby(["desa_name", "type"]).size().unstack(fill_value=0).reindex(columns=jenis)
    )
    per_desa = per_desa.fillna(0).astype(int)
    per_desa["jumlah"] = per_desa.sum(axis=1)
    per_desa = per_desa.sort_values("jumlah", ascending=False)
    per_desa.index.name = "desa/kelurahan"
    print("\nPer desa/kelurahan:")
    print(per_desa.head(10).to_string())

    # 4. the Ops Pekat visits at the market in the pre-Ramadhan phase
    ph = kg.phases(kg.ramadhan_dates(args.ramadhan)).set_index("phase")
    w_start, w_end = ph.loc["pra_ramadhan", "start"], ph.loc["ramadhan", "start"]
    act = kegiatan.records
    pekat = act[
        act["type"].eq("operasi") & act["type_raw"].str.contains("pekat", case=False, na=False)
    ].copy()
    pekat["jarak_m"] = jarak_m(pekat, lon0, lat0)
    visits = pekat[(pekat["jarak_m"] <= 500) & pekat["time"].between(w_start, w_end)]
    visits = visits.sort_values("time")
    w_last = w_end - pd.Timedelta(days=1)
    print(
        f"\n== Ops Pekat di pasar, pra-Ramadhan {args.ramadhan} H "
        f"({w_start:%d-%m-%Y} s.d. {w_last:%d-%m-%Y}): {len(visits)} kunjungan"
    )
    if visits.empty:
        print("   Tidak ada kunjungan Ops Pekat pada masa itu; coba --ramadhan atau --scale lain.")
        return 1
    print("   " + ", ".join(f"{t:%d-%m-%Y}" for t in visits["time"]))
    first = visits["time"].iloc[0].normalize()
    last = visits["time"].iloc[-1].normalize() + pd.Timedelta(days=1)
    weeks = args.minggu
    before_start = first - pd.Timedelta(weeks=weeks)
    after_end = last + pd.Timedelta(weeks=weeks)
    data_end = gangguan.records["time"].max()
    if after_end > data_end:
        print(f"   Catatan: data berakhir {data_end:%d-%m-%Y}; minggu sesudah tidak lengkap.")
    for name, lo, hi in (("sebelum", before_start, first), ("sesudah", last, after_end)):
        new_year = pd.Timestamp(year=hi.year, month=1, day=1, tz=hi.tz)
        if lo < new_year <= hi:  # the night of 31 December lies in [lo, hi)
            print(f"   Catatan: masa {name} memuat malam tahun baru (petasan selalu melonjak).")

    def per_week(frame: pd.DataFrame) -> pd.Series:
        t = frame["time"]
        b = np.floor((t - first) / pd.Timedelta(weeks=1)).where(t < first)
        a = np.floor((t - last) / pd.Timedelta(weeks=1)).where(t >= last) + 1
        k = b.fillna(a)
        k = k[(k >= -weeks) & (k <= weeks) & (k != 0)]
        return (
            k.astype(int)
            .value_counts()
            .reindex([*range(-weeks, 0), *range(1, weeks + 1)], fill_value=0)
        )

    minggu = pd.DataFrame({"pasar": per_week(near), "pembanding": per_week(far)})
    minggu.index.name = "minggu"
    minggu.insert(
        0,
        "mulai",
        [
            (first + pd.Timedelta(weeks=k)) if k < 0 else (last + pd.Timedelta(weeks=k - 1))
            for k in minggu.index
        ],
    )
    minggu.insert(0, "masa", np.where(minggu.index < 0, "sebelum", "sesudah"))
    minggu["mulai"] = [f"{t:%d-%m-%Y}" for t in minggu["mulai"]]
    print(f"\nLaporan per minggu (pasar = dalam {args.radius_km:g} km; pembanding = OKI lainnya):")
    print(minggu.to_string())

    rows = []
    for area, frame in (("pasar", near), ("pembanding", far)):
        t = frame["time"]
        n_b = int(((t >= before_start) & (t < first)).sum())
        n_a = int(((t >= last) & (t < after_end)).sum())
        rr, lo, hi = rasio_laju(n_a, n_b)
        rows.append(
            {
                "wilayah": area,
                "sebelum": n_b,
                "sesudah": n_a,
                "rasio": rr,
                "ci_bawah": lo,
                "ci_atas": hi,
            }
        )
    banding = pd.DataFrame(rows).astype({"sebelum": "Int64", "sesudah": "Int64"})
    tabel = np.array(
        [[rows[0]["sesudah"], rows[0]["sebelum"]], [rows[1]["sesudah"], rows[1]["sebelum"]]]
    )
    if tabel.sum(axis=1).min() > 0 and tabel.sum(axis=0).min() > 0:
        res = odds_ratio(tabel, kind="conditional")
        ci = res.confidence_interval(confidence_level=0.95)
        banding.loc[len(banding)] = {
            "wilayah": "pasar ÷ pembanding",
            "sebelum": pd.NA,
            "sesudah": pd.NA,
            "rasio": float(res.statistic),
            "ci_bawah": float(ci.low),
            "ci_atas": float(ci.high),
        }
    print(f"\nRasio laju sesudah/sebelum ({weeks} minggu masing-masing), SK 95 % eksak:")
    shown_ratio = banding.astype({"sebelum": object, "sesudah": object})
    shown_ratio[["sebelum", "sesudah"]] = shown_ratio[["sebelum", "sesudah"]].map(
        lambda v: "-" if pd.isna(v) else str(v)
    )
    print(shown_ratio.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(
        "\nPERHATIAN: ini perbandingan sebelum/sesudah, bukan bukti sebab-akibat. Petasan\n"
        "naik setiap Ramadhan, dan Ops Pekat digelar di tempat dan waktu yang memang rawan.\n"
        "Baris 'pasar ÷ pembanding' membandingkan perubahan di pasar dengan perubahan di\n"
        "wilayah lain pada minggu yang sama; selang yang memuat 1 berarti tidak ada bukti\n"
        "perbedaan."
    )

    # 5. outputs
    keep = [
        "record_id",
        "row",
        "type",
        "type_raw",
        "time",
        "lat",
        "lon",
        "address",
        "desa_name",
        "kecamatan_name",
        "geocode_status",
        "lokasi_dari",
        "jarak_m",
    ]
    near_out = pd.DataFrame(near[keep]).sort_values("time")
    near_out["jarak_m"] = near_out["jarak_m"].round(0)
    files = {
        "laporan": out / "laporan_sekitar_pasar.csv",
        "desa": out / "per_desa.csv",
        "kunjungan": out / "kunjungan_ops_pekat.csv",
        "minggu": out / "per_minggu.csv",
        "banding": out / "perbandingan.csv",
        "peta": out / "peta_pasar_kayuagung.html",
    }
    kg.sanitize_for_export(near_out).to_csv(files["laporan"], index=False)
    per_desa.reset_index().to_csv(files["desa"], index=False)
    v_out = pd.DataFrame(visits[["record_id", "time", "type_raw", "address", "lat", "lon"]])
    kg.sanitize_for_export(v_out).to_csv(files["kunjungan"], index=False)
    minggu.reset_index().to_csv(files["minggu"], index=False)
    banding.to_csv(files["banding"], index=False)

    # the map: reports before/after as two switchable layers of small (res 10) cells
    shown = near.drop(columns=[c for c in KOLOM_PRIBADI if c in near.columns])
    shown = shown.assign(hex_map=kg.points_to_cells(shown["lat"], shown["lon"], 10))
    t = shown["time"]
    layers = {
        "Seluruh periode": sel_peta(shown),
        f"{weeks} minggu sebelum Ops Pekat": sel_peta(shown[(t >= before_start) & (t < first)]),
        f"{weeks} minggu sesudah Ops Pekat": sel_peta(shown[(t >= last) & (t < after_end)]),
    }
    kg.render_map(
        layers,
        records=shown.drop(columns="hex_map"),
        activities=visits,  # the Ops Pekat visits mark the market
        out=files["peta"],
    )
    print("\nBerkas ditulis:")
    for path in files.values():
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
