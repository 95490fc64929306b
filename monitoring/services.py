"""The only writes of central monitoring: a change of the SDV plan (audited with who, when and why)
and a monitor's verification of a critical record that is not an eCRF (ICH E6(R3) 3.11.4)."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.access import has_any_role
from edc.audit import changed_fields, save_changed, save_created
from edc.models import Consent, EligibilityAssessment, Participant
from edc.sites import require_site_member
from randomization.models import Randomization
from safety.models import SaeCase

from .access import PLAN_EDITORS, VERIFIERS
from .models import RecordKind, RecordVerification, SdvPlan

PLAN_FIELDS = ("sample_rate_pct", "lis_counts_as_verified", "current_main_consent_version",
               "current_biospecimen_consent_version")


def change_plan(plan: SdvPlan, *, user, reason: str, **values) -> list[str]:
    """Change the plan in force; returns the changed fields (none: nothing written)."""
    if not has_any_role(user, PLAN_EDITORS):
        raise PermissionDenied
    unknown = set(values) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown plan setting."))
    for name, value in values.items():
        setattr(plan, name, value.strip() if isinstance(value, str) else value)
    plan.full_clean()
    if not changed_fields(plan):
        return []
    plan.changed_by = user
    with transaction.atomic():
        return save_changed(plan, user, reason)


def _record(kind: str, object_id, participant: Participant):
    """The record a verification names, if it belongs to `participant`."""
    if kind in (RecordKind.MAIN_CONSENT, RecordKind.BIOSPECIMEN_CONSENT):
        qs = Consent.objects.filter(kind=kind.removeprefix("consent_"))
    else:
        qs = {RecordKind.ELIGIBILITY: EligibilityAssessment.objects, RecordKind.RANDOMIZATION: Randomization.objects,
              RecordKind.SAE: SaeCase.objects}.get(kind)
    if qs is None:
        return None
    return qs.filter(pk=object_id, participant=participant).first()


def verify_record(*, user, participant: Participant, kind: str, object_id) -> RecordVerification:
    """The monitor confirms a consent, eligibility, randomization or SAE record against source."""
    require_site_member(user, participant.site)
    if not has_any_role(user, VERIFIERS):
        raise PermissionDenied
    if kind not in RecordKind.values or _record(kind, object_id, participant) is None:
        raise ValidationError(_("There is no such record for this participant."))
    if RecordVerification.objects.filter(kind=kind, object_id=object_id).exists():
        raise ValidationError(_("This record is already verified."))
    with transaction.atomic():
        return save_created(RecordVerification(kind=kind, object_id=object_id, participant=participant,
                                               verified_by=user, verified_at=timezone.now()), user,
                            _("Source data verified"))
