"""Reading inputs for the commands: records placed on the map, places, polygon files.

Every command that reads a table takes the same three options, declared once here:
``--sheet`` (sheet of a workbook), ``--text-column`` (the address column) and
``--columns`` (``tanggal="Hari/Tanggal",alamat="TKP / Alamat"``: columns whose names the
reader does not know). Each command prints which column it used for what
(:func:`columns_line`).
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from kamtibmas_geo._errors import ScoreError
from kamtibmas_geo._i18n import tr

MESSAGES = {
    "opt_sheet": {
        "id": "Lembar buku kerja XLSX (nama, atau nomor mulai 0) atau layer GeoPackage.",
        "en": "Sheet of an XLSX workbook (name, or number from 0) or GeoPackage layer.",
    },
    "opt_text_column": {
        "id": 'Kolom alamat, bila namanya tidak dikenali (mis. "Lokasi Kejadian Lengkap").',
        "en": "The address column, when its name is not recognised.",
    },
    "opt_columns": {
        "id": "Kolom yang namanya tidak dikenali, bidang=kolom dipisah koma, mis. "
        'tanggal="Hari/Tanggal",alamat="TKP / Alamat",jam="Waktu" (bidang: tanggal, jam, '
        "lintang, bujur, koordinat, alamat, jenis, desa, kecamatan, polsek, keterangan, "
        "nama, status). Kolom di bawah judul gabungan bernama seperti judul itu dengan .1, "
        '.2 (mis. jam="Waktu Kejadian.1").',
        "en": "Columns whose names are not recognised, field=column separated by commas, "
        'e.g. tanggal="Hari/Tanggal",alamat="TKP / Alamat",jam="Waktu" (fields: tanggal/'
        "date, jam/time, lintang/lat, bujur/lon, koordinat, alamat/address, jenis/type, "
        "desa, kecamatan, polsek, keterangan, nama/name, status). A column under a merged "
        'title is named after it with .1, .2 (e.g. jam="Waktu Kejadian.1").',
    },
    "columns_used": {
        "id": "Kolom dipakai ({name}): {mapping}",
        "en": "Columns used ({name}): {mapping}",
    },
    "own_table": {
        "id": "Kolom dipakai ({name}): tabel hasil kamtibmas-geo, dibaca seperti ditulis.",
        "en": "Columns used ({name}): a table kamtibmas-geo wrote, read as written.",
    },
    "no_file": {
        "id": "Berkas batas wilayah {path!r} tidak ada; periksa jalurnya.",
        "en": "The boundaries file {path!r} does not exist; check the path.",
    },
    "bad_polygons": {
        "id": "Berkas batas wilayah {path!r} tidak dapat dibaca sebagai poligon: {exc}",
        "en": "Cannot read the boundaries file {path!r} as polygons: {exc}",
    },
}


def sheet_option(lang: str) -> Any:
    """Return the ``--sheet`` option, its help in ``lang``.

    Parameters
    ----------
    lang : {"id", "en"}
        Language of the help text.

    Returns
    -------
    typer.models.OptionInfo
        For ``sheet: Annotated[str | None, sheet_option(lang)] = None``.
    """
    return typer.Option("--sheet", help=tr(MESSAGES, "opt_sheet", lang))


def text_column_option(lang: str) -> Any:
    """Return the ``--text-column`` option, its help in ``lang``.

    Parameters
    ----------
    lang : {"id", "en"}
        Language of the help text.

    Returns
    -------
    typer.models.OptionInfo
    """
    return typer.Option("--text-column", help=tr(MESSAGES, "opt_text_column", lang))


def columns_option(lang: str) -> Any:
    """Return the ``--columns`` option, its help in ``lang``.

    Parameters
    ----------
    lang : {"id", "en"}
        Language of the help text.

    Returns
    -------
    typer.models.OptionInfo
    """
    return typer.Option("--columns", help=tr(MESSAGES, "opt_columns", lang))


@dataclass(frozen=True)
class ReadOptions:
    """How the tables of one command are read (``--sheet``, ``--text-column``, ``--columns``).

    Attributes
    ----------
    sheet : str or int or None
        Sheet name or 0-based number of a workbook.
    text_column : str or None
        The address column.
    columns : dict
        ``{field: column}`` named by the person.
    """

    sheet: str | int | None = None
    text_column: str | None = None
    columns: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(
        cls, sheet: str | None, text_column: str | None, columns: str | None
    ) -> "ReadOptions":
        """Return the options as typed (a sheet ``"0"`` is the first sheet).

        Parameters
        ----------
        sheet, text_column, columns : str or None
            The options' values.

        Returns
        -------
        ReadOptions

        Raises
        ------
        RecordError
            ``--columns`` cannot be read or names an unknown field.
        """
        from kamtibmas_geo.records._headers import parse_columns

        number = sheet is not None and sheet.strip().isdigit()
        return cls(int(sheet) if number else sheet, text_column, parse_columns(columns))  # type: ignore[arg-type]


def columns_line(name: str, frame: Any, lang: str) -> str:
    """Return the line telling which column of file ``name`` was used for what.

    Parameters
    ----------
    name : str
        The file's name.
    frame : DataFrame
        What was read (its ``attrs["read"]["columns"]`` or ``attrs["columns"]``).
    lang : {"id", "en"}
        Language.

    Returns
    -------
    str
        For a table an earlier command wrote (``geocode`` output), says so instead of
        listing the library's own column names.
    """
    from kamtibmas_geo.records._headers import describe_columns

    attrs = getattr(frame, "attrs", {}) or {}
    read = attrs.get("read") or {}
    if attrs.get("own") or read.get("own"):  # the output of an earlier command, not a person's
        return tr(MESSAGES, "own_table", lang, name=name)
    cols = attrs.get("columns") or read.get("columns") or {}
    return tr(MESSAGES, "columns_used", lang, name=name, mapping=describe_columns(cols, lang))


def read_place_file(path: Path, kind: str, lang: str, options: "ReadOptions | None" = None) -> Any:
    """Read posts, landmarks or candidate sites with the one reader of the library.

    Parameters
    ----------
    path : Path
        The file.
    kind : {"posts", "landmarks", "candidates"}
        What the places are.
    lang : {"id", "en"}
        Language of reasons.
    options : ReadOptions, optional
        ``--sheet`` and ``--columns`` (a named column the file lacks is ignored here).

    Returns
    -------
    GeoDataFrame
        See :func:`kamtibmas_geo.records.read_places`.
    """
    from kamtibmas_geo.records._places import read_places

    opts = options or ReadOptions()
    return read_places(path, kind, sheet=opts.sheet, columns=opts.columns, lang=lang)  # type: ignore[arg-type]


def read_placed(
    path: Path,
    kind: str,
    settings: Any,
    lang: str,
    *,
    own: bool,
    options: "ReadOptions | None" = None,
    strict: bool = True,
) -> tuple[Any, int]:
    """Read a records file and place its rows on the map.

    Parameters
    ----------
    path : Path
        CSV, XLSX, GeoJSON or GeoParquet file of records.
    kind : {"disturbance", "activity"}
        What the rows are.
    settings : Settings
        Resolution and where the boundary pack is.
    lang : {"id", "en"}
        Language of the reasons in the ledger.
    own : bool
        The records belong to the user's own region (``--boundaries``): the gazetteer knows
        OKI and Palembang only, so rows are placed by their coordinates and rows without
        them count as rejected. Otherwise :func:`kamtibmas_geo.geocode.geocode` places
        every row by its coordinates or its address.
    options : ReadOptions, optional
        ``--sheet``, ``--text-column`` and ``--columns``.
    strict : bool
        Refuse a named column the file lacks (the command's main input); ``False`` for a
        second input such as ``--activities``.

    Returns
    -------
    records : GeoDataFrame
        The placed records; ``attrs["columns"]`` tells which column held what,
        ``attrs["own"]`` whether the file is a table this library wrote.
    n_rejected : int
        Rows not placed (read errors included).
    """
    from kamtibmas_geo.geocode._geocode import geocode
    from kamtibmas_geo.records._read import read_records

    opts = options or ReadOptions()
    rs = read_records(
        path,
        kind,  # type: ignore[arg-type]
        sheet=opts.sheet if strict else None,
        text_column=opts.text_column,
        columns=opts.columns,
        strict_columns=strict,
        settings=settings,
        lang=lang,
    )
    columns = dict(rs.records.attrs.get("read", {}).get("columns", {}))
    written_here = bool(rs.records.attrs.get("read", {}).get("own"))
    if own:
        frame = rs.records[rs.records.geometry.notna() & ~rs.records.geometry.is_empty]
        frame.attrs.update(columns=columns, own=written_here)
        return frame, len(rs.rejected) + len(rs.records) - len(frame)
    placed = geocode(rs, res=settings.res, settings=settings, lang=lang)
    placed.records.attrs.update(columns=columns, own=written_here)
    return placed.records, len(placed.rejected)


def read_polygons(path: Path, lang: str) -> Any:
    """Read the user's own boundary polygons, or raise a clear :class:`ScoreError`.

    Parameters
    ----------
    path : Path
        GeoPackage, GeoJSON, Shapefile or GeoParquet of desa polygons.
    lang : {"id", "en"}
        Language of the error message.

    Returns
    -------
    GeoDataFrame
    """
    import geopandas as gpd

    if not path.is_file():
        raise ScoreError(tr(MESSAGES, "no_file", lang, path=str(path)))
    try:
        if path.suffix.lower() == ".parquet":
            return gpd.read_parquet(path)
        return gpd.read_file(path)
    except Exception as exc:  # pyogrio/pyarrow raise their own errors for unreadable files
        raise ScoreError(tr(MESSAGES, "bad_polygons", lang, path=str(path), exc=exc)) from None
