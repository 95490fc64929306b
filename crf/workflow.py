"""The form workflow, the one home of its rules (docs/WORKFLOW.md "Form workflow"):

    not started -> in progress -> complete -> verified -> signed -> locked

`form_status` names a form's status from its facts; `ALLOWED` says which statuses each action may
start from and `ACTION_ROLES` who may take it; `refusal` and `scope_refusals` say, in words, why an
action is refused for one form or for a visit / casebook (every form it covers, and every form that
should exist and does not). Services enforce these (crf.services.review, crf.services.locks); pages
only read them to decide which buttons to show. No database here: the services pass the facts."""
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from edc import roles

ORDER = ["not_started", "in_progress", "complete", "verified", "signed", "locked"]

ALLOWED = {
    # action: statuses it may start from
    "edit": {"not_started", "in_progress", "complete", "verified", "signed"},
    "verify": {"complete"},
    "sign": {"complete", "verified"},
    "lock": {"complete", "verified", "signed"},
}

ACTION_ROLES = {
    "edit": roles.DATA_ENTRY,
    "verify": frozenset({roles.MONITOR}),
    "sign": frozenset({roles.PRINCIPAL_INVESTIGATOR}),
    "lock": frozenset({roles.DATA_MANAGER}),
    "unlock": frozenset({roles.DATA_MANAGER}),
    "raise_query": frozenset({roles.MONITOR, roles.DATA_MANAGER}),
    "close_query": frozenset({roles.MONITOR, roles.DATA_MANAGER}),
    "answer_query": roles.DATA_ENTRY,
}

STATUS_LABELS = {
    "not_started": _("Not started"), "in_progress": _("In progress"), "complete": _("Complete"),
    "verified": _("Verified"), "signed": _("Signed"), "locked": _("Locked"),
}


@dataclass(frozen=True)
class FormState:
    """What the workflow needs to know about one form (existing or expected)."""
    label: str  # e.g. "Laboratory panel · Month 0"
    status: str
    changed_since_verification: bool = False


def form_status(*, exists: bool, entry_status: str = "", verified: bool = False, changed: bool = False,
                signed: bool = False, locked: bool = False) -> str:
    if not exists:
        return "not_started"
    if locked:
        return "locked"
    if entry_status == "in_progress":
        return "in_progress"
    if signed:
        return "signed"
    if verified and not changed:
        return "verified"
    return "complete"  # a change after verification returns the form to complete


def allowed(action: str, status: str) -> bool:
    return status in ALLOWED[action]


def may(action: str, user_roles) -> bool:
    return bool(ACTION_ROLES[action] & frozenset(user_roles))


# Why an action is refused, by the status the form is in. A signed form may be covered again by a
# visit or casebook signature, so only a form-level signature refuses "signed" (see `refusal`).
_WHY = {
    "not_started": _("%(form)s has not been started."),
    "in_progress": _("%(form)s is still in progress: it must be saved as complete first."),
    "locked": _("%(form)s is locked (read-only)."),
}
_WHY_ACTION = {
    ("verify", "verified"): _("%(form)s is already verified."),
    ("verify", "signed"): _("%(form)s is signed: a change would have to invalidate the signature first."),
    ("sign", "signed"): _("%(form)s is already signed."),
    ("lock", "not_started"): _("%(form)s has not been started: there is nothing to lock."),
}
_CHANGED = _("%(form)s changed since it was verified: it must be verified again before signing.")


def refusal(action: str, form: FormState, *, scope: str = "crf") -> str | None:
    """Why `action` may not be taken on `form`, or None when it may."""
    if action == "sign":
        if form.status == "complete" and form.changed_since_verification:
            return str(_CHANGED % {"form": form.label})
        if form.status == "signed" and scope != "crf":
            return None  # a visit or casebook signature may cover a form signed on its own
    if action == "lock" and form.status == "locked" and scope != "crf":
        return None  # a casebook lock may cover a form locked on its own
    if allowed(action, form.status):
        return None
    why = _WHY_ACTION.get((action, form.status)) or _WHY.get(form.status)
    if why is None:
        why = _("%(form)s is %(status)s.")
    return str(why % {"form": form.label, "status": STATUS_LABELS.get(form.status, form.status)})


def scope_refusals(action: str, forms: list[FormState], *, scope: str) -> list[str]:
    """Every reason `action` may not be taken on a visit or casebook (its forms, existing or due)."""
    if not forms:
        return [str(_("There are no forms to %(action)s yet.") % {"action": ACTION_WORDS[action]})]
    return [why for f in forms if (why := refusal(action, f, scope=scope))]


ACTION_WORDS = {"verify": _("verify"), "sign": _("sign"), "lock": _("lock")}
