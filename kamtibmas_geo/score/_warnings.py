"""Warnings of the score stage that carry their text in Indonesian and English.

Like :meth:`~kamtibmas_geo.KamtibmasGeoError.say`, each warning is made from a message
key: ``str(warning)`` is Indonesian, :meth:`LocalWarning.text` gives English on request
(the command line prints it in the language of ``--lang``).
"""

from __future__ import annotations

from typing import Any, Self

from kamtibmas_geo._i18n import Messages, tr

__all__ = ["LocalWarning", "SmallSampleWarning", "SparseInferenceWarning"]


class LocalWarning(UserWarning):
    """A warning whose text exists in Indonesian (``str``) and English (:meth:`text`)."""

    _messages: Messages | None = None
    _key: str = ""
    _values: dict[str, Any]

    @classmethod
    def say(cls, messages: Messages, key: str, /, **values: Any) -> Self:
        """Make the warning from message ``key`` of ``messages``.

        Parameters
        ----------
        messages : mapping
            ``{key: {"id": ..., "en": ...}}``.
        key : str
            The message.
        **values
            Values for the message's placeholders.

        Returns
        -------
        LocalWarning
        """
        warning = cls(tr(messages, key, "id", **values))
        warning._messages, warning._key, warning._values = messages, key, values
        return warning

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

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the message table, so workers' warnings keep both languages."""
        return (_remake, (type(self), self._messages, self._key, getattr(self, "_values", {})))


def _remake(cls: type[LocalWarning], messages: Messages | None, key: str, values: Any) -> Any:
    if messages is None:
        return cls(key)
    return cls.say(messages, key, **values)


class SmallSampleWarning(LocalWarning):
    """A jurisdiction has fewer incidents than hot-spot statistics need (30, as ArcGIS says).

    Issued by :func:`~kamtibmas_geo.score.score_hotspots`; the result also says it in
    ``attrs["score"]["regions"][code]["small_sample"]`` and in the column
    ``small_sample`` of every cell of that jurisdiction, so a map can show it.
    """


class SparseInferenceWarning(LocalWarning):
    """The permutation inference of Gi* was used on sparse counts.

    The conditional permutation null (esda's) treats cell values as exchangeable and
    ignores cell areas. With mostly-zero incident counts nearly every draw ties with an
    empty neighbourhood: esda's folded one-sided p-value counts those ties as extreme and
    flags thousands of empty cells on pure noise. The two-sided p-value used here does not,
    but the count null (``gi_inference="count"``, the default) is the exact test for
    incident counts.
    """
