"""The map's own page elements: data written verbatim, never compiled, ids numbered.

branca turns the output of every ``MacroElement`` macro into a new ``Element(text)``, whose
text is compiled as Jinja2 template source when the page is rendered. Any user text inside
it would run as a template (``{{ 7*7 }}`` shows 49, ``{#`` crashes, a crafted note runs
shell commands). :class:`DataLayers` therefore adds :class:`RawHtml` pieces instead, whose
text reaches the page as is: the style sheet, the ``<script type="application/json">`` data
block (already escaped by :func:`kamtibmas_geo._htmlsafe.script_json`) and the script that
builds the layers. folium itself only ever receives numbers (centre, zoom) from us.

folium names elements with random ids (``map_3ad4...``); :func:`number_elements` gives
every element of the tree a deterministic id, so the same inputs give the same bytes.
Names are looked up when the page is rendered, so references between elements hold.
"""

from __future__ import annotations

import json
from itertools import count
from typing import Any

from branca.element import Element, Figure, MacroElement

from kamtibmas_geo._errors import ScoreError

__all__ = ["DataLayers", "RawHtml", "number_elements"]

MESSAGES = {
    "no_page": {
        "id": "Lapisan peta hanya dapat digambar pada peta folium di dalam sebuah halaman.",
        "en": "The map layers can only be rendered on a folium map inside a page.",
    },
}

#: Tokens of :data:`kamtibmas_geo.render._mapjs.SCRIPT` filled in at render time.
DATA_ID_TOKEN = "__KG_DATA_ID__"
MAP_TOKEN = "__KG_MAP__"


class RawHtml(Element):
    """A piece of page text written as is: it is never compiled as a template.

    Parameters
    ----------
    text : str
        Finished HTML, CSS or JavaScript (any user text in it already escaped).
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """Return the text unchanged.

        Parameters
        ----------
        **kwargs
            Ignored (branca passes its render options).

        Returns
        -------
        str
        """
        return self.text


class DataLayers(MacroElement):
    """The layers of a kamtibmas map: style sheet, data block and the script that draws.

    Parameters
    ----------
    data_json : str
        The map data from :func:`kamtibmas_geo._htmlsafe.script_json`.
    css : str
        Style sheet of the layers, legend and search box.
    script : str
        The drawing script with :data:`DATA_ID_TOKEN` and :data:`MAP_TOKEN` in place of
        the data block id and the map variable.
    """

    def __init__(self, data_json: str, css: str, script: str) -> None:
        super().__init__()
        self._name = "KamtibmasLayers"
        self.data_json = data_json
        self.css = css
        self.script = script

    def render(self, **kwargs: Any) -> str:
        """Add the three pieces to the page, outside any template source.

        Parameters
        ----------
        **kwargs
            Render options, passed on to child elements.

        Returns
        -------
        str
            An empty string: the pieces live in the page's header, body and script.
        """
        figure = self.get_root()
        if not isinstance(figure, Figure) or self._parent is None:
            raise ScoreError.say(MESSAGES, "no_page")
        name = self.get_name()
        data_id = f"kg-data-{name}"
        code = self.script.replace(DATA_ID_TOKEN, json.dumps(data_id))
        code = code.replace(MAP_TOKEN, self._parent.get_name())
        figure.header.add_child(RawHtml(f"<style>{self.css}</style>"), name=name)
        block = f'<script type="application/json" id="{data_id}">{self.data_json}</script>'
        figure.html.add_child(RawHtml(block), name=name)
        figure.script.add_child(RawHtml(code), name=name)
        for child in self._children.values():
            child.render(**kwargs)
        return ""


def number_elements(root: Element, prefix: str) -> None:
    """Give every element under ``root`` the id ``<prefix><n>``, in tree order.

    Children registered under their old generated name are registered again under the
    new one; explicitly named children keep their key.

    Parameters
    ----------
    root : branca.element.Element
        Usually the figure of a map (``m.get_root()``).
    prefix : str
        Letters and digits that start every id (e.g. a hash of the map data, so two
        different maps on one page still have different names).
    """
    numbers = count()
    seen: set[int] = set()

    def visit(element: Element) -> None:
        if id(element) in seen:
            return
        seen.add(id(element))
        old = element.get_name()
        element._id = f"{prefix}{next(numbers):03d}"
        parent = element._parent
        if parent is not None and old in parent._children and parent._children[old] is element:
            parent._children = type(parent._children)(
                (element.get_name() if key == old else key, child)
                for key, child in parent._children.items()
            )
        for child in list(element._children.values()):
            visit(child)
        if isinstance(element, Figure):
            for part in (element.header, element.html, element.script):
                visit(part)

    visit(root)
