"""The documentation's commands run as written, so the docs cannot drift from the code.

Every ``kamtibmas-geo`` line of the fenced ``bash`` blocks of README.md and docs/guide.md, and
of the README's command table, is run verbatim (doctest-style), in order, in one fresh
folder: the sample is made once and every later command reads what an earlier one wrote. A
block is not run when the line before its fence says ``<!-- docs-test: skip (why) -->``
(installation, environment, the demo, which tests/test_demo.py runs). The same command line
in two places runs once. The guide's Excel example (``laporan.xlsx`` with a title, Polres
headers and a sheet named "Rekap Maret", and ``landmark.csv``) is written here first, as a
Polres would hand it over.

Also here: a relative ``KAMTIBMAS_GEO_SOURCE`` is resolved once, where the program started
(the README runs the tests with ``KAMTIBMAS_GEO_SOURCE=../shared/data``); and the docs load
no script from the network.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from kamtibmas_geo.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("docs/guide.md", "README.md")
_FENCE = re.compile(r"^```(\w*)\s*$")
_SKIP = re.compile(r"<!--\s*docs-test:\s*skip\b")
_TABLE_COMMAND = re.compile(r"^\|\s*`(kamtibmas-geo [^`]+)`\s*\|")
#: Commands documented but not run here (their options are still checked with ``--help``).
NOT_RUN = {"kamtibmas-geo demo": "tests/test_demo.py runs the demo"}
_MATHJAX_SHA256 = "d4295dc33744836935c1399feece5159577b34c5c8ffb9f1c6324cd82e03a882"


def _bash_blocks(text: str) -> list[tuple[int, list[str]]]:
    """Return ``(line number, lines)`` of every ``bash`` block not marked ``docs-test: skip``."""
    lines = text.splitlines()
    out, i = [], 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
        if fence.group(1) == "bash" and not _SKIP.search(before):
            out.append((i + 1, lines[i + 1 : end]))
        i = end + 1
    return out


def _command_lines(block: list[str]) -> list[str]:
    """Join continued lines; drop comments and blank lines."""
    joined, current = [], ""
    for line in block:
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        if current.strip() and not current.lstrip().startswith("#"):
            joined.append(current.strip())
        current = ""
    return joined


def documented_commands() -> list[tuple[str, str]]:
    """Return ``(where, command line)`` of every documented command, in order, each once."""
    found: list[tuple[str, str]] = []
    for name in DOCS:
        text = (ROOT / name).read_text(encoding="utf-8")
        for line_no, block in _bash_blocks(text):
            found += [(f"{name}:{line_no}.{k}", c) for k, c in enumerate(_command_lines(block))]
        for k, line in enumerate(text.splitlines(), start=1):
            if m := _TABLE_COMMAND.match(line):
                found.append((f"{name}:{k}", m.group(1).replace("\\|", "|")))
    seen: set[str] = set()
    unique = []
    for where, command in found:
        key = " ".join(shlex.split(command, comments=True))
        if key not in seen:
            seen.add(key)
            unique.append((where, command))
    return unique


def _polres_workbook(folder: Path) -> None:
    """Write the guide's ``laporan.xlsx`` and ``landmark.csv``, as a Polres keeps them."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Ringkasan"
    sheet["A1"] = "lihat lembar Rekap Maret"
    ws = book.create_sheet("Rekap Maret")
    ws.append(["REKAP GANGGUAN KAMTIBMAS POLSEK KAYUAGUNG BULAN MARET 2025"])
    ws.append([])
    ws.append(["No", "Hari/Tgl/Jam", "Jenis Kejadian", "Uraian Lokasi", "LS", "BT", "Ket"])
    ws.append([1, "Rabu, 12 Maret 2025 19.30 WIB", "Balap liar", "Jl. Lintas Timur, Kayuagung",
               "3°23'11\" LS", "104°50'30\" BT", "bubar"])  # fmt: skip
    ws.append([2, "13/03/2025 pukul 05.00", "Petasan", "depan Pasar Kayuagung", "-3,3861",
               "104,8412", ""])  # fmt: skip
    ws.append([3, "14 Maret 2025", "Pencurian", "Desa Perigi, Kec. Kayu Agung", None, None, ""])
    ws.append([4, "31/02/2025", "Petasan", "Pasar Kayuagung", "-3,39", "104,84", ""])
    book.save(folder / "laporan.xlsx")
    (folder / "landmark.csv").write_text(
        "DAFTAR TEMPAT PENTING POLSEK KAYUAGUNG\n"
        "Nama;Jenis;Koordinat;Alias\n"
        "Pasar Kayuagung;pasar;3°23'20\" LS 104°50'28\" BT;Pasar Kayu Agung|Pasar KAG\n",
        encoding="cp1252",
    )


