"""The demo: the whole job on the built-in sample data, from raw tables to map and plans.

:func:`run_demo` is what ``kamtibmas-geo demo --out DIR`` runs. It

1. builds (or finds in the cache) the boundary pack;
2. writes the seeded sample tables the way a Polres hands them over (``data/``);
3. reads and geocodes disturbances and activities, keeping the ledger of every row;
4. scores the H3 cells ahead of the coming Ramadhan (Gi* and emerging classes included);
5. backtests the last Ramadhan against naive baselines (hit rate, PAI, PEI);
6. proposes new Poskamling for each Polres (Polres OKI and Polrestabes Palembang plan
   separately), keeping the active posts, and plans the patrols as ``kamtibmas-geo patrol``
   does: teams per Polsek (``patroli_tim.csv``), stops with the reasons and hours of the
   placed reports and the nearest landmark of the sample (:func:`sample_landmarks`), and
   the printable pages;
7. writes the map of every scored cell (``peta.html``, offline), its picture
   (``peta.png``: a snapshot in headless Chromium, or, on a machine without Chromium, a
   still picture drawn with matplotlib,
   :func:`~kamtibmas_geo.render._static.save_static_png`), the cell table and the plans.
   ``KAMTIBMAS_GEO_CHROMIUM`` names the Chromium binary; a path that does not exist
   (``KAMTIBMAS_GEO_CHROMIUM=none``) draws without a browser.

Each step reports to an optional ``progress(step, total, label)`` callback, so the CLI can
show a progress bar; the function itself prints nothing.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.config import Language, Settings

if TYPE_CHECKING:
    from kamtibmas_geo.sample._sample import SampleData

__all__ = ["DEMO_STEPS", "DemoResult", "map_cells", "run_demo", "sample_landmarks"]

MESSAGES = {
    "out_not_dir": {
        "id": "--out {path!r} adalah sebuah berkas; demo menulis ke folder. Pilih nama folder.",
        "en": "--out {path!r} is a file; the demo writes into a folder. Choose a folder name.",
    },
    "pack": {"id": "Paket batas wilayah", "en": "Boundary pack"},
    "sample": {"id": "Data contoh", "en": "Sample data"},
    "geocode": {"id": "Baca dan geokode laporan", "en": "Read and geocode records"},
    "score": {"id": "Skor titik rawan", "en": "Hotspot scores"},
    "backtest": {"id": "Uji balik Ramadhan lalu", "en": "Backtest of the last Ramadhan"},
    "plan": {"id": "Usulan Poskamling dan patroli", "en": "Poskamling and patrol plans"},
    "map": {"id": "Peta dan gambar", "en": "Map and picture"},
}

#: The steps of the demo, in order (keys of :data:`MESSAGES`).
DEMO_STEPS: tuple[str, ...] = ("pack", "sample", "geocode", "score", "backtest", "plan", "map")

#: The two Polres of the demo: kabupaten code → name used in file names.
_POLRES = {"16.71": "palembang", "16.02": "oki"}
#: Their names as staff write them (tables and summaries).
POLRES_NAMES = {"16.71": "Polrestabes Palembang", "16.02": "Polres OKI"}


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What the demo made, where it wrote it, and how long each step took.

    Attributes
    ----------
    out_dir : Path
        The output folder.
    files : dict
        Key → path of every file written.
    seconds : dict
        Step key → wall-clock seconds.
    ledger : DataFrame
        Rows read, placed and rejected (by reason) for disturbances and activities.
    top_cells : DataFrame
        The five highest-ranked cells of each Polres (``polres``; each ranked inside its
        own kabupaten/kota) with their kecamatan and desa (official ``*_name`` and as staff
        write them, ``*_label``), incidents (``n_incidents_text``), score, Gi* and trend.
    backtest : DataFrame
        Hit rate, PAI and PEI of the method and the baselines on the last Ramadhan.
    plans : DataFrame
        One row per Polres: posts proposed, coverage before and after, solver status and gap.
    target : str
        The target period scored.
    """

    out_dir: Path
    files: dict[str, Path]
    seconds: dict[str, float]
    ledger: pd.DataFrame
    top_cells: pd.DataFrame
    backtest: pd.DataFrame
    plans: pd.DataFrame
    target: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        """Wall-clock seconds of the whole demo."""
        return float(sum(self.seconds.values()))


