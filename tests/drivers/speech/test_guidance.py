"""The kiosk's spoken guidance: exact sentences per language, numbers always in words (with
the gender and case their noun needs), the same wait figure as the screen and the paper, and
text that espeak-ng really speaks."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from drivers.escpos.i18n import WaitFigure, format_wait, wait_figure
from drivers.speech import guidance
from drivers.speech.guidance import (
    CONTROLS,
    DAYS,
    GUIDE_LANGS,
    SCREENS,
    ServiceState,
    audio_mode,
    control,
    keys_help,
    language,
    screen,
    service,
    spoken_wait,
    ticket,
    time_words,
    volume,
)
from drivers.speech.synth import VOICES
from drivers.speech.words import code_words, number_words, polish_genitive
from tests.drivers.speech.conftest import duration_s, require_tool

_YOUR_NUMBER = {
    "en": "Your number is {}.",
    "tr": "Sıra numaranız {}.",
    "el": "Ο αριθμός σας είναι {}.",
    "pl": "Twój numer to {}.",
}
TABLE = Path(__file__).parents[2] / "fixtures" / "wait_wording.json"
CASES: list[dict[str, Any]] = json.loads(TABLE.read_text(encoding="utf-8"))
DIGIT = re.compile(r"[0-9]")


def speakable(text: str) -> str:
    """``text`` is something to hand to the voice: words only, no digits, tidy spacing."""
    assert text, "empty text"
    assert not DIGIT.search(text), text
    assert text == text.strip(), repr(text)
    for untidy in ("  ", " .", " ,", ".."):
        assert untidy not in text, text
    return text


def case_id(case: dict[str, Any]) -> str:
    rng = "-".join(map(str, case["range"])) if case["range"] else "point"
    return f"{case['lang']}-{case['seconds']}-{rng}" + ("-rough" if case["rough"] else "")


# ---------------------------------------------------------------- numbers: gender and case


@pytest.mark.parametrize(
    ("value", "feminine"),
    [
        (1, "jedna"),
        (2, "dwie"),
        (3, "trzy"),
        (12, "dwanaście"),
        (21, "dwadzieścia jeden"),  # "jedna" only for 1 itself
        (22, "dwadzieścia dwie"),
        (32, "trzydzieści dwie"),
        (102, "sto dwie"),
        (112, "sto dwanaście"),
        (200, "dwieście"),
        (2002, "dwa tysiące dwie"),  # "tysiąc" is masculine: "dwa tysiące"
    ],
)
def test_polish_feminine_numbers(value: int, feminine: str) -> None:
    assert number_words(value, lang="pl", gender="f") == feminine


def test_polish_masculine_and_neuter_keep_the_counting_forms() -> None:
    for gender in ("m", "n"):
        assert number_words(1, lang="pl", gender=gender) == "jeden"
        assert number_words(22, lang="pl", gender=gender) == "dwadzieścia dwa"


@pytest.mark.parametrize(
    ("value", "feminine", "masculine"),
    [
        (1, "μία", "ένας"),
        (2, "δύο", "δύο"),
        (3, "τρεις", "τρεις"),
        (4, "τέσσερις", "τέσσερις"),
        (13, "δεκατρείς", "δεκατρείς"),
        (14, "δεκατέσσερις", "δεκατέσσερις"),
        (21, "είκοσι μία", "είκοσι ένας"),
        (23, "είκοσι τρεις", "είκοσι τρεις"),
        (100, "εκατό", "εκατό"),
        (101, "εκατόν μία", "εκατόν ένας"),
        (201, "διακόσιες μία", "διακόσιοι ένας"),
        (304, "τριακόσιες τέσσερις", "τριακόσιοι τέσσερις"),
        (1000, "χίλιες", "χίλιοι"),
        (3003, "τρεις χιλιάδες τρεις", "τρεις χιλιάδες τρεις"),
    ],
)
def test_greek_feminine_and_masculine_numbers(value: int, feminine: str, masculine: str) -> None:
    assert number_words(value, lang="el", gender="f") == feminine
    assert number_words(value, lang="el", gender="m") == masculine


def test_the_default_is_the_bare_number_as_before() -> None:
    assert number_words(1, lang="el") == number_words(1, lang="el", gender="n") == "ένα"
    assert number_words(304, lang="el") == "τριακόσια τέσσερα"
    assert number_words(2, lang="pl") == "dwa"
    # English and Turkish have no gender to agree with
    for gender in ("m", "f", "n"):
        assert number_words(42, lang="en", gender=gender) == "forty-two"
        assert number_words(42, lang="tr", gender=gender) == "kırk iki"


@pytest.mark.parametrize(
    ("value", "genitive"),
    [
        (2, "dwóch"),
        (3, "trzech"),
        (4, "czterech"),
        (5, "pięciu"),
        (8, "ośmiu"),
        (10, "dziesięciu"),
        (11, "jedenastu"),
        (12, "dwunastu"),
        (15, "piętnastu"),
        (20, "dwudziestu"),
        (21, "dwudziestu jeden"),  # a final "jeden" does not decline
        (24, "dwudziestu czterech"),
        (25, "dwudziestu pięciu"),
        (30, "trzydziestu"),
        (40, "czterdziestu"),
        (45, "czterdziestu pięciu"),
        (50, "pięćdziesięciu"),
        (99, "dziewięćdziesięciu dziewięciu"),
        (100, "stu"),
        (120, "stu dwudziestu"),
        (500, "pięciuset"),
    ],
)
def test_polish_genitive(value: int, genitive: str) -> None:
    assert polish_genitive(value) == genitive
    assert polish_genitive(value, gender="f") == genitive


def test_polish_genitive_of_one_agrees() -> None:
    assert polish_genitive(1, gender="f") == "jednej"
    assert polish_genitive(1, gender="m") == polish_genitive(1) == "jednego"


def test_bad_numbers() -> None:
    with pytest.raises(ValueError, match="gender"):
        number_words(2, lang="pl", gender="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="gender"):
        polish_genitive(2, gender="x")  # type: ignore[arg-type]
    for bad in (-1, 1000):
        with pytest.raises(ValueError, match="0 to 999"):
            polish_genitive(bad)


# ---------------------------------------------------------------- one rounding rule


@pytest.mark.parametrize(
    ("seconds", "wait_range", "rough", "figure"),
    [
        (0, None, False, WaitFigure("under", 1)),
        (59, None, True, WaitFigure("under", 1)),  # never rough under a minute
        (61, None, False, WaitFigure("point", 2)),
        (750, None, True, WaitFigure("point", 15, rough=True)),
        (4050, None, False, WaitFigure("point", 75)),
        (0, (610, 890), False, WaitFigure("range", 15, 10)),
        (0, [30, 300], False, WaitFigure("up_to", 5)),
        (0, (300, 300), False, WaitFigure("point", 5)),
        (0, (3700, 7100), True, WaitFigure("range", 120, 60, rough=True)),
        (0, (20, 50), True, WaitFigure("under", 1)),
        (0, (890, 610), False, WaitFigure("range", 15, 10)),  # either order
    ],
)
def test_wait_figure(seconds: int, wait_range: Any, rough: bool, figure: WaitFigure) -> None:
    assert wait_figure(seconds, wait_range, rough=rough) == figure


def test_whole_hours() -> None:
    assert wait_figure(0, (3700, 7100)).whole_hours
    assert not wait_figure(0, (2400, 3590)).whole_hours  # 40 minutes – 1 hour
    assert not wait_figure(7200).whole_hours  # a point


# ---------------------------------------------------------------- the wait, spoken

#: Every case of the table the screens and the paper are held to, said.
SPOKEN_TABLE = {
    "en-0-point": "less than a minute",
    "en-59-point-rough": "less than a minute",
    "en-60-point": "one minute",
    "en-61-point": "two minutes",
    "en-599-point": "ten minutes",
    "en-749-point": "ten minutes",
    "en-750-point": "fifteen minutes",
    "en-2520-point-rough": "forty minutes, a rough estimate",
    "en-3449-point": "fifty-five minutes",
    "en-3450-point": "one hour",
    "en-4050-point": "one hour fifteen minutes",
    "en-9000-point-rough": "two hours thirty minutes, a rough estimate",
    "en-700-610-890": "ten to fifteen minutes",
    "en-200-30-300": "up to five minutes",
    "en-200-130-310-rough": "two to six minutes, a rough estimate",
    "en-300-300-300": "five minutes",
    "en-3000-2400-3590": "forty minutes to one hour",
    "en-3600-2700-4500-rough": ("forty-five minutes to one hour fifteen minutes, a rough estimate"),
    "en-5400-3700-7100": "one to two hours",
    "en-30-10-50-rough": "less than a minute",
    "tr-30-point-rough": "bir dakikadan az",
    "tr-300-point": "beş dakika",
    "tr-1500-point-rough": "yirmi beş dakika, kaba bir tahmin",
    "tr-5000-point": "bir saat otuz dakika",
    "tr-200-45-290": "en fazla beş dakika",
    "tr-900-610-1190-rough": "on ila yirmi dakika, kaba bir tahmin",
    "tr-5400-3700-7100": "bir ila iki saat",
    "el-30-point-rough": "λιγότερο από ένα λεπτό",
    "el-60-point": "ένα λεπτό",
    "el-120-point-rough": "δύο λεπτά, πρόχειρη εκτίμηση",
    "el-3600-point": "μία ώρα",
    "el-4500-point": "μία ώρα και δεκαπέντε λεπτά",
    "el-9000-point": "δύο ώρες και τριάντα λεπτά",
    "el-200-61-300": "ένα έως πέντε λεπτά",
    "el-1200-200-1500-rough": "έως είκοσι πέντε λεπτά, πρόχειρη εκτίμηση",
    "pl-30-point-rough": "mniej niż minuta",
    "pl-60-point": "jedna minuta",
    "pl-180-point": "trzy minuty",
    "pl-300-point": "pięć minut",
    "pl-1320-point-rough": "dwadzieścia minut, orientacyjnie",
    "pl-7200-point": "dwie godziny",
    "pl-8100-point": "dwie godziny i piętnaście minut",
    "pl-18000-point": "pięć godzin",
    "pl-43200-point": "dwanaście godzin",
    "pl-46800-point-rough": "trzynaście godzin, orientacyjnie",
    "pl-79200-point": "dwadzieścia dwie godziny",
    "pl-200-120-240": "od dwóch do czterech minut",
    "pl-200-120-290": "od dwóch do pięciu minut",
    "pl-40-20-60": "do minuty",
    "pl-300-30-590-rough": "do dziesięciu minut, orientacyjnie",
    "pl-3000-100-4000": "do godziny i piętnastu minut",
    "pl-10000-7300-14000": "od dwóch do czterech godzin",
    "pl-14400-10000-20000": (
        "od dwóch godzin i czterdziestu pięciu minut do pięciu godzin i czterdziestu pięciu minut"
    ),
}


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_spoken_wait_says_the_tables_figure(case: dict[str, Any]) -> None:
    lang, seconds, rng, rough = case["lang"], case["seconds"], case["range"], case["rough"]
    if lang not in GUIDE_LANGS:
        with pytest.raises(ValueError, match="language"):
            spoken_wait(lang, seconds, wait_range=rng, rough=rough)
        return
    assert spoken_wait(lang, seconds, wait_range=rng, rough=rough) == SPOKEN_TABLE[case_id(case)]
    assert_same_numbers(lang, seconds, rng)


def test_the_spoken_table_is_the_fixture() -> None:
    ids = {case_id(c) for c in CASES if c["lang"] in GUIDE_LANGS}
    assert ids == set(SPOKEN_TABLE)


def assert_same_numbers(lang: str, seconds: int, wait_range: Any) -> str:
    """The spoken wait says the numbers of the screen's (and the paper's) text, in words;
    under a minute, the one phrase for it ("bir dakikadan az" for the screen's "1 dakikadan
    az")."""
    said = speakable(spoken_wait(lang, seconds, wait_range=wait_range))
    if wait_figure(seconds, wait_range).kind == "under":
        assert said == spoken_wait(lang, 0)
        return said
    shown = format_wait(lang, seconds, wait_range=wait_range)
    assert numbers_said(lang, said) == [int(n) for n in re.findall(r"[0-9]+", shown)], (
        said,
        shown,
    )
    return said


def _number_phrases(lang: str) -> dict[tuple[str, ...], int]:
    phrases: dict[tuple[str, ...], int] = {}
    for n in range(1000):
        forms = [number_words(n, lang=lang, gender=g) for g in ("n", "f", "m")]
        if lang == "pl":
            forms += [polish_genitive(n, gender=g) for g in ("n", "f")]
        for form in forms:
            phrases[tuple(form.replace("-", " ").split())] = n
    return phrases


PHRASES = {lang: _number_phrases(lang) for lang in GUIDE_LANGS}
# Polish says 1 hour or 1 minute with the noun alone: "do minuty", "godzina i piętnaście minut".
PL_UNITS = {"minuta", "minuty", "godzina", "godziny"}


def numbers_said(lang: str, text: str) -> list[int]:
    """The numbers in spoken ``text``, in order: the longest number phrase at each word."""
    words = re.findall(r"\w+", text.replace("-", " "))
    found: list[int] = []
    i = 0
    while i < len(words):
        for size in range(min(5, len(words) - i), 0, -1):
            value = PHRASES[lang].get(tuple(words[i : i + size]))
            if value is not None:
                found.append(value)
                i += size
                break
        else:
            alone = i == 0 or words[i - 1] in ("do", "od", "i")
            if lang == "pl" and words[i] in PL_UNITS and alone:
                found.append(1)
            i += 1
    return found


WAITS = list(range(0, 4 * 3600 + 1, 30)) + [59, 61, 599, 601, 749, 750, 3449, 3450, 3599]
ENDS = [0, 20, 59, 60, 61, 130, 300, 310, 599, 610, 890, 1190, 2400, 2700, 3590, 3600, 3700]
ENDS += [4500, 7100, 7200, 9000, 10000, 14000, 14400]


@pytest.mark.parametrize("lang", GUIDE_LANGS)
def test_spoken_waits_say_the_screens_numbers_everywhere(lang: str) -> None:
    for seconds in WAITS:
        said = assert_same_numbers(lang, seconds, None)
        rough = speakable(spoken_wait(lang, seconds, rough=True))
        if wait_figure(seconds).kind == "under":
            assert rough == said
        else:
            assert rough.startswith(f"{said}, ")
            assert rough != said
    for low, high in itertools.product(ENDS, ENDS):
        assert_same_numbers(lang, 0, (low, high))
        speakable(spoken_wait(lang, 0, wait_range=[low, high], rough=True))


@pytest.mark.parametrize(
    ("lang", "seconds", "wait_range", "said"),
    [
        ("en", 600, None, "ten minutes"),
        ("en", 4500, None, "one hour fifteen minutes"),
        ("tr", 600, (610, 890), "on ila on beş dakika"),
        ("tr", 4500, None, "bir saat on beş dakika"),
        ("el", 7200, None, "δύο ώρες"),
        ("el", 10800, None, "τρεις ώρες"),  # feminine, with ώρες
        ("el", 14400, None, "τέσσερις ώρες"),
        ("el", 0, (30, 300), "έως πέντε λεπτά"),
        ("el", 0, (200, 300), "τρία έως πέντε λεπτά"),
        ("el", 0, (3700, 7100), "μία έως δύο ώρες"),
        ("pl", 120, None, "dwie minuty"),
        ("pl", 1320, None, "dwadzieścia minut"),
        ("pl", 4500, None, "godzina i piętnaście minut"),
        ("pl", 0, (30, 300), "do pięciu minut"),
        ("pl", 0, (610, 890), "od dziesięciu do piętnastu minut"),
        ("pl", 0, (61, 300), "od jednej do pięciu minut"),
        ("pl", 0, (3700, 7100), "od jednej do dwóch godzin"),
        ("pl", 0, (2400, 3590), "od czterdziestu minut do godziny"),
    ],
)
def test_spoken_wait_examples(
    lang: str, seconds: int, wait_range: tuple[int, int] | None, said: str
) -> None:
    assert spoken_wait(lang, seconds, wait_range=wait_range) == said


# ---------------------------------------------------------------- clock times


@pytest.mark.parametrize(
    ("lang", "hhmm", "said", "at"),
    [
        ("en", "09:30", "nine thirty in the morning", "at nine thirty in the morning"),
        ("en", "09:05", "nine oh five in the morning", "at nine oh five in the morning"),
        ("en", "13:00", "one o'clock in the afternoon", "at one o'clock in the afternoon"),
        ("en", "18:45", "six forty-five in the evening", "at six forty-five in the evening"),
        ("en", "12:00", "midday", "at midday"),
        ("en", "00:00", "midnight", "at midnight"),
        ("tr", "09:30", "dokuz otuz", "saat dokuz otuzda"),
        ("tr", "09:00", "dokuz", "saat dokuzda"),
        ("tr", "13:45", "on üç kırk beş", "saat on üç kırk beşte"),
        ("tr", "08:05", "sekiz sıfır beş", "saat sekiz sıfır beşte"),
        ("tr", "14:00", "on dört", "saat on dörtte"),
        ("el", "09:30", "εννέα και μισή", "στις εννέα και μισή"),
        ("el", "01:10", "μία και δέκα", "στη μία και δέκα"),
        ("el", "13:00", "δεκατρείς", "στις δεκατρείς"),
        ("el", "14:15", "δεκατέσσερις και δεκαπέντε", "στις δεκατέσσερις και δεκαπέντε"),
        ("el", "21:00", "είκοσι μία", "στις είκοσι μία"),
        ("pl", "09:30", "dziewiąta trzydzieści", "o dziewiątej trzydzieści"),
        ("pl", "08:00", "ósma", "o ósmej"),
        ("pl", "02:05", "druga zero pięć", "o drugiej zero pięć"),
        ("pl", "13:15", "trzynasta piętnaście", "o trzynastej piętnaście"),
        ("pl", "21:00", "dwudziesta pierwsza", "o dwudziestej pierwszej"),
        ("pl", "00:00", "północ", "o północy"),
    ],
)
def test_time_words(lang: str, hhmm: str, said: str, at: str) -> None:
    assert time_words(lang, hhmm) == said
    assert time_words(lang, hhmm, at=True) == at


@pytest.mark.parametrize("lang", GUIDE_LANGS)
def test_every_minute_of_the_day_is_said(lang: str) -> None:
    for hour, minute in itertools.product(range(24), range(60)):
        hhmm = f"{hour:02d}:{minute:02d}"
        speakable(time_words(lang, hhmm))
        speakable(time_words(lang, hhmm, at=True))


@pytest.mark.parametrize("bad", ["24:00", "23:60", "9:30", "09:5", "0930", "", " 09:30", "ab:cd"])
def test_bad_times(bad: str) -> None:
    with pytest.raises(ValueError, match="time"):
        time_words("en", bad)
    with pytest.raises(ValueError, match="time"):
        screen("en", "closed", day="tomorrow", time=bad)


# ---------------------------------------------------------------- screens


@pytest.mark.parametrize(
    ("lang", "name", "said"),
    [
        ("en", "home", "Welcome. Please choose a service."),
        ("tr", "home", "Hoş geldiniz. Lütfen bir işlem seçin."),
        ("el", "home", "Καλώς ήρθατε. Παρακαλούμε επιλέξτε υπηρεσία."),
        ("pl", "home", "Witamy. Proszę wybrać usługę."),
        ("en", "priority_service", "Priority ticket. Please choose a service."),
        ("pl", "priority_service", "Bilet priorytetowy. Proszę wybrać usługę."),
        ("en", "priority", "Priority service. Please choose what applies to you."),
        ("tr", "priority", "Öncelikli hizmet. Lütfen size uygun olanı seçin."),
        (
            "en",
            "closed",
            "Closed. Tickets are not being issued at the moment. Thank you for your visit.",
        ),
        (
            "en",
            "not_issued",
            "Your ticket was not issued. We could not reach the bank's system."
            " Please try again, or cancel.",
        ),
        (
            "en",
            "idle",
            "Do you need more time? Press any key or touch the screen to continue.",
        ),
        (
            "el",
            "idle",
            "Χρειάζεστε περισσότερο χρόνο\u037e Πατήστε οποιοδήποτε πλήκτρο ή αγγίξτε την"
            " οθόνη για να συνεχίσετε.",
        ),
        (
            "pl",
            "offline",
            "Brak połączenia z systemem banku. W tej chwili nie można wydać biletu.",
        ),
    ],
)
def test_screens(lang: str, name: str, said: str) -> None:
    assert screen(lang, name) == said


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "en",
            "Cash deposits. No counter is serving this right now. You can still take a ticket,"
            " but we cannot say how long you will wait. Take a ticket anyway, or cancel.",
        ),
        (
            "tr",
            "Cash deposits. Bu işlem için şu anda açık gişe yok. Sıra numarası alırsanız ne"
            " kadar bekleyeceğinizi söyleyemiyoruz. Yine de sıra numarası alabilir ya da"
            " vazgeçebilirsiniz.",
        ),
        (
            "pl",
            "Cash deposits. Żadne stanowisko nie obsługuje teraz tej usługi. Możesz mimo to"
            " pobrać bilet, ale nie wiemy, jak długo potrwa oczekiwanie. Pobierz bilet mimo to"
            " albo anuluj.",
        ),
    ],
)
def test_unserved_screen_names_the_service(lang: str, said: str) -> None:
    assert screen(lang, "unserved", service="Cash deposits") == said
    assert screen(lang, "unserved") == said.removeprefix("Cash deposits. ")


