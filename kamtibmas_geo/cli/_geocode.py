"""``kamtibmas-geo geocode``: read records, place them on the map, write them and the ledger."""

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from kamtibmas_geo._errors import GeocodeError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.cli import state
from kamtibmas_geo.cli._io import (
    ReadOptions,
    columns_line,
    columns_option,
    sheet_option,
    text_column_option,
)
from kamtibmas_geo.config import Language

MESSAGES = {
    "cmd": {
        "id": "Tempatkan catatan gangguan/kegiatan di peta (koordinat atau alamat, offline) "
        "dan tulis baris yang ditolak ke OUT_ditolak.csv (OUT_ditolak.xlsx bila hasilnya "
        ".xlsx).",
        "en": "Place disturbance/activity records on the map (coordinates or address, "
        "offline) and write the rejected rows to OUT_ditolak.csv (OUT_ditolak.xlsx when the "
        "output is .xlsx).",
    },
    "arg_input": {
        "id": "Berkas catatan (CSV, XLSX, GeoJSON, GPKG, GeoParquet).",
        "en": "Records file (CSV, XLSX, GeoJSON, GPKG, GeoParquet).",
    },
    "opt_kind": {
        "id": "Jenis catatan: disturbance (gangguan), activity (kegiatan) atau early_warning "
        "(informasi dini / potensi gangguan).",
        "en": "Kind of records: disturbance, activity or early_warning (community early warnings).",
    },
    "private_out": {
        "id": "Perhatian: {out} memuat nama dan kontak pelapor informasi dini ({n} baris); "
        "berkas ini RAHASIA, jangan dibagikan. Peta dan ekspor publik tidak memuatnya.",
        "en": "Note: {out} holds the names and contacts of early-warning reporters ({n} "
        "rows); keep this file PRIVATE, do not share it. Public maps and exports never "
        "carry them.",
    },
    "warning_status": {
        "id": "Informasi dini: {open} belum ditindaklanjuti, {followed_up} ditindaklanjuti, "
        "{unfounded} tidak terbukti.",
        "en": "Early warnings: {open} not yet followed up, {followed_up} followed up, "
        "{unfounded} unfounded.",
    },
    "opt_out": {
        "id": "Berkas hasil: .csv, .xlsx, .geojson, .parquet atau .gpkg.",
        "en": "Output file: .csv, .xlsx, .geojson, .parquet or .gpkg.",
    },
    "opt_landmarks": {
        "id": "Berkas landmark (CSV/XLSX) dengan kolom nama, lintang, bujur; kolom jenis "
        "dan alias boleh ada.",
        "en": "Landmarks file (CSV/XLSX) with columns name, lat, lon; kind and alias "
        "columns are optional.",
    },
    "opt_res": {"id": "Resolusi H3 untuk hex_id.", "en": "H3 resolution of hex_id."},
    "opt_review": {
        "id": "Tulis baris yang perlu ditinjau (skor rendah, bertanda, ambigu) beserta "
        "kandidatnya ke berkas ini (.xlsx atau .csv); isi kolom 'pilihan' dengan kode yang "
        "benar.",
        "en": "Write the rows to review (low score, flagged, ambiguous) with their "
        "candidates to this file (.xlsx or .csv); fill the 'pilihan' column with the right "
        "code.",
    },
    "opt_corrections": {
        "id": "Lembar tinjauan yang sudah diisi analis: baris dengan 'pilihan' ditempatkan "
        "di kode itu (geocode_flag=corrected).",
        "en": "A review sheet filled in by the analyst: rows with a 'pilihan' are placed "
        "at that code (geocode_flag=corrected).",
    },
    "review_written": {
        "id": "Tinjauan: {path} ({n} baris).",
        "en": "Review: {path} ({n} rows).",
    },
    "bad_ext": {
        "id": "Ekstensi berkas hasil {ext!r} tidak dikenal; gunakan .csv, .xlsx, .geojson, "
        ".parquet atau .gpkg.",
        "en": "Unknown output extension {ext!r}; use .csv, .xlsx, .geojson, .parquet or .gpkg.",
    },
    "bad_kind": {
        "id": "--kind harus disturbance, activity atau early_warning, bukan {kind!r}.",
        "en": "--kind must be disturbance, activity or early_warning, not {kind!r}.",
    },
    "no_rows": {
        "id": "Berkas {path!r} tidak berisi baris data (hanya judul kolom); tidak ada yang "
        "ditempatkan. Periksa lembar (--sheet) atau berkasnya.",
        "en": "The file {path!r} holds no data rows (only the header); nothing to place. "
        "Check the sheet (--sheet) or the file.",
    },
    "reading": {"id": "Membaca {path}…", "en": "Reading {path}…"},
    "gazetteer": {"id": "Menyiapkan gazetir…", "en": "Building the gazetteer…"},
    "geocoding": {"id": "Geocoding", "en": "Geocoding"},
    "title": {"id": "Ringkasan geocoding", "en": "Geocoding summary"},
    "col_what": {"id": "Hasil", "en": "Outcome"},
    "col_n": {"id": "Jumlah", "en": "Count"},
    "rows_in": {"id": "Baris masuk", "en": "Rows in"},
    "placed": {"id": "Ditempatkan", "en": "Placed"},
    "st_coordinates": {"id": "  dari koordinat", "en": "  from coordinates"},
    "st_mismatch": {
        "id": "    (koordinat tidak cocok dengan desa tertulis)",
        "en": "    (coordinates disagree with the written desa)",
    },
    "st_desa": {"id": "  dari alamat, tingkat desa", "en": "  from address, desa level"},
    "st_kecamatan": {
        "id": "  dari alamat, tingkat kecamatan",
        "en": "  from address, kecamatan level",
    },
    "rejected": {"id": "Ditolak", "en": "Rejected"},
    "ambiguous": {"id": "ambigu", "en": "ambiguous"},
    "unmatched": {"id": "tidak cocok", "en": "unmatched"},
    "out_of_area": {"id": "di luar wilayah", "en": "out of area"},
    "invalid": {"id": "tidak sah", "en": "invalid"},
    "written": {
        "id": "Ditulis: {out} ({n} baris) dan {rej} ({m} baris).",
        "en": "Written: {out} ({n} rows) and {rej} ({m} rows).",
    },
    "opt_partitioned": {
        "id": "Tulis juga catatan yang ditempatkan sebagai data set GeoParquet terpartisi per "
        "kabupaten/kota (kabupaten_code=.../) di folder baru ini, untuk `kamtibmas-geo scale`.",
        "en": "Also write the placed records as a GeoParquet data set partitioned by "
        "kabupaten/kota (kabupaten_code=.../) in this new folder, for `kamtibmas-geo scale`.",
    },
    "opt_region": {
        "id": "Kabupaten/kota tempat catatan ditempatkan: kode atau nama, beberapa dipisah "
        "koma, atau sumsel (seluruh provinsi); bawaan OKI dan Palembang.",
        "en": "Kabupaten/kota the records are placed in: code or name, several separated by "
        "commas, or sumsel (the whole province); default OKI and Palembang.",
    },
    "partitioned_written": {
        "id": "Data set terpartisi: {path} ({n} partisi).",
        "en": "Partitioned data set: {path} ({n} partitions).",
    },
}

