"""Patrol plans a team can carry out: teams where the risk is, routes that fit the hours.

Public names are re-exported by :mod:`kamtibmas_geo.plan._poskamling`. See ``docs/planning.md``.

For each Polres (kabupaten/kota) and time window:

1. the risk of each cell in the window (:mod:`._patrol_risk`); cells below ``materiality`` ×
   the riskiest cell of the Polres in that window are never visited;
2. the Polres's teams are split over its Polsek in proportion to their material risk
   (largest remainder, at least one team where the risk is material);
3. the window's hours come from the sky at the Polsek (imsak, subuh, maghrib, isya with the
   Kemenag angles, :func:`kamtibmas_geo.calendar._astro.patrol_windows`);
4. each Polsek's teams get the stops that fit the window (travel at ``speed_kmh`` over the
   straight line × ``detour_factor`` or over the user's roads, plus ``dwell_minutes`` per
   stop, out from and back to the Polsek) chosen and ordered by PyVRP.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo._errors import PlanError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.boundaries._names import display_name
from kamtibmas_geo.boundaries._polsek import PolsekMapping
from kamtibmas_geo.calendar._astro import PATROL_WINDOWS, patrol_windows
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._metres import to_utm, utm_crs
from kamtibmas_geo.plan._patrol_risk import (
    OFF_PEAK,
    Reports,
    hours_text,
    reason_text,
    window_affinity,
    window_risk,
)
from kamtibmas_geo.plan._patrol_route import (
    RouteProblem,
    allocate_teams,
    road_metres,
    solve_routes,
)

__all__ = [
    "DEFAULT_WINDOWS",
    "OFF_PEAK",
    "WINDOWS",
    "PatrolOptions",
    "allocate_teams",
    "patrol_plan",
    "window_affinity",
]

#: Every time window, in the order of the day.
WINDOWS: tuple[str, ...] = PATROL_WINDOWS
#: Windows planned by default (``siang`` and ``takbiran`` on request).
DEFAULT_WINDOWS: tuple[str, ...] = ("sahur", "subuh", "ngabuburit", "tarawih", "malam")
_DEFAULT_TARGET = "ramadhan-1448"

MESSAGES = {
    "win_sahur": {"id": "Sahur", "en": "Sahur (pre-dawn meal)"},
    "win_subuh": {"id": "Subuh", "en": "Subuh (dawn)"},
    "win_siang": {"id": "Siang", "en": "Daytime"},
    "win_ngabuburit": {"id": "Ngabuburit (menjelang berbuka)", "en": "Ngabuburit (before iftar)"},
    "win_tarawih": {"id": "Tarawih", "en": "Tarawih (evening prayers)"},
    "win_malam": {"id": "Malam", "en": "Night"},
    "win_takbiran": {"id": "Malam takbiran", "en": "Takbiran (eve of Idul Fitri)"},
    "polsek_default": {"id": "Polsek {name}", "en": "Polsek {name}"},
    "note_none": {
        "id": "tidak ada risiko material: tidak ada tim",
        "en": "no material risk: no team",
    },
    "note_short": {
        "id": "risiko material, tetapi tim Polres habis untuk Polsek yang lebih berisiko",
        "en": "material risk, but the Polres's teams went to riskier Polsek",
    },
    "note_ok": {"id": "", "en": ""},
    "note_idle": {
        "id": "{idle} tim tanpa rute: tidak ada lagi titik material yang terjangkau dalam "
        "waktu ini",
        "en": "{idle} team(s) without a route: no other material stop reachable in this window",
    },
    "err_teams": {
        "id": "teams (jumlah tim Polres per waktu) harus bilangan bulat >= 1 atau peta "
        "{{waktu: tim}}, bukan {teams!r}.",
        "en": "teams (the Polres's teams per window) must be a whole number >= 1 or a "
        "{{window: teams}} mapping, got {teams!r}.",
    },
    "err_quantile": {
        "id": "high_risk_quantile harus di antara 0 dan 1, bukan {value!r}.",
        "en": "high_risk_quantile must lie in [0, 1], got {value!r}.",
    },
    "err_option": {
        "id": "PatrolOptions.{name} harus {rule}, bukan {value!r}.",
        "en": "PatrolOptions.{name} must be {rule}, got {value!r}.",
    },
    "err_windows": {
        "id": "Waktu patroli tidak dikenal: {bad!r}; pilih dari {choices}.",
        "en": "Unknown time window(s) {bad!r}; choose from {choices}.",
    },
    "err_cells": {
        "id": "cells harus tabel skor sel dengan kolom 'hex_id' dan 'score' (hasil "
        "score_hotspots).",
        "en": "cells must be the table of cell scores with 'hex_id' and 'score' columns.",
    },
    "err_no_risk": {
        "id": "Tidak ada sel dengan skor positif; tidak ada yang perlu dipatroli.",
        "en": "No cell has a positive score; there is nothing to patrol.",
    },
    "err_day": {
        "id": "Waktu {window} tidak berlaku pada {day} (Ramadhan {start} s.d. {end}); pilih "
        "tanggal lain atau waktu lain.",
        "en": "Window {window} does not apply on {day} (Ramadhan {start} to {end}); choose "
        "another date or window.",
    },
    "warn_target": {
        "id": "Target {target!r} bukan Ramadhan yang dikenali; jam patroli dihitung untuk "
        "{fallback}.",
        "en": "Target {target!r} is not a Ramadhan; patrol hours are computed for {fallback}.",
    },
}


@dataclass(frozen=True)
class PatrolOptions:
    """How teams travel and what is worth a visit.

    Attributes
    ----------
    speed_kmh : float
        Travel speed of a patrol (motorbike or car in town), km/h. Default 30.
    detour_factor : float
        Road distance over straight-line distance when no road network is given. Default
        1.4, the circuity of road networks measured in many cities (1.2–1.5; Ballou et al.
        2002, Boeing 2019); raise it for rivers and few bridges.
    dwell_minutes : float
        Time spent at each stop (dialogue, look around), minutes. Default 15.
    materiality : float
        A cell is worth a visit in a window when its risk is at least this share of the
        riskiest cell of the Polres in that window. Default 0.05.
    max_candidates : int
        The riskiest material cells offered to the router per Polsek and window. Default 30.
    iterations : int
        Iterations of the PyVRP search (a count, not a time: the plan is reproducible).
    seed : int
        Seed of the search.
    reason_months : int
        Period of the reasons when records are given, months before the plan. Default 12.
    landmark_radius_m : float
        Nearest landmark or post shown when within this distance of a stop, metres.
    """

    speed_kmh: float = 30.0
    detour_factor: float = 1.4
    dwell_minutes: float = 15.0
    materiality: float = 0.05
    max_candidates: int = 30
    iterations: int = 300
    seed: int = 0
    reason_months: int = 12
    landmark_radius_m: float = 1000.0

    def __post_init__(self) -> None:
        rules = {
            "speed_kmh": (0.0, 200.0, "angka > 0"),
            "detour_factor": (1.0, 5.0, "angka 1..5"),
            "dwell_minutes": (0.0, 240.0, "angka 0..240"),
            "materiality": (0.0, 1.0, "angka 0..1"),
            "landmark_radius_m": (0.0, 1e5, "angka >= 0"),
        }
        for name, (lo, hi, rule) in rules.items():
            v = getattr(self, name)
            ok = isinstance(v, int | float) and not isinstance(v, bool) and lo <= v <= hi
            if not ok or (name == "speed_kmh" and v == 0):
                raise PlanError.say(MESSAGES, "err_option", name=name, rule=rule, value=v)
        for name in ("max_candidates", "iterations", "reason_months"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise PlanError.say(MESSAGES, "err_option", name=name, rule=">= 1", value=v)


@dataclass(frozen=True)
class _Cells:
    """The plan's cells: the frame (sorted by hex_id), centres, units, risk per window."""

    frame: pd.DataFrame
    latlng: np.ndarray
    xy: np.ndarray
    crs: str
    kab: np.ndarray
    polsek: np.ndarray
    risk: pd.DataFrame
    types: list[str]
    counts: np.ndarray


