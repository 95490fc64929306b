"""Source-data verification and the PI's electronic signature (issue 6; 21 CFR Part 11: printed
name, date-time and meaning, linked to the record; ICH E6(R3) 4.2)."""
import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crf import registry, workflow
from crf.models import Lock, Scope, Signature, Visit
from edc.access import has_any_role
from edc.audit import save_changed
from edc.roles import DATA_MANAGER, MONITOR, PRINCIPAL_INVESTIGATOR
from edc.services.screening import require_site_member

SKIP = {"id", "created_at", "modified_at", "verified_by", "verified_at", "verified_fields",
        "changed_since_verification", "status", "soft_warnings"}


def forms_of(participant, visit: Visit | None = None) -> list[tuple[registry.CrfType, object]]:
    """Every saved form of a participant (or of one visit), one query per form type."""
    out = []
    for t in registry.ordered():
        qs = t.model.objects.filter(participant=participant)
        if visit is not None:
            qs = qs.filter(visit=visit)
        out += [(t, obj) for obj in qs]
    return out


def content_hash(forms) -> str:
    """What a signature is linked to: the data values of the signed forms."""
    payload = []
    for t, obj in sorted(forms, key=lambda f: (f[0].key, str(f[1].pk))):
        values = {f.attname: str(getattr(obj, f.attname)) for f in obj._meta.concrete_fields if f.name not in SKIP}
        payload.append([t.key, str(obj.pk), values])
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def covering_signatures(obj):
    return Signature.objects.filter(invalidated_at__isnull=True, participant_id=obj.participant_id).filter(
        Q(scope=Scope.CASEBOOK) | Q(scope=Scope.VISIT, visit_id=getattr(obj, "visit_id", None))
        | Q(scope=Scope.CRF, object_id=obj.pk))


def status_of(obj, *, signed_ids: set, locked: bool) -> str:
    return workflow.form_status(exists=obj is not None, entry_status=getattr(obj, "status", ""),
                                verified=bool(getattr(obj, "verified_at", None)),
                                changed=getattr(obj, "changed_since_verification", False),
                                signed=obj is not None and obj.pk in signed_ids, locked=locked)


def review_context(participant) -> tuple[set, set, bool]:
    """Signed form ids, locked form ids and whether the casebook or database is locked: two queries."""
    signatures = list(Signature.objects.filter(participant=participant, invalidated_at__isnull=True))
    locks = list(Lock.objects.filter(Q(participant=participant) | Q(scope=Scope.DATABASE), unlocked_at__isnull=True))
    everything_locked = any(lk.scope in (Scope.DATABASE, Scope.CASEBOOK) for lk in locks)
    signed: set = set()
    if signatures:
        for _type, obj in forms_of(participant):
            visit_id = getattr(obj, "visit_id", None)
            if any(s.scope == Scope.CASEBOOK or (s.scope == Scope.VISIT and s.visit_id == visit_id)
                   or (s.scope == Scope.CRF and s.object_id == obj.pk) for s in signatures):
                signed.add(obj.pk)
    return signed, {lk.object_id for lk in locks if lk.scope == Scope.CRF}, everything_locked


def mark_changed(obj, changed_fields: list[str]) -> None:
    """Before an edit is saved: a change to a verified value flags it (returns the form to complete)."""
    if obj.verified_at and (not obj.verified_fields or set(obj.verified_fields) & set(changed_fields)):
        obj.changed_since_verification = True


def invalidate_signatures(obj, *, user, label: str, changed_fields: list[str], reason: str) -> int:
    """After an edit: every signature covering the form is invalidated, visibly, with why."""
    n = 0
    for sig in covering_signatures(obj):
        sig.invalidated_at = timezone.now()
        sig.invalidated_reason = _("%(form)s changed after signing (%(fields)s): %(reason)s") % {
            "form": label, "fields": ", ".join(changed_fields), "reason": reason}
        sig._history_user = user
        sig.save()
        n += 1
    return n


def verify(obj, *, user, fields: list[str] | None = None) -> None:
    """A monitor marks a form (or some of its fields) verified against the source documents."""
    require_site_member(user, obj.participant.site)
    if not has_any_role(user, {MONITOR}):
        raise PermissionDenied
    signed, locked_ids, all_locked = review_context(obj.participant)
    status = status_of(obj, signed_ids=signed, locked=all_locked or obj.pk in locked_ids)
    if not workflow.allowed("verify", status) and not (status == "verified" and fields):
        raise ValidationError(_("A form that is %(s)s cannot be verified.") % {"s": status.replace("_", " ")})
    names = {f.name for f in obj._meta.concrete_fields}
    if fields and not set(fields) <= names:
        raise ValidationError(_("Unknown field."))
    obj.verified_by, obj.verified_at = user, timezone.now()
    obj.verified_fields = sorted(set(fields or []))
    obj.changed_since_verification = False
    with transaction.atomic():
        save_changed(obj, user, _("Source data verified"))


def sign(*, user, password: str, participant, scope: str, visit: Visit | None = None, obj=None,
         crf_key: str = "") -> Signature:
    """The PI signs a form, a visit or the casebook, re-entering the password (21 CFR 11.200)."""
    require_site_member(user, participant.site)
    if not has_any_role(user, {PRINCIPAL_INVESTIGATOR}):
        raise PermissionDenied
    if not password or not user.check_password(password):
        raise ValidationError({"password": _("The password is not correct.")})
    forms = [(t, o) for t, o in forms_of(participant, visit) if obj is None or o.pk == obj.pk]
    if not forms:
        raise ValidationError(_("There is nothing to sign yet."))
    signed, locked_ids, all_locked = review_context(participant)
    for t, o in forms:
        status = status_of(o, signed_ids=signed, locked=all_locked or o.pk in locked_ids)
        if not workflow.allowed("sign", status) and status != "signed":
            raise ValidationError(_("%(form)s is %(s)s: complete it before signing.") % {
                "form": t.label, "s": status.replace("_", " ")})
    from crf.models.quality import SIGNATURE_MEANING
    sig = Signature(scope=scope, participant=participant, visit=visit, crf_key=crf_key,
                    object_id=obj.pk if obj else None, signer=user, printed_name=user.printed_name,
                    meaning=str(SIGNATURE_MEANING), signed_at=timezone.now(), content_hash=content_hash(forms))
    sig._history_user = user
    sig.save()
    return sig


def can_lock(user) -> bool:
    return has_any_role(user, {DATA_MANAGER})