_EXTENSIONS = {".csv", ".xlsx", ".geojson", ".json", ".parquet", ".gpkg"}
_CHUNK = 20_000


def _write(records: Any, out: Path, inputs: Sequence[Path], lang: str) -> None:
    """Write placed records (or rejected rows) in the format of ``out``'s suffix."""
    import pandas as pd

    from kamtibmas_geo._tables import write_table

    frame = records
    if out.suffix.lower() in {".csv", ".xlsx"}:
        frame = pd.DataFrame(records)
        if "geometry" in frame.columns:
            frame = frame.drop(columns="geometry")
    write_table(frame, out, inputs=inputs, lang=lang)


def _write_review(
    result: Any, records: Any, gaz: Any, path: Path, inputs: Sequence[Path], lang: str
) -> int:
    """Write the review sheet (low score, flagged, ambiguous rows); return its row count."""
    import pandas as pd

    from kamtibmas_geo._tables import write_table
    from kamtibmas_geo.geocode._geocode import address_texts
    from kamtibmas_geo.geocode._review import review_table

    rows = pd.to_numeric(records["row"], errors="coerce").fillna(-1).astype(int).tolist()
    texts = pd.Series(address_texts(records), index=rows)
    table = review_table(result, texts, gaz, lang=lang)
    write_table(table, path, inputs=inputs, lang=lang)
    return len(table)


