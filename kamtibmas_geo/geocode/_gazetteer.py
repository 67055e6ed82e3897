"""The offline gazetteer of OKI and Palembang, under normalised keys.

Every desa/kelurahan, kecamatan and kabupaten, the user's landmarks and the places
outside.

Built once by :func:`build_gazetteer` from the boundary pack; the matcher in
:mod:`kamtibmas_geo.geocode._geocode` only does dictionary look-ups on it (and rapidfuzz for
leftovers).
"""

from __future__ import annotations

import math
import os
from bisect import bisect_left
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import GeocodeError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.boundaries._regions import RegionArg
from kamtibmas_geo.config import Settings
from kamtibmas_geo.geocode._history import covers, old_names
from kamtibmas_geo.records._aliases import (
    OUTSIDE_PLACES,
    REGION_ALIASES,
    compact,
    phonetic,
    tokens,
)

__all__ = ["Gazetteer", "MatchTables", "Place", "build_gazetteer", "read_landmarks"]

MESSAGES = {
    "lm_read": {
        "id": "Berkas landmark {path} tidak bisa dibaca ({err}). Gunakan CSV UTF-8 dengan "
        "kolom nama, lintang, bujur.",
        "en": "Landmarks file {path} cannot be read ({err}). Use a UTF-8 CSV with columns "
        "name, lat, lon.",
    },
    "lm_missing": {
        "id": "Berkas landmark {path} tidak ada; periksa nama berkas dan foldernya.",
        "en": "Landmarks file {path} does not exist; check its name and folder.",
    },
    "lm_columns": {
        "id": "Berkas landmark tidak punya kolom {missing}. Kolom yang ada: {have}. "
        "Wajib: nama (atau name), lintang (atau lat), bujur (atau lon).",
        "en": "The landmarks file lacks column(s) {missing}. Columns found: {have}. "
        "Required: nama (or name), lintang (or lat), bujur (or lon).",
    },
    "lm_name": {
        "id": "Landmark baris {row}: nama kosong. Isi kolom nama.",
        "en": "Landmark row {row}: the name is empty. Fill in the name column.",
    },
    "lm_coord": {
        "id": "Landmark baris {row} ({name}): koordinat {col}={value!r} bukan angka "
        "desimal yang sah (lintang -90..90, bujur -180..180). Tulis misalnya -2.9761.",
        "en": "Landmark row {row} ({name}): coordinate {col}={value!r} is not a valid "
        "decimal number (lat -90..90, lon -180..180). Write e.g. -2.9761.",
    },
    "lm_outside": {
        "id": "Landmark baris {row} ({name}) di ({lat}, {lon}) berada di luar OKI dan "
        "Palembang. Periksa lintang/bujur (tertukar?) atau hapus baris ini.",
        "en": "Landmark row {row} ({name}) at ({lat}, {lon}) lies outside OKI and "
        "Palembang. Check lat/lon (swapped?) or remove the row.",
    },
    "lm_empty": {
        "id": "Berkas landmark {path} tidak berisi baris data.",
        "en": "Landmarks file {path} has no data rows.",
    },
}

_NAME_COLS = ("nama", "name", "nama_tempat")
_LAT_COLS = ("lintang", "lat", "latitude", "y")
_LON_COLS = ("bujur", "lon", "lng", "longitude", "x")
_KIND_COLS = ("jenis", "kind", "kategori")
_ALIAS_COLS = ("alias", "aliases", "nama_lain")


@dataclass(frozen=True, slots=True)
class Place:
    """One entry of the gazetteer.

    Attributes
    ----------
    code : str
        Kemendagri code of the unit (also outside); ``"LM<n>"`` for a landmark,
        ``"OUT:<name>"`` for a named outside town or region without a code.
    level : {"desa", "kecamatan", "kabupaten", "landmark", "outside"}
        What the entry is.
    name : str
        Display name.
    lat, lon : float
        The point used when an address matches this entry (the unit's inside point or
        the landmark's coordinates; NaN outside).
    desa_code, kecamatan_code, kabupaten_code : str or None
        The units holding the entry (a landmark's from its point); outside, the official
        kecamatan and kabupaten holding the unit (``desa_code`` stays ``None``).
    kind : str
        ``desa``/``kelurahan`` for desa, landmark kind (pasar, masjid...); outside, the
        level of the unit (``provinsi``, ``kabupaten``, ``kecamatan``, ``desa``,
        ``kelurahan``) or ``town`` for a named town.
    """

    code: str
    level: str
    name: str
    lat: float
    lon: float
    desa_code: str | None
    kecamatan_code: str | None
    kabupaten_code: str | None
    kind: str = ""


