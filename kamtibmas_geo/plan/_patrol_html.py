"""The printable patrol plan: one A4 page per Polsek and window, with a small route map.

Public name re-exported by :mod:`kamtibmas_geo.plan._poskamling`. Every text from the data is
escaped; the page is built without any template engine, and the map is an inline SVG drawn
from the stops (and the kecamatan outlines when given): no network, no script.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo._atomic import atomic_write
from kamtibmas_geo._errors import PlanError
from kamtibmas_geo._htmlsafe import escape_html
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.plan._patrol import WINDOWS

__all__ = ["patrol_html"]

MESSAGES = {
    "title": {"id": "Rencana Patroli", "en": "Patrol Plan"},
    "target": {"id": "Periode sasaran", "en": "Target period"},
    "ramadhan": {"id": "Ramadhan {year} H", "en": "Ramadan {year} AH"},
    "ramadhan_ce": {"id": "Ramadhan {year} M", "en": "Ramadan {year}"},
    "summary": {"id": "Pembagian tim per Polsek", "en": "Teams per Polsek"},
    "summary_key": {
        "id": "Angka: jumlah tim (bagian risiko material Polres pada waktu itu). "
        "0: ada risiko material, tetapi tim Polres habis untuk Polsek yang lebih berisiko. "
        "–: tidak ada risiko material, tidak ada tim.",
        "en": "Number: teams (share of the Polres's material risk in that window). "
        "0: material risk, but the Polres's teams went to riskier Polsek. "
        "–: no material risk, no team.",
    },
    "hours": {"id": "{date}, pukul {start}–{end} WIB", "en": "{date}, {start}–{end} WIB"},
    "start": {"id": "Berangkat dari dan kembali ke", "en": "Start and return"},
    "kecamatan": {"id": "Kecamatan", "en": "Kecamatan"},
    "col_polsek": {"id": "Polsek", "en": "Polsek"},
    "col_window": {"id": "Waktu", "en": "Window"},
    "col_team": {"id": "Tim", "en": "Team"},
    "col_stop": {"id": "No", "en": "No"},
    "col_arrive": {"id": "Tiba", "en": "Arrive"},
    "col_place": {"id": "Desa/Kelurahan · tempat terdekat", "en": "Desa/Kelurahan · nearest place"},
    "col_coord": {"id": "Koordinat (peta)", "en": "Coordinates (map)"},
    "col_reason": {"id": "Alasan", "en": "Reason"},
    "col_when": {"id": "Jam kejadian", "en": "Incident hours"},
    "team_total": {
        "id": "Tim {team}: {n} titik, {km:.1f} km, {minutes} menit dari {budget} menit",
        "en": "Team {team}: {n} stops, {km:.1f} km, {minutes} of {budget} minutes",
    },
    "high": {"id": "PRIORITAS", "en": "PRIORITY"},
    "warn": {"id": "INFORMASI DINI", "en": "EARLY WARNING"},
    "warn_notes": {
        "id": "Informasi dini yang tidak menjadi titik",
        "en": "Early warnings not made a stop",
    },
    "map_alt": {"id": "Peta rute", "en": "Route map"},
    "footer": {
        "id": "Dibuat dengan kamtibmas_geo. Waktu dari jadwal Kemenag untuk tempat dan tanggal "
        "ini; rute memuat perjalanan dan waktu singgah di setiap titik.",
        "en": "Made with kamtibmas_geo. Hours from the Kemenag schedule for this place and date; "
        "routes include travel and the time spent at each stop.",
    },
    "err_plan_columns": {
        "id": "Rencana patroli tidak punya kolom {missing!r}; berikan hasil patrol_plan.",
        "en": "The patrol plan lacks column(s) {missing!r}; pass the output of patrol_plan.",
    },
}

_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#7f7f7f", "#bcbd22")  # fmt: skip

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:9pt;margin:1cm;color:#111}
h1{font-size:14pt;margin:0 0 .2em}
h2{font-size:11.5pt;margin:.4em 0 .2em}
table{border-collapse:collapse;width:100%;margin:.3em 0}
th,td{border:1px solid #777;padding:1px 4px;text-align:left;vertical-align:top}
th{background:#e8e8e8}
td.num{text-align:right}
tr.high td{font-weight:bold}
tr.warn td{background:#f3e8fa}
tr.total td{background:#f4f4f4;font-style:italic}
.meta{color:#333;margin:.1em 0}
.sw{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:middle}
svg.map{display:block;width:100%;height:65mm;border:1px solid #999;margin:.3em 0}
section.page{page-break-after:always;break-after:page}
section.page:last-of-type{page-break-after:auto;break-after:auto}
@media screen{section.page{max-width:190mm;margin:0 auto 1.5cm;border-bottom:3px double #999}}
@media print{body{margin:0}thead{display:table-header-group}tr{page-break-inside:avoid}}
@page{size:A4 portrait;margin:1cm}
"""

