from __future__ import annotations

import pandas as pd
import pytest

import kamtibmas_geo as kg
from kamtibmas_geo import BoundaryError
from kamtibmas_geo.boundaries import POLSEK_COLUMNS, add_polsek, polsek_table


def test_default_is_one_polsek_per_kecamatan(kecamatan):
    table = polsek_table(kecamatan)
    assert list(table.columns) == list(POLSEK_COLUMNS)
    assert len(table) == 36
    assert table["polsek"].is_unique
    names = dict(zip(table["kecamatan_code"], table["polsek"], strict=True))
    assert names["16.71.05"] == "Polsek Ilir Timur I"
    assert names["16.71.03"] == "Polsek Seberang Ulu II"
    assert names["16.71.11"] == "Polsek Bukit Kecil"
    assert names["16.71.15"] == "Polsek Alang-Alang Lebar"
    assert names["16.02.05"] == "Polsek Kayu Agung"
    assert set(table["kabupaten_code"]) == {"16.02", "16.71"}


def test_region_and_unit_columns_give_the_same_table(settings, desa):
    by_region = polsek_table("Palembang", settings=settings)
    from_desa = polsek_table(desa[desa["kabupaten_code"] == "16.71"])
    pd.testing.assert_frame_equal(by_region, from_desa)
    assert len(by_region) == 18


def test_dict_overrides_by_code_and_by_any_spelling(kecamatan):
    mapping = {
        "16.71.18": "Polsek Ilir Timur II",  # code
        "kec. ilir timur 1": "Polsek IT I",  # digits, prefix, case
        "SU II": "Polsek Seberang Ulu II",  # initials, Roman numeral
        "Alang Alang Lebar": "Polsek AAL",  # hyphen ignored
    }
    table = polsek_table(kecamatan, mapping).set_index("kecamatan_code")["polsek"]
    assert table["16.71.18"] == "Polsek Ilir Timur II"
    assert table["16.71.05"] == "Polsek IT I"
    assert table["16.71.03"] == "Polsek Seberang Ulu II"
    assert table["16.71.15"] == "Polsek AAL"
    assert table["16.71.06"] == "Polsek Ilir Timur II"  # untouched default
    assert table["16.02.05"] == "Polsek Kayu Agung"


def test_csv_and_xlsx_files(kecamatan, tmp_path):
    frame = pd.DataFrame(
        {"Kecamatan": ["Jejawi", "16.02.12", "16.71.07"], "Polsek": ["Polsek Jejawi Raya"] * 3}
    )
    csv = tmp_path / "polsek.csv"
    csv.write_text(frame.to_csv(index=False, sep=";"), encoding="cp1252")
    xlsx = tmp_path / "polsek.xlsx"
    frame.to_excel(xlsx, index=False)
    for path in (csv, xlsx, str(csv)):
        table = polsek_table(kecamatan, path).set_index("kecamatan_code")["polsek"]
        assert (table[["16.02.17", "16.02.12", "16.71.07"]] == "Polsek Jejawi Raya").all()
        assert table["16.02.05"] == "Polsek Kayu Agung"


def test_codes_of_another_kabupaten_are_skipped(settings):
    table = polsek_table(
        "OKI", {"16.71.05": "Polsek IT I", "16.02.05": "Polsek Kota Kayuagung"}, settings=settings
    )
    assert set(table["kabupaten_code"]) == {"16.02"}
    assert "Polsek Kota Kayuagung" in set(table["polsek"])


def test_unknown_name_names_the_row_and_value(kecamatan, tmp_path):
    csv = tmp_path / "polsek.csv"
    csv.write_text("kecamatan,polsek\nJejawi,Polsek Jejawi\nKayuagungg,Polsek Kota\n")
    with pytest.raises(BoundaryError) as err:
        polsek_table(kecamatan, csv)
    assert "'polsek.csv', baris 3: kecamatan 'Kayuagungg' tidak dikenal" in str(err.value)
    assert "Kayu Agung (16.02.05)" in str(err.value)
    assert "row 3: unknown kecamatan 'Kayuagungg'" in err.value.text("en")
    with pytest.raises(BoundaryError, match=r"kunci 'Gotham': kecamatan 'Gotham'"):
        polsek_table(kecamatan, {"Gotham": "Polsek Gotham"})


@pytest.mark.parametrize(
    ("mapping", "match"),
    [
        ({"Jejawi": ""}, "nama Polsek untuk kecamatan 'Jejawi' kosong"),
        (
            pd.DataFrame({"kecamatan": ["Jejawi", "16.02.17"], "polsek": ["A", "B"]}),
            r"baris 1: kecamatan '16.02.17' \(16.02.17\) sudah dipetakan ke 'A'",
        ),
        (pd.DataFrame({"kec_name": ["Jejawi"], "polsek": ["A"]}), "memerlukan kolom 'kecamatan'"),
    ],
)
def test_bad_mappings_are_refused(kecamatan, mapping, match):
    with pytest.raises(BoundaryError, match=match):
        polsek_table(kecamatan, mapping)


def test_unreadable_file_is_refused(kecamatan, tmp_path):
    with pytest.raises(BoundaryError, match="tidak dapat dibaca"):
        polsek_table(kecamatan, tmp_path / "tidak_ada.csv")


def test_add_polsek_keeps_rows_and_index(desa, kecamatan):
    table = polsek_table(kecamatan, {"Jejawi": "Polsek Jejawi Raya"})
    some = desa.iloc[[5, 3, 400]].copy()
    some.loc[some.index[1], "kecamatan_code"] = None
    out = add_polsek(some, table)
    assert list(out.index) == list(some.index)
    assert out["polsek"].isna().tolist() == [False, True, False]
    assert "polsek" not in some.columns
    assert kg.polsek_table is polsek_table


def test_cli_checks_a_mapping_file_and_writes_the_table(settings, tmp_path, capsys):
    from kamtibmas_geo.cli import main

    base = ["--source", str(settings.source), "--cache-dir", str(settings.cache_dir)]
    good = tmp_path / "polsek.csv"
    good.write_text("kecamatan;polsek\nIT I;Polsek IT I\n16.71.18;Polsek IT I\n")
    out = tmp_path / "polsek_palembang.xlsx"
    with pytest.raises(SystemExit) as exc:
        main(
            [
                *base,
                "boundaries",
                "polsek",
                "--region",
                "Palembang",
                "--polsek",
                str(good),
                "--out",
                str(out),
            ]
        )
    assert exc.value.code == 0
    assert "18 kecamatan, 17 Polsek." in capsys.readouterr().out
    written = pd.read_excel(out, dtype=str)
    assert list(written.columns) == list(POLSEK_COLUMNS)
    assert (
        written.set_index("kecamatan_code").loc[["16.71.05", "16.71.18"], "polsek"] == "Polsek IT I"
    ).all()
    bad = tmp_path / "salah.csv"
    bad.write_text("kecamatan,polsek\nIlir Timur Empat,Polsek IT IV\n")
    with pytest.raises(SystemExit) as exc:
        main([*base, "boundaries", "polsek", "--region", "16.71", "--polsek", str(bad)])
    assert exc.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "'salah.csv', baris 2: kecamatan 'Ilir Timur Empat' tidak dikenal" in err
