"""The boundary pack: the real administrative geography of OKI (16.02) and Palembang (16.71).

The pack is built from pinned, MIT-licensed upstream files (``data/boundaries/manifest.toml``):
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
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from kamtibmas_geo._errors import BoundaryError, CacheRepairWarning, RegionError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.boundaries._build import (
    AREA_TOLERANCE,
    EQUAL_AREA_CRS,
    EXPECTED_COUNTS,
    OVERLAP_TOLERANCE_M2,
    REGIONS,
    build_frames,
)
from kamtibmas_geo.boundaries._integrity import (
    SUMS_NAME,
    FileCheck,
    check_derived,
    format_sums,
    parse_sums,
    remove_stale_temps,
    remove_stale_temps_once,
    verify_listed,
    write_atomic,
)
from kamtibmas_geo.boundaries._sources import cache_root, manifest, obtain
from kamtibmas_geo.boundaries._sources import source_dir as find_source_dir
from kamtibmas_geo.config import Settings

__all__ = [
    "AREA_TOLERANCE",
    "BUILDER_VERSION",
    "EQUAL_AREA_CRS",
    "EXPECTED_COUNTS",
    "OVERLAP_TOLERANCE_M2",
    "PACK_FILES",
    "REGIONS",
    "Level",
    "PackCheck",
    "PackInfo",
    "build_pack",
    "check_pack",
    "load_boundaries",
    "pack_info",
    "resolve_region",
]

#: Version of the pack builder; a change forces a rebuild of cached packs.
BUILDER_VERSION = "2"

Level = Literal["desa", "kecamatan", "kabupaten"]
LEVELS: tuple[Level, ...] = ("desa", "kecamatan", "kabupaten")

_ALIASES = {
    "oki": "oki",
    "ogankomeringilir": "oki",
    "kabupatenogankomeringilir": "oki",
    "kabogankomeringilir": "oki",
    "1602": "oki",
    "palembang": "palembang",
    "kotapalembang": "palembang",
    "plg": "palembang",
    "1671": "palembang",
}


MESSAGES = {
    "region": {
        "id": "Wilayah {region!r} tidak dikenal. Wilayah yang dikenal: {known}, atau None "
        "untuk keduanya.",
        "en": "Unknown region {region!r}. Known regions: {known}, or None for both.",
    },
    "level": {
        "id": "level harus salah satu dari {levels}; bukan {level!r}.",
        "en": "level must be one of {levels}; got {level!r}.",
    },
    "repair": {
        "id": "Berkas paket batas wilayah di cache rusak ({files}); paket dibangun ulang dari "
        "sumber upstream yang terverifikasi di {path}.",
        "en": "Damaged boundary pack file(s) in the cache ({files}); the pack is rebuilt from "
        "the verified upstream files in {path}.",
    },
    "refuse": {
        "id": "Berkas paket batas wilayah di cache rusak ({files}) di {path}, dan sumber "
        "upstream terverifikasi untuk membangunnya ulang tidak tersedia ({reason}). "
        "Perbaiki: sediakan sumbernya (--source atau KAMTIBMAS_GEO_SOURCE berisi salinan "
        "asli, atau koneksi internet), lalu jalankan `kamtibmas-geo boundaries build`.",
        "en": "Damaged boundary pack file(s) in the cache ({files}) in {path}, and the "
        "verified upstream files to rebuild them are not available ({reason}). Fix: provide "
        "them (--source or KAMTIBMAS_GEO_SOURCE with verbatim copies, or a network "
        "connection), then run `kamtibmas-geo boundaries build`.",
    },
    "cannot_write": {
        "id": "Tidak dapat menulis paket batas wilayah ke {path}: {reason}. Periksa izin tulis "
        "dan ruang disk, atau pilih folder cache lain (--cache-dir atau KAMTIBMAS_GEO_CACHE).",
        "en": "Cannot write the boundary pack to {path}: {reason}. Check the write permission "
        "and free disk space, or choose another cache folder (--cache-dir or "
        "KAMTIBMAS_GEO_CACHE).",
    },
    "still_damaged": {
        "id": "Berkas {file} tetap rusak setelah paket dibangun ulang ({state}); periksa disk "
        "atau pilih folder cache lain (--cache-dir atau KAMTIBMAS_GEO_CACHE).",
        "en": "{file} is still damaged after rebuilding the pack ({state}); check the disk or "
        "choose another cache folder (--cache-dir or KAMTIBMAS_GEO_CACHE).",
    },
}


# --------------------------------------------------------------------------- regions


#: A region argument: one kabupaten/kota (code, name or alias), several, or ``None``.
RegionArg = str | Sequence[str] | None


def resolve_region(region: RegionArg) -> list[str]:
    """Turn a region name or code into the list of kabupaten codes it stands for.

    Parameters
    ----------
    region : str or None
        ``"oki"``, ``"OKI"``, ``"Ogan Komering Ilir"``, ``"16.02"``, ``"Palembang"``,
        ``"Kota Palembang"``, ``"16.71"``; ``None`` or ``"all"`` for both.

    Returns
    -------
    list of str
        Kemendagri kabupaten codes.

    Examples
    --------
    >>> resolve_region("Ogan Komering Ilir")
    ['16.02']
    >>> resolve_region(None)
    ['16.02', '16.71']
    """
    if region is None:
        return [code for code, _ in REGIONS.values()]
    if not isinstance(region, str):
        return sorted({code for one in region for code in resolve_region(one)})
    key = re.sub(r"[^a-z0-9]", "", str(region).lower())
    if key in ("all", "semua"):
        return [code for code, _ in REGIONS.values()]
    name = _ALIASES.get(key)
    if name is None:
        known = ", ".join(f"{k!r} ({c})" for k, (c, _) in REGIONS.items())
        raise RegionError.say(MESSAGES, "region", region=region, known=known)
    return [REGIONS[name][0]]


# --------------------------------------------------------------------------- pack on disk

#: The pack's files, each listed with its SHA-256 in ``SHA256SUMS`` beside them.
PACK_FILES: tuple[str, ...] = (*(f"{lvl}.parquet" for lvl in LEVELS), "meta.json")


@dataclass(frozen=True, slots=True)
class PackInfo:
    """Where a built boundary pack lives, what it was built from, and its checksums.

    Attributes
    ----------
    path : Path
        Directory holding ``desa.parquet``, ``kecamatan.parquet``, ``kabupaten.parquet``,
        ``meta.json`` and ``SHA256SUMS``.
    meta : dict
        Builder version, source checksums and addresses, build time, raw overlap.
    checksums : dict
        File name → SHA-256 recorded when the pack was built (``SHA256SUMS``).
    digest : str
        SHA-256 of the ``SHA256SUMS`` lines of the three level files: identifies the
        pack's exact geometry (derived caches record it; a rebuild that writes the same
        bytes keeps them).
    """

    path: Path
    meta: dict[str, Any]
    checksums: dict[str, str]
    digest: str


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


class _DamagedFileError(BoundaryError):
    """A pack file failed its check while being read (internal: triggers a rebuild)."""

    def __init__(self, check: FileCheck, path: Path) -> None:
        super().__init__(f"{path}: {check.describe('en')}")
        self.check = check


def _pack_key() -> str:
    h = hashlib.sha256()
    h.update(BUILDER_VERSION.encode())
    for src in manifest():
        h.update(f"{src.key}:{src.sha256}".encode())
    return h.hexdigest()[:16]


def _pack_dir(settings: Settings) -> Path:
    return cache_root(settings) / f"pack-{_pack_key()}"


def _read_meta(path: Path) -> dict[str, Any] | None:
    """Return the pack's metadata, or ``None`` if it is not what this builder writes."""
    try:
        meta = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if (
        not isinstance(meta, dict)
        or meta.get("builder_version") != BUILDER_VERSION
        or not isinstance(meta.get("sources"), list)
        or not isinstance(meta.get("counts"), dict)
    ):
        return None
    return meta


