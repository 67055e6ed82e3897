"""The address matcher: names found by n-gram look-ups, context decides between namesakes.

Used by :func:`kamtibmas_geo.geocode.geocode`; see ``docs/geocode.md`` for the rules.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from kamtibmas_geo.geocode._gazetteer import Gazetteer, Place, match_tables
from kamtibmas_geo.records._aliases import (
    BOUNDARY,
    DESA_MARKERS,
    KAB_MARKERS,
    KEC_MARKERS,
    phonetic,
)
from kamtibmas_geo.records._aliases import tokens as _tokens

__all__ = ["NO_POLYGON", "Match", "Matcher"]

_NO_CTX = 5.0
_KEC_PENALTY = 10.0


@dataclass(frozen=True, slots=True)
class Match:
    """The result of matching one address.

    Attributes
    ----------
    status : {"matched", "ambiguous", "unmatched"}
        Outcome.
    place : Place or None
        The desa, kecamatan or landmark found.
    score : float
        0-100: 100 exact with agreeing context, lower for phonetic or fuzzy matches,
        missing or contradicting context, kecamatan level.
    reason_code : str
        Empty when matched; ``ambiguous``, ``outside``, ``no_place``, ``kabupaten_only``.
    detail : str
        The name (and candidate codes) behind the reason.
    words : str
        The words of the address the place was read from (normal form).
    flag : str
        ``kecamatan_mismatch`` when a desa named with "Desa"/"Kel." lies in another
        kecamatan than the one written (placed on the desa, score lowered);
        ``desa_no_polygon`` when the desa named has no polygon in the pinned boundary
        source (placed at its kecamatan, :data:`NO_POLYGON`); else empty.
    alternatives : tuple of str
        Codes of the other places the words could mean (namesakes inside and outside),
        at most :data:`MAX_ALTERNATIVES`.
    """

    status: str
    place: Place | None
    score: float
    reason_code: str = ""
    detail: str = ""
    words: str = ""
    flag: str = ""
    alternatives: tuple[str, ...] = ()


#: Most alternative codes a match carries.
MAX_ALTERNATIVES = 8

#: ``geocode_flag`` of a record naming a desa/kelurahan that has no polygon in the pinned
#: boundary source: placed at its kecamatan (see :func:`~kamtibmas_geo.boundaries.
#: missing_villages`).
NO_POLYGON = "desa_no_polygon"


@dataclass(slots=True)
class _Mention:
    start: int
    length: int
    idx: tuple[int, ...]  # inside candidates (desa, kecamatan, kabupaten, landmark)
    quality: float
    hint: str  # "desa" | "kec" | "kab" | ""
    text: str
    out: tuple[int, ...] = ()  # candidates outside the loaded regions
    marker: str = ""  # the word before: "kel", "desa", "kec", "kab", "kota" or ""


_MARKERS = KEC_MARKERS | DESA_MARKERS | KAB_MARKERS
#: Markers that never begin a name ("Kota" does: Kota Baru, Kotabumi).
_LEAD_MARKERS = _MARKERS - {"kota"}

#: Level a marker asserts.
_LEVEL_OF_HINT = {"desa": "desa", "kec": "kecamatan", "kab": "kabupaten"}

#: Outside kinds at each asserted level.
_OUT_KINDS = {
    "desa": frozenset({"desa", "kelurahan", "town"}),
    "kecamatan": frozenset({"kecamatan", "town"}),
    "kabupaten": frozenset({"kabupaten", "provinsi"}),
}
_IN_LEVELS = {
    "desa": frozenset({"desa", "landmark"}),
    "kecamatan": frozenset({"kecamatan"}),
    "kabupaten": frozenset({"kabupaten"}),
}

#: Lowest rapidfuzz ratio between two words for a typo; below it the words differ wholly.
_WORD_CUTOFF = 70.0
_MISMATCH_PENALTY = 25.0
_STATUS_PENALTY = 3.0
#: A desa name with at least this many namesakes outside (Mekar Jaya: 114 desa and kelurahan
#: in Indonesia), written with no kecamatan, kabupaten or province, is not placed but sent to
#: review as ambiguous. Inside names placed without context in the real sets have at most 32.
_COMMON_NAME = 50
#: Official names a word must begin (its phonetic key a prefix of theirs) to be *generic*
#: ("Bukit", "Talang", "Sungai", "Tanjung": hundreds each; a proper name a handful).
_GENERIC_PREFIXES = 50
#: Most words after "Kec."/"Kab." read as one (typo'd) area name.
_AREA_WORDS = 4


def _hint(prev: str) -> str:
    if prev in KEC_MARKERS:
        return "kec"
    if prev in DESA_MARKERS:
        return "desa"
    if prev in KAB_MARKERS:
        return "kab"
    return ""


def _digits(key: str) -> str:
    return "".join(ch for ch in key if ch.isdigit())


def _prefixes(keys: Any) -> frozenset[str]:
    out: set[str] = set()
    for k in keys:
        out.update(k[:i] for i in range(1, len(k) + 1))
    return frozenset(out)


class Matcher:
    """Match free-text addresses against a :class:`Gazetteer`.

    Parameters
    ----------
    gazetteer : Gazetteer
        From :func:`build_gazetteer`.
    fuzzy_cutoff : float
        Lowest rapidfuzz ratio (0-100) for a typo match of a name of 8 letters or more;
        shorter names need ``fuzzy_cutoff + 5``.

    Notes
    -----
    Results are cached per text on the instance, so identical addresses cost one look-up.
    """

    def __init__(self, gazetteer: Gazetteer, *, fuzzy_cutoff: float = 85.0) -> None:
        self.gazetteer = gazetteer
        self.fuzzy_cutoff = float(fuzzy_cutoff)
        self._exact_prefix = gazetteer.exact_prefix or _prefixes(gazetteer.exact)
        self._sound_prefix = gazetteer.sound_prefix or _prefixes(gazetteer.sound)
        self._cache: dict[str, Match] = {}
        self._decided: dict[tuple[Any, ...], Match] = {}
        self._by_tokens: dict[tuple[str, ...], Match] = {}
        self._parts: dict[tuple[str, ...], tuple[tuple[Any, ...], ...]] = {}
        self._rival_seen: dict[tuple[str, float], bool] = {}
        self._longest_seen: dict[tuple[str, ...], tuple[int, tuple[int, ...], float] | None] = {}
        self._dead: set[str] = set()
        self._fuzzy_seen: dict[str, tuple[float, str]] = {}
        tables = gazetteer.tables or match_tables(
            gazetteer.places, gazetteer.sound, gazetteer.names, gazetteer.outside_keys
        )
        self._inside_prov = tables.inside_prov
        self._first_outside = tables.first_outside
        self._regions = tables.regions
        self._areas = tables.areas
        self._kec_desa = tables.kec_desa
        self._desa_keys = tables.desa_keys
        self._rivals = tables.rivals
        self._no_polygon = tables.no_polygon
        self._sorted_keys = tables.sorted_sound
        self._kec_keys = tables.kec_keys
        self._kec_key_list = {side: tuple(keys) for side, keys in tables.kec_keys.items()}
        self._area_seen: dict[tuple[Any, ...], tuple[float, int, str] | None] = {}
        self._kec_place = {
            p.code: p for p in gazetteer.places[: self._first_outside] if p.level == "kecamatan"
        }

    # -- finding names -------------------------------------------------------------
    def _mentions(self, toks: tuple[str, ...]) -> list[_Mention]:
        """Find the names of each part of ``toks`` (between separators), left to right.

        A part is read alone (a name never spans a separator, and the word before a part
        is no marker), so the names of a part seen before are copied from the first reading.
        """
        mentions: list[_Mention] = []
        seen = self._parts
        start, n = 0, len(toks)
        while start < n:
            end = start
            while end < n and toks[end] != BOUNDARY:
                end += 1
            part = toks[start:end]
            found = seen.get(part)
            if found is None:
                found = tuple(
                    (m.start, m.length, m.idx, m.quality, m.hint, m.text, m.out, m.marker)
                    for m in self._scan(part)
                )
                seen[part] = found
            for f in found:
                mentions.append(_Mention(start + f[0], *f[1:]))
            start = end + 1
        return mentions

    def _scan(self, toks: tuple[str, ...]) -> list[_Mention]:
        """Find the longest exact (else same-sounding) name at each word, left to right."""
        first_outside, width = self._first_outside, self.gazetteer.max_tokens
        mentions: list[_Mention] = []
        dead, seen = self._dead, self._longest_seen
        i, n = 0, len(toks)
        while i < n:
            t = toks[i]
            if t == BOUNDARY or t in dead or t in _LEAD_MARKERS:
                i += 1
                continue
            window = toks[i : i + width]
            if window in seen:
                best = seen[window]
            else:
                best = seen[window] = self._longest(window)
            if best is None:
                i += 1
                continue
            length, idx, quality = best
            prev = toks[i - 1] if i > 0 else ""
            hint = _hint(prev)
            cut = bisect_left(idx, first_outside)
            mentions.append(
                _Mention(
                    i, length, idx[:cut], quality, hint, " ".join(toks[i : i + length]),
                    idx[cut:], prev if hint else "",
                )
            )  # fmt: skip
            i += length
        return mentions

    def _longest(self, window: tuple[str, ...]) -> tuple[int, tuple[int, ...], float] | None:
        """Return the longest name ``window`` begins with: (words, positions, quality).

        An exact key (quality 100) is preferred at each length to a same-sounding one (92);
        the look-up stops at the first length that begins no key.
        """
        gaz = self.gazetteer
        exact, sound = gaz.exact, gaz.sound
        exact_prefix, sound_prefix = self._exact_prefix, self._sound_prefix
        best: tuple[int, tuple[int, ...], float] | None = None
        key = ""
        for j, tok in enumerate(window):
            if tok == BOUNDARY:
                break
            key += tok
            in_exact = key in exact_prefix
            if in_exact:
                hit = exact.get(key)
                if hit:
                    if hit[0] >= self._first_outside:
                        hit = self._with_sound(hit, key)
                    best = (j + 1, hit, 100.0)
                    continue
            pkey = phonetic(key)
            in_sound = pkey in sound_prefix
            if not (in_exact or in_sound):
                if j == 0:
                    self._dead.add(key)
                break
            hit = sound.get(pkey) if in_sound else None
            if hit:
                best = (j + 1, hit, 92.0)
        return best

    def _fuzzy(self, toks: tuple[str, ...], covered: set[int]) -> list[_Mention]:
        from rapidfuzz import fuzz, process

        gaz = self.gazetteer
        spans: list[tuple[int, int, str]] = []
        n = len(toks)
        markers = _MARKERS
        for i in range(n):
            key = ""
            for j in range(i, min(n, i + 3)):
                t = toks[j]
                if t == BOUNDARY or j in covered or t in markers:
                    break
                key += t
                if len(key) >= 5 and not key.isdigit():
                    spans.append((i, j - i + 1, phonetic(key)))
        if not spans:
            return []
        seen = self._fuzzy_seen
        todo = sorted({s[2] for s in spans if s[2] not in seen})
        if todo:
            scores = process.cdist(
                todo,
                gaz.fuzzy_keys,
                scorer=fuzz.ratio,
                score_cutoff=self.fuzzy_cutoff,
                dtype=np.uint8,
            )
            cols = scores.argmax(axis=1)
            vals = scores[np.arange(len(todo)), cols]
            for q, col, val in zip(todo, cols.tolist(), vals.tolist(), strict=True):
                seen[q] = (float(val), gaz.fuzzy_keys[col])
        order = sorted(range(len(spans)), key=lambda k: -seen[spans[k][2]][0])
        found: list[_Mention] = []
        used: set[int] = set()
        for k in order:
            val, cand = seen[spans[k][2]]
            if val < self.fuzzy_cutoff:
                break
            i, length, key = spans[k]
            cutoff = self.fuzzy_cutoff + (0 if len(key) >= 8 else 5)
            span = set(range(i, i + length))
            if val < cutoff or span & used or _digits(cand) != _digits(key):
                continue
            if not self._typo_ok(toks[i : i + length], key, cand, val):
                continue
            used |= span
            prev = toks[i - 1] if i > 0 else ""
            hint = _hint(prev)
            if hint == "kab":
                continue
            ins, out = self._split(gaz.sound[cand])
            text = " ".join(toks[i : i + length])
            marker = prev if hint else ""
            found.append(_Mention(i, length, ins, val * 0.9, hint, text, out, marker))
        return sorted(found, key=lambda m: m.start)

    def _fuzzy_desa(self, words: tuple[str, ...]) -> tuple[int, ...]:
        """Desa whose key is within a typo of ``words`` (for names after "Desa"/"Kel.")."""
        from rapidfuzz import fuzz, process

        pkey = phonetic("".join(words))
        cutoff = self.fuzzy_cutoff + (0 if len(pkey) >= 8 else 5)
        hit = process.extractOne(pkey, self._desa_keys, scorer=fuzz.ratio, score_cutoff=cutoff)
        if hit is None or _digits(hit[0]) != _digits(pkey):
            return ()
        if not self._typo_ok(words, pkey, hit[0], float(hit[1])):
            return ()
        return self._split(self.gazetteer.sound[hit[0]])[0]

    def _with_sound(self, hit: tuple[int, ...], key: str) -> tuple[int, ...]:
        """Add the inside names that sound the same to an exact name found only outside."""
        if not hit or hit[0] < self._first_outside:
            return hit
        alike = self.gazetteer.sound.get(phonetic(key), ())
        ins = alike[: bisect_left(alike, self._first_outside)]
        return tuple(sorted(ins + hit)) if ins else hit

    def _split(self, idx: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Split candidate positions into inside and outside (outside ones come last)."""
        cut = bisect_left(idx, self._first_outside)
        return idx[:cut], idx[cut:]

    def _typo_ok(self, words: tuple[str, ...], key: str, cand: str, score: float) -> bool:
        """Accept a typo match of ``key`` to the inside ``cand`` (phonetic keys).

        Refused when a whole word differs (same number of words, one pair below
        :data:`_WORD_CUTOFF`) or when a name found only outside is as close.
        """
        from rapidfuzz import fuzz

        got = tuple(phonetic(w) for w in words)
        want = self.gazetteer.key_words.get(cand, ())
        if len(got) == len(want) > 1 and any(
            fuzz.ratio(a, b) < _WORD_CUTOFF for a, b in zip(got, want, strict=True)
        ):
            return False
        return not self._has_rival(key, score)

    def _has_rival(self, key: str, score: float) -> bool:
        """Whether a name found only outside is as close to ``key`` as ``score``."""
        from rapidfuzz import fuzz, process

        seen = self._rival_seen.get((key, score))
        if seen is not None:
            return seen
        # ratio = 2 * common / (len1 + len2) >= score bounds the rival's length
        size, s = len(key), score / 100.0
        low, high = math.ceil(size * s / (2 - s)), math.floor(size * (2 - s) / s)
        lengths, pool = self._rivals.get(key[:2], ((), ()))
        a, b = bisect_left(lengths, low), bisect_right(lengths, high)
        hit = a < b and process.extractOne(key, pool[a:b], scorer=fuzz.ratio, score_cutoff=score)
        self._rival_seen[(key, score)] = bool(hit)
        return bool(hit)

    def _repair(self, toks: tuple[str, ...], mentions: list[_Mention]) -> None:
        """Re-read a desa name that is not in the kecamatan named, among that kecamatan's desa.

        ``Sipang Tiga Jaya, Kec. Tulung Selapan`` first finds the desa *Sepang* of
        Pampangan; the typo is likelier than the wrong kecamatan, so the words from there
        on are compared (rapidfuzz) with the desa of Tulung Selapan only.
        """
        places = self.gazetteer.places
        cover = self.gazetteer.kec_cover
        kec_cov: set[str] = set()
        for m in mentions:
            if m.hint != "desa":
                for k in m.idx:
                    if places[k].level == "kecamatan":
                        kec_cov |= cover[places[k].code]
        if not kec_cov:
            return
        for m in mentions:
            if m.hint == "kec":
                continue
            desa = [places[k] for k in m.idx if places[k].level == "desa"]
            # after "Desa"/"Kel.", a name found only outside (or only as a kecamatan) may
            # be the first words of a typo'd desa of the kecamatan named
            other = m.hint == "desa" and not desa
            if not (desa or other):
                continue
            if any(p.kecamatan_code in kec_cov for p in desa):
                continue
            near = self._near(toks, m.start, kec_cov)
            if other and (near is None or near[1] <= m.length):
                continue
            # an exact name is re-read only when the typo reading covers more words
            if near is not None and (m.quality < 100.0 or near[1] > m.length):
                m.idx, m.length, m.quality, m.text = near
                m.out = ()
        self._read_after_markers(toks, mentions, kec_cov)

    def _read_after_markers(
        self, toks: tuple[str, ...], mentions: list[_Mention], kec_cov: set[str]
    ) -> None:
        """Read the words after "Desa"/"Kel." that named nothing, among the kecamatan's desa."""
        starts: set[int] | None = None
        added = False
        for i in range(len(toks) - 1):
            t = toks[i]
            if t not in DESA_MARKERS:
                continue
            if starts is None:
                starts = {m.start for m in mentions}
            if i + 1 in starts:
                continue
            near = self._near(toks, i + 1, kec_cov)
            if near is not None:
                idx, length, quality, text = near
                mentions.append(_Mention(i + 1, length, idx, quality, "desa", text, (), t))
                added = True
        if added:
            mentions.sort(key=lambda m: m.start)

    def _near(
        self, toks: tuple[str, ...], start: int, kec_codes: set[str]
    ) -> tuple[tuple[int, ...], int, float, str] | None:
        from rapidfuzz import fuzz, process

        choices: dict[str, tuple[int, ...]] = {}
        for code in sorted(kec_codes):
            choices.update(self._kec_desa.get(code, {}))
        if not choices:
            return None
        keys = list(choices)
        best: tuple[float, int, str] | None = None
        key = ""
        for j in range(start, min(len(toks), start + 4)):
            if toks[j] == BOUNDARY or toks[j] in _MARKERS:
                break
            key += toks[j]
            pkey = phonetic(key)
            cutoff = self.fuzzy_cutoff + (0 if len(pkey) >= 8 else 5)
            hit = process.extractOne(pkey, keys, scorer=fuzz.ratio, score_cutoff=cutoff)
            if hit is None or _digits(hit[0]) != _digits(pkey):
                continue
            if best is None or hit[1] >= best[0]:
                best = (float(hit[1]), j - start + 1, hit[0])
        if best is None:
            return None
        score, length, cand = best
        return choices[cand], length, score * 0.9, " ".join(toks[start : start + length])

    # -- deciding -----------------------------------------------------------------
    def match(self, text: str) -> Match:
        """Match one address.

        Parameters
        ----------
        text : str
            Free text (address plus any desa/kecamatan columns).

        Returns
        -------
        Match
        """
        hit = self._cache.get(text)
        if hit is None:
            hit = self._match(text)
            self._cache[text] = hit
        return hit

    def _match(self, text: str) -> Match:
        """Match the normal form of ``text`` (see :meth:`_read`).

        Texts differing only in what the normal form drops (RT/RW and house numbers,
        street words such as "Jl.", punctuation) share one answer.
        """
        toks = _tokens(text)
        hit = self._by_tokens.get(toks)
        if hit is None:
            hit = self._read(toks)
            self._by_tokens[toks] = hit
        return hit

    def _read(self, toks: tuple[str, ...]) -> Match:
        """Find the names in ``toks``, add typo readings, repair, and decide."""
        if not toks:
            return Match("unmatched", None, 0.0, "no_place")
        mentions = self._mentions(toks)
        places = self.gazetteer.places
        levels = [{places[k].level for k in m.idx} for m in mentions]
        has_small = any(
            lv & {"desa", "landmark"} and ("kecamatan" not in lv or m.hint == "desa")
            for m, lv in zip(mentions, levels, strict=True)
        )
        for m, lv in zip(mentions, levels, strict=True):
            if m.hint == "desa" and not lv & {"desa", "landmark"} and not self._named_outside(m):
                extra = self._fuzzy_desa(toks[m.start : m.start + m.length])
                if extra:
                    m.idx, has_small = m.idx + extra, True
        if not has_small:
            mentions = self._with_typos(toks, mentions)
        mentions = self._area_typos(toks, mentions)
        self._repair(toks, mentions)
        mentions = self._relevant(mentions)
        key = tuple((m.idx, m.out, m.hint, m.marker, m.quality, m.text) for m in mentions)
        hit = self._decided.get(key)
        if hit is None:
            hit = self._at_kecamatan(self._explain(self._decide(mentions), mentions))
            self._decided[key] = hit
        return hit

    def _with_typos(self, toks: tuple[str, ...], mentions: list[_Mention]) -> list[_Mention]:
        """Add typo readings of the words no inside name covers.

        A bare word that only names a place outside ("Ilir", a desa somewhere) does not
        stop a typo reading of the words around it (``Jmbu Ilir`` → *Jambu Ilir*); the
        typo step still refuses a reading that an outside name matches as well.
        """
        weak = {
            id(m) for m in mentions if not m.idx and not m.hint and self._regions.isdisjoint(m.out)
        }
        covered = {
            j for m in mentions if id(m) not in weak for j in range(m.start, m.start + m.length)
        }
        spans = [(m.start, m.start + m.length) for m in mentions if id(m) in weak]
        # a typo reading may swallow a shorter outside name, never lie inside a longer one
        found = [
            f
            for f in self._fuzzy(toks, covered)
            if all(
                f.start + f.length <= a
                or f.start >= b
                or (f.start <= a and f.start + f.length >= b and f.length > b - a)
                for a, b in spans
            )
        ]
        if not found:
            return mentions
        used = {j for f in found for j in range(f.start, f.start + f.length)}
        keep = [
            m
            for m in mentions
            if id(m) not in weak or used.isdisjoint(range(m.start, m.start + m.length))
        ]
        return sorted(keep + found, key=lambda m: m.start)

    def _area_typos(self, toks: tuple[str, ...], mentions: list[_Mention]) -> list[_Mention]:
        """Re-read "Kec."/"Kab." names that an outside name covers only in part.

        ``Kec. Bukit Kecl`` first finds *Bukit* (a kecamatan in Aceh) and leaves "Kecl"
        unread. When the words up to the next marker or separator are a typo of an inside
        kecamatan (*Bukit Kecil*) closer than of any kecamatan outside, that reading
        replaces the outside one (quality lowered as any typo). Otherwise a one-word
        outside name that begins many official names (:meth:`_generic`) asserts nothing
        outside when unread words follow it that are no typo of an outside kecamatan, or
        when an inside desa/kelurahan is named with its marker ("Kel. 16 Ilir Kec. Bukit").
        """
        places = self.gazetteer.places
        marked = any(
            m.hint == "desa" and any(places[k].level == "desa" for k in m.idx) for m in mentions
        )
        drop: set[int] = set()
        for m in mentions:
            if m.hint not in {"kec", "kab"} or not m.out or id(m) in drop:
                continue
            end = _phrase_end(toks, m.start)
            generic = m.length == 1 and self._generic(toks[m.start])
            if end - m.start <= m.length:  # the outside name is all the words written
                if generic and marked:
                    m.out = ()
                continue
            typo = self._kec_typo(toks, m, end) if m.hint == "kec" else None
            if typo is not None:
                m.idx, m.length, m.quality, m.text = typo
                m.out = ()
            elif generic and self._area_hit(toks, m, end, outside=True) is None:
                m.out = ()
            else:
                continue
            span = range(m.start + 1, m.start + m.length)
            drop |= {id(o) for o in mentions if o is not m and o.start in span}
        return [m for m in mentions if id(m) not in drop] if drop else mentions

    def _kec_typo(
        self, toks: tuple[str, ...], m: _Mention, end: int
    ) -> tuple[tuple[int, ...], int, float, str] | None:
        """Return the inside kecamatan the words of ``m`` and after are a typo of, if any.

        Refused when a kecamatan outside is as close (:meth:`_area_hit`).
        """
        hit = self._area_hit(toks, m, end, outside=False)
        if hit is None:
            return None
        score, stop, cand = hit
        rival = self._area_hit(toks, m, end, outside=True)
        if rival is not None and rival[0] >= score:
            return None
        words = toks[m.start : stop]
        return self._area_keys(False)[cand], stop - m.start, score * 0.9, " ".join(words)

    def _area_hit(
        self, toks: tuple[str, ...], m: _Mention, end: int, *, outside: bool
    ) -> tuple[float, int, str] | None:
        """Closest kecamatan key (inside or outside) to the words from ``m`` to ``end``.

        The words are tried longest first, each longer than the name ``m`` read; the
        answer is (rapidfuzz ratio, end of the words, key), ``None`` below the cutoff.
        """
        key = (toks[m.start : end], m.length, outside)
        if key not in self._area_seen:  # the same words after "Kec." recur in many texts
            self._area_seen[key] = self._closest_area(*key)
        hit = self._area_seen[key]
        return None if hit is None else (hit[0], m.start + hit[1], hit[2])

    def _closest_area(
        self, words: tuple[str, ...], length: int, outside: bool
    ) -> tuple[float, int, str] | None:
        """:meth:`_area_hit` of ``words`` (a name of ``length`` words read first)."""
        from rapidfuzz import fuzz, process

        keys = self._kec_key_list.get(outside, ())
        for stop in range(len(words), length, -1):
            part = words[:stop]
            pkey = phonetic("".join(part))
            cutoff = self.fuzzy_cutoff + (0 if len(pkey) >= 8 else 5)
            hit = process.extractOne(pkey, keys, scorer=fuzz.ratio, score_cutoff=cutoff)
            if hit is None or _digits(hit[0]) != _digits(pkey):
                continue
            if outside or self._typo_ok(part, pkey, hit[0], float(hit[1])):
                return float(hit[1]), stop, hit[0]
        return None

    def _area_keys(self, outside: bool) -> Mapping[str, tuple[int, ...]]:
        """Same-sounding keys of the kecamatan inside (or outside) -> positions."""
        return self._kec_keys.get(outside, {})

    def _too_common(self, m: _Mention) -> bool:
        """Whether a desa name has too many namesakes outside to be read inside unaided.

        With no kecamatan, kabupaten or province written, an inside reading of a name that
        :data:`_COMMON_NAME` desa/kelurahan elsewhere carry is a guess.
        """
        places = self.gazetteer.places
        kinds = _OUT_KINDS["desa"] - {"town"}
        return sum(1 for k in m.out if places[k].kind in kinds) >= _COMMON_NAME

    def _generic(self, word: str) -> bool:
        """Whether ``word`` begins at least :data:`_GENERIC_PREFIXES` official names."""
        keys, key = self._sorted_keys, phonetic(word)
        return bisect_left(keys, key + "\uffff") - bisect_left(keys, key) >= _GENERIC_PREFIXES

    def _relevant(self, mentions: list[_Mention]) -> list[_Mention]:
        """Drop bare words naming only desa outside when no outside area is named.

        Such a word ("Merdeka", a desa somewhere) can only matter as the desa of an
        outside chain, which needs an outside kecamatan, kabupaten or province named too;
        without one the decision is the same without it (and is shared in the cache).
        """
        if not all(self._areas.isdisjoint(m.out) for m in mentions):
            return mentions
        return [m for m in mentions if m.idx or m.hint or not self._regions.isdisjoint(m.out)]

    def _named_outside(self, m: _Mention) -> bool:
        """Whether the words after "Desa"/"Kel." name a desa/kelurahan outside exactly."""
        places = self.gazetteer.places
        return any(places[k].kind in _OUT_KINDS["desa"] for k in m.out)

    def _decide(self, mentions: list[_Mention]) -> Match:
        places = self.gazetteer.places
        inside = [m for m in mentions if m.idx]
        kab_ctx = {
            places[k].kabupaten_code
            for m in inside
            for k in m.idx
            if places[k].level == "kabupaten"
        }
        verdict = self._outside(mentions, kab_ctx)
        if verdict is not None:
            return verdict
        small, kecs = self._by_level(inside)
        verdict = self._desa_level(inside, small, kecs, kab_ctx)
        if verdict is None:
            verdict = _kecamatan_level(inside, kecs, kab_ctx)
        if verdict is None:
            outside = [m for m in mentions if m.out and not m.idx]
            verdict = self._leftover(inside, outside, small, kab_ctx)
        return verdict

    def _explain(self, verdict: Match, mentions: list[_Mention]) -> Match:
        """Add the words read and the other places they could mean to a placement."""
        chosen = verdict.place
        if chosen is None:
            return verdict
        places = self.gazetteer.places
        for m in mentions:
            if not any(places[k] is chosen for k in m.idx):
                continue
            cands = [places[k] for k in m.idx + m.out[: MAX_ALTERNATIVES + 1]]
            if cands:
                alts = dict.fromkeys(p.code for p in cands if p.code != chosen.code)
                v = verdict
                return Match(
                    v.status, chosen, v.score, v.reason_code, v.detail, m.text, v.flag,
                    tuple(alts)[:MAX_ALTERNATIVES],
                )  # fmt: skip
        return verdict

    def _at_kecamatan(self, verdict: Match) -> Match:
        """Place a desa/kelurahan that has no polygon at its kecamatan, flagged.

        The name was read as a desa (its namesakes and the kecamatan written count as for
        any desa); the point is the kecamatan's, the score that of a kecamatan-level
        placement, ``geocode_flag="desa_no_polygon"`` and the words read name the desa.
        """
        places = self.gazetteer.places
        chosen = verdict.place
        if chosen is None or chosen.desa_code is not None or chosen.level != "desa":
            return verdict
        at = self._no_polygon.get(chosen.code)
        if at is None:
            return verdict
        v = verdict
        score = max(0.0, v.score - _KEC_PENALTY)
        return Match(
            v.status, places[at], score, v.reason_code, v.detail, v.words, NO_POLYGON,
            v.alternatives,
        )  # fmt: skip

    # -- outside ------------------------------------------------------------------
    def _outside(self, mentions: list[_Mention], kab_ctx: set[str | None]) -> Match | None:
        """Return ``outside`` when the text places the event outside the loaded regions.

        Decisive, in this order: a name after "Kec."/"Kab."/"Kota" that is a kecamatan or
        kabupaten only outside; a desa outside whose kecamatan or kabupaten the text also
        names (a longer chain than any inside reading); a name after "Desa"/"Kel." found
        only outside, or whose desa/kelurahan status fits only the outside namesake, when
        no inside kecamatan or kabupaten is named; a bare region or town name outside.
        """
        if not any(m.out for m in mentions):
            return None
        places = self.gazetteer.places
        asserted, weak, regions = self._outside_mentions(mentions)
        strong = [m for m in asserted if m.hint in {"kec", "kab"}]
        if strong:
            return _refuse(strong[0])
        out_n, out_m = self._chain(mentions, outside=True)
        if out_n >= 2 and out_m is not None:
            in_n, _ = self._chain(mentions, outside=False)
            # a tie won inside only through a kecamatan's former extent (a desa named with
            # the kecamatan it left) loses to a chain that holds today outside
            if out_n > in_n or (
                out_n == in_n and self._chain(mentions, outside=False, history=False)[0] < in_n
            ):
                return _refuse(out_m)
        inside_kec = any(
            m.hint == "kec" and any(places[k].level == "kecamatan" for k in m.idx) for m in mentions
        )
        if asserted and not (kab_ctx or inside_kec):
            return _refuse(asserted[0])
        # the status word alone decides only when nothing else inside is named
        if weak and not (kab_ctx or inside_kec) and all(m in weak or not m.idx for m in mentions):
            return _refuse(weak[0])
        marked = any(m.hint in {"desa", "kec"} and m.idx for m in mentions)
        for m in regions:
            kinds = {places[k].kind for k in m.out}
            if not kab_ctx and (kinds & {"kabupaten", "provinsi"} or not marked):
                return _refuse(m)
        return None

    def _outside_mentions(
        self, mentions: list[_Mention]
    ) -> tuple[list[_Mention], list[_Mention], list[_Mention]]:
        """Sort the mentions with outside candidates: asserted, status clash, bare region."""
        places = self.gazetteer.places
        asserted: list[_Mention] = []
        weak: list[_Mention] = []
        regions: list[_Mention] = []
        for m in mentions:
            if not m.out:
                continue
            lvl = _LEVEL_OF_HINT.get(m.hint)
            if lvl is None:
                if not m.idx and not self._regions.isdisjoint(m.out):
                    regions.append(m)
                continue
            kinds = _OUT_KINDS[lvl]
            if not any(places[k].kind in kinds for k in m.out):
                continue
            ins = [places[k] for k in m.idx if places[k].level in _IN_LEVELS[lvl]]
            if not ins:
                asserted.append(m)
            elif lvl == "desa" and _status_clash(m.marker, ins, places, m.out):
                weak.append(m)
        return asserted, weak, regions

    def _chain(
        self, mentions: list[_Mention], *, outside: bool, history: bool = True
    ) -> tuple[int, _Mention | None]:
        """Most mentions one place explains (itself, its kecamatan, kabupaten, province).

        Inside, a kecamatan named explains the desa of the kecamatan split off from it
        (its former extent) unless ``history`` is false.
        """
        if len(mentions) < 2:
            return (1, mentions[0]) if mentions else (0, None)
        if outside:
            return self._outside_chain(mentions)
        places = self.gazetteer.places
        cover = self.gazetteer.kec_cover
        sets: list[set[str]] = []
        for m in mentions:
            codes: set[str] = set()
            for k in m.idx:
                p = places[k]
                if p.level == "kecamatan":
                    codes |= cover[p.code] if history else {p.code}
                else:
                    codes.add(p.desa_code or p.code)
            sets.append(codes)
        best, who = 0, None
        for i, m in enumerate(mentions):
            for k in m.idx[:64]:
                p = places[k]
                anc = {p.kecamatan_code, p.kabupaten_code} - {p.code, None}
                n = 1 + sum(1 for j, s in enumerate(sets) if j != i and not s.isdisjoint(anc))
                if n > best:
                    best, who = n, m
        return best, who

    def _outside_chain(self, mentions: list[_Mention]) -> tuple[int, _Mention | None]:
        """:meth:`_chain` outside: only the outside areas named can hold another mention."""
        areas = self._areas
        places = self.gazetteer.places
        hits = [(j, areas.intersection(m.out)) for j, m in enumerate(mentions)]
        named = [(j, {places[k].code for k in s}) for j, s in hits if s]
        if not named:
            return 1, None  # no kecamatan, kabupaten or province outside: no chain
        best, who = 0, None
        for i, m in enumerate(mentions):
            rivals = [s for j, s in named if j != i]
            if not rivals:
                if m.out and best < 1:
                    best, who = 1, m
                continue
            held = set().union(*rivals)  # a candidate outside all of them explains itself only
            for k in m.out[:64]:
                p = places[k]
                anc = {p.kecamatan_code, p.kabupaten_code, p.code[:2]} - {p.code}
                n = 1 if held.isdisjoint(anc) else 1 + sum(not s.isdisjoint(anc) for s in rivals)
                if n > best:
                    best, who = n, m
        return best, who

    # -- inside -------------------------------------------------------------------
    def _by_level(self, inside: list[_Mention]) -> tuple[list[list[Place]], list[list[Place]]]:
        """Split each mention's candidates into desa/landmark and kecamatan, by its marker.

        A name after "Kec." is never placed as a desa (a kecamatan that is not inside
        blocks its namesake desa).
        """
        places = self.gazetteer.places
        cover = self.gazetteer.kec_cover
        small: list[list[Place]] = []
        kecs: list[list[Place]] = []
        for m in inside:
            cands = [places[k] for k in m.idx]
            d = [p for p in cands if p.level in {"desa", "landmark"}]
            c = [p for p in cands if p.level == "kecamatan"]
            if m.hint == "kec":
                d = []
            elif m.hint == "desa" and d:
                c = []
            elif m.hint == "kab":
                d, c = [], []
            small.append(d)
            kecs.append(c)
        # a mention naming a kecamatan that holds a desa named elsewhere is context only
        for i in range(len(inside)):
            if small[i] and kecs[i]:
                cov = set().union(*(cover[p.code] for p in kecs[i]))
                others = [p for j in range(len(inside)) if j != i for p in small[j]]
                if any(p.kecamatan_code in cov for p in others):
                    small[i] = []
        return small, kecs

    def _desa_level(
        self,
        inside: list[_Mention],
        small: list[list[Place]],
        kecs: list[list[Place]],
        kab_ctx: set[str | None],
    ) -> Match | None:
        """Return the desa or landmark named, ``ambiguous`` among namesakes, or ``None``."""
        cover = self.gazetteer.kec_cover
        ctx = [set().union(*(cover[p.code] for p in c)) if c else set() for c in kecs]
        firm = {
            i
            for i, m in enumerate(inside)
            if m.hint == "desa" and m.quality >= 92.0 and len({p.code for p in small[i]}) == 1
        }
        pool, penalty, flag = _desa_pool(small, ctx, kab_ctx, firm)
        if not pool:
            return None
        by_mention: dict[int, list[Place]] = {}
        for i, p in pool:
            by_mention.setdefault(i, []).append(p)
        chosen = list(by_mention)
        hinted = [i for i in chosen if inside[i].hint == "desa"]
        if hinted:
            chosen = hinted
        lms = [i for i in chosen if any(p.level == "landmark" for p in by_mention[i])]
        if lms:
            chosen = lms
        resolved = [i for i in chosen if len({p.code for p in by_mention[i]}) == 1]
        # a name that is also a kecamatan, with no other kecamatan named: kecamatan level
        if len(chosen) == 1 and kecs[chosen[0]] and not hinted:
            i = chosen[0]
            own = [p for p in kecs[i] if not kab_ctx or p.kabupaten_code in kab_ctx]
            if own and not _other_context(ctx, i):
                return None
        i = resolved[-1] if resolved else chosen[-1]
        if penalty == _NO_CTX and not kab_ctx and self._too_common(inside[i]):
            codes = sorted({p.code for p in by_mention[i]})
            return Match("ambiguous", None, 0.0, "ambiguous", f"{inside[i].text}|{codes}")
        if resolved:
            score = inside[i].quality - penalty
            return Match("matched", by_mention[i][0], max(0.0, min(100.0, score)), flag=flag)
        fit = _by_status(inside[i].marker, by_mention[i])
        if len({p.code for p in fit}) == 1:  # "Kel." or "Desa" tells the namesakes apart
            score = inside[i].quality - penalty - _STATUS_PENALTY
            return Match("matched", fit[0], max(0.0, min(100.0, score)), flag=flag)
        codes = sorted({p.code for p in by_mention[i]})
        shared = {p.kecamatan_code for p in by_mention[i]}
        if penalty == 0.0 and len(shared) == 1 and (kec := self._kec_place.get(str(shared.pop()))):
            # every namesake lies in the kecamatan written ("Kel. 20 Ilir, Kec. IT I" with
            # 20 Ilir D I, D III and D IV): the kecamatan is known, the desa is not
            score = inside[i].quality - _KEC_PENALTY
            return Match("matched", kec, max(0.0, min(100.0, score)))
        return Match("ambiguous", None, 0.0, "ambiguous", f"{inside[i].text}|{codes}")

    def _leftover(
        self,
        inside: list[_Mention],
        outside: list[_Mention],
        small: list[list[Place]],
        kab_ctx: set[str | None],
    ) -> Match:
        """Why nothing was placed: namesakes, only a kabupaten, a place outside, or nothing."""
        amb = [i for i, d in enumerate(small) if len({p.code for p in d}) > 1]
        if amb:
            i = amb[-1]
            codes = sorted({p.code for p in small[i]})
            return Match("ambiguous", None, 0.0, "ambiguous", f"{inside[i].text}|{codes}")
        if kab_ctx:
            places = self.gazetteer.places
            name = next(
                m.text for m in inside if any(places[k].level == "kabupaten" for k in m.idx)
            )
            return Match("unmatched", None, 0.0, "kabupaten_only", name)
        regions = [m for m in outside if not self._regions.isdisjoint(m.out)]
        if regions:
            return Match("unmatched", None, 0.0, "outside", regions[0].text)
        return Match("unmatched", None, 0.0, "no_place")


