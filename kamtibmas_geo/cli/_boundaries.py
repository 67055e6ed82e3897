"""``kamtibmas-geo boundaries build|info|polsek``: the boundary packs, their integrity, Polsek.

``polsek`` shows the Polsek of every kecamatan of a region and checks a mapping file
(``--polsek``) the way patrols, rollups and maps will read it; ``--out`` writes the table.

Both take ``--region`` (a kabupaten/kota of Sumatera Selatan, several separated by commas,
or ``sumsel`` for all 17); without it, the default pack of OKI and Palembang. ``info``
also lists the official desa/kelurahan without polygon of the regions shown.

``info`` checks every file of the pack in the cache against the SHA-256 recorded when it
was built, and every derived cache beside it, and shows each as ok / damaged / missing
without repairing anything (it builds the pack only when there is none yet). Exit code 0
when every file of the pack proves itself, 1 when any is damaged or missing. A damaged
derived cache is shown too but does not change the exit code: it is never used, and is
rebuilt when next needed. ``build`` rebuilds a damaged pack from the verified upstream
and removes damaged derived caches.
"""

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import CliState, state
from kamtibmas_geo.config import Language

if TYPE_CHECKING:
    from kamtibmas_geo.boundaries._pack import PackCheck

MESSAGES = {
    "grp_boundaries": {
        "id": "Paket batas wilayah: kabupaten, kecamatan, desa/kelurahan.",
        "en": "Boundary pack: kabupaten, kecamatan, desa/kelurahan.",
    },
    "cmd_build": {
        "id": "Bangun paket batas wilayah ke cache (unduh atau salinan lokal, cek SHA-256); "
        "berkas cache yang rusak dibangun ulang.",
        "en": "Build the boundary pack into the cache (download or local copy, SHA-256 "
        "checked); damaged cache files are rebuilt.",
    },
    "opt_force": {"id": "Bangun ulang walau sudah ada di cache.", "en": "Rebuild even if cached."},
    "opt_region": {
        "id": "Kabupaten/kota Sumatera Selatan (kode atau nama, beberapa dipisah koma, "
        "'sumsel' untuk ke-17); bawaan: OKI dan Palembang.",
        "en": "Kabupaten/kota of Sumatera Selatan (code or name, several separated by commas, "
        "'sumsel' for all 17); default: OKI and Palembang.",
    },
    "missing_title": {
        "id": "Desa/kelurahan resmi tanpa poligon di data upstream (254/256: 254 poligon dari "
        "256 desa/kelurahan resmi). Tidak dibuat-buat; catatan yang hanya menyebutnya "
        "ditempatkan di tingkat kecamatan:",
        "en": "Official desa/kelurahan without polygon in the upstream data (254/256: 254 "
        "polygons of 256 official desa/kelurahan). Never invented; records naming only them "
        "are placed at kecamatan level:",
    },
    "other_regions": {
        "id": "Ini paket bawaan (OKI dan Palembang). Kabupaten/kota lain Sumatera Selatan: "
        '--region <kode atau nama> (mis. --region "Muara Enim"), atau --region sumsel '
        "untuk ke-17.",
        "en": "This is the default pack (OKI and Palembang). Other kabupaten/kota of Sumatera "
        'Selatan: --region <code or name> (e.g. --region "Muara Enim"), or --region sumsel '
        "for all 17.",
    },
    "cmd_polsek": {
        "id": "Tampilkan Polsek setiap kecamatan (bawaan: satu per kecamatan) dan periksa berkas "
        "pemetaan Polsek (CSV/XLSX, kolom 'kecamatan' dan 'polsek') sebelum dipakai patroli, "
        "rekap, dan peta.",
        "en": "Show the Polsek of every kecamatan (default: one per kecamatan) and check a "
        "Polsek mapping file (CSV/XLSX, columns 'kecamatan' and 'polsek') before patrols, "
        "rollups and maps use it.",
    },
    "opt_polsek": {
        "id": "Berkas pemetaan kecamatan → Polsek (CSV/XLSX, kolom 'kecamatan' berisi kode atau "
        "nama, dan 'polsek').",
        "en": "Kecamatan → Polsek mapping file (CSV/XLSX, columns 'kecamatan' with code or name, "
        "and 'polsek').",
    },
    "opt_out": {
        "id": "Tulis tabelnya ke berkas ini (.csv atau .xlsx).",
        "en": "Write the table to this file (.csv or .xlsx).",
    },
    "bad_out": {
        "id": "Berkas keluaran {path!r} harus berakhiran .csv atau .xlsx.",
        "en": "The output file {path!r} must end in .csv or .xlsx.",
    },
    "col_polsek": {"id": "Polsek", "en": "Polsek"},
    "n_polsek": {
        "id": "{n_kec} kecamatan, {n_polsek} Polsek.",
        "en": "{n_kec} kecamatan, {n_polsek} Polsek.",
    },
    "written": {"id": "Ditulis: {path}", "en": "Written: {path}"},
    "col_code": {"id": "Kode", "en": "Code"},
    "col_name": {"id": "Nama", "en": "Name"},
    "col_kind": {"id": "Jenis", "en": "Kind"},
    "cmd_info": {
        "id": "Tampilkan jumlah unit, luas, checksum sumber, lokasi cache, dan keutuhan tiap "
        "berkas cache (utuh/rusak/hilang). Kode keluar 0 bila semua berkas paket utuh, 1 bila "
        "ada yang rusak atau hilang.",
        "en": "Show unit counts, areas, source checksums, the cache path and the integrity of "
        "each cache file (ok/damaged/missing). Exit code 0 when every pack file is ok, 1 when "
        "any is damaged or missing.",
    },
    "building": {"id": "Membangun paket batas wilayah…", "en": "Building the boundary pack…"},
    "built": {"id": "Paket batas wilayah siap di {path}", "en": "Boundary pack ready in {path}"},
    "removed": {
        "id": "Cache turunan {name}: {why}; dihapus, akan dibangun ulang saat diperlukan.",
        "en": "Derived cache {name}: {why}; removed, it is rebuilt when needed.",
    },
    "col_region": {"id": "Wilayah", "en": "Region"},
    "col_kec": {"id": "Kecamatan", "en": "Kecamatan"},
    "col_desa": {"id": "Desa/Kel.", "en": "Desa/Kel."},
    "col_area": {"id": "Luas (km²)", "en": "Area (km²)"},
    "col_official": {"id": "Luas resmi (km²)", "en": "Official area (km²)"},
    "col_pop": {"id": "Penduduk", "en": "Population"},
    "col_file": {"id": "Berkas cache", "en": "Cache file"},
    "col_state": {"id": "Keutuhan (SHA-256)", "en": "Integrity (SHA-256)"},
    "derived": {"id": "turunan", "en": "derived"},
    "cache_path": {"id": "Lokasi cache", "en": "Cache path"},
    "sources": {"id": "Berkas sumber (SHA-256)", "en": "Source files (SHA-256)"},
    "derived_damaged": {
        "id": "Cache turunan yang rusak tidak dipakai; dibangun ulang otomatis saat diperlukan "
        "(`kamtibmas-geo boundaries build` menghapusnya sekarang).",
        "en": "Damaged derived caches are never used; they are rebuilt when needed "
        "(`kamtibmas-geo boundaries build` removes them now).",
    },
    "damaged": {
        "id": "Paket batas wilayah di cache tidak utuh. Jalankan `kamtibmas-geo boundaries "
        "build` untuk membangun ulang berkas yang rusak atau hilang.",
        "en": "The boundary pack in the cache is not intact. Run `kamtibmas-geo boundaries "
        "build` to rebuild the damaged or missing files.",
    },
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
    _register_polsek(group, lang)

    @group.command("build", help=tr(MESSAGES, "cmd_build", lang))
    def _build(
        ctx: typer.Context,
        force: Annotated[
            bool, typer.Option("--force", help=tr(MESSAGES, "opt_force", lang))
        ] = False,
        region: Annotated[
            str | None, typer.Option("--region", help=tr(MESSAGES, "opt_region", lang))
        ] = None,
    ) -> None:
        from kamtibmas_geo.boundaries._pack import build_pack

        st = state(ctx)
        for codes in _pack_groups(region):
            with st.console.status(tr(MESSAGES, "building", st.lang)):
                info = build_pack(region=codes[0], settings=st.settings, force=force)
            _remove_damaged_derived(st, codes[0], info.path)
            st.console.print(Text(tr(MESSAGES, "built", st.lang, path=info.path)), soft_wrap=True)

    @group.command("info", help=tr(MESSAGES, "cmd_info", lang))
    def _info(
        ctx: typer.Context,
        region: Annotated[
            str | None, typer.Option("--region", help=tr(MESSAGES, "opt_region", lang))
        ] = None,
    ) -> None:
        st = state(ctx)
        groups = _pack_groups(region)
        reports = [_checked_pack(st, codes[0]) for codes in groups]
        if all(c.state == "ok" for r in reports for c in r.files):
            codes = [c for g in groups for c in g] if region is not None else None
            _print_regions(st, codes)
        for report in reports:
            _print_files(st, report)
        _print_sources(st, groups)
        if region is None:
            st.console.print(Text(tr(MESSAGES, "other_regions", st.lang)), soft_wrap=True)
        if any(c.state != "ok" for r in reports for c in r.derived):
            st.console.print(Text(tr(MESSAGES, "derived_damaged", st.lang)), soft_wrap=True)
        if any(c.state != "ok" for r in reports for c in r.files):
            st.console.print(Text(tr(MESSAGES, "damaged", st.lang), style="bold red"))
            raise typer.Exit(code=1)


def _register_polsek(group: typer.Typer, lang: Language) -> None:
    """Add ``boundaries polsek``: the kecamatan → Polsek table, checked."""

    @group.command("polsek", help=tr(MESSAGES, "cmd_polsek", lang))
    def _polsek(
        ctx: typer.Context,
        region: Annotated[
            str | None, typer.Option("--region", help=tr(MESSAGES, "opt_region", lang))
        ] = None,
        polsek: Annotated[
            Path | None, typer.Option("--polsek", help=tr(MESSAGES, "opt_polsek", lang))
        ] = None,
        out: Annotated[
            Path | None, typer.Option("--out", help=tr(MESSAGES, "opt_out", lang))
        ] = None,
    ) -> None:
        from kamtibmas_geo._errors import BoundaryError
        from kamtibmas_geo._tables import write_table
        from kamtibmas_geo.boundaries._polsek import polsek_table

        st = state(ctx)
        if out is not None and out.suffix.lower() not in (".csv", ".xlsx"):
            raise BoundaryError(tr(MESSAGES, "bad_out", st.lang, path=str(out)))
        table = polsek_table(region, polsek, settings=st.settings)
        shown = Table()
        for key in ("col_code", "col_kec", "col_polsek"):
            shown.add_column(tr(MESSAGES, key, st.lang))
        for row in table.itertuples():
            shown.add_row(
                *(Text(str(v)) for v in (row.kecamatan_code, row.kecamatan_name, row.polsek))
            )
        st.console.print(shown)
        counts = {"n_kec": len(table), "n_polsek": table["polsek"].nunique()}
        st.console.print(Text(tr(MESSAGES, "n_polsek", st.lang, **counts)))
        if out is not None:
            write_table(table, st.guard(out), inputs=st.inputs, lang=st.lang)
            st.console.print(Text(tr(MESSAGES, "written", st.lang, path=out)), soft_wrap=True)


def _pack_groups(region: str | None) -> list[tuple[str, ...]]:
    """Return the codes of each pack ``region`` needs (the default pack for ``None``)."""
    from kamtibmas_geo.boundaries._pack import resolve_region
    from kamtibmas_geo.boundaries._store import pack_codes

    return sorted({pack_codes(code) for code in resolve_region(region)})


def _remove_damaged_derived(st: CliState, code: str, folder: Path) -> None:
    """Delete the derived caches of a pack that fail their check (rebuilt when needed)."""
    from kamtibmas_geo.boundaries._integrity import remove_with_sidecar
    from kamtibmas_geo.boundaries._pack import check_pack

    for check in check_pack(region=code, settings=st.settings).derived:
        if check.state != "ok":
            remove_with_sidecar(folder / check.name)
            why = check.describe(st.lang)
            st.console.print(
                Text(tr(MESSAGES, "removed", st.lang, name=check.name, why=why)),
                soft_wrap=True,
            )


def _checked_pack(st: CliState, code: str) -> "PackCheck":
    """Check a pack without repairing it; build it first only if it was never built."""
    from kamtibmas_geo.boundaries._pack import build_pack, check_pack

    report = check_pack(region=code, settings=st.settings)
    if report.absent:  # never built: build it, as every command does on first use
        with st.console.status(tr(MESSAGES, "building", st.lang)):
            build_pack(region=code, settings=st.settings)
        report = check_pack(region=code, settings=st.settings)
    return report


def _print_regions(st: CliState, codes: list[str] | None) -> None:
    """Print the table of kabupaten/kota and their villages without polygon."""
    from kamtibmas_geo.boundaries._pack import (
        MissingVillageWarning,
        load_boundaries,
        missing_villages,
    )
    from kamtibmas_geo.boundaries._regions import PROVINCE

    with warnings.catch_warnings():  # the list below says it in full
        warnings.simplefilter("ignore", MissingVillageWarning)
        kab = load_boundaries("kabupaten", codes, settings=st.settings)
    missing = missing_villages(codes, settings=st.settings)
    table = Table()
    for key in ("col_region", "col_kec", "col_desa", "col_area", "col_official"):
        table.add_column(tr(MESSAGES, key, st.lang))
    table.add_column(tr(MESSAGES, "col_pop", st.lang))
    for row in kab.itertuples():
        table.add_row(
            Text(f"{row.code} {row.name}"),
            str(row.n_kecamatan),
            _villages(int(row.n_desa), PROVINCE[str(row.code)].n_villages),
            f"{row.area_km2:,.3f}",
            f"{row.official_area_km2:,.3f}",
            f"{row.population:,}",
        )
    st.console.print(table)
    if len(missing):
        st.console.print(Text(tr(MESSAGES, "missing_title", st.lang)), soft_wrap=True)
        rows = Table()
        for key in ("col_code", "col_name", "col_kind", "col_kec"):
            rows.add_column(tr(MESSAGES, key, st.lang))
        for village in missing.itertuples():
            kec = f"{village.kecamatan_code} {village.kecamatan_name}"
            rows.add_row(*(Text(str(v)) for v in (village.code, village.name, village.kind, kec)))
        st.console.print(rows)


def _villages(polygons: int, official: int) -> str:
    """Village count: ``"107"``, or ``"254/256"`` (polygons/official) when some lack one."""
    return str(official) if polygons == official else f"{polygons}/{official}"


def _print_files(st: CliState, report: "PackCheck") -> None:
    """Print the integrity of each file of a pack and its derived caches."""
    files = Table()
    files.add_column(tr(MESSAGES, "col_file", st.lang))
    files.add_column(tr(MESSAGES, "col_state", st.lang))
    derived_mark = f" ({tr(MESSAGES, 'derived', st.lang)})"
    for check, mark in [(c, "") for c in report.files] + [
        (c, derived_mark) for c in report.derived
    ]:
        style = "green" if check.state == "ok" else "bold red"
        files.add_row(Text(check.name + mark), Text(check.describe(st.lang), style=style))
    st.console.print(files)
    st.console.print(Text(f"{tr(MESSAGES, 'cache_path', st.lang)}: {report.path}"), soft_wrap=True)


def _print_sources(st: CliState, groups: list[tuple[str, ...]]) -> None:
    """Print the pinned upstream files of the packs shown, with their SHA-256."""
    from kamtibmas_geo.boundaries._sources import manifest
    from kamtibmas_geo.boundaries._store import source_keys

    keys = {key for codes in groups for key in source_keys(codes)}
    st.console.print(Text(f"{tr(MESSAGES, 'sources', st.lang)}:"))
    for src in manifest():
        if src.key in keys:
            st.console.print(Text(f"  {src.sha256}  {src.url}"), soft_wrap=True)