def _inspect(pack_dir: Path) -> tuple[list[FileCheck], bytes | None, dict[str, Any] | None]:
    """Check every pack file against ``SHA256SUMS``; return checks, the sums and the meta."""
    try:
        sums: bytes | None = (pack_dir / SUMS_NAME).read_bytes()
        listed = parse_sums(sums) if sums is not None else None
        sums_check = FileCheck(SUMS_NAME, "ok")
        if listed is None or set(listed) != set(PACK_FILES):
            sums, sums_check = None, FileCheck(SUMS_NAME, "damaged", "invalid")
    except FileNotFoundError:
        sums, sums_check = None, FileCheck(SUMS_NAME, "missing", "missing")
    except OSError:
        sums, sums_check = None, FileCheck(SUMS_NAME, "damaged", "unreadable")
    checks = verify_listed(pack_dir, sums, PACK_FILES)
    meta = None
    if checks[-1].state == "ok":
        meta = _read_meta(pack_dir / "meta.json")
        if meta is None:
            checks[-1] = FileCheck("meta.json", "damaged", "invalid")
    return [*checks, sums_check], sums, meta


def _levels_digest(checksums: dict[str, str]) -> str:
    """SHA-256 identifying the pack's geometry: the sums of its level files (not meta.json)."""
    levels = {name: checksums[name] for name in PACK_FILES if name.endswith(".parquet")}
    return hashlib.sha256(format_sums(levels)).hexdigest()


