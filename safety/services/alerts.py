"""SAE alerts: who hears of an SAE, when, and in which words (docs/SAFETY_ALERTS.md).

The beat sweep (every minute) sends each alert stage of each open obligation once per recipient.
Exactly once is the database's job: a unique (obligation, stage, recipient) ObligationAlert row is
written in the same transaction as the notification, so a second sweep, a concurrent sweep or a
restarted worker finds it and sends nothing more.

One alert per SAE and stage to each person: the obligations of one SAE that reach the same stage
(`deadlines.stage_group`) go out as ONE notification listing them, written in the recipient's
language (zh-hans or en).
"""
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from edc.models import ExternalContact, User
from edc.roles import PRINCIPAL_INVESTIGATOR
from edc.services.notifications import Recipient, notify_each
from safety import deadlines
from safety.models import ObligationAlert, ObligationPolicy, SaeObligation


@dataclass(frozen=True)
class People:
    pis_by_site: dict[int, list]
    contacts_by_org: dict[str, list]


def people() -> People:
    pis: dict[int, list] = {}
    for user in User.objects.filter(groups__name=PRINCIPAL_INVESTIGATOR, is_active=True).prefetch_related("sites"):
        for site in user.sites.all():
            pis.setdefault(site.pk, []).append(user)
    contacts: dict[str, list] = {}
    for c in ExternalContact.objects.filter(active=True, receives_sae=True):
        contacts.setdefault(c.organisation, []).append(c)
    return People(pis, contacts)


def _contacts(stage: str, policy_recipient: str, everyone: People) -> list:
    if stage != "created" or policy_recipient == ObligationPolicy.Recipient.PRINCIPAL_INVESTIGATOR:
        return []
    orgs = ["sponsor", "cro"] if policy_recipient == "sponsor" else ["ethics"]
    return [c for org in orgs for c in everyone.contacts_by_org.get(org, [])]


def recipient_keys(site_id: int, reporter_id: int, policy_recipient: str, stage: str, everyone: People) -> list[str]:
    """THE rule, from ids alone: site PIs and the reporter hear every stage (in-app + e-mail); the
    sponsor/CRO or ethics contacts of the obligation are e-mailed the SAE notice once, at creation."""
    users = [u.pk for u in everyone.pis_by_site.get(site_id, [])]
    if reporter_id not in users:
        users.append(reporter_id)
    return [f"user:{pk}" for pk in users] + [f"email:{c.email}" for c in _contacts(stage, policy_recipient, everyone)]


def recipients_for(ob: SaeObligation, stage: str, everyone: People) -> list[Recipient]:
    """The Recipients of `recipient_keys` (built from it, so the two cannot disagree)."""
    case = ob.case
    users = {u.pk: u for u in everyone.pis_by_site.get(case.participant.site_id, [])}
    users.setdefault(case.adverse_event.reported_by_id, case.adverse_event.reported_by)
    contacts = {c.email: c for c in _contacts(stage, ob.policy.recipient, everyone)}
    out = []
    for key in recipient_keys(case.participant.site_id, case.adverse_event.reported_by_id, ob.policy.recipient,
                              stage, everyone):
        kind, _sep, ident = key.partition(":")
        if kind == "user":
            u = users[int(ident)]
            out.append(Recipient(label=u.printed_name, user=u))
        else:
            c = contacts[ident]
            out.append(Recipient(label=f"{c.get_organisation_display()}: {c.name}", email=c.email,
                                 language=c.language))
    return out


def recipient_key(r: Recipient) -> str:
    return f"user:{r.user.pk}" if r.user is not None else f"email:{r.email}"


def policy_label(policy: ObligationPolicy) -> str:
    return _(policy.label)  # the default policies' labels are in the catalogue; edited ones as typed


def _head(stage: str) -> str:
    if stage == "created":
        return _("New SAE")
    if stage == "reminder":
        return _("Reminder")
    if stage == "due":
        return _("Deadline now")
    days = int(stage.split("-")[-1])
    return ngettext("OVERDUE (%(days)d day)", "OVERDUE (%(days)d days)", days) % {"days": days}


