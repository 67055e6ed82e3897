"""The geocoder on press and police writing: places outside, level clashes, history, forms.

Every example is hand-written for its rule (none is a row of ``tests/data/real_places.csv``);
the outside places come from the official list (``wilayah.sql``) read at run time.
"""

from __future__ import annotations

import pytest

from kamtibmas_geo.config import Settings
from kamtibmas_geo.geocode._gazetteer import Gazetteer, build_gazetteer
from kamtibmas_geo.geocode._history import KECAMATAN_HISTORY, covers
from kamtibmas_geo.geocode._matcher import Matcher
from kamtibmas_geo.records._aliases import tokens


@pytest.fixture(scope="module")
def gaz(settings: Settings) -> Gazetteer:
    return build_gazetteer(settings=settings)


@pytest.fixture(scope="module")
def matcher(gaz: Gazetteer) -> Matcher:
    return Matcher(gaz)


def test_outside_gazetteer_covers_indonesia(gaz: Gazetteer) -> None:
    out = [p for p in gaz.places if p.level == "outside" and not p.code.startswith("OUT:")]
    kinds = {p.kind for p in out}
    assert kinds == {"provinsi", "kabupaten", "kecamatan", "desa", "kelurahan"}
    assert len(out) > 80_000
    # nothing of the loaded regions, nor their province, is outside
    assert not [p for p in out if p.code[:5] in {"16.02", "16.71"} or p.code == "16"]
    assert any(p.code == "16.10.13" and p.kind == "kecamatan" for p in out)  # Kandis, OI


@pytest.mark.parametrize(
    "text",
    [
        "Kec. Kandis Kab. Ogan Ilir",  # outside kecamatan; Kandis inside is only a desa
        "Kecamatan Tanjung Batu",  # an inside desa name asserted as a kecamatan
        "Dusun 2 Desa Tanjung Batu Timur",  # longer outside name, not the inside prefix
        "Desa Tirta Laga, Kecamatan Mesuji",  # outside desa in the outside Mesuji (Lampung)
        "Nipah Kuning Kec Mesuji",  # the same chain without markers
        "Kabupaten Mesuji",  # an outside kabupaten named like an inside kecamatan
        "Kota Prabumulih",
        "Kel. Tanjung Batu",  # "Kel.": only the outside namesake is a kelurahan
    ],
)
def test_outside_places_are_never_placed_inside(matcher: Matcher, text: str) -> None:
    got = matcher.match(text)
    assert got.place is None, (text, got)
    assert got.reason_code in {"outside", "ambiguous"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Desa Kandis, Kecamatan Pampangan", "16.02.12.2004"),
        ("Desa Tanjung Batu Kec. Tulung Selapan", "16.02.11.2004"),
        ("Kel. Tanjung Batu, Kec. Tulung Selapan", "16.02.11.2004"),  # context wins
        ("Sukamaju, Kec. Lempuing Jaya", "16.02.22.2008"),
        ("Kantor Camat Pampangan", "16.02.12"),  # "Camat" asserts the kecamatan
    ],
)
def test_inside_namesakes_still_placed(matcher: Matcher, text: str, code: str) -> None:
    got = matcher.match(text)
    assert got.place is not None, (text, got)
    assert got.place.code == code


def test_kecamatan_before_a_split(matcher: Matcher) -> None:
    # Lempuing Jaya was split from Lempuing, Cengal from Tulung Selapan
    for text, code in [
        ("Desa Sukamaju Kecamatan Lempuing", "16.02.22.2008"),
        ("Desa Sungai Somor Kecamatan Tulung Selapan", "16.02.18.2001"),
    ]:
        got = matcher.match(text)
        assert got.place is not None
        assert got.place.code == code
        assert got.flag == ""
        assert got.score == 100.0


def test_history_has_sources_and_covers_transitively() -> None:
    assert all(ch.source and ch.kind in {"split", "rename"} for ch in KECAMATAN_HISTORY)
    cov = covers({"16.02.04", "16.02.15", "16.02.20", "16.02.21"})
    assert cov["16.02.04"] == {"16.02.04", "16.02.15", "16.02.20", "16.02.21"}
    assert cov["16.02.20"] == {"16.02.20"}


def test_exact_desa_in_another_kecamatan_is_flagged(matcher: Matcher) -> None:
    got = matcher.match("Desa Kandis, Kecamatan Pedamaran")
    assert got.place is not None
    assert got.place.code == "16.02.12.2004"
    assert got.flag == "kecamatan_mismatch"
    assert got.score < 80
    # without "Desa" the kecamatan written wins (a wrong or typo'd desa name)
    plain = matcher.match("Kandis, Kecamatan Pedamaran")
    assert plain.place is not None
    assert plain.place.code == "16.02.03"


