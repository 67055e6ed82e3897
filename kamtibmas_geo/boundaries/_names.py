"""Names of desa/kelurahan as staff write them: numerals instead of number words.

Kemendagri writes Palembang's numbered kelurahan in words (``"Sembilan-belas Ilir"``,
``"Dua-puluh Ilir Empat"``, ``"Tiga Empat Ulu"``); staff, the press and every signboard write
``"19 Ilir"``, ``"20 Ilir D IV"``, ``"3-4 Ulu"``. :func:`display_name` gives that form, for
labels, tooltips, patrol stop lists and exports, always beside the official name.
"""

from __future__ import annotations

import re

__all__ = ["display_name", "kecamatan_display_name"]

_UNITS = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}
_PREFIXES = (
    "Talang",
    "Sungai",
    "Bukit",
    "Kebun",
    "Kemang",
    "Lorok",
    "Siring",
    "Lawang",
    "Sekip",
    "Tangga",
    "Kuto",
    "Bagus",
    "Ogan",
    "Karang",
    "Kepandean",
    "Lebung",
    "Demang",
    "Plaju",
    "Pipa",
    "Tuan",
    "Sako",
    "Sila",
    "Sematang",
)


def _number(words: list[str]) -> int | None:
    """Read an Indonesian number of up to two digits written in words (``dua puluh enam``)."""
    total, current = 0, 0
    for w in words:
        if current and (w in _UNITS or w in ("sepuluh", "sebelas")):
            return None  # two numbers in a row ("tiga empat") are a pair, not a sum
        if w in _UNITS:
            current += _UNITS[w]
        elif w == "sepuluh":
            current += 10
        elif w == "sebelas":
            current += 11
        elif w == "belas":
            current += 10
        elif w == "puluh":
            current = (current or 1) * 10
            total += current
            current = 0
        else:
            return None
    value = total + current
    return value or None


def display_name(name: str) -> str:
    """Write a Kemendagri village name the way people do.

    Numbers in words become digits with a ``D`` (*darat*) and a Roman numeral for the
    part, pairs of numbers are joined (``3-4 Ulu``, ``9/10 Ulu``), and compound names are
    split at a known first word (``Talangbetutu`` → ``Talang Betutu``).

    Parameters
    ----------
    name : str
        The official name, e.g. ``"Dua-puluh Ilir Empat"``.

    Returns
    -------
    str
        E.g. ``"20 Ilir D IV"``.

    Examples
    --------
    >>> display_name("Dua-puluh Ilir Empat")
    '20 Ilir D IV'
    >>> display_name("Tiga Empat Ulu")
    '3-4 Ulu'
    >>> display_name("Sembilan Sepuluh Ulu")
    '9/10 Ulu'
    >>> display_name("Talangbetutu")
    'Talang Betutu'
    """
    m = re.fullmatch(r"(.+?) (Ilir|Ulu)(?: (\w+))?", name)
    if m:
        words = m.group(1).lower().replace("-", " ").split()
        n = _number(words)
        if n is None and len(words) == 2:
            a, b = _number(words[:1]), _number(words[1:])
            if a is not None and b is not None:
                sep = "/" if b >= 10 else "-"
                return f"{a}{sep}{b} {m.group(2)}"
        if n is not None:
            out = f"{n} {m.group(2)}"
            part = _number([m.group(3).lower()]) if m.group(3) else None
            if part is not None:
                out += f" D {_ROMAN.get(part, str(part))}"
            return out
    flat = name.replace("-", " ")
    for prefix in _PREFIXES:
        if flat.startswith(prefix) and len(flat) > len(prefix) + 2 and flat[len(prefix)] != " ":
            return f"{prefix} {flat[len(prefix)].upper()}{flat[len(prefix) + 1 :]}"
    return flat


def kecamatan_display_name(name: str) -> str:
    """Write a Kemendagri kecamatan name the way staff and Polsek signboards do.

    A trailing number word becomes a Roman numeral (``"Ilir Timur Satu"`` →
    ``"Ilir Timur I"``, as in *Polsek Ilir Timur I*); other names are written as by
    :func:`display_name`.

    Parameters
    ----------
    name : str
        The official kecamatan name.

    Returns
    -------
    str

    Examples
    --------
    >>> kecamatan_display_name("Seberang Ulu Dua")
    'Seberang Ulu II'
    >>> kecamatan_display_name("Sematangborang")
    'Sematang Borang'
    >>> kecamatan_display_name("Alang-alang Lebar")
    'Alang-Alang Lebar'
    """
    words = name.split()
    if len(words) >= 2:
        number = _UNITS.get(words[-1].lower())
        if number is not None and number in _ROMAN:
            return " ".join([*words[:-1], _ROMAN[number]])
    if "-" in name:  # "Alang-alang Lebar" is written "Alang-Alang Lebar"
        return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))
    return display_name(name)
