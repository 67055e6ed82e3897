"""SHA-256 proof of the files in the cache: the boundary pack and the caches derived from it.

Every file the library writes into its cache folder (``KAMTIBMAS_GEO_CACHE``) is written
atomically — a temporary file in the same folder, flushed to disk, then renamed over the
target — and its SHA-256 is recorded at the same time:

* the boundary pack lists its files in ``SHA256SUMS``, in the format of ``sha256sum``
  (so ``sha256sum -c SHA256SUMS`` run inside the pack folder checks it too);
* a derived cache ``X.parquet`` (region cells, cell ↔ unit crosswalks) has a sidecar
  ``X.parquet.sha256`` in the same format, naming its own SHA-256 and, on a line named
  ``pack``, the digest of the pack it was derived from.

A file is verified before it is used. Hashing is memoised per process on the file's
path, size, modification and change times and inode, so the pack (about 1 MB) is hashed
once per process and later checks cost a few ``stat`` calls. A temporary file left by a
killed run (name ``.<name>.kgtmp-<pid>.<token>.tmp``) is removed by the next write into
the folder once its process is gone (POSIX) or it is older than an hour (everywhere).

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> digest = write_atomic(folder / "a.txt", b"isi")
>>> sums = format_sums({"a.txt": digest})
>>> parse_sums(sums) == {"a.txt": digest}
True
>>> [c.state for c in verify_listed(folder, sums, ["a.txt"])]
['ok']
>>> _ = (folder / "a.txt").write_bytes(b"isi!")
>>> [(c.state, c.reason) for c in verify_listed(folder, sums, ["a.txt"])]
[('damaged', 'mismatch')]
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd

from kamtibmas_geo._atomic import TEMP_MARK, remove_stale_temps
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.boundaries._sources import sha256_of

__all__ = [
    "PACK_LINE",
    "SIDECAR_SUFFIX",
    "SUMS_NAME",
    "FileCheck",
    "FileState",
    "check_derived",
    "file_sha256",
    "format_sums",
    "load_derived",
    "parse_sums",
    "remove_stale_temps",
    "remove_stale_temps_once",
    "remove_with_sidecar",
    "save_derived",
    "verify_listed",
    "write_atomic",
]

#: Name of the list of SHA-256 sums of the pack's files.
SUMS_NAME = "SHA256SUMS"
#: Suffix of the SHA-256 sidecar of a derived cache file.
SIDECAR_SUFFIX = ".sha256"
#: Name of the sidecar line holding the digest of the pack a derived cache comes from.
PACK_LINE = "pack"

FileState = Literal["ok", "damaged", "missing"]

_LOG = logging.getLogger("kamtibmas_geo.cache")
_SUMS_LINE = re.compile(r"([0-9a-f]{64})  ([A-Za-z0-9][A-Za-z0-9._-]*)")

MESSAGES = {
    "ok": {"id": "utuh", "en": "ok"},
    "damaged": {"id": "rusak", "en": "damaged"},
    "missing": {"id": "hilang", "en": "missing"},
    "why_mismatch": {
        "id": "SHA-256 berbeda dari yang dicatat saat dibangun",
        "en": "SHA-256 differs from the one recorded at build time",
    },
    "why_unreadable": {"id": "tidak dapat dibaca", "en": "cannot be read"},
    "why_invalid": {"id": "isinya tidak sah", "en": "its content is not valid"},
    "why_unlisted": {
        "id": "tidak ada SHA-256 yang tercatat (SHA256SUMS hilang atau rusak)",
        "en": "no recorded SHA-256 (SHA256SUMS missing or damaged)",
    },
    "why_no_sidecar": {
        "id": "catatan SHA-256 (.sha256) hilang atau rusak",
        "en": "its SHA-256 record (.sha256) is missing or damaged",
    },
    "why_other_pack": {
        "id": "dibuat dari paket batas wilayah lain",
        "en": "derived from another boundary pack",
    },
    "why_missing": {"id": "berkas tidak ada", "en": "the file is not there"},
}


@dataclass(frozen=True, slots=True)
class FileCheck:
    """The integrity of one cache file.

    Attributes
    ----------
    name : str
        File name inside its folder.
    state : {"ok", "damaged", "missing"}
        ``"ok"``: its SHA-256 matches the record made when it was written.
    reason : str
        Why it is not ok: ``"mismatch"``, ``"unreadable"``, ``"invalid"``,
        ``"unlisted"``, ``"no_sidecar"``, ``"other_pack"`` or ``"missing"``; ``""`` if ok.
    """

    name: str
    state: FileState
    reason: str = ""

    def describe(self, lang: str = "id") -> str:
        """Return the state and reason as words for people.

        Parameters
        ----------
        lang : {"id", "en"}
            Language.

        Returns
        -------
        str
        """
        state = tr(MESSAGES, self.state, lang)
        if not self.reason or self.reason == "missing":
            return state
        return f"{state} ({tr(MESSAGES, 'why_' + self.reason, lang)})"


# --------------------------------------------------------------------------- hashing


@lru_cache(maxsize=1024)
def _digest(path: str, size: int, mtime_ns: int, ctime_ns: int, inode: int) -> str:
    return sha256_of(Path(path))


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, hashed once per process for each version of it.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    str
        Hex digest.

    Raises
    ------
    OSError
        If the file cannot be read.
    """
    st = path.stat()
    return _digest(str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def format_sums(digests: Mapping[str, str]) -> bytes:
    """Return ``digests`` in the ``sha256sum`` format, one file a line, sorted by name.

    Parameters
    ----------
    digests : mapping
        File name → hex SHA-256.

    Returns
    -------
    bytes
    """
    return "".join(f"{digests[name]}  {name}\n" for name in sorted(digests)).encode("ascii")


def parse_sums(data: bytes) -> dict[str, str] | None:
    """Read a ``sha256sum`` list strictly; ``None`` if any byte of it is out of place.

    Parameters
    ----------
    data : bytes
        Content written by :func:`format_sums`.

    Returns
    -------
    dict or None
        File name → hex SHA-256.
    """
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return None
    if not text.endswith("\n"):
        return None
    out: dict[str, str] = {}
    for line in text[:-1].split("\n"):
        match = _SUMS_LINE.fullmatch(line)
        if match is None or match[2] in out:
            return None
        out[match[2]] = match[1]
    return out


def verify_listed(folder: Path, sums: bytes | None, names: Iterable[str]) -> list[FileCheck]:
    """Check each of ``names`` in ``folder`` against the list ``sums``.

    Parameters
    ----------
    folder : Path
        Where the files are.
    sums : bytes or None
        Content of the ``sha256sum`` list (``None`` if it is missing or unreadable).
    names : iterable of str
        Files to check; each must be listed.

    Returns
    -------
    list of FileCheck
        One per name, in order.
    """
    listed = parse_sums(sums) if sums is not None else None
    checks = []
    for name in names:
        path = folder / name
        if not path.is_file():
            checks.append(FileCheck(name, "missing", "missing"))
        elif listed is None or name not in listed:
            checks.append(FileCheck(name, "damaged", "unlisted"))
        else:
            try:
                digest = file_sha256(path)
            except OSError:
                checks.append(FileCheck(name, "damaged", "unreadable"))
                continue
            ok = digest == listed[name]
            checks.append(FileCheck(name, "ok" if ok else "damaged", "" if ok else "mismatch"))
    return checks


# --------------------------------------------------------------------------- writing


@lru_cache(maxsize=64)
def _cleaned(folder: str) -> bool:
    remove_stale_temps(Path(folder))
    return True


def remove_stale_temps_once(folder: Path) -> None:
    """Run :func:`remove_stale_temps` on ``folder`` once per process.

    Parameters
    ----------
    folder : Path
        A cache folder.
    """
    _cleaned(str(folder))


def write_atomic(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` atomically and return its SHA-256.

    The bytes go to a new temporary file in the same folder, are flushed to disk and the
    file is renamed over ``path``: a reader sees the old file or the new one, never half
    of one. Stale temporary files of killed runs in the folder are removed first (once
    per process and folder).

    Parameters
    ----------
    path : Path
        Target file; its folder is created if needed.
    data : bytes
        Content.

    Returns
    -------
    str
        Hex SHA-256 of ``data``.

    Raises
    ------
    OSError
        If the folder cannot be written.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temps_once(folder)
    tmp = folder / f".{path.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- derived caches


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _derived_check(path: Path, pack_digest: str, data: bytes | None = None) -> FileCheck:
    """Check one derived file (``data``: its bytes if already read)."""
    if not path.is_file():
        return FileCheck(path.name, "missing", "missing")
    try:
        listed = parse_sums(_sidecar(path).read_bytes())
    except OSError:
        listed = None
    if listed is None or set(listed) != {path.name, PACK_LINE}:
        return FileCheck(path.name, "damaged", "no_sidecar")
    if listed[PACK_LINE] != pack_digest:
        return FileCheck(path.name, "damaged", "other_pack")
    try:
        digest = hashlib.sha256(data).hexdigest() if data is not None else file_sha256(path)
    except OSError:
        return FileCheck(path.name, "damaged", "unreadable")
    if digest != listed[path.name]:
        return FileCheck(path.name, "damaged", "mismatch")
    return FileCheck(path.name, "ok")


def load_derived(path: Path, pack_digest: str) -> pd.DataFrame | None:
    """Return a derived cache table if it is there and proves itself, else ``None``.

    A damaged, unreadable, unrecorded or outdated file is logged (logger
    ``kamtibmas_geo.cache``) and ``None`` is returned, so the caller rebuilds it.

    Parameters
    ----------
    path : Path
        The cached Parquet file.
    pack_digest : str
        Digest of the pack the cache must derive from (``PackInfo.digest``).

    Returns
    -------
    DataFrame or None
    """
    if not path.is_file():
        return None
    try:
        data = path.read_bytes()
    except OSError:
        data = None
    check = (
        FileCheck(path.name, "damaged", "unreadable")
        if data is None
        else _derived_check(path, pack_digest, data)
    )
    if check.state == "ok" and data is not None:
        try:
            return pd.read_parquet(io.BytesIO(data))
        except Exception:  # a recorded file that does not parse is damaged all the same
            check = FileCheck(path.name, "damaged", "invalid")
    _LOG.info("derived cache %s is %s (%s); rebuilding it", path, check.state, check.reason)
    return None


def save_derived(path: Path, frame: pd.DataFrame, pack_digest: str) -> None:
    """Write a derived cache table atomically with its SHA-256 sidecar.

    A folder that cannot be written is logged and skipped: the table is only a cache.

    Parameters
    ----------
    path : Path
        The Parquet file to write.
    frame : DataFrame
        The table.
    pack_digest : str
        Digest of the pack it derives from (``PackInfo.digest``).
    """
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    try:
        digest = write_atomic(path, buffer.getvalue())
        write_atomic(_sidecar(path), format_sums({path.name: digest, PACK_LINE: pack_digest}))
    except OSError as exc:
        _LOG.info("could not write derived cache %s (%s); continuing without it", path, exc)


def check_derived(folder: Path, pack_digest: str, exclude: Collection[str]) -> list[FileCheck]:
    """Check every derived cache file in a pack folder.

    Parameters
    ----------
    folder : Path
        The pack folder.
    pack_digest : str
        Digest of the pack (``PackInfo.digest``).
    exclude : collection of str
        Names of the pack's own files.

    Returns
    -------
    list of FileCheck
        One per ``*.parquet`` not in ``exclude``, sorted by name.
    """
    if not folder.is_dir():
        return []
    names = sorted(p.name for p in folder.glob("*.parquet") if p.name not in exclude)
    return [_derived_check(folder / name, pack_digest) for name in names]


def remove_with_sidecar(path: Path) -> None:
    """Delete a derived cache file and its sidecar (missing files are fine).

    Parameters
    ----------
    path : Path
        The cached Parquet file.
    """
    for target in (path, _sidecar(path)):
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
