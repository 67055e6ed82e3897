"""The ``kamtibmas-geo`` command line: thin wrappers over the pipeline modules.

Help and messages are in Bahasa Indonesia by default and in English with ``--lang en``
(or ``KAMTIBMAS_GEO_LANG=en``). Because help texts are fixed when the commands are
declared, the language is read from the arguments first and the app is built for it.

Each command group lives in its own private module of this package with a
``register(app, lang)`` function, listed in :data:`COMMAND_MODULES`. A user mistake
(a :class:`~kamtibmas_geo.KamtibmasGeoError`, a usage error, a missing file) prints one
line and exits with code 2, never a traceback (see :mod:`kamtibmas_geo.cli._guard`). The
console prints user text as it is: markup is off, so a desa named ``[Pemekaran]`` shows
as written.

These modules do not use ``from __future__ import annotations``: Typer reads the
annotations of the command functions at run time.
"""

import importlib
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.text import Text

from kamtibmas_geo._atomic import check_not_input, remove_stale_temps
from kamtibmas_geo._errors import ProvisionalDateWarning
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli._guard import explain, find_inputs, parse_lang
from kamtibmas_geo.config import Language, Settings

__all__ = ["COMMAND_MODULES", "CliState", "build_app", "main", "state"]

#: Private modules of this package that each add one command or command group.
COMMAND_MODULES: tuple[str, ...] = (
    "_boundaries",
    "_sample",
    "_geocode",
    "_hotspots",
    "_backtest",
    "_map",
    "_plan",
    "_scale",
    "_demo",
    # one module a line, in the order of the pipeline
)

MESSAGES = {
    "warning": {"id": "Peringatan", "en": "Warning"},
    "provisional": {
        "id": "Tanggal resmi Kemenag untuk Ramadhan {year} H belum ada di tabel; dipakai "
        "perkiraan menurut {how}: 1 Ramadhan {start}, "
        "1 Syawal {end}. Tanggal resmi bisa berbeda satu hari; setelah sidang isbat, berikan "
        "--ramadhan-start dan --idul-fitri.",
        "en": "The official Kemenag dates of Ramadhan {year} H are not in the table yet; "
        "using a prediction by {how}: 1 Ramadhan "
        "{start}, 1 Syawal {end}. The official date may differ by a day; once announced, "
        "pass --ramadhan-start and --idul-fitri.",
    },
    "how_mabims": {
        "id": "kriteria MABIMS yang dipakai Kemenag (tinggi hilal >= 3°, elongasi >= 6,4°)",
        "en": "the MABIMS criteria Kemenag applies (moon altitude >= 3°, elongation >= 6.4°)",
    },
    "how_ummalqura": {"id": "kalender Umm al-Qura", "en": "the Umm al-Qura calendar"},
    "app": {
        "id": "Analisis titik rawan kamtibmas dan perencanaan patroli untuk Binmas "
        "(Polres OKI, Polrestabes Palembang).",
        "en": "Public-order hotspot analysis and patrol planning for Binmas "
        "(Polres OKI, Polrestabes Palembang).",
    },
    "opt_lang": {"id": "Bahasa pesan: id atau en.", "en": "Language of messages: id or en."},
    "opt_source": {
        "id": "Folder salinan lokal berkas sumber batas wilayah (= KAMTIBMAS_GEO_SOURCE).",
        "en": "Folder with a local copy of the boundary source files (as KAMTIBMAS_GEO_SOURCE).",
    },
    "opt_cache": {
        "id": "Folder cache paket batas wilayah (sama dengan KAMTIBMAS_GEO_CACHE).",
        "en": "Cache folder of the boundary pack (as KAMTIBMAS_GEO_CACHE).",
    },
    "opt_config": {
        "id": "Berkas TOML pengaturan (resolusi, bobot, paruh waktu, radius...).",
        "en": "TOML settings file (resolution, weights, half-life, radius...).",
    },
    "error": {"id": "Galat", "en": "Error"},
}


@dataclass(frozen=True, slots=True)
class CliState:
    """Options shared by every command, set by the top-level callback.

    Attributes
    ----------
    lang : {"id", "en"}
        Language of messages.
    settings : Settings
        Pipeline settings (from ``--config`` and the global options).
    console : Console
        Where messages go (markup off: user text is printed as written).
    inputs : tuple of Path
        Every existing file named on the command line outside the output options; no
        output may overwrite one of them.
    """

    lang: Language
    settings: Settings
    console: Console
    inputs: tuple[Path, ...] = ()

    def guard(self, out: Path) -> Path:
        """Return ``out`` after checking that it overwrites no input of this run.

        Parameters
        ----------
        out : Path
            A file the command is about to write.

        Returns
        -------
        Path
            ``out`` unchanged.
        """
        check_not_input(out, self.inputs, self.lang)
        return out


def state(ctx: typer.Context) -> CliState:
    """Return the :class:`CliState` of a command's context.

    Parameters
    ----------
    ctx : typer.Context
        The command's context.

    Returns
    -------
    CliState
    """
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):  # pragma: no cover - set by the callback
        msg = "CLI state missing"
        raise TypeError(msg)
    return obj


