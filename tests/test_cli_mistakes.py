"""A user's mistake on the command line: one line, exit code 2, inputs untouched.

Each case is a command line as a tired analyst might type it. The test asserts, for every
case: exit code 2, exactly one line of output (Indonesian by default, English with
``--lang en``), no ``Traceback``, and every file of the work folder byte-identical
afterwards (nothing overwritten, nothing half-written left behind).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from kamtibmas_geo.cli import main
from kamtibmas_geo.config import Settings


def _run(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture(scope="module")
def work(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A work folder as the documented chain leaves it: sample, geocoded records, cells."""
    d = tmp_path_factory.mktemp("kerja")
    base = ["--source", settings.source, "--cache-dir", settings.cache_dir]
    assert _run([*base, "sample", "--out", str(d), "--seed", "3", "--scale", "0.04"]) == 0
    geo = ["geocode", str(d / "gangguan.csv"), "--out", str(d / "titik.parquet")]
    assert _run([*base, *geo]) == 0
    import geopandas as gpd

    from kamtibmas_geo.score._score import score_hotspots

    placed = gpd.read_parquet(d / "titik.parquet")
    cells = score_hotspots(placed, region="palembang", settings=settings)
    cells.to_parquet(d / "sel.parquet")
    (d / "kosong.csv").write_bytes(b"")
    (d / "judul_saja.csv").write_text("tanggal,alamat,jenis\n", encoding="utf-8")
    (d / "tanpa_tanggal.csv").write_text("alamat,jenis\nJl. Merdeka,petasan\n", encoding="utf-8")
    (d / "rusak.xlsx").write_bytes(b"PK\x03\x04 bukan xlsx yang utuh")
    (d / "rusak.parquet").write_bytes(b"PAR1 bukan parquet PAR1")
    (d / "catatan.txt").write_text("bukan tabel\n", encoding="utf-8")
    (d / "buruk.toml").write_text("res = [tidak sah\n", encoding="utf-8")
    (d / "kunci_asing.toml").write_text("warna = 'merah'\n", encoding="utf-8")
    (d / "sel_tanpa_hex.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (d / "kandidat_jauh.csv").write_text(
        "nama,lintang,bujur\nBalai Jauh,-6.2,106.8\n", encoding="utf-8"
    )
    (d / "folder").mkdir()
    ro = d / "hanya_baca"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return d


def _read_only(work: Path) -> str:
    """A folder this process cannot write into (root writes anywhere but in ``/sys``)."""
    return "/sys/kamtibmas-geo" if os.geteuid() == 0 else str(work / "hanya_baca")


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


