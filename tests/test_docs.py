"""The documentation site builds with ``mkdocs build --strict`` and covers every module."""

from __future__ import annotations

import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kamtibmas_geo

ROOT = Path(__file__).resolve().parents[1]


def _nav_pages() -> list[str]:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text[text.index("\nnav:") :]
    return re.findall(r":\s*([\w/.-]+\.md)\s*$", nav, flags=re.MULTILINE)


def test_every_nav_page_exists() -> None:
    pages = _nav_pages()
    assert "index.md" in pages
    assert "api.md" in pages
    missing = [p for p in pages if not (ROOT / "docs" / p).is_file()]
    assert not missing


def test_api_reference_lists_every_public_module() -> None:
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^::: kamtibmas_geo\.(\w+)(?:\.\w+)?\s*$", api, flags=re.MULTILINE))
    modules = {
        m.name
        for m in pkgutil.iter_modules(kamtibmas_geo.__path__)
        if not m.name.startswith("_") and m.name != "cli"
    }
    assert modules <= listed, sorted(modules - listed)


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    assert "WARNING" not in log, log
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in (
        "kamtibmas_geo.boundaries._pack.load_boundaries",
        "kamtibmas_geo.sample._sample.make_sample",
    ):
        assert f'id="{name}"' in api, name
    assert (site / "guide" / "index.html").is_file()


@pytest.mark.slow
def test_readme_pipeline_snippet_runs(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    assert lines[3].startswith("python3 -m venv .venv && .venv/bin/pip install -e")
    assert "kamtibmas-geo demo --out" in lines[3]
    assert "-m pytest" in lines[4]
    block = re.search(r"## Alur kerja.*?```python\n(.*?)```", readme, flags=re.DOTALL)
    assert block is not None
    script = tmp_path / "tour.py"
    tail = (
        "\nassert len(geo.records) > 20_000 and len(geo.rejected) > 0\n"
        "assert cells['hex_id'].is_unique and len(plan.posts) == 20\n"
        "assert (tmp / 'peta.html').stat().st_size > 100_000\n"
        "print('ok', len(cells))\n"
    )
    script.write_text(
        "from pathlib import Path\ntmp = Path.cwd()\n" + block.group(1) + tail, encoding="utf-8"
    )
    proc = subprocess.run(
        [sys.executable, "-W", "ignore", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().startswith("ok")
