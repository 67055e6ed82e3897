"""The boundary packs: the administrative geography of the 17 kabupaten/kota of Sumatera Selatan.

The default regions, OKI (16.02) and Palembang (16.71), form one pack, built on first use as
before; every other kabupaten/kota gets a pack of its own, built the first time it is asked
for (``region="Muara Enim"``), so the default path never pays for the province.

Each pack is built from pinned, MIT-licensed upstream files (``data/boundaries/manifest.toml``):
village polygons from *cahyadsn/wilayah_boundaries*, official codes, names, areas and
population from *cahyadsn/wilayah*. They are read from a local verbatim copy (the ``source=``
argument or ``KAMTIBMAS_GEO_SOURCE``) or downloaded with their SHA-256 checked, and the pack is
written as GeoParquet into a user cache directory, never into the project.

Build rules
-----------
* Upstream points are ``[lat, lng]``; they are swapped to ``(lng, lat)``.
* Within one upstream polygon, rings combine by the even-odd rule (a ring inside another is a
  hole); the parts of a multi-part village are unioned. Invalid rings are repaired with
  ``make_valid``. Coordinates are snapped to a 1e-7 degree grid (about 1 cm).
* Overlaps between neighbouring villages are removed: the village with the smaller Kemendagri
  code keeps the overlapping area.
* Gaps between villages (slivers inside the kabupaten outline, none larger than a few hectares
  upstream) go to the neighbouring village that shares the longest border with them.
* Kecamatan and kabupaten are the unions of their villages, so the three levels nest exactly:
  every point of a kabupaten lies in exactly one desa/kelurahan.
* Official desa/kelurahan without a polygon upstream (20: Muara Enim 2, Musi Banyuasin 2,
  Banyuasin 8, Prabumulih 8; most likely villages split off after the geometry was drawn,
  as the polygons still cover the official area) are listed in the pack's ``meta.json``
  (:func:`missing_villages`) and warned about (:class:`MissingVillageWarning`), never
  invented.
* Each kabupaten/kota outside the default pack is built on its own: neighbouring
  kabupaten overlap by slivers along their borders upstream (0.78 km² over the whole
  province); where two loaded regions overlap, a point goes to the smaller code.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from kamtibmas_geo._errors import BoundaryError, RegionError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.boundaries._build import (
    AREA_TOLERANCE,
    EQUAL_AREA_CRS,
    OVERLAP_TOLERANCE_M2,
)
from kamtibmas_geo.boundaries._integrity import (
    FileCheck,
    check_derived,
    parse_sums,
    remove_stale_temps_once,
)
from kamtibmas_geo.boundaries._regions import (
    EXPECTED_COUNTS,
    REGIONS,
    RegionArg,
    region_name,
    resolve_region,
)
from kamtibmas_geo.boundaries._store import (
    BUILDER_VERSION,
    LEVELS,
    PACK_FILES,
    DamagedFileError,
    Level,
    PackInfo,
    build_into,
    inspect_pack,
    levels_digest,
    pack_codes,
    pack_dir,
    pack_info_of,
)
from kamtibmas_geo.config import Settings

__all__ = [
    "AREA_TOLERANCE",
    "BUILDER_VERSION",
    "EQUAL_AREA_CRS",
    "EXPECTED_COUNTS",
    "MISSING_COLUMNS",
    "OVERLAP_TOLERANCE_M2",
    "PACK_FILES",
    "REGIONS",
    "Level",
    "MissingVillageWarning",
    "PackCheck",
    "PackInfo",
    "RegionArg",
    "build_pack",
    "check_pack",
    "load_boundaries",
    "missing_villages",
    "pack_info",
    "region_packs",
    "resolve_region",
]

MESSAGES = {
    "missing": {
        "id": "{region}: {n} dari {total} desa/kelurahan resmi tidak punya poligon di data "
        "batas upstream ({names}). Catatan yang hanya menyebut desa/kelurahan itu "
        "ditempatkan di tingkat kecamatan; daftar lengkapnya: `kamtibmas-geo boundaries info "
        "--region {code}` atau missing_villages('{code}').",
        "en": "{region}: {n} of {total} official desa/kelurahan have no polygon in the "
        "upstream boundary data ({names}). Records naming only those villages are placed at "
        "kecamatan level; the full list: `kamtibmas-geo boundaries info --region {code}` or "
        "missing_villages('{code}').",
    },
    "one_pack": {
        "id": "{region!r} mencakup beberapa paket batas wilayah ({codes}); sebutkan satu "
        "kabupaten/kota, atau None untuk OKI dan Palembang.",
        "en": "{region!r} spans several boundary packs ({codes}); name one kabupaten/kota, or "
        "None for OKI and Palembang.",
    },
    "level": {
        "id": "level harus salah satu dari {levels}; bukan {level!r}.",
        "en": "level must be one of {levels}; got {level!r}.",
    },
    "still_damaged": {
        "id": "Berkas {file} tetap rusak setelah paket dibangun ulang ({state}); periksa disk "
        "atau pilih folder cache lain (--cache-dir atau KAMTIBMAS_GEO_CACHE).",
        "en": "{file} is still damaged after rebuilding the pack ({state}); check the disk or "
        "choose another cache folder (--cache-dir or KAMTIBMAS_GEO_CACHE).",
    },
}


class MissingVillageWarning(UserWarning):
    """Official desa/kelurahan of a loaded region have no polygon in the upstream data.

    Issued by :func:`load_boundaries` (and so by every step that loads a region) for
    Muara Enim, Musi Banyuasin, Banyuasin and Prabumulih; :func:`missing_villages` lists
    them. They are never invented: records naming only them stay at kecamatan level.
    ``str()`` is in the language of the settings; :meth:`text` gives either language.

    Attributes
    ----------
    kabupaten_code : str
        The region.
    codes : tuple of str
        The villages without polygon.
    """

    def __init__(self, message: str, kabupaten_code: str = "", codes: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.kabupaten_code = kabupaten_code
        self.codes = codes
        self._values: dict[str, Any] = {}

    def text(self, lang: str = "id") -> str:
        """Return the message in ``lang`` ("id" or "en").

        Parameters
        ----------
        lang : {"id", "en"}
            Language.

        Returns
        -------
        str
        """
        return tr(MESSAGES, "missing", lang, **self._values) if self._values else str(self)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with both languages (warnings cross process boundaries in workers)."""
        return (_remake_warning, (str(self), self.kabupaten_code, self.codes, self._values))


