"""Save an eCRF: derive computed values, refuse impossible values (hard checks), warn on unusual
ones (soft checks) and record the warnings when the user saves anyway; every change with a reason.
Nothing is written unless every hard check passes (docs/ARCHITECTURE.md rule 5)."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crf.models import Visit
from crf.registry import CrfType, SoftWarning
from crf.services import queries, review
from crf.services.cross_field import cross_field_warnings
from edc.audit import changed_fields, save_changed, save_created, stored_row
from edc.edit_checks import SoftWarnings
from edc.services import plausibility
from edc.sites import require_site_member, site_today

__all__ = ["SoftWarnings", "check_crf", "save_crf", "timeline_errors"]


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


def check_crf(crf_type: CrfType, instance, visit: Visit | None) -> list[SoftWarning]:
    """Every rule of the form, in the order a user can act on them: the plausibility table (hard),
    the derived values, the timeline and the form's own hard checks; then the soft warnings (the
    table's, the delta and cross-field checks, the form's own). Raises ValidationError with every
    hard error; returns the warnings. Nothing is written."""
    errors, table_warnings = plausibility.instance_checks(crf_type.key, instance)
    derived = True
    if crf_type.derive:
        try:
            crf_type.derive(instance)
        except ValidationError as e:
            derived = False
            for name, messages in e.update_error_dict({}).items():
                errors.setdefault(name, messages)  # the table's message names the likely unit
    for name, message in timeline_errors(instance, visit).items():
        errors.setdefault(name, message)
    if derived and crf_type.hard_checks:
        for name, message in (crf_type.hard_checks(instance) or {}).items():
            errors.setdefault(name, message)
    if errors:
        raise ValidationError(errors)
    warnings = [*table_warnings, *cross_field_warnings(crf_type.key, instance, visit)]
    if crf_type.soft_checks:
        warnings.extend(crf_type.soft_checks(instance) or [])
    return warnings


def save_crf(crf_type: CrfType, instance, *, visit: Visit | None, user, reason: str = "",
             acknowledge: bool = False) -> list[SoftWarning]:
    """`instance` carries the form's values (new or changed). Returns the warnings recorded. Every
    write of an eCRF value comes here (the form, a correction through a query answer, an import), so
    no path can store what the form would refuse."""
    participant = visit.participant if visit else instance.participant
    require_site_member(user, participant.site)
    instance.participant = participant
    if visit is not None:
        instance.visit = visit
        if visit.not_applicable:
            raise ValidationError(_("This visit is not applicable (after discontinuation)."))
    warnings = check_crf(crf_type, instance, visit)
    if warnings and not acknowledge:
        raise SoftWarnings(warnings)
    instance.soft_warnings = [w.as_dict() for w in warnings]
    with transaction.atomic():
        if instance._state.adding:
            save_created(instance, user, reason)  # a new form's reason (e.g. lab import batch) or 'Created'
        else:
            stored = stored_row(instance)  # read once: what changed, and what the audited save compares
            changed = changed_fields(instance, stored)
            review.mark_changed(instance, changed)  # a verified value changed -> complete
            if save_changed(instance, user, reason, stored=stored):
                review.invalidate_signatures(instance, user=user, label=str(crf_type.label),
                                             changed_fields=changed, reason=reason)
        if crf_type.after_save:
            crf_type.after_save(instance, user)
        if warnings:
            queries.auto_queries(instance, crf_key=crf_type.key, warnings=warnings, user=user)
    return warnings
