"""Where the synthetic sample events happen: desa intensity, planted places, point draws.

Private helpers of :mod:`kamtibmas_geo.sample._sample`. Points are drawn inside the real
desa/kelurahan polygons of the boundary pack, vectorised: candidates are drawn in a
bounding box (or around a centre) and rejected with :func:`shapely.contains_xy`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from kamtibmas_geo._errors import RegionError

__all__ = ["DesaIndex", "Place", "load_places"]

M_PER_DEG = 111_320.0

MESSAGES = {
    "place_outside": {
        "id": "Tempat contoh {key!r} berada di luar paket batas wilayah; data contoh "
        "memerlukan paket batas OKI dan Palembang.",
        "en": "Planted place {key!r} lies outside the boundary pack; the sample needs the "
        "OKI and Palembang boundary pack.",
    },
}


@dataclass(frozen=True, slots=True)
class Place:
    """A planted place of the sample data (one entry of ``sample_places.toml``).

    Attributes
    ----------
    key, name, kind, trend : str
        Identifier, name in reports, ``pasar``/``jalan``/``kawasan``, ``persistent``/``emerging``.
    weight, radius_m : float
        Relative pull on incidents and spread in metres.
    covered : bool
        Whether Binmas activities follow the place.
    coords : numpy.ndarray
        ``(k, 2)`` lon/lat: one point or the vertices of a road.
    types : dict
        Affinity of each incident type.
    """

    key: str
    name: str
    kind: str
    trend: str
    weight: float
    radius_m: float
    covered: bool
    coords: np.ndarray
    types: dict[str, float]


def load_places() -> tuple[list[Place], list[dict[str, Any]], dict[str, str]]:
    """Read the planted places, settlement centres and Polsek names of the sample.

    Returns
    -------
    places : list of Place
    centres : list of dict
        ``name``, ``coords`` (lon, lat) and ``scale_km``.
    polsek : dict
        Kecamatan code → Polsek name overrides.
    """
    text = resources.files("kamtibmas_geo").joinpath("data/sample_places.toml").read_text("utf-8")
    data = tomllib.loads(text)
    places = [
        Place(
            key=p["key"],
            name=p["name"],
            kind=p["kind"],
            trend=p["trend"],
            weight=float(p["weight"]),
            radius_m=float(p["radius_m"]),
            covered=bool(p["covered"]),
            coords=np.asarray(p["coords"], dtype=float),
            types={k: float(v) for k, v in p["types"].items()},
        )
        for p in data["place"]
    ]
    return places, list(data["centre"]), dict(data["polsek"])


class DesaIndex:
    """The desa/kelurahan polygons with their sampling intensity and a point locator.

    Parameters
    ----------
    desa : GeoDataFrame
        The desa level of the boundary pack (EPSG:4326, sorted by code).
    centres : list of dict
        Settlement centres (``coords``, ``scale_km``) from :func:`load_places`.
    """

    def __init__(self, desa: gpd.GeoDataFrame, centres: list[dict[str, Any]]) -> None:
        self.desa = desa.reset_index(drop=True)
        self.geoms = np.asarray(self.desa.geometry.values, dtype=object)
        for g in self.geoms:
            shapely.prepare(g)
        self.bounds = shapely.bounds(self.geoms)
        self.tree = shapely.STRtree(self.geoms)
        self.area = self.desa["area_km2"].to_numpy(dtype=float)
        self.inside = self.desa[["inside_lon", "inside_lat"]].to_numpy(dtype=float)
        self.kind = self.desa["kind"].to_numpy()
        self.intensity = self._intensity(centres)

    def _intensity(self, centres: list[dict[str, Any]]) -> np.ndarray:
        d = self.desa
        area = d["area_km2"].to_numpy(dtype=float)
        lon = d["inside_lon"].to_numpy(dtype=float)
        lat = d["inside_lat"].to_numpy(dtype=float)
        near = np.zeros(len(d))
        for c in centres:
            cx, cy = c["coords"]
            dist_km = np.hypot((lon - cx) * np.cos(np.radians(cy)), lat - cy) * M_PER_DEG / 1000
            near = np.maximum(near, np.exp(-dist_km / float(c["scale_km"])))
        kel = (d["kind"] == "kelurahan").to_numpy()
        plg = (d["kabupaten_code"] == "16.71").to_numpy()
        kayu = (d["kecamatan_code"] == "16.02.05").to_numpy()
        base = np.select(
            [kel & plg, kel & kayu, kel],
            [6.0 * area**0.5, 3.5 * area**0.5, 1.5 * area**0.5],
            default=0.6 * area**0.3,
        )
        w = base * (0.4 + near)
        return np.asarray(w / w.sum())

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the row of the desa holding each point, ``-1`` outside all of them.

        Parameters
        ----------
        x, y : numpy.ndarray
            Longitudes and latitudes.

        Returns
        -------
        numpy.ndarray
            Integer row positions into :attr:`desa`.
        """
        out = np.full(len(x), -1, dtype=np.int64)
        if len(x) == 0:
            return out
        pts = shapely.points(x, y)
        src, tgt = self.tree.query(pts, predicate="within")
        if len(src) == 0:
            return out  # every point outside: the caller draws again
        order = np.lexsort((tgt, src))  # smallest row (= smallest code) wins on a border
        src, tgt = src[order], tgt[order]
        first = np.r_[True, src[1:] != src[:-1]]
        out[src[first]] = tgt[first]
        return out

    def draw_in_desa(
        self, rows: np.ndarray, rng: np.random.Generator, *, settle: float = 0.6
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw one point inside the polygon of each desa in ``rows``.

        Kelurahan are sampled uniformly; in a rural desa a share ``settle`` of the points
        clusters around the village's inside point (its settlement), the rest is uniform.

        Parameters
        ----------
        rows : numpy.ndarray
            Row positions into :attr:`desa`, one per point wanted.
        rng : numpy.random.Generator
            Random source.
        settle : float
            Share of points of a rural desa drawn around its settlement.

        Returns
        -------
        x, y : numpy.ndarray
        """
        x = np.empty(len(rows))
        y = np.empty(len(rows))
        order = np.argsort(rows, kind="stable")
        counts = np.bincount(rows, minlength=len(self.geoms))
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        for i in np.flatnonzero(counts):
            n = int(counts[i])
            target = order[starts[i] : starts[i] + n]
            n_near = int(rng.binomial(n, settle)) if self.kind[i] == "desa" else 0
            near_x, near_y = self._near_settlement(int(i), n_near, rng)
            uni_x, uni_y = _uniform_in(self.geoms[i], self.bounds[i], n - len(near_x), rng)
            x[target] = np.r_[near_x, uni_x][:n]
            y[target] = np.r_[near_y, uni_y][:n]
        return x, y

    def _near_settlement(
        self, i: int, n_near: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw up to ``n_near`` points of desa ``i`` around its settlement (Gaussian)."""
        if not n_near:
            return np.empty(0), np.empty(0)
        geom = self.geoms[i]
        sigma = min(0.25 * np.sqrt(self.area[i]), 1.5) * 1000 / M_PER_DEG
        cx, cy = self.inside[i]
        px, py, got = [], [], 0
        for _ in range(20):
            cand_x = rng.normal(cx, sigma, 4 * n_near)
            cand_y = rng.normal(cy, sigma, 4 * n_near)
            ok = shapely.contains_xy(geom, cand_x, cand_y)
            px.append(cand_x[ok])
            py.append(cand_y[ok])
            got += int(ok.sum())
            if got >= n_near:
                break
        n_near = min(got, n_near)
        return np.concatenate(px)[:n_near], np.concatenate(py)[:n_near]

    def draw_avoiding(
        self, n: int, weights: np.ndarray, avoid: list[Place], rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` points in desa chosen by ``weights``, away from the ``avoid`` places.

        A point closer to an avoided place than twice its ``radius_m`` plus 200 m is drawn
        again in a newly chosen desa (up to 50 rounds), so that the places Binmas misses
        get no activity at all: the coverage gap of the sample.

        Parameters
        ----------
        n : int
            Number of points.
        weights : numpy.ndarray
            Probability of each desa (row of :attr:`desa`).
        avoid : list of Place
            Places to keep away from.
        rng : numpy.random.Generator
            Random source.

        Returns
        -------
        x, y : numpy.ndarray
        """
        x = np.empty(n)
        y = np.empty(n)
        zone = shapely.union_all(
            [
                (
                    shapely.points(p.coords[0])
                    if len(p.coords) == 1
                    else shapely.linestrings(p.coords)
                ).buffer((2 * p.radius_m + 200) / M_PER_DEG)
                for p in avoid
            ]
        )
        shapely.prepare(zone)
        todo = np.arange(n)
        for _ in range(50):
            rows = rng.choice(len(weights), size=len(todo), p=weights)
            x[todo], y[todo] = self.draw_in_desa(rows, rng)
            todo = todo[shapely.contains_xy(zone, x[todo], y[todo])]
            if len(todo) == 0:
                break
        return x, y

    def draw_near(
        self,
        place_idx: np.ndarray,
        places: list[Place],
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw one point around each planted place in ``place_idx``, inside a desa.

        Around a point place the offsets are Gaussian with sigma ``radius_m``; along a road
        the point is uniform along the polyline (by length) with a Gaussian offset across.

        Parameters
        ----------
        place_idx : numpy.ndarray
            Index into ``places`` for each point wanted.
        places : list of Place
            The planted places.
        rng : numpy.random.Generator
            Random source.

        Returns
        -------
        x, y : numpy.ndarray
        """
        x = np.empty(len(place_idx))
        y = np.empty(len(place_idx))
        for k, place in enumerate(places):
            target = np.flatnonzero(place_idx == k)
            todo = target
            for _ in range(50):
                if len(todo) == 0:
                    break
                cx, cy = _base_points(place, len(todo), rng)
                s = place.radius_m / M_PER_DEG
                cx = cx + rng.normal(0.0, s, len(todo))
                cy = cy + rng.normal(0.0, s, len(todo))
                ok = self.locate(cx, cy) >= 0
                x[todo[ok]] = cx[ok]
                y[todo[ok]] = cy[ok]
                todo = todo[~ok]
            if len(todo):  # pragma: no cover - places are checked to lie inside a desa
                raise RegionError.say(MESSAGES, "place_outside", key=place.key)
        return x, y


def _uniform_in(
    geom: Any, bounds: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` points uniformly inside ``geom`` (candidates in its bounding box)."""
    minx, miny, maxx, maxy = bounds
    fill = max(geom.area / max((maxx - minx) * (maxy - miny), 1e-12), 0.05)
    ux, uy, got = [], [], 0
    while got < n:
        m = int(np.ceil(1.5 * (n - got) / fill)) + 8
        cand_x = rng.uniform(minx, maxx, m)
        cand_y = rng.uniform(miny, maxy, m)
        ok = shapely.contains_xy(geom, cand_x, cand_y)
        ux.append(cand_x[ok])
        uy.append(cand_y[ok])
        got += int(ok.sum())
    if not ux:
        return np.empty(0), np.empty(0)
    return np.concatenate(ux)[:n], np.concatenate(uy)[:n]


def _base_points(place: Place, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    c = place.coords
    if len(c) == 1:
        return np.full(n, c[0, 0]), np.full(n, c[0, 1])
    seg = np.hypot(np.diff(c[:, 0]), np.diff(c[:, 1]))
    cum = np.r_[0.0, np.cumsum(seg)]
    t = rng.uniform(0.0, cum[-1], n)
    i = np.clip(np.searchsorted(cum, t, side="right") - 1, 0, len(seg) - 1)
    f = (t - cum[i]) / seg[i]
    return c[i, 0] + f * (c[i + 1, 0] - c[i, 0]), c[i, 1] + f * (c[i + 1, 1] - c[i, 1])
