"""Header names: which column of a table holds which field, for every kind of input.

Polres and Polsek sheets name their columns in many ways ("TKP / Alamat", "Tempat Kejadian
Perkara (TKP)", "Hari/Tgl/Jam", "LS"/"BT"). Names are compared after lower-casing and
turning punctuation into spaces (:func:`~kamtibmas_geo.records._taxonomy.normalise_text`):
first the exact names of :data:`ALIASES` (records), :data:`EARLY_ALIASES` (early
warnings) or :data:`PLACE_ALIASES` (posts, landmarks, candidate sites), in order, then
the first word of a name (``"Tanggal Lapor"`` is a date). A person can name the columns themselves
(:func:`parse_columns`, ``--columns tanggal="Hari/Tanggal",alamat="TKP / Alamat"``), and
:func:`describe_columns` tells which column was used for what.

Examples
--------
>>> map_columns(["No", "Hari/Tgl/Jam", "TKP / Alamat", "LS", "BT"], ALIASES)
{'lat': 'LS', 'lon': 'BT', 'date': 'Hari/Tgl/Jam', 'address': 'TKP / Alamat'}
>>> parse_columns('tanggal="Hari/Tanggal",alamat="TKP / Alamat"')
{'date': 'Hari/Tanggal', 'address': 'TKP / Alamat'}
>>> describe_columns({"date": "Hari/Tanggal", "address": "TKP / Alamat"}, "id")
"tanggal ← 'Hari/Tanggal', alamat ← 'TKP / Alamat'"
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence

from kamtibmas_geo._errors import RecordError
from kamtibmas_geo._i18n import tr
from kamtibmas_geo.records._taxonomy import normalise_text

__all__ = [
    "ALIASES",
    "EARLY_ALIASES",
    "FIELD_NAMES",
    "MESSAGES",
    "PLACE_ALIASES",
    "describe_columns",
    "known_names",
    "map_columns",
    "option_name",
    "parse_columns",
]

MESSAGES = {
    "columns_syntax": {
        "id": "--columns {text!r} tidak bisa dibaca; tulis bidang=kolom dipisah koma, "
        'misalnya --columns tanggal="Hari/Tanggal",alamat="TKP / Alamat".',
        "en": "--columns {text!r} cannot be read; write field=column separated by commas, "
        'e.g. --columns tanggal="Hari/Tanggal",alamat="TKP / Alamat".',
    },
    "columns_field": {
        "id": "--columns: bidang {name!r} tidak dikenal; yang dikenal: {known}.",
        "en": "--columns: unknown field {name!r}; known fields: {known}.",
    },
    "columns_missing": {
        "id": "--columns {field_id}={column!r}: kolom itu tidak ada di {source!r}; kolomnya: "
        "{columns}. Tulis nama kolom persis seperti judul kolomnya.",
        "en": "--columns {field_en}={column!r}: {source!r} has no such column; its columns are "
        "{columns}. Write the column name exactly as its header.",
    },
    "field_date": {"id": "tanggal", "en": "date"},
    "field_time": {"id": "jam", "en": "time"},
    "field_lat": {"id": "lintang", "en": "latitude"},
    "field_lon": {"id": "bujur", "en": "longitude"},
    "field_coords": {"id": "koordinat", "en": "coordinates"},
    "field_address": {"id": "alamat", "en": "address"},
    "field_type": {"id": "jenis", "en": "type"},
    "field_kecamatan": {"id": "kecamatan", "en": "kecamatan"},
    "field_desa": {"id": "desa", "en": "desa"},
    "field_polsek": {"id": "polsek", "en": "polsek"},
    "field_keterangan": {"id": "keterangan", "en": "notes"},
    "field_name": {"id": "nama", "en": "name"},
    "field_status": {"id": "status", "en": "status"},
    "field_alias": {"id": "nama lain", "en": "aliases"},
    "field_expected": {"id": "perkiraan waktu", "en": "expected time"},
    "field_reporter_role": {"id": "pelapor (unsur)", "en": "reporter (role)"},
    "field_reporter_name": {"id": "nama pelapor", "en": "reporter name"},
    "field_reporter_contact": {"id": "kontak pelapor", "en": "reporter contact"},
    "none": {"id": "(tidak ada kolom yang dikenali)", "en": "(no column recognised)"},
}

_LAT = (
    "lintang",
    "lat",
    "latitude",
    "y",
    "lintang selatan",
    "garis lintang",
    "koordinat y",
    "koord y",
    "lat dd",
    "ls",
    "lu",
    "lintang ls",
    "lintang selatan ls",
    "koordinat ls",
    "lintang lu",
    "lat ls",
    "derajat lintang",
)
_LON = (
    "bujur",
    "lon",
    "lng",
    "long",
    "longitude",
    "x",
    "bujur timur",
    "garis bujur",
    "koordinat x",
    "koord x",
    "lon dd",
    "bt",
    "bujur bt",
    "bujur timur bt",
    "koordinat bt",
    "long bt",
    "lon bt",
    "derajat bujur",
)
_COORDS = (
    "koordinat",
    "lokasi koordinat",
    "titik koordinat",
    "koordinat tkp",
    "koordinat lokasi",
    "coordinates",
    "coordinate",
    "latlon",
    "lat lon",
    "lat long",
    "latlong",
    "lat lng",
    "titik lokasi",
    "gps",
    "titik gps",
    "lintang bujur",
    "koordinat gps",
    "ls bt",
    "koordinat ls bt",
    "titik koordinat tkp",
)
_DESA = (
    "desa",
    "kelurahan",
    "kel",
    "desa kelurahan",
    "desa kel",
    "kelurahan desa",
    "village",
    "ds",
    "nama desa",
    "kel desa",
)
_KEC = ("kecamatan", "kec", "district", "nama kecamatan")

#: Column names of records (disturbances and activities), field by field, in order.
ALIASES: dict[str, tuple[str, ...]] = {
    "lat": _LAT,
    "lon": _LON,
    "coords": _COORDS,
    "date": ("tanggal", "tgl", "date", "tanggal kejadian", "tgl kejadian", "hari tanggal",
             "hari tgl", "datetime", "tanggal kegiatan", "tgl kegiatan",
             "hari tanggal kejadian", "tanggal waktu", "hari tgl jam", "hari tanggal jam",
             "hari tanggal waktu", "hari tgl waktu", "tanggal jam", "tgl jam",
             "tanggal dan jam", "tanggal dan waktu", "tgl waktu", "waktu kejadian",
             "tanggal lapor", "tgl lapor", "tanggal laporan", "waktu", "tanggal kejadian jam",
             "hari tanggal pukul", "tanggal pukul", "hari tgl pukul"),
    "time": ("jam", "time", "pukul", "jam kejadian", "pukul kejadian", "jam kegiatan", "pkl",
             "jam wib", "waktu jam", "pukul wib", "jam pelaksanaan", "waktu pelaksanaan",
             "waktu kegiatan", "waktu"),
    "address": ("alamat", "lokasi", "tkp", "tempat kejadian", "alamat kejadian",
                "lokasi kejadian", "tempat", "address", "location", "alamat tkp",
                "tkp alamat", "lokasi kegiatan", "tempat kegiatan", "tempat kejadian perkara",
                "tempat kejadian perkara tkp", "tempat kejadian tkp", "lokasi tkp",
                "tkp lokasi", "alamat lokasi", "alamat lengkap", "lokasi alamat",
                "alamat tempat kejadian", "tkp tempat kejadian perkara"),
    "type": ("jenis", "kategori", "type", "jenis kejadian", "jenis gangguan", "jenis kegiatan",
             "kategori kejadian", "kejadian", "kegiatan", "jenis giat", "giat", "category",
             "jenis kasus", "kasus", "jenis gangguan kamtibmas", "jenis perkara", "perkara",
             "jenis tindak pidana", "tindak pidana", "jenis kejahatan"),
    "kecamatan": _KEC,
    "desa": _DESA,
    "polsek": ("polsek", "polsek jajaran", "satuan", "polsek polres", "kesatuan"),
    "keterangan": ("keterangan", "ket", "uraian", "uraian singkat", "deskripsi", "catatan",
                   "description", "notes", "kronologi", "uraian kejadian",
                   "keterangan kejadian"),
}  # fmt: skip

#: Date columns of an early warning that say when it was REPORTED; they come first, so that
#: "Tanggal Kejadian" beside "Tanggal Lapor" is the expected time, not the report date.
_REPORTED = ("tanggal lapor", "tgl lapor", "waktu lapor", "tanggal laporan", "tgl laporan",
             "waktu laporan", "tanggal dilaporkan", "hari tanggal lapor", "tanggal informasi",
             "tgl informasi", "tanggal info", "waktu informasi", "tanggal diterima",
             "tgl diterima", "tanggal masuk", "tanggal terima", "tanggal input",
             "tanggal pelaporan", "reported", "report date", "date reported")  # fmt: skip

#: Column names of early warnings (informasi dini): the records' names, the report date
#: first, and the columns of when it is expected, who reported it and its follow-up.
EARLY_ALIASES: dict[str, tuple[str, ...]] = {
    "lat": _LAT,
    "lon": _LON,
    "coords": _COORDS,
    "date": _REPORTED + ALIASES["date"],
    "time": ("jam lapor", "pukul lapor", "jam laporan", "jam informasi", "jam diterima",
             "waktu lapor jam") + ALIASES["time"],
    "address": ALIASES["address"] + ("lokasi potensi", "lokasi rawan", "tempat potensi",
                                     "lokasi rencana", "alamat potensi"),
    "type": ("jenis potensi", "potensi", "potensi gangguan", "jenis potensi gangguan",
             "jenis informasi", "informasi", "jenis informasi dini", "informasi dini",
             "bentuk potensi", "jenis ancaman", "ancaman", "jenis kerawanan", "kerawanan",
             "potensi kerawanan", "bentuk informasi", "kategori potensi",
             "jenis gangguan yang diperkirakan", "warning type") + ALIASES["type"],
    "kecamatan": _KEC,
    "desa": _DESA,
    "polsek": ALIASES["polsek"],
    "keterangan": ALIASES["keterangan"] + ("isi informasi", "uraian informasi",
                                           "isi laporan", "uraian potensi", "isi"),
    "expected": ("perkiraan waktu", "waktu perkiraan", "perkiraan waktu kejadian",
                 "waktu kejadian yang diperkirakan", "waktu yang diperkirakan",
                 "perkiraan tanggal", "tanggal perkiraan", "perkiraan", "diperkirakan",
                 "rencana waktu", "waktu rencana", "rencana tanggal", "tanggal rencana",
                 "rencana pelaksanaan", "jadwal", "waktu potensi", "kapan",
                 "perkiraan waktu terjadi", "prakiraan waktu", "expected", "expected time",
                 "waktu kejadian", "tanggal kejadian", "tgl kejadian",
                 "hari tanggal kejadian", "tanggal kejadian jam"),
    "reporter_role": ("pelapor", "sumber informasi", "sumber info", "sumber",
                      "jabatan pelapor", "unsur", "unsur pelapor", "asal informasi",
                      "pemberi informasi", "status pelapor", "peran pelapor", "jabatan",
                      "dilaporkan oleh", "sumber laporan", "pelapor unsur", "reporter",
                      "reporter role"),
    "reporter_name": ("nama pelapor", "nama", "nama sumber", "nama pemberi informasi",
                      "nama informan", "identitas pelapor", "reporter name"),
    "reporter_contact": ("no hp", "no hp pelapor", "nomor hp", "hp", "hp pelapor", "no telp",
                         "no tlp", "telp", "telepon", "no telepon", "nomor telepon",
                         "telepon pelapor", "kontak", "kontak pelapor", "no kontak", "no wa",
                         "nomor wa", "wa", "whatsapp", "no hp wa", "contact",
                         "reporter contact"),
    "status": ("status", "tindak lanjut", "keterangan tindak lanjut", "tindaklanjut",
               "status tindak lanjut", "ket tindak lanjut", "hasil tindak lanjut", "tl",
               "status informasi", "follow up", "hasil", "status penanganan",
               "penanganan"),
}  # fmt: skip

#: Column names of point places: posts, landmarks and candidate sites.
PLACE_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("nama", "name", "nama pos", "nama poskamling", "nama pos kamling", "poskamling",
             "pos kamling", "nama tempat", "nama lokasi", "nama landmark", "nama titik",
             "pos", "nama pos ronda", "pos ronda", "id"),
    "lat": _LAT,
    "lon": _LON,
    "coords": _COORDS,
    "status": ("status", "kondisi", "keadaan", "aktif", "active", "status pos",
               "kondisi pos", "status aktif", "operasional", "status operasional",
               "keaktifan", "kondisi bangunan"),
    "keterangan": ("keterangan", "ket", "catatan", "notes", "uraian"),
    "kind": ("jenis", "kind", "kategori", "tipe", "type", "jenis tempat"),
    "alias": ("alias", "aliases", "nama lain", "sebutan", "nama lain alias"),
    "address": ("alamat", "lokasi", "alamat lokasi", "address", "tempat"),
    "desa": _DESA,
    "kecamatan": _KEC,
}  # fmt: skip

#: The first word of a header that tells its field, when no alias matched.
_PREFIX_WORDS = {
    "lintang": "lat", "latitude": "lat", "bujur": "lon", "longitude": "lon",
    "koordinat": "coords", "tanggal": "date", "tgl": "date", "hari": "date", "jam": "time",
    "pukul": "time", "alamat": "address", "tkp": "address", "jenis": "type",
    "kecamatan": "kecamatan", "desa": "desa", "kelurahan": "desa", "polsek": "polsek",
    "keterangan": "keterangan", "uraian": "keterangan", "nama": "name", "status": "status",
    "kondisi": "status", "perkiraan": "expected", "pelapor": "reporter_role",
    "sumber": "reporter_role", "unsur": "reporter_role", "kontak": "reporter_contact",
    "telepon": "reporter_contact", "telp": "reporter_contact", "tindak": "status",
}  # fmt: skip

#: Field names a person may use in ``--columns`` (Indonesian and English) → field.
FIELD_NAMES = {
    "tanggal": "date", "tgl": "date", "date": "date", "jam": "time", "waktu": "time",
    "pukul": "time", "time": "time", "lintang": "lat", "lat": "lat", "bujur": "lon",
    "lon": "lon", "koordinat": "coords", "coords": "coords", "alamat": "address",
    "tkp": "address", "address": "address", "jenis": "type", "type": "type",
    "kecamatan": "kecamatan", "desa": "desa", "kelurahan": "desa", "polsek": "polsek",
    "keterangan": "keterangan", "nama": "name", "name": "name", "status": "status",
    "kondisi": "status", "alias": "alias", "kind": "kind", "perkiraan": "expected",
    "perkiraanwaktu": "expected", "expected": "expected", "pelapor": "reporter_role",
    "unsur": "reporter_role", "namapelapor": "reporter_name", "kontak": "reporter_contact",
    "nohp": "reporter_contact", "tindaklanjut": "status",
}  # fmt: skip


def option_name(field: str, lang: str) -> str:
    """Return the name a person writes in ``--columns`` for ``field``, in ``lang``.

    Parameters
    ----------
    field : str
        A field's own name (``date``, ``time``, ``reporter_role`` ...).
    lang : {"id", "en"}
        ``"id"``: the first Indonesian name of :data:`FIELD_NAMES` (``tanggal``);
        ``"en"``: the field's English name where ``--columns`` takes it (``date``).

    Returns
    -------
    str

    Examples
    --------
    >>> option_name("time", "id"), option_name("time", "en")
    ('jam', 'time')
    """
    first = next((name for name, f in FIELD_NAMES.items() if f == field), field)
    return field if lang == "en" and FIELD_NAMES.get(field) == field else first


def known_names(aliases: Mapping[str, Sequence[str]]) -> set[str]:
    """Return every alias of ``aliases`` (used to find the header row under a title).

    Parameters
    ----------
    aliases : mapping
        ``{field: names}``, :data:`ALIASES`, :data:`EARLY_ALIASES` or :data:`PLACE_ALIASES`.

    Returns
    -------
    set of str
    """
    return {a for names in aliases.values() for a in names}


def parse_columns(text: str | None) -> dict[str, str]:
    """Read a ``--columns`` value: ``field=column`` pairs separated by commas.

    Parameters
    ----------
    text : str or None
        For example ``tanggal="Hari/Tanggal",alamat="TKP / Alamat"``; a column name that
        holds a comma is written in double quotes.

    Returns
    -------
    dict
        ``{field: column}`` with the fields' own names (``date``, ``address`` ...).

    Raises
    ------
    RecordError
        A pair without ``=`` or an unknown field.
    """
    if not text or not text.strip():
        return {}
    out: dict[str, str] = {}
    for piece in next(csv.reader([text], skipinitialspace=True)):
        if not piece.strip():
            continue
        name, sep, column = piece.partition("=")
        column = column.strip().strip('"').strip("'").strip()
        if not sep or not column:
            raise RecordError.say(MESSAGES, "columns_syntax", text=text)
        field = FIELD_NAMES.get(normalise_text(name).replace(" ", ""))
        if field is None:
            known = ", ".join(sorted({k for k in FIELD_NAMES if k.isalpha()}))
            raise RecordError.say(MESSAGES, "columns_field", name=name.strip(), known=known)
        out[field] = column
    return out


def _find(columns: Sequence[str], wanted: str) -> str | None:
    """Return the column named ``wanted``: exactly, else after normalising both."""
    if wanted in columns:
        return wanted
    want = normalise_text(wanted)
    return next((c for c in columns if normalise_text(c) == want), None)


def map_columns(
    columns: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
    *,
    given: Mapping[str, str] | None = None,
    source: str = "",
    strict: bool = True,
) -> dict[str, str]:
    """Map fields to the table's column names.

    The columns the person named (``given``) come first, then for each field in order the
    first alias that names a column not taken yet, then the first word of the remaining
    names (``"Tanggal Lapor"`` → date).

    Parameters
    ----------
    columns : sequence of str
        The table's column names.
    aliases : mapping
        :data:`ALIASES` or :data:`PLACE_ALIASES`.
    given : mapping, optional
        ``{field: column}`` named by the person (``--columns``).
    source : str
        The file's name, for the error.
    strict : bool
        Refuse a ``given`` column the table lacks; ``False`` ignores it (an input the
        option was not meant for).

    Returns
    -------
    dict
        ``{field: column}``.

    Raises
    ------
    RecordError
        ``strict`` and a given column is not in the table.
    """
    found: dict[str, str] = {}
    used: set[str] = set()
    for field, wanted in (given or {}).items():
        hit = _find(columns, wanted)
        if hit is None:
            if strict:
                raise RecordError.say(
                    MESSAGES, "columns_missing", field_id=option_name(field, "id"),
                    field_en=option_name(field, "en"), column=wanted, source=source,
                    columns=list(columns),
                )  # fmt: skip
            continue
        found[field], used = hit, used | {hit}
    norm = {c: normalise_text(c) for c in columns}
    for field, names in aliases.items():
        if field in found:
            continue
        for alias in names:
            hit = next((c for c in columns if c not in used and norm[c] == alias), None)
            if hit is not None:
                found[field], used = hit, used | {hit}
                break
    for c in columns:
        words = norm[c].split()
        field_of = _PREFIX_WORDS.get(words[0]) if words and c not in used else None
        if field_of is not None and field_of in aliases and field_of not in found:
            found[field_of], used = c, used | {c}
    return found


def describe_columns(cols: Mapping[str, str], lang: str) -> str:
    """Return which column was used for which field, in words for staff.

    Parameters
    ----------
    cols : mapping
        ``{field: column}`` as :func:`map_columns` returns it.
    lang : {"id", "en"}
        Language of the field names.

    Returns
    -------
    str
        ``"tanggal ← 'Hari/Tanggal', alamat ← 'TKP / Alamat'"``.
    """
    parts = [
        f"{tr(MESSAGES, 'field_' + field, lang) if 'field_' + field in MESSAGES else field}"
        f" ← {column!r}"
        for field, column in cols.items()
    ]
    return ", ".join(parts) if parts else tr(MESSAGES, "none", lang)
