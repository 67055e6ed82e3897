"""The "Prioritas" panel of the map: per Polsek, the places to patrol first and why.

For each Polsek (by default one per kecamatan, or the Polres' own mapping through
:func:`kamtibmas_geo.boundaries._polsek.polsek_table`) the panel lists the desa/kelurahan
whose best cell has the highest score among cells of class 3 or more, with the reason in
whole numbers (incidents of the cell, the two most frequent types, a Gi* hot spot) and the
class. Polsek are grouped by kabupaten/kota and ordered by their best score within it: every
comparison stays inside one jurisdiction, where the classes were computed. Each entry
carries the cell centre, so a click zooms the map there; each Polsek carries the bounds of
its cells (the per-Polsek pictures).
"""

from __future__ import annotations

from typing import Any

import h3
import numpy as np
import pandas as pd

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.boundaries._names import display_name, kecamatan_display_name

__all__ = ["MESSAGES", "polsek_column", "priority_payload"]

#: Places listed per Polsek, and the lowest class listed.
TOP = 3
MIN_CLASS = 3

MESSAGES = {
    "polsek_of": {"id": "Polsek {kec}", "en": "Polsek {kec}"},
    "no_kab": {"id": "Wilayah", "en": "Region"},
    "n_incidents": {"id": "{n} kejadian", "en": "{n} incidents"},
    "hot": {"id": "titik panas Gi* {conf}%", "en": "Gi* hot spot {conf}%"},
    "under_k": {"id": "< {k} kejadian", "en": "< {k} incidents"},
    "neighbours": {"id": "sekitar sel ini rawan", "en": "risky surroundings"},
}


def polsek_column(cells: pd.DataFrame, mapping: Any = None) -> pd.Series:
    """Return the Polsek of each cell: its ``polsek`` column, the mapping, or the kecamatan.

    Parameters
    ----------
    cells : DataFrame
        Score cells (``kecamatan_code`` and ``kecamatan_name`` for the mapping).
    mapping : dict, DataFrame, path-like, optional
        The Polres' kecamatan → Polsek mapping (see
        :func:`kamtibmas_geo.boundaries._polsek.polsek_table`).

    Returns
    -------
    Series of str or None
    """
    if "polsek" in cells.columns and mapping is None:
        return cells["polsek"].astype(object).where(cells["polsek"].notna(), None)
    if {"kecamatan_code", "kecamatan_name"} <= set(cells.columns):
        kec = cells[["kecamatan_code", "kecamatan_name"]].dropna().drop_duplicates()
        if len(kec):
            from kamtibmas_geo.boundaries._polsek import polsek_table

            table = polsek_table(kec.reset_index(drop=True), mapping)
            lookup = dict(zip(table["kecamatan_code"], table["polsek"], strict=True))
            return pd.Series(
                [lookup.get(c) for c in cells["kecamatan_code"]], index=cells.index, dtype=object
            )
    if "kecamatan_name" in cells.columns:
        return pd.Series(
            [
                None if pd.isna(v) else f"Polsek {kecamatan_display_name(str(v))}"
                for v in cells["kecamatan_name"]
            ],
            index=cells.index,
            dtype=object,
        )
    return pd.Series([None] * len(cells), index=cells.index, dtype=object)


def _reason(row: pd.Series, types: dict[str, Any], lang: str, k: int | None) -> str:
    """Whole numbers: incidents of the cell, the two most frequent types, a Gi* hot spot."""
    n = pd.to_numeric(pd.Series([row.get("n_incidents")]), errors="coerce").iloc[0]
    parts: list[str] = []
    if pd.notna(n):
        parts.append(tr(MESSAGES, "n_incidents", lang, n=round(float(n))))
    counts = []
    for col, value in row.items():
        if isinstance(col, str) and col.startswith("n_") and col[2:] in types:
            v = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
            if pd.notna(v) and round(float(v)) > 0 and (k is None or round(float(v)) >= k):
                counts.append((-round(float(v)), types[col[2:]]["label"]))
    counts.sort()
    if counts:
        tail = ", ".join(f"{-c} {label.lower()}" for c, label in counts[:2])
        parts[-1:] = [f"{parts[-1]}: {tail}"] if parts else [tail]
    gi = pd.to_numeric(pd.Series([row.get("gi_bin")]), errors="coerce").iloc[0]
    if pd.notna(gi) and gi > 0:
        parts.append(tr(MESSAGES, "hot", lang, conf={1: 90, 2: 95, 3: 99}.get(int(gi), 90)))
    if not parts or (pd.notna(n) and round(float(n)) == 0):
        parts.append(tr(MESSAGES, "neighbours", lang))
    return "; ".join(parts)


