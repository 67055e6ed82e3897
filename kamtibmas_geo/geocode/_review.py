"""Review as analysts do it in ArcGIS: a sheet of the doubtful rows, their choices read back.

:func:`review_table` lists the rows placed with a low score or a flag and the rows left
ambiguous, each with the words read, the score and the candidate units (code and name); the
analyst writes the chosen code in the ``pilihan`` column. :func:`read_corrections` reads
that sheet back for :func:`kamtibmas_geo.geocode.geocode` (``corrections=``), which places
those rows there and marks them ``geocode_flag="corrected"``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from kamtibmas_geo._errors import GeocodeError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.geocode._gazetteer import Gazetteer
from kamtibmas_geo.geocode._matcher import Matcher
from kamtibmas_geo.records._ledger import RecordSet

__all__ = ["REVIEW_COLUMNS", "flag_text", "read_corrections", "review_table"]

MESSAGES = {
    "rv_read": {
        "id": "Lembar koreksi {path} tidak bisa dibaca ({err}). Gunakan berkas yang ditulis "
        "oleh geocode --review (kolom baris dan pilihan).",
        "en": "Corrections sheet {path} cannot be read ({err}). Use the file written by "
        "geocode --review (columns baris and pilihan).",
    },
    "rv_columns": {
        "id": "Lembar koreksi {path} tidak punya kolom 'baris' dan 'pilihan'.",
        "en": "Corrections sheet {path} lacks the columns 'baris' and 'pilihan'.",
    },
    "flag_desa_no_polygon": {
        "id": "Desa/kelurahan '{words}' tidak punya poligon di sumber batas wilayah yang "
        "dipakai; ditempatkan di titik kecamatan {name}.",
        "en": "Desa/kelurahan '{words}' has no polygon in the pinned boundary source; "
        "placed at the point of its kecamatan {name}.",
    },
    "flag_kecamatan_mismatch": {
        "id": "Desa/kelurahan '{words}' berada di kecamatan lain daripada yang tertulis; "
        "ditempatkan di desa/kelurahan itu dengan skor lebih rendah.",
        "en": "Desa/kelurahan '{words}' lies in another kecamatan than the one written; "
        "placed on that desa/kelurahan with a lower score.",
    },
    "flag_corrected": {
        "id": "Ditempatkan menurut pilihan analis.",
        "en": "Placed as the analyst chose.",
    },
}

#: Columns of the review sheet (``pilihan`` is left empty for the analyst).
REVIEW_COLUMNS = (
    "sumber",
    "baris",
    "alamat",
    "status",
    "skor",
    "kode",
    "nama",
    "kata",
    "tanda",
    "keterangan",
    "kandidat",
    "pilihan",
)


def review_table(
    result: RecordSet,
    texts: pd.Series,
    gazetteer: Gazetteer,
    *,
    min_score: float = 90.0,
    lang: str = "id",
) -> pd.DataFrame:
    """Return the rows to review: low score or flagged placements and ambiguous rows.

    Parameters
    ----------
    result : RecordSet
        What :func:`~kamtibmas_geo.geocode.geocode` returned.
    texts : Series
        Sheet row -> the address text the row was matched by.
    gazetteer : Gazetteer
        The gazetteer used (for candidate names).
    min_score : float
        Placements scoring below this are listed.
    lang : {"id", "en"}
        Language of ``keterangan`` (what the flag in ``tanda`` means).

    Returns
    -------
    DataFrame
        Columns :data:`REVIEW_COLUMNS`, sorted by sheet row; ``kandidat`` lists
        ``code name`` pairs separated by ``;``.
    """
    matcher = Matcher(gazetteer)
    rows: list[dict[str, object]] = []
    rec = result.records
    low = rec[
        (rec["geocode_status"] == "matched")
        & ((rec["geocode_score"] < min_score) | (rec["geocode_flag"].astype(str) != ""))
    ]
    for r in low.to_dict("records"):
        alts = [c for c in str(r.get("geocode_alternatives", "")).split(";") if c]
        line = _row(r.get("source", ""), r["row"], texts, "matched", r, alts, gazetteer)
        line["keterangan"] = flag_text(r, lang)
        rows.append(line)
    rej = result.rejected
    if "geocode_status" in rej.columns:
        for r in rej[rej["geocode_status"] == "ambiguous"].to_dict("records"):
            detail = matcher.match(str(r["value"])).detail
            codes = detail.partition("|")[2].strip("[]").replace("'", "").split(", ")
            rows.append(
                _row(
                    r["source"],
                    r["row"],
                    texts,
                    "ambiguous",
                    {},
                    [c for c in codes if c],
                    gazetteer,
                )
            )
    out = pd.DataFrame(rows, columns=list(REVIEW_COLUMNS))
    return out.sort_values("baris", kind="stable").reset_index(drop=True)


def _row(
    source: object,
    row: object,
    texts: pd.Series,
    status: str,
    placed: dict[str, object],
    codes: list[str],
    gazetteer: Gazetteer,
) -> dict[str, object]:
    """One line of the review sheet."""
    names = gazetteer.names
    return {
        "sumber": str(source),
        "baris": int(row),  # type: ignore[call-overload]
        "alamat": str(texts.get(int(row), "")),  # type: ignore[call-overload]
        "status": status,
        "skor": float(placed.get("geocode_score", 0.0) or 0.0),  # type: ignore[arg-type]
        "kode": str(placed.get("region_code", "") or ""),
        "nama": str(placed.get("region_name", "") or ""),
        "kata": str(placed.get("geocode_words", "") or ""),
        "tanda": str(placed.get("geocode_flag", "") or ""),
        "keterangan": "",
        "kandidat": "; ".join(f"{c} {names.get(c, '(luar wilayah)')}" for c in codes),
        "pilihan": "",
    }


def flag_text(placed: dict[str, object], lang: str = "id") -> str:
    """Say what a placement's ``geocode_flag`` means, in ``lang`` ('' without a flag).

    Parameters
    ----------
    placed : dict
        One placed record (``geocode_flag``, ``geocode_words``, ``region_name``).
    lang : {"id", "en"}
        Language.

    Returns
    -------
    str
    """
    flag = str(placed.get("geocode_flag", "") or "")
    key = f"flag_{flag}"
    if not flag or key not in MESSAGES:
        return ""
    words = str(placed.get("geocode_words", "") or "")
    name = str(placed.get("region_name", "") or "")
    return tr(MESSAGES, key, lang, words=words, name=name)


def read_corrections(path: str | os.PathLike[str], *, lang: str = "id") -> dict[int, str]:
    """Read an analyst's review sheet: sheet row -> the code written in ``pilihan``.

    Parameters
    ----------
    path : path-like
        The ``.xlsx`` (or ``.csv``) written by ``geocode --review`` and filled in.
    lang : {"id", "en"}
        Kept for symmetry with the other readers (errors carry both languages).

    Returns
    -------
    dict
        Only rows with a choice.

    Raises
    ------
    GeocodeError
        The file cannot be read or lacks the columns.
    """
    file = Path(path)
    try:
        if file.suffix.lower() == ".csv":
            df = pd.read_csv(file, dtype=str, keep_default_na=False)
        else:
            df = pd.read_excel(file, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as err:
        raise GeocodeError.say(MESSAGES, "rv_read", path=str(file), err=err) from err
    if not {"baris", "pilihan"} <= set(df.columns):
        raise GeocodeError.say(MESSAGES, "rv_columns", path=str(file))
    out: dict[int, str] = {}
    for row, choice in zip(df["baris"], df["pilihan"], strict=True):
        choice = str(choice).strip().lstrip("'")
        if choice and str(row).strip().isdigit():
            out[int(str(row).strip())] = choice
    return out