def _phrase_end(toks: tuple[str, ...], start: int) -> int:
    """End of the words from ``start`` up to a separator or marker (at most a few)."""
    end = start
    while end < min(len(toks), start + _AREA_WORDS) and toks[end] != BOUNDARY:
        if end > start and toks[end] in _MARKERS:
            break
        end += 1
    return end


def _refuse(m: _Mention) -> Match:
    return Match("unmatched", None, 0.0, "outside", m.text)


def _status_clash(
    marker: str, ins: list[Place], places: tuple[Place, ...], out: tuple[int, ...]
) -> bool:
    """Whether "Kel."/"Desa" fits only the outside namesakes ``out`` (desa vs kelurahan)."""
    want = "kelurahan" if marker in {"kel", "kelurahan"} else "desa" if marker == "desa" else ""
    if not want or any(p.kind == want for p in ins):
        return False
    return any(places[k].kind == want for k in out)


def _by_status(marker: str, cands: list[Place]) -> list[Place]:
    """Keep the namesakes whose status fits the marker ("Kel." kelurahan, "Desa" desa)."""
    want = "kelurahan" if marker in {"kel", "kelurahan"} else "desa" if marker == "desa" else ""
    if not want or len({p.code for p in cands}) < 2:
        return cands
    fit = [p for p in cands if p.kind == want]
    return fit or cands


