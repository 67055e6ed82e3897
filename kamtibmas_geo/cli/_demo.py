"""``kamtibmas-geo demo``: the whole job on the built-in sample data."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import state
from kamtibmas_geo.config import Language

MESSAGES = {
    "cmd": {
        "id": "Jalankan seluruh alur pada data contoh: geokode, skor titik rawan menjelang "
        "Ramadhan, uji balik, usulan Poskamling, rencana patroli, dan peta.",
        "en": "Run the whole pipeline on the sample data: geocoding, hotspot scores ahead of "
        "Ramadhan, backtest, Poskamling proposals, patrol plans and the map.",
    },
    "opt_out": {"id": "Folder keluaran.", "en": "Output folder."},
    "opt_seed": {"id": "Benih acak data contoh.", "en": "Random seed of the sample data."},
    "opt_res": {"id": "Resolusi H3.", "en": "H3 resolution."},
    "opt_target": {"id": "Periode sasaran.", "en": "Target period."},
    "opt_png": {"id": "Simpan juga gambar PNG peta.", "en": "Also save a PNG of the map."},
    "ledger": {"id": "Buku besar baris (ledger)", "en": "Row ledger"},
    "kind_disturbance": {"id": "Gangguan", "en": "Disturbances"},
    "kind_activity": {"id": "Kegiatan", "en": "Activities"},
    "col_item": {"id": "Butir", "en": "Item"},
    "top": {"id": "10 sel paling rawan ({target})", "en": "Top 10 cells ({target})"},
    "col_kec": {"id": "Kecamatan", "en": "Kecamatan"},
    "col_desa": {"id": "Desa/Kel.", "en": "Desa/Kel."},
    "col_score": {"id": "Skor", "en": "Score"},
    "col_gi": {"id": "Gi*", "en": "Gi*"},
    "backtest": {"id": "Uji balik Ramadhan lalu", "en": "Backtest of the last Ramadhan"},
    "plans": {"id": "Usulan Poskamling per Polres", "en": "Poskamling proposals per Polres"},
    "col_polres": {"id": "Polres", "en": "Polres"},
    "col_posts": {"id": "Pos baru", "en": "New posts"},
    "col_before": {"id": "Cakupan sebelum", "en": "Coverage before"},
    "col_after": {"id": "Cakupan sesudah", "en": "Coverage after"},
    "col_status": {"id": "Status (celah)", "en": "Status (gap)"},
    "written": {"id": "Berkas yang ditulis", "en": "Files written"},
    "done": {
        "id": "Selesai dalam {seconds:.0f} detik.",
        "en": "Finished in {seconds:.0f} seconds.",
    },
}

#: What each written file is, for staff.
FILE_LABELS = {
    "input_gangguan_csv": {"id": "Data contoh: gangguan", "en": "Sample: disturbances"},
    "input_kegiatan_csv": {"id": "Data contoh: kegiatan", "en": "Sample: activities"},
    "input_poskamling_csv": {"id": "Data contoh: Poskamling", "en": "Sample: Poskamling"},
    "rejected": {"id": "Baris ditolak + alasan", "en": "Rejected rows + reasons"},
    "cells_parquet": {"id": "Tabel sel rawan", "en": "Hotspot cell table"},
    "backtest": {"id": "Uji balik", "en": "Backtest"},
    "posts": {"id": "Usulan Poskamling", "en": "Proposed Poskamling"},
    "patrol_csv": {"id": "Rencana patroli (CSV)", "en": "Patrol plan (CSV)"},
    "patrol_html": {"id": "Rencana patroli (cetak)", "en": "Patrol plan (printable)"},
    "map": {"id": "Peta (HTML, luring)", "en": "Map (HTML, offline)"},
    "png": {"id": "Peta (PNG)", "en": "Map (PNG)"},
    "png_static": {
        "id": "Peta (PNG, digambar tanpa Chromium)",
        "en": "Map (PNG, drawn without Chromium)",
    },
}


def register(app: typer.Typer, lang: Language) -> None:
    """Add the ``demo`` command to ``app``.

    Parameters
    ----------
    app : typer.Typer
        The root app.
    lang : {"id", "en"}
        Language of help texts.
    """

    @app.command("demo", help=tr(MESSAGES, "cmd", lang))
    def _demo(
        ctx: typer.Context,
        out: Annotated[Path, typer.Option("--out", help=tr(MESSAGES, "opt_out", lang))] = Path(
            "demo_out"
        ),
        seed: Annotated[int, typer.Option("--seed", help=tr(MESSAGES, "opt_seed", lang))] = 7,
        res: Annotated[int, typer.Option("--res", help=tr(MESSAGES, "opt_res", lang))] = 9,
        target: Annotated[
            str, typer.Option("--target", help=tr(MESSAGES, "opt_target", lang))
        ] = "ramadhan-1448",
        png: Annotated[
            bool, typer.Option("--png/--no-png", help=tr(MESSAGES, "opt_png", lang))
        ] = True,
    ) -> None:
        from kamtibmas_geo.demo import _output_folder, run_demo

        st = state(ctx)
        lg = st.lang
        _output_folder(out, lg)  # refuse a file before the progress bar starts
        result = _run_with_progress(run_demo, out, seed, res, target, png, st)
        for table in (
            _ledger_table(result, lg),
            _top_table(result, lg),
            _backtest_table(result, lg),
            _plans_table(result, lg),
        ):
            st.console.print(table)
        st.console.print(Text(f"{tr(MESSAGES, 'written', lg)}:", style="bold"))
        for key, path in result.files.items():
            label = tr(FILE_LABELS, key, lg) if key in FILE_LABELS else key
            st.console.print(f"  {label:<28} {path}", soft_wrap=True)
        st.console.print(tr(MESSAGES, "done", lg, seconds=result.total_seconds))


def _run_with_progress(
    run_demo: Any, out: Path, seed: int, res: int, target: str, png: bool, st: Any
) -> Any:
    """Run the demo with a progress bar of its seven steps."""
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=st.console,
        transient=False,
    ) as bar:
        task = bar.add_task("…", total=7)

        def report(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=label or "✓")

        return run_demo(
            out,
            seed=seed,
            res=res,
            target=target,
            png=png,
            settings=st.settings,
            lang=st.lang,
            progress=report,
        )


def _ledger_table(result: Any, lg: Language) -> Table:
    """Return the ledger: rows read, accepted and rejected by reason, for both kinds."""
    table = Table(title=tr(MESSAGES, "ledger", lg))
    table.add_column(tr(MESSAGES, "col_item", lg))
    for kind in ("disturbance", "activity"):
        table.add_column(tr(MESSAGES, f"kind_{kind}", lg), justify="right")
    led = result.ledger
    for code in dict.fromkeys(led["code"]):
        rows = led[led["code"] == code]
        counts = [rows.loc[rows["kind"] == k, "count"].sum() for k in ("disturbance", "activity")]
        if code != "rows_in" and not any(counts):
            continue
        table.add_row(str(rows["description"].iloc[0]), *(f"{int(c):,}" for c in counts))
    return table


def _top_table(result: Any, lg: Language) -> Table:
    """Return the table of the riskiest cells ahead of the target."""
    top = Table(title=tr(MESSAGES, "top", lg, target=result.target))
    for key in ("col_kec", "col_desa", "col_score", "col_gi"):
        top.add_column(tr(MESSAGES, key, lg))
    for row in result.top_cells.itertuples():
        top.add_row(
            str(row.kecamatan_name), str(row.desa_name), f"{row.score:.2f}", str(row.gi_label)
        )
    return top


def _backtest_table(result: Any, lg: Language) -> Table:
    """Return the backtest's metrics as they were computed."""
    bt = Table(title=tr(MESSAGES, "backtest", lg))
    for col in result.backtest.columns:
        bt.add_column(str(col))
    for values in result.backtest.itertuples(index=False):
        bt.add_row(*(_cell(v) for v in values))
    return bt


def _cell(value: Any) -> str:
    """Return a number with three decimals, an interval as ``low–high``, text as it is."""
    import numbers

    if isinstance(value, tuple) and all(isinstance(v, numbers.Real) for v in value):
        return "–".join(f"{float(v):.3f}" for v in value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool | numbers.Integral):
        return f"{float(value):.3f}"
    return str(value)


def _plans_table(result: Any, lg: Language) -> Table:
    """Return the Poskamling plans per Polres: posts, coverage before and after, status."""
    plans = Table(title=tr(MESSAGES, "plans", lg))
    for key in ("col_polres", "col_posts", "col_before", "col_after", "col_status"):
        plans.add_column(tr(MESSAGES, key, lg))
    for row in result.plans.itertuples():
        plans.add_row(
            str(row.polres),
            str(row.n_posts),
            f"{row.coverage_before:.1%}",
            f"{row.coverage_after:.1%}",
            f"{row.status} ({row.gap:.2%})",
        )
    return plans