def patrol_plan(
    cells: pd.DataFrame,
    *,
    teams: int | Mapping[str, int] = 6,
    windows: Sequence[str] | None = None,
    target: str | None = _DEFAULT_TARGET,
    day: date | None = None,
    overrides: Mapping[int, tuple[Any, Any]] | None = None,
    polsek: PolsekMapping | None = None,
    stations: Any = None,
    boundaries: pd.DataFrame | None = None,
    records: pd.DataFrame | None = None,
    landmarks: Any = None,
    roads: pd.DataFrame | None = None,
    options: PatrolOptions | None = None,
    high_risk_quantile: float = 0.99,
    settings: Settings | None = None,
    lang: str = "id",
) -> pd.DataFrame:
    """Plan tonight's patrols: teams per Polsek by risk, routes that fit each window.

    Parameters
    ----------
    cells : (Geo)DataFrame
        Cell scores of one or more Polres (``score_hotspots``): ``hex_id``, ``score``,
        ``kecamatan_code``/``kecamatan_name``, ``desa_code``/``desa_name``, ``n_<type>``;
        ``kabupaten_code`` (else taken from the kecamatan code). Each Polres is planned on
        its own.
    teams : int or mapping
        Teams each Polres has per window, or ``{window: teams}``.
    windows : sequence of str, optional
        From ``sahur, subuh, siang, ngabuburit, tarawih, malam, takbiran`` (default all but
        ``siang`` and ``takbiran``).
    target : str, optional
        The Ramadhan (``"ramadhan-1448"``, ``"ramadhan-2027"``), also written in the output.
    day : datetime.date, optional
        Plan this date; default: the first night each window applies (the evening before
        1 Ramadhan for tarawih, 1 Ramadhan for sahur and ngabuburit, the eve of 1 Syawal for
        takbiran).
    overrides : mapping, optional
        ``{hijri_year: (1 Ramadhan, 1 Syawal)}`` once announced (sidang isbat), as in
        :func:`kamtibmas_geo.calendar.ramadhan_dates`.
    polsek : mapping, DataFrame or path, optional
        Which Polsek answers for each kecamatan, as
        :func:`kamtibmas_geo.boundaries._polsek.polsek_table` reads it (``{kecamatan code or
        name: Polsek}``, a table or a CSV/XLSX file); default one Polsek per kecamatan.
    stations : path or DataFrame, optional
        Polsek offices (``nama`` = Polsek name, ``lintang``, ``bujur``): where the teams
        start. A Polsek without one starts at the centre of its kecamatan.
    boundaries : GeoDataFrame, optional
        Kecamatan polygons (``code``): their centres are the default starts.
    records : DataFrame, optional
        Geocoded records (``hex_id``, ``type``, ``time``, ``time_known``): reasons in whole
        numbers over the last ``reason_months`` and the hours incidents were reported.
    landmarks : path or DataFrame, optional
        Named places (``nama``, ``lintang``, ``bujur``): the nearest is shown at each stop.
    roads : GeoDataFrame, optional
        Road lines: travel over them instead of straight line × detour factor.
    options : PatrolOptions, optional
        Speed, detour factor, dwell, materiality, search iterations.
    high_risk_quantile : float
        A stop is marked high-risk when its risk is at least this quantile of the positive
        risks of the Polres in the window.
    settings : Settings, optional
        Settings (language default).
    lang : {"id", "en"}
        Language of labels, reasons and notes.

    Returns
    -------
    DataFrame
        One row per stop, in route order: ``target``, ``kabupaten_code``, ``polsek``,
        ``kecamatan_code``, ``kecamatan``, ``window``, ``window_label``, ``date``,
        ``window_start``, ``window_end``, ``team``, ``stop``, ``arrive``, ``hex_id``,
        ``desa_code``, ``desa``, ``landmark``, ``landmark_m``, ``lat``, ``lon``,
        ``map_url``, ``leg_km``, ``team_km``, ``team_minutes``, ``risk``, ``rank``,
        ``high_risk``, ``reason``, ``hours``, ``hours_source``, ``start_name``,
        ``start_lat``, ``start_lon``. ``attrs["allocation"]`` holds the teams per Polsek
        and window (with a note for every Polsek that gets none) as a list of dicts.
    """
    opts = options or PatrolOptions()
    lang = lang if lang in ("id", "en") else (settings.lang if settings else "id")
    wins = _check_windows(windows)
    per_window = _check_teams(teams, wins)
    if not 0 <= high_risk_quantile <= 1:
        raise PlanError.say(MESSAGES, "err_quantile", value=high_risk_quantile)
    if not isinstance(cells, pd.DataFrame) or "hex_id" not in cells or "score" not in cells:
        raise PlanError.say(MESSAGES, "err_cells")
    sky = _Sky.of(target, day, overrides)
    grid = _grid(cells, polsek, lang)
    reports = _reports(records, grid, sky, wins, opts)
    grid = _with_risk(grid, wins, reports)
    if not (grid.risk.to_numpy() > 0).any():
        raise PlanError.say(MESSAGES, "err_no_risk")
    starts = _starts(grid, stations, boundaries, lang)
    places = _Places.of(grid, landmarks, roads, opts)
    rows: list[dict[str, Any]] = []
    alloc: list[dict[str, Any]] = []
    for kab in sorted(set(grid.kab.tolist())):
        for w in wins:
            job = _Job(kab, w, per_window[w], target, high_risk_quantile, lang)
            r, a = _plan_window(job, grid, sky, starts, places, reports, opts)
            rows.extend(r)
            alloc.extend(a)
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out.attrs["allocation"] = alloc
    return out


