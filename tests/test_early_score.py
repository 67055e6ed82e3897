"""Early warnings in the score stage: open_warnings, and the warning columns of the scores.

The frames are built by hand in the shape of the issue-21 contract (``notes``: records of
kind ``early_warning`` with ``feared_type``, ``expected_start``/``expected_end``,
``reporter_role``, ``status``), placed at the inside points of real Palembang desa.
"""

from __future__ import annotations

import warnings as pywarnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from kamtibmas_geo import ScoreError, ScoreOptions, open_warnings, score_hotspots
from kamtibmas_geo.config import Settings
from kamtibmas_geo.score._early import warning_columns, warning_label

TZ = "Asia/Jakarta"
AS_OF = pd.Timestamp("2027-02-01 00:00", tz=TZ)


def _t(text: str | None) -> pd.Timestamp:
    return pd.NaT if text is None else pd.Timestamp(text, tz=TZ)


@pytest.fixture(scope="module")
def plg(desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Palembang desa, sorted by code."""
    return desa[desa["kabupaten_code"] == "16.71"].sort_values("code").reset_index(drop=True)


def make_warnings(plg: gpd.GeoDataFrame, rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    """Warnings of the contract's shape, each at the inside point of desa ``plg[d]``."""
    out = []
    for i, row in enumerate(rows):
        unit = plg.iloc[int(row.get("d", 0))]  # type: ignore[call-overload]
        lat = float(unit["inside_lat"]) + float(row.get("dlat", 0.0))  # type: ignore[arg-type]
        lon = float(unit["inside_lon"]) + float(row.get("dlon", 0.0))  # type: ignore[arg-type]
        out.append(
            {
                "record_id": str(row.get("id", f"w{i}")),
                "source": "informasi_dini.csv",
                "row": i + 2,
                "kind": "early_warning",
                "type": row.get("type", "rencana_tawuran"),
                "type_raw": "rencana tawuran",
                "severity": 1.0,
                "time": _t(str(row.get("time", "2027-01-30 20:00"))),
                "lat": lat,
                "lon": lon,
                "address": "",
                "desa_code": str(row.get("desa_code", unit["code"])),
                "kecamatan_code": unit["kecamatan_code"],
                "kabupaten_code": unit["kabupaten_code"],
                "feared_type": row.get("feared", "tawuran"),
                "expected_start": _t(row.get("start")),  # type: ignore[arg-type]
                "expected_end": _t(row.get("end")),  # type: ignore[arg-type]
                "reporter_role": "rt",
                "reporter_name": "Pak RT",
                "reporter_contact": "0812",
                "status": row.get("status", "open"),
            }
        )
    frame = pd.DataFrame(out)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs=4326)