@pytest.mark.parametrize(
    ("lang", "day", "time", "opens"),
    [
        ("en", "tomorrow", "09:30", "We open again tomorrow at nine thirty in the morning."),
        ("en", "monday", "13:00", "We open again on Monday at one o'clock in the afternoon."),
        ("en", None, "08:45", "We open again at eight forty-five in the morning."),
        ("en", "today", None, "We open again today."),
        ("tr", "tomorrow", "09:30", "Yarın saat dokuz otuzda yeniden açılıyoruz."),
        ("tr", "monday", "09:00", "Pazartesi günü saat dokuzda yeniden açılıyoruz."),
        ("tr", None, "13:00", "Saat on üçte yeniden açılıyoruz."),
        ("el", "tomorrow", "09:30", "Ανοίγουμε ξανά αύριο στις εννέα και μισή."),
        ("el", "monday", "13:00", "Ανοίγουμε ξανά τη Δευτέρα στις δεκατρείς."),
        ("el", "friday", "01:00", "Ανοίγουμε ξανά την Παρασκευή στη μία."),
        ("pl", "tomorrow", "09:30", "Ponownie otwieramy jutro o dziewiątej trzydzieści."),
        ("pl", "today", "14:00", "Ponownie otwieramy dziś o czternastej."),
        ("pl", "tuesday", "08:15", "Ponownie otwieramy we wtorek o ósmej piętnaście."),
    ],
)
def test_closed_says_when_it_opens(
    lang: str, day: str | None, time: str | None, opens: str
) -> None:
    said = screen(lang, "closed", day=day, time=time)
    assert opens in said
    assert said.startswith(screen(lang, "closed").split(". ")[0] + ". ")