_NEED = ["polsek", "kecamatan", "window", "team", "stop", "desa", "lat", "lon", "reason"]


def patrol_html(
    plan: pd.DataFrame,
    out: str | Path,
    *,
    lang: str = "id",
    title: str | None = None,
    boundaries: pd.DataFrame | None = None,
    allocation: pd.DataFrame | None = None,
) -> Path:
    """Write the printable plan: a page of teams per Polsek, then one page per Polsek and window.

    Parameters
    ----------
    plan : DataFrame
        Output of :func:`patrol_plan` (its ``attrs["allocation"]`` gives the first page).
    out : str or Path
        The HTML file to write.
    lang : {"id", "en"}
        Language of headings.
    title : str, optional
        Page title (default "Rencana Patroli").
    boundaries : GeoDataFrame, optional
        Kecamatan polygons (``code``) drawn under each route.
    allocation : DataFrame, optional
        Teams per Polsek and window for the first page; default ``plan.attrs["allocation"]``
        (pass it when plans of several Polres were concatenated, which drops ``attrs``).

    Returns
    -------
    Path
        The file written. Every text from the data and the title is escaped; the bytes
        depend only on the inputs.
    """
    missing = [c for c in _NEED if c not in plan.columns]
    if missing:
        raise PlanError.say(MESSAGES, "err_plan_columns", missing=missing)
    head = title or tr(MESSAGES, "title", lang)
    target = plan["target"].dropna() if "target" in plan else pd.Series(dtype=object)
    period = period_label(str(target.iloc[0]), lang) if len(target) else ""
    meta = f"{tr(MESSAGES, 'target', lang)}: {period}" if period else ""
    outlines = _outlines(boundaries)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape_html(lang)}"><head><meta charset="utf-8">',
        f"<title>{escape_html(head)}</title><style>{_CSS}</style></head><body>",
    ]
    alloc = pd.DataFrame(plan.attrs.get("allocation") or [] if allocation is None else allocation)
    if len(alloc):
        parts.extend(_summary_page(alloc, head, meta, lang))
    order = {w: i for i, w in enumerate(WINDOWS)}
    keys = plan.assign(_w=plan["window"].map(order))
    for _, page in keys.groupby(["polsek", "_w"], sort=True):
        parts.extend(_window_page(page.drop(columns="_w"), head, meta, outlines, lang))
    parts.append("</body></html>")
    path = Path(out)
    with atomic_write(path) as tmp:
        tmp.write_text("\n".join(parts), encoding="utf-8")
    return path


def _summary_page(alloc: pd.DataFrame, head: str, meta: str, lang: str) -> list[str]:
    """Return the first page: teams per Polsek (rows) and window (columns), with notes."""
    esc = escape_html
    parts = ['<section class="page">', f"<h1>{esc(head)}</h1>", f'<p class="meta">{esc(meta)}</p>']
    parts.append(f"<h2>{esc(tr(MESSAGES, 'summary', lang))}</h2><table><thead><tr>")
    order = {w: i for i, w in enumerate(WINDOWS)}
    wins = sorted(alloc["window"].unique(), key=lambda w: order.get(w, 99))
    labels = alloc.drop_duplicates("window").set_index("window")["window_label"]
    parts.append(f"<th>{esc(tr(MESSAGES, 'col_polsek', lang))}</th>")
    parts.extend(f"<th>{esc(str(labels[w]))}</th>" for w in wins)
    parts.append("</tr></thead><tbody>")
    cells = alloc.set_index(["polsek", "window"])
    for p in sorted(alloc["polsek"].unique()):
        row = [f"<td>{esc(str(p))}</td>"]
        for w in wins:
            r = cells.loc[(p, w)]
            row.append(f'<td class="num">{esc(_teams_cell(r))}</td>')
        parts.append(f"<tr>{''.join(row)}</tr>")
    parts.append("</tbody></table>")
    parts.append(f'<p class="meta">{esc(tr(MESSAGES, "summary_key", lang))}</p>')
    parts.extend(_warning_notes(alloc, lang))
    parts.append("</section>")
    return parts


def _warning_notes(alloc: pd.DataFrame, lang: str) -> list[str]:
    """Return the list of early warnings left out of the routes, per Polsek and window."""
    if "warning_note" not in alloc.columns:
        return []
    left = alloc[alloc["warning_note"].fillna("").astype(str) != ""]
    if left.empty:
        return []
    esc = escape_html
    parts = [f"<h2>{esc(tr(MESSAGES, 'warn_notes', lang))}</h2><ul>"]
    for _, r in left.iterrows():
        text = f"{r['polsek']} · {r['window_label']}: {r['warning_note']}"
        parts.append(f"<li>{esc(text)}</li>")
    parts.append("</ul>")
    return parts