def map_cells(cells: gpd.GeoDataFrame, *, full: tuple[str, ...] = ("16.71",)) -> gpd.GeoDataFrame:
    """Choose the cells worth drawing in a still picture: a city's all, the hotspots elsewhere.

    The HTML map gets every scored cell (its compact data block holds the ~157,000 res-9
    cells of OKI + Palembang in a few MB). The still picture drawn without a browser
    (:func:`~kamtibmas_geo.render._static.save_static_png`) keeps every cell of the
    kabupaten/kota in ``full`` (Palembang by default) and, elsewhere, the cells of score
    class 4-5 or a significant Gi* hot spot (bin > 0), where the others would be too small
    to see.

    Parameters
    ----------
    cells : GeoDataFrame
        Output of :func:`kamtibmas_geo.score.score_hotspots`.
    full : tuple of str
        Kabupaten codes whose cells are all kept.

    Returns
    -------
    GeoDataFrame
        The chosen rows (a copy).
    """
    keep = cells["kabupaten_code"].isin(list(full))
    if "score_class" in cells:
        keep |= cells["score_class"].fillna(0).to_numpy() >= 4
    if "gi_bin" in cells:
        keep |= cells["gi_bin"].fillna(0).to_numpy() > 0
    return cells[keep.to_numpy()].copy()


def _output_folder(out_dir: str | Path, lang: str) -> Path:
    """Create the demo's output folder, refusing a path that is an existing file."""
    from kamtibmas_geo._errors import OutputError

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(tr(MESSAGES, "out_not_dir", lang, path=str(out)))
    out.mkdir(parents=True, exist_ok=True)
    return out


@dataclass(frozen=True)
class _Run:
    """One run of the demo: where it writes, its settings, and what it has made so far."""

    out: Path
    settings: Settings
    lang: Language
    progress: Callable[[int, int, str], None] | None
    files: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, key: str) -> Iterator[None]:
        """Report step ``key`` to ``progress`` and time it into :attr:`seconds`."""
        if self.progress is not None:
            label = tr(MESSAGES, key, self.lang)
            self.progress(DEMO_STEPS.index(key), len(DEMO_STEPS), label)
        t0 = time.perf_counter()
        yield
        self.seconds[key] = time.perf_counter() - t0


def run_demo(
    out_dir: str | Path,
    *,
    seed: int = 7,
    res: int = 9,
    target: str = "ramadhan-1448",
    new_posts: int = 20,
    teams: int = 6,
    png: bool = True,
    settings: Settings | None = None,
    lang: Language = "id",
    progress: Callable[[int, int, str], None] | None = None,
) -> DemoResult:
    """Run the whole pipeline on the seeded sample data and write every product.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write into (created if missing).
    seed : int
        Seed of the sample data and of every random draw.
    res : int
        H3 resolution of the analysis.
    target : str
        The period to score (default the coming Ramadhan, 1448 H, February-March 2027).
    new_posts : int
        New Poskamling proposed per Polres.
    teams : int
        Patrol teams per Polsek and time window.
    png : bool
        Also save a PNG snapshot of the map (needs Chromium).
    settings : Settings, optional
        Boundary pack location and pipeline settings.
    lang : {"id", "en"}
        Language of labels in the map and plans.
    progress : callable, optional
        Called as ``progress(step, total, label)`` before each step.

    Returns
    -------
    DemoResult
    """
    from kamtibmas_geo.boundaries._pack import build_pack

    settings = (settings or Settings()).replace(res=res, lang=lang, seed=seed)
    run = _Run(_output_folder(out_dir, lang), settings, lang, progress)
    with run.step("pack"):
        build_pack(settings=settings)
    with run.step("sample"):
        data, written = _sample_step(run, seed)
    with run.step("geocode"):
        placed, ledger = _geocode_step(run, written)
    with run.step("score"):
        cells, top_cells = _score_step(run, placed, target)
    with run.step("backtest"):
        bt_table = _backtest_step(run, placed["disturbance"], target)
    with run.step("plan"):
        plan = _plan_step(
            run,
            data.posts,
            cells,
            placed["disturbance"],
            new_posts=new_posts,
            teams=teams,
            target=target,
        )
    with run.step("map"):
        _map_step(run, cells, placed, plan, png=png, target=target)
    if progress is not None:
        progress(len(DEMO_STEPS), len(DEMO_STEPS), "")
    return DemoResult(
        out_dir=run.out,
        files=run.files,
        seconds=run.seconds,
        ledger=ledger,
        top_cells=top_cells,
        backtest=bt_table,
        plans=plan.rows,
        target=target,
        counts=_counts(placed, cells, plan),
    )


