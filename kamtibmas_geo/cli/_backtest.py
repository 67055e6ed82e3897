"""``kamtibmas-geo backtest``: how well the hotspot forecast did on past Ramadhans."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from kamtibmas_geo._errors import OutputError, SettingsError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import state
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
        "id": "Uji balik ramalan titik rawan pada Ramadhan-Ramadhan yang lalu: tingkat tangkap, "
        "PAI dan PEI pada 1%, 5%, 10% luas wilayah, dibanding pembanding sederhana.",
        "en": "Backtest the hotspot forecast on past Ramadhans: hit rate, PAI and PEI at 1%, "
        "5%, 10% of the area, against naive baselines.",
    },
    "arg_records": {
        "id": "Berkas kejadian (CSV, XLSX, GeoJSON, Parquet).",
        "en": "File of incidents (CSV, XLSX, GeoJSON, Parquet).",
    },
    "opt_res": {"id": "Resolusi H3 (bawaan dari pengaturan, 9).", "en": "H3 resolution."},
    "opt_kind": {
        "id": "Jenis berkas: disturbance (gangguan) atau activity (kegiatan).",
        "en": "Kind of records: disturbance or activity.",
    },
    "opt_type": {
        "id": "Hanya jenis ini (boleh diulang), misalnya --type curanmor.",
        "en": "Only this type (repeatable), e.g. --type curanmor.",
    },
    "opt_out": {
        "id": "Tulis tabel metrik lengkap ke berkas ini (.csv atau .xlsx).",
        "en": "Write the full metrics table to this file (.csv or .xlsx).",
    },
    "bad_out": {
        "id": "Berkas metrik {path!r} harus berakhiran .csv atau .xlsx.",
        "en": "The metrics file {path!r} must end in .csv or .xlsx.",
    },
    "opt_boundaries": {
        "id": "Poligon wilayah studi (GeoJSON/GPKG, CRS apa pun) bila bukan OKI/Palembang; "
        "kejadian harus berkoordinat.",
        "en": "Polygons of the study area (GeoJSON/GPKG, any CRS) when not OKI/Palembang; "
        "incidents must have coordinates.",
    },
    "opt_period": {
        "id": "Periode uji (boleh diulang): ramadhan-1446, 1446, ramadhan-2025.",
        "en": "Test period (repeatable): ramadhan-1446, 1446, ramadhan-2025.",
    },
    "opt_start": {
        "id": "Tanggal 1 Ramadhan (YYYY-MM-DD) yang menggantikan tabel; bersama --idul-fitri.",
        "en": "1 Ramadhan (YYYY-MM-DD) overriding the table; together with --idul-fitri.",
    },
    "opt_fitri": {
        "id": "Tanggal 1 Syawal (YYYY-MM-DD); bersama --ramadhan-start.",
        "en": "1 Syawal (YYYY-MM-DD); together with --ramadhan-start.",
    },
    "opt_bandwidth": {
        "id": "Lebar pita KDE pembanding, meter.",
        "en": "Bandwidth of the KDE baseline, metres.",
    },
    "both_dates": {
        "id": "--ramadhan-start dan --idul-fitri harus diberikan bersama.",
        "en": "--ramadhan-start and --idul-fitri must be given together.",
    },
    "reading": {
        "id": "Membaca dan menempatkan {path}…",
        "en": "Reading and placing {path}…",
    },
    "read": {
        "id": "{n} kejadian dipakai, {bad} baris ditolak (lihat berkas sumber).",
        "en": "{n} incidents used, {bad} rows rejected (see the source file).",
    },
    "testing": {"id": "Menguji periode", "en": "Testing periods"},
    "written": {"id": "Tabel metrik ditulis ke {path}", "en": "Metrics table written to {path}"},
    "note": {
        "id": "PAI = (n/N)/(a/A): 1 = acak; PEI = n/n_maks: 1 = sempurna. Rata-rata per periode.",
        "en": "PAI = (n/N)/(a/A): 1 = random; PEI = n/n_max: 1 = perfect. Means over periods.",
    },
}


def register(app: typer.Typer, lang: Language) -> None:
    """Add the ``backtest`` command to ``app``.

    Parameters
    ----------
    app : typer.Typer
        The root app.
    lang : {"id", "en"}
        Language of help texts.
    """

    @app.command("backtest", help=tr(MESSAGES, "cmd", lang))
    def _backtest(
        ctx: typer.Context,
        records: Annotated[Path, typer.Argument(help=tr(MESSAGES, "arg_records", lang))],
        res: Annotated[
            int | None, typer.Option("--res", help=tr(MESSAGES, "opt_res", lang))
        ] = None,
        kind: Annotated[
            str, typer.Option("--kind", help=tr(MESSAGES, "opt_kind", lang))
        ] = "disturbance",
        types: Annotated[
            list[str] | None, typer.Option("--type", help=tr(MESSAGES, "opt_type", lang))
        ] = None,
        out: Annotated[
            Path | None, typer.Option("--out", help=tr(MESSAGES, "opt_out", lang))
        ] = None,
        boundaries: Annotated[
            Path | None,
            typer.Option("--boundaries", help=tr(MESSAGES, "opt_boundaries", lang)),
        ] = None,
        period: Annotated[
            list[str] | None, typer.Option("--period", help=tr(MESSAGES, "opt_period", lang))
        ] = None,
        ramadhan_start: Annotated[
            str | None,
            typer.Option("--ramadhan-start", help=tr(MESSAGES, "opt_start", lang)),
        ] = None,
        idul_fitri: Annotated[
            str | None, typer.Option("--idul-fitri", help=tr(MESSAGES, "opt_fitri", lang))
        ] = None,
        bandwidth: Annotated[
            float, typer.Option("--bandwidth", help=tr(MESSAGES, "opt_bandwidth", lang))
        ] = 500.0,
        sheet: Annotated[str | None, sheet_option(lang)] = None,
        text_column: Annotated[str | None, text_column_option(lang)] = None,
        columns: Annotated[str | None, columns_option(lang)] = None,
    ) -> None:

        from kamtibmas_geo._tables import write_table
        from kamtibmas_geo._validate import check_choice
        from kamtibmas_geo.calendar._dates import overrides_from_dates
        from kamtibmas_geo.evaluate._backtest import BacktestOptions, backtest

        st = state(ctx)
        lg = st.lang
        settings = st.settings if res is None else st.settings.replace(res=res)
        check_choice("--kind", kind, ("disturbance", "activity"))
        if out is not None and out.suffix.lower() not in {".csv", ".xlsx"}:
            raise OutputError(tr(MESSAGES, "bad_out", lg, path=str(out)))
        if (ramadhan_start is None) != (idul_fitri is None):
            raise SettingsError(tr(MESSAGES, "both_dates", lg))
        overrides = (
            overrides_from_dates(ramadhan_start, idul_fitri) if ramadhan_start is not None else None
        )
        reading = ReadOptions.parse(sheet, text_column, columns)
        frame, n_rejected = _read(
            st, records, kind, settings, own=boundaries is not None, options=reading
        )
        if types:
            frame = frame[frame["type"].isin(types)]
        polygons = read_polygons(boundaries, lg) if boundaries is not None else None

        with Progress(
            TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
            console=st.console, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task(tr(MESSAGES, "testing", lg), total=None)

            def _tick(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=label)

            result = backtest(
                frame,
                periods=period or None,
                res=settings.res,
                boundaries=polygons,
                options=BacktestOptions(bandwidth_m=bandwidth, overrides=overrides),
                settings=settings,
                progress=_tick,
            )
        st.console.print(columns_line(records.name, frame, lg), soft_wrap=True)
        st.console.print(tr(MESSAGES, "read", lg, n=len(frame), bad=n_rejected))
        _print(st, result)
        if out is not None:
            write_table(result.to_frame(), out, inputs=st.inputs, lang=lg)
            st.console.print(tr(MESSAGES, "written", lg, path=out), soft_wrap=True)


def _read(
    st: Any, path: Path, kind: str, settings: Any, *, own: bool, options: ReadOptions
) -> tuple[Any, int]:
    with st.console.status(Text(tr(MESSAGES, "reading", st.lang, path=path))):
        return read_placed(path, kind, settings, st.lang, own=own, options=options)


def _print(st: Any, result: Any) -> None:
    lg = st.lang
    summary = result.summary(lg)
    title = result.format(lg).splitlines()[0]
    table = Table(title=title)
    for col in summary.columns:
        table.add_column(str(col), justify="left" if col == summary.columns[0] else "right")
    for row in summary.itertuples(index=False):
        model, share, hit, pai, pei = row
        table.add_row(str(model), str(share), f"{hit:.1%}", f"{pai:.2f}", f"{pei:.2f}")
    st.console.print(table)
    if len(result.periods):
        periods = ", ".join(
            f"{r.period} ({r.n_test})" for r in result.periods.itertuples(index=False)
        )
        st.console.print(periods, soft_wrap=True)
        st.console.print(tr(MESSAGES, "note", lg), soft_wrap=True)
    else:
        st.console.print(result.format(lg).splitlines()[-1])
