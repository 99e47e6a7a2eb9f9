"""What the ticket kiosk says to a customer who uses its keypad and spoken guidance, per
language: the text handed to espeak-ng (voices en-gb, tr, el, pl).

Pure functions, no I/O. Like the call announcements (``drivers.speech.words``), the text is
written to be heard, not read:

- every number is written out in words, in the gender and case its noun needs ("dwie
  minuty", "od dziesięciu do piętnastu minut", "μία ώρα", "τρεις ώρες"), so the returned text
  never holds an ASCII digit;
- a ticket's code is read as the announcements read it ("A-forty-two", "A kırk iki");
- a wait is the figure the screen and the paper show (``drivers.escpos.i18n.wait_figure``,
  the one rounding rule), said in words;
- the wording follows the kiosk's screen texts (kiosk_ui/strings.js) where the spoken
  sentence says the same thing ("Priority service", "Not served right now");
- a Greek question ends with the Greek question mark (U+037E), which espeak-ng says with a
  question's tune; a plain ";" would be read as a pause.

Service names come from the database and are inserted as given, tidied (``_name``).
Unknown languages, screens and controls raise ``ValueError``: the caller asks only for
phrases it knows, in a language it has a voice for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Literal

from drivers.escpos.i18n import WaitFigure, WaitRangeS, wait_figure
from drivers.speech.words import Gender, code_words, number_words, polish_genitive

GUIDE_LANGS = ("en", "tr", "el", "pl")

ServiceState = Literal["open", "unserved", "closed", "cut_off"]
PrintStatus = Literal["printed", "failed", "none"]

SCREENS = (
    "home",
    "priority_service",
    "priority",
    "closed",
    "unserved",
    "not_issued",
    "unavailable",
    "cut_off",
    "idle",
    "offline",
)
CONTROLS = (
    "priority_entry",
    "reason_elderly",
    "reason_disabled",
    "reason_pregnant",
    "back",
    "cancel",
    "done",
    "try_again",
    "unserved_take",
    "more_time",
    "large_text",
    "high_contrast",
    "speech",
)
#: The days a closed kiosk may name for opening again.
DAYS = (
    "today",
    "tomorrow",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
#: The longest service name spoken (a database value; the rest is cut at a word).
MAX_NAME = 120

_GREEK_QUESTION = "\u037e"
_HHMM = re.compile(r"([0-9]{2}):([0-9]{2})")
_DIGITS = re.compile(r"[0-9]+")


def _check_lang(lang: str) -> None:
    if lang not in GUIDE_LANGS:
        raise ValueError(f"no spoken guidance in language {lang!r}")


def _num(n: int, lang: str, gender: Gender = "n") -> str:
    if n < 0:
        raise ValueError(f"not a count: {n!r}")
    return number_words(n, lang=lang, gender=gender)


def _cap(text: str, lang: str) -> str:
    """``text`` with a capital first letter (Turkish "iki" → "İki", which espeak-ng reads as
    [i]; Python's "Iki" would be the dotless [ɯ])."""
    if not text:
        return text
    first = text[0]
    if lang == "tr" and first in "iı":
        upper = "İ" if first == "i" else "I"
    else:
        upper = first.upper()
    return upper + text[1:]


def _join(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)


def _name(text: str | None, lang: str) -> str:
    """A service name from the database as it is spoken: control and format characters
    dropped, whitespace collapsed, digits read as numbers, at most ``MAX_NAME`` characters
    (cut at a word) and without a closing full stop (the sentence adds its own)."""
    if not text:
        return ""
    kept = []
    for ch in text:
        if ch.isspace():
            kept.append(" ")
        elif not unicodedata.category(ch).startswith("C"):
            kept.append(ch)
    tidy = " ".join("".join(kept).split())
    tidy = _DIGITS.sub(lambda m: f" {number_words(m.group(), lang=lang)} ", tidy)
    tidy = " ".join(tidy.split())
    if len(tidy) > MAX_NAME:
        cut = tidy[: MAX_NAME + 1]
        tidy = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_NAME]
    return tidy.rstrip(" .,;:")


# ---------------------------------------------------------------- the wait


# The units of a wait: the noun after a number (by the number), and the number's gender.
_MINUTE: dict[str, tuple[Gender, Callable[[int], str]]] = {
    "en": ("n", lambda n: "minute" if n == 1 else "minutes"),
    "tr": ("n", lambda n: "dakika"),  # Turkish keeps the noun singular after a number
    "el": ("n", lambda n: "λεπτό" if n == 1 else "λεπτά"),
    "pl": ("f", lambda n: _pl_form(n, "minuta", "minuty", "minut")),
}
_HOUR: dict[str, tuple[Gender, Callable[[int], str]]] = {
    "en": ("n", lambda n: "hour" if n == 1 else "hours"),
    "tr": ("n", lambda n: "saat"),
    "el": ("f", lambda n: "ώρα" if n == 1 else "ώρες"),
    "pl": ("f", lambda n: _pl_form(n, "godzina", "godziny", "godzin")),
}


def _count(n: int, lang: str, unit: dict[str, tuple[Gender, Callable[[int], str]]]) -> str:
    """``n`` minutes or hours in the nominative: "one minute", "iki dakika", "μία ώρα",
    "dwie minuty"."""
    gender, noun = unit[lang]
    return f"{_num(n, lang, gender)} {noun(n)}"


