"""The partitioned path on Dask: every partition on a worker, the halo between them.

:func:`run_dataset` submits the work of a partitioned data set to a Dask cluster:

1. each partition is read, geocoded (if it is not yet) and routed on a worker
   (:func:`~kamtibmas_geo.scale._partition.prepare_partition`); only a summary comes
   back to the client, the records stay on the worker;
2. each kabupaten/kota is scored on a worker from its own records and the halo the
   neighbouring partitions routed to it
   (:func:`~kamtibmas_geo.scale._partition.score_jurisdiction`); Dask moves the pieces
   between workers;
3. each Polres's plan and map are made and written where its scores are
   (:func:`~kamtibmas_geo.scale._partition.polres_outputs`).

Dask is the engine: a :class:`distributed.LocalCluster` of ``workers`` processes by
default, or any running cluster by its scheduler address (``tcp://HOST:8786``).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from kamtibmas_geo._errors import DependencyError, SettingsError
from kamtibmas_geo.config import Settings
from kamtibmas_geo.scale._dataset import dataset_partitions
from kamtibmas_geo.scale._partition import (
    Prepared,
    ScaleJob,
    peak_rss,
    polres_outputs,
    prepare_partition,
    score_jurisdiction,
    with_hexagons,
)
from kamtibmas_geo.score._options import ScoreOptions

__all__ = ["ScaleResult", "run_dataset"]

MESSAGES = {
    "no_dask": {
        "id": "Jalur terpartisi memerlukan Dask: pasang dengan "
        "`pip install 'kamtibmas-geo[scale]'` (dask, distributed, dask-geopandas).",
        "en": "The partitioned path needs Dask: install it with "
        "`pip install 'kamtibmas-geo[scale]'` (dask, distributed, dask-geopandas).",
    },
    "workers": {
        "id": "--workers harus bilangan bulat 1 atau lebih, bukan {got}.",
        "en": "--workers must be a whole number of 1 or more, got {got}.",
    },
}


@dataclass
class ScaleResult:
    """What a partitioned run gives back.

    Attributes
    ----------
    cells : GeoDataFrame or None
        Every kabupaten/kota's cells (sorted by ``kabupaten_code``, ``hex_id``), as the
        one-process :func:`~kamtibmas_geo.score.score_hotspots` gives them; ``None``
        when not collected (``collect=False``: each Polres's cells are in its folder).
    posts : GeoDataFrame or None
        The proposed Poskamling posts of every Polres (with ``plan_p``).
    partitions : DataFrame
        One row per kabupaten/kota: records read and placed, halo received, seconds to
        prepare, score and plan, and the warnings raised.
    workers : DataFrame
        One row per worker: ``address`` and ``peak_rss_bytes``.
    wall_seconds : float
        Time from the first task to the last result.
    """

    cells: gpd.GeoDataFrame | None
    posts: gpd.GeoDataFrame | None
    partitions: pd.DataFrame
    workers: pd.DataFrame
    wall_seconds: float


@contextlib.contextmanager
def _client(workers: int, scheduler: str | None) -> Iterator[Any]:
    """Yield a Dask client: of the cluster at ``scheduler``, or of a new LocalCluster."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - the extra is installed with dev
        raise DependencyError.say(MESSAGES, "no_dask") from None
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_dataset(
    dataset: str | os.PathLike[str],
    *,
    target: Any = "ramadhan-1448",
    res: int = 9,
    workers: int = 2,
    scheduler: str | None = None,
    settings: Settings | None = None,
    options: ScoreOptions | None = None,
    lang: str | None = None,
    plan_p: int | None = None,
    out: str | os.PathLike[str] | None = None,
    maps: bool = False,
    collect: bool = True,
    region: str = "sumsel",
) -> ScaleResult:
    """Score (and plan) every kabupaten/kota of a partitioned data set on a Dask cluster.

    The answers equal the one-process path: ``score_hotspots(geocode(records),
    region=<the kabupaten/kota where they fall>)`` gives the same cells, scores, classes
    (and :func:`~kamtibmas_geo.plan.plan_poskamling` the same plans), because each
    kabupaten/kota is scored from its own partition plus the records its neighbours
    hold in its border cells (the halo), in the same record order.

    Parameters
    ----------
    dataset : path-like
        A data set written by :func:`~kamtibmas_geo.scale.write_dataset` (reachable at
        the same path from every worker).
    target : str or (start, end)
        Target period (as in :func:`~kamtibmas_geo.score.score_hotspots`).
    res : int
        H3 resolution.
    workers : int
        Worker processes of the LocalCluster (one thread each); ignored with
        ``scheduler``.
    scheduler : str, optional
        Address of a running Dask scheduler (``"tcp://10.0.0.5:8786"``).
    settings : Settings, optional
        Pipeline settings (each worker reads the boundary pack from its own cache).
    options : ScoreOptions, optional
        Score options.
    lang : {"id", "en"}, optional
        Language of labels and warnings.
    plan_p : int, optional
        New Poskamling posts per Polres (no plans when not given).
    out : path-like, optional
        Folder for each Polres's files (``<out>/<code>/sel.parquet``,
        ``usulan_poskamling.csv``, ``peta.html``).
    maps : bool
        Write each Polres's map (with ``out``).
    collect : bool
        Bring every cell back to the caller (``False`` for runs too large for one
        machine: the cells stay in ``out``).
    region : str
        The region of the data set (the gazetteer and the polygons of the halo).

    Returns
    -------
    ScaleResult

    Raises
    ------
    SettingsError
        If ``workers`` is not a whole number of 1 or more.
    DependencyError
        If Dask is not installed.
    """
    from kamtibmas_geo._validate import check_res
    from kamtibmas_geo.score._score import _target_season

    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SettingsError.say(MESSAGES, "workers", got=repr(workers))
    settings = settings or Settings()
    res = check_res(res)
    (t_start, _), _, _ = _target_season(target, settings)
    job = ScaleJob(
        target=target,
        t_start=t_start,
        res=res,
        settings=settings,
        options=options,
        lang=lang or settings.lang,
        region=region,
        plan_p=plan_p,
        out=None if out is None else str(Path(out).resolve()),
        maps=maps,
    )
    folder = str(Path(dataset).resolve())
    codes = dataset_partitions(folder, lang=job.lang)
    with _client(workers, scheduler) as client:
        t0 = time.perf_counter()
        result = _run(client, folder, codes, job, collect)
        result.wall_seconds = time.perf_counter() - t0
        rss = client.run(peak_rss)
    result.workers = pd.DataFrame(
        {"address": list(rss), "peak_rss_bytes": [int(v) for v in rss.values()]}
    )
    return result


def _run(client: Any, folder: str, codes: list[str], job: ScaleJob, collect: bool) -> ScaleResult:
    """Submit the three steps and collect what the caller needs."""
    from dask.distributed import as_completed

    from kamtibmas_geo.score._regions import _pack_codes

    prepared = [
        client.submit(prepare_partition, folder, code, job, key=f"prepare-{code}", pure=False)
        for code in codes
    ]
    summaries = client.gather(
        [
            client.submit(Prepared.summary, f, key=f"summary-{c}")
            for f, c in zip(prepared, codes, strict=True)
        ]
    )
    clock = _clock(summaries)
    wanted = sorted({k for s in summaries for k in s["pieces"]} & set(_pack_codes()))
    finished: list[Any] = []
    pieces: list[Any] = []
    scored = None
    for code in wanted:
        pieces = [
            client.submit(Prepared.piece, f, code, key=f"piece-{s['code']}-{code}")
            for f, s in zip(prepared, summaries, strict=True)
            if code in s["pieces"]
        ]
        scored = client.submit(
            score_jurisdiction, code, pieces, clock, job, key=f"score-{code}", pure=False
        )
        finished.append(
            client.submit(_finish, scored, job, collect, key=f"polres-{code}", pure=False)
        )
    # Only the last step's futures are kept: Dask frees each partition's records once the
    # kabupaten/kota that need them are scored, and each scored kabupaten once it is done.
    del prepared, pieces, scored
    done, facts, parts = [], [], []
    for future in as_completed(finished):
        result = future.result()
        future.release()
        done.append(result["outputs"])
        facts.append(result["facts"])
        if result["cells"] is not None:
            parts.append(result["cells"])
    cells = _combine_cells(parts) if collect else None
    return ScaleResult(
        cells=cells,
        posts=_combine_posts(done),
        partitions=_partition_table(summaries, facts, done),
        workers=pd.DataFrame(),
        wall_seconds=0.0,
    )


def _finish(scored: Any, job: ScaleJob, collect: bool) -> dict[str, Any]:
    """Plan, map and write one Polres; return its facts (and cells) to the client."""
    return {
        "outputs": polres_outputs(scored, job),
        "facts": _facts(scored),
        "cells": scored.cells if collect else None,
    }


def _facts(scored: Any) -> dict[str, Any]:
    """Return the small facts of a scored kabupaten/kota (run on the worker)."""
    return {
        "code": scored.code,
        "n_cells": len(scored.cells),
        "n_records": scored.n_records,
        "n_halo": scored.n_halo,
        "seconds_score": scored.seconds,
        "warnings": scored.warnings,
        "regions": scored.regions,
    }


def _clock(summaries: list[dict[str, Any]]) -> list[pd.Timestamp]:
    """Return the data set's newest record time and newest time before the target."""
    out = []
    for key in ("newest_kept", "newest"):
        times = [s[key] for s in summaries if s[key] is not None]
        if times:
            out.append(max(times))
    return out


def _combine_cells(parts: list[pd.DataFrame]) -> gpd.GeoDataFrame | None:
    """Concatenate the kabupaten/kota cells; absent ``n_<type>`` columns are zero counts."""
    if not parts:
        return None
    cells = pd.concat(parts, ignore_index=True)
    for col in cells.columns:
        if col.startswith("n_") and cells[col].dtype.kind == "f":
            cells[col] = cells[col].fillna(0.0)
    cells = cells.sort_values(["kabupaten_code", "hex_id"], kind="stable").reset_index(drop=True)
    return with_hexagons(cells)


def _combine_posts(done: list[dict[str, Any]]) -> gpd.GeoDataFrame | None:
    found = [(d["code"], d["posts"]) for d in done if d["posts"] is not None]
    found.sort(key=lambda item: str(item[0]))
    posts = [p for _, p in found]
    if not posts:
        return None
    return gpd.GeoDataFrame(pd.concat(posts, ignore_index=True), crs=posts[0].crs)


def _partition_table(
    summaries: list[dict[str, Any]], facts: list[dict[str, Any]], done: list[dict[str, Any]]
) -> pd.DataFrame:
    """One row per kabupaten/kota (and per partition of records in none)."""
    prep = pd.DataFrame(
        [
            {
                "code": s["code"],
                "n_in": s["n_in"],
                "n_placed": s["n_placed"],
                "seconds_prepare": s["seconds"],
            }
            for s in summaries
        ]
    )
    scored = pd.DataFrame(
        [
            {
                k: f[k]
                for k in ("code", "n_cells", "n_records", "n_halo", "seconds_score", "warnings")
            }
            for f in facts
        ]
    )
    plans = pd.DataFrame([{"code": d["code"], "seconds_plan": d["seconds"]} for d in done])
    table = prep.merge(scored, on="code", how="outer") if len(scored) else prep
    if len(plans):
        table = table.merge(plans, on="code", how="left")
    return table.sort_values("code").reset_index(drop=True)
