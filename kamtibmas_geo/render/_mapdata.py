"""Data preparation of :mod:`kamtibmas_geo.render._map`: compact, escaped JSON for the page.

Everything the browser draws is packed here into plain lists: hexagon rings and boundary
polygons as delta-encoded integers in units of 1e-5 degree (about 1 m), cell properties
column by column, points as parallel arrays. Only whitelisted fields are packed, so
personal columns of the input never reach the page; :func:`script_json` (from
:mod:`kamtibmas_geo._htmlsafe`) escapes ``<``, ``>`` and ``&`` so no string can close the
``<script>`` block that holds the data, and ``{ } % #`` inside strings so no template
syntax appears in the page.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kamtibmas_geo._htmlsafe import script_json
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.boundaries._names import display_name, kecamatan_display_name
from kamtibmas_geo.render._codec import pack_column, pack_ids, pack_labels

__all__ = [
    "GI_COLOURS",
    "MESSAGES",
    "PERSONAL_RE",
    "POST_COLOURS",
    "SCORE_COLOURS",
    "boundary_payload",
    "cells_payload",
    "drop_personal",
    "load_types",
    "points_payload",
    "posts_payload",
    "script_json",
    "split_periods",
    "suppress_cells",
]

SCALE = 100_000  # 1e-5 degree, about 1.1 m

#: Colours of score classes 1..5: ColorBrewer YlOrRd, a sequential scale marked safe for
#: colour-blind readers; lightness falls with every class, so the order also reads in grey.
SCORE_COLOURS = {1: "#ffffb2", 2: "#fecc5c", 3: "#fd8d3c", 4: "#f03b20", 5: "#bd0026"}
#: Poskamling markers: black (existing) and white with a dashed outline (proposed), squares
#: where incidents are circles; no incident type uses either colour.
POST_COLOURS = {"posts": "#111111", "proposed": "#ffffff"}
#: Colours of Gi* bins -3..3 (ColorBrewer RdBu, reversed).
GI_COLOURS = {
    -3: "#2166ac",
    -2: "#67a9cf",
    -1: "#d1e5f0",
    0: "#f7f7f7",
    1: "#fddbc7",
    2: "#ef8a62",
    3: "#b2182b",
}

#: Column names that hold personal data or free text (matched case-insensitively).
PERSONAL_RE = re.compile(
    r"(^|_)(nama|name|nik|ktp|kk|hp|no_hp|phone|telp|telepon|tlp|wa|whatsapp|email|contact|"
    r"kontak|reporter|pelapor|korban|tersangka|pelaku|saksi|keterangan|ket|catatan|notes?|uraian|"
    r"kronologi|deskripsi|description|alamat_rumah|tanggal_lahir|umur|usia)($|_)",
    re.IGNORECASE,
)
_SAFE_COLUMNS = {"desa_name", "kecamatan_name", "kabupaten_name", "region_name"}

MESSAGES = {
    "layer_score": {"id": "Titik rawan (kelas skor)", "en": "Hotspots (score class)"},
    "layer_gi": {"id": "Titik rawan Gi*", "en": "Gi* hotspots"},
    "layer_kab": {"id": "Batas kabupaten/kota", "en": "Kabupaten/kota boundaries"},
    "layer_kec": {"id": "Batas kecamatan", "en": "Kecamatan boundaries"},
    "layer_desa": {"id": "Batas desa/kelurahan", "en": "Desa/kelurahan boundaries"},
    "layer_points": {"id": "Kejadian (klaster)", "en": "Incidents (clustered)"},
    "layer_heat": {"id": "Peta panas kejadian", "en": "Incident heat map"},
    "layer_heat_cells": {
        "id": "Peta panas (agregat sel)",
        "en": "Heat map (cell aggregates)",
    },
    "layer_act": {"id": "Kegiatan Binmas", "en": "Binmas activities"},
    "layer_posts": {"id": "Poskamling yang ada", "en": "Existing Poskamling"},
    "layer_proposed": {"id": "Poskamling usulan", "en": "Proposed Poskamling"},
    "period": {"id": "Periode", "en": "Period"},
    "all_periods": {"id": "Semua periode", "en": "All periods"},
    "legend_score": {"id": "Kelas skor titik rawan", "en": "Hotspot score class"},
    "legend_gi": {"id": "Gi* (Getis-Ord)", "en": "Gi* (Getis-Ord)"},
    "legend_types": {"id": "Jenis kejadian", "en": "Incident types"},
    "legend_public": {
        "id": "Peta publik: sel dengan kurang dari {k} kejadian disembunyikan.",
        "en": "Public map: cells with fewer than {k} incidents are hidden.",
    },
    "search": {"id": "Cari desa/kelurahan…", "en": "Search desa/kelurahan…"},
    "score": {"id": "Skor", "en": "Score"},
    "class": {"id": "kelas", "en": "class"},
    "incidents": {"id": "Kejadian", "en": "Incidents"},
    "activities": {"id": "Kegiatan", "en": "Activities"},
    "trend": {"id": "Tren", "en": "Trend"},
    "gap": {"id": "Celah cakupan", "en": "Coverage gap"},
    "base": {"id": "dasar", "en": "base"},
    "decay": {"id": "peluruhan", "en": "decay"},
    "seasonal": {"id": "musiman", "en": "seasonal"},
    "smoothed": {"id": "dihaluskan", "en": "smoothed"},
    "kec": {"id": "Kec.", "en": "Kec."},
    "kab": {"id": "Kab./Kota", "en": "Kab./City"},
    "desa": {"id": "Desa/Kel.", "en": "Desa/Kel."},
    "time": {"id": "Waktu", "en": "Time"},
    "address": {"id": "Alamat", "en": "Address"},
    "note": {"id": "Keterangan", "en": "Notes"},
    "radius": {"id": "radius", "en": "radius"},
    "post": {"id": "Poskamling", "en": "Poskamling"},
    "proposed": {"id": "usulan", "en": "proposed"},
    "c1": {"id": "1 Sangat rendah", "en": "1 Very low"},
    "c2": {"id": "2 Rendah", "en": "2 Low"},
    "c3": {"id": "3 Sedang", "en": "3 Moderate"},
    "c4": {"id": "4 Tinggi", "en": "4 High"},
    "c5": {"id": "5 Sangat tinggi", "en": "5 Very high"},
    "g-3": {"id": "Titik dingin 99%", "en": "Cold spot 99%"},
    "g-2": {"id": "Titik dingin 95%", "en": "Cold spot 95%"},
    "g-1": {"id": "Titik dingin 90%", "en": "Cold spot 90%"},
    "g0": {"id": "Tidak signifikan", "en": "Not significant"},
    "g1": {"id": "Titik panas 90%", "en": "Hot spot 90%"},
    "g2": {"id": "Titik panas 95%", "en": "Hot spot 95%"},
    "g3": {"id": "Titik panas 99%", "en": "Hot spot 99%"},
    "pra_ramadhan": {"id": "Pra-Ramadhan", "en": "Pre-Ramadhan"},
    "ramadhan": {"id": "Ramadhan", "en": "Ramadhan"},
    "sepuluh_malam_terakhir": {"id": "10 malam terakhir", "en": "Last ten nights"},
    "malam_takbiran": {"id": "Malam takbiran", "en": "Takbiran night"},
    "idul_fitri": {"id": "Idul Fitri", "en": "Eid al-Fitr"},
    "mudik": {"id": "Arus mudik", "en": "Homecoming travel"},
    "balik": {"id": "Arus balik", "en": "Return travel"},
    "attr_bounds": {
        "id": "Batas wilayah \u00a9 Cahya DSN, MIT (cahyadsn/wilayah_boundaries, cahyadsn/wilayah)",
        "en": "Boundaries \u00a9 Cahya DSN, MIT (cahyadsn/wilayah_boundaries, cahyadsn/wilayah)",
    },
    "attr_h3": {"id": "H3 \u00a9 Uber, Apache-2.0", "en": "H3 \u00a9 Uber, Apache-2.0"},
    "kab_short": {"id": "Wilayah", "en": "Jurisdiction"},
    "gi_class": {"id": "Gi*", "en": "Gi*"},
    "p_fdr": {"id": "p terkoreksi FDR", "en": "FDR-corrected p"},
    "p_raw": {"id": "p", "en": "p"},
    "official": {"id": "nama resmi", "en": "official name"},
    "priority": {"id": "Prioritas", "en": "Priorities"},
    "priority_note": {
        "id": "Per Polsek: desa/kelurahan dengan sel kelas 3-5 tertinggi. Klik untuk melihat.",
        "en": "Per Polsek: desa/kelurahan with the highest class 3-5 cells. Click to view.",
    },
    "priority_none": {"id": "tidak ada sel kelas 3-5", "en": "no class 3-5 cells"},
    "legend": {"id": "Legenda", "en": "Legend"},
    "small_cell": {
        "id": "kurang dari 30 kejadian di wilayah ini: kurang andal",
        "en": "fewer than 30 incidents in this jurisdiction: less reliable",
    },
    "decimal": {"id": ",", "en": "."},
}

_DEFAULT_TYPES: dict[str, dict[str, tuple[str, str, str]]] = {
    "disturbance": {
        "petasan": ("Petasan", "Firecrackers", "#e6550d"),
        "balap_liar": ("Balap liar", "Street racing", "#de2d26"),
        "pencurian": ("Pencurian", "Theft", "#756bb1"),
        "tawuran": ("Tawuran", "Brawl", "#a50f15"),
        "lainnya": ("Lainnya", "Other", "#636363"),
    },
    "activity": {
        "sambang": ("Sambang", "Visit", "#3182bd"),
        "patroli": ("Patroli", "Patrol", "#31a354"),
        "lainnya": ("Lainnya", "Other", "#636363"),
    },
}
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def load_types(kind: str, lang: str) -> dict[str, dict[str, str]]:
    """Labels and colours of record types, from ``data/taxonomy.toml`` when present.

    Parameters
    ----------
    kind : {"disturbance", "activity"}
        Which types.
    lang : {"id", "en"}
        Language of the labels.

    Returns
    -------
    dict
        ``{type key: {"label": str, "colour": "#rrggbb", "abbr": str}}``.
    """
    table: dict[str, Any] = {}
    try:
        path = resources.files("kamtibmas_geo").joinpath("data", "taxonomy.toml")
        table = tomllib.loads(path.read_text(encoding="utf-8")).get(kind, {})
    except (FileNotFoundError, tomllib.TOMLDecodeError):
        table = {}
    out: dict[str, dict[str, str]] = {}
    if table:
        for key, entry in table.items():
            label = str(entry.get(f"label_{lang}") or entry.get("label_id") or key)
            colour = str(entry.get("colour", "#636363"))
            out[key] = {"label": label, "colour": colour}
    else:
        for key, (lid, len_, colour) in _DEFAULT_TYPES[kind].items():
            out[key] = {"label": lid if lang == "id" else len_, "colour": colour}
    for entry in out.values():
        if not _HEX_COLOUR.match(entry["colour"]):
            entry["colour"] = "#636363"
    for key, abbr in _abbreviations(list(out)).items():
        out[key]["abbr"] = abbr
    return out


def _abbreviations(keys: list[str]) -> dict[str, str]:
    """One short, distinct marker text per type: initials, lengthened until unique."""
    out: dict[str, str] = {}
    for key in keys:
        words = [w for w in key.split("_") if w] or ["?"]
        options = ["".join(w[0] for w in words[:2])] + [words[0][:n] for n in (2, 3, 4)]
        options.append(key[:6])
        pick = next((o for o in options if o.upper() not in out.values()), key)
        out[key] = pick.upper()
    return out


def _ring(coords: Any) -> list[int]:
    arr = np.rint(np.asarray(coords, dtype=float)[:, :2] * SCALE).astype(np.int64)
    flat = np.empty(arr.size, dtype=np.int64)
    flat[0:2] = arr[0]
    if len(arr) > 1:
        flat[2:] = np.diff(arr, axis=0).ravel()
    return [int(v) for v in flat]


def _polys(geom: Any) -> list[list[list[int]]]:
    if geom is None or geom.is_empty:
        return []
    parts = geom.geoms if hasattr(geom, "geoms") else [geom]
    out = []
    for part in parts:
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        out.append([_ring(part.exterior.coords), *(_ring(r.coords) for r in part.interiors)])
    return out


#: Numeric cell columns packed for the tooltip, with the decimals kept.
NUM_COLS = {
    "score": 3,
    "score_base": 2,
    "score_decay": 2,
    "score_seasonal": 2,
    "score_smoothed": 2,
    "gi_z": 2,
    "gi_p": 4,
    "gi_p_fdr": 4,
    "coverage_gap": 2,
    "score_class": 0,
    "gi_bin": 0,
    "n_incidents": 0,
    "n_activities": 0,
    "warnings_open": 0,
    "score_rank": 0,
    "small_sample": 0,
}
#: Text cell columns packed as a dictionary and a column of codes.
STR_COLS = (
    "desa_name",
    "kecamatan_name",
    "kabupaten_name",
    "kabupaten_code",
    "polsek_name",
    "gi_label",
    "trend_class",
    "trend_label",
    "warning_reason",
)
#: Columns a period layer carries itself; the others are read from the first layer.
PERIOD_COLS = ("score_class", "score", "n_incidents")
_NOT_TYPES = {"n_incidents", "n_activities", "n_desa", "n_hot", "n_cells"}


def type_columns(cells: pd.DataFrame) -> list[str]:
    """Return the ``n_<type>`` count columns of a cell frame.

    Parameters
    ----------
    cells : DataFrame
        Score cells.

    Returns
    -------
    list of str
    """
    return [
        c
        for c in cells.columns
        if isinstance(c, str)
        and c.startswith("n_")
        and c not in _NOT_TYPES
        and not c.startswith(("n_incidents_", "n_activities_"))
    ]


def suppress_cells(cells: pd.DataFrame, k: int) -> pd.DataFrame:
    """Drop cells with fewer than ``k`` incidents (public maps and exports).

    Parameters
    ----------
    cells : DataFrame
        Score cells with ``n_incidents``.
    k : int
        Minimum count kept.

    Returns
    -------
    DataFrame
        A copy without the small cells (all cells when ``n_incidents`` is missing and
        ``k`` is 0, none when it is missing and ``k`` > 0).
    """
    if "n_incidents" not in cells.columns:
        return cells.iloc[0:0].copy() if k > 0 else cells.copy()
    n = pd.to_numeric(cells["n_incidents"], errors="coerce").fillna(0)
    return cells.loc[n >= k].copy()


def drop_personal(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy without personal or free-text columns (see :data:`PERSONAL_RE`).

    Parameters
    ----------
    frame : DataFrame
        Any table.

    Returns
    -------
    DataFrame
    """
    drop = [
        c
        for c in frame.columns
        if isinstance(c, str) and c not in _SAFE_COLUMNS and PERSONAL_RE.search(c)
    ]
    return frame.drop(columns=drop)


