"""Writing output files safely: never over an input, never half-written.

Every file the library or the command line writes goes through :func:`atomic_write`:
the content is written to a temporary file in the same folder and renamed over the
target only when complete, so a killed run never leaves a truncated file that looks
valid. A temporary file left by a run that was killed is removed the next time
anything is written into that folder (its process id is no longer alive). An output
path that is, or resolves to, one of the run's inputs is refused with
:class:`~kamtibmas_geo.OutputError`.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> with atomic_write(folder / "hasil.txt") as tmp:
...     _ = tmp.write_text("isi", encoding="utf-8")
>>> (folder / "hasil.txt").read_text(encoding="utf-8")
'isi'
>>> sorted(p.name for p in folder.iterdir())
['hasil.txt']
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from kamtibmas_geo._errors import KamtibmasGeoError, OutputError

__all__ = [
    "STALE_TEMP_SECONDS",
    "TEMP_MARK",
    "atomic_write",
    "check_not_input",
    "remove_stale_temps",
]

#: Part of the name of every temporary file: ``.<name>.kgtmp-<pid>-<token><suffix>``.
TEMP_MARK = ".kgtmp-"
#: A temporary file this old is stale even if its process id is in use again.
STALE_TEMP_SECONDS = 3600.0
_TEMP_PID = re.compile(rf"{re.escape(TEMP_MARK)}(\d+)")

MESSAGES = {
    "is_input": {
        "id": "Berkas hasil {out!r} sama dengan berkas masukan {inp!r}; masukan tidak "
        "pernah ditimpa. Pilih nama lain untuk hasil.",
        "en": "The output file {out!r} is the input file {inp!r}; inputs are never "
        "overwritten. Choose another name for the output.",
    },
    "is_dir": {
        "id": "Berkas hasil {out!r} adalah sebuah folder; berikan nama berkas.",
        "en": "The output {out!r} is a folder; give a file name.",
    },
    "cannot_write": {
        "id": "Tidak dapat menulis {out!r}: {reason_id}. Periksa izin tulis folder dan ruang disk.",
        "en": "Cannot write {out!r}: {reason_en}. Check the folder's write permission and "
        "free disk space.",
    },
}


#: Why a write failed, in words staff read (the operating system's own text is English).
_OS_REASONS = {
    errno.EACCES: ("tidak ada izin menulis", "permission denied"),
    errno.EPERM: ("tidak diizinkan", "operation not permitted"),
    errno.EROFS: ("disk hanya-baca", "read-only file system"),
    errno.ENOSPC: ("disk penuh", "no space left on device"),
    errno.EEXIST: ("sudah ada berkas dengan nama folder itu", "a file has the folder's name"),
    errno.ENOTDIR: ("bagian jalurnya adalah berkas, bukan folder", "part of the path is a file"),
    errno.ENOENT: ("foldernya tidak ada", "the folder does not exist"),
}


def _cannot_write(out: str | os.PathLike[str], exc: OSError) -> dict[str, str]:
    """Values of the ``cannot_write`` message: the path and the reason in both languages."""
    default = (f"galat sistem nomor {exc.errno}", str(exc.strerror or exc))
    reason_id, reason_en = _OS_REASONS.get(exc.errno or 0, default)
    return {"out": str(out), "reason_id": reason_id, "reason_en": reason_en}


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_not_input(
    out: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str]],
    lang: str = "id",
    *,
    allow_dir: bool = False,
) -> None:
    """Refuse an output path that is, or resolves to, one of ``inputs``.

    Parameters
    ----------
    out : path-like
        The output file about to be written.
    inputs : iterable of path-like
        Every file the run reads.
    lang : {"id", "en"}
        Language of the message.
    allow_dir : bool, default False
        Accept an existing folder (for outputs that are folders, such as the demo's).

    Raises
    ------
    OutputError
        If ``out`` names an input (also through a link or another spelling), or a folder
        (unless ``allow_dir``).
    """
    target = Path(out)
    for inp in inputs:
        if _same_file(target, Path(inp)):
            raise OutputError.say(MESSAGES, "is_input", out=str(out), inp=str(inp))
    if target.is_dir() and not allow_dir:
        raise OutputError.say(MESSAGES, "is_dir", out=str(out))


def _pid_gone(pid: int) -> bool:
    """Return True only when ``pid`` is surely not running on this machine (POSIX only).

    On Windows signal 0 would be ``CTRL_C_EVENT``, so no process is ever probed there; the
    age rule of :func:`remove_stale_temps` applies instead.
    """
    if os.name != "posix" or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def remove_stale_temps(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary files that a killed run left in ``folder``.

    A temporary file (its name holds :data:`TEMP_MARK` and the writer's process id) is
    stale when its process is gone (POSIX, same machine) or when it is older than
    :data:`STALE_TEMP_SECONDS`.

    Parameters
    ----------
    folder : path-like
        The folder about to receive an output.

    Returns
    -------
    list of Path
        The files removed.
    """
    removed: list[Path] = []
    base = Path(folder)
    if not base.is_dir():
        return removed
    now = time.time()
    for path in sorted(base.glob(f".*{TEMP_MARK}*")):
        match = _TEMP_PID.search(path.name)
        if match is None:
            continue
        try:
            old = now - path.stat().st_mtime > STALE_TEMP_SECONDS
        except OSError:
            continue
        if old or _pid_gone(int(match[1])):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


@contextlib.contextmanager
def atomic_write(
    out: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    lang: str = "id",
) -> Iterator[Path]:
    """Yield a temporary path beside ``out``; rename it over ``out`` when the block succeeds.

    Parameters
    ----------
    out : path-like
        The file to write. Its folder is created if needed.
    inputs : iterable of path-like, optional
        Files the run reads; ``out`` may be none of them.
    lang : {"id", "en"}
        Language of error messages.

    Yields
    ------
    Path
        Where to write. It keeps the suffix of ``out``, so writers that choose a format
        by extension work unchanged.

    Raises
    ------
    OutputError
        If ``out`` is an input or a folder, or the folder cannot be written.
    """
    target = Path(out)
    check_not_input(target, inputs, lang)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError.say(MESSAGES, "cannot_write", **_cannot_write(out, exc)) from None
    remove_stale_temps(target.parent)
    token = secrets.token_hex(4)
    tmp = target.with_name(f".{target.stem}{TEMP_MARK}{os.getpid()}-{token}{target.suffix}")
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        if isinstance(exc, KamtibmasGeoError):  # the writer's own clear message: keep it
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OutputError.say(MESSAGES, "cannot_write", **_cannot_write(out, exc)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