def _warning_lines(placed: Any, out: Path, lang: Language) -> list[str]:
    """Return the follow-up counts of early warnings and the note that ``out`` is private."""
    from kamtibmas_geo.records._early import PRIVATE_COLUMNS, WARNING_STATUSES

    status = placed["status"].astype(str).tolist() if "status" in placed.columns else []
    counts = {code: status.count(code) for code in WARNING_STATUSES}
    lines = [tr(MESSAGES, "warning_status", lang, **counts)]
    private = [c for c in PRIVATE_COLUMNS if c in placed.columns]
    n = int(placed[private].notna().any(axis=1).sum()) if private else 0
    if n:
        lines.append(tr(MESSAGES, "private_out", lang, out=out, n=n))
    return lines


def _summary(result: Any, rows_in: int, lang: Language) -> Table:
    table = Table(title=tr(MESSAGES, "title", lang))
    table.add_column(tr(MESSAGES, "col_what", lang))
    table.add_column(tr(MESSAGES, "col_n", lang), justify="right")
    rec, rej = result.records, result.rejected
    table.add_row(tr(MESSAGES, "rows_in", lang), f"{rows_in:,}")
    table.add_row(tr(MESSAGES, "placed", lang), f"{len(rec):,}")
    coords = rec["geocode_status"] == "coordinates"
    table.add_row(tr(MESSAGES, "st_coordinates", lang), f"{int(coords.sum()):,}")
    table.add_row(tr(MESSAGES, "st_mismatch", lang), f"{int(rec['coord_mismatch'].sum()):,}")
    matched = rec[~coords]
    for level in ("desa", "kecamatan"):
        n = int((matched["region_level"] == level).sum())
        table.add_row(tr(MESSAGES, f"st_{level}", lang), f"{n:,}")
    table.add_row(tr(MESSAGES, "rejected", lang), f"{len(rej):,}")
    if len(rej):
        if "geocode_status" not in rej.columns:  # only rows rejected while reading
            rej = rej.assign(geocode_status="invalid")
        status = rej["geocode_status"].fillna("invalid").astype(str)
        counts = (
            rej.assign(_s=status, _c=rej["reason_code"].astype(str))
            .groupby(["_s", "_c"], sort=True)
            .size()
        )
        for (st, code), n in counts.items():
            label = tr(MESSAGES, st, lang) if st in MESSAGES else st
            table.add_row(f"  {label}: {_reason_label(str(code), lang)}", f"{int(n):,}")
    return table


def _reason_label(code: str, lang: Language) -> str:
    """Return a rejection reason in words (the ledger's label); an unknown code as it is."""
    from kamtibmas_geo.records._ledger import MESSAGES as LEDGER

    key = f"lbl_{code}"
    return tr(LEDGER, key, lang) if key in LEDGER else code


