r"""Choosing one text encoding per file, and saying which one was used.

:func:`decode_bytes` decides the encoding of a whole file once and never mixes two:

1. a byte order mark decides: UTF-8, UTF-16 LE/BE or UTF-32 LE/BE;
2. without one, UTF-16 is recognised by its NUL bytes (Excel "Unicode Text" and other
   UTF-16 text has a NUL in every other byte for Latin letters);
3. a file that is valid UTF-8 throughout is UTF-8;
4. otherwise the bytes are counted: when valid UTF-8 sequences (``c3 a9`` for ``é``)
   outnumber the stray high bytes, the file is UTF-8 with a few broken bytes (each
   replaced by U+FFFD, and counted); else it is Windows-1252 (what Excel on Windows writes
   as "CSV"), where every byte is a character and nothing is lost. In real cp1252 text a
   valid UTF-8 pair needs an accented capital followed by a symbol (``Ã©``), so it is rare,
   while a UTF-8 file rarely holds more than a few broken bytes.

One cp1252 cell that happens to look like UTF-8 (``Ã©``) therefore no longer turns a
whole cp1252 file into UTF-8 with every ``°`` replaced, which is what the previous rule
("any UTF-8-looking sequence means UTF-8") did.

Examples
--------
>>> decode_bytes("3° LS".encode("cp1252")).encoding
'cp1252'
>>> d = decode_bytes("\ufeffno\tlat\r\n".encode("utf-16-le"))
>>> d.encoding, d.bom, d.text
('utf-16-le', True, 'no\tlat\r\n')
>>> decode_bytes(b"Caf\xc3\xa9 d\xc3\xa9j\xc3\xa0 \xff").replaced
1
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import numpy as np

__all__ = ["ENCODING_LABELS", "Decoded", "decode_bytes"]

#: How each encoding is named to people.
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "utf-32-le": "UTF-32 LE",
    "utf-32-be": "UTF-32 BE",
    "cp1252": "Windows-1252 (cp1252)",
}
_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_RE_UTF8_SEQ = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_NUL_SAMPLE = 65536
_NUL_HIGH = 0.3  # share of NULs at the odd (LE) or even (BE) positions of UTF-16 text
_NUL_LOW = 0.02  # ... and at most this share at the other positions
# Windows-1252 leaves five bytes undefined; Windows (and the WHATWG decoder) map them to
# the C1 controls of the same number, so every byte decodes and the text is lossless.
_CP1252_TABLE = {
    b: (bytes([b]).decode("cp1252", errors="ignore") or chr(b)) for b in range(0x80, 0xA0)
}


@dataclass(frozen=True)
class Decoded:
    """Text of a file and how it was decoded.

    Attributes
    ----------
    text : str
        The decoded text (byte order mark removed).
    encoding : str
        ``"utf-8"``, ``"utf-16-le"``, ``"utf-16-be"``, ``"utf-32-le"``, ``"utf-32-be"``
        or ``"cp1252"``.
    bom : bool
        Whether the file started with a byte order mark.
    replaced : int
        Number of undecodable bytes replaced by U+FFFD (0: the text is exactly the file).
    """

    text: str
    encoding: str
    bom: bool
    replaced: int

    @property
    def label(self) -> str:
        """The encoding as shown to people, e.g. ``"UTF-16 LE (BOM)"``."""
        name = ENCODING_LABELS.get(self.encoding, self.encoding)
        return f"{name} (BOM)" if self.bom else name


def _mark_bad_bytes(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: one lone surrogate per undecodable byte (never valid text)."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    return _BAD_MARK * (err.end - err.start), err.end


_BAD_MARK = "\udcfd"
_HANDLER = "kamtibmas_geo.mark_bad_bytes"
codecs.register_error(_HANDLER, _mark_bad_bytes)


def _decode_replacing(data: bytes, encoding: str) -> tuple[str, int]:
    """Decode, replacing each bad byte by U+FFFD; return the text and how many were replaced."""
    try:
        return data.decode(encoding), 0
    except UnicodeDecodeError:
        pass
    text = data.decode(encoding, errors=_HANDLER)
    return text.replace(_BAD_MARK, "\ufffd"), text.count(_BAD_MARK)


def _utf16_by_nuls(data: bytes) -> str | None:
    """Return ``"utf-16-le"``/``"utf-16-be"`` when the NUL pattern clearly says so."""
    sample = np.frombuffer(data[: _NUL_SAMPLE - (_NUL_SAMPLE % 2)], dtype=np.uint8)
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    nul = sample == 0
    even, odd = nul[0::2].mean(), nul[1::2].mean()
    if odd >= _NUL_HIGH and even <= _NUL_LOW:
        return "utf-16-le"
    if even >= _NUL_HIGH and odd <= _NUL_LOW:
        return "utf-16-be"
    return None


def _looks_utf8(data: bytes) -> bool:
    """Whether valid UTF-8 sequences outnumber the stray high bytes (file is not valid UTF-8)."""
    high = int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) >= 0x80))
    valid = valid_bytes = 0
    for m in _RE_UTF8_SEQ.finditer(data):
        valid += 1
        valid_bytes += m.end() - m.start()
    stray = high - valid_bytes
    return valid > stray


def decode_cp1252(data: bytes) -> str:
    """Decode Windows-1252 as Windows does: the five undefined bytes become C1 controls.

    Parameters
    ----------
    data : bytes

    Returns
    -------
    str
        Exactly one character per byte.
    """
    return data.decode("latin-1").translate(_CP1252_TABLE)


def decode_bytes(data: bytes) -> Decoded:
    """Decode the bytes of a text file with one encoding chosen for the whole file.

    Parameters
    ----------
    data : bytes
        The whole file.

    Returns
    -------
    Decoded
        The text, the encoding, whether a byte order mark was present and the number of
        bytes that could not be decoded.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text, bad = _decode_replacing(data[len(bom) :], encoding)
            return Decoded(text, encoding, True, bad)
    utf16 = _utf16_by_nuls(data)
    if utf16 is not None:
        text, bad = _decode_replacing(data, utf16)
        return Decoded(text, utf16, False, bad)
    try:
        return Decoded(data.decode("utf-8"), "utf-8", False, 0)
    except UnicodeDecodeError:
        pass
    if _looks_utf8(data):
        text, bad = _decode_replacing(data, "utf-8")
        return Decoded(text, "utf-8", False, bad)
    return Decoded(decode_cp1252(data), "cp1252", False, 0)