@dataclass(frozen=True)
class MatchTables:
    """Indexes the matcher derives from the gazetteer, built once with it.

    Attributes
    ----------
    first_outside : int
        Position of the first outside entry (inside entries come first).
    inside_prov : frozenset of str
        Province codes holding a loaded kabupaten.
    regions : frozenset of int
        Outside entries naming a region: a province, a neighbouring kabupaten (same
        province as a loaded one) or a named town/region (``OUT:``).
    areas : frozenset of int
        Outside kecamatan, kabupaten and provinces (an outside chain needs one).
    kec_desa : mapping
        Kecamatan code -> phonetic key -> the desa positions under that key; also the
        short keys of a desa named without its kecamatan's first words.
    desa_keys : tuple of str
        Inside phonetic keys naming only desa (the typo step after "Desa"/"Kel.").
    rivals : mapping
        First two letters -> (lengths, keys): the phonetic keys naming only places
        outside, sorted by length (the typo guard searches a range of lengths at once).
    no_polygon : mapping
        Code of a desa/kelurahan without polygon -> position of its kecamatan.
    kec_keys : mapping
        ``False``/``True`` -> phonetic key -> positions of the kecamatan inside (outside)
        under that key (the typo re-read of a "Kec." name).
    sorted_sound : tuple of str
        Every phonetic key, sorted (how many official names begin with a word).
    """

    first_outside: int
    inside_prov: frozenset[str]
    regions: frozenset[int]
    areas: frozenset[int]
    kec_desa: Mapping[str, Mapping[str, tuple[int, ...]]]
    desa_keys: tuple[str, ...]
    rivals: Mapping[str, tuple[tuple[int, ...], tuple[str, ...]]]
    no_polygon: Mapping[str, int] = field(default_factory=dict)
    kec_keys: Mapping[bool, Mapping[str, tuple[int, ...]]] = field(default_factory=dict)
    sorted_sound: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gazetteer:
    """The look-up tables of the matcher.

    Attributes
    ----------
    places : tuple of Place
        Every entry; keys map to positions in this tuple.
    exact : mapping
        Compact key (normal form without spaces) -> positions.
    sound : mapping
        Phonetic key (:func:`~kamtibmas_geo.records._aliases.phonetic`) -> positions.
    fuzzy_keys : tuple of str
        Phonetic keys offered to rapidfuzz for typos.
    max_tokens : int
        Longest name in tokens (n-gram length of the look-up).
    kec_cover : mapping
        Kecamatan code -> the codes an address naming it may mean (itself and the
        kecamatan split from it later, :mod:`kamtibmas_geo.geocode._history`).
    names : mapping
        Unit code -> name (desa, kecamatan, kabupaten).
    outside_keys : mapping
        First two letters and length (``"su8"``) -> phonetic keys naming only places outside
        (the typo step's guard).
    key_words : mapping
        Phonetic key -> the phonetic words of a name under that key (the typo step
        never accepts a whole-word difference).
    exact_prefix, sound_prefix : frozenset of str
        Every prefix of an exact and of a phonetic key (the look-up stops early).
    tables : MatchTables or None
        The matcher's indexes (built with the gazetteer; ``None``: the matcher builds them).
    """

    places: tuple[Place, ...]
    exact: Mapping[str, tuple[int, ...]]
    sound: Mapping[str, tuple[int, ...]]
    fuzzy_keys: tuple[str, ...]
    max_tokens: int
    kec_cover: Mapping[str, frozenset[str]]
    names: Mapping[str, str] = field(default_factory=dict)
    outside_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    key_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exact_prefix: frozenset[str] = frozenset()
    sound_prefix: frozenset[str] = frozenset()
    tables: MatchTables | None = None

    def __len__(self) -> int:
        return len(self.places)


def _pick(columns: list[str], choices: tuple[str, ...]) -> str | None:
    lower = {c.strip().lower(): c for c in columns}
    for choice in choices:
        if choice in lower:
            return lower[choice]
    return None


def _coord(value: object, low: float, high: float) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip().replace(",", ".")
    try:
        num = float(text)
    except ValueError:
        return None
    if not math.isfinite(num) or not low <= num <= high:
        return None
    return num


