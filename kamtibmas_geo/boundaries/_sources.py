"""Where the boundary sources come from: the pinned manifest, a local copy or a download.

Every file named in ``data/boundaries/manifest.toml`` is taken from a local verbatim copy
(laid out as ``<repo>/<path>``) or downloaded with pooch, and its SHA-256 is checked against
the manifest either way; a mismatch raises :class:`~kamtibmas_geo.ChecksumError`.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kamtibmas_geo._errors import BoundaryError, ChecksumError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.config import Settings, env_folder

__all__ = ["Source", "cache_root", "manifest", "obtain", "sha256_of", "source_dir"]

MESSAGES = {
    "no_manifest": {
        "id": "Manifest batas wilayah (data/boundaries/manifest.toml) tidak ada di instalasi "
        "ini; pasang ulang kamtibmas_geo.",
        "en": "The boundary manifest (data/boundaries/manifest.toml) is missing from the "
        "installation.",
    },
    "no_pooch": {
        "id": "Mengunduh sumber batas wilayah memerlukan pooch: pip install pooch.",
        "en": "Downloading the boundary sources needs pooch: pip install pooch.",
    },
    "missing": {
        "id": "Berkas sumber {file} tidak ada di {folder!r}. Folder itu harus berisi salinan "
        "asli berkas upstream dengan susunan <repo>/<path> (lihat data/boundaries/README.md).",
        "en": "Source file {file} is missing from {folder!r}. The directory must hold verbatim "
        "copies laid out as <repo>/<path> (see data/boundaries/README.md).",
    },
    "mismatch": {
        "id": "Checksum tidak cocok untuk {path}: SHA-256-nya {digest}, manifest yang dipatok "
        "mengharapkan {expected}. Berkas itu bukan versi upstream yang dipatok; ganti dengan "
        "salinan asli {url}.",
        "en": "Checksum mismatch for {path}: SHA-256 is {digest}, the pinned manifest expects "
        "{expected}. The file is not the pinned upstream version; replace it with a verbatim "
        "copy of {url}.",
    },
    "download_mismatch": {
        "id": "{url} sudah diunduh tetapi SHA-256-nya tidak cocok dengan manifest: {err}",
        "en": "Downloaded {url} but its SHA-256 does not match the manifest: {err}",
    },
    "no_download": {
        "id": "Tidak dapat mengunduh {url} ({err}). Tanpa koneksi internet, arahkan "
        "KAMTIBMAS_GEO_SOURCE (atau --source / source=) ke salinan lokal berkas upstream.",
        "en": "Could not download {url} ({err}). Without a network connection, point "
        "KAMTIBMAS_GEO_SOURCE (or --source / source=) at a local verbatim copy of the "
        "upstream files.",
    },
}


@dataclass(frozen=True, slots=True)
class Source:
    """One pinned upstream file."""

    key: str
    repo: str
    path: str
    sha256: str
    url: str


def _manifest_path() -> Path:
    package = Path(__file__).resolve().parents[1]  # kamtibmas_geo/
    for candidate in (
        package / "data" / "boundary_manifest.toml",
        package.parent / "data" / "boundaries" / "manifest.toml",
    ):
        if candidate.is_file():
            return candidate
    raise BoundaryError.say(MESSAGES, "no_manifest")


@lru_cache(maxsize=1)
def manifest() -> tuple[Source, ...]:
    """Return the pinned upstream files of the manifest, in manifest order."""
    data = tomllib.loads(_manifest_path().read_text(encoding="utf-8"))
    repos = data["repos"]
    return tuple(
        Source(
            key=key,
            repo=entry["repo"],
            path=entry["path"],
            sha256=entry["sha256"],
            url=f"{repos[entry['repo']]['raw']}/{entry['path']}",
        )
        for key, entry in data["files"].items()
    )


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_root(settings: Settings) -> Path:
    """Return the cache folder: settings, then ``KAMTIBMAS_GEO_CACHE``, then platformdirs."""
    if settings.cache_dir:
        return Path(settings.cache_dir)
    env = env_folder("KAMTIBMAS_GEO_CACHE")
    if env is not None:
        return env
    import platformdirs

    return Path(platformdirs.user_cache_dir("kamtibmas_geo"))


def source_dir(source: str | os.PathLike[str] | None, settings: Settings) -> Path | None:
    """Return the local source copy: ``source``, settings, then ``KAMTIBMAS_GEO_SOURCE``."""
    chosen = source if source is not None else settings.source
    if chosen is None:
        return env_folder("KAMTIBMAS_GEO_SOURCE")
    return None if chosen is None else Path(chosen)


def obtain(
    source_dir: Path | None,
    cache: Path,
    lang: str = "id",
    keys: Collection[str] | None = None,
) -> dict[str, Path]:
    """Return verified local paths of the manifest files (all of them, or ``keys``).

    Parameters
    ----------
    source_dir : Path or None
        Local verbatim copy laid out as ``<repo>/<path>``; ``None`` downloads into
        ``cache / "downloads"``.
    cache : Path
        The cache folder.
    lang : {"id", "en"}
        Language of error messages.
    keys : collection of str, optional
        Only these manifest keys (a region's pack needs its own village file only).

    Returns
    -------
    dict
        Manifest key → path of a file whose SHA-256 matches the manifest.

    Raises
    ------
    BoundaryError
        A file is missing or cannot be downloaded.
    ChecksumError
        A file is not the pinned upstream version.
    """
    paths: dict[str, Path] = {}
    for src in manifest():
        if keys is not None and src.key not in keys:
            continue
        if source_dir is not None:
            path = source_dir / src.repo / src.path
            if not path.is_file():
                file = f"{src.repo}/{src.path}"
                raise BoundaryError(
                    tr(MESSAGES, "missing", lang, file=file, folder=str(source_dir))
                )
        else:
            path = _download(src, cache / "downloads", lang)
        digest = sha256_of(path)
        if digest != src.sha256:
            msg = tr(
                MESSAGES,
                "mismatch",
                lang,
                path=path,
                digest=digest,
                expected=src.sha256,
                url=src.url,
            )
            raise ChecksumError(msg)
        paths[src.key] = path
    return paths


def _download(src: Source, folder: Path, lang: str) -> Path:
    try:
        import pooch
    except ImportError as exc:  # pragma: no cover - pooch is a dependency
        raise BoundaryError.say(MESSAGES, "no_pooch") from exc
    folder.mkdir(parents=True, exist_ok=True)
    fname = f"{src.repo}__{src.path.replace('/', '__')}"
    try:
        got = pooch.retrieve(
            src.url, known_hash=f"sha256:{src.sha256}", fname=fname, path=folder, progressbar=False
        )
    except ValueError as exc:  # pooch raises ValueError on a hash mismatch
        raise ChecksumError(tr(MESSAGES, "download_mismatch", lang, url=src.url, err=exc)) from exc
    except Exception as exc:
        raise BoundaryError(tr(MESSAGES, "no_download", lang, url=src.url, err=exc)) from exc
    return Path(got)
