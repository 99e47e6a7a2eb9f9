"""The words printed on a ticket, per language, with ASCII punctuation only; and the wait as
customers read it, on paper and (the same rule, in ui_common/wait.js) on the screens.

Thermal printer code pages have no typographic quotes or dashes, so none are used in the
labels; the one dash of the wait wording (a range, "10–15 minutes") is printed as "-"
(``paper_text``). Unknown languages fall back to English rather than failing a ticket.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Labels:
    people_ahead: str
    estimated_wait: str
    issued: str
    priority: str
    reprint: str
    scan: str
    date_format: str  # strftime, numeric only: month names would need a locale database


LABELS: dict[str, Labels] = {
    "en": Labels(
        people_ahead="People ahead of you",
        estimated_wait="Estimated wait",
        issued="Issued",
        priority="PRIORITY",
        reprint="REPRINT",
        scan="Scan to follow your turn",
        date_format="%d/%m/%Y %H:%M",
    ),
    "tr": Labels(
        people_ahead="Önünüzdeki kişi sayısı",
        estimated_wait="Tahmini bekleme süresi",
        issued="Tarih",
        priority="ÖNCELİKLİ",
        reprint="TEKRAR BASKI",
        scan="Sıranızı takip etmek için okutun",
        date_format="%d.%m.%Y %H:%M",
    ),
    "el": Labels(
        people_ahead="Άτομα μπροστά σας",
        estimated_wait="Εκτιμώμενη αναμονή",
        issued="Ημερομηνία",
        priority="ΠΡΟΤΕΡΑΙΟΤΗΤΑ",
        reprint="ΑΝΑΤΥΠΩΣΗ",
        scan="Σαρώστε για να δείτε τη σειρά σας",
        date_format="%d/%m/%Y %H:%M",
    ),
    "pl": Labels(
        people_ahead="Osób przed Tobą",
        estimated_wait="Szacowany czas oczekiwania",
        issued="Data",
        priority="PRIORYTET",
        reprint="DUPLIKAT",
        scan="Zeskanuj, aby śledzić swoją kolejkę",
        date_format="%d.%m.%Y %H:%M",
    ),
}


def labels_for(lang: str) -> Labels:
    return LABELS.get(lang, LABELS["en"])


def format_issued(lang: str, when: dt.datetime) -> str:
    """Date and time in the language's usual numeric order (day first everywhere we ship)."""
    return when.strftime(labels_for(lang).date_format)


# --- the wait, in words ---------------------------------------------------------------------
#
# One rule, written twice: here (``wait_figure``) for the paper and the kiosk's spoken
# guidance (drivers/speech/guidance.py), and in ui_common/wait.js for the screens, all held
# to tests/fixtures/wait_wording.json.
#
# A point estimate s: under a minute in words; under 10 minutes in whole minutes rounded up;
# under an hour to the nearest 5 minutes; then hours and minutes to the nearest 15. A range
# [low, high]: both ends on the step of the high end (1, 5 or 15 minutes), low rounded down
# and high up; one figure when they meet, "up to" when low comes to 0. A rough estimate says
# so, except under a minute.

#: Between the two ends of a range. Code pages lack it: the ticket prints "-" (paper_text).
RANGE_DASH = "\u2013"


@dataclass(frozen=True)
class WaitWords:
    under_a_minute: str
    minute: dict[str, str]  # by plural category: one, few, many, other
    hour: dict[str, str]
    hours_and: str  # between hours and minutes
    up_to: str
    rough: str
    # The forms after ``up_to`` where the language declines them (Polish "do" + genitive).
    up_to_minute: dict[str, str] | None = None
    up_to_hour: dict[str, str] | None = None


WAIT_WORDS: dict[str, WaitWords] = {
    "en": WaitWords(
        under_a_minute="less than a minute",
        minute={"one": "minute", "other": "minutes"},
        hour={"one": "hour", "other": "hours"},
        hours_and=" ",
        up_to="up to {}",
        rough="{} (rough estimate)",
    ),
    "tr": WaitWords(
        under_a_minute="1 dakikadan az",
        # Turkish keeps the noun singular after a number.
        minute={"one": "dakika", "other": "dakika"},
        hour={"one": "saat", "other": "saat"},
        hours_and=" ",
        up_to="en fazla {}",
        rough="{} (kaba tahmin)",
    ),
    "el": WaitWords(
        under_a_minute="λιγότερο από ένα λεπτό",
        minute={"one": "λεπτό", "other": "λεπτά"},
        hour={"one": "ώρα", "other": "ώρες"},
        hours_and=" και ",
        up_to="έως {}",
        rough="{} (πρόχειρη εκτίμηση)",
    ),
    "pl": WaitWords(
        under_a_minute="mniej niż minuta",
        minute={"one": "minuta", "few": "minuty", "many": "minut"},
        hour={"one": "godzina", "few": "godziny", "many": "godzin"},
        hours_and=" ",
        up_to="do {}",
        rough="{} (orientacyjnie)",
        up_to_minute={"one": "minuty", "other": "minut"},
        up_to_hour={"one": "godziny", "other": "godzin"},
    ),
}


