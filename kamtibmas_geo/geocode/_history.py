"""Kecamatan history as data: splits and renames, each with its source.

Writers keep using a kecamatan's old name, or the kecamatan a desa belonged to before a
split, for years. The gazetteer reads both: a **split** lets an address naming the parent
kecamatan match the desa now in the kecamatan carved out of it (the parent *covers* the
child); a **rename** makes the old name a name of the kecamatan.

Only units of loaded regions are used (a row whose codes are not in the boundary pack is
skipped), so the table can list regions that are not loaded yet.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KECAMATAN_HISTORY", "KecamatanChange"]


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
        When (as the source gives it).
    source : str
        Where the fact is stated.
    """

    kind: str
    old_code: str
    new_code: str
    old_name: str
    year: str
    source: str


_OKI_HISTORY = (
    "https://kemenagokisumsel.blogspot.com/2011/05/sejarah-kabupaten-oki-era-penjajahan.html"
)
_OKI_HISTORY_2014 = "https://kemenagokisumsel.blogspot.com/2014/09/sejarah-kabupaten-oki.html"
_OKI_PERDA_2005 = (
    "Perda Kab. OKI No. 5/2005 (six new kecamatan), cited by " + _OKI_HISTORY + "; the stored "
    "copy cuts the list off, the parent is the one whose name the new kecamatan carries"
)
_OKI_PERDA_2005_ADJ = (
    "Perda Kab. OKI No. 5/2005 (codes 16.02.19-24 are its six kecamatan); parent NOT stated "
    "in a stored source: the neighbouring kecamatan the area was part of (to be confirmed)"
)
_OKI_WIKI = (
    "https://m.wiki-indonesia.club/w/index.php?oldid=6528061&title=Kabupaten_Ogan_Komering_Ilir"
)
_PLG_PERDA_2007 = (
    "Perda Kota Palembang No. 20/2007 tentang Pembentukan Kecamatan Alang-Alang Lebar dan "
    "Kecamatan Sematang Borang (https://docplayer.info/amp/45716193-presiden-republik-"
    "indonesia.html lists it)"
)
_PLG_2017 = (
    "Perda Kota Palembang 2017 (pemekaran Jakabaring, Ilir Timur Tiga); kept from the v1 table"
)

#: Every known change, oldest first within each kabupaten/kota.
KECAMATAN_HISTORY: tuple[KecamatanChange, ...] = (
    # Kabupaten Ogan Komering Ilir (16.02)
    KecamatanChange("split", "16.02.04", "16.02.15", "Mesuji", "2001", _OKI_HISTORY),
    KecamatanChange(
        "rename", "16.02.15", "16.02.15", "Pematang Panggang", "2001", _OKI_HISTORY_2014
    ),
    KecamatanChange("split", "16.02.11", "16.02.18", "Tulung Selapan", "2001", _OKI_HISTORY),
    KecamatanChange("split", "16.02.08", "16.02.17", "Sirah Pulau Padang", "2001", _OKI_HISTORY),
    KecamatanChange("split", "16.02.13", "16.02.22", "Lempuing", "2005", _OKI_PERDA_2005),
    KecamatanChange("split", "16.02.04", "16.02.20", "Mesuji", "2005", _OKI_PERDA_2005),
    KecamatanChange("split", "16.02.04", "16.02.21", "Mesuji", "2005", _OKI_PERDA_2005),
    KecamatanChange("split", "16.02.03", "16.02.24", "Pedamaran", "2005", _OKI_PERDA_2005),
    KecamatanChange("split", "16.02.02", "16.02.23", "Tanjung Lubuk", "2005", _OKI_PERDA_2005_ADJ),
    KecamatanChange("split", "16.02.12", "16.02.19", "Pampangan", "2005", _OKI_PERDA_2005_ADJ),
    KecamatanChange("rename", "16.02.05", "16.02.05", "Kota Kayu Agung", "-", _OKI_WIKI),
    # Kota Palembang (16.71)
    KecamatanChange("split", "16.71.01", "16.71.12", "Ilir Barat Dua", "-", _PLG_2017),
    KecamatanChange("split", "16.71.07", "16.71.15", "Sukarami", "2007", _PLG_PERDA_2007),
    KecamatanChange("split", "16.71.08", "16.71.16", "Sako", "2007", _PLG_PERDA_2007),
    KecamatanChange("split", "16.71.02", "16.71.17", "Seberang Ulu Satu", "2017", _PLG_2017),
    KecamatanChange("split", "16.71.06", "16.71.18", "Ilir Timur Dua", "2017", _PLG_2017),
)


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