def read_landmarks(
    landmarks: str | os.PathLike[str] | pd.DataFrame,
    *,
    settings: Settings | None = None,
    lang: str = "id",
) -> gpd.GeoDataFrame:
    """Read and check a landmarks table (markets, mosques, schools, police posts...).

    Parameters
    ----------
    landmarks : path or DataFrame
        CSV (UTF-8, ``,`` or ``;``) or a DataFrame with columns ``nama``/``name``,
        ``lintang``/``lat``, ``bujur``/``lon`` and optionally ``jenis``/``kind`` and
        ``alias`` (several aliases separated by ``;`` or ``|``).
    settings : Settings, optional
        Where the boundary pack is.
    lang : {"id", "en"}
        Language of error messages.

    Returns
    -------
    GeoDataFrame
        Columns name, kind, aliases (tuple of str), lat, lon, row, desa_code,
        kecamatan_code, kabupaten_code, geometry.

    Raises
    ------
    GeocodeError
        The file cannot be read, a column is missing, or a row has no name, bad
        coordinates or lies outside OKI and Palembang (the message names the row).
    """
    df, label = _landmark_table(landmarks, lang)
    columns = _landmark_columns(df, lang)
    if df.empty:
        raise GeocodeError(tr(MESSAGES, "lm_empty", lang, path=label))
    out = pd.DataFrame(
        [
            _landmark_row(rec, int(rec.get("_row", i + 2)), columns, lang)
            for i, rec in enumerate(df.to_dict("records"))
        ],
        columns=["name", "kind", "aliases", "lat", "lon", "row"],
    )
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs=4326)
    return _landmark_units(gdf, settings, lang)


def _landmark_table(
    landmarks: str | os.PathLike[str] | pd.DataFrame, lang: str
) -> tuple[pd.DataFrame, str]:
    """Return the landmarks as a table with text column names, and its name for messages."""
    label = "<DataFrame>"
    if not isinstance(landmarks, pd.DataFrame):
        label = str(landmarks)
        if not Path(landmarks).is_file():
            raise GeocodeError(tr(MESSAGES, "lm_missing", lang, path=label))
        landmarks = Path(landmarks)
    return _landmark_places(landmarks, label, lang), label


def _landmark_places(source: Path | pd.DataFrame, label: str, lang: str) -> pd.DataFrame:
    """Read the landmarks with the one reader of places (:func:`records.read_places`).

    Title rows, any separator and encoding, XLSX, ``LS``/``BT`` or one ``Koordinat``
    column, DMS and decimal commas are read as for records. Returns ``nama``, ``lintang``,
    ``bujur``, ``jenis``, ``alias`` and ``_row`` (the row in the user's sheet); a row whose
    place cannot be read raises, naming the row.
    """
    from kamtibmas_geo._errors import RecordError
    from kamtibmas_geo.records._headers import PLACE_ALIASES, map_columns
    from kamtibmas_geo.records._places import read_places

    try:
        places = read_places(source, "landmarks", lang=lang)
    except RecordError as err:
        names = [str(c) for c in err._values.get("columns", [])]
        found = map_columns(names, PLACE_ALIASES) if names else {}
        missing = [w for w, f in (("lintang", "lat"), ("bujur", "lon")) if f not in found]
        if err._key == "no_location" and missing:
            msg = tr(
                MESSAGES, "lm_columns", lang, missing=", ".join(missing), have=", ".join(names)
            )
            raise GeocodeError(msg) from None
        raise GeocodeError(tr(MESSAGES, "lm_read", lang, path=label, err=err.text(lang))) from None
    if "name" not in places.attrs["columns"]:
        have = ", ".join(str(c) for c in places.columns if c != "geometry")
        raise GeocodeError(tr(MESSAGES, "lm_columns", lang, missing="nama", have=have))
    bad = places.attrs["rejected"]
    if len(bad):
        first = bad.iloc[0]
        msg = tr(
            MESSAGES, "lm_coord", lang, row=int(first["row"]), name=first["nama"],
            col=first["column"], value=first["value"],
        )  # fmt: skip
        raise GeocodeError(msg)
    return pd.DataFrame(
        {
            "nama": places["nama"].astype(object).where(places["nama"].notna(), None),
            "lintang": places["lat"],
            "bujur": places["lon"],
            "jenis": places["jenis"].astype(object).where(places["jenis"].notna(), None),
            "alias": places["alias"].astype(object).where(places["alias"].notna(), None),
            "_row": places["row"],
        }
    )


