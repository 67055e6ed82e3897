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
   stop, out from and back to the Polsek) chosen and ordered by PyVRP;
5. open early warnings due in the window (:mod:`._patrol_warn`) are priority stops: offered
   first and worth more than every risk stop; those that do not fit are named in the notes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo._errors import PlanError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.boundaries._names import display_name, kecamatan_display_name
from kamtibmas_geo.boundaries._polsek import PolsekMapping
from kamtibmas_geo.calendar._astro import PATROL_WINDOWS
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._metres import to_utm, utm_crs
from kamtibmas_geo.plan._patrol_places import Places, Start, starts
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
    solve_routes,
)
from kamtibmas_geo.plan._patrol_sky import DEFAULT_TARGET, Sky, read_reports
from kamtibmas_geo.plan._patrol_warn import MESSAGES as WARN_MESSAGES
from kamtibmas_geo.plan._patrol_warn import WarningPlan, warning_plan

#: Short window names for the hours column ("jam khas jenis: Sahur, Subuh, Malam").
_SHORT = {
    "sahur": {"id": "Sahur", "en": "sahur"},
    "subuh": {"id": "Subuh", "en": "dawn"},
    "siang": {"id": "Siang", "en": "daytime"},
    "ngabuburit": {"id": "Ngabuburit", "en": "before iftar"},
    "tarawih": {"id": "Tarawih", "en": "tarawih"},
    "malam": {"id": "Malam", "en": "night"},
    "takbiran": {"id": "Takbiran", "en": "takbiran"},
}

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
    warning_days : int
        Early warnings: days ahead (and back, for those naming no time) that
        :func:`kamtibmas_geo.score._early.open_warnings` looks. Default 7.
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
    warning_days: int = 7

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
        for name in ("max_candidates", "iterations", "reason_months", "warning_days"):
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
    target: str | None = DEFAULT_TARGET,
    day: date | None = None,
    overrides: Mapping[int, tuple[Any, Any]] | None = None,
    polsek: PolsekMapping | None = None,
    stations: Any = None,
    boundaries: pd.DataFrame | None = None,
    records: pd.DataFrame | None = None,
    landmarks: Any = None,
    roads: pd.DataFrame | None = None,
    warnings: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
    options: PatrolOptions | None = None,
    high_risk_quantile: float = 0.8,
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
    warnings : DataFrame, optional
        Early warnings (records of kind ``early_warning``, or the result of
        :func:`kamtibmas_geo.score._early.open_warnings`): those still open at a window's
        opening and due in it (expected then; or, naming no time, in the windows where their
        type peaks) become priority stops at their cell with the reason "informasi dini:
        rencana tawuran (RT)". Answered ones are not stops. Only the reporter's role is used.
    activities : DataFrame, optional
        Binmas activities (sambang, sosialisasi, imbauan, patroli) that answer warnings;
        by default the rows of ``records`` of kind ``activity``.
    options : PatrolOptions, optional
        Speed, detour factor, dwell, materiality, search iterations.
    high_risk_quantile : float
        A stop is marked high-risk (PRIORITAS on the page) when its risk is at least this
        quantile of the risks of the Polres's planned stops in the window: with 0.8 about the
        top fifth. Early-warning stops are marked by ``warning`` instead.
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
        ``start_lat``, ``start_lon``, ``warning`` (a priority stop for early warnings) and
        ``warning_ids`` (their record ids). ``attrs["allocation"]`` holds the teams per
        Polsek and window (with a note for every Polsek that gets none, and for every due
        warning that is not a stop) as a list of dicts; ``attrs["warnings"]`` what became of
        each warning (stop, answered, not due, outside the cells, left and why).
    """
    opts = options or PatrolOptions()
    lang = lang if lang in ("id", "en") else (settings.lang if settings else "id")
    wins = _check_windows(windows)
    per_window = _check_teams(teams, wins)
    if not 0 <= high_risk_quantile <= 1:
        raise PlanError.say(MESSAGES, "err_quantile", value=high_risk_quantile)
    if not isinstance(cells, pd.DataFrame) or "hex_id" not in cells or "score" not in cells:
        raise PlanError.say(MESSAGES, "err_cells")
    sky = Sky.of(target, day, overrides)
    grid = _grid(cells, polsek, lang)
    centre = (float(grid.latlng[:, 0].mean()), float(grid.latlng[:, 1].mean()))
    hexes = set(grid.frame["hex_id"])
    reports = read_reports(records, hexes, centre, sky, wins, opts.reason_months)
    grid = _with_risk(grid, wins, reports)
    if not (grid.risk.to_numpy() > 0).any():
        raise PlanError.say(MESSAGES, "err_no_risk")
    warned = None
    if warnings is not None:
        if activities is None and records is not None and "kind" in records.columns:
            activities = records[records["kind"].astype(str) == "activity"]
        opens = {w: sky.window(w, *centre) for w in wins}
        warned = warning_plan(
            warnings,
            activities=activities,
            grid=grid,
            opens=opens,
            days=opts.warning_days,
            lang=lang,
        )
    kec = grid.frame["kecamatan_code"].to_numpy()
    begin = starts(grid.polsek, kec, grid.latlng, grid.crs, (stations, boundaries), lang)
    places = Places.of(grid.crs, landmarks, roads, opts.detour_factor, opts.landmark_radius_m)
    rows: list[dict[str, Any]] = []
    alloc: list[dict[str, Any]] = []
    for kab in sorted(set(grid.kab.tolist())):
        for w in wins:
            job = _Job(kab, w, per_window[w], target, high_risk_quantile, lang)
            r, a = _plan_window(job, grid, sky, begin, places, (reports, warned), opts)
            rows.extend(r)
            alloc.extend(a)
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out["landmark_m"] = out["landmark_m"].astype("Int64")  # whole metres, empty when none
    out.attrs["allocation"] = alloc
    out.attrs["warnings"] = warned.fate if warned is not None else []
    return out


_COLUMNS = [
    "target", "kabupaten_code", "polsek", "kecamatan_code", "kecamatan", "window",
    "window_label", "date", "window_start", "window_end", "team", "stop", "arrive", "hex_id",
    "desa_code", "desa", "landmark", "landmark_m", "lat", "lon", "map_url", "leg_km",
    "team_km", "team_minutes", "risk", "rank", "high_risk", "reason", "hours",
    "hours_source", "start_name", "start_lat", "start_lon", "warning", "warning_ids",
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
    sky: Sky,
    starts: dict[str, Start],
    places: Places,
    told: tuple[Reports | None, WarningPlan | None],
    opts: PatrolOptions,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Allocate the Polres's teams in one window and route each Polsek's teams.

    A Polsek with due warnings gets a team (:func:`_warned_teams`); their cells are
    offered first.
    """
    warned = told[1]
    forced = warned.by_polsek(job.window, job.kab) if warned is not None else {}
    r = grid.risk[job.window].to_numpy()
    mine = grid.kab == job.kab
    top = float(r[mine].max()) if mine.any() else 0.0
    material = mine & (r > 0) & (r >= opts.materiality * top)
    pol_names = sorted(set(grid.polsek[mine].tolist()))
    risk_by = {p: float(r[material & (grid.polsek == p)].sum()) for p in pol_names}
    teams = _warned_teams(allocate_teams(risk_by, job.teams), risk_by, forced)
    total = sum(risk_by.values())
    rows: list[dict[str, Any]] = []
    alloc: list[dict[str, Any]] = []
    next_team = 1
    for p in pol_names:
        first = np.array(forced.get(p, []), dtype=int)
        idx = np.union1d(np.flatnonzero(material & (grid.polsek == p)), first)
        idx = idx[np.argsort(-r[idx], kind="stable")]
        routes: list[Any] = []
        got = None
        if teams[p] and len(idx):
            offer = _offer(idx, first, opts.max_candidates)
            routes, got = _route_polsek(
                job, grid, sky, starts[p], places, offer, first, teams[p], opts
            )
            for k, route in enumerate(routes):
                team = _Team(next_team + k, route, idx)
                rows.extend(_stop_rows(job, grid, got, team, places, told))
        next_team += len(routes)
        row = _alloc_row(job, p, risk_by[p], total, teams[p], len(routes), len(idx))
        if warned is not None:
            row["warning_note"] = ""
        if warned is not None and len(first):
            note = _settle(warned, job, p, first, rows, got, opts.max_candidates, teams[p])
            row["note"] = "; ".join(t for t in (row["note"], note) if t)
            row["warning_note"] = note
        alloc.append(row)
    _mark_top_tier(rows, job.high_q)
    return rows, alloc


