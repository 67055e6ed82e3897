"""Building the boundary pack's frames from the verified upstream files (the build rules).

The rules are documented in :mod:`kamtibmas_geo.boundaries._pack`; this module turns the
upstream SQL files into the desa, kecamatan and kabupaten GeoDataFrames and refuses a
result that does not reproduce the official facts (:func:`build_frames`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from kamtibmas_geo._errors import BoundaryError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.boundaries._regions import (
    DEFAULT_CODES,
    EXPECTED_COUNTS,
    OFFICIAL_VILLAGES,
    REGIONS,
)

__all__ = [
    "AREA_TOLERANCE",
    "EQUAL_AREA_CRS",
    "EXPECTED_COUNTS",
    "KEL_KEYS",
    "OVERLAP_TOLERANCE_M2",
    "REGIONS",
    "SLIVER_WIDTH_M",
    "build_frames",
    "missing_villages_of",
]

#: Manifest key of the village file of each kabupaten/kota.
KEL_KEYS: dict[str, str] = {
    code: {"16.02": "kel_oki", "16.71": "kel_palembang"}.get(code, f"kel_{code.replace('.', '')}")
    for code in EXPECTED_COUNTS
}

#: Largest allowed relative difference of a kabupaten's built area from its official area.
AREA_TOLERANCE = 0.005
#: Largest allowed overlap between two neighbouring villages after the build, in m², unless
#: the overlap is a rounding sliver (see :data:`SLIVER_WIDTH_M`).
OVERLAP_TOLERANCE_M2 = 1.0
#: Overlaps (and parts of a desa outside its kecamatan) no wider on average than this, in
#: metres (twice the area over the perimeter), are rounding to the 1e-7° grid (about 1.1 cm),
#: whatever their area: a long border snapped to the grid leaves a few m² of slivers a few
#: millimetres wide (Lahat, Ogan Ilir).
SLIVER_WIDTH_M = 0.01

EQUAL_AREA_CRS = "EPSG:6933"
_GRID = 1e-7

_ROW = re.compile(r"\('([0-9.]+)','((?:[^']|'')*)',(-?[0-9.]+),(-?[0-9.]+),'(\[.*?\])'\)")
_NAME_ROW = re.compile(r"\('(16\.[0-9]{2}(?:\.[0-9.]+)?)','((?:[^']|'')*)'\)")
_AREA_ROW = re.compile(r"\('(16\.[0-9]{2})','(?:[^']|'')*',([0-9.]+)\)")
MESSAGES = {
    "failed": {
        "id": "Paket batas wilayah gagal divalidasi; sumbernya sudah terverifikasi, jadi "
        "laporkan daftar ini ke pengembang:\n- ",
        "en": "The boundary pack failed validation:\n- ",
    },
    "counts": {
        "id": "{code}: seharusnya {n_kec} kecamatan dan {n_desa} desa/kelurahan, terbangun "
        "{got_kec} dan {got_desa}",
        "en": "{code}: expected {n_kec} kecamatan and {n_desa} desa/kelurahan, built "
        "{got_kec} and {got_desa}",
    },
    "codes": {
        "id": "{code}: kode desa berbeda dari daftar resmi: {diff}",
        "en": "{code}: village codes differ from the official list: {diff}",
    },
    "official": {
        "id": "{code}: daftar resmi berisi {got} desa/kelurahan, seharusnya {expected}",
        "en": "{code}: the official list holds {got} desa/kelurahan, expected {expected}",
    },
    "invalid": {
        "id": "geometri {level} tidak sah atau kosong: {codes}",
        "en": "invalid or empty {level} geometries: {codes}",
    },
    "outside": {
        "id": "desa di luar kecamatannya: {codes}",
        "en": "desa outside their kecamatan: {codes}",
    },
    "overlap": {
        "id": "desa bertetangga tumpang tindih {area:.1f} m² (> {tol} m²): {a} dan {b}",
        "en": "neighbouring desa overlap by {area:.1f} m² (> {tol} m²): {a} and {b}",
    },
    "area": {
        "id": "{code}: luas terbangun {area:.3f} km² berbeda {rel:.2%} dari luas resmi "
        "{official:.3f} km² (> {tol:.1%})",
        "en": "{code}: built area {area:.3f} km² differs from the official {official:.3f} "
        "km² by {rel:.2%} (> {tol:.1%})",
    },
}

_POP_ROW = re.compile(r"\('(16\.[0-9]{2})','(?:[^']|'')*','([0-9]+)','([0-9]+)','([0-9]+)'\)")


# --------------------------------------------------------------------------- parsing


def _polygon_from_path(path: list[Any]) -> BaseGeometry:
    depth, probe = 0, path
    while isinstance(probe, list) and probe:
        depth += 1
        probe = probe[0]
    polygons = [path] if depth == 3 else path
    parts = []
    for rings in polygons:
        geom: BaseGeometry | None = None
        for ring in rings:
            if len(ring) < 3:
                continue
            ring_geom = shapely.make_valid(Polygon([(lng, lat) for lat, lng in ring]))
            geom = ring_geom if geom is None else shapely.symmetric_difference(geom, ring_geom)
        if geom is not None:
            parts.append(geom)
    return _polygonal(shapely.union_all(parts))


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the polygonal parts of ``geom`` (overlays may leave lines and points)."""
    geom = shapely.make_valid(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else Polygon()


def _parse_polygons(text: str) -> pd.DataFrame:
    rows = _ROW.findall(text)
    return pd.DataFrame(
        {
            "code": [r[0] for r in rows],
            "name_upstream": [r[1].replace("''", "'") for r in rows],
            "geometry": [_polygon_from_path(json.loads(r[4])) for r in rows],
        }
    )


def _parse_names(text: str) -> dict[str, str]:
    return {code: name.replace("''", "'") for code, name in _NAME_ROW.findall(text)}


# --------------------------------------------------------------------------- build


def _remove_overlaps(geoms: list[BaseGeometry]) -> list[BaseGeometry]:
    """Let the geometry with the smaller index keep any area it shares with a later one."""
    tree = shapely.STRtree(geoms)
    out = list(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    earlier: dict[int, list[int]] = {}
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if j < i:
            earlier.setdefault(i, []).append(j)
    for i, js in earlier.items():
        others = shapely.union_all([geoms[j] for j in js], grid_size=_GRID)
        out[i] = _polygonal(shapely.difference(out[i], others, grid_size=_GRID))
    return out


def _fill_gaps(geoms: list[BaseGeometry], groups: Sequence[str]) -> list[BaseGeometry]:
    """Give each interior gap of a group's union to the member sharing the longest border."""
    out = list(geoms)
    group_arr = np.asarray(groups)
    for group in dict.fromkeys(groups):
        idx = np.flatnonzero(group_arr == group)
        union = shapely.union_all([out[i] for i in idx], grid_size=_GRID)
        holes = [
            Polygon(ring) for part in getattr(union, "geoms", [union]) for ring in part.interiors
        ]
        if not holes:
            continue
        members = [out[i] for i in idx]
        tree = shapely.STRtree(members)
        gains: dict[int, list[BaseGeometry]] = {}
        # the same member borders many holes: buffer it, and union each set of them, once
        buffered: dict[int, BaseGeometry] = {}
        unions: dict[tuple[int, ...], BaseGeometry] = {}
        for hole in holes:
            candidates = tree.query(hole.buffer(1e-6), predicate="intersects").tolist()
            if len(candidates) == 0:
                continue
            border = hole.boundary
            for c in candidates:
                if c not in buffered:
                    buffered[c] = members[c].buffer(1e-6)
            shared = [border.intersection(buffered[c]).length for c in candidates]
            best = int(candidates[int(np.argmax(shared))])
            key = tuple(candidates)
            if key not in unions:
                unions[key] = shapely.union_all([members[c] for c in key], grid_size=_GRID)
            gains.setdefault(int(idx[best]), []).append(
                shapely.difference(hole, unions[key], grid_size=_GRID)
            )
        for i, extra in gains.items():
            out[i] = _polygonal(shapely.union_all([out[i], *extra], grid_size=_GRID))
    return out


def _areas_km2(geoms: gpd.GeoSeries) -> np.ndarray:
    return np.asarray(geoms.to_crs(EQUAL_AREA_CRS).area / 1e6)


def _inside_points(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    pts = gdf.geometry.representative_point()
    gdf["inside_lon"] = pts.x.round(7)
    gdf["inside_lat"] = pts.y.round(7)
    return gdf


def build_frames(
    paths: dict[str, Path], codes: Sequence[str] = DEFAULT_CODES
) -> dict[str, gpd.GeoDataFrame]:
    """Build the desa, kecamatan and kabupaten frames from the verified upstream files.

    Parameters
    ----------
    paths : dict
        Manifest key → path of a verified upstream file (``names``, ``area``,
        ``population`` and the village file of each region, :data:`KEL_KEYS`), as
        returned by :func:`~kamtibmas_geo.boundaries._sources.obtain`.
    codes : sequence of str
        The kabupaten/kota to build; OKI and Palembang by default.

    Returns
    -------
    dict
        ``{"desa": ..., "kecamatan": ..., "kabupaten": ...}``, GeoDataFrames in EPSG:4326
        sorted by code, built by the rules of :mod:`kamtibmas_geo.boundaries._pack`.

    Raises
    ------
    BoundaryError
        The result does not reproduce the official facts (counts, codes, areas) or has
        invalid, overlapping or stray geometries; the message lists every problem.
    """
    facts = _read_facts(paths)
    raw = _read_polygons(paths, codes)
    geoms = _settle(list(raw["geometry"]), list(raw["code"].str[:5]))
    desa = _desa_frame(raw, geoms, facts.names)
    kec = _dissolve(desa, "kecamatan_code", facts.names)
    kec["kabupaten_code"] = kec["code"].str[:5]
    kec["kabupaten_name"] = kec["kabupaten_code"].map(facts.names)
    kab = _kabupaten_frame(desa, kec, facts, _overlap_km2(raw, codes))
    frames = {"desa": desa, "kecamatan": kec, "kabupaten": kab}
    for level, frame in frames.items():
        frame.insert(2, "level", level)
        _inside_points(frame)
    _validate(frames, facts.names, codes)
    return frames


def missing_villages_of(
    paths: dict[str, Path], desa: gpd.GeoDataFrame, codes: Sequence[str]
) -> list[dict[str, str]]:
    """Return the official desa/kelurahan of ``codes`` that have no polygon in ``desa``.

    Parameters
    ----------
    paths : dict
        As in :func:`build_frames` (only ``names`` is read).
    desa : GeoDataFrame
        The built desa of ``codes``.
    codes : sequence of str
        Kabupaten/kota codes.

    Returns
    -------
    list of dict
        ``code``, ``name``, ``kind``, ``kecamatan_code``, ``kecamatan_name``,
        ``kabupaten_code``, ``kabupaten_name`` of each village without polygon, by code.
    """
    names = _parse_names(paths["names"].read_text(encoding="utf-8"))
    built = set(desa["code"])
    missing = sorted(c for c in _official_villages(names, codes) if c not in built)
    return [
        {
            "code": c,
            "name": names[c],
            "kind": "kelurahan" if c[9] == "1" else "desa",
            "kecamatan_code": c[:8],
            "kecamatan_name": names.get(c[:8], c[:8]),
            "kabupaten_code": c[:5],
            "kabupaten_name": names.get(c[:5], c[:5]),
        }
        for c in missing
    ]


def _official_villages(names: dict[str, str], codes: Sequence[str]) -> set[str]:
    """Return the official desa/kelurahan codes of the kabupaten ``codes``."""
    wanted = set(codes)
    return {c for c in names if len(c) == 13 and c[:5] in wanted}


@dataclass(frozen=True, slots=True)
class _Facts:
    """The official facts of the upstream tables: names, areas (km²) and population."""

    names: dict[str, str]
    area: dict[str, float]
    population: dict[str, tuple[int, int, int]]


def _read_facts(paths: dict[str, Path]) -> _Facts:
    """Read the official names, kabupaten areas and population (male, female, total)."""
    names = _parse_names(paths["names"].read_text(encoding="utf-8"))
    area_text = paths["area"].read_text(encoding="utf-8")
    area = {code: float(v) for code, v in _AREA_ROW.findall(area_text)}
    pop_text = paths["population"].read_text(encoding="utf-8")
    population = {code: (int(m), int(f), int(t)) for code, m, f, t in _POP_ROW.findall(pop_text)}
    return _Facts(names, area, population)


def _read_polygons(paths: dict[str, Path], codes: Sequence[str]) -> pd.DataFrame:
    """Read the village polygons of the regions, sorted by code, valid and on the grid."""
    raw = pd.concat(
        [_parse_polygons(paths[KEL_KEYS[code]].read_text(encoding="utf-8")) for code in codes],
        ignore_index=True,
    )
    raw = raw.sort_values("code", kind="stable").reset_index(drop=True)
    raw["geometry"] = [
        _polygonal(shapely.set_precision(shapely.make_valid(g), _GRID)) for g in raw["geometry"]
    ]
    return raw


def _overlap_km2(raw: pd.DataFrame, codes: Sequence[str]) -> float:
    """Return the area the upstream villages overlap by (sum of parts minus the unions)."""
    raw_gs = gpd.GeoSeries(raw["geometry"], crs=4326)
    unions = gpd.GeoSeries(
        [shapely.union_all(list(raw_gs[raw["code"].str[:5] == k])) for k in codes],
        crs=4326,
    )
    return float(_areas_km2(raw_gs).sum() - _areas_km2(unions).sum())


def _settle(geoms: list[BaseGeometry], groups: Sequence[str]) -> list[BaseGeometry]:
    """Apply the build rules: overlaps to the smaller code, gaps to the longest border."""
    geoms = _remove_overlaps(geoms)
    geoms = _fill_gaps(geoms, groups)
    # Filling gaps may leave thin slivers where two gains touch: settle them by the same rule.
    return _remove_overlaps(geoms)


def _desa_frame(
    raw: pd.DataFrame, geoms: list[BaseGeometry], names: dict[str, str]
) -> gpd.GeoDataFrame:
    """Return the desa/kelurahan with official names, kind, parent codes and names, area."""
    desa = gpd.GeoDataFrame(
        {
            "code": raw["code"],
            "name": [
                names.get(c, n) for c, n in zip(raw["code"], raw["name_upstream"], strict=True)
            ],
            "name_upstream": raw["name_upstream"],
            "kind": np.where(raw["code"].str[9] == "1", "kelurahan", "desa"),
        },
        geometry=gpd.GeoSeries(geoms, crs=4326),
    )
    desa["kecamatan_code"] = desa["code"].str[:8]
    desa["kabupaten_code"] = desa["code"].str[:5]
    desa["kecamatan_name"] = desa["kecamatan_code"].map(names)
    desa["kabupaten_name"] = desa["kabupaten_code"].map(names)
    desa["area_km2"] = _areas_km2(desa.geometry)
    return desa


def _dissolve(desa: gpd.GeoDataFrame, key: str, names: dict[str, str]) -> gpd.GeoDataFrame:
    """Return the units made by the union of the desa sharing ``key``, in first-seen order."""
    codes = list(dict.fromkeys(desa[key]))
    geoms = [
        _polygonal(shapely.union_all(list(desa.geometry[desa[key] == c]), grid_size=_GRID))
        for c in codes
    ]
    out = gpd.GeoDataFrame(
        {"code": codes, "name": [names.get(c, c) for c in codes]},
        geometry=gpd.GeoSeries(geoms, crs=4326),
    )
    out["n_desa"] = [int((desa[key] == c).sum()) for c in codes]
    out["area_km2"] = _areas_km2(out.geometry)
    return out


def _kabupaten_frame(
    desa: gpd.GeoDataFrame, kec: gpd.GeoDataFrame, facts: _Facts, raw_overlap_km2: float
) -> gpd.GeoDataFrame:
    """Return the kabupaten with their kecamatan count, official area and population."""
    kab = _dissolve(desa, "kabupaten_code", facts.names)
    population = facts.population
    kab["n_kecamatan"] = [int((kec["kabupaten_code"] == c).sum()) for c in kab["code"]]
    kab["official_area_km2"] = kab["code"].map(facts.area)
    kab["population"] = kab["code"].map(lambda c: population.get(c, (0, 0, 0))[2])
    kab["population_male"] = kab["code"].map(lambda c: population.get(c, (0, 0, 0))[0])
    kab["population_female"] = kab["code"].map(lambda c: population.get(c, (0, 0, 0))[1])
    kab["raw_overlap_km2"] = raw_overlap_km2
    return kab


REGIONS_CODES = DEFAULT_CODES

#: A problem found by :func:`_validate`: message key and values.
_Problem = tuple[str, dict[str, Any]]


def _validate(
    frames: dict[str, gpd.GeoDataFrame],
    names: dict[str, str],
    codes: Sequence[str] = DEFAULT_CODES,
) -> None:
    """Refuse a pack that does not reproduce the official facts, naming every problem."""
    desa, kec, kab = frames["desa"], frames["kecamatan"], frames["kabupaten"]
    problems = _count_problems(desa, kec, names, codes)
    for level, frame in frames.items():
        bad = frame.loc[~frame.geometry.is_valid | frame.geometry.is_empty, "code"]
        if len(bad):
            problems.append(("invalid", {"level": level, "codes": list(bad)[:5]}))
    problems += _nesting_problems(desa, kec)
    for row in kab.itertuples():
        rel = abs(row.area_km2 - row.official_area_km2) / row.official_area_km2
        if rel > AREA_TOLERANCE:
            values = {"area": row.area_km2, "official": row.official_area_km2, "rel": rel}
            problems.append(("area", {"code": row.code, "tol": AREA_TOLERANCE, **values}))
    if problems:
        text = {
            lang: tr(MESSAGES, "failed", lang)
            + "\n- ".join(tr(MESSAGES, key, lang, **values) for key, values in problems)
            for lang in ("id", "en")
        }
        raise BoundaryError.say({"failed": text}, "failed")


def _count_problems(
    desa: gpd.GeoDataFrame,
    kec: gpd.GeoDataFrame,
    names: dict[str, str],
    codes: Sequence[str] = DEFAULT_CODES,
) -> list[_Problem]:
    """Compare the kecamatan and desa of each kabupaten with the official counts and codes.

    Every built village must be an official one; official villages without polygon are
    allowed only as many as the pinned upstream lacks (:data:`OFFICIAL_VILLAGES` minus
    the polygons of :data:`EXPECTED_COUNTS`), and they are listed, never invented.
    """
    problems: list[_Problem] = []
    for code in codes:
        n_kec, n_desa = EXPECTED_COUNTS[code]
        got_kec = int((kec["kabupaten_code"] == code).sum())
        got_desa = int((desa["kabupaten_code"] == code).sum())
        if (got_kec, got_desa) != (n_kec, n_desa):
            counts = {"n_kec": n_kec, "n_desa": n_desa, "got_kec": got_kec, "got_desa": got_desa}
            problems.append(("counts", {"code": code, **counts}))
        official_desa = _official_villages(names, [code])
        if len(official_desa) != OFFICIAL_VILLAGES[code]:
            values = {"got": len(official_desa), "expected": OFFICIAL_VILLAGES[code]}
            problems.append(("official", {"code": code, **values}))
        built_desa = set(desa.loc[desa["kabupaten_code"] == code, "code"])
        unexpected = built_desa - official_desa
        without = official_desa - built_desa
        if len(without) != OFFICIAL_VILLAGES[code] - n_desa:
            unexpected |= without
        if unexpected:
            problems.append(("codes", {"code": code, "diff": sorted(unexpected)[:5]}))
    return problems


def _nesting_problems(desa: gpd.GeoDataFrame, kec: gpd.GeoDataFrame) -> list[_Problem]:
    """Find desa reaching outside their kecamatan and neighbouring desa that overlap."""
    problems: list[_Problem] = []
    kec_geom = kec.set_index("code").geometry
    outside = shapely.difference(
        desa.geometry.values, kec_geom.loc[desa["kecamatan_code"]].values, grid_size=_GRID
    )
    out_area = _beyond_rounding(outside)
    if (out_area > OVERLAP_TOLERANCE_M2).any():
        problems.append(("outside", {"codes": list(desa.code[out_area > 1.0])[:5]}))
    left, right = shapely.STRtree(desa.geometry.values).query(
        desa.geometry.values, predicate="intersects"
    )
    keep = left < right
    if keep.any():
        inter = shapely.intersection(
            desa.geometry.values[left[keep]], desa.geometry.values[right[keep]], grid_size=_GRID
        )
        inter_area = _beyond_rounding(inter)
        if (inter_area > OVERLAP_TOLERANCE_M2).any():
            worst = int(np.argmax(inter_area))
            pair = {
                "a": desa.code.iloc[left[keep][worst]],
                "b": desa.code.iloc[right[keep][worst]],
            }
            values = {"area": inter_area[worst], "tol": OVERLAP_TOLERANCE_M2, **pair}
            problems.append(("overlap", values))
    return problems


def _beyond_rounding(pieces: np.ndarray) -> np.ndarray:
    """Return the area (m²) of each piece, 0 for slivers thinner than :data:`SLIVER_WIDTH_M`."""
    metric = gpd.GeoSeries(pieces, crs=4326).to_crs(EQUAL_AREA_CRS)
    area = np.asarray(metric.area)
    length = np.asarray(metric.length)
    width = np.divide(2 * area, length, out=np.zeros_like(area), where=length > 0)
    return np.where(width > SLIVER_WIDTH_M, area, 0.0)
