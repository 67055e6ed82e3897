"""Records naming a desa/kelurahan that has no polygon upstream are placed at its kecamatan.

The villages are the real ones the pinned boundary source lacks
(:func:`kamtibmas_geo.boundaries.missing_villages`): Kota Prabumulih (8) and Musi Banyuasin
(2) are loaded here.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from kamtibmas_geo.boundaries import missing_villages
from kamtibmas_geo.config import Settings
from kamtibmas_geo.geocode import geocode
from kamtibmas_geo.geocode._gazetteer import Gazetteer, build_gazetteer
from kamtibmas_geo.geocode._matcher import NO_POLYGON, Matcher
from kamtibmas_geo.geocode._review import review_table

REGION = ["16.74", "16.06"]  # Kota Prabumulih, Kabupaten Musi Banyuasin


@pytest.fixture(scope="module")
def gaz(settings: Settings) -> Gazetteer:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MissingVillageWarning: what this file is about
        return build_gazetteer(settings=settings, region=REGION)


@pytest.fixture(scope="module")
def missing(settings: Settings) -> pd.DataFrame:
    return missing_villages(REGION, settings=settings)


def test_the_regions_lack_real_villages(missing: pd.DataFrame) -> None:
    assert len(missing) == 10
    assert set(missing["kabupaten_code"]) == {"16.74", "16.06"}


def test_every_missing_village_is_placed_at_its_kecamatan(
    gaz: Gazetteer, missing: pd.DataFrame
) -> None:
    matcher = Matcher(gaz)
    for r in missing.itertuples():
        word = "Kelurahan" if r.kind == "kelurahan" else "Desa"
        text = f"{word} {r.name}, Kecamatan {r.kecamatan_name}"
        got = matcher.match(text)
        assert got.place is not None, text
        assert got.place.level == "kecamatan", text
        assert got.place.code == r.kecamatan_code, text
        assert got.flag == NO_POLYGON, text
        assert got.score <= 90.0, text


def test_a_missing_village_without_its_kecamatan(gaz: Gazetteer) -> None:
    # Gunung Ibul Timur (16.74.02.1012) has no polygon; the name alone says the kecamatan
    got = Matcher(gaz).match("warga Kelurahan Gunung Ibul Timur Prabumulih")
    assert got.place is not None
    assert got.place.code == "16.74.02"
    assert got.flag == NO_POLYGON
    assert got.words == "gunung ibul timur"


def test_a_village_with_polygon_beside_it_is_still_placed_on_itself(gaz: Gazetteer) -> None:
    got = Matcher(gaz).match("Kelurahan Gunung Ibul, Kecamatan Prabumulih Timur")
    assert got.place is not None
    assert got.place.code == "16.74.02.1007"
    assert got.flag == ""


def test_short_kabupaten_name_names_the_loaded_kabupaten(gaz: Gazetteer) -> None:
    # "Muba" is outside when Musi Banyuasin is not loaded; here it names it
    got = Matcher(gaz).match("Desa Toman Baru Kec. Babat Toman Muba")
    assert got.place is not None
    assert got.place.code == "16.06.06"
    assert got.flag == NO_POLYGON


def test_geocode_and_review_say_why(gaz: Gazetteer) -> None:
    table = pd.DataFrame(
        {
            "address": [
                "Kel. Arimbi Jaya Kec. Prabumulih Timur",
                "Kel. Gunung Ibul Kec. Prabumulih Timur",
            ],
            "row": [2, 3],
        }
    )
    result = geocode(table, gazetteer=gaz)
    rec = result.records.set_index("row")
    assert rec.loc[2, "region_level"] == "kecamatan"
    assert rec.loc[2, "region_code"] == "16.74.02"
    assert rec.loc[2, "geocode_flag"] == NO_POLYGON
    assert rec.loc[2, "geocode_words"] == "arimbi jaya"
    assert rec.loc[3, "region_level"] == "desa"
    texts = pd.Series(table["address"].tolist(), index=table["row"].tolist())
    sheet = review_table(result, texts, gaz).set_index("baris")
    assert sheet.loc[2, "tanda"] == NO_POLYGON
    assert "tidak punya poligon" in sheet.loc[2, "keterangan"]
    assert "Prabumulih Timur" in sheet.loc[2, "keterangan"]
    english = review_table(result, texts, gaz, lang="en").set_index("baris")
    assert "has no polygon" in english.loc[2, "keterangan"]
    assert 3 not in sheet.index


def test_an_analyst_choosing_a_missing_village_places_the_row_at_its_kecamatan(
    gaz: Gazetteer,
) -> None:
    table = pd.DataFrame({"address": ["Kel. Arimbi, Prabumulih"], "row": [2]})
    result = geocode(table, gazetteer=gaz, corrections={2: "16.74.02.1015"})  # Arimbi Jaya
    rec = result.records.set_index("row")
    assert rec.loc[2, "region_level"] == "kecamatan"
    assert rec.loc[2, "region_code"] == "16.74.02"
    assert rec.loc[2, "geocode_flag"] == "corrected"