def _pl_form(n: int, one: str, few: str, many: str) -> str:
    """The Polish noun after ``n``: 1 minuta, 2–4 (not 12–14) minuty, otherwise minut."""
    if n == 1:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


def _duration(minutes: int, lang: str) -> str:
    """ "one hour fifteen minutes", "bir saat on beş dakika", "μία ώρα και δεκαπέντε λεπτά",
    "godzina i piętnaście minut" (a Pole drops "jedna" before the minutes)."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _count(rest, lang, _MINUTE)
    if not rest:
        return _count(hours, lang, _HOUR)
    if lang == "pl":
        head = "godzina" if hours == 1 else _count(hours, lang, _HOUR)
        return f"{head} i {_count(rest, lang, _MINUTE)}"
    joint = {"en": " ", "tr": " ", "el": " και "}[lang]
    return f"{_count(hours, lang, _HOUR)}{joint}{_count(rest, lang, _MINUTE)}"


def _pl_genitive_duration(minutes: int) -> str:
    """Polish after "do" and "od": "minuty", "pięciu minut", "godziny i piętnastu minut",
    "dwóch godzin"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append("godziny" if hours == 1 else f"{polish_genitive(hours, gender='f')} godzin")
    if rest or not hours:
        parts.append("minuty" if rest == 1 else f"{polish_genitive(rest, gender='f')} minut")
    return " i ".join(parts)


_UNDER = {
    "en": "less than a minute",
    "tr": "bir dakikadan az",
    "el": "λιγότερο από ένα λεπτό",
    "pl": "mniej niż minuta",
}
_ROUGH = {
    "en": ", a rough estimate",
    "tr": ", kaba bir tahmin",
    "el": ", πρόχειρη εκτίμηση",
    "pl": ", orientacyjnie",
}
_UP_TO = {"en": "up to {}", "tr": "en fazla {}", "el": "έως {}"}
_RANGE_WORD = {"en": " to ", "tr": " ila ", "el": " έως "}


def _figure_words(figure: WaitFigure, lang: str) -> str:
    high, low = figure.minutes, figure.low_minutes
    if figure.kind == "under":
        return _UNDER[lang]
    if figure.kind == "point":
        return _duration(high, lang)
    if figure.kind == "up_to":
        if lang == "pl":
            return f"do {_pl_genitive_duration(high)}"
        return _UP_TO[lang].format(_duration(high, lang))
    # A range: of minutes ("ten to fifteen minutes"), of whole hours ("one to two hours"),
    # or of two durations ("forty minutes to one hour").
    if high < 60 or figure.whole_hours:
        step, unit = (1, _MINUTE) if high < 60 else (60, _HOUR)
        low, high = low // step, high // step
        gender, noun = unit[lang]
        if lang == "pl":  # "od dziesięciu do piętnastu minut", "od jednej do dwóch godzin"
            low_said, high_said = (
                polish_genitive(low, gender=gender),
                polish_genitive(high, gender=gender),
            )
            return f"od {low_said} do {high_said} {noun(5)}"  # genitive plural: minut, godzin
        between = _RANGE_WORD[lang]
        return f"{_num(low, lang, gender)}{between}{_num(high, lang, gender)} {noun(high)}"
    if lang == "pl":
        return f"od {_pl_genitive_duration(low)} do {_pl_genitive_duration(high)}"
    return f"{_duration(low, lang)}{_RANGE_WORD[lang]}{_duration(high, lang)}"


def spoken_wait(
    lang: str,
    seconds: float,
    *,
    wait_range: WaitRangeS | None = None,
    rough: bool = False,
) -> str:
    """The figure ``format_wait`` shows, said in words: "ten to fifteen minutes", "en fazla
    beş dakika", "μία ώρα και δεκαπέντε λεπτά", "od dziesięciu do piętnastu minut"; a rough
    estimate says so (", a rough estimate"), never under a minute."""
    _check_lang(lang)
    figure = wait_figure(seconds, wait_range, rough=rough)
    text = _figure_words(figure, lang)
    return text + _ROUGH[lang] if figure.rough else text


# ---------------------------------------------------------------- clock times

_PL_HOURS = (
    "zero pierwsza druga trzecia czwarta piąta szósta siódma ósma dziewiąta dziesiąta"
    " jedenasta dwunasta trzynasta czternasta piętnasta szesnasta siedemnasta osiemnasta"
    " dziewiętnasta dwudziesta"
).split()


def _pl_hour(hour: int, *, at: bool) -> str:
    """A Polish hour as an ordinal ("dziewiąta"), in the locative after "o" ("dziewiątej")."""
    words = [_PL_HOURS[hour]] if hour <= 20 else ["dwudziesta", _PL_HOURS[hour - 20]]
    if at:
        # pierwsza → pierwszej, trzecia → trzeciej, druga → drugiej
        words = [w if w == "zero" else w[:-1] + ("iej" if w[-2] == "g" else "ej") for w in words]
    return " ".join(words)


def _tr_locative(word: str) -> str:
    """The Turkish locative of a number word: "dokuz" → "dokuzda", "beş" → "beşte"."""
    vowels = [ch for ch in word if ch in "aıoueiöü"]
    back = vowels[-1] in "aıou" if vowels else False
    hard = word[-1] in "çfhkpsşt"
    return word + ("t" if hard else "d") + ("a" if back else "e")


