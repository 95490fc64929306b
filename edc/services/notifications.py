"""Notices by e-mail and in-app, every attempt recorded (docs/SAFETY_ALERTS.md, "Delivery guarantees").

What holds, and what does not:
- One Notification per (event, recipient): its `dedupe_key` is unique, so a second `notify()` for the
  same event and recipient (a second sweep, a concurrent one, a restarted worker) creates nothing.
- In-app: written in the same transaction as the notification, so exactly once.
- E-mail: AT LEAST ONCE. SMTP has no transaction shared with our database: a worker killed after the
  mail server accepted a message (250) and before the outcome was stored sends it again when the
  delivery is reclaimed. What we guarantee instead:
  * every delivery carries a stable Message-ID derived from its key, so a repeat is the same
    message — mail clients and people can recognise it (many clients hide the second copy);
  * the attempt is recorded BEFORE the server is contacted; an attempt whose outcome was never
    written is evidence of a crash, and the reclaimed delivery and its next attempt are marked
    "possible repeat" — the delivery log shows both attempts;
  * a send is cut off after `send_budget()` (derived from EMAIL_TIMEOUT) and a claim is reclaimed only
    after `claim_timeout()` (the budget plus a margin), so a slow send is never reclaimed while its
    worker is alive.
- Not abandoned: a kind may register a "still needed" test (SAE alerts: while an obligation they
  concern is open); such deliveries are retried with a capped backoff for as long as it holds.
  Other kinds give up after MAX_ATTEMPTS. A successful send brings every waiting retry forward, so
  when the mail server comes back everything outstanding goes out at the next sweep, once each.
"""
import hashlib
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from edc.models import Delivery, DeliveryAttempt, Notification

log = logging.getLogger("edc.notifications")
MAX_ATTEMPTS = 10  # kinds without a "still needed" test (about 5 hours of outage with the backoff)
# An SMTP send is at most this many round trips, each bounded by EMAIL_TIMEOUT: connect, greeting,
# EHLO, STARTTLS + EHLO, AUTH, MAIL, RCPT, DATA, the message, QUIT.
SMTP_ROUND_TRIPS = 10
# stored as an attempt's error, translated when shown (the delivery log on the SAE page)
WORKER_LOST = gettext_noop("worker lost before the outcome was recorded; the message may have been delivered")


def send_budget() -> timedelta:
    """The longest one send may take before we cut its connection."""
    return timedelta(seconds=SMTP_ROUND_TRIPS * settings.EMAIL_TIMEOUT)


def claim_timeout() -> timedelta:
    """A claim older than this belongs to a worker that died: a live one has finished or been cut
    off by then (send_budget), so a slow send is never reclaimed while it is alive."""
    return send_budget() + timedelta(seconds=settings.EDC_MAIL_CLAIM_MARGIN_SECONDS)


def retry_delay(failures: int) -> timedelta:
    """Exponential backoff from EDC_MAIL_RETRY_BASE_SECONDS, capped at EDC_MAIL_RETRY_CAP_SECONDS
    (default 1 minute doubling up to 20 minutes)."""
    base, cap = settings.EDC_MAIL_RETRY_BASE_SECONDS, settings.EDC_MAIL_RETRY_CAP_SECONDS
    return timedelta(seconds=min(base * 2 ** min(failures - 1, 30), cap))


# kind -> function(notification) -> bool: keep retrying while True (registered by the owning app)
_STILL_NEEDED: dict[str, Callable[[Notification], bool]] = {}


def register_still_needed(kind: str, test: Callable[[Notification], bool]) -> None:
    _STILL_NEEDED[kind] = test


@dataclass(frozen=True)
class Recipient:
    label: str
    user: object | None = None
    email: str = ""
    language: str = ""  # empty: the user's preferred language, else the trial's default

    @property
    def lang(self) -> str:
        return self.language or getattr(self.user, "language", "") or settings.LANGUAGE_CODE


def message_id(dedupe_key: str) -> str:
    """The Message-ID of every copy of one notification's e-mail (RFC 5322 msg-id)."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "edc.invalid"
    return f"<{digest}@{domain}>"


def notify(*, kind: str, event_key: str, recipients: list[Recipient], subject: str, body: str,
           link: str = "", in_app_only: bool = False) -> list[Notification]:
    """Create the notices for one event; returns the notifications created now (not earlier)."""
    return notify_each(kind=kind, event_key=event_key, recipients=recipients,
                       render=lambda r: (subject, body), link=link, in_app_only=in_app_only)


def notify_each(*, kind: str, event_key: str, recipients: list[Recipient],
                render: Callable[[Recipient], tuple[str, str]], link: str = "",
                in_app_only: bool = False) -> list[Notification]:
    """Like notify(), with (subject, body) written per recipient, in the recipient's language."""
    created = []
    for r in recipients:
        key = f"{event_key}:{r.user.pk if r.user else r.email}"
        with translation.override(r.lang):
            subject, body = render(r)
        try:
            with transaction.atomic():
                n = Notification.objects.create(
                    kind=kind, dedupe_key=key, recipient_user=r.user,
                    recipient_email=r.email or (r.user.email if r.user else ""),
                    recipient_label=r.label, subject=subject[:300], body=body, link=link)
        except IntegrityError:
            continue  # already notified for this event: exactly once
        now = timezone.now()
        if r.user is not None:
            Delivery.objects.create(notification=n, channel=Delivery.Channel.IN_APP,
                                    status=Delivery.Status.SENT, sent_at=now, attempts=1)
        if n.recipient_email and not in_app_only:
            d = Delivery.objects.create(notification=n, channel=Delivery.Channel.EMAIL,
                                        next_attempt_at=now, message_id=message_id(key))
            from edc.tasks import deliver_email
            enqueue_after_commit(deliver_email, d.pk)
        created.append(n)
    return created


