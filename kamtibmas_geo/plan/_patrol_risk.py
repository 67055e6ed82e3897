"""Patrol risk per cell and time window, materiality, and what a stop says about itself.

Private helpers of :mod:`kamtibmas_geo.plan._patrol`. See ``docs/planning.md``.

``risk[i, w] = score[i] × profile[i, w]`` with
``profile[i, w] = Σ_t n[i, t] · s[t] · a[i, t, w] / Σ_t n[i, t] · s[t]``.
The affinity ``a[i, t, w]`` comes from the hours at which incidents of type ``t`` in cell
``i`` were reported (when the records carry their time), else from the type's
``peak_windows`` in the taxonomy.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo._i18n import tr

__all__ = [
    "OFF_PEAK",
    "Reports",
    "busiest_span",
    "hours_text",
    "reason_text",
    "window_affinity",
    "window_risk",
]

#: Affinity of a type with a window that is not one of its peak windows.
OFF_PEAK = 0.25
#: Peak windows used for a type the taxonomy does not list.
_FALLBACK_PEAKS: dict[str, tuple[str, ...]] = {
    "petasan": ("malam", "tarawih", "sahur"),
    "balap_liar": ("sahur", "subuh", "malam"),
    "kemacetan": ("ngabuburit", "siang"),
    "tawuran": ("sahur", "subuh", "malam"),
}
#: Placements precise enough to say what happened *in* a cell (not spread over an area).
PRECISE_LEVELS = ("desa", "landmark", "point", "coordinates")

MESSAGES = {
    "reports": {"id": "{n} laporan {label}", "en": "{n} reports of {label}"},
    "report": {"id": "{n} laporan {label}", "en": "{n} report of {label}"},
    "recent": {"id": "{months} bulan terakhir", "en": "last {months} months"},
    "history": {"id": "seluruh riwayat data (dibulatkan)", "en": "whole history (rounded)"},
    "spill": {
        "id": "risiko dari sel sekitar (tidak ada laporan di sel ini)",
        "en": "risk from nearby cells (no report in this cell)",
    },
    "hours_reported": {
        "id": "pukul {span}, {share}% kejadian ({n} dari {total} laporan berjam)",
        "en": "{span}, {share}% of incidents ({n} of {total} reports with a time)",
    },
    "hours_spread": {
        "id": "tersebar sepanjang hari ({total} laporan berjam)",
        "en": "spread over the whole day ({total} reports with a time)",
    },
    "hours_typical": {
        "id": "jam khas jenis: {windows}",
        "en": "typical hours of the type: {windows}",
    },
    "hours_none": {"id": "tidak ada data jam", "en": "no time data"},
    "src_none": {"id": "tidak ada", "en": "none"},
    "src_reported": {"id": "jam laporan", "en": "reported times"},
    "src_typical": {"id": "jam khas jenis", "en": "typical hours of the type"},
}


def taxonomy() -> dict[str, dict[str, Any]]:
    """Disturbance types with ``severity``, ``peak_windows`` and labels from taxonomy.toml."""
    text = resources.files("kamtibmas_geo").joinpath("data/taxonomy.toml").read_text("utf-8")
    table = tomllib.loads(text).get("disturbance", {})
    return {k: v for k, v in table.items() if isinstance(v, dict)}


def type_label(t: str, lang: str, tax: dict[str, dict[str, Any]]) -> str:
    """Return the name staff read for type ``t`` (``label_id`` or ``label_en``)."""
    entry = tax.get(t, {})
    return str(entry.get("label_en" if lang == "en" else "label_id") or t.replace("_", " "))


def _peaks(t: str, tax: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    peaks = tuple(tax.get(t, {}).get("peak_windows", _FALLBACK_PEAKS.get(t, ())))
    # takbiran night is a festive night: types of the night peak in it too
    return (*peaks, "takbiran") if {"malam", "tarawih"} & set(peaks) else peaks


def window_affinity(types: Sequence[str], windows: Sequence[str]) -> pd.DataFrame:
    """Return the type × window affinity table (1 at peak windows, :data:`OFF_PEAK` else).

    Takbiran counts as a peak window of every type that peaks at night or at tarawih.

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
    tax = taxonomy()
    out = pd.DataFrame(OFF_PEAK, index=list(types), columns=list(windows), dtype=float)
    for t in types:
        for w in _peaks(t, tax):
            if w in out.columns:
                out.loc[t, w] = 1.0
    return out


@dataclass(frozen=True)
class Reports:
    """Records of incidents placed precisely in the plan's cells.

    Attributes
    ----------
    frame : DataFrame
        One row per record: ``hex_id``, ``type``, ``hour`` (float, NaN when the time is
        unknown), ``window`` (the patrol window of the reported time, or None) and
        ``recent`` (within the reason period before the plan).
    months : int
        Length of the reason period in months.
    """

    frame: pd.DataFrame
    months: int


