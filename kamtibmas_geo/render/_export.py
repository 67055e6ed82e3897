"""Exports of score cells for other tools: GeoParquet, GeoPackage, GeoJSON, CSV and XLSX.

kepler.gl reads the ``hex_id`` column of a CSV as an H3 layer; QGIS and ArcGIS read the
GeoPackage and GeoParquet polygons; analysts open the XLSX in Excel. Every file is written
by :func:`kamtibmas_geo._tables.write_table` (atomic, formula-safe). ``public=True`` applies
the rules of public maps: an allow-list of columns and no cell under the minimum count.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import h3
import pandas as pd

from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo._tables import public_columns, write_table
from kamtibmas_geo.boundaries._names import display_name, kecamatan_display_name
from kamtibmas_geo.config import Settings

__all__ = ["export_cells"]

_FORMATS = {
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".gpkg": "gpkg",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".geojson": "geojson",
}
MESSAGES = {
    "suffix": {
        "id": "Sel tidak dapat diekspor ke {path!r}: akhiran {suffix!r} tidak dikenal; "
        "gunakan salah satu dari {known}.",
        "en": "Cannot export cells to {path!r}: unknown suffix {suffix!r}; use one of {known}.",
    },
    "no_hex": {
        "id": "export_cells memerlukan kolom 'hex_id' (id sel H3); tambahkan kolom itu atau "
        "buat selnya dengan grid.to_cells.",
        "en": "export_cells needs a 'hex_id' column (the H3 cell id); add it or use grid.to_cells.",
    },
}

#: Count columns that public outputs show whole (the others are blanked below the minimum).
_WHOLE_COUNTS = ("n_incidents", "n_activities")


def export_cells(
    cells: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    public: bool = False,
    settings: Settings | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Write score cells to GeoParquet, GPKG, GeoJSON, CSV or XLSX (format from the suffix).

    Parameters
    ----------
    cells : GeoDataFrame
        Score cells with ``hex_id`` (and hexagon geometry).
    path : path
        Output file: ``.parquet``/``.geoparquet``, ``.gpkg`` (layer ``cells``),
        ``.geojson``, or ``.csv``/``.xlsx`` (columns plus ``lat``/``lng`` of the cell
        centre and the hexagon as WKT in ``geometry``). Beside ``desa_name`` and
        ``kecamatan_name`` come ``desa_label`` and ``kecamatan_label``, the names as
        staff write them ("19 Ilir", "Ilir Timur I"); not in public files.
    public : bool
        Keep only the columns of the public allow-list
        (:func:`kamtibmas_geo._tables.public_columns`: cell, units, counts, scores, labels),
        drop cells with fewer than ``Settings.public_min_count`` incidents, and blank the
        per-type counts below that minimum.
    settings : Settings, optional
        For ``public_min_count`` and the language of messages.
    inputs : iterable of path-like, optional
        Files the run reads: ``path`` may be none of them.

    Returns
    -------
    Path
        The file written.
    """
    settings = settings or Settings()
    out = Path(path)
    fmt = _FORMATS.get(out.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(_FORMATS))
        raise ScoreError.say(MESSAGES, "suffix", path=str(out), suffix=out.suffix, known=known)
    if "hex_id" not in cells.columns:
        raise ScoreError.say(MESSAGES, "no_hex")
    frame = cells.copy()
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        from shapely.geometry import Polygon

        geoms = [
            Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in frame["hex_id"]
        ]
        frame = gpd.GeoDataFrame(pd.DataFrame(frame), geometry=geoms, crs=4326)
    frame = _public(frame, settings.public_min_count) if public else _with_labels(frame)
    frame = frame.sort_values("hex_id").reset_index(drop=True)
    frame.attrs = {"score": _title_facts(cells)}  # kept by GeoParquet for `map`'s title
    lang = settings.lang
    if fmt in {"csv", "xlsx"}:
        centres = [h3.cell_to_latlng(c) for c in frame["hex_id"].astype(str)]
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        table["lat"] = [c[0] for c in centres]
        table["lng"] = [c[1] for c in centres]
        table["geometry"] = frame.geometry.to_wkt(rounding_precision=6)
        return write_table(table, out, inputs=inputs, lang=lang)
    return write_table(frame, out, layer="cells", inputs=inputs, lang=lang)


#: What a map's title says of the scores (the target period), kept in a GeoParquet file.
_TITLE_FACTS = ("target", "target_start", "target_end")


def _title_facts(cells: pd.DataFrame) -> dict[str, str]:
    """Return the target period of ``score_hotspots`` (``attrs["score"]``) as text."""
    meta = cells.attrs.get("score")
    if not isinstance(meta, dict):
        return {}
    return {k: meta[k] for k in _TITLE_FACTS if isinstance(meta.get(k), str)}


def _with_labels(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``desa_label``/``kecamatan_label`` (names as staff write them) after the official."""
    for col, label, write in (
        ("desa_name", "desa_label", display_name),
        ("kecamatan_name", "kecamatan_label", kecamatan_display_name),
    ):
        if col in frame.columns and label not in frame.columns:
            values = [None if pd.isna(v) else write(str(v)) for v in frame[col]]
            frame.insert(frame.columns.get_loc(col) + 1, label, values)
    return frame


def _public(frame: gpd.GeoDataFrame, k: int) -> gpd.GeoDataFrame:
    """Allow-listed columns, cells with at least ``k`` incidents, small type counts blanked."""
    from kamtibmas_geo.render._mapdata import suppress_cells

    keep = public_columns(frame)
    if frame.geometry.name not in keep:
        keep.append(frame.geometry.name)
    table = suppress_cells(frame[keep], k)
    for col in keep:
        if col.startswith("n_") and col not in _WHOLE_COUNTS:
            n = pd.to_numeric(table[col], errors="coerce")
            table[col] = n.mask((n > 0) & (n < k))
    return gpd.GeoDataFrame(table, geometry=frame.geometry.name, crs=frame.crs)