def _remake_warning(
    message: str, code: str, codes: tuple[str, ...], values: dict[str, Any]
) -> MissingVillageWarning:
    warning = MissingVillageWarning(message, code, codes)
    warning._values = values
    return warning


#: Columns of :func:`missing_villages`.
MISSING_COLUMNS = (
    "code",
    "name",
    "kind",
    "kecamatan_code",
    "kecamatan_name",
    "kabupaten_code",
    "kabupaten_name",
)


# --------------------------------------------------------------------------- pack on disk


@dataclass(frozen=True, slots=True)
class PackCheck:
    """The integrity of the boundary pack in the cache and of the caches derived from it.

    Attributes
    ----------
    path : Path
        The pack folder.
    files : tuple of FileCheck
        The pack's files (:data:`PACK_FILES`) and ``SHA256SUMS``.
    derived : tuple of FileCheck
        Derived caches beside the pack (region cells, crosswalks).
    """

    path: Path
    files: tuple[FileCheck, ...]
    derived: tuple[FileCheck, ...]

    @property
    def absent(self) -> bool:
        """True when no file of the pack is there (it was never built)."""
        return all(c.state == "missing" for c in self.files)

    @property
    def ok(self) -> bool:
        """True when every file, pack and derived, proves itself."""
        return all(c.state == "ok" for c in (*self.files, *self.derived))


# --------------------------------------------------------------------------- packs


def _one_pack(region: RegionArg) -> tuple[str, ...]:
    """Return the codes of the one pack ``region`` names (``None``: the default pack)."""
    groups = sorted({pack_codes(c) for c in resolve_region(region)})
    if len(groups) != 1:
        codes = ", ".join(c for g in groups for c in g)
        raise RegionError.say(MESSAGES, "one_pack", region=region, codes=codes)
    return groups[0]


def check_pack(*, region: RegionArg = None, settings: Settings | None = None) -> PackCheck:
    """Check a boundary pack in the cache file by file, without building or repairing.

    Parameters
    ----------
    region : str, optional
        A kabupaten/kota outside the default pack (``"Muara Enim"``, ``"16.03"``); ``None``
        (or OKI, Palembang) for the default pack.
    settings : Settings, optional
        Where the cache is.

    Returns
    -------
    PackCheck
        ``ok`` / ``damaged`` / ``missing`` for each pack file and each derived cache.
    """
    settings = settings or Settings()
    folder = pack_dir(settings, _one_pack(region))
    checks, sums, _ = inspect_pack(folder)
    digest = levels_digest(parse_sums(sums) or {}) if sums is not None else ""
    derived = check_derived(folder, digest, exclude=PACK_FILES)
    return PackCheck(folder, tuple(checks), tuple(derived))


