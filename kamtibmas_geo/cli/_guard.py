"""What stands between a user's mistake and a traceback.

Three jobs, all on the command line as typed, before and around a command:

- :func:`parse_lang` finds ``--lang`` anywhere on the line (``geocode F --lang en`` works
  like ``--lang en geocode F``), refuses an unknown language, and moves the option to
  the front, where the root command reads it.
- :func:`find_inputs` lists every existing file the line names outside the output
  options, so that no output ever overwrites an input (checked at once for ``--out``
  and friends, and again by every writer for the files a command derives).
- :func:`explain` turns any exception into one line for staff, in Indonesian by default:
  our own errors, Click's usage errors, and operating-system errors (missing file,
  folder, permission, full disk). Anything else is a bug: one line that says so and
  where the details were written, never a traceback on screen.
"""

import os
import re
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kamtibmas_geo._errors import KamtibmasGeoError
from kamtibmas_geo._i18n import tr

__all__ = ["OUTPUT_OPTIONS", "CommandLineError", "explain", "find_inputs", "parse_lang"]

#: Options whose value is a file or folder the command writes.
OUTPUT_OPTIONS = ("--out", "--html", "--png", "--review", "--partitioned")

MESSAGES = {
    "bad_lang": {
        "id": "Bahasa {value!r} tidak dikenal; gunakan --lang id (Bahasa Indonesia) atau "
        "--lang en (English).",
        "en": "Unknown language {value!r}; use --lang id (Bahasa Indonesia) or --lang en "
        "(English).",
    },
    "lang_value": {
        "id": "Opsi --lang perlu nilai: id atau en.",
        "en": "The option --lang needs a value: id or en.",
    },
    "help_hint": {
        "id": "Lihat 'kamtibmas-geo {cmd}--help'.",
        "en": "See 'kamtibmas-geo {cmd}--help'.",
    },
    "no_such_option": {"id": "Opsi {name} tidak dikenal.", "en": "Unknown option {name}."},
    "did_you_mean": {"id": "Mungkin maksudnya {names}?", "en": "Did you mean {names}?"},
    "no_such_command": {
        "id": "Perintah {name!r} tidak dikenal.",
        "en": "Unknown command {name!r}.",
    },
    "missing_argument": {
        "id": "Argumen wajib {name} belum diberikan.",
        "en": "The required argument {name} is missing.",
    },
    "missing_option": {
        "id": "Opsi wajib {name} belum diberikan.",
        "en": "The required option {name} is missing.",
    },
    "bad_value": {
        "id": "Nilai tidak sah untuk {name}: {reason}",
        "en": "Invalid value for {name}: {reason}",
    },
    "not_integer": {
        "id": "{value} bukan bilangan bulat.",
        "en": "{value} is not a whole number.",
    },
    "not_float": {"id": "{value} bukan angka.", "en": "{value} is not a number."},
    "not_choice": {
        "id": "{value} bukan salah satu dari {choices}.",
        "en": "{value} is not one of {choices}.",
    },
    "not_in_range": {
        "id": "{value} di luar rentang {range}.",
        "en": "{value} is outside the range {range}.",
    },
    "not_boolean": {"id": "{value} bukan ya/tidak.", "en": "{value} is not yes/no."},
    "needs_value": {
        "id": "Opsi {name} perlu sebuah nilai.",
        "en": "The option {name} needs a value.",
    },
    "extra_args": {
        "id": "Argumen berlebih: {args}.",
        "en": "Unexpected extra argument(s): {args}.",
    },
    "usage": {"id": "Perintah tidak lengkap atau salah: {msg}", "en": "Usage error: {msg}"},
    "not_found": {
        "id": "Berkas atau folder {path!r} tidak ada; periksa jalurnya.",
        "en": "The file or folder {path!r} does not exist; check the path.",
    },
    "is_dir": {
        "id": "{path!r} adalah folder, bukan berkas; berikan nama berkas.",
        "en": "{path!r} is a folder, not a file; give a file name.",
    },
    "not_dir": {
        "id": "Jalur {path!r} melewati sesuatu yang bukan folder; periksa jalurnya.",
        "en": "The path {path!r} goes through something that is not a folder; check it.",
    },
    "permission": {
        "id": "Tidak ada izin untuk {path!r}; pilih folder lain atau periksa izin berkas.",
        "en": "No permission for {path!r}; choose another folder or check the permissions.",
    },
    "no_space": {
        "id": "Disk penuh saat menulis {path!r}; kosongkan ruang lalu ulangi.",
        "en": "The disk is full while writing {path!r}; free some space and retry.",
    },
    "os_other": {
        "id": "Galat sistem pada {path!r}: {reason}.",
        "en": "System error on {path!r}: {reason}.",
    },
    "interrupted": {"id": "Dibatalkan.", "en": "Cancelled."},
    "internal": {
        "id": "Kesalahan internal program (bukan kesalahan Anda): {kind}: {msg}. Rincian "
        "ditulis ke {log}; mohon laporkan ke pengembang.",
        "en": "Internal error in the program (not your mistake): {kind}: {msg}. Details "
        "were written to {log}; please report it to the developers.",
    },
}


