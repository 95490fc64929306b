"""What every monitoring query shares: the sites a user may see, the time points of the trends, and
the SQL prelude naming them (docs/CENTRAL_MONITORING.md "Time points")."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from edc.clinical.dates import add_months
from edc.selectors.participants import sites_of

TREND_MONTHS = 12


@dataclass(frozen=True)
class Scope:
    site_ids: tuple[int, ...]
    today: date
    days: tuple[date, ...]  # days[k]: k months before today; k = 0 is today
    ends: tuple[datetime, ...]  # the end of days[k] (local midnight after it)
    starts: tuple[datetime, ...]  # the end of days[k + 1]: window k is [starts[k], ends[k])

    def today_only(self) -> "Scope":
        """Today's values without the trend: one time point (k = 0)."""
        return Scope(self.site_ids, self.today, self.days[:1], self.ends[:1], self.starts[:1])

    def params(self) -> dict:
        return {"sites": list(self.site_ids), "ks": list(range(len(self.days))), "days": list(self.days),
                "ends": list(self.ends), "starts": list(self.starts), "tz": settings.TIME_ZONE,
                "first": self.starts[-1]}


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def scope_for(user, site_code: str = "", today: date | None = None) -> tuple[Scope, list]:
    """The user's sites (or the one chosen among them: another answers 404) and the time points."""
    sites = list(sites_of(user).order_by("code"))
    chosen = [s for s in sites if s.code == site_code] if site_code else sites
    if site_code and not chosen:
        raise Http404
    today = today or timezone.localdate()
    days = tuple(add_months(today, -k) for k in range(TREND_MONTHS + 1))
    ends = tuple(end_of(d) for d in days)
    starts = ends[1:] + (end_of(add_months(today, -(TREND_MONTHS + 1))),)
    return Scope(tuple(s.pk for s in chosen), today, days, ends, starts), sites


PRELUDE = """
WITH ts AS (SELECT * FROM unnest(%(ks)s::int[], %(days)s::date[], %(ends)s::timestamptz[],
                                 %(starts)s::timestamptz[]) AS ts(k, d, t, t0)),
pp AS (SELECT p.id, p.site_id, r.month0_date FROM {participant} p
       JOIN {randomization} r ON r.participant_id = p.id WHERE p.site_id = ANY(%(sites)s))
"""