def _mark_top_tier(rows: list[dict[str, Any]], quantile: float) -> None:
    """Mark ``high_risk`` on the Polres's stops whose risk reaches ``quantile`` of its stops.

    With the default 0.8 about the top fifth of the window's stops by risk (ties included);
    stops without risk of their own (early warnings only) are never marked by risk.
    """
    risk = np.array([float(row["_risk"]) for row in rows])
    pos = risk[risk > 0]
    line = float(np.quantile(pos, quantile)) if len(pos) else np.inf
    for row, value in zip(rows, risk, strict=True):
        row["high_risk"] = bool(value > 0 and value >= line)


def _warned_teams(
    teams: dict[str, int], risk: dict[str, float], forced: dict[str, list[int]]
) -> dict[str, int]:
    """Give every Polsek with due warnings a team, most warnings first.

    The team comes from the Polsek with the most teams (then the least risk); a Polsek
    with warnings of its own never gives its last team. When none can give, the Polsek
    stays without and its warnings are named in the notes.
    """
    out = dict(teams)
    for p in sorted(forced, key=lambda q: (-len(forced[q]), q)):
        if out.get(p, 0) > 0 or not forced[p]:
            continue
        donors = [q for q, n in out.items() if n >= 2 or (n == 1 and not forced.get(q))]
        if not donors:
            break
        donor = max(donors, key=lambda q: (out[q], -risk.get(q, 0.0), q))
        out[donor] -= 1
        out[p] = 1
    return out