def register(app: typer.Typer, lang: Language) -> None:
    """Add the ``geocode`` command to ``app``.

    Parameters
    ----------
    app : typer.Typer
        The root app.
    lang : {"id", "en"}
        Language of help texts.
    """

    @app.command("geocode", help=tr(MESSAGES, "cmd", lang))
    def _geocode(
        ctx: typer.Context,
        input_path: Annotated[
            Path, typer.Argument(metavar="INPUT", help=tr(MESSAGES, "arg_input", lang))
        ],
        out: Annotated[Path, typer.Option("--out", help=tr(MESSAGES, "opt_out", lang))],
        kind: Annotated[
            str, typer.Option("--kind", help=tr(MESSAGES, "opt_kind", lang))
        ] = "disturbance",
        text_column: Annotated[str | None, text_column_option(lang)] = None,
        landmarks: Annotated[
            Path | None, typer.Option("--landmarks", help=tr(MESSAGES, "opt_landmarks", lang))
        ] = None,
        res: Annotated[int, typer.Option("--res", help=tr(MESSAGES, "opt_res", lang))] = 9,
        sheet: Annotated[str | None, sheet_option(lang)] = None,
        columns: Annotated[str | None, columns_option(lang)] = None,
        review: Annotated[
            Path | None, typer.Option("--review", help=tr(MESSAGES, "opt_review", lang))
        ] = None,
        corrections: Annotated[
            Path | None,
            typer.Option("--corrections", help=tr(MESSAGES, "opt_corrections", lang)),
        ] = None,
        partitioned: Annotated[
            Path | None,
            typer.Option("--partitioned", help=tr(MESSAGES, "opt_partitioned", lang)),
        ] = None,
        region: Annotated[
            str | None, typer.Option("--region", help=tr(MESSAGES, "opt_region", lang))
        ] = None,
    ) -> None:
        import pandas as pd

        from kamtibmas_geo._validate import check_res
        from kamtibmas_geo.geocode._geocode import build_gazetteer, geocode
        from kamtibmas_geo.geocode._review import read_corrections
        from kamtibmas_geo.records._read import RecordSet, encoding_label, read_records

        st = state(ctx)
        if out.suffix.lower() not in _EXTENSIONS:
            raise GeocodeError(tr(MESSAGES, "bad_ext", st.lang, ext=out.suffix))
        rej_ext = ".xlsx" if out.suffix.lower() == ".xlsx" else ".csv"
        rej_path = st.guard(out.with_name(out.stem + "_ditolak" + rej_ext))
        if kind not in {"disturbance", "activity", "early_warning"}:
            raise GeocodeError(tr(MESSAGES, "bad_kind", st.lang, kind=kind))
        res = check_res(res)
        if review is not None:
            review = st.guard(review)
        if partitioned is not None:
            from kamtibmas_geo._atomic import check_not_input

            check_not_input(partitioned, st.inputs, st.lang, allow_dir=True)
        where = [r.strip() for r in region.split(",") if r.strip()] if region else None
        chosen = read_corrections(corrections, lang=st.lang) if corrections else None
        reading = ReadOptions.parse(sheet, text_column, columns)
        with st.console.status(Text(tr(MESSAGES, "reading", st.lang, path=input_path))):
            rs = read_records(
                input_path,
                kind,  # type: ignore[arg-type]
                sheet=reading.sheet,
                text_column=reading.text_column,
                columns=reading.columns,
                settings=st.settings,
                lang=st.lang,
            )
        with st.console.status(tr(MESSAGES, "gazetteer", st.lang)):
            gaz = build_gazetteer(
                landmarks=landmarks, settings=st.settings, lang=st.lang, region=where
            )
        records = rs.records
        n = len(records)
        rows_in = n + len(rs.rejected)
        if rows_in == 0:
            raise GeocodeError(tr(MESSAGES, "no_rows", st.lang, path=str(input_path)))
        parts, rejected = [], [rs.rejected]
        progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=st.console,
            disable=n < _CHUNK,
            transient=True,
        )
        with progress:
            task = progress.add_task(tr(MESSAGES, "geocoding", st.lang), total=n)
            for start in range(0, max(n, 1), _CHUNK):
                chunk = records.iloc[start : start + _CHUNK]
                got = geocode(
                    chunk,
                    res=res,
                    settings=st.settings,
                    lang=st.lang,
                    gazetteer=gaz,
                    corrections=chosen,
                    region=where,
                )
                parts.append(got.records)
                rejected.append(got.rejected)
                progress.advance(task, len(chunk))
        placed = pd.concat(parts) if len(parts) > 1 else parts[0]
        rej = pd.concat([r for r in rejected if len(r)] or [rejected[0]], ignore_index=True)
        if "geocode_status" in rej.columns:
            rej["geocode_status"] = rej["geocode_status"].fillna("invalid")
        result = RecordSet(placed, rej)
        _write(placed, out, st.inputs, st.lang)
        _write(rej, rej_path, st.inputs, st.lang)
        st.console.print(columns_line(input_path.name, rs.records, st.lang), soft_wrap=True)
        st.console.print(_summary(result, rows_in, st.lang))
        if read_line := encoding_label(rs, st.lang):
            st.console.print(read_line, markup=False)
        msg = tr(MESSAGES, "written", st.lang, out=out, n=len(placed), rej=rej_path, m=len(rej))
        st.console.print(msg, soft_wrap=True)
        if partitioned is not None:
            from kamtibmas_geo.scale._dataset import dataset_partitions, write_dataset

            write_dataset(placed, partitioned, settings=st.settings, lang=st.lang)
            n_parts = len(dataset_partitions(partitioned, lang=st.lang))
            msg = tr(MESSAGES, "partitioned_written", st.lang, path=partitioned, n=n_parts)
            st.console.print(msg, soft_wrap=True, markup=False)
        if kind == "early_warning":
            for line in _warning_lines(placed, out, st.lang):
                st.console.print(line, soft_wrap=True, markup=False)
        if review is not None:
            n_review = _write_review(result, records, gaz, review, st.inputs, st.lang)
            msg = tr(MESSAGES, "review_written", st.lang, path=review, n=n_review)
            st.console.print(msg, soft_wrap=True, markup=False)
