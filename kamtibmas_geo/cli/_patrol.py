"""``kamtibmas-geo patrol``: tonight's patrol plan, its printable pages and route files.

Registered by :func:`kamtibmas_geo.cli._plan.register` (the planning commands).
"""

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from kamtibmas_geo._errors import PlanError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import state
from kamtibmas_geo.cli._io import (
    ReadOptions,
    columns_line,
    columns_option,
    read_place_file,
    sheet_option,
)
from kamtibmas_geo.config import Language

MESSAGES = {
    "cmd_patrol": {
        "id": "Susun rencana patroli: tim Polres dibagi ke Polsek menurut risiko, rute per tim "
        "yang muat dalam waktu sahur, subuh, ngabuburit, tarawih, malam (jadwal Kemenag).",
        "en": "Build patrol plans: the Polres's teams split over Polsek by risk, a route per "
        "team that fits the sahur, subuh, ngabuburit, tarawih or night window (Kemenag times).",
    },
    "arg_cells": {
        "id": "Berkas skor sel dari `kamtibmas-geo hotspots` (.parquet, .geojson, .gpkg, .csv).",
        "en": "Cell scores from `kamtibmas-geo hotspots` (.parquet, .geojson, .gpkg, .csv).",
    },
    "opt_out": {
        "id": "Berkas rencana patroli (.csv atau .xlsx).",
        "en": "Patrol plan file (.csv or .xlsx).",
    },
    "opt_teams": {
        "id": "Jumlah tim patroli Polres per waktu (dibagi ke Polsek menurut risiko).",
        "en": "Patrol teams of the Polres per window (split over Polsek by risk).",
    },
    "opt_windows": {
        "id": "Waktu patroli, dipisah koma (bawaan: sahur,subuh,ngabuburit,tarawih,malam; "
        "juga siang, takbiran).",
        "en": "Time windows, comma-separated (default: sahur,subuh,ngabuburit,tarawih,malam; "
        "also siang, takbiran).",
    },
    "opt_target": {"id": "Ramadhan sasaran.", "en": "Target Ramadhan."},
    "opt_day": {
        "id": "Tanggal rencana (YYYY-MM-DD); bawaan: malam pertama setiap waktu.",
        "en": "Plan date (YYYY-MM-DD); default: the first night of each window.",
    },
    "opt_start": {
        "id": "1 Ramadhan yang diumumkan (YYYY-MM-DD); bersama --idul-fitri.",
        "en": "Announced 1 Ramadhan (YYYY-MM-DD); together with --idul-fitri.",
    },
    "opt_lebaran": {
        "id": "1 Syawal yang diumumkan (YYYY-MM-DD); bersama --ramadhan-start.",
        "en": "Announced 1 Syawal (YYYY-MM-DD); together with --ramadhan-start.",
    },
    "bad_pair": {
        "id": "--ramadhan-start dan --idul-fitri harus diberikan bersama.",
        "en": "--ramadhan-start and --idul-fitri must be given together.",
    },
    "opt_stations": {
        "id": "Kantor Polsek (CSV: nama, lintang, bujur): titik berangkat tim.",
        "en": "Polsek offices (CSV: nama, lintang, bujur): where teams start.",
    },
    "opt_polsek": {
        "id": "Pemetaan kecamatan ke Polsek (CSV/XLSX: kecamatan (kode atau nama), polsek).",
        "en": "Kecamatan to Polsek mapping (CSV/XLSX: kecamatan (code or name), polsek).",
    },
    "opt_records": {
        "id": "Kejadian yang sudah ditempatkan (keluaran `geocode`): alasan dan jam kejadian.",
        "en": "Placed records (output of `geocode`): reasons and incident hours.",
    },
    "opt_warnings": {
        "id": "Informasi dini (jenis early_warning; CSV/XLSX dibaca dan ditempatkan, atau "
        "keluaran `geocode`): yang masih terbuka menjadi titik prioritas pada waktu yang "
        "disebutkan. Hanya peran pelapor yang dipakai.",
        "en": "Early warnings (kind early_warning; CSV/XLSX read and placed, or the output of "
        "`geocode`): open ones become priority stops in the window they name. Only the "
        "reporter's role is used.",
    },
    "opt_activities": {
        "id": "Kegiatan Binmas (sambang, sosialisasi, imbauan, patroli) yang menindaklanjuti "
        "informasi dini.",
        "en": "Binmas activities (sambang, sosialisasi, imbauan, patroli) that answer early "
        "warnings.",
    },
    "warnings_summary": {
        "id": "Informasi dini: {stops} titik prioritas; {left} tidak menjadi titik (lihat "
        "catatan); {answered} sudah ditindaklanjuti kegiatan.",
        "en": "Early warnings: {stops} priority stops; {left} not made a stop (see the notes); "
        "{answered} already answered by an activity.",
    },
    "opt_landmarks": {
        "id": "Tempat penanda (CSV: nama, lintang, bujur) yang ditampilkan di setiap titik.",
        "en": "Landmarks (CSV: nama, lintang, bujur) shown at each stop.",
    },
    "opt_roads": {
        "id": "Jaringan jalan (GeoJSON/GPKG garis) untuk jarak tempuh.",
        "en": "Road network (GeoJSON/GPKG lines) for travel distances.",
    },
    "opt_speed": {"id": "Kecepatan patroli (km/jam).", "en": "Patrol speed (km/h)."},
    "opt_detour": {
        "id": "Faktor jalan memutar terhadap garis lurus.",
        "en": "Detour factor over the straight line.",
    },
    "opt_dwell": {"id": "Menit singgah per titik.", "en": "Minutes spent at each stop."},
    "opt_material": {
        "id": "Ambang risiko material: bagian dari risiko sel paling berisiko.",
        "en": "Materiality threshold: share of the riskiest cell's risk.",
    },
    "opt_html": {
        "id": "Juga tulis halaman cetak A4 per Polsek dan waktu ke berkas ini.",
        "en": "Also write printable A4 pages per Polsek and window to this file.",
    },
    "opt_routes": {
        "id": "Juga tulis berkas GPX dan KML per tim ke folder ini.",
        "en": "Also write a GPX and a KML file per team into this folder.",
    },
    "bad_out": {
        "id": "Berkas keluaran {path!r} harus berakhiran {allowed}.",
        "en": "Output file {path!r} must end in {allowed}.",
    },
    "bad_in": {
        "id": "Berkas {path!r} harus berakhiran .parquet, .geojson, .gpkg atau .csv.",
        "en": "File {path!r} must end in .parquet, .geojson, .gpkg or .csv.",
    },
    "missing": {"id": "Berkas {path!r} tidak ada.", "en": "File {path!r} does not exist."},
    "bad_day": {
        "id": "Tanggal {value!r} tidak dapat dibaca; tulis YYYY-MM-DD.",
        "en": "Cannot read the date {value!r}; write YYYY-MM-DD.",
    },
    "reading": {"id": "Membaca {path}…", "en": "Reading {path}…"},
    "planning": {"id": "Menyusun rute patroli…", "en": "Building the patrol routes…"},
    "writing": {"id": "Menulis {path}…", "en": "Writing {path}…"},
    "summary": {
        "id": "Rencana patroli: {stops:,} titik, {teams} tim berangkat, {units} Polsek, "
        "{wins} waktu; {none} pasangan Polsek-waktu tanpa tim (lihat catatan). Ditulis ke "
        "{path}.",
        "en": "Patrol plan: {stops:,} stops, {teams} teams out, {units} Polsek, {wins} windows; "
        "{none} Polsek-window pairs without a team (see the notes). Written to {path}.",
    },
    "html_written": {"id": "Halaman cetak: {path}", "en": "Printable pages: {path}"},
    "routes_written": {
        "id": "{n} berkas rute (GPX/KML) di {path}",
        "en": "{n} route files (GPX/KML) in {path}",
    },
}


