"""Early warnings as priority stops of the patrol plan.

Private helpers of :mod:`kamtibmas_geo.plan._patrol`. See ``docs/planning.md``.

At the opening of each planned window (at the centre of the cells) the one rule
:func:`kamtibmas_geo.score._early.open_warnings` says which warnings are still to act on;
those answered by a Binmas activity already are not stops. A warning is *due* in a window
when its expected time (``expected_start`` to ``expected_end``) overlaps the window on the
day planned for it; a warning that names no time is due in the planned windows where its
type peaks (``peak_windows`` of ``[early_warning.<type>]``), else in the first planned
window. A due warning becomes a priority stop at its cell: offered to the router before any
risk cell, with a prize above all the risk stops together. Only the reporter's role is
carried, never the name or contact.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from kamtibmas_geo._i18n import tr
from kamtibmas_geo.records._early import WARNING_ROLES

__all__ = ["ROLES", "WarningPlan", "role_label", "warning_plan"]

#: Reporter roles (issue 21; the vocabulary of :mod:`kamtibmas_geo.records._early`): the only
#: thing said about a reporter.
ROLES = WARNING_ROLES
#: How far (m) a warning outside every planned cell may sit from the nearest cell centre.
SNAP_M = 1000.0
_MOMENT = pd.Timedelta(hours=3)

MESSAGES = {
    "reason": {"id": "informasi dini: {items}", "en": "early warning: {items}"},
    "item": {"id": "{label} ({role})", "en": "{label} ({role})"},
    "left": {
        "id": "{n} informasi dini tidak menjadi titik: {items}",
        "en": "{n} early warning(s) not made a stop: {items}",
    },
    "why_cap": {
        "id": "lebih dari {cap} titik yang ditawarkan per Polsek",
        "en": "more than the {cap} stops offered per Polsek",
    },
    "why_time": {
        "id": "tidak muat dalam waktu dan tim yang ada",
        "en": "did not fit the window and teams",
    },
    "why_team": {"id": "Polsek tanpa tim", "en": "Polsek without a team"},
    "st_stop": {"id": "titik prioritas", "en": "priority stop"},
    "st_answered": {
        "id": "sudah ditindaklanjuti oleh kegiatan {by}",
        "en": "already answered by activity {by}",
    },
    "st_not_due": {
        "id": "waktu yang diperkirakan di luar waktu rencana",
        "en": "expected outside the plan's windows",
    },
    "st_outside": {"id": "di luar sel rencana", "en": "outside the plan's cells"},
}


def role_label(code: Any, lang: str) -> str:
    """Return the label of a reporter role code ("Lainnya" for anything else).

    Parameters
    ----------
    code : str
        Role code (``rt``, ``rw``, ``pokdar``, ``ormas``, ``bhabinkamtibmas``, ``warga``).
    lang : {"id", "en"}
        Language.

    Returns
    -------
    str

    Examples
    --------
    >>> role_label("pokdar", "id"), role_label("RT", "en"), role_label(None, "id")
    ('Pokdar Kamtibmas', 'RT (neighbourhood head)', 'Lainnya')
    """
    key = code.strip().lower() if isinstance(code, str) else "lainnya"
    return tr(ROLES, key if key in ROLES else "lainnya", lang)


def _peaks() -> dict[str, tuple[str, ...]]:
    """Peak windows of every early-warning type (``[early_warning.<type>]``)."""
    text = resources.files("kamtibmas_geo").joinpath("data/taxonomy.toml").read_text("utf-8")
    table = tomllib.loads(text).get("early_warning", {})
    return {k: tuple(v.get("peak_windows", ())) for k, v in table.items() if isinstance(v, dict)}


@dataclass
class WarningPlan:
    """The warnings due per window, as cell indices of the plan, and what became of each.

    Attributes
    ----------
    due : dict
        ``{window: DataFrame}`` of the warnings due in the window: ``record_id``,
        ``cell`` (row of the plan's cells), ``kab``, ``polsek``, ``text`` ("rencana
        tawuran (RT)"), ``start`` (expected, NaT when not said), ``time`` (reported).
    fate : list of dict
        One entry per warning and window (and per warning never due): ``record_id``,
        ``type``, ``role``, ``window``, ``code`` (``stop``, ``left``, ``answered``,
        ``not_due``, ``outside``), ``status`` (the same in words) and ``team``/``stop``
        when routed.
    lang : str
        Language of the texts.
    """

    due: dict[str, pd.DataFrame]
    fate: list[dict[str, Any]] = field(default_factory=list)
    lang: str = "id"

    def by_polsek(self, window: str, kab: str) -> dict[str, list[int]]:
        """Return the cells of the warnings due in ``window`` per Polsek of ``kab``, in order.

        Order: expected time (undated last), then report time; a cell once.
        """
        frame = self.due.get(window)
        if frame is None or frame.empty:
            return {}
        mine = frame[frame["kab"] == kab].sort_values(["start", "time", "record_id"])
        out: dict[str, list[int]] = {}
        for p, sub in mine.groupby("polsek", sort=True):
            out[str(p)] = list(dict.fromkeys(int(c) for c in sub["cell"]))
        return out

    def reason(self, window: str, cell: int) -> tuple[str, str] | None:
        """Return ("informasi dini: …", record ids) for a stop at ``cell``, or None."""
        frame = self.due.get(window)
        if frame is None or frame.empty:
            return None
        here = frame[frame["cell"] == cell].sort_values(["start", "time", "record_id"])
        if here.empty:
            return None
        items = ", ".join(dict.fromkeys(here["text"]))
        ids = ", ".join(str(v) for v in here["record_id"])
        return tr(MESSAGES, "reason", self.lang, items=items), ids

    def settle(
        self,
        window: str,
        polsek: str,
        cells: Sequence[int],
        placed: dict[int, tuple[int, int]],
        why: str,
    ) -> str:
        """Record each due warning of the Polsek's ``cells``; return the note on those left.

        Parameters
        ----------
        window, polsek : str
            The window and Polsek.
        cells : sequence of int
            The cells of its due warnings.
        placed : dict
            ``{cell: (team, stop)}`` of the cells routed.
        why : str
            Why a cell not routed was left (cap, time, no team), in words.
        """
        frame = self.due[window]
        left = []
        for c in cells:
            here = frame[(frame["cell"] == c) & (frame["polsek"] == polsek)]
            for _, row in here.iterrows():
                entry = {"record_id": row["record_id"], "type": row["type"], "role": row["role"]}
                entry["window"] = window
                if c in placed:
                    team, stop = placed[c]
                    entry |= {"code": "stop", "status": tr(MESSAGES, "st_stop", self.lang)}
                    entry |= {"team": team, "stop": stop}
                else:
                    entry |= {"code": "left", "status": why}
                    left.append(str(row["text"]))
                self.fate.append(entry)
        if not left:
            return ""
        return tr(MESSAGES, "left", self.lang, n=len(left), items="; ".join(left)) + f" ({why})"


def warning_plan(
    warnings: pd.DataFrame,
    *,
    activities: pd.DataFrame | None,
    grid: Any,
    opens: dict[str, tuple[Any, Any]],
    days: int,
    lang: str,
) -> WarningPlan:
    """Find the warnings due in each planned window and the plan's cell of each.

    Parameters
    ----------
    warnings : DataFrame
        Early-warning records (kind ``early_warning``), or the result of
        :func:`~kamtibmas_geo.score._early.open_warnings` (with ``answered``), used as is.
    activities : DataFrame, optional
        Binmas activities that may have answered them.
    grid : _Cells
        The plan's cells (``frame``, ``latlng``, ``xy``, ``crs``, ``kab``, ``polsek``).
    opens : dict
        ``{window: (opens, closes)}`` (aware datetimes) at the centre of the cells on the
        planned day, in the order of the day.
    days : int
        Days ahead (and back, for warnings naming no time) of :func:`open_warnings`.
    lang : {"id", "en"}
        Language.

    Returns
    -------
    WarningPlan
    """
    from kamtibmas_geo.score._early import open_warnings, warning_label

    peaks = _peaks()
    wins = list(opens)
    plan = WarningPlan({}, [], lang)
    seen: dict[str, dict[str, Any]] = {}
    for w, (start, end) in opens.items():
        at = pd.Timestamp(start).tz_convert("Asia/Jakarta")
        if "answered" in warnings.columns:
            now = pd.DataFrame(warnings).reset_index(drop=True)
        else:
            now = open_warnings(warnings, as_of=at, days=days, activities=activities)
        stop = pd.Timestamp(end).tz_convert("Asia/Jakarta").tz_localize(None)
        start, end = at.tz_localize(None), stop
        frame = _placed(pd.DataFrame(now), grid)
        rows = []
        for _, r in frame.iterrows():
            rid = str(r["record_id"])
            base = {"record_id": rid, "type": str(r["type"]), "role": _role(r)}
            if bool(r.get("answered", False)):
                by = r.get("answered_by")
                text = tr(MESSAGES, "st_answered", lang, by=by)
                seen[rid] = base | {"code": "answered", "status": text}
                continue
            if r["cell"] < 0:
                seen[rid] = base | {"code": "outside", "status": tr(MESSAGES, "st_outside", lang)}
                continue
            if not _is_due(r, w, start, end, wins, peaks):
                text = tr(MESSAGES, "st_not_due", lang)
                seen.setdefault(rid, base | {"code": "not_due", "status": text})
                continue
            seen[rid] = {}
            label = warning_label(str(r["type"]), lang)
            role = role_label(r.get("reporter_role"), lang)
            text = tr(MESSAGES, "item", lang, label=label, role=role)
            cell = int(r["cell"])
            where = {"cell": cell, "kab": grid.kab[cell], "polsek": grid.polsek[cell]}
            rows.append(base | where | {"text": text, "start": r["_start"], "time": r["_time"]})
        columns = ["record_id", "type", "role", "cell", "kab", "polsek", "text", "start", "time"]
        plan.due[w] = pd.DataFrame(rows, columns=columns)
    plan.fate.extend(v for v in seen.values() if v)
    return plan


def _role(r: pd.Series) -> str:
    value = r.get("reporter_role")
    code = value.strip().lower() if isinstance(value, str) else "lainnya"
    return code if code in ROLES else "lainnya"


def _is_due(
    r: pd.Series,
    w: str,
    start: Any,
    end: Any,
    wins: list[str],
    peaks: dict[str, tuple[str, ...]],
) -> bool:
    """Whether the warning is due in window ``w`` (from ``start`` to ``end``, naive WIB)."""
    s = r["_start"]
    if pd.isna(s):
        mine = [x for x in wins if x in peaks.get(str(r["type"]), ())]
        return w in (mine or wins[:1])
    e = r["_end"] if pd.notna(r["_end"]) else s + _MOMENT
    return bool(s < pd.Timestamp(end) and e > pd.Timestamp(start))


def _naive(values: Any) -> pd.Series:
    times = pd.to_datetime(pd.Series(values), errors="coerce")
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert("Asia/Jakarta").dt.tz_localize(None)
    return times


def _placed(frame: pd.DataFrame, grid: Any) -> pd.DataFrame:
    """Add the plan's cell of each warning (``-1`` outside) and naive WIB times."""
    import h3

    from kamtibmas_geo.grid._metres import to_utm

    out = frame.reset_index(drop=True).copy()
    if "record_id" not in out.columns:
        out["record_id"] = [f"w{i + 1}" for i in range(len(out))]
    for col, key in (("expected_start", "_start"), ("expected_end", "_end"), ("time", "_time")):
        out[key] = _naive(out[col]).to_numpy() if col in out.columns else pd.NaT
    index = {h: i for i, h in enumerate(grid.frame["hex_id"])}
    res = h3.get_resolution(grid.frame["hex_id"].iat[0]) if len(index) else 9
    lat, lon = _latlon(out)
    cells = np.full(len(out), -1, dtype=int)
    for k in range(len(out)):
        given = out["hex_id"].iat[k] if "hex_id" in out.columns else None
        if isinstance(given, str) and given in index:
            cells[k] = index[given]
        elif np.isfinite(lat[k]) and np.isfinite(lon[k]):
            cells[k] = index.get(h3.latlng_to_cell(lat[k], lon[k], res), -1)
    far = (cells < 0) & np.isfinite(lat) & np.isfinite(lon)
    if far.any() and len(index):
        xy = to_utm(lon[far], lat[far], grid.crs)
        d = np.linalg.norm(grid.xy[None, :, :] - xy[:, None, :], axis=2)
        near = d.argmin(axis=1)
        cells[far] = np.where(d[np.arange(len(near)), near] <= SNAP_M, near, -1)
    out["cell"] = cells
    return out


def _latlon(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude of each warning (point geometry, else ``lat``/``lon``)."""
    n = len(frame)
    geom = frame.get("geometry")
    if geom is not None and n:
        import shapely

        values = np.asarray(geom.to_numpy(), dtype=object)
        ok = np.array([g is not None and not g.is_empty for g in values], dtype=bool)
        lat, lon = np.full(n, np.nan), np.full(n, np.nan)
        if ok.any():
            lat[ok] = shapely.get_y(values[ok].tolist())
            lon[ok] = shapely.get_x(values[ok].tolist())
        return lat, lon
    if "lat" in frame.columns and "lon" in frame.columns:
        lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float)
        return lat, pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float)
    return np.full(n, np.nan), np.full(n, np.nan)