#: (case name, command line after the global options; ``{d}`` is the work folder)
CASES: list[tuple[str, str]] = [
    # files and paths
    ("geocode: berkas tidak ada", "geocode {d}/tidak_ada.csv --out {d}/o.parquet"),
    ("geocode: masukan folder", "geocode {d}/folder --out {d}/o.parquet"),
    ("geocode: ekstensi masukan asing", "geocode {d}/catatan.txt --out {d}/o.parquet"),
    ("geocode: berkas kosong", "geocode {d}/kosong.csv --out {d}/o.parquet"),
    ("geocode: hanya judul kolom", "geocode {d}/judul_saja.csv --out {d}/o.parquet"),
    ("geocode: tanpa kolom tanggal", "geocode {d}/tanpa_tanggal.csv --out {d}/o.parquet"),
    ("geocode: xlsx rusak", "geocode {d}/rusak.xlsx --out {d}/o.parquet"),
    ("geocode: parquet rusak", "geocode {d}/rusak.parquet --out {d}/o.parquet"),
    ("geocode: lembar tidak ada", "geocode {d}/gangguan.xlsx --sheet Tidak --out {d}/o.csv"),
    ("geocode: kolom teks tidak ada", "geocode {d}/gangguan.csv --text-column zz --out {d}/o.csv"),
    (
        "geocode: landmark tidak ada",
        "geocode {d}/gangguan.csv --landmarks {d}/x.csv --out {d}/o.csv",
    ),
    ("geocode: hasil menimpa masukan", "geocode {d}/gangguan.csv --out {d}/gangguan.csv"),
    (
        "geocode: hasil = masukan, ejaan lain",
        "geocode {d}/gangguan.csv --out {d}/folder/../gangguan.csv",
    ),
    ("geocode: hasil ekstensi asing", "geocode {d}/gangguan.csv --out {d}/o.txt"),
    ("geocode: hasil adalah folder", "geocode {d}/gangguan.csv --out {d}/folder"),
    ("geocode: folder hasil hanya-baca", "geocode {d}/gangguan.csv --out {ro}/o.parquet"),
    ("geocode: hasil di bawah berkas", "geocode {d}/gangguan.csv --out {d}/catatan.txt/o.csv"),
    ("geocode: jenis salah", "geocode {d}/gangguan.csv --kind pencurian --out {d}/o.csv"),
    ("geocode: resolusi di luar rentang", "geocode {d}/gangguan.csv --res 20 --out {d}/o.csv"),
    ("geocode: resolusi bukan angka", "geocode {d}/gangguan.csv --res sembilan --out {d}/o.csv"),
    ("geocode: --out tanpa nilai", "geocode {d}/gangguan.csv --out"),
    ("geocode: tanpa --out", "geocode {d}/gangguan.csv"),
    ("geocode: opsi asing", "geocode {d}/gangguan.csv --keluar {d}/o.csv"),
    ("geocode: argumen berlebih", "geocode {d}/gangguan.csv {d}/kegiatan.csv --out {d}/o.csv"),
    # global options
    ("perintah tidak dikenal", "petakan {d}/sel.parquet"),
    ("bahasa tidak dikenal", "--lang fr geocode {d}/gangguan.csv --out {d}/o.csv"),
    ("bahasa tanpa nilai", "geocode {d}/gangguan.csv --out {d}/o.csv --lang"),
    ("config tidak ada", "--config {d}/tidak_ada.toml sample --out {d}/s"),
    ("config rusak", "--config {d}/buruk.toml sample --out {d}/s"),
    ("config kunci asing", "--config {d}/kunci_asing.toml sample --out {d}/s"),
    ("sample: seed bukan angka", "sample --out {d}/s --seed tujuh"),
    ("sample: tanggal salah", "sample --out {d}/s --start 2025-13-45"),
    # scoring and testing
    ("hotspots: berkas tidak ada", "hotspots {d}/tidak_ada.parquet --out {d}/c.parquet"),
    (
        "hotspots: target mustahil",
        "hotspots {d}/titik.parquet --target ramadhan-1500 --out {d}/c.parquet",
    ),
    ("hotspots: target asing", "hotspots {d}/titik.parquet --target lebaran --out {d}/c.parquet"),
    ("hotspots: hasil menimpa masukan", "hotspots {d}/titik.parquet --out {d}/titik.parquet"),
    ("hotspots: wilayah asing", "hotspots {d}/titik.parquet --region jakarta --out {d}/c.parquet"),
    ("backtest: periode mustahil", "backtest {d}/titik.parquet --period ramadhan-1500"),
    ("backtest: periode asing", "backtest {d}/titik.parquet --period kemarin"),
    ("backtest: berkas tidak ada", "backtest {d}/tidak_ada.csv --period ramadhan-1447"),
    # maps
    ("map: sel tidak ada", "map {d}/tidak_ada.parquet --out {d}/peta.html"),
    ("map: hasil menimpa sel", "map {d}/sel.parquet --out {d}/sel.parquet"),
    ("map: sel tanpa hex_id", "map {d}/sel_tanpa_hex.csv --out {d}/peta.html"),
    ("map: pos tidak ada", "map {d}/sel.parquet --posts {d}/tidak_ada.csv --out {d}/peta.html"),
    ("map: png menimpa masukan", "map {d}/sel.parquet --out {d}/peta.html --png {d}/sel.parquet"),
    # plans
    ("poskamling: tanpa --out", "poskamling {d}/sel.parquet --new 3"),
    ("poskamling: jumlah negatif", "poskamling {d}/sel.parquet --new -1 --out {d}/u.csv"),
    ("poskamling: radius nol", "poskamling {d}/sel.parquet --radius 0 --out {d}/u.csv"),
    (
        "poskamling: kandidat di luar sel",
        "poskamling {d}/sel.parquet --candidates {d}/kandidat_jauh.csv --out {d}/u.csv",
    ),
    ("poskamling: metode asing", "poskamling {d}/sel.parquet --method cepat --out {d}/u.csv"),
    (
        "poskamling: hasil menimpa masukan",
        "poskamling {d}/sel.parquet --existing {d}/poskamling.csv --out {d}/poskamling.csv",
    ),
    ("patrol: tim nol", "patrol {d}/sel.parquet --teams 0 --out {d}/p.csv"),
    ("patrol: hasil menimpa masukan", "patrol {d}/sel.parquet --out {d}/sel.parquet"),
    ("patrol: jendela asing", "patrol {d}/sel.parquet --windows sore --out {d}/p.csv"),
    ("demo: --out adalah berkas", "demo --out {d}/gangguan.csv"),
    # columns named by hand (--columns, on every command that reads a table)
    (
        "geocode: --columns bidang asing",
        "geocode {d}/gangguan.csv --columns tangal=x --out {d}/o.csv",
    ),
    (
        "geocode: --columns kolom tidak ada",
        "geocode {d}/gangguan.csv --columns tanggal=Hari/Tanggal --out {d}/o.csv",
    ),
    (
        "hotspots: --columns tanpa =",
        "hotspots {d}/titik.parquet --columns Tanggal --out {d}/c.parquet",
    ),
    ("backtest: --columns bidang asing", "backtest {d}/titik.parquet --columns warna=x"),
    (
        "poskamling: --columns bidang asing",
        "poskamling {d}/sel.parquet --existing {d}/poskamling.csv --columns namaa=x --out {d}/u.csv",
    ),
    ("patrol: --columns tanpa =", "patrol {d}/sel.parquet --columns nama --out {d}/p.csv"),
    (
        "map: --columns bidang asing",
        "map {d}/sel.parquet --posts {d}/poskamling.csv --columns x=y --out {d}/peta.html",
    ),
]


