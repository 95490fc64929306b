"""Source-data verification and the PI's electronic signature (21 CFR Part 11: printed name,
date-time and meaning, linked to the record; ICH E6(R3) 4.2). The preconditions are crf.workflow's;
this module gathers the facts and enforces them (docs/WORKFLOW.md "Form workflow")."""
import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crf import registry, workflow
from crf.models import Lock, Scope, Signature, Visit
from crf.selectors import crfs_due
from crf.status import visit_status
from edc.access import user_roles
from edc.audit import save_changed
from edc.sites import require_site_member, site_today

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


def form_states(participant, visit: Visit | None = None, *, expected: bool = True,
                only=None) -> list[tuple[registry.CrfType, object, workflow.FormState]]:
    """(form type, saved form or None, its workflow state) for every saved form of a participant (or
    of one visit) and, when `expected`, every form due at a visit that took place or is overdue but
    was never started (docs/WORKFLOW.md "What a signature or a lock covers"). `only`: one saved form."""
    forms = [(t, o) for t, o in forms_of(participant, visit) if only is None or o.pk == only.pk]
    signed, locked_ids, all_locked = review_context(participant)
    visits = {v.pk: v for v in ([visit] if visit is not None else participant.visits.order_by("month"))}
    out = []
    for t, o in forms:
        v = visits.get(getattr(o, "visit_id", None))
        label = f"{t.label} · {v.label}" if v is not None and not t.log else str(t.label)
        status = status_of(o, signed_ids=signed, locked=all_locked or o.pk in locked_ids)
        out.append((t, o, workflow.FormState(label, status, bool(getattr(o, "changed_since_verification", False)))))
    if not expected or only is not None:
        return out
    today = site_today(participant.site)
    started = {(getattr(o, "visit_id", None), t.key) for t, o in forms}
    for v in visits.values():
        state = visit_status(visit_date=v.visit_date, missed_reason=v.missed_reason,
                             not_applicable=v.not_applicable, window_start=v.window_start,
                             window_end=v.window_end, today=today)
        if state in ("done", "overdue"):  # scheduled and open visits are not expected yet
            out += [(t, None, workflow.FormState(f"{t.label} · {v.label}", "not_started"))
                    for t in crfs_due(v) if (v.pk, t.key) not in started]
    return out


def blockers(action: str, participant, visit: Visit | None = None) -> list[str]:
    """Every reason a visit or casebook may not be signed / locked now (empty: it may)."""
    scope = Scope.VISIT if visit is not None else Scope.CASEBOOK
    return workflow.scope_refusals(action, [s for _t, _o, s in form_states(participant, visit)], scope=scope)


def sign_blockers(participant, visit: Visit | None = None) -> list[str]:
    """Why a visit or casebook may not be signed now: a locked casebook is one reason, not one per form."""
    wide = Lock.objects.filter(Q(scope=Scope.DATABASE) | Q(scope=Scope.CASEBOOK, participant=participant),
                               unlocked_at__isnull=True).select_related("locked_by").first()
    if wide is not None:
        return [_("%(lock)s Signing comes before locking.") % {"lock": wide.describe()}]
    return blockers("sign", participant, visit)


def refuse(reasons: list[str]) -> None:
    """One message that says what is missing (the first ten, then how many more)."""
    if reasons:
        shown = reasons[:10]
        if len(reasons) > 10:
            shown.append(_("…and %(n)d more.") % {"n": len(reasons) - 10})
        raise ValidationError(shown)


def verify(obj, *, user, fields: list[str] | None = None) -> None:
    """A monitor marks a form (or some of its fields) verified against the source documents."""
    require_site_member(user, obj.participant.site)
    if not workflow.may("verify", user_roles(user)):
        raise PermissionDenied
    [(_t, _o, state)] = form_states(obj.participant, only=obj)
    if not (state.status == "verified" and fields):  # re-verifying chosen fields of a verified form
        refuse([why] if (why := workflow.refusal("verify", state)) else [])
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
    """The PI signs a form, a visit or the casebook, re-entering the password (21 CFR 11.200).
    Refused, with every reason, unless each form it covers may be signed (crf.workflow)."""
    require_site_member(user, participant.site)
    if not workflow.may("sign", user_roles(user)):
        raise PermissionDenied
    if scope == Scope.CRF and obj is None or scope == Scope.VISIT and visit is None:
        raise ValidationError(_("Name the form or visit to sign."))
    if scope == Scope.CRF:
        states = form_states(participant, visit, only=obj)
        if not states:
            raise ValidationError(_("There is nothing to sign yet."))
        refuse([why] if (why := workflow.refusal("sign", states[0][2])) else [])
    else:
        refuse(sign_blockers(participant, visit))
    same = Signature.objects.filter(participant=participant, scope=scope, invalidated_at__isnull=True,
                                    visit=visit if scope == Scope.VISIT else None,
                                    object_id=obj.pk if scope == Scope.CRF else None).first()
    if same is not None:  # e.g. after an unlock and relock that changed nothing
        raise ValidationError(_("Already signed by %(who)s on %(at)s; nothing has changed since.") % {
            "who": same.printed_name, "at": timezone.localtime(same.signed_at).strftime("%Y-%m-%d %H:%M")})
    if not password or not user.check_password(password):
        raise ValidationError({"password": _("The password is not correct.")})
    from crf.models.quality import SIGNATURE_MEANING
    forms = [(t, o) for t, o in forms_of(participant, visit) if obj is None or o.pk == obj.pk]
    sig = Signature(scope=scope, participant=participant, visit=visit, crf_key=crf_key,
                    object_id=obj.pk if obj else None, signer=user, printed_name=user.printed_name,
                    meaning=str(SIGNATURE_MEANING), signed_at=timezone.now(), content_hash=content_hash(forms))
    sig._history_user = user
    sig.save()
    return sig

