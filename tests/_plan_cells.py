"""Cell-score frames for the plan tests: real H3 cells over the real boundaries.

The score module is written in parallel, so the tests build their own frames shaped like its
output (hex_id, score, coverage_gap, desa/kecamatan codes and names, n_<type>) with seeded,
clustered synthetic scores: a few hotspots, most cells zero.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

TYPES = ("petasan", "balap_liar", "pencurian", "curanmor", "tawuran", "kemacetan")


def region_cells(polygons: gpd.GeoDataFrame, res: int) -> list[str]:
    """H3 cells whose centre lies in any of ``polygons`` (EPSG:4326), sorted."""
    out: set[str] = set()
    for geom in polygons.geometry:
        out.update(h3.geo_to_cells(geom, res))
    return sorted(out)


def make_cells(
    polygons: gpd.GeoDataFrame,
    desa: gpd.GeoDataFrame,
    res: int,
    *,
    seed: int = 0,
    n_hotspots: int = 25,
    sigma_m: float = 700.0,
) -> gpd.GeoDataFrame:
    """A seeded score frame over the cells of ``polygons``."""
    rng = np.random.default_rng(seed)
    hexes = region_cells(polygons, res)
    latlng = np.array([h3.cell_to_latlng(c) for c in hexes])
    pts = gpd.GeoDataFrame(
        {"hex_id": hexes},
        geometry=gpd.points_from_xy(latlng[:, 1], latlng[:, 0]),
        crs=4326,
    )
    cols = ["code", "name", "kecamatan_code", "kecamatan_name", "geometry"]
    joined = gpd.sjoin(pts, desa[cols], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    xy = pts.to_crs(32748).get_coordinates().to_numpy()
    centres = xy[rng.choice(len(xy), size=min(n_hotspots, len(xy)), replace=False)]
    amp = rng.gamma(2.0, 2.0, size=len(centres))
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    raw = (amp[None, :] * np.exp(-d2 / (2 * sigma_m**2))).sum(axis=1)
    score = np.where(raw > 0.2, np.round(raw, 3), 0.0)
    frame = pd.DataFrame(
        {
            "hex_id": hexes,
            "desa_code": joined["code"].to_numpy(),
            "desa_name": joined["name"].to_numpy(),
            "kecamatan_code": joined["kecamatan_code"].to_numpy(),
            "kecamatan_name": joined["kecamatan_name"].to_numpy(),
            "score": score,
            "coverage_gap": np.round(score * rng.uniform(0, 1, len(score)), 3),
        }
    )
    for t in TYPES:
        frame[f"n_{t}"] = rng.poisson(score * rng.uniform(0.05, 0.5))
    geoms = [h3.cells_to_h3shape([c]) for c in hexes]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=4326).make_valid(), crs=4326)