_COLUMNS = [
    "target", "kabupaten_code", "polsek", "kecamatan_code", "kecamatan", "window",
    "window_label", "date", "window_start", "window_end", "team", "stop", "arrive", "hex_id",
    "desa_code", "desa", "landmark", "landmark_m", "lat", "lon", "map_url", "leg_km",
    "team_km", "team_minutes", "risk", "rank", "high_risk", "reason", "hours",
    "hours_source", "start_name", "start_lat", "start_lon",
]  # fmt: skip


def _check_windows(windows: Sequence[str] | None) -> list[str]:
    wins = list(DEFAULT_WINDOWS if windows is None else windows)
    bad = [w for w in wins if w not in WINDOWS]
    if bad or not wins:
        raise PlanError.say(MESSAGES, "err_windows", bad=bad, choices=", ".join(WINDOWS))
    return [w for w in WINDOWS if w in wins]


def _check_teams(teams: int | Mapping[str, int], wins: list[str]) -> dict[str, int]:
    per = dict(teams) if isinstance(teams, Mapping) else dict.fromkeys(wins, teams)
    for w in wins:
        t = per.get(w)
        if isinstance(t, bool) or not isinstance(t, int | np.integer) or t < 1:
            raise PlanError.say(MESSAGES, "err_teams", teams=teams)
    return {w: int(per[w]) for w in wins}


