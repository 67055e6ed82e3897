"""The user's own desa/kelurahan polygons, checked and shaped like the boundary pack.

:func:`~kamtibmas_geo.grid.assign_units`, :func:`~kamtibmas_geo.grid.cell_units`,
:func:`~kamtibmas_geo.score.score_hotspots` and :func:`~kamtibmas_geo.score.rollup` take
``boundaries=``: desa-level polygons of a region outside the pack (another Polres). They
are checked and normalised here once, so every stage reads them the same way.
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import pandas as pd
import shapely

from kamtibmas_geo._errors import KamtibmasGeoError
from kamtibmas_geo._validate import check_columns, check_crs_4326, check_geom_types
from kamtibmas_geo.boundaries._pack import EQUAL_AREA_CRS

__all__ = ["UNIT_COLUMNS", "own_desa", "own_level"]

#: Unit column of a point or cell → column of a desa-level frame it is read from.
UNIT_COLUMNS = {
    "desa_code": "code",
    "desa_name": "name",
    "kecamatan_code": "kecamatan_code",
    "kecamatan_name": "kecamatan_name",
    "kabupaten_code": "kabupaten_code",
    "kabupaten_name": "kabupaten_name",
}
_OPTIONAL = ("name", "kecamatan_code", "kecamatan_name", "kabupaten_code", "kabupaten_name")

MESSAGES = {
    "not_gdf": {
        "id": "boundaries harus GeoDataFrame berisi poligon desa/kelurahan, bukan {type}; baca "
        "berkasnya dengan geopandas.read_file(path).",
        "en": "boundaries must be a GeoDataFrame of desa/kelurahan polygons, got {type}; read "
        "a file with geopandas.read_file(path).",
    },
    "empty": {
        "id": "boundaries tidak berisi poligon; berikan paling sedikit satu desa/kelurahan.",
        "en": "boundaries hold no polygons; pass at least one desa/kelurahan.",
    },
    "no_polygon": {
        "id": "Setiap desa perlu poligon; baris {row!r} dari boundaries tidak punya. Hapus "
        "atau perbaiki baris itu.",
        "en": "Every desa needs a polygon; row {row!r} of boundaries has none. Drop or fix it.",
    },
    "no_code": {
        "id": "Setiap desa perlu kode; baris {row!r} dari boundaries tidak punya. Isi kolom "
        "code baris itu.",
        "en": "Every desa needs a code; row {row!r} of boundaries has none.",
    },
    "dup_code": {
        "id": "Kode desa harus unik; {code!r} muncul lebih dari sekali. Gabungkan dulu bagian-"
        "bagian satu desa: boundaries.dissolve('code', as_index=False).",
        "en": "Desa codes must be unique; {code!r} appears more than once. Join the parts of "
        "a desa first: boundaries.dissolve('code', as_index=False).",
    },
}


def _text(values: pd.Series) -> pd.Series:
    """Return values as stripped text, missing (and blank) values as NA."""
    out = values.astype("str").str.strip()
    return out.mask(out == "")


def own_desa(boundaries: gpd.GeoDataFrame, *, error: type[KamtibmasGeoError]) -> gpd.GeoDataFrame:
    """Check the user's desa-level polygons and return them in the pack's desa schema.

    Parameters
    ----------
    boundaries : GeoDataFrame
        Desa/kelurahan polygons in any CRS with a ``code`` column and optionally
        ``name``, ``kecamatan_code``, ``kecamatan_name``, ``kabupaten_code``,
        ``kabupaten_name``.
    error : type
        Exception class to raise (the calling stage's).

    Returns
    -------
    GeoDataFrame
        EPSG:4326, sorted by ``code`` (compared as text) with a fresh index, holding
        ``code`` and the optional columns above (text; NA where not given) and the
        geometry.
    """
    if not isinstance(boundaries, gpd.GeoDataFrame):
        raise error.say(MESSAGES, "not_gdf", type=type(boundaries).__name__)
    what = "boundaries (your desa/kelurahan polygons)"
    check_columns(boundaries, ["code"], what=what, error=error)
    if boundaries.empty:
        raise error.say(MESSAGES, "empty")
    missing = boundaries.geometry.isna() | boundaries.geometry.is_empty
    if missing.any():
        raise error.say(MESSAGES, "no_polygon", row=boundaries.index[missing.to_numpy()][0])
    check_geom_types(boundaries, ("Polygon", "MultiPolygon"), what=what, error=error)
    frame = check_crs_4326(boundaries, what=what, error=error)
    codes = _text(frame["code"])
    if codes.isna().any():
        raise error.say(MESSAGES, "no_code", row=frame.index[codes.isna().to_numpy()][0])
    dup = codes[codes.duplicated()]
    if len(dup):
        raise error.say(MESSAGES, "dup_code", code=dup.iloc[0])
    data = {"code": codes}
    for col in _OPTIONAL:
        data[col] = _text(frame[col]) if col in frame.columns else pd.Series(pd.NA, frame.index)
    out = gpd.GeoDataFrame(
        {k: pd.array(v.to_numpy(), dtype="str") for k, v in data.items()},
        geometry=gpd.GeoSeries(frame.geometry.to_numpy(), crs=4326),
    )
    return out.sort_values("code", kind="stable", ignore_index=True)


def own_level(
    desa: gpd.GeoDataFrame, level: Literal["desa", "kecamatan", "kabupaten"]
) -> gpd.GeoDataFrame:
    """Return the units of one level from desa polygons checked by :func:`own_desa`.

    Kecamatan and kabupaten are the union of their desa (grouped on
    ``kecamatan_code`` / ``kabupaten_code``; desa without that code are left out).

    Parameters
    ----------
    desa : GeoDataFrame
        Output of :func:`own_desa`.
    level : {"desa", "kecamatan", "kabupaten"}
        Unit level.

    Returns
    -------
    GeoDataFrame
        ``code``, ``name`` (the first name given in the group), ``area_km2`` (in
        :data:`~kamtibmas_geo.boundaries.EQUAL_AREA_CRS`) and the geometry, sorted by
        ``code``.
    """
    if level == "desa":
        out = desa[["code", "name", "geometry"]].copy()
    else:
        key = f"{level}_code"
        rows = desa[desa[key].notna()]
        groups = rows.groupby(key, sort=True)
        names = groups[f"{level}_name"].first()
        geoms = [shapely.union_all(g.geometry.to_numpy()) for _, g in groups]
        out = gpd.GeoDataFrame(
            {
                "code": pd.array(names.index, dtype="str"),
                "name": pd.array(names.to_numpy(), dtype="str"),
            },
            geometry=gpd.GeoSeries(geoms, crs=4326),
        )
    out["area_km2"] = out.geometry.to_crs(EQUAL_AREA_CRS).area.to_numpy() / 1e6
    return out.reset_index(drop=True)