@dataclass(frozen=True, slots=True)
class _LandmarkColumns:
    """The columns of a landmarks table holding each field (kind and alias optional)."""

    name: str
    lat: str
    lon: str
    kind: str | None
    alias: str | None


def _landmark_columns(df: pd.DataFrame, lang: str) -> _LandmarkColumns:
    """Find the name, lat and lon columns (refusing a table without them), kind and alias."""
    cols = list(df.columns)
    name_c, lat_c, lon_c = (_pick(cols, c) for c in (_NAME_COLS, _LAT_COLS, _LON_COLS))
    missing = [
        want for want, got in (("nama", name_c), ("lintang", lat_c), ("bujur", lon_c)) if not got
    ]
    if missing or name_c is None or lat_c is None or lon_c is None:
        msg = tr(MESSAGES, "lm_columns", lang, missing=", ".join(missing), have=", ".join(cols))
        raise GeocodeError(msg)
    return _LandmarkColumns(name_c, lat_c, lon_c, _pick(cols, _KIND_COLS), _pick(cols, _ALIAS_COLS))


def _landmark_row(
    rec: Mapping[Hashable, Any], row: int, cols: _LandmarkColumns, lang: str
) -> tuple[str, str, tuple[str, ...], float, float, int]:
    """Check one landmark (sheet row ``row``): its name, kind, aliases, lat, lon and row."""
    name = rec[cols.name]
    name = "" if name is None or (isinstance(name, float) and math.isnan(name)) else name
    name = str(name).strip()
    if not name or not compact(name):
        raise GeocodeError(tr(MESSAGES, "lm_name", lang, row=row))
    lat = _coord(rec[cols.lat], -90.0, 90.0)
    lon = _coord(rec[cols.lon], -180.0, 180.0)
    if lat is None or lon is None:
        col = cols.lat if lat is None else cols.lon
        msg = tr(MESSAGES, "lm_coord", lang, row=row, name=name, col=col, value=rec[col])
        raise GeocodeError(msg)
    kind_c, alias_c = cols.kind, cols.alias
    kind = str(rec[kind_c]).strip() if kind_c and pd.notna(rec[kind_c]) else "landmark"
    raw_alias = str(rec[alias_c]) if alias_c and pd.notna(rec[alias_c]) else ""
    aliases = tuple(a.strip() for a in raw_alias.replace("|", ";").split(";") if a.strip())
    return name, kind, aliases, lat, lon, row


def _landmark_units(
    gdf: gpd.GeoDataFrame, settings: Settings | None, lang: str
) -> gpd.GeoDataFrame:
    """Add the desa, kecamatan and kabupaten of each landmark; refuse one outside the pack."""
    from kamtibmas_geo.grid._cells import assign_units

    gdf = assign_units(gdf, settings=settings)
    outside = gdf["desa_code"].isna().to_numpy()
    if outside.any():
        bad = gdf[outside].iloc[0]
        msg = tr(
            MESSAGES, "lm_outside", lang, row=bad["row"], name=bad["name"], lat=bad.lat, lon=bad.lon
        )
        raise GeocodeError(msg)
    keep = ["name", "kind", "aliases", "lat", "lon", "row"]
    keep += ["desa_code", "kecamatan_code", "kabupaten_code", "geometry"]
    return gpd.GeoDataFrame(gdf[keep], geometry="geometry", crs=4326)


def _name_variants(name: str) -> set[str]:
    """Rule-made variants of a unit name (besides normalisation)."""
    out = {name}
    low = name.lower()
    for prefix in ("kabupaten ", "kota "):
        if low.startswith(prefix):
            out.add(name[len(prefix) :])
    return out


#: A gazetteer entry and the names (before normalisation) it is found under.
_Entry = tuple[Place, set[str]]


