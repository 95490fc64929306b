"""Eligibility (protocol 2.2): answers in, verdict out. An ineligible person becomes a screen
failure with the failing criteria as reasons (kept for the CONSORT diagram)."""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edc.audit import save_changed, save_created
from edc.clinical.eligibility import FIRST_LINE_MONTHS, EligibilityInput, assess_eligibility
from edc.edit_checks import SoftWarning, SoftWarnings
from edc.models import EligibilityAssessment, Participant, ParticipantStatus
from edc.services import plausibility
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
                   "failed_criteria", "soft_warnings"]


def _creatinine_age_warning(assessment: EligibilityAssessment) -> list[SoftWarning]:
    days = (assessment.participant.screening_date - assessment.creatinine_date).days
    limit = settings.ELIGIBILITY_CREATININE_MAX_AGE_DAYS
    if days <= limit:
        return []
    return [SoftWarning("creatinine_not_recent", _(
        "The creatinine was sampled %(n)d days before screening (more than %(limit)d): the eGFR for "
        "exclusion 5 should come from a recent sample. Confirm it is still valid, or enter a recent one.")
        % {"n": days, "limit": limit}, "creatinine_date")]


def _confirmations(to_confirm, months: int) -> list[SoftWarning]:
    if "inc3_over_12_months" not in to_confirm:
        return []
    return [SoftWarning("inc3_over_12_months", _(
        "First-line therapy started %(m)d months before screening (more than %(max)d) without a partial "
        "or complete response: confirm that the patient did not respond within %(min)d-%(max)d months "
        "(inclusion 3, protocol 2.2).") % {"m": months, "min": FIRST_LINE_MONTHS[0],
                                            "max": FIRST_LINE_MONTHS[1]}, "first_line_start_date")]


def _apply_verdict(assessment: EligibilityAssessment) -> list[SoftWarning]:
    """Compute the verdict; raise ValidationError for impossible answers; return the soft warnings
    (plausibility, a creatinine that is not recent, a refractory window the investigator confirms)."""
    participant = assessment.participant
    assessment.full_clean(exclude=COMPUTED_FIELDS)  # required answers present and well-formed
    errors, warnings = plausibility.instance_checks("eligibility", assessment)
    if assessment.biopsy_date and assessment.biopsy_date > participant.screening_date:
        errors["biopsy_date"] = _("The biopsy cannot be after the screening date.")
    if assessment.creatinine_date and assessment.creatinine_date > participant.screening_date:
        errors["creatinine_date"] = _("The creatinine sample cannot be after the screening date.")
    elif assessment.creatinine_date and assessment.creatinine_date < participant.date_of_birth:
        errors["creatinine_date"] = _("The creatinine sample cannot be before the date of birth.")
    if assessment.first_line_start_date and assessment.first_line_start_date > participant.screening_date:
        errors["first_line_start_date"] = _("First-line therapy cannot start after screening.")
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
            creatinine_unit=assessment.creatinine_unit, creatinine_date=assessment.creatinine_date,
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
    return [*warnings, *_creatinine_age_warning(assessment),
            *_confirmations(verdict.to_confirm, verdict.months_on_first_line)]


def _check_warnings(assessment: EligibilityAssessment, warnings: list[SoftWarning],
                    acknowledge: bool) -> None:
    """Soft warnings stop the save until the investigator acknowledges them; then they are kept with
    the assessment (and its history)."""
    if warnings and not acknowledge:
        raise SoftWarnings(warnings)
    assessment.soft_warnings = [w.as_dict() for w in warnings]


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


def record_eligibility(participant: Participant, *, user, acknowledge: bool = False,
                       **answers) -> EligibilityAssessment:
    require_site_member(user, participant.site)
    if not has_main_consent(participant):
        raise ValidationError(_("Record the main informed consent before any eligibility data "
                                "(protocol 2.3)."))
    if hasattr(participant, "eligibility"):
        raise ValidationError(_("Eligibility is already assessed; correct it with a reason."))
    assessment = EligibilityAssessment(participant=participant, assessed_by=user,
                                       **{k: v for k, v in answers.items() if k in ANSWER_FIELDS})
    _check_warnings(assessment, _apply_verdict(assessment), acknowledge)
    with transaction.atomic():
        save_created(assessment, user)
        _sync_participant(participant, assessment, user)
    return assessment


def update_eligibility(assessment: EligibilityAssessment, *, user, reason: str, acknowledge: bool = False,
                       **answers) -> list[str]:
    require_site_member(user, assessment.participant.site)
    for name, value in answers.items():
        if name in ANSWER_FIELDS:
            setattr(assessment, name, value)
    _check_warnings(assessment, _apply_verdict(assessment), acknowledge)
    with transaction.atomic():
        changed = save_changed(assessment, user, reason)
        if changed:
            _sync_participant(assessment.participant, assessment, user)
    return changed
