"""Informasi dini untuk satu Polsek Palembang menjelang Ramadhan: peringatan, titik rawan, patroli.

Pertanyaan Kapolsek di Palembang pada malam menjelang Ramadhan 1447 H (data diserahkan
17 Februari 2026, 1 Ramadhan jatuh 19 Februari): *informasi dini apa dari RT/RW, Pokdar
Kamtibmas, ormas dan warga yang belum ditindaklanjuti untuk pekan depan, di mana letaknya
dibanding sel paling rawan, dan titik patroli mana yang muncul karenanya?*

Langkah:

1. menulis data contoh sintetis (``kg.write_sample``, sampai ``--akhir-data``) ke
   ``OUT/data``: gangguan, kegiatan Binmas dan ``informasi_dini.csv``; membacanya kembali
   dengan pembaca yang sama (``kg.read_records(..., "early_warning")``) dan
   menempatkannya (``kg.geocode``), dengan buku besar (dibaca = diterima + ditolak);
2. informasi dini yang masih harus ditindaklanjuti pada pagi sesudah data diserahkan
   (``kg.open_warnings``: belum ditindaklanjuti, diperkirakan terjadi dalam 7 hari, dan
   apakah sudah dijawab sambang/sosialisasi/imbauan/patroli), per Polsek Palembang;
   ``--polsek auto`` memilih Polsek dengan informasi dini terbuka terbanyak;
3. skor sel H3 Kota Palembang untuk Ramadhan 1447 (``kg.score_hotspots`` dengan
   ``warnings=``): informasi dini terbuka tampil di kolomnya sendiri (``warnings_open``,
   ``warning_reason``), tidak pernah dicampur ke jumlah kejadian; sel teratas Polsek itu
   dan per kelurahan: informasi dini terbuka di samping skor sel terbaiknya;
4. rencana patroli malam-malam pertama Ramadhan untuk Polsek itu (``kg.patrol_plan``
   dengan ``warnings=``): informasi dini terbuka menjadi titik prioritas pada waktu yang
   disebutnya ("setelah tarawih", "sahur", "malam Minggu");
5. menulis tabel (tanpa nama dan kontak pelapor: hanya unsur pelapor), rencana patroli
   (CSV dan HTML cetak) dan peta HTML luring dengan lapisan "Informasi dini".

Nama dan nomor HP pelapor hanya ada di berkas hasil geocode (rahasia); tidak ada berkas
keluaran skrip ini yang memuatnya.

Cara menjalankan / How to run::

    export KAMTIBMAS_GEO_SOURCE=/path/to/shared/data   # salinan lokal berkas batas wilayah
    python examples/early_warning_polsek.py --out hasil_informasi_dini
    python examples/early_warning_polsek.py --out kecil --scale 0.3 --polsek "Polsek Sukarami"

*English.* A Polsek chief in Palembang on the eve of Ramadhan 1447 H asks which early
warnings from RT/RW heads, Pokdar Kamtibmas, ormas and residents are still open for the
coming week, where they lie against the hottest cells, and which patrol stops they create.
The script writes the synthetic sample (with its early-warnings file) and reads it back
through the one reader, geocodes it, lists the open warnings per Polsek (``kg.open_warnings``),
scores Palembang's cells for Ramadhan 1447 with the warnings beside the forecast, shows the
chosen Polsek's top cells and per kelurahan its open warnings beside its best cell, plans the
first Ramadhan nights' patrols with the warnings as priority stops (``kg.patrol_plan``), and
writes tables without the reporters' names or phone numbers, the patrol plan and an offline
map with an "Informasi dini" layer to ``--out``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

import kamtibmas_geo as kg
from kamtibmas_geo._tables import write_table
from kamtibmas_geo.records import PRIVATE_COLUMNS, WARNING_ROLES

TARGET = "ramadhan-1447"
#: The sample's own private columns (disturbance reporters) besides the warnings'.
KOLOM_PRIBADI = [*PRIVATE_COLUMNS, "nama_pelapor", "no_hp"]
HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Informasi dini satu Polsek menjelang Ramadhan.")
    p.add_argument("--out", type=Path, default=Path("hasil_informasi_dini"), help="folder")
    p.add_argument("--seed", type=int, default=7, help="benih data contoh")
    p.add_argument("--scale", type=float, default=1.0, help="ukuran data contoh (1 = penuh)")
    p.add_argument("--akhir-data", default="2026-02-17", help="hari terakhir data (YYYY-MM-DD)")
    p.add_argument("--polsek", default="auto", help='Polsek Palembang, atau "auto"')
    p.add_argument("--hari", type=int, default=7, help="hari ke depan yang dilihat")
    p.add_argument("--top", type=int, default=8, help="jumlah sel teratas")
    p.add_argument("--tim", type=int, default=2, help="tim patroli per waktu")
    return p.parse_args(argv)


def polsek_per_kecamatan(records: pd.DataFrame) -> dict[str, str]:
    """Kecamatan code → the Polsek written most often on the records of that kecamatan."""
    has = records["polsek"].astype("string").str.strip().fillna("").ne("")
    counts = (
        records[has]
        .groupby(["kecamatan_code", "polsek"], observed=True)
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["kecamatan_code", "n", "polsek"], ascending=[True, False, True])
        .drop_duplicates("kecamatan_code")
    )
    return dict(zip(counts["kecamatan_code"], counts["polsek"], strict=True))


def read_and_place(paths: dict[str, Path]) -> dict[str, pd.DataFrame]:
    """Read each file with the one reader, place it, print its ledger line."""
    placed = {}
    print("== Buku besar / ledger")
    inputs = (
        ("disturbance", "gangguan_csv"),
        ("activity", "kegiatan_csv"),
        ("early_warning", "informasi_dini_csv"),
    )
    for kind, key in inputs:
        rs = kg.geocode(kg.read_records(paths[key], kind))
        placed[kind] = rs.records
        led = kg.ledger_summary(rs).set_index("code")["count"]
        print(
            f"  {paths[key].name:<20} dibaca {led['rows_in']:>7,}  ditempatkan "
            f"{led['records']:>7,}  ditolak {led['rejected']:>5,}"
        )
    return placed


def role_label(code: object) -> str:
    """The reporter's role as staff read it (never the name)."""
    return WARNING_ROLES.get(str(code), WARNING_ROLES["lainnya"])["id"]