def _progress(console: Any) -> Progress:
    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


_SUFFIXES = (".parquet", ".geojson", ".gpkg", ".csv")


def _read_table(path: Path, lang: str) -> Any:
    """Read cells, records, a Polsek list or roads (.parquet, .geojson, .gpkg, .csv)."""
    import geopandas as gpd
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise PlanError(tr(MESSAGES, "bad_in", lang, path=str(path)))
    if not path.is_file():
        raise PlanError(tr(MESSAGES, "missing", lang, path=str(path)))
    if suffix == ".parquet":
        try:
            return gpd.read_parquet(path)
        except ValueError:
            return pd.read_parquet(path)
    if suffix == ".csv":
        codes = {c: str for c in ("kecamatan_code", "desa_code", "kabupaten_code", "hex_id")}
        return pd.read_csv(path, dtype=codes)
    return gpd.read_file(path)


_PEOPLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


def _read_records(path: Path, kind: str, st: Any, reading: ReadOptions) -> Any:
    """Read warnings or activities: tables people type through the reader, else as written."""
    from kamtibmas_geo.cli._io import read_placed

    if path.suffix.lower() not in _PEOPLE_SUFFIXES:
        return _read_table(path, st.lang)
    if not path.is_file():
        raise PlanError(tr(MESSAGES, "missing", st.lang, path=str(path)))
    frame, _ = read_placed(
        path, kind, st.settings, st.lang, own=False, options=reading, strict=False
    )
    return frame


