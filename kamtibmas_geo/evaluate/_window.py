"""The target of a forecast: ``(start, end)``, with the same window in earlier years."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["Window"]


class Window(tuple[pd.Timestamp, pd.Timestamp]):
    """A forecast target ``(start, end)`` (end exclusive) that also says what kind it is.

    It is a plain pair for forecasters that only unpack ``start, end = window``, and
    carries, for those that look:

    Attributes
    ----------
    label : str
        ``"Ramadhan 1446 H"`` or ``"2026-02-01..2026-03-01"``.
    ramadhan : bool
        True when the target is a Ramadhan window (its past windows are the same phases
        of earlier Ramadhans); False for any other dates (the same dates of earlier years).
    past : tuple of (Timestamp, Timestamp)
        The same window in earlier years, newest first.

    Examples
    --------
    >>> w = Window(pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01"))
    >>> start, end = w
    >>> w.ramadhan, w.past[0][0].date().isoformat(), len(w)
    (False, '2025-02-01', 2)
    """

    label: str
    ramadhan: bool
    past: tuple[tuple[pd.Timestamp, pd.Timestamp], ...]

    def __new__(
        cls,
        start: pd.Timestamp,
        end: pd.Timestamp,
        *,
        label: str | None = None,
        ramadhan: bool = False,
        past: Sequence[tuple[Any, Any]] | None = None,
        years: int = 10,
    ) -> Window:
        """Make the window; ``past`` defaults to the same dates in ``years`` earlier years."""
        obj = super().__new__(cls, (start, end))
        obj.label = label or f"{start.date()}..{end.date()}"
        obj.ramadhan = bool(ramadhan)
        if past is None:
            past = [
                (start - pd.DateOffset(years=k), end - pd.DateOffset(years=k))
                for k in range(1, years + 1)
            ]
        obj.past = tuple((pd.Timestamp(a), pd.Timestamp(b)) for a, b in past)
        return obj

    @property
    def start(self) -> pd.Timestamp:
        """First instant of the window."""
        return self[0]

    @property
    def end(self) -> pd.Timestamp:
        """First instant after the window."""
        return self[1]


def as_window(period: Any) -> Window:
    """Return ``period`` as a :class:`Window` (a plain pair is a non-Ramadhan window)."""
    if isinstance(period, Window):
        return period
    start, end = period
    return Window(pd.Timestamp(start), pd.Timestamp(end))
