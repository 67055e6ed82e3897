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

import math
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo._atomic import atomic_write
from kamtibmas_geo._errors import PlanError
from kamtibmas_geo._htmlsafe import escape_html
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._metres import utm_crs

__all__ = ["OFF_PEAK", "WINDOWS", "patrol_html", "patrol_plan", "window_affinity"]

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
}


def _calendar_hours() -> dict[str, tuple[float, float]]:
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
    import h3
    from pyproj import Transformer

    if isinstance(teams, bool) or not isinstance(teams, int) or teams < 1:
        msg = f"teams must be a whole number >= 1, got {teams!r}."
        raise PlanError(msg)
    if top_n is not None and (isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1):
        msg = f"top_n must be a whole number >= 1, got {top_n!r}."
        raise PlanError(msg)
    if not 0 <= high_risk_quantile <= 1:
        msg = f"high_risk_quantile must lie in [0, 1], got {high_risk_quantile!r}."
        raise PlanError(msg)
    lang = lang if lang in ("id", "en") else (settings.lang if settings else "id")
    wins = list(DEFAULT_WINDOWS if windows is None else windows)
    bad = [w for w in wins if w not in WINDOWS]
    if bad or not wins:
        msg = f"Unknown time window(s) {bad!r}; choose from {', '.join(WINDOWS)}."
        raise PlanError(msg)
    if not isinstance(cells, pd.DataFrame) or "hex_id" not in cells or "score" not in cells:
        msg = "cells must be the table of cell scores with 'hex_id' and 'score' columns."
        raise PlanError(msg)
    frame = cells.sort_values("hex_id", kind="stable").reset_index(drop=True)
    risk, types, contrib = _risk(frame, wins)
    if not (risk.to_numpy() > 0).any():
        msg = "No cell has a positive score; there is nothing to patrol."
        raise PlanError(msg)
    tax = _taxonomy()
    aff = window_affinity(types, wins)
    counts = (
        frame[[f"n_{t}" for t in types]].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    ).to_numpy(dtype=float)
    labels = [_label(t, lang, tax) for t in types]
    hex_ids = frame["hex_id"].astype(str).to_numpy()
    desa_codes = frame["desa_code"].to_numpy() if "desa_code" in frame else [None] * len(frame)
    desa_names = frame["desa_name"].to_numpy() if "desa_name" in frame else [None] * len(frame)
    latlng = np.array([h3.cell_to_latlng(str(c)) for c in frame["hex_id"]])
    xy = np.column_stack(
        Transformer.from_crs(
            "EPSG:4326", utm_crs(latlng[:, 1], latlng[:, 0]), always_xy=True
        ).transform(latlng[:, 1], latlng[:, 0])
    )
    if per_kecamatan and "kecamatan_code" in frame.columns:
        unit = frame["kecamatan_code"].astype("string").fillna("-")
        names = (
            frame["kecamatan_name"].astype("string") if "kecamatan_name" in frame.columns else unit
        )
    else:
        unit = pd.Series("-", index=frame.index, dtype="string")
        names = pd.Series(tr(MESSAGES, "all_units", lang), index=frame.index, dtype="string")
    unit_names = names.to_numpy()
    hours = _calendar_hours()
    k_default = top_n or 2 * teams
    rows: list[dict[str, Any]] = []
    for w in wins:
        r = risk[w].to_numpy()
        aff_w = aff[w].to_numpy()
        pos = r[r > 0]
        threshold = float(np.quantile(pos, high_risk_quantile)) if len(pos) else np.inf
        for code in sorted(unit.unique()):
            idx = np.flatnonzero((unit == code).to_numpy() & (r > 0))
            if len(idx) == 0:
                continue
            # Rows are sorted by hex_id, so a stable sort breaks ties by hex_id.
            order = idx[np.argsort(-r[idx], kind="stable")]
            n_high = int((r[idx] >= threshold).sum())
            k = min(len(order), max(k_default, n_high))
            pick = order[:k]
            team = _allocate(xy[pick], teams)
            stop_no: dict[int, int] = {}
            for rank, (i, tm) in enumerate(zip(pick.tolist(), team.tolist(), strict=True), 1):
                stop_no[tm] = stop_no.get(tm, 0) + 1
                reason = _reason(counts[i], aff_w, labels, lang)
                rows.append(
                    {
                        "target": target,
                        "kecamatan_code": None if code == "-" else str(code),
                        "kecamatan": str(unit_names[i]),
                        "window": w,
                        "window_label": tr(MESSAGES, f"win_{w}", lang),
                        "team": tm,
                        "stop": stop_no[tm],
                        "rank": rank,
                        "hex_id": hex_ids[i],
                        "desa_code": desa_codes[i],
                        "desa": desa_names[i],
                        "lon": round(float(latlng[i, 1]), 6),
                        "lat": round(float(latlng[i, 0]), 6),
                        "risk": float(r[i]),
                        "high_risk": bool(r[i] >= threshold),
                        "reason": reason,
                    }
                )
    out = pd.DataFrame(rows)
    win_order = {w: i for i, w in enumerate(WINDOWS)}
    out["_w"] = out["window"].map(win_order)
    out = out.sort_values(["kecamatan_code", "_w", "rank"], kind="stable", na_position="first")
    out = out.drop(columns="_w").reset_index(drop=True)
    out.attrs["hours"] = {w: hours[w] for w in wins}
    out.attrs["teams"] = teams
    del contrib
    return out


