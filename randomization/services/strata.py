"""Strata (docs/DECISIONS.md, KDIGO 2024 Rec. 10.2.3.1.1): four of 24, editable until the first
allocation, frozen after."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edc.audit import save_changed, save_created
from edc.models import PriorTherapy
from randomization.models import AllocationRow, Stratum

DEFAULT_STRATA = [
    ("s1", PriorTherapy.GC_MPAA), ("s2", PriorTherapy.GC_CYC),
    ("s3", PriorTherapy.GC_BELIMUMAB), ("s4", PriorTherapy.GC_MPAA_CNI),
]


def ensure_default_strata(user) -> list[Stratum]:
    out = []
    for order, (code, therapy) in enumerate(DEFAULT_STRATA, start=1):
        stratum = Stratum.objects.filter(prior_therapy=therapy).first()
        if stratum is None:
            stratum = save_created(Stratum(code=code, prior_therapy=therapy, order=order,
                                           name="", capacity=24), user)
        out.append(stratum)
    return out


def strata_frozen() -> bool:
    return AllocationRow.objects.filter(used_at__isnull=False).exists()


def update_stratum(stratum: Stratum, *, user, reason: str, name: str, capacity: int) -> list[str]:
    if strata_frozen():
        raise ValidationError(_("Strata are frozen: a participant has been randomized."))
    if capacity < 1 or capacity > 1000:
        raise ValidationError({"capacity": _("Capacity must be between 1 and 1000.")})
    stratum.name, stratum.capacity = name.strip(), capacity
    with transaction.atomic():
        return save_changed(stratum, user, reason)
