"""The partitioned path on Dask gives the one-process answers, on a real cluster of processes.

A seeded synthetic data set over all 17 kabupaten/kota of Sumatera Selatan (12,000 records,
5 % written only as an address) is written as a hive-partitioned GeoParquet data set, and
scored by a Dask scheduler and two workers started as separate processes on localhost
(``dask scheduler`` / ``dask worker``). Each partition is read, geocoded, routed, scored and
planned on a worker; the cells, scores (1e-9), classes, labels and Poskamling plans must
equal ``geocode`` + ``score_hotspots`` + ``plan_poskamling`` in one process. Resolution 7
keeps the province small enough for the normal suite.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from kamtibmas_geo.config import Settings

RES = 7
N = 12_000
POSTS = 3
KEY = ["kabupaten_code", "hex_id"]


@pytest.fixture(scope="module")
def raw(settings: Settings) -> pd.DataFrame:
    from kamtibmas_geo.scale import province_records

    return province_records(N, seed=20, settings=settings)


@pytest.fixture(scope="module")
def dataset(
    raw: pd.DataFrame, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    from kamtibmas_geo.scale import write_dataset

    return write_dataset(raw, tmp_path_factory.mktemp("scale") / "catatan", settings=settings)


@pytest.fixture(scope="module")
def one_process(raw: pd.DataFrame, settings: Settings) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The one-process answer: geocode, score and plan the whole province at once."""
    from kamtibmas_geo.geocode import geocode
    from kamtibmas_geo.plan import plan_poskamling
    from kamtibmas_geo.score import score_hotspots

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        placed = geocode(raw, res=RES, settings=settings, region="sumsel").records
        cells = score_hotspots(placed, res=RES, settings=settings)
        posts = []
        for code in sorted(set(cells["kabupaten_code"])):
            plan = plan_poskamling(cells, p=POSTS, settings=settings, region=code)
            posts.append(plan.posts.assign(kabupaten_code=code))
    return cells, pd.concat(posts, ignore_index=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dask scheduler and two workers, each its own process, on localhost only."""
    from dask.distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    bin_dir = Path(sys.executable).parent
    logs = tmp_path_factory.mktemp("dask-logs")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    common = ["--no-dashboard"]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(
            subprocess.Popen(
                [
                    str(bin_dir / "dask"),
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    *common,
                ],
                stdout=(logs / "scheduler.log").open("wb"),
                stderr=subprocess.STDOUT,
                env=env,
            )
        )
        for i in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        str(bin_dir / "dask"),
                        "worker",
                        address,
                        "--host",
                        "127.0.0.1",
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--name",
                        f"w{i}",
                        "--no-nanny",
                        *common,
                    ],
                    stdout=(logs / f"worker{i}.log").open("wb"),
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            )
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def distributed_run(dataset: Path, cluster: str, settings: Settings) -> object:
    from kamtibmas_geo.scale import run_dataset

    return run_dataset(dataset, res=RES, scheduler=cluster, settings=settings, plan_p=POSTS)


def test_dataset_is_hive_partitioned_geoparquet(dataset: Path, raw: pd.DataFrame) -> None:
    import dask_geopandas

    from kamtibmas_geo.boundaries import resolve_region

    folders = sorted(p.name for p in dataset.iterdir())
    assert folders == [f"kabupaten_code={c}" for c in resolve_region("sumsel")]
    back = dask_geopandas.read_parquet(str(dataset)).compute()
    assert len(back) == len(raw)
    counts = back["kabupaten_code"].astype(str).value_counts().sort_index()
    assert counts.to_dict() == raw["kabupaten_code"].value_counts().sort_index().to_dict()
    assert back.crs.to_epsg() == 4326


def test_write_dataset_refuses_a_folder_in_use(raw: pd.DataFrame, dataset: Path) -> None:
    from kamtibmas_geo._errors import OutputError
    from kamtibmas_geo.scale import write_dataset

    with pytest.raises(OutputError, match="folder lain"):
        write_dataset(raw.head(5), dataset)


@pytest.mark.cluster
def test_cluster_of_processes_gives_the_one_process_answers(
    distributed_run: object, one_process: tuple[gpd.GeoDataFrame, pd.DataFrame]
) -> None:
    cells_one, posts_one = one_process
    got = distributed_run.cells  # type: ignore[attr-defined]
    one = cells_one.sort_values(KEY).reset_index(drop=True)
    dist = got.sort_values(KEY).reset_index(drop=True)
    assert len(set(one["kabupaten_code"])) == 17
    assert dist[KEY].equals(one[KEY])  # same cells, border cells in both their kabupaten
    numeric = [c for c in one.columns if c not in KEY and one[c].dtype.kind in "fiu"]
    for col in numeric:
        np.testing.assert_allclose(dist[col], one[col], rtol=0, atol=1e-9, err_msg=col)
    for col in (
        "score_class",
        "gi_bin",
        "gi_label",
        "trend_class",
        "n_incidents_text",
        "small_sample",
    ):
        assert dist[col].astype(str).tolist() == one[col].astype(str).tolist(), col
    plan_key = ["kabupaten_code", "hex_id"]
    dist_posts = distributed_run.posts  # type: ignore[attr-defined]
    assert dist_posts[plan_key].reset_index(drop=True).equals(posts_one[plan_key])
    # one test, so that pytest-xdist runs the cluster once: the halo and the workers
    table = distributed_run.partitions  # type: ignore[attr-defined]
    assert len(table) == 17
    assert (table["n_halo"] > 0).all()
    assert (table["n_halo"] < table["n_records"]).all()
    workers = distributed_run.workers  # type: ignore[attr-defined]
    assert len(workers) == 2
    assert (workers["peak_rss_bytes"] < 2e9).all()


@pytest.mark.cluster
def test_cli_scale_writes_each_polres(
    raw: pd.DataFrame, cluster: str, settings: Settings, tmp_path: Path
) -> None:
    from kamtibmas_geo.scale import write_dataset

    small = write_dataset(raw[raw["kabupaten_code"] == "16.71"], tmp_path / "ds", settings=settings)
    out = tmp_path / "hasil"
    cmd = [sys.executable, "-m", "kamtibmas_geo", "scale", str(small), "--out", str(out)]
    cmd += ["--scheduler", cluster, "--res", str(RES), "--posts", "2", "--lang", "en"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Peak memory per worker" in done.stdout
    assert (out / "16.71" / "peta.html").is_file()
    assert (out / "16.71" / "usulan_poskamling.csv").is_file()
    cells = gpd.read_parquet(out / "16.71" / "sel.parquet")
    assert (cells["kabupaten_code"] == "16.71").all()
    summary = pd.read_csv(out / "ringkasan_partisi.csv", dtype={"code": str})
    assert "16.71" in set(summary["code"])


def test_cli_geocode_partitioned_writes_a_dataset(
    raw: pd.DataFrame, settings: Settings, tmp_path: Path
) -> None:
    from kamtibmas_geo.cli import main
    from kamtibmas_geo.scale import dataset_partitions, read_partition

    rows = raw[raw["kabupaten_code"].isin(["16.71", "16.74"])].drop(columns="kabupaten_code")
    names = {"time": "tanggal", "type": "jenis", "lat": "lintang", "lon": "bujur"}
    rows = rows.rename(columns={**names, "address": "alamat"})
    src = tmp_path / "catatan.csv"
    rows.to_csv(src, index=False)
    ds = tmp_path / "ds"
    args = ["--source", str(settings.source), "--cache-dir", str(settings.cache_dir)]
    args += ["geocode", str(src), "--out", str(tmp_path / "titik.parquet")]
    args += ["--region", "sumsel", "--partitioned", str(ds)]
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 0
    codes = dataset_partitions(ds)
    assert {"16.71", "16.74"} <= set(codes)  # a point jittered over the border is next door
    for code in codes:
        part = read_partition(ds, code)
        assert (part["region_code"].str[:5] == code).all()  # where the geocoder placed it
        assert part["geocode_status"].isin(["coordinates", "matched"]).all()


def test_without_the_halo_border_cells_lose_records(
    dataset: Path, one_process: tuple[gpd.GeoDataFrame, pd.DataFrame], settings: Settings
) -> None:
    """Palembang alone misses the records its neighbours hold in its border cells."""
    from kamtibmas_geo.scale import dataset_partitions
    from kamtibmas_geo.scale._partition import ScaleJob, prepare_partition, score_jurisdiction
    from kamtibmas_geo.score._score import _target_season

    (t_start, _), _, _ = _target_season("ramadhan-1448", settings)
    job = ScaleJob(target="ramadhan-1448", t_start=t_start, res=RES, settings=settings)
    parts = {
        code: prepare_partition(str(dataset), code, job) for code in dataset_partitions(dataset)
    }
    own = parts["16.71"].pieces["16.71"]
    halo = [p.pieces["16.71"] for c, p in parts.items() if c != "16.71" and "16.71" in p.pieces]
    cells_one = one_process[0]
    expected = cells_one.loc[cells_one["kabupaten_code"] == "16.71", "n_incidents"].sum()
    alone = score_jurisdiction("16.71", [own], [], job).cells["n_incidents"].sum()
    with_halo = score_jurisdiction("16.71", [own, *halo], [], job).cells["n_incidents"].sum()
    assert alone < expected
    assert with_halo == pytest.approx(expected, abs=1e-9)
