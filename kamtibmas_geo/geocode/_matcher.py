"""The address matcher: names found by n-gram look-ups, context decides between namesakes.

Used by :func:`kamtibmas_geo.geocode.geocode`; see ``docs/geocode.md`` for the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kamtibmas_geo.geocode._gazetteer import Gazetteer, Place
from kamtibmas_geo.records._aliases import (
    BOUNDARY,
    DESA_MARKERS,
    KAB_MARKERS,
    KEC_MARKERS,
    phonetic,
)
from kamtibmas_geo.records._aliases import tokens as _tokens

__all__ = ["Match", "Matcher"]

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
    """

    status: str
    place: Place | None
    score: float
    reason_code: str = ""
    detail: str = ""


@dataclass(slots=True)
class _Mention:
    start: int
    length: int
    idx: tuple[int, ...]
    quality: float
    hint: str  # "desa" | "kec" | "kab" | ""
    text: str


_MARKERS = KEC_MARKERS | DESA_MARKERS | KAB_MARKERS


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
        self._exact_prefix = _prefixes(gazetteer.exact)
        self._sound_prefix = _prefixes(gazetteer.sound)
        self._cache: dict[str, Match] = {}
        self._decided: dict[tuple[Any, ...], Match] = {}
        self._dead: set[str] = set()
        self._kec_desa: dict[str, dict[str, tuple[int, ...]]] = {}
        for k, idx in gazetteer.sound.items():
            desa_idx = tuple(j for j in idx if gazetteer.places[j].level == "desa")
            for j in desa_idx:
                kec = gazetteer.places[j].kecamatan_code
                if kec:
                    self._kec_desa.setdefault(kec, {})[k] = desa_idx
        self._fuzzy_seen: dict[str, tuple[float, str]] = {}
        self._desa_keys = tuple(
            k
            for k, idx in gazetteer.sound.items()
            if all(gazetteer.places[i].level == "desa" for i in idx)
        )

    # -- finding names -------------------------------------------------------------
    def _mentions(self, toks: tuple[str, ...]) -> tuple[list[_Mention], set[int]]:
        gaz = self.gazetteer
        exact, sound = gaz.exact, gaz.sound
        mentions: list[_Mention] = []
        covered: set[int] = set()
        dead = self._dead
        i, n = 0, len(toks)
        while i < n:
            if toks[i] == BOUNDARY:
                i += 1
                continue
            if toks[i] in dead:
                i += 1
                continue
            best: tuple[int, tuple[int, ...], float] | None = None
            key = ""
            for j in range(i, min(n, i + gaz.max_tokens)):
                if toks[j] == BOUNDARY:
                    break
                key += toks[j]
                in_exact = key in self._exact_prefix
                if in_exact:
                    hit = exact.get(key)
                    if hit:
                        best = (j - i + 1, hit, 100.0)
                        continue
                pkey = phonetic(key)
                in_sound = pkey in self._sound_prefix
                if not (in_exact or in_sound):
                    if j == i:
                        dead.add(key)
                    break
                hit = sound.get(pkey) if in_sound else None
                if hit:
                    best = (j - i + 1, hit, 92.0)
            if best is None:
                i += 1
                continue
            length, idx, quality = best
            prev = toks[i - 1] if i > 0 else ""
            hint = (
                "kec"
                if prev in KEC_MARKERS
                else "desa"
                if prev in DESA_MARKERS
                else "kab"
                if prev in KAB_MARKERS
                else ""
            )
            text = " ".join(toks[i : i + length])
            mentions.append(_Mention(i, length, idx, quality, hint, text))
            covered.update(range(i, i + length))
            i += length
        return mentions, covered

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
            used |= span
            prev = toks[i - 1] if i > 0 else ""
            hint = "kec" if prev in KEC_MARKERS else "desa" if prev in DESA_MARKERS else ""
            idx = gaz.sound[cand]
            found.append(_Mention(i, length, idx, val * 0.9, hint, " ".join(toks[i : i + length])))
        return sorted(found, key=lambda m: m.start)

    def _fuzzy_desa(self, key: str) -> tuple[int, ...]:
        """Desa whose key is within a typo of ``key`` (for names after "Desa"/"Kel.")."""
        from rapidfuzz import fuzz, process

        pkey = phonetic(key)
        cutoff = self.fuzzy_cutoff + (0 if len(pkey) >= 8 else 5)
        hit = process.extractOne(pkey, self._desa_keys, scorer=fuzz.ratio, score_cutoff=cutoff)
        if hit is None or _digits(hit[0]) != _digits(pkey):
            return ()
        return self.gazetteer.sound[hit[0]]

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
            cands = [places[k] for k in m.idx]
            desa = [p for p in cands if p.level == "desa"]
            if not desa or m.hint == "kec" or any(p.level != "desa" for p in cands):
                continue
            if any(p.kecamatan_code in kec_cov for p in desa):
                continue
            near = self._near(toks, m.start, kec_cov)
            if near is not None:
                m.idx, m.length, m.quality, m.text = near

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
        toks = _tokens(text)
        if not toks:
            return Match("unmatched", None, 0.0, "no_place")
        mentions, covered = self._mentions(toks)
        places = self.gazetteer.places
        levels = [{places[k].level for k in m.idx} for m in mentions]
        has_small = any(
            lv & {"desa", "landmark"} and ("kecamatan" not in lv or m.hint == "desa")
            for m, lv in zip(mentions, levels, strict=True)
        )
        for m, lv in zip(mentions, levels, strict=True):
            if m.hint == "desa" and not lv & {"desa", "landmark"}:
                extra = self._fuzzy_desa(m.text.replace(" ", ""))
                if extra:
                    m.idx, has_small = m.idx + extra, True
        if not has_small:
            mentions = sorted(mentions + self._fuzzy(toks, covered), key=lambda m: m.start)
        self._repair(toks, mentions)
        key = tuple((m.idx, m.hint, m.quality, m.text) for m in mentions)
        hit = self._decided.get(key)
        if hit is None:
            hit = self._decide(mentions)
            self._decided[key] = hit
        return hit

    def _decide(self, mentions: list[_Mention]) -> Match:
        places = self.gazetteer.places
        inside = [m for m in mentions if places[m.idx[0]].level != "outside"]
        outside = [m for m in mentions if places[m.idx[0]].level == "outside"]
        kab_ctx = {
            places[k].kabupaten_code
            for m in inside
            for k in m.idx
            if places[k].level == "kabupaten"
        }
        verdict = self._outside(inside, outside, kab_ctx)
        if verdict is not None:
            return verdict
        small, kecs = self._by_level(inside)
        verdict = self._desa_level(inside, small, kecs, kab_ctx)
        if verdict is None:
            verdict = _kecamatan_level(inside, kecs, kab_ctx)
        if verdict is None:
            verdict = self._leftover(inside, outside, small, kab_ctx)
        return verdict

    def _outside(
        self, inside: list[_Mention], outside: list[_Mention], kab_ctx: set[str | None]
    ) -> Match | None:
        """Return ``outside`` when a place outside OKI/Palembang decides the address."""
        if not outside:
            return None
        places = self.gazetteer.places
        # an outside kabupaten, or any outside place after Kab./Kec./Desa, is decisive
        # unless OKI/Palembang is named too and the outside name has no marker
        decisive = [m for m in outside if m.hint or places[m.idx[0]].kind == "kabupaten"]
        if decisive and not (kab_ctx and all(not m.hint for m in decisive)):
            return Match("unmatched", None, 0.0, "outside", decisive[0].text)
        marked = any(m.hint in {"desa", "kec"} for m in inside)
        if not kab_ctx and not marked:
            return Match("unmatched", None, 0.0, "outside", outside[0].text)
        return None

    def _by_level(self, inside: list[_Mention]) -> tuple[list[list[Place]], list[list[Place]]]:
        """Split each mention's candidates into desa/landmark and kecamatan, by its marker."""
        places = self.gazetteer.places
        cover = self.gazetteer.kec_cover
        small: list[list[Place]] = []
        kecs: list[list[Place]] = []
        for m in inside:
            cands = [places[k] for k in m.idx]
            d = [p for p in cands if p.level in {"desa", "landmark"}]
            c = [p for p in cands if p.level == "kecamatan"]
            if m.hint == "kec" and c:
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
        pool, penalty = _desa_pool(small, ctx, kab_ctx)
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
        if resolved:
            i = resolved[-1]
            score = inside[i].quality - penalty
            return Match("matched", by_mention[i][0], max(0.0, min(100.0, score)))
        i = chosen[-1]
        codes = sorted({p.code for p in by_mention[i]})
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
            name = next(m.text for m in inside if places[m.idx[0]].level == "kabupaten")
            return Match("unmatched", None, 0.0, "kabupaten_only", name)
        if outside:
            return Match("unmatched", None, 0.0, "outside", outside[0].text)
        return Match("unmatched", None, 0.0, "no_place")


