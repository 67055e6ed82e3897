r"""Early warnings (informasi dini): who reported, its follow-up, and when it is expected.

An early warning is a record of what a community reporter fears is about to happen
("remaja janjian tawuran setelah tarawih malam Minggu"). :func:`read_records` with
``kind="early_warning"`` reads it like any record (report date, place, type against
``[early_warning.*]`` of the taxonomy) and this module adds the columns only warnings have
(:data:`EARLY_COLUMNS`):

- ``feared_type``: the disturbance type the warning's type fears (its ``feared``);
- ``expected_start``/``expected_end``: when it is expected, from a date/time
  (``"14/03/2026 21.00"``) or words relative to the report date: a day name
  (``"Sabtu"``, the first on or after the report day), ``"malam Minggu"`` (the evening
  before), ``"besok"``, ``"lusa"``, ``"nanti malam"``, ``"minggu depan"``, a prayer-time
  window (``"setelah tarawih"``, ``"sahur"``, ``"subuh"``, ``"ngabuburit"``; the hours of
  :data:`kamtibmas_geo.calendar.TIME_WINDOWS`, mirrored in :data:`WINDOW_HOURS`), and a
  clock time (``"pukul 22.00"``). ``expected_end`` is the end of the named day or window,
  or three hours after a moment. NaT when nothing is said or nothing can be read (noted);
- ``reporter_role``: a code of :data:`WARNING_ROLES` from the words people write
  (``"Ketua RT 05"``, ``"Pak RW"``, ``"Pokdar"``, ``"FKPM"``, ``"Karang Taruna"``,
  ``"Bhabin"``, ``"tokoh agama"``);
- ``reporter_name``, ``reporter_contact``, ``reporter_text``: PRIVATE
  (:data:`PRIVATE_COLUMNS`); only the geocode output file (a private output) keeps them;
- ``status``: a code of :data:`WARNING_STATUSES` (``"belum"``, ``"sudah
  ditindaklanjuti"``, ``"nihil"``, ``"hoaks"`` ...); an empty status is ``"open"``;
- ``early_note``: why a role, status or expected time could not be read.

Examples
--------
>>> read_role("Ketua RT 05 / RW 02"), read_role("Pak RW"), read_role("FKPM Kel. 8 Ulu")
('rt', 'rw', 'pokdar')
>>> read_status("Sudah ditindaklanjuti (sambang)"), read_status("belum"), read_status("hoaks")
('followed_up', 'open', 'unfounded')
>>> reported = pd.Timestamp("2026-02-12 10:00")  # a Thursday
>>> read_expected("malam Minggu setelah tarawih", reported)
(Timestamp('2026-02-14 21:00:00'), Timestamp('2026-02-15 02:30:00'))
>>> read_expected("Sabtu pukul 22.00", reported)
(Timestamp('2026-02-14 22:00:00'), Timestamp('2026-02-15 01:00:00'))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.records._cells import string_array, text_cells
from kamtibmas_geo.records._parse import parse_datetime
from kamtibmas_geo.records._taxonomy import EARLY, Taxonomy, normalise_text

__all__ = [
    "EARLY_COLUMNS",
    "MESSAGES",
    "OWN_EARLY",
    "PRIVATE_COLUMNS",
    "WARNING_ROLES",
    "WARNING_STATUSES",
    "WINDOW_HOURS",
    "add_warning_columns",
    "read_expected",
    "read_role",
    "read_status",
]

#: Who reported a warning: code → label.
WARNING_ROLES: Mapping[str, Mapping[str, str]] = {
    "rt": {"id": "RT", "en": "RT (neighbourhood head)"},
    "rw": {"id": "RW", "en": "RW (community head)"},
    "pokdar": {"id": "Pokdar Kamtibmas", "en": "Pokdar Kamtibmas"},
    "ormas": {"id": "Ormas", "en": "Community organisation"},
    "bhabinkamtibmas": {"id": "Bhabinkamtibmas", "en": "Bhabinkamtibmas"},
    "warga": {"id": "Warga", "en": "Resident"},
    "lainnya": {"id": "Lainnya", "en": "Other"},
}
#: The follow-up of a warning: code → label.
WARNING_STATUSES: Mapping[str, Mapping[str, str]] = {
    "open": {"id": "Belum ditindaklanjuti", "en": "Not yet followed up"},
    "followed_up": {"id": "Ditindaklanjuti", "en": "Followed up"},
    "unfounded": {"id": "Tidak terbukti", "en": "Unfounded"},
}
#: Columns that name or reach the reporter: only in private outputs (never public).
PRIVATE_COLUMNS = ("reporter_name", "reporter_contact", "reporter_text")
#: The columns only early warnings have, in this order after the records' own columns.
EARLY_COLUMNS = (
    "feared_type", "expected_start", "expected_end", "reporter_role", "reporter_name",
    "reporter_contact", "reporter_text", "status", "early_note",
)  # fmt: skip
#: Fields of an own table (the geocode output read back) → the column they were written in.
OWN_EARLY = {
    "expected": "expected_start",
    "expected_end": "expected_end",
    "reporter_role": "reporter_role",
    "reporter_name": "reporter_name",
    "reporter_contact": "reporter_contact",
    "reporter_text": "reporter_text",
    "status": "status",
    "early_note": "early_note",
}
#: Hours (local, start and end) of the named windows: the patrol windows of
#: :data:`kamtibmas_geo.calendar.TIME_WINDOWS` (a test keeps them equal; records may not
#: import the calendar), plus ``dini_hari`` and the evening of ``malam <hari>``.
WINDOW_HOURS: Mapping[str, tuple[float, float]] = {
    "sahur": (2.5, 4.5),
    "subuh": (4.5, 6.0),
    "siang": (6.0, 15.5),
    "ngabuburit": (15.5, 18.25),
    "tarawih": (18.25, 21.0),
    "malam": (21.0, 2.5),
    "dini_hari": (0.0, 4.5),
    "petang": (18.25, 2.5),
}

MESSAGES = {
    "note_role_unknown": {
        "id": "pelapor {value!r} tidak dikenali sebagai RT, RW, Pokdar, ormas, "
        "Bhabinkamtibmas atau warga; dianggap 'lainnya'",
        "en": "reporter {value!r} is not recognised as RT, RW, Pokdar, ormas, "
        "Bhabinkamtibmas or resident; taken as 'other'",
    },
    "note_status_unknown": {
        "id": "status tindak lanjut {value!r} tidak dikenali; dianggap belum ditindaklanjuti",
        "en": "follow-up status {value!r} is not recognised; taken as not yet followed up",
    },
    "note_expected_unread": {
        "id": "perkiraan waktu {value!r} tidak terbaca (tulis tanggal/jam, nama hari, "
        "'malam Minggu', 'setelah tarawih', 'sahur' ...); dibiarkan kosong",
        "en": "expected time {value!r} cannot be read (write a date/time, a day name, "
        "'malam Minggu', 'setelah tarawih', 'sahur' ...); left empty",
    },
    "note_expected_before": {
        "id": "perkiraan waktu {value!r} jatuh sebelum tanggal lapor",
        "en": "expected time {value!r} lies before the report date",
    },
}

# -- who reported ----------------------------------------------------------------------

#: Role words (normalised, as whole words) → role code. The first word in the text wins
#: ("Ketua RT 05 / RW 02" is the RT); at one place the longest. A community figure
#: (tokoh agama, tokoh masyarakat) speaks as a resident; FKPM is a partnership forum like
#: Pokdar Kamtibmas; Karang Taruna and paguyuban are community organisations; a kepala
#: dusun heads a dusun as an RW heads its RW.
_ROLE_WORDS: Mapping[str, str] = {
    "rt": "rt", "ketua rt": "rt", "pak rt": "rt", "bu rt": "rt", "rukun tetangga": "rt",
    "rw": "rw", "ketua rw": "rw", "pak rw": "rw", "bu rw": "rw", "rukun warga": "rw",
    "kadus": "rw", "kepala dusun": "rw", "kadun": "rw",
    "pokdar": "pokdar", "pokdarkamtibmas": "pokdar", "pokdar kamtibmas": "pokdar",
    "kelompok sadar kamtibmas": "pokdar", "fkpm": "pokdar",
    "forum kemitraan polisi masyarakat": "pokdar",
    "ormas": "ormas", "organisasi masyarakat": "ormas", "organisasi kemasyarakatan": "ormas",
    "karang taruna": "ormas", "paguyuban": "ormas", "lsm": "ormas", "pemuda pancasila": "ormas",
    "ansor": "ormas", "banser": "ormas", "muhammadiyah": "ormas", "nu": "ormas",
    "bhabin": "bhabinkamtibmas", "bhabinkamtibmas": "bhabinkamtibmas",
    "bhabin kamtibmas": "bhabinkamtibmas", "babinkamtibmas": "bhabinkamtibmas",
    "bhabinkamtibmas kelurahan": "bhabinkamtibmas", "bhabinkamtibmas desa": "bhabinkamtibmas",
    "bhabinkamtibmas kel": "bhabinkamtibmas", "polmas": "bhabinkamtibmas",
    "warga": "warga", "masyarakat": "warga", "penduduk": "warga", "tokoh agama": "warga",
    "toga": "warga", "tokoh masyarakat": "warga", "tomas": "warga", "tokoh pemuda": "warga",
    "ustadz": "warga", "ustad": "warga", "takmir": "warga", "pengurus masjid": "warga",
    "imam masjid": "warga", "pedagang": "warga", "pemilik warung": "warga", "ibu rumah tangga":
    "warga", "orang tua": "warga", "guru": "warga", "anonim": "warga", "resident": "warga",
    "lainnya": "lainnya", "lain lain": "lainnya", "babinsa": "lainnya", "linmas": "lainnya",
    "satpam": "lainnya", "kepala desa": "lainnya", "kades": "lainnya", "lurah": "lainnya",
    "perangkat desa": "lainnya", "camat": "lainnya",
}  # fmt: skip
_ROLE_CODES = frozenset(WARNING_ROLES)


def _first_phrase(norm: str, words: Mapping[str, str]) -> str | None:
    """Return the code of the first phrase of ``words`` in ``norm`` (longest at a place)."""
    tokens = norm.split()
    for i in range(len(tokens)):
        for n in (4, 3, 2, 1):
            phrase = " ".join(tokens[i : i + n])
            if len(tokens) - i >= n and phrase in words:
                return words[phrase]
    return None


def read_role(value: Any) -> str | None:
    """Return the role code of a "pelapor" cell, ``None`` when empty or not recognised.

    Parameters
    ----------
    value : object
        The cell as written (``"Ketua RT 05"``, ``"Pokdar Kamtibmas Kel. 9 Ilir"``, ``"rw"``).

    Returns
    -------
    str or None
        A key of :data:`WARNING_ROLES`.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    norm = normalise_text(str(value)[:200])
    if norm.replace(" ", "_") in _ROLE_CODES:
        return norm.replace(" ", "_")
    # "RT.05", "RT05", "RW-02": a role word glued to its number
    norm = re.sub(r"\b(rt|rw)(\d+)\b", r"\1 \2", norm)
    return _first_phrase(norm, _ROLE_WORDS)


