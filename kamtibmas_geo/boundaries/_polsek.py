"""Which Polsek answers for each kecamatan: the default and the user's own mapping.

A Polsek (police sector) usually covers one kecamatan and is named after it; some cover two
or three. :func:`polsek_table` gives one row per kecamatan with its Polsek: by default
``"Polsek <kecamatan>"`` (the kecamatan name as staff write it, ``"Polsek Ilir Timur I"``),
overridden by a mapping the Polres keeps — a dict, a table, or a CSV/XLSX file with the
columns ``kecamatan`` (Kemendagri code such as ``16.71.05`` or name) and ``polsek``.

Names in a mapping are matched without regard to case, spaces, hyphens or a leading
"Kecamatan"/"Kec.", and numbers may be written as words, digits or Roman numerals
(``"Ilir Timur Satu"``, ``"Ilir Timur 1"``, ``"ilir timur I"``, ``"IT I"``). A name that
matches no kecamatan of the table, or more than one, is refused with the row (or key) and
the value, so a typo never silently leaves a kecamatan with its default Polsek. A code of a
kabupaten/kota outside the table is skipped: one province-wide file serves every Polres.

Examples
--------
>>> import pandas as pd
>>> kec = pd.DataFrame(
...     {"code": ["16.71.05", "16.71.06"], "name": ["Ilir Timur Satu", "Ilir Timur Dua"]}
... )
>>> polsek_table(kec)["polsek"].tolist()
['Polsek Ilir Timur I', 'Polsek Ilir Timur II']
>>> polsek_table(kec, {"IT II": "Polsek Ilir Timur I"})["polsek"].tolist()
['Polsek Ilir Timur I', 'Polsek Ilir Timur I']
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path

import geopandas as gpd
import pandas as pd

from kamtibmas_geo._errors import BoundaryError
from kamtibmas_geo.boundaries._names import kecamatan_display_name
from kamtibmas_geo.boundaries._pack import MissingVillageWarning, load_boundaries
from kamtibmas_geo.config import Settings

__all__ = ["POLSEK_COLUMNS", "PolsekMapping", "add_polsek", "polsek_table"]

#: Columns of :func:`polsek_table`, in order.
POLSEK_COLUMNS = ("kabupaten_code", "kecamatan_code", "kecamatan_name", "polsek")

#: What a mapping may be: kecamatan (code or name) → Polsek, a table with the columns
#: ``kecamatan`` and ``polsek``, or a CSV/XLSX file of that table.
PolsekMapping = Mapping[str, str] | pd.DataFrame | str | os.PathLike[str]

_KEC_COLUMNS = ("kecamatan", "kecamatan_code", "kode_kecamatan", "kode kecamatan", "kec")
_POLSEK_COLUMNS = ("polsek", "nama_polsek", "nama polsek", "polsek_name")
_NUMBERS = {
    "satu": "1",
    "dua": "2",
    "tiga": "3",
    "empat": "4",
    "lima": "5",
    "i": "1",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
}
_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}")

MESSAGES = {
    "kec_frame": {
        "id": "Tabel kecamatan untuk pemetaan Polsek memerlukan kolom 'code' dan 'name' "
        "(seperti load_boundaries('kecamatan')) atau 'kecamatan_code' dan 'kecamatan_name'; "
        "kolomnya: {have}.",
        "en": "The kecamatan table for the Polsek mapping needs columns 'code' and 'name' (as "
        "load_boundaries('kecamatan') returns) or 'kecamatan_code' and 'kecamatan_name'; it "
        "has {have}.",
    },
    "columns": {
        "id": "Pemetaan Polsek {source} memerlukan kolom 'kecamatan' (kode atau nama "
        "kecamatan) dan 'polsek'; kolomnya: {have}.",
        "en": "The Polsek mapping {source} needs columns 'kecamatan' (kecamatan code or name) "
        "and 'polsek'; it has {have}.",
    },
    "read": {
        "id": "Pemetaan Polsek {source} tidak dapat dibaca ({reason}). Gunakan berkas CSV "
        "atau XLSX dengan kolom 'kecamatan' dan 'polsek'.",
        "en": "Cannot read the Polsek mapping {source} ({reason}). Use a CSV or XLSX file with "
        "columns 'kecamatan' and 'polsek'.",
    },
    "unknown": {
        "id": "Pemetaan Polsek {source}, {where}: kecamatan {value!r} tidak dikenal di wilayah "
        "ini ({regions}).{hint} Tulis kode Kemendagri kecamatan (mis. 16.71.05) atau nama "
        "resminya.",
        "en": "Polsek mapping {source}, {where_en}: unknown kecamatan {value!r} in this region "
        "({regions}).{hint_en} Write the kecamatan's Kemendagri code (e.g. 16.71.05) or its "
        "official name.",
    },
    "ambiguous": {
        "id": "Pemetaan Polsek {source}, {where}: nama {value!r} cocok dengan beberapa "
        "kecamatan ({matches}); tulis kode kecamatannya.",
        "en": "Polsek mapping {source}, {where_en}: the name {value!r} matches several "
        "kecamatan ({matches}); write the kecamatan code instead.",
    },
    "empty_polsek": {
        "id": "Pemetaan Polsek {source}, {where}: nama Polsek untuk kecamatan {value!r} kosong.",
        "en": "Polsek mapping {source}, {where_en}: the Polsek of kecamatan {value!r} is empty.",
    },
    "twice": {
        "id": "Pemetaan Polsek {source}, {where}: kecamatan {value!r} ({code}) sudah dipetakan "
        "ke {first!r}, di sini ke {second!r}. Satu kecamatan hanya punya satu Polsek.",
        "en": "Polsek mapping {source}, {where_en}: kecamatan {value!r} ({code}) is already "
        "mapped to {first!r}, here to {second!r}. A kecamatan has one Polsek.",
    },
}


@dataclass(frozen=True, slots=True)
class _Entry:
    """One row of a user's mapping, with where it was written (for messages)."""

    where_id: str
    where_en: str
    kecamatan: str
    polsek: str


