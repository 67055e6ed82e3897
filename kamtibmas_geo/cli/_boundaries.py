"""``kamtibmas-geo boundaries build|info``: the boundary pack."""

from typing import Annotated

import typer
from rich.table import Table

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import state
from kamtibmas_geo.config import Language

MESSAGES = {
    "grp_boundaries": {
        "id": "Paket batas wilayah: kabupaten, kecamatan, desa/kelurahan.",
        "en": "Boundary pack: kabupaten, kecamatan, desa/kelurahan.",
    },
    "cmd_build": {
        "id": "Bangun paket batas wilayah ke cache (unduh atau salinan lokal, cek SHA-256).",
        "en": "Build the boundary pack into the cache (download or local copy, SHA-256 checked).",
    },
    "opt_force": {"id": "Bangun ulang walau sudah ada di cache.", "en": "Rebuild even if cached."},
    "cmd_info": {
        "id": "Tampilkan jumlah unit, luas, checksum sumber, dan lokasi cache.",
        "en": "Show unit counts, areas, source checksums and the cache path.",
    },
    "building": {"id": "Membangun paket batas wilayah…", "en": "Building the boundary pack…"},
    "built": {"id": "Paket batas wilayah siap di {path}", "en": "Boundary pack ready in {path}"},
    "col_region": {"id": "Wilayah", "en": "Region"},
    "col_kec": {"id": "Kecamatan", "en": "Kecamatan"},
    "col_desa": {"id": "Desa/Kel.", "en": "Desa/Kel."},
    "col_area": {"id": "Luas (km²)", "en": "Area (km²)"},
    "col_official": {"id": "Luas resmi (km²)", "en": "Official area (km²)"},
    "col_pop": {"id": "Penduduk", "en": "Population"},
    "cache_path": {"id": "Lokasi cache", "en": "Cache path"},
    "sources": {"id": "Berkas sumber (SHA-256)", "en": "Source files (SHA-256)"},
}


def register(app: typer.Typer, lang: Language) -> None:
    """Add the ``boundaries`` command group to ``app``.

    Parameters
    ----------
    app : typer.Typer
        The root app.
    lang : {"id", "en"}
        Language of help texts.
    """
    group = typer.Typer(help=tr(MESSAGES, "grp_boundaries", lang), no_args_is_help=True)
    app.add_typer(group, name="boundaries")

    @group.command("build", help=tr(MESSAGES, "cmd_build", lang))
    def _build(
        ctx: typer.Context,
        force: Annotated[
            bool, typer.Option("--force", help=tr(MESSAGES, "opt_force", lang))
        ] = False,
    ) -> None:
        from kamtibmas_geo.boundaries import build_pack

        st = state(ctx)
        with st.console.status(tr(MESSAGES, "building", st.lang)):
            info = build_pack(settings=st.settings, force=force)
        st.console.print(tr(MESSAGES, "built", st.lang, path=info.path), soft_wrap=True)

    @group.command("info", help=tr(MESSAGES, "cmd_info", lang))
    def _info(ctx: typer.Context) -> None:
        from kamtibmas_geo.boundaries import build_pack, load_boundaries

        st = state(ctx)
        with st.console.status(tr(MESSAGES, "building", st.lang)):
            info = build_pack(settings=st.settings)
        kab = load_boundaries("kabupaten", settings=st.settings)
        table = Table()
        for key in ("col_region", "col_kec", "col_desa", "col_area", "col_official", "col_pop"):
            table.add_column(tr(MESSAGES, key, st.lang))
        for row in kab.itertuples():
            table.add_row(
                f"{row.code} {row.name}",
                str(row.n_kecamatan),
                str(row.n_desa),
                f"{row.area_km2:,.3f}",
                f"{row.official_area_km2:,.3f}",
                f"{row.population:,}",
            )
        st.console.print(table)
        st.console.print(f"{tr(MESSAGES, 'cache_path', st.lang)}: {info.path}", soft_wrap=True)
        st.console.print(f"{tr(MESSAGES, 'sources', st.lang)}:")
        for src in info.meta["sources"]:
            st.console.print(f"  {src['sha256']}  {src['url']}", soft_wrap=True)
