"""``kamtibmas-geo backtest``: how well the hotspot forecast did on past periods."""

import dataclasses
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from kamtibmas_geo._errors import OutputError, SettingsError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import state
from kamtibmas_geo.cli._format import count, interval, num, share
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
        "id": "Uji balik ramalan titik rawan pada periode lalu (Ramadhan atau tanggal mana pun), "
        "per kabupaten/kota: tingkat tangkap, PAI dan PEI pada 1%, 5%, 10% luas wilayah (atau "
        "--area-share/--area-km2), dibanding pembanding sederhana. Model dipilih sendiri dari "
        "riwayat Anda.",
        "en": "Backtest the hotspot forecast on past periods (Ramadhans or any dates), per "
        "kabupaten/kota: hit rate, PAI and PEI at 1%, 5%, 10% of the area (or --area-share/"
        "--area-km2), against naive baselines. The model is chosen on your own history.",
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
        "id": "Periode uji (boleh diulang): ramadhan-1446, 1446, ramadhan-2025, atau tanggal "
        "2026-02-01..2026-03-01 (akhir tidak termasuk).",
        "en": "Test period (repeatable): ramadhan-1446, 1446, ramadhan-2025, or dates "
        "2026-02-01..2026-03-01 (end excluded).",
    },
    "opt_share": {
        "id": "Luas yang ditandai, bagian dari wilayah (boleh diulang): 0.5% atau 0.005.",
        "en": "Area flagged, as a share of the jurisdiction (repeatable): 0.5% or 0.005.",
    },
    "opt_km2": {
        "id": "Luas yang ditandai dalam km² (boleh diulang), mis. 2.",
        "en": "Area flagged in km² (repeatable), e.g. 2.",
    },
    "opt_region": {
        "id": "Hanya kabupaten/kota ini: oki, palembang, 16.02 (atau kabupaten_code poligon "
        "--boundaries).",
        "en": "Only this kabupaten/kota: oki, palembang, 16.02 (or a kabupaten_code of the "
        "--boundaries polygons).",
    },
    "bad_share": {
        "id": "--area-share {value!r} tidak dimengerti; tulis mis. 0.5% atau 0.005.",
        "en": "--area-share {value!r} is not understood; write e.g. 0.5% or 0.005.",
    },
    "opt_warnings": {
        "id": "Berkas informasi dini (laporan RT/RW, Pokdar, ormas): diuji apakah sel "
        "berinformasi dini menangkap kejadian hari-hari berikutnya lebih baik daripada "
        "ramalan saja (bobot dipilih hanya dari periode sebelumnya).",
        "en": "File of early warnings (RT/RW, Pokdar, ormas reports): tests whether the cells "
        "with warnings catch the incidents of the next days better than the forecast alone "
        "(the weight chosen on earlier periods only).",
    },
    "opt_days": {
        "id": "Panjang periode uji informasi dini, hari (bawaan 7).",
        "en": "Length of the early-warning test periods, days (default 7).",
    },
    "warn_reading": {
        "id": "Membaca dan menempatkan informasi dini {path}…",
        "en": "Reading and placing early warnings {path}…",
    },
    "warn_read": {
        "id": "{n} informasi dini dipakai, {bad} baris ditolak.",
        "en": "{n} early warnings used, {bad} rows rejected.",
    },
    "warn_title": {
        "id": "Apakah informasi dini membantu? ({cut} teratas, periode {days} hari)",
        "en": "Do early warnings help? (top {cut}, periods of {days} days)",
    },
    "warn_forecast": {"id": "ramalan saja", "en": "forecast alone"},
    "warn_tuned": {
        "id": "ramalan + informasi dini (bobot dari periode sebelumnya)",
        "en": "forecast + warnings (weight from earlier periods)",
    },
    "warn_cells": {"id": "sel berinformasi dini saja", "en": "warning cells alone"},
    "warn_note": {
        "id": "PAI sel berinformasi dini saja = kejadian di sel itu dibanding yang diharapkan "
        "dari luasnya secara acak (1 = acak), berapa pun luas yang ditandai.",
        "en": "PAI of the warning cells alone = their incidents against what their area "
        "would get by chance (1 = random), whatever the flagged area.",
    },
    "col_periods": {"id": "Periode", "en": "Periods"},
    "col_unit": {"id": "Wilayah", "en": "Jurisdiction"},
    "col_model": {"id": "Model", "en": "Model"},
    "col_n": {"id": "Kejadian uji", "en": "Test incidents"},
    "col_hit": {"id": "Tingkat tangkap", "en": "Hit rate"},
    "col_hit_ci": {"id": "Tangkap 95%", "en": "Hit 95%"},
    "col_pai": {"id": "PAI", "en": "PAI"},
    "chosen_head": {"id": "Model yang dipilih:", "en": "Models chosen:"},
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
    "no_events": {
        "id": "{unit}: tidak ada kejadian di wilayah ini pada periode uji; tidak ada angka "
        "untuk diuji.",
        "en": "{unit}: no incidents in this area in the test period(s); nothing to test.",
    },
    "read": {
        "id": "{n} kejadian dipakai, {bad} baris ditolak (lihat berkas sumber).",
        "en": "{n} incidents used, {bad} rows rejected (see the source file).",
    },
    "testing": {"id": "Menguji periode", "en": "Testing periods"},
    "written": {"id": "Tabel metrik ditulis ke {path}", "en": "Metrics table written to {path}"},
    "note": {
        "id": "PAI = (n/N)/(a/A): 1 = acak; PEI = n/n_maks: 1 = sempurna. Luas dalam km² sel "
        "yang dipotong batas wilayah; PAI dan PEI rata-rata per periode, tingkat tangkap "
        "gabungan; selang 95% (Wilson, bootstrap).",
        "en": "PAI = (n/N)/(a/A): 1 = random; PEI = n/n_max: 1 = perfect. Area in km² of the "
        "cells clipped to the jurisdiction; PAI and PEI are means over periods, the hit rate "
        "pooled; 95% intervals (Wilson, bootstrap).",
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
        area_share: Annotated[
            list[str] | None,
            typer.Option("--area-share", help=tr(MESSAGES, "opt_share", lang)),
        ] = None,
        area_km2: Annotated[
            list[float] | None,
            typer.Option("--area-km2", help=tr(MESSAGES, "opt_km2", lang)),
        ] = None,
        region: Annotated[
            str | None, typer.Option("--region", help=tr(MESSAGES, "opt_region", lang))
        ] = None,
        sheet: Annotated[str | None, sheet_option(lang)] = None,
        text_column: Annotated[str | None, text_column_option(lang)] = None,
        columns: Annotated[str | None, columns_option(lang)] = None,
        warnings_file: Annotated[
            Path | None,
            typer.Option("--warnings", help=tr(MESSAGES, "opt_warnings", lang)),
        ] = None,
        days: Annotated[
            int, typer.Option("--days", min=1, help=tr(MESSAGES, "opt_days", lang))
        ] = 7,
    ) -> None:

        from kamtibmas_geo._tables import write_table
        from kamtibmas_geo._validate import check_choice
        from kamtibmas_geo.calendar._dates import overrides_from_dates
        from kamtibmas_geo.evaluate._backtest import BacktestOptions, FewEventsWarning, backtest

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
        warns = None
        if warnings_file is not None:
            warns = _read_warnings(
                st, warnings_file, settings, own=boundaries is not None, options=reading
            )
        polygons = read_polygons(boundaries, lg) if boundaries is not None else None
        shares = [_share(v, lg) for v in area_share or []]
        km2 = list(area_km2 or [])
        options = BacktestOptions(bandwidth_m=bandwidth, overrides=overrides)
        if shares or km2:
            options = dataclasses.replace(options, area_shares=shares, area_km2=km2)

        with Progress(
            TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
            console=st.console, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task(tr(MESSAGES, "testing", lg), total=None)

            def _tick(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=label)

            with warnings.catch_warnings():
                # printed below in the user's language, from the result
                warnings.simplefilter("ignore", FewEventsWarning)
                result = backtest(
                    frame,
                    periods=period or None,
                    res=settings.res,
                    boundaries=polygons,
                    region=region,
                    options=options,
                    settings=settings,
                    progress=_tick,
                )
        st.console.print(columns_line(records.name, frame, lg), soft_wrap=True)
        read = tr(MESSAGES, "read", lg, n=count(len(frame), lg), bad=count(n_rejected, lg))
        st.console.print(read)
        _print(st, result)
        if warns is not None:
            _warning_test(st, settings, frame, warns, polygons, region, shares, km2, days)
        if out is not None:
            write_table(result.to_frame(), out, inputs=st.inputs, lang=lg)
            st.console.print(tr(MESSAGES, "written", lg, path=out), soft_wrap=True)


def _read(
    st: Any, path: Path, kind: str, settings: Any, *, own: bool, options: ReadOptions
) -> tuple[Any, int]:
    with st.console.status(Text(tr(MESSAGES, "reading", st.lang, path=path))):
        return read_placed(path, kind, settings, st.lang, own=own, options=options)


def _read_warnings(st: Any, path: Path, settings: Any, *, own: bool, options: ReadOptions) -> Any:
    with st.console.status(Text(tr(MESSAGES, "warn_reading", st.lang, path=path))):
        warns, bad = read_placed(
            path, "early_warning", settings, st.lang, own=own, options=options, strict=False
        )
    st.console.print(columns_line(path.name, warns, st.lang), soft_wrap=True)
    n, n_bad = count(len(warns), st.lang), count(bad, st.lang)
    st.console.print(tr(MESSAGES, "warn_read", st.lang, n=n, bad=n_bad))
    return warns


def _warning_test(
    st: Any,
    settings: Any,
    frame: Any,
    warns: Any,
    polygons: Any,
    region: str | None,
    shares: list[float],
    km2: list[float],
    days: int,
) -> None:
    """Run the early-warning backtest and print its table and sentence per kabupaten/kota."""
    from kamtibmas_geo.evaluate._early import FewWarningsWarning, warning_backtest

    lg = st.lang
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewWarningsWarning)  # the sentence below says it
        bt = warning_backtest(
            frame, warns, res=settings.res, region=region, boundaries=polygons, days=days,
            area_share=shares[0] if shares else 0.05, area_km2=km2[0] if km2 else None,
            settings=settings,
        )  # fmt: skip
    table = Table(title=tr(MESSAGES, "warn_title", lg, cut=bt.cut, days=bt.days))
    for key in (
        "col_unit",
        "col_model",
        "col_periods",
        "col_n",
        "col_hit",
        "col_hit_ci",
        "col_pai",
    ):
        table.add_column(tr(MESSAGES, key, lg))
    fair = bt.table[bt.table["fair"]] if len(bt.table) else bt.table
    rows: list[Any] = list(fair.itertuples(index=False))
    for r in rows:
        name = _STRATEGY.get(str(r.strategy), "warn_tuned")
        table.add_row(
            str(r.jurisdiction), tr(MESSAGES, name, lg), count(r.n_periods, lg),
            count(r.n_test, lg), share(r.hit_rate, 1, lg),
            _percent_range((r.hit_rate_lo, r.hit_rate_hi), lg),
            num(r.pai, 2, lg),
        )  # fmt: skip
    st.console.print(table)
    st.console.print(tr(MESSAGES, "warn_note", lg), soft_wrap=True)
    st.console.print(bt.describe(lg), soft_wrap=True, markup=False)


