"""``kamtibmas-geo poskamling`` and ``kamtibmas-geo patrol``: plans from cell scores."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kamtibmas_geo._errors import PlanError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import state
from kamtibmas_geo.config import Language

MESSAGES = {
    "cmd_posk": {
        "id": "Usulkan lokasi Poskamling baru yang mencakup risiko terbesar dalam radius "
        "(MCLP, HiGHS).",
        "en": "Propose new Poskamling sites covering the most risk within a radius (MCLP, HiGHS).",
    },
    "cmd_patrol": {
        "id": "Susun rencana patroli per Polsek dan waktu (sahur, subuh, ngabuburit, "
        "tarawih, malam).",
        "en": "Build patrol plans per Polsek and time window (sahur, subuh, ngabuburit, "
        "tarawih, night).",
    },
    "arg_cells": {
        "id": "Berkas skor sel dari `kamtibmas-geo hotspots` (.parquet, .geojson, .gpkg, .csv).",
        "en": "Cell scores from `kamtibmas-geo hotspots` (.parquet, .geojson, .gpkg, .csv).",
    },
    "opt_existing": {
        "id": "Pos yang sudah aktif (CSV: nama, lintang, bujur; atau GeoJSON).",
        "en": "Existing active posts (CSV: nama, lintang, bujur; or GeoJSON).",
    },
    "opt_cand": {
        "id": "Tempat calon pos (balai desa, masjid, pos RW); bawaan: pusat setiap sel.",
        "en": "Candidate places (balai desa, mosque, pos RW); default: every cell centre.",
    },
    "opt_new": {"id": "Jumlah pos baru.", "en": "Number of new posts."},
    "opt_radius": {"id": "Radius cakupan (meter).", "en": "Coverage radius (metres)."},
    "opt_spacing": {
        "id": "Jarak minimum antarpos (meter).",
        "en": "Minimum distance between posts (metres).",
    },
    "opt_budget": {
        "id": "Paling banyak pos baru per kecamatan.",
        "en": "At most this many new posts per kecamatan.",
    },
    "opt_gap": {
        "id": "Bobot tambahan untuk celah kegiatan (coverage_gap).",
        "en": "Extra weight of the activity coverage gap.",
    },
    "opt_method": {
        "id": "Metode: auto, exact atau greedy.",
        "en": "Method: auto, exact or greedy.",
    },
    "opt_time": {"id": "Batas waktu solver (detik).", "en": "Solver time limit (seconds)."},
    "opt_out_posk": {
        "id": "Berkas usulan pos (.geojson, .gpkg, .csv atau .xlsx).",
        "en": "Output file of proposed posts (.geojson, .gpkg, .csv or .xlsx).",
    },
    "opt_teams": {"id": "Jumlah tim patroli per Polsek per waktu.", "en": "Teams per Polsek."},
    "opt_windows": {
        "id": "Waktu patroli, dipisah koma (bawaan: sahur,subuh,ngabuburit,tarawih,malam).",
        "en": "Time windows, comma-separated (default: sahur,subuh,ngabuburit,tarawih,malam).",
    },
    "opt_top": {
        "id": "Sel per Polsek per waktu (bawaan: 2 × tim).",
        "en": "Cells per Polsek and window (default: 2 × teams).",
    },
    "opt_target": {"id": "Periode sasaran.", "en": "Target period."},
    "opt_out_patrol": {
        "id": "Berkas rencana patroli (.csv atau .xlsx).",
        "en": "Patrol plan file (.csv or .xlsx).",
    },
    "opt_html": {
        "id": "Juga tulis tabel cetak HTML per Polsek ke berkas ini.",
        "en": "Also write a printable HTML table per Polsek to this file.",
    },
    "bad_cells": {
        "id": "Berkas sel {path!r} harus berakhiran .parquet, .geojson, .gpkg atau .csv.",
        "en": "Cells file {path!r} must end in .parquet, .geojson, .gpkg or .csv.",
    },
    "missing": {"id": "Berkas {path!r} tidak ada.", "en": "File {path!r} does not exist."},
    "bad_out": {
        "id": "Berkas keluaran {path!r} harus berakhiran {allowed}.",
        "en": "Output file {path!r} must end in {allowed}.",
    },
    "reading": {"id": "Membaca {path}…", "en": "Reading {path}…"},
    "building": {"id": "Menyusun model cakupan…", "en": "Building the coverage model…"},
    "solving": {"id": "Mencari lokasi terbaik…", "en": "Searching for the best sites…"},
    "planning": {"id": "Menyusun rencana patroli…", "en": "Building the patrol plan…"},
    "writing": {"id": "Menulis {path}…", "en": "Writing {path}…"},
    "posk_summary": {
        "id": "{n} pos baru diusulkan (radius {radius:g} m, metode {method}, status {status}). "
        "Cakupan risiko: {before:.1%} oleh {n_ex} pos lama → {after:.1%} dengan pos baru. "
        "Nilai {obj:,.2f}, batas atas {bound:,.2f}, selisih {gap:.2%}; "
        "{unc:,} sel berisiko masih belum tercakup. Waktu solver {secs:.1f} dtk.",
        "en": "{n} new posts proposed (radius {radius:g} m, method {method}, status {status}). "
        "Risk covered: {before:.1%} by {n_ex} existing posts → {after:.1%} with the new ones. "
        "Objective {obj:,.2f}, bound {bound:,.2f}, gap {gap:.2%}; "
        "{unc:,} risky cells still uncovered. Solver time {secs:.1f} s.",
    },
    "patrol_summary": {
        "id": "Rencana patroli: {rows:,} kunjungan, {units} Polsek, {wins} waktu, {teams} tim; "
        "{high:,} kunjungan ke sel berisiko tinggi. Ditulis ke {path}.",
        "en": "Patrol plan: {rows:,} visits, {units} Polsek, {wins} windows, {teams} teams; "
        "{high:,} visits to high-risk cells. Written to {path}.",
    },
    "html_written": {"id": "Tabel cetak: {path}", "en": "Printable table: {path}"},
    "posts_title": {"id": "Usulan Poskamling", "en": "Proposed Poskamling"},
    "col_rank": {"id": "No", "en": "No"},
    "col_place": {"id": "Desa / Kecamatan", "en": "Desa / Kecamatan"},
    "col_site": {"id": "Lokasi", "en": "Site"},
    "col_gain": {"id": "Tambahan cakupan", "en": "Marginal gain"},
    "col_cells": {"id": "Sel", "en": "Cells"},
}

_CELL_SUFFIXES = (".parquet", ".geojson", ".gpkg", ".csv")


def _read_cells(path: Path, lang: str) -> Any:
    import geopandas as gpd
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix not in _CELL_SUFFIXES:
        raise PlanError(tr(MESSAGES, "bad_cells", lang, path=str(path)))
    if not path.is_file():
        raise PlanError(tr(MESSAGES, "missing", lang, path=str(path)))
    if suffix == ".parquet":
        try:
            return gpd.read_parquet(path)
        except ValueError:
            return pd.read_parquet(path)
    if suffix == ".csv":
        return pd.read_csv(path, dtype={"kecamatan_code": str, "desa_code": str})
    return gpd.read_file(path)


def _progress(console: Any) -> Progress:
    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def register(app: typer.Typer, lang: Language) -> None:
    """Add the ``poskamling`` and ``patrol`` commands to ``app``.

    Parameters
    ----------
    app : typer.Typer
        The root app.
    lang : {"id", "en"}
        Language of help texts.
    """

    @app.command("poskamling", help=tr(MESSAGES, "cmd_posk", lang))
    def _poskamling(
        ctx: typer.Context,
        cells_path: Annotated[Path, typer.Argument(help=tr(MESSAGES, "arg_cells", lang))],
        out: Annotated[Path, typer.Option("--out", help=tr(MESSAGES, "opt_out_posk", lang))],
        existing: Annotated[
            Path | None, typer.Option("--existing", help=tr(MESSAGES, "opt_existing", lang))
        ] = None,
        candidates: Annotated[
            Path | None, typer.Option("--candidates", help=tr(MESSAGES, "opt_cand", lang))
        ] = None,
        new: Annotated[int, typer.Option("--new", help=tr(MESSAGES, "opt_new", lang))] = 20,
        radius: Annotated[
            float | None, typer.Option("--radius", help=tr(MESSAGES, "opt_radius", lang))
        ] = None,
        min_spacing: Annotated[
            float | None, typer.Option("--min-spacing", help=tr(MESSAGES, "opt_spacing", lang))
        ] = None,
        budget: Annotated[
            int | None,
            typer.Option("--budget-per-kecamatan", help=tr(MESSAGES, "opt_budget", lang)),
        ] = None,
        gap_weight: Annotated[
            float, typer.Option("--gap-weight", help=tr(MESSAGES, "opt_gap", lang))
        ] = 0.0,
        method: Annotated[
            str, typer.Option("--method", help=tr(MESSAGES, "opt_method", lang))
        ] = "auto",
        time_limit: Annotated[
            float, typer.Option("--time-limit", help=tr(MESSAGES, "opt_time", lang))
        ] = 120.0,
    ) -> None:
        import pandas as pd

        from kamtibmas_geo._tables import write_table
        from kamtibmas_geo.plan._poskamling import PoskamlingOptions, PoskamlingPlan

        st = state(ctx)
        lg = st.lang
        allowed = (".geojson", ".gpkg", ".csv", ".xlsx")
        if out.suffix.lower() not in allowed:
            msg = tr(MESSAGES, "bad_out", lg, path=str(out), allowed=", ".join(allowed))
            raise PlanError(msg)
        with _progress(st.console) as progress:
            task = progress.add_task(tr(MESSAGES, "reading", lg, path=cells_path.name), total=4)
            cells = _read_cells(cells_path, lg)
            progress.advance(task)
            progress.update(task, description=tr(MESSAGES, "building", lg))
            plan = PoskamlingPlan.from_scores(
                cells,
                p=new,
                radius=radius,
                existing=existing,
                candidates=candidates,
                options=PoskamlingOptions(
                    min_spacing=min_spacing, budget_per_kecamatan=budget, gap_weight=gap_weight
                ),
                settings=st.settings,
            )
            progress.advance(task)
            progress.update(task, description=tr(MESSAGES, "solving", lg))
            plan.solve(method, time_limit=time_limit)  # type: ignore[arg-type]
            progress.advance(task)
            progress.update(task, description=tr(MESSAGES, "writing", lg, path=out.name))
            posts = plan.posts
            if out.suffix.lower() in {".csv", ".xlsx"}:
                posts = pd.DataFrame(posts.drop(columns="geometry"))
            write_table(posts, out, inputs=st.inputs, lang=lg)
            progress.advance(task)
        st.console.print(_posts_table(plan.posts, lg))
        st.console.print(_plan_summary(plan.summary(), lg), soft_wrap=True)

    @app.command("patrol", help=tr(MESSAGES, "cmd_patrol", lang))
    def _patrol(
        ctx: typer.Context,
        cells_path: Annotated[Path, typer.Argument(help=tr(MESSAGES, "arg_cells", lang))],
        out: Annotated[Path, typer.Option("--out", help=tr(MESSAGES, "opt_out_patrol", lang))],
        teams: Annotated[int, typer.Option("--teams", help=tr(MESSAGES, "opt_teams", lang))] = 6,
        windows: Annotated[
            str | None, typer.Option("--windows", help=tr(MESSAGES, "opt_windows", lang))
        ] = None,
        top_n: Annotated[
            int | None, typer.Option("--top", help=tr(MESSAGES, "opt_top", lang))
        ] = None,
        target: Annotated[
            str, typer.Option("--target", help=tr(MESSAGES, "opt_target", lang))
        ] = "ramadhan-1448",
        html_out: Annotated[
            Path | None, typer.Option("--html", help=tr(MESSAGES, "opt_html", lang))
        ] = None,
    ) -> None:
        from kamtibmas_geo._tables import write_table
        from kamtibmas_geo.plan._poskamling import patrol_html, patrol_plan

        st = state(ctx)
        lg = st.lang
        if out.suffix.lower() not in {".csv", ".xlsx"}:
            raise PlanError(tr(MESSAGES, "bad_out", lg, path=str(out), allowed=".csv, .xlsx"))
        wins = [w.strip() for w in windows.split(",") if w.strip()] if windows else None
        with _progress(st.console) as progress:
            task = progress.add_task(tr(MESSAGES, "reading", lg, path=cells_path.name), total=3)
            cells = _read_cells(cells_path, lg)
            progress.advance(task)
            progress.update(task, description=tr(MESSAGES, "planning", lg))
            plan = patrol_plan(
                cells,
                teams=teams,
                windows=wins,
                target=target,
                top_n=top_n,
                settings=st.settings,
                lang=lg,
            )
            progress.advance(task)
            progress.update(task, description=tr(MESSAGES, "writing", lg, path=out.name))
            write_table(plan, out, inputs=st.inputs, lang=lg)
            if html_out is not None:
                patrol_html(plan, html_out, lang=lg)
            progress.advance(task)
        st.console.print(
            tr(
                MESSAGES,
                "patrol_summary",
                lg,
                rows=len(plan),
                units=plan["kecamatan"].nunique(),
                wins=plan["window"].nunique(),
                teams=teams,
                high=int(plan["high_risk"].sum()),
                path=str(out),
            ),
            soft_wrap=True,
        )
        if html_out is not None:
            st.console.print(tr(MESSAGES, "html_written", lg, path=str(html_out)), soft_wrap=True)


def _posts_table(posts: Any, lg: Language) -> Table:
    """Return the table of the first 30 proposed posts: rank, site, place, gain, cells."""
    table = Table(title=tr(MESSAGES, "posts_title", lg))
    for key in ("col_rank", "col_site", "col_place", "col_gain", "col_cells"):
        table.add_column(tr(MESSAGES, key, lg))
    for row in posts.head(30).itertuples():
        names = (row.desa_name, row.kecamatan_name)
        place = " / ".join(str(x) for x in names if isinstance(x, str))
        table.add_row(
            str(row.rank),
            str(row.nama),
            place or "-",
            f"{row.marginal_gain:,.2f}",
            str(row.n_cells),
        )
    return table


def _plan_summary(s: dict[str, Any], lg: Language) -> str:
    """One line: posts, radius, method and status, coverage before and after, gap, time."""
    return tr(
        MESSAGES,
        "posk_summary",
        lg,
        n=s["n_posts"],
        radius=s["radius_m"],
        method=s["method"],
        status=s["status"],
        before=s["coverage_before"],
        n_ex=s["n_existing"],
        after=s["coverage_after"],
        obj=s["objective"],
        bound=s["bound"],
        gap=s["gap"],
        unc=s["n_uncovered"],
        secs=s["solve_seconds"],
    )
