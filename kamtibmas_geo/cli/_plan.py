"""``kamtibmas-geo poskamling`` and ``kamtibmas-geo patrol``: plans from cell scores."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

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
    "cmd_posk": {
        "id": "Usulkan lokasi Poskamling baru yang mencakup risiko terbesar dalam radius "
        "(MCLP, HiGHS).",
        "en": "Propose new Poskamling sites covering the most risk within a radius (MCLP, HiGHS).",
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
    "writing": {"id": "Menulis {path}…", "en": "Writing {path}…"},
    "posk_summary": {
        "id": "{n} pos baru diusulkan (radius {radius} m; cara hitung {method}; hasil {status}). "
        "Cakupan risiko: {before} oleh {n_ex} pos lama → {after} dengan pos baru. "
        "Mutu usulan: skor risiko yang tercakup {obj}, sedangkan yang paling banyak mungkin "
        "dicapai {bound}; usulan ini paling jauh {gap} di bawah susunan terbaik. "
        "{unc} sel berisiko masih belum tercakup. Waktu hitung {secs} dtk.",
        "en": "{n} new posts proposed (radius {radius} m; computed {method}; result {status}). "
        "Risk covered: {before} by {n_ex} existing posts → {after} with the new ones. "
        "Quality: risk score covered {obj}, while at most {bound} could be reached; this plan "
        "is at most {gap} below the best possible layout. "
        "{unc} risky cells still uncovered. Solver time {secs} s.",
    },
    "m_exact": {"id": "eksak (HiGHS)", "en": "exactly (HiGHS)"},
    "m_greedy": {"id": "cepat bertahap (greedy)", "en": "fast step by step (greedy)"},
    "s_optimal": {"id": "terbukti optimal", "en": "proven optimal"},
    "s_time_limit": {
        "id": "terbaik yang ditemukan sebelum batas waktu",
        "en": "best found before the time limit",
    },
    "s_greedy": {"id": "perkiraan", "en": "approximate"},
    "s_empty": {"id": "tidak ada pos baru", "en": "no new posts"},
    "s_unsolved": {"id": "belum dihitung", "en": "not solved"},
    "posts_title": {"id": "Usulan Poskamling", "en": "Proposed Poskamling"},
    "opt_region_posk": {
        "id": "Kabupaten/kota yang direncanakan (kode atau nama, beberapa dipisah koma); "
        "bawaan auto: setiap kabupaten/kota di tabel sel, masing-masing --new pos baru.",
        "en": "Kabupaten/kota to plan (code or name, several separated by commas); default "
        "auto: every kabupaten/kota of the cell table, --new posts each.",
    },
    "col_rank": {"id": "No", "en": "No"},
    "col_site": {"id": "Lokasi (desa/kelurahan, kecamatan)", "en": "Site (desa, kecamatan)"},
    "col_latlon": {"id": "Lintang, bujur", "en": "Lat, lon"},
    "col_hex": {"id": "Sel H3", "en": "H3 cell"},
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
        sheet: Annotated[str | None, sheet_option(lang)] = None,
        columns: Annotated[str | None, columns_option(lang)] = None,
        region: Annotated[
            str, typer.Option("--region", help=tr(MESSAGES, "opt_region_posk", lang))
        ] = "auto",
    ) -> None:
        import pandas as pd

        from kamtibmas_geo._tables import write_table
        from kamtibmas_geo.cli._hotspots import region_arg
        from kamtibmas_geo.plan._poskamling import PoskamlingOptions, plan_poskamling

        st = state(ctx)
        lg = st.lang
        allowed = (".geojson", ".gpkg", ".csv", ".xlsx")
        if out.suffix.lower() not in allowed:
            msg = tr(MESSAGES, "bad_out", lg, path=str(out), allowed=", ".join(allowed))
            raise PlanError(msg)
        with _progress(st.console) as progress:
            task = progress.add_task(tr(MESSAGES, "reading", lg, path=cells_path.name), total=4)
            cells = _read_cells(cells_path, lg)
            reading = ReadOptions.parse(sheet, None, columns)
            places = {
                kind: None if path is None else read_place_file(path, kind, lg, reading)
                for kind, path in (("posts", existing), ("candidates", candidates))
            }
            progress.advance(task)
            progress.update(task, description=tr(MESSAGES, "solving", lg))
            # one plan per kabupaten/kota of the cells (each Polres plans its own)
            plan = plan_poskamling(
                cells,
                p=new,
                radius=radius,
                existing=places["posts"],
                candidates=places["candidates"],
                method=method,  # type: ignore[arg-type]
                time_limit=time_limit,
                options=PoskamlingOptions(
                    min_spacing=min_spacing, budget_per_kecamatan=budget, gap_weight=gap_weight
                ),
                settings=st.settings,
                region=region_arg(region),
            )
            progress.advance(task, 2)
            progress.update(task, description=tr(MESSAGES, "writing", lg, path=out.name))
            posts = plan.posts
            if out.suffix.lower() in {".csv", ".xlsx"}:
                posts = pd.DataFrame(posts.drop(columns="geometry"))
            write_table(posts, out, inputs=st.inputs, lang=lg)
            progress.advance(task)
        for path, frame in ((existing, places["posts"]), (candidates, places["candidates"])):
            if path is not None:
                st.console.print(columns_line(path.name, frame, lg), soft_wrap=True)
        st.console.print(_posts_table(plan.posts, lg))
        st.console.print(_plan_summary(plan.summary(), lg), soft_wrap=True)

    from kamtibmas_geo.cli._patrol import register_patrol

    register_patrol(app, lang)


def _posts_table(posts: Any, lg: Language) -> Table:
    """Return the table of the first 30 proposed posts: rank, place, lat/lon, gain, cells, id."""
    table = Table(title=tr(MESSAGES, "posts_title", lg))
    for key in ("col_rank", "col_site", "col_latlon", "col_gain", "col_cells", "col_hex"):
        table.add_column(tr(MESSAGES, key, lg))
    for row in posts.head(30).itertuples():
        table.add_row(
            str(row.rank),
            _site_label(row),
            f"{row.lat:.5f}, {row.lon:.5f}",
            _num(row.marginal_gain, 2, lg),
            str(row.n_cells),
            str(row.hex_id),
        )
    return table


def _site_label(row: Any) -> str:
    """Return ``"Masjid X — 20 Ilir D IV, Ilir Timur I"`` as staff write the places.

    The candidate's own name leads when it is not just the cell id; desa/kelurahan and
    kecamatan follow in their everyday spelling; ``"-"`` when nothing is known.
    """
    from kamtibmas_geo.boundaries import display_name, kecamatan_display_name

    desa = getattr(row, "desa_name", None)
    kec = getattr(row, "kecamatan_name", None)
    names = [
        display_name(desa) if isinstance(desa, str) and desa else "",
        kecamatan_display_name(kec) if isinstance(kec, str) and kec else "",
    ]
    where = ", ".join(x for x in names if x)
    own = str(row.nama) if isinstance(row.nama, str) and row.nama != row.hex_id else ""
    label = " — ".join(x for x in (own, where) if x)
    return label or "-"


def _num(value: float, digits: int, lg: Language) -> str:
    """Return ``value`` with ``digits`` decimals as people write it (``1.234,5`` in Indonesian)."""
    text = f"{float(value):,.{digits}f}"
    return text.translate(str.maketrans(",.", ".,")) if lg == "id" else text


def _words(kind: str, value: str, lg: Language) -> str:
    """Return the plain-words label of a method or status (``"exact+greedy"`` joined)."""
    parts = [p for p in str(value).split("+") if p]
    keys = [f"{kind}_{p}" for p in parts]
    return " + ".join(
        tr(MESSAGES, k, lg) if k in MESSAGES else p for k, p in zip(keys, parts, strict=True)
    )


def _plan_summary(s: dict[str, Any], lg: Language) -> str:
    """One line: posts, radius, method and status, coverage before and after, gap, time."""
    return tr(
        MESSAGES,
        "posk_summary",
        lg,
        n=_num(s["n_posts"], 0, lg),
        radius=_num(s["radius_m"], 0, lg),
        method=_words("m", s["method"], lg),
        status=_words("s", s["status"], lg),
        before=_num(100 * s["coverage_before"], 1, lg) + "%",
        n_ex=_num(s["n_existing"], 0, lg),
        after=_num(100 * s["coverage_after"], 1, lg) + "%",
        obj=_num(s["objective"], 2, lg),
        bound=_num(s["bound"], 2, lg),
        gap=_num(100 * s["gap"], 2, lg) + "%",
        unc=_num(s["n_uncovered"], 0, lg),
        secs=_num(s["solve_seconds"], 1, lg),
    )
