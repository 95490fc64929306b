"""SAE reporting obligations (protocol 3.3; docs/SAFETY_ALERTS.md, "Deadlines").

Each SAE case gets one obligation per active policy row, due `hours` after the site became aware
(safety.deadlines). Their alerts are sent by safety.services.alerts.sweep (re-exported here).
"""
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from edc.audit import save_changed
from edc.services.screening import require_site_member
from safety import deadlines
from safety.models import ObligationPolicy, SaeCase, SaeObligation
from safety.services.alerts import sweep  # noqa: F401  (callers import the sweep from here)

DEFAULT_POLICIES = [
    # (code, label, recipient, hours, remind before) — protocol 3.3 and 2.5.6; labels are stored in
    # English and translated when an alert is written (alerts.policy_label)
    ("pi_24h", gettext_noop("Report to the principal investigator within 24 h"), "pi", 24, 6),
    ("sponsor_24h", gettext_noop("Report to the sponsor within 24 h"), "sponsor", 24, 6),
    ("ethics_24h", gettext_noop("Initial report to the ethics committee within 24 h"), "ethics", 24, 6),
    ("ethics_15d", gettext_noop("Full report to the ethics committee within 15 days"), "ethics", 15 * 24, 3 * 24),
]


def ensure_policies() -> None:
    for code, label, recipient, hours, remind in DEFAULT_POLICIES:
        ObligationPolicy.objects.get_or_create(code=code, defaults={
            "label": label, "recipient": recipient, "hours": hours, "remind_before_hours": remind})


def create_obligations(case: SaeCase) -> list[SaeObligation]:
    ensure_policies()
    out = []
    for policy in ObligationPolicy.objects.filter(active=True):
        due, remind = deadlines.obligation_times(case.aware_at, policy.hours, policy.remind_before_hours)
        out.append(SaeObligation.objects.create(case=case, policy=policy, due_at=due, remind_at=remind))
    from edc.services.notifications import enqueue_after_commit
    from safety.tasks import sweep_case
    enqueue_after_commit(sweep_case, case.pk)  # the creation alert goes out now, not at the next minute
    return out


def meet_obligation(obligation: SaeObligation, *, user, met_at: datetime, how: str, reference: str) -> None:
    """Record that the report was made: when, how, by whom, reference. Audited."""
    require_site_member(user, obligation.case.participant.site)
    errors = {}
    if met_at > timezone.now():
        errors["met_at"] = _("The report time cannot be in the future.")
    elif met_at < obligation.case.aware_at - timedelta(minutes=1):
        errors["met_at"] = _("A report cannot precede the awareness of the SAE.")
    if not how.strip():
        errors["how"] = _("Say how it was reported (e-mail, fax, portal...).")
    if obligation.met_at is not None:
        errors["met_at"] = _("This obligation is already met.")
    if errors:
        raise ValidationError(errors)
    obligation.met_at, obligation.met_how, obligation.met_reference, obligation.met_by = (
        met_at, how.strip(), reference.strip(), user)
    with transaction.atomic():
        save_changed(obligation, user, _("Obligation met"))


def stages_due(ob: SaeObligation, now: datetime) -> list[str]:
    """The alert stages an open obligation has reached at `now` (safety.deadlines.stages_due)."""
    return deadlines.stages_due(ob.remind_at, ob.due_at, now)