def make_activities(plg: gpd.GeoDataFrame, rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    """Binmas activities in the same shape (``type`` an activity key)."""
    frame = make_warnings(plg, rows)
    frame["kind"] = "activity"
    return frame.drop(columns=["feared_type", "expected_start", "expected_end", "status"])


# --------------------------------------------------------------------------- open_warnings


def test_open_warnings_keeps_only_open_ones_of_the_coming_days(plg: gpd.GeoDataFrame) -> None:
    w = make_warnings(
        plg,
        [
            {"id": "in_window", "start": "2027-02-04 21:00"},
            {"id": "at_edge", "start": "2027-02-08 00:00"},
            {"id": "too_far", "start": "2027-02-08 00:01"},
            {"id": "past", "start": "2027-01-31 10:00"},
            {"id": "running", "start": "2027-01-31 22:00", "end": "2027-02-01 02:00"},
            {"id": "moment_over", "start": "2027-01-31 20:00"},  # + 3 h ends before as_of
            {"id": "followed", "start": "2027-02-03", "status": "followed_up"},
            {"id": "unfounded", "start": "2027-02-03", "status": "unfounded"},
            {"id": "missing_status", "start": "2027-02-03", "status": None},
            {"id": "reported_later", "start": "2027-02-03", "time": "2027-02-01 08:00"},
            {"id": "undated_recent", "time": "2027-01-26 00:00"},
            {"id": "undated_old", "time": "2027-01-24 23:00"},
        ],
    )
    before = w.copy()
    got = open_warnings(w, as_of=AS_OF)
    assert got["record_id"].tolist() == [
        "in_window",
        "at_edge",
        "running",
        "missing_status",
        "undated_recent",
    ]
    assert not got["answered"].any()
    assert got["answered_by"].isna().all()
    assert isinstance(got, gpd.GeoDataFrame)
    assert got.crs == w.crs
    pd.testing.assert_frame_equal(w, before)  # input untouched
    # a naive as_of is Asia/Jakarta time; a shorter horizon drops the far one
    naive = open_warnings(w, as_of="2027-02-01", days=3)
    assert naive["record_id"].tolist() == ["running", "missing_status"]


def test_open_warnings_is_answered_by_nearby_binmas_work(plg: gpd.GeoDataFrame) -> None:
    w = make_warnings(
        plg,
        [
            {"id": "same_desa", "d": 0, "start": "2027-02-03"},
            {"id": "near", "d": 5, "start": "2027-02-03"},
            {"id": "far", "d": 10, "start": "2027-02-03"},
            {"id": "wrong_type", "d": 15, "start": "2027-02-03"},
            {"id": "too_late", "d": 20, "start": "2027-02-03"},
            {"id": "future", "d": 25, "start": "2027-02-03"},
        ],
    )
    # reported 2027-01-30 20:00; activities answer until 2027-02-02 20:00 but not after as_of
    acts = make_activities(
        plg,
        [
            # same desa code, 2 km away: the desa decides
            {"id": "a_same", "d": 0, "dlat": 0.018, "type": "sambang", "time": "2027-01-31 09:00"},
            # ~330 m away, another desa code: the distance decides
            {"id": "a_near", "d": 5, "dlat": 0.003, "desa_code": "x", "type": "patroli",
             "time": "2027-01-31 10:00"},
            # ~890 m away, another desa: too far
            {"id": "a_far", "d": 10, "dlat": 0.008, "desa_code": "x", "type": "sambang",
             "time": "2027-01-31 10:00"},
            {"id": "a_type", "d": 15, "type": "pengamanan", "time": "2027-01-31 10:00"},
            {"id": "a_late", "d": 20, "type": "sambang", "time": "2027-02-02 20:01"},
            {"id": "a_future", "d": 25, "type": "sosialisasi", "time": "2027-02-01 06:00"},
            # an earlier answer wins over a later one
            {"id": "a_same_later", "d": 0, "type": "imbauan", "time": "2027-02-01 00:00"},
        ],
    )  # fmt: skip
    got = open_warnings(w, as_of=AS_OF, activities=acts).set_index("record_id")
    assert got["answered_by"].fillna("-").to_dict() == {
        "same_desa": "a_same",
        "near": "a_near",
        "far": "-",
        "wrong_type": "-",
        "too_late": "-",
        "future": "-",
    }
    assert got["answered"].tolist() == [True, True, False, False, False, False]
    # at a later as_of the future activity has happened and answers its warning
    later = open_warnings(w, as_of="2027-02-02 00:00", activities=acts).set_index("record_id")
    assert later.loc["future", "answered_by"] == "a_future"
    # a wider radius reaches the far one
    wide = open_warnings(w, as_of=AS_OF, activities=acts, answer_metres=1000)
    assert wide.set_index("record_id").loc["far", "answered_by"] == "a_far"


def test_open_warnings_refuses_bad_input(plg: gpd.GeoDataFrame) -> None:
    w = make_warnings(plg, [{"start": "2027-02-03"}])
    with pytest.raises(ScoreError, match="days"):
        open_warnings(w, as_of=AS_OF, days=-1)
    with pytest.raises(ScoreError, match="as_of"):
        open_warnings(w, as_of="besok pagi")
    with pytest.raises(ScoreError, match="tabel"):
        open_warnings([1, 2], as_of=AS_OF)
    with pytest.raises(ScoreError, match="type"):
        open_warnings(w.drop(columns="type"), as_of=AS_OF)


# --------------------------------------------------------------------------- per cell


def test_warning_columns_count_types_and_reasons(plg: gpd.GeoDataFrame) -> None:
    w = make_warnings(
        plg,
        [
            {"d": 3, "start": "2027-02-03"},
            {"d": 3, "start": "2027-02-04", "type": "provokasi"},
            {"d": 3, "start": "2027-02-05"},
            {"d": 7, "start": "2027-02-03", "type": "penjualan_petasan"},
        ],
    )
    opened = open_warnings(w, as_of=AS_OF)
    opened.loc[3, "answered"] = True
    import h3

    cells = sorted({h3.latlng_to_cell(r.lat, r.lon, 9) for r in w.itertuples()})
    cells.append(h3.latlng_to_cell(-2.9, 104.7, 9))  # a cell without warnings
    out = warning_columns(opened, cells, 9, "id")
    c3 = cells.index(h3.latlng_to_cell(w.lat[0], w.lon[0], 9))
    c7 = cells.index(h3.latlng_to_cell(w.lat[3], w.lon[3], 9))
    assert out["warnings_open"].dtype == np.int64
    assert out["warnings_open"].sum() == 3
    assert out["warnings_open"][c3] == 3
    assert out["warnings_answered"][c7] == 1
    assert out["warnings_open"][c7] == 0
    tawuran, provokasi = warning_label("rencana_tawuran"), warning_label("provokasi")
    assert out["warning_types"][c3] == f"{tawuran} (2), {provokasi}"
    assert out["warning_reason"][c3] == f"3 informasi dini: {tawuran} (2), {provokasi}"
    assert out["warning_reason"][c7] == "1 sudah dijawab kegiatan Binmas"
    en = warning_columns(opened, cells, 9, "en")
    tawuran_en, provokasi_en = (warning_label(k, "en") for k in ("rencana_tawuran", "provokasi"))
    assert en["warning_reason"][c3] == f"3 early warnings: {tawuran_en} (2), {provokasi_en}"
    assert tawuran_en != tawuran
    empty = [i for i in range(len(cells)) if i not in (c3, c7)]
    assert all(out["warning_reason"][i] == "" for i in empty)
    with pywarnings.catch_warnings():
        pywarnings.simplefilter("error")
        none = warning_columns(opened.iloc[:0], cells, 9)
    assert none["warnings_open"].sum() == 0


# --------------------------------------------------------------------------- score_hotspots

TARGET = (pd.Timestamp("2027-02-01", tz=TZ), pd.Timestamp("2027-03-20", tz=TZ))
OKI_CENTRE = "898cab153afffff"  # res 9, Kayu Agung (OKI)
QUICK = ScoreOptions(seasonal=False, emerging=False)


@pytest.fixture(scope="module")
def scored_run(plg: gpd.GeoDataFrame, settings: Settings) -> dict[str, Any]:
    """Cells of Palembang and OKI scored with and without warnings (one run each)."""
    import h3

    unit = plg.iloc[3]
    plg_centre = h3.latlng_to_cell(float(unit["inside_lat"]), float(unit["inside_lon"]), 9)
    cells = sorted(set(h3.grid_disk(plg_centre, 2)) | set(h3.grid_disk(OKI_CENTRE, 1)))
    near = [c for c in h3.grid_disk(plg_centre, 2) if c != plg_centre][:6]
    pts = [h3.cell_to_latlng(c) for c in [*near, OKI_CENTRE, OKI_CENTRE]]
    recs = pd.DataFrame(
        {
            "time": pd.date_range("2026-06-01", periods=len(pts), freq="9D", tz=TZ),
            "type": ["tawuran", "petasan"] * (len(pts) // 2),
            "lat": [p[0] for p in pts],
            "lon": [p[1] for p in pts],
        }
    )
    oki = h3.cell_to_latlng(OKI_CENTRE)
    w = make_warnings(
        plg,
        [
            {"d": 3, "start": "2027-02-03 21:00"},
            {"d": 3, "start": "2027-02-05", "type": "provokasi"},
            {"d": 3, "start": "2027-02-05", "status": "followed_up"},
            {"d": 3, "start": "2027-02-12"},  # beyond the 7 days
            {"d": 60, "start": "2027-02-03"},  # a desa outside the cells
        ],
    )
    extra = make_warnings(plg, [{"d": 0, "start": "2027-02-02", "type": "balap_liar_terjadwal"}])
    extra["lat"], extra["lon"] = oki
    extra = extra.set_geometry(gpd.points_from_xy(extra.lon, extra.lat, crs=4326))
    extra["desa_code"], extra["kabupaten_code"] = "", "16.02"
    w = pd.concat([w, extra], ignore_index=True)
    with pywarnings.catch_warnings():
        pywarnings.simplefilter("ignore")  # small samples
        plain = score_hotspots(recs, target=TARGET, cells=cells, settings=settings, options=QUICK)
        with_w = score_hotspots(
            recs, target=TARGET, cells=cells, settings=settings, options=QUICK, warnings=w
        )
        en = score_hotspots(
            recs, target=TARGET, cells=cells, settings=settings, options=QUICK, warnings=w,
            lang="en", warnings_as_of="2027-02-06", warnings_days=10,
        )  # fmt: skip
    return {"plain": plain, "with": with_w, "en": en, "centre": plg_centre}


def test_score_warnings_are_beside_the_forecast_never_in_it(scored_run: dict[str, Any]) -> None:
    plain, with_w = scored_run["plain"], scored_run["with"]
    added = ["warnings_open", "warnings_answered", "warning_types", "warning_reason"]
    assert [c for c in with_w.columns if c not in plain.columns] == added
    # every incident count, score, class and Gi* column is exactly the run without warnings
    pd.testing.assert_frame_equal(
        gpd.GeoDataFrame(with_w.drop(columns=added)), plain, check_like=False
    )
    assert "warnings_open" not in plain.columns
    assert with_w["warnings_open"].dtype == np.int64


def test_score_warnings_per_cell_and_per_kabupaten(scored_run: dict[str, Any]) -> None:
    out = scored_run["with"].set_index("hex_id")
    centre = scored_run["centre"]
    assert out.loc[centre, "warnings_open"] == 2
    labels = sorted(warning_label(k) for k in ("rencana_tawuran", "provokasi"))
    assert out.loc[centre, "warning_reason"] == "2 informasi dini: " + ", ".join(labels)
    assert out.loc[OKI_CENTRE, "warnings_open"] == 1
    assert out.loc[OKI_CENTRE, "warning_types"] == warning_label("balap_liar_terjadwal")
    assert out["warnings_open"].sum() == 3
    meta = scored_run["with"].attrs["score"]
    assert meta["warnings"]["as_of"].startswith("2027-02-01T00:00:00")
    assert meta["warnings"]["n_open"] == 3
    assert meta["warnings"]["n_outside"] == 1
    assert {c: r["n_warnings_open"] for c, r in meta["regions"].items()} == {
        "16.71": 2,
        "16.02": 1,
    }
    # as of 6 February for 10 days: the two expected on 3 and 2 February are past, the
    # one of the 5th is running (3 h moment ended) no more, the one of the 12th comes
    en = scored_run["en"].set_index("hex_id")
    tawuran_en = warning_label("rencana_tawuran", "en")
    assert en.loc[centre, "warning_reason"] == f"1 early warning: {tawuran_en}"
    assert en["warnings_open"].sum() == 1


# --------------------------------------------------------------------------- the command

WARNINGS_CSV = """No;Tgl Lapor;Jam;Jenis Potensi;Lokasi;Kelurahan/Desa;Kecamatan;Polsek;Lintang;Bujur;Perkiraan Waktu;Sumber Informasi;Nama Pelapor;No. HP;Tindak Lanjut;Keterangan
1;30/01/2027;08.00;rencana tawuran;Jl. Sudirman;;;;{lat1};{lon1};Sabtu malam;Ketua RT 05;Budi Santoso;081234567;belum;remaja dua gang
2;29/01/2027;09.00;penjualan petasan;Pasar 16;;;;{lat2};{lon2};;Pokdar Kamtibmas;Ani;0813;sudah ditindaklanjuti;
3;29/01/2027;10.00;balap liar;Jl. Demang;;;;{lat2};{lon2};;Ketua RW 02;Joko;0814;;
"""  # noqa: E501


def test_cli_hotspots_warnings(tmp_path, settings: Settings, plg: gpd.GeoDataFrame, capsys) -> None:  # type: ignore[no-untyped-def]
    import h3

    from kamtibmas_geo.cli import main

    u1, u2 = plg.iloc[3], plg.iloc[40]
    centre = h3.latlng_to_cell(float(u1["inside_lat"]), float(u1["inside_lon"]), 8)
    rows = ["tanggal,jam,jenis,lintang,bujur,alamat"]
    for i, cell in enumerate(sorted(h3.grid_disk(centre, 2)) * 2):
        lat, lng = h3.cell_to_latlng(cell)
        rows.append(f"2026-0{1 + i % 9}-1{i % 9},21:00,petasan,{lat:.6f},{lng:.6f},Jl. Uji {i}")
    src = tmp_path / "gangguan.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    warn = tmp_path / "informasi_dini.csv"
    warn.write_text(
        WARNINGS_CSV.format(
            lat1=u1["inside_lat"], lon1=u1["inside_lon"], lat2=u2["inside_lat"],
            lon2=u2["inside_lon"],
        ),
        encoding="utf-8",
    )  # fmt: skip
    out = tmp_path / "cells.csv"
    common = ["--source", settings.source or "", "--cache-dir", settings.cache_dir or ""]
    args = [*common, "hotspots", str(src), "--res", "8", "--region", "palembang",
            "--out", str(out), "--warnings", str(warn), "--as-of", "2027-01-30 12:00"]  # fmt: skip
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code in (0, None)
    printed = capsys.readouterr().out
    assert "Informasi dini: 3 catatan terpetakan" in printed
    assert "Informasi dini per 2027-01-30 12:00 untuk 7 hari: 2 terbuka di sel" in printed
    assert "Sel dengan informasi dini terbuka" in printed
    got = pd.read_csv(out)
    assert got["warnings_open"].sum() == 2
    assert got["n_incidents"].sum() == 38  # the warnings are not incidents
    cell1 = h3.latlng_to_cell(float(u1["inside_lat"]), float(u1["inside_lon"]), 8)
    row = got.set_index("hex_id").loc[cell1]
    assert row["warning_reason"] == "1 informasi dini: " + warning_label("rencana_tawuran")
    text = out.read_text(encoding="utf-8")
    assert "Budi" not in text
    assert "081234567" not in text


def test_exports_keep_counts_and_types_public_ones_no_warning(
    scored_run: dict[str, Any], tmp_path: Any, settings: Settings
) -> None:
    from kamtibmas_geo import export_cells

    cells = scored_run["with"]
    full = pd.read_csv(export_cells(cells, tmp_path / "sel.csv", settings=settings))
    assert full["warnings_open"].sum() == 3
    assert set(full["warning_types"].dropna()) >= {warning_label("balap_liar_terjadwal")}
    assert not [c for c in full.columns if "reporter" in c]
    public = pd.read_csv(export_cells(cells, tmp_path / "publik.csv", public=True,
                                      settings=settings))  # fmt: skip
    # a public output shows no warning per cell (only aggregated to desa with enough reports)
    assert not [c for c in public.columns if "warning" in c]
