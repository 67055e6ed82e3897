"""``kamtibmas-geo hotspots``: score every H3 cell ahead of a target period."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import state
from kamtibmas_geo.cli._format import count, num
from kamtibmas_geo.cli._io import (
    ReadOptions,
    columns_line,
    columns_option,
    read_placed,
    read_polygons,
    sheet_option,
    text_column_option,
)
from kamtibmas_geo.config import Language

MESSAGES = {
    "cmd": {
        "id": "Hitung skor titik rawan tiap sel H3 menjelang periode sasaran (Ramadhan), "
        "Gi* dengan koreksi FDR, pola titik panas yang muncul, dan celah cakupan Binmas.",
        "en": "Score every H3 cell ahead of a target period (Ramadhan): risk score, Gi* with "
        "FDR correction, emerging hot spot patterns and the Binmas coverage gap.",
    },
    "arg_records": {
        "id": "Berkas kejadian gangguan (CSV, XLSX, GeoJSON, Parquet).",
        "en": "File of disturbance records (CSV, XLSX, GeoJSON, Parquet).",
    },
    "opt_acts": {
        "id": "Berkas kegiatan Binmas (sambang, patroli, poskamling...) untuk celah cakupan.",
        "en": "File of Binmas activities (sambang, patrol, poskamling...) for the coverage gap.",
    },
    "opt_warnings": {
        "id": "Berkas informasi dini (laporan RT/RW, Pokdar Kamtibmas, ormas): per sel "
        "ditampilkan informasi dini terbuka untuk hari-hari mendatang di samping skor, "
        "tidak pernah dicampur ke hitungan kejadian atau skor.",
        "en": "File of early warnings (reports from RT/RW, Pokdar Kamtibmas, ormas): the "
        "open warnings of the coming days are shown per cell beside the score, never mixed "
        "into incident counts or scores.",
    },
    "opt_as_of": {
        "id": "Tanggal acuan informasi dini (bawaan: awal periode sasaran), mis. 2027-02-01.",
        "en": "Date the early warnings are read at (default: the target start), e.g. 2027-02-01.",
    },
    "opt_days": {
        "id": "Jumlah hari ke depan untuk informasi dini (bawaan 7).",
        "en": "Days ahead for early warnings (default 7).",
    },
    "kind_warn": {"id": "Informasi dini", "en": "Early warnings"},
    "warn_summary": {
        "id": "Informasi dini per {as_of} untuk {days} hari: {open} terbuka di sel, "
        "{answered} sudah dijawab kegiatan Binmas, {outside} di luar sel.",
        "en": "Early warnings as of {as_of} for {days} days: {open} open on the cells, "
        "{answered} answered by Binmas activity, {outside} outside the cells.",
    },
    "col_warn": {"id": "Informasi dini", "en": "Early warnings"},
    "warn_top": {
        "id": "Sel dengan informasi dini terbuka (di samping skor)",
        "en": "Cells with open early warnings (beside the score)",
    },
    "opt_target": {
        "id": "Periode sasaran, misalnya ramadhan-1448 atau ramadhan-2027.",
        "en": "Target period, e.g. ramadhan-1448 or ramadhan-2027.",
    },
    "opt_res": {"id": "Resolusi H3 (bawaan 9, sekitar 0,1 km²).", "en": "H3 resolution."},
    "opt_region": {
        "id": "Wilayah analisis: kode atau nama kabupaten/kota (16.71, palembang, oki), "
        "beberapa dipisah koma, atau auto (bawaan: kabupaten/kota tempat kejadian berada). "
        "Setiap kabupaten/kota dianalisis sendiri.",
        "en": "Study area: kabupaten/kota code or name (16.71, palembang, oki), several "
        "separated by commas, or auto (default: where the incidents fall). Each "
        "kabupaten/kota is analysed on its own.",
    },
    "area": {"id": "Wilayah analisis: {label}", "en": "Study area: {label}"},
    "area_cells": {
        "id": "Wilayah analisis: {label}, {n} sel",
        "en": "Study area: {label}, {n} cells",
    },
    "small": {
        "id": "  hanya {n} kejadian (< {need}): hasil hanya petunjuk.",
        "en": "  only {n} incidents (< {need}): read the result as a hint only.",
    },
    "col_region": {"id": "Kab/Kota", "en": "Kab/Kota"},
    "opt_out": {
        "id": "Berkas keluaran sel (.parquet, .geojson, .gpkg, .csv atau .xlsx).",
        "en": "Output file of cells (.parquet, .geojson, .gpkg, .csv or .xlsx).",
    },
    "opt_top": {"id": "Jumlah sel teratas yang ditampilkan.", "en": "Top cells to show."},
    "opt_boundaries": {
        "id": "Poligon desa wilayah sendiri (GeoPackage/GeoJSON dengan kolom code; di luar "
        "OKI/Palembang). Catatan ditempatkan dari koordinatnya; tanpa koordinat ditolak.",
        "en": "Desa polygons of your own region (GeoPackage/GeoJSON with a code column; "
        "outside OKI/Palembang). Records are placed by their coordinates; rows without "
        "coordinates are rejected.",
    },
    "bad_out": {
        "id": "Berkas keluaran {path!r} harus berakhiran .parquet, .geojson, .gpkg, .csv "
        "atau .xlsx.",
        "en": "Output file {path!r} must end in .parquet, .geojson, .gpkg, .csv or .xlsx.",
    },
    "reading": {"id": "Membaca {path}", "en": "Reading {path}"},
    "scoring": {"id": "Menghitung skor dan Gi*", "en": "Scoring cells and Gi*"},
    "writing": {"id": "Menulis {path}", "en": "Writing {path}"},
    "read": {
        "id": "{kind}: {n} catatan terpetakan, {bad} baris ditolak.",
        "en": "{kind}: {n} records placed, {bad} rows rejected.",
    },
    "kind_dist": {"id": "Kejadian", "en": "Incidents"},
    "kind_act": {"id": "Kegiatan", "en": "Activities"},
    "summary": {
        "id": "{cells} sel, {used} kejadian sebelum {start} dipakai; titik panas (FDR 90%+): "
        "{hot}, titik dingin: {cold}.",
        "en": "{cells} cells, {used} incidents before {start} used; hot spots (FDR 90%+): "
        "{hot}, cold spots: {cold}.",
    },
    "top": {"id": "Sel teratas", "en": "Top cells"},
    "col_rank": {"id": "Peringkat", "en": "Rank"},
    "col_cell": {"id": "Sel H3", "en": "H3 cell"},
    "col_place": {"id": "Desa / kecamatan", "en": "Desa / kecamatan"},
    "col_desa": {"id": "Desa/kelurahan", "en": "Desa/kelurahan"},
    "col_kec": {"id": "Kecamatan", "en": "Kecamatan"},
    "col_n": {"id": "Kejadian", "en": "Incidents"},
    "col_score": {"id": "Skor", "en": "Score"},
    "col_gi": {"id": "Gi*", "en": "Gi*"},
    "col_trend": {"id": "Pola", "en": "Pattern"},
    "col_gap": {"id": "Celah cakupan", "en": "Coverage gap"},
    "written": {"id": "Sel ditulis ke {path}", "en": "Cells written to {path}"},
}

_SUFFIXES = (".parquet", ".geojson", ".gpkg", ".csv", ".xlsx")


def register(app: typer.Typer, lang: Language) -> None:
    """Add the ``hotspots`` command to ``app``.

    Parameters
    ----------
    app : typer.Typer
        The root app.
    lang : {"id", "en"}
        Language of help texts.
    """

    @app.command("hotspots", help=tr(MESSAGES, "cmd", lang))
    def _hotspots(
        ctx: typer.Context,
        records: Annotated[Path, typer.Argument(help=tr(MESSAGES, "arg_records", lang))],
        out: Annotated[Path, typer.Option("--out", help=tr(MESSAGES, "opt_out", lang))],
        activities: Annotated[
            Path | None, typer.Option("--activities", help=tr(MESSAGES, "opt_acts", lang))
        ] = None,
        target: Annotated[
            str, typer.Option("--target", help=tr(MESSAGES, "opt_target", lang))
        ] = "ramadhan-1448",
        res: Annotated[int, typer.Option("--res", help=tr(MESSAGES, "opt_res", lang))] = 9,
        region: Annotated[
            str, typer.Option("--region", help=tr(MESSAGES, "opt_region", lang))
        ] = "auto",
        top: Annotated[int, typer.Option("--top", help=tr(MESSAGES, "opt_top", lang))] = 10,
        boundaries: Annotated[
            Path | None,
            typer.Option("--boundaries", help=tr(MESSAGES, "opt_boundaries", lang)),
        ] = None,
        sheet: Annotated[str | None, sheet_option(lang)] = None,
        text_column: Annotated[str | None, text_column_option(lang)] = None,
        columns: Annotated[str | None, columns_option(lang)] = None,
        warnings: Annotated[
            Path | None, typer.Option("--warnings", help=tr(MESSAGES, "opt_warnings", lang))
        ] = None,
        as_of: Annotated[
            str | None, typer.Option("--as-of", help=tr(MESSAGES, "opt_as_of", lang))
        ] = None,
        days: Annotated[
            int, typer.Option("--days", min=0, help=tr(MESSAGES, "opt_days", lang))
        ] = 7,
    ) -> None:
        from kamtibmas_geo.render._export import export_cells
        from kamtibmas_geo.score._score import score_hotspots

        st = state(ctx)
        lg = st.lang
        if out.suffix.lower() not in _SUFFIXES:
            raise ScoreError(tr(MESSAGES, "bad_out", lg, path=str(out)))
        settings = st.settings.replace(res=res)
        reading = ReadOptions.parse(sheet, text_column, columns)
        steps = 3 + (2 if activities is not None else 0) + (2 if warnings is not None else 0) + 1
        progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TimeElapsedColumn(),
            console=st.console,
            transient=True,
        )
        with progress:
            task = progress.add_task(tr(MESSAGES, "reading", lg, path=records.name), total=steps)
            polygons = read_polygons(boundaries, lg) if boundaries is not None else None
            recs, acts, read_msgs = _read_inputs(
                records,
                activities,
                settings,
                lg,
                progress,
                task,
                own=boundaries is not None,
                options=reading,
            )
            warns, warn_msgs = _read_warnings(
                warnings, settings, lg, progress, task, own=boundaries is not None, options=reading
            )
            read_msgs += warn_msgs
            progress.update(task, description=tr(MESSAGES, "scoring", lg))
            cells = score_hotspots(
                recs,
                activities=acts,
                target=target,
                res=res,
                region=region_arg(region) if polygons is None else "auto",
                settings=settings,
                boundaries=polygons,
                warnings=warns,
                warnings_as_of=as_of,
                warnings_days=days,
            )
            progress.advance(task)
            progress.update(task, description=tr(MESSAGES, "writing", lg, path=out.name))
            meta = cells.attrs.get("score", {})  # export_cells keeps only the period
            export_cells(cells, out, settings=settings, inputs=st.inputs)
            progress.advance(task)
        lines = [*read_msgs, *_areas(meta, lg), _summary(cells, meta, lg), *_warned(meta, lg)]
        for msg in lines:
            st.console.print(msg, soft_wrap=True)
        st.console.print(_top_table(cells, top, lg))
        if "warnings_open" in cells.columns and (cells["warnings_open"] > 0).any():
            st.console.print(_warning_table(cells, top, lg))
        st.console.print(tr(MESSAGES, "written", lg, path=str(out)), soft_wrap=True)


def _read_inputs(
    records: Path,
    activities: Path | None,
    settings: Any,
    lg: Language,
    progress: Progress,
    task: Any,
    *,
    own: bool,
    options: ReadOptions | None = None,
) -> tuple[Any, Any, list[str]]:
    """Read and place the records and activities; the columns used and one summary line."""
    recs, bad = read_placed(records, "disturbance", settings, lg, own=own, options=options)
    progress.advance(task, 2)
    msgs = [
        columns_line(records.name, recs, lg),
        tr(
            MESSAGES,
            "read",
            lg,
            kind=tr(MESSAGES, "kind_dist", lg),
            n=count(len(recs), lg),
            bad=count(bad, lg),
        ),
    ]
    acts = None
    if activities is not None:
        progress.update(task, description=tr(MESSAGES, "reading", lg, path=activities.name))
        acts, bad_a = read_placed(
            activities, "activity", settings, lg, own=own, options=options, strict=False
        )
        progress.advance(task, 2)
        msgs.append(columns_line(activities.name, acts, lg))
        kind = tr(MESSAGES, "kind_act", lg)
        msgs.append(
            tr(MESSAGES, "read", lg, kind=kind, n=count(len(acts), lg), bad=count(bad_a, lg))
        )
    return recs, acts, msgs


def _read_warnings(
    warnings: Path | None,
    settings: Any,
    lg: Language,
    progress: Progress,
    task: Any,
    *,
    own: bool,
    options: ReadOptions | None,
) -> tuple[Any, list[str]]:
    """Read and place the early warnings of ``--warnings`` (``None`` without it)."""
    if warnings is None:
        return None, []
    progress.update(task, description=tr(MESSAGES, "reading", lg, path=warnings.name))
    warns, bad = read_placed(
        warnings, "early_warning", settings, lg, own=own, options=options, strict=False
    )
    progress.advance(task, 2)
    kind = tr(MESSAGES, "kind_warn", lg)
    return warns, [
        columns_line(warnings.name, warns, lg),
        tr(MESSAGES, "read", lg, kind=kind, n=count(len(warns), lg), bad=count(bad, lg)),
    ]


def _warned(meta: dict[str, Any], lg: Language) -> list[str]:
    """One line on the early warnings read beside the scores (none without ``--warnings``)."""
    info = meta.get("warnings")
    if not info:
        return []
    return [
        tr(
            MESSAGES,
            "warn_summary",
            lg,
            as_of=str(info["as_of"])[:16].replace("T", " "),
            days=info["days"],
            open=count(info["n_open"], lg),
            answered=count(info["n_answered"], lg),
            outside=count(info["n_outside"], lg),
        )
    ]


def region_arg(text: str) -> str | list[str]:
    """Turn ``--region`` into the ``region=`` of the API: one name/code, a list, or auto.

    Parameters
    ----------
    text : str
        ``"auto"``, ``"palembang"``, ``"16.02,16.71"``...

    Returns
    -------
    str or list of str
    """
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    return parts[0] if len(parts) == 1 else (parts or "auto")


def _areas(meta: dict[str, Any], lg: Language) -> list[str]:
    """One line per kabupaten/kota analysed: its name, code and cells; small samples said."""
    from kamtibmas_geo.score._regions import MIN_INCIDENTS, region_label
    from kamtibmas_geo.score._score import count_text

    lines = []
    for info in meta.get("regions", {}).values():
        if "n_cells" in info:
            label = region_label(str(info.get("code", "")), str(info.get("name", "")))
            line = tr(MESSAGES, "area_cells", lg, label=label, n=count(info["n_cells"], lg))
        else:
            line = tr(MESSAGES, "area", lg, label=info["label"])
        if info.get("small_sample"):
            n = count_text(info["n_incidents"])
            line += tr(MESSAGES, "small", lg, n=n, need=MIN_INCIDENTS)
        lines.append(line)
    return lines


def _summary(cells: Any, meta: dict[str, Any], lg: Language) -> str:
    """One line: cells scored, incidents used, the target start, hot and cold spots."""
    return tr(
        MESSAGES,
        "summary",
        lg,
        cells=count(len(cells), lg),
        used=count(meta.get("n_used", 0), lg),
        start=str(meta.get("target_start", ""))[:10],
        hot=count(int((cells["gi_bin"] > 0).sum()), lg),
        cold=count(int((cells["gi_bin"] < 0).sum()), lg),
    )


def _top_table(cells: Any, top: int, lg: Language) -> Table:
    """Return the table of the ``top`` cells as staff read it.

    Places come first, named as staff write them (``19 Ilir``, ``Ilir Timur I``); numbers
    are written in the command's language; the H3 id stays in the last column, for lookup.
    """
    table = Table(title=tr(MESSAGES, "top", lg))
    many = cells["kabupaten_code"].nunique(dropna=False) > 1
    warned = "warning_reason" in cells.columns
    keys = [*(["col_region"] if many else []), "col_rank", "col_desa", "col_kec", "col_n"]
    keys += ["col_score", "col_gi", "col_trend", "col_gap", *(["col_warn"] if warned else [])]
    for key in (*keys, "col_cell"):
        right = key in ("col_rank", "col_n", "col_score", "col_gap")
        table.add_column(tr(MESSAGES, key, lg), justify="right" if right else "left")
    best = cells[cells["score"] > 0].sort_values(["score_rank", "kabupaten_code"], kind="stable")
    for row in best.head(top).itertuples():
        table.add_row(
            *([_region_name(row)] if many else []),
            count(row.score_rank, lg),
            _desa(row.desa_name),
            _kecamatan(row.kecamatan_name),
            str(row.n_incidents_text),
            num(row.score, 2, lg),
            str(row.gi_label),
            str(row.trend_label),
            num(row.coverage_gap, 2, lg),
            *([str(row.warning_reason) or "-"] if warned else []),
            str(row.hex_id),
        )
    return table


def _region_name(row: Any) -> str:
    """Return the kabupaten/kota of a cell by name (its code where no name is known)."""
    name = getattr(row, "kabupaten_name", None)
    return name if isinstance(name, str) and name else str(row.kabupaten_code)


def _desa(name: Any) -> str:
    """Return a desa/kelurahan name as staff write it (``19 Ilir``); ``-`` when unknown."""
    from kamtibmas_geo.boundaries import display_name

    return display_name(name) if isinstance(name, str) and name else "-"


def _kecamatan(name: Any) -> str:
    """Return a kecamatan name as staff write it (``Ilir Timur I``); ``-`` when unknown."""
    from kamtibmas_geo.boundaries import kecamatan_display_name

    return kecamatan_display_name(name) if isinstance(name, str) and name else "-"


def _warning_table(cells: Any, top: int, lg: Language) -> Table:
    """Return the cells with the most open early warnings, with their place and score rank."""
    table = Table(title=tr(MESSAGES, "warn_top", lg))
    for key in ("col_desa", "col_kec", "col_rank", "col_warn", "col_cell"):
        table.add_column(tr(MESSAGES, key, lg), justify="right" if key == "col_rank" else "left")
    warned = cells[cells["warnings_open"] > 0].sort_values(
        ["warnings_open", "score_rank", "hex_id"], ascending=[False, True, True], kind="stable"
    )
    for row in warned.head(top).itertuples():
        table.add_row(
            _desa(row.desa_name),
            _kecamatan(row.kecamatan_name),
            count(row.score_rank, lg),
            str(row.warning_reason),
            str(row.hex_id),
        )
    return table
