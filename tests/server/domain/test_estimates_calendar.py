"""Wait quotes, business days and announcement words: pure functions."""

import datetime as dt

import pytest

from server.domain.announce import announcement_text
from server.domain.calendar import business_date, format_code
from server.domain.errors import DomainError
from server.domain.estimates import average_service_s, estimate_wait_s


def test_nobody_ahead_means_no_wait():
    assert estimate_wait_s(ahead=0, open_counters=3, avg_service_s=300) == 0


def test_counters_work_in_parallel():
    # 5 ahead, 2 counters: 3 rounds of 300 s.
    assert estimate_wait_s(ahead=5, open_counters=2, avg_service_s=300) == 900


def test_no_open_counter_quotes_as_if_one_opens():
    assert estimate_wait_s(ahead=2, open_counters=0, avg_service_s=120) == 240


def test_average_falls_back_to_the_standard_without_samples():
    assert average_service_s([], standard_s=420) == 420


def test_few_samples_are_blended_with_the_standard():
    # 2 samples of 100 s weigh 20 %, the 300 s standard 80 %.
    assert average_service_s([100, 100], standard_s=300) == pytest.approx(260)


def test_ten_samples_stand_on_their_own():
    assert average_service_s([50] * 12, standard_s=300) == pytest.approx(50)


def test_business_date_follows_the_branch_timezone():
    late = dt.datetime(2026, 3, 2, 21, 30, tzinfo=dt.UTC)  # 00:30 next day in Istanbul (UTC+3)
    assert business_date(late, "Europe/Istanbul") == dt.date(2026, 3, 3)
    assert business_date(late, "Europe/Warsaw") == dt.date(2026, 3, 2)


def test_unknown_timezone_is_a_clear_error():
    with pytest.raises(DomainError, match="unknown timezone 'Mars/Olympus'"):
        business_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "Mars/Olympus")


@pytest.mark.parametrize(
    ("number", "code"), [(1, "A001"), (42, "A042"), (999, "A999"), (1000, "A1000")]
)
def test_codes_have_at_least_three_digits(number, code):
    assert format_code("A", number) == code


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "A042, counter 3"),
        ("tr", "A042, 3 numaralı gişe"),
        ("el", "A042, θυρίδα 3"),
        ("pl", "A042, stanowisko 3"),
        ("xx", "A042, counter 3"),
    ],
)
def test_announcement_words_per_language(lang, text):
    assert announcement_text(code="A042", counter="3", lang=lang) == text
