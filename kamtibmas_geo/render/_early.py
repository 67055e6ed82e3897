"""The map's "Informasi dini" layer: early warnings, their follow-up, and informant protection.

:func:`warning_view` is the coverage view of early warnings at a date: the warnings
:func:`kamtibmas_geo.score._early.open_warnings` keeps at ``as_of`` (reported in the last
``days`` or expected in the coming ``days``), each with its state: still open, answered by a
Binmas activity (sambang, dialog/sosialisasi, imbauan, patroli near it soon after the report:
"ditindaklanjuti oleh kegiatan <date>"), followed up or found unfounded by the reporter's
status. :func:`warnings_payload` packs them for the page:

* private map: one marker per warning with its type, expected time, state and the reporter's
  ROLE only. Only whitelisted fields are packed: the reporter's name and contact (and every
  free-text column) never reach the page;
* public map: no warning at all, except per desa/kelurahan with at least ``k`` reports
  (count and types, at a point inside the desa; reports found unfounded are not counted);
  a desa with fewer is left out.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.plan._patrol_warn import ROLES, role_label
from kamtibmas_geo.render._codec import pack_column

__all__ = [
    "MESSAGES",
    "ROLES",
    "STATES",
    "warning_legend",
    "warning_types",
    "warning_view",
    "warnings_payload",
]

#: Colour of a warning type the taxonomy does not colour (a purple no incident type uses).
FALLBACK_COLOUR = "#7b3294"
#: The warning types of the contract, when the taxonomy has no ``[early_warning]`` tables.
_FALLBACK_TYPES = {
    "rencana_tawuran": ("Rencana tawuran", "Planned brawl"),
    "penjualan_petasan": ("Penjualan petasan", "Firecracker sales"),
    "balap_liar_terjadwal": ("Balap liar terjadwal", "Scheduled street racing"),
    "provokasi": ("Provokasi", "Provocation"),
    "keramaian_tanpa_izin": ("Keramaian tanpa izin", "Unlicensed gathering"),
    "rencana_pencurian": ("Rencana pencurian", "Planned theft"),
    "potensi_konflik": ("Potensi konflik", "Potential conflict"),
    "lainnya": ("Lainnya", "Other"),
}
#: States of a warning on the map, in legend order.
STATES = ("open", "answered", "followed_up", "unfounded")
_DAYS = {
    "id": ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}
_MONTHS = {
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}

MESSAGES = {
    "layer_ew": {"id": "Informasi dini", "en": "Early warnings"},
    "layer_ew_public": {
        "id": "Informasi dini (agregat desa)",
        "en": "Early warnings (desa aggregates)",
    },
    "ew_expected": {"id": "Perkiraan waktu", "en": "Expected"},
    "ew_not_said": {"id": "tidak disebut", "en": "not said"},
    "ew_status": {"id": "Status", "en": "Status"},
    "ew_role": {"id": "Pelapor", "en": "Reported by"},
    "ew_reported": {"id": "Dilaporkan", "en": "Reported"},
    "ew_feared": {"id": "Dikhawatirkan", "en": "Feared"},
    "ew_reports": {"id": "laporan informasi dini", "en": "early-warning reports"},
    "st_open": {"id": "belum ditindaklanjuti", "en": "not followed up"},
    "st_answered": {
        "id": "ditindaklanjuti oleh kegiatan {date}",
        "en": "answered by an activity on {date}",
    },
    "st_answered_legend": {
        "id": "ditindaklanjuti oleh kegiatan",
        "en": "answered by an activity",
    },
    "st_followed_up": {"id": "ditindaklanjuti", "en": "followed up"},
    "st_unfounded": {"id": "tidak terbukti", "en": "unfounded"},
    "leg_ew": {
        "id": "Informasi dini (pelapor: peran saja)",
        "en": "Early warnings (reporter: role only)",
    },
    "leg_ew_open": {"id": "terbuka: isi penuh", "en": "open: solid"},
    "leg_ew_closed": {"id": "selesai: pudar, garis putus", "en": "closed: faded, dashed"},
    "leg_ew_public": {
        "id": "Peta publik: informasi dini hanya per desa/kelurahan dengan sedikitnya {k} "
        "laporan; tanpa titik, waktu, status atau pelapor.",
        "en": "Public map: early warnings only per desa/kelurahan with at least {k} reports; "
        "no points, times, statuses or reporters.",
    },
}


def warning_types(lang: str) -> dict[str, dict[str, str]]:
    """Labels, colours and marker letters of the warning types (taxonomy ``[early_warning]``).

    Parameters
    ----------
    lang : {"id", "en"}
        Language of the labels.

    Returns
    -------
    dict
        ``{type key: {"label": str, "colour": "#rrggbb", "abbr": str}}``; the contract's
        types in a fixed colour when the taxonomy has no ``[early_warning]`` tables.
    """
    from kamtibmas_geo.render._mapdata import _HEX_COLOUR, _abbreviations

    try:
        path = resources.files("kamtibmas_geo").joinpath("data", "taxonomy.toml")
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("early_warning", {})
    except (FileNotFoundError, tomllib.TOMLDecodeError):
        table = {}
    out: dict[str, dict[str, str]] = {}
    for key, entry in (table or {}).items():
        if isinstance(entry, dict):
            label = str(entry.get(f"label_{lang}") or entry.get("label_id") or key)
            out[key] = {"label": label, "colour": str(entry.get("colour", FALLBACK_COLOUR))}
    if not out:
        for key, (lid, len_) in _FALLBACK_TYPES.items():
            out[key] = {"label": lid if lang == "id" else len_, "colour": FALLBACK_COLOUR}
    out.setdefault("lainnya", {"label": _FALLBACK_TYPES["lainnya"][lang == "en"],
                               "colour": FALLBACK_COLOUR})  # fmt: skip
    for entry in out.values():
        if not _HEX_COLOUR.match(entry["colour"]):
            entry["colour"] = FALLBACK_COLOUR
    for key, abbr in _abbreviations(list(out)).items():
        out[key]["abbr"] = abbr
    return out


# --------------------------------------------------------------------------- the view


def warning_view(
    warnings: pd.DataFrame,
    *,
    activities: pd.DataFrame | None = None,
    as_of: Any = None,
    days: int = 7,
) -> pd.DataFrame:
    """Return the warnings of the period at ``as_of`` with their state (the coverage view).

    The period and the answering activities are those of
    :func:`kamtibmas_geo.score._early.open_warnings` (every status is looked at, not only
    "open"): a warning reported in the last ``days`` or expected in the coming ``days``.

    Parameters
    ----------
    warnings : DataFrame
        Early-warning records (kind ``early_warning``; ``status`` "open", "followed_up",
        "unfounded", missing = open).
    activities : DataFrame, optional
        Binmas activities that may answer the warnings.
    as_of : timestamp, optional
        The date of the view; by default the newest report.
    days : int
        Days before (reports) and after (expected times) ``as_of``.

    Returns
    -------
    DataFrame
        The kept warnings with ``state`` (one of :data:`STATES`), ``answered_by``,
        ``answered_on`` (the answering activity's time, else NaT) and ``answered_at``
        (its ``[lat, lon]``, else None).
    """
    from kamtibmas_geo.score._early import open_warnings

    if warnings is None or len(warnings) == 0:
        return pd.DataFrame(warnings).iloc[0:0].assign(state=pd.Series(dtype=object))
    stamp = _as_of(warnings, as_of)
    status = _status(warnings)
    probe = warnings.assign(status="open", _kg_row=np.arange(len(warnings)))
    kept = open_warnings(probe, as_of=stamp, days=days, activities=activities)
    rows = kept["_kg_row"].to_numpy(dtype=int)
    out = warnings.iloc[rows].copy()
    answered = kept["answered"].fillna(False).astype(bool).to_numpy()
    out["answered_by"] = kept["answered_by"].to_numpy()
    out["answered_on"] = _answer_times(out["answered_by"], activities)
    out["answered_at"] = _answer_places(out["answered_by"], activities)
    own = status.iloc[rows].to_numpy()
    state = np.where(own == "open", np.where(answered, "answered", "open"), own)
    out["state"] = state
    return out


def _as_of(warnings: pd.DataFrame, as_of: Any) -> pd.Timestamp:
    """Return ``as_of`` in Asia/Jakarta, by default the newest report."""
    from kamtibmas_geo._errors import ScoreError
    from kamtibmas_geo.score._early import MESSAGES as EARLY

    try:
        stamp = pd.Timestamp(as_of) if as_of is not None else None
    except (TypeError, ValueError):
        raise ScoreError.say(EARLY, "bad_as_of", value=as_of) from None
    if stamp is not None and pd.isna(stamp):
        raise ScoreError.say(EARLY, "bad_as_of", value=as_of)
    if stamp is None:
        times = pd.to_datetime(warnings["time"], errors="coerce")
        stamp = pd.Timestamp(times.max())
    if stamp.tzinfo is None:
        return stamp.tz_localize("Asia/Jakarta")
    return stamp.tz_convert("Asia/Jakarta")


def _status(warnings: pd.DataFrame) -> pd.Series:
    """Return each warning's own status code (missing or unknown = open)."""
    if "status" not in warnings.columns:
        return pd.Series("open", index=warnings.index, dtype=object)
    codes = warnings["status"].astype("string").str.strip().str.lower()
    return codes.where(codes.isin(STATES[2:]), "open").astype(object)


def _answer_times(ids: pd.Series, activities: pd.DataFrame | None) -> pd.Series:
    """Return the time of the activity each warning was answered by (NaT if none)."""
    if activities is None or "record_id" not in activities.columns or not len(activities):
        return pd.Series(pd.NaT, index=ids.index)
    times = pd.Series(
        pd.to_datetime(activities["time"], errors="coerce").to_numpy(),
        index=activities["record_id"].astype(str).to_numpy(),
    )
    times = times[~times.index.duplicated()]
    return pd.Series([times.get(str(v)) if pd.notna(v) else pd.NaT for v in ids], index=ids.index)


def _answer_places(ids: pd.Series, activities: pd.DataFrame | None) -> list[Any]:
    """Return ``[lat, lon]`` of the activity each warning was answered by (None if none)."""
    if not isinstance(activities, gpd.GeoDataFrame) or "record_id" not in activities.columns:
        return [None] * len(ids)
    pts = activities.to_crs(4326) if activities.crs is not None else activities
    where: dict[str, list[float]] = {}
    for rid, geom in zip(pts["record_id"].astype(str), pts.geometry, strict=True):
        if geom is not None and not geom.is_empty and rid not in where:
            where[rid] = [round(float(geom.y), 5), round(float(geom.x), 5)]
    return [where.get(str(v)) if pd.notna(v) else None for v in ids]


def state_counts(view: pd.DataFrame) -> dict[str, int]:
    """Return how many warnings of the view are in each state (every state, 0 when none).

    Parameters
    ----------
    view : DataFrame
        :func:`warning_view`.

    Returns
    -------
    dict
        ``{state: count}`` in the order of :data:`STATES`.
    """
    states = view["state"].tolist() if "state" in view.columns else []
    return {s: int(sum(1 for v in states if v == s)) for s in STATES}


# --------------------------------------------------------------------------- the payload


def _stamp(value: Any, lang: str, *, clock: bool = True) -> str | None:
    """Return "Sab 20 Feb 2027 20:00" (or without the clock), in Asia/Jakarta."""
    if value is None or pd.isna(value):
        return None
    t = pd.Timestamp(value)
    if t.tzinfo is not None:
        t = t.tz_convert("Asia/Jakarta")
    day = f"{_DAYS[lang][t.weekday()]} {t.day} {_MONTHS[lang][t.month - 1]} {t.year}"
    return f"{day} {t:%H:%M}" if clock else day


def _expected(start: Any, end: Any, lang: str) -> str:
    """Return the expected time as people read it, "tidak disebut" when not said."""
    first = _stamp(start, lang)
    if first is None:
        return tr(MESSAGES, "ew_not_said", lang)
    if end is None or pd.isna(end):
        return first
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    if b.tzinfo is not None and a.tzinfo is not None:
        b = b.tz_convert(a.tz)
    same = a.date() == b.date() or (b - a <= pd.Timedelta(hours=12) and b.hour < 6)
    return f"{first}\u2013{b:%H:%M}" if same else f"{first} \u2013 {_stamp(b, lang)}"


def _state_text(state: str, answered_on: Any, lang: str) -> str:
    if state == "answered":
        date = _stamp(answered_on, lang, clock=False)
        if date is None:
            return tr(MESSAGES, "st_answered_legend", lang)
        return tr(MESSAGES, "st_answered", lang, date=date)
    return tr(MESSAGES, f"st_{state}", lang)


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    if name not in frame.columns:
        return [None] * len(frame)
    return [None if pd.isna(v) else v for v in frame[name].tolist()]


def warnings_payload(
    view: gpd.GeoDataFrame,
    types: Mapping[str, Mapping[str, str]],
    lang: str,
    *,
    public_k: int | None = None,
    desa: gpd.GeoDataFrame | None = None,
) -> dict[str, Any] | None:
    """Pack the warnings of :func:`warning_view` for the page (whitelisted fields only).

    Parameters
    ----------
    view : GeoDataFrame
        Warning points (EPSG:4326) with ``type``, ``state``, ``answered_on``,
        ``expected_start``/``expected_end``, ``reporter_role``, ``time``, ``desa_name``.
    types : mapping
        :func:`warning_types`.
    lang : {"id", "en"}
        Language of the preformatted texts.
    public_k : int, optional
        Public map: aggregate per desa and keep only desa with at least this many reports.
    desa : GeoDataFrame, optional
        Desa/kelurahan polygons (``code``): the public marker sits inside its desa.

    Returns
    -------
    dict or None
        ``None`` when nothing may be shown.
    """
    pts = view.to_crs(4326) if view.crs is not None else view
    geom = pts.geometry
    ok = np.asarray(geom.notna() & ~geom.is_empty & (geom.geom_type == "Point"), dtype=bool)
    pts = pts.loc[ok]
    if public_k is not None:
        return _public_payload(pts, types, lang, public_k, desa)
    if not len(pts):
        return None
    keys = list(types)
    index = {k: i for i, k in enumerate(keys)}
    tcol = [index.get(str(t), index["lainnya"]) for t in _column(pts, "type")]
    states = [str(s) for s in pts["state"].tolist()]
    return {
        "agg": False,
        "n": len(pts),
        "lat": pack_column(shapely.get_y(pts.geometry.values).tolist(), 5),
        "lon": pack_column(shapely.get_x(pts.geometry.values).tolist(), 5),
        "t": pack_column(tcol, 0),
        "keys": keys,
        "used": sorted(set(tcol)),
        "closed": [int(s != "open") for s in states],
        "link": pts["answered_at"].tolist() if "answered_at" in pts.columns else [],
        "state": [
            _state_text(s, a, lang)
            for s, a in zip(states, _column(pts, "answered_on"), strict=True)
        ],
        "exp": [
            _expected(a, b, lang)
            for a, b in zip(
                _column(pts, "expected_start"), _column(pts, "expected_end"), strict=True
            )
        ],
        "role": [role_label(r, lang) for r in _column(pts, "reporter_role")],
        "rep": [_stamp(t, lang) for t in _column(pts, "time")],
        "desa": [None if v is None else str(v) for v in _column(pts, "desa_name")],
    }


def _public_payload(
    pts: gpd.GeoDataFrame,
    types: Mapping[str, Mapping[str, str]],
    lang: str,
    k: int,
    desa: gpd.GeoDataFrame | None,
) -> dict[str, Any] | None:
    """Per desa with at least ``k`` reports: its name, count and types, inside the desa.

    The desa of a warning is the polygon of ``desa`` holding its point when polygons are
    given, else its own ``desa_code`` (or ``desa_name``).
    """
    pts = _with_desa(pts, desa)
    key = "desa_code" if "desa_code" in pts.columns else "desa_name"
    if key not in pts.columns:
        return None
    pts = pts.loc[pts[key].notna() & (pts["state"] != "unfounded")]
    codes = [str(v) for v in pts[key].tolist()]
    kept = [(c, pts.iloc[[i for i, x in enumerate(codes) if x == c]]) for c in sorted(set(codes))]
    kept = [(c, g) for c, g in kept if len(g) >= max(1, int(k))]
    if not kept:
        return None
    inside = _desa_points(desa)
    out: dict[str, Any] = {"agg": True, "n": [], "lat": [], "lon": [], "desa": [], "types": []}
    for code, g in kept:
        lat, lon = inside.get(code, (float(g.geometry.y.mean()), float(g.geometry.x.mean())))
        names = _column(g, "desa_name")
        kinds = sorted({str(t) for t in _column(g, "type") if t is not None})
        out["n"].append(len(g))
        out["lat"].append(round(lat, 4))
        out["lon"].append(round(lon, 4))
        out["desa"].append(next((str(n) for n in names if n is not None), code))
        out["types"].append(", ".join(types.get(t, types["lainnya"])["label"] for t in kinds))
    return out


def _with_desa(pts: gpd.GeoDataFrame, desa: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Return the points with ``desa_code``/``desa_name`` of the desa polygon holding each."""
    if desa is None or "code" not in desa.columns or not len(desa) or not len(pts):
        return pts
    polys = desa.to_crs(4326)[["code", "name", "geometry"]].reset_index(drop=True)
    found = gpd.sjoin(
        pts[["geometry"]].reset_index(drop=True), polys, how="left", predicate="within"
    )
    found = found[~found.index.duplicated(keep="first")].sort_index()
    out = pts.copy()
    inside = found["code"].notna().to_numpy()
    codes = out["desa_code"].astype(object) if "desa_code" in out.columns else None
    names = out["desa_name"].astype(object) if "desa_name" in out.columns else None
    out["desa_code"] = np.where(inside, found["code"].to_numpy(dtype=object),
                                codes.to_numpy() if codes is not None else None)  # fmt: skip
    out["desa_name"] = np.where(inside, found["name"].to_numpy(dtype=object),
                                names.to_numpy() if names is not None else None)  # fmt: skip
    return out


def _desa_points(desa: gpd.GeoDataFrame | None) -> dict[str, tuple[float, float]]:
    """Return a point inside each desa polygon by its code (none without polygons)."""
    if desa is None or "code" not in desa.columns or not len(desa):
        return {}
    inside = shapely.point_on_surface(np.asarray(desa.to_crs(4326).geometry.values))
    return {
        str(c): (float(shapely.get_y(p)), float(shapely.get_x(p)))
        for c, p in zip(desa["code"], inside, strict=True)
    }


def warning_legend(data: Mapping[str, Any], lang: str, public_k: int | None) -> dict[str, Any]:
    """Return the legend section of the warnings layer (types drawn, open/closed, public rule).

    Parameters
    ----------
    data : mapping
        The data block with ``warnings`` and ``ewtypes``.
    lang : {"id", "en"}
        Language.
    public_k : int, optional
        Public minimum of reports per desa.

    Returns
    -------
    dict
        A section as :func:`kamtibmas_geo.render._legend.legend_data` makes them.
    """
    ew = data["warnings"]
    title = tr(MESSAGES, "leg_ew", lang)
    if ew["agg"]:
        item = {"dot": FALLBACK_COLOUR, "abbr": "", "text": tr(MESSAGES, "layer_ew_public", lang)}
        note = tr(MESSAGES, "leg_ew_public", lang, k=public_k)
        return {"layers": ["warnings"], "title": title, "items": [item], "note": note}
    types = data["ewtypes"]
    used = [ew["keys"][i] for i in ew["used"]]
    items = [{"dot": types[k]["colour"], "abbr": types[k]["abbr"], "text": types[k]["label"]}
             for k in used]  # fmt: skip
    items.append({"dot": "#555555", "abbr": "", "text": tr(MESSAGES, "leg_ew_open", lang)})
    items.append({"dot": "#bbbbbb", "abbr": "", "text": tr(MESSAGES, "leg_ew_closed", lang)})
    return {"layers": ["warnings"], "title": title, "items": items}
