"""Randomize (protocol 2.7, docs/ARCHITECTURE.md rule 3): exactly once per participant, the lowest unused
row of the participant's stratum, under a lock on that stratum, inside one transaction. Unique
constraints on the participant and on the row back it up."""
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edc.audit import save_changed, save_created
from edc.models import Participant, ParticipantStatus
from edc.services.consent import has_main_consent
from edc.sites import require_site_member
from randomization.hooks import AFTER_RANDOMIZE
from randomization.models import AllocationRow, Randomization, Stratum


def _check_ready(participant: Participant) -> None:
    if hasattr(participant, "randomization"):
        raise ValidationError(_("%(p)s is already randomized.") % {"p": participant.label})
    if participant.status != ParticipantStatus.ENROLLED:
        raise ValidationError(_("Only an enrolled participant can be randomized."))
    if not has_main_consent(participant):
        raise ValidationError(_("Only a consented participant can be randomized."))
    eligibility = getattr(participant, "eligibility", None)
    if eligibility is None or not eligibility.eligible:
        raise ValidationError(_("Only an eligible participant can be randomized."))


def randomize(participant: Participant, *, user) -> Randomization:
    require_site_member(user, participant.site)
    try:
        with transaction.atomic():
            participant = (Participant.objects.select_for_update(of=("self",))
                           .select_related("eligibility", "site").get(pk=participant.pk))
            _check_ready(participant)
            try:
                # The lock on the stratum row serialises allocation within the stratum.
                stratum = Stratum.objects.select_for_update().get(prior_therapy=participant.prior_therapy)
            except Stratum.DoesNotExist:
                raise ValidationError(_("No stratum is defined for this participant's prior therapy."))
            row = (AllocationRow.objects.filter(stratum=stratum, allocation_list__active=True,
                                                used_at__isnull=True).order_by("sequence").first())
            if row is None:
                raise ValidationError(_("Stratum “%(s)s” has no allocation rows left; nothing was "
                                        "changed. Ask the randomization administrator to append rows.")
                                      % {"s": stratum})
            now = timezone.now()
            row.used_at = now
            save_changed(row, user, "Allocated")
            randomization = save_created(Randomization(
                participant=participant, row=row, blind_code=row.blind_code, randomized_at=now,
                randomized_by=user,
                month0_date=timezone.localdate(now, ZoneInfo(participant.site.timezone))),
                user, _("Randomized"))
            for hook in AFTER_RANDOMIZE:  # e.g. crf creates the visit schedule
                hook(randomization, user)
            return randomization
    except IntegrityError:
        # Only reachable if the lock were bypassed: the unique constraints refuse a second row.
        raise ValidationError(_("%(p)s is already randomized.") % {"p": participant.label})