def _parse_time(hhmm: str) -> tuple[int, int]:
    match = _HHMM.fullmatch(hhmm) if isinstance(hhmm, str) else None
    if match is None:
        raise ValueError(f"not a time HH:MM: {hhmm!r}")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"not a time of day 00:00-23:59: {hhmm!r}")
    return hour, minute


def time_words(lang: str, hhmm: str, *, at: bool = False) -> str:
    """A clock time "HH:MM" (00:00–23:59) as said in ``lang``; with ``at``, as it follows
    "we open again ...", with the language's "at":

    - en, twelve-hour with the part of the day: "nine thirty in the morning", "at one o'clock
      in the afternoon", "nine oh five in the morning", "midday", "midnight", "twelve thirty
      at night";
    - tr, as the clock shows it: "dokuz otuz", "on üç", at "saat dokuz otuzda";
    - el, feminine hours (ώρα): "εννέα και μισή", "μία και δέκα", at "στις εννέα και μισή",
      "στη μία", "στις δώδεκα τα μεσάνυχτα";
    - pl, ordinal hours: "dziewiąta trzydzieści", at (locative) "o dziewiątej trzydzieści".
    """
    _check_lang(lang)
    hour, minute = _parse_time(hhmm)
    if lang == "en":
        if minute == 0 and hour in (0, 12):
            said = "midnight" if hour == 0 else "midday"
        else:
            clock = number_words(hour % 12 or 12, lang="en")
            if minute == 0:
                clock += " o'clock"
            elif minute < 10:
                clock += f" oh {number_words(minute, lang='en')}"
            else:
                clock += f" {number_words(minute, lang='en')}"
            part = (
                "at night"
                if hour == 0
                else "in the morning"
                if hour < 12
                else "in the afternoon"
                if hour < 18
                else "in the evening"
            )
            said = f"{clock} {part}"
        return f"at {said}" if at else said
    if lang == "tr":
        if (hour, minute) == (0, 0):
            return "gece yarısı"
        words = number_words(hour, lang="tr").split()
        if minute:
            if minute < 10:
                words.append("sıfır")
            words += number_words(minute, lang="tr").split()
        if at:
            words[-1] = _tr_locative(words[-1])
            return "saat " + " ".join(words)
        return " ".join(words)
    if lang == "el":
        said = number_words(hour or 12, lang="el", gender="f")
        if minute == 30:
            said += " και μισή"
        elif minute:
            said += f" και {number_words(minute, lang='el')}"
        if hour == 0:  # "δώδεκα και μισή τα μεσάνυχτα"
            said += " τα μεσάνυχτα"
        if at:
            return ("στη " if hour == 1 else "στις ") + said
        return said
    if (hour, minute) == (0, 0):
        return "o północy" if at else "północ"
    said = _pl_hour(hour, at=at)
    if minute:
        said += (" zero " if minute < 10 else " ") + number_words(minute, lang="pl")
    return f"o {said}" if at else said


_DAY_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "today": "today",
        "tomorrow": "tomorrow",
        "monday": "on Monday",
        "tuesday": "on Tuesday",
        "wednesday": "on Wednesday",
        "thursday": "on Thursday",
        "friday": "on Friday",
        "saturday": "on Saturday",
        "sunday": "on Sunday",
    },
    "tr": {
        "today": "bugün",
        "tomorrow": "yarın",
        "monday": "Pazartesi günü",
        "tuesday": "Salı günü",
        "wednesday": "Çarşamba günü",
        "thursday": "Perşembe günü",
        "friday": "Cuma günü",
        "saturday": "Cumartesi günü",
        "sunday": "Pazar günü",
    },
    "el": {
        "today": "σήμερα",
        "tomorrow": "αύριο",
        "monday": "τη Δευτέρα",
        "tuesday": "την Τρίτη",
        "wednesday": "την Τετάρτη",
        "thursday": "την Πέμπτη",
        "friday": "την Παρασκευή",
        "saturday": "το Σάββατο",
        "sunday": "την Κυριακή",
    },
    "pl": {
        "today": "dziś",
        "tomorrow": "jutro",
        "monday": "w poniedziałek",
        "tuesday": "we wtorek",
        "wednesday": "w środę",
        "thursday": "w czwartek",
        "friday": "w piątek",
        "saturday": "w sobotę",
        "sunday": "w niedzielę",
    },
}


# ---------------------------------------------------------------- keys, language, volume

