"""Roll-ups of cell scores to desa/kelurahan, kecamatan, Polsek and kabupaten."""

from __future__ import annotations

from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo._validate import check_choice, check_columns
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._units import own_desa

__all__ = ["RollupLevel", "rollup"]


RollupLevel = Literal["desa", "kecamatan", "polsek", "kabupaten"]
#: The level of the units a roll-up sums to (a Polsek is a union of kecamatan).
_UnitLevel = Literal["desa", "kecamatan", "kabupaten"]

MESSAGES = {
    "empty_pack": {
        "id": "Tidak bisa merangkum ke tingkat {base}: {col} kosong di semua {n} sel. Apakah "
        "selnya di luar OKI dan Palembang (paket batas wilayah)? Untuk wilayah lain berikan "
        "poligon desa Anda sendiri: rollup(cells, level=..., boundaries=desa), dan "
        "score_hotspots(..., boundaries=desa) untuk mengisi kolom unit sel.",
        "en": "Cannot roll up to {base}: {col} is empty in all {n} cells. Are the "
        "cells outside OKI and Palembang (the boundary pack)? For another region pass "
        "your own desa polygons: rollup(cells, level=..., boundaries=desa), and "
        "score_hotspots(..., boundaries=desa) to fill the cells' unit columns.",
    },
    "empty_no_code": {
        "id": "Tidak bisa merangkum ke tingkat {base}: batas wilayah tidak punya kolom "
        "{base}_code; tambahkan kolom itu ke poligon desa Anda (atau rangkum ke "
        "level='desa').",
        "en": "Cannot roll up to {base}: the boundaries have no {base}_code; add that "
        "column to your desa polygons (or roll up to level='desa').",
    },
    "empty_elsewhere": {
        "id": "Tidak bisa merangkum ke tingkat {base}: tidak satu pun dari {n} sel menyentuh "
        "desa pada batas wilayah. Apakah sel dan batas wilayahnya dari wilayah yang sama "
        "(dan CRS batas wilayahnya benar)?",
        "en": "Cannot roll up to {base}: none of the {n} cells touches the boundaries' "
        "desa. Are the cells and the boundaries of the same region (and the boundaries' "
        "CRS right)?",
    },
}


def _polsek_of(polsek_map: Any, kec: pd.DataFrame) -> pd.Series:
    """Kecamatan code → Polsek, by :func:`~kamtibmas_geo.boundaries.polsek_table`.

    One Polsek per kecamatan (``"Polsek <kecamatan>"``) unless the mapping says otherwise.
    """
    from kamtibmas_geo.boundaries._polsek import polsek_table

    frame = pd.DataFrame({"code": kec["code"].astype(str), "name": kec["name"]})
    table = polsek_table(frame, polsek_map)
    return pd.Series(table["polsek"].to_numpy(), index=table["kecamatan_code"].astype(str))


def _empty_level_error(
    col: str, n_cells: int, own: gpd.GeoDataFrame | None, base: str
) -> ScoreError:
    """Return the error of a roll-up in which no cell lies in any unit, with its likely cause."""
    if own is None:
        return ScoreError.say(MESSAGES, "empty_pack", base=base, col=col, n=n_cells)
    if base != "desa" and own[col].isna().all():
        return ScoreError.say(MESSAGES, "empty_no_code", base=base)
    return ScoreError.say(MESSAGES, "empty_elsewhere", base=base, n=n_cells)