def split_periods(
    cells: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame],
) -> list[tuple[str | None, gpd.GeoDataFrame]]:
    """Split the input into ``(period, cells)`` pairs; ``None`` is the all-period frame.

    Parameters
    ----------
    cells : GeoDataFrame or mapping of period -> GeoDataFrame
        Either one frame, possibly with per-period columns ``score_<period>``,
        ``score_class_<period>`` and ``n_incidents_<period>``, or one frame per period.

    Returns
    -------
    list of (str or None, GeoDataFrame)
    """
    if isinstance(cells, Mapping):
        return [(str(k), v) for k, v in cells.items()]
    out: list[tuple[str | None, gpd.GeoDataFrame]] = [(None, cells)]
    if not isinstance(cells, pd.DataFrame):
        return out
    prefix = "score_class_"
    for col in cells.columns:
        if not (isinstance(col, str) and col.startswith(prefix)):
            continue
        period = col[len(prefix) :]
        frame = cells.copy()
        frame["score_class"] = frame[col]
        for base in ("score", "n_incidents"):
            if f"{base}_{period}" in frame.columns:
                frame[base] = frame[f"{base}_{period}"]
        out.append((period, frame))
    return out


def period_label(period: str | None, lang: str) -> str:
    """Return the label of a period (a known phase name or the key itself).

    Parameters
    ----------
    period : str or None
        Period key; ``None`` for all periods.
    lang : {"id", "en"}
        Language.

    Returns
    -------
    str
    """
    if period is None:
        return tr(MESSAGES, "all_periods", lang)
    return tr(MESSAGES, period, lang) if period in MESSAGES else period


