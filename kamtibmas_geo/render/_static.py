"""A still picture of the hotspot map without a browser: matplotlib through GeoPandas.

:func:`save_static_png` draws what the briefing needs on one page: the cells by score class
(the same colours as the web map), the significant Gi* hot spots outlined, the kecamatan and
kabupaten/kota boundaries, the Poskamling in place and proposed, a title and a legend. It
needs no Chromium, so the demo still ends with a picture on a machine that has none; where
Chromium is installed the browser snapshot (:func:`~kamtibmas_geo.render.save_png`) is
used instead. The picture is deterministic (fixed size, no timestamp in the file).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.config import Language, Settings
from kamtibmas_geo.render._mapdata import POST_COLOURS, SCORE_COLOURS

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["MESSAGES", "save_static_png"]

MESSAGES = {
    "title": {
        "id": "Titik rawan kamtibmas menjelang {target}",
        "en": "Public-order hotspots ahead of {target}",
    },
    "subtitle": {
        "id": "Sel H3 menurut kelas skor; garis merah: titik panas Gi* (FDR); kotak: Poskamling",
        "en": "H3 cells by score class; red outline: Gi* hot spots (FDR); squares: Poskamling",
    },
    "class": {"id": "Kelas skor {k}", "en": "Score class {k}"},
    "lon": {"id": "Bujur (derajat)", "en": "Longitude (degrees)"},
    "lat": {"id": "Lintang (derajat)", "en": "Latitude (degrees)"},
    "hot": {"id": "Titik panas Gi* (90%+)", "en": "Gi* hot spot (90%+)"},
    "kec": {"id": "Batas kecamatan", "en": "Kecamatan boundary"},
    "kab": {"id": "Batas kabupaten/kota", "en": "Kabupaten/kota boundary"},
    "posts": {"id": "Poskamling aktif", "en": "Active Poskamling"},
    "proposed": {"id": "Usulan Poskamling", "en": "Proposed Poskamling"},
    "credit": {
        "id": "Batas wilayah: Kemendagri (lihat docs/data.md). Gambar tanpa peramban.",
        "en": "Boundaries: Kemendagri (see docs/data.md). Drawn without a browser.",
    },
    "no_matplotlib": {
        "id": "Gambar statis memerlukan matplotlib; pasang dengan `pip install matplotlib`.",
        "en": "The static picture needs matplotlib; install it with `pip install matplotlib`.",
    },
}

#: Score classes drawn (class 1, the quietest fifth, is left blank so the picture reads).
_DRAWN_CLASSES = (2, 3, 4, 5)
_HOT_EDGE = "#b2182b"


def save_static_png(
    cells: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    posts: gpd.GeoDataFrame | None = None,
    proposed: gpd.GeoDataFrame | None = None,
    target: str = "",
    settings: Settings | None = None,
    lang: Language = "id",
    size: tuple[float, float] = (12.8, 9.0),
    dpi: int = 100,
) -> Path:
    """Draw the cells, boundaries and posts as a PNG with matplotlib (no browser).

    Parameters
    ----------
    cells : GeoDataFrame
        Scored cells (:func:`~kamtibmas_geo.score.score_hotspots`), with ``score_class``
        and ``gi_bin``; ``kabupaten_code`` chooses the boundaries drawn.
    path : path
        Where to write the PNG.
    posts, proposed : GeoDataFrame, optional
        Poskamling in place (black squares) and proposed (white squares).
    target : str
        The target period, for the title (``"ramadhan-1448"``).
    settings : Settings, optional
        Where the boundary pack is.
    lang : {"id", "en"}
        Language of the title and the legend.
    size : tuple of float
        Size of the picture in inches (at ``dpi``: 1280 x 900 pixels by default).
    dpi : int
        Dots per inch.

    Returns
    -------
    Path
        The PNG file.

    Raises
    ------
    DependencyError
        matplotlib is not installed.
    """
    plt = _pyplot()
    cells_4326 = cells.to_crs(4326) if cells.crs is not None else cells
    fig, ax = plt.subplots(figsize=size, dpi=dpi)
    try:
        handles = _draw_cells(ax, cells_4326, lang)
        handles += _draw_boundaries(ax, cells_4326, settings, lang)
        handles += _draw_posts(ax, posts, proposed, lang)
        _decorate(fig, ax, cells_4326, handles, target, lang)
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp.png")
        fig.savefig(tmp, dpi=dpi, metadata={"Software": None})
        os.replace(tmp, out)
    finally:
        plt.close(fig)
    return out


def _pyplot() -> Any:
    """Return ``matplotlib.pyplot`` on the Agg backend (no display needed)."""
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - matplotlib is a dependency
        from kamtibmas_geo._errors import DependencyError

        raise DependencyError.say(MESSAGES, "no_matplotlib") from exc
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _draw_cells(ax: Any, cells: gpd.GeoDataFrame, lang: str) -> list[Any]:
    """Fill the cells by score class; outline the Gi* hot spots. Return legend handles."""
    from matplotlib.patches import Patch

    handles: list[Any] = []
    klass = cells["score_class"].fillna(0).astype(int) if "score_class" in cells else None
    for k in _DRAWN_CLASSES:
        if klass is None:
            break
        part = cells[(klass == k).to_numpy()]
        if len(part):
            part.plot(ax=ax, color=SCORE_COLOURS[k], linewidth=0)
        handles.append(Patch(facecolor=SCORE_COLOURS[k], label=tr(MESSAGES, "class", lang, k=k)))
    if "gi_bin" in cells:
        hot = cells[(cells["gi_bin"].fillna(0) > 0).to_numpy()]
        if len(hot):
            hot.boundary.plot(ax=ax, color=_HOT_EDGE, linewidth=0.6)
        handles.append(
            Patch(facecolor="none", edgecolor=_HOT_EDGE, label=tr(MESSAGES, "hot", lang))
        )
    return handles


def _draw_boundaries(
    ax: Any, cells: gpd.GeoDataFrame, settings: Settings | None, lang: str
) -> list[Any]:
    """Draw the kecamatan and kabupaten/kota of the cells' jurisdictions."""
    from matplotlib.lines import Line2D

    from kamtibmas_geo.boundaries._pack import load_boundaries

    codes = (
        set(cells["kabupaten_code"].dropna().astype(str)) if "kabupaten_code" in cells else set()
    )
    if not codes:
        return []
    kec = load_boundaries("kecamatan", settings=settings)
    kab = load_boundaries("kabupaten", settings=settings)
    kec = kec[kec["kabupaten_code"].astype(str).isin(codes)] if "kabupaten_code" in kec else kec
    kab = kab[kab["code"].astype(str).isin(codes)] if "code" in kab else kab
    kec.to_crs(4326).boundary.plot(ax=ax, color="#7f7f7f", linewidth=0.4)
    kab.to_crs(4326).boundary.plot(ax=ax, color="#252525", linewidth=1.2)
    return [
        Line2D([], [], color="#7f7f7f", linewidth=0.6, label=tr(MESSAGES, "kec", lang)),
        Line2D([], [], color="#252525", linewidth=1.2, label=tr(MESSAGES, "kab", lang)),
    ]