def _bounds(frame: pd.DataFrame) -> list[float]:
    b = frame.geometry.bounds
    return np.round([b.minx.min(), b.miny.min(), b.maxx.max(), b.maxy.max()], 5).tolist()


def _entries(group: pd.DataFrame, types: dict[str, Any], lang: str, k: int | None) -> list[Any]:
    """Return the best cell of each desa, for the desa whose best cell ranks highest."""
    ranked = group.loc[pd.to_numeric(group["score_class"], errors="coerce") >= MIN_CLASS]
    if ranked.empty:
        return []
    ranked = ranked.sort_values(["score", "hex_id"], ascending=[False, True], kind="stable")
    key = ranked["desa_name"] if "desa_name" in ranked.columns else ranked["hex_id"]
    best = ranked.loc[~key.fillna(ranked["hex_id"]).duplicated()].head(TOP)
    out = []
    for _, row in best.iterrows():
        lat, lng = h3.cell_to_latlng(str(row["hex_id"]))
        name = row.get("desa_name")
        official = None if pd.isna(name) else str(name)
        out.append(
            {
                "desa": official,
                "disp": None if official is None else display_name(official),
                "cls": int(row["score_class"]),
                "why": _reason(row, types, lang, k),
                "ll": [round(lat, 5), round(lng, 5)],
            }
        )
    return out


def priority_payload(
    cells: pd.DataFrame,
    types: dict[str, Any],
    lang: str,
    *,
    mapping: Any = None,
    public_k: int | None = None,
) -> list[dict[str, Any]]:
    """Return the panel: one entry per Polsek with its top places, by kabupaten/kota.

    Parameters
    ----------
    cells : GeoDataFrame
        Score cells in EPSG:4326 (``hex_id``, ``score``, ``score_class``, counts...).
    types : dict
        Incident types (key → label, colour), for the reasons.
    lang : {"id", "en"}
        Language of the reasons.
    mapping : dict, DataFrame, path-like, optional
        The Polres' kecamatan → Polsek mapping.
    public_k : int, optional
        Public minimum count: per-type counts below it are left out of the reasons.

    Returns
    -------
    list of dict
        ``{"kab", "polsek", "bbox", "kec", "top": [{"desa", "disp", "cls", "why", "ll"}]}``
        (``kec``: the official names of the Polsek's kecamatan).
    """
    if not {"score", "score_class", "hex_id"} <= set(cells.columns) or cells.empty:
        return []
    frame = cells.assign(_polsek=polsek_column(cells, mapping).to_numpy())
    kab_col = "kabupaten_name" if "kabupaten_name" in frame.columns else None
    frame["_kab"] = frame[kab_col] if kab_col else tr(MESSAGES, "no_kab", lang)
    frame = frame.loc[frame["_polsek"].notna()]  # cells outside every unit: no Polsek answers
    frame["_kab"] = frame["_kab"].fillna(tr(MESSAGES, "no_kab", lang))
    groups = []
    for (kab, polsek), group in frame.groupby(["_kab", "_polsek"], sort=True):
        top = _entries(group, types, lang, public_k)
        best = float(pd.to_numeric(group["score"], errors="coerce").fillna(0).max())
        kec = sorted({str(v) for v in group.get("kecamatan_name", pd.Series()).dropna()})
        groups.append((str(kab), -best, str(polsek), top, _bounds(group), kec))
    groups.sort(key=lambda g: (g[0], g[1], g[2]))
    return [
        {"kab": kab, "polsek": polsek, "bbox": bbox, "top": top, "kec": kec}
        for kab, _, polsek, top, bbox, kec in groups
    ]
