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
from edc.queue import enqueue_after_commit
from edc.roles import PRINCIPAL_INVESTIGATOR
from edc.services.notifications import Recipient, notify
from edc.sites import require_site_member
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
    enqueue_after_commit("safety.tasks.sweep_case", case.pk)  # the creation alert goes out now, not at the next minute
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


def _contacts(stage: str, policy_recipient: str, people: _Recipients) -> list:
    if stage != "created" or policy_recipient == ObligationPolicy.Recipient.PRINCIPAL_INVESTIGATOR:
        return []
    orgs = ["sponsor", "cro"] if policy_recipient == "sponsor" else ["ethics"]
    return [c for org in orgs for c in people.contacts_by_org.get(org, [])]


def recipients_for(ob: SaeObligation, stage: str, people: _Recipients) -> list[Recipient]:
    """Site PIs and the reporter hear every stage (in-app + e-mail); the sponsor/CRO or ethics
    contacts of the obligation are e-mailed the SAE notice once, at creation."""
    case = ob.case
    users = {u.pk: u for u in people.pis_by_site.get(case.participant.site_id, [])}
    users.setdefault(case.adverse_event.reported_by_id, case.adverse_event.reported_by)
    out = [Recipient(label=u.printed_name, user=u) for u in users.values()]
    out += [Recipient(label=f"{c.get_organisation_display()}: {c.name}", email=c.email)
            for c in _contacts(stage, ob.policy.recipient, people)]
    return out


def recipient_keys(site_id: int, reporter_id: int, policy_recipient: str, stage: str, people: _Recipients) -> list[str]:
    """The keys (`_recipient_key`) of `recipients_for`, from ids alone: no objects to build."""
    users = [u.pk for u in people.pis_by_site.get(site_id, [])]
    if reporter_id not in users:
        users.append(reporter_id)
    return [f"user:{pk}" for pk in users] + [f"email:{c.email}" for c in _contacts(stage, policy_recipient, people)]


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


@dataclass(frozen=True)
class _Due:
    """What stages_due reads of an obligation."""
    remind_at: datetime
    due_at: datetime


def _with_alerts_missing(open_obs, sent: set, now: datetime, people: _Recipients) -> list[int]:
    """Ids of the open obligations with a reached stage not yet sent to one of its recipients,
    found from a few columns per obligation (at 10,000 open obligations, building the full objects
    for every one of them every minute took seconds; issue 8)."""
    out = []
    for pk, remind_at, due_at, policy_recipient, site_id, reporter_id in open_obs:
        for stage in stages_due(_Due(remind_at, due_at), now):
            keys = recipient_keys(site_id, reporter_id, policy_recipient, stage, people)
            if any((pk, stage, key) not in sent for key in keys):
                out.append(pk)
                break
    return out


def sweep(now: datetime | None = None, case_id=None) -> int:
    """Send every alert that is due and not yet sent. Returns how many alerts were created."""
    now = now or timezone.now()
    open_obs = SaeObligation.objects.filter(met_at__isnull=True)
    alerts = ObligationAlert.objects.filter(obligation__met_at__isnull=True)
    if case_id is not None:
        open_obs, alerts = open_obs.filter(case_id=case_id), alerts.filter(obligation__case_id=case_id)
    rows = list(open_obs.values_list("pk", "remind_at", "due_at", "policy__recipient", "case__participant__site_id",
                                     "case__adverse_event__reported_by_id"))
    if not rows:
        return 0
    sent = set(alerts.values_list("obligation_id", "stage", "recipient"))
    people = _recipients()
    pending = _with_alerts_missing(rows, sent, now, people)
    if not pending:
        return 0  # the usual minute: everything due has been sent
    obligations = (SaeObligation.objects.filter(pk__in=pending)
                   .select_related("policy", "case__participant__site", "case__participant__randomization",
                                   "case__adverse_event__reported_by"))
    created = 0
    for ob in obligations:
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