def _hhmm(h: float) -> str:
    hh = math.floor(h) % 24
    mm = round((h - math.floor(h)) * 60)
    return f"{hh:02d}.{mm:02d}"


_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:10.5pt;margin:1.5cm;color:#111}
h1{font-size:16pt;margin:0 0 .2em}
h2{font-size:13pt;margin:1.2em 0 .3em;border-bottom:2px solid #333}
h3{font-size:11pt;margin:.8em 0 .2em}
table{border-collapse:collapse;width:100%;margin-bottom:.6em}
th,td{border:1px solid #666;padding:2px 5px;text-align:left;vertical-align:top}
th{background:#e8e8e8}
td.num{text-align:right}
tr.high td{font-weight:bold}
.meta{color:#444;font-size:9pt}
section.polsek{page-break-after:always;break-after:page}
section.polsek:last-of-type{page-break-after:auto;break-after:auto}
@media print{body{margin:0}thead{display:table-header-group}tr{page-break-inside:avoid}}
@page{size:A4 landscape;margin:1.2cm}
"""


def patrol_html(
    plan: pd.DataFrame, out: str | Path, *, lang: str = "id", title: str | None = None
) -> Path:
    """Write a printable HTML page of a patrol plan: one section (page) per Polsek.

    Parameters
    ----------
    plan : DataFrame
        Output of :func:`patrol_plan`.
    out : str or Path
        The HTML file to write.
    lang : {"id", "en"}
        Language of headings.
    title : str, optional
        Page title (default "Rencana Patroli").

    Returns
    -------
    Path
        The file written. Every text from the data and the title is escaped with
        :func:`kamtibmas_geo._htmlsafe.escape_html` (HTML and template characters); the
        page is built without any template engine, so the bytes depend only on the plan.
    """
    need = ["kecamatan", "window", "team", "stop", "rank", "hex_id", "desa", "lat", "lon"]
    missing = [c for c in need if c not in plan.columns]
    if missing:
        msg = f"The patrol plan lacks column(s) {missing!r}; pass the output of patrol_plan."
        raise PlanError(msg)
    esc = escape_html
    hours = plan.attrs.get("hours", _calendar_hours())
    head = title or tr(MESSAGES, "title", lang)
    target = (
        plan["target"].dropna().iloc[0] if "target" in plan and plan["target"].notna().any() else ""
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        f"<title>{esc(head)}</title><style>{_CSS}</style></head><body>",
    ]
    cols = ["col_team", "col_stop", "col_rank", "col_desa", "col_cell", "col_coord"]
    cols += ["col_risk", "col_reason"]
    key = plan["kecamatan_code"].astype("string").fillna("-") if "kecamatan_code" in plan else None
    groups = plan.groupby(key if key is not None else plan["kecamatan"], sort=True)
    for _, unit in groups:
        name = str(unit["kecamatan"].iloc[0])
        code = str(unit["kecamatan_code"].iloc[0]) if "kecamatan_code" in unit else ""
        parts.append('<section class="polsek">')
        parts.append(f"<h1>{esc(head)}</h1>")
        meta = f"{tr(MESSAGES, 'target', lang)}: {target}" if target else ""
        parts.append(f'<p class="meta">{esc(meta)}</p>')
        parts.append(f"<h2>{esc(tr(MESSAGES, 'polsek', lang))}: {esc(name)} ({esc(code)})</h2>")
        order = {w: i for i, w in enumerate(WINDOWS)}
        for w in sorted(unit["window"].unique(), key=lambda x: order.get(x, 99)):
            sub = unit[unit["window"] == w].sort_values(["team", "stop"], kind="stable")
            label = sub["window_label"].iloc[0] if "window_label" in sub else w
            span = ""
            if w in hours:
                s, e = hours[w]
                span = " · " + tr(MESSAGES, "hours", lang, start=_hhmm(s), end=_hhmm(e))
            parts.append(f"<h3>{esc(str(label))}{esc(span)}</h3>")
            parts.append("<table><thead><tr>")
            parts.extend(f"<th>{esc(tr(MESSAGES, c, lang))}</th>" for c in cols)
            parts.append("</tr></thead><tbody>")
            for r in sub.itertuples(index=False):
                high = bool(getattr(r, "high_risk", False))
                cls = ' class="high"' if high else ""
                risk = getattr(r, "risk", float("nan"))
                reason = str(getattr(r, "reason", ""))
                if high:
                    reason = f"{tr(MESSAGES, 'high', lang)} · {reason}"
                cells = [
                    f'<td class="num">{esc(str(r.team))}</td>',
                    f'<td class="num">{esc(str(r.stop))}</td>',
                    f'<td class="num">{esc(str(r.rank))}</td>',
                    f"<td>{esc(str(r.desa))}</td>",
                    f"<td>{esc(str(r.hex_id))}</td>",
                    f"<td>{esc(f'{float(r.lat):.5f}, {float(r.lon):.5f}')}</td>",
                    f'<td class="num">{esc(f"{float(risk):.2f}")}</td>',
                    f"<td>{esc(reason)}</td>",
                ]
                parts.append(f"<tr{cls}>{''.join(cells)}</tr>")
            parts.append("</tbody></table>")
        parts.append(f'<p class="meta">{esc(tr(MESSAGES, "footer", lang))}</p></section>')
    parts.append("</body></html>")
    path = Path(out)
    with atomic_write(path) as tmp:
        tmp.write_text("\n".join(parts), encoding="utf-8")
    return path
