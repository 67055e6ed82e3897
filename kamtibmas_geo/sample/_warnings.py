"""Early warnings (informasi dini) of the sample: from RT/RW, Pokdar, ormas, warga, Bhabin.

Private helper of :mod:`kamtibmas_geo.sample._sample`. About 2,000 warnings in four years at
``scale=1`` (four times as many a day in the four weeks before Ramadhan, three times as
many in Ramadhan: the Polda's call for early detection), in both Polres:

* **Planted** warnings (:data:`PLANTED_SHARE` of them) are written from a real incident of
  the sample: one to five days before it, 50 to 400 m from it, fearing its type
  (``tawuran`` → "Janjian tawuran", ``petasan`` → "Jual mercon" ...), and naming when it
  is expected from the incident's time (a date and hour, "Sabtu malam", "malam Minggu",
  "setelah tarawih", "besok malam", or nothing).
* The **others** are drawn by season over the desa where people live, fearing a type that
  may or may not follow.
* Whether an incident of the feared type did follow within 500 m and seven days is
  measured on the valid incidents and kept in the truth (``followed``) — a planted warning
  always is, an unplanted one sometimes is by chance.

The table has the headers a Polsek writes ("Tgl Lapor", "Jenis Potensi", "Perkiraan
Waktu", "Sumber Informasi", "Nama Pelapor", "No. HP", "Tindak Lanjut"), reporters as
written ("Ketua RT 05", "Pak RW", "POKDAR Kamtibmas", "FKPM", "Karang Taruna",
"Bhabinkamtibmas"), follow-up words ("belum", "Sudah ditindaklanjuti (sambang)",
"Nihil", "hoaks"), coordinates in 45 % of the rows and address text in the others, made-up
names and phone numbers, and two invalid rows (no place, impossible date).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo.sample._rows import _coords, _polsek_names, _street, _Units
from kamtibmas_geo.sample._space import DesaIndex
from kamtibmas_geo.sample._text import fake_name, fake_phone, format_date

__all__ = ["PLANTED_SHARE", "WARNING_COLUMNS", "warning_rows"]

#: Share of the warnings written from an incident that follows them.
PLANTED_SHARE = 0.4
#: Headers of the warnings table, as a Polsek writes them.
WARNING_COLUMNS = (
    "No", "Tgl Lapor", "Jam", "Jenis Potensi", "Lokasi", "Kelurahan/Desa", "Kecamatan",
    "Polsek", "Lintang", "Bujur", "Perkiraan Waktu", "Sumber Informasi", "Nama Pelapor",
    "No. HP", "Tindak Lanjut", "Keterangan",
)  # fmt: skip
_PER_DAY = 2000 / 1461
_FOLLOW_METRES = 500.0
_FOLLOW_DAYS = 7

#: Warning types that fear each incident type (the first most often).
_FEARED: dict[str, tuple[str, ...]] = {
    "tawuran": ("rencana_tawuran", "sahur_on_the_road"),
    "petasan": ("penjualan_petasan",),
    "balap_liar": ("balap_liar_terjadwal",),
    "konflik_sosial": ("provokasi", "keramaian_tanpa_izin", "potensi_konflik"),
    "pencurian": ("rencana_pencurian",),
    "miras": ("peredaran_miras",),
    "judi": ("arena_judi",),
}
_FEARED_OF = {w: d for d, ws in _FEARED.items() for w in ws}
#: Types of the unplanted warnings and their weights.
_FREE = {
    "rencana_tawuran": 20, "penjualan_petasan": 15, "balap_liar_terjadwal": 15,
    "provokasi": 8, "keramaian_tanpa_izin": 10, "rencana_pencurian": 12,
    "potensi_konflik": 6, "peredaran_miras": 6, "arena_judi": 5, "sahur_on_the_road": 3,
}  # fmt: skip
#: How the "Jenis Potensi" column names each type.
_LABELS: dict[str, tuple[str, ...]] = {
    "rencana_tawuran": ("Rencana Tawuran", "Janjian tawuran", "Potensi tawuran",
                        "Ajakan tawuran via medsos", "Tawuran"),
    "sahur_on_the_road": ("Sahur on the Road", "Konvoi sahur", "SOTR"),
    "penjualan_petasan": ("Penjualan Petasan", "Jual mercon", "Petasan ukuran besar",
                          "penjualan petasan"),
    "balap_liar_terjadwal": ("Balap liar terjadwal", "Balap liar dijadwalkan",
                             "Janjian balapan"),
    "provokasi": ("Provokasi", "Ujaran kebencian", "Pesan berantai provokatif"),
    "keramaian_tanpa_izin": ("Keramaian tanpa izin", "Organ tunggal tanpa izin"),
    "rencana_pencurian": ("Orang mencurigakan", "Rencana pencurian"),
    "potensi_konflik": ("Potensi konflik", "Ketegangan antar kelompok"),
    "peredaran_miras": ("Peredaran miras", "Rencana pesta miras"),
    "arena_judi": ("Arena judi", "Rencana sabung ayam"),
}  # fmt: skip
_KETERANGAN: dict[str, str] = {
    "rencana_tawuran": "Info grup WA: dua kelompok remaja janjian tawuran",
    "sahur_on_the_road": "Ajakan konvoi sahur beredar di medsos",
    "penjualan_petasan": "Warung menjual petasan ukuran besar",
    "balap_liar_terjadwal": "Jadwal balap liar diumumkan di medsos",
    "provokasi": "Pesan provokatif beredar antarwarga",
    "keramaian_tanpa_izin": "Rencana organ tunggal tanpa izin keramaian",
    "rencana_pencurian": "Orang tak dikenal mengamati rumah warga",
    "potensi_konflik": "Ketegangan pemuda dua kampung",
    "peredaran_miras": "Pemuda berkumpul membawa miras",
    "arena_judi": "Rencana sabung ayam di kebun warga",
}
#: Hours at which each warning type's feared incident is expected (unplanted warnings).
_HOURS: dict[str, tuple[int, ...]] = {
    "rencana_tawuran": (22, 23, 0, 1, 3, 4), "sahur_on_the_road": (2, 3, 4),
    "penjualan_petasan": (19, 20, 21, 22), "balap_liar_terjadwal": (23, 0, 1, 3, 4, 5),
    "provokasi": (10, 14, 20), "keramaian_tanpa_izin": (20, 21, 22),
    "rencana_pencurian": (19, 20, 1, 2), "potensi_konflik": (16, 20, 21),
    "peredaran_miras": (21, 22, 23), "arena_judi": (14, 15, 21),
}  # fmt: skip
_ROLES = ("rt", "rw", "pokdar", "ormas", "warga", "bhabinkamtibmas")
_ROLE_P = (0.30, 0.20, 0.25, 0.06, 0.10, 0.09)
_DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_STATUS_FORMS = {
    "open": ("belum", "Belum ditindaklanjuti", "BLM", "", "Belum"),
    "followed_up": ("Sudah ditindaklanjuti", "sudah", "Sudah (sambang)", "Selesai",
                    "TL: dialog dengan remaja", "ditindaklanjuti Bhabin"),
    "unfounded": ("Nihil", "tidak terbukti", "Hoaks", "Tidak terbukti / nihil"),
}  # fmt: skip


def _role_text(role: str, desa: str, rng: np.random.Generator) -> str:
    """Write a reporter's role as people do ("Ketua RT 05", "Pak RW", "FKPM 9 Ilir")."""
    rt, rw = int(rng.integers(1, 25)), int(rng.integers(1, 10))
    forms = {
        "rt": (f"Ketua RT {rt:02d}", f"RT.{rt:02d}/RW.{rw:02d}", "Pak RT", f"Ketua RT {rt}"),
        "rw": (f"Ketua RW {rw:02d}", "Pak RW", f"RW {rw:02d}", "Kadus"),
        "pokdar": ("Pokdar Kamtibmas", "POKDAR", f"Pokdar Kamtibmas {desa}", "FKPM"),
        "ormas": ("Karang Taruna", "Ormas Pemuda", f"Karang Taruna {desa}", "Ormas"),
        "warga": ("Warga", "warga setempat", "Tokoh masyarakat", "Tokoh agama"),
        "bhabinkamtibmas": ("Bhabinkamtibmas", f"Bhabin {desa}", "Bhabinkamtibmas Kel."),
    }[role]
    return forms[int(rng.integers(0, len(forms)))]


