"""Engineer A's helpers for the eCRF tests: participants (today or a year ago), visits, valid form
values, and saving through the real service (crf.services.entry.save_crf)."""
from datetime import date, timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from crf import registry
from crf.models import Visit
from crf.services.entry import save_crf
from tests import factories

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
from crf.services.entry import SoftWarnings  # noqa: F401,E402  (tests catch it from here)