@pytest.mark.parametrize("lang", GUIDE_LANGS)
def test_every_screen_in_every_language(lang: str) -> None:
    services = [None, "Cash deposits", "Kasa 2", "Gişe\t 12\x00\u200b", "x" * 300]
    for name, svc in itertools.product(SCREENS, services):
        said = speakable(screen(lang, name, service=svc))
        assert said.endswith((".", "\u037e", "?")), said
    for day, time in itertools.product([None, *DAYS], [None, "00:00", "09:30", "13:05", "23:59"]):
        speakable(screen(lang, "closed", day=day, time=time))


# ---------------------------------------------------------------- controls, keys, language


@pytest.mark.parametrize(
    ("lang", "key", "pressed", "said"),
    [
        (
            "en",
            "priority_entry",
            None,
            "Priority service, for senior, disabled or pregnant customers.",
        ),
        ("en", "reason_elderly", None, "Senior customer."),
        ("tr", "reason_disabled", None, "Engelli müşteri."),
        ("el", "reason_pregnant", None, "Έγκυος."),
        ("pl", "unserved_take", None, "Pobierz bilet mimo to."),
        ("en", "back", True, "Back."),  # not a toggle: pressed is ignored
        ("en", "large_text", True, "Large text: on."),
        ("en", "high_contrast", False, "High contrast: off."),
        ("en", "speech", None, "Read aloud."),
        ("tr", "speech", True, "Sesli rehber: açık."),
        ("el", "large_text", True, "Μεγάλα γράμματα: ενεργοποιημένα."),
        ("el", "high_contrast", False, "Υψηλή αντίθεση: απενεργοποιημένη."),
        ("pl", "large_text", False, "Duży tekst: wyłączony."),
        ("pl", "speech", True, "Czytanie na głos: włączone."),
    ],
)
def test_controls(lang: str, key: str, pressed: bool | None, said: str) -> None:
    assert control(lang, key, pressed=pressed) == said


