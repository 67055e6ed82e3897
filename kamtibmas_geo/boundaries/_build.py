"""Building the boundary pack's frames from the verified upstream files (the build rules).

The rules are documented in :mod:`kamtibmas_geo.boundaries._pack`; this module turns the
upstream SQL files into the desa, kecamatan and kabupaten GeoDataFrames and refuses a
result that does not reproduce the official facts (:func:`build_frames`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from kamtibmas_geo._errors import BoundaryError

__all__ = [
    "AREA_TOLERANCE",
    "EQUAL_AREA_CRS",
    "EXPECTED_COUNTS",
    "OVERLAP_TOLERANCE_M2",
    "REGIONS",
    "build_frames",
]

#: The regions of the pack: key → (Kemendagri code, display name).
REGIONS: dict[str, tuple[str, str]] = {
    "oki": ("16.02", "Kabupaten Ogan Komering Ilir"),
    "palembang": ("16.71", "Kota Palembang"),
}

#: Facts the built pack must reproduce: code → (kecamatan, desa/kelurahan).
EXPECTED_COUNTS: dict[str, tuple[int, int]] = {"16.02": (18, 327), "16.71": (18, 107)}

#: Largest allowed relative difference of a kabupaten's built area from its official area.
AREA_TOLERANCE = 0.005
#: Largest allowed overlap between two neighbouring villages after the build, in m².
OVERLAP_TOLERANCE_M2 = 1.0

EQUAL_AREA_CRS = "EPSG:6933"
_GRID = 1e-7

_ROW = re.compile(r"\('([0-9.]+)','((?:[^']|'')*)',(-?[0-9.]+),(-?[0-9.]+),'(\[.*?\])'\)")
_NAME_ROW = re.compile(r"\('(16\.(?:02|71)(?:\.[0-9.]+)?)','((?:[^']|'')*)'\)")
_AREA_ROW = re.compile(r"\('(16\.(?:02|71))','(?:[^']|'')*',([0-9.]+)\)")
_POP_ROW = re.compile(r"\('(16\.(?:02|71))','(?:[^']|'')*','([0-9]+)','([0-9]+)','([0-9]+)'\)")


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
        for hole in holes:
            candidates = tree.query(hole.buffer(1e-6), predicate="intersects")
            if len(candidates) == 0:
                continue
            border = hole.boundary
            shared = [
                border.intersection(members[c].buffer(1e-6)).length for c in candidates.tolist()
            ]
            best = int(candidates[int(np.argmax(shared))])
            around = shapely.union_all([members[c] for c in candidates.tolist()], grid_size=_GRID)
            gains.setdefault(int(idx[best]), []).append(
                shapely.difference(hole, around, grid_size=_GRID)
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


def build_frames(paths: dict[str, Path]) -> dict[str, gpd.GeoDataFrame]:
    names = _parse_names(paths["names"].read_text(encoding="utf-8"))
    area_text = paths["area"].read_text(encoding="utf-8")
    official_area = {code: float(v) for code, v in _AREA_ROW.findall(area_text)}
    pop_text = paths["population"].read_text(encoding="utf-8")
    population = {code: (int(m), int(f), int(t)) for code, m, f, t in _POP_ROW.findall(pop_text)}

    raw = pd.concat(
        [
            _parse_polygons(paths["kel_oki"].read_text(encoding="utf-8")),
            _parse_polygons(paths["kel_palembang"].read_text(encoding="utf-8")),
        ],
        ignore_index=True,
    )
    raw = raw.sort_values("code", kind="stable").reset_index(drop=True)
    raw["geometry"] = [
        _polygonal(shapely.set_precision(shapely.make_valid(g), _GRID)) for g in raw["geometry"]
    ]
    raw_gs = gpd.GeoSeries(raw["geometry"], crs=4326)
    raw_overlap_km2 = float(
        _areas_km2(raw_gs).sum()
        - _areas_km2(
            gpd.GeoSeries(
                [shapely.union_all(list(raw_gs[raw["code"].str[:5] == k])) for k in REGIONS_CODES],
                crs=4326,
            )
        ).sum()
    )

    geoms = _remove_overlaps(list(raw["geometry"]))
    geoms = _fill_gaps(geoms, list(raw["code"].str[:5]))
    # Filling gaps may leave thin slivers where two gains touch: settle them by the same rule.
    geoms = _remove_overlaps(geoms)

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

    def _dissolve(key: str, level: str) -> gpd.GeoDataFrame:
        codes = list(dict.fromkeys(desa[key]))
        geoms_ = [
            _polygonal(shapely.union_all(list(desa.geometry[desa[key] == c]), grid_size=_GRID))
            for c in codes
        ]
        out = gpd.GeoDataFrame(
            {"code": codes, "name": [names.get(c, c) for c in codes]},
            geometry=gpd.GeoSeries(geoms_, crs=4326),
        )
        out["n_desa"] = [int((desa[key] == c).sum()) for c in codes]
        out["area_km2"] = _areas_km2(out.geometry)
        return out

    kec = _dissolve("kecamatan_code", "kecamatan")
    kec["kabupaten_code"] = kec["code"].str[:5]
    kec["kabupaten_name"] = kec["kabupaten_code"].map(names)
    kab = _dissolve("kabupaten_code", "kabupaten")
    kab["n_kecamatan"] = [int((kec["kabupaten_code"] == c).sum()) for c in kab["code"]]
    kab["official_area_km2"] = kab["code"].map(official_area)
    kab["population"] = kab["code"].map(lambda c: population.get(c, (0, 0, 0))[2])
    kab["population_male"] = kab["code"].map(lambda c: population.get(c, (0, 0, 0))[0])
    kab["population_female"] = kab["code"].map(lambda c: population.get(c, (0, 0, 0))[1])
    kab["raw_overlap_km2"] = raw_overlap_km2

    frames = {"desa": desa, "kecamatan": kec, "kabupaten": kab}
    for level, frame in frames.items():
        frame.insert(2, "level", level)
        _inside_points(frame)
    _validate(frames, names)
    return frames


REGIONS_CODES = tuple(code for code, _ in REGIONS.values())


def _validate(frames: dict[str, gpd.GeoDataFrame], names: dict[str, str]) -> None:
    desa, kec, kab = frames["desa"], frames["kecamatan"], frames["kabupaten"]
    problems: list[str] = []
    for code, (n_kec, n_desa) in EXPECTED_COUNTS.items():
        got_kec = int((kec["kabupaten_code"] == code).sum())
        got_desa = int((desa["kabupaten_code"] == code).sum())
        if (got_kec, got_desa) != (n_kec, n_desa):
            problems.append(
                f"{code}: expected {n_kec} kecamatan and {n_desa} desa/kelurahan, "
                f"built {got_kec} and {got_desa}"
            )
        official_desa = {c for c in names if c.startswith(code + ".") and len(c) == 13}
        built_desa = set(desa.loc[desa["kabupaten_code"] == code, "code"])
        if official_desa != built_desa:
            diff = sorted(official_desa ^ built_desa)[:5]
            problems.append(f"{code}: village codes differ from the official list: {diff}")
    for level, frame in frames.items():
        bad = frame.loc[~frame.geometry.is_valid | frame.geometry.is_empty, "code"]
        if len(bad):
            problems.append(f"invalid or empty {level} geometries: {list(bad)[:5]}")
    kec_geom = kec.set_index("code").geometry
    outside = shapely.difference(
        desa.geometry.values, kec_geom.loc[desa["kecamatan_code"]].values, grid_size=_GRID
    )
    out_area = _areas_km2(gpd.GeoSeries(outside, crs=4326)) * 1e6
    if (out_area > OVERLAP_TOLERANCE_M2).any():
        problems.append(f"desa outside their kecamatan: {list(desa.code[out_area > 1.0])[:5]}")
    left, right = shapely.STRtree(desa.geometry.values).query(
        desa.geometry.values, predicate="intersects"
    )
    keep = left < right
    if keep.any():
        inter = shapely.intersection(
            desa.geometry.values[left[keep]], desa.geometry.values[right[keep]], grid_size=_GRID
        )
        inter_area = _areas_km2(gpd.GeoSeries(inter, crs=4326)) * 1e6
        if (inter_area > OVERLAP_TOLERANCE_M2).any():
            worst = int(np.argmax(inter_area))
            problems.append(
                f"neighbouring desa overlap by {inter_area[worst]:.1f} m² "
                f"(> {OVERLAP_TOLERANCE_M2} m²): {desa.code.iloc[left[keep][worst]]} and "
                f"{desa.code.iloc[right[keep][worst]]}"
            )
    for row in kab.itertuples():
        rel = abs(row.area_km2 - row.official_area_km2) / row.official_area_km2
        if rel > AREA_TOLERANCE:
            problems.append(
                f"{row.code}: built area {row.area_km2:.3f} km² differs from the official "
                f"{row.official_area_km2:.3f} km² by {rel:.2%} (> {AREA_TOLERANCE:.1%})"
            )
    if problems:
        msg = "The boundary pack failed validation:\n- " + "\n- ".join(problems)
        raise BoundaryError(msg)
