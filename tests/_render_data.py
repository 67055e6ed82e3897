"""Synthetic inputs for the render tests and benchmark: real H3 cells, fake values.

The score module is written in parallel, so these frames only mimic its output: every
res-9 cell overlapping Kota Palembang plus the hotspot cells around OKI desa centres, with
seeded counts, score parts, classes and Gi* bins; point records inside the cells with the
contract's columns plus personal ones (name, NIK, phone) that public maps must drop.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

TYPES = ("petasan", "balap_liar", "pencurian", "tawuran", "kemacetan")
GI_LABELS = {
    -3: "Titik dingin 99%",
    -2: "Titik dingin 95%",
    -1: "Titik dingin 90%",
    0: "Tidak signifikan",
    1: "Titik panas 90%",
    2: "Titik panas 95%",
    3: "Titik panas 99%",
}


def overlap_cells(geom: object, res: int) -> set[str]:
    """Cells overlapping a (multi)polygon."""
    shape = h3.geo_to_h3shape(geom)
    return set(h3.h3shape_to_cells_experimental(shape, res, contain="overlap"))


def make_cells(
    kabupaten: gpd.GeoDataFrame,
    desa: gpd.GeoDataFrame,
    *,
    res: int = 9,
    seed: int = 0,
    oki_hotspots: int = 60,
) -> gpd.GeoDataFrame:
    """Every Palembang cell plus rings of cells around ``oki_hotspots`` OKI desa centres."""
    rng = np.random.default_rng(seed)
    pal = kabupaten.loc[kabupaten["name"].str.contains("Palembang")].geometry.iloc[0]
    cells = overlap_cells(pal, res)
    oki = desa.loc[desa["kabupaten_code"] == "16.02"].sort_values("code")
    pick = oki.iloc[rng.choice(len(oki), size=min(oki_hotspots, len(oki)), replace=False)]
    for lat, lon in zip(pick["inside_lat"], pick["inside_lon"], strict=True):
        cells |= set(h3.grid_disk(h3.latlng_to_cell(lat, lon, res), 3))
    ids = sorted(cells)
    latlng = np.array([h3.cell_to_latlng(c) for c in ids])
    centres = gpd.GeoDataFrame(
        {"hex_id": ids}, geometry=gpd.points_from_xy(latlng[:, 1], latlng[:, 0]), crs=4326
    )
    joined = gpd.sjoin(
        centres, desa[["name", "kecamatan_name", "geometry"]], how="left", predicate="within"
    )
    joined = joined[~joined.index.duplicated()]
    n = len(ids)
    centre = np.array([-2.976, 104.755])
    dist = np.hypot(*(latlng - centre).T)
    lam = 0.2 + 6 * np.exp(-((dist / 0.03) ** 2)) + rng.gamma(0.3, 1.0, n)
    counts = {
        t: rng.poisson(lam * w) for t, w in zip(TYPES, (0.4, 0.3, 0.2, 0.1, 0.1), strict=True)
    }
    total = sum(counts.values())
    base = total.astype(float)
    decay = base * rng.uniform(0.5, 1.0, n)
    seasonal = decay * rng.uniform(1.0, 1.6, n)
    smoothed = seasonal * rng.uniform(0.8, 1.2, n)
    score = np.round(smoothed, 4)
    ranks = pd.Series(score).rank(method="first", pct=True).to_numpy()
    score_class = np.clip(np.ceil(ranks * 5), 1, 5).astype(int)
    gi_z = (score - score.mean()) / (score.std() or 1.0)
    gi_bin = np.select([gi_z > 2.58, gi_z > 1.96, gi_z > 1.65, gi_z < -1.65], [3, 2, 1, -1], 0)
    frame = pd.DataFrame(
        {
            "hex_id": ids,
            "desa_name": joined["name"].to_numpy(),
            "kecamatan_name": joined["kecamatan_name"].to_numpy(),
            "n_incidents": total,
            **{f"n_{t}": v for t, v in counts.items()},
            "score_base": base,
            "score_decay": decay,
            "score_seasonal": seasonal,
            "score_smoothed": smoothed,
            "score": score,
            "score_class": score_class,
            "gi_z": gi_z,
            "gi_p": np.round(rng.uniform(0, 1, n), 4),
            "gi_bin": gi_bin,
            "gi_label": [GI_LABELS[b] for b in gi_bin],
            "trend_class": rng.choice(["baru", "menguat", "stabil", "tidak ada pola"], n),
            "n_activities": rng.poisson(1.0, n),
            "coverage_gap": np.round(rng.uniform(0, 1, n), 3),
        }
    )
    geoms = gpd.GeoSeries.from_wkt(
        [
            "POLYGON(("
            + ", ".join(
                f"{lng} {lat}" for lat, lng in [*h3.cell_to_boundary(c), h3.cell_to_boundary(c)[0]]
            )
            + "))"
            for c in ids
        ],
        crs=4326,
    )
    return gpd.GeoDataFrame(frame, geometry=geoms.to_numpy(), crs=4326)


def make_records(cells: gpd.GeoDataFrame, n: int, *, seed: int = 1) -> gpd.GeoDataFrame:
    """``n`` incident points in cells drawn by their count, with personal columns."""
    rng = np.random.default_rng(seed)
    weights = cells["n_incidents"].to_numpy(float) + 0.05
    pick = rng.choice(len(cells), size=n, p=weights / weights.sum())
    latlng = np.array([h3.cell_to_latlng(c) for c in cells["hex_id"].to_numpy()[pick]])
    latlng += rng.normal(0, 0.0006, latlng.shape)
    times = pd.Timestamp("2026-02-01", tz="Asia/Jakarta") + pd.to_timedelta(
        rng.integers(0, 60 * 24 * 60, n), unit="min"
    )
    return gpd.GeoDataFrame(
        {
            "record_id": [f"sample.csv:{i + 2}" for i in range(n)],
            "type": rng.choice(list(TYPES), n),
            "time": times,
            "address": [f"Jl. Contoh No. {i % 97}" for i in range(n)],
            "keterangan": ["warga melapor keributan" for _ in range(n)],
            "nama_pelapor": ["Budi Santoso" for _ in range(n)],
            "nik": ["1671010101010001" for _ in range(n)],
            "no_hp": ["081234567890" for _ in range(n)],
        },
        geometry=gpd.points_from_xy(latlng[:, 1], latlng[:, 0]),
        crs=4326,
    )
