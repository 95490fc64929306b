"""Helpers for the eCRF tests: participants randomized today, a year ago or on a given day, visits,
valid form values, and saving through the real service (crf.services.entry.save_crf): `save` for a
visit's form, `save_form` for any form (logs too)."""
from datetime import date, datetime, time, timedelta
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

YEAR_AGO = timezone.now() - timedelta(days=400)  # month 0 ~13 months ago: months 0-12 are past


def participant(site, user, **screen_overrides):
    factories.strata_and_list()
    return factories.randomized_participant(site, user, **screen_overrides)


def past_participant(site, user, **screen_overrides):
    """Randomized ~13 months ago, so the visits of months 0-12 lie in the past."""
    with time_machine.travel(YEAR_AGO, tick=False):
        return participant(site, user, **screen_overrides)


def visit(p, code: str) -> Visit:
    return Visit.objects.get(participant=p, code=code)


def history_count(model) -> int:
    return model.history.count()


def save(key: str, v: Visit, user, *, instance=None, acknowledge: bool = False, reason: str = "",
         **values):
    """Save form `key` at visit `v` through the service; returns (instance, warnings)."""
    crf_type = registry.get(key)
    obj = instance or crf_type.model(participant=v.participant, visit=v)
    for name, value in values.items():
        setattr(obj, name, value)
    warnings = save_crf(crf_type, obj, visit=v, user=user, reason=reason, acknowledge=acknowledge)
    return obj, warnings


def day_of(v: Visit) -> date:
    """A date for the visit's forms: its target date, or today if that is in the future."""
    return min(v.target_date, timezone.localdate())


def vitals_values(v: Visit, **overrides) -> dict:
    values = dict(measured_on=day_of(v), systolic_bp=120, diastolic_bp=78, heart_rate=72,
                  temperature_c=Decimal("36.6"), weight_kg=Decimal("60.0"), height_cm=Decimal("162.0"))
    values.update(overrides)
    return values


def lab_values(v: Visit, **overrides) -> dict:
    """A complete panel: proteinuric (UPCR 2 g/g, as in active LN), everything else within range."""
    values = dict(sample_date=day_of(v), upcr_value=Decimal("2.000"), upcr_unit="g/g", upcr_specimen="spot",
                  urine_protein_24h_g=None, creatinine_value=Decimal("80"), creatinine_unit="umol/L",
                  albumin_g_l=Decimal("38"), c3_g_l=Decimal("1.0"), c4_g_l=Decimal("0.2"),
                  anti_dsdna_iu_ml=Decimal("50"), urine_rbc_hpf=Decimal("2"), urine_wbc_hpf=Decimal("1"),
                  urinary_casts="none", haemoglobin_g_l=Decimal("125"), wbc_10e9_l=Decimal("6.0"),
                  platelets_10e9_l=Decimal("200"), alt_u_l=Decimal("20"), ast_u_l=Decimal("22"))
    values.update(overrides)
    return values


def form_data(values: dict) -> dict:
    """Model values as POST data (None -> empty)."""
    return {k: ("" if value is None else str(value)) for k, value in values.items()}


def randomized_on(site, user, month0: date = MONTH0, **screen_overrides):
    """A participant randomized on `month0` (screened 3 days before); the strata and an allocation
    list are made the first time."""
    from randomization.models import AllocationList

    if not AllocationList.objects.filter(active=True).exists():
        factories.strata_and_list()
    with time_machine.travel(datetime.combine(month0, time(9), tzinfo=SHANGHAI), tick=False):
        return factories.randomized_participant(site, user, **screen_overrides)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware site-time datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def save_form(key: str, user, *, participant=None, visit: Visit | None = None, instance=None,
              acknowledge: bool = False, change_reason: str = "", **values):
    """Save form `key` (a visit's form or a log row) through crf.services.entry.save_crf; returns
    (instance, warnings). `change_reason` is the reason for change (a form may have a field called
    `reason`)."""
    crf_type = registry.get(key)
    if instance is None:
        p = visit.participant if visit else participant
        instance = crf_type.model(participant=p, **({"visit": visit} if visit else {}))
    for name, value in values.items():
        setattr(instance, name, value)
    warnings = save_crf(crf_type, instance, visit=visit, user=user, reason=change_reason,
                        acknowledge=acknowledge)
    return instance, warnings


def log_url(p, key: str, row=None) -> str:
    return f"/participants/{p.pk}/log/{key}/" + (f"{row.pk}/" if row else "")


def visit_url(v: Visit, key: str) -> str:
    return f"/visits/{v.pk}/crf/{key}/"


from crf.services.entry import SoftWarnings  # noqa: F401,E402  (tests catch it from here)