_KEYS = {
    "en": (
        "To move between options, use the arrow keys or Tab. Enter chooses. Escape goes back."
        " Plus and minus change the volume."
        " The question mark key, or F one, tells you again where you are."
    ),
    # espeak-ng's Turkish voice reads "Escape" and "Esc" letter by letter as Turkish
    # ("esdʒape"); "Eskeyp" is how the key's name is said.
    "tr": (
        "Seçenekler arasında geçmek için ok tuşlarını ya da Tab tuşunu kullanın."
        " Seçmek için Enter tuşuna basın. Geri dönmek için Eskeyp tuşuna basın."
        " Artı ve eksi tuşları ses düzeyini değiştirir."
        " Soru işareti tuşu ya da F bir tuşu, nerede olduğunuzu yeniden söyler."
    ),
    # Latin key names are left in Latin: the Greek voice says them in English, as Greeks do.
    "el": (
        "Με τα πλήκτρα βέλους ή το Tab μετακινείστε ανάμεσα στις επιλογές."
        " Με το Enter επιλέγετε. Με το Escape επιστρέφετε."
        " Το συν και το πλην αλλάζουν την ένταση."
        " Το πλήκτρο ερωτηματικό ή το F ένα σας λέει ξανά πού βρίσκεστε."
    ),
    "pl": (
        "Strzałkami lub klawiszem Tab przechodzisz między opcjami. Enter wybiera."
        " Escape cofa. Plus i minus zmieniają głośność."
        " Klawisz ze znakiem zapytania albo F jeden przypomina, gdzie jesteś."
    ),
}


def keys_help(lang: str) -> str:
    """How to use the keypad: arrows or Tab move, Enter chooses, Escape goes back, plus and
    minus change the volume, the question mark key (or F1) repeats where you are."""
    _check_lang(lang)
    return _KEYS[lang]


_LANGUAGE = {
    "en": "English. Press Enter to choose.",
    "tr": "Türkçe. Seçmek için Enter tuşuna basın.",
    "el": "Ελληνικά. Πατήστε Enter για να επιλέξετε.",
    "pl": "Polski. Naciśnij Enter, aby wybrać.",
}


def language(lang: str) -> str:
    """The language named in itself, and "press Enter to choose" in it (said in its voice)."""
    _check_lang(lang)
    return _LANGUAGE[lang]


_VOLUME = {"en": "Volume {}.", "tr": "Ses düzeyi {}.", "el": "Ένταση {}.", "pl": "Głośność {}."}


def volume(lang: str, level: int) -> str:
    """The volume just set, 1–10: "Volume seven."."""
    _check_lang(lang)
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 10:
        raise ValueError(f"not a volume level 1-10: {level!r}")
    return _VOLUME[lang].format(number_words(level, lang=lang))


_AUDIO_MODE = {
    "en": (
        "Loudspeaker: speech is heard through the kiosk's loudspeaker.",
        "Headphones: speech is now heard only in your headphones.",
    ),
    "tr": (
        "Hoparlör: sesli rehber kioskun hoparlöründen duyulur.",
        "Kulaklık: sesli rehber artık yalnızca kulaklığınızdan duyulur.",
    ),
    "el": (
        "Ηχείο: η φωνή ακούγεται από το ηχείο του μηχανήματος.",
        "Ακουστικά: η φωνή ακούγεται πλέον μόνο στα ακουστικά σας.",
    ),
    "pl": (
        "Głośnik: komunikaty głosowe słychać z głośnika kiosku.",
        "Słuchawki: komunikaty głosowe słychać teraz tylko w słuchawkach.",
    ),
}


def audio_mode(lang: str, private: bool) -> str:
    """Where speech is heard now: only in headphones (``private``), or aloud."""
    _check_lang(lang)
    return _AUDIO_MODE[lang][bool(private)]


# ---------------------------------------------------------------- controls

_CONTROLS: dict[str, dict[str, str]] = {
    "en": {
        "priority_entry": "Priority service, for senior, disabled or pregnant customers.",
        "reason_elderly": "Senior customer.",
        "reason_disabled": "Customer with a disability.",
        "reason_pregnant": "Pregnant customer.",
        "back": "Back.",
        "cancel": "Cancel.",
        "done": "Done.",
        "try_again": "Try again.",
        "unserved_take": "Take a ticket anyway.",
        "more_time": "More time.",
        "large_text": "Large text",
        "high_contrast": "High contrast",
        "speech": "Read aloud",
    },
    "tr": {
        "priority_entry": "Öncelikli hizmet, yaşlı, engelli ve hamile müşterilerimiz için.",
        "reason_elderly": "Yaşlı müşteri.",
        "reason_disabled": "Engelli müşteri.",
        "reason_pregnant": "Hamile müşteri.",
        "back": "Geri.",
        "cancel": "Vazgeç.",
        "done": "Tamam.",
        "try_again": "Tekrar dene.",
        "unserved_take": "Yine de sıra numarası al.",
        "more_time": "Daha fazla zaman.",
        "large_text": "Büyük yazı",
        "high_contrast": "Yüksek kontrast",
        "speech": "Sesli rehber",
    },
    "el": {
        "priority_entry": (
            "Εξυπηρέτηση κατά προτεραιότητα, για ηλικιωμένους, άτομα με αναπηρία και εγκύους."
        ),
        "reason_elderly": "Πελάτης τρίτης ηλικίας.",
        "reason_disabled": "Πελάτης με αναπηρία.",
        "reason_pregnant": "Έγκυος.",
        "back": "Πίσω.",
        "cancel": "Ακύρωση.",
        "done": "Εντάξει.",
        "try_again": "Δοκιμάστε ξανά.",
        "unserved_take": "Πάρτε αριθμό παρ' όλα αυτά.",
        "more_time": "Περισσότερος χρόνος.",
        "large_text": "Μεγάλα γράμματα",
        "high_contrast": "Υψηλή αντίθεση",
        "speech": "Ανάγνωση φωναχτά",
    },
    "pl": {
        "priority_entry": (
            "Obsługa priorytetowa, dla seniorów, osób z niepełnosprawnością i kobiet w ciąży."
        ),
        "reason_elderly": "Senior.",
        "reason_disabled": "Osoba z niepełnosprawnością.",
        "reason_pregnant": "Kobieta w ciąży.",
        "back": "Wstecz.",
        "cancel": "Anuluj.",
        "done": "Gotowe.",
        "try_again": "Spróbuj ponownie.",
        "unserved_take": "Pobierz bilet mimo to.",
        "more_time": "Więcej czasu.",
        "large_text": "Duży tekst",
        "high_contrast": "Wysoki kontrast",
        "speech": "Czytanie na głos",
    },
}
# A toggle's state, agreeing with its label: (on, off).
_TOGGLE_STATE: dict[str, dict[str, tuple[str, str]]] = {
    "en": {key: ("on", "off") for key in ("large_text", "high_contrast", "speech")},
    "tr": {key: ("açık", "kapalı") for key in ("large_text", "high_contrast", "speech")},
    "el": {
        "large_text": ("ενεργοποιημένα", "απενεργοποιημένα"),  # τα γράμματα
        "high_contrast": ("ενεργοποιημένη", "απενεργοποιημένη"),  # η αντίθεση
        "speech": ("ενεργοποιημένη", "απενεργοποιημένη"),  # η ανάγνωση
    },
    "pl": {
        "large_text": ("włączony", "wyłączony"),  # tekst
        "high_contrast": ("włączony", "wyłączony"),  # kontrast
        "speech": ("włączone", "wyłączone"),  # czytanie
    },
}


