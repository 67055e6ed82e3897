"""``geocode --review`` writes the doubtful rows with candidates; ``--corrections`` applies them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kamtibmas_geo.config import Settings


def _run(args: list[str]) -> None:
    from kamtibmas_geo.cli import main

    with pytest.raises(SystemExit) as ex:
        main(args)
    assert ex.value.code in (0, None)


def test_review_then_corrections(tmp_path: Path, settings: Settings) -> None:
    src = tmp_path / "laporan.csv"
    src.write_text(
        "tanggal;jenis;lokasi\n"
        "10/02/2026;petasan;Kelurahan 20 Ilir\n"  # ambiguous: four kelurahan of the family
        "11/02/2026;curat;Desa Kandis, Kecamatan Pedamaran\n"  # flagged: kecamatan mismatch
        "12/02/2026;curanmor;Desa Kandis, Kecamatan Pampangan\n"  # sure
        '13/02/2026;curanmor;=HYPERLINK("x") Kel. 20 Ilir\n',  # a formula stays text
        encoding="utf-8",
    )
    base = ["--source", str(settings.source), "--cache-dir", str(settings.cache_dir)]
    base += ["geocode", str(src), "--text-column", "lokasi"]
    review = tmp_path / "tinjau.xlsx"
    _run([*base, "--out", str(tmp_path / "a.csv"), "--review", str(review)])
    sheet = pd.read_excel(review, dtype=str, keep_default_na=False)
    assert sorted(sheet["baris"].astype(int)) == [2, 3, 5]
    amb = sheet[sheet["baris"] == "2"].iloc[0]
    assert amb["status"] == "ambiguous"
    assert "16.71.09.1001" in amb["kandidat"]  # 20 Ilir D II among the candidates
    flagged = sheet[sheet["baris"] == "3"].iloc[0]
    assert flagged["tanda"] == "kecamatan_mismatch"
    english = tmp_path / "review.xlsx"
    _run(["--lang", "en", *base, "--out", str(tmp_path / "e.csv"), "--review", str(english)])
    sheet_en = pd.read_excel(english, dtype=str, keep_default_na=False)
    note_en = sheet_en.loc[sheet_en["baris"] == "3", "keterangan"].iloc[0]
    assert "another kecamatan" in note_en
    assert "kecamatan lain" in flagged["keterangan"]
    # a text that looks like a formula is stored as text (formula-safe writer)
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(review).active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)

    sheet.loc[sheet["baris"] == "2", "pilihan"] = "16.71.09.1001"
    sheet.loc[sheet["baris"] == "3", "pilihan"] = "16.02.03"
    sheet.loc[sheet["baris"] == "5", "pilihan"] = "99.99"  # not a code here: rejected
    sheet.to_excel(review, index=False)
    out = tmp_path / "b.csv"
    _run([*base, "--out", str(out), "--corrections", str(review)])
    placed = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("row")
    assert placed.loc["2", "region_code"] == "16.71.09.1001"
    assert placed.loc["2", "geocode_flag"] == "corrected"
    assert placed.loc["3", "region_code"] == "16.02.03"
    assert placed.loc["3", "geocode_alternatives"] == "16.02.12.2004"  # what the text said
    assert placed.loc["4", "geocode_flag"] == ""
    rejected = pd.read_csv(out.with_name("b_ditolak.csv"), dtype=str)
    assert rejected["reason_code"].tolist() == ["bad_correction"]
