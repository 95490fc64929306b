"""Analysis sets (protocol 2.13.1), computed the same way for the datasets and the report:
Safety = received at least one infusion; FAS = Safety and at least one post-baseline urine
protein/creatinine ratio; PPS = FAS without a major protocol deviation."""
from dataclasses import dataclass

from crf.models import InfusionAdministration, LabPanel, ProtocolDeviation


@dataclass(frozen=True)
class Membership:
    safety: bool
    fas: bool
    pps: bool


def analysis_sets(participant_ids) -> dict:
    """participant id -> Membership, with three queries whatever the number of participants."""
    ids = list(participant_ids)
    # distinct(): one row per participant, not one per lab panel (about 11 each after a year)
    infused = set(InfusionAdministration.objects.filter(participant_id__in=ids)
                  .values_list("participant_id", flat=True).distinct())
    post_baseline = set(LabPanel.objects.filter(participant_id__in=ids, visit__month__gt=0,
                                                upcr_g_g__isnull=False).values_list("participant_id", flat=True)
                        .distinct())
    major = set(ProtocolDeviation.objects.filter(participant_id__in=ids, severity="major")
                .values_list("participant_id", flat=True).distinct())
    out = {}
    for pid in ids:
        safety = pid in infused
        fas = safety and pid in post_baseline
        out[pid] = Membership(safety=safety, fas=fas, pps=fas and pid not in major)
    return out
