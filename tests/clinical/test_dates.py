"""Age in completed years and completed calendar months (protocol 2.2 eligibility)."""

from datetime import date

import pytest

from edc.clinical.dates import add_months, age_in_years, whole_months_between


@pytest.mark.parametrize(
    ("dob", "on", "age"),
    [
        (date(1980, 6, 15), date(2024, 6, 14), 43),
        (date(1980, 6, 15), date(2024, 6, 15), 44),
        (date(1980, 6, 15), date(2024, 6, 16), 44),
        (date(2006, 10, 1), date(2024, 9, 30), 17),  # one day before 18
        (date(2006, 10, 1), date(2024, 10, 1), 18),
        (date(1959, 1, 1), date(2024, 12, 31), 65),  # still 65 (inclusive upper age)
        (date(1959, 1, 1), date(2025, 1, 1), 66),
        (date(2000, 1, 1), date(2000, 1, 1), 0),
    ],
)
def test_age_in_years(dob, on, age):
    assert age_in_years(dob, on) == age


def test_leap_day_birthday_in_non_leap_year():
    dob = date(2004, 2, 29)
    assert age_in_years(dob, date(2022, 2, 28)) == 17
    assert age_in_years(dob, date(2022, 3, 1)) == 18
    assert age_in_years(dob, date(2024, 2, 28)) == 19
    assert age_in_years(dob, date(2024, 2, 29)) == 20


def test_age_refuses_date_before_birth():
    with pytest.raises(ValueError, match="before date of birth"):
        age_in_years(date(2000, 1, 2), date(2000, 1, 1))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 11, 15), 3, date(2025, 2, 15)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 5, 10), 12, date(2025, 5, 10)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2024, 1, 15), date(2024, 1, 15), 0),
        (date(2024, 1, 15), date(2024, 2, 14), 0),
        (date(2024, 1, 15), date(2024, 2, 15), 1),
        (date(2024, 1, 15), date(2024, 7, 14), 5),  # one day short of 6
        (date(2024, 1, 15), date(2024, 7, 15), 6),
        (date(2024, 1, 15), date(2025, 1, 15), 12),
        (date(2024, 1, 15), date(2025, 2, 14), 12),  # day before the 13-month anniversary
        (date(2024, 1, 15), date(2025, 2, 15), 13),
        (date(2024, 1, 31), date(2024, 2, 28), 0),
        (date(2024, 1, 31), date(2024, 2, 29), 1),  # end-of-month clamping
        (date(2023, 8, 31), date(2024, 2, 29), 6),
        (date(2024, 12, 20), date(2025, 1, 19), 0),  # across the year boundary
    ],
)
def test_whole_months_between(start, end, months):
    assert whole_months_between(start, end) == months


def test_whole_months_refuses_reversed_dates():
    with pytest.raises(ValueError, match="before start"):
        whole_months_between(date(2024, 2, 1), date(2024, 1, 31))


def test_follow_up_months_are_days_over_the_mean_month():
    from edc.clinical.dates import follow_up_months
    assert follow_up_months(date(2024, 1, 1), date(2025, 1, 1)) == pytest.approx(366 / 30.4375)
    assert follow_up_months(date(2024, 3, 1), date(2024, 3, 1)) == 0
