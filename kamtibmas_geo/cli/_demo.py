"""``kamtibmas-geo demo``: the whole job on the built-in sample data."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import state
from kamtibmas_geo.cli._format import interval as _interval
from kamtibmas_geo.cli._format import num as _num
from kamtibmas_geo.cli._format import share as _share
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
    "top": {
        "id": "Sel paling rawan menjelang {target}, per Polres",
        "en": "Riskiest cells ahead of {target}, per Polres",
    },
    "col_n": {"id": "Kejadian", "en": "Incidents"},
    "col_trend": {"id": "Tren", "en": "Trend"},
    "col_kec": {"id": "Kecamatan", "en": "Kecamatan"},
    "col_desa": {"id": "Desa/Kel.", "en": "Desa/Kel."},
    "col_score": {"id": "Skor", "en": "Score"},
    "col_gi": {"id": "Gi*", "en": "Gi*"},
    "backtest": {
        "id": "Uji balik Ramadhan lalu: {unit}, {n} kejadian uji",
        "en": "Backtest of the last Ramadhan: {unit}, {n} test incidents",
    },
    "col_hit": {"id": "Tingkat tangkap (95%)", "en": "Hit rate (95%)"},
    "col_pai": {"id": "PAI (95%)", "en": "PAI (95%)"},
    "plans": {"id": "Usulan Poskamling per Polres", "en": "Poskamling proposals per Polres"},
    "col_polres": {"id": "Polres", "en": "Polres"},
    "col_posts": {"id": "Pos baru", "en": "New posts"},
    "col_before": {"id": "Cakupan sebelum", "en": "Coverage before"},
    "col_after": {"id": "Cakupan sesudah", "en": "Coverage after"},
    "col_status": {"id": "Status", "en": "Status"},
    "status_optimal": {"id": "optimal", "en": "optimal"},
    "status_time_limit": {
        "id": "batas waktu (celah {gap})",
        "en": "time limit (gap {gap})",
    },
    "status_greedy": {"id": "heuristik (celah ≤ {gap})", "en": "heuristic (gap ≤ {gap})"},
    "status_empty": {"id": "tidak ada pos baru", "en": "no new post"},
    "status_unsolved": {"id": "belum diselesaikan", "en": "not solved"},
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
    "input_informasi_dini_csv": {
        "id": "Data contoh: informasi dini",
        "en": "Sample: early warnings",
    },
    "rejected": {"id": "Baris ditolak + alasan", "en": "Rejected rows + reasons"},
    "cells_parquet": {"id": "Tabel sel rawan", "en": "Hotspot cell table"},
    "backtest": {"id": "Uji balik", "en": "Backtest"},
    "posts": {"id": "Usulan Poskamling", "en": "Proposed Poskamling"},
    "patrol_csv": {"id": "Rencana patroli (CSV)", "en": "Patrol plan (CSV)"},
    "patrol_teams": {"id": "Pembagian tim per Polsek", "en": "Teams per Polsek"},
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
            *_backtest_tables(result, lg),
            _plans_table(result, lg),
        ):
            st.console.print(table)
        st.console.print(Text(f"{tr(MESSAGES, 'written', lg)}:", style="bold"))
        for key, path in result.files.items():
            label = tr(FILE_LABELS, key, lg) if key in FILE_LABELS else path.name
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


def _target_label(target: str) -> str:
    """Return ``"Ramadhan 1448 H"`` for ``"ramadhan-1448"``, other periods as given."""
    kind, _, year = target.partition("-")
    if kind.lower() == "ramadhan" and year.isdigit() and int(year) < 1600:
        return f"Ramadhan {year} H"
    if kind.lower() == "ramadhan" and year.isdigit():
        return f"Ramadhan {year}"
    return target


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
        label = _ledger_label(rows, str(code), lg)
        table.add_row(label, *(_num(c, 0, lg) for c in counts))
    return table


def _ledger_label(rows: Any, code: str, lg: Language) -> str:
    """Return a ledger row's label; a reason of rejection indented under 'rows rejected'."""
    label = str(rows["description"].iloc[0])
    if rows["group"].iloc[0] != "rejected" or code == "rejected":
        return label
    return f"  {label}"


def _top_table(result: Any, lg: Language) -> Table:
    """Return the riskiest cells of each Polres ahead of the target, as staff name places."""
    top = Table(title=tr(MESSAGES, "top", lg, target=_target_label(result.target)))
    for key in ("col_polres", "col_kec", "col_desa", "col_n", "col_score", "col_gi", "col_trend"):
        top.add_column(
            tr(MESSAGES, key, lg), justify="right" if key in ("col_n", "col_score") else "left"
        )
    frame = result.top_cells
    for i, row in enumerate(frame.itertuples()):
        first = i == 0 or frame["polres"].iloc[i - 1] != row.polres
        if first and i:
            top.add_section()
        top.add_row(
            str(row.polres) if first else "",
            str(row.kecamatan_label),
            str(row.desa_label),
            str(row.n_incidents_text),
            _num(row.score, 1, lg),
            str(row.gi_label),
            str(row.trend_label),
        )
    return top


def _backtest_tables(result: Any, lg: Language) -> list[Table]:
    """Return one backtest table per jurisdiction: model, area, hit rate, PAI, PEI."""
    summary = result.backtest
    if summary.empty:
        return []
    tables = []
    cols = list(summary.columns)  # jurisdiction, model, share, n_test, hit, hit_ci, pai, ...
    for unit, rows in summary.groupby(cols[0], sort=False):
        n = _num(int(rows[cols[3]].iloc[0]), 0, lg)
        table = Table(title=tr(MESSAGES, "backtest", lg, unit=unit, n=n))
        for name, right in ((cols[1], False), (cols[2], True), (tr(MESSAGES, "col_hit", lg), True),
                            (tr(MESSAGES, "col_pai", lg), True), (cols[8], True)):  # fmt: skip
            table.add_column(str(name), justify="right" if right else "left")
        for i, (_u, model, share, _n, hit, hit_ci, pai, pai_ci, pei) in enumerate(
            rows.itertuples(index=False)
        ):
            first = i == 0 or rows[cols[1]].iloc[i - 1] != model
            if first and i:
                table.add_section()
            table.add_row(
                str(model) if first else "",
                str(share),
                f"{_share(hit, 1, lg)} ({_interval(hit_ci, lg, percent=True)})",
                f"{_num(pai, 1, lg)} ({_interval(pai_ci, lg)})",
                _num(pei, 2, lg),
            )
        tables.append(table)
    return tables


def _plans_table(result: Any, lg: Language) -> Table:
    """Return the Poskamling plans per Polres: posts, coverage before and after, status."""
    plans = Table(title=tr(MESSAGES, "plans", lg))
    for key in ("col_polres", "col_posts", "col_before", "col_after", "col_status"):
        plans.add_column(tr(MESSAGES, key, lg), justify="right" if key != "col_polres" else "left")
    for row in result.plans.itertuples():
        plans.add_row(
            str(row.polres),
            _num(row.n_posts, 0, lg),
            _share(row.coverage_before, 1, lg),
            _share(row.coverage_after, 1, lg),
            _status(str(row.status), float(row.gap), lg),
        )
    return plans


def _status(status: str, gap: float, lg: Language) -> str:
    """Return the solver's status in words, with the gap when the plan may not be the best."""
    key = f"status_{status}"
    if key not in MESSAGES:
        return status
    gap_text = _share(gap, 1, lg) if gap == gap else "-"
    return tr(MESSAGES, key, lg, gap=gap_text)
