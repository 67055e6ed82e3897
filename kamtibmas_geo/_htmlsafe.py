r"""Neutralising user text for HTML pages: no markup, no script, no template syntax.

Every text of the data that reaches a page goes through one of two doors:

* :func:`escape_html` for text written into HTML (the patrol page): the five HTML
  specials become entities, and so do ``{``, ``}``, ``%`` and ``#``, so the page holds no
  ``{{``, ``{%``, ``{#``, ``<%`` or ``#{`` that a template engine (Jinja2, Django, ERB,
  Pug...) could read, even if someone later feeds the page to one.
* :func:`script_json` for data handed to the browser in a
  ``<script type="application/json">`` block (the maps): ``<``, ``>`` and ``&`` and the
  JavaScript line separators U+2028/U+2029 are escaped so nothing can close the block,
  and inside strings ``{`` and ``}`` are written as ``\u007b`` and ``\u007d``.
  ``JSON.parse`` gives back the exact text. The JSON is one line (newlines in strings are
  ``\n``) and holds no ``<``, so with the braces gone no ``{{``, ``{%``, ``{#``, ``${``,
  ``#{``, ``<%`` nor a line statement can appear in it; ``%`` and ``#`` stay readable
  (``99%``, colours).

Neither function is ever used to build template source; the map elements of
:mod:`kamtibmas_geo.render._page` write their text verbatim, outside any template.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["escape_html", "script_json"]

_HTML_TABLE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#x27;",
        "{": "&#123;",
        "}": "&#125;",
        "%": "&#37;",
        "#": "&#35;",
    }
)
#: Characters escaped everywhere in the JSON text (they only occur inside strings or are
#: JavaScript line terminators).
_JSON_ALWAYS = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
_JSON_ALWAYS_RE = re.compile("[<>&\u2028\u2029]")
#: Characters escaped inside JSON strings only (``{`` and ``}`` are also JSON syntax).
_JSON_IN_STRING = str.maketrans({"{": "\\u007b", "}": "\\u007d"})
#: One JSON string literal (unrolled loop: fast on multi-MB pages).
_JSON_STRING_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def escape_html(text: object) -> str:
    """Return ``str(text)`` safe as HTML text or a quoted attribute value.

    Parameters
    ----------
    text : object
        Any value; it is converted with ``str``.

    Returns
    -------
    str
        The text with ``& < > " '`` and the template characters ``{ } % #`` as
        character references; a browser shows exactly the original text.

    Examples
    --------
    >>> escape_html("{{ 7*7 }} <b>")
    '&#123;&#123; 7*7 &#125;&#125; &lt;b&gt;'
    """
    return str(text).translate(_HTML_TABLE)


def _unicode_escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return _JSON_ALWAYS.get(char) or f"\\u{ord(char):04x}"


def _escape_string(match: re.Match[str]) -> str:
    literal = match.group(0)
    if "{" in literal or "}" in literal:
        return literal.translate(_JSON_IN_STRING)
    return literal


def script_json(value: Any) -> str:
    r"""Serialise ``value`` as JSON that is safe inside an HTML ``<script>`` block.

    ``<``, ``>`` and ``&`` become ``\u003c``, ``\u003e``, ``\u0026`` (so neither
    ``</script>`` nor ``<!--`` can appear), U+2028/U+2029 are escaped, and inside strings
    ``{`` and ``}`` become ``\u007b`` and ``\u007d`` (so no template syntax can appear).

    Parameters
    ----------
    value : object
        JSON-serialisable data (NaN is refused: write ``None`` for missing values).

    Returns
    -------
    str

    Examples
    --------
    >>> script_json({"a": "</script><!--"})
    '{"a":"\\u003c/script\\u003e\\u003c!--"}'
    >>> script_json(["{{ 7*7 }}"])
    '["\\u007b\\u007b 7*7 \\u007d\\u007d"]'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = _JSON_STRING_RE.sub(_escape_string, text)
    return _JSON_ALWAYS_RE.sub(_unicode_escape, text)