@pytest.mark.parametrize("lang", GUIDE_LANGS)
def test_every_control_keys_and_language(lang: str) -> None:
    for key, pressed in itertools.product(CONTROLS, (None, True, False)):
        speakable(control(lang, key, pressed=pressed))
    speakable(keys_help(lang))
    speakable(language(lang))
    for private in (True, False):
        speakable(audio_mode(lang, private))
    assert audio_mode(lang, True) != audio_mode(lang, False)


def test_keys_help_names_every_key() -> None:
    assert keys_help("en") == (
        "To move between options, use the arrow keys or Tab. Enter chooses. Escape goes back."
        " Plus and minus change the volume."
        " The question mark key, or F one, tells you again where you are."
    )
    for lang, words in {
        "tr": ("F bir", "Enter", "Tab", "Artı ve eksi", "Soru işareti"),
        "el": ("F ένα", "Enter", "Tab", "Escape", "συν και το πλην", "ερωτηματικό"),
        "pl": ("F jeden", "Enter", "Tab", "Escape", "Plus i minus", "znakiem zapytania"),
    }.items():
        for word in words:
            assert word in keys_help(lang), (lang, word)


def test_language_names_itself() -> None:
    assert language("tr") == "Türkçe. Seçmek için Enter tuşuna basın."
    assert language("en") == "English. Press Enter to choose."
    assert language("el").startswith("Ελληνικά. ")
    assert language("pl") == "Polski. Naciśnij Enter, aby wybrać."