def control(lang: str, key: str, *, pressed: bool | None = None) -> str:
    """A button's spoken label; a toggle (large_text, high_contrast, speech) adds its state
    from ``pressed`` ("Large text: on."), other buttons ignore it."""
    _check_lang(lang)
    if key not in CONTROLS:
        raise ValueError(f"no such control: {key!r}")
    label = _CONTROLS[lang][key]
    states = _TOGGLE_STATE[lang].get(key)
    if states is None:
        return label
    if pressed is None:
        return f"{label}."
    return f"{label}: {states[0] if pressed else states[1]}."


# ---------------------------------------------------------------- screens


def _closed(lang: str, day: str | None, time: str | None) -> str:
    title = {"en": "Closed.", "tr": "Kapalı.", "el": "Κλειστό.", "pl": "Nieczynne."}[lang]
    thanks = {
        "en": "Thank you for your visit.",
        "tr": "Ziyaretiniz için teşekkür ederiz.",
        "el": "Σας ευχαριστούμε για την επίσκεψή σας.",
        "pl": "Dziękujemy za wizytę.",
    }[lang]
    if day is None and time is None:
        not_now = {
            "en": "Tickets are not being issued at the moment.",
            "tr": "Şu anda sıra numarası verilmiyor.",
            "el": "Αυτή τη στιγμή δεν εκδίδονται αριθμοί.",
            "pl": "Obecnie nie wydajemy biletów.",
        }[lang]
        return _join(title, not_now, thanks)
    when = " ".join(
        part
        for part in (
            _DAY_WORDS[lang][day] if day else "",
            time_words(lang, time, at=True) if time else "",
        )
        if part
    )
    opens = {
        "en": "We open again {}.",
        "tr": "{} yeniden açılıyoruz.",
        "el": "Ανοίγουμε ξανά {}.",
        "pl": "Ponownie otwieramy {}.",
    }[lang].format(when)
    return _join(title, _cap(opens, lang), thanks)


_UNSERVED = {
    "en": (
        "No counter is serving this right now. You can still take a ticket, but we cannot"
        " say how long you will wait. Take a ticket anyway, or cancel."
    ),
    "tr": (
        "Bu işlem için şu anda açık gişe yok. Sıra numarası alırsanız ne kadar"
        " bekleyeceğinizi söyleyemiyoruz. Yine de sıra numarası alabilir ya da"
        " vazgeçebilirsiniz."
    ),
    "el": (
        "Καμία θυρίδα δεν εξυπηρετεί αυτή την υπηρεσία αυτή τη στιγμή. Αν πάρετε αριθμό,"
        " δεν μπορούμε να πούμε πόσο θα περιμένετε. Μπορείτε να πάρετε αριθμό παρ' όλα"
        " αυτά ή να ακυρώσετε."
    ),
    "pl": (
        "Żadne stanowisko nie obsługuje teraz tej usługi. Możesz mimo to pobrać bilet, ale"
        " nie wiemy, jak długo potrwa oczekiwanie. Pobierz bilet mimo to albo anuluj."
    ),
}