def _other_context(ctx: list[set[str]], i: int) -> set[str]:
    """Return the kecamatan codes named by every mention but the ``i``-th."""
    return set().union(*(ctx[j] for j in range(len(ctx)) if j != i))


def _desa_pool(
    small: list[list[Place]],
    ctx: list[set[str]],
    kab_ctx: set[str | None],
    firm: set[int],
) -> tuple[list[tuple[int, Place]], float, str]:
    """Return the desa/landmark candidates the context allows, the score penalty and a flag.

    ``firm`` are the mentions naming one desa after "Desa"/"Kel." exactly: when the
    kecamatan written is another, such a desa is still placed, flagged
    ``kecamatan_mismatch`` with a lower score (other names fall back to the kecamatan).
    """
    pool: list[tuple[int, Place]] = [(i, p) for i, d in enumerate(small) for p in d]
    # a kabupaten named in the text keeps the units in it; if none is (a road named
    # after a town, "Jl. Palembang-Kayuagung"), the kabupaten is ignored
    in_kab = [(i, p) for i, p in pool if p.kabupaten_code in kab_ctx]
    if in_kab:
        pool = in_kab
    penalty, flag = _NO_CTX, ""
    if pool:
        other_ctx = {i: _other_context(ctx, i) for i in {i for i, _ in pool}}
        consistent = [(i, p) for i, p in pool if p.kecamatan_code in other_ctx[i]]
        if consistent:
            pool, penalty = consistent, 0.0
        elif any(other_ctx.values()):
            # the desa is not in the kecamatan named: a typo'd or wrong desa name is
            # likelier than a wrong kecamatan, unless "Desa X" names one desa exactly
            pool = [(i, p) for i, p in pool if i in firm]
            penalty, flag = _MISMATCH_PENALTY, "kecamatan_mismatch" if pool else ""
        elif in_kab:
            penalty = 2.0
    return pool, penalty, flag


def _kecamatan_level(
    inside: list[_Mention], kecs: list[list[Place]], kab_ctx: set[str | None]
) -> Match | None:
    """Return the kecamatan named (score lowered), ``ambiguous`` among several, or ``None``."""
    kpool = [(i, p) for i, c in enumerate(kecs) for p in c]
    kpool = [(i, p) for i, p in kpool if p.kabupaten_code in kab_ctx] or kpool
    if not kpool:
        return None
    kcodes = {p.code for _, p in kpool}
    if len(kcodes) > 1:
        hinted_k = [(i, p) for i, p in kpool if inside[i].hint == "kec"]
        if len({p.code for _, p in hinted_k}) == 1:
            kpool = hinted_k
            kcodes = {p.code for _, p in kpool}
    if len(kcodes) == 1:
        i, p = kpool[-1]
        score = inside[i].quality - _KEC_PENALTY
        return Match("matched", p, max(0.0, min(100.0, score)))
    i = kpool[-1][0]
    return Match("ambiguous", None, 0.0, "ambiguous", f"{inside[i].text}|{sorted(kcodes)}")
