"""Records as a GeoParquet dataset partitioned by kabupaten/kota (hive style).

:func:`write_dataset` writes one folder per kabupaten/kota, named the hive way
(``kabupaten_code=16.71/part-0.parquet``), so that Dask, dask-geopandas, pyarrow, DuckDB
and Spark read the partition column from the folder names. Each file is GeoParquet
(points in EPSG:4326). The column ``scale_row`` keeps every record's position in the
table written, so that the partitioned path adds records up in the same order as one
process does (floating-point sums then agree to the last bit).
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import OutputError, RecordError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.config import Settings

__all__ = [
    "KEY",
    "OUTSIDE",
    "ROW",
    "dataset_partitions",
    "partition_batches",
    "read_partition",
    "write_dataset",
]

#: The partition column (and the hive folder name before ``=``).
KEY = "kabupaten_code"
#: The partition of records that fall in no kabupaten/kota of the pack.
OUTSIDE = "luar"
#: Each record's position in the table written.
ROW = "scale_row"
_FILE = "part-0.parquet"
#: Rows per row group of a partition file (and per batch read by a worker).
BATCH = 100_000

MESSAGES = {
    "not_table": {
        "id": "write_dataset: catatan harus berupa tabel (DataFrame/GeoDataFrame) atau "
        "RecordSet, bukan {got}.",
        "en": "write_dataset: records must be a (Geo)DataFrame or a RecordSet, got {got}.",
    },
    "not_empty": {
        "id": "Folder {path} sudah berisi berkas; data set terpartisi ditulis ke folder baru "
        "atau kosong, agar partisi lama tidak tercampur. Pilih folder lain.",
        "en": "The folder {path} already holds files; a partitioned data set is written to a "
        "new or empty folder so that old partitions are not mixed in. Choose another folder.",
    },
    "no_dataset": {
        "id": "{path} bukan data set terpartisi (tidak ada folder kabupaten_code=...); tulis "
        "dengan `kamtibmas-geo geocode --partitioned DIR` atau kg.write_dataset().",
        "en": "{path} is not a partitioned data set (no kabupaten_code=... folders); write one "
        "with `kamtibmas-geo geocode --partitioned DIR` or kg.write_dataset().",
    },
}


def write_dataset(
    records: Any,
    path: str | os.PathLike[str],
    *,
    settings: Settings | None = None,
    lang: str = "id",
) -> Path:
    """Write records as a GeoParquet dataset partitioned by kabupaten/kota, hive style.

    Parameters
    ----------
    records : GeoDataFrame, DataFrame or RecordSet
        Records, geocoded or not. The partition is the ``kabupaten_code`` column when
        the table has one; otherwise the kabupaten/kota of the geocoder's
        ``region_code``, else of the point (``lat``/``lon``) in the boundary pack.
        Records in none go to the partition ``kabupaten_code=luar``.
    path : path-like
        A new or empty folder.
    settings : Settings, optional
        Where the boundary pack is (only needed to find the kabupaten of a point).
    lang : {"id", "en"}
        Language of error messages.

    Returns
    -------
    Path
        The folder written.

    Raises
    ------
    RecordError
        If ``records`` is not a table.
    OutputError
        If the folder already holds files.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "catatan"
    >>> df = pd.DataFrame({"time": ["2026-01-02"], "type": ["judi"], "lat": [-2.98],
    ...                    "lon": [104.75], "kabupaten_code": ["16.71"]})
    >>> sorted(p.name for p in write_dataset(df, folder).iterdir())
    ['kabupaten_code=16.71']
    """
    frame = getattr(records, "records", records)
    if not isinstance(frame, pd.DataFrame):
        raise RecordError.say(MESSAGES, "not_table", got=type(records).__name__)
    out = Path(path)
    if out.exists() and any(out.iterdir()):
        raise OutputError(tr(MESSAGES, "not_empty", lang, path=str(out)))
    table = _with_points(frame.reset_index(drop=True))
    table[ROW] = np.arange(len(table), dtype=np.int64)
    codes = _partition_codes(table, settings or Settings())
    tmp = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for code in sorted(set(codes)):
            part = table.loc[codes == code].drop(columns=[KEY], errors="ignore")
            folder = tmp / f"{KEY}={code}"
            folder.mkdir(parents=True)
            _to_parquet(part, folder / _FILE)
        out.mkdir(parents=True, exist_ok=True)
        for child in sorted(tmp.iterdir()):
            os.replace(child, out / child.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _with_points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the records as a GeoDataFrame of points (EPSG:4326)."""
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
        return frame.to_crs(4326).copy()
    if {"lat", "lon"} <= set(frame.columns):
        lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=np.float64)
        lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=np.float64)
        geom = gpd.points_from_xy(lon, lat)
        geom[~(np.isfinite(lat) & np.isfinite(lon))] = None
        plain = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
        return gpd.GeoDataFrame(plain, geometry=geom, crs=4326)
    plain = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
    return gpd.GeoDataFrame(plain, geometry=gpd.GeoSeries([None] * len(frame)), crs=4326)


