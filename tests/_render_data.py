"""Synthetic inputs for the render tests and benchmark: real H3 cells, plausible values.

The frames mimic the output of :func:`kamtibmas_geo.score.score_hotspots`: every res-9 cell
overlapping Kota Palembang plus either rings of cells around some OKI desa centres or (with
``whole=True``) every cell overlapping OKI, with seeded counts that are high around a few
centres and zero in most of the countryside (as real records are), score parts, classes cut
per kabupaten/kota like the score module does, Gi* z with its p, FDR-corrected p and bins;
point records inside the cells with the contract's columns plus personal ones (name, NIK,
phone) that public maps must drop.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from scipy.stats import norm

from kamtibmas_geo.score import fdr_bh

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


def region_cells(geom: shapely.Geometry, res: int) -> set[str]:
    """Cells whose centre lies within ~250 m of a (multi)polygon (fast for a kabupaten)."""
    grown = shapely.buffer(shapely.simplify(geom, 0.001), 0.0025)
    return set(h3.geo_to_cells(grown, res))


def _classes(score: np.ndarray) -> np.ndarray:
    """Classes 1-5 as the score module cuts them (50/75/90/97.5th percentile of non-zero)."""
    cls = np.ones(score.size, dtype=int)
    nz = score[score > 0]
    if nz.size:
        for c, cut in enumerate(np.quantile(nz, [0.5, 0.75, 0.9, 0.975]), start=2):
            cls[score > cut] = c
    return cls


def _hexagons(ids: list[str]) -> np.ndarray:
    rings = [h3.cell_to_boundary(c) for c in ids]
    coords = np.array([xy for r in rings for xy in r], dtype=float)[:, ::-1]
    index = np.repeat(np.arange(len(rings)), [len(r) for r in rings])
    return np.asarray(shapely.polygons(shapely.linearrings(coords, indices=index)))


def make_cells(
    kabupaten: gpd.GeoDataFrame,
    desa: gpd.GeoDataFrame,
    *,
    res: int = 9,
    seed: int = 0,
    oki_hotspots: int = 60,
    whole: bool = False,
) -> gpd.GeoDataFrame:
    """Palembang's cells plus rings around ``oki_hotspots`` OKI desa centres (or all of OKI)."""
    rng = np.random.default_rng(seed)
    pal = kabupaten.loc[kabupaten["name"].str.contains("Palembang")].geometry.iloc[0]
    cells = overlap_cells(pal, res)
    oki = desa.loc[desa["kabupaten_code"] == "16.02"].sort_values("code")
    pick = oki.iloc[rng.choice(len(oki), size=min(oki_hotspots, len(oki)), replace=False)]
    if whole:
        cells |= region_cells(kabupaten.loc[kabupaten["code"] == "16.02"].geometry.iloc[0], res)
    else:
        for lat, lon in zip(pick["inside_lat"], pick["inside_lon"], strict=True):
            cells |= set(h3.grid_disk(h3.latlng_to_cell(lat, lon, res), 3))
    ids = sorted(cells)
    latlng = np.array([h3.cell_to_latlng(c) for c in ids])
    centres = gpd.GeoDataFrame(
        {"hex_id": ids}, geometry=gpd.points_from_xy(latlng[:, 1], latlng[:, 0]), crs=4326
    )
    cols = ["name", "kecamatan_code", "kecamatan_name", "kabupaten_code", "kabupaten_name"]
    joined = gpd.sjoin(centres, desa[[*cols, "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    n = len(ids)
    centre = np.array([-2.976, 104.755])
    lam = 0.02 + 6 * np.exp(-((np.hypot(*(latlng - centre).T) / 0.03) ** 2))
    for lat, lon in zip(pick["inside_lat"], pick["inside_lon"], strict=True):
        lam += 3 * np.exp(-((np.hypot(latlng[:, 0] - lat, latlng[:, 1] - lon) / 0.006) ** 2))
    lam *= rng.gamma(2.0, 0.5, n)
    weights = (0.4, 0.3, 0.2, 0.1, 0.1)
    counts = {t: rng.poisson(lam * w) for t, w in zip(TYPES, weights, strict=True)}
    total = sum(counts.values())
    base = total.astype(float)
    decay = np.round(base * rng.uniform(0.5, 1.0, n), 2)
    seasonal = np.round(decay * rng.uniform(1.0, 1.6, n), 2)
    smoothed = np.round(seasonal * rng.uniform(0.8, 1.2, n), 2)
    score = np.round(smoothed, 3)
    kab_code = joined["kabupaten_code"].to_numpy()
    score_class = np.ones(n, dtype=int)
    for code in pd.unique(kab_code):
        rows = kab_code == code
        score_class[rows] = _classes(score[rows])
    gi_z = np.round((base - base.mean()) / (base.std() or 1.0), 2)
    gi_p = 2 * norm.sf(np.abs(gi_z))
    gi_p_fdr = fdr_bh(gi_p)
    side = np.sign(gi_z)
    gi_bin = side * np.select([gi_p_fdr < 0.01, gi_p_fdr < 0.05, gi_p_fdr < 0.1], [3, 2, 1], 0)
    gi_bin = gi_bin.astype(int)
    trend = np.where(total > 0, rng.choice(["baru", "menguat", "stabil"], n), "tidak ada pola")
    frame = pd.DataFrame(
        {
            "hex_id": ids,
            "desa_name": joined["name"].to_numpy(),
            "kecamatan_code": joined["kecamatan_code"].to_numpy(),
            "kecamatan_name": joined["kecamatan_name"].to_numpy(),
            "kabupaten_code": kab_code,
            "kabupaten_name": joined["kabupaten_name"].to_numpy(),
            "n_incidents": total,
            **{f"n_{t}": v for t, v in counts.items()},
            "score_base": base,
            "score_decay": decay,
            "score_seasonal": seasonal,
            "score_smoothed": smoothed,
            "score": score,
            "score_class": score_class,
            "gi_z": gi_z,
            "gi_p": np.round(gi_p, 4),
            "gi_p_fdr": np.round(gi_p_fdr, 4),
            "gi_bin": gi_bin,
            "gi_label": [GI_LABELS[b] for b in gi_bin],
            "trend_class": trend,
            "n_activities": rng.poisson(0.05 + 0.3 * (total > 0), n),
            "coverage_gap": np.where(score > 0, np.round(rng.uniform(0, 1, n), 2), 0.0),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=_hexagons(ids), crs=4326)


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
