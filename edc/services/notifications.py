"""Send notices exactly once, by e-mail and in-app, recording every attempt.

`notify()` creates one Notification per (event, recipient) — a second call with the same key does
nothing — and its deliveries; the e-mail is sent by Celery after the transaction commits
(`delay_on_commit`). A Celery-beat sweep retries failed and lost deliveries every minute, so a
worker or Redis restart delays a notice but never loses or doubles it.
"""
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from edc.models import Delivery, DeliveryAttempt, Notification
from edc.queue import enqueue_after_commit

log = logging.getLogger("edc.notifications")
MAX_ATTEMPTS = 10
CLAIM_TIMEOUT = timedelta(minutes=5)  # a claim older than this is from a worker that died


@dataclass(frozen=True)
class Recipient:
    label: str
    user: object | None = None
    email: str = ""


def notify(*, kind: str, event_key: str, recipients: list[Recipient], subject: str, body: str,
           link: str = "") -> list[Notification]:
    """Create the notices for one event; returns the notifications created now (not earlier)."""
    created = []
    for r in recipients:
        key = f"{event_key}:{r.user.pk if r.user else r.email}"
        try:
            with transaction.atomic():
                n = Notification.objects.create(
                    kind=kind, dedupe_key=key, recipient_user=r.user,
                    recipient_email=r.email or (r.user.email if r.user else ""),
                    recipient_label=r.label, subject=subject, body=body, link=link)
        except IntegrityError:
            continue  # already notified for this event: exactly once
        now = timezone.now()
        if r.user is not None:
            Delivery.objects.create(notification=n, channel=Delivery.Channel.IN_APP,
                                    status=Delivery.Status.SENT, sent_at=now, attempts=1)
        if n.recipient_email:
            d = Delivery.objects.create(notification=n, channel=Delivery.Channel.EMAIL,
                                        next_attempt_at=now)
            enqueue_after_commit("edc.tasks.deliver_email", d.pk)
        created.append(n)
    return created


def claim(delivery_id: int) -> bool:
    """Take a delivery for sending; False if another worker has it or it is done."""
    now = timezone.now()
    return Delivery.objects.filter(
        Q(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED])
        | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT),
        pk=delivery_id, next_attempt_at__lte=now,
    ).update(status=Delivery.Status.SENDING, claimed_at=now) == 1


def send_email_delivery(delivery_id: int) -> str:
    """Send one claimed e-mail; store the attempt and its outcome. Returns the new status."""
    if not claim(delivery_id):
        return "skipped"
    d = Delivery.objects.select_related("notification").get(pk=delivery_id)
    n = d.notification
    try:
        send_mail(n.subject, n.body, settings.DEFAULT_FROM_EMAIL, [n.recipient_email],
                  fail_silently=False)
    except Exception as error:
        attempts = d.attempts + 1
        status = Delivery.Status.GAVE_UP if attempts >= MAX_ATTEMPTS else Delivery.Status.FAILED
        Delivery.objects.filter(pk=d.pk).update(
            status=status, attempts=attempts, last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=timezone.now() + timedelta(minutes=min(2 ** attempts, 60)))
        DeliveryAttempt.objects.create(delivery=d, succeeded=False, error=str(error)[:2000])
        return status
    Delivery.objects.filter(pk=d.pk).update(status=Delivery.Status.SENT, attempts=d.attempts + 1,
                                            sent_at=timezone.now(), last_error="")
    DeliveryAttempt.objects.create(delivery=d, succeeded=True)
    return Delivery.Status.SENT


def due_email_deliveries() -> list[int]:
    now = timezone.now()
    return list(Delivery.objects.filter(
        Q(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED], next_attempt_at__lte=now)
        | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT),
        channel=Delivery.Channel.EMAIL).values_list("pk", flat=True)[:500])


def mark_read(user, notification_id) -> None:
    Notification.objects.filter(pk=notification_id, recipient_user=user, read_at=None).update(
        read_at=timezone.now())
