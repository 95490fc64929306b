"""Reads for the randomization pages. Arm-bearing reads are only called behind may_see_arm."""
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from edc.clinical.dates import add_months
from edc.models import Participant
from randomization.blinding import arm_label_for
from randomization.models import AllocationRow, Arm, BagPreparation, Stratum


@dataclass(frozen=True)
class StratumStatus:
    stratum: Stratum
    rows: int
    used: int
    unused: int
    used_msc: int
    used_placebo: int
    list_msc: int
    list_placebo: int

    @property
    def imbalance(self) -> int:
        return self.used_msc - self.used_placebo


def allocation_status(allocation_list) -> list[StratumStatus]:
    """Per stratum: rows, used, unused, and balance (unblinded administrator only)."""
    counts = {row["stratum"]: row for row in AllocationRow.objects.filter(allocation_list=allocation_list)
              .values("stratum").annotate(
                  rows=Count("id"), used=Count("id", filter=Q(used_at__isnull=False)),
                  used_msc=Count("id", filter=Q(used_at__isnull=False, arm=Arm.MSC)),
                  used_placebo=Count("id", filter=Q(used_at__isnull=False, arm=Arm.PLACEBO)),
                  list_msc=Count("id", filter=Q(arm=Arm.MSC)),
                  list_placebo=Count("id", filter=Q(arm=Arm.PLACEBO)))} if allocation_list else {}
    out = []
    for s in Stratum.objects.order_by("order"):
        c = counts.get(s.pk, {})
        rows, used = c.get("rows", 0), c.get("used", 0)
        out.append(StratumStatus(s, rows, used, rows - used, c.get("used_msc", 0),
                                 c.get("used_placebo", 0), c.get("list_msc", 0), c.get("list_placebo", 0)))
    return out


@dataclass(frozen=True)
class PharmacyTask:
    participant: Participant
    infusion: str
    infusion_label: str
    blind_code: str
    arm_label: str
    bag: BagPreparation | None
    due: date


def pharmacy_worklist(user) -> list[PharmacyTask]:
    """Randomized participants at the pharmacist's sites with the month 0 and month 6 bags
    (protocol 1.3: infusions at months 0 and 6), prepared or still due."""
    participants = (Participant.objects.filter(site__staff=user, randomization__isnull=False)
                    .select_related("randomization__row", "site").prefetch_related("bags")
                    .order_by("randomization__randomized_at"))
    tasks = []
    for p in participants:
        bags = {b.infusion: b for b in p.bags.all()}
        month0 = p.randomization.month0_date
        for infusion, label in BagPreparation.Infusion.choices:
            if infusion == BagPreparation.Infusion.MONTH6 and "m0" not in bags:
                continue
            due = month0 if infusion == BagPreparation.Infusion.MONTH0 else add_months(month0, 6)
            tasks.append(PharmacyTask(p, infusion, str(label), p.randomization.blind_code,
                                      arm_label_for(user, p), bags.get(infusion), due))
    # Bags still to prepare first, soonest due first; then the prepared ones.
    return sorted(tasks, key=lambda t: (t.bag is not None, t.due))