def cell_types(cells: pd.DataFrame) -> list[str]:
    """Return the disturbance types with an ``n_<type>`` column, sorted."""
    tax = taxonomy()
    types = sorted(c[2:] for c in cells.columns if c.startswith("n_") and c[2:] in tax)
    if not types:
        skip = ("n_incidents", "n_activities", "n_cells")
        types = sorted(c[2:] for c in cells.columns if c.startswith("n_") and c not in skip)
    return types


def _counts(cells: pd.DataFrame, types: list[str]) -> np.ndarray:
    if not types:
        return np.zeros((len(cells), 0))
    cols = cells[[f"n_{t}" for t in types]]
    return cols.apply(pd.to_numeric, errors="coerce").fillna(0.0).to_numpy(dtype=float)


def _reported_affinity(
    cells: pd.DataFrame, types: list[str], windows: Sequence[str], reports: Reports
) -> tuple[np.ndarray, np.ndarray]:
    """Affinity of each (cell, type) from the reported hours, and where it is known."""
    shape = (len(cells), len(types), len(windows))
    aff = np.full(shape, OFF_PEAK)
    known = np.zeros(shape[:2], dtype=bool)
    rep = reports.frame[reports.frame["hour"].notna()]
    if rep.empty or not types:
        return aff, known
    row = pd.Series(np.arange(len(cells)), index=cells["hex_id"].astype(str).to_numpy())
    col = pd.Series(np.arange(len(types)), index=types)
    i = row.reindex(rep["hex_id"].astype(str)).to_numpy(dtype=float)
    t = col.reindex(rep["type"].astype(str)).to_numpy(dtype=float)
    wpos = pd.Series(np.arange(len(windows)), index=list(windows))
    w = wpos.reindex(rep["window"].astype(object)).to_numpy(dtype=float)
    ok = ~np.isnan(i) & ~np.isnan(t)
    known[i[ok].astype(int), t[ok].astype(int)] = True
    hit = ok & ~np.isnan(w)
    tally = np.zeros(shape)
    np.add.at(tally, (i[hit].astype(int), t[hit].astype(int), w[hit].astype(int)), 1.0)
    peak = tally.max(axis=2, keepdims=True)
    share = np.divide(tally, peak, out=np.zeros(shape), where=peak > 0)
    return OFF_PEAK + (1.0 - OFF_PEAK) * share, known


