"""The work of one partition, run on a Dask worker: read, geocode, route, score, plan, map.

A partition is the records of one kabupaten/kota. :func:`prepare_partition` reads it,
geocodes it when it is not geocoded yet and routes each record to the kabupaten/kota
that may use it (:func:`~kamtibmas_geo.scale._halo.route`: its own, and the neighbours
within one H3 ring). :func:`score_jurisdiction` scores one kabupaten/kota on its own
records plus the halo sent by its neighbours, exactly as
:func:`~kamtibmas_geo.score.score_hotspots` does in one process, and
:func:`polres_outputs` writes the Polres's cells, plan and map.
"""

from __future__ import annotations

import resource
import time
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo.config import Settings
from kamtibmas_geo.scale._dataset import OUTSIDE, ROW, partition_batches
from kamtibmas_geo.scale._halo import province, route
from kamtibmas_geo.score._options import ScoreOptions

__all__ = [
    "Prepared",
    "ScaleJob",
    "Scored",
    "peak_rss",
    "polres_outputs",
    "prepare_partition",
    "score_jurisdiction",
    "with_hexagons",
]


@dataclass(frozen=True)
class ScaleJob:
    """What every task of one run needs (sent to the workers with each task).

    Attributes
    ----------
    target : str or (start, end)
        The target period, as in :func:`~kamtibmas_geo.score.score_hotspots`.
    t_start : Timestamp
        Its start (records before it are history).
    res : int
        H3 resolution.
    settings : Settings
        Pipeline settings (the boundary pack's cache is read by each worker).
    options : ScoreOptions or None
        Score options.
    lang : {"id", "en"}
        Language of labels and messages.
    region : str
        The region of the data set and of the gazetteer (``"sumsel"``).
    plan_p : int or None
        New Poskamling posts per Polres; ``None``: no plans.
    out : str or None
        Folder for each Polres's files; ``None``: nothing written.
    maps : bool
        Write each Polres's map (``peta.html``) too.
    """

    target: Any
    t_start: pd.Timestamp
    res: int
    settings: Settings
    options: ScoreOptions | None = None
    lang: str = "id"
    region: str = "sumsel"
    plan_p: int | None = None
    out: str | None = None
    maps: bool = False


@dataclass
class Prepared:
    """One partition read, geocoded and routed.

    Attributes
    ----------
    code : str
        The partition.
    pieces : dict
        Kabupaten/kota code -> the records it may use (its own, or halo).
    newest : Timestamp or None
        Newest record time of the partition (Asia/Jakarta).
    newest_kept : Timestamp or None
        Newest record time before the target start.
    n_in, n_placed : int
        Records read, records placed by the geocoder.
    seconds : float
        Time spent.
    """

    code: str
    pieces: dict[str, pd.DataFrame]
    newest: pd.Timestamp | None
    newest_kept: pd.Timestamp | None
    n_in: int
    n_placed: int
    seconds: float
    info: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Return what the client needs: sizes of the pieces, newest times, cost."""
        return {
            "code": self.code,
            "pieces": {k: len(v) for k, v in self.pieces.items()},
            "newest": self.newest,
            "newest_kept": self.newest_kept,
            "n_in": self.n_in,
            "n_placed": self.n_placed,
            "seconds": self.seconds,
            **self.info,
        }

    def piece(self, code: str) -> pd.DataFrame:
        """Return the records of this partition that kabupaten/kota ``code`` may use."""
        return self.pieces[code]


@lru_cache(maxsize=2)
def _gazetteer(region: str, settings: Settings, lang: str) -> Any:
    """Return the gazetteer of ``region``, built once per worker process."""
    from kamtibmas_geo.geocode._geocode import build_gazetteer

    return build_gazetteer(settings=settings, lang=lang, region=region)


def _times(frame: pd.DataFrame) -> pd.Series:
    from kamtibmas_geo.score._steps import _as_wib

    return _as_wib(frame["time"])


def prepare_partition(dataset: str, code: str, job: ScaleJob) -> Prepared:
    """Read one partition, geocode it if needed, and route every record.

    Parameters
    ----------
    dataset : str
        The data set folder (reachable from the worker).
    code : str
        The partition's kabupaten/kota code (or ``"luar"``).
    job : ScaleJob
        The run.

    Returns
    -------
    Prepared
    """
    t0 = time.perf_counter()
    slim = [_prepare_batch(batch, job) for batch in partition_batches(dataset, code)]
    n_in = sum(n for _, n in slim)
    frame = pd.concat([f for f, _ in slim], ignore_index=True) if slim else _slim(pd.DataFrame())
    frame = _categories(frame.sort_values(ROW, kind="stable").reset_index(drop=True))
    kept = frame["time"] < job.t_start
    home = None if code == OUTSIDE else code
    routes = route(frame, home, province(job.res, job.settings, job.region), job.res)
    pieces = {k: frame.iloc[rows].reset_index(drop=True) for k, rows in routes.items()}
    return Prepared(
        code=code,
        pieces=pieces,
        newest=_max_time(frame["time"]),
        newest_kept=_max_time(frame["time"][kept]),
        n_in=n_in,
        n_placed=len(frame),
        seconds=time.perf_counter() - t0,
    )


#: The columns the score reads; the pieces carry only these between the steps.
SCORE_COLUMNS = (
    ROW,
    "time",
    "type",
    "severity",
    "lat",
    "lon",
    "geocode_status",
    "region_level",
    "region_code",
    "kabupaten_code",
)
_CATEGORIES = ("type", "geocode_status", "region_level", "region_code", "kabupaten_code")


def _prepare_batch(batch: pd.DataFrame, job: ScaleJob) -> tuple[pd.DataFrame, int]:
    """Geocode one batch if it is not yet geocoded; return its slim placed rows and size."""
    n_in = len(batch)
    if "geocode_status" not in batch.columns:
        from kamtibmas_geo.geocode._geocode import geocode

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gaz = _gazetteer(job.region, job.settings, job.lang)
            got = geocode(
                batch,
                res=job.res,
                settings=job.settings,
                lang=job.lang,
                gazetteer=gaz,
                region=job.region,
            )
        batch = pd.DataFrame(got.records).drop(columns="geometry", errors="ignore")
    return _slim(batch), n_in


def _categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Store the text columns as categories (one copy of each code per piece)."""
    for col in _CATEGORIES:
        if col in frame.columns:
            frame[col] = frame[col].astype("category")
    return frame