def build_app(lang: Language = "id") -> typer.Typer:
    """Build the ``kamtibmas-geo`` Typer app with help texts in ``lang``.

    Parameters
    ----------
    lang : {"id", "en"}
        Language of help texts.

    Returns
    -------
    typer.Typer
    """
    app = typer.Typer(
        help=tr(MESSAGES, "app", lang),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root(
        ctx: typer.Context,
        lang_opt: Annotated[
            str, typer.Option("--lang", help=tr(MESSAGES, "opt_lang", lang))
        ] = lang,
        source: Annotated[
            Path | None, typer.Option("--source", help=tr(MESSAGES, "opt_source", lang))
        ] = None,
        cache_dir: Annotated[
            Path | None, typer.Option("--cache-dir", help=tr(MESSAGES, "opt_cache", lang))
        ] = None,
        config: Annotated[
            Path | None, typer.Option("--config", help=tr(MESSAGES, "opt_config", lang))
        ] = None,
    ) -> None:
        settings = Settings.from_toml(config) if config else Settings()
        changes: dict[str, object] = {"lang": "en" if lang_opt.startswith("en") else "id"}
        if source is not None:
            changes["source"] = str(source)
        if cache_dir is not None:
            changes["cache_dir"] = str(cache_dir)
        settings = settings.replace(**changes)
        argv = ctx.obj if isinstance(ctx.obj, list) else []
        inputs, _ = find_inputs(argv)
        ctx.obj = CliState(
            lang=settings.lang, settings=settings, console=Console(markup=False), inputs=inputs
        )

    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(app, lang)
    return app


def _warning_text(message: Warning | str, lang: str) -> str:
    """One line for a warning, in words for staff (the provisional-date warning translated)."""
    if isinstance(message, ProvisionalDateWarning):
        text = tr(
            MESSAGES,
            "provisional",
            lang,
            year=message.hijri_year,
            start=message.start,
            end=message.idul_fitri,
            how=tr(MESSAGES, "how_mabims" if message.source == "mabims" else "how_ummalqura", lang),
        )
    elif callable(getattr(message, "text", None)):  # warnings made with say(): both languages
        text = str(message.text(lang))  # type: ignore[union-attr]
    else:
        text = str(message)
    return " ".join(text.split())


def _collect_warnings(lang: str, into: list[str]) -> Callable[..., None]:
    """Return a ``warnings.showwarning`` that keeps each distinct warning's text in ``into``.

    The warnings are printed when the command has finished, after its own output; when it
    fails, only the one line of the error is printed (a warning about dates does not help
    someone whose file was not found).
    """

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        text = _warning_text(message, lang)
        if text not in into:
            into.append(text)

    return show


def _print_warnings(texts: list[str], lang: str) -> None:
    console = Console(stderr=True, markup=False)
    label = (f"{tr(MESSAGES, 'warning', lang)}: ", "yellow")
    for text in texts:
        console.print(Text.assemble(label, text), soft_wrap=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.

    Notes
    -----
    Like Click's standalone mode, it always ends with :class:`SystemExit`: code 0 on
    success. A mistake (ours or Click's usage errors, a missing or unreadable file, an output that
    would overwrite an input) ends with one line on standard error and exit code 2; an
    internal error with one line naming the log file that holds the details, and code 1.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    told: list[str] = []
    lang: Language = "en" if os.environ.get("KAMTIBMAS_GEO_LANG", "").startswith("en") else "id"
    try:
        lang_text, args = parse_lang(args)
        lang = "en" if lang_text == "en" else "id"
        _check_outputs(args, lang)
        app = build_app(lang)
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _collect_warnings(lang, told)
            code = app(args=args, prog_name="kamtibmas-geo", standalone_mode=False, obj=args)
    except BaseException as exc:  # every failure ends in one line, never a traceback
        if isinstance(exc, SystemExit):
            raise
        if type(exc).__name__ == "Exit":  # Click's normal end (after --help, say)
            _print_warnings(told, lang)
            raise SystemExit(getattr(exc, "exit_code", 0)) from None
        if type(exc).__name__ == "NoArgsIsHelpError":  # the bare command: show its help
            ctx = getattr(exc, "ctx", None)
            print(ctx.get_help() if ctx else "", file=sys.stderr)
            raise SystemExit(2) from None
        line, code = explain(exc, lang)
        label = (f"{tr(MESSAGES, 'error', lang)}: ", "bold red")
        Console(stderr=True, markup=False).print(Text.assemble(label, line), soft_wrap=True)
        raise SystemExit(code) from None
    _print_warnings(told, lang)
    raise SystemExit(code if isinstance(code, int) else 0)


def _check_outputs(args: Sequence[str], lang: Language) -> None:
    """Refuse an output option that names one of the line's inputs, before any work."""
    inputs, outputs = find_inputs(args)
    for out in outputs:
        check_not_input(out, inputs, lang, allow_dir=True)
        remove_stale_temps(out if out.is_dir() else out.parent)
