"""Placing geocoded records on H3 cells: points exactly, desa/kecamatan records spread.

A record with usable coordinates (``geocode_status == "coordinates"``, or a table without
that column) counts fully in the cell holding its point. A record the geocoder could
place only at a desa/kelurahan or kecamatan (``geocode_status == "matched"`` with
``region_level`` ``"desa"``/``"kecamatan"``) is spread over the cells of that unit by the
area crosswalk (``share_of_unit``): a kecamatan record adds ``share`` to each of its
cells, so totals are kept. A record matched to one of the user's landmarks
(``region_level == "landmark"``) is a point and counts fully in the landmark's cell.
Spread records count in the score as expected fractions; Gi* and the emerging hot-spot
series count points only (:func:`point_counts`).
Records placed only at kabupaten level are too vague for a cell map and are left out
(counted in the score's ``attrs``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo.config import Settings

__all__ = ["Placement", "cell_exposure", "place_records", "point_counts"]

_SPREAD_LEVELS = ("desa", "kecamatan")

MESSAGES = {
    "no_latlon": {
        "id": "Catatan tidak punya kolom 'lat'/'lon' (lintang/bujur); geokode dulu dengan "
        "kg.geocode(), atau tambahkan koordinatnya.",
        "en": "The records lack 'lat'/'lon' columns; geocode them first "
        "(kamtibmas_geo.geocode._geocode) or add coordinates.",
    },
}


@dataclass(frozen=True)
class Placement:
    """Records placed on cells: points in their cell, named units over their cells.

    A point record is one (record, cell) pair. A record known only by its desa/kelurahan
    or kecamatan points to its unit, and each unit is spread once over its cells by
    ``share_of_unit``: the pieces grow with the number of units, never with the number
    of records times the cells of their unit.

    Attributes
    ----------
    record : ndarray of int
        Position (in the input table) of each record placed as a point.
    cell : ndarray of int
        Position (in the cell list) of the cell holding that point.
    spread_record : ndarray of int
        Position of each record spread over a unit.
    spread_unit : ndarray of int
        That record's unit (position in ``unit_names``).
    unit_names : tuple of str
        ``"desa:<code>"`` / ``"kecamatan:<code>"`` of each unit.
    unit_start : ndarray of int
        Unit ``u``'s cells are ``unit_cell[unit_start[u]:unit_start[u + 1]]``.
    unit_cell : ndarray of int
        Cell positions of the units, unit after unit.
    unit_share : ndarray of float
        Share of its unit in each of those cells (sums to 1 over a unit).
    n_outside : int
        Records whose point or unit lies outside the cells.
    n_vague : int
        Records placed only at kabupaten level (left out).
    """

    record: NDArray[np.int64]
    cell: NDArray[np.int64]
    spread_record: NDArray[np.int64]
    spread_unit: NDArray[np.int64]
    unit_names: tuple[str, ...]
    unit_start: NDArray[np.int64]
    unit_cell: NDArray[np.int64]
    unit_share: NDArray[np.float64]
    n_outside: int
    n_vague: int

    @property
    def placed_records(self) -> NDArray[np.int64]:
        """Positions of every record on the cells (points and spread), sorted."""
        return distinct_positions(np.concatenate([self.record, self.spread_record]))

    def subset(self, keep: NDArray[np.bool_]) -> Placement:
        """Return the placement of the records with ``keep`` true (by input position)."""
        pts, spr = keep[self.record], keep[self.spread_record]
        return replace(
            self,
            record=self.record[pts],
            cell=self.cell[pts],
            spread_record=self.spread_record[spr],
            spread_unit=self.spread_unit[spr],
        )

    def cell_sum(self, per_record: NDArray[np.float64], n_cells: int) -> NDArray[np.float64]:
        """Sum a value of each record into the cells (spread records by their share).

        Parameters
        ----------
        per_record : ndarray of float
            One value per input record.
        n_cells : int
            Number of cells.

        Returns
        -------
        ndarray
        """
        out = np.bincount(self.cell, per_record[self.record], minlength=n_cells)
        if len(self.spread_record):
            n_units = len(self.unit_names)
            per_unit = np.bincount(
                self.spread_unit, per_record[self.spread_record], minlength=n_units
            )
            unit_of = np.repeat(np.arange(n_units), np.diff(self.unit_start))
            out = out + np.bincount(
                self.unit_cell, per_unit[unit_of] * self.unit_share, minlength=n_cells
            )
        return np.asarray(out, dtype=np.float64)


def distinct_positions(positions: NDArray[np.int64]) -> NDArray[np.int64]:
    """Return the distinct non-negative positions, sorted (a mask: linear, no hashing).

    Examples
    --------
    >>> distinct_positions(np.array([4, 1, 4, 0])).tolist()
    [0, 1, 4]
    """
    if not positions.size:
        return np.asarray(positions, dtype=np.int64)
    seen = np.zeros(int(positions.max()) + 1, dtype=bool)
    seen[positions] = True
    return np.flatnonzero(seen).astype(np.int64)


def _point_cells(frame: pd.DataFrame, rows: NDArray[np.int64], res: int) -> NDArray[np.uint64]:
    """Return the ``uint64`` H3 cell of the records ``rows`` (0 where no usable point).

    Only the coordinates of those rows are read: no copy of the records, no string per point.
    """
    if {"lat", "lon"} <= set(frame.columns):
        lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=np.float64)[rows]
        lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=np.float64)[rows]
    else:  # a GeoDataFrame of points without lat/lon columns
        geom = gpd.GeoSeries(frame.geometry.iloc[rows])
        if geom.crs is not None and geom.crs.to_epsg() != 4326:
            geom = geom.to_crs(4326)
        pts = geom.where(geom.geom_type == "Point")
        lat = pts.y.to_numpy(dtype=np.float64)
        lon = pts.x.to_numpy(dtype=np.float64)
    from kamtibmas_geo.grid._cells import cells_u64

    return cells_u64(lat, lon, res)


def _cell_ids(cells: Sequence[str]) -> pd.Index:
    """Return the analysis cells as ``uint64`` ids, in their order.

    A string that is not an H3 id as :func:`h3.int_to_str` writes it (which no point's
    cell can equal) gets the id ``k + 1`` (its position plus one): never a valid cell.
    """
    ids = np.empty(len(cells), dtype=np.uint64)
    for k, c in enumerate(cells):
        try:
            v = h3.str_to_int(c)
            ids[k] = v if h3.int_to_str(v) == c else k + 1
        except (ValueError, TypeError, OverflowError):
            ids[k] = k + 1
    return pd.Index(ids)


_EMPTY_I = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class _Spread:
    """Records spread over units, and the units over their cells (see Placement)."""

    record: NDArray[np.int64]
    unit: NDArray[np.int64]
    names: tuple[str, ...]
    start: NDArray[np.int64]
    cell: NDArray[np.int64]
    share: NDArray[np.float64]

    @classmethod
    def empty(cls) -> _Spread:
        """Return no spread records."""
        return cls(_EMPTY_I, _EMPTY_I, (), np.zeros(1, dtype=np.int64), _EMPTY_I, np.zeros(0))


def place_records(
    frame: pd.DataFrame,
    cells: Sequence[str],
    res: int,
    *,
    settings: Settings,
) -> Placement:
    """Place every record of ``frame`` on ``cells``.

    Parameters
    ----------
    frame : DataFrame
        Records with ``lat``/``lon`` and, after geocoding, ``geocode_status``,
        ``region_level``, ``region_code``.
    cells : sequence of str
        The analysis cells (sorted H3 ids at ``res``).
    res : int
        H3 resolution.
    settings : Settings
        Where the boundary pack (and crosswalk) is.

    Returns
    -------
    Placement

    Raises
    ------
    ScoreError
        If some records are points but the table has neither ``lat``/``lon`` nor a
        geometry.
    """
    spread, vague = _spread_and_vague(frame)
    points = np.flatnonzero(~spread & ~vague)
    rec, cel, n_outside = _EMPTY_I, _EMPTY_I, 0
    if len(points):
        if not {"lat", "lon"} <= set(frame.columns) and not isinstance(frame, gpd.GeoDataFrame):
            raise ScoreError.say(MESSAGES, "no_latlon")
        rec, cel, n_outside = _place_points(frame, points, cells, res)
    units = _Spread.empty()
    if spread.any():
        units, n_off = _place_spread(frame, spread, cells, res, settings)
        n_outside += n_off
    return Placement(
        rec, cel, units.record, units.unit, units.names, units.start, units.cell, units.share,
        n_outside=n_outside, n_vague=int(vague.sum()),
    )  # fmt: skip


def _spread_and_vague(frame: pd.DataFrame) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Return which records are spread over a desa/kecamatan, and which are kabupaten-only."""
    n = len(frame)
    spread = np.zeros(n, dtype=bool)
    vague = np.zeros(n, dtype=bool)
    if "geocode_status" in frame.columns and "region_level" in frame.columns:
        matched = _text_is(frame["geocode_status"], ("matched",))
        spread = matched & _text_is(frame["region_level"], _SPREAD_LEVELS)
        landmark = _text_is(frame["region_level"], ("landmark",))
        vague = matched & ~spread & ~landmark  # a landmark is a point
    return spread, vague


