"""Patrol plans: ranked cells per Polsek and time window, patrol teams allocated exactly.

Public names are re-exported by :mod:`kamtibmas_geo.plan._poskamling`. See ``docs/planning.md``.

For each cell ``i`` and window ``w`` the patrol risk is

``risk[i, w] = score[i] × profile[i, w]``, with
``profile[i, w] = Σ_t n[i, t] · severity[t] · affinity[t, w] / Σ_t n[i, t] · severity[t]``

where ``affinity[t, w]`` is 1 when window ``w`` is one of the ``peak_windows`` of type ``t``
in the taxonomy and :data:`OFF_PEAK` otherwise. Cells without counted incidents take the
region-wide profile. Teams are allocated per Polsek and window by an exact balanced
assignment (``scipy.optimize.linear_sum_assignment``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo._errors import PlanError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._metres import utm_crs

__all__ = ["OFF_PEAK", "WINDOWS", "calendar_hours", "patrol_plan", "window_affinity"]

#: Every time window, in the order of the day (from the calendar module's contract).
WINDOWS: tuple[str, ...] = ("sahur", "subuh", "siang", "ngabuburit", "tarawih", "malam")
#: Windows planned by default (``siang`` is optional).
DEFAULT_WINDOWS: tuple[str, ...] = ("sahur", "subuh", "ngabuburit", "tarawih", "malam")
#: Affinity of a type with a window that is not one of its peak windows.
OFF_PEAK = 0.25
#: Peak windows used for a type the taxonomy does not list.
_FALLBACK_PEAKS: dict[str, tuple[str, ...]] = {
    "petasan": ("malam", "tarawih", "sahur"),
    "balap_liar": ("sahur", "subuh", "malam"),
    "kemacetan": ("ngabuburit", "siang"),
    "tawuran": ("sahur", "subuh", "malam"),
}
_HOURS: dict[str, tuple[float, float]] = {
    "sahur": (2.5, 4.5),
    "subuh": (4.5, 6.5),
    "siang": (9.0, 15.0),
    "ngabuburit": (15.5, 18.25),
    "tarawih": (19.0, 21.0),
    "malam": (21.0, 2.5),
}

MESSAGES = {
    "win_sahur": {"id": "Sahur", "en": "Sahur (pre-dawn meal)"},
    "win_subuh": {"id": "Subuh", "en": "Subuh (dawn)"},
    "win_siang": {"id": "Siang", "en": "Daytime"},
    "win_ngabuburit": {"id": "Ngabuburit (menjelang berbuka)", "en": "Ngabuburit (before iftar)"},
    "win_tarawih": {"id": "Tarawih", "en": "Tarawih (evening prayers)"},
    "win_malam": {"id": "Malam", "en": "Night"},
    "reason_none": {
        "id": "skor risiko tinggi (tanpa rincian jenis)",
        "en": "high risk score (no breakdown by type)",
    },
    "reason_prefix": {"id": "rawan", "en": "prone to"},
    "title": {"id": "Rencana Patroli", "en": "Patrol Plan"},
    "polsek": {"id": "Polsek / Kecamatan", "en": "Polsek / Kecamatan"},
    "col_team": {"id": "Tim", "en": "Team"},
    "col_stop": {"id": "Urutan", "en": "Stop"},
    "col_rank": {"id": "Peringkat", "en": "Rank"},
    "col_cell": {"id": "Sel H3", "en": "H3 cell"},
    "col_desa": {"id": "Desa/Kelurahan", "en": "Desa/Kelurahan"},
    "col_coord": {"id": "Koordinat (lintang, bujur)", "en": "Coordinates (lat, lon)"},
    "col_risk": {"id": "Risiko", "en": "Risk"},
    "col_reason": {"id": "Alasan", "en": "Reason"},
    "col_high": {"id": "Prioritas", "en": "Priority"},
    "high": {"id": "TINGGI", "en": "HIGH"},
    "all_units": {"id": "Semua wilayah", "en": "Whole region"},
    "hours": {"id": "pukul {start}–{end} WIB", "en": "{start}–{end} WIB"},
    "target": {"id": "Periode sasaran", "en": "Target period"},
    "footer": {
        "id": "Dibuat dengan kamtibmas_geo. Tim dibagi per Polsek dan per waktu patroli.",
        "en": "Made with kamtibmas_geo. Teams are allocated per Polsek and per patrol window.",
    },
    "err_teams": {
        "id": "teams (jumlah tim) harus bilangan bulat >= 1, bukan {teams!r}.",
        "en": "teams must be a whole number >= 1, got {teams!r}.",
    },
    "err_top_n": {
        "id": "top_n (sel per Polsek dan waktu) harus bilangan bulat >= 1, bukan {top_n!r}.",
        "en": "top_n must be a whole number >= 1, got {top_n!r}.",
    },
    "err_quantile": {
        "id": "high_risk_quantile harus di antara 0 dan 1, bukan {value!r}.",
        "en": "high_risk_quantile must lie in [0, 1], got {value!r}.",
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
    "err_plan_columns": {
        "id": "Rencana patroli tidak punya kolom {missing!r}; berikan hasil patrol_plan.",
        "en": "The patrol plan lacks column(s) {missing!r}; pass the output of patrol_plan.",
    },
}


def calendar_hours() -> dict[str, tuple[float, float]]:
    try:
        from kamtibmas_geo.calendar import _dates as cal
    except ImportError:
        return dict(_HOURS)
    hours = getattr(cal, "TIME_WINDOWS", None)
    if not isinstance(hours, Mapping):
        return dict(_HOURS)
    out = dict(_HOURS)
    for k, v in hours.items():
        if k in out:
            try:
                out[k] = (float(v[0]), float(v[1]))
            except (TypeError, ValueError, IndexError):
                continue
    return out


def _taxonomy() -> dict[str, dict[str, Any]]:
    """Disturbance types with ``severity``, ``peak_windows`` and labels from taxonomy.toml."""
    try:
        text = resources.files("kamtibmas_geo").joinpath("data/taxonomy.toml").read_text("utf-8")
        data = tomllib.loads(text)
    except (FileNotFoundError, tomllib.TOMLDecodeError, OSError):
        data = {}
    types: dict[str, dict[str, Any]] = {}
    table = data.get("disturbance", {})
    if isinstance(table, dict):
        for key, val in table.items():
            if isinstance(val, dict):
                types[key] = val
    return types


def window_affinity(types: Sequence[str], windows: Sequence[str]) -> pd.DataFrame:
    """Return the type × window affinity table (1 at peak windows, :data:`OFF_PEAK` else).

    Parameters
    ----------
    types : sequence of str
        Disturbance type keys (``petasan``, ``balap_liar``...).
    windows : sequence of str
        Window names.

    Returns
    -------
    DataFrame
        Index ``types``, columns ``windows``.

    Examples
    --------
    >>> window_affinity(["balap_liar"], ["subuh", "siang"]).loc["balap_liar"].tolist()
    [1.0, 0.25]
    """
    tax = _taxonomy()
    out = pd.DataFrame(OFF_PEAK, index=list(types), columns=list(windows), dtype=float)
    for t in types:
        peaks = tax.get(t, {}).get("peak_windows", _FALLBACK_PEAKS.get(t, ()))
        for w in peaks:
            if w in out.columns:
                out.loc[t, w] = 1.0
    return out


def _label(t: str, lang: str, tax: dict[str, dict[str, Any]]) -> str:
    entry = tax.get(t, {})
    key = "label_en" if lang == "en" else "label_id"
    return str(entry.get(key) or t.replace("_", " "))


def _risk(
    cells: pd.DataFrame, windows: Sequence[str]
) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    types = sorted(c[2:] for c in cells.columns if c.startswith("n_") and c[2:] in _taxonomy())
    if not types:
        types = sorted(
            c[2:]
            for c in cells.columns
            if c.startswith("n_") and c not in ("n_incidents", "n_activities")
        )
    tax = _taxonomy()
    sev = np.array([float(tax.get(t, {}).get("severity", 1.0)) for t in types])
    counts = (
        cells[[f"n_{t}" for t in types]].apply(pd.to_numeric, errors="coerce").fillna(0.0)
        if types
        else pd.DataFrame(index=cells.index)
    )
    contrib = counts.to_numpy(dtype=float) * sev if types else np.zeros((len(cells), 0))
    aff = window_affinity(types, windows).to_numpy()
    denom = contrib.sum(axis=1)
    num = contrib @ aff if types else np.zeros((len(cells), len(windows)))
    regional = num.sum(axis=0) / denom.sum() if denom.sum() > 0 else np.ones(len(windows))
    profile = np.where(denom[:, None] > 0, num / np.where(denom > 0, denom, 1)[:, None], regional)
    score = pd.to_numeric(cells["score"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    risk = pd.DataFrame(score[:, None] * profile, index=cells.index, columns=list(windows))
    contrib_df = pd.DataFrame(contrib, index=cells.index, columns=types)
    return risk, types, contrib_df


def _reason(counts: np.ndarray, aff: np.ndarray, labels: Sequence[str], lang: str) -> str:
    """Up to three types behind a visit: those peaking in the window first, by weight."""
    val = counts.astype(float) * aff
    pos = np.flatnonzero(val > 0)
    if len(pos) == 0:
        return tr(MESSAGES, "reason_none", lang)
    peak = pos[aff[pos] >= 1.0]
    use = peak if len(peak) else pos
    use = use[np.argsort(-val[use], kind="stable")][:3]
    items = [f"{labels[t]} ({counts[t]:g})" for t in use]
    return f"{tr(MESSAGES, 'reason_prefix', lang)} " + ", ".join(items)


def _allocate(xy: np.ndarray, teams: int) -> np.ndarray:
    """Balanced, compact assignment of ranked stops to teams (exact, Hungarian method).

    Anchors: the top-ranked stop, then farthest-point picks (ties: better rank). Each team
    gets ``ceil(k / teams)`` or ``floor(k / teams)`` stops; the assignment minimises the total
    distance from stops to their team's anchor.
    """
    from scipy.optimize import linear_sum_assignment

    k = len(xy)
    t = min(teams, k)
    anchors = [0]
    dmin = np.linalg.norm(xy - xy[0], axis=1)
    while len(anchors) < t:
        nxt = int(np.argmax(np.where(np.isin(np.arange(k), anchors), -1.0, dmin)))
        anchors.append(nxt)
        dmin = np.minimum(dmin, np.linalg.norm(xy - xy[nxt], axis=1))
    cap = [k // t + (1 if a < k % t else 0) for a in range(t)]
    slots = np.repeat(np.arange(t), cap)
    cost = np.linalg.norm(xy[:, None, :] - xy[np.array(anchors)][slots][None, :, :], axis=2)
    rows, cols = linear_sum_assignment(cost)
    team = np.empty(k, dtype=np.int64)
    team[rows] = slots[cols]
    # Number teams by their best stop, so team 1 holds the top-ranked cell.
    first = {tm: int(np.flatnonzero(team == tm).min()) for tm in range(t)}
    renum = {tm: i + 1 for i, tm in enumerate(sorted(first, key=first.__getitem__))}
    return np.array([renum[x] for x in team.tolist()], dtype=np.int64)


def patrol_plan(
    cells: pd.DataFrame,
    *,
    teams: int = 6,
    windows: Sequence[str] | None = None,
    target: str | None = "ramadhan-1448",
    per_kecamatan: bool = True,
    top_n: int | None = None,
    high_risk_quantile: float = 0.99,
    settings: Settings | None = None,
    lang: str = "id",
) -> pd.DataFrame:
    """Rank the cells each Polsek should patrol per time window and allocate the teams.

    Parameters
    ----------
    cells : (Geo)DataFrame
        Cell scores with ``hex_id``, ``score``, ``kecamatan_code``/``kecamatan_name``,
        ``desa_code``/``desa_name`` and the type counts ``n_<type>``.
    teams : int
        Patrol teams per Polsek and window (per shift).
    windows : sequence of str, optional
        Windows to plan, from ``sahur, subuh, siang, ngabuburit, tarawih, malam``
        (default all but ``siang``).
    target : str, optional
        Target period label written in the output (for example ``"ramadhan-1448"``).
    per_kecamatan : bool
        One plan per kecamatan (Polsek), or one for the whole region.
    top_n : int, optional
        Cells listed per Polsek and window (default ``2 × teams``). It grows when needed so
        that every high-risk cell is in the list.
    high_risk_quantile : float
        A cell is high-risk in a window when its risk is positive and at least this quantile
        of the positive risks of that window over the whole region.
    settings : Settings, optional
        Settings (language default).
    lang : {"id", "en"}
        Language of window labels and reasons.

    Returns
    -------
    DataFrame
        One row per visit: ``target``, ``kecamatan_code``, ``kecamatan``, ``window``,
        ``window_label``, ``team``, ``stop`` (order within the team), ``rank`` (within the
        Polsek and window), ``hex_id``, ``desa_code``, ``desa``, ``lon``, ``lat``, ``risk``,
        ``high_risk``, ``reason``.
    """
    _check_patrol_options(teams, top_n, high_risk_quantile)
    lang = lang if lang in ("id", "en") else (settings.lang if settings else "id")
    wins = _check_windows(windows)
    if not isinstance(cells, pd.DataFrame) or "hex_id" not in cells or "score" not in cells:
        raise PlanError.say(MESSAGES, "err_cells")
    frame = cells.sort_values("hex_id", kind="stable").reset_index(drop=True)
    risk, types, _ = _risk(frame, wins)
    if not (risk.to_numpy() > 0).any():
        raise PlanError.say(MESSAGES, "err_no_risk")
    stops = _stops(frame, types, lang)
    unit, unit_names = _units(frame, per_kecamatan, lang)
    aff = window_affinity(types, wins)
    k_default = top_n or 2 * teams
    rows: list[dict[str, Any]] = []
    for w in wins:
        r = risk[w].to_numpy()
        pos = r[r > 0]
        threshold = float(np.quantile(pos, high_risk_quantile)) if len(pos) else np.inf
        for code in sorted(unit.unique()):
            idx = np.flatnonzero((unit == code).to_numpy() & (r > 0))
            if len(idx) == 0:
                continue
            # Rows are sorted by hex_id, so a stable sort breaks ties by hex_id.
            order = idx[np.argsort(-r[idx], kind="stable")]
            n_high = int((r[idx] >= threshold).sum())
            pick = order[: min(len(order), max(k_default, n_high))]
            visit = _Visit(target, code, w, r, threshold, aff[w].to_numpy())
            rows.extend(_visit_rows(visit, pick, teams, stops, unit_names, lang))
    return _ordered(pd.DataFrame(rows), wins, teams)


def _check_patrol_options(teams: int, top_n: int | None, high_risk_quantile: float) -> None:
    if isinstance(teams, bool) or not isinstance(teams, int) or teams < 1:
        raise PlanError.say(MESSAGES, "err_teams", teams=teams)
    if top_n is not None and (isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1):
        raise PlanError.say(MESSAGES, "err_top_n", top_n=top_n)
    if not 0 <= high_risk_quantile <= 1:
        raise PlanError.say(MESSAGES, "err_quantile", value=high_risk_quantile)


def _check_windows(windows: Sequence[str] | None) -> list[str]:
    wins = list(DEFAULT_WINDOWS if windows is None else windows)
    bad = [w for w in wins if w not in WINDOWS]
    if bad or not wins:
        raise PlanError.say(MESSAGES, "err_windows", bad=bad, choices=", ".join(WINDOWS))
    return wins


@dataclass(frozen=True)
class _Stops:
    """What a visit to each cell shows: type counts and labels, ids, names, places."""

    counts: np.ndarray
    labels: list[str]
    hex_ids: np.ndarray
    desa_codes: Any
    desa_names: Any
    latlng: np.ndarray
    xy: np.ndarray


@dataclass(frozen=True)
class _Visit:
    """One Polsek in one window: the risks, the high-risk threshold and type affinities."""

    target: str | None
    code: str
    window: str
    risk: np.ndarray
    threshold: float
    affinity: np.ndarray


def _stops(frame: pd.DataFrame, types: list[str], lang: str) -> _Stops:
    """Return the per-cell data of the visits, with the cell centres in metres (UTM)."""
    import h3
    from pyproj import Transformer

    tax = _taxonomy()
    counts = (
        frame[[f"n_{t}" for t in types]].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    ).to_numpy(dtype=float)
    latlng = np.array([h3.cell_to_latlng(str(c)) for c in frame["hex_id"]])
    xy = np.column_stack(
        Transformer.from_crs(
            "EPSG:4326", utm_crs(latlng[:, 1], latlng[:, 0]), always_xy=True
        ).transform(latlng[:, 1], latlng[:, 0])
    )
    return _Stops(
        counts=counts,
        labels=[_label(t, lang, tax) for t in types],
        hex_ids=frame["hex_id"].astype(str).to_numpy(),
        desa_codes=frame["desa_code"].to_numpy() if "desa_code" in frame else [None] * len(frame),
        desa_names=frame["desa_name"].to_numpy() if "desa_name" in frame else [None] * len(frame),
        latlng=latlng,
        xy=xy,
    )


def _units(frame: pd.DataFrame, per_kecamatan: bool, lang: str) -> tuple[pd.Series, np.ndarray]:
    """Return the planning unit (Polsek) code and name of each cell."""
    if per_kecamatan and "kecamatan_code" in frame.columns:
        unit = frame["kecamatan_code"].astype("string").fillna("-")
        names = (
            frame["kecamatan_name"].astype("string") if "kecamatan_name" in frame.columns else unit
        )
    else:
        unit = pd.Series("-", index=frame.index, dtype="string")
        names = pd.Series(tr(MESSAGES, "all_units", lang), index=frame.index, dtype="string")
    return unit, names.to_numpy()


def _visit_rows(
    visit: _Visit,
    pick: np.ndarray,
    teams: int,
    stops: _Stops,
    unit_names: np.ndarray,
    lang: str,
) -> list[dict[str, Any]]:
    """Return the rows of one Polsek and window: the picked cells, allocated to teams."""
    team = _allocate(stops.xy[pick], teams)
    stop_no: dict[int, int] = {}
    rows = []
    r = visit.risk
    for rank, (i, tm) in enumerate(zip(pick.tolist(), team.tolist(), strict=True), 1):
        stop_no[tm] = stop_no.get(tm, 0) + 1
        rows.append(
            {
                "target": visit.target,
                "kecamatan_code": None if visit.code == "-" else str(visit.code),
                "kecamatan": str(unit_names[i]),
                "window": visit.window,
                "window_label": tr(MESSAGES, f"win_{visit.window}", lang),
                "team": tm,
                "stop": stop_no[tm],
                "rank": rank,
                "hex_id": stops.hex_ids[i],
                "desa_code": stops.desa_codes[i],
                "desa": stops.desa_names[i],
                "lon": round(float(stops.latlng[i, 1]), 6),
                "lat": round(float(stops.latlng[i, 0]), 6),
                "risk": float(r[i]),
                "high_risk": bool(r[i] >= visit.threshold),
                "reason": _reason(stops.counts[i], visit.affinity, stops.labels, lang),
            }
        )
    return rows


def _ordered(out: pd.DataFrame, wins: list[str], teams: int) -> pd.DataFrame:
    """Sort the visits by Polsek, window (in the order of the day) and rank; add the hours."""
    win_order = {w: i for i, w in enumerate(WINDOWS)}
    out["_w"] = out["window"].map(win_order)
    out = out.sort_values(["kecamatan_code", "_w", "rank"], kind="stable", na_position="first")
    out = out.drop(columns="_w").reset_index(drop=True)
    hours = calendar_hours()
    out.attrs["hours"] = {w: hours[w] for w in wins}
    out.attrs["teams"] = teams
    return out
