"""The cache proves itself: every pack and derived-cache file is SHA-256 checked before use.

The pack is built once for this module (from the real upstream copy at
``KAMTIBMAS_GEO_SOURCE``) into a temporary cache, and each test works on its own copy of
that cache (``KAMTIBMAS_GEO_CACHE`` set per test). "No upstream" points
``KAMTIBMAS_GEO_SOURCE`` at an empty folder, so a damaged pack cannot be rebuilt and must
be refused; with the upstream it must be rebuilt, byte for byte.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pytest

from kamtibmas_geo import BoundaryError
from kamtibmas_geo._errors import CacheRepairWarning
from kamtibmas_geo.boundaries._integrity import (
    PACK_LINE,
    SUMS_NAME,
    format_sums,
    parse_sums,
    remove_stale_temps,
    write_atomic,
)
from kamtibmas_geo.boundaries._pack import PACK_FILES, build_pack, check_pack, load_boundaries
from kamtibmas_geo.cli import main
from kamtibmas_geo.config import Settings
from kamtibmas_geo.grid._cells import crosswalk, region_cells

ALL_PACK_FILES = (*PACK_FILES, SUMS_NAME)
LEVEL_FILES = ("desa.parquet", "kecamatan.parquet", "kabupaten.parquet")
CELLS = "cells-1671-r7-overlap.parquet"
CROSSWALK = "crosswalk-kecamatan-r6.parquet"
FIX = "kamtibmas-geo boundaries build"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, source_dir: Path) -> Path:
    """A cache holding the pack and two derived caches, built once for the module."""
    cache = tmp_path_factory.mktemp("integrity") / "cache"
    settings = Settings(source=str(source_dir), cache_dir=str(cache))
    build_pack(settings=settings)
    region_cells("palembang", 7, settings=settings)
    crosswalk(6, level="kecamatan", settings=settings)
    return cache


@pytest.fixture(scope="module")
def original(built: Path) -> dict[str, bytes]:
    """The bytes of every file of the freshly built pack and derived caches."""
    pack = next(built.glob("pack-*"))
    return {p.name: p.read_bytes() for p in pack.iterdir()}


@pytest.fixture
def pack(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source_dir: Path) -> Path:
    """This test's own copy of the cache (via the environment); returns the pack folder."""
    cache = tmp_path / "cache"
    shutil.copytree(built, cache)
    monkeypatch.setenv("KAMTIBMAS_GEO_CACHE", str(cache))
    monkeypatch.setenv("KAMTIBMAS_GEO_SOURCE", str(source_dir))
    return next(cache.glob("pack-*"))


