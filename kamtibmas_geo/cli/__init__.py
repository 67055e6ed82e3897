"""The ``kamtibmas-geo`` command line: thin wrappers over the pipeline modules.

Help and messages are in Bahasa Indonesia by default and in English with ``--lang en``
(or ``KAMTIBMAS_GEO_LANG=en``). Because help texts are fixed when the commands are
declared, the language is read from the arguments first and the app is built for it.

Each command group lives in its own private module of this package with a
``register(app, lang)`` function, listed in :data:`COMMAND_MODULES`. A user mistake
(a :class:`~kamtibmas_geo.KamtibmasGeoError`) prints a one-line message and exits with
code 2, never a traceback.

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

from kamtibmas_geo._errors import KamtibmasGeoError, ProvisionalDateWarning
from kamtibmas_geo._i18n import tr
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
    "_demo",
    # one module a line, in the order of the pipeline
)

MESSAGES = {
    "warning": {"id": "Peringatan", "en": "Warning"},
    "provisional": {
        "id": "Tanggal resmi Kemenag untuk Ramadhan {year} H belum ada di tabel; dipakai "
        "kalender Umm al-Qura: 1 Ramadhan {start}, 1 Syawal {end}. Tanggal resmi bisa "
        "berbeda satu hari; setelah sidang isbat, berikan --ramadhan-start dan --idul-fitri.",
        "en": "The official Kemenag dates of Ramadhan {year} H are not in the table yet; "
        "using the Umm al-Qura calendar: 1 Ramadhan {start}, 1 Syawal {end}. The official "
        "date may differ by a day; once announced, pass --ramadhan-start and --idul-fitri.",
    },
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
        Where messages go.
    """

    lang: Language
    settings: Settings
    console: Console


def _lang_from_argv(argv: Sequence[str]) -> Language:
    lang: str = os.environ.get("KAMTIBMAS_GEO_LANG", "id")
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    return "en" if lang.lower().startswith("en") else "id"


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
        ctx.obj = CliState(lang=settings.lang, settings=settings, console=Console())

    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(app, lang)
    return app


def _warning_printer(lang: str) -> Callable[..., None]:
    """Return a ``warnings.showwarning`` that speaks to staff, not to developers."""
    console = Console(stderr=True)

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if isinstance(message, ProvisionalDateWarning):
            text = tr(
                MESSAGES,
                "provisional",
                lang,
                year=message.hijri_year,
                start=message.start,
                end=message.idul_fitri,
            )
        else:
            text = str(message)
        console.print(f"[yellow]{tr(MESSAGES, 'warning', lang)}:[/] {text}", soft_wrap=True)

    return show


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_from_argv(args)
    app = build_app(lang)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _warning_printer(lang)
            app(args=args, prog_name="kamtibmas-geo")
    except KamtibmasGeoError as exc:
        Console(stderr=True).print(
            f"[bold red]{tr(MESSAGES, 'error', lang)}:[/] {exc}", soft_wrap=True
        )
        raise SystemExit(2) from None
