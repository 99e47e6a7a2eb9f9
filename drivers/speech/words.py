"""What a call sounds like, per language: the text handed to the speech synthesizer.

Pure functions, no I/O. The text is written for espeak-ng, so it differs from the display text
(``server.domain.announce``) on purpose:

- numbers are read as numbers ("A042" → "A forty-two", never "A zero four two"), leading
  zeros dropped; 0–9999 come from a small table per language, longer runs are read digit by
  digit;
- the letters of a ticket code are spelled as each language names them ("Be", "Ce" in
  Turkish and Polish; "Άλφα", "Βήτα" in Greek), because espeak-ng reads a lone "W" in Polish
  as the consonant [f] and a lone Latin "A" in Greek as English;
- a counter label is read the same way, except that a run of two or more letters ("VIP") is
  left as a word for the voice to read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

SPOKEN_LANGS = ("en", "tr", "el", "pl")

#: The gender a number agrees with, where the language has the agreement (Polish, Greek):
#: "f" for a feminine noun (pl "minuta", "godzina", "osoba"; el "ώρα"), "m" masculine, "n"
#: the form a bare number is read in (neuter in Greek, "θυρίδα τρία"; the counting form in
#: Polish, "jeden", "dwa", which is also the masculine one). English and Turkish ignore it.
Gender = Literal["m", "f", "n"]
_GENDERS = ("m", "f", "n")

_RUNS = re.compile(r"\d+|[^\W\d_]+|[^\w\s]+|_+|\s+")

# ---------------------------------------------------------------- numbers


def _en(n: int, gender: Gender = "n") -> str:
    ones = "zero one two three four five six seven eight nine ten eleven twelve thirteen".split()
    ones += "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    tens = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
    if n < 20:
        return ones[n]
    if n < 100:
        return tens[n // 10] + ("-" + ones[n % 10] if n % 10 else "")
    if n < 1000:
        head = f"{ones[n // 100]} hundred"
        return head + (f" and {_en(n % 100)}" if n % 100 else "")
    head = f"{ones[n // 1000]} thousand"
    rest = n % 1000
    if not rest:
        return head
    return head + (f" and {_en(rest)}" if rest < 100 else f" {_en(rest)}")


def _tr(n: int, gender: Gender = "n") -> str:
    ones = "sıfır bir iki üç dört beş altı yedi sekiz dokuz".split()
    tens = "_ on yirmi otuz kırk elli altmış yetmiş seksen doksan".split()
    if n < 10:
        return ones[n]
    parts: list[str] = []
    thousands, hundreds, rest = n // 1000, n // 100 % 10, n % 100
    if thousands:  # "bin", not "bir bin"; likewise "yüz"
        parts += ([ones[thousands]] if thousands > 1 else []) + ["bin"]
    if hundreds:
        parts += ([ones[hundreds]] if hundreds > 1 else []) + ["yüz"]
    if rest >= 10:
        parts.append(tens[rest // 10])
    if rest % 10:
        parts.append(ones[rest % 10])
    return " ".join(parts)


def _pl(n: int, gender: Gender = "n") -> str:
    # Feminine: "jedna" only for 1 itself (21 is "dwadzieścia jeden minut"); "dwie" wherever
    # the number ends in 2 but not 12 ("dwie minuty", "dwadzieścia dwie", "sto dwie").
    # Thousands keep "dwa" ("dwa tysiące": "tysiąc" is masculine).
    if gender == "f":
        if n == 1:
            return "jedna"
        if n % 10 == 2 and n % 100 != 12:  # the last word is "dwa"
            return _pl(n).removesuffix("dwa") + "dwie"
    ones = "zero jeden dwa trzy cztery pięć sześć siedem osiem dziewięć dziesięć jedenaście".split()
    ones += "dwanaście trzynaście czternaście piętnaście szesnaście siedemnaście".split()
    ones += "osiemnaście dziewiętnaście".split()
    tens = "_ _ dwadzieścia trzydzieści czterdzieści pięćdziesiąt sześćdziesiąt".split()
    tens += "siedemdziesiąt osiemdziesiąt dziewięćdziesiąt".split()
    hundreds = "_ sto dwieście trzysta czterysta pięćset sześćset siedemset osiemset".split()
    hundreds += ["dziewięćset"]
    if n < 20:
        return ones[n]
    parts: list[str] = []
    thousands, rest = divmod(n, 1000)
    if thousands == 1:
        parts.append("tysiąc")
    elif thousands:
        parts += [ones[thousands], "tysiące" if thousands <= 4 else "tysięcy"]
    if rest // 100:
        parts.append(hundreds[rest // 100])
    rest %= 100
    if rest >= 20:
        parts.append(tens[rest // 10])
        rest %= 10
    if rest:
        parts.append(ones[rest])
    return " ".join(parts)


def _el(n: int, gender: Gender = "n") -> str:
    # Neuter forms, as a number is read when it names something ("θυρίδα τρία"); "f" and "m"
    # change 1, 3, 4 (also in 13, 14, 21, 23 ...), the hundreds from 200 and 1000:
    # "μία ώρα", "τρεις ώρες", "δεκατέσσερις", "διακόσιες", "χίλιες" (masculine "ένας",
    # "διακόσιοι", "χίλιοι").
    if gender != "n":
        return " ".join(_el_gendered(word, gender) for word in _el(n).split())
    ones = "μηδέν ένα δύο τρία τέσσερα πέντε έξι επτά οκτώ εννέα δέκα έντεκα δώδεκα".split()
    ones += "δεκατρία δεκατέσσερα δεκαπέντε δεκαέξι δεκαεπτά δεκαοκτώ δεκαεννέα".split()
    tens = "_ _ είκοσι τριάντα σαράντα πενήντα εξήντα εβδομήντα ογδόντα ενενήντα".split()
    hundreds = "_ εκατό διακόσια τριακόσια τετρακόσια πεντακόσια εξακόσια επτακόσια".split()
    hundreds += "οκτακόσια εννιακόσια".split()
    # "χιλιάδες" is feminine: τρεις, τέσσερις.
    thousands_word = {2: "δύο", 3: "τρεις", 4: "τέσσερις"}
    if n < 20:
        return ones[n]
    parts: list[str] = []
    thousands, rest = divmod(n, 1000)
    if thousands == 1:
        parts.append("χίλια")
    elif thousands:
        parts += [thousands_word.get(thousands, ones[thousands]), "χιλιάδες"]
    if rest // 100:
        # 100 alone is "εκατό"; followed by more it becomes "εκατόν" (εκατόν ένα).
        parts.append("εκατόν" if rest // 100 == 1 and rest % 100 else hundreds[rest // 100])
    rest %= 100
    if rest >= 20:
        parts.append(tens[rest // 10])
        rest %= 10
    if rest:
        parts.append(ones[rest])
    return " ".join(parts)


_EL_FEMININE = {
    "ένα": "μία",
    "τρία": "τρεις",
    "τέσσερα": "τέσσερις",
    "δεκατρία": "δεκατρείς",
    "δεκατέσσερα": "δεκατέσσερις",
    "χίλια": "χίλιες",
}
_EL_MASCULINE = _EL_FEMININE | {"ένα": "ένας", "χίλια": "χίλιοι"}


def _el_gendered(word: str, gender: Gender) -> str:
    """One word of a neuter Greek number in ``gender`` ("χιλιάδες" and "εκατό(ν)" never
    change, nor does "δύο"; the thousands' "τρεις"/"τέσσερις" are feminine already)."""
    table = _EL_FEMININE if gender == "f" else _EL_MASCULINE
    if word in table:
        return table[word]
    if word.endswith("κόσια"):  # διακόσια → διακόσιες (f), διακόσιοι (m)
        return word[:-1] + ("ες" if gender == "f" else "οι")
    return word


_NUMBERS: dict[str, Callable[[int, Gender], str]] = {"en": _en, "tr": _tr, "pl": _pl, "el": _el}


def number_words(digits: str | int, *, lang: str, gender: Gender = "n") -> str:
    """``"042"`` → ``"forty-two"``; 0–9999 as a number, longer runs digit by digit.

    ``gender`` is the gender of the noun the number counts, where the language agrees numbers
    with nouns (see :data:`Gender`): ``number_words(2, lang="pl", gender="f")`` → "dwie"
    (minuty), ``number_words(3, lang="el", gender="f")`` → "τρεις" (ώρες).
    """
    to_words = _NUMBERS[lang]
    if gender not in _GENDERS:
        raise ValueError(f"not a gender: {gender!r}")
    text = str(digits)
    if not text.isdigit():
        raise ValueError(f"not a number: {digits!r}")
    value = int(text)
    if value <= 9999:
        return to_words(value, gender)
    return " ".join(to_words(int(d), "n") for d in text.lstrip("0"))


# Polish after a preposition that takes the genitive ("do pięciu minut", "od dziesięciu").
_PL_GEN_ONES = (
    "zera _ dwóch trzech czterech pięciu sześciu siedmiu ośmiu dziewięciu dziesięciu"
    " jedenastu dwunastu trzynastu czternastu piętnastu szesnastu siedemnastu osiemnastu"
    " dziewiętnastu"
).split()
_PL_GEN_TENS = (
    "_ _ dwudziestu trzydziestu czterdziestu pięćdziesięciu sześćdziesięciu siedemdziesięciu"
    " osiemdziesięciu dziewięćdziesięciu"
).split()
_PL_GEN_HUNDREDS = (
    "_ stu dwustu trzystu czterystu pięciuset sześciuset siedmiuset ośmiuset dziewięciuset"
).split()


def polish_genitive(n: int, *, gender: Gender = "n") -> str:
    """A Polish number 0–999 in the genitive: 5 → "pięciu", 25 → "dwudziestu pięciu",
    1 → "jednej" (``gender="f"``) or "jednego"; a final 1 in a longer number stays "jeden"
    ("dwudziestu jeden minut")."""
    if gender not in _GENDERS:
        raise ValueError(f"not a gender: {gender!r}")
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 999:
        raise ValueError(f"not a number from 0 to 999: {n!r}")
    if n == 1:
        return "jednej" if gender == "f" else "jednego"
    if n < 20:
        return _PL_GEN_ONES[n]
    parts: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        parts.append(_PL_GEN_HUNDREDS[hundreds])
    if rest >= 20:
        parts.append(_PL_GEN_TENS[rest // 10])
        rest %= 10
    if rest == 1:
        parts.append("jeden")
    elif rest:
        parts.append(_PL_GEN_ONES[rest])
    return " ".join(parts)


# ---------------------------------------------------------------- letters

# English: espeak-ng names a capital letter itself, but a lone "A" is read as the article;
# the code is therefore joined to its number with a hyphen ("A-forty-two"), see _code_en.
_LETTERS_TR = dict(
    zip(
        "ABCÇDEFGĞHIİJKLMNOÖPQRSŞTUÜVWXYZ",
        "A|Be|Ce|Çe|De|E|Fe|Ge|Yumuşak ge|He|I|İ|Je|Ke|Le|Me|Ne|O|Ö|Pe|Kû|Re|Se|Şe|Te|U|Ü|Ve"
        "|Çift ve|İks|Ye|Ze".split("|"),
        strict=True,
    )
)
_LETTERS_PL = dict(
    zip(
        "AĄBCĆDEĘFGHIJKLŁMNŃOÓPQRSŚTUVWXYZŹŻ",
        "A|Ą|Be|Ce|Cie|De|E|Ę|Ef|Gie|Ha|I|Jot|Ka|El|Eł|Em|En|Eń|O|O kreskowane|Pe|Ku|Er|Es|Eś|Te"
        "|U|Fau|Wu|Iks|Igrek|Zet|Ziet|Żet".split("|"),
        strict=True,
    )
)
# Greek: a Latin letter with a Greek twin (same sound, or the same key on a Greek keyboard:
# H→Η, X→Χ) is read as that Greek letter; the six without one are read the way Greeks name
# the Latin letter ("βιταμίνη Σι"): C Σι, J Τζέι, Q Κιου, U Γιου, V Βι, W Ντάμπλιου.
_LETTERS_EL = dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "Άλφα Βήτα Σι Δέλτα Έψιλον Φι Γάμμα Ήτα Γιώτα Τζέι Κάπα Λάμδα Μι Νι Όμικρον Πι Κιου Ρο"
        " Σίγμα Ταυ Γιου Βι Ντάμπλιου Χι Ύψιλον Ζήτα".split(),
        strict=True,
    )
)
_GREEK_UPPER = (
    "Α Άλφα Β Βήτα Γ Γάμμα Δ Δέλτα Ε Έψιλον Ζ Ζήτα Η Ήτα Θ Θήτα Ι Γιώτα Κ Κάπα Λ Λάμδα Μ Μι"
    " Ν Νι Ξ Ξι Ο Όμικρον Π Πι Ρ Ρο Σ Σίγμα Τ Ταυ Υ Ύψιλον Φ Φι Χ Χι Ψ Ψι Ω Ωμέγα"
).split()
_LETTERS_EL.update(zip(_GREEK_UPPER[::2], _GREEK_UPPER[1::2], strict=True))

_LETTERS: dict[str, dict[str, str]] = {"en": {}, "tr": _LETTERS_TR, "pl": _LETTERS_PL}
_LETTERS["el"] = _LETTERS_EL


def letter_name(letter: str, *, lang: str) -> str:
    """How ``lang`` names one letter: ``B`` → "Be" (tr, pl), "Βήτα" (el), "B" (en)."""
    upper = letter.upper()
    return _LETTERS[lang].get(upper, upper)


# ---------------------------------------------------------------- phrases


def _runs(text: str) -> list[str]:
    return [run for run in _RUNS.findall(text.strip()) if not run.isspace()]


def _code_en(code: str) -> str:
    # "A-forty-two": the hyphen makes espeak-ng say the letter [eI], not the article [@].
    words: list[str] = []
    for run in _runs(code):
        if run.isdigit():
            number = number_words(run, lang="en")
            if words and words[-1].isalpha() and words[-1].isupper():
                words[-1] = f"{words[-1]}-{number}"
            else:
                words.append(number)
        elif run.isalpha():
            words.append(run.upper())
    return " ".join(words)


def code_words(code: str, *, lang: str) -> str:
    """A ticket code as spoken: every letter named, the number read as a number."""
    if lang == "en":
        return _code_en(code)
    words: list[str] = []
    for run in _runs(code):
        if run.isdigit():
            words.append(number_words(run, lang=lang))
        elif run.isalpha():
            words += [letter_name(ch, lang=lang) for ch in run]
    return " ".join(words)


def label_words(label: str, *, lang: str) -> str:
    """A counter label as spoken: "12" → a number; "B" → a letter name; "VIP" stays a word."""
    words: list[str] = []
    for run in _runs(label):
        if run.isdigit():
            words.append(number_words(run, lang=lang))
        elif run.isalpha():
            words.append(letter_name(run, lang=lang) if len(run) == 1 else run)
        # punctuation between parts ("12-B") is dropped: the voice pauses on its own
    return " ".join(words)


def spoken_text(*, code: str, counter: str, lang: str) -> str | None:
    """The sentence spoken for a call, or None when ``lang`` has no voice.

    >>> spoken_text(code="A042", counter="3", lang="tr")
    'A kırk iki, üç numaralı gişe'
    """
    if lang not in SPOKEN_LANGS:
        return None
    said_code = code_words(code, lang=lang)
    said_counter = label_words(counter, lang=lang)
    if lang == "en":
        return f"{said_code}, counter {said_counter}"
    if lang == "tr":
        # "üç numaralı gişe" (counter number three) but "VIP gişesi" (the VIP counter).
        if any(ch.isdigit() for ch in counter):
            return f"{said_code}, {said_counter} numaralı gişe"
        return f"{said_code}, {said_counter} gişesi"
    if lang == "el":
        return f"{said_code}, θυρίδα {said_counter}"
    return f"{said_code}, stanowisko {said_counter}"
