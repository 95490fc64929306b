"""Calendar helpers: age in completed years and completed calendar months.

Used by eligibility (protocol 2.2: age 18–65 inclusive; no PR/CR within 6–12 months after
starting standard first-line therapy) and by the kidney-failure rule (dialysis ≥ 3 months).
"""

from __future__ import annotations

import calendar
from datetime import date


def age_in_years(date_of_birth: date, on: date) -> int:
    """Completed years of age on ``on``.

    Someone born on 29 February turns a year older on 1 March in non-leap years (the birthday
    is not yet reached on 28 February) — the usual legal convention; documented choice.
    """
    if on < date_of_birth:
        raise ValueError(
            f"Date {on.isoformat()} is before date of birth {date_of_birth.isoformat()}"
        )
    years = on.year - date_of_birth.year
    # Comparing (month, day) tuples gives the 29-Feb rule above for free: (2, 28) < (2, 29).
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def add_months(start: date, months: int) -> date:
    """``start`` shifted by whole calendar months, clamped to the month's last day.

    31 Jan + 1 month -> 28/29 Feb.
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last_day))


def whole_months_between(start: date, end: date) -> int:
    """Completed calendar months from ``start`` to ``end`` (``end`` ≥ ``start``).

    A month is completed on the same day of a later month, or on that month's last day when the
    day does not exist (so 31 Jan → 29 Feb 2024 is 1 month; same convention as
    ``dateutil.relativedelta``). Documented choice for protocol 2.2 "6–12 months after starting
    first-line therapy": ``6 <= whole_months_between(therapy_start, screening) <= 12`` accepts
    from the 6-month anniversary up to the day before the 13-month anniversary. If the SAP wants
    the 12-month anniversary itself as the last day, test ``screening <= add_months(start, 12)``.
    """
    if end < start:
        raise ValueError(f"End {end.isoformat()} is before start {start.isoformat()}")
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


MEAN_MONTH_DAYS = 30.4375  # 365.25 / 12: follow-up time in months for survival analysis (protocol 2.14)


def follow_up_months(start: date, end: date) -> float:
    """Time from ``start`` to ``end`` in mean months (days / 30.4375), the x axis of the KM curves."""
    return (end - start).days / MEAN_MONTH_DAYS