@pytest.fixture(scope="module")
def ran(settings, tmp_path_factory):
    """Run every documented command in one fresh folder; return what each printed."""
    folder = tmp_path_factory.mktemp("docs")
    _polres_workbook(folder)
    env = {
        "KAMTIBMAS_GEO_SOURCE": str(settings.source),
        "KAMTIBMAS_GEO_CACHE": str(settings.cache_dir),
    }
    results = {}
    old_cwd, old_env = Path.cwd(), {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    os.chdir(folder)
    try:
        for where, command in documented_commands():
            args = shlex.split(command, comments=True)
            assert args[0] == "kamtibmas-geo", (where, command)
            checked_only = any(command.startswith(p) for p in NOT_RUN)
            results[where] = (command, *_run(args[1:] + (["--help"] if checked_only else [])))
    finally:
        os.chdir(old_cwd)
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return folder, results


def _run(args: list[str]) -> tuple[int, str]:
    """Run one command in this process (the installed entry point calls the same ``main``)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            main(args)
        except SystemExit as exc:
            return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()  # pragma: no cover - main always ends with SystemExit


def test_the_documents_have_commands_to_run() -> None:
    commands = [c for _, c in documented_commands()]
    for word in ("sample", "geocode", "hotspots", "backtest", "map", "poskamling", "patrol"):
        assert any(c.startswith(f"kamtibmas-geo {word} ") for c in commands), word
    # a skipped block is not run, a continued line is one command
    block = ["kamtibmas-geo map a \\", "    --out b  # note", "# comment", ""]
    assert [" ".join(c.split()) for c in _command_lines(block)] == [
        "kamtibmas-geo map a --out b # note"
    ]
    marked = "<!-- docs-test: skip (x) -->\n```bash\nrm -rf /\n```\n```bash\nls\n```\n"
    assert _bash_blocks(marked) == [(5, ["ls"])]


@pytest.mark.slow
def test_every_documented_command_runs_as_written(ran) -> None:
    folder, results = ran
    failed = {w: (c, out[-1500:]) for w, (c, code, out) in results.items() if code != 0}
    assert not failed, failed
    written = ("gangguan_geo.parquet", "kegiatan_geo.parquet", "sel.parquet", "peta.html",
               "usulan.geojson", "patroli.csv", "backtest.csv", "laporan_geo.geojson")  # fmt: skip
    for name in written:
        assert (folder / name).stat().st_size > 0, name


@pytest.mark.slow
def test_the_polres_workbook_is_read_with_its_own_headers(ran) -> None:
    import geopandas as gpd

    folder, results = ran
    text = next(out for c, _, out in results.values() if "laporan.xlsx" in c)
    # the mapping is printed, in Indonesian: the Polres headers, the column named by hand
    assert "Kolom dipakai (laporan.xlsx)" in text
    for part in ("tanggal ← 'Hari/Tgl/Jam'", "alamat ← 'Uraian Lokasi'", "lintang ← 'LS'"):
        assert part in text
    placed = gpd.read_file(folder / "laporan_geo.geojson")
    assert len(placed) == 3  # 31/02 is rejected, with its row
    rejected = (folder / "laporan_geo_ditolak.csv").read_text(encoding="utf-8-sig")
    assert "date_impossible" in rejected
    assert ",7," in rejected or ";7;" in rejected  # the row as Excel shows it (title = row 1)


@pytest.mark.slow
def test_the_sample_posts_count_as_staff_wrote_them(ran) -> None:
    folder, results = ran
    text = next(out for c, _, out in results.values() if c.startswith("kamtibmas-geo poskamling"))
    assert "Kolom dipakai (poskamling.csv)" in text
    posts = (folder / "data_contoh" / "poskamling.csv").read_text(encoding="utf-8-sig")
    rows = posts.splitlines()[1:]
    active = sum(line.split(";")[4] == "aktif" for line in rows)
    used = re.search(r"oleh (\d+) pos lama", text)
    assert used is not None, text
    assert 0 < int(used.group(1)) <= active < len(rows)  # "tidak aktif" posts cover nothing


def test_relative_source_is_resolved_where_the_program_started(tmp_path: Path, settings) -> None:
    # a script started with a relative KAMTIBMAS_GEO_SOURCE that changes folder still finds it
    start = tmp_path / "mulai"
    start.mkdir()
    relative = os.path.relpath(settings.source, start)
    script = (
        "import os\n"
        "from kamtibmas_geo.boundaries._sources import source_dir\n"
        "from kamtibmas_geo.config import Settings\n"
        "os.chdir('/')\n"
        "print(source_dir(None, Settings()))\n"
    )
    env = {**os.environ, "KAMTIBMAS_GEO_SOURCE": relative}
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=start, env=env, capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip
    assert Path(proc.stdout.strip()) == Path(settings.source).resolve()


def test_docs_load_no_script_from_the_network() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    scripts = re.search(r"extra_javascript:\n((?:\s+-.*\n|\s+#.*\n)+)", config)
    assert scripts is not None
    listed = re.findall(r"^\s+-\s+(\S+)", scripts.group(1), flags=re.MULTILINE)
    assert listed
    assert not [s for s in listed if "://" in s]
    assert re.search(r"^\s+font: false\b", config, flags=re.MULTILINE)  # no Google Fonts
    for path in listed:
        assert (ROOT / "docs" / path).is_file(), path
    vendored = (ROOT / "docs" / "javascripts" / "mathjax" / "tex-svg.js").read_bytes()
    assert hashlib.sha256(vendored).hexdigest() == _MATHJAX_SHA256
    assert (ROOT / "docs" / "javascripts" / "mathjax" / "LICENSE").is_file()
