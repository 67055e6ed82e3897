"""``kamtibmas-geo map``: the patrol-planning map of scored cells as one HTML file."""

from pathlib import Path
from typing import Annotated, Any

import typer

from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import state
from kamtibmas_geo.cli._format import count, num
from kamtibmas_geo.cli._io import (
    ReadOptions,
    columns_line,
    columns_option,
    read_place_file,
    read_placed,
    sheet_option,
    text_column_option,
)
from kamtibmas_geo.config import Language

MESSAGES = {
    "cmd_map": {
        "id": "Buat peta HTML titik rawan (sel skor, kejadian, kegiatan, Poskamling) yang "
        "bisa dibuka tanpa internet.",
        "en": "Make the HTML hotspot map (score cells, incidents, activities, Poskamling) "
        "that opens without internet.",
    },
    "arg_cells": {
        "id": "Berkas sel skor dari `hotspots` (.parquet, .gpkg, .geojson, .csv dengan hex_id).",
        "en": "Score cells from `hotspots` (.parquet, .gpkg, .geojson, .csv with hex_id).",
    },
    "opt_records": {"id": "Berkas titik gangguan.", "en": "Disturbance points file."},
    "opt_activities": {"id": "Berkas titik kegiatan Binmas.", "en": "Binmas activity points."},
    "opt_posts": {"id": "Berkas Poskamling yang ada.", "en": "Existing Poskamling file."},
    "opt_proposed": {"id": "Berkas Poskamling usulan.", "en": "Proposed Poskamling file."},
    "opt_warnings": {
        "id": "Berkas informasi dini (jenis early_warning): lapisan 'Informasi dini' dengan "
        "peran pelapor, tanpa nama atau kontak.",
        "en": "Early-warning file (kind early_warning): the 'Early warnings' layer with the "
        "reporter's role, never name or contact.",
    },
    "opt_min_reports": {
        "id": "Peta publik: informasi dini hanya per desa/kelurahan dengan sedikitnya sekian "
        "laporan.",
        "en": "Public map: early warnings only per desa/kelurahan with at least this many reports.",
    },
    "opt_as_of": {
        "id": "Tanggal lapisan informasi dini (YYYY-MM-DD [HH:MM]); bawaan: laporan terbaru.",
        "en": "Date of the early-warning layer (YYYY-MM-DD [HH:MM]); default: newest report.",
    },
    "opt_out": {"id": "Berkas HTML tujuan.", "en": "Output HTML file."},
    "opt_public": {
        "id": "Peta publik: tanpa titik individu, data pribadi, dan sel < k kejadian.",
        "en": "Public map: no individual points, personal data, or cells with < k incidents.",
    },
    "opt_online": {
        "id": "Muat Leaflet dari CDN (berkas lebih kecil, perlu internet).",
        "en": "Load Leaflet from the CDN (smaller file, needs internet).",
    },
    "opt_tiles": {
        "id": "Peta dasar, mis. OpenStreetMap (perlu internet); tanpa ini batas wilayah "
        "menjadi dasar.",
        "en": "Base map, e.g. OpenStreetMap (needs internet); without it the boundaries are "
        "the base.",
    },
    "opt_no_boundaries": {"id": "Tanpa batas wilayah.", "en": "Without boundaries."},
    "opt_png": {
        "id": "Simpan juga gambar PNG (judul dan legenda, tanpa tombol).",
        "en": "Also save a PNG picture (title and legend, no buttons).",
    },
    "opt_per_polsek": {
        "id": "Simpan satu gambar PNG per Polsek ke folder ini.",
        "en": "Save one PNG picture per Polsek into this folder.",
    },
    "opt_polsek": {
        "id": "Pemetaan kecamatan ke Polsek (CSV/XLSX dengan kolom kecamatan, polsek); "
        "tanpa ini satu Polsek per kecamatan.",
        "en": "Kecamatan to Polsek mapping (CSV/XLSX with columns kecamatan, polsek); "
        "without it one Polsek per kecamatan.",
    },
    "opt_title": {"id": "Judul peta.", "en": "Map title."},
    "opt_target": {
        "id": "Periode sasaran yang ditulis di judul, mis. 'Ramadhan 1448 H'.",
        "en": "Target period written in the title, e.g. 'Ramadhan 1448 H'.",
    },
    "pngs": {
        "id": "{n} gambar per Polsek ditulis ke {path}.",
        "en": "{n} pictures per Polsek written to {path}.",
    },
    "reading": {"id": "Membaca berkas…", "en": "Reading files…"},
    "drawing": {"id": "Menggambar peta…", "en": "Drawing the map…"},
    "no_file": {
        "id": "Berkas {path!r} tidak ada; periksa jalur dan nama berkasnya.",
        "en": "The file {path!r} does not exist; check the path and the file name.",
    },
    "bad_file": {
        "id": "Berkas {path!r} tidak bisa dibaca: {reason}. Gunakan .parquet, .gpkg, "
        ".geojson, .csv atau .xlsx.",
        "en": "Cannot read {path!r}: {reason}. Use .parquet, .gpkg, .geojson, .csv or .xlsx.",
    },
    "done": {
        "id": "Peta ditulis ke {path} ({size} MB, {n} sel{mode}).",
        "en": "Map written to {path} ({size} MB, {n} cells{mode}).",
    },
    "public": {"id": ", publik", "en": ", public"},
    "warnings": {
        "id": "Informasi dini di peta: {open} belum ditindaklanjuti, {answered} "
        "ditindaklanjuti oleh kegiatan Binmas, {followed_up} ditindaklanjuti (status), "
        "{unfounded} tidak terbukti.",
        "en": "Early warnings on the map: {open} not followed up, {answered} answered by "
        "Binmas activity, {followed_up} followed up (status), {unfounded} unfounded.",
    },
    "warnings_public": {
        "id": "Peta publik: informasi dini hanya per desa/kelurahan dengan sedikitnya {k} "
        "laporan ({n} desa/kelurahan).",
        "en": "Public map: early warnings only per desa/kelurahan with at least {k} reports "
        "({n} desa/kelurahan).",
    },
    "png": {"id": "Gambar ditulis ke {path}.", "en": "Picture written to {path}."},
}