def rollup(
    cells: gpd.GeoDataFrame | pd.DataFrame,
    *,
    level: RollupLevel = "kecamatan",
    polsek_map: Any = None,
    settings: Settings | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Sum cell results to desa/kelurahan, kecamatan, Polsek or kabupaten.

    A cell belongs to the unit holding its centre (the ``*_code`` columns of
    :func:`score_hotspots`, or with ``boundaries`` the same rule applied to your own
    polygons). Counts, scores and activities are summed; rates are per
    km² of the unit's area (a Polsek's area is the sum of its kecamatan) and, at
    kabupaten level only (the boundary pack has no smaller population figures), per
    10,000 people.

    Parameters
    ----------
    cells : GeoDataFrame
        Output of :func:`score_hotspots`.
    level : {"desa", "kecamatan", "polsek", "kabupaten"}
        Level of the roll-up.
    polsek_map : dict, str, Path or DataFrame, optional
        Kecamatan → Polsek mapping, as :func:`~kamtibmas_geo.boundaries.polsek_table`
        reads it (dict, table or CSV/XLSX with ``kecamatan`` code or name and
        ``polsek``); kecamatan not listed keep their own Polsek ("Polsek <kecamatan>").
    settings : Settings, optional
        Where the boundary pack is.
    boundaries : GeoDataFrame, optional
        Your own desa/kelurahan polygons for a region outside OKI and Palembang (any
        CRS; ``code`` and optionally ``name``, ``kecamatan_code``, ``kecamatan_name``,
        ``kabupaten_code``, ``kabupaten_name``, as in
        :func:`~kamtibmas_geo.grid.assign_units`). The units are then these desa, or
        their union per ``kecamatan_code`` / ``kabupaten_code``, with areas computed in
        an equal-area CRS (:data:`~kamtibmas_geo.boundaries.EQUAL_AREA_CRS`); each cell
        is assigned to them afresh from its ``hex_id`` by the rule of
        :func:`score_hotspots` (so the cells' own unit columns are not needed). Own
        boundaries carry no population: ``population`` and ``incidents_per_10k`` are
        missing at kabupaten level.

    Returns
    -------
    DataFrame
        ``code``, ``name``, ``area_km2``, ``n_cells``, sums of ``n_*``, ``score``,
        ``coverage_gap``, ``n_hot`` (cells with ``gi_bin > 0``), ``score_mean``,
        ``incidents_per_km2``, ``score_per_km2``, ``coverage_gap_mean``, and at
        kabupaten level ``population`` and ``incidents_per_10k``; ``rank`` (by score,
        1 = highest) and ``kabupaten_code`` first: ranks compare units of one
        kabupaten/kota only, and the rows are sorted by kabupaten, then rank.
        ``attrs["rollup"]`` holds the level, the units' source (``"pack"`` or
        ``"boundaries"``) and ``n_cells_no_unit``, the cells left out because they lie in
        no unit of the level.

    Raises
    ------
    BoundaryError
        If the Polsek mapping is wrong (see :func:`~kamtibmas_geo.boundaries.polsek_table`).
    ScoreError
        If the cell table lacks a needed column,
        ``boundaries`` are not usable desa polygons, or no cell lies in any unit of the
        level (for example cells of another region rolled up without ``boundaries``):
        an empty table would silently lose every cell.
    """
    check_choice("level", level, ("desa", "kecamatan", "polsek", "kabupaten"))
    settings = settings or Settings()
    base: _UnitLevel = "kecamatan" if level == "polsek" else level
    col = f"{base}_code"
    own = None
    if boundaries is None:
        check_columns(cells, [col, "score"], what="cell table", error=ScoreError)
    else:
        check_columns(cells, ["hex_id", "score"], what="cell table", error=ScoreError)
        own = own_desa(boundaries, error=ScoreError)
    frame, units = _cells_and_units(cells, base, own, settings)
    n_all = len(frame)
    frame = frame[frame[col].notna()].copy()
    if n_all and frame.empty:
        raise _empty_level_error(col, n_all, own, base)
    frame["code"] = frame[col].astype(str)
    area = pd.Series(units["area_km2"].to_numpy(), index=units["code"].astype(str).to_numpy())
    names = pd.Series(units["name"].to_numpy(), index=units["code"].astype(str).to_numpy())
    kab_of = pd.Series(frame["code"].str[:5].to_numpy(), index=frame["code"].to_numpy())
    if level == "polsek":
        pol = _polsek_of(polsek_map, units)
        frame["code"] = frame["code"].map(pol)
        area = area.groupby(pol.reindex(area.index).to_numpy()).sum()
        names = pd.Series(area.index, index=area.index)
        kab_of = pd.Series(pol.index.str[:5].to_numpy(), index=pol.to_numpy())
    out = _sum_by_unit(frame, area, names)
    if level == "kabupaten":
        _add_population(out, units, own)
    out = _ranked_within_kabupaten(out, kab_of)
    out.attrs["rollup"] = {
        "level": level,
        "units": "pack" if own is None else "boundaries",
        "n_cells_no_unit": n_all - len(frame),
    }
    return out


def _ranked_within_kabupaten(out: pd.DataFrame, kab_of: pd.Series) -> pd.DataFrame:
    """Add ``kabupaten_code`` and ``rank`` (by score, 1 = highest) inside each kabupaten.

    Sorted by kabupaten, then rank: a rank compares units of one Polres only.
    """
    out = out.reset_index()
    kab_first = kab_of[~kab_of.index.duplicated()]
    out.insert(1, "kabupaten_code", kab_first.reindex(out["code"]).to_numpy())
    key = out["kabupaten_code"].fillna("")
    out.insert(0, "rank", out.groupby(key)["score"].rank(method="min", ascending=False))
    out["rank"] = out["rank"].astype(np.int64)
    out = out.assign(_k=key).sort_values(["_k", "rank", "code"], kind="stable")
    return out.drop(columns="_k").reset_index(drop=True)


def _cells_and_units(
    cells: pd.DataFrame, base: _UnitLevel, own: gpd.GeoDataFrame | None, settings: Settings
) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Return the cell table without geometry, its ``<base>_code`` filled, and the units.

    Without own boundaries the units are the pack's and the cells keep their unit
    columns; with them each cell is assigned afresh from its ``hex_id``.
    """
    frame = pd.DataFrame(cells.drop(columns="geometry", errors="ignore"))
    if own is None:
        from kamtibmas_geo.boundaries._pack import load_boundaries

        kab = frame["kabupaten_code"] if "kabupaten_code" in frame else frame[f"{base}_code"]
        codes = sorted({str(c)[:5] for c in kab.dropna()})
        return frame, load_boundaries(base, codes or None, settings=settings)
    from kamtibmas_geo.grid._cells import cell_units
    from kamtibmas_geo.grid._units import own_level

    units = own_level(own, base)
    got = cell_units(frame["hex_id"].astype(str), boundaries=own, settings=settings)
    frame[f"{base}_code"] = got[f"{base}_code"].to_numpy()
    return frame, units


