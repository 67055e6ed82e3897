"""The taxonomy of disturbance, activity and early-warning types: loading, classifying.

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
>>> tax.classify("Janjian tawuran via IG", "early_warning")
('rencana_tawuran', True)
>>> tax.classify("perang sarung", "early_warning")  # an incident word: its warning
('rencana_tawuran', True)
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

__all__ = [
    "EARLY",
    "KINDS",
    "MESSAGES",
    "WINDOWS",
    "Taxonomy",
    "TypeInfo",
    "load_taxonomy",
    "normalise_text",
]

KINDS = ("disturbance", "activity", "early_warning")
#: The kind whose types name a feared disturbance type (``feared``).
EARLY = "early_warning"
WINDOWS = ("sahur", "subuh", "siang", "ngabuburit", "tarawih", "malam")
FALLBACK = "lainnya"
_RE_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_RE_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_RE_TOML_AT = re.compile(r"at line (\d+), column (\d+)")

#: Errors in a taxonomy given by the user.
MESSAGES = {
    "file_missing": {
        "id": "Berkas taksonomi {path!r} tidak ada; berikan jalur berkas TOML atau sebuah dict.",
        "en": "Taxonomy file {path!r} not found; give the path of a TOML file or a dict.",
    },
    "bad_toml": {
        "id": "Berkas taksonomi {path!r} bukan TOML yang sah. Periksa tanda kutip, '=' dan "
        "[judul bagian] di berkas itu.",
        "en": "Taxonomy file {path!r} is not valid TOML: {exc}. Fix the line it names.",
    },
    "bad_toml_at": {
        "id": "Berkas taksonomi {path!r} bukan TOML yang sah di baris {line}, kolom {col}. "
        "Perbaiki baris itu.",
        "en": "Taxonomy file {path!r} is not valid TOML at line {line}, column {col} "
        "({exc}). Fix that line.",
    },
    "bad_toml_end": {
        "id": "Berkas taksonomi {path!r} bukan TOML yang sah: berkasnya berakhir sebelum "
        "isiannya selesai (kurung '[' atau tanda kutip belum ditutup?).",
        "en": "Taxonomy file {path!r} is not valid TOML: {exc}. Fix the line it names.",
    },
    "kind": {
        "id": "Jenis catatan {kind!r} di taksonomi tidak dikenal; gunakan salah satu dari {kinds}.",
        "en": "Taxonomy kind {kind!r} is unknown; use one of {kinds}.",
    },
    "section": {
        "id": "Bagian taksonomi {kind!r} harus berupa tabel jenis, bukan {value!r}.",
        "en": "Taxonomy section {kind!r} must be a table of types, got {value!r}.",
    },
    "type_table": {
        "id": "Jenis taksonomi {kind}.{key} harus berupa tabel, bukan {value!r}.",
        "en": "Taxonomy type {kind}.{key} must be a table, got {value!r}.",
    },
    "key": {
        "id": "Kunci jenis taksonomi {kind}.{key} hanya boleh berisi huruf kecil, angka dan "
        "'_', diawali huruf.",
        "en": "The key of taxonomy type {kind}.{key} must be lower-case letters, digits and '_'.",
    },
    "severity_number": {
        "id": "Jenis taksonomi {kind}.{key}: severity harus angka, bukan {value!r}.",
        "en": "Taxonomy type {kind}.{key}: severity must be a number, got {value!r}.",
    },
    "severity_negative": {
        "id": "Jenis taksonomi {kind}.{key}: severity harus 0 atau lebih, bukan {value!r}.",
        "en": "Taxonomy type {kind}.{key}: severity must be 0 or more, got {value!r}.",
    },
    "peak_windows": {
        "id": "Jenis taksonomi {kind}.{key}: peak_windows {bad} tidak dikenal; pilih dari "
        "{windows}.",
        "en": "Taxonomy type {kind}.{key}: unknown peak_windows {bad}; use a subset of {windows}.",
    },
    "colour": {
        "id": "Jenis taksonomi {kind}.{key}: colour harus warna heksadesimal seperti "
        "'#e6550d', bukan {value!r}.",
        "en": "Taxonomy type {kind}.{key}: colour must be a hex colour like '#e6550d', got "
        "{value!r}.",
    },
    "synonyms": {
        "id": "Jenis taksonomi {kind}.{key}: synonyms harus daftar teks, bukan {value!r}.",
        "en": "Taxonomy type {kind}.{key}: synonyms must be a list of texts, got {value!r}.",
    },
    "feared": {
        "id": "Jenis taksonomi {kind}.{key}: feared={value!r} bukan jenis gangguan; pilih "
        "dari {known}.",
        "en": "Taxonomy type {kind}.{key}: feared={value!r} is not a disturbance type; use "
        "one of {known}.",
    },
    "fallback": {
        "id": "Taksonomi jenis {kind!r} perlu jenis {fallback!r} untuk jenis yang tidak dikenal.",
        "en": "The taxonomy of kind {kind!r} needs a {fallback!r} type for unknown types.",
    },
}


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
    feared : str
        Early warnings only: the disturbance type the warning fears (``""`` otherwise).
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
    feared: str = ""

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
        above :attr:`fuzzy_cutoff` (typos). An early warning not recognised so is read
        as a disturbance type and becomes the first early-warning type that fears it
        ("tawuran" is ``rencana_tawuran``). Anything else is ``"lainnya"``.

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
        key, found = self._classify(raw, kind)
        if found or kind != EARLY:
            return key, found
        feared, found = self._classify(raw, "disturbance")
        if not found:
            return FALLBACK, False
        hit = next((k for k, t in self.types[EARLY].items() if t.feared == feared), None)
        return (hit, True) if hit is not None else (FALLBACK, False)

    def _classify(self, raw: Any, kind: str) -> tuple[str, bool]:
        """Classify ``raw`` against the synonyms of ``kind`` alone."""
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
        raise RecordError.say(MESSAGES, "file_missing", path=str(path))
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        at = _RE_TOML_AT.search(str(exc))
        if at is None:
            key = "bad_toml_end" if "end of document" in str(exc) else "bad_toml"
            raise RecordError.say(MESSAGES, key, path=str(path), exc=exc) from exc
        line, col = int(at.group(1)), int(at.group(2))
        raise RecordError.say(
            MESSAGES, "bad_toml_at", path=str(path), exc=exc, line=line, col=col
        ) from exc


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    for kind, types in extra.items():
        if kind not in KINDS:
            kinds = ", ".join(map(repr, KINDS))
            raise RecordError.say(MESSAGES, "kind", kind=kind, kinds=kinds)
        if not isinstance(types, Mapping):
            raise RecordError.say(MESSAGES, "section", kind=kind, value=types)
        target = base.setdefault(kind, {})
        for key, spec in types.items():
            if not isinstance(spec, Mapping):
                raise RecordError.say(MESSAGES, "type_table", kind=kind, key=key, value=spec)
            merged = dict(target.get(key, {}))
            syns = list(merged.get("synonyms", []))
            merged.update(spec)
            merged["synonyms"] = syns + [s for s in spec.get("synonyms", []) if s not in syns]
            target[key] = merged
    return base


def _type_info(kind: str, key: str, spec: Mapping[str, Any]) -> TypeInfo:
    where = {"kind": kind, "key": key}
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise RecordError.say(MESSAGES, "key", **where)
    try:
        severity = float(spec.get("severity", 1.0))
    except (TypeError, ValueError):
        value = spec.get("severity")
        raise RecordError.say(MESSAGES, "severity_number", **where, value=value) from None
    if not severity >= 0:
        raise RecordError.say(MESSAGES, "severity_negative", **where, value=severity)
    windows = tuple(spec.get("peak_windows", ()))
    bad = [w for w in windows if w not in WINDOWS]
    if bad:
        raise RecordError.say(MESSAGES, "peak_windows", **where, bad=bad, windows=list(WINDOWS))
    colour = str(spec.get("colour", "#969696"))
    if not _RE_HEX.match(colour):
        raise RecordError.say(MESSAGES, "colour", **where, value=colour)
    synonyms = spec.get("synonyms", [])
    if isinstance(synonyms, str) or not all(isinstance(s, str) for s in synonyms):
        raise RecordError.say(MESSAGES, "synonyms", **where, value=synonyms)
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
        feared=str(spec.get("feared", FALLBACK)) if kind == EARLY else "",
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
    data.setdefault(EARLY, {FALLBACK: {"label_id": "Informasi lainnya", "label_en": "Other"}})
    types: dict[str, dict[str, TypeInfo]] = {}
    for kind in KINDS:
        specs = data.get(kind, {})
        if FALLBACK not in specs:
            raise RecordError.say(MESSAGES, "fallback", kind=kind, fallback=FALLBACK)
        types[kind] = {key: _type_info(kind, key, spec) for key, spec in specs.items()}
    _check_feared(types)
    return Taxonomy(types=types)


def _check_feared(types: Mapping[str, Mapping[str, TypeInfo]]) -> None:
    """Refuse an early-warning type whose ``feared`` is no disturbance type."""
    known = list(types["disturbance"])
    for key, info in types[EARLY].items():
        if info.feared not in types["disturbance"]:
            raise RecordError.say(
                MESSAGES, "feared", kind=EARLY, key=key, value=info.feared, known=known
            )
