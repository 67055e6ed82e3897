"""The exception hierarchy of kamtibmas_geo.

Every error the library raises on purpose derives from :class:`KamtibmasGeoError`.
Each subclass also inherits a built-in exception, so callers may catch either
(``except KamtibmasGeoError`` or ``except ValueError``).
"""

from __future__ import annotations

from typing import Any, Self

from kamtibmas_geo._i18n import Messages, tr

__all__ = [
    "BoundaryError",
    "CacheRepairWarning",
    "ChecksumError",
    "DependencyError",
    "GeocodeError",
    "KamtibmasGeoError",
    "NoUnitWarning",
    "OutputError",
    "PlanError",
    "ProvisionalDateWarning",
    "RecordError",
    "RegionError",
    "ScoreError",
    "SettingsError",
]


class KamtibmasGeoError(Exception):
    """Root of every error raised on purpose by kamtibmas_geo.

    An error made with :meth:`say` carries its message in both languages: ``str(error)``
    is Indonesian (the language of the people who read it), :meth:`text` gives English
    on request, as the command line's ``--lang en`` does.
    """

    _messages: Messages | None = None
    _key: str = ""
    _values: dict[str, Any]

    @classmethod
    def say(cls, messages: Messages, key: str, /, **values: Any) -> Self:
        """Make the error from message ``key`` of ``messages`` (``{key: {"id": ..., "en": ...}}``).

        Parameters
        ----------
        messages : mapping
            The module's message table.
        key : str
            The message.
        **values
            Values for the message's placeholders.

        Returns
        -------
        KamtibmasGeoError
            The error, its text in Indonesian.
        """
        error = cls(tr(messages, key, "id", **values))
        error._messages, error._key, error._values = messages, key, values
        return error

    def text(self, lang: str = "id") -> str:
        """Return the message in ``lang`` ("id" or "en").

        Parameters
        ----------
        lang : {"id", "en"}
            Language.

        Returns
        -------
        str
        """
        if self._messages is None:
            return str(self)
        return tr(self._messages, self._key, lang, **self._values)


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


class OutputError(KamtibmasGeoError, OSError):
    """An output cannot be written: it would overwrite an input, or its folder is not writable."""


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
    source : {"mabims", "ummalqura"}
        How they were predicted: the MABIMS criteria or the Umm al-Qura calendar.
    """

    def __init__(
        self,
        message: str,
        hijri_year: int,
        start: object,
        idul_fitri: object,
        source: str = "ummalqura",
    ) -> None:
        super().__init__(message)
        self.hijri_year = hijri_year
        self.start = start
        self.idul_fitri = idul_fitri
        self.source = source

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle with every attribute (warnings cross process boundaries in workers)."""
        args = (str(self), self.hijri_year, self.start, self.idul_fitri, self.source)
        return (type(self), args)


class NoUnitWarning(UserWarning):
    """Some H3 cells lie in no desa/kelurahan, so their unit columns are empty.

    Issued by :func:`~kamtibmas_geo.score.score_hotspots` for cells outside OKI and
    Palembang (the boundary pack) or outside the ``boundaries=`` given;
    :func:`~kamtibmas_geo.score.rollup` leaves such cells out.
    """


class CacheRepairWarning(UserWarning):
    """A damaged file of the boundary pack in the cache was rebuilt from the verified upstream.

    Issued by :func:`~kamtibmas_geo.boundaries.build_pack` (and so by every function that
    loads the pack) when a file's SHA-256 no longer matches the one recorded at build time,
    a file is missing or unreadable, or ``meta.json`` is invalid.
    """