def test_volume_and_audio_mode() -> None:
    assert volume("en", 7) == "Volume seven."
    assert volume("tr", 10) == "Ses düzeyi on."
    assert volume("el", 1) == "Ένταση ένα."
    assert volume("pl", 2) == "Głośność dwa."
    for lang, level in itertools.product(GUIDE_LANGS, range(1, 11)):
        speakable(volume(lang, level))
    assert audio_mode("en", True) == "Headphones: speech is now heard only in your headphones."
    assert audio_mode("en", False) == (
        "Loudspeaker: speech is heard through the kiosk's loudspeaker."
    )


# ---------------------------------------------------------------- services


@pytest.mark.parametrize(
    ("lang", "kwargs", "said"),
    [
        (
            "en",
            {"waiting": 3, "wait_s": 700, "wait_range": (610, 890)},
            "Cash deposits. Three people waiting. Estimated wait: ten to fifteen minutes.",
        ),
        (
            "en",
            {"waiting": 0, "wait_s": 30},
            "Cash deposits. No queue. Estimated wait: less than a minute.",
        ),
        (
            "en",
            {"waiting": 1, "wait_s": 300, "rough": True, "priority": True},
            "Cash deposits, priority ticket. One person waiting."
            " Estimated wait: five minutes, a rough estimate.",
        ),
        (
            "en",
            {"waiting": 2, "wait_s": None},
            "Cash deposits. Two people waiting. Not served right now.",
        ),
        (
            "en",
            {"state": "unserved", "waiting": 2, "wait_s": 300},
            "Cash deposits. Two people waiting. Not served right now.",
        ),
        ("en", {"state": "closed", "waiting": 2, "wait_s": 300}, "Cash deposits. Closed now."),
        (
            "en",
            {"state": "cut_off", "waiting": 0, "wait_s": None},
            "Cash deposits. No more tickets today.",
        ),
        (
            "tr",
            {"waiting": 3, "wait_s": 600},
            "Cash deposits. Üç kişi bekliyor. Tahmini bekleme süresi: on dakika.",
        ),
        (
            "tr",
            {"waiting": 2, "wait_s": 4500},
            "Cash deposits. İki kişi bekliyor. Tahmini bekleme süresi: bir saat on beş dakika.",
        ),
        (
            "el",
            {"waiting": 3, "wait_s": 10800},
            "Cash deposits. Τρία άτομα περιμένουν. Εκτιμώμενη αναμονή: τρεις ώρες.",
        ),
        (
            "el",
            {"waiting": 1, "wait_s": 3600},
            "Cash deposits. Ένα άτομο περιμένει. Εκτιμώμενη αναμονή: μία ώρα.",
        ),
        (
            "pl",
            {"waiting": 3, "wait_s": 120},
            "Cash deposits. Trzy osoby czekają. Szacowany czas oczekiwania: dwie minuty.",
        ),
        (
            "pl",
            {"waiting": 2, "wait_s": 0, "wait_range": (610, 890)},
            "Cash deposits. Dwie osoby czekają."
            " Szacowany czas oczekiwania: od dziesięciu do piętnastu minut.",
        ),
        (
            "pl",
            {"waiting": 5, "wait_s": 0, "wait_range": (30, 300)},
            "Cash deposits. Pięć osób czeka. Szacowany czas oczekiwania: do pięciu minut.",
        ),
        (
            "pl",
            {"waiting": 1, "wait_s": 60},
            "Cash deposits. Jedna osoba czeka. Szacowany czas oczekiwania: jedna minuta.",
        ),
        (
            "pl",
            {"waiting": 22, "wait_s": 7200},
            "Cash deposits. Dwadzieścia dwie osoby czekają."
            " Szacowany czas oczekiwania: dwie godziny.",
        ),
        (
            "pl",
            {"state": "unserved", "waiting": 12, "wait_s": 60},
            "Cash deposits. Dwanaście osób czeka. Obecnie nikt nie obsługuje.",
        ),
    ],
)
def test_services(lang: str, kwargs: dict[str, Any], said: str) -> None:
    args: dict[str, Any] = {"state": "open", **kwargs}
    assert service(lang, name="Cash deposits", **args) == said