_SCREENS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Welcome. Please choose a service.",
        "priority_service": "Priority ticket. Please choose a service.",
        "priority": "Priority service. Please choose what applies to you.",
        "not_issued": (
            "Your ticket was not issued. We could not reach the bank's system."
            " Please try again, or cancel."
        ),
        "unavailable": (
            "Tickets for this service cannot be issued right now. Please ask a member of staff."
        ),
        "cut_off": (
            "No more tickets are issued for this service today."
            " If you need help, please ask a member of staff."
        ),
        "idle": "Do you need more time? Press any key or touch the screen to continue.",
        "offline": ("No connection to the bank's system. Tickets cannot be issued at the moment."),
    },
    "tr": {
        "home": "Hoş geldiniz. Lütfen bir işlem seçin.",
        "priority_service": "Öncelikli sıra. Lütfen bir işlem seçin.",
        "priority": "Öncelikli hizmet. Lütfen size uygun olanı seçin.",
        "not_issued": (
            "Sıra numaranız alınamadı. Banka sistemine ulaşılamadı."
            " Lütfen tekrar deneyin ya da vazgeçin."
        ),
        "unavailable": (
            "Bu işlem için şu anda sıra numarası verilemiyor. Lütfen bir görevliye danışın."
        ),
        "cut_off": (
            "Bu işlem için bugün artık sıra numarası verilmiyor."
            " Yardım için lütfen bir görevliye danışın."
        ),
        "idle": (
            "Daha fazla zamana ihtiyacınız var mı? Devam etmek için herhangi bir tuşa basın"
            " ya da ekrana dokunun."
        ),
        "offline": "Banka sistemine bağlantı yok. Şu anda sıra numarası verilemiyor.",
    },
    "el": {
        "home": "Καλώς ήρθατε. Παρακαλούμε επιλέξτε υπηρεσία.",
        "priority_service": "Αριθμός προτεραιότητας. Παρακαλούμε επιλέξτε υπηρεσία.",
        "priority": ("Εξυπηρέτηση κατά προτεραιότητα. Παρακαλούμε επιλέξτε ό,τι ισχύει για εσάς."),
        "not_issued": (
            "Ο αριθμός σας δεν εκδόθηκε. Δεν ήταν δυνατή η σύνδεση με το σύστημα της"
            " τράπεζας. Παρακαλούμε δοκιμάστε ξανά ή ακυρώστε."
        ),
        "unavailable": (
            "Δεν εκδίδονται αριθμοί για αυτή την υπηρεσία αυτή τη στιγμή."
            " Παρακαλούμε απευθυνθείτε στο προσωπικό."
        ),
        "cut_off": (
            "Για αυτή την υπηρεσία δεν εκδίδονται άλλοι αριθμοί σήμερα."
            " Αν χρειάζεστε βοήθεια, παρακαλούμε απευθυνθείτε στο προσωπικό."
        ),
        "idle": (
            f"Χρειάζεστε περισσότερο χρόνο{_GREEK_QUESTION} Πατήστε οποιοδήποτε πλήκτρο ή"
            " αγγίξτε την οθόνη για να συνεχίσετε."
        ),
        "offline": (
            "Δεν υπάρχει σύνδεση με το σύστημα της τράπεζας. Δεν εκδίδονται αριθμοί αυτή τη στιγμή."
        ),
    },
    "pl": {
        "home": "Witamy. Proszę wybrać usługę.",
        "priority_service": "Bilet priorytetowy. Proszę wybrać usługę.",
        "priority": "Obsługa priorytetowa. Proszę wybrać odpowiednią opcję.",
        "not_issued": (
            "Bilet nie został wydany. Nie udało się połączyć z systemem banku."
            " Proszę spróbować ponownie albo anulować."
        ),
        "unavailable": (
            "Obecnie nie można pobrać biletu do tej usługi. Proszę zwrócić się do pracownika."
        ),
        "cut_off": (
            "Do tej usługi nie wydajemy już dziś biletów."
            " W razie potrzeby prosimy zwrócić się do pracownika."
        ),
        "idle": (
            "Potrzebujesz więcej czasu? Naciśnij dowolny klawisz lub dotknij ekranu,"
            " aby kontynuować."
        ),
        "offline": "Brak połączenia z systemem banku. W tej chwili nie można wydać biletu.",
    },
}
# Screens about one service start with its name, when the caller gives it.
_NAMED_SCREENS = ("unserved", "unavailable", "cut_off")


def screen(
    lang: str,
    name: str,
    *,
    service: str | None = None,
    day: str | None = None,
    time: str | None = None,
) -> str:
    """What the customer hears on arriving at screen ``name`` (one of ``SCREENS``).

    ``service`` (a service's name) starts the screens about one service: "unserved",
    "unavailable", "cut_off". ``day`` ("today", "tomorrow", "monday" … "sunday") and ``time``
    ("HH:MM") say when a "closed" kiosk opens again; without either it says that tickets
    are not being issued at the moment. Other screens ignore them, but they are checked.
    """
    _check_lang(lang)
    if name not in SCREENS:
        raise ValueError(f"no such screen: {name!r}")
    if day is not None and day not in DAYS:
        raise ValueError(f"no such day: {day!r}")
    if time is not None:
        _parse_time(time)
    if name == "closed":
        return _closed(lang, day, time)
    text = _UNSERVED[lang] if name == "unserved" else _SCREENS[lang][name]
    said_name = _name(service, lang) if name in _NAMED_SCREENS else ""
    return _join(f"{said_name}." if said_name else "", text)


# ---------------------------------------------------------------- a service, a ticket


