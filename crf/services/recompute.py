"""Keep computed values true to their inputs: a saved or corrected lab panel re-derives the values
computed from it — the same visit's BILAG-2004 renal grade and renal response and, for the month-0
baseline, every later renal response. Each re-derivation is an audited change with its reason."""
from django.core.exceptions import ValidationError

from crf import registry
from edc.audit import save_changed

REASON = "Recomputed after a lab panel was saved"


def recompute_after_labs(lab, user) -> int:
    changed = 0
    for key in ("bilag", "response"):
        crf_type = registry.get(key)
        if crf_type is None:
            continue
        dependents = crf_type.model.objects.filter(visit=lab.visit)
        if key == "response" and lab.visit.code == "m0":
            dependents = crf_type.model.objects.filter(participant=lab.participant)
        for obj in dependents:
            try:
                crf_type.derive(obj)
            except ValidationError:
                continue  # the form itself will say what is missing when next opened
            if save_changed(obj, user, REASON):
                changed += 1
    return changed