def _other_context(ctx: list[set[str]], i: int) -> set[str]:
    """Return the kecamatan codes named by every mention but the ``i``-th."""
    return set().union(*(ctx[j] for j in range(len(ctx)) if j != i))


def _desa_pool(
    small: list[list[Place]], ctx: list[set[str]], kab_ctx: set[str | None]
) -> tuple[list[tuple[int, Place]], float]:
    """Return the desa/landmark candidates the context allows, and its score penalty."""
    pool: list[tuple[int, Place]] = [(i, p) for i, d in enumerate(small) for p in d]
    # a kabupaten named in the text keeps the units in it; if none is (a road named
    # after a town, "Jl. Palembang-Kayuagung"), the kabupaten is ignored
    in_kab = [(i, p) for i, p in pool if p.kabupaten_code in kab_ctx]
    if in_kab:
        pool = in_kab
    penalty = _NO_CTX
    if pool:
        other_ctx = {i: _other_context(ctx, i) for i, _ in pool}
        consistent = [(i, p) for i, p in pool if p.kecamatan_code in other_ctx[i]]
        if consistent:
            pool, penalty = consistent, 0.0
        elif any(other_ctx.values()):
            # the desa is not in the kecamatan named: a typo'd or wrong desa name is
            # likelier than a wrong kecamatan, so fall back to the kecamatan
            pool = []
        elif in_kab:
            penalty = 2.0
    return pool, penalty


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