def _warnings_line(plan: Any, lang: str) -> str:
    """Say how many warnings became stops, how many did not, how many were answered."""
    fate = plan.attrs.get("warnings", [])
    answered = {f["record_id"] for f in fate if f["code"] == "answered"}
    stops = sum(1 for f in fate if f["code"] == "stop")
    left = sum(1 for f in fate if f["code"] == "left")
    return tr(MESSAGES, "warnings_summary", lang, stops=stops, left=left, answered=len(answered))


def _day(value: str | None, lang: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PlanError(tr(MESSAGES, "bad_day", lang, value=value)) from None


def _overrides(start: str | None, idul_fitri: str | None, lang: str) -> Any:
    """Return the announced 1 Ramadhan and 1 Syawal as calendar overrides (or None)."""
    from kamtibmas_geo.calendar._dates import overrides_from_dates

    if (start is None) != (idul_fitri is None):
        raise PlanError(tr(MESSAGES, "bad_pair", lang))
    return overrides_from_dates(start, idul_fitri) if start is not None else None


def _kecamatan(settings: Any) -> Any:
    """Return the pack's kecamatan polygons (starts, map outlines), or None if unavailable."""
    from kamtibmas_geo._errors import KamtibmasGeoError
    from kamtibmas_geo.boundaries._pack import load_boundaries

    try:
        return load_boundaries("kecamatan", settings=settings)
    except (KamtibmasGeoError, OSError):
        return None


def register_patrol(app: typer.Typer, lang: Language) -> None:
    """Add the ``patrol`` command to ``app``.

    Parameters
    ----------
    app : typer.Typer
        The root app.
    lang : {"id", "en"}
        Language of help texts.
    """

    def h(key: str) -> str:
        return tr(MESSAGES, key, lang)

    @app.command("patrol", help=h("cmd_patrol"))
    def _patrol(
        ctx: typer.Context,
        cells_path: Annotated[Path, typer.Argument(help=h("arg_cells"))],
        out: Annotated[Path, typer.Option("--out", help=h("opt_out"))],
        teams: Annotated[int, typer.Option("--teams", help=h("opt_teams"))] = 6,
        windows: Annotated[str | None, typer.Option("--windows", help=h("opt_windows"))] = None,
        target: Annotated[str, typer.Option("--target", help=h("opt_target"))] = "ramadhan-1448",
        day: Annotated[str | None, typer.Option("--day", help=h("opt_day"))] = None,
        ramadhan_start: Annotated[
            str | None, typer.Option("--ramadhan-start", help=h("opt_start"))
        ] = None,
        idul_fitri: Annotated[
            str | None, typer.Option("--idul-fitri", help=h("opt_lebaran"))
        ] = None,
        stations: Annotated[Path | None, typer.Option("--stations", help=h("opt_stations"))] = None,
        polsek: Annotated[Path | None, typer.Option("--polsek", help=h("opt_polsek"))] = None,
        records: Annotated[Path | None, typer.Option("--records", help=h("opt_records"))] = None,
        landmarks: Annotated[
            Path | None, typer.Option("--landmarks", help=h("opt_landmarks"))
        ] = None,
        roads: Annotated[Path | None, typer.Option("--roads", help=h("opt_roads"))] = None,
        warnings: Annotated[Path | None, typer.Option("--warnings", help=h("opt_warnings"))] = None,
        activities: Annotated[
            Path | None, typer.Option("--activities", help=h("opt_activities"))
        ] = None,
        speed: Annotated[float, typer.Option("--speed", help=h("opt_speed"))] = 30.0,
        detour: Annotated[float, typer.Option("--detour", help=h("opt_detour"))] = 1.4,
        dwell: Annotated[float, typer.Option("--dwell", help=h("opt_dwell"))] = 15.0,
        materiality: Annotated[float, typer.Option("--materiality", help=h("opt_material"))] = 0.05,
        html_out: Annotated[Path | None, typer.Option("--html", help=h("opt_html"))] = None,
        routes: Annotated[Path | None, typer.Option("--routes", help=h("opt_routes"))] = None,
        sheet: Annotated[str | None, sheet_option(lang)] = None,
        columns: Annotated[str | None, columns_option(lang)] = None,
    ) -> None:
        import pandas as pd

        from kamtibmas_geo._tables import write_table
        from kamtibmas_geo.plan._patrol import PatrolOptions, patrol_plan
        from kamtibmas_geo.plan._patrol_export import patrol_files
        from kamtibmas_geo.plan._patrol_html import patrol_html

        st = state(ctx)
        lg = st.lang
        if out.suffix.lower() not in {".csv", ".xlsx"}:
            raise PlanError(tr(MESSAGES, "bad_out", lg, path=str(out), allowed=".csv, .xlsx"))
        wins = [w.strip() for w in windows.split(",") if w.strip()] if windows else None
        opts = PatrolOptions(
            speed_kmh=speed, detour_factor=detour, dwell_minutes=dwell, materiality=materiality
        )
        with _progress(st.console) as progress:
            task = progress.add_task(tr(MESSAGES, "reading", lg, path=cells_path.name), total=3)
            cells = _read_table(cells_path, lg)
            reading = ReadOptions.parse(sheet, None, columns)
            places = {
                key: None if path is None else read_place_file(path, kind, lg, reading)
                for key, kind, path in (
                    ("stations", "posts", stations),
                    ("landmarks", "landmarks", landmarks),
                )
            }
            placed = _read_table(records, lg) if records is not None else None
            road_lines = _read_table(roads, lg) if roads is not None else None
            told = {
                key: None if path is None else _read_records(path, kind, st, reading)
                for key, kind, path in (
                    ("warnings", "early_warning", warnings),
                    ("activities", "activity", activities),
                )
            }
            kecamatan = _kecamatan(st.settings)
            progress.advance(task)
            progress.update(task, description=tr(MESSAGES, "planning", lg))
            plan = patrol_plan(
                cells,
                teams=teams,
                windows=wins,
                target=target,
                day=_day(day, lg),
                overrides=_overrides(ramadhan_start, idul_fitri, lg),
                polsek=polsek,
                stations=places["stations"],
                boundaries=kecamatan,
                records=placed,
                landmarks=places["landmarks"],
                roads=road_lines,
                warnings=told["warnings"],
                activities=told["activities"],
                options=opts,
                settings=st.settings,
                lang=lg,
            )
            progress.advance(task)
            progress.update(task, description=tr(MESSAGES, "writing", lg, path=out.name))
            write_table(plan, out, inputs=st.inputs, lang=lg)
            alloc = pd.DataFrame(plan.attrs["allocation"])
            write_table(alloc, out.with_name(f"{out.stem}_tim{out.suffix}"), inputs=st.inputs)
            if html_out is not None:
                patrol_html(plan, html_out, lang=lg, boundaries=kecamatan)
            files = patrol_files(plan, routes, lang=lg) if routes is not None else []
            progress.advance(task)
        for path, frame in ((stations, places["stations"]), (landmarks, places["landmarks"])):
            if path is not None:
                st.console.print(columns_line(path.name, frame, lg), soft_wrap=True)
        n_teams = plan.groupby(["kabupaten_code", "window"])["team"].nunique().sum()
        st.console.print(
            tr(
                MESSAGES,
                "summary",
                lg,
                stops=len(plan),
                teams=int(n_teams),
                units=plan["polsek"].nunique(),
                wins=plan["window"].nunique(),
                none=int((alloc["teams"] == 0).sum()),
                path=str(out),
            ),
            soft_wrap=True,
        )
        if warnings is not None:
            st.console.print(_warnings_line(plan, lg), soft_wrap=True)
        if html_out is not None:
            st.console.print(tr(MESSAGES, "html_written", lg, path=str(html_out)), soft_wrap=True)
        if routes is not None:
            msg = tr(MESSAGES, "routes_written", lg, n=len(files), path=str(routes))
            st.console.print(msg, soft_wrap=True)