# --------------------------------------------------------------------------- the sky


@dataclass(frozen=True)
class _Sky:
    """Which date each window is planned for, and the Ramadhan around it."""

    start: date
    idul_fitri: date
    day: date | None

    @classmethod
    def of(cls, target: str | None, day: date | None, overrides: Mapping[int, Any] | None) -> _Sky:
        from kamtibmas_geo.calendar._dates import parse_target

        text = target if target is not None else _DEFAULT_TARGET
        try:
            dates = parse_target(text, overrides=overrides)
        except (ValueError, TypeError):
            dates = parse_target(_DEFAULT_TARGET, overrides=overrides)
            fallback = f"Ramadhan {dates.hijri_year} H"
            warnings.warn(
                tr(MESSAGES, "warn_target", "id", target=target, fallback=fallback),
                UserWarning,
                stacklevel=3,
            )
        return cls(dates.start, dates.idul_fitri, day)

    def day_of(self, window: str) -> date:
        """Return the date a window is planned for (``day``, else the first night it applies)."""
        if self.day is not None:
            return self.day
        one = timedelta(days=1)
        return {"tarawih": self.start - one, "takbiran": self.idul_fitri - one}.get(
            window, self.start
        )

    def window(self, w: str, lat: float, lon: float) -> tuple[datetime, datetime]:
        """Return the bounds of window ``w`` at a place on its day."""
        d = self.day_of(w)
        got = patrol_windows(d, lat, lon, start=self.start, idul_fitri=self.idul_fitri)
        if w not in got:
            raise PlanError.say(
                MESSAGES, "err_day", window=w, day=d, start=self.start, end=self.idul_fitri
            )
        return got[w]