def cells_payload(
    cells: gpd.GeoDataFrame,
    *,
    public: bool,
    k: int,
    columns: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Pack one cell frame column by column: ids, numbers, labels and per-type counts.

    Cells are sorted by ``hex_id``; every column follows that order. Nothing of the
    geometry is sent: the page draws each hexagon from its id with h3-js.

    Parameters
    ----------
    cells : GeoDataFrame
        Score cells with valid ``hex_id`` of one resolution.
    public : bool
        Whether counts below ``k`` are hidden (packed as ``-1``, read "< k").
    k : int
        Public minimum count.
    columns : tuple of str, optional
        Pack only these property columns (a period layer that reads the rest from the
        first layer); all known columns by default.

    Returns
    -------
    dict
        ``ids`` (:func:`~kamtibmas_geo.render._codec.pack_ids`), ``p`` (numbers as packed
        columns, texts as their sorted distinct values), ``c`` (the codes of the texts),
        ``disp`` (the desa names as staff write them, parallel to ``p["desa_name"]``),
        ``types`` and ``counts`` (packed per-type counts).
    """
    frame = cells.sort_values("hex_id", kind="stable")
    keep = set(columns) if columns is not None else None
    props: dict[str, Any] = {}
    codes: dict[str, Any] = {}
    for col, digits in NUM_COLS.items():
        if col in frame.columns and (keep is None or col in keep):
            props[col] = pack_column(frame[col], digits)
    for col in STR_COLS:
        if col in frame.columns and (keep is None or col in keep):
            props[col], codes[col] = pack_labels(frame[col])
    out: dict[str, Any] = {"ids": pack_ids(frame["hex_id"].astype(str).tolist()), "p": props}
    out["c"] = codes
    disp = {}
    if "desa_name" in props:
        disp["desa_name"] = [display_name(v) for v in props["desa_name"]]
    if "kecamatan_name" in props:
        disp["kecamatan_name"] = [kecamatan_display_name(v) for v in props["kecamatan_name"]]
    if disp:
        out["disp"] = disp
    types = type_columns(frame) if keep is None else []
    counts = []
    for col in types:
        vals = pd.to_numeric(frame[col], errors="coerce").fillna(0).round().astype(int)
        if public:
            vals = vals.where((vals == 0) | (vals >= k), -1)
        counts.append(pack_column(vals, 0))
    out["types"] = [c[2:] for c in types]
    out["counts"] = counts
    return out


def boundary_payload(frame: gpd.GeoDataFrame, tolerance: float) -> dict[str, Any]:
    """Pack simplified boundary polygons with name, kecamatan and kabupaten names.

    Parameters
    ----------
    frame : GeoDataFrame
        Boundaries of one level (``name`` and optionally parent names).
    tolerance : float
        Simplification tolerance in degrees.

    Returns
    -------
    dict
    """
    geoms = shapely.simplify(np.asarray(frame.geometry.values), tolerance, preserve_topology=True)
    out: dict[str, Any] = {"g": [_polys(g) for g in geoms]}
    for col, key in (("name", "name"), ("kecamatan_name", "kec"), ("kabupaten_name", "kab")):
        if col in frame.columns:
            out[key] = [None if pd.isna(v) else str(v) for v in frame[col].tolist()]
    bounds = np.round(frame.geometry.bounds.to_numpy(), 5)
    out["bbox"] = bounds.tolist()
    inside = shapely.point_on_surface(np.asarray(frame.geometry.values))
    points = np.column_stack([shapely.get_y(inside), shapely.get_x(inside)])
    out["pt"] = np.round(points, 5).tolist()
    return out


def _coords(points: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    geom = points.geometry
    ok = np.array(~(geom.isna() | geom.is_empty), dtype=bool)
    if ok.any():
        ok[ok] = np.asarray(geom[ok].geom_type == "Point")
    x = np.full(len(points), np.nan)
    y = np.full(len(points), np.nan)
    x[ok] = shapely.get_x(np.asarray(geom.values)[ok])
    y[ok] = shapely.get_y(np.asarray(geom.values)[ok])
    ok &= np.isfinite(x) & np.isfinite(y)
    return x, y, ok


def _minutes(values: pd.Series) -> pd.Series:
    """Wall-clock minutes since 1970-01-01 00:00 of each time (its own time zone kept)."""
    times = pd.to_datetime(values, errors="coerce")
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_localize(None)
    start = pd.Timestamp("1970-01-01")
    return ((times - start) // pd.Timedelta(minutes=1)).astype("Float64")


def points_payload(
    points: gpd.GeoDataFrame, types: Mapping[str, Any], *, notes: bool
) -> dict[str, Any]:
    """Pack points: lat/lon (1e-5 degree), type index, time, address and (optionally) notes.

    Numbers are packed columns (:func:`~kamtibmas_geo.render._codec.pack_column`; the
    time in wall-clock minutes since 1970); texts stay plain lists in the input order.

    Parameters
    ----------
    points : GeoDataFrame
        Point records (``type``, ``time``, ``address``, ``keterangan`` when present).
    types : mapping
        Known type keys (unknown types map to ``"lainnya"``).
    notes : bool
        Whether the free-text ``keterangan`` is packed (never in public maps).

    Returns
    -------
    dict
    """
    pts = points.to_crs(4326) if points.crs is not None else points
    x, y, ok = _coords(pts)
    pts = pts.loc[ok]
    keys = list(types)
    index = {k: i for i, k in enumerate(keys)}
    fallback = index.get("lainnya", 0)
    if "type" in pts.columns:
        tcol = [index.get(str(t), fallback) for t in pts["type"].tolist()]
    else:
        tcol = [fallback] * len(pts)
    out: dict[str, Any] = {
        "n": int(ok.sum()),
        "lat": pack_column(y[ok], 5),
        "lon": pack_column(x[ok], 5),
        "t": pack_column(tcol, 0),
        "keys": keys,
        "used": sorted(set(tcol)),
    }
    if "time" in pts.columns:
        out["time"] = pack_column(_minutes(pts["time"]), 0)
    if "address" in pts.columns:
        out["addr"] = [None if pd.isna(v) else str(v) for v in pts["address"].tolist()]
    if notes and "keterangan" in pts.columns:
        out["note"] = [None if pd.isna(v) else str(v) for v in pts["keterangan"].tolist()]
    return out


def posts_payload(posts: gpd.GeoDataFrame, radius_m: float, *, public: bool) -> dict[str, Any]:
    """Pack Poskamling points with their name and coverage radius.

    Parameters
    ----------
    posts : GeoDataFrame
        Post points; the name comes from ``name``/``nama_pos``/``label``/``post_id``
        (also ``nama`` outside public mode), the radius from ``radius_m`` and the
        status (e.g. aktif / tidak aktif) from ``status`` when present.
    radius_m : float
        Default coverage radius in metres.
    public : bool
        Public mode.

    Returns
    -------
    dict
    """
    pts = posts.to_crs(4326) if posts.crs is not None else posts
    x, y, ok = _coords(pts)
    pts = pts.loc[ok]
    name_cols = ["name", "nama_pos", "label", "post_id"] + ([] if public else ["nama"])
    names: list[str | None] = [None] * len(pts)
    for col in name_cols:
        if col in pts.columns:
            names = [None if pd.isna(v) else str(v) for v in pts[col].tolist()]
            break
    if "radius_m" in pts.columns:
        radius = pd.to_numeric(pts["radius_m"], errors="coerce").fillna(radius_m)
    else:
        radius = pd.Series(radius_m, index=pts.index)
    status: list[str | None] = [None] * len(pts)
    if "status" in pts.columns:
        status = [None if pd.isna(v) else str(v) for v in pts["status"].tolist()]
    return {
        "lat": np.round(y[ok], 5).tolist(),
        "lon": np.round(x[ok], 5).tolist(),
        "name": names,
        "status": status,
        "r": [round(float(v), 1) for v in radius.tolist()],
    }
