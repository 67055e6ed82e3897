"""A seeded synthetic data set over every kabupaten/kota of a region (all of Sumatera Selatan).

Made for proving the partitioned path and measuring it, not for teaching (the sample
data of :mod:`kamtibmas_geo.sample` is that): records fall in the desa of the boundary
pack, more in a few hot desa, with a point near the desa's inside point; a share are
written only as an address (``"Desa X, Kec. Y"``) and are placed by the geocoder.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamtibmas_geo.config import Settings

__all__ = ["province_records"]

#: Share of each type (petasan ... lainnya), in the taxonomy's order.
_TYPE_SHARE = (0.06, 0.10, 0.18, 0.12, 0.08, 0.04, 0.06, 0.08, 0.06, 0.12, 0.05, 0.05)


def province_records(
    n: int,
    *,
    seed: int = 0,
    region: str = "sumsel",
    end: str = "2027-01-31",
    years: float = 3.0,
    text_share: float = 0.05,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return ``n`` seeded synthetic disturbance records over every kabupaten/kota of ``region``.

    Parameters
    ----------
    n : int
        Number of records.
    seed : int
        Seed; the same seed gives the same table.
    region : str
        Kabupaten/kota of the boundary pack (``"sumsel"``: all 17).
    end : str
        Date of the newest record (the history runs ``years`` back from it).
    years : float
        Length of the history.
    text_share : float
        Share of records with only an address, no coordinates.
    settings : Settings, optional
        Where the boundary pack is.

    Returns
    -------
    DataFrame
        ``time``, ``type``, ``lat``, ``lon``, ``address``, ``kabupaten_code`` (of the desa
        the record was drawn in).
    """
    import warnings

    from kamtibmas_geo.boundaries._pack import load_boundaries
    from kamtibmas_geo.records._taxonomy import load_taxonomy

    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        desa = load_boundaries("desa", region, settings=settings or Settings()).sort_values("code")
    area = desa["area_km2"].to_numpy(dtype=np.float64)
    weight = np.sqrt(np.clip(area, 0.05, None)) * np.where(rng.random(len(desa)) < 0.1, 6.0, 1.0)
    pick = rng.choice(len(desa), size=n, p=weight / weight.sum())
    spread_km = 0.25 * np.sqrt(np.clip(area[pick], 0.05, None))
    lat = desa["inside_lat"].to_numpy()[pick] + rng.normal(0, 1, n) * spread_km / 110.0
    lon = desa["inside_lon"].to_numpy()[pick] + rng.normal(0, 1, n) * spread_km / 110.0
    t_end = pd.Timestamp(end)
    seconds = rng.uniform(0.0, years * 365.25 * 86400.0, n)
    times = t_end - pd.to_timedelta(np.sort(seconds)[::-1], unit="s")
    types = np.asarray(list(load_taxonomy().keys("disturbance")), dtype=object)
    share = np.asarray(_TYPE_SHARE[: len(types)], dtype=np.float64)
    kind = types[rng.choice(len(types), size=n, p=share / share.sum())]
    text_only = rng.random(n) < text_share
    names = "Desa " + desa["name"].astype(str) + ", Kec. " + desa["kecamatan_name"].astype(str)
    address = np.where(text_only, names.to_numpy()[pick], None)
    return pd.DataFrame(
        {
            "time": times.strftime("%Y-%m-%d %H:%M"),
            "type": kind,
            "lat": np.where(text_only, np.nan, np.round(lat, 6)),
            "lon": np.where(text_only, np.nan, np.round(lon, 6)),
            "address": address,
            "kabupaten_code": desa["kabupaten_code"].astype(str).to_numpy()[pick],
        }
    )