# -- follow-up -------------------------------------------------------------------------

#: Status phrases in the order they are tried: a warning found untrue, one not yet acted
#: on (before the words of action it negates: "belum ditindaklanjuti"), one acted on.
_STATUS_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("unfounded", ("tidak terbukti", "tdk terbukti", "belum terbukti", "nihil", "hoaks",
                   "hoax", "tidak benar", "tdk benar", "informasi tidak benar",
                   "tidak ditemukan", "tidak ada kejadian", "tidak terjadi", "batal",
                   "unfounded")),
    ("open", ("belum", "blm", "blum", "belum ditindaklanjuti", "menunggu", "tunggu", "baru",
              "tidak ada tindak lanjut", "tanpa tindak lanjut", "proses", "dalam proses",
              "sedang ditindaklanjuti", "monitoring", "dimonitor", "pemantauan", "open",
              "pending")),
    ("followed_up", ("sudah", "sdh", "sudah ditindaklanjuti", "ditindaklanjuti",
                     "ditindak lanjuti", "tindak lanjut", "tindaklanjut", "telah",
                     "selesai", "tuntas", "tl", "sudah tl", "sambang", "disambangi",
                     "dialog", "sudah dialog", "dibubarkan", "diamankan", "dicegah",
                     "diredam", "kondusif", "aman", "ditangani", "done", "closed",
                     "followed up", "followed_up")),
)  # fmt: skip


