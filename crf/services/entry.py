"""Save an eCRF: derive computed values, refuse impossible values (hard checks), warn on unusual
ones (soft checks) and record the warnings when the user saves anyway; every change with a reason.
Nothing is written unless every hard check passes (ARCHITECTURE.md rule 5)."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crf.models import Visit
from crf.registry import CrfType, SoftWarning
from crf.services import queries, review
from edc.audit import changed_fields, save_changed, save_created
from edc.sites import require_site_member, site_today


class SoftWarnings(Exception):
    """Raised when soft checks fire and the user has not chosen to save anyway; nothing saved."""

    def __init__(self, warnings: list[SoftWarning]):
        super().__init__("; ".join(str(w.message) for w in warnings))
        self.warnings = warnings


def timeline_errors(instance, visit: Visit | None) -> dict[str, str]:
    """Dates on a CRF must fall inside the participant's timeline: not before screening, not in
    the future."""
    participant = instance.participant
    today = site_today(participant.site)
    errors = {}
    for f in instance._meta.concrete_fields:
        if f.get_internal_type() != "DateField" or f.name in {"created_at", "modified_at"}:
            continue
        value = getattr(instance, f.name)
        if value is None:
            continue
        if value > today:
            errors[f.name] = _("This date is in the future.")
        elif value < participant.screening_date:
            errors[f.name] = _("This date is before the participant was screened (%(d)s).") % {
                "d": participant.screening_date.isoformat()}
    return errors


def save_crf(crf_type: CrfType, instance, *, visit: Visit | None, user, reason: str = "",
             acknowledge: bool = False) -> list[SoftWarning]:
    """`instance` carries the form's values (new or changed). Returns the warnings recorded."""
    participant = visit.participant if visit else instance.participant
    require_site_member(user, participant.site)
    instance.participant = participant
    if visit is not None:
        instance.visit = visit
        if visit.not_applicable:
            raise ValidationError(_("This visit is not applicable (after discontinuation)."))
    if crf_type.derive:
        crf_type.derive(instance)
    errors = timeline_errors(instance, visit)
    if crf_type.hard_checks:
        errors.update(crf_type.hard_checks(instance) or {})
    if errors:
        raise ValidationError(errors)
    warnings = list(crf_type.soft_checks(instance) or []) if crf_type.soft_checks else []
    if warnings and not acknowledge:
        raise SoftWarnings(warnings)
    instance.soft_warnings = [w.as_dict() for w in warnings]
    with transaction.atomic():
        if instance._state.adding:
            save_created(instance, user, reason)  # a new form's reason (e.g. lab import batch) or 'Created'
        else:
            changed = changed_fields(instance)
            review.mark_changed(instance, changed)  # issue 6: a verified value changed -> complete
            if save_changed(instance, user, reason):
                review.invalidate_signatures(instance, user=user, label=str(crf_type.label),
                                             changed_fields=changed, reason=reason)
        if crf_type.after_save:
            crf_type.after_save(instance, user)
        if warnings:
            queries.auto_queries(instance, crf_key=crf_type.key, warnings=warnings, user=user)
    return warnings