def _teams_cell(r: pd.Series) -> str:
    """``"2 (18%)"``: teams and risk share; ``"0 (3%)"`` when short of teams, ``"–"`` if none."""
    share = float(r["risk_share"])
    if share <= 0:
        return f"{int(r['teams'])} (0%)" if int(r["teams"]) > 0 else "–"
    pct = "<1%" if share < 0.005 else f"{round(share * 100)}%"
    return f"{int(r['teams'])} ({pct})"


def _window_page(
    page: pd.DataFrame, head: str, meta: str, outlines: dict[str, Any], lang: str
) -> list[str]:
    """One Polsek in one window: heading, hours, map, the stops of every team."""
    esc = escape_html
    first = page.iloc[0]
    page = page.sort_values(["team", "stop"], kind="stable")
    kec = ", ".join(sorted({str(k) for k in page["kecamatan"].dropna()}))
    parts = ['<section class="page">', f"<h1>{esc(head)}</h1>", f'<p class="meta">{esc(meta)}</p>']
    label = str(first.get("window_label", first["window"]))
    parts.append(f"<h2>{esc(str(first['polsek']))} · {esc(label)}</h2>")
    if "window_start" in page:
        when = tr(
            MESSAGES, "hours", lang, date=first["date"], start=first["window_start"],
            end=first["window_end"],
        )  # fmt: skip
        parts.append(f'<p class="meta">{esc(when)}</p>')
    parts.append(f'<p class="meta">{esc(tr(MESSAGES, "kecamatan", lang))}: {esc(kec)}</p>')
    if "start_name" in page:
        start = f"{tr(MESSAGES, 'start', lang)}: {first['start_name']}"
        parts.append(f'<p class="meta">{esc(start)}</p>')
    codes: list[str] = []
    if "kecamatan_code" in page:
        codes = page["kecamatan_code"].dropna().astype(str).tolist()
    rings = [r for c in sorted(set(codes)) for r in outlines.get(c, [])]
    parts.append(_svg(page, rings, tr(MESSAGES, "map_alt", lang)))
    parts.extend(_stop_table(page, lang))
    parts.append(f'<p class="meta">{esc(tr(MESSAGES, "footer", lang))}</p></section>')
    return parts


def _stop_table(page: pd.DataFrame, lang: str) -> list[str]:
    """Return the stops of every team in route order, with a line of totals per team."""
    esc = escape_html
    cols = ["col_team", "col_stop", "col_arrive", "col_place", "col_coord", "col_reason"]
    cols.append("col_when")
    parts = ["<table><thead><tr>"]
    parts.extend(f"<th>{esc(tr(MESSAGES, c, lang))}</th>" for c in cols)
    parts.append("</tr></thead><tbody>")
    teams = sorted(page["team"].unique())
    for k, t in enumerate(teams):
        sub = page[page["team"] == t]
        color = _COLORS[k % len(_COLORS)]
        parts.extend(_stop_row(r, color, lang) for _, r in sub.iterrows())
        parts.append(_total_row(sub, lang))
    parts.append("</tbody></table>")
    return parts


def period_label(target: str, lang: str) -> str:
    """Return the period as people write it: ``"ramadhan-1448"`` → ``"Ramadhan 1448 H"``.

    A Gregorian target (``"ramadhan-2027"``) is written ``"Ramadhan 2027 M"``; a target
    that is not a Ramadhan is shown as given.

    Examples
    --------
    >>> period_label("ramadhan-1448", "id"), period_label("ramadhan-1448", "en")
    ('Ramadhan 1448 H', 'Ramadan 1448 AH')
    """
    import re

    m = re.fullmatch(r"\s*ramadh?an[\s_-]*(\d{4})(\s*h)?\s*", target, flags=re.IGNORECASE)
    if m is None:
        return target
    year = int(m.group(1))
    if not 1343 <= year <= 1500:
        return tr(MESSAGES, "ramadhan_ce", lang, year=year)
    return tr(MESSAGES, "ramadhan", lang, year=year)