def _text_is(values: pd.Series, texts: Sequence[str]) -> NDArray[np.bool_]:
    """Return which values, as text, are one of ``texts`` (missing: no); no string per row."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)  # each value read once
    hit = np.array([str(v) in texts for v in distinct] + [False], dtype=bool)
    return hit[codes]  # code -1 (missing): the trailing False


def _place_points(
    frame: pd.DataFrame, points: NDArray[np.int64], cells: Sequence[str], res: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
    """Place the point records (rows ``points``) in the cells holding them.

    Returns the records placed, their cells, and the number of points outside the cells.
    """
    hexes = _point_cells(frame, points, res)
    pos = np.asarray(_cell_ids(cells).get_indexer(pd.Index(hexes)), dtype=np.int64)  # 0: -1
    keep = pos >= 0
    return points[keep], pos[keep], int((~keep).sum())


def _place_spread(
    frame: pd.DataFrame,
    spread: NDArray[np.bool_],
    cells: Sequence[str],
    res: int,
    settings: Settings,
) -> tuple[_Spread, int]:
    """Point the desa/kecamatan records to their units; spread each unit once.

    The crosswalk is that of the kabupaten/kota the records name (any of Sumatera
    Selatan), not only the default pair. Returns the spread records (desa records
    first) and the number of records whose unit has no cell among ``cells``.
    """
    records: list[NDArray[np.int64]] = []
    units: list[NDArray[np.int64]] = []
    names: list[str] = []
    cell_parts: list[NDArray[np.int64]] = []
    share_parts: list[NDArray[np.float64]] = []
    n_outside = 0
    for lev in _SPREAD_LEVELS:
        rows = np.flatnonzero(spread & _text_is(frame["region_level"], (lev,)))
        if not len(rows):
            continue
        codes = pd.Index(_texts_at(frame["region_code"], rows))
        shares = _unit_shares(codes, lev, cells, res, settings)
        known = pd.Index(list(shares))
        pos = np.asarray(known.get_indexer(codes), dtype=np.int64)
        n_outside += int((pos < 0).sum())
        records.append(rows[pos >= 0])
        units.append(pos[pos >= 0] + len(names))
        names += [f"{lev}:{code}" for code in known]
        for got in shares.values():
            cell_parts.append(got[0])
            share_parts.append(got[1])
    if not names:
        return _Spread.empty(), n_outside
    sizes = np.array([len(c) for c in cell_parts], dtype=np.int64)
    start = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(sizes)])
    spread_units = _Spread(
        np.concatenate(records), np.concatenate(units), tuple(names), start,
        np.concatenate(cell_parts), np.concatenate(share_parts),
    )  # fmt: skip
    return spread_units, n_outside


def _unit_shares(
    codes: pd.Index, level: str, cells: Sequence[str], res: int, settings: Settings
) -> dict[str, tuple[NDArray[np.int64], NDArray[np.float64]]]:
    """Return, for each unit named in ``codes`` with cells here, its cells and shares."""
    from kamtibmas_geo.boundaries import resolve_region
    from kamtibmas_geo.grid._cells import crosswalk

    region = sorted({str(code)[:5] for code in codes.unique()} & set(resolve_region("sumsel")))
    cw = crosswalk(res, region or None, level=level, settings=settings)  # type: ignore[arg-type]
    index = pd.Index(list(cells))
    cw = cw[cw["hex_id"].isin(index) & cw["code"].isin(codes.unique())]
    return {
        str(code): (
            np.asarray(index.get_indexer(pd.Index(grp["hex_id"])), dtype=np.int64),
            grp["share_of_unit"].to_numpy(dtype=np.float64) / grp["share_of_unit"].sum(),
        )
        for code, grp in cw.groupby("code", sort=False)
    }


def _texts_at(values: pd.Series, rows: NDArray[np.int64]) -> list[str]:
    """Return the values at ``rows`` as text (missing: ``""``)."""
    return values.iloc[rows].astype("string").fillna("").tolist()


def point_counts(
    placement: Placement, n_cells: int, keep: NDArray[np.bool_], step: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Whole incident counts per cell and step, of the records located as points only.

    Records known only at desa/kelurahan or kecamatan level are left out: their cell is
    unknown, and putting them as whole counts into some cells of their unit (the old
    largest-remainder apportionment) made hot cells out of a name. They count in the
    score as expected fractions (``share_of_unit``), never in Gi* or the emerging
    hot-spot series; ``attrs["score"]["n_gi_left_out"]`` says how many.

    Parameters
    ----------
    placement : Placement
        Records on cells.
    n_cells : int
        Number of cells.
    keep : ndarray of bool
        Which records (by position in the input) take part.
    step : ndarray of int
        Time step of each record (by position); ``0`` for a single step.

    Returns
    -------
    ndarray
        ``(n_cells, n_steps)`` counts, ``n_steps = step[keep].max() + 1``.
    """
    n_steps = int(step[keep].max()) + 1 if keep.any() else 1
    out = np.zeros((n_cells, n_steps))
    pts = keep[placement.record]
    np.add.at(out, (placement.cell[pts], step[placement.record[pts]]), 1.0)
    return out


def cell_exposure(cells: Sequence[str]) -> NDArray[np.float64]:
    """Area of every cell in km² (the default exposure of the count null).

    Parameters
    ----------
    cells : sequence of str
        H3 ids.

    Returns
    -------
    ndarray
    """
    return np.array([h3.cell_area(c, unit="km^2") for c in cells], dtype=np.float64)
