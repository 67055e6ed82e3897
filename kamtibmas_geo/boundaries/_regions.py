"""The 17 kabupaten/kota of Sumatera Selatan: codes, names, aliases and the official facts.

Every region of the province can be named by its Kemendagri code (``"16.71"``, ``"1671"``),
its official name with or without ``Kabupaten``/``Kab.``/``Kota`` (``"Kota Palembang"``,
``"Palembang"``), or the short names staff use (``"OKI"``, ``"OKU Timur"``, ``"Muba"``,
``"PALI"``, ``"Muratara"``, ``"Lubuklinggau"``). Case, spaces, dots and hyphens do not
matter. ``None`` (or ``"all"``) stands for the default study regions, OKI and Palembang,
as it always has; ``"sumsel"`` (``"Sumatera Selatan"``, ``"provinsi"``, ``"16"``) for all 17.
Several regions may be given as a list or separated by commas (``"OKI, Palembang"``).

Examples
--------
>>> resolve_region("Muara Enim")
['16.03']
>>> resolve_region(["palembang", "OKU Timur"])
['16.08', '16.71']
>>> len(resolve_region("sumsel"))
17
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kamtibmas_geo._errors import RegionError

__all__ = [
    "DEFAULT_CODES",
    "EXPECTED_COUNTS",
    "OFFICIAL_VILLAGES",
    "PROVINCE",
    "PROVINCE_CODES",
    "REGIONS",
    "RegionArg",
    "RegionFacts",
    "region_name",
    "resolve_region",
]


@dataclass(frozen=True, slots=True)
class RegionFacts:
    """One kabupaten/kota of Sumatera Selatan and the facts its pack must reproduce.

    Attributes
    ----------
    code : str
        Kemendagri code (``"16.03"``).
    name : str
        Official name (``"Kabupaten Muara Enim"``).
    key : str
        Short key of :data:`REGIONS` (``"muara_enim"``).
    n_kecamatan : int
        Official number of kecamatan.
    n_villages : int
        Official number of desa and kelurahan (Kepmendagri 2025).
    n_polygons : int
        Village polygons of the pinned upstream; fewer than ``n_villages`` in four
        regions, whose remaining villages are listed as without polygon.
    aliases : tuple of str
        Other names staff use.
    """

    code: str
    name: str
    key: str
    n_kecamatan: int
    n_villages: int
    n_polygons: int
    aliases: tuple[str, ...] = ()


#: The 17 kabupaten/kota of Sumatera Selatan (official counts of wilayah.sql, polygons of
#: the pinned wilayah_boundaries commit), by code.
PROVINCE: dict[str, RegionFacts] = {
    f.code: f
    for f in (
        RegionFacts("16.01", "Kabupaten Ogan Komering Ulu", "oku", 13, 157, 157, ("oku",)),
        RegionFacts("16.02", "Kabupaten Ogan Komering Ilir", "oki", 18, 327, 327, ("oki",)),
        RegionFacts("16.03", "Kabupaten Muara Enim", "muara_enim", 22, 256, 254, ("muaraenim",)),
        RegionFacts("16.04", "Kabupaten Lahat", "lahat", 24, 378, 378),
        RegionFacts("16.05", "Kabupaten Musi Rawas", "musi_rawas", 14, 199, 199, ("mura",)),
        RegionFacts("16.06", "Kabupaten Musi Banyuasin", "muba", 15, 242, 240, ("muba",)),
        RegionFacts("16.07", "Kabupaten Banyuasin", "banyuasin", 21, 313, 305),
        RegionFacts(
            "16.08",
            "Kabupaten Ogan Komering Ulu Timur",
            "oku_timur",
            20,
            312,
            312,
            ("okutimur", "okut"),
        ),
        RegionFacts(
            "16.09",
            "Kabupaten Ogan Komering Ulu Selatan",
            "oku_selatan",
            19,
            259,
            259,
            ("okuselatan", "okus"),
        ),
        RegionFacts("16.10", "Kabupaten Ogan Ilir", "ogan_ilir", 16, 241, 241, ("oi",)),
        RegionFacts("16.11", "Kabupaten Empat Lawang", "empat_lawang", 10, 156, 156, ("4lawang",)),
        RegionFacts("16.12", "Kabupaten Penukal Abab Lematang Ilir", "pali", 5, 71, 71, ("pali",)),
        RegionFacts("16.13", "Kabupaten Musi Rawas Utara", "muratara", 7, 89, 89, ("muratara",)),
        RegionFacts("16.71", "Kota Palembang", "palembang", 18, 107, 107, ("plg",)),
        RegionFacts("16.72", "Kota Pagar Alam", "pagar_alam", 5, 35, 35),
        RegionFacts("16.73", "Kota Lubuk Linggau", "lubuk_linggau", 8, 72, 72, ("llg",)),
        RegionFacts("16.74", "Kota Prabumulih", "prabumulih", 6, 45, 37, ("pbm",)),
    )
}

#: Short key → (Kemendagri code, official name), for all 17 kabupaten/kota.
REGIONS: dict[str, tuple[str, str]] = {f.key: (f.code, f.name) for f in PROVINCE.values()}
#: Codes of every kabupaten/kota of the province, sorted.
PROVINCE_CODES: tuple[str, ...] = tuple(sorted(PROVINCE))
#: The default study regions (``region=None``): OKI and Palembang.
DEFAULT_CODES: tuple[str, ...] = ("16.02", "16.71")
#: Facts a built pack must reproduce: code → (kecamatan, desa/kelurahan polygons).
EXPECTED_COUNTS: dict[str, tuple[int, int]] = {
    f.code: (f.n_kecamatan, f.n_polygons) for f in PROVINCE.values()
}
#: Official number of desa and kelurahan of each kabupaten/kota (with or without polygon).
OFFICIAL_VILLAGES: dict[str, int] = {f.code: f.n_villages for f in PROVINCE.values()}

#: A region argument: one kabupaten/kota (code, name or alias), several, or ``None``.
RegionArg = str | Sequence[str] | None

_DEFAULT_WORDS = ("all", "semua", "default", "bawaan")
_PROVINCE_WORDS = ("sumsel", "sumateraselatan", "provsumsel", "provinsi", "16")

MESSAGES = {
    "region": {
        "id": "Wilayah {region!r} tidak dikenal. Wilayah yang dikenal: kode atau nama "
        "kabupaten/kota Sumatera Selatan: {known}; None untuk OKI dan Palembang, 'sumsel' "
        "untuk ke-17 kabupaten/kota.",
        "en": "Unknown region {region!r}. Known regions: a code or name of a kabupaten/kota "
        "of Sumatera Selatan: {known}; None for OKI and Palembang, 'sumsel' for all 17.",
    },
}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _aliases() -> dict[str, str]:
    """Normalised spelling → code, for every region."""
    out: dict[str, str] = {}
    for f in PROVINCE.values():
        bare = re.sub(r"^(Kabupaten|Kota) ", "", f.name)
        spellings = {f.code, f.name, bare, f"Kab. {bare}", f"Kab {bare}", f.key, *f.aliases}
        if f.name.startswith("Kota"):
            spellings.add(f"Kotamadya {bare}")
        for spelling in spellings:
            out[_norm(spelling)] = f.code
    return out


_ALIASES = _aliases()


def region_name(code: str) -> str:
    """Return the official name of a kabupaten/kota code (the code itself if unknown).

    Parameters
    ----------
    code : str
        Kemendagri code, e.g. ``"16.74"``.

    Returns
    -------
    str

    Examples
    --------
    >>> region_name("16.74")
    'Kota Prabumulih'
    """
    facts = PROVINCE.get(code)
    return facts.name if facts else code


def resolve_region(region: RegionArg) -> list[str]:
    """Turn a region name or code (or several) into the kabupaten codes it stands for.

    Parameters
    ----------
    region : str, list of str or None
        A code (``"16.71"``), a name (``"Palembang"``, ``"Kota Palembang"``,
        ``"Ogan Komering Ilir"``, ``"Muara Enim"``), a short name (``"OKI"``,
        ``"Muba"``), several of them in a list or separated by commas, ``"sumsel"`` for
        all 17; ``None`` or ``"all"`` for the default regions OKI and Palembang.

    Returns
    -------
    list of str
        Kemendagri kabupaten codes, sorted, without repeats.

    Raises
    ------
    RegionError
        A name or code is not a kabupaten/kota of Sumatera Selatan.

    Examples
    --------
    >>> resolve_region("Ogan Komering Ilir")
    ['16.02']
    >>> resolve_region(None)
    ['16.02', '16.71']
    """
    if region is None:
        return list(DEFAULT_CODES)
    if not isinstance(region, str):
        codes = sorted({code for one in region for code in resolve_region(one)})
        if not codes:
            raise RegionError.say(MESSAGES, "region", region=region, known=_known())
        return codes
    if "," in region:
        return resolve_region([part for part in region.split(",") if part.strip()])
    key = _norm(region)
    if key in _DEFAULT_WORDS:
        return list(DEFAULT_CODES)
    if key in _PROVINCE_WORDS:
        return list(PROVINCE_CODES)
    code = _ALIASES.get(key) or _ALIASES.get(re.sub(r"^(kabupaten|kab|kotamadya|kota)", "", key))
    if code is None:
        raise RegionError.say(MESSAGES, "region", region=region, known=_known())
    return [code]


def _known() -> str:
    return ", ".join(f"{k!r} ({c})" for k, (c, _) in REGIONS.items())