def window_risk(
    cells: pd.DataFrame, windows: Sequence[str], reports: Reports | None
) -> tuple[pd.DataFrame, list[str], np.ndarray]:
    """Return the risk of every cell in every window, the types and their counts.

    Parameters
    ----------
    cells : DataFrame
        Cell scores with ``hex_id``, ``score`` and ``n_<type>``.
    windows : sequence of str
        The windows planned.
    reports : Reports, optional
        Precisely placed records; where a (cell, type) has reports with a time, their hours
        decide its affinity instead of the type's peak windows.

    Returns
    -------
    risk : DataFrame
        Cells × windows (index of ``cells``).
    types : list of str
    counts : ndarray
        Cells × types, the ``n_<type>`` columns.
    """
    types = cell_types(cells)
    tax = taxonomy()
    sev = np.array([float(tax.get(t, {}).get("severity", 1.0)) for t in types])
    counts = _counts(cells, types)
    contrib = counts * sev
    aff = np.broadcast_to(
        window_affinity(types, windows).to_numpy(), (len(cells), len(types), len(windows))
    ).copy()
    if reports is not None:
        rep_aff, known = _reported_affinity(cells, types, windows, reports)
        aff[known] = rep_aff[known]
    num = np.einsum("it,itw->iw", contrib, aff)
    denom = contrib.sum(axis=1)
    regional = num.sum(axis=0) / denom.sum() if denom.sum() > 0 else np.ones(len(windows))
    profile = np.where(denom[:, None] > 0, num / np.where(denom > 0, denom, 1)[:, None], regional)
    score = pd.to_numeric(cells["score"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    risk = pd.DataFrame(score[:, None] * profile, index=cells.index, columns=list(windows))
    return risk, types, counts


def reason_text(
    cell_counts: dict[str, int] | None,
    fallback: np.ndarray,
    types: list[str],
    window_aff: np.ndarray,
    reports: Reports | None,
    lang: str,
) -> str:
    """Why a stop is on the list, in whole numbers ("3 laporan petasan, 12 bulan terakhir").

    From the recent reports of the cell when records were given, else the cell's counts
    rounded (and said so). Types peaking in the window come first, then by count; three at most.
    """
    tax = taxonomy()
    if reports is not None:
        counts = cell_counts or {}
        suffix = tr(MESSAGES, "recent", lang, months=reports.months)
    else:
        counts = {t: round(float(n)) for t, n in zip(types, fallback, strict=True)}
        suffix = tr(MESSAGES, "history", lang)
    peak = {t: float(a) for t, a in zip(types, window_aff, strict=True)}
    items = sorted(
        ((t, n) for t, n in counts.items() if n > 0),
        key=lambda kv: (-peak.get(kv[0], OFF_PEAK), -kv[1], kv[0]),
    )[:3]
    if not items:
        return tr(MESSAGES, "spill", lang)
    # the taxonomy's labels read lower-case inside a sentence; the user's own types as written
    labels = {t: type_label(t, lang, tax) for t, _ in items}
    labels = {t: (v.lower() if t in tax else v) for t, v in labels.items()}
    parts = [
        tr(MESSAGES, "report" if n == 1 else "reports", lang, n=n, label=labels[t])
        for t, n in items
    ]
    return ", ".join(parts) + f", {suffix}"


#: Widths of the busiest span (hours); a wider one is taken only when it adds this share.
_SPAN_WIDTHS = (2, 3)
_WIDER_GAIN = 0.10
#: A span is "clear" when it holds at least this many times its even share (w / 24).
_CLEAR_FACTOR = 3.0


def busiest_span(hours: np.ndarray) -> tuple[int, int, int] | None:
    """Return the busiest 2–3-hour span of reported hours as ``(start, width, reports)``.

    Hours wrap round midnight (a circular window). The 2-hour span with most reports is
    kept unless the best 3-hour span holds at least 10 points more of the reports; ties go
    to the earliest start, and empty hours at either end are dropped. ``None`` when no span
    holds a clear share: less than three times its even share of the day (25% for 2 hours,
    37.5% for 3), or a single report of many.

    Examples
    --------
    >>> busiest_span(np.array([20.0, 21, 21, 22, 9]))
    (20, 3, 4)
    """
    tally = np.bincount(hours.astype(int) % 24, minlength=24)
    total = int(tally.sum())
    if total == 0:
        return None
    best: tuple[int, int, int] | None = None
    for width in _SPAN_WIDTHS:
        sums = np.array([tally[(np.arange(width) + h) % 24].sum() for h in range(24)])
        h = int(np.argmax(sums))
        got = (h, width, int(sums[h]))
        if best is None or (got[2] - best[2]) / total >= _WIDER_GAIN:
            best = got
    assert best is not None
    best = _trim(tally, best)
    share = best[2] / total
    if share < _CLEAR_FACTOR * best[1] / 24 or (best[2] < 2 and total > 1):
        return None
    return best


def _trim(tally: np.ndarray, span: tuple[int, int, int]) -> tuple[int, int, int]:
    """Drop the span's empty hours at either end (it starts and ends on reported hours)."""
    start, width, n = span
    hours = [(start + k) % 24 for k in range(width)]
    while tally[hours[0]] == 0:
        hours.pop(0)
    while tally[hours[-1]] == 0:
        hours.pop()
    return hours[0], len(hours), n


def _clock(hour: int, lang: str) -> str:
    """``"20.00"`` in Indonesian, ``"20:00"`` in English; midnight at the end is 24.00."""
    sep = "." if lang == "id" else ":"
    return f"{hour:02d}{sep}00"


def hours_text(
    hours: np.ndarray, top_types: Sequence[str], window_labels: dict[str, str], lang: str
) -> tuple[str, str]:
    """When incidents at a stop were reported, and where that comes from.

    Returns ``(text, source)``: from the records' times when any has one (the busiest
    2–3-hour span, e.g. "pukul 20.00–23.00, 45% kejadian (5 dari 11 laporan berjam)", or
    "tersebar sepanjang hari" when no span holds a clear share, see :func:`busiest_span`),
    else the typical windows of the stop's main types, else "tidak ada data jam".
    """
    hours = hours[~np.isnan(hours)]
    if len(hours):
        span = busiest_span(hours)
        if span is None:
            text = tr(MESSAGES, "hours_spread", lang, total=len(hours))
            return text, tr(MESSAGES, "src_reported", lang)
        start, width, n = span
        end = start + width if start + width == 24 else (start + width) % 24
        text = tr(
            MESSAGES,
            "hours_reported",
            lang,
            span=f"{_clock(start, lang)}–{_clock(end, lang)}",
            share=round(100 * n / len(hours)),
            n=n,
            total=len(hours),
        )
        return text, tr(MESSAGES, "src_reported", lang)
    tax = taxonomy()
    wins: list[str] = []
    for t in top_types:
        wins.extend(w for w in _peaks(t, tax) if w not in wins and w != "takbiran")
    if not wins:
        return tr(MESSAGES, "hours_none", lang), tr(MESSAGES, "src_none", lang)
    names = ", ".join(window_labels.get(w, w) for w in wins)
    return tr(MESSAGES, "hours_typical", lang, windows=names), tr(MESSAGES, "src_typical", lang)