def _read(path: Path, lang: Language) -> object:
    import geopandas as gpd
    import pandas as pd

    ext = path.suffix.lower()
    if not path.is_file():
        raise ScoreError(tr(MESSAGES, "no_file", lang, path=str(path)))
    try:
        if ext in (".parquet", ".geoparquet"):
            try:
                return gpd.read_parquet(path)
            except ValueError:
                return pd.read_parquet(path)
        if ext in (".gpkg", ".geojson", ".json", ".shp", ".fgb"):
            return gpd.read_file(path)
        if ext == ".csv":
            return pd.read_csv(path)
        if ext in (".xlsx", ".xls"):
            return pd.read_excel(path)
    except (OSError, ValueError) as exc:
        raise ScoreError(tr(MESSAGES, "bad_file", lang, path=str(path), reason=exc)) from None
    raise ScoreError(tr(MESSAGES, "bad_file", lang, path=str(path), reason=ext or "?"))


#: Inputs read by the library's reader: places always; records from tables people keep.
_TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


def _by_reader(key: str, path: Path) -> bool:
    """Return whether an input goes through the library's reader (and takes ``--columns``)."""
    return key in {"posts", "proposed"} or (
        key in {"records", "activities", "warnings"} and path.suffix.lower() in _TABLE_SUFFIXES
    )


def _read_input(key: str, path: Path, st: Any, reading: ReadOptions) -> object:
    """Read one input with the reader it needs.

    Posts go through the one reader of places; records typed by people (CSV, XLSX)
    through the reader of records (their own coordinates only; early warnings also placed
    by their address); the rest as the other commands wrote it.
    """
    if key in {"posts", "proposed"}:
        if not path.is_file():
            raise ScoreError(tr(MESSAGES, "no_file", st.lang, path=str(path)))
        return read_place_file(path, "posts", st.lang, reading)
    if _by_reader(key, path):
        kinds = {"records": "disturbance", "activities": "activity", "warnings": "early_warning"}
        kind = kinds[key]
        # warnings are often written with an address only: placed by the geocoder too
        own = key != "warnings"
        frame, _ = read_placed(
            path, kind, st.settings, st.lang, own=own, options=reading, strict=False
        )
        return frame
    return _read(path, st.lang)


def _warnings_line(m: Any, public: bool, k: int, lang: Language) -> str:
    """Say what the early-warning layer shows (states; desa kept on a public map)."""
    counts = getattr(m, "kg_warnings", None) or dict.fromkeys(
        ("open", "answered", "followed_up", "unfounded"), 0
    )
    if public:
        n = getattr(m, "kg_warning_desa", 0)
        return tr(MESSAGES, "warnings_public", lang, k=count(k, lang), n=count(n, lang))
    return tr(MESSAGES, "warnings", lang, **{key: count(v, lang) for key, v in counts.items()})


def _pictures(source: Any, png: Path | None, per_polsek: Path | None, st: Any) -> None:
    """Take the briefing picture and the per-Polsek pictures in one Chromium."""
    from kamtibmas_geo.render._png import open_chromium, save_png, save_polsek_pngs

    with open_chromium() as browser:
        if png is not None:
            save_png(source, png, browser=browser)
            st.console.print(tr(MESSAGES, "png", st.lang, path=png), soft_wrap=True)
        if per_polsek is not None:
            done = save_polsek_pngs(source, per_polsek, browser=browser)
            msg = tr(MESSAGES, "pngs", st.lang, n=count(len(done), st.lang), path=per_polsek)
            st.console.print(msg, soft_wrap=True)


