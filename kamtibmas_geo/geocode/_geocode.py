"""Offline geocoding of records onto the desa/kelurahan and kecamatan of OKI and Palembang.

Coordinates are checked against the boundaries; free-text addresses are matched.

The gazetteer (:func:`build_gazetteer`) holds every unit of the boundary pack under keys
made by the alias rules of :mod:`kamtibmas_geo.records._aliases`, the user's landmarks and a list
of places outside. The :class:`Matcher` finds the names in an address by exact n-gram
look-ups (then phonetic keys, then rapidfuzz for typos), uses the kecamatan and kabupaten
named in the same text to choose between units of the same name, and never forces an
address onto a unit: outside places and nonsense stay ``unmatched``, ties ``ambiguous``.

Examples
--------
>>> from kamtibmas_geo.geocode._geocode import Matcher, build_gazetteer
>>> m = Matcher(build_gazetteer())  # doctest: +SKIP
>>> m.match("Jl. Merdeka RT 05 Kel. 20 Ilir D IV Kec. IT I").place.code  # doctest: +SKIP
'16.71.05.1008'
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kamtibmas_geo._errors import GeocodeError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo._validate import check_res
from kamtibmas_geo.config import Settings
from kamtibmas_geo.geocode._gazetteer import Gazetteer, Place, build_gazetteer, read_landmarks
from kamtibmas_geo.geocode._matcher import Match, Matcher
from kamtibmas_geo.records._read import RecordSet

__all__ = [
    "GEOCODE_STATUSES",
    "Gazetteer",
    "Match",
    "Matcher",
    "Place",
    "RecordSet",
    "build_gazetteer",
    "geocode",
    "read_landmarks",
]

#: Every value ``geocode_status`` can take.
GEOCODE_STATUSES = ("coordinates", "matched", "ambiguous", "unmatched", "out_of_area", "invalid")


MESSAGES = {
    "ambiguous": {
        "id": "Nama tempat '{name}' cocok dengan beberapa wilayah ({cands}); tambahkan "
        "kecamatan atau desa/kelurahan.",
        "en": "Place name '{name}' matches several units ({cands}); add the kecamatan or "
        "desa/kelurahan.",
    },
    "outside": {
        "id": "Alamat menyebut tempat di luar OKI dan Palembang ({name}).",
        "en": "The address names a place outside OKI and Palembang ({name}).",
    },
    "no_place": {
        "id": "Tidak ada desa/kelurahan, kecamatan atau landmark OKI/Palembang yang dikenali.",
        "en": "No desa/kelurahan, kecamatan or landmark of OKI/Palembang recognised.",
    },
    "kabupaten_only": {
        "id": "Hanya kabupaten/kota yang dikenali ({name}); tambahkan kecamatan atau desa.",
        "en": "Only the kabupaten/kota was recognised ({name}); add the kecamatan or desa.",
    },
    "out_of_area": {
        "id": "Koordinat ({lat}, {lon}) berada di luar OKI dan Palembang (laut atau daerah "
        "lain); periksa lintang/bujur.",
        "en": "Coordinates ({lat}, {lon}) lie outside OKI and Palembang (sea or another "
        "region); check lat/lon.",
    },
    "invalid": {
        "id": "Tidak ada koordinat yang sah dan alamat kosong; isi lintang/bujur atau alamat.",
        "en": "No valid coordinates and no address; fill in lat/lon or the address.",
    },
    "carried": {
        "id": "Ditolak saat membaca berkas.",
        "en": "Rejected when reading the file.",
    },
}

# -- records ---------------------------------------------------------------------------
_OUT_COLUMNS = (
    "geocode_status",
    "region_code",
    "region_level",
    "region_name",
    "geocode_score",
    "hex_id",
    "desa_code",
    "desa_name",
    "kecamatan_code",
    "kecamatan_name",
    "kabupaten_code",
    "kabupaten_name",
    "coord_mismatch",
)
_REJECTED_COLUMNS = ("source", "row", "column", "value", "reason_code", "reason", "geocode_status")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    text = str(value).strip()
    return "" if text.lower() in {"nan", "none", "<na>", "-"} else text


def _coords(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    n = len(frame)
    if "lat" in frame.columns and "lon" in frame.columns:
        lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    elif isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        geom = frame.geometry
        is_pt = np.asarray(geom.geom_type == "Point") & ~np.asarray(geom.is_empty | geom.isna())
        lat, lon = np.full(n, np.nan), np.full(n, np.nan)
        lat[is_pt] = geom[is_pt].y.to_numpy()
        lon[is_pt] = geom[is_pt].x.to_numpy()
    else:
        lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    with np.errstate(invalid="ignore"):
        ok = (
            np.isfinite(lat)
            & np.isfinite(lon)
            & (np.abs(lat) <= 90)
            & (np.abs(lon) <= 180)
            & ~((lat == 0) & (lon == 0))
        )
    return np.where(ok, lat, np.nan), np.where(ok, lon, np.nan)


def _texts(frame: pd.DataFrame, text_column: str) -> list[str]:
    cols = [text_column, "desa", "kecamatan"]
    prefix = {text_column: "", "desa": ", kel ", "kecamatan": ", kec "}
    parts = [
        [(prefix[c] + t) if (t := _text(v)) else "" for v in frame[c].tolist()]
        if c in frame.columns
        else [""] * len(frame)
        for c in cols
    ]
    return ["".join(p).strip(" ,") for p in zip(*parts, strict=True)]


def _unpack(records: Any) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if isinstance(records, tuple) and hasattr(records, "records") and hasattr(records, "rejected"):
        return records.records, records.rejected
    if isinstance(records, pd.DataFrame):
        return records, None
    msg = (
        f"geocode() expects a GeoDataFrame, a DataFrame or a RecordSet, got "
        f"{type(records).__name__}; read files with read_records() first."
    )
    raise GeocodeError(msg)


def geocode(
    records: gpd.GeoDataFrame | pd.DataFrame | RecordSet,
    *,
    res: int = 9,
    landmarks: str | Any | None = None,
    settings: Settings | None = None,
    lang: str = "id",
    text_column: str = "address",
    gazetteer: Gazetteer | None = None,
) -> RecordSet:
    """Place every record on the map, or say why it cannot be placed.

    Rows with valid coordinates are checked against the boundaries: inside OKI or
    Palembang they are placed as they are (``geocode_status="coordinates"``), with
    ``coord_mismatch=True`` when the written desa/kecamatan disagrees with the point;
    outside (sea, other regions) they are rejected as ``out_of_area``. Rows without
    coordinates are matched by their address (plus the ``desa`` and ``kecamatan``
    columns) and placed at the inside point of the desa or kecamatan found, or at the
    landmark (``"matched"``); otherwise rejected as ``ambiguous``, ``unmatched`` or
    ``invalid`` (no coordinates and no text).

    Parameters
    ----------
    records : GeoDataFrame, DataFrame or RecordSet
        Records with columns ``lat``, ``lon`` (or point geometries) and/or ``address``,
        optionally ``desa``, ``kecamatan``, ``source``, ``row``. A RecordSet's rejected
        rows are carried over to the result's ledger.
    res : int
        H3 resolution of ``hex_id``.
    landmarks : path or DataFrame, optional
        The user's landmarks (see :func:`read_landmarks`); ignored when ``gazetteer`` is
        given.
    settings : Settings, optional
        Where the boundary pack is.
    lang : {"id", "en"}
        Language of the reasons in the ledger.
    text_column : str
        Column holding the free-text address.
    gazetteer : Gazetteer, optional
        A gazetteer built earlier (saves building it again).

    Returns
    -------
    RecordSet
        ``records``: placed rows (input columns kept; lat/lon/geometry = the point used)
        with geocode_status, region_code, region_level, region_name, geocode_score,
        hex_id, desa/kecamatan/kabupaten code and name, coord_mismatch. ``rejected``:
        source, row, column, value, reason_code, reason, geocode_status.
        ``len(records) + len(rejected)`` equals the rows in (plus carried-over rows).

    Raises
    ------
    GeocodeError
        The input is not a table or the landmarks file is bad.
    """
    from kamtibmas_geo.grid._cells import assign_units, points_to_cells

    res = check_res(res)
    frame, prior = _unpack(records)
    gaz = gazetteer or build_gazetteer(landmarks=landmarks, settings=settings, lang=lang)
    matcher = Matcher(gaz)
    n = len(frame)
    src = frame["source"].astype(str).tolist() if "source" in frame.columns else ["<DataFrame>"] * n
    rows = (
        pd.to_numeric(frame["row"], errors="coerce").tolist()
        if "row" in frame.columns
        else list(range(2, n + 2))
    )
    lat, lon = _coords(frame)
    has_xy = ~np.isnan(lat)
    texts = _texts(frame, text_column)
    # coordinates: point in polygon
    pts = gpd.GeoDataFrame(
        {"_i": np.flatnonzero(has_xy)},
        geometry=gpd.points_from_xy(lon[has_xy], lat[has_xy]),
        crs=4326,
    )
    units = assign_units(pts, settings=settings) if len(pts) else pts.assign(desa_code=None)
    status = np.full(n, "", dtype=object)
    out: dict[str, NDArray[np.object_]] = {c: np.full(n, None, dtype=object) for c in _OUT_COLUMNS}
    out_lat, out_lon = lat.copy(), lon.copy()
    rejected: list[tuple[int, dict[str, Any]]] = []

    # rows with coordinates, vectorised: inside the pack (desa found) or out of area
    idx_xy = np.flatnonzero(has_xy)
    desa_of = units["desa_code"].to_numpy(dtype=object)
    inside = np.array([isinstance(c, str) for c in desa_of], dtype=bool)
    for i in idx_xy[~inside]:
        status[i] = "out_of_area"
        reason = tr(MESSAGES, "out_of_area", lang, lat=f"{lat[i]:.6f}", lon=f"{lon[i]:.6f}")
        rejected.append(
            (
                int(i),
                dict(
                    source=src[i],
                    row=rows[i],
                    column="lat,lon",
                    value=f"({lat[i]}, {lon[i]})",
                    reason_code="out_of_area",
                    reason=reason,
                    geocode_status="out_of_area",
                ),
            )
        )
    ins = idx_xy[inside]
    if len(ins):
        u_in = units.iloc[np.flatnonzero(inside)]
        desa_in = desa_of[inside]
        kec_in = u_in["kecamatan_code"].to_numpy(dtype=object)
        # a written address that names another desa/kecamatan than the point's is flagged
        mismatch = np.zeros(len(ins), dtype=bool)
        text_in = [texts[i] for i in ins]
        found = {t: matcher.match(t).place for t in dict.fromkeys(t for t in text_in if t)}
        for j, t in enumerate(text_in):
            p = found.get(t) if t else None
            if p is None:
                continue
            if p.level in {"desa", "landmark"}:
                mismatch[j] = p.desa_code != desa_in[j]
            elif p.level == "kecamatan":
                mismatch[j] = kec_in[j] not in gaz.kec_cover[p.code]
        status[ins] = "coordinates"
        out["geocode_status"][ins] = "coordinates"
        out["region_code"][ins] = desa_in
        out["region_level"][ins] = "desa"
        out["region_name"][ins] = u_in["desa_name"].to_numpy(dtype=object)
        out["geocode_score"][ins] = np.where(mismatch, 75.0, 100.0)
        out["coord_mismatch"][ins] = mismatch
        for k in _OUT_COLUMNS:
            if k.endswith(("_code", "_name")) and k in u_in.columns:
                out[k][ins] = u_in[k].to_numpy(dtype=object)

    # rows without coordinates: matched by their address text
    names = gaz.names
    for i in np.flatnonzero(~has_xy):
        text = texts[i]
        if not text:
            status[i] = "invalid"
            rejected.append(
                (
                    int(i),
                    dict(
                        source=src[i],
                        row=rows[i],
                        column=f"lat,lon,{text_column}",
                        value="",
                        reason_code="invalid",
                        reason=tr(MESSAGES, "invalid", lang),
                        geocode_status="invalid",
                    ),
                )
            )
            continue
        m = matcher.match(text)
        if m.place is None:
            st = "ambiguous" if m.status == "ambiguous" else "unmatched"
            status[i] = st
            name, _, cands = m.detail.partition("|")
            key = m.reason_code or "no_place"
            reason = tr(MESSAGES, key, lang, name=name, cands=cands.strip("[]").replace("'", ""))
            rejected.append(
                (
                    int(i),
                    dict(
                        source=src[i],
                        row=rows[i],
                        column=text_column,
                        value=text,
                        reason_code=key,
                        reason=reason,
                        geocode_status=st,
                    ),
                )
            )
            continue
        p = m.place
        status[i] = "matched"
        out_lat[i], out_lon[i] = p.lat, p.lon
        desa_code = p.desa_code
        # a landmark is a point (the market itself): scores count it in its own cell
        level = p.level if p.level in ("kecamatan", "landmark") else "desa"
        region_code = p.code if level == "kecamatan" else desa_code
        vals = {
            "geocode_status": "matched",
            "region_code": region_code,
            "region_level": level,
            "region_name": p.name if level == "landmark" else names.get(str(region_code), p.name),
            "geocode_score": round(float(m.score), 1),
            "coord_mismatch": False,
            "desa_code": desa_code,
            "desa_name": names.get(desa_code) if desa_code else None,
            "kecamatan_code": p.kecamatan_code,
            "kecamatan_name": names.get(str(p.kecamatan_code)),
            "kabupaten_code": p.kabupaten_code,
            "kabupaten_name": names.get(str(p.kabupaten_code)),
        }
        for k, v in vals.items():
            out[k][i] = v
    rejected.sort(key=lambda item: item[0])
    placed = np.isin(status, ["coordinates", "matched"])
    base = frame.drop(columns=[c for c in _OUT_COLUMNS if c in frame.columns])
    result = pd.DataFrame(
        base.drop(columns=[base.geometry.name]) if isinstance(base, gpd.GeoDataFrame) else base
    ).copy()
    result["lat"], result["lon"] = out_lat, out_lon
    for c in _OUT_COLUMNS:
        result[c] = out[c]
    result = result[placed]
    plat, plon = out_lat[placed], out_lon[placed]
    result["hex_id"] = points_to_cells(plat, plon, res) if len(result) else []
    str_cols = ["region_code", "region_level", "region_name", "hex_id"]
    str_cols += [k for k in _OUT_COLUMNS if k.endswith(("_code", "_name"))]
    for c in str_cols:
        result[c] = result[c].astype("str") if len(result) else pd.Series(dtype="str")
    result["geocode_score"] = result["geocode_score"].astype(float)
    result["coord_mismatch"] = result["coord_mismatch"].astype(bool)
    result["geocode_status"] = result["geocode_status"].astype("str")
    placed_gdf = gpd.GeoDataFrame(result, geometry=gpd.points_from_xy(plon, plat), crs=4326)
    rej = pd.DataFrame([r for _, r in rejected], columns=list(_REJECTED_COLUMNS))
    if prior is not None and len(prior):
        carried = prior.copy()
        if "geocode_status" not in carried.columns:
            carried["geocode_status"] = "invalid"
        rej = pd.concat([carried, rej], ignore_index=True) if len(rej) else carried
    rej = rej.reset_index(drop=True)
    return RecordSet(placed_gdf, rej)