# --------------------------------------------------------------------------- cells


def _grid(cells: pd.DataFrame, polsek: PolsekMapping | None, lang: str) -> _Cells:
    """Sort the cells, place their centres in metres, name their Polres and Polsek."""
    import h3

    frame = pd.DataFrame(cells.drop(columns="geometry", errors="ignore"))
    frame = frame.sort_values("hex_id", kind="stable").reset_index(drop=True)
    frame["hex_id"] = frame["hex_id"].astype(str)
    for c in ("kecamatan_code", "kecamatan_name", "desa_code", "desa_name"):
        if c not in frame:
            frame[c] = None
    latlng = np.array([h3.cell_to_latlng(c) for c in frame["hex_id"]]).reshape(-1, 2)
    crs = utm_crs(latlng[:, 1], latlng[:, 0])
    xy = to_utm(latlng[:, 1], latlng[:, 0], crs)
    kec = frame["kecamatan_code"].astype("string").fillna("-")
    if "kabupaten_code" in frame:
        kab = frame["kabupaten_code"].astype("string").fillna("-")
    else:
        kab = kec.str.rsplit(".", n=1).str[0].fillna("-")
    pol = _polsek_of(frame, kec, polsek, lang)
    empty = pd.DataFrame(index=frame.index)
    return _Cells(
        frame, latlng, xy, crs, kab.to_numpy(dtype=object), np.array(pol, dtype=object),
        empty, [], np.zeros((len(frame), 0)),
    )  # fmt: skip


def _polsek_of(
    frame: pd.DataFrame, kec: pd.Series, polsek: PolsekMapping | None, lang: str
) -> list[str]:
    """Return the Polsek of each cell (:func:`polsek_table`; default one per kecamatan)."""
    from kamtibmas_geo.boundaries._polsek import polsek_table

    names = frame["kecamatan_name"].astype("string").fillna(kec)
    known = pd.DataFrame({"kecamatan_code": kec, "kecamatan_name": names})
    known = known[frame["kecamatan_code"].notna()].drop_duplicates("kecamatan_code")
    lookup: dict[str, str] = {}
    if len(known):
        table = polsek_table(known.reset_index(drop=True), polsek)
        lookup = dict(zip(table["kecamatan_code"].astype(str), table["polsek"], strict=True))
    return [
        lookup.get(str(k)) or tr(MESSAGES, "polsek_default", lang, name=display_name(str(n)))
        for k, n in zip(kec, names, strict=True)
    ]


def _with_risk(grid: _Cells, wins: list[str], reports: Reports | None) -> _Cells:
    risk, types, counts = window_risk(grid.frame, wins, reports)
    return _Cells(
        grid.frame, grid.latlng, grid.xy, grid.crs, grid.kab, grid.polsek, risk, types, counts
    )


def _reports(
    records: pd.DataFrame | None, grid: _Cells, sky: _Sky, wins: list[str], opts: PatrolOptions
) -> Reports | None:
    """Return the records placed precisely in the plan's cells, with their hour and window."""
    if records is None:
        return None
    rec = pd.DataFrame(records)
    keep = rec["hex_id"].astype(str).isin(set(grid.frame["hex_id"]))
    if "geocode_status" in rec and "region_level" in rec:
        precise = rec["geocode_status"].astype(str).eq("coordinates") | rec["region_level"].astype(
            str
        ).eq("landmark")
        keep &= precise
    rec = rec[keep]
    times = pd.to_datetime(rec["time"], errors="coerce")
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert("Asia/Jakarta").dt.tz_localize(None)
    known = rec["time_known"].astype(bool) if "time_known" in rec else times.notna()
    hour = (times.dt.hour + times.dt.minute / 60.0).where(known & times.notna())
    plan_start = pd.Timestamp(sky.start) - pd.Timedelta(days=1)
    recent = (times < plan_start) & (times >= plan_start - pd.DateOffset(months=opts.reason_months))
    lat, lon = float(grid.latlng[:, 0].mean()), float(grid.latlng[:, 1].mean())
    frame = pd.DataFrame(
        {
            "hex_id": rec["hex_id"].astype(str).to_numpy(),
            "type": rec["type"].astype(str).to_numpy(),
            "hour": hour.to_numpy(dtype=float),
            "window": _window_of(hour.to_numpy(dtype=float), sky, wins, lat, lon),
            "recent": recent.fillna(False).to_numpy(dtype=bool),
        }
    )
    return Reports(frame, opts.reason_months)


