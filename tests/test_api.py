from __future__ import annotations

import subprocess
import sys

import pytest

import kamtibmas_geo
from kamtibmas_geo.cli import main


def test_public_names_exist():
    for name in kamtibmas_geo.__all__:
        assert hasattr(kamtibmas_geo, name), name
    assert kamtibmas_geo.__version__


def test_import_is_light():
    code = (
        "import sys, kamtibmas_geo; "
        "heavy = [m for m in ('folium', 'highspy', 'playwright', 'spopt', 'esda', 'branca') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


def test_errors_are_catchable_as_builtins():
    assert issubclass(kamtibmas_geo.RegionError, ValueError)
    assert issubclass(kamtibmas_geo.ChecksumError, kamtibmas_geo.KamtibmasGeoError)


@pytest.mark.parametrize(("lang", "word"), [("id", "Analisis titik rawan"), ("en", "hotspot")])
def test_cli_help_in_both_languages(lang, word, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--lang", lang, "--help"])
    assert exc.value.code == 0
    assert word in capsys.readouterr().out


def test_python_m_entry_point():
    out = subprocess.run(
        [sys.executable, "-m", "kamtibmas_geo", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert "boundaries" in out.stdout


def test_cli_user_mistake_is_one_line_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--source", str(tmp_path), "--cache-dir", str(tmp_path / "c"), "boundaries", "build"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Galat" in err
    assert "Traceback" not in err


def test_cli_boundaries_info(settings, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--source", settings.source, "--cache-dir", settings.cache_dir, "boundaries", "info"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "Palembang" in out
    assert "352.5" in out
    assert "84323a3a9a45bcea42294c606c2b3fff8289941d39ba14bf5aaae1cdbd45abac" in out