def _offer(idx: np.ndarray, first: np.ndarray, cap: int) -> np.ndarray:
    """Return the cells offered to the router: the warnings' first, then by risk; ``cap``."""
    rest = idx[~np.isin(idx, first)]
    return np.concatenate([first, rest]).astype(int)[:cap]


def _settle(
    warned: WarningPlan,
    job: _Job,
    p: str,
    first: np.ndarray,
    rows: list[dict[str, Any]],
    got: _Window | None,
    cap: int,
    teams: int,
) -> str:
    """Record the Polsek's due warnings (stop, or why not); return the note on those left."""
    placed = {
        int(row["_cell"]): (int(row["team"]), int(row["stop"]))
        for row in rows
        if row["polsek"] == p and row["window"] == job.window and row["warning"]
    }
    lang = job.lang
    if not teams or got is None:
        why = tr(WARN_MESSAGES, "why_team", lang)
        return warned.settle(job.window, p, first.tolist(), placed, why)
    offered = set(got.offer.tolist())
    late = [int(c) for c in first if int(c) not in offered]
    note = warned.settle(
        job.window, p, [int(c) for c in first if int(c) in offered], placed,
        tr(WARN_MESSAGES, "why_time", lang),
    )  # fmt: skip
    extra = warned.settle(job.window, p, late, {}, tr(WARN_MESSAGES, "why_cap", lang, cap=cap))
    return "; ".join(t for t in (note, extra) if t)


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

    start: Start
    opens: datetime
    closes: datetime
    metres: np.ndarray
    offer: np.ndarray


@dataclass(frozen=True)
class _Team:
    """One team's route with its number, and the Polsek's cells in rank order."""

    number: int
    route: Any
    ranked: np.ndarray


def _route_polsek(
    job: _Job,
    grid: _Cells,
    sky: Sky,
    start: Start,
    places: Places,
    offer: np.ndarray,
    first: np.ndarray,
    teams: int,
    opts: PatrolOptions,
) -> tuple[list[Any], _Window]:
    """Offer the Polsek's warned and riskiest material cells to the router; return its routes."""
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
        priority=np.isin(offer, first) if len(first) else None,
    )
    routes = solve_routes(problem, iterations=opts.iterations, seed=opts.seed)
    return routes, _Window(start, opens, closes, metres, offer)


def _stop_rows(
    job: _Job,
    grid: _Cells,
    win: _Window,
    crew: _Team,
    places: Places,
    told: tuple[Reports | None, WarningPlan | None],
) -> list[dict[str, Any]]:
    """Return the rows of one team's route, in order."""
    reports, warned = told
    route, team = crew.route, crew.number
    r = grid.risk[job.window].to_numpy()
    rank = {int(i): k + 1 for k, i in enumerate(crew.ranked.tolist())}
    aff = window_affinity(grid.types, [job.window])[job.window].to_numpy()
    labels = {w: tr(MESSAGES, f"win_{w}", job.lang) for w in WINDOWS}
    path = [0, *(s + 1 for s in route.stops)]
    rows = []
    for k, (s, arrive) in enumerate(zip(route.stops, route.arrive_s, strict=True)):
        i = int(win.offer[s])
        f = grid.frame.iloc[i]
        lat, lon = round(float(grid.latlng[i, 0]), 6), round(float(grid.latlng[i, 1]), 6)
        landmark, lm_m = places.nearest(grid.xy[i])
        said = _said(grid, i, aff, reports, job.lang)
        warn = warned.reason(job.window, i) if warned is not None else None
        if warn is not None:
            said["reason"] = f"{warn[0]}; {said['reason']}" if r[i] > 0 else warn[0]
        rows.append(
            {
                "target": job.target,
                "kabupaten_code": job.kab,
                "polsek": grid.polsek[i],
                "kecamatan_code": None
                if pd.isna(f["kecamatan_code"])
                else str(f["kecamatan_code"]),
                "kecamatan": _name(f["kecamatan_name"], kecamatan=True),
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
                "risk": round(float(r[i]), 2),
                "rank": rank[i],
                "high_risk": False,
                **said,
                "start_name": win.start.name,
                "start_lat": win.start.lat,
                "start_lon": win.start.lon,
                "warning": warn is not None,
                "warning_ids": warn[1] if warn is not None else None,
                "_cell": i,
                "_risk": float(r[i]),
            }
        )
    return rows


def _name(value: Any, *, kecamatan: bool = False) -> str | None:
    """Return a place name as staff write it (kecamatan with Roman numerals), or None."""
    if value is None or pd.isna(value):
        return None
    return kecamatan_display_name(str(value)) if kecamatan else display_name(str(value))


def _said(
    grid: _Cells,
    i: int,
    aff: np.ndarray,
    reports: Reports | None,
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
    top = [grid.types[t] for t in order if grid.counts[i][t] > 0][:1]
    short = {w: tr(_SHORT, w, lang) for w in WINDOWS}
    text, source = hours_text(hours, top, short, lang)
    return {"reason": reason, "hours": text, "hours_source": source}
