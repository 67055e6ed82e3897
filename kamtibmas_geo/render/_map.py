"""Folium maps for patrol planning: layered, fast, self-contained, safe.

:func:`render_map` draws the hotspot cells of :func:`kamtibmas_geo.score.score_hotspots`
(coloured by score class or Gi* bin, one layer per period when given), the administrative
boundaries, the incidents (clustered, and as a heat map), Binmas activities and Poskamling
with their coverage radius, with a layer switch, a legend, a scale bar, full screen and a
desa/kelurahan search box. The data travel as one compact JSON block and the layers are built
in JavaScript (style by a class property, tooltips built on hover), so ~6,000 cells and
20,000 points stay a few MB and load in about a second.

No user text is ever template source: folium receives only numbers, and the data block,
style sheet and script are written verbatim by :mod:`kamtibmas_geo.render._page` (the data
escaped by :func:`kamtibmas_geo._htmlsafe.script_json`). Element ids are numbered from a
hash of the data, so the same inputs give a byte-identical page.

Offline (the default) inlines Leaflet and its plugins (vendored from npm at pinned versions,
see ``kamtibmas_geo/data/vendor/README.md``) with their images as ``data:`` URIs: the page
makes no request. ``public=True`` keeps only aggregates: no individual points, no personal
or free-text columns, and no cell with fewer than ``Settings.public_min_count`` incidents.

:func:`save_png` takes a PNG snapshot in headless Chromium; :func:`export_cells` writes the
cells for kepler.gl, QGIS or ArcGIS.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from kamtibmas_geo._atomic import atomic_write
from kamtibmas_geo._errors import DependencyError, ScoreError
from kamtibmas_geo._htmlsafe import escape_html
from kamtibmas_geo._i18n import tr
from kamtibmas_geo._validate import check_choice
from kamtibmas_geo.boundaries._names import display_name
from kamtibmas_geo.config import Language, Settings
from kamtibmas_geo.render import _early as ew
from kamtibmas_geo.render import _mapdata as md
from kamtibmas_geo.render._assets import page_html
from kamtibmas_geo.render._export import export_cells
from kamtibmas_geo.render._legend import legend_data, title_data
from kamtibmas_geo.render._png import CHROMIUM_ARGS, save_png, save_polsek_pngs
from kamtibmas_geo.render._priority import priority_payload

if TYPE_CHECKING:
    import folium

__all__ = [
    "CHROMIUM_ARGS",
    "MapOptions",
    "export_cells",
    "page_html",
    "render_map",
    "save_png",
    "save_polsek_pngs",
]

_TOLERANCE = {"desa": 0.0001, "kecamatan": 0.0002, "kabupaten": 0.0003}
#: The early-warning columns of score cells (``score_hotspots(warnings=...)``): private maps
#: show them in the cell tooltip, public maps never.
_CELL_WARNINGS = ["warnings_open", "warnings_answered", "warning_types", "warning_reason"]
_TILE_KEYS = {"z", "x", "y"}
_TILE_KEY_RE = re.compile(r"\{([a-z])\}")

MESSAGES = {
    "bad_tiles": {
        "id": "Peta dasar {tiles!r} tidak dikenal: beri nama penyedia xyzservices "
        "(mis. OpenStreetMap, OpenTopoMap) atau URL http(s) dengan {{z}}, {{x}} dan {{y}}.",
        "en": "Unknown base map {tiles!r}: give an xyzservices provider name "
        "(e.g. OpenStreetMap, OpenTopoMap) or an http(s) URL with {{z}}, {{x}} and {{y}}.",
    },
    "tiles_token": {
        "id": "Peta dasar {tiles!r} memerlukan kunci API; pilih penyedia lain "
        "(mis. OpenStreetMap) atau beri URL lengkap dengan kuncinya.",
        "en": "Base map {tiles!r} needs an API key; choose another provider "
        "(e.g. OpenStreetMap) or give the full URL with the key.",
    },
    "no_folium": {
        "id": "render_map memerlukan paket folium; pasang dengan `pip install folium`.",
        "en": "render_map needs folium; install it with `pip install folium`.",
    },
    "not_cells": {
        "id": "{what} harus berupa (Geo)DataFrame hasil score_hotspots, bukan {got}.",
        "en": "{what} must be a (Geo)DataFrame from score_hotspots, got {got}.",
    },
    "no_hex": {
        "id": "{what} memerlukan kolom 'hex_id' atau geometri heksagon; kolom yang ada: "
        "{columns}. Beri tabel sel hasil score_hotspots.",
        "en": "{what} needs a 'hex_id' column or hexagon geometries; found {columns}.",
    },
    "mixed_res": {
        "id": "{what} memuat sel H3 dengan beberapa resolusi ({res}); satu peta memuat satu "
        "resolusi. Beri sel hasil satu kali score_hotspots.",
        "en": "{what} holds H3 cells of several resolutions ({res}); a map holds one "
        "resolution. Give the cells of one score_hotspots run.",
    },
    "not_points": {
        "id": "{what} harus berupa GeoDataFrame titik atau tabel dengan kolom lat/lon "
        "(atau lintang/bujur); bukan {got}.",
        "en": "{what} must be a GeoDataFrame of points or a table with lat/lon columns; got {got}.",
    },
}


def _import_folium() -> Any:
    try:
        import folium
    except ImportError:  # pragma: no cover - folium is a dependency
        raise DependencyError.say(MESSAGES, "no_folium") from None
    return folium


def _as_cells(frame: Any, what: str) -> gpd.GeoDataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ScoreError.say(MESSAGES, "not_cells", what=what, got=type(frame).__name__)
    has_geometry = isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame
    if "hex_id" not in frame.columns and not has_geometry:
        raise ScoreError.say(MESSAGES, "no_hex", what=what, columns=list(frame.columns))
    if "hex_id" not in frame.columns:
        ids = pd.Series(_ids_of_hexagons(frame), index=frame.index, dtype=object)
        frame = frame.assign(hex_id=ids)
    ids = frame["hex_id"]
    valid = np.array([isinstance(c, str) and h3.is_valid_cell(c) for c in ids], dtype=bool)
    frame = frame.loc[valid]
    resolutions = {h3.get_resolution(c) for c in frame["hex_id"]}
    if len(resolutions) > 1:
        raise ScoreError.say(MESSAGES, "mixed_res", what=what, res=sorted(resolutions))
    if not has_geometry:
        geoms = _hex_polygons(frame["hex_id"].tolist())
        return gpd.GeoDataFrame(pd.DataFrame(frame), geometry=geoms, crs=4326)
    gdf: gpd.GeoDataFrame = frame
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        return gdf.to_crs(4326)
    return gdf


def _ids_of_hexagons(frame: gpd.GeoDataFrame) -> list[str | None]:
    """Return H3 ids for hexagon polygons without ``hex_id``.

    Each polygon gets the cell of its representative point, at the resolution whose
    average area is nearest the median polygon area.
    """
    geoms = frame.to_crs(4326).geometry if frame.crs is not None else frame.geometry
    valid = geoms.notna() & ~geoms.is_empty
    if not valid.any():
        return [None] * len(frame)
    area_km2 = frame.loc[valid].geometry.to_crs(frame.loc[valid].geometry.estimate_utm_crs()).area
    median = float(np.median(area_km2)) / 1e6
    res = min(range(16), key=lambda r: abs(np.log(h3.average_hexagon_area(r, "km^2") / median)))
    pts = geoms.representative_point()
    return [
        h3.latlng_to_cell(pt.y, pt.x, res) if ok else None
        for pt, ok in zip(pts, valid, strict=True)
    ]


def _hex_polygons(ids: list[str]) -> np.ndarray:
    """Return the hexagons of ``ids`` (lng, lat), built in one vectorised shapely call."""
    import shapely

    rings = [h3.cell_to_boundary(c) for c in ids]
    sizes = np.fromiter((len(r) for r in rings), dtype=np.int64, count=len(rings))
    coords = np.array([xy for r in rings for xy in r], dtype=np.float64).reshape(-1, 2)
    index = np.repeat(np.arange(len(rings)), sizes)
    return np.asarray(shapely.polygons(shapely.linearrings(coords[:, ::-1], indices=index)))


def _as_points(frame: Any, what: str) -> gpd.GeoDataFrame:
    if isinstance(frame, gpd.GeoDataFrame):
        return frame
    if isinstance(frame, pd.DataFrame):
        for lat, lon in (("lat", "lon"), ("lintang", "bujur"), ("latitude", "longitude")):
            if lat in frame.columns and lon in frame.columns:
                xy = gpd.points_from_xy(
                    pd.to_numeric(frame[lon], errors="coerce"),
                    pd.to_numeric(frame[lat], errors="coerce"),
                )
                return gpd.GeoDataFrame(frame.copy(), geometry=xy, crs=4326)
    raise ScoreError.say(MESSAGES, "not_points", what=what, got=type(frame).__name__)


def _boundaries(
    boundaries: bool | Mapping[str, gpd.GeoDataFrame],
    extent: tuple[float, float, float, float] | None,
    settings: Settings,
) -> dict[str, gpd.GeoDataFrame]:
    if boundaries is False:
        return {}
    if isinstance(boundaries, Mapping):
        frames = {k: v for k, v in boundaries.items() if k in _TOLERANCE}
    else:
        from kamtibmas_geo.boundaries._pack import load_boundaries

        frames = {
            level: load_boundaries(level, settings=settings)
            for level in ("kabupaten", "kecamatan", "desa")
        }
    out = {}
    for level, frame in frames.items():
        f = frame.to_crs(4326) if frame.crs is not None else frame
        if extent is not None:
            minx, miny, maxx, maxy = extent
            f = f.cx[minx - 0.01 : maxx + 0.01, miny - 0.01 : maxy + 0.01]
        out[level] = f
    return out


def _search_index(
    bounds: Mapping[str, gpd.GeoDataFrame], cells: gpd.GeoDataFrame
) -> dict[str, list[Any]]:
    """Desa/kelurahan to search: official name, name as staff write it, kecamatan, bounds."""
    if "desa" in bounds and len(bounds["desa"]):
        d = bounds["desa"]
        kec = d["kecamatan_name"] if "kecamatan_name" in d.columns else pd.Series([None] * len(d))
        names = [str(v) for v in d["name"]]
        rows = {
            "name": names,
            "kec": [None if pd.isna(v) else str(v) for v in kec],
            "bbox": np.round(d.geometry.bounds.to_numpy(), 5).tolist(),
        }
    elif "desa_name" not in cells.columns or cells.empty:
        return {"name": [], "alt": [], "kec": [], "bbox": []}
    else:
        rows = _search_from_cells(cells)
    rows["alt"] = [_alt_name(n) for n in rows["name"]]
    return rows


def _alt_name(name: str) -> str | None:
    """Return the name as staff write it, when it differs from the official one."""
    disp = display_name(name)
    return None if disp == name else disp


def _search_from_cells(cells: gpd.GeoDataFrame) -> dict[str, list[Any]]:
    b = cells.geometry.bounds
    frame = pd.DataFrame(
        {
            "name": cells["desa_name"],
            "kec": cells["kecamatan_name"] if "kecamatan_name" in cells.columns else None,
            "x0": b.minx,
            "y0": b.miny,
            "x1": b.maxx,
            "y1": b.maxy,
        }
    ).dropna(subset=["name"])
    frame["kec"] = frame["kec"].astype(object).fillna("")
    agg = frame.groupby(["name", "kec"], sort=True).agg(
        x0=("x0", "min"), y0=("y0", "min"), x1=("x1", "max"), y1=("y1", "max")
    )
    return {
        "name": [str(n) for n, _ in agg.index],
        "kec": [str(k) or None for _, k in agg.index],
        "bbox": np.round(agg.to_numpy(), 5).tolist(),
    }


@dataclass(frozen=True, slots=True)
class MapOptions:
    """How :func:`render_map` builds the page and who may see it.

    Attributes
    ----------
    offline : bool
        Inline every script, style and image into the page (no request leaves it; the
        default). ``False`` links the same pinned versions on the jsDelivr CDN.
    public : bool
        Public mode: no individual points or activities, no personal/free-text columns,
        cells with fewer than ``Settings.public_min_count`` incidents left out, per-type
        counts below that shown as "< k", heat from cell aggregates only.
    tiles : str, optional
        Base map (needs a connection): an xyzservices provider name such as
        ``"OpenStreetMap"`` or ``"OpenTopoMap"``, or an http(s) tile URL with
        ``{z}``, ``{x}`` and ``{y}``; without tiles the boundaries are the base map.
    title : str, optional
        Title of the map; by default "Peta titik rawan" with the kabupaten/kota of the cells.
    target : str, optional
        The target period in the title; by default the target of ``score_hotspots``
        (``cells.attrs["score"]``) when the cells still carry it.
    data_date : str, optional
        Date of the newest record in the title; by default the newest ``time`` of
        ``records``.
    polsek : dict, DataFrame or path, optional
        The Polres' kecamatan → Polsek mapping for the "Prioritas" panel (see
        :func:`kamtibmas_geo.boundaries._polsek.polsek_table`); by default one Polsek per
        kecamatan, or the cells' ``polsek`` column.
    min_reports : int
        Public mode: early warnings are shown only per desa/kelurahan with at least this
        many reports (default 3); no warning point ever.
    as_of : timestamp, optional
        Date of the early-warning layer (by default the newest warning report).
    warning_days : int
        The warnings reported in the last / expected in the coming ``warning_days`` days.

    Examples
    --------
    >>> MapOptions(public=True).offline
    True
    """

    offline: bool = True
    public: bool = False
    tiles: str | None = None
    title: str | None = None
    target: str | None = None
    data_date: str | None = None
    polsek: Any = None
    min_reports: int = 3
    as_of: Any = None
    warning_days: int = 7


def render_map(
    cells: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame],
    *,
    records: gpd.GeoDataFrame | None = None,
    activities: gpd.GeoDataFrame | None = None,
    posts: gpd.GeoDataFrame | None = None,
    proposed: gpd.GeoDataFrame | None = None,
    warnings: gpd.GeoDataFrame | None = None,
    out: str | os.PathLike[str] | None = None,
    lang: Language = "id",
    boundaries: bool | Mapping[str, gpd.GeoDataFrame] = True,
    options: MapOptions | None = None,
    settings: Settings | None = None,
) -> folium.Map:
    """Build the patrol-planning map of scored hotspot cells, and write it when ``out`` is given.

    Parameters
    ----------
    cells : GeoDataFrame or mapping of str -> GeoDataFrame
        Score cells (``hex_id``, hexagon geometry, ``desa_name``, ``kecamatan_name``,
        ``n_incidents``, ``n_<type>``, ``score`` and its parts, ``score_class`` 1-5,
        ``gi_z``/``gi_p``/``gi_bin``/``gi_label``, ``trend_class``, ``coverage_gap``; any may
        be missing). Per-period columns ``score_class_<period>`` (with optional
        ``score_<period>``, ``n_incidents_<period>``) or a mapping ``{period: cells}`` give
        one switchable layer per period (only one period shows at a time).
    records : GeoDataFrame, optional
        Disturbance points (``type``, ``time``, ``address``, ``keterangan``): clustered
        markers coloured per type, and a heat layer. Not drawn in public mode.
    activities : GeoDataFrame, optional
        Binmas activity points (``type``, ``time``, ``address``). Not drawn in public mode.
    posts, proposed : GeoDataFrame, optional
        Existing and proposed Poskamling points (name from ``name``/``nama_pos``/``label``,
        radius from ``radius_m`` or ``Settings.radius_m``) with their coverage circle.
    warnings : GeoDataFrame, optional
        Early-warning records (kind ``early_warning``): the "Informasi dini" layer with
        type, expected time, state (open, answered by one of ``activities``, followed up,
        unfounded) and the reporter's role, never name or contact. In public mode only
        per desa/kelurahan with at least ``options.min_reports`` reports.
    out : path, optional
        Write the HTML page there.
    lang : {"id", "en"}
        Language of layer names, legend and tooltips.
    boundaries : bool or mapping of level -> GeoDataFrame
        Draw the kabupaten/kecamatan/desa boundaries around the cells (loaded from the
        boundary pack when ``True``; pass frames to use your own; ``False`` for none).
    options : MapOptions, optional
        Offline page, public mode and base map (:class:`MapOptions`; by default offline,
        not public, no base map).
    settings : Settings, optional
        Pipeline settings (radius, public minimum count, boundary pack location).

    Returns
    -------
    folium.Map
        The map; its :meth:`save` writes the (offline, if asked) page.

    Examples
    --------
    >>> import h3, pandas as pd
    >>> from kamtibmas_geo.render._map import render_map
    >>> ids = sorted(h3.grid_disk(h3.latlng_to_cell(-2.976, 104.755, 9), 1))
    >>> classes = [1, 2, 3, 4, 5, 5, 1]
    >>> cells = pd.DataFrame({"hex_id": ids, "score": range(7), "score_class": classes})
    >>> m = render_map(cells, boundaries=False)
    >>> "kg-data" in m.get_root().render()
    True
    """
    folium = _import_folium()
    settings = settings or Settings()
    options = options or MapOptions()
    check_choice("lang", lang, ("id", "en"))
    meta = _score_meta(cells)
    sets = _cell_sets(cells, options.public, settings.public_min_count)
    extent = _extent(sets)
    bounds = _boundaries(boundaries, extent, settings)
    layers = {
        "records": records,
        "activities": activities,
        "posts": posts,
        "proposed": proposed,
        "warnings": warnings,
    }
    data = _page_data(sets, bounds, layers, lang, options, settings, meta)
    counts = data.pop("ewcount", None)  # for the caller, never in the page
    m = _folium_map(folium, data, extent, options.offline, counts)
    if out is not None:
        page = page_html(m, offline=options.offline)
        with atomic_write(out) as tmp:
            tmp.write_text(page, encoding="utf-8")
    return m


def _score_meta(cells: Any) -> dict[str, Any]:
    """Return what ``score_hotspots`` said about the cells (``attrs["score"]``), if kept."""
    first = next(iter(cells.values()), None) if isinstance(cells, Mapping) else cells
    attrs = getattr(first, "attrs", None) or {}
    meta = attrs.get("score")
    return dict(meta) if isinstance(meta, Mapping) else {}


def _page_data(
    sets: list[tuple[str | None, gpd.GeoDataFrame]],
    bounds: Mapping[str, gpd.GeoDataFrame],
    layers: Mapping[str, gpd.GeoDataFrame | None],
    lang: str,
    options: MapOptions,
    settings: Settings,
    meta: Mapping[str, Any],
) -> dict[str, Any]:
    """Gather everything the page draws into the data block (keys in page order)."""
    main, public, k = sets[0][1], options.public, settings.public_min_count
    data = _map_data(sets, bounds, lang, public, k)
    shown_types = _point_layers(data, main, layers["records"], layers["activities"], public=public)
    _post_layers(data, layers["posts"], layers["proposed"], settings.radius_m, public=public)
    _warning_layer(data, layers, bounds, lang, options)
    data["search"] = _search_index(bounds, main)
    data["legend"] = legend_data(lang, data, shown_types, k if public else None)
    if "warnings" in data:
        ew_k = options.min_reports if public else None
        data["legend"].insert(1, ew.warning_legend(data, lang, ew_k))
    data["title"] = title_data(main, bounds, layers["records"], meta, options, lang)
    data["priority"] = priority_payload(
        main, data["ptypes"], lang, mapping=options.polsek, public_k=k if public else None
    )
    data["attribution"] = [tr(md.MESSAGES, "attr_bounds", lang), tr(md.MESSAGES, "attr_h3", lang)]
    base = _tile_layer(options.tiles, lang)
    if base is not None:
        data["tiles"] = base
    return data


def _cell_sets(
    cells: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame], public: bool, k: int
) -> list[tuple[str | None, gpd.GeoDataFrame]]:
    """Return the cells of each period as hexagons in EPSG:4326 (suppressed when public)."""
    sets = [(p, _as_cells(f, "cells")) for p, f in md.split_periods(cells)]
    if public:  # no warning per cell: only desa aggregates of the warnings layer
        plain = [(p, f.drop(columns=_CELL_WARNINGS, errors="ignore")) for p, f in sets]
        sets = [(p, md.suppress_cells(md.drop_personal(f), k)) for p, f in plain]
    return sets


def _extent(
    sets: list[tuple[str | None, gpd.GeoDataFrame]],
) -> tuple[float, float, float, float] | None:
    """Return the bounds of every cell with a geometry, or None when there is none."""
    valid = [f for _, f in sets if len(f) and f.geometry.notna().any()]
    return tuple(pd.concat(valid).total_bounds) if valid else None


def _map_data(
    sets: list[tuple[str | None, gpd.GeoDataFrame]],
    bounds: Mapping[str, gpd.GeoDataFrame],
    lang: str,
    public: bool,
    k: int,
) -> dict[str, Any]:
    """Start the data block: texts, colours, types, a hexagon layer per period, boundaries."""
    text = {key: tr(md.MESSAGES, key, lang) for key in md.MESSAGES}
    text["cls"] = text["class"]
    data: dict[str, Any] = {
        "text": text,
        "k": k,
        "score_colours": md.SCORE_COLOURS,
        "gi_colours": {str(b): c for b, c in md.GI_COLOURS.items()},
        "post_colours": md.POST_COLOURS,
        "ptypes": md.load_types("disturbance", lang),
        "atypes": md.load_types("activity", lang),
        "hexsets": [],
    }
    from_columns = sets[0][0] is None  # periods from score_class_<period> columns
    for n, (period, frame) in enumerate(sets):
        own_columns = md.PERIOD_COLS if n > 0 and from_columns else None
        payload = md.cells_payload(frame, public=public, k=k, columns=own_columns)
        if n > 0:
            if own_columns is not None:
                payload["base"] = 0
            if payload["ids"] == data["hexsets"][0]["ids"]:
                payload["ids"] = {"same": 0}
        if period is None:
            payload["label"] = tr(md.MESSAGES, "layer_score", lang)
        else:
            label = md.period_label(period, lang)
            payload["label"] = f"{tr(md.MESSAGES, 'period', lang)}: {label}"
        data["hexsets"].append(payload)
    if bounds:
        data["bounds"] = {
            level: md.boundary_payload(frame, _TOLERANCE[level])
            for level, frame in bounds.items()
            if len(frame)
        }
        if "desa" in data["bounds"] and "name" in data["bounds"]["desa"]:
            names = data["bounds"]["desa"]["name"]
            data["bounds"]["desa"]["disp"] = [None if n is None else display_name(n) for n in names]
    return data


def _point_layers(
    data: dict[str, Any],
    main: gpd.GeoDataFrame,
    records: gpd.GeoDataFrame | None,
    activities: gpd.GeoDataFrame | None,
    *,
    public: bool,
) -> dict[str, Any] | None:
    """Add the incident and activity points (or, in public mode, the cell heat) to ``data``.

    Returns the incident types drawn, for the legend (None in public mode).
    """
    if public:
        if "n_incidents" in main.columns and len(main):
            centres = [h3.cell_to_latlng(c) for c in main["hex_id"].astype(str)]
            w = pd.to_numeric(main["n_incidents"], errors="coerce").fillna(0).to_numpy(float)
            data["heat_cells"] = {
                "lat": [round(c[0], 5) for c in centres],
                "lon": [round(c[1], 5) for c in centres],
                "w": np.round(w / max(w.max(), 1.0), 3).tolist(),
            }
        return None
    shown_types: dict[str, Any] | None = None
    ptypes = data["ptypes"]
    if records is not None and len(records):
        data["points"] = md.points_payload(_as_points(records, "records"), ptypes, notes=True)
        used = {data["points"]["keys"][t] for t in data["points"]["used"]}
        shown_types = {key: v for key, v in ptypes.items() if key in used}
    if activities is not None and len(activities):
        acts = _as_points(activities, "activities")
        data["activities"] = md.points_payload(acts, data["atypes"], notes=False)
    return shown_types


def _post_layers(
    data: dict[str, Any],
    posts: gpd.GeoDataFrame | None,
    proposed: gpd.GeoDataFrame | None,
    radius_m: float,
    *,
    public: bool,
) -> None:
    """Add the existing and proposed Poskamling with their coverage radius to ``data``."""
    for key, frame in (("posts", posts), ("proposed", proposed)):
        if frame is not None and len(frame):
            pts = md.drop_personal(_as_points(frame, key)) if public else _as_points(frame, key)
            data[key] = md.posts_payload(pts, radius_m, public=public)


def _warning_layer(
    data: dict[str, Any],
    layers: Mapping[str, gpd.GeoDataFrame | None],
    bounds: Mapping[str, gpd.GeoDataFrame],
    lang: str,
    options: MapOptions,
) -> None:
    """Add the early warnings (points, or desa aggregates in public mode) to ``data``."""
    warnings = layers["warnings"]
    if warnings is None or not len(warnings):
        return
    acts = layers["activities"]
    view = ew.warning_view(
        _as_points(warnings, "warnings"),
        activities=None if acts is None else _as_points(acts, "activities"),
        as_of=options.as_of,
        days=options.warning_days,
    )
    types = ew.warning_types(lang)
    public_k = options.min_reports if options.public else None
    payload = ew.warnings_payload(view, types, lang, public_k=public_k, desa=bounds.get("desa"))
    if payload is None:
        return
    data["text"].update({key: tr(ew.MESSAGES, key, lang) for key in ew.MESSAGES})
    data["warnings"] = payload
    data["ewtypes"] = types
    data["ewcount"] = ew.state_counts(view)


def _folium_map(
    folium: Any,
    data: dict[str, Any],
    extent: tuple[float, float, float, float] | None,
    offline: bool,
    counts: Mapping[str, int] | None = None,
) -> folium.Map:
    """Make the folium map around ``extent`` carrying the data block, ids deterministic.

    ``counts`` (warnings per state) and the number of desa of a public warning layer are
    kept on the map for the caller (``kg_warnings``, ``kg_warning_desa``), not in the page.
    """
    centre = [-3.0, 104.75]
    if extent is not None:
        centre = [(extent[1] + extent[3]) / 2, (extent[0] + extent[2]) / 2]
    m = folium.Map(
        location=centre, zoom_start=11, tiles=None, control_scale=True, prefer_canvas=False
    )
    from kamtibmas_geo.render._assets import CSS_ASSETS, JS_ASSETS
    from kamtibmas_geo.render._mapjs import CSS, SCRIPT
    from kamtibmas_geo.render._page import DataLayers, number_elements

    m.default_js = JS_ASSETS
    m.default_css = CSS_ASSETS
    data_json = md.script_json(data)
    m.add_child(DataLayers(data_json, CSS, SCRIPT))
    digest = hashlib.sha256(data_json.encode("utf-8")).hexdigest()
    number_elements(m.get_root(), f"kg{digest[:8]}")
    m.kg_offline = offline
    m.kg_warnings = counts
    ew_data = data.get("warnings") or {}
    m.kg_warning_desa = len(ew_data.get("n", [])) if ew_data.get("agg") else 0

    return m


def _tile_layer(tiles: str | None, lang: str) -> dict[str, Any] | None:
    """Resolve ``tiles`` into a URL and Leaflet options, handed to the page as data.

    A name is looked up in xyzservices (as folium does; "OpenStreetMap" is OSM Mapnik) and
    uses that provider's URL and attribution; anything else must be an http(s) URL with
    ``{z}``, ``{x}`` and ``{y}``, attributed to its host. The result travels in the data
    block and the script draws the layer, so folium never sees the text.
    """
    if tiles is None:
        return None
    import xyzservices

    text = str(tiles).strip()
    name = "OpenStreetMap Mapnik" if text.lower() == "openstreetmap" else text
    try:
        provider = xyzservices.providers.query_name(name)
    except ValueError:
        provider = None
    if provider is not None:
        try:
            url = provider.build_url(fill_subdomain=False, scale_factor="{r}")
        except ValueError:
            raise ScoreError(tr(MESSAGES, "tiles_token", lang, tiles=text)) from None
        zoom = int(provider.get("max_zoom", 18))
        options: dict[str, Any] = {
            "attribution": str(provider.html_attribution),
            "minZoom": int(provider.get("min_zoom", 0)),
            "maxZoom": zoom,
            "maxNativeZoom": zoom,
            "subdomains": provider.get("subdomains", "abc"),
        }
        return {"url": url, "options": options}
    parts = urlsplit(text)
    if (
        parts.scheme in ("http", "https")
        and parts.netloc
        and _TILE_KEYS.issubset(_TILE_KEY_RE.findall(text))
    ):
        options = {"attribution": escape_html(parts.hostname or parts.netloc), "maxZoom": 18}
        return {"url": text, "options": options}
    raise ScoreError(tr(MESSAGES, "bad_tiles", lang, tiles=text))
