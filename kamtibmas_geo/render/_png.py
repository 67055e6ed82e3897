"""Pictures of a map for briefings: headless Chromium, no controls, nothing mid-animation.

:func:`save_png` opens the (offline) page, waits until the hexagon tiles are drawn and no
zoom runs, hides the buttons (zoom, layers, search, full screen, the "Prioritas" panel) but
keeps the title, the legend, the scale and the attributions, and takes the picture with CSS
animations stopped. :func:`save_polsek_pngs` does the same once per Polsek of the
"Prioritas" panel, zoomed to the Polsek's cells, its name under the title.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtibmas_geo._errors import DependencyError
from kamtibmas_geo.render._assets import page_html

if TYPE_CHECKING:
    import folium

__all__ = ["CHROMIUM_ARGS", "open_chromium", "save_png", "save_polsek_pngs"]

#: Flags for headless Debian Chromium (no sandbox in containers, no background traffic).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]

MESSAGES = {
    "no_chromium": {
        "id": "Chromium tidak ditemukan di {path!r}; pasang Chromium (Debian: "
        "`apt-get install chromium`) atau beri executable=...",
        "en": "Chromium not found at {path!r}; install it (Debian: `apt-get install chromium`) "
        "or pass executable=...",
    },
    "no_playwright": {
        "id": "save_png memerlukan paket playwright; pasang dengan `pip install playwright`.",
        "en": "save_png needs playwright; install it with `pip install playwright`.",
    },
}


def _chromium(executable: str | None) -> str:
    path = executable or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise DependencyError.say(MESSAGES, "no_chromium", path=path)
    return path


@contextmanager
def _page_file(source: Any) -> Iterator[Path]:
    """Yield the page as a file: the HTML given, or the map written to a temporary file."""
    if isinstance(source, str | os.PathLike):
        yield Path(source).resolve()
        return
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "map.html"
        page.write_text(page_html(source, offline=True), encoding="utf-8")
        yield page


@contextmanager
def open_chromium(executable: str | None = None) -> Iterator[Any]:
    """Open headless Chromium once for several pictures (``browser=`` of the functions here).

    Parameters
    ----------
    executable : str, optional
        Chromium binary; ``chromium`` on the PATH or ``/usr/bin/chromium`` by default.

    Yields
    ------
    playwright.sync_api.Browser
    """
    with _browser(None, executable) as browser:
        yield browser


@contextmanager
def _browser(browser: Any, executable: str | None) -> Iterator[Any]:
    if browser is not None:
        yield browser
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise DependencyError.say(MESSAGES, "no_playwright") from None
    chromium = _chromium(executable)
    with sync_playwright() as pw:
        own = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            yield own
        finally:
            own.close()


def _shoot(
    source: Any,
    size: tuple[int, int],
    executable: str | None,
    timeout_s: float,
    browser: Any,
    work: Callable[[Any], Any],
) -> Any:
    """Open the page ready for a picture (controls hidden, tiles drawn), then ``work(page)``."""
    with _page_file(source) as page_file, _browser(browser, executable) as b:
        context = b.new_context(viewport={"width": size[0], "height": size[1]})
        try:
            page = context.new_page()
            page.goto(page_file.as_uri(), wait_until="load", timeout=timeout_s * 1000)
            page.wait_for_function(
                "() => !window.__kg || window.__kg.ready", timeout=timeout_s * 1000
            )
            page.evaluate("() => window.__kg && (window.__kg.print(true), window.__kg.settle())")
            return work(page)
        finally:
            context.close()


def save_png(
    source: folium.Map | str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    width: int = 1280,
    height: int = 900,
    executable: str | None = None,
    timeout_s: float = 30.0,
    browser: Any = None,
) -> Path:
    """Save a picture of a map for a briefing, rendered offline in headless Chromium.

    The picture has the title, legend, scale and attributions, and no buttons; it is taken
    once the hexagons are drawn and no animation runs.

    Parameters
    ----------
    source : folium.Map or path
        A map from :func:`~kamtibmas_geo.render.render_map` or an HTML file it wrote.
    path : path
        Where to write the PNG.
    width, height : int
        Size of the picture in pixels.
    executable : str, optional
        Chromium binary; ``chromium`` on the PATH or ``/usr/bin/chromium`` by default.
    timeout_s : float
        How long to wait for the page to be ready.
    browser : playwright.sync_api.Browser, optional
        An open Playwright browser to reuse (inside a running ``sync_playwright()``);
        by default Chromium is launched headless with :data:`CHROMIUM_ARGS` and closed.

    Returns
    -------
    Path
        The PNG file.
    """
    out = Path(path)

    def work(page: Any) -> None:
        page.screenshot(path=str(out), full_page=False, animations="disabled")

    _shoot(source, (width, height), executable, timeout_s, browser, work)
    return out


def _slug(text: str) -> str:
    """Return a file-name-safe form of a Polsek name (ASCII letters, digits, hyphens)."""
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", flat.lower()).strip("-")[:48] or "polsek"


def save_polsek_pngs(
    source: folium.Map | str | os.PathLike[str],
    folder: str | os.PathLike[str],
    *,
    polsek: Sequence[str] | None = None,
    width: int = 1280,
    height: int = 900,
    executable: str | None = None,
    timeout_s: float = 30.0,
    browser: Any = None,
) -> list[Path]:
    """Save one picture per Polsek of the map's "Prioritas" panel, zoomed to its cells.

    Each picture has the map title with the kabupaten/kota and Polsek under it, the legend
    and the attributions. Files are named ``NN_<polsek>.png`` in panel order.

    Parameters
    ----------
    source : folium.Map or path
        A map from :func:`~kamtibmas_geo.render.render_map` or an HTML file it wrote.
    folder : path
        Folder for the pictures (created when missing).
    polsek : sequence of str, optional
        Only these Polsek (names as in the panel); all by default.
    width, height, executable, timeout_s, browser
        As for :func:`save_png`.

    Returns
    -------
    list of Path
        The PNG files, in panel order.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    wanted = None if polsek is None else set(polsek)

    def work(page: Any) -> list[Path]:
        names = page.evaluate("() => (window.__kg.priority || []).map(g => g.polsek)")
        written = []
        for j, name in enumerate(names):
            if wanted is not None and name not in wanted:
                continue
            page.evaluate("j => window.__kg.focus(j)", j)
            target = out / f"{j + 1:02d}_{_slug(str(name))}.png"
            page.screenshot(path=str(target), full_page=False, animations="disabled")
            written.append(target)
        return written

    written: list[Path] = _shoot(source, (width, height), executable, timeout_s, browser, work)
    return written
