"""Randomization: strata, the allocation list (the one table that holds the arm), allocations,
pharmacy preparations and emergency unblindings (protocol 2.7-2.8, docs/ARCHITECTURE.md rules 1 and 3).
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from edc.models import ClinicalModel, Participant, PriorTherapy
from edc.models.base import NoDeleteQuerySet


class Arm(models.TextChoices):
    MSC = "msc", _("uc-MSC arm")
    PLACEBO = "placebo", _("Placebo arm")


class Stratum(models.Model):
    """Prior first-line therapy stratum (docs/DECISIONS.md); editable until first allocation."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    prior_therapy = models.CharField(_("prior first-line therapy"), max_length=20, unique=True,
                                     choices=PriorTherapy.choices)
    name = models.CharField(_("name"), max_length=200, blank=True,
                            help_text=_("Leave empty to show the standard therapy name in each language."))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=24)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()
    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("stratum")
        verbose_name_plural = _("strata")

    def __str__(self) -> str:
        return self.name or str(self.get_prior_therapy_display())


class AllocationList(models.Model):
    class Source(models.TextChoices):
        GENERATED = "generated", _("Generated in the EDC")
        IMPORTED = "imported", _("Imported from the statistician's file")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(max_length=10, choices=Source.choices)
    # Decimal text: a secret seed has 64 to 256 bits (docs/BLINDING.md "Seeds"); unblinded roles only.
    seed = models.CharField(max_length=80, null=True, blank=True)
    # type change only, so the append-only history table is never updated)
    block_sizes = models.CharField(max_length=20, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    history = HistoricalRecords()
    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="one_active_allocation_list")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.created_at:%Y-%m-%d}"


class AllocationRow(models.Model):
    """One row of the list: stratum, sequence number, blind code, arm. The arm lives only here."""

    allocation_list = models.ForeignKey(AllocationList, on_delete=models.PROTECT, related_name="rows")
    stratum = models.ForeignKey(Stratum, on_delete=models.PROTECT, related_name="rows")
    sequence = models.PositiveIntegerField(_("sequence number"))
    block = models.PositiveSmallIntegerField(default=0)
    blind_code = models.CharField(_("blind code"), max_length=20)
    arm = models.CharField(_("arm"), max_length=10, choices=Arm.choices)
    used_at = models.DateTimeField(null=True, blank=True)
    appended_reason = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()
    objects = NoDeleteQuerySet.as_manager()
    blinded_fields = ("arm",)

    class Meta:
        ordering = ["stratum__order", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["allocation_list", "stratum", "sequence"],
                                    name="unique_sequence_per_stratum"),
            # Unique within a list; a replaced list was never used, so its codes reached no one.
            # Randomization.blind_code is unique across everything ever allocated.
            models.UniqueConstraint(fields=["allocation_list", "blind_code"],
                                    name="unique_blind_code_per_list"),
        ]
        indexes = [models.Index(fields=["stratum", "used_at", "sequence"])]

    def __str__(self) -> str:  # never the arm: this text can reach logs and admin pages
        return f"{self.stratum.code} #{self.sequence} {self.blind_code}"


class Randomization(ClinicalModel):
    """A participant's allocation: exactly once, ever (unique participant, unique row)."""

    participant = models.OneToOneField(Participant, on_delete=models.PROTECT,
                                       related_name="randomization")
    row = models.OneToOneField(AllocationRow, on_delete=models.PROTECT, related_name="randomization")
    blind_code = models.CharField(_("blind code"), max_length=20, unique=True)
    randomized_at = models.DateTimeField(_("randomized at"))
    randomized_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("randomized by"))
    month0_date = models.DateField(_("month 0 (baseline) date"))

    # What blinded readers of history see (edc.visible_fields): never `row`, the key to the arm.
    visible_fields = ("blind_code", "randomized_at", "randomized_by", "month0_date")

    class Meta:
        verbose_name = _("randomization")
        verbose_name_plural = _("randomizations")

    def __str__(self) -> str:
        return f"{self.participant} {self.blind_code}"


class BagPreparation(ClinicalModel):
    """Pharmacy record of one prepared infusion bag (unblinded pharmacist; protocol 2.8)."""

    class Infusion(models.TextChoices):
        MONTH0 = "m0", _("Month 0 infusion")
        MONTH6 = "m6", _("Month 6 infusion")

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="bags")
    infusion = models.CharField(_("infusion"), max_length=2, choices=Infusion.choices)
    body_weight_kg = models.DecimalField(_("body weight (kg)"), max_digits=5, decimal_places=1)
    dose_cells = models.BigIntegerField(_("dose (total cells)"))
    product_lot = models.CharField(_("product lot"), max_length=50)
    cell_count = models.BigIntegerField(_("cell count in bag"), null=True, blank=True)
    viability_pct = models.DecimalField(_("viability (%)"), max_digits=4, decimal_places=1,
                                        null=True, blank=True)
    volume_ml = models.PositiveSmallIntegerField(_("volume (mL)"), default=100)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(_("prepared at"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("checked by"))
    soft_warnings = models.JSONField(_("warnings acknowledged when prepared"), default=list, blank=True)

    # These would tell a blinded reader the arm (placebo bags hold no cells).
    blinded_fields = ("dose_cells", "product_lot", "cell_count", "viability_pct", "soft_warnings")
    visible_fields = ("infusion", "body_weight_kg", "volume_ml", "prepared_by", "prepared_at", "checked_by")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "infusion"],
                                               name="one_bag_per_infusion")]
        verbose_name = _("bag preparation")

    @property
    def expires_at(self):
        """Shelf life of the prepared suspension (randomization.services.bag_rules)."""
        from randomization.services.bag_rules import expires_at
        return expires_at(self.prepared_at)

    @property
    def cells_per_kg(self):
        """The dose actually prepared, 10⁶ cells/kg; None for placebo."""
        from randomization.services.bag_rules import cells_per_kg
        return cells_per_kg(self.cell_count, self.body_weight_kg)


class EmergencyUnblinding(ClinicalModel):
    participant = models.OneToOneField(Participant, on_delete=models.PROTECT,
                                       related_name="emergency_unblinding")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"))
    reason = models.TextField(_("reason"))
    # Protocol 2.8.2: the arm may go to a named third party (the treating physician, by e-mail)
    # while the requester stays blinded; then randomization.blinding shows it to nobody in the app.
    reveal_to_name = models.CharField(_("revealed to (name)"), max_length=200, blank=True)
    reveal_to_email = models.EmailField(_("revealed to (e-mail)"), blank=True)

    visible_fields = ("requested_by", "requested_at", "reason")

    class Meta:
        verbose_name = _("emergency unblinding")
        verbose_name_plural = _("emergency unblindings")

    @property
    def revealed_to_requester(self) -> bool:
        return not self.reveal_to_email


class UnblindingRequest(ClinicalModel):
    """An investigator without the code-break permission asks for one participant's code break;
    the site's PI and every code-break holder at the site are alerted at once (protocol 2.8.2)."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="unblinding_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"))
    reason = models.TextField(_("reason"))
    treating_physician = models.CharField(_("treating physician and how to reach them"), max_length=300,
                                          blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("unblinding request")
        verbose_name_plural = _("unblinding requests")


class ArmDisclosure(models.Model):
    """Each time a revealed arm is shown through an emergency unblinding (not to an unblinded role):
    who, which participant, where, when. Append-only (PostgreSQL trigger, migration)."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    where = models.CharField(max_length=100, blank=True)
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.seen_at:%Y-%m-%d %H:%M} {self.user} {self.where}"
