"""Where a patrol starts and what is near its stops: Polsek offices, landmarks, roads.

Private helpers of :mod:`kamtibmas_geo.plan._patrol`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.grid._metres import to_utm
from kamtibmas_geo.plan._patrol_route import road_metres

__all__ = ["Places", "Start", "starts"]

MESSAGES = {"centre": {"id": "pusat kecamatan ({polsek})", "en": "kecamatan centre ({polsek})"}}


@dataclass(frozen=True)
class Start:
    name: str
    lat: float
    lon: float
    xy: np.ndarray


def starts(
    polsek: np.ndarray,
    kecamatan: np.ndarray,
    latlng: np.ndarray,
    crs: str,
    places: tuple[Any, pd.DataFrame | None],
    lang: str,
) -> dict[str, Start]:
    """Where each Polsek's teams start: its office if given, else its kecamatan's centre."""
    from kamtibmas_geo.plan._places import read_places

    stations, boundaries = places
    offices: dict[str, tuple[float, float]] = {}
    if stations is not None:
        st = read_places(stations, what="places", active_only=False)
        for n, la, lo in zip(st["nama"], st["lat"], st["lon"], strict=True):
            offices[_key(str(n))] = (float(la), float(lo))
    centres = _kecamatan_centres(boundaries)
    kec = np.asarray(kecamatan, dtype=object).astype(str)
    out: dict[str, Start] = {}
    for p in sorted(set(polsek.tolist())):
        mine = polsek == p
        if _key(p) in offices:
            la, lo = offices[_key(p)]
            name = p
        else:
            codes = sorted(set(kec[mine].tolist()))
            pts = [centres[c] for c in codes if c in centres]
            la, lo = pts[0] if pts else tuple(latlng[mine].mean(axis=0))
            name = tr(MESSAGES, "centre", lang, polsek=p)
        xy = to_utm(np.array([lo]), np.array([la]), crs)[0]
        out[p] = Start(name, round(float(la), 6), round(float(lo), 6), xy)
    return out


def _key(name: str) -> str:
    text = " ".join(name.lower().split())
    return text.removeprefix("polsek ").strip()


def _kecamatan_centres(boundaries: pd.DataFrame | None) -> dict[str, tuple[float, float]]:
    if boundaries is None or "code" not in boundaries:
        return {}
    import geopandas as gpd

    g = gpd.GeoDataFrame(boundaries).to_crs(4326)
    pts = g.geometry.representative_point()
    return {str(c): (float(p.y), float(p.x)) for c, p in zip(g["code"], pts, strict=True)}


@dataclass(frozen=True)
class Places:
    """Landmarks near the cells and the road network, if given."""

    landmark_names: list[str]
    landmark_xy: np.ndarray
    roads_xy: list[np.ndarray] | None
    detour_factor: float
    landmark_radius_m: float

    @classmethod
    def of(
        cls,
        crs: str,
        landmarks: Any,
        roads: pd.DataFrame | None,
        detour_factor: float,
        landmark_radius_m: float,
    ) -> Places:
        from kamtibmas_geo.plan._places import read_places

        names: list[str] = []
        xy = np.zeros((0, 2))
        if landmarks is not None:
            lm = read_places(landmarks, what="places", active_only=False)
            names = [str(n) for n in lm["nama"]]
            xy = to_utm(lm["lon"].to_numpy(float), lm["lat"].to_numpy(float), crs)
        roads_xy = None
        if roads is not None:
            import geopandas as gpd

            lines = gpd.GeoDataFrame(roads).to_crs(crs).geometry.explode(index_parts=False)
            roads_xy = [
                np.asarray(g.coords)[:, :2] for g in lines if g is not None and not g.is_empty
            ]
        return cls(names, xy, roads_xy, detour_factor, landmark_radius_m)

    def metres(self, pts: np.ndarray) -> np.ndarray:
        """Travel distances between points: over the roads, else straight × detour factor."""
        if self.roads_xy:
            return road_metres(self.roads_xy, pts)
        d = np.linalg.norm(pts[:, None, :] - pts[None, :, :], axis=2)
        return d * self.detour_factor

    def nearest(self, xy: np.ndarray) -> tuple[str | None, int | None]:
        """Return the nearest landmark within the radius and its distance (m), or None."""
        if not len(self.landmark_names):
            return None, None
        d = np.linalg.norm(self.landmark_xy - xy, axis=1)
        k = int(np.argmin(d))
        if d[k] > self.landmark_radius_m:
            return None, None
        return self.landmark_names[k], round(float(d[k]))
