"""One frozen settings object for the whole pipeline.

:class:`Settings` is passed explicitly to the functions that need it; there is no
module-level mutable state. Load it from TOML with :meth:`Settings.from_toml`, or
build it from keyword arguments. Unknown keys are rejected.

Examples
--------
>>> s = Settings(res=8, lang="en")
>>> s.res, s.lang
(8, 'en')
>>> s.replace(res=7).res
7
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from kamtibmas_geo._errors import SettingsError

__all__ = ["Language", "Settings", "env_folder"]

MESSAGES = {
    "number": {
        "id": "Pengaturan {name!r} harus angka >= 0, bukan {value!r}.",
        "en": "Setting {name!r} must be a number >= 0, got {value!r}.",
    },
    "whole": {
        "id": "Pengaturan {name!r} harus bilangan bulat >= 0, bukan {value!r}.",
        "en": "Setting {name!r} must be a whole number >= 0, got {value!r}.",
    },
    "alpha": {
        "id": "Pengaturan 'fdr_alpha' harus di antara 0 dan 1, bukan {value!r}.",
        "en": "Setting 'fdr_alpha' must lie between 0 and 1, got {value!r}.",
    },
    "unknown": {
        "id": "Pengaturan {names} tidak dikenal; yang dikenal: {known}.",
        "en": "Unknown setting(s) {names}; known settings are: {known}.",
    },
    "no_file": {
        "id": "Berkas pengaturan {path!r} tidak ada; periksa jalurnya.",
        "en": "Settings file {path!r} does not exist.",
    },
    "bad_toml": {
        "id": "Berkas pengaturan {path!r} bukan TOML yang sah (baris {line}, posisi {col}); "
        "periksa tanda kutip, kurung dan tanda sama dengan di sana.",
        "en": "Settings file {path!r} is not valid TOML (line {line}, column {col}): {exc}.",
    },
    "not_table": {
        "id": "Berkas pengaturan {path!r}: [kamtibmas_geo] harus berupa tabel.",
        "en": "Settings file {path!r}: [kamtibmas_geo] must be a table.",
    },
}

Language = Literal["id", "en"]


def _working_folder() -> Path | None:
    try:
        return Path.cwd()
    except OSError:  # the folder was deleted under the process
        return None


#: The working folder when this module was first imported. A relative folder in
#: ``KAMTIBMAS_GEO_SOURCE`` or ``KAMTIBMAS_GEO_CACHE`` means a folder relative to where the
#: program was started (as the shell meant it), whatever folder it changes to later.
_STARTED_IN = _working_folder()


def env_folder(name: str) -> Path | None:
    """Return the folder an environment variable names, a relative one resolved once.

    A relative value (``KAMTIBMAS_GEO_SOURCE=../shared/data``) is taken relative to the
    folder the program was started in (when :mod:`kamtibmas_geo.config` was imported),
    not to the folder it is in when the variable is read, so a script or test that
    changes folder still finds the data.

    Parameters
    ----------
    name : str
        The variable (``KAMTIBMAS_GEO_SOURCE`` or ``KAMTIBMAS_GEO_CACHE``).

    Returns
    -------
    Path or None
        An absolute path, or ``None`` when the variable is unset or empty.

    Examples
    --------
    >>> env_folder("KAMTIBMAS_GEO_NO_SUCH_VARIABLE") is None
    True
    """
    value = os.environ.get(name) or None
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute() and _STARTED_IN is not None:
        path = _STARTED_IN / path
    return Path(os.path.normpath(path))


@dataclass(frozen=True, slots=True)
class Settings:
    """Settings of the kamtibmas_geo pipeline.

    Parameters
    ----------
    res : int
        H3 resolution of the analysis grid, 0-15. Resolution 9 cells are about
        0.1 km² (edge ~200 m), resolution 8 about 0.74 km², resolution 7 about 5.2 km².
    lang : {"id", "en"}
        Language of labels, legends, reasons and CLI messages shown to people.
        Bahasa Indonesia (``"id"``) by default.
    source : str or None
        Where the upstream boundary files come from: a local directory holding a
        verbatim copy of them (same layout as upstream), or ``None`` to use the
        ``KAMTIBMAS_GEO_SOURCE`` environment variable, falling back to a verified
        download of the pinned files.
    cache_dir : str or None
        Directory of the built boundary pack and downloaded files; ``None`` uses the
        ``KAMTIBMAS_GEO_CACHE`` environment variable or the platform's user cache.
    timezone : str
        Time zone of times written without one. OKI and Palembang are on WIB.
    half_life_days : float
        Half-life of the exponential time decay of past incidents, in days.
        ``0`` switches decay off.
    seasonal_prior : float
        Pseudo-count of the shrinkage of each type's seasonal uplift towards 1:
        a type with few incidents keeps an uplift near 1.
    smoothing_k : int
        Number of H3 rings of the spatial smoothing kernel (``0`` switches it off).
    gi_k : int
        Number of H3 rings in the Getis-Ord Gi* neighbourhood (the cell itself
        included, as Gi* requires).
    gi_weights : {"binary", "row"}
        Binary or row-standardised weights for Gi*.
    gi_inference : {"count", "permutation"}
        ``"count"`` (default) draws the null by redistributing the observed incidents
        over cells in proportion to exposure; ``"permutation"`` is the conditional
        permutation test of esda.
    permutations : int
        Number of Monte Carlo draws for Gi* pseudo p-values.
    fdr_alpha : float
        False discovery rate level of the Benjamini-Hochberg correction.
    seed : int
        Seed of every random draw; the same inputs and seed give the same outputs.
    calendar_method : {"kemenag", "muhammadiyah", "ummalqura"}
        Which Ramadhan and Idul Fitri dates to use.
    radius_m : float
        Coverage radius of a Poskamling, in metres.
    public_min_count : int
        In public maps, cells with fewer incidents than this are suppressed.
    """

    res: int = 9
    lang: Language = "id"
    source: str | None = None
    cache_dir: str | None = None
    timezone: str = "Asia/Jakarta"
    half_life_days: float = 365.0
    seasonal_prior: float = 20.0
    smoothing_k: int = 1
    gi_k: int = 1
    gi_weights: Literal["binary", "row"] = "binary"
    gi_inference: Literal["count", "permutation"] = "count"
    permutations: int = 999
    fdr_alpha: float = 0.05
    seed: int = 0
    calendar_method: Literal["kemenag", "muhammadiyah", "ummalqura"] = "kemenag"
    radius_m: float = 500.0
    public_min_count: int = 5

    def __post_init__(self) -> None:
        from kamtibmas_geo._validate import check_choice, check_res

        check_res(self.res)
        check_choice("lang", self.lang, ("id", "en"))
        check_choice("gi_weights", self.gi_weights, ("binary", "row"))
        check_choice("gi_inference", self.gi_inference, ("count", "permutation"))
        check_choice(
            "calendar_method", self.calendar_method, ("kemenag", "muhammadiyah", "ummalqura")
        )
        for name in ("half_life_days", "seasonal_prior", "radius_m"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise SettingsError.say(MESSAGES, "number", name=name, value=value)
        for name in ("smoothing_k", "gi_k", "permutations", "public_min_count", "seed"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise SettingsError.say(MESSAGES, "whole", name=name, value=value)
        if not 0 < self.fdr_alpha < 1:
            raise SettingsError.say(MESSAGES, "alpha", value=self.fdr_alpha)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Settings:
        """Build settings from a mapping, rejecting unknown keys.

        Parameters
        ----------
        values : dict
            Setting names and values.

        Returns
        -------
        Settings
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise SettingsError.say(
                MESSAGES,
                "unknown",
                names=", ".join(map(repr, unknown)),
                known=", ".join(sorted(known)),
            )
        return cls(**values)

    @classmethod
    def from_toml(cls, path: str | Path) -> Settings:
        """Load settings from a TOML file.

        The keys may stand at the top level or under a ``[kamtibmas_geo]`` table.

        Parameters
        ----------
        path : str or Path
            The TOML file.

        Returns
        -------
        Settings
        """
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError.say(MESSAGES, "no_file", path=str(p)) from None
        except tomllib.TOMLDecodeError as exc:
            where = re.search(r"line (\d+), column (\d+)", str(exc))
            line, col = where.groups() if where else ("?", "?")
            raise SettingsError.say(
                MESSAGES, "bad_toml", path=str(p), exc=exc, line=line, col=col
            ) from None
        table = data.get("kamtibmas_geo", data)
        if not isinstance(table, dict):
            raise SettingsError.say(MESSAGES, "not_table", path=str(p))
        return cls.from_dict(table)

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some settings changed (validated again).

        Parameters
        ----------
        **changes
            Setting names and their new values.

        Returns
        -------
        Settings
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