def build_gazetteer(
    *,
    landmarks: str | os.PathLike[str] | pd.DataFrame | gpd.GeoDataFrame | None = None,
    settings: Settings | None = None,
    lang: str = "id",
    region: RegionArg = None,
) -> Gazetteer:
    """Build the gazetteer of the loaded regions from the boundary pack, and of the outside.

    Parameters
    ----------
    landmarks : path or DataFrame, optional
        The user's landmarks (see :func:`read_landmarks`).
    settings : Settings, optional
        Where the boundary pack is.
    lang : {"id", "en"}
        Language of error messages.
    region : str, list of str or None
        The kabupaten/kota to place records in (as :func:`~kamtibmas_geo.boundaries.
        load_boundaries`; ``None`` for the default regions, OKI and Palembang). Every
        other unit of the official list is *outside*.

    Returns
    -------
    Gazetteer
    """
    from kamtibmas_geo.boundaries._pack import load_boundaries

    desa = load_boundaries("desa", region, settings=settings)
    kec = load_boundaries("kecamatan", region, settings=settings)
    kab = load_boundaries("kabupaten", region, settings=settings)
    entries = _unit_entries(kab, kec, desa)
    entries += _family_entries(entries)
    entries += _missing_entries(kec, region, settings)
    if landmarks is not None:
        lm = (
            landmarks
            if isinstance(landmarks, gpd.GeoDataFrame) and "desa_code" in landmarks
            else read_landmarks(landmarks, settings=settings, lang=lang)
        )
        entries += _landmark_entries(lm)
    inside_kab = frozenset(str(c) for c in kab["code"])
    entries += _outside_entries(inside_kab)
    entries += _official_outside_entries(
        inside_kab, settings or Settings(lang="en" if lang == "en" else "id")
    )
    return _index(entries, kab, kec, desa)


def _unit_entries(
    kab: gpd.GeoDataFrame, kec: gpd.GeoDataFrame, desa: gpd.GeoDataFrame
) -> list[_Entry]:
    """Every kabupaten, kecamatan and desa/kelurahan of the pack, in that order."""
    entries: list[_Entry] = []
    for r in kab.itertuples():
        pt = r.geometry.representative_point()
        variants = _name_variants(str(r.name)) | set(REGION_ALIASES.get(str(r.code), ()))
        variants |= _home_names(str(r.code))
        place = Place(str(r.code), "kabupaten", str(r.name), pt.y, pt.x, None, None, str(r.code))
        entries.append((place, variants))
    for r in kec.itertuples():
        place = Place(
            str(r.code),
            "kecamatan",
            str(r.name),
            float(r.inside_lat),
            float(r.inside_lon),
            None,
            str(r.code),
            str(r.kabupaten_code),
        )
        entries.append((place, _name_variants(str(r.name))))
    # a former kecamatan name that is now a desa name stays the desa's
    desa_keys = {compact(str(n)) for n in desa["name"]}
    renamed = old_names({str(c) for c in kec["code"]})
    for place, names in entries:
        if place.level == "kecamatan":
            names |= {n for n in renamed.get(place.code, set()) if compact(n) not in desa_keys}
    for r in desa.itertuples():
        place = Place(
            str(r.code),
            "desa",
            str(r.name),
            float(r.inside_lat),
            float(r.inside_lon),
            str(r.code),
            str(r.kecamatan_code),
            str(r.kabupaten_code),
            str(r.kind),
        )
        entries.append((place, {str(r.name), str(r.name_upstream)}))
    return entries


def _missing_entries(
    kec: gpd.GeoDataFrame, region: RegionArg, settings: Settings | None
) -> list[_Entry]:
    """Return entries for the desa/kelurahan of the loaded regions without polygon upstream.

    Each is a ``desa`` entry without ``desa_code`` at its kecamatan's inside point: the
    matcher reads its name like any desa (namesakes, kecamatan context) and places a
    record naming it at the kecamatan, flagged ``desa_no_polygon``
    (:func:`kamtibmas_geo.boundaries.missing_villages`).
    """
    from kamtibmas_geo.boundaries._pack import missing_villages

    rows = missing_villages(region, settings=settings)
    points = {str(r.code): (float(r.inside_lat), float(r.inside_lon)) for r in kec.itertuples()}
    entries: list[_Entry] = []
    for r in rows.itertuples():
        if str(r.kecamatan_code) not in points:
            continue
        lat, lon = points[str(r.kecamatan_code)]
        place = Place(
            str(r.code),
            "desa",
            str(r.name),
            lat,
            lon,
            None,
            str(r.kecamatan_code),
            str(r.kabupaten_code),
            str(r.kind),
        )
        entries.append((place, {str(r.name)}))
    return entries


def _landmark_entries(lm: gpd.GeoDataFrame) -> list[_Entry]:
    """Return the entries of the user's landmarks, coded ``LM1``, ``LM2``..."""
    entries: list[_Entry] = []
    for i, r in enumerate(lm.itertuples()):
        place = Place(
            f"LM{i + 1}",
            "landmark",
            str(r.name),
            float(r.lat),
            float(r.lon),
            str(r.desa_code),
            str(r.kecamatan_code),
            str(r.kabupaten_code),
            str(r.kind),
        )
        entries.append((place, {str(r.name), *r.aliases}))
    return entries