def test_placement_says_why(matcher: Matcher) -> None:
    got = matcher.match("Desa Kandis, Kecamatan Pampangan")
    assert got.words == "kandis"
    assert "16.10.13" in got.alternatives  # the outside kecamatan of that name


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kec. Seberang Ulu (SU) I", "Kec. Seberang Ulu I"),
        ("Kecamatan Sirah Pulau (SP) Padang", "Kecamatan Sirah Pulau Padang"),
        ("Kel. Dua Puluh Enam (26) Ilir", "Kel. 26 Ilir"),
        ("RT.03/RW.01 5 Ulu", "5 Ulu"),
        ("RT 03/01 Kel. 9-10 Ulu", "Kel. 9-10 Ulu"),
        ("Jl. Merdeka No. 22 Ilir", "Jl. Merdeka 22 Ilir"),
        ("Kel. 20 Ilir D3", "Kel. 20 Ilir D III"),
    ],
)
def test_press_forms_normalise_alike(a: str, b: str) -> None:
    assert tokens(a) == tokens(b)


def test_a_bracket_that_names_a_place_still_separates() -> None:
    assert "|" in tokens("Desa Sukadana (Pampangan)")
    assert tokens("Jl. Merdeka No. 12") == ("merdeka",)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Kelurahan 20 Ilir, Kecamatan Kemuning", "16.71.09.1001"),  # family + kecamatan
        ("Kel. 9 Ulu Kec. Jakabaring", "16.71.17.1002"),  # part of 9-10 Ulu
        ("RT.04/RW.02 3-4 Ulu, Kec. SU I", "16.71.02.1004"),
    ],
)
def test_numbered_kelurahan_forms(matcher: Matcher, text: str, code: str) -> None:
    got = matcher.match(text)
    assert got.place is not None, (text, got)
    assert got.place.code == code, (text, got)


def test_numbered_family_without_kecamatan_is_ambiguous(matcher: Matcher) -> None:
    assert matcher.match("Kelurahan 20 Ilir").status == "ambiguous"


def test_typo_never_across_a_whole_word_or_to_an_outside_name(matcher: Matcher) -> None:
    # "Tanjung Batu Itam" is a desa outside: never read as a typo of an inside name
    assert matcher.match("Tanjung Batu Itam").place is None
    # a one-letter typo of an inside name is still read
    got = matcher.match("Desa Ulak Kemamg, Kec. Pampangan")
    assert got.place is not None
    assert got.place.code == "16.02.12.2001"


def test_gazetteer_follows_the_loaded_regions(settings: Settings) -> None:
    # with Ogan Ilir loaded, its kecamatan Kandis is inside and OKI is outside
    m = Matcher(build_gazetteer(settings=settings, region="16.10"))
    got = m.match("Kec. Kandis Kab. Ogan Ilir")
    assert got.place is not None
    assert got.place.code == "16.10.13"
    assert m.match("Desa Kandis, Kecamatan Pampangan").reason_code == "outside"


def test_desa_named_without_its_kecamatan_words(matcher: Matcher) -> None:
    # Tulung Selapan Ulu, in Kecamatan Tulung Selapan, written without "Tulung"
    got = matcher.match("Ds. Selapan Ulu, Kecamatan Tulung Selapan")
    assert got.place is not None
    assert got.place.code == "16.02.11.1016"
    # only within the kecamatan named
    assert matcher.match("Ds. Selapan Ulu").place is None


def test_a_village_without_polygon_outside_the_loaded_regions_is_refused(
    matcher: Matcher,
) -> None:
    # Gunung Ibul Timur (Prabumulih) has no polygon upstream; with OKI and Palembang
    # loaded it is outside like any place of Prabumulih (tests/test_geocode_missing.py)
    got = matcher.match("Kelurahan Gunung Ibul Timur, Kecamatan Prabumulih Timur")
    assert got.place is None
    assert got.reason_code == "outside"


@pytest.mark.parametrize(
    ("text", "code", "flag"),
    [
        # "Bukit" is a kecamatan in Aceh; "Bukit Kecl" is Palembang's Bukit Kecil misspelt
        ("Lorong Sayangan Kel. 16 Ilir Kec. Bukit Kecl", "16.71.05.1002", "kecamatan_mismatch"),
        ("Kel. Talang Semut Kec. Bukit Kcil", "16.71.11.1006", ""),
        ("Kec. Bukit Kecl", "16.71.11", ""),
        ("Kel. Bukit Lama Kec. Ilir Brt I", "16.71.04.1001", ""),
        ("Kel. Lorok Pakjo Kec. Ilir Brt I", "16.71.04.1002", ""),
        ("Desa Celikah Kec. Kayu Agung", "16.02.05.2015", ""),
        ("Kel. Kedaton Kec. Kayu Agung", "16.02.05.1007", ""),
        ("Kel. Talang Putri Kec Plajuu", "16.71.14.1006", ""),
        # one generic word ("Bukit" begins hundreds of names) beside a named kelurahan
        ("Kel. 16 Ilir Kec. Bukit", "16.71.05.1002", ""),
    ],
)
def test_a_misspelt_kecamatan_is_no_place_outside(
    matcher: Matcher, text: str, code: str, flag: str
) -> None:
    m = matcher.match(text)
    assert m.status == "matched", m
    assert m.place is not None
    assert m.place.code == code
    assert m.flag == flag