def message(items: list[tuple[SaeObligation, str]]) -> tuple[str, str]:
    """Subject and body of one alert about one SAE, listing the obligations it concerns, in the
    active language; blind code only, never the arm."""
    case = items[0][0].case
    p = case.participant
    zone = ZoneInfo(p.site.timezone)
    fmt = "%Y-%m-%d %H:%M %Z"
    labels = [policy_label(ob.policy) for ob, _stage in items]
    about = labels[0] if len(labels) == 1 else ngettext(
        "%(count)d obligation", "%(count)d obligations", len(labels)) % {"count": len(labels)}
    subject = _("[EDC SAE] %(head)s: %(participant)s — %(about)s") % {
        "head": _head(items[0][1]), "participant": p.participant_code, "about": about}
    blind_code = getattr(getattr(p, "randomization", None), "blind_code", "—")
    lines = [
        _("Participant %(participant)s (blind code %(code)s, site %(site)s).") % {
            "participant": p.participant_code, "code": blind_code, "site": p.site},
        _("Event: %(term)s, CTCAE grade %(grade)s.") % {"term": case.adverse_event.term,
                                                        "grade": case.adverse_event.grade},
        _("Site aware: %(at)s.") % {"at": timezone.localtime(case.aware_at, zone).strftime(fmt)},
        _("Obligations:"),
    ]
    for ob, _stage in items:
        lines.append("- " + _("%(obligation)s; due %(due)s") % {
            "obligation": policy_label(ob.policy), "due": timezone.localtime(ob.due_at, zone).strftime(fmt)})
    return subject, "\n".join(lines) + "\n"


def plan(reached: list[tuple[SaeObligation, str]], everyone: People,
         sent: set = frozenset()) -> dict[tuple, tuple[Recipient, list[tuple[SaeObligation, str]]]]:
    """Group the (obligation, stage) pairs not yet sent into alerts: (case, stage group, recipient
    key) -> (recipient, the pairs it lists). The sweep and the synthetic trial both use this."""
    out: dict[tuple, tuple[Recipient, list]] = {}
    for ob, stage in reached:
        for r in recipients_for(ob, stage, everyone):
            key = recipient_key(r)
            if (ob.pk, stage, key) in sent:
                continue
            group = (ob.case_id, deadlines.stage_group(stage, ob.due_at), key)
            out.setdefault(group, (r, []))[1].append((ob, stage))
    return out


def _with_alerts_missing(open_obs, sent: set, now: datetime, everyone: People) -> list[int]:
    """Ids of the open obligations with a reached stage not yet sent to one of its recipients, from a
    few columns per obligation (building every open obligation's objects each minute takes seconds
    at 10,000 of them)."""
    out = []
    for pk, remind_at, due_at, policy_recipient, site_id, reporter_id in open_obs:
        for stage in deadlines.stages_due(remind_at, due_at, now):
            keys = recipient_keys(site_id, reporter_id, policy_recipient, stage, everyone)
            if any((pk, stage, key) not in sent for key in keys):
                out.append(pk)
                break
    return out


def sweep(now: datetime | None = None, case_id=None) -> int:
    """Send every alert that is due and not yet sent. Returns how many (obligation, stage, recipient)
    alerts were recorded (several share one notification)."""
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
    everyone = people()
    pending = _with_alerts_missing(rows, sent, now, everyone)
    if not pending:
        return 0  # the usual minute: everything due has been sent
    obligations = (SaeObligation.objects.filter(pk__in=pending).order_by("due_at", "policy__hours", "pk")
                   .select_related("policy", "case__participant__site", "case__participant__randomization",
                                   "case__adverse_event__reported_by"))
    reached = [(ob, stage) for ob in obligations for stage in deadlines.stages_due(ob.remind_at, ob.due_at, now)]
    return sum(_alert(group, r, items) for group, (r, items) in plan(reached, everyone, sent).items())


def _alert(group: tuple, r: Recipient, items: list[tuple[SaeObligation, str]]) -> int:
    case_id, stage_group, key = group
    try:
        with transaction.atomic():
            notes = notify_each(kind="sae", event_key=f"sae:{case_id}:{stage_group}", recipients=[r],
                                render=lambda _r: message(items), link=reverse("sae_detail", args=[case_id]))
            if not notes:
                return 0  # another sweep got there first
            ObligationAlert.objects.bulk_create([
                ObligationAlert(obligation=ob, stage=stage, recipient=key, notification=notes[0])
                for ob, stage in items])
    except IntegrityError:
        return 0
    return len(items)


def still_needed(notification) -> bool:
    """An SAE alert e-mail is retried while an obligation it concerns is open."""
    return ObligationAlert.objects.filter(notification=notification, obligation__met_at__isnull=True).exists()