def _window_of(hours: np.ndarray, sky: _Sky, wins: list[str], lat: float, lon: float) -> Any:
    """Return the planned window holding each reported hour of the day (None outside them all)."""
    out = np.full(len(hours), None, dtype=object)
    for w in reversed([w for w in wins if w != "takbiran"]):
        a, b = sky.window(w, lat, lon)
        lo, hi = a.hour + a.minute / 60.0, b.hour + b.minute / 60.0
        inside = (hours >= lo) & (hours < hi) if lo < hi else (hours >= lo) | (hours < hi)
        out[inside] = w
    return out


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class _Start:
    name: str
    lat: float
    lon: float
    xy: np.ndarray


def _starts(
    grid: _Cells, stations: Any, boundaries: pd.DataFrame | None, lang: str
) -> dict[str, _Start]:
    """Where each Polsek's teams start: its office if given, else its kecamatan's centre."""
    from kamtibmas_geo.plan._places import read_places

    offices: dict[str, tuple[float, float]] = {}
    if stations is not None:
        st = read_places(stations, what="places", active_only=False)
        for n, la, lo in zip(st["nama"], st["lat"], st["lon"], strict=True):
            offices[_key(str(n))] = (float(la), float(lo))
    centres = _kecamatan_centres(boundaries)
    kec = grid.frame["kecamatan_code"].astype(str).to_numpy()
    out: dict[str, _Start] = {}
    for p in sorted(set(grid.polsek.tolist())):
        mine = grid.polsek == p
        if _key(p) in offices:
            la, lo = offices[_key(p)]
            name = p
        else:
            codes = sorted(set(kec[mine].tolist()))
            pts = [centres[c] for c in codes if c in centres]
            la, lo = pts[0] if pts else tuple(grid.latlng[mine].mean(axis=0))
            name = tr(_PLACE_MESSAGES, "centre", lang, polsek=p)
        xy = to_utm(np.array([lo]), np.array([la]), grid.crs)[0]
        out[p] = _Start(name, round(float(la), 6), round(float(lo), 6), xy)
    return out


_PLACE_MESSAGES = {
    "centre": {"id": "pusat kecamatan ({polsek})", "en": "kecamatan centre ({polsek})"}
}


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
class _Places:
    """Landmarks near the cells and the road network, if given."""

    landmark_names: list[str]
    landmark_xy: np.ndarray
    roads_xy: list[np.ndarray] | None
    opts: PatrolOptions

    @classmethod
    def of(
        cls, grid: _Cells, landmarks: Any, roads: pd.DataFrame | None, opts: PatrolOptions
    ) -> _Places:
        from kamtibmas_geo.plan._places import read_places

        names: list[str] = []
        xy = np.zeros((0, 2))
        if landmarks is not None:
            lm = read_places(landmarks, what="places", active_only=False)
            names = [str(n) for n in lm["nama"]]
            xy = to_utm(lm["lon"].to_numpy(float), lm["lat"].to_numpy(float), grid.crs)
        roads_xy = None
        if roads is not None:
            import geopandas as gpd

            lines = gpd.GeoDataFrame(roads).to_crs(grid.crs).geometry.explode(index_parts=False)
            roads_xy = [
                np.asarray(g.coords)[:, :2] for g in lines if g is not None and not g.is_empty
            ]
        return cls(names, xy, roads_xy, opts)

    def metres(self, pts: np.ndarray) -> np.ndarray:
        """Travel distances between points: over the roads, else straight × detour factor."""
        if self.roads_xy:
            return road_metres(self.roads_xy, pts)
        d = np.linalg.norm(pts[:, None, :] - pts[None, :, :], axis=2)
        return d * self.opts.detour_factor

    def nearest(self, xy: np.ndarray) -> tuple[str | None, int | None]:
        if not len(self.landmark_names):
            return None, None
        d = np.linalg.norm(self.landmark_xy - xy, axis=1)
        k = int(np.argmin(d))
        if d[k] > self.opts.landmark_radius_m:
            return None, None
        return self.landmark_names[k], round(float(d[k]))