def _partition_codes(table: pd.DataFrame, settings: Settings) -> np.ndarray:
    """Return the partition of every record: its kabupaten/kota code, or ``"luar"``."""
    from kamtibmas_geo.boundaries._regions import PROVINCE
    from kamtibmas_geo.score._regions import record_kabupaten

    if KEY in table.columns:
        given = table[KEY].astype("string").fillna("").str.strip().str[:5].to_numpy(dtype=object)
    else:
        given = np.full(len(table), "", dtype=object)
    todo = given == ""
    if todo.any():
        found = record_kabupaten(table.loc[todo], settings)
        given[todo] = [c if isinstance(c, str) else "" for c in found]
    known = np.isin(given, list(PROVINCE))
    return np.where(known, given, OUTSIDE).astype(object)


def _to_parquet(part: gpd.GeoDataFrame, path: Path) -> None:
    """Write one partition as GeoParquet; mixed object columns are written as text."""
    try:
        part.to_parquet(path, index=False, row_group_size=BATCH)
    except (TypeError, ValueError, ArithmeticError):  # pyarrow: mixed types in a column
        fixed = part.copy()
        for col in fixed.columns:
            if col != "geometry" and fixed[col].dtype == object:
                fixed[col] = fixed[col].astype("string")
        fixed.to_parquet(path, index=False, row_group_size=BATCH)


def dataset_partitions(path: str | os.PathLike[str], *, lang: str = "id") -> list[str]:
    """Return the kabupaten/kota codes of a partitioned data set, sorted.

    Parameters
    ----------
    path : path-like
        The data set folder.
    lang : {"id", "en"}
        Language of error messages.

    Returns
    -------
    list of str
        Codes such as ``"16.71"`` (and ``"luar"`` for records in none).

    Raises
    ------
    RecordError
        If the folder holds no ``kabupaten_code=...`` partition.
    """
    folder = Path(path)
    codes = []
    if folder.is_dir():
        codes = sorted(
            p.name.split("=", 1)[1]
            for p in folder.iterdir()
            if p.is_dir() and p.name.startswith(f"{KEY}=")
        )
    if not codes:
        raise RecordError(tr(MESSAGES, "no_dataset", lang, path=str(folder)))
    return codes


def read_partition(path: str | os.PathLike[str], code: str) -> gpd.GeoDataFrame:
    """Read one partition of the data set, in the order of ``scale_row``.

    Parameters
    ----------
    path : path-like
        The data set folder.
    code : str
        Kabupaten/kota code (or ``"luar"``).

    Returns
    -------
    GeoDataFrame
        Its records with the partition column ``kabupaten_code`` put back.
    """
    folder = Path(path) / f"{KEY}={code}"
    parts = sorted(folder.glob("*.parquet"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frames = [gpd.read_parquet(p) for p in parts]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=4326)
    frame[KEY] = code if code != OUTSIDE else None
    if ROW in frame.columns:
        frame = frame.sort_values(ROW, kind="stable").reset_index(drop=True)
    return frame


def partition_batches(
    path: str | os.PathLike[str], code: str, rows: int = BATCH
) -> Iterator[pd.DataFrame]:
    """Yield one partition in batches of at most ``rows`` records, in ``scale_row`` order.

    The points come as ``lat``/``lon`` columns (from the geometry when the file has no
    such columns); the geometry itself is not decoded, so a batch costs little memory.

    Parameters
    ----------
    path : path-like
        The data set folder.
    code : str
        Kabupaten/kota code (or ``"luar"``).
    rows : int
        Records per batch.

    Yields
    ------
    DataFrame
        The records of the batch with the partition column ``kabupaten_code``.
    """
    import pyarrow.parquet as pq
    import shapely

    for file in sorted((Path(path) / f"{KEY}={code}").glob("*.parquet")):
        pf = pq.ParquetFile(file)
        names = pf.schema_arrow.names
        has_xy = {"lat", "lon"} <= set(names)
        columns = [c for c in names if c != "geometry" or not has_xy]
        for batch in pf.iter_batches(batch_size=rows, columns=columns):
            frame = batch.to_pandas()
            if not has_xy and "geometry" in frame.columns:
                geom = shapely.from_wkb(frame.pop("geometry").to_numpy())
                point = shapely.get_type_id(geom) == 0
                frame["lat"] = np.where(point, shapely.get_y(geom), np.nan)
                frame["lon"] = np.where(point, shapely.get_x(geom), np.nan)
            frame[KEY] = code if code != OUTSIDE else None
            yield frame
