"""Texts the map shows around its layers: the title block and the legend, as plain data.

Both travel in the data block as strings and colours; the page builds their elements with
``textContent`` (never ``innerHTML``), so a name can hold anything. The legend is a list of
sections, each tied to the layers it explains: the page shows a section only while one of
its layers is on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.render import _mapdata as md

__all__ = ["MESSAGES", "legend_data", "title_data"]

_MONTHS = {
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}

MESSAGES = {
    "title": {"id": "Peta titik rawan kamtibmas", "en": "Public-order hotspot map"},
    "target": {"id": "Periode sasaran: {target}", "en": "Target period: {target}"},
    "span": {"id": "{start} s.d. {end}", "en": "{start} to {end}"},
    "newest": {"id": "Data s.d. {date}", "en": "Records up to {date}"},
    "small": {
        "id": "Perhatian: {kab} punya kurang dari 30 kejadian; kelas dan Gi* di sana kurang andal.",
        "en": "Caution: {kab} has fewer than 30 incidents; its classes and Gi* are less reliable.",
    },
    "leg_score": {
        "id": "Kelas risiko (dihitung per kabupaten/kota)",
        "en": "Risk class (computed per kabupaten/kota)",
    },
    "leg_score_note": {
        "id": "Kelas 2 tampil dari zoom 12, kelas 1 dari zoom 14.",
        "en": "Class 2 shows from zoom 12, class 1 from zoom 14.",
    },
    "leg_gi": {"id": "Gi* (Getis-Ord), p terkoreksi FDR", "en": "Gi* (Getis-Ord), FDR-corrected p"},
    "leg_points": {"id": "Kejadian: huruf = jenis", "en": "Incidents: letters = type"},
    "leg_cluster": {
        "id": "Lingkaran berangka = jumlah kejadian berdekatan; klik untuk memperbesar.",
        "en": "Numbered circles = nearby incidents; click to zoom in.",
    },
    "leg_heat": {"id": "Peta panas kejadian", "en": "Incident heat map"},
    "leg_heat_item": {"id": "sedikit → banyak kejadian", "en": "few → many incidents"},
    "leg_act": {"id": "Kegiatan Binmas", "en": "Binmas activities"},
    "leg_posts": {"id": "Poskamling yang ada", "en": "Existing Poskamling"},
    "leg_proposed": {"id": "Poskamling usulan", "en": "Proposed Poskamling"},
    "leg_radius": {"id": "lingkaran = radius cakupan", "en": "circle = coverage radius"},
    "leg_bounds": {"id": "Batas wilayah", "en": "Boundaries"},
}


def _date(value: Any, lang: str) -> str | None:
    t = pd.to_datetime(pd.Series([value]), errors="coerce").iloc[0]
    if pd.isna(t):
        return None
    return f"{t.day} {_MONTHS.get(lang, _MONTHS['id'])[t.month - 1]} {t.year}"


def _jurisdictions(main: pd.DataFrame, bounds: Mapping[str, pd.DataFrame]) -> list[str]:
    if "kabupaten_name" in main.columns:
        names = sorted({str(v) for v in main["kabupaten_name"].dropna()})
        if names:
            return names
    kab = bounds.get("kabupaten")
    if kab is not None and "name" in kab.columns:
        return sorted({str(v) for v in kab["name"].dropna()})
    return []


def _small_samples(main: pd.DataFrame) -> list[str]:
    if "small_sample" not in main.columns:
        return []
    flag = main["small_sample"].fillna(False).astype(bool)
    key = "kabupaten_name" if "kabupaten_name" in main.columns else "kabupaten_code"
    if key not in main.columns:
        return ["?"] if flag.any() else []
    return sorted({str(v) for v in main.loc[flag, key].dropna()})


def title_data(
    main: pd.DataFrame,
    bounds: Mapping[str, pd.DataFrame],
    records: pd.DataFrame | None,
    meta: Mapping[str, Any],
    options: Any,
    lang: str,
) -> dict[str, Any]:
    """Return the title block: title with the jurisdictions, period and data date, warnings.

    Parameters
    ----------
    main : DataFrame
        The cells of the first layer.
    bounds : mapping
        The boundaries drawn (for the names when cells have none).
    records : DataFrame, optional
        Incident records (the newest ``time`` dates the data).
    meta : mapping
        ``attrs["score"]`` of the cells (``target``, ``target_start``, ``target_end``).
    options : MapOptions
        ``title``, ``target`` and ``data_date`` given by the caller win.
    lang : {"id", "en"}
        Language.

    Returns
    -------
    dict
        ``{"title": str, "sub": [str], "warn": [str]}``.
    """
    places = _jurisdictions(main, bounds)
    title = options.title or tr(MESSAGES, "title", lang)
    if places and not options.title:
        title = f"{title} \u2013 {', '.join(places)}"
    sub = []
    target = options.target or meta.get("target")
    if target:
        start, end = _date(meta.get("target_start"), lang), _date(meta.get("target_end"), lang)
        text = str(target)
        if start and end and not options.target:
            text += f" ({tr(MESSAGES, 'span', lang, start=start, end=end)})"
        sub.append(tr(MESSAGES, "target", lang, target=text))
    newest = options.data_date
    if newest is None and records is not None and "time" in records.columns and len(records):
        newest = _date(pd.to_datetime(records["time"], errors="coerce").max(), lang)
    if newest:
        sub.append(tr(MESSAGES, "newest", lang, date=newest))
    warn = [tr(MESSAGES, "small", lang, kab=kab) for kab in _small_samples(main)]
    return {"title": title, "sub": sub, "warn": warn}


def _score_section(lang: str) -> dict[str, Any]:
    items = [
        {"fill": colour, "text": tr(md.MESSAGES, f"c{c}", lang)}
        for c, colour in sorted(md.SCORE_COLOURS.items(), reverse=True)
    ]
    return {
        "layers": ["score"],
        "title": tr(MESSAGES, "leg_score", lang),
        "items": items,
        "note": tr(MESSAGES, "leg_score_note", lang),
    }


def _gi_section(lang: str) -> dict[str, Any]:
    items = [
        {"fill": md.GI_COLOURS[b], "text": tr(md.MESSAGES, f"g{b}", lang)}
        for b in sorted(md.GI_COLOURS, reverse=True)
    ]
    return {"layers": ["gi"], "title": tr(MESSAGES, "leg_gi", lang), "items": items}


def _type_items(types: Mapping[str, Any], dot: bool) -> list[dict[str, Any]]:
    return [
        {"dot": t["colour"], "abbr": t["abbr"] if dot else "", "text": t["label"]}
        for t in types.values()
    ]


def legend_data(
    lang: str,
    data: Mapping[str, Any],
    shown_types: Mapping[str, Any] | None,
    public_k: int | None,
) -> list[dict[str, Any]]:
    """Return the legend sections, each with the layer keys it explains.

    Parameters
    ----------
    lang : {"id", "en"}
        Language.
    data : mapping
        The data block so far (which layers exist).
    shown_types : mapping, optional
        The incident types drawn.
    public_k : int, optional
        Public minimum count (a note on hidden cells).

    Returns
    -------
    list of dict
        ``{"layers": [...], "title": str, "items": [...], "note": str}``; an item has
        ``text`` and one of ``fill`` (area), ``dot`` (+ ``abbr``), ``post``, ``line``.
    """
    out = [_score_section(lang)]
    if any("gi_bin" in s["p"] for s in data["hexsets"]):
        out.append(_gi_section(lang))
    if "points" in data and shown_types:
        out.append(
            {
                "layers": ["points"],
                "title": tr(MESSAGES, "leg_points", lang),
                "items": _type_items(shown_types, True),
                "note": tr(MESSAGES, "leg_cluster", lang),
            }
        )
    if "points" in data or "heat_cells" in data:
        item = {"heat": True, "text": tr(MESSAGES, "leg_heat_item", lang)}
        out.append({"layers": ["heat"], "title": tr(MESSAGES, "leg_heat", lang), "items": [item]})
    if "activities" in data:
        used = {data["activities"]["keys"][i] for i in data["activities"]["used"]}
        types = {k: v for k, v in data["atypes"].items() if k in used}
        title = tr(MESSAGES, "leg_act", lang)
        out.append({"layers": ["activities"], "title": title, "items": _type_items(types, False)})
    for key in ("posts", "proposed"):
        if key in data:
            dash = key == "proposed"
            items = [
                {
                    "post": md.POST_COLOURS[key],
                    "dash": dash,
                    "text": tr(MESSAGES, f"leg_{key}", lang),
                },
                {"ring": True, "dash": dash, "text": tr(MESSAGES, "leg_radius", lang)},
            ]
            out.append({"layers": [key], "title": "", "items": items})
    if "bounds" in data:
        items = [
            {"line": level, "text": tr(md.MESSAGES, f"layer_{short}", lang)}
            for level, short in (("kabupaten", "kab"), ("kecamatan", "kec"), ("desa", "desa"))
            if level in data["bounds"]
        ]
        title = tr(MESSAGES, "leg_bounds", lang)
        out.append({"layers": list(data["bounds"]), "title": title, "items": items})
    if public_k is not None:
        note = tr(md.MESSAGES, "legend_public", lang, k=public_k)
        out.append({"layers": [], "title": "", "items": [], "note": note})
    return out
