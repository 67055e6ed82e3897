"""``kamtibmas-geo scale``: score, plan and map every Polres of a partitioned data set on Dask."""

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import state

MESSAGES = {
    "cmd": {
        "id": "Jalankan seluruh provinsi (atau lebih) terpartisi per kabupaten/kota di Dask: "
        "tiap partisi dibaca, di-geokode, dihitung dan diskor di satu worker (dengan halo "
        "sel perbatasan dari tetangganya), lalu rencana Poskamling dan peta per Polres. "
        "Hasilnya sama dengan jalur satu proses.",
        "en": "Run a whole province (or more), partitioned by kabupaten/kota, on Dask: each "
        "partition is read, geocoded, counted and scored on a worker (with the halo of "
        "border cells from its neighbours), then Poskamling plans and maps per Polres. The "
        "answers equal the one-process path.",
    },
    "arg_dataset": {
        "id": "Folder data set terpartisi (kabupaten_code=.../), ditulis oleh "
        "`kamtibmas-geo geocode --partitioned DIR` atau kg.write_dataset().",
        "en": "Folder of the partitioned data set (kabupaten_code=.../), written by "
        "`kamtibmas-geo geocode --partitioned DIR` or kg.write_dataset().",
    },
    "opt_out": {
        "id": "Folder hasil: satu subfolder per Polres (sel.parquet, usulan_poskamling.csv, "
        "peta.html) dan ringkasan_partisi.csv.",
        "en": "Output folder: one subfolder per Polres (sel.parquet, usulan_poskamling.csv, "
        "peta.html) and ringkasan_partisi.csv.",
    },
    "opt_workers": {
        "id": "Jumlah proses worker LocalCluster di mesin ini (bawaan 2).",
        "en": "Number of LocalCluster worker processes on this machine (default 2).",
    },
    "opt_scheduler": {
        "id": "Alamat scheduler Dask yang sudah berjalan, mis. tcp://10.0.0.5:8786 "
        "(tanpa ini: LocalCluster).",
        "en": "Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (without it: "
        "a LocalCluster).",
    },
    "opt_target": {
        "id": "Periode sasaran, misalnya ramadhan-1448.",
        "en": "Target period, e.g. ramadhan-1448.",
    },
    "opt_res": {"id": "Resolusi H3 (bawaan 9).", "en": "H3 resolution (default 9)."},
    "opt_posts": {
        "id": "Jumlah usulan Poskamling baru per Polres (0: tanpa rencana).",
        "en": "New Poskamling posts proposed per Polres (0: no plans).",
    },
    "opt_maps": {
        "id": "Tulis peta HTML tiap Polres.",
        "en": "Write each Polres's HTML map.",
    },
    "opt_region": {
        "id": "Wilayah data set (gazetir dan poligon halo), bawaan sumsel.",
        "en": "Region of the data set (gazetteer and halo polygons), default sumsel.",
    },
    "running": {
        "id": "Menjalankan {n} partisi di Dask ({where})…",
        "en": "Running {n} partitions on Dask ({where})…",
    },
    "local": {"id": "LocalCluster, {n} worker", "en": "LocalCluster, {n} workers"},
    "title": {"id": "Per Polres (kabupaten/kota)", "en": "Per Polres (kabupaten/kota)"},
    "col_code": {"id": "Kode", "en": "Code"},
    "col_in": {"id": "Catatan", "en": "Records"},
    "col_placed": {"id": "Ditempatkan", "en": "Placed"},
    "col_halo": {"id": "Halo masuk", "en": "Halo in"},
    "col_cells": {"id": "Sel", "en": "Cells"},
    "col_s": {
        "id": "Detik (baca+geokode / skor / rencana)",
        "en": "Seconds (read+geocode / score / plan)",
    },
    "done": {
        "id": "Selesai dalam {s} detik. Memori puncak per worker: {gb} GB. Ditulis: {out}.",
        "en": "Done in {s} s. Peak memory per worker: {gb} GB. Written: {out}.",
    },
}


def _count(value: object) -> str:
    try:
        return f"{int(value):,}".replace(",", ".")  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "-"