def _draw_posts(
    ax: Any, posts: gpd.GeoDataFrame | None, proposed: gpd.GeoDataFrame | None, lang: str
) -> list[Any]:
    """Draw the posts in place (black squares) and proposed (white squares)."""
    from matplotlib.lines import Line2D

    handles: list[Any] = []
    for key, frame in (("posts", posts), ("proposed", proposed)):
        if frame is None or len(frame) == 0:
            continue
        pts = frame.to_crs(4326) if frame.crs is not None else frame
        pts = pts[pts.geometry.notna() & ~pts.geometry.is_empty]
        style = {"marker": "s", "color": POST_COLOURS[key], "edgecolor": "#111111"}
        pts.plot(ax=ax, markersize=14 if key == "posts" else 30, linewidth=0.8, **style)
        handles.append(
            Line2D(
                [],
                [],
                marker="s",
                linestyle="none",
                markerfacecolor=POST_COLOURS[key],
                markeredgecolor="#111111",
                label=tr(MESSAGES, key, lang),
            )
        )
    return handles


def _decorate(
    fig: Any, ax: Any, cells: gpd.GeoDataFrame, handles: list[Any], target: str, lang: str
) -> None:
    """Title, subtitle, legend, credit; the cells' extent; degrees as equal distances."""
    import math

    x0, y0, x1, y1 = cells.total_bounds
    pad_x, pad_y = (x1 - x0) * 0.03 or 0.01, (y1 - y0) * 0.03 or 0.01
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y, y1 + pad_y)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    ax.tick_params(labelsize=7, colors="#555555")
    ax.ticklabel_format(useOffset=False, style="plain")  # degrees as written, no "+1.047e2"
    ax.set_xlabel(tr(MESSAGES, "lon", lang), fontsize=8)
    ax.set_ylabel(tr(MESSAGES, "lat", lang), fontsize=8)
    period = target.replace("ramadhan-", "Ramadhan ") + (" H" if "ramadhan-" in target else "")
    fig.suptitle(tr(MESSAGES, "title", lang, target=period or "-"), fontsize=15, weight="bold")
    ax.set_title(tr(MESSAGES, "subtitle", lang), fontsize=9, color="#333333")
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9,
        framealpha=0.92,
    )  # fmt: skip
    fig.text(0.01, 0.01, tr(MESSAGES, "credit", lang), fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.02, 1, 0.97))
