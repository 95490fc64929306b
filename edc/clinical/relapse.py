"""Renal relapse after CR/PR and renal-involvement-free survival (secondary outcomes, protocol 2.6).

docs/DECISIONS.md: relapse after CR = UPCR rises to > 0.5 g/g; after PR = UPCR doubles to
> 1.0 g/g; each confirmed on two measurements more than one week apart. Renal-involvement-free
survival = first of sustained eGFR fall ≥ 40 % from baseline, kidney failure (dialysis ≥ 3 months,
transplant, or eGFR < 15), renal relapse, or death.

Confirmation rule (used for relapse and, as a documented choice, for "sustained" eGFR criteria):
two qualifying measurements more than ``CONFIRMATION_DAYS`` (7) days apart with NO non-qualifying
measurement between them — the abnormality persisted (docs/DOMAIN.md §2.2: "persistent",
"reproducible = ≥ 2 time points > 1 week apart"). A single spike never counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .dates import add_months
from .units import require_non_negative, require_positive

CONFIRMATION_DAYS = 7  # "more than one week apart": the second date is > 7 days after the first
CR_RELAPSE_ABOVE_G_G = Decimal("0.5")
PR_RELAPSE_ABOVE_G_G = Decimal("1.0")
EGFR_FALL_FRACTION = Decimal("0.40")  # sustained fall ≥ 40 %: eGFR ≤ 0.60 × baseline
KIDNEY_FAILURE_EGFR_BELOW = Decimal(15)
DIALYSIS_MIN_MONTHS = 3

Measurement = tuple[date, float]


@dataclass(frozen=True)
class RelapseResult:
    criterion: str  # English rule that was met
    first: Measurement  # first qualifying measurement (onset)
    confirming: Measurement  # the measurement > 7 days later that confirms it

    @property
    def onset(self) -> date:
        return self.first[0]

    @property
    def confirmed_on(self) -> date:
        return self.confirming[0]


def _d(x: float) -> Decimal:
    return Decimal(str(x))


def _confirmed(
    measurements: Sequence[Measurement], qualifies: Callable[[Decimal], bool], name: str
) -> tuple[Measurement, Measurement] | None:
    """Earliest (first, confirming) pair of a run of consecutive qualifying measurements."""
    ordered = sorted(
        ((day, require_non_negative(value, name)) for day, value in measurements),
        key=lambda m: m[0],
    )
    run_start: Measurement | None = None
    for day, value in ordered:
        if not qualifies(_d(value)):
            run_start = None
            continue
        if run_start is None:
            run_start = (day, value)
        elif (day - run_start[0]).days > CONFIRMATION_DAYS:
            return run_start, (day, value)
    return None


def detect_renal_relapse(
    response_reached: str,
    reference_upcr_g_g: float,
    measurements: Sequence[Measurement],
) -> RelapseResult | None:
    """First confirmed renal relapse among post-response UPCR ``measurements`` (date, g/g).

    ``reference_upcr_g_g`` is the UPCR at the visit where the response was first reached (a
    documented choice: the protocol says "doubles" without naming the reference; the value at the
    time PR was reached is fixed and auditable, whereas a running nadir would make a later
    doubling easier to reach). It decides the PR rule only; after CR the threshold is absolute.
    Pass only measurements taken after the response date.
    """
    reference = _d(require_positive(reference_upcr_g_g, "Reference UPCR (g/g)"))
    if response_reached == "complete":
        criterion = "UPCR > 0.5 g/g after complete response, on 2 measurements > 7 days apart"

        def qualifies(v: Decimal) -> bool:
            return v > CR_RELAPSE_ABOVE_G_G

    elif response_reached == "partial":
        criterion = (
            f"UPCR ≥ 2 × {reference_upcr_g_g:g} g/g and > 1.0 g/g after partial response,"
            " on 2 measurements > 7 days apart"
        )

        def qualifies(v: Decimal) -> bool:
            return v >= 2 * reference and v > PR_RELAPSE_ABOVE_G_G

    else:
        raise ValueError(
            f"response_reached must be 'complete' or 'partial', got {response_reached!r}"
        )
    pair = _confirmed(measurements, qualifies, "UPCR (g/g)")
    return None if pair is None else RelapseResult(criterion, pair[0], pair[1])


class SurvivalEventKind(StrEnum):
    # Declaration order = tie-break priority when two events share a date (most severe first).
    DEATH = "death"
    DIALYSIS = "kidney_failure_dialysis"
    TRANSPLANT = "kidney_failure_transplant"
    EGFR_BELOW_15 = "kidney_failure_egfr_below_15"
    EGFR_FALL_40 = "egfr_fall_40_percent"
    RENAL_RELAPSE = "renal_relapse"


@dataclass(frozen=True)
class SurvivalEvent:
    kind: SurvivalEventKind
    event_date: date  # onset: first qualifying measurement / start of dialysis / the event day
    confirmed_on: date  # the day the event became certain (== event_date for single-day events)
    detail: str


def renal_involvement_free_survival_event(
    *,
    randomization_date: date,
    baseline_egfr: float,
    egfr_measurements: Sequence[Measurement] = (),
    dialysis_periods: Sequence[tuple[date, date | None]] = (),
    transplant_date: date | None = None,
    relapse_date: date | None = None,
    death_date: date | None = None,
    as_of: date | None = None,
) -> SurvivalEvent | None:
    """First renal-involvement-free-survival event after randomization, or None (censored).

    Documented choices where docs/PROTOCOL.md is silent:
    - "sustained" eGFR fall ≥ 40 % and eGFR < 15 use the confirmation rule of this module
      (2 consecutive qualifying values > 7 days apart); the event date is the first of the two.
      (CKD outcome trials often require ≥ 28–30 days; change ``CONFIRMATION_DAYS`` via the SAP.)
    - dialysis counts when a period lasts ≥ 3 calendar months (end, or ``as_of`` if ongoing,
      ≥ start + 3 months); the event date is the dialysis start.
    - ``relapse_date``: pass ``RelapseResult.onset`` for consistency with the eGFR rule.
    - eGFR values dated before randomization are ignored (screening values); other event dates
      before randomization are data errors (ValueError).
    """
    base = _d(require_positive(baseline_egfr, "Baseline eGFR"))
    events: list[SurvivalEvent] = []
    for kind, day in (
        (SurvivalEventKind.DEATH, death_date),
        (SurvivalEventKind.TRANSPLANT, transplant_date),
        (SurvivalEventKind.RENAL_RELAPSE, relapse_date),
    ):
        if day is not None:
            if day < randomization_date:
                raise ValueError(f"{kind.value} date {day.isoformat()} is before randomization")
            events.append(SurvivalEvent(kind, day, day, kind.value.replace("_", " ")))
    for start, end in dialysis_periods:
        if start < randomization_date:
            raise ValueError(f"Dialysis start {start.isoformat()} is before randomization")
        if end is None and as_of is None:
            raise ValueError("An ongoing dialysis period needs as_of (the data cut-off date)")
        until = end if end is not None else as_of
        if until < start:
            raise ValueError(
                f"Dialysis end {until.isoformat()} is before its start {start.isoformat()}"
            )
        qualifying_day = add_months(start, DIALYSIS_MIN_MONTHS)
        if until >= qualifying_day:
            detail = f"dialysis from {start.isoformat()} lasting ≥ {DIALYSIS_MIN_MONTHS} months"
            events.append(SurvivalEvent(SurvivalEventKind.DIALYSIS, start, qualifying_day, detail))
    after = [m for m in egfr_measurements if m[0] >= randomization_date]
    limit = (1 - EGFR_FALL_FRACTION) * base
    for kind, qualifies, label in (
        (
            SurvivalEventKind.EGFR_FALL_40,
            lambda v: v <= limit,
            f"eGFR ≤ {float(limit):g} (≥40% fall)",
        ),
        (SurvivalEventKind.EGFR_BELOW_15, lambda v: v < KIDNEY_FAILURE_EGFR_BELOW, "eGFR < 15"),
    ):
        pair = _confirmed(after, qualifies, "eGFR")
        if pair is not None:
            detail = f"{label} on {pair[0][0].isoformat()} and {pair[1][0].isoformat()}"
            events.append(SurvivalEvent(kind, pair[0][0], pair[1][0], detail))
    if not events:
        return None
    priority = list(SurvivalEventKind)
    return min(events, key=lambda e: (e.event_date, priority.index(e.kind)))
