"""``kamtibmas-geo sample``: write the synthetic sample data set as CSV and XLSX."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import state
from kamtibmas_geo.config import Language

MESSAGES = {
    "cmd_sample": {
        "id": "Tulis data contoh sintetis (gangguan, kegiatan Binmas, Poskamling, informasi "
        "dini) OKI dan Palembang sebagai CSV dan XLSX.",
        "en": "Write the synthetic sample data (disturbances, Binmas activities, Poskamling, "
        "early warnings) of OKI and Palembang as CSV and XLSX.",
    },
    "opt_out": {"id": "Folder tujuan.", "en": "Output folder."},
    "opt_seed": {"id": "Benih acak (hasil sama untuk benih sama).", "en": "Random seed."},
    "opt_scale": {
        "id": "Faktor ukuran (1 = ±25.000 gangguan dan 6.000 kegiatan).",
        "en": "Size factor (1 = about 25,000 disturbances and 6,000 activities).",
    },
    "opt_start": {"id": "Tanggal awal (YYYY-MM-DD).", "en": "First day (YYYY-MM-DD)."},
    "opt_end": {"id": "Tanggal akhir (YYYY-MM-DD).", "en": "Last day (YYYY-MM-DD)."},
    "opt_format": {
        "id": "Format berkas: csv, xlsx (boleh diulang).",
        "en": "File format: csv, xlsx (may be repeated).",
    },
    "working": {"id": "Membuat data contoh…", "en": "Generating the sample data…"},
    "col_file": {"id": "Berkas", "en": "File"},
    "col_rows": {"id": "Baris", "en": "Rows"},
    "warnings": {
        "id": "{n} informasi dini dari RT/RW, Pokdar, ormas, warga dan Bhabinkamtibmas; {planted} "
        "di antaranya disusul kejadian jenis yang dikhawatirkan (≤500 m, ≤7 hari).",
        "en": "{n} early warnings from RT/RW, Pokdar, ormas, residents and Bhabinkamtibmas; "
        "{planted} of them followed by an incident of the feared type (≤500 m, ≤7 days).",
    },
    "done": {
        "id": "{n_messy} baris gangguan hanya beralamat teks, {n_invalid} baris sengaja tidak "
        "sah, {n_active} dari {n_posts} Poskamling aktif.",
        "en": "{n_messy} disturbance rows have address text only, {n_invalid} rows are "
        "invalid on purpose, {n_active} of {n_posts} Poskamling are active.",
    },
}


def register(app: typer.Typer, lang: Language) -> None:
    """Add the ``sample`` command to ``app``.

    Parameters
    ----------
    app : typer.Typer
        The root app.
    lang : {"id", "en"}
        Language of help texts.
    """

    @app.command("sample", help=tr(MESSAGES, "cmd_sample", lang))
    def _sample(
        ctx: typer.Context,
        out: Annotated[Path, typer.Option("--out", help=tr(MESSAGES, "opt_out", lang))],
        seed: Annotated[int, typer.Option("--seed", help=tr(MESSAGES, "opt_seed", lang))] = 7,
        scale: Annotated[
            float, typer.Option("--scale", help=tr(MESSAGES, "opt_scale", lang))
        ] = 1.0,
        start: Annotated[
            str, typer.Option("--start", help=tr(MESSAGES, "opt_start", lang))
        ] = "2023-01-01",
        end: Annotated[
            str, typer.Option("--end", help=tr(MESSAGES, "opt_end", lang))
        ] = "2026-11-22",
        formats: Annotated[
            list[str] | None, typer.Option("--format", help=tr(MESSAGES, "opt_format", lang))
        ] = None,
    ) -> None:
        import pandas as pd

        from kamtibmas_geo.sample._sample import make_sample, write_tables

        st = state(ctx)
        fmts = tuple(formats) if formats else ("csv", "xlsx")
        with st.console.status(tr(MESSAGES, "working", st.lang)):
            data = make_sample(seed=seed, start=start, end=end, scale=scale, settings=st.settings)
            written = write_tables(data, out, formats=fmts)
        table = Table()
        table.add_column(tr(MESSAGES, "col_file", st.lang), overflow="fold")
        table.add_column(tr(MESSAGES, "col_rows", st.lang), justify="right")
        rows = {
            "gangguan": data.disturbances,
            "kegiatan": data.activities,
            "informasi": data.warnings,
        }
        for key, path in written.items():
            frame: pd.DataFrame = rows.get(key.split("_")[0], data.posts)
            table.add_row(str(path), f"{len(frame):,}")
        st.console.print(table)
        c = data.counts
        st.console.print(
            tr(
                MESSAGES,
                "done",
                st.lang,
                n_messy=f"{c['messy_disturbances']:,}",
                n_invalid=data.n_invalid,
                n_active=c["posts_active"],
                n_posts=c["posts"],
            ),
            soft_wrap=True,
        )
        if len(data.warnings):
            msg = tr(
                MESSAGES,
                "warnings",
                st.lang,
                n=f"{c['warnings']:,}",
                planted=f"{c['warnings_followed']:,}",
            )
            st.console.print(msg, soft_wrap=True)