def _window_words(ts: pd.Timestamp, ramadhan: bool) -> tuple[pd.Timestamp, str] | None:
    """Return the day a phrase names and its window word for moment ``ts``, None if none."""
    h = ts.hour + ts.minute / 60
    if h < 2.5:  # after midnight: the night of the day before
        return ts.normalize() - pd.Timedelta(days=1), "malam"
    if h < 4.5:
        return ts.normalize(), "sahur" if ramadhan else "dini hari"
    if h < 6.0:
        return ts.normalize(), "subuh"
    if 18.25 <= h < 21.0:
        return ts.normalize(), "saat tarawih" if ramadhan else "malam"
    if h >= 21.0:
        return ts.normalize(), "setelah tarawih" if ramadhan else "malam"
    return None


def _expected_text(target: pd.Timestamp, reported: pd.Timestamp, ramadhan: bool, style: int) -> str:
    """Write when a warning expects its incident: date+hour, day and window words, or none."""
    if style == 3:
        return ""
    if style == 0:
        return f"{format_date(target.date(), 0)} {target.hour:02d}.00"
    words = _window_words(target, ramadhan)
    if words is None:
        return f"{_DAY_NAMES[target.day_of_week]} pukul {target.hour:02d}.00"
    day, word = words
    ahead = (day.normalize() - reported.normalize()).days
    if style == 2 and word == "malam":
        if ahead == 1:
            return "besok malam"
        following = day + pd.Timedelta(days=1)
        return f"malam {_DAY_NAMES[following.day_of_week]}"
    if ahead >= 7:
        return f"{format_date(target.date(), 0)} {target.hour:02d}.00"
    return f"{_DAY_NAMES[day.day_of_week]} {word}"