def test_polish_and_greek_counts_agree() -> None:
    def people(lang: str, n: int) -> str:
        return service(lang, name="", state="closed", waiting=n, wait_s=None) + service(
            lang, name="", state="open", waiting=n, wait_s=None
        )

    assert "Dwadzieścia jeden osób czeka." in people("pl", 21)
    assert "Sto cztery osoby czekają." in people("pl", 104)
    assert "Τρία άτομα περιμένουν." in people("el", 3)
    assert "Είκοσι ένα άτομα περιμένουν." in people("el", 21)
    assert "İki kişi bekliyor." in people("tr", 2)  # a Turkish capital İ, not I


WAIT_GRID: list[tuple[int | None, tuple[int, int] | None]] = [
    (None, None),
    (0, None),
    (45, None),
    (300, None),
    (3450, None),
    (4500, None),
    (14400, None),
    (700, (610, 890)),
    (200, (30, 300)),
    (3600, (2700, 4500)),
    (5400, (3700, 7100)),
    (14400, (10000, 20000)),
]


@pytest.mark.parametrize("lang", GUIDE_LANGS)
def test_every_service_phrase(lang: str) -> None:
    states: tuple[ServiceState, ...] = ("open", "unserved", "closed", "cut_off")
    names = ["Cash deposits", "", "Kasa 2", "Ödeme\n\n işlemleri"]
    counts = (0, 1, 2, 3, 5, 12, 21, 22, 104, 999)
    flags = (False, True)
    for state, waiting, (wait_s, rng), rough, priority, name in itertools.product(
        states, counts, WAIT_GRID, flags, flags, names
    ):
        speakable(
            service(
                lang,
                name=name,
                state=state,
                waiting=waiting,
                wait_s=wait_s,
                wait_range=rng,
                rough=rough,
                priority=priority,
            )
        )


