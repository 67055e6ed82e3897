"""Exports of score cells for other tools: GeoParquet, GeoPackage, GeoJSON and CSV.

kepler.gl reads the ``hex_id`` column of a CSV as an H3 layer; QGIS and ArcGIS read the
GeoPackage and GeoParquet polygons. ``public=True`` applies the same rules as public maps.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import h3
import pandas as pd

from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo.config import Settings

__all__ = ["export_cells"]

_FORMATS = {
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".gpkg": "gpkg",
    ".csv": "csv",
    ".geojson": "geojson",
}


def export_cells(
    cells: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    public: bool = False,
    settings: Settings | None = None,
) -> Path:
    """Write score cells to GeoParquet, GPKG, GeoJSON or CSV (format from the suffix).

    Parameters
    ----------
    cells : GeoDataFrame
        Score cells with ``hex_id`` (and hexagon geometry).
    path : path
        Output file: ``.parquet``/``.geoparquet``, ``.gpkg`` (layer ``cells``),
        ``.geojson`` or ``.csv`` (columns plus ``lat``/``lng`` of the cell centre and the
        hexagon as WKT in ``geometry``).
    public : bool
        Drop personal/free-text columns and cells with fewer than
        ``Settings.public_min_count`` incidents.
    settings : Settings, optional
        For ``public_min_count``.

    Returns
    -------
    Path
        The file written.
    """
    from kamtibmas_geo._mapdata import drop_personal, suppress_cells

    out = Path(path)
    fmt = _FORMATS.get(out.suffix.lower())
    if fmt is None:
        msg = (
            f"Cannot export cells to {str(out)!r}: unknown suffix {out.suffix!r}; "
            f"use one of {', '.join(sorted(_FORMATS))}."
        )
        raise ScoreError(msg)
    if "hex_id" not in cells.columns:
        msg = "export_cells needs a 'hex_id' column (the H3 cell id); add it or use grid.to_cells."
        raise ScoreError(msg)
    frame = cells.copy()
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        from shapely.geometry import Polygon

        geoms = [
            Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in frame["hex_id"]
        ]
        frame = gpd.GeoDataFrame(pd.DataFrame(frame), geometry=geoms, crs=4326)
    if public:
        k = (settings or Settings()).public_min_count
        frame = suppress_cells(drop_personal(frame), k)
    frame = frame.sort_values("hex_id").reset_index(drop=True)
    if fmt == "parquet":
        frame.to_parquet(out, index=False)
    elif fmt == "gpkg":
        frame.to_file(out, driver="GPKG", layer="cells")
    elif fmt == "geojson":
        frame.to_crs(4326).to_file(out, driver="GeoJSON")
    else:
        centres = [h3.cell_to_latlng(c) for c in frame["hex_id"].astype(str)]
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        table["lat"] = [c[0] for c in centres]
        table["lng"] = [c[1] for c in centres]
        table["geometry"] = frame.geometry.to_wkt(rounding_precision=6)
        table.to_csv(out, index=False)
    return out