class CommandLineError(KamtibmasGeoError, ValueError):
    """The command line itself is wrong (an unknown ``--lang``, an option without value)."""


def parse_lang(argv: Sequence[str]) -> tuple[str, list[str]]:
    """Find ``--lang`` anywhere on the line and move it to the front.

    Parameters
    ----------
    argv : sequence of str
        The arguments as typed (without the program name).

    Returns
    -------
    lang : {"id", "en"}
        The language (``KAMTIBMAS_GEO_LANG`` when the line has none; Indonesian by default).
    args : list of str
        The arguments with ``--lang`` moved to the front.

    Raises
    ------
    CommandLineError
        For a language other than Indonesian or English, or ``--lang`` without value.
    """
    value = os.environ.get("KAMTIBMAS_GEO_LANG", "id")
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        if arg == "--lang":
            if i + 1 >= len(argv):
                raise CommandLineError(tr(MESSAGES, "lang_value", "id"))
            value = argv[i + 1]
            i += 2
            continue
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    lang = {"id": "id", "in": "id", "indonesia": "id", "en": "en", "english": "en"}.get(
        value.strip().lower()
    )
    if lang is None:
        raise CommandLineError(tr(MESSAGES, "bad_lang", "id", value=value))
    return lang, ["--lang", lang, *rest]


def find_inputs(argv: Sequence[str]) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """Split the paths named on the line into inputs and outputs.

    Parameters
    ----------
    argv : sequence of str
        The arguments as typed.

    Returns
    -------
    inputs : tuple of Path
        Every existing file named outside the output options.
    outputs : tuple of Path
        The values of the output options (:data:`OUTPUT_OPTIONS`).
    """
    inputs: list[Path] = []
    outputs: list[Path] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, _, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in OUTPUT_OPTIONS:
            value = inline or (argv[i + 1] if i + 1 < len(argv) and not inline else "")
            if value:
                outputs.append(Path(value))
            i += 1 if inline else 2
            continue
        candidate = inline if inline else arg
        if candidate and not candidate.startswith("-"):
            for piece in candidate.split(","):
                if _is_file(piece):
                    inputs.append(Path(piece))
        i += 1
    return tuple(inputs), tuple(outputs)


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def _is(exc: BaseException, *names: str) -> bool:
    """Whether ``exc`` is one of Click's exceptions named ``names``.

    Typer ships its own copy of Click (``typer._click``) besides the ``click`` package, so
    the classes are recognised by name along the class hierarchy, not by identity.
    """
    return any(cls.__name__ in names for cls in type(exc).__mro__)


def _command_of(exc: Any) -> str:
    ctx = getattr(exc, "ctx", None)
    if ctx is None or ctx.parent is None:
        return ""
    return f"{ctx.info_name} "


def _option_name(param: Any, fallback: str) -> str:
    if param is None:
        return fallback
    opts = [o for o in getattr(param, "opts", None) or [] if str(o).startswith("-")]
    if opts:
        return str(max(opts, key=len))
    name = (
        getattr(param, "metavar", None)
        or getattr(param, "human_readable_name", None)
        or getattr(param, "name", None)
    )
    return str(name or fallback).upper()


def _is_option(param: Any) -> bool:
    return type(param).__name__.endswith("Option") or any(
        str(o).startswith("-") for o in getattr(param, "opts", None) or []
    )


def _reason(message: str, lang: str) -> str:
    """Translate Click's value messages (int, float, choice, range, boolean)."""
    patterns = (
        (r"^(?P<value>.+?) is not a valid integer( range)?\.$", "not_integer"),
        (r"^(?P<value>.+?) is not a valid float( range)?\.$", "not_float"),
        (r"^(?P<value>.+?) is not one of (?P<choices>.+?)\.$", "not_choice"),
        (r"^(?P<value>.+?) is not in the range (?P<range>.+?)\.$", "not_in_range"),
        (r"^(?P<value>.+?) is not a valid boolean.*$", "not_boolean"),
        (r"^Input should be a valid integer.*$", "not_integer"),
        (r"^Input should be a valid number.*$", "not_float"),
        (r"^Input should be a valid boolean.*$", "not_boolean"),
    )
    for pattern, key in patterns:
        match = re.match(pattern, message.strip(), flags=re.DOTALL)
        if match:
            values = {"value": "", "choices": "", "range": "", **match.groupdict()}
            return " ".join(tr(MESSAGES, key, lang, **values).split())
    return message


