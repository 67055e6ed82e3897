"""Bahasa Indonesia for people, English on request: the smallest possible message helper.

Each module keeps its own messages as ``{"key": {"id": "...", "en": "..."}}`` and calls
:func:`tr`; there is no global language state.

Examples
--------
>>> msgs = {"hello": {"id": "Halo, {name}!", "en": "Hello, {name}!"}}
>>> tr(msgs, "hello", "id", name="Binmas")
'Halo, Binmas!'
>>> tr(msgs, "hello", "en", name="Binmas")
'Hello, Binmas!'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["Messages", "tr"]

Messages = Mapping[str, Mapping[str, str]]


def tr(messages: Messages, key: str, lang: str = "id", /, **values: Any) -> str:
    """Return message ``key`` in ``lang`` (falling back to Indonesian), formatted.

    Parameters
    ----------
    messages : mapping
        ``{key: {"id": text, "en": text}}``.
    key : str
        The message key.
    lang : {"id", "en"}
        Language.
    **values
        Values for the ``{placeholders}`` of the text.

    Returns
    -------
    str
    """
    entry = messages[key]
    text = entry.get(lang) or entry["id"]
    return text.format(**values) if values else text