# --------------------------------------------------------------------------- one window


@dataclass(frozen=True)
class _Job:
    kab: str
    window: str
    teams: int
    target: str | None
    high_q: float
    lang: str


def _plan_window(
    job: _Job,
    grid: _Cells,
    sky: _Sky,
    starts: dict[str, _Start],
    places: _Places,
    reports: Reports | None,
    opts: PatrolOptions,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Allocate the Polres's teams in one window and route each Polsek's teams."""
    r = grid.risk[job.window].to_numpy()
    mine = grid.kab == job.kab
    top = float(r[mine].max()) if mine.any() else 0.0
    material = mine & (r > 0) & (r >= opts.materiality * top)
    pos = r[mine & (r > 0)]
    high = float(np.quantile(pos, job.high_q)) if len(pos) else np.inf
    pol_names = sorted(set(grid.polsek[mine].tolist()))
    risk_by = {p: float(r[material & (grid.polsek == p)].sum()) for p in pol_names}
    teams = allocate_teams(risk_by, job.teams)
    total = sum(risk_by.values())
    rows: list[dict[str, Any]] = []
    alloc: list[dict[str, Any]] = []
    next_team = 1
    for p in pol_names:
        idx = np.flatnonzero(material & (grid.polsek == p))
        idx = idx[np.argsort(-r[idx], kind="stable")]
        routes: list[Any] = []
        if teams[p] and len(idx):
            routes, got = _route_polsek(job, grid, sky, starts[p], places, idx, teams[p], opts)
            for k, route in enumerate(routes):
                rows.extend(
                    _stop_rows(job, grid, got, route, idx, next_team + k, high, places, reports)
                )
        next_team += len(routes)
        alloc.append(_alloc_row(job, p, risk_by[p], total, teams[p], len(routes), len(idx)))
    return rows, alloc


def _alloc_row(
    job: _Job, p: str, risk: float, total: float, teams: int, used: int, n: int
) -> dict[str, Any]:
    share = risk / total if total > 0 else 0.0
    note = "note_ok" if teams else ("note_short" if risk > 0 else "note_none")
    note = "note_idle" if used < teams else note
    return {
        "kabupaten_code": job.kab,
        "polsek": p,
        "window": job.window,
        "window_label": tr(MESSAGES, f"win_{job.window}", job.lang),
        "risk_share": round(share, 4),
        "quota": round(share * job.teams, 2),
        "teams": teams,
        "teams_routed": used,
        "material_cells": n,
        "note": tr(MESSAGES, note, job.lang, idle=teams - used),
    }


@dataclass(frozen=True)
class _Window:
    """One Polsek in one window: its hours, start and the routing problem's places."""

    start: _Start
    opens: datetime
    closes: datetime
    metres: np.ndarray


def _route_polsek(
    job: _Job,
    grid: _Cells,
    sky: _Sky,
    start: _Start,
    places: _Places,
    idx: np.ndarray,
    teams: int,
    opts: PatrolOptions,
) -> tuple[list[Any], _Window]:
    """Offer the Polsek's riskiest material cells to the router; return its routes."""
    offer = idx[: opts.max_candidates]
    opens, closes = sky.window(job.window, start.lat, start.lon)
    pts = np.vstack([start.xy[None, :], grid.xy[offer]])
    metres = places.metres(pts)
    problem = RouteProblem(
        metres=metres,
        prize=grid.risk[job.window].to_numpy()[offer],
        teams=teams,
        budget_s=int((closes - opens).total_seconds()),
        dwell_s=round(opts.dwell_minutes * 60),
        speed_ms=opts.speed_kmh / 3.6,
    )
    routes = solve_routes(problem, iterations=opts.iterations, seed=opts.seed)
    return routes, _Window(start, opens, closes, metres)


def _stop_rows(
    job: _Job,
    grid: _Cells,
    win: _Window,
    route: Any,
    idx: np.ndarray,
    team: int,
    high: float,
    places: _Places,
    reports: Reports | None,
) -> list[dict[str, Any]]:
    """Return the rows of one team's route, in order."""
    r = grid.risk[job.window].to_numpy()
    rank = {int(i): k + 1 for k, i in enumerate(idx.tolist())}
    aff = window_affinity(grid.types, [job.window])[job.window].to_numpy()
    labels = {w: tr(MESSAGES, f"win_{w}", job.lang) for w in WINDOWS}
    path = [0, *(s + 1 for s in route.stops)]
    rows = []
    for k, (s, arrive) in enumerate(zip(route.stops, route.arrive_s, strict=True)):
        i = int(idx[s])
        f = grid.frame.iloc[i]
        lat, lon = round(float(grid.latlng[i, 0]), 6), round(float(grid.latlng[i, 1]), 6)
        landmark, lm_m = places.nearest(grid.xy[i])
        said = _said(grid, i, aff, reports, labels, job.lang)
        rows.append(
            {
                "target": job.target,
                "kabupaten_code": job.kab,
                "polsek": grid.polsek[i],
                "kecamatan_code": None
                if pd.isna(f["kecamatan_code"])
                else str(f["kecamatan_code"]),
                "kecamatan": _name(f["kecamatan_name"]),
                "window": job.window,
                "window_label": labels[job.window],
                "date": win.opens.date().isoformat(),
                "window_start": win.opens.strftime("%H:%M"),
                "window_end": win.closes.strftime("%H:%M"),
                "team": team,
                "stop": k + 1,
                "arrive": (win.opens + timedelta(seconds=arrive)).strftime("%H:%M"),
                "hex_id": f["hex_id"],
                "desa_code": None if pd.isna(f["desa_code"]) else str(f["desa_code"]),
                "desa": _name(f["desa_name"]),
                "landmark": landmark,
                "landmark_m": lm_m,
                "lat": lat,
                "lon": lon,
                "map_url": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}",
                "leg_km": round(float(win.metres[path[k], path[k + 1]]) / 1000, 2),
                "team_km": round(route.length_m / 1000, 2),
                "team_minutes": round(route.duration_s / 60),
                "risk": float(r[i]),
                "rank": rank[i],
                "high_risk": bool(r[i] >= high),
                **said,
                "start_name": win.start.name,
                "start_lat": win.start.lat,
                "start_lon": win.start.lon,
            }
        )
    return rows


def _name(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else display_name(str(value))


def _said(
    grid: _Cells,
    i: int,
    aff: np.ndarray,
    reports: Reports | None,
    labels: dict[str, str],
    lang: str,
) -> dict[str, str]:
    """Reason, hours and where the hours come from, for the stop at cell ``i``."""
    hex_id = grid.frame["hex_id"].iat[i]
    counts: dict[str, int] | None = None
    hours = np.zeros(0)
    if reports is not None:
        mine = reports.frame[reports.frame["hex_id"] == hex_id]
        tally = mine[mine["recent"]]["type"].value_counts()
        counts = {str(k): int(v) for k, v in tally.items()}
        hours = mine["hour"].to_numpy(dtype=float)
    reason = reason_text(counts, grid.counts[i], grid.types, aff, reports, lang)
    order = np.argsort(-grid.counts[i], kind="stable").tolist()
    top = [grid.types[t] for t in order if grid.counts[i][t] > 0][:2]
    text, source = hours_text(hours, top, labels, lang)
    return {"reason": reason, "hours": text, "hours_source": source}