def _stop_row(r: pd.Series, color: str, lang: str) -> str:
    esc = escape_html
    high = bool(r.get("high_risk", False))
    place = str(r["desa"]) if isinstance(r["desa"], str) else "-"
    if isinstance(r.get("landmark"), str):
        place += f" · {r['landmark']} ({int(r['landmark_m'])} m)"
    reason = str(r["reason"])
    warn = bool(r.get("warning", False))
    if high and not warn:
        reason = f"{tr(MESSAGES, 'high', lang)} · {reason}"
    if warn:
        reason = f"{tr(MESSAGES, 'warn', lang)} · {reason}"
    coord = f"{float(r['lat']):.5f}, {float(r['lon']):.5f}"
    link = str(r.get("map_url") or "")
    coord_html = f'<a href="{esc(link)}">{esc(coord)}</a>' if link else esc(coord)
    cells = [
        f'<td><span class="sw" style="background:{color}"></span>{esc(str(r["team"]))}</td>',
        f'<td class="num">{esc(str(r["stop"]))}</td>',
        f"<td>{esc(str(r.get('arrive', '')))}</td>",
        f"<td>{esc(place)}</td>",
        f"<td>{coord_html}</td>",
        f"<td>{esc(reason)}</td>",
        f"<td>{esc(str(r.get('hours', '')))}</td>",
    ]
    cls = ' class="high"' if high else ""
    cls = ' class="warn"' if warn else cls
    return f"<tr{cls}>{''.join(cells)}</tr>"


def _total_row(sub: pd.DataFrame, lang: str) -> str:
    r = sub.iloc[0]
    if "team_km" not in sub:
        return ""
    budget = _minutes(str(r["window_start"]), str(r["window_end"]))
    text = tr(
        MESSAGES, "team_total", lang, team=r["team"], n=len(sub), km=float(r["team_km"]),
        minutes=int(r["team_minutes"]), budget=budget,
    )  # fmt: skip
    return f'<tr class="total"><td colspan="7">{escape_html(text)}</td></tr>'


def _minutes(start: str, end: str) -> int:
    a = int(start[:2]) * 60 + int(start[3:5])
    b = int(end[:2]) * 60 + int(end[3:5])
    return (b - a) % (24 * 60)


# --------------------------------------------------------------------------- the map


def _outlines(boundaries: pd.DataFrame | None) -> dict[str, list[np.ndarray]]:
    """Exterior rings (lon, lat) of each kecamatan, simplified to about 50 m."""
    if boundaries is None or "code" not in boundaries:
        return {}
    import geopandas as gpd

    g = gpd.GeoDataFrame(boundaries).to_crs(4326)
    out: dict[str, list[np.ndarray]] = {}
    for code, geom in zip(g["code"].astype(str), g.geometry.simplify(0.0005), strict=True):
        polys = getattr(geom, "geoms", [geom])
        out[code] = [np.asarray(p.exterior.coords)[:, :2] for p in polys if not p.is_empty]
    return out


def _svg(page: pd.DataFrame, rings: list[np.ndarray], alt: str) -> str:
    """Return an inline SVG of the routes: start (square), stops (numbered dots), team colours."""
    pts = [page[["lon", "lat"]].to_numpy(float)]
    if "start_lon" in page:
        pts.append(page[["start_lon", "start_lat"]].to_numpy(float)[:1])
    allpts = np.vstack(pts + rings)
    lat0 = float(np.mean(allpts[:, 1]))
    scale_x = np.cos(np.radians(lat0))
    lo = allpts.min(axis=0)
    span = np.maximum((allpts.max(axis=0) - lo) * [scale_x, 1.0], 1e-4)
    w, h, pad = 1000.0, 560.0, 30.0
    k = min((w - 2 * pad) / span[0], (h - 2 * pad) / span[1])

    def xy(lonlat: Iterable[Iterable[float]]) -> list[tuple[float, float]]:
        return [
            (round(pad + (x - lo[0]) * scale_x * k, 1), round(h - pad - (y - lo[1]) * k, 1))
            for x, y in lonlat
        ]

    parts = [f'<svg class="map" viewBox="0 0 {w:.0f} {h:.0f}" role="img">',
             f"<title>{escape_html(alt)}</title>"]  # fmt: skip
    for ring in rings:
        d = " ".join(f"{x},{y}" for x, y in xy(ring))
        parts.append(f'<polygon points="{d}" fill="#f3f3ee" stroke="#888" stroke-width="2"/>')
    start = xy(pts[1])[0] if len(pts) > 1 else None
    for n, t in enumerate(sorted(page["team"].unique())):
        color = _COLORS[n % len(_COLORS)]
        sub = page[page["team"] == t].sort_values("stop")
        line = xy(sub[["lon", "lat"]].to_numpy(float))
        path = [start, *line, start] if start else line
        d = " ".join(f"{x},{y}" for x, y in path)
        parts.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="3"/>')
        for (x, y), s in zip(line, sub["stop"], strict=True):
            parts.append(f'<circle cx="{x}" cy="{y}" r="11" fill="{color}"/>')
            parts.append(
                f'<text x="{x}" y="{y + 5}" font-size="14" text-anchor="middle" '
                f'fill="#fff">{int(s)}</text>'
            )
    if start:
        parts.append(
            f'<rect x="{start[0] - 9}" y="{start[1] - 9}" width="18" height="18" fill="#000"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
