"""GPX and KML files of patrol routes, one per team, for the phones of the teams.

Public name re-exported by :mod:`kamtibmas_geo.plan`. GPX is written with :mod:`gpxpy`; KML
with the standard library's ElementTree (no ids, no clock: the same plan gives the same
bytes).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from kamtibmas_geo._atomic import atomic_write
from kamtibmas_geo._errors import PlanError
from kamtibmas_geo._i18n import tr

__all__ = ["patrol_files"]

RouteFormat = Literal["gpx", "kml"]
_KML_NS = "http://www.opengis.net/kml/2.2"

MESSAGES = {
    "start": {"id": "Mulai/kembali: {name}", "en": "Start/return: {name}"},
    "route": {
        "id": "{polsek}, {window} {date} {start}–{end}, tim {team}",
        "en": "{polsek}, {window} {date} {start}–{end}, team {team}",
    },
    "stop": {"id": "{stop}. {place}", "en": "{stop}. {place}"},
    "desc": {
        "id": "Tiba {arrive}. {reason}. Jam kejadian: {hours}.",
        "en": "Arrive {arrive}. {reason}. Incident hours: {hours}.",
    },
    "err_columns": {
        "id": "Rencana patroli tidak punya kolom {missing!r}; berikan hasil patrol_plan.",
        "en": "The patrol plan lacks column(s) {missing!r}; pass the output of patrol_plan.",
    },
    "err_format": {
        "id": "Format rute harus gpx atau kml, bukan {bad!r}.",
        "en": "Route formats must be gpx or kml, got {bad!r}.",
    },
}

_NEED = ["kabupaten_code", "polsek", "window", "window_label", "date", "window_start",
         "window_end", "team", "stop", "arrive", "desa", "lat", "lon", "reason", "hours",
         "start_name", "start_lat", "start_lon"]  # fmt: skip


def _slug(text: str) -> str:
    """Return a file-name part of any text: lower-case ASCII letters, digits and dashes."""
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return s[:40] or "x"


def patrol_files(
    plan: pd.DataFrame,
    folder: str | Path,
    *,
    formats: Sequence[RouteFormat] = ("gpx", "kml"),
    lang: str = "id",
) -> list[Path]:
    """Write one GPX and/or KML file per team: the start, the stops in order, the way back.

    Parameters
    ----------
    plan : DataFrame
        Output of :func:`patrol_plan`.
    folder : str or Path
        Folder to write into (created if missing). Files are named
        ``<kabupaten>_<polsek>_<window>_tim<team>.<gpx|kml>``, in ASCII.
    formats : sequence of {"gpx", "kml"}
        Which files to write.
    lang : {"id", "en"}
        Language of names and descriptions.

    Returns
    -------
    list of Path
        The files written, sorted.
    """
    missing = [c for c in _NEED if c not in plan.columns]
    if missing:
        raise PlanError.say(MESSAGES, "err_columns", missing=missing)
    bad = [f for f in formats if f not in ("gpx", "kml")]
    if bad:
        raise PlanError.say(MESSAGES, "err_format", bad=bad)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    keys = ["kabupaten_code", "polsek", "window", "team"]
    for key, team in plan.sort_values([*keys, "stop"], kind="stable").groupby(keys, sort=True):
        kab, polsek, window, t = (str(k) for k in key)
        stem = f"{_slug(kab)}_{_slug(polsek)}_{_slug(window)}_tim{int(float(t)):02d}"
        if "gpx" in formats:
            written.append(_write(out / f"{stem}.gpx", _gpx(team, lang)))
        if "kml" in formats:
            written.append(_write(out / f"{stem}.kml", _kml(team, lang)))
    return sorted(written)


def _write(path: Path, text: str) -> Path:
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def _title(team: pd.DataFrame, lang: str) -> str:
    r = team.iloc[0]
    return tr(
        MESSAGES, "route", lang, polsek=r["polsek"], window=r["window_label"], date=r["date"],
        start=r["window_start"], end=r["window_end"], team=int(r["team"]),
    )  # fmt: skip


def _stop_name(r: pd.Series, lang: str) -> str:
    place = r["desa"] if isinstance(r["desa"], str) else f"{r['lat']:.5f}, {r['lon']:.5f}"
    if "landmark" in r and isinstance(r["landmark"], str):
        place = f"{place} ({r['landmark']})"
    return tr(MESSAGES, "stop", lang, stop=int(r["stop"]), place=place)


def _desc(r: pd.Series, lang: str) -> str:
    return tr(MESSAGES, "desc", lang, arrive=r["arrive"], reason=r["reason"], hours=r["hours"])


def _gpx(team: pd.DataFrame, lang: str) -> str:
    """Return a GPX 1.1 document: a route (start, stops, start) and a waypoint per stop."""
    import gpxpy.gpx

    gpx = gpxpy.gpx.GPX()
    gpx.creator = "kamtibmas_geo"
    first = team.iloc[0]
    start = tr(MESSAGES, "start", lang, name=first["start_name"])
    route = gpxpy.gpx.GPXRoute(name=_title(team, lang))
    s_lat, s_lon = float(first["start_lat"]), float(first["start_lon"])
    route.points.append(gpxpy.gpx.GPXRoutePoint(s_lat, s_lon, name=start))
    for _, r in team.iterrows():
        name, desc = _stop_name(r, lang), _desc(r, lang)
        route.points.append(
            gpxpy.gpx.GPXRoutePoint(float(r["lat"]), float(r["lon"]), name=name, description=desc)
        )
        gpx.waypoints.append(
            gpxpy.gpx.GPXWaypoint(float(r["lat"]), float(r["lon"]), name=name, description=desc)
        )
    route.points.append(gpxpy.gpx.GPXRoutePoint(s_lat, s_lon, name=start))
    gpx.routes.append(route)
    return str(gpx.to_xml(version="1.1"))


def _kml(team: pd.DataFrame, lang: str) -> str:
    """Return a KML 2.2 document: the route as a line and a placemark per stop."""
    ET.register_namespace("", _KML_NS)

    def el(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        e = ET.SubElement(parent, f"{{{_KML_NS}}}{tag}")
        if text is not None:
            e.text = text
        return e

    first = team.iloc[0]
    start = f"{float(first['start_lon']):.6f},{float(first['start_lat']):.6f},0"
    root = ET.Element(f"{{{_KML_NS}}}kml")
    doc = el(root, "Document")
    el(doc, "name", _title(team, lang))
    line = el(doc, "Placemark")
    el(line, "name", _title(team, lang))
    lonlat = team[["lon", "lat"]].to_numpy(dtype=float)
    coords = [start, *(f"{x:.6f},{y:.6f},0" for x, y in lonlat)]
    el(el(line, "LineString"), "coordinates", " ".join([*coords, start]))
    home = el(doc, "Placemark")
    el(home, "name", tr(MESSAGES, "start", lang, name=first["start_name"]))
    el(el(home, "Point"), "coordinates", start)
    for _, r in team.iterrows():
        pm = el(doc, "Placemark")
        el(pm, "name", _stop_name(r, lang))
        el(pm, "description", _desc(r, lang))
        el(el(pm, "Point"), "coordinates", f"{float(r['lon']):.6f},{float(r['lat']):.6f},0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