def _counts(
    placed: dict[str, gpd.GeoDataFrame], cells: gpd.GeoDataFrame, plan: _Plans
) -> dict[str, int]:
    """Count what the demo made (:attr:`DemoResult.counts`)."""
    return {
        "disturbances_placed": len(placed["disturbance"]),
        "activities_placed": len(placed["activity"]),
        "cells": len(cells),
        "posts_proposed": len(plan.proposed),
        "patrol_visits": len(plan.patrol),
    }


def _sample_step(run: _Run, seed: int) -> tuple[SampleData, dict[str, Path]]:
    """Make the seeded sample and write its tables as a Polres hands them over."""
    from kamtibmas_geo.sample._sample import make_sample, write_tables

    data = make_sample(seed=seed, settings=run.settings)
    written = write_tables(data, run.out / "data", formats=("csv",))
    run.files.update({f"input_{k}": v for k, v in written.items()})
    return data, written


def _geocode_step(
    run: _Run, written: dict[str, Path]
) -> tuple[dict[str, gpd.GeoDataFrame], pd.DataFrame]:
    """Read and geocode both tables; write the rejected rows; return the placed records."""
    from kamtibmas_geo._tables import write_table
    from kamtibmas_geo.geocode._geocode import geocode
    from kamtibmas_geo.records._read import Kind, ledger_summary, read_records

    settings, lang = run.settings, run.lang
    placed: dict[str, gpd.GeoDataFrame] = {}
    ledgers, rejected = [], []
    inputs: tuple[tuple[Kind, str], ...] = (
        ("disturbance", "gangguan_csv"),
        ("activity", "kegiatan_csv"),
    )
    for kind, key in inputs:
        read = read_records(written[key], kind, settings=settings, lang=lang)
        result = geocode(read, res=settings.res, settings=settings, lang=lang)
        placed[kind] = result.records
        ledger = ledger_summary(result, lang=lang)
        ledgers.append(ledger.assign(kind=kind))
        rejected.append(result.rejected.assign(kind=kind))
    table = pd.concat(rejected, ignore_index=True)
    run.files["rejected"] = write_table(table, run.out / "ditolak.csv")
    return placed, pd.concat(ledgers, ignore_index=True)


