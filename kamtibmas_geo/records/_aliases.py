"""Alias rules of the offline geocoder: one normal form for every way a place is written.

Names are never typed twice by hand. Every gazetteer name and every address goes through
the same :func:`normalize`, so that the variants a Polsek report uses collapse to one key:

* numbers in words, digits and Roman numerals: ``"Dua-puluh Ilir Empat"``,
  ``"20 Ilir D IV"``, ``"20 Ilir D. 4"`` and ``"20 Ilir D.IV"`` all become ``"20 ilir 4"``;
  ``"Pedamaran VI"`` = ``"Pedamaran 6"``;
* compound Ulu numbers: ``"Tiga Empat Ulu"`` = ``"3-4 Ulu"`` = ``"3/4 Ulu"`` → ``"3 4 ulu"``;
* abbreviations: ``Kel.``, ``Ds.``, ``Kec.``, ``Kab.``, ``Sei`` = ``Sungai``, ``Tj.`` =
  ``Tanjung``, ``Pl.`` = ``Pulau``, ``IT I`` = ``Ilir Timur 1``, ``SU II``, ``IB I``,
  ``AAL``, ``SP Padang``;
* joined and split words are handled by :func:`compact` (spaces removed), and vowel and
  doubled-letter variants (Sukarame/Sukarami) by :func:`phonetic`.

Examples
--------
>>> normalize("Jl. Merdeka RT 05 Kel. 20 Ilir D IV Kec. IT I")
'merdeka kel 20 ilir 4 kec ilir timur 1'
>>> normalize("Dua-puluh Ilir Empat") == normalize("20 Ilir D.IV")
True
>>> normalize("Sembilan Sepuluh Ulu") == normalize("9/10 Ulu")
True
>>> compact("Talang Betutu") == compact("Talangbetutu")
True
>>> phonetic("sukarame") == phonetic("Sukarami")
True
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "BOUNDARY",
    "DESA_MARKERS",
    "KAB_MARKERS",
    "KEC_MARKERS",
    "OLD_KECAMATAN",
    "OUTSIDE_PLACES",
    "REGION_ALIASES",
    "compact",
    "normalize",
    "phonetic",
    "tokens",
]

#: Token that separates parts of an address (commas, semicolons, brackets); n-grams
#: never cross it.
BOUNDARY = "|"

_UNITS = {
    "nol": 0,
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
}
_SPECIAL = {"sepuluh": 10, "sebelas": 11, "seratus": 100}
_NUM_VOCAB = frozenset(_UNITS) | frozenset(_SPECIAL)
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
    "xi": 11,
    "xii": 12,
}

#: Single-token abbreviations and spellings, expanded before matching.
_ABBREV = {
    "jl": "jalan",
    "jln": "jalan",
    "kel": "kel",
    "kelurahan": "kel",
    "ds": "desa",
    "dsn": "dusun",
    "kec": "kec",
    "kecamatan": "kec",
    "kab": "kab",
    "kabupaten": "kab",
    "kota": "kota",
    "sei": "sungai",
    "sng": "sungai",
    "sungei": "sungai",
    "tj": "tanjung",
    "tg": "tanjung",
    "tjg": "tanjung",
    "pl": "pulau",
    "plau": "pulau",
    "lr": "lorong",
    "lrg": "lorong",
    "gg": "gang",
    "kmg": "kemang",
    "psr": "pasar",
    "msj": "masjid",
    "mesjid": "masjid",
    "plg": "palembang",
    "kayuagung": "kayu agung",
    "kayu": "kayu",
    "smt": "sematang",
    "pkl": "pangkalan",
    "aal": "alang alang lebar",
    "spp": "sirah pulau padang",
    "camat": "kec",
    "lurah": "kel",
}

_ABBREV_TOKENS = {k: tuple(v.split()) for k, v in _ABBREV.items()}

#: Two-letter kecamatan abbreviations of Palembang, expanded only before a number
#: ("IT I", "SU II", "IB 1").
_BEFORE_NUMBER = {"it": "ilir timur", "ib": "ilir barat", "su": "seberang ulu"}

#: Tokens that carry no place: street and house-number words (and the number that follows
#: ``rt``/``rw``/``no``/``km``/``blok``/``dusun``) and positional words.
_FILLER = frozenset(
    re.findall(
        r"\w+",
        "jalan rt rw no nomor km blok gang lorong dusun dekat depan samping belakang arah "
        "menuju sekitar di ke dari dan yang tkp lokasi alamat wilayah kawasan komplek "
        "perumahan perum kompleks",
    )
)
_TAKES_NUMBER = frozenset(["rt", "rw", "no", "nomor", "km", "blok", "dusun", "gang", "lorong"])

#: Words that follow the number of a numbered kelurahan ("20 Ilir", "3-4 Ulu"): a number
#: before them is the name, never a house, RT or RW number.
_NUMBERED = frozenset({"ilir", "ulu"})
#: Tokens :func:`_expand` may replace (a text without any is left as it is).
_EXPANDED = frozenset(_BEFORE_NUMBER) | frozenset(_ABBREV) | {"sp"}

#: Tokens that announce the level of the name that follows.
KEC_MARKERS = frozenset({"kec"})
#: ``desakel`` is the marker of a desa/kelurahan column (no status written).
DESA_MARKERS = frozenset({"kel", "desa", "kelurahan", "desakel"})
KAB_MARKERS = frozenset({"kab", "kota"})

#: Extra names of the two kabupaten/kota (normal form).
REGION_ALIASES = {
    "16.02": ("ogan komering ilir", "oki", "kabupaten ogan komering ilir", "kab oki"),
    "16.71": ("palembang", "kota palembang", "pelembang"),
}

#: Kecamatan split later: old code -> new codes carved out of it. An address naming the
#: old kecamatan still matches units that now lie in the new one.
OLD_KECAMATAN = {
    "16.71.02": ("16.71.17",),  # Jakabaring from Seberang Ulu I (2017)
    "16.71.06": ("16.71.18",),  # Ilir Timur III from Ilir Timur II (2017)
    "16.71.07": ("16.71.15",),  # Alang-Alang Lebar from Sukarami (2007)
    "16.71.08": ("16.71.16",),  # Sematang Borang from Sako (2007)
    "16.71.01": ("16.71.12",),  # Gandus from Ilir Barat II
}

#: Places outside OKI and Palembang. An explicit mention makes an address unmatched,
#: unless the text also names a unit that contains the words (e.g. "Pulau Betung").
#: Kabupaten/kota names are decisive; towns are decisive unless OKI or Palembang is named.
OUTSIDE_PLACES = {
    "kabupaten": (
        "banyuasin",
        "ogan ilir",
        "prabumulih",
        "oku",
        "oku timur",
        "oku selatan",
        "ogan komering ulu",
        "ogan komering ulu timur",
        "ogan komering ulu selatan",
        "muara enim",
        "lahat",
        "musi banyuasin",
        "muba",
        "musi rawas",
        "musi rawas utara",
        "empat lawang",
        "pali",
        "penukal abab lematang ilir",
        "pagar alam",
        "pagaralam",
        "lubuklinggau",
        "lubuk linggau",
        "lampung",
        "bandar lampung",
        "tulang bawang",
        "kab mesuji",
        "mesuji lampung",
        "jambi",
        "bengkulu",
        "bangka",
        "belitung",
        "jakarta",
        "jakarta selatan",
        "jakarta timur",
        "sumatera utara",
        "sumatera barat",
        "malaysia",
        "singapura",
    ),
    "town": (
        "indralaya",
        "inderalaya",
        "sekayu",
        "betung",
        "baturaja",
        "martapura",
        "muaradua",
        "pangkalan balai",
        "sungsang",
        "tanjung raja",
        "pemulutan",
        "muara telang banyuasin",
        "rantau bayur",
        "banyuasin satu",
        "banyuasin dua",
        "banyuasin tiga",
        "rambutan",
        "talang jambe banyuasin",
        "gelumbang",
        "belitang",
        "cempaka",
        "tugumulyo oku",
        "kertapati ogan ilir",
        "sungai lilin",
        "bayung lencir",
        "babat toman",
        "mariana",
        "kenten laut",
        "sukamoro",
        "air batu",
        "tanjung enim",
        "kayu agung lampung",
        "bakauheni",
        "menggala",
    ),
}

_DIGIT = re.compile(r"\d")
_JOINED_NUM = re.compile(
    r"\b(satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan)(puluh|belas)(?=[a-z]|\b)"
)
_SPLIT_NUM = re.compile(r"(?<=\d)\s*[-/]\s*(?=\d)")
_ALNUM_SPLIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
#: Where :data:`_ALNUM_SPLIT` would split (searched first: most texts have no such place).
_ALNUM_ADJACENT = re.compile(r"[a-z]\d|\d[a-z]")
_PUNCT_TABLE = str.maketrans(
    {
        **{ch: " " for ch in ".-_'\"`:#*+&~^$%"},
        **{ch: f" {BOUNDARY} " for ch in ",;()[]{}/\\|!?\n\r\t<>=@"},
    }
)
_ROMAN_ALT = "|".join(sorted(_ROMAN, key=len, reverse=True))
_D_ROMAN = re.compile(rf"\bilir d\s+(?=(?:{_ROMAN_ALT}|\d+|{'|'.join(sorted(_NUM_VOCAB))})\b)")
# "ilir dii": a joined numeral; a lone "i" is left alone ("ilir di ..." is Indonesian "at")
_D_JOINED = re.compile(
    rf"\bilir d(\d+|{'|'.join(k for k in sorted(_ROMAN, key=len, reverse=True) if k != 'i')})\b"
)
#: A short bracket: initials of the words before it ("Ilir Barat (IB) I") or a number
#: restating number words ("Tiga Puluh (30) Ilir") is dropped; others separate parts.
_BRACKET = re.compile(r"\(\s*([a-z0-9]{1,8})\s*\)")
_WORD = re.compile(r"[a-z0-9]+")
_NUMBER_WORDS = frozenset({*_UNITS, *_SPECIAL, "puluh", "belas"})


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _number_words(toks: list[str]) -> list[str]:
    """Turn number words into digits: ``dua puluh enam`` -> ``26``, ``tiga belas`` -> 13."""
    if _NUM_VOCAB.isdisjoint(toks) and not any(map(str.isdigit, toks)):
        return toks
    out: list[str] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if t in _SPECIAL:
            value = _SPECIAL[t]
            out.append(str(value))
            i += 1
            continue
        is_unit_digit = len(t) <= 2 and t.isdigit() and 0 < int(t) < 10
        if t in _UNITS or is_unit_digit:
            value = int(t) if is_unit_digit else _UNITS[t]
            if is_unit_digit and not (i + 1 < n and toks[i + 1] in {"belas", "puluh"}):
                out.append(str(value))
                i += 1
                continue
            if i + 1 < n and toks[i + 1] == "belas":
                out.append(str(10 + value))
                i += 2
                continue
            if i + 1 < n and toks[i + 1] == "puluh":
                value *= 10
                i += 2
                if i < n and toks[i] in _UNITS:
                    value += _UNITS[toks[i]]
                    i += 1
                elif i < n and len(toks[i]) <= 2 and toks[i].isdigit() and int(toks[i]) < 10:
                    value += int(toks[i])
                    i += 1
                out.append(str(value))
                continue
            out.append(str(value))
            i += 1
            continue
        if t.isdigit():
            out.append(str(int(t)) if len(t) < 6 else t)
        else:
            out.append(t)
        i += 1
    return out


def _roman(toks: list[str]) -> list[str]:
    """Turn Roman numerals into digits when they follow a word (``pedamaran vi``)."""
    if _ROMAN.keys().isdisjoint(toks):
        return toks
    out = list(toks)
    for i, t in enumerate(toks):
        if t in _ROMAN and i > 0 and toks[i - 1] != BOUNDARY:
            out[i] = str(_ROMAN[t])
    return out


def _expand(toks: list[str]) -> list[str]:
    if _EXPANDED.isdisjoint(toks):
        return toks
    out: list[str] = []
    n = len(toks)
    for i, t in enumerate(toks):
        if t not in _EXPANDED:
            out.append(t)
            continue
        j = i + 1
        while j < n and toks[j] in _FILLER:
            j += 1
        nxt = toks[j] if j < n else ""
        if t in _BEFORE_NUMBER and (nxt.isdigit() or nxt in _NUM_VOCAB):
            out.extend(_BEFORE_NUMBER[t].split())
        elif t == "sp" and nxt == "padang":
            out.extend(("sirah", "pulau"))
        elif t in _ABBREV:
            out.extend(_ABBREV_TOKENS[t])
        else:
            out.append(t)
    return out


def _starts_numbered(toks: list[str], i: int) -> bool:
    """Whether the number at ``i`` begins a numbered name (``20 ilir``, ``3 4 ulu``)."""
    nxt = toks[i + 1] if i + 1 < len(toks) else ""
    if nxt in _NUMBERED:
        return True
    # a compound number counts up by one: 3-4 Ulu, 9-10 Ulu (never "RW 01 5 Ulu")
    compound = nxt.isdigit() and toks[i].isdigit() and int(nxt) == int(toks[i]) + 1
    return compound and i + 2 < len(toks) and toks[i + 2] in _NUMBERED


def _drop_filler(toks: list[str]) -> list[str]:
    if _TAKES_NUMBER.isdisjoint(toks) and _FILLER.isdisjoint(toks):
        return toks
    out: list[str] = []
    append, takes, filler = out.append, _TAKES_NUMBER, _FILLER
    skip = 0
    for i, t in enumerate(toks):
        if skip:
            if t.isdigit() and not _starts_numbered(toks, i):
                skip -= 1
                continue
            skip = 0
        if t in takes:
            skip = 2 if t in {"rt", "rw"} else 1
        if t in filler:
            continue
        append(t)
    return out


def _restated(m: re.Match[str]) -> str:
    """Drop a bracket that only restates the words before it (initials or the number)."""
    inner = m.group(1)
    before = _WORD.findall(m.string[: m.start()])
    if inner.isdigit():
        return " " if before and before[-1] in _NUMBER_WORDS else m.group(0)
    k = len(inner)
    if 2 <= k <= len(before) and "".join(w[0] for w in before[-k:]) == inner:
        return " "
    return m.group(0)


@lru_cache(maxsize=262_144)
def tokens(text: str) -> tuple[str, ...]:
    """Return the normalised tokens of ``text`` (see :func:`normalize`).

    Parameters
    ----------
    text : str
        Free text: an address or a place name.

    Returns
    -------
    tuple of str
        Tokens; :data:`BOUNDARY` marks commas and similar separators.
    """
    s = (text if text.isascii() else _ascii(text)).lower()
    if "(" in s:
        s = _BRACKET.sub(_restated, s)
    has_digit = _DIGIT.search(s) is not None
    if has_digit and ("-" in s or "/" in s):
        s = _SPLIT_NUM.sub(" ", s)
    if "puluh" in s or "belas" in s:
        s = _JOINED_NUM.sub(r"\1 \2 ", s)
    has_d = "ilir d" in s
    if has_d:
        s = _D_JOINED.sub(r"ilir \1", s)
    s = s.translate(_PUNCT_TABLE)
    if has_d:
        s = _D_ROMAN.sub("ilir ", s)
    if has_digit and _ALNUM_ADJACENT.search(s):
        s = _ALNUM_SPLIT.sub(" ", s)
    toks = s.split()
    toks = _drop_filler(_expand(_roman(toks)))
    toks = _number_words(toks)
    # collapse repeated boundaries and strip them at the ends
    out: list[str] = []
    for t in toks:
        if t == BOUNDARY and (not out or out[-1] == BOUNDARY):
            continue
        out.append(t)
    while out and out[-1] == BOUNDARY:
        out.pop()
    return tuple(out)


def normalize(text: str) -> str:
    """Return the normal form of ``text``: lowercase ASCII words, numbers as digits.

    Parameters
    ----------
    text : str
        Free text.

    Returns
    -------
    str
        Space-separated tokens, without separators.
    """
    return " ".join(t for t in tokens(text) if t != BOUNDARY)


def compact(text: str) -> str:
    """Return the key of a name: its normal form with spaces removed.

    Parameters
    ----------
    text : str
        A place name.

    Returns
    -------
    str
    """
    return normalize(text).replace(" ", "")


_DOUBLE = re.compile(r"([a-z])\1+")


@lru_cache(maxsize=262_144)
def phonetic(key: str) -> str:
    """Return a coarse sound key: old spellings, vowels e/i and o/u, doubled letters merged.

    The prefix *Seri-* is written *Sri-* as often (Serijaya, Srijaya): both key as *sri*.

    Parameters
    ----------
    key : str
        A compact key (or any text, which is compacted first).

    Returns
    -------
    str
    """
    k = key if key.isalnum() and key.islower() else compact(key)
    k = k.replace("oe", "u").replace("dj", "j").replace("tj", "c").replace("ch", "k")
    k = k.replace("e", "i").replace("o", "u").replace("y", "i")
    if k.startswith("siri"):  # "Seri-"/"Sri-" are one prefix (Serijaya, Srijaya)
        k = "sri" + k[4:]
    return _DOUBLE.sub(r"\1", k)
