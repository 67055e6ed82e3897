"""Offline web assets: the vendored Leaflet files and their inlining into one HTML file.

The files under ``kamtibmas_geo/data/vendor/`` come from the npm registry at pinned versions
(``scripts/vendor_assets.py`` writes them and their README with licences and SHA-256).
Online maps link the same versions on the jsDelivr CDN; :func:`inline_assets` replaces those
links by inline ``<script>``/``<style>`` blocks, with the images the CSS refers to turned
into ``data:`` URIs, so that no request leaves the page.
"""

from __future__ import annotations

import base64
import re
from importlib import resources
from typing import Any

__all__ = ["CSS_ASSETS", "JS_ASSETS", "asset_text", "data_uri", "inline_assets", "page_html"]

_CDN = "https://cdn.jsdelivr.net/npm"

#: name -> (package, version, file) of every script the maps use, in load order.
_JS: dict[str, tuple[str, str, str]] = {
    "leaflet": ("leaflet", "1.9.3", "dist/leaflet.js"),
    "markercluster": ("leaflet.markercluster", "1.1.0", "dist/leaflet.markercluster.js"),
    "heat": ("leaflet.heat", "0.2.0", "dist/leaflet-heat.js"),
    "fullscreen": ("leaflet.fullscreen", "3.0.0", "Control.FullScreen.js"),
    "h3": ("h3-js", "4.4.0", "dist/h3-js.umd.js"),
}
_CSS: dict[str, tuple[str, str, str]] = {
    "leaflet_css": ("leaflet", "1.9.3", "dist/leaflet.css"),
    "markercluster_css": ("leaflet.markercluster", "1.1.0", "dist/MarkerCluster.css"),
    "markercluster_default_css": (
        "leaflet.markercluster",
        "1.1.0",
        "dist/MarkerCluster.Default.css",
    ),
    "fullscreen_css": ("leaflet.fullscreen", "3.0.0", "Control.FullScreen.css"),
}

#: ``(name, CDN url)`` pairs of the scripts, as folium's ``default_js`` expects.
JS_ASSETS: list[tuple[str, str]] = [
    (name, f"{_CDN}/{pkg}@{ver}/{path}") for name, (pkg, ver, path) in _JS.items()
]
#: ``(name, CDN url)`` pairs of the style sheets, as folium's ``default_css`` expects.
CSS_ASSETS: list[tuple[str, str]] = [
    (name, f"{_CDN}/{pkg}@{ver}/{path}") for name, (pkg, ver, path) in _CSS.items()
]
_URL_TO_FILE: dict[str, tuple[str, str]] = {
    f"{_CDN}/{pkg}@{ver}/{path}": (pkg, path.rsplit("/", 1)[-1])
    for pkg, ver, path in [*_JS.values(), *_CSS.values()]
}

_SCRIPT_RE = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>', re.IGNORECASE)
_LINK_RE = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>', re.IGNORECASE)
_CSS_URL_RE = re.compile(r"url\(\s*['\"]?([^'\")#]+)['\"]?\s*\)")
_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}


def _vendor_bytes(package: str, name: str) -> bytes:
    path = resources.files("kamtibmas_geo").joinpath("data", "vendor", package, name)
    return path.read_bytes()


def asset_text(package: str, name: str) -> str:
    """Return the text of a vendored file.

    Parameters
    ----------
    package : str
        npm package name, e.g. ``"leaflet"``.
    name : str
        File name inside ``kamtibmas_geo/data/vendor/<package>/``.

    Returns
    -------
    str
    """
    return _vendor_bytes(package, name).decode("utf-8")


def data_uri(package: str, name: str) -> str:
    """Return a vendored image as a ``data:`` URI.

    Parameters
    ----------
    package : str
        npm package name.
    name : str
        Image file name (png, svg or gif).

    Returns
    -------
    str
    """
    suffix = name[name.rfind(".") :].lower()
    mime = _MIME.get(suffix, "application/octet-stream")
    encoded = base64.b64encode(_vendor_bytes(package, name)).decode("ascii")
    return f"data:{mime};base64,{encoded}"


def _inline_css(package: str, name: str) -> str:
    text = asset_text(package, name)

    def _sub(match: re.Match[str]) -> str:
        ref = match.group(1).strip()
        if ref.startswith("data:"):
            return match.group(0)
        return f'url("{data_uri(package, ref.rsplit("/", 1)[-1])}")'

    text = _CSS_URL_RE.sub(_sub, text)
    return text.replace("</style", "<\\/style")


def inline_assets(html: str) -> str:
    """Replace the CDN links of the vendored assets by inline copies.

    Parameters
    ----------
    html : str
        A page rendered by folium whose ``<script src>`` and stylesheet ``<link>`` tags
        point at the pinned CDN URLs of :data:`JS_ASSETS` and :data:`CSS_ASSETS`.

    Returns
    -------
    str
        The same page with those tags replaced by ``<script>`` and ``<style>`` blocks.
        Links to anything else are removed (an offline page must not load them).
    """

    def _script(match: re.Match[str]) -> str:
        found = _URL_TO_FILE.get(match.group(1))
        if found is None:
            return ""
        code = asset_text(*found).replace("</script", "<\\/script")
        return f"<script>{code}</script>"

    def _link(match: re.Match[str]) -> str:
        found = _URL_TO_FILE.get(match.group(1))
        if found is None:
            return ""
        return f"<style>{_inline_css(*found)}</style>"

    return _LINK_RE.sub(_link, _SCRIPT_RE.sub(_script, html))


def page_html(m: Any, *, offline: bool = True) -> str:
    """Return the full HTML page of a map, with assets inlined when ``offline``.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`render_map`.
    offline : bool
        Inline the vendored scripts, styles and images.

    Returns
    -------
    str
    """
    page: str = m.get_root().render()
    return inline_assets(page) if offline else page