# ---------------------------------------------------------------- the ticket


def test_the_ticket_in_english() -> None:
    said = ticket(
        "en",
        code="A042",
        service="Cash deposits",
        ahead=2,
        wait_s=300,
        print_status="printed",
        priority=True,
    )
    assert said == (
        "Your number is A-forty-two. Cash deposits, priority ticket. Two people ahead of you."
        " Estimated wait: five minutes. Please take your ticket below. When your number is"
        " called, go to the counter shown on the screen. Press Enter to finish."
    )


def test_the_ticket_in_turkish() -> None:
    said = ticket(
        "tr", code="A042", service="Nakit yatırma", ahead=0, wait_s=600, print_status="printed"
    )
    assert said == (
        "Sıra numaranız A kırk iki. Nakit yatırma. Önünüzde kimse yok."
        " Tahmini bekleme süresi: on dakika. Lütfen sıra fişinizi aşağıdan alın."
        " Numaranız çağrıldığında lütfen ekranda belirtilen gişeye gidin."
        " Bitirmek için Enter tuşuna basın."
    )


def test_the_ticket_in_greek() -> None:
    said = ticket(
        "el",
        code="B101",
        service="Καταθέσεις",
        ahead=1,
        wait_s=4500,
        print_status="failed",
    )
    assert said == (
        "Ο αριθμός σας είναι Βήτα εκατόν ένα. Καταθέσεις. Υπάρχει ένα άτομο πριν από εσάς."
        " Εκτιμώμενη αναμονή: μία ώρα και δεκαπέντε λεπτά. Ο εκτυπωτής δεν λειτουργεί."
        " Παρακαλούμε θυμηθείτε τον αριθμό σας: Βήτα εκατόν ένα. Όταν κληθεί ο αριθμός σας,"
        " παρακαλούμε πηγαίνετε στη θυρίδα που αναγράφεται στην οθόνη."
        " Πατήστε Enter για να ολοκληρώσετε."
    )


def test_the_ticket_in_polish() -> None:
    said = ticket(
        "pl",
        code="C007",
        service="Wpłaty",
        ahead=2,
        wait_s=0,
        wait_range=(610, 890),
        rough=True,
        print_status="none",
        priority=True,
    )
    assert said == (
        "Twój numer to Ce siedem. Wpłaty, bilet priorytetowy. Przed Tobą czekają dwie osoby."
        " Szacowany czas oczekiwania: od dziesięciu do piętnastu minut, orientacyjnie."
        " Proszę zapisać swój numer: Ce siedem. Gdy Twój numer zostanie wywołany, proszę"
        " podejść do stanowiska wskazanego na ekranie. Naciśnij Enter, aby zakończyć."
    )


def test_a_ticket_with_no_wait_known() -> None:
    said = ticket(
        "en",
        code="A042",
        service="Loans",
        ahead=5,
        wait_s=600,
        unserved=True,
        print_status="printed",
    )
    assert "Five people ahead of you. Estimated wait: not known yet." in said
    assert "ten minutes" not in said
    none = ticket("pl", code="A1", service="x", ahead=0, wait_s=None, print_status="printed")
    assert "Nikt nie czeka przed Tobą. Szacowany czas oczekiwania: jeszcze nieznany." in none


def test_a_failed_print_asks_to_remember_the_number() -> None:
    said = ticket("en", code="A042", service="Loans", ahead=1, wait_s=60, print_status="failed")
    assert "The printer is not working. Please remember your number: A-forty-two." in said
    assert "One person ahead of you. Estimated wait: one minute." in said
    said = ticket("en", code="A042", service="Loans", ahead=1, wait_s=60, print_status="none")
    assert "Please note your number: A-forty-two." in said
    assert "printer" not in said


def test_a_private_number_is_not_said_aloud() -> None:
    said = ticket("en", code=None, service="Loans", ahead=0, wait_s=60, print_status="printed")
    assert said.startswith(
        "Your number is printed on your ticket. For your privacy it is read out only through"
        " headphones; press the question mark key to hear it aloud. Loans. No one ahead of"
        " you."
    )
    assert said.endswith("Press Enter to finish.")
    # with no ticket printed, the number is on the screen
    failed = ticket("en", code=None, service="Loans", ahead=0, wait_s=60, print_status="failed")
    assert failed.startswith("Your number is shown on the screen. For your privacy")
    assert "Please remember your number. When" in failed
    for lang in GUIDE_LANGS:
        private = ticket(lang, code=None, service="S", ahead=3, wait_s=60, print_status="printed")
        loud = ticket(lang, code="A042", service="S", ahead=3, wait_s=60, print_status="printed")
        assert number_words(42, lang=lang) not in private
        assert loud.startswith(_YOUR_NUMBER[lang].format(code_words("A042", lang=lang)))
        # everything after the number is the same
        assert private.split(" S. ", 1)[1] == loud.split(" S. ", 1)[1]


