"""Jurisdictions of a backtest and the area of each cell clipped to them.

Every relative statement of a backtest (the flagged share, PAI, PEI) is made within one
kabupaten/kota: the cells of a jurisdiction are those overlapping it, each counted with
the km² of its hexagon inside the jurisdiction, and an incident counts for the
jurisdiction its point lies in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from kamtibmas_geo._errors import ScoreError, SettingsError
from kamtibmas_geo._validate import check_crs_4326
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._metres import utm_crs

MESSAGES = {
    "polygons": {
        "id": "boundaries harus berisi poligon; gabungannya berupa {kind}.",
        "en": "boundaries must hold polygons; their union is a {kind}.",
    },
    "no_cell": {
        "id": "Tidak ada sel H3 res {res} yang bersinggungan dengan boundaries; gunakan "
        "resolusi yang lebih halus (res lebih besar).",
        "en": "No H3 cell at res {res} overlaps the boundaries; use a finer resolution.",
    },
    "region": {
        "id": "Wilayah {region!r} tidak ada di boundaries; yang ada: {known}.",
        "en": "Region {region!r} is not in the boundaries; they hold: {known}.",
    },
}


@dataclass(frozen=True)
class Jurisdiction:
    """One kabupaten/kota of a backtest, on the cells of its study area.

    Attributes
    ----------
    code, name : str
        Kemendagri code (or the boundaries' own) and name.
    geometry : shapely geometry
        Its polygon(s), EPSG:4326.
    index : Index
        ``hex_id`` of the cells overlapping it.
    areas : Series
        km² of each cell inside it, indexed by ``hex_id``.
    cells : GeoDataFrame
        Its cells: ``hex_id``, ``lat``, ``lon`` (centre), ``area_km2`` (clipped), hexagon.
    """

    code: str
    name: str
    geometry: shapely.Geometry
    index: pd.Index
    areas: pd.Series
    cells: gpd.GeoDataFrame

    @property
    def area_km2(self) -> float:
        """Its area in km² (sum of the clipped cells)."""
        return float(self.areas.sum())

    def holds(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Return which points lie in the jurisdiction (on its edge included)."""
        ok = np.isfinite(lat) & np.isfinite(lon)
        out = np.zeros(len(lat), dtype=bool)
        if ok.any():
            out[ok] = shapely.intersects_xy(self.geometry, lon[ok], lat[ok])
        return out


def _cells_frame(ids: Iterable[str]) -> gpd.GeoDataFrame:
    # hex_id, centre (lat, lon), area_km2 and hexagon, vectorised with h3ronpy.
    import h3ronpy
    import pyarrow as pa
    from h3ronpy.vector import cells_to_coordinates, cells_to_wkb_polygons

    hex_ids = sorted({str(c) for c in ids})
    arr = h3ronpy.cells_parse(pa.array(hex_ids, type=pa.string()))
    coords = cells_to_coordinates(arr)
    polys = shapely.from_wkb(np.asarray(cells_to_wkb_polygons(arr)))
    return gpd.GeoDataFrame(
        {
            "hex_id": pd.array(hex_ids, dtype="str"),
            "lat": np.asarray(coords.column("lat")),
            "lon": np.asarray(coords.column("lng")),
            "area_km2": np.asarray(h3ronpy.cells_area_km2(arr)),
        },
        geometry=gpd.GeoSeries(polys, crs=4326),
    )


def units_of(
    boundaries: gpd.GeoDataFrame | None, region: str | None, settings: Settings
) -> gpd.GeoDataFrame:
    """Return one polygon per kabupaten/kota: ``code``, ``name``, ``geometry`` (EPSG:4326).

    From the boundary pack (``region`` as in :func:`~kamtibmas_geo.boundaries.resolve_region`)
    or from ``boundaries`` dissolved by their ``kabupaten_code`` (one unit when they have
    none); ``region`` then picks a code or name among them.
    """
    if boundaries is None:
        from kamtibmas_geo.boundaries._pack import load_boundaries

        kab = load_boundaries("kabupaten", region, settings=settings)
        return gpd.GeoDataFrame(
            {"code": kab["code"].astype(str), "name": kab["name"].astype(str), "source": "pack"},
            geometry=kab.geometry.values,
            crs=4326,
        )
    bounds = check_crs_4326(boundaries, what="boundaries", error=ScoreError)
    geom = shapely.union_all(bounds.geometry.values)
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise ScoreError.say(MESSAGES, "polygons", kind=geom.geom_type)
    if "kabupaten_code" in bounds.columns:
        names = bounds["kabupaten_name"] if "kabupaten_name" in bounds.columns else None
        frame = pd.DataFrame(
            {
                "code": bounds["kabupaten_code"].astype(str).to_numpy(),
                "name": (names if names is not None else bounds["kabupaten_code"])
                .astype(str)
                .to_numpy(),
            }
        )
        parts = gpd.GeoDataFrame(frame, geometry=bounds.geometry.values, crs=4326)
        units = parts.dissolve(by=["code", "name"], as_index=False)[["code", "name", "geometry"]]
    else:
        units = gpd.GeoDataFrame(
            {"code": ["-"], "name": ["wilayah studi"]}, geometry=[geom], crs=4326
        )
    if region is not None:
        key = str(region).strip().lower()
        pick = units[(units["code"].str.lower() == key) | (units["name"].str.lower() == key)]
        if pick.empty:
            known = ", ".join(f"{c} {n}" for c, n in zip(units["code"], units["name"], strict=True))
            raise SettingsError.say(MESSAGES, "region", region=region, known=known)
        units = pick
    return units.sort_values("code").reset_index(drop=True)


def jurisdictions(
    units: gpd.GeoDataFrame, res: int, *, settings: Settings | None = None
) -> list[Jurisdiction]:
    """Return each unit with its overlapping cells and their clipped areas.

    Units of the boundary pack (``source == "pack"``) take their cells from
    :func:`~kamtibmas_geo.grid.region_cells`; others from H3's polygon cover.
    """
    out = []
    for row in units.itertuples(index=False):
        ids = _unit_cells(row, res, settings)
        if not ids:
            continue
        cells = _cells_frame(ids)
        areas = clipped_km2(cells, row.geometry)
        cells = cells[areas > 0].reset_index(drop=True)
        cells["area_km2"] = areas[areas > 0]
        index = pd.Index(cells["hex_id"].astype(str), name="hex_id")
        out.append(
            Jurisdiction(
                str(row.code),
                str(row.name),
                row.geometry,
                index,
                pd.Series(cells["area_km2"].to_numpy(), index=index, name="area_km2"),
                cells,
            )
        )
    if not out:
        raise ScoreError.say(MESSAGES, "no_cell", res=res)
    return out


def _unit_cells(row: Any, res: int, settings: Settings | None) -> list[str]:
    """Return the H3 cells overlapping one unit."""
    if getattr(row, "source", "") == "pack":
        from kamtibmas_geo.grid._cells import region_cells

        return list(region_cells(str(row.code), res, settings=settings))
    shape = h3.geo_to_h3shape(row.geometry.__geo_interface__)
    return list(h3.h3shape_to_cells_experimental(shape, res, contain="overlap"))


def clipped_km2(cells: gpd.GeoDataFrame, geom: shapely.Geometry) -> NDArray[np.float64]:
    """Return the km² of each hexagon inside ``geom``, in the UTM zone of the cells.

    A cell wholly inside keeps its whole area; a cell on the edge only its part inside.
    Every area is measured the same way (on the WGS 84 ellipsoid through UTM, within 0.1%
    of the geodesic area across a zone), so the parts add up to the jurisdiction's area.
    """
    hexes = cells.geometry.values
    lon, lat = cells["lon"].to_numpy(), cells["lat"].to_numpy()
    crs = utm_crs(lon, lat)
    projected = gpd.GeoSeries(hexes, crs=4326).to_crs(crs).values
    area = shapely.area(projected)
    shapely.prepare(geom)
    edge = np.flatnonzero(~shapely.contains_properly(geom, hexes))
    if len(edge):
        clip = gpd.GeoSeries([geom], crs=4326).to_crs(crs).iloc[0]
        area[edge] = shapely.area(shapely.intersection(projected[edge], clip))
    return np.asarray(area / 1e6, dtype=float)