def register(app: typer.Typer, lang: Language) -> None:
    """Add the ``map`` command to ``app``.

    Parameters
    ----------
    app : typer.Typer
        The root app.
    lang : {"id", "en"}
        Language of help texts.
    """

    @app.command("map", help=tr(MESSAGES, "cmd_map", lang))
    def _map(
        ctx: typer.Context,
        cells: Annotated[Path, typer.Argument(help=tr(MESSAGES, "arg_cells", lang))],
        out: Annotated[Path, typer.Option("--out", help=tr(MESSAGES, "opt_out", lang))],
        records: Annotated[
            Path | None, typer.Option("--records", help=tr(MESSAGES, "opt_records", lang))
        ] = None,
        activities: Annotated[
            Path | None,
            typer.Option("--activities", help=tr(MESSAGES, "opt_activities", lang)),
        ] = None,
        posts: Annotated[
            Path | None, typer.Option("--posts", help=tr(MESSAGES, "opt_posts", lang))
        ] = None,
        proposed: Annotated[
            Path | None, typer.Option("--proposed", help=tr(MESSAGES, "opt_proposed", lang))
        ] = None,
        public: Annotated[
            bool, typer.Option("--public", help=tr(MESSAGES, "opt_public", lang))
        ] = False,
        online: Annotated[
            bool, typer.Option("--online", help=tr(MESSAGES, "opt_online", lang))
        ] = False,
        tiles: Annotated[
            str | None, typer.Option("--tiles", help=tr(MESSAGES, "opt_tiles", lang))
        ] = None,
        no_boundaries: Annotated[
            bool,
            typer.Option("--no-boundaries", help=tr(MESSAGES, "opt_no_boundaries", lang)),
        ] = False,
        png: Annotated[
            Path | None, typer.Option("--png", help=tr(MESSAGES, "opt_png", lang))
        ] = None,
        per_polsek: Annotated[
            Path | None,
            typer.Option("--per-polsek", help=tr(MESSAGES, "opt_per_polsek", lang)),
        ] = None,
        polsek: Annotated[
            Path | None, typer.Option("--polsek", help=tr(MESSAGES, "opt_polsek", lang))
        ] = None,
        warnings: Annotated[
            Path | None, typer.Option("--warnings", help=tr(MESSAGES, "opt_warnings", lang))
        ] = None,
        min_reports: Annotated[
            int,
            typer.Option("--min-reports", min=1, help=tr(MESSAGES, "opt_min_reports", lang)),
        ] = 3,
        as_of: Annotated[
            str | None, typer.Option("--as-of", help=tr(MESSAGES, "opt_as_of", lang))
        ] = None,
        title: Annotated[
            str | None, typer.Option("--title", help=tr(MESSAGES, "opt_title", lang))
        ] = None,
        target: Annotated[
            str | None, typer.Option("--target", help=tr(MESSAGES, "opt_target", lang))
        ] = None,
        sheet: Annotated[str | None, sheet_option(lang)] = None,
        text_column: Annotated[str | None, text_column_option(lang)] = None,
        columns: Annotated[str | None, columns_option(lang)] = None,
    ) -> None:
        from kamtibmas_geo.render._map import MapOptions, render_map

        st = state(ctx)
        reading = ReadOptions.parse(sheet, text_column, columns)
        inputs = {
            "cells": cells,
            "records": records,
            "activities": activities,
            "posts": posts,
            "proposed": proposed,
            "warnings": warnings,
        }
        with st.console.status(tr(MESSAGES, "reading", st.lang)):
            frames = {
                key: None if p is None else _read_input(key, p, st, reading)
                for key, p in inputs.items()
            }
        for key, p in inputs.items():
            if p is not None and _by_reader(key, p):
                st.console.print(columns_line(p.name, frames[key], st.lang), soft_wrap=True)
        with st.console.status(tr(MESSAGES, "drawing", st.lang)):
            m = render_map(
                frames["cells"],
                records=frames["records"],
                activities=frames["activities"],
                posts=frames["posts"],
                proposed=frames["proposed"],
                warnings=frames["warnings"],
                out=out,
                lang=st.lang,
                boundaries=not no_boundaries,
                options=MapOptions(
                    offline=not online,
                    public=public,
                    tiles=tiles,
                    title=title,
                    target=target,
                    polsek=polsek,
                    min_reports=min_reports,
                    as_of=as_of,
                ),
                settings=st.settings,
            )
        n = len(frames["cells"])  # type: ignore[arg-type]
        mode = tr(MESSAGES, "public", st.lang) if public else ""
        size = num(out.stat().st_size / 1e6, 1, st.lang)
        done = tr(MESSAGES, "done", st.lang, path=out, size=size, n=count(n, st.lang), mode=mode)
        st.console.print(done, soft_wrap=True)
        if warnings is not None:
            st.console.print(_warnings_line(m, public, min_reports, st.lang), soft_wrap=True)
        if png is not None or per_polsek is not None:
            _pictures(m if online else out, png, per_polsek, st)
