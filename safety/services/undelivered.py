"""SAE alert e-mails that keep failing: told to people, shown on the dashboard, failing the health
check (docs/SAFETY_ALERTS.md, "When mail is down").

An SAE alert is retried for as long as an obligation it concerns is open (edc.services.notifications);
after EDC_SAE_ESCALATE_AFTER_FAILURES failures the site's PIs and the data managers get an in-app
alert — the one channel that still works — and the safety dashboard and `manage.py health` show it.
"""
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from edc.models import Delivery, DeliveryAttempt, User
from edc.roles import DATA_MANAGER, PRINCIPAL_INVESTIGATOR
from edc.services.notifications import Recipient, notify_each


@dataclass(frozen=True)
class Undelivered:
    count: int
    since: datetime | None
    last_error: str


def _failing():
    return Delivery.objects.filter(
        channel=Delivery.Channel.EMAIL, notification__kind="sae",
        status__in=[Delivery.Status.FAILED, Delivery.Status.SENDING, Delivery.Status.PENDING],
        attempts__gte=settings.EDC_SAE_ESCALATE_AFTER_FAILURES)


def undelivered() -> Undelivered:
    """SAE alert e-mails not delivered after the escalation threshold of failures, and since when."""
    failing = _failing()
    count = failing.count()
    if not count:
        return Undelivered(0, None, "")
    since = DeliveryAttempt.objects.filter(delivery__in=failing, succeeded=False).aggregate(at=Min("at"))["at"]
    last = failing.order_by("-next_attempt_at").values_list("last_error", flat=True).first() or ""
    return Undelivered(count, since, last)


def escalate() -> int:
    """Tell the PIs of the sites concerned and every data manager, in-app, once per batch of newly
    failing deliveries. Returns how many deliveries were escalated now."""
    fresh = list(_failing().filter(escalated_at=None)
                 .values_list("pk", "notification__obligation_alerts__obligation__case__participant__site_id"))
    if not fresh:
        return 0
    ids = sorted({pk for pk, _site in fresh})
    sites = {site for _pk, site in fresh if site is not None}
    people = User.objects.filter(is_active=True).filter(
        groups__name=DATA_MANAGER) | User.objects.filter(
        is_active=True, groups__name=PRINCIPAL_INVESTIGATOR, sites__in=sites)
    state = undelivered()

    def render(_r):
        since = timezone.localtime(state.since).strftime("%Y-%m-%d %H:%M %Z") if state.since else "—"
        subject = ngettext("%(count)d SAE alert e-mail not delivered since %(since)s",
                           "%(count)d SAE alert e-mails not delivered since %(since)s",
                           state.count) % {"count": state.count, "since": since}
        body = _("The mail server keeps refusing or not answering. The alerts stay in the system and are "
                 "retried until delivered or their obligations are met; check the mail server. "
                 "Last error: %(error)s") % {"error": state.last_error[:300]}
        return subject, body

    recipients = [Recipient(label=u.printed_name, user=u) for u in people.distinct()]
    notify_each(kind="mail-undelivered", event_key=f"mail-undelivered:{ids[0]}", recipients=recipients,
                render=render, in_app_only=True)
    Delivery.objects.filter(pk__in=ids).update(escalated_at=timezone.now())
    return len(ids)
