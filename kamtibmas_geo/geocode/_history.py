"""Kecamatan history as data: splits and renames, each with its source.

Writers keep using a kecamatan's old name, or the kecamatan a desa belonged to before a
split, for years. The gazetteer reads both: a **split** lets an address naming the parent
kecamatan match the desa now in the kecamatan carved out of it (the parent *covers* the
child); a **rename** makes the old name a name of the kecamatan.

The table is the package file ``kamtibmas_geo/data/kecamatan_history.csv`` (one row a
change: ``kind, old_code, new_code, old_name, year, source, evidence``), for the
kabupaten/kota of Sumatera Selatan where a public source states the change; see
``docs/geocode.md`` (*Sejarah kecamatan*) for what it holds and what it lacks. Only units of
loaded regions are used (a row whose codes are not in the boundary pack is skipped), so the
table can list regions that are not loaded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

__all__ = ["KECAMATAN_HISTORY", "KecamatanChange", "load_history"]


@dataclass(frozen=True, slots=True)
class KecamatanChange:
    """One change of the kecamatan map.

    Attributes
    ----------
    kind : {"split", "rename"}
        ``split``: ``new_code`` was carved out of ``old_code``. ``rename``: ``old_name``
        is a former name of ``new_code`` (``old_code`` equals ``new_code``).
    old_code, new_code : str
        Kemendagri codes.
    old_name : str
        The name writers may still use (for a split, the parent's name).
    year : str
        When (as the source gives it; ``-`` when it gives none).
    source : str
        Where the fact is stated (a page address or a citation).
    evidence : str
        What the source says, quoted or paraphrased (empty when ``source`` says it).
    """

    kind: str
    old_code: str
    new_code: str
    old_name: str
    year: str
    source: str
    evidence: str = ""


_COLUMNS = ("kind", "old_code", "new_code", "old_name", "year", "source", "evidence")


def load_history() -> tuple[KecamatanChange, ...]:
    """Read the packaged table of kecamatan splits and renames.

    Returns
    -------
    tuple of KecamatanChange
        In the order of the file (by kabupaten, then parent).

    Raises
    ------
    ValueError
        If the packaged file lacks a column or holds an unknown kind (a broken install).
    """
    text = resources.files("kamtibmas_geo").joinpath("data/kecamatan_history.csv")
    rows = list(csv.DictReader(io.StringIO(text.read_text("utf-8"))))
    if rows and set(_COLUMNS) - set(rows[0]):
        raise ValueError(f"kecamatan_history.csv lacks columns {set(_COLUMNS) - set(rows[0])}")
    out = tuple(KecamatanChange(*(row[c] for c in _COLUMNS)) for row in rows)
    bad = [ch for ch in out if ch.kind not in {"split", "rename"} or not ch.source]
    if bad:
        raise ValueError(f"kecamatan_history.csv: rows without kind or source: {bad[:3]}")
    return out


#: Every known change (the packaged table, read once at import).
KECAMATAN_HISTORY: tuple[KecamatanChange, ...] = load_history()


def covers(codes: set[str]) -> dict[str, frozenset[str]]:
    """Return kecamatan code -> the codes an address naming it may mean (itself, later splits).

    Parameters
    ----------
    codes : set of str
        The kecamatan codes of the loaded regions.

    Returns
    -------
    dict
        Splits are followed transitively (a split of a split is covered too).
    """
    children: dict[str, set[str]] = {}
    for ch in KECAMATAN_HISTORY:
        if ch.kind == "split" and ch.old_code in codes and ch.new_code in codes:
            children.setdefault(ch.old_code, set()).add(ch.new_code)
    out: dict[str, frozenset[str]] = {}
    for code in sorted(codes):
        seen, todo = {code}, [code]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        out[code] = frozenset(seen)
    return out


def old_names(codes: set[str]) -> dict[str, set[str]]:
    """Return kecamatan code -> its former names (renames only) among ``codes``."""
    out: dict[str, set[str]] = {}
    for ch in KECAMATAN_HISTORY:
        if ch.kind == "rename" and ch.new_code in codes:
            out.setdefault(ch.new_code, set()).add(ch.old_name)
    return out