def read_status(value: Any) -> str | None:
    """Return the status code of a follow-up cell, ``None`` when not recognised.

    Parameters
    ----------
    value : object
        The cell as written (``"Belum"``, ``"Sudah ditindaklanjuti, sambang"``,
        ``"Nihil / tidak terbukti"``). An empty cell is ``"open"``.

    Returns
    -------
    str or None
        A key of :data:`WARNING_STATUSES`.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "open"
    norm = normalise_text(str(value)[:200])
    if not norm:
        return "open"
    padded = f" {norm} "
    for code, phrases in _STATUS_WORDS:
        if any(f" {p} " in padded for p in phrases):
            return code
    return None


# -- when it is expected ---------------------------------------------------------------

_DAYS = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum at": 4, "jumaat": 4,
    "sabtu": 5, "minggu": 6, "ahad": 6,
}  # fmt: skip
#: Window words, tried in order (after/before a prayer before the prayer itself).
_WINDOW_WORDS: tuple[tuple[str, str], ...] = (
    (r"(setelah|sesudah|usai|selepas|habis|bakda|ba da|pulang) (sholat |shalat |salat )?"
     r"tarawih", "malam"),
    (r"(setelah|sesudah|usai|selepas|habis|bakda|ba da) (sholat |shalat |salat )?(subuh|sahur)",
     "subuh"),
    (r"(setelah|sesudah|usai|selepas|habis) (berbuka|buka puasa|maghrib|magrib)", "tarawih"),
    (r"(sahur|jelang sahur|waktu sahur)", "sahur"),
    (r"(subuh|shubuh)", "subuh"),
    (r"(tarawih|taraweh|terawih|isya)", "tarawih"),
    (r"(ngabuburit|menjelang berbuka|jelang berbuka|jelang buka|sore)", "ngabuburit"),
    (r"dini hari", "dini_hari"),
    (r"(pagi|siang)", "siang"),
    (r"(tengah malam|larut malam)", "malam"),
    (r"malam", "petang"),
)  # fmt: skip
_RE_WINDOWS = [(re.compile(rf"\b(?:{p})\b"), w) for p, w in _WINDOW_WORDS]
_RE_DAY = re.compile(r"\b(malam )?(senin|selasa|rabu|kamis|jum ?a?at|jumat|sabtu|minggu|ahad)\b")
_RE_CLOCK_STRICT = re.compile(r"(?:\b(?:pukul|pkl|jam)\s*(\d{1,2})(?:[.:](\d{2}))?\b)|"
                              r"(?:\b(\d{1,2})[.:](\d{2})\b)")  # fmt: skip
_RE_DATE_PART = re.compile(
    r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}|\d{4}-\d{2}-\d{2}|"
    r"\d{1,2}\s+[a-z]{3,9}\.?\s+\d{4}",
    re.IGNORECASE,
)
_MOMENT = pd.Timedelta(hours=3)
_DAY = pd.Timedelta(days=1)
_NOON = pd.Timedelta(hours=12)


def _window(day: pd.Timestamp, name: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the start and end of window ``name`` that begins on ``day`` (naive local)."""
    a, b = WINDOW_HOURS[name]
    start = day + pd.Timedelta(hours=a)
    end = day + pd.Timedelta(hours=b) + (_DAY if b <= a else pd.Timedelta(0))
    return start, end