def _seconds(*values: object) -> str:
    out = []
    for v in values:
        try:
            out.append(f"{float(v):.1f}")  # type: ignore[arg-type]
        except (TypeError, ValueError):
            out.append("-")
    return " / ".join(out)


def register(app: typer.Typer, lang: str) -> None:
    """Add the ``scale`` command to ``app``.

    Parameters
    ----------
    app : typer.Typer
        The root app.
    lang : {"id", "en"}
        Language of help texts.
    """

    @app.command("scale", help=tr(MESSAGES, "cmd", lang))
    def _scale(
        ctx: typer.Context,
        dataset: Annotated[
            Path, typer.Argument(metavar="DIR", help=tr(MESSAGES, "arg_dataset", lang))
        ],
        out: Annotated[Path, typer.Option("--out", help=tr(MESSAGES, "opt_out", lang))],
        workers: Annotated[
            int, typer.Option("--workers", help=tr(MESSAGES, "opt_workers", lang))
        ] = 2,
        scheduler: Annotated[
            str | None, typer.Option("--scheduler", help=tr(MESSAGES, "opt_scheduler", lang))
        ] = None,
        target: Annotated[
            str, typer.Option("--target", help=tr(MESSAGES, "opt_target", lang))
        ] = "ramadhan-1448",
        res: Annotated[int, typer.Option("--res", help=tr(MESSAGES, "opt_res", lang))] = 9,
        posts: Annotated[int, typer.Option("--posts", help=tr(MESSAGES, "opt_posts", lang))] = 10,
        maps: Annotated[
            bool, typer.Option("--maps/--no-maps", help=tr(MESSAGES, "opt_maps", lang))
        ] = True,
        region: Annotated[
            str, typer.Option("--region", help=tr(MESSAGES, "opt_region", lang))
        ] = "sumsel",
    ) -> None:
        from kamtibmas_geo._atomic import check_not_input
        from kamtibmas_geo._tables import write_table
        from kamtibmas_geo.scale._dataset import dataset_partitions
        from kamtibmas_geo.scale._run import run_dataset

        st = state(ctx)
        check_not_input(out, st.inputs, st.lang, allow_dir=True)
        codes = dataset_partitions(dataset, lang=st.lang)
        where = scheduler or tr(MESSAGES, "local", st.lang, n=workers)
        with st.console.status(tr(MESSAGES, "running", st.lang, n=len(codes), where=where)):
            result = run_dataset(
                dataset,
                target=target,
                res=res,
                workers=workers,
                scheduler=scheduler,
                settings=st.settings,
                lang=st.lang,
                plan_p=posts or None,
                out=out,
                maps=maps,
                collect=False,
            )
        table = result.partitions.drop(columns="warnings", errors="ignore")
        write_table(table, out / "ringkasan_partisi.csv", inputs=st.inputs, lang=st.lang)
        st.console.print(_table(table, st.lang))
        for texts in result.partitions.get("warnings", []):
            for text in texts if isinstance(texts, list) else []:
                st.console.print(text, soft_wrap=True, markup=False)
        peak = result.workers["peak_rss_bytes"].max() / 1e9 if len(result.workers) else 0.0
        msg = tr(
            MESSAGES, "done", st.lang, s=f"{result.wall_seconds:.1f}", gb=f"{peak:.2f}", out=out
        )
        st.console.print(msg, soft_wrap=True, markup=False)


def _table(frame: "pd.DataFrame", lang: str) -> Table:
    out = Table(title=tr(MESSAGES, "title", lang))
    for key in ("col_code", "col_in", "col_placed", "col_halo", "col_cells", "col_s"):
        out.add_column(tr(MESSAGES, key, lang), justify="left" if key == "col_code" else "right")
    for row in frame.to_dict("records"):
        out.add_row(
            str(row.get("code", "")),
            _count(row.get("n_in")),
            _count(row.get("n_placed")),
            _count(row.get("n_halo")),
            _count(row.get("n_cells")),
            _seconds(row.get("seconds_prepare"), row.get("seconds_score"), row.get("seconds_plan")),
        )
    return out