def _click_line(exc: Any, lang: str) -> str:
    """One line for a Click usage error, in ``lang``."""
    if _is(exc, "NoSuchOption"):
        text = tr(MESSAGES, "no_such_option", lang, name=exc.option_name)
        if exc.possibilities:
            names = ", ".join(sorted(exc.possibilities))
            text += " " + tr(MESSAGES, "did_you_mean", lang, names=names)
    elif _is(exc, "MissingParameter"):
        name = _option_name(exc.param, "?")
        key = "missing_option" if _is_option(exc.param) else "missing_argument"
        text = tr(MESSAGES, key, lang, name=name)
    elif _is(exc, "BadParameter"):
        name = _option_name(exc.param, str(exc.param_hint or "?"))
        reason = _reason(exc.message, lang)
        value = _bad_input(exc)
        if value is not None and repr(value) not in reason:
            reason = f"{value!r}: {reason}"
        text = tr(MESSAGES, "bad_value", lang, name=name, reason=reason)
    else:
        text = _usage_line(exc.message, lang)
    hint = tr(MESSAGES, "help_hint", lang, cmd=_command_of(exc))
    return f"{text} {hint}"


def _bad_input(exc: BaseException) -> object:
    """Return the value that failed validation, when the validator kept it."""
    errors = getattr(exc.__cause__, "errors", None)
    try:
        first = errors()[0] if callable(errors) else None
    except Exception:
        return None
    return first.get("input") if isinstance(first, dict) else None


def _usage_line(message: str, lang: str) -> str:
    match = re.match(r"^No such command '(?P<name>.+)'\.$", message)
    if match:
        return tr(MESSAGES, "no_such_command", lang, name=match["name"])
    match = re.match(r"^Option '(?P<name>.+)' requires (an argument|\d+ arguments)\.$", message)
    if match:
        return tr(MESSAGES, "needs_value", lang, name=match["name"])
    match = re.match(r"^Got unexpected extra argument(s|\(s\))? \((?P<args>.+)\)$", message)
    if match:
        return tr(MESSAGES, "extra_args", lang, args=match["args"])
    return tr(MESSAGES, "usage", lang, msg=message)


def _os_line(exc: OSError, lang: str) -> str:
    import errno

    path = exc.filename if exc.filename is not None else "?"
    if isinstance(exc, FileNotFoundError):
        return tr(MESSAGES, "not_found", lang, path=str(path))
    if isinstance(exc, IsADirectoryError):
        return tr(MESSAGES, "is_dir", lang, path=str(path))
    if isinstance(exc, NotADirectoryError):
        return tr(MESSAGES, "not_dir", lang, path=str(path))
    if isinstance(exc, PermissionError):
        return tr(MESSAGES, "permission", lang, path=str(path))
    if exc.errno == errno.ENOSPC:
        return tr(MESSAGES, "no_space", lang, path=str(path))
    return tr(MESSAGES, "os_other", lang, path=str(path), reason=exc.strerror or exc)


def _internal_line(exc: BaseException, lang: str) -> str:
    """Write the traceback to a log file and return one line that points at it."""
    fd, log = tempfile.mkstemp(prefix="kamtibmas-geo-galat-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(traceback.format_exception(exc)))
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return tr(MESSAGES, "internal", lang, kind=type(exc).__name__, msg=first, log=log)


def explain(exc: BaseException, lang: str) -> tuple[str, int]:
    """Return the one line staff see for ``exc``, and the exit code.

    Parameters
    ----------
    exc : BaseException
        What went wrong.
    lang : {"id", "en"}
        Language of the line.

    Returns
    -------
    line : str
        One line of text (no markup).
    code : int
        2 for a user's mistake, 130 when cancelled, 1 for an internal error.
    """
    if isinstance(exc, KamtibmasGeoError):
        return " ".join(exc.text(lang).split()), 2
    if _is(exc, "ClickException"):
        try:
            return _click_line(exc, lang), 2
        except Exception:  # a Click version we do not know: its own words, still one line
            return tr(MESSAGES, "usage", lang, msg=" ".join(str(exc).split())), 2
    if isinstance(exc, KeyboardInterrupt) or _is(exc, "Abort"):
        return tr(MESSAGES, "interrupted", lang), 130
    if isinstance(exc, OSError):
        return _os_line(exc, lang), 2
    return _internal_line(exc, lang), 1