def _day_named(norm: str, base: pd.Timestamp) -> tuple[pd.Timestamp | None, bool]:
    """Return the day a text names relative to ``base`` (a midnight), and if it is an eve."""
    m = _RE_DAY.search(norm)
    if m is not None:
        weekday = _DAYS[m.group(2).replace(" ", "")]
        eve = m.group(1) is not None
        ahead = (weekday - base.day_of_week) % 7
        if eve and ahead == 0:  # "malam Minggu" said on a Sunday: the next one
            ahead = 7
        return base + pd.Timedelta(days=ahead), eve
    for words, days in (("lusa", 2), ("besok", 1), ("besuk", 1), ("esok", 1)):
        if re.search(rf"\b{words}\b", norm):
            return base + pd.Timedelta(days=days), False
    if re.search(r"\b(hari ini|nanti|malam ini|sore ini|siang ini|pagi ini)\b", norm):
        return base, False
    return None, False


def _clock(norm: str) -> float | None:
    """Return the hour of a clock time written in the text ("pukul 22.00", "21:30")."""
    m = _RE_CLOCK_STRICT.search(norm.replace(" wib", ""))
    if m is None:
        return None
    hh = m.group(1) or m.group(3)
    mm = m.group(2) or m.group(4) or "0"
    h, mi = int(hh), int(mm)
    if h > 23 or mi > 59:
        return None
    return h + mi / 60


