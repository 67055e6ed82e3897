"""Text of the synthetic sample data: how people write places, dates, coordinates and names.

Private helpers of :mod:`kamtibmas_geo.sample._sample`. Every function that draws takes a
:class:`numpy.random.Generator`, so the text is as reproducible as the numbers.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from kamtibmas_geo.boundaries._names import display_name as people_desa_name

__all__ = [
    "MONTHS_ID",
    "dms",
    "fake_name",
    "fake_phone",
    "format_date",
    "kecamatan_forms",
    "people_desa_name",
]

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

_KEC_FORMS = {
    "Ilir Timur Satu": ("IT I", "Ilir Timur 1", "Ilir Timur I"),
    "Ilir Timur Dua": ("IT II", "Ilir Timur 2", "Ilir Timur II"),
    "Ilir Timur Tiga": ("IT III", "Ilir Timur 3", "Ilir Timur III"),
    "Ilir Barat Satu": ("IB I", "Ilir Barat 1", "Ilir Barat I"),
    "Ilir Barat Dua": ("IB II", "Ilir Barat 2", "Ilir Barat II"),
    "Seberang Ulu Satu": ("SU I", "Seberang Ulu 1", "Seberang Ulu I"),
    "Seberang Ulu Dua": ("SU II", "Seberang Ulu 2", "Seberang Ulu II"),
    "Sukarami": ("Sukarame", "Sukarami"),
    "Bukitkecil": ("Bukit Kecil",),
    "Sematangborang": ("Sematang Borang",),
    "Alang-alang Lebar": ("Alang Alang Lebar", "AAL"),
    "Kayu Agung": ("Kayuagung", "Kayu Agung"),
    "Sirah Pulau Padang": ("SP Padang", "Sirah Pulau Padang"),
}

#: Kecamatan formed recently, still written under the name of the kecamatan they left.
OLD_KECAMATAN = {
    "Jakabaring": ("Seberang Ulu I", "SU I"),  # split from Seberang Ulu I
    "Ilir Timur Tiga": ("Ilir Timur II", "IT II"),  # split from Ilir Timur II
}


def kecamatan_forms(name: str) -> tuple[str, ...]:
    """Ways people write a kecamatan: abbreviations, digits, old names.

    Parameters
    ----------
    name : str
        The official kecamatan name.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> kecamatan_forms("Seberang Ulu Dua")
    ('SU II', 'Seberang Ulu 2', 'Seberang Ulu II')
    >>> kecamatan_forms("Jakabaring")
    ('Seberang Ulu I', 'SU I', 'Jakabaring')
    """
    if name in OLD_KECAMATAN:
        return (*OLD_KECAMATAN[name], name)
    return _KEC_FORMS.get(name, (name,))


def format_date(d: date, style: int) -> str:
    """Write a date as ``dd/mm/yyyy`` (0), ``10 Februari 2026`` (1) or ISO (2).

    Parameters
    ----------
    d : date
        The date.
    style : int
        0, 1 or 2.

    Returns
    -------
    str

    Examples
    --------
    >>> format_date(date(2026, 2, 10), 1)
    '10 Februari 2026'
    """
    if style == 0:
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == 1:
        return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"
    return d.isoformat()


def dms(value: float, *, lat: bool) -> str:
    r"""Write a coordinate in degrees, minutes, seconds with LS/LU or BT/BB.

    Parameters
    ----------
    value : float
        Decimal degrees.
    lat : bool
        ``True`` for a latitude (LU/LS), ``False`` for a longitude (BT/BB).

    Returns
    -------
    str

    Examples
    --------
    >>> dms(-2.9897, lat=True)
    '2°59\'22.9" LS'
    """
    hemi = ("LU" if value >= 0 else "LS") if lat else ("BT" if value >= 0 else "BB")
    tenths = round(abs(value) * 36000)
    deg, rest = divmod(tenths, 36000)
    minutes, sec10 = divmod(rest, 600)
    return f"{deg}°{minutes:02d}'{sec10 // 10:02d}.{sec10 % 10}\" {hemi}"


_SYLLABLES = np.array(
    ["ba", "di", "ka", "ri", "su", "to", "ma", "na", "wi", "ja", "lo", "pe", "ru", "sa", "ti"]
)


def fake_name(rng: np.random.Generator, n: int) -> list[str]:
    """Draw obviously made-up person names from syllables (``"Kabari Tosu"``).

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    n : int
        How many names.

    Returns
    -------
    list of str
    """
    idx = rng.integers(0, len(_SYLLABLES), size=(n, 5))
    three = rng.random(n) < 0.5
    out = []
    for row, long in zip(idx.tolist(), three.tolist(), strict=True):
        first = "".join(_SYLLABLES[row[: 3 if long else 2]]).capitalize()
        last = "".join(_SYLLABLES[row[3:]]).capitalize()
        out.append(f"{first} {last}")
    return out


def fake_phone(rng: np.random.Generator, n: int) -> list[str]:
    """Draw obviously fake phone numbers ``0812-0000-xxxx``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    n : int
        How many numbers.

    Returns
    -------
    list of str
    """
    return [f"0812-0000-{x:04d}" for x in rng.integers(0, 10000, size=n).tolist()]