def _family_entries(entries: list[_Entry]) -> list[_Entry]:
    """Extra keys of numbered kelurahan: the family and the parts of a compound number.

    ``20 Ilir D I``..``D IV`` form the family ``20 Ilir`` (the kecamatan named picks the
    member); ``3-4 Ulu`` is also found as ``3 Ulu`` and ``4 Ulu``. A key that already
    names a unit is left to it.
    """
    taken = {compact(n) for _, names in entries for n in names}
    extra: dict[str, list[Place]] = {}
    for place, names in entries:
        if place.level != "desa":
            continue
        for name in names:
            toks = tokens(name)
            keys: list[tuple[str, ...]] = []
            if len(toks) == 3 and toks[0].isdigit() and toks[2].isdigit():
                keys.append(toks[:2])  # 20 ilir 4 -> 20 ilir
            if len(toks) == 3 and toks[0].isdigit() and toks[1].isdigit():
                keys += [(toks[0], toks[2]), (toks[1], toks[2])]  # 3 4 ulu -> 3 ulu, 4 ulu
            for key in keys:
                if "".join(key) not in taken:
                    extra.setdefault(" ".join(key), []).append(place)
    return [(p, {key}) for key, places in sorted(extra.items()) for p in places]


def _official_outside_entries(inside_kab: frozenset[str], settings: Settings) -> list[_Entry]:
    """Every province, kabupaten/kota, kecamatan and desa/kelurahan outside the pack."""
    from kamtibmas_geo.geocode._outside import outside_units

    entries: list[_Entry] = []
    for u in outside_units(inside_kab, settings):
        kec = u.code[:8] if len(u.code) >= 8 else None
        kab = u.code[:5] if len(u.code) >= 5 else None
        place = Place(u.code, "outside", u.name, np.nan, np.nan, None, kec, kab, u.level)
        names = _name_variants(u.name)
        if u.level == "kabupaten" and len(names) > 1:
            names.discard(u.name)  # "Kabupaten X": the marker is read as a marker
        # a name that is only a number ("Lima Puluh") cannot be told from RT, km, counts
        names = {n for n in names if not compact(n).isdigit()}
        if not names:
            continue
        entries.append((place, names))
    return entries


#: The kabupaten/kota of Sumatera Selatan holding each name of
#: :data:`~kamtibmas_geo.records._aliases.OUTSIDE_PLACES` (names elsewhere are not listed):
#: when it is loaded the name is no longer outside — a short or full kabupaten name becomes
#: a name of that kabupaten, a town is left to the official names of its units.
OUTSIDE_HOME: dict[str, tuple[str, ...]] = {
    "oku": ("16.01",),
    "ogan komering ulu": ("16.01",),
    "baturaja": ("16.01",),
    "tugumulyo oku": ("16.01", "16.08"),
    "muara enim": ("16.03",),
    "gelumbang": ("16.03",),
    "tanjung enim": ("16.03",),
    "lahat": ("16.04",),
    "musi rawas": ("16.05",),
    "musi banyuasin": ("16.06",),
    "muba": ("16.06",),
    "sekayu": ("16.06",),
    "sungai lilin": ("16.06",),
    "bayung lencir": ("16.06",),
    "babat toman": ("16.06",),
    "banyuasin": ("16.07",),
    "betung": ("16.07",),
    "pangkalan balai": ("16.07",),
    "sungsang": ("16.07",),
    "muara telang banyuasin": ("16.07",),
    "rantau bayur": ("16.07",),
    "banyuasin satu": ("16.07",),
    "banyuasin dua": ("16.07",),
    "banyuasin tiga": ("16.07",),
    "rambutan": ("16.07",),
    "talang jambe banyuasin": ("16.07",),
    "mariana": ("16.07",),
    "kenten laut": ("16.07",),
    "sukamoro": ("16.07",),
    "air batu": ("16.07",),
    "oku timur": ("16.08",),
    "ogan komering ulu timur": ("16.08",),
    "martapura": ("16.08",),
    "belitang": ("16.08",),
    "cempaka": ("16.08",),
    "oku selatan": ("16.09",),
    "ogan komering ulu selatan": ("16.09",),
    "muaradua": ("16.09",),
    "ogan ilir": ("16.10",),
    "indralaya": ("16.10",),
    "inderalaya": ("16.10",),
    "tanjung raja": ("16.10",),
    "pemulutan": ("16.10",),
    "kertapati ogan ilir": ("16.10",),
    "empat lawang": ("16.11",),
    "pali": ("16.12",),
    "penukal abab lematang ilir": ("16.12",),
    "musi rawas utara": ("16.13",),
    "pagar alam": ("16.72",),
    "pagaralam": ("16.72",),
    "lubuklinggau": ("16.73",),
    "lubuk linggau": ("16.73",),
    "prabumulih": ("16.74",),
}


