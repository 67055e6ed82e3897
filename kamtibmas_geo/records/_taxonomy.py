"""The taxonomy of disturbance and activity types: loading, overriding, classifying.

The built-in taxonomy is the package file ``kamtibmas_geo/data/taxonomy.toml``. Users
extend or override it with their own TOML file or a dict of the same shape.

Examples
--------
>>> tax = load_taxonomy()
>>> tax.classify("Balapan Liar!!", "disturbance")
('balap_liar', True)
>>> tax.classify("pencurain sepeda motor", "disturbance")  # typo
('curanmor', True)
>>> tax.classify("hewan lepas", "disturbance")
('lainnya', False)
"""

from __future__ import annotations

import copy
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kamtibmas_geo._errors import RecordError

__all__ = ["KINDS", "WINDOWS", "Taxonomy", "TypeInfo", "load_taxonomy", "normalise_text"]

KINDS = ("disturbance", "activity")
WINDOWS = ("sahur", "subuh", "siang", "ngabuburit", "tarawih", "malam")
FALLBACK = "lainnya"
_RE_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_RE_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def normalise_text(text: str) -> str:
    """Lower-case, strip accents, turn punctuation into spaces and collapse spaces.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str

    Examples
    --------
    >>> normalise_text("  Trek-Trekan / BALAP  ")
    'trek trekan balap'
    """
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return _RE_NON_ALNUM.sub(" ", text.lower()).strip()


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """One disturbance or activity type.

    Parameters
    ----------
    key : str
        Canonical key, such as ``"balap_liar"``.
    kind : {"disturbance", "activity"}
        Kind of record.
    label_id, label_en : str
        Names shown to people.
    severity : float
        Default severity weight (1 = ordinary).
    peak_windows : tuple of str
        Time windows when the type peaks (subset of :data:`WINDOWS`).
    colour : str
        Hex colour for maps.
    icon : str
        Font Awesome 4 icon name for maps.
    synonyms : tuple of str
        Spellings that map to this type.
    """

    key: str
    kind: str
    label_id: str
    label_en: str
    severity: float
    peak_windows: tuple[str, ...]
    colour: str
    icon: str
    synonyms: tuple[str, ...] = field(default=())

    def label(self, lang: str = "id") -> str:
        """Return the label in ``lang`` (``"id"`` or ``"en"``).

        Parameters
        ----------
        lang : {"id", "en"}
            Language.

        Returns
        -------
        str
        """
        return self.label_en if lang == "en" else self.label_id


