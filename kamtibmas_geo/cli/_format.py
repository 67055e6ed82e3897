"""Numbers as people write them in the command's language, shared by every command.

Indonesian groups thousands with ``.`` and writes decimals with ``,`` (``1.234,5``);
English writes ``1,234.5``. A value that is not known (NaN) is written ``-``, never ``nan``.
"""

import math
from collections.abc import Iterable

from kamtibmas_geo.config import Language

__all__ = ["count", "interval", "num", "share"]


def _missing(value: float) -> bool:
    """Return whether ``value`` is not a number people can read (None or NaN)."""
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def num(value: float, digits: int, lg: Language) -> str:
    """Return ``value`` with ``digits`` decimals, grouped as people write it in ``lg``.

    Parameters
    ----------
    value : float
        The number; NaN or None is written ``-``.
    digits : int
        Decimals to show.
    lg : {"id", "en"}
        Language of the command.

    Returns
    -------
    str

    Examples
    --------
    >>> num(1234.5, 1, "id"), num(1234.5, 1, "en"), num(float("nan"), 1, "id")
    ('1.234,5', '1,234.5', '-')
    """
    if _missing(value):
        return "-"
    text = f"{float(value):,.{digits}f}"
    return text.translate(str.maketrans(",.", ".,")) if lg == "id" else text


def count(value: float, lg: Language) -> str:
    """Return a whole count grouped as people write it (``3.352`` / ``3,352``).

    Examples
    --------
    >>> count(157459, "id"), count(157459, "en")
    ('157.459', '157,459')
    """
    return num(value, 0, lg)


def share(value: float, digits: int, lg: Language) -> str:
    """Return a share (0..1) as a percentage (``48,7%``); ``-`` where it is unknown.

    Examples
    --------
    >>> share(0.487, 1, "id"), share(0.487, 1, "en")
    ('48,7%', '48.7%')
    """
    if _missing(value):
        return "-"
    return f"{num(100 * float(value), digits, lg)}%"


def interval(
    values: Iterable[float], lg: Language, *, percent: bool = False, digits: int = 1
) -> str:
    """Return an interval ``low–high`` (``-`` where either end is unknown).

    Examples
    --------
    >>> interval((0.1, 0.25), "id", percent=True), interval((1.5, 2.0), "en")
    ('10,0–25,0', '1.5–2.0')
    """
    low, high = (float("nan") if _missing(v) else float(v) for v in values)
    if math.isnan(low) or math.isnan(high):
        return "-"
    scale = 100 if percent else 1
    return f"{num(scale * low, digits, lg)}–{num(scale * high, digits, lg)}"