def polsek_table(
    kecamatan: gpd.GeoDataFrame | pd.DataFrame | str | Sequence[str] | None = None,
    mapping: PolsekMapping | None = None,
    *,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return the Polsek of each kecamatan: one per kecamatan by default, or the user's.

    Parameters
    ----------
    kecamatan : GeoDataFrame, DataFrame, str, list of str or None
        The kecamatan: a frame with ``code`` and ``name`` (``load_boundaries("kecamatan")``)
        or with ``kecamatan_code`` and ``kecamatan_name`` (desa, cell scores: one row per
        kecamatan is kept); or a region (``"16.71"``, ``"Palembang"``, a list of them, or
        ``None`` for the default regions), whose kecamatan are loaded from the pack.
    mapping : dict, DataFrame, path-like or None
        Overrides: ``{"kecamatan": "Polsek ..."}`` (kecamatan as code or name), a table
        with columns ``kecamatan`` (or ``kecamatan_code``/``kode_kecamatan``) and
        ``polsek``, or a CSV/XLSX file of that table. Kecamatan not named keep the default.
    settings : Settings, optional
        Where the boundary pack is (only when ``kecamatan`` is a region).

    Returns
    -------
    DataFrame
        ``kabupaten_code``, ``kecamatan_code``, ``kecamatan_name``, ``polsek``: one row per
        kecamatan, sorted by code.

    Raises
    ------
    BoundaryError
        The mapping cannot be read, lacks its columns, names a kecamatan that is not in
        the table (or several), gives one kecamatan two Polsek or an empty Polsek; the
        message names the row or key and the value.
    RegionError
        ``kecamatan`` is a region that is not known.
    """
    table = _kecamatan_rows(kecamatan, settings)
    table["polsek"] = ["Polsek " + kecamatan_display_name(n) for n in table["kecamatan_name"]]
    if mapping is not None:
        source, entries = _read_mapping(mapping)
        codes = _match(entries, table, source)
        table["polsek"] = [
            codes.get(c, p) for c, p in zip(table["kecamatan_code"], table["polsek"], strict=True)
        ]
    return table.loc[:, list(POLSEK_COLUMNS)]


def add_polsek(
    frame: pd.DataFrame,
    polsek: pd.DataFrame,
    *,
    column: str = "polsek",
) -> pd.DataFrame:
    """Return a copy of ``frame`` with the Polsek of each row's ``kecamatan_code``.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        Rows with a ``kecamatan_code`` column (cells, desa, records).
    polsek : DataFrame
        The output of :func:`polsek_table`.
    column : str
        Name of the new column.

    Returns
    -------
    DataFrame or GeoDataFrame
        A copy of ``frame`` (same index and order) with ``column``; missing where the
        kecamatan is missing or not in ``polsek``.
    """
    lookup = dict(zip(polsek["kecamatan_code"], polsek["polsek"], strict=True))
    out = frame.copy()
    out[column] = pd.Series(
        [lookup.get(c) if isinstance(c, str) else None for c in frame["kecamatan_code"]],
        index=frame.index,
        dtype="str",
    )
    return out


# --------------------------------------------------------------------------- the kecamatan


def _kecamatan_rows(
    kecamatan: gpd.GeoDataFrame | pd.DataFrame | str | Sequence[str] | None,
    settings: Settings | None,
) -> pd.DataFrame:
    """Return one row per kecamatan (code, name, kabupaten code), sorted by code."""
    if isinstance(kecamatan, pd.DataFrame):
        frame = kecamatan
    else:
        with warnings.catch_warnings():  # every kecamatan has its polygon: nothing to warn
            warnings.simplefilter("ignore", MissingVillageWarning)
            frame = load_boundaries("kecamatan", kecamatan, settings=settings)
    if {"kecamatan_code", "kecamatan_name"} <= set(frame.columns):  # desa, cells, records
        codes, names = frame["kecamatan_code"], frame["kecamatan_name"]
    elif {"code", "name"} <= set(frame.columns):  # the kecamatan themselves
        codes, names = frame["code"], frame["name"]
    else:
        have = ", ".join(map(str, frame.columns))
        raise BoundaryError.say(MESSAGES, "kec_frame", have=have)
    rows = pd.DataFrame({"kecamatan_code": codes.to_numpy(), "kecamatan_name": names.to_numpy()})
    rows = rows.dropna(subset=["kecamatan_code"]).astype({"kecamatan_code": str})
    rows["kecamatan_name"] = (
        rows["kecamatan_name"]
        .where(rows["kecamatan_name"].notna(), rows["kecamatan_code"])
        .astype(str)
    )
    rows = rows.drop_duplicates("kecamatan_code").sort_values("kecamatan_code", kind="stable")
    rows.insert(0, "kabupaten_code", rows["kecamatan_code"].str[:5])
    return rows.reset_index(drop=True)


# --------------------------------------------------------------------------- reading


def _read_mapping(mapping: PolsekMapping) -> tuple[str, list[_Entry]]:
    """Return a name for the mapping (for messages) and its rows."""
    if isinstance(mapping, Mapping):
        if all(isinstance(v, str) for v in mapping.values()):
            entries = [_Entry(f"kunci {k!r}", f"key {k!r}", str(k), v) for k, v in mapping.items()]
            return "(dict)", entries
        mapping = pd.DataFrame(mapping)  # a table given as columns
    if isinstance(mapping, pd.DataFrame):
        return "(DataFrame)", _table_entries(mapping, "(DataFrame)", header_row=False)
    path = Path(mapping)
    source = repr(path.name)
    return source, _table_entries(_read_file(path, source), source, header_row=True)


def _read_file(path: Path, source: str) -> pd.DataFrame:
    """Read a CSV (any common separator, UTF-8 or Windows-1252) or XLSX file as text."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            return pd.read_excel(path, dtype=str, keep_default_na=False)
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        from io import StringIO

        return pd.read_csv(
            StringIO(text), sep=None, engine="python", dtype=str, keep_default_na=False
        )
    except (OSError, ValueError, ImportError, pd.errors.ParserError) as exc:
        raise BoundaryError.say(MESSAGES, "read", source=source, reason=exc) from None


def _column(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    by_key = {str(c).strip().lower(): c for c in frame.columns}
    return next((by_key[n] for n in names if n in by_key), None)


def _table_entries(frame: pd.DataFrame, source: str, *, header_row: bool) -> list[_Entry]:
    """Return the rows of a mapping table; file rows are numbered as a spreadsheet shows."""
    kec_col, pol_col = _column(frame, _KEC_COLUMNS), _column(frame, _POLSEK_COLUMNS)
    if kec_col is None or pol_col is None:
        have = ", ".join(map(str, frame.columns))
        raise BoundaryError.say(MESSAGES, "columns", source=source, have=have)
    entries = []
    for i, (kec, pol) in enumerate(zip(frame[kec_col], frame[pol_col], strict=True)):
        kec_text = "" if pd.isna(kec) else str(kec).strip()
        if not kec_text:
            continue  # an empty line
        row = i + 2 if header_row else i
        where = (f"baris {row}", f"row {row}")
        entries.append(_Entry(*where, kec_text, "" if pd.isna(pol) else str(pol).strip()))
    return entries


# --------------------------------------------------------------------------- matching


def _key(text: str) -> str:
    """Normalise a kecamatan name: case, spaces, hyphens, prefixes and numerals ignored."""
    text = re.sub(r"^\s*(kecamatan|kec\.?)\s+", "", text.lower())
    tokens = re.findall(r"[a-z]+|\d+", text)
    return "".join(_NUMBERS.get(t, t) for t in tokens)


def _short_key(text: str) -> str | None:
    """Return the initials form of a numbered name ("Ilir Timur Satu" → "it1"), if any."""
    tokens = [_NUMBERS.get(t, t) for t in re.findall(r"[a-z]+|\d+", text.lower())]
    if len(tokens) >= 3 and tokens[-1].isdigit() and not any(t.isdigit() for t in tokens[:-1]):
        return "".join(t[0] for t in tokens[:-1]) + tokens[-1]
    return None


def _name_index(table: pd.DataFrame) -> dict[str, list[str]]:
    """Normalised name (official, as staff write it, initials) → kecamatan codes."""
    index: dict[str, list[str]] = {}
    for code, name in zip(table["kecamatan_code"], table["kecamatan_name"], strict=True):
        keys = {_key(name), _key(kecamatan_display_name(name)), _short_key(name)}
        for key in keys - {None, ""}:
            index.setdefault(str(key), []).append(code)
    return index


def _match(entries: list[_Entry], table: pd.DataFrame, source: str) -> dict[str, str]:
    """Return kecamatan code → Polsek of the mapping, refusing what cannot be placed."""
    codes = set(table["kecamatan_code"])
    kabupaten = set(table["kabupaten_code"])
    regions = ", ".join(sorted(kabupaten))
    index = _name_index(table)
    out: dict[str, str] = {}
    for entry in entries:
        where = {"source": source, "where": entry.where_id, "where_en": entry.where_en}
        value = entry.kecamatan
        if _CODE.fullmatch(value):
            if value[:5] not in kabupaten:
                continue  # another kabupaten/kota's line of a province-wide file
            found = [value] if value in codes else []
        else:
            found = sorted(set(index.get(_key(value), [])))
        if not found:
            hint = _hint(value, table)
            raise BoundaryError.say(
                MESSAGES,
                "unknown",
                value=value,
                regions=regions,
                hint=f" Mungkin maksudnya: {hint}." if hint else "",
                hint_en=f" Did you mean: {hint}?" if hint else "",
                **where,
            )
        if len(found) > 1:
            raise BoundaryError.say(
                MESSAGES, "ambiguous", value=value, matches=", ".join(found), **where
            )
        if not entry.polsek:
            raise BoundaryError.say(MESSAGES, "empty_polsek", value=value, **where)
        code = found[0]
        if code in out and out[code] != entry.polsek:
            raise BoundaryError.say(
                MESSAGES,
                "twice",
                value=value,
                code=code,
                first=out[code],
                second=entry.polsek,
                **where,
            )
        out[code] = entry.polsek
    return out


def _hint(value: str, table: pd.DataFrame) -> str:
    """Return the closest kecamatan names to a misspelt one, with their codes."""
    names = {
        kecamatan_display_name(n): c
        for c, n in zip(table["kecamatan_code"], table["kecamatan_name"], strict=True)
    }
    close = get_close_matches(value, list(names), n=3, cutoff=0.6)
    return ", ".join(f"{n} ({names[n]})" for n in close)
