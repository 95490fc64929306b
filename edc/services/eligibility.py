"""Eligibility (protocol 2.2): answers in, verdict out. An ineligible person becomes a screen
failure with the failing criteria as reasons (kept for the CONSORT diagram)."""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edc.audit import save_changed, save_created
from edc.clinical.eligibility import EligibilityInput, assess_eligibility
from edc.models import EligibilityAssessment, Participant, ParticipantStatus
from edc.sites import require_site_member

from .consent import has_main_consent

ANSWER_FIELDS = (
    "acr_criteria_met", "biopsy_date", "biopsy_class", "biopsy_active", "first_line_start_date",
    "first_line_response", "inclusion_note", "severe_hepatic_dysfunction", "creatinine_value",
    "creatinine_unit", "creatinine_date",
    *EligibilityAssessment.EXCLUSION_FIELDS,
    *(f"{name}_note" for name in EligibilityAssessment.EXCLUSION_FIELDS),
)


COMPUTED_FIELDS = ["age_at_screening", "egfr", "months_on_first_line", "eligible",
                   "failed_criteria"]


def _apply_verdict(assessment: EligibilityAssessment) -> None:
    participant = assessment.participant
    assessment.full_clean(exclude=COMPUTED_FIELDS)  # required answers present and well-formed
    errors = {}
    if assessment.biopsy_date and assessment.biopsy_date > participant.screening_date:
        errors["biopsy_date"] = _("The biopsy cannot be after the screening date.")
    if assessment.creatinine_date and assessment.creatinine_date > participant.screening_date:
        errors["creatinine_date"] = _("The creatinine sample cannot be after the screening date.")
    if assessment.first_line_start_date and assessment.first_line_start_date > participant.screening_date:
        errors["first_line_start_date"] = _("First-line therapy cannot start after screening.")
    if assessment.acr_criteria_met is not None and assessment.acr_criteria_met > 11:
        errors["acr_criteria_met"] = _("There are 11 ACR criteria.")
    if errors:
        raise ValidationError(errors)
    try:
        verdict = assess_eligibility(EligibilityInput(
            date_of_birth=participant.date_of_birth, sex=participant.sex,
            screening_date=participant.screening_date,
            main_consent_given=has_main_consent(participant),
            acr_criteria_met=assessment.acr_criteria_met, biopsy_class=assessment.biopsy_class,
            biopsy_active=assessment.biopsy_active,
            first_line_start_date=assessment.first_line_start_date,
            first_line_response=assessment.first_line_response,
            severe_hepatic_dysfunction=assessment.severe_hepatic_dysfunction,
            creatinine_value=float(assessment.creatinine_value),
            creatinine_unit=assessment.creatinine_unit,
            exclusions={name: getattr(assessment, name)
                        for name in EligibilityAssessment.EXCLUSION_FIELDS},
        ))
    except ValueError as error:
        raise ValidationError({"creatinine_value": _("Check the creatinine value: %(e)s") % {
            "e": error}})
    assessment.age_at_screening = verdict.age
    assessment.egfr = Decimal(f"{verdict.egfr:.1f}")
    assessment.months_on_first_line = verdict.months_on_first_line
    assessment.eligible = verdict.eligible
    assessment.failed_criteria = list(verdict.failed)


def _sync_participant(participant: Participant, assessment: EligibilityAssessment, user) -> None:
    if participant.status == ParticipantStatus.ENROLLED:
        return  # an enrolled participant stays enrolled; the page shows the changed verdict
    if assessment.eligible:
        if participant.status == ParticipantStatus.SCREEN_FAILED:
            participant.status = ParticipantStatus.SCREENING
            participant.screen_failure_reasons = []
    else:
        participant.status = ParticipantStatus.SCREEN_FAILED
        participant.screen_failure_reasons = list(assessment.failed_criteria)
    save_changed(participant, user, _("Eligibility verdict"))


def record_eligibility(participant: Participant, *, user, **answers) -> EligibilityAssessment:
    require_site_member(user, participant.site)
    if not has_main_consent(participant):
        raise ValidationError(_("Record the main informed consent before any eligibility data "
                                "(protocol 2.3)."))
    if hasattr(participant, "eligibility"):
        raise ValidationError(_("Eligibility is already assessed; correct it with a reason."))
    assessment = EligibilityAssessment(participant=participant, assessed_by=user,
                                       **{k: v for k, v in answers.items() if k in ANSWER_FIELDS})
    _apply_verdict(assessment)
    with transaction.atomic():
        save_created(assessment, user)
        _sync_participant(participant, assessment, user)
    return assessment


def update_eligibility(assessment: EligibilityAssessment, *, user, reason: str,
                       **answers) -> list[str]:
    require_site_member(user, assessment.participant.site)
    for name, value in answers.items():
        if name in ANSWER_FIELDS:
            setattr(assessment, name, value)
    _apply_verdict(assessment)
    with transaction.atomic():
        changed = save_changed(assessment, user, reason)
        if changed:
            _sync_participant(assessment.participant, assessment, user)
    return changed