def _build_pack(
    codes: tuple[str, ...],
    source: str | os.PathLike[str] | None,
    settings: Settings,
    force: bool,
) -> PackInfo:
    folder = pack_dir(settings, codes)
    damaged: list[FileCheck] = []
    if not force:
        remove_stale_temps_once(folder)  # left by a killed build
        checks, sums, meta = inspect_pack(folder)
        if meta is not None and sums is not None and all(c.state == "ok" for c in checks):
            return pack_info_of(folder, meta, sums)
        if not all(c.state == "missing" for c in checks):
            damaged = [c for c in checks if c.state != "ok"]
    return build_into(folder, codes, source, settings, damaged)


def build_pack(
    *,
    region: RegionArg = None,
    source: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
    force: bool = False,
) -> PackInfo:
    """Build (or find and verify in the cache) a boundary pack and return where it is.

    A cached pack is used only if every file matches the SHA-256 recorded in its
    ``SHA256SUMS`` when it was built (hashed once per process, then checked with ``stat``).
    A damaged, missing or unreadable file or an invalid ``meta.json`` is rebuilt from the
    verified upstream with a :class:`~kamtibmas_geo.CacheRepairWarning`. Every file is
    written atomically, so a killed build never leaves a half file that looks valid.

    Parameters
    ----------
    region : str, optional
        ``None`` (or OKI, Palembang): the default pack of OKI and Palembang; another
        kabupaten/kota of Sumatera Selatan (``"Muara Enim"``, ``"16.03"``): its own pack.
    source : path-like, optional
        Directory with verbatim copies of the upstream files (``<repo>/<path>``), such as
        ``../shared/data``. ``None`` uses ``settings.source``, then ``KAMTIBMAS_GEO_SOURCE``,
        then a verified download.
    settings : Settings, optional
        Cache directory, source defaults and the language of messages.
    force : bool
        Rebuild even when a valid pack for the same sources and builder is cached.

    Returns
    -------
    PackInfo

    Raises
    ------
    ChecksumError
        A source file is not the pinned upstream version.
    BoundaryError
        A source is missing, the built pack fails validation, the cache cannot be
        written, or the cached pack is damaged and the upstream is not available to
        rebuild it (the message names the files and the fix).
    RegionError
        ``region`` is unknown or names kabupaten/kota of several packs.
    """
    return _build_pack(_one_pack(region), source, settings or Settings(), force)


def region_packs(
    region: RegionArg = None,
    *,
    source: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
) -> list[tuple[PackInfo, tuple[str, ...]]]:
    """Return the packs holding ``region``, each with the codes of ``region`` it holds.

    Each pack is built on first use (:func:`build_pack`).

    Parameters
    ----------
    region : str, list of str or None
        As in :func:`load_boundaries`.
    source : path-like, optional
        As in :func:`build_pack`.
    settings : Settings, optional
        As in :func:`build_pack`.

    Returns
    -------
    list of (PackInfo, tuple of str)
        In the order of the packs' first code.
    """
    settings = settings or Settings()
    groups: dict[tuple[str, ...], list[str]] = {}
    for code in resolve_region(region):
        groups.setdefault(pack_codes(code), []).append(code)
    return [
        (_build_pack(codes, source, settings, False), tuple(wanted))
        for codes, wanted in sorted(groups.items())
    ]


def pack_info(
    *,
    region: RegionArg = None,
    source: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
) -> PackInfo:
    """Return a pack's location and metadata, building it first if needed.

    Parameters
    ----------
    region : str, optional
        As in :func:`build_pack`.
    source : path-like, optional
        As in :func:`build_pack`.
    settings : Settings, optional
        As in :func:`build_pack`.

    Returns
    -------
    PackInfo
    """
    return build_pack(region=region, source=source, settings=settings)


# --------------------------------------------------------------------------- loading


