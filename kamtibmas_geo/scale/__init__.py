"""The partitioned path on Dask: a data set partitioned by kabupaten/kota, scored per Polres.

``write_dataset`` writes records as a hive-partitioned GeoParquet data set;
``run_dataset`` reads, geocodes, scores, plans and maps each partition on a Dask worker,
with the halo of neighbouring partitions that makes the answers equal the one-process
path; ``province_records`` makes the seeded synthetic province used to prove it.
"""

from __future__ import annotations

from kamtibmas_geo.scale._dataset import dataset_partitions as dataset_partitions
from kamtibmas_geo.scale._dataset import read_partition as read_partition
from kamtibmas_geo.scale._dataset import write_dataset as write_dataset
from kamtibmas_geo.scale._halo import halo_margin as halo_margin
from kamtibmas_geo.scale._run import ScaleResult as ScaleResult
from kamtibmas_geo.scale._run import run_dataset as run_dataset
from kamtibmas_geo.scale._synthetic import province_records as province_records

__all__ = [
    "ScaleResult",
    "dataset_partitions",
    "halo_margin",
    "province_records",
    "read_partition",
    "run_dataset",
    "write_dataset",
]