@pytest.fixture
def guarded(work: Path) -> Iterator[dict[str, str]]:
    before = _snapshot(work)
    yield before
    after = _snapshot(work)
    assert after == before, "a command changed, added or removed a file of the work folder"


#: Words that mark an English sentence (and, below, an Indonesian one). A message written in the
#: wrong language contains some of them; names of files, columns and options do not.
ENGLISH_WORDS = re.compile(
    r"\b(the|must|is not|has no|cannot|does not|not found|should|only|file|column|got|found)\b",
    re.IGNORECASE,
)
INDONESIAN_WORDS = re.compile(
    r"\b(tidak|berkas|harus|kolom|bukan|belum|gunakan|periksa|dengan|untuk)\b", re.IGNORECASE
)


def _message(line: str) -> str:
    """The message without the paths and quoted values it names."""
    return re.sub(r"'[^']*'|\"[^\"]*\"|/\S+", " ", line)


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize(("name", "line"), CASES, ids=[c[0] for c in CASES])
def test_mistake_is_one_indonesian_line(
    name: str,
    line: str,
    work: Path,
    settings: Settings,
    guarded: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--source", settings.source, "--cache-dir", settings.cache_dir]
    args += [a.format(d=work, ro=_read_only(work)) for a in line.split()]
    code = _run(args)
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    assert code == 2, f"{name}: exit {code}\n{text}"
    got = _one_line(text)
    assert got.startswith("Galat:"), got
    assert "internal" not in got.lower(), got
    english = ENGLISH_WORDS.findall(_message(got))
    assert not english, f"English words {english} in the Indonesian line: {got}"


ENGLISH = [c for i, c in enumerate(CASES) if i % 5 == 0 and "--lang" not in c[1]]


@pytest.mark.parametrize(("name", "line"), ENGLISH, ids=[c[0] for c in ENGLISH])
def test_mistake_in_english(
    name: str,
    line: str,
    work: Path,
    settings: Settings,
    guarded: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--source", settings.source, "--cache-dir", settings.cache_dir]
    args += [a.format(d=work, ro=_read_only(work)) for a in line.split()]
    if "--lang" not in args:
        args.append("--lang")  # anywhere on the line, also after the command's options
        args.append("en")
    code = _run(args)
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == 2, f"{name}: exit {code}\n{text}"
    got = _one_line(text)
    assert got.startswith("Error:"), got
    indonesian = INDONESIAN_WORDS.findall(_message(got))
    assert not indonesian, f"Indonesian words {indonesian} in the English line: {got}"


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


def test_killed_run_leftovers_are_removed(work: Path, tmp_path: Path, settings: Settings) -> None:
    out = tmp_path / "hasil"
    out.mkdir()
    stale = out / ".titik.kgtmp-999999999.parquet"  # a process id that cannot be alive
    stale.write_bytes(b"setengah")
    args = ["--source", settings.source, "--cache-dir", settings.cache_dir]
    geo = ["geocode", str(work / "gangguan.csv"), "--out", str(out / "titik.parquet")]
    assert _run([*args, *geo]) == 0
    assert not stale.exists()
    assert sorted(p.name for p in out.iterdir()) == ["titik.parquet", "titik_ditolak.csv"]


def test_bracket_names_print_as_written(
    tmp_path: Path,
    settings: Settings,
    own_desa: object,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Desa names that look like Rich markup are printed as written, never eaten or fatal."""
    import geopandas as gpd

    monkeypatch.setenv("COLUMNS", "250")  # a wide terminal: names are not cut

    desa = gpd.GeoDataFrame(own_desa).copy()
    desa["name"] = ["[/RW 2]", "[Pemekaran] Sukamaju", "[bold]Tebal", "Desa [i]"]
    gpkg = tmp_path / "wilayah.gpkg"
    desa.to_file(gpkg, layer="desa")
    centres = desa.geometry.representative_point()
    rows = ["tanggal,jam,jenis,lintang,bujur"]
    for i in range(40):
        p = centres.iloc[i % 4]
        rows.append(f"2026-0{1 + i % 9}-1{i % 9},21:00,petasan,{p.y:.6f},{p.x:.6f}")
    src = tmp_path / "gangguan.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = ["--source", settings.source or "", "--cache-dir", settings.cache_dir or ""]
    args += ["hotspots", str(src), "--boundaries", str(gpkg), "--out", str(tmp_path / "s.parquet")]
    assert _run([*args, "--res", "8", "--top", "4"]) == 0
    shown = capsys.readouterr().out
    for name in desa["name"]:
        assert name in shown


def test_sample_period_too_short_is_one_line(settings: Settings, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    args = ["--source", settings.source or "", "--cache-dir", settings.cache_dir or ""]
    args += ["sample", "--out", str(tmp_path / "s"), "--seed", "1", "--scale", "0.05"]
    code = _run([*args, "--start", "2026-01-01", "--end", "2026-01-03"])
    got = _one_line(capsys.readouterr().err)
    assert code == 2
    assert got.startswith("Galat: Periode sampel terlalu pendek"), got


def _output(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run a command that must succeed and return what it printed (both streams)."""
    assert _run(args) == 0
    got = capsys.readouterr()
    return got.out + got.err


def test_hotspots_prints_places_and_numbers_as_staff_write(
    work: Path,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One separator per language, names as staff write them, the H3 id last."""
    monkeypatch.setenv("COLUMNS", "250")
    base = ["--source", settings.source or "", "--cache-dir", settings.cache_dir or ""]
    run = ["hotspots", str(work / "titik.parquet"), "--region", "palembang", "--top", "5"]
    id_text = _output([*base, *run, "--out", str(work / "hs_id.parquet")], capsys)
    en_text = _output([*base, "--lang", "en", *run, "--out", str(work / "hs_en.parquet")], capsys)
    n = len(pd.read_parquet(work / "hs_id.parquet", columns=["hex_id"]))
    assert n >= 1000  # Palembang at res 9: thousands of cells
    assert f"{n:,}".replace(",", ".") + " sel" in id_text
    assert f"{n:,} sel" not in id_text  # no English grouping in the Indonesian run
    assert f"{n:,} cells" in en_text
    assert "Sembilan-belas" not in id_text
    assert "Ilir Timur Satu" not in id_text
    assert "19 Ilir" in id_text or "16 Ilir" in id_text
    rows = [line for line in id_text.splitlines() if line.startswith("│")]
    assert rows
    for line in rows:
        cells = [c.strip() for c in line.strip("│").split("│")]
        assert not re.fullmatch(r"[0-9a-f]{15}", cells[0])  # not the first thing people read
        assert re.fullmatch(r"[0-9a-f]{15}", cells[-1])  # kept last, for lookup
        assert re.fullmatch(r"\d+,\d\d", cells[4])  # score with a decimal comma
    en_rows = [line for line in en_text.splitlines() if line.startswith("│")]
    assert all(re.fullmatch(r"\d+\.\d\d", r.strip("│").split("│")[4].strip()) for r in en_rows)


def test_map_counts_cells_with_the_thousands_separator(
    work: Path,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``map`` says ``3.352 sel`` in Indonesian and ``3,352 cells`` in English."""
    monkeypatch.setenv("COLUMNS", "250")
    base = ["--source", settings.source or "", "--cache-dir", settings.cache_dir or ""]
    run = ["map", str(work / "sel.parquet"), "--no-boundaries"]
    id_text = _output([*base, *run, "--out", str(work / "peta_id.html")], capsys)
    en_text = _output([*base, "--lang", "en", *run, "--out", str(work / "peta_en.html")], capsys)
    n = len(pd.read_parquet(work / "sel.parquet", columns=["hex_id"]))
    assert n >= 1000
    assert re.search(r"\(\d+,\d MB, " + re.escape(f"{n:,}".replace(",", ".")) + " sel\\)", id_text)
    assert re.search(r"\(\d+\.\d MB, " + re.escape(f"{n:,}") + " cells\\)", en_text)


def test_backtest_leaves_out_a_kabupaten_without_records(
    work: Path,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Palembang-only records: no OKI rows, no ``nan``; named, OKI gets one sentence."""
    monkeypatch.setenv("COLUMNS", "250")
    import geopandas as gpd

    placed = gpd.read_parquet(work / "titik.parquet")
    only = work / "palembang_saja.parquet"
    placed[placed["kabupaten_code"] == "16.71"].to_parquet(only)
    base = ["--source", settings.source or "", "--cache-dir", settings.cache_dir or ""]
    run = ["backtest", str(only), "--period", "ramadhan-1447"]
    text = _output([*base, *run], capsys)
    assert "Ogan Komering Ilir" not in text
    assert "nan" not in text.lower()
    title = next(line for line in text.splitlines() if "Uji balik" in line)
    n = int(re.search(r"([\d.]+) sel H3", title).group(1).replace(".", ""))  # type: ignore[union-attr]
    assert n >= 1000
    assert f"{n:,}".replace(",", ".") + " sel H3" in title
    assert re.search(r"│\s+\d+,\d%", text)  # hit rate with a decimal comma
    named = _output([*base, *run, "--region", "oki"], capsys)
    assert "nan" not in named.lower()
    assert named.count("tidak ada kejadian di wilayah ini") == 1
    assert "│" not in named  # no table of undefined metrics