@pytest.mark.parametrize(
    "text",
    [
        "Kec. Bukit",  # a real kecamatan outside, written whole, nothing inside named
        "Desa Pulo Kec. Bukit, Bener Meriah",
        "Kel. Talang Semut Kec. Talang Klapa",  # Talang Kelapa, Banyuasin, misspelt
        "Desa Pulo Kec. Tanjung Raja Selatn",
    ],
)
def test_a_real_outside_kecamatan_still_refuses(matcher: Matcher, text: str) -> None:
    m = matcher.match(text)
    assert m.place is None, m
    assert m.reason_code == "outside"


def test_history_ties_lose_to_a_chain_that_holds_today_outside(matcher: Matcher) -> None:
    # Sido Mulyo lies today in Kecamatan Mesuji of Kabupaten Mesuji (Lampung); the OKI
    # Sidomulyo lay in Kecamatan Mesuji only before Sungai Menang was split off (2001)
    got = matcher.match("Dusun 2 Sido Mulyo Kec Mesuji")
    assert got.place is None, got
    assert got.reason_code == "outside"
    # a desa of the split-off kecamatan with no such namesake is still read through history
    old = matcher.match("Desa Talang Makmur, Kecamatan Mesuji")
    assert old.place is not None
    assert old.place.code == "16.02.15.2007"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Desa Sritanjung Kecamatan Tanjung Lubuk", "16.02.02.2004"),  # Seritanjung
        ("Kelurahan Serijaya, Kec. Alang-Alang Lebar", "16.71.15.1002"),  # Srijaya
        ("Desa Srimenang, Kec. Pampangan", "16.02.12.2013"),  # Serimenang
    ],
)
def test_seri_and_sri_are_one_prefix(matcher: Matcher, text: str, code: str) -> None:
    got = matcher.match(text)
    assert got.place is not None, (text, got)
    assert got.place.code == code


def test_history_table_covers_sumsel_with_sources(gaz: Gazetteer) -> None:
    known = {p.code for p in gaz.places}  # inside units and every kecamatan outside
    for ch in KECAMATAN_HISTORY:
        assert ch.kind in {"split", "rename"}
        assert ch.source
        assert ch.old_name
        assert ch.old_code.count(".") == ch.new_code.count(".") == 2
        assert ch.old_code[:5] == ch.new_code[:5]  # within one kabupaten/kota
        assert (ch.kind == "rename") == (ch.old_code == ch.new_code)
        assert {ch.old_code, ch.new_code} <= known, ch
    kabupaten = {ch.new_code[:5] for ch in KECAMATAN_HISTORY}
    # OKI, Palembang and ten more kabupaten of Sumatera Selatan with a sourced change
    assert {"16.02", "16.71", "16.01", "16.03", "16.04", "16.05", "16.06"} <= kabupaten
    assert {"16.07", "16.08", "16.10", "16.11", "16.12"} <= kabupaten


def test_history_is_read_for_another_loaded_kabupaten(settings: Settings) -> None:
    # Ogan Ilir: Rantau Alai was carved out of Tanjung Raja (2001); a desa written with
    # the old kecamatan is placed on it as consistent, not flagged as a mismatch
    oi = Matcher(build_gazetteer(region="16.10", settings=settings))
    got = oi.match("Desa Sirah Pulau Kilip, Kecamatan Tanjung Raja")
    assert got.place is not None
    assert got.place.code == "16.10.06.2006"
    assert (got.flag, got.score) == ("", 100.0)


@pytest.mark.parametrize(
    ("text", "kecamatan"),
    [
        ("Dusun 3 Desa Muara Burnai Kec. Lempuing Jaya", "16.02.22"),  # Muara Burnai I, II
        ("Jl. Merdeka Kel. 20 Ilir Kec. IT 1", "16.71.05"),  # 20 Ilir D I, D III, D IV
    ],
)
def test_namesakes_all_in_the_kecamatan_written_place_at_the_kecamatan(
    matcher: Matcher, text: str, kecamatan: str
) -> None:
    got = matcher.match(text)
    assert got.place is not None, (text, got)
    assert (got.place.level, got.place.code) == ("kecamatan", kecamatan)
    assert got.score < 100
    # without the kecamatan the same family stays ambiguous (for review)
    assert matcher.match("Kel. 20 Ilir").reason_code == "ambiguous"


def test_a_very_common_desa_name_alone_goes_to_review(matcher: Matcher) -> None:
    # Sukamaju: one desa in OKI (Lempuing Jaya), hundreds elsewhere in Indonesia
    alone = matcher.match("warga Desa Sukamaju")
    assert alone.place is None
    assert alone.reason_code == "ambiguous"
    placed = matcher.match("warga Desa Sukamaju, Kec. Lempuing Jaya")
    assert placed.place is not None
    assert placed.place.code == "16.02.22.2008"
    # a rarer name alone is still read inside
    rare = matcher.match("warga Desa Mulyaguna")
    assert rare.place is not None