def _people_waiting(lang: str, n: int) -> str:
    if lang == "en":
        if n == 0:
            return "No queue."
        return _cap(f"{_num(n, lang)} {'person' if n == 1 else 'people'} waiting.", lang)
    if lang == "tr":
        return "Sıra yok." if n == 0 else _cap(f"{_num(n, lang)} kişi bekliyor.", lang)
    if lang == "el":
        if n == 0:
            return "Χωρίς ουρά."
        said = (
            f"{_num(n, lang)} άτομο περιμένει." if n == 1 else f"{_num(n, lang)} άτομα περιμένουν."
        )
        return _cap(said, lang)
    if n == 0:
        return "Brak kolejki."
    form = _pl_form(n, "osoba czeka", "osoby czekają", "osób czeka")
    return _cap(f"{_num(n, lang, 'f')} {form}.", lang)


def _people_ahead(lang: str, n: int) -> str:
    if lang == "en":
        if n == 0:
            return "No one ahead of you."
        return _cap(f"{_num(n, lang)} {'person' if n == 1 else 'people'} ahead of you.", lang)
    if lang == "tr":
        return "Önünüzde kimse yok." if n == 0 else f"Önünüzde {_num(n, lang)} kişi var."
    if lang == "el":
        if n == 0:
            return "Δεν υπάρχει κανείς πριν από εσάς."
        if n == 1:
            return "Υπάρχει ένα άτομο πριν από εσάς."
        return f"Υπάρχουν {_num(n, lang)} άτομα πριν από εσάς."
    if n == 0:
        return "Nikt nie czeka przed Tobą."
    form = _pl_form(n, "czeka jedna osoba", "czekają {} osoby", "czeka {} osób")
    return f"Przed Tobą {form.format(_num(n, lang, 'f'))}."


_ESTIMATED = {
    "en": "Estimated wait: {}.",
    "tr": "Tahmini bekleme süresi: {}.",
    "el": "Εκτιμώμενη αναμονή: {}.",
    "pl": "Szacowany czas oczekiwania: {}.",
}
_NOT_KNOWN = {
    "en": "not known yet",
    "tr": "henüz bilinmiyor",
    "el": "δεν είναι γνωστή ακόμη",
    "pl": "jeszcze nieznany",
}
# A quote of nothing at all: the screen's chip says "No wait" (kiosk_ui/strings.js wait_none).
_NO_WAIT = {
    "en": "No wait.",
    "tr": "Beklemeden.",
    "el": "Χωρίς αναμονή.",
    "pl": "Bez czekania.",
}
_SERVICE_STATE = {
    "en": {
        "unserved": "Not served right now.",
        "closed": "Closed now.",
        "cut_off": "No more tickets today.",
    },
    "tr": {
        "unserved": "Şu anda hizmet verilmiyor.",
        "closed": "Şu anda kapalı.",
        "cut_off": "Bugün için sıra numarası verilmiyor.",
    },
    "el": {
        "unserved": "Δεν εξυπηρετείται αυτή τη στιγμή.",
        "closed": "Κλειστό αυτή τη στιγμή.",
        "cut_off": "Δεν εκδίδονται άλλοι αριθμοί σήμερα.",
    },
    "pl": {
        "unserved": "Obecnie nikt nie obsługuje.",
        "closed": "Obecnie nieczynne.",
        "cut_off": "Dziś nie wydajemy już biletów.",
    },
}
_PRIORITY_TICKET = {
    "en": "priority ticket",
    "tr": "öncelikli sıra",
    "el": "αριθμός προτεραιότητας",
    "pl": "bilet priorytetowy",
}


def _service_title(lang: str, name: str, priority: bool) -> str:
    """ "Cash deposits." or "Cash deposits, priority ticket." (the name as given)."""
    said = _name(name, lang)
    if priority:
        said = f"{said}, {_PRIORITY_TICKET[lang]}" if said else _cap(_PRIORITY_TICKET[lang], lang)
    return f"{said}." if said else ""


def _check_count(n: int, what: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"not a count of {what}: {n!r}")


def service(
    lang: str,
    *,
    name: str,
    state: ServiceState,
    waiting: int,
    wait_s: float | None,
    wait_range: WaitRangeS | None = None,
    rough: bool = False,
    priority: bool = False,
) -> str:
    """A service as its button shows it: "Cash deposits. Three people waiting. Estimated
    wait: ten to fifteen minutes." A wait of 0 (and no range) is "No wait.", as the screen
    says it. An open service without a quote (``wait_s`` None), or
    one no counter serves, is "Not served right now."; a closed one "Closed now."; one that
    issues no more tickets today "No more tickets today."."""
    _check_lang(lang)
    if state not in _SERVICE_STATE["en"] and state != "open":
        raise ValueError(f"no such service state: {state!r}")
    _check_count(waiting, "people waiting")
    title = _service_title(lang, name, priority)
    if state in ("closed", "cut_off"):
        return _join(title, _SERVICE_STATE[lang][state])
    if state == "unserved" or wait_s is None:
        wait = _SERVICE_STATE[lang]["unserved"]
    elif not wait_s and not wait_range:
        wait = _NO_WAIT[lang]
    else:
        said = spoken_wait(lang, wait_s, wait_range=wait_range, rough=rough)
        wait = _ESTIMATED[lang].format(said)
    return _join(title, _people_waiting(lang, waiting), wait)


