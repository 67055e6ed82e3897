"""The printable page of a patrol plan: one section (page) per Polsek, one table per window.

Public name re-exported by :mod:`kamtibmas_geo.plan._poskamling`. Every text from the data is
escaped; the page is built without any template engine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from kamtibmas_geo._atomic import atomic_write
from kamtibmas_geo._errors import PlanError
from kamtibmas_geo._htmlsafe import escape_html
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.plan._patrol import MESSAGES, WINDOWS, calendar_hours

__all__ = ["patrol_html"]


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
        raise PlanError.say(MESSAGES, "err_plan_columns", missing=missing)
    esc = escape_html
    hours = plan.attrs.get("hours", calendar_hours())
    head = title or tr(MESSAGES, "title", lang)
    target = (
        plan["target"].dropna().iloc[0] if "target" in plan and plan["target"].notna().any() else ""
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        f"<title>{esc(head)}</title><style>{_CSS}</style></head><body>",
    ]
    key = plan["kecamatan_code"].astype("string").fillna("-") if "kecamatan_code" in plan else None
    groups = plan.groupby(key if key is not None else plan["kecamatan"], sort=True)
    for _, unit in groups:
        parts.extend(_unit_section(unit, head, target, hours, lang))
    parts.append("</body></html>")
    path = Path(out)
    with atomic_write(path) as tmp:
        tmp.write_text("\n".join(parts), encoding="utf-8")
    return path


def _unit_section(
    unit: pd.DataFrame,
    head: str,
    target: str,
    hours: Mapping[str, tuple[float, float]],
    lang: str,
) -> list[str]:
    """Return the HTML of one Polsek: its heading and one table per window."""
    esc = escape_html
    name = str(unit["kecamatan"].iloc[0])
    code = str(unit["kecamatan_code"].iloc[0]) if "kecamatan_code" in unit else ""
    parts = ['<section class="polsek">', f"<h1>{esc(head)}</h1>"]
    meta = f"{tr(MESSAGES, 'target', lang)}: {target}" if target else ""
    parts.append(f'<p class="meta">{esc(meta)}</p>')
    parts.append(f"<h2>{esc(tr(MESSAGES, 'polsek', lang))}: {esc(name)} ({esc(code)})</h2>")
    order = {w: i for i, w in enumerate(WINDOWS)}
    for w in sorted(unit["window"].unique(), key=lambda x: order.get(x, 99)):
        sub = unit[unit["window"] == w].sort_values(["team", "stop"], kind="stable")
        parts.extend(_window_table(sub, w, hours, lang))
    parts.append(f'<p class="meta">{esc(tr(MESSAGES, "footer", lang))}</p></section>')
    return parts


def _window_table(
    sub: pd.DataFrame, window: str, hours: Mapping[str, tuple[float, float]], lang: str
) -> list[str]:
    """Return the HTML of one window of one Polsek: its heading and the table of visits."""
    esc = escape_html
    cols = ["col_team", "col_stop", "col_rank", "col_desa", "col_cell", "col_coord"]
    cols += ["col_risk", "col_reason"]
    label = sub["window_label"].iloc[0] if "window_label" in sub else window
    span = ""
    if window in hours:
        s, e = hours[window]
        span = " · " + tr(MESSAGES, "hours", lang, start=_hhmm(s), end=_hhmm(e))
    parts = [f"<h3>{esc(str(label))}{esc(span)}</h3>", "<table><thead><tr>"]
    parts.extend(f"<th>{esc(tr(MESSAGES, c, lang))}</th>" for c in cols)
    parts.append("</tr></thead><tbody>")
    parts.extend(_visit_html(r, lang) for r in sub.itertuples(index=False))
    parts.append("</tbody></table>")
    return parts


def _visit_html(r: Any, lang: str) -> str:
    """Return one table row of a visit."""
    esc = escape_html
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
    return f"<tr{cls}>{''.join(cells)}</tr>"
