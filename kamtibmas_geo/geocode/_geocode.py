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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, SupportsIndex

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from geopandas.array import GeometryArray
from numpy.typing import NDArray

from kamtibmas_geo._errors import GeocodeError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo._memory import release_freed_memory
from kamtibmas_geo._validate import check_res
from kamtibmas_geo.boundaries._regions import RegionArg
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
    "address_texts",
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
    "not_table": {
        "id": "geocode() menerima GeoDataFrame, DataFrame atau RecordSet, bukan {type}; baca "
        "berkas dengan read_records() lebih dulu.",
        "en": "geocode() expects a GeoDataFrame, a DataFrame or a RecordSet, got {type}; read "
        "files with read_records() first.",
    },
    "bad_correction": {
        "id": "Koreksi analis {code!r} bukan kode desa/kelurahan atau kecamatan wilayah ini.",
        "en": "Analyst correction {code!r} is not a desa/kelurahan or kecamatan code of "
        "this region.",
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
    "geocode_words",
    "geocode_flag",
    "geocode_alternatives",
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


def address_texts(frame: pd.DataFrame, text_column: str = "address") -> list[str]:
    """Return the text each row is matched by: the address plus its desa and kecamatan.

    Parameters
    ----------
    frame : DataFrame
        Records.
    text_column : str
        Column of the free-text address.

    Returns
    -------
    list of str
    """
    return _texts(frame, text_column)


def _texts(frame: pd.DataFrame, text_column: str) -> list[str]:
    return _text_array(frame, text_column).tolist()


def _text_array(frame: pd.DataFrame, text_column: str) -> NDArray[np.object_]:
    """Return the texts of :func:`address_texts` as an object array (shared strings)."""
    # the desa column says "desa or kelurahan" without the status ("desakel")
    prefix = {text_column: "", "desa": ", desakel ", "kecamatan": ", kec "}
    # a column without any value adds nothing to any text
    parts = [_prefixed(frame[c], p) for c, p in prefix.items() if _some(frame, c)]
    out = np.full(len(frame), "", dtype=object)
    some = np.zeros(len(frame), dtype=bool)
    for part in parts:
        some |= part != ""
    rows = np.flatnonzero(some)  # only rows with some text are joined
    out[rows] = ["".join(p).strip(" ,") for p in zip(*(part[rows] for part in parts), strict=True)]
    return out


def _some(frame: pd.DataFrame, column: str) -> bool:
    """Return whether ``frame`` has ``column`` with at least one value that is not missing."""
    return column in frame.columns and bool(frame[column].notna().any())


def _prefixed(values: pd.Series, prefix: str) -> NDArray[np.object_]:
    """Return ``prefix + _text(v)`` (``""`` for no text) per value, each distinct text once."""
    if isinstance(values.dtype, pd.StringDtype):  # only str values: one per distinct value
        keys, uniq = pd.factorize(values, use_na_sentinel=True)
        texts = [(prefix + t) if (t := _text(u)) else "" for u in uniq]
        return np.array([*texts, ""], dtype=object)[keys]  # key -1 (missing): ""
    texts = [(prefix + t) if (t := _text(v)) else "" for v in values.tolist()]
    return np.array(texts, dtype=object)


def _unpack(records: Any) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if isinstance(records, tuple) and hasattr(records, "records") and hasattr(records, "rejected"):
        return records.records, records.rejected
    if isinstance(records, pd.DataFrame):
        return records, None
    raise GeocodeError.say(MESSAGES, "not_table", type=type(records).__name__)


@dataclass(frozen=True, slots=True)
class _Rows:
    """The input rows as the steps read them: where each came from, its point and its text.

    ``source`` and ``row`` are kept as columns and read one row at a time (for the few
    rows rejected): no Python object per row.
    """

    source: pd.Series | None
    row: pd.Series
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    text: NDArray[np.object_]
    text_column: str

    @classmethod
    def of(cls, frame: pd.DataFrame, text_column: str) -> _Rows:
        n = len(frame)
        src = frame["source"] if "source" in frame.columns else None
        rows = (
            pd.to_numeric(frame["row"], errors="coerce")
            if "row" in frame.columns
            else pd.Series(np.arange(2, n + 2, dtype=np.int64))
        )
        lat, lon = _coords(frame)
        return cls(src, rows, lat, lon, _text_array(frame, text_column), text_column)

    def source_of(self, i: SupportsIndex) -> Any:
        """Return the source (file name) of row ``i``."""
        if self.source is None:
            return "<DataFrame>"
        k = int(i)
        return self.source.iloc[k : k + 1].astype(str).tolist()[0]

    def row_of(self, i: SupportsIndex) -> Any:
        """Return the sheet row number of row ``i``."""
        return _item(self.row, i)


def _item(values: pd.Series, i: SupportsIndex) -> Any:
    """Return value ``i`` as the Python object ``values.tolist()`` would hold."""
    k = int(i)
    return values.iloc[k : k + 1].tolist()[0]


@dataclass(slots=True)
class _Placement:
    """What the steps decided for each row: status, output columns, point, rejections.

    A row placed by its coordinates keeps only its desa (``desa_row``, a row of
    ``units``) and ``mismatch``; its output columns are taken from the unit table when
    the records are assembled. The rows placed by their text fill ``out``, whose
    columns are made when first written.
    """

    status: NDArray[np.object_]
    out: dict[str, NDArray[np.object_]]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    rejected: list[tuple[int, dict[str, Any]]]
    desa_row: NDArray[np.int64]
    mismatch: NDArray[np.bool_]
    units: pd.DataFrame | None = None

    @classmethod
    def empty(cls, rows: _Rows) -> _Placement:
        n = len(rows.text)
        status = np.full(n, "", dtype=object)
        desa_row = np.full(n, -1, dtype=np.int64)
        mismatch = np.zeros(n, dtype=bool)
        return cls(status, {}, rows.lat.copy(), rows.lon.copy(), [], desa_row, mismatch)

    def column(self, name: str) -> NDArray[np.object_]:
        """Return output column ``name`` of the rows placed by text (made when first asked)."""
        if name not in self.out:
            self.out[name] = np.full(len(self.status), None, dtype=object)
        return self.out[name]

    def region_code(self, i: SupportsIndex) -> Any:
        """Return the unit code row ``i`` is placed at (``None`` when not placed)."""
        if self.status[i] == "coordinates" and self.units is not None:
            return self.units["desa_code"].iat[int(self.desa_row[i])]
        return self.out["region_code"][i] if "region_code" in self.out else None

    def reject(self, rows: _Rows, i: SupportsIndex, status: str, **entry: Any) -> None:
        """Record row ``i`` as rejected with ``status`` (entry: column, value, code, reason)."""
        self.status[i] = status
        self.rejected.append(
            (
                int(i),
                dict(
                    source=rows.source_of(i),
                    row=rows.row_of(i),
                    column=entry["column"],
                    value=entry["value"],
                    reason_code=entry["reason_code"],
                    reason=entry["reason"],
                    geocode_status=status,
                ),
            )
        )


def geocode(
    records: gpd.GeoDataFrame | pd.DataFrame | RecordSet,
    *,
    res: int = 9,
    landmarks: str | Any | None = None,
    settings: Settings | None = None,
    lang: str = "id",
    text_column: str = "address",
    gazetteer: Gazetteer | None = None,
    corrections: Mapping[int, str] | None = None,
    region: RegionArg = None,
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
    corrections : mapping, optional
        Sheet row (``row``) -> the desa/kelurahan or kecamatan code an analyst chose
        (see :func:`kamtibmas_geo.geocode.read_corrections`). Such a row is placed there
        whatever its text says (score 100, ``geocode_flag="corrected"``, the text's own
        reading kept in ``geocode_alternatives``); an unknown code rejects the row.
    region : str, list of str or None
        The kabupaten/kota records are placed in (default OKI and Palembang); ignored for
        the text when ``gazetteer`` is given (the gazetteer's regions are used).

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
    res = check_res(res)
    frame, prior = _unpack(records)
    matcher = _LazyMatcher(
        gazetteer, dict(landmarks=landmarks, settings=settings, lang=lang, region=region)
    )
    if gazetteer is None and (landmarks is not None or region is not None):
        matcher.gazetteer  # noqa: B018 (a bad landmarks file or region is refused first)
    rows = _Rows.of(frame, text_column)
    placement = _Placement.empty(rows)
    _place_by_coordinates(rows, placement, matcher, settings=settings, lang=lang, region=region)
    _place_by_text(rows, placement, matcher, lang=lang)
    if corrections:
        _apply_corrections(rows, placement, matcher, corrections, lang=lang)
    placement.rejected.sort(key=lambda item: item[0])
    out = RecordSet(_placed_records(frame, placement, res), _ledger(placement, prior))
    release_freed_memory(len(frame))
    return out


class _LazyMatcher:
    """The matcher, its gazetteer built when a row first needs it.

    Records with coordinates and no text (the common bulk export) never need it: the
    gazetteer of all Indonesia is then not built at all.
    """

    def __init__(self, gazetteer: Gazetteer | None, build: dict[str, Any]) -> None:
        self._gazetteer, self._build = gazetteer, build
        self._matcher: Matcher | None = None

    @property
    def matcher(self) -> Matcher:
        """The matcher (built on first use)."""
        if self._matcher is None:
            self._matcher = Matcher(self._gazetteer or build_gazetteer(**self._build))
        return self._matcher

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer (built on first use)."""
        return self.matcher.gazetteer

    def match(self, text: str) -> Match:
        """Match ``text`` (see :meth:`Matcher.match`)."""
        return self.matcher.match(text)


def _place_by_coordinates(
    rows: _Rows,
    placement: _Placement,
    matcher: _LazyMatcher,
    *,
    settings: Settings | None,
    lang: str,
    region: RegionArg = None,
) -> None:
    """Place rows with coordinates inside the pack as they are; reject the others (vectorised).

    The desa of each point comes from the tile index (:func:`desa_rows`): no shapely
    point and no string per point.
    """
    from kamtibmas_geo.grid._cells import desa_rows

    idx_xy = np.flatnonzero(~np.isnan(rows.lat))
    if not len(idx_xy):
        return
    desa_of, units = desa_rows(rows.lon[idx_xy], rows.lat[idx_xy], settings=settings, region=region)
    inside = desa_of >= 0
    inside[inside] = units["desa_code"].notna().to_numpy()[desa_of[inside]]
    for i in idx_xy[~inside]:
        lat, lon = rows.lat[i], rows.lon[i]
        placement.reject(
            rows,
            i,
            "out_of_area",
            column="lat,lon",
            value=f"({lat}, {lon})",
            reason_code="out_of_area",
            reason=tr(MESSAGES, "out_of_area", lang, lat=f"{lat:.6f}", lon=f"{lon:.6f}"),
        )
    ins = idx_xy[inside]
    placement.units = units
    placement.status[ins] = "coordinates"
    placement.desa_row[ins] = desa_of[inside]
    placement.mismatch[ins] = _mismatch(matcher, rows.text[ins], desa_of[inside], units)


def _mismatch(
    matcher: _LazyMatcher,
    texts: NDArray[np.object_],
    desa_row: NDArray[np.int64],
    units: pd.DataFrame,
) -> NDArray[np.bool_]:
    """Flag points whose written address names another desa/kecamatan than the point's."""
    mismatch = np.zeros(len(texts), dtype=bool)
    written = np.flatnonzero(texts != "")  # only points with an address can disagree
    if not len(written):
        return mismatch
    desa = units["desa_code"].to_numpy(dtype=object)[desa_row[written]]
    kec = units["kecamatan_code"].to_numpy(dtype=object)[desa_row[written]]
    kec_cover = matcher.gazetteer.kec_cover
    found = {t: matcher.match(t).place for t in dict.fromkeys(texts[written].tolist())}
    for j, t in enumerate(texts[written].tolist()):
        p = found[t]
        if p is None:
            continue
        if p.level in {"desa", "landmark"}:
            mismatch[written[j]] = p.desa_code != desa[j]
        elif p.level == "kecamatan":
            mismatch[written[j]] = kec[j] not in kec_cover[p.code]
    return mismatch


def _place_by_text(rows: _Rows, placement: _Placement, matcher: _LazyMatcher, *, lang: str) -> None:
    """Place rows without coordinates by their address text, or reject them with the reason."""
    for i in np.flatnonzero(np.isnan(rows.lat)):
        text = rows.text[i]
        if not text:
            placement.reject(
                rows,
                i,
                "invalid",
                column=f"lat,lon,{rows.text_column}",
                value="",
                reason_code="invalid",
                reason=tr(MESSAGES, "invalid", lang),
            )
            continue
        m = matcher.match(text)
        if m.place is None:
            name, _, cands = m.detail.partition("|")
            key = m.reason_code or "no_place"
            placement.reject(
                rows,
                i,
                "ambiguous" if m.status == "ambiguous" else "unmatched",
                column=rows.text_column,
                value=text,
                reason_code=key,
                reason=tr(MESSAGES, key, lang, name=name, cands=cands.strip("[]").replace("'", "")),
            )
            continue
        _place_row(placement, i, m, matcher.gazetteer.names)


def _place_row(placement: _Placement, i: SupportsIndex, m: Match, names: Mapping[str, str]) -> None:
    """Place row ``i`` at the match's place, with why (words, flag, alternatives)."""
    assert m.place is not None
    placement.status[i] = "matched"
    placement.desa_row[i], placement.mismatch[i] = -1, False
    placement.lat[i], placement.lon[i] = m.place.lat, m.place.lon
    for k, v in _matched_values(m.place, m.score, names).items():
        placement.column(k)[i] = v
    placement.column("geocode_words")[i] = m.words
    placement.column("geocode_flag")[i] = m.flag
    placement.column("geocode_alternatives")[i] = ";".join(m.alternatives)


def _apply_corrections(
    rows: _Rows,
    placement: _Placement,
    matcher: _LazyMatcher,
    corrections: Mapping[int, str],
    *,
    lang: str,
) -> None:
    """Place the rows an analyst corrected at the unit chosen (or reject an unknown code)."""
    by_code = {p.code: p for p in matcher.gazetteer.places if p.level in {"desa", "kecamatan"}}
    names = matcher.gazetteer.names
    for i, row in enumerate(rows.row.tolist()):
        code = corrections.get(int(row)) if pd.notna(row) else None
        if not code:
            continue
        placement.rejected = [r for r in placement.rejected if r[0] != i]
        place = by_code.get(code.strip())
        if place is not None and place.level == "desa" and place.desa_code is None:
            place = by_code.get(str(place.kecamatan_code))  # no polygon: its kecamatan
        if place is None:
            placement.reject(
                rows,
                i,
                "unmatched",
                column="pilihan",
                value=code,
                reason_code="bad_correction",
                reason=tr(MESSAGES, "bad_correction", lang, code=code),
            )
            continue
        was = placement.region_code(i)
        alts = (str(was),) if was and str(was) != place.code else ()
        _place_row(
            placement, i, Match("matched", place, 100.0, "", "", "", "corrected", alts), names
        )


def _matched_values(p: Place, score: float, names: Mapping[str, str]) -> dict[str, Any]:
    """Return the output columns of a row placed by its address at ``p``."""
    desa_code = p.desa_code
    # a landmark is a point (the market itself): scores count it in its own cell
    level = p.level if p.level in ("kecamatan", "landmark") else "desa"
    region_code = p.code if level == "kecamatan" else desa_code
    return {
        "geocode_status": "matched",
        "region_code": region_code,
        "region_level": level,
        "region_name": p.name if level == "landmark" else names.get(str(region_code), p.name),
        "geocode_score": round(float(score), 1),
        "coord_mismatch": False,
        "geocode_words": "",
        "geocode_flag": "",
        "geocode_alternatives": "",
        "desa_code": desa_code,
        "desa_name": names.get(desa_code) if desa_code else None,
        "kecamatan_code": p.kecamatan_code,
        "kecamatan_name": names.get(str(p.kecamatan_code)),
        "kabupaten_code": p.kabupaten_code,
        "kabupaten_name": names.get(str(p.kabupaten_code)),
    }


#: Output columns taken from the unit table for rows placed by their coordinates.
_UNIT_OUT = {
    "region_code": "desa_code",
    "region_name": "desa_name",
    "desa_code": "desa_code",
    "desa_name": "desa_name",
    "kecamatan_code": "kecamatan_code",
    "kecamatan_name": "kecamatan_name",
    "kabupaten_code": "kabupaten_code",
    "kabupaten_name": "kabupaten_name",
}
_WHY_COLUMNS = ("geocode_words", "geocode_flag", "geocode_alternatives")
#: Placed rows are kept by slicing (no copy of the input's text) up to this many runs.
_MAX_RUNS = 64


def _placed_records(frame: pd.DataFrame, placement: _Placement, res: int) -> gpd.GeoDataFrame:
    """Return the placed rows: input columns, point used, output columns, ``hex_id``.

    The input's columns are shared, not copied (the rows are kept by slices when few are
    left out), its points are reused where they are the point placed, and the output
    columns are categoricals over the unit table: no Python object per row.
    """
    placed = np.isin(placement.status, ["coordinates", "matched"])
    pos = np.flatnonzero(placed)
    drop = [c for c in _OUT_COLUMNS if c in frame.columns]
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        drop.append(frame.geometry.name)
    # a plain frame over the same columns (copy-on-write keeps the input as it is)
    result = _keep_rows(pd.DataFrame(frame, copy=False).drop(columns=drop), placed)
    for c, values in (("lat", placement.lat[pos]), ("lon", placement.lon[pos])):
        if not _holds(result, c, values):  # else the input's column is kept, not copied
            result[c] = values
    for c, values in _out_columns(placement, pos, res).items():
        result[c] = values
    plat, plon = placement.lat[pos], placement.lon[pos]
    # geopandas copies a DataFrame it is given unless told not to; copy-on-write suffices
    return gpd.GeoDataFrame(result, geometry=_points(frame, pos, plon, plat), crs=4326, copy=False)


def _holds(frame: pd.DataFrame, column: str, values: NDArray[np.float64]) -> bool:
    """Return whether ``frame[column]`` is a float64 column of exactly ``values`` (bit for bit)."""
    if list(frame.columns).count(column) != 1 or frame[column].dtype != np.float64:
        return False
    have = frame[column].to_numpy()
    return bool(np.array_equal(have.view(np.int64), values.view(np.int64)))


def _keep_rows(frame: pd.DataFrame, keep: NDArray[np.bool_]) -> pd.DataFrame:
    """Return ``frame[keep]``, by zero-copy slices when the kept rows form few runs."""
    if keep.all():
        return frame
    edges = np.flatnonzero(np.diff(np.concatenate([[False], keep, [False]]).astype(np.int8)))
    runs = edges.reshape(-1, 2)
    if not len(runs) or len(runs) > _MAX_RUNS:
        return frame[keep]
    return pd.concat([frame.iloc[a:b] for a, b in runs])


def _out_columns(placement: _Placement, pos: NDArray[np.int64], res: int) -> dict[str, Any]:
    """Return the output columns (:data:`_OUT_COLUMNS`) of the placed rows ``pos``.

    Text columns that repeat a few thousand values over the rows (status, level, the
    units, ``hex_id``, the reasons) are categoricals with sorted ``str`` categories: one
    small integer per row and each distinct text once, never a string per row.
    """
    status = placement.status[pos]
    coord = status == "coordinates"
    mismatch = placement.mismatch[pos]
    text = {k: v[pos] for k, v in placement.out.items()}
    none = np.full(len(pos), None, dtype=object)
    level = text.get("region_level", none)  # "desa" where placed by coordinates
    by_text = ~coord
    score = np.where(mismatch, 75.0, 100.0)  # rows placed by their coordinates
    score[by_text] = text.get("geocode_score", none)[by_text].astype(float)
    flag = mismatch.astype(bool)
    flag[by_text] = text.get("coord_mismatch", none)[by_text].astype(bool)
    cols: dict[str, Any] = {
        "geocode_status": _category(status, coord, "coordinates"),
        "region_level": _category(level, coord, "desa"),
        "geocode_score": score,
        "coord_mismatch": flag,
        "hex_id": _hex_ids(placement.lat[pos], placement.lon[pos], res),
    }
    units = placement.units
    rows = np.where(coord, placement.desa_row[pos], -1)
    # a column no row placed by text wrote holds the same values as its unit column, or
    # only "": one categorical is shared by the columns alike (region_code and desa_code)
    shared: dict[str, Any] = {}
    for c, src in _UNIT_OUT.items():
        if c not in text and src in shared:
            cols[c] = shared[src]
            continue
        per_unit = None if units is None else units[src].to_numpy(dtype=object)
        cols[c] = _unit_column(per_unit, rows, text.get(c))
        if c not in text:
            shared[src] = cols[c]
    for c in _WHY_COLUMNS:
        if c not in text and "" in shared:
            cols[c] = shared[""]
            continue
        values = text.get(c, none).copy()
        values[pd.isna(values)] = ""
        cols[c] = _category(values, coord, "")
        if c not in text:
            shared[""] = cols[c]
    return {c: cols[c] for c in _OUT_COLUMNS}


def _category(
    values: NDArray[np.object_], same: NDArray[np.bool_] | None = None, value: str = ""
) -> pd.Categorical:
    """Return text values (None: missing) as a categorical with sorted ``str`` categories.

    The values are those of ``astype("str")``; only the distinct ones become strings. Rows
    where ``same`` is true hold ``value`` (the rows placed by their coordinates): they are
    not hashed one by one.
    """
    same = np.zeros(len(values), dtype=bool) if same is None else same
    codes, uniques = pd.factorize(np.asarray(values, dtype=object)[~same], sort=False)
    texts = pd.Series(np.asarray(uniques, dtype=object)).astype("str").tolist()
    if same.any():
        texts.append(value)
    distinct, inverse = np.unique(np.asarray(texts, dtype=str), return_inverse=True)
    inverse = np.asarray(inverse, dtype=np.int64).ravel()
    out = np.full(len(values), -1, dtype=np.int64)
    if len(inverse):  # else every value is missing
        out[~same] = np.where(codes >= 0, inverse[np.maximum(codes, 0)], -1)
    if same.any():
        out[same] = inverse[-1]
    return pd.Categorical.from_codes(out, categories=pd.Index(distinct, dtype="str"))


def _unit_column(
    unit: NDArray[np.object_] | None, rows: NDArray[np.int64], text: NDArray[np.object_] | None
) -> pd.Categorical:
    """Return a unit column: the desa's value at ``rows`` (-1: the row's text value).

    The categories come from the unit table and the text rows, so the column costs one
    integer per row.
    """
    unit = np.array([], dtype=object) if unit is None else unit
    from_text = rows < 0
    extra = text[from_text] if text is not None else np.full(int(from_text.sum()), None, object)
    small = _category(np.concatenate([unit, extra]))
    small_codes = np.asarray(small.codes, dtype=np.int64)
    codes = np.empty(len(rows), dtype=np.int64)
    codes[~from_text] = small_codes[: len(unit)][rows[~from_text]]
    codes[from_text] = small_codes[len(unit) :]
    return pd.Categorical.from_codes(codes, categories=small.categories)


def _hex_ids(lat: NDArray[np.float64], lon: NDArray[np.float64], res: int) -> Any:
    """Return the H3 cell of each placed point, a categorical (each cell formatted once)."""
    from kamtibmas_geo.grid._cells import cell_categorical, cells_u64

    return cell_categorical(cells_u64(lat, lon, res))


def _points(
    frame: pd.DataFrame, pos: NDArray[np.int64], lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> Any:
    """Return the points placed: the input's own point objects where they are that point."""
    made = gpd.points_from_xy
    if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None or not len(pos):
        return made(lon, lat, crs=4326)
    if not frame.crs.equals("EPSG:4326") or frame.geometry.name not in frame.columns:
        return made(lon, lat, crs=4326)
    geom = np.asarray(frame.geometry.array, dtype=object)[pos]
    is_pt = (shapely.get_type_id(geom) == 0) & ~shapely.has_z(geom) & ~shapely.is_empty(geom)
    x, y = shapely.get_x(geom), shapely.get_y(geom)
    same = is_pt & (x == lon) & (y == lat)
    same &= (np.signbit(x) == np.signbit(lon)) & (np.signbit(y) == np.signbit(lat))
    if not same.all():
        geom = geom.copy()
        geom[~same] = np.asarray(made(lon[~same], lat[~same]), dtype=object)
    return GeometryArray(geom, crs=4326)


def _ledger(placement: _Placement, prior: pd.DataFrame | None) -> pd.DataFrame:
    """Return the rejected rows, after those rejected earlier (when reading) carried over."""
    rej = pd.DataFrame([r for _, r in placement.rejected], columns=list(_REJECTED_COLUMNS))
    if prior is not None and len(prior):
        carried = prior.copy()
        if "geocode_status" not in carried.columns:
            carried["geocode_status"] = "invalid"
        rej = pd.concat([carried, rej], ignore_index=True) if len(rej) else carried
    return rej.reset_index(drop=True)