@lru_cache(maxsize=64)
def _read_level(path: str, sha256: str) -> gpd.GeoDataFrame:
    """Read a level from the bytes whose SHA-256 was checked (no gap between check and use)."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise DamagedFileError(FileCheck(file.name, "missing", "missing"), file) from None
    except OSError:
        raise DamagedFileError(FileCheck(file.name, "damaged", "unreadable"), file) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DamagedFileError(FileCheck(file.name, "damaged", "mismatch"), file)
    try:
        return gpd.read_parquet(io.BytesIO(data))
    except Exception:  # recorded bytes that do not parse: damaged all the same
        raise DamagedFileError(FileCheck(file.name, "damaged", "invalid"), file) from None


def _pack_level(
    info: PackInfo, level: Level, source: str | os.PathLike[str] | None, settings: Settings
) -> gpd.GeoDataFrame:
    """Read one level of a pack; a file changed after its check is rebuilt and read again."""
    name = f"{level}.parquet"
    try:
        return _read_level(str(info.path / name), info.checksums[name])
    except DamagedFileError as exc:
        info = build_into(info.path, info.regions, source, settings, [exc.check])
        try:
            return _read_level(str(info.path / name), info.checksums[name])
        except DamagedFileError as again:
            state = again.check.describe(settings.lang)
            msg = tr(MESSAGES, "still_damaged", settings.lang, file=info.path / name, state=state)
            raise BoundaryError(msg) from None


def load_boundaries(
    level: Level = "desa",
    region: RegionArg = None,
    *,
    source: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
) -> gpd.GeoDataFrame:
    """Load desa/kelurahan, kecamatan or kabupaten polygons of Sumatera Selatan.

    Builds the pack of each region into the cache on first use (OKI and Palembang share
    one; each other kabupaten/kota has its own, a second or two to build); a cached file
    is read only after its SHA-256 matches the one recorded at build time (see
    :func:`build_pack`). A region with official villages that have no polygon upstream
    warns (:class:`MissingVillageWarning`, see :func:`missing_villages`).

    Parameters
    ----------
    level : {"desa", "kecamatan", "kabupaten"}
        Administrative level.
    region : str, list of str or None
        A kabupaten/kota code or name (``"16.71"``, ``"Palembang"``, ``"OKI"``,
        ``"Muara Enim"``), several (a list, or separated by commas), ``"sumsel"`` for all
        17; ``None`` for the default regions, OKI and Palembang.
    source : path-like, optional
        Local copy of the upstream files, as in :func:`build_pack`.
    settings : Settings, optional
        Cache directory, source defaults and the language of warnings.

    Returns
    -------
    GeoDataFrame
        In EPSG:4326, one row per unit, sorted by Kemendagri ``code``, with ``name``,
        ``level``, parent codes and names, ``area_km2``, ``inside_lon``/``inside_lat``
        (a point inside the polygon); kabupaten also carry ``official_area_km2`` and
        ``population``.
    """
    if level not in LEVELS:
        raise RegionError.say(MESSAGES, "level", levels=", ".join(map(repr, LEVELS)), level=level)
    settings = settings or Settings()
    key = "code" if level == "kabupaten" else "kabupaten_code"
    parts = []
    for info, wanted in region_packs(region, source=source, settings=settings):
        frame = _pack_level(info, level, source, settings)
        parts.append(frame[frame[key].isin(wanted)])
        _warn_missing(info, wanted, settings.lang)
    out = parts[0] if len(parts) == 1 else pd.concat(parts).sort_values("code", kind="stable")
    return out.reset_index(drop=True).copy()


# --------------------------------------------------------------------------- villages, no polygon


def _missing_rows(info: PackInfo, wanted: tuple[str, ...]) -> list[dict[str, str]]:
    rows = info.meta.get("missing_villages") or []
    return [r for r in rows if r.get("kabupaten_code") in wanted]


def _warn_missing(info: PackInfo, wanted: tuple[str, ...], lang: str) -> None:
    rows = _missing_rows(info, wanted)
    for code in sorted({r["kabupaten_code"] for r in rows}):
        mine = [r for r in rows if r["kabupaten_code"] == code]
        names = ", ".join(f"{r['name']} ({r['code']})" for r in mine[:4])
        if len(mine) > 4:
            names += ", …"
        total = int(EXPECTED_COUNTS[code][1]) + len(mine)
        values = {
            "region": f"{region_name(code)} ({code})",
            "n": len(mine),
            "total": total,
            "names": names,
            "code": code,
        }
        warning = MissingVillageWarning(
            tr(MESSAGES, "missing", lang, **values), code, tuple(r["code"] for r in mine)
        )
        warning._values = values
        warnings.warn(warning, stacklevel=3)


def missing_villages(
    region: RegionArg = None,
    *,
    source: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return the official desa/kelurahan of ``region`` that have no polygon upstream.

    Four kabupaten/kota have fewer village polygons than official villages (Muara Enim 2,
    Musi Banyuasin 2, Banyuasin 8, Prabumulih 8). Their villages are never invented: a
    record that names only such a village is placed at its kecamatan.

    Parameters
    ----------
    region : str, list of str or None
        As in :func:`load_boundaries`.
    source : path-like, optional
        As in :func:`build_pack`.
    settings : Settings, optional
        As in :func:`build_pack`.

    Returns
    -------
    DataFrame
        ``code``, ``name``, ``kind``, ``kecamatan_code``, ``kecamatan_name``,
        ``kabupaten_code``, ``kabupaten_name``; one row per village, sorted by code
        (empty for OKI and Palembang).
    """
    rows = [
        row
        for info, wanted in region_packs(region, source=source, settings=settings)
        for row in _missing_rows(info, wanted)
    ]
    frame = pd.DataFrame(rows, columns=list(MISSING_COLUMNS), dtype="str")
    return frame.sort_values("code", kind="stable").reset_index(drop=True)