@dataclass(frozen=True)
class Taxonomy:
    """All disturbance and activity types, with a synonym classifier.

    Build it with :func:`load_taxonomy`.

    Parameters
    ----------
    types : mapping
        ``{kind: {key: TypeInfo}}``.
    fuzzy_cutoff : float
        Minimum rapidfuzz similarity (0-100) for a typo to count as a match.
    """

    types: Mapping[str, Mapping[str, TypeInfo]]
    fuzzy_cutoff: float = 88.0
    _lookup: dict[str, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for kind, types in self.types.items():
            table: dict[str, str] = {}
            for key, info in types.items():
                for syn in (key, info.label_id, info.label_en, *info.synonyms):
                    norm = normalise_text(syn)
                    if norm:
                        table.setdefault(norm, key)
            self._lookup[kind] = table

    def keys(self, kind: str) -> list[str]:
        """Return the type keys of ``kind`` in file order.

        Parameters
        ----------
        kind : {"disturbance", "activity"}
            Kind of record.

        Returns
        -------
        list of str
        """
        return list(self.types[kind])

    def info(self, kind: str, key: str) -> TypeInfo:
        """Return the :class:`TypeInfo` of ``key``.

        Parameters
        ----------
        kind : {"disturbance", "activity"}
            Kind of record.
        key : str
            Type key.

        Returns
        -------
        TypeInfo
        """
        return self.types[kind][key]

    def classify(self, raw: Any, kind: str = "disturbance") -> tuple[str, bool]:
        """Map a raw type text to its canonical key.

        Matching, in order: the whole normalised text equals a synonym; a synonym occurs
        as whole words inside the text (the longest wins, so "pencurian sepeda motor"
        is curanmor, not pencurian); the closest synonym by rapidfuzz similarity at or
        above :attr:`fuzzy_cutoff` (typos). Anything else is ``"lainnya"``.

        Parameters
        ----------
        raw : object
            The text as written (``None``/empty is unknown).
        kind : {"disturbance", "activity"}
            Kind of record.

        Returns
        -------
        tuple of (str, bool)
            The key and whether it was recognised (``False`` means it fell back to
            ``"lainnya"``).
        """
        from rapidfuzz import fuzz, process

        table = self._lookup[kind]
        if raw is None or (isinstance(raw, float) and raw != raw):
            return FALLBACK, False
        norm = normalise_text(str(raw)[:300])
        if not norm:
            return FALLBACK, False
        if norm in table:
            return table[norm], True
        padded = f" {norm} "
        best = ""
        for syn in table:
            if len(syn) > len(best) and len(syn) >= 3 and f" {syn} " in padded:
                best = syn
        if best:
            return table[best], True
        if len(norm) >= 4:
            hit = process.extractOne(
                norm, list(table), scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff
            )
            if hit is None:
                hit = process.extractOne(
                    norm,
                    [s for s in table if len(s) >= 6],
                    scorer=fuzz.partial_ratio,
                    score_cutoff=max(self.fuzzy_cutoff, 90.0),
                )
            if hit is not None:
                return table[hit[0]], True
        return FALLBACK, False


def _read_source(taxonomy: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(taxonomy, Mapping):
        return copy.deepcopy(dict(taxonomy))
    path = Path(taxonomy)
    if not path.is_file():
        msg = f"Taxonomy file {str(path)!r} not found; give the path of a TOML file or a dict."
        raise RecordError(msg)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"Taxonomy file {str(path)!r} is not valid TOML: {exc}. Fix the line it names."
        raise RecordError(msg) from exc


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    for kind, types in extra.items():
        if kind not in KINDS:
            msg = f"Taxonomy kind {kind!r} is unknown; use {' or '.join(map(repr, KINDS))}."
            raise RecordError(msg)
        if not isinstance(types, Mapping):
            msg = f"Taxonomy section {kind!r} must be a table of types, got {types!r}."
            raise RecordError(msg)
        target = base.setdefault(kind, {})
        for key, spec in types.items():
            if not isinstance(spec, Mapping):
                msg = f"Taxonomy type {kind}.{key} must be a table, got {spec!r}."
                raise RecordError(msg)
            merged = dict(target.get(key, {}))
            syns = list(merged.get("synonyms", []))
            merged.update(spec)
            merged["synonyms"] = syns + [s for s in spec.get("synonyms", []) if s not in syns]
            target[key] = merged
    return base


def _type_info(kind: str, key: str, spec: Mapping[str, Any]) -> TypeInfo:
    where = f"taxonomy type {kind}.{key}"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        msg = f"The key of {where} must be lower-case letters, digits and '_'."
        raise RecordError(msg)
    try:
        severity = float(spec.get("severity", 1.0))
    except (TypeError, ValueError):
        msg = f"{where}: severity must be a number, got {spec.get('severity')!r}."
        raise RecordError(msg) from None
    if not severity >= 0:
        msg = f"{where}: severity must be 0 or more, got {severity!r}."
        raise RecordError(msg)
    windows = tuple(spec.get("peak_windows", ()))
    bad = [w for w in windows if w not in WINDOWS]
    if bad:
        msg = f"{where}: unknown peak_windows {bad}; use a subset of {list(WINDOWS)}."
        raise RecordError(msg)
    colour = str(spec.get("colour", "#969696"))
    if not _RE_HEX.match(colour):
        msg = f"{where}: colour must be a hex colour like '#e6550d', got {colour!r}."
        raise RecordError(msg)
    synonyms = spec.get("synonyms", [])
    if isinstance(synonyms, str) or not all(isinstance(s, str) for s in synonyms):
        msg = f"{where}: synonyms must be a list of texts, got {synonyms!r}."
        raise RecordError(msg)
    label_id = str(spec.get("label_id", key.replace("_", " ").capitalize()))
    return TypeInfo(
        key=key,
        kind=kind,
        label_id=label_id,
        label_en=str(spec.get("label_en", label_id)),
        severity=severity,
        peak_windows=windows,
        colour=colour,
        icon=str(spec.get("icon", "circle")),
        synonyms=tuple(synonyms),
    )


def load_taxonomy(
    taxonomy: str | Path | Mapping[str, Any] | Taxonomy | None = None,
    *,
    replace: bool = False,
) -> Taxonomy:
    """Load the taxonomy of types, optionally extended or overridden by the user's.

    Parameters
    ----------
    taxonomy : str, Path, dict, Taxonomy or None
        ``None`` for the built-in taxonomy; a TOML file path or a dict shaped like
        ``kamtibmas_geo/data/taxonomy.toml`` (``{"disturbance": {"key": {...}}}``)
        whose types are merged over the built-in ones key by key (fields given replace
        built-in fields; synonyms are added); a :class:`Taxonomy` is returned as is.
    replace : bool
        Use the given taxonomy alone instead of merging it over the built-in one.

    Returns
    -------
    Taxonomy

    Raises
    ------
    RecordError
        The file is missing or malformed, or a kind lacks the ``"lainnya"`` type.
    """
    if isinstance(taxonomy, Taxonomy):
        return taxonomy
    text = resources.files("kamtibmas_geo").joinpath("data/taxonomy.toml").read_text("utf-8")
    data: dict[str, Any] = {} if replace and taxonomy is not None else tomllib.loads(text)
    if taxonomy is not None:
        data = _merge(data, _read_source(taxonomy))
    types: dict[str, dict[str, TypeInfo]] = {}
    for kind in KINDS:
        specs = data.get(kind, {})
        if FALLBACK not in specs:
            msg = f"The taxonomy of kind {kind!r} needs a {FALLBACK!r} type for unknown types."
            raise RecordError(msg)
        types[kind] = {key: _type_info(kind, key, spec) for key, spec in specs.items()}
    return Taxonomy(types=types)