def _home_names(code: str) -> set[str]:
    """Kabupaten names of :data:`OUTSIDE_PLACES` that name the loaded kabupaten ``code``."""
    return {n for n in OUTSIDE_PLACES["kabupaten"] if OUTSIDE_HOME.get(n) == (code,)}


def _outside_entries(inside_kab: frozenset[str]) -> list[_Entry]:
    """Return the entries of the places outside the loaded regions an address may name."""
    return [
        (Place(f"OUT:{name}", "outside", name, np.nan, np.nan, None, None, None, kind), {name})
        for kind, outside in OUTSIDE_PLACES.items()
        for name in outside
        if inside_kab.isdisjoint(OUTSIDE_HOME.get(name, ()))
    ]


def _index(
    entries: list[_Entry], kab: gpd.GeoDataFrame, kec: gpd.GeoDataFrame, desa: gpd.GeoDataFrame
) -> Gazetteer:
    """Build the look-up tables: exact and phonetic keys, kecamatan cover, unit names."""
    places = [place for place, _ in entries]
    exact: dict[str, list[int]] = {}
    sound: dict[str, list[int]] = {}
    for i, (_, names) in enumerate(entries):
        for k in sorted({compact(n) for n in names} - {""}):
            exact.setdefault(k, []).append(i)
            sound.setdefault(phonetic(k), []).append(i)
    max_tokens = max([1, *(len(tokens(p.name)) for p in places)])
    cover = covers({str(c) for c in kec["code"]})
    unit_names: dict[str, str] = {}
    for frame in (desa, kec, kab):
        unit_names |= {str(c): str(n) for c, n in zip(frame["code"], frame["name"], strict=True)}
    unit_names |= {p.code: p.name for p in places if p.level == "desa" and p.desa_code is None}
    sound_t = {k: tuple(v) for k, v in sound.items()}
    outside_keys = _outside_keys(sound, places)
    return Gazetteer(
        places=tuple(places),
        exact={k: tuple(v) for k, v in exact.items()},
        sound=sound_t,
        fuzzy_keys=tuple(
            sorted(
                k
                for k, idx in sound.items()
                if any(places[i].level not in {"kabupaten", "outside"} for i in idx)
            )
        ),
        max_tokens=max(max_tokens + 1, 5),
        kec_cover=cover,
        names=unit_names,
        outside_keys=outside_keys,
        key_words=_key_words(entries),
        exact_prefix=_prefixes(exact),
        sound_prefix=_prefixes(sound),
        tables=match_tables(places, sound_t, unit_names, outside_keys),
    )


def match_tables(
    places: list[Place] | tuple[Place, ...],
    sound: Mapping[str, tuple[int, ...]],
    names: Mapping[str, str],
    outside_keys: Mapping[str, tuple[str, ...]],
) -> MatchTables:
    """Build the matcher's indexes (see :class:`MatchTables`).

    Parameters
    ----------
    places : sequence of Place
        The gazetteer's entries, inside ones first.
    sound : mapping
        Phonetic key -> positions.
    names : mapping
        Unit code -> name.
    outside_keys : mapping
        As :attr:`Gazetteer.outside_keys`.

    Returns
    -------
    MatchTables
    """
    inside_prov = frozenset(p.code[:2] for p in places if p.level == "kabupaten")
    first_outside = next((i for i, p in enumerate(places) if p.level == "outside"), len(places))
    regions = frozenset(
        i
        for i, p in enumerate(places)
        if p.code.startswith("OUT:")
        or p.kind == "provinsi"
        or (p.kind == "kabupaten" and p.code[:2] in inside_prov)
    )
    areas = frozenset(
        i
        for i in range(first_outside, len(places))
        if places[i].level == "outside" and places[i].kind in {"kecamatan", "kabupaten", "provinsi"}
    )
    inside_keys = {
        k: idx[: bisect_left(idx, first_outside)]
        for k, idx in sound.items()
        if idx[0] < first_outside
    }
    kec_desa: dict[str, dict[str, tuple[int, ...]]] = {}
    for k, idx in inside_keys.items():
        desa_idx = tuple(j for j in idx if places[j].level == "desa")
        for j in desa_idx:
            kec = places[j].kecamatan_code
            if kec:
                kec_desa.setdefault(kec, {})[k] = desa_idx
    _add_short_names(kec_desa, names)
    desa_keys = tuple(
        k for k, idx in inside_keys.items() if all(places[i].level == "desa" for i in idx)
    )
    kec_at = {p.code: i for i, p in enumerate(places[:first_outside]) if p.level == "kecamatan"}
    no_polygon = {
        p.code: kec_at[str(p.kecamatan_code)]
        for p in places[:first_outside]
        if p.level == "desa" and p.desa_code is None and p.kecamatan_code in kec_at
    }
    return MatchTables(
        first_outside,
        inside_prov,
        regions,
        areas,
        kec_desa,
        desa_keys,
        _rivals(outside_keys),
        no_polygon,
        {False: _kecamatan_keys(places, sound, first_outside, outside=False),
         True: _kecamatan_keys(places, sound, first_outside, outside=True)},
        tuple(sorted(sound)),
    )  # fmt: skip


