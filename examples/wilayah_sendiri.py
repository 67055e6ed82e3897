"""Batas wilayah dan data sendiri dari daerah lain: alur penuh di luar OKI dan Palembang.

Pertanyaan analis Polres lain: *bisakah pustaka ini dipakai untuk wilayah saya, dengan
batas desa/kelurahan dan laporan saya sendiri?* Ya: setiap tahap sesudah pembacaan menerima
poligon desa sendiri (``boundaries=``), kecuali ``kg.geocode`` yang hanya mengenal gazetir
OKI/Palembang; laporan berkoordinat ditempatkan dengan ``kg.assign_units(boundaries=...)``.
Skrip ini menjalankan alur penuh dan mencetak tabel dukungan per tahap.

Wilayahnya **rekaan**: "Kota Contoh" (kode 99.01), 20 desa/kelurahan dalam dua kecamatan,
dibuat sebagai grid poligon yang sedikit digeser (tidak diambil dari berkas batas mana
pun), di zona UTM 48S. Laporannya juga sintetis, dibuat skrip ini: sebuah pasar yang selalu
rawan, jalan utama, lapangan yang baru ramai balap liar setahun terakhir, dan kenaikan
petasan/balap liar saat Ramadhan (tanggal dari ``kg.ramadhan_dates``).

Langkah:

1. menulis batas wilayah (``batas_wilayah.gpkg``, lapisan ``desa``/``kecamatan``/
   ``kabupaten``, skema seperti paket batas: ``code``, ``name``, ``kecamatan_code``, ...)
   dan laporan (``gangguan.csv``, ``kegiatan.csv``) ke ``OUT/data``, lalu membacanya
   kembali (``gpd.read_file``, ``kg.read_records``);
2. menempatkan laporan: ``kg.geocode`` hanya mengenal OKI dan Palembang (semua titik di sini
   ditolak ``out_of_area``), jadi titik diberi desa/kecamatan sendiri dengan
   ``kg.assign_units(boundaries=desa)`` dan sel H3 dengan ``kg.to_cells``; baris tanpa
   koordinat tidak dapat ditempatkan (jumlahnya dicetak);
3. skor ``kg.score_hotspots(boundaries=desa)``: selnya adalah sel H3 yang menyentuh poligon
   sendiri, dan kolom desa/kecamatan/kabupaten sel diisi dari poligon itu;
4. rekap per desa dan per kecamatan ``kg.rollup(level=..., boundaries=desa)`` (kecamatan =
   gabungan desa per ``kecamatan_code``, luas dalam CRS sama-luas), uji balik
   ``kg.backtest(boundaries=desa)``, usulan Poskamling ``kg.plan_poskamling``, rencana
   patroli ``kg.patrol_plan``, dan peta ``kg.render_map(boundaries={...})``.

Cara menjalankan / How to run::

    export KAMTIBMAS_GEO_SOURCE=/path/to/shared/data   # paket tetap dipakai untuk memeriksa
    python examples/wilayah_sendiri.py --out hasil_wilayah_sendiri
    python examples/wilayah_sendiri.py --out kecil --scale 0.3 --seed 1

*English.* Can the library run on another region with its own desa boundaries and
records? This script builds a made-up "Kota Contoh" (20 jittered grid polygons in two
kecamatan, not derived from any boundary file) and synthetic records there, writes them as
files and reads them back, and runs the pipeline: ``kg.read_records`` (region-free),
placement by ``kg.assign_units(boundaries=desa)`` + ``kg.to_cells`` (``kg.geocode`` knows
only the OKI/Palembang gazetteer and rejects every point here as ``out_of_area``),
``kg.score_hotspots(boundaries=desa)`` (cells overlapping the polygons, unit columns from
them), ``kg.rollup(level="desa" | "kecamatan", boundaries=desa)``,
``kg.backtest(boundaries=desa)``, ``kg.plan_poskamling``, ``kg.patrol_plan`` and
``kg.render_map(boundaries={...})``. It prints which stage takes own boundaries, and writes
the tables, cells, plans and an offline HTML map to ``--out``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import kamtibmas_geo as kg

#: The made-up region: south-west corner, grid size, cell size in degrees (~1.3 km).
X0, Y0, NX, NY, STEP = 103.560, -1.650, 5, 4, 0.012
KAB = ("99.01", "Kota Contoh")
KEC = {1: "Contoh Barat", 2: "Contoh Timur"}
NAMES = [
    "Sukamaju",
    "Talang Jaya",
    "Karang Anyar",
    "Mekarsari",
    "Sungai Baru",
    "Tanjung Harapan",
    "Suka Damai",
    "Pasar Lama",
    "Muara Baru",
    "Sido Mulyo",
    "Pulau Indah",
    "Lorong Damai",
    "Tebing Tinggi",
    "Kebun Jeruk",
    "Talang Bakung",
    "Payo Selincah",
    "Simpang Tiga",
    "Rawa Sari",
    "Bukit Baru",
    "Telanai Indah",
]
PASAR = (103.5905, -1.6265)  # the always-busy market
JALAN = np.array([[103.562, -1.645], [103.585, -1.628], [103.605, -1.615], [103.618, -1.603]])
LAPANGAN = (103.6100, -1.6330)  # busy with balap liar only in the last year
UTM = "EPSG:32748"
#: type: (share, as written, weight at pasar / jalan / lapangan / anywhere,
#: uplift in Ramadhan / in the four weeks before)
JENIS = {
    "pencurian": (0.30, "Pencurian", (3.0, 1.0, 0.2, 1.0), (1.2, 1.1)),
    "curanmor": (0.20, "Curanmor", (2.0, 1.5, 0.5, 1.0), (1.1, 1.0)),
    "petasan": (0.20, "Petasan", (2.0, 0.5, 1.0, 1.0), (3.0, 1.3)),
    "balap_liar": (0.20, "Balapan liar", (0.2, 3.0, 4.0, 0.5), (2.5, 1.4)),
    "kecelakaan": (0.10, "Laka lantas", (0.3, 4.0, 0.1, 0.3), (1.2, 1.1)),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Alur penuh dengan batas wilayah dan data sendiri.")
    p.add_argument("--out", type=Path, default=Path("hasil_wilayah_sendiri"), help="folder")
    p.add_argument("--seed", type=int, default=7, help="benih data sintetis")
    p.add_argument("--scale", type=float, default=1.0, help="ukuran data (1 = ±5 laporan/hari)")
    p.add_argument("--res", type=int, default=9, help="resolusi H3")
    p.add_argument("--target", default="ramadhan-1448", help="periode sasaran")
    p.add_argument("--pos", type=int, default=3, help="usulan Poskamling baru")
    return p.parse_args(argv)


# --------------------------------------------------------------------------- own boundaries


def buat_batas(rng: np.random.Generator) -> dict[str, gpd.GeoDataFrame]:
    """Desa, kecamatan and kabupaten polygons of the made-up region (jittered grid)."""
    gx, gy = np.meshgrid(X0 + STEP * np.arange(NX + 1), Y0 + STEP * np.arange(NY + 1))
    inner = np.zeros_like(gx, dtype=bool)
    inner[1:-1, 1:-1] = True
    gx = gx + np.where(inner, rng.uniform(-0.25, 0.25, gx.shape) * STEP, 0)
    gy = gy + np.where(inner, rng.uniform(-0.25, 0.25, gy.shape) * STEP, 0)
    rows = []
    for j in range(NY):
        for i in range(NX):
            ring = [
                (gx[j, i], gy[j, i]),
                (gx[j, i + 1], gy[j, i + 1]),
                (gx[j + 1, i + 1], gy[j + 1, i + 1]),
                (gx[j + 1, i], gy[j + 1, i]),
            ]
            k = 1 if i < 3 else 2
            n = len(rows)
            rows.append(
                {
                    "code": f"{KAB[0]}.0{k}.{1001 + n if n % 3 == 0 else 2001 + n}",
                    "name": NAMES[n],
                    "level": "desa",
                    "kind": "kelurahan" if n % 3 == 0 else "desa",
                    "kecamatan_code": f"{KAB[0]}.0{k}",
                    "kecamatan_name": KEC[k],
                    "kabupaten_code": KAB[0],
                    "kabupaten_name": KAB[1],
                    "geometry": shapely.Polygon(ring),
                }
            )
    desa = gpd.GeoDataFrame(rows, crs=4326).sort_values("code", ignore_index=True)
    kec = desa.dissolve("kecamatan_code", as_index=False)[
        ["kecamatan_code", "kecamatan_name", "kabupaten_code", "kabupaten_name", "geometry"]
    ].rename(columns={"kecamatan_code": "code", "kecamatan_name": "name"})
    kab = desa.dissolve("kabupaten_code", as_index=False)[
        ["kabupaten_code", "kabupaten_name", "geometry"]
    ].rename(columns={"kabupaten_code": "code", "kabupaten_name": "name"})
    out = {"desa": desa, "kecamatan": kec, "kabupaten": kab}
    for frame in out.values():
        frame["area_km2"] = frame.to_crs(UTM).area / 1e6
        inside = frame.geometry.representative_point()
        frame["inside_lon"], frame["inside_lat"] = inside.x, inside.y
    return out


# --------------------------------------------------------------------------- own records


def _ramadhan_days(days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the pre-Ramadhan weeks and of Ramadhan, from the library's calendar."""
    pra = np.zeros(len(days), dtype=bool)
    ram = np.zeros(len(days), dtype=bool)
    for year in range(1444, 1448):
        d = kg.ramadhan_dates(year)
        start, end = pd.Timestamp(d.start), pd.Timestamp(d.idul_fitri)
        pra |= (days >= start - pd.Timedelta(weeks=4)) & (days < start)
        ram |= (days >= start) & (days < end)
    return pra, ram