def _score_step(
    run: _Run, placed: dict[str, gpd.GeoDataFrame], target: str
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Score each Polres for ``target``, export the cells, return them and each top five."""
    from kamtibmas_geo.boundaries._names import display_name, kecamatan_display_name
    from kamtibmas_geo.render._export import export_cells
    from kamtibmas_geo.score._score import score_hotspots

    with warnings.catch_warnings():
        # the Umm al-Qura fallback warns that 1448 H is not yet announced: shown in docs
        warnings.simplefilter("ignore", UserWarning)
        cells = score_hotspots(
            placed["disturbance"],
            activities=placed["activity"],
            target=target,
            res=run.settings.res,
            settings=run.settings,
        )
    run.files["cells_parquet"] = export_cells(cells, run.out / "sel_rawan.parquet")
    # each Polres is its own study area (scores ranked inside it): its five top cells
    ranked = cells.sort_values(["kabupaten_code", "score_rank", "hex_id"], kind="stable")
    top = ranked.groupby("kabupaten_code", sort=True).head(10 // max(len(_POLRES), 1))
    top = top.assign(
        polres=top["kabupaten_code"].map(POLRES_NAMES),
        kecamatan_label=top["kecamatan_name"].map(_label(kecamatan_display_name)),
        desa_label=top["desa_name"].map(_label(display_name)),
    )
    columns = ["polres", "hex_id", "kecamatan_name", "desa_name", "kecamatan_label", "desa_label"]
    more = ["n_incidents_text", "score", "gi_label", "trend_class", "trend_label"]
    top_cells = pd.DataFrame(top[[*columns, *more]]).reset_index(drop=True)
    return cells, top_cells


def _label(write: Callable[[str], str]) -> Callable[[object], str]:
    """Return ``write`` for names, ``"-"`` for a cell without one."""
    return lambda name: write(name) if isinstance(name, str) and name else "-"


def _backtest_step(run: _Run, records: gpd.GeoDataFrame, target: str) -> pd.DataFrame:
    """Backtest the Ramadhan before ``target``; write the metrics and return their summary."""
    from kamtibmas_geo._tables import write_table
    from kamtibmas_geo.evaluate._backtest import backtest

    last = int(target.rsplit("-", 1)[-1]) - 1 if target.startswith("ramadhan-") else None
    periods = [f"ramadhan-{last}"] if last else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        bt = backtest(records, periods=periods, res=run.settings.res, settings=run.settings)
    run.files["backtest"] = write_table(bt.to_frame(), run.out / "uji_balik.csv")
    return bt.summary(run.lang)


@dataclass(frozen=True)
class _Plans:
    """The plan step's products: posts in place, posts proposed, one row per Polres, patrols."""

    posts: gpd.GeoDataFrame
    proposed: gpd.GeoDataFrame
    rows: pd.DataFrame
    patrol: pd.DataFrame


def _plan_step(
    run: _Run,
    post_table: pd.DataFrame,
    cells: gpd.GeoDataFrame,
    records: gpd.GeoDataFrame,
    *,
    new_posts: int,
    teams: int,
    target: str,
) -> _Plans:
    """Propose new Poskamling per Polres and the patrol plan; write both."""
    from kamtibmas_geo._tables import write_table
    from kamtibmas_geo.plan._poskamling import plan_poskamling
    from kamtibmas_geo.records._places import read_places

    posts = read_places(post_table, "posts", lang=run.lang)  # the one reader of places
    active = posts[posts["aktif"].to_numpy(dtype=bool)]
    proposed, plan_rows = [], []
    for code, name in _POLRES.items():
        mine = cells[cells["kabupaten_code"] == code]
        solved = plan_poskamling(
            mine, p=new_posts, existing=active, time_limit=60.0, settings=run.settings
        )
        proposed.append(solved.posts.assign(polres=name))
        plan_rows.append({"polres": POLRES_NAMES[code], **solved.summary()})
    usulan = gpd.GeoDataFrame(pd.concat(proposed, ignore_index=True), crs=4326)
    run.files["posts"] = write_table(usulan, run.out / "usulan_poskamling.geojson")
    patrol = _patrol(run, cells, records, teams=teams, target=target)
    return _Plans(posts, usulan, pd.DataFrame(plan_rows), patrol)


def sample_landmarks() -> pd.DataFrame:
    """Return the planted places of the sample as landmarks: ``nama``, ``lintang``, ``bujur``.

    A market or an area is one point; a road gives one point per vertex, each with the
    road's name, so the stop nearest any stretch of it names the road.

    Returns
    -------
    DataFrame
    """
    from kamtibmas_geo.sample._space import load_places

    places, _centres, _polsek = load_places()
    rows = [(p.name, lat, lon) for p in places for lon, lat in p.coords]
    return pd.DataFrame(rows, columns=["nama", "lintang", "bujur"])


def _patrol(
    run: _Run, cells: gpd.GeoDataFrame, records: gpd.GeoDataFrame, *, teams: int, target: str
) -> pd.DataFrame:
    """Plan the patrols as ``kamtibmas-geo patrol`` does; write the plan, teams and pages.

    The plan gets the placed disturbances (reasons and incident hours at each stop), the
    sample's landmarks, the sample's Polsek of each kecamatan and the kecamatan outlines
    (starts and page maps); the team allocation goes to ``patroli_tim.csv``.
    """
    from kamtibmas_geo._tables import write_table
    from kamtibmas_geo.boundaries._pack import load_boundaries
    from kamtibmas_geo.plan._patrol import patrol_plan
    from kamtibmas_geo.plan._patrol_html import patrol_html
    from kamtibmas_geo.sample._space import load_places

    kecamatan = load_boundaries("kecamatan", region=list(_POLRES), settings=run.settings)
    plan = patrol_plan(
        cells,
        teams=teams,
        target=target,
        polsek=load_places()[2],
        boundaries=kecamatan,
        records=records,
        landmarks=sample_landmarks(),
        settings=run.settings,
        lang=run.lang,
    )
    run.files["patrol_csv"] = write_table(plan, run.out / "patroli.csv", lang=run.lang)
    alloc = pd.DataFrame(plan.attrs["allocation"])
    run.files["patrol_teams"] = write_table(alloc, run.out / "patroli_tim.csv", lang=run.lang)
    run.files["patrol_html"] = patrol_html(
        plan, run.out / "patroli.html", lang=run.lang, boundaries=kecamatan
    )
    return plan


def _map_step(
    run: _Run,
    cells: gpd.GeoDataFrame,
    placed: dict[str, gpd.GeoDataFrame],
    plan: _Plans,
    *,
    png: bool,
    target: str = "",
) -> None:
    """Write the map of every scored cell, points and posts (and its PNG when ``png``)."""
    from kamtibmas_geo.render._map import render_map

    run.files["map"] = run.out / "peta.html"
    render_map(
        cells,
        records=placed["disturbance"],
        activities=placed["activity"],
        posts=plan.posts,
        proposed=plan.proposed,
        out=run.files["map"],
        lang=run.lang,
        settings=run.settings,
    )
    if png:
        _picture(run, cells, plan, target)


def _picture(run: _Run, cells: gpd.GeoDataFrame, plan: _Plans, target: str) -> None:
    """Save ``peta.png``: the browser snapshot, or a still picture where Chromium is missing.

    The snapshot needs Chromium (and playwright); a machine without them gets the picture
    drawn by matplotlib (file key ``png_static``, the cells of :func:`map_cells`), so the
    demo always finishes with one.
    """
    from kamtibmas_geo._errors import DependencyError
    from kamtibmas_geo.render._map import save_png
    from kamtibmas_geo.render._static import save_static_png

    out = run.out / "peta.png"
    try:
        run.files["png"] = save_png(
            run.files["map"], out, executable=os.environ.get("KAMTIBMAS_GEO_CHROMIUM") or None
        )
        return
    except DependencyError:
        pass
    active = plan.posts[plan.posts["aktif"]] if "aktif" in plan.posts else plan.posts
    run.files["png_static"] = save_static_png(
        map_cells(cells),
        out,
        posts=active,
        proposed=plan.proposed,
        target=target,
        settings=run.settings,
        lang=run.lang,
    )
