"""Maps, pictures and exports: user text escaped, never in a template."""

from __future__ import annotations

from kamtibmas_geo.render._map import CHROMIUM_ARGS as CHROMIUM_ARGS
from kamtibmas_geo.render._map import MapOptions as MapOptions
from kamtibmas_geo.render._map import export_cells as export_cells
from kamtibmas_geo.render._map import page_html as page_html
from kamtibmas_geo.render._map import render_map as render_map
from kamtibmas_geo.render._map import save_png as save_png
from kamtibmas_geo.render._map import save_polsek_pngs as save_polsek_pngs

__all__ = [
    "CHROMIUM_ARGS",
    "MapOptions",
    "export_cells",
    "page_html",
    "render_map",
    "save_png",
    "save_polsek_pngs",
]
