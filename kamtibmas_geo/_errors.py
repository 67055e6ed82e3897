"""The exception hierarchy of kamtibmas_geo.

Every error the library raises on purpose derives from :class:`KamtibmasGeoError`.
Each subclass also inherits a built-in exception, so callers may catch either
(``except KamtibmasGeoError`` or ``except ValueError``).
"""

from __future__ import annotations

__all__ = [
    "BoundaryError",
    "ChecksumError",
    "DependencyError",
    "GeocodeError",
    "KamtibmasGeoError",
    "NoUnitWarning",
    "PlanError",
    "ProvisionalDateWarning",
    "RecordError",
    "RegionError",
    "ScoreError",
    "SettingsError",
]


class KamtibmasGeoError(Exception):
    """Root of every error raised on purpose by kamtibmas_geo."""


class SettingsError(KamtibmasGeoError, ValueError):
    """A setting has a wrong name, type or value."""


class RegionError(KamtibmasGeoError, ValueError):
    """A region name or code is not known."""


class BoundaryError(KamtibmasGeoError, RuntimeError):
    """The boundary pack cannot be obtained, built, validated or loaded."""


class ChecksumError(BoundaryError):
    """A source file's SHA-256 does not match the pinned manifest."""


class RecordError(KamtibmasGeoError, ValueError):
    """An input file or table of records cannot be read as a whole."""


class GeocodeError(KamtibmasGeoError, ValueError):
    """Records cannot be geocoded (wrong input, bad landmarks file)."""


class ScoreError(KamtibmasGeoError, ValueError):
    """Hotspot scores cannot be computed from the given input or options."""


class PlanError(KamtibmasGeoError, ValueError):
    """A patrol or Poskamling plan cannot be made (empty or infeasible input)."""


class DependencyError(KamtibmasGeoError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


class ProvisionalDateWarning(UserWarning):
    """A Ramadhan date comes from the Umm al-Qura calendar, not yet from the Kemenag table.

    Attributes
    ----------
    hijri_year : int
        The Hijri year.
    start, idul_fitri : datetime.date
        1 Ramadhan and 1 Syawal used.
    """

    def __init__(self, message: str, hijri_year: int, start: object, idul_fitri: object) -> None:
        super().__init__(message)
        self.hijri_year = hijri_year
        self.start = start
        self.idul_fitri = idul_fitri

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle with every attribute (warnings cross process boundaries in workers)."""
        return (type(self), (str(self), self.hijri_year, self.start, self.idul_fitri))


class NoUnitWarning(UserWarning):
    """Some H3 cells lie in no desa/kelurahan, so their unit columns are empty.

    Issued by :func:`~kamtibmas_geo.score.score_hotspots` for cells outside OKI and
    Palembang (the boundary pack) or outside the ``boundaries=`` given;
    :func:`~kamtibmas_geo.score.rollup` leaves such cells out.
    """
