"""SAE reporting obligations and their alerts (PROTOCOL.md decisions; ARCHITECTURE.md rule 4).

Each SAE case gets one obligation per active policy row, `due_at = aware_at + hours`. The beat
sweep (every minute) sends each alert stage once per recipient: on creation, a reminder before the
deadline, at the deadline, and daily while overdue. Exactly once is the database's job: a unique
(obligation, stage, recipient) row is written in the same transaction as the notification, so a
second sweep, a concurrent sweep or a restarted worker finds it and sends nothing more.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.audit import save_changed
from edc.models import ExternalContact, User
from edc.roles import PRINCIPAL_INVESTIGATOR
from edc.services.notifications import Recipient, notify
from edc.services.screening import require_site_member
from safety.models import ObligationAlert, ObligationPolicy, SaeCase, SaeObligation

DEFAULT_POLICIES = [
    # (code, label, recipient, hours, remind before) — PROTOCOL.md decisions; protocol 3.3 and 2.5.6
    ("pi_24h", "Report to the principal investigator within 24 h", "pi", 24, 6),
    ("sponsor_24h", "Report to the sponsor within 24 h", "sponsor", 24, 6),
    ("ethics_24h", "Initial report to the ethics committee within 24 h", "ethics", 24, 6),
    ("ethics_15d", "Full report to the ethics committee within 15 days", "ethics", 15 * 24, 3 * 24),
]


def ensure_policies() -> None:
    for code, label, recipient, hours, remind in DEFAULT_POLICIES:
        ObligationPolicy.objects.get_or_create(code=code, defaults={
            "label": label, "recipient": recipient, "hours": hours, "remind_before_hours": remind})


def create_obligations(case: SaeCase) -> list[SaeObligation]:
    ensure_policies()
    out = []
    for policy in ObligationPolicy.objects.filter(active=True):
        due = case.aware_at + timedelta(hours=policy.hours)
        out.append(SaeObligation.objects.create(
            case=case, policy=policy, due_at=due, remind_at=due - timedelta(hours=policy.remind_before_hours)))
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
    """The alert stages an open obligation has reached at `now` (pure; unit-tested)."""
    stages = ["created"]
    if now >= ob.remind_at:
        stages.append("reminder")
    if now >= ob.due_at:
        stages.append("due")
    days_over = (now - ob.due_at) // timedelta(days=1)
    if days_over >= 1:
        stages.append(f"overdue-{days_over}")  # daily while overdue: one stage per full day
    return stages


@dataclass(frozen=True)
class _Recipients:
    pis_by_site: dict[int, list]
    contacts_by_org: dict[str, list]


def _recipients() -> _Recipients:
    pis: dict[int, list] = {}
    for user in User.objects.filter(groups__name=PRINCIPAL_INVESTIGATOR, is_active=True).prefetch_related("sites"):
        for site in user.sites.all():
            pis.setdefault(site.pk, []).append(user)
    contacts: dict[str, list] = {}
    for c in ExternalContact.objects.filter(active=True, receives_sae=True):
        contacts.setdefault(c.organisation, []).append(c)
    return _Recipients(pis, contacts)


def recipients_for(ob: SaeObligation, stage: str, people: _Recipients) -> list[Recipient]:
    """Site PIs and the reporter hear every stage (in-app + e-mail); the sponsor/CRO or ethics
    contacts of the obligation are e-mailed the SAE notice once, at creation."""
    case = ob.case
    users = {u.pk: u for u in people.pis_by_site.get(case.participant.site_id, [])}
    users.setdefault(case.adverse_event.reported_by_id, case.adverse_event.reported_by)
    out = [Recipient(label=u.printed_name, user=u) for u in users.values()]
    if stage == "created" and ob.policy.recipient != ObligationPolicy.Recipient.PRINCIPAL_INVESTIGATOR:
        orgs = ["sponsor", "cro"] if ob.policy.recipient == "sponsor" else ["ethics"]
        out += [Recipient(label=f"{c.get_organisation_display()}: {c.name}", email=c.email)
                for org in orgs for c in people.contacts_by_org.get(org, [])]
    return out


def _recipient_key(r: Recipient) -> str:
    return f"user:{r.user.pk}" if r.user is not None else f"email:{r.email}"


def _message(ob: SaeObligation, stage: str) -> tuple[str, str]:
    case, p = ob.case, ob.case.participant
    local_due = timezone.localtime(ob.due_at)
    head = {"created": "New SAE", "reminder": "Reminder", "due": "Deadline now"}.get(
        stage, f"OVERDUE ({stage.split('-')[-1]} day(s))")
    subject = f"[EDC SAE] {head}: {p.participant_code} — {ob.policy.label}"
    blind_code = getattr(getattr(p, "randomization", None), "blind_code", "—")
    body = (f"Participant {p.participant_code} (blind code {blind_code}, site {p.site}).\n"
            f"Event: {case.adverse_event.term}, CTCAE grade {case.adverse_event.grade}.\n"
            f"Site aware: {timezone.localtime(case.aware_at):%Y-%m-%d %H:%M %Z}.\n"
            f"Obligation: {ob.policy.label}; due {local_due:%Y-%m-%d %H:%M %Z}.\n")
    return subject, body


def sweep(now: datetime | None = None, case_id=None) -> int:
    """Send every alert that is due and not yet sent. Returns how many alerts were created."""
    now = now or timezone.now()
    open_obs = (SaeObligation.objects.filter(met_at__isnull=True)
                .select_related("policy", "case__participant__site", "case__participant__randomization",
                                "case__adverse_event__reported_by"))
    if case_id is not None:
        open_obs = open_obs.filter(case_id=case_id)
    open_obs = list(open_obs)
    if not open_obs:
        return 0
    sent = set(ObligationAlert.objects.filter(obligation__in=[o.pk for o in open_obs])
               .values_list("obligation_id", "stage", "recipient"))
    people = _recipients()
    created = 0
    for ob in open_obs:
        for stage in stages_due(ob, now):
            for r in recipients_for(ob, stage, people):
                key = _recipient_key(r)
                if (ob.pk, stage, key) in sent:
                    continue
                created += _alert(ob, stage, r, key)
    return created


def _alert(ob: SaeObligation, stage: str, r: Recipient, key: str) -> int:
    subject, body = _message(ob, stage)
    try:
        with transaction.atomic():
            notes = notify(kind="sae", event_key=f"sae-obligation:{ob.pk}:{stage}", recipients=[r],
                           subject=subject, body=body,
                           link=reverse("sae_detail", args=[ob.case_id]))
            if not notes:
                return 0  # another sweep got there first
            ObligationAlert.objects.create(obligation=ob, stage=stage, recipient=key, notification=notes[0])
    except IntegrityError:
        return 0
    return 1
