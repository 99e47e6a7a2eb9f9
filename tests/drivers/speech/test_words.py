"""Spoken text per language: numbers read as numbers, letters as each language names them."""

from __future__ import annotations

import subprocess

import pytest

from drivers.speech.words import (
    SPOKEN_LANGS,
    code_words,
    label_words,
    letter_name,
    number_words,
    spoken_text,
)
from tests.drivers.speech.conftest import require_tool

NUMBERS = {
    "en": {
        1: "one",
        7: "seven",
        10: "ten",
        42: "forty-two",
        100: "one hundred",
        101: "one hundred and one",
        999: "nine hundred and ninety-nine",
    },
    "tr": {
        1: "bir",
        7: "yedi",
        10: "on",
        42: "kırk iki",
        100: "yüz",
        101: "yüz bir",
        999: "dokuz yüz doksan dokuz",
    },
    "el": {
        1: "ένα",
        7: "επτά",
        10: "δέκα",
        42: "σαράντα δύο",
        100: "εκατό",
        101: "εκατόν ένα",
        999: "εννιακόσια ενενήντα εννέα",
    },
    "pl": {
        1: "jeden",
        7: "siedem",
        10: "dziesięć",
        42: "czterdzieści dwa",
        100: "sto",
        101: "sto jeden",
        999: "dziewięćset dziewięćdziesiąt dziewięć",
    },
}


@pytest.mark.parametrize("lang", SPOKEN_LANGS)
def test_numbers_are_read_as_numbers(lang: str) -> None:
    for value, words in NUMBERS[lang].items():
        assert number_words(value, lang=lang) == words
        assert number_words(f"{value:03d}", lang=lang) == words  # leading zeros dropped


@pytest.mark.parametrize(
    ("value", "en", "tr", "el", "pl"),
    [
        (0, "zero", "sıfır", "μηδέν", "zero"),
        (12, "twelve", "on iki", "δώδεκα", "dwanaście"),
        (15, "fifteen", "on beş", "δεκαπέντε", "piętnaście"),
        (200, "two hundred", "iki yüz", "διακόσια", "dwieście"),
        (1000, "one thousand", "bin", "χίλια", "tysiąc"),
        (3004, "three thousand and four", "üç bin dört", "τρεις χιλιάδες τέσσερα",
         "trzy tysiące cztery"),
        (5110, "five thousand one hundred and ten", "beş bin yüz on",
         "πέντε χιλιάδες εκατόν δέκα", "pięć tysięcy sto dziesięć"),
    ],
)  # fmt: skip
def test_more_numbers(value: int, en: str, tr: str, el: str, pl: str) -> None:
    assert [number_words(value, lang=lang) for lang in ("en", "tr", "el", "pl")] == [
        en,
        tr,
        el,
        pl,
    ]


def test_very_long_numbers_fall_back_to_digits() -> None:
    assert number_words("12345", lang="en") == "one two three four five"


@pytest.mark.parametrize(
    ("lang", "a", "b", "c"),
    [
        ("tr", "A", "Be", "Ce"),
        ("pl", "A", "Be", "Ce"),
        ("el", "Άλφα", "Βήτα", "Σι"),
        ("en", "A", "B", "C"),
    ],
)
def test_letter_names(lang: str, a: str, b: str, c: str) -> None:
    assert [letter_name(x, lang=lang) for x in "ABC"] == [a, b, c]


def test_greek_names_for_latin_letters() -> None:
    twins = {"D": "Δέλτα", "G": "Γάμμα", "H": "Ήτα", "P": "Πι", "R": "Ρο", "X": "Χι"}
    no_twin = {"J": "Τζέι", "Q": "Κιου", "U": "Γιου", "V": "Βι", "W": "Ντάμπλιου"}
    for letter, name in (twins | no_twin).items():
        assert letter_name(letter, lang="el") == name
    assert letter_name("Ω", lang="el") == "Ωμέγα"  # a Greek prefix is named too


def test_polish_and_turkish_letters_espeak_would_misread() -> None:
    assert [letter_name(x, lang="pl") for x in "WZHY"] == ["Wu", "Zet", "Ha", "Igrek"]
    assert [letter_name(x, lang="tr") for x in "WXQ"] == ["Çift ve", "İks", "Kû"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "A-forty-two, counter three"),
        ("tr", "A kırk iki, üç numaralı gişe"),
        ("el", "Άλφα σαράντα δύο, θυρίδα τρία"),
        ("pl", "A czterdzieści dwa, stanowisko trzy"),
    ],
)
def test_a_call_per_language(lang: str, expected: str) -> None:
    assert spoken_text(code="A042", counter="3", lang=lang) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "B-one hundred and one, counter twelve"),
        ("tr", "Be yüz bir, on iki numaralı gişe"),
        ("el", "Βήτα εκατόν ένα, θυρίδα δώδεκα"),
        ("pl", "Be sto jeden, stanowisko dwanaście"),
    ],
)
def test_another_call(lang: str, expected: str) -> None:
    assert spoken_text(code="B101", counter="12", lang=lang) == expected


def test_non_numeric_counter_labels() -> None:
    assert spoken_text(code="C007", counter="VIP", lang="en") == "C-seven, counter VIP"
    assert spoken_text(code="C007", counter="VIP", lang="tr") == "Ce yedi, VIP gişesi"
    assert spoken_text(code="C007", counter="VIP", lang="el") == "Σι επτά, θυρίδα VIP"
    assert spoken_text(code="C007", counter="VIP", lang="pl") == "Ce siedem, stanowisko VIP"
    # a single letter is named; mixed labels are read part by part
    assert label_words("B", lang="el") == "Βήτα"
    assert label_words("12-B", lang="pl") == "dwanaście Be"
    assert spoken_text(code="A001", counter="03", lang="tr") == "A bir, üç numaralı gişe"


def test_multi_letter_codes_spell_every_letter() -> None:
    assert code_words("AB010", lang="el") == "Άλφα Βήτα δέκα"
    assert code_words("AB010", lang="en") == "AB-ten"
    assert code_words("A000", lang="pl") == "A zero"


def test_unknown_language_has_no_voice() -> None:
    assert spoken_text(code="A042", counter="3", lang="de") is None
    assert spoken_text(code="A042", counter="3", lang="") is None


def test_espeak_says_the_english_letter_not_the_article() -> None:
    """A bare "A 42" is read as the article [a#]; our text makes espeak-ng say [eI]."""
    require_tool("espeak-ng")

    def phonemes(text: str) -> str:
        args = ["espeak-ng", "-q", "-x", "-v", "en-gb"]
        return subprocess.run(args + [text], capture_output=True, text=True, check=True).stdout

    assert phonemes("A forty-two").startswith("a#")  # the trap
    assert phonemes(spoken_text(code="A042", counter="3", lang="en") or "").startswith("'eI")
    # and Polish "W" would be the consonant [f]; its name "Wu" is [vu]
    polish = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", "pl", letter_name("W", lang="pl")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert polish.strip() == "v'u"