def _info(pack_dir: Path, meta: dict[str, Any], sums: bytes) -> PackInfo:
    checksums = parse_sums(sums) or {}
    return PackInfo(pack_dir, meta, checksums, _levels_digest(checksums))


def _listing(checks: Sequence[FileCheck], lang: str) -> str:
    return "; ".join(f"{c.name}: {c.describe(lang)}" for c in checks)


def _parquet_bytes(frame: gpd.GeoDataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _build(
    pack_dir: Path,
    source: str | os.PathLike[str] | None,
    settings: Settings,
    damaged: list[FileCheck],
) -> PackInfo:
    """Build the pack from the verified upstream into ``pack_dir``, repairing ``damaged``."""
    lang = settings.lang
    try:
        paths = obtain(find_source_dir(source, settings), cache_root(settings), lang)
    except BoundaryError as exc:
        if not damaged:
            raise
        files = _listing(damaged, lang)
        msg = tr(MESSAGES, "refuse", lang, files=files, path=pack_dir, reason=str(exc).rstrip("."))
        raise BoundaryError(msg) from None
    if damaged:
        msg = tr(MESSAGES, "repair", lang, files=_listing(damaged, lang), path=pack_dir)
        warnings.warn(msg, CacheRepairWarning, stacklevel=3)
    frames = build_frames(paths)
    blobs = {f"{lvl}.parquet": _parquet_bytes(frames[lvl]) for lvl in LEVELS}
    meta = {
        "builder_version": BUILDER_VERSION,
        "built_at": pd.Timestamp.now(tz="UTC").isoformat(),
        "sources": [{"key": s.key, "url": s.url, "sha256": s.sha256} for s in manifest()],
        "counts": {lvl: len(frames[lvl]) for lvl in LEVELS},
        "raw_overlap_km2": float(frames["kabupaten"]["raw_overlap_km2"].iloc[0]),
    }
    blobs["meta.json"] = json.dumps(meta, indent=2).encode("utf-8")
    try:
        pack_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(pack_dir)
        # the list of sums goes last: a build killed before it leaves a pack that fails its check
        sums = format_sums({name: write_atomic(pack_dir / name, b) for name, b in blobs.items()})
        write_atomic(pack_dir / SUMS_NAME, sums)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise BoundaryError(
            tr(MESSAGES, "cannot_write", lang, path=pack_dir, reason=reason)
        ) from None
    return _info(pack_dir, meta, sums)


def check_pack(*, settings: Settings | None = None) -> PackCheck:
    """Check the boundary pack in the cache file by file, without building or repairing.

    Parameters
    ----------
    settings : Settings, optional
        Where the cache is.

    Returns
    -------
    PackCheck
        ``ok`` / ``damaged`` / ``missing`` for each pack file and each derived cache.
    """
    settings = settings or Settings()
    pack_dir = _pack_dir(settings)
    checks, sums, _ = _inspect(pack_dir)
    digest = _levels_digest(parse_sums(sums) or {}) if sums is not None else ""
    derived = check_derived(pack_dir, digest, exclude=PACK_FILES)
    return PackCheck(pack_dir, tuple(checks), tuple(derived))


def build_pack(
    *,
    source: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
    force: bool = False,
) -> PackInfo:
    """Build (or find and verify in the cache) the boundary pack and return where it is.

    A cached pack is used only if every file matches the SHA-256 recorded in its
    ``SHA256SUMS`` when it was built (hashed once per process, then checked with ``stat``).
    A damaged, missing or unreadable file or an invalid ``meta.json`` is rebuilt from the
    verified upstream with a :class:`~kamtibmas_geo.CacheRepairWarning`. Every file is
    written atomically, so a killed build never leaves a half file that looks valid.

    Parameters
    ----------
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
    """
    settings = settings or Settings()
    pack_dir = _pack_dir(settings)
    damaged: list[FileCheck] = []
    if not force:
        remove_stale_temps_once(pack_dir)  # left by a killed build
        checks, sums, meta = _inspect(pack_dir)
        if meta is not None and sums is not None and all(c.state == "ok" for c in checks):
            return _info(pack_dir, meta, sums)
        if not all(c.state == "missing" for c in checks):
            damaged = [c for c in checks if c.state != "ok"]
    return _build(pack_dir, source, settings, damaged)


def pack_info(
    *, source: str | os.PathLike[str] | None = None, settings: Settings | None = None
) -> PackInfo:
    """Return the pack's location and metadata, building it first if needed.

    Parameters
    ----------
    source : path-like, optional
        As in :func:`build_pack`.
    settings : Settings, optional
        As in :func:`build_pack`.

    Returns
    -------
    PackInfo
    """
    return build_pack(source=source, settings=settings)


@lru_cache(maxsize=8)
def _read_level(path: str, sha256: str) -> gpd.GeoDataFrame:
    """Read a level from the bytes whose SHA-256 was checked (no gap between check and use)."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise _DamagedFileError(FileCheck(file.name, "missing", "missing"), file) from None
    except OSError:
        raise _DamagedFileError(FileCheck(file.name, "damaged", "unreadable"), file) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _DamagedFileError(FileCheck(file.name, "damaged", "mismatch"), file)
    try:
        return gpd.read_parquet(io.BytesIO(data))
    except Exception:  # recorded bytes that do not parse: damaged all the same
        raise _DamagedFileError(FileCheck(file.name, "damaged", "invalid"), file) from None


def load_boundaries(
    level: Level = "desa",
    region: RegionArg = None,
    *,
    source: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
) -> gpd.GeoDataFrame:
    """Load desa/kelurahan, kecamatan or kabupaten polygons of OKI and Palembang.

    Builds the boundary pack into the cache on first use; a cached file is read only
    after its SHA-256 matches the one recorded at build time (see :func:`build_pack`).

    Parameters
    ----------
    level : {"desa", "kecamatan", "kabupaten"}
        Administrative level.
    region : str, optional
        ``"oki"``/``"16.02"``/``"Ogan Komering Ilir"`` or ``"palembang"``/``"16.71"``;
        ``None`` for both.
    source : path-like, optional
        Local copy of the upstream files, as in :func:`build_pack`.
    settings : Settings, optional
        Cache directory and source defaults.

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
    codes = resolve_region(region)
    settings = settings or Settings()
    info = build_pack(source=source, settings=settings)
    name = f"{level}.parquet"
    try:
        frame = _read_level(str(info.path / name), info.checksums[name])
    except _DamagedFileError as exc:  # changed after the check: rebuild and read again
        info = _build(info.path, source, settings, [exc.check])
        try:
            frame = _read_level(str(info.path / name), info.checksums[name])
        except _DamagedFileError as again:
            state = again.check.describe(settings.lang)
            msg = tr(MESSAGES, "still_damaged", settings.lang, file=info.path / name, state=state)
            raise BoundaryError(msg) from None
    key = "code" if level == "kabupaten" else "kabupaten_code"
    out = frame[frame[key].isin(codes)].reset_index(drop=True)
    return out.copy()