_STRATEGY = {"forecast": "warn_forecast", "warning_cells": "warn_cells"}


def _share(value: str, lang: Language) -> float:
    """Return ``"0.5%"`` or ``"0.005"`` as 0.005."""
    text = value.strip().replace(",", ".")
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise SettingsError(tr(MESSAGES, "bad_share", lang, value=value)) from None


def _print(st: Any, result: Any) -> None:
    """Print the backtest table, the periods, the chosen models and the notes.

    A jurisdiction without a single test incident gets one sentence instead of rows of
    undefined metrics; no number shown is ``nan``.
    """
    from kamtibmas_geo.evaluate._backtest import MIN_TEST_EVENTS, FewEventsWarning

    lg = st.lang
    summary = result.summary(lg)
    title = result.format(lg).splitlines()[0]
    unit_col, n_col = summary.columns[0], summary.columns[3]
    empty = [u for u, n in summary.groupby(unit_col, sort=False)[n_col].sum().items() if n == 0]
    table = Table(title=title)
    for i, col in enumerate(summary.columns):
        table.add_column(str(col), justify="left" if i < 3 else "right")
    for row in summary.itertuples(index=False):
        values: tuple[Any, ...] = tuple(row)
        unit, model, area, n, hit, hit_ci, pai, pai_ci, pei = values
        if unit in empty:
            continue
        table.add_row(
            str(unit), str(model), str(area), count(n, lg), share(hit, 1, lg),
            _percent_range(hit_ci, lg), num(pai, 2, lg),
            interval(pai_ci, lg, digits=2), num(pei, 2, lg),
        )  # fmt: skip
    if table.row_count:
        st.console.print(table)
    else:
        st.console.print(title, soft_wrap=True, markup=False)
    for unit in empty:
        st.console.print(tr(MESSAGES, "no_events", lg, unit=unit), soft_wrap=True, markup=False)
    if not len(result.periods):
        st.console.print(result.format(lg).splitlines()[-1])
        return
    periods = ", ".join(
        f"{r.period} ({count(r.n_test, lg)})" for r in result.periods.itertuples(index=False)
    )
    st.console.print(periods, soft_wrap=True)
    _print_choices(st, result, empty)
    st.console.print(tr(MESSAGES, "note", lg), soft_wrap=True)
    few = result.table.drop_duplicates(["period", "kabupaten_code"])
    few = few[(few["n_test"] < MIN_TEST_EVENTS) & ~few["jurisdiction"].isin(empty)]
    for r in few.itertuples(index=False):
        text = FewEventsWarning(str(r.period), str(r.jurisdiction), int(r.n_test)).text(lg)
        st.console.print(text, soft_wrap=True, markup=False, style="yellow")


def _percent_range(values: Any, lg: Language) -> str:
    """Return a 95% interval of a share as ``9%–32%`` (``-`` where it is unknown)."""
    text = interval(values, lg, percent=True, digits=0)
    return text if text == "-" else "–".join(f"{part}%" for part in text.split("–"))


def _print_choices(st: Any, result: Any, empty: list[str]) -> None:
    """Print the model chosen per period and jurisdiction (none for one without incidents)."""
    lines = []
    for (label, code), sel in result.selections.items():
        unit = result.choices.set_index(["period", "kabupaten_code"]).loc[(label, code)]
        if unit["jurisdiction"] not in empty:
            lines.append(f"  {label}, {unit['jurisdiction']}: {sel.describe(st.lang)}")
    if lines:
        st.console.print(tr(MESSAGES, "chosen_head", st.lang))
    for line in lines:
        st.console.print(line, soft_wrap=True, markup=False)
