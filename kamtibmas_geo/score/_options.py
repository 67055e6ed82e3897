"""The options of one scoring run, grouped in one frozen object.

:class:`ScoreOptions` holds what :func:`~kamtibmas_geo.score.score_hotspots` can switch
or override beyond its common arguments: severity weights, the parts of the score,
the past seasons of the uplift, the exposure of Gi* and the steps of the
emerging-hotspot series. Like :class:`~kamtibmas_geo.config.Settings` it is validated
when made and copied with :meth:`ScoreOptions.replace`.

Examples
--------
>>> off = ScoreOptions(decay=False, seasonal=False, smoothing=False, gi=False, emerging=False)
>>> off.replace(decay=True).decay
True
>>> ScoreOptions(trend_step="week").trend_steps
24
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np
import pandas as pd

from kamtibmas_geo._errors import ScoreError, SettingsError
from kamtibmas_geo._validate import check_choice

__all__ = ["ScoreOptions"]

MESSAGES = {
    "weights": {
        "id": "Bobot keparahan (weights=) harus angka >= 0; periksa jenis {bad}.",
        "en": "Severity weights must be numbers >= 0; check {bad!r}.",
    },
    "unknown": {
        "id": "Opsi skor {names} tidak dikenal; yang dikenal: {known}.",
        "en": "Unknown score option(s) {names}; known options are: {known}.",
    },
}


@dataclass(frozen=True, slots=True, eq=False)
class ScoreOptions:
    """Options of :func:`~kamtibmas_geo.score.score_hotspots` beyond its common arguments.

    Parameters
    ----------
    weights : dict, optional
        Severity weight per disturbance type, overriding the records' ``severity`` and
        the taxonomy's default (numbers >= 0).
    decay, seasonal, smoothing, gi, emerging : bool
        Switch each part of the score off (``False``): the part's column then repeats
        the previous one (decay, seasonal, smoothing) or holds neutral values (Gi*,
        trend). The trend needs Gi*.
    seasons : sequence of (start, end), optional
        Past target seasons for the seasonal uplift; by default the same phases in the
        30 previous Hijri years (only those inside the history count).
    exposure : Series, optional
        Exposure for the count null of Gi* (cell area by default): per ``hex_id``, or per
        desa/kelurahan code (population or households of each desa, shared equally by
        its cells; every desa of the region needs a value). Hot then means "more
        incidents than its people would bring", not "more than its area would".
    trend_step : {"month", "week"}
        Time step of the emerging-hotspot series, counted back from the target start,
        or from midnight after the last record used when the data end earlier (a
        forecast made in December for a Ramadhan in February would otherwise end its
        series with empty months and call every current hotspot historical).
    trend_steps : int
        Number of steps (ESRI asks for at least 10; fewer than 2 switch the trend off).

    Raises
    ------
    ScoreError
        If a severity weight is negative or not a number.
    SettingsError
        If ``trend_step`` is not ``"month"`` or ``"week"``.
    """

    weights: Mapping[str, float] | None = None
    decay: bool = True
    seasonal: bool = True
    smoothing: bool = True
    gi: bool = True
    emerging: bool = True
    seasons: Sequence[tuple[Any, Any]] | None = None
    exposure: pd.Series | None = None
    trend_step: Literal["month", "week"] = "month"
    trend_steps: int = 24

    def __post_init__(self) -> None:
        check_choice("trend_step", self.trend_step, ("month", "week"))
        if self.weights:
            bad = [k for k, v in self.weights.items() if not np.isfinite(v) or v < 0]
            if bad:
                raise ScoreError.say(MESSAGES, "weights", bad=bad)
            # a private copy: a caller changing their dict later cannot bypass the check
            object.__setattr__(self, "weights", dict(self.weights))

    def replace(self, **changes: Any) -> ScoreOptions:
        """Return a copy with some options changed (validated again).

        Parameters
        ----------
        **changes
            Option names and their new values.

        Returns
        -------
        ScoreOptions
        """
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise SettingsError.say(
                MESSAGES,
                "unknown",
                names=", ".join(map(repr, unknown)),
                known=", ".join(sorted(known)),
            )
        return dataclasses.replace(self, **changes)
