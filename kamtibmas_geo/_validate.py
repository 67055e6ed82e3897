"""Checks shared by every stage: H3 resolution, CRS, geometry types, columns.

Each check raises a :class:`~kamtibmas_geo.KamtibmasGeoError` subclass whose message
names what was expected, what was found, and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from kamtibmas_geo._errors import KamtibmasGeoError, SettingsError

__all__ = ["check_choice", "check_columns", "check_crs_4326", "check_geom_types", "check_res"]

MESSAGES = {
    "res": {
        "id": "Resolusi H3 harus bilangan bulat 0 sampai 15, bukan {res!r}.",
        "en": "H3 resolution must be a whole number from 0 to 15, got {res!r}.",
    },
    "choice": {
        "id": "{name} harus salah satu dari {options}; bukan {value!r}.",
        "en": "{name} must be one of {options}; got {value!r}.",
    },
    "columns": {
        "id": "{what} tidak punya kolom {missing}; kolomnya: {have}.",
        "en": "The {what} lacks column(s) {missing}; it has {have}.",
    },
    "no_crs": {
        "id": "{what} tidak punya CRS. Tetapkan CRS koordinatnya, misalnya "
        "gdf.set_crs('EPSG:4326') untuk derajat bujur/lintang.",
        "en": "The {what} has no CRS. Set the one its coordinates are in, for example "
        "gdf.set_crs('EPSG:4326') for longitude/latitude degrees.",
    },
    "geom": {
        "id": "{what} harus berisi geometri {allowed}; baris {row!r} berisi {got}.",
        "en": "The {what} must hold {allowed} geometries; row {row!r} holds a {got}.",
    },
}


def check_res(res: Any) -> int:
    """Check an H3 resolution (a whole number 0-15) and return it.

    Parameters
    ----------
    res : int
        The resolution to check.

    Returns
    -------
    int
    """
    if isinstance(res, bool) or not isinstance(res, int) or not 0 <= res <= 15:
        raise SettingsError.say(MESSAGES, "res", res=res)
    return res


def check_choice(name: str, value: Any, choices: Sequence[Any]) -> Any:
    """Check that ``value`` is one of ``choices``.

    Parameters
    ----------
    name : str
        Name of the option, for the message.
    value : object
        The value given.
    choices : sequence
        Allowed values.

    Returns
    -------
    object
        ``value``.
    """
    if value not in choices:
        options = ", ".join(map(repr, choices))
        raise SettingsError.say(MESSAGES, "choice", name=name, options=options, value=value)
    return value


def check_columns(
    frame: pd.DataFrame,
    required: Iterable[str],
    *,
    what: str = "table",
    error: type[KamtibmasGeoError] = KamtibmasGeoError,
) -> None:
    """Check that ``frame`` has every required column.

    Parameters
    ----------
    frame : DataFrame
        The table to check.
    required : iterable of str
        Column names it must have.
    what : str
        How to call the table in the message.
    error : type
        Exception class to raise.
    """
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise error.say(
            MESSAGES,
            "columns",
            what=what,
            missing=", ".join(map(repr, missing)),
            have=", ".join(map(repr, map(str, frame.columns))),
        )


def check_crs_4326(
    gdf: gpd.GeoDataFrame,
    *,
    what: str = "GeoDataFrame",
    error: type[KamtibmasGeoError] = KamtibmasGeoError,
) -> gpd.GeoDataFrame:
    """Return ``gdf`` in EPSG:4326, reprojecting it, or refusing one with no CRS.

    Parameters
    ----------
    gdf : GeoDataFrame
        The frame to check.
    what : str
        How to call it in the message.
    error : type
        Exception class to raise.

    Returns
    -------
    GeoDataFrame
        ``gdf`` itself if already in EPSG:4326, else a reprojected copy.
    """
    if gdf.crs is None:
        raise error.say(MESSAGES, "no_crs", what=what)
    if gdf.crs.to_epsg() != 4326:
        return gdf.to_crs(4326)
    return gdf


def check_geom_types(
    gdf: gpd.GeoDataFrame,
    allowed: Sequence[str],
    *,
    what: str = "GeoDataFrame",
    error: type[KamtibmasGeoError] = KamtibmasGeoError,
) -> None:
    """Check that every non-empty geometry has one of the ``allowed`` types.

    Parameters
    ----------
    gdf : GeoDataFrame
        The frame to check.
    allowed : sequence of str
        Allowed geometry type names, such as ``("Point",)``.
    what : str
        How to call it in the message.
    error : type
        Exception class to raise.
    """
    types = gdf.geometry.geom_type.dropna()
    bad = types[~types.isin(list(allowed))]
    if len(bad):
        raise error.say(
            MESSAGES,
            "geom",
            what=what,
            allowed="/".join(allowed),
            row=bad.index[0],
            got=bad.iloc[0],
        )