_YOUR_NUMBER = {
    "en": "Your number is {}.",
    "tr": "Sıra numaranız {}.",
    "el": "Ο αριθμός σας είναι {}.",
    "pl": "Twój numer to {}.",
}
# Without the number (the kiosk speaks aloud and keeps it private): where to find it.
_NUMBER_PRIVATE = {
    "en": (
        "Your number is printed on your ticket.",
        "Your number is shown on the screen.",
        "For your privacy it is read out only through headphones;"
        " press the question mark key to hear it aloud.",
    ),
    "tr": (
        "Sıra numaranız fişinizde yazılı.",
        "Sıra numaranız ekranda gösteriliyor.",
        "Gizliliğiniz için numaranız yalnızca kulaklıktan okunur."
        " Sesli dinlemek için soru işareti tuşuna basın.",
    ),
    "el": (
        "Ο αριθμός σας είναι τυπωμένος στο χαρτάκι σας.",
        "Ο αριθμός σας εμφανίζεται στην οθόνη.",
        "Για την ιδιωτικότητά σας, διαβάζεται μόνο στα ακουστικά."
        " Πατήστε το πλήκτρο ερωτηματικό για να τον ακούσετε δυνατά.",
    ),
    "pl": (
        "Twój numer jest wydrukowany na bilecie.",
        "Twój numer jest widoczny na ekranie.",
        "Ze względu na prywatność numer jest odczytywany tylko w słuchawkach."
        " Aby usłyszeć go na głos, naciśnij klawisz ze znakiem zapytania.",
    ),
}
_PRINTED = {
    "en": "Please take your ticket below.",
    "tr": "Lütfen sıra fişinizi aşağıdan alın.",
    "el": "Παρακαλούμε πάρτε το χαρτάκι σας από κάτω.",
    "pl": "Proszę odebrać bilet poniżej.",
}
_PRINT_FAILED = {
    "en": "The printer is not working.",
    "tr": "Yazıcı çalışmıyor.",
    "el": "Ο εκτυπωτής δεν λειτουργεί.",
    "pl": "Drukarka nie działa.",
}
# After a failed print the number must be remembered; without a printer, noted.
_KEEP_NUMBER = {
    "en": ("Please remember your number", "Please note your number"),
    "tr": ("Lütfen numaranızı unutmayın", "Lütfen numaranızı not alın"),
    "el": (
        "Παρακαλούμε θυμηθείτε τον αριθμό σας",
        "Παρακαλούμε σημειώστε τον αριθμό σας",
    ),
    "pl": ("Proszę zapamiętać swój numer", "Proszę zapisać swój numer"),
}
_WHEN_CALLED = {
    "en": "When your number is called, go to the counter shown on the screen.",
    "tr": "Numaranız çağrıldığında lütfen ekranda belirtilen gişeye gidin.",
    "el": (
        "Όταν κληθεί ο αριθμός σας, παρακαλούμε πηγαίνετε στη θυρίδα που αναγράφεται στην οθόνη."
    ),
    "pl": ("Gdy Twój numer zostanie wywołany, proszę podejść do stanowiska wskazanego na ekranie."),
}
_FINISH = {
    "en": "Press Enter to finish.",
    "tr": "Bitirmek için Enter tuşuna basın.",
    "el": "Πατήστε Enter για να ολοκληρώσετε.",
    "pl": "Naciśnij Enter, aby zakończyć.",
}


def ticket(
    lang: str,
    *,
    code: str | None,
    service: str,
    ahead: int,
    wait_s: float | None,
    wait_range: WaitRangeS | None = None,
    rough: bool = False,
    unserved: bool = False,
    print_status: PrintStatus,
    priority: bool = False,
) -> str:
    """The confirmation of a ticket just issued: its number, service, the people ahead, the
    wait, what the printer did, where to go, how to finish.

    ``code`` None keeps the number out of what is said (the kiosk speaks through its
    loudspeaker): the customer is told where to find it and how to hear it. A failed print
    (or none) asks the customer to remember (note) the number, said again when known.
    """
    _check_lang(lang)
    if print_status not in ("printed", "failed", "none"):
        raise ValueError(f"no such print status: {print_status!r}")
    _check_count(ahead, "people ahead")
    said_code = code_words(code, lang=lang) if code is not None else ""
    if code is not None and not said_code:
        raise ValueError(f"not a ticket code: {code!r}")
    if said_code:
        number = _YOUR_NUMBER[lang].format(said_code)
    else:
        on_ticket, on_screen, privacy = _NUMBER_PRIVATE[lang]
        number = _join(on_ticket if print_status == "printed" else on_screen, privacy)
    if unserved or wait_s is None:
        wait = _ESTIMATED[lang].format(_NOT_KNOWN[lang])
    elif not wait_s and not wait_range:
        wait = _NO_WAIT[lang]
    else:
        said = spoken_wait(lang, wait_s, wait_range=wait_range, rough=rough)
        wait = _ESTIMATED[lang].format(said)
    if print_status == "printed":
        paper = _PRINTED[lang]
    else:
        keep = _KEEP_NUMBER[lang][0 if print_status == "failed" else 1]
        keep = f"{keep}: {said_code}." if said_code else f"{keep}."
        paper = _join(_PRINT_FAILED[lang] if print_status == "failed" else "", keep)
    return _join(
        number,
        _service_title(lang, service, priority),
        _people_ahead(lang, ahead),
        wait,
        paper,
        _WHEN_CALLED[lang],
        _FINISH[lang],
    )
