"""The places outside the loaded regions: every province, kabupaten/kota, kecamatan and desa.

Read at run time from the official list of codes and names (``wilayah.sql``, Kepmendagri
300.2.2-2138/2025) that the boundary pack is built from: the same pinned file, found in
the same local copy or download cache and refused unless its SHA-256 matches the manifest
(:func:`kamtibmas_geo.boundaries._sources.obtain`). Nothing derived from it is written to
the project; the parsed table lives in memory, keyed by the file's checksum.

A unit is *outside* when its code is not under a kabupaten/kota of the loaded boundary
pack; the province holding a loaded kabupaten is not outside (it names the inside too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kamtibmas_geo.config import Settings

__all__ = ["OutsideUnit", "outside_units"]

#: ``('16.02.15.2003','Sungai Ceper')`` rows of the SQL dump ('' is an escaped quote).
_ROW = re.compile(r"\('([0-9.]+)','((?:[^'\\]|\\.|'')*)'\)")

#: Code length -> level of the unit.
_LEVEL_BY_LENGTH = {2: "provinsi", 5: "kabupaten", 8: "kecamatan", 13: "desa"}


@dataclass(frozen=True, slots=True)
class OutsideUnit:
    """One official unit outside the loaded regions.

    Attributes
    ----------
    code : str
        Kemendagri code.
    name : str
        Official name (``Kabupaten``/``Kota`` prefix kept for kabupaten/kota).
    level : {"provinsi", "kabupaten", "kecamatan", "desa", "kelurahan"}
        What the unit is (desa and kelurahan told apart by the code).
    """

    code: str
    name: str
    level: str


def _level(code: str) -> str | None:
    level = _LEVEL_BY_LENGTH.get(len(code))
    if level == "desa" and code[9] == "1":
        return "kelurahan"
    return level


@lru_cache(maxsize=4)
def _parse(path: str, sha256: str) -> tuple[tuple[str, str], ...]:
    """Every (code, name) of the official list (``sha256`` keys the cache only)."""
    text = Path(path).read_text(encoding="utf-8")
    return tuple((c, n.replace("''", "'")) for c, n in _ROW.findall(text))


def outside_units(inside_kabupaten: frozenset[str], settings: Settings) -> list[OutsideUnit]:
    """Return every official unit outside the kabupaten/kota ``inside_kabupaten``.

    Parameters
    ----------
    inside_kabupaten : frozenset of str
        Codes (``"16.02"``) of the kabupaten/kota the boundary pack holds.
    settings : Settings
        Where the local copy or the download cache of the official list is.

    Returns
    -------
    list of OutsideUnit
        In code order.

    Raises
    ------
    BoundaryError, ChecksumError
        The official list is missing or is not the pinned version.
    """
    from kamtibmas_geo.boundaries._sources import cache_root, manifest, obtain, source_dir

    paths = obtain(source_dir(None, settings), cache_root(settings), settings.lang)
    sha = next(s.sha256 for s in manifest() if s.key == "names")
    inside_prov = {k[:2] for k in inside_kabupaten}
    out: list[OutsideUnit] = []
    for code, name in _parse(str(paths["names"]), sha):
        level = _level(code)
        if level is None or code[:5] in inside_kabupaten:
            continue
        if level == "provinsi" and code in inside_prov:
            continue
        out.append(OutsideUnit(code, name, level))
    return out