def _sum_by_unit(frame: pd.DataFrame, area: pd.Series, names: pd.Series) -> pd.DataFrame:
    """Sum the cells of each unit (``code``) and add the unit's means and rates per km²."""
    sums = [c for c in frame.columns if c.startswith("n_") and c != "n_cells"]
    sums += ["score", "coverage_gap"]
    frame["n_hot"] = (frame["gi_bin"] > 0).astype(int) if "gi_bin" in frame else 0
    grouped = frame.groupby("code", sort=True)
    out = grouped[[*sums, "n_hot"]].sum()
    out.insert(0, "n_cells", grouped.size())
    out.insert(0, "area_km2", area.reindex(out.index).to_numpy())
    out.insert(0, "name", names.reindex(out.index).to_numpy())
    out["score_mean"] = out["score"] / out["n_cells"]
    out["coverage_gap_mean"] = out["coverage_gap"] / out["n_cells"]
    with np.errstate(divide="ignore", invalid="ignore"):
        if "n_incidents" in out:
            out["incidents_per_km2"] = out["n_incidents"] / out["area_km2"]
        out["score_per_km2"] = out["score"] / out["area_km2"]
    return out


def _add_population(
    out: pd.DataFrame, units: gpd.GeoDataFrame, own: gpd.GeoDataFrame | None
) -> None:
    """Add each kabupaten's population (none with own boundaries) and incidents per 10,000."""
    pop = pd.Series(
        units["population"].to_numpy() if own is None else np.nan,
        index=units["code"].astype(str).to_numpy(),
    )
    out["population"] = pop.reindex(out.index).to_numpy()
    if "n_incidents" in out:
        with np.errstate(divide="ignore", invalid="ignore"):
            out["incidents_per_10k"] = out["n_incidents"] / out["population"] * 1e4
