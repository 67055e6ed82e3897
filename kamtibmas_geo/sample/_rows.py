"""Rows of the synthetic sample data: events → tables as a Polres writes them.

Private helpers of :mod:`kamtibmas_geo.sample._sample`: the text of every column (mixed date, time
and coordinate notations, address text with abbreviations, made-up reporter names), the
address-only ("messy") rows, the invalid rows and the duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo._errors import RegionError, SettingsError
from kamtibmas_geo.sample._space import DesaIndex, Place
from kamtibmas_geo.sample._text import (
    dms,
    fake_name,
    fake_phone,
    format_date,
    kecamatan_forms,
    people_desa_name,
)

__all__ = [
    "ACTIVITY_TYPES",
    "DISTURBANCE_TYPES",
    "activity_rows",
    "disturbance_rows",
    "post_rows",
]

#: How reports name each type: the first label most often, the others now and then.
_JENIS: dict[str, tuple[str, ...]] = {
    "pencurian": ("Pencurian", "Curat", "Pencurian Rumah", "PENCURIAN"),
    "curanmor": ("Curanmor", "Pencurian Sepeda Motor", "CURANMOR R2"),
    "penipuan": ("Penipuan", "Penipuan Online"),
    "kecelakaan": ("Kecelakaan Lalu Lintas", "Laka Lantas", "Lakalantas"),
    "kemacetan": ("Kemacetan", "Macet"),
    "petasan": ("Petasan", "Petasan/Mercon", "Bunyi Petasan"),
    "balap_liar": ("Balap Liar", "Balapan Liar", "Trek-trekan"),
    "tawuran": ("Tawuran", "Perang Sarung"),
    "miras": ("Miras", "Minuman Keras", "Pesta Miras"),
    "judi": ("Perjudian", "Judi", "Judi Online"),
    "konflik_sosial": ("Konflik Sosial", "Perselisihan Warga"),
    "lainnya": ("Lain-lain", "Orang Hilang", "Laporan Lainnya"),
}
_KETERANGAN: dict[str, tuple[str, ...]] = {
    "pencurian": (
        "Rumah kosong dibobol pelaku",
        "HP korban hilang di keramaian",
        "Warung dibobol malam hari",
    ),
    "curanmor": ("Sepeda motor hilang di parkiran", "Motor dicuri saat ditinggal pemilik"),
    "penipuan": ("Korban tertipu transaksi jual beli", "Penipuan mengaku petugas"),
    "kecelakaan": ("Tabrakan sepeda motor", "Kendaraan terperosok, korban luka ringan"),
    "kemacetan": ("Antrean kendaraan panjang", "Macet jelang berbuka"),
    "petasan": ("Warga resah bunyi petasan", "Anak-anak main mercon"),
    "balap_liar": ("Remaja balap liar usai sahur", "Kerumunan balap liar dibubarkan"),
    "tawuran": ("Tawuran remaja dibubarkan warga", "Perang sarung antarkelompok"),
    "miras": ("Pesta miras di pinggir jalan", "Warga resah pemuda mabuk"),
    "judi": ("Warga melaporkan praktik judi", "Judi koprok di keramaian"),
    "konflik_sosial": ("Perselisihan batas lahan", "Cekcok antarwarga"),
    "lainnya": ("Laporan warga", "Keributan di keramaian"),
}
_KEGIATAN: dict[str, tuple[str, ...]] = {
    "sambang": ("Sambang", "Sambang Desa", "Sambang Warga"),
    "sosialisasi": ("Sosialisasi Kamtibmas", "Penyuluhan Kamtibmas"),
    "patroli": ("Patroli Dialogis", "Patroli", "Patroli Sahur"),
    "operasi": ("Ops Pekat", "Operasi Pekat Musi"),
    "poskamling": ("Giat Poskamling", "Ronda Poskamling", "Kunjungan Poskamling"),
}
_PESERTA = {
    "sambang": (3, 15),
    "sosialisasi": (20, 120),
    "patroli": (2, 8),
    "operasi": (10, 40),
    "poskamling": (4, 12),
}
_STREETS_PLG = (
    "Jl. Merdeka",
    "Jl. Kapten Rivai",
    "Jl. Veteran",
    "Jl. Mayor Ruslan",
    "Jl. Basuki Rahmat",
    "Jl. Angkatan 45",
    "Lr. Damai",
    "Lr. Mawar",
    "Lr. Sepakat",
    "Lr. Masjid",
)
_STREETS_OKI = (
    "Jl. Desa",
    "Dusun I",
    "Dusun II",
    "Dusun III",
    "Jl. Poros Desa",
    "Lr. Masjid",
    "Jl. Kebun",
)
_BY = {"operasi": "tim gabungan", "patroli": "Sabhara dan Bhabinkamtibmas"}
_REASONS = ("no_place", "bad_date", "zero_coords")

MESSAGES = {
    "too_short": {
        "id": "Periode sampel terlalu pendek untuk skala ini: tidak ada satu pun {what_id}. "
        "Perpanjang periode (--start/--end) atau perbesar --scale.",
        "en": "The sample period is too short for this scale: not a single {what_en}. Make the "
        "period longer (--start/--end) or raise --scale.",
    },
    "outside": {
        "id": "Sebuah titik data contoh jatuh di luar semua desa paket batas wilayah; data "
        "contoh memerlukan paket batas OKI dan Palembang.",
        "en": "A sample point lies outside every desa of the boundary pack; the sample "
        "needs the OKI and Palembang boundary pack.",
    },
}


class _Units:
    """Per-point desa attributes (official and people's spellings)."""

    def __init__(self, index: DesaIndex, x: np.ndarray, y: np.ndarray) -> None:
        rows = index.locate(x, y)
        if (rows < 0).any():  # pragma: no cover - every point is drawn inside a desa
            raise RegionError.say(MESSAGES, "outside")
        d = index.desa.iloc[rows]
        self.code = d["code"].to_numpy()
        self.name = d["name"].to_numpy()
        self.kind = d["kind"].to_numpy()
        self.kec_code = d["kecamatan_code"].to_numpy()
        self.kec = d["kecamatan_name"].to_numpy()
        self.kab = d["kabupaten_code"].to_numpy()
        spelled = {name: people_desa_name(name) for name in set(self.name.tolist())}
        self.people = np.asarray([spelled[name] for name in self.name], dtype=object)


#: Incident types of the sample (canonical keys of the records taxonomy).
DISTURBANCE_TYPES: tuple[str, ...] = (
    "pencurian",
    "curanmor",
    "penipuan",
    "kecelakaan",
    "kemacetan",
    "petasan",
    "balap_liar",
    "tawuran",
    "miras",
    "judi",
    "konflik_sosial",
    "lainnya",
)
#: Activity types of the sample (canonical keys).
ACTIVITY_TYPES: tuple[str, ...] = ("sambang", "sosialisasi", "patroli", "operasi", "poskamling")


def _polsek_names(u: _Units, overrides: dict[str, str]) -> np.ndarray:
    """Polsek of each point, computed once per kecamatan."""
    names = {c: _polsek(c, k, overrides) for c, k in zip(u.kec_code, u.kec, strict=True)}
    return np.asarray([names[c] for c in u.kec_code], dtype=object)


def _polsek(kec_code: str, kec_name: str, overrides: dict[str, str]) -> str:
    if kec_code in overrides:
        return overrides[kec_code]
    for word, roman in ((" Satu", " I"), (" Dua", " II"), (" Tiga", " III")):
        if kec_name.endswith(word):
            return f"Polsek {kec_name[: -len(word)]}{roman}"
    return f"Polsek {people_desa_name(kec_name)}"


def _pick(rng: np.random.Generator, options: tuple[str, ...], n: int, p0: float) -> np.ndarray:
    """Choose the first option with probability ``p0``, else one of the others."""
    if len(options) == 1:
        return np.full(n, options[0], dtype=object)
    idx = np.where(rng.random(n) < p0, 0, rng.integers(1, len(options), n))
    return np.asarray(options, dtype=object)[idx]


def _common(
    days: pd.DatetimeIndex, day: np.ndarray, minute: np.ndarray, rng: np.random.Generator
) -> tuple[list[str], list[str], list[Any]]:
    """Date and time text, and the true timestamps."""
    dates = days[day]
    styles = rng.choice(3, size=len(day), p=[0.6, 0.2, 0.2])
    tanggal = [format_date(d.date(), int(s)) for d, s in zip(dates, styles, strict=True)]
    jstyle = rng.choice(3, size=len(day), p=[0.8, 0.15, 0.05])
    hh, mm = minute // 60, minute % 60
    jam = [
        f"{h:02d}:{m:02d}" if s == 0 else (f"{h:02d}.{m:02d}" if s == 1 else "")
        for h, m, s in zip(hh.tolist(), mm.tolist(), jstyle.tolist(), strict=True)
    ]
    times = list(dates + pd.to_timedelta(minute, unit="min"))
    return tanggal, jam, times


def _coords(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[list[Any], ...]:
    """Latitude and longitude in mixed notations: decimal point (78 %), comma, DMS."""
    style = rng.choice(3, size=len(x), p=[0.78, 0.12, 0.10])
    lat: list[Any] = []
    lon: list[Any] = []
    for xi, yi, s in zip(x.tolist(), y.tolist(), style.tolist(), strict=True):
        if s == 0:
            lat.append(round(yi, 6))
            lon.append(round(xi, 6))
        elif s == 1:
            lat.append(f"{yi:.6f}".replace(".", ","))
            lon.append(f"{xi:.6f}".replace(".", ","))
        else:
            lat.append(dms(yi, lat=True))
            lon.append(dms(xi, lat=False))
    return lat, lon


def _messy_place(u: _Units, i: int, rng: np.random.Generator, head: str) -> tuple[str, str, str]:
    """Address text with abbreviations, people's spellings and old names; desa/kec columns."""
    desa_form = u.people[i] if rng.random() < 0.8 else u.name[i]
    prefixes = ("Kel. ", "Kelurahan ", "") if u.kind[i] == "kelurahan" else ("Ds. ", "Desa ", "")
    prefix = prefixes[int(rng.integers(0, 3))]
    forms = kecamatan_forms(u.kec[i])
    kec_form = forms[int(rng.integers(0, len(forms)))]
    kab = ("", " Palembang") if u.kab[i] == "16.71" else ("", " Kab. OKI", " OKI")
    parts = [p for p in (head, f"{prefix}{desa_form}", f"Kec. {kec_form}") if p]
    alamat = ", ".join(parts) + kab[int(rng.integers(0, len(kab)))]
    if rng.random() < 0.1:
        alamat = alamat.upper()
    if rng.random() < 0.33:
        return alamat, "", ""
    return alamat, desa_form, kec_form


def _street(u: _Units, i: int, rng: np.random.Generator) -> str:
    streets = _STREETS_PLG if u.kab[i] == "16.71" else _STREETS_OKI
    street = streets[int(rng.integers(0, len(streets)))]
    if rng.random() < 0.6:
        return f"{street} No. {int(rng.integers(1, 200))}"
    return f"{street} RT {int(rng.integers(1, 20)):02d} RW {int(rng.integers(1, 8)):02d}"


def _invalidate(
    row: dict[str, Any], reason: str, day: pd.Timestamp, place_cols: tuple[str, ...]
) -> None:
    if reason == "bad_date":
        y = day.year
        row["tanggal"] = (f"31/02/{y}", f"{y}-13-07", f"30 Februari {y}")[day.day % 3]
        return
    for col in place_cols:
        row[col] = ""
    row["lintang"], row["bujur"] = (0.0, 0.0) if reason == "zero_coords" else ("", "")


@dataclass(frozen=True)
class _Batch:
    """Events in the order of the table, with the columns and the mess both tables share.

    ``order`` maps table rows to the rows of the events given; ``messy`` marks the
    address-only rows, ``bad`` the reason of each row made invalid (``""`` for the others).
    """

    events: pd.DataFrame
    order: np.ndarray
    units: _Units
    types: np.ndarray
    day: np.ndarray
    place: np.ndarray
    tanggal: list[str]
    jam: list[str]
    times: list[Any]
    lat: list[Any]
    lon: list[Any]
    messy: np.ndarray
    bad: np.ndarray

    @property
    def n(self) -> int:
        """Number of events."""
        return len(self.events)


def _batch(
    ev: pd.DataFrame,
    days: pd.DatetimeIndex,
    index: DesaIndex,
    type_names: tuple[str, ...],
    messy_share: float,
    rng: np.random.Generator,
) -> _Batch:
    """Sort the events by day and minute and draw their date, time and coordinate text.

    A share ``messy_share`` of the rows is made address-only and ``max(3, 0.2 %)`` invalid.
    """
    order = np.lexsort((np.arange(len(ev)), ev["minute"].to_numpy(), ev["day"].to_numpy()))
    ev = ev.iloc[order].reset_index(drop=True)
    n = len(ev)
    x, y = ev["x"].to_numpy(), ev["y"].to_numpy()
    units = _Units(index, x, y)
    types = np.asarray(type_names, dtype=object)[ev["type"].to_numpy()]
    day, place = ev["day"].to_numpy(), ev["place"].to_numpy()
    tanggal, jam, times = _common(days, day, ev["minute"].to_numpy(), rng)
    lat, lon = _coords(x, y, rng)
    messy = rng.random(n) < messy_share
    bad = np.full(n, "", dtype=object)
    bad_idx = rng.choice(n, size=min(max(3, round(0.002 * n)), n), replace=False)
    bad[np.sort(bad_idx)] = [_REASONS[k % 3] for k in range(len(bad_idx))]
    return _Batch(ev, order, units, types, day, place, tanggal, jam, times, lat, lon, messy, bad)


def _labels(
    types: np.ndarray, table: dict[str, tuple[str, ...]], p0: float, rng: np.random.Generator
) -> np.ndarray:
    """Draw how each row names its type (the first label of ``table`` with probability ``p0``)."""
    out = np.empty(len(types), dtype=object)
    for t, labels in table.items():
        mask = types == t
        out[mask] = _pick(rng, labels, int(mask.sum()), p0)
    return out


def _mess_up(
    row: dict[str, Any],
    b: _Batch,
    i: int,
    head: str,
    days: pd.DatetimeIndex,
    place_cols: tuple[str, ...],
    rng: np.random.Generator,
) -> None:
    """Turn row ``i`` into an address-only row or an invalid one, as ``b`` says."""
    if b.messy[i] and not b.bad[i]:
        row[place_cols[0]], row["desa"], row["kecamatan"] = _messy_place(b.units, i, rng, head)
        row["lintang"], row["bujur"] = "", ""
    if b.bad[i]:
        _invalidate(row, b.bad[i], days[int(b.day[i])], place_cols)


def _truth(
    b: _Batch,
    take: np.ndarray,
    places: list[Place],
    no: np.ndarray,
    duplicate_of: np.ndarray,
    parent: np.ndarray | None = None,
) -> pd.DataFrame:
    """Return the truth table of the rows ``take`` (event positions) numbered ``no``."""
    u, place = b.units, b.place
    x, y = b.events["x"].to_numpy(), b.events["y"].to_numpy()
    columns: dict[str, Any] = {
        "no": no,
        "time": pd.DatetimeIndex([b.times[k] for k in take]).tz_localize("Asia/Jakarta"),
        "type": b.types[take],
        "lon": x[take],
        "lat": y[take],
        "desa_code": u.code[take],
        "kecamatan_code": u.kec_code[take],
        "kabupaten_code": u.kab[take],
        "place": [places[p].key if p >= 0 else "" for p in place[take]],
    }
    if parent is not None:
        columns["parent"] = parent
    columns["messy"] = b.messy[take] & (b.bad[take] == "")
    columns["invalid"] = b.bad[take]
    columns["duplicate_of"] = duplicate_of
    return pd.DataFrame(columns)


def disturbance_rows(
    ev: pd.DataFrame,
    days: pd.DatetimeIndex,
    index: DesaIndex,
    places: list[Place],
    polsek: dict[str, str],
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn disturbance events into the Polres table and its truth table.

    Parameters
    ----------
    ev : DataFrame
        Events: ``day``, ``minute``, ``type``, ``x``, ``y``, ``place``, ``parent``.
    days : DatetimeIndex
        The days of the period.
    index : DesaIndex
        The desa polygons.
    places : list of Place
        The planted places.
    polsek : dict
        Kecamatan code → Polsek name overrides.
    rng : numpy.random.Generator
        Random source.

    Returns
    -------
    rows, truth : DataFrame
    """
    if not len(ev):
        raise SettingsError.say(MESSAGES, "too_short", what_id="kejadian", what_en="incident")
    b = _batch(ev, days, index, DISTURBANCE_TYPES, 0.18, rng)
    reporters = _reporters(b.n, rng)
    polsek_of = _polsek_names(b.units, polsek)
    jenis = _labels(b.types, _JENIS, 0.7, rng)
    ket_idx = rng.integers(0, 6, b.n).tolist()
    rows: list[dict[str, Any]] = []
    for i in range(b.n):
        at = b.place[i]
        head = places[at].name if at >= 0 and rng.random() < 0.7 else _street(b.units, i, rng)
        row = _disturbance_row(b, i, head, jenis[i], ket_idx[i], polsek_of[i], reporters, rng)
        _mess_up(row, b, i, head, days, ("alamat", "desa", "kecamatan", "polsek"), rng)
        rows.append(row)
    out, take, is_dup = _with_duplicates(rows, b.bad, rng)
    no = out["no"].to_numpy()
    duplicate_of = np.where(is_dup, np.r_[0, no[:-1]], 0)
    parent = _parent_numbers(b, no, take, is_dup)
    return out, _truth(b, take, places, no, duplicate_of, parent=parent[take])


def _reporters(n: int, rng: np.random.Generator) -> tuple[list[Any], list[Any]]:
    """Draw reporter names (85 % given) and phone numbers (70 % given), ``""`` if missing."""
    names = fake_name(rng, n)
    phones = fake_phone(rng, n)
    has_name, has_phone = rng.random(n) < 0.85, rng.random(n) < 0.7
    return (
        [names[i] if has_name[i] else "" for i in range(n)],
        [phones[i] if has_phone[i] else "" for i in range(n)],
    )


def _disturbance_row(
    b: _Batch,
    i: int,
    head: str,
    jenis: str,
    ket: int,
    polsek: str,
    reporters: tuple[list[Any], list[Any]],
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Write row ``i`` of the disturbance table (numbered later)."""
    u, t = b.units, b.types[i]
    return {
        "no": 0,
        "tanggal": b.tanggal[i],
        "jam": b.jam[i],
        "jenis": jenis,
        "alamat": head,
        "desa": u.name[i] if rng.random() < 0.85 else u.people[i],
        "kecamatan": u.kec[i],
        "polsek": polsek,
        "lintang": b.lat[i],
        "bujur": b.lon[i],
        "keterangan": _KETERANGAN[t][ket % len(_KETERANGAN[t])],
        "nama_pelapor": reporters[0][i],
        "no_hp": reporters[1][i],
    }


def _with_duplicates(
    rows: list[dict[str, Any]], bad: np.ndarray, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Re-enter 0.3 % of the valid rows right after themselves and number every row.

    Returns the table, the row of ``rows`` behind each table row, and the re-entered mask.
    """
    n = len(rows)
    dup = (rng.random(n) < 0.003) & (bad == "")
    take = np.repeat(np.arange(n), 1 + dup.astype(int))
    is_dup = np.zeros(len(take), dtype=bool)  # also right for a period with no rows at all
    is_dup[1:] = take[1:] == take[:-1]
    out = pd.DataFrame([rows[k] for k in take])
    out["no"] = np.arange(1, len(take) + 1)
    return out, take, is_dup


def _parent_numbers(b: _Batch, no: np.ndarray, take: np.ndarray, is_dup: np.ndarray) -> np.ndarray:
    """Return the ``no`` of each event's near-repeat parent (its first entry), else 0."""
    new_pos = np.empty(len(b.order), dtype=np.int64)
    new_pos[b.order] = np.arange(len(b.order))
    first_no = np.empty(b.n, dtype=np.int64)
    first_no[take[~is_dup]] = no[~is_dup]
    parent_old = b.events["parent"].to_numpy()
    return np.where(parent_old >= 0, first_no[new_pos[np.maximum(parent_old, 0)]], 0)


def activity_rows(
    ev: pd.DataFrame,
    days: pd.DatetimeIndex,
    index: DesaIndex,
    places: list[Place],
    polsek: dict[str, str],
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn activity events into the Binmas activity table and its truth table.

    Parameters
    ----------
    ev : DataFrame
        Events: ``day``, ``minute``, ``type``, ``x``, ``y``, ``place`` (no ``parent``).
    days, index, places, polsek, rng
        As in :func:`disturbance_rows`.

    Returns
    -------
    rows, truth : DataFrame
        The activity table and its truth table (no ``parent`` column, no duplicates).
    """
    if not len(ev):
        raise SettingsError.say(MESSAGES, "too_short", what_id="kegiatan", what_en="activity")
    b = _batch(ev, days, index, ACTIVITY_TYPES, 0.10, rng)
    polsek_of = _polsek_names(b.units, polsek)
    labels = _labels(b.types, _KEGIATAN, 0.6, rng)
    rows: list[dict[str, Any]] = []
    for i in range(b.n):
        lokasi = _activity_place(b, i, places, rng)
        row = _activity_row(b, i, lokasi, labels[i], polsek_of[i], rng)
        _mess_up(row, b, i, lokasi, days, ("lokasi", "desa", "kecamatan", "polsek"), rng)
        rows.append(row)
    out = pd.DataFrame(rows)
    no = out["no"].to_numpy()
    return out, _truth(b, np.arange(b.n), places, no, np.zeros(b.n, dtype=np.int64))


def _activity_place(b: _Batch, i: int, places: list[Place], rng: np.random.Generator) -> str:
    """Name the place of activity ``i`` as the report does."""
    u, t, place = b.units, b.types[i], b.place[i]
    if place >= 0:
        return places[place].name
    if t in ("sambang", "sosialisasi"):
        unit = "Kelurahan" if u.kind[i] == "kelurahan" else "Desa"
        return (
            f"Balai {unit} {u.name[i]}",
            "Masjid Al-Ikhlas",
            f"Rumah Ketua RT {int(rng.integers(1, 20)):02d}",
        )[int(rng.integers(0, 3))]
    if t == "poskamling":
        return f"Poskamling RT {int(rng.integers(1, 20)):02d}"
    return _street(u, i, rng)


def _activity_row(
    b: _Batch, i: int, lokasi: str, kegiatan: str, polsek: str, rng: np.random.Generator
) -> dict[str, Any]:
    """Write row ``i`` of the activity table."""
    t = b.types[i]
    lo, hi = _PESERTA[t]
    return {
        "no": i + 1,
        "tanggal": b.tanggal[i],
        "jam": b.jam[i],
        "kegiatan": kegiatan,
        "lokasi": lokasi,
        "desa": b.units.name[i],
        "kecamatan": b.units.kec[i],
        "polsek": polsek,
        "lintang": b.lat[i],
        "bujur": b.lon[i],
        "peserta": int(rng.integers(lo, hi + 1)),
        "keterangan": f"{kegiatan} oleh {_BY.get(t, 'Bhabinkamtibmas')}",
    }


def post_rows(
    index: DesaIndex, places: list[Place], n: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Existing Poskamling: where they stand and whether they are active.

    Posts stand where people live (desa intensity) and a quarter near the planted places;
    near places that Binmas covers most posts are active, near the others most are not.

    Parameters
    ----------
    index : DesaIndex
        The desa polygons.
    places : list of Place
        The planted places.
    n : int
        Number of posts.
    rng : numpy.random.Generator
        Random source.

    Returns
    -------
    DataFrame
        ``no, nama, lintang, bujur, status, desa, kecamatan``.
    """
    near = rng.random(n) < 0.25
    which = rng.integers(0, len(places), n)
    x = np.empty(n)
    y = np.empty(n)
    x[near], y[near] = index.draw_near(which[near], places, rng)
    w = index.intensity**0.8 / (index.intensity**0.8).sum()
    x[~near], y[~near] = index.draw_in_desa(rng.choice(len(w), int((~near).sum()), p=w), rng)
    u = _Units(index, x, y)
    covered = np.array([p.covered for p in places])[which]
    p_active = np.where(near, np.where(covered, 0.8, 0.3), 0.6)
    active = rng.random(n) < p_active
    rt, rw = rng.integers(1, 25, n), rng.integers(1, 10, n)
    style = rng.integers(0, 3, n)
    nama = [
        (
            f"Poskamling RT {a:02d} RW {b:02d}",
            f"Pos Ronda {people_desa_name(d)}",
            f"Poskamling {people_desa_name(d)} {a}",
        )[s]
        for a, b, d, s in zip(rt.tolist(), rw.tolist(), u.name, style.tolist(), strict=True)
    ]
    return pd.DataFrame(
        {
            "no": np.arange(1, n + 1),
            "nama": nama,
            "lintang": np.round(y, 6),
            "bujur": np.round(x, 6),
            "status": np.where(active, "aktif", "tidak aktif"),
            "desa": u.name,
            "kecamatan": u.kec,
        }
    )
