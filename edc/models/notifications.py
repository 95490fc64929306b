"""Notifications: the in-app inbox and every e-mail the system sends, each delivery recorded.

Exactly once: a notification has a unique `dedupe_key` naming the event, stage and recipient
(docs/ARCHITECTURE.md rule 4); a delivery is claimed with a conditional UPDATE before it is sent
(healthchecks' pattern), and every attempt is stored with its outcome and error.
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ExternalContact(models.Model):
    """Sponsor, CRO and ethics-committee addresses that receive notices by e-mail only."""

    class Organisation(models.TextChoices):
        SPONSOR = "sponsor", _("Sponsor")
        CRO = "cro", _("CRO")
        ETHICS = "ethics", _("Ethics committee")

    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=20, choices=Organisation.choices)
    email = models.EmailField(_("e-mail"))
    receives_unblinding = models.BooleanField(_("receives emergency unblinding notices"), default=True)
    receives_sae = models.BooleanField(_("receives SAE notices"), default=True)
    active = models.BooleanField(_("active"), default=True)
    language = models.CharField(_("language of notices"), max_length=10, choices=settings.LANGUAGES,
                                blank=True, default="")

    # Who receives SAE and unblinding notices drives safety reporting: every change has who and why.
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("external contact")
        verbose_name_plural = _("external contacts")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=200, unique=True)
    recipient_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="notifications")
    recipient_email = models.EmailField(blank=True)
    recipient_label = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient_user", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        IN_APP = "in_app", _("In-app")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", _("Failed, gave up")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Stable per delivery (derived from the notification's key): a resend after a crash is the same
    # message, so mail clients and people can recognise the repeat (docs/SAFETY_ALERTS.md).
    message_id = models.CharField(max_length=200, blank=True)
    # A worker died between starting an attempt and recording its outcome: the message may already
    # have been delivered once, and the next attempt may deliver it again (same Message-ID).
    possible_repeat = models.BooleanField(default=False)
    # When the people responsible were told (in-app) that this e-mail keeps failing.
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notification", "channel"],
                                               name="one_delivery_per_channel")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(auto_now_add=True)
    # None while the attempt is under way: written BEFORE talking to the mail server, so a worker that
    # dies mid-send leaves this row as evidence ("outcome unknown").
    succeeded = models.BooleanField(null=True)
    error = models.TextField(blank=True)
    possible_repeat = models.BooleanField(default=False)  # an earlier attempt's outcome was unknown

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        outcome = {True: "ok", None: "outcome unknown"}.get(self.succeeded, self.error[:60])
        return f"{self.at:%Y-%m-%d %H:%M} {outcome}{' (possible repeat)' if self.possible_repeat else ''}"
