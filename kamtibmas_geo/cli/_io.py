"""Reading inputs for the commands: records placed on the map, and polygon files."""

from pathlib import Path
from typing import Any

from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo._i18n import tr

MESSAGES = {
    "no_file": {
        "id": "Berkas batas wilayah {path!r} tidak ada; periksa jalurnya.",
        "en": "The boundaries file {path!r} does not exist; check the path.",
    },
    "bad_polygons": {
        "id": "Berkas batas wilayah {path!r} tidak dapat dibaca sebagai poligon: {exc}",
        "en": "Cannot read the boundaries file {path!r} as polygons: {exc}",
    },
}


def read_placed(path: Path, kind: str, settings: Any, lang: str, *, own: bool) -> tuple[Any, int]:
    """Read a records file and place its rows on the map.

    Parameters
    ----------
    path : Path
        CSV, XLSX, GeoJSON or GeoParquet file of records.
    kind : {"disturbance", "activity"}
        What the rows are.
    settings : Settings
        Resolution and where the boundary pack is.
    lang : {"id", "en"}
        Language of the reasons in the ledger.
    own : bool
        The records belong to the user's own region (``--boundaries``): the gazetteer knows
        OKI and Palembang only, so rows are placed by their coordinates and rows without
        them count as rejected. Otherwise :func:`kamtibmas_geo.geocode.geocode` places
        every row by its coordinates or its address.

    Returns
    -------
    records : GeoDataFrame
        The placed records.
    n_rejected : int
        Rows not placed (read errors included).
    """
    from kamtibmas_geo.geocode._geocode import geocode
    from kamtibmas_geo.records._read import read_records

    rs = read_records(path, kind, settings=settings, lang=lang)  # type: ignore[arg-type]
    if own:
        frame = rs.records[rs.records.geometry.notna() & ~rs.records.geometry.is_empty]
        return frame, len(rs.rejected) + len(rs.records) - len(frame)
    placed = geocode(rs, res=settings.res, settings=settings, lang=lang)
    return placed.records, len(placed.rejected)


def read_polygons(path: Path, lang: str) -> Any:
    """Read the user's own boundary polygons, or raise a clear :class:`ScoreError`.

    Parameters
    ----------
    path : Path
        GeoPackage, GeoJSON, Shapefile or GeoParquet of desa polygons.
    lang : {"id", "en"}
        Language of the error message.

    Returns
    -------
    GeoDataFrame
    """
    import geopandas as gpd

    if not path.is_file():
        raise ScoreError(tr(MESSAGES, "no_file", lang, path=str(path)))
    try:
        if path.suffix.lower() == ".parquet":
            return gpd.read_parquet(path)
        return gpd.read_file(path)
    except Exception as exc:  # pyogrio/pyarrow raise their own errors for unreadable files
        raise ScoreError(tr(MESSAGES, "bad_polygons", lang, path=str(path), exc=exc)) from None