@pytest.fixture
def no_upstream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the upstream at an empty folder: nothing can be rebuilt."""
    empty = tmp_path / "no-upstream"
    empty.mkdir()
    monkeypatch.setenv("KAMTIBMAS_GEO_SOURCE", str(empty))
    return empty


def _states(report_files) -> dict[str, str]:
    return {c.name: c.state for c in report_files}


def _run(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _flip(path: Path, data: bytes, pos: int, bit: int) -> None:
    out = bytearray(data)
    out[pos] ^= 1 << bit
    path.write_bytes(bytes(out))


# --------------------------------------------------------------------------- the record


def test_fresh_pack_records_and_proves_sha256(pack, original):
    listed = parse_sums((pack / SUMS_NAME).read_bytes())
    assert listed == {n: hashlib.sha256(original[n]).hexdigest() for n in PACK_FILES}
    report = check_pack()
    assert report.ok
    assert _states(report.files) == dict.fromkeys(ALL_PACK_FILES, "ok")
    derived = [n for n in original if n.endswith(".parquet") and n not in PACK_FILES]
    assert {CELLS, CROSSWALK} <= set(derived)
    assert _states(report.derived) == dict.fromkeys(derived, "ok")
    # derived caches name their own SHA-256 and the pack they derive from
    sidecar = parse_sums((pack / f"{CROSSWALK}.sha256").read_bytes())
    assert sidecar == {
        CROSSWALK: hashlib.sha256(original[CROSSWALK]).hexdigest(),
        PACK_LINE: build_pack().digest,
    }


def test_intact_pack_needs_no_upstream(pack, no_upstream):
    # the control for every refusal below: the refusal comes from the damage
    assert len(load_boundaries("desa")) == 434
    assert build_pack().path == pack


def test_every_single_bit_flip_of_a_sums_list_is_caught():
    digests = {f"f{i}.parquet": hashlib.sha256(bytes([i])).hexdigest() for i in range(3)}
    data = format_sums(digests)
    assert parse_sums(data) == digests
    for pos in range(len(data)):
        for bit in range(8):
            out = bytearray(data)
            out[pos] ^= 1 << bit
            assert parse_sums(bytes(out)) != digests, (pos, bit)


# --------------------------------------------------------------------------- truncation


def test_truncated_desa_is_rebuilt_from_verified_upstream(pack, original):
    desa = pack / "desa.parquet"
    desa.write_bytes(original["desa.parquet"][: len(original["desa.parquet"]) // 2])
    report = check_pack()
    assert not report.ok
    assert report.files[0].state == "damaged"
    assert report.files[0].reason == "mismatch"
    with pytest.warns(CacheRepairWarning, match=r"desa\.parquet.*dibangun ulang"):
        frame = load_boundaries("desa")
    assert len(frame) == 434
    for name in LEVEL_FILES:  # the same bytes as the first build (meta.json has a new time)
        assert (pack / name).read_bytes() == original[name]
    assert check_pack().ok


def test_truncated_desa_without_upstream_is_refused(pack, no_upstream, original):
    (pack / "desa.parquet").write_bytes(original["desa.parquet"][:1000])
    with pytest.raises(BoundaryError) as exc:
        load_boundaries("desa")
    msg = str(exc.value)
    assert "desa.parquet" in msg
    assert FIX in msg
    assert "Traceback" not in msg
    with pytest.raises(BoundaryError, match=r"Damaged boundary pack.*desa\.parquet"):
        build_pack(settings=Settings(lang="en"))


def test_truncated_derived_caches_are_rebuilt_and_logged(pack, no_upstream, original, caplog):
    for name in (CELLS, CROSSWALK):
        (pack / name).write_bytes(original[name][:100])
    states = _states(check_pack().derived)
    assert states[CELLS] == states[CROSSWALK] == "damaged"
    assert list(states.values()).count("damaged") == 2
    caplog.set_level(logging.INFO, logger="kamtibmas_geo.cache")
    cells = region_cells("palembang", 7)
    table = crosswalk(6, level="kecamatan")
    assert sum("rebuilding" in r.getMessage() for r in caplog.records) == 2
    assert len(cells) == 94
    assert len(table) == 778
    # rebuilt derived caches are byte-identical and prove themselves again
    assert (pack / CELLS).read_bytes() == original[CELLS]
    assert (pack / CROSSWALK).read_bytes() == original[CROSSWALK]
    assert check_pack().ok


def test_derived_cache_from_another_pack_is_not_served(pack, original, caplog):
    sidecar = pack / f"{CELLS}.sha256"
    listed = parse_sums(sidecar.read_bytes())
    listed[PACK_LINE] = "0" * 64
    sidecar.write_bytes(format_sums(listed))
    assert {c.name: c.reason for c in check_pack().derived}[CELLS] == "other_pack"
    caplog.set_level(logging.INFO, logger="kamtibmas_geo.cache")
    assert len(region_cells("palembang", 7)) == 94
    assert any("other_pack" in r.getMessage() for r in caplog.records)
    assert check_pack().ok


# --------------------------------------------------------------------------- bit flips


def test_random_bit_flips_are_all_detected_and_refused(pack, no_upstream, original):
    rng = random.Random(20_260_311)
    names = list(ALL_PACK_FILES)
    trials = 24
    for trial in range(trials):
        name = names[trial % len(names)] if trial < len(names) else rng.choice(names)
        data = original[name]
        pos, bit = rng.randrange(len(data)), rng.randrange(8)
        _flip(pack / name, data, pos, bit)
        report = check_pack()
        where = (name, pos, bit)
        assert not report.ok, where
        if name != SUMS_NAME:
            assert _states(report.files)[name] == "damaged", where
        with pytest.raises(BoundaryError, match=FIX):
            load_boundaries("kabupaten")
        (pack / name).write_bytes(data)
        assert check_pack().ok, where
    assert len(load_boundaries("kabupaten")) == 2


# --------------------------------------------------------------------------- edited file


def test_valid_but_edited_parquet_is_detected(pack, no_upstream):
    path = pack / "desa.parquet"
    desa = gpd.read_parquet(path)
    row = desa.index[desa["code"] == "16.71.05.1002"][0]
    original_name = desa.loc[row, "name"]
    desa.loc[row, "name"] = "Desa Palsu"
    grown = desa.loc[[row]].to_crs(32748).buffer(5000).to_crs(4326)
    desa.loc[row, "geometry"] = grown.iloc[0]
    desa.to_parquet(path, index=False)
    assert gpd.read_parquet(path).loc[row, "name"] == "Desa Palsu"  # a valid file
    report = check_pack()
    assert (report.files[0].name, report.files[0].state) == ("desa.parquet", "damaged")
    with pytest.raises(BoundaryError, match=r"desa\.parquet"):
        load_boundaries("desa")
    assert original_name != "Desa Palsu"


# --------------------------------------------------------------------------- meta.json


def test_invalid_meta_json_without_upstream_is_one_clear_line(pack, no_upstream, capsys):
    (pack / "meta.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(BoundaryError, match=r"meta\.json"):
        build_pack()
    assert _run(["boundaries", "build"]) == 2
    err = capsys.readouterr().err
    assert "meta.json" in err
    assert FIX in err
    assert "Traceback" not in err


def test_meta_json_edited_together_with_its_sum_is_invalid(pack):
    # valid JSON, recorded sum updated to match: still not a pack this builder wrote
    (pack / "meta.json").write_text("[]", encoding="utf-8")
    listed = parse_sums((pack / SUMS_NAME).read_bytes())
    listed["meta.json"] = hashlib.sha256(b"[]").hexdigest()
    (pack / SUMS_NAME).write_bytes(format_sums(listed))
    meta = next(c for c in check_pack().files if c.name == "meta.json")
    assert (meta.state, meta.reason) == ("damaged", "invalid")


# --------------------------------------------------------------------------- the CLI


def test_cli_info_shows_damage_and_build_repairs_it(pack, original, capsys):
    _flip(pack / "kecamatan.parquet", original["kecamatan.parquet"], 4321, 3)
    (pack / "meta.json").write_text("{", encoding="utf-8")
    (pack / "kabupaten.parquet").unlink()
    (pack / CELLS).write_bytes(original[CELLS][:10])

    assert _run(["boundaries", "info"]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines = {line.split()[1]: line for line in out.splitlines() if line.startswith("│ ")}
    assert "rusak" in lines["kecamatan.parquet"]
    assert "rusak" in lines["meta.json"]
    assert "hilang" in lines["kabupaten.parquet"]
    assert "utuh" in lines["desa.parquet"]
    assert "rusak" in lines[CELLS]
    assert FIX in " ".join(out.split())
    assert _run(["--lang", "en", "boundaries", "info"]) == 1
    out = capsys.readouterr().out
    assert "damaged" in out
    assert "missing" in out
    # info repairs nothing
    assert not (pack / "kabupaten.parquet").exists()

    assert _run(["boundaries", "build"]) == 0
    out, err = (" ".join(text.split()) for text in capsys.readouterr())
    assert "Peringatan" in err  # the CLI shows the CacheRepairWarning
    assert "kecamatan.parquet" in err
    assert "dibangun ulang" in err
    assert CELLS in out
    assert not (pack / CELLS).exists()  # removed; rebuilt when next needed
    assert (pack / CROSSWALK).exists()  # intact: kept across a rebuild of the same pack
    for name in LEVEL_FILES:
        assert (pack / name).read_bytes() == original[name]
    assert _run(["boundaries", "info"]) == 0
    assert "rusak" not in capsys.readouterr().out


def test_cli_info_damaged_derived_cache_is_shown_not_fatal(pack, original, capsys):
    (pack / CROSSWALK).write_bytes(original[CROSSWALK][:-1])
    assert _run(["boundaries", "info"]) == 0  # never used, rebuilt when needed
    out = capsys.readouterr().out
    assert "rusak" in next(line for line in out.splitlines() if CROSSWALK in line)
    assert "Cache turunan yang rusak tidak dipakai" in " ".join(out.split())


# --------------------------------------------------------------------------- atomic writes


def test_killed_write_leaves_no_half_file_and_next_build_cleans_up(pack, original):
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from kamtibmas_geo.boundaries import _integrity\n"
        "os.replace = lambda src, dst: os._exit(9)  # the process dies just before the rename\n"
        "_integrity.write_atomic(Path(sys.argv[1]), b'half' * 250_000)\n"
    )
    target = pack / "desa.parquet"
    done = subprocess.run([sys.executable, "-c", code, str(target)], check=False)
    assert done.returncode == 9
    assert target.read_bytes() == original["desa.parquet"]  # the old file, whole
    temps = list(pack.glob(".desa.parquet.kgtmp-*.tmp"))
    assert len(temps) == 1
    assert check_pack().ok  # a temporary file is never taken for a pack file
    build_pack()  # the next build removes what the killed run left
    assert list(pack.glob(".*kgtmp-*")) == []


def test_stale_temps_by_age_are_removed_live_ones_kept(tmp_path):
    old = tmp_path / f".a.parquet.kgtmp-{os.getpid()}.0123abcd.tmp"
    live = tmp_path / f".b.parquet.kgtmp-{os.getpid()}.4567cdef.tmp"
    other = tmp_path / ".c.parquet.note"
    for path in (old, live, other):
        path.write_bytes(b"x")
    hour_ago = time.time() - 3 * 3600
    os.utime(old, (hour_ago, hour_ago))
    assert remove_stale_temps(tmp_path) == [old]
    assert live.exists()
    assert other.exists()


def test_write_atomic_returns_digest_and_leaves_nothing_else(tmp_path):
    digest = write_atomic(tmp_path / "sub" / "x.bin", b"data")
    assert digest == hashlib.sha256(b"data").hexdigest()
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["x.bin"]
