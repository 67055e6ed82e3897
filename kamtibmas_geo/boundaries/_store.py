"""The boundary packs on disk: where each lives, what proves it, and how it is (re)built.

A pack is a folder in the cache holding ``desa.parquet``, ``kecamatan.parquet``,
``kabupaten.parquet``, ``meta.json`` and ``SHA256SUMS`` (see
:mod:`kamtibmas_geo.boundaries._integrity`). The default pack (OKI and Palembang) lives in
``pack-<key>``, as it always has; each other kabupaten/kota of Sumatera Selatan in
``kab-<code>-<key>`` (``kab-1603-…`` for Muara Enim). The key is a SHA-256 of the builder
version and the pinned sources the pack is built from, so a new upstream or builder gets a
new folder and never reads an old one.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from kamtibmas_geo._errors import BoundaryError, CacheRepairWarning
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.boundaries._build import KEL_KEYS, build_frames, missing_villages_of
from kamtibmas_geo.boundaries._integrity import (
    SUMS_NAME,
    FileCheck,
    format_sums,
    parse_sums,
    remove_stale_temps,
    verify_listed,
    write_atomic,
)
from kamtibmas_geo.boundaries._regions import DEFAULT_CODES
from kamtibmas_geo.boundaries._sources import cache_root, manifest, obtain
from kamtibmas_geo.boundaries._sources import source_dir as find_source_dir
from kamtibmas_geo.config import Settings

__all__ = [
    "BUILDER_VERSION",
    "LEVELS",
    "PACK_FILES",
    "DamagedFileError",
    "Level",
    "PackInfo",
    "build_into",
    "inspect_pack",
    "levels_digest",
    "pack_codes",
    "pack_dir",
    "pack_info_of",
    "source_keys",
]

#: Version of the pack builder; a change forces a rebuild of cached packs.
BUILDER_VERSION = "2"

Level = Literal["desa", "kecamatan", "kabupaten"]
LEVELS: tuple[Level, ...] = ("desa", "kecamatan", "kabupaten")

#: The pack's files, each listed with its SHA-256 in ``SHA256SUMS`` beside them.
PACK_FILES: tuple[str, ...] = (*(f"{lvl}.parquet" for lvl in LEVELS), "meta.json")

#: Manifest files the default pack is keyed on (as before the province was added).
_DEFAULT_KEYS = ("kab", "kec", "kel_oki", "kel_palembang", "names", "area", "population")
#: Manifest files with the official facts every pack reads.
_FACT_KEYS = ("names", "area", "population")

MESSAGES = {
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
}


@dataclass(frozen=True, slots=True)
class PackInfo:
    """Where a built boundary pack lives, what it was built from, and its checksums.

    Attributes
    ----------
    path : Path
        Directory holding ``desa.parquet``, ``kecamatan.parquet``, ``kabupaten.parquet``,
        ``meta.json`` and ``SHA256SUMS``.
    meta : dict
        Builder version, source checksums and addresses, build time, raw overlap, the
        regions and the official villages without polygon (``missing_villages``).
    checksums : dict
        File name → SHA-256 recorded when the pack was built (``SHA256SUMS``).
    digest : str
        SHA-256 of the ``SHA256SUMS`` lines of the three level files: identifies the
        pack's exact geometry (derived caches record it; a rebuild that writes the same
        bytes keeps them).
    regions : tuple of str
        The kabupaten/kota codes the pack holds.
    """

    path: Path
    meta: dict[str, Any]
    checksums: dict[str, str]
    digest: str
    regions: tuple[str, ...] = DEFAULT_CODES


class DamagedFileError(BoundaryError):
    """A pack file failed its check while being read (internal: triggers a rebuild)."""

    def __init__(self, check: FileCheck, path: Path) -> None:
        super().__init__(f"{path}: {check.describe('en')}")
        self.check = check


def pack_codes(code: str) -> tuple[str, ...]:
    """Return the codes of the pack that holds kabupaten ``code`` (the default or its own)."""
    return DEFAULT_CODES if code in DEFAULT_CODES else (code,)


def source_keys(codes: tuple[str, ...]) -> tuple[str, ...]:
    """Return the manifest keys of the upstream files the pack of ``codes`` is built from."""
    if codes == DEFAULT_CODES:
        return _DEFAULT_KEYS
    return (*_FACT_KEYS, *(KEL_KEYS[c] for c in codes))


def _pack_key(codes: tuple[str, ...]) -> str:
    keys = source_keys(codes)
    h = hashlib.sha256()
    h.update(BUILDER_VERSION.encode())
    for src in manifest():
        if src.key in keys:
            h.update(f"{src.key}:{src.sha256}".encode())
    return h.hexdigest()[:16]


def pack_dir(settings: Settings, codes: tuple[str, ...] = DEFAULT_CODES) -> Path:
    """Return the cache folder of the pack of ``codes`` (see the module notes).

    Parameters
    ----------
    settings : Settings
        Where the cache is.
    codes : tuple of str
        :data:`DEFAULT_CODES`, or one other kabupaten/kota code.

    Returns
    -------
    Path
    """
    if codes == DEFAULT_CODES:
        return cache_root(settings) / f"pack-{_pack_key(codes)}"
    return (
        cache_root(settings)
        / f"kab-{'-'.join(c.replace('.', '') for c in codes)}-{_pack_key(codes)}"
    )


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
        or not isinstance(meta.get("missing_villages", []), list)
    ):
        return None
    return meta


def inspect_pack(folder: Path) -> tuple[list[FileCheck], bytes | None, dict[str, Any] | None]:
    """Check every pack file against ``SHA256SUMS``; return checks, the sums and the meta.

    Parameters
    ----------
    folder : Path
        The pack folder.

    Returns
    -------
    tuple
        One :class:`FileCheck` per pack file and ``SHA256SUMS``; the sums (``None`` if
        missing or invalid); the metadata (``None`` unless ``meta.json`` proves itself).
    """
    try:
        sums: bytes | None = (folder / SUMS_NAME).read_bytes()
        listed = parse_sums(sums) if sums is not None else None
        sums_check = FileCheck(SUMS_NAME, "ok")
        if listed is None or set(listed) != set(PACK_FILES):
            sums, sums_check = None, FileCheck(SUMS_NAME, "damaged", "invalid")
    except FileNotFoundError:
        sums, sums_check = None, FileCheck(SUMS_NAME, "missing", "missing")
    except OSError:
        sums, sums_check = None, FileCheck(SUMS_NAME, "damaged", "unreadable")
    checks = verify_listed(folder, sums, PACK_FILES)
    meta = None
    if checks[-1].state == "ok":
        meta = _read_meta(folder / "meta.json")
        if meta is None:
            checks[-1] = FileCheck("meta.json", "damaged", "invalid")
    return [*checks, sums_check], sums, meta


def levels_digest(checksums: dict[str, str]) -> str:
    """SHA-256 identifying a pack's geometry: the sums of its level files (not meta.json).

    Parameters
    ----------
    checksums : dict
        File name → SHA-256 of the pack's files.

    Returns
    -------
    str
    """
    levels = {name: checksums[name] for name in PACK_FILES if name.endswith(".parquet")}
    return hashlib.sha256(format_sums(levels)).hexdigest()


def pack_info_of(folder: Path, meta: dict[str, Any], sums: bytes) -> PackInfo:
    """Return the :class:`PackInfo` of a pack folder whose files proved themselves.

    Parameters
    ----------
    folder : Path
        The pack folder.
    meta : dict
        Its metadata.
    sums : bytes
        Its ``SHA256SUMS``.

    Returns
    -------
    PackInfo
    """
    checksums = parse_sums(sums) or {}
    regions = tuple(meta.get("regions") or DEFAULT_CODES)
    return PackInfo(folder, meta, checksums, levels_digest(checksums), regions)


def _listing(checks: Sequence[FileCheck], lang: str) -> str:
    return "; ".join(f"{c.name}: {c.describe(lang)}" for c in checks)


def _parquet_bytes(frame: gpd.GeoDataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _obtain(
    folder: Path,
    codes: tuple[str, ...],
    source: str | os.PathLike[str] | None,
    settings: Settings,
    damaged: list[FileCheck],
) -> dict[str, Path]:
    """Return the verified sources of the pack, or refuse to repair without them."""
    lang = settings.lang
    try:
        return obtain(
            find_source_dir(source, settings), cache_root(settings), lang, source_keys(codes)
        )
    except BoundaryError as exc:
        if not damaged:
            raise
        files = _listing(damaged, lang)
        msg = tr(MESSAGES, "refuse", lang, files=files, path=folder, reason=str(exc).rstrip("."))
        raise BoundaryError(msg) from None


def build_into(
    folder: Path,
    codes: tuple[str, ...],
    source: str | os.PathLike[str] | None,
    settings: Settings,
    damaged: list[FileCheck],
) -> PackInfo:
    """Build the pack of ``codes`` from the verified upstream into ``folder``.

    Parameters
    ----------
    folder : Path
        The pack folder (:func:`pack_dir`).
    codes : tuple of str
        The kabupaten/kota of the pack.
    source : path-like or None
        Local copy of the upstream files.
    settings : Settings
        Cache, source defaults and the language of messages.
    damaged : list of FileCheck
        Files found damaged (a repair: warned with :class:`CacheRepairWarning`, and
        refused when the upstream is not available).

    Returns
    -------
    PackInfo
    """
    paths = _obtain(folder, codes, source, settings, damaged)
    if damaged:
        msg = tr(
            MESSAGES, "repair", settings.lang, files=_listing(damaged, settings.lang), path=folder
        )
        warnings.warn(msg, CacheRepairWarning, stacklevel=3)
    frames = build_frames(paths, codes)
    blobs = {f"{lvl}.parquet": _parquet_bytes(frames[lvl]) for lvl in LEVELS}
    keys = source_keys(codes)
    meta = {
        "builder_version": BUILDER_VERSION,
        "built_at": pd.Timestamp.now(tz="UTC").isoformat(),
        "sources": [
            {"key": s.key, "url": s.url, "sha256": s.sha256} for s in manifest() if s.key in keys
        ],
        "regions": list(codes),
        "counts": {lvl: len(frames[lvl]) for lvl in LEVELS},
        "raw_overlap_km2": float(frames["kabupaten"]["raw_overlap_km2"].iloc[0]),
        "missing_villages": missing_villages_of(paths, frames["desa"], codes),
    }
    blobs["meta.json"] = json.dumps(meta, indent=2).encode("utf-8")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(folder)
        # the list of sums goes last: a build killed before it leaves a pack that fails its check
        sums = format_sums({name: write_atomic(folder / name, b) for name, b in blobs.items()})
        write_atomic(folder / SUMS_NAME, sums)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise BoundaryError(
            tr(MESSAGES, "cannot_write", settings.lang, path=folder, reason=reason)
        ) from None
    return pack_info_of(folder, meta, sums)
