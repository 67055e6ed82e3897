"""One message catalogue, complete in both languages.

Every module keeps its messages as ``{"key": {"id": "...", "en": "..."}}`` (``MESSAGES``,
and tables of the same shape such as ``FILE_LABELS``). This test imports every module of
the package, finds every such table, and checks that each entry has a non-empty Indonesian
and English text with the same placeholders, so no person ever reads a half-translated
line or a ``KeyError`` instead of a message.

Two differences between the languages are by design: a value given in each language
(``what_id`` / ``what_en`` / ``what``: one value, its words per language), and the raw text
of a library's exception (``exc``, ``err``), which is English and shown only in English.
"""

from __future__ import annotations

import importlib
import pkgutil
import string
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

import kamtibmas_geo

_FORMATTER = string.Formatter()
#: Raw exception texts (English, from other libraries): shown in the English message only.
_ENGLISH_ONLY = frozenset({"exc", "err"})
#: Entries left empty on purpose in both languages (table, key): why.
_EMPTY_ON_PURPOSE = {
    ("kamtibmas_geo.plan._patrol.MESSAGES", "note_ok"): "a stop that needs no note",
}


def _modules() -> Iterator[Any]:
    for info in pkgutil.walk_packages(kamtibmas_geo.__path__, prefix="kamtibmas_geo."):
        yield importlib.import_module(info.name)


def _is_table(value: Any) -> bool:
    """A message table: a non-empty mapping whose values are all mappings with an "id"."""
    return (
        isinstance(value, Mapping)
        and len(value) > 0
        and all(isinstance(v, Mapping) and "id" in v for v in value.values())
    )


def _tables() -> dict[str, Mapping[str, Mapping[str, str]]]:
    found: dict[str, Mapping[str, Mapping[str, str]]] = {}
    seen: set[int] = set()
    for module in _modules():
        for name, value in vars(module).items():
            if _is_table(value) and id(value) not in seen:
                seen.add(id(value))
                found[f"{module.__name__}.{name}"] = value
    return found


TABLES = _tables()


def _fields(text: str) -> set[str]:
    """The placeholder names of a format string (``{n:,}`` → ``n``)."""
    names = set()
    for _, field, _, _ in _FORMATTER.parse(text):
        if field is not None:
            names.add(field.split(".")[0].split("[")[0].split("!")[0])
    return names


def _values(text: str) -> set[str]:
    """The values a message needs: placeholders, one name for a value given per language."""
    return {n.removesuffix("_id").removesuffix("_en") for n in _fields(text)}


def _same_values(id_text: str, en_text: str) -> bool:
    """Both texts need the same values; a raw exception may show in English only."""
    ids, ens = _values(id_text), _values(en_text)
    return ids - _ENGLISH_ONLY == ens - _ENGLISH_ONLY and ids & _ENGLISH_ONLY <= ens


def test_the_catalogue_is_found_in_every_stage() -> None:
    stages = {name.split(".")[1] for name in TABLES}
    # the records, geocoder, planner, map, command line and demo all speak to people
    for stage in ("records", "geocode", "plan", "render", "cli", "demo", "config"):
        assert stage in stages, sorted(stages)
    assert sum(len(t) for t in TABLES.values()) > 300


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_message_has_both_languages_with_the_same_placeholders(name: str) -> None:
    problems = []
    for key, entry in TABLES[name].items():
        id_text, en_text = entry.get("id"), entry.get("en")
        if (name, key) in _EMPTY_ON_PURPOSE and id_text == en_text == "":
            continue
        if not isinstance(id_text, str) or not id_text.strip():
            problems.append(f"{key}: no Indonesian text")
            continue
        if not isinstance(en_text, str) or not en_text.strip():
            problems.append(f"{key}: no English text")
            continue
        if not _same_values(id_text, en_text):
            problems.append(f"{key}: id {_fields(id_text)} != en {_fields(en_text)}")
        if set(entry) - {"id", "en"}:
            problems.append(f"{key}: unknown languages {set(entry) - {'id', 'en'}}")
    assert not problems, "\n".join(problems)


def test_a_broken_table_is_caught() -> None:
    # the check itself can fail: a message missing English, and one whose placeholders differ
    assert _is_table({"k": {"id": "Halo {nama}"}})
    assert _fields("Halo {nama}, {n:,} baris; {x!r}") == {"nama", "n", "x"}
    assert not _same_values("Halo {nama}", "Hello {name}")
    assert not _same_values("Galat: {exc}", "Error")
    assert _same_values("Pos {what_id}", "Post {what}: {exc}")
