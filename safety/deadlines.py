"""SAE deadline arithmetic and the AE collection window: pure functions, no Django (docs/ARCHITECTURE.md "Style").

The one home of these rules (docs/SAFETY_ALERTS.md, "Deadlines"); the services and the synthetic
trial generator both call them.
- An obligation is due `hours` after the site became aware of the SAE; its reminder goes
  `remind_before_hours` before that (protocol 3.3: 24 hours; ethics full report 15 days).
- Alert stages: "created" at once, "reminder", "due", then one "overdue-N" per full day overdue.
- AEs are collected from the first infusion (month 0) to 6 months after it, and always at death
  (protocol 2.5.6).
"""
from datetime import date, datetime, timedelta

from edc.clinical.dates import add_months

COLLECTION_MONTHS = 6  # protocol 2.5.6


def obligation_times(aware_at: datetime, hours: int, remind_before_hours: int) -> tuple[datetime, datetime]:
    """(due_at, remind_at) of an obligation."""
    due = aware_at + timedelta(hours=hours)
    return due, due - timedelta(hours=remind_before_hours)


def stages_due(remind_at: datetime, due_at: datetime, now: datetime) -> list[str]:
    """The alert stages an open obligation has reached at `now`."""
    stages = ["created"]
    if now >= remind_at:
        stages.append("reminder")
    if now >= due_at:
        stages.append("due")
    days_over = (now - due_at) // timedelta(days=1)
    if days_over >= 1:
        stages.append(f"overdue-{days_over}")  # daily while overdue: one stage per full day
    return stages


def stages_until(remind_at: datetime, due_at: datetime, stop: datetime) -> list[str]:
    """Every stage reached by `stop`, each overdue day listed (what a sweep running every minute
    would have sent by then)."""
    reached = [s for s in stages_due(remind_at, due_at, stop) if not s.startswith("overdue-")]
    days_over = (stop - due_at) // timedelta(days=1)
    return reached + [f"overdue-{day}" for day in range(1, days_over + 1)]


def stage_time(stage: str, remind_at: datetime, due_at: datetime, created_at: datetime) -> datetime:
    """When a stage is reached."""
    if stage == "created":
        return created_at
    if stage == "reminder":
        return remind_at
    if stage == "due":
        return due_at
    return due_at + timedelta(days=int(stage.split("-")[1]))


def stage_group(stage: str, due_at: datetime) -> str:
    """Alerts of one SAE are grouped by this: every obligation at creation together, later stages
    with the obligations of the same deadline (the 24-hour ones remind together; the 15-day
    ethics report on its own)."""
    return stage if stage == "created" else f"{stage}@{due_at:%Y%m%dT%H%M}"


def in_collection_window(onset: date, month0: date | None, grade: int, death: bool) -> bool:
    """From the first infusion (month 0) to 6 months after, or at death (protocol 2.5.6)."""
    if grade == 5 or death:
        return True
    if month0 is None:
        return False
    return month0 <= onset <= add_months(month0, COLLECTION_MONTHS)