def buat_laporan(
    desa: gpd.GeoDataFrame, rng: np.random.Generator, scale: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic disturbance and activity tables, written the way a Polsek would."""
    days = pd.date_range("2023-01-01", "2026-11-22", freq="D")
    pra, ram = _ramadhan_days(days)
    last_year = days >= days[-1] - pd.Timedelta(days=365)
    keys = list(JENIS)
    share = np.array([JENIS[k][0] for k in keys])
    uplift = np.array([[1.0, *JENIS[k][3]] for k in keys])  # (type, normal/ramadhan/pra)
    phase = np.where(ram, 1, np.where(pra, 2, 0))
    lam = 5.0 * scale * share[None, :] * uplift[:, phase].T  # (day, type)
    counts = rng.poisson(lam)
    d_idx, t_idx = np.nonzero(counts)
    reps = counts[d_idx, t_idx]
    d_idx, t_idx = np.repeat(d_idx, reps), np.repeat(t_idx, reps)
    n = len(d_idx)
    w = np.array([JENIS[k][2] for k in keys])[t_idx]  # (n, 4)
    w[:, 2] *= np.where(last_year[d_idx], 1.0, 0.05)  # the emerging place
    u = rng.random(n) * w.sum(axis=1)
    where = (u[:, None] > np.cumsum(w, axis=1)).sum(axis=1)
    x, y = _titik(where, rng, desa)
    minute = rng.integers(0, 24 * 60, n)
    order = np.lexsort((minute, d_idx))  # rows in time order, as in a register
    d_idx, t_idx, where, x, y, minute = (v[order] for v in (d_idx, t_idx, where, x, y, minute))
    frame = pd.DataFrame(
        {
            "tanggal": days[d_idx].strftime("%d/%m/%Y"),
            "jam": [f"{m // 60:02d}:{m % 60:02d}" for m in minute],
            "jenis": [JENIS[keys[t]][1] for t in t_idx],
            "alamat": np.select(
                [where == 0, where == 1, where == 2],
                ["Pasar Contoh", "Jl. Lintas Kota", "Lapangan Merdeka"],
                "Lr. Damai",
            ),
            "lintang": np.round(y, 6),
            "bujur": np.round(x, 6),
        }
    )
    # a few reports carry only their address, as some Polsek write them
    no_xy = rng.random(n) < 0.05
    frame.loc[no_xy, ["lintang", "bujur"]] = np.nan
    # Binmas activities: the market is visited, the new lapangan is not (coverage gap)
    m = rng.poisson(1.2 * scale * len(days) / 7)
    at_market = rng.random(m) < 0.6
    ax, ay = _titik(np.where(at_market, 0, 3), rng, desa)
    act = pd.DataFrame(
        {
            "tanggal": days[rng.integers(0, len(days), m)].strftime("%d/%m/%Y"),
            "jam": "09:00",
            "kegiatan": rng.choice(["Sambang", "Patroli dialogis", "Sosialisasi Kamtibmas"], m),
            "lintang": np.round(ay, 6),
            "bujur": np.round(ax, 6),
        }
    )
    return frame, act


def _titik(
    where: np.ndarray, rng: np.random.Generator, desa: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Points at the market (0), along the road (1), at the lapangan (2) or anywhere (3)."""
    n = len(where)
    deg = 1 / 111_320
    x = np.empty(n)
    y = np.empty(n)
    for k, (cx, cy, sd) in {0: (*PASAR, 150.0), 2: (*LAPANGAN, 200.0)}.items():
        s = where == k
        x[s] = cx + rng.normal(0, sd * deg, s.sum())
        y[s] = cy + rng.normal(0, sd * deg, s.sum())
    s = where == 1
    seg = rng.integers(0, len(JALAN) - 1, s.sum())
    t = rng.random(s.sum())
    a, b = JALAN[seg], JALAN[seg + 1]
    x[s] = a[:, 0] + t * (b[:, 0] - a[:, 0]) + rng.normal(0, 60 * deg, s.sum())
    y[s] = a[:, 1] + t * (b[:, 1] - a[:, 1]) + rng.normal(0, 60 * deg, s.sum())
    s = where == 3
    minx, miny, maxx, maxy = desa.total_bounds
    x[s] = rng.uniform(minx, maxx, s.sum())
    y[s] = rng.uniform(miny, maxy, s.sum())
    # keep every point inside the region (a point pushed outside goes to the market)
    area = shapely.union_all(desa.geometry.values)
    out = ~shapely.contains_xy(area, x, y)
    x[out], y[out] = PASAR
    return x, y


# --------------------------------------------------------------------------- pipeline


def tempatkan(records: gpd.GeoDataFrame, desa: gpd.GeoDataFrame, res: int) -> gpd.GeoDataFrame:
    """Records with coordinates, with their own desa/kecamatan and their H3 cell."""
    units = kg.assign_units(records[records.geometry.notna()], boundaries=desa)
    # a point outside every own desa has no unit: none here (the points are made inside)
    return kg.to_cells(units[units["desa_code"].notna()], res)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)

    # 1. own boundaries and records, written as files and read back
    batas = buat_batas(rng)
    gpkg = data / "batas_wilayah.gpkg"
    for level, frame in batas.items():
        frame.to_file(gpkg, layer=level, driver="GPKG")
    laporan, kegiatan_tab = buat_laporan(batas["desa"], rng, args.scale)
    laporan.to_csv(data / "gangguan.csv", index=False)
    kegiatan_tab.to_csv(data / "kegiatan.csv", index=False)
    desa = gpd.read_file(gpkg, layer="desa")
    kec = gpd.read_file(gpkg, layer="kecamatan")
    kab = gpd.read_file(gpkg, layer="kabupaten")
    print(
        f"== {KAB[1]} (rekaan): {len(desa)} desa/kelurahan, {len(kec)} kecamatan, "
        f"{float(kab['area_km2'].sum()):.1f} km²"
    )
    rs = kg.read_records(data / "gangguan.csv", "disturbance")
    ra = kg.read_records(data / "kegiatan.csv", "activity")
    print(f"   laporan dibaca: {len(rs.records):,} (ditolak saat dibaca {len(rs.rejected)})")

    # 2. placement: the library geocoder knows OKI and Palembang only
    geo = kg.geocode(rs, res=args.res)
    reasons = geo.rejected["reason_code"].value_counts()
    print(
        f"   kg.geocode: {len(geo.records)} ditempatkan, "
        + ", ".join(f"{k} {v:,}" for k, v in reasons.items())
        + " -> kg.assign_units(boundaries=desa)"
    )
    gangguan = tempatkan(rs.records, desa, args.res)
    kegiatan = tempatkan(ra.records, desa, args.res)
    print(
        f"   dengan batas sendiri: {len(gangguan):,} ditempatkan, "
        f"{len(rs.records) - len(gangguan):,} tanpa koordinat (tidak dapat ditempatkan)"
    )

    # 3. scores on the cells of the own polygons, unit columns from the own boundaries
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kg.ProvisionalDateWarning)  # 1448 H not yet official
        cells = kg.score_hotspots(
            gangguan, activities=kegiatan, target=args.target, res=args.res, boundaries=desa
        )
    show = [
        "desa_name",
        "kecamatan_name",
        "score",
        "score_class",
        "gi_label",
        "trend_label",
        "n_incidents",
        "coverage_gap",
    ]
    top = cells.sort_values(["score", "hex_id"], ascending=[False, True]).head(8)
    print(f"\n== Skor {cells.attrs['score']['target']}: {len(cells)} sel; 8 sel teratas")
    print(top[show].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    gap = cells.sort_values(["coverage_gap", "hex_id"], ascending=[False, True]).head(3)
    print("   celah cakupan terbesar (risiko tinggi, kegiatan Binmas sedikit):")
    print(gap[show].to_string(index=False, float_format=lambda v: f"{v:.2f}"))

    # 4a. roll-ups to the own desa and kecamatan (kecamatan: union of their desa)
    names = {
        "code": "kode",
        "name": "nama",
        "n_cells": "sel",
        "n_incidents": "laporan",
        "score": "skor",
        "n_hot": "sel_gi_panas",
        "coverage_gap": "celah",
        "incidents_per_km2": "laporan_per_km2",
    }
    keep = ["kode", "nama", "sel", "laporan", "skor", "sel_gi_panas", "celah", "area_km2"]
    per_desa = kg.rollup(cells, level="desa", boundaries=desa).rename(columns=names)
    per_desa = per_desa.merge(
        desa[["code", "kecamatan_name"]].rename(columns={"code": "kode"}), on="kode"
    )[[*keep[:2], "kecamatan_name", *keep[2:], "laporan_per_km2"]]
    per_kec = kg.rollup(cells, level="kecamatan", boundaries=desa).rename(columns=names)
    per_kec = per_kec[[*keep, "laporan_per_km2"]]
    print("\n== Per desa/kelurahan (5 teratas)")
    print(per_desa.head(5).to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    print("\n== Per kecamatan")
    print(per_kec.to_string(index=False, float_format=lambda v: f"{v:.1f}"))

    # 4b. backtest on the own boundaries
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        bt = kg.backtest(gangguan, res=args.res, boundaries=desa)
    print(f"\n== Uji balik pada batas sendiri ({len(bt.periods)} Ramadhan, {bt.n_cells} sel)")
    print(bt.summary().to_string(index=False, float_format=lambda v: f"{v:.2f}"))

    # 4c. plans and map
    plan = kg.plan_poskamling(cells, p=args.pos, options=kg.PoskamlingOptions(min_spacing=500))
    patroli = kg.patrol_plan(cells, teams=2, target=args.target)
    print(
        f"\n== Poskamling: {len(plan.posts)} usulan, cakupan risiko "
        f"{plan.coverage_before:.1%} -> {plan.coverage_after:.1%} (status {plan.status})"
    )
    total = float(cells["score"].sum())
    print(
        plan.posts[["rank", "desa_name", "kecamatan_name"]]
        .assign(tambahan_cakupan=(plan.posts["marginal_gain"] / total).map("{:.1%}".format))
        .to_string(index=False)
    )
    print(f"   patroli: {len(patroli)} kunjungan dalam {patroli['kecamatan'].nunique()} kecamatan")

    files = {
        "cells": out / "sel_rawan.geojson",
        "desa": out / "per_desa.csv",
        "kecamatan": out / "per_kecamatan.csv",
        "backtest": out / "uji_balik.csv",
        "posts": out / "usulan_poskamling.geojson",
        "patrol": out / "patroli.csv",
        "support": out / "dukungan_batas_sendiri.csv",
        "map": out / "peta_wilayah_sendiri.html",
    }
    kg.export_cells(cells, files["cells"])
    per_desa.to_csv(files["desa"], index=False)
    per_kec.to_csv(files["kecamatan"], index=False)
    bt.to_frame().to_csv(files["backtest"], index=False)
    plan.posts.to_file(files["posts"], driver="GeoJSON")
    kg.sanitize_for_export(patroli).to_csv(files["patrol"], index=False)
    kg.render_map(
        cells,
        records=gangguan,
        activities=kegiatan,
        proposed=plan.posts,
        boundaries={"kabupaten": kab, "kecamatan": kec, "desa": desa},
        out=files["map"],
    )

    support = pd.DataFrame(
        [
            ("kg.read_records", "ya", "tidak bergantung wilayah"),
            (
                "kg.geocode",
                "tidak",
                "gazetir hanya OKI/Palembang: titik lain out_of_area; pakai kg.assign_units",
            ),
            ("kg.assign_units", "ya, boundaries=", "desa/kecamatan/kabupaten dari poligon sendiri"),
            (
                "kg.region_cells / kg.crosswalk",
                "tidak",
                "hanya paket; kg.score_hotspots(boundaries=) membuat sel sendiri",
            ),
            ("kg.score_hotspots", "ya, boundaries=", "sel dan kolom desa/kecamatan dari poligon"),
            ("kg.rollup", "ya, boundaries=", "desa; kecamatan/kabupaten digabung dari desa"),
            ("kg.backtest", "ya, boundaries=", "poligon CRS apa saja"),
            ("kg.plan_poskamling / kg.patrol_plan", "ya", "dari tabel sel; jarak UTM 48S"),
            ("kg.render_map", "ya, boundaries={...}", "kabupaten/kecamatan/desa sendiri"),
        ],
        columns=["tahap", "batas_sendiri", "catatan"],
    )
    support.to_csv(files["support"], index=False)
    print("\n== Dukungan batas wilayah sendiri per tahap")
    print(support.to_string(index=False))
    print("\nBerkas ditulis:")
    for path in [gpkg, data / "gangguan.csv", data / "kegiatan.csv", *files.values()]:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