def _written_date(text: str) -> pd.Timestamp | None:
    """Return a date written inside the text ("Sabtu, 14/03/2026 setelah tarawih")."""
    m = _RE_DATE_PART.search(text)
    if m is None:
        return None
    ts, _, code = parse_datetime(m.group(0))
    if code is not None or ts is None:
        return None
    return pd.Timestamp(ts).tz_localize(None).normalize() if ts.tzinfo else ts.normalize()


def _first_after(
    reported: pd.Timestamp, name: str | None, hour: float | None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first window (or moment) that has not ended at ``reported``."""
    day = reported.normalize()
    for shift in (-1, 0, 1):
        d = day + pd.Timedelta(days=shift)
        if hour is not None:
            start = d + pd.Timedelta(hours=hour)
            end = start + _MOMENT
            if start >= reported:
                return start, end
        elif name is not None:
            start, end = _window(d, name)
            if end > reported:
                return start, end
    return _first_after(reported + _DAY, name, hour)  # pragma: no cover - unreachable


def read_expected(value: Any, reported: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Return when a warning is expected (naive local start and end), ``None`` if unread.

    Parameters
    ----------
    value : object
        The cell as written: a date/time (``"14/03/2026 21.00"``, an Excel date) or words
        relative to ``reported`` (``"Sabtu"``, ``"malam Minggu"``, ``"besok malam"``,
        ``"setelah tarawih"``, ``"sahur"``, ``"pukul 22.00"``, ``"minggu depan"``).
    reported : Timestamp
        When the warning was reported, naive local time (the reader gives noon of the
        report day when only the date is known).

    Returns
    -------
    tuple of (Timestamp, Timestamp) or None
        Start and end: a moment lasts three hours, a named window its hours, a named day
        the whole day, ``minggu depan`` the seven days after the report day.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if not isinstance(value, str):
        ts, known, code = parse_datetime(value)
        if code is not None or ts is None:
            return None
        ts = pd.Timestamp(ts).tz_localize(None) if ts.tzinfo else pd.Timestamp(ts)
        return (ts, ts + _MOMENT) if known else (ts, ts + _DAY)
    norm = normalise_text(value[:200])
    if not norm:
        return None
    base = reported.normalize()
    if re.search(r"\b(minggu|pekan) (depan|ini)\b", norm):
        return base + _DAY, base + 8 * _DAY
    day, eve = _day_named(norm, base)
    written = _written_date(value)
    if written is not None:
        day = written
    words = _RE_DAY.sub(r"\2", norm) if eve else norm  # the "malam" of an eve is no window
    name = next((w for rx, w in _RE_WINDOWS if rx.search(words)), None)
    hour = _clock(_RE_DATE_PART.sub(" ", value.lower()))  # "23.30": before normalising
    if written is not None and name is None and hour is None:
        ts, known, code = parse_datetime(value)
        if code is None and ts is not None and known:
            ts = pd.Timestamp(ts).tz_localize(None) if ts.tzinfo else pd.Timestamp(ts)
            return ts, ts + _MOMENT
    if day is None:
        if name is None and hour is None:
            return None
        return _first_after(reported, name, hour)
    if eve:  # "malam Minggu": the evening before the day named
        day = day - _DAY
        name = name or "petang"
    if hour is not None:
        h = hour + (24 if name in ("malam", "petang") and hour < 6 else 0)
        start = day + pd.Timedelta(hours=h)
        return start, start + _MOMENT
    if name is not None:
        return _window(day, name)
    return day, day + _DAY


# -- the columns -----------------------------------------------------------------------


def _cells(frame: pd.DataFrame, cols: Mapping[str, str], field: str, idx: np.ndarray) -> Any:
    """Return the kept cells of ``field`` as text (NA where the column is missing)."""
    if field not in cols:
        return pd.Series([pd.NA] * len(idx), dtype="string")
    return text_cells(frame[cols[field]]).iloc[idx].reset_index(drop=True)


def _raw(frame: pd.DataFrame, cols: Mapping[str, str], field: str, idx: np.ndarray) -> Any:
    """Return the kept cells of ``field`` as read (datetimes kept), None where missing."""
    if field not in cols:
        return np.full(len(idx), None, dtype=object)
    values = frame[cols[field]].iloc[idx].astype(object).to_numpy()
    return np.array([None if pd.isna(v) else v for v in values], dtype=object)


def _coded(
    cells: pd.Series, read: Any, fallback: str, note_key: str, lang: str
) -> tuple[Any, list[str | None]]:
    """Codes of a column read by ``read`` (``fallback`` where unread) and their notes."""
    values = np.array([None if pd.isna(v) else v for v in cells], dtype=object)
    keys, uniq = pd.factorize(values, use_na_sentinel=True)
    got = [read(u) for u in uniq] + [read(None)]
    codes = np.array([g if g is not None else fallback for g in got], dtype=object)[keys]
    bad = np.array([g is None for g in got], dtype=bool)[keys]
    notes: list[str | None] = [
        tr(MESSAGES, note_key, lang, value=str(v)[:80]) if b else None
        for v, b in zip(values, bad, strict=True)
    ]
    return string_array(codes), notes


def _expected(
    raw: np.ndarray, reported: pd.Series, time_known: np.ndarray, lang: str
) -> tuple[list[Any], list[Any], list[str | None]]:
    """Start, end (naive local) and notes of the expected times of the kept rows."""
    local = reported.dt.tz_localize(None)
    starts: list[Any] = []
    ends: list[Any] = []
    notes: list[str | None] = []
    cache: dict[tuple[Any, Any], Any] = {}
    for v, rep, known in zip(raw, local, time_known, strict=True):
        at = rep if known else rep.normalize() + _NOON  # a report of that day, any hour
        key = (v if isinstance(v, str | int | float) else repr(v), at)
        got = cache[key] if key in cache else cache.setdefault(key, read_expected(v, at))
        note = None
        if got is None:
            starts.append(pd.NaT)
            ends.append(pd.NaT)
            if v is not None and str(v).strip():
                note = tr(MESSAGES, "note_expected_unread", lang, value=str(v)[:80])
        else:
            starts.append(got[0])
            ends.append(got[1])
            if got[1] < rep.normalize():
                note = tr(MESSAGES, "note_expected_before", lang, value=str(v)[:80])
        notes.append(note)
    return starts, ends, notes


def _as_zone(values: list[Any], tz: str) -> pd.Series:
    """Naive local timestamps → tz-aware (ns), NaT kept."""
    s = pd.Series(pd.to_datetime(pd.Series(values, dtype=object), errors="coerce"))
    if s.dt.tz is None:
        s = s.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    else:
        s = s.dt.tz_convert(tz)
    return s.astype(pd.DatetimeTZDtype("ns", tz))


def _own_times(raw: np.ndarray, tz: str) -> pd.Series:
    """Read expected times as written by this library (ISO text with offset, datetimes)."""
    values = [pd.NaT if v is None or (isinstance(v, str) and not v.strip()) else v for v in raw]
    s = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce", utc=True)
    return s.dt.tz_convert(tz).astype(pd.DatetimeTZDtype("ns", tz))


def _join_notes(*columns: list[str | None]) -> Any:
    joined = ["; ".join(n for n in notes if n) or None for notes in zip(*columns, strict=True)]
    return string_array(np.array(joined, dtype=object))


def add_warning_columns(
    records: gpd.GeoDataFrame,
    frame: pd.DataFrame,
    cols: Mapping[str, str],
    idx: np.ndarray,
    *,
    own: bool,
    taxonomy: Taxonomy,
    timezone: str,
    lang: str = "id",
) -> gpd.GeoDataFrame:
    """Return ``records`` with the columns of early warnings (:data:`EARLY_COLUMNS`).

    Parameters
    ----------
    records : GeoDataFrame
        The records assembled by the reader (one per kept row, ``type`` of
        ``[early_warning.*]``, ``time`` the report time).
    frame : DataFrame
        The table as read.
    cols : mapping
        ``{field: column}`` of the table (``expected``, ``reporter_role``, ``reporter_name``,
        ``reporter_contact``, ``status``; for an own table :data:`OWN_EARLY`).
    idx : ndarray
        Positions in ``frame`` of the kept rows.
    own : bool
        The table was written by this library (codes and times read back as written).
    taxonomy : Taxonomy
        For ``feared`` of each type.
    timezone : str
        Zone of the expected times.
    lang : {"id", "en"}
        Language of ``early_note``.

    Returns
    -------
    GeoDataFrame
        A copy, the new columns after :data:`~kamtibmas_geo.records.RECORD_COLUMNS`.
    """
    out = records.copy()
    types = out["type"].astype(object).to_numpy()
    feared = [taxonomy.info(EARLY, str(t)).feared for t in types]
    role_text = _cells(frame, cols, "reporter_role", idx)
    roles, role_notes = _coded(role_text, read_role, "lainnya", "note_role_unknown", lang)
    empty = role_text.isna().to_numpy()
    role_notes = [None if e else n for n, e in zip(role_notes, empty, strict=True)]
    status, status_notes = _coded(
        _cells(frame, cols, "status", idx), read_status, "open", "note_status_unknown", lang
    )
    raw = _raw(frame, cols, "expected", idx)
    if own:
        start = _own_times(raw, timezone)
        end = _own_times(_raw(frame, cols, "expected_end", idx), timezone)
        written = _cells(frame, cols, "early_note", idx)
        exp_notes: list[str | None] = [None if pd.isna(v) else str(v) for v in written]
    else:
        reported = out["time"].dt.tz_convert(timezone)
        s, e, exp_notes = _expected(raw, reported, out["time_known"].to_numpy(), lang)
        start, end = _as_zone(s, timezone), _as_zone(e, timezone)
    added = {
        "feared_type": string_array(np.array(feared, dtype=object)),
        "expected_start": start.set_axis(out.index),
        "expected_end": end.set_axis(out.index),
        "reporter_role": roles,
        "reporter_name": _cells(frame, cols, "reporter_name", idx).array,
        "reporter_contact": _cells(frame, cols, "reporter_contact", idx).array,
        "reporter_text": (
            _cells(frame, cols, "reporter_text", idx).array if own else role_text.array
        ),
        "status": status,
        "early_note": _join_notes(role_notes, status_notes, exp_notes),
    }
    at = int(out.columns.get_loc("read_note")) + 1
    for i, (name, values) in enumerate(added.items()):
        if name in out.columns:
            out = out.drop(columns=name)
        out.insert(at + i, name, values)
    return out
