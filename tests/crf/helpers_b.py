"""Engineer B's helpers for the eCRF tests (prednisone, conmeds, biospecimen, deviation,
discontinuation, death, pregnancy): participants randomized in the past, saving through the real
service, history counts."""
from datetime import date, datetime, time
from decimal import Decimal

import time_machine
from django.utils import timezone

from crf import registry
from crf.models import Visit
from crf.services.entry import save_crf
from edc.clinical.dates import add_months
from tests import factories

SHANGHAI = factories.SHANGHAI
TODAY = timezone.localdate(timezone=SHANGHAI)
MONTH0 = add_months(TODAY, -13)  # months 0-12 lie in the past


def randomized_on(site, user, month0: date = MONTH0, **screen_overrides):
    """A participant randomized on `month0` (screened 3 days before); the strata and an allocation
    list are made the first time."""
    from randomization.models import AllocationList

    if not AllocationList.objects.filter(active=True).exists():
        factories.strata_and_list()
    with time_machine.travel(datetime.combine(month0, time(9), tzinfo=SHANGHAI), tick=False):
        return factories.randomized_participant(site, user, **screen_overrides)


def visit(p, code: str) -> Visit:
    return Visit.objects.get(participant=p, code=code)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware site-time datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def save(key: str, user, *, participant=None, visit: Visit | None = None, instance=None,
         acknowledge: bool = False, change_reason: str = "", **values):
    """Save form `key` through crf.services.entry.save_crf; returns (instance, warnings).
    `change_reason` is the reason for change (a form may have a field called `reason`)."""
    crf_type = registry.get(key)
    if instance is None:
        p = visit.participant if visit else participant
        instance = crf_type.model(participant=p, **({"visit": visit} if visit else {}))
    for name, value in values.items():
        setattr(instance, name, value)
    warnings = save_crf(crf_type, instance, visit=visit, user=user, reason=change_reason,
                        acknowledge=acknowledge)
    return instance, warnings


def history_count(model) -> int:
    return model.history.count()


def dec(value: str) -> Decimal:
    return Decimal(value)


def log_url(p, key: str, row=None) -> str:
    return f"/participants/{p.pk}/log/{key}/" + (f"{row.pk}/" if row else "")


def visit_url(v: Visit, key: str) -> str:
    return f"/visits/{v.pk}/crf/{key}/"