#: What a wait figure is: under a minute; one figure; "up to" a figure; or a range.
WaitKind = Literal["under", "point", "up_to", "range"]
#: A wait's range as the estimate gives it, in seconds: [low, high].
WaitRangeS = tuple[float, float] | list[float]


@dataclass(frozen=True)
class WaitFigure:
    """A wait rounded for people (the rule above), before it is put into words.

    ``minutes`` is the figure of a point, or the high end of "up to" and of a range (1 for
    "under": less than one minute); ``low_minutes`` is a range's low end (0 otherwise).
    ``rough`` says the figure is to be called a rough estimate (never one under a minute).
    """

    kind: WaitKind
    minutes: int
    low_minutes: int = 0
    rough: bool = False

    @property
    def whole_hours(self) -> bool:
        """A range of whole hours, worded once with the unit: "1–2 hours"."""
        return (
            self.kind == "range"
            and self.minutes >= 60
            and self.low_minutes % 60 == 0 == (self.minutes % 60)
        )


def wait_figure(
    seconds: float, wait_range: WaitRangeS | None = None, *, rough: bool = False
) -> WaitFigure:
    """The wait a customer is told, as figures: the one rounding rule of the paper, the
    screens and the kiosk's spoken guidance (which words it with ``drivers.speech``)."""
    if wait_range is not None:
        low_s, high_s = sorted((max(wait_range[0], 0), max(wait_range[1], 0)))
        if high_s < 60:
            return WaitFigure("under", 1)
        step = 1 if high_s < 600 else 5 if high_s < 3600 else 15
        low = step * math.floor(low_s / (60 * step))
        high = step * math.ceil(high_s / (60 * step))
        if low == high:
            return WaitFigure("point", high, rough=rough)
        if low == 0:
            return WaitFigure("up_to", high, rough=rough)
        return WaitFigure("range", high, low, rough=rough)
    s = max(seconds, 0)
    if s < 60:
        return WaitFigure("under", 1)
    if s < 600:
        minutes = math.ceil(s / 60)
    elif s < 3600:
        minutes = 5 * math.floor((s + 150) / 300)
    else:
        minutes = 15 * math.floor((s + 450) / 900)
    return WaitFigure("point", minutes, rough=rough)


def format_wait(
    lang: str,
    seconds: float,
    *,
    wait_range: WaitRangeS | None = None,
    rough: bool = False,
) -> str:
    """An estimated wait as a customer reads it: rounded for people, a range when one is
    given, and "(rough estimate)" when ``rough`` (never for under a minute)."""
    words = WAIT_WORDS.get(lang, WAIT_WORDS["en"])
    figure = wait_figure(seconds, wait_range, rough=rough)
    text = _figure_text(lang, words, figure)
    return words.rough.format(text) if figure.rough else text


def paper_text(text: str) -> str:
    """``text`` as a thermal printer's code page can print it (the range dash as "-")."""
    return text.replace(RANGE_DASH, "-")


def _figure_text(lang: str, words: WaitWords, figure: WaitFigure) -> str:
    high, low = figure.minutes, figure.low_minutes
    if figure.kind == "under":
        return words.under_a_minute
    if figure.kind == "point":
        return _duration(lang, words, high)
    if figure.kind == "up_to":
        return words.up_to.format(_duration(lang, words, high, up_to=True))
    if high < 60:
        return f"{low}{RANGE_DASH}{high} {_unit(lang, words.minute, high)}"
    if figure.whole_hours:
        return f"{low // 60}{RANGE_DASH}{high // 60} {_unit(lang, words.hour, high // 60)}"
    low_text, high_text = _duration(lang, words, low), _duration(lang, words, high)
    return f"{low_text} {RANGE_DASH} {high_text}"


def _duration(lang: str, words: WaitWords, minutes: int, *, up_to: bool = False) -> str:
    """``minutes`` as "25 minutes", "1 hour", "1 hour 15 minutes" (in the case ``up_to``
    takes, where the language declines)."""
    minute = (words.up_to_minute if up_to else None) or words.minute
    hour = (words.up_to_hour if up_to else None) or words.hour
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} {_unit(lang, hour, hours)}")
    if rest or not hours:
        parts.append(f"{rest} {_unit(lang, minute, rest)}")
    return words.hours_and.join(parts)


def _unit(lang: str, forms: dict[str, str], n: int) -> str:
    return forms.get(_plural(lang, n)) or forms["other"]


def _plural(lang: str, n: int) -> str:
    """The plural category of ``n`` (CLDR): Polish has 1 / 2-4 (not 12-14) / the rest."""
    if n == 1:
        return "one"
    if lang == "pl":
        return "few" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else "many"
    return "other"