def _kecamatan_keys(
    places: Sequence[Place],
    sound: Mapping[str, tuple[int, ...]],
    first_outside: int,
    *,
    outside: bool,
) -> dict[str, tuple[int, ...]]:
    """Phonetic key -> the kecamatan inside (or outside) under that key."""
    found: dict[str, tuple[int, ...]] = {}
    for key, idx in sound.items():
        cut = bisect_left(idx, first_outside)
        if outside:
            kec = tuple(k for k in idx[cut:] if places[k].kind == "kecamatan")
        else:
            kec = tuple(k for k in idx[:cut] if places[k].level == "kecamatan")
        if kec:
            found[key] = kec
    return found


def _rivals(
    outside_keys: Mapping[str, tuple[str, ...]],
) -> dict[str, tuple[tuple[int, ...], tuple[str, ...]]]:
    """First two letters -> (lengths, keys) of the outside-only keys, sorted by length."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for keys in outside_keys.values():
        for k in keys:
            groups.setdefault(k[:2], []).append((len(k), k))
    out: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {}
    for head, pairs in groups.items():
        pairs.sort()
        out[head] = (tuple(n for n, _ in pairs), tuple(k for _, k in pairs))
    return out


def _add_short_names(
    kec_desa: dict[str, dict[str, tuple[int, ...]]], names: Mapping[str, str]
) -> None:
    """Let a desa named after its kecamatan be found without the kecamatan's words.

    *Tulung Selapan Ilir* in Kecamatan Tulung Selapan is also written ``Desa Selapan
    Ilir`` or ``Desa Ilir``: within the kecamatan named (only there), the desa's key
    without the kecamatan name's first word, or without its whole name, finds it.
    """
    for kec, keys in kec_desa.items():
        words = [phonetic(w) for w in tokens(names.get(kec, ""))]
        heads = {"".join(words[:n]) for n in range(1, len(words) + 1)} - {""}
        for key, idx in list(keys.items()):
            for head in heads:
                rest = key[len(head) :]
                if key.startswith(head) and len(rest) >= 4 and rest not in keys:
                    keys[rest] = idx


def _prefixes(keys: Mapping[str, Any]) -> frozenset[str]:
    """Every prefix of every key."""
    out: set[str] = set()
    for k in keys:
        out.update(k[:i] for i in range(1, len(k) + 1))
    return frozenset(out)


def _outside_keys(
    sound: Mapping[str, list[int]], places: list[Place]
) -> dict[str, tuple[str, ...]]:
    """First two letters and length (``"su8"``) -> phonetic keys naming only places outside."""
    out: dict[str, list[str]] = {}
    for k, idx in sound.items():
        if all(places[i].level == "outside" for i in idx):
            out.setdefault(f"{k[:2]}{len(k)}", []).append(k)
    return {c: tuple(sorted(keys)) for c, keys in out.items()}


def _key_words(entries: list[_Entry]) -> dict[str, tuple[str, ...]]:
    """Phonetic key of an inside name -> the phonetic keys of its words."""
    out: dict[str, tuple[str, ...]] = {}
    for place, names in entries:
        if place.level == "outside":
            continue
        for n in sorted(names):
            words = tuple(phonetic(t) for t in tokens(n) if t != "|")
            out.setdefault(phonetic(compact(n)), words)
    return out