@pytest.mark.parametrize("lang", GUIDE_LANGS)
def test_every_ticket_phrase(lang: str) -> None:
    for code, ahead, (wait_s, rng), rough, unserved, status, priority in itertools.product(
        (None, "A042", "B101", "AB0007", "Z9999"),
        (0, 1, 2, 5, 12, 22, 104),
        WAIT_GRID,
        (False, True),
        (False, True),
        ("printed", "failed", "none"),
        (False, True),
    ):
        said = speakable(
            ticket(
                lang,
                code=code,
                service="Cash deposits 3",
                ahead=ahead,
                wait_s=wait_s,
                wait_range=rng,
                rough=rough,
                unserved=unserved,
                print_status=status,  # type: ignore[arg-type]
                priority=priority,
            )
        )
        assert said.endswith(".")


# ---------------------------------------------------------------- database values


def test_service_names_are_tidied() -> None:
    said = service(
        "en",
        name="  Cash\t\ndeposits\x07 \u200b(new)\x1b ",
        state="closed",
        waiting=0,
        wait_s=None,
    )
    assert said == "Cash deposits (new). Closed now."
    assert service("tr", name="Kasa 12", state="closed", waiting=0, wait_s=None) == (
        "Kasa on iki. Şu anda kapalı."
    )
    assert service("el", name="Ταμείο 007.", state="closed", waiting=0, wait_s=None) == (
        "Ταμείο επτά. Κλειστό αυτή τη στιγμή."
    )
    long = service("en", name="word " * 60, state="closed", waiting=0, wait_s=None)
    name = long.removesuffix(". Closed now.")
    assert len(name) <= guidance.MAX_NAME
    assert name.endswith("word")
    one_word = service("en", name="x" * 300, state="closed", waiting=0, wait_s=None)
    assert one_word == "x" * guidance.MAX_NAME + ". Closed now."


# ---------------------------------------------------------------- errors


def test_unknown_language() -> None:
    for lang in ("de", "", "EN", "xx"):
        with pytest.raises(ValueError, match="language"):
            spoken_wait(lang, 60)
        with pytest.raises(ValueError, match="language"):
            time_words(lang, "09:30")
        with pytest.raises(ValueError, match="language"):
            keys_help(lang)
        with pytest.raises(ValueError, match="language"):
            screen(lang, "home")
        with pytest.raises(ValueError, match="language"):
            language(lang)
        with pytest.raises(ValueError, match="language"):
            service(lang, name="x", state="open", waiting=0, wait_s=None)
        with pytest.raises(ValueError, match="language"):
            control(lang, "back")
        with pytest.raises(ValueError, match="language"):
            ticket(lang, code="A1", service="x", ahead=0, wait_s=None, print_status="none")
        with pytest.raises(ValueError, match="language"):
            volume(lang, 5)
        with pytest.raises(ValueError, match="language"):
            audio_mode(lang, True)


def test_unknown_keys_and_values() -> None:
    with pytest.raises(ValueError, match="screen"):
        screen("en", "welcome")
    with pytest.raises(ValueError, match="day"):
        screen("en", "closed", day="yesterday", time="09:00")
    with pytest.raises(ValueError, match="control"):
        control("en", "ok")
    with pytest.raises(ValueError, match="state"):
        service("en", name="x", state="busy", waiting=0, wait_s=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="count"):
        service("en", name="x", state="open", waiting=-1, wait_s=None)
    with pytest.raises(ValueError, match="print status"):
        ticket("en", code="A1", service="x", ahead=0, wait_s=None, print_status="ok")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="count"):
        ticket("en", code="A1", service="x", ahead=-1, wait_s=None, print_status="none")
    with pytest.raises(ValueError, match="ticket code"):
        ticket("en", code="--", service="x", ahead=0, wait_s=None, print_status="none")
    for level in (0, 11, -1):
        with pytest.raises(ValueError, match="volume"):
            volume("en", level)


# ---------------------------------------------------------------- the voice


WIDE = (2700, 4500)


def _samples(lang: str) -> list[str]:
    return [
        keys_help(lang),
        language(lang),
        screen(lang, "closed", day="tomorrow", time="09:30"),
        screen(lang, "idle"),
        service(lang, name="Cash deposits", state="open", waiting=22, wait_s=0, wait_range=WIDE),
        ticket(lang, code="A042", service="Deposits", ahead=2, wait_s=4500, print_status="failed"),
        control(lang, "speech", pressed=True),
        volume(lang, 7),
    ]


@pytest.mark.parametrize("lang", GUIDE_LANGS)
def test_espeak_speaks_every_language(tmp_path: Path, lang: str) -> None:
    require_tool("espeak-ng", "soxi")
    for i, text in enumerate(_samples(lang)):
        out = tmp_path / f"{lang}-{i}.wav"
        done = subprocess.run(
            ["espeak-ng", "-b", "1", "-v", VOICES[lang], "-w", str(out)],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        assert duration_s(out) > 0.5, text


@pytest.mark.parametrize("lang", GUIDE_LANGS)
def test_a_wait_of_nothing_is_said_as_the_screen_says_it(lang: str) -> None:
    no_wait = {"en": "No wait.", "tr": "Beklemeden.", "el": "Χωρίς αναμονή.", "pl": "Bez czekania."}
    said = guidance.service(lang, name="Cash", state="open", waiting=0, wait_s=0)
    assert said.endswith(no_wait[lang])
    said = guidance.ticket(
        lang, code="A1", service="Cash", ahead=0, wait_s=0, print_status="printed"
    )
    assert no_wait[lang] in said
    # A quote under a minute is not "no wait".
    said = guidance.service(lang, name="Cash", state="open", waiting=1, wait_s=30)
    assert no_wait[lang] not in said