def _slim(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep what the score reads, in compact types: a piece waits on its worker cheaply.

    Times become Asia/Jakarta timestamps (as the score reads them) and the text columns
    categories; the values are unchanged.
    """
    out = frame[[c for c in SCORE_COLUMNS if c in frame.columns]].copy()
    if "time" in out.columns:
        out["time"] = _times(out)
    return _categories(out)


def _max_time(times: pd.Series) -> pd.Timestamp | None:
    value = times.max()
    return None if pd.isna(value) else pd.Timestamp(value)


@dataclass
class Scored:
    """One kabupaten/kota scored on a worker.

    Attributes
    ----------
    code : str
        Kabupaten/kota code.
    cells : DataFrame
        Its cells, as :func:`~kamtibmas_geo.score.score_hotspots` returns them but
        without the hexagons (rebuilt from ``hex_id`` where needed: :func:`with_hexagons`),
        so that a scored kabupaten waits on its worker cheaply.
    regions : dict
        Its entry of ``attrs["score"]["regions"]``.
    n_records : int
        Records offered (own partition and halo).
    n_halo : int
        Of which from other partitions.
    warnings : list of str
        Warnings raised while scoring (already in ``lang``).
    seconds : float
        Time spent.
    """

    code: str
    cells: pd.DataFrame
    regions: dict[str, Any]
    n_records: int
    n_halo: int
    warnings: list[str]
    seconds: float


def _clock_rows(columns: pd.Index, clock: list[pd.Timestamp]) -> pd.DataFrame:
    """Rows that carry the data set's newest times and lie on no cell.

    The one-process path ends the emerging-hotspot series at the newest record of the
    whole data set and checks the target against it; these rows give every
    kabupaten/kota the same clock without adding any count.
    """
    from kamtibmas_geo.records._taxonomy import load_taxonomy

    first = next(iter(load_taxonomy().keys("disturbance")))
    rows = pd.DataFrame({col: [None] * len(clock) for col in columns})
    rows["time"] = pd.Series(clock, dtype=f"datetime64[ns, {clock[0].tz}]")
    rows["type"] = first
    rows["lat"] = np.nan
    rows["lon"] = np.nan
    rows[ROW] = -1
    for col in ("geocode_status", "region_level", "region_code"):
        if col in rows.columns:
            rows[col] = None
    return rows


def score_jurisdiction(
    code: str, pieces: list[pd.DataFrame], clock: list[pd.Timestamp], job: ScaleJob
) -> Scored:
    """Score one kabupaten/kota on the records of its partition and its halo.

    Parameters
    ----------
    code : str
        Kabupaten/kota code.
    pieces : list of DataFrame
        The records routed to it by every partition (its own first or not: they are put
        back in the order of ``scale_row``).
    clock : list of Timestamp
        The data set's newest record time and newest time before the target.
    job : ScaleJob
        The run.

    Returns
    -------
    Scored
    """
    from kamtibmas_geo.score._score import score_hotspots

    t0 = time.perf_counter()
    frame = pd.concat(pieces, ignore_index=True)
    frame = frame.sort_values(ROW, kind="stable").reset_index(drop=True)
    n_halo = int((frame["kabupaten_code"].astype("string") != code).fillna(True).sum())
    if clock:
        frame = pd.concat([frame, _clock_rows(frame.columns, clock)], ignore_index=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cells = score_hotspots(
            frame,
            target=job.target,
            res=job.res,
            region=code,
            settings=job.settings,
            lang=job.lang,
            options=job.options,
        )
    texts = [_warning_text(w.message, job.lang) for w in caught]
    regions = dict(cells.attrs.get("score", {}).get("regions", {}))
    plain = pd.DataFrame(cells).drop(columns="geometry")
    plain.attrs = {}
    seconds = time.perf_counter() - t0
    return Scored(code, plain, regions, len(frame) - len(clock), n_halo, texts, seconds)


def with_hexagons(cells: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the cells with their hexagons again (EPSG:4326), built as the score builds them.

    Parameters
    ----------
    cells : DataFrame
        Cells with ``hex_id``.

    Returns
    -------
    GeoDataFrame
    """
    from kamtibmas_geo.grid._cells import cell_polygons

    plain = pd.DataFrame(cells).drop(columns="geometry", errors="ignore")
    geometry = cell_polygons(plain["hex_id"].astype(str).tolist())
    return gpd.GeoDataFrame(plain, geometry=geometry, crs=4326)


def _warning_text(message: Warning | Exception | str, lang: str) -> str:
    text = getattr(message, "text", None)
    if callable(text):
        return str(text(lang))
    return str(message)


def polres_outputs(scored: Scored, job: ScaleJob) -> dict[str, Any]:
    """Plan and write one Polres's files: cells, proposed Poskamling posts, map.

    Files go to ``<out>/<code>/``: ``sel.parquet`` (the cells, GeoParquet),
    ``usulan_poskamling.csv`` (with ``plan_p``) and ``peta.html`` (with ``maps``).

    Parameters
    ----------
    scored : Scored
        The kabupaten/kota scored.
    job : ScaleJob
        The run.

    Returns
    -------
    dict
        ``code``, ``posts`` (GeoDataFrame or ``None``), ``files`` (list of str),
        ``seconds``.
    """
    from kamtibmas_geo._tables import public_columns, write_table

    t0 = time.perf_counter()
    cells = with_hexagons(scored.cells)
    posts = None
    note = ""
    files: list[str] = []
    if job.plan_p:
        from kamtibmas_geo._errors import PlanError
        from kamtibmas_geo.plan._poskamling import plan_poskamling

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                plan = plan_poskamling(
                    cells, p=job.plan_p, settings=job.settings, region=scored.code
                )
            posts = plan.posts.assign(kabupaten_code=scored.code)
        except PlanError as exc:  # nothing to cover: the Polres gets no plan, said why
            note = _warning_text(exc, job.lang)
    if job.out is not None:
        folder = Path(job.out) / scored.code
        cols = [c for c in public_columns(cells) if c != "geometry"] + ["geometry"]
        files.append(str(write_table(cells[cols], folder / "sel.parquet")))
        if posts is not None:
            plain = pd.DataFrame(posts).drop(columns="geometry", errors="ignore")
            files.append(str(write_table(plain, folder / "usulan_poskamling.csv")))
        if job.maps:
            from kamtibmas_geo.render._map import render_map

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                render_map(
                    cells,
                    proposed=posts,
                    out=folder / "peta.html",
                    lang=job.lang,  # type: ignore[arg-type]
                    settings=job.settings,
                )
            files.append(str(folder / "peta.html"))
    return {
        "code": scored.code,
        "posts": posts,
        "files": files,
        "note": note,
        "seconds": time.perf_counter() - t0,
    }


def peak_rss() -> int:
    """Return this process's peak resident memory in bytes (run on each worker).

    Linux's ``VmHWM`` (the high-water mark of this process's own memory); elsewhere
    ``ru_maxrss``, which on Linux would also count the parent's memory at the moment a
    worker process was started (it survives ``fork`` and ``exec``).

    Returns
    -------
    int
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024