def _season_weights(flags: dict[str, np.ndarray]) -> np.ndarray:
    """Weight of each day: four times as many warnings before Ramadhan, three in it."""
    return 1.0 + 3.0 * flags["pra"] + 2.0 * flags["ramadhan"]


def _planted_kind(feared: str, at_sahur: bool, rng: np.random.Generator) -> str:
    """Warning type written from an incident of type ``feared`` (SOTR only at sahur)."""
    kinds = _FEARED[feared]
    if feared == "tawuran":
        return "sahur_on_the_road" if at_sahur and rng.random() < 0.5 else kinds[0]
    return kinds[int(rng.integers(0, len(kinds)))]


def _planted(
    truth: pd.DataFrame,
    days: pd.DatetimeIndex,
    flags: dict[str, np.ndarray],
    n: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Choose ``n`` incidents to write warnings from; return their warnings' skeleton."""
    first = days[0].tz_localize("Asia/Jakarta")
    ok = (
        truth["type"].isin(list(_FEARED)).to_numpy()
        & (truth["invalid"] == "").to_numpy()
        & (truth["duplicate_of"] == 0).to_numpy()
        & (truth["time"] >= first + pd.Timedelta(days=6)).to_numpy()
    )
    cand = np.flatnonzero(ok)
    if not len(cand) or n <= 0:
        return pd.DataFrame()
    day_i = (truth["time"].dt.tz_localize(None).dt.normalize() - days[0]).dt.days.to_numpy()
    w = _season_weights(flags)[np.clip(day_i[cand], 0, len(days) - 1)]
    pick = np.sort(rng.choice(cand, size=min(n, len(cand)), replace=False, p=w / w.sum()))
    inc = truth.iloc[pick]
    lead = rng.integers(1, 6, len(pick))
    rep_day = inc["time"].dt.tz_localize(None).dt.normalize() - pd.to_timedelta(lead, unit="D")
    ram = flags["ramadhan"][np.clip(day_i[pick], 0, len(days) - 1)]
    hour = inc["time"].dt.hour.to_numpy()
    at_sahur = ram & np.isin(hour, (2, 3, 4))
    kinds = [_planted_kind(t, bool(a), rng) for t, a in zip(inc["type"], at_sahur, strict=True)]
    return pd.DataFrame(
        {
            "day": rep_day.to_numpy(),
            "type": kinds,
            "target": inc["time"].dt.tz_localize(None).to_numpy(),
            "x": inc["lon"].to_numpy(),
            "y": inc["lat"].to_numpy(),
            "planted_from": inc["no"].to_numpy(),
        }
    )


def _free(
    days: pd.DatetimeIndex,
    flags: dict[str, np.ndarray],
    n: int,
    index: DesaIndex,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Draw ``n`` warnings by season over the desa where people live."""
    w = _season_weights(flags)
    day_i = np.sort(rng.choice(len(days), size=n, p=w / w.sum()))
    keys = list(_FREE)
    ram = flags["ramadhan"][day_i]
    tw = np.array([_FREE[k] for k in keys], dtype=float)
    sotr = keys.index("sahur_on_the_road")
    kinds = []
    for r in ram:
        p = tw.copy()
        p[sotr] *= 5.0 if r else 0.0
        kinds.append(keys[int(rng.choice(len(keys), p=p / p.sum()))])
    hours = [_HOURS[k][int(rng.integers(0, len(_HOURS[k])))] for k in kinds]
    ahead = rng.integers(1, 6, n)
    target = days[day_i] + pd.to_timedelta(ahead, unit="D") + pd.to_timedelta(hours, unit="h")
    p_desa = index.intensity / index.intensity.sum()
    x, y = index.draw_in_desa(rng.choice(len(p_desa), size=n, p=p_desa), rng)
    return pd.DataFrame(
        {
            "day": days[day_i],
            "type": kinds,
            "target": target,
            "x": x,
            "y": y,
            "planted_from": np.zeros(n, dtype=np.int64),
        }
    )


def _nudge(ev: pd.DataFrame, index: DesaIndex, rng: np.random.Generator) -> None:
    """Move planted warnings 50-400 m from their incident (staying inside a desa)."""
    planted = ev["planted_from"].to_numpy() > 0
    r = rng.uniform(50.0, 400.0, len(ev)) / 111_320.0
    a = rng.uniform(0, 2 * np.pi, len(ev))
    x = ev["x"].to_numpy() + np.where(planted, r * np.cos(a), 0.0)
    y = ev["y"].to_numpy() + np.where(planted, r * np.sin(a), 0.0)
    inside = index.locate(x, y) >= 0
    ev["x"] = np.where(inside, x, ev["x"].to_numpy())
    ev["y"] = np.where(inside, y, ev["y"].to_numpy())


def _status(ev: pd.DataFrame, last: pd.Timestamp, rng: np.random.Generator) -> np.ndarray:
    """Follow-up of each warning: recent ones mostly open, planted ones rarely unfounded."""
    age = (last - ev["day"]).dt.days.to_numpy()
    planted = ev["planted_from"].to_numpy() > 0
    u = rng.random(len(ev))
    done = np.where(planted, 0.95, 0.70)  # below: followed up; above: unfounded
    out = np.where(u < 0.15, "open", np.where(u < done, "followed_up", "unfounded"))
    recent = age <= 7
    out[recent] = np.where(u[recent] < 0.7, "open", "followed_up")
    return out.astype(object)


def _followed(ev: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    """Whether a valid incident of the feared type came within 500 m and seven days."""
    from scipy.spatial import cKDTree

    valid = truth[(truth["invalid"] == "") & (truth["duplicate_of"] == 0)]
    out = np.zeros(len(ev), dtype=bool)
    if not len(valid) or not len(ev):
        return out
    k = np.cos(np.deg2rad(-3.0)) * 111_320.0
    tree = cKDTree(np.c_[valid["lon"].to_numpy() * k, valid["lat"].to_numpy() * 111_320.0])
    t_inc = valid["time"].dt.tz_localize(None).to_numpy()
    types = valid["type"].to_numpy()
    pts = np.c_[ev["x"].to_numpy() * k, ev["y"].to_numpy() * 111_320.0]
    for i, near in enumerate(tree.query_ball_point(pts, _FOLLOW_METRES)):
        if not near:
            continue
        near = np.asarray(near)
        t0 = ev["reported"].iloc[i].to_datetime64()
        dt = t_inc[near] - t0
        ok = (types[near] == _FEARED_OF[ev["type"].iloc[i]]) & (dt > np.timedelta64(0))
        out[i] = bool((ok & (dt <= np.timedelta64(_FOLLOW_DAYS, "D"))).any())
    return out


def _events(
    truth: pd.DataFrame,
    days: pd.DatetimeIndex,
    flags: dict[str, np.ndarray],
    index: DesaIndex,
    scale: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Planted and free warnings in report order, with their report time."""
    total = max(20, round(_PER_DAY * len(days) * scale))
    planted = _planted(truth, days, flags, round(PLANTED_SHARE * total), rng)
    free = _free(days, flags, total - len(planted), index, rng)
    ev = pd.concat([planted, free], ignore_index=True) if len(planted) else free
    minute = rng.integers(7 * 60, 22 * 60, len(ev))
    ev["reported"] = pd.to_datetime(ev["day"]) + pd.to_timedelta(minute, unit="min")
    late = ev["reported"] >= ev["target"]  # a same-day target before the report hour
    ev.loc[late, "reported"] = ev.loc[late, "target"] - pd.Timedelta(hours=20)
    ev["day"] = ev["reported"].dt.normalize()
    ev = ev[ev["day"] >= days[0]]
    order = np.lexsort((ev["x"].to_numpy(), ev["reported"].to_numpy()))
    ev = ev.iloc[order].reset_index(drop=True)
    _nudge(ev, index, rng)
    return ev


def warning_rows(
    truth: pd.DataFrame,
    days: pd.DatetimeIndex,
    flags: dict[str, np.ndarray],
    index: DesaIndex,
    polsek: dict[str, str],
    scale: float,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write the early-warnings table and its truth.

    Parameters
    ----------
    truth : DataFrame
        The disturbances' truth (``no``, ``time``, ``type``, ``lon``, ``lat``, ``invalid``,
        ``duplicate_of``).
    days : DatetimeIndex
        The days of the period.
    flags : dict
        Seasonal flags per day (``pra``, ``ramadhan`` ...).
    index : DesaIndex
        The desa polygons.
    polsek : dict
        Kecamatan code → Polsek name overrides.
    scale : float
        Size factor (about 2,000 warnings in four years at 1; at least 20).
    rng : numpy.random.Generator
        Random source.

    Returns
    -------
    rows, truth : DataFrame
        The table (:data:`WARNING_COLUMNS`) and one truth row per table row: ``no``,
        ``time`` (reported), ``type``, ``feared``, ``role``, ``status``, ``lon``, ``lat``,
        ``desa_code``, ``kecamatan_code``, ``kabupaten_code``, ``target`` (the moment the
        phrase was written from), ``expected_said``, ``planted_from`` (``no`` of the
        incident, 0), ``followed`` (measured), ``invalid`` (reason or ``""``).
    """
    ev = _events(truth, days, flags, index, scale, rng)
    ev["followed"] = _followed(ev, truth)
    n = len(ev)
    units = _Units(index, ev["x"].to_numpy(), ev["y"].to_numpy())
    polsek_of = _polsek_names(units, polsek)
    lat, lon = _coords(ev["x"].to_numpy(), ev["y"].to_numpy(), rng)
    with_xy = rng.random(n) < 0.45
    roles = np.asarray(_ROLES, dtype=object)[rng.choice(len(_ROLES), size=n, p=_ROLE_P)]
    status = _status(ev, days[-1], rng)
    names, phones = fake_name(rng, n), fake_phone(rng, n)
    has_name, has_phone = rng.random(n) < 0.8, rng.random(n) < 0.6
    styles = rng.choice(4, size=n, p=[0.25, 0.35, 0.15, 0.25])
    day_i = ((ev["day"] - days[0]).dt.days).to_numpy()
    ram = flags["ramadhan"][np.clip(day_i, 0, len(days) - 1)]
    bad = np.full(n, "", dtype=object)
    if n >= 10:
        bad[rng.choice(n, size=2, replace=False)] = ["no_place", "bad_date"]
    rows: list[dict[str, Any]] = []
    expected: list[str] = []
    for i in range(n):
        t, rep = ev["type"].iloc[i], ev["reported"].iloc[i]
        labels = _LABELS[t]
        label = labels[0] if rng.random() < 0.5 else labels[int(rng.integers(0, len(labels)))]
        said = _expected_text(ev["target"].iloc[i], rep, bool(ram[i]), int(styles[i]))
        expected.append(said)
        desa = units.name[i]
        row = {
            "No": i + 1,
            "Tgl Lapor": format_date(rep.date(), int(rng.choice(3, p=[0.7, 0.2, 0.1]))),
            "Jam": f"{rep.hour:02d}.{rep.minute:02d}" if rng.random() < 0.8 else "",
            "Jenis Potensi": label,
            "Lokasi": _street(units, i, rng),
            "Kelurahan/Desa": desa if rng.random() < 0.8 else units.people[i],
            "Kecamatan": units.kec[i],
            "Polsek": polsek_of[i],
            "Lintang": lat[i] if with_xy[i] else "",
            "Bujur": lon[i] if with_xy[i] else "",
            "Perkiraan Waktu": said,
            "Sumber Informasi": _role_text(roles[i], desa, rng),
            "Nama Pelapor": names[i] if has_name[i] else "",
            "No. HP": phones[i] if has_phone[i] else "",
            "Tindak Lanjut": _status_form(str(status[i]), rng),
            "Keterangan": _KETERANGAN[t],
        }
        _spoil(row, str(bad[i]), rep)
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(WARNING_COLUMNS))
    return table, _truth(ev, units, roles, status, expected, bad)


def _status_form(code: str, rng: np.random.Generator) -> str:
    """Write a follow-up status as people do."""
    forms = _STATUS_FORMS[code]
    return forms[int(rng.integers(0, len(forms)))]


def _spoil(row: dict[str, Any], reason: str, rep: pd.Timestamp) -> None:
    """Make a row invalid on purpose: no place at all, or an impossible date."""
    if reason == "no_place":
        for col in ("Lokasi", "Kelurahan/Desa", "Kecamatan", "Polsek", "Lintang", "Bujur"):
            row[col] = ""
    elif reason == "bad_date":
        row["Tgl Lapor"] = f"31/02/{rep.year}"


def _truth(
    ev: pd.DataFrame,
    units: _Units,
    roles: np.ndarray,
    status: np.ndarray,
    expected: list[str],
    bad: np.ndarray,
) -> pd.DataFrame:
    """Return the truth of each warning row (see :func:`warning_rows`)."""
    return pd.DataFrame(
        {
            "no": np.arange(1, len(ev) + 1),
            "time": pd.DatetimeIndex(ev["reported"]).tz_localize("Asia/Jakarta"),
            "type": ev["type"].to_numpy(),
            "feared": [_FEARED_OF[t] for t in ev["type"]],
            "role": roles,
            "status": status,
            "lon": ev["x"].to_numpy(),
            "lat": ev["y"].to_numpy(),
            "desa_code": units.code,
            "kecamatan_code": units.kec_code,
            "kabupaten_code": units.kab,
            "target": pd.DatetimeIndex(ev["target"]).tz_localize("Asia/Jakarta"),
            "expected_said": np.array([bool(e) for e in expected]),
            "planted_from": ev["planted_from"].to_numpy().astype(np.int64),
            "followed": ev["followed"].to_numpy(),
            "invalid": bad,
        }
    )