def enqueue_after_commit(task, *args) -> None:
    """Queue a Celery task once the transaction commits. If the broker is down the row stays
    pending and the beat sweep sends it later: a broker outage delays a notice, never loses it."""

    def send() -> None:
        try:
            task.apply_async(args=args)
        except Exception as error:
            log.warning("could not queue %s%s: %s; the sweep will retry", task.name, args, error)

    transaction.on_commit(send)


def _claimable(now) -> Q:
    return (Q(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED], next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - claim_timeout()))


def claim(delivery_id: int) -> tuple[Delivery, DeliveryAttempt] | None:
    """Take a delivery for sending and record the attempt before any byte goes to the server.
    None if another worker has it, it is done, or it is not due."""
    now = timezone.now()
    with transaction.atomic():
        d = (Delivery.objects.select_for_update(skip_locked=True).select_related("notification")
             .filter(_claimable(now), pk=delivery_id).first())
        if d is None:
            return None
        if d.status == Delivery.Status.SENDING:  # its worker died mid-send: the outcome is unknown
            d.possible_repeat = True
            d.attempt_log.filter(succeeded=None).update(succeeded=False, error=WORKER_LOST)
            log.warning("delivery %s reclaimed after a lost worker: possible repeat (Message-ID %s)",
                        d.pk, d.message_id)
        d.status, d.claimed_at = Delivery.Status.SENDING, now
        d.save(update_fields=["status", "claimed_at", "possible_repeat"])
        attempt = DeliveryAttempt.objects.create(delivery=d, succeeded=None, possible_repeat=d.possible_repeat)
    return d, attempt


def _cut(connection) -> None:
    sock = getattr(getattr(connection, "connection", None), "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _send(d: Delivery) -> None:
    n = d.notification
    connection = get_connection(fail_silently=False)
    message = EmailMessage(n.subject, n.body, settings.DEFAULT_FROM_EMAIL, [n.recipient_email],
                           connection=connection,
                           headers={"Message-ID": d.message_id or message_id(n.dedupe_key)})
    watchdog = threading.Timer(send_budget().total_seconds(), _cut, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        message.send()
    finally:
        watchdog.cancel()
        connection.close()


def send_email_delivery(delivery_id: int) -> str:
    """Send one e-mail; store the attempt and its outcome. Returns the new status."""
    claimed = claim(delivery_id)
    if claimed is None:
        return "skipped"
    d, attempt = claimed
    try:
        _send(d)
    except Exception as error:
        return _failed(d, attempt, error)
    now = timezone.now()
    Delivery.objects.filter(pk=d.pk).update(status=Delivery.Status.SENT, attempts=d.attempts + 1,
                                            sent_at=now, last_error="")
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(succeeded=True)
    # The server answers again: everything waiting on a backoff goes out at the next sweep.
    Delivery.objects.filter(channel=Delivery.Channel.EMAIL, status=Delivery.Status.FAILED,
                            next_attempt_at__gt=now).update(next_attempt_at=now)
    return Delivery.Status.SENT


def _failed(d: Delivery, attempt: DeliveryAttempt, error: Exception) -> str:
    attempts = d.attempts + 1
    text = f"{type(error).__name__}: {error}"[:2000]
    still_needed = _STILL_NEEDED.get(d.notification.kind)
    if still_needed is not None:
        give_up = not still_needed(d.notification)
    else:
        give_up = attempts >= MAX_ATTEMPTS
    status = Delivery.Status.GAVE_UP if give_up else Delivery.Status.FAILED
    Delivery.objects.filter(pk=d.pk).update(status=status, attempts=attempts, last_error=text,
                                            next_attempt_at=timezone.now() + retry_delay(attempts))
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(succeeded=False, error=text)
    return status


def due_email_deliveries() -> list[int]:
    return list(Delivery.objects.filter(_claimable(timezone.now()), channel=Delivery.Channel.EMAIL)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:500])


def mark_read(user, notification_id) -> None:
    Notification.objects.filter(pk=notification_id, recipient_user=user, read_at=None).update(
        read_at=timezone.now())