def expected_text(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """When a warning is expected, in Indonesian ("Sabtu 21/02 21.00 s.d. 02.30")."""
    if pd.isna(start):
        return "(tidak disebut)"
    return f"{HARI[start.day_of_week]} {start:%d/%m %H.%M} s.d. {end:%H.%M}"


def warning_table(opened: pd.DataFrame) -> pd.DataFrame:
    """The open warnings as staff read them: type, place, expected time, role, answer."""
    tax = kg.load_taxonomy()
    pairs = zip(opened["expected_start"], opened["expected_end"], strict=True)
    return pd.DataFrame(
        {
            "dilapor": opened["time"].dt.strftime("%d/%m %H.%M").to_numpy(),
            "jenis": [tax.info("early_warning", t).label_id for t in opened["type"]],
            "kelurahan": opened["desa_name"].to_numpy(),
            "perkiraan": [expected_text(a, b) for a, b in pairs],
            "pelapor": [role_label(r) for r in opened["reporter_role"]],
            "dijawab": opened["answered"].map({True: "ya", False: "belum"}).to_numpy(),
        }
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    as_of = pd.Timestamp(args.akhir_data, tz="Asia/Jakarta") + pd.Timedelta(days=1)

    # 1. the files as the Polsek hand them over on the eve of Ramadhan, read back and placed
    paths = kg.write_sample(
        out / "data", seed=args.seed, scale=args.scale, end=args.akhir_data, formats=("csv",)
    )
    placed = read_and_place(paths)
    gangguan, kegiatan = placed["disturbance"], placed["activity"]
    dini = placed["early_warning"]
    polsek_of = polsek_per_kecamatan(gangguan[gangguan["kabupaten_code"] == "16.71"])

    # 2. the warnings still to act on the morning after the hand-over
    opened = kg.open_warnings(dini, as_of=as_of, days=args.hari, activities=kegiatan)
    opened = opened[opened["kabupaten_code"] == "16.71"].copy()
    opened["polsek_tugas"] = opened["kecamatan_code"].map(polsek_of)
    per_polsek = opened.groupby("polsek_tugas").size().sort_values(ascending=False)
    print(
        f"\n== Informasi dini terbuka di Kota Palembang per {as_of:%d/%m/%Y} "
        f"({len(opened)} untuk {args.hari} hari ke depan)"
    )
    print(per_polsek.rename("informasi dini").to_string())
    polsek = args.polsek
    if polsek == "auto":  # the most open warnings; with none, the busiest Polsek
        busiest = gangguan["kecamatan_code"].map(polsek_of).value_counts()
        polsek = str(per_polsek.index[0] if len(per_polsek) else busiest.index[0])
    kec = sorted(k for k, p in polsek_of.items() if p == polsek)
    mine = opened[opened["kecamatan_code"].isin(kec)].sort_values(["expected_start", "time"])
    print(f"\n== {polsek}: {len(mine)} informasi dini terbuka")
    print(warning_table(mine).to_string(index=False) if len(mine) else "  (tidak ada)")

    # 3. the forecast of every Palembang cell, the warnings beside it (never inside it)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cells = kg.score_hotspots(
            gangguan,
            activities=kegiatan,
            target=TARGET,
            region="palembang",
            warnings=dini,
            warnings_as_of=as_of,
            warnings_days=args.hari,
        )
    cells_polsek = cells[cells["kecamatan_code"].isin(kec)].copy()
    top = cells_polsek.sort_values(["score", "hex_id"], ascending=[False, True]).head(args.top)
    show = {
        "desa_name": "kelurahan",
        "score": "skor",
        "score_class": "kelas",
        "warnings_open": "info dini",
        "warning_reason": "alasan",
    }
    print(f"\n== {args.top} sel paling rawan {polsek} ({TARGET}), informasi dini di sampingnya")
    print(top[list(show)].rename(columns=show).to_string(index=False, float_format="{:.2f}".format))
    per_desa = (
        cells_polsek.assign(rawan=cells_polsek["score_class"] >= 4)
        .groupby("desa_name")
        .agg(skor_terbaik=("score", "max"), sel_kelas_4_5=("rawan", "sum"))
        .join(mine.groupby("desa_name").size().rename("info_dini"))
        .fillna({"info_dini": 0})
        .astype({"info_dini": int, "sel_kelas_4_5": int})
        .sort_values(["info_dini", "skor_terbaik"], ascending=False)
    )
    print(f"\n== Per kelurahan {polsek}: informasi dini terbuka di samping skor sel terbaiknya")
    print(per_desa.head(12).to_string(float_format="{:.2f}".format))

    # 4. patrols of the first Ramadhan nights and of the Ramadhan days the warnings name:
    #    open warnings become priority stops in the window they name
    first = kg.ramadhan_dates(int(TARGET.split("-")[1])).start
    # the night a warning names: before 02.30 it is the night of the day before (malam)
    starts = mine["expected_start"].dropna().dt.tz_convert("Asia/Jakarta")
    named = (starts - pd.Timedelta(hours=2.5)).dt.date
    days = [None, *sorted({d for d in named if d > first})[:2]]
    plans = []
    for day in days:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            plans.append(
                kg.patrol_plan(
                    cells_polsek,
                    teams=args.tim,
                    target=TARGET,
                    day=day,
                    polsek={k: polsek for k in kec},
                    records=gangguan,
                    warnings=dini,
                    activities=kegiatan,
                )
            )
    plan = pd.concat(plans, ignore_index=True)
    stops = plan[plan["warning"].fillna(False).astype(bool)]
    print(f"\n== Patroli {polsek}: {len(plan)} titik, {len(stops)} dari informasi dini")
    cols = {"date": "tanggal", "window_label": "waktu", "team": "tim", "stop": "urut",
            "desa": "kelurahan", "reason": "alasan"}  # fmt: skip
    if len(stops):
        print(stops[list(cols)].rename(columns=cols).to_string(index=False))

    # 5. outputs: tables without the reporters' names or phone numbers
    files = {
        "open": out / "informasi_dini_terbuka.csv",
        "cells": out / "sel_polsek.csv",
        "patrol": out / "patroli.csv",
        "sheet": out / "patroli.html",
        "map": out / "peta_informasi_dini.html",
    }
    write_table(warning_table(mine), files["open"])
    write_table(pd.DataFrame(top[["hex_id", *show]]), files["cells"])
    write_table(plan, files["patrol"])
    kg.patrol_html(plan, files["sheet"])
    since = as_of - pd.Timedelta(days=60)
    recent = gangguan[(gangguan["time"] >= since) & gangguan["kecamatan_code"].isin(kec)]
    kg.render_map(
        cells_polsek,
        records=recent.drop(columns=KOLOM_PRIBADI, errors="ignore"),
        warnings=dini[dini["kecamatan_code"].isin(kec)],
        activities=kegiatan[kegiatan["kecamatan_code"].isin(kec)],
        out=files["map"],
    )
    print("\nBerkas ditulis (tanpa nama/kontak pelapor):")
    for path in files.values():
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
